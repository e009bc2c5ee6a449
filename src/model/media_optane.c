// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Optane-class media model (3D XPoint SSD): every command costs
 * a fixed latency for its direction plus the time its data takes at the
 * configured bandwidth. The bandwidth is shared by nr_units parallel units
 * taken in turn; a unit busy with an earlier transfer delays the next one.
 */
#include "media_optane.h"
#include "ctrl.h"

u64 nvmev_nvm_xfer_ns(u64 bytes, u64 bandwidth_mbps, u32 nr_units)
{
	/* One unit moves bandwidth/nr_units: bytes * nr_units / (mbps * 10^6) s. */
	if (!bandwidth_mbps || !bytes)
		return 0;
	return (bytes * nr_units * 1000 + bandwidth_mbps - 1) / bandwidth_mbps;
}

static u64 nvm_schedule(struct nvmev_timing *base, const struct nvmev_req *req, u64 now)
{
	struct nvmev_nvm_timing *t = (struct nvmev_nvm_timing *)base;
	u32 units = NVMEV_READ_ONCE(t->nr_units);
	u64 bw = NVMEV_READ_ONCE(t->bandwidth_mbps);
	u64 latency, start, xfer;
	u32 u;

	switch (req->opcode) {
	case NVME_CMD_READ:
	case NVME_CMD_COMPARE:		/* reads the media, takes the host's data */
		latency = NVMEV_READ_ONCE(t->read_latency_ns);
		break;
	case NVME_CMD_VERIFY:		/* reads the media, moves nothing */
		return now + NVMEV_READ_ONCE(t->read_latency_ns);
	case NVME_CMD_WRITE:
		latency = NVMEV_READ_ONCE(t->write_latency_ns);
		break;
	case NVME_CMD_WRITE_ZEROES:
		return now + NVMEV_READ_ONCE(t->write_latency_ns);
	default:
		return now;
	}

	if (units == 0 || units > NVMEV_MAX_PARALLEL_UNITS)
		units = 1;
	u = t->next_unit;
	if (u >= units)
		u = 0;
	t->next_unit = u + 1 >= units ? 0 : u + 1;

	xfer = nvmev_nvm_xfer_ns(req->bytes, bw, units);
	start = NVMEV_MAX(now, t->unit_free_ns[u]);
	t->unit_free_ns[u] = start + xfer;
	return start + xfer + latency;
}

static void nvm_reset(struct nvmev_timing *base)
{
	struct nvmev_nvm_timing *t = (struct nvmev_nvm_timing *)base;

	memset(t->unit_free_ns, 0, sizeof(t->unit_free_ns));
	t->next_unit = 0;
}

static const struct nvmev_timing_ops nvm_timing_ops = {
	.name = "optane",
	.schedule = nvm_schedule,
	.reset = nvm_reset,
};

static int optane_init(struct nvmev_timing *base)
{
	struct nvmev_nvm_timing *t = (struct nvmev_nvm_timing *)base;

	t->base.ops = &nvm_timing_ops;
	nvm_reset(base);
	return t->nr_units >= 1 && t->nr_units <= NVMEV_MAX_PARALLEL_UNITS ? 0 : -1;
}

#define OPTANE_TUNABLE(n, field, h, lo, hi, d)					\
	{ .name = n, .help = h, .offset = offsetof(struct nvmev_nvm_timing, field),	\
	  .size = sizeof(((struct nvmev_nvm_timing *)0)->field),			\
	  .flags = NVMEV_TUNABLE_RUNTIME, .min = lo, .max = hi, .def = d }

static const struct nvmev_tunable optane_tunables[] = {
	OPTANE_TUNABLE("read_latency_ns", read_latency_ns, "read latency in ns",
		       0, NVMEV_MAX_LATENCY_NS, 10000),
	OPTANE_TUNABLE("write_latency_ns", write_latency_ns, "write latency in ns",
		       0, NVMEV_MAX_LATENCY_NS, 10000),
	OPTANE_TUNABLE("bandwidth_mbps", bandwidth_mbps,
		       "bandwidth in MB/s (10^6 bytes/s) shared by the parallel units; 0 = unlimited",
		       0, NVMEV_MAX_BANDWIDTH, 2500),
	OPTANE_TUNABLE("parallel_units", nr_units, "parallel units that share the bandwidth",
		       1, NVMEV_MAX_PARALLEL_UNITS, 8),
};

const struct nvmev_media nvmev_optane_media = {
	.name = "optane",
	.size = sizeof(struct nvmev_nvm_timing),
	.tunables = optane_tunables,
	.nr_tunables = NVMEV_ARRAY_SIZE(optane_tunables),
	.init = optane_init,
};

void nvmev_nvm_timing_init(struct nvmev_nvm_timing *t, u64 read_ns, u64 write_ns,
			   u64 bandwidth_mbps, u32 nr_units)
{
	memset(t, 0, sizeof(*t));
	t->read_latency_ns = read_ns;
	t->write_latency_ns = write_ns;
	t->bandwidth_mbps = bandwidth_mbps;
	t->nr_units = nr_units;
	optane_init(&t->base);
}
