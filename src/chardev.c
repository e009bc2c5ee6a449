// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/nvmev/<device>: the image of every namespace of a device (the
 * format is in model/image.h). Reading it saves, writing it restores:
 *
 *   dd if=/dev/nvmev/nvmev0 of=/var/lib/nvmevirt/nvmev0.img bs=1M conv=sparse
 *   dd if=/var/lib/nvmevirt/nvmev0.img of=/dev/nvmev/nvmev0 bs=1M
 *
 * While it is open the device fetches no command: open waits until the
 * commands in flight have completed (up to NVMEV_IMAGE_HOLD_MS, else
 * EBUSY), and the host's next commands wait until it is closed. The host
 * never waits longer than NVMEV_IMAGE_HOLD_MS, well inside its command
 * timeouts: then the save or restore is abandoned (EBUSY from the next
 * read or write; an abandoned restore leaves the namespaces empty) and the
 * device goes on. A save or restore is for a device nobody uses. One open
 * at a time (EBUSY), read-only or write-only (EINVAL). A restore that is
 * refused (another geometry, not an image) fails its first write with
 * EINVAL and changes nothing; a damaged or short one fails a write or the
 * close with EBADMSG and leaves the namespaces empty. The kernel log says
 * which. Data restored behind the block layer's back: drop the cache of
 * the namespaces' block devices afterwards (blockdev --flushbufs).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "nvmev.h"
#include "model/image.h"

#define NVMEV_IMAGE_HOLD_MS	10000	/* the longest the host waits for a paused device */
#define NVMEV_IMAGE_WATCH_MS	100
#define NVMEV_IMAGE_CHUNK	SZ_1M

struct nvmev_img_file {
	struct nvmev_dev *dev;
	bool restore;
	bool ended;		/* the restore was checked at close */
	bool aborted;		/* the host needed the device: given up */
	u8 *buf;
	struct nvmev_image img;
};

static struct nvmev_dev *misc_to_dev(struct miscdevice *m)
{
	return container_of(m, struct nvmev_dev, misc);
}

static int img_errno(int err)
{
	switch (err) {
	case NVMEV_IMAGE_OK:
		return 0;
	case NVMEV_IMAGE_ECRC:
		return -EBADMSG;
	case NVMEV_IMAGE_EABORT:
		return -EBUSY;
	default:
		return -EINVAL;
	}
}

/* Under img_lock: pause the device and wait until nothing is in flight. */
static int quiesce(struct nvmev_dev *dev)
{
	unsigned int ms;

	nvmev_ctrl_pause(dev->ctrl, true);
	for (ms = 0; ms < NVMEV_IMAGE_HOLD_MS; ms++) {
		if (nvmev_ctrl_quiesced(dev->ctrl))
			return 0;
		if (signal_pending(current)) {
			nvmev_ctrl_pause(dev->ctrl, false);
			return -EINTR;
		}
		usleep_range(1000, 1100);
	}
	nvmev_ctrl_pause(dev->ctrl, false);
	pr_warn("%s: image: commands still in flight after %u ms; try again when the device is idle\n",
		dev->name, NVMEV_IMAGE_HOLD_MS);
	return -EBUSY;
}

/*
 * Every NVMEV_IMAGE_WATCH_MS while an image is open: the host must not
 * wait for the paused device longer than NVMEV_IMAGE_HOLD_MS.
 */
static void img_watch_fn(struct work_struct *work)
{
	struct nvmev_dev *dev = container_of(to_delayed_work(work), struct nvmev_dev, img_watch);
	struct nvmev_img_file *f;

	mutex_lock(&dev->img_lock);
	f = dev->img_file;
	if (!f || dev->dying || f->aborted)
		goto out;
	if (!nvmev_ctrl_host_waiting(dev->ctrl)) {
		dev->img_waiting_since = 0;
	} else if (!dev->img_waiting_since) {
		dev->img_waiting_since = jiffies;
	} else if (time_after(jiffies, dev->img_waiting_since +
			      msecs_to_jiffies(NVMEV_IMAGE_HOLD_MS))) {
		f->aborted = true;
		nvmev_image_abort(&f->img);
		nvmev_ctrl_pause(dev->ctrl, false);
		pr_warn("%s: image: the host waited %u s for the device: %s abandoned%s\n",
			dev->name, NVMEV_IMAGE_HOLD_MS / 1000, f->restore ? "restore" : "save",
			f->restore ? ", the namespaces are empty" : "");
		goto out;
	}
	schedule_delayed_work(&dev->img_watch, msecs_to_jiffies(NVMEV_IMAGE_WATCH_MS));
out:
	mutex_unlock(&dev->img_lock);
}

static int img_open(struct inode *inode, struct file *file)
{
	struct nvmev_dev *dev = misc_to_dev(file->private_data);
	unsigned int acc = file->f_flags & O_ACCMODE;
	struct nvmev_img_file *f;
	int ret;

	if (acc == O_RDWR)
		return -EINVAL;
	f = kvzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->buf = kvmalloc(NVMEV_IMAGE_CHUNK, GFP_KERNEL);
	if (!f->buf) {
		kvfree(f);
		return -ENOMEM;
	}
	f->dev = dev;
	f->restore = acc == O_WRONLY;

	mutex_lock(&dev->img_lock);
	ret = dev->dying ? -ENODEV : dev->img_open ? -EBUSY : 0;
	if (!ret)
		ret = quiesce(dev);
	if (ret) {
		mutex_unlock(&dev->img_lock);
		kvfree(f->buf);
		kvfree(f);
		return ret;
	}
	dev->img_open = true;
	kobject_get(&dev->kobj);	/* dev outlives the file */
	if (f->restore)
		nvmev_image_restore_begin(&f->img, dev->ctrl);
	else
		nvmev_image_save_begin(&f->img, dev->ctrl);
	dev->img_file = f;
	dev->img_waiting_since = 0;
	schedule_delayed_work(&dev->img_watch, msecs_to_jiffies(NVMEV_IMAGE_WATCH_MS));
	mutex_unlock(&dev->img_lock);

	file->private_data = f;
	return stream_open(inode, file);
}

static ssize_t img_read(struct file *file, char __user *ubuf, size_t len, loff_t *ppos)
{
	struct nvmev_img_file *f = file->private_data;
	struct nvmev_dev *dev = f->dev;
	ssize_t done = 0;

	if (f->restore)
		return -EBADF;
	mutex_lock(&dev->img_lock);
	while (!dev->dying && !f->aborted && done < len) {
		u32 n = nvmev_image_save_read(&f->img, f->buf,
					      min_t(size_t, len - done, NVMEV_IMAGE_CHUNK));

		if (!n)
			break;
		if (copy_to_user(ubuf + done, f->buf, n)) {
			done = done ?: -EFAULT;
			break;
		}
		done += n;
		cond_resched();
	}
	if ((dev->dying || f->aborted) && !done)
		done = dev->dying ? -ENODEV : -EBUSY;
	mutex_unlock(&dev->img_lock);
	return done;
}

static ssize_t img_write(struct file *file, const char __user *ubuf, size_t len, loff_t *ppos)
{
	struct nvmev_img_file *f = file->private_data;
	struct nvmev_dev *dev = f->dev;
	ssize_t done = 0;
	int ret = 0;

	if (!f->restore)
		return -EBADF;
	mutex_lock(&dev->img_lock);
	if (f->aborted)
		ret = -EBUSY;
	while (!ret && !dev->dying && done < len) {
		u32 n = min_t(size_t, len - done, NVMEV_IMAGE_CHUNK);

		if (copy_from_user(f->buf, ubuf + done, n)) {
			ret = -EFAULT;
			break;
		}
		ret = img_errno(nvmev_image_restore_write(&f->img, f->buf, n));
		if (ret)
			break;
		done += n;
		cond_resched();
	}
	if (dev->dying)
		ret = -ENODEV;
	mutex_unlock(&dev->img_lock);
	return ret ?: done;
}

/* close(2): a restore must have been whole. */
static int img_end(struct nvmev_img_file *f)
{
	struct nvmev_dev *dev = f->dev;
	int ret = 0;

	mutex_lock(&dev->img_lock);
	if (f->restore && !f->ended && !dev->dying) {
		f->ended = true;
		ret = img_errno(nvmev_image_restore_end(&f->img));
	}
	mutex_unlock(&dev->img_lock);
	return ret;
}

/* Only the last close counts: dd, for one, opens, dup2()s and closes a copy first. */
static int img_flush(struct file *file, fl_owner_t id)
{
	if (file_count(file) > 1)
		return 0;
	return img_end(file->private_data);
}

static int img_release(struct inode *inode, struct file *file)
{
	struct nvmev_img_file *f = file->private_data;
	struct nvmev_dev *dev = f->dev;

	img_end(f);
	mutex_lock(&dev->img_lock);
	dev->img_file = NULL;
	mutex_unlock(&dev->img_lock);
	cancel_delayed_work_sync(&dev->img_watch);	/* img_open still keeps others out */
	mutex_lock(&dev->img_lock);
	if (!dev->dying)
		nvmev_ctrl_pause(dev->ctrl, false);
	dev->img_open = false;
	mutex_unlock(&dev->img_lock);
	kobject_put(&dev->kobj);
	kvfree(f->buf);
	kvfree(f);
	return 0;
}

static const struct file_operations nvmev_img_fops = {
	.owner = THIS_MODULE,
	.open = img_open,
	.read = img_read,
	.write = img_write,
	.flush = img_flush,
	.release = img_release,
};

int nvmev_chardev_add(struct nvmev_dev *dev)
{
	int ret;

	mutex_init(&dev->img_lock);
	INIT_DELAYED_WORK(&dev->img_watch, img_watch_fn);
	snprintf(dev->misc_name, sizeof(dev->misc_name), "nvmev-%s", dev->name);
	snprintf(dev->misc_node, sizeof(dev->misc_node), "nvmev/%s", dev->name);
	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = dev->misc_name;
	dev->misc.nodename = dev->misc_node;
	dev->misc.mode = 0600;
	dev->misc.fops = &nvmev_img_fops;
	ret = misc_register(&dev->misc);
	if (ret) {
		pr_err("%s: cannot create /dev/%s (%d)\n", dev->name, dev->misc_node, ret);
		return ret;
	}
	dev->misc_added = true;
	return 0;
}

/* No new open; an open file fails its next call and touches nothing. */
void nvmev_chardev_remove(struct nvmev_dev *dev)
{
	if (!dev->misc_added)
		return;
	misc_deregister(&dev->misc);
	dev->misc_added = false;
	mutex_lock(&dev->img_lock);
	dev->dying = true;
	mutex_unlock(&dev->img_lock);
	cancel_delayed_work_sync(&dev->img_watch);
}
