// SPDX-License-Identifier: GPL-2.0-only
/*
 * Namespace images: save and restore every allocated namespace as one
 * stream (the layout is in image.h). Both run while the controller is
 * quiesced, on the host glue's thread, a chunk at a time.
 */
#include "image.h"

static const u8 magic_head[8] = { 'N', 'V', 'M', 'E', 'V', 'I', 'M', 'G' };
static const u8 magic_tail[8] = { 'N', 'V', 'M', 'E', 'V', 'E', 'N', 'D' };

/* ---- CRC-32C (Castagnoli), eight bytes at a time ---- */

static u32 crc_tab[8][256];

void nvmev_image_init(void)
{
	u32 i, j, k;

	for (i = 0; i < 256; i++) {
		u32 c = i;

		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_tab[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (j = 1; j < 8; j++)
			crc_tab[j][i] = (crc_tab[j - 1][i] >> 8) ^ crc_tab[0][crc_tab[j - 1][i] & 0xff];
}

/* CRC-32C of @len bytes after a CRC of @crc (0 to start), as zlib chains them. */
u32 nvmev_crc32c(u32 crc, const void *buf, u64 len)
{
	const u8 *p = buf;

	crc = ~crc;
	while (len && ((unsigned long)p & 7)) {
		crc = (crc >> 8) ^ crc_tab[0][(crc ^ *p++) & 0xff];
		len--;
	}
	while (len >= 8) {
		u32 lo = crc ^ ((u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24);

		crc = crc_tab[7][lo & 0xff] ^ crc_tab[6][(lo >> 8) & 0xff] ^
		      crc_tab[5][(lo >> 16) & 0xff] ^ crc_tab[4][lo >> 24] ^
		      crc_tab[3][p[4]] ^ crc_tab[2][p[5]] ^ crc_tab[1][p[6]] ^ crc_tab[0][p[7]];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ crc_tab[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

/* ---- layout ---- */

static u64 pad(u64 n)
{
	return (n + NVMEV_IMAGE_BLOCK - 1) / NVMEV_IMAGE_BLOCK * NVMEV_IMAGE_BLOCK;
}

static void put_name(u8 *d, u32 len, const char *s)
{
	u32 i;

	for (i = 0; i < len - 1 && s && s[i]; i++)
		d[i] = (u8)s[i];
}

/*
 * The deallocation map's section: over every block of the namespace's
 * size, also those a media model keeps its state in (the host's are the
 * first ns->nr_blocks).
 */
static u64 map_bytes(const struct nvmev_ns *ns)
{
	return nvmev_dealloc_words(ns->size >> ns->lba_shift) * 8;
}

/* The descriptor of @ns as a save writes it (and a restore expects it). */
static void describe(const struct nvmev_ns *ns, u8 *d)
{
	memset(d, 0, NVMEV_IMAGE_DESC);
	nvme_put32(d, 0, ns->nsid);
	d[4] = ns->cmd_set->csi;
	d[5] = (u8)ns->lba_shift;
	d[6] = ns->attached;
	put_name(d + 8, 8, ns->cmd_set->name);
	put_name(d + 16, 16, ns->timing->ops->name);
	nvme_put64(d, 32, ns->size);
	nvme_put64(d, 40, pad(map_bytes(ns)));
	nvme_put64(d, 48, 0);	/* command set state: none yet */
	nvme_put64(d, 56, 0);	/* media model state: none yet */
	nvme_put64(d, 64, ns->size);
	nvme_put32(d, 72, ns->gen);
}

/* Section offsets of the namespaces in img->ns[], from the descriptors. */
static void lay_out(struct nvmev_image *img)
{
	u64 off = NVMEV_IMAGE_BLOCK;
	u32 i;

	for (i = 0; i < img->nr; i++) {
		const u8 *d = img->hdr + 64 + i * NVMEV_IMAGE_DESC;
		struct nvmev_image_ns *n = &img->ns[i];
		struct nvmev_ns *ns = &img->c->ns[n->nsid - 1];

		n->map_off = off;
		n->map_len = map_bytes(ns);
		off += nvme_get64(d, 40) + nvme_get64(d, 48) + nvme_get64(d, 56);
		n->data_off = off;
		n->data_len = ns->size;
		off += pad(n->data_len);
		n->end = off;
	}
	img->total = off + NVMEV_IMAGE_BLOCK;
}

static u32 hdr_crc(const u8 *hdr)
{
	static const u8 zero[4];
	u32 crc = nvmev_crc32c(0, hdr, 28);

	crc = nvmev_crc32c(crc, zero, 4);
	return nvmev_crc32c(crc, hdr + 32, NVMEV_IMAGE_BLOCK - 32);
}

/* ---- the byte ranges of the stream ---- */

enum region { R_HEADER, R_MAP, R_DATA, R_PAD, R_TRAILER, R_PAST };

/* What the stream holds at @pos, up to *@end; *@n: the namespace. */
static enum region region_at(const struct nvmev_image *img, u64 pos, u64 *end, u32 *n)
{
	u32 i;

	if (pos < NVMEV_IMAGE_BLOCK) {
		*end = NVMEV_IMAGE_BLOCK;
		return R_HEADER;
	}
	if (pos >= img->total) {
		*end = ~0ull;
		return R_PAST;
	}
	if (pos >= img->total - NVMEV_IMAGE_BLOCK) {
		*end = img->total;
		return R_TRAILER;
	}
	for (i = 0; i < img->nr; i++) {
		const struct nvmev_image_ns *s = &img->ns[i];

		*n = i;
		if (pos >= s->end)
			continue;
		if (pos < s->map_off + s->map_len && pos >= s->map_off) {
			*end = s->map_off + s->map_len;
			return R_MAP;
		}
		if (pos >= s->data_off && pos < s->data_off + s->data_len) {
			*end = s->data_off + s->data_len;
			return R_DATA;
		}
		*end = pos < s->data_off ? s->data_off : s->end;
		return R_PAD;
	}
	*end = img->total - NVMEV_IMAGE_BLOCK;
	return R_PAD;
}

/* The namespace of section @n (meaningful in its map and data regions only). */
static struct nvmev_ns *img_ns(const struct nvmev_image *img, u32 n)
{
	return img->ns[n].nsid ? &img->c->ns[img->ns[n].nsid - 1] : NULL;
}

/* ---- save ---- */

void nvmev_image_save_begin(struct nvmev_image *img, struct nvmev_ctrl *c)
{
	u32 nsid;

	memset(img, 0, sizeof(*img));
	img->c = c;
	memcpy(img->hdr, magic_head, 8);
	nvme_put32(img->hdr, 8, NVMEV_IMAGE_VERSION);
	nvme_put32(img->hdr, 12, NVMEV_IMAGE_BLOCK);
	nvme_put64(img->hdr, 32, c->cfg.storage_size);
	for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++) {
		const struct nvmev_ns *ns = nvmev_ns_allocated(c, nsid);

		if (!ns)
			continue;
		describe(ns, img->hdr + 64 + img->nr * NVMEV_IMAGE_DESC);
		img->ns[img->nr++].nsid = nsid;
	}
	lay_out(img);
	nvme_put32(img->hdr, 24, img->nr);
	nvme_put64(img->hdr, 16, img->total);
	nvme_put32(img->hdr, 28, hdr_crc(img->hdr));
}

/* @len bytes of @ns's data from byte @off: deallocated blocks as zeroes. */
static void save_data(const struct nvmev_ns *ns, u64 off, u8 *buf, u64 len)
{
	u64 bs = 1ull << ns->lba_shift;

	while (len) {
		u64 blk = off >> ns->lba_shift;
		u64 m = NVMEV_MIN(len, bs - (off & (bs - 1)));

		if (ns->dealloc[blk / 64] & (1ull << (blk % 64)))
			memset(buf, 0, m);
		else
			memcpy(buf, ns->data + off, m);
		off += m;
		buf += m;
		len -= m;
	}
}

u32 nvmev_image_save_read(struct nvmev_image *img, u8 *buf, u32 len)
{
	u32 done = 0;

	while (done < len) {
		u64 end, m;
		u32 n = 0;
		enum region r = region_at(img, img->pos, &end, &n);
		const struct nvmev_ns *ns = img_ns(img, n);
		u8 *p = buf + done;

		if (r == R_PAST)
			break;
		m = NVMEV_MIN((u64)(len - done), end - img->pos);
		switch (r) {
		case R_HEADER:
			memcpy(p, img->hdr + img->pos, m);
			break;
		case R_MAP:
			memcpy(p, (const u8 *)ns->dealloc + (img->pos - img->ns[n].map_off), m);
			break;
		case R_DATA:
			save_data(ns, img->pos - img->ns[n].data_off, p, m);
			break;
		case R_PAD:
			memset(p, 0, m);
			break;
		default:	/* the trailer */
			if (img->pos == img->total - NVMEV_IMAGE_BLOCK) {
				memset(img->trailer, 0, sizeof(img->trailer));
				memcpy(img->trailer, magic_tail, 8);
				nvme_put32(img->trailer, 8, NVMEV_IMAGE_VERSION);
				nvme_put32(img->trailer, 12, img->crc);
				nvme_put64(img->trailer, 16, img->total);
			}
			memcpy(p, img->trailer + (img->pos - (img->total - NVMEV_IMAGE_BLOCK)), m);
			break;
		}
		if (r != R_TRAILER)
			img->crc = nvmev_crc32c(img->crc, p, m);
		img->pos += m;
		done += m;
	}
	if (img->pos == img->total)
		img->done = true;
	return done;
}

/* ---- restore ---- */

void nvmev_image_restore_begin(struct nvmev_image *img, struct nvmev_ctrl *c)
{
	memset(img, 0, sizeof(*img));
	img->c = c;
	img->restore = true;
}

static int refuse(struct nvmev_image *img, const char *why, u32 nsid)
{
	if (nsid)
		nvmev_plat_log(img->c->plat, NVMEV_LOG_ERR,
			       "image: refused: namespace %u: %s; nothing was written", nsid, why);
	else
		nvmev_plat_log(img->c->plat, NVMEV_LOG_ERR, "image: refused: %s; nothing was written",
			       why);
	img->error = NVMEV_IMAGE_EINVAL;
	return img->error;
}

static bool name_is(const u8 *d, u32 len, const char *s)
{
	u8 want[16] = { 0 };

	put_name(want, len, s);
	return !memcmp(d, want, len);
}

/* Does the device (with @have namespaces) have exactly the image's NSIDs, sizes and block sizes? */
static bool same_layout(const struct nvmev_image *img, u32 nr, u32 have)
{
	u32 i;

	if (have != nr)
		return false;
	for (i = 0; i < nr; i++) {
		const u8 *d = img->hdr + 64 + i * NVMEV_IMAGE_DESC;
		const struct nvmev_ns *ns = nvmev_ns_allocated(img->c, nvme_get32(d, 0));

		if (!ns || ns->size != nvme_get64(d, 32) || ns->lba_shift != d[5])
			return false;
	}
	return true;
}

/* Every block of @ns deallocated: it holds nothing a restore could lose. */
static bool ns_empty(const struct nvmev_ns *ns)
{
	u64 full = ns->nr_blocks / 64, w;
	u32 rest = ns->nr_blocks % 64;
	u64 mask = (1ull << rest) - 1;

	for (w = 0; w < full; w++)
		if (ns->dealloc[w] != ~0ull)
			return false;
	return !rest || (ns->dealloc[full] & mask) == mask;	/* the partial last word */
}

static u64 granules(u64 size)
{
	return (size + NVMEV_NS_GRANULE - 1) / NVMEV_NS_GRANULE * NVMEV_NS_GRANULE;
}

/*
 * The image has other namespaces than the device (Namespace Management made
 * them before the save): when the device's namespaces hold nothing, they
 * make way for the image's, laid out one after the other in NSID order,
 * with the identifiers they had.
 */
static int restore_layout(struct nvmev_image *img, u32 nr, u32 have)
{
	struct nvmev_ctrl *c = img->c;
	u64 need = 0, off = 0;	/* need: where the next one would start */
	u32 kept_gen[NVMEV_MAX_NS] = { 0 };	/* gen + 1 of the NSIDs the device had */
	u64 total = NVMEV_IMAGE_BLOCK, map;	/* the image's length, trailer aside */
	u32 i, nsid, prev = 0;

	for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++) {
		const struct nvmev_ns *ns = nvmev_ns_allocated(c, nsid);

		if (ns && !ns_empty(ns)) {
			nvmev_plat_log(c->plat, NVMEV_LOG_ERR,
				       "image: refused: it holds %u namespace(s) of another layout than the device's %u, and namespace %u holds data; nothing was written",
				       nr, have, nsid);
			img->error = NVMEV_IMAGE_EINVAL;
			return img->error;
		}
	}
	for (i = 0; i < nr; i++) {
		const u8 *d = img->hdr + 64 + i * NVMEV_IMAGE_DESC;
		const struct nvmev_cmd_set *set = nvmev_cmd_set_by_csi(d[4]);
		const struct nvmev_timing *t;
		u64 size = nvme_get64(d, 32);

		nsid = nvme_get32(d, 0);
		if (!nsid || nsid > NVMEV_MAX_NS || nsid <= prev)
			return refuse(img, "its NSIDs are out of order or out of range", 0);
		prev = nsid;
		t = c->cfg.ns_timing[nsid - 1] ? c->cfg.ns_timing[nsid - 1] : c->cfg.timing;
		if (!set || !name_is(d + 8, 8, set->name) || !t || !name_is(d + 16, 16, t->ops->name))
			return refuse(img, "the device cannot make a namespace of its type there", nsid);
		if ((d[5] != 9 && d[5] != 12) || size < (1ull << d[5]) || size % (1ull << d[5]) ||
		    (t->ops->min_size && size < t->ops->min_size(t)))
			return refuse(img, "its block size or size is not one a namespace can have", nsid);
		/* everything restore_header() checks later, so that it cannot refuse after this */
		map = pad(nvmev_dealloc_words(size >> d[5]) * 8);
		if (nvme_get64(d, 40) != map || nvme_get64(d, 48) || nvme_get64(d, 56) ||
		    nvme_get64(d, 64) != size)
			return refuse(img, "its sections do not fit this namespace", nsid);
		total += map + pad(size);
		/* each starts on a granule; the last may end with the storage */
		if (need > c->cfg.storage_size || size > c->cfg.storage_size - need)
			need = ~0ull;
		else
			need += granules(size);
	}
	if (nvme_get64(img->hdr, 16) != total + NVMEV_IMAGE_BLOCK)
		return refuse(img, "its length does not match its namespaces", 0);
	if (need == ~0ull) {
		nvmev_plat_log(c->plat, NVMEV_LOG_ERR,
			       "image: refused: its namespaces do not fit in the device's %llu MiB; nothing was written",
			       (unsigned long long)(c->cfg.storage_size >> 20));
		img->error = NVMEV_IMAGE_EINVAL;
		return img->error;
	}
	for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++) {
		struct nvmev_ns *ns = nvmev_ns_allocated(c, nsid);

		if (!ns)
			continue;
		kept_gen[nsid - 1] = ns->gen + 1;
		NVMEV_WRITE_ONCE(ns->attached, false);
		NVMEV_WRITE_ONCE(ns->cmd_set, NULL);
		c->nr_ns--;
		nvmev_ns_changed_deferred(c, nsid);
	}
	for (i = 0; i < nr; i++) {
		const u8 *d = img->hdr + 64 + i * NVMEV_IMAGE_DESC;
		u64 size = nvme_get64(d, 32);
		struct nvmev_ns *ns;

		nsid = nvme_get32(d, 0);
		/* the checks above are nvmev_ns_setup()'s; a media model's layout may still refuse */
		if (nvmev_ns_setup(c, nsid, nvmev_cmd_set_by_csi(d[4]), off, size, d[5])) {
			nvmev_plat_log(c->plat, NVMEV_LOG_ERR,
				       "image: refused: namespace %u: its media model cannot lay out %llu bytes; the namespaces before it are empty",
				       nsid, (unsigned long long)size);
			img->error = NVMEV_IMAGE_EINVAL;
			return img->error;
		}
		ns = &c->ns[nsid - 1];
		/*
		 * An NSID the host knows keeps its identifiers (the host sees
		 * its size change); a new one gets those it had when saved.
		 */
		ns->gen = kept_gen[nsid - 1] ? kept_gen[nsid - 1] - 1 : nvme_get32(d, 72);
		c->ns_created = NVMEV_MAX(c->ns_created, ns->gen);
		NVMEV_WRITE_ONCE(ns->attached, d[6] != 0);
		nvmev_ns_changed_deferred(c, nsid);
		off += granules(size);
	}
	nvmev_plat_log(c->plat, NVMEV_LOG_INFO,
		       "image: the device's %u empty namespace(s) made way for the image's %u", have, nr);
	nvmev_plat_ns_changed(c->plat);
	return 0;
}

/* The header is in: is it an image of exactly these namespaces? */
static int restore_header(struct nvmev_image *img)
{
	struct nvmev_ctrl *c = img->c;
	const u8 *h = img->hdr;
	u32 nr, i, nsid, want = 0;

	if (memcmp(h, magic_head, 8))
		return refuse(img, "not an nvmevirt image (no NVMEVIMG header)", 0);
	if (nvme_get32(h, 8) != NVMEV_IMAGE_VERSION || nvme_get32(h, 12) != NVMEV_IMAGE_BLOCK)
		return refuse(img, "an image version this module does not read", 0);
	if (nvme_get32(h, 28) != hdr_crc(h)) {
		nvmev_plat_log(c->plat, NVMEV_LOG_ERR,
			       "image: refused: its header is damaged (checksum); nothing was written");
		img->error = NVMEV_IMAGE_ECRC;
		return img->error;
	}
	nr = nvme_get32(h, 24);
	if (nr > NVMEV_MAX_NS)
		return refuse(img, "more namespaces than a device has", 0);
	for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++)
		if (nvmev_ns_allocated(c, nsid))
			want++;
	if (!same_layout(img, nr, want) && restore_layout(img, nr, want))
		return img->error;
	for (i = 0; i < nr; i++) {
		const u8 *d = h + 64 + i * NVMEV_IMAGE_DESC;
		struct nvmev_ns *ns;

		nsid = nvme_get32(d, 0);
		ns = nvmev_ns_allocated(c, nsid);
		if (!ns || (i && nsid <= img->ns[i - 1].nsid))
			return refuse(img, "the device has no such namespace", nsid);
		if (d[4] != ns->cmd_set->csi || !name_is(d + 8, 8, ns->cmd_set->name) ||
		    !name_is(d + 16, 16, ns->timing->ops->name)) {
			nvmev_plat_log(c->plat, NVMEV_LOG_ERR,
				       "image: refused: namespace %u: the image is of type %.8s/%.16s, the namespace %s/%s; nothing was written",
				       nsid, (const char *)d + 8, (const char *)d + 16, ns->cmd_set->name,
				       ns->timing->ops->name);
			img->error = NVMEV_IMAGE_EINVAL;
			return img->error;
		}
		if (d[5] != ns->lba_shift || nvme_get64(d, 32) != ns->size) {
			nvmev_plat_log(c->plat, NVMEV_LOG_ERR,
				       "image: refused: namespace %u: the image has %llu bytes in %u-byte blocks, the namespace %llu bytes in %u-byte blocks; nothing was written",
				       nsid, (unsigned long long)nvme_get64(d, 32),
				       d[5] < 32 ? 1u << d[5] : 0, (unsigned long long)ns->size,
				       1u << ns->lba_shift);
			img->error = NVMEV_IMAGE_EINVAL;
			return img->error;
		}
		if (nvme_get64(d, 40) != pad(map_bytes(ns)) ||
		    nvme_get64(d, 48) || nvme_get64(d, 56) || nvme_get64(d, 64) != ns->size)
			return refuse(img, "its sections do not fit this namespace", nsid);
		img->ns[i].nsid = nsid;
	}
	img->nr = nr;
	lay_out(img);
	if (nvme_get64(h, 16) != img->total)
		return refuse(img, "its length does not match its namespaces", 0);
	return 0;
}

/* A failed restore: no namespace keeps part of an image. */
static void restore_clear(struct nvmev_image *img)
{
	u32 i;

	for (i = 0; i < img->nr; i++) {
		struct nvmev_ns *ns = &img->c->ns[img->ns[i].nsid - 1];

		nvmev_ns_format(ns);	/* it worked when the namespace was made */
	}
}

static int damaged(struct nvmev_image *img, const char *why)
{
	nvmev_plat_log(img->c->plat, NVMEV_LOG_ERR,
		       "image: %s; the namespaces it was restoring are now empty", why);
	restore_clear(img);
	img->error = NVMEV_IMAGE_ECRC;
	return img->error;
}

static int restore_trailer(struct nvmev_image *img)
{
	const u8 *t = img->trailer;
	u32 i;

	if (memcmp(t, magic_tail, 8) || nvme_get64(t, 16) != img->total)
		return damaged(img, "damaged: its trailer is not where its header says");
	if (nvme_get32(t, 12) != img->crc)
		return damaged(img, "damaged: checksum mismatch");
	for (i = 0; i < img->nr; i++) {
		struct nvmev_ns *ns = &img->c->ns[img->ns[i].nsid - 1];

		if ((ns->cmd_set->load && ns->cmd_set->load(ns)) ||
		    (ns->timing->ops->load &&
		     ns->timing->ops->load(ns->timing, ns->data, ns->size)))
			return damaged(img, "refused: a namespace's saved state does not fit its settings");
	}
	img->done = true;
	return 0;
}

int nvmev_image_restore_write(struct nvmev_image *img, const u8 *buf, u32 len)
{
	u32 done = 0;

	if (img->error)
		return img->error;
	while (done < len) {
		u64 end, m;
		u32 n = 0;
		enum region r = region_at(img, img->pos, &end, &n);
		struct nvmev_ns *ns = img_ns(img, n);
		const u8 *p = buf + done;

		if (img->pos >= NVMEV_IMAGE_BLOCK && r == R_PAST)
			return damaged(img, "damaged: longer than its header says");
		m = NVMEV_MIN((u64)(len - done), end - img->pos);
		switch (r) {
		case R_HEADER:
			memcpy(img->hdr + img->pos, p, m);
			break;
		case R_MAP:
			memcpy((u8 *)ns->dealloc + (img->pos - img->ns[n].map_off), p, m);
			break;
		case R_DATA:
			memcpy(ns->data + (img->pos - img->ns[n].data_off), p, m);
			break;
		case R_TRAILER:
			memcpy(img->trailer + (img->pos - (img->total - NVMEV_IMAGE_BLOCK)), p, m);
			break;
		default:
			break;
		}
		if (r != R_TRAILER)
			img->crc = nvmev_crc32c(img->crc, p, m);
		img->pos += m;
		done += m;
		if (r == R_HEADER && img->pos == NVMEV_IMAGE_BLOCK && restore_header(img))
			return img->error;
		if (r == R_TRAILER && img->pos == img->total && restore_trailer(img))
			return img->error;
	}
	return 0;
}

int nvmev_image_restore_end(struct nvmev_image *img)
{
	if (img->error || img->done || !img->pos)
		return img->error;
	if (img->pos < NVMEV_IMAGE_BLOCK) {
		nvmev_plat_log(img->c->plat, NVMEV_LOG_ERR,
			       "image: refused: %llu bytes are not even a header; nothing was written",
			       (unsigned long long)img->pos);
		img->error = NVMEV_IMAGE_EINVAL;
		return img->error;
	}
	nvmev_plat_log(img->c->plat, NVMEV_LOG_ERR,
		       "image: damaged: it ends after %llu of its %llu bytes; the namespaces it was restoring are now empty",
		       (unsigned long long)img->pos, (unsigned long long)img->total);
	restore_clear(img);
	img->error = NVMEV_IMAGE_ECRC;
	return img->error;
}

void nvmev_image_abort(struct nvmev_image *img)
{
	if (img->error || img->done)
		return;
	if (img->restore && img->pos >= NVMEV_IMAGE_BLOCK)
		restore_clear(img);	/* past the header: data may have been written */
	img->error = NVMEV_IMAGE_EABORT;
}
