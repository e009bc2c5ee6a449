// SPDX-License-Identifier: GPL-2.0-only
/*
 * The key-value media model: each command costs a latency for its kind
 * (store, retrieve, delete, exist, list) plus the time its value takes on
 * one transfer channel at the configured bandwidth; a transfer waits for
 * the one before it. The defaults are of the order of NAND-backed KV SSD
 * prototypes (tens of microseconds per operation); tune them to a device.
 */
#include "kv.h"
#include "ctrl.h"

#define KV_MAX_LATENCY_NS	10000000000ull	/* 10 s */
#define KV_MAX_BANDWIDTH	1000000ull	/* MB/s */

static u64 kv_schedule(struct nvmev_timing *base, const struct nvmev_req *req, u64 now)
{
	struct nvmev_kv_timing *t = (struct nvmev_kv_timing *)base;
	u64 bw = NVMEV_READ_ONCE(t->bandwidth_mbps), latency, start, xfer = 0;

	switch (req->opcode) {
	case NVME_KV_STORE:
		latency = NVMEV_READ_ONCE(t->store_ns);
		break;
	case NVME_KV_RETRIEVE:
		latency = NVMEV_READ_ONCE(t->retrieve_ns);
		break;
	case NVME_KV_DELETE:
		latency = NVMEV_READ_ONCE(t->delete_ns);
		break;
	case NVME_KV_EXIST:
		latency = NVMEV_READ_ONCE(t->exist_ns);
		break;
	case NVME_KV_LIST:
		latency = NVMEV_READ_ONCE(t->list_ns);
		break;
	default:
		return now;
	}
	if (bw && req->bytes)
		xfer = ((u64)req->bytes * 1000 + bw - 1) / bw;
	start = NVMEV_MAX(now, t->busy_until);
	t->busy_until = start + xfer;
	return start + xfer + latency;
}

static void kv_reset(struct nvmev_timing *base)
{
	((struct nvmev_kv_timing *)base)->busy_until = 0;
}

static const struct nvmev_timing_ops kv_timing_ops = {
	.name = "kv",
	.schedule = kv_schedule,
	.reset = kv_reset,
};

static int kv_media_init(struct nvmev_timing *base)
{
	base->ops = &kv_timing_ops;
	kv_reset(base);
	return 0;
}

#define KV_TUNABLE(n, field, h, lo, hi, d)					\
	{ .name = n, .help = h, .offset = offsetof(struct nvmev_kv_timing, field),	\
	  .size = sizeof(((struct nvmev_kv_timing *)0)->field),			\
	  .flags = NVMEV_TUNABLE_RUNTIME, .min = lo, .max = hi, .def = d }

static const struct nvmev_tunable kv_tunables[] = {
	KV_TUNABLE("store_latency_ns", store_ns, "KV Store latency in ns",
		   0, KV_MAX_LATENCY_NS, 20000),
	KV_TUNABLE("retrieve_latency_ns", retrieve_ns, "KV Retrieve latency in ns",
		   0, KV_MAX_LATENCY_NS, 15000),
	KV_TUNABLE("delete_latency_ns", delete_ns, "KV Delete latency in ns",
		   0, KV_MAX_LATENCY_NS, 10000),
	KV_TUNABLE("exist_latency_ns", exist_ns, "KV Exist latency in ns",
		   0, KV_MAX_LATENCY_NS, 5000),
	KV_TUNABLE("list_latency_ns", list_ns, "KV List latency in ns",
		   0, KV_MAX_LATENCY_NS, 20000),
	KV_TUNABLE("bandwidth_mbps", bandwidth_mbps,
		   "bandwidth in MB/s (10^6 bytes/s) of the value transfers; 0 = unlimited",
		   0, KV_MAX_BANDWIDTH, 2500),
};

const struct nvmev_media nvmev_kv_media = {
	.name = "kv",
	.size = sizeof(struct nvmev_kv_timing),
	.tunables = kv_tunables,
	.nr_tunables = NVMEV_ARRAY_SIZE(kv_tunables),
	.init = kv_media_init,
};
