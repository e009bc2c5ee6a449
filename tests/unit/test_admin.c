// SPDX-License-Identifier: GPL-2.0-only
/* Controller registers and the admin command set. */
#include <string.h>

#include "th.h"

#define DNR NVME_STATUS_DNR
#define MiB (1u << 20)

static bool mem_is(const u8 *p, u8 v, u32 n)
{
	while (n--)
		if (*p++ != v)
			return false;
	return true;
}

static u32 csts(struct th *t)
{
	return nvme_get32(t->bar, NVME_REG_CSTS);
}

static void set_cc(struct th *t, u32 cc)
{
	nvme_put32(t->bar, NVME_REG_CC, cc);
	th_run(t);
}

static u16 identify(struct th *t, u8 cns, u32 nsid, u8 csi, u64 buf)
{
	struct nvme_sqe c;

	sqe_init(&c, NVME_ADMIN_IDENTIFY, 7, nsid);
	c.dw[6] = (u32)buf;
	c.dw[7] = (u32)(buf >> 32);
	c.dw[10] = cns;
	c.dw[11] = (u32)csi << 24;
	return th_admin(t, &c, NULL);
}

static u16 get_log(struct th *t, u8 lid, u32 nsid, u32 bytes, u64 offset, u64 buf)
{
	struct nvme_sqe c;
	u32 numd = bytes / 4 - 1;

	sqe_init(&c, NVME_ADMIN_GET_LOG_PAGE, 8, nsid);
	c.dw[6] = (u32)buf;
	c.dw[7] = (u32)(buf >> 32);
	c.dw[8] = (u32)(buf + 4096);		/* second page, for up to 8 KiB */
	c.dw[9] = (u32)((buf + 4096) >> 32);
	c.dw[10] = lid | (numd << 16);
	c.dw[11] = numd >> 16;
	c.dw[12] = (u32)offset;
	c.dw[13] = (u32)(offset >> 32);
	return th_admin(t, &c, NULL);
}

static u16 features(struct th *t, u8 opc, u32 cdw10, u32 cdw11, u32 *dw0)
{
	struct nvme_sqe c;

	sqe_init(&c, opc, 9, 0);
	c.dw[10] = cdw10;
	c.dw[11] = cdw11;
	return th_admin(t, &c, dw0);
}

UNIT_TEST(ctrl_registers_at_start)
{
	struct th t;
	u64 cap;

	th_init(&t, 9, 4 * MiB);
	cap = nvme_get64(t.bar, NVME_REG_CAP);
	CHECK_EQ(cap & 0xffff, NVMEV_MAX_QUEUE_ENTRIES - 1);	/* MQES */
	CHECK(cap & NVME_CAP_CQR);
	CHECK((cap >> 24 & 0xff) > 0);				/* TO */
	CHECK_EQ((cap >> 32) & 0xf, 0);				/* DSTRD */
	CHECK(cap & NVME_CAP_CSS_NVM);
	CHECK(nvme_get32(t.bar, NVME_REG_VS) >= NVME_VS(1, 4, 0));
	CHECK_EQ(csts(&t), 0);
	th_fini(&t);
}

UNIT_TEST(ctrl_enable_disable_shutdown)
{
	struct th t;

	th_init(&t, 9, 4 * MiB);
	CHECK(th_enable(&t));
	/* normal shutdown notification */
	set_cc(&t, nvme_get32(t.bar, NVME_REG_CC) | (1u << 14));
	CHECK_EQ(csts(&t) & NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT);
	/* disable: RDY clears; enable again: RDY, SHST cleared */
	set_cc(&t, 0);
	CHECK_EQ(csts(&t) & NVME_CSTS_RDY, 0);
	CHECK(th_enable(&t));
	CHECK_EQ(csts(&t) & NVME_CSTS_SHST_MASK, 0);
	/* abrupt shutdown */
	set_cc(&t, nvme_get32(t.bar, NVME_REG_CC) | (2u << 14));
	CHECK_EQ(csts(&t) & NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT);
	th_fini(&t);
}

UNIT_TEST(ctrl_shutdown_completes_fetched_commands_first)
{
	struct th t;
	struct nvme_sqe c;
	struct th_cqe cqe;
	u64 buf;

	th_init(&t, 9, 4 * MiB);
	CHECK(th_enable(&t));
	CHECK(th_create_io_pair(&t, 1, 16));
	t.timing.read_latency_ns = 1000;
	buf = host_alloc(4096);
	sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
	th_submit(&t, 1, &c);
	nvmev_ctrl_poll(t.c);				/* fetched, not completed */
	CHECK(nvmev_ctrl_has_inflight(t.c));
	fake_now += 1000;				/* due: the drain lets it post */
	nvme_put32(t.bar, NVME_REG_CC, nvme_get32(t.bar, NVME_REG_CC) | (1u << 14));
	nvmev_ctrl_poll(t.c);
	CHECK_EQ(csts(&t) & NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_OCCUR);
	th_run(&t);
	CHECK_EQ(csts(&t) & NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT);
	CHECK(!nvmev_ctrl_has_inflight(t.c));
	CHECK(th_reap(&t, 1, &cqe));
	th_fini(&t);
}

UNIT_TEST(ctrl_enable_with_bad_config_is_fatal)
{
	struct th t;

	th_init(&t, 9, 4 * MiB);
	nvme_put32(t.bar, NVME_REG_AQA, 0);	/* a one-entry admin queue */
	set_cc(&t, NVME_CC_EN);
	CHECK(csts(&t) & NVME_CSTS_CFS);
	CHECK(!(csts(&t) & NVME_CSTS_RDY));
	set_cc(&t, 0);
	CHECK(th_enable(&t));
	set_cc(&t, 0);
	nvme_put32(t.bar, NVME_REG_CC, NVME_CC_EN | (1u << 7));	/* MPS 8 KiB */
	th_run(&t);
	CHECK(csts(&t) & NVME_CSTS_CFS);
	th_fini(&t);
}

UNIT_TEST(admin_identify)
{
	struct th t;
	u64 buf;
	u8 *id;

	th_init(&t, 12, 8 * MiB);
	CHECK(th_enable(&t));
	buf = host_alloc(4096);
	id = host_ptr(buf);

	CHECK_EQ(identify(&t, NVME_CNS_CTRL, 0, 0, buf), 0);
	CHECK_EQ(nvme_get16(id, 0), 0x0c51);
	CHECK(!memcmp(id + 4, "NVMEVTEST ", 10));
	CHECK(!memcmp(id + 24, "nvmevirt NVM SSD", 16));
	CHECK_EQ(id[77], NVMEV_MDTS);
	CHECK_EQ(nvme_get16(id, 78), 1);
	CHECK_EQ(nvme_get32(id, 80), NVME_VS(1, 4, 0));
	CHECK_EQ(nvme_get32(id, 516), NVMEV_MAX_NS);		/* NN */
	CHECK_EQ(nvme_get16(id, 520), 0x9d);	/* ONCS: Compare, DSM, WZ, save/select, Verify */
	CHECK_EQ(id[525] & 1, 1);				/* VWC */
	CHECK_EQ(id[512], 0x66);
	CHECK_EQ(id[513], 0x44);
	CHECK(!memcmp(id + 768, "nqn.", 4));

	CHECK_EQ(identify(&t, NVME_CNS_NS, 1, 0, buf), 0);
	CHECK_EQ(nvme_get64(id, 0), 8 * MiB / 4096);
	CHECK_EQ((nvme_get32(id, 128 + 4 * (id[26] & 0xf)) >> 16) & 0xff, 12);	/* LBADS */
	CHECK_EQ(id[33] & 7, 1);				/* DLFEAT: zeroes */
	CHECK(nvme_get64(id, 104) != 0);			/* NGUID */
	/* an inactive NSID in 1..NN: a zero-filled structure */
	memset(id, 0xff, 4096);
	CHECK_EQ(identify(&t, NVME_CNS_NS, 2, 0, buf), 0);
	CHECK(mem_is(id, 0, 4096));
	CHECK_EQ(identify(&t, NVME_CNS_NS, NVMEV_MAX_NS + 1, 0, buf), NVME_SC_INVALID_NS | DNR);
	CHECK_EQ(identify(&t, NVME_CNS_NS, 0, 0, buf), NVME_SC_INVALID_NS | DNR);

	memset(id, 0xff, 4096);
	CHECK_EQ(identify(&t, NVME_CNS_NS_ACTIVE_LIST, 0, 0, buf), 0);
	CHECK_EQ(nvme_get32(id, 0), 1);
	CHECK_EQ(nvme_get32(id, 4), 0);
	CHECK_EQ(identify(&t, NVME_CNS_NS_ACTIVE_LIST, 1, 0, buf), 0);
	CHECK_EQ(nvme_get32(id, 0), 0);
	CHECK_EQ(identify(&t, NVME_CNS_NS_ACTIVE_LIST, 0xffffffff, 0, buf),
		 NVME_SC_INVALID_NS | DNR);

	CHECK_EQ(identify(&t, NVME_CNS_NS_DESC_LIST, 1, 0, buf), 0);
	CHECK_EQ(id[0], NVME_NIDT_EUI64);
	CHECK_EQ(id[1], 8);
	CHECK_EQ(id[12], NVME_NIDT_NGUID);
	CHECK_EQ(id[13], 16);
	CHECK_EQ(id[32], NVME_NIDT_UUID);
	CHECK_EQ(id[33], 16);
	CHECK_EQ(id[36 + 6] >> 4, 8);				/* UUID version 8 */
	CHECK_EQ(id[36 + 8] >> 6, 2);				/* variant 10b */
	CHECK_EQ(id[52], NVME_NIDT_CSI);
	CHECK_EQ(id[53], 1);
	CHECK_EQ(id[56], NVME_CSI_NVM);
	CHECK_EQ(identify(&t, NVME_CNS_NS_DESC_LIST, 2, 0, buf), NVME_SC_INVALID_NS | DNR);

	CHECK_EQ(identify(&t, NVME_CNS_CS_CTRL, 0, 0, buf), 0);
	CHECK_EQ(identify(&t, NVME_CNS_CS_CTRL, 0, 3, buf), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(identify(&t, NVME_CNS_CS_NS, 1, 0, buf), 0);
	CHECK_EQ(identify(&t, NVME_CNS_NS_CS_INDEP, 1, 0, buf), 0);
	CHECK_EQ(identify(&t, 0x55, 0, 0, buf), NVME_SC_INVALID_FIELD | DNR);
	/* a data buffer that is not host memory */
	CHECK_EQ(identify(&t, NVME_CNS_CTRL, 0, 0, 0x1000), NVME_SC_DATA_XFER_ERROR);
	th_fini(&t);
}

UNIT_TEST(admin_get_log_page)
{
	struct th t;
	u64 buf;
	u8 *p;

	th_init(&t, 9, 4 * MiB);
	CHECK(th_enable(&t));
	buf = host_alloc(8192);
	p = host_ptr(buf);

	CHECK_EQ(get_log(&t, NVME_LOG_SMART, 0xffffffff, 512, 0, buf), 0);
	CHECK_EQ(nvme_get16(p, 1), 313);		/* composite temperature */
	CHECK_EQ(p[3], 100);
	CHECK_EQ(nvme_get64(p, 112), 1);		/* power cycles */
	CHECK_EQ(get_log(&t, NVME_LOG_SMART, 5, 512, 0, buf), NVME_SC_INVALID_FIELD | DNR);

	/* offsets: the second half of the SMART log */
	memset(p, 0xee, 512);
	CHECK_EQ(get_log(&t, NVME_LOG_SMART, 0, 256, 256, buf), 0);
	CHECK_EQ(p[0], 0);
	CHECK_EQ(get_log(&t, NVME_LOG_SMART, 0, 4, 512, buf), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(get_log(&t, NVME_LOG_SMART, 0, 4, 2, buf), NVME_SC_INVALID_FIELD | DNR);

	/* beyond the log's end: zeroes */
	memset(p, 0xee, 8192);
	CHECK_EQ(get_log(&t, NVME_LOG_FW_SLOT, 0, 8192, 0, buf), 0);
	CHECK_EQ(p[0], 1);
	CHECK(!memcmp(p + 8, "0.1.0   ", 8));
	CHECK_EQ(p[4095], 0);
	CHECK_EQ(p[8191], 0);

	CHECK_EQ(get_log(&t, NVME_LOG_CMD_EFFECTS, 0, 4096, 0, buf), 0);
	CHECK_EQ(nvme_get32(p, NVME_ADMIN_IDENTIFY * 4) & 1, 1);
	CHECK_EQ(nvme_get32(p, 1024 + NVME_CMD_WRITE * 4), NVME_CSE_CSUPP | NVME_CSE_LBCC);
	CHECK_EQ(nvme_get32(p, 1024 + 0x7f * 4), 0);

	/* an error: then the error log has it, newest first */
	CHECK_EQ(get_log(&t, 0x7e, 0, 512, 0, buf), NVME_SC_INVALID_LOG_PAGE | DNR);
	CHECK_EQ(get_log(&t, NVME_LOG_ERROR, 0, 4096, 0, buf), 0);
	CHECK(nvme_get64(p, 0) >= 1);
	CHECK_EQ(nvme_get16(p, 12) >> 1, NVME_SC_INVALID_LOG_PAGE | DNR);
	CHECK_EQ(nvme_get16(p, 8), 0);			/* admin SQ */
	th_fini(&t);
}

UNIT_TEST(admin_features)
{
	struct th t;
	u32 dw0 = 0;

	th_init(&t, 9, 4 * MiB);
	CHECK(th_enable(&t));
	/* number of queues: clamped to max_io_queues (8) */
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_NUM_QUEUES, 63 | (63u << 16), &dw0), 0);
	CHECK_EQ(dw0, 7 | (7u << 16));
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_NUM_QUEUES, 0, &dw0), 0);
	CHECK_EQ(dw0, 7 | (7u << 16));
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_NUM_QUEUES, 0xffff, &dw0),
		 NVME_SC_INVALID_FIELD | DNR);

	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_VOLATILE_WC, 0, NULL), 0);
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_VOLATILE_WC, 0, &dw0), 0);
	CHECK_EQ(dw0, 0);
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_VOLATILE_WC | (1u << 8), 0, &dw0), 0);
	CHECK_EQ(dw0, 1);				/* default */
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_VOLATILE_WC | (3u << 8), 0, &dw0), 0);
	CHECK_EQ(dw0, 4);				/* changeable */
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_VOLATILE_WC | (5u << 8), 0, &dw0),
		 NVME_SC_INVALID_FIELD | DNR);

	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_IRQ_COALESCE, 0x0a05, NULL), 0);
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_IRQ_COALESCE, 0, &dw0), 0);
	CHECK_EQ(dw0, 0x0a05);
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_ERR_RECOVERY, 100, NULL), 0);
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_ERR_RECOVERY, 0, &dw0), 0);
	CHECK_EQ(dw0, 100);
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_ERR_RECOVERY, 1u << 16, NULL),
		 NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_POWER_MGMT, 1, NULL),
		 NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_ARBITRATION, 0x01010100, NULL), 0);
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_ARBITRATION, 0, &dw0), 0);
	CHECK_EQ(dw0, 0x01010100);
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_TEMP_THRESH, 350, NULL), 0);
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_TEMP_THRESH, 0, &dw0), 0);
	CHECK_EQ(dw0, 350);
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_TEMP_THRESH, 1u << 20, &dw0), 0);
	CHECK_EQ(dw0, 0);				/* under threshold */
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_TEMP_THRESH, 3u << 16, NULL),
		 NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_ASYNC_EVENT, 0x2, NULL), 0);
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_ASYNC_EVENT, 0, &dw0), 0);
	CHECK_EQ(dw0, 2);

	/* unknown and unsupported features; saving is not supported */
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, 0x7f, 0, &dw0), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, 0x0c, 0, NULL), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_VOLATILE_WC | (1u << 31), 1, NULL),
		 NVME_SC_FEATURE_NOT_SAVEABLE | DNR);

	/* once queues exist, the number of queues cannot change */
	CHECK(th_create_io_pair(&t, 1, 16));
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_NUM_QUEUES, 1 | (1u << 16), &dw0),
		 NVME_SC_CMD_SEQ_ERROR | DNR);
	/* a reset returns every feature to its default */
	set_cc(&t, 0);
	CHECK(th_enable(&t));
	CHECK_EQ(features(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_VOLATILE_WC, 0, &dw0), 0);
	CHECK_EQ(dw0, 1);
	th_fini(&t);
}

static u16 queue_cmd(struct th *t, u8 opc, u32 cdw10, u32 cdw11, u64 prp1)
{
	struct nvme_sqe c;

	sqe_init(&c, opc, 11, 0);
	c.dw[6] = (u32)prp1;
	c.dw[7] = (u32)(prp1 >> 32);
	c.dw[10] = cdw10;
	c.dw[11] = cdw11;
	return th_admin(t, &c, NULL);
}

UNIT_TEST(admin_queue_management_errors)
{
	struct th t;
	u64 mem;

	th_init(&t, 9, 4 * MiB);
	CHECK(th_enable(&t));
	mem = host_alloc(64 * 1024);

	/* Create I/O CQ */
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_CQ, 0 | (15u << 16), 3, mem),
		 NVME_SC_QID_INVALID | DNR);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_CQ, 9 | (15u << 16), 3, mem),
		 NVME_SC_QID_INVALID | DNR);		/* above max_io_queues */
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_CQ, 1 | (0u << 16), 3, mem),
		 NVME_SC_QUEUE_SIZE | DNR);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_CQ, 1 | (4096u << 16), 3, mem),
		 NVME_SC_QUEUE_SIZE | DNR);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_CQ, 1 | (15u << 16), 2, mem),
		 NVME_SC_INVALID_FIELD | DNR);		/* not contiguous */
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_CQ, 1 | (15u << 16), 3 | (500u << 16), mem),
		 NVME_SC_INVALID_VECTOR | DNR);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_CQ, 1 | (15u << 16), 3, mem + 8),
		 NVME_SC_INVALID_FIELD | DNR);		/* not page aligned */
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_CQ, 1 | (15u << 16), 3, 0x1000),
		 NVME_SC_INVALID_FIELD | DNR);		/* not host memory */
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_CQ, 1 | (15u << 16), 3 | (1u << 16), mem), 0);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_CQ, 1 | (15u << 16), 3, mem),
		 NVME_SC_QID_INVALID | DNR);		/* exists */

	/* Create I/O SQ */
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_SQ, 0 | (15u << 16), 1 | (1u << 16), mem + 8192),
		 NVME_SC_QID_INVALID | DNR);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_SQ, 1 | (15u << 16), 1 | (2u << 16), mem + 8192),
		 NVME_SC_CQ_INVALID | DNR);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_SQ, 1 | (15u << 16), 1 | (0u << 16), mem + 8192),
		 NVME_SC_CQ_INVALID | DNR);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_SQ, 1 | (1u << 16) * 0, 1 | (1u << 16), mem + 8192),
		 NVME_SC_QUEUE_SIZE | DNR);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_CREATE_SQ, 1 | (15u << 16), 1 | (1u << 16), mem + 8192), 0);

	/* Delete: a CQ with an SQ attached cannot go */
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_DELETE_CQ, 1, 0, 0), NVME_SC_INVALID_QUEUE_DELETION | DNR);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_DELETE_CQ, 0, 0, 0), NVME_SC_QID_INVALID | DNR);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_DELETE_SQ, 0, 0, 0), NVME_SC_QID_INVALID | DNR);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_DELETE_SQ, 5, 0, 0), NVME_SC_QID_INVALID | DNR);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_DELETE_SQ, 1, 0, 0), 0);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_DELETE_CQ, 1, 0, 0), 0);
	CHECK_EQ(queue_cmd(&t, NVME_ADMIN_DELETE_CQ, 1, 0, 0), NVME_SC_QID_INVALID | DNR);
	th_fini(&t);
}

UNIT_TEST(admin_misc_commands)
{
	struct th t;
	struct nvme_sqe c;
	u32 dw0 = 0;

	th_init(&t, 9, 4 * MiB);
	CHECK(th_enable(&t));
	sqe_init(&c, 0x7f, 1, 0);
	CHECK_EQ(th_admin(&t, &c, NULL), NVME_SC_INVALID_OPCODE | DNR);
	sqe_init(&c, NVME_ADMIN_KEEP_ALIVE, 2, 0);
	CHECK_EQ(th_admin(&t, &c, NULL), 0);
	sqe_init(&c, NVME_ADMIN_ABORT, 3, 0);
	c.dw[10] = 1 | (77u << 16);
	CHECK_EQ(th_admin(&t, &c, &dw0), 0);
	CHECK_EQ(dw0 & 1, 1);				/* not aborted */
	sqe_init(&c, NVME_ADMIN_IDENTIFY, 4, 0);
	c.dw[0] |= 1u << 14;				/* SGL */
	CHECK_EQ(th_admin(&t, &c, NULL), NVME_SC_INVALID_FIELD | DNR);
	CHECK(irq_count[0] > 0);
	th_fini(&t);
}

UNIT_TEST(admin_async_events_stay_outstanding)
{
	struct th t;
	struct nvme_sqe c;
	struct th_cqe cqe;
	u64 buf;
	int i;

	th_init(&t, 9, 4 * MiB);
	CHECK(th_enable(&t));
	buf = host_alloc(4096);
	for (i = 0; i < 4; i++) {
		sqe_init(&c, NVME_ADMIN_ASYNC_EVENT, (u16)(40 + i), 0);
		th_submit(&t, 0, &c);
	}
	th_run(&t);
	CHECK(!th_reap(&t, 0, &cqe));			/* nothing completes at once */
	sqe_init(&c, NVME_ADMIN_ASYNC_EVENT, 50, 0);	/* a fifth: over AERL */
	CHECK_EQ(th_admin(&t, &c, NULL), NVME_SC_AER_LIMIT | DNR);

	/* an event: over-temperature once async events for it are enabled */
	CHECK_EQ(features(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_ASYNC_EVENT, 0x2, NULL), 0);
	sqe_init(&c, NVME_ADMIN_SET_FEATURES, 51, 0);
	c.dw[10] = NVME_FEAT_TEMP_THRESH;
	c.dw[11] = 300;				/* below the current 313 K */
	th_submit(&t, 0, &c);
	th_run(&t);
	CHECK(th_reap(&t, 0, &cqe));
	CHECK_EQ(cqe.cid, 51);
	CHECK(th_reap(&t, 0, &cqe));
	CHECK(cqe.cid >= 40 && cqe.cid <= 43);
	CHECK_EQ(cqe.dw0 & 7, NVME_AER_TYPE_SMART);
	CHECK_EQ((cqe.dw0 >> 16) & 0xff, NVME_LOG_SMART);
	CHECK(!th_reap(&t, 0, &cqe));			/* the other three wait */
	CHECK_EQ(get_log(&t, NVME_LOG_SMART, 0, 512, 0, buf), 0);
	CHECK_EQ(((u8 *)host_ptr(buf))[0] & 2, 2);	/* temperature warning */
	th_fini(&t);
}

UNIT_TEST(admin_invalid_doorbell_write_event)
{
	struct th t;
	struct nvme_sqe c;
	struct th_cqe cqe;

	th_init(&t, 9, 4 * MiB);
	CHECK(th_enable(&t));
	CHECK(th_create_io_pair(&t, 1, 16));
	sqe_init(&c, NVME_ADMIN_ASYNC_EVENT, 60, 0);
	th_submit(&t, 0, &c);
	th_run(&t);
	nvme_put32(t.bar, NVME_REG_DBS + 2 * 4, 99);	/* SQ 1 tail beyond its size */
	th_run(&t);
	CHECK(th_reap(&t, 0, &cqe));
	CHECK_EQ(cqe.cid, 60);
	CHECK_EQ(cqe.dw0 & 7, NVME_AER_TYPE_ERROR);
	CHECK_EQ((cqe.dw0 >> 8) & 0xff, NVME_AER_ERROR_INVALID_DB_WRITE);
	th_fini(&t);
}
