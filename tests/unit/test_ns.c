// SPDX-License-Identifier: GPL-2.0-only
/*
 * Several namespaces on one controller, and the I/O command set plumbing
 * (CAP.CSS, CC.CSS, Identify CNS 05h-08h and 1Ch, the I/O Command Set
 * Profile feature, the effects log per CSI).
 */
#include <string.h>

#include "th.h"
#include "kv.h"
#include "zns.h"

#define DNR NVME_STATUS_DNR
#define MiB (1u << 20)

/* NSIDs 1, 2 and 5: 4 MiB of 512 B blocks, 8 MiB and 2 MiB of 4 KiB blocks */
static const u64 sizes[NVMEV_MAX_NS] = { 4 * MiB, 8 * MiB, 0, 0, 2 * MiB };
static const u32 shifts[NVMEV_MAX_NS] = { 9, 12, 0, 0, 12 };

static u16 admin(struct th *t, u8 opc, u32 nsid, u32 dw10, u32 dw11, u32 dw14, u64 buf, u32 *dw0)
{
	struct nvme_sqe c;

	sqe_init(&c, opc, 7, nsid);
	c.dw[6] = (u32)buf;
	c.dw[7] = (u32)(buf >> 32);
	c.dw[10] = dw10;
	c.dw[11] = dw11;
	c.dw[14] = dw14;
	return th_admin(t, &c, dw0);
}

static u16 identify(struct th *t, u8 cns, u32 nsid, u8 csi, u64 buf)
{
	memset(host_ptr(buf), 0xee, 4096);
	return admin(t, NVME_ADMIN_IDENTIFY, nsid, cns, (u32)csi << 24, 0, buf, NULL);
}

static bool zeroes(const u8 *p, u32 n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void setup(struct th *t)
{
	th_init_ns(t, sizes, shifts, NULL, 0x1234);
	CHECK(th_enable_css(t, NVME_CC_CSS_CSI));
	CHECK(th_create_io_pair(t, 1, 64));
}

static u16 rw(struct th *t, u8 opc, u32 nsid, u64 slba, u32 nlb, u64 buf)
{
	struct nvme_sqe c;

	sqe_rw(&c, opc, slba, nlb, buf);
	c.dw[1] = nsid;
	return th_io(t, 1, &c);
}

UNIT_TEST(ns_identify_several)
{
	struct th t;
	u64 buf;
	u8 *id;

	setup(&t);
	buf = host_alloc(4096);
	id = host_ptr(buf);
	CHECK_EQ(t.c->nr_ns, 3);

	CHECK_EQ(identify(&t, NVME_CNS_CTRL, 0, 0, buf), 0);
	CHECK_EQ(nvme_get32(id, 516), NVMEV_MAX_NS);			/* NN */
	CHECK_EQ(nvme_get64(id, 280), 18ull * MiB);			/* TNVMCAP: the storage */
	CHECK_EQ(nvme_get64(id, 296), 4ull * MiB);			/* UNVMCAP */

	CHECK_EQ(identify(&t, NVME_CNS_NS_ACTIVE_LIST, 0, 0, buf), 0);
	CHECK_EQ(nvme_get32(id, 0), 1);
	CHECK_EQ(nvme_get32(id, 4), 2);
	CHECK_EQ(nvme_get32(id, 8), 5);
	CHECK_EQ(nvme_get32(id, 12), 0);
	CHECK(zeroes(id + 12, 4096 - 12));
	CHECK_EQ(identify(&t, NVME_CNS_NS_ACTIVE_LIST, 2, 0, buf), 0);
	CHECK_EQ(nvme_get32(id, 0), 5);
	CHECK_EQ(nvme_get32(id, 4), 0);
	CHECK_EQ(identify(&t, NVME_CNS_NS_ACTIVE_LIST, 5, 0, buf), 0);
	CHECK(zeroes(id, 4096));
	CHECK_EQ(identify(&t, NVME_CNS_CS_NS_ACTIVE_LIST, 1, NVME_CSI_NVM, buf), 0);
	CHECK_EQ(nvme_get32(id, 0), 2);
	CHECK_EQ(nvme_get32(id, 4), 5);
	CHECK_EQ(identify(&t, NVME_CNS_CS_NS_ACTIVE_LIST, 0, 3, buf), NVME_SC_INVALID_FIELD | DNR);

	/* each namespace its own size and format */
	CHECK_EQ(identify(&t, NVME_CNS_NS, 1, 0, buf), 0);
	CHECK_EQ(nvme_get64(id, 0), 4 * MiB / 512);
	CHECK_EQ((nvme_get32(id, 128 + 4 * (id[26] & 0xf)) >> 16) & 0xff, 9);
	CHECK_EQ(identify(&t, NVME_CNS_NS, 2, 0, buf), 0);
	CHECK_EQ(nvme_get64(id, 0), 8 * MiB / 4096);
	CHECK_EQ((nvme_get32(id, 128 + 4 * (id[26] & 0xf)) >> 16) & 0xff, 12);
	CHECK_EQ(identify(&t, NVME_CNS_NS, 5, 0, buf), 0);
	CHECK_EQ(nvme_get64(id, 0), 2 * MiB / 4096);
	CHECK_EQ(nvme_get64(id, 48), 2 * MiB);				/* NVMCAP */
	/* inactive NSIDs in 1..NN: zero-filled; beyond NN: invalid */
	CHECK_EQ(identify(&t, NVME_CNS_NS, 3, 0, buf), 0);
	CHECK(zeroes(id, 4096));
	CHECK_EQ(identify(&t, NVME_CNS_NS, NVMEV_MAX_NS, 0, buf), 0);
	CHECK(zeroes(id, 4096));
	CHECK_EQ(identify(&t, NVME_CNS_NS, NVMEV_MAX_NS + 1, 0, buf), NVME_SC_INVALID_NS | DNR);
	CHECK_EQ(identify(&t, NVME_CNS_NS_DESC_LIST, 3, 0, buf), NVME_SC_INVALID_NS | DNR);
	CHECK_EQ(identify(&t, NVME_CNS_NS_CS_INDEP, 3, 0, buf), 0);
	CHECK(zeroes(id, 4096));
	CHECK_EQ(identify(&t, NVME_CNS_NS_CS_INDEP, 5, 0, buf), 0);
	CHECK_EQ(id[14] & 1, 1);					/* NSTAT ready */
	CHECK_EQ(identify(&t, NVME_CNS_NS_CS_INDEP, 0, 0, buf), NVME_SC_INVALID_NS | DNR);
	th_fini(&t);
}

/* NGUID, EUI-64 and UUID of every namespace differ, here and on another controller. */
UNIT_TEST(ns_identity_unique)
{
	static u8 ids[2][3][40];
	static const u32 nsids[3] = { 1, 2, 5 };
	struct th t;
	u32 k, i, j, a, b;
	u64 buf;
	u8 *id;

	for (k = 0; k < 2; k++) {
		setup(&t);
		if (k == 1) {	/* a second device: another uid */
			th_fini(&t);
			th_init_ns(&t, sizes, shifts, NULL, 0x1235);
			CHECK(th_enable(&t));
		}
		buf = host_alloc(4096);
		id = host_ptr(buf);
		for (i = 0; i < 3; i++) {
			CHECK_EQ(identify(&t, NVME_CNS_NS_DESC_LIST, nsids[i], 0, buf), 0);
			memcpy(ids[k][i], id + 4, 8);		/* EUI-64 */
			memcpy(ids[k][i] + 8, id + 16, 16);	/* NGUID */
			memcpy(ids[k][i] + 24, id + 36, 16);	/* UUID */
			CHECK_EQ(id[56], NVME_CSI_NVM);
			/* Identify Namespace carries the same NGUID and EUI-64 */
			CHECK_EQ(identify(&t, NVME_CNS_NS, nsids[i], 0, buf), 0);
			CHECK(!memcmp(id + 104, ids[k][i] + 8, 16));
			CHECK(!memcmp(id + 120, ids[k][i], 8));
		}
		th_fini(&t);
	}
	for (a = 0; a < 6; a++)
		for (b = a + 1; b < 6; b++)
			for (j = 0; j < 3; j++)
				CHECK(memcmp(ids[a / 3][a % 3] + (j ? 8 + (j - 1) * 16 : 0),
					     ids[b / 3][b % 3] + (j ? 8 + (j - 1) * 16 : 0),
					     j ? 16 : 8));
}

UNIT_TEST(ns_io_lands_in_its_namespace)
{
	struct th t;
	u64 buf, rbuf;

	setup(&t);
	buf = host_alloc(8192);
	rbuf = host_alloc(8192);
	memset(host_ptr(buf), 0x11, 4096);
	CHECK_EQ(rw(&t, NVME_CMD_WRITE, 2, 3, 1, buf), 0);
	memset(host_ptr(buf), 0x55, 4096);
	CHECK_EQ(rw(&t, NVME_CMD_WRITE, 5, 3, 1, buf), 0);
	memset(host_ptr(buf), 0x99, 4096);
	CHECK_EQ(rw(&t, NVME_CMD_WRITE, 1, 3, 8, buf), 0);
	CHECK(t.ns_data[1][3 * 4096] == 0x11 && t.ns_data[1][4 * 4096 - 1] == 0x11);
	CHECK(t.ns_data[4][3 * 4096] == 0x55);
	CHECK(t.ns_data[0][3 * 512] == 0x99 && t.ns_data[0][11 * 512 - 1] == 0x99);
	CHECK(t.ns_data[0][11 * 512] == 0);
	CHECK_EQ(rw(&t, NVME_CMD_READ, 5, 3, 1, rbuf), 0);
	CHECK_EQ(((u8 *)host_ptr(rbuf))[0], 0x55);
	CHECK_EQ(rw(&t, NVME_CMD_READ, 2, 3, 1, rbuf), 0);
	CHECK_EQ(((u8 *)host_ptr(rbuf))[4095], 0x11);
	/* the deallocation map is per namespace: block 4 of NSID 2 was never written */
	CHECK_EQ(rw(&t, NVME_CMD_READ, 2, 4, 1, rbuf), 0);
	CHECK(zeroes(host_ptr(rbuf), 4096));
	/* each namespace's own capacity */
	CHECK_EQ(rw(&t, NVME_CMD_READ, 5, 2 * MiB / 4096 - 1, 1, rbuf), 0);
	CHECK_EQ(rw(&t, NVME_CMD_READ, 5, 2 * MiB / 4096, 1, rbuf), NVME_SC_LBA_RANGE | DNR);
	CHECK_EQ(rw(&t, NVME_CMD_READ, 2, 2 * MiB / 4096, 1, rbuf), 0);
	/* inactive, out of range and broadcast NSIDs */
	CHECK_EQ(rw(&t, NVME_CMD_WRITE, 3, 0, 1, buf), NVME_SC_INVALID_NS | DNR);
	CHECK_EQ(rw(&t, NVME_CMD_WRITE, NVMEV_MAX_NS + 1, 0, 1, buf), NVME_SC_INVALID_NS | DNR);
	CHECK_EQ(rw(&t, NVME_CMD_WRITE, 0, 0, 1, buf), NVME_SC_INVALID_NS | DNR);
	CHECK_EQ(rw(&t, NVME_CMD_READ, 0xffffffff, 0, 1, rbuf), NVME_SC_INVALID_NS | DNR);
	CHECK_EQ(rw(&t, NVME_CMD_FLUSH, 0xffffffff, 0, 1, 0), 0);
	CHECK_EQ(rw(&t, NVME_CMD_FLUSH, 5, 0, 1, 0), 0);
	CHECK_EQ(rw(&t, NVME_CMD_FLUSH, 4, 0, 1, 0), NVME_SC_INVALID_NS | DNR);
	th_fini(&t);
}

/* Each namespace has its own media model instance. */
UNIT_TEST(ns_media_per_namespace)
{
	static const u64 lat[NVMEV_MAX_NS] = { 1000, 50000, 0, 0, 7000 };
	struct nvmev_req req = { .opcode = NVME_CMD_READ, .bytes = 512 };
	struct th t;

	th_init_ns(&t, sizes, shifts, lat, 1);
	CHECK(t.c->ns[0].timing != t.c->ns[1].timing);
	CHECK_EQ(t.c->ns[1].timing->ops->schedule(t.c->ns[1].timing, &req, 100), 100 + 50000);
	CHECK_EQ(t.c->ns[4].timing->ops->schedule(t.c->ns[4].timing, &req, 100), 100 + 7000);
	CHECK_EQ(t.c->ns[0].timing->ops->schedule(t.c->ns[0].timing, &req, 100), 100 + 1000);
	th_fini(&t);
}

UNIT_TEST(ns_command_set_plumbing)
{
	struct th t;
	u32 dw0 = 0;
	u64 buf, cap;
	u8 *p;

	/* CAP.CSS: the NVM command set and "I/O command sets" */
	th_init_ns(&t, sizes, shifts, NULL, 1);
	cap = nvme_get64(t.bar, NVME_REG_CAP);
	CHECK(cap & NVME_CAP_CSS_NVM);
	CHECK(cap & NVME_CAP_CSS_CSI);
	CHECK(!(cap & (1ull << 44)));		/* not "no I/O command set" */
	/* CC.CSS = 111b (admin only) is not offered: enabling fails */
	CHECK(!th_enable_css(&t, 7));
	th_fini(&t);
	/* CC.CSS = 000b (NVM only) works */
	th_init_ns(&t, sizes, shifts, NULL, 1);
	CHECK(th_enable_css(&t, NVME_CC_CSS_NVM));
	th_fini(&t);

	setup(&t);
	buf = host_alloc(8192);
	p = host_ptr(buf);
	/* CNS 1Ch: one combination, the NVM, Key Value and Zoned Namespace command sets */
	CHECK_EQ(identify(&t, NVME_CNS_IOCS, 0, 0, buf), 0);
	CHECK_EQ(nvme_get64(p, 0), 1ull << NVME_CSI_NVM | 1ull << NVME_CSI_KV | 1ull << NVME_CSI_ZNS);
	CHECK(zeroes(p + 8, 4096 - 8));
	/* Feature 19h: index 0 only */
	CHECK_EQ(admin(&t, NVME_ADMIN_SET_FEATURES, 0, NVME_FEAT_IOCS_PROFILE, 0, 0, 0, NULL), 0);
	CHECK_EQ(admin(&t, NVME_ADMIN_SET_FEATURES, 0, NVME_FEAT_IOCS_PROFILE, 1, 0, 0, NULL),
		 NVME_SC_IOCS_COMBINATION_REJECTED | DNR);
	CHECK_EQ(admin(&t, NVME_ADMIN_SET_FEATURES, 0, NVME_FEAT_IOCS_PROFILE, 511, 0, 0, NULL),
		 NVME_SC_IOCS_COMBINATION_REJECTED | DNR);
	dw0 = 0xdead;
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_FEATURES, 0, NVME_FEAT_IOCS_PROFILE, 0, 0, 0, &dw0), 0);
	CHECK_EQ(dw0, 0);
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_FEATURES, 0, NVME_FEAT_IOCS_PROFILE | (3u << 8), 0, 0, 0,
		       &dw0), 0);
	CHECK_EQ(dw0 & 7, 4);			/* SEL=3: changeable */
	/* CNS 05h/06h by CSI */
	CHECK_EQ(identify(&t, NVME_CNS_CS_NS, 2, NVME_CSI_NVM, buf), 0);
	CHECK_EQ(identify(&t, NVME_CNS_CS_NS, 2, 2, buf), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(identify(&t, NVME_CNS_CS_NS, 3, NVME_CSI_NVM, buf), 0);
	CHECK(zeroes(p, 4096));
	CHECK_EQ(identify(&t, NVME_CNS_CS_CTRL, 0, NVME_CSI_NVM, buf), 0);
	CHECK_EQ(p[1], 16 + 9 - 12);		/* WZSL for the 512 B namespace */
	CHECK_EQ(identify(&t, NVME_CNS_CS_CTRL, 0, NVME_CSI_KV, buf), 0);
	CHECK_EQ(identify(&t, NVME_CNS_CS_CTRL, 0, 3, buf), NVME_SC_INVALID_FIELD | DNR);
	/* the effects log per CSI (CDW14 bits 31:24) */
	memset(p, 0xee, 4096);
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_LOG_PAGE, 0, NVME_LOG_CMD_EFFECTS | (1023u << 16), 0,
		       (u32)NVME_CSI_NVM << 24, buf, NULL), 0);
	CHECK_EQ(nvme_get32(p, NVME_ADMIN_IDENTIFY * 4), NVME_CSE_CSUPP);
	CHECK_EQ(nvme_get32(p, 1024 + NVME_CMD_READ * 4), NVME_CSE_CSUPP);
	CHECK_EQ(nvme_get32(p, 1024 + NVME_CMD_WRITE * 4), NVME_CSE_CSUPP | NVME_CSE_LBCC);
	CHECK_EQ(nvme_get32(p, 1024 + 0x7d * 4), 0);
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_LOG_PAGE, 0, NVME_LOG_CMD_EFFECTS | (1023u << 16), 0,
		       3u << 24, buf, NULL), NVME_SC_INVALID_FIELD | DNR);
	th_fini(&t);
}

/* A controller must have an active namespace with a valid format. */
UNIT_TEST(ns_config_validated)
{
	static const u64 one[NVMEV_MAX_NS] = { 0, 0, 1 * MiB };
	struct nvmev_config cfg = { 0 };
	struct th t;

	/* the single-namespace shorthand still works (th_init) */
	th_init(&t, 12, 1 * MiB);
	CHECK_EQ(t.c->nr_ns, 1);
	CHECK(nvmev_ns_get(t.c, 1) != NULL);
	CHECK(nvmev_ns_get(t.c, 2) == NULL);
	th_fini(&t);
	/* NSID 3 only */
	th_init_ns(&t, one, (const u32[NVMEV_MAX_NS]){ 0, 0, 12 }, NULL, 1);
	CHECK(nvmev_ns_get(t.c, 1) == NULL);
	CHECK(nvmev_ns_get(t.c, 3) != NULL);
	CHECK(nvmev_ns_get(t.c, 0) == NULL);
	CHECK(nvmev_ns_get(t.c, NVMEV_MAX_NS + 1) == NULL);
	th_fini(&t);
	/* a namespace with a block size other than 512 or 4096 is refused */
	cfg = (struct nvmev_config){ 0 };
	{
		static u8 data[4 << 20];
		static u64 map[(4 << 20) / 512 / 64];
		struct nvmev_nvm_timing tm;
		struct nvmev_ctrl *c = calloc(1, sizeof(*c));
		struct nvmev_worker *w = calloc(1, sizeof(*w));
		u8 bar[NVMEV_BAR_REGS_SIZE];

		nvmev_nvm_timing_init(&tm, 0, 0, 0, 1);
		cfg.bar = bar;
		cfg.max_io_queues = 1;
		cfg.nr_workers = 1;
		cfg.storage = data;
		cfg.storage_size = sizeof(data);
		cfg.dealloc = map;
		cfg.timing = &tm.base;
		cfg.ns[0] = (struct nvmev_ns_config){ .cmd_set = nvmev_cmd_set_default(),
			.offset = 0, .size = 1 << 20, .lba_shift = 10 };
		CHECK(nvmev_ctrl_init(c, &cfg, &w) != 0);
		cfg.ns[0].lba_shift = 12;
		cfg.ns[0].size = 100;	/* less than a block */
		CHECK(nvmev_ctrl_init(c, &cfg, &w) != 0);
		cfg.ns[0].size = 1 << 20;
		cfg.ns[0].offset = 4096;	/* not on the granule */
		CHECK(nvmev_ctrl_init(c, &cfg, &w) != 0);
		cfg.ns[0].offset = 3 << 20;
		cfg.ns[0].size = 2 << 20;	/* past the storage */
		CHECK(nvmev_ctrl_init(c, &cfg, &w) != 0);
		cfg.ns[0].offset = 0;
		cfg.ns[1] = cfg.ns[0];		/* overlapping */
		CHECK(nvmev_ctrl_init(c, &cfg, &w) != 0);
		cfg.ns[1].offset = 2 << 20;
		CHECK_EQ(nvmev_ctrl_init(c, &cfg, &w), 0);
		CHECK_EQ(c->nr_ns, 2);
		cfg.timing = NULL;		/* no media */
		CHECK(nvmev_ctrl_init(c, &cfg, &w) != 0);
		free(c);
		free(w);
	}
}

/* ---- Namespace Management and Attachment ---- */

static u16 ns_create(struct th *t, u64 nsze, u64 ncap, u8 flbas, u8 csi, u32 *nsid)
{
	u64 buf = host_alloc(4096);
	u8 *d = host_ptr(buf);

	nvme_put64(d, 0, nsze);
	nvme_put64(d, 8, ncap);
	d[26] = flbas;
	return admin(t, NVME_ADMIN_NS_MGMT, 0, 0, (u32)csi << 24, 0, buf, nsid);
}

static u16 ns_attach(struct th *t, u32 nsid, u32 sel, u16 n, u16 id0, u16 id1)
{
	u64 buf = host_alloc(4096);
	u8 *d = host_ptr(buf);

	nvme_put16(d, 0, n);
	nvme_put16(d, 2, id0);
	nvme_put16(d, 4, id1);
	return admin(t, NVME_ADMIN_NS_ATTACH, nsid, sel, 0, 0, buf, NULL);
}

static u16 ns_delete(struct th *t, u32 nsid)
{
	return admin(t, NVME_ADMIN_NS_MGMT, nsid, 1, 0, 0, 0, NULL);
}

static u32 first_active(struct th *t, u8 cns, u32 i)
{
	u64 buf = host_alloc(4096);

	CHECK_EQ(identify(t, cns, 0, 0, buf), 0);
	return nvme_get32(host_ptr(buf), 4 * i);
}

UNIT_TEST(nsmgmt_create_attach_detach_delete)
{
	static const u64 one[NVMEV_MAX_NS] = { 4 * MiB };
	static const u32 sh[NVMEV_MAX_NS] = { 12 };
	struct th t;
	struct th_cqe cqe;
	struct nvme_sqe c;
	u32 nsid = 0;
	u64 buf, io;
	u8 *id;

	th_init_ns(&t, one, sh, NULL, 7);
	CHECK(th_enable_css(&t, NVME_CC_CSS_CSI));
	CHECK(th_create_io_pair(&t, 1, 64));
	buf = host_alloc(4096);
	io = host_alloc(4096);
	id = host_ptr(buf);
	CHECK_EQ(identify(&t, NVME_CNS_CTRL, 0, 0, buf), 0);
	CHECK(nvme_get16(id, 256) & NVME_OACS_NS_MGMT);
	CHECK(nvme_get32(id, 92) & NVME_OAES_NS_ATTR);
	CHECK_EQ(nvme_get64(id, 280), 8ull * MiB);	/* TNVMCAP */
	CHECK_EQ(nvme_get64(id, 296), 4ull * MiB);	/* UNVMCAP */
	/* namespace attribute notices on, one AER outstanding */
	CHECK_EQ(admin(&t, NVME_ADMIN_SET_FEATURES, 0, NVME_FEAT_ASYNC_EVENT, NVME_AEN_CFG_NS_ATTR,
		       0, 0, NULL), 0);
	sqe_init(&c, NVME_ADMIN_ASYNC_EVENT, 60, 0);
	th_submit(&t, 0, &c);
	th_run(&t);

	/* create: the lowest free NSID, not attached yet */
	CHECK_EQ(ns_create(&t, 2 * MiB / 4096, 2 * MiB / 4096, 1, NVME_CSI_NVM, &nsid), 0);
	CHECK_EQ(nsid, 2);
	CHECK_EQ(identify(&t, NVME_CNS_NS, 2, 0, buf), 0);
	CHECK(zeroes(id, 4096));
	CHECK_EQ(identify(&t, NVME_CNS_NS_ALLOC, 2, 0, buf), 0);
	CHECK_EQ(nvme_get64(id, 0), 2 * MiB / 4096);
	CHECK_EQ(id[26] & 0xf, 1);				/* FLBAS: 4 KiB */
	CHECK_EQ(first_active(&t, NVME_CNS_NS_ALLOC_LIST, 1), 2);
	CHECK_EQ(first_active(&t, NVME_CNS_NS_ACTIVE_LIST, 1), 0);
	CHECK_EQ(identify(&t, NVME_CNS_NS_CTRL_LIST, 2, 0, buf), 0);
	CHECK_EQ(nvme_get16(id, 0), 0);
	CHECK_EQ(identify(&t, NVME_CNS_CTRL, 0, 0, buf), 0);
	CHECK_EQ(nvme_get64(id, 296), 2ull * MiB);	/* UNVMCAP */
	sqe_rw(&c, NVME_CMD_READ, 0, 1, io);
	c.dw[1] = 2;
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_NS | DNR);

	/* attach: the event, the Changed Namespace List, I/O works */
	CHECK_EQ(ns_attach(&t, 2, 0, 1, 1, 0), 0);
	th_run(&t);
	CHECK(th_reap(&t, 0, &cqe));
	CHECK_EQ(cqe.cid, 60);
	CHECK_EQ(cqe.dw0 & 7, NVME_AER_TYPE_NOTICE);
	CHECK_EQ((cqe.dw0 >> 8) & 0xff, NVME_AER_NOTICE_NS_CHANGED);
	CHECK_EQ((cqe.dw0 >> 16) & 0xff, NVME_LOG_CHANGED_NS);
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_LOG_PAGE, 0, NVME_LOG_CHANGED_NS | (1023u << 16), 0, 0,
		       buf, NULL), 0);
	CHECK_EQ(nvme_get32(id, 0), 2);
	CHECK_EQ(nvme_get32(id, 4), 0);
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_LOG_PAGE, 0, NVME_LOG_CHANGED_NS | (1023u << 16), 0, 0,
		       buf, NULL), 0);
	CHECK(zeroes(id, 4096));				/* read clears it */
	CHECK_EQ(first_active(&t, NVME_CNS_NS_ACTIVE_LIST, 1), 2);
	CHECK_EQ(identify(&t, NVME_CNS_NS_CTRL_LIST, 2, 0, buf), 0);
	CHECK_EQ(nvme_get16(id, 0), 1);
	CHECK_EQ(nvme_get16(id, 2), 1);
	CHECK_EQ(identify(&t, NVME_CNS_CTRL_LIST, 0, 0, buf), 0);
	CHECK_EQ(nvme_get16(id, 0), 1);
	memset(host_ptr(io), 0x3c, 4096);
	sqe_rw(&c, NVME_CMD_WRITE, 511, 1, io);
	c.dw[1] = 2;
	CHECK_EQ(th_io(&t, 1, &c), 0);
	sqe_rw(&c, NVME_CMD_WRITE, 512, 1, io);
	c.dw[1] = 2;
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_LBA_RANGE | DNR);

	/* attachment errors */
	CHECK_EQ(ns_attach(&t, 2, 0, 1, 1, 0), NVME_SC_NS_ALREADY_ATTACHED | DNR);
	CHECK_EQ(ns_attach(&t, 2, 1, 0, 1, 0), NVME_SC_CTRL_LIST_INVALID | DNR);
	CHECK_EQ(ns_attach(&t, 2, 1, 1, 9, 0), NVME_SC_CTRL_LIST_INVALID | DNR);
	CHECK_EQ(ns_attach(&t, 2, 1, 2, 1, 1), NVME_SC_CTRL_LIST_INVALID | DNR);
	CHECK_EQ(ns_attach(&t, 3, 0, 1, 1, 0), NVME_SC_INVALID_NS | DNR);
	CHECK_EQ(ns_attach(&t, 2, 2, 1, 1, 0), NVME_SC_INVALID_FIELD | DNR);

	/* creation errors */
	CHECK_EQ(ns_create(&t, 3 * MiB / 4096, 3 * MiB / 4096, 1, NVME_CSI_NVM, &nsid),
		 NVME_SC_NS_INSUFFICIENT_CAP | DNR);
	CHECK_EQ(ns_create(&t, 8, 4, 1, NVME_CSI_NVM, &nsid), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(ns_create(&t, 0, 0, 1, NVME_CSI_NVM, &nsid), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(ns_create(&t, 8, 8, 2, NVME_CSI_NVM, &nsid), NVME_SC_INVALID_FORMAT | DNR);
	CHECK_EQ(ns_create(&t, 8, 8, 1, 3, &nsid), NVME_SC_IOCS_NOT_SUPPORTED | DNR);
	/* a zoned namespace needs zoned media, which this controller has not */
	CHECK_EQ(ns_create(&t, 8, 8, 1, NVME_CSI_ZNS, &nsid), NVME_SC_IOCS_NOT_SUPPORTED | DNR);
	CHECK_EQ(ns_create(&t, ~0ull, ~0ull, 0, NVME_CSI_NVM, &nsid),
		 NVME_SC_NS_INSUFFICIENT_CAP | DNR);
	CHECK_EQ(admin(&t, NVME_ADMIN_NS_MGMT, 0, 5, 0, 0, 0, NULL), NVME_SC_INVALID_FIELD | DNR);

	/* detach: I/O ends, an event again (one AER pending: none outstanding now) */
	CHECK_EQ(ns_attach(&t, 2, 1, 1, 1, 0), 0);
	CHECK_EQ(ns_attach(&t, 2, 1, 1, 1, 0), NVME_SC_NS_NOT_ATTACHED | DNR);
	sqe_rw(&c, NVME_CMD_READ, 0, 1, io);
	c.dw[1] = 2;
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_NS | DNR);
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_LOG_PAGE, 0, NVME_LOG_CHANGED_NS | (1023u << 16), 0, 0,
		       buf, NULL), 0);
	CHECK_EQ(nvme_get32(id, 0), 2);

	/* delete, then a new namespace in the same place reads as zeroes */
	CHECK_EQ(identify(&t, NVME_CNS_NS_ALLOC, 2, 0, buf), 0);
	memcpy(host_ptr(io), id + 104, 24);		/* NGUID, EUI-64 */
	CHECK_EQ(ns_delete(&t, 2), 0);
	CHECK_EQ(ns_delete(&t, 2), NVME_SC_INVALID_NS | DNR);
	CHECK_EQ(first_active(&t, NVME_CNS_NS_ALLOC_LIST, 1), 0);
	CHECK_EQ(ns_create(&t, 4 * MiB / 512, 4 * MiB / 512, 0, NVME_CSI_NVM, &nsid), 0);
	CHECK_EQ(nsid, 2);
	CHECK_EQ(identify(&t, NVME_CNS_NS_ALLOC, 2, 0, buf), 0);
	/* the same NSID, new identifiers */
	CHECK(memcmp(host_ptr(io), id + 104, 16) && memcmp((u8 *)host_ptr(io) + 16, id + 120, 8));
	CHECK_EQ(ns_attach(&t, 2, 0, 1, 1, 0), 0);
	memset(host_ptr(io), 0xaa, 4096);
	sqe_rw(&c, NVME_CMD_READ, 511 * 8, 8, io);
	c.dw[1] = 2;
	CHECK_EQ(th_io(&t, 1, &c), 0);
	CHECK(zeroes(host_ptr(io), 4096));
	/* delete all */
	CHECK_EQ(ns_delete(&t, 0xffffffff), 0);
	CHECK_EQ(first_active(&t, NVME_CNS_NS_ALLOC_LIST, 0), 0);
	CHECK_EQ(t.c->nr_ns, 0);
	CHECK_EQ(ns_create(&t, 1, 1, 0, NVME_CSI_NVM, &nsid), 0);
	CHECK_EQ(nsid, 1);
	/* the effects log: they change the namespace inventory */
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_LOG_PAGE, 0, NVME_LOG_CMD_EFFECTS | (1023u << 16), 0, 0,
		       buf, NULL), 0);
	CHECK_EQ(nvme_get32(id, NVME_ADMIN_NS_MGMT * 4) & 0xf,
		 NVME_CSE_CSUPP | NVME_CSE_NCC | NVME_CSE_NIC);
	CHECK_EQ(nvme_get32(id, NVME_ADMIN_NS_ATTACH * 4) & 0xf,
		 NVME_CSE_CSUPP | NVME_CSE_NCC | NVME_CSE_NIC);
	th_fini(&t);
}

/* Sixteen NSIDs at most; the extents are found first-fit. */
UNIT_TEST(nsmgmt_identifiers_and_capacity)
{
	u64 many[NVMEV_MAX_NS];
	u32 sh[NVMEV_MAX_NS], i, nsid = 0;
	struct th t;

	for (i = 0; i < NVMEV_MAX_NS; i++) {
		many[i] = i < NVMEV_MAX_NS - 1 ? 1 * MiB : 0;
		sh[i] = 9;
	}
	th_init_ns(&t, many, sh, NULL, 9);
	CHECK(th_enable(&t));
	CHECK_EQ(ns_create(&t, 1, 1, 0, NVME_CSI_NVM, &nsid), 0);
	CHECK_EQ(nsid, NVMEV_MAX_NS);
	CHECK_EQ(ns_create(&t, 1, 1, 0, NVME_CSI_NVM, &nsid), NVME_SC_NS_ID_UNAVAILABLE | DNR);
	/* free NSID 3 (offset 2 MiB): a 1 MiB namespace goes there */
	CHECK_EQ(ns_delete(&t, 3), 0);
	CHECK_EQ(ns_create(&t, 2048, 2048, 0, NVME_CSI_NVM, &nsid), 0);
	CHECK_EQ(nsid, 3);
	CHECK_EQ(t.c->ns[2].offset, 2 * MiB);
	/* 4 MiB of spare at the end (minus NSID 16's 1 MiB): 2 MiB fits, 4 MiB not */
	CHECK_EQ(ns_delete(&t, 5), 0);
	CHECK_EQ(ns_create(&t, 4096, 4096, 0, NVME_CSI_NVM, &nsid), 0);
	CHECK_EQ(t.c->ns[4].offset, 16 * MiB);
	CHECK_EQ(ns_delete(&t, 6), 0);
	CHECK_EQ(ns_create(&t, 8192, 8192, 0, NVME_CSI_NVM, &nsid), NVME_SC_NS_INSUFFICIENT_CAP | DNR);
	th_fini(&t);
}

/* A deletion waits for the I/O fetched before it; a reset abandons it. */
UNIT_TEST(nsmgmt_delete_waits_for_inflight_io)
{
	static const u64 two[NVMEV_MAX_NS] = { 1 * MiB, 1 * MiB };
	static const u32 sh[NVMEV_MAX_NS] = { 12, 12 };
	static const u64 slow[NVMEV_MAX_NS] = { 0, 0 };
	struct nvmev_nvm_timing *tm;
	struct nvme_sqe c;
	struct th_cqe cqe;
	struct th t;
	u64 io;
	int got = 0;

	th_init_ns(&t, two, sh, slow, 3);
	tm = &t.ns_timing[1];
	tm->write_latency_ns = 1000000;		/* NSID 2's writes take 1 ms */
	CHECK(th_enable(&t));
	CHECK(th_create_io_pair(&t, 1, 64));
	io = host_alloc(4096);
	memset(host_ptr(io), 0x5e, 4096);
	sqe_rw(&c, NVME_CMD_WRITE, 7, 1, io);
	c.dw[1] = 2;
	c.dw[0] = (c.dw[0] & 0xffff) | (77u << 16);
	th_submit(&t, 1, &c);
	th_run(&t);
	CHECK(!th_reap(&t, 1, &cqe));		/* the write waits for its time */
	sqe_init(&c, NVME_ADMIN_NS_MGMT, 78, 2);
	c.dw[10] = 1;
	th_submit(&t, 0, &c);
	th_run(&t);
	CHECK(!th_reap(&t, 0, &cqe));		/* the deletion waits for it */
	CHECK(t.c->ns[1].cmd_set != NULL);
	CHECK(nvmev_ns_get(t.c, 2) == NULL);	/* but no new command reaches NSID 2 */
	fake_now += 2000000;
	th_run(&t);
	while (th_reap(&t, 1, &cqe))
		got += cqe.cid == 77 && cqe.status == 0;
	CHECK_EQ(got, 1);
	th_run(&t);
	CHECK(th_reap(&t, 0, &cqe));
	CHECK_EQ(cqe.cid, 78);
	CHECK_EQ(cqe.status, 0);
	CHECK(t.c->ns[1].cmd_set == NULL);
	CHECK_EQ(t.ns_data[1][7 * 4096], 0x5e);	/* the write landed before the extent was freed */

	/* a reset while a deletion waits: the namespace goes with it */
	CHECK(th_create_io_pair(&t, 2, 64));
	tm = &t.ns_timing[0];
	tm->write_latency_ns = 1000000;
	sqe_rw(&c, NVME_CMD_WRITE, 7, 1, io);
	th_submit(&t, 2, &c);
	th_run(&t);
	sqe_init(&c, NVME_ADMIN_NS_MGMT, 79, 1);
	c.dw[10] = 1;
	th_submit(&t, 0, &c);
	th_run(&t);
	CHECK(!th_reap(&t, 0, &cqe));
	nvme_put32(t.bar, NVME_REG_CC, 0);
	th_run(&t);
	CHECK_EQ(t.c->nr_ns, 0);
	CHECK(th_enable(&t));
	th_fini(&t);
}
