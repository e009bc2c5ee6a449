// SPDX-License-Identifier: GPL-2.0-only
/*
 * The admin command set: queue management, Identify, Get Log Page, Get and
 * Set Features, Abort, Asynchronous Event Request and Keep Alive. Admin
 * commands run on the dispatcher, one at a time, and complete in order.
 */
#include "ctrl.h"
#include "prp.h"

#define NVME_DNR(sc)	((u16)((sc) | NVME_STATUS_DNR))
#define ADMIN_DEFERRED	NVMEV_ADMIN_DEFERRED	/* completes later (AER, deletions) */

#define TEMP_DEFAULT_K	313	/* 40 C */
#define TEMP_WARNING_K	343	/* WCTEMP: 70 C */
#define TEMP_CRITICAL_K	358	/* CCTEMP: 85 C */

struct admin_out {
	void *plat;
	const u8 *src;
	u32 src_len;
};

/* PRP callback: copy from the source buffer, then zeroes past its end. */
static bool admin_to_host(void *arg, u64 addr, u32 len, u32 off)
{
	struct admin_out *o = arg;
	u32 n = off < o->src_len ? NVMEV_MIN(len, o->src_len - off) : 0;

	if (n && !nvmev_plat_host_write(o->plat, addr, o->src + off, n))
		return false;
	if (len > n && !nvmev_plat_host_write(o->plat, addr + n, nvmev_zero_page, len - n))
		return false;
	return true;
}

static u16 admin_send(struct nvmev_ctrl *c, const struct nvme_sqe *cmd, const void *buf,
		      u32 buf_len, u32 xfer_len)
{
	struct admin_out o = { .plat = c->plat, .src = buf, .src_len = buf_len };

	if (xfer_len > NVMEV_MAX_XFER)
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	return nvmev_prp_walk(c->plat, nvme_sqe_prp1(cmd), nvme_sqe_prp2(cmd), xfer_len,
			      admin_to_host, &o);
}

/* ---- Identify ---- */

/*
 * Namespace identifiers, unique across every controller and never reused:
 * the controller's uid (unique per device), the NSID and the namespace's
 * creation number (0 for the namespaces the device starts with).
 */
static void put_nguid(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *p, u32 off)
{
	nvme_put64(p, off, c->cfg.uid);
	nvme_put32(p, off + 8, 0x4e564d56 ^ ns->gen);	/* "NVMV" */
	nvme_put32(p, off + 12, ns->nsid);
}

static void put_eui64(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *p, u32 off)
{
	/* byte 0: a locally administered (not IEEE assigned) identifier */
	nvme_put8(p, off, 0x02);
	nvme_put8(p, off + 1, (u8)ns->gen);
	nvme_put8(p, off + 2, (u8)ns->nsid);
	nvme_put8(p, off + 3, (u8)(c->cfg.uid >> 32));
	nvme_put32(p, off + 4, (u32)c->cfg.uid);
}

/* An RFC 9562 version 8 (vendor-specific) UUID of the same. */
static void put_uuid(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *p, u32 off)
{
	u32 i;

	for (i = 0; i < 8; i++)
		p[off + i] = (u8)(c->cfg.uid >> (56 - 8 * i));
	p[off + 6] = (u8)(0x80 | (p[off + 6] & 0x0f));	/* version 8 */
	p[off + 8] = 0x80 | 0x0e;			/* variant 10b */
	p[off + 9] = 0x56;
	p[off + 10] = (u8)(ns->gen >> 8);
	p[off + 11] = (u8)ns->gen;
	for (i = 0; i < 4; i++)
		p[off + 12 + i] = (u8)(ns->nsid >> (24 - 8 * i));
}

static u16 oncs_of_sets(const struct nvmev_ctrl *c)
{
	u16 oncs = 0;
	u32 i;

	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (c->ns[i].cmd_set)
			oncs |= c->ns[i].cmd_set->oncs;
	return oncs;
}

static void identify_ctrl(struct nvmev_ctrl *c, u8 *id)
{
	const struct nvmev_config *cfg = &c->cfg;
	char nqn[64];
	u32 i, n;
	const char *pfx = "nqn.2026-11.io.nvmevirt:nvm-";

	nvme_put16(id, 0, cfg->vid);
	nvme_put16(id, 2, cfg->ssvid);
	nvme_put_str(id, 4, 20, cfg->serial);
	nvme_put_str(id, 24, 40, cfg->model);
	nvme_put_str(id, 64, 8, cfg->firmware);
	nvme_put8(id, 72, 6);			/* RAB */
	nvme_put8(id, 77, NVMEV_MDTS);
	nvme_put16(id, 78, cfg->cntlid);
	nvme_put32(id, 80, NVME_VS(1, 4, 0));
	nvme_put8(id, 111, 1);			/* CNTRLTYPE: I/O controller */
	nvme_put32(id, 92, NVME_OAES_NS_ATTR);	/* OAES: namespace attribute notices */
	nvme_put16(id, 256, NVME_OACS_NS_MGMT);	/* OACS: namespace management */
	nvme_put8(id, 258, 3);			/* ACL */
	nvme_put8(id, 259, NVMEV_AERL);
	nvme_put8(id, 260, 0x03);		/* FRMW: one read-only slot */
	nvme_put8(id, 261, 0x06);		/* LPA: effects log, extended data */
	nvme_put8(id, 262, NVMEV_ERROR_LOG_ENTRIES - 1);
	nvme_put8(id, 263, 0);			/* NPSS */
	nvme_put16(id, 266, TEMP_WARNING_K);
	nvme_put16(id, 268, TEMP_CRITICAL_K);
	nvme_put64(id, 280, c->cfg.storage_size);	/* TNVMCAP */
	nvme_put64(id, 296, c->cfg.storage_size - nvmev_ns_allocated_bytes(c));	/* UNVMCAP */
	nvme_put8(id, 512, (NVME_SQES << 4) | NVME_SQES);
	nvme_put8(id, 513, (NVME_CQES << 4) | NVME_CQES);
	nvme_put32(id, 516, NVMEV_MAX_NS);	/* NN */
	nvme_put16(id, 520, oncs_of_sets(c) | NVME_ONCS_SAVE_SELECT);
	nvme_put8(id, 525, 0x07);		/* VWC present, flush of all namespaces */
	nvme_put8(id, 530, 1);			/* NVSCC */

	n = 0;
	for (i = 0; pfx[i]; i++)
		nqn[n++] = pfx[i];
	for (i = 0; cfg->serial[i] && n < sizeof(nqn) - 1; i++)
		nqn[n++] = cfg->serial[i];
	memcpy(id + 768, nqn, n);

	nvme_put16(id, 2048, 2500);		/* PSD0 MP: 25 W */
}

/*
 * CNS 02h/07h/10h: the NSIDs above @nsid that are active (@attached_only)
 * or allocated, of command set @csi or of any (@csi < 0)
 */
static void ns_list(const struct nvmev_ctrl *c, u8 *id, u32 nsid, int csi, bool attached_only)
{
	u32 i, n = 0;

	for (i = nsid; i < NVMEV_MAX_NS; i++) {
		const struct nvmev_ns *ns = &c->ns[i];

		if (ns->cmd_set && (ns->attached || !attached_only) &&
		    (csi < 0 || ns->cmd_set->csi == csi))
			nvme_put32(id, 4 * n++, ns->nsid);
	}
}

static void ns_descriptors(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *id)
{
	nvme_put8(id, 0, NVME_NIDT_EUI64);
	nvme_put8(id, 1, 8);
	put_eui64(c, ns, id, 4);
	nvme_put8(id, 12, NVME_NIDT_NGUID);
	nvme_put8(id, 13, 16);
	put_nguid(c, ns, id, 16);
	nvme_put8(id, 32, NVME_NIDT_UUID);
	nvme_put8(id, 33, 16);
	put_uuid(c, ns, id, 36);
	nvme_put8(id, 52, NVME_NIDT_CSI);
	nvme_put8(id, 53, 1);
	nvme_put8(id, 56, ns->cmd_set->csi);
}

/*
 * Identify. An NSID in 1..NN that is not active gives a zero-filled
 * namespace structure (CNS 00h, 08h), as the specification asks; one
 * outside that range is an invalid namespace.
 */
static u16 identify(struct nvmev_ctrl *c, const struct nvme_sqe *cmd)
{
	u8 cns = cmd->dw[10] & 0xff;
	u8 csi = cmd->dw[11] >> 24;
	u32 nsid = nvme_sqe_nsid(cmd);
	const struct nvmev_ns *ns = nvmev_ns_get(c, nsid);	/* attached */
	bool in_range = nsid >= 1 && nsid <= NVMEV_MAX_NS;
	const struct nvmev_cmd_set *set;
	u8 *id = c->scratch;

	memset(id, 0, sizeof(c->scratch));
	switch (cns) {
	case NVME_CNS_NS:
	case NVME_CNS_NS_ALLOC:
		/* the attached namespace, or (11h) the allocated one */
		if (!in_range)
			return NVME_DNR(NVME_SC_INVALID_NS);
		if (cns == NVME_CNS_NS_ALLOC)
			ns = nvmev_ns_allocated(c, nsid);
		if (ns) {
			ns->cmd_set->identify_ns(c, ns, id);
			put_nguid(c, ns, id, 104);
			put_eui64(c, ns, id, 120);
		}
		break;
	case NVME_CNS_CTRL:
		identify_ctrl(c, id);
		break;
	case NVME_CNS_NS_ACTIVE_LIST:
		if (nsid >= 0xfffffffe)
			return NVME_DNR(NVME_SC_INVALID_NS);
		ns_list(c, id, nsid, -1, true);
		break;
	case NVME_CNS_CS_NS_ACTIVE_LIST:
		if (!nvmev_cmd_set_by_csi(csi))
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		if (nsid >= 0xfffffffe)
			return NVME_DNR(NVME_SC_INVALID_NS);
		ns_list(c, id, nsid, csi, true);
		break;
	case NVME_CNS_NS_DESC_LIST:
		if (!ns)
			return NVME_DNR(NVME_SC_INVALID_NS);
		ns_descriptors(c, ns, id);
		break;
	case NVME_CNS_CS_NS:
		if (!nvmev_cmd_set_by_csi(csi))
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		if (!in_range)
			return NVME_DNR(NVME_SC_INVALID_NS);
		if (ns && ns->cmd_set->csi != csi)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		if (ns)
			ns->cmd_set->identify_ns_csi(c, ns, id);
		break;
	case NVME_CNS_CS_CTRL:
		set = nvmev_cmd_set_by_csi(csi);
		if (!set)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		set->identify_ctrl_csi(c, id);
		break;
	case NVME_CNS_NS_CS_INDEP:
		if (!in_range)
			return NVME_DNR(NVME_SC_INVALID_NS);
		if (ns) {
			nvme_put8(id, 14, 1);	/* NSTAT: ready */
			/* ANAGRPID, NMIC, RESCAP, ...: none */
		}
		break;
	case NVME_CNS_NS_ALLOC_LIST:
		if (nsid >= 0xfffffffe)
			return NVME_DNR(NVME_SC_INVALID_NS);
		ns_list(c, id, nsid, -1, false);
		break;
	case NVME_CNS_NS_CTRL_LIST:
		if (!in_range)
			return NVME_DNR(NVME_SC_INVALID_NS);
		ns = nvmev_ns_allocated(c, nsid);
		if (ns && ns->attached && c->cfg.cntlid >= (cmd->dw[10] >> 16)) {
			nvme_put16(id, 0, 1);
			nvme_put16(id, 2, c->cfg.cntlid);
		}
		break;
	case NVME_CNS_CTRL_LIST:
		if (c->cfg.cntlid >= (cmd->dw[10] >> 16)) {
			nvme_put16(id, 0, 1);
			nvme_put16(id, 2, c->cfg.cntlid);
		}
		break;
	case NVME_CNS_IOCS:
		/* one combination (index 0): every command set at once */
		nvme_put64(id, 0, nvmev_cmd_sets_vector());
		break;
	default:
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	}
	return admin_send(c, cmd, id, sizeof(c->scratch), sizeof(c->scratch));
}

/* ---- Get Log Page ---- */

static void put128(u8 *p, u32 off, u64 v)
{
	nvme_put64(p, off, v);
	nvme_put64(p, off + 8, 0);
}

static u8 smart_critical_warning(const struct nvmev_ctrl *c)
{
	if (c->temperature_k >= c->feat.temp_over || c->temperature_k < c->feat.temp_under)
		return 0x02;	/* temperature */
	return 0;
}

/* Counters the workers keep for the commands they completed successfully. */
static u64 sum_workers(const struct nvmev_ctrl *c, u32 off)
{
	u64 sum = 0;
	u16 i;

	for (i = 0; i < c->cfg.nr_workers; i++)
		sum += NVMEV_READ_ONCE(*(const u64 *)((const u8 *)&c->workers[i]->stats + off));
	return sum;
}

#define SUM_WORKERS(c, field) sum_workers(c, offsetof(struct nvmev_stats, field))

/*
 * What the media models say of the allocated namespaces: the most worn
 * one's Percentage Used, the media traffic (a namespace whose model keeps
 * no such count moves on the media what the host moves), erase counts.
 */
struct media_totals {
	u64 written;
	u64 read;
	u64 erases_max;
	u64 erases_min;
	u32 percent_used;
	u32 free_percent;
	bool any;
};

static void media_totals(const struct nvmev_ctrl *c, struct media_totals *m)
{
	u32 i;

	memset(m, 0, sizeof(*m));
	m->erases_min = ~0ull;
	m->free_percent = 100;
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		const struct nvmev_ns *ns = &c->ns[i];
		struct nvmev_media_health h;

		if (!NVMEV_READ_ONCE(ns->cmd_set))
			continue;
		if (!ns->timing->ops->health) {
			m->written += SUM_WORKERS(c, ns[i].bytes_written);
			m->read += SUM_WORKERS(c, ns[i].bytes_read);
			continue;
		}
		ns->timing->ops->health(ns->timing, &h);
		m->written += h.media_bytes_written;
		m->read += h.media_bytes_read;
		m->percent_used = NVMEV_MAX(m->percent_used, h.percent_used);
		m->erases_max = NVMEV_MAX(m->erases_max, (u64)h.erases_max);
		m->erases_min = NVMEV_MIN(m->erases_min, (u64)h.erases_min);
		m->free_percent = NVMEV_MIN(m->free_percent, h.spare_percent);
		m->any = true;
	}
	if (!m->any)
		m->erases_min = 0;
}

static u32 log_smart(struct nvmev_ctrl *c, u8 *p)
{
	struct media_totals m;

	media_totals(c, &m);
	nvme_put8(p, 0, smart_critical_warning(c));
	nvme_put16(p, 1, c->temperature_k);
	nvme_put8(p, 3, 100);		/* available spare */
	nvme_put8(p, 4, 10);		/* threshold */
	nvme_put8(p, 5, (u8)NVMEV_MIN(m.percent_used, 255u));	/* percentage used */
	put128(p, 32, (SUM_WORKERS(c, bytes_read) / 512 + 999) / 1000);
	put128(p, 48, (SUM_WORKERS(c, bytes_written) / 512 + 999) / 1000);
	put128(p, 64, SUM_WORKERS(c, read_cmds));
	put128(p, 80, SUM_WORKERS(c, write_cmds));
	put128(p, 112, c->power_cycles);
	put128(p, 128, nvmev_power_on_hours(c));
	put128(p, 176, c->error_count);
	return 512;
}

/*
 * The OCP Datacenter NVMe SSD specification's SMART / Health Information
 * Extended log (C0h, version 2.0): the media's bytes written and read
 * (Physical Media Units, in bytes), erase counts, free blocks, the
 * specification version and the log's GUID. Counters the model does not
 * have (bad blocks, ECC, throttling, PLP) stay 0.
 */
static const u8 ocp_smart_guid[16] = {
	0xc5, 0xaf, 0x10, 0x28, 0xea, 0xbf, 0xf2, 0xa4,
	0x9c, 0x4f, 0x6f, 0x7c, 0xc9, 0x14, 0xd5, 0xaf,
};

static u32 log_ocp_smart(struct nvmev_ctrl *c, u8 *p)
{
	struct media_totals m;
	u32 i;

	media_totals(c, &m);
	put128(p, 0, m.written);		/* Physical Media Units Written */
	put128(p, 16, m.read);			/* Physical Media Units Read */
	nvme_put16(p, 38, 100);			/* bad user NAND blocks, normalized */
	nvme_put16(p, 46, 100);			/* bad system NAND blocks, normalized */
	nvme_put32(p, 88, (u32)NVMEV_MIN(m.erases_max, 0xffffffffull));	/* max user erases */
	nvme_put32(p, 92, (u32)NVMEV_MIN(m.erases_min, 0xffffffffull));	/* min user erases */
	/* DSSD specification version 2.0.0, errata 0 */
	nvme_put8(p, 98, 0);
	nvme_put16(p, 99, 0);
	nvme_put16(p, 101, 0);
	nvme_put8(p, 103, 2);
	nvme_put8(p, 120, (u8)m.free_percent);	/* percent free blocks */
	for (i = 0; i < NVMEV_MAX_NS; i++)	/* NUSE of every namespace */
		if (NVMEV_READ_ONCE(c->ns[i].cmd_set))
			nvme_put64(p, 152, nvme_get64(p, 152) + c->ns[i].nr_blocks);
	nvme_put16(p, 494, 3);			/* log page version */
	memcpy(p + 496, ocp_smart_guid, sizeof(ocp_smart_guid));
	return 512;
}

static u32 log_error(struct nvmev_ctrl *c, u8 *p)
{
	u32 i, n = (u32)NVMEV_MIN(c->error_count, (u64)NVMEV_ERROR_LOG_ENTRIES);

	for (i = 0; i < n; i++) {
		u32 slot = (c->next_error + NVMEV_ERROR_LOG_ENTRIES - 1 - i) % NVMEV_ERROR_LOG_ENTRIES;
		const struct nvmev_error_entry *e = &c->errors[slot];
		u8 *d = p + i * 64;

		nvme_put64(d, 0, e->count);
		nvme_put16(d, 8, e->sqid);
		nvme_put16(d, 10, e->cid);
		nvme_put16(d, 12, (u16)(e->status << 1));
		nvme_put16(d, 14, 0xffff);	/* parameter location: not given */
		nvme_put64(d, 16, e->lba);
		nvme_put32(d, 24, e->nsid);
	}
	return NVMEV_ERROR_LOG_ENTRIES * 64;
}

static u32 log_fw_slot(struct nvmev_ctrl *c, u8 *p)
{
	nvme_put8(p, 0, 1);		/* AFI: slot 1 active */
	nvme_put_str(p, 8, 8, c->cfg.firmware);
	return 512;
}

static u32 log_effects(const struct nvmev_cmd_set *set, u8 *p)
{
	static const u8 admin_ops[] = {
		NVME_ADMIN_DELETE_SQ, NVME_ADMIN_CREATE_SQ, NVME_ADMIN_GET_LOG_PAGE,
		NVME_ADMIN_DELETE_CQ, NVME_ADMIN_CREATE_CQ, NVME_ADMIN_IDENTIFY,
		NVME_ADMIN_ABORT, NVME_ADMIN_SET_FEATURES, NVME_ADMIN_GET_FEATURES,
		NVME_ADMIN_ASYNC_EVENT, NVME_ADMIN_KEEP_ALIVE,
	};
	u32 i;

	for (i = 0; i < NVMEV_ARRAY_SIZE(admin_ops); i++)
		nvme_put32(p, admin_ops[i] * 4, NVME_CSE_CSUPP);
	/* they change the namespace inventory: the host rescans after them */
	nvme_put32(p, NVME_ADMIN_NS_MGMT * 4,
		   NVME_CSE_CSUPP | NVME_CSE_NCC | NVME_CSE_NIC | NVME_CSE_CSE_CTRL);
	nvme_put32(p, NVME_ADMIN_NS_ATTACH * 4,
		   NVME_CSE_CSUPP | NVME_CSE_NCC | NVME_CSE_NIC | NVME_CSE_CSE_CTRL);
	set->effects(p + 1024);
	return 4096;
}

static u16 get_log_page(struct nvmev_ctrl *c, const struct nvme_sqe *cmd)
{
	u8 lid = cmd->dw[10] & 0xff;
	bool rae = cmd->dw[10] & (1u << 15);
	u64 numd = ((u64)(cmd->dw[11] & 0xffff) << 16 | (cmd->dw[10] >> 16)) + 1;
	u64 offset = cmd->dw[12] | ((u64)cmd->dw[13] << 32);
	u32 nsid = nvme_sqe_nsid(cmd);
	u8 *p = c->scratch;
	u32 size;
	u16 status;

	if (offset & 3 || numd * 4 > NVMEV_MAX_XFER)
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	memset(p, 0, sizeof(c->scratch));
	switch (lid) {
	case NVME_LOG_ERROR:
		size = log_error(c, p);
		break;
	case NVME_LOG_SMART:
		if (nsid != 0 && nsid != 0xffffffff)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		size = log_smart(c, p);
		break;
	case NVME_LOG_FW_SLOT:
		size = log_fw_slot(c, p);
		break;
	case NVME_LOG_OCP_SMART:
		if (nsid != 0 && nsid != 0xffffffff)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		size = log_ocp_smart(c, p);
		break;
	case NVME_LOG_CHANGED_NS:
		size = nvmev_ns_changed_log(c, p);
		break;
	case NVME_LOG_CMD_EFFECTS: {
		/* the I/O half is the one of the command set CDW14 names */
		const struct nvmev_cmd_set *set = nvmev_cmd_set_by_csi((u8)(cmd->dw[14] >> 24));

		if (!set)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		size = log_effects(set, p);
		break;
	}
	default:
		return NVME_DNR(NVME_SC_INVALID_LOG_PAGE);
	}
	if (offset >= size)
		return NVME_DNR(NVME_SC_INVALID_FIELD);

	status = admin_send(c, cmd, p + offset, size - (u32)offset, (u32)(numd * 4));
	if (!status && !rae) {
		/* Reading the log clears the event it reports. */
		if (lid == NVME_LOG_ERROR)
			c->aer_masked &= ~(1u << NVME_AER_TYPE_ERROR);
		else if (lid == NVME_LOG_SMART)
			c->aer_masked &= ~(1u << NVME_AER_TYPE_SMART);
		else if (lid == NVME_LOG_CHANGED_NS) {
			c->aer_masked &= ~(1u << NVME_AER_TYPE_NOTICE);
			c->ns_changed = 0;
		}
	}
	return status;
}

/* ---- Features ---- */

static void features_default(struct nvmev_features *f)
{
	memset(f, 0, sizeof(*f));
	f->temp_over = TEMP_WARNING_K;
	f->temp_under = 0;
	f->vwc = 1;
}

/* Re-evaluated on Set Features and whenever the temperature changes. */
void nvmev_admin_check_temperature(struct nvmev_ctrl *c)
{
	c->temp_seen_k = NVMEV_READ_ONCE(c->temperature_k);
	if (smart_critical_warning(c) && (c->feat.async_event & 0x02))
		nvmev_admin_report_event(c, NVME_AER_TYPE_SMART, NVME_AER_SMART_TEMP,
					 NVME_LOG_SMART);
}

/* Get Features SEL=3 capabilities */
#define FEAT_SAVEABLE	(1u << 0)
#define FEAT_NS_SPEC	(1u << 1)
#define FEAT_CHANGEABLE	(1u << 2)

/*
 * Every feature the controller supports, with its capabilities: none is
 * saveable (no saved state survives a reset), none is namespace specific,
 * and each can be changed with Set Features.
 */
static u32 feature_caps(u8 fid)
{
	switch (fid) {
	case NVME_FEAT_ARBITRATION:
	case NVME_FEAT_POWER_MGMT:
	case NVME_FEAT_TEMP_THRESH:
	case NVME_FEAT_ERR_RECOVERY:
	case NVME_FEAT_VOLATILE_WC:
	case NVME_FEAT_NUM_QUEUES:
	case NVME_FEAT_IRQ_COALESCE:
	case NVME_FEAT_IRQ_CONFIG:
	case NVME_FEAT_WRITE_ATOMIC:
	case NVME_FEAT_ASYNC_EVENT:
	case NVME_FEAT_IOCS_PROFILE:
		return FEAT_CHANGEABLE;
	default:
		return 0;
	}
}

static bool feature_supported(u8 fid)
{
	return feature_caps(fid) != 0;
}

/*
 * A feature of the command set of namespace NSID: Set (@set) or Get, or
 * with @sel 1-3 (Get) its default (0) or capabilities; Invalid Field when
 * the namespace or its set has no such feature.
 */
static u16 cmd_set_feature(struct nvmev_ctrl *c, const struct nvme_sqe *cmd, bool set, u8 sel,
			   u32 *dw0)
{
	struct nvmev_ns *ns = nvmev_ns_get(c, nvme_sqe_nsid(cmd));
	u8 fid = cmd->dw[10] & 0xff;
	u32 v = cmd->dw[11];
	u16 status;

	if (!ns || !ns->cmd_set->feature)
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	if (set)
		return ns->cmd_set->feature(ns, fid, true, &v);
	status = ns->cmd_set->feature(ns, fid, false, &v);
	if (status)
		return status;
	*dw0 = sel == 3 ? FEAT_NS_SPEC | FEAT_CHANGEABLE : sel ? 0 : v;
	return NVME_SC_SUCCESS;
}

static u16 set_features(struct nvmev_ctrl *c, const struct nvme_sqe *cmd, u32 *dw0)
{
	u8 fid = cmd->dw[10] & 0xff;
	bool save = cmd->dw[10] & (1u << 31);
	u32 v = cmd->dw[11];
	struct nvmev_features *f = &c->feat;

	if (!feature_supported(fid)) {
		u32 cur;

		if (save)	/* the set's features are not saveable either */
			return cmd_set_feature(c, cmd, false, 0, &cur) ?:
			       NVME_DNR(NVME_SC_FEATURE_NOT_SAVEABLE);
		return cmd_set_feature(c, cmd, true, 0, dw0);
	}
	if (save)
		return NVME_DNR(NVME_SC_FEATURE_NOT_SAVEABLE);

	switch (fid) {
	case NVME_FEAT_ARBITRATION:
		/*
		 * Round robin only (CAP.AMS): the priority weights do not
		 * apply; any Arbitration Burst, 7 ("no limit") included, is
		 * kept and reported back.
		 */
		f->arbitration = v;
		break;
	case NVME_FEAT_POWER_MGMT:
		if (v & 0x1f)		/* power state 0 only (NPSS = 0) */
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		f->power_mgmt = v & 0xff;
		break;
	case NVME_FEAT_TEMP_THRESH: {
		u8 tmpsel = (v >> 16) & 0xf;
		u8 thsel = (v >> 20) & 0x3;

		if ((tmpsel != 0 && tmpsel != 0xf) || thsel > 1)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		if (thsel == 0)
			f->temp_over = v & 0xffff;
		else
			f->temp_under = v & 0xffff;
		nvmev_admin_check_temperature(c);
		break;
	}
	case NVME_FEAT_ERR_RECOVERY:
		if (v & (1u << 16))	/* DULBE: not supported */
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		f->err_recovery = v & 0xffff;
		break;
	case NVME_FEAT_VOLATILE_WC:
		f->vwc = v & 1;
		break;
	case NVME_FEAT_NUM_QUEUES: {
		u32 nsq = (v & 0xffff) + 1, ncq = (v >> 16) + 1;
		u16 max = c->cfg.max_io_queues;
		u16 i;

		if ((v & 0xffff) == 0xffff || (v >> 16) == 0xffff)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		for (i = 1; i <= NVMEV_MAX_IO_QUEUES; i++)
			if (c->cqs[i].valid || c->sqs[i].valid)
				return NVME_DNR(NVME_SC_CMD_SEQ_ERROR);
		f->nr_io_sq = (u16)NVMEV_MIN(nsq, (u32)max);
		f->nr_io_cq = (u16)NVMEV_MIN(ncq, (u32)max);
		*dw0 = (u32)(f->nr_io_sq - 1) | ((u32)(f->nr_io_cq - 1) << 16);
		break;
	}
	case NVME_FEAT_IRQ_COALESCE:
		f->irq_coalesce = v & 0xffff;
		break;
	case NVME_FEAT_IRQ_CONFIG: {
		u16 iv = v & 0xffff;

		if (iv >= NVMEV_NR_VECTORS)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		if (v & (1u << 16))
			f->iv_cd[iv / 32] |= 1u << (iv % 32);
		else
			f->iv_cd[iv / 32] &= ~(1u << (iv % 32));
		break;
	}
	case NVME_FEAT_WRITE_ATOMIC:
		f->write_atomicity = v & 1;	/* DN: AWUN/NAWUN may be ignored */
		break;
	case NVME_FEAT_ASYNC_EVENT:
		/* SMART / health critical warnings, namespace attribute notices */
		f->async_event = v & (0xff | NVME_AEN_CFG_NS_ATTR);
		nvmev_admin_check_temperature(c);
		break;
	case NVME_FEAT_IOCS_PROFILE:
		/* Identify CNS 1Ch lists one combination: index 0 */
		if ((v & 0x1ff) != 0)
			return NVME_DNR(NVME_SC_IOCS_COMBINATION_REJECTED);
		f->iocs_profile = 0;
		break;
	}
	return NVME_SC_SUCCESS;
}

static u16 get_features(struct nvmev_ctrl *c, const struct nvme_sqe *cmd, u32 *dw0)
{
	u8 fid = cmd->dw[10] & 0xff;
	u8 sel = (cmd->dw[10] >> 8) & 0x7;
	const struct nvmev_features *f = &c->feat;
	struct nvmev_features def;
	u16 max = c->cfg.max_io_queues;

	if (sel > 3)
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	if (!feature_supported(fid))
		return cmd_set_feature(c, cmd, false, sel, dw0);
	if (sel == 3) {			/* capabilities */
		*dw0 = feature_caps(fid);
		return NVME_SC_SUCCESS;
	}
	if (sel == 1 || sel == 2) {	/* default; nothing is saveable */
		features_default(&def);
		f = &def;
	}

	switch (fid) {
	case NVME_FEAT_ARBITRATION:
		*dw0 = f->arbitration;
		break;
	case NVME_FEAT_POWER_MGMT:
		*dw0 = f->power_mgmt;
		break;
	case NVME_FEAT_TEMP_THRESH: {
		u8 tmpsel = (cmd->dw[11] >> 16) & 0xf;
		u8 thsel = (cmd->dw[11] >> 20) & 0x3;

		if ((tmpsel != 0 && tmpsel != 0xf) || thsel > 1)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		*dw0 = thsel ? f->temp_under : f->temp_over;
		break;
	}
	case NVME_FEAT_ERR_RECOVERY:
		*dw0 = f->err_recovery;
		break;
	case NVME_FEAT_VOLATILE_WC:
		*dw0 = f->vwc;
		break;
	case NVME_FEAT_NUM_QUEUES: {
		u16 nsq = f->nr_io_sq ? f->nr_io_sq : max;
		u16 ncq = f->nr_io_cq ? f->nr_io_cq : max;

		*dw0 = (u32)(nsq - 1) | ((u32)(ncq - 1) << 16);
		break;
	}
	case NVME_FEAT_IRQ_COALESCE:
		*dw0 = f->irq_coalesce;
		break;
	case NVME_FEAT_IRQ_CONFIG: {
		u16 iv = cmd->dw[11] & 0xffff;

		if (iv >= NVMEV_NR_VECTORS)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		*dw0 = iv | (((f->iv_cd[iv / 32] >> (iv % 32)) & 1) << 16);
		break;
	}
	case NVME_FEAT_WRITE_ATOMIC:
		*dw0 = f->write_atomicity;
		break;
	case NVME_FEAT_ASYNC_EVENT:
		*dw0 = f->async_event;
		break;
	case NVME_FEAT_IOCS_PROFILE:
		*dw0 = f->iocs_profile;
		break;
	}
	return NVME_SC_SUCCESS;
}

/* ---- Queue management ---- */

static u16 max_queues(const struct nvmev_ctrl *c, u16 granted)
{
	return granted ? granted : c->cfg.max_io_queues;
}

static u16 create_cq(struct nvmev_ctrl *c, const struct nvme_sqe *cmd)
{
	u16 qid = cmd->dw[10] & 0xffff;
	u32 size = (cmd->dw[10] >> 16) + 1;
	bool pc = cmd->dw[11] & 1;
	bool ien = cmd->dw[11] & 2;
	u16 iv = cmd->dw[11] >> 16;
	u64 base = nvme_sqe_prp1(cmd);
	struct nvmev_cq *cq;
	u8 *ring;

	if (!qid || qid > max_queues(c, c->feat.nr_io_cq) || c->cqs[qid].valid)
		return NVME_DNR(NVME_SC_QID_INVALID);
	if (size < 2 || size > NVMEV_MAX_QUEUE_ENTRIES)
		return NVME_DNR(NVME_SC_QUEUE_SIZE);
	if (!pc || base & (NVMEV_PAGE_SIZE - 1) || NVME_CC_IOCQES(c->cc) != NVME_CQES)
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	if (iv >= NVMEV_NR_VECTORS)
		return NVME_DNR(NVME_SC_INVALID_VECTOR);
	ring = nvmev_plat_map_queue(c->plat, base, size * NVME_CQE_SIZE);
	if (!ring)
		return NVME_DNR(NVME_SC_INVALID_FIELD);

	cq = &c->cqs[qid];
	memset(cq, 0, sizeof(*cq));
	cq->qid = qid;
	cq->size = (u16)size;
	cq->ien = ien;
	cq->vector = iv;
	cq->owner = (qid - 1) % c->cfg.nr_workers;
	cq->base = base;
	cq->ring = ring;
	cq->head_db = &c->dbs[2 * qid + 1];
	cq->phase = 1;
	cq->bad_head = ~0u;
	NVMEV_WRITE_ONCE(*cq->head_db, 0);
	nvmev_plat_mb();
	NVMEV_WRITE_ONCE(cq->valid, true);
	return NVME_SC_SUCCESS;
}

static u16 create_sq(struct nvmev_ctrl *c, const struct nvme_sqe *cmd)
{
	u16 qid = cmd->dw[10] & 0xffff;
	u32 size = (cmd->dw[10] >> 16) + 1;
	bool pc = cmd->dw[11] & 1;
	u16 cqid = cmd->dw[11] >> 16;
	u64 base = nvme_sqe_prp1(cmd);
	struct nvmev_sq *sq;
	u8 *ring;

	if (!qid || qid > max_queues(c, c->feat.nr_io_sq) || c->sqs[qid].valid)
		return NVME_DNR(NVME_SC_QID_INVALID);
	if (!cqid || cqid > NVMEV_MAX_IO_QUEUES || !c->cqs[cqid].valid)
		return NVME_DNR(NVME_SC_CQ_INVALID);
	if (size < 2 || size > NVMEV_MAX_QUEUE_ENTRIES)
		return NVME_DNR(NVME_SC_QUEUE_SIZE);
	if (!pc || base & (NVMEV_PAGE_SIZE - 1) || NVME_CC_IOSQES(c->cc) != NVME_SQES)
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	ring = nvmev_plat_map_queue(c->plat, base, size * NVME_SQE_SIZE);
	if (!ring)
		return NVME_DNR(NVME_SC_INVALID_FIELD);

	sq = &c->sqs[qid];
	memset(sq, 0, sizeof(*sq));
	sq->qid = qid;
	sq->size = (u16)size;
	sq->cqid = cqid;
	sq->base = base;
	sq->ring = ring;
	sq->tail_db = &c->dbs[2 * qid];
	NVMEV_WRITE_ONCE(*sq->tail_db, 0);
	sq->valid = true;
	c->cqs[cqid].nr_sqs++;
	c->active_sqs[c->nr_active_sqs++] = qid;
	return NVME_SC_SUCCESS;
}

/*
 * Delete I/O SQ completes once every command fetched from the SQ has been
 * completed, those not yet posted as aborted (nvmev_sq_start_delete). The
 * admin queue waits meanwhile; the dispatcher keeps following CC, so a
 * reset or shutdown ends the wait.
 */
static u16 delete_sq(struct nvmev_ctrl *c, const struct nvme_sqe *cmd)
{
	u16 qid = cmd->dw[10] & 0xffff;

	if (!qid || qid > NVMEV_MAX_IO_QUEUES || !c->sqs[qid].valid || c->sqs[qid].deleting)
		return NVME_DNR(NVME_SC_QID_INVALID);
	if (nvmev_sq_idle(&c->sqs[qid])) {
		nvmev_sq_delete(c, qid);
		return NVME_SC_SUCCESS;
	}
	nvmev_sq_start_delete(c, qid);
	c->del_sqid = qid;
	c->del_cid = nvme_sqe_cid(cmd);
	return ADMIN_DEFERRED;
}

/* The Delete I/O SQ in progress, if its commands are all complete now. */
static bool delete_sq_poll(struct nvmev_ctrl *c)
{
	u16 qid = c->del_sqid;

	if (!nvmev_sq_idle(&c->sqs[qid]) || !nvmev_cq_has_room(c, &c->cqs[0]))
		return false;
	nvmev_sq_delete(c, qid);
	c->del_sqid = 0;
	nvmev_cq_post(c, &c->cqs[0], 0, c->del_cid, NVME_SC_SUCCESS, 0, 0);
	return true;
}

static u16 delete_cq(struct nvmev_ctrl *c, const struct nvme_sqe *cmd)
{
	u16 qid = cmd->dw[10] & 0xffff;

	if (!qid || qid > NVMEV_MAX_IO_QUEUES || !c->cqs[qid].valid)
		return NVME_DNR(NVME_SC_QID_INVALID);
	if (c->cqs[qid].nr_sqs)
		return NVME_DNR(NVME_SC_INVALID_QUEUE_DELETION);
	nvmev_cq_delete(c, qid);
	return NVME_SC_SUCCESS;
}

/* ---- Asynchronous events ---- */

void nvmev_admin_report_event(struct nvmev_ctrl *c, u8 type, u8 info, u8 log_page)
{
	u32 bit = 1u << type;

	if ((c->aer_pending | c->aer_masked) & bit)
		return;		/* one of this type is already pending or unread */
	c->aer_pending |= bit;
	c->aer_info[type] = info;
	c->aer_log[type] = log_page;
}

/* Complete outstanding AERs with pending events while the admin CQ has room. */
static void aer_deliver(struct nvmev_ctrl *c)
{
	struct nvmev_cq *cq = &c->cqs[0];
	u8 type;

	for (type = 0; type < 8 && c->aer_pending && c->nr_aers; type++) {
		u32 bit = 1u << type;

		if (!(c->aer_pending & bit) || !nvmev_cq_has_room(c, cq))
			continue;
		c->nr_aers--;
		nvmev_cq_post(c, cq, 0, c->aer_cids[c->nr_aers], NVME_SC_SUCCESS,
			      type | ((u32)c->aer_info[type] << 8) |
			      ((u32)c->aer_log[type] << 16), 0);
		c->aer_pending &= ~bit;
		c->aer_masked |= bit;
	}
}

/* ---- Dispatch ---- */

static u16 admin_exec(struct nvmev_ctrl *c, const struct nvme_sqe *cmd, u32 *dw0)
{
	u8 opc = nvme_sqe_opcode(cmd);

	c->stats.admin_cmds[opc]++;
	if (nvme_sqe_fuse(cmd) || nvme_sqe_psdt(cmd))
		return NVME_DNR(NVME_SC_INVALID_FIELD);

	switch (opc) {
	case NVME_ADMIN_DELETE_SQ:
		return delete_sq(c, cmd);
	case NVME_ADMIN_CREATE_SQ:
		return create_sq(c, cmd);
	case NVME_ADMIN_GET_LOG_PAGE:
		return get_log_page(c, cmd);
	case NVME_ADMIN_DELETE_CQ:
		return delete_cq(c, cmd);
	case NVME_ADMIN_CREATE_CQ:
		return create_cq(c, cmd);
	case NVME_ADMIN_IDENTIFY:
		return identify(c, cmd);
	case NVME_ADMIN_ABORT:
		*dw0 = 1;	/* the command was not aborted: it runs to completion */
		return NVME_SC_SUCCESS;
	case NVME_ADMIN_SET_FEATURES:
		return set_features(c, cmd, dw0);
	case NVME_ADMIN_GET_FEATURES:
		return get_features(c, cmd, dw0);
	case NVME_ADMIN_ASYNC_EVENT:
		if (c->nr_aers > NVMEV_AERL)
			return NVME_DNR(NVME_SC_AER_LIMIT);
		c->aer_cids[c->nr_aers++] = nvme_sqe_cid(cmd);
		return ADMIN_DEFERRED;
	case NVME_ADMIN_KEEP_ALIVE:
		return NVME_SC_SUCCESS;
	case NVME_ADMIN_NS_MGMT:
		return nvmev_ns_mgmt(c, cmd, dw0);
	case NVME_ADMIN_NS_ATTACH:
		return nvmev_ns_attach(c, cmd);
	default:
		return NVME_DNR(NVME_SC_INVALID_OPCODE);
	}
}

bool nvmev_admin_poll(struct nvmev_ctrl *c)
{
	struct nvmev_sq *sq = &c->sqs[0];
	struct nvmev_cq *cq = &c->cqs[0];
	u32 tail = NVMEV_READ_ONCE(*sq->tail_db);
	bool did = false;
	struct nvme_sqe cmd;
	u32 n = 0;

	nvmev_plat_rmb();	/* the tail, before the entries it announces */
	nvmev_cq_refresh_head(c, cq);
	if (c->del_sqid) {
		if (!delete_sq_poll(c))
			tail = sq->head;	/* admin commands wait for the deletion */
		else
			did = true;
	}
	if (c->nsdel_mask) {
		if (!nvmev_ns_delete_poll(c))
			tail = sq->head;	/* ... and for a namespace deletion */
		else
			did = true;
	}
	if (NVMEV_READ_ONCE(c->paused))
		tail = sq->head;	/* paused: fetch nothing (nvmev_ctrl_pause) */
	if (tail >= sq->size) {
		if (tail != sq->bad_tail) {
			sq->bad_tail = tail;
			nvmev_admin_report_event(c, NVME_AER_TYPE_ERROR,
						 NVME_AER_ERROR_INVALID_DB_WRITE, NVME_LOG_ERROR);
		}
		tail = sq->head;
	}

	while (sq->head != tail && n++ < NVMEV_SQ_BUDGET) {
		u32 dw0 = 0;
		u16 status;

		if (!nvmev_cq_has_room(c, cq)) {
			c->stats.backpressure++;
			break;
		}
		memcpy(&cmd, sq->ring + (u32)sq->head * NVME_SQE_SIZE, sizeof(cmd));
		NVMEV_WRITE_ONCE(sq->head, sq->head + 1 == sq->size ? 0 : sq->head + 1);
		status = admin_exec(c, &cmd, &dw0);
		did = true;
		if (status == ADMIN_DEFERRED && (c->del_sqid || c->nsdel_mask))
			break;		/* nothing else until the deletion completes */
		if (status == ADMIN_DEFERRED)
			continue;
		if (status) {
			c->stats.errors++;
			nvmev_record_error(c, 0, nvme_sqe_cid(&cmd), status, nvme_sqe_nsid(&cmd), 0);
		}
		nvmev_cq_post(c, cq, 0, nvme_sqe_cid(&cmd), status, dw0, 0);
	}

	if (c->aer_pending && c->nr_aers)
		aer_deliver(c);
	if (cq->irq_pending) {
		cq->irq_pending = false;
		nvmev_plat_raise_irq(c->plat, cq->vector);
		did = true;
	}
	return did;
}

void nvmev_admin_init(struct nvmev_ctrl *c)
{
	features_default(&c->feat);
	c->temperature_k = TEMP_DEFAULT_K;
}
