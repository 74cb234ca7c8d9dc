/* SPDX-License-Identifier: MIT */
/* INQUIRY / VPD pages, MODE SENSE, REPORT LUNS and RSOC through tgt_device_exec(). */
#include "harness.h"

static void test_device_inquiry__standard(void **state)
{
	harness *h = *state;
	uint8_t inq[6] = { 0x12, 0, 0, 0, 96, 0 };

	assert_int_equal(H_RUN(h, 0, inq, NULL, 0, 96), 0);
	assert_int_equal(h->cmd.din_len, 96);
	assert_int_equal(h->din[0], 0x00);
	assert_int_equal(h->din[2], 0x06);
	assert_int_equal(h->din[3] & 0x0f, 0x02);
	assert_int_equal(h->din[4], 91);
	assert_int_equal(h->din[5] & 0x08, 0x08); /* 3PC */
	assert_memory_equal(h->din + 8, "VITK    ", 8);
	assert_int_equal(vitk_get_be16(h->din + 64), 0x04c0); /* SBC-3 */

	/* allocation length shorter than the data */
	inq[4] = 5;
	assert_int_equal(H_RUN(h, 0, inq, NULL, 0, 96), 0);
	assert_int_equal(h->cmd.din_len, 5);
	/* page code without EVPD */
	inq[2] = 0x80;
	H_RUN(h, 0, inq, NULL, 0, 96);
	h_assert_sense(h, 0x05, 0x24, 0x00);
}

static void test_device_inquiry__vpd_pages(void **state)
{
	harness *h = *state;
	uint8_t inq[6] = { 0x12, 0x01, 0x00, 0x04, 0x00, 0 };
	static const uint8_t want[] = { 0x00, 0x80, 0x83, 0x8f, 0xb0, 0xb1, 0xb2 };
	size_t i;

	assert_int_equal(H_RUN(h, 0, inq, NULL, 0, 1024), 0);
	assert_int_equal(h->din[1], 0x00);
	assert_int_equal(vitk_get_be16(h->din + 2), sizeof(want));
	assert_memory_equal(h->din + 4, want, sizeof(want));
	for (i = 1; i < sizeof(want); i++) {
		inq[2] = want[i];
		assert_int_equal(H_RUN(h, 0, inq, NULL, 0, 1024), 0);
		assert_int_equal(h->din[1], want[i]);
		assert_int_equal(h->cmd.din_len, 4u + vitk_get_be16(h->din + 2));
	}
	inq[2] = 0xb0;
	assert_int_equal(H_RUN(h, 2, inq, NULL, 0, 256), 0);
	assert_int_equal(vitk_get_be16(h->din + 2), 0x3c);
	assert_int_equal(h->din[5], 255);                       /* max CAW length */
	assert_int_equal(vitk_get_be32(h->din + 8), 2048);      /* 8 MiB / 4096 */
	assert_int_equal(vitk_get_be32(h->din + 24), 256);      /* unmap descriptors */
	inq[2] = 0xb2;
	assert_int_equal(H_RUN(h, 0, inq, NULL, 0, 1024), 0);
	assert_int_equal(h->din[5] & 0xe4, 0xe4); /* LBPU LBPWS LBPWS10 LBPRZ */
	inq[2] = 0x80;
	assert_int_equal(H_RUN(h, 0, inq, NULL, 0, 1024), 0);
	assert_int_equal(vitk_get_be16(h->din + 2), 16);
	inq[2] = 0x81; /* not supported */
	H_RUN(h, 0, inq, NULL, 0, 256);
	h_assert_sense(h, 0x05, 0x24, 0x00);
}

/* walk VPD 0x8F and return the descriptor of @type, or NULL */
static const uint8_t *find_8f(const uint8_t *p, uint16_t type)
{
	size_t len = vitk_get_be16(p + 2) + 4, off = 4;

	while (off + 4 <= len) {
		size_t dl = vitk_get_be16(p + off + 2);

		if (vitk_get_be16(p + off) == type)
			return p + off;
		assert_int_equal(dl % 4, 0);
		off += 4 + dl;
	}
	return NULL;
}

static void test_device_inquiry__vpd_third_party_copy(void **state)
{
	harness *h = *state;
	uint8_t inq[6] = { 0x12, 0x01, 0x8f, 0x04, 0x00, 0 };
	const uint8_t *dsc;

	assert_int_equal(H_RUN(h, 0, inq, NULL, 0, 1024), 0);
	assert_true(vitk_get_be16(h->din + 2) >= 0x24);
	dsc = find_8f(h->din, 0x0000); /* block device ROD token limits */
	assert_non_null(dsc);
	assert_int_equal(vitk_get_be16(dsc + 2), 0x20);
	assert_int_equal(vitk_get_be16(dsc + 10), 64);
	assert_int_equal(vitk_get_be32(dsc + 12), 3600);
	assert_int_equal(vitk_get_be32(dsc + 16), 60);
	assert_int_equal(vitk_get_be64(dsc + 20), (1ull << 36) / 512);
	dsc = find_8f(h->din, 0x0001); /* supported commands */
	assert_non_null(dsc);
	assert_int_equal(dsc[5], 0x83);
	assert_int_equal(dsc[6], 4);
	assert_int_equal(dsc[8], 0x10);
	assert_int_equal(dsc[9], 0x11);
	assert_int_equal(dsc[11], 0x84);
	dsc = find_8f(h->din, 0x0004);
	assert_non_null(dsc);
	assert_int_equal(vitk_get_be16(dsc + 8), 16);
	assert_int_equal(vitk_get_be16(dsc + 10), 64);
	dsc = find_8f(h->din, 0x0008);
	assert_non_null(dsc);
	assert_int_equal(dsc[4], 3);
	assert_int_equal(dsc[7], 0xe4);
	/* 0106h ROD token features, every byte; the block ROD device type
	 * specific features descriptor has DESCRIPTOR LENGTH 002Ch (SPC-4
	 * 7.8.17.8.2, issue 17: it was 0 and sg_vpd printed garbage) */
	dsc = find_8f(h->din, 0x0106);
	assert_non_null(dsc);
	{
		static const uint8_t want[96] = {
			0x01, 0x06, 0x00, 0x5c, /* type, length 92 */
			0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* remote tokens 0 */
			0x00, 0x00, 0x00, 0x01, /* minimum token lifetime 1 s */
			0x00, 0x00, 0x0e, 0x10, /* maximum token lifetime 3600 s */
			0x00, 0x00, 0x0e, 0x10, /* maximum token inactivity timeout */
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0x00, 0x30, /* ROD device type specific descriptors length 48 */
			0x00, 0x00, 0x00, 0x2c, /* block, descriptor length 002Ch */
			0x00, 0x00, 0x00, 0x01, /* optimal block ROD length granularity 1 */
			0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, /* max bytes 64 GiB */
			0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, /* optimal 64 MiB */
			0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, /* to token per segment */
			0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, /* from token per segment */
			0, 0, 0, 0, 0, 0, 0, 0,
		};

		assert_memory_equal(dsc, want, sizeof(want));
	}
	dsc = find_8f(h->din, 0x0108);
	assert_non_null(dsc);
	assert_int_equal(vitk_get_be32(dsc + 8), 0x00800000);
	assert_int_equal(vitk_get_be32(dsc + 72), 0xffff0001);
	dsc = find_8f(h->din, 0x8001);
	assert_non_null(dsc);
	assert_int_equal(vitk_get_be32(dsc + 12), 256u << 20);
}

static void test_device_mode_sense__pages(void **state)
{
	harness *h = *state;
	uint8_t ms6[6] = { 0x1a, 0x00, 0x3f, 0x00, 255, 0 };
	uint8_t ms10[10] = { 0x5a, 0x08, 0x0a, 0, 0, 0, 0, 0, 255, 0 };

	assert_int_equal(H_RUN(h, 0, ms6, NULL, 0, 255), 0);
	/* header(4) + block descriptor(8) + caching(20) + control(12) + IEC(12) */
	assert_int_equal(h->cmd.din_len, 56);
	assert_int_equal(h->din[0], 55);
	assert_int_equal(h->din[2], 0x10); /* DPOFUA, not WP */
	assert_int_equal(h->din[3], 8);
	assert_int_equal(vitk_get_be32(h->din + 4), H_LUN0_BLOCKS);
	assert_int_equal(vitk_get_be24(h->din + 9), 512);
	assert_int_equal(h->din[12], 0x08);
	assert_int_equal(h->din[13], 0x12);
	assert_int_equal(h->din[32], 0x0a);
	assert_int_equal(h->din[44], 0x1c);

	/* short allocation length truncates; MODE SENSE(10) control page, DBD */
	ms6[4] = 4;
	assert_int_equal(H_RUN(h, 0, ms6, NULL, 0, 255), 0);
	assert_int_equal(h->cmd.din_len, 4);
	assert_int_equal(h->din[0], 55);
	assert_int_equal(H_RUN(h, 0, ms10, NULL, 0, 255), 0);
	assert_int_equal(h->cmd.din_len, 20);
	assert_int_equal(vitk_get_be16(h->din), 18);
	assert_int_equal(h->din[8], 0x0a);
	assert_int_equal(h->din[10] & 0x04, 0); /* D_SENSE=0 */

	/* saved values are not supported; unknown page */
	ms6[2] = 0xff;
	ms6[4] = 255;
	H_RUN(h, 0, ms6, NULL, 0, 255);
	h_assert_sense(h, 0x05, 0x39, 0x00);
	ms6[2] = 0x19;
	H_RUN(h, 0, ms6, NULL, 0, 255);
	h_assert_sense(h, 0x05, 0x24, 0x00);
}

static void test_device_report_luns__all(void **state)
{
	harness *h = *state;
	uint8_t rl[12] = { 0xa0 };

	vitk_put_be32(rl + 6, 256);
	assert_int_equal(H_RUN(h, 5, rl, NULL, 0, 256), 0);
	assert_int_equal(vitk_get_be32(h->din), 32);
	assert_int_equal(h->din[8 + 1], 0);
	assert_int_equal(h->din[8 + 8 + 1], 1);
	assert_int_equal(h->din[8 + 24 + 1], 3);
	vitk_put_be32(rl + 6, 8);
	H_RUN(h, 0, rl, NULL, 0, 256);
	h_assert_sense(h, 0x05, 0x24, 0x00);
}

static void test_device_rsoc__all_and_one(void **state)
{
	harness *h = *state;
	uint8_t c[12] = { 0xa3, 0x0c, 0x00 };
	size_t len, off;
	int seen_pt = 0, seen_read10 = 0;

	vitk_put_be32(c + 6, 4096);
	assert_int_equal(H_RUN(h, 0, c, NULL, 0, 4096), 0);
	len = vitk_get_be32(h->din);
	assert_int_equal(h->cmd.din_len, len + 4);
	for (off = 4; off < len + 4; off += 8) {
		if (h->din[off] == 0x83 && vitk_get_be16(h->din + off + 2) == 0x10) {
			assert_int_equal(h->din[off + 5] & 0x01, 1); /* SERVACTV */
			seen_pt++;
		}
		if (h->din[off] == 0x28) {
			assert_int_equal(h->din[off + 5] & 0x01, 0);
			assert_int_equal(vitk_get_be16(h->din + off + 6), 10);
			seen_read10++;
		}
	}
	assert_int_equal(seen_pt, 1);
	assert_int_equal(seen_read10, 1);

	/* one command: READ(10) usage data */
	c[2] = 0x01;
	c[3] = 0x28;
	assert_int_equal(H_RUN(h, 0, c, NULL, 0, 4096), 0);
	assert_int_equal(h->din[1] & 0x07, 0x03);
	assert_int_equal(vitk_get_be16(h->din + 2), 10);
	assert_int_equal(h->din[4], 0x28);
	assert_int_equal(h->din[5], 0x18); /* DPO FUA */
	/* an opcode with service actions needs option 2 */
	c[3] = 0x83;
	H_RUN(h, 0, c, NULL, 0, 4096);
	h_assert_sense(h, 0x05, 0x24, 0x00);
	c[2] = 0x02;
	vitk_put_be16(c + 4, 0x11);
	assert_int_equal(H_RUN(h, 0, c, NULL, 0, 4096), 0);
	assert_int_equal(h->din[1] & 0x07, 0x03);
	assert_int_equal(h->din[5], 0x11);
	/* unsupported command */
	c[2] = 0x01;
	c[3] = 0x02;
	assert_int_equal(H_RUN(h, 0, c, NULL, 0, 4096), 0);
	assert_int_equal(h->din[1] & 0x07, 0x01);
	/* RCTD adds command timeouts descriptors */
	c[2] = 0x80;
	assert_int_equal(H_RUN(h, 0, c, NULL, 0, 8192), 0);
	assert_int_equal(h->din[4 + 5] & 0x02, 0x02);
	assert_int_equal(vitk_get_be16(h->din + 4 + 8), 0x0a);
}

/* RSOC reports exactly the descriptor table, and every row reaches a handler */
static void test_device_rsoc__matches_dispatch_table(void **state)
{
	harness *h = *state;
	uint8_t c[12] = { 0xa3, 0x0c, 0x00 };
	size_t n, i, j;
	const tgt_cdb_desc *t = tgt_cdb_table(&n);
	uint8_t all[4096];

	vitk_put_be32(c + 6, 4096);
	assert_int_equal(H_RUN(h, 0, c, NULL, 0, 4096), 0);
	/* SANITIZE rows exist only on LUNs configured with ,sanitize (none here) */
	for (i = 0, j = 0; i < n; i++)
		j += t[i].op == TGT_OP_SANITIZE;
	assert_int_equal(j, 4);
	assert_int_equal(vitk_get_be32(h->din), 8 * (n - j));
	memcpy(all, h->din, sizeof(all));
	for (i = 0, j = 0; i < n; i++) {
		const uint8_t *e = all + 4 + 8 * j;
		uint8_t cdb[16] = { 0 };

		assert_int_equal(t[i].usage[0], t[i].op);
		assert_int_equal(tgt_cdb_lookup(t[i].usage, t[i].cdb_len), (int)i);
		cdb[0] = t[i].op;
		if (t[i].sa != TGT_NO_SA)
			cdb[1] = t[i].sa;
		h_run(h, 2, cdb, t[i].cdb_len, NULL, 0, 512);
		if (t[i].op == TGT_OP_SANITIZE) {
			h_assert_sense(h, 0x05, 0x20, 0x00);
			continue;
		}
		j++;
		assert_int_equal(e[0], t[i].op);
		assert_int_equal(vitk_get_be16(e + 2), t[i].sa == TGT_NO_SA ? 0 : t[i].sa);
		assert_int_equal(e[5] & 0x01, t[i].sa != TGT_NO_SA);
		assert_int_equal(vitk_get_be16(e + 6), t[i].cdb_len);
		/* an all-zero CDB of each command (LUN 2) is never refused as unknown */
		if (h->cmd.status == 2) {
			assert_false(h->cmd.sense[12] == 0x20); /* INVALID COMMAND OPERATION CODE */
			assert_false(h->cmd.sense[12] == 0x24 && h->cmd.sense[15] == 0xc8 &&
				     h->cmd.sense[17] == 1); /* SERVICE ACTION field pointer */
		}
	}
	/* an opcode the table does not have, and a service action it does not have */
	c[0] = 0x02;
	H_RUN(h, 0, c, NULL, 0, 64);
	h_assert_sense(h, 0x05, 0x20, 0x00);
	{
		uint8_t sai[16] = { 0x9e, 0x11 };

		H_RUN(h, 0, sai, NULL, 0, 64);
		h_assert_sense(h, 0x05, 0x24, 0x00);
		assert_int_equal(h->cmd.sense[15], 0xcc); /* SKSV, C/D, BPV, bit 4 */
		assert_int_equal(vitk_get_be16(h->cmd.sense + 16), 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_device_inquiry__standard, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_inquiry__vpd_pages, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_inquiry__vpd_third_party_copy, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_mode_sense__pages, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_report_luns__all, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_rsoc__all_and_one, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_rsoc__matches_dispatch_table, h_setup,
						h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
