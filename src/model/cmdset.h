/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * I/O command sets as plug-ins. Each command set (NVM in nvm.c; ZNS and
 * key-value later) is a table of operations that the core calls: the
 * dispatcher decodes and validates an I/O command with @decode, a worker
 * executes it with @execute, and the admin commands take the set's
 * Identify structures and its Commands Supported and Effects entries from
 * it. registry.c lists every command set; no other core file names one.
 */
#ifndef NVMEV_CMDSET_H
#define NVMEV_CMDSET_H

#include "platform.h"

struct nvmev_ctrl;
struct nvmev_worker;
struct nvmev_ns;
struct nvmev_req;
struct nvme_sqe;
struct nvmev_timing;

/* What a namespace of a set that stores items (keys) holds (cmd set @usage). */
struct nvmev_ns_usage {
	u64 used_bytes;		/* of the items' values */
	u64 free_bytes;		/* room for more */
	u64 items;
	u64 max_items;
};

/* What a command moved, for the statistics (nvmev_req.dir). */
enum nvmev_dir {
	NVMEV_DIR_NONE,
	NVMEV_DIR_READ,		/* device to host */
	NVMEV_DIR_WRITE,	/* host to device */
};

struct nvmev_cmd_set {
	const char *name;	/* as the "type" parameters name it */
	u8 csi;			/* Command Set Identifier */
	/*
	 * Dispatcher: validate @cmd for @ns and fill @req (slba, nlb, bytes,
	 * dir); a status ends the command. @ns is NULL for the broadcast
	 * NSID FFFFFFFFh (then the set of the lowest active NSID decides).
	 */
	u16 (*decode)(struct nvmev_ctrl *c, struct nvmev_ns *ns, const struct nvme_sqe *cmd,
		      struct nvmev_req *req);
	/* Worker: move the data of a decoded command; may set result/result1. */
	u16 (*execute)(struct nvmev_ctrl *c, struct nvmev_worker *w, struct nvmev_ns *ns,
		       struct nvmev_req *req);
	/* A new namespace: its state (deallocation map, ...) as after a format. */
	void (*init_ns)(struct nvmev_ns *ns);
	/* Identify Namespace (CNS 00h): the set's fields of the 4 KiB @id. */
	void (*identify_ns)(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *id);
	/* I/O command set specific Identify Namespace (CNS 05h) */
	void (*identify_ns_csi)(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *id);
	/* I/O command set specific Identify Controller (CNS 06h) */
	void (*identify_ctrl_csi)(const struct nvmev_ctrl *c, u8 *id);
	/* The I/O command entries (256 dwords) of the effects log for this CSI. */
	void (*effects)(u8 *io);
	/*
	 * Optional: a namespace-specific feature of the set, Set (@set, value
	 * *@val) or Get (into *@val) Features of @fid; Invalid Field when @fid
	 * is not one of the set's.
	 */
	u16 (*feature)(struct nvmev_ns *ns, u8 fid, bool set, u32 *val);
	/* Optional: what @ns holds, for sysfs (any thread; never changes @ns). */
	void (*usage)(struct nvmev_ns *ns, struct nvmev_ns_usage *u);
	/*
	 * Optional: the media model (its timing ops' name) the set's
	 * namespaces need, because the set reads its instance; NULL: any.
	 */
	const char *media;
	/* Optional: the smallest namespace (bytes) the set can lay out with @t. */
	u64 (*min_size)(const struct nvmev_timing *t, u32 lba_shift);
	/*
	 * Optional: a restore replaced @ns's memory with an image's; 0 when
	 * the state the set keeps there fits the namespace, -1 when not.
	 */
	int (*load)(struct nvmev_ns *ns);
	/*
	 * Optional: fault injection for testing software, as the host glue's
	 * attribute @fault_name of each namespace of the set: make the unit
	 * at block @lba @what (a word of the set's). Any thread; the set
	 * applies it before the next command of @ns. 0, -1 when @what or
	 * @lba is not one the set takes, -2 while an earlier one is pending.
	 */
	const char *fault_name;
	int (*fault)(struct nvmev_ns *ns, const char *what, u64 lba);
	/* Optional Namespace Support (ONCS) bits the set implements. */
	u16 oncs;
};

/* registry.c */
const struct nvmev_cmd_set *nvmev_cmd_set_by_csi(u8 csi);
const struct nvmev_cmd_set *nvmev_cmd_set_by_name(const char *name);
/* The command set of the single-namespace shorthand (nvmev_config.storage). */
const struct nvmev_cmd_set *nvmev_cmd_set_default(void);
/* Bit n set for each supported CSI n (Identify CNS 1Ch, vector 0). */
u64 nvmev_cmd_sets_vector(void);

#endif /* NVMEV_CMDSET_H */
