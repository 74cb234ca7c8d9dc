/* SPDX-License-Identifier: MIT */
/* Golden byte vectors for every builder and parser (layouts: docs/scsi-third-party-copy.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vitk/scsi.h>

static void test_odx_codec__cdb_builders(void **state)
{
	uint8_t cdb[16];
	(void)state;

	static const uint8_t inq[6] = { 0x12, 0x01, 0x8F, 0x10, 0x00, 0x00 };
	assert_int_equal(vitk_scsi_cdb_inquiry(cdb, true, 0x8F, 4096), 6);
	assert_memory_equal(cdb, inq, 6);
	assert_int_equal(vitk_scsi_cdb_inquiry(cdb, false, 0x80, 96), VITK_EINVAL);

	static const uint8_t rc16[16] = { 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0 };
	assert_int_equal(vitk_scsi_cdb_read_capacity16(cdb, 32), 16);
	assert_memory_equal(cdb, rc16, 16);

	static const uint8_t rd[16] = { 0x88, 0, 0, 0, 0, 0, 0x01, 0x02, 0x03, 0x04,
					0,    0, 0x08, 0, 0, 0 };
	assert_int_equal(vitk_scsi_cdb_read16(cdb, 0x01020304, 2048), 16);
	assert_memory_equal(cdb, rd, 16);
	assert_int_equal(vitk_scsi_cdb_write16(cdb, 0x01020304, 2048), 16);
	assert_int_equal(cdb[0], 0x8A);
	assert_int_equal(vitk_scsi_cdb_write_same16(cdb, 7, 0), VITK_EINVAL);
	assert_int_equal(vitk_scsi_cdb_write_same16(cdb, 7, 9), 16);
	assert_int_equal(cdb[0], 0x93);
	assert_int_equal(cdb[9], 7);
	assert_int_equal(cdb[13], 9);

	/* XCOPY LID1: param length at CDB[10..13], nothing in 2-9 */
	static const uint8_t xc[16] = { 0x83, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x5C, 0, 0 };
	assert_int_equal(vitk_scsi_cdb_extended_copy_lid1(cdb, 92), 16);
	assert_memory_equal(cdb, xc, 16);

	/* PT: list id at 6-9, length at 10-13, group at 14 */
	static const uint8_t pt[16] = { 0x83, 0x10, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0x01,
					0x00, 0x00, 0x00, 0x20, 0x00, 0x00 };
	assert_int_equal(vitk_scsi_cdb_populate_token(cdb, 257, 32, 0), 16);
	assert_memory_equal(cdb, pt, 16);
	static const uint8_t wut[16] = { 0x83, 0x11, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0x02,
					 0x00, 0x00, 0x02, 0x28, 0x03, 0x00 };
	assert_int_equal(vitk_scsi_cdb_write_using_token(cdb, 258, 552, 3), 16);
	assert_memory_equal(cdb, wut, 16);
	assert_int_equal(vitk_scsi_cdb_write_using_token(cdb, 258, 552, 32), VITK_EINVAL);

	static const uint8_t ab[16] = { 0x83, 0x1C, 0x00, 0x00, 0x01, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	assert_int_equal(vitk_scsi_cdb_copy_operation_abort(cdb, 257), 16);
	assert_memory_equal(cdb, ab, 16);

	/* RCOP (sa 3): list id in byte 2 (1 byte) */
	static const uint8_t rcop[16] = { 0x84, 0x03, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0, 0 };
	assert_int_equal(vitk_scsi_cdb_receive_copy(cdb, 3, 5, 512), 16);
	assert_memory_equal(cdb, rcop, 16);
	assert_int_equal(vitk_scsi_cdb_receive_copy(cdb, 0, 300, 512), VITK_EINVAL);
	/* RRTI (sa 7): list id at 2-5 */
	static const uint8_t rrti[16] = { 0x84, 0x07, 0x00, 0x00, 0x01, 0x01, 0, 0, 0, 0,
					  0x00, 0x00, 0x04, 0x00, 0, 0 };
	assert_int_equal(vitk_scsi_cdb_receive_copy(cdb, 7, 257, 1024), 16);
	assert_memory_equal(cdb, rrti, 16);
}

static const uint8_t naa_desig_page[] = {
	0x00, 0x83, 0x00, 0x28,
	/* T10 vendor id, ASCII, LU */
	0x02, 0x01, 0x00, 0x0C, 'V', 'I', 'T', 'K', ' ', ' ', ' ', ' ', 'd', 'i', 's', 'k',
	/* NAA 6, 16 bytes, binary, LU */
	0x01, 0x03, 0x00, 0x10, 0x60, 0x01, 0x40, 0x50, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
	0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC,
	/* target port association (ignored): NAA */
	0x61, 0x93, 0x00, 0x00,
};

static void test_odx_codec__vpd_devid_prefers_naa(void **state)
{
	vitk_scsi_designator d;
	(void)state;

	assert_int_equal(vitk_scsi_vpd_devid_parse(&d, naa_desig_page, sizeof(naa_desig_page)), 0);
	assert_true(d.found);
	assert_int_equal(d.type, VITK_SCSI_DESIG_NAA);
	assert_int_equal(d.len, 16);
	assert_string_equal(d.text, "6001405011223344556677889" "9aabbcc");
	assert_memory_equal(d.raw, naa_desig_page + 20, 20);

	/* CSCD 0xE4 built from it */
	uint8_t cscd[32];
	static const uint8_t want[32] = {
		0xE4, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00, 0x10, 0x60, 0x01, 0x40,
		0x50, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA,
		0xBB, 0xCC, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
	};
	assert_int_equal(vitk_scsi_cscd_e4_build(cscd, &d, 512), 32);
	assert_memory_equal(cscd, want, 32);

	/* T10 only */
	uint8_t t10[sizeof(naa_desig_page)];
	memcpy(t10, naa_desig_page, sizeof(t10));
	t10[3] = 16;
	assert_int_equal(vitk_scsi_vpd_devid_parse(&d, t10, 20), 0);
	assert_int_equal(d.type, VITK_SCSI_DESIG_T10);
	assert_string_equal(d.text, "VITK    disk");

	/* designator length past the page end */
	memcpy(t10, naa_desig_page, sizeof(t10));
	t10[3 + 16 + 4] = 0x20;
	assert_int_equal(vitk_scsi_vpd_devid_parse(&d, t10, sizeof(t10)), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "VPD page 0x83"));
	/* page length larger than what was returned */
	assert_int_equal(vitk_scsi_vpd_devid_parse(&d, naa_desig_page, 30), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "page length"));
}

static void test_odx_codec__inquiry_std(void **state)
{
	uint8_t b[36] = { 0x00, 0x00, 0x06, 0x02, 31, 0x08, 0x00, 0x02 };
	vitk_scsi_inquiry q;
	(void)state;

	memcpy(b + 8, "LIO-ORG ", 8);
	memcpy(b + 16, "FILEIO          ", 16);
	memcpy(b + 32, "4.0 ", 4);
	assert_int_equal(vitk_scsi_inquiry_parse(&q, b, sizeof(b)), 0);
	assert_true(q.tpc);
	assert_string_equal(q.vendor, "LIO-ORG");
	assert_string_equal(q.product, "FILEIO");
	assert_string_equal(q.revision, "4.0");
	b[5] = 0;
	assert_int_equal(vitk_scsi_inquiry_parse(&q, b, sizeof(b)), 0);
	assert_false(q.tpc);
	assert_int_equal(vitk_scsi_inquiry_parse(&q, b, 7), VITK_EINVAL);
	/* short but valid: identity strings cut, no crash */
	assert_int_equal(vitk_scsi_inquiry_parse(&q, b, 12), 0);
	assert_string_equal(q.vendor, "LIO-");
}

static void test_odx_codec__vpd_pages_serial_b0(void **state)
{
	static const uint8_t p0[] = { 0, 0, 0, 5, 0x00, 0x80, 0x83, 0x8F, 0xB0 };
	static const uint8_t p80[] = { 0, 0x80, 0, 6, ' ', 'S', 'N', '0', '1', ' ' };
	uint8_t b0[64] = { 0, 0xB0, 0, 0x3C };
	vitk_scsi_vpd_pages p;
	vitk_scsi_vpd_block_limits bl;
	char sn[8];
	(void)state;

	assert_int_equal(vitk_scsi_vpd_pages_parse(&p, p0, sizeof(p0)), 0);
	assert_int_equal(p.count, 5);
	assert_true(vitk_scsi_vpd_pages_has(&p, 0x8F));
	assert_false(vitk_scsi_vpd_pages_has(&p, 0xB1));
	assert_int_equal(vitk_scsi_vpd_serial_parse(sn, sizeof(sn), p80, sizeof(p80)), 0);
	assert_string_equal(sn, "SN01");
	assert_int_equal(vitk_scsi_vpd_serial_parse(sn, sizeof(sn), p80, 4), VITK_EINVAL);
	assert_int_equal(vitk_scsi_vpd_serial_parse(sn, sizeof(sn), p0, sizeof(p0)), VITK_EINVAL);

	vitk_put_be32(b0 + 8, 0x4000);
	vitk_put_be32(b0 + 12, 0x800);
	vitk_put_be64(b0 + 36, 0xFFFF);
	assert_int_equal(vitk_scsi_vpd_block_limits_parse(&bl, b0, sizeof(b0)), 0);
	assert_int_equal(bl.max_transfer_length, 0x4000);
	assert_int_equal(bl.optimal_transfer_length, 0x800);
	assert_int_equal(bl.max_write_same_length, 0xFFFF);
	/* a short page: fields past its length are 0 */
	b0[3] = 12;
	assert_int_equal(vitk_scsi_vpd_block_limits_parse(&bl, b0, 16), 0);
	assert_int_equal(bl.max_transfer_length, 0x4000);
	assert_int_equal(bl.optimal_transfer_length, 0x800);
	assert_int_equal(bl.max_write_same_length, 0);
}

/* A VPD 0x8F page with every descriptor type the parser decodes (SPC-4 Third Party Copy VPD page). */
static size_t build_tpc_page(uint8_t *b)
{
	size_t o = 4;

	memset(b, 0, 1024);
	b[1] = 0x8F;
	/* 0x0000 block device ROD limits, len 0x20 */
	vitk_put_be16(b + o, 0x0000);
	vitk_put_be16(b + o + 2, 0x20);
	vitk_put_be16(b + o + 10, 8);
	vitk_put_be32(b + o + 12, 3600);
	vitk_put_be32(b + o + 16, 30);
	vitk_put_be64(b + o + 20, 131072);
	vitk_put_be64(b + o + 28, 16384);
	o += 36;
	/* 0x0001 supported commands: 83h {00,10,11,1C}, 84h {03,07} */
	{
		static const uint8_t sc[] = { 0x00, 0x01, 0x00, 0x0C, 10,   0x83, 4, 0x00,
					      0x10, 0x11, 0x1C, 0x84, 2,    0x03, 0x07, 0, };
		memcpy(b + o, sc, sizeof(sc));
		o += sizeof(sc);
	}
	/* 0x0004 parameter data, len 0x1C */
	vitk_put_be16(b + o, 0x0004);
	vitk_put_be16(b + o + 2, 0x1C);
	vitk_put_be16(b + o + 8, 2);
	vitk_put_be16(b + o + 10, 1);
	vitk_put_be32(b + o + 12, 1024);
	vitk_put_be32(b + o + 16, 0);
	o += 32;
	/* 0x0008 supported descriptors: 02h 0Ah E4h */
	{
		static const uint8_t sd[] = { 0x00, 0x08, 0x00, 0x04, 3, 0x02, 0x0A, 0xE4 };
		memcpy(b + o, sd, sizeof(sd));
		o += sizeof(sd);
	}
	/* 0x000C CSCD IDs: C000h, FFFFh */
	{
		static const uint8_t ci[] = { 0x00, 0x0C, 0x00, 0x08, 0x00, 0x04, 0xC0, 0x00, 0xFF, 0xFF, 0, 0 };
		memcpy(b + o, ci, sizeof(ci));
		o += sizeof(ci);
	}
	/* 0x0106 ROD token features: 48 bytes, then the 48-byte block ROD device
	 * type specific features descriptor (length 002Ch, SPC-4 7.8.17.8.2) */
	vitk_put_be16(b + o, 0x0106);
	vitk_put_be16(b + o + 2, 44 + 48);
	b[o + 4] = 0x01;
	vitk_put_be32(b + o + 16, 1);
	vitk_put_be32(b + o + 20, 86400);
	vitk_put_be32(b + o + 24, 3600);
	vitk_put_be16(b + o + 46, 48);
	vitk_put_be16(b + o + 48 + 2, 0x002C);
	vitk_put_be16(b + o + 48 + 6, 1);
	vitk_put_be64(b + o + 48 + 8, 64ull << 20);
	vitk_put_be64(b + o + 48 + 16, 8ull << 20);
	o += 48 + 48;
	/* 0x0108 ROD types: PIT default (in+out), zero (in) */
	vitk_put_be16(b + o, 0x0108);
	vitk_put_be16(b + o + 2, 4 + 128);
	vitk_put_be16(b + o + 6, 128);
	vitk_put_be32(b + o + 8, 0x00800000);
	b[o + 8 + 4] = 0x03;
	vitk_put_be32(b + o + 8 + 64, 0xFFFF0001);
	b[o + 8 + 64 + 4] = 0x02;
	o += 8 + 128;
	/* 0x8001 general copy operations */
	vitk_put_be16(b + o, 0x8001);
	vitk_put_be16(b + o + 2, 0x20);
	vitk_put_be32(b + o + 4, 16);
	vitk_put_be32(b + o + 8, 8);
	vitk_put_be32(b + o + 12, 256u << 20);
	b[o + 16] = 9;
	b[o + 17] = 0;
	o += 36;
	/* 0x9101 stream, 0xC001 held data */
	vitk_put_be16(b + o, 0x9101);
	vitk_put_be16(b + o + 2, 4);
	vitk_put_be32(b + o + 4, 65536);
	o += 8;
	vitk_put_be16(b + o, 0xC001);
	vitk_put_be16(b + o + 2, 8);
	vitk_put_be32(b + o + 4, 1 << 20);
	b[o + 8] = 9;
	o += 12;
	/* an unknown vendor descriptor: skipped */
	vitk_put_be16(b + o, 0xE001);
	vitk_put_be16(b + o + 2, 4);
	o += 8;
	vitk_put_be16(b + 2, (uint16_t)(o - 4));
	return o;
}

/* byte offset of the VPD 0x8F descriptor of @type in page @b, 0 if absent */
static size_t find_tpc_desc(const uint8_t *b, size_t n, uint16_t type)
{
	size_t o = 4;

	while (o + 4 <= n) {
		if (vitk_get_be16(b + o) == type)
			return o;
		o += 4u + vitk_get_be16(b + o + 2);
	}
	return 0;
}

static void test_odx_codec__vpd_tpc_all_descriptors(void **state)
{
	uint8_t b[1024];
	vitk_scsi_vpd_tpc t;
	size_t n = build_tpc_page(b);
	(void)state;

	assert_int_equal(vitk_scsi_vpd_tpc_parse(&t, b, n), 0);
	assert_true(t.has_rod_limits);
	assert_int_equal(t.max_range_descriptors, 8);
	assert_int_equal(t.max_inactivity_timeout, 3600);
	assert_int_equal(t.default_inactivity_timeout, 30);
	assert_int_equal(t.max_token_transfer_size, 131072);
	assert_int_equal(t.optimal_transfer_count, 16384);
	assert_true(vitk_scsi_vpd_tpc_has_out(&t, VITK_SCSI_SA_POPULATE_TOKEN));
	assert_true(vitk_scsi_vpd_tpc_has_out(&t, VITK_SCSI_SA_WRITE_USING_TOKEN));
	assert_true(vitk_scsi_vpd_tpc_has_out(&t, VITK_SCSI_SA_XCOPY_LID1));
	assert_false(vitk_scsi_vpd_tpc_has_out(&t, VITK_SCSI_SA_XCOPY_LID4));
	assert_true(vitk_scsi_vpd_tpc_has_in(&t, VITK_SCSI_SA_RRTI));
	assert_false(vitk_scsi_vpd_tpc_has_in(&t, VITK_SCSI_SA_RCS_LID1));
	assert_true(t.has_param_data);
	assert_int_equal(t.max_cscd_count, 2);
	assert_int_equal(t.max_segment_count, 1);
	assert_int_equal(t.max_desc_list_length, 1024);
	assert_int_equal(t.ndescs, 3);
	assert_int_equal(t.descs[2], 0xE4);
	assert_int_equal(t.ncscd_ids, 2);
	assert_int_equal(t.cscd_ids[1], 0xFFFF);
	assert_true(t.has_rod_features);
	assert_int_equal(t.remote_tokens, 1);
	assert_int_equal(t.max_token_lifetime, 86400);
	assert_true(t.has_block_rod);
	assert_int_equal(t.block_rod_max_bytes, 64ull << 20);
	assert_int_equal(t.nrod_types, 2);
	assert_int_equal(t.rod_types[1].rod_type, 0xFFFF0001u);
	assert_true(t.rod_types[1].token_in);
	assert_false(t.rod_types[1].token_out);
	assert_int_equal(t.max_segment_length, 256u << 20);
	assert_int_equal(t.data_segment_granularity, 9);
	assert_int_equal(t.max_stream_transfer_size, 65536);
	assert_int_equal(t.held_data_limit, 1 << 20);
	assert_int_equal(t.nunknown, 1);

	assert_int_equal(t.block_rod_granularity, 1);
	assert_int_equal(t.block_rod_optimal_bytes, 8ull << 20);

	/* the block ROD sub-descriptor must say 002Ch (sg_vpd rejects anything
	 * else); a length of 0 is what vitk's target used to send (issue 17) */
	{
		size_t rf = find_tpc_desc(b, n, 0x0106);

		assert_true(rf > 0);
		assert_int_equal(vitk_get_be16(b + rf + 48 + 2), 0x002C);
		vitk_put_be16(b + rf + 48 + 2, 0x0000);
		assert_int_equal(vitk_scsi_vpd_tpc_parse(&t, b, n), VITK_EINVAL);
		assert_string_equal(vitk_error_last()->message,
				    "VPD page 0x8f: block ROD device type specific features "
				    "descriptor length 0x0000 (want 0x002c)");
		vitk_put_be16(b + rf + 48 + 2, 0x0028);
		assert_int_equal(vitk_scsi_vpd_tpc_parse(&t, b, n), VITK_EINVAL);
		/* longer than the area the ROD token features descriptor gives it */
		vitk_put_be16(b + rf + 48 + 2, 0x0030);
		assert_int_equal(vitk_scsi_vpd_tpc_parse(&t, b, n), VITK_EINVAL);
		assert_non_null(strstr(vitk_error_last()->message, "past the end"));
		n = build_tpc_page(b);
	}

	/* ROD limits descriptor shortened to 12 bytes: clear error naming it */
	vitk_put_be16(b + 4 + 2, 12);
	assert_int_equal(vitk_scsi_vpd_tpc_parse(&t, b, n), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "descriptor 0x0000"));
	/* descriptor length beyond the page */
	n = build_tpc_page(b);
	vitk_put_be16(b + 4 + 2, 0xF000);
	assert_int_equal(vitk_scsi_vpd_tpc_parse(&t, b, n), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "past the page end"));
	/* truncated page */
	n = build_tpc_page(b);
	assert_int_equal(vitk_scsi_vpd_tpc_parse(&t, b, n - 1), VITK_EINVAL);
	/* supported commands list claiming too many service actions */
	n = build_tpc_page(b);
	b[4 + 36 + 6] = 40;
	assert_int_equal(vitk_scsi_vpd_tpc_parse(&t, b, n), VITK_EINVAL);
}

static void test_odx_codec__read_capacity16(void **state)
{
	uint8_t b[32] = { 0, 0, 0, 0, 0, 0x01, 0xFF, 0xFF, 0, 0, 0x02, 0x00, 0, 0x03, 0xC0, 0x00 };
	vitk_scsi_capacity c;
	(void)state;

	assert_int_equal(vitk_scsi_capacity_parse(&c, b, sizeof(b)), 0);
	assert_int_equal(c.last_lba, 0x1FFFF);
	assert_int_equal(c.block_size, 512);
	assert_int_equal(c.lbppbe, 3);
	assert_true(c.lbpme);
	assert_true(c.lbprz);
	assert_int_equal(vitk_scsi_capacity_parse(&c, b, 11), VITK_EINVAL);
	b[10] = 0;
	assert_int_equal(vitk_scsi_capacity_parse(&c, b, sizeof(b)), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "logical block length"));
}

static void test_odx_codec__xcopy_lid1_param_list(void **state)
{
	vitk_scsi_designator d = { .found = true, .code_set = 1, .type = 3, .len = 16 };
	uint8_t cscds[64], pl[256];
	vitk_scsi_segment seg[2] = {
		{ .type = 0x02, .src_index = 0, .dst_index = 1, .count = 65535,
		  .src_lba = 0x1000, .dst_lba = 0x200000 },
		{ .type = 0x0A, .src_index = 0, .dst_index = 1, .count = 4096, .src_lba = 5,
		  .dst_lba = 6, .src_offset = 512, .dst_offset = 0 },
	};
	vitk_scsi_segment back;
	int n;
	(void)state;

	memcpy(d.raw, naa_desig_page + 20, 20);
	assert_int_equal(vitk_scsi_cscd_e4_build(cscds, &d, 512), 32);
	assert_int_equal(vitk_scsi_cscd_e4_build(cscds + 32, &d, 512), 32);
	n = vitk_scsi_xcopy_lid1_build(pl, sizeof(pl), 1, VITK_SCSI_LIST_ID_USAGE_DISCARD, 0, cscds,
				       2, seg, 2);
	assert_int_equal(n, 16 + 64 + 28 + 32);
	static const uint8_t hdr[16] = { 0x01, 0x10, 0x00, 0x40, 0, 0, 0, 0,
					 0x00, 0x00, 0x00, 0x3C, 0, 0, 0, 0 };
	assert_memory_equal(pl, hdr, 16);
	static const uint8_t s02[28] = { 0x02, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
					 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0x10, 0x00,
					 0, 0, 0, 0, 0, 0x20, 0x00, 0x00 };
	assert_memory_equal(pl + 80, s02, 28);
	static const uint8_t s0a[32] = { 0x0A, 0x00, 0x00, 0x1C, 0x00, 0x00, 0x00, 0x01,
					 0x00, 0x00, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0, 5,
					 0, 0, 0, 0, 0, 0, 0, 6, 0x02, 0x00, 0x00, 0x00 };
	assert_memory_equal(pl + 108, s0a, 32);
	assert_int_equal(vitk_scsi_segment_parse(&back, pl + 80, 28), 0);
	assert_int_equal(back.count, 65535);
	assert_int_equal(back.dst_lba, 0x200000);
	assert_int_equal(vitk_scsi_segment_parse(&back, pl + 108, 32), 0);
	assert_int_equal(back.src_offset, 512);
	assert_int_equal(vitk_scsi_segment_parse(&back, pl + 108, 31), VITK_EINVAL);

	seg[0].count = 65536; /* the 16-bit cap of segment 0x02 */
	assert_int_equal(vitk_scsi_xcopy_lid1_build(pl, sizeof(pl), 1, 2, 0, cscds, 2, seg, 1),
			 VITK_EINVAL);
	seg[0].count = 1;
	assert_int_equal(vitk_scsi_xcopy_lid1_build(pl, 100, 1, 2, 0, cscds, 2, seg, 1),
			 VITK_ERANGE);
	seg[0].dst_index = 2;
	assert_int_equal(vitk_scsi_xcopy_lid1_build(pl, sizeof(pl), 1, 2, 0, cscds, 2, seg, 1),
			 VITK_EINVAL);
}

static void test_odx_codec__rcop_rcs_failure_details(void **state)
{
	/* LIO-style RCOP: 46 bytes, available data 42 */
	uint8_t b[64] = { 0 };
	vitk_scsi_rcop r;
	vitk_scsi_rcs_lid1 s;
	vitk_scsi_failure_details f;
	(void)state;

	vitk_put_be32(b, 42);
	b[4] = 1;
	vitk_put_be16(b + 8, 2);
	vitk_put_be16(b + 10, 1);
	vitk_put_be32(b + 12, 1024);
	vitk_put_be32(b + 16, 256u << 20);
	vitk_put_be16(b + 34, 1);
	b[36] = 1;
	b[37] = 9;
	b[43] = 2;
	b[44] = 0x02;
	b[45] = 0xE4;
	assert_int_equal(vitk_scsi_rcop_parse(&r, b, 46), 0);
	assert_true(r.snlid);
	assert_int_equal(r.max_cscd_count, 2);
	assert_int_equal(r.max_segment_count, 1);
	assert_int_equal(r.max_segment_length, 256u << 20);
	assert_int_equal(r.data_segment_granularity, 9);
	assert_true(vitk_scsi_rcop_has_desc(&r, 0xE4));
	assert_false(vitk_scsi_rcop_has_desc(&r, 0x0A));
	b[43] = 10; /* list longer than the data */
	assert_int_equal(vitk_scsi_rcop_parse(&r, b, 46), VITK_EINVAL);
	assert_int_equal(vitk_scsi_rcop_parse(&r, b, 40), VITK_EINVAL);

	static const uint8_t rcs[12] = { 0, 0, 0, 8, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10, 0x00 };
	assert_int_equal(vitk_scsi_rcs_lid1_parse(&s, rcs, sizeof(rcs)), 0);
	assert_int_equal(s.status, 1);
	assert_int_equal(s.segments_processed, 3);
	assert_int_equal(s.transfer_count, 4096);
	assert_int_equal(vitk_scsi_rcs_lid1_parse(&s, rcs, 11), VITK_EINVAL);

	uint8_t fd[80] = { 0 };
	vitk_put_be32(fd, 74);
	fd[56] = 0x02;
	vitk_put_be16(fd + 58, 18);
	vitk_scsi_sense_build_fixed(fd + 60, 18, VITK_SCSI_KEY_COPY_ABORTED, 0x0D, 0x02);
	assert_int_equal(vitk_scsi_failure_details_parse(&f, fd, 78), 0);
	assert_int_equal(f.copy_status, 2);
	assert_int_equal(f.sense_len, 18);
	assert_int_equal(f.sense[12], 0x0D);
	assert_int_equal(vitk_scsi_failure_details_parse(&f, fd, 70), VITK_EINVAL);
}

static void test_odx_codec__populate_token_param_list(void **state)
{
	uint8_t pl[64];
	vitk_scsi_range rg[2] = { { 0x0102030405060708ull, 0x00010000 }, { 0x10, 8 } };
	vitk_scsi_range back[4];
	size_t n;
	(void)state;

	assert_int_equal(vitk_scsi_populate_token_build(pl, sizeof(pl), false, 0, 0, rg, 1), 32);
	/* ranges at byte 16, not 15 (ddpt's off-by-one) */
	static const uint8_t want[32] = { 0x00, 0x1E, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
					  0,    0,    0x00, 0x10, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
					  0x07, 0x08, 0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0 };
	assert_memory_equal(pl, want, 32);
	assert_int_equal(vitk_scsi_populate_token_build(pl, sizeof(pl), true, 0x00800000, 60, rg, 2),
			 48);
	assert_int_equal(pl[2], 0x03);
	assert_int_equal(vitk_get_be32(pl + 4), 60);
	assert_int_equal(vitk_get_be32(pl + 8), 0x00800000);
	assert_int_equal(vitk_get_be16(pl + 14), 32);
	assert_int_equal(vitk_scsi_range_list_parse(back, 4, &n, pl, 48, 16), 0);
	assert_int_equal(n, 2);
	assert_int_equal(back[1].lba, 0x10);
	assert_int_equal(back[1].blocks, 8);
	assert_int_equal(vitk_scsi_range_list_parse(back, 4, &n, pl, 40, 16), VITK_EINVAL);
	assert_int_equal(vitk_scsi_populate_token_build(pl, 40, false, 0, 0, rg, 2), VITK_ERANGE);
}

static void test_odx_codec__write_using_token_param_list(void **state)
{
	uint8_t pl[600], tok[512];
	vitk_scsi_range rg = { 0x2000, 0x800 };
	vitk_scsi_range back[1];
	size_t n;
	(void)state;

	memset(tok, 0xA5, sizeof(tok));
	assert_int_equal(vitk_scsi_write_using_token_build(pl, sizeof(pl), false, true, 0x1234, tok,
							   &rg, 1),
			 552);
	assert_int_equal(vitk_get_be16(pl), 550);
	assert_int_equal(pl[2], 0x02);
	assert_int_equal(vitk_get_be64(pl + 8), 0x1234);
	assert_memory_equal(pl + 16, tok, 512);
	assert_int_equal(vitk_get_be16(pl + 534), 16);
	/* first range descriptor at 536 */
	static const uint8_t rd[16] = { 0, 0, 0, 0, 0, 0, 0x20, 0x00, 0x00, 0x00, 0x08, 0x00, 0, 0, 0, 0 };
	assert_memory_equal(pl + 536, rd, 16);
	assert_int_equal(vitk_scsi_range_list_parse(back, 1, &n, pl, 552, 536), 0);
	assert_int_equal(back[0].lba, 0x2000);
	assert_int_equal(back[0].blocks, 0x800);
}

static void test_odx_codec__rrti_and_token(void **state)
{
	vitk_scsi_rrti in = { .response_to_sa = 0x10, .copy_status = 0x01,
			      .status_update_delay_ms = 100, .transfer_count = 65536,
			      .has_token = true };
	vitk_scsi_rrti out;
	vitk_scsi_rod_token t;
	uint8_t buf[700];
	int n;
	(void)state;

	vitk_put_be32(in.token, 0x00800000);
	vitk_put_be16(in.token + 6, 0x01F8);
	vitk_put_be64(in.token + 8, 42);
	vitk_put_be64(in.token + 56, 65536ull * 512);
	vitk_put_be32(in.token + 96, 512);
	in.sense_len = (uint8_t)vitk_scsi_sense_build_fixed(in.sense, sizeof(in.sense), 0, 0, 0);
	n = vitk_scsi_rrti_build(buf, sizeof(buf), &in);
	assert_int_equal(n, 32 + 18 + 4 + 2 + 512);
	assert_int_equal(vitk_get_be32(buf), (uint32_t)n - 4);
	assert_int_equal(buf[13], 18);
	assert_int_equal(vitk_get_be32(buf + 32 + 18), 514);
	assert_int_equal(vitk_scsi_rrti_parse(&out, buf, (size_t)n), 0);
	assert_int_equal(out.response_to_sa, 0x10);
	assert_int_equal(out.copy_status, 1);
	assert_int_equal(out.transfer_count, 65536);
	assert_int_equal(out.status_update_delay_ms, 100);
	assert_true(out.has_token);
	assert_memory_equal(out.token, in.token, 512);
	assert_int_equal(vitk_scsi_rod_token_parse(&t, out.token, 512), 0);
	assert_int_equal(t.rod_type, 0x00800000);
	assert_int_equal(t.cm_token_id, 42);
	assert_int_equal(t.bytes_represented, 65536ull * 512);
	assert_int_equal(t.block_size, 512);
	assert_false(t.is_zero_token);
	/* token descriptors length beyond the data */
	assert_int_equal(vitk_scsi_rrti_parse(&out, buf, (size_t)n - 1), VITK_EINVAL);
	/* sense field length beyond the data */
	buf[13] = 250;
	assert_int_equal(vitk_scsi_rrti_parse(&out, buf, 40), VITK_EINVAL);
	/* no token (RCS LID4 style) */
	in.has_token = false;
	in.sense_len = 0;
	n = vitk_scsi_rrti_build(buf, sizeof(buf), &in);
	assert_int_equal(vitk_scsi_rrti_parse(&out, buf, (size_t)n), 0);
	assert_false(out.has_token);

	uint8_t z[512];
	vitk_scsi_rod_token_zero(z);
	static const uint8_t zh[8] = { 0xFF, 0xFF, 0x00, 0x01, 0x00, 0x00, 0x01, 0xF8 };
	assert_memory_equal(z, zh, 8);
	assert_int_equal(vitk_scsi_rod_token_parse(&t, z, 512), 0);
	assert_true(t.is_zero_token);
	assert_string_equal(vitk_scsi_rod_type_str(t.rod_type), "block device zero");
	z[7] = 0xF0;
	assert_int_equal(vitk_scsi_rod_token_parse(&t, z, 512), VITK_EINVAL);
	assert_int_equal(vitk_scsi_rod_token_parse(&t, z, 511), VITK_EINVAL);
}

static void test_odx_codec__sense_fixed_and_descriptor(void **state)
{
	vitk_scsi_sense s;
	uint8_t b[32];
	(void)state;

	assert_int_equal(vitk_scsi_sense_build_fixed(b, sizeof(b), 0x05, 0x23, 0x07), 18);
	static const uint8_t fx[18] = { 0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x23, 0x07, 0, 0, 0, 0 };
	assert_memory_equal(b, fx, 18);
	assert_int_equal(vitk_scsi_sense_parse(&s, b, 18), 0);
	assert_false(s.descriptor_format);
	assert_int_equal(s.sense_key, 5);
	assert_int_equal(s.asc, 0x23);
	assert_int_equal(s.ascq, 0x07);
	assert_string_equal(vitk_scsi_asc_str(0x23, 0x07), "invalid token operation, token expired");
	assert_string_equal(vitk_scsi_asc_str(0x00, 0x16), "operation in progress");
	assert_null(vitk_scsi_asc_str(0x7E, 0x7E));
	/* a thin LU out of space, a failed write (SBC-4 4.7.3.6, SPC-4 table "ASC and ASCQ assignments") */
	assert_string_equal(vitk_scsi_asc_str(0x27, 0x07), "space allocation failed write protect");
	assert_string_equal(vitk_scsi_asc_str(0x0C, 0x00), "write error");
	assert_string_equal(vitk_scsi_sense_key_str(0xA), "COPY ABORTED");
	assert_int_equal(vitk_scsi_sense_parse(&s, b, 13), VITK_EINVAL);

	/* descriptor format with information + sense key specific descriptors */
	static const uint8_t ds[] = { 0x72, 0x0A, 0x0D, 0x02, 0, 0, 0, 20,
				      0x00, 0x0A, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34,
				      0x02, 0x06, 0, 0, 0x80, 0x00, 0x05, 0 };
	assert_int_equal(vitk_scsi_sense_parse(&s, ds, sizeof(ds)), 0);
	assert_true(s.descriptor_format);
	assert_int_equal(s.sense_key, 0x0A);
	assert_int_equal(s.asc, 0x0D);
	assert_int_equal(s.ascq, 0x02);
	assert_true(s.info_valid);
	assert_int_equal(s.information, 0x1234);
	assert_true(s.sks_valid);
	assert_int_equal(s.sks[2], 5);
	uint8_t bad[sizeof(ds)];
	memcpy(bad, ds, sizeof(ds));
	bad[9] = 0x30; /* descriptor length past the end */
	assert_int_equal(vitk_scsi_sense_parse(&s, bad, sizeof(bad)), VITK_EINVAL);
	bad[0] = 0x7F;
	assert_int_equal(vitk_scsi_sense_parse(&s, bad, sizeof(bad)), VITK_EINVAL);
	assert_int_equal(vitk_scsi_sense_parse(&s, bad, 0), VITK_EINVAL);
}

static void test_odx_codec__transfer_count_units(void **state)
{
	uint64_t b = 0;
	(void)state;

	assert_int_equal(vitk_scsi_transfer_count_blocks(0xF1, 777, 512, &b), 0);
	assert_int_equal(b, 777);
	assert_int_equal(vitk_scsi_transfer_count_blocks(0x00, 1048576 + 100, 512, &b), 0);
	assert_int_equal(b, 2048); /* a partial block is not done */
	assert_int_equal(vitk_scsi_transfer_count_blocks(0x01, 3, 4096, &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(vitk_scsi_transfer_count_blocks(0x02, 3, 4096, &b), 0);
	assert_int_equal(b, 768);
	assert_int_equal(vitk_scsi_transfer_count_blocks(0x06, 1ull << 60, 512, &b), VITK_EINVAL);
	assert_int_equal(vitk_scsi_transfer_count_blocks(0x07, 1, 512, &b), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "units 0x07"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odx_codec__cdb_builders),
		cmocka_unit_test(test_odx_codec__vpd_devid_prefers_naa),
		cmocka_unit_test(test_odx_codec__inquiry_std),
		cmocka_unit_test(test_odx_codec__vpd_pages_serial_b0),
		cmocka_unit_test(test_odx_codec__vpd_tpc_all_descriptors),
		cmocka_unit_test(test_odx_codec__read_capacity16),
		cmocka_unit_test(test_odx_codec__xcopy_lid1_param_list),
		cmocka_unit_test(test_odx_codec__rcop_rcs_failure_details),
		cmocka_unit_test(test_odx_codec__populate_token_param_list),
		cmocka_unit_test(test_odx_codec__write_using_token_param_list),
		cmocka_unit_test(test_odx_codec__rrti_and_token),
		cmocka_unit_test(test_odx_codec__sense_fixed_and_descriptor),
		cmocka_unit_test(test_odx_codec__transfer_count_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
