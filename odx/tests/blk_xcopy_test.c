/* SPDX-License-Identifier: MIT */
/*
 * Multi-segment EXTENDED COPY for the pieces of a block plan (blk_xcopy.c),
 * against the scripted fake: the exact parameter list of every command.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/odx.h>
#include <vitk/scsi_constants.h>
#include <vitk/sys/odx_blk.h>

#include "fake_scsi.h"

#define NDEV 3
static fake_scsi fk[NDEV];
static vitk_odx_dev *dev[NDEV];
static fake_scsi_cmd script[8];
static uint8_t lists[8][2048];

/*
 * Devices: 0 and 2 sources ("SRC0", "SRC1"), 1 the destination; MAX_SEG_LEN
 * bytes per segment and MAX_SEGS segments per command; 2 CSCDs unless CSCDS.
 */
static void setup(uint32_t max_seg_len, uint16_t max_segs, uint16_t cscds)
{
	static const char *serial[NDEV] = { "SRC0", "DST0", "SRC1" };

	for (int i = 0; i < NDEV; i++) {
		fake_scsi_init(&fk[i], serial[i], (uint8_t)(i + 1), 512, 16384);
		fake_scsi_enable_3pc(&fk[i], 65536, 2048, max_seg_len, max_segs);
		vitk_put_be16(fk[i].rcop + 8, cscds);
		assert_int_equal(vitk_odx_dev_open_with_transport(&dev[i], &fk[i].t, serial[i], "cm", NULL), 0);
	}
}

static void teardown(void)
{
	for (int i = 0; i < NDEV; i++) {
		vitk_odx_dev_free(dev[i]);
		fake_scsi_dispose(&fk[i]);
	}
}

/* a 02h segment, written out byte by byte (not by the codec under test) */
static size_t seg(uint8_t *p, uint16_t si, uint16_t di, uint16_t blocks, uint64_t slba, uint64_t dlba)
{
	memset(p, 0, 28);
	p[0] = 0x02;
	p[3] = 0x18;
	p[4] = (uint8_t)(si >> 8);
	p[5] = (uint8_t)si;
	p[6] = (uint8_t)(di >> 8);
	p[7] = (uint8_t)di;
	p[10] = (uint8_t)(blocks >> 8);
	p[11] = (uint8_t)blocks;
	for (int i = 0; i < 8; i++) {
		p[12 + i] = (uint8_t)(slba >> (56 - 8 * i));
		p[20 + i] = (uint8_t)(dlba >> (56 - 8 * i));
	}
	return 28;
}

/* the header: list id, usage "discard" (10b << 3), CSCD and segment list lengths, no inline data */
static size_t hdr(uint8_t *p, uint8_t lid, size_t ncscd, size_t nseg)
{
	static const uint8_t h[16] = { 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

	memcpy(p, h, 16);
	p[0] = lid;
	p[3] = (uint8_t)(ncscd * 32);
	p[11] = (uint8_t)(nseg * 28);
	return 16;
}

/* an identification CSCD (E4h) of device I: the codec's, golden-tested in codec_test */
static size_t cscd(uint8_t *p, int i)
{
	const vitk_odx_dev_info *in = vitk_odx_dev_get_info(dev[i]);

	assert_int_equal(vitk_scsi_cscd_e4_build(p, &in->designator, 512), 32);
	assert_int_equal(p[0], 0xE4);
	return 32;
}

static void expect_cmd(int k, const uint8_t *list, size_t len)
{
	memset(&script[k], 0, sizeof(script[k]));
	script[k].cdb_len = 16;
	vitk_scsi_cdb_extended_copy_lid1(script[k].cdb, (uint32_t)len);
	script[k].dout = list;
	script[k].dout_len = len;
}

/* pack and send every command from the start; return the number sent */
static size_t run_all(vitk_odx_blk_xcopy *x, uint64_t *blocks)
{
	vitk_odx_blk_xcopy_cmd *c = malloc(sizeof(*c));
	size_t pos = 0, n = 0;
	uint64_t off = 0, cmds = 0;
	char why[256] = "";

	*blocks = 0;
	while (vitk_odx_blk_xcopy_pack(c, x, pos, off) == 0) {
		assert_int_equal(vitk_odx_blk_xcopy_send(x, c, &cmds, why, sizeof(why)), 0);
		*blocks += c->blocks;
		pos = c->end_pos;
		off = c->end_off;
		n++;
	}
	assert_int_equal(pos, x->npieces);
	assert_int_equal(cmds, n);
	free(c);
	return n;
}

static void assert_script_done(int i)
{
	if (fk[i].failure[0])
		fail_msg("%s", fk[i].failure);
	assert_true(fake_scsi_done(&fk[i]));
}

static void xcopy_init(vitk_odx_blk_xcopy *x, const vitk_odx_blk_xpiece *p, size_t n,
		       const vitk_odx_blk_xpiece *allowed, size_t na)
{
	memset(x, 0, sizeof(*x));
	x->devs = dev;
	x->ndevs = NDEV;
	x->pieces = p;
	x->npieces = n;
	x->allowed = allowed ? allowed : p;
	x->nallowed = allowed ? na : n;
	vitk_odx_blk_xcopy_limits_get(&x->limits, dev, NDEV, 0);
}

/* three LV segments, one device pair: ONE command, 2 CSCDs, 3 segments */
static void test_three_pieces_one_command(void **state)
{
	const vitk_odx_blk_xpiece p[3] = {
		{ 1000, 5000, 64, false, 0, 1 }, { 200, 5064, 32, false, 0, 1 }, { 3000, 5096, 16, false, 0, 1 },
	};
	vitk_odx_blk_xcopy x;
	uint8_t *l = lists[0];
	size_t n = 0;
	uint64_t blocks;

	(void)state;
	setup(65535 * 512, 16, 2);
	n += hdr(l, 1, 2, 3);
	n += cscd(l + n, 0);
	n += cscd(l + n, 1);
	n += seg(l + n, 0, 1, 64, 1000, 5000);
	n += seg(l + n, 0, 1, 32, 200, 5064);
	n += seg(l + n, 0, 1, 16, 3000, 5096);
	assert_int_equal(n, 164);
	expect_cmd(0, l, n);
	fake_scsi_expect(&fk[1], script, 1);
	xcopy_init(&x, p, 3, NULL, 0);
	assert_int_equal(run_all(&x, &blocks), 1);
	assert_int_equal(blocks, 112);
	assert_script_done(1);
	assert_int_equal(fake_scsi_count_op(&fk[0], 0x83), 0); /* the destination got it */
	teardown();
}

/* five pieces, two segments per command (the source's limit, lower than the destination's) */
static void test_segment_limit(void **state)
{
	const vitk_odx_blk_xpiece p[5] = {
		{ 10, 100, 8, false, 0, 1 }, { 30, 108, 8, false, 0, 1 }, { 50, 116, 8, false, 0, 1 },
		{ 70, 124, 8, false, 0, 1 }, { 90, 132, 8, false, 0, 1 },
	};
	vitk_odx_blk_xcopy x;
	size_t lens[3] = { 0 };
	uint64_t blocks;

	(void)state;
	setup(65535 * 512, 16, 2);
	vitk_put_be16(fk[0].rcop + 10, 2); /* the source's copy manager: 2 segments */
	for (int i = 0; i < NDEV; i++) {   /* re-read the limits */
		vitk_odx_dev_free(dev[i]);
		assert_int_equal(vitk_odx_dev_open_with_transport(&dev[i], &fk[i].t, "d", "cm", NULL), 0);
	}
	for (int k = 0; k < 3; k++) {
		uint8_t *l = lists[k];
		size_t ns = k < 2 ? 2 : 1;

		lens[k] += hdr(l, (uint8_t)(k + 1), 2, ns);
		lens[k] += cscd(l + lens[k], 0);
		lens[k] += cscd(l + lens[k], 1);
		for (size_t s = 0; s < ns; s++) {
			const vitk_odx_blk_xpiece *q = &p[2 * k + s];

			lens[k] += seg(l + lens[k], 0, 1, (uint16_t)q->count, q->src_lba, q->dst_lba);
		}
		expect_cmd(k, l, lens[k]);
	}
	fake_scsi_expect(&fk[1], script, 3);
	xcopy_init(&x, p, 5, NULL, 0);
	assert_int_equal(x.limits.max_segments, 2);
	assert_int_equal(run_all(&x, &blocks), 3);
	assert_int_equal(blocks, 40);
	assert_script_done(1);
	teardown();
}

/* an LV on two source LUNs: 3 CSCDs in one command; with 2 CSCDs allowed, two commands */
static void test_two_source_devices(void **state)
{
	const vitk_odx_blk_xpiece p[3] = {
		{ 1000, 5000, 64, false, 0, 1 }, { 200, 5064, 32, false, 2, 1 }, { 3000, 5096, 16, false, 0, 1 },
	};
	vitk_odx_blk_xcopy x;
	uint8_t *l = lists[0];
	size_t n = 0, m = 0;
	uint64_t blocks;

	(void)state;
	setup(65535 * 512, 16, 3);
	n += hdr(l, 1, 3, 3);
	n += cscd(l + n, 0);
	n += cscd(l + n, 1);
	n += cscd(l + n, 2);
	n += seg(l + n, 0, 1, 64, 1000, 5000);
	n += seg(l + n, 2, 1, 32, 200, 5064);
	n += seg(l + n, 0, 1, 16, 3000, 5096);
	assert_int_equal(n, 16 + 96 + 84);
	expect_cmd(0, l, n);
	fake_scsi_expect(&fk[1], script, 1);
	xcopy_init(&x, p, 3, NULL, 0);
	assert_int_equal(x.limits.max_cscds, 3);
	assert_int_equal(run_all(&x, &blocks), 1);
	assert_int_equal(blocks, 112);
	assert_script_done(1);
	teardown();

	/* the same plan where the copy managers take 2 CSCDs: piece 1 needs a third */
	setup(65535 * 512, 16, 2);
	n = 0;
	n += hdr(lists[0], 1, 2, 1);
	n += cscd(lists[0] + n, 0);
	n += cscd(lists[0] + n, 1);
	n += seg(lists[0] + n, 0, 1, 64, 1000, 5000);
	expect_cmd(0, lists[0], n);
	m += hdr(lists[1], 2, 2, 1);
	m += cscd(lists[1] + m, 2);
	m += cscd(lists[1] + m, 1);
	m += seg(lists[1] + m, 0, 1, 32, 200, 5064);
	/* piece 2's source is device 0, not among this command's CSCDs: a third command */
	expect_cmd(1, lists[1], m);
	{
		size_t k = 0;

		k += hdr(lists[2], 3, 2, 1);
		k += cscd(lists[2] + k, 0);
		k += cscd(lists[2] + k, 1);
		k += seg(lists[2] + k, 0, 1, 16, 3000, 5096);
		expect_cmd(2, lists[2], k);
	}
	fake_scsi_expect(&fk[1], script, 3);
	xcopy_init(&x, p, 3, NULL, 0);
	assert_int_equal(x.limits.max_cscds, 2);
	assert_int_equal(run_all(&x, &blocks), 3);
	assert_int_equal(blocks, 112);
	assert_script_done(1);
	teardown();
}

/* a piece longer than the maximum segment length (100 blocks) becomes 100 + 100 + 50 */
/*
 * An LV over two LUNs cloned to one laid the other way (os_offload_span.sh):
 * destinations on two devices too.  3 CSCDs in the order first named, one
 * command, received by the first segment's destination (device 1).
 */
static void test_two_destination_devices(void **state)
{
	const vitk_odx_blk_xpiece p[2] = {
		{ 1000, 5000, 64, false, 0, 1 }, { 200, 7000, 32, false, 2, 0 },
	};
	vitk_odx_blk_xcopy x;
	uint8_t *l = lists[0];
	size_t n = 0;
	uint64_t blocks;

	(void)state;
	setup(65535 * 512, 16, 4);
	n += hdr(l, 1, 3, 2);
	n += cscd(l + n, 0);
	n += cscd(l + n, 1);
	n += cscd(l + n, 2);
	n += seg(l + n, 0, 1, 64, 1000, 5000);
	n += seg(l + n, 2, 0, 32, 200, 7000); /* CSCD 2 (device 2) -> CSCD 0 (device 0) */
	assert_int_equal(n, 16 + 96 + 56);
	expect_cmd(0, l, n);
	fake_scsi_expect(&fk[1], script, 1);
	fake_scsi_expect(&fk[0], NULL, 0);
	xcopy_init(&x, p, 2, NULL, 0);
	assert_int_equal(run_all(&x, &blocks), 1);
	assert_int_equal(blocks, 96);
	assert_script_done(1);
	assert_int_equal(fake_scsi_count_op(&fk[0], 0x83), 0); /* nothing to device 0 */
	teardown();
}

static void test_long_piece_split(void **state)
{
	const vitk_odx_blk_xpiece p[2] = {
		{ 4000, 8000, 250, false, 0, 1 }, { 100, 8250, 20, false, 0, 1 },
	};
	vitk_odx_blk_xcopy x;
	uint8_t *l = lists[0];
	size_t n = 0;
	uint64_t blocks;

	(void)state;
	setup(100 * 512, 16, 2);
	n += hdr(l, 1, 2, 4);
	n += cscd(l + n, 0);
	n += cscd(l + n, 1);
	n += seg(l + n, 0, 1, 100, 4000, 8000);
	n += seg(l + n, 0, 1, 100, 4100, 8100);
	n += seg(l + n, 0, 1, 50, 4200, 8200);
	n += seg(l + n, 0, 1, 20, 100, 8250);
	expect_cmd(0, l, n);
	fake_scsi_expect(&fk[1], script, 1);
	xcopy_init(&x, p, 2, NULL, 0);
	assert_int_equal(x.limits.seg_blocks, 100);
	assert_int_equal(run_all(&x, &blocks), 1);
	assert_int_equal(blocks, 270);
	assert_script_done(1);
	teardown();
}

/* a command ends inside a piece; the next starts there, and so does a resume */
static void test_split_across_commands_and_resume(void **state)
{
	const vitk_odx_blk_xpiece p[2] = {
		{ 4000, 8000, 250, false, 0, 1 }, { 100, 8250, 20, false, 0, 1 },
	};
	vitk_odx_blk_xcopy x;
	vitk_odx_blk_xcopy_cmd *c = malloc(sizeof(*c));

	(void)state;
	setup(100 * 512, 2, 2);
	xcopy_init(&x, p, 2, NULL, 0);
	assert_int_equal(vitk_odx_blk_xcopy_pack(c, &x, 0, 0), 0);
	assert_int_equal(c->nseg, 2);
	assert_int_equal(c->blocks, 200);
	assert_int_equal(c->end_pos, 0);
	assert_int_equal(c->end_off, 200);
	assert_int_equal(vitk_odx_blk_xcopy_pack(c, &x, 0, 200), 0);
	assert_int_equal(c->nseg, 2);
	assert_int_equal(c->seg[0].src_lba, 4200);
	assert_int_equal(c->seg[0].dst_lba, 8200);
	assert_int_equal(c->seg[0].count, 50);
	assert_int_equal(c->seg[1].src_lba, 100);
	assert_int_equal(c->end_pos, 2);
	/* resume 7 blocks into piece 1 */
	assert_int_equal(vitk_odx_blk_xcopy_pack(c, &x, 1, 7), 0);
	assert_int_equal(c->nseg, 1);
	assert_int_equal(c->seg[0].src_lba, 107);
	assert_int_equal(c->seg[0].dst_lba, 8257);
	assert_int_equal(c->seg[0].count, 13);
	/* a zero piece stops packing */
	{
		const vitk_odx_blk_xpiece z[2] = { { 0, 8000, 8, true, 0, 1 }, { 10, 8008, 8, false, 0, 1 } };

		xcopy_init(&x, z, 2, NULL, 0);
		assert_int_equal(vitk_odx_blk_xcopy_pack(c, &x, 0, 0), 1);
	}
	free(c);
	teardown();
}

/* LIO's RCOP (2 CSCDs, 1 segment): one segment per command */
static void test_one_segment_manager(void **state)
{
	const vitk_odx_blk_xpiece p[3] = {
		{ 1000, 5000, 64, false, 0, 1 }, { 200, 5064, 32, false, 0, 1 }, { 3000, 5096, 16, false, 0, 1 },
	};
	vitk_odx_blk_xcopy x;
	vitk_odx_blk_xcopy_cmd *c = malloc(sizeof(*c));

	(void)state;
	setup(65535 * 512, 1, 2);
	xcopy_init(&x, p, 3, NULL, 0);
	assert_int_equal(x.limits.max_segments, 1);
	assert_int_equal(vitk_odx_blk_xcopy_pack(c, &x, 0, 0), 0);
	assert_int_equal(c->nseg, 1);
	assert_int_equal(c->end_pos, 1);
	free(c);
	teardown();
}

/* the range guarantee: a segment outside the requested destination ranges is never sent */
static void test_range_guarantee(void **state)
{
	const vitk_odx_blk_xpiece p[2] = { { 1000, 5000, 64, false, 0, 1 }, { 200, 5064, 32, false, 0, 1 } };
	const vitk_odx_blk_xpiece allowed[2] = { { 0, 5000, 64, false, 0, 1 }, { 0, 5064, 31, false, 0, 1 } };
	vitk_odx_blk_xcopy x;
	vitk_odx_blk_xcopy_cmd *c = malloc(sizeof(*c));
	uint64_t cmds = 0;
	char why[256] = "";

	(void)state;
	setup(65535 * 512, 16, 2);
	xcopy_init(&x, p, 2, allowed, 2);
	assert_int_equal(vitk_odx_blk_xcopy_pack(c, &x, 0, 0), 0);
	assert_int_equal(vitk_odx_blk_xcopy_send(&x, c, &cmds, why, sizeof(why)), VITK_ERANGE);
	assert_non_null(strstr(vitk_error_last()->message, "would write outside the destination ranges"));
	/* the right range on another device is not allowed either */
	{
		const vitk_odx_blk_xpiece other[2] = { { 0, 5000, 64, false, 0, 2 }, { 0, 5064, 32, false, 0, 2 } };

		xcopy_init(&x, p, 2, other, 2);
		assert_int_equal(vitk_odx_blk_xcopy_send(&x, c, &cmds, why, sizeof(why)), VITK_ERANGE);
	}
	assert_int_equal(cmds, 0);
	assert_int_equal(fake_scsi_count_op(&fk[1], 0x83), 0);
	free(c);
	teardown();
}

/* a CHECK CONDITION: 1 and the reason; the caller copies those pieces another way */
static void test_refused(void **state)
{
	const vitk_odx_blk_xpiece p[2] = { { 1000, 5000, 64, false, 0, 1 }, { 200, 5064, 32, false, 0, 1 } };
	vitk_odx_blk_xcopy x;
	vitk_odx_blk_xcopy_cmd *c = malloc(sizeof(*c));
	uint64_t cmds = 0;
	char why[256] = "";

	(void)state;
	setup(65535 * 512, 16, 2);
	memset(&script[0], 0, sizeof(script[0]));
	script[0].cdb_len = 16;
	vitk_scsi_cdb_extended_copy_lid1(script[0].cdb, 16 + 64 + 56);
	script[0].status = 2;
	script[0].key = 0x05;
	script[0].asc = 0x26;
	fake_scsi_expect(&fk[1], script, 1);
	xcopy_init(&x, p, 2, NULL, 0);
	assert_int_equal(vitk_odx_blk_xcopy_pack(c, &x, 0, 0), 0);
	assert_int_equal(vitk_odx_blk_xcopy_send(&x, c, &cmds, why, sizeof(why)), 1);
	assert_int_equal(cmds, 1);
	assert_non_null(strstr(why, "EXTENDED COPY of 2 segments"));
	assert_script_done(1);
	free(c);
	teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_pieces_one_command),
		cmocka_unit_test(test_segment_limit),
		cmocka_unit_test(test_two_source_devices),
		cmocka_unit_test(test_two_destination_devices),
		cmocka_unit_test(test_long_piece_split),
		cmocka_unit_test(test_split_across_commands_and_resume),
		cmocka_unit_test(test_one_segment_manager),
		cmocka_unit_test(test_range_guarantee),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
