/* SPDX-License-Identifier: MIT */
/* Parsers for device responses (pure functions, every length checked). */
#include <stdio.h>
#include <string.h>

#include <vitk/scsi.h>

#define BAD(...) vitk_error_set(VITK_EINVAL, 0, __VA_ARGS__)

static void copy_trim(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < cap; i++) {
		uint8_t c = src[i];

		dst[o++] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
	}
	while (o > 0 && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
	/* leading spaces too (serial numbers are often right-justified) */
	for (i = 0; dst[i] == ' '; i++)
		;
	if (i)
		memmove(dst, dst + i, o - i + 1);
}

int vitk_scsi_inquiry_parse(vitk_scsi_inquiry *out, const uint8_t *buf, size_t len)
{
	size_t have;

	memset(out, 0, sizeof(*out));
	if (len < 8)
		return BAD("INQUIRY: standard data truncated (%zu bytes, need 8)", len);
	out->peripheral_qualifier = buf[0] >> 5;
	out->device_type = buf[0] & 0x1F;
	out->version = buf[2];
	out->tpc = (buf[5] & 0x08) != 0;
	have = 5u + buf[4];
	if (have > len)
		have = len;
	if (have > 8)
		copy_trim(out->vendor, sizeof(out->vendor), buf + 8, (have < 16 ? have : 16) - 8);
	if (have > 16)
		copy_trim(out->product, sizeof(out->product), buf + 16,
			  (have < 32 ? have : 32) - 16);
	if (have > 32)
		copy_trim(out->revision, sizeof(out->revision), buf + 32,
			  (have < 36 ? have : 36) - 32);
	return 0;
}

/* common VPD header check; returns the page length (bytes after the header) */
static int vpd_header(const uint8_t *buf, size_t len, uint8_t page, size_t *plen)
{
	size_t n;

	if (len < 4)
		return BAD("VPD page 0x%02x: truncated header (%zu bytes, need 4)", page, len);
	if (buf[1] != page)
		return BAD("VPD page 0x%02x: page code field is 0x%02x", page, buf[1]);
	n = vitk_get_be16(buf + 2);
	if (4 + n > len)
		return BAD("VPD page 0x%02x: page length %zu exceeds the %zu bytes returned", page,
			   n, len - 4);
	*plen = n;
	return 0;
}

int vitk_scsi_vpd_pages_parse(vitk_scsi_vpd_pages *out, const uint8_t *buf, size_t len)
{
	size_t n, i;
	int r;

	memset(out, 0, sizeof(*out));
	r = vpd_header(buf, len, VITK_SCSI_VPD_SUPPORTED_PAGES, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n && out->count < VITK_SCSI_VPD_MAX_PAGES; i++)
		out->pages[out->count++] = buf[4 + i];
	return 0;
}

bool vitk_scsi_vpd_pages_has(const vitk_scsi_vpd_pages *p, uint8_t page)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (p->pages[i] == page)
			return true;
	return false;
}

int vitk_scsi_vpd_serial_parse(char *out, size_t cap, const uint8_t *buf, size_t len)
{
	size_t n;
	int r;

	if (cap == 0)
		return BAD("VPD page 0x80: no room for the serial number");
	out[0] = '\0';
	r = vpd_header(buf, len, VITK_SCSI_VPD_UNIT_SERIAL, &n);
	if (r < 0)
		return r;
	copy_trim(out, cap, buf + 4, n);
	return 0;
}

static int desig_rank(uint8_t type)
{
	switch (type) {
	case VITK_SCSI_DESIG_NAA: return 4;
	case VITK_SCSI_DESIG_EUI64: return 3;
	case VITK_SCSI_DESIG_T10: return 2;
	case VITK_SCSI_DESIG_VENDOR: return 1;
	default: return 0;
	}
}

int vitk_scsi_vpd_devid_parse(vitk_scsi_designator *out, const uint8_t *buf, size_t len)
{
	size_t n, off;
	int best = 0, r;

	memset(out, 0, sizeof(*out));
	r = vpd_header(buf, len, VITK_SCSI_VPD_DEVICE_ID, &n);
	if (r < 0)
		return r;
	off = 4;
	while (off < 4 + n) {
		const uint8_t *d = buf + off;
		size_t dlen;
		uint8_t assoc, type;

		if (off + 4 > 4 + n)
			return BAD("VPD page 0x83: designation descriptor header at byte %zu "
				   "truncated",
				   off);
		dlen = d[3];
		if (off + 4 + dlen > 4 + n)
			return BAD("VPD page 0x83: designator length %zu at byte %zu runs past the "
				   "page end",
				   dlen, off);
		assoc = (d[1] >> 4) & 3;
		type = d[1] & 0x0F;
		if (assoc == 0 && dlen <= 20 && desig_rank(type) > best) {
			size_t i, o = 0;

			best = desig_rank(type);
			out->found = true;
			out->code_set = d[0] & 0x0F;
			out->association = assoc;
			out->type = type;
			out->len = (uint8_t)dlen;
			memcpy(out->raw, d, 4 + dlen);
			if (out->code_set == 2 || out->code_set == 3) {
				copy_trim(out->text, sizeof(out->text), d + 4, dlen);
			} else {
				for (i = 0; i < dlen && o + 3 <= sizeof(out->text); i++)
					o += (size_t)snprintf(out->text + o, sizeof(out->text) - o,
							      "%02x", d[4 + i]);
			}
		}
		off += 4 + dlen;
	}
	return 0;
}

int vitk_scsi_vpd_block_limits_parse(vitk_scsi_vpd_block_limits *out, const uint8_t *buf,
				     size_t len)
{
	size_t n, end;
	int r;

	memset(out, 0, sizeof(*out));
	r = vpd_header(buf, len, VITK_SCSI_VPD_BLOCK_LIMITS, &n);
	if (r < 0)
		return r;
	end = 4 + n;
	if (end >= 8)
		out->optimal_transfer_granularity = vitk_get_be16(buf + 6);
	if (end >= 12)
		out->max_transfer_length = vitk_get_be32(buf + 8);
	if (end >= 16)
		out->optimal_transfer_length = vitk_get_be32(buf + 12);
	if (end >= 24)
		out->max_unmap_lba_count = vitk_get_be32(buf + 20);
	if (end >= 44)
		out->max_write_same_length = vitk_get_be64(buf + 36);
	return 0;
}

bool vitk_scsi_vpd_tpc_has_out(const vitk_scsi_vpd_tpc *t, uint8_t sa)
{
	return t->has_supported_cmds && sa < 32 && (t->sa_out & (1u << sa));
}

bool vitk_scsi_vpd_tpc_has_in(const vitk_scsi_vpd_tpc *t, uint8_t sa)
{
	return t->has_supported_cmds && sa < 32 && (t->sa_in & (1u << sa));
}

/* @d points at a descriptor of @dl bytes in total (4-byte header included) */
#define NEED(min)                                                                                  \
	do {                                                                                       \
		if (dl < (min))                                                                    \
			return BAD("VPD page 0x8f: descriptor 0x%04x length %zu too short "        \
				   "(need %u)",                                                    \
				   type, dl - 4, (unsigned)(min)-4);                               \
	} while (0)

/*
 * The ROD device type specific features descriptors inside ROD Token
 * Features (SPC-4 7.8.17.8): each has a 4-byte header (DESCRIPTOR FORMAT in
 * bits 7-5 and PERIPHERAL DEVICE TYPE in bits 4-0 of byte 0, DESCRIPTOR
 * LENGTH in bytes 2-3).  The block one (format 000b, type 00h, 7.8.17.8.2)
 * has a length of exactly 002Ch; any other length is a malformed page, as
 * sg_vpd treats it, not something to read fields out of.
 */
static int rod_features_subdescs(vitk_scsi_vpd_tpc *t, const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t sl;

		if (len - off < 4)
			return BAD("VPD page 0x8f: ROD device type specific descriptor at byte %zu "
				   "of the ROD token features truncated",
				   off);
		sl = 4u + vitk_get_be16(p + off + 2);
		if (sl > len - off)
			return BAD("VPD page 0x8f: ROD device type specific descriptor at byte %zu "
				   "has length %zu past the end (%zu)",
				   off, sl - 4, len - off - 4);
		if (p[off] == 0x00) { /* format 000b, peripheral device type 00h: block */
			const uint8_t *b = p + off;

			if (sl - 4 != VITK_SCSI_TPC_BLOCK_ROD_FEATURES_LEN)
				return BAD("VPD page 0x8f: block ROD device type specific features "
					   "descriptor length 0x%04zx (want 0x%04x)",
					   sl - 4, VITK_SCSI_TPC_BLOCK_ROD_FEATURES_LEN);
			t->has_block_rod = true;
			t->block_rod_granularity = vitk_get_be16(b + 6);
			t->block_rod_max_bytes = vitk_get_be64(b + 8);
			t->block_rod_optimal_bytes = vitk_get_be64(b + 16);
		}
		off += sl;
	}
	return 0;
}

static int tpc_desc(vitk_scsi_vpd_tpc *t, uint16_t type, const uint8_t *d, size_t dl)
{
	size_t i;

	switch (type) {
	case VITK_SCSI_TPC_ROD_LIMITS:
		NEED(36);
		t->has_rod_limits = true;
		t->max_range_descriptors = vitk_get_be16(d + 10);
		t->max_inactivity_timeout = vitk_get_be32(d + 12);
		t->default_inactivity_timeout = vitk_get_be32(d + 16);
		t->max_token_transfer_size = vitk_get_be64(d + 20);
		t->optimal_transfer_count = vitk_get_be64(d + 28);
		break;
	case VITK_SCSI_TPC_SUPPORTED_CMDS: {
		size_t ll, off;

		NEED(5);
		ll = d[4];
		if (5 + ll > dl)
			return BAD("VPD page 0x8f: supported commands list length %zu exceeds "
				   "descriptor length %zu",
				   ll, dl - 4);
		t->has_supported_cmds = true;
		off = 5;
		while (off < 5 + ll) {
			uint8_t op, nsa;

			if (off + 2 > 5 + ll)
				return BAD("VPD page 0x8f: supported commands entry at byte %zu "
					   "truncated",
					   off);
			op = d[off];
			nsa = d[off + 1];
			if (off + 2 + nsa > 5 + ll)
				return BAD("VPD page 0x8f: supported commands entry for opcode "
					   "0x%02x lists %u service actions past the end",
					   op, nsa);
			for (i = 0; i < nsa; i++) {
				uint8_t sa = d[off + 2 + i] & 0x1F;

				if (op == VITK_SCSI_OP_3PC_OUT)
					t->sa_out |= 1u << sa;
				else if (op == VITK_SCSI_OP_3PC_IN)
					t->sa_in |= 1u << sa;
			}
			off += 2u + nsa;
		}
		break;
	}
	case VITK_SCSI_TPC_PARAM_DATA:
		/* SPC-4 7.8.17.5: max inline data length at bytes 16-19 (sg_vpd reads 17;
		 * docs/scsi-third-party-copy.md) */
		NEED(20);
		t->has_param_data = true;
		t->max_cscd_count = vitk_get_be16(d + 8);
		t->max_segment_count = vitk_get_be16(d + 10);
		t->max_desc_list_length = vitk_get_be32(d + 12);
		t->max_inline_data_length = vitk_get_be32(d + 16);
		break;
	case VITK_SCSI_TPC_SUPPORTED_DESCS: {
		size_t cnt;

		NEED(5);
		cnt = d[4];
		if (5 + cnt > dl)
			return BAD("VPD page 0x8f: supported descriptors count %zu exceeds "
				   "descriptor length %zu",
				   cnt, dl - 4);
		t->has_supported_descs = true;
		for (i = 0; i < cnt && t->ndescs < VITK_SCSI_TPC_MAX_ITEMS; i++)
			t->descs[t->ndescs++] = d[5 + i];
		break;
	}
	case VITK_SCSI_TPC_CSCD_IDS: {
		size_t ll;

		NEED(6);
		ll = vitk_get_be16(d + 4);
		if (6 + ll > dl || ll % 2)
			return BAD("VPD page 0x8f: CSCD IDs list length %zu invalid for descriptor "
				   "length %zu",
				   ll, dl - 4);
		t->has_cscd_ids = true;
		for (i = 0; i < ll / 2 && t->ncscd_ids < VITK_SCSI_TPC_MAX_ITEMS; i++)
			t->cscd_ids[t->ncscd_ids++] = vitk_get_be16(d + 6 + 2 * i);
		break;
	}
	case VITK_SCSI_TPC_COPY_GROUP_ID: {
		size_t ll;

		NEED(5);
		ll = d[4];
		if (5 + ll > dl || ll > sizeof(t->copy_group_id))
			return BAD("VPD page 0x8f: copy group identifier length %zu invalid", ll);
		t->has_copy_group_id = true;
		t->copy_group_id_len = (uint8_t)ll;
		memcpy(t->copy_group_id, d + 5, ll);
		break;
	}
	case VITK_SCSI_TPC_ROD_FEATURES: {
		size_t ll;

		NEED(48);
		t->has_rod_features = true;
		t->remote_tokens = d[4] & 0x0F;
		t->min_token_lifetime = vitk_get_be32(d + 16);
		t->max_token_lifetime = vitk_get_be32(d + 20);
		t->max_token_inactivity_timeout = vitk_get_be32(d + 24);
		ll = vitk_get_be16(d + 46);
		if (48 + ll > dl)
			return BAD("VPD page 0x8f: ROD device type specific descriptors length %zu "
				   "exceeds descriptor length %zu",
				   ll, dl - 4);
		return rod_features_subdescs(t, d + 48, ll);
	}
	case VITK_SCSI_TPC_ROD_TYPES: {
		size_t ll;

		NEED(8);
		ll = vitk_get_be16(d + 6);
		if (8 + ll > dl || ll % 64)
			return BAD("VPD page 0x8f: ROD types descriptors length %zu invalid for "
				   "descriptor length %zu",
				   ll, dl - 4);
		t->has_rod_types = true;
		for (i = 0; i < ll / 64 && t->nrod_types < VITK_SCSI_TPC_MAX_ITEMS; i++) {
			const uint8_t *e = d + 8 + 64 * i;
			vitk_scsi_rod_type_desc *o = &t->rod_types[t->nrod_types++];

			o->rod_type = vitk_get_be32(e);
			o->ecpy_int = (e[4] & 0x80) != 0;
			o->token_in = (e[4] & 0x02) != 0;
			o->token_out = (e[4] & 0x01) != 0;
			o->preference = vitk_get_be16(e + 6);
		}
		break;
	}
	case VITK_SCSI_TPC_GENERAL_COPY_OPS:
		NEED(18);
		t->has_general_copy_ops = true;
		t->total_concurrent_copies = vitk_get_be32(d + 4);
		t->max_identified_concurrent_copies = vitk_get_be32(d + 8);
		t->max_segment_length = vitk_get_be32(d + 12);
		t->data_segment_granularity = d[16];
		t->inline_data_granularity = d[17];
		break;
	case VITK_SCSI_TPC_STREAM_COPY_OPS:
		NEED(8);
		t->has_stream_copy_ops = true;
		t->max_stream_transfer_size = vitk_get_be32(d + 4);
		break;
	case VITK_SCSI_TPC_HELD_DATA:
		NEED(9);
		t->has_held_data = true;
		t->held_data_limit = vitk_get_be32(d + 4);
		t->held_data_granularity = d[8];
		break;
	default:
		t->nunknown++;
		break;
	}
	return 0;
}
#undef NEED

int vitk_scsi_vpd_tpc_parse(vitk_scsi_vpd_tpc *out, const uint8_t *buf, size_t len)
{
	size_t n, off;
	int r;

	memset(out, 0, sizeof(*out));
	r = vpd_header(buf, len, VITK_SCSI_VPD_THIRD_PARTY_COPY, &n);
	if (r < 0)
		return r;
	off = 4;
	while (off < 4 + n) {
		uint16_t type;
		size_t dl;

		if (off + 4 > 4 + n)
			return BAD("VPD page 0x8f: descriptor header at byte %zu truncated", off);
		type = vitk_get_be16(buf + off);
		dl = 4u + vitk_get_be16(buf + off + 2);
		if (off + dl > 4 + n)
			return BAD("VPD page 0x8f: descriptor 0x%04x at byte %zu has length %zu past "
				   "the page end",
				   type, off, dl - 4);
		r = tpc_desc(out, type, buf + off, dl);
		if (r < 0)
			return r;
		off += dl;
	}
	return 0;
}

int vitk_scsi_capacity_parse(vitk_scsi_capacity *out, const uint8_t *buf, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (len < 12)
		return BAD("READ CAPACITY(16): data truncated (%zu bytes, need 12)", len);
	out->last_lba = vitk_get_be64(buf);
	out->block_size = vitk_get_be32(buf + 8);
	if (out->block_size == 0 || out->block_size > (1u << 24))
		return BAD("READ CAPACITY(16): logical block length %u is invalid",
			   out->block_size);
	if (len >= 16) {
		out->prot_en = buf[12] & 1;
		out->lbppbe = buf[13] & 0x0F;
		out->lbpme = (buf[14] & 0x80) != 0;
		out->lbprz = (buf[14] & 0x40) != 0;
		out->lowest_aligned_lba = vitk_get_be16(buf + 14) & 0x3FFF;
	}
	return 0;
}

int vitk_scsi_segment_parse(vitk_scsi_segment *out, const uint8_t *buf, size_t len)
{
	uint16_t dl;

	memset(out, 0, sizeof(*out));
	if (len < 4)
		return BAD("segment descriptor: truncated header (%zu bytes)", len);
	dl = vitk_get_be16(buf + 2);
	out->type = buf[0];
	out->dc = (buf[1] & 2) != 0;
	out->cat = (buf[1] & 1) != 0;
	if (buf[0] == VITK_SCSI_SEG_BLOCK_TO_BLOCK) {
		if (dl != 0x18)
			return BAD("segment descriptor 0x02: descriptor length 0x%04x (want 0x0018)",
				   dl);
		if (len < VITK_SCSI_SEG02_LEN)
			return BAD("segment descriptor 0x02: truncated (%zu bytes)", len);
		out->count = vitk_get_be16(buf + 10);
	} else if (buf[0] == VITK_SCSI_SEG_BLOCK_TO_BLOCK_OFFSET) {
		if (dl != 0x1C)
			return BAD("segment descriptor 0x0a: descriptor length 0x%04x (want 0x001c)",
				   dl);
		if (len < VITK_SCSI_SEG0A_LEN)
			return BAD("segment descriptor 0x0a: truncated (%zu bytes)", len);
		out->count = vitk_get_be32(buf + 8);
		out->src_offset = vitk_get_be16(buf + 28);
		out->dst_offset = vitk_get_be16(buf + 30);
	} else {
		return BAD("segment descriptor: unsupported type 0x%02x", buf[0]);
	}
	out->src_index = vitk_get_be16(buf + 4);
	out->dst_index = vitk_get_be16(buf + 6);
	out->src_lba = vitk_get_be64(buf + 12);
	out->dst_lba = vitk_get_be64(buf + 20);
	return 0;
}

int vitk_scsi_rcop_parse(vitk_scsi_rcop *out, const uint8_t *buf, size_t len)
{
	size_t total, cnt, i;

	memset(out, 0, sizeof(*out));
	if (len < 44)
		return BAD("RECEIVE COPY OPERATING PARAMETERS: data truncated (%zu bytes, need 44)",
			   len);
	total = 4u + vitk_get_be32(buf);
	if (total < 44)
		return BAD("RECEIVE COPY OPERATING PARAMETERS: available data %zu too short",
			   total - 4);
	if (total > len)
		total = len; /* allocation length truncated it; parse what we have */
	out->snlid = buf[4] & 1;
	out->max_cscd_count = vitk_get_be16(buf + 8);
	out->max_segment_count = vitk_get_be16(buf + 10);
	out->max_desc_list_length = vitk_get_be32(buf + 12);
	out->max_segment_length = vitk_get_be32(buf + 16);
	out->max_inline_data_length = vitk_get_be32(buf + 20);
	out->held_data_limit = vitk_get_be32(buf + 24);
	out->max_stream_transfer_size = vitk_get_be32(buf + 28);
	out->total_concurrent_copies = vitk_get_be16(buf + 34);
	out->max_concurrent_copies = buf[36];
	out->data_segment_granularity = buf[37];
	out->inline_data_granularity = buf[38];
	out->held_data_granularity = buf[39];
	cnt = buf[43];
	if (44 + cnt > total)
		return BAD("RECEIVE COPY OPERATING PARAMETERS: implemented descriptor list length "
			   "%zu exceeds the %zu bytes returned",
			   cnt, total - 44);
	for (i = 0; i < cnt && out->nimpl_descs < sizeof(out->impl_descs); i++)
		out->impl_descs[out->nimpl_descs++] = buf[44 + i];
	return 0;
}

bool vitk_scsi_rcop_has_desc(const vitk_scsi_rcop *r, uint8_t code)
{
	size_t i;

	for (i = 0; i < r->nimpl_descs; i++)
		if (r->impl_descs[i] == code)
			return true;
	return false;
}

int vitk_scsi_rcs_lid1_parse(vitk_scsi_rcs_lid1 *out, const uint8_t *buf, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (len < 12)
		return BAD("RECEIVE COPY STATUS(LID1): data truncated (%zu bytes, need 12)", len);
	if (4u + vitk_get_be32(buf) < 12)
		return BAD("RECEIVE COPY STATUS(LID1): available data %u too short",
			   vitk_get_be32(buf));
	out->hdd = (buf[4] & 0x80) != 0;
	out->status = buf[4] & 0x7F;
	out->segments_processed = vitk_get_be16(buf + 5);
	out->transfer_count_units = buf[7];
	out->transfer_count = vitk_get_be32(buf + 8);
	return 0;
}

int vitk_scsi_failure_details_parse(vitk_scsi_failure_details *out, const uint8_t *buf,
				    size_t len)
{
	size_t avail;

	memset(out, 0, sizeof(*out));
	if (len < 4)
		return BAD("RECEIVE COPY FAILURE DETAILS: data truncated (%zu bytes)", len);
	avail = vitk_get_be32(buf);
	if (avail == 0)
		return 0; /* no failure details held */
	if (len < 60)
		return BAD("RECEIVE COPY FAILURE DETAILS: data truncated (%zu bytes, need 60)",
			   len);
	out->copy_status = buf[56];
	out->sense_len = vitk_get_be16(buf + 58);
	if (out->sense_len > VITK_SCSI_SENSE_MAX)
		return BAD("RECEIVE COPY FAILURE DETAILS: sense data length %u > %u",
			   out->sense_len, VITK_SCSI_SENSE_MAX);
	if (60u + out->sense_len > len)
		return BAD("RECEIVE COPY FAILURE DETAILS: sense data length %u exceeds the %zu "
			   "bytes returned",
			   out->sense_len, len - 60);
	memcpy(out->sense, buf + 60, out->sense_len);
	return 0;
}

bool vitk_scsi_copy_status_in_progress(uint8_t status)
{
	return status >= VITK_SCSI_COPY_IN_PROGRESS_UNKNOWN &&
	       status <= VITK_SCSI_COPY_IN_PROGRESS_BG;
}

int vitk_scsi_rrti_parse(vitk_scsi_rrti *out, const uint8_t *buf, size_t len)
{
	size_t total, s, toff;

	memset(out, 0, sizeof(*out));
	if (len < 32)
		return BAD("RECEIVE ROD TOKEN INFORMATION: data truncated (%zu bytes, need 32)",
			   len);
	total = 4u + vitk_get_be32(buf);
	if (total < 32)
		return BAD("RECEIVE ROD TOKEN INFORMATION: available data %zu too short",
			   total - 4);
	if (total > len)
		total = len;
	out->response_to_sa = buf[4] & 0x1F;
	out->copy_status = buf[5] & 0x7F;
	out->operation_counter = vitk_get_be16(buf + 6);
	out->status_update_delay_ms = vitk_get_be32(buf + 8);
	out->completion_status = buf[12];
	s = buf[13];
	out->transfer_count_units = buf[15];
	out->transfer_count = vitk_get_be64(buf + 16);
	out->segments_processed = vitk_get_be16(buf + 24);
	if (32 + s > total)
		return BAD("RECEIVE ROD TOKEN INFORMATION: sense data field length %zu exceeds the "
			   "%zu bytes returned",
			   s, total - 32);
	if (buf[14] > s)
		return BAD("RECEIVE ROD TOKEN INFORMATION: sense data length %u > sense field "
			   "length %zu",
			   buf[14], s);
	out->sense_len = buf[14];
	memcpy(out->sense, buf + 32, out->sense_len);
	toff = 32 + s;
	if (toff + 4 <= total) {
		size_t tdl = vitk_get_be32(buf + toff);

		if (tdl > 0) {
			if (tdl < 2 + VITK_SCSI_ROD_TOKEN_LEN)
				return BAD("RECEIVE ROD TOKEN INFORMATION: ROD token descriptors "
					   "length %zu < 514",
					   tdl);
			if (toff + 4 + tdl > total)
				return BAD("RECEIVE ROD TOKEN INFORMATION: ROD token descriptors "
					   "length %zu exceeds the %zu bytes returned",
					   tdl, total - toff - 4);
			memcpy(out->token, buf + toff + 6, VITK_SCSI_ROD_TOKEN_LEN);
			out->has_token = true;
		}
	}
	return 0;
}

int vitk_scsi_rod_token_parse(vitk_scsi_rod_token *out, const uint8_t *buf, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (len < VITK_SCSI_ROD_TOKEN_LEN)
		return BAD("ROD token: truncated (%zu bytes, need 512)", len);
	out->rod_type = vitk_get_be32(buf);
	out->token_length = vitk_get_be16(buf + 6);
	if (out->token_length != VITK_SCSI_ROD_TOKEN_LENGTH_FIELD)
		return BAD("ROD token: token length field 0x%04x (want 0x01f8)", out->token_length);
	out->cm_token_id = vitk_get_be64(buf + 8);
	memcpy(out->creator_cscd, buf + 16, 32);
	if (vitk_get_be64(buf + 48) != 0)
		return BAD("ROD token: number of bytes represented exceeds 2^64");
	out->bytes_represented = vitk_get_be64(buf + 56);
	out->block_size = vitk_get_be32(buf + 96);
	if (out->rod_type == VITK_SCSI_ROD_TYPE_ZERO) {
		size_t i;

		out->is_zero_token = true;
		for (i = 8; i < VITK_SCSI_ROD_TOKEN_LEN; i++)
			if (buf[i])
				out->is_zero_token = false;
	}
	return 0;
}

const char *vitk_scsi_rod_type_str(uint32_t t)
{
	switch (t) {
	case 0x00000000u: return "copy manager internal";
	case 0x00010000u: return "access upon reference";
	case VITK_SCSI_ROD_TYPE_PIT_DEFAULT: return "point in time default";
	case 0x00800001u: return "point in time change vulnerable";
	case 0x00800002u: return "point in time persistent";
	case 0x00800003u: return "point in time copy on write";
	case VITK_SCSI_ROD_TYPE_PIT_ANY: return "point in time any";
	case VITK_SCSI_ROD_TYPE_ZERO: return "block device zero";
	default: break;
	}
	if (t >= 0xFFFFFFF0u)
		return "vendor specific";
	return "unknown";
}

int vitk_scsi_range_list_parse(vitk_scsi_range *out, size_t max, size_t *nout, const uint8_t *buf,
			       size_t len, size_t hdr_len)
{
	size_t dlen, ll, i, n;

	*nout = 0;
	if (hdr_len != VITK_SCSI_PT_HDR_LEN && hdr_len != VITK_SCSI_WUT_HDR_LEN)
		return BAD("range list: header length %zu is neither 16 nor 536", hdr_len);
	if (len < hdr_len)
		return BAD("range list: parameter list truncated (%zu bytes, need %zu)", len,
			   hdr_len);
	dlen = 2u + vitk_get_be16(buf);
	if (dlen > len)
		return BAD("range list: data length %zu exceeds the %zu bytes given", dlen - 2,
			   len);
	ll = vitk_get_be16(buf + hdr_len - 2);
	if (ll % 16)
		return BAD("range list: range descriptor list length %zu is not a multiple of 16",
			   ll);
	if (hdr_len + ll > dlen)
		return BAD("range list: range descriptor list length %zu exceeds the data length",
			   ll);
	n = ll / 16;
	if (n > max)
		return BAD("range list: %zu range descriptors, at most %zu accepted", n, max);
	for (i = 0; i < n; i++) {
		out[i].lba = vitk_get_be64(buf + hdr_len + 16 * i);
		out[i].blocks = vitk_get_be32(buf + hdr_len + 16 * i + 8);
	}
	*nout = n;
	return 0;
}

int vitk_scsi_transfer_count_blocks(uint8_t units, uint64_t count, uint32_t block_size,
				    uint64_t *blocks)
{
	unsigned shift;

	if (block_size == 0)
		return BAD("transfer count: block size 0");
	if (units == VITK_SCSI_UNITS_BLOCKS) {
		*blocks = count;
		return 0;
	}
	if (units > 0x06)
		return BAD("transfer count: unknown transfer count units 0x%02x", units);
	shift = 10u * units;
	if (shift && count > (UINT64_MAX >> shift))
		return BAD("transfer count: %llu x 2^%u bytes overflows", (unsigned long long)count,
			   shift);
	*blocks = (count << shift) / block_size;
	return 0;
}
