// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Zoned Namespace command set (zns.c) and its media model
 * (media_zns.c): Identify, every zone state transition and its status, the
 * open and active limits with the automatic close, Report Zones with its
 * filters and partial reports, Zone Append, reads above the write pointer,
 * the saved state's validation, and what a reset and a finish cost.
 */
#include <string.h>
#include "th.h"
#include "zns.h"

#define MiB (1024ull * 1024)
#define DNR NVME_STATUS_DNR
#define ZB 256u		/* blocks of a 1 MiB zone of 4 KiB blocks */
#define NZ 8u		/* zones of the namespace */

static const struct nvmev_type *zns_type(void)
{
	return nvmev_type_by_name("zns");
}

/*
 * NSID 1: eight 1 MiB zones of 4 KiB blocks (capacity @cap_mib, 0 = the
 * zone), at most @open open and @active active zones; NSID 2: 1 MiB NVM.
 */
static void setup_cap(struct th *t, u64 open, u64 active, u64 cap_mib, u64 zone_mib)
{
	u64 sizes[NVMEV_MAX_NS] = { NZ * zone_mib * MiB + 64 * 1024, MiB };
	u32 shifts[NVMEV_MAX_NS] = { 12, 9 };
	const struct nvmev_type *types[NVMEV_MAX_NS] = { zns_type() };

	th_tunable("zone_size", zone_mib);
	th_tunable("zone_capacity", cap_mib);
	th_tunable("max_open_zones", open);
	th_tunable("max_active_zones", active);
	th_tunable("zone_append_max_kib", 16);
	th_init_types(t, sizes, shifts, types, NULL, 0x5a4e);
	CHECK(th_enable_css(t, NVME_CC_CSS_CSI));
	CHECK(th_create_io_pair(t, 1, 64));
}

static void setup(struct th *t, u64 open, u64 active)
{
	setup_cap(t, open, active, 0, 1);
}

static u16 admin(struct th *t, u8 opc, u32 nsid, u32 dw10, u32 dw11, u32 dw14, u64 buf)
{
	struct nvme_sqe c;

	sqe_init(&c, opc, 9, nsid);
	c.dw[6] = (u32)buf;
	c.dw[7] = (u32)(buf >> 32);
	c.dw[10] = dw10;
	c.dw[11] = dw11;
	c.dw[14] = dw14;
	return th_admin(t, &c, NULL);
}

static u16 identify(struct th *t, u8 cns, u32 nsid, u8 csi, u64 buf)
{
	memset(host_ptr(buf), 0xee, 4096);
	return admin(t, NVME_ADMIN_IDENTIFY, nsid, cns, (u32)csi << 24, 0, buf);
}

static u16 cmd(struct th *t, struct nvme_sqe *c, struct th_cqe *out)
{
	struct th_cqe cqe;

	th_submit(t, 1, c);
	th_run(t);
	if (!th_reap(t, 1, &cqe))
		return 0xffff;
	if (out)
		*out = cqe;
	return cqe.status;
}

/* PRP2 of @c for @nlb blocks at @buf: the second page or a list. */
static void prp2(struct nvme_sqe *c, u64 buf, u32 nlb)
{
	if (nlb > 2) {
		u64 list = host_alloc(4096);
		u32 i;

		for (i = 1; i < nlb; i++)
			nvme_put64(host_ptr(list), (i - 1) * 8, buf + i * 4096ull);
		c->dw[8] = (u32)list;
		c->dw[9] = (u32)(list >> 32);
	} else if (nlb == 2) {
		c->dw[8] = (u32)(buf + 4096);
		c->dw[9] = (u32)((buf + 4096) >> 32);
	}
}

/* Write @nlb blocks of byte @fill at @slba (NSID 1). */
static u16 wr(struct th *t, u64 slba, u32 nlb, u8 fill)
{
	struct nvme_sqe c;
	u64 buf = host_alloc(nlb * 4096);

	memset(host_ptr(buf), fill, nlb * 4096);
	sqe_rw(&c, NVME_CMD_WRITE, slba, nlb, buf);
	prp2(&c, buf, nlb);
	return cmd(t, &c, NULL);
}

/* Read one block at @slba into a fresh buffer; its address through @out. */
static u16 rd(struct th *t, u64 slba, u8 **out)
{
	struct nvme_sqe c;
	u64 buf = host_alloc(4096);

	memset(host_ptr(buf), 0xee, 4096);
	sqe_rw(&c, NVME_CMD_READ, slba, 1, buf);
	*out = host_ptr(buf);
	return cmd(t, &c, NULL);
}

static u16 append(struct th *t, u64 zslba, u32 nlb, u8 fill, u64 *lba)
{
	struct nvme_sqe c;
	struct th_cqe cqe;
	u64 buf = host_alloc(nlb * 4096);
	u16 st;

	memset(host_ptr(buf), fill, nlb * 4096);
	sqe_rw(&c, NVME_ZNS_APPEND, zslba, nlb, buf);
	prp2(&c, buf, nlb);
	st = cmd(t, &c, &cqe);
	if (lba)
		*lba = cqe.dw0 | (u64)cqe.dw1 << 32;
	return st;
}

static u16 zms(struct th *t, u64 slba, u8 zsa, bool all)
{
	struct nvme_sqe c;

	sqe_init(&c, NVME_ZNS_MGMT_SEND, 11, 1);
	c.dw[10] = (u32)slba;
	c.dw[11] = (u32)(slba >> 32);
	c.dw[13] = zsa | (all ? NVME_ZSA_SELECT_ALL : 0);
	return cmd(t, &c, NULL);
}

/* Report Zones from @slba into @buf of @bytes (at most 8 KiB), with CDW13 @dw13. */
static u16 zmr(struct th *t, u64 slba, u32 dw13, u64 buf, u32 bytes)
{
	struct nvme_sqe c;

	memset(host_ptr(buf), 0xee, 8192);	/* every buffer is 8 KiB */
	sqe_init(&c, NVME_ZNS_MGMT_RECV, 12, 1);
	c.dw[6] = (u32)buf;
	c.dw[7] = (u32)(buf >> 32);
	if (bytes > 4096) {
		c.dw[8] = (u32)(buf + 4096);
		c.dw[9] = (u32)((buf + 4096) >> 32);
	}
	c.dw[10] = (u32)slba;
	c.dw[11] = (u32)(slba >> 32);
	c.dw[12] = bytes / 4 - 1;
	c.dw[13] = dw13;
	return cmd(t, &c, NULL);
}

/* Zone @z's state and write pointer, from a report. */
static u8 zstate(struct th *t, u32 z, u64 *wp)
{
	u64 buf = host_alloc(8192);
	u8 *p = host_ptr(buf);

	if (zmr(t, (u64)z * ZB, NVME_ZRA_PARTIAL, buf, 128))
		return 0xff;
	if (wp)
		*wp = nvme_get64(p, 64 + 24);
	return p[64 + 1] >> 4;
}

static bool zeroes(const u8 *p, u32 n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

UNIT_TEST(zns_identify)
{
	struct th t;
	u64 buf;
	u8 *id;

	setup(&t, 2, 3);
	buf = host_alloc(4096);
	id = host_ptr(buf);
	/* the controller offers the set; the namespace is of it */
	CHECK((nvme_get64(t.bar, NVME_REG_CAP) >> 37 & 0xff) & (1u << 6));
	CHECK_EQ(identify(&t, NVME_CNS_NS_DESC_LIST, 1, 0, buf), 0);
	CHECK_EQ(id[52], NVME_NIDT_CSI);
	CHECK_EQ(id[56], NVME_CSI_ZNS);
	/* NVM structure: the zones only, none of the state behind them */
	CHECK_EQ(identify(&t, NVME_CNS_NS, 1, 0, buf), 0);
	CHECK_EQ(nvme_get64(id, 0), NZ * ZB);
	CHECK_EQ(nvme_get64(id, 8), NZ * ZB);
	CHECK_EQ(nvme_get64(id, 48), NZ * MiB);
	/* Zoned structure: ZOC 0, reads across zones, MAR and MOR 0-based, ZSZE */
	CHECK_EQ(identify(&t, NVME_CNS_CS_NS, 1, NVME_CSI_ZNS, buf), 0);
	CHECK_EQ(nvme_get16(id, 0), 0);
	CHECK_EQ(nvme_get16(id, 2), 1);
	CHECK_EQ(nvme_get32(id, 4), 2);
	CHECK_EQ(nvme_get32(id, 8), 1);
	CHECK_EQ(nvme_get64(id, 2816 + 16 * 1), ZB);		/* LBA format 1: 4 KiB */
	CHECK_EQ(nvme_get64(id, 2816), ZB * 8);			/* LBA format 0: 512 B */
	/* the zoned structure of an NVM namespace is not there */
	CHECK_EQ(identify(&t, NVME_CNS_CS_NS, 2, NVME_CSI_ZNS, buf), NVME_SC_INVALID_FIELD | DNR);
	/* controller: ZASL 16 KiB = 4 KiB x 2^2 */
	CHECK_EQ(identify(&t, NVME_CNS_CS_CTRL, 0, NVME_CSI_ZNS, buf), 0);
	CHECK_EQ(id[0], 2);
	CHECK(zeroes(id + 1, 4095));
	/* the effects log of CSI 02h: Zone Append, Management Send and Receive */
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_LOG_PAGE, 0, NVME_LOG_CMD_EFFECTS | (1023u << 16), 0,
		       (u32)NVME_CSI_ZNS << 24, buf), 0);
	CHECK_EQ(nvme_get32(id, 1024 + NVME_ZNS_APPEND * 4), NVME_CSE_CSUPP | NVME_CSE_LBCC);
	CHECK_EQ(nvme_get32(id, 1024 + NVME_ZNS_MGMT_SEND * 4), NVME_CSE_CSUPP | NVME_CSE_LBCC);
	CHECK_EQ(nvme_get32(id, 1024 + NVME_ZNS_MGMT_RECV * 4), NVME_CSE_CSUPP);
	CHECK_EQ(nvme_get32(id, 1024 + NVME_CMD_WRITE * 4), NVME_CSE_CSUPP | NVME_CSE_LBCC);
	th_fini(&t);

	/* no limits: FFFFFFFFh */
	setup(&t, 0, 0);
	buf = host_alloc(4096);
	id = host_ptr(buf);
	CHECK_EQ(identify(&t, NVME_CNS_CS_NS, 1, NVME_CSI_ZNS, buf), 0);
	CHECK_EQ(nvme_get32(id, 4), 0xffffffff);
	CHECK_EQ(nvme_get32(id, 8), 0xffffffff);
	th_fini(&t);
}

UNIT_TEST(zns_write_rules)
{
	struct th t;
	u64 wp;
	u8 *p;

	setup_cap(&t, 0, 0, 1, 2);	/* 2 MiB zones (512 blocks), 1 MiB capacity */
	CHECK_EQ(zstate(&t, 0, &wp), NVME_ZS_EMPTY);
	CHECK_EQ(wp, 0);
	CHECK_EQ(wr(&t, 0, 4, 0x11), 0);
	CHECK_EQ(zstate(&t, 0, &wp), NVME_ZS_IMP_OPEN);
	CHECK_EQ(wp, 4);
	/* not at the write pointer, before or after it */
	CHECK_EQ(wr(&t, 2, 1, 0x22), NVME_SC_ZONE_INVALID_WRITE | DNR);
	CHECK_EQ(wr(&t, 5, 1, 0x22), NVME_SC_ZONE_INVALID_WRITE | DNR);
	CHECK_EQ(wr(&t, 2 * ZB + 1, 1, 0x22), NVME_SC_ZONE_INVALID_WRITE | DNR);
	/* past the zone capacity */
	CHECK_EQ(wr(&t, 4, ZB - 3, 0x22), NVME_SC_ZONE_BOUNDARY | DNR);
	CHECK_EQ(zstate(&t, 0, &wp), NVME_ZS_IMP_OPEN);
	CHECK_EQ(wp, 4);
	/* up to the capacity: the zone is full */
	CHECK_EQ(wr(&t, 4, ZB - 4, 0x33), 0);
	CHECK_EQ(zstate(&t, 0, &wp), NVME_ZS_FULL);
	CHECK_EQ(wr(&t, ZB, 1, 0x22), NVME_SC_ZONE_FULL | DNR);
	/* what was written reads back; above the write pointer zeroes */
	CHECK_EQ(rd(&t, 3, &p), 0);
	CHECK_EQ(p[0], 0x11);
	CHECK_EQ(rd(&t, ZB - 1, &p), 0);
	CHECK_EQ(p[4095], 0x33);
	CHECK_EQ(rd(&t, ZB, &p), 0);		/* between capacity and zone end */
	CHECK(zeroes(p, 4096));
	CHECK_EQ(rd(&t, 2 * ZB + 7, &p), 0);
	CHECK(zeroes(p, 4096));
	/* beyond the zones (the state behind them is not the host's) */
	CHECK_EQ(wr(&t, NZ * 2 * ZB, 1, 0x22), NVME_SC_LBA_RANGE | DNR);
	CHECK_EQ(rd(&t, NZ * 2 * ZB, &p), NVME_SC_LBA_RANGE | DNR);
	/* Write Zeroes moves the write pointer as a write does */
	{
		struct nvme_sqe c;

		sqe_rw(&c, NVME_CMD_WRITE_ZEROES, 2 * ZB, 8, 0);
		CHECK_EQ(cmd(&t, &c, NULL), 0);
		CHECK_EQ(zstate(&t, 2, &wp), NVME_ZS_IMP_OPEN);
		CHECK_EQ(wp, 2 * ZB + 8);
		sqe_rw(&c, NVME_CMD_WRITE_ZEROES, 2 * ZB, 1, 0);
		CHECK_EQ(cmd(&t, &c, NULL), NVME_SC_ZONE_INVALID_WRITE | DNR);
	}
	th_fini(&t);
}

UNIT_TEST(zns_open_and_active_limits)
{
	struct th t;

	setup(&t, 2, 3);
	CHECK_EQ(wr(&t, 0 * ZB, 1, 1), 0);
	CHECK_EQ(wr(&t, 1 * ZB, 1, 1), 0);
	/* a third zone opens by closing the oldest implicitly opened one */
	CHECK_EQ(wr(&t, 2 * ZB, 1, 1), 0);
	CHECK_EQ(zstate(&t, 0, NULL), NVME_ZS_CLOSED);
	CHECK_EQ(zstate(&t, 1, NULL), NVME_ZS_IMP_OPEN);
	CHECK_EQ(zstate(&t, 2, NULL), NVME_ZS_IMP_OPEN);
	/* three active: a fourth empty zone cannot open, by write or by open */
	CHECK_EQ(wr(&t, 3 * ZB, 1, 1), NVME_SC_ZONE_TOO_MANY_ACTIVE | DNR);
	CHECK_EQ(zms(&t, 3 * ZB, NVME_ZSA_OPEN, false), NVME_SC_ZONE_TOO_MANY_ACTIVE | DNR);
	CHECK_EQ(zstate(&t, 3, NULL), NVME_ZS_EMPTY);
	/* writing the closed zone reopens it, closing zone 1 (now the oldest) */
	CHECK_EQ(wr(&t, 0 * ZB + 1, 1, 1), 0);
	CHECK_EQ(zstate(&t, 0, NULL), NVME_ZS_IMP_OPEN);
	CHECK_EQ(zstate(&t, 1, NULL), NVME_ZS_CLOSED);
	/* explicit opens are never closed for room */
	CHECK_EQ(zms(&t, 1 * ZB, NVME_ZSA_OPEN, false), 0);	/* closes zone 2 */
	CHECK_EQ(zstate(&t, 2, NULL), NVME_ZS_CLOSED);
	CHECK_EQ(zms(&t, 0 * ZB, NVME_ZSA_OPEN, false), 0);	/* implicit to explicit */
	CHECK_EQ(zstate(&t, 0, NULL), NVME_ZS_EXP_OPEN);
	CHECK_EQ(zstate(&t, 1, NULL), NVME_ZS_EXP_OPEN);
	CHECK_EQ(wr(&t, 2 * ZB + 1, 1, 1), NVME_SC_ZONE_TOO_MANY_OPEN | DNR);
	CHECK_EQ(zms(&t, 2 * ZB, NVME_ZSA_OPEN, false), NVME_SC_ZONE_TOO_MANY_OPEN | DNR);
	CHECK_EQ(zms(&t, 0, NVME_ZSA_OPEN, true), NVME_SC_ZONE_TOO_MANY_OPEN | DNR);
	/* writes to an open zone need nothing more */
	CHECK_EQ(wr(&t, 1 * ZB + 1, 1, 1), 0);
	/* a finish frees both resources */
	CHECK_EQ(zms(&t, 1 * ZB, NVME_ZSA_FINISH, false), 0);
	CHECK_EQ(zstate(&t, 1, NULL), NVME_ZS_FULL);
	CHECK_EQ(wr(&t, 2 * ZB + 1, 1, 1), 0);
	CHECK_EQ(zstate(&t, 2, NULL), NVME_ZS_IMP_OPEN);
	/* a close keeps the active resource; reset all frees everything */
	CHECK_EQ(zms(&t, 0, NVME_ZSA_CLOSE, true), 0);
	CHECK_EQ(zstate(&t, 0, NULL), NVME_ZS_CLOSED);
	CHECK_EQ(zstate(&t, 2, NULL), NVME_ZS_CLOSED);
	CHECK_EQ(wr(&t, 3 * ZB, 1, 1), 0);			/* the third active zone */
	CHECK_EQ(wr(&t, 4 * ZB, 1, 1), NVME_SC_ZONE_TOO_MANY_ACTIVE | DNR);
	CHECK_EQ(zms(&t, 0, NVME_ZSA_RESET, true), 0);
	CHECK_EQ(zstate(&t, 0, NULL), NVME_ZS_EMPTY);
	CHECK_EQ(zstate(&t, 1, NULL), NVME_ZS_EMPTY);
	CHECK_EQ(zstate(&t, 2, NULL), NVME_ZS_EMPTY);
	CHECK_EQ(wr(&t, 3 * ZB, 1, 1), 0);
	CHECK_EQ(wr(&t, 4 * ZB, 1, 1), 0);
	CHECK_EQ(wr(&t, 5 * ZB, 1, 1), 0);
	th_fini(&t);
}

/* Every action from every reachable state. */
UNIT_TEST(zns_transitions)
{
	static const u8 actions[] = { NVME_ZSA_CLOSE, NVME_ZSA_FINISH, NVME_ZSA_OPEN,
				      NVME_ZSA_RESET, NVME_ZSA_OFFLINE };
	/* the state after each action from each state; 0: Invalid Zone State Transition */
	static const struct {
		u8 from;
		u8 to[5];
	} table[] = {
		{ NVME_ZS_EMPTY, { 0, NVME_ZS_FULL, NVME_ZS_EXP_OPEN, NVME_ZS_EMPTY, 0 } },
		{ NVME_ZS_IMP_OPEN, { NVME_ZS_CLOSED, NVME_ZS_FULL, NVME_ZS_EXP_OPEN,
				      NVME_ZS_EMPTY, 0 } },
		{ NVME_ZS_EXP_OPEN, { NVME_ZS_CLOSED, NVME_ZS_FULL, NVME_ZS_EXP_OPEN,
				      NVME_ZS_EMPTY, 0 } },
		{ NVME_ZS_CLOSED, { NVME_ZS_CLOSED, NVME_ZS_FULL, NVME_ZS_EXP_OPEN,
				    NVME_ZS_EMPTY, 0 } },
		{ NVME_ZS_FULL, { 0, NVME_ZS_FULL, 0, NVME_ZS_EMPTY, 0 } },
	};
	u32 i, a;

	for (i = 0; i < NVMEV_ARRAY_SIZE(table); i++) {
		for (a = 0; a < NVMEV_ARRAY_SIZE(actions); a++) {
			struct th t;
			u8 to = table[i].to[a];
			u16 st;
			u64 wp;

			setup(&t, 0, 0);
			/* zone 1 into the state */
			if (table[i].from != NVME_ZS_EMPTY)
				CHECK_EQ(wr(&t, ZB, 1, 1), 0);
			if (table[i].from == NVME_ZS_EXP_OPEN)
				CHECK_EQ(zms(&t, ZB, NVME_ZSA_OPEN, false), 0);
			if (table[i].from == NVME_ZS_CLOSED)
				CHECK_EQ(zms(&t, ZB, NVME_ZSA_CLOSE, false), 0);
			if (table[i].from == NVME_ZS_FULL)
				CHECK_EQ(zms(&t, ZB, NVME_ZSA_FINISH, false), 0);
			CHECK_EQ(zstate(&t, 1, NULL), table[i].from);
			st = zms(&t, ZB, actions[a], false);
			if (!to) {
				CHECK_EQ(st, NVME_SC_ZONE_INVALID_TRANSITION | DNR);
				CHECK_EQ(zstate(&t, 1, NULL), table[i].from);
			} else {
				CHECK_EQ(st, 0);
				CHECK_EQ(zstate(&t, 1, &wp), to);
				if (to == NVME_ZS_FULL)
					CHECK_EQ(wp, 2 * ZB);
				if (to == NVME_ZS_EMPTY)
					CHECK_EQ(wp, ZB);
			}
			th_fini(&t);
		}
	}
}

UNIT_TEST(zns_management_errors)
{
	struct th t;

	setup(&t, 0, 0);
	/* not the start of a zone, past the zones, unknown actions */
	CHECK_EQ(zms(&t, 1, NVME_ZSA_OPEN, false), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(zms(&t, NZ * ZB, NVME_ZSA_OPEN, false), NVME_SC_LBA_RANGE | DNR);
	CHECK_EQ(zms(&t, 0, 0, false), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(zms(&t, 0, 6, false), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(zms(&t, 0, NVME_ZSA_SET_DESC_EXT, false), NVME_SC_INVALID_FIELD | DNR);
	/* Select All ignores SLBA and leaves the zones it does not apply to */
	CHECK_EQ(wr(&t, 0, 1, 1), 0);
	CHECK_EQ(zms(&t, 5, NVME_ZSA_FINISH, true), 0);
	CHECK_EQ(zstate(&t, 0, NULL), NVME_ZS_FULL);
	CHECK_EQ(zstate(&t, 1, NULL), NVME_ZS_EMPTY);
	CHECK_EQ(zms(&t, 0, NVME_ZSA_OFFLINE, true), 0);	/* nothing read only */
	CHECK_EQ(zstate(&t, 0, NULL), NVME_ZS_FULL);
	/* a report of a zoned namespace from the NVM namespace's NSID is no command of its */
	{
		struct nvme_sqe c;

		sqe_init(&c, NVME_ZNS_MGMT_SEND, 13, 2);
		c.dw[13] = NVME_ZSA_OPEN;
		CHECK_EQ(cmd(&t, &c, NULL), NVME_SC_INVALID_OPCODE | DNR);
	}
	th_fini(&t);
}

UNIT_TEST(zns_report_zones)
{
	struct th t;
	u64 buf;
	u8 *p;
	u32 i;

	setup(&t, 0, 0);
	buf = host_alloc(8192);
	p = host_ptr(buf);
	CHECK_EQ(wr(&t, 0, 2, 1), 0);
	CHECK_EQ(wr(&t, 2, 1, 1), 0);			/* zone 0 implicitly open */
	CHECK_EQ(zms(&t, 2 * ZB, NVME_ZSA_OPEN, false), 0);
	CHECK_EQ(wr(&t, 4 * ZB, 1, 1), 0);
	CHECK_EQ(zms(&t, 4 * ZB, NVME_ZSA_CLOSE, false), 0);
	CHECK_EQ(zms(&t, 6 * ZB, NVME_ZSA_FINISH, false), 0);

	/* every zone, from zone 0 */
	CHECK_EQ(zmr(&t, 0, 0, buf, 8192), 0);
	CHECK_EQ(nvme_get64(p, 0), NZ);
	for (i = 0; i < NZ; i++) {
		const u8 *d = p + 64 + 64 * i;

		CHECK_EQ(d[0], NVME_ZONE_TYPE_SEQ);
		CHECK_EQ(nvme_get64(d, 8), ZB);
		CHECK_EQ(nvme_get64(d, 16), (u64)i * ZB);
		CHECK(zeroes(d + 32, 32));
	}
	CHECK_EQ(p[64 + 1] >> 4, NVME_ZS_IMP_OPEN);
	CHECK_EQ(nvme_get64(p, 64 + 24), 3);
	CHECK_EQ(p[64 + 64 * 1 + 1] >> 4, NVME_ZS_EMPTY);
	CHECK_EQ(p[64 + 64 * 2 + 1] >> 4, NVME_ZS_EXP_OPEN);
	CHECK_EQ(p[64 + 64 * 4 + 1] >> 4, NVME_ZS_CLOSED);
	CHECK_EQ(nvme_get64(p, 64 + 64 * 4 + 24), 4 * ZB + 1);
	CHECK_EQ(p[64 + 64 * 6 + 1] >> 4, NVME_ZS_FULL);
	CHECK(zeroes(p + 64 + 64 * NZ, 8192 - 64 - 64 * NZ));	/* past the descriptors */

	/* from a block inside zone 3: zones 3 to 7 */
	CHECK_EQ(zmr(&t, 3 * ZB + 9, 0, buf, 4096), 0);
	CHECK_EQ(nvme_get64(p, 0), 5);
	CHECK_EQ(nvme_get64(p, 64 + 16), 3 * ZB);

	/* each filter */
	CHECK_EQ(zmr(&t, 0, 1u << 8, buf, 4096), 0);	/* empty */
	CHECK_EQ(nvme_get64(p, 0), 4);
	CHECK_EQ(nvme_get64(p, 64 + 16), 1 * ZB);
	CHECK_EQ(nvme_get64(p, 128 + 16), 3 * ZB);
	CHECK_EQ(zmr(&t, 0, 2u << 8, buf, 4096), 0);	/* implicitly opened */
	CHECK_EQ(nvme_get64(p, 0), 1);
	CHECK_EQ(nvme_get64(p, 64 + 16), 0);
	CHECK(zeroes(p + 128, 64));
	CHECK_EQ(zmr(&t, 0, 3u << 8, buf, 4096), 0);	/* explicitly opened */
	CHECK_EQ(nvme_get64(p, 0), 1);
	CHECK_EQ(nvme_get64(p, 64 + 16), 2 * ZB);
	CHECK_EQ(zmr(&t, 0, 4u << 8, buf, 4096), 0);	/* closed */
	CHECK_EQ(nvme_get64(p, 0), 1);
	CHECK_EQ(nvme_get64(p, 64 + 16), 4 * ZB);
	CHECK_EQ(zmr(&t, 0, 5u << 8, buf, 4096), 0);	/* full */
	CHECK_EQ(nvme_get64(p, 0), 1);
	CHECK_EQ(nvme_get64(p, 64 + 16), 6 * ZB);
	CHECK_EQ(nvme_get64(p, 64 + 24), 7 * ZB);
	CHECK_EQ(zmr(&t, 0, 6u << 8, buf, 4096), 0);	/* read only */
	CHECK_EQ(nvme_get64(p, 0), 0);
	CHECK_EQ(zmr(&t, 0, 7u << 8, buf, 4096), 0);	/* offline */
	CHECK_EQ(nvme_get64(p, 0), 0);
	CHECK(zeroes(p, 4096));

	/* partial: the count is what fits; without it, everything that matches */
	CHECK_EQ(zmr(&t, 0, 0, buf, 64 * 3), 0);
	CHECK_EQ(nvme_get64(p, 0), NZ);
	CHECK_EQ(nvme_get64(p, 128 + 16), ZB);
	CHECK_EQ(p[64 * 3], 0xee);			/* nothing past the buffer */
	CHECK_EQ(zmr(&t, 0, NVME_ZRA_PARTIAL, buf, 64 * 3), 0);
	CHECK_EQ(nvme_get64(p, 0), 2);
	CHECK_EQ(zmr(&t, 0, NVME_ZRA_PARTIAL | 1u << 8, buf, 64 * 3), 0);
	CHECK_EQ(nvme_get64(p, 0), 2);
	CHECK_EQ(nvme_get64(p, 128 + 16), 3 * ZB);
	/* just the header, as nvme-cli asks first */
	CHECK_EQ(zmr(&t, 0, 0, buf, 64), 0);
	CHECK_EQ(nvme_get64(p, 0), NZ);
	CHECK(zeroes(p + 8, 56));
	CHECK_EQ(p[64], 0xee);
	CHECK_EQ(zmr(&t, 0, NVME_ZRA_PARTIAL, buf, 64), 0);
	CHECK_EQ(nvme_get64(p, 0), 0);
	/* a buffer that ends inside a descriptor gets its part of it */
	CHECK_EQ(zmr(&t, 0, 0, buf, 100), 0);
	CHECK_EQ(nvme_get64(p, 64 + 16), 0);
	CHECK_EQ(p[100], 0xee);

	/* errors: a small buffer, extended report, an unknown filter, past the zones */
	CHECK_EQ(zmr(&t, 0, 0, buf, 60), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(zmr(&t, 0, NVME_ZRA_EXT_REPORT, buf, 4096), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(zmr(&t, 0, 8u << 8, buf, 4096), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(zmr(&t, NZ * ZB, 0, buf, 4096), NVME_SC_LBA_RANGE | DNR);
	th_fini(&t);
}

UNIT_TEST(zns_append)
{
	struct th t;
	u64 lba, wp;
	u8 *p;

	setup(&t, 1, 0);
	CHECK_EQ(append(&t, 3 * ZB, 1, 0xa1, &lba), 0);
	CHECK_EQ(lba, 3 * ZB);
	CHECK_EQ(append(&t, 3 * ZB, 2, 0xa2, &lba), 0);
	CHECK_EQ(lba, 3 * ZB + 1);
	CHECK_EQ(zstate(&t, 3, &wp), NVME_ZS_IMP_OPEN);
	CHECK_EQ(wp, 3 * ZB + 3);
	CHECK_EQ(rd(&t, 3 * ZB + 2, &p), 0);
	CHECK_EQ(p[0], 0xa2);
	/* not the zone start; larger than ZASL (16 KiB) */
	CHECK_EQ(append(&t, 3 * ZB + 3, 1, 0, NULL), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(append(&t, 3 * ZB, 5, 0, NULL), NVME_SC_INVALID_FIELD | DNR);
	/* it opens zones as a write does: the open limit of 1 closes zone 3 */
	CHECK_EQ(append(&t, 5 * ZB, 1, 0xa5, &lba), 0);
	CHECK_EQ(lba, 5 * ZB);
	CHECK_EQ(zstate(&t, 3, NULL), NVME_ZS_CLOSED);
	/* up to full, then Zone Is Full */
	CHECK_EQ(zms(&t, 5 * ZB, NVME_ZSA_OPEN, false), 0);
	while (wp < 5 * ZB + ZB - 4) {
		CHECK_EQ(append(&t, 5 * ZB, 4, 0, &lba), 0);
		wp = lba + 4;
	}
	CHECK_EQ(append(&t, 5 * ZB, 4, 0, NULL), NVME_SC_ZONE_BOUNDARY | DNR);
	CHECK_EQ(append(&t, 5 * ZB, 3, 0, &lba), 0);
	CHECK_EQ(lba, 6 * ZB - 3);
	CHECK_EQ(zstate(&t, 5, NULL), NVME_ZS_FULL);
	CHECK_EQ(append(&t, 5 * ZB, 1, 0, NULL), NVME_SC_ZONE_FULL | DNR);
	th_fini(&t);
}

UNIT_TEST(zns_reset_reads_zeroes)
{
	struct th t;
	u8 *p;

	setup(&t, 0, 0);
	CHECK_EQ(wr(&t, ZB, 8, 0x5a), 0);
	CHECK_EQ(wr(&t, 2 * ZB, 8, 0x5b), 0);
	CHECK_EQ(zms(&t, ZB, NVME_ZSA_RESET, false), 0);
	CHECK_EQ(rd(&t, ZB + 7, &p), 0);
	CHECK(zeroes(p, 4096));
	CHECK_EQ(rd(&t, 2 * ZB + 7, &p), 0);
	CHECK_EQ(p[0], 0x5b);
	/* it is written from its start again */
	CHECK_EQ(wr(&t, ZB + 8, 1, 0x5c), NVME_SC_ZONE_INVALID_WRITE | DNR);
	CHECK_EQ(wr(&t, ZB, 1, 0x5c), 0);
	CHECK_EQ(rd(&t, ZB, &p), 0);
	CHECK_EQ(p[0], 0x5c);
	CHECK_EQ(rd(&t, ZB + 1, &p), 0);
	CHECK(zeroes(p, 4096));
	/* a read across zones (RAZB) */
	{
		struct nvme_sqe c;
		u64 buf = host_alloc(8192);

		sqe_rw(&c, NVME_CMD_READ, 2 * ZB - 1, 2, buf);
		c.dw[8] = (u32)(buf + 4096);
		c.dw[9] = (u32)((buf + 4096) >> 32);
		CHECK_EQ(cmd(&t, &c, NULL), 0);
		CHECK(zeroes(host_ptr(buf), 4096));
		CHECK_EQ(((u8 *)host_ptr(buf))[4096], 0x5b);
	}
	th_fini(&t);
}

/* The state behind the zones as an image restores it: checked, the counts rebuilt. */
UNIT_TEST(zns_saved_state_is_checked)
{
	struct th t;
	struct nvmev_ns *ns;
	u8 *h, save[64];
	u64 hoff;

	setup(&t, 2, 3);
	ns = &t.c->ns[0];
	hoff = (ns->size & ~4095ull) - 4096;
	h = ns->data + hoff;
	CHECK(!memcmp(h, "NVMEVZNS", 8));
	CHECK_EQ(wr(&t, 0, 1, 1), 0);
	CHECK_EQ(wr(&t, ZB, 1, 1), 0);
	CHECK_EQ(zms(&t, 2 * ZB, NVME_ZSA_OPEN, false), 0);	/* closes zone 0 */
	memcpy(save, h, sizeof(save));
	/* the counts are rebuilt from the zones */
	memset(h + 36, 0, 16);
	CHECK_EQ(ns->cmd_set->load(ns), 0);
	CHECK(!memcmp(h, save, 36));
	CHECK_EQ(nvme_get32(h, 36), 2);		/* open */
	CHECK_EQ(nvme_get32(h, 40), 3);		/* active */
	CHECK_EQ(wr(&t, 3 * ZB, 1, 1), NVME_SC_ZONE_TOO_MANY_ACTIVE | DNR);
	CHECK_EQ(wr(&t, 0 + 1, 1, 1), 0);	/* reopening zone 0 closes zone 1 */
	CHECK_EQ(zstate(&t, 1, NULL), NVME_ZS_CLOSED);
	/* other settings than the namespace's, or states it cannot have: refused */
	memcpy(save, h, sizeof(save));
	h[0] ^= 1;
	CHECK_EQ(ns->cmd_set->load(ns), -1);
	memcpy(h, save, sizeof(save));
	nvme_put32(h, 16, 5);			/* nr_zones */
	CHECK_EQ(ns->cmd_set->load(ns), -1);
	memcpy(h, save, sizeof(save));
	nvme_put32(h, 24, 3);			/* max_open */
	CHECK_EQ(ns->cmd_set->load(ns), -1);
	memcpy(h, save, sizeof(save));
	CHECK_EQ(ns->cmd_set->load(ns), 0);
	/* a zone's write pointer past its capacity, an unknown state, too many active */
	{
		u8 *z = h - NZ * NVMEV_ZNS_ZONE_BYTES;

		nvme_put32(z + 16 * 7, 4, ZB + 1);
		CHECK_EQ(ns->cmd_set->load(ns), -1);
		nvme_put32(z + 16 * 7, 4, 0);
		z[16 * 7] = 0x7;
		CHECK_EQ(ns->cmd_set->load(ns), -1);
		z[16 * 7] = NVME_ZS_CLOSED;
		CHECK_EQ(ns->cmd_set->load(ns), -1);
		z[16 * 7] = NVME_ZS_EMPTY;
		nvme_put32(z + 16 * 7, 4, 1);		/* empty with a write pointer */
		CHECK_EQ(ns->cmd_set->load(ns), -1);
		nvme_put32(z + 16 * 7, 4, 0);
		CHECK_EQ(ns->cmd_set->load(ns), 0);
	}
	th_fini(&t);
}

UNIT_TEST(zns_namespace_size_checked)
{
	struct th t;
	struct nvmev_ns *ns;

	/* one zone and the state's two pages: the smallest; less: refused */
	setup_cap(&t, 0, 0, 0, 4);
	ns = &t.c->ns[0];
	CHECK_EQ(ns->cmd_set->min_size(ns->timing, 12), 4 * MiB + 8192);
	CHECK_EQ(nvmev_ns_setup(t.c, 3, ns->cmd_set, 0, 4 * MiB + 4096, 12), -1);
	/* a zoned namespace on NVM media: refused */
	CHECK_EQ(nvmev_ns_setup(t.c, 2, ns->cmd_set, 0, 16 * MiB, 12), -1);
	th_fini(&t);
}

/* What zone management costs on the NAND timeline. */
UNIT_TEST(zns_timing)
{
	struct nvmev_zns_timing z;
	struct nvmev_req req;
	const struct nvmev_media *m = zns_type()->media;
	u64 done, t0 = 1000000;

	CHECK_EQ(nvmev_media_init_defaults(m, &z.base), 0);
	CHECK_EQ(z.nand.nr_dies, 32);
	CHECK_EQ(z.nand.unit_bytes, 96 * 1024);
	memset(&req, 0, sizeof(req));
	req.lba_shift = 12;
	/* a reset erases: at least tBERS */
	req.opcode = NVME_ZNS_MGMT_SEND;
	req.csd[0] = NVME_ZSA_RESET;
	req.nlb = 1;
	done = z.base.ops->schedule(&z.base, &req, t0);
	CHECK(done >= t0 + 3500000);
	CHECK(done <= t0 + 2 * 3500000);
	/* a reset of nothing costs only the firmware */
	req.nlb = 0;
	z.base.ops->reset(&z.base);
	CHECK_EQ(z.base.ops->schedule(&z.base, &req, t0), t0 + 5000);
	/* open and close: cheap, not free */
	req.csd[0] = NVME_ZSA_OPEN;
	CHECK_EQ(z.base.ops->schedule(&z.base, &req, t0), t0 + 5000);
	/* a finish programs the half-written unit: tPROG */
	z.base.ops->reset(&z.base);
	req.opcode = NVME_CMD_WRITE;
	req.nlb = 1;
	done = z.base.ops->schedule(&z.base, &req, t0);
	CHECK(done < t0 + 561000);			/* early completion */
	req.opcode = NVME_ZNS_MGMT_SEND;
	req.csd[0] = NVME_ZSA_FINISH;
	req.slba = 1;
	done = z.base.ops->schedule(&z.base, &req, t0);
	CHECK(done >= t0 + 561000);
	/* a read: tR and the transfer */
	z.base.ops->reset(&z.base);
	req.opcode = NVME_CMD_READ;
	req.slba = 0;
	req.nlb = 1;
	done = z.base.ops->schedule(&z.base, &req, t0);
	CHECK(done >= t0 + 50000 + 4096 * 1000 / 800);
	CHECK(done < t0 + 70000);
	/* tunables that do not fit: refused */
	z.zone_size_mib = 3;
	CHECK_EQ(m->init(&z.base), -1);
	z.zone_size_mib = 64;
	z.zone_cap_mib = 65;
	CHECK_EQ(m->init(&z.base), -1);
	z.zone_cap_mib = 0;
	z.max_open = 15;
	CHECK_EQ(m->init(&z.base), -1);
	z.max_open = 14;
	z.append_max_kib = 12;
	CHECK_EQ(m->init(&z.base), -1);
	z.append_max_kib = 0;
	CHECK_EQ(m->init(&z.base), 0);
}

/* Injected faults: a zone goes read only or offline, as a drive's may. */
UNIT_TEST(zns_fault_injection)
{
	struct th t;
	struct nvmev_ns *ns;
	u8 *p;

	setup(&t, 1, 1);
	ns = &t.c->ns[0];
	CHECK(ns->cmd_set->fault_name && !strcmp(ns->cmd_set->fault_name, "zone_fault"));
	CHECK_EQ(wr(&t, ZB, 2, 0x77), 0);
	CHECK_EQ(wr(&t, 2 * ZB, 1, 1), NVME_SC_ZONE_TOO_MANY_ACTIVE | DNR);
	CHECK_EQ(ns->cmd_set->fault(ns, "read_only", ZB), 0);
	CHECK_EQ(ns->cmd_set->fault(ns, "offline", 2 * ZB), -2);	/* one at a time */
	CHECK_EQ(zstate(&t, 1, NULL), NVME_ZS_READ_ONLY);
	/* it held the only active resource: free again */
	CHECK_EQ(wr(&t, 2 * ZB, 1, 1), 0);
	/* read only: its data reads, nothing writes, only offline leaves it */
	CHECK_EQ(rd(&t, ZB + 1, &p), 0);
	CHECK_EQ(p[0], 0x77);
	CHECK_EQ(wr(&t, ZB + 2, 1, 1), NVME_SC_ZONE_READ_ONLY | DNR);
	CHECK_EQ(append(&t, ZB, 1, 1, NULL), NVME_SC_ZONE_READ_ONLY | DNR);
	CHECK_EQ(zms(&t, ZB, NVME_ZSA_RESET, false), NVME_SC_ZONE_INVALID_TRANSITION | DNR);
	CHECK_EQ(zms(&t, ZB, NVME_ZSA_OPEN, false), NVME_SC_ZONE_INVALID_TRANSITION | DNR);
	CHECK_EQ(zms(&t, 0, NVME_ZSA_RESET, true), 0);		/* leaves it */
	CHECK_EQ(zstate(&t, 1, NULL), NVME_ZS_READ_ONLY);
	CHECK_EQ(zms(&t, 0, NVME_ZSA_OFFLINE, true), 0);
	CHECK_EQ(zstate(&t, 1, NULL), NVME_ZS_OFFLINE);
	/* offline: nothing reads or writes, nothing leaves it */
	CHECK_EQ(rd(&t, ZB, &p), NVME_SC_ZONE_OFFLINE | DNR);
	CHECK_EQ(wr(&t, ZB, 1, 1), NVME_SC_ZONE_OFFLINE | DNR);
	CHECK_EQ(zms(&t, ZB, NVME_ZSA_RESET, false), NVME_SC_ZONE_INVALID_TRANSITION | DNR);
	CHECK_EQ(ns->cmd_set->fault(ns, "read_only", ZB), 0);
	CHECK_EQ(zstate(&t, 1, NULL), NVME_ZS_OFFLINE);
	/* a read across into an offline zone fails */
	{
		struct nvme_sqe c;
		u64 buf = host_alloc(8192);

		sqe_rw(&c, NVME_CMD_READ, ZB - 1, 2, buf);
		c.dw[8] = (u32)(buf + 4096);
		c.dw[9] = (u32)((buf + 4096) >> 32);
		CHECK_EQ(cmd(&t, &c, NULL), NVME_SC_ZONE_OFFLINE | DNR);
	}
	/* straight to offline from empty; reports filter them */
	CHECK_EQ(ns->cmd_set->fault(ns, "offline", 5 * ZB), 0);
	CHECK_EQ(zstate(&t, 5, NULL), NVME_ZS_OFFLINE);
	{
		u64 buf = host_alloc(8192);

		CHECK_EQ(zmr(&t, 0, 7u << 8, buf, 4096), 0);
		CHECK_EQ(nvme_get64(host_ptr(buf), 0), 2);
	}
	/* not a zone start, past the zones, an unknown fault */
	CHECK_EQ(ns->cmd_set->fault(ns, "offline", 3 * ZB + 1), -1);
	CHECK_EQ(ns->cmd_set->fault(ns, "offline", NZ * ZB), -1);
	CHECK_EQ(ns->cmd_set->fault(ns, "broken", 3 * ZB), -1);
	CHECK_EQ(ns->fault, 0);
	/* the states travel: load accepts them */
	CHECK_EQ(ns->cmd_set->load(ns), 0);
	CHECK_EQ(zstate(&t, 5, NULL), NVME_ZS_OFFLINE);
	th_fini(&t);
}

/* A refused set of tunables names the tunable that does not fit. */
UNIT_TEST(zns_misfit_names_the_tunable)
{
	const struct nvmev_media *m = &nvmev_zns_media;
	static const struct {
		const char *name;
		u64 v;
		const char *says;
	} bad[] = {
		{ "zone_size", 3, "zone_size is not a power of two" },
		{ "zone_capacity", 128, "zone_capacity is more than zone_size" },
		{ "max_open_zones", 15, "max_open_zones is more than max_active_zones" },
		{ "zone_append_max_kib", 12, "zone_append_max_kib is not a power of two" },
		{ "pages_per_block", 1, "the NAND geometry does not fit" },
	};
	struct nvmev_zns_timing z;
	u32 i;

	CHECK(m->misfit != NULL);
	for (i = 0; i < NVMEV_ARRAY_SIZE(bad); i++) {
		memset(&z, 0, sizeof(z));
		CHECK_EQ(nvmev_media_init_defaults(m, &z.base), 0);
		nvmev_tunable_set(&z.base, nvmev_tunable_find(m, bad[i].name), bad[i].v);
		if (!strcmp(bad[i].name, "pages_per_block"))
			nvmev_tunable_set(&z.base, nvmev_tunable_find(m, "oneshot_pages"), 3);
		CHECK(m->init(&z.base) != 0);
		CHECK(strstr(m->misfit(&z.base), bad[i].says) != NULL);
	}
}
