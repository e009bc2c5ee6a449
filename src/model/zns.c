// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Zoned Namespace Command Set (CSI 02h): zones of sequential-write-
 * required blocks with write pointers, the zone state machine with its open
 * and active resource limits, Zone Management Send and Receive, Zone
 * Append, and the NVM commands of a zoned namespace (nvm.c moves their
 * data once the zone rules here have let them through).
 *
 * Every zone rule is applied by the dispatcher when it decodes a command,
 * in submission order: a write or an append moves the write pointer then,
 * before a worker copies its data, so the commands that follow see it;
 * a reset marks the zone's written blocks deallocated (they read as
 * zeroes again). Blocks above a write pointer were never written since
 * the zone was last reset, so they read as zeroes too. Workers only read
 * the zone states (Report Zones), each field once.
 *
 * The zone states live in the namespace's own extent, after its last zone,
 * so that an image carries them: the last 4 KiB hold a header (layout,
 * limits, the open and active counts, the list of implicitly opened zones,
 * oldest first, which an open that needs room closes), and 16 bytes per
 * zone precede it. The host reaches none of it: NSZE ends with the last
 * zone. Nothing on the I/O path looks at more than the zones a command
 * names; Select All and Report Zones go over the zones, once per command.
 */
#include "zns.h"
#include "nvm.h"
#include "prp.h"

#define NVME_DNR(sc)	((u16)((sc) | NVME_STATUS_DNR))
#define ZNS_VERSION	1

static const u8 zns_magic[8] = { 'N', 'V', 'M', 'E', 'V', 'Z', 'N', 'S' };

/* The header; little-endian hosts only, as the rest of the model. */
struct zns_hdr {
	u8 magic[8];
	u32 version;
	u32 zone_shift;		/* log2 of the blocks of a zone */
	u32 nr_zones;
	u32 zcap;		/* writable blocks of each zone */
	u32 max_open;		/* 0: no limit */
	u32 max_active;		/* 0: no limit */
	u32 zasl;		/* the largest Zone Append, in blocks */
	u32 nr_open;		/* implicitly or explicitly opened zones */
	u32 nr_active;		/* opened or closed zones */
	u32 lru_head;		/* implicitly opened zones, oldest first: index + 1; 0: none */
	u32 lru_tail;
};

struct zns_zone {
	u8 state;		/* NVME_ZS_* */
	u8 attrs;		/* Zone Attributes of its descriptor */
	u16 rsvd;
	u32 wofs;		/* write pointer - zone start, in blocks */
	u32 prev;		/* implicitly opened zones' list: index + 1 */
	u32 next;
};

/* ---- Layout ---- */

static u64 hdr_off(u64 size)
{
	return (size & ~(u64)(NVMEV_ZNS_HDR_BYTES - 1)) - NVMEV_ZNS_HDR_BYTES;
}

static struct zns_hdr *hdr_of(const struct nvmev_ns *ns)
{
	return (struct zns_hdr *)(ns->data + hdr_off(ns->size));
}

static struct zns_zone *zones_of(struct zns_hdr *h)
{
	return (struct zns_zone *)((u8 *)h - (u64)h->nr_zones * NVMEV_ZNS_ZONE_BYTES);
}

static u32 log2_u64(u64 v)
{
	u32 n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

/* The layout and limits a namespace of @size bytes gets from the tunables @t. */
static int zns_geometry(const struct nvmev_timing *base, u64 size, u32 lba_shift,
			struct zns_hdr *g)
{
	const struct nvmev_zns_timing *t = (const struct nvmev_zns_timing *)base;
	u64 zone_bytes = t->zone_size_mib << 20, hdr, nr;

	memset(g, 0, sizeof(*g));
	if (!zone_bytes || (size & ~4095ull) < zone_bytes + 2 * NVMEV_ZNS_HDR_BYTES)
		return -1;
	hdr = hdr_off(size);
	nr = hdr / (zone_bytes + NVMEV_ZNS_ZONE_BYTES);
	if (!nr || nr > 0xffffffffull)
		return -1;
	memcpy(g->magic, zns_magic, sizeof(zns_magic));
	g->version = ZNS_VERSION;
	g->zone_shift = log2_u64(zone_bytes) - lba_shift;
	g->nr_zones = (u32)nr;
	g->zcap = t->zone_cap_mib ? (u32)((t->zone_cap_mib << 20) >> lba_shift) :
				     1u << g->zone_shift;
	g->max_open = (u32)t->max_open;
	g->max_active = (u32)t->max_active;
	g->zasl = (u32)((t->append_max_kib ? t->append_max_kib << 10 : NVMEV_MAX_XFER) >> lba_shift);
	return 0;
}

static u64 zns_min_size(const struct nvmev_timing *t, u32 lba_shift)
{
	(void)lba_shift;
	return (((const struct nvmev_zns_timing *)t)->zone_size_mib << 20) +
	       2 * NVMEV_ZNS_HDR_BYTES;
}

/* Blocks the host sees: the zones. */
static u64 zoned_blocks(const struct zns_hdr *h)
{
	return (u64)h->nr_zones << h->zone_shift;
}

/* ---- States and resources ---- */

static bool is_open(u8 s)
{
	return s == NVME_ZS_IMP_OPEN || s == NVME_ZS_EXP_OPEN;
}

static bool is_active(u8 s)
{
	return is_open(s) || s == NVME_ZS_CLOSED;
}

static void lru_del(struct zns_hdr *h, struct zns_zone *zs, u32 i)
{
	struct zns_zone *z = &zs[i];

	if (z->prev)
		zs[z->prev - 1].next = z->next;
	else
		h->lru_head = z->next;
	if (z->next)
		zs[z->next - 1].prev = z->prev;
	else
		h->lru_tail = z->prev;
	z->prev = 0;
	z->next = 0;
}

static void lru_add(struct zns_hdr *h, struct zns_zone *zs, u32 i)
{
	zs[i].prev = h->lru_tail;
	zs[i].next = 0;
	if (h->lru_tail)
		zs[h->lru_tail - 1].next = i + 1;
	else
		h->lru_head = i + 1;
	h->lru_tail = i + 1;
}

/* Zone @i to state @to, with the open and active counts and the list. */
static void zone_set(struct zns_hdr *h, struct zns_zone *zs, u32 i, u8 to)
{
	u8 from = zs[i].state;

	if (from == to)
		return;
	if (from == NVME_ZS_IMP_OPEN)
		lru_del(h, zs, i);
	h->nr_open -= is_open(from);
	h->nr_active -= is_active(from);
	h->nr_open += is_open(to);
	h->nr_active += is_active(to);
	if (to == NVME_ZS_IMP_OPEN)
		lru_add(h, zs, i);
	NVMEV_WRITE_ONCE(zs[i].state, to);
}

/*
 * Room for zone @i (empty or closed) to open: an active resource if it is
 * empty, an open one, which closing the oldest implicitly opened zone
 * makes when the limit is reached.
 */
static u16 zone_take_open(struct zns_hdr *h, struct zns_zone *zs, u32 i)
{
	if (zs[i].state == NVME_ZS_EMPTY && h->max_active && h->nr_active >= h->max_active)
		return NVME_DNR(NVME_SC_ZONE_TOO_MANY_ACTIVE);
	if (h->max_open && h->nr_open >= h->max_open) {
		if (!h->lru_head)
			return NVME_DNR(NVME_SC_ZONE_TOO_MANY_OPEN);
		zone_set(h, zs, h->lru_head - 1, NVME_ZS_CLOSED);
	}
	return NVME_SC_SUCCESS;
}

static void zone_reset(struct nvmev_ns *ns, struct zns_hdr *h, struct zns_zone *zs, u32 i)
{
	/* only blocks below the write pointer were ever written */
	nvmev_dealloc_mark(ns, (u64)i << h->zone_shift, zs[i].wofs, true);
	zone_set(h, zs, i, NVME_ZS_EMPTY);
	NVMEV_WRITE_ONCE(zs[i].wofs, 0);
}

static void zone_finish(struct zns_hdr *h, struct zns_zone *zs, u32 i)
{
	zone_set(h, zs, i, NVME_ZS_FULL);
	NVMEV_WRITE_ONCE(zs[i].wofs, h->zcap);
}

/* ---- The NVM commands on zones ---- */

/* A Write or Write Zeroes at, or (@append) a Zone Append to, a zone. */
static u16 zone_write(struct nvmev_ns *ns, struct nvmev_req *req, bool append)
{
	struct zns_hdr *h = hdr_of(ns);
	struct zns_zone *zs = zones_of(h), *z;
	u64 lim = zoned_blocks(h), zslba;
	u32 i;
	u16 status;

	if (req->slba >= lim || req->nlb > lim - req->slba)
		return NVME_DNR(NVME_SC_LBA_RANGE);
	i = (u32)(req->slba >> h->zone_shift);
	z = &zs[i];
	zslba = (u64)i << h->zone_shift;
	switch (z->state) {
	case NVME_ZS_FULL:
		return NVME_DNR(NVME_SC_ZONE_FULL);
	case NVME_ZS_READ_ONLY:
		return NVME_DNR(NVME_SC_ZONE_READ_ONLY);
	case NVME_ZS_OFFLINE:
		return NVME_DNR(NVME_SC_ZONE_OFFLINE);
	default:
		break;
	}
	if (append) {
		if (req->slba != zslba || req->nlb > h->zasl)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		req->slba = zslba + z->wofs;
	} else if (req->slba != zslba + z->wofs) {
		return NVME_DNR(NVME_SC_ZONE_INVALID_WRITE);
	}
	if ((u64)z->wofs + req->nlb > h->zcap)
		return NVME_DNR(NVME_SC_ZONE_BOUNDARY);
	if (z->state == NVME_ZS_EMPTY || z->state == NVME_ZS_CLOSED) {
		status = zone_take_open(h, zs, i);
		if (status)
			return status;
		zone_set(h, zs, i, NVME_ZS_IMP_OPEN);
	}
	NVMEV_WRITE_ONCE(z->wofs, z->wofs + req->nlb);
	if (z->wofs == h->zcap)
		zone_set(h, zs, i, NVME_ZS_FULL);
	return NVME_SC_SUCCESS;
}

/* Reads may cross zones (RAZB); an offline zone has nothing to read. */
static u16 zone_read(struct nvmev_ns *ns, const struct nvmev_req *req)
{
	struct zns_hdr *h = hdr_of(ns);
	struct zns_zone *zs = zones_of(h);
	u64 lim = zoned_blocks(h), i;

	if (req->slba >= lim || req->nlb > lim - req->slba)
		return NVME_DNR(NVME_SC_LBA_RANGE);
	for (i = req->slba >> h->zone_shift; i <= (req->slba + req->nlb - 1) >> h->zone_shift; i++)
		if (zs[i].state == NVME_ZS_OFFLINE)
			return NVME_DNR(NVME_SC_ZONE_OFFLINE);
	return NVME_SC_SUCCESS;
}

/* ---- Zone Management Send ---- */

/* @zsa on zone @i; req->nlb counts the zones it changed (for the media model). */
static u16 zms_one(struct nvmev_ns *ns, struct zns_hdr *h, struct zns_zone *zs, u32 i, u8 zsa,
		   struct nvmev_req *req)
{
	u8 s = zs[i].state;
	u16 status;

	switch (zsa) {
	case NVME_ZSA_CLOSE:
		if (s == NVME_ZS_CLOSED)
			return NVME_SC_SUCCESS;
		if (!is_open(s))
			break;
		zone_set(h, zs, i, NVME_ZS_CLOSED);
		req->nlb++;
		return NVME_SC_SUCCESS;
	case NVME_ZSA_FINISH:
		if (s == NVME_ZS_FULL)
			return NVME_SC_SUCCESS;
		if (s != NVME_ZS_EMPTY && !is_active(s))
			break;
		if (!req->nlb++)
			req->slba = ((u64)i << h->zone_shift) + zs[i].wofs;
		zone_finish(h, zs, i);
		return NVME_SC_SUCCESS;
	case NVME_ZSA_OPEN:
		if (s == NVME_ZS_EXP_OPEN)
			return NVME_SC_SUCCESS;
		if (s == NVME_ZS_EMPTY || s == NVME_ZS_CLOSED) {
			status = zone_take_open(h, zs, i);
			if (status)
				return status;
		} else if (s != NVME_ZS_IMP_OPEN) {
			break;
		}
		zone_set(h, zs, i, NVME_ZS_EXP_OPEN);
		req->nlb++;
		return NVME_SC_SUCCESS;
	case NVME_ZSA_RESET:
		if (s == NVME_ZS_EMPTY)
			return NVME_SC_SUCCESS;
		if (s != NVME_ZS_FULL && !is_active(s))
			break;
		if (!req->nlb++)
			req->slba = (u64)i << h->zone_shift;
		zone_reset(ns, h, zs, i);
		return NVME_SC_SUCCESS;
	case NVME_ZSA_OFFLINE:
		if (s == NVME_ZS_OFFLINE)
			return NVME_SC_SUCCESS;
		if (s != NVME_ZS_READ_ONLY)
			break;
		zone_set(h, zs, i, NVME_ZS_OFFLINE);
		req->nlb++;
		return NVME_SC_SUCCESS;
	default:
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	}
	return NVME_DNR(NVME_SC_ZONE_INVALID_TRANSITION);
}

/*
 * Select All: the action on every zone in the states it applies to
 * (close: open zones; finish: open and closed; open: closed; reset: open,
 * closed and full; offline: read only); the others are left alone.
 */
static u16 zms_all(struct nvmev_ns *ns, struct zns_hdr *h, struct zns_zone *zs, u8 zsa,
		   struct nvmev_req *req)
{
	u32 i, closed = 0;

	if (zsa == NVME_ZSA_OPEN) {
		for (i = 0; i < h->nr_zones; i++)
			closed += zs[i].state == NVME_ZS_CLOSED;
		if (h->max_open && h->nr_open + closed > h->max_open)
			return NVME_DNR(NVME_SC_ZONE_TOO_MANY_OPEN);
	}
	for (i = 0; i < h->nr_zones; i++) {
		u8 s = zs[i].state;
		bool apply;

		switch (zsa) {
		case NVME_ZSA_CLOSE:
			apply = is_open(s);
			break;
		case NVME_ZSA_FINISH:
			apply = is_active(s);
			break;
		case NVME_ZSA_OPEN:
			apply = s == NVME_ZS_CLOSED;
			break;
		case NVME_ZSA_RESET:
			apply = is_active(s) || s == NVME_ZS_FULL;
			break;
		default:
			apply = s == NVME_ZS_READ_ONLY;
			break;
		}
		if (apply)
			zms_one(ns, h, zs, i, zsa, req);
	}
	if (zsa == NVME_ZSA_FINISH)
		req->slba = 0;	/* many zones: no one write pointer to program at */
	return NVME_SC_SUCCESS;
}

static u16 zms_decode(struct nvmev_ns *ns, const struct nvme_sqe *cmd, struct nvmev_req *req)
{
	struct zns_hdr *h = hdr_of(ns);
	struct zns_zone *zs = zones_of(h);
	u64 slba = cmd->dw[10] | ((u64)cmd->dw[11] << 32);
	u8 zsa = cmd->dw[13] & 0xff;

	req->csd[0] = zsa;
	req->nlb = 0;
	req->slba = 0;
	if (zsa < NVME_ZSA_CLOSE || zsa > NVME_ZSA_OFFLINE)
		return NVME_DNR(NVME_SC_INVALID_FIELD);	/* no descriptor extensions (ZDES 0) */
	if (cmd->dw[13] & NVME_ZSA_SELECT_ALL)
		return zms_all(ns, h, zs, zsa, req);
	if (slba >= zoned_blocks(h))
		return NVME_DNR(NVME_SC_LBA_RANGE);
	if (slba & ((1ull << h->zone_shift) - 1))
		return NVME_DNR(NVME_SC_INVALID_FIELD);	/* not the start of a zone */
	return zms_one(ns, h, zs, (u32)(slba >> h->zone_shift), zsa, req);
}

/* ---- Zone Management Receive: Report Zones ---- */

static const u8 zrasf_state[NVME_ZRASF_MAX + 1] = {
	0, NVME_ZS_EMPTY, NVME_ZS_IMP_OPEN, NVME_ZS_EXP_OPEN, NVME_ZS_CLOSED, NVME_ZS_FULL,
	NVME_ZS_READ_ONLY, NVME_ZS_OFFLINE,
};

static u16 zmr_decode(struct nvmev_ns *ns, const struct nvme_sqe *cmd, struct nvmev_req *req)
{
	u64 bytes = ((u64)cmd->dw[12] + 1) * 4;
	u32 dw13 = cmd->dw[13];

	if (bytes < 64 || bytes > NVMEV_MAX_XFER)
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	if ((dw13 & 0xff) != NVME_ZRA_REPORT || ((dw13 >> 8) & 0xff) > NVME_ZRASF_MAX)
		return NVME_DNR(NVME_SC_INVALID_FIELD);	/* no extended report (ZDES 0) */
	req->slba = cmd->dw[10] | ((u64)cmd->dw[11] << 32);
	if (req->slba >= zoned_blocks(hdr_of(ns)))
		return NVME_DNR(NVME_SC_LBA_RANGE);
	req->bytes = (u32)bytes;
	req->dir = NVMEV_DIR_READ;
	req->csd[0] = dw13;
	return NVME_SC_SUCCESS;
}

/* The report as a byte stream: record 0 the header, record n the n-th matching zone. */
struct report {
	void *plat;
	const struct zns_hdr *h;
	const struct zns_zone *zs;
	u8 state;		/* the filter's state; 0: every zone */
	u64 count;		/* descriptors in the report */
	u64 rec;		/* the record in @buf */
	u32 cursor;		/* the next zone to look at for record @rec + 1 */
	u8 buf[64];
	u8 *out;		/* a page of scratch */
};

static bool report_match(const struct report *r, u32 i)
{
	return !r->state || NVMEV_READ_ONCE(r->zs[i].state) == r->state;
}

static void report_render(struct report *r, u64 rec)
{
	const struct zns_hdr *h = r->h;
	u32 i;

	if (rec == r->rec)
		return;
	memset(r->buf, 0, sizeof(r->buf));
	r->rec = rec;
	if (rec == 0) {
		nvme_put64(r->buf, 0, r->count);
		return;
	}
	if (rec > r->count)
		return;		/* past the descriptors: zeroes */
	for (i = r->cursor; i < h->nr_zones && !report_match(r, i); i++)
		;
	if (i >= h->nr_zones)
		return;		/* a zone changed state since the count */
	r->cursor = i + 1;
	r->buf[0] = NVME_ZONE_TYPE_SEQ;
	r->buf[1] = (u8)(NVMEV_READ_ONCE(r->zs[i].state) << 4);
	r->buf[2] = NVMEV_READ_ONCE(r->zs[i].attrs);
	nvme_put64(r->buf, 8, h->zcap);
	nvme_put64(r->buf, 16, (u64)i << h->zone_shift);
	nvme_put64(r->buf, 24, ((u64)i << h->zone_shift) + NVMEV_READ_ONCE(r->zs[i].wofs));
}

static bool report_seg(void *arg, u64 addr, u32 len, u32 off)
{
	struct report *r = arg;
	u32 done = 0;

	while (done < len) {
		u32 o = off + done, in = o % 64, n = NVMEV_MIN(64 - in, len - done);

		report_render(r, o / 64);
		memcpy(r->out + done, r->buf + in, n);
		done += n;
	}
	return nvmev_plat_host_write(r->plat, addr, r->out, len);
}

static u16 zns_report(struct nvmev_ctrl *c, struct nvmev_worker *w, struct nvmev_ns *ns,
		      struct nvmev_req *req)
{
	struct zns_hdr *h = hdr_of(ns);
	struct report r = {
		.plat = c->plat, .h = h, .zs = zones_of(h),
		.state = zrasf_state[(req->csd[0] >> 8) & NVME_ZRASF_MAX],
		.rec = ~0ull, .cursor = (u32)(req->slba >> h->zone_shift), .out = w->scratch,
	};
	u64 room = req->bytes / 64 - 1;
	u32 i;

	/* Number of Zones: every match from SLBA on, or (partial) those reported */
	for (i = r.cursor; i < h->nr_zones; i++) {
		if (req->csd[0] & NVME_ZRA_PARTIAL && r.count == room)
			break;
		r.count += report_match(&r, i);
	}
	return nvmev_prp_walk(c->plat, req->prp1, req->prp2, req->bytes, report_seg, &r);
}

/* ---- Fault injection ---- */

/* Any thread: zone at @lba to read only or offline, before the next command. */
static int zns_fault(struct nvmev_ns *ns, const char *what, u64 lba)
{
	struct zns_hdr *h = hdr_of(ns);
	u8 to;

	if (nvmev_str_eq(what, "read_only"))
		to = NVME_ZS_READ_ONLY;
	else if (nvmev_str_eq(what, "offline"))
		to = NVME_ZS_OFFLINE;
	else
		return -1;
	if (lba >= zoned_blocks(h) || lba & ((1ull << h->zone_shift) - 1))
		return -1;
	if (NVMEV_READ_ONCE(ns->fault))
		return -2;
	/* (zone + 1) << 8 | state */
	NVMEV_WRITE_ONCE(ns->fault, ((lba >> h->zone_shift) + 1) << 8 | to);
	return 0;
}

/* Dispatcher: an injected fault, as a drive's zone goes read only or offline. */
static void zns_apply_fault(struct nvmev_ns *ns, struct zns_hdr *h)
{
	u64 f = NVMEV_READ_ONCE(ns->fault);
	struct zns_zone *zs = zones_of(h);
	u32 i = (u32)((f >> 8) - 1);
	u8 to = f & 0xff;

	if (i < h->nr_zones && zs[i].state != NVME_ZS_OFFLINE) {
		zone_set(h, zs, i, to);
		if (to == NVME_ZS_OFFLINE)
			NVMEV_WRITE_ONCE(zs[i].wofs, 0);
	}
	NVMEV_WRITE_ONCE(ns->fault, 0);
}

/* ---- The command set ---- */

static u16 zns_decode(struct nvmev_ctrl *c, struct nvmev_ns *ns, const struct nvme_sqe *cmd,
		      struct nvmev_req *req)
{
	u16 status;

	if (ns && NVMEV_READ_ONCE(ns->fault))
		zns_apply_fault(ns, hdr_of(ns));

	switch (req->opcode) {
	case NVME_ZNS_MGMT_SEND:
	case NVME_ZNS_MGMT_RECV:
	case NVME_ZNS_APPEND:
		if (nvme_sqe_fuse(cmd) || nvme_sqe_psdt(cmd))
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		if (!ns)
			return NVME_DNR(NVME_SC_INVALID_NS);
		break;
	default:
		status = nvmev_nvm_decode(c, ns, cmd, req);
		if (status)
			return status;
		switch (req->opcode) {
		case NVME_CMD_READ:
		case NVME_CMD_COMPARE:
		case NVME_CMD_VERIFY:
			return zone_read(ns, req);
		case NVME_CMD_WRITE:
		case NVME_CMD_WRITE_ZEROES:
			return zone_write(ns, req, false);
		default:
			return NVME_SC_SUCCESS;	/* flush, dataset management */
		}
	}

	switch (req->opcode) {
	case NVME_ZNS_MGMT_SEND:
		return zms_decode(ns, cmd, req);
	case NVME_ZNS_MGMT_RECV:
		return zmr_decode(ns, cmd, req);
	default:
		req->slba = cmd->dw[10] | ((u64)cmd->dw[11] << 32);
		req->nlb = (cmd->dw[12] & 0xffff) + 1;
		if (((u64)req->nlb << ns->lba_shift) > NVMEV_MAX_XFER)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		req->bytes = req->nlb << ns->lba_shift;
		req->dir = NVMEV_DIR_WRITE;
		status = zone_write(ns, req, true);
		if (status)
			return status;
		req->result = (u32)req->slba;	/* the LBA the data went to */
		req->result1 = (u32)(req->slba >> 32);
		return NVME_SC_SUCCESS;
	}
}

static u16 zns_execute(struct nvmev_ctrl *c, struct nvmev_worker *w, struct nvmev_ns *ns,
		       struct nvmev_req *req)
{
	switch (req->opcode) {
	case NVME_ZNS_APPEND:
		return nvmev_nvm_write(c, ns, req);
	case NVME_ZNS_MGMT_RECV:
		return zns_report(c, w, ns, req);
	case NVME_ZNS_MGMT_SEND:
		return NVME_SC_SUCCESS;	/* done by the dispatcher */
	case NVME_CMD_DSM:
		/* deallocation is advisory: a zoned namespace frees blocks by zone reset */
		return NVME_SC_SUCCESS;
	default:
		return nvmev_nvm_execute(c, w, ns, req);
	}
}

/* A new namespace: every zone empty, every block deallocated. */
static void zns_init_ns(struct nvmev_ns *ns)
{
	struct zns_hdr g, *h;
	struct zns_zone *zs;
	u64 meta, first;
	u32 i;

	nvmev_nvm_init_ns(ns);
	if (zns_geometry(ns->timing, ns->size, ns->lba_shift, &g))
		return;		/* nvmev_ns_setup() checked zns_min_size() */
	h = hdr_of(ns);
	meta = hdr_off(ns->size) - (u64)g.nr_zones * NVMEV_ZNS_ZONE_BYTES;
	first = meta >> ns->lba_shift;
	/* the state's blocks hold data (an image saves them), all of it known */
	memset(ns->data + (first << ns->lba_shift), 0, ns->size - (first << ns->lba_shift));
	nvmev_dealloc_mark(ns, first, ns->nr_blocks - first, false);
	*h = g;
	zs = zones_of(h);
	for (i = 0; i < g.nr_zones; i++)
		zs[i].state = NVME_ZS_EMPTY;
}

/* A restored image: its zones must be of this namespace's layout and limits. */
static int zns_load(struct nvmev_ns *ns)
{
	struct zns_hdr g, *h = hdr_of(ns);
	struct zns_zone *zs;
	u32 i;

	if (zns_geometry(ns->timing, ns->size, ns->lba_shift, &g) ||
	    memcmp(h->magic, g.magic, sizeof(g.magic)) || h->version != g.version ||
	    h->zone_shift != g.zone_shift || h->nr_zones != g.nr_zones || h->zcap != g.zcap ||
	    h->max_open != g.max_open || h->max_active != g.max_active || h->zasl != g.zasl)
		return -1;
	zs = zones_of(h);
	h->nr_open = 0;
	h->nr_active = 0;
	h->lru_head = 0;
	h->lru_tail = 0;
	for (i = 0; i < h->nr_zones; i++) {
		struct zns_zone *z = &zs[i];
		u8 s = z->state;

		if (z->wofs > h->zcap || (s == NVME_ZS_EMPTY && z->wofs) ||
		    !(s == NVME_ZS_EMPTY || is_active(s) || s == NVME_ZS_FULL ||
		      s == NVME_ZS_READ_ONLY || s == NVME_ZS_OFFLINE))
			return -1;
		/* the counts and the list again, from the states (oldest first no more) */
		z->state = NVME_ZS_EMPTY;
		z->prev = 0;
		z->next = 0;
		zone_set(h, zs, i, s);
	}
	if ((h->max_open && h->nr_open > h->max_open) ||
	    (h->max_active && h->nr_active > h->max_active))
		return -1;
	return 0;
}

/* Identify Namespace (CNS 00h): the NVM structure over the zones. */
static void zns_identify_ns(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *id)
{
	const struct zns_hdr *h = hdr_of(ns);
	u64 blocks = zoned_blocks(h);

	nvmev_nvm_identify_ns(c, ns, id);
	nvme_put64(id, 0, blocks);		/* NSZE */
	nvme_put64(id, 8, blocks);		/* NCAP */
	nvme_put64(id, 16, blocks);		/* NUSE */
	nvme_put64(id, 48, blocks << ns->lba_shift);	/* NVMCAP */
}

static u32 limit_0based(u32 limit)
{
	return limit ? limit - 1 : 0xffffffff;
}

/* Zoned Identify Namespace (CNS 05h, CSI 02h). */
static void zns_identify_ns_csi(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *id)
{
	const struct zns_hdr *h = hdr_of(ns);
	u64 zone_bytes = 1ull << (h->zone_shift + ns->lba_shift);
	u32 f;

	(void)c;
	nvme_put16(id, 0, 0);			/* ZOC: fixed capacity, no excursions */
	nvme_put16(id, 2, 0x1);			/* OZCS: reads across zone boundaries */
	nvme_put32(id, 4, limit_0based(h->max_active));	/* MAR */
	nvme_put32(id, 8, limit_0based(h->max_open));	/* MOR */
	for (f = 0; f < NVMEV_NR_LBAF; f++)	/* LBAFE: ZSZE, ZDES 0 */
		nvme_put64(id, 2816 + 16 * f, zone_bytes >> nvmev_lbaf_shift(f));
}

/* Zoned Identify Controller (CNS 06h, CSI 02h): ZASL, the smallest of the namespaces'. */
static void zns_identify_ctrl_csi(const struct nvmev_ctrl *c, u8 *id)
{
	u64 bytes = NVMEV_MAX_XFER;
	u32 i;

	for (i = 0; i < NVMEV_MAX_NS; i++) {
		const struct nvmev_ns *ns = &c->ns[i];

		if (ns->cmd_set == &nvmev_zns_cmd_set)
			bytes = NVMEV_MIN(bytes, (u64)hdr_of(ns)->zasl << ns->lba_shift);
	}
	nvme_put8(id, 0, (u8)log2_u64(bytes / NVMEV_PAGE_SIZE));
}

static void zns_effects(u8 *io)
{
	nvmev_nvm_effects(io);
	nvme_put32(io, NVME_ZNS_MGMT_SEND * 4, NVME_CSE_CSUPP | NVME_CSE_LBCC);
	nvme_put32(io, NVME_ZNS_MGMT_RECV * 4, NVME_CSE_CSUPP);
	nvme_put32(io, NVME_ZNS_APPEND * 4, NVME_CSE_CSUPP | NVME_CSE_LBCC);
}

const struct nvmev_cmd_set nvmev_zns_cmd_set = {
	.name = "zns",
	.csi = NVME_CSI_ZNS,
	.decode = zns_decode,
	.execute = zns_execute,
	.init_ns = zns_init_ns,
	.identify_ns = zns_identify_ns,
	.identify_ns_csi = zns_identify_ns_csi,
	.identify_ctrl_csi = zns_identify_ctrl_csi,
	.effects = zns_effects,
	.media = "zns",
	.min_size = zns_min_size,
	.load = zns_load,
	.fault_name = "zone_fault",
	.fault = zns_fault,
	.oncs = NVME_ONCS_COMPARE | NVME_ONCS_WRITE_ZEROES | NVME_ONCS_VERIFY,
};
