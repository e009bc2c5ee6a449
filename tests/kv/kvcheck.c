// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvcheck: drive a key-value namespace (NVMe Key Value Command Set) through
 * the kernel's passthrough interface (NVME_IOCTL_IO64_CMD on /dev/ngXnY)
 * and check every byte.
 *
 *   kvcheck DEV N SEED fill     store N keys (1 to 16 bytes) with values of
 *                               0 to 65536 bytes, all from SEED; retrieve
 *                               and compare each, Exist, List them all in
 *                               order, delete every third and store it
 *                               again, check the statuses of the misses
 *   kvcheck DEV N SEED verify   the N keys of a fill with SEED are all
 *                               there with their values (after a save and
 *                               restore, say), and no other key between them
 *
 * Prints one line per failure and "kvcheck: ok ..." at the end; exit 0 when
 * everything matched, 1 otherwise, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/nvme_ioctl.h>

#define KV_STORE	0x01
#define KV_RETRIEVE	0x02
#define KV_LIST		0x06
#define KV_DELETE	0x10
#define KV_EXIST	0x14
#define SC_NOT_EXIST	0x87
#define MAX_VALUE	65536
#define LIST_BUF	4096

static int fd;
static uint32_t nsid = 1;
static unsigned int failures;

struct key {
	uint8_t b[16];
	uint8_t len;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/* Key @i of a run with @seed: 4 bytes of index, then seeded bytes, 4 to 16 long. */
static void make_key(uint64_t seed, uint32_t i, struct key *k)
{
	uint64_t r = mix(seed * 1000003 + i);
	unsigned int j;

	k->len = (uint8_t)(4 + r % 13);
	k->b[0] = (uint8_t)(i >> 24);
	k->b[1] = (uint8_t)(i >> 16);
	k->b[2] = (uint8_t)(i >> 8);
	k->b[3] = (uint8_t)i;
	for (j = 4; j < k->len; j++)
		k->b[j] = (uint8_t)(mix(r + j) & 0xff);
}

static uint32_t value_size(uint64_t seed, uint32_t i, uint32_t version)
{
	uint64_t r = mix(seed ^ ((uint64_t)i << 20) ^ version);

	switch (r % 4) {
	case 0:
		return (uint32_t)(r >> 8) % 64;
	case 1:
		return (uint32_t)(r >> 8) % 4097;
	default:
		return (uint32_t)(r >> 8) % (MAX_VALUE + 1);
	}
}

static void make_value(uint64_t seed, uint32_t i, uint32_t version, uint8_t *p, uint32_t n)
{
	uint64_t s = mix(seed + i * 77 + version * 1000000007ull);
	uint32_t j;

	for (j = 0; j < n; j++) {
		if (!(j % 8))
			s = mix(s + j);
		p[j] = (uint8_t)(s >> (8 * (j % 8)));
	}
}

/* One KV command; the NVMe status (0: success), or -errno; *@result: DW0. */
static int kv_cmd(uint8_t opc, const struct key *k, uint32_t cdw10, uint32_t opt, void *buf,
		  uint32_t len, uint32_t *result)
{
	struct nvme_passthru_cmd64 c;
	uint8_t kb[16] = { 0 };
	uint32_t d[4];
	int ret;

	memset(&c, 0, sizeof(c));
	if (k)
		memcpy(kb, k->b, k->len);
	memcpy(d, kb, 16);
	c.opcode = opc;
	c.nsid = nsid;
	c.cdw2 = d[0];
	c.cdw3 = d[1];
	c.cdw14 = d[2];
	c.cdw15 = d[3];
	c.cdw10 = cdw10;
	c.cdw11 = (k ? k->len : 0) | opt << 8;
	c.addr = (uint64_t)(uintptr_t)buf;
	c.data_len = len;
	ret = ioctl(fd, NVME_IOCTL_IO64_CMD, &c);
	if (ret < 0)
		return -errno;
	if (result)
		*result = (uint32_t)c.result;
	return ret & 0x7ff;
}

static void failure(const char *what, uint32_t i, int st)
{
	failures++;
	if (failures <= 20)
		printf("kvcheck: FAIL %s key %u: status 0x%x\n", what, i, st);
}

static uint8_t *vbuf, *rbuf;

/* Retrieve key @i and compare with its value @version; 1 when it matches. */
static int check_key(uint64_t seed, uint32_t i, uint32_t version)
{
	uint32_t n = value_size(seed, i, version), got = ~0u;
	struct key k;
	int st;

	make_key(seed, i, &k);
	make_value(seed, i, version, vbuf, n);
	memset(rbuf, 0xa5, MAX_VALUE + 4096);
	st = kv_cmd(KV_RETRIEVE, &k, MAX_VALUE, 0, rbuf, MAX_VALUE, &got);
	if (st) {
		failure("retrieve", i, st);
		return 0;
	}
	if (got != n || memcmp(rbuf, vbuf, n)) {
		failures++;
		if (failures <= 20)
			printf("kvcheck: FAIL value of key %u: size %u (want %u)%s\n", i, got, n,
			       got == n ? ", bytes differ" : "");
		return 0;
	}
	return 1;
}

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int r = memcmp(x->b, y->b, x->len < y->len ? x->len : y->len);

	return r ? r : (int)x->len - (int)y->len;
}

/* List every key (4 KiB at a time, restarting from the last) against @want, sorted. */
static void check_list(const struct key *want, uint32_t n)
{
	static uint8_t lb[LIST_BUF];
	struct key start = { .len = 0 };
	uint32_t got = 0, rounds, cnt, pos, j, skip;
	int st;

	for (rounds = 0; rounds <= n; rounds++) {
		skip = rounds ? 1 : 0;
		memset(lb, 0, sizeof(lb));
		st = kv_cmd(KV_LIST, &start, LIST_BUF, 0, lb, LIST_BUF, NULL);
		if (st) {
			failure("list", got, st);
			return;
		}
		memcpy(&cnt, lb, 4);
		for (j = 0, pos = 4; j < cnt && pos + 2 <= LIST_BUF; j++) {
			struct key k = { .len = (uint8_t)(lb[pos] | lb[pos + 1] << 8) };

			if (k.len > 16 || pos + 2 + k.len > LIST_BUF) {
				failure("list entry length", got, k.len);
				return;
			}
			memcpy(k.b, lb + pos + 2, k.len);
			pos += (2 + k.len + 3) & ~3u;
			start = k;
			if (j < skip)
				continue;
			if (!n || key_cmp(&k, &want[n - 1]) > 0)
				goto done;	/* past this run's keys: another's */
			if (got >= n || key_cmp(&k, &want[got])) {
				failure("list order", got, 0);
				return;
			}
			got++;
		}
		if (cnt <= skip)
			break;
	}
done:
	if (got != n) {
		failures++;
		printf("kvcheck: FAIL list returned %u keys, want %u\n", got, n);
	}
}

int main(int argc, char **argv)
{
	uint32_t n, i, version, miss_dw0;
	struct key *keys, k;
	uint64_t seed;
	int fill, st;

	if (argc != 5 || (strcmp(argv[4], "fill") && strcmp(argv[4], "verify"))) {
		fprintf(stderr, "usage: %s DEV N SEED fill|verify\n", argv[0]);
		return 2;
	}
	n = (uint32_t)strtoul(argv[2], NULL, 0);
	seed = strtoull(argv[3], NULL, 0);
	fill = !strcmp(argv[4], "fill");
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	st = ioctl(fd, NVME_IOCTL_ID);
	if (st > 0)
		nsid = (uint32_t)st;
	vbuf = malloc(MAX_VALUE + 4096);
	rbuf = malloc(MAX_VALUE + 4096);
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!vbuf || !rbuf || !keys)
		return 2;

	/* the keys deleted and stored again by a fill hold version 1 */
	if (fill) {
		for (i = 0; i < n; i++) {
			uint32_t sz = value_size(seed, i, 0);

			make_key(seed, i, &k);
			make_value(seed, i, 0, vbuf, sz);
			/* only if it does not exist: the namespace starts empty */
			st = kv_cmd(KV_STORE, &k, sz, 2, sz ? vbuf : NULL, sz, NULL);
			if (st)
				failure("store", i, st);
		}
		for (i = 0; i < n; i++) {
			check_key(seed, i, 0);
			make_key(seed, i, &k);
			st = kv_cmd(KV_EXIST, &k, 0, 0, NULL, 0, NULL);
			if (st)
				failure("exist", i, st);
		}
		for (i = 0; i < n; i += 3) {
			make_key(seed, i, &k);
			st = kv_cmd(KV_DELETE, &k, 0, 0, NULL, 0, NULL);
			if (st)
				failure("delete", i, st);
			st = kv_cmd(KV_EXIST, &k, 0, 0, NULL, 0, NULL);
			if (st != SC_NOT_EXIST)
				failure("exist after delete", i, st);
			st = kv_cmd(KV_RETRIEVE, &k, 64, 0, rbuf, 64, NULL);
			if (st != SC_NOT_EXIST)
				failure("retrieve after delete", i, st);
		}
		for (i = 0; i < n; i += 3) {
			uint32_t sz = value_size(seed, i, 1);

			make_key(seed, i, &k);
			make_value(seed, i, 1, vbuf, sz);
			/* only if it exists: it does not */
			st = kv_cmd(KV_STORE, &k, sz, 1, sz ? vbuf : NULL, sz, NULL);
			if (st != SC_NOT_EXIST)
				failure("store only-if-exists of a deleted key", i, st);
			st = kv_cmd(KV_STORE, &k, sz, 0, sz ? vbuf : NULL, sz, NULL);
			if (st)
				failure("store again", i, st);
		}
	}
	for (i = 0; i < n; i++) {
		version = i % 3 == 0 ? 1 : 0;
		check_key(seed, i, version);
		make_key(seed, i, &keys[i]);
	}
	/* a key of another run is not there; its retrieve reports nothing */
	make_key(seed + 1, n + 5, &k);
	miss_dw0 = 0;
	st = kv_cmd(KV_RETRIEVE, &k, 64, 0, rbuf, 64, &miss_dw0);
	if (st != SC_NOT_EXIST)
		failure("retrieve of a missing key", n + 5, st);
	qsort(keys, n, sizeof(*keys), key_cmp);
	check_list(keys, n);
	printf("kvcheck: %s %u keys, seed %llu: %s (%u failures)\n", fill ? "fill" : "verify", n,
	       (unsigned long long)seed, failures ? "FAILED" : "ok", failures);
	return failures ? 1 : 0;
}
