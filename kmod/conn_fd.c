// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: the userspace connector's device fd (doc/abi/chardev.md). A
 * member opens a device through its bus fd (VBUS_IOC_OPEN, chardev.c) and
 * gets an anonymous fd whose struct vbus_fd_conn embeds the connection
 * (conn.c). Removing the bus or unlinking the device turns the fd dead: it
 * answers ENODEV and poll reports EPOLLHUP.
 *
 * Memory: the kernel allocates one zeroed area per connection with
 * vmalloc, charged to the caller, and the client maps it; device classes
 * address rings and buffers in it by offset and use the kernel's own
 * mapping, from any context. The area lives until the file is released,
 * which cannot happen while a mapping holds the file.
 *
 * Signals: per queue a kick eventfd (client to device; the class's kick
 * callback runs from the eventfd's wake-up, as KVM's irqfd and vhost's poll
 * do) and a call eventfd (device to client). The kick hooks are removed
 * when the connection dies (the kill operation), before the class's
 * disconnect callback runs, so no kick follows it. A kick by ioctl
 * (VBUS_IOC_KICK) reaches the class's kick_sync callback instead, in the
 * client's own thread, under the connection's lock.
 *
 * A registration is set once: each fd is resolved once and the queue is
 * published only when complete; the data path reads the call eventfd under
 * RCU, and release retires it after a grace period (doc/security.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "vbus_internal.h"

/*
 * The eventfds of one queue of a connection (VBUS_IOC_SIGNAL). Set once,
 * under the connection's lock, and published complete (set last); freed at
 * release. The data path reads call under RCU.
 */
struct vbus_fd_queue {
	struct vbus_fd_conn *fc;
	u32 index;
	bool set;			/* VBUS_IOC_SIGNAL done */
	struct file *kick_file;		/* NULL: none; holds the file the wait entry is on */
	struct eventfd_ctx *kick;	/* kick_file's */
	struct eventfd_ctx __rcu *call;	/* NULL: none */
	wait_queue_entry_t wait;	/* on kick_file's wait queue */
	poll_table pt;
};

/* One device fd: the file's private data. */
struct vbus_fd_conn {
	struct vbus_conn conn;
	struct user_struct *shm_user;	/* charged conn.shm_len (RLIMIT_MEMLOCK); NULL: none */
	struct vbus_fd_queue queues[VBUS_QUEUES_MAX];
	atomic_t pending;		/* queues signalled without a call eventfd */
	wait_queue_head_t wq;
	struct vbus_signals calls;	/* by queue: the call eventfds */
};

static struct vbus_fd_conn *to_fd_conn(struct vbus_conn *conn)
{
	return container_of(conn, struct vbus_fd_conn, conn);
}

/*
 * Shared memory is the caller's: its pages are charged to the caller's memory
 * cgroup (__GFP_ACCOUNT) and, unless it has CAP_IPC_LOCK, counted against
 * its RLIMIT_MEMLOCK in its user's locked_vm, as io_uring does: ENOMEM when
 * over (doc/abi/chardev.md).
 */
int vbus_shm_account(struct user_struct *user, unsigned long pages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	unsigned long cur = atomic_long_read(&user->locked_vm);

	do {
		if (pages > limit || cur > limit - pages)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, cur + pages));
	return 0;
}

static void vbus_shm_unaccount(struct user_struct *user, unsigned long pages)
{
	if (!user)
		return;
	atomic_long_sub(pages, &user->locked_vm);
	free_uid(user);
}

static long vbus_fd_shm_ioctl(struct vbus_fd_conn *fc, void __user *argp)
{
	struct user_struct *user = NULL;
	struct vbus_shm req;
	size_t size;
	void *shm;
	long ret = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.reserved || !req.size || req.size > VBUS_SHM_MAX) {
		pr_err_ratelimited("shm: invalid size %llu\n", req.size);
		return -EINVAL;
	}
	size = PAGE_ALIGN(req.size);
	if (!capable(CAP_IPC_LOCK)) {
		user = get_uid(current_user());
		ret = vbus_shm_account(user, size >> PAGE_SHIFT);
		if (ret) {
			free_uid(user);
			return ret;
		}
	}
	/*
	 * Page-aligned; mapped page by page (vbus_fd_mmap). Sized by the
	 * caller, whose ENOMEM a failure is: no allocation-failure warning.
	 */
	shm = __vmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN);
	if (!shm) {
		vbus_shm_unaccount(user, size >> PAGE_SHIFT);
		return -ENOMEM;
	}
	mutex_lock(&fc->conn.lock);
	ret = vbus_conn_set_shm_locked(&fc->conn, shm, size);
	if (!ret)
		fc->shm_user = user;
	mutex_unlock(&fc->conn.lock);
	if (ret) {
		vfree(shm);
		vbus_shm_unaccount(user, size >> PAGE_SHIFT);
	}
	return ret;
}

/*
 * What remap_vmalloc_range() does, for memory that vmalloc_user() could not
 * charge to the caller's cgroup.
 */
static int vbus_shm_map(struct vm_area_struct *vma, void *shm)
{
	unsigned long addr;
	int ret;

	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE, shm += PAGE_SIZE) {
		ret = vm_insert_page(vma, addr, vmalloc_to_page(shm));
		if (ret)
			return ret;
	}
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	return 0;
}

/*
 * Without conn->lock: mmap_lock is held here, and conn->lock is held across
 * class calls, which take locks held while user memory faults (lockdep saw
 * conn->lock -> venet's vd->lock -> rtnl_mutex -> mmap_lock). The area is
 * set once, its length first, and freed only at release, which a mapping
 * in progress holds off.
 */
static int vbus_fd_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vbus_conn *conn = file->private_data;
	/* Pairs with vbus_conn_set_shm_locked(). */
	void *shm = smp_load_acquire(&conn->shm);

	if (!shm)
		return -ENXIO;
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start > conn->shm_len)
		return -EINVAL;
	return vbus_shm_map(vma, shm);
}

/* VBUS_IOC_KICK: in the caller's context, under the connection's lock. */
static long vbus_fd_kick_ioctl(struct vbus_conn *conn, unsigned long queue)
{
	if (queue >= VBUS_QUEUES_MAX) {
		pr_err_ratelimited("kick: invalid queue %lu\n", queue);
		return -EINVAL;
	}
	return vbus_conn_kick_sync(conn, queue);
}

/* Runs under the kick eventfd's wait-queue lock, in any context. */
static int vbus_kick_wake(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct vbus_fd_queue *q = container_of(wait, struct vbus_fd_queue, wait);
	u64 cnt;

	if (!(key_to_poll(key) & EPOLLIN))
		return 0;
	/* Consume the count so that the eventfd never fills (as irqfd does). */
	eventfd_ctx_do_read(q->kick, &cnt);
	vbus_conn_kick(&q->fc->conn, q->index);
	return 0;
}

static void vbus_kick_queue_proc(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct vbus_fd_queue *q = container_of(pt, struct vbus_fd_queue, pt);

	add_wait_queue(wqh, &q->wait);
}

/*
 * Each fd is resolved exactly once, and everything (the eventfd context, the
 * file whose wait queue the kick entry joins) comes from that one struct
 * file: a second lookup of the same number could find another file that a
 * racing dup2() put there. The kick file is held as long as the wait entry
 * is on it, as vhost does.
 */
int vbus_signal_get(s32 fd, struct file **ret_file, struct eventfd_ctx **ret_ctx)
{
	struct eventfd_ctx *ctx;
	struct fd f;

	if (fd == -1)
		return 0;
	f = fdget(fd);
	if (!f.file)
		return -EBADF;
	ctx = eventfd_ctx_fileget(f.file);
	if (IS_ERR(ctx)) {
		fdput(f);
		return PTR_ERR(ctx);
	}
	if (ret_file)
		*ret_file = get_file(f.file);
	fdput(f);
	*ret_ctx = ctx;
	return 0;
}

/*
 * The signals raised inside an eventfd's wake-up (a kick or doorbell whose
 * class answers at once: that eventfd's write is still on the stack), sent
 * on a high-priority worker moments later.
 */
static void vbus_signals_work(struct work_struct *work)
{
	struct vbus_signals *s = container_of(work, struct vbus_signals, work);
	struct eventfd_ctx *ctx;
	unsigned int i;

	rcu_read_lock();
	for_each_set_bit(i, s->pending, VBUS_SIGNALS_MAX) {
		if (!test_and_clear_bit(i, s->pending))
			continue;
		ctx = s->get(s, i);
		if (ctx)
			eventfd_signal(ctx, 1);
	}
	rcu_read_unlock();
}

void vbus_signals_init(struct vbus_signals *s,
		       struct eventfd_ctx *(*get)(struct vbus_signals *s, unsigned int index))
{
	bitmap_zero(s->pending, VBUS_SIGNALS_MAX);
	INIT_WORK(&s->work, vbus_signals_work);
	s->get = get;
}

void vbus_signals_raise(struct vbus_signals *s, unsigned int index, struct eventfd_ctx *ctx)
{
	if (eventfd_signal_allowed()) {
		eventfd_signal(ctx, 1);
		return;
	}
	set_bit(index, s->pending);
	queue_work(system_highpri_wq, &s->work);
}

void vbus_signals_cancel(struct vbus_signals *s)
{
	cancel_work_sync(&s->work);
}

/* Caller holds the connection's lock; q is not set. */
static int vbus_signal_set_locked(struct vbus_fd_conn *fc, struct vbus_fd_queue *q,
				  const struct vbus_signal *req)
{
	struct eventfd_ctx *call = NULL, *kick = NULL;
	struct file *kick_file = NULL;
	int ret;

	ret = vbus_signal_get(req->call, NULL, &call);
	if (ret)
		return ret;
	ret = vbus_signal_get(req->kick, &kick_file, &kick);
	if (ret) {
		if (call)
			eventfd_ctx_put(call);
		return ret;
	}

	/* Complete before it is published: nothing below can fail. */
	q->fc = fc;
	rcu_assign_pointer(q->call, call);
	if (kick) {
		q->kick = kick;
		q->kick_file = kick_file;
		init_waitqueue_func_entry(&q->wait, vbus_kick_wake);
		init_poll_funcptr(&q->pt, vbus_kick_queue_proc);
		vfs_poll(kick_file, &q->pt);
	}
	/* Pairs with vbus_fd_has_signal(): set means complete. */
	smp_store_release(&q->set, true);
	return 0;
}

static long vbus_fd_signal_ioctl(struct vbus_fd_conn *fc, void __user *argp)
{
	struct vbus_signal req;
	struct vbus_fd_queue *q;
	long ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.queue >= VBUS_QUEUES_MAX) {
		pr_err_ratelimited("signal: invalid queue %u or flags %#x\n", req.queue, req.flags);
		return -EINVAL;
	}
	mutex_lock(&fc->conn.lock);
	q = &fc->queues[req.queue];
	q->index = req.queue;
	if (fc->conn.dead)
		ret = -ENODEV;
	else if (q->set)
		ret = -EBUSY;
	else
		ret = vbus_signal_set_locked(fc, q, &req);
	mutex_unlock(&fc->conn.lock);
	return ret;
}

static long vbus_fd_call_ioctl(struct vbus_conn *conn, void __user *argp)
{
	struct vbus_call req;
	void *buf;
	long ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.len > req.size || req.size > VBUS_CALL_MAX) {
		pr_err_ratelimited("call: invalid flags %#x, len %u or size %u\n",
				   req.flags, req.len, req.size);
		return -EINVAL;
	}
	buf = kvzalloc(req.size ?: 1, GFP_KERNEL | __GFP_NOWARN);	/* the caller's size */
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(buf, u64_to_user_ptr(req.data), req.len)) {
		ret = -EFAULT;
		goto out_free;
	}
	ret = vbus_conn_call(conn, req.func, buf, req.len, req.size);
	if (ret > 0 && copy_to_user(u64_to_user_ptr(req.data), buf, ret))
		ret = -EFAULT;
out_free:
	kvfree(buf);
	return ret;
}

/* The connector's operations (struct vbus_conn_ops) */

/* No kick reaches the class after this; pollers see EPOLLHUP. Under conn->lock. */
static void vbus_fd_kill(struct vbus_conn *conn)
{
	struct vbus_fd_conn *fc = to_fd_conn(conn);
	unsigned int i;
	u64 cnt;

	for (i = 0; i < VBUS_QUEUES_MAX; i++) {
		struct vbus_fd_queue *q = &fc->queues[i];

		if (q->kick)
			eventfd_ctx_remove_wait_queue(q->kick, &q->wait, &cnt);
	}
	wake_up_interruptible_poll(&fc->wq, EPOLLHUP);
}

static bool vbus_fd_has_signal(struct vbus_conn *conn, u32 queue)
{
	/* Pairs with vbus_signal_set_locked(). */
	return smp_load_acquire(&to_fd_conn(conn)->queues[queue].set);
}

static struct eventfd_ctx *vbus_fd_call(struct vbus_signals *s, unsigned int queue)
{
	struct vbus_fd_conn *fc = container_of(s, struct vbus_fd_conn, calls);

	return rcu_dereference(fc->queues[queue].call);
}

/*
 * The call eventfd, else the fd becomes readable. Any context, a kick's
 * wake-up among them (vbus_signals_raise() defers there). A deferred signal
 * is queued inside the RCU section, so release's grace period covers it.
 */
static void vbus_fd_signal(struct vbus_conn *conn, u32 queue)
{
	struct vbus_fd_conn *fc = to_fd_conn(conn);
	struct eventfd_ctx *call;

	rcu_read_lock();
	call = rcu_dereference(fc->queues[queue].call);
	if (call)
		vbus_signals_raise(&fc->calls, queue, call);
	rcu_read_unlock();
	if (!call) {
		atomic_or(BIT(queue), &fc->pending);
		wake_up_interruptible_poll(&fc->wq, EPOLLIN | EPOLLRDNORM);
	}
}

/*
 * The file is released and the class disconnected: nothing uses the memory
 * or the kick eventfds any more. A data path still inside vbus_fd_signal()
 * finishes with the call eventfd before it is put; one arriving later finds
 * none.
 */
static void vbus_fd_release(struct vbus_conn *conn)
{
	struct vbus_fd_conn *fc = to_fd_conn(conn);
	struct eventfd_ctx *call[VBUS_QUEUES_MAX];
	bool any = false;
	unsigned int i;

	for (i = 0; i < VBUS_QUEUES_MAX; i++) {
		call[i] = rcu_replace_pointer(fc->queues[i].call, NULL, true);
		any |= !!call[i];
	}
	if (any)
		synchronize_rcu();
	/* Queued, if at all, before the grace period ended: finds no call left. */
	vbus_signals_cancel(&fc->calls);
	for (i = 0; i < VBUS_QUEUES_MAX; i++) {
		struct vbus_fd_queue *q = &fc->queues[i];

		if (q->kick) {
			eventfd_ctx_put(q->kick);
			fput(q->kick_file);
		}
		if (call[i])
			eventfd_ctx_put(call[i]);
	}
	vfree(conn->shm);
	vbus_shm_unaccount(fc->shm_user, conn->shm_len >> PAGE_SHIFT);
	kfree(fc);
}

static const struct vbus_conn_ops vbus_fd_conn_ops = {
	.kill		= vbus_fd_kill,
	.has_signal	= vbus_fd_has_signal,
	.signal		= vbus_fd_signal,
	.release	= vbus_fd_release,
};

/* The file */

static int vbus_fd_file_release(struct inode *inode, struct file *file)
{
	vbus_conn_close(file->private_data);
	return 0;
}

static long vbus_fd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vbus_conn *conn = file->private_data;

	switch (cmd) {
	case VBUS_IOC_CALL:
		return vbus_fd_call_ioctl(conn, (void __user *)arg);
	case VBUS_IOC_SHM:
		return vbus_fd_shm_ioctl(to_fd_conn(conn), (void __user *)arg);
	case VBUS_IOC_SIGNAL:
		return vbus_fd_signal_ioctl(to_fd_conn(conn), (void __user *)arg);
	case VBUS_IOC_KICK:
		return vbus_fd_kick_ioctl(conn, arg);
	default:
		return -ENOTTY;
	}
}

static __poll_t vbus_fd_poll(struct file *file, poll_table *wait)
{
	struct vbus_fd_conn *fc = to_fd_conn(file->private_data);
	__poll_t mask = READ_ONCE(fc->conn.dead) ? EPOLLHUP : 0;

	poll_wait(file, &fc->wq, wait);
	if (atomic_read(&fc->pending))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

/* read(): the mask of queues signalled without a call eventfd. */
static ssize_t vbus_fd_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct vbus_fd_conn *fc = to_fd_conn(file->private_data);
	u64 mask;

	if (len < sizeof(mask))
		return -EINVAL;
	mask = atomic_xchg(&fc->pending, 0);
	if (!mask)
		return READ_ONCE(fc->conn.dead) ? -ENODEV : -EAGAIN;
	if (copy_to_user(buf, &mask, sizeof(mask)))
		return -EFAULT;
	return sizeof(mask);
}

static const struct file_operations vbus_fd_fops = {
	.owner		= THIS_MODULE,
	.release	= vbus_fd_file_release,
	.unlocked_ioctl	= vbus_fd_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.poll		= vbus_fd_poll,
	.read		= vbus_fd_read,
	.mmap		= vbus_fd_mmap,
	.llseek		= noop_llseek,
};

/* VBUS_IOC_OPEN on a bus fd of member @m: a new device fd, or a negative errno. */
long vbus_fd_conn_open(struct vbus_member *m, void __user *argp)
{
	struct vbus_fd_conn *fc;
	struct vbus_open req;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags) {
		pr_err_ratelimited("open: invalid flags %#x\n", req.flags);
		return -EINVAL;
	}
	fc = kzalloc(sizeof(*fc), GFP_KERNEL);
	if (!fc)
		return -ENOMEM;
	vbus_conn_init(&fc->conn, &vbus_fd_conn_ops);
	init_waitqueue_head(&fc->wq);
	BUILD_BUG_ON(VBUS_QUEUES_MAX > VBUS_SIGNALS_MAX);
	vbus_signals_init(&fc->calls, vbus_fd_call);
	ret = vbus_conn_connect(&fc->conn, m, req.id);
	if (ret) {
		kfree(fc);
		return ret;
	}

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		vbus_conn_close(&fc->conn);
		return fd;
	}
	file = anon_inode_getfile("[vbus-device]", &vbus_fd_fops, &fc->conn, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		vbus_conn_close(&fc->conn);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}
