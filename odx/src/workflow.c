/* SPDX-License-Identifier: MIT */
/*
 * The workflows an embedder runs by device name: a recorded (resumable) copy
 * job, zeroing, token files and the probe of several devices with a verdict
 * per pair.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/inventory.h>

#include "odx_internal.h"

#define PERSIST_INTERVAL_NS 250000000ull /* blocks_done at most ~4 times a second */

static int open_named(const vitk_odx_opener *op, const char *name, bool read_only,
		      vitk_odx_dev **out)
{
	vitk_odx_open_options o = VITK_ODX_OPEN_OPTIONS_INIT;

	if (op && op->open)
		return op->open(op->payload, name, read_only, out);
	if (op && op->options)
		o = *op->options;
	o.read_only = read_only;
	return vitk_odx_dev_open(out, name, &o);
}

static int dup_str(char **dst, const char *src)
{
	free(*dst);
	*dst = strdup(src ? src : "");
	return *dst ? 0 : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

/* a device name as it is stored and shown: an iscsi:// URL loses its password */
static int dup_shown(char **dst, const char *name)
{
	free(*dst);
	*dst = vitk_scsi_url_redact(name ? name : "");
	return *dst ? 0 : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

static int fail(vitk_odx_job_result *out, vitk_odx_stage stage, const char *name, int r)
{
	out->failed = stage;
	out->failed_name = name;
	return r;
}

void vitk_odx_job_result_clear(vitk_odx_job_result *r)
{
	if (!r)
		return;
	vitk_odx_job_clear(&r->job);
	vitk_odx_plan_clear(&r->plan);
	vitk_odx_copy_result_clear(&r->copy);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ job */

struct run {
	vitk_inventory *inv;
	const vitk_odx_job *job;
	const vitk_odx_copy_options *caller;
	uint64_t last_persist_ns;
};

/* persist blocks_done (advisory: a stale value only re-copies a little), then the caller's hook */
static int on_chunk(uint64_t blocks_done, vitk_odx_method m, void *payload)
{
	struct run *run = payload;
	uint64_t now = vitk_now_ns();

	if (now - run->last_persist_ns >= PERSIST_INTERVAL_NS) {
		run->last_persist_ns = now;
		if (vitk_odx_job_progress(run->inv, run->job, blocks_done) < 0)
			vitk_error_clear(); /* the final state is written at the end */
	}
	if (run->caller->on_chunk)
		return run->caller->on_chunk(blocks_done, m, run->caller->chunk_payload);
	return 0;
}

/* the job to run: loaded (resume) or from the request; @o gets its range and method */
static int job_prepare(vitk_inventory *inv, const vitk_odx_job_request *req,
		       vitk_odx_job_result *out, vitk_odx_copy_options *o)
{
	vitk_odx_job *job = &out->job;
	int r;

	if (!req->resume) {
		if (!req->src || !req->dst)
			return fail(out, VITK_ODX_STAGE_OPEN, NULL,
				    vitk_error_set(VITK_EINVAL, 0, "a copy needs a source and a destination"));
		if (dup_shown(&job->src, req->src) < 0 || dup_shown(&job->dst, req->dst) < 0)
			return fail(out, VITK_ODX_STAGE_OPEN, NULL, VITK_ENOMEM);
		job->requested = o->method;
		return 0;
	}
	r = vitk_odx_job_load(inv, req->resume, job);
	if (r < 0)
		return fail(out, VITK_ODX_STAGE_LOAD, NULL, r);
	if (strcmp(job->result, "ok") == 0)
		return fail(out, VITK_ODX_STAGE_COMPLETED, NULL,
			    vitk_error_set(VITK_EINVAL, 0, "job %s already completed", job->uuid));
	if (!req->dry_run) {
		r = vitk_odx_job_claim(inv, job); /* refused while another run owns it */
		if (r < 0)
			return fail(out, VITK_ODX_STAGE_LOAD, NULL, r);
	}
	o->src_lba = job->src_lba;
	o->dst_lba = job->dst_lba;
	o->count = job->count;
	o->method = job->requested;
	o->resume_blocks = job->blocks_done;
	return 0;
}

static int job_open(const vitk_odx_job_request *req, vitk_odx_job_result *out, vitk_odx_dev **s,
		    vitk_odx_dev **d)
{
	const vitk_odx_job *job = &out->job;
	/* a new job opens the names as given; a resumed one has no password in them */
	const char *src = req->resume ? job->src : req->src;
	const char *dst = req->resume ? job->dst : req->dst;
	int r;

	r = open_named(&req->opener, src, true, s);
	if (r < 0)
		return fail(out, VITK_ODX_STAGE_OPEN, job->src, r);
	if (strcmp(src, dst) == 0) {
		*d = *s; /* the same LU: one session */
		return 0;
	}
	r = open_named(&req->opener, dst, false, d);
	if (r < 0)
		return fail(out, VITK_ODX_STAGE_OPEN, job->dst, r);
	return 0;
}

/* the LUN rows, and the job row for a new job */
static int job_record(vitk_inventory *inv, int64_t host_id, bool resumed,
		      vitk_odx_job_result *out, const vitk_odx_dev *s, const vitk_odx_dev *d)
{
	int r;

	r = vitk_odx_inventory_record_lun(inv, host_id, s);
	if (r < 0)
		return fail(out, VITK_ODX_STAGE_RECORD_LUN, out->job.src, r);
	if (d != s) {
		r = vitk_odx_inventory_record_lun(inv, host_id, d);
		if (r < 0)
			return fail(out, VITK_ODX_STAGE_RECORD_LUN, out->job.dst, r);
	}
	if (resumed)
		return 0;
	r = vitk_odx_job_start(inv, host_id, &out->job, &out->plan);
	if (r < 0)
		return fail(out, VITK_ODX_STAGE_RECORD_JOB, NULL, r);
	return 0;
}

/* copy, then record the outcome; the copy's error is the one reported */
static int job_copy(vitk_inventory *inv, const vitk_odx_job_request *req, vitk_odx_copy_options *o,
		    vitk_odx_job_result *out, vitk_odx_dev *s, vitk_odx_dev *d)
{
	struct run run = { inv, &out->job, &req->copy, 0 };
	char err[VITK_ERROR_MESSAGE_MAX];
	int rc, r;

	if (req->started)
		req->started(&out->job, &out->plan, req->started_payload);
	o->on_chunk = on_chunk;
	o->chunk_payload = &run;
	rc = vitk_odx_copy(&out->copy, NULL, s, d, o); /* the same plan as out->plan */
	out->ran = true;
	out->job.blocks_done = o->resume_blocks + out->copy.bytes / vitk_odx_dev_get_info(s)->block_size;
	snprintf(err, sizeof(err), "%s", rc < 0 ? vitk_error_last()->message : "");
	r = vitk_odx_job_finish(inv, &out->job, &out->copy, &out->plan, rc, err);
	if (r < 0)
		return fail(out, VITK_ODX_STAGE_FINISH, NULL, r);
	if (dup_str(&out->job.result, rc < 0 ? "failed" : "ok") < 0)
		return fail(out, VITK_ODX_STAGE_FINISH, NULL, VITK_ENOMEM);
	if (rc < 0) {
		vitk_error_set(rc, 0, "%s", err);
		return fail(out, VITK_ODX_STAGE_COPY, NULL, rc);
	}
	return 0;
}

int vitk_odx_job_run(vitk_inventory *inv, int64_t host_id, const vitk_odx_job_request *req,
		     vitk_odx_job_result *out)
{
	vitk_odx_copy_options o = req->copy;
	vitk_odx_dev *s = NULL, *d = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = job_prepare(inv, req, out, &o);
	if (r < 0)
		return r;
	r = job_open(req, out, &s, &d);
	if (r < 0)
		goto out;
	r = vitk_odx_plan_make(&out->plan, s, d, &o);
	if (r < 0) {
		r = fail(out, VITK_ODX_STAGE_PLAN, NULL, r);
		goto out;
	}
	out->planned = true;
	out->job.src_lba = out->plan.src_lba;
	out->job.dst_lba = out->plan.dst_lba;
	out->job.count = out->plan.count;
	if (req->dry_run)
		goto out;
	r = job_record(inv, host_id, req->resume != NULL, out, s, d);
	if (r < 0)
		goto out;
	r = job_copy(inv, req, &o, out, s, d);
out:
	if (d != s)
		vitk_odx_dev_free(d);
	vitk_odx_dev_free(s);
	return r;
}

/* ------------------------------------------------------ zero and tokens */

enum one_dev_op { OP_ZERO, OP_TOKEN_CREATE, OP_TOKEN_WRITE };

/* open @name (read-only for TOKEN_CREATE) and run @what on out->job's range and file */
static int one_dev_run(vitk_odx_job_result *out, enum one_dev_op what, const char *name,
		       const char *path, const vitk_odx_copy_options *o, const vitk_odx_opener *op)
{
	vitk_odx_job *job = &out->job;
	vitk_odx_dev *d = NULL;
	int r;

	r = open_named(op, name, what == OP_TOKEN_CREATE, &d);
	if (r < 0)
		return fail(out, VITK_ODX_STAGE_OPEN, what == OP_TOKEN_CREATE ? job->src : job->dst, r);
	if (what == OP_ZERO)
		r = vitk_odx_zero(&out->copy, d, job->dst_lba, job->count, o);
	else if (what == OP_TOKEN_CREATE)
		r = vitk_odx_token_create(&out->copy, d, job->src_lba, job->count, path, o);
	else
		r = vitk_odx_token_write(&out->copy, d, path, job->dst_lba, o);
	out->ran = true;
	if (what != OP_ZERO)
		job->count = out->copy.offload_blocks;
	vitk_odx_dev_free(d);
	if (r < 0)
		return fail(out, VITK_ODX_STAGE_COPY, NULL, r);
	return 0;
}

/* out->job names @src and @dst, the range starts at @lba on both */
static int one_dev_job(vitk_odx_job_result *out, const char *src, const char *dst, uint64_t lba,
		       uint64_t count)
{
	memset(out, 0, sizeof(*out));
	out->job.src_lba = out->job.dst_lba = lba;
	out->job.count = count;
	if ((src && dup_shown(&out->job.src, src) < 0) || dup_shown(&out->job.dst, dst) < 0)
		return fail(out, VITK_ODX_STAGE_OPEN, NULL, VITK_ENOMEM);
	return 0;
}

int vitk_odx_zero_run(vitk_odx_job_result *out, const char *name, uint64_t lba, uint64_t count,
		      const vitk_odx_copy_options *o, const vitk_odx_opener *op)
{
	int r = one_dev_job(out, NULL, name, lba, count);

	return r < 0 ? r : one_dev_run(out, OP_ZERO, name, NULL, o, op);
}

int vitk_odx_token_create_run(vitk_odx_job_result *out, const char *dev, uint64_t lba,
			      uint64_t count, const char *path, const vitk_odx_copy_options *o,
			      const vitk_odx_opener *op)
{
	int r = one_dev_job(out, dev, path, lba, count);

	return r < 0 ? r : one_dev_run(out, OP_TOKEN_CREATE, dev, path, o, op);
}

int vitk_odx_token_write_run(vitk_odx_job_result *out, const char *path, const char *dev,
			     uint64_t lba, const vitk_odx_copy_options *o, const vitk_odx_opener *op)
{
	int r = one_dev_job(out, path, dev, lba, 0);

	return r < 0 ? r : one_dev_run(out, OP_TOKEN_WRITE, dev, path, o, op);
}

/* ---------------------------------------------------------------- probe */

void vitk_odx_probe_result_clear(vitk_odx_probe_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->ndevs; i++)
		vitk_odx_dev_free(r->devs[i]);
	for (i = 0; i < r->npairs; i++) {
		free(r->pairs[i].reason);
		vitk_odx_plan_clear(&r->pairs[i].plan);
	}
	free(r->devs);
	free(r->pairs);
	memset(r, 0, sizeof(*r));
}

/* the verdict for one ordered pair: a one-block copy plan (within one LU: to its last block) */
static int probe_pair(vitk_odx_probe_pair *p, const char *src, const vitk_odx_dev *s,
		      const char *dst, const vitk_odx_dev *d)
{
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	const vitk_odx_plan_item *it = p->plan.items;

	p->src = src;
	p->dst = dst;
	o.count = 1;
	o.dst_lba = s == d ? d->info.blocks - 1 : 0;
	if (vitk_odx_plan_make(&p->plan, s, d, &o) < 0) {
		p->refused = true;
		p->reason = vitk_odx__strf("%s", vitk_error_last()->message);
	} else {
		p->method = p->plan.chosen;
		p->offload = p->method == VITK_ODX_METHOD_TOKEN || p->method == VITK_ODX_METHOD_XCOPY;
		if (p->offload)
			p->reason = vitk_odx__strf("%s is usable", vitk_odx_method_str(p->method));
		else
			p->reason = vitk_odx__strf(
				"token: %s; xcopy: %s",
				it[VITK_ODX_ITEM_TOKEN].reason ? it[VITK_ODX_ITEM_TOKEN].reason : "",
				it[VITK_ODX_ITEM_XCOPY].reason ? it[VITK_ODX_ITEM_XCOPY].reason : "");
	}
	if (!p->reason)
		return VITK_ENOMEM;
	vitk_error_clear();
	return 0;
}

static int probe_fail(vitk_odx_probe_result *out, vitk_odx_stage stage, const char *name, int r)
{
	out->failed = stage;
	out->failed_name = name;
	return r;
}

int vitk_odx_probe(vitk_odx_probe_result *out, vitk_inventory *inv, int64_t host_id,
		   const char *const *names, size_t n, const vitk_odx_opener *op)
{
	size_t i, j;
	int r;

	memset(out, 0, sizeof(*out));
	out->devs = calloc(n ? n : 1, sizeof(*out->devs));
	out->pairs = calloc(n > 1 ? n * (n - 1) : 1, sizeof(*out->pairs));
	if (!out->devs || !out->pairs)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (i = 0; i < n; i++) {
		r = open_named(op, names[i], true, &out->devs[i]);
		if (r < 0)
			return probe_fail(out, VITK_ODX_STAGE_OPEN, names[i], r);
		out->ndevs++;
		if (inv) {
			r = vitk_odx_inventory_record_lun(inv, host_id, out->devs[i]);
			if (r < 0)
				return probe_fail(out, VITK_ODX_STAGE_RECORD_LUN, names[i], r);
		}
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			if (i == j)
				continue;
			/* the names as shown: without a URL's password */
			r = probe_pair(&out->pairs[out->npairs++], out->devs[i]->info.name,
				       out->devs[i], out->devs[j]->info.name, out->devs[j]);
			if (r < 0)
				return r;
		}
	return 0;
}
