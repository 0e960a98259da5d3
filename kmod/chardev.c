// SPDX-License-Identifier: GPL-2.0
/*
 * vbus core: the userspace connector's bus fd. Each bus has a character
 * device /dev/vbus/<bus>; opening it makes the caller a member (struct
 * vbus_member) as far as the bus's owner/group/mode allow. Through the bus
 * fd a member lists the devices of the bus, reads hot-plug events and opens
 * a device by id, which gives an anonymous device fd (conn_fd.c) on a
 * connection (conn.c). Removing the bus turns the bus fd dead: it answers
 * ENODEV and poll reports EPOLLHUP.
 *
 * Read and write mean what they mean for a file (doc/abi/chardev.md): a bus
 * fd open for reading lists the devices and reads the events; one open for
 * writing opens devices (VBUS_IOC_OPEN), and only such an open gives a
 * device fd, which then drives the device (calls, shared memory, signals,
 * kicks, mmap). The bus's owner/group/mode decide which opens are allowed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <uapi/linux/vbus_guest.h>

#include "vbus_internal.h"

#define VBUS_MINORS	(1U << MINORBITS)

static dev_t vbus_devt;
static struct class *vbus_chr_class;
static DEFINE_XARRAY_ALLOC(vbus_minors);	/* minor -> bus, under vbus_lock */
static u32 vbus_minor_next;			/* under vbus_lock */
static u32 vbus_member_ids;			/* under vbus_lock */

/* Events */

/* Caller holds vbus_lock. */
void vbus_member_queue(struct vbus_member *m, u32 event, u32 id, const char *type)
{
	struct vbus_event *ev;

	if (m->local) {
		atomic64_inc(&m->stats.events);
		vbus_local_event(m->local);
		return;
	}
	spin_lock(&m->lock);
	if (m->count < VBUS_EVENT_QUEUE) {
		ev = &m->events[(m->head + m->count) % VBUS_EVENT_QUEUE];
		memset(ev, 0, sizeof(*ev));
		/* The last slot is kept for the news that events were lost. */
		if (m->count == VBUS_EVENT_QUEUE - 1) {
			ev->event = VBUS_EVENT_OVERFLOW;
		} else {
			ev->event = event;
			ev->id = id;
			strscpy(ev->type, type, sizeof(ev->type));
		}
		m->count++;
		atomic64_inc(&m->stats.events);
	}
	spin_unlock(&m->lock);
	if (m->guest)
		vbus_guest_event(m->guest);
	else
		wake_up_interruptible_poll(&m->wq, EPOLLIN | EPOLLRDNORM);
}

/* Tell every member of the bus. Caller holds vbus_lock. */
void vbus_bus_event(struct vbus_bus *bus, u32 event, struct vbus_link *link)
{
	struct vbus_member *m;

	list_for_each_entry(m, &bus->members, bus_entry)
		vbus_member_queue(m, event, link->id, link->dev->class->type);
}

static void vbus_member_free(struct kref *ref)
{
	struct vbus_member *m = container_of(ref, struct vbus_member, ref);

	if (m->bus)
		kobject_put(&m->bus->kobj);
	kfree(m);
}

/* Drop a reference on @m (its owner's or a connection's). */
void vbus_member_unref(struct vbus_member *m)
{
	kref_put(&m->ref, vbus_member_free);
}

/* A member of no bus yet, for the bus fd or a connector; @pid 0: the kernel. */
struct vbus_member *vbus_member_alloc(pid_t pid)
{
	struct vbus_member *m;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return NULL;
	kref_init(&m->ref);
	spin_lock_init(&m->lock);
	init_waitqueue_head(&m->wq);
	m->pid = pid;
	return m;
}

/* @m joins @bus (alive). Caller holds vbus_lock. */
void vbus_member_add_locked(struct vbus_member *m, struct vbus_bus *bus)
{
	kobject_get(&bus->kobj);
	m->bus = bus;
	m->id = ++vbus_member_ids;
	list_add_tail(&m->bus_entry, &bus->members);
	vbus_notify_member(m, VBUS_CMD_MEMBER_ADD_NTF);
}

/* @m leaves its bus: no event reaches it, no device opens. Caller holds vbus_lock. */
void vbus_member_del_locked(struct vbus_member *m)
{
	spin_lock(&m->lock);
	m->dead = true;
	spin_unlock(&m->lock);
	list_del(&m->bus_entry);
	vbus_notify_member(m, VBUS_CMD_MEMBER_DEL_NTF);
}

/* The bus fd */

static long vbus_member_list(struct vbus_member *m, void __user *argp)
{
	struct vbus_dev_info *infos = NULL;
	struct vbus_link *link;
	struct vbus_list req;
	unsigned long id;
	u32 n = 0, total = 0;
	long ret = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags) {
		pr_err_ratelimited("list: invalid flags %#x\n", req.flags);
		return -EINVAL;
	}
	if (req.count) {
		/* The caller's size: its ENOMEM, no allocation-failure warning. */
		infos = kvcalloc(min_t(u32, req.count, 1U << 16), sizeof(*infos),
				 GFP_KERNEL | __GFP_NOWARN);
		if (!infos)
			return -ENOMEM;
	}

	/* Copied out after unlocking: no page fault under vbus_lock. */
	mutex_lock(&vbus_lock);
	if (m->dead) {
		ret = -ENODEV;
		goto out_unlock;
	}
	xa_for_each(&m->bus->links, id, link) {
		if (n < req.count && n < (1U << 16)) {
			infos[n].id = link->id;
			strscpy(infos[n].type, link->dev->class->type,
				sizeof(infos[n].type));
			n++;
		}
		total++;
	}
out_unlock:
	mutex_unlock(&vbus_lock);

	if (!ret && n && copy_to_user(u64_to_user_ptr(req.devs), infos,
				      n * sizeof(*infos)))
		ret = -EFAULT;
	req.count = total;
	if (!ret && copy_to_user(argp, &req, sizeof(req)))
		ret = -EFAULT;
	kvfree(infos);
	return ret;
}

static long vbus_member_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct vbus_member *m = file->private_data;

	/* Reading lists and observes, writing drives (the header comment). */
	switch (cmd) {
	case VBUS_IOC_LIST:
		if (!(file->f_mode & FMODE_READ))
			return -EBADF;
		atomic64_inc(&m->stats.bridgecalls);
		return vbus_member_list(m, (void __user *)arg);
	case VBUS_IOC_OPEN:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		atomic64_inc(&m->stats.bridgecalls);
		return vbus_fd_conn_open(m, (void __user *)arg);
	case VBUS_IOC_GUEST:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		atomic64_inc(&m->stats.bridgecalls);
		return vbus_guest_create(m, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

/* Takes the oldest event, if any, into ev. */
bool vbus_member_pop(struct vbus_member *m, struct vbus_event *ev)
{
	bool ret = false;

	spin_lock(&m->lock);
	if (m->count) {
		*ev = m->events[m->head];
		m->head = (m->head + 1) % VBUS_EVENT_QUEUE;
		m->count--;
		ret = true;
	}
	spin_unlock(&m->lock);
	return ret;
}

static ssize_t vbus_member_read(struct file *file, char __user *buf,
				size_t count, loff_t *ppos)
{
	struct vbus_member *m = file->private_data;
	struct vbus_event ev;
	size_t done = 0;
	int ret;

	if (count < sizeof(ev))
		return -EINVAL;
	while (!READ_ONCE(m->count)) {
		if (READ_ONCE(m->dead))
			return -ENODEV;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(m->wq, READ_ONCE(m->count) ||
					       READ_ONCE(m->dead));
		if (ret)
			return ret;
	}
	while (count - done >= sizeof(ev) && vbus_member_pop(m, &ev)) {
		if (copy_to_user(buf + done, &ev, sizeof(ev)))
			return done ? done : -EFAULT;
		done += sizeof(ev);
	}
	return done;
}

static __poll_t vbus_member_poll(struct file *file, poll_table *wait)
{
	struct vbus_member *m = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &m->wq, wait);
	spin_lock(&m->lock);
	if (m->count)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (m->dead)
		mask |= EPOLLHUP;
	spin_unlock(&m->lock);
	return mask;
}

/* Caller holds vbus_lock. Like generic_permission() on the bus's owner/group/mode. */
static int vbus_bus_permission(struct vbus_bus *bus, struct file *file)
{
	unsigned int mode = bus->mode;
	unsigned int mask = 0;

	if (file->f_mode & FMODE_READ)
		mask |= 4;
	if (file->f_mode & FMODE_WRITE)
		mask |= 2;
	if (uid_eq(current_fsuid(), bus->owner))
		mode >>= 6;
	else if (in_group_p(bus->gid))
		mode >>= 3;
	if (!(mask & ~mode & 7))
		return 0;
	return capable(CAP_DAC_OVERRIDE) ? 0 : -EACCES;
}

/* Caller holds vbus_lock. */
static int vbus_member_join_locked(struct vbus_member *m, struct vbus_bus *bus,
				   struct file *file)
{
	int ret;

	if (!bus || bus->dead)
		return -ENODEV;
	ret = vbus_bus_permission(bus, file);
	if (ret)
		return ret;
	ret = vbus_sysfs_member_add(bus, m->pid);
	if (ret)
		return ret;
	vbus_member_add_locked(m, bus);
	return 0;
}

static int vbus_member_open(struct inode *inode, struct file *file)
{
	struct vbus_member *m;
	int ret;

	/* The pid as the initial pid namespace sees it. */
	m = vbus_member_alloc(task_tgid_nr(current));
	if (!m)
		return -ENOMEM;

	mutex_lock(&vbus_lock);
	ret = vbus_member_join_locked(m, xa_load(&vbus_minors, iminor(inode)), file);
	mutex_unlock(&vbus_lock);
	if (ret) {
		kfree(m);
		return ret;
	}
	file->private_data = m;
	return stream_open(inode, file);
}

static int vbus_member_release(struct inode *inode, struct file *file)
{
	struct vbus_member *m = file->private_data;

	mutex_lock(&vbus_lock);
	vbus_member_del_locked(m);
	vbus_sysfs_member_del(m->bus, m->pid);
	mutex_unlock(&vbus_lock);
	vbus_member_unref(m);
	return 0;
}

static const struct file_operations vbus_member_fops = {
	.owner		= THIS_MODULE,
	.open		= vbus_member_open,
	.release	= vbus_member_release,
	.read		= vbus_member_read,
	.poll		= vbus_member_poll,
	.unlocked_ioctl	= vbus_member_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

/* Buses */

/* Caller holds vbus_lock. */
int vbus_chardev_bus_add(struct vbus_bus *bus)
{
	struct device *chrdev;
	struct cdev *cdev;
	u32 minor;
	int ret;

	/* Cyclic: an open racing with rmdir must not find a new bus on the minor. */
	ret = xa_alloc_cyclic(&vbus_minors, &minor, bus, XA_LIMIT(0, VBUS_MINORS - 1),
			      &vbus_minor_next, GFP_KERNEL);
	if (ret < 0)
		return ret;
	cdev = cdev_alloc();
	if (!cdev) {
		ret = -ENOMEM;
		goto out_erase;
	}
	cdev->owner = THIS_MODULE;
	cdev->ops = &vbus_member_fops;
	ret = cdev_add(cdev, MKDEV(MAJOR(vbus_devt), minor), 1);
	if (ret)
		goto out_put;
	chrdev = device_create(vbus_chr_class, NULL, MKDEV(MAJOR(vbus_devt), minor),
			       NULL, "%s", bus->name);
	if (IS_ERR(chrdev)) {
		ret = PTR_ERR(chrdev);
		goto out_del;
	}
	bus->minor = minor;
	bus->cdev = cdev;
	bus->chrdev = chrdev;
	return 0;

out_del:
	cdev_del(cdev);
	goto out_erase;
out_put:
	kobject_put(&cdev->kobj);
out_erase:
	xa_erase(&vbus_minors, minor);
	return ret;
}

/* The bus is going away: members see BUS_GONE. Caller holds vbus_lock. */
void vbus_chardev_bus_del(struct vbus_bus *bus)
{
	struct vbus_member *m;

	list_for_each_entry(m, &bus->members, bus_entry) {
		spin_lock(&m->lock);
		m->dead = true;
		spin_unlock(&m->lock);
		vbus_member_queue(m, VBUS_EVENT_BUS_GONE, 0, "");
		wake_up_interruptible_poll(&m->wq, EPOLLHUP);
	}
	if (bus->minor < 0)
		return;
	device_destroy(vbus_chr_class, MKDEV(MAJOR(vbus_devt), bus->minor));
	cdev_del(bus->cdev);
	xa_erase(&vbus_minors, bus->minor);
	bus->minor = -1;
}

static char *vbus_devnode(struct device *dev, umode_t *mode)
{
	/* Anyone may try: the module checks the bus's owner/group/mode. */
	if (mode)
		*mode = 0666;
	/*
	 * A few bytes that must not fail: devtmpfs asks for the name again
	 * to delete the node, and device_del() cannot fail. Without it the
	 * node would stay, and a new bus of that name would get ENXIO (its
	 * node names the old minor); at creation it would go to /dev/NAME.
	 */
	return kasprintf(GFP_KERNEL | __GFP_NOFAIL, "vbus/%s", dev_name(dev));
}

int vbus_chardev_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&vbus_devt, 0, VBUS_MINORS, "vbus");
	if (ret)
		return ret;
	vbus_chr_class = class_create(THIS_MODULE, "vbus");
	if (IS_ERR(vbus_chr_class)) {
		ret = PTR_ERR(vbus_chr_class);
		goto out_region;
	}
	vbus_chr_class->devnode = vbus_devnode;
	return 0;

out_region:
	unregister_chrdev_region(vbus_devt, VBUS_MINORS);
	return ret;
}

void vbus_chardev_exit(void)
{
	class_destroy(vbus_chr_class);
	unregister_chrdev_region(vbus_devt, VBUS_MINORS);
	xa_destroy(&vbus_minors);
}
