// SPDX-License-Identifier: GPL-2.0-only
/*
 * Namespace images: the checksum, a save and restore round trip through
 * odd chunk sizes, and every refusal (another geometry, not an image, a
 * damaged header, data or trailer, short and long images).
 */
#include "th.h"
#include "image.h"

#define MiB (1ull << 20)

static const u64 sizes[NVMEV_MAX_NS] = { 2 * MiB, 3 * MiB };
static const u32 shifts[NVMEV_MAX_NS] = { 9, 12 };

struct blob {
	u8 *p;
	u64 len;
};

static void setup(struct th *t, const u64 *sz, const u32 *sh)
{
	th_init_ns(t, sz, sh, NULL, 0x77);
	CHECK(th_enable_css(t, NVME_CC_CSS_CSI));
	CHECK(th_create_io_pair(t, 1, 64));
}

/* @nlb blocks, at most two pages of the host buffer @buf */
static u16 rw(struct th *t, u8 opc, u32 nsid, u64 slba, u32 nlb, u64 buf)
{
	struct nvme_sqe c;

	sqe_rw(&c, opc, slba, nlb, buf);
	c.dw[1] = nsid;
	c.dw[8] = (u32)(buf + 4096);
	c.dw[9] = (u32)((buf + 4096) >> 32);
	return th_io(t, 1, &c);
}

static void quiesce(struct th *t)
{
	nvmev_ctrl_pause(t->c, true);
	th_run(t);
	CHECK(nvmev_ctrl_quiesced(t->c));
}

/* The image of @t, read @chunk bytes at a time. */
static struct blob save(struct th *t, u32 chunk)
{
	struct nvmev_image *img = calloc(1, sizeof(*img));
	struct blob b = { 0 };
	u32 n;

	quiesce(t);
	nvmev_image_save_begin(img, t->c);
	b.p = malloc(img->total);
	while ((n = nvmev_image_save_read(img, b.p + b.len, chunk)))
		b.len += n;
	CHECK(img->done);
	CHECK_EQ(b.len, img->total);
	nvmev_ctrl_pause(t->c, false);
	free(img);
	return b;
}

/* Restore @b (its first @len bytes) into @t in @chunk pieces: the first error, or end's. */
static int restore(struct th *t, const u8 *p, u64 len, u32 chunk)
{
	struct nvmev_image *img = calloc(1, sizeof(*img));
	u64 off = 0;
	int ret = 0;

	quiesce(t);
	nvmev_image_restore_begin(img, t->c);
	while (off < len && !ret) {
		u32 n = (u32)NVMEV_MIN((u64)chunk, len - off);

		ret = nvmev_image_restore_write(img, p + off, n);
		off += n;
	}
	if (!ret)
		ret = nvmev_image_restore_end(img);
	nvmev_ctrl_pause(t->c, false);
	free(img);
	return ret;
}

static u8 pat(u32 i)
{
	return (u8)(i * 7 + 3);
}

/* Data in both namespaces, some of it deallocated again. */
static void fill(struct th *t, u64 buf)
{
	u8 *p = host_ptr(buf);
	struct nvme_sqe c;
	u32 i;

	for (i = 0; i < 8192; i++)
		p[i] = pat(i);
	CHECK_EQ(rw(t, NVME_CMD_WRITE, 1, 100, 16, buf), 0);	/* 8 KiB at 50 KiB */
	CHECK_EQ(rw(t, NVME_CMD_WRITE, 1, 4095, 1, buf), 0);	/* the last block */
	CHECK_EQ(rw(t, NVME_CMD_WRITE, 2, 0, 2, buf), 0);
	CHECK_EQ(rw(t, NVME_CMD_WRITE, 2, 4, 2, buf), 0);
	CHECK_EQ(rw(t, NVME_CMD_WRITE, 2, 6, 2, buf), 0);
	CHECK_EQ(rw(t, NVME_CMD_WRITE, 2, 766, 2, buf), 0);	/* the last blocks */
	/* deallocate blocks 4..7 of namespace 2: their old data must not travel */
	memset(p, 0, 4096);
	nvme_put32(p, 4, 4);
	nvme_put64(p, 8, 4);
	sqe_init(&c, NVME_CMD_DSM, 9, 2);
	c.dw[6] = (u32)buf;
	c.dw[7] = (u32)(buf >> 32);
	c.dw[10] = 0;
	c.dw[11] = NVME_DSM_AD;
	CHECK_EQ(th_io(t, 1, &c), 0);
}

static bool is_pat(const u8 *p, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (p[i] != pat(i))
			return false;
	return true;
}

static bool is_zero(const u8 *p, u32 n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* Both namespaces read as fill() left them. */
static void check_filled(struct th *t, u64 buf)
{
	u8 *p = host_ptr(buf);

	CHECK_EQ(rw(t, NVME_CMD_READ, 1, 100, 16, buf), 0);
	CHECK(is_pat(p, 8192));
	CHECK_EQ(rw(t, NVME_CMD_READ, 1, 4095, 1, buf), 0);
	CHECK(is_pat(p, 512));
	CHECK_EQ(rw(t, NVME_CMD_READ, 1, 0, 16, buf), 0);	/* never written: zeroes */
	CHECK(is_zero(p, 8192));
	CHECK_EQ(rw(t, NVME_CMD_READ, 2, 0, 2, buf), 0);
	CHECK(is_pat(p, 8192));
	CHECK_EQ(rw(t, NVME_CMD_READ, 2, 4, 2, buf), 0);	/* deallocated */
	CHECK(is_zero(p, 8192));
	CHECK_EQ(rw(t, NVME_CMD_READ, 2, 766, 2, buf), 0);
	CHECK(is_pat(p, 8192));
}

UNIT_TEST(image_crc32c)
{
	static const char s[] = "123456789";
	u8 big[1000];
	u32 i, whole;

	CHECK_EQ(nvmev_crc32c(0, s, 9), 0xe3069283u);		/* the standard check value */
	CHECK_EQ(nvmev_crc32c(nvmev_crc32c(0, s, 4), s + 4, 5), 0xe3069283u);
	CHECK_EQ(nvmev_crc32c(0, s, 0), 0);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (u8)(i * 31);
	whole = nvmev_crc32c(0, big, sizeof(big));
	for (i = 1; i < 20; i++)	/* any split, any alignment */
		CHECK_EQ(nvmev_crc32c(nvmev_crc32c(0, big, i), big + i, sizeof(big) - i), whole);
}

UNIT_TEST(image_round_trip)
{
	struct th t;
	struct blob a, b;
	u64 buf;
	u8 *d;

	setup(&t, sizes, shifts);
	buf = host_alloc(8192);
	fill(&t, buf);
	a = save(&t, 777);		/* odd chunks cross every boundary */
	CHECK(a.len > 5 * MiB);
	CHECK(!memcmp(a.p, "NVMEVIMG", 8));
	CHECK_EQ(nvme_get32(a.p, 24), 2);
	CHECK_EQ(nvme_get64(a.p, 16), a.len);
	CHECK(!memcmp(a.p + a.len - 4096, "NVMEVEND", 8));
	/* the stale bytes under namespace 2's deallocated blocks are not in it */
	d = t.c->ns[1].data;
	CHECK(d[4 * 4096] == pat(0));
	CHECK(is_zero(a.p + (a.len - 4096 - 3 * MiB + 4 * 4096), 4 * 4096));
	th_fini(&t);

	setup(&t, sizes, shifts);
	buf = host_alloc(8192);
	CHECK_EQ(restore(&t, a.p, a.len, 4093), 0);
	check_filled(&t, buf);
	b = save(&t, 1 << 20);
	CHECK_EQ(b.len, a.len);
	CHECK(!memcmp(a.p, b.p, a.len));	/* the same image again */
	/* a restore in one piece, and one over the namespaces as they are */
	CHECK_EQ(restore(&t, a.p, a.len, (u32)a.len), 0);
	check_filled(&t, buf);
	/* nothing written: nothing changes, no error */
	CHECK_EQ(restore(&t, a.p, 0, 4096), 0);
	check_filled(&t, buf);
	th_fini(&t);
	free(a.p);
	free(b.p);
}

UNIT_TEST(image_pause_waits_for_commands)
{
	struct th t;
	struct nvme_sqe c;
	struct th_cqe cqe;
	u64 buf;

	setup(&t, sizes, shifts);
	buf = host_alloc(4096);
	nvmev_ctrl_pause(t.c, true);
	sqe_rw(&c, NVME_CMD_WRITE, 0, 1, buf);
	th_submit(&t, 1, &c);
	th_run(&t);
	CHECK(nvmev_ctrl_quiesced(t.c));	/* not fetched while paused */
	CHECK(!th_reap(&t, 1, &cqe));
	nvmev_ctrl_pause(t.c, false);
	th_run(&t);
	CHECK(!nvmev_ctrl_quiesced(t.c));
	CHECK(th_reap(&t, 1, &cqe) && cqe.status == 0);
	th_fini(&t);
}

/*
 * A pause right after an unpause: the quiesced flag of the last pause must
 * not stand, or the glue would take the device for quiesced while a
 * dispatcher pass that began unpaused (on another CPU) fetches a command.
 * Found by the fuzzer (tests/fuzz/crashes/crash-image-quiesce-stale).
 */
UNIT_TEST(image_pause_again_not_stale)
{
	struct th t;
	struct nvme_sqe c;
	struct th_cqe cqe;
	u64 buf;

	setup(&t, sizes, shifts);
	buf = host_alloc(4096);
	quiesce(&t);
	nvmev_ctrl_pause(t.c, false);
	sqe_rw(&c, NVME_CMD_WRITE, 0, 1, buf);
	th_submit(&t, 1, &c);
	nvmev_ctrl_pause(t.c, true);
	CHECK(!nvmev_ctrl_quiesced(t.c));	/* no pass has seen this pause yet */
	th_run(&t);
	CHECK(nvmev_ctrl_quiesced(t.c));
	CHECK(!th_reap(&t, 1, &cqe));		/* paused: not fetched */
	nvmev_ctrl_pause(t.c, false);
	th_run(&t);
	CHECK(th_reap(&t, 1, &cqe) && cqe.status == 0);
	th_fini(&t);
}

/* Restore @img (modified by the caller) into a fresh device: @want, and whether it is empty. */
static void expect_refusal(const struct blob *img, const u64 *sz, const u32 *sh, int want,
			   bool written_before)
{
	struct th t;
	u64 buf;
	u8 *p;

	setup(&t, sz, sh);
	buf = host_alloc(8192);
	p = host_ptr(buf);
	memset(p, 0xab, 4096);
	CHECK_EQ(rw(&t, NVME_CMD_WRITE, 1, 3, 8, buf), 0);	/* what was there before */
	CHECK_EQ(restore(&t, img->p, img->len, 8192), want);
	memset(p, 0, 4096);
	CHECK_EQ(rw(&t, NVME_CMD_READ, 1, 3, 8, buf), 0);
	if (written_before)	/* refused before a byte was written: the old data */
		CHECK(p[0] == 0xab && p[4095] == 0xab);
	else			/* failed part-way: empty, never half-restored */
		CHECK(p[0] == 0 && p[4095] == 0);
	th_fini(&t);
}

UNIT_TEST(image_refusals)
{
	static const u64 other_size[NVMEV_MAX_NS] = { 2 * MiB, 4 * MiB };
	static const u32 other_shift[NVMEV_MAX_NS] = { 9, 9 };
	static const u64 one_ns[NVMEV_MAX_NS] = { 2 * MiB };
	struct th t;
	struct blob a, m;
	u64 buf;

	setup(&t, sizes, shifts);
	buf = host_alloc(8192);
	fill(&t, buf);
	a = save(&t, 1 << 20);
	th_fini(&t);
	m.p = malloc(a.len + 4096);
	m.len = a.len;

	/* another geometry: size, block size, namespace count */
	expect_refusal(&a, other_size, shifts, NVMEV_IMAGE_EINVAL, true);
	expect_refusal(&a, sizes, other_shift, NVMEV_IMAGE_EINVAL, true);
	expect_refusal(&a, one_ns, shifts, NVMEV_IMAGE_EINVAL, true);
	/* not an image at all */
	memcpy(m.p, a.p, a.len);
	memcpy(m.p, "NOTANIMG", 8);
	expect_refusal(&m, sizes, shifts, NVMEV_IMAGE_EINVAL, true);
	/* a damaged header */
	memcpy(m.p, a.p, a.len);
	m.p[64 + 33] ^= 1;
	expect_refusal(&m, sizes, shifts, NVMEV_IMAGE_ECRC, true);
	/* a newer version */
	memcpy(m.p, a.p, a.len);
	nvme_put32(m.p, 8, 2);
	expect_refusal(&m, sizes, shifts, NVMEV_IMAGE_EINVAL, true);
	/* one flipped data bit: found at the trailer, the namespaces end empty */
	memcpy(m.p, a.p, a.len);
	m.p[a.len / 2] ^= 0x10;
	expect_refusal(&m, sizes, shifts, NVMEV_IMAGE_ECRC, false);
	/* a damaged trailer */
	memcpy(m.p, a.p, a.len);
	m.p[a.len - 4096 + 12] ^= 1;
	expect_refusal(&m, sizes, shifts, NVMEV_IMAGE_ECRC, false);
	/* short */
	memcpy(m.p, a.p, a.len);
	m.len = a.len - 4096;
	expect_refusal(&m, sizes, shifts, NVMEV_IMAGE_ECRC, false);
	m.len = 100;	/* not even a header */
	expect_refusal(&m, sizes, shifts, NVMEV_IMAGE_EINVAL, true);
	/* long */
	memcpy(m.p, a.p, a.len);
	memset(m.p + a.len, 0, 4096);
	m.len = a.len + 1;
	expect_refusal(&m, sizes, shifts, NVMEV_IMAGE_ECRC, false);
	free(a.p);
	free(m.p);
}

/* The host glue gives up part-way (the host needed the device). */
UNIT_TEST(image_abort)
{
	struct nvmev_image *img = calloc(1, sizeof(*img));
	struct th t;
	struct blob a;
	u64 buf;
	u8 *p;

	setup(&t, sizes, shifts);
	buf = host_alloc(8192);
	fill(&t, buf);
	a = save(&t, 1 << 20);
	/* a restore past its header: the namespaces end empty */
	quiesce(&t);
	nvmev_image_restore_begin(img, t.c);
	CHECK_EQ(nvmev_image_restore_write(img, a.p, 3 * 4096), 0);
	nvmev_image_abort(img);
	CHECK_EQ(nvmev_image_restore_write(img, a.p + 3 * 4096, 4096), NVMEV_IMAGE_EABORT);
	CHECK_EQ(nvmev_image_restore_end(img), NVMEV_IMAGE_EABORT);
	nvmev_ctrl_pause(t.c, false);
	p = host_ptr(buf);
	CHECK_EQ(rw(&t, NVME_CMD_READ, 1, 100, 16, buf), 0);
	CHECK(is_zero(p, 8192));
	/* within the header nothing was written: the data stays */
	CHECK_EQ(restore(&t, a.p, a.len, 1 << 20), 0);
	quiesce(&t);
	nvmev_image_restore_begin(img, t.c);
	CHECK_EQ(nvmev_image_restore_write(img, a.p, 100), 0);
	nvmev_image_abort(img);
	nvmev_ctrl_pause(t.c, false);
	check_filled(&t, buf);
	/* a whole restore cannot be aborted after the fact */
	quiesce(&t);
	nvmev_image_restore_begin(img, t.c);
	CHECK_EQ(nvmev_image_restore_write(img, a.p, (u32)a.len), 0);
	nvmev_image_abort(img);
	CHECK_EQ(nvmev_image_restore_end(img), 0);
	nvmev_ctrl_pause(t.c, false);
	check_filled(&t, buf);
	th_fini(&t);
	free(a.p);
	free(img);
}

/* Paused, the model says when the host waits for it. */
UNIT_TEST(image_host_waiting)
{
	struct th t;
	struct nvme_sqe c;
	struct th_cqe cqe;
	u64 buf;

	setup(&t, sizes, shifts);
	buf = host_alloc(4096);
	th_run(&t);
	CHECK(!nvmev_ctrl_host_waiting(t.c));
	nvmev_ctrl_pause(t.c, true);
	th_run(&t);
	CHECK(!nvmev_ctrl_host_waiting(t.c));
	sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
	th_submit(&t, 1, &c);
	th_run(&t);
	CHECK(nvmev_ctrl_host_waiting(t.c));
	nvmev_ctrl_pause(t.c, false);
	th_run(&t);
	CHECK(!nvmev_ctrl_host_waiting(t.c));
	CHECK(th_reap(&t, 1, &cqe) && cqe.status == 0);
	th_fini(&t);
}

/*
 * An image of namespaces made by Namespace Management goes into a new
 * device whose own namespaces are empty: they make way for the image's.
 */
UNIT_TEST(image_restore_layout)
{
	static const u64 one[NVMEV_MAX_NS] = { 8 * MiB };
	static const u64 small[NVMEV_MAX_NS] = { 1 * MiB };
	static const u64 big[NVMEV_MAX_NS] = { 6 * MiB, 3 * MiB };
	static const u32 shift9[NVMEV_MAX_NS] = { 9 };
	struct th t;
	struct blob a, b;
	u32 gen1, gen2;
	u64 buf;
	u8 *p;

	setup(&t, sizes, shifts);
	buf = host_alloc(8192);
	fill(&t, buf);
	t.c->ns[0].gen = 7;	/* as if made by Namespace Management */
	t.c->ns[1].gen = 9;
	a = save(&t, 1 << 20);
	gen1 = t.c->ns[0].gen;
	gen2 = t.c->ns[1].gen;
	th_fini(&t);

	/* one empty 8 MiB namespace: replaced by the image's two */
	setup(&t, one, shift9);
	buf = host_alloc(8192);
	CHECK_EQ(restore(&t, a.p, a.len, 65536), 0);
	CHECK_EQ(t.c->nr_ns, 2);
	CHECK_EQ(t.c->ns[0].size, 2 * MiB);
	CHECK_EQ(t.c->ns[1].size, 3 * MiB);
	CHECK_EQ(t.c->ns[1].lba_shift, 12);
	CHECK_EQ(t.c->ns[0].nsid, 1);
	CHECK_EQ(t.c->ns[1].nsid, 2);
	CHECK(t.c->ns[0].attached && t.c->ns[1].attached);
	CHECK_EQ(t.c->ns[0].gen, 0);		/* NSID 1 the host knew: its identifiers */
	CHECK_EQ(t.c->ns[1].gen, gen2);		/* a new one: the identifiers saved */
	CHECK(t.c->ns_created >= gen2);
	CHECK(gen1 == 7);
	CHECK_EQ(t.c->ns_changed & 3, 3);	/* for the Changed Namespace List */
	th_run(&t);				/* unpaused: the event goes out */
	CHECK_EQ(t.c->ns_event_pending, 0);
	{
		struct nvme_sqe c;
		u64 idb = host_alloc(4096);
		u8 *id = host_ptr(idb);

		sqe_init(&c, NVME_ADMIN_IDENTIFY, 77, 0);
		c.dw[6] = (u32)idb;
		c.dw[7] = (u32)(idb >> 32);
		c.dw[10] = NVME_CNS_NS_ACTIVE_LIST;
		CHECK_EQ(th_admin(&t, &c, NULL), 0);
		CHECK_EQ(nvme_get32(id, 0), 1);		/* both active */
		CHECK_EQ(nvme_get32(id, 4), 2);
		CHECK_EQ(nvme_get32(id, 8), 0);
	}
	check_filled(&t, buf);
	b = save(&t, 1 << 20);
	CHECK_EQ(b.len, a.len);
	/* the same namespaces and data (the header also names the storage size; gen of NSID 1) */
	CHECK(!memcmp(a.p + 64, b.p + 64, 72));
	CHECK(!memcmp(a.p + 64 + NVMEV_IMAGE_DESC, b.p + 64 + NVMEV_IMAGE_DESC, NVMEV_IMAGE_DESC));
	CHECK(!memcmp(a.p + 4096, b.p + 4096, a.len - 8192));
	th_fini(&t);
	free(b.p);

	/* the same device with data in it: refused, the data stays */
	setup(&t, one, shift9);
	buf = host_alloc(8192);
	p = host_ptr(buf);
	memset(p, 0x5c, 4096);
	CHECK_EQ(rw(&t, NVME_CMD_WRITE, 1, 16383, 1, buf), 0);	/* its last block only */
	CHECK_EQ(restore(&t, a.p, a.len, 65536), NVMEV_IMAGE_EINVAL);
	CHECK_EQ(t.c->nr_ns, 1);
	memset(p, 0, 4096);
	CHECK_EQ(rw(&t, NVME_CMD_READ, 1, 16383, 1, buf), 0);
	CHECK(p[0] == 0x5c && p[511] == 0x5c);
	th_fini(&t);

	/* data only in the partial last word of the map (2049 blocks): refused too */
	{
		static const u64 odd[NVMEV_MAX_NS] = { 1 * MiB + 512 };

		setup(&t, odd, shift9);
		buf = host_alloc(8192);
		p = host_ptr(buf);
		memset(p, 0x5c, 512);
		CHECK_EQ(rw(&t, NVME_CMD_WRITE, 1, 2048, 1, buf), 0);
		CHECK_EQ(restore(&t, a.p, a.len, 65536), NVMEV_IMAGE_EINVAL);
		CHECK_EQ(t.c->nr_ns, 1);
		th_fini(&t);
	}
	free(a.p);

	/* namespaces that do not fit the device's storage: refused */
	setup(&t, big, shifts);
	a = save(&t, 1 << 20);
	th_fini(&t);
	setup(&t, small, shift9);
	CHECK_EQ(restore(&t, a.p, a.len, 65536), NVMEV_IMAGE_EINVAL);
	CHECK_EQ(t.c->nr_ns, 1);
	CHECK_EQ(t.c->ns[0].size, 1 * MiB);
	th_fini(&t);
	free(a.p);
}

/* A conventional namespace: its FTL's state (after the host's blocks) travels in the image. */
UNIT_TEST(image_conv_ftl_state)
{
	u64 sz[NVMEV_MAX_NS] = { 32 * MiB };
	u32 sh[NVMEV_MAX_NS] = { 12 };
	const struct nvmev_type *types[NVMEV_MAX_NS] = { nvmev_type_by_name("conv") };
	struct nvmev_conv_timing *m;
	struct nvme_sqe c;
	struct th t;
	struct blob a;
	u64 buf, i, host, n;
	u32 l5;

	th_init_types(&t, sz, sh, types, NULL, 0xc2);
	CHECK(th_enable(&t));
	CHECK(th_create_io_pair(&t, 1, 64));
	buf = host_alloc(4096);
	n = t.c->ns[0].nr_blocks;
	for (i = 0; i < 2 * n; i++) {
		nvme_put64(host_ptr(buf), 0, i % n);
		sqe_rw(&c, NVME_CMD_WRITE, (i * 7919) % n, 1, buf);
		CHECK_EQ(th_io(&t, 1, &c), 0);
	}
	m = (struct nvmev_conv_timing *)t.c->ns[0].timing;
	host = m->ftl.s->n.host_pages;
	l5 = nvmev_ftl_lookup(&m->ftl, 5);
	CHECK(m->ftl.s->n.gc_runs > 0);
	a = save(&t, 1 << 20);
	th_fini(&t);

	th_init_types(&t, sz, sh, types, NULL, 0xc2);
	CHECK(th_enable(&t));
	m = (struct nvmev_conv_timing *)t.c->ns[0].timing;
	CHECK_EQ(m->ftl.s->n.host_pages, 0);
	CHECK_EQ(restore(&t, a.p, a.len, 65536), 0);
	CHECK(m->ready);
	CHECK_EQ(m->ftl.s->n.host_pages, host);
	CHECK_EQ(nvmev_ftl_lookup(&m->ftl, 5), l5);
	/* a damaged FTL is refused, and the namespace is empty and works */
	a.p[a.len - 4096 - 32 * MiB + (n << 12)] ^= 0xff;	/* the FTL's magic */
	CHECK(restore(&t, a.p, a.len, 65536) != 0);
	CHECK(m->ready);
	CHECK_EQ(m->ftl.s->n.host_pages, 0);
	th_fini(&t);
	free(a.p);
}
