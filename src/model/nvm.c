// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NVM command set (CSI 00h): Read, Write, Compare, Verify, Flush, Write
 * Zeroes and Dataset Management, and its Identify structures. The dispatcher decodes
 * and validates each command (nvm_decode); the worker moves its data
 * (nvm_execute). io.c calls both through struct nvmev_cmd_set.
 * Every access to the namespace is bounds-checked here, before any copy.
 *
 * Deallocated blocks (Dataset Management, Write Zeroes, and every block of
 * a new namespace) are marked in the namespace's deallocation map and read
 * as zeroes without looking at the data; a write clears their marks.
 */
#include "nvm.h"
#include "prp.h"

#define NVME_DNR(sc)	((u16)((sc) | NVME_STATUS_DNR))

static u16 io_check_range(const struct nvmev_ns *ns, u64 slba, u64 nlb)
{
	if (slba >= ns->nr_blocks || nlb > ns->nr_blocks - slba)
		return NVME_DNR(NVME_SC_LBA_RANGE);
	return NVME_SC_SUCCESS;
}

/* ---- Deallocation map: one bit per block, set while deallocated ---- */

/* Whether any block of [@slba, @slba + @nlb) is deallocated. */
static bool dealloc_any(const struct nvmev_ns *ns, u64 slba, u64 nlb)
{
	u64 end = slba + nlb;

	while (slba < end) {
		u64 w = slba / 64, first = slba % 64;
		u64 last = NVMEV_MIN(end - w * 64, 64ull);

		if (NVMEV_READ_ONCE(ns->dealloc[w]) & nvmev_dealloc_word_mask(first, last))
			return true;
		slba = w * 64 + last;
	}
	return false;
}

static bool dealloc_test(const struct nvmev_ns *ns, u64 lba)
{
	return (NVMEV_READ_ONCE(ns->dealloc[lba / 64]) >> (lba % 64)) & 1;
}

/* PRP callback of a Read that covers deallocated blocks: zeroes for those. */
struct read_holes {
	void *plat;
	const struct nvmev_ns *ns;
	u64 slba;
	const u8 *data;
};

static bool read_holes_seg(void *arg, u64 addr, u32 len, u32 off)
{
	const struct read_holes *r = arg;
	u32 lbs = 1u << r->ns->lba_shift;

	while (len) {
		u64 lba = r->slba + (off >> r->ns->lba_shift);
		bool hole = dealloc_test(r->ns, lba);
		u32 n = NVMEV_MIN(len, lbs - (off & (lbs - 1)));

		/* extend over following blocks in the same state */
		while (n < len && dealloc_test(r->ns, lba + ((off & (lbs - 1)) + n) / lbs) == hole)
			n += NVMEV_MIN(len - n, lbs);
		if (hole ? !nvmev_plat_host_write(r->plat, addr, nvmev_zero_page, n) :
			   !nvmev_plat_host_write(r->plat, addr, r->data + off, n))
			return false;
		addr += n;
		off += n;
		len -= n;
	}
	return true;
}

static u16 io_read(struct nvmev_ctrl *c, const struct nvmev_ns *ns, const struct nvmev_req *req)
{
	const u8 *data = ns->data + (req->slba << ns->lba_shift);
	struct read_holes r = { .plat = c->plat, .ns = ns, .slba = req->slba, .data = data };

	if (!dealloc_any(ns, req->slba, req->nlb))
		return nvmev_prp_copy_to_host(c->plat, req->prp1, req->prp2, data, req->bytes);
	return nvmev_prp_walk(c->plat, req->prp1, req->prp2, req->bytes, read_holes_seg, &r);
}

/* PRP callback of a Compare: the host's data against the blocks (zeroes where deallocated). */
struct compare {
	void *plat;
	const struct nvmev_ns *ns;
	u64 slba;
	const u8 *data;
	u8 *buf;		/* a page of scratch */
	bool differ;
};

static bool compare_seg(void *arg, u64 addr, u32 len, u32 off)
{
	struct compare *cmp = arg;
	u32 lbs = 1u << cmp->ns->lba_shift;

	while (len && !cmp->differ) {
		u32 n = NVMEV_MIN(len, (u32)NVMEV_PAGE_SIZE), pos = 0;

		if (!nvmev_plat_host_read(cmp->plat, addr, cmp->buf, n))
			return false;
		while (pos < n) {
			u32 o = off + pos, m = NVMEV_MIN(n - pos, lbs - (o & (lbs - 1)));
			const u8 *want = dealloc_test(cmp->ns, cmp->slba + (o >> cmp->ns->lba_shift)) ?
					 nvmev_zero_page : cmp->data + o;

			if (memcmp(cmp->buf + pos, want, m)) {
				cmp->differ = true;
				break;
			}
			pos += m;
		}
		addr += n;
		off += n;
		len -= n;
	}
	return true;
}

static u16 io_compare(struct nvmev_ctrl *c, struct nvmev_worker *w, const struct nvmev_ns *ns,
		      const struct nvmev_req *req)
{
	struct compare cmp = {
		.plat = c->plat, .ns = ns, .slba = req->slba,
		.data = ns->data + (req->slba << ns->lba_shift), .buf = w->scratch,
	};
	u16 status;

	status = nvmev_prp_walk(c->plat, req->prp1, req->prp2, req->bytes, compare_seg, &cmp);
	if (status)
		return status;
	return cmp.differ ? NVME_DNR(NVME_SC_COMPARE_FAILED) : NVME_SC_SUCCESS;
}

u16 nvmev_nvm_write(struct nvmev_ctrl *c, const struct nvmev_ns *ns, const struct nvmev_req *req)
{
	u8 *data = ns->data + (req->slba << ns->lba_shift);
	u16 status;

	status = nvmev_prp_copy_from_host(c->plat, req->prp1, req->prp2, data, req->bytes);
	if (!status)
		nvmev_dealloc_mark(ns, req->slba, req->nlb, false);	/* after the data */
	return status;
}

/* Dispatcher: validate a command; @ns is NULL for the broadcast NSID. */
u16 nvmev_nvm_decode(struct nvmev_ctrl *c, struct nvmev_ns *ns, const struct nvme_sqe *cmd,
		      struct nvmev_req *req)
{
	(void)c;
	if (nvme_sqe_fuse(cmd) || nvme_sqe_psdt(cmd))
		return NVME_DNR(NVME_SC_INVALID_FIELD);

	switch (req->opcode) {
	case NVME_CMD_FLUSH:
		return NVME_SC_SUCCESS;	/* one namespace or all of them */
	case NVME_CMD_READ:
	case NVME_CMD_WRITE:
	case NVME_CMD_COMPARE:
	case NVME_CMD_VERIFY:
	case NVME_CMD_WRITE_ZEROES:
	case NVME_CMD_DSM:
		break;
	default:
		return NVME_DNR(NVME_SC_INVALID_OPCODE);
	}
	if (!ns)
		return NVME_DNR(NVME_SC_INVALID_NS);
	if (req->opcode == NVME_CMD_DSM) {
		req->nlb = (cmd->dw[10] & 0xff) + 1;	/* number of ranges */
		req->bytes = req->nlb * 16;
		return NVME_SC_SUCCESS;
	}
	req->slba = cmd->dw[10] | ((u64)cmd->dw[11] << 32);
	req->nlb = (cmd->dw[12] & 0xffff) + 1;
	/* Write Zeroes and Verify move no data; Compare moves it without writing */
	if (req->opcode != NVME_CMD_WRITE_ZEROES && req->opcode != NVME_CMD_VERIFY) {
		if (((u64)req->nlb << ns->lba_shift) > NVMEV_MAX_XFER)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		req->bytes = req->nlb << ns->lba_shift;
		if (req->opcode != NVME_CMD_COMPARE)
			req->dir = req->opcode == NVME_CMD_READ ? NVMEV_DIR_READ : NVMEV_DIR_WRITE;
	}
	return io_check_range(ns, req->slba, req->nlb);
}

/*
 * Deallocate: every range is checked first (in the namespace, at most
 * NVMEV_DMSL blocks in all, as Identify says), then marked. The cost is
 * bounded by NVMEV_DMSL / 64 map words, whatever the ranges.
 */
static u16 io_deallocate(struct nvmev_ctrl *c, struct nvmev_worker *w, const struct nvmev_ns *ns,
			 struct nvmev_req *req)
{
	u64 total = 0;
	u16 status;
	u32 i;

	status = nvmev_prp_copy_from_host(c->plat, req->prp1, req->prp2, w->scratch, req->bytes);
	if (status)
		return status;
	for (i = 0; i < req->nlb; i++) {
		u64 nlb = nvme_get32(w->scratch, i * 16 + 4);
		u64 slba = nvme_get64(w->scratch, i * 16 + 8);

		if (!nlb)
			continue;
		status = io_check_range(ns, slba, nlb);
		if (status)
			return status;
		total += nlb;
		if (nlb > NVMEV_DMSL || total > NVMEV_DMSL)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
	}
	for (i = 0; i < req->nlb; i++) {
		u64 nlb = nvme_get32(w->scratch, i * 16 + 4);
		u64 slba = nvme_get64(w->scratch, i * 16 + 8);

		if (!nlb)
			continue;
		nvmev_dealloc_mark(ns, slba, nlb, true);
		/* a media model with a mapping (an FTL) forgets them too */
		if (ns->timing->ops->deallocate)
			ns->timing->ops->deallocate(ns->timing, slba << ns->lba_shift,
						    nlb << ns->lba_shift);
	}
	return NVME_SC_SUCCESS;
}

/* Worker: move the data of a validated command. */
u16 nvmev_nvm_execute(struct nvmev_ctrl *c, struct nvmev_worker *w, struct nvmev_ns *ns,
		       struct nvmev_req *req)
{
	switch (req->opcode) {
	case NVME_CMD_READ:
		return io_read(c, ns, req);
	case NVME_CMD_WRITE:
		return nvmev_nvm_write(c, ns, req);
	case NVME_CMD_COMPARE:
		return io_compare(c, w, ns, req);
	case NVME_CMD_VERIFY:
		/* no protection information and no media errors: the range was checked */
		return NVME_SC_SUCCESS;
	case NVME_CMD_WRITE_ZEROES:
		nvmev_dealloc_mark(ns, req->slba, req->nlb, true);
		return NVME_SC_SUCCESS;
	case NVME_CMD_DSM:
		if (req->cdw11 & NVME_DSM_AD)
			return io_deallocate(c, w, ns, req);
		return NVME_SC_SUCCESS;
	default:
		return NVME_SC_SUCCESS;
	}
}

/* A new namespace reads as zeroes: every block deallocated. */
void nvmev_nvm_init_ns(struct nvmev_ns *ns)
{
	memset(ns->dealloc, 0xff, nvmev_dealloc_words(ns->nr_blocks) * 8);
}

void nvmev_nvm_identify_ns(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *id)
{
	(void)c;
	nvme_put64(id, 0, ns->nr_blocks);	/* NSZE */
	nvme_put64(id, 8, ns->nr_blocks);	/* NCAP */
	nvme_put64(id, 16, ns->nr_blocks);	/* NUSE */
	u32 f;

	nvme_put8(id, 25, NVMEV_NR_LBAF - 1);	/* NLBAF */
	for (f = 0; f < NVMEV_NR_LBAF; f++) {
		/* LBADS, and relative performance: 4 KiB best, 512 B better */
		nvme_put32(id, 128 + 4 * f, nvmev_lbaf_shift(f) << 16 |
			   (nvmev_lbaf_shift(f) == 12 ? 0u : 1u) << 24);
		if (nvmev_lbaf_shift(f) == ns->lba_shift)
			nvme_put8(id, 26, (u8)f);	/* FLBAS */
	}
	nvme_put8(id, 33, 0x09);		/* DLFEAT: reads as zeroes, WZ deallocates */
	nvme_put64(id, 48, ns->size);		/* NVMCAP */
}

/* No NVM command set specific namespace fields are in use (CNS 05h). */
static void nvm_identify_ns_csi(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *id)
{
	(void)c;
	(void)ns;
	(void)id;
}

/*
 * NVM command set limits (CNS 06h): Write Zeroes up to its 16-bit block
 * count (WZSL, in 2^n minimum memory pages, for the smallest block size of
 * the controller's NVM namespaces), Dataset Management up to NVMEV_DMRL
 * ranges of NVMEV_DMSL blocks in all, so that no command costs a worker
 * more than a bounded update of the deallocation map.
 */
static void nvm_identify_ctrl_csi(const struct nvmev_ctrl *c, u8 *id)
{
	u32 shift = 12, i;

	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (c->ns[i].cmd_set == &nvmev_nvm_cmd_set && c->ns[i].lba_shift < shift)
			shift = c->ns[i].lba_shift;
	nvme_put8(id, 1, (u8)(16 + shift - NVMEV_PAGE_SHIFT));	/* WZSL */
	nvme_put8(id, 3, NVMEV_DMRL);		/* DMRL */
	nvme_put32(id, 4, NVMEV_DMSL);		/* DMRSL */
	nvme_put64(id, 8, NVMEV_DMSL);		/* DMSL */
}

void nvmev_nvm_effects(u8 *io)
{
	nvme_put32(io, NVME_CMD_FLUSH * 4, NVME_CSE_CSUPP);
	nvme_put32(io, NVME_CMD_READ * 4, NVME_CSE_CSUPP);
	nvme_put32(io, NVME_CMD_WRITE * 4, NVME_CSE_CSUPP | NVME_CSE_LBCC);
	nvme_put32(io, NVME_CMD_COMPARE * 4, NVME_CSE_CSUPP);
	nvme_put32(io, NVME_CMD_VERIFY * 4, NVME_CSE_CSUPP);
	nvme_put32(io, NVME_CMD_WRITE_ZEROES * 4, NVME_CSE_CSUPP | NVME_CSE_LBCC);
	nvme_put32(io, NVME_CMD_DSM * 4, NVME_CSE_CSUPP | NVME_CSE_LBCC);
}

const struct nvmev_cmd_set nvmev_nvm_cmd_set = {
	.name = "nvm",
	.csi = NVME_CSI_NVM,
	.decode = nvmev_nvm_decode,
	.execute = nvmev_nvm_execute,
	.init_ns = nvmev_nvm_init_ns,
	.identify_ns = nvmev_nvm_identify_ns,
	.identify_ns_csi = nvm_identify_ns_csi,
	.identify_ctrl_csi = nvm_identify_ctrl_csi,
	.effects = nvmev_nvm_effects,
	.oncs = NVME_ONCS_COMPARE | NVME_ONCS_DSM | NVME_ONCS_WRITE_ZEROES | NVME_ONCS_VERIFY,
};
