/* SPDX-License-Identifier: MIT */
/*
 * vitk odx verbs: probe, copy, zero, token create|write|show, jobs (and
 * `serve`, the lab target, which lives in cmd_odx_serve.c).
 *
 * JSON keys are an interface: a job has method (token|xcopy|host), bytes
 * and host_bytes; every rejected method has a reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/odx.h>

#include "cli.h"
#include "cmd_odx_serve.h"

/* ----------------------------------------------------------------- helpers */

static void open_opts(vitk_odx_open_options *o, bool ro)
{
	vitk_odx_open_options def = VITK_ODX_OPEN_OPTIONS_INIT;

	*o = def;
	o->read_only = ro;
	/* house-style R10: only the CLI maps environment variables onto roots */
	if (getenv("VITK_PROC_ROOT"))
		o->proc_root = getenv("VITK_PROC_ROOT");
	if (getenv("VITK_SYSFS_ROOT"))
		o->sys_root = getenv("VITK_SYSFS_ROOT");
	o->initiator_iqn = getenv("VITK_ISCSI_INITIATOR");
}

static int open_dev(struct cli_ctx *ctx, vitk_odx_dev **d, const char *path, bool ro)
{
	vitk_odx_open_options o;
	int r;

	open_opts(&o, ro);
	r = vitk_odx_dev_open(d, path, &o);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot open '%s'", path);
	return 0;
}

/* the CLI's device opener: roots and initiator from the environment */
static void cli_opener(vitk_odx_opener *op, vitk_odx_open_options *o)
{
	open_opts(o, false);
	memset(op, 0, sizeof(*op));
	op->options = o;
}

static int get_u64(struct cli_ctx *ctx, const char *name, uint64_t def, uint64_t *out)
{
	*out = def;
	(void)cli_u64(ctx, name, out);
	return 0;
}

static json_t *plan_rejected_json(const vitk_odx_plan *p)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < 3; i++) {
		if (p->items[i].usable)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s}", "method",
						   vitk_odx_method_str(p->items[i].method), "reason",
						   p->items[i].reason));
	}
	return a;
}

static json_t *fallbacks_json(const vitk_odx_copy_result *res)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < res->nfallbacks; i++) {
		const vitk_odx_fallback *f = &res->fallbacks[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:s}", "from",
						   vitk_odx_method_str(f->from), "to",
						   vitk_odx_method_str(f->to), "at_block",
						   (json_int_t)f->at_block, "reason", f->reason));
	}
	return a;
}

static void on_progress(const vitk_odx_progress *p, void *payload)
{
	cli_progress_update(payload, p->done_bytes, p->total_bytes, p->rate_bps,
			    vitk_odx_method_str(p->method));
}

/* the result of a data-moving verb: one record (text) or one object (JSON) */
static int print_result(struct cli_ctx *ctx, const char *job, const char *src, const char *dst,
			uint64_t src_lba, uint64_t dst_lba, uint64_t count,
			const vitk_odx_copy_result *res, const vitk_odx_plan *plan, bool ok)
{
	double secs = (double)res->duration_ns / 1e9;
	cli_table *t = cli_table_new();
	size_t i;
	int r;

	if (ctx->output == CLI_OUT_JSON) {
		json_t *o = json_object();

		if (job)
			json_object_set_new(o, "job", json_string(job));
		if (src)
			json_object_set_new(o, "src", json_string(src));
		json_object_set_new(o, "dst", json_string(dst));
		json_object_set_new(o, "src_lba", json_integer((json_int_t)src_lba));
		json_object_set_new(o, "dst_lba", json_integer((json_int_t)dst_lba));
		json_object_set_new(o, "count", json_integer((json_int_t)count));
		json_object_set_new(o, "method", json_string(vitk_odx_method_str(res->method)));
		json_object_set_new(o, "bytes", json_integer((json_int_t)res->bytes));
		json_object_set_new(o, "host_bytes", json_integer((json_int_t)res->host_bytes));
		json_object_set_new(o, "host_bytes_in", json_integer((json_int_t)res->host_bytes_in));
		json_object_set_new(o, "host_bytes_out",
				    json_integer((json_int_t)res->host_bytes_out));
		json_object_set_new(o, "offload_blocks", json_integer((json_int_t)res->offload_blocks));
		json_object_set_new(o, "host_blocks", json_integer((json_int_t)res->host_blocks));
		json_object_set_new(o, "commands", json_integer((json_int_t)res->commands));
		json_object_set_new(o, "duration_ms",
				    json_integer((json_int_t)(res->duration_ns / 1000000)));
		json_object_set_new(o, "verified", json_boolean(res->verified));
		json_object_set_new(o, "result", json_string(ok ? "ok" : "failed"));
		json_object_set_new(o, "rejected",
				    plan ? plan_rejected_json(plan) : json_array());
		json_object_set_new(o, "fallbacks", fallbacks_json(res));
		r = cli_json_print(ctx, o);
		json_decref(o);
		cli_table_free(t);
		return r;
	}
	cli_table_add_column(t, "job", CLI_COL_STR);
	cli_table_add_column(t, "src", CLI_COL_STR);
	cli_table_add_column(t, "dst", CLI_COL_STR);
	cli_table_add_column(t, "src_lba", CLI_COL_INT);
	cli_table_add_column(t, "dst_lba", CLI_COL_INT);
	cli_table_add_column(t, "count", CLI_COL_INT);
	cli_table_add_column(t, "method", CLI_COL_STR);
	cli_table_add_column(t, "bytes", CLI_COL_INT);
	cli_table_add_column(t, "host_bytes", CLI_COL_INT);
	cli_table_add_column(t, "commands", CLI_COL_INT);
	cli_table_add_column(t, "duration_ms", CLI_COL_INT);
	cli_table_add_column(t, "mib_per_s", CLI_COL_REAL);
	cli_table_add_column(t, "verified", CLI_COL_BOOL);
	cli_table_add_column(t, "result", CLI_COL_STR);
	cli_table_add_row(t);
	cli_table_set_str(t, "job", job);
	cli_table_set_str(t, "src", src);
	cli_table_set_str(t, "dst", dst);
	cli_table_set_int(t, "src_lba", (int64_t)src_lba);
	cli_table_set_int(t, "dst_lba", (int64_t)dst_lba);
	cli_table_set_int(t, "count", (int64_t)count);
	cli_table_set_str(t, "method", vitk_odx_method_str(res->method));
	cli_table_set_int(t, "bytes", (int64_t)res->bytes);
	cli_table_set_int(t, "host_bytes", (int64_t)res->host_bytes);
	cli_table_set_int(t, "commands", (int64_t)res->commands);
	cli_table_set_int(t, "duration_ms", (int64_t)(res->duration_ns / 1000000));
	cli_table_set_real(t, "mib_per_s", secs > 0 ? (double)res->bytes / secs / 1048576.0 : 0);
	cli_table_set_bool(t, "verified", res->verified);
	cli_table_set_str(t, "result", ok ? "ok" : "failed");
	r = cli_record_print(ctx, t);
	cli_table_free(t);
	if (plan)
		for (i = 0; i < 3; i++)
			if (!plan->items[i].usable)
				cli_text(ctx, "not %s: %s\n", vitk_odx_method_str(plan->items[i].method),
					 plan->items[i].reason);
	if (plan && plan->note[0])
		cli_text(ctx, "note: %s\n", plan->note);
	for (i = 0; i < res->nfallbacks; i++)
		cli_text(ctx, "fallback at block %llu: %s -> %s: %s\n",
			 (unsigned long long)res->fallbacks[i].at_block,
			 vitk_odx_method_str(res->fallbacks[i].from),
			 vitk_odx_method_str(res->fallbacks[i].to), res->fallbacks[i].reason);
	return r;
}

/* ------------------------------------------------------------------- probe */

static void probe_columns(cli_table *t)
{
	static const char *const cols[] = { "device", "vendor", "product", "serial", "designator",
					    "copy_manager" };
	size_t i;

	for (i = 0; i < VITK_ARRAY_SIZE(cols); i++)
		cli_table_add_column(t, cols[i], CLI_COL_STR);
	cli_table_add_column(t, "block_size", CLI_COL_INT);
	cli_table_add_column(t, "blocks", CLI_COL_INT);
	cli_table_add_column(t, "tpc", CLI_COL_BOOL);
	cli_table_add_column(t, "vpd_8f", CLI_COL_BOOL);
	cli_table_add_column(t, "populate_token", CLI_COL_BOOL);
	cli_table_add_column(t, "write_using_token", CLI_COL_BOOL);
	cli_table_add_column(t, "xcopy_lid1", CLI_COL_BOOL);
	cli_table_add_column(t, "max_token_transfer", CLI_COL_INT);
	cli_table_add_column(t, "optimal_transfer", CLI_COL_INT);
	cli_table_add_column(t, "max_range_descriptors", CLI_COL_INT);
	cli_table_add_column(t, "max_segment_length", CLI_COL_INT);
	cli_table_add_column(t, "max_segments", CLI_COL_INT);
}

static void probe_row(cli_table *t, const vitk_odx_dev_info *in)
{
	cli_table_add_row(t);
	cli_table_set_str(t, "device", in->name);
	cli_table_set_str(t, "vendor", in->vendor);
	cli_table_set_str(t, "product", in->product);
	cli_table_set_str(t, "serial", in->serial);
	cli_table_set_str(t, "designator", in->designator.found ? in->designator.text : NULL);
	cli_table_set_str(t, "copy_manager", in->copy_manager);
	cli_table_set_int(t, "block_size", in->block_size);
	cli_table_set_int(t, "blocks", (int64_t)in->blocks);
	cli_table_set_bool(t, "tpc", in->tpc);
	cli_table_set_bool(t, "vpd_8f", in->has_vpd_tpc);
	cli_table_set_bool(t, "populate_token",
			   vitk_scsi_vpd_tpc_has_out(&in->vpd_tpc, VITK_SCSI_SA_POPULATE_TOKEN));
	cli_table_set_bool(t, "write_using_token",
			   vitk_scsi_vpd_tpc_has_out(&in->vpd_tpc, VITK_SCSI_SA_WRITE_USING_TOKEN));
	cli_table_set_bool(t, "xcopy_lid1", in->has_rcop);
	cli_table_set_int(t, "max_token_transfer", (int64_t)in->vpd_tpc.max_token_transfer_size);
	cli_table_set_int(t, "optimal_transfer", (int64_t)in->vpd_tpc.optimal_transfer_count);
	cli_table_set_int(t, "max_range_descriptors", in->vpd_tpc.max_range_descriptors);
	cli_table_set_int(t, "max_segment_length", in->rcop.max_segment_length);
	cli_table_set_int(t, "max_segments", in->rcop.max_segment_count);
}

static json_t *probe_pairs_json(const vitk_odx_probe_result *pr)
{
	json_t *pairs = json_array();
	size_t i, k;

	for (i = 0; i < pr->npairs; i++) {
		const vitk_odx_probe_pair *p = &pr->pairs[i];
		json_t *m = json_array();

		for (k = 0; k < 3; k++)
			json_array_append_new(
				m, json_pack("{s:s, s:b, s:s?}", "method",
					     vitk_odx_method_str(p->plan.items[k].method), "usable",
					     !p->refused && p->plan.items[k].usable, "reason",
					     p->plan.items[k].usable ? NULL : p->plan.items[k].reason));
		if (p->refused)
			json_array_append_new(pairs, json_pack("{s:s, s:s, s:b, s:n, s:s, s:o}", "src", p->src, "dst", p->dst, "offload", 0, "method", "reason", p->reason, "methods", m));
		else
			json_array_append_new(
				pairs, json_pack("{s:s, s:s, s:b, s:s, s:s, s:o}", "src", p->src,
						 "dst", p->dst, "offload", p->offload, "method",
						 vitk_odx_method_str(p->method), "reason",
						 p->reason, "methods", m));
	}
	return pairs;
}

static int print_probe(struct cli_ctx *ctx, const vitk_odx_probe_result *pr)
{
	cli_table *t = cli_table_new();
	json_t *pairs = probe_pairs_json(pr);
	size_t i, k;
	int r = 0;

	probe_columns(t);
	for (i = 0; i < pr->ndevs; i++)
		probe_row(t, vitk_odx_dev_get_info(pr->devs[i]));
	if (ctx->output == CLI_OUT_JSON) {
		json_t *doc = json_pack("{s:o, s:O}", "devices", cli_table_to_json(t), "pairs", pairs);

		r = cli_json_print(ctx, doc);
		json_decref(doc);
	} else {
		if (ctx->output == CLI_OUT_CSV) {
			r = cli_table_print(ctx, t);
		} else {
			/* text: one "key: value" record per device (the table is too wide) */
			for (i = 0; i < pr->ndevs && r == 0; i++) {
				cli_table *one = cli_table_new();

				probe_columns(one);
				probe_row(one, vitk_odx_dev_get_info(pr->devs[i]));
				if (i)
					cli_text(ctx, "\n");
				r = cli_record_print(ctx, one);
				cli_table_free(one);
			}
			if (pr->ndevs > 1)
				cli_text(ctx, "\n");
		}
		for (k = 0; k < json_array_size(pairs); k++) {
			json_t *p = json_array_get(pairs, k);
			bool off = json_is_true(json_object_get(p, "offload"));

			cli_text(ctx, "offload %s -> %s: %s %s\n",
				 json_string_value(json_object_get(p, "src")),
				 json_string_value(json_object_get(p, "dst")),
				 off ? "yes," : "no because",
				 json_string_value(json_object_get(p, "reason")));
		}
	}
	json_decref(pairs);
	cli_table_free(t);
	return r;
}

static int cmd_probe(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_odx_open_options oo;
	vitk_odx_opener op;
	vitk_odx_probe_result pr;
	int r;

	cli_opener(&op, &oo);
	r = vitk_odx_probe(&pr, ctx->inv, ctx->host_id, (const char *const *)argv, (size_t)argc, &op);
	if (r < 0 && pr.failed == VITK_ODX_STAGE_OPEN)
		r = cli_error_lib(ctx, r, "cannot open '%s'", pr.failed_name);
	else if (r < 0 && pr.failed == VITK_ODX_STAGE_RECORD_LUN)
		r = cli_error_lib(ctx, VITK_EDB, "cannot record '%s'", pr.failed_name);
	else if (r < 0)
		r = cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	else
		r = print_probe(ctx, &pr);
	vitk_odx_probe_result_clear(&pr);
	return r;
}

/* -------------------------------------------------------------------- copy */

/* --dry-run: the plan, nothing sent beyond identification */
static int print_plan(struct cli_ctx *ctx, const char *src, const char *dst,
		      const vitk_odx_plan *p)
{
	cli_table *t;
	size_t i;
	int r;

	if (ctx->output == CLI_OUT_JSON) {
		json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:s, s:I, s:I, s:s?, s:o}", "src",
				      src, "dst", dst, "src_lba", (json_int_t)p->src_lba, "dst_lba",
				      (json_int_t)p->dst_lba, "count", (json_int_t)p->count,
				      "method", vitk_odx_method_str(p->chosen), "blocks_per_command",
				      (json_int_t)p->blocks_per_command, "commands",
				      (json_int_t)p->commands, "note", p->note[0] ? p->note : NULL,
				      "rejected", plan_rejected_json(p));

		r = cli_json_print(ctx, o);
		json_decref(o);
		return r;
	}
	t = cli_table_new();
	cli_table_add_column(t, "src", CLI_COL_STR);
	cli_table_add_column(t, "dst", CLI_COL_STR);
	cli_table_add_column(t, "src_lba", CLI_COL_INT);
	cli_table_add_column(t, "dst_lba", CLI_COL_INT);
	cli_table_add_column(t, "count", CLI_COL_INT);
	cli_table_add_column(t, "method", CLI_COL_STR);
	cli_table_add_column(t, "blocks_per_command", CLI_COL_INT);
	cli_table_add_column(t, "commands", CLI_COL_INT);
	cli_table_add_row(t);
	cli_table_set_str(t, "src", src);
	cli_table_set_str(t, "dst", dst);
	cli_table_set_int(t, "src_lba", (int64_t)p->src_lba);
	cli_table_set_int(t, "dst_lba", (int64_t)p->dst_lba);
	cli_table_set_int(t, "count", (int64_t)p->count);
	cli_table_set_str(t, "method", vitk_odx_method_str(p->chosen));
	cli_table_set_int(t, "blocks_per_command", (int64_t)p->blocks_per_command);
	cli_table_set_int(t, "commands", (int64_t)p->commands);
	r = cli_record_print(ctx, t);
	cli_table_free(t);
	for (i = 0; i < 3; i++)
		if (!p->items[i].usable)
			cli_text(ctx, "not %s: %s\n", vitk_odx_method_str(p->items[i].method),
				 p->items[i].reason);
	if (p->note[0])
		cli_text(ctx, "note: %s\n", p->note);
	return r;
}

/* the copy options shared by new and resumed jobs */
static int copy_options(struct cli_ctx *ctx, vitk_odx_job_request *req, int argc, char **argv)
{
	vitk_odx_copy_options *o = &req->copy;
	const char *method = cli_str(ctx, "method");
	uint64_t v;

	req->resume = cli_str(ctx, "resume");
	if (req->resume && argc != 0)
		return cli_error(ctx, CLI_EXIT_USAGE,
				 "--resume takes the source and destination from the job");
	if (!req->resume) {
		if (argc != 2)
			return cli_error(ctx, CLI_EXIT_USAGE, "copy needs SRC and DST");
		req->src = argv[0];
		req->dst = argv[1];
		get_u64(ctx, "src-lba", 0, &o->src_lba);
		get_u64(ctx, "dst-lba", 0, &o->dst_lba);
		get_u64(ctx, "count", 0, &o->count);
		if (method && vitk_odx_method_parse(method, &o->method) < 0)
			return cli_error(ctx, CLI_EXIT_USAGE, "%s", vitk_error_last()->message);
	}
	o->verify = cli_flag(ctx, "verify");
	o->force = cli_flag(ctx, "force");
	if (cli_u64(ctx, "max-blocks-per-command", &v))
		o->max_blocks_per_command = (uint32_t)(v > 0xFFFFFFFFu ? 0xFFFFFFFFu : v);
	if (cli_u64(ctx, "streams", &v))
		o->host_streams = (unsigned)(v > 32 ? 32 : v);
	if (cli_u64(ctx, "buffer", &v))
		o->host_buffer_bytes = (uint32_t)(v > (1u << 30) ? (1u << 30) : v);
	req->dry_run = cli_flag(ctx, "dry-run");
	return 0;
}

static void on_started(const vitk_odx_job *job, const vitk_odx_plan *plan, void *payload)
{
	cli_info(payload, "job %s: %s -> %s, %llu blocks by %s", job->uuid, job->src, job->dst,
		 (unsigned long long)plan->count, vitk_odx_method_str(plan->chosen));
}

/* the error of a failed job run, with the context of the stage that failed */
static int job_error(struct cli_ctx *ctx, const vitk_odx_job_result *res, int r)
{
	const vitk_odx_job *j = &res->job;

	switch (res->failed) {
	case VITK_ODX_STAGE_LOAD: return cli_error_lib(ctx, r, "cannot resume");
	case VITK_ODX_STAGE_COMPLETED:
		return cli_error(ctx, CLI_EXIT_FAIL, "job %s already completed", j->uuid);
	case VITK_ODX_STAGE_OPEN: return cli_error_lib(ctx, r, "cannot open '%s'", res->failed_name);
	case VITK_ODX_STAGE_PLAN:
		return cli_error_lib(ctx, r, "refusing to copy '%s' to '%s'", j->src, j->dst);
	case VITK_ODX_STAGE_RECORD_LUN:
		return cli_error_lib(ctx, VITK_EDB, "cannot record the LUNs");
	case VITK_ODX_STAGE_RECORD_JOB: return cli_error_lib(ctx, r, "cannot record the job");
	case VITK_ODX_STAGE_FINISH:
		return cli_error_lib(ctx, VITK_EDB, "cannot record the job result");
	default:
		return cli_error_lib(ctx, r, "copy '%s' to '%s' failed (job %s, resume with --resume)",
				     j->src, j->dst, j->uuid);
	}
}

static int cmd_copy(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_odx_job_request req = { .copy = VITK_ODX_COPY_OPTIONS_INIT };
	vitk_odx_open_options oo;
	vitk_odx_job_result res;
	struct cli_progress *bar = NULL;
	int r;

	r = copy_options(ctx, &req, argc, argv);
	if (r)
		return r;
	cli_opener(&req.opener, &oo);
	if (!req.dry_run) {
		bar = cli_progress_new(ctx, "copy");
		req.copy.progress = on_progress;
		req.copy.progress_payload = bar;
		req.started = on_started;
		req.started_payload = ctx;
	}
	r = vitk_odx_job_run(ctx->inv, ctx->host_id, &req, &res);
	cli_progress_free(bar);
	if (r < 0)
		r = job_error(ctx, &res, r);
	else if (req.dry_run)
		r = print_plan(ctx, res.job.src, res.job.dst, &res.plan);
	else
		r = print_result(ctx, res.job.uuid, res.job.src, res.job.dst, res.plan.src_lba,
				 res.plan.dst_lba, res.plan.count, &res.copy, &res.plan, true);
	vitk_odx_job_result_clear(&res);
	return r;
}

/* -------------------------------------------------------------------- zero */

static int cmd_zero(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_open_options oo;
	vitk_odx_opener op;
	vitk_odx_job_result res;
	uint64_t lba, count;
	int r;

	(void)argc;
	if (!cli_u64(ctx, "lba", &lba) || !cli_u64(ctx, "count", &count))
		return cli_error(ctx, CLI_EXIT_USAGE, "zero needs --lba and --count");
	o.force = cli_flag(ctx, "force");
	cli_opener(&op, &oo);
	r = vitk_odx_zero_run(&res, argv[0], lba, count, &o, &op);
	if (r < 0 && res.failed == VITK_ODX_STAGE_OPEN)
		r = cli_error_lib(ctx, r, "cannot open '%s'", argv[0]);
	else if (r < 0)
		r = cli_error_lib(ctx, r, "cannot zero '%s'", argv[0]);
	else
		r = print_result(ctx, NULL, NULL, argv[0], lba, lba, count, &res.copy, NULL, true);
	vitk_odx_job_result_clear(&res);
	return r;
}

/* ------------------------------------------------------------------- token */

static int token_show(struct cli_ctx *ctx, const char *path)
{
	vitk_odx_token_list *l = NULL;
	cli_table *t = cli_table_new();
	size_t i;
	int r;

	r = vitk_odx_token_file_read(&l, path);
	if (r < 0) {
		cli_table_free(t);
		return cli_error_lib(ctx, r, "cannot read token file");
	}
	cli_table_add_column(t, "index", CLI_COL_INT);
	cli_table_add_column(t, "rod_type", CLI_COL_STR);
	cli_table_add_column(t, "rod_type_name", CLI_COL_STR);
	cli_table_add_column(t, "bytes", CLI_COL_INT);
	cli_table_add_column(t, "token_bytes_represented", CLI_COL_INT);
	cli_table_add_column(t, "copy_manager_token_id", CLI_COL_STR);
	cli_table_add_column(t, "block_size", CLI_COL_INT);
	cli_table_add_column(t, "zero_token", CLI_COL_BOOL);
	for (i = 0; i < l->count; i++) {
		const vitk_scsi_rod_token *p = &l->items[i].parsed;
		char type[16], id[24];

		snprintf(type, sizeof(type), "0x%08x", p->rod_type);
		snprintf(id, sizeof(id), "0x%016llx", (unsigned long long)p->cm_token_id);
		cli_table_add_row(t);
		cli_table_set_int(t, "index", (int64_t)i);
		cli_table_set_str(t, "rod_type", type);
		cli_table_set_str(t, "rod_type_name", vitk_scsi_rod_type_str(p->rod_type));
		cli_table_set_int(t, "bytes", (int64_t)l->items[i].bytes);
		cli_table_set_int(t, "token_bytes_represented", (int64_t)p->bytes_represented);
		cli_table_set_str(t, "copy_manager_token_id", id);
		cli_table_set_int(t, "block_size", p->block_size);
		cli_table_set_bool(t, "zero_token", p->is_zero_token);
	}
	r = cli_table_print(ctx, t);
	cli_table_free(t);
	vitk_odx_token_list_free(l);
	return r;
}

static int cmd_token(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_copy_result res;
	vitk_odx_dev *d = NULL;
	uint64_t lba = 0, count = 0;
	int r;

	get_u64(ctx, "lba", 0, &lba);
	get_u64(ctx, "count", 0, &count);
	o.force = cli_flag(ctx, "force");
	{
		uint64_t ito;

		if (cli_u64(ctx, "inactivity-timeout", &ito))
			o.inactivity_timeout_s = (uint32_t)(ito > 0xFFFFFFFFu ? 0xFFFFFFFFu : ito);
	}
	if (strcmp(argv[0], "show") == 0) {
		if (argc != 2)
			return cli_error(ctx, CLI_EXIT_USAGE, "usage: vitk odx token show FILE");
		return token_show(ctx, argv[1]);
	}
	if (strcmp(argv[0], "create") == 0) {
		if (argc != 3)
			return cli_error(ctx, CLI_EXIT_USAGE,
					 "usage: vitk odx token create DEV FILE [--lba N] [--count N]");
		r = open_dev(ctx, &d, argv[1], true);
		if (r)
			return r;
		r = vitk_odx_token_create(&res, d, lba, count, argv[2], &o);
		if (r < 0) {
			r = cli_error_lib(ctx, r, "cannot create tokens from '%s'", argv[1]);
			goto out;
		}
		r = print_result(ctx, NULL, argv[1], argv[2], lba, lba,
				 res.offload_blocks, &res, NULL, true);
		goto out;
	}
	if (strcmp(argv[0], "write") == 0) {
		if (argc != 3)
			return cli_error(ctx, CLI_EXIT_USAGE,
					 "usage: vitk odx token write FILE DEV [--lba N]");
		r = open_dev(ctx, &d, argv[2], false);
		if (r)
			return r;
		r = vitk_odx_token_write(&res, d, argv[1], lba, &o);
		if (r < 0) {
			r = cli_error_lib(ctx, r, "cannot write tokens from '%s' to '%s'", argv[1],
					  argv[2]);
			goto out;
		}
		r = print_result(ctx, NULL, argv[1], argv[2], lba, lba, res.offload_blocks, &res,
				 NULL, true);
		goto out;
	}
	return cli_error(ctx, CLI_EXIT_USAGE, "unknown token action '%s' (create, write, show)",
			 argv[0]);
out:
	vitk_odx_dev_free(d);
	return r;
}

/* -------------------------------------------------------------------- jobs */

static json_t *job_json(const vitk_inventory_rows *rows, size_t i)
{
	static const char *const s_cols[] = { "uuid", "host", "src", "dst", "requested_method",
					      "method", "result", "error", "created_at",
					      "finished_at" };
	static const char *const i_cols[] = { "src_lba", "dst_lba", "count", "blocks_done",
					      "bytes", "host_bytes", "commands", "duration_ms",
					      "runs" };
	json_t *o = json_object();
	size_t k;

	for (k = 0; k < VITK_ARRAY_SIZE(s_cols); k++) {
		const char *v = vitk_inventory_rows_get(rows, i, s_cols[k]);

		json_object_set_new(o, strcmp(s_cols[k], "uuid") == 0 ? "job" : s_cols[k],
				    v ? json_string(v) : json_null());
	}
	for (k = 0; k < VITK_ARRAY_SIZE(i_cols); k++)
		json_object_set_new(o, i_cols[k],
				    json_integer(vitk_inventory_rows_get_int(rows, i, i_cols[k])));
	json_object_set_new(o, "verified", json_boolean(vitk_inventory_rows_get_int(rows, i, "verified")));
	for (k = 0; k < 2; k++) {
		const char *col = k ? "fallbacks" : "rejected";
		const char *v = vitk_inventory_rows_get(rows, i, col);
		json_t *arr = v ? json_loads(v, 0, NULL) : NULL;

		json_object_set_new(o, col, arr ? arr : json_array());
	}
	return o;
}

/* `vitk odx jobs JOB`: one job with every rejected method and fallback */
static int job_show(struct cli_ctx *ctx, const vitk_inventory_rows *rows, const char *id)
{
	size_t i, n = vitk_inventory_rows_count(rows), hit = (size_t)-1;
	json_t *o;
	cli_table *t;
	size_t k;
	int r;

	for (i = 0; i < n; i++) {
		const char *u = vitk_inventory_rows_get(rows, i, "uuid");

		if (u && strncmp(u, id, strlen(id)) == 0) {
			if (hit != (size_t)-1)
				return cli_error(ctx, CLI_EXIT_USAGE, "job id '%s' is ambiguous", id);
			hit = i;
		}
	}
	if (hit == (size_t)-1 || !id[0])
		return cli_error(ctx, CLI_EXIT_NOTFOUND, "no copy job '%s'", id);
	o = job_json(rows, hit);
	if (ctx->output == CLI_OUT_JSON) {
		r = cli_json_print(ctx, o);
		json_decref(o);
		return r;
	}
	t = cli_table_new();
	{
		const char *keys[] = { "job", "host", "src", "dst", "src_lba", "dst_lba", "count",
				       "requested_method", "method", "blocks_done", "bytes",
				       "host_bytes", "commands", "duration_ms", "runs", "verified",
				       "result", "error", "created_at", "finished_at" };

		for (k = 0; k < VITK_ARRAY_SIZE(keys); k++) {
			json_t *v = json_object_get(o, keys[k]);

			if (json_is_integer(v)) {
				cli_table_add_column(t, keys[k], CLI_COL_INT);
			} else if (json_is_boolean(v)) {
				cli_table_add_column(t, keys[k], CLI_COL_BOOL);
			} else {
				cli_table_add_column(t, keys[k], CLI_COL_STR);
			}
		}
		cli_table_add_row(t);
		for (k = 0; k < VITK_ARRAY_SIZE(keys); k++) {
			json_t *v = json_object_get(o, keys[k]);

			if (json_is_integer(v))
				cli_table_set_int(t, keys[k], json_integer_value(v));
			else if (json_is_boolean(v))
				cli_table_set_bool(t, keys[k], json_is_true(v));
			else
				cli_table_set_str(t, keys[k], json_string_value(v));
		}
	}
	r = cli_record_print(ctx, t);
	cli_table_free(t);
	for (k = 0; k < json_array_size(json_object_get(o, "rejected")); k++) {
		json_t *e = json_array_get(json_object_get(o, "rejected"), k);

		cli_text(ctx, "not %s: %s\n", json_string_value(json_object_get(e, "method")),
			 json_string_value(json_object_get(e, "reason")));
	}
	for (k = 0; k < json_array_size(json_object_get(o, "fallbacks")); k++) {
		json_t *e = json_array_get(json_object_get(o, "fallbacks"), k);

		cli_text(ctx, "fallback at block %lld: %s -> %s: %s\n",
			 (long long)json_integer_value(json_object_get(e, "at_block")),
			 json_string_value(json_object_get(e, "from")),
			 json_string_value(json_object_get(e, "to")),
			 json_string_value(json_object_get(e, "reason")));
	}
	json_decref(o);
	return r;
}

static int cmd_jobs(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_inventory_rows *rows = NULL;
	const char *host = cli_str(ctx, "host");
	int64_t host_id = 0;
	cli_table *t = NULL;
	size_t i, n;
	int r;

	(void)argc;
	(void)argv;
	if (host) {
		r = vitk_inventory_host_lookup(ctx->inv, host, &host_id);
		if (r < 0)
			return cli_error_lib(ctx, r, "unknown host '%s'", host);
	}
	r = vitk_inventory_select(&rows, ctx->inv, "odx_job", host_id, NULL, 0, "id");
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot list jobs");
	n = vitk_inventory_rows_count(rows);
	if (argc == 1) {
		r = job_show(ctx, rows, argv[0]);
		vitk_inventory_rows_free(rows);
		return r;
	}
	if (ctx->output == CLI_OUT_JSON) {
		json_t *a = json_array();

		for (i = 0; i < n; i++) {
			json_t *o = job_json(rows, i);

			json_array_append_new(a, o);
		}
		r = cli_json_print(ctx, a);
		json_decref(a);
		goto out;
	}
	t = cli_table_new();
	cli_table_add_column(t, "job", CLI_COL_STR);
	cli_table_add_column(t, "host", CLI_COL_STR);
	cli_table_add_column(t, "src", CLI_COL_STR);
	cli_table_add_column(t, "dst", CLI_COL_STR);
	cli_table_add_column(t, "count", CLI_COL_INT);
	cli_table_add_column(t, "method", CLI_COL_STR);
	cli_table_add_column(t, "bytes", CLI_COL_INT);
	cli_table_add_column(t, "host_bytes", CLI_COL_INT);
	cli_table_add_column(t, "commands", CLI_COL_INT);
	cli_table_add_column(t, "duration_ms", CLI_COL_INT);
	cli_table_add_column(t, "fallbacks", CLI_COL_INT);
	cli_table_add_column(t, "result", CLI_COL_STR);
	for (i = 0; i < n; i++) {
		const char *fb = vitk_inventory_rows_get(rows, i, "fallbacks");
		json_t *arr = fb ? json_loads(fb, 0, NULL) : NULL;

		cli_table_add_row(t);
		cli_table_set_str(t, "job", vitk_inventory_rows_get(rows, i, "uuid"));
		cli_table_set_str(t, "host", vitk_inventory_rows_get(rows, i, "host"));
		cli_table_set_str(t, "src", vitk_inventory_rows_get(rows, i, "src"));
		cli_table_set_str(t, "dst", vitk_inventory_rows_get(rows, i, "dst"));
		cli_table_set_int(t, "count", vitk_inventory_rows_get_int(rows, i, "count"));
		cli_table_set_str(t, "method", vitk_inventory_rows_get(rows, i, "method"));
		cli_table_set_int(t, "bytes", vitk_inventory_rows_get_int(rows, i, "bytes"));
		cli_table_set_int(t, "host_bytes", vitk_inventory_rows_get_int(rows, i, "host_bytes"));
		cli_table_set_int(t, "commands", vitk_inventory_rows_get_int(rows, i, "commands"));
		cli_table_set_int(t, "duration_ms", vitk_inventory_rows_get_int(rows, i, "duration_ms"));
		cli_table_set_int(t, "fallbacks", arr ? (int64_t)json_array_size(arr) : 0);
		cli_table_set_str(t, "result", vitk_inventory_rows_get(rows, i, "result"));
		json_decref(arr);
	}
	r = cli_table_print(ctx, t);
out:
	cli_table_free(t);
	vitk_inventory_rows_free(rows);
	return r;
}

/* ------------------------------------------------------------------ tables */

static const struct cli_opt odx_probe_opts[] = {
	CLI_OPT_END,
};

static const struct cli_opt odx_copy_opts[] = {
	CLI_OPT_UINT("src-lba", 0, "N", "first source block (default 0)"),
	CLI_OPT_UINT("dst-lba", 0, "N", "first destination block (default 0)"),
	CLI_OPT_UINT("count", 'c', "BLOCKS", "blocks to copy (default: to the end of the source)"),
	CLI_OPT_STR("method", 'm', "METHOD", "auto, token, xcopy or host (default auto)"),
	CLI_OPT_FLAG("verify", 0, "read both ranges back and compare them"),
	CLI_OPT_FLAG("dry-run", 'n', "show the plan (method, commands, reasons) and copy nothing"),
	CLI_OPT_STR("resume", 0, "JOB", "resume an interrupted copy job"),
	CLI_OPT_FLAG("force", 'f', "write even if the destination is mounted or held"),
	CLI_OPT_UINT("max-blocks-per-command", 0, "N", "cap the blocks moved by one command"),
	CLI_OPT_SIZE("buffer", 0, "SIZE", "host copy buffer per command (default 4M)"),
	CLI_OPT_UINT("streams", 0, "N", "iSCSI host copy: sessions per side (default 8, max 32)"),
	CLI_OPT_END,
};

static const struct cli_opt odx_zero_opts[] = {
	CLI_OPT_UINT("lba", 0, "N", "first block to zero"),
	CLI_OPT_UINT("count", 'c', "BLOCKS", "blocks to zero"),
	CLI_OPT_FLAG("force", 'f', "write even if the device is mounted or held"),
	CLI_OPT_END,
};

static const struct cli_opt odx_token_opts[] = {
	CLI_OPT_UINT("lba", 0, "N", "create: first source block; write: first destination block"),
	CLI_OPT_UINT("count", 'c', "BLOCKS", "create: blocks to cover (default: to the end)"),
	CLI_OPT_UINT("inactivity-timeout", 0, "SECONDS",
		     "create: token inactivity timeout (default: the device's)"),
	CLI_OPT_FLAG("force", 'f', "write even if the device is mounted or held"),
	CLI_OPT_END,
};

static const struct cli_opt odx_jobs_opts[] = {
	CLI_OPT_STR("host", 0, "HOST", "only jobs run on this host"),
	CLI_OPT_END,
};

const struct cli_verb cli_odx_verbs[] = {
	{ .name = "probe", .fn = cmd_probe, .opts = odx_probe_opts, .min_args = 1, .max_args = -1,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "DEV...",
	  .summary = "Show copy-offload capabilities and an offload verdict for each pair" },
	{ .name = "copy", .fn = cmd_copy, .opts = odx_copy_opts, .min_args = 0, .max_args = 2,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "SRC DST",
	  .summary = "Copy blocks with ODX token copy, EXTENDED COPY or the host" },
	{ .name = "zero", .fn = cmd_zero, .opts = odx_zero_opts, .min_args = 1, .max_args = 1,
	  .args_usage = "DEV", .summary = "Zero blocks (zero ROD token, WRITE SAME, host writes)" },
	{ .name = "token", .fn = cmd_token, .opts = odx_token_opts, .min_args = 2, .max_args = 3,
	  .args_usage = "create DEV FILE | write FILE DEV | show FILE",
	  .summary = "Populate ROD tokens into a file, write from one, or show one" },
	{ .name = "jobs", .fn = cmd_jobs, .opts = odx_jobs_opts, .min_args = 0, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "[JOB]",
	  .summary = "List copy jobs, or show one with every reason and fallback" },
	/* `serve` lives in cmd_odx_serve.c (the lab target); keep this entry */
	{ .name = "serve", .fn = cli_odx_serve, .opts = cli_odx_serve_opts, .min_args = 0,
	  .max_args = 0, .summary = "Serve file-backed LUNs as an iSCSI target with XCOPY and ODX" },
	{ 0 },
};
