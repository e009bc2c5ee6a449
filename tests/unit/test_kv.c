// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Key Value command set (kv.c): every command and status, the limits
 * (key sizes, value sizes, number of keys, capacity), List order and
 * restart, the index after many deletes and reinserts checked against a
 * model of what it should hold, the feature, Identify, and the image.
 */
#include <string.h>
#include "th.h"
#include "kv.h"
#include "image.h"

#define MiB (1024ull * 1024)
#define DNR NVME_STATUS_DNR

static const struct nvmev_type *kv_type(void)
{
	return nvmev_type_by_name("kv");
}

/* NSID 1: a KV namespace of @size; NSID 2: a 1 MiB NVM namespace */
static void setup(struct th *t, u64 size)
{
	u64 sizes[NVMEV_MAX_NS] = { size, MiB };
	u32 shifts[NVMEV_MAX_NS] = { 12, 9 };
	const struct nvmev_type *types[NVMEV_MAX_NS] = { kv_type() };

	th_init_types(t, sizes, shifts, types, NULL, 0x4b56);
	CHECK(th_enable_css(t, NVME_CC_CSS_CSI));
	CHECK(th_create_io_pair(t, 1, 64));
}

/* Point @c's data pointer at @len bytes of @buf (a PRP list when needed). */
static void dptr(struct nvme_sqe *c, u64 buf, u32 len)
{
	c->dw[6] = (u32)buf;
	c->dw[7] = (u32)(buf >> 32);
	if (len > 8192) {
		u64 list = host_alloc(4096);
		u32 i;

		for (i = 1; i * 4096ull < len; i++)
			nvme_put64(host_ptr(list), (i - 1) * 8, buf + i * 4096ull);
		c->dw[8] = (u32)list;
		c->dw[9] = (u32)(list >> 32);
	} else if (len > 4096) {
		c->dw[8] = (u32)(buf + 4096);
		c->dw[9] = (u32)((buf + 4096) >> 32);
	}
}

static void put_key(struct nvme_sqe *c, const u8 *key, u32 klen)
{
	u8 k[16] = { 0 };

	memcpy(k, key, NVMEV_MIN(klen, 16u));
	memcpy(&c->dw[2], k, 8);
	memcpy(&c->dw[14], k + 8, 8);
	c->dw[11] |= klen & 0xff;
}

static u16 kv_cmd(struct th *t, u8 opc, u32 nsid, const u8 *key, u32 klen, u32 opt,
		  u32 size, u64 buf, u32 *dw0)
{
	struct nvme_sqe c;
	struct th_cqe cqe;
	static u16 cid = 1;

	sqe_init(&c, opc, cid++, nsid);
	put_key(&c, key, klen);
	c.dw[10] = size;
	c.dw[11] |= opt << 8;
	if (buf)
		dptr(&c, buf, size);
	th_submit(t, 1, &c);
	th_run(t);
	if (!th_reap(t, 1, &cqe))
		return 0xffff;
	if (dw0)
		*dw0 = cqe.dw0;
	return cqe.status;
}

static u16 store(struct th *t, const u8 *key, u32 klen, u32 opt, u64 buf, u32 size)
{
	return kv_cmd(t, NVME_KV_STORE, 1, key, klen, opt, size, buf, NULL);
}

static u16 retrieve(struct th *t, const u8 *key, u32 klen, u64 buf, u32 size, u32 *dw0)
{
	return kv_cmd(t, NVME_KV_RETRIEVE, 1, key, klen, 0, size, buf, dw0);
}

static u16 del(struct th *t, const u8 *key, u32 klen)
{
	return kv_cmd(t, NVME_KV_DELETE, 1, key, klen, 0, 0, 0, NULL);
}

static u16 exist(struct th *t, const u8 *key, u32 klen)
{
	return kv_cmd(t, NVME_KV_EXIST, 1, key, klen, 0, 0, 0, NULL);
}

static u16 admin(struct th *t, u8 opc, u32 nsid, u32 dw10, u32 dw11, u64 buf, u32 *dw0)
{
	struct nvme_sqe c;

	sqe_init(&c, opc, 9, nsid);
	c.dw[6] = (u32)buf;
	c.dw[7] = (u32)(buf >> 32);
	c.dw[10] = dw10;
	c.dw[11] = dw11;
	return th_admin(t, &c, dw0);
}

static u8 pat(u32 seed, u32 i)
{
	u32 x = seed * 2654435761u + i * 40503u;

	return (u8)(x ^ (x >> 13) ^ (x >> 7));
}

static void fill(u64 buf, u32 seed, u32 n)
{
	u8 *p = host_ptr(buf);
	u32 i;

	for (i = 0; i < n; i++)
		p[i] = pat(seed, i);
}

static bool is_pat(u64 buf, u32 seed, u32 n)
{
	const u8 *p = host_ptr(buf);
	u32 i;

	for (i = 0; i < n; i++)
		if (p[i] != pat(seed, i))
			return false;
	return true;
}

/* Identify CNS 05h for CSI 01h: KVF0's maximum value length and key count */
static void kv_limits(struct th *t, u32 *vml, u32 *mnk)
{
	u64 buf = host_alloc(4096);

	CHECK_EQ(admin(t, NVME_ADMIN_IDENTIFY, 1, NVME_CNS_CS_NS, (u32)NVME_CSI_KV << 24, buf,
		       NULL), 0);
	*vml = nvme_get32(host_ptr(buf), 76);
	*mnk = nvme_get32(host_ptr(buf), 80);
}

static u64 kv_nuse(struct th *t)
{
	u64 buf = host_alloc(4096);

	CHECK_EQ(admin(t, NVME_ADMIN_IDENTIFY, 1, NVME_CNS_CS_NS, (u32)NVME_CSI_KV << 24, buf,
		       NULL), 0);
	return nvme_get64(host_ptr(buf), 16);
}

UNIT_TEST(kv_identify_and_effects)
{
	struct th t;
	u64 buf;
	u8 *p;

	setup(&t, 16 * MiB);
	buf = host_alloc(4096);
	p = host_ptr(buf);
	CHECK_EQ(admin(&t, NVME_ADMIN_IDENTIFY, 1, NVME_CNS_CS_NS, (u32)NVME_CSI_KV << 24, buf,
		       NULL), 0);
	CHECK_EQ(nvme_get64(p, 0), 16 * MiB);		/* NSZE in bytes */
	CHECK(nvme_get64(p, 16) > 0 && nvme_get64(p, 16) < MiB);	/* NUSE: the index */
	CHECK_EQ(p[25], 0);				/* one KV format */
	CHECK_EQ(nvme_get16(p, 72), 16);		/* KML */
	CHECK_EQ(nvme_get32(p, 76), 2 * MiB);		/* VML */
	CHECK_EQ(nvme_get32(p, 80), 16 * MiB / 4096);	/* MNK */
	/* the KV namespace is not an NVM one, and the NVM one not a KV one */
	CHECK_EQ(admin(&t, NVME_ADMIN_IDENTIFY, 1, NVME_CNS_CS_NS, 0, buf, NULL),
		 NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(admin(&t, NVME_ADMIN_IDENTIFY, 2, NVME_CNS_CS_NS, (u32)NVME_CSI_KV << 24, buf,
		       NULL), NVME_SC_INVALID_FIELD | DNR);
	/* CNS 08h: ready; CNS 03h: CSI 01h */
	CHECK_EQ(admin(&t, NVME_ADMIN_IDENTIFY, 1, NVME_CNS_NS_CS_INDEP, 0, buf, NULL), 0);
	CHECK_EQ(p[14] & 1, 1);
	CHECK_EQ(admin(&t, NVME_ADMIN_IDENTIFY, 1, NVME_CNS_NS_DESC_LIST, 0, buf, NULL), 0);
	CHECK_EQ(p[52], NVME_NIDT_CSI);
	CHECK_EQ(p[56], NVME_CSI_KV);
	/* CNS 00h holds nothing for it; the KV list of active namespaces is NSID 1 */
	CHECK_EQ(admin(&t, NVME_ADMIN_IDENTIFY, 1, NVME_CNS_NS, 0, buf, NULL), 0);
	CHECK_EQ(nvme_get64(p, 0), 0);
	CHECK_EQ(admin(&t, NVME_ADMIN_IDENTIFY, 0, NVME_CNS_CS_NS_ACTIVE_LIST,
		       (u32)NVME_CSI_KV << 24, buf, NULL), 0);
	CHECK_EQ(nvme_get32(p, 0), 1);
	CHECK_EQ(nvme_get32(p, 4), 0);
	/* the effects log for CSI 01h */
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_LOG_PAGE, 0, NVME_LOG_CMD_EFFECTS | (1023u << 16), 0,
		       buf, NULL), 0);
	{
		struct nvme_sqe c;

		sqe_init(&c, NVME_ADMIN_GET_LOG_PAGE, 9, 0);
		c.dw[6] = (u32)buf;
		c.dw[7] = (u32)(buf >> 32);
		c.dw[10] = NVME_LOG_CMD_EFFECTS | (1023u << 16);
		c.dw[14] = (u32)NVME_CSI_KV << 24;
		CHECK_EQ(th_admin(&t, &c, NULL), 0);
	}
	CHECK_EQ(nvme_get32(p, 1024 + NVME_KV_STORE * 4), NVME_CSE_CSUPP | NVME_CSE_LBCC);
	CHECK_EQ(nvme_get32(p, 1024 + NVME_KV_RETRIEVE * 4), NVME_CSE_CSUPP);
	CHECK_EQ(nvme_get32(p, 1024 + NVME_KV_LIST * 4), NVME_CSE_CSUPP);
	CHECK_EQ(nvme_get32(p, 1024 + NVME_KV_DELETE * 4), NVME_CSE_CSUPP | NVME_CSE_LBCC);
	CHECK_EQ(nvme_get32(p, 1024 + NVME_KV_EXIST * 4), NVME_CSE_CSUPP);
	CHECK_EQ(nvme_get32(p, 1024 + 0x7d * 4), 0);
	th_fini(&t);
}

UNIT_TEST(kv_key_sizes)
{
	u8 key[17] = "0123456789abcdef";
	struct th t;
	u64 buf, rbuf;
	u32 kl, dw0;

	setup(&t, 4 * MiB);
	buf = host_alloc(4096);
	rbuf = host_alloc(4096);
	for (kl = 1; kl <= 16; kl++) {
		fill(buf, kl, 100 + kl);
		CHECK_EQ(store(&t, key, kl, 0, buf, 100 + kl), 0);
	}
	/* each length is its own key: "0" and "01" differ */
	for (kl = 1; kl <= 16; kl++) {
		memset(host_ptr(rbuf), 0, 4096);
		dw0 = 0;
		CHECK_EQ(retrieve(&t, key, kl, rbuf, 4096, &dw0), 0);
		CHECK_EQ(dw0, 100 + kl);
		CHECK(is_pat(rbuf, kl, 100 + kl));
		CHECK_EQ(exist(&t, key, kl), 0);
	}
	/* 0 and 17 bytes: Invalid Key Size, for every command that takes a key */
	CHECK_EQ(store(&t, key, 0, 0, buf, 10), NVME_SC_KV_INVALID_KEY_SIZE | DNR);
	CHECK_EQ(store(&t, key, 17, 0, buf, 10), NVME_SC_KV_INVALID_KEY_SIZE | DNR);
	CHECK_EQ(retrieve(&t, key, 17, rbuf, 10, NULL), NVME_SC_KV_INVALID_KEY_SIZE | DNR);
	CHECK_EQ(retrieve(&t, key, 0, rbuf, 10, NULL), NVME_SC_KV_INVALID_KEY_SIZE | DNR);
	CHECK_EQ(del(&t, key, 17), NVME_SC_KV_INVALID_KEY_SIZE | DNR);
	CHECK_EQ(exist(&t, key, 0), NVME_SC_KV_INVALID_KEY_SIZE | DNR);
	CHECK_EQ(kv_cmd(&t, NVME_KV_LIST, 1, key, 17, 0, 4096, rbuf, NULL),
		 NVME_SC_KV_INVALID_KEY_SIZE | DNR);
	/* the key bytes past the length do not count */
	key[3] = 'X';
	CHECK_EQ(exist(&t, key, 3), 0);
	th_fini(&t);
}

UNIT_TEST(kv_value_sizes)
{
	u8 key[4] = "val";
	struct th t;
	u64 buf, rbuf;
	u32 vml, mnk, dw0;

	setup(&t, 16 * MiB);
	kv_limits(&t, &vml, &mnk);
	CHECK_EQ(vml, 2 * MiB);
	buf = host_alloc(vml + 4096);
	rbuf = host_alloc(vml + 4096);
	/* 0 bytes: a key without a value */
	CHECK_EQ(store(&t, key, 3, 0, 0, 0), 0);
	dw0 = 99;
	CHECK_EQ(retrieve(&t, key, 3, rbuf, 4096, &dw0), 0);
	CHECK_EQ(dw0, 0);
	/* 1 byte */
	fill(buf, 1, 1);
	CHECK_EQ(store(&t, key, 3, 0, buf, 1), 0);
	memset(host_ptr(rbuf), 0xee, 16);
	CHECK_EQ(retrieve(&t, key, 3, rbuf, 4096, &dw0), 0);
	CHECK_EQ(dw0, 1);
	CHECK(is_pat(rbuf, 1, 1));
	CHECK_EQ(((u8 *)host_ptr(rbuf))[1], 0xee);	/* nothing past the value */
	/* the largest value, and one byte more */
	fill(buf, 7, vml);
	CHECK_EQ(store(&t, key, 3, 0, buf, vml), 0);
	memset(host_ptr(rbuf), 0, vml);
	CHECK_EQ(retrieve(&t, key, 3, rbuf, vml, &dw0), 0);
	CHECK_EQ(dw0, vml);
	CHECK(is_pat(rbuf, 7, vml));
	CHECK_EQ(store(&t, key, 3, 0, buf, vml + 1), NVME_SC_KV_INVALID_VALUE_SIZE | DNR);
	/* a refused store keeps the old value */
	CHECK_EQ(retrieve(&t, key, 3, rbuf, vml, &dw0), 0);
	CHECK_EQ(dw0, vml);
	/* a short buffer: what fits, and the whole size in DW0 */
	memset(host_ptr(rbuf), 0xee, 4096);
	CHECK_EQ(retrieve(&t, key, 3, rbuf, 1000, &dw0), 0);
	CHECK_EQ(dw0, vml);
	CHECK(is_pat(rbuf, 7, 1000));
	CHECK_EQ(((u8 *)host_ptr(rbuf))[1000], 0xee);
	/* a buffer above the largest transfer */
	CHECK_EQ(retrieve(&t, key, 3, 0, 2 * MiB + 4096, NULL), NVME_SC_INVALID_FIELD | DNR);
	/* a buffer of 0: only the size */
	CHECK_EQ(retrieve(&t, key, 3, 0, 0, &dw0), 0);
	CHECK_EQ(dw0, vml);
	/* a store whose data cannot be read keeps the old value */
	{
		struct nvme_sqe c;

		sqe_init(&c, NVME_KV_STORE, 77, 1);
		put_key(&c, key, 3);
		c.dw[10] = 4096;
		c.dw[6] = 0x1000;	/* not host memory */
		CHECK_EQ(th_io(&t, 1, &c) & 0x7ff, NVME_SC_DATA_XFER_ERROR);
	}
	CHECK_EQ(retrieve(&t, key, 3, rbuf, vml, &dw0), 0);
	CHECK_EQ(dw0, vml);
	CHECK(is_pat(rbuf, 7, vml));
	th_fini(&t);
}

UNIT_TEST(kv_store_options_and_fields)
{
	u8 key[4] = "opt";
	struct th t;
	u64 buf;
	u32 dw0;
	struct nvme_sqe c;

	setup(&t, 4 * MiB);
	buf = host_alloc(4096);
	fill(buf, 3, 64);
	/* only if it exists: missing */
	CHECK_EQ(store(&t, key, 3, NVME_KV_STORE_IF_EXISTS, buf, 64),
		 NVME_SC_KV_KEY_NOT_EXIST | DNR);
	CHECK_EQ(exist(&t, key, 3), NVME_SC_KV_KEY_NOT_EXIST | DNR);
	/* only if it does not exist: stores, then refuses */
	CHECK_EQ(store(&t, key, 3, NVME_KV_STORE_IF_NOT_EXISTS, buf, 64), 0);
	CHECK_EQ(store(&t, key, 3, NVME_KV_STORE_IF_NOT_EXISTS, buf, 32),
		 NVME_SC_KV_KEY_EXISTS | DNR);
	CHECK_EQ(store(&t, key, 3, NVME_KV_STORE_IF_EXISTS | NVME_KV_STORE_NO_COMPRESS, buf, 32), 0);
	CHECK_EQ(retrieve(&t, key, 3, buf, 4096, &dw0), 0);
	CHECK_EQ(dw0, 32);
	/* both at once, an unknown option, reserved dwords */
	CHECK_EQ(store(&t, key, 3, NVME_KV_STORE_IF_EXISTS | NVME_KV_STORE_IF_NOT_EXISTS, buf, 8),
		 NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(store(&t, key, 3, 0x08, buf, 8), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(kv_cmd(&t, NVME_KV_RETRIEVE, 1, key, 3, NVME_KV_RETRIEVE_RAW, 64, buf, &dw0), 0);
	CHECK_EQ(kv_cmd(&t, NVME_KV_RETRIEVE, 1, key, 3, 0x02, 64, buf, NULL),
		 NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(kv_cmd(&t, NVME_KV_DELETE, 1, key, 3, 0x01, 0, 0, NULL),
		 NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(kv_cmd(&t, NVME_KV_EXIST, 1, key, 3, 0x01, 0, 0, NULL),
		 NVME_SC_INVALID_FIELD | DNR);
	for (u32 dw = 12; dw <= 13; dw++) {
		sqe_init(&c, NVME_KV_EXIST, 50 + dw, 1);
		put_key(&c, key, 3);
		c.dw[dw] = 1;
		CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_FIELD | DNR);
	}
	sqe_init(&c, NVME_KV_EXIST, 60, 1);
	put_key(&c, key, 3);
	c.dw[11] |= 1u << 16;
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_FIELD | DNR);
	/* an opcode of no KV command, a fused one, an NVM read on the KV namespace */
	CHECK_EQ(kv_cmd(&t, 0x03, 1, key, 3, 0, 0, 0, NULL), NVME_SC_INVALID_OPCODE | DNR);
	CHECK_EQ(kv_cmd(&t, NVME_CMD_READ, 1, key, 3, 0, 0, 0, NULL), 0);	/* 02h is Retrieve */
	sqe_init(&c, NVME_KV_EXIST, 61, 1);
	put_key(&c, key, 3);
	c.dw[0] |= 1u << 8;
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_FIELD | DNR);
	/* the broadcast NSID, an inactive NSID */
	CHECK_EQ(kv_cmd(&t, NVME_KV_EXIST, 0xffffffff, key, 3, 0, 0, 0, NULL),
		 NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(kv_cmd(&t, NVME_KV_EXIST, 3, key, 3, 0, 0, 0, NULL), NVME_SC_INVALID_NS | DNR);
	/* the NVM namespace beside it still reads and writes */
	{
		struct nvme_sqe w;

		sqe_rw(&w, NVME_CMD_WRITE, 0, 1, buf);
		w.dw[1] = 2;
		CHECK_EQ(th_io(&t, 1, &w), 0);
	}
	th_fini(&t);
}

UNIT_TEST(kv_delete_exist_and_feature)
{
	u8 key[4] = "del";
	struct th t;
	u64 buf;
	u32 dw0;

	setup(&t, 4 * MiB);
	buf = host_alloc(4096);
	CHECK_EQ(store(&t, key, 3, 0, buf, 100), 0);
	CHECK_EQ(exist(&t, key, 3), 0);
	CHECK_EQ(del(&t, key, 3), 0);
	CHECK_EQ(exist(&t, key, 3), NVME_SC_KV_KEY_NOT_EXIST | DNR);
	CHECK_EQ(retrieve(&t, key, 3, buf, 100, NULL), NVME_SC_KV_KEY_NOT_EXIST | DNR);
	/* deleting a missing key succeeds until EDNEK is set */
	CHECK_EQ(del(&t, key, 3), 0);
	dw0 = 7;
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_FEATURES, 1, NVME_FEAT_KV_CONFIG, 0, 0, &dw0), 0);
	CHECK_EQ(dw0, 0);
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_FEATURES, 1, NVME_FEAT_KV_CONFIG | (3u << 8), 0, 0, &dw0),
		 0);
	CHECK_EQ(dw0, 6);			/* namespace specific, changeable */
	CHECK_EQ(admin(&t, NVME_ADMIN_SET_FEATURES, 1, NVME_FEAT_KV_CONFIG, NVME_KV_CONFIG_EDNEK,
		       0, NULL), 0);
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_FEATURES, 1, NVME_FEAT_KV_CONFIG, 0, 0, &dw0), 0);
	CHECK_EQ(dw0, 1);
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_FEATURES, 1, NVME_FEAT_KV_CONFIG | (1u << 8), 0, 0, &dw0),
		 0);
	CHECK_EQ(dw0, 0);			/* the default */
	CHECK_EQ(del(&t, key, 3), NVME_SC_KV_KEY_NOT_EXIST | DNR);
	/* reserved bits, saving, the NVM namespace, no namespace */
	CHECK_EQ(admin(&t, NVME_ADMIN_SET_FEATURES, 1, NVME_FEAT_KV_CONFIG, 2, 0, NULL),
		 NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(admin(&t, NVME_ADMIN_SET_FEATURES, 1, NVME_FEAT_KV_CONFIG | (1u << 31), 1, 0, NULL),
		 NVME_SC_FEATURE_NOT_SAVEABLE | DNR);
	CHECK_EQ(admin(&t, NVME_ADMIN_SET_FEATURES, 2, NVME_FEAT_KV_CONFIG, 1, 0, NULL),
		 NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(admin(&t, NVME_ADMIN_GET_FEATURES, 0, NVME_FEAT_KV_CONFIG, 0, 0, &dw0),
		 NVME_SC_INVALID_FIELD | DNR);
	/* a controller reset clears it */
	nvmev_ctrl_reset(t.c);
	CHECK_EQ(t.c->ns[0].cs_feature, 0);
	th_fini(&t);
}

/* ---- a model of what the namespace should hold ---- */

#define NK 600

struct mkey {
	u8 key[16];
	u8 len;
	bool present;
	u32 vsize;
	u32 seed;
};

static int mkey_cmp(const void *a, const void *b)
{
	const struct mkey *x = *(const struct mkey *const *)a, *y = *(const struct mkey *const *)b;
	int r = memcmp(x->key, y->key, NVMEV_MIN(x->len, y->len));

	return r ? r : (int)x->len - (int)y->len;
}

static u32 rnd_state = 12345;

static u32 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/*
 * Every key of the namespace, by List, against the model: 512-byte lists,
 * each restarted from the last key the one before returned (which, being
 * the start key, comes back first).
 */
static void check_list(struct th *t, struct mkey *m, u32 n)
{
	struct mkey *sorted[NK];
	u64 buf = host_alloc(4096);
	u8 start[16] = { 0 };
	u32 ns = 0, i, got = 0, slen = 0, rounds;

	for (i = 0; i < n; i++)
		if (m[i].present)
			sorted[ns++] = &m[i];
	qsort(sorted, ns, sizeof(sorted[0]), mkey_cmp);
	for (rounds = 0; rounds < NK; rounds++) {
		const u8 *p = host_ptr(buf);
		u32 cnt, pos = 4, k, dw0 = 0, skip = rounds ? 1 : 0;

		memset(host_ptr(buf), 0xee, 4096);
		CHECK_EQ(kv_cmd(t, NVME_KV_LIST, 1, start, slen, 0, 512, buf, &dw0), 0);
		cnt = nvme_get32(p, 0);
		CHECK_EQ(dw0, cnt);
		for (k = 0; k < cnt; k++) {
			u32 len = nvme_get16(p, pos);

			if (k < skip) {
				CHECK(len == slen && !memcmp(p + pos + 2, start, len));
			} else {
				if (got >= ns || len != sorted[got]->len ||
				    memcmp(p + pos + 2, sorted[got]->key, len)) {
					CHECK(!"list order");
					return;
				}
				got++;
			}
			memcpy(start, p + pos + 2, len);
			slen = len;
			pos += (2 + len + 3) & ~3u;
		}
		if (cnt <= skip)
			break;
	}
	CHECK_EQ(got, ns);
}

UNIT_TEST(kv_churn_against_a_model)
{
	static struct mkey m[NK];
	struct th t;
	u64 buf, rbuf, base;
	u32 i, round, dw0;

	setup(&t, 8 * MiB);
	buf = host_alloc(16384);
	rbuf = host_alloc(16384);
	base = kv_nuse(&t);
	rnd_state = 12345;
	for (i = 0; i < NK; i++) {
		m[i].len = (u8)(1 + rnd() % 16);
		for (u32 j = 0; j < m[i].len; j++)
			m[i].key[j] = (u8)(rnd() % 4 + 'a');	/* shared prefixes */
		m[i].key[0] = (u8)i;
		m[i].key[1 % m[i].len] ^= (u8)(i >> 8);
	}
	/* the keys must be distinct for the model: make them so */
	for (i = 0; i < NK; i++) {
		m[i].len = NVMEV_MAX(m[i].len, (u8)2);
		m[i].key[0] = (u8)(i & 0xff);
		m[i].key[1] = (u8)(i >> 8) | 0x40;
	}
	for (round = 0; round < 6000; round++) {
		struct mkey *k = &m[rnd() % NK];
		u32 op = rnd() % 10;

		if (op < 5) {
			k->vsize = rnd() % 3 ? rnd() % 700 : rnd() % 16384;
			k->seed = rnd();
			fill(buf, k->seed, k->vsize);
			CHECK_EQ(store(&t, k->key, k->len, 0, buf, k->vsize), 0);
			k->present = true;
		} else if (op < 8) {
			CHECK_EQ(del(&t, k->key, k->len), 0);
			k->present = false;
		} else {
			u16 st = retrieve(&t, k->key, k->len, rbuf, 16384, &dw0);

			if (k->present) {
				CHECK_EQ(st, 0);
				CHECK_EQ(dw0, k->vsize);
				CHECK(is_pat(rbuf, k->seed, k->vsize));
			} else {
				CHECK_EQ(st, NVME_SC_KV_KEY_NOT_EXIST | DNR);
			}
		}
		if (round % 1500 == 1499)
			check_list(&t, m, NK);
	}
	/* every key as the model says */
	for (i = 0; i < NK; i++) {
		u16 st = retrieve(&t, m[i].key, m[i].len, rbuf, 16384, &dw0);

		CHECK_EQ(st, m[i].present ? 0 : NVME_SC_KV_KEY_NOT_EXIST | DNR);
		if (m[i].present) {
			CHECK_EQ(dw0, m[i].vsize);
			CHECK(is_pat(rbuf, m[i].seed, m[i].vsize));
		}
	}
	check_list(&t, m, NK);
	/* all deleted: no block and no entry leaks, the space is back */
	for (i = 0; i < NK; i++)
		CHECK_EQ(del(&t, m[i].key, m[i].len), 0);
	CHECK_EQ(kv_nuse(&t), base);
	{
		u64 lbuf = host_alloc(4096);
		u8 none[1];

		CHECK_EQ(kv_cmd(&t, NVME_KV_LIST, 1, none, 0, 0, 4096, lbuf, &dw0), 0);
		CHECK_EQ(nvme_get32(host_ptr(lbuf), 0), 0);
	}
	th_fini(&t);
}

UNIT_TEST(kv_list_order_and_restart)
{
	const char *keys[] = { "b", "a", "ab", "abc", "c", "aa", "b\x01", "zzzzzzzzzzzzzzzz" };
	const char *order[] = { "a", "aa", "ab", "abc", "b", "b\x01", "c", "zzzzzzzzzzzzzzzz" };
	struct th t;
	u64 buf;
	const u8 *p;
	u32 i, dw0, pos;

	setup(&t, 4 * MiB);
	buf = host_alloc(4096);
	p = host_ptr(buf);
	for (i = 0; i < 8; i++)
		CHECK_EQ(store(&t, (const u8 *)keys[i], (u32)strlen(keys[i]), 0, 0, 0), 0);
	CHECK_EQ(kv_cmd(&t, NVME_KV_LIST, 1, (const u8 *)"", 0, 0, 4096, buf, &dw0), 0);
	CHECK_EQ(dw0, 8);
	CHECK_EQ(nvme_get32(p, 0), 8);
	for (i = 0, pos = 4; i < 8; i++) {
		u32 len = nvme_get16(p, pos);

		CHECK_EQ(len, strlen(order[i]));
		CHECK(!memcmp(p + pos + 2, order[i], len));
		pos += (2 + len + 3) & ~3u;
	}
	/* from a key that is there, and from one between two */
	CHECK_EQ(kv_cmd(&t, NVME_KV_LIST, 1, (const u8 *)"ab", 2, 0, 4096, buf, &dw0), 0);
	CHECK_EQ(dw0, 6);
	CHECK(!memcmp(p + 6, "ab", 2));
	CHECK_EQ(kv_cmd(&t, NVME_KV_LIST, 1, (const u8 *)"abd", 3, 0, 4096, buf, &dw0), 0);
	CHECK_EQ(dw0, 4);
	CHECK(!memcmp(p + 6, "b", 1));
	CHECK_EQ(kv_cmd(&t, NVME_KV_LIST, 1, (const u8 *)"zzzzzzzzzzzzzzzz\x01", 16, 0, 4096, buf,
			&dw0), 0);
	CHECK_EQ(dw0, 1);
	/* a buffer for two keys: two, padded to 4 bytes each */
	memset(host_ptr(buf), 0xee, 64);
	CHECK_EQ(kv_cmd(&t, NVME_KV_LIST, 1, (const u8 *)"", 0, 0, 4 + 4 + 4, buf, &dw0), 0);
	CHECK_EQ(dw0, 2);
	CHECK_EQ(nvme_get16(p, 8), 2);		/* "aa" after "a" and its padding */
	CHECK_EQ(p[12], 0xee);			/* nothing past the buffer */
	/* a buffer too small for the count gets what fits of it */
	CHECK_EQ(kv_cmd(&t, NVME_KV_LIST, 1, (const u8 *)"", 0, 0, 2, buf, &dw0), 0);
	CHECK_EQ(dw0, 0);
	th_fini(&t);
}

UNIT_TEST(kv_fill_to_key_limit)
{
	struct th t;
	u32 vml, mnk, i;
	u8 key[8];

	setup(&t, 1 * MiB);
	kv_limits(&t, &vml, &mnk);
	CHECK_EQ(mnk, 256);
	for (i = 0; i < mnk; i++) {
		memcpy(key, &i, 4);
		CHECK_EQ(store(&t, key, 4, 0, 0, 0), 0);
	}
	i = mnk;
	memcpy(key, &i, 4);
	CHECK_EQ(store(&t, key, 4, 0, 0, 0), NVME_SC_CAP_EXCEEDED | DNR);
	/* a key that is there can still be overwritten */
	i = 5;
	memcpy(key, &i, 4);
	CHECK_EQ(store(&t, key, 4, 0, 0, 0), 0);
	/* one out, one in */
	CHECK_EQ(del(&t, key, 4), 0);
	i = mnk + 1;
	memcpy(key, &i, 4);
	CHECK_EQ(store(&t, key, 4, 0, 0, 0), 0);
	i = mnk + 2;
	memcpy(key, &i, 4);
	CHECK_EQ(store(&t, key, 4, 0, 0, 0), NVME_SC_CAP_EXCEEDED | DNR);
	th_fini(&t);
}

UNIT_TEST(kv_fill_to_byte_limit)
{
	struct th t;
	u64 buf, nuse0, total, tail;
	u32 vml, mnk, i, n, small, again;
	struct nvmev_ns_usage u;
	u8 key[4];

	setup(&t, 16 * MiB);
	kv_limits(&t, &vml, &mnk);
	buf = host_alloc(vml);
	nuse0 = kv_nuse(&t);
	t.c->ns[0].cmd_set->usage(&t.c->ns[0], &u);
	total = u.free_bytes;			/* the value area */
	CHECK(total > 15 * MiB && total < 16 * MiB);
	CHECK_EQ(u.items, 0);
	CHECK_EQ(u.max_items, mnk);
	for (n = 0; n < 100; n++) {
		memcpy(key, &n, 4);
		if (store(&t, key, 4, 0, buf, vml))
			break;
	}
	CHECK_EQ(n, total / vml);		/* the largest values: every whole 2 MiB */
	memcpy(key, &n, 4);
	CHECK_EQ(store(&t, key, 4, 0, buf, vml), NVME_SC_CAP_EXCEEDED | DNR);
	CHECK_EQ(exist(&t, key, 4), NVME_SC_KV_KEY_NOT_EXIST | DNR);	/* nothing half-stored */
	t.c->ns[0].cmd_set->usage(&t.c->ns[0], &u);
	CHECK_EQ(u.items, n);
	CHECK_EQ(u.used_bytes, (u64)n * vml);
	tail = total - (u64)n * vml;
	CHECK_EQ(u.free_bytes, tail);
	/* 4 KiB values fill the rest: the tail's blocks, all but the last 4 KiB */
	for (small = 0; small < 1000; small++) {
		u32 k = 5000 + small;

		memcpy(key, &k, 4);
		if (store(&t, key, 4, 0, buf, 4096))
			break;
	}
	CHECK(small * 4096ull <= tail && small * 4096ull + 4096 > tail);
	t.c->ns[0].cmd_set->usage(&t.c->ns[0], &u);
	CHECK(u.free_bytes < 4096);
	/* all out: the space is back, and merges into the largest blocks again */
	for (i = 0; i < n; i++) {
		memcpy(key, &i, 4);
		CHECK_EQ(del(&t, key, 4), 0);
	}
	for (i = 0; i < small; i++) {
		u32 k = 5000 + i;

		memcpy(key, &k, 4);
		CHECK_EQ(del(&t, key, 4), 0);
	}
	CHECK_EQ(kv_nuse(&t), nuse0);
	t.c->ns[0].cmd_set->usage(&t.c->ns[0], &u);
	CHECK_EQ(u.items, 0);
	CHECK_EQ(u.used_bytes, 0);
	CHECK_EQ(u.free_bytes, total);
	/* freed small blocks merge back: the same number of large values fits again */
	for (i = 0; i < 64; i++) {
		u32 k = 1000 + i;

		memcpy(key, &k, 4);
		CHECK_EQ(store(&t, key, 4, 0, buf, 512), 0);
	}
	for (i = 0; i < 64; i++) {
		u32 k = 1000 + i;

		memcpy(key, &k, 4);
		CHECK_EQ(del(&t, key, 4), 0);
	}
	for (again = 0; again < 100; again++) {
		memcpy(key, &again, 4);
		if (store(&t, key, 4, 0, buf, vml))
			break;
	}
	CHECK_EQ(again, n);
	th_fini(&t);
}

/* A damaged index: statuses say so (Internal Error), never "not found". */
UNIT_TEST(kv_damage_is_reported)
{
	struct th t;
	u64 buf;
	u8 key[4] = "abc";
	u32 *buckets;
	u32 i;

	setup(&t, 2 * MiB);
	buf = host_alloc(4096);
	CHECK_EQ(store(&t, key, 3, 0, buf, 100), 0);
	/* every bucket names an entry out of range */
	buckets = (u32 *)(t.ns_data[0] + 4096);
	for (i = 0; i < 1024; i++)
		buckets[i] = 999999;
	CHECK_EQ(exist(&t, key, 3), NVME_SC_INTERNAL | DNR);
	CHECK_EQ(retrieve(&t, key, 3, buf, 100, NULL), NVME_SC_INTERNAL | DNR);
	CHECK_EQ(del(&t, key, 3), NVME_SC_INTERNAL | DNR);
	/* a full table of another key's entry: no empty bucket to take */
	for (i = 0; i < 1024; i++)
		buckets[i] = 1;
	CHECK_EQ(store(&t, (const u8 *)"zz", 2, 0, buf, 100), NVME_SC_INTERNAL | DNR);
	/* an order past the largest block in the entry */
	for (i = 0; i < 1024; i++)
		buckets[i] = 0;
	th_fini(&t);
	setup(&t, 2 * MiB);
	CHECK_EQ(store(&t, key, 3, 0, buf, 100), 0);
	{
		u64 entry_off = 4096 + 4096;	/* 2 MiB: 512 keys, 1024 buckets */
		u8 *x = t.ns_data[0] + entry_off;

		CHECK_EQ(x[16], 3);		/* its key length */
		x[18] = 40;			/* order */
	}
	CHECK_EQ(retrieve(&t, key, 3, buf, 100, NULL), NVME_SC_INTERNAL | DNR);
	th_fini(&t);
}

UNIT_TEST(kv_image_round_trip)
{
	struct nvmev_image *img = calloc(1, sizeof(*img));
	struct th t;
	u64 buf, rbuf;
	u8 *blob;
	u64 len = 0;
	u32 i, n, dw0;
	u8 key[4];

	setup(&t, 4 * MiB);
	buf = host_alloc(8192);
	rbuf = host_alloc(8192);
	for (i = 0; i < 50; i++) {
		memcpy(key, &i, 4);
		fill(buf, i, 100 * i);
		CHECK_EQ(store(&t, key, 4, 0, buf, 100 * i), 0);
	}
	nvmev_ctrl_pause(t.c, true);
	th_run(&t);
	CHECK(nvmev_ctrl_quiesced(t.c));
	nvmev_image_save_begin(img, t.c);
	blob = malloc(img->total);
	while ((n = nvmev_image_save_read(img, blob + len, 65536)))
		len += n;
	CHECK(img->done);
	nvmev_ctrl_pause(t.c, false);
	th_fini(&t);

	/* a new device of the same layout: empty, then restored */
	setup(&t, 4 * MiB);
	i = 3;
	memcpy(key, &i, 4);
	CHECK_EQ(exist(&t, key, 4), NVME_SC_KV_KEY_NOT_EXIST | DNR);
	nvmev_ctrl_pause(t.c, true);
	th_run(&t);
	memset(img, 0, sizeof(*img));
	nvmev_image_restore_begin(img, t.c);
	CHECK_EQ(nvmev_image_restore_write(img, blob, (u32)len), 0);
	CHECK_EQ(nvmev_image_restore_end(img), 0);
	nvmev_ctrl_pause(t.c, false);
	for (i = 0; i < 50; i++) {
		memcpy(key, &i, 4);
		CHECK_EQ(retrieve(&t, key, 4, rbuf, 8192, &dw0), 0);
		CHECK_EQ(dw0, 100 * i);
		CHECK(is_pat(rbuf, i, 100 * i));
	}
	/* and it goes on working */
	i = 77;
	memcpy(key, &i, 4);
	CHECK_EQ(store(&t, key, 4, 0, buf, 10), 0);
	CHECK_EQ(kv_cmd(&t, NVME_KV_LIST, 1, key, 0, 0, 4096, rbuf, &dw0), 0);
	CHECK_EQ(dw0, 51);
	free(blob);
	free(img);
	th_fini(&t);
}

UNIT_TEST(kv_damaged_index_is_contained)
{
	struct th t;
	u64 buf;
	u32 i, dw0;
	u8 key[4];

	setup(&t, 2 * MiB);
	buf = host_alloc(4096);
	for (i = 0; i < 20; i++) {
		memcpy(key, &i, 4);
		CHECK_EQ(store(&t, key, 4, 0, buf, 600), 0);
	}
	/* scribble over the index: every command ends, with a status, inside the namespace */
	for (i = 0; i < 64 * 1024; i += 4)
		*(u32 *)(t.ns_data[0] + i) ^= 0x9e3779b9u * (i + 1);
	for (i = 0; i < 40; i++) {
		memcpy(key, &i, 4);
		(void)store(&t, key, 4, 0, buf, 600);
		(void)retrieve(&t, key, 4, buf, 4096, &dw0);
		(void)del(&t, key, 4);
		(void)kv_cmd(&t, NVME_KV_LIST, 1, key, 4, 0, 4096, buf, &dw0);
	}
	CHECK(true);
	th_fini(&t);
}

UNIT_TEST(kv_timing_by_kind)
{
	struct th t;
	struct nvmev_req req;
	struct nvmev_kv_timing *kt;

	setup(&t, 4 * MiB);
	kt = &t.kv_timing[0];
	kt->store_ns = 20000;
	kt->retrieve_ns = 15000;
	kt->exist_ns = 5000;
	kt->bandwidth_mbps = 1000;		/* 1 byte per ns */
	memset(&req, 0, sizeof(req));
	req.opcode = NVME_KV_STORE;
	req.bytes = 4000;
	CHECK_EQ(kt->base.ops->schedule(&kt->base, &req, 1000000), 1000000 + 4000 + 20000);
	/* the channel is busy with the first transfer */
	req.opcode = NVME_KV_RETRIEVE;
	CHECK_EQ(kt->base.ops->schedule(&kt->base, &req, 1000000), 1000000 + 8000 + 15000);
	req.opcode = NVME_KV_EXIST;
	req.bytes = 0;
	CHECK_EQ(kt->base.ops->schedule(&kt->base, &req, 2000000), 2000000 + 5000);
	kt->base.ops->reset(&kt->base);
	CHECK_EQ(kt->busy_until, 0);
	th_fini(&t);
}

UNIT_TEST(kv_tiny_namespace_holds_nothing)
{
	struct th t;
	u64 buf;
	u32 dw0 = 9, vml, mnk;
	u8 key[2] = "k";

	setup(&t, 32 << 10);
	buf = host_alloc(4096);
	memset(t.ns_data[0], 0x5a, 32 << 10);	/* nothing reads or writes it */
	CHECK_EQ(store(&t, key, 1, 0, 0, 0), NVME_SC_CAP_EXCEEDED | DNR);
	CHECK_EQ(store(&t, key, 1, 0, buf, 10), NVME_SC_KV_INVALID_VALUE_SIZE | DNR);
	CHECK_EQ(retrieve(&t, key, 1, buf, 10, NULL), NVME_SC_KV_KEY_NOT_EXIST | DNR);
	CHECK_EQ(exist(&t, key, 1), NVME_SC_KV_KEY_NOT_EXIST | DNR);
	CHECK_EQ(del(&t, key, 1), 0);
	memset(host_ptr(buf), 0xee, 8);
	CHECK_EQ(kv_cmd(&t, NVME_KV_LIST, 1, key, 0, 0, 4096, buf, &dw0), 0);
	CHECK_EQ(nvme_get32(host_ptr(buf), 0), 0);
	kv_limits(&t, &vml, &mnk);
	CHECK_EQ(vml, 0);
	CHECK_EQ(mnk, 0);
	for (u32 i = 0; i < (32 << 10); i++)
		if (t.ns_data[0][i] != 0x5a) {
			CHECK(!"the namespace was touched");
			break;
		}
	th_fini(&t);
}
