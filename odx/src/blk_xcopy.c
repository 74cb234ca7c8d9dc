/*
 * Multi-segment EXTENDED COPY (LID1) for the pieces of a block device or file
 * plan (SPC-4, EXTENDED COPY; docs/scsi-third-party-copy.md).  The pieces of
 * a plan (LVM PV segments, file extents) are packed into as few commands as
 * the copy managers allow: one identification CSCD (E4h, the VPD 83h
 * designator) per distinct device, then block -> block segment descriptors
 * (02h) that name the CSCDs by index.  Limits, the lowest over every device
 * of the plan (RECEIVE COPY OPERATING PARAMETERS):
 *
 * - MAXIMUM SEGMENT DESCRIPTOR COUNT and MAXIMUM CSCD DESCRIPTOR COUNT
 *   (0: not given; then 64 segments, as the LUN engine, and 2 CSCDs);
 * - MAXIMUM DESCRIPTOR LIST LENGTH (CSCD plus segment bytes);
 * - MAXIMUM SEGMENT LENGTH (bytes) and the 65535 blocks of a 02h descriptor:
 *   a longer piece becomes several segments, possibly across commands;
 * - inline and held data: none is used (02h segments with CAT = DC = 0, list
 *   identifier usage "discard"), so any limit, 0 included, is met.
 *
 * The command goes to the destination device of its first segment.  A piece
 * that a command leaves half done is finished by the next command, so a
 * command always covers consecutive blocks of the plan and the caller's
 * progress is the end of the last command that completed.
 *
 * Before a command is sent, every segment is checked against the caller's
 * destination ranges: a segment that would write anywhere else is an internal
 * error and nothing is sent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/error.h>
#include <vitk/scsi.h>
#include <vitk/scsi_constants.h>
#include <vitk/sys/odx_blk.h>

#include "odx_internal.h"

#define XC_DEFAULT_SEGMENTS 64
#define XC_DEFAULT_CSCDS 2

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

void vitk_odx_blk_xcopy_limits_get(vitk_odx_blk_xcopy_limits *out, vitk_odx_dev *const *devs,
				   size_t ndevs, uint64_t max_blocks_per_command)
{
	uint64_t segs = VITK_ODX_BLK_XCOPY_MAX_SEGMENTS, cscds = VITK_ODX_BLK_XCOPY_MAX_CSCDS;
	uint64_t list = UINT32_MAX, seg_blocks = VITK_SCSI_SEG02_MAX_BLOCKS;
	bool seg_given = false, cscd_given = false;

	for (size_t i = 0; i < ndevs; i++) {
		const vitk_odx_dev_info *in = vitk_odx_dev_get_info(devs[i]);
		const vitk_scsi_rcop *r = &in->rcop;

		if (!in->has_rcop)
			continue;
		if (r->max_segment_count) {
			segs = min64(segs, r->max_segment_count);
			seg_given = true;
		}
		if (r->max_cscd_count) {
			cscds = min64(cscds, r->max_cscd_count);
			cscd_given = true;
		}
		if (r->max_desc_list_length)
			list = min64(list, r->max_desc_list_length);
		if (r->max_segment_length && in->block_size)
			seg_blocks = min64(seg_blocks, r->max_segment_length / in->block_size);
	}
	if (!seg_given)
		segs = min64(segs, XC_DEFAULT_SEGMENTS);
	if (!cscd_given)
		cscds = min64(cscds, XC_DEFAULT_CSCDS);
	if (max_blocks_per_command)
		seg_blocks = min64(seg_blocks, max_blocks_per_command);
	out->max_segments = (size_t)(segs ? segs : 1);
	out->max_cscds = (size_t)(cscds ? cscds : 1);
	out->max_desc_list_length = (uint32_t)list;
	out->seg_blocks = seg_blocks ? seg_blocks : 1;
	out->cmd_blocks = max_blocks_per_command ? max_blocks_per_command : UINT64_MAX;
}

/* the same LU: the same designator (two handles may open one device) */
static bool same_designator(const vitk_odx_dev *a, const vitk_odx_dev *b)
{
	const vitk_scsi_designator *x = &vitk_odx_dev_get_info(a)->designator;
	const vitk_scsi_designator *y = &vitk_odx_dev_get_info(b)->designator;

	return a == b || (x->found && y->found && x->type == y->type && x->len == y->len &&
			  memcmp(x->raw + 4, y->raw + 4, x->len) == 0);
}

/* the CSCD index of device DEV in the command being built, adding one when there is room */
static int cscd_index(const vitk_odx_blk_xcopy *x, uint16_t *map, size_t *n, size_t cap,
		      uint16_t dev)
{
	for (size_t i = 0; i < *n; i++)
		if (same_designator(x->devs[map[i]], x->devs[dev]))
			return (int)i;
	if (*n >= cap)
		return -1;
	map[*n] = dev;
	return (int)(*n)++;
}

/* the segment's destination lies inside one allowed range of its device */
static bool allowed(const vitk_odx_blk_xcopy *x, uint16_t dev, uint64_t lba, uint64_t count)
{
	for (size_t i = 0; i < x->nallowed; i++) {
		const vitk_odx_blk_xpiece *a = &x->allowed[i];

		if (a->zero || !same_designator(x->devs[a->dst_dev], x->devs[dev]))
			continue;
		if (lba >= a->dst_lba && count <= a->count && lba - a->dst_lba <= a->count - count)
			return true;
	}
	return false;
}

int vitk_odx_blk_xcopy_pack(vitk_odx_blk_xcopy_cmd *out, const vitk_odx_blk_xcopy *x, size_t pos,
			    uint64_t off)
{
	const vitk_odx_blk_xcopy_limits *l = &x->limits;
	size_t cscd_cap = l->max_cscds, seg_cap = l->max_segments;

	memset(out, 0, sizeof(*out));
	if (cscd_cap > VITK_ODX_BLK_XCOPY_MAX_CSCDS)
		cscd_cap = VITK_ODX_BLK_XCOPY_MAX_CSCDS;
	if (seg_cap > VITK_ODX_BLK_XCOPY_MAX_SEGMENTS)
		seg_cap = VITK_ODX_BLK_XCOPY_MAX_SEGMENTS;
	out->end_pos = pos;
	out->end_off = off;
	while (out->end_pos < x->npieces && out->nseg < seg_cap && out->blocks < l->cmd_blocks) {
		const vitk_odx_blk_xpiece *p = &x->pieces[out->end_pos];
		uint16_t map[VITK_ODX_BLK_XCOPY_MAX_CSCDS];
		size_t nc = out->ncscd;
		vitk_scsi_segment *s = &out->seg[out->nseg];
		uint64_t b;
		int si, di;

		if (p->zero || p->src_dev >= x->ndevs || p->dst_dev >= x->ndevs)
			break;
		if (out->end_off >= p->count) { /* an empty remainder */
			out->end_pos++;
			out->end_off = 0;
			continue;
		}
		memcpy(map, out->dev, sizeof(map));
		si = cscd_index(x, map, &nc, cscd_cap, p->src_dev);
		di = si < 0 ? -1 : cscd_index(x, map, &nc, cscd_cap, p->dst_dev);
		if (si < 0 || di < 0)
			break; /* no room for another CSCD: the next command */
		/* MAXIMUM DESCRIPTOR LIST LENGTH: the CSCD and segment descriptors */
		if (nc * VITK_SCSI_CSCD_LEN + (out->nseg + 1) * VITK_SCSI_SEG02_LEN >
		    (uint64_t)l->max_desc_list_length)
			break;
		b = min64(min64(p->count - out->end_off, l->seg_blocks), l->cmd_blocks - out->blocks);
		memcpy(out->dev, map, sizeof(map));
		out->ncscd = nc;
		memset(s, 0, sizeof(*s));
		s->type = VITK_SCSI_SEG_BLOCK_TO_BLOCK;
		s->src_index = (uint16_t)si;
		s->dst_index = (uint16_t)di;
		s->count = (uint32_t)b;
		s->src_lba = p->src_lba + out->end_off;
		s->dst_lba = p->dst_lba + out->end_off;
		if (out->nseg == 0)
			out->receiver = p->dst_dev;
		out->nseg++;
		out->blocks += b;
		out->end_off += b;
		if (out->end_off == p->count) {
			out->end_pos++;
			out->end_off = 0;
		}
	}
	return out->nseg ? 0 : 1;
}

int vitk_odx_blk_xcopy_send(vitk_odx_blk_xcopy *x, const vitk_odx_blk_xcopy_cmd *c,
			    uint64_t *commands, char *why, size_t wlen)
{
	uint8_t cscd[VITK_ODX_BLK_XCOPY_MAX_CSCDS * VITK_SCSI_CSCD_LEN], cdb[16];
	uint8_t pl[VITK_SCSI_XCOPY_HDR_LEN + sizeof(cscd) +
		   VITK_ODX_BLK_XCOPY_MAX_SEGMENTS * VITK_SCSI_SEG02_LEN];
	vitk_odx_dev *rx;
	vitk_scsi_result res;
	int n, r;

	if (c->nseg == 0 || c->nseg > VITK_ODX_BLK_XCOPY_MAX_SEGMENTS || c->ncscd == 0 ||
	    c->ncscd > VITK_ODX_BLK_XCOPY_MAX_CSCDS || c->receiver >= x->ndevs)
		return vitk_error_set(VITK_EINVAL, 0, "EXTENDED COPY: %zu segments, %zu CSCDs",
				      c->nseg, c->ncscd);
	/* the range guarantee: no segment writes outside the requested destination ranges */
	for (size_t i = 0; i < c->nseg; i++) {
		const vitk_scsi_segment *s = &c->seg[i];

		if (s->dst_index >= c->ncscd || s->src_index >= c->ncscd || s->count == 0 ||
		    !allowed(x, c->dev[s->dst_index], s->dst_lba, s->count))
			return vitk_error_set(VITK_ERANGE, 0,
					      "internal error: EXTENDED COPY segment %zu (%u blocks at "
					      "LBA %llu) would write outside the destination ranges; "
					      "nothing sent",
					      i, s->count, (unsigned long long)s->dst_lba);
	}
	for (size_t i = 0; i < c->ncscd; i++) {
		const vitk_odx_dev_info *in = vitk_odx_dev_get_info(x->devs[c->dev[i]]);

		r = vitk_scsi_cscd_e4_build(cscd + i * VITK_SCSI_CSCD_LEN, &in->designator,
					    in->block_size);
		if (r < 0)
			return r;
	}
	rx = x->devs[c->receiver];
	for (int tries = 0;; tries++) {
		uint8_t lid = x->list_id ? x->list_id : 1;

		x->list_id = (uint8_t)(lid == 0xFF ? 1 : lid + 1);
		n = vitk_scsi_xcopy_lid1_build(pl, sizeof(pl), lid, VITK_SCSI_LIST_ID_USAGE_DISCARD, 0,
					       cscd, c->ncscd, c->seg, c->nseg);
		if (n < 0)
			return n;
		vitk_scsi_cdb_extended_copy_lid1(cdb, (uint32_t)n);
		r = vitk_odx__exec(rx, cdb, 16, NULL, 0, pl, (size_t)n, ODX_TIMEOUT_LONG_MS, &res);
		if (r < 0)
			return r;
		(*commands)++;
		/* OPERATION IN PROGRESS: the list identifier is in use, take the next one */
		if (res.status == VITK_SCSI_STATUS_CHECK_CONDITION && res.sense_ok &&
		    res.sense_parsed.asc == 0x00 && res.sense_parsed.ascq == 0x16 &&
		    tries < ODX_LID_RETRIES)
			continue;
		break;
	}
	if (res.status == VITK_SCSI_STATUS_GOOD)
		return 0;
	{
		char d[160];

		vitk_odx__describe(d, sizeof(d), &res);
		snprintf(why, wlen, "EXTENDED COPY of %zu segments: %s", c->nseg, d);
	}
	return 1;
}
