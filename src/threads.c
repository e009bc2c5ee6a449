// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dispatcher and worker threads, each pinned to its CPU from cpus=.
 * They poll: the dispatcher the registers and doorbells, a worker its
 * requests. After idle_after_us without work a thread sleeps idle_sleep_us
 * between polls (a worker only when it holds no request).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "nvmev.h"

struct nvmev_idle {
	u64 last_work_ns;
};

static void thread_idle(struct nvmev_dev *dev, struct nvmev_idle *idle, bool did, bool may_sleep)
{
	u64 now = ktime_get_ns();
	u32 after = READ_ONCE(dev->idle_after_us);

	if (did) {
		idle->last_work_ns = now;
	} else if (may_sleep && after && now - idle->last_work_ns > (u64)after * 1000) {
		u32 us = READ_ONCE(dev->idle_sleep_us);

		usleep_range(us, us + us / 2 + 1);
		return;
	}
	cond_resched();
}

static int dispatcher_fn(void *data)
{
	struct nvmev_dev *dev = data;
	struct nvmev_idle idle = { .last_work_ns = ktime_get_ns() };

	while (!kthread_should_stop())
		thread_idle(dev, &idle, nvmev_ctrl_poll(dev->ctrl), true);
	return 0;
}

static int worker_fn(void *data)
{
	struct nvmev_worker *w = data;
	struct nvmev_dev *dev = w->ctrl->plat;
	struct nvmev_idle idle = { .last_work_ns = ktime_get_ns() };

	while (!kthread_should_stop()) {
		bool did = nvmev_worker_poll(w);

		thread_idle(dev, &idle, did, nvmev_worker_next_due(w) == ~0ull);
	}
	return 0;
}

static struct task_struct *nvmev_start_thread(struct nvmev_dev *dev, int (*fn)(void *), void *arg,
					unsigned int cpu, const char *what, int idx)
{
	struct task_struct *t;

	if (idx < 0)
		t = kthread_create_on_node(fn, arg, cpu_to_node(cpu), "%s_%s", dev->name, what);
	else
		t = kthread_create_on_node(fn, arg, cpu_to_node(cpu), "%s_%s%d", dev->name, what,
					   idx);
	if (IS_ERR(t))
		return t;
	kthread_bind(t, cpu);
	wake_up_process(t);
	return t;
}

int nvmev_threads_start(struct nvmev_dev *dev)
{
	unsigned int i;

	for (i = 0; i + 1 < dev->p.nr_cpus; i++) {
		struct task_struct *t;

		t = nvmev_start_thread(dev, worker_fn, dev->w[i], dev->p.cpus[i + 1], "worker", i);
		if (IS_ERR(t))
			goto err;
		dev->workers[i] = t;
	}
	dev->dispatcher = nvmev_start_thread(dev, dispatcher_fn, dev, dev->p.cpus[0], "dispatcher", -1);
	if (IS_ERR(dev->dispatcher)) {
		dev->dispatcher = NULL;
		goto err;
	}
	return 0;
err:
	pr_err("%s: cannot start its threads\n", dev->name);
	nvmev_threads_stop(dev);
	return -ENOMEM;
}

void nvmev_threads_stop(struct nvmev_dev *dev)
{
	unsigned int i;

	if (dev->dispatcher)
		kthread_stop(dev->dispatcher);
	dev->dispatcher = NULL;
	for (i = 0; i < NVMEV_MAX_WORKERS; i++) {
		if (dev->workers[i])
			kthread_stop(dev->workers[i]);
		dev->workers[i] = NULL;
	}
}
