/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PRP walking (Base spec, "Physical Region Page Entry and List"): turns
 * PRP1/PRP2 and a transfer length into host memory segments that never
 * cross a memory page, following PRP lists and their chains.
 */
#ifndef NVMEV_PRP_H
#define NVMEV_PRP_H

#include "platform.h"

/*
 * Called once per segment, in transfer order: @addr is a host address,
 * @len bytes, starting @off bytes into the transfer. Return false to fail
 * the transfer with a data transfer error.
 */
typedef bool (*nvmev_prp_fn)(void *arg, u64 addr, u32 len, u32 off);

/* Returns 0 or an NVMe status code. */
u16 nvmev_prp_walk(void *plat, u64 prp1, u64 prp2, u32 len, nvmev_prp_fn fn, void *arg);

/* Copy between a linear buffer and the host buffer that PRP1/PRP2 describe. */
u16 nvmev_prp_copy_to_host(void *plat, u64 prp1, u64 prp2, const void *buf, u32 len);
u16 nvmev_prp_copy_from_host(void *plat, u64 prp1, u64 prp2, void *buf, u32 len);
/*
 * The first @n bytes of a transfer of @len bytes (the PRPs describe @len,
 * as the host built them for its whole buffer): @buf to the host.
 */
u16 nvmev_prp_copy_to_host_part(void *plat, u64 prp1, u64 prp2, u32 len, const void *buf, u32 n);

#endif /* NVMEV_PRP_H */
