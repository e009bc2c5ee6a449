/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test host: simulated host memory, the platform hooks, and a minimal
 * "host driver" that brings a model controller up and talks to it.
 */
#ifndef NVMEV_TH_H
#define NVMEV_TH_H

#include <stdio.h>
#include <stdlib.h>

#include "ctrl.h"
#include "prp.h"
#include "media_optane.h"
#include "type.h"
#include "kv.h"
#include "zns.h"
#include "conv.h"

#define HOST_BASE	0x10000000ull
#define HOST_SIZE	(32u << 20)
#define TH_WORKERS	2

extern u8 *host_mem;
extern u64 fake_now;
extern unsigned int irq_count[NVMEV_NR_VECTORS];
extern unsigned int host_accesses_crossing_pages;
extern unsigned int kicks;
extern bool host_bme;
extern unsigned int unmap_errors;	/* queue unmaps that match no mapping */
extern unsigned int host_writes;	/* nvmev_plat_host_write calls */		/* PCI Bus Master Enable as the host left it */

void *host_ptr(u64 addr);
u64 host_alloc(u32 bytes);	/* page-aligned, zeroed */
void host_reset(void);

struct th_queue {
	u64 sq, cq;
	u16 size;
	u16 sq_tail;
	u16 cq_head;
	u8 phase;
};

struct th {
	struct nvmev_ctrl *c;
	struct nvmev_worker *w[TH_WORKERS];
	struct nvmev_nvm_timing timing;
	u8 bar[NVMEV_BAR_REGS_SIZE];
	u8 *storage;
	u64 storage_size;
	u64 *dealloc;
	/* th_init_ns: namespace i + 1's data in the storage, its media */
	u8 *ns_data[NVMEV_MAX_NS];
	struct nvmev_nvm_timing ns_timing[NVMEV_MAX_NS];
	struct nvmev_kv_timing kv_timing[NVMEV_MAX_NS];
	struct nvmev_zns_timing zns_timing[NVMEV_MAX_NS];
	struct nvmev_timing *media[NVMEV_MAX_NS];	/* other media instances (conv), allocated */
	struct th_queue q[NVMEV_MAX_IO_QUEUES + 1];
};

struct th_cqe {
	u32 dw0, dw1;
	u16 sqhd, sqid, cid, status;
	u8 phase;
};

void th_init(struct th *t, u32 lba_shift, u64 storage_size);
/*
 * A controller with a namespace of the default command set at each NSID
 * i + 1 whose @sizes[i] is not 0, of block size 2^@shifts[i], with its own
 * media instance of read latency @read_ns[i] (may be NULL: 0), and @uid.
 */
void th_init_ns(struct th *t, const u64 *sizes, const u32 *shifts, const u64 *read_ns, u64 uid);
/* The same with namespace i + 1 of @types[i] (NULL or a NULL entry: the default type). */
void th_init_types(struct th *t, const u64 *sizes, const u32 *shifts,
		   const struct nvmev_type *const *types, const u64 *read_ns, u64 uid);
/*
 * Before th_init_types: tunable @name of every zoned or conventional media
 * instance it makes is @v (their time tunables are 0 unless set so: the
 * clock stands still). th_fini forgets them.
 */
void th_tunable(const char *name, u64 v);
void th_fini(struct th *t);
bool th_enable(struct th *t);
bool th_enable_css(struct th *t, u32 css);	/* CC.CSS */
void th_run(struct th *t);
bool th_reap(struct th *t, u16 qid, struct th_cqe *cqe);
u16 th_admin(struct th *t, struct nvme_sqe *cmd, u32 *dw0);
void th_submit(struct th *t, u16 qid, struct nvme_sqe *cmd);
void th_poll_workers(struct th *t);
u16 th_io(struct th *t, u16 qid, struct nvme_sqe *cmd);
bool th_create_io_pair(struct th *t, u16 qid, u16 size);
void sqe_init(struct nvme_sqe *c, u8 opc, u16 cid, u32 nsid);
void sqe_rw(struct nvme_sqe *c, u8 opc, u64 slba, u32 nlb, u64 buf);

/* assertions */
extern int t_pass, t_fail;
extern const char *t_name;
#define CHECK(cond) do {							\
	if (cond) { t_pass++; } else {						\
		t_fail++;							\
		fprintf(stderr, "FAIL %s: %s:%d: %s\n", t_name, __FILE__, __LINE__, #cond); \
	}									\
} while (0)
#define CHECK_EQ(a, b) do {							\
	unsigned long long _a = (a), _b = (b);					\
	if (_a == _b) { t_pass++; } else {					\
		t_fail++;							\
		fprintf(stderr, "FAIL %s: %s:%d: %s == %s (0x%llx != 0x%llx)\n", \
			t_name, __FILE__, __LINE__, #a, #b, _a, _b);		\
	}									\
} while (0)

struct unit_test {
	const char *name;
	void (*fn)(void);
};
#define UNIT_TEST(fn) \
	static void fn(void); \
	__attribute__((constructor)) static void reg_##fn(void) { unit_register(#fn, fn); } \
	static void fn(void)
void unit_register(const char *name, void (*fn)(void));

#endif
