/* SPDX-License-Identifier: MIT */
/*
 * The copy manager: EXTENDED COPY(LID1), POPULATE TOKEN, WRITE USING TOKEN,
 * COPY OPERATION ABORT (THIRD PARTY COPY OUT, 83h) and RECEIVE COPY
 * STATUS / OPERATING PARAMETERS / FAILURE DETAILS / ROD TOKEN INFORMATION
 * (THIRD PARTY COPY IN, 84h), plus VPD page 8Fh.
 *
 * Data never passes through this process: segments and token writes are
 * cloned (FICLONERANGE) or copied in the kernel between backing files
 * (lun__move, lun.c).
 *
 * Tokens are point in time either by revocation -- a write that overlaps a
 * token's source ranges revokes it (23h/06h) -- or, on LUNs with a snapshot
 * store (snap.c), by a copy of the ranges taken at POPULATE TOKEN time, which
 * later writes do not touch (ROD type 00800002h, docs/scsi-third-party-copy.md).
 * Copy-operation records are keyed by
 * (tgt_cmd.nexus, list id); an iSCSI layer that leaves nexus at 0 makes all
 * initiators share one list-id namespace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/common.h>

#include "dev_internal.h"

enum { TOK_VALID = 0, TOK_REVOKED, TOK_EXPIRED, TOK_DELETED, TOK_CANCELLED };

struct tpc_token {
	struct tpc_token *next;
	uint64_t id;
	uint64_t nexus; /* the I_T nexus that made it (its quota) */
	bool orphan;    /* that nexus is gone: first to be reclaimed */
	uint8_t bytes[VITK_SCSI_ROD_TOKEN_LEN];
	tgt_lun *lun;
	size_t nranges;
	tpc_range ranges[TPC_MAX_RANGES];
	uint64_t nblocks;
	uint32_t ito_s;
	uint64_t last_use_ns;
	int state;
	/* snapshot tokens (t->lun->snap): range i saved at snap_base + snap_at[i] */
	bool snap;       /* holds its region of the store */
	bool snap_ready; /* saved: writes to the source ranges no longer matter */
	uint64_t snap_base;
	uint64_t snap_at[TPC_MAX_RANGES];
};

/* what a POPULATE TOKEN saves into its snapshot region, outside the lock */
struct snap_plan {
	tgt_snap *store;
	uint64_t id, base;
	size_t n;
	tpc_range r[TPC_MAX_RANGES];
	uint64_t at[TPC_MAX_RANGES];
};

struct tpc_op {
	struct tpc_op *next;
	uint64_t seq;
	uint32_t list_id;
	uint64_t nexus; /* list ids are per I_T nexus (tgt_cmd.nexus) */
	unsigned lun;
	uint8_t sa; /* originating service action */
	uint8_t state;
	uint64_t transfer_count; /* bytes (XCOPY) or destination blocks (PT/WUT) */
	uint8_t units;           /* 00h bytes, F1h logical blocks */
	uint16_t segments;
	uint8_t cmd_status;
	uint8_t sense[18];
	size_t sense_len;
	bool has_token;
	uint8_t token[VITK_SCSI_ROD_TOKEN_LEN];
	/* background WRITE USING TOKEN */
	bool abort_req;
	bool has_thread;
	pthread_t thread;
	struct wut_job *job;
};

#define TPC_MAX_OPS 64

/* ---- helpers ---- */

static void sense_of(tgt_cmd *cmd, const tpc_sense *s)
{
	if (s->key == VITK_SCSI_KEY_ILLEGAL_REQUEST && s->field >= 0)
		sense__field(cmd, s->asc, s->asc == VITK_SCSI_ASC_INVALID_FIELD_IN_CDB, (uint16_t)s->field,
				 -1);
	else
		sense__set(cmd, s->key, s->asc);
}

static uint64_t max_token_blocks(const tgt_lun *l)
{
	return TPC_MAX_TOKEN_BLOCKS_BYTES >> l->bs_shift;
}

static uint32_t max_segment_len(const tgt_device *d)
{
	uint64_t cap = d->opts.max_bytes_per_command;

	return cap && cap < TPC_MAX_SEGMENT_LEN ? (uint32_t)cap : TPC_MAX_SEGMENT_LEN;
}

static bool ranges_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return an && bn && a < b + bn && b < a + an;
}

/* block device range descriptors of one list may not overlap (SBC) */
static bool ranges_disjoint(const tpc_range *r, size_t n)
{
	size_t i, j;

	for (i = 0; i + 1 < n; i++)
		for (j = i + 1; j < n; j++)
			if (ranges_overlap(r[i].lba, r[i].nblocks, r[j].lba, r[j].nblocks))
				return false;
	return true;
}

/*
 * The CDB's parameter list length against the Data-Out received.  False when
 * the command ends here: a length of 0 asks for nothing (SPC-4, not an
 * error), a short Data-Out is a PARAMETER LIST LENGTH ERROR.
 */
static bool param_list_ready(tgt_cmd *cmd, size_t plen)
{
	if (plen == 0)
		return false;
	if (cmd->dout_len < plen) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
		return false;
	}
	return true;
}

/*
 * Block device range descriptors of a POPULATE TOKEN / WRITE USING TOKEN
 * list that starts at byte @list_off of the parameter list: each inside the
 * LUN, no two overlapping, at most a token's worth in all (*@total blocks).
 * False with the sense set otherwise (SBC-4, POPULATE TOKEN).
 */
static bool ranges_ok(tgt_cmd *cmd, const tgt_lun *l, const tpc_range *r, size_t n,
		      uint16_t list_off, uint64_t *total)
{
	size_t i;

	*total = 0;
	for (i = 0; i < n; i++) {
		if (r[i].lba > l->nblocks || r[i].nblocks > l->nblocks - r[i].lba) {
			sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_LBA_OUT_OF_RANGE);
			return false;
		}
		*total += r[i].nblocks;
	}
	if (!ranges_disjoint(r, n)) {
		sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, list_off, -1);
		return false;
	}
	if (*total > max_token_blocks(l)) {
		/* BLOCK DEVICE RANGE DESCRIPTOR LENGTH, just before the list */
		sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false,
			     (uint16_t)(list_off - 2), -1);
		return false;
	}
	return true;
}

/* ---- operation records (dev->lock held) ---- */

static struct tpc_op *op_find(tgt_device *d, uint64_t nexus, uint32_t list_id)
{
	struct tpc_op *o = NULL;

	for (o = d->ops; o; o = o->next)
		if (o->list_id == list_id && o->nexus == nexus)
			return o;
	return NULL;
}

static bool op_running(const struct tpc_op *o)
{
	return o && o->state >= VITK_SCSI_COPY_IN_PROGRESS_UNKNOWN &&
	       o->state <= VITK_SCSI_COPY_IN_PROGRESS_BG;
}

static void op_unlink_free(tgt_device *d, struct tpc_op *victim)
{
	struct tpc_op **pp;

	for (pp = &d->ops; *pp; pp = &(*pp)->next) {
		if (*pp == victim) {
			*pp = victim->next;
			break;
		}
	}
	if (victim->has_thread)
		pthread_join(victim->thread, NULL);
	free(victim->job);
	free(victim);
}

/* a fresh record for @list_id, replacing a finished one; NULL if busy/no memory */
static struct tpc_op *op_new(tgt_device *d, uint64_t nexus, uint32_t list_id, unsigned lun,
			     uint8_t sa)
{
	struct tpc_op *o = op_find(d, nexus, list_id), *it, *oldest = NULL;
	size_t n = 0;

	if (o)
		op_unlink_free(d, o);
	for (it = d->ops; it; it = it->next) {
		n++;
		if (!op_running(it) && (!oldest || it->seq < oldest->seq))
			oldest = it;
	}
	if (n >= TPC_MAX_OPS && oldest)
		op_unlink_free(d, oldest);
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->seq = ++d->op_seq;
	o->list_id = list_id;
	o->nexus = nexus;
	o->lun = lun;
	o->sa = sa;
	o->state = VITK_SCSI_COPY_IN_PROGRESS_FG;
	o->next = d->ops;
	d->ops = o;
	return o;
}

static void op_finish(struct tpc_op *o, const tgt_cmd *cmd, uint8_t ok_state)
{
	o->cmd_status = cmd->status;
	o->sense_len = cmd->sense_len > sizeof(o->sense) ? sizeof(o->sense) : cmd->sense_len;
	memcpy(o->sense, cmd->sense, o->sense_len);
	o->state = cmd->status == 0 ? ok_state : (ok_state == VITK_SCSI_COPY_DONE ? VITK_SCSI_COPY_DONE_ERRORS : ok_state);
}

/* ---- tokens (dev->lock held) ---- */

/* the token stops being usable; its snapshot region is let go */
static void token_kill(struct tpc_token *t, int state)
{
	t->state = state;
	if (t->snap) {
		snap__put(t->lun->snap, t->snap_base);
		t->snap = false;
	}
}

static void token_expire_check(tgt_device *d, struct tpc_token *t, uint64_t now)
{
	(void)d;
	if (t->state == TOK_VALID && now - t->last_use_ns > (uint64_t)t->ito_s * 1000000000ull) {
		token_kill(t, TOK_EXPIRED);
		t->lun->stats.tokens_expired++;
	}
}

static struct tpc_token *token_find(tgt_device *d, uint64_t id)
{
	struct tpc_token *t = NULL;

	for (t = d->tokens; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

static size_t tokens_valid(tgt_device *d, uint64_t now)
{
	struct tpc_token *t = NULL;
	size_t n = 0;

	for (t = d->tokens; t; t = t->next) {
		token_expire_check(d, t, now);
		if (t->state == TOK_VALID)
			n++;
	}
	return n;
}

static uint32_t nexus_quota(const tgt_device *d)
{
	return d->opts.tokens_per_nexus ? d->opts.tokens_per_nexus : TPC_TOKENS_PER_NEXUS;
}

/* cancel the oldest live token whose session is gone; false if there is none */
static bool token_reclaim_orphan(tgt_device *d)
{
	struct tpc_token *t, *oldest = NULL;

	for (t = d->tokens; t; t = t->next)
		if (t->state == TOK_VALID && t->orphan && (!oldest || t->id < oldest->id))
			oldest = t;
	if (oldest)
		token_kill(oldest, TOK_CANCELLED);
	return oldest != NULL;
}

/*
 * Room for one more token of @nexus: under the nexus' quota, and a free slot
 * in the table (reclaimed from a gone session when needed).  One session
 * cannot fill the table for everyone (issue 10, token table fairness).
 */
static bool token_room(tgt_device *d, uint64_t nexus, uint64_t now)
{
	struct tpc_token *t;
	size_t mine = 0;

	for (t = d->tokens; t; t = t->next)
		if (t->state == TOK_VALID && !t->orphan && t->nexus == nexus)
			mine++;
	if (mine >= nexus_quota(d))
		return false;
	return tokens_valid(d, now) < TPC_MAX_TOKENS || token_reclaim_orphan(d);
}

/* the session @nexus ended: its live tokens stay usable but count for nobody */
static void tokens_orphan(tgt_device *d, uint64_t nexus)
{
	struct tpc_token *t;

	for (t = d->tokens; t; t = t->next)
		if (t->nexus == nexus)
			t->orphan = true;
}

/* drop the oldest dead tokens once the list holds more than 2 * TPC_MAX_TOKENS */
static void tokens_trim(tgt_device *d)
{
	struct tpc_token **pp, *t;
	size_t n = 0;

	for (t = d->tokens; t; t = t->next)
		n++;
	if (n <= 2 * TPC_MAX_TOKENS)
		return;
	/* list is newest-first: free dead tokens past the first TPC_MAX_TOKENS entries */
	n = 0;
	pp = &d->tokens;
	while (*pp) {
		t = *pp;
		if (++n > TPC_MAX_TOKENS && t->state != TOK_VALID) {
			*pp = t->next;
			free(t);
			d->ntokens--;
			continue;
		}
		pp = &t->next;
	}
}

void tpc__revoke_overlap(tgt_device *d, const tgt_lun *l, uint64_t lba, uint64_t n)
{
	struct tpc_token *t = NULL;
	size_t i;

	pthread_mutex_lock(&d->lock);
	for (t = d->tokens; t; t = t->next) {
		if (t->state != TOK_VALID || t->lun != l || t->snap_ready)
			continue; /* a saved snapshot does not care */
		for (i = 0; i < t->nranges; i++) {
			if (ranges_overlap(t->ranges[i].lba, t->ranges[i].nblocks, lba, n)) {
				token_kill(t, TOK_REVOKED);
				break;
			}
		}
	}
	pthread_mutex_unlock(&d->lock);
}

static void cscd_for_lun(uint8_t *c, const tgt_lun *l)
{
	memset(c, 0, 32);
	c[0] = VITK_SCSI_CSCD_IDENTIFICATION;
	c[1] = 0x00; /* LU ID TYPE 0, disk */
	lun__naa_designator(c + 4, l);
	vitk_put_be24(c + 29, l->bs);
}

static void token_build(tgt_device *d, struct tpc_token *t)
{
	uint8_t *b = t->bytes;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	memset(b, 0, VITK_SCSI_ROD_TOKEN_LEN);
	/* the default point-in-time type resolves to persistent on snapshot LUNs */
	vitk_put_be32(b, t->snap ? VITK_SCSI_ROD_TYPE_PIT_PERSISTENT : VITK_SCSI_ROD_TYPE_PIT_DEFAULT);
	vitk_put_be16(b + 6, VITK_SCSI_ROD_TOKEN_LENGTH_FIELD);
	vitk_put_be64(b + 8, t->id);
	cscd_for_lun(b + 16, t->lun);
	vitk_put_be64(b + 56, t->nblocks << t->lun->bs_shift); /* low half of the 16-byte count */
	vitk_put_be32(b + 96, t->lun->bs);
	lun__naa_designator(b + 128, t->lun);
	/* an unguessable tag: FNV over the per-process secret, id and ranges */
	for (i = 0; i < sizeof(d->token_secret); i++) {
		h ^= d->token_secret[i];
		h *= 0x100000001b3ULL;
	}
	for (i = 0; i < 8; i++) {
		h ^= (uint8_t)(t->id >> (8 * i));
		h *= 0x100000001b3ULL;
	}
	for (i = 0; i < t->nranges; i++) {
		h ^= t->ranges[i].lba * 31 + t->ranges[i].nblocks;
		h *= 0x100000001b3ULL;
	}
	for (i = 0; i < 4; i++) {
		h ^= h >> 29;
		h *= 0xbf58476d1ce4e5b9ULL;
		vitk_put_be64(b + 160 + 8 * i, h);
	}
}

/* ---- VPD 0x8F and RCOP ---- */

/*
 * 0108h supported ROD types, 64-byte descriptors in ascending type order.
 * A snapshot LUN also names "point in time copy - persistent": its tokens
 * survive writes to their source ranges.
 */
static size_t vpd_rod_types(const tgt_lun *l, uint8_t *b, size_t n)
{
	size_t nd = 0, k = n + 8;

	vitk_put_be16(b + n, VITK_SCSI_TPC_ROD_TYPES);
	vitk_put_be32(b + k + 64 * nd, VITK_SCSI_ROD_TYPE_PIT_DEFAULT);
	b[k + 64 * nd++ + 4] = 0x03; /* TOKEN_IN, TOKEN_OUT */
	if (l->snap) {
		vitk_put_be32(b + k + 64 * nd, VITK_SCSI_ROD_TYPE_PIT_PERSISTENT);
		b[k + 64 * nd++ + 4] = 0x03;
	}
	vitk_put_be32(b + k + 64 * nd, VITK_SCSI_ROD_TYPE_ZERO);
	b[k + 64 * nd++ + 4] = 0x02; /* TOKEN_IN only */
	vitk_put_be16(b + n + 2, (uint16_t)(4 + 64 * nd));
	vitk_put_be16(b + n + 6, (uint16_t)(64 * nd));
	return k + 64 * nd;
}

size_t tpc__vpd_8f(const tgt_device *d, const tgt_lun *l, uint8_t *b, size_t cap)
{
	size_t n = 4, start;
	uint64_t opt = d->opts.max_bytes_per_command ? d->opts.max_bytes_per_command
						     : TPC_OPTIMAL_TRANSFER_BYTES;

	if (cap < 512)
		return 0;
	memset(b, 0, 512);
	b[1] = VITK_SCSI_VPD_THIRD_PARTY_COPY;

	/* 0000h block device ROD token limits first: the descriptor Windows reads */
	vitk_put_be16(b + n, VITK_SCSI_TPC_ROD_LIMITS);
	vitk_put_be16(b + n + 2, 0x20);
	vitk_put_be16(b + n + 10, TPC_MAX_RANGES);
	vitk_put_be32(b + n + 12, d->ito_max);
	vitk_put_be32(b + n + 16, d->ito_default);
	vitk_put_be64(b + n + 20, max_token_blocks(l));
	vitk_put_be64(b + n + 28, opt >> l->bs_shift ? opt >> l->bs_shift : 1);
	n += 36;

	/* 0001h supported commands */
	start = n;
	vitk_put_be16(b + n, VITK_SCSI_TPC_SUPPORTED_CMDS);
	n += 5;
	b[n++] = VITK_SCSI_OP_3PC_OUT;
	b[n++] = 4;
	b[n++] = VITK_SCSI_SA_XCOPY_LID1;
	b[n++] = VITK_SCSI_SA_POPULATE_TOKEN;
	b[n++] = VITK_SCSI_SA_WRITE_USING_TOKEN;
	b[n++] = VITK_SCSI_SA_COPY_OPERATION_ABORT;
	b[n++] = VITK_SCSI_OP_3PC_IN;
	b[n++] = 5;
	b[n++] = VITK_SCSI_SA_RCS_LID1;
	b[n++] = VITK_SCSI_SA_RCOP;
	b[n++] = VITK_SCSI_SA_RCFD_LID1;
	b[n++] = VITK_SCSI_SA_RCS_LID4;
	b[n++] = VITK_SCSI_SA_RRTI;
	b[start + 4] = (uint8_t)(n - start - 5); /* commands supported list length */
	n = start + ((n - start + 3) & ~(size_t)3);
	vitk_put_be16(b + start + 2, (uint16_t)(n - start - 4));

	/* 0004h parameter data */
	vitk_put_be16(b + n, VITK_SCSI_TPC_PARAM_DATA);
	vitk_put_be16(b + n + 2, 0x1c);
	vitk_put_be16(b + n + 8, TPC_MAX_CSCD);
	vitk_put_be16(b + n + 10, TPC_MAX_SEGMENTS);
	vitk_put_be32(b + n + 12, TPC_MAX_DESC_LIST_LEN);
	vitk_put_be32(b + n + 16, 0); /* max inline data length */
	n += 32;

	/* 0008h supported descriptors */
	vitk_put_be16(b + n, VITK_SCSI_TPC_SUPPORTED_DESCS);
	vitk_put_be16(b + n + 2, 4);
	b[n + 4] = 3;
	b[n + 5] = VITK_SCSI_SEG_BLOCK_TO_BLOCK;
	b[n + 6] = VITK_SCSI_SEG_BLOCK_TO_BLOCK_OFFSET;
	b[n + 7] = VITK_SCSI_CSCD_IDENTIFICATION;
	n += 8;

	/* 000Ch supported CSCD descriptor IDs: none (only E4h descriptors) */
	vitk_put_be16(b + n, VITK_SCSI_TPC_CSCD_IDS);
	vitk_put_be16(b + n + 2, 4);
	n += 8;

	/* 0106h ROD token features */
	vitk_put_be16(b + n, VITK_SCSI_TPC_ROD_FEATURES);
	vitk_put_be16(b + n + 2, 48 - 4 + 4 + VITK_SCSI_TPC_BLOCK_ROD_FEATURES_LEN);
	b[n + 4] = 0x00; /* remote tokens: none */
	vitk_put_be32(b + n + 16, 1);
	vitk_put_be32(b + n + 20, d->ito_max);
	vitk_put_be32(b + n + 24, d->ito_max);
	vitk_put_be16(b + n + 46, 4 + VITK_SCSI_TPC_BLOCK_ROD_FEATURES_LEN);
	{
		uint8_t *dd = b + n + 48;

		/* block ROD device type specific features descriptor (SPC-4
		 * 7.8.17.8.2): format 000b, peripheral device type 00h, and a
		 * DESCRIPTOR LENGTH of 002Ch (issue 17: it used to be left 0) */
		dd[0] = 0x00;
		vitk_put_be16(dd + 2, VITK_SCSI_TPC_BLOCK_ROD_FEATURES_LEN);
		vitk_put_be16(dd + 6, 1); /* optimal block ROD length granularity */
		vitk_put_be64(dd + 8, TPC_MAX_TOKEN_BLOCKS_BYTES);
		vitk_put_be64(dd + 16, opt);
		vitk_put_be64(dd + 24, opt);
		vitk_put_be64(dd + 32, opt);
	}
	n += 48 + 48;

	/* 0108h supported ROD types */
	n = vpd_rod_types(l, b, n);

	/* 8001h general copy operations */
	vitk_put_be16(b + n, VITK_SCSI_TPC_GENERAL_COPY_OPS);
	vitk_put_be16(b + n + 2, 0x20);
	vitk_put_be32(b + n + 4, TPC_MAX_OPS);
	vitk_put_be32(b + n + 8, TPC_MAX_OPS);
	vitk_put_be32(b + n + 12, max_segment_len(d));
	b[n + 16] = 0; /* data segment granularity 2^0 */
	b[n + 17] = 0;
	n += 36;

	vitk_put_be16(b + 2, (uint16_t)(n - 4));
	return n;
}

void tpc__rcop(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint8_t b[64];
	size_t n = 47;

	(void)l;
	memset(b, 0, sizeof(b));
	vitk_put_be32(b, (uint32_t)(n - 4));
	b[4] = 0x01; /* SNLID: list ids are per I_T nexus-agnostic here, held on request */
	vitk_put_be16(b + 8, TPC_MAX_CSCD);
	vitk_put_be16(b + 10, TPC_MAX_SEGMENTS);
	vitk_put_be32(b + 12, TPC_MAX_DESC_LIST_LEN);
	vitk_put_be32(b + 16, max_segment_len(d));
	vitk_put_be32(b + 20, 0); /* max inline data */
	vitk_put_be32(b + 24, 0); /* held data limit */
	vitk_put_be32(b + 28, 0); /* max stream device transfer */
	vitk_put_be16(b + 34, TPC_MAX_OPS);
	b[36] = TPC_MAX_OPS;
	b[37] = 0; /* data segment granularity: 1 byte */
	b[38] = 0;
	b[39] = 0;
	b[43] = 3;
	b[44] = VITK_SCSI_SEG_BLOCK_TO_BLOCK;
	b[45] = VITK_SCSI_SEG_BLOCK_TO_BLOCK_OFFSET;
	b[46] = VITK_SCSI_CSCD_IDENTIFICATION;
	sense__put_din(cmd, b, n, vitk_get_be32(cmd->cdb + 10));
}

/* ---- EXTENDED COPY(LID1) ---- */

/*
 * The LUN a CSCD names, among the LUNs @initiator may see: a masked LUN is
 * as unreachable as one that does not exist (the copy manager must not be a
 * way around LUN masking; CVE-2020-28374 was LIO's XCOPY missing this).
 */
static tgt_lun *resolve_cscd(tgt_device *d, const tpc_cscd *c, const char *initiator,
			     tpc_sense *err)
{
	size_t i;

	if (c->nul) {
		err->key = VITK_SCSI_KEY_COPY_ABORTED;
		err->asc = VITK_SCSI_ASC_COPY_TARGET_UNREACHABLE;
		return NULL;
	}
	if (c->pdt != 0) {
		err->key = VITK_SCSI_KEY_COPY_ABORTED;
		err->asc = VITK_SCSI_ASC_COPY_TARGET_BAD_TYPE;
		return NULL;
	}
	for (i = 0; i < d->luns.size; i++) {
		tgt_lun *l = d->luns.ptr[i];

		if (!lun__visible(l, initiator))
			continue;
		if (c->assoc == 0 && c->desig_type == VITK_SCSI_DESIG_NAA && c->desig_len == 16 &&
		    memcmp(c->desig, l->naa, 16) == 0)
			return l;
		/* the T10 vendor id designator is accepted too (QEMU prefers NAA) */
		if (c->assoc == 0 && c->desig_type == VITK_SCSI_DESIG_T10 && c->desig_len > 8 &&
		    c->desig_len == 8 + 7 + strlen(l->serial) &&
		    memcmp(c->desig, "VITK    ODXLAB-", 15) == 0 &&
		    memcmp(c->desig + 15, l->serial, strlen(l->serial)) == 0)
			return l;
	}
	err->key = VITK_SCSI_KEY_COPY_ABORTED;
	err->asc = VITK_SCSI_ASC_COPY_TARGET_UNREACHABLE;
	return NULL;
}

/*
 * A run of segments that continue each other (same LUNs, contiguous source
 * and destination bytes): moved as one range, so the filesystem can share
 * whole blocks although 02h segments end at 65535 blocks (SPC-4 6.4.6.3),
 * which is not a multiple of the 4 KiB filesystem block with 512-byte LBAs.
 */
struct xrun {
	tgt_lun *s, *t;
	uint64_t so, to, len;
};

static void stats_moved(tgt_lun *l, uint64_t bytes, const lun_moved *m)
{
	l->stats.bytes_copied_internal += bytes;
	l->stats.bytes_cloned += m->cloned;
	l->stats.bytes_copied += m->copied;
	l->stats.bytes_zeroed += m->zeroed;
}

enum { SEG_OK, SEG_UNDERRUN, SEG_OVERRUN };

/* the byte extents of a segment, or why it is out of range */
static int seg_extent(const tpc_seg *g, tgt_lun *s, tgt_lun *t, struct xrun *e)
{
	uint64_t so, to, bytes;

	if (g->type == VITK_SCSI_SEG_BLOCK_TO_BLOCK) {
		bytes = (uint64_t)g->count * (g->dc ? t->bs : s->bs);
		so = g->src_lba << s->bs_shift;
		to = g->dst_lba << t->bs_shift;
	} else {
		bytes = g->count;
		so = (g->src_lba << s->bs_shift) + g->src_off;
		to = (g->dst_lba << t->bs_shift) + g->dst_off;
	}
	if (g->src_lba > s->nblocks || g->dst_lba > t->nblocks || so > s->size ||
	    bytes > s->size - so)
		return SEG_UNDERRUN;
	if (to > t->size || bytes > t->size - to)
		return SEG_OVERRUN;
	e->s = s;
	e->t = t;
	e->so = so;
	e->to = to;
	e->len = bytes;
	return SEG_OK;
}

static void seg_sense(tgt_cmd *cmd, int why, size_t i)
{
	if (why == SEG_UNDERRUN) {
		sense__set(cmd, VITK_SCSI_KEY_COPY_ABORTED, VITK_SCSI_ASC_COPY_TARGET_UNDERRUN);
		return;
	}
	/*
	 * Writing past the destination's capacity.  libiscsi 1.19
	 * (ValidSegDescr) accepts only COPY ABORTED with no additional sense,
	 * 08h/04h or 0Dh/02h here, so 0Dh/05h (overrun) cannot be used; the
	 * INFORMATION field carries the failing segment.
	 */
	sense__info(cmd, VITK_SCSI_KEY_COPY_ABORTED, VITK_SCSI_ASC_NO_ADDITIONAL_SENSE, i);
}

static bool run_joins(const struct xrun *run, const struct xrun *e)
{
	if (!run->len || run->s != e->s || run->t != e->t || e->so != run->so + run->len ||
	    e->to != run->to + run->len || run->len + e->len > (1ull << 30))
		return false;
	/* within one LUN, only when the joined ranges do not overlap */
	return run->s != run->t ||
	       !ranges_overlap(run->so, run->len + e->len, run->to, run->len + e->len);
}

/* the most a copy moves between two cancellation points */
#define TPC_CHUNK_BYTES (64ull << 20)

/*
 * ABORT TASK of the foreground command @cmd (its abort_req, stored by
 * another thread): checked before each chunk a copy moves.  True when it
 * stops here; abort_req then says 2 (the caller sends no response).
 */
static bool cancel_point(tgt_device *d, tgt_cmd *cmd)
{
	if (d->chunk_hook)
		d->chunk_hook(d->chunk_hook_arg);
	if (!cmd || __atomic_load_n(&cmd->abort_req, __ATOMIC_ACQUIRE) == 0)
		return false;
	__atomic_store_n(&cmd->abort_req, 2, __ATOMIC_RELEASE);
	return true;
}

enum { RUN_OK, RUN_FAILED, RUN_ABORTED };

/*
 * Move a run in chunks of at most TPC_CHUNK_BYTES, with a cancellation point
 * before each; @nseg segments are then done.  RUN_FAILED and RUN_ABORTED
 * with the sense set; an aborted run has written the chunks before the
 * cancellation point only (all inside the run's destination range).
 */
static int run_flush(tgt_device *d, tgt_cmd *cmd, struct xrun *run, struct tpc_op *op,
		     size_t nseg, uint64_t *copied)
{
	tgt_lun *t = run->t;
	uint64_t done = 0;

	if (!run->len)
		return RUN_OK;
	while (done < run->len) {
		uint64_t n = run->len - done;
		lun_moved m = { 0, 0, 0 };

		if (n > TPC_CHUNK_BYTES)
			n = TPC_CHUNK_BYTES;
		if (cancel_point(d, cmd)) {
			sense__set(cmd, VITK_SCSI_KEY_COPY_ABORTED, VITK_SCSI_ASC_NO_ADDITIONAL_SENSE);
			run->len = 0;
			return RUN_ABORTED;
		}
		tpc__revoke_overlap(d, t, (run->to + done) >> t->bs_shift,
				    ((run->to + done + n + t->bs - 1) >> t->bs_shift) -
					    ((run->to + done) >> t->bs_shift));
		if (lun__copy_range(run->s, run->so + done, t, run->to + done, n, &m) < 0) {
			sense__set(cmd, VITK_SCSI_KEY_COPY_ABORTED, VITK_SCSI_ASC_3PC_DEVICE_FAILURE);
			return RUN_FAILED;
		}
		done += n;
		*copied += n;
		pthread_mutex_lock(&d->lock);
		stats_moved(t, n, &m);
		if (op)
			op->transfer_count = *copied;
		pthread_mutex_unlock(&d->lock);
	}
	pthread_mutex_lock(&d->lock);
	if (op)
		op->segments = (uint16_t)nseg;
	pthread_mutex_unlock(&d->lock);
	run->len = 0;
	return RUN_OK;
}

/* the segments in order, joined into runs; returns the bytes moved.
 * *@aborted: ABORT TASK stopped it at a cancellation point */
static uint64_t xcopy_run(tgt_device *d, tgt_cmd *cmd, const tpc_xcopy_list *x, tgt_lun **luns,
			  struct tpc_op *op, bool *aborted)
{
	struct xrun run = { NULL, NULL, 0, 0, 0 }, e;
	uint64_t copied = 0;
	size_t i;
	int r;

	for (i = 0; i < x->nseg; i++) {
		const tpc_seg *g = &x->seg[i];
		int why = seg_extent(g, luns[g->src], luns[g->dst], &e);

		if (why != SEG_OK) {
			/* the segments before this one are done first */
			r = run_flush(d, cmd, &run, op, i, &copied);
			if (r == RUN_OK)
				seg_sense(cmd, why, i);
			*aborted = r == RUN_ABORTED;
			return copied;
		}
		if (e.len == 0)
			continue;
		if (run_joins(&run, &e)) {
			run.len += e.len;
			continue;
		}
		r = run_flush(d, cmd, &run, op, i, &copied);
		if (r != RUN_OK) {
			*aborted = r == RUN_ABORTED;
			return copied;
		}
		run = e;
	}
	*aborted = run_flush(d, cmd, &run, op, x->nseg, &copied) == RUN_ABORTED;
	return copied;
}

void tpc__xcopy_lid1(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	size_t plen = vitk_get_be32(cmd->cdb + 10);
	size_t len = cmd->dout_len < plen ? cmd->dout_len : plen;
	tpc_xcopy_list *x = NULL;
	tgt_lun *luns[TPC_MAX_CSCD];
	struct tpc_op *op = NULL;
	tpc_sense err = { 0, 0, -1 };
	uint64_t copied = 0;
	bool aborted = false;
	size_t i;

	if (!param_list_ready(cmd, plen))
		return;
	x = malloc(sizeof(*x));
	if (!x) {
		sense__set(cmd, VITK_SCSI_KEY_HARDWARE_ERROR, VITK_SCSI_ASC_SYSTEM_RESOURCE_FAILURE);
		return;
	}
	if (tpc__parse_xcopy(cmd->dout, len, x, &err) < 0) {
		sense_of(cmd, &err);
		goto out;
	}
	for (i = 0; i < x->ncscd; i++) {
		luns[i] = resolve_cscd(d, &x->cscd[i], cmd->initiator, &err);
		if (!luns[i]) {
			sense_of(cmd, &err);
			goto out;
		}
		if (x->cscd[i].block_len && x->cscd[i].block_len != luns[i]->bs) {
			sense__set(cmd, VITK_SCSI_KEY_COPY_ABORTED, VITK_SCSI_ASC_COPY_TARGET_BAD_TYPE);
			goto out;
		}
	}
	for (i = 0; i < x->nseg; i++) {
		const tpc_seg *g = &x->seg[i];
		uint64_t bytes;

		if (g->src >= x->ncscd || g->dst >= x->ncscd) {
			/* an index with no CSCD names an unreachable copy target */
			sense__set(cmd, VITK_SCSI_KEY_COPY_ABORTED, VITK_SCSI_ASC_COPY_TARGET_UNREACHABLE);
			goto out;
		}
		if (luns[g->dst]->ro || __atomic_load_n(&luns[g->dst]->swp, __ATOMIC_RELAXED)) {
			sense__set(cmd, VITK_SCSI_KEY_DATA_PROTECT, VITK_SCSI_ASC_WRITE_PROTECTED);
			goto out;
		}
		if (pr__copy_conflict(luns[g->dst], cmd, true) ||
		    pr__copy_conflict(luns[g->src], cmd, false)) {
			cmd->status = VITK_SCSI_STATUS_RESERVATION_CONFLICT; /* SPC-4 5.13.1 */
			goto out;
		}
		bytes = g->type == VITK_SCSI_SEG_BLOCK_TO_BLOCK ? (uint64_t)g->count * (g->dc ? luns[g->dst]->bs
								       : luns[g->src]->bs)
					: g->count;
		if (bytes > max_segment_len(d)) {
			sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST);
			goto out;
		}
	}

	pthread_mutex_lock(&d->lock);
	if (x->list_id_usage != VITK_SCSI_LIST_ID_USAGE_NONE) {
		op = op_find(d, cmd->nexus, x->list_id);
		if (op_running(op)) {
			pthread_mutex_unlock(&d->lock);
			op = NULL;
			sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_OPERATION_IN_PROGRESS);
			goto out;
		}
		op = op_new(d, cmd->nexus, x->list_id, l->lun, VITK_SCSI_SA_XCOPY_LID1);
	}
	pthread_mutex_unlock(&d->lock);

	copied = xcopy_run(d, cmd, x, luns, op, &aborted);
	if (op) {
		pthread_mutex_lock(&d->lock);
		op->transfer_count = copied;
		op->units = VITK_SCSI_UNITS_BYTES;
		op_finish(op, cmd, VITK_SCSI_COPY_DONE);
		if (aborted)
			op->state = VITK_SCSI_COPY_TERMINATED;
		pthread_mutex_unlock(&d->lock);
	}
out:
	free(x);
}

/*
 * Where each range of a snapshot token goes in its region: at the same
 * offset modulo SNAP_ALIGN as in the LUN, so that reflinking it is possible
 * (FICLONERANGE wants equal block alignment on both sides).  Returns the
 * region's length.
 */
static uint64_t snap_layout(struct tpc_token *t)
{
	uint64_t at = 0;
	size_t i;

	for (i = 0; i < t->nranges; i++) {
		uint64_t off = t->ranges[i].lba << t->lun->bs_shift;

		at = (at + SNAP_ALIGN - 1) / SNAP_ALIGN * SNAP_ALIGN + off % SNAP_ALIGN;
		t->snap_at[i] = at;
		at += (uint64_t)t->ranges[i].nblocks << t->lun->bs_shift;
	}
	return at;
}

/* a snapshot region for @t, held twice (token, filler); the plan to fill it */
static bool snap_begin(struct tpc_token *t, struct snap_plan *plan)
{
	uint64_t len = snap_layout(t);

	if (snap__reserve(t->lun->snap, len, &t->snap_base) < 0)
		return false;
	snap__hold(t->lun->snap, t->snap_base);
	t->snap = true;
	plan->store = t->lun->snap;
	plan->base = t->snap_base;
	plan->n = t->nranges;
	memcpy(plan->r, t->ranges, t->nranges * sizeof(t->ranges[0]));
	memcpy(plan->at, t->snap_at, t->nranges * sizeof(t->snap_at[0]));
	return true;
}

/*
 * Register @t (an op record for @list_id in progress, a token id, a
 * snapshot region on snapshot LUNs) under the lock.  False with the sense
 * set; @t still belongs to the caller then.
 */
static bool token_insert(tgt_device *d, tgt_cmd *cmd, struct tpc_token *t, uint32_t list_id,
			 struct tpc_op **opp, struct snap_plan *plan)
{
	struct tpc_op *op = NULL;
	tgt_lun *l = t->lun;
	bool ok = false;

	pthread_mutex_lock(&d->lock);
	op = op_find(d, cmd->nexus, list_id);
	if (op_running(op))
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_OPERATION_IN_PROGRESS);
	else if (!token_room(d, t->nexus, t->last_use_ns) || (l->snap && !snap_begin(t, plan)))
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_NO_RESOURCES_FOR_ROD_TOKEN);
	else if (!(op = op_new(d, cmd->nexus, list_id, l->lun, VITK_SCSI_SA_POPULATE_TOKEN)))
		sense__set(cmd, VITK_SCSI_KEY_HARDWARE_ERROR, VITK_SCSI_ASC_SYSTEM_RESOURCE_FAILURE);
	else
		ok = true;
	if (!ok && t->snap) {
		snap__put(l->snap, t->snap_base);
		snap__put(l->snap, t->snap_base);
		t->snap = false;
	}
	if (ok) {
		t->id = d->token_seq++;
		plan->id = t->id;
		token_build(d, t);
		t->next = d->tokens;
		d->tokens = t;
		d->ntokens++;
		l->stats.tokens_created++;
		*opp = op;
	}
	pthread_mutex_unlock(&d->lock);
	return ok;
}

/* save the token's ranges into its region (outside the lock); 0 or -errno */
static int snap_fill(tgt_device *d, tgt_lun *l, const struct snap_plan *plan)
{
	lun_file src = lun__file(l), dst = snap__file(l->snap);
	lun_moved m = { 0, 0, 0 };
	uint64_t bytes = 0;
	size_t i;
	int r = 0;

	for (i = 0; i < plan->n && r == 0; i++) {
		uint64_t len = (uint64_t)plan->r[i].nblocks << l->bs_shift;

		r = lun__move(&src, plan->r[i].lba << l->bs_shift, &dst, plan->base + plan->at[i],
			      len, &m);
		bytes += r == 0 ? len : 0;
	}
	pthread_mutex_lock(&d->lock);
	l->stats.bytes_token_snapshot += bytes;
	l->stats.bytes_cloned += m.cloned;
	l->stats.bytes_copied += m.copied;
	l->stats.bytes_zeroed += m.zeroed;
	pthread_mutex_unlock(&d->lock);
	return r;
}

/*
 * End the POPULATE TOKEN: a saved snapshot makes the token independent of
 * later writes (one that raced with the saving has revoked it already); the
 * op record gets the token.  @fill_r: the saving failed.
 */
static void token_publish(tgt_device *d, tgt_cmd *cmd, struct tpc_op *op,
			  const struct snap_plan *plan, bool partial, int fill_r)
{
	struct tpc_token *t = NULL;

	pthread_mutex_lock(&d->lock);
	t = token_find(d, plan->id);
	if (t && t->snap && fill_r < 0)
		token_kill(t, TOK_CANCELLED);
	else if (t && t->snap && t->state == TOK_VALID)
		t->snap_ready = true;
	if (plan->n)
		snap__put(plan->store, plan->base); /* the filler's hold */
	if (fill_r < 0 || !t) {
		sense__set(cmd, VITK_SCSI_KEY_HARDWARE_ERROR, VITK_SCSI_ASC_3PC_DEVICE_FAILURE);
	} else {
		op->has_token = true;
		memcpy(op->token, t->bytes, VITK_SCSI_ROD_TOKEN_LEN);
		op->transfer_count = t->nblocks;
		op->segments = (uint16_t)t->nranges;
	}
	op->units = VITK_SCSI_UNITS_BLOCKS;
	op_finish(op, cmd, partial ? VITK_SCSI_COPY_DONE_PARTIAL : VITK_SCSI_COPY_DONE);
	tokens_trim(d);
	pthread_mutex_unlock(&d->lock);
}

/* ---- POPULATE TOKEN ---- */

void tpc__populate_token(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint32_t list_id = vitk_get_be32(cmd->cdb + 6);
	size_t plen = vitk_get_be32(cmd->cdb + 10);
	tpc_pt_list *pt = NULL;
	struct tpc_token *t = NULL;
	struct snap_plan *plan = NULL;
	struct tpc_op *op = NULL;
	tpc_sense err = { 0, 0, -1 };
	uint64_t total = 0, cap_blocks = 0, now = d->now_ns();
	bool partial = false;
	size_t i;
	int fill_r;

	if (!param_list_ready(cmd, plen))
		return;
	pt = malloc(sizeof(*pt));
	t = calloc(1, sizeof(*t));
	plan = calloc(1, sizeof(*plan));
	if (!pt || !t || !plan) {
		sense__set(cmd, VITK_SCSI_KEY_HARDWARE_ERROR, VITK_SCSI_ASC_SYSTEM_RESOURCE_FAILURE);
		goto out;
	}
	if (tpc__parse_pt(cmd->dout, plen, TPC_MAX_RANGES, pt, &err) < 0) {
		sense_of(cmd, &err);
		goto out;
	}
	if (pt->rtv && pt->rod_type != VITK_SCSI_ROD_TYPE_PIT_DEFAULT &&
	    pt->rod_type != VITK_SCSI_ROD_TYPE_PIT_ANY &&
	    !(pt->rod_type == VITK_SCSI_ROD_TYPE_PIT_PERSISTENT && l->snap)) {
		sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 8, -1); /* ROD TYPE */
		goto out;
	}
	if (pt->inactivity_s > d->ito_max) {
		sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 4, -1); /* INACTIVITY TIMEOUT */
		goto out;
	}
	if (!ranges_ok(cmd, l, pt->ranges, pt->nranges, 16, &total))
		goto out;
	if (total == 0) {
		/*
		 * Every range has NUMBER OF LOGICAL BLOCKS 0: SBC-4 (POPULATE
		 * TOKEN, block device range descriptor) makes each such range a
		 * no-op, so the token would represent no data at all.  Refuse the
		 * list the way SBC-4 refuses one without a complete range
		 * descriptor: ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST,
		 * pointing at BLOCK DEVICE RANGE DESCRIPTOR LENGTH (issue 17:
		 * ddpt's looping form filled the token table with such tokens).
		 */
		sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 14, -1);
		goto out;
	}
	/* the per-command cap truncates what the token represents */
	if (d->opts.max_bytes_per_command) {
		cap_blocks = d->opts.max_bytes_per_command >> l->bs_shift;
		if (cap_blocks == 0)
			cap_blocks = 1;
	}
	t->lun = l;
	for (i = 0; i < pt->nranges; i++) {
		tpc_range r = pt->ranges[i];

		if (r.nblocks == 0)
			continue;
		if (cap_blocks && t->nblocks + r.nblocks > cap_blocks) {
			r.nblocks = (uint32_t)(cap_blocks - t->nblocks);
			partial = true;
		}
		if (r.nblocks == 0)
			break;
		t->ranges[t->nranges++] = r;
		t->nblocks += r.nblocks;
	}
	t->ito_s = pt->inactivity_s ? pt->inactivity_s : d->ito_default;
	t->last_use_ns = now;
	t->nexus = cmd->nexus; /* its quota */
	if (!token_insert(d, cmd, t, list_id, &op, plan))
		goto out;
	t = NULL; /* on the device's list now */
	fill_r = plan->n ? snap_fill(d, l, plan) : 0;
	token_publish(d, cmd, op, plan, partial, fill_r);
out:
	free(plan);
	free(t);
	free(pt);
}

/* ---- WRITE USING TOKEN ---- */

struct wut_job {
	tgt_device *d;
	struct tpc_op *op;
	lun_file src; /* the source LUN's backing file, or its token snapshot store */
	tgt_lun *dst;
	bool zero;
	uint64_t token_id; /* 0 for the zero token */
	bool del_tkn;
	tgt_snap *snap; /* a snapshot token's store, its region held by the job */
	uint64_t snap_base;
	/* source extents after the offset, in bytes, and destination ranges */
	size_t nsrc;
	struct {
		uint64_t off, len;
	} ext[TPC_MAX_RANGES];
	size_t ndst;
	tpc_range dst_r[TPC_MAX_RANGES];
	uint64_t blocks;      /* destination blocks to write */
	uint64_t requested;   /* destination blocks the ranges asked for */
	bool capped;          /* truncated by max_bytes_per_command */
	bool short_token;     /* the token ran out before the ranges */
	int *cancel;          /* foreground: the command's abort_req (ABORT TASK) */
	tgt_cmd result;       /* status + sense of the copy */
};

static struct tpc_token *token_lookup(tgt_device *d, const uint8_t *tok, tpc_sense *err)
{
	struct tpc_token *t = NULL;
	uint64_t id = vitk_get_be64(tok + 8);
	uint64_t now = d->now_ns();
	size_t i;
	bool ours = false;

	err->key = VITK_SCSI_KEY_ILLEGAL_REQUEST;
	for (t = d->tokens; t; t = t->next)
		if (t->id == id)
			break;
	if (!t) {
		for (i = 0; i < d->luns.size; i++)
			if (tok[16] == VITK_SCSI_CSCD_IDENTIFICATION && memcmp(tok + 16 + 8, d->luns.ptr[i]->naa, 16) == 0)
				ours = true;
		err->asc = ours || tok[16] != VITK_SCSI_CSCD_IDENTIFICATION ? VITK_SCSI_ASC_TOKEN_UNKNOWN : VITK_SCSI_ASC_TOKEN_REMOTE_UNSUPPORTED;
		return NULL;
	}
	if (memcmp(t->bytes, tok, VITK_SCSI_ROD_TOKEN_LEN) != 0) {
		err->asc = VITK_SCSI_ASC_TOKEN_CORRUPT;
		return NULL;
	}
	token_expire_check(d, t, now);
	switch (t->state) {
	case TOK_VALID:
		return t;
	case TOK_REVOKED:
		err->asc = VITK_SCSI_ASC_TOKEN_REVOKED;
		break;
	case TOK_EXPIRED:
		err->asc = VITK_SCSI_ASC_TOKEN_EXPIRED;
		break;
	case TOK_DELETED:
		err->asc = VITK_SCSI_ASC_TOKEN_DELETED;
		break;
	default:
		err->asc = VITK_SCSI_ASC_TOKEN_CANCELLED;
		break;
	}
	return NULL;
}

static int token_state_now(tgt_device *d, uint64_t id)
{
	struct tpc_token *t = NULL;

	for (t = d->tokens; t; t = t->next)
		if (t->id == id)
			return t->state;
	return TOK_DELETED;
}

/* @bytes of the token's data, from extent *@si at *@s_used on, to byte @to */
static int wut_chunk(struct wut_job *j, uint64_t to, uint64_t bytes, size_t *si,
		     uint64_t *s_used, lun_moved *m)
{
	lun_file dst = lun__file(j->dst);
	uint64_t left = bytes;
	int r = 0;

	while (left > 0 && r == 0) {
		uint64_t n = j->ext[*si].len - *s_used;

		if (n > left)
			n = left;
		r = lun__move(&j->src, j->ext[*si].off + *s_used, &dst, to, n, m);
		*s_used += n;
		to += n;
		left -= n;
		if (*s_used == j->ext[*si].len) {
			(*si)++;
			*s_used = 0;
		}
	}
	return r;
}

/* run the data movement of a WUT job; fills job->result and the op record */
static void wut_run(struct wut_job *j)
{
	tgt_device *d = j->d;
	tgt_lun *dst = j->dst;
	uint64_t done_blocks = 0, want = j->blocks;
	size_t si = 0, di;
	uint64_t s_used = 0; /* bytes consumed in src[si] */
	int r = 0;
	bool aborted = false, revoked = false;
	tgt_cmd *res = &j->result;
	lun_moved m;

	res->status = 0;
	res->sense_len = 0;
	for (di = 0; di < j->ndst && done_blocks < want && !aborted && !revoked; di++) {
		uint64_t lba = j->dst_r[di].lba, nb = j->dst_r[di].nblocks;

		if (nb > want - done_blocks)
			nb = want - done_blocks;
		while (nb > 0) {
			/* chunks of at most 64 MiB so progress and abort are visible */
			uint64_t chunk = nb, bytes;

			if ((chunk << dst->bs_shift) > TPC_CHUNK_BYTES)
				chunk = TPC_CHUNK_BYTES >> dst->bs_shift;
			bytes = chunk << dst->bs_shift;

			if (d->chunk_hook)
				d->chunk_hook(d->chunk_hook_arg);
			pthread_mutex_lock(&d->lock);
			aborted = j->op && j->op->abort_req;
			/* ABORT TASK of a foreground copy: the cancellation point */
			if (!aborted && j->cancel &&
			    __atomic_load_n(j->cancel, __ATOMIC_ACQUIRE) != 0) {
				__atomic_store_n(j->cancel, 2, __ATOMIC_RELEASE);
				aborted = true;
			}
			revoked = !j->zero && token_state_now(d, j->token_id) == TOK_REVOKED;
			pthread_mutex_unlock(&d->lock);
			if (aborted || revoked)
				break;

			tpc__revoke_overlap(d, dst, lba, chunk);
			memset(&m, 0, sizeof(m));
			if (j->zero) {
				r = lun__zero_range(dst, lba << dst->bs_shift, bytes);
				m.zeroed = bytes;
			} else {
				r = wut_chunk(j, lba << dst->bs_shift, bytes, &si, &s_used, &m);
			}
			if (r < 0)
				break;
			done_blocks += chunk;
			lba += chunk;
			nb -= chunk;
			pthread_mutex_lock(&d->lock);
			stats_moved(dst, bytes, &m);
			if (j->op)
				j->op->transfer_count = done_blocks;
			pthread_mutex_unlock(&d->lock);
		}
		if (r < 0)
			break;
	}

	if (aborted)
		sense__set(res, VITK_SCSI_KEY_COPY_ABORTED, VITK_SCSI_ASC_NO_ADDITIONAL_SENSE);
	else if (revoked)
		sense__set(res, VITK_SCSI_KEY_COPY_ABORTED, VITK_SCSI_ASC_TOKEN_REVOKED);
	else if (r < 0)
		sense__set(res, VITK_SCSI_KEY_COPY_ABORTED, VITK_SCSI_ASC_3PC_DEVICE_FAILURE);
	else if (j->short_token)
		sense__set(res, VITK_SCSI_KEY_COPY_ABORTED, VITK_SCSI_ASC_COPY_TARGET_UNDERRUN);

	pthread_mutex_lock(&d->lock);
	if (j->del_tkn && !j->zero) {
		struct tpc_token *t = NULL;

		for (t = d->tokens; t; t = t->next)
			if (t->id == j->token_id && t->state == TOK_VALID)
				token_kill(t, TOK_DELETED);
	}
	if (j->op) {
		uint8_t st;

		j->op->transfer_count = done_blocks;
		j->op->units = VITK_SCSI_UNITS_BLOCKS;
		if (aborted)
			st = VITK_SCSI_COPY_TERMINATED;
		else if (res->status)
			st = j->short_token && r == 0 && !revoked ? VITK_SCSI_COPY_DONE_RESIDUAL : VITK_SCSI_COPY_DONE_ERRORS;
		else
			st = j->capped ? VITK_SCSI_COPY_DONE_PARTIAL : VITK_SCSI_COPY_DONE;
		op_finish(j->op, res, st);
		j->op->state = st;
	}
	if (j->snap)
		snap__put(j->snap, j->snap_base);
	pthread_mutex_unlock(&d->lock);
}

static void *wut_thread(void *arg)
{
	struct wut_job *j = arg;

	wut_run(j);
	return NULL;
}

void tpc__write_using_token(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint32_t list_id = vitk_get_be32(cmd->cdb + 6);
	size_t plen = vitk_get_be32(cmd->cdb + 10);
	tpc_wut_list *w = NULL;
	struct wut_job *j = NULL;
	struct tpc_token *t = NULL;
	struct tpc_op *op = NULL;
	tpc_sense err = { 0, 0, -1 };
	uint32_t rod_type;
	uint64_t req = 0, avail_blocks, cap_blocks = 0;
	size_t i;

	if (!param_list_ready(cmd, plen))
		return;
	w = malloc(sizeof(*w));
	j = calloc(1, sizeof(*j));
	if (!w || !j) {
		sense__set(cmd, VITK_SCSI_KEY_HARDWARE_ERROR, VITK_SCSI_ASC_SYSTEM_RESOURCE_FAILURE);
		goto out;
	}
	if (tpc__parse_wut(cmd->dout, plen, TPC_MAX_RANGES, w, &err) < 0) {
		sense_of(cmd, &err);
		goto out;
	}
	if (l->ro || __atomic_load_n(&l->swp, __ATOMIC_RELAXED)) {
		sense__set(cmd, VITK_SCSI_KEY_DATA_PROTECT, VITK_SCSI_ASC_WRITE_PROTECTED);
		goto out;
	}
	if (!ranges_ok(cmd, l, w->ranges, w->nranges, 536, &req))
		goto out;
	if (vitk_get_be16(w->token + 6) != VITK_SCSI_ROD_TOKEN_LENGTH_FIELD) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_TOKEN_INVALID_LENGTH);
		goto out;
	}
	rod_type = vitk_get_be32(w->token);
	if (rod_type != VITK_SCSI_ROD_TYPE_PIT_DEFAULT && rod_type != VITK_SCSI_ROD_TYPE_ZERO &&
	    rod_type != VITK_SCSI_ROD_TYPE_PIT_PERSISTENT) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_TOKEN_UNSUPPORTED_TYPE);
		goto out;
	}
	j->d = d;
	j->dst = l;
	j->del_tkn = w->del_tkn;
	j->ndst = w->nranges;
	memcpy(j->dst_r, w->ranges, w->nranges * sizeof(w->ranges[0]));
	j->requested = req;
	if (d->opts.max_bytes_per_command) {
		cap_blocks = d->opts.max_bytes_per_command >> l->bs_shift;
		if (cap_blocks == 0)
			cap_blocks = 1;
	}

	pthread_mutex_lock(&d->lock);
	op = op_find(d, cmd->nexus, list_id);
	if (op_running(op)) {
		pthread_mutex_unlock(&d->lock);
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_OPERATION_IN_PROGRESS);
		goto out;
	}
	if (rod_type == VITK_SCSI_ROD_TYPE_ZERO) {
		j->zero = true;
		avail_blocks = req;
	} else {
		uint64_t off_bytes, skip;

		t = token_lookup(d, w->token, &err);
		if (!t) {
			pthread_mutex_unlock(&d->lock);
			sense_of(cmd, &err);
			goto out;
		}
		if (!lun__visible(t->lun, cmd->initiator)) {
			/* a token is usable only by sessions that see its source LUN */
			pthread_mutex_unlock(&d->lock);
			sense__set(cmd, VITK_SCSI_KEY_COPY_ABORTED,
				   VITK_SCSI_ASC_COPY_TARGET_UNREACHABLE);
			goto out;
		}
		if (pr__copy_conflict(t->lun, cmd, false)) {
			/* the source is held Exclusive Access by another nexus */
			pthread_mutex_unlock(&d->lock);
			cmd->status = VITK_SCSI_STATUS_RESERVATION_CONFLICT;
			goto out;
		}
		off_bytes = w->offset << l->bs_shift;
		if (w->offset > (t->nblocks << t->lun->bs_shift) >> l->bs_shift ||
		    off_bytes >= t->nblocks << t->lun->bs_shift) {
			pthread_mutex_unlock(&d->lock);
			sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 8, -1); /* OFFSET INTO ROD */
			goto out;
		}
		j->src = t->snap ? snap__file(t->lun->snap) : lun__file(t->lun);
		j->token_id = t->id;
		skip = off_bytes;
		for (i = 0; i < t->nranges; i++) {
			uint64_t off = t->snap ? t->snap_base + t->snap_at[i]
					       : t->ranges[i].lba << t->lun->bs_shift;
			uint64_t len = (uint64_t)t->ranges[i].nblocks << t->lun->bs_shift;

			if (skip >= len) {
				skip -= len;
				continue;
			}
			j->ext[j->nsrc].off = off + skip;
			j->ext[j->nsrc].len = len - skip;
			skip = 0;
			j->nsrc++;
		}
		avail_blocks = ((t->nblocks << t->lun->bs_shift) - off_bytes) >> l->bs_shift;
		t->last_use_ns = d->now_ns();
		t->lun->stats.tokens_used++;
	}
	/* the cap truncates first ("partial ROD token usage", GOOD); a token that
	 * cannot cover even the capped request is an underrun */
	j->blocks = req;
	if (cap_blocks && j->blocks > cap_blocks) {
		j->blocks = cap_blocks;
		j->capped = true;
	}
	if (avail_blocks < j->blocks) {
		j->blocks = avail_blocks;
		j->short_token = true;
		j->capped = false;
	}
	op = op_new(d, cmd->nexus, list_id, l->lun, VITK_SCSI_SA_WRITE_USING_TOKEN);
	if (!op) {
		pthread_mutex_unlock(&d->lock);
		sense__set(cmd, VITK_SCSI_KEY_HARDWARE_ERROR, VITK_SCSI_ASC_SYSTEM_RESOURCE_FAILURE);
		goto out;
	}
	j->op = op;
	op->units = VITK_SCSI_UNITS_BLOCKS;
	op->segments = (uint16_t)w->nranges;
	if (t && t->snap) { /* the region outlives the token while this runs */
		j->snap = t->lun->snap;
		j->snap_base = t->snap_base;
		snap__hold(j->snap, j->snap_base);
	}
	if (w->immed) {
		op->state = VITK_SCSI_COPY_IN_PROGRESS_BG;
		op->job = j;
		if (pthread_create(&op->thread, NULL, wut_thread, j) == 0) {
			op->has_thread = true;
			pthread_mutex_unlock(&d->lock);
			j = NULL; /* owned by the op record now */
			goto out;
		}
		op->job = NULL;
	}
	j->cancel = &cmd->abort_req;
	pthread_mutex_unlock(&d->lock);
	wut_run(j);
	cmd->status = j->result.status;
	cmd->sense_len = j->result.sense_len;
	memcpy(cmd->sense, j->result.sense, j->result.sense_len);
out:
	free(j);
	free(w);
}

/* ---- COPY OPERATION ABORT ---- */

void tpc__copy_abort(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint32_t list_id = vitk_get_be32(cmd->cdb + 2);
	struct tpc_op *op = NULL;

	(void)l;
	pthread_mutex_lock(&d->lock);
	op = op_find(d, cmd->nexus, list_id);
	if (op && op_running(op))
		op->abort_req = true;
	pthread_mutex_unlock(&d->lock);
	if (!op)
		sense__invalid_cdb(cmd, 2, -1); /* LIST IDENTIFIER */
}

/* ---- RECEIVE COPY RESULTS / RRTI ---- */

void tpc__rcs_lid1(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint8_t b[12] = { 0 };
	struct tpc_op *op = NULL;
	uint64_t tc;

	(void)l;
	pthread_mutex_lock(&d->lock);
	op = op_find(d, cmd->nexus, cmd->cdb[2]);
	if (!op || op->sa != VITK_SCSI_SA_XCOPY_LID1) {
		pthread_mutex_unlock(&d->lock);
		sense__invalid_cdb(cmd, 2, -1); /* LIST IDENTIFIER */
		return;
	}
	vitk_put_be32(b, 8);
	b[4] = op_running(op) ? 0x00 : (op->state == VITK_SCSI_COPY_DONE ? 0x01 : 0x02);
	vitk_put_be16(b + 5, op->segments);
	tc = op->transfer_count;
	if (tc > 0xffffffffull) {
		b[7] = VITK_SCSI_UNITS_MIB;
		tc >>= 20;
	}
	vitk_put_be32(b + 8, (uint32_t)tc);
	pthread_mutex_unlock(&d->lock);
	sense__put_din(cmd, b, sizeof(b), vitk_get_be32(cmd->cdb + 10));
}

void tpc__rcfd_lid1(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint8_t b[60 + 18] = { 0 };
	struct tpc_op *op = NULL;
	size_t n;

	(void)l;
	pthread_mutex_lock(&d->lock);
	op = op_find(d, cmd->nexus, cmd->cdb[2]);
	if (!op || op->sa != VITK_SCSI_SA_XCOPY_LID1 || op_running(op) || op->cmd_status == 0) {
		pthread_mutex_unlock(&d->lock);
		sense__invalid_cdb(cmd, 2, -1); /* LIST IDENTIFIER */
		return;
	}
	b[56] = op->cmd_status;
	vitk_put_be16(b + 58, (uint16_t)op->sense_len);
	memcpy(b + 60, op->sense, op->sense_len);
	n = 60 + op->sense_len;
	vitk_put_be32(b, (uint32_t)(n - 4));
	pthread_mutex_unlock(&d->lock);
	sense__put_din(cmd, b, n, vitk_get_be32(cmd->cdb + 10));
}

static void do_rrti(tgt_device *d, tgt_cmd *cmd, bool with_token)
{
	uint8_t b[32 + 18 + 6 + VITK_SCSI_ROD_TOKEN_LEN];
	struct tpc_op *op = NULL;
	size_t n, s;

	memset(b, 0, sizeof(b));
	pthread_mutex_lock(&d->lock);
	op = op_find(d, cmd->nexus, vitk_get_be32(cmd->cdb + 2));
	if (!op) {
		pthread_mutex_unlock(&d->lock);
		sense__invalid_cdb(cmd, 2, -1); /* LIST IDENTIFIER */
		return;
	}
	b[4] = op->sa;
	b[5] = op->state;
	vitk_put_be32(b + 8, op_running(op) ? 100 : 0);
	b[12] = op_running(op) ? 0 : op->cmd_status;
	s = op_running(op) ? 0 : op->sense_len;
	b[13] = (uint8_t)s;
	b[14] = (uint8_t)s;
	b[15] = op->units;
	vitk_put_be64(b + 16, op->transfer_count);
	vitk_put_be16(b + 24, op->segments);
	memcpy(b + 32, op->sense, s);
	n = 32 + s;
	if (with_token) {
		if (op->has_token) {
			vitk_put_be32(b + n, 2 + VITK_SCSI_ROD_TOKEN_LEN);
			memcpy(b + n + 6, op->token, VITK_SCSI_ROD_TOKEN_LEN);
			n += 6 + VITK_SCSI_ROD_TOKEN_LEN;
		} else {
			n += 4; /* ROD token descriptors length 0 */
		}
	}
	vitk_put_be32(b, (uint32_t)(n - 4));
	pthread_mutex_unlock(&d->lock);
	sense__put_din(cmd, b, n, vitk_get_be32(cmd->cdb + 10));
}

void tpc__rcs_lid4(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	(void)l;
	do_rrti(d, cmd, false); /* the RRTI layout without the ROD token descriptors */
}

void tpc__rrti(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	(void)l;
	do_rrti(d, cmd, true);
}

void tpc__lun_reset(tgt_device *d, const tgt_lun *l)
{
	struct tpc_op *o = NULL;

	for (o = d->ops; o; o = o->next)
		if (o->lun == l->lun && op_running(o))
			o->abort_req = true;
}

void tpc__nexus_gone(tgt_device *d, uint64_t nexus)
{
	struct tpc_op *o = d->ops, *next;

	while (o) {
		next = o->next;
		if (o->nexus == nexus && !op_running(o))
			op_unlink_free(d, o);
		o = next;
	}
	tokens_orphan(d, nexus);
}

void tpc__device_free(tgt_device *d)
{
	struct tpc_op *o = NULL;
	struct tpc_token *t = NULL;

	pthread_mutex_lock(&d->lock);
	d->shutting_down = true;
	for (o = d->ops; o; o = o->next)
		o->abort_req = true;
	pthread_mutex_unlock(&d->lock);
	while (d->ops) {
		o = d->ops;
		d->ops = o->next;
		if (o->has_thread)
			pthread_join(o->thread, NULL);
		free(o->job);
		free(o);
	}
	while (d->tokens) {
		t = d->tokens;
		d->tokens = t->next;
		free(t);
	}
}

/* a job that reads or writes @l: its destination, its source file or its
 * source LUN's snapshot store */
static bool job_uses(const struct wut_job *j, const tgt_lun *l)
{
	return j && (j->dst == l || (l->fd >= 0 && j->src.fd == l->fd) ||
		     (l->snap && (j->snap == l->snap ||
				  j->src.fd == snap__file(l->snap).fd)));
}

bool tpc__lun_busy(tgt_device *d, const tgt_lun *l)
{
	const struct tpc_op *o;

	for (o = d->ops; o; o = o->next)
		if (o->has_thread && op_running(o) && job_uses(o->job, l))
			return true;
	return false;
}

void tpc__lun_gone(tgt_device *d, const tgt_lun *l)
{
	struct tpc_op *o = d->ops, *next;
	struct tpc_token **pp = &d->tokens, *t;

	/* finished background copies of @l: their thread is joined, the record
	 * (and the job that points at the LUN) freed */
	while (o) {
		next = o->next;
		if (o->lun == l->lun || (o->has_thread && job_uses(o->job, l)))
			op_unlink_free(d, o);
		o = next;
	}
	while ((t = *pp) != NULL) {
		if (t->lun != l) {
			pp = &t->next;
			continue;
		}
		token_kill(t, TOK_REVOKED); /* lets go of its snapshot region */
		*pp = t->next;
		free(t);
		d->ntokens--;
	}
}
