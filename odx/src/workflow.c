/* SPDX-License-Identifier: MIT */
/*
 * The workflows an embedder runs by device name: a recorded (resumable) copy
 * job, zeroing, token files and the probe of several devices with a verdict
 * per pair.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <vitk/inventory.h>
#include <vitk/str.h>
#include <vitk/sys/odx_blk.h>

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
	const vitk_odx_copy_result *res; /* the engine's, counters kept up to date */
};

/* persist blocks_done (advisory: a stale value only re-copies a little), then the caller's hook */
static int on_chunk(uint64_t blocks_done, vitk_odx_method m, void *payload)
{
	struct run *run = payload;
	uint64_t now = vitk_now_ns();

	if (now - run->last_persist_ns >= PERSIST_INTERVAL_NS) {
		run->last_persist_ns = now;
		if (vitk_odx_job_progress_run(run->inv, run->job, blocks_done, run->res) < 0)
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
	/* a completed job with --verify: compare both ranges again, copy nothing */
	if (strcmp(job->result, "ok") == 0 && !o->verify)
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
	o->resume_blocks = strcmp(job->result, "ok") == 0 ? job->count : job->blocks_done;
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
	struct run run = { inv, &out->job, &req->copy, 0, &out->copy };
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

static void probe_stack_clear(vitk_odx_probe_stack *st)
{
	for (size_t i = 0; i < st->nlayers; i++) {
		free(st->layers[i].dev);
		free(st->layers[i].kind);
		free(st->layers[i].detail);
		for (size_t k = 0; k < VITK_ODX_NITEMS; k++)
			free(st->layers[i].why[k]);
	}
	free(st->layers);
	free(st->sg);
	free(st->reason);
	for (size_t i = 0; i < st->ndisks; i++) {
		free(st->disks[i].name);
		free(st->disks[i].sg);
		vitk_odx_dev_free(st->disks[i].dev);
		vitk_odx_plan_clear(&st->disks[i].plan);
	}
	free(st->disks);
	for (size_t k = 0; k < VITK_ODX_NITEMS; k++)
		free(st->across[k]);
	vitk_odx_plan_clear(&st->plan);
}

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
	for (i = 0; i < r->nstacks; i++)
		probe_stack_clear(&r->stacks[i]);
	free(r->devs);
	free(r->pairs);
	free(r->stacks);
	memset(r, 0, sizeof(*r));
}

/* the verdict for one ordered pair: a one-block copy plan from @slba to @dlba */
static int probe_pair(vitk_odx_probe_pair *p, const char *src, const vitk_odx_dev *s, uint64_t slba,
		      const char *dst, const vitk_odx_dev *d, uint64_t dlba)
{
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	const vitk_odx_plan_item *it = p->plan.items;

	p->src = src;
	p->dst = dst;
	o.count = 1;
	o.src_lba = slba;
	o.dst_lba = dlba;
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

/* a plan in which a layer refuses both offload methods with @why: host only */
static int plan_host_only(vitk_odx_plan *p, const char *why)
{
	static const vitk_odx_method m[VITK_ODX_NITEMS] = { VITK_ODX_METHOD_TOKEN,
							    VITK_ODX_METHOD_XCOPY,
							    VITK_ODX_METHOD_HOST };

	memset(p, 0, sizeof(*p));
	p->chosen = VITK_ODX_METHOD_HOST;
	for (int i = 0; i < VITK_ODX_NITEMS; i++) {
		p->items[i].method = m[i];
		p->items[i].usable = i == VITK_ODX_ITEM_HOST;
		if (i != VITK_ODX_ITEM_HOST && dup_str(&p->items[i].reason, why) < 0)
			return VITK_ENOMEM;
	}
	return 0;
}

/* a pair with a side that a layer refuses: host only, the layer's reason for token and xcopy */
static int probe_pair_refused(vitk_odx_probe_pair *p, const char *src, const char *dst,
			      const char *why)
{
	p->src = src;
	p->dst = dst;
	p->method = VITK_ODX_METHOD_HOST;
	if (plan_host_only(&p->plan, why) < 0)
		return VITK_ENOMEM;
	p->reason = vitk_odx__strf("token: %s; xcopy: %s", why, why);
	return p->reason ? 0 : VITK_ENOMEM;
}

static int probe_fail(vitk_odx_probe_result *out, vitk_odx_stage stage, const char *name, int r)
{
	out->failed = stage;
	out->failed_name = name;
	return r;
}

/*
 * Whether @name is probed as a stack: a regular file (*file), or a block
 * device other than a whole SCSI disk (*m resolved).  0: a LUN.
 */
static int probe_classify(const char *name, const vitk_odx_blk_env *env, vitk_odx_blk_map *m,
			  bool *file)
{
	struct stat st;
	int r;

	memset(m, 0, sizeof(*m));
	*file = false;
	if (strstr(name, "://") || stat(name, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode)) {
		*file = true;
		return 1;
	}
	if (!S_ISBLK(st.st_mode))
		return 0;
	r = vitk_odx_blk_resolve_path(m, name, env);
	if (r < 0)
		return r;
	if (m->offloadable && m->layers.size == 1 && strcmp(m->layers.ptr[0].kind, "disk") == 0) {
		vitk_odx_blk_map_clear(m); /* a whole SCSI disk: probed as a LUN */
		return 0;
	}
	return 1;
}

static vitk_odx_probe_layer *stack_layer(vitk_odx_probe_stack *st, const char *dev,
					 const char *kind, const char *detail)
{
	vitk_odx_probe_layer *l = realloc(st->layers, (st->nlayers + 1) * sizeof(*l));

	if (!l)
		return NULL;
	st->layers = l;
	l = &st->layers[st->nlayers++];
	memset(l, 0, sizeof(*l));
	l->dev = strdup(dev);
	l->kind = strdup(kind);
	l->detail = strdup(detail);
	return l->dev && l->kind && l->detail ? l : NULL;
}

/* the layer refuses both offload methods with @why */
static int layer_refuses(vitk_odx_probe_layer *l, const char *why)
{
	if (dup_str(&l->why[VITK_ODX_ITEM_TOKEN], why) < 0 ||
	    dup_str(&l->why[VITK_ODX_ITEM_XCOPY], why) < 0)
		return VITK_ENOMEM;
	return 0;
}

/*
 * A file: its own layer (FIEMAP: what is written, what reads as zeros), on
 * the map of its filesystem's device (*m).  Sets st->reason when the file
 * itself cannot be offloaded.
 */
static int probe_file(vitk_odx_probe_stack *st, vitk_odx_blk_map *m, const char *path,
		      const vitk_odx_blk_env *env)
{
	vitk_odx_file_extents ext = VITK_ARRAY_INIT;
	vitk_odx_blk_ranges ranges = VITK_ARRAY_INIT;
	uint64_t written = 0, zeros = 0, shared = 0;
	vitk_odx_probe_layer *l;
	struct stat sb;
	char *detail = NULL;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		r = vitk_error_set(VITK_EIO, errno, "%s", path);
		goto out;
	}
	r = vitk_odx_blk_resolve_devt(m, major(sb.st_dev), minor(sb.st_dev), env);
	if (r == VITK_ENOTFOUND) { /* tmpfs, overlay, btrfs subvolumes: no block device */
		vitk_error_clear();
		st->reason = vitk_odx__strf("%s (file): its filesystem is on no block device", path);
		l = stack_layer(st, path, "file", "its filesystem is on no block device");
		r = !st->reason || !l || layer_refuses(l, st->reason) < 0 ? VITK_ENOMEM : 0;
		goto out;
	}
	if (r < 0)
		goto out;
	if (!m->offloadable) {
		detail = vitk_odx__strf("%llu bytes on %s", (unsigned long long)sb.st_size, m->top);
		r = detail && stack_layer(st, path, "file", detail) ? 0 : VITK_ENOMEM;
		goto out;
	}
	r = vitk_odx_fiemap_fd(&ext, fd, (uint64_t)sb.st_size);
	if (r == 0)
		r = vitk_odx_blk_file_ranges(&ranges, m, &ext, (uint64_t)sb.st_size);
	if (r == VITK_ENOTSUP) { /* inline, encoded, delalloc, unaligned...: the file refuses */
		const char *why = vitk_error_last()->message;

		st->reason = vitk_odx__strf("%s (file): %s", path, why);
		l = st->reason ? stack_layer(st, path, "file", why) : NULL;
		r = !l || layer_refuses(l, why) < 0 ? VITK_ENOMEM : 0;
		vitk_error_clear();
		goto out;
	}
	if (r < 0)
		goto out;
	for (size_t i = 0; i < ext.size; i++) {
		if (ext.ptr[i].kind == VITK_ODX_EXT_DATA)
			written += ext.ptr[i].length;
		else
			zeros += ext.ptr[i].length;
		if (ext.ptr[i].shared)
			shared += ext.ptr[i].length;
	}
	detail = vitk_odx__strf("FIEMAP: %llu bytes written, %llu in holes or unwritten extents "
				"(zeroed on a destination), %llu shared%s",
				(unsigned long long)written, (unsigned long long)zeros,
				(unsigned long long)shared,
				zeros || shared ? "; not a destination: it must be written "
						  "everywhere and share no blocks" : "");
	if (!detail || !stack_layer(st, path, "file", detail)) {
		r = VITK_ENOMEM;
		goto out;
	}
	/* the file's ranges replace its filesystem's */
	vitk_array_clear(m->ranges);
	m->ranges = ranges;
	memset(&ranges, 0, sizeof(ranges));
out:
	free(detail);
	vitk_array_clear(ext);
	vitk_array_clear(ranges);
	if (fd >= 0)
		close(fd);
	return r;
}

/* the layer of the disk @name (the resolver adds one per disk), or NULL */
static vitk_odx_probe_layer *disk_layer(vitk_odx_probe_stack *st, const char *name)
{
	for (size_t i = 0; i < st->nlayers; i++)
		if (strcmp(st->layers[i].dev, name) == 0 && strcmp(st->layers[i].kind, "disk") == 0)
			return &st->layers[i];
	return NULL;
}

/*
 * A one-block plan from @slba on @s to @dlba on @d into *p; a refusal of the
 * planner (a range, block sizes) becomes a host-only plan with its message.
 */
static int probe_plan(vitk_odx_plan *p, const vitk_odx_dev *s, uint64_t slba, const vitk_odx_dev *d,
		      uint64_t dlba)
{
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;

	o.count = 1;
	o.src_lba = slba;
	o.dst_lba = dlba;
	if (vitk_odx_plan_make(p, s, d, &o) < 0) {
		char why[VITK_ERROR_MESSAGE_MAX];

		snprintf(why, sizeof(why), "%s", vitk_error_last()->message);
		vitk_odx_plan_clear(p);
		vitk_error_clear();
		if (plan_host_only(p, why) < 0)
			return VITK_ENOMEM;
	}
	return 0;
}

/* "sdb (disk, /dev/sg1)": a disk as the reasons name it */
static void disk_label(char *buf, size_t n, const vitk_odx_probe_stack *st, size_t k)
{
	snprintf(buf, n, "%s (disk, %s)", st->disks[k].name, st->disks[k].sg);
}

/*
 * The methods of one stack.  Each disk: a one-block plan within it, from its
 * first block of the device to its last block; the disk's layer gets each
 * refusal.  The stack: a method is usable when every disk allows it, else the
 * reason names each disk that refuses ("sdb (disk, /dev/sg1): why; ...").
 * A method usable on every disk but refused from one disk to another (the
 * pair the copy path would plan for a piece that crosses them, e.g. two
 * copy managers) gets st->across: such pieces would go by host.
 */
static int probe_stack_plan(vitk_odx_probe_stack *st, const uint64_t *lbas, size_t first)
{
	const vitk_odx_plan *fp;
	vitk_odx_plan cross;
	char label[2][160];
	int r = 0;

	for (size_t d = 0; d < st->ndisks; d++) {
		const vitk_odx_dev_info *in = vitk_odx_dev_get_info(st->disks[d].dev);
		vitk_odx_probe_layer *l = disk_layer(st, st->disks[d].name);

		r = probe_plan(&st->disks[d].plan, st->disks[d].dev, lbas[d], st->disks[d].dev,
			       lbas[d] + 1 < in->blocks ? in->blocks - 1 : 0);
		for (int k = 0; r == 0 && l && k < VITK_ODX_NITEMS; k++) {
			const vitk_odx_plan_item *it = &st->disks[d].plan.items[k];

			if (!it->usable && it->reason)
				r = dup_str(&l->why[k], it->reason);
		}
		if (r < 0)
			return r;
	}
	/* the stack's plan: the first disk's range and estimates, every disk's verdicts */
	fp = &st->disks[first].plan;
	st->plan = *fp;
	st->plan.note = NULL;
	for (int k = 0; k < VITK_ODX_NITEMS; k++) {
		vitk_odx_plan_item *it = &st->plan.items[k];
		vitk_str why = VITK_STR_INIT;

		it->reason = NULL;
		it->usable = true;
		for (size_t d = 0; d < st->ndisks; d++) {
			const vitk_odx_plan_item *di = &st->disks[d].plan.items[k];

			if (di->usable)
				continue;
			it->usable = false;
			disk_label(label[0], sizeof(label[0]), st, d);
			vitk_str_putf(&why, "%s%s: %s", why.size ? "; " : "", label[0],
				      di->reason ? di->reason : "");
		}
		if (!it->usable && !(it->reason = vitk_str_detach(&why)))
			return VITK_ENOMEM;
		vitk_str_clear(&why);
	}
	if (fp->note && !(st->plan.note = strdup(fp->note)))
		return VITK_ENOMEM;
	if (!st->plan.items[fp->chosen == VITK_ODX_METHOD_TOKEN   ? VITK_ODX_ITEM_TOKEN
			    : fp->chosen == VITK_ODX_METHOD_XCOPY ? VITK_ODX_ITEM_XCOPY
								  : VITK_ODX_ITEM_HOST]
		     .usable)
		st->plan.chosen = st->plan.items[VITK_ODX_ITEM_XCOPY].usable ? VITK_ODX_METHOD_XCOPY
									     : VITK_ODX_METHOD_HOST;
	/* pieces that cross disks: every ordered pair, the first refusal per method */
	for (size_t a = 0; a < st->ndisks; a++)
		for (size_t b = 0; b < st->ndisks; b++) {
			if (a == b)
				continue;
			if (probe_plan(&cross, st->disks[a].dev, lbas[a], st->disks[b].dev, lbas[b]) < 0)
				return VITK_ENOMEM;
			disk_label(label[0], sizeof(label[0]), st, a);
			disk_label(label[1], sizeof(label[1]), st, b);
			for (int k = 0; k < VITK_ODX_ITEM_HOST; k++) {
				const vitk_odx_plan_item *it = &cross.items[k];

				if (!st->plan.items[k].usable || it->usable || st->across[k])
					continue;
				st->across[k] = vitk_odx__strf(
					"within each disk only: pieces from %s to %s would go by host (%s)",
					label[0], label[1], it->reason ? it->reason : "refused");
				if (!st->across[k]) {
					vitk_odx_plan_clear(&cross);
					return VITK_ENOMEM;
				}
			}
			vitk_odx_plan_clear(&cross);
		}
	return 0;
}

/* resolve, then open and record the disks under @m (if any) */
static int probe_stack(vitk_odx_probe_result *out, vitk_odx_probe_stack *st, vitk_odx_blk_map *m,
		       bool file, vitk_inventory *inv, int64_t host_id, const vitk_odx_opener *op,
		       const vitk_odx_blk_env *env)
{
	uint64_t lbas[VITK_ODX_BLK_MAX_DISKS] = { 0 };
	bool seen[VITK_ODX_BLK_MAX_DISKS] = { false };
	size_t first = 0;
	bool found = false;
	int r;

	st->file = file;
	if (file && (r = probe_file(st, m, st->name, env)) < 0)
		return probe_fail(out, VITK_ODX_STAGE_OPEN, st->name, r);
	for (size_t i = 0; i < m->layers.size; i++) {
		const vitk_odx_blk_layer *b = &m->layers.ptr[i];
		vitk_odx_probe_layer *l = stack_layer(st, b->dev, b->kind, b->detail);

		if (!l || (b->refused && layer_refuses(l, b->detail) < 0))
			return VITK_ENOMEM;
	}
	if (!st->reason && !m->offloadable && m->reason)
		st->reason = strdup(m->reason);
	if (!st->reason && m->offloadable &&
	    (m->disks.size == 0 || m->disks.size > VITK_ODX_BLK_MAX_DISKS))
		st->reason = vitk_odx__strf("%s: no SCSI disk, or more than %d", st->name,
					    VITK_ODX_BLK_MAX_DISKS);
	if (st->reason || !m->offloadable) {
		if (!st->reason)
			st->reason = strdup("not offloadable");
		return st->reason && plan_host_only(&st->plan, st->reason) == 0 ? 0 : VITK_ENOMEM;
	}
	st->offloadable = true;
	st->block_size = m->block_size;
	st->nranges = m->ranges.size;
	/* each disk's first block of the device's data; the device's first byte */
	for (size_t i = 0; i < m->ranges.size; i++) {
		const vitk_odx_blk_range *g = &m->ranges.ptr[i];

		if (g->zero || g->disk >= m->disks.size || seen[g->disk])
			continue;
		seen[g->disk] = true;
		lbas[g->disk] = g->lba;
		if (!found) {
			found = true;
			first = g->disk;
			st->first_lba = g->lba;
		}
	}
	if (dup_str(&st->sg, m->sg) < 0)
		return VITK_ENOMEM;
	st->disks = calloc(m->disks.size, sizeof(*st->disks));
	if (!st->disks)
		return VITK_ENOMEM;
	for (size_t d = 0; d < m->disks.size; d++) {
		vitk_odx_probe_disk *pd = &st->disks[st->ndisks++];

		if (dup_str(&pd->name, m->disks.ptr[d].name) < 0 ||
		    dup_str(&pd->sg, m->disks.ptr[d].sg) < 0)
			return VITK_ENOMEM;
		r = open_named(op, pd->sg, true, &pd->dev);
		if (r < 0)
			return probe_fail(out, VITK_ODX_STAGE_OPEN, st->name, r);
		if (inv && (r = vitk_odx_inventory_record_lun(inv, host_id, pd->dev)) < 0)
			return probe_fail(out, VITK_ODX_STAGE_RECORD_LUN, st->name, r);
	}
	st->dev = st->disks[first].dev;
	return probe_stack_plan(st, lbas, first);
}

/* one probed name: a LUN or a stack, as the pairs see it */
struct probe_ent {
	const char *name;
	const vitk_odx_dev *dev; /* NULL: refused by a layer */
	uint64_t lba;
	const char *refused;
	bool lun;
};

int vitk_odx_blk_probe(vitk_odx_probe_result *out, vitk_inventory *inv, int64_t host_id,
		       const char *const *names, size_t n, const vitk_odx_opener *op,
		       const vitk_odx_blk_env *env)
{
	struct probe_ent *ents;
	size_t i, j;
	int r = 0;

	memset(out, 0, sizeof(*out));
	ents = calloc(n ? n : 1, sizeof(*ents));
	out->devs = calloc(n ? n : 1, sizeof(*out->devs));
	out->stacks = calloc(n ? n : 1, sizeof(*out->stacks));
	out->pairs = calloc(n > 1 ? n * (n - 1) : 1, sizeof(*out->pairs));
	if (!ents || !out->devs || !out->stacks || !out->pairs) {
		free(ents);
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	for (i = 0; i < n && r == 0; i++) {
		vitk_odx_blk_map m;
		bool file;

		r = probe_classify(names[i], env, &m, &file);
		if (r < 0) {
			r = probe_fail(out, VITK_ODX_STAGE_OPEN, names[i], r);
		} else if (r == 1) {
			vitk_odx_probe_stack *st = &out->stacks[out->nstacks++];

			st->name = names[i];
			st->arg = i;
			r = probe_stack(out, st, &m, file, inv, host_id, op, env);
			if (r == VITK_ENOMEM && !vitk_error_last()->message[0])
				vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			ents[i] = (struct probe_ent){ st->name, st->dev, st->first_lba,
						      st->offloadable ? NULL : st->reason, false };
		} else {
			r = open_named(op, names[i], true, &out->devs[out->ndevs]);
			if (r < 0) {
				r = probe_fail(out, VITK_ODX_STAGE_OPEN, names[i], r);
				break;
			}
			out->ndevs++;
			if (inv) {
				r = vitk_odx_inventory_record_lun(inv, host_id, out->devs[out->ndevs - 1]);
				if (r < 0)
					r = probe_fail(out, VITK_ODX_STAGE_RECORD_LUN, names[i], r);
			}
			/* the names as shown: without a URL's password */
			ents[i] = (struct probe_ent){ out->devs[out->ndevs - 1]->info.name,
						      out->devs[out->ndevs - 1], 0, NULL, true };
		}
		vitk_odx_blk_map_clear(&m);
	}
	for (i = 0; i < n && r == 0; i++)
		for (j = 0; j < n && r == 0; j++) {
			vitk_odx_probe_pair *p;
			const struct probe_ent *a = &ents[i], *b = &ents[j];

			if (i == j)
				continue;
			p = &out->pairs[out->npairs++];
			if (a->refused || b->refused)
				r = probe_pair_refused(p, a->name, b->name,
						       a->refused ? a->refused : b->refused);
			else if (a->lun && b->lun) /* within one LU: to its last block */
				r = probe_pair(p, a->name, a->dev, 0, b->name, b->dev,
					       a->dev == b->dev ? b->dev->info.blocks - 1 : 0);
			else
				r = probe_pair(p, a->name, a->dev, a->lba, b->name, b->dev, b->lba);
		}
	free(ents);
	return r;
}

int vitk_odx_probe(vitk_odx_probe_result *out, vitk_inventory *inv, int64_t host_id,
		   const char *const *names, size_t n, const vitk_odx_opener *op)
{
	vitk_odx_blk_env env = { 0 };

	/* the opener's /sys root (tests move it) is the resolver's too */
	env.sysfs_root = op && op->options ? op->options->sys_root : NULL;
	return vitk_odx_blk_probe(out, inv, host_id, names, n, op, &env);
}
