// SPDX-License-Identifier: GPL-2.0-only
/*
 * Namespaces: their place in the device's storage, and the Namespace
 * Management (create, delete) and Namespace Attachment (attach, detach)
 * admin commands. A namespace is a contiguous extent of the storage, found
 * first-fit among the at most NVMEV_MAX_NS allocated ones; nothing here
 * runs on the I/O path.
 *
 * A deletion waits until every I/O command fetched before it has completed
 * (the commands fetched later cannot name the namespace: it is detached
 * first), so no late write lands in an extent that a new namespace reuses.
 */
#include "ctrl.h"
#include "prp.h"

#define NVME_DNR(sc)	((u16)((sc) | NVME_STATUS_DNR))

static struct nvmev_timing *ns_timing(struct nvmev_ctrl *c, u32 nsid)
{
	return c->cfg.ns_timing[nsid - 1] ? c->cfg.ns_timing[nsid - 1] : c->cfg.timing;
}

/* A set that reads its media model's instance needs that model for @nsid. */
static bool media_fits(struct nvmev_ctrl *c, u32 nsid, const struct nvmev_cmd_set *set)
{
	struct nvmev_timing *t = ns_timing(c, nsid);

	return t && (!set->media || nvmev_str_eq(t->ops->name, set->media));
}

/* Set (@set) or clear the marks of blocks [@slba, @slba + @nlb). */
void nvmev_dealloc_mark(const struct nvmev_ns *ns, u64 slba, u64 nlb, bool set)
{
	u64 end = slba + nlb;

	while (slba < end) {
		u64 w = slba / 64, first = slba % 64;
		u64 last = NVMEV_MIN(end - w * 64, 64ull);
		u64 m = nvmev_dealloc_word_mask(first, last);

		if (m == ~0ull)
			NVMEV_WRITE_ONCE(ns->dealloc[w], set ? ~0ull : 0);
		else if (set)
			nvmev_atomic_or64(&ns->dealloc[w], m);
		else
			nvmev_atomic_andnot64(&ns->dealloc[w], m);
		slba = w * 64 + last;
	}
}

/*
 * @ns as after a format: a media model that keeps its state in the
 * namespace lays it out after the host's blocks (ns->size stays the
 * extent's share, so that images carry it; ns->nr_blocks is what the
 * host gets), then the set makes every block read as zeroes.
 */
static int ns_format(struct nvmev_ns *ns, const struct nvmev_cmd_set *set)
{
	struct nvmev_timing *t = ns->timing;

	ns->nr_blocks = ns->size >> ns->lba_shift;
	if (t->ops->format) {
		u64 host = t->ops->format(t, ns->data, ns->size);

		if (host < (1ull << ns->lba_shift))
			return -1;
		ns->nr_blocks = host >> ns->lba_shift;
	}
	set->init_ns(ns);
	/* the model's state: allocated, so that an image carries it (it saves holes as such) */
	if (ns->nr_blocks < ns->size >> ns->lba_shift)
		nvmev_dealloc_mark(ns, ns->nr_blocks, (ns->size >> ns->lba_shift) - ns->nr_blocks,
				   false);
	return 0;
}

int nvmev_ns_format(struct nvmev_ns *ns)
{
	return ns_format(ns, ns->cmd_set);
}

int nvmev_ns_setup(struct nvmev_ctrl *c, u32 nsid, const struct nvmev_cmd_set *set,
		   u64 offset, u64 size, u32 lba_shift)
{
	struct nvmev_ns *ns = &c->ns[nsid - 1];
	u64 extent = (size + NVMEV_NS_GRANULE - 1) / NVMEV_NS_GRANULE * NVMEV_NS_GRANULE;
	struct nvmev_timing *t = ns_timing(c, nsid);

	if (!set || !t || (lba_shift != 9 && lba_shift != 12) || size < (1ull << lba_shift) ||
	    offset % NVMEV_NS_GRANULE || offset > c->cfg.storage_size ||
	    size > c->cfg.storage_size - offset)
		return -1;
	/* a set that reads its media model's instance, and lays itself out in the extent */
	if (!media_fits(c, nsid, set) ||
	    (set->min_size && size < set->min_size(t, lba_shift)) ||
	    (t->ops->min_size && size < t->ops->min_size(t)))
		return -1;
	/* the last extent may end with the storage, short of a granule */
	extent = NVMEV_MIN(extent, c->cfg.storage_size - offset);
	memset(ns, 0, sizeof(*ns));
	ns->timing = t;
	ns->nsid = nsid;
	ns->lba_shift = lba_shift;
	ns->nr_blocks = size >> lba_shift;
	ns->size = ns->nr_blocks << lba_shift;
	ns->offset = offset;
	ns->extent = extent;
	ns->data = c->cfg.storage + offset;
	ns->dealloc = c->cfg.dealloc + (offset >> 9) / 64;
	if (ns_format(ns, set))
		return -1;
	if (c->cfg.ns_timing[nsid - 1] && t->ops->reset)
		t->ops->reset(t);	/* its own media: forget an earlier namespace's */
	NVMEV_WRITE_ONCE(ns->cmd_set, set);
	c->nr_ns++;
	return 0;
}

u64 nvmev_ns_allocated_bytes(const struct nvmev_ctrl *c)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (c->ns[i].cmd_set)
			sum += c->ns[i].extent;
	return sum;
}

/* The lowest offset where @len bytes fit between the allocated extents. */
static bool find_extent(const struct nvmev_ctrl *c, u64 len, u64 *offset)
{
	u64 at = 0;

	for (;;) {
		u64 next = at;
		u32 i;

		/* move past every extent that overlaps [at, at + len) */
		for (i = 0; i < NVMEV_MAX_NS; i++) {
			const struct nvmev_ns *ns = &c->ns[i];

			if (ns->cmd_set && ns->offset < at + len && at < ns->offset + ns->extent)
				next = NVMEV_MAX(next, ns->offset + ns->extent);
		}
		if (next == at)
			break;
		at = next;
	}
	if (at > c->cfg.storage_size || len > c->cfg.storage_size - at)
		return false;
	*offset = at;
	return true;
}

static void ns_changed(struct nvmev_ctrl *c, u32 nsid)
{
	c->ns_changed |= 1u << (nsid - 1);
	if (c->feat.async_event & NVME_AEN_CFG_NS_ATTR)
		nvmev_admin_report_event(c, NVME_AER_TYPE_NOTICE, NVME_AER_NOTICE_NS_CHANGED,
					 NVME_LOG_CHANGED_NS);
}

/* Create: the host's Identify Namespace-like structure, the CSI in CDW11. */
static u16 ns_create(struct nvmev_ctrl *c, const struct nvme_sqe *cmd, u32 *dw0)
{
	const struct nvmev_cmd_set *set = nvmev_cmd_set_by_csi((u8)(cmd->dw[11] >> 24));
	u8 *d = c->scratch;
	u64 nsze, ncap, bytes, extent, offset;
	u32 nsid, shift;
	u8 flbas;
	u16 status;

	if (!set)
		return NVME_DNR(NVME_SC_IOCS_NOT_SUPPORTED);
	if (nvme_sqe_nsid(cmd) != 0)
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	status = nvmev_prp_copy_from_host(c->plat, nvme_sqe_prp1(cmd), nvme_sqe_prp2(cmd), d, 4096);
	if (status)
		return status;
	nsze = nvme_get64(d, 0);
	ncap = nvme_get64(d, 8);
	flbas = d[26];
	/* no thin provisioning, protection information or sharing */
	if (!nsze || ncap != nsze || d[29] || d[30] & 1)
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	if ((flbas & 0x6f) > NVMEV_NR_LBAF - 1 || flbas & 0x10)
		return NVME_DNR(NVME_SC_INVALID_FORMAT);
	shift = nvmev_lbaf_shift(flbas & 0xf);
	if (nsze > c->cfg.storage_size >> shift)
		return NVME_DNR(NVME_SC_NS_INSUFFICIENT_CAP);
	bytes = nsze << shift;
	extent = (bytes + NVMEV_NS_GRANULE - 1) / NVMEV_NS_GRANULE * NVMEV_NS_GRANULE;
	for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++)
		if (!c->ns[nsid - 1].cmd_set && !(c->nsdel_mask & (1u << (nsid - 1))))
			break;
	if (nsid > NVMEV_MAX_NS)
		return NVME_DNR(NVME_SC_NS_ID_UNAVAILABLE);
	/* the media this NSID has cannot carry the set, or the set needs more room */
	if (!media_fits(c, nsid, set))
		return NVME_DNR(NVME_SC_IOCS_NOT_SUPPORTED);
	if ((set->min_size && bytes < set->min_size(ns_timing(c, nsid), shift)) ||
	    (ns_timing(c, nsid)->ops->min_size &&
	     bytes < ns_timing(c, nsid)->ops->min_size(ns_timing(c, nsid))))
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	if (!find_extent(c, extent, &offset))
		return NVME_DNR(NVME_SC_NS_INSUFFICIENT_CAP);
	if (nvmev_ns_setup(c, nsid, set, offset, bytes, shift))
		return NVME_DNR(NVME_SC_NS_ID_UNAVAILABLE);	/* no media for this NSID */
	c->ns[nsid - 1].gen = ++c->ns_created;
	nvmev_plat_ns_changed(c->plat);
	*dw0 = nsid;
	return NVME_SC_SUCCESS;
}

static void ns_detach(struct nvmev_ctrl *c, struct nvmev_ns *ns)
{
	NVMEV_WRITE_ONCE(ns->attached, false);
	ns_changed(c, ns->nsid);
}

/*
 * Delete one namespace or all (FFFFFFFFh): they are detached at once and
 * freed when the I/O fetched before now has completed (nvmev_ns_delete_poll).
 */
static u16 ns_delete(struct nvmev_ctrl *c, const struct nvme_sqe *cmd)
{
	u32 nsid = nvme_sqe_nsid(cmd), mask = 0, i;

	if (nsid == 0xffffffff) {
		for (i = 0; i < NVMEV_MAX_NS; i++)
			if (c->ns[i].cmd_set)
				mask |= 1u << i;
	} else if (nvmev_ns_allocated(c, nsid)) {
		mask = 1u << (nsid - 1);
	} else {
		return NVME_DNR(NVME_SC_INVALID_NS);
	}
	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (mask & (1u << i) && c->ns[i].attached)
			ns_detach(c, &c->ns[i]);
	for (i = 0; i <= NVMEV_MAX_IO_QUEUES; i++)
		c->nsdel_mark[i] = c->sqs[i].submitted;
	c->nsdel_mask = mask;
	c->nsdel_cid = nvme_sqe_cid(cmd);
	return NVMEV_ADMIN_DEFERRED;
}

static void ns_free(struct nvmev_ctrl *c)
{
	u32 i;

	for (i = 0; i < NVMEV_MAX_NS; i++) {
		if (!(c->nsdel_mask & (1u << i)))
			continue;
		NVMEV_WRITE_ONCE(c->ns[i].cmd_set, NULL);
		c->nr_ns--;
	}
	c->nsdel_mask = 0;
	nvmev_plat_ns_changed(c->plat);
}

/*
 * A controller reset during a deletion: the workers drop every command
 * fetched before it, so the namespaces can go now; the command itself is
 * gone with the admin queue.
 */
void nvmev_ns_delete_abandon(struct nvmev_ctrl *c)
{
	if (c->nsdel_mask)
		ns_free(c);
}

/* Dispatcher: true once a pending deletion has completed (and was posted). */
bool nvmev_ns_delete_poll(struct nvmev_ctrl *c)
{
	u32 i;

	if (!nvmev_cq_has_room(c, &c->cqs[0]))
		return false;
	for (i = 1; i <= NVMEV_MAX_IO_QUEUES; i++) {
		const struct nvmev_sq *sq = &c->sqs[i];

		if (sq->valid && NVMEV_READ_ONCE(sq->completed) < c->nsdel_mark[i])
			return false;
	}
	ns_free(c);
	nvmev_cq_post(c, &c->cqs[0], 0, c->nsdel_cid, NVME_SC_SUCCESS, 0, 0);
	return true;
}

u16 nvmev_ns_mgmt(struct nvmev_ctrl *c, const struct nvme_sqe *cmd, u32 *dw0)
{
	switch (cmd->dw[10] & 0xf) {
	case 0:
		return ns_create(c, cmd, dw0);
	case 1:
		return ns_delete(c, cmd);
	default:
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	}
}

/* Attach or detach: the controller list must name this controller, only. */
u16 nvmev_ns_attach(struct nvmev_ctrl *c, const struct nvme_sqe *cmd)
{
	struct nvmev_ns *ns = nvmev_ns_allocated(c, nvme_sqe_nsid(cmd));
	u8 sel = cmd->dw[10] & 0xf;
	u8 *d = c->scratch;
	u16 status, n;

	if (sel > 1)
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	if (!ns)
		return NVME_DNR(NVME_SC_INVALID_NS);
	status = nvmev_prp_copy_from_host(c->plat, nvme_sqe_prp1(cmd), nvme_sqe_prp2(cmd), d, 4096);
	if (status)
		return status;
	n = nvme_get16(d, 0);
	if (n != 1 || nvme_get16(d, 2) != c->cfg.cntlid)
		return NVME_DNR(NVME_SC_CTRL_LIST_INVALID);
	if (sel == 0) {
		if (ns->attached)
			return NVME_DNR(NVME_SC_NS_ALREADY_ATTACHED);
		NVMEV_WRITE_ONCE(ns->attached, true);
		ns_changed(c, ns->nsid);
	} else {
		if (!ns->attached)
			return NVME_DNR(NVME_SC_NS_NOT_ATTACHED);
		ns_detach(c, ns);
	}
	return NVME_SC_SUCCESS;
}

/* Changed Namespace List (log 04h); reading it clears it (get_log_page). */
u32 nvmev_ns_changed_log(const struct nvmev_ctrl *c, u8 *p)
{
	u32 i, n = 0;

	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (c->ns_changed & (1u << i))
			nvme_put32(p, 4 * n++, i + 1);
	return 4096;
}

/*
 * From the host glue's thread while the controller is paused (a restored
 * image changed the namespaces): the dispatcher sends the event later.
 */
void nvmev_ns_changed_deferred(struct nvmev_ctrl *c, u32 nsid)
{
	c->ns_changed |= 1u << (nsid - 1);
	NVMEV_WRITE_ONCE(c->ns_event_pending, 1);
}

/* Dispatcher, not paused: the event of nvmev_ns_changed_deferred(). */
void nvmev_ns_event_poll(struct nvmev_ctrl *c)
{
	if (!NVMEV_READ_ONCE(c->ns_event_pending))
		return;
	NVMEV_WRITE_ONCE(c->ns_event_pending, 0);
	if (c->feat.async_event & NVME_AEN_CFG_NS_ATTR)
		nvmev_admin_report_event(c, NVME_AER_TYPE_NOTICE, NVME_AER_NOTICE_NS_CHANGED,
					 NVME_LOG_CHANGED_NS);
}
