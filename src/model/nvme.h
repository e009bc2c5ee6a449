/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Constants of the NVM Express Base and NVM Command Set specifications that
 * the device model uses, written from the specifications. Data structures
 * are built with byte-offset helpers rather than packed structs, so the
 * layout is visible next to the offsets the specification gives.
 */
#ifndef NVMEV_NVME_H
#define NVMEV_NVME_H

#include "platform.h"

/* Controller registers (Base spec, section 3.1) */
#define NVME_REG_CAP	0x00
#define NVME_REG_VS	0x08
#define NVME_REG_INTMS	0x0c
#define NVME_REG_INTMC	0x10
#define NVME_REG_CC	0x14
#define NVME_REG_CSTS	0x1c
#define NVME_REG_NSSR	0x20
#define NVME_REG_AQA	0x24
#define NVME_REG_ASQ	0x28
#define NVME_REG_ACQ	0x30
#define NVME_REG_DBS	0x1000

#define NVME_CAP_MQES(v)	((u64)(v) & 0xffff)
#define NVME_CAP_CQR		(1ull << 16)
#define NVME_CAP_TO(v)		((u64)(v) << 24)
#define NVME_CAP_DSTRD(v)	((u64)(v) << 32)
#define NVME_CAP_CSS_NVM	(1ull << 37)
#define NVME_CAP_CSS_CSI	(1ull << 43)
#define NVME_CAP_MPSMIN(v)	((u64)(v) << 48)
#define NVME_CAP_MPSMAX(v)	((u64)(v) << 52)

#define NVME_CC_EN		(1u << 0)
#define NVME_CC_CSS(cc)		(((cc) >> 4) & 0x7)
#define NVME_CC_MPS(cc)		(((cc) >> 7) & 0xf)
#define NVME_CC_AMS(cc)		(((cc) >> 11) & 0x7)
#define NVME_CC_SHN(cc)		(((cc) >> 14) & 0x3)
#define NVME_CC_IOSQES(cc)	(((cc) >> 16) & 0xf)
#define NVME_CC_IOCQES(cc)	(((cc) >> 20) & 0xf)
#define NVME_CC_CSS_NVM		0
#define NVME_CC_CSS_CSI		6

#define NVME_CSTS_RDY		(1u << 0)
#define NVME_CSTS_CFS		(1u << 1)
#define NVME_CSTS_SHST_MASK	(3u << 2)
#define NVME_CSTS_SHST_OCCUR	(1u << 2)
#define NVME_CSTS_SHST_CMPLT	(2u << 2)

#define NVME_VS(maj, min, ter)	(((u32)(maj) << 16) | ((u32)(min) << 8) | (u32)(ter))

/* Queue entry sizes: 64-byte SQ entries, 16-byte CQ entries */
#define NVME_SQE_SIZE		64
#define NVME_CQE_SIZE		16
#define NVME_SQES		6
#define NVME_CQES		4

/* Status: SC in bits 7:0, SCT in bits 10:8, DNR in bit 14 (the CQE's DW3 >> 17) */
#define NVME_SCT_GENERIC	0x000
#define NVME_SCT_CMD_SPECIFIC	0x100
#define NVME_SCT_MEDIA		0x200
#define NVME_STATUS_DNR		0x4000

enum nvme_status {
	NVME_SC_SUCCESS			= 0x00,
	NVME_SC_INVALID_OPCODE		= 0x01,
	NVME_SC_INVALID_FIELD		= 0x02,
	NVME_SC_CMDID_CONFLICT		= 0x03,
	NVME_SC_DATA_XFER_ERROR		= 0x04,
	NVME_SC_INTERNAL		= 0x06,
	NVME_SC_ABORT_REQ		= 0x07,
	NVME_SC_ABORT_SQ_DELETED	= 0x08,
	NVME_SC_INVALID_NS		= 0x0b,
	NVME_SC_CMD_SEQ_ERROR		= 0x0c,
	NVME_SC_SGL_INVALID_DESC	= 0x11,
	NVME_SC_PRP_OFFSET_INVALID	= 0x13,
	NVME_SC_IOCS_NOT_SUPPORTED	= 0x29,
	NVME_SC_IOCS_COMBINATION_REJECTED = 0x2b,
	NVME_SC_LBA_RANGE		= 0x80,
	NVME_SC_COMPARE_FAILED		= 0x285,	/* SCT 2h: media and data integrity */
	NVME_SC_CAP_EXCEEDED		= 0x81,
	NVME_SC_NS_NOT_READY		= 0x82,

	NVME_SC_CQ_INVALID		= 0x100,
	NVME_SC_QID_INVALID		= 0x101,
	NVME_SC_QUEUE_SIZE		= 0x102,
	NVME_SC_ABORT_LIMIT		= 0x103,
	NVME_SC_AER_LIMIT		= 0x105,
	NVME_SC_INVALID_VECTOR		= 0x108,
	NVME_SC_INVALID_LOG_PAGE	= 0x109,
	NVME_SC_INVALID_QUEUE_DELETION	= 0x10c,
	NVME_SC_FEATURE_NOT_SAVEABLE	= 0x10d,
	NVME_SC_FEATURE_NOT_CHANGEABLE	= 0x10e,
	NVME_SC_INVALID_FORMAT		= 0x10a,
	NVME_SC_NS_INSUFFICIENT_CAP	= 0x115,
	NVME_SC_NS_ID_UNAVAILABLE	= 0x116,
	NVME_SC_NS_ALREADY_ATTACHED	= 0x118,
	NVME_SC_NS_IS_PRIVATE		= 0x119,
	NVME_SC_NS_NOT_ATTACHED		= 0x11a,
	NVME_SC_CTRL_LIST_INVALID	= 0x11c,
};

/* Admin command opcodes */
enum nvme_admin_opcode {
	NVME_ADMIN_DELETE_SQ		= 0x00,
	NVME_ADMIN_CREATE_SQ		= 0x01,
	NVME_ADMIN_GET_LOG_PAGE		= 0x02,
	NVME_ADMIN_DELETE_CQ		= 0x04,
	NVME_ADMIN_CREATE_CQ		= 0x05,
	NVME_ADMIN_IDENTIFY		= 0x06,
	NVME_ADMIN_ABORT		= 0x08,
	NVME_ADMIN_SET_FEATURES		= 0x09,
	NVME_ADMIN_GET_FEATURES		= 0x0a,
	NVME_ADMIN_ASYNC_EVENT		= 0x0c,
	NVME_ADMIN_NS_MGMT		= 0x0d,
	NVME_ADMIN_NS_ATTACH		= 0x15,
	NVME_ADMIN_KEEP_ALIVE		= 0x18,
};

/* NVM command set I/O opcodes */
enum nvme_io_opcode {
	NVME_CMD_FLUSH			= 0x00,
	NVME_CMD_WRITE			= 0x01,
	NVME_CMD_READ			= 0x02,
	NVME_CMD_COMPARE		= 0x05,
	NVME_CMD_WRITE_ZEROES		= 0x08,
	NVME_CMD_DSM			= 0x09,
	NVME_CMD_VERIFY			= 0x0c,
};

/* Identify CNS values */
enum nvme_cns {
	NVME_CNS_NS			= 0x00,
	NVME_CNS_CTRL			= 0x01,
	NVME_CNS_NS_ACTIVE_LIST		= 0x02,
	NVME_CNS_NS_DESC_LIST		= 0x03,
	NVME_CNS_CS_NS			= 0x05,
	NVME_CNS_CS_CTRL		= 0x06,
	NVME_CNS_CS_NS_ACTIVE_LIST	= 0x07,
	NVME_CNS_NS_CS_INDEP		= 0x08,
	NVME_CNS_NS_ALLOC_LIST		= 0x10,
	NVME_CNS_NS_ALLOC		= 0x11,
	NVME_CNS_NS_CTRL_LIST		= 0x12,
	NVME_CNS_CTRL_LIST		= 0x13,
	NVME_CNS_IOCS			= 0x1c,	/* I/O command set data structure */
};

#define NVME_CSI_NVM		0

/* Namespace identification descriptor types */
#define NVME_NIDT_EUI64		0x01
#define NVME_NIDT_NGUID		0x02
#define NVME_NIDT_UUID		0x03
#define NVME_NIDT_CSI		0x04

/* Log page identifiers */
enum nvme_log_id {
	NVME_LOG_ERROR			= 0x01,
	NVME_LOG_SMART			= 0x02,
	NVME_LOG_FW_SLOT		= 0x03,
	NVME_LOG_CHANGED_NS		= 0x04,
	NVME_LOG_CMD_EFFECTS		= 0x05,
	NVME_LOG_OCP_SMART		= 0xc0,	/* OCP Datacenter NVMe SSD: SMART extended */
};

/* Feature identifiers */
enum nvme_feature_id {
	NVME_FEAT_ARBITRATION		= 0x01,
	NVME_FEAT_POWER_MGMT		= 0x02,
	NVME_FEAT_TEMP_THRESH		= 0x04,
	NVME_FEAT_ERR_RECOVERY		= 0x05,
	NVME_FEAT_VOLATILE_WC		= 0x06,
	NVME_FEAT_NUM_QUEUES		= 0x07,
	NVME_FEAT_IRQ_COALESCE		= 0x08,
	NVME_FEAT_IRQ_CONFIG		= 0x09,
	NVME_FEAT_WRITE_ATOMIC		= 0x0a,
	NVME_FEAT_ASYNC_EVENT		= 0x0b,
	NVME_FEAT_IOCS_PROFILE		= 0x19,
};

/* Asynchronous event types and information */
#define NVME_AER_TYPE_ERROR		0
#define NVME_AER_TYPE_SMART		1
#define NVME_AER_ERROR_INVALID_DB_WRITE	0x01
#define NVME_AER_ERROR_INVALID_DB	0x00
#define NVME_AER_SMART_TEMP		0x01
#define NVME_AER_TYPE_NOTICE		2
#define NVME_AER_NOTICE_NS_CHANGED	0x00
#define NVME_AEN_CFG_NS_ATTR		(1u << 8)	/* Asynchronous Event Configuration */
#define NVME_OAES_NS_ATTR		(1u << 8)
#define NVME_OACS_NS_MGMT		(1u << 3)

/* Commands Supported and Effects log entry bits */
#define NVME_CSE_CSUPP		(1u << 0)
#define NVME_CSE_LBCC		(1u << 1)
#define NVME_CSE_NCC		(1u << 2)
#define NVME_CSE_NIC		(1u << 3)
#define NVME_CSE_CSE_CTRL	(2u << 16)	/* no other command outstanding on the controller */

/* ONCS bits */
#define NVME_ONCS_COMPARE	(1u << 0)
#define NVME_ONCS_DSM		(1u << 2)
#define NVME_ONCS_WRITE_ZEROES	(1u << 3)
#define NVME_ONCS_SAVE_SELECT	(1u << 4)
#define NVME_ONCS_VERIFY	(1u << 7)

/* DSM attributes */
#define NVME_DSM_AD		(1u << 2)

/* Little-endian field helpers for data structures */
static inline void nvme_put8(u8 *p, u32 off, u8 v) { p[off] = v; }
static inline void nvme_put16(u8 *p, u32 off, u16 v)
{
	p[off] = (u8)(v & 0xff);
	p[off + 1] = (u8)(v >> 8);
}

static inline void nvme_put32(u8 *p, u32 off, u32 v)
{
	nvme_put16(p, off, (u16)(v & 0xffff));
	nvme_put16(p, off + 2, (u16)(v >> 16));
}

static inline void nvme_put64(u8 *p, u32 off, u64 v)
{
	nvme_put32(p, off, (u32)(v & 0xffffffff));
	nvme_put32(p, off + 4, (u32)(v >> 32));
}

static inline u16 nvme_get16(const u8 *p, u32 off)
{
	return (u16)(p[off] | (p[off + 1] << 8));
}

static inline u32 nvme_get32(const u8 *p, u32 off)
{
	return nvme_get16(p, off) | ((u32)nvme_get16(p, off + 2) << 16);
}

static inline u64 nvme_get64(const u8 *p, u32 off)
{
	return nvme_get32(p, off) | ((u64)nvme_get32(p, off + 4) << 32);
}

/* Space-padded ASCII field, as Identify strings are */
static inline void nvme_put_str(u8 *p, u32 off, u32 len, const char *s)
{
	u32 i;

	for (i = 0; i < len; i++)
		p[off + i] = *s ? (u8)*s++ : ' ';
}

/*
 * A submission queue entry as the model sees it: copied out of host memory
 * once, decoded into named dwords.
 */
struct nvme_sqe {
	u32 dw[16];
};

static inline u8 nvme_sqe_opcode(const struct nvme_sqe *c) { return c->dw[0] & 0xff; }
static inline u8 nvme_sqe_fuse(const struct nvme_sqe *c) { return (c->dw[0] >> 8) & 0x3; }
static inline u8 nvme_sqe_psdt(const struct nvme_sqe *c) { return (c->dw[0] >> 14) & 0x3; }
static inline u16 nvme_sqe_cid(const struct nvme_sqe *c) { return c->dw[0] >> 16; }
static inline u32 nvme_sqe_nsid(const struct nvme_sqe *c) { return c->dw[1]; }
static inline u64 nvme_sqe_prp1(const struct nvme_sqe *c)
{
	return c->dw[6] | ((u64)c->dw[7] << 32);
}

static inline u64 nvme_sqe_prp2(const struct nvme_sqe *c)
{
	return c->dw[8] | ((u64)c->dw[9] << 32);
}

#endif /* NVMEV_NVME_H */
