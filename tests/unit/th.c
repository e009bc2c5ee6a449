// SPDX-License-Identifier: GPL-2.0-only
/* Test host: platform hooks over simulated memory, and a tiny host driver. */
#include <stdarg.h>
#include <string.h>

#include "th.h"

u8 *host_mem;
u64 fake_now = 1000;
unsigned int irq_count[NVMEV_NR_VECTORS];
unsigned int host_accesses_crossing_pages;
static u64 host_next;
static struct th *cur_th;
static unsigned long relax_spins;
/* Queue mappings, so that an unmap of the wrong length is caught. */
static struct { void *va; u32 len; } maps[2 * (NVMEV_MAX_IO_QUEUES + 1)];
unsigned int unmap_errors, host_writes;

void host_reset(void)
{
	if (!host_mem)
		host_mem = aligned_alloc(4096, HOST_SIZE);
	memset(host_mem, 0, HOST_SIZE);
	host_next = HOST_BASE;
	memset(irq_count, 0, sizeof(irq_count));
	host_accesses_crossing_pages = 0;
	host_bme = true;
	memset(maps, 0, sizeof(maps));
	unmap_errors = 0;
	host_writes = 0;
	fake_now = 1000;
}

static bool host_range_ok(u64 addr, u32 len)
{
	if (addr < HOST_BASE || addr + len > HOST_BASE + HOST_SIZE || addr + len < addr)
		return false;
	if ((addr & 4095) + len > 4096)
		host_accesses_crossing_pages++;
	return true;
}

void *host_ptr(u64 addr)
{
	return host_mem + (addr - HOST_BASE);
}

u64 host_alloc(u32 bytes)
{
	u64 a = host_next;

	host_next += (bytes + 4095) & ~4095u;
	if (host_next > HOST_BASE + HOST_SIZE) {
		fprintf(stderr, "host memory exhausted\n");
		abort();
	}
	memset(host_ptr(a), 0, bytes);
	return a;
}

bool nvmev_plat_host_read(void *plat, u64 addr, void *buf, u32 len)
{
	if (!host_range_ok(addr, len))
		return false;
	memcpy(buf, host_ptr(addr), len);
	return true;
}

bool nvmev_plat_host_write(void *plat, u64 addr, const void *buf, u32 len)
{
	host_writes++;
	if (!host_range_ok(addr, len))
		return false;
	memcpy(host_ptr(addr), buf, len);
	return true;
}


void *nvmev_plat_map_queue(void *plat, u64 addr, u32 len)
{
	unsigned int i;

	if (addr < HOST_BASE || addr + len > HOST_BASE + HOST_SIZE || !len)
		return NULL;
	for (i = 0; i < NVMEV_ARRAY_SIZE(maps); i++) {
		if (!maps[i].va) {
			maps[i].va = host_ptr(addr);
			maps[i].len = len;
			break;
		}
	}
	return host_ptr(addr);
}

void nvmev_plat_unmap_queue(void *plat, void *va, u32 len)
{
	unsigned int i;

	for (i = 0; i < NVMEV_ARRAY_SIZE(maps); i++) {
		if (maps[i].va == va && maps[i].len == len) {
			maps[i].va = NULL;
			return;
		}
	}
	unmap_errors++;
}

u64 nvmev_plat_now_ns(void *plat)
{
	return fake_now;
}

void nvmev_plat_raise_irq(void *plat, u16 vector)
{
	if (vector < NVMEV_NR_VECTORS)
		irq_count[vector]++;
}

unsigned int kicks;

void nvmev_plat_kick_worker(void *plat, u16 worker)
{
	kicks++;
}

void nvmev_plat_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void nvmev_plat_wmb(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

void nvmev_plat_rmb(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

bool host_bme = true;

bool nvmev_plat_bus_master(void *plat)
{
	return host_bme;
}

/* Single-threaded tests: a waiting dispatcher lets the workers run. */
void nvmev_plat_ns_changed(void *plat)
{
}

bool nvmev_plat_relax(void *plat)
{
	int i;

	if (++relax_spins > 1000000) {
		fprintf(stderr, "relax: waited forever\n");
		abort();
	}
	if (cur_th)
		for (i = 0; i < TH_WORKERS; i++)
			nvmev_worker_poll(cur_th->w[i]);
	return true;
}

void nvmev_plat_log(void *plat, enum nvmev_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!getenv("UNIT_VERBOSE"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* A fresh host and controller, and the configuration every test shares. */
static void th_begin(struct th *t, struct nvmev_config *cfg)
{
	int i;

	host_reset();
	memset(t, 0, sizeof(*t));
	t->c = calloc(1, sizeof(*t->c));
	for (i = 0; i < TH_WORKERS; i++)
		t->w[i] = calloc(1, sizeof(*t->w[i]));
	memset(cfg, 0, sizeof(*cfg));
	cfg->bar = t->bar;
	cfg->max_io_queues = 8;
	cfg->nr_workers = TH_WORKERS;
	cfg->cntlid = 1;
	cfg->uid = 0x1234;
	cfg->vid = 0x0c51;
	cfg->ssvid = 0x0c51;
	strcpy(cfg->serial, "NVMEVTEST");
	strcpy(cfg->model, "nvmevirt NVM SSD");
	strcpy(cfg->firmware, "0.1.0");
	cfg->plat = t;
}

/* The storage, and the controller on it. */
static void th_end(struct th *t, struct nvmev_config *cfg)
{
	cfg->storage = t->storage;
	cfg->storage_size = t->storage_size;
	cfg->dealloc = t->dealloc;
	if (nvmev_ctrl_init(t->c, cfg, t->w)) {
		fprintf(stderr, "ctrl init failed\n");
		abort();
	}
	cur_th = t;
	relax_spins = 0;
}

static u64 granules(u64 bytes)
{
	return (bytes + NVMEV_NS_GRANULE - 1) / NVMEV_NS_GRANULE * NVMEV_NS_GRANULE;
}

void th_init_ns(struct th *t, const u64 *sizes, const u32 *shifts, const u64 *read_ns, u64 uid)
{
	th_init_types(t, sizes, shifts, NULL, read_ns, uid);
}

static struct {
	const char *name;
	u64 v;
} overrides[16];
static u32 nr_overrides;

void th_tunable(const char *name, u64 v)
{
	if (nr_overrides < NVMEV_ARRAY_SIZE(overrides)) {
		overrides[nr_overrides].name = name;
		overrides[nr_overrides++].v = v;
	}
}

/*
 * A NAND media instance (zoned, conventional): its defaults, no time, then
 * the test's overrides.
 */
static void nand_media(struct nvmev_timing *z, const struct nvmev_media *m)
{
	u32 j, len;
	bool mbps = false;

	nvmev_media_init_defaults(m, z);
	for (j = 0; j < m->nr_tunables; j++) {
		len = strlen(m->tunables[j].name);
		if (len > 3 && !strcmp(m->tunables[j].name + len - 3, "_ns"))
			nvmev_tunable_set(z, &m->tunables[j], 0);
		if (!strcmp(m->tunables[j].name, "host_mbps"))
			nvmev_tunable_set(z, &m->tunables[j], 0);
	}
	for (j = 0; j < nr_overrides; j++) {
		nvmev_tunable_set(z, nvmev_tunable_find(m, overrides[j].name), overrides[j].v);
		mbps |= !strcmp(overrides[j].name, "channel_mbps");
	}
	if (m->init(z)) {
		fprintf(stderr, "%s media tunables refused\n", m->name);
		abort();
	}
	if (!mbps)	/* transfers take no time either */
		nvmev_tunable_set(z, nvmev_tunable_find(m, "channel_mbps"), 0);
}

void th_init_types(struct th *t, const u64 *sizes, const u32 *shifts,
		   const struct nvmev_type *const *types, const u64 *read_ns, u64 uid)
{
	struct nvmev_config cfg;
	u64 off = 0;
	int i;

	th_begin(t, &cfg);
	cfg.uid = uid;
	/* one storage, namespaces one after the other, plus 4 MiB to spare */
	for (i = 0; i < NVMEV_MAX_NS; i++)
		off += granules(sizes[i]);
	t->storage_size = off + (4u << 20);
	t->storage = calloc(1, t->storage_size);
	t->dealloc = calloc(nvmev_storage_map_words(t->storage_size), 8);
	off = 0;
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		struct nvmev_ns_config *n = &cfg.ns[i];

		const struct nvmev_type *ty = types && types[i] ? types[i] : nvmev_type_at(0);

		nvmev_nvm_timing_init(&t->ns_timing[i], read_ns ? read_ns[i] : 0, 0, 0, 1);
		cfg.ns_timing[i] = &t->ns_timing[i].base;
		if (ty->media == &nvmev_kv_media) {
			/* every latency 0 and no bandwidth limit: the clock stands still */
			nvmev_media_init_defaults(ty->media, &t->kv_timing[i].base);
			for (u32 j = 0; j < ty->media->nr_tunables; j++)
				nvmev_tunable_set(&t->kv_timing[i].base, &ty->media->tunables[j], 0);
			cfg.ns_timing[i] = &t->kv_timing[i].base;
		}
		if (ty->media == &nvmev_zns_media) {
			nand_media(&t->zns_timing[i].base, ty->media);
			cfg.ns_timing[i] = &t->zns_timing[i].base;
		}
		if (ty->media == &nvmev_conv_media) {
			t->media[i] = calloc(1, ty->media->size);
			nand_media(t->media[i], ty->media);
			cfg.ns_timing[i] = t->media[i];
		}
		if (!sizes[i])
			continue;
		t->ns_data[i] = t->storage + off;
		n->cmd_set = ty->cmd_set;
		n->offset = off;
		n->size = sizes[i];
		n->lba_shift = shifts[i];
		off += granules(sizes[i]);
	}
	th_end(t, &cfg);
}

void th_init(struct th *t, u32 lba_shift, u64 storage_size)
{
	struct nvmev_config cfg;

	th_begin(t, &cfg);
	t->storage = calloc(1, storage_size);
	t->storage_size = storage_size;
	t->dealloc = calloc(nvmev_storage_map_words(storage_size), 8);
	nvmev_nvm_timing_init(&t->timing, 0, 0, 0, 1);
	cfg.lba_shift = lba_shift;
	cfg.timing = &t->timing.base;
	th_end(t, &cfg);
}

void th_fini(struct th *t)
{
	int i;

	nvmev_ctrl_fini(t->c);
	free(t->c);
	for (i = 0; i < TH_WORKERS; i++)
		free(t->w[i]);
	free(t->storage);
	free(t->dealloc);
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		free(t->media[i]);
		t->media[i] = NULL;
	}
	cur_th = NULL;
	nr_overrides = 0;
}

static void reg_write32(struct th *t, u32 off, u32 v)
{
	memcpy(t->bar + off, &v, 4);
}

static u32 reg_read32(struct th *t, u32 off)
{
	u32 v;

	memcpy(&v, t->bar + off, 4);
	return v;
}

static void db_write(struct th *t, u32 idx, u32 v)
{
	reg_write32(t, NVME_REG_DBS + idx * 4, v);
}

bool th_enable(struct th *t)
{
	return th_enable_css(t, 0);
}

bool th_enable_css(struct th *t, u32 css)
{
	struct th_queue *q = &t->q[0];

	q->size = 32;
	q->sq = host_alloc(q->size * 64);
	q->cq = host_alloc(q->size * 16);
	q->phase = 1;
	reg_write32(t, NVME_REG_AQA, (u32)(q->size - 1) | ((u32)(q->size - 1) << 16));
	reg_write32(t, NVME_REG_ASQ, (u32)q->sq);
	reg_write32(t, NVME_REG_ASQ + 4, (u32)(q->sq >> 32));
	reg_write32(t, NVME_REG_ACQ, (u32)q->cq);
	reg_write32(t, NVME_REG_ACQ + 4, (u32)(q->cq >> 32));
	reg_write32(t, NVME_REG_CC, NVME_CC_EN | (css << 4) | (6u << 16) | (4u << 20));
	th_run(t);
	return reg_read32(t, NVME_REG_CSTS) & NVME_CSTS_RDY;
}

void th_run(struct th *t)
{
	int i, rounds;

	for (rounds = 0; rounds < 10000; rounds++) {
		bool did = nvmev_ctrl_poll(t->c);

		for (i = 0; i < TH_WORKERS; i++)
			did |= nvmev_worker_poll(t->w[i]);
		if (!did)
			return;
	}
}

void th_poll_workers(struct th *t)
{
	int i;

	for (i = 0; i < TH_WORKERS; i++)
		nvmev_worker_poll(t->w[i]);
}

bool th_reap(struct th *t, u16 qid, struct th_cqe *cqe)
{
	struct th_queue *q = &t->q[qid];
	u8 *e = host_ptr(q->cq + (u64)q->cq_head * 16);
	u32 dw2 = nvme_get32(e, 8), dw3 = nvme_get32(e, 12);

	if (((dw3 >> 16) & 1) != q->phase)
		return false;
	cqe->dw0 = nvme_get32(e, 0);
	cqe->dw1 = nvme_get32(e, 4);
	cqe->sqhd = dw2 & 0xffff;
	cqe->sqid = dw2 >> 16;
	cqe->cid = dw3 & 0xffff;
	cqe->status = (u16)(dw3 >> 17);
	cqe->phase = (dw3 >> 16) & 1;
	if (++q->cq_head == q->size) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	db_write(t, 2 * qid + 1, q->cq_head);
	return true;
}

void th_submit(struct th *t, u16 qid, struct nvme_sqe *cmd)
{
	struct th_queue *q = &t->q[qid];

	memcpy(host_ptr(q->sq + (u64)q->sq_tail * 64), cmd, 64);
	q->sq_tail = (u16)((q->sq_tail + 1) % q->size);
	db_write(t, 2 * qid, q->sq_tail);
}

static u16 th_cmd(struct th *t, u16 qid, struct nvme_sqe *cmd, u32 *dw0)
{
	struct th_cqe cqe;

	th_submit(t, qid, cmd);
	th_run(t);
	if (!th_reap(t, qid, &cqe))
		return 0xffff;	/* no completion */
	if (cqe.cid != nvme_sqe_cid(cmd))
		return 0xfffe;
	if (dw0)
		*dw0 = cqe.dw0;
	return cqe.status;
}

u16 th_admin(struct th *t, struct nvme_sqe *cmd, u32 *dw0)
{
	return th_cmd(t, 0, cmd, dw0);
}

u16 th_io(struct th *t, u16 qid, struct nvme_sqe *cmd)
{
	return th_cmd(t, qid, cmd, NULL);
}

void sqe_init(struct nvme_sqe *c, u8 opc, u16 cid, u32 nsid)
{
	memset(c, 0, sizeof(*c));
	c->dw[0] = opc | ((u32)cid << 16);
	c->dw[1] = nsid;
}

void sqe_rw(struct nvme_sqe *c, u8 opc, u64 slba, u32 nlb, u64 buf)
{
	static u16 cid = 100;

	sqe_init(c, opc, cid++, 1);
	c->dw[6] = (u32)buf;
	c->dw[7] = (u32)(buf >> 32);
	c->dw[10] = (u32)slba;
	c->dw[11] = (u32)(slba >> 32);
	c->dw[12] = nlb - 1;
}

bool th_create_io_pair(struct th *t, u16 qid, u16 size)
{
	struct th_queue *q = &t->q[qid];
	struct nvme_sqe c;

	q->size = size;
	q->sq = host_alloc(size * 64);
	q->cq = host_alloc(size * 16);
	q->phase = 1;
	q->sq_tail = 0;
	q->cq_head = 0;

	sqe_init(&c, NVME_ADMIN_CREATE_CQ, 1, 0);
	c.dw[6] = (u32)q->cq;
	c.dw[7] = (u32)(q->cq >> 32);
	c.dw[10] = qid | ((u32)(size - 1) << 16);
	c.dw[11] = 1 | 2 | ((u32)qid << 16);
	if (th_admin(t, &c, NULL))
		return false;
	sqe_init(&c, NVME_ADMIN_CREATE_SQ, 2, 0);
	c.dw[6] = (u32)q->sq;
	c.dw[7] = (u32)(q->sq >> 32);
	c.dw[10] = qid | ((u32)(size - 1) << 16);
	c.dw[11] = 1 | ((u32)qid << 16);
	return th_admin(t, &c, NULL) == 0;
}

/* ---- runner ---- */

int t_pass, t_fail;
const char *t_name;
static struct unit_test tests[256];
static int nr_tests;

void unit_register(const char *name, void (*fn)(void))
{
	tests[nr_tests].name = name;
	tests[nr_tests].fn = fn;
	nr_tests++;
}

int main(int argc, char **argv)
{
	int i, passed = 0, failed = 0;

	for (i = 0; i < nr_tests; i++) {
		int before = t_fail;

		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		t_name = tests[i].name;
		tests[i].fn();
		if (t_fail == before) {
			passed++;
			printf("PASS %s\n", tests[i].name);
		} else {
			failed++;
			printf("FAIL %s\n", tests[i].name);
		}
	}
	free(host_mem);
	printf("unit tests: %d checks passed, %d checks failed\n", t_pass, t_fail);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
