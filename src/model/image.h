/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Namespace images: every allocated namespace of a controller (its data,
 * its deallocation map, and room for its command set's and media model's
 * state) as one versioned, checksummed byte stream, produced by a save and
 * consumed by a restore while the controller is paused and quiesced
 * (nvmev_ctrl_pause). The layout, all little-endian:
 *
 *   header, 4096 bytes:
 *     0  "NVMEVIMG"   8  version (1)   12 header bytes (4096)
 *     16 total bytes of the image, trailer included
 *     24 namespaces   28 crc32c of the header with this field zero
 *     32 storage bytes of the device that saved it
 *     64 one 80-byte descriptor per namespace, in NSID order:
 *        0 NSID  4 CSI  5 log2 block size  6 attached  8 command set name (8)
 *        16 media model name (16)  32 size in bytes
 *        40 deallocation map bytes  48 command set state bytes
 *        56 media model state bytes  64 data bytes
 *   per namespace, each section padded with zeroes to a multiple of 4096:
 *     deallocation map (bit n set: block n reads as zeroes), command set
 *     state, media model state, data (deallocated blocks as zeroes)
 *   trailer, 4096 bytes:
 *     0 "NVMEVEND"  8 version  12 crc32c of every byte before the trailer
 *     16 total bytes
 *
 * A restore goes only into namespaces of the same NSIDs, command sets,
 * media models, block sizes and sizes; anything else is refused before a
 * byte of data is written. A restore that fails later (bad checksum, short
 * image) leaves its namespaces empty, never half-restored.
 */
#ifndef NVMEV_IMAGE_H
#define NVMEV_IMAGE_H

#include "ctrl.h"

#define NVMEV_IMAGE_VERSION	1
#define NVMEV_IMAGE_BLOCK	4096u	/* header, trailer, section alignment */
#define NVMEV_IMAGE_DESC	80u

enum nvmev_image_err {
	NVMEV_IMAGE_OK = 0,
	NVMEV_IMAGE_EINVAL = -1,	/* not an image, or not one for these namespaces */
	NVMEV_IMAGE_ECRC = -2,		/* damaged: checksum, or longer or shorter than it says */
	NVMEV_IMAGE_EABORT = -3,	/* ended early by nvmev_image_abort() */
};

struct nvmev_image_ns {
	u32 nsid;
	u64 map_off;		/* stream offsets of its sections */
	u64 map_len;		/* bytes of map that are the map (the rest is padding) */
	u64 data_off;
	u64 data_len;
	u64 end;		/* end of its last section */
};

struct nvmev_image {
	struct nvmev_ctrl *c;
	bool restore;
	bool done;		/* the trailer checked out (restore) or was produced (save) */
	int error;
	u32 nr;
	u32 crc;		/* of the stream so far, up to the trailer */
	u64 pos;
	u64 total;
	struct nvmev_image_ns ns[NVMEV_MAX_NS];
	u8 hdr[NVMEV_IMAGE_BLOCK];
	u8 trailer[NVMEV_IMAGE_BLOCK];
};

/* Save: the image of @c's allocated namespaces, read in order. */
void nvmev_image_save_begin(struct nvmev_image *img, struct nvmev_ctrl *c);
/* The next bytes of the image into @buf; 0 at its end. */
u32 nvmev_image_save_read(struct nvmev_image *img, u8 *buf, u32 len);

void nvmev_image_restore_begin(struct nvmev_image *img, struct nvmev_ctrl *c);
/* The next @len bytes of an image; 0 or an enum nvmev_image_err. */
int nvmev_image_restore_write(struct nvmev_image *img, const u8 *buf, u32 len);
/* The writer is done: 0 when a whole image was restored or nothing was written. */
int nvmev_image_restore_end(struct nvmev_image *img);
/*
 * End a save or restore before its end (the host glue must unpause): a
 * restore that may have written data leaves its namespaces empty.
 */
void nvmev_image_abort(struct nvmev_image *img);

/* Once, before the first image (nvmev_ctrl_init calls it): the CRC tables. */
void nvmev_image_init(void);
u32 nvmev_crc32c(u32 crc, const void *buf, u64 len);

#endif /* NVMEV_IMAGE_H */
