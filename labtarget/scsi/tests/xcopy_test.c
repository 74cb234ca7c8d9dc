/* SPDX-License-Identifier: MIT */
/*
 * EXTENDED COPY(LID1), RECEIVE COPY OPERATING PARAMETERS / STATUS / FAILURE
 * DETAILS through tgt_device_exec(), data checked in the backing files.
 */
#include "harness.h"
#include "dev_internal.h" /* chunk_hook */

static uint8_t buf[1 << 20];
static uint8_t buf2[1 << 20];
static uint8_t pl[8192];

static void cscd_for(harness *h, unsigned lun, uint8_t *c)
{
	uint8_t inq[6] = { 0x12, 0x01, 0x83, 0x00, 0xff, 0x00 };
	uint8_t rc[16] = { 0x9e, 0x10 };
	uint32_t bs;

	vitk_put_be32(rc + 10, 32);
	assert_int_equal(H_RUN(h, lun, rc, NULL, 0, 32), 0);
	bs = vitk_get_be32(h->din + 8);
	assert_int_equal(H_RUN(h, lun, inq, NULL, 0, 255), 0);
	memset(c, 0, 32);
	c[0] = 0xe4;
	memcpy(c + 4, h->din + 4, 20); /* the NAA designation descriptor */
	vitk_put_be24(c + 29, bs);
}

static size_t seg02(uint8_t *s, uint16_t src, uint16_t dst, uint16_t n, uint64_t slba,
		    uint64_t dlba)
{
	memset(s, 0, 28);
	s[0] = 0x02;
	vitk_put_be16(s + 2, 0x18);
	vitk_put_be16(s + 4, src);
	vitk_put_be16(s + 6, dst);
	vitk_put_be16(s + 10, n);
	vitk_put_be64(s + 12, slba);
	vitk_put_be64(s + 20, dlba);
	return 28;
}

static size_t seg0a(uint8_t *s, uint16_t src, uint16_t dst, uint32_t bytes, uint64_t slba,
		    uint64_t dlba, uint16_t soff, uint16_t doff)
{
	memset(s, 0, 32);
	s[0] = 0x0a;
	vitk_put_be16(s + 2, 0x1c);
	vitk_put_be16(s + 4, src);
	vitk_put_be16(s + 6, dst);
	vitk_put_be32(s + 8, bytes);
	vitk_put_be64(s + 12, slba);
	vitk_put_be64(s + 20, dlba);
	vitk_put_be16(s + 28, soff);
	vitk_put_be16(s + 30, doff);
	return 32;
}

static void header(uint8_t *p, uint8_t list_id, uint8_t usage, size_t cscd_len, size_t seg_len)
{
	memset(p, 0, 16);
	p[0] = list_id;
	p[1] = (uint8_t)(usage << 3);
	vitk_put_be16(p + 2, (uint16_t)cscd_len);
	vitk_put_be32(p + 8, (uint32_t)seg_len);
}

static uint8_t xcopy(harness *h, unsigned lun, const uint8_t *p, size_t len)
{
	uint8_t c[16];

	h_cdb_tpc(c, 0x83, 0x00, 0, (uint32_t)len);
	return H_RUN(h, lun, c, p, len, 0);
}

/* LUN0 blocks [0, 2048) hold a pattern */
static void seed_lun0(harness *h)
{
	h_fill_pattern(buf, 2048 * 512, 21);
	h_file_write(h, 0, 0, buf, 2048 * 512);
}

static void test_device_xcopy__simple_cross_lun(void **state)
{
	harness *h = *state;
	tgt_lun_stats st;
	size_t n;

	seed_lun0(h);
	cscd_for(h, 0, pl + 16);
	cscd_for(h, 1, pl + 48);
	n = 80;
	n += seg02(pl + n, 0, 1, 2048, 0, 100);
	header(pl, 1, 0, 64, 28);
	assert_int_equal(xcopy(h, 1, pl, n), 0);
	h_file_read(h, 1, 100 * 512, buf2, 2048 * 512);
	assert_memory_equal(buf, buf2, 2048 * 512);
	assert_int_equal(tgt_device_stats(h->dev, 1, &st), 0);
	assert_int_equal(st.bytes_copied_internal, 2048 * 512);
	assert_int_equal(st.cmds_by_opcode[0x83], 1);
}

static void test_device_xcopy__several_segments_and_offsets(void **state)
{
	harness *h = *state;
	size_t n = 16 + 96;

	seed_lun0(h);
	cscd_for(h, 0, pl + 16);
	cscd_for(h, 1, pl + 48);
	cscd_for(h, 2, pl + 80); /* 4096-byte blocks */
	n += seg02(pl + n, 0, 1, 8, 0, 0);          /* 4 KiB LUN0 -> LUN1 @0 */
	n += seg02(pl + n, 0, 0, 16, 0, 4000);      /* same LUN, non-overlapping */
	n += seg02(pl + n, 0, 2, 16, 8, 3);         /* 8 KiB LUN0 @4K -> LUN2 @12K */
	n += seg0a(pl + n, 0, 1, 1000, 10, 50, 7, 3); /* 1000 bytes at odd offsets */
	header(pl, 2, 0, 96, n - 16 - 96);
	assert_int_equal(xcopy(h, 0, pl, n), 0);

	h_file_read(h, 1, 0, buf2, 4096);
	assert_memory_equal(buf2, buf, 4096);
	h_file_read(h, 0, 4000 * 512, buf2, 8192);
	assert_memory_equal(buf2, buf, 8192);
	h_file_read(h, 2, 3 * 4096, buf2, 8192);
	assert_memory_equal(buf2, buf + 4096, 8192);
	h_file_read(h, 1, 50 * 512 + 3, buf2, 1000);
	assert_memory_equal(buf2, buf + 10 * 512 + 7, 1000);

	/* RECEIVE COPY STATUS(LID1): done, 4 segments, bytes */
	{
		uint8_t c[16];

		h_cdb_tpc(c, 0x84, 0x00, 2, 12);
		assert_int_equal(H_RUN(h, 0, c, NULL, 0, 12), 0);
		assert_int_equal(vitk_get_be32(h->din), 8);
		assert_int_equal(h->din[4], 0x01);
		assert_int_equal(vitk_get_be16(h->din + 5), 4);
		assert_int_equal(h->din[7], 0x00);
		assert_int_equal(vitk_get_be32(h->din + 8), 4096 + 8192 + 8192 + 1000);
	}
}

static void test_device_xcopy__param_list_length(void **state)
{
	harness *h = *state;
	size_t n;

	cscd_for(h, 0, pl + 16);
	n = 48 + seg02(pl + 48, 0, 0, 16, 0, 100);
	header(pl, 1, 0, 32, 28);
	/* truncating the CSCD, then the segment */
	xcopy(h, 0, pl, 16 + 31);
	h_assert_sense(h, 0x05, 0x1a, 0x00);
	xcopy(h, 0, pl, n - 1);
	h_assert_sense(h, 0x05, 0x1a, 0x00);
	/* header alone is shorter than 16 */
	xcopy(h, 0, pl, 8);
	h_assert_sense(h, 0x05, 0x1a, 0x00);
	/* length 0 is not an error */
	assert_int_equal(xcopy(h, 0, NULL, 0), 0);
	/* Data-Out shorter than the CDB's parameter list length */
	{
		uint8_t c[16];

		h_cdb_tpc(c, 0x83, 0x00, 0, (uint32_t)n);
		H_RUN(h, 0, c, pl, n - 10, 0);
		h_assert_sense(h, 0x05, 0x1a, 0x00);
	}
	/* inline data is not supported */
	header(pl, 1, 0, 32, 28);
	vitk_put_be32(pl + 12, 4);
	xcopy(h, 0, pl, n + 4);
	h_assert_sense(h, 0x05, 0x26, 0x00);
}

static void test_device_xcopy__descriptor_limits_and_types(void **state)
{
	harness *h = *state;
	size_t n, i;

	/* 17 CSCDs: too many target descriptors */
	for (i = 0; i < 17; i++)
		cscd_for(h, 0, pl + 16 + 32 * i);
	n = 16 + 17 * 32;
	n += seg02(pl + n, 0, 0, 1, 0, 1);
	header(pl, 1, 0, 17 * 32, 28);
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x05, 0x26, 0x06);

	/* 65 segments: too many segment descriptors */
	n = 48;
	for (i = 0; i < 65; i++)
		n += seg02(pl + n, 0, 0, 1, 0, 1);
	header(pl, 2, 0, 32, 65 * 28);
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x05, 0x26, 0x08);
	assert_int_equal(h->cmd.sense[15], 0x80); /* field pointer: the 65th segment */
	assert_int_equal(vitk_get_be16(h->cmd.sense + 16), 48 + 64 * 28);

	/* descriptor lists longer than the advertised maximum (4096) */
	header(pl, 3, 0, 32, 4096);
	memset(pl + 48, 0, 4096);
	xcopy(h, 0, pl, 16 + 32 + 4096);
	h_assert_sense(h, 0x05, 0x1a, 0x00);

	/* FC N_Port_Name CSCD (E0h) */
	n = 48 + seg02(pl + 48, 0, 0, 1, 0, 1);
	header(pl, 1, 0, 32, 28);
	pl[16] = 0xe0;
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x05, 0x26, 0x07);
	assert_int_equal(h->cmd.sense[15], 0x80);
	assert_int_equal(vitk_get_be16(h->cmd.sense + 16), 16);
	/* stream-to-stream segment (01h) */
	pl[16] = 0xe4;
	pl[48] = 0x01;
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x05, 0x26, 0x09);
	/* segment with a wrong descriptor length */
	pl[48] = 0x02;
	pl[51] = 0x14;
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x05, 0x26, 0x00);
}

static void test_device_xcopy__target_descriptor_checks(void **state)
{
	harness *h = *state;
	size_t n;

	cscd_for(h, 0, pl + 16);
	n = 48 + seg02(pl + 48, 0, 0, 16, 0, 100);
	header(pl, 1, 0, 32, 28);
	/* a reserved LU ID TYPE is ignored: the designator decides (libiscsi 1.19) */
	pl[17] = 0x80;
	assert_int_equal(xcopy(h, 0, pl, n), 0);
	/* NUL bit */
	pl[17] = 0x20;
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x0a, 0x0d, 0x02);
	/* a designator that names no LUN of this target */
	pl[17] = 0;
	pl[16 + 20] ^= 0xff;
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x0a, 0x0d, 0x02);
	pl[16 + 20] ^= 0xff;
	/* peripheral type tape */
	pl[17] = 0x01;
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x0a, 0x0d, 0x03);
	pl[17] = 0;
	/* destination index with no CSCD: unreachable copy target */
	seg02(pl + 48, 0, 1, 16, 0, 100);
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x0a, 0x0d, 0x02);
}

static void test_device_xcopy__underrun_overrun_and_protect(void **state)
{
	harness *h = *state;
	uint8_t c[16];
	size_t n;

	cscd_for(h, 0, pl + 16);
	cscd_for(h, 3, pl + 48); /* read-only LUN */
	n = 80 + seg02(pl + 80, 0, 0, 2048, 0, H_LUN0_BLOCKS - 1);
	header(pl, 7, 0, 64, 28);
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x0a, 0x00, 0x00); /* destination past its end */
	assert_int_equal(h->cmd.sense[0], 0xf0); /* INFORMATION: segment 0 */
	assert_int_equal(vitk_get_be32(h->cmd.sense + 3), 0);

	/* failure details for list 7 carry the sense */
	h_cdb_tpc(c, 0x84, 0x04, 7, 256);
	assert_int_equal(H_RUN(h, 0, c, NULL, 0, 256), 0);
	assert_int_equal(h->din[56], 0x02);
	assert_int_equal(vitk_get_be16(h->din + 58), 18);
	assert_int_equal(h->din[60 + 2], 0x0a);
	assert_int_equal(h->din[60 + 12], 0x00);
	assert_int_equal(h->din[60 + 13], 0x00);
	h_cdb_tpc(c, 0x84, 0x00, 7, 12);
	assert_int_equal(H_RUN(h, 0, c, NULL, 0, 12), 0);
	assert_int_equal(h->din[4], 0x02); /* completed with errors */

	seg02(pl + 80, 0, 0, 16, H_LUN0_BLOCKS - 8, 0);
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x0a, 0x0d, 0x04); /* source past its end */

	seg02(pl + 80, 0, 1, 16, 0, 0);
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x07, 0x27, 0x00);
}

static void test_device_rcr__op_params_and_status_errors(void **state)
{
	harness *h = *state;
	uint8_t c[16];

	h_cdb_tpc(c, 0x84, 0x03, 0, 64);
	assert_int_equal(H_RUN(h, 0, c, NULL, 0, 64), 0);
	assert_int_equal(h->cmd.din_len, 47);
	assert_int_equal(vitk_get_be32(h->din), 43);
	assert_int_equal(vitk_get_be16(h->din + 8), 16);
	assert_int_equal(vitk_get_be16(h->din + 10), 64);
	assert_int_equal(vitk_get_be32(h->din + 12), 4096);
	assert_int_equal(vitk_get_be32(h->din + 16), 256u << 20);
	assert_int_equal(vitk_get_be32(h->din + 20), 0);
	assert_int_equal(h->din[43], 3);
	assert_int_equal(h->din[44], 0x02);
	assert_int_equal(h->din[45], 0x0a);
	assert_int_equal(h->din[46], 0xe4);

	/* no copy with this list id */
	h_cdb_tpc(c, 0x84, 0x00, 1, 12);
	H_RUN(h, 0, c, NULL, 0, 12);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	h_cdb_tpc(c, 0x84, 0x04, 1, 256);
	H_RUN(h, 0, c, NULL, 0, 256);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	/* RECEIVE COPY DATA is not supported */
	h_cdb_tpc(c, 0x84, 0x01, 1, 256);
	H_RUN(h, 0, c, NULL, 0, 256);
	h_assert_sense(h, 0x05, 0x24, 0x00);
}

static void test_device_rcr__discard_and_no_list_id(void **state)
{
	harness *h = *state;
	uint8_t c[16];
	size_t n;

	seed_lun0(h);
	cscd_for(h, 0, pl + 16);
	n = 48 + seg02(pl + 48, 0, 0, 4, 0, 4096);
	header(pl, 9, 3, 32, 28); /* no list id: nothing is retained */
	assert_int_equal(xcopy(h, 0, pl, n), 0);
	h_cdb_tpc(c, 0x84, 0x00, 9, 12);
	H_RUN(h, 0, c, NULL, 0, 12);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	header(pl, 9, 2, 32, 28); /* discard: status still reported */
	assert_int_equal(xcopy(h, 0, pl, n), 0);
	assert_int_equal(H_RUN(h, 0, c, NULL, 0, 12), 0);
	assert_int_equal(h->din[4], 0x01);
	assert_int_equal(vitk_get_be32(h->din + 8), 2048);
	/* LIST ID USAGE 01b is reserved */
	header(pl, 9, 1, 32, 28);
	xcopy(h, 0, pl, n);
	h_assert_sense(h, 0x05, 0x26, 0x00);
}

static void test_device_rcr__list_ids_per_nexus(void **state)
{
	harness *h = *state;
	uint8_t c[16];
	size_t n;

	seed_lun0(h);
	cscd_for(h, 0, pl + 16);
	n = 48 + seg02(pl + 48, 0, 0, 4, 0, 4096);
	header(pl, 1, 0, 32, 28);
	h_cdb_tpc(c, 0x83, 0x00, 0, (uint32_t)n);
	memset(&h->cmd, 0, sizeof(h->cmd));
	h->cmd.cdb = c, h->cmd.cdb_len = 16, h->cmd.dout = pl, h->cmd.dout_len = n;
	h->cmd.nexus = 0x1001;
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	h_assert_good(h);

	/* another I_T nexus does not see list id 1 ... */
	h_cdb_tpc(c, 0x84, 0x00, 1, 12);
	memset(&h->cmd, 0, sizeof(h->cmd));
	h->cmd.cdb = c, h->cmd.cdb_len = 16, h->cmd.din = h->din, h->cmd.din_cap = 12;
	h->cmd.nexus = 0x2002;
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	/* ... the one that sent it does */
	h->cmd.nexus = 0x1001;
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	h_assert_good(h);
	assert_int_equal(h->din[4], 0x01);
	/* until that nexus logs out */
	tgt_device_nexus_gone(h->dev, 0x1001);
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
}

/*
 * ABORT TASK of a running 1 GiB EXTENDED COPY: four 256 MiB segments joined
 * into one run, moved in 64 MiB chunks.  The caller's flag (stored from the
 * chunk hook before the third chunk, as the iSCSI layer's thread would)
 * stops it there: the first 128 MiB of the destination range hold the
 * source, nothing after them and nothing outside the range was written.
 */
#define BIG (1ull << 30)
#define MIB (1ull << 20)
#define DST_AT (32 * MIB) /* the destination range starts here */

static int abort_calls;

static void abort_third_chunk(void *arg)
{
	harness *h = arg;

	if (++abort_calls == 3)
		__atomic_store_n(&h->cmd.abort_req, 1, __ATOMIC_RELEASE);
}

static void big_lun(harness *h, unsigned lun, const char *path, uint64_t size)
{
	tgt_lun_config c = { 0 };

	c.tokens = TGT_TOKENS_REVOKE;
	c.lun = lun, c.path = path, c.size = size, c.block_size = 512;
	assert_int_equal(tgt_device_add_lun(h->dev, &c), 0);
}

static void put_at(const char *path, uint64_t off, uint8_t v)
{
	uint8_t b[512];
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	memset(b, v, sizeof(b));
	assert_int_equal(pwrite(fd, b, sizeof(b), (off_t)off), (ssize_t)sizeof(b));
	close(fd);
}

static uint8_t byte_at(const char *path, uint64_t off)
{
	uint8_t b[512];
	size_t i;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, b, sizeof(b), (off_t)off), (ssize_t)sizeof(b));
	close(fd);
	for (i = 1; i < sizeof(b); i++)
		if (b[i] != b[0])
			fail_msg("block at %llu is not uniform", (unsigned long long)off);
	return b[0];
}

static void test_device_xcopy__abort_task_mid_copy(void **state)
{
	harness *h = *state;
	char sp[700], dp[700];
	uint8_t c[16];
	size_t n = 16 + 64;
	uint64_t k;

	snprintf(sp, sizeof(sp), "%s/bigs.img", h->dir);
	snprintf(dp, sizeof(dp), "%s/bigd.img", h->dir);
	big_lun(h, 4, sp, BIG);
	big_lun(h, 5, dp, BIG + 64 * MIB);
	/* a marker block on each side of every 64 MiB boundary: the source's
	 * says which, the destination's is 0x77 (before and after the range too) */
	for (k = 0; k <= 16; k++) {
		if (k > 0)
			put_at(sp, k * 64 * MIB - 512, (uint8_t)(0x80 + k));
		if (k < 16)
			put_at(sp, k * 64 * MIB, (uint8_t)(0x10 + k));
		put_at(dp, DST_AT + k * 64 * MIB - 512, 0x77);
		put_at(dp, DST_AT + k * 64 * MIB, 0x77);
	}
	cscd_for(h, 4, pl + 16);
	cscd_for(h, 5, pl + 48);
	for (k = 0; k < 4; k++)
		n += seg0a(pl + n, 0, 1, 256 * MIB, k * 256 * MIB / 512,
			   (DST_AT + k * 256 * MIB) / 512, 0, 0);
	header(pl, 3, 0, 64, n - 16 - 64);
	abort_calls = 0;
	h->dev->chunk_hook = abort_third_chunk;
	h->dev->chunk_hook_arg = h;
	assert_int_equal(xcopy(h, 4, pl, n), 2);
	h->dev->chunk_hook = NULL;
	h_assert_sense(h, VITK_SCSI_KEY_COPY_ABORTED, 0x00, 0x00);
	assert_int_equal(h->cmd.abort_req, 2); /* it stopped because of the flag */
	assert_int_equal(abort_calls, 3);      /* at the third chunk, not at the end */

	assert_int_equal(byte_at(dp, DST_AT - 512), 0x77); /* before the range */
	for (k = 0; k <= 16; k++) {
		/* chunks 0 and 1 (bytes [0, 128 MiB) of the range) were copied */
		if (k > 0)
			assert_int_equal(byte_at(dp, DST_AT + k * 64 * MIB - 512),
					 k <= 2 ? 0x80 + k : 0x77);
		assert_int_equal(byte_at(dp, DST_AT + k * 64 * MIB), k < 2 ? 0x10 + k : 0x77);
	}
	/* RECEIVE COPY STATUS(LID1): ended with errors, 128 MiB moved, no
	 * segment completed (the four are one run) */
	h_cdb_tpc(c, 0x84, 0x00, 3, 12);
	assert_int_equal(H_RUN(h, 4, c, NULL, 0, 12), 0);
	assert_int_equal(h->din[4], 0x02);
	assert_int_equal(vitk_get_be16(h->din + 5), 0);
	assert_int_equal(h->din[7], 0x00);
	assert_int_equal(vitk_get_be32(h->din + 8), 128 * MIB);

	/* without the flag the same copy runs to its end */
	assert_int_equal(xcopy(h, 4, pl, n), 0);
	assert_int_equal(h->cmd.abort_req, 0);
	for (k = 1; k <= 16; k++)
		assert_int_equal(byte_at(dp, DST_AT + k * 64 * MIB - 512), 0x80 + k);
	assert_int_equal(byte_at(dp, DST_AT + 16 * 64 * MIB), 0x77); /* after the range */
	assert_int_equal(tgt_device_remove_lun(h->dev, 4), 0);
	assert_int_equal(tgt_device_remove_lun(h->dev, 5), 0);
	unlink(sp);
	unlink(dp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_device_xcopy__simple_cross_lun, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_xcopy__several_segments_and_offsets,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_xcopy__param_list_length, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_xcopy__descriptor_limits_and_types,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_xcopy__target_descriptor_checks, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_xcopy__underrun_overrun_and_protect,
						h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_rcr__op_params_and_status_errors, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_rcr__discard_and_no_list_id, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_rcr__list_ids_per_nexus, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_xcopy__abort_task_mid_copy, h_setup,
						h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
