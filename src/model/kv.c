// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Key Value command set (CSI 01h): Store, Retrieve, Delete, Exist and
 * List, with its Identify structures and its feature. The dispatcher
 * checks each command's fields (kv_decode); a worker runs it against the
 * namespace's index (kv_execute), one command of a namespace at a time.
 *
 * Everything a KV namespace holds lives in its own extent of the storage,
 * so that it travels in the namespace image with the data. The layout, in
 * host byte order (the module is x86_64 only), follows from the size:
 *
 *   header (4 KiB)   counters, the tree's root, the allocators' state
 *   buckets          open addressing with linear probing: entry numbers
 *                    (0 = empty), at most 3/4 full, deletion by backward
 *                    shift (no tombstones, so no slow-down after deletes)
 *   entries          64 bytes per key: the key, the value's size and
 *                    block, an AVL tree in key order (List), the hash
 *   order map        a byte per 512-byte unit of the value area: the
 *                    order of the free block that starts there
 *   values           a buddy allocator of blocks of 2^k units, up to the
 *                    largest value: a value wastes less than half its
 *                    block, freed blocks merge with their buddies
 *
 * A new namespace is all deallocated, and a deallocated block of it is
 * zeroes: each block is zeroed when the index first touches it (so a new
 * namespace costs nothing to format), and zeroes are an empty index.
 * Every number read from the extent is checked before it is used, so a
 * damaged image gives errors, never an access outside the namespace.
 */
#include "ctrl.h"
#include "prp.h"
#include "kv.h"


#define NVME_DNR(sc)	((u16)((sc) | NVME_STATUS_DNR))
#define KV_DEPTH	64	/* an AVL tree of 2^32 entries is at most 46 high */
#define KV_FREE		0x80	/* order map: a free block of order (low bits) starts here */
#define KV_HDR_SIZE	4096u
#define KV_MIN_SIZE	(64u << 10)	/* a smaller namespace holds no key */

struct kv_hdr {
	u32 nr_keys;
	u32 root;		/* entry number; 0: empty tree */
	u64 used_bytes;		/* sum of the value sizes */
	u64 alloc_units;	/* units in allocated blocks */
	u32 next_entry;		/* entries 1..next_entry were ever used */
	u32 free_entry;		/* free entries, linked through .right */
	u32 next_top;		/* top-order blocks 0..next_top-1 were ever used */
	u32 tail_done;		/* the units after the top-order blocks are on the free lists */
	u32 free_head[NVMEV_KV_MAX_ORDER + 1];	/* free blocks: first unit + 1 */
};

struct kv_entry {
	u8 key[NVMEV_KV_MAX_KEY];
	u8 klen;
	u8 height;		/* of its subtree; 1 for a leaf */
	u8 order;		/* of the value's block */
	u8 rsvd0;
	u32 vsize;
	u32 vunit;		/* first unit of the value's block + 1; 0: no block */
	u32 left;
	u32 right;
	u32 parent;
	u32 hash;
	u32 rsvd1[5];
};

/* A free block's links, in its first bytes: first units + 1 */
struct kv_free {
	u32 next;
	u32 prev;
};

/* Where everything is, from the namespace's size alone. */
struct kv_geo {
	u64 bucket_off;
	u64 entry_off;
	u64 map_off;
	u64 val_off;
	u32 nbuckets;		/* a power of two */
	u32 nentries;		/* the most keys */
	u32 nunits;
	u32 top_order;		/* largest block: 2^top_order units */
	u32 ntops;		/* blocks of the top order in the value area */
};

struct kv {
	struct nvmev_ns *ns;
	struct kv_geo g;
	struct kv_hdr *h;
	bool bad;		/* a damaged index was seen */
};

static u64 align4k(u64 v)
{
	return (v + 4095) & ~4095ull;
}

static void kv_geometry(u64 size, struct kv_geo *g)
{
	u64 n = size / NVMEV_KV_BYTES_PER_KEY, b = 16, rest;

	memset(g, 0, sizeof(*g));
	if (size < KV_MIN_SIZE)
		return;		/* no index: nbuckets 0 */
	n = NVMEV_MAX(n, 16ull);
	n = NVMEV_MIN(n, 1ull << 28);
	while (b < n + n / 3)
		b <<= 1;
	g->nentries = (u32)n;
	g->nbuckets = (u32)b;
	g->bucket_off = KV_HDR_SIZE;
	g->entry_off = align4k(g->bucket_off + b * 4);
	g->map_off = align4k(g->entry_off + n * sizeof(struct kv_entry));
	if (size < g->map_off + 2 * 4096) {
		g->val_off = size;
		return;
	}
	rest = size - g->map_off;
	n = rest / ((1u << NVMEV_KV_UNIT_SHIFT) + 1);
	g->val_off = align4k(g->map_off + n);
	if (g->val_off >= size)
		return;
	n = NVMEV_MIN(n, (size - g->val_off) >> NVMEV_KV_UNIT_SHIFT);
	n = NVMEV_MIN(n, 0xfffffffeull);
	g->nunits = (u32)n;
	while (g->top_order < NVMEV_KV_MAX_ORDER && (2ull << g->top_order) <= n)
		g->top_order++;
	g->ntops = n ? (u32)(n >> g->top_order) : 0;
}

/* The largest value: the top block, at most the largest transfer. */
static u32 kv_max_value(const struct kv_geo *g)
{
	if (!g->ntops)
		return 0;
	return (u32)NVMEV_MIN((u64)NVMEV_MAX_XFER, (u64)1 << (g->top_order + NVMEV_KV_UNIT_SHIFT));
}

/* ---- The extent: blocks are zeroed the first time the index touches them ---- */

static u8 *kv_touch(struct kv *kv, u64 off, u64 len)
{
	struct nvmev_ns *ns = kv->ns;
	u32 shift = ns->lba_shift;
	u64 first = off >> shift, last = (off + len - 1) >> shift, b;

	if (!len)
		return ns->data + off;
	for (b = first; b <= last; b++) {
		u64 w = NVMEV_READ_ONCE(ns->dealloc[b / 64]);

		if (!w) {		/* skip a word with nothing to zero */
			b |= 63;
			continue;
		}
		if ((w >> (b % 64)) & 1) {
			memset(ns->data + (b << shift), 0, 1u << shift);
			nvmev_atomic_andnot64(&ns->dealloc[b / 64], 1ull << (b % 64));
		}
	}
	return ns->data + off;
}

static struct kv_entry *ent(struct kv *kv, u32 e)
{
	if (!e || e > kv->g.nentries) {
		if (e)
			kv->bad = true;	/* never cleared: a damaged index stays reported */
		return NULL;
	}
	return (struct kv_entry *)kv_touch(kv, kv->g.entry_off + (u64)(e - 1) * sizeof(struct kv_entry),
					   sizeof(struct kv_entry));
}

static u32 *bucket(struct kv *kv, u32 i)
{
	return (u32 *)kv_touch(kv, kv->g.bucket_off + (u64)i * 4, 4);
}

static u8 *order_map(struct kv *kv, u32 u)
{
	return kv_touch(kv, kv->g.map_off + u, 1);
}

static u64 unit_off(const struct kv *kv, u32 u)
{
	return kv->g.val_off + ((u64)u << NVMEV_KV_UNIT_SHIFT);
}

static struct kv_free *free_node(struct kv *kv, u32 u)
{
	return (struct kv_free *)kv_touch(kv, unit_off(kv, u), sizeof(struct kv_free));
}

static void kv_open(struct kv *kv, struct nvmev_ns *ns)
{
	kv->ns = ns;
	kv->bad = false;
	kv_geometry(ns->size, &kv->g);
	kv->h = (struct kv_hdr *)kv_touch(kv, 0, sizeof(struct kv_hdr));
}

/* ---- The buddy allocator of the value area ---- */

static bool unit_ok(struct kv *kv, u32 u1, u32 order)
{
	/* a link (first unit + 1) to a block of @order inside the area */
	if (!u1 || order > kv->g.top_order || (u64)u1 - 1 + (1u << order) > kv->g.nunits ||
	    ((u1 - 1) & ((1u << order) - 1))) {
		kv->bad = true;
		return false;
	}
	return true;
}

static void free_push(struct kv *kv, u32 order, u32 u)
{
	struct kv_free *n = free_node(kv, u);
	u32 head = kv->h->free_head[order];

	n->next = head;
	n->prev = 0;
	if (head && unit_ok(kv, head, order))
		free_node(kv, head - 1)->prev = u + 1;
	kv->h->free_head[order] = u + 1;
	*order_map(kv, u) = KV_FREE | order;
}

static void free_unlink(struct kv *kv, u32 order, u32 u)
{
	struct kv_free *n = free_node(kv, u);
	u32 next = n->next, prev = n->prev;

	if (prev && unit_ok(kv, prev, order))
		free_node(kv, prev - 1)->next = next;
	else if (!prev)
		kv->h->free_head[order] = next;
	if (next && unit_ok(kv, next, order))
		free_node(kv, next - 1)->prev = prev;
	*order_map(kv, u) = 0;
}

/* First unit of a new block of 2^@order units, or -1 when none is free. */
static s64 block_alloc(struct kv *kv, u32 order)
{
	u32 j, u;

	for (j = order; j <= kv->g.top_order; j++) {
		u32 head = kv->h->free_head[j];

		if (!head)
			continue;
		if (!unit_ok(kv, head, j) || *order_map(kv, head - 1) != (KV_FREE | j)) {
			kv->bad = true;
			return -1;
		}
		u = head - 1;
		free_unlink(kv, j, u);
		goto split;
	}
	if (kv->h->next_top >= kv->g.ntops) {
		if (kv->h->tail_done)
			return -1;
		/* the last units, in the largest aligned blocks that fit, then again */
		kv->h->tail_done = 1;
		for (u = kv->g.ntops << kv->g.top_order; u < kv->g.nunits; u += 1u << j) {
			for (j = kv->g.top_order - 1; j && ((u & ((1u << j) - 1)) ||
							  (u64)u + (1u << j) > kv->g.nunits); j--)
				;
			free_push(kv, j, u);
		}
		return block_alloc(kv, order);
	}
	u = kv->h->next_top++ << kv->g.top_order;
	j = kv->g.top_order;
split:
	while (j > order) {
		j--;
		free_push(kv, j, u + (1u << j));
	}
	*order_map(kv, u) = (u8)order;
	kv->h->alloc_units += 1ull << order;
	return u;
}

static void block_free(struct kv *kv, u32 u, u32 order)
{
	kv->h->alloc_units -= NVMEV_MIN(kv->h->alloc_units, 1ull << order);
	while (order < kv->g.top_order) {
		u32 buddy = u ^ (1u << order);

		/* the merged block must lie in the area (the tail's blocks end at its end) */
		if ((u64)NVMEV_MIN(u, buddy) + (2u << order) > kv->g.nunits ||
		    *order_map(kv, buddy) != (KV_FREE | order))
			break;
		free_unlink(kv, order, buddy);
		u = NVMEV_MIN(u, buddy);
		order++;
	}
	free_push(kv, order, u);
}

static u32 value_order(u32 vsize)
{
	u32 units = (vsize + (1u << NVMEV_KV_UNIT_SHIFT) - 1) >> NVMEV_KV_UNIT_SHIFT, o = 0;

	while ((1u << o) < units)
		o++;
	return o;
}

/* ---- Keys ---- */

struct kv_key {
	u8 b[NVMEV_KV_MAX_KEY];
	u8 len;
};

static u32 key_hash(const struct kv_key *k)
{
	u32 h = 2166136261u ^ k->len, i;		/* FNV-1a */

	for (i = 0; i < k->len; i++)
		h = (h ^ k->b[i]) * 16777619u;
	return h ^ (h >> 15);
}

/* Order of keys: bytewise, a key before every longer key it starts. */
static int key_cmp(const u8 *a, u32 alen, const u8 *b, u32 blen)
{
	int r = memcmp(a, b, NVMEV_MIN(alen, blen));

	if (r)
		return r;
	return alen < blen ? -1 : alen > blen;
}

static int ent_cmp(const struct kv_key *k, const struct kv_entry *e)
{
	return key_cmp(k->b, k->len, e->key, NVMEV_MIN((u32)e->klen, (u32)NVMEV_KV_MAX_KEY));
}

/* The bucket that holds @k's entry (*@e), or the empty one it would take. */
static u32 lookup(struct kv *kv, const struct kv_key *k, u32 hash, u32 *e)
{
	u32 mask = kv->g.nbuckets - 1, i, n;

	for (n = 0, i = hash & mask; n < kv->g.nbuckets; n++, i = (i + 1) & mask) {
		u32 x = *bucket(kv, i);
		struct kv_entry *xe;

		if (!x)
			break;
		xe = ent(kv, x);
		if (!xe)
			break;
		if (xe->hash == hash && xe->klen == k->len && !memcmp(xe->key, k->b, k->len)) {
			*e = x;
			return i;
		}
	}
	if (n == kv->g.nbuckets)
		kv->bad = true;		/* no empty bucket: the table is damaged */
	*e = 0;
	return i;
}

/* Take entry @x out of bucket @i, shifting later ones back (no tombstone). */
static void bucket_remove(struct kv *kv, u32 i)
{
	u32 mask = kv->g.nbuckets - 1, j = i, n;

	for (n = 0; n < kv->g.nbuckets; n++) {
		struct kv_entry *xe;
		u32 x, home;

		j = (j + 1) & mask;
		x = *bucket(kv, j);
		if (!x)
			break;
		xe = ent(kv, x);
		if (!xe)
			break;
		home = xe->hash & mask;
		/* x may fill the hole at i unless its home lies in (i, j] */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			*bucket(kv, i) = x;
			i = j;
		}
	}
	*bucket(kv, i) = 0;
}

/* ---- The AVL tree in key order ---- */

static u32 height(struct kv *kv, u32 e)
{
	struct kv_entry *x = ent(kv, e);

	return x ? x->height : 0;
}

static void fix_height(struct kv *kv, u32 e)
{
	struct kv_entry *x = ent(kv, e);

	if (x)
		x->height = (u8)(NVMEV_MAX(height(kv, x->left), height(kv, x->right)) + 1);
}

/* Make @parent (or the root) point at @to where it pointed at @from. */
static void replace_child(struct kv *kv, u32 parent, u32 from, u32 to)
{
	struct kv_entry *p = ent(kv, parent);

	if (!p)
		kv->h->root = to;
	else if (p->left == from)
		p->left = to;
	else
		p->right = to;
}

static u32 rotate(struct kv *kv, u32 x, bool left)
{
	struct kv_entry *xe = ent(kv, x);
	u32 y = left ? xe->right : xe->left, mid;
	struct kv_entry *ye = ent(kv, y);

	if (!ye)
		return x;
	mid = left ? ye->left : ye->right;
	if (left)
		xe->right = mid;
	else
		xe->left = mid;
	if (mid && ent(kv, mid))
		ent(kv, mid)->parent = x;
	ye->parent = xe->parent;
	replace_child(kv, xe->parent, x, y);
	if (left)
		ye->left = x;
	else
		ye->right = x;
	xe->parent = y;
	fix_height(kv, x);
	fix_height(kv, y);
	return y;
}

static void rebalance(struct kv *kv, u32 e)
{
	u32 n;

	for (n = 0; e && n < KV_DEPTH; n++) {
		struct kv_entry *x = ent(kv, e);
		int bal;

		if (!x)
			return;
		fix_height(kv, e);
		bal = (int)height(kv, x->left) - (int)height(kv, x->right);
		if (bal > 1) {
			struct kv_entry *l = ent(kv, x->left);

			if (l && height(kv, l->left) < height(kv, l->right))
				rotate(kv, x->left, true);
			e = rotate(kv, e, false);
		} else if (bal < -1) {
			struct kv_entry *r = ent(kv, x->right);

			if (r && height(kv, r->right) < height(kv, r->left))
				rotate(kv, x->right, false);
			e = rotate(kv, e, true);
		}
		e = ent(kv, e) ? ent(kv, e)->parent : 0;
	}
}

static void tree_insert(struct kv *kv, u32 e, const struct kv_key *k)
{
	struct kv_entry *xe = ent(kv, e);
	u32 p = kv->h->root, n;

	xe->left = xe->right = xe->parent = 0;
	xe->height = 1;
	if (!p) {
		kv->h->root = e;
		return;
	}
	for (n = 0; n < KV_DEPTH; n++) {
		struct kv_entry *pe = ent(kv, p);
		u32 *next;

		if (!pe)
			return;
		next = ent_cmp(k, pe) < 0 ? &pe->left : &pe->right;
		if (!*next) {
			*next = e;
			xe->parent = p;
			rebalance(kv, p);
			return;
		}
		p = *next;
	}
	kv->bad = true;
}

static u32 leftmost(struct kv *kv, u32 e)
{
	u32 n;

	for (n = 0; n < KV_DEPTH; n++) {
		struct kv_entry *x = ent(kv, e);

		if (!x || !x->left)
			return e;
		e = x->left;
	}
	kv->bad = true;
	return e;
}

static void tree_remove(struct kv *kv, u32 e)
{
	struct kv_entry *xe = ent(kv, e);
	u32 start;

	if (xe->left && xe->right) {
		u32 s = leftmost(kv, xe->right);
		struct kv_entry *se = ent(kv, s);

		if (!se)
			return;
		if (se->parent == e) {
			start = s;
		} else {
			start = se->parent;
			replace_child(kv, se->parent, s, se->right);
			if (se->right && ent(kv, se->right))
				ent(kv, se->right)->parent = se->parent;
			se->right = xe->right;
			if (ent(kv, se->right))
				ent(kv, se->right)->parent = s;
		}
		se->left = xe->left;
		if (ent(kv, se->left))
			ent(kv, se->left)->parent = s;
		se->parent = xe->parent;
		se->height = xe->height;
		replace_child(kv, xe->parent, e, s);
	} else {
		u32 c = xe->left ? xe->left : xe->right;

		if (c && ent(kv, c))
			ent(kv, c)->parent = xe->parent;
		replace_child(kv, xe->parent, e, c);
		start = xe->parent;
	}
	rebalance(kv, start);
}

/* The first entry whose key is at least @k (every entry when @k is empty). */
static u32 lower_bound(struct kv *kv, const struct kv_key *k)
{
	u32 e = kv->h->root, best = 0, n;

	for (n = 0; e && n < KV_DEPTH; n++) {
		struct kv_entry *x = ent(kv, e);

		if (!x)
			return 0;
		if (ent_cmp(k, x) <= 0) {
			best = e;
			e = x->left;
		} else {
			e = x->right;
		}
	}
	return best;
}

static u32 successor(struct kv *kv, u32 e)
{
	struct kv_entry *x = ent(kv, e);
	u32 n;

	if (!x)
		return 0;
	if (x->right)
		return leftmost(kv, x->right);
	for (n = 0; n < KV_DEPTH; n++) {
		u32 p = x->parent;
		struct kv_entry *pe = ent(kv, p);

		if (!pe)
			return 0;
		if (pe->left == e)
			return p;
		e = p;
		x = pe;
	}
	kv->bad = true;
	return 0;
}

/* ---- Entries ---- */

static u32 entry_alloc(struct kv *kv)
{
	u32 e = kv->h->free_entry;

	if (e) {
		struct kv_entry *x = ent(kv, e);

		if (!x)
			return 0;
		kv->h->free_entry = x->right;
		return e;
	}
	if (kv->h->next_entry >= kv->g.nentries)
		return 0;
	return ++kv->h->next_entry;
}

static void entry_free(struct kv *kv, u32 e)
{
	struct kv_entry *x = ent(kv, e);

	memset(x, 0, sizeof(*x));
	x->right = kv->h->free_entry;
	kv->h->free_entry = e;
}

/* ---- Commands ---- */

static void req_key(const struct nvmev_req *req, struct kv_key *k)
{
	u32 i;

	memset(k, 0, sizeof(*k));
	k->len = (u8)NVMEV_MIN(req->cdw11 & 0xff, (u32)NVMEV_KV_MAX_KEY);
	for (i = 0; i < k->len; i++)
		k->b[i] = (u8)(req->csd[i / 4] >> (8 * (i % 4)));
}

/* Dispatcher: check the fields; the index is the worker's. */
static u16 kv_decode(struct nvmev_ctrl *c, struct nvmev_ns *ns, const struct nvme_sqe *cmd,
		     struct nvmev_req *req)
{
	u32 kl = cmd->dw[11] & 0xff, opt = (cmd->dw[11] >> 8) & 0xff, allowed = 0;
	struct kv_geo g;

	(void)c;
	if (nvme_sqe_fuse(cmd) || nvme_sqe_psdt(cmd))
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	switch (req->opcode) {
	case NVME_KV_STORE:
		allowed = NVME_KV_STORE_IF_EXISTS | NVME_KV_STORE_IF_NOT_EXISTS |
			  NVME_KV_STORE_NO_COMPRESS;
		break;
	case NVME_KV_RETRIEVE:
		allowed = NVME_KV_RETRIEVE_RAW;
		break;
	case NVME_KV_LIST:
	case NVME_KV_DELETE:
	case NVME_KV_EXIST:
		break;
	default:
		return NVME_DNR(NVME_SC_INVALID_OPCODE);
	}
	if (!ns)		/* no KV command takes the broadcast NSID */
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	/* reserved: MPTR, CDW11 31:16, CDW12-13, unknown options */
	if (cmd->dw[4] || cmd->dw[5] || (cmd->dw[11] >> 16) || cmd->dw[12] || cmd->dw[13] ||
	    (opt & ~allowed))
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	if ((opt & (NVME_KV_STORE_IF_EXISTS | NVME_KV_STORE_IF_NOT_EXISTS)) ==
	    (NVME_KV_STORE_IF_EXISTS | NVME_KV_STORE_IF_NOT_EXISTS) && req->opcode == NVME_KV_STORE)
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	if (kl > NVMEV_KV_MAX_KEY || (!kl && req->opcode != NVME_KV_LIST))
		return NVME_DNR(NVME_SC_KV_INVALID_KEY_SIZE);
	req->csd[0] = cmd->dw[2];
	req->csd[1] = cmd->dw[3];
	req->csd[2] = cmd->dw[14];
	req->csd[3] = cmd->dw[15];

	kv_geometry(ns->size, &g);
	switch (req->opcode) {
	case NVME_KV_STORE:
		if (req->cdw10 > kv_max_value(&g))
			return NVME_DNR(NVME_SC_KV_INVALID_VALUE_SIZE);
		req->bytes = req->cdw10;
		req->dir = NVMEV_DIR_WRITE;
		break;
	case NVME_KV_RETRIEVE:
		/* timed as if the value filled the buffer; it moves what the value has */
		if (req->cdw10 > NVMEV_MAX_XFER)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		req->bytes = NVMEV_MIN(req->cdw10, kv_max_value(&g));
		req->dir = NVMEV_DIR_READ;
		break;
	case NVME_KV_LIST:
		if (req->cdw10 > NVMEV_MAX_XFER)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		req->bytes = NVMEV_MIN(req->cdw10, (u32)NVMEV_KV_LIST_MAX);
		req->dir = NVMEV_DIR_READ;
		break;
	}
	return NVME_SC_SUCCESS;
}

static u16 kv_store(struct nvmev_ctrl *c, struct kv *kv, struct nvmev_req *req,
		    const struct kv_key *k)
{
	u32 opt = (req->cdw11 >> 8) & 0xff, hash = key_hash(k), e, b, vsize = req->cdw10;
	u32 order = value_order(vsize);
	struct kv_entry *x;
	s64 blk = -1;
	u16 status;

	b = lookup(kv, k, hash, &e);
	if (kv->bad)
		return NVME_DNR(NVME_SC_INTERNAL);
	if (!e && (opt & NVME_KV_STORE_IF_EXISTS))
		return NVME_DNR(NVME_SC_KV_KEY_NOT_EXIST);
	if (e && (opt & NVME_KV_STORE_IF_NOT_EXISTS))
		return NVME_DNR(NVME_SC_KV_KEY_EXISTS);
	if (!e && kv->h->nr_keys >= kv->g.nentries)
		return NVME_DNR(NVME_SC_CAP_EXCEEDED);

	/* the new value first: a failed store leaves the old one */
	if (vsize) {
		blk = block_alloc(kv, order);
		if (blk < 0)
			return NVME_DNR(kv->bad ? NVME_SC_INTERNAL : NVME_SC_CAP_EXCEEDED);
		status = nvmev_prp_copy_from_host(c->plat, req->prp1, req->prp2,
						  kv_touch(kv, unit_off(kv, (u32)blk), vsize), vsize);
		if (status) {
			block_free(kv, (u32)blk, order);
			return status;
		}
	}
	if (e) {
		x = ent(kv, e);
		if (x->vunit && unit_ok(kv, x->vunit, x->order))
			block_free(kv, x->vunit - 1, x->order);
		kv->h->used_bytes -= NVMEV_MIN(kv->h->used_bytes, (u64)x->vsize);
	} else {
		e = entry_alloc(kv);
		x = ent(kv, e);
		if (!x) {
			if (blk >= 0)
				block_free(kv, (u32)blk, order);
			return NVME_DNR(kv->bad ? NVME_SC_INTERNAL : NVME_SC_CAP_EXCEEDED);
		}
		memset(x, 0, sizeof(*x));
		memcpy(x->key, k->b, k->len);
		x->klen = k->len;
		x->hash = hash;
		*bucket(kv, b) = e;
		tree_insert(kv, e, k);
		kv->h->nr_keys++;
	}
	x->vsize = vsize;
	x->vunit = blk >= 0 ? (u32)blk + 1 : 0;
	x->order = (u8)order;
	kv->h->used_bytes += vsize;
	return kv->bad ? NVME_DNR(NVME_SC_INTERNAL) : NVME_SC_SUCCESS;
}

static u16 kv_retrieve(struct nvmev_ctrl *c, struct kv *kv, struct nvmev_req *req,
		       const struct kv_key *k)
{
	struct kv_entry *x;
	u32 e, n;
	u16 status = NVME_SC_SUCCESS;

	lookup(kv, k, key_hash(k), &e);
	x = ent(kv, e);
	if (!x)
		return NVME_DNR(kv->bad ? NVME_SC_INTERNAL : NVME_SC_KV_KEY_NOT_EXIST);
	n = NVMEV_MIN(req->cdw10, x->vsize);
	if (n) {
		if (!unit_ok(kv, x->vunit, x->order) ||
		    x->vsize > (1u << (x->order + NVMEV_KV_UNIT_SHIFT)) ||
		    unit_off(kv, x->vunit - 1) + x->vsize > kv->ns->size)
			return NVME_DNR(NVME_SC_INTERNAL);
		status = nvmev_prp_copy_to_host_part(c->plat, req->prp1, req->prp2, req->cdw10,
						     kv_touch(kv, unit_off(kv, x->vunit - 1), n), n);
	}
	req->result = x->vsize;		/* the whole value's size */
	req->bytes = n;
	return status;
}

static u16 kv_delete(struct kv *kv, const struct kv_key *k)
{
	u32 e, b = lookup(kv, k, key_hash(k), &e);
	struct kv_entry *x = ent(kv, e);

	if (!x) {
		if (kv->bad)
			return NVME_DNR(NVME_SC_INTERNAL);
		if (NVMEV_READ_ONCE(kv->ns->cs_feature) & NVME_KV_CONFIG_EDNEK)
			return NVME_DNR(NVME_SC_KV_KEY_NOT_EXIST);
		return NVME_SC_SUCCESS;
	}
	if (x->vunit && unit_ok(kv, x->vunit, x->order))
		block_free(kv, x->vunit - 1, x->order);
	kv->h->used_bytes -= NVMEV_MIN(kv->h->used_bytes, (u64)x->vsize);
	bucket_remove(kv, b);
	tree_remove(kv, e);
	if (kv->bad)		/* still linked somewhere: keep the entry */
		return NVME_DNR(NVME_SC_INTERNAL);
	entry_free(kv, e);
	if (kv->h->nr_keys)
		kv->h->nr_keys--;
	return NVME_SC_SUCCESS;
}

/*
 * List: the keys from @k on, in key order, as many as fit in the buffer
 * (at most NVMEV_KV_LIST_MAX bytes): the number of keys returned (4 bytes),
 * then per key its length (2 bytes) and its bytes, padded with zeroes to a
 * multiple of 4 bytes. DW0 is the number of keys returned.
 */
static u16 kv_list(struct nvmev_ctrl *c, struct nvmev_worker *w, struct kv *kv,
		   struct nvmev_req *req, const struct kv_key *k)
{
	u32 cap = NVMEV_MIN(req->cdw10, (u32)sizeof(w->scratch)), pos = 4, n = 0, i;
	u32 e = lower_bound(kv, k);

	memset(w->scratch, 0, sizeof(w->scratch));
	for (i = 0; e && i < kv->g.nentries; i++) {
		struct kv_entry *x = ent(kv, e);
		u32 len, sz;

		if (!x)
			break;
		len = NVMEV_MIN((u32)x->klen, (u32)NVMEV_KV_MAX_KEY);
		sz = (2 + len + 3) & ~3u;
		if (pos + sz > cap)
			break;
		nvme_put16(w->scratch, pos, (u16)len);
		memcpy(w->scratch + pos + 2, x->key, len);
		pos += sz;
		n++;
		e = successor(kv, e);
	}
	if (kv->bad)
		return NVME_DNR(NVME_SC_INTERNAL);
	nvme_put32(w->scratch, 0, n);
	req->result = n;
	req->bytes = NVMEV_MIN(cap, pos);
	return nvmev_prp_copy_to_host_part(c->plat, req->prp1, req->prp2, req->cdw10, w->scratch,
					   req->bytes);
}

static u16 kv_execute(struct nvmev_ctrl *c, struct nvmev_worker *w, struct nvmev_ns *ns,
		      struct nvmev_req *req)
{
	struct kv_key k;
	struct kv kv;
	u16 status;

	req_key(req, &k);
	if (ns->size < KV_MIN_SIZE) {		/* no room for an index: no key */
		switch (req->opcode) {
		case NVME_KV_STORE:
			return NVME_DNR(NVME_SC_CAP_EXCEEDED);
		case NVME_KV_DELETE:
			if (!(NVMEV_READ_ONCE(ns->cs_feature) & NVME_KV_CONFIG_EDNEK))
				return NVME_SC_SUCCESS;
			return NVME_DNR(NVME_SC_KV_KEY_NOT_EXIST);
		case NVME_KV_LIST:
			memset(w->scratch, 0, 4);
			req->bytes = NVMEV_MIN(req->cdw10, 4u);
			return nvmev_prp_copy_to_host_part(c->plat, req->prp1, req->prp2,
							   req->cdw10, w->scratch, req->bytes);
		default:
			return NVME_DNR(NVME_SC_KV_KEY_NOT_EXIST);
		}
	}
	nvmev_spin_lock(&ns->lock);
	kv_open(&kv, ns);
	switch (req->opcode) {
	case NVME_KV_STORE:
		status = kv_store(c, &kv, req, &k);
		break;
	case NVME_KV_RETRIEVE:
		status = kv_retrieve(c, &kv, req, &k);
		break;
	case NVME_KV_DELETE:
		status = kv_delete(&kv, &k);
		break;
	case NVME_KV_EXIST: {
		u32 e;

		lookup(&kv, &k, key_hash(&k), &e);
		status = e ? NVME_SC_SUCCESS :
			 NVME_DNR(kv.bad ? NVME_SC_INTERNAL : NVME_SC_KV_KEY_NOT_EXIST);
		break;
	}
	case NVME_KV_LIST:
		status = kv_list(c, w, &kv, req, &k);
		break;
	default:
		status = NVME_DNR(NVME_SC_INVALID_OPCODE);
		break;
	}
	nvmev_spin_unlock(&ns->lock);
	return status;
}

/* What the namespace holds; a header never touched is an empty index. */
static void kv_usage(struct nvmev_ns *ns, struct nvmev_ns_usage *u)
{
	struct kv_geo g;

	kv_geometry(ns->size, &g);
	memset(u, 0, sizeof(*u));
	if (!g.nbuckets)
		return;
	u->max_items = g.nentries;
	u->free_bytes = (u64)g.nunits << NVMEV_KV_UNIT_SHIFT;
	nvmev_spin_lock(&ns->lock);
	if (!(NVMEV_READ_ONCE(ns->dealloc[0]) & 1)) {
		const struct kv_hdr *h = (const struct kv_hdr *)ns->data;

		u->used_bytes = h->used_bytes;
		u->items = h->nr_keys;
		u->free_bytes -= NVMEV_MIN(u->free_bytes, h->alloc_units << NVMEV_KV_UNIT_SHIFT);
	}
	nvmev_spin_unlock(&ns->lock);
}

/* A new namespace: every block deallocated, which is an empty index. */
static void kv_init_ns(struct nvmev_ns *ns)
{
	memset(ns->dealloc, 0xff, nvmev_dealloc_words(ns->nr_blocks) * 8);
}

/* CNS 00h describes NVM namespaces: nothing for a KV one. */
static void kv_identify_ns(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *id)
{
	(void)c;
	(void)ns;
	(void)id;
}

/* Identify Namespace for the KV command set (CNS 05h, CSI 01h). */
static void kv_identify_ns_csi(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *id)
{
	struct nvmev_ns_usage u;
	struct kv_geo g;

	(void)c;
	kv_geometry(ns->size, &g);
	kv_usage((struct nvmev_ns *)ns, &u);	/* takes the lock, changes nothing */
	nvme_put64(id, 0, ns->size);		/* NSZE, in bytes */
	/* NUSE: the index and the value blocks in use */
	nvme_put64(id, 16, g.nbuckets ? ns->size - NVMEV_MIN(u.free_bytes, ns->size) : 0);
	nvme_put8(id, 25, 0);			/* NKVF: one format (0's based) */
	nvme_put16(id, 72, NVMEV_KV_MAX_KEY);	/* KVF0: KML */
	nvme_put32(id, 76, kv_max_value(&g));	/* VML */
	nvme_put32(id, 80, g.nentries);		/* MNK */
}

static void kv_identify_ctrl_csi(const struct nvmev_ctrl *c, u8 *id)
{
	(void)c;
	(void)id;
}

static void kv_effects(u8 *io)
{
	nvme_put32(io, NVME_KV_STORE * 4, NVME_CSE_CSUPP | NVME_CSE_LBCC);
	nvme_put32(io, NVME_KV_RETRIEVE * 4, NVME_CSE_CSUPP);
	nvme_put32(io, NVME_KV_LIST * 4, NVME_CSE_CSUPP);
	nvme_put32(io, NVME_KV_DELETE * 4, NVME_CSE_CSUPP | NVME_CSE_LBCC);
	nvme_put32(io, NVME_KV_EXIST * 4, NVME_CSE_CSUPP);
}

/* Key Value Configuration (FID 20h), per namespace: EDNEK. */
static u16 kv_feature(struct nvmev_ns *ns, u8 fid, bool set, u32 *val)
{
	if (fid != NVME_FEAT_KV_CONFIG)
		return NVME_DNR(NVME_SC_INVALID_FIELD);
	if (set) {
		if (*val & ~NVME_KV_CONFIG_EDNEK)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		NVMEV_WRITE_ONCE(ns->cs_feature, *val);
	} else {
		*val = NVMEV_READ_ONCE(ns->cs_feature);
	}
	return NVME_SC_SUCCESS;
}

const struct nvmev_cmd_set nvmev_kv_cmd_set = {
	.name = "kv",
	.csi = NVME_CSI_KV,
	.decode = kv_decode,
	.execute = kv_execute,
	.init_ns = kv_init_ns,
	.identify_ns = kv_identify_ns,
	.identify_ns_csi = kv_identify_ns_csi,
	.identify_ctrl_csi = kv_identify_ctrl_csi,
	.effects = kv_effects,
	.feature = kv_feature,
	.usage = kv_usage,
};
