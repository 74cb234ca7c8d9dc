/* SPDX-License-Identifier: MIT */
/*
 * ODX token copy: POPULATE TOKEN, RECEIVE ROD TOKEN INFORMATION, WRITE USING
 * TOKEN (offset, DEL_TKN, zero token, IMMED, per-command cap), COPY
 * OPERATION ABORT, and every token sense path.  No test depends on timing:
 * token expiry runs on a fake clock.
 */
#include "harness.h"

#include <sched.h>
#include <time.h>

#include "dev_internal.h"

static uint8_t buf[4 << 20];
static uint8_t buf2[4 << 20];
static uint8_t pl[4096];

static uint64_t fake_ns;
static uint64_t fake_now(void)
{
	return fake_ns;
}

static int setup_cap(void **state)
{
	return h_setup_opts(state, 64 * 1024, 0, 0);
}

static int setup_clock(void **state)
{
	int r = h_setup_opts(state, 0, 10, 100);
	harness *h = *state;

	fake_ns = 1000000000ull;
	h->dev->now_ns = fake_now;
	return r;
}

static size_t pt_list(uint8_t *p, uint32_t ito, size_t nr, const uint64_t *lba,
		      const uint32_t *n)
{
	size_t i, len = 16 + 16 * nr;

	memset(p, 0, len);
	vitk_put_be16(p, (uint16_t)(len - 2));
	vitk_put_be32(p + 4, ito);
	vitk_put_be16(p + 14, (uint16_t)(16 * nr));
	for (i = 0; i < nr; i++) {
		vitk_put_be64(p + 16 + 16 * i, lba[i]);
		vitk_put_be32(p + 16 + 16 * i + 8, n[i]);
	}
	return len;
}

static size_t wut_list(uint8_t *p, uint8_t flags, uint64_t offset, const uint8_t *token,
		       size_t nr, const uint64_t *lba, const uint32_t *n)
{
	size_t i, len = 536 + 16 * nr;

	memset(p, 0, len);
	vitk_put_be16(p, (uint16_t)(len - 2));
	p[2] = flags;
	vitk_put_be64(p + 8, offset);
	memcpy(p + 16, token, 512);
	vitk_put_be16(p + 534, (uint16_t)(16 * nr));
	for (i = 0; i < nr; i++) {
		vitk_put_be64(p + 536 + 16 * i, lba[i]);
		vitk_put_be32(p + 536 + 16 * i + 8, n[i]);
	}
	return len;
}

static uint8_t pt(harness *h, unsigned lun, uint32_t list_id, const uint8_t *p, size_t len)
{
	uint8_t c[16];

	h_cdb_tpc(c, 0x83, 0x10, list_id, (uint32_t)len);
	return H_RUN(h, lun, c, p, len, 0);
}

static uint8_t wut(harness *h, unsigned lun, uint32_t list_id, const uint8_t *p, size_t len)
{
	uint8_t c[16];

	h_cdb_tpc(c, 0x83, 0x11, list_id, (uint32_t)len);
	return H_RUN(h, lun, c, p, len, 0);
}

/* RRTI for @list_id into h->din; returns the copy operation status */
static uint8_t rrti(harness *h, unsigned lun, uint32_t list_id)
{
	uint8_t c[16];

	h_cdb_tpc(c, 0x84, 0x07, list_id, 1024);
	assert_int_equal(H_RUN(h, lun, c, NULL, 0, 1024), 0);
	return h->din[5];
}

static uint64_t rrti_count(harness *h)
{
	assert_int_equal(h->din[15], 0xf1);
	return vitk_get_be64(h->din + 16);
}

/* PT over the given LUN0 ranges and fetch the token */
static void make_token(harness *h, uint32_t list_id, size_t nr, const uint64_t *lba,
		       const uint32_t *n, uint8_t *token)
{
	size_t len = pt_list(pl, 0, nr, lba, n), s;

	assert_int_equal(pt(h, 0, list_id, pl, len), 0);
	assert_int_equal(rrti(h, 0, list_id), 0x01);
	assert_int_equal(h->din[4], 0x10);
	s = h->din[13];
	assert_int_equal(vitk_get_be32(h->din + 32 + s), 514);
	memcpy(token, h->din + 32 + s + 6, 512);
	assert_int_equal(vitk_get_be32(token), 0x00800000);
	assert_int_equal(vitk_get_be16(token + 6), 0x01f8);
}

static void seed(harness *h)
{
	h_fill_pattern(buf, 4096 * 512, 33);
	h_file_write(h, 0, 0, buf, 4096 * 512);
}

static void test_device_odx__populate_and_write(void **state)
{
	harness *h = *state;
	uint8_t tok[512];
	uint64_t sl[2] = { 100, 1000 }, dl[1] = { 10 };
	uint32_t sn[2] = { 50, 30 }, dn[1] = { 80 };
	tgt_lun_stats st;
	size_t len;

	seed(h);
	make_token(h, 1, 2, sl, sn, tok);
	assert_int_equal(rrti_count(h), 80);
	/* bytes represented in the token */
	assert_int_equal(vitk_get_be64(tok + 56), 80 * 512);

	len = wut_list(pl, 0, 0, tok, 1, dl, dn);
	assert_int_equal(wut(h, 1, 2, pl, len), 0);
	h_file_read(h, 1, 10 * 512, buf2, 80 * 512);
	assert_memory_equal(buf2, buf + 100 * 512, 50 * 512);
	assert_memory_equal(buf2 + 50 * 512, buf + 1000 * 512, 30 * 512);
	assert_int_equal(rrti(h, 1, 2), 0x01);
	assert_int_equal(h->din[4], 0x11);
	assert_int_equal(rrti_count(h), 80);

	assert_int_equal(tgt_device_stats(h->dev, 0, &st), 0);
	assert_int_equal(st.tokens_created, 1);
	assert_int_equal(st.tokens_used, 1);
	assert_int_equal(tgt_device_stats(h->dev, 1, &st), 0);
	assert_int_equal(st.bytes_copied_internal, 80 * 512);

	/* the token is reusable (no DEL_TKN): second WUT with an offset into the ROD,
	 * two destination ranges on the 4096-byte LUN */
	{
		uint64_t dl2[2] = { 1, 7 };
		uint32_t dn2[2] = { 1, 2 };

		/* offset is in destination blocks: 4 KiB blocks -> byte 8192 of the ROD */
		len = wut_list(pl, 0x02, 2, tok, 2, dl2, dn2);
		assert_int_equal(wut(h, 2, 3, pl, len), 0);
		h_file_read(h, 2, 4096, buf2, 4096);
		assert_memory_equal(buf2, buf + 100 * 512 + 8192, 4096);
		h_file_read(h, 2, 7 * 4096, buf2, 8192);
		/* ROD bytes 12288..20480: 25600 bytes come from range 1 */
		assert_memory_equal(buf2, buf + 100 * 512 + 12288, 8192);
	}
	/* DEL_TKN was set: the token is gone */
	len = wut_list(pl, 0, 0, tok, 1, dl, dn);
	wut(h, 1, 4, pl, len);
	h_assert_sense(h, 0x05, 0x23, 0x09);
}

static void test_device_odx__revoked_by_write(void **state)
{
	harness *h = *state;
	uint8_t tok[512], c10[10];
	uint64_t sl[1] = { 200 }, dl[1] = { 0 };
	uint32_t sn[1] = { 16 }, dn[1] = { 16 };
	size_t len;

	seed(h);
	make_token(h, 1, 1, sl, sn, tok);
	/* a write next to the range leaves it alone */
	h_cdb10_rw(c10, 0x2a, 216, 1);
	assert_int_equal(H_RUN(h, 0, c10, buf, 512, 0), 0);
	len = wut_list(pl, 0, 0, tok, 1, dl, dn);
	assert_int_equal(wut(h, 1, 2, pl, len), 0);
	/* a write inside it revokes the token */
	h_cdb10_rw(c10, 0x2a, 215, 1);
	assert_int_equal(H_RUN(h, 0, c10, buf, 512, 0), 0);
	wut(h, 1, 3, pl, len);
	h_assert_sense(h, 0x05, 0x23, 0x06);
	/* so does UNMAP / WRITE SAME on a new token */
	make_token(h, 4, 1, sl, sn, tok);
	{
		uint8_t ws[10];

		h_cdb10_rw(ws, 0x41, 200, 1);
		assert_int_equal(H_RUN(h, 0, ws, buf, 512, 0), 0);
	}
	len = wut_list(pl, 0, 0, tok, 1, dl, dn);
	wut(h, 1, 5, pl, len);
	h_assert_sense(h, 0x05, 0x23, 0x06);
}

static void test_device_odx__expired_on_fake_clock(void **state)
{
	harness *h = *state;
	uint8_t tok[512];
	uint64_t sl[1] = { 0 }, dl[1] = { 0 };
	uint32_t sn[1] = { 8 }, dn[1] = { 8 };
	tgt_lun_stats st;
	size_t len;

	seed(h);
	make_token(h, 1, 1, sl, sn, tok); /* default inactivity timeout 10 s */
	len = wut_list(pl, 0, 0, tok, 1, dl, dn);
	fake_ns += 9ull * 1000000000ull;
	assert_int_equal(wut(h, 1, 2, pl, len), 0); /* use resets the timer */
	fake_ns += 9ull * 1000000000ull;
	assert_int_equal(wut(h, 1, 2, pl, len), 0);
	fake_ns += 11ull * 1000000000ull;
	wut(h, 1, 2, pl, len);
	h_assert_sense(h, 0x05, 0x23, 0x07);
	assert_int_equal(tgt_device_stats(h->dev, 0, &st), 0);
	assert_int_equal(st.tokens_expired, 1);

	/* a requested timeout above the maximum (100 s) is refused */
	len = pt_list(pl, 101, 1, sl, sn);
	pt(h, 0, 3, pl, len);
	h_assert_sense(h, 0x05, 0x26, 0x00);
	assert_int_equal(h->cmd.sense[15], 0x80); /* INACTIVITY TIMEOUT at byte 4 */
	assert_int_equal(vitk_get_be16(h->cmd.sense + 16), 4);
	/* an explicit 50 s timeout outlives the default */
	len = pt_list(pl, 50, 1, sl, sn);
	assert_int_equal(pt(h, 0, 3, pl, len), 0);
	assert_int_equal(rrti(h, 0, 3), 0x01);
	memcpy(tok, h->din + 32 + h->din[13] + 6, 512);
	fake_ns += 40ull * 1000000000ull;
	len = wut_list(pl, 0, 0, tok, 1, dl, dn);
	assert_int_equal(wut(h, 1, 4, pl, len), 0);
}

static void test_device_odx__token_sense_paths(void **state)
{
	harness *h = *state;
	uint8_t tok[512], bad[512];
	uint64_t sl[1] = { 0 }, dl[1] = { 0 };
	uint32_t sn[1] = { 64 }, dn[1] = { 64 };
	size_t len;

	seed(h);
	make_token(h, 1, 1, sl, sn, tok);

	/* unknown token: a valid-looking token with an id we never issued */
	memcpy(bad, tok, 512);
	vitk_put_be64(bad + 8, 0x1234567890ull);
	len = wut_list(pl, 0, 0, bad, 1, dl, dn);
	wut(h, 1, 2, pl, len);
	h_assert_sense(h, 0x05, 0x23, 0x04);
	/* ... and one created by another copy manager */
	bad[16 + 8 + 5] ^= 0x55;
	len = wut_list(pl, 0, 0, bad, 1, dl, dn);
	wut(h, 1, 2, pl, len);
	h_assert_sense(h, 0x05, 0x23, 0x02);
	/* corrupt: our id, altered body */
	memcpy(bad, tok, 512);
	bad[200] ^= 1;
	len = wut_list(pl, 0, 0, bad, 1, dl, dn);
	wut(h, 1, 2, pl, len);
	h_assert_sense(h, 0x05, 0x23, 0x05);
	/* wrong ROD token length */
	memcpy(bad, tok, 512);
	vitk_put_be16(bad + 6, 0x01f0);
	len = wut_list(pl, 0, 0, bad, 1, dl, dn);
	wut(h, 1, 2, pl, len);
	h_assert_sense(h, 0x05, 0x23, 0x0a);
	/* unsupported ROD type */
	memcpy(bad, tok, 512);
	vitk_put_be32(bad, 0x00010000);
	len = wut_list(pl, 0, 0, bad, 1, dl, dn);
	wut(h, 1, 2, pl, len);
	h_assert_sense(h, 0x05, 0x23, 0x01);

	/* offset at or past the represented blocks */
	len = wut_list(pl, 0, 64, tok, 1, dl, dn);
	wut(h, 1, 2, pl, len);
	h_assert_sense(h, 0x05, 0x26, 0x00);

	/* used past its represented bytes: 40 of 64 remain after offset 24, the
	 * ranges ask for 64 -> 40 blocks written, COPY TARGET DEVICE DATA UNDERRUN */
	memset(buf2, 0, 64 * 512);
	h_file_write(h, 1, 0, buf2, 64 * 512);
	len = wut_list(pl, 0, 24, tok, 1, dl, dn);
	wut(h, 1, 6, pl, len);
	h_assert_sense(h, 0x0a, 0x0d, 0x04);
	h_file_read(h, 1, 0, buf2, 64 * 512);
	assert_memory_equal(buf2, buf + 24 * 512, 40 * 512);
	assert_int_equal(buf2[40 * 512], 0);
	assert_int_equal(rrti(h, 1, 6), 0x04); /* completed with residual data */
	assert_int_equal(rrti_count(h), 40);
	assert_int_equal(h->din[12], 0x02);
	assert_int_equal(h->din[13], 18);
	assert_int_equal(h->din[32 + 2], 0x0a);

	/* overlapping destination ranges */
	{
		uint64_t ol[2] = { 0, 4 };
		uint32_t on[2] = { 8, 8 };

		len = wut_list(pl, 0, 0, tok, 2, ol, on);
		wut(h, 1, 2, pl, len);
		h_assert_sense(h, 0x05, 0x26, 0x00);
	}
	/* a destination range past the end */
	dl[0] = H_LUN0_BLOCKS - 10;
	len = wut_list(pl, 0, 0, tok, 1, dl, dn);
	wut(h, 1, 2, pl, len);
	h_assert_sense(h, 0x05, 0x21, 0x00);
	/* write protected destination */
	dl[0] = 0;
	len = wut_list(pl, 0, 0, tok, 1, dl, dn);
	wut(h, 3, 2, pl, len);
	h_assert_sense(h, 0x07, 0x27, 0x00);
}

static void test_device_odx__list_length_and_ranges(void **state)
{
	harness *h = *state;
	uint64_t lba[65];
	uint32_t n[65];
	size_t len, i;

	for (i = 0; i < 65; i++)
		lba[i] = i * 10, n[i] = 1;
	/* too many ranges */
	len = pt_list(pl, 0, 65, lba, n);
	pt(h, 0, 1, pl, len);
	h_assert_sense(h, 0x05, 0x26, 0x08);
	/* exactly the maximum works */
	len = pt_list(pl, 0, 64, lba, n);
	assert_int_equal(pt(h, 0, 1, pl, len), 0);
	/* parameter list shorter than the header */
	pt(h, 0, 1, pl, 10);
	h_assert_sense(h, 0x05, 0x1a, 0x00);
	/* data length claims more than was sent */
	len = pt_list(pl, 0, 2, lba, n);
	vitk_put_be16(pl, 200);
	pt(h, 0, 1, pl, len);
	h_assert_sense(h, 0x05, 0x1a, 0x00);
	/* range descriptor list length not a multiple of 16 */
	len = pt_list(pl, 0, 2, lba, n);
	vitk_put_be16(pl + 14, 20);
	pt(h, 0, 1, pl, len);
	h_assert_sense(h, 0x05, 0x26, 0x00);
	/* range list longer than the data */
	len = pt_list(pl, 0, 2, lba, n);
	vitk_put_be16(pl + 14, 48);
	pt(h, 0, 1, pl, len);
	h_assert_sense(h, 0x05, 0x1a, 0x00);
	/* no ranges */
	len = pt_list(pl, 0, 0, lba, n);
	pt(h, 0, 1, pl, len);
	h_assert_sense(h, 0x05, 0x26, 0x00);
	/* overlapping ranges */
	lba[0] = 100, n[0] = 10, lba[1] = 109, n[1] = 5;
	len = pt_list(pl, 0, 2, lba, n);
	pt(h, 0, 1, pl, len);
	h_assert_sense(h, 0x05, 0x26, 0x00);
	/* range past the end */
	lba[0] = H_LUN0_BLOCKS - 1, n[0] = 2;
	len = pt_list(pl, 0, 1, lba, n);
	pt(h, 0, 1, pl, len);
	h_assert_sense(h, 0x05, 0x21, 0x00);
	/* RTV with an unsupported ROD type */
	lba[0] = 0, n[0] = 2;
	len = pt_list(pl, 0, 1, lba, n);
	pl[2] = 0x02;
	vitk_put_be32(pl + 8, 0xffff0001);
	pt(h, 0, 1, pl, len);
	h_assert_sense(h, 0x05, 0x26, 0x00);
	/* WRITE USING TOKEN shorter than its 536-byte header */
	wut(h, 1, 1, pl, 100);
	h_assert_sense(h, 0x05, 0x1a, 0x00);
	/* RRTI for an unknown list id */
	{
		uint8_t c[16];

		h_cdb_tpc(c, 0x84, 0x07, 999, 1024);
		H_RUN(h, 0, c, NULL, 0, 1024);
		h_assert_sense(h, 0x05, 0x24, 0x00);
	}
}

/* issue 17: a POPULATE TOKEN that represents no data is refused, not turned into a token */
static void test_device_odx__populate_zero_blocks_refused(void **state)
{
	harness *h = *state;
	/* fixed sense: ILLEGAL REQUEST, 26h/00h, SKSV + field pointer to byte 14 of the list */
	static const uint8_t want[18] = { 0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0,
					  0x26, 0x00, 0, 0x80, 0x00, 14 };
	uint64_t lba[2] = { 10, 20 };
	uint32_t n[2] = { 0, 0 };
	tgt_lun_stats st;
	size_t len;

	/* two ranges of 0 blocks */
	len = pt_list(pl, 0, 2, lba, n);
	assert_int_equal(pt(h, 0, 7, pl, len), 2);
	assert_int_equal(h->cmd.sense_len, 18);
	assert_memory_equal(h->cmd.sense, want, 18);
	/* no range descriptors at all */
	len = pt_list(pl, 0, 0, lba, n);
	assert_int_equal(pt(h, 0, 8, pl, len), 2);
	assert_memory_equal(h->cmd.sense, want, 18);
	/* no token was made, and no copy operation recorded for either list id */
	assert_int_equal(tgt_device_stats(h->dev, 0, &st), 0);
	assert_int_equal(st.tokens_created, 0);
	{
		uint8_t c[16];

		h_cdb_tpc(c, 0x84, 0x07, 7, 1024);
		H_RUN(h, 0, c, NULL, 0, 1024);
		h_assert_sense(h, 0x05, 0x24, 0x00);
	}
	/* one non-empty range among empty ones still makes a token */
	n[1] = 4;
	len = pt_list(pl, 0, 2, lba, n);
	assert_int_equal(pt(h, 0, 9, pl, len), 0);
	assert_int_equal(rrti(h, 0, 9), 0x01);
	assert_int_equal(rrti_count(h), 4);
	assert_int_equal(tgt_device_stats(h->dev, 0, &st), 0);
	assert_int_equal(st.tokens_created, 1);
}

static void test_device_odx__zero_token(void **state)
{
	harness *h = *state;
	uint8_t zt[512] = { 0 };
	uint64_t dl[2] = { 0, 500 };
	uint32_t dn[2] = { 100, 12 };
	size_t len, i;

	memset(buf, 0x99, 1024 * 512);
	h_file_write(h, 1, 0, buf, 1024 * 512);
	vitk_put_be32(zt, 0xffff0001);
	vitk_put_be16(zt + 6, 0x01f8);
	len = wut_list(pl, 0, 0, zt, 2, dl, dn);
	assert_int_equal(wut(h, 1, 1, pl, len), 0);
	h_file_read(h, 1, 0, buf2, 1024 * 512);
	for (i = 0; i < 1024 * 512; i++) {
		bool in = i < 100 * 512 || (i >= 500 * 512 && i < 512 * 512);

		if (buf2[i] != (in ? 0 : 0x99))
			fail_msg("byte %zu is %02x", i, buf2[i]);
	}
	assert_int_equal(rrti(h, 1, 1), 0x01);
	assert_int_equal(rrti_count(h), 112);
}

static void test_device_odx__cap_partial_usage(void **state)
{
	harness *h = *state; /* 64 KiB per command */
	uint8_t tok[512];
	uint64_t sl[1] = { 0 }, dl[1] = { 0 };
	uint32_t sn[1] = { 2048 }, dn[1] = { 2048 };
	size_t len;

	seed(h);
	/* PT of 1 MiB is truncated to 128 blocks */
	len = pt_list(pl, 0, 1, sl, sn);
	assert_int_equal(pt(h, 0, 1, pl, len), 0);
	assert_int_equal(rrti(h, 0, 1), 0x03);
	assert_int_equal(rrti_count(h), 128);
	memcpy(tok, h->din + 32 + h->din[13] + 6, 512);
	assert_int_equal(vitk_get_be64(tok + 56), 64 * 1024);

	/* WUT asks for 2048 blocks: 128 written, GOOD, partial ROD token usage */
	memset(buf2, 0, 256 * 512);
	h_file_write(h, 1, 0, buf2, 256 * 512);
	len = wut_list(pl, 0, 0, tok, 1, dl, dn);
	assert_int_equal(wut(h, 1, 2, pl, len), 0);
	assert_int_equal(rrti(h, 1, 2), 0x03);
	assert_int_equal(rrti_count(h), 128);
	h_file_read(h, 1, 0, buf2, 256 * 512);
	assert_memory_equal(buf2, buf, 128 * 512);
	assert_int_equal(buf2[128 * 512], 0);

	/* the VPD 0x8F optimal transfer count reflects the cap */
	{
		uint8_t inq[6] = { 0x12, 0x01, 0x8f, 0x04, 0x00, 0 };
		size_t off = 4;

		assert_int_equal(H_RUN(h, 0, inq, NULL, 0, 1024), 0);
		while (vitk_get_be16(h->din + off) != 0x0000)
			off += 4 + vitk_get_be16(h->din + off + 2);
		assert_int_equal(vitk_get_be64(h->din + off + 28), 128);
	}
}

static void test_device_odx__immed_and_abort(void **state)
{
	harness *h = *state;
	uint8_t tok[512], c[16];
	uint64_t sl[1] = { 0 }, dl[1] = { 0 };
	uint32_t sn[1] = { 4096 }, dn[1] = { 4096 };
	size_t len;
	int polls = 0;
	uint8_t st;

	seed(h);
	make_token(h, 1, 1, sl, sn, tok);
	len = wut_list(pl, 0x01, 0, tok, 1, dl, dn); /* IMMED */
	assert_int_equal(wut(h, 1, 7, pl, len), 0);
	for (;;) {
		st = rrti(h, 1, 7);
		if (st != 0x12)
			break;
		assert_true(++polls < 100000);
		{
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	assert_int_equal(st, 0x01);
	assert_int_equal(rrti_count(h), 4096);
	h_file_read(h, 1, 0, buf2, 4096 * 512);
	assert_memory_equal(buf2, buf, 4096 * 512);

	/* RECEIVE COPY STATUS(LID4) reports the same operation */
	h_cdb_tpc(c, 0x84, 0x05, 7, 64);
	assert_int_equal(H_RUN(h, 1, c, NULL, 0, 64), 0);
	assert_int_equal(h->din[4], 0x11);
	assert_int_equal(h->din[5], 0x01);
	assert_int_equal(vitk_get_be64(h->din + 16), 4096);

	/* COPY OPERATION ABORT: a finished operation is fine, an unknown one is not */
	h_cdb_tpc(c, 0x83, 0x1c, 7, 0);
	assert_int_equal(H_RUN(h, 1, c, NULL, 0, 0), 0);
	h_cdb_tpc(c, 0x83, 0x1c, 4242, 0);
	H_RUN(h, 1, c, NULL, 0, 0);
	h_assert_sense(h, 0x05, 0x24, 0x00);

	/* an IMMED copy left running is aborted and joined by tgt_device_free */
	assert_int_equal(wut(h, 1, 8, pl, len), 0);
	h_cdb_tpc(c, 0x83, 0x1c, 8, 0);
	assert_int_equal(H_RUN(h, 1, c, NULL, 0, 0), 0);
	st = rrti(h, 1, 8);
	assert_true(st == 0x12 || st == 0x60 || st == 0x01);
}

#include <semaphore.h>

static sem_t hook_entered, hook_go;
static int hook_calls;

static void blocking_hook(void *arg)
{
	(void)arg;
	if (hook_calls++ == 0) {
		sem_post(&hook_entered);
		sem_wait(&hook_go);
	}
}

static void test_device_odx__abort_running_and_list_id_busy(void **state)
{
	harness *h = *state;
	uint8_t tok[512], c[16];
	uint64_t sl[1] = { 0 }, dl[1] = { 0 };
	uint32_t sn[1] = { 64 }, dn[1] = { 64 };
	size_t len;
	uint8_t st;
	int polls = 0;

	seed(h);
	make_token(h, 1, 1, sl, sn, tok);
	sem_init(&hook_entered, 0, 0);
	sem_init(&hook_go, 0, 0);
	hook_calls = 0;
	h->dev->chunk_hook = blocking_hook;

	memset(buf2, 0, 64 * 512);
	h_file_write(h, 1, 0, buf2, 64 * 512);
	len = wut_list(pl, 0x01, 0, tok, 1, dl, dn); /* IMMED */
	assert_int_equal(wut(h, 1, 9, pl, len), 0);
	sem_wait(&hook_entered); /* the background copy is parked before its first chunk */

	assert_int_equal(rrti(h, 1, 9), 0x12);
	assert_int_equal(rrti_count(h), 0);
	/* list id 9 is busy for every originating command */
	len = pt_list(pl, 0, 1, sl, sn);
	pt(h, 0, 9, pl, len);
	h_assert_sense(h, 0x05, 0x00, 0x16);
	len = wut_list(pl, 0, 0, tok, 1, dl, dn);
	wut(h, 1, 9, pl, len);
	h_assert_sense(h, 0x05, 0x00, 0x16);

	h_cdb_tpc(c, 0x83, 0x1c, 9, 0);
	assert_int_equal(H_RUN(h, 1, c, NULL, 0, 0), 0);
	sem_post(&hook_go);
	for (;;) {
		st = rrti(h, 1, 9);
		if (st != 0x12)
			break;
		assert_true(++polls < 1000000);
		sched_yield();
	}
	assert_int_equal(st, 0x60); /* terminated */
	assert_int_equal(rrti_count(h), 0);
	assert_int_equal(h->din[12], 0x02);
	assert_int_equal(h->din[32 + 2] & 0x0f, 0x0a);
	/* nothing was written */
	h_file_read(h, 1, 0, buf2, 64 * 512);
	assert_int_equal(buf2[0], 0);
	assert_int_equal(buf2[64 * 512 - 1], 0);
	h->dev->chunk_hook = NULL;
	sem_destroy(&hook_entered);
	sem_destroy(&hook_go);
}

/* ABORT TASK of a running foreground WRITE USING TOKEN: the caller's flag
 * (set here from the chunk hook, as another thread would) stops it at the
 * chunk boundary, before anything is written */
static void abort_hook(void *arg)
{
	harness *h = arg;

	__atomic_store_n(&h->cmd.abort_req, 1, __ATOMIC_RELEASE);
}

static void test_device_odx__abort_task_foreground(void **state)
{
	harness *h = *state;
	uint8_t zt[512] = { 0 };
	uint64_t dl[1] = { 0 };
	uint32_t dn[1] = { 64 };
	size_t len, i;

	memset(buf, 0x99, 64 * 512);
	h_file_write(h, 1, 0, buf, 64 * 512);
	vitk_put_be32(zt, 0xffff0001); /* the block device zero token */
	vitk_put_be16(zt + 6, 0x01f8);
	len = wut_list(pl, 0, 0, zt, 1, dl, dn);
	h->dev->chunk_hook = abort_hook;
	h->dev->chunk_hook_arg = h;
	assert_int_equal(wut(h, 1, 5, pl, len), 2);
	h->dev->chunk_hook = NULL;
	h_assert_sense(h, VITK_SCSI_KEY_COPY_ABORTED, 0x00, 0x00);
	assert_int_equal(h->cmd.abort_req, 2); /* it stopped because of the flag */
	h_file_read(h, 1, 0, buf2, 64 * 512);
	for (i = 0; i < 64 * 512; i++)
		if (buf2[i] != 0x99)
			fail_msg("byte %zu is %02x: the aborted copy wrote", i, buf2[i]);
	assert_int_equal(rrti(h, 1, 5), 0x60); /* operation terminated */
	assert_int_equal(rrti_count(h), 0);
	/* without the flag the same copy runs (and leaves it 0) */
	assert_int_equal(wut(h, 1, 6, pl, len), 0);
	assert_int_equal(h->cmd.abort_req, 0);
	h_file_read(h, 1, 0, buf2, 64 * 512);
	assert_int_equal(buf2[0], 0);
	assert_int_equal(buf2[64 * 512 - 1], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_device_odx__populate_and_write, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_odx__revoked_by_write, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_odx__populate_zero_blocks_refused, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_odx__expired_on_fake_clock, setup_clock,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_odx__token_sense_paths, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_odx__list_length_and_ranges, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_odx__zero_token, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_device_odx__abort_task_foreground, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_odx__cap_partial_usage, setup_cap,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_odx__immed_and_abort, h_setup,
						h_teardown),
		cmocka_unit_test_setup_teardown(test_device_odx__abort_running_and_list_id_busy,
						h_setup, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
