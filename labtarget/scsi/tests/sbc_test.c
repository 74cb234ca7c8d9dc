/* SPDX-License-Identifier: MIT */
/*
 * Block commands and LUN lifecycle through tgt_device_exec(): exact CDBs,
 * sense triples, and data checked in the backing files.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <pthread.h>

static uint8_t buf[1 << 20];
static uint8_t buf2[1 << 20];

static void test_device_lun__created_sparse(void **state)
{
	harness *h = *state;
	struct stat st;

	assert_int_equal(stat(h->path[0], &st), 0);
	assert_int_equal(st.st_size, H_LUN0_BLOCKS * 512);
	assert_true(st.st_blocks < 8); /* sparse: nothing allocated yet */
	assert_int_equal(tgt_device_lun_count(h->dev), 4);
}

static void test_device_lun__errors(void **state)
{
	harness *h = *state;
	tgt_lun_config c = { 0 };
	char p[700];

	snprintf(p, sizeof(p), "%s/odd.img", h->dir);
	c.lun = 9, c.path = p, c.size = 1000, c.block_size = 512;
	assert_int_equal(tgt_device_add_lun(h->dev, &c), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "not a multiple of the block size"));
	assert_int_equal(access(p, F_OK), -1); /* nothing created */

	snprintf(p, sizeof(p), "%s/no/such/dir/x.img", h->dir);
	c.size = 4096;
	assert_int_equal(tgt_device_add_lun(h->dev, &c), VITK_EIO);
	assert_non_null(strstr(vitk_error_last()->message, "cannot open backing file"));

	c.lun = 0, c.path = h->path[1];
	assert_int_equal(tgt_device_add_lun(h->dev, &c), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "defined twice"));

	c.lun = 10, c.block_size = 1024;
	assert_int_equal(tgt_device_add_lun(h->dev, &c), VITK_EINVAL);

	/* existing file larger than the requested size */
	c.lun = 11, c.path = h->path[0], c.size = 512, c.block_size = 512;
	assert_int_equal(tgt_device_add_lun(h->dev, &c), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "larger than size"));

	/* missing file without a size */
	snprintf(p, sizeof(p), "%s/nosize.img", h->dir);
	c.lun = 12, c.path = p, c.size = 0;
	assert_int_equal(tgt_device_add_lun(h->dev, &c), VITK_EINVAL);
	assert_int_equal(tgt_device_lun_count(h->dev), 4);
}

static void get_naa(harness *h, unsigned lun, uint8_t *out16)
{
	uint8_t cdb[6] = { 0x12, 0x01, 0x83, 0x00, 0xff, 0x00 };

	assert_int_equal(H_RUN(h, lun, cdb, NULL, 0, 255), 0);
	/* first designator: binary, LU, NAA, length 16, NAA type 6 */
	assert_int_equal(h->din[1], 0x83);
	assert_int_equal(h->din[4], 0x01);
	assert_int_equal(h->din[5], 0x03);
	assert_int_equal(h->din[7], 16);
	assert_int_equal(h->din[8] >> 4, 6);
	memcpy(out16, h->din + 8, 16);
}

static void test_device_lun__naa_unique_and_stable(void **state)
{
	harness *h = *state;
	uint8_t a[16], b[16], c[16], a2[16];

	get_naa(h, 0, a);
	get_naa(h, 1, b);
	get_naa(h, 2, c);
	assert_memory_not_equal(a, b, 16);
	assert_memory_not_equal(a, c, 16);
	assert_memory_not_equal(b, c, 16);
	/* restart: same iqn, lun and path give the same designator */
	tgt_device_free(h->dev);
	h->dev = h_new_device(h, 0, 0, 0);
	get_naa(h, 0, a2);
	assert_memory_equal(a, a2, 16);
}

static void test_device_rw__roundtrip_all_sizes(void **state)
{
	harness *h = *state;
	uint8_t c16[16], c10[10], c12[12] = { 0 }, c6[6] = { 0 };

	h_fill_pattern(buf, 64 * 512, 1);
	h_cdb16_rw(c16, 0x8a, 100, 64);
	assert_int_equal(H_RUN(h, 0, c16, buf, 64 * 512, 0), 0);
	h_file_read(h, 0, 100 * 512, buf2, 64 * 512);
	assert_memory_equal(buf, buf2, 64 * 512);

	h_cdb10_rw(c10, 0x28, 100, 64);
	assert_int_equal(H_RUN(h, 0, c10, NULL, 0, 64 * 512), 0);
	assert_int_equal(h->cmd.din_len, 64 * 512);
	assert_memory_equal(h->din, buf, 64 * 512);

	/* READ(12) of 2 blocks at 101 */
	c12[0] = 0xa8;
	vitk_put_be32(c12 + 2, 101);
	vitk_put_be32(c12 + 6, 2);
	assert_int_equal(H_RUN(h, 0, c12, NULL, 0, 1024), 0);
	assert_memory_equal(h->din, buf + 512, 1024);

	/* WRITE(6) of 1 block at LBA 7, READ(6) with length 0 = 256 blocks */
	h_fill_pattern(buf, 512, 9);
	c6[0] = 0x0a, c6[3] = 7, c6[4] = 1;
	assert_int_equal(H_RUN(h, 0, c6, buf, 512, 0), 0);
	c6[0] = 0x08, c6[3] = 0, c6[4] = 0;
	assert_int_equal(H_RUN(h, 0, c6, NULL, 0, 256 * 512), 0);
	assert_int_equal(h->cmd.din_len, 256 * 512);
	assert_memory_equal(h->din + 7 * 512, buf, 512);

	/* a short Data-In buffer: din_len is capped, din_full tells the truth */
	h_cdb10_rw(c10, 0x28, 0, 8);
	assert_int_equal(H_RUN(h, 0, c10, NULL, 0, 1000), 0);
	assert_int_equal(h->cmd.din_len, 1000);
	assert_int_equal(h->cmd.din_full, 4096);

	/* FUA and DPO are accepted */
	h_cdb10_rw(c10, 0x2a, 200, 1);
	c10[1] = 0x18;
	assert_int_equal(H_RUN(h, 0, c10, buf, 512, 0), 0);
}

static void test_device_rw__lba_out_of_range(void **state)
{
	harness *h = *state;
	uint8_t c10[10], c16[16];

	h_cdb10_rw(c10, 0x28, H_LUN0_BLOCKS, 1);
	H_RUN(h, 0, c10, NULL, 0, 512);
	h_assert_sense(h, 0x05, 0x21, 0x00);

	h_cdb16_rw(c16, 0x8a, H_LUN0_BLOCKS - 1, 2);
	H_RUN(h, 0, c16, buf, 1024, 0);
	h_assert_sense(h, 0x05, 0x21, 0x00);

	/* 0 blocks: fine at 0, out of range past the end and at 2^64-1 */
	h_cdb10_rw(c10, 0x28, 0, 0);
	assert_int_equal(H_RUN(h, 0, c10, NULL, 0, 0), 0);
	h_cdb10_rw(c10, 0x28, H_LUN0_BLOCKS + 1, 0);
	H_RUN(h, 0, c10, NULL, 0, 0);
	h_assert_sense(h, 0x05, 0x21, 0x00);
	h_cdb16_rw(c16, 0x88, UINT64_MAX, 1);
	H_RUN(h, 0, c16, NULL, 0, 512);
	h_assert_sense(h, 0x05, 0x21, 0x00);
}

static void test_device_rw__protect_fields_and_opcodes(void **state)
{
	harness *h = *state;
	uint8_t c10[10], c6[6] = { 0x02, 0, 0, 0, 0, 0 }, c16[16];

	h_cdb10_rw(c10, 0x28, 0, 1);
	c10[1] = 0x20; /* RDPROTECT=1 without protection information */
	H_RUN(h, 0, c10, NULL, 0, 512);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	/* sense-key specific: SKSV, C/D=CDB, BPV, bit 7 of byte 1 */
	assert_int_equal(h->cmd.sense[15], 0xcf);
	assert_int_equal(vitk_get_be16(h->cmd.sense + 16), 1);

	h_cdb16_rw(c16, 0x8a, 0, 1);
	c16[1] = 0xe0;
	H_RUN(h, 0, c16, buf, 512, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);

	H_RUN(h, 0, c6, NULL, 0, 0); /* 02h: not implemented */
	h_assert_sense(h, 0x05, 0x20, 0x00);

	/* a LUN that does not exist */
	h_cdb10_rw(c10, 0x28, 0, 1);
	H_RUN(h, 7, c10, NULL, 0, 512);
	h_assert_sense(h, 0x05, 0x25, 0x00);
	{
		uint8_t inq[6] = { 0x12, 0, 0, 0, 36, 0 };

		assert_int_equal(H_RUN(h, 7, inq, NULL, 0, 36), 0);
		assert_int_equal(h->din[0], 0x7f);
	}

	/* truncated CDB */
	H_RUN(h, 0, c10, NULL, 0, 512);
	h->cmd.cdb_len = 6;
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
}

static void test_device_rw__write_protect(void **state)
{
	harness *h = *state;
	uint8_t c10[10], ws[10];

	h_cdb10_rw(c10, 0x2a, 0, 1);
	H_RUN(h, 3, c10, buf, 512, 0);
	h_assert_sense(h, 0x07, 0x27, 0x00);
	h_cdb10_rw(ws, 0x41, 0, 4);
	H_RUN(h, 3, ws, buf, 512, 0);
	h_assert_sense(h, 0x07, 0x27, 0x00);
	ws[1] = 0x08; /* UNMAP without a data block */
	H_RUN(h, 3, ws, NULL, 0, 0);
	h_assert_sense(h, 0x07, 0x27, 0x00);
	/* the data is untouched and still readable */
	h_cdb10_rw(c10, 0x28, 0, 1);
	assert_int_equal(H_RUN(h, 3, c10, NULL, 0, 512), 0);
	assert_int_equal(h->din[0], 0xee);
	/* MODE SENSE reports WP */
	{
		uint8_t ms[6] = { 0x1a, 0x08, 0x3f, 0, 255, 0 };

		assert_int_equal(H_RUN(h, 3, ms, NULL, 0, 255), 0);
		assert_int_equal(h->din[2] & 0x80, 0x80);
	}
}

static void test_device_capacity__10_and_16(void **state)
{
	harness *h = *state;
	uint8_t rc10[10] = { 0x25 }, rc16[16] = { 0x9e, 0x10 };

	assert_int_equal(H_RUN(h, 2, rc10, NULL, 0, 8), 0);
	assert_int_equal(vitk_get_be32(h->din), H_LUN2_BLOCKS - 1);
	assert_int_equal(vitk_get_be32(h->din + 4), 4096);

	vitk_put_be32(rc16 + 10, 32);
	assert_int_equal(H_RUN(h, 0, rc16, NULL, 0, 32), 0);
	assert_int_equal(h->cmd.din_len, 32);
	assert_int_equal(vitk_get_be64(h->din), H_LUN0_BLOCKS - 1);
	assert_int_equal(vitk_get_be32(h->din + 8), 512);
	assert_int_equal(h->din[14] & 0xc0, 0xc0); /* LBPME LBPRZ */

	/* allocation length 0: no data, still GOOD */
	vitk_put_be32(rc16 + 10, 0);
	assert_int_equal(H_RUN(h, 0, rc16, NULL, 0, 32), 0);
	assert_int_equal(h->cmd.din_len, 0);

	/* READ CAPACITY(10) with an LBA but no PMI */
	vitk_put_be32(rc10 + 2, 5);
	H_RUN(h, 0, rc10, NULL, 0, 8);
	h_assert_sense(h, 0x05, 0x24, 0x00);
}

static void test_device_write_same__pattern_unmap_and_size(void **state)
{
	harness *h = *state;
	uint8_t ws[10], ws16[16];
	struct stat st1, st2;
	size_t i;

	h_fill_pattern(buf, 512, 3);
	h_cdb10_rw(ws, 0x41, 1000, 16);
	assert_int_equal(H_RUN(h, 0, ws, buf, 512, 0), 0);
	h_file_read(h, 0, 1000 * 512, buf2, 16 * 512);
	for (i = 0; i < 16; i++)
		assert_memory_equal(buf2 + i * 512, buf, 512);

	/* Data-Out must be exactly one block */
	H_RUN(h, 0, ws, buf, 1024, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	/* ANCHOR without ANC_SUP */
	ws[1] = 0x10;
	H_RUN(h, 0, ws, buf, 512, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);

	/* fill 1 MiB, then WRITE SAME(16) UNMAP with zeros deallocates it */
	memset(buf, 0x77, sizeof(buf));
	h_cdb16_rw(ws16, 0x8a, 2048, 2048);
	assert_int_equal(H_RUN(h, 0, ws16, buf, 2048 * 512, 0), 0);
	assert_int_equal(stat(h->path[0], &st1), 0);
	memset(buf, 0, 512);
	h_cdb16_rw(ws16, 0x93, 2048, 2048);
	ws16[1] = 0x08;
	assert_int_equal(H_RUN(h, 0, ws16, buf, 512, 0), 0);
	assert_int_equal(stat(h->path[0], &st2), 0);
	assert_true(st2.st_blocks < st1.st_blocks);
	h_file_read(h, 0, 2048 * 512, buf2, 2048 * 512);
	for (i = 0; i < 2048 * 512; i++)
		if (buf2[i])
			fail_msg("byte %zu not zero after WRITE SAME UNMAP", i);

	/* UNMAP deallocates even when the data block is not zeros (LBPRZ=1) */
	memset(buf, 0xff, 512);
	h_cdb16_rw(ws16, 0x8a, 10, 4);
	assert_int_equal(H_RUN(h, 0, ws16, buf, 2048, 0), 0);
	h_cdb10_rw(ws, 0x41, 10, 4);
	ws[1] = 0x08;
	assert_int_equal(H_RUN(h, 0, ws, buf, 512, 0), 0);
	h_file_read(h, 0, 10 * 512, buf2, 2048);
	for (i = 0; i < 2048; i++)
		assert_int_equal(buf2[i], 0);

	/* beyond the end */
	h_cdb16_rw(ws16, 0x93, H_LUN0_BLOCKS - 1, 2);
	H_RUN(h, 0, ws16, buf, 512, 0);
	h_assert_sense(h, 0x05, 0x21, 0x00);
}

static void test_device_unmap__punch_and_errors(void **state)
{
	harness *h = *state;
	uint8_t um[10] = { 0x42 }, pl[8 + 32], c16[16], gls[16] = { 0x9e, 0x12 };
	size_t i;

	memset(buf, 0x55, 4096 * 2);
	h_cdb16_rw(c16, 0x8a, 64, 16);
	assert_int_equal(H_RUN(h, 0, c16, buf, 16 * 512, 0), 0);

	memset(pl, 0, sizeof(pl));
	vitk_put_be16(pl, 6 + 16);
	vitk_put_be16(pl + 2, 16);
	vitk_put_be64(pl + 8, 64);
	vitk_put_be32(pl + 16, 16);
	vitk_put_be16(um + 7, 24);
	assert_int_equal(h_run(h, 0, um, 10, pl, 24, 0), 0);
	h_file_read(h, 0, 64 * 512, buf2, 16 * 512);
	for (i = 0; i < 16 * 512; i++)
		assert_int_equal(buf2[i], 0);

	/* GET LBA STATUS at 64: deallocated (the 8 KiB at 32 KiB is a hole) */
	vitk_put_be64(gls + 2, 64);
	vitk_put_be32(gls + 10, 24);
	assert_int_equal(H_RUN(h, 0, gls, NULL, 0, 24), 0);
	assert_int_equal(vitk_get_be32(h->din), 20);
	assert_int_equal(vitk_get_be64(h->din + 8), 64);
	assert_int_equal(h->din[20] & 0x0f, 1);
	/* past the end */
	vitk_put_be64(gls + 2, H_LUN0_BLOCKS);
	H_RUN(h, 0, gls, NULL, 0, 24);
	h_assert_sense(h, 0x05, 0x21, 0x00);

	/* out of range descriptor */
	vitk_put_be64(pl + 8, H_LUN0_BLOCKS - 1);
	vitk_put_be32(pl + 16, 2);
	h_run(h, 0, um, 10, pl, 24, 0);
	h_assert_sense(h, 0x05, 0x21, 0x00);
	/* parameter list too short for its header */
	vitk_put_be16(um + 7, 4);
	h_run(h, 0, um, 10, pl, 4, 0);
	h_assert_sense(h, 0x05, 0x1a, 0x00);
	/* length 0: nothing to do */
	vitk_put_be16(um + 7, 0);
	assert_int_equal(h_run(h, 0, um, 10, NULL, 0, 0), 0);
	/* read-only LUN */
	vitk_put_be16(um + 7, 24);
	vitk_put_be64(pl + 8, 0);
	h_run(h, 3, um, 10, pl, 24, 0);
	h_assert_sense(h, 0x07, 0x27, 0x00);
}

static void test_device_caw__match_and_miscompare(void **state)
{
	harness *h = *state;
	uint8_t caw[16] = { 0x89 }, w[16];

	h_fill_pattern(buf, 1024, 5);
	h_cdb16_rw(w, 0x8a, 300, 2);
	assert_int_equal(H_RUN(h, 0, w, buf, 1024, 0), 0);

	vitk_put_be64(caw + 2, 300);
	caw[13] = 2;
	memcpy(buf2, buf, 1024);
	memset(buf2 + 1024, 0x42, 1024);
	assert_int_equal(H_RUN(h, 0, caw, buf2, 2048, 0), 0);
	h_file_read(h, 0, 300 * 512, buf, 1024);
	assert_int_equal(buf[0], 0x42);
	assert_int_equal(buf[1023], 0x42);

	/* compare now fails at byte 700: MISCOMPARE with INFORMATION = 700 */
	memset(buf2, 0x42, 1024);
	buf2[700] = 0x43;
	H_RUN(h, 0, caw, buf2, 2048, 0);
	h_assert_sense(h, 0x0e, 0x1d, 0x00);
	assert_int_equal(h->cmd.sense[0] & 0x80, 0x80);
	assert_int_equal(vitk_get_be32(h->cmd.sense + 3), 700);
	/* wrong Data-Out size */
	H_RUN(h, 0, caw, buf2, 1024, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	/* 256 blocks wrap NUMBER OF LOGICAL BLOCKS to 0 but still carry data */
	caw[13] = 0;
	H_RUN(h, 0, caw, buf2, 2048, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	assert_int_equal(H_RUN(h, 0, caw, NULL, 0, 0), 0);
}

static void test_device_verify__bytchk(void **state)
{
	harness *h = *state;
	uint8_t v[10], w[10];

	h_fill_pattern(buf, 512 * 4, 11);
	h_cdb10_rw(w, 0x2a, 40, 4);
	assert_int_equal(H_RUN(h, 0, w, buf, 2048, 0), 0);
	h_cdb10_rw(v, 0x2f, 40, 4);
	v[1] = 0x02; /* BYTCHK=1 */
	assert_int_equal(H_RUN(h, 0, v, buf, 2048, 0), 0);
	buf[1500] ^= 1;
	H_RUN(h, 0, v, buf, 2048, 0);
	h_assert_sense(h, 0x0e, 0x1d, 0x00);
	assert_int_equal(vitk_get_be32(h->cmd.sense + 3), 1500);
	/* BYTCHK=0 only checks the range */
	v[1] = 0;
	assert_int_equal(H_RUN(h, 0, v, NULL, 0, 0), 0);
	h_cdb10_rw(v, 0x2f, H_LUN0_BLOCKS, 1);
	H_RUN(h, 0, v, NULL, 0, 0);
	h_assert_sense(h, 0x05, 0x21, 0x00);
	/* BYTCHK=3: one block of Data-Out compared with every block */
	memset(buf, 0x3c, 2048);
	h_cdb10_rw(w, 0x2a, 80, 4);
	assert_int_equal(H_RUN(h, 0, w, buf, 2048, 0), 0);
	h_cdb10_rw(v, 0x2f, 80, 4);
	v[1] = 0x06;
	assert_int_equal(tgt_cdb_dout_len(v, 10, 512), 512);
	assert_int_equal(H_RUN(h, 0, v, buf, 512, 0), 0);
	buf2[0] = 0x3d;
	h_file_write(h, 0, 82 * 512 + 9, buf2, 1);
	H_RUN(h, 0, v, buf, 512, 0);
	h_assert_sense(h, 0x0e, 0x1d, 0x00);
	assert_int_equal(vitk_get_be32(h->cmd.sense + 3), 2 * 512 + 9);
	/* VRPROTECT */
	h_cdb10_rw(v, 0x2f, 0, 1);
	v[1] = 0x20;
	H_RUN(h, 0, v, NULL, 0, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
}

static void test_device_misc__sync_ssu_prevent_tur(void **state)
{
	harness *h = *state;
	uint8_t sc[10], tur[6] = { 0 }, ssu[6] = { 0x1b, 0, 0, 0, 0x01, 0 };
	uint8_t pa[6] = { 0x1e, 0, 0, 0, 0x01, 0 }, rs[6] = { 0x03, 0, 0, 0, 18, 0 };
	uint8_t sc16[16];

	h_cdb10_rw(sc, 0x35, 0, 0);
	assert_int_equal(H_RUN(h, 0, sc, NULL, 0, 0), 0);
	h_cdb16_rw(sc16, 0x91, H_LUN0_BLOCKS + 5, 1);
	H_RUN(h, 0, sc16, NULL, 0, 0);
	h_assert_sense(h, 0x05, 0x21, 0x00);
	assert_int_equal(H_RUN(h, 0, tur, NULL, 0, 0), 0);
	assert_int_equal(H_RUN(h, 0, ssu, NULL, 0, 0), 0);
	assert_int_equal(H_RUN(h, 0, pa, NULL, 0, 0), 0);
	/* eject while prevented */
	ssu[4] = 0x02;
	H_RUN(h, 0, ssu, NULL, 0, 0);
	h_assert_sense(h, 0x05, 0x53, 0x02);
	pa[4] = 0;
	assert_int_equal(H_RUN(h, 0, pa, NULL, 0, 0), 0);
	assert_int_equal(H_RUN(h, 0, ssu, NULL, 0, 0), 0);
	assert_int_equal(H_RUN(h, 0, rs, NULL, 0, 18), 0);
	assert_int_equal(h->cmd.din_len, 18);
	assert_int_equal(h->din[0], 0x70);
	assert_int_equal(h->din[2], 0x00);
}

static void test_device_cdb__dout_len(void **state)
{
	uint8_t c[16] = { 0 };

	(void)state;
	h_cdb10_rw(c, 0x2a, 0, 8);
	assert_int_equal(tgt_cdb_dout_len(c, 10, 512), 4096);
	h_cdb16_rw(c, 0x8a, 0, 3);
	assert_int_equal(tgt_cdb_dout_len(c, 16, 4096), 3 * 4096);
	h_cdb16_rw(c, 0x93, 0, 100);
	assert_int_equal(tgt_cdb_dout_len(c, 16, 512), 512);
	c[1] = 0x01; /* NDOB */
	assert_int_equal(tgt_cdb_dout_len(c, 16, 512), 0);
	c[1] = 0x08; /* UNMAP: the data block is optional */
	assert_int_equal(tgt_cdb_dout_len(c, 16, 512), 0);
	memset(c, 0, 16);
	c[0] = 0x89;
	c[13] = 4;
	assert_int_equal(tgt_cdb_dout_len(c, 16, 512), 4096);
	h_cdb_tpc(c, 0x83, 0x11, 5, 552);
	assert_int_equal(tgt_cdb_dout_len(c, 16, 512), 552);
	memset(c, 0, 16);
	c[0] = 0x0a;
	assert_int_equal(tgt_cdb_dout_len(c, 6, 512), 256 * 512);
	c[0] = 0x28;
	assert_int_equal(tgt_cdb_dout_len(c, 10, 512), 0);
	assert_int_equal(tgt_cdb_dout_len(c, 3, 512), 0);
}

static void test_device_stats__counters(void **state)
{
	harness *h = *state;
	tgt_lun_stats st;
	uint8_t c10[10];
	unsigned luns[8];

	h_cdb10_rw(c10, 0x2a, 0, 2);
	assert_int_equal(H_RUN(h, 1, c10, buf, 1024, 0), 0);
	h_cdb10_rw(c10, 0x28, 0, 4);
	assert_int_equal(H_RUN(h, 1, c10, NULL, 0, 2048), 0);
	assert_int_equal(H_RUN(h, 1, c10, NULL, 0, 2048), 0);
	assert_int_equal(tgt_device_stats(h->dev, 1, &st), 0);
	assert_int_equal(st.lun, 1);
	assert_int_equal(st.cmds_by_opcode[0x2a], 1);
	assert_int_equal(st.cmds_by_opcode[0x28], 2);
	assert_int_equal(st.bytes_written_wire, 1024);
	assert_int_equal(st.bytes_read_wire, 4096);
	assert_int_equal(tgt_device_stats(h->dev, 5, &st), VITK_ENOTFOUND);
	assert_int_equal(tgt_device_luns(h->dev, luns, 8), 4);
	assert_int_equal(luns[0], 0);
	assert_int_equal(luns[3], 3);
}

struct thr_arg {
	harness *h;
	unsigned idx;
	int failures;
};

static void *writer(void *p)
{
	struct thr_arg *a = p;
	uint8_t data[4096], c10[10], c10r[10];
	uint8_t din[4096];
	int i;

	for (i = 0; i < 200; i++) {
		tgt_cmd cmd;
		uint32_t lba = a->idx * 512 + (uint32_t)(i % 64) * 8;

		memset(data, (int)(a->idx * 31 + (unsigned)i), sizeof(data));
		h_cdb10_rw(c10, 0x2a, lba, 8);
		memset(&cmd, 0, sizeof(cmd));
		cmd.lun = 1, cmd.cdb = c10, cmd.cdb_len = 10, cmd.dout = data, cmd.dout_len = 4096;
		if (tgt_device_exec(a->h->dev, &cmd) != 0 || cmd.status)
			a->failures++;
		h_cdb10_rw(c10r, 0x28, lba, 8);
		memset(&cmd, 0, sizeof(cmd));
		cmd.lun = 1, cmd.cdb = c10r, cmd.cdb_len = 10, cmd.din = din, cmd.din_cap = 4096;
		if (tgt_device_exec(a->h->dev, &cmd) != 0 || cmd.status ||
		    memcmp(din, data, 4096) != 0)
			a->failures++;
	}
	return NULL;
}

static void test_device_exec__concurrent(void **state)
{
	harness *h = *state;
	pthread_t t[4];
	struct thr_arg a[4];
	tgt_lun_stats st;
	unsigned i;

	for (i = 0; i < 4; i++) {
		a[i].h = h, a[i].idx = i, a[i].failures = 0;
		assert_int_equal(pthread_create(&t[i], NULL, writer, &a[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].failures, 0);
	}
	assert_int_equal(tgt_device_stats(h->dev, 1, &st), 0);
	assert_int_equal(st.cmds_by_opcode[0x2a], 800);
	assert_int_equal(st.cmds_by_opcode[0x28], 800);
}

static uint8_t run_nexus(harness *h, uint64_t nexus, const uint8_t *cdb, size_t len,
			 size_t din_cap)
{
	memset(&h->cmd, 0, sizeof(h->cmd));
	h->cmd.cdb = cdb;
	h->cmd.cdb_len = len;
	h->cmd.din = h->din;
	h->cmd.din_cap = din_cap;
	h->cmd.nexus = nexus;
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	return h->cmd.status;
}

static void test_device_tmf__lun_reset_unit_attention(void **state)
{
	harness *h = *state;
	uint8_t tur[6] = { 0 }, inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	uint8_t rs[6] = { 0x03, 0, 0, 0, 18, 0 };
	uint8_t pa[6] = { 0x1e, 0, 0, 0, 0x01, 0 }, ssu[6] = { 0x1b, 0, 0, 0, 0x02, 0 };

	assert_int_equal(run_nexus(h, 1, tur, 6, 0), 0);
	assert_int_equal(run_nexus(h, 2, tur, 6, 0), 0);
	assert_int_equal(run_nexus(h, 1, pa, 6, 0), 0); /* PREVENT */
	assert_int_equal(tgt_device_lun_reset(h->dev, 0), 0);
	assert_int_equal(tgt_device_lun_reset(h->dev, 9), VITK_ENOTFOUND);

	/* nexus 1: one UNIT ATTENTION 29h/03h, then normal service */
	run_nexus(h, 1, tur, 6, 0);
	h_assert_sense(h, 0x06, 0x29, 0x03);
	assert_int_equal(run_nexus(h, 1, tur, 6, 0), 0);
	/* the reset released PREVENT: the eject is accepted */
	assert_int_equal(run_nexus(h, 1, ssu, 6, 0), 0);
	/* nexus 2: INQUIRY does not consume it, REQUEST SENSE returns it as data */
	assert_int_equal(run_nexus(h, 2, inq, 6, 36), 0);
	assert_int_equal(run_nexus(h, 2, rs, 6, 18), 0);
	assert_int_equal(h->din[2] & 0x0f, 0x06);
	assert_int_equal(h->din[12], 0x29);
	assert_int_equal(h->din[13], 0x03);
	assert_int_equal(run_nexus(h, 2, tur, 6, 0), 0);
	/* other LUNs are untouched */
	h->cmd.lun = 1;
	memset(&h->cmd, 0, sizeof(h->cmd));
	h->cmd.lun = 1, h->cmd.cdb = tur, h->cmd.cdb_len = 6, h->cmd.nexus = 1;
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	assert_int_equal(h->cmd.status, 0);

	/* a nexus that has gone away is forgotten */
	tgt_device_nexus_gone(h->dev, 1);
	assert_int_equal(tgt_device_lun_reset(h->dev, 0), 0);
	assert_int_equal(run_nexus(h, 1, tur, 6, 0), 0);
	run_nexus(h, 2, tur, 6, 0);
	h_assert_sense(h, 0x06, 0x29, 0x03);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_device_lun__created_sparse, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_lun__errors, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_lun__naa_unique_and_stable, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_rw__roundtrip_all_sizes, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_rw__lba_out_of_range, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_rw__protect_fields_and_opcodes, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_rw__write_protect, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_capacity__10_and_16, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_write_same__pattern_unmap_and_size,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_unmap__punch_and_errors, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_caw__match_and_miscompare, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_verify__bytchk, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_misc__sync_ssu_prevent_tur, h_setup,
						h_teardown),
		cmocka_unit_test(test_device_cdb__dout_len),
		cmocka_unit_test_setup_teardown(test_device_stats__counters, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_exec__concurrent, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_tmf__lun_reset_unit_attention, h_setup,
						h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
