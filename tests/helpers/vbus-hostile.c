// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vbus-hostile: a bus member doing what a hostile one would, fast, for the
 * VM tests of doc/security.md (tests/vm/90-hostile.sh).
 *
 *   vbus-hostile BUS ID signal-race N   N connections register every queue's
 *                                       eventfds by one number while another
 *                                       thread dup2()s fresh eventfds onto it;
 *                                       prints "signals S"
 *   vbus-hostile BUS ID flushrx N       (venet-tap) N FLUSHRX calls while
 *                                       another thread posts each buffer again
 *                                       as it comes back; prints "ring R max M"
 *                                       (M: most buffers one call handed back)
 *   vbus-hostile BUS ID kickcall N      (venet-raw, whose kick completes a
 *                                       frame and signals at once) N round
 *                                       trips: one frame, a write to the kick
 *                                       eventfd, the call eventfd within 5 s;
 *                                       then 50 clients kicking flat out, each
 *                                       killed with SIGKILL after 20 ms;
 *                                       prints "kickcall N killed K"
 *
 * Exit status 0 when the run completed, 1 with "Error: ..." otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <linux/vbus.h>
#include <linux/vbus_venet.h>
#include "ioq/ioq.h"

static int bus_fd;
static unsigned int dev_id;

static void die(const char *what)
{
	fprintf(stderr, "Error: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int dev_open(void)
{
	struct vbus_open req = { .id = dev_id };
	int fd = ioctl(bus_fd, VBUS_IOC_OPEN, &req);

	if (fd < 0)
		die("VBUS_IOC_OPEN");
	return fd;
}

static long dev_call(int fd, unsigned int func, void *buf, unsigned int len, unsigned int size)
{
	struct vbus_call req = {
		.func = func, .len = len, .size = size, .data = (unsigned long)buf,
	};

	return ioctl(fd, VBUS_IOC_CALL, &req);
}

/* signal-race */

static atomic_bool stop;
static int race_fd;		/* the number the kick is registered by */

/* Puts a fresh eventfd on race_fd, then frees it by putting another over it. */
static void *dup2_racer(void *arg)
{
	int keep = *(int *)arg;

	while (!atomic_load(&stop)) {
		int e = eventfd(0, EFD_CLOEXEC);

		if (e < 0 || dup2(e, race_fd) < 0)
			die("eventfd/dup2");
		close(e);
		if (dup2(keep, race_fd) < 0)
			die("dup2");
	}
	return NULL;
}

static int signal_race(unsigned long n)
{
	unsigned long i, ok = 0;
	pthread_t t;
	int keep;

	keep = eventfd(0, EFD_CLOEXEC);
	race_fd = eventfd(0, EFD_CLOEXEC);
	if (keep < 0 || race_fd < 0)
		die("eventfd");
	if (pthread_create(&t, NULL, dup2_racer, &keep))
		die("pthread_create");
	for (i = 0; i < n; i++) {
		int fd = dev_open();
		unsigned int q;

		/* Every queue: more registrations per connection. */
		for (q = 0; q < VBUS_QUEUES_MAX; q++) {
			struct vbus_signal sig = { .queue = q, .kick = race_fd, .call = race_fd };

			if (ioctl(fd, VBUS_IOC_SIGNAL, &sig) == 0)
				ok++;
			else if (errno != EBADF && errno != EINVAL)
				die("VBUS_IOC_SIGNAL");
		}
		/* Kick whatever is there now, then let the connection go. */
		eventfd_write(race_fd, 1);
		close(fd);
	}
	atomic_store(&stop, true);
	pthread_join(t, NULL);
	printf("signals %lu\n", ok);
	return 0;
}

/* flushrx */

#define FLUSH_COUNT	8		/* ring entries: small, so the racer keeps up */
#define FLUSH_SHM	(1 << 16)
#define FLUSH_AREA	8192
#define FLUSH_CAP	(64 * FLUSH_COUNT)	/* reposts per call */

static struct ioq rxq;
static atomic_ulong reaped, call_start;
static atomic_int pause_req, paused;

/*
 * Posts every buffer again as soon as it comes back, up to FLUSH_CAP per
 * call (so that an unbounded call ends too); the rest when the call is over.
 */
static void *reposter(void *arg)
{
	struct ioq_buf b = { .len = 64, .flags = IOQ_DESC_F_WRITE };
	uintptr_t held[FLUSH_COUNT];
	unsigned int nheld = 0;
	void *cookie;
	u32 len;

	(void)arg;
	while (!atomic_load(&stop)) {
		/* Asked before reaping: a call that has returned left nothing unseen. */
		int pause = atomic_load(&pause_req);
		int ret = ioq_reap(&rxq, &cookie, &len);

		if (ret < 0) {
			errno = -ret;
			die("ioq_reap");
		}
		if (ret > 0) {
			if (atomic_fetch_add(&reaped, 1) - atomic_load(&call_start) < FLUSH_CAP) {
				b.offset = (uintptr_t)cookie;
				if (ioq_post(&rxq, &b, 1, cookie, 0) < 0)
					die("ioq_post");
			} else {
				held[nheld++] = (uintptr_t)cookie;
			}
			continue;
		}
		/* Nothing to reap, and the last call is over. */
		if (pause) {
			for (; nheld; nheld--) {
				b.offset = held[nheld - 1];
				if (ioq_post(&rxq, &b, 1, (void *)b.offset, 0) < 0)
					die("ioq_post");
			}
			atomic_store(&paused, 1);
			while (atomic_load(&pause_req) && !atomic_load(&stop))
				;
			atomic_store(&paused, 0);
		}
	}
	return NULL;
}

static int flushrx(unsigned long n)
{
	struct venet_negcap neg = { .caps = VENET_CAP_SG };
	struct venet_qreg reg = {
		.queue = VENET_QUEUE_RX, .count = FLUSH_COUNT, .ring = 0,
		.area = FLUSH_AREA, .area_len = FLUSH_SHM - FLUSH_AREA,
	};
	struct vbus_shm shm = { .size = FLUSH_SHM };
	unsigned long i, max = 0;
	struct ioq_buf b = { .len = 64, .flags = IOQ_DESC_F_WRITE };
	pthread_t t;
	void *mem;
	int fd;

	fd = dev_open();
	if (dev_call(fd, VENET_FUNC_NEGCAP, &neg, sizeof(neg), sizeof(neg)) < 0)
		die("NEGCAP");
	if (ioctl(fd, VBUS_IOC_SHM, &shm) < 0)
		die("VBUS_IOC_SHM");
	mem = mmap(NULL, FLUSH_SHM, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	if (dev_call(fd, VENET_FUNC_QREG, &reg, sizeof(reg), sizeof(reg)) < 0)
		die("QREG");
	if (ioq_init(&rxq, IOQ_PRODUCER, mem, IOQ_RING_SIZE(FLUSH_COUNT),
		     (u8 *)mem + FLUSH_AREA, FLUSH_SHM - FLUSH_AREA) < 0)
		die("ioq_init");
	for (i = 0; i < FLUSH_COUNT; i++) {
		b.offset = i * 64;
		if (ioq_post(&rxq, &b, 1, (void *)(uintptr_t)b.offset, 0) < 0)
			die("ioq_post");
	}
	atomic_store(&pause_req, 1);
	if (pthread_create(&t, NULL, reposter, NULL))
		die("pthread_create");
	for (i = 0; i < n; i++) {
		unsigned long before;

		while (!atomic_load(&paused))
			;
		before = atomic_load(&reaped);
		atomic_store(&call_start, before);
		atomic_store(&pause_req, 0);
		while (atomic_load(&paused))
			;
		if (dev_call(fd, VENET_FUNC_FLUSHRX, NULL, 0, 0) < 0)
			die("FLUSHRX");
		atomic_store(&pause_req, 1);
		while (!atomic_load(&paused))
			;
		if (atomic_load(&reaped) - before > max)
			max = atomic_load(&reaped) - before;
	}
	atomic_store(&stop, true);
	pthread_join(t, NULL);
	printf("ring %u max %lu\n", FLUSH_COUNT, max);
	close(fd);
	return 0;
}

/* kickcall */

#define KC_COUNT	8
#define KC_SHM		(1 << 16)
#define KC_AREA		8192
#define KC_HALF		((KC_SHM - KC_AREA) / 2)

struct kc_client {
	int fd, kick, call;
	struct ioq txq;
	u8 *mem, *tx_area;
};

/* A venet-raw client whose tx queue signals through eventfds, its link up. */
static void kc_open(struct kc_client *c)
{
	struct venet_qreg reg = { .count = KC_COUNT, .area_len = KC_HALF };
	struct vbus_shm shm = { .size = KC_SHM };
	struct vbus_signal sig = { .queue = VENET_QUEUE_TX };
	u8 *mem;

	c->fd = dev_open();
	c->kick = eventfd(0, EFD_CLOEXEC);
	c->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->kick < 0 || c->call < 0)
		die("eventfd");
	if (ioctl(c->fd, VBUS_IOC_SHM, &shm) < 0)
		die("VBUS_IOC_SHM");
	mem = mmap(NULL, KC_SHM, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	c->mem = mem;
	reg.queue = VENET_QUEUE_RX;
	reg.ring = 4096;
	reg.area = KC_AREA;
	if (dev_call(c->fd, VENET_FUNC_QREG, &reg, sizeof(reg), sizeof(reg)) < 0)
		die("QREG rx");
	reg.queue = VENET_QUEUE_TX;
	reg.ring = 0;
	reg.area = KC_AREA + KC_HALF;
	if (dev_call(c->fd, VENET_FUNC_QREG, &reg, sizeof(reg), sizeof(reg)) < 0)
		die("QREG tx");
	c->tx_area = mem + KC_AREA + KC_HALF;
	if (ioq_init(&c->txq, IOQ_PRODUCER, mem, IOQ_RING_SIZE(KC_COUNT), c->tx_area,
		     KC_HALF) < 0)
		die("ioq_init");
	sig.kick = c->kick;
	sig.call = c->call;
	if (ioctl(c->fd, VBUS_IOC_SIGNAL, &sig) < 0)
		die("VBUS_IOC_SIGNAL");
	if (dev_call(c->fd, VENET_FUNC_LINKUP, NULL, 0, 0) < 0)
		die("LINKUP");
}

/* One frame and its kick; true when the call eventfd said it is done. */
static bool kc_round(struct kc_client *c, int ms)
{
	struct ioq_buf b = { .len = 60 };
	struct pollfd p = { .fd = c->call, .events = POLLIN };
	void *cookie;
	uint64_t n;
	u32 len;

	while (ioq_reap(&c->txq, &cookie, &len) > 0)
		;
	memset(c->tx_area, 0xff, 60);
	if (ioq_post(&c->txq, &b, 1, NULL, 0) < 0)
		die("ioq_post");
	/* The completion's signal asked for before the kick. */
	ioq_arm_reap(&c->txq, 1);
	if (eventfd_write(c->kick, 1) < 0)
		die("kick");
	return poll(&p, 1, ms) == 1 && read(c->call, &n, sizeof(n)) == sizeof(n);
}

static int kickcall(unsigned long n)
{
	struct kc_client c;
	unsigned long i;
	int k, status;

	kc_open(&c);
	for (i = 0; i < n; i++) {
		if (!kc_round(&c, 5000)) {
			fprintf(stderr, "Error: no call signal for kick %lu of %lu\n", i + 1, n);
			return 1;
		}
	}
	/* The mapping holds the file: the device is free for the next client once both go. */
	munmap(c.mem, KC_SHM);
	close(c.fd);
	close(c.kick);
	close(c.call);
	/* Released with deferred signals in flight: the connection's work goes first. */
	for (k = 0; k < 50; k++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid) {
			kc_open(&c);
			for (;;)
				kc_round(&c, 0);
		}
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status))
			die("a kicking client did not die by SIGKILL");
	}
	printf("kickcall %lu killed %d\n", n, k);
	return 0;
}

int main(int argc, char **argv)
{
	char path[256];
	unsigned long n;

	if (argc != 5) {
		fprintf(stderr, "usage: vbus-hostile BUS ID signal-race|flushrx|kickcall N\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/dev/vbus/%s", argv[1]);
	bus_fd = open(path, O_RDWR | O_CLOEXEC);
	if (bus_fd < 0)
		die(path);
	dev_id = strtoul(argv[2], NULL, 0);
	n = strtoul(argv[4], NULL, 0);
	if (!strcmp(argv[3], "signal-race"))
		return signal_race(n);
	if (!strcmp(argv[3], "flushrx"))
		return flushrx(n);
	if (!strcmp(argv[3], "kickcall"))
		return kickcall(n);
	fprintf(stderr, "Error: unknown command %s\n", argv[3]);
	return 2;
}
