/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NVM command set's decoding and execution (nvm.c), for the command
 * sets whose namespaces also take the NVM commands (the zoned one): they
 * check what is theirs and let these do the rest.
 */
#ifndef NVMEV_NVM_H
#define NVMEV_NVM_H

#include "ctrl.h"

extern const struct nvmev_cmd_set nvmev_nvm_cmd_set;

/* Decode and validate an NVM command (the range against ns->nr_blocks). */
u16 nvmev_nvm_decode(struct nvmev_ctrl *c, struct nvmev_ns *ns, const struct nvme_sqe *cmd,
		     struct nvmev_req *req);
/* Move the data of a decoded NVM command. */
u16 nvmev_nvm_execute(struct nvmev_ctrl *c, struct nvmev_worker *w, struct nvmev_ns *ns,
		      struct nvmev_req *req);
/* Write the host's data of a decoded write at req->slba (then mark it allocated). */
u16 nvmev_nvm_write(struct nvmev_ctrl *c, const struct nvmev_ns *ns, const struct nvmev_req *req);
/* Every block deallocated. */
void nvmev_nvm_init_ns(struct nvmev_ns *ns);
/* Identify Namespace (CNS 00h) of a namespace of ns->nr_blocks blocks. */
void nvmev_nvm_identify_ns(const struct nvmev_ctrl *c, const struct nvmev_ns *ns, u8 *id);
/* The NVM commands' entries of an effects log. */
void nvmev_nvm_effects(u8 *io);

#endif /* NVMEV_NVM_H */
