/* SPDX-License-Identifier: MIT */
/*
 * The copy manager's data path on a given filesystem: clones for aligned
 * ranges, copies for unaligned heads and tails, holes kept, the zero token
 * punching holes, snapshot tokens surviving source writes.  Run by
 * reflink_fs_test.sh on ext4, XFS and btrfs filesystems it makes:
 *
 *   REFLINK_DIR     a directory on the filesystem under test
 *   REFLINK_EXPECT  "clone" (XFS, btrfs) or "copy" (ext4): what must happen
 *
 * Devices: LUN 0 tokens=snapshot, LUN 1 plain destination, LUN 2
 * tokens=revoke, LUN 3 tokens=auto; all 8 MiB with 512-byte blocks.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <sys/statvfs.h>

#include "dev_internal.h" /* the device's clock */

#define LUN_BYTES (8u << 20)
#define LUN_BLOCKS (LUN_BYTES / 512)

static uint8_t buf[LUN_BYTES];
static uint8_t buf2[LUN_BYTES];
static uint8_t pl[8192];
static bool expect_clone;
static uint64_t fake_ns;

static uint64_t fake_now(void)
{
	return fake_ns;
}

static int setup(void **state)
{
	static const int modes[4] = { TGT_TOKENS_SNAPSHOT, TGT_TOKENS_AUTO, TGT_TOKENS_REVOKE,
				      TGT_TOKENS_AUTO };
	const char *dir = getenv("REFLINK_DIR"), *ex = getenv("REFLINK_EXPECT");
	tgt_device_options o = { 0 };
	harness *h = calloc(1, sizeof(*h));
	char tmpl[sizeof(h->dir)];
	int i;

	assert_non_null(h);
	assert_non_null(ex);
	expect_clone = strcmp(ex, "clone") == 0;
	snprintf(tmpl, sizeof(tmpl), "%s/reflinkXXXXXX", dir && *dir ? dir : h_tmpdir());
	assert_non_null(mkdtemp(tmpl));
	memcpy(h->dir, tmpl, sizeof(tmpl));
	o.iqn = "iqn.2026-01.io.vitk:reflink";
	assert_int_equal(tgt_device_new(&h->dev, &o), 0);
	for (i = 0; i < 4; i++) {
		tgt_lun_config c = { 0 };

		snprintf(h->path[i], sizeof(h->path[i]), "%s/lun%d.img", tmpl, i);
		c.lun = (unsigned)i, c.path = h->path[i], c.size = LUN_BYTES, c.block_size = 512;
		c.tokens = modes[i];
		assert_int_equal(tgt_device_add_lun(h->dev, &c), 0);
	}
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	harness *h = *state;
	int i;

	tgt_device_free(h->dev);
	for (i = 0; i < 4; i++)
		unlink(h->path[i]);
	rmdir(h->dir);
	free(h);
	return 0;
}

static void fill_file(harness *h, int idx, uint8_t byte)
{
	memset(buf2, byte, LUN_BYTES);
	h_file_write(h, idx, 0, buf2, LUN_BYTES);
}

static void assert_bytes(const uint8_t *p, uint8_t byte, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != byte)
			fail_msg("byte %zu is %02x, not %02x", i, p[i], byte);
}

static tgt_lun_stats stats(harness *h, unsigned lun)
{
	tgt_lun_stats st;

	assert_int_equal(tgt_device_stats(h->dev, lun, &st), 0);
	return st;
}

/* ---- EXTENDED COPY ---- */

static void cscd_for(harness *h, unsigned lun, uint8_t *c)
{
	uint8_t inq[6] = { 0x12, 0x01, 0x83, 0x00, 0xff, 0x00 };

	assert_int_equal(H_RUN(h, lun, inq, NULL, 0, 255), 0);
	memset(c, 0, 32);
	c[0] = 0xe4;
	memcpy(c + 4, h->din + 4, 20); /* the NAA designation descriptor */
	vitk_put_be24(c + 29, 512);
}

/* an XCOPY from LUN 0 to LUN 1 of @nseg contiguous 02h segments of @n blocks */
static void xcopy_segments(harness *h, uint64_t slba, uint64_t dlba, uint16_t n, size_t nseg)
{
	uint8_t c[16], *s = pl + 16 + 64;
	size_t i, len;

	memset(pl, 0, sizeof(pl));
	pl[1] = 3 << 3; /* list id usage: none */
	vitk_put_be16(pl + 2, 64);
	vitk_put_be32(pl + 8, (uint32_t)(28 * nseg));
	cscd_for(h, 0, pl + 16);
	cscd_for(h, 1, pl + 48);
	for (i = 0; i < nseg; i++, s += 28) {
		s[0] = 0x02;
		vitk_put_be16(s + 2, 0x18);
		vitk_put_be16(s + 6, 1);
		vitk_put_be16(s + 10, n);
		vitk_put_be64(s + 12, slba + i * n);
		vitk_put_be64(s + 20, dlba + i * n);
	}
	len = 16 + 64 + 28 * nseg;
	h_cdb_tpc(c, 0x83, 0x00, 0, (uint32_t)len);
	assert_int_equal(H_RUN(h, 0, c, pl, len, 0), 0);
}

/* LUN 1 holds 0xAA around [dlba, dlba + n) and LUN 0's bytes from slba inside */
static void assert_copied_exactly(harness *h, uint64_t slba, uint64_t dlba, uint64_t n)
{
	h_file_read(h, 0, 0, buf, LUN_BYTES);
	h_file_read(h, 1, 0, buf2, LUN_BYTES);
	assert_bytes(buf2, 0xaa, dlba * 512);
	assert_memory_equal(buf2 + dlba * 512, buf + slba * 512, n * 512);
	assert_bytes(buf2 + (dlba + n) * 512, 0xaa, LUN_BYTES - (dlba + n) * 512);
}

static void seed(harness *h)
{
	h_fill_pattern(buf, LUN_BYTES, 77);
	h_file_write(h, 0, 0, buf, LUN_BYTES);
	fill_file(h, 1, 0xaa);
}

/* unaligned on both ends, same alignment on both sides: clone + copy */
static void test_reflink__xcopy_unaligned_edges(void **state)
{
	harness *h = *state;
	tgt_lun_stats st;
	uint64_t bytes = 4000 * 512, head = 4096 - 3 * 512, mid = (bytes - head) / 4096 * 4096;

	seed(h);
	xcopy_segments(h, 3, 3, 4000, 1);
	assert_copied_exactly(h, 3, 3, 4000);
	st = stats(h, 1);
	assert_int_equal(st.bytes_copied_internal, bytes);
	assert_int_equal(st.bytes_cloned, expect_clone ? mid : 0);
	assert_int_equal(st.bytes_copied, expect_clone ? bytes - mid : bytes);
	assert_int_equal(st.bytes_zeroed, 0);
}

/* source and destination differ modulo the block size: nothing can be shared */
static void test_reflink__xcopy_misaligned_copies(void **state)
{
	harness *h = *state;
	tgt_lun_stats st;

	seed(h);
	xcopy_segments(h, 1, 2, 3000, 1);
	assert_copied_exactly(h, 1, 2, 3000);
	st = stats(h, 1);
	assert_int_equal(st.bytes_cloned, 0);
	assert_int_equal(st.bytes_copied, 3000 * 512);
}

/* 8 segments of 1001 blocks end unaligned, but join into one aligned range */
static void test_reflink__xcopy_segments_join(void **state)
{
	harness *h = *state;
	tgt_lun_stats st;

	seed(h);
	xcopy_segments(h, 0, 0, 1001, 8);
	assert_copied_exactly(h, 0, 0, 8008);
	st = stats(h, 1);
	assert_int_equal(st.bytes_copied_internal, 8008 * 512);
	assert_int_equal(st.bytes_cloned, expect_clone ? 8008 * 512 : 0);
	assert_int_equal(st.bytes_copied, expect_clone ? 0 : 8008 * 512);
}

/* GET LBA STATUS descriptor @i: LBA, blocks, provisioning status */
static void lba_status(harness *h, unsigned lun, uint64_t lba, size_t i, uint64_t *start,
		       uint32_t *n, uint8_t *state)
{
	uint8_t c[16] = { 0x9e, 0x12 };

	vitk_put_be64(c + 2, lba);
	vitk_put_be32(c + 10, 8 + 16 * 8);
	assert_int_equal(H_RUN(h, lun, c, NULL, 0, 8 + 16 * 8), 0);
	assert_true(vitk_get_be32(h->din) >= 4 + 16 * (i + 1));
	*start = vitk_get_be64(h->din + 8 + 16 * i);
	*n = vitk_get_be32(h->din + 8 + 16 * i + 8);
	*state = h->din[8 + 16 * i + 12];
}

/* a hole in the source stays a hole in the destination (clone or copy) */
static void test_reflink__holes_stay_holes(void **state)
{
	harness *h = *state;
	int fd = open(h->path[1], O_RDONLY);
	uint64_t start;
	uint32_t n;
	uint8_t st;

	assert_true(fd >= 0);
	fill_file(h, 1, 0xaa);
	h_fill_pattern(buf, 65536, 5);
	h_file_write(h, 0, 1 << 20, buf, 65536); /* LUN 0: data only at 1 MiB */
	xcopy_segments(h, 0, 0, 4096, 2);          /* the first 4 MiB */
	h_file_read(h, 1, 0, buf2, 4 << 20);
	assert_bytes(buf2, 0, 1 << 20);
	assert_memory_equal(buf2 + (1 << 20), buf, 65536);
	assert_bytes(buf2 + (1 << 20) + 65536, 0, (3 << 20) - 65536);
	assert_int_equal(lseek(fd, 0, SEEK_DATA), 1 << 20);
	assert_int_equal(lseek(fd, 1 << 20, SEEK_HOLE), (1 << 20) + 65536);
	close(fd);
	/* and GET LBA STATUS says so */
	lba_status(h, 1, 0, 0, &start, &n, &st);
	assert_int_equal(start, 0);
	assert_int_equal(n, 2048);
	assert_int_equal(st, 1); /* deallocated */
	lba_status(h, 1, 0, 1, &start, &n, &st);
	assert_int_equal(start, 2048);
	assert_int_equal(n, 128);
	assert_int_equal(st, 0); /* mapped */
	lba_status(h, 1, 0, 2, &start, &n, &st);
	assert_int_equal(start, 2176);
	assert_int_equal(st, 1);
}

/* ---- tokens ---- */

static size_t pt_list(uint8_t *p, uint64_t lba, uint32_t n)
{
	memset(p, 0, 32);
	vitk_put_be16(p, 30);
	vitk_put_be16(p + 14, 16);
	vitk_put_be64(p + 16, lba);
	vitk_put_be32(p + 24, n);
	return 32;
}

static size_t wut_list(uint8_t *p, const uint8_t *token, uint64_t lba, uint32_t n)
{
	memset(p, 0, 552);
	vitk_put_be16(p, 550);
	memcpy(p + 16, token, 512);
	vitk_put_be16(p + 534, 16);
	vitk_put_be64(p + 536, lba);
	vitk_put_be32(p + 544, n);
	return 552;
}

/* POPULATE TOKEN on @lun, then RRTI: the token into @tok */
static void make_token(harness *h, unsigned lun, uint32_t list_id, uint64_t lba, uint32_t n,
		       uint8_t *tok)
{
	uint8_t c[16];
	size_t len = pt_list(pl, lba, n), s;

	h_cdb_tpc(c, 0x83, 0x10, list_id, (uint32_t)len);
	assert_int_equal(H_RUN(h, lun, c, pl, len, 0), 0);
	h_cdb_tpc(c, 0x84, 0x07, list_id, 1024);
	assert_int_equal(H_RUN(h, lun, c, NULL, 0, 1024), 0);
	assert_int_equal(h->din[5], 0x01);
	s = h->din[13];
	memcpy(tok, h->din + 32 + s + 6, 512);
}

static uint8_t write_using(harness *h, unsigned lun, uint32_t list_id, const uint8_t *tok,
			   uint64_t lba, uint32_t n)
{
	uint8_t c[16];
	size_t len = wut_list(pl, tok, lba, n);

	h_cdb_tpc(c, 0x83, 0x11, list_id, (uint32_t)len);
	return H_RUN(h, lun, c, pl, len, 0);
}

static void write16(harness *h, unsigned lun, uint64_t lba, const uint8_t *data, uint32_t n)
{
	uint8_t c[16];

	h_cdb16_rw(c, 0x8a, lba, n);
	assert_int_equal(H_RUN(h, lun, c, data, n * 512, 0), 0);
}

/* used bytes of the filesystem under test, after writing everything back */
static uint64_t fs_used(harness *h)
{
	struct statvfs sv;
	int fd = open(h->dir, O_RDONLY | O_DIRECTORY);

	assert_true(fd >= 0);
	assert_int_equal(syncfs(fd), 0);
	assert_int_equal(fstatvfs(fd, &sv), 0);
	close(fd);
	return (uint64_t)(sv.f_blocks - sv.f_bfree) * sv.f_frsize;
}

/* a snapshot token still writes the data of POPULATE TOKEN time */
static void test_reflink__snapshot_token_survives_write(void **state)
{
	harness *h = *state;
	uint8_t tok[512];
	tgt_lun_stats st;
	uint64_t used;

	seed(h);
	used = fs_used(h);
	make_token(h, 0, 1, 0, 8192, tok); /* 4 MiB */
	assert_int_equal(vitk_get_be32(tok), 0x00800002); /* point in time - persistent */
	if (expect_clone)
		assert_true(fs_used(h) < used + (1 << 20)); /* metadata, not 4 MiB of data */
	else
		assert_true(fs_used(h) >= used + (4 << 20));
	h_fill_pattern(buf2, 64 * 512, 99);
	write16(h, 0, 4000, buf2, 64); /* inside the token's range */
	assert_int_equal(write_using(h, 1, 2, tok, 0, 8192), 0);
	h_file_read(h, 1, 0, buf2, 4 << 20);
	assert_memory_equal(buf2, buf, 4 << 20); /* buf: LUN 0 before the write */
	st = stats(h, 0);
	assert_int_equal(st.bytes_token_snapshot, 4 << 20);
	assert_int_equal(st.bytes_cloned, expect_clone ? 4 << 20 : 0);
	st = stats(h, 1);
	assert_int_equal(st.bytes_cloned, expect_clone ? 4 << 20 : 0);
	assert_int_equal(st.bytes_copied, expect_clone ? 0 : 4 << 20);
}

/*
 * A snapshot's space goes back when the token dies: deleted by its WRITE
 * USING TOKEN (DEL_TKN), or expired.  Measurable where the snapshot is a copy
 * (ext4); on reflink filesystems it never costs more than metadata.
 */
static void test_reflink__snapshot_space_released(void **state)
{
	harness *h = *state;
	uint8_t tok[512], c[16];
	uint64_t used;
	size_t len;

	seed(h);
	used = fs_used(h);
	make_token(h, 0, 1, 0, 8192, tok);
	assert_true(fs_used(h) >= used + (expect_clone ? 0 : 4 << 20));
	len = wut_list(pl, tok, 0, 8192);
	pl[2] = 0x02; /* DEL_TKN */
	h_cdb_tpc(c, 0x83, 0x11, 2, (uint32_t)len);
	assert_int_equal(H_RUN(h, 1, c, pl, len, 0), 0);
	assert_true(fs_used(h) < used + (1 << 20));
	assert_int_not_equal(write_using(h, 1, 3, tok, 0, 8192), 0); /* deleted */
	h_assert_sense(h, 0x05, 0x23, 0x09); /* TOKEN DELETED */
	/* expiry: a 1 s token, two (fake) seconds later, seen by the next command */
	fake_ns = 1000000000ull;
	h->dev->now_ns = fake_now;
	used = fs_used(h);
	len = pt_list(pl, 0, 8192);
	vitk_put_be32(pl + 4, 1); /* INACTIVITY TIMEOUT */
	h_cdb_tpc(c, 0x83, 0x10, 4, (uint32_t)len);
	assert_int_equal(H_RUN(h, 0, c, pl, len, 0), 0);
	assert_true(fs_used(h) >= used + (expect_clone ? 0 : 4 << 20));
	fake_ns += 2000000000ull;
	make_token(h, 0, 5, 0, 1, tok); /* counts the live tokens: the old one expires */
	assert_true(fs_used(h) < used + (1 << 20));
}

/* without snapshots, the same write revokes the token (as before) */
static void test_reflink__revoke_mode_revokes(void **state)
{
	harness *h = *state;
	uint8_t tok[512];

	h_fill_pattern(buf, LUN_BYTES, 12);
	h_file_write(h, 2, 0, buf, LUN_BYTES);
	make_token(h, 2, 1, 0, 8192, tok);
	assert_int_equal(vitk_get_be32(tok), 0x00800000); /* point in time - default */
	write16(h, 2, 4000, buf2, 1);
	write_using(h, 1, 2, tok, 0, 8192);
	h_assert_sense(h, 0x05, 0x23, 0x06); /* ILLEGAL REQUEST, TOKEN REVOKED */
	assert_int_equal(stats(h, 2).bytes_token_snapshot, 0);
}

/* auto: snapshots exactly where the filesystem can reflink */
static void test_reflink__auto_mode(void **state)
{
	harness *h = *state;
	uint8_t tok[512];

	make_token(h, 3, 1, 0, 128, tok);
	assert_int_equal(vitk_get_be32(tok), expect_clone ? 0x00800002 : 0x00800000);
}

/* VPD 8Fh 0108h: the persistent type is offered on snapshot LUNs only */
static size_t rod_types(harness *h, unsigned lun, uint32_t *types)
{
	uint8_t inq[6] = { 0x12, 0x01, 0x8f, 0x02, 0x00, 0x00 };
	size_t off = 4, n, i;

	assert_int_equal(H_RUN(h, lun, inq, NULL, 0, 512), 0);
	while (off + 4 <= h->cmd.din_len && vitk_get_be16(h->din + off) != 0x0108)
		off += 4 + vitk_get_be16(h->din + off + 2);
	assert_true(off + 8 <= h->cmd.din_len);
	n = vitk_get_be16(h->din + off + 6) / 64;
	for (i = 0; i < n; i++)
		types[i] = vitk_get_be32(h->din + off + 8 + 64 * i);
	return n;
}

static void test_reflink__vpd_rod_types(void **state)
{
	harness *h = *state;
	uint32_t t[4];

	assert_int_equal(rod_types(h, 0, t), 3);
	assert_int_equal(t[0], 0x00800000);
	assert_int_equal(t[1], 0x00800002);
	assert_int_equal(t[2], 0xffff0001);
	assert_int_equal(rod_types(h, 2, t), 2);
	assert_int_equal(t[0], 0x00800000);
	assert_int_equal(t[1], 0xffff0001);
}

/* the block device zero token deallocates exactly the ranges written */
static void test_reflink__zero_token_punches(void **state)
{
	harness *h = *state;
	uint8_t zero[512] = { 0 };
	int fd = open(h->path[1], O_RDONLY);

	assert_true(fd >= 0);
	fill_file(h, 1, 0xaa);
	vitk_put_be32(zero, 0xffff0001);
	vitk_put_be16(zero + 6, 0x01f8);
	assert_int_equal(write_using(h, 1, 1, zero, 8, 4096), 0); /* [4 KiB, 4 KiB + 2 MiB) */
	h_file_read(h, 1, 0, buf2, LUN_BYTES);
	assert_bytes(buf2, 0xaa, 4096);
	assert_bytes(buf2 + 4096, 0, 2 << 20);
	assert_bytes(buf2 + 4096 + (2 << 20), 0xaa, LUN_BYTES - 4096 - (2 << 20));
	assert_int_equal(lseek(fd, 4096, SEEK_HOLE), 4096);
	assert_int_equal(lseek(fd, 4096, SEEK_DATA), 4096 + (2 << 20));
	close(fd);
	assert_int_equal(stats(h, 1).bytes_zeroed, 2 << 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reflink__xcopy_unaligned_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reflink__xcopy_misaligned_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reflink__xcopy_segments_join, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reflink__holes_stay_holes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reflink__snapshot_token_survives_write, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reflink__snapshot_space_released, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reflink__revoke_mode_revokes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reflink__auto_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reflink__vpd_rod_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reflink__zero_token_punches, setup, teardown),
	};

	return cmocka_run_group_tests_name("reflink", tests, NULL, NULL);
}
