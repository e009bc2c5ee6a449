// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dispatcher and worker threads, each pinned to its CPU from cpus=.
 * They poll: the dispatcher the registers and doorbells, a worker its
 * requests.
 *
 * poll_mode=busy: threads spin while there is work, and the dispatcher
 * also while commands are in flight. After idle_after_us without any, the
 * dispatcher sleeps idle_sleep_us between polls and an empty worker sleeps
 * until the dispatcher kicks it.
 *
 * poll_mode=lowcpu: an idle dispatcher sleeps between polls, idle_sleep_us
 * at first and twice as long each time up to 1 ms while nothing is in
 * flight; a worker sleeps on a high-resolution timer until its next
 * completion is due, or until the dispatcher kicks it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "nvmev.h"

#define NVMEV_MAX_SLEEP_NS		(10 * NSEC_PER_MSEC)
#define NVMEV_LOWCPU_MAX_BACKOFF_US	1000
#define NVMEV_IDLE_CLOCK_PASSES		64	/* idle passes between clock reads */

struct nvmev_idle {
	u64 since_ns;		/* start of this idle stretch; 0 while busy */
	u32 passes;
	u32 sleep_us;		/* low-CPU dispatcher's current back-off */
};

static void idle_reset(struct nvmev_idle *idle)
{
	idle->since_ns = 0;
	idle->passes = 0;
	idle->sleep_us = 0;
}

/* Busy mode: idle for idle_after_us yet? Reads the clock now and then only. */
static bool idle_long_enough(struct nvmev_dev *dev, struct nvmev_idle *idle)
{
	u32 after = READ_ONCE(dev->idle_after_us);
	u64 now;

	if (!after || ++idle->passes % NVMEV_IDLE_CLOCK_PASSES)
		return false;
	now = ktime_get_ns();
	if (!idle->since_ns)
		idle->since_ns = now;
	return now - idle->since_ns >= (u64)after * NSEC_PER_USEC;
}

/* An idle sleep: not counted in the load average, not shown as D state. */
static void sleep_us(u32 us)
{
	usleep_range_state(us, us + us / 4 + 1, TASK_IDLE);
}

/* A Function Level Reset that the host started in config space. */
static void dispatcher_check_flr(struct nvmev_dev *dev)
{
	if (!READ_ONCE(dev->flr_pending))
		return;
	nvmev_ctrl_function_reset(dev->ctrl);
	nvmev_irq_reset(dev);
	smp_store_release(&dev->flr_pending, 0);	/* the reset, before config reads answer */
	pr_info("%s: function level reset\n", dev->name);
}

static void dispatcher_lowcpu_idle(struct nvmev_dev *dev, struct nvmev_idle *idle)
{
	u32 base = READ_ONCE(dev->idle_sleep_us);

	if (!idle->sleep_us || nvmev_ctrl_has_inflight(dev->ctrl))
		idle->sleep_us = base;
	else
		idle->sleep_us = min_t(u32, idle->sleep_us * 2,
				       max_t(u32, base, NVMEV_LOWCPU_MAX_BACKOFF_US));
	sleep_us(idle->sleep_us);
}

static int dispatcher_fn(void *data)
{
	struct nvmev_dev *dev = data;
	struct nvmev_idle idle = {};

	while (!kthread_should_stop()) {
		dispatcher_check_flr(dev);
		nvmev_irq_poll_pending(dev);
		if (nvmev_ctrl_poll(dev->ctrl)) {
			idle_reset(&idle);
			cond_resched();
		} else if (READ_ONCE(dev->poll_mode) == NVMEV_POLL_LOWCPU) {
			dispatcher_lowcpu_idle(dev, &idle);
		} else if (nvmev_ctrl_has_inflight(dev->ctrl)) {
			/* the next submission is near: keep polling */
			idle_reset(&idle);
			cond_resched();
		} else if (idle_long_enough(dev, &idle)) {
			sleep_us(READ_ONCE(dev->idle_sleep_us));
		} else {
			cond_resched();
		}
	}
	return 0;
}

/* Low-CPU mode: sleep until the next completion is due or a kick arrives. */
static void worker_sleep(struct nvmev_dev *dev, struct nvmev_worker *w)
{
	u64 now = ktime_get_ns();
	u64 due = nvmev_worker_next_due(w);
	ktime_t until;

	if (due == 0 || !nvmev_pci_bus_master(dev))	/* waits for the CQ, or for BME */
		due = now + (u64)READ_ONCE(dev->idle_sleep_us) * NSEC_PER_USEC;
	else if (due == ~0ull)	/* nothing held: wait for a kick */
		due = now + NVMEV_MAX_SLEEP_NS;
	if (due <= now)
		return;
	until = ns_to_ktime(min(due, now + NVMEV_MAX_SLEEP_NS));

	set_current_state(TASK_INTERRUPTIBLE);
	WRITE_ONCE(w->sleeping, 1);
	smp_mb();	/* the flag, before the dispatcher's input is checked */
	if (!nvmev_worker_has_input(w) && READ_ONCE(w->ctrl->epoch) == w->seen_epoch &&
	    !kthread_should_stop())
		schedule_hrtimeout_range(&until, 0, HRTIMER_MODE_ABS);
	__set_current_state(TASK_RUNNING);
	WRITE_ONCE(w->sleeping, 0);
}

static int worker_fn(void *data)
{
	struct nvmev_worker *w = data;
	struct nvmev_dev *dev = w->ctrl->plat;
	struct nvmev_idle idle = {};

	while (!kthread_should_stop()) {
		bool input = nvmev_worker_has_input(w);
		u64 t0 = input ? ktime_get_ns() : 0;
		bool did = nvmev_worker_poll(w);

		if (input) {	/* the passes that move data: the long ones */
			u64 t = ktime_get_ns() - t0;

			if (t > READ_ONCE(dev->max_pass_ns[w->id]))
				WRITE_ONCE(dev->max_pass_ns[w->id], t);
		}
		if (did) {
			idle_reset(&idle);
			cond_resched();
		} else if (READ_ONCE(dev->poll_mode) == NVMEV_POLL_LOWCPU) {
			worker_sleep(dev, w);
		} else if (nvmev_worker_next_due(w) == ~0ull && idle_long_enough(dev, &idle)) {
			worker_sleep(dev, w);	/* holds nothing: wait for a kick */
		} else {
			cond_resched();
		}
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
