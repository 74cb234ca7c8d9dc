/* SPDX-License-Identifier: MIT */
/*
 * Who may touch what: LUN masking (REPORT LUNS, I/O, INQUIRY), the copy
 * manager following it (EXTENDED COPY CSCDs, WRITE USING TOKEN with a token
 * of a masked LUN), the per-nexus ROD token quota and the reclaiming of a
 * gone session's tokens, and a failing backing file as named sense (the
 * write seam).
 *
 * LUNs: 0 only for iqn A, 1 for everyone, 2 only for iqn B.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>

#include "dev_internal.h"

#define IQN_A "iqn.2026-01.test:a"
#define IQN_B "iqn.2026-01.test:b"

typedef struct {
	char dir[512];
	char path[3][600];
	tgt_device *dev;
	tgt_cmd cmd;
	uint8_t din[4096];
	char log[1024];
} fx;

static uint8_t pl[4096];

static tgt_device *new_device(fx *f, uint32_t quota)
{
	static const char *const only_a[] = { IQN_A };
	static const char *const only_b[] = { IQN_B };
	tgt_device_options o = { 0 };
	tgt_lun_config c = { 0 };
	tgt_device *d = NULL;

	o.iqn = "iqn.2026-01.io.vitk:access";
	o.tokens_per_nexus = quota;
	assert_int_equal(tgt_device_new(&d, &o), 0);
	c.size = 4096 * 512ull, c.block_size = 512;
	c.lun = 0, c.path = f->path[0], c.allow = only_a, c.nallow = 1;
	assert_int_equal(tgt_device_add_lun(d, &c), 0);
	c.lun = 1, c.path = f->path[1], c.allow = NULL, c.nallow = 0;
	assert_int_equal(tgt_device_add_lun(d, &c), 0);
	c.lun = 2, c.path = f->path[2], c.allow = only_b, c.nallow = 1;
	assert_int_equal(tgt_device_add_lun(d, &c), 0);
	return d;
}

static int setup_quota(void **state, uint32_t quota)
{
	fx *f = calloc(1, sizeof(*f));
	char dir[sizeof(f->dir)];
	int i;

	assert_non_null(f);
	snprintf(dir, sizeof(dir), "%s/accessXXXXXX", h_tmpdir());
	assert_non_null(mkdtemp(dir));
	memcpy(f->dir, dir, sizeof(dir));
	for (i = 0; i < 3; i++)
		snprintf(f->path[i], sizeof(f->path[i]), "%s/l%d.img", dir, i);
	f->dev = new_device(f, quota);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_quota(state, 0);
}

static int setup_quota4(void **state)
{
	return setup_quota(state, 4);
}

static int setup_quota_all(void **state)
{
	return setup_quota(state, TPC_MAX_TOKENS);
}

static int teardown(void **state)
{
	fx *f = *state;
	int i;

	vitk_set_log_fn(NULL, NULL);
	tgt_device_free(f->dev);
	for (i = 0; i < 3; i++)
		unlink(f->path[i]);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* one command from @initiator on I_T nexus @nexus; the status byte */
static uint8_t run(fx *f, const char *initiator, uint64_t nexus, unsigned lun, const uint8_t *cdb,
		   size_t cdb_len, const void *dout, size_t dout_len)
{
	memset(&f->cmd, 0, sizeof(f->cmd));
	f->cmd.lun = lun;
	f->cmd.cdb = cdb;
	f->cmd.cdb_len = cdb_len;
	f->cmd.dout = dout;
	f->cmd.dout_len = dout_len;
	f->cmd.din = f->din;
	f->cmd.din_cap = sizeof(f->din);
	f->cmd.nexus = nexus;
	f->cmd.initiator = initiator;
	assert_int_equal(tgt_device_exec(f->dev, &f->cmd), 0);
	return f->cmd.status;
}

static void assert_sense(const fx *f, uint8_t key, uint8_t asc, uint8_t ascq)
{
	assert_int_equal(f->cmd.status, 0x02);
	assert_int_equal(f->cmd.sense[2] & 0x0f, key);
	assert_int_equal(f->cmd.sense[12], asc);
	assert_int_equal(f->cmd.sense[13], ascq);
}

/* REPORT LUNS as @initiator: the LUN numbers, count returned */
static size_t report(fx *f, const char *initiator, unsigned *luns)
{
	uint8_t c[12] = { 0xa0 };
	size_t i, n;

	vitk_put_be32(c + 6, 4096);
	assert_int_equal(run(f, initiator, 1, 0, c, sizeof(c), NULL, 0), 0);
	n = vitk_get_be32(f->din) / 8;
	for (i = 0; i < n; i++)
		luns[i] = f->din[8 + 8 * i + 1];
	return n;
}

static void test_access__report_luns_lists_visible_luns_only(void **state)
{
	fx *f = *state;
	unsigned l[8];

	assert_int_equal(report(f, IQN_A, l), 2);
	assert_int_equal(l[0], 0);
	assert_int_equal(l[1], 1);
	assert_int_equal(report(f, IQN_B, l), 2);
	assert_int_equal(l[0], 1);
	assert_int_equal(l[1], 2);
	assert_int_equal(report(f, NULL, l), 1);
	assert_int_equal(l[0], 1);
	assert_true(tgt_device_lun_visible(f->dev, 0, IQN_A));
	assert_false(tgt_device_lun_visible(f->dev, 0, IQN_B));
	assert_false(tgt_device_lun_visible(f->dev, 7, IQN_A));
}

static void test_access__masked_lun_is_absent(void **state)
{
	fx *f = *state;
	uint8_t rd[16], inq[6] = { 0x12, 0, 0, 0, 36, 0 };

	h_cdb16_rw(rd, 0x88, 0, 1);
	assert_int_equal(run(f, IQN_A, 1, 0, rd, sizeof(rd), NULL, 0), 0);
	/* LOGICAL UNIT NOT SUPPORTED, exactly as for LUN 9 */
	run(f, IQN_B, 2, 0, rd, sizeof(rd), NULL, 0);
	assert_sense(f, 0x05, 0x25, 0x00);
	run(f, IQN_B, 2, 9, rd, sizeof(rd), NULL, 0);
	assert_sense(f, 0x05, 0x25, 0x00);
	/* INQUIRY: peripheral qualifier 3, no LU at this number */
	assert_int_equal(run(f, IQN_B, 2, 0, inq, sizeof(inq), NULL, 0), 0);
	assert_int_equal(f->din[0], 0x7f);
	assert_int_equal(run(f, IQN_A, 1, 0, inq, sizeof(inq), NULL, 0), 0);
	assert_int_equal(f->din[0], 0x00);
}

/* an E4h CSCD naming LUN @lun by its NAA designator */
static void cscd_for(const fx *f, unsigned lun, uint8_t *c)
{
	tgt_lun *l = dev__find_lun(f->dev, lun);

	assert_non_null(l);
	memset(c, 0, 32);
	c[0] = 0xe4;
	lun__naa_designator(c + 4, l);
	vitk_put_be24(c + 29, l->bs);
}

/* EXTENDED COPY(LID1) to LUN 1: 8 blocks from LUN @src to LUN @dst */
static size_t xcopy_list(const fx *f, unsigned src, unsigned dst)
{
	uint8_t *s = pl + 16 + 64;

	memset(pl, 0, sizeof(pl));
	pl[1] = 3 << 3; /* list id usage: none */
	vitk_put_be16(pl + 2, 64);
	vitk_put_be32(pl + 8, 28);
	cscd_for(f, src, pl + 16);
	cscd_for(f, dst, pl + 48);
	s[0] = 0x02;
	vitk_put_be16(s + 2, 0x18);
	vitk_put_be16(s + 4, 0);
	vitk_put_be16(s + 6, 1);
	vitk_put_be16(s + 10, 8);
	return 16 + 64 + 28;
}

static void test_access__xcopy_cscd_must_be_visible(void **state)
{
	fx *f = *state;
	uint8_t c[16];
	size_t n = xcopy_list(f, 2, 1); /* from B's LUN into the shared one */

	h_cdb_tpc(c, 0x83, 0x00, 0, (uint32_t)n);
	run(f, IQN_A, 1, 1, c, sizeof(c), pl, n);
	assert_sense(f, 0x0a, 0x0d, 0x02); /* COPY ABORTED, copy target not reachable */
	assert_int_equal(run(f, IQN_B, 2, 1, c, sizeof(c), pl, n), 0);
	n = xcopy_list(f, 1, 0); /* into A's LUN, sent by B */
	h_cdb_tpc(c, 0x83, 0x00, 0, (uint32_t)n);
	run(f, IQN_B, 2, 1, c, sizeof(c), pl, n);
	assert_sense(f, 0x0a, 0x0d, 0x02);
	assert_int_equal(run(f, IQN_A, 1, 1, c, sizeof(c), pl, n), 0);
}

/* POPULATE TOKEN over 8 blocks of @lun; 0 and the token in @tok, or the status */
static uint8_t populate(fx *f, const char *ini, uint64_t nexus, unsigned lun, uint32_t list_id,
			uint8_t *tok)
{
	uint8_t c[16], r[16];

	memset(pl, 0, 32);
	vitk_put_be16(pl, 30);
	vitk_put_be16(pl + 14, 16);
	vitk_put_be64(pl + 16, list_id % 4000);
	vitk_put_be32(pl + 24, 8);
	h_cdb_tpc(c, 0x83, 0x10, list_id, 32);
	if (run(f, ini, nexus, lun, c, sizeof(c), pl, 32) != 0)
		return f->cmd.status;
	h_cdb_tpc(r, 0x84, 0x07, list_id, 1024);
	assert_int_equal(run(f, ini, nexus, lun, r, sizeof(r), NULL, 0), 0);
	memcpy(tok, f->din + 32 + f->din[13] + 6, 512);
	return 0;
}

/* WRITE USING TOKEN: the token's 8 blocks to LBA 100 of @lun */
static uint8_t write_token(fx *f, const char *ini, uint64_t nexus, unsigned lun,
			   const uint8_t *tok)
{
	uint8_t c[16];

	memset(pl, 0, 552);
	vitk_put_be16(pl, 550);
	memcpy(pl + 16, tok, 512);
	vitk_put_be16(pl + 534, 16);
	vitk_put_be64(pl + 536, 100);
	vitk_put_be32(pl + 544, 8);
	h_cdb_tpc(c, 0x83, 0x11, 77, 552);
	return run(f, ini, nexus, lun, c, sizeof(c), pl, 552);
}

static void test_access__token_needs_a_visible_source(void **state)
{
	fx *f = *state;
	uint8_t tb[512], t1[512];

	assert_int_equal(populate(f, IQN_B, 2, 2, 1, tb), 0);
	/* A does not see LUN 2: B's token is no way into it */
	write_token(f, IQN_A, 1, 1, tb);
	assert_sense(f, 0x0a, 0x0d, 0x02);
	assert_int_equal(write_token(f, IQN_B, 2, 1, tb), 0);
	/* a token over the shared LUN works for both */
	assert_int_equal(populate(f, IQN_A, 1, 1, 2, t1), 0);
	assert_int_equal(write_token(f, IQN_B, 2, 1, t1), 0);
	assert_int_equal(write_token(f, IQN_A, 1, 1, t1), 0);
}

static void test_access__token_quota_per_nexus(void **state)
{
	fx *f = *state;
	uint8_t tok[512];
	uint32_t i;

	for (i = 0; i < 4; i++)
		assert_int_equal(populate(f, IQN_A, 1, 1, 10 + i, tok), 0);
	assert_int_equal(populate(f, IQN_A, 1, 1, 20, tok), 0x02);
	assert_sense(f, 0x05, 0x55, 0x0d); /* insufficient resources to create ROD token */
	/* another nexus of the same initiator has its own quota */
	assert_int_equal(populate(f, IQN_A, 2, 1, 20, tok), 0);
	/* the nexus ended: its tokens still work, and no longer count */
	tgt_device_nexus_gone(f->dev, 1);
	assert_int_equal(write_token(f, IQN_B, 3, 1, tok), 0);
	assert_int_equal(populate(f, IQN_A, 2, 1, 21, tok), 0);
}

static void test_access__gone_sessions_tokens_are_reclaimed(void **state)
{
	fx *f = *state;
	uint8_t first[512], tok[512];
	uint32_t i;

	/* nexus 1 fills the whole table */
	assert_int_equal(populate(f, IQN_A, 1, 1, 1000, first), 0);
	for (i = 1; i < TPC_MAX_TOKENS; i++)
		assert_int_equal(populate(f, IQN_A, 1, 1, 1000 + i, tok), 0);
	assert_int_equal(populate(f, IQN_B, 2, 1, 1, tok), 0x02);
	assert_sense(f, 0x05, 0x55, 0x0d);
	/* its session ends: the oldest of its tokens makes room */
	tgt_device_nexus_gone(f->dev, 1);
	assert_int_equal(populate(f, IQN_B, 2, 1, 1, tok), 0);
	write_token(f, IQN_B, 2, 1, first);
	assert_sense(f, 0x05, 0x23, 0x08); /* the reclaimed token: cancelled */
	assert_int_equal(write_token(f, IQN_B, 2, 1, tok), 0);
}

static int fault_errno;
static int fault(void *arg, const tgt_lun *l, uint64_t off)
{
	(void)arg;
	(void)l;
	(void)off;
	return -fault_errno;
}

static void grab_log(vitk_log_level lvl, const char *domain, const char *msg, void *payload)
{
	fx *f = payload;

	(void)lvl;
	(void)domain;
	snprintf(f->log, sizeof(f->log), "%s", msg);
}

static void test_access__write_failures_are_named(void **state)
{
	fx *f = *state;
	uint8_t c[16], data[512] = { 1 };

	vitk_set_log_fn(grab_log, f);
	f->dev->write_fault = fault;
	h_cdb16_rw(c, 0x8a, 100, 1);
	fault_errno = ENOSPC;
	run(f, IQN_A, 1, 1, c, sizeof(c), data, sizeof(data));
	assert_sense(f, 0x07, 0x27, 0x07); /* SPACE ALLOCATION FAILED WRITE PROTECT */
	assert_non_null(strstr(f->log, "lun 1: write at lba 100 failed"));
	assert_non_null(strstr(f->log, "errno 28"));
	fault_errno = EIO;
	run(f, IQN_A, 1, 1, c, sizeof(c), data, sizeof(data));
	assert_sense(f, 0x03, 0x0c, 0x00); /* WRITE ERROR */
	assert_non_null(strstr(f->log, "errno 5"));
	fault_errno = 0;
	assert_int_equal(run(f, IQN_A, 1, 1, c, sizeof(c), data, sizeof(data)), 0);
}

static void test_access__read_failures_are_named(void **state)
{
	fx *f = *state;
	tgt_lun *l = dev__find_lun(f->dev, 1);
	uint8_t c[16];
	int saved = l->fd, wronly = open("/dev/null", O_WRONLY);

	assert_true(wronly >= 0);
	vitk_set_log_fn(grab_log, f);
	l->fd = wronly; /* pread fails with EBADF */
	h_cdb16_rw(c, 0x88, 7, 1);
	run(f, IQN_A, 1, 1, c, sizeof(c), NULL, 0);
	l->fd = saved;
	close(wronly);
	assert_sense(f, 0x03, 0x11, 0x00); /* UNRECOVERED READ ERROR */
	assert_non_null(strstr(f->log, "lun 1: read at lba 7 failed"));
	assert_non_null(strstr(f->log, "errno 9"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_access__report_luns_lists_visible_luns_only,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_access__masked_lun_is_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access__xcopy_cscd_must_be_visible, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_access__token_needs_a_visible_source, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_access__token_quota_per_nexus, setup_quota4,
						teardown),
		cmocka_unit_test_setup_teardown(test_access__gone_sessions_tokens_are_reclaimed,
						setup_quota_all, teardown),
		cmocka_unit_test_setup_teardown(test_access__write_failures_are_named, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_access__read_failures_are_named, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
