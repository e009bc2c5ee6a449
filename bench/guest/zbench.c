// SPDX-License-Identifier: GPL-2.0-only
/*
 * zbench: zoned namespace throughput and zone management latency through
 * the kernel's passthrough interface (NVME_IOCTL_IO64_CMD on /dev/ngXnY),
 * for make bench. Zones are ZONE_BLOCKS blocks of 4 KiB; the zones used
 * are reset first.
 *
 *   zbench DEV ZONE_BLOCKS ZONES write  BS SECONDS
 *       writes of BS bytes at the write pointer, one at a time (a zone
 *       takes one write in flight), zone after zone
 *   zbench DEV ZONE_BLOCKS ZONES append BS SECONDS THREADS
 *       Zone Appends of BS bytes to one zone from THREADS threads at once
 *       (one command each in flight), zone after zone; every assigned LBA
 *       is checked to lie in the zone
 *   zbench DEV ZONE_BLOCKS ZONES mgmt ACTION FILL_PERCENT
 *       for each zone: write FILL_PERCENT of it (256 KiB writes), then
 *       time one Zone Management Send of ACTION (reset, finish, open,
 *       close); open and close act on a zone opened by its writes
 *
 * Prints one line "ZB key=value ..." (operations, MB/s, latency mean and
 * percentiles in us, errors); exit 0 when no command failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/nvme_ioctl.h>

#define OPC_WRITE	0x01
#define OPC_MGMT_SEND	0x79
#define OPC_APPEND	0x7d
#define ZSA_CLOSE	0x01
#define ZSA_FINISH	0x02
#define ZSA_OPEN	0x03
#define ZSA_RESET	0x04
#define BLOCK		4096u
#define MAX_SAMPLES	(1u << 20)

static int fd;
static uint32_t nsid = 1;
static uint64_t zone_blocks, nr_zones;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* One command; its status (0: success, -1: the ioctl failed), *@result its DW0-1. */
static int cmd(uint8_t opc, uint64_t slba, void *buf, uint32_t len, uint32_t cdw13,
	       uint64_t *result)
{
	struct nvme_passthru_cmd64 c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.opcode = opc;
	c.nsid = nsid;
	c.addr = (uintptr_t)buf;
	c.data_len = len;
	c.cdw10 = (uint32_t)slba;
	c.cdw11 = (uint32_t)(slba >> 32);
	if (len)
		c.cdw12 = len / BLOCK - 1;
	c.cdw13 = cdw13;
	ret = ioctl(fd, NVME_IOCTL_IO64_CMD, &c);
	if (result)
		*result = c.result;
	return ret < 0 ? -1 : ret;
}

static int mgmt(uint64_t zslba, uint32_t action)
{
	return cmd(OPC_MGMT_SEND, zslba, NULL, 0, action, NULL);
}

/* ---- samples ---- */

static double *lat;
static unsigned long nr_lat;
static pthread_mutex_t lat_lock = PTHREAD_MUTEX_INITIALIZER;

static void sample(double us)
{
	pthread_mutex_lock(&lat_lock);
	if (nr_lat < MAX_SAMPLES)
		lat[nr_lat++] = us;
	pthread_mutex_unlock(&lat_lock);
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pctl(double p)
{
	unsigned long i;

	if (!nr_lat)
		return 0;
	i = (unsigned long)(p / 100 * (nr_lat - 1) + 0.5);
	return lat[i];
}

static void report(const char *what, unsigned long ops, unsigned long errors, double secs,
		   uint64_t bytes)
{
	double sum = 0;
	unsigned long i;

	qsort(lat, nr_lat, sizeof(*lat), dcmp);
	for (i = 0; i < nr_lat; i++)
		sum += lat[i];
	printf("ZB %s ops=%lu errors=%lu secs=%.3f mbps=%.1f iops=%.0f lat_mean_us=%.1f min_us=%.1f p50_us=%.1f p99_us=%.1f max_us=%.1f\n",
	       what, ops, errors, secs, secs > 0 ? bytes / secs / 1e6 : 0, secs > 0 ? ops / secs : 0,
	       nr_lat ? sum / nr_lat : 0, nr_lat ? lat[0] : 0, pctl(50), pctl(99),
	       nr_lat ? lat[nr_lat - 1] : 0);
}

static int reset_all(void)
{
	uint64_t z;

	for (z = 0; z < nr_zones; z++)
		if (mgmt(z * zone_blocks, ZSA_RESET)) {
			fprintf(stderr, "zbench: reset of zone %llu failed\n", (unsigned long long)z);
			return -1;
		}
	return 0;
}

/* ---- write ---- */

static int do_write(uint32_t bs, double secs)
{
	uint64_t z = 0, off = 0, bytes = 0;
	unsigned long ops = 0, errors = 0;
	void *buf = aligned_alloc(BLOCK, bs);
	double t0, t, end;

	memset(buf, 0xa5, bs);
	t0 = now_us();
	end = t0 + secs * 1e6;
	while ((t = now_us()) < end && z < nr_zones) {
		if (cmd(OPC_WRITE, z * zone_blocks + off, buf, bs, 0, NULL))
			errors++;
		sample(now_us() - t);
		ops++;
		bytes += bs;
		off += bs / BLOCK;
		if (off + bs / BLOCK > zone_blocks) {
			z++;
			off = 0;
		}
	}
	report("mode=write threads=1", ops, errors, (now_us() - t0) / 1e6, bytes);
	free(buf);
	return errors ? 1 : 0;
}

/* ---- append ---- */

struct appender {
	pthread_t th;
	uint32_t bs;
	double end;
	unsigned long ops, errors, misplaced;
};

static uint64_t cur_zone;	/* under zone_lock */
static uint64_t zone_left;	/* appends the current zone still takes */
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;

/* The zone the next append goes to, or -1 when every zone is taken. */
static int64_t take_slot(uint32_t bs)
{
	int64_t z;

	pthread_mutex_lock(&zone_lock);
	if (!zone_left) {
		cur_zone++;
		zone_left = zone_blocks / (bs / BLOCK);
	}
	if (cur_zone >= nr_zones) {
		z = -1;
	} else {
		zone_left--;
		z = (int64_t)cur_zone;
	}
	pthread_mutex_unlock(&zone_lock);
	return z;
}

static void *append_thread(void *arg)
{
	struct appender *a = arg;
	void *buf = aligned_alloc(BLOCK, a->bs);
	uint64_t lba;
	double t;
	int64_t z;

	memset(buf, 0x5a, a->bs);
	while ((t = now_us()) < a->end && (z = take_slot(a->bs)) >= 0) {
		if (cmd(OPC_APPEND, (uint64_t)z * zone_blocks, buf, a->bs, 0, &lba)) {
			a->errors++;
		} else if (lba < (uint64_t)z * zone_blocks ||
			   lba + a->bs / BLOCK > (uint64_t)(z + 1) * zone_blocks) {
			a->misplaced++;
		}
		sample(now_us() - t);
		a->ops++;
	}
	free(buf);
	return NULL;
}

static int do_append(uint32_t bs, double secs, unsigned int threads)
{
	struct appender *a = calloc(threads, sizeof(*a));
	unsigned long ops = 0, errors = 0, misplaced = 0;
	char what[64];
	double t0;
	unsigned int i;

	cur_zone = 0;
	zone_left = zone_blocks / (bs / BLOCK);
	t0 = now_us();
	for (i = 0; i < threads; i++) {
		a[i].bs = bs;
		a[i].end = t0 + secs * 1e6;
		pthread_create(&a[i].th, NULL, append_thread, &a[i]);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(a[i].th, NULL);
		ops += a[i].ops;
		errors += a[i].errors;
		misplaced += a[i].misplaced;
	}
	snprintf(what, sizeof(what), "mode=append threads=%u misplaced=%lu", threads, misplaced);
	report(what, ops, errors, (now_us() - t0) / 1e6, (uint64_t)ops * bs);
	free(a);
	return errors || misplaced ? 1 : 0;
}

/* ---- zone management ---- */

static int do_mgmt(const char *action, unsigned int fill)
{
	uint32_t zsa, bs = 256 * 1024;
	uint64_t z, b, blocks = zone_blocks * fill / 100;
	unsigned long ops = 0, errors = 0;
	void *buf = aligned_alloc(BLOCK, bs);
	char what[64];
	double t, total = 0;

	if (!strcmp(action, "reset"))
		zsa = ZSA_RESET;
	else if (!strcmp(action, "finish"))
		zsa = ZSA_FINISH;
	else if (!strcmp(action, "open"))
		zsa = ZSA_OPEN;
	else if (!strcmp(action, "close"))
		zsa = ZSA_CLOSE;
	else
		return 2;
	memset(buf, 0x3c, bs);
	for (z = 0; z < nr_zones; z++) {
		uint64_t zslba = z * zone_blocks;

		for (b = 0; b < blocks; b += bs / BLOCK) {
			uint32_t len = (uint32_t)(blocks - b < bs / BLOCK ? (blocks - b) * BLOCK : bs);

			if (cmd(OPC_WRITE, zslba + b, buf, len, 0, NULL))
				errors++;
		}
		if (zsa == ZSA_OPEN && blocks && mgmt(zslba, ZSA_CLOSE))	/* open a closed zone */
			errors++;
		t = now_us();
		if (mgmt(zslba, zsa))
			errors++;
		t = now_us() - t;
		sample(t);
		total += t;
		ops++;
		/* nothing left open or closed: the next zones find room */
		if ((zsa == ZSA_OPEN || zsa == ZSA_CLOSE) && blocks < zone_blocks &&
		    mgmt(zslba, ZSA_FINISH))
			errors++;
	}
	snprintf(what, sizeof(what), "mode=mgmt action=%s fill=%u", action, fill);
	report(what, ops, errors, total / 1e6, 0);
	free(buf);
	return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	int ret;

	if (argc < 6) {
		fprintf(stderr, "usage: zbench DEV ZONE_BLOCKS ZONES write BS SECS | append BS SECS THREADS | mgmt ACTION FILL_PERCENT\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "zbench: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	ret = ioctl(fd, NVME_IOCTL_ID);
	if (ret > 0)
		nsid = (uint32_t)ret;
	zone_blocks = strtoull(argv[2], NULL, 0);
	nr_zones = strtoull(argv[3], NULL, 0);
	lat = calloc(MAX_SAMPLES, sizeof(*lat));
	if (!zone_blocks || !nr_zones || !lat || reset_all())
		return 2;
	if (!strcmp(argv[4], "write"))
		ret = do_write((uint32_t)strtoul(argv[5], NULL, 0), argc > 6 ? atof(argv[6]) : 2);
	else if (!strcmp(argv[4], "append") && argc > 7)
		ret = do_append((uint32_t)strtoul(argv[5], NULL, 0), atof(argv[6]),
				(unsigned int)atoi(argv[7]));
	else if (!strcmp(argv[4], "mgmt") && argc > 6)
		ret = do_mgmt(argv[5], (unsigned int)atoi(argv[6]));
	else
		ret = 2;
	reset_all();
	return ret;
}
