// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * guest-peer: a VM guest's side of the guest connector (doc/abi/guest.md)
 * in userspace, for the VM tests. It plays vbusd and QEMU too: it calls
 * VBUS_IOC_GUEST itself with eventfds of its own, maps the region and
 * speaks the protocol to the host kernel through it.
 *
 *   guest-peer BUS errors              every VBUS_IOC_GUEST error path:
 *                                      prints "CASE ERRNO" per case
 *   guest-peer BUS ctl ID ID2          every control op's error paths (3
 *                                      vectors; ID, ID2 venet devices);
 *                                      prints "CASE ERRNO"; waits for the
 *                                      test to unlink ID after "unlink ID"
 *   guest-peer BUS run ID TX RX IDLE [VECTORS]
 *                                      RESET, LIST, OPEN venet ID, SHM,
 *                                      the venet calls, TX frames to the
 *                                      host, then "rx ready" and receives
 *                                      until RX frames (any) came, or IDLE
 *                                      ms without one after the first (60 s
 *                                      for the first); prints what it saw,
 *                                      the signal queue entries per vector
 *                                      ("sigq V N") among it; VECTORS
 *                                      (default 2) the guest's vectors
 *   guest-peer BUS events SECONDS      prints the events it sees until a DEL
 *                                      follows an ADD, or SECONDS pass
 *   guest-peer BUS stale ID ID2 ID3    a DEAD the guest has not read (3
 *                                      vectors; venet devices): opens ID,
 *                                      waits for the test to unlink ID after
 *                                      "unlink ID", closes the dead handle
 *                                      and opens ID2 before it reads the
 *                                      events, closes and opens ID2 again
 *                                      after it read them; opens ID3,
 *                                      waits for the test to flood the
 *                                      event queue after "flood" and, once
 *                                      it printed "ring-full", to unlink
 *                                      ID2 and ID3; closes ID3's dead
 *                                      handle, opens the bus's first device
 *                                      and reads the events; prints "CASE
 *                                      ERRNO" and "CASE VALUE" lines
 *   guest-peer BUS hostile ID SECONDS  2000 requests with lying lengths,
 *                                      offsets and handles ("lies N answered
 *                                      A"), 3000 signals never drained, then
 *                                      ("chaos") SECONDS of traffic while two
 *                                      threads write random bytes anywhere
 *                                      in the region and three ring every
 *                                      doorbell with every kick bit set;
 *                                      RESET, LIST last; prints the guest
 *                                      fd's counters ("fdinfo NAME VALUE")
 *   guest-peer BUS churn ID N          N guests in turn, each opening device
 *                                      ID, kicking it with lying kick words
 *                                      and leaving with everything open
 *   guest-peer BUS kickcall ID N       N round trips with venet-raw device
 *                                      ID, whose kick completes the frame and
 *                                      signals at once: one frame, one
 *                                      doorbell, the interrupt within 5 s
 *                                      (the signal raised inside the
 *                                      doorbell's eventfd wake-up);
 *                                      prints "kickcall N"
 *
 * Frames are broadcast, EtherType 0x88b5, numbered in their first payload
 * bytes as venet-count numbers them (pkt-seq reads that).
 * Exit status 0 when the run completed, 1 with "Error: ..." otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/vbus.h>
#include <linux/vbus_guest.h>
#include <linux/vbus_venet.h>
#include "ioq/ioq.h"

#define RING		256
#define SEG		2048
#define FRAME		60

static int bus_fd = -1, guest_fd = -1;
static unsigned int vectors = 2;
static int bells[VBUS_GUEST_VECTORS_MAX], irqs[VBUS_GUEST_VECTORS_MAX];
static uint8_t *base;
static struct vbus_guest_hdr *hdr;
static size_t region_size;
static struct ioq reqq, evtq;
static unsigned long irq_count, sig_entries, sig_overflow;
static unsigned long sig_by_vec[VBUS_GUEST_VECTORS_MAX];
static bool sigq_ok;		/* the header's layout is read: queues drained on interrupts */
static unsigned int drain_sigq(unsigned int v);

static void die(const char *what, int err)
{
	fprintf(stderr, "Error: %s: %s\n", what, strerror(err));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *errname(int err)
{
	static char buf[16];

	switch (err) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case EBUSY: return "EBUSY";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case ENOSPC: return "ENOSPC";
	case ENOMEM: return "ENOMEM";
	case ENODEV: return "ENODEV";
	case EMSGSIZE: return "EMSGSIZE";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EPERM: return "EPERM";
	}
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

static void ring(unsigned int v)
{
	uint64_t one = 1;

	if (write(bells[v], &one, sizeof(one)) != sizeof(one))
		die("doorbell", errno);
}

/*
 * Waits up to ms for an interrupt on any vector, as the bridge's handlers
 * take them: each vector that fired has its signal queue drained (once the
 * layout is known). True when vector v's came.
 */
static bool wait_irq(unsigned int v, int ms)
{
	struct pollfd p[VBUS_GUEST_VECTORS_MAX];
	bool hit = false;
	unsigned int i;
	uint64_t n;

	for (i = 0; i < vectors; i++)
		p[i] = (struct pollfd){ .fd = irqs[i], .events = POLLIN };
	if (poll(p, vectors, ms) <= 0)
		return false;
	for (i = 0; i < vectors; i++) {
		if (!(p[i].revents & POLLIN) || read(irqs[i], &n, sizeof(n)) != sizeof(n))
			continue;
		irq_count += n;
		if (sigq_ok)
			drain_sigq(i);
		hit |= i == v;
	}
	return hit;
}

static void make_fds(void)
{
	unsigned int i;

	for (i = 0; i < VBUS_GUEST_VECTORS_MAX; i++) {
		bells[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		irqs[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (bells[i] < 0 || irqs[i] < 0)
			die("eventfd", errno);
	}
}

/* VBUS_IOC_GUEST: the guest fd, or -errno; *rfd the region's fd. */
static int guest_ioctl(int fd, uint64_t size, unsigned int nvec, uint32_t flags,
		       int32_t pid, const int *db, const int *ir, int *rfd)
{
	struct vbus_guest g = {
		.size = size, .vectors = nvec, .flags = flags, .pid = pid,
		.doorbells = (uintptr_t)db, .irqs = (uintptr_t)ir, .region_fd = -1,
	};
	int ret = ioctl(fd, VBUS_IOC_GUEST, &g);

	if (ret < 0)
		return -errno;
	*rfd = g.region_fd;
	return ret;
}

static void attach(const char *bus, uint64_t size)
{
	char path[256];
	struct stat st;
	int rfd = -1;

	snprintf(path, sizeof(path), "/dev/vbus/%s", bus);
	bus_fd = open(path, O_RDWR | O_CLOEXEC);
	if (bus_fd < 0)
		die(path, errno);
	make_fds();
	guest_fd = guest_ioctl(bus_fd, size, vectors, 0, 0, bells, irqs, &rfd);
	if (guest_fd < 0)
		die("VBUS_IOC_GUEST", -guest_fd);
	/* As vbusd: the guest fd holds the connection; the bus fd's member goes. */
	close(bus_fd);
	bus_fd = -1;
	if (fstat(rfd, &st) < 0)
		die("fstat region", errno);
	region_size = st.st_size;
	base = mmap(NULL, region_size, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
	if (base == MAP_FAILED)
		die("mmap region", errno);
	close(rfd);
	hdr = (struct vbus_guest_hdr *)base;
}

/* The header's reset, as a booting guest does: the rings may be anything. */
static void reset(void)
{
	uint32_t gen = __atomic_load_n(&hdr->generation, __ATOMIC_ACQUIRE);
	double end = now() + 10;

	sigq_ok = false;
	__atomic_store_n(&hdr->reset, 1, __ATOMIC_RELEASE);
	ring(0);
	while (__atomic_load_n(&hdr->generation, __ATOMIC_ACQUIRE) == gen) {
		if (now() > end)
			die("reset", ETIMEDOUT);
		wait_irq(0, 100);
	}
	if (hdr->magic != VBUS_GUEST_MAGIC || hdr->version != VBUS_GUEST_VERSION ||
	    hdr->size != region_size || hdr->dev_area + hdr->dev_size != region_size)
		die("header", EPROTO);
	ioq_cleanup(&reqq);
	ioq_cleanup(&evtq);
	if (ioq_init(&reqq, IOQ_PRODUCER, base + hdr->req_ring, hdr->ring_size,
		     base + hdr->req_buf, (uint64_t)hdr->ctl_count * VBUS_GUEST_CTL_BUF) ||
	    ioq_init(&evtq, IOQ_CONSUMER, base + hdr->evt_ring, hdr->ring_size,
		     base + hdr->evt_buf, hdr->ctl_count * sizeof(struct vbus_guest_event)))
		die("control rings", EPROTO);
	ioq_arm(&evtq);
	sigq_ok = true;
}

static struct vbus_guest_req *slot(void)
{
	return (struct vbus_guest_req *)(base + hdr->req_buf);
}

/*
 * One request in slot 0, answered within 10 s: the status (0 or -errno),
 * the result in *result. data: len bytes in, room for size out (copied back).
 */
static int request(uint32_t op, uint32_t handle, uint32_t func, uint64_t arg, void *data,
		   uint32_t len, uint32_t size, uint64_t *result)
{
	struct vbus_guest_req *r = slot();
	struct ioq_buf b = { .offset = 0, .len = VBUS_GUEST_CTL_BUF, .flags = IOQ_DESC_F_WRITE };
	double end = now() + 10;
	void *cookie;
	uint32_t got;
	int ret;

	memset(r, 0, sizeof(*r));
	r->op = op;
	r->handle = handle;
	r->func = func;
	r->arg = arg;
	r->len = len;
	r->size = size;
	r->status = 1;
	if (len)
		memcpy(r->data, data, len);
	if (ioq_post(&reqq, &b, 1, r, 0))
		die("post request", EPROTO);
	if (ioq_kick(&reqq))
		ring(0);
	while ((ret = ioq_reap(&reqq, &cookie, &got)) == 0) {
		if (now() > end)
			die("request", ETIMEDOUT);
		if (ioq_arm(&reqq))
			wait_irq(0, 100);
	}
	if (ret < 0)
		die("request ring", EPROTO);
	if (got < sizeof(*r))
		die("short answer", EPROTO);
	if (result)
		*result = r->result;
	if (r->status >= 0 && size && data)
		memcpy(data, r->data, got - sizeof(*r) < size ? got - sizeof(*r) : size);
	return r->status;
}

static bool added, del_after_add;	/* events: an ADD seen, a DEL after it */
static uint64_t dead_seen;		/* events: the handles of the DEADs, by bit */
static bool overflow_seen;		/* events: an OVERFLOW */

/*
 * Takes the pending control events; prints them when verbose. Returns how
 * many; *dead_handle and *del_id (when not NULL) take the last DEAD's and DEL's.
 */
static unsigned int events(bool verbose, uint32_t *dead_handle, uint32_t *del_id)
{
	struct ioq_elem e;
	unsigned int n = 0;

	while (ioq_consume(&evtq, &e) > 0) {
		struct vbus_guest_event ev;

		memcpy(&ev, e.sg[0].addr, sizeof(ev));
		if (verbose && ev.event == VBUS_GUEST_EVT_ADD)
			printf("event add %u %.32s\n", ev.id, ev.type);
		else if (verbose && ev.event == VBUS_GUEST_EVT_DEL)
			printf("event del %u\n", ev.id);
		else if (verbose && ev.event == VBUS_GUEST_EVT_DEAD)
			printf("event dead %u\n", ev.handle);
		else if (verbose)
			printf("event %u\n", ev.event);
		if (ev.event == VBUS_GUEST_EVT_ADD)
			added = true;
		if (ev.event == VBUS_GUEST_EVT_DEL && added)
			del_after_add = true;
		if (ev.event == VBUS_GUEST_EVT_DEAD && ev.handle < 64)
			dead_seen |= 1ULL << ev.handle;
		if (ev.event == VBUS_GUEST_EVT_OVERFLOW)
			overflow_seen = true;
		if (ev.event == VBUS_GUEST_EVT_DEAD && dead_handle)
			*dead_handle = ev.handle;
		if (ev.event == VBUS_GUEST_EVT_DEL && del_id)
			*del_id = ev.id + 1;
		ioq_complete(&evtq, e.id, e.ndesc, 0);
		n++;
	}
	if (n && ioq_notify(&evtq))
		ring(0);
	ioq_arm(&evtq);
	return n;
}

/* The host has posted at least n (up to the ring's count) events not taken yet: a peek. */
static bool events_posted(uint32_t n)
{
	struct ioq q = evtq;	/* a copy: looking n - 1 slots ahead takes nothing */

	q.next += n - 1;
	return !ioq_consume_empty(&q);
}

static void list(void)
{
	struct vbus_dev_info infos[32];
	uint64_t total;
	int ret, i;

	ret = request(VBUS_GUEST_OP_LIST, 0, 0, 0, infos, 0, sizeof(infos), &total);
	if (ret)
		die("LIST", -ret);
	for (i = 0; i < (int)total && i < 32; i++)
		printf("device %u %.32s\n", infos[i].id, infos[i].type);
}

/* The signal queue of vector v: the entries since the last drain, by handle. */
static unsigned int drain_sigq(unsigned int v)
{
	struct vbus_guest_sigq *sq = (void *)(base + hdr->sigq + v * hdr->sigq_size);
	uint32_t prod = __atomic_load_n(&sq->prod, __ATOMIC_ACQUIRE), cons = sq->cons;
	uint32_t ov = __atomic_load_n(&sq->overflow, __ATOMIC_RELAXED);
	unsigned int n = 0;

	if (prod - cons > sq->count)
		die("signal queue", EPROTO);
	for (; cons != prod; cons++, n++)
		(void)sq->entry[cons & (sq->count - 1)];
	__atomic_store_n(&sq->cons, cons, __ATOMIC_RELEASE);
	sig_entries += n;
	sig_by_vec[v] += n;
	if (ov != sig_overflow)
		sig_overflow = ov;
	return n;
}

/* The guest fd's counters, as /proc shows them: "fdinfo NAME VALUE" lines. */
static void print_fdinfo(void)
{
	char path[64], line[256], name[64];
	long long val;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", guest_fd);
	f = fopen(path, "r");
	if (!f)
		die(path, errno);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "vbus-guest-%63[^:]:%lld", name, &val) == 2)
			printf("fdinfo %s %lld\n", name, val);
	}
	fclose(f);
}

/* errors */

static void report(const char *what, int ret)
{
	printf("%s %s\n", what, errname(ret < 0 ? -ret : 0));
	if (ret >= 0)
		close(ret);
}

static int do_errors(const char *bus)
{
	char path[256];
	int rfd, fd, ro, pipefd[2], bad[VBUS_GUEST_VECTORS_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "/dev/vbus/%s", bus);
	bus_fd = open(path, O_RDWR | O_CLOEXEC);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	if (bus_fd < 0 || ro < 0 || pipe(pipefd) < 0)
		die(path, errno);
	make_fds();
	report("size-not-pow2", guest_ioctl(bus_fd, 3 << 16, 2, 0, 0, bells, irqs, &rfd));
	report("size-small", guest_ioctl(bus_fd, 32 << 10, 2, 0, 0, bells, irqs, &rfd));
	report("size-big", guest_ioctl(bus_fd, 512ULL << 20, 2, 0, 0, bells, irqs, &rfd));
	report("vectors-1", guest_ioctl(bus_fd, 0, 1, 0, 0, bells, irqs, &rfd));
	report("vectors-65", guest_ioctl(bus_fd, 0, 65, 0, 0, bells, irqs, &rfd));
	report("flags", guest_ioctl(bus_fd, 0, 2, 1, 0, bells, irqs, &rfd));
	report("pid-negative", guest_ioctl(bus_fd, 0, 2, 0, -1, bells, irqs, &rfd));
	report("no-room", guest_ioctl(bus_fd, 64 << 10, 64, 0, 0, bells, irqs, &rfd));
	memcpy(bad, bells, sizeof(bad));
	bad[1] = -1;
	report("doorbell-minus1", guest_ioctl(bus_fd, 0, 2, 0, 0, bad, irqs, &rfd));
	bad[1] = 9999;
	report("doorbell-closed", guest_ioctl(bus_fd, 0, 2, 0, 0, bad, irqs, &rfd));
	bad[1] = pipefd[0];
	report("doorbell-pipe", guest_ioctl(bus_fd, 0, 2, 0, 0, bad, irqs, &rfd));
	report("irq-pipe", guest_ioctl(bus_fd, 0, 2, 0, 0, bells, bad, &rfd));
	report("doorbells-fault", guest_ioctl(bus_fd, 0, 2, 0, 0, (int *)8, irqs, &rfd));
	report("read-only", guest_ioctl(ro, 0, 2, 0, 0, bells, irqs, &rfd));
	fd = guest_ioctl(bus_fd, 64 << 10, 3, 0, 0, bells, irqs, &rfd);
	printf("smallest %s\n", errname(fd < 0 ? -fd : 0));
	if (fd < 0)
		return 1;
	if (fstat(rfd, &st) < 0)
		die("fstat", errno);
	printf("region-size %lld\n", (long long)st.st_size);
	printf("truncate %s\n", errname(ftruncate(rfd, 1 << 20) < 0 ? errno : 0));
	report("second", guest_ioctl(bus_fd, 0, 2, 0, 0, bells, irqs, &rfd));
	close(rfd);
	close(fd);
	fd = guest_ioctl(bus_fd, 0, 2, 0, 0, bells, irqs, &rfd);
	printf("after-close %s\n", errname(fd < 0 ? -fd : 0));
	return 0;
}

/* ctl */

static void op(const char *what, uint32_t o, uint32_t handle, uint32_t func, uint64_t arg,
	       uint32_t len, uint32_t size, uint64_t *result)
{
	static uint8_t buf[VBUS_GUEST_DATA_MAX];
	int ret = request(o, handle, func, arg, buf, len, size, result);

	printf("%s %s\n", what, errname(-ret));
}

static int do_ctl(const char *bus, unsigned int id, unsigned int id2)
{
	uint64_t h1 = 0, h2 = 0, r = 0, off = 0;
	struct venet_negcap neg = { .caps = 0 };
	uint32_t dead = 0, del = 0;
	double end;
	int ret;

	vectors = 3;
	attach(bus, 1 << 20);
	reset();
	op("list-small", VBUS_GUEST_OP_LIST, 0, 0, 0, 0, 0, &r);
	printf("list-total %llu\n", (unsigned long long)r);
	op("list-too-big", VBUS_GUEST_OP_LIST, 0, 0, 0, 0, VBUS_GUEST_CTL_BUF, &r);
	op("open-none", VBUS_GUEST_OP_OPEN, 0, 0, 9999, 0, 0, &r);
	op("open", VBUS_GUEST_OP_OPEN, 0, 0, id, 0, 0, &h1);
	printf("handle %llu\n", (unsigned long long)h1);
	op("open-busy", VBUS_GUEST_OP_OPEN, 0, 0, id, 0, 0, &r);
	op("open2", VBUS_GUEST_OP_OPEN, 0, 0, id2, 0, 0, &h2);
	op("open-nospc", VBUS_GUEST_OP_OPEN, 0, 0, id2, 0, 0, &r);
	op("shm-badf", VBUS_GUEST_OP_SHM, 7, 0, 4096, 0, 0, &r);
	op("shm-zero", VBUS_GUEST_OP_SHM, h1, 0, 0, 0, 0, &r);
	op("shm-huge", VBUS_GUEST_OP_SHM, h1, 0, 1ULL << 40, 0, 0, &r);
	op("shm", VBUS_GUEST_OP_SHM, h1, 0, 3 * 4096, 0, 0, &off);
	printf("shm-in-area %d\n", off >= hdr->dev_area && off + 3 * 4096 <= region_size);
	op("shm-busy", VBUS_GUEST_OP_SHM, h1, 0, 4096, 0, 0, &r);
	op("shm-nomem", VBUS_GUEST_OP_SHM, h2, 0, hdr->dev_size, 0, 0, &r);
	op("call-badf", VBUS_GUEST_OP_CALL, 9, VENET_FUNC_CONFIG, 0, 0, 0, &r);
	op("call-len", VBUS_GUEST_OP_CALL, h1, VENET_FUNC_NEGCAP, 0, 8, 4, &r);
	op("call-size", VBUS_GUEST_OP_CALL, h1, VENET_FUNC_CONFIG, 0, 0,
	   VBUS_GUEST_CTL_BUF, &r);
	ret = request(VBUS_GUEST_OP_CALL, h1, VENET_FUNC_NEGCAP, 0, &neg, sizeof(neg),
		      sizeof(neg), &r);
	printf("call %s %llu\n", errname(-ret), (unsigned long long)r);
	op("op-unknown", 99, 0, 0, 0, 0, 0, &r);
	op("close-badf", VBUS_GUEST_OP_CLOSE, 0, 0, 0, 0, 0, &r);
	op("close2", VBUS_GUEST_OP_CLOSE, h2, 0, 0, 0, 0, &r);
	op("close2-again", VBUS_GUEST_OP_CLOSE, h2, 0, 0, 0, 0, &r);

	/* The test unlinks id: DEL, then DEAD for its handle. */
	events(false, NULL, NULL);
	printf("unlink %u\n", id);
	fflush(stdout);
	end = now() + 20;
	while ((!dead || !del) && now() < end) {
		wait_irq(0, 100);
		events(true, &dead, &del);
	}
	printf("dead-handle %u\n", dead);
	op("call-dead", VBUS_GUEST_OP_CALL, h1, VENET_FUNC_CONFIG, 0, 0, 20, &r);
	op("close-dead", VBUS_GUEST_OP_CLOSE, h1, 0, 0, 0, 0, &r);
	/* A request the host cannot answer: not writable. Counted, completed empty. */
	{
		struct ioq_buf b = { .offset = 0, .len = VBUS_GUEST_CTL_BUF };
		void *cookie;
		uint32_t got = 99;

		slot()->op = VBUS_GUEST_OP_LIST;
		ioq_post(&reqq, &b, 1, NULL, 0);
		if (ioq_kick(&reqq))
			ring(0);
		end = now() + 10;
		while (ioq_reap(&reqq, &cookie, &got) == 0 && now() < end)
			usleep(1000);
		printf("unwritable-len %u\n", got);
	}
	/* The ring's RESET: everything closed, generation + 1. */
	{
		uint32_t gen = hdr->generation;
		struct ioq_buf b = { .offset = 0, .len = VBUS_GUEST_CTL_BUF,
				     .flags = IOQ_DESC_F_WRITE };

		memset(slot(), 0, sizeof(struct vbus_guest_req));
		slot()->op = VBUS_GUEST_OP_RESET;
		ioq_post(&reqq, &b, 1, NULL, 0);
		if (ioq_kick(&reqq))
			ring(0);
		end = now() + 10;
		while (hdr->generation == gen && now() < end)
			wait_irq(0, 100);
		printf("reset-generation %u\n", hdr->generation - gen);
		reset();
		op("open-after-reset", VBUS_GUEST_OP_OPEN, 0, 0, id2, 0, 0, &r);
		printf("handle-after-reset %llu\n", (unsigned long long)r);
	}
	return 0;
}

/* stale */

/* A CONFIG call on handle h: 0 or -errno. */
static int config(uint32_t h)
{
	struct venet_config cfg;

	return request(VBUS_GUEST_OP_CALL, h, VENET_FUNC_CONFIG, 0, &cfg, 0, sizeof(cfg), NULL);
}

/* Calls on handle h until the host answers ENODEV (its connection was killed): the errno. */
static const char *wait_dead(uint32_t h, int seconds)
{
	double end = now() + seconds;
	int ret;

	while ((ret = config(h)) != -ENODEV && now() < end)
		usleep(10000);
	return errname(-ret);
}

/* OPEN id: prints "WHAT ERRNO" and "WHAT-handle H"; returns H (0 on an error). */
static uint32_t open_dev(const char *what, uint32_t id)
{
	uint64_t h = 0;
	int ret = request(VBUS_GUEST_OP_OPEN, 0, 0, id, NULL, 0, 0, &h);

	printf("%s %s\n%s-handle %llu\n", what, errname(-ret), what, (unsigned long long)h);
	return ret ? 0 : h;
}

/* Reads events until none came for 2 s (60 s at most). */
static void events_until_quiet(void)
{
	double end = now() + 60, quiet = now() + 2;

	while (now() < end && now() < quiet) {
		wait_irq(0, 100);
		if (events(false, NULL, NULL))
			quiet = now() + 2;
	}
}

/*
 * Handle h's connection killed (DEAD posted, not read), the guest closes h:
 * the next OPEN does not get h; once DEAD(h) was read and completed it does.
 */
static uint32_t stale_closed(unsigned int id, unsigned int id2)
{
	uint32_t h, h2, dead = 0, del = 0;
	double end;

	h = open_dev("stale-open", id);
	printf("unlink %u\n", id);
	fflush(stdout);
	printf("stale-call %s\n", wait_dead(h, 60));
	/* DEAD(h) is the first event the unlink makes: it is on the ring, unread. */
	end = now() + 20;
	while (!events_posted(1) && now() < end)
		wait_irq(0, 100);
	printf("stale-unread %d\n", events_posted(1));
	printf("stale-close %s\n", errname(-request(VBUS_GUEST_OP_CLOSE, h, 0, 0, NULL, 0, 0,
						   NULL)));
	h2 = open_dev("other-open", id2);
	end = now() + 20;
	while ((!dead || !del) && now() < end) {
		wait_irq(0, 100);
		events(true, &dead, &del);
	}
	/* The stale DEAD was the closed connection's: the one at h2 lives. */
	printf("other-call %s\n", errname(-config(h2)));
	printf("other-close %s\n", errname(-request(VBUS_GUEST_OP_CLOSE, h2, 0, 0, NULL, 0, 0,
						   NULL)));
	return open_dev("reopen", id2);
}

/*
 * With the event ring full and the member's queue overflowing, two
 * connections killed: the one the guest keeps gets its DEAD all the same;
 * the one it closes before its DEAD was posted gets none, and its handle
 * is free at once.
 */
static void stale_flood(uint32_t h, unsigned int id3)
{
	struct vbus_dev_info info[32];
	uint32_t h3 = open_dev("third-open", id3);
	uint64_t n = 0;
	double end = now() + 60;
	unsigned int i;
	int ret;

	printf("flood\n");
	fflush(stdout);
	while (!events_posted(hdr->ctl_count) && now() < end)
		wait_irq(0, 100);
	printf("ring-full %d\n", events_posted(hdr->ctl_count));
	fflush(stdout);
	printf("flood-call %s\n", wait_dead(h, 300));
	printf("flood-call3 %s\n", wait_dead(h3, 60));
	printf("pending-close %s\n", errname(-request(VBUS_GUEST_OP_CLOSE, h3, 0, 0, NULL, 0, 0,
						     NULL)));
	ret = request(VBUS_GUEST_OP_LIST, 0, 0, 0, info, 0, sizeof(info), &n);
	printf("pending-list %s %llu\n", errname(-ret), (unsigned long long)n);
	h3 = open_dev("pending-reopen", n ? info[0].id : 0);
	dead_seen = 0;
	events_until_quiet();
	printf("flood-dead-handles");
	for (i = 1; i < vectors; i++) {
		if (dead_seen & 1ULL << i)
			printf(" %u", i);
	}
	printf("\nflood-overflow %d\n", overflow_seen);
	printf("pending-call %s\n", errname(-config(h3)));
}

static int do_stale(const char *bus, unsigned int id, unsigned int id2, unsigned int id3)
{
	vectors = 3;
	attach(bus, 1 << 20);
	reset();
	events(false, NULL, NULL);
	stale_flood(stale_closed(id, id2), id3);
	return 0;
}

/* run: a venet client through the region */

struct venet {
	uint32_t h;
	uint8_t *shm;
	struct ioq rxq, txq;
	uint8_t *rx_area, *tx_area;
};

static void vcall(struct venet *v, uint32_t func, void *buf, uint32_t len, uint32_t size,
		  const char *what)
{
	int ret = request(VBUS_GUEST_OP_CALL, v->h, func, 0, buf, len, size, NULL);

	if (ret < 0)
		die(what, -ret);
}

static void kick(struct venet *v, unsigned int queue)
{
	__atomic_fetch_or(&hdr->kick[v->h], 1ULL << queue, __ATOMIC_SEQ_CST);
	ring(v->h);
}

static void venet_setup(struct venet *v, unsigned int id)
{
	struct venet_negcap neg = { .caps = VENET_CAP_RXWAIT };
	struct venet_config cfg;
	uint64_t r, ring_sz = (IOQ_RING_SIZE(RING) + 4095) & ~4095ULL;
	uint64_t area = RING * SEG;
	struct venet_qreg q = { .count = RING };
	unsigned int i;
	int ret;

	ret = request(VBUS_GUEST_OP_OPEN, 0, 0, id, NULL, 0, 0, &r);
	if (ret)
		die("OPEN", -ret);
	v->h = r;
	ret = request(VBUS_GUEST_OP_SHM, v->h, 0, 2 * ring_sz + 2 * area, NULL, 0, 0, &r);
	if (ret)
		die("SHM", -ret);
	v->shm = base + r;
	vcall(v, VENET_FUNC_NEGCAP, &neg, sizeof(neg), sizeof(neg), "NEGCAP");
	vcall(v, VENET_FUNC_CONFIG, &cfg, 0, sizeof(cfg), "CONFIG");
	v->rx_area = v->shm + 2 * ring_sz;
	v->tx_area = v->rx_area + area;
	q.queue = VENET_QUEUE_RX;
	q.ring = 0;
	q.area = 2 * ring_sz;
	q.area_len = area;
	vcall(v, VENET_FUNC_QREG, &q, sizeof(q), sizeof(q), "QREG rx");
	q.queue = VENET_QUEUE_TX;
	q.ring = ring_sz;
	q.area = 2 * ring_sz + area;
	vcall(v, VENET_FUNC_QREG, &q, sizeof(q), sizeof(q), "QREG tx");
	if (ioq_init(&v->rxq, IOQ_PRODUCER, v->shm, IOQ_RING_SIZE(RING), v->rx_area, area) ||
	    ioq_init(&v->txq, IOQ_PRODUCER, v->shm + ring_sz, IOQ_RING_SIZE(RING), v->tx_area,
		     area))
		die("venet rings", EPROTO);
	for (i = 0; i < RING; i++) {
		struct ioq_buf b = { .offset = i * SEG, .len = SEG, .flags = IOQ_DESC_F_WRITE };

		if (ioq_post(&v->rxq, &b, 1, (void *)(uintptr_t)(i + 1), IOQ_POST_HOLD))
			die("post rx", EPROTO);
	}
	ioq_publish(&v->rxq);
	vcall(v, VENET_FUNC_LINKUP, NULL, 0, 0, "LINKUP");
	printf("open %u handle %u mtu %u\n", id, v->h, cfg.mtu);
}

/* Frame n: broadcast, EtherType 0x88b5, numbered as venet-count numbers them. */
static void frame(uint8_t *f, unsigned long n)
{
	memset(f, 0xff, 6);
	memset(f + 6, 0, FRAME - 6);
	f[6] = 0x02;
	f[12] = 0x88;
	f[13] = 0xb5;
	memcpy(f + 14, &n, sizeof(n));
}

static unsigned long venet_tx(struct venet *v, unsigned long count)
{
	unsigned long sent = 0, done = 0;
	double end = now() + 60;
	void *cookie;
	uint32_t len;

	while (done < count && now() < end) {
		bool posted = false;

		while (ioq_reap(&v->txq, &cookie, &len) > 0)
			done++;
		while (sent < count && ioq_free_slots(&v->txq)) {
			unsigned int s = sent % RING;
			struct ioq_buf b = { .offset = s * SEG, .len = FRAME };

			frame(v->tx_area + s * SEG, sent);
			if (ioq_post(&v->txq, &b, 1, NULL, IOQ_POST_HOLD))
				die("post tx", EPROTO);
			sent++;
			posted = true;
		}
		if (posted && ioq_kick(&v->txq))
			kick(v, VENET_QUEUE_TX);
		/* Out of room, or all sent: sleep until the host completes some. */
		if (done < count && (sent == count || !ioq_free_slots(&v->txq)) &&
		    ioq_arm_reap(&v->txq, 1))
			wait_irq(0, 100);
	}
	return done;
}

static unsigned long venet_rx(struct venet *v, unsigned long count, int idle_ms)
{
	unsigned long got = 0;
	double last = now() + 60 - idle_ms / 1000.0;	/* the first frame: 60 s */
	void *cookie;
	uint32_t len;

	while (got < count && (now() - last) * 1000 < idle_ms) {
		bool reposted = false;

		while (ioq_reap(&v->rxq, &cookie, &len) > 0) {
			unsigned int b = (uintptr_t)cookie - 1;
			struct ioq_buf buf = { .offset = b * SEG, .len = SEG,
					       .flags = IOQ_DESC_F_WRITE };

			if (len >= 14)
				got++;
			last = now();
			ioq_post(&v->rxq, &buf, 1, cookie, IOQ_POST_HOLD);
			reposted = true;
		}
		/* RXWAIT: a host waiting for buffers asked for this kick. */
		if (reposted && ioq_kick(&v->rxq))
			kick(v, VENET_QUEUE_RX);
		if (got < count && ioq_arm(&v->rxq))
			wait_irq(0, 100);
	}
	return got;
}

static int do_run(const char *bus, unsigned int id, unsigned long tx, unsigned long rx,
		  int idle_ms, unsigned int nvec)
{
	struct venet v = { 0 };
	unsigned long n;
	unsigned int i;

	if (nvec < 2 || nvec > VBUS_GUEST_VECTORS_MAX)
		die("vectors", EINVAL);
	vectors = nvec;
	attach(bus, 0);
	reset();
	list();
	venet_setup(&v, id);
	n = venet_tx(&v, tx);
	printf("tx %lu\n", n);
	printf("rx ready\n");
	fflush(stdout);
	n = venet_rx(&v, rx, idle_ms);
	for (i = 0; i < vectors; i++)
		drain_sigq(i);
	printf("rx %lu\n", n);
	for (i = 0; i < vectors; i++)
		printf("sigq %u %lu\n", i, sig_by_vec[i]);
	events(true, NULL, NULL);
	printf("signals %lu irqs %lu overflow %lu\n", sig_entries, irq_count, sig_overflow);
	printf("generation %u\n", hdr->generation);
	print_fdinfo();
	return 0;
}

static int do_events(const char *bus, int seconds)
{
	double end = now() + seconds;

	attach(bus, 0);
	reset();
	list();
	printf("listening\n");
	fflush(stdout);
	while (!del_after_add && now() < end) {
		wait_irq(0, 100);
		events(true, NULL, NULL);
	}
	return 0;
}

/* hostile */

static atomic_bool stop;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random bytes anywhere in the region: header, rings, slots, queues, areas. */
static void *scribbler(void *arg)
{
	uint64_t s = (uintptr_t)arg | 1;

	while (!atomic_load(&stop)) {
		size_t off = rnd(&s) % region_size;

		base[off] = rnd(&s);
	}
	return NULL;
}

static atomic_ulong doorbells;

/* Every doorbell, as fast as write() goes, with every kick bit set. */
static void *storm(void *arg)
{
	unsigned long n = (uintptr_t)arg, rung = 0;

	while (!atomic_load(&stop)) {
		unsigned int v = n++ % vectors;

		__atomic_store_n(&hdr->kick[v], ~0ULL, __ATOMIC_RELAXED);
		ring(v);
		rung++;
	}
	atomic_fetch_add(&doorbells, rung);
	return NULL;
}

static int do_hostile(const char *bus, unsigned int id, int seconds)
{
	pthread_t t[5];
	struct venet v = { 0 };
	unsigned long lies = 0, answered = 0;
	double end;
	int i;

	vectors = 16;
	attach(bus, 4 << 20);
	reset();
	venet_setup(&v, id);
	/* Requests that lie: lengths past the slot, handles out of range. */
	for (i = 0; i < 2000; i++) {
		struct vbus_guest_req *r = slot();
		/* 0 and 104 are 8-byte aligned, 100 is not (refused unread). */
		struct ioq_buf b = { .offset = i % 3 == 2 ? 100 : i % 3 * 104,
				     .len = VBUS_GUEST_CTL_BUF, .flags = IOQ_DESC_F_WRITE };
		void *cookie;
		uint32_t got;
		double e2 = now() + 5;
		int ret;

		r = (void *)((uint8_t *)r + b.offset);
		memset(r, 0, sizeof(*r));
		r->op = 1 + i % 7;
		if (r->op == VBUS_GUEST_OP_RESET)
			r->op = VBUS_GUEST_OP_CALL;
		r->handle = i % 2 ? 0xffffffff : v.h;
		r->len = i % 5 ? 0xfffffff0 : VBUS_GUEST_DATA_MAX + 1;
		r->size = i % 4 ? 0x7fffffff : 16;
		r->arg = ~0ULL;
		if (i % 2 == 0 && r->op == VBUS_GUEST_OP_CLOSE)
			r->handle = 0xffff;
		if (ioq_post(&reqq, &b, 1, NULL, 0))
			break;
		if (ioq_kick(&reqq))
			ring(0);
		while ((ret = ioq_reap(&reqq, &cookie, &got)) == 0 && now() < e2)
			usleep(100);
		lies++;
		answered += ret > 0;
	}
	printf("lies %lu answered %lu\n", lies, answered);
	/* A guest that never drains its signal queue: each completion signals. */
	for (i = 0; i < 3000; i++) {
		struct ioq_buf b = { .offset = 0, .len = FRAME };
		void *cookie;
		uint32_t len;
		double e2 = now() + 5;

		frame(v.tx_area, i);
		if (ioq_post(&v.txq, &b, 1, NULL, 0))
			die("post tx", EPROTO);
		/* Armed before the kick: the host signals this completion. */
		ioq_arm(&v.txq);
		if (ioq_kick(&v.txq))
			kick(&v, VENET_QUEUE_TX);
		while (ioq_reap(&v.txq, &cookie, &len) == 0 && now() < e2)
			if (ioq_arm_reap(&v.txq, 1))
				usleep(100);
	}
	print_fdinfo();
	/* Traffic while five threads do their worst; the signal queue is never drained. */
	printf("chaos\n");
	fflush(stdout);
	pthread_create(&t[0], NULL, scribbler, (void *)1);
	pthread_create(&t[1], NULL, scribbler, (void *)2);
	for (i = 2; i < 5; i++)
		pthread_create(&t[i], NULL, storm, (void *)(uintptr_t)(i * 5));
	end = now() + seconds;
	while (now() < end) {
		struct ioq_buf b = { .offset = 0, .len = FRAME };

		ioq_post(&v.txq, &b, 1, NULL, 0);
		kick(&v, VENET_QUEUE_TX);
		usleep(100);
	}
	atomic_store(&stop, true);
	for (i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
	printf("doorbells %lu\n", atomic_load(&doorbells));
	/* A reset through the header still brings the region back. */
	memset(base + 4096, 0xa5, hdr->dev_area > 4096 ? 4096 : 0);
	reset();
	list();
	printf("generation %u\n", hdr->generation);
	print_fdinfo();
	return 0;
}

/* churn: guests come and go, each leaving with a device open and kicked. */
static int do_churn(const char *bus, unsigned int id, unsigned long n)
{
	unsigned long i;
	uint64_t h;
	int ret;

	vectors = 2;
	for (i = 0; i < n; i++) {
		attach(bus, 64 << 10);
		reset();
		ret = request(VBUS_GUEST_OP_OPEN, 0, 0, id, NULL, 0, 0, &h);
		if (ret)
			die("OPEN", -ret);
		if (i % 2)
			request(VBUS_GUEST_OP_SHM, h, 0, 8192, NULL, 0, 0, NULL);
		__atomic_store_n(&hdr->kick[h], ~0ULL, __ATOMIC_RELAXED);
		ring(h);
		__atomic_store_n(&hdr->reset, 1, __ATOMIC_RELAXED);
		ring(0);
		munmap(base, region_size);
		close(guest_fd);
		for (unsigned int v = 0; v < VBUS_GUEST_VECTORS_MAX; v++) {
			close(bells[v]);
			close(irqs[v]);
		}
	}
	printf("churn %lu\n", i);
	return 0;
}

/* kickcall: each doorbell's interrupt comes, though raised inside the doorbell's wake-up. */
static int do_kickcall(const char *bus, unsigned int id, unsigned long n)
{
	struct venet v = { 0 };
	unsigned long i;
	void *cookie;
	uint32_t len;

	attach(bus, 0);
	reset();
	list();
	venet_setup(&v, id);
	for (i = 0; i < n; i++) {
		struct ioq_buf b = { .offset = 0, .len = FRAME };
		unsigned long irqs_before = irq_count;
		bool done = false;
		double end = now() + 5;

		frame(v.tx_area, i);
		if (ioq_post(&v.txq, &b, 1, NULL, 0))
			die("post tx", EPROTO);
		/* Ask for the completion's interrupt before the doorbell. */
		ioq_arm_reap(&v.txq, 1);
		kick(&v, VENET_QUEUE_TX);
		/* An interrupt on any vector (the device's is its priority's). */
		while (!done && now() < end) {
			wait_irq(0, 1000);
			done = irq_count > irqs_before && ioq_reap(&v.txq, &cookie, &len) > 0;
		}
		if (!done) {
			fprintf(stderr, "Error: no interrupt for doorbell %lu of %lu\n", i + 1, n);
			return 1;
		}
	}
	printf("kickcall %lu\n", i);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: guest-peer BUS "
			"errors|ctl|run|events|stale|hostile|churn|kickcall ...\n");
		return 2;
	}
	if (!strcmp(argv[2], "errors"))
		return do_errors(argv[1]);
	if (!strcmp(argv[2], "ctl") && argc == 5)
		return do_ctl(argv[1], atoi(argv[3]), atoi(argv[4]));
	if (!strcmp(argv[2], "run") && (argc == 7 || argc == 8))
		return do_run(argv[1], atoi(argv[3]), strtoul(argv[4], NULL, 0),
			      strtoul(argv[5], NULL, 0), atoi(argv[6]),
			      argc == 8 ? atoi(argv[7]) : 2);
	if (!strcmp(argv[2], "events") && argc == 4)
		return do_events(argv[1], atoi(argv[3]));
	if (!strcmp(argv[2], "stale") && argc == 6)
		return do_stale(argv[1], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (!strcmp(argv[2], "hostile") && argc == 5)
		return do_hostile(argv[1], atoi(argv[3]), atoi(argv[4]));
	if (!strcmp(argv[2], "churn") && argc == 5)
		return do_churn(argv[1], atoi(argv[3]), strtoul(argv[4], NULL, 0));
	if (!strcmp(argv[2], "kickcall") && argc == 5)
		return do_kickcall(argv[1], atoi(argv[3]), strtoul(argv[4], NULL, 0));
	fprintf(stderr, "Error: bad arguments\n");
	return 2;
}
