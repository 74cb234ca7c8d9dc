/* SPDX-License-Identifier: MIT */
/* One multi-range ROD token for several LV segments, against the scripted fake: exact CDBs and lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <vitk/common.h>
#include <vitk/odx.h>
#include <vitk/scsi_constants.h>
#include <vitk/sys/odx_blk.h>

#include "fake_scsi.h"

static fake_scsi src, dst;
static vitk_odx_dev *s, *d;
static fake_scsi_cmd ss[8], ds[8];
static uint8_t bufs[8][1200];
static uint8_t token[512];

/* the list ids blk_token.c gives out, in order */
static uint32_t lid(unsigned n)
{
	return (0x4d520000u ^ ((uint32_t)getpid() << 4)) + n;
}

static void rrti(fake_scsi_cmd *c, uint8_t *b, uint32_t l, uint8_t sa, uint64_t tc, bool tok)
{
	vitk_scsi_rrti r;
	int len;

	memset(&r, 0, sizeof(r));
	r.response_to_sa = sa;
	r.copy_status = VITK_SCSI_COPY_DONE;
	r.transfer_count = tc;
	r.transfer_count_units = VITK_SCSI_UNITS_BLOCKS;
	r.has_token = tok;
	memcpy(r.token, token, 512);
	len = vitk_scsi_rrti_build(b, 1200, &r);
	assert_true(len > 0);
	memset(c, 0, sizeof(*c));
	c->cdb_len = 16;
	vitk_scsi_cdb_receive_copy(c->cdb, VITK_SCSI_SA_RRTI, l, 1024);
	c->din = b;
	c->din_len = (size_t)len;
}

static void run(unsigned first_lid, uint64_t pt_count, int want)
{
	const vitk_odx_blk_piece p[3] = {
		{ 1000, 5000, 64, false, 0, 0 }, { 200, 5064, 32, false, 0, 0 }, { 3000, 5096, 16, false, 0, 0 },
	};
	vitk_scsi_range sr[3] = { { 1000, 64 }, { 200, 32 }, { 3000, 16 } };
	vitk_scsi_range dr[3] = { { 5000, 64 }, { 5064, 32 }, { 5096, 16 } };
	uint64_t cmds = 0;
	char why[256] = "";
	int len;

	fake_scsi_init(&src, "SRC0001", 1, 512, 8192);
	fake_scsi_init(&dst, "DST0001", 2, 512, 8192);
	fake_scsi_enable_3pc(&src, 65536, 2048, 65535, 16);
	fake_scsi_enable_3pc(&dst, 65536, 2048, 65535, 16);
	assert_int_equal(vitk_odx_dev_open_with_transport(&s, &src.t, "src", "cm", NULL), 0);
	assert_int_equal(vitk_odx_dev_open_with_transport(&d, &dst.t, "dst", "cm", NULL), 0);
	vitk_put_be32(token, 0x00800000);
	vitk_put_be16(token + 6, 0x01F8);
	/* POPULATE TOKEN listing the three source ranges, then its RRTI */
	len = vitk_scsi_populate_token_build(bufs[0], 1200, false, 0, 0, sr, 3);
	memset(&ss[0], 0, sizeof(ss[0]));
	ss[0].cdb_len = 16;
	vitk_scsi_cdb_populate_token(ss[0].cdb, lid(first_lid), (uint32_t)len, 0);
	ss[0].dout = bufs[0];
	ss[0].dout_len = (size_t)len;
	rrti(&ss[1], bufs[1], lid(first_lid), VITK_SCSI_SA_POPULATE_TOKEN, pt_count, true);
	fake_scsi_expect(&src, ss, 2);
	/* WRITE USING TOKEN listing the three destination ranges, then its RRTI */
	len = vitk_scsi_write_using_token_build(bufs[2], 1200, false, true, 0, token, dr, 3);
	memset(&ds[0], 0, sizeof(ds[0]));
	ds[0].cdb_len = 16;
	vitk_scsi_cdb_write_using_token(ds[0].cdb, lid(first_lid + 1), (uint32_t)len, 0);
	ds[0].dout = bufs[2];
	ds[0].dout_len = (size_t)len;
	rrti(&ds[1], bufs[3], lid(first_lid + 1), VITK_SCSI_SA_WRITE_USING_TOKEN, 112, false);
	fake_scsi_expect(&dst, ds, 2);

	assert_int_equal(vitk_odx_blk_token_group(s, d, p, 3, &cmds, why, sizeof(why)), want);
	if (want == 0) {
		assert_true(fake_scsi_done(&src));
		assert_true(fake_scsi_done(&dst));
		if (src.failure[0] || dst.failure[0])
			fail_msg("%s %s", src.failure, dst.failure);
		assert_int_equal(cmds, 4);
	} else {
		assert_non_null(strstr(why, "POPULATE TOKEN of 3 ranges"));
		assert_non_null(strstr(why, "100 of 112 blocks"));
		assert_int_equal(cmds, 2); /* nothing written */
	}
	vitk_odx_dev_free(s);
	vitk_odx_dev_free(d);
	fake_scsi_dispose(&src);
	fake_scsi_dispose(&dst);
}

static void test_one_token_three_ranges(void **state)
{
	(void)state;
	run(1, 112, 0);
}

/* a truncated POPULATE TOKEN: the group is left to the per-piece engine */
static void test_truncated(void **state)
{
	(void)state;
	run(3, 100, 1);
}

static void test_limits(void **state)
{
	vitk_odx_blk_piece z = { 0, 0, 8, true, 0, 0 };
	uint64_t cmds = 0;
	char why[128];

	(void)state;
	/* no device is touched for a zero piece or an empty group */
	assert_int_equal(vitk_odx_blk_token_group(NULL, NULL, &z, 1, &cmds, why, sizeof(why)), 1);
	assert_int_equal(vitk_odx_blk_token_group(NULL, NULL, &z, 0, &cmds, why, sizeof(why)), 1);
	assert_int_equal(cmds, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_token_three_ranges),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
