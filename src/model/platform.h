/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The seam between the device model and whatever hosts it.
 *
 * Everything under src/model/ includes this header and nothing from Linux.
 * The kernel glue (src/platform.c) and the user-space tests
 * (tests/unit/host.c) each implement the hooks declared at the bottom.
 */
#ifndef NVMEV_PLATFORM_H
#define NVMEV_PLATFORM_H

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/string.h>
#include <linux/stddef.h>
#include <linux/atomic.h>
#include <linux/processor.h>

#define NVMEV_READ_ONCE(x) READ_ONCE(x)
#define NVMEV_WRITE_ONCE(x, v) WRITE_ONCE(x, v)

/* Word-sized atomics for state that several threads update; fully ordered. */
static inline void nvmev_atomic_or64(u64 *p, u64 v)
{
	atomic64_fetch_or((s64)v, (atomic64_t *)p);
}

static inline void nvmev_atomic_andnot64(u64 *p, u64 v)
{
	atomic64_fetch_andnot((s64)v, (atomic64_t *)p);
}

static inline u32 nvmev_atomic_xchg32(u32 *p, u32 v)
{
	return xchg(p, v);
}

/* A spin lock in a u32 (0: free), for state several workers share. */
static inline void nvmev_spin_lock(u32 *l)
{
	while (cmpxchg(l, 0, 1))
		cpu_relax();
}

static inline void nvmev_spin_unlock(u32 *l)
{
	/* release: what the holder wrote is seen before the lock is free */
	smp_store_release(l, 0);
}
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
#define __printf(a, b) __attribute__((format(printf, a, b)))

/* User-space READ_ONCE/WRITE_ONCE: no merging, splitting or reordering. */
#define NVMEV_READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define NVMEV_WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

static inline void nvmev_atomic_or64(u64 *p, u64 v)
{
	__atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);
}

static inline void nvmev_atomic_andnot64(u64 *p, u64 v)
{
	__atomic_fetch_and(p, ~v, __ATOMIC_SEQ_CST);
}

static inline u32 nvmev_atomic_xchg32(u32 *p, u32 v)
{
	return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}

static inline void nvmev_spin_lock(u32 *l)
{
	u32 free_val = 0;

	while (!__atomic_compare_exchange_n(l, &free_val, 1, false, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED))
		free_val = 0;
}

static inline void nvmev_spin_unlock(u32 *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}
#endif

#define NVMEV_MIN(a, b) ((a) < (b) ? (a) : (b))
#define NVMEV_MAX(a, b) ((a) > (b) ? (a) : (b))
#define NVMEV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline bool nvmev_str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

enum nvmev_log_level { NVMEV_LOG_ERR, NVMEV_LOG_WARN, NVMEV_LOG_INFO, NVMEV_LOG_DEBUG };

/*
 * Host memory access by bus (physical) address. Both return false when the
 * address is not host RAM that a device may reach; the model then fails the
 * command with a data transfer error. A range never crosses a page boundary.
 */
bool nvmev_plat_host_read(void *plat, u64 addr, void *buf, u32 len);
bool nvmev_plat_host_write(void *plat, u64 addr, const void *buf, u32 len);

/*
 * Map @len bytes of physically contiguous host memory for a queue ring.
 * Returns NULL when the range is not host RAM.
 */
void *nvmev_plat_map_queue(void *plat, u64 addr, u32 len);
void nvmev_plat_unmap_queue(void *plat, void *va, u32 len);

/* Monotonic nanoseconds, the same clock on every CPU. */
u64 nvmev_plat_now_ns(void *plat);

/* Raise MSI-X vector @vector (or the pin interrupt when MSI-X is off). */
void nvmev_plat_raise_irq(void *plat, u16 vector);

/* Wake worker @worker, which sleeps with nvmev_worker.sleeping set. */
void nvmev_plat_kick_worker(void *plat, u16 worker);

/*
 * Whether the host lets the function master the bus (Bus Master Enable in
 * the PCI Command register). While it is clear the model fetches no
 * command, reads or writes no host memory, posts no completion and raises
 * no interrupt; the host still reaches the registers.
 */
bool nvmev_plat_bus_master(void *plat);

/*
 * Full memory barrier, store barrier, and load barrier (a doorbell value
 * before the queue entries it announces).
 */
void nvmev_plat_mb(void);
void nvmev_plat_wmb(void);
void nvmev_plat_rmb(void);

/*
 * Let other work run while a control-path operation waits; returns false
 * when the waiting thread is being stopped and must give up.
 */
bool nvmev_plat_relax(void *plat);

/*
 * The set of allocated namespaces changed (Namespace Management, on the
 * dispatcher): the host glue may update what it shows of them, later.
 */
void nvmev_plat_ns_changed(void *plat);

__printf(3, 4)
void nvmev_plat_log(void *plat, enum nvmev_log_level level, const char *fmt, ...);

#endif /* NVMEV_PLATFORM_H */
