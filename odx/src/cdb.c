/* SPDX-License-Identifier: MIT */
/* CDB and parameter-list builders (pure functions). */
#include <string.h>

#include <vitk/scsi.h>

int vitk_scsi_cdb_inquiry(uint8_t cdb[6], bool evpd, uint8_t page, uint16_t alloc_len)
{
	if (!evpd && page)
		return vitk_error_set(VITK_EINVAL, 0, "INQUIRY: page code 0x%02x needs EVPD", page);
	memset(cdb, 0, 6);
	cdb[0] = VITK_SCSI_OP_INQUIRY;
	cdb[1] = evpd ? 1 : 0;
	cdb[2] = page;
	vitk_put_be16(cdb + 3, alloc_len);
	return 6;
}

int vitk_scsi_cdb_read_capacity16(uint8_t cdb[16], uint32_t alloc_len)
{
	memset(cdb, 0, 16);
	cdb[0] = VITK_SCSI_OP_SERVICE_ACTION_IN16;
	cdb[1] = VITK_SCSI_SA_READ_CAPACITY16;
	vitk_put_be32(cdb + 10, alloc_len);
	return 16;
}

static int rw16(uint8_t cdb[16], uint8_t op, uint64_t lba, uint32_t blocks)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	vitk_put_be64(cdb + 2, lba);
	vitk_put_be32(cdb + 10, blocks);
	return 16;
}

int vitk_scsi_cdb_read16(uint8_t cdb[16], uint64_t lba, uint32_t blocks)
{
	return rw16(cdb, VITK_SCSI_OP_READ16, lba, blocks);
}

int vitk_scsi_cdb_write16(uint8_t cdb[16], uint64_t lba, uint32_t blocks)
{
	return rw16(cdb, VITK_SCSI_OP_WRITE16, lba, blocks);
}

int vitk_scsi_cdb_write_same16(uint8_t cdb[16], uint64_t lba, uint32_t blocks)
{
	if (blocks == 0) /* 0 means "to the end of the medium" on some devices: never send it */
		return vitk_error_set(VITK_EINVAL, 0, "WRITE SAME(16): number of blocks is 0");
	return rw16(cdb, VITK_SCSI_OP_WRITE_SAME16, lba, blocks);
}

static int tpc_out(uint8_t cdb[16], uint8_t sa, uint32_t list_id, uint32_t param_len,
		   uint8_t group)
{
	if (group > 0x1F)
		return vitk_error_set(VITK_EINVAL, 0, "THIRD PARTY COPY OUT: group number %u > 31",
				      group);
	memset(cdb, 0, 16);
	cdb[0] = VITK_SCSI_OP_3PC_OUT;
	cdb[1] = sa;
	vitk_put_be32(cdb + 6, list_id);
	vitk_put_be32(cdb + 10, param_len);
	cdb[14] = group;
	return 16;
}

int vitk_scsi_cdb_extended_copy_lid1(uint8_t cdb[16], uint32_t param_len)
{
	/* LID1: the list identifier is inside the parameter list, bytes 2-9 reserved */
	return tpc_out(cdb, VITK_SCSI_SA_XCOPY_LID1, 0, param_len, 0);
}

int vitk_scsi_cdb_populate_token(uint8_t cdb[16], uint32_t list_id, uint32_t param_len,
				 uint8_t group)
{
	return tpc_out(cdb, VITK_SCSI_SA_POPULATE_TOKEN, list_id, param_len, group);
}

int vitk_scsi_cdb_write_using_token(uint8_t cdb[16], uint32_t list_id, uint32_t param_len,
				    uint8_t group)
{
	return tpc_out(cdb, VITK_SCSI_SA_WRITE_USING_TOKEN, list_id, param_len, group);
}

int vitk_scsi_cdb_copy_operation_abort(uint8_t cdb[16], uint32_t list_id)
{
	memset(cdb, 0, 16);
	cdb[0] = VITK_SCSI_OP_3PC_OUT;
	cdb[1] = VITK_SCSI_SA_COPY_OPERATION_ABORT;
	vitk_put_be32(cdb + 2, list_id);
	return 16;
}

int vitk_scsi_cdb_receive_copy(uint8_t cdb[16], uint8_t sa, uint32_t list_id, uint32_t alloc_len)
{
	if (sa > 0x1F)
		return vitk_error_set(VITK_EINVAL, 0, "THIRD PARTY COPY IN: service action 0x%x",
				      sa);
	memset(cdb, 0, 16);
	cdb[0] = VITK_SCSI_OP_3PC_IN;
	cdb[1] = sa;
	if (sa <= VITK_SCSI_SA_RCFD_LID1) {
		if (list_id > 0xFF)
			return vitk_error_set(VITK_EINVAL, 0,
					      "RECEIVE COPY (LID1): list id %u does not fit in 1 byte",
					      list_id);
		cdb[2] = (uint8_t)list_id;
	} else {
		vitk_put_be32(cdb + 2, list_id);
	}
	vitk_put_be32(cdb + 10, alloc_len);
	return 16;
}

int vitk_scsi_cscd_e4_build(uint8_t out[32], const vitk_scsi_designator *d, uint32_t block_size)
{
	if (!d || !d->found)
		return vitk_error_set(VITK_EINVAL, 0, "CSCD 0xE4: device has no usable designator");
	if (d->len > 20)
		return vitk_error_set(VITK_EINVAL, 0, "CSCD 0xE4: designator length %u > 20",
				      d->len);
	if (block_size == 0 || block_size > 0xFFFFFF)
		return vitk_error_set(VITK_EINVAL, 0, "CSCD 0xE4: block size %u out of range",
				      block_size);
	memset(out, 0, 32);
	out[0] = VITK_SCSI_CSCD_IDENTIFICATION;
	out[1] = 0x00; /* LU ID type 0, NUL 0, peripheral device type 0 (disk) */
	memcpy(out + 4, d->raw, 4u + d->len);
	out[4 + 3] = d->len;
	vitk_put_be24(out + 29, block_size);
	return 32;
}

int vitk_scsi_xcopy_lid1_build(uint8_t *out, size_t cap, uint8_t list_id, uint8_t list_id_usage,
			       uint8_t priority, const uint8_t *cscds, size_t ncscd,
			       const vitk_scsi_segment *segs, size_t nseg)
{
	size_t seg_len = 0, need, off, i;

	if (list_id_usage > 3 || priority > 7)
		return vitk_error_set(VITK_EINVAL, 0, "EXTENDED COPY: bad list id usage/priority");
	if (ncscd == 0 || ncscd > 0xFFFF / 32)
		return vitk_error_set(VITK_EINVAL, 0, "EXTENDED COPY: %zu CSCD descriptors", ncscd);
	for (i = 0; i < nseg; i++) {
		if (segs[i].type == VITK_SCSI_SEG_BLOCK_TO_BLOCK)
			seg_len += VITK_SCSI_SEG02_LEN;
		else if (segs[i].type == VITK_SCSI_SEG_BLOCK_TO_BLOCK_OFFSET)
			seg_len += VITK_SCSI_SEG0A_LEN;
		else
			return vitk_error_set(VITK_EINVAL, 0,
					      "EXTENDED COPY: segment type 0x%02x not supported",
					      segs[i].type);
		if (segs[i].type == VITK_SCSI_SEG_BLOCK_TO_BLOCK && segs[i].count > VITK_SCSI_SEG02_MAX_BLOCKS)
			return vitk_error_set(VITK_EINVAL, 0,
					      "EXTENDED COPY: segment 0x02 count %u > 65535 blocks",
					      segs[i].count);
		if (segs[i].src_index >= ncscd || segs[i].dst_index >= ncscd)
			return vitk_error_set(VITK_EINVAL, 0,
					      "EXTENDED COPY: segment %zu CSCD index out of range", i);
	}
	need = VITK_SCSI_XCOPY_HDR_LEN + ncscd * 32 + seg_len;
	if (need > cap)
		return vitk_error_set(VITK_ERANGE, 0,
				      "EXTENDED COPY: parameter list needs %zu bytes, buffer %zu",
				      need, cap);
	memset(out, 0, need);
	out[0] = list_id;
	out[1] = (uint8_t)((list_id_usage << 3) | priority);
	vitk_put_be16(out + 2, (uint16_t)(ncscd * 32));
	vitk_put_be32(out + 8, (uint32_t)seg_len);
	/* inline data length (12-15) stays 0 */
	memcpy(out + 16, cscds, ncscd * 32);
	off = 16 + ncscd * 32;
	for (i = 0; i < nseg; i++) {
		const vitk_scsi_segment *s = &segs[i];
		uint8_t *p = out + off;

		p[0] = s->type;
		p[1] = (uint8_t)((s->dc ? 2 : 0) | (s->cat ? 1 : 0));
		vitk_put_be16(p + 4, s->src_index);
		vitk_put_be16(p + 6, s->dst_index);
		if (s->type == VITK_SCSI_SEG_BLOCK_TO_BLOCK) {
			vitk_put_be16(p + 2, 0x18);
			vitk_put_be16(p + 10, (uint16_t)s->count);
			off += VITK_SCSI_SEG02_LEN;
		} else {
			vitk_put_be16(p + 2, 0x1C);
			vitk_put_be32(p + 8, s->count);
			vitk_put_be16(p + 28, s->src_offset);
			vitk_put_be16(p + 30, s->dst_offset);
			off += VITK_SCSI_SEG0A_LEN;
		}
		vitk_put_be64(p + 12, s->src_lba);
		vitk_put_be64(p + 20, s->dst_lba);
	}
	return (int)need;
}

static void put_ranges(uint8_t *p, const vitk_scsi_range *ranges, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		vitk_put_be64(p + i * 16, ranges[i].lba);
		vitk_put_be32(p + i * 16 + 8, ranges[i].blocks);
	}
}

int vitk_scsi_populate_token_build(uint8_t *out, size_t cap, bool immed, uint32_t rod_type,
				   uint32_t inactivity_timeout, const vitk_scsi_range *ranges,
				   size_t nranges)
{
	size_t need = VITK_SCSI_PT_HDR_LEN + nranges * 16;

	if (nranges == 0 || nranges > 0xFFFF / 16)
		return vitk_error_set(VITK_EINVAL, 0, "POPULATE TOKEN: %zu range descriptors",
				      nranges);
	if (need > cap)
		return vitk_error_set(VITK_ERANGE, 0, "POPULATE TOKEN: buffer too small");
	memset(out, 0, need);
	vitk_put_be16(out, (uint16_t)(need - 2));
	out[2] = (uint8_t)((rod_type ? 2 : 0) | (immed ? 1 : 0));
	vitk_put_be32(out + 4, inactivity_timeout);
	vitk_put_be32(out + 8, rod_type);
	vitk_put_be16(out + 14, (uint16_t)(nranges * 16));
	put_ranges(out + 16, ranges, nranges);
	return (int)need;
}

int vitk_scsi_write_using_token_build(uint8_t *out, size_t cap, bool immed, bool del_tkn,
				      uint64_t offset_into_rod, const uint8_t token[512],
				      const vitk_scsi_range *ranges, size_t nranges)
{
	size_t need = VITK_SCSI_WUT_HDR_LEN + nranges * 16;

	if (nranges == 0 || nranges > 0xFFFF / 16)
		return vitk_error_set(VITK_EINVAL, 0, "WRITE USING TOKEN: %zu range descriptors",
				      nranges);
	if (need > cap)
		return vitk_error_set(VITK_ERANGE, 0, "WRITE USING TOKEN: buffer too small");
	memset(out, 0, need);
	vitk_put_be16(out, (uint16_t)(need - 2));
	out[2] = (uint8_t)((del_tkn ? 2 : 0) | (immed ? 1 : 0));
	vitk_put_be64(out + 8, offset_into_rod);
	memcpy(out + 16, token, 512);
	vitk_put_be16(out + 534, (uint16_t)(nranges * 16));
	put_ranges(out + 536, ranges, nranges);
	return (int)need;
}

void vitk_scsi_rod_token_zero(uint8_t out[512])
{
	memset(out, 0, VITK_SCSI_ROD_TOKEN_LEN);
	vitk_put_be32(out, VITK_SCSI_ROD_TYPE_ZERO);
	vitk_put_be16(out + 6, VITK_SCSI_ROD_TOKEN_LENGTH_FIELD);
}

int vitk_scsi_rrti_build(uint8_t *out, size_t cap, const vitk_scsi_rrti *in)
{
	size_t need = 32 + in->sense_len + (in->has_token ? 4 + 2 + 512 : 4);

	if (need > cap)
		return vitk_error_set(VITK_ERANGE, 0, "RRTI: buffer too small");
	memset(out, 0, need);
	vitk_put_be32(out, (uint32_t)(need - 4));
	out[4] = in->response_to_sa & 0x1F;
	out[5] = in->copy_status & 0x7F;
	vitk_put_be16(out + 6, in->operation_counter);
	vitk_put_be32(out + 8, in->status_update_delay_ms);
	out[12] = in->completion_status;
	out[13] = in->sense_len;
	out[14] = in->sense_len;
	out[15] = in->transfer_count_units;
	vitk_put_be64(out + 16, in->transfer_count);
	vitk_put_be16(out + 24, in->segments_processed);
	memcpy(out + 32, in->sense, in->sense_len);
	if (in->has_token) {
		vitk_put_be32(out + 32 + in->sense_len, 2 + 512);
		memcpy(out + 32 + in->sense_len + 6, in->token, 512);
	}
	return (int)need;
}
