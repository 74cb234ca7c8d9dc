/* SPDX-License-Identifier: MIT */
/*
 * 512e geometry (pbs=4096 on 512-byte blocks), SANITIZE on a LUN configured
 * with it, and MODE SELECT of the Control page's SWP bit.
 */
#include "harness.h"

/* LUN 0 of h->dev is replaced by a 512e LUN with SANITIZE: 1 MiB */
#define S_BLOCKS 2048u

static int setup(void **state)
{
	harness *h;
	tgt_lun_config c = { 0 };

	h_setup(state);
	h = *state;
	tgt_device_free(h->dev);
	h->dev = NULL;
	unlink(h->path[0]);
	unlink(h->path[1]);
	{
		tgt_device_options o = { .iqn = "iqn.2026-01.io.vitk:test" };

		assert_int_equal(tgt_device_new(&h->dev, &o), 0);
	}
	c.lun = 0, c.path = h->path[0], c.size = S_BLOCKS * 512ull, c.block_size = 512;
	c.phys_block_size = 4096;
	c.sanitize = true;
	assert_int_equal(tgt_device_add_lun(h->dev, &c), 0);
	c.lun = 1, c.path = h->path[1], c.phys_block_size = 0, c.sanitize = false;
	assert_int_equal(tgt_device_add_lun(h->dev, &c), 0);
	return 0;
}

static uint8_t run_nexus(harness *h, uint64_t nexus, unsigned lun, const uint8_t *cdb,
			 size_t cdb_len, const void *dout, size_t dout_len, size_t din_cap)
{
	memset(&h->cmd, 0, sizeof(h->cmd));
	h->cmd.lun = lun;
	h->cmd.cdb = cdb;
	h->cmd.cdb_len = cdb_len;
	h->cmd.dout = dout;
	h->cmd.dout_len = dout_len;
	h->cmd.din = h->din;
	h->cmd.din_cap = din_cap;
	h->cmd.nexus = nexus;
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	return h->cmd.status;
}

static void test_512e_geometry(void **state)
{
	harness *h = *state;
	uint8_t rc16[16] = { 0x9e, 0x10 }, b0[6] = { 0x12, 0x01, 0xb0, 0, 64, 0 };
	tgt_lun_config c = { 0 };

	vitk_put_be32(rc16 + 10, 32);
	assert_int_equal(H_RUN(h, 0, rc16, NULL, 0, 32), 0);
	assert_int_equal(vitk_get_be64(h->din), S_BLOCKS - 1);
	assert_int_equal(vitk_get_be32(h->din + 8), 512);
	assert_int_equal(h->din[13], 3); /* 8 logical blocks per physical block */
	assert_int_equal(H_RUN(h, 0, b0, NULL, 0, 64), 0);
	assert_int_equal(vitk_get_be16(h->din + 6), 8);  /* optimal transfer granularity */
	assert_int_equal(vitk_get_be32(h->din + 28), 8); /* optimal unmap granularity */
	/* a plain LUN: exponent 0 */
	assert_int_equal(H_RUN(h, 1, rc16, NULL, 0, 32), 0);
	assert_int_equal(h->din[13], 0);
	/* pbs=512 on 4096 blocks, pbs=8192: refused */
	c.lun = 5, c.path = h->path[2], c.size = 1 << 20, c.block_size = 4096;
	c.phys_block_size = 512;
	assert_int_equal(tgt_device_add_lun(h->dev, &c), VITK_EINVAL);
	c.block_size = 512, c.phys_block_size = 8192;
	assert_int_equal(tgt_device_add_lun(h->dev, &c), VITK_EINVAL);
}

static void fill(harness *h, unsigned lun, uint8_t v)
{
	static uint8_t buf[64 * 512];
	uint8_t w[10];
	unsigned i;

	memset(buf, v, sizeof(buf));
	for (i = 0; i < S_BLOCKS; i += 64) {
		h_cdb10_rw(w, VITK_SCSI_OP_WRITE10, i, 64);
		assert_int_equal(H_RUN(h, lun, w, buf, sizeof(buf), 0), 0);
	}
}

static void expect_all(harness *h, uint8_t v)
{
	static uint8_t buf[S_BLOCKS * 512];
	size_t i;

	h_file_read(h, 0, 0, buf, sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != v)
			fail_msg("byte %zu is %02x, not %02x", i, buf[i], v);
}

static void test_sanitize(void **state)
{
	harness *h = *state;
	uint8_t ow[10] = { 0x48, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t be[10] = { 0x48, 0x02 }, ce[10] = { 0x48, 0x03 }, ex[10] = { 0x48, 0x1f };
	uint8_t p[4 + 512], rsoc[12] = { 0xa3, 0x0c, 0x03, 0x48, 0, 0x02 };
	uint8_t b1[6] = { 0x12, 0x01, 0xb1, 0, 64, 0 }, lbas[16] = { 0x9e, 0x12 };

	/* RSOC reports SANITIZE on LUN 0, not on LUN 1, which refuses it */
	vitk_put_be32(rsoc + 6, 64);
	assert_int_equal(H_RUN(h, 0, rsoc, NULL, 0, 64), 0);
	assert_int_equal(h->din[1] & 0x07, 0x03);
	assert_int_equal(H_RUN(h, 1, rsoc, NULL, 0, 64), 0);
	assert_int_equal(h->din[1] & 0x07, 0x01);
	H_RUN(h, 1, be, NULL, 0, 0);
	h_assert_sense(h, 0x05, 0x20, 0x00);
	assert_int_equal(H_RUN(h, 0, b1, NULL, 0, 64), 0);
	assert_int_equal(h->din[7], 0x50); /* WABEREQ = WACEREQ = 01b */

	/* OVERWRITE with a one-block pattern, then a 4-byte one */
	fill(h, 0, 0x61);
	p[0] = 0x01;
	p[1] = 0;
	vitk_put_be16(p + 2, 512);
	memset(p + 4, 0xaa, 512);
	vitk_put_be16(ow + 7, sizeof(p));
	assert_int_equal(H_RUN(h, 0, ow, p, sizeof(p), 0), 0);
	expect_all(h, 0xaa);
	vitk_put_be16(p + 2, 4);
	memset(p + 4, 0x5c, 4);
	vitk_put_be16(ow + 7, 8);
	assert_int_equal(H_RUN(h, 0, ow, p, 8, 0), 0);
	expect_all(h, 0x5c);
	/* bad lists: too short, count 0, pattern 0 or over a block, length mismatch */
	vitk_put_be16(ow + 7, 4);
	H_RUN(h, 0, ow, p, 4, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	p[0] = 0;
	vitk_put_be16(ow + 7, 8);
	H_RUN(h, 0, ow, p, 8, 0);
	h_assert_sense(h, 0x05, 0x26, 0x00);
	p[0] = 1;
	vitk_put_be16(p + 2, 0);
	H_RUN(h, 0, ow, p, 8, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	vitk_put_be16(p + 2, 516);
	vitk_put_be16(ow + 7, 520);
	H_RUN(h, 0, ow, p, 520, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);

	/* BLOCK ERASE punches the whole file: zeros, every LBA deallocated */
	fill(h, 0, 0x61);
	assert_int_equal(H_RUN(h, 0, be, NULL, 0, 0), 0);
	expect_all(h, 0);
	vitk_put_be32(lbas + 10, 64);
	assert_int_equal(H_RUN(h, 0, lbas, NULL, 0, 64), 0);
	assert_int_equal(vitk_get_be32(h->din + 8 + 8), S_BLOCKS);
	assert_int_equal(h->din[8 + 12], 1);
	/* CRYPTO ERASE: the same hole */
	fill(h, 0, 0x62);
	assert_int_equal(H_RUN(h, 0, ce, NULL, 0, 0), 0);
	expect_all(h, 0);
	/* EXIT FAILURE MODE: GOOD; with a parameter list: INVALID FIELD IN CDB */
	assert_int_equal(H_RUN(h, 0, ex, NULL, 0, 0), 0);
	ex[8] = 8;
	H_RUN(h, 0, ex, p, 8, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	/* reserved bits and bytes */
	be[1] = 0x42;
	H_RUN(h, 0, be, NULL, 0, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	be[1] = 0x02;
	be[4] = 4;
	H_RUN(h, 0, be, NULL, 0, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	assert_int_equal(vitk_get_be16(h->cmd.sense + 16), 4);
	be[4] = 0;
	/* an unknown service action */
	be[1] = 0x04;
	H_RUN(h, 0, be, NULL, 0, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	/* an SPC-2 reservation of another nexus: conflict */
	{
		uint8_t res6[6] = { 0x16 };

		be[1] = 0x02;
		assert_int_equal(run_nexus(h, 7, 0, res6, 6, NULL, 0, 0), 0);
		assert_int_equal(run_nexus(h, 8, 0, be, 10, NULL, 0, 0), 0x18);
	}
}

static void test_mode_select_swp(void **state)
{
	harness *h = *state;
	uint8_t ms[6] = { 0x1a, 0, 0x0a, 0, 255, 0 }, sel[6] = { 0x15, 0x10, 0, 0, 0, 0 };
	uint8_t list[4 + 12], w[10], blk[512] = { 0 }, tur[6] = { 0 };
	uint8_t be[10] = { 0x48, 0x02 };

	/* changeable values: SWP */
	ms[2] = 0x40 | 0x0a;
	assert_int_equal(run_nexus(h, 1, 0, ms, 6, NULL, 0, 255), 0);
	assert_int_equal(h->din[3], 8);
	assert_int_equal(h->din[4 + 8 + 4], 0x08);
	/* current page, SWP set through MODE SELECT(6) by nexus 1 */
	ms[2] = 0x0a;
	assert_int_equal(run_nexus(h, 2, 0, ms, 6, NULL, 0, 255), 0);
	assert_int_equal(h->din[2] & 0x80, 0);
	memset(list, 0, sizeof(list));
	memcpy(list + 4, h->din + 4 + 8, 12);
	list[4 + 4] |= 0x08;
	sel[4] = sizeof(list);
	assert_int_equal(run_nexus(h, 1, 0, sel, 6, list, sizeof(list), 0), 0);
	/* nexus 2 hears MODE PARAMETERS CHANGED, then sees WP and SWP */
	run_nexus(h, 2, 0, tur, 6, NULL, 0, 0);
	h_assert_sense(h, 0x06, 0x2a, 0x01);
	assert_int_equal(run_nexus(h, 2, 0, ms, 6, NULL, 0, 255), 0);
	assert_int_equal(h->din[2] & 0x80, 0x80);
	assert_int_equal(h->din[4 + 8 + 4] & 0x08, 0x08);
	/* writes and SANITIZE: LOGICAL UNIT SOFTWARE WRITE PROTECTED; reads work */
	h_cdb10_rw(w, VITK_SCSI_OP_WRITE10, 0, 1);
	run_nexus(h, 1, 0, w, 10, blk, 512, 0);
	h_assert_sense(h, 0x07, 0x27, 0x02);
	run_nexus(h, 1, 0, be, 10, NULL, 0, 0);
	h_assert_sense(h, 0x07, 0x27, 0x02);
	h_cdb10_rw(w, VITK_SCSI_OP_READ10, 0, 1);
	assert_int_equal(run_nexus(h, 1, 0, w, 10, NULL, 0, 512), 0);
	/* only SWP may change; SP and PF=0 are refused */
	list[4 + 3] ^= 0x01;
	run_nexus(h, 1, 0, sel, 6, list, sizeof(list), 0);
	h_assert_sense(h, 0x05, 0x26, 0x00);
	list[4 + 3] ^= 0x01;
	sel[1] = 0x11;
	run_nexus(h, 1, 0, sel, 6, list, sizeof(list), 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	sel[1] = 0x00;
	run_nexus(h, 1, 0, sel, 6, list, sizeof(list), 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	/* clear it again with MODE SELECT(10) */
	{
		uint8_t sel10[10] = { 0x55, 0x10 }, l10[8 + 12] = { 0 };

		memcpy(l10 + 8, list + 4, 12);
		l10[8 + 4] &= (uint8_t)~0x08;
		vitk_put_be16(sel10 + 7, sizeof(l10));
		assert_int_equal(run_nexus(h, 1, 0, sel10, 10, l10, sizeof(l10), 0), 0);
	}
	h_cdb10_rw(w, VITK_SCSI_OP_WRITE10, 0, 1);
	assert_int_equal(run_nexus(h, 1, 0, w, 10, blk, 512, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_512e_geometry, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_sanitize, setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_mode_select_swp, setup, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
