/* SPDX-License-Identifier: MIT */
/*
 * LUNs changing while the device serves (lun_change.c, used by `vitk odx
 * serve` reloads): grown in place with CAPACITY DATA HAS CHANGED to the
 * nexuses that used it, replaced (shrunk, made read-only), removed, and a
 * configuration the LUN cannot take leaving it as it was.  (Tokens and
 * background copies of a leaving LUN: tpc__lun_busy / tpc__lun_gone.)
 */
#include <sched.h>
#include <semaphore.h>

#include "harness.h"
#include "dev_internal.h" /* the chunk hook that parks a background copy */

static const uint8_t cdb_tur[6] = { 0 };
static const uint8_t cdb_rc16[16] = { 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0 };

/* READ CAPACITY(16): the number of blocks */
static uint64_t blocks_of(harness *h, unsigned lun)
{
	assert_int_equal(H_RUN(h, lun, cdb_rc16, NULL, 0, 32), 0);
	return vitk_get_be64(h->din) + 1;
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static void grow_in_place(void **state)
{
	harness *h = *state;

	assert_int_equal(blocks_of(h, 0), H_LUN0_BLOCKS); /* nexus 0 has used LUN 0 */
	assert_int_equal(tgt_device_lun_grow(h->dev, 0, 2ull * H_LUN0_BLOCKS * 512), 0);
	assert_int_equal(file_size(h->path[0]), 2ull * H_LUN0_BLOCKS * 512);
	/* the next command gets the unit attention, once */
	H_RUN(h, 0, cdb_tur, NULL, 0, 0);
	h_assert_sense(h, VITK_SCSI_KEY_UNIT_ATTENTION, 0x2a, 0x09);
	H_RUN(h, 0, cdb_tur, NULL, 0, 0);
	h_assert_good(h);
	assert_int_equal(blocks_of(h, 0), 2ull * H_LUN0_BLOCKS);
	assert_int_equal(tgt_device_lun_size(h->dev, 0), 2ull * H_LUN0_BLOCKS * 512);
	/* grown and then another LUN added: both unit attentions, in order */
	assert_int_equal(tgt_device_lun_grow(h->dev, 0, 3ull * H_LUN0_BLOCKS * 512), 0);
	tgt_device_luns_changed(h->dev);
	tgt_device_luns_changed(h->dev); /* the same one twice: reported once */
	H_RUN(h, 0, cdb_tur, NULL, 0, 0);
	h_assert_sense(h, VITK_SCSI_KEY_UNIT_ATTENTION, 0x2a, 0x09);
	H_RUN(h, 0, cdb_tur, NULL, 0, 0);
	h_assert_sense(h, VITK_SCSI_KEY_UNIT_ATTENTION, 0x3f, 0x0e);
	H_RUN(h, 0, cdb_tur, NULL, 0, 0);
	h_assert_good(h);
	assert_int_equal(blocks_of(h, 0), 3ull * H_LUN0_BLOCKS);
	/* LUN 1 was not touched: no unit attention there */
	H_RUN(h, 1, cdb_tur, NULL, 0, 0);
	h_assert_good(h);
	/* never smaller, never off the block size */
	assert_int_equal(tgt_device_lun_grow(h->dev, 0, H_LUN0_BLOCKS * 512ull), VITK_EINVAL);
	assert_int_equal(tgt_device_lun_grow(h->dev, 0, 3ull * H_LUN0_BLOCKS * 512 + 100),
			 VITK_EINVAL);
	assert_int_equal(tgt_device_lun_grow(h->dev, 9, 1 << 20), VITK_ENOTFOUND);
	/* a read-only LUN grows only as far as its file */
	assert_int_equal(tgt_device_lun_grow(h->dev, 3, 2ull * H_RO_BLOCKS * 512), VITK_EINVAL);
	vitk_error_clear();
}

static void replace_shrunk_read_only(void **state)
{
	harness *h = *state;
	tgt_lun_config c = { 0 };
	uint8_t cdb[10], data[4096], back[4096];

	h_fill_pattern(data, sizeof(data), 7);
	h_cdb10_rw(cdb, 0x2a, 0, 8);
	assert_int_equal(H_RUN(h, 1, cdb, data, sizeof(data), 0), 0);
	c.lun = 1;
	c.path = h->path[1];
	c.size = 1 << 20; /* 4 MiB -> 1 MiB: the file is cut */
	c.block_size = 512;
	c.tokens = TGT_TOKENS_REVOKE;
	assert_int_equal(tgt_device_replace_lun(h->dev, &c), 0);
	assert_int_equal(file_size(h->path[1]), 1u << 20);
	assert_int_equal(blocks_of(h, 1), 2048);
	/* a read-only file is never cut: the size must fit */
	c.read_only = true;
	c.size = 512 << 10;
	assert_int_equal(tgt_device_replace_lun(h->dev, &c), VITK_EINVAL);
	assert_int_equal(file_size(h->path[1]), 1u << 20);
	c.size = 0;
	assert_int_equal(tgt_device_replace_lun(h->dev, &c), 0);
	h_cdb10_rw(cdb, 0x2a, 0, 8);
	H_RUN(h, 1, cdb, data, sizeof(data), 0);
	h_assert_sense(h, VITK_SCSI_KEY_DATA_PROTECT, 0x27, 0x00);
	h_cdb10_rw(cdb, 0x28, 0, 8);
	assert_int_equal(H_RUN(h, 1, cdb, NULL, 0, sizeof(back)), 0);
	memcpy(back, h->din, sizeof(back));
	assert_memory_equal(back, data, sizeof(data)); /* the data before the cut stays */
	/* a configuration the LUN cannot take: the old one stays */
	c.block_size = 1024;
	assert_int_equal(tgt_device_replace_lun(h->dev, &c), VITK_EINVAL);
	c.block_size = 512;
	c.path = "/nonexistent/dir/x.img";
	c.read_only = false;
	c.size = 1 << 20;
	assert_int_equal(tgt_device_replace_lun(h->dev, &c), VITK_EIO);
	vitk_error_clear();
	assert_int_equal(blocks_of(h, 1), 2048);
	assert_int_equal(tgt_device_lun_count(h->dev), 4);
}

static void remove_lun(void **state)
{
	harness *h = *state;
	static const uint8_t cdb_rl[12] = { 0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 };
	uint8_t cdb[10];

	assert_int_equal(tgt_device_remove_lun(h->dev, 2), 0);
	assert_int_equal(tgt_device_lun_count(h->dev), 3);
	assert_int_equal(H_RUN(h, 0, cdb_rl, NULL, 0, 256), 0);
	assert_int_equal(vitk_get_be32(h->din), 3 * 8); /* LUNs 0, 1 and 3 */
	assert_int_equal(h->din[8 + 1], 0);
	assert_int_equal(h->din[16 + 1], 1);
	assert_int_equal(h->din[24 + 1], 3);
	h_cdb10_rw(cdb, 0x28, 0, 1);
	H_RUN(h, 2, cdb, NULL, 0, 4096);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x25, 0x00);
	assert_int_equal(tgt_device_remove_lun(h->dev, 2), VITK_ENOTFOUND);
	vitk_error_clear();
	/* the number may come back, with another file */
	{
		tgt_lun_config c = { 0 };

		c.lun = 2;
		c.path = h->path[2];
		c.size = 0;
		c.block_size = 4096;
		c.tokens = TGT_TOKENS_REVOKE;
		assert_int_equal(tgt_device_add_lun(h->dev, &c), 0);
		assert_int_equal(blocks_of(h, 2), H_LUN2_BLOCKS);
	}
}

/* ---- ROD tokens and background copies of a leaving LUN ---- */

static uint8_t pl[4096];
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

static uint8_t tpc(harness *h, unsigned lun, uint8_t op, uint8_t sa, uint32_t list_id,
		   const uint8_t *p, size_t len, size_t din)
{
	uint8_t c[16];

	h_cdb_tpc(c, op, sa, list_id, op == 0x84 ? (uint32_t)din : (uint32_t)len);
	return H_RUN(h, lun, c, p, len, din);
}

/* POPULATE TOKEN over LBAs 0..63 of @lun, the token into @tok */
static void make_token(harness *h, unsigned lun, uint8_t *tok)
{
	memset(pl, 0, 32);
	vitk_put_be16(pl, 30);
	vitk_put_be16(pl + 14, 16);
	vitk_put_be32(pl + 16 + 8, 64);
	assert_int_equal(tpc(h, lun, 0x83, 0x10, 1, pl, 32, 0), 0);
	assert_int_equal(tpc(h, lun, 0x84, 0x07, 1, NULL, 0, 1024), 0);
	assert_int_equal(vitk_get_be32(h->din + 32 + h->din[13]), 514);
	memcpy(tok, h->din + 32 + h->din[13] + 6, 512);
}

/* WRITE USING TOKEN of @tok to LBAs 0..63 of @lun; @flags 1: IMMED */
static uint8_t write_token(harness *h, unsigned lun, uint32_t list_id, const uint8_t *tok,
			   uint8_t flags)
{
	memset(pl, 0, 552);
	vitk_put_be16(pl, 550);
	pl[2] = flags;
	memcpy(pl + 16, tok, 512);
	vitk_put_be16(pl + 534, 16);
	vitk_put_be32(pl + 536 + 8, 64);
	return tpc(h, lun, 0x83, 0x11, list_id, pl, 552, 0);
}

static void busy_while_copying_tokens_go(void **state)
{
	harness *h = *state;
	tgt_lun_config c = { 0 };
	uint8_t tok[512];
	int polls = 0;

	make_token(h, 0, tok);
	sem_init(&hook_entered, 0, 0);
	sem_init(&hook_go, 0, 0);
	hook_calls = 0;
	h->dev->chunk_hook = blocking_hook;
	assert_int_equal(write_token(h, 1, 9, tok, 0x01), 0);
	sem_wait(&hook_entered); /* the background copy LUN 0 -> LUN 1 is parked */
	/* its source and its destination cannot go; another LUN can */
	assert_int_equal(tgt_device_remove_lun(h->dev, 0), VITK_EBUSY);
	c.lun = 1;
	c.path = h->path[1];
	c.block_size = 512;
	c.tokens = TGT_TOKENS_REVOKE;
	assert_int_equal(tgt_device_replace_lun(h->dev, &c), VITK_EBUSY);
	assert_int_equal(tgt_device_lun_count(h->dev), 4);
	assert_int_equal(tgt_device_remove_lun(h->dev, 2), 0);
	sem_post(&hook_go);
	while (tpc(h, 1, 0x84, 0x07, 9, NULL, 0, 1024) == 0 && h->din[5] == 0x12) {
		assert_true(++polls < 1000000);
		sched_yield();
	}
	assert_int_equal(h->din[5], 0x01); /* done, no error */
	h->dev->chunk_hook = NULL;
	sem_destroy(&hook_entered);
	sem_destroy(&hook_go);
	/* once it ended: LUN 0 goes, and its token with it */
	assert_int_equal(tgt_device_remove_lun(h->dev, 0), 0);
	write_token(h, 1, 10, tok, 0);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x23, 0x02); /* not one of ours now */
	vitk_error_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(grow_in_place, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(replace_shrunk_read_only, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(remove_lun, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(busy_while_copying_tokens_go, h_setup, h_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
