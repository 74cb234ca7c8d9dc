/* SPDX-License-Identifier: MIT */
/*
 * Pure parsers of the third-party-copy parameter lists an initiator sends:
 * EXTENDED COPY(LID1), POPULATE TOKEN and WRITE USING TOKEN.  Bytes in,
 * struct or sense triple out; no device state.  Layouts: SPC-4 / SBC-3 as
 * summarised in docs/scsi-third-party-copy.md, section 3.
 */
#include <string.h>

#include <vitk/common.h>

#include "dev_internal.h"

static int fail_at(tpc_sense *err, uint8_t key, uint16_t asc, int32_t field)
{
	err->key = key;
	err->asc = asc;
	err->field = field;
	return -1;
}

static int fail(tpc_sense *err, uint8_t key, uint16_t asc)
{
	return fail_at(err, key, asc, -1);
}

static int parse_cscd(const uint8_t *c, size_t at, tpc_cscd *out, tpc_sense *err)
{
	memset(out, 0, sizeof(*out));
	out->type = c[0];
	if (c[0] != VITK_SCSI_CSCD_IDENTIFICATION)
		return fail_at(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_UNSUPPORTED_TARGET_DESCRIPTOR, (int32_t)at);
	out->lu_id_type = c[1] >> 6;
	out->nul = c[1] & 0x20;
	out->pdt = c[1] & 0x1f;
	/*
	 * LU ID TYPE only says how the initiator named the LU to itself; the
	 * designator decides the match.  libiscsi 1.19's ValidTgtDescr sends a
	 * reserved value and expects success (later versions expect INVALID
	 * FIELD IN CDB); 1.19 is what this target is held to.
	 */
	out->code_set = c[4] & 0x0f;
	out->assoc = (c[5] >> 4) & 0x03;
	out->desig_type = c[5] & 0x0f;
	out->desig_len = c[7];
	if (out->desig_len > 20)
		return fail_at(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, (int32_t)at + 7);
	memcpy(out->desig, c + 8, out->desig_len);
	out->pad = c[28] & 0x04;
	out->block_len = vitk_get_be24(c + 29);
	return 0;
}

int tpc__parse_xcopy(const uint8_t *p, size_t len, tpc_xcopy_list *out, tpc_sense *err)
{
	size_t cscd_len, seg_len, inline_len, off, end, i;

	memset(out, 0, sizeof(*out));
	if (len < 16)
		return fail(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
	out->list_id = p[0];
	out->str = p[1] & 0x20;
	out->list_id_usage = (p[1] >> 3) & 0x03;
	out->priority = p[1] & 0x07;
	cscd_len = vitk_get_be16(p + 2);
	seg_len = vitk_get_be32(p + 8);
	inline_len = vitk_get_be32(p + 12);
	/* all three are bounded by 32 bits: the sum cannot overflow size_t on 64-bit */
	if ((uint64_t)16 + cscd_len + seg_len + inline_len > len)
		return fail(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
	if ((uint64_t)cscd_len + seg_len > TPC_MAX_DESC_LIST_LEN)
		return fail(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
	if (inline_len != 0) /* maximum inline data length is 0 */
		return fail_at(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, 12);
	if (out->list_id_usage == 1)
		return fail_at(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, 1);
	if (cscd_len % 32)
		return fail_at(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, 2);
	if (cscd_len / 32 > TPC_MAX_CSCD)
		return fail_at(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_TOO_MANY_TARGET_DESCRIPTORS, 2);
	out->ncscd = cscd_len / 32;
	for (i = 0; i < out->ncscd; i++)
		if (parse_cscd(p + 16 + 32 * i, 16 + 32 * i, &out->cscd[i], err) < 0)
			return -1;

	off = 16 + cscd_len;
	end = off + seg_len;
	while (off < end) {
		const uint8_t *s = p + off;
		size_t dlen;
		tpc_seg *g = NULL;

		if (end - off < 4)
			return fail(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
		dlen = vitk_get_be16(s + 2);
		if (s[0] != VITK_SCSI_SEG_BLOCK_TO_BLOCK && s[0] != VITK_SCSI_SEG_BLOCK_TO_BLOCK_OFFSET)
			return fail_at(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_UNSUPPORTED_SEGMENT_DESCRIPTOR,
				       (int32_t)off);
		if (out->nseg >= TPC_MAX_SEGMENTS)
			return fail_at(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_TOO_MANY_SEGMENT_DESCRIPTORS,
				       (int32_t)off);
		if ((s[0] == VITK_SCSI_SEG_BLOCK_TO_BLOCK && dlen != 0x18) ||
		    (s[0] == VITK_SCSI_SEG_BLOCK_TO_BLOCK_OFFSET && dlen != 0x1c))
			return fail_at(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST,
				       (int32_t)off + 2);
		if (end - off < dlen + 4)
			return fail(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
		g = &out->seg[out->nseg++];
		g->type = s[0];
		g->dc = s[1] & 0x02;
		g->cat = s[1] & 0x01;
		g->src = vitk_get_be16(s + 4);
		g->dst = vitk_get_be16(s + 6);
		if (s[0] == VITK_SCSI_SEG_BLOCK_TO_BLOCK)
			g->count = vitk_get_be16(s + 10);
		else
			g->count = vitk_get_be32(s + 8);
		g->src_lba = vitk_get_be64(s + 12);
		g->dst_lba = vitk_get_be64(s + 20);
		if (s[0] == VITK_SCSI_SEG_BLOCK_TO_BLOCK_OFFSET) {
			g->src_off = vitk_get_be16(s + 28);
			g->dst_off = vitk_get_be16(s + 30);
		}
		off += dlen + 4;
	}
	return 0;
}

static int parse_ranges(const uint8_t *p, size_t avail, size_t list_len, size_t max_ranges,
			int32_t len_field, tpc_range *out, size_t *n, tpc_sense *err)
{
	size_t i, cnt;

	if (list_len % 16)
		return fail_at(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, len_field);
	if (list_len > avail)
		return fail(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
	cnt = list_len / 16;
	if (cnt == 0)
		return fail_at(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, len_field);
	if (cnt > max_ranges || cnt > TPC_MAX_RANGES)
		return fail_at(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_TOO_MANY_SEGMENT_DESCRIPTORS, len_field);
	for (i = 0; i < cnt; i++) {
		out[i].lba = vitk_get_be64(p + 16 * i);
		out[i].nblocks = vitk_get_be32(p + 16 * i + 8);
	}
	*n = cnt;
	return 0;
}

int tpc__parse_pt(const uint8_t *p, size_t len, size_t max_ranges, tpc_pt_list *out,
		  tpc_sense *err)
{
	size_t dlen, rlen;

	memset(out, 0, sizeof(*out));
	if (len < 16)
		return fail(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
	dlen = vitk_get_be16(p);
	if (dlen + 2 > len || dlen + 2 < 16)
		return fail(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
	out->immed = p[2] & 0x01;
	out->rtv = p[2] & 0x02;
	out->inactivity_s = vitk_get_be32(p + 4);
	out->rod_type = out->rtv ? vitk_get_be32(p + 8) : VITK_SCSI_ROD_TYPE_PIT_DEFAULT;
	rlen = vitk_get_be16(p + 14);
	return parse_ranges(p + 16, dlen + 2 - 16, rlen, max_ranges, 14, out->ranges,
			    &out->nranges, err);
}

int tpc__parse_wut(const uint8_t *p, size_t len, size_t max_ranges, tpc_wut_list *out,
		   tpc_sense *err)
{
	size_t dlen, rlen;

	memset(out, 0, sizeof(*out));
	if (len < 536)
		return fail(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
	dlen = vitk_get_be16(p);
	if (dlen + 2 > len || dlen + 2 < 536)
		return fail(err, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
	out->immed = p[2] & 0x01;
	out->del_tkn = p[2] & 0x02;
	out->offset = vitk_get_be64(p + 8);
	memcpy(out->token, p + 16, VITK_SCSI_ROD_TOKEN_LEN);
	rlen = vitk_get_be16(p + 534);
	return parse_ranges(p + 536, dlen + 2 - 536, rlen, max_ranges, 534, out->ranges,
			    &out->nranges, err);
}
