/* SPDX-License-Identifier: MIT */
/*
 * The copy engine: plan (with a reason for every rejected method), then
 * token copy (POPULATE TOKEN -> RRTI -> WRITE USING TOKEN -> RRTI),
 * EXTENDED COPY(LID1) or host copy, with fallbacks recorded as they happen.
 * Every command's LBAs are computed from (range start + blocks done), never
 * from a running iterator that might not advance (odx/README.md).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/array.h>
#include <vitk/str.h>

#include "odx_internal.h"

#define DEFAULT_HOST_BUF (4u << 20) /* x RING buffers when pipelined */
#define DEFAULT_POLL_CAP_MS 1000u
#define MAX_POLLS 10000
#define TOKEN_LID_BASE 0x100u

const char *vitk_odx_method_str(vitk_odx_method m)
{
	switch (m) {
	case VITK_ODX_METHOD_AUTO: return "auto";
	case VITK_ODX_METHOD_TOKEN: return "token";
	case VITK_ODX_METHOD_XCOPY: return "xcopy";
	case VITK_ODX_METHOD_HOST: return "host";
	case VITK_ODX_METHOD_WRITE_SAME: return "write_same";
	}
	return "unknown";
}

int vitk_odx_method_parse(const char *s, vitk_odx_method *out)
{
	static const vitk_odx_method all[] = { VITK_ODX_METHOD_AUTO, VITK_ODX_METHOD_TOKEN,
					       VITK_ODX_METHOD_XCOPY, VITK_ODX_METHOD_HOST };
	size_t i;

	for (i = 0; i < VITK_ARRAY_SIZE(all); i++) {
		if (s && strcmp(s, vitk_odx_method_str(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return vitk_error_set(VITK_EINVAL, 0, "unknown method '%s' (auto, token, xcopy, host)",
			      s ? s : "");
}

/* strlcpy: truncation of a long device message into a reason is intended */
static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return b ? (a + b - 1) / b : 0;
}

/* ------------------------------------------------------------------ plan */

static bool same_lu(const vitk_odx_dev *a, const vitk_odx_dev *b)
{
	const vitk_scsi_designator *x = &a->info.designator, *y = &b->info.designator;

	if (a == b)
		return true;
	if (x->found && y->found)
		return x->len == y->len && memcmp(x->raw, y->raw, 4u + x->len) == 0;
	return strcmp(a->name, b->name) == 0;
}

static bool same_copy_manager(const vitk_odx_dev *a, const vitk_odx_dev *b)
{
	const vitk_scsi_vpd_tpc *x = &a->info.vpd_tpc, *y = &b->info.vpd_tpc;

	if (x->has_copy_group_id && y->has_copy_group_id)
		return x->copy_group_id_len == y->copy_group_id_len &&
		       memcmp(x->copy_group_id, y->copy_group_id, x->copy_group_id_len) == 0;
	if (a->info.copy_manager[0] && b->info.copy_manager[0])
		return strcmp(a->info.copy_manager, b->info.copy_manager) == 0;
	return true; /* unknown: let the copy manager decide (and fall back if it refuses) */
}

static uint64_t token_blocks_per_cmd(const vitk_odx_dev *src, const vitk_odx_dev *dst,
				     const vitk_odx_copy_options *o)
{
	uint64_t n = 0xFFFFFFFFull; /* one range descriptor's NUMBER OF LOGICAL BLOCKS */

	if (src->info.vpd_tpc.max_token_transfer_size)
		n = min64(n, src->info.vpd_tpc.max_token_transfer_size);
	if (dst->info.vpd_tpc.max_token_transfer_size)
		n = min64(n, dst->info.vpd_tpc.max_token_transfer_size);
	if (o->max_blocks_per_command)
		n = min64(n, o->max_blocks_per_command);
	return n;
}

/*
 * Blocks one POPULATE TOKEN asks for: the devices' maximum token transfer
 * sizes only.  --max-blocks-per-command limits each WRITE USING TOKEN (at
 * increasing OFFSET INTO ROD), not the token: a token per small command would
 * exhaust the copy manager's token table (55h/0Dh) on long copies.
 */
static uint64_t token_pt_blocks(const vitk_odx_dev *src, const vitk_odx_dev *dst)
{
	uint64_t n = 0xFFFFFFFFull;

	if (src->info.vpd_tpc.max_token_transfer_size)
		n = min64(n, src->info.vpd_tpc.max_token_transfer_size);
	if (dst->info.vpd_tpc.max_token_transfer_size)
		n = min64(n, dst->info.vpd_tpc.max_token_transfer_size);
	return n;
}

/*
 * The INACTIVITY TIMEOUT a POPULATE TOKEN asks for: the caller's, else a
 * modest ODX_TOKEN_ITO_S when the source's default is longer (a token the
 * copy no longer needs -- after an interruption, say -- then holds its slot
 * in the copy manager's table for less time), else 0 (the device default).
 */
#define ODX_TOKEN_ITO_S 30u

static uint32_t token_ito(const vitk_odx_dev *src, const vitk_odx_copy_options *o)
{
	uint32_t def = src->info.vpd_tpc.default_inactivity_timeout;
	uint32_t max = src->info.vpd_tpc.max_inactivity_timeout;

	if (o->inactivity_timeout_s)
		return o->inactivity_timeout_s;
	if (def > ODX_TOKEN_ITO_S && (!max || max >= ODX_TOKEN_ITO_S))
		return ODX_TOKEN_ITO_S;
	return 0;
}

static uint64_t xcopy_blocks_per_seg(const vitk_odx_dev *dst, const vitk_odx_copy_options *o)
{
	uint64_t n = VITK_SCSI_SEG02_MAX_BLOCKS;
	uint32_t msl = dst->info.rcop.max_segment_length;

	if (msl && msl / dst->info.block_size)
		n = min64(n, msl / dst->info.block_size);
	if (o->max_blocks_per_command)
		n = min64(n, o->max_blocks_per_command);
	return n ? n : 1;
}

static size_t xcopy_segs_per_cmd(const vitk_odx_dev *dst, const vitk_odx_copy_options *o)
{
	const vitk_scsi_rcop *r = &dst->info.rcop;
	size_t n = 64;

	/* --max-blocks-per-command caps the whole command, not only one segment */
	if (o->max_blocks_per_command) {
		uint64_t seg = xcopy_blocks_per_seg(dst, o);

		n = min64(n, o->max_blocks_per_command / seg ? o->max_blocks_per_command / seg : 1);
	}

	if (r->max_segment_count)
		n = min64(n, r->max_segment_count);
	if (r->max_desc_list_length) {
		uint32_t room = r->max_desc_list_length > 64 ? r->max_desc_list_length - 64 : 0;

		n = min64(n, room / VITK_SCSI_SEG02_LEN);
	}
	return n ? n : 1;
}

/* a formatted string the caller frees; NULL on out-of-memory (recorded) */
static char *vfmt(const char *f, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vfmt(const char *f, va_list ap)
{
	vitk_str s = VITK_STR_INIT;

	vitk_str_vputf(&s, f, ap);
	return vitk_str_detach(&s);
}

char *vitk_odx__strf(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	s = vfmt(f, ap);
	va_end(ap);
	return s;
}

/* not usable, and why; an item keeps its first reason */
static void reject(vitk_odx_plan_item *it, const char *f, ...) __attribute__((format(printf, 2, 3)));
static void reject(vitk_odx_plan_item *it, const char *f, ...)
{
	va_list ap;

	if (!it->usable)
		return;
	it->usable = false;
	va_start(ap, f);
	it->reason = vfmt(f, ap);
	va_end(ap);
}

void vitk_odx_plan_clear(vitk_odx_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < VITK_ODX_NITEMS; i++)
		free(p->items[i].reason);
	free(p->note);
	memset(p, 0, sizeof(*p));
}

void vitk_odx_copy_result_clear(vitk_odx_copy_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nfallbacks; i++)
		free(r->fallbacks[i].reason);
	free(r->fallbacks);
	memset(r, 0, sizeof(*r));
}

static void plan_token(vitk_odx_plan_item *it, const vitk_odx_dev *src, const vitk_odx_dev *dst)
{
	const vitk_scsi_vpd_tpc *s = &src->info.vpd_tpc, *d = &dst->info.vpd_tpc;

	if (!src->info.tpc && !dst->info.tpc)
		reject(it, "no 3PC / ODX token copy unsupported (neither device has the 3PC bit)");
	if (!src->info.tpc)
		reject(it, "source has no 3PC bit");
	if (!dst->info.tpc)
		reject(it, "destination has no 3PC bit");
	if (!src->info.has_vpd_tpc)
		reject(it, "source has no third-party copy VPD page (0x8F)");
	if (!dst->info.has_vpd_tpc)
		reject(it, "destination has no third-party copy VPD page (0x8F)");
	if (!s->has_rod_limits)
		reject(it, "source has no block device ROD token limits descriptor in VPD 0x8F");
	if (!d->has_rod_limits)
		reject(it, "destination has no block device ROD token limits descriptor in VPD 0x8F");
	if (!vitk_scsi_vpd_tpc_has_out(s, VITK_SCSI_SA_POPULATE_TOKEN))
		reject(it, "POPULATE TOKEN not in Supported Commands of the source");
	if (!vitk_scsi_vpd_tpc_has_in(s, VITK_SCSI_SA_RRTI))
		reject(it, "RECEIVE ROD TOKEN INFORMATION not in Supported Commands of the source");
	if (!vitk_scsi_vpd_tpc_has_out(d, VITK_SCSI_SA_WRITE_USING_TOKEN))
		reject(it, "WRITE USING TOKEN not in Supported Commands");
	if (src->info.block_size != dst->info.block_size)
		reject(it, "block sizes differ (%u vs %u)", src->info.block_size,
		       dst->info.block_size);
	if (!same_copy_manager(src, dst) && !(s->has_rod_features && s->remote_tokens >= 4))
		reject(it, "source and destination are on different copy managers");
}

static void plan_xcopy(vitk_odx_plan_item *it, const vitk_odx_dev *src, const vitk_odx_dev *dst)
{
	if (!dst->info.tpc && !dst->info.has_rcop)
		reject(it, "no 3PC / EXTENDED COPY unsupported");
	if (!dst->info.has_rcop)
		reject(it, "destination does not answer RECEIVE COPY OPERATING PARAMETERS");
	if (dst->info.has_vpd_tpc && dst->info.vpd_tpc.has_supported_cmds &&
	    !vitk_scsi_vpd_tpc_has_out(&dst->info.vpd_tpc, VITK_SCSI_SA_XCOPY_LID1))
		reject(it, "EXTENDED COPY(LID1) not in Supported Commands");
	if (dst->info.has_rcop && dst->info.rcop.nimpl_descs &&
	    !vitk_scsi_rcop_has_desc(&dst->info.rcop, 0xE4))
		reject(it, "destination copy manager does not implement identification CSCD 0xE4");
	if (dst->info.has_rcop && dst->info.rcop.nimpl_descs &&
	    !vitk_scsi_rcop_has_desc(&dst->info.rcop, 0x02))
		reject(it, "destination copy manager does not implement segment descriptor 0x02");
	if (dst->info.has_rcop && dst->info.rcop.max_cscd_count == 1 && !same_lu(src, dst))
		reject(it, "destination copy manager accepts only one CSCD");
	if (!src->info.designator.found)
		reject(it, "source has no usable designator in VPD 0x83 for a CSCD");
	if (!dst->info.designator.found)
		reject(it, "destination has no usable designator in VPD 0x83 for a CSCD");
	if (src->info.block_size != dst->info.block_size)
		reject(it, "block sizes differ (%u vs %u)", src->info.block_size,
		       dst->info.block_size);
	if (!same_copy_manager(src, dst))
		reject(it, "source and destination are on different copy managers");
}

int vitk_odx_plan_make(vitk_odx_plan *p, const vitk_odx_dev *src, const vitk_odx_dev *dst,
		       const vitk_odx_copy_options *o)
{
	static const vitk_odx_copy_options defaults = VITK_ODX_COPY_OPTIONS_INIT;
	const vitk_odx_method order[VITK_ODX_NITEMS] = {
		[VITK_ODX_ITEM_TOKEN] = VITK_ODX_METHOD_TOKEN,
		[VITK_ODX_ITEM_XCOPY] = VITK_ODX_METHOD_XCOPY,
		[VITK_ODX_ITEM_HOST] = VITK_ODX_METHOD_HOST,
	};
	uint64_t count, bpc, remain;
	size_t i;

	if (!o)
		o = &defaults;
	memset(p, 0, sizeof(*p));
	for (i = 0; i < VITK_ODX_NITEMS; i++) {
		p->items[i].method = order[i];
		p->items[i].usable = true;
	}
	if (o->src_lba >= src->info.blocks)
		return vitk_error_set(VITK_ERANGE, 0,
				      "source LBA %llu is past the end of '%s' (%llu blocks)",
				      (unsigned long long)o->src_lba, src->name,
				      (unsigned long long)src->info.blocks);
	count = o->count ? o->count : src->info.blocks - o->src_lba;
	if (count > src->info.blocks - o->src_lba)
		return vitk_error_set(VITK_ERANGE, 0,
				      "source range %llu+%llu is past the end of '%s' (%llu blocks)",
				      (unsigned long long)o->src_lba, (unsigned long long)count,
				      src->name, (unsigned long long)src->info.blocks);
	if (src->info.block_size != dst->info.block_size) {
		for (i = 0; i < VITK_ODX_NITEMS; i++)
			reject(&p->items[i], "block sizes differ (%u vs %u)", src->info.block_size,
			       dst->info.block_size);
		return vitk_error_set(VITK_EINVAL, 0, "block sizes differ (%u vs %u)",
				      src->info.block_size, dst->info.block_size);
	}
	if (o->dst_lba >= dst->info.blocks || count > dst->info.blocks - o->dst_lba)
		return vitk_error_set(VITK_ERANGE, 0,
				      "destination range %llu+%llu is past the capacity of '%s' "
				      "(%llu blocks)",
				      (unsigned long long)o->dst_lba, (unsigned long long)count,
				      dst->name, (unsigned long long)dst->info.blocks);
	if (same_lu(src, dst) && o->src_lba < o->dst_lba + count && o->dst_lba < o->src_lba + count)
		return vitk_error_set(VITK_EINVAL, 0,
				      "source %llu+%llu and destination %llu+%llu overlap on the "
				      "same LU '%s'",
				      (unsigned long long)o->src_lba, (unsigned long long)count,
				      (unsigned long long)o->dst_lba, (unsigned long long)count,
				      dst->name);
	if (o->resume_blocks > count)
		return vitk_error_set(VITK_EINVAL, 0, "resume point %llu is past the range (%llu)",
				      (unsigned long long)o->resume_blocks,
				      (unsigned long long)count);
	p->src_lba = o->src_lba;
	p->dst_lba = o->dst_lba;
	p->count = count;
	remain = count - o->resume_blocks;

	plan_token(&p->items[VITK_ODX_ITEM_TOKEN], src, dst);
	plan_xcopy(&p->items[VITK_ODX_ITEM_XCOPY], src, dst);

	if (o->method != VITK_ODX_METHOD_AUTO) {
		for (i = 0; i < VITK_ODX_NITEMS; i++) {
			if (order[i] == o->method)
				continue;
			if (p->items[i].usable)
				reject(&p->items[i], "not requested (--method %s)",
				       vitk_odx_method_str(o->method));
		}
	}
	p->chosen = VITK_ODX_METHOD_AUTO;
	for (i = 0; i < VITK_ODX_NITEMS; i++) {
		if (p->items[i].usable && (o->method == VITK_ODX_METHOD_AUTO || order[i] == o->method)) {
			p->chosen = order[i];
			break;
		}
	}
	if (p->chosen == VITK_ODX_METHOD_AUTO) {
		for (i = 0; i < VITK_ODX_NITEMS; i++)
			if (order[i] == o->method)
				break;
		return vitk_error_set(VITK_ENOTSUP, 0, "method %s is not usable: %s",
				      vitk_odx_method_str(o->method), p->items[i].reason);
	}
	switch (p->chosen) {
	case VITK_ODX_METHOD_TOKEN:
		bpc = token_blocks_per_cmd(src, dst, o);
		p->blocks_per_command = bpc;
		p->commands = div_up(remain, bpc);
		if (p->commands > 1)
			p->note = vitk_odx__strf("range exceeds max token transfer size, split into %llu commands",
				       (unsigned long long)p->commands);
		break;
	case VITK_ODX_METHOD_XCOPY: {
		uint64_t seg = xcopy_blocks_per_seg(dst, o);
		size_t nseg = xcopy_segs_per_cmd(dst, o);

		p->blocks_per_command = seg * nseg;
		p->commands = div_up(remain, p->blocks_per_command);
		if (p->commands > 1)
			p->note = vitk_odx__strf("range exceeds %llu blocks per EXTENDED COPY (%zu segment%s of "
				      "%llu), split into %llu commands",
				      (unsigned long long)p->blocks_per_command, nseg, nseg > 1 ? "s" : "",
				      (unsigned long long)seg, (unsigned long long)p->commands);
		break;
	}
	default: {
		uint64_t buf = o->host_buffer_bytes ? o->host_buffer_bytes : DEFAULT_HOST_BUF;

		p->blocks_per_command = buf / src->info.block_size ? buf / src->info.block_size : 1;
		p->commands = 2 * div_up(remain, p->blocks_per_command);
		break;
	}
	}
	return 0;
}

/* ---------------------------------------------------------------- engine */

struct ctr {
	uint64_t in, out, cmds;
};

struct eng {
	vitk_odx_dev *src, *dst;
	/* transport counters at the start, for the live counters of res (live) */
	struct ctr c0;
	const vitk_odx_dev *ca, *cb;
	bool live;
	const vitk_odx_copy_options *o;
	vitk_odx_copy_result *res;
	uint64_t src_lba, dst_lba, count; /* whole range */
	uint64_t done;                    /* blocks done in [0, count) */
	uint64_t start_done;              /* resume point */
	uint64_t t0;
	uint32_t lid;
	uint8_t lid1;
	vitk_odx_method cur;
	uint8_t *buf;
	size_t buf_len;
	uint64_t extra_in, extra_out, extra_cmds; /* extra sessions (multi-stream host copy) */
};

typedef VITK_ARRAY(vitk_odx_fallback) fallback_array;

static void fallback(struct eng *e, vitk_odx_method from, vitk_odx_method to, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fallback(struct eng *e, vitk_odx_method from, vitk_odx_method to, const char *fmt, ...)
{
	vitk_odx_copy_result *res = e->res;
	fallback_array a = { res->fallbacks, res->nfallbacks, res->nfallbacks };
	vitk_odx_fallback *f;
	va_list ap;

	/* one fallback per method change: a handful; on out-of-memory it is only logged */
	f = vitk_array_push(a);
	res->fallbacks = a.ptr;
	res->nfallbacks = a.size;
	if (f) {
		f->from = from;
		f->to = to;
		f->at_block = e->done;
		va_start(ap, fmt);
		f->reason = vfmt(fmt, ap);
		va_end(ap);
	}
	vitk_log(VITK_LOG_INFO, "odx", "falling back from %s to %s at block %llu: %s",
		 vitk_odx_method_str(from), vitk_odx_method_str(to), (unsigned long long)e->done,
		 f && f->reason ? f->reason : "(out of memory)");
}

static void snap(const vitk_odx_dev *a, const vitk_odx_dev *b, struct ctr *c);
static void account(vitk_odx_copy_result *res, const struct ctr *c0, const struct ctr *c1,
		    const struct eng *e);

/* the counters of res so far (the final ones are written at the end the same way) */
static void live_counters(struct eng *e)
{
	struct ctr c1;

	if (!e->live)
		return;
	snap(e->ca, e->cb, &c1);
	account(e->res, &e->c0, &c1, e);
	e->res->duration_ns = vitk_now_ns() - e->t0;
}

static int advance(struct eng *e, uint64_t blocks, bool offloaded)
{
	uint32_t bs = e->dst->info.block_size;

	e->done += blocks;
	e->res->bytes += blocks * bs;
	if (offloaded)
		e->res->offload_blocks += blocks;
	else
		e->res->host_blocks += blocks;
	if (e->o->progress) {
		vitk_odx_progress pr;
		double secs = (double)(vitk_now_ns() - e->t0) / 1e9;
		uint64_t moved = (e->done - e->start_done) * bs;

		pr.done_bytes = e->done * bs;
		pr.total_bytes = e->count * bs;
		pr.rate_bps = secs > 0 ? (double)moved / secs : 0;
		pr.eta_s = pr.rate_bps > 0 ? (double)((e->count - e->done) * bs) / pr.rate_bps : 0;
		pr.method = e->cur;
		e->o->progress(&pr, e->o->progress_payload);
	}
	if (e->o->on_chunk) {
		live_counters(e); /* the hook may persist them (a killed run keeps its counters) */
		return e->o->on_chunk(e->done, e->cur, e->o->chunk_payload);
	}
	return 0;
}

static bool is_asc(const vitk_scsi_result *r, uint8_t asc, int ascq)
{
	return r->status == VITK_SCSI_STATUS_CHECK_CONDITION && r->sense_ok &&
	       r->sense_parsed.asc == asc && (ascq < 0 || r->sense_parsed.ascq == ascq);
}

static uint32_t next_lid(struct eng *e)
{
	return e->lid++;
}

/* ---- host copy ---- */

static int host_alloc(struct eng *e)
{
	size_t want = e->o->host_buffer_bytes ? e->o->host_buffer_bytes : DEFAULT_HOST_BUF;
	uint32_t bs = e->src->info.block_size;
	const vitk_scsi_vpd_block_limits *a = &e->src->info.block_limits;
	const vitk_scsi_vpd_block_limits *b = &e->dst->info.block_limits;
	void *p = NULL;

	if (e->buf)
		return 0;
	if (a->max_transfer_length && (uint64_t)a->max_transfer_length * bs < want)
		want = (size_t)a->max_transfer_length * bs;
	if (b->max_transfer_length && (uint64_t)b->max_transfer_length * bs < want)
		want = (size_t)b->max_transfer_length * bs;
	want -= want % bs;
	if (want < bs)
		want = bs;
	if (posix_memalign(&p, 4096, want) != 0)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "cannot allocate a %zu-byte copy buffer",
				      want);
	e->buf = p;
	e->buf_len = want;
	return 0;
}

static int read_blocks(vitk_odx_dev *d, uint64_t lba, uint32_t n, uint8_t *buf)
{
	uint8_t cdb[16];
	vitk_scsi_result res;
	int r;

	vitk_scsi_cdb_read16(cdb, lba, n);
	r = vitk_odx__exec_ok(d, "READ(16)", cdb, 16, buf, (size_t)n * d->info.block_size, NULL, 0,
			      ODX_TIMEOUT_SHORT_MS, &res);
	if (r < 0)
		return r;
	if (res.din_got != (size_t)n * d->info.block_size)
		return vitk_error_set(VITK_EIO, 0, "%s: READ(16) at LBA %llu returned %zu of %zu bytes",
				      d->name, (unsigned long long)lba, res.din_got,
				      (size_t)n * d->info.block_size);
	return 0;
}

static int write_blocks(vitk_odx_dev *d, uint64_t lba, uint32_t n, const uint8_t *buf)
{
	uint8_t cdb[16];
	vitk_scsi_result res;

	vitk_scsi_cdb_write16(cdb, lba, n);
	return vitk_odx__exec_ok(d, "WRITE(16)", cdb, 16, NULL, 0, buf,
				 (size_t)n * d->info.block_size, ODX_TIMEOUT_SHORT_MS, &res);
}

/*
 * Pipelined host copy for two different transports: a reader thread fills a
 * ring of buffers from the source while this thread writes the previous ones
 * to the destination, so one READ and one WRITE are always in flight.  Each
 * transport is used by one thread only (libiscsi contexts are not
 * thread-safe).  Errors from the reader travel back as code + message.
 */
#define RING 4

struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *buf[RING];
	uint32_t blocks[RING];
	size_t filled, drained; /* counters: slot = n % RING */
	bool stop;
	int err;
	char msg[VITK_ERROR_MESSAGE_MAX];
	vitk_odx_dev *src;
	uint64_t lba, end; /* next source LBA to read, end LBA */
	uint32_t chunk;
};

static void *reader_main(void *arg)
{
	struct ring *g = arg;

	for (;;) {
		uint64_t lba;
		uint32_t n;
		size_t slot;
		int r;

		pthread_mutex_lock(&g->mu);
		while (!g->stop && g->filled - g->drained == RING)
			pthread_cond_wait(&g->cv, &g->mu);
		if (g->stop || g->lba >= g->end) {
			pthread_mutex_unlock(&g->mu);
			break;
		}
		lba = g->lba;
		n = (uint32_t)min64(g->end - lba, g->chunk);
		slot = g->filled % RING;
		pthread_mutex_unlock(&g->mu);
		r = read_blocks(g->src, lba, n, g->buf[slot]);
		pthread_mutex_lock(&g->mu);
		if (r < 0) {
			g->err = r;
			snprintf(g->msg, sizeof(g->msg), "%s", vitk_error_last()->message);
			pthread_cond_broadcast(&g->cv);
			pthread_mutex_unlock(&g->mu);
			break;
		}
		g->blocks[slot] = n;
		g->lba += n;
		g->filled++;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
	}
	return NULL;
}

static int host_copy_pipelined(struct eng *e)
{
	uint32_t bs = e->src->info.block_size;
	struct ring g;
	pthread_t th;
	size_t i;
	int r = 0;

	memset(&g, 0, sizeof(g));
	g.chunk = (uint32_t)min64(e->buf_len / bs, 0xFFFFFFFFu);
	for (i = 0; i < RING; i++) {
		void *p = NULL;

		if (posix_memalign(&p, 4096, (size_t)g.chunk * bs) != 0) {
			r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
			goto free_bufs;
		}
		g.buf[i] = p;
	}
	pthread_mutex_init(&g.mu, NULL);
	pthread_cond_init(&g.cv, NULL);
	g.src = e->src;
	g.lba = e->src_lba + e->done;
	g.end = e->src_lba + e->count;
	if (pthread_create(&th, NULL, reader_main, &g) != 0) {
		r = vitk_error_set(VITK_ERROR, errno, "cannot start the reader thread");
		goto destroy;
	}
	while (e->done < e->count) {
		size_t slot;
		uint32_t n;

		pthread_mutex_lock(&g.mu);
		while (g.filled == g.drained && !g.err)
			pthread_cond_wait(&g.cv, &g.mu);
		if (g.filled == g.drained && g.err) {
			r = vitk_error_set(g.err, 0, "%s", g.msg);
			pthread_mutex_unlock(&g.mu);
			break;
		}
		slot = g.drained % RING;
		n = g.blocks[slot];
		pthread_mutex_unlock(&g.mu);
		r = write_blocks(e->dst, e->dst_lba + e->done, n, g.buf[slot]);
		if (r < 0)
			break;
		pthread_mutex_lock(&g.mu);
		g.drained++;
		pthread_cond_broadcast(&g.cv);
		pthread_mutex_unlock(&g.mu);
		r = advance(e, n, false);
		if (r < 0)
			break;
	}
	pthread_mutex_lock(&g.mu);
	g.stop = true;
	pthread_cond_broadcast(&g.cv);
	pthread_mutex_unlock(&g.mu);
	pthread_join(th, NULL);
destroy:
	pthread_cond_destroy(&g.cv);
	pthread_mutex_destroy(&g.mu);
free_bufs:
	for (i = 0; i < RING; i++)
		free(g.buf[i]);
	return r;
}

/*
 * Multi-stream host copy over iSCSI: STREAMS workers, each with its own
 * source and destination sessions (libiscsi contexts are single-threaded),
 * take chunks in order, so up to STREAMS reads and writes are in flight.
 * Progress is reported (and persisted for --resume) only up to the lowest
 * chunk not yet written, so a resumed job never skips a hole.
 */
#define STREAMS 8
#define MAX_STREAMS 32
#define STREAM_CHUNK (1u << 20) /* larger commands were slower on loopback iSCSI (R2T bursts) */

struct mstream {
	pthread_mutex_t mu;
	struct eng *e;
	uint64_t base;   /* e->done when started */
	uint64_t next;   /* next chunk index to hand out */
	uint64_t nchunks;
	uint64_t chunk;  /* blocks */
	uint8_t *donemap;
	uint64_t water;  /* chunks [0, water) all written */
	bool verify;     /* compare instead of copy */
	uint64_t bad_chunk; /* verify: lowest chunk with a difference (UINT64_MAX: none) */
	uint64_t bad_block; /* verify: first differing block in it (range offset) */
	int err;
	char msg[VITK_ERROR_MESSAGE_MAX];
};

struct worker {
	struct mstream *m;
	vitk_odx_dev src, dst; /* shallow copies using this worker's transports */
	vitk_scsi_transport *ts, *td;
	pthread_t th;
	bool started;
};

static void ms_fail(struct mstream *m, int r)
{
	if (!m->err) {
		m->err = r;
		snprintf(m->msg, sizeof(m->msg), "%s", vitk_error_last()->message);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct mstream *m = w->m;
	struct eng *e = m->e;
	uint32_t bs = e->src->info.block_size;
	uint8_t *buf = NULL, *buf2 = NULL;

	if (posix_memalign((void **)&buf, 4096, (size_t)m->chunk * bs) != 0 ||
	    (m->verify && posix_memalign((void **)&buf2, 4096, (size_t)m->chunk * bs) != 0)) {
		pthread_mutex_lock(&m->mu);
		ms_fail(m, vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory"));
		pthread_mutex_unlock(&m->mu);
		free(buf);
		return NULL;
	}
	for (;;) {
		uint64_t idx, off, n, before;
		int r;

		pthread_mutex_lock(&m->mu);
		/* verify: chunks past a known difference cannot change the answer */
		if (m->err || m->next >= m->nchunks || m->next > m->bad_chunk) {
			pthread_mutex_unlock(&m->mu);
			break;
		}
		idx = m->next++;
		pthread_mutex_unlock(&m->mu);
		off = m->base + idx * m->chunk;
		n = min64(e->count - off, m->chunk);
		r = read_blocks(&w->src, e->src_lba + off, (uint32_t)n, buf);
		if (r == 0 && !m->verify)
			r = write_blocks(&w->dst, e->dst_lba + off, (uint32_t)n, buf);
		if (r == 0 && m->verify)
			r = read_blocks(&w->dst, e->dst_lba + off, (uint32_t)n, buf2);
		pthread_mutex_lock(&m->mu);
		if (r < 0) {
			ms_fail(m, r);
			pthread_mutex_unlock(&m->mu);
			break;
		}
		if (m->verify) {
			if (memcmp(buf, buf2, (size_t)n * bs) != 0 && idx < m->bad_chunk) {
				size_t i;

				for (i = 0; buf[i] == buf2[i]; i++)
					;
				m->bad_chunk = idx;
				m->bad_block = off + i / bs;
			}
			pthread_mutex_unlock(&m->mu);
			continue;
		}
		m->donemap[idx] = 1;
		before = m->water;
		while (m->water < m->nchunks && m->donemap[m->water])
			m->water++;
		if (m->water > before && !m->err) {
			uint64_t upto = min64(m->base + m->water * m->chunk, e->count);

			r = advance(e, upto - e->done, false);
			if (r < 0)
				ms_fail(m, r);
		}
		pthread_mutex_unlock(&m->mu);
	}
	free(buf);
	free(buf2);
	return NULL;
}

/*
 * returns 1 when multi-stream is not possible (caller uses another path);
 * @verify: compare the whole range instead of copying from e->done
 */
static int host_streams(struct eng *e, bool verify)
{
	uint32_t bs = e->src->info.block_size;
	struct worker w[MAX_STREAMS];
	struct mstream m;
	size_t i, nw = 0, want = e->o->host_streams ? e->o->host_streams : STREAMS;
	int r = 0;

	if (!e->src->open_session || !e->dst->open_session || want < 2)
		return 1;
	if (want > MAX_STREAMS)
		want = MAX_STREAMS;
	memset(&m, 0, sizeof(m));
	memset(w, 0, sizeof(w));
	m.e = e;
	m.verify = verify;
	m.bad_chunk = UINT64_MAX;
	m.base = verify ? 0 : e->done;
	m.chunk = min64(e->buf_len, STREAM_CHUNK) / bs;
	if (m.chunk == 0)
		m.chunk = 1;
	m.nchunks = div_up(e->count - m.base, m.chunk);
	if (m.nchunks < 2)
		return 1;
	for (i = 0; i < want && i < m.nchunks; i++) {
		if (e->src->open_session(e->src->session_payload, &w[i].ts) < 0) {
			vitk_error_clear(); /* fewer sessions than wanted: use what we have */
			w[i].ts = NULL;
			break;
		}
		if (e->dst->open_session(e->dst->session_payload, &w[i].td) < 0) {
			vitk_error_clear();
			e->src->close_session(e->src->session_payload, w[i].ts);
			w[i].ts = w[i].td = NULL;
			break;
		}
		w[i].m = &m;
		w[i].src = *e->src;
		w[i].src.t = w[i].ts;
		w[i].dst = *e->dst;
		w[i].dst.t = w[i].td;
		nw++;
	}
	if (nw < 2) {
		r = 1;
		goto out;
	}
	m.donemap = calloc(m.nchunks, 1);
	if (!m.donemap) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	pthread_mutex_init(&m.mu, NULL);
	for (i = 0; i < nw; i++) {
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0) {
			pthread_mutex_lock(&m.mu);
			ms_fail(&m, vitk_error_set(VITK_ERROR, errno, "cannot start a copy thread"));
			pthread_mutex_unlock(&m.mu);
			break;
		}
		w[i].started = true;
	}
	for (i = 0; i < nw; i++)
		if (w[i].started)
			pthread_join(w[i].th, NULL);
	pthread_mutex_destroy(&m.mu);
	if (m.err)
		r = vitk_error_set(m.err, 0, "%s", m.msg);
	else if (verify && m.bad_chunk != UINT64_MAX)
		r = vitk_error_set(VITK_ERROR, 0,
				   "verify: '%s' block %llu differs from '%s' block %llu",
				   e->dst->name, (unsigned long long)(e->dst_lba + m.bad_block),
				   e->src->name, (unsigned long long)(e->src_lba + m.bad_block));
out:
	for (i = 0; i < MAX_STREAMS; i++) {
		if (w[i].ts) {
			e->extra_in += w[i].ts->bytes_in;
			e->extra_out += w[i].ts->bytes_out;
			e->extra_cmds += w[i].ts->commands;
		}
		if (w[i].td) {
			e->extra_in += w[i].td->bytes_in;
			e->extra_out += w[i].td->bytes_out;
			e->extra_cmds += w[i].td->commands;
		}
		if (w[i].ts)
			e->src->close_session(e->src->session_payload, w[i].ts);
		if (w[i].td)
			e->dst->close_session(e->dst->session_payload, w[i].td);
	}
	free(m.donemap);
	return r;
}

static int host_copy(struct eng *e)
{
	uint32_t bs = e->src->info.block_size;
	int r;

	e->cur = VITK_ODX_METHOD_HOST;
	r = host_alloc(e);
	if (r < 0)
		return r;
	if (e->count - e->done > e->buf_len / bs) {
		r = host_streams(e, false);
		if (r != 1)
			return r;
		r = 0;
		if (e->src->t != e->dst->t)
			return host_copy_pipelined(e);
	}
	while (e->done < e->count) {
		uint32_t n = (uint32_t)min64(e->count - e->done, e->buf_len / bs);

		r = read_blocks(e->src, e->src_lba + e->done, n, e->buf);
		if (r < 0)
			return r;
		r = write_blocks(e->dst, e->dst_lba + e->done, n, e->buf);
		if (r < 0)
			return r;
		r = advance(e, n, false);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- token copy ---- */

static unsigned poll_delay(struct eng *e, uint32_t dev_ms)
{
	unsigned cap = e->o->poll_delay_cap_ms ? e->o->poll_delay_cap_ms : DEFAULT_POLL_CAP_MS;

	if (dev_ms == 0 || dev_ms >= 0xFFFFFFFEu)
		return dev_ms == 0 ? 0 : cap;
	return dev_ms < cap ? dev_ms : cap;
}

/*
 * RRTI for @lid until the operation is no longer in progress.
 * Return 0 with @out filled, or < 0.
 */
static int rrti_wait(struct eng *e, vitk_odx_dev *d, uint32_t lid, vitk_scsi_rrti *out)
{
	uint8_t cdb[16], *buf = NULL;
	const size_t cap = 1024;
	vitk_scsi_result res;
	int r = 0, polls;
	int max = e->o->max_polls ? (int)e->o->max_polls : MAX_POLLS;

	buf = malloc(cap);
	if (!buf)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");

	for (polls = 0; polls < max; polls++) {
		vitk_scsi_cdb_receive_copy(cdb, VITK_SCSI_SA_RRTI, lid, (uint32_t)cap);
		r = vitk_odx__exec_ok(d, "RECEIVE ROD TOKEN INFORMATION", cdb, 16, buf, cap, NULL, 0,
				      ODX_TIMEOUT_SHORT_MS, &res);
		if (r < 0)
			goto out;
		r = vitk_scsi_rrti_parse(out, buf, res.din_got);
		if (r == 0)
			r = vitk_scsi_transfer_count_blocks(out->transfer_count_units,
							    out->transfer_count, d->info.block_size,
							    &out->transfer_count);
		if (r < 0) {
			vitk_error_prefix("%s: ", d->name);
			goto out;
		}
		out->transfer_count_units = VITK_SCSI_UNITS_BLOCKS; /* normalised above */
		if (!vitk_scsi_copy_status_in_progress(out->copy_status))
			goto out;
		vitk_odx__sleep_ms(poll_delay(e, out->status_update_delay_ms));
	}
	{
		/* best effort: do not leave the operation running on the array */
		vitk_scsi_result ar;

		vitk_scsi_cdb_copy_operation_abort(cdb, lid);
		if (vitk_odx__exec(d, cdb, 16, NULL, 0, NULL, 0, ODX_TIMEOUT_SHORT_MS, &ar) < 0)
			vitk_error_clear();
	}
	r = vitk_error_set(VITK_ETIMEDOUT, 0,
			   "%s: copy operation %u still in progress after %d polls (aborted)",
			   d->name, lid, max);
out:
	free(buf);
	return r;
}

/*
 * How many blocks a WRITE USING TOKEN that ended with GOOD wrote.  A GOOD
 * status means the write is complete unless RRTI (when the device has it)
 * reports a smaller transfer count; a device that lists no RRTI, or rejects
 * it as an ILLEGAL REQUEST, is taken at its word.
 */
static int wut_written(struct eng *e, vitk_odx_dev *d, uint32_t lid, uint32_t asked,
		       uint64_t *got)
{
	vitk_scsi_rrti info;
	int r;

	*got = asked;
	if (d->info.has_vpd_tpc && d->info.vpd_tpc.has_supported_cmds &&
	    !vitk_scsi_vpd_tpc_has_in(&d->info.vpd_tpc, VITK_SCSI_SA_RRTI))
		return 0;
	r = rrti_wait(e, d, lid, &info);
	if (r == VITK_ESCSI && vitk_error_last()->scsi_sense_key == VITK_SCSI_KEY_ILLEGAL_REQUEST) {
		vitk_error_clear();
		return 0;
	}
	if (r < 0)
		return r;
	if (info.copy_status == VITK_SCSI_COPY_DONE && info.transfer_count == 0)
		return 0; /* devices that do not report a count for GOOD */
	*got = info.transfer_count;
	return 0;
}

enum tok_outcome { TOK_OK = 0, TOK_FALLBACK = 1, TOK_REPOPULATE = 2, TOK_NO_ROOM = 3 };

/*
 * Blocks per WRITE USING TOKEN: like Windows (Microsoft, "Windows Storage
 * Offloaded Data Transfer"; odx/README.md "Facts"), split a ROD into writes of
 * the destination's optimal transfer count (64 MiB when it gives none), at
 * most 256 MiB each, so every command finishes in bounded time and progress
 * (and --resume) advance.
 */
#define WUT_MAX_BYTES (256ull << 20)
#define WUT_DEFAULT_BYTES (64ull << 20) /* no optimal transfer count given */

static uint64_t wut_cap(const vitk_odx_dev *dst)
{
	uint64_t cap = WUT_MAX_BYTES / dst->info.block_size;
	uint64_t otc = dst->info.vpd_tpc.optimal_transfer_count;

	if (!otc)
		otc = WUT_DEFAULT_BYTES / dst->info.block_size;
	if (otc < cap)
		cap = otc;
	return cap ? cap : 1;
}

/*
 * Send PT/WUT with LID walking on OPERATION IN PROGRESS.  On return @res
 * holds the final status and *lid_out the LID used.
 */
static int send_tpc_out(struct eng *e, vitk_odx_dev *d, uint8_t sa, const uint8_t *pl,
			size_t pl_len, uint32_t *lid_out, vitk_scsi_result *res)
{
	uint8_t cdb[16];
	int tries, r;

	for (tries = 0;; tries++) {
		uint32_t lid = next_lid(e);

		if (sa == VITK_SCSI_SA_POPULATE_TOKEN)
			vitk_scsi_cdb_populate_token(cdb, lid, (uint32_t)pl_len, 0);
		else
			vitk_scsi_cdb_write_using_token(cdb, lid, (uint32_t)pl_len, 0);
		r = vitk_odx__exec(d, cdb, 16, NULL, 0, pl, pl_len, ODX_TIMEOUT_LONG_MS, res);
		if (r < 0)
			return r;
		*lid_out = lid;
		if (is_asc(res, 0x00, 0x16) && tries < ODX_LID_RETRIES) {
			vitk_log(VITK_LOG_DEBUG, "odx", "%s: list id %u busy, trying the next", d->name,
				 lid);
			continue;
		}
		return 0;
	}
}

/* POPULATE TOKEN of the one range @rg of @d (inactivity timeout: token_ito()) */
static int send_pt(struct eng *e, vitk_odx_dev *d, const vitk_scsi_range *rg, uint32_t *lid,
		   vitk_scsi_result *res)
{
	uint8_t pl[VITK_SCSI_WUT_HDR_LEN + 16];
	int n;

	n = vitk_scsi_populate_token_build(pl, sizeof(pl), false, 0, token_ito(d, e->o), rg, 1);
	if (n < 0)
		return n;
	return send_tpc_out(e, d, VITK_SCSI_SA_POPULATE_TOKEN, pl, (size_t)n, lid, res);
}

/*
 * WRITE USING TOKEN of @token from @rod_off blocks into it to the one range @wr
 * of @d; @del_tkn: the copy manager deletes the token when the command ends
 * (SBC-4 DEL_TKN), set on the write that asks for the rest of the ROD.
 */
static int send_wut(struct eng *e, vitk_odx_dev *d, uint64_t rod_off, const uint8_t *token,
		    const vitk_scsi_range *wr, bool del_tkn, uint32_t *lid, vitk_scsi_result *res)
{
	uint8_t pl[VITK_SCSI_WUT_HDR_LEN + 16];
	int n;

	n = vitk_scsi_write_using_token_build(pl, sizeof(pl), false, del_tkn, rod_off, token, wr, 1);
	if (n < 0)
		return n;
	return send_tpc_out(e, d, VITK_SCSI_SA_WRITE_USING_TOKEN, pl, (size_t)n, lid, res);
}

static void sense_reason(char *buf, size_t len, const char *what, const vitk_scsi_result *res)
{
	char desc[160];

	vitk_odx__describe(desc, sizeof(desc), res);
	snprintf(buf, len, "%s failed: %s", what, desc);
}

/* One PT and the WUTs that drain it.  Returns TOK_* or < 0. */
/*
 * Stuck, refused or garbage (timeout, check condition, malformed data): the
 * device answered and the host can still copy; its message becomes the reason.
 */
static bool device_gave_up(int r, char *why, size_t wlen)
{
	if (r != VITK_ETIMEDOUT && r != VITK_ESCSI && r != VITK_EINVAL)
		return false;
	copy_str(why, wlen, vitk_error_last()->message);
	vitk_error_clear();
	return true;
}

static int token_round(struct eng *e, uint64_t bpc, uint64_t wut_max, char *why, size_t wlen)
{
	uint8_t token[VITK_SCSI_ROD_TOKEN_LEN];
	vitk_scsi_rrti info;
	vitk_scsi_result res;
	vitk_scsi_range rg;
	uint64_t represented, rod_off = 0;
	uint32_t lid;
	int r, stalls = 0;

	rg.lba = e->src_lba + e->done;
	rg.blocks = (uint32_t)min64(e->count - e->done, bpc);
	r = send_pt(e, e->src, &rg, &lid, &res);
	if (r < 0)
		return r;
	if (res.status != VITK_SCSI_STATUS_GOOD) {
		sense_reason(why, wlen, "POPULATE TOKEN", &res);
		/* the token table is full: tokens expire, so wait (token_copy) */
		return is_asc(&res, 0x55, 0x0D) ? TOK_NO_ROOM : TOK_FALLBACK;
	}
	r = rrti_wait(e, e->src, lid, &info);
	if (device_gave_up(r, why, wlen))
		return TOK_FALLBACK;
	if (r < 0)
		return r;
	if (info.copy_status != VITK_SCSI_COPY_DONE && info.copy_status != VITK_SCSI_COPY_DONE_PARTIAL &&
	    info.copy_status != VITK_SCSI_COPY_DONE_RESIDUAL) {
		snprintf(why, wlen, "POPULATE TOKEN ended with copy status 0x%02x",
			 info.copy_status);
		return TOK_FALLBACK;
	}
	if (!info.has_token) {
		snprintf(why, wlen, "RECEIVE ROD TOKEN INFORMATION returned no ROD token");
		return TOK_FALLBACK;
	}
	represented = info.transfer_count;
	if (represented == 0 || represented > rg.blocks) {
		snprintf(why, wlen, "POPULATE TOKEN transfer count %llu for %u blocks requested",
			 (unsigned long long)represented, rg.blocks);
		return TOK_FALLBACK;
	}
	memcpy(token, info.token, sizeof(token));

	while (rod_off < represented) {
		vitk_scsi_range wr;
		uint64_t got;

		wr.lba = e->dst_lba + e->done;
		wr.blocks = (uint32_t)min64(represented - rod_off, min64(wut_cap(e->dst), wut_max));
		r = send_wut(e, e->dst, rod_off, token, &wr, rod_off + wr.blocks == represented, &lid,
			     &res);
		if (r < 0)
			return r;
		if (res.status != VITK_SCSI_STATUS_GOOD) {
			sense_reason(why, wlen, "WRITE USING TOKEN", &res);
			/* a continuation with an invalidated token: populate a fresh one */
			if (rod_off > 0 && is_asc(&res, 0x23, -1))
				return TOK_REPOPULATE;
			return TOK_FALLBACK;
		}
		r = wut_written(e, e->dst, lid, wr.blocks, &got);
		if (device_gave_up(r, why, wlen))
			return TOK_FALLBACK;
		if (r < 0)
			return r;
		if (got > wr.blocks) {
			snprintf(why, wlen,
				 "WRITE USING TOKEN reported %llu blocks written for %u requested",
				 (unsigned long long)got, wr.blocks);
			return TOK_FALLBACK;
		}
		if (got == 0) {
			if (++stalls >= 2) {
				snprintf(why, wlen,
					 "WRITE USING TOKEN made no progress (transfer count 0)");
				return TOK_FALLBACK;
			}
			continue;
		}
		stalls = 0;
		rod_off += got;
		r = advance(e, got, true);
		if (r < 0)
			return r;
	}
	return TOK_OK;
}

/*
 * How long a copy waits for room in a full token table (55h/0Dh) before it
 * falls back to the host: the tokens of earlier copies expire after their
 * inactivity timeout (SPC-4 has no command that releases a ROD token; DEL_TKN
 * of WRITE USING TOKEN is the only early delete), so wait for about one
 * timeout -- the one this copy asks for, else the device default -- plus a
 * little, and never longer than ODX_NO_ROOM_MAX_S.
 */
#define ODX_NO_ROOM_SLACK_S 5u
#define ODX_NO_ROOM_MAX_S 120u

static uint64_t no_room_wait_ns(const vitk_odx_dev *src, const vitk_odx_copy_options *o)
{
	uint64_t s = token_ito(src, o);

	if (!s)
		s = src->info.vpd_tpc.default_inactivity_timeout;
	if (!s)
		s = 60;
	s += ODX_NO_ROOM_SLACK_S;
	if (s > ODX_NO_ROOM_MAX_S)
		s = ODX_NO_ROOM_MAX_S;
	return s * 1000000000ull;
}

static int token_copy(struct eng *e, const vitk_odx_plan *p)
{
	char why[ODX_WHY_MAX];
	uint64_t pt_blocks = token_pt_blocks(e->src, e->dst), deadline = 0;
	uint64_t wut_max = e->o->max_blocks_per_command ? e->o->max_blocks_per_command : UINT32_MAX;
	int r;

	(void)p;
	e->cur = VITK_ODX_METHOD_TOKEN;
	while (e->done < e->count) {
		r = token_round(e, pt_blocks, wut_max, why, sizeof(why));
		if (r < 0)
			return r;
		if (r == TOK_REPOPULATE)
			continue;
		if (r == TOK_NO_ROOM) {
			uint64_t now = vitk_now_ns();

			if (!deadline)
				deadline = now + no_room_wait_ns(e->src, e->o);
			if (now < deadline) {
				vitk_log(VITK_LOG_DEBUG, "odx",
					 "%s: no room for a ROD token, waiting for tokens to expire",
					 e->src->name);
				vitk_odx__sleep_ms(poll_delay(e, 1000));
				continue;
			}
			r = TOK_FALLBACK;
		} else if (r == TOK_OK) {
			deadline = 0;
		}
		if (r == TOK_FALLBACK) {
			fallback(e, VITK_ODX_METHOD_TOKEN, VITK_ODX_METHOD_HOST, "%s", why);
			return host_copy(e);
		}
	}
	return 0;
}

/* ---- EXTENDED COPY ---- */

static int xcopy_copy(struct eng *e, const vitk_odx_plan *p)
{
	uint64_t seg_blocks = xcopy_blocks_per_seg(e->dst, e->o);
	size_t nseg_max = xcopy_segs_per_cmd(e->dst, e->o);
	vitk_scsi_segment *segs = NULL;
	uint8_t cscd[64], *pl = NULL, cdb[16];
	size_t pl_cap;
	vitk_scsi_result res;
	int r = 0;

	(void)p;
	e->cur = VITK_ODX_METHOD_XCOPY;
	segs = calloc(nseg_max, sizeof(*segs));
	pl_cap = 16 + 64 + nseg_max * VITK_SCSI_SEG02_LEN;
	pl = malloc(pl_cap);
	if (!segs || !pl) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	r = vitk_scsi_cscd_e4_build(cscd, &e->src->info.designator, e->src->info.block_size);
	if (r >= 0)
		r = vitk_scsi_cscd_e4_build(cscd + 32, &e->dst->info.designator,
					    e->dst->info.block_size);
	if (r < 0)
		goto out;
	while (e->done < e->count) {
		uint64_t off = e->done, cmd_blocks = 0;
		size_t nseg = 0;
		int tries, n;

		while (nseg < nseg_max && off < e->count) {
			uint64_t b = min64(e->count - off, seg_blocks);

			memset(&segs[nseg], 0, sizeof(segs[nseg]));
			segs[nseg].type = 0x02;
			segs[nseg].src_index = 0;
			segs[nseg].dst_index = 1;
			segs[nseg].count = (uint32_t)b;
			segs[nseg].src_lba = e->src_lba + off;
			segs[nseg].dst_lba = e->dst_lba + off;
			off += b;
			cmd_blocks += b;
			nseg++;
		}
		for (tries = 0;; tries++) {
			uint8_t lid = e->lid1;

			e->lid1 = (uint8_t)(e->lid1 == 0xFF ? 1 : e->lid1 + 1);
			n = vitk_scsi_xcopy_lid1_build(pl, pl_cap, lid, VITK_SCSI_LIST_ID_USAGE_DISCARD,
						       0, cscd, 2, segs, nseg);
			if (n < 0) {
				r = n;
				goto out;
			}
			vitk_scsi_cdb_extended_copy_lid1(cdb, (uint32_t)n);
			r = vitk_odx__exec(e->dst, cdb, 16, NULL, 0, pl, (size_t)n,
					   ODX_TIMEOUT_LONG_MS, &res);
			if (r < 0)
				goto out;
			if (is_asc(&res, 0x00, 0x16) && tries < ODX_LID_RETRIES)
				continue;
			break;
		}
		if (res.status != VITK_SCSI_STATUS_GOOD) {
			char why[ODX_WHY_MAX];

			sense_reason(why, sizeof(why), "EXTENDED COPY", &res);
			fallback(e, VITK_ODX_METHOD_XCOPY, VITK_ODX_METHOD_HOST, "%s", why);
			r = host_copy(e);
			goto out;
		}
		r = advance(e, cmd_blocks, true);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	free(segs);
	free(pl);
	return r;
}

/* ---- verify ---- */

static int verify(struct eng *e)
{
	uint32_t bs = e->src->info.block_size;
	uint8_t *b2 = NULL;
	uint64_t off = 0;
	uint64_t in0 = e->src->t->bytes_in + (e->dst->t != e->src->t ? e->dst->t->bytes_in : 0);
	int r;

	r = host_alloc(e);
	if (r < 0)
		return r;
	if (e->count > e->buf_len / bs) {
		uint64_t x0 = e->extra_in;

		r = host_streams(e, true);
		if (r != 1) {
			e->res->verify_bytes = e->extra_in - x0;
			if (r == 0)
				e->res->verified = true;
			return r;
		}
	}
	if (posix_memalign((void **)&b2, 4096, e->buf_len) != 0)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	while (off < e->count) {
		uint32_t n = (uint32_t)min64(e->count - off, e->buf_len / bs);
		size_t i;

		r = read_blocks(e->src, e->src_lba + off, n, e->buf);
		if (r < 0)
			goto out;
		r = read_blocks(e->dst, e->dst_lba + off, n, b2);
		if (r < 0)
			goto out;
		if (memcmp(e->buf, b2, (size_t)n * bs) != 0) {
			for (i = 0; i < (size_t)n * bs && e->buf[i] == b2[i]; i++)
				;
			r = vitk_error_set(VITK_ERROR, 0,
					   "verify: '%s' block %llu differs from '%s' block %llu",
					   e->dst->name,
					   (unsigned long long)(e->dst_lba + off + i / bs),
					   e->src->name,
					   (unsigned long long)(e->src_lba + off + i / bs));
			goto out;
		}
		off += n;
	}
	e->res->verified = true;
out:
	e->res->verify_bytes = e->src->t->bytes_in +
			       (e->dst->t != e->src->t ? e->dst->t->bytes_in : 0) - in0;
	free(b2);
	return r;
}

static void snap(const vitk_odx_dev *a, const vitk_odx_dev *b, struct ctr *c)
{
	c->in = a->t->bytes_in;
	c->out = a->t->bytes_out;
	c->cmds = a->t->commands;
	if (b && b->t != a->t) {
		c->in += b->t->bytes_in;
		c->out += b->t->bytes_out;
		c->cmds += b->t->commands;
	}
}

/* bytes that crossed the host's transports between @c0 and @c1 (plus extra sessions) */
static void account(vitk_odx_copy_result *res, const struct ctr *c0, const struct ctr *c1,
		    const struct eng *e)
{
	res->host_bytes_in = c1->in - c0->in + e->extra_in;
	res->host_bytes_out = c1->out - c0->out + e->extra_out;
	res->host_bytes = res->host_bytes_in + res->host_bytes_out;
	res->commands = c1->cmds - c0->cmds + e->extra_cmds;
}

int vitk_odx_copy(vitk_odx_copy_result *res, vitk_odx_plan *plan_out, vitk_odx_dev *src,
		  vitk_odx_dev *dst, const vitk_odx_copy_options *o)
{
	static const vitk_odx_copy_options defaults = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_plan plan;
	struct eng e;
	struct ctr c0, c1;
	int r;

	if (!o)
		o = &defaults;
	memset(res, 0, sizeof(*res));
	memset(&e, 0, sizeof(e));
	r = vitk_odx_plan_make(&plan, src, dst, o);
	if (r < 0)
		goto out;
	res->method = plan.chosen;
	if (!o->force) {
		r = vitk_odx_dev_check_in_use(dst);
		if (r < 0) {
			r = vitk_error_prefix("refusing to write (use --force): ");
			goto out;
		}
	}
	e.src = src;
	e.dst = dst;
	e.o = o;
	e.res = res;
	e.src_lba = plan.src_lba;
	e.dst_lba = plan.dst_lba;
	e.count = plan.count;
	e.done = e.start_done = o->resume_blocks;
	e.lid = TOKEN_LID_BASE;
	e.lid1 = 1;
	e.t0 = vitk_now_ns();
	snap(src, dst, &c0);
	e.c0 = c0;
	e.ca = src;
	e.cb = dst;
	e.live = true;
	switch (plan.chosen) {
	case VITK_ODX_METHOD_TOKEN:
		r = token_copy(&e, &plan);
		break;
	case VITK_ODX_METHOD_XCOPY:
		r = xcopy_copy(&e, &plan);
		break;
	default:
		r = host_copy(&e);
		break;
	}
	snap(src, dst, &c1);
	account(res, &c0, &c1, &e);
	if (r == 0 && o->verify)
		r = verify(&e);
	res->duration_ns = vitk_now_ns() - e.t0;
	free(e.buf);
out:
	if (plan_out)
		*plan_out = plan;
	else
		vitk_odx_plan_clear(&plan);
	return r;
}

/* ------------------------------------------------------------------ zero */

static int zero_write_same(struct eng *e, vitk_odx_dev *d)
{
	uint32_t bs = d->info.block_size;
	uint64_t max = d->info.block_limits.max_write_same_length;
	uint8_t *blk = NULL, cdb[16];
	vitk_scsi_result res;
	int r = 0;

	if (max == 0 || max > 0xFFFFFFFFull)
		max = 65535; /* conservative when the device does not say */
	if (e->o->max_blocks_per_command)
		max = min64(max, e->o->max_blocks_per_command);
	blk = calloc(1, bs);
	if (!blk)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	e->cur = VITK_ODX_METHOD_WRITE_SAME;
	while (e->done < e->count) {
		uint32_t n = (uint32_t)min64(e->count - e->done, max);

		vitk_scsi_cdb_write_same16(cdb, e->dst_lba + e->done, n);
		r = vitk_odx__exec(d, cdb, 16, NULL, 0, blk, bs, ODX_TIMEOUT_LONG_MS, &res);
		if (r < 0)
			goto out;
		if (res.status != VITK_SCSI_STATUS_GOOD) {
			char why[ODX_WHY_MAX];

			sense_reason(why, sizeof(why), "WRITE SAME(16)", &res);
			fallback(e, VITK_ODX_METHOD_WRITE_SAME, VITK_ODX_METHOD_HOST, "%s", why);
			r = 1;
			goto out;
		}
		r = advance(e, n, true);
		if (r < 0)
			goto out;
	}
out:
	free(blk);
	return r;
}

static int zero_host(struct eng *e, vitk_odx_dev *d)
{
	uint32_t bs = d->info.block_size;
	int r;

	e->cur = VITK_ODX_METHOD_HOST;
	r = host_alloc(e);
	if (r < 0)
		return r;
	memset(e->buf, 0, e->buf_len);
	while (e->done < e->count) {
		uint32_t n = (uint32_t)min64(e->count - e->done, e->buf_len / bs);

		r = write_blocks(d, e->dst_lba + e->done, n, e->buf);
		if (r < 0)
			return r;
		r = advance(e, n, false);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool zero_token_usable(const vitk_odx_dev *d, char *why, size_t wlen)
{
	const vitk_scsi_vpd_tpc *t = &d->info.vpd_tpc;
	size_t i;

	if (!d->info.tpc) {
		snprintf(why, wlen, "device has no 3PC bit");
		return false;
	}
	if (!d->info.has_vpd_tpc || !t->has_rod_limits) {
		snprintf(why, wlen, "device has no block device ROD token limits in VPD 0x8F");
		return false;
	}
	if (!vitk_scsi_vpd_tpc_has_out(t, VITK_SCSI_SA_WRITE_USING_TOKEN)) {
		snprintf(why, wlen, "WRITE USING TOKEN not in Supported Commands");
		return false;
	}
	if (t->has_rod_types) {
		for (i = 0; i < t->nrod_types; i++)
			if (t->rod_types[i].rod_type == VITK_SCSI_ROD_TYPE_ZERO)
				return true;
		snprintf(why, wlen, "block device zero ROD type not listed in VPD 0x8F");
		return false;
	}
	return true;
}

int vitk_odx_zero(vitk_odx_copy_result *res, vitk_odx_dev *d, uint64_t lba, uint64_t count,
		  const vitk_odx_copy_options *o)
{
	static const vitk_odx_copy_options defaults = VITK_ODX_COPY_OPTIONS_INIT;
	char why[ODX_WHY_MAX];
	uint8_t token[VITK_SCSI_ROD_TOKEN_LEN];
	struct eng e;
	struct ctr c0, c1;
	int r = 0;

	if (!o)
		o = &defaults;
	memset(res, 0, sizeof(*res));
	memset(&e, 0, sizeof(e));
	if (count == 0)
		return vitk_error_set(VITK_EINVAL, 0, "zero: --count is 0");
	if (lba >= d->info.blocks || count > d->info.blocks - lba)
		return vitk_error_set(VITK_ERANGE, 0,
				      "range %llu+%llu is past the capacity of '%s' (%llu blocks)",
				      (unsigned long long)lba, (unsigned long long)count, d->name,
				      (unsigned long long)d->info.blocks);
	if (!o->force) {
		r = vitk_odx_dev_check_in_use(d);
		if (r < 0)
			return vitk_error_prefix("refusing to write (use --force): ");
	}
	e.src = e.dst = d;
	e.o = o;
	e.res = res;
	e.dst_lba = e.src_lba = lba;
	e.count = count;
	e.lid = TOKEN_LID_BASE;
	e.t0 = vitk_now_ns();
	snap(d, NULL, &c0);
	e.c0 = c0;
	e.ca = d;
	e.cb = NULL;
	e.live = true;
	vitk_scsi_rod_token_zero(token);
	if (zero_token_usable(d, why, sizeof(why))) {
		uint64_t max = d->info.vpd_tpc.max_token_transfer_size;

		if (max == 0 || max > 0xFFFFFFFFull)
			max = 0xFFFFFFFFull;
		max = min64(max, wut_cap(d));
		if (o->max_blocks_per_command)
			max = min64(max, o->max_blocks_per_command);
		res->method = VITK_ODX_METHOD_TOKEN;
		e.cur = VITK_ODX_METHOD_TOKEN;
		while (e.done < e.count) {
			vitk_scsi_range wr = { lba + e.done, (uint32_t)min64(e.count - e.done, max) };
			vitk_scsi_result sr;
			uint64_t got;
			uint32_t lid;

			r = send_wut(&e, d, 0, token, &wr, false, &lid, &sr);
			if (r < 0)
				goto out;
			if (sr.status != VITK_SCSI_STATUS_GOOD) {
				sense_reason(why, sizeof(why), "WRITE USING TOKEN (zero ROD token)",
					     &sr);
				fallback(&e, VITK_ODX_METHOD_TOKEN, VITK_ODX_METHOD_WRITE_SAME, "%s",
					 why);
				break;
			}
			/* the copy manager may truncate: the transfer count says how much */
			r = wut_written(&e, d, lid, wr.blocks, &got);
			if (r < 0)
				goto out;
			if (got == 0 || got > wr.blocks) {
				snprintf(why, sizeof(why),
					 "WRITE USING TOKEN (zero ROD token) transfer count %llu for %u "
					 "blocks",
					 (unsigned long long)got, wr.blocks);
				fallback(&e, VITK_ODX_METHOD_TOKEN, VITK_ODX_METHOD_WRITE_SAME, "%s",
					 why);
				break;
			}
			r = advance(&e, got, true);
			if (r < 0)
				goto out;
		}
	} else {
		res->method = VITK_ODX_METHOD_WRITE_SAME;
		fallback(&e, VITK_ODX_METHOD_TOKEN, VITK_ODX_METHOD_WRITE_SAME, "%s", why);
	}
	if (e.done < e.count) {
		if (res->method == VITK_ODX_METHOD_TOKEN && e.done == 0)
			res->method = VITK_ODX_METHOD_WRITE_SAME;
		r = zero_write_same(&e, d);
		if (r < 0)
			goto out;
		if (r == 1) {
			if (e.done == 0)
				res->method = VITK_ODX_METHOD_HOST;
			r = zero_host(&e, d);
		}
	}
out:
	snap(d, NULL, &c1);
	account(res, &c0, &c1, &e);
	res->duration_ns = vitk_now_ns() - e.t0;
	free(e.buf);
	return r;
}

/* ----------------------------------------------------------- token files */

void vitk_odx_token_list_free(vitk_odx_token_list *l)
{
	if (!l)
		return;
	free(l->items);
	free(l);
}

int vitk_odx_token_list_parse(vitk_odx_token_list **out, const uint8_t *buf, size_t len)
{
	vitk_odx_token_list *l = NULL;
	size_t i, n;
	int r = 0;

	*out = NULL;
	if (len == 0 || len % VITK_ODX_TOKEN_RECORD_LEN)
		return vitk_error_set(VITK_EINVAL, 0,
				      "token file: size %zu is not a multiple of %d bytes (512-byte "
				      "token + 8-byte length)",
				      len, VITK_ODX_TOKEN_RECORD_LEN);
	n = len / VITK_ODX_TOKEN_RECORD_LEN;
	if (n > 65536)
		return vitk_error_set(VITK_EINVAL, 0, "token file: %zu tokens (at most 65536)", n);
	l = calloc(1, sizeof(*l));
	if (l)
		l->items = calloc(n, sizeof(*l->items));
	if (!l || !l->items) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *p = buf + i * VITK_ODX_TOKEN_RECORD_LEN;

		memcpy(l->items[i].token, p, VITK_SCSI_ROD_TOKEN_LEN);
		l->items[i].bytes = vitk_get_be64(p + VITK_SCSI_ROD_TOKEN_LEN);
		r = vitk_scsi_rod_token_parse(&l->items[i].parsed, p, VITK_SCSI_ROD_TOKEN_LEN);
		if (r < 0) {
			vitk_error_prefix("token file: record %zu: ", i);
			goto out;
		}
		if (l->items[i].bytes == 0) {
			r = vitk_error_set(VITK_EINVAL, 0, "token file: record %zu represents 0 bytes",
					   i);
			goto out;
		}
	}
	l->count = n;
	*out = l;
	l = NULL;
out:
	vitk_odx_token_list_free(l);
	return r;
}

int vitk_odx_token_file_read(vitk_odx_token_list **out, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	r = vitk_read_file(path, 65536u * VITK_ODX_TOKEN_RECORD_LEN, &buf, &len);
	if (r < 0)
		return r;
	r = vitk_odx_token_list_parse(out, (const uint8_t *)buf, len);
	if (r < 0)
		vitk_error_prefix("'%s': ", path);
	free(buf);
	return r;
}

int vitk_odx_token_create(vitk_odx_copy_result *res, vitk_odx_dev *d, uint64_t lba,
			  uint64_t count, const char *path, const vitk_odx_copy_options *o)
{
	static const vitk_odx_copy_options defaults = VITK_ODX_COPY_OPTIONS_INIT;
	uint8_t rec[VITK_ODX_TOKEN_RECORD_LEN];
	struct eng e;
	FILE *f = NULL;
	uint64_t max;
	struct ctr c0, c1;
	char why[ODX_WHY_MAX];
	int r = 0;

	if (!o)
		o = &defaults;
	memset(res, 0, sizeof(*res));
	memset(&e, 0, sizeof(e));
	if (lba >= d->info.blocks)
		return vitk_error_set(VITK_ERANGE, 0, "LBA %llu is past the end of '%s'",
				      (unsigned long long)lba, d->name);
	if (count == 0)
		count = d->info.blocks - lba;
	if (count > d->info.blocks - lba)
		return vitk_error_set(VITK_ERANGE, 0, "range %llu+%llu is past the end of '%s'",
				      (unsigned long long)lba, (unsigned long long)count, d->name);
	if (!d->info.tpc || !vitk_scsi_vpd_tpc_has_out(&d->info.vpd_tpc,
						       VITK_SCSI_SA_POPULATE_TOKEN))
		return vitk_error_set(VITK_ENOTSUP, 0,
				      "'%s' does not support POPULATE TOKEN (3PC bit %s, VPD 0x8F %s)",
				      d->name, d->info.tpc ? "set" : "clear",
				      d->info.has_vpd_tpc ? "present" : "absent");
	if (o->inactivity_timeout_s && d->info.vpd_tpc.max_inactivity_timeout &&
	    o->inactivity_timeout_s > d->info.vpd_tpc.max_inactivity_timeout)
		return vitk_error_set(VITK_EINVAL, 0,
				      "inactivity timeout %u s exceeds the maximum %u s of '%s'",
				      o->inactivity_timeout_s,
				      d->info.vpd_tpc.max_inactivity_timeout, d->name);
	max = d->info.vpd_tpc.max_token_transfer_size;
	if (max == 0 || max > 0xFFFFFFFFull)
		max = 0xFFFFFFFFull;
	if (o->max_blocks_per_command)
		max = min64(max, o->max_blocks_per_command);
	f = fopen(path, "wbx");
	if (!f)
		return vitk_error_set(errno == EEXIST ? VITK_EINVAL : VITK_EIO, errno,
				      "cannot create token file '%s'", path);
	e.src = e.dst = d;
	e.o = o;
	e.res = res;
	e.src_lba = e.dst_lba = lba;
	e.count = count;
	e.lid = TOKEN_LID_BASE;
	e.t0 = vitk_now_ns();
	e.cur = VITK_ODX_METHOD_TOKEN;
	res->method = VITK_ODX_METHOD_TOKEN;
	snap(d, NULL, &c0);
	while (e.done < e.count) {
		vitk_scsi_range rg = { lba + e.done, (uint32_t)min64(e.count - e.done, max) };
		vitk_scsi_result sr;
		vitk_scsi_rrti info;
		uint32_t lid;

		r = send_pt(&e, d, &rg, &lid, &sr);
		if (r < 0)
			goto out;
		if (sr.status != VITK_SCSI_STATUS_GOOD) {
			sense_reason(why, sizeof(why), "POPULATE TOKEN", &sr);
			r = vitk_error_set_scsi(sr.status, sr.sense_parsed.sense_key,
						sr.sense_parsed.asc, sr.sense_parsed.ascq, "%s: %s",
						d->name, why);
			goto out;
		}
		r = rrti_wait(&e, d, lid, &info);
		if (r < 0)
			goto out;
		if (!info.has_token || info.transfer_count == 0 || info.transfer_count > rg.blocks) {
			r = vitk_error_set(VITK_EIO, 0,
					   "%s: RRTI after POPULATE TOKEN: status 0x%02x, %s, transfer "
					   "count %llu",
					   d->name, info.copy_status,
					   info.has_token ? "token" : "no token",
					   (unsigned long long)info.transfer_count);
			goto out;
		}
		memcpy(rec, info.token, VITK_SCSI_ROD_TOKEN_LEN);
		vitk_put_be64(rec + VITK_SCSI_ROD_TOKEN_LEN, info.transfer_count * d->info.block_size);
		if (fwrite(rec, 1, sizeof(rec), f) != sizeof(rec)) {
			r = vitk_error_set(VITK_EIO, errno, "cannot write token file '%s'", path);
			goto out;
		}
		r = advance(&e, info.transfer_count, true);
		if (r < 0)
			goto out;
	}
out:
	if (f && fclose(f) != 0 && r == 0)
		r = vitk_error_set(VITK_EIO, errno, "cannot write token file '%s'", path);
	if (r < 0)
		remove(path);
	snap(d, NULL, &c1);
	account(res, &c0, &c1, &e);
	res->duration_ns = vitk_now_ns() - e.t0;
	return r;
}

int vitk_odx_token_write(vitk_odx_copy_result *res, vitk_odx_dev *d, const char *path,
			 uint64_t lba, const vitk_odx_copy_options *o)
{
	static const vitk_odx_copy_options defaults = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_token_list *l = NULL;
	struct eng e;
	uint64_t total = 0;
	struct ctr c0, c1;
	uint32_t bs = d->info.block_size;
	size_t i;
	int r;

	if (!o)
		o = &defaults;
	memset(res, 0, sizeof(*res));
	memset(&e, 0, sizeof(e));
	r = vitk_odx_token_file_read(&l, path);
	if (r < 0)
		return r;
	for (i = 0; i < l->count; i++) {
		if (l->items[i].bytes % bs) {
			r = vitk_error_set(VITK_EINVAL, 0,
					   "token %zu represents %llu bytes, not a multiple of the "
					   "block size %u of '%s'",
					   i, (unsigned long long)l->items[i].bytes, bs, d->name);
			goto out;
		}
		total += l->items[i].bytes / bs;
	}
	if (lba >= d->info.blocks || total > d->info.blocks - lba) {
		r = vitk_error_set(VITK_ERANGE, 0,
				   "tokens represent %llu blocks; %llu+%llu is past the capacity of "
				   "'%s' (%llu blocks)",
				   (unsigned long long)total, (unsigned long long)lba,
				   (unsigned long long)total, d->name,
				   (unsigned long long)d->info.blocks);
		goto out;
	}
	if (!o->force) {
		r = vitk_odx_dev_check_in_use(d);
		if (r < 0) {
			vitk_error_prefix("refusing to write (use --force): ");
			goto out;
		}
	}
	e.src = e.dst = d;
	e.o = o;
	e.res = res;
	e.src_lba = e.dst_lba = lba;
	e.count = total;
	e.lid = TOKEN_LID_BASE + 0x1000;
	e.t0 = vitk_now_ns();
	e.cur = VITK_ODX_METHOD_TOKEN;
	res->method = VITK_ODX_METHOD_TOKEN;
	snap(d, NULL, &c0);
	for (i = 0; i < l->count; i++) {
		uint64_t blocks = l->items[i].bytes / bs, rod_off = 0;
		int stalls = 0;

		while (rod_off < blocks) {
			vitk_scsi_range wr = { lba + e.done,
					       (uint32_t)min64(blocks - rod_off, wut_cap(d)) };
			vitk_scsi_result sr;
			uint32_t lid;
			uint64_t got;

			r = send_wut(&e, d, rod_off, l->items[i].token, &wr, false, &lid, &sr);
			if (r < 0)
				goto done;
			if (sr.status != VITK_SCSI_STATUS_GOOD) {
				char why[ODX_WHY_MAX];

				sense_reason(why, sizeof(why), "WRITE USING TOKEN", &sr);
				r = vitk_error_set_scsi(sr.status, sr.sense_parsed.sense_key,
							sr.sense_parsed.asc, sr.sense_parsed.ascq,
							"%s: token %zu: %s", d->name, i, why);
				goto done;
			}
			r = wut_written(&e, d, lid, wr.blocks, &got);
			if (r < 0)
				goto done;
			if (got > wr.blocks || (got == 0 && ++stalls >= 2)) {
				r = vitk_error_set(VITK_EIO, 0,
						   "%s: token %zu: WRITE USING TOKEN transfer count "
						   "%llu for %u blocks",
						   d->name, i, (unsigned long long)got, wr.blocks);
				goto done;
			}
			rod_off += got;
			r = advance(&e, got, true);
			if (r < 0)
				goto done;
		}
	}
done:
	snap(d, NULL, &c1);
	account(res, &c0, &c1, &e);
	res->duration_ns = vitk_now_ns() - e.t0;
out:
	vitk_odx_token_list_free(l);
	return r;
}
