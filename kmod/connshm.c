// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: shared memory and signals of a device fd (the userspace
 * connector, part 2; doc/abi/chardev.md).
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
 * before the class's disconnect callback runs, so no kick follows it. A kick
 * by ioctl (VBUS_IOC_KICK) reaches the class's kick_sync callback instead,
 * in the client's own thread, under the connection's lock.
 *
 * A registration is set once: each fd is resolved once and the queue is
 * published only when complete; the data path reads the call eventfd under
 * RCU, and release retires it after a grace period (doc/security.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "vbus_internal.h"

/*
 * Shared memory is the caller's: its pages are charged to the caller's memory
 * cgroup (__GFP_ACCOUNT) and, unless it has CAP_IPC_LOCK, counted against
 * its RLIMIT_MEMLOCK in its user's locked_vm, as io_uring does: ENOMEM when
 * over (doc/abi/chardev.md).
 */
static int vbus_shm_account(struct user_struct *user, unsigned long pages)
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

long vbus_conn_shm_ioctl(struct vbus_conn *conn, void __user *argp)
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
	/* Page-aligned; mapped page by page (vbus_conn_mmap). */
	shm = __vmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!shm) {
		vbus_shm_unaccount(user, size >> PAGE_SHIFT);
		return -ENOMEM;
	}

	mutex_lock(&conn->lock);
	if (conn->dead) {
		ret = -ENODEV;
	} else if (conn->shm) {
		ret = -EBUSY;
	} else {
		conn->shm = shm;
		conn->shm_len = size;
		conn->shm_user = user;
		shm = NULL;
	}
	mutex_unlock(&conn->lock);
	if (shm) {
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

int vbus_conn_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vbus_conn *conn = file->private_data;
	int ret;

	mutex_lock(&conn->lock);
	if (!conn->shm)
		ret = -ENXIO;
	else if (vma->vm_pgoff || vma->vm_end - vma->vm_start > conn->shm_len)
		ret = -EINVAL;
	else
		ret = vbus_shm_map(vma, conn->shm);
	mutex_unlock(&conn->lock);
	return ret;
}

/*
 * A kick of queue reached the device: count it and hand it to the class,
 * to kick_sync when the client's own thread may do the work (sync), else
 * to kick.
 */
static void vbus_conn_kicked(struct vbus_conn *conn, u32 queue, bool sync)
{
	const struct vbus_class *class = conn->link->dev->class;

	atomic64_inc(&conn->member->stats.notify);
	atomic64_inc(&conn->member->stats.qnotify);
	if (sync && class->kick_sync)
		class->kick_sync(conn->link->dev, conn, queue);
	else if (class->kick)
		class->kick(conn->link->dev, conn, queue);
}

/* VBUS_IOC_KICK: in the caller's context, under the connection's lock. */
long vbus_conn_kick_ioctl(struct vbus_conn *conn, unsigned long queue)
{
	long ret = 0;

	if (queue >= VBUS_QUEUES_MAX) {
		pr_err_ratelimited("kick: invalid queue %lu\n", queue);
		return -EINVAL;
	}
	mutex_lock(&conn->lock);
	if (conn->dead)
		ret = -ENODEV;
	else
		vbus_conn_kicked(conn, queue, true);
	mutex_unlock(&conn->lock);
	return ret;
}

/* Runs under the kick eventfd's wait-queue lock, in any context. */
static int vbus_kick_wake(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct vbus_conn_queue *q = container_of(wait, struct vbus_conn_queue, wait);
	u64 cnt;

	if (!(key_to_poll(key) & EPOLLIN))
		return 0;
	/* Consume the count so that the eventfd never fills (as irqfd does). */
	eventfd_ctx_do_read(q->kick, &cnt);
	vbus_conn_kicked(q->conn, q->index, false);
	return 0;
}

static void vbus_kick_queue_proc(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct vbus_conn_queue *q = container_of(pt, struct vbus_conn_queue, pt);

	add_wait_queue(wqh, &q->wait);
}

/*
 * Each fd is resolved exactly once, and everything (the eventfd context, the
 * file whose wait queue the kick entry joins) comes from that one struct
 * file: a second lookup of the same number could find another file that a
 * racing dup2() put there. The kick file is held as long as the wait entry
 * is on it, as vhost does.
 */
static int vbus_signal_get(s32 fd, struct file **ret_file, struct eventfd_ctx **ret_ctx)
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

/* Caller holds conn->lock; q is not set. */
static int vbus_signal_set_locked(struct vbus_conn *conn, struct vbus_conn_queue *q,
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
	q->conn = conn;
	rcu_assign_pointer(q->call, call);
	if (kick) {
		q->kick = kick;
		q->kick_file = kick_file;
		init_waitqueue_func_entry(&q->wait, vbus_kick_wake);
		init_poll_funcptr(&q->pt, vbus_kick_queue_proc);
		vfs_poll(kick_file, &q->pt);
	}
	/* Pairs with vbus_conn_has_signal(): set means complete. */
	smp_store_release(&q->set, true);
	return 0;
}

long vbus_conn_signal_ioctl(struct vbus_conn *conn, void __user *argp)
{
	struct vbus_signal req;
	struct vbus_conn_queue *q;
	long ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.queue >= VBUS_QUEUES_MAX) {
		pr_err_ratelimited("signal: invalid queue %u or flags %#x\n", req.queue, req.flags);
		return -EINVAL;
	}
	mutex_lock(&conn->lock);
	q = &conn->queues[req.queue];
	q->index = req.queue;
	if (conn->dead)
		ret = -ENODEV;
	else if (q->set)
		ret = -EBUSY;
	else
		ret = vbus_signal_set_locked(conn, q, &req);
	mutex_unlock(&conn->lock);
	return ret;
}

/* No kick reaches the class after this. Caller holds conn->lock. */
void vbus_conn_signals_stop(struct vbus_conn *conn)
{
	unsigned int i;
	u64 cnt;

	for (i = 0; i < VBUS_QUEUES_MAX; i++) {
		struct vbus_conn_queue *q = &conn->queues[i];

		if (q->kick)
			eventfd_ctx_remove_wait_queue(q->kick, &q->wait, &cnt);
	}
}


/*
 * The file is released and the class disconnected: nothing uses the memory
 * or the kick eventfds any more. A data path still inside vbus_conn_signal()
 * finishes with the call eventfd before it is put; one arriving later finds
 * none.
 */
void vbus_conn_shm_free(struct vbus_conn *conn)
{
	struct eventfd_ctx *call[VBUS_QUEUES_MAX];
	bool any = false;
	unsigned int i;

	for (i = 0; i < VBUS_QUEUES_MAX; i++) {
		call[i] = rcu_replace_pointer(conn->queues[i].call, NULL, true);
		any |= !!call[i];
	}
	if (any)
		synchronize_rcu();
	for (i = 0; i < VBUS_QUEUES_MAX; i++) {
		struct vbus_conn_queue *q = &conn->queues[i];

		if (q->kick) {
			eventfd_ctx_put(q->kick);
			fput(q->kick_file);
		}
		if (call[i])
			eventfd_ctx_put(call[i]);
	}
	vfree(conn->shm);
	vbus_shm_unaccount(conn->shm_user, conn->shm_len >> PAGE_SHIFT);
}

int vbus_conn_shm(struct vbus_conn *conn, void **ret_addr, size_t *ret_len)
{
	if (!conn->shm)
		return -ENOENT;
	*ret_addr = conn->shm;
	*ret_len = conn->shm_len;
	return 0;
}
EXPORT_SYMBOL_GPL(vbus_conn_shm);

bool vbus_conn_has_signal(struct vbus_conn *conn, u32 queue)
{
	/* Pairs with vbus_signal_set_locked(). */
	return queue < VBUS_QUEUES_MAX && smp_load_acquire(&conn->queues[queue].set);
}
EXPORT_SYMBOL_GPL(vbus_conn_has_signal);

void vbus_conn_signal(struct vbus_conn *conn, u32 queue, bool needed)
{
	struct eventfd_ctx *call;

	atomic64_inc(&conn->member->stats.inject);
	if (!needed)
		return;
	atomic64_inc(&conn->member->stats.qinject);
	rcu_read_lock();
	call = rcu_dereference(conn->queues[queue].call);
	if (call)
		eventfd_signal(call, 1);
	rcu_read_unlock();
	if (!call) {
		atomic_or(BIT(queue), &conn->pending);
		wake_up_interruptible_poll(&conn->wq, EPOLLIN | EPOLLRDNORM);
	}
}
EXPORT_SYMBOL_GPL(vbus_conn_signal);

/* read() on a device fd: the mask of queues signalled without a call eventfd. */
ssize_t vbus_conn_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct vbus_conn *conn = file->private_data;
	u64 mask;

	if (len < sizeof(mask))
		return -EINVAL;
	mask = atomic_xchg(&conn->pending, 0);
	if (!mask)
		return READ_ONCE(conn->dead) ? -ENODEV : -EAGAIN;
	if (copy_to_user(buf, &mask, sizeof(mask)))
		return -EFAULT;
	return sizeof(mask);
}
