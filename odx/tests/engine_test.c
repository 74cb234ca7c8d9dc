/* SPDX-License-Identifier: MIT */
/* Scripted conversations for the copy engine: exact CDBs and parameter lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <vitk/odx.h>
#include <vitk/sys/odx.h>

#include "fake_scsi.h"

#define BS 512u
#define NBLK 8192u

struct world {
	fake_scsi src, dst;
	vitk_odx_dev *s, *d;
	fake_scsi_cmd ss[64], ds[64]; /* scripts */
	size_t nss, nds;
	uint8_t bufs[128][600];       /* parameter lists / responses the scripts point to */
	size_t nbufs;
	uint8_t token[512];
};

static struct world *W;

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	fake_scsi_init(&w->src, "SRC0001", 1, BS, NBLK);
	fake_scsi_init(&w->dst, "DST0001", 2, BS, NBLK);
	vitk_put_be32(w->token, 0x00800000);
	vitk_put_be16(w->token + 6, 0x01F8);
	vitk_put_be64(w->token + 8, 0xC0FFEE);
	W = w;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	vitk_odx_dev_free(w->s);
	vitk_odx_dev_free(w->d);
	fake_scsi_dispose(&w->src);
	fake_scsi_dispose(&w->dst);
	free(w);
	return 0;
}

static void open_both(struct world *w, const char *cm_src, const char *cm_dst)
{
	assert_int_equal(vitk_odx_dev_open_with_transport(&w->s, &w->src.t, "fake-src", cm_src, NULL), 0);
	assert_int_equal(vitk_odx_dev_open_with_transport(&w->d, &w->dst.t, "fake-dst", cm_dst, NULL), 0);
	w->src.nlog = w->dst.nlog = 0;
}

static uint8_t *nbuf(struct world *w)
{
	assert_true(w->nbufs < 128);
	return w->bufs[w->nbufs++];
}

static void add_pt(struct world *w, uint32_t lid, uint64_t lba, uint32_t n)
{
	fake_scsi_cmd *c = &w->ss[w->nss++];
	vitk_scsi_range rg = { lba, n };
	uint8_t *pl = nbuf(w);
	int len = vitk_scsi_populate_token_build(pl, 600, false, 0, 0, &rg, 1);

	memset(c, 0, sizeof(*c));
	c->cdb_len = 16;
	vitk_scsi_cdb_populate_token(c->cdb, lid, (uint32_t)len, 0);
	c->dout = pl;
	c->dout_len = (size_t)len;
}

static void add_status(fake_scsi_cmd *c, uint8_t status, uint8_t key, uint8_t asc, uint8_t ascq)
{
	c->status = status;
	c->key = key;
	c->asc = asc;
	c->ascq = ascq;
}

static void add_rrti_units(struct world *w, bool on_src, uint32_t lid, uint8_t sa, uint8_t st,
			   uint64_t tc, bool with_token, uint8_t units);

static void add_rrti(struct world *w, bool on_src, uint32_t lid, uint8_t sa, uint8_t st,
		     uint64_t tc, bool with_token)
{
	add_rrti_units(w, on_src, lid, sa, st, tc, with_token, VITK_SCSI_UNITS_BLOCKS);
}

static void add_rrti_units(struct world *w, bool on_src, uint32_t lid, uint8_t sa, uint8_t st,
			   uint64_t tc, bool with_token, uint8_t units)
{
	fake_scsi_cmd *c = on_src ? &w->ss[w->nss++] : &w->ds[w->nds++];
	vitk_scsi_rrti r;
	uint8_t *b = nbuf(w);
	int len;

	memset(&r, 0, sizeof(r));
	r.response_to_sa = sa;
	r.copy_status = st;
	r.transfer_count = tc;
	r.transfer_count_units = units;
	r.has_token = with_token;
	memcpy(r.token, w->token, 512);
	len = vitk_scsi_rrti_build(b, 600, &r);
	memset(c, 0, sizeof(*c));
	c->cdb_len = 16;
	vitk_scsi_cdb_receive_copy(c->cdb, VITK_SCSI_SA_RRTI, lid, 1024);
	c->din = b;
	c->din_len = (size_t)len;
}

/* a WRITE USING TOKEN at OFFSET INTO ROD @off; @del: DEL_TKN (byte 2 bit 1) expected */
static fake_scsi_cmd *add_wut_x(struct world *w, uint32_t lid, uint64_t off, uint64_t lba,
				uint32_t n, uint64_t src_lba, uint32_t copied, bool del)
{
	fake_scsi_cmd *c = &w->ds[w->nds++];
	vitk_scsi_range rg = { lba, n };
	uint8_t *pl = nbuf(w);
	int len = vitk_scsi_write_using_token_build(pl, 600, false, del, off, w->token, &rg, 1);

	memset(c, 0, sizeof(*c));
	c->cdb_len = 16;
	vitk_scsi_cdb_write_using_token(c->cdb, lid, (uint32_t)len, 0);
	c->dout = pl;
	c->dout_len = (size_t)len;
	if (copied) {
		c->copy_from = &w->src;
		c->copy_src_lba = src_lba;
		c->copy_dst_lba = lba;
		c->copy_blocks = copied;
	}
	return c;
}

/* the write that asks for the rest of the ROD: DEL_TKN set */
static fake_scsi_cmd *add_wut(struct world *w, uint32_t lid, uint64_t off, uint64_t lba,
			      uint32_t n, uint64_t src_lba, uint32_t copied)
{
	return add_wut_x(w, lid, off, lba, n, src_lba, copied, true);
}

/* a write that leaves part of the ROD (or a token from a file): DEL_TKN clear */
static fake_scsi_cmd *add_wut_keep(struct world *w, uint32_t lid, uint64_t off, uint64_t lba,
				   uint32_t n, uint64_t src_lba, uint32_t copied)
{
	return add_wut_x(w, lid, off, lba, n, src_lba, copied, false);
}

static void arm(struct world *w)
{
	fake_scsi_expect(&w->src, w->ss, w->nss);
	fake_scsi_expect(&w->dst, w->ds, w->nds);
}

static void assert_scripts_done(struct world *w)
{
	if (!fake_scsi_done(&w->src))
		fail_msg("src script: %s (pos %zu of %zu)", w->src.failure, w->src.pos, w->src.nscript);
	if (!fake_scsi_done(&w->dst))
		fail_msg("dst script: %s (pos %zu of %zu)", w->dst.failure, w->dst.pos, w->dst.nscript);
}

/* dst[dst_lba..+n) == src[src_lba..+n), and the blocks just outside are untouched */
static void assert_copied(struct world *w, uint64_t src_lba, uint64_t dst_lba, uint64_t n)
{
	assert_memory_equal(w->dst.disk + dst_lba * BS, w->src.disk + src_lba * BS, n * BS);
	if (dst_lba > 0)
		assert_int_equal(w->dst.disk[(dst_lba - 1) * BS + 5], fake_scsi_pattern(&w->dst, dst_lba - 1, 5));
	if (dst_lba + n < NBLK)
		assert_int_equal(w->dst.disk[(dst_lba + n) * BS + 5],
				 fake_scsi_pattern(&w->dst, dst_lba + n, 5));
}

static void test_odx_engine__token_pt_rrti_wut(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	vitk_odx_plan plan = { 0 };

	fake_scsi_enable_3pc(&w->src, 65536, 8192, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 8192, 16u << 20, 1);
	open_both(w, "cm", "cm");
	add_pt(w, 0x100, 100, 64);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_DONE, 64, true);
	add_wut(w, 0x101, 0, 2000, 64, 100, 64);
	/* this copy manager reports the transfer count in bytes (units 00h) */
	add_rrti_units(w, false, 0x101, 0x11, VITK_SCSI_COPY_DONE, 64 * BS, false, 0x00);
	arm(w);
	o.src_lba = 100;
	o.dst_lba = 2000;
	o.count = 64;
	vitk_odx_copy_result_clear(&res);
	vitk_odx_plan_clear(&plan);
	assert_int_equal(vitk_odx_copy(&res, &plan, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(plan.chosen, VITK_ODX_METHOD_TOKEN);
	assert_int_equal(res.method, VITK_ODX_METHOD_TOKEN);
	assert_int_equal(res.bytes, 64 * BS);
	assert_int_equal(res.offload_blocks, 64);
	assert_int_equal(res.host_blocks, 0);
	assert_int_equal(res.nfallbacks, 0);
	assert_int_equal(res.commands, 4);
	/* PT list 32 + WUT list 552 + 2 RRTI responses, no data */
	assert_true(res.host_bytes < 4096);
	assert_int_equal(w->src.reads + w->dst.writes, 0);
	assert_copied(w, 100, 2000, 64);
	vitk_odx_copy_result_clear(&res);
	vitk_odx_plan_clear(&plan);
}

static void test_odx_engine__token_split_exact_lbas(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	vitk_odx_plan plan = { 0 };
	uint32_t lid = 0x100;
	uint64_t done;

	/* max token transfer size 100 blocks: 350 blocks -> 4 rounds, LBAs advance each time */
	fake_scsi_enable_3pc(&w->src, 100, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 100, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	for (done = 0; done < 350; done += 100) {
		uint32_t n = (uint32_t)(350 - done < 100 ? 350 - done : 100);

		add_pt(w, lid, 1000 + done, n);
		add_rrti(w, true, lid, 0x10, VITK_SCSI_COPY_DONE, n, true);
		add_wut(w, lid + 1, 0, 5000 + done, n, 1000 + done, n);
		add_rrti(w, false, lid + 1, 0x11, VITK_SCSI_COPY_DONE, n, false);
		lid += 2;
	}
	arm(w);
	o.src_lba = 1000;
	o.dst_lba = 5000;
	o.count = 350;
	vitk_odx_plan_clear(&plan);
	assert_int_equal(vitk_odx_plan_make(&plan, w->s, w->d, &o), 0);
	assert_int_equal(plan.commands, 4);
	assert_string_equal(plan.note, "range exceeds max token transfer size, split into 4 commands");
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.offload_blocks, 350);
	assert_copied(w, 1000, 5000, 350);
	vitk_odx_copy_result_clear(&res);
	vitk_odx_plan_clear(&plan);
}

static void test_odx_engine__token_wut_split_by_optimal_transfer(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };

	/* one 100-block token drained by WUTs of the destination's optimal transfer count (40) */
	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 40, 16u << 20, 1);
	open_both(w, "cm", "cm");
	add_pt(w, 0x100, 500, 100);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_DONE, 100, true);
	add_wut_keep(w, 0x101, 0, 7000, 40, 500, 40);
	add_rrti(w, false, 0x101, 0x11, VITK_SCSI_COPY_DONE, 40, false);
	add_wut_keep(w, 0x102, 40, 7040, 40, 540, 40);
	add_rrti(w, false, 0x102, 0x11, VITK_SCSI_COPY_DONE, 40, false);
	add_wut(w, 0x103, 80, 7080, 20, 580, 20);
	add_rrti(w, false, 0x103, 0x11, VITK_SCSI_COPY_DONE, 20, false);
	arm(w);
	o.src_lba = 500;
	o.dst_lba = 7000;
	o.count = 100;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.offload_blocks, 100);
	assert_copied(w, 500, 7000, 100);
	vitk_odx_copy_result_clear(&res);
}

/*
 * --max-blocks-per-command limits the writes, not the token: one POPULATE
 * TOKEN of the whole 100 blocks, WRITE USING TOKENs of 40 at OFFSET INTO ROD
 * 0, 40, 80, DEL_TKN on the last; a source whose default inactivity timeout
 * (60 s) is above 30 s is asked for 30 s.  The bytes are checked by hand too.
 */
static void test_odx_engine__token_one_rod_many_writes(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	const fake_scsi_cmd *pt, *wut[3];
	vitk_scsi_range rg = { 500, 100 };
	uint8_t *pl;
	int len;

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	vitk_put_be32(w->src.vpd8f + 4 + 16, 60); /* default inactivity timeout */
	open_both(w, "cm", "cm");
	pl = nbuf(w);
	len = vitk_scsi_populate_token_build(pl, 600, false, 0, 30, &rg, 1);
	pt = &w->ss[w->nss];
	add_pt(w, 0x100, 500, 100);
	w->ss[w->nss - 1].dout = pl;
	w->ss[w->nss - 1].dout_len = (size_t)len;
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_DONE, 100, true);
	wut[0] = add_wut_keep(w, 0x101, 0, 7000, 40, 500, 40);
	add_rrti(w, false, 0x101, 0x11, VITK_SCSI_COPY_DONE, 40, false);
	wut[1] = add_wut_keep(w, 0x102, 40, 7040, 40, 540, 40);
	add_rrti(w, false, 0x102, 0x11, VITK_SCSI_COPY_DONE, 40, false);
	wut[2] = add_wut(w, 0x103, 80, 7080, 20, 580, 20);
	add_rrti(w, false, 0x103, 0x11, VITK_SCSI_COPY_DONE, 20, false);
	/* the expected lists, byte by byte: INACTIVITY TIMEOUT 30, range 500+100 */
	assert_int_equal(pt->dout_len, 32);
	assert_memory_equal(pt->dout, ((const uint8_t[]){ 0, 30, 0, 0, 0, 0, 0, 30, 0, 0, 0, 0, 0, 0,
							   0, 16, 0, 0, 0, 0, 0, 0, 0x01, 0xF4, 0,
							   0, 0, 100, 0, 0, 0, 0 }),
			    32);
	for (int i = 0; i < 3; i++) {
		/* DEL_TKN only on the last; OFFSET INTO ROD 0, 40, 80 (bytes 8-15) */
		assert_int_equal(wut[i]->dout[2], i == 2 ? 0x02 : 0x00);
		assert_memory_equal(wut[i]->dout + 8, ((const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0 }), 7);
		assert_int_equal(wut[i]->dout[15], 40 * i);
		assert_int_equal(vitk_get_be32(wut[i]->dout + 536 + 8), i == 2 ? 20 : 40);
	}
	arm(w);
	o.src_lba = 500;
	o.dst_lba = 7000;
	o.count = 100;
	o.max_blocks_per_command = 40;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(fake_scsi_count_op(&w->src, 0x83), 1); /* one token */
	assert_int_equal(res.offload_blocks, 100);
	assert_int_equal(res.nfallbacks, 0);
	assert_copied(w, 500, 7000, 100);
	vitk_odx_copy_result_clear(&res);
}

/*
 * A full token table (55h/0Dh on POPULATE TOKEN): the copy waits for tokens
 * to expire and populates again, no host fallback.
 */
static void test_odx_engine__token_table_full_waits(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	add_pt(w, 0x100, 0, 64);
	add_status(&w->ss[w->nss - 1], 2, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x55, 0x0D);
	add_pt(w, 0x101, 0, 64);
	add_status(&w->ss[w->nss - 1], 2, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x55, 0x0D);
	add_pt(w, 0x102, 0, 64);
	add_rrti(w, true, 0x102, 0x10, VITK_SCSI_COPY_DONE, 64, true);
	add_wut(w, 0x103, 0, 2000, 64, 0, 64);
	add_rrti(w, false, 0x103, 0x11, VITK_SCSI_COPY_DONE, 64, false);
	arm(w);
	o.dst_lba = 2000;
	o.count = 64;
	o.poll_delay_cap_ms = 1; /* the wait between tries */
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.method, VITK_ODX_METHOD_TOKEN);
	assert_int_equal(res.offload_blocks, 64);
	assert_int_equal(res.host_blocks, 0);
	assert_int_equal(res.nfallbacks, 0);
	assert_int_equal(w->src.reads + w->dst.writes, 0);
	assert_copied(w, 0, 2000, 64);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__wut_without_rrti_is_complete(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	fake_scsi_cmd *c;

	fake_scsi_enable_3pc(&w->src, 100, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 100, 0, 16u << 20, 1);
	w->dst.vpd8f[54] = 0x03; /* destination lists no RRTI (84h/07h) */
	open_both(w, "cm", "cm");
	add_pt(w, 0x100, 0, 100);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_DONE, 100, true);
	add_wut(w, 0x101, 0, 300, 100, 0, 100); /* no RRTI follows */
	arm(w);
	o.dst_lba = 300;
	o.count = 100;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.offload_blocks, 100);
	assert_copied(w, 0, 300, 100);

	/* a destination that lists RRTI but rejects it: GOOD means complete */
	vitk_odx_dev_free(w->d);
	w->d = NULL;
	w->dst.vpd8f[54] = 0x07;
	assert_int_equal(vitk_odx_dev_open_with_transport(&w->d, &w->dst.t, "fake-dst", "cm", NULL), 0);
	w->nss = w->nds = 0;
	add_pt(w, 0x100, 100, 50);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_DONE, 50, true);
	add_wut(w, 0x101, 0, 900, 50, 100, 50);
	c = &w->ds[w->nds++];
	memset(c, 0, sizeof(*c));
	c->cdb_len = 16;
	vitk_scsi_cdb_receive_copy(c->cdb, VITK_SCSI_SA_RRTI, 0x101, 1024);
	add_status(c, 2, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x24, 0x00);
	arm(w);
	o.src_lba = 100;
	o.dst_lba = 900;
	o.count = 50;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.offload_blocks, 50);
	assert_int_equal(res.nfallbacks, 0);
	assert_copied(w, 100, 900, 50);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__token_partial_transfer_continues_offset(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	/* PT truncated by the copy manager: 128 asked, token represents 100 */
	add_pt(w, 0x100, 0, 128);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_DONE, 100, true);
	/* first WUT writes only 60 of 100: continue at offset 60 into the ROD */
	add_wut(w, 0x101, 0, 3000, 100, 0, 60);
	add_rrti(w, false, 0x101, 0x11, VITK_SCSI_COPY_DONE_PARTIAL, 60, false);
	add_wut(w, 0x102, 60, 3060, 40, 60, 40);
	add_rrti(w, false, 0x102, 0x11, VITK_SCSI_COPY_DONE, 40, false);
	/* then the remaining 28 blocks with a new token */
	add_pt(w, 0x103, 100, 28);
	add_rrti(w, true, 0x103, 0x10, VITK_SCSI_COPY_DONE, 28, true);
	add_wut(w, 0x104, 0, 3100, 28, 100, 28);
	add_rrti(w, false, 0x104, 0x11, VITK_SCSI_COPY_DONE, 28, false);
	arm(w);
	o.dst_lba = 3000;
	o.count = 128;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.offload_blocks, 128);
	assert_int_equal(res.nfallbacks, 0);
	assert_copied(w, 0, 3000, 128);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__token_expired_falls_back_to_host(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	fake_scsi_cmd *c;

	fake_scsi_enable_3pc(&w->src, 100, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 100, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	add_pt(w, 0x100, 0, 100);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_DONE, 100, true);
	add_wut(w, 0x101, 0, 4000, 100, 0, 100);
	add_rrti(w, false, 0x101, 0x11, VITK_SCSI_COPY_DONE, 100, false);
	add_pt(w, 0x102, 100, 100);
	add_rrti(w, true, 0x102, 0x10, VITK_SCSI_COPY_DONE, 100, true);
	c = add_wut(w, 0x103, 0, 4100, 100, 0, 0);
	add_status(c, 2, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x23, 0x07);
	arm(w);
	o.dst_lba = 4000;
	o.count = 250;
	o.host_buffer_bytes = 64 * BS;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.method, VITK_ODX_METHOD_TOKEN);
	assert_int_equal(res.offload_blocks, 100);
	assert_int_equal(res.host_blocks, 150);
	assert_int_equal(res.nfallbacks, 1);
	assert_int_equal(res.fallbacks[0].from, VITK_ODX_METHOD_TOKEN);
	assert_int_equal(res.fallbacks[0].to, VITK_ODX_METHOD_HOST);
	assert_int_equal(res.fallbacks[0].at_block, 100);
	assert_string_equal(res.fallbacks[0].reason,
			    "WRITE USING TOKEN failed: ILLEGAL REQUEST, invalid token operation, "
			    "token expired (ASC 23h/07h)");
	/* host copy from the failure point, in 64-block reads: 64+64+22 */
	assert_int_equal(w->src.reads, 3);
	assert_int_equal(w->dst.writes, 3);
	assert_true(res.host_bytes >= 150 * BS * 2);
	/* Data-In: 150 blocks + 2 RRTI with a token + 1 without; Data-Out: 150 blocks + 2 PT + 2 WUT */
	assert_int_equal(res.host_bytes_in, 150 * BS + 2 * (32 + 4 + 2 + 512) + (32 + 4));
	assert_int_equal(res.host_bytes_out, 150 * BS + 2 * 32 + 2 * 552);
	assert_int_equal(res.host_bytes, res.host_bytes_in + res.host_bytes_out);
	assert_copied(w, 0, 4000, 250);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__lid_busy_unit_attention_busy(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	fake_scsi_cmd *c;

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	/* PT on LID 0x100: OPERATION IN PROGRESS -> LID 0x101 */
	add_pt(w, 0x100, 10, 20);
	add_status(&w->ss[w->nss - 1], 2, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x00, 0x16);
	/* LID 0x101: UNIT ATTENTION (power on) -> the same command again */
	add_pt(w, 0x101, 10, 20);
	add_status(&w->ss[w->nss - 1], 2, VITK_SCSI_KEY_UNIT_ATTENTION, 0x29, 0x00);
	add_pt(w, 0x101, 10, 20);
	add_status(&w->ss[w->nss - 1], VITK_SCSI_STATUS_BUSY, 0, 0, 0); /* BUSY: retried */
	add_pt(w, 0x101, 10, 20);
	add_rrti(w, true, 0x101, 0x10, VITK_SCSI_COPY_DONE, 20, true);
	/* RRTI in progress once, then done */
	c = add_wut(w, 0x102, 0, 500, 20, 10, 20);
	(void)c;
	add_rrti(w, false, 0x102, 0x11, VITK_SCSI_COPY_IN_PROGRESS_FG, 0, false);
	add_rrti(w, false, 0x102, 0x11, VITK_SCSI_COPY_DONE, 20, false);
	arm(w);
	o.src_lba = 10;
	o.dst_lba = 500;
	o.count = 20;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.offload_blocks, 20);
	assert_copied(w, 10, 500, 20);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__stuck_operation_aborted_then_host(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	fake_scsi_cmd *c;

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	add_pt(w, 0x100, 0, 30);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_IN_PROGRESS_BG, 0, false);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_IN_PROGRESS_BG, 0, false);
	c = &w->ss[w->nss++];
	memset(c, 0, sizeof(*c));
	c->cdb_len = 16;
	vitk_scsi_cdb_copy_operation_abort(c->cdb, 0x100);
	arm(w);
	o.count = 30;
	o.dst_lba = 30;
	o.max_polls = 2;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.nfallbacks, 1);
	assert_string_equal(res.fallbacks[0].reason,
			    "fake-src: copy operation 256 still in progress after 2 polls (aborted)");
	assert_int_equal(res.host_blocks, 30);
	assert_copied(w, 0, 30, 30);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__malformed_sense_falls_back(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	static const uint8_t junk[] = { 0x72, 0x05 }; /* descriptor format cut at 2 bytes */

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	add_pt(w, 0x100, 0, 30);
	add_status(&w->ss[w->nss - 1], 2, 0, 0, 0);
	w->ss[w->nss - 1].raw_sense = junk;
	w->ss[w->nss - 1].raw_sense_len = sizeof(junk);
	arm(w);
	o.count = 30;
	o.dst_lba = 60;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.nfallbacks, 1);
	assert_string_equal(res.fallbacks[0].reason,
			    "POPULATE TOKEN failed: CHECK CONDITION with malformed sense data");
	assert_copied(w, 0, 60, 30);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__garbage_rrti_falls_back(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	static const uint8_t junk[20] = { 0, 0, 0, 16, 0x10, 0x01 }; /* 20 of 32 header bytes */

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	add_pt(w, 0x100, 0, 40);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_DONE, 40, true);
	w->ss[w->nss - 1].din = junk;
	w->ss[w->nss - 1].din_len = sizeof(junk);
	arm(w);
	o.count = 40;
	o.dst_lba = 40;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.nfallbacks, 1);
	assert_string_equal(res.fallbacks[0].reason,
			    "fake-src: RECEIVE ROD TOKEN INFORMATION: data truncated (20 bytes, need 32)");
	assert_int_equal(res.host_blocks, 40);
	assert_copied(w, 0, 40, 40);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__plan_reasons_no_3pc(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	vitk_odx_plan plan = { 0 };

	/* like tgtd: no 3PC bit, no VPD 0x8F, RCOP rejected */
	open_both(w, "cm", "cm");
	o.count = 100;
	o.dst_lba = 100;
	vitk_odx_copy_result_clear(&res);
	vitk_odx_plan_clear(&plan);
	assert_int_equal(vitk_odx_copy(&res, &plan, w->s, w->d, &o), 0);
	assert_int_equal(plan.chosen, VITK_ODX_METHOD_HOST);
	assert_false(plan.items[0].usable);
	assert_string_equal(plan.items[0].reason,
			    "no 3PC / ODX token copy unsupported (neither device has the 3PC bit)");
	assert_false(plan.items[1].usable);
	assert_string_equal(plan.items[1].reason, "no 3PC / EXTENDED COPY unsupported");
	assert_true(plan.items[2].usable);
	assert_int_equal(res.host_blocks, 100);
	assert_copied(w, 0, 100, 100);
	/* the same with --method token: refused, nothing sent */
	w->src.nlog = w->dst.nlog = 0;
	o.method = VITK_ODX_METHOD_TOKEN;
	vitk_odx_copy_result_clear(&res);
	vitk_odx_plan_clear(&plan);
	assert_int_equal(vitk_odx_copy(&res, &plan, w->s, w->d, &o), VITK_ENOTSUP);
	assert_non_null(strstr(vitk_error_last()->message, "no 3PC"));
	assert_int_equal(w->src.nlog + w->dst.nlog, 0);
	vitk_odx_copy_result_clear(&res);
	vitk_odx_plan_clear(&plan);
}

static void test_odx_engine__plan_reasons_capabilities(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_plan plan = { 0 };

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	/* destination lists no WRITE USING TOKEN (drop 0x11 from Supported Commands) */
	w->dst.vpd8f[4 + 36 + 9] = 0x10;
	open_both(w, "array-a", "array-b");
	o.count = 10;
	vitk_odx_plan_clear(&plan);
	assert_int_equal(vitk_odx_plan_make(&plan, w->s, w->d, &o), 0);
	assert_string_equal(plan.items[0].reason, "WRITE USING TOKEN not in Supported Commands");
	assert_string_equal(plan.items[1].reason,
			    "source and destination are on different copy managers");
	assert_int_equal(plan.chosen, VITK_ODX_METHOD_HOST);
	vitk_odx_plan_clear(&plan);
}

static void test_odx_engine__safety_refusals_send_nothing(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };

	open_both(w, "cm", "cm");
	o.count = 100;
	o.dst_lba = NBLK - 50;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), VITK_ERANGE);
	assert_non_null(strstr(vitk_error_last()->message, "past the capacity"));
	/* overlap on the same LU */
	o.dst_lba = 50;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->s, &o), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "overlap"));
	/* source past the end */
	o.src_lba = NBLK;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), VITK_ERANGE);
	assert_int_equal(w->src.nlog + w->dst.nlog, 0);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__block_size_mismatch(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_plan plan = { 0 };

	fake_scsi_dispose(&w->dst);
	fake_scsi_init(&w->dst, "DST4K", 2, 4096, 1024);
	open_both(w, "cm", "cm");
	o.count = 8;
	vitk_odx_plan_clear(&plan);
	assert_int_equal(vitk_odx_plan_make(&plan, w->s, w->d, &o), VITK_EINVAL);
	assert_string_equal(plan.items[0].reason, "block sizes differ (512 vs 4096)");
	assert_string_equal(vitk_error_last()->message, "block sizes differ (512 vs 4096)");
	vitk_odx_plan_clear(&plan);
}

static void test_odx_engine__xcopy_split_exact_segments(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	vitk_odx_plan plan = { 0 };
	uint8_t cscd[64];
	uint64_t off;
	uint8_t lid = 1;

	/* no ODX (VPD 0x8F without ROD limits) but RCOP: 64-block segments, 2 per command */
	fake_scsi_enable_3pc(&w->src, 65536, 0, 64 * BS, 2);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 64 * BS, 2);
	w->src.vpd8f_len = w->dst.vpd8f_len = 0;
	open_both(w, "cm", "cm");
	assert_int_equal(vitk_scsi_cscd_e4_build(cscd, &vitk_odx_dev_get_info(w->s)->designator, BS), 32);
	assert_int_equal(vitk_scsi_cscd_e4_build(cscd + 32, &vitk_odx_dev_get_info(w->d)->designator, BS), 32);
	for (off = 0; off < 300; off += 128) {
		vitk_scsi_segment seg[2];
		size_t nseg = 0, k;
		uint8_t *pl = nbuf(w);
		fake_scsi_cmd *c = &w->ds[w->nds++];
		int len;

		for (k = 0; k < 2 && off + 64 * k < 300; k++) {
			uint64_t s = off + 64 * k;

			memset(&seg[k], 0, sizeof(seg[k]));
			seg[k].type = 0x02;
			seg[k].dst_index = 1;
			seg[k].count = (uint32_t)(300 - s < 64 ? 300 - s : 64);
			seg[k].src_lba = 7 + s;
			seg[k].dst_lba = 6000 + s;
			nseg++;
		}
		len = vitk_scsi_xcopy_lid1_build(pl, 600, lid++, 2, 0, cscd, 2, seg, nseg);
		memset(c, 0, sizeof(*c));
		c->cdb_len = 16;
		vitk_scsi_cdb_extended_copy_lid1(c->cdb, (uint32_t)len);
		c->dout = pl;
		c->dout_len = (size_t)len;
		c->copy_from = &w->src;
		c->copy_src_lba = 7 + off;
		c->copy_dst_lba = 6000 + off;
		c->copy_blocks = 300 - off < 128 ? 300 - off : 128;
	}
	arm(w);
	o.src_lba = 7;
	o.dst_lba = 6000;
	o.count = 300;
	vitk_odx_copy_result_clear(&res);
	vitk_odx_plan_clear(&plan);
	assert_int_equal(vitk_odx_copy(&res, &plan, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(plan.chosen, VITK_ODX_METHOD_XCOPY);
	assert_string_equal(plan.items[0].reason,
			    "source has no third-party copy VPD page (0x8F)");
	assert_int_equal(plan.commands, 3);
	assert_int_equal(res.offload_blocks, 300);
	assert_int_equal(w->dst.nscript, 3);
	assert_copied(w, 7, 6000, 300);
	vitk_odx_copy_result_clear(&res);
	vitk_odx_plan_clear(&plan);
}

static void test_odx_engine__xcopy_unreachable_falls_back(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	fake_scsi_cmd *c;

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	c = &w->ds[w->nds++];
	memset(c, 0, sizeof(*c));
	c->cdb_len = 16;
	vitk_scsi_cdb_extended_copy_lid1(c->cdb, 16 + 64 + 28);
	add_status(c, 2, VITK_SCSI_KEY_COPY_ABORTED, 0x0D, 0x02);
	arm(w);
	o.count = 40;
	o.dst_lba = 40;
	o.method = VITK_ODX_METHOD_XCOPY;
	o.verify = true;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.nfallbacks, 1);
	assert_string_equal(res.fallbacks[0].reason,
			    "EXTENDED COPY failed: COPY ABORTED, copy target device not reachable "
			    "(ASC 0Dh/02h)");
	assert_true(res.verified);
	assert_int_equal(res.verify_bytes, 2 * 40 * BS);
	assert_copied(w, 0, 40, 40);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__verify_detects_mismatch(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	/* the array claims success but writes nothing */
	add_pt(w, 0x100, 0, 16);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_DONE, 16, true);
	add_wut(w, 0x101, 0, 100, 16, 0, 0);
	add_rrti(w, false, 0x101, 0x11, VITK_SCSI_COPY_DONE, 16, false);
	arm(w);
	o.count = 16;
	o.dst_lba = 100;
	o.verify = true;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), VITK_ERROR);
	assert_string_equal(vitk_error_last()->message,
			    "verify: 'fake-dst' block 100 differs from 'fake-src' block 0");
	assert_false(res.verified);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__resume_starts_at_offset(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	add_pt(w, 0x100, 200, 56);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_DONE, 56, true);
	add_wut(w, 0x101, 0, 1200, 56, 200, 56);
	add_rrti(w, false, 0x101, 0x11, VITK_SCSI_COPY_DONE, 56, false);
	arm(w);
	o.dst_lba = 1000;
	o.count = 256;
	o.resume_blocks = 200;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.bytes, 56 * BS);
	assert_copied(w, 200, 1200, 56);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__zero_token_then_write_same(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_result res = { 0 };
	fake_scsi_cmd *c;
	uint8_t z[512];
	static uint8_t zeros[64 * BS];
	vitk_scsi_range rg = { 300, 64 };
	uint8_t *pl;
	int len;

	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	vitk_scsi_rod_token_zero(z);
	pl = nbuf(w);
	len = vitk_scsi_write_using_token_build(pl, 600, false, false, 0, z, &rg, 1);
	c = &w->ds[w->nds++];
	memset(c, 0, sizeof(*c));
	c->cdb_len = 16;
	vitk_scsi_cdb_write_using_token(c->cdb, 0x100, (uint32_t)len, 0);
	c->dout = pl;
	c->dout_len = (size_t)len;
	c->zero = true;
	c->copy_dst_lba = 300;
	c->copy_blocks = 40;
	/* the copy manager truncates: 40 of 64 blocks, then the rest */
	add_rrti(w, false, 0x100, 0x11, VITK_SCSI_COPY_DONE_PARTIAL, 40, false);
	rg.lba = 340;
	rg.blocks = 24;
	pl = nbuf(w);
	len = vitk_scsi_write_using_token_build(pl, 600, false, false, 0, z, &rg, 1);
	c = &w->ds[w->nds++];
	memset(c, 0, sizeof(*c));
	c->cdb_len = 16;
	vitk_scsi_cdb_write_using_token(c->cdb, 0x101, (uint32_t)len, 0);
	c->dout = pl;
	c->dout_len = (size_t)len;
	c->zero = true;
	c->copy_dst_lba = 340;
	c->copy_blocks = 24;
	add_rrti(w, false, 0x101, 0x11, VITK_SCSI_COPY_DONE, 24, false);
	arm(w);
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_zero(&res, w->d, 300, 64, NULL), 0);
	assert_scripts_done(w);
	assert_int_equal(res.method, VITK_ODX_METHOD_TOKEN);
	assert_memory_equal(w->dst.disk + 300 * BS, zeros, 64 * BS);
	assert_int_equal(w->dst.disk[299 * BS], fake_scsi_pattern(&w->dst, 299, 0));
	assert_int_equal(w->dst.disk[364 * BS], fake_scsi_pattern(&w->dst, 364, 0));

	/* the array rejects the zero token: WRITE SAME(16) does it */
	w->nds = 0;
	rg.lba = 1000;
	rg.blocks = 64;
	pl = nbuf(w);
	len = vitk_scsi_write_using_token_build(pl, 600, false, false, 0, z, &rg, 1);
	c = &w->ds[w->nds++];
	memset(c, 0, sizeof(*c));
	c->cdb_len = 16;
	vitk_scsi_cdb_write_using_token(c->cdb, 0x100, (uint32_t)len, 0);
	c->dout = pl;
	c->dout_len = (size_t)len;
	add_status(c, 2, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x23, 0x01);
	arm(w);
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_zero(&res, w->d, 1000, 64, NULL), 0);
	assert_scripts_done(w);
	assert_int_equal(res.method, VITK_ODX_METHOD_WRITE_SAME);
	assert_int_equal(res.nfallbacks, 1);
	assert_non_null(strstr(res.fallbacks[0].reason, "unsupported token type"));
	assert_int_equal(w->dst.write_sames, 1);
	assert_memory_equal(w->dst.disk + 1000 * BS, zeros, 64 * BS);
	assert_int_equal(w->dst.disk[1064 * BS], fake_scsi_pattern(&w->dst, 1064, 0));

	/* neither: host writes */
	w->dst.write_same_unsupported = true;
	w->dst.tpc = false;
	vitk_odx_dev_free(w->d);
	w->d = NULL;
	assert_int_equal(vitk_odx_dev_open_with_transport(&w->d, &w->dst.t, "fake-dst", "cm", NULL), 0);
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_zero(&res, w->d, 2000, 64, NULL), 0);
	assert_int_equal(res.method, VITK_ODX_METHOD_HOST);
	assert_int_equal(res.nfallbacks, 2);
	assert_memory_equal(w->dst.disk + 2000 * BS, zeros, 64 * BS);
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_zero(&res, w->d, NBLK - 10, 64, NULL), VITK_ERANGE);
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__token_files(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };
	vitk_odx_token_list *l = NULL;
	char path[] = "/tmp/odx_tokXXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	fake_scsi_enable_3pc(&w->src, 100, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 100, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	add_pt(w, 0x100, 50, 100);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_DONE, 100, true);
	add_pt(w, 0x101, 150, 30);
	add_rrti(w, true, 0x101, 0x10, VITK_SCSI_COPY_DONE, 30, true);
	add_wut_keep(w, 0x1100, 0, 700, 100, 50, 100);
	add_rrti(w, false, 0x1100, 0x11, VITK_SCSI_COPY_DONE, 100, false);
	add_wut_keep(w, 0x1101, 0, 800, 30, 150, 30);
	add_rrti(w, false, 0x1101, 0x11, VITK_SCSI_COPY_DONE, 30, false);
	arm(w);
	o.inactivity_timeout_s = 3601; /* the fake's maximum is 3600 s: refused, nothing sent */
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_token_create(&res, w->s, 50, 130, path, &o), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message,
			    "inactivity timeout 3601 s exceeds the maximum 3600 s of 'fake-src'");
	assert_int_equal(w->src.nlog, 0);
	o.inactivity_timeout_s = 0;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_token_create(&res, w->s, 50, 130, path, &o), 0);
	assert_int_equal(vitk_odx_token_file_read(&l, path), 0);
	assert_int_equal(l->count, 2);
	assert_int_equal(l->items[0].bytes, 100 * BS);
	assert_int_equal(l->items[1].bytes, 30 * BS);
	assert_int_equal(l->items[0].parsed.cm_token_id, 0xC0FFEE);
	vitk_odx_token_list_free(l);
	/* create refuses to overwrite an existing file */
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_token_create(&res, w->s, 50, 130, path, &o), VITK_EINVAL);
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_token_write(&res, w->d, path, 700, &o), 0);
	assert_scripts_done(w);
	assert_int_equal(res.offload_blocks, 130);
	assert_copied(w, 50, 700, 130);
	/* writing past the capacity is refused */
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_token_write(&res, w->d, path, NBLK - 100, &o), VITK_ERANGE);
	unlink(path);
	/* garbage token file */
	{
		uint8_t junk[520] = { 1, 2, 3 };
		assert_int_equal(vitk_odx_token_list_parse(&l, junk, sizeof(junk)), VITK_EINVAL);
		assert_non_null(strstr(vitk_error_last()->message, "token file: record 0"));
		assert_int_equal(vitk_odx_token_list_parse(&l, junk, 100), VITK_EINVAL);
	}
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__garbage_vpd_names_device(void **state)
{
	struct world *w = *state;
	vitk_odx_dev *d = NULL;

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	vitk_put_be16(w->src.vpd8f + 6, 0x0100); /* ROD limits descriptor length past the page */
	assert_int_equal(vitk_odx_dev_open_with_transport(&d, &w->src.t, "bad-array", NULL, NULL),
			 VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message,
			    "bad-array: VPD page 0x8f: descriptor 0x0000 at byte 4 has length 256 past "
			    "the page end");
	assert_null(d);
}

static int progress_calls;
static void on_progress(const vitk_odx_progress *p, void *payload)
{
	(void)payload;
	assert_true(p->done_bytes <= p->total_bytes);
	progress_calls++;
}

static uint64_t chunk_marks[16];
static size_t nchunk;
static int on_chunk(uint64_t done, vitk_odx_method m, void *payload)
{
	(void)payload;
	assert_int_equal(m, VITK_ODX_METHOD_HOST);
	if (nchunk < 16)
		chunk_marks[nchunk++] = done;
	return done >= 128 ? VITK_EBUSY : 0; /* simulate an interruption */
}

static void test_odx_engine__host_progress_and_interrupt(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };

	open_both(w, NULL, NULL);
	o.count = 256;
	o.dst_lba = 4096;
	o.host_buffer_bytes = 64 * BS;
	o.progress = on_progress;
	o.on_chunk = on_chunk;
	progress_calls = 0;
	nchunk = 0;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), VITK_EBUSY);
	assert_int_equal(nchunk, 2);
	assert_int_equal(chunk_marks[0], 64);
	assert_int_equal(chunk_marks[1], 128);
	assert_int_equal(progress_calls, 2);
	assert_int_equal(res.bytes, 128 * BS);
	assert_copied(w, 0, 4096, 128);
	/* the block after the interruption point is untouched */
	assert_int_equal(w->dst.disk[(4096 + 128) * BS], fake_scsi_pattern(&w->dst, 4096 + 128, 0));
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__streams_host_copy_and_verify(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };

	/* extra sessions (as over iSCSI): 1000 blocks in 64-block chunks on 4 streams */
	open_both(w, "cm", "cm");
	vitk_odx_dev_set_session_opener(w->s, fake_scsi_session_open, fake_scsi_session_close, &w->src);
	vitk_odx_dev_set_session_opener(w->d, fake_scsi_session_open, fake_scsi_session_close, &w->dst);
	o.count = 1000;
	o.src_lba = 3;
	o.dst_lba = 2001;
	o.host_buffer_bytes = 64 * BS;
	o.host_streams = 4;
	o.verify = true;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), 0);
	assert_int_equal(res.host_blocks, 1000);
	assert_int_equal(res.host_bytes_in, 1000 * BS);
	assert_int_equal(res.host_bytes_out, 1000 * BS);
	assert_int_equal(res.commands, 2 * 16);
	assert_true(res.verified);
	assert_int_equal(res.verify_bytes, 2 * 1000 * BS);
	/* the main sessions moved no data: the streams did */
	assert_int_equal(w->src.reads + w->dst.writes, 0);
	assert_copied(w, 3, 2001, 1000);
	vitk_odx_copy_result_clear(&res);
}

static uint64_t last_chunk_done;
static bool chunk_went_back;
/* runs on the engine's worker threads (serialised by the engine): no cmocka asserts here */
static int record_chunk(uint64_t done, vitk_odx_method m, void *payload)
{
	(void)m;
	(void)payload;
	if (done < last_chunk_done)
		chunk_went_back = true;
	last_chunk_done = done;
	return 0;
}

static void test_odx_engine__streams_read_error_keeps_resume_point(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };

	w->src.bad_lba = 3 + 700; /* inside the 11th 64-block chunk (640..703) */
	open_both(w, "cm", "cm");
	vitk_odx_dev_set_session_opener(w->s, fake_scsi_session_open, fake_scsi_session_close, &w->src);
	vitk_odx_dev_set_session_opener(w->d, fake_scsi_session_open, fake_scsi_session_close, &w->dst);
	o.count = 1000;
	o.src_lba = 3;
	o.dst_lba = 2001;
	o.host_buffer_bytes = 64 * BS;
	o.host_streams = 4;
	o.on_chunk = record_chunk;
	last_chunk_done = 0;
	chunk_went_back = false;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), VITK_ESCSI);
	assert_false(chunk_went_back);
	assert_non_null(strstr(vitk_error_last()->message, "unrecovered read error"));
	/* progress (and so a resume point) never passes the chunk that failed */
	assert_true(res.host_blocks <= 640);
	assert_int_equal(res.host_blocks % 64, 0);
	assert_int_equal(last_chunk_done, res.host_blocks);
	/* everything before the resume point is there (chunks after it may be too:
	 * other streams keep going until they see the error, inside the range) */
	assert_memory_equal(w->dst.disk + 2001 * BS, w->src.disk + 3 * BS, res.host_blocks * BS);
	assert_int_equal(w->dst.disk[2000 * BS], fake_scsi_pattern(&w->dst, 2000, 0));
	assert_int_equal(w->dst.disk[3001 * BS], fake_scsi_pattern(&w->dst, 3001, 0));
	vitk_odx_copy_result_clear(&res);
}

static void test_odx_engine__streams_verify_finds_first_difference(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res = { 0 };

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 65536, 0, 16u << 20, 1);
	open_both(w, "cm", "cm");
	vitk_odx_dev_set_session_opener(w->s, fake_scsi_session_open, fake_scsi_session_close, &w->src);
	vitk_odx_dev_set_session_opener(w->d, fake_scsi_session_open, fake_scsi_session_close, &w->dst);
	/* the array says 600 blocks were written but wrote only 300 */
	add_pt(w, 0x100, 0, 600);
	add_rrti(w, true, 0x100, 0x10, VITK_SCSI_COPY_DONE, 600, true);
	add_wut(w, 0x101, 0, 1000, 600, 0, 300);
	add_rrti(w, false, 0x101, 0x11, VITK_SCSI_COPY_DONE, 600, false);
	arm(w);
	o.count = 600;
	o.dst_lba = 1000;
	o.host_buffer_bytes = 64 * BS;
	o.verify = true;
	vitk_odx_copy_result_clear(&res);
	assert_int_equal(vitk_odx_copy(&res, NULL, w->s, w->d, &o), VITK_ERROR);
	assert_scripts_done(w);
	assert_string_equal(vitk_error_last()->message,
			    "verify: 'fake-dst' block 1300 differs from 'fake-src' block 300");
	assert_false(res.verified);
	vitk_odx_copy_result_clear(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_odx_engine__token_pt_rrti_wut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__token_split_exact_lbas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__token_wut_split_by_optimal_transfer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__token_one_rod_many_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__token_table_full_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__wut_without_rrti_is_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__token_partial_transfer_continues_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__token_expired_falls_back_to_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__lid_busy_unit_attention_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__stuck_operation_aborted_then_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__malformed_sense_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__garbage_rrti_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__plan_reasons_no_3pc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__plan_reasons_capabilities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__safety_refusals_send_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__block_size_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__xcopy_split_exact_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__xcopy_unreachable_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__verify_detects_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__resume_starts_at_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__zero_token_then_write_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__token_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__garbage_vpd_names_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__host_progress_and_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__streams_host_copy_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__streams_verify_finds_first_difference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_engine__streams_read_error_keeps_resume_point, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
