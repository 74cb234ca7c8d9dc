/* SPDX-License-Identifier: MIT */
/*
 * Result documents: a copy/zero/token run, a dry run's plan, a probe, a
 * token file and the recorded jobs.  Each document's fields are declared
 * once here, as vitk_table columns bound to a record struct; JSON, CSV and
 * the text records come from the same declarations.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <vitk/array.h>
#include <vitk/inventory.h>
#include <vitk/str.h>

#include "odx_internal.h"

#define FIELD(T, m) VITK_TABLE_FIELD(T, m, #m)

typedef VITK_ARRAY(vitk_table *) table_array;
typedef VITK_ARRAY(char *) line_array;

void vitk_odx_doc_clear(vitk_odx_doc *d)
{
	size_t i;

	if (!d)
		return;
	json_decref(d->json);
	vitk_table_free(d->table);
	for (i = 0; i < d->nrecords; i++)
		vitk_table_free(d->records[i]);
	for (i = 0; i < d->nlines; i++)
		free(d->lines[i]);
	free(d->records);
	free(d->lines);
	memset(d, 0, sizeof(*d));
}

static int add_line(vitk_odx_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add_line(vitk_odx_doc *d, const char *fmt, ...)
{
	line_array a = { d->lines, d->nlines, d->nlines };
	vitk_str s = VITK_STR_INIT;
	va_list ap;
	char *line;

	va_start(ap, fmt);
	vitk_str_vputf(&s, fmt, ap);
	va_end(ap);
	line = vitk_str_detach(&s);
	if (!line || vitk_array_append(a, line) < 0) {
		free(line);
		return VITK_ENOMEM;
	}
	d->lines = a.ptr;
	d->nlines = a.size;
	return 0;
}

/* a one-row table of @rec through @cols, appended to the records */
static int add_record(vitk_odx_doc *d, const vitk_table_column *cols, size_t ncols, const void *rec)
{
	table_array a = { d->records, d->nrecords, d->nrecords };
	vitk_table *t = NULL;
	int r;

	r = vitk_table_new(&t, cols, ncols);
	if (r == 0)
		r = vitk_table_add_record(t, rec);
	if (r == 0)
		r = vitk_array_append(a, t);
	if (r < 0) {
		vitk_table_free(t);
		return r;
	}
	d->records = a.ptr;
	d->nrecords = a.size;
	return 0;
}

/* text lines: every rejected method, the plan's note, every fallback */
static int reason_lines(vitk_odx_doc *d, const vitk_odx_plan *p, const vitk_odx_copy_result *res)
{
	size_t i;
	int r = 0;

	for (i = 0; p && r == 0 && i < VITK_ODX_NITEMS; i++)
		if (!p->items[i].usable)
			r = add_line(d, "not %s: %s", vitk_odx_method_str(p->items[i].method),
				     p->items[i].reason ? p->items[i].reason : "");
	if (p && p->note && r == 0)
		r = add_line(d, "note: %s", p->note);
	for (i = 0; res && r == 0 && i < res->nfallbacks; i++)
		r = add_line(d, "fallback at block %llu: %s -> %s: %s",
			     (unsigned long long)res->fallbacks[i].at_block,
			     vitk_odx_method_str(res->fallbacks[i].from),
			     vitk_odx_method_str(res->fallbacks[i].to),
			     res->fallbacks[i].reason ? res->fallbacks[i].reason : "");
	return r;
}

/* -------------------------------------------------- a copy, zero, token run */

struct run_rec {
	const char *job, *src, *dst;
	uint64_t src_lba, dst_lba, count;
	const char *method;
	uint64_t bytes, host_bytes, host_bytes_in, host_bytes_out, offload_blocks, host_blocks;
	uint64_t commands, duration_ms;
	double mib_per_s;
	bool verified;
	const char *result;
	json_t *rejected, *fallbacks;
};

static const vitk_table_column run_json_cols[] = {
	FIELD(struct run_rec, job), FIELD(struct run_rec, src), FIELD(struct run_rec, dst),
	FIELD(struct run_rec, src_lba), FIELD(struct run_rec, dst_lba),
	FIELD(struct run_rec, count), FIELD(struct run_rec, method),
	FIELD(struct run_rec, bytes), FIELD(struct run_rec, host_bytes),
	FIELD(struct run_rec, host_bytes_in), FIELD(struct run_rec, host_bytes_out),
	FIELD(struct run_rec, offload_blocks), FIELD(struct run_rec, host_blocks),
	FIELD(struct run_rec, commands), FIELD(struct run_rec, duration_ms),
	FIELD(struct run_rec, verified), FIELD(struct run_rec, result),
	FIELD(struct run_rec, rejected), FIELD(struct run_rec, fallbacks),
};

/* the text record: the counters a person reads, with the rate */
static const vitk_table_column run_text_cols[] = {
	FIELD(struct run_rec, job), FIELD(struct run_rec, src), FIELD(struct run_rec, dst),
	FIELD(struct run_rec, src_lba), FIELD(struct run_rec, dst_lba),
	FIELD(struct run_rec, count), FIELD(struct run_rec, method),
	FIELD(struct run_rec, bytes), FIELD(struct run_rec, host_bytes),
	FIELD(struct run_rec, commands), FIELD(struct run_rec, duration_ms),
	FIELD(struct run_rec, mib_per_s), FIELD(struct run_rec, verified),
	FIELD(struct run_rec, result),
};

static int run_doc(vitk_odx_doc *d, const vitk_odx_job_result *r)
{
	const vitk_odx_copy_result *c = &r->copy;
	const vitk_odx_plan *plan = r->planned ? &r->plan : NULL;
	double secs = (double)c->duration_ns / 1e9;
	struct run_rec rec = {
		.job = r->job.uuid, .src = r->job.src, .dst = r->job.dst,
		.src_lba = r->job.src_lba, .dst_lba = r->job.dst_lba, .count = r->job.count,
		.method = vitk_odx_method_str(c->method), .bytes = c->bytes,
		.host_bytes = c->host_bytes, .host_bytes_in = c->host_bytes_in,
		.host_bytes_out = c->host_bytes_out, .offload_blocks = c->offload_blocks,
		.host_blocks = c->host_blocks, .commands = c->commands,
		.duration_ms = c->duration_ns / 1000000,
		.mib_per_s = secs > 0 ? (double)c->bytes / secs / 1048576.0 : 0,
		.verified = c->verified, .result = r->failed ? "failed" : "ok",
	};
	int rc = VITK_ENOMEM;

	rec.rejected = plan ? vitk_odx__rejected_json(plan) : json_array();
	rec.fallbacks = vitk_odx__fallbacks_json(c);
	if (!rec.rejected || !rec.fallbacks)
		goto out;
	rc = vitk_table_record_to_json(&d->json, run_json_cols, VITK_ARRAY_SIZE(run_json_cols), &rec);
	if (rc < 0)
		goto out;
	/* a zero or token run has no job (and a zero no source): no such keys */
	if (!rec.job)
		json_object_del(d->json, "job");
	if (!rec.src)
		json_object_del(d->json, "src");
	rc = add_record(d, run_text_cols, VITK_ARRAY_SIZE(run_text_cols), &rec);
	if (rc == 0)
		rc = reason_lines(d, plan, c);
out:
	json_decref(rec.rejected);
	json_decref(rec.fallbacks);
	return rc;
}

/* ------------------------------------------------------- a dry run's plan */

struct plan_rec {
	const char *src, *dst;
	uint64_t src_lba, dst_lba, count;
	const char *method;
	uint64_t blocks_per_command, commands;
	const char *note;
	json_t *rejected;
};

static const vitk_table_column plan_cols[] = {
	FIELD(struct plan_rec, src), FIELD(struct plan_rec, dst),
	FIELD(struct plan_rec, src_lba), FIELD(struct plan_rec, dst_lba),
	FIELD(struct plan_rec, count), FIELD(struct plan_rec, method),
	FIELD(struct plan_rec, blocks_per_command), FIELD(struct plan_rec, commands),
	/* JSON only: the text view has the note and the reasons as lines */
	FIELD(struct plan_rec, note), FIELD(struct plan_rec, rejected),
};
#define PLAN_TEXT_COLS 8

static int plan_doc(vitk_odx_doc *d, const vitk_odx_job_result *r)
{
	const vitk_odx_plan *p = &r->plan;
	struct plan_rec rec = {
		.src = r->job.src, .dst = r->job.dst, .src_lba = p->src_lba, .dst_lba = p->dst_lba,
		.count = p->count, .method = vitk_odx_method_str(p->chosen),
		.blocks_per_command = p->blocks_per_command, .commands = p->commands,
		.note = p->note, .rejected = vitk_odx__rejected_json(p),
	};
	int rc = VITK_ENOMEM;

	if (!rec.rejected)
		return rc;
	rc = vitk_table_record_to_json(&d->json, plan_cols, VITK_ARRAY_SIZE(plan_cols), &rec);
	if (rc == 0)
		rc = add_record(d, plan_cols, PLAN_TEXT_COLS, &rec);
	if (rc == 0)
		rc = reason_lines(d, p, NULL);
	json_decref(rec.rejected);
	return rc;
}

int vitk_odx_job_result_doc(vitk_odx_doc *out, const vitk_odx_job_result *r)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = r->ran ? run_doc(out, r) : r->planned ? plan_doc(out, r) :
		vitk_error_set(VITK_EINVAL, 0, "nothing was planned or run");
	if (rc < 0)
		vitk_odx_doc_clear(out);
	return rc;
}

/* ------------------------------------------------------------------ probe */

struct dev_rec {
	const char *device, *vendor, *product, *serial, *designator, *copy_manager;
	uint32_t block_size;
	uint64_t blocks;
	bool tpc, vpd_8f, populate_token, write_using_token, xcopy_lid1;
	uint64_t max_token_transfer;
	uint32_t optimal_transfer;
	uint16_t max_range_descriptors;
	uint32_t max_segment_length;
	uint16_t max_segments;
};

static const vitk_table_column dev_cols[] = {
	FIELD(struct dev_rec, device), FIELD(struct dev_rec, vendor),
	FIELD(struct dev_rec, product), FIELD(struct dev_rec, serial),
	FIELD(struct dev_rec, designator), FIELD(struct dev_rec, copy_manager),
	FIELD(struct dev_rec, block_size), FIELD(struct dev_rec, blocks),
	FIELD(struct dev_rec, tpc), FIELD(struct dev_rec, vpd_8f),
	FIELD(struct dev_rec, populate_token), FIELD(struct dev_rec, write_using_token),
	FIELD(struct dev_rec, xcopy_lid1), FIELD(struct dev_rec, max_token_transfer),
	FIELD(struct dev_rec, optimal_transfer), FIELD(struct dev_rec, max_range_descriptors),
	FIELD(struct dev_rec, max_segment_length), FIELD(struct dev_rec, max_segments),
};

static void dev_record(struct dev_rec *rec, const vitk_odx_dev_info *in)
{
	memset(rec, 0, sizeof(*rec));
	rec->device = in->name;
	rec->vendor = in->vendor;
	rec->product = in->product;
	rec->serial = in->serial;
	rec->designator = in->designator.found ? in->designator.text : NULL;
	rec->copy_manager = in->copy_manager;
	rec->block_size = in->block_size;
	rec->blocks = in->blocks;
	rec->tpc = in->tpc;
	rec->vpd_8f = in->has_vpd_tpc;
	rec->populate_token = vitk_scsi_vpd_tpc_has_out(&in->vpd_tpc, VITK_SCSI_SA_POPULATE_TOKEN);
	rec->write_using_token =
		vitk_scsi_vpd_tpc_has_out(&in->vpd_tpc, VITK_SCSI_SA_WRITE_USING_TOKEN);
	rec->xcopy_lid1 = in->has_rcop;
	rec->max_token_transfer = in->vpd_tpc.max_token_transfer_size;
	rec->optimal_transfer = in->vpd_tpc.optimal_transfer_count;
	rec->max_range_descriptors = in->vpd_tpc.max_range_descriptors;
	rec->max_segment_length = in->rcop.max_segment_length;
	rec->max_segments = in->rcop.max_segment_count;
}

struct method_rec {
	const char *method;
	bool usable;
	const char *reason;
};

static const vitk_table_column method_cols[] = {
	FIELD(struct method_rec, method), FIELD(struct method_rec, usable),
	FIELD(struct method_rec, reason),
};

struct pair_rec {
	const char *src, *dst;
	bool offload;
	const char *method, *reason;
	json_t *methods;
};

static const vitk_table_column pair_cols[] = {
	FIELD(struct pair_rec, src), FIELD(struct pair_rec, dst), FIELD(struct pair_rec, offload),
	FIELD(struct pair_rec, method), FIELD(struct pair_rec, reason),
	FIELD(struct pair_rec, methods),
};

/* [{method, usable, reason}]: usable only when the pair was not refused */
static json_t *methods_json(const vitk_odx_probe_pair *p)
{
	vitk_table *t = NULL;
	json_t *j = NULL;
	size_t k;
	int r;

	r = vitk_table_new(&t, method_cols, VITK_ARRAY_SIZE(method_cols));
	for (k = 0; r == 0 && k < VITK_ODX_NITEMS; k++) {
		const vitk_odx_plan_item *it = &p->plan.items[k];
		struct method_rec m = { vitk_odx_method_str(it->method), !p->refused && it->usable,
					it->usable ? NULL : it->reason };

		r = vitk_table_add_record(t, &m);
	}
	if (r == 0)
		r = vitk_table_to_json(&j, t);
	vitk_table_free(t);
	return r == 0 ? j : NULL;
}

static int pairs_json(json_t **out, vitk_odx_doc *d, const vitk_odx_probe_result *pr)
{
	vitk_table *t = NULL;
	size_t i;
	int r;

	r = vitk_table_new(&t, pair_cols, VITK_ARRAY_SIZE(pair_cols));
	for (i = 0; r == 0 && i < pr->npairs; i++) {
		const vitk_odx_probe_pair *p = &pr->pairs[i];
		struct pair_rec rec = { p->src, p->dst, p->offload,
					p->refused ? NULL : vitk_odx_method_str(p->method),
					p->reason, methods_json(p) };

		r = rec.methods ? vitk_table_add_record(t, &rec) : VITK_ENOMEM;
		json_decref(rec.methods);
		if (r == 0)
			r = add_line(d, "offload %s -> %s: %s %s", p->src, p->dst,
				     p->offload ? "yes," : "no because", p->reason);
	}
	if (r == 0)
		r = vitk_table_to_json(out, t);
	vitk_table_free(t);
	return r;
}

/* --------------------------------------- probe of block devices and files */

struct layer_rec {
	const char *device;
	int64_t layer;
	const char *dev, *kind, *detail;
	char *token, *xcopy, *host; /* "yes", or "no: why" */
};

static const vitk_table_column layer_cols[] = {
	FIELD(struct layer_rec, device), FIELD(struct layer_rec, layer),
	FIELD(struct layer_rec, dev),	 FIELD(struct layer_rec, kind),
	FIELD(struct layer_rec, detail), FIELD(struct layer_rec, token),
	FIELD(struct layer_rec, xcopy),	 FIELD(struct layer_rec, host),
};

/* the layer table without the device column: one stack's "layers" */
#define LAYER_JSON_COLS (VITK_ARRAY_SIZE(layer_cols) - 1)

static char *allows(const char *why)
{
	vitk_str s = VITK_STR_INIT;

	if (why)
		vitk_str_putf(&s, "no: %s", why);
	else
		vitk_str_puts(&s, "yes");
	return vitk_str_detach(&s);
}

/* a stack's methods: a usable one's reason is what it does not cover (st->across) */
static json_t *plan_methods_json(const vitk_odx_probe_stack *st)
{
	const vitk_odx_plan *p = &st->plan;
	vitk_table *t = NULL;
	json_t *j = NULL;
	int r = vitk_table_new(&t, method_cols, VITK_ARRAY_SIZE(method_cols));

	for (size_t k = 0; r == 0 && k < VITK_ODX_NITEMS; k++) {
		const vitk_odx_plan_item *it = &p->items[k];
		struct method_rec m = { vitk_odx_method_str(it->method), it->usable,
					it->usable ? st->across[k] : it->reason };

		r = vitk_table_add_record(t, &m);
	}
	if (r == 0)
		r = vitk_table_to_json(&j, t);
	vitk_table_free(t);
	return r == 0 ? j : NULL;
}

/* one stack: its rows in @out's table (and records when @records), its JSON in @stacks */
static int stack_doc(vitk_odx_doc *out, json_t *stacks, const vitk_odx_probe_stack *st,
		     bool records)
{
	vitk_table *lt = NULL;
	json_t *layers = NULL, *o;
	int r;

	r = vitk_table_new(&lt, layer_cols + 1, LAYER_JSON_COLS);
	for (size_t i = 0; r == 0 && i < st->nlayers; i++) {
		const vitk_odx_probe_layer *l = &st->layers[i];
		struct layer_rec rec = { st->name, (int64_t)i, l->dev, l->kind, l->detail,
					 allows(l->why[VITK_ODX_ITEM_TOKEN]),
					 allows(l->why[VITK_ODX_ITEM_XCOPY]),
					 allows(l->why[VITK_ODX_ITEM_HOST]) };

		if (!rec.token || !rec.xcopy || !rec.host)
			r = VITK_ENOMEM;
		if (r == 0)
			r = vitk_table_add_record(out->table, &rec);
		if (r == 0)
			r = vitk_table_add_record(lt, &rec);
		if (r == 0 && records)
			r = add_record(out, layer_cols, VITK_ARRAY_SIZE(layer_cols), &rec);
		free(rec.token);
		free(rec.xcopy);
		free(rec.host);
	}
	if (r == 0)
		r = vitk_table_to_json(&layers, lt);
	vitk_table_free(lt);
	if (r < 0)
		return r;
	o = json_pack("{s:s, s:b, s:b, s:s?, s:I, s:I, s:s?, s:o?, s:o}", "device", st->name,
		      "file", st->file, "offloadable", st->offloadable, "sg", st->sg,
		      "block_size", (json_int_t)st->block_size, "ranges", (json_int_t)st->nranges,
		      "reason", st->reason, "methods", plan_methods_json(st), "layers",
		      layers);
	if (!o || json_array_append_new(stacks, o) < 0)
		return VITK_ENOMEM;
	for (size_t k = 0; r == 0 && k < VITK_ODX_NITEMS; k++) {
		const vitk_odx_plan_item *it = &st->plan.items[k];

		const char *why = it->usable ? st->across[k] : it->reason;

		r = add_line(out, "%s: %s %s%s%s", st->name, vitk_odx_method_str(it->method),
			     it->usable ? "yes" : "no", why ? ", " : it->usable ? "" : ", ",
			     why ? why : "");
	}
	return r;
}

/* a LUN's capabilities in one sentence (text, when its record is not shown) */
static int lun_line(vitk_odx_doc *out, const struct dev_rec *d)
{
	return add_line(out,
			"LUN %s (%s %s): 3PC %s; POPULATE TOKEN %s, WRITE USING TOKEN %s (max token "
			"transfer %llu blocks, optimal %u, %u range descriptors); EXTENDED COPY %s "
			"(%u segments of at most %u bytes)",
			d->device, d->vendor ? d->vendor : "", d->product ? d->product : "",
			d->tpc ? "yes" : "no", d->populate_token ? "yes" : "no",
			d->write_using_token ? "yes" : "no",
			(unsigned long long)d->max_token_transfer, d->optimal_transfer,
			(unsigned)d->max_range_descriptors, d->xcopy_lid1 ? "yes" : "no",
			(unsigned)d->max_segments, d->max_segment_length);
}

/* the LUN @d (NULL: none) in @devt, once, and as a record (@one) or a line */
static int lun_doc(vitk_odx_doc *out, vitk_table *devt, const vitk_odx_dev *d, bool one)
{
	const vitk_odx_dev_info *in = d ? vitk_odx_dev_get_info(d) : NULL;
	struct dev_rec rec;
	int r;

	if (!in)
		return 0;
	for (size_t k = 0; k < vitk_table_nrows(devt); k++)
		if (strcmp(vitk_table_get_str(devt, k, 0), in->name) == 0)
			return 0;
	dev_record(&rec, in);
	r = vitk_table_add_record(devt, &rec);
	if (r == 0)
		r = one ? add_record(out, dev_cols, VITK_ARRAY_SIZE(dev_cols), &rec)
			: lun_line(out, &rec);
	return r;
}

/*
 * The probe of block devices and files: the table has a row per layer
 * (CSV, text), JSON {devices, stacks, pairs}; one name alone is shown as
 * records (each layer, then its LUN).
 */
static int probe_stacks_doc(vitk_odx_doc *out, const vitk_odx_probe_result *pr)
{
	json_t *devices = NULL, *pairs = NULL, *stacks = json_array();
	vitk_table *devt = NULL;
	bool one = pr->nstacks == 1 && pr->ndevs == 0;
	int r;

	if (!stacks)
		return VITK_ENOMEM;
	r = vitk_table_new(&out->table, layer_cols, VITK_ARRAY_SIZE(layer_cols));
	if (r == 0)
		r = vitk_table_new(&devt, dev_cols, VITK_ARRAY_SIZE(dev_cols));
	for (size_t i = 0; r == 0 && i < pr->nstacks; i++)
		r = stack_doc(out, stacks, &pr->stacks[i], one);
	/* the LUNs: the names that are LUNs, then each stack's disks (each once) */
	for (size_t i = 0; r == 0 && i < pr->ndevs + pr->nstacks; i++) {
		const vitk_odx_probe_stack *st = i < pr->ndevs ? NULL : &pr->stacks[i - pr->ndevs];
		size_t nd = st ? st->ndisks : 1;

		for (size_t x = 0; r == 0 && x < nd; x++)
			r = lun_doc(out, devt, st ? st->disks[x].dev : pr->devs[i], one);
	}
	if (r == 0)
		r = vitk_table_to_json(&devices, devt);
	if (r == 0)
		r = pairs_json(&pairs, out, pr);
	if (r == 0) {
		out->json = json_pack("{s:O, s:O, s:O}", "devices", devices, "stacks", stacks,
				      "pairs", pairs);
		if (!out->json)
			r = VITK_ENOMEM;
	}
	vitk_table_free(devt);
	json_decref(devices);
	json_decref(pairs);
	json_decref(stacks);
	if (r < 0 && !vitk_error_last()->message[0])
		vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	return r;
}

int vitk_odx_probe_doc(vitk_odx_doc *out, const vitk_odx_probe_result *pr)
{
	json_t *devices = NULL, *pairs = NULL;
	struct dev_rec rec;
	size_t i;
	int r;

	memset(out, 0, sizeof(*out));
	if (pr->nstacks) {
		r = probe_stacks_doc(out, pr);
		if (r < 0)
			vitk_odx_doc_clear(out);
		return r;
	}
	r = vitk_table_new(&out->table, dev_cols, VITK_ARRAY_SIZE(dev_cols));
	for (i = 0; r == 0 && i < pr->ndevs; i++) {
		dev_record(&rec, vitk_odx_dev_get_info(pr->devs[i]));
		r = vitk_table_add_record(out->table, &rec);
		if (r == 0) /* text: one record per device (the table is too wide) */
			r = add_record(out, dev_cols, VITK_ARRAY_SIZE(dev_cols), &rec);
	}
	if (r == 0)
		r = vitk_table_to_json(&devices, out->table);
	if (r == 0)
		r = pairs_json(&pairs, out, pr);
	if (r == 0) {
		out->json = json_object();
		if (!out->json || json_object_set(out->json, "devices", devices) < 0 ||
		    json_object_set(out->json, "pairs", pairs) < 0)
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	json_decref(devices);
	json_decref(pairs);
	if (r < 0)
		vitk_odx_doc_clear(out);
	return r;
}

/* ------------------------------------------------------------- token file */

enum { TOK_INDEX, TOK_TYPE, TOK_TYPE_NAME, TOK_BYTES, TOK_REPR, TOK_CM_ID, TOK_BS, TOK_ZERO };
static const vitk_table_column token_cols[] = {
	[TOK_INDEX] = VITK_TABLE_COLUMN("index", VITK_TABLE_INT),
	[TOK_TYPE] = VITK_TABLE_COLUMN("rod_type", VITK_TABLE_STR),
	[TOK_TYPE_NAME] = VITK_TABLE_COLUMN("rod_type_name", VITK_TABLE_STR),
	[TOK_BYTES] = VITK_TABLE_COLUMN("bytes", VITK_TABLE_INT),
	[TOK_REPR] = VITK_TABLE_COLUMN("token_bytes_represented", VITK_TABLE_INT),
	[TOK_CM_ID] = VITK_TABLE_COLUMN("copy_manager_token_id", VITK_TABLE_STR),
	[TOK_BS] = VITK_TABLE_COLUMN("block_size", VITK_TABLE_INT),
	[TOK_ZERO] = VITK_TABLE_COLUMN("zero_token", VITK_TABLE_BOOL),
};

int vitk_odx_token_file_doc(vitk_odx_doc *out, const char *path)
{
	vitk_odx_token_list *l = NULL;
	vitk_str s = VITK_STR_INIT;
	size_t i;
	int r;

	memset(out, 0, sizeof(*out));
	r = vitk_odx_token_file_read(&l, path);
	if (r == 0)
		r = vitk_table_new(&out->table, token_cols, VITK_ARRAY_SIZE(token_cols));
	for (i = 0; r == 0 && i < l->count; i++) {
		const vitk_scsi_rod_token *p = &l->items[i].parsed;
		vitk_table *t = out->table;

		vitk_table_add_row(t);
		vitk_table_set_int(t, TOK_INDEX, (int64_t)i);
		vitk_str_truncate(&s, 0);
		vitk_str_putf(&s, "0x%08x", p->rod_type);
		vitk_table_set_str(t, TOK_TYPE, s.ptr);
		vitk_table_set_str(t, TOK_TYPE_NAME, vitk_scsi_rod_type_str(p->rod_type));
		vitk_table_set_int(t, TOK_BYTES, (int64_t)l->items[i].bytes);
		vitk_table_set_int(t, TOK_REPR, (int64_t)p->bytes_represented);
		vitk_str_truncate(&s, 0);
		vitk_str_putf(&s, "0x%016llx", (unsigned long long)p->cm_token_id);
		vitk_table_set_str(t, TOK_CM_ID, s.oom ? NULL : s.ptr);
		vitk_table_set_int(t, TOK_BS, p->block_size);
		r = vitk_table_set_bool(t, TOK_ZERO, p->is_zero_token);
		if (r == 0 && s.oom)
			r = VITK_ENOMEM;
	}
	if (r == 0)
		r = vitk_table_to_json(&out->json, out->table);
	vitk_str_clear(&s);
	vitk_odx_token_list_free(l);
	if (r < 0)
		vitk_odx_doc_clear(out);
	return r;
}

/* ------------------------------------------------------------------- jobs */

struct job_rec {
	const char *job, *host, *src, *dst, *requested_method, *method, *result, *error;
	const char *created_at, *finished_at;
	int64_t src_lba, dst_lba, count, blocks_done, bytes, host_bytes, commands, duration_ms;
	int64_t runs;
	bool verified;
	json_t *rejected, *fallbacks;
	int64_t nfallbacks;
};

#define JOB_FIELD(m) FIELD(struct job_rec, m)
/* the JSON of a job: every column of its odx_job row */
static const vitk_table_column job_json_cols[] = {
	JOB_FIELD(job), JOB_FIELD(host), JOB_FIELD(src), JOB_FIELD(dst),
	JOB_FIELD(requested_method), JOB_FIELD(method), JOB_FIELD(result), JOB_FIELD(error),
	JOB_FIELD(created_at), JOB_FIELD(finished_at), JOB_FIELD(src_lba), JOB_FIELD(dst_lba),
	JOB_FIELD(count), JOB_FIELD(blocks_done), JOB_FIELD(bytes), JOB_FIELD(host_bytes),
	JOB_FIELD(commands), JOB_FIELD(duration_ms), JOB_FIELD(runs), JOB_FIELD(verified),
	JOB_FIELD(rejected), JOB_FIELD(fallbacks),
};

/* `jobs JOB` in text: one record, the reasons and fallbacks as lines */
static const vitk_table_column job_text_cols[] = {
	JOB_FIELD(job), JOB_FIELD(host), JOB_FIELD(src), JOB_FIELD(dst), JOB_FIELD(src_lba),
	JOB_FIELD(dst_lba), JOB_FIELD(count), JOB_FIELD(requested_method), JOB_FIELD(method),
	JOB_FIELD(blocks_done), JOB_FIELD(bytes), JOB_FIELD(host_bytes), JOB_FIELD(commands),
	JOB_FIELD(duration_ms), JOB_FIELD(runs), JOB_FIELD(verified), JOB_FIELD(result),
	JOB_FIELD(error), JOB_FIELD(created_at), JOB_FIELD(finished_at),
};

/* the job list in text and CSV */
static const vitk_table_column job_list_cols[] = {
	JOB_FIELD(job), JOB_FIELD(host), JOB_FIELD(src), JOB_FIELD(dst), JOB_FIELD(count),
	JOB_FIELD(method), JOB_FIELD(bytes), JOB_FIELD(host_bytes), JOB_FIELD(commands),
	JOB_FIELD(duration_ms), VITK_TABLE_FIELD(struct job_rec, nfallbacks, "fallbacks"),
	JOB_FIELD(result),
};

/* a JSON array stored in a TEXT column ([] when empty or unreadable) */
static json_t *stored_array(const vitk_inventory_rows *rows, size_t i, const char *col)
{
	const char *v = vitk_inventory_rows_get(rows, i, col);
	json_t *a = v ? json_loads(v, 0, NULL) : NULL;

	if (a && json_is_array(a))
		return a;
	json_decref(a);
	return json_array();
}

static void job_record(struct job_rec *j, const vitk_inventory_rows *rows, size_t i)
{
#define S(m, col) j->m = vitk_inventory_rows_get(rows, i, col)
#define I(m) j->m = vitk_inventory_rows_get_int(rows, i, #m)
	S(job, "uuid"), S(host, "host"), S(src, "src"), S(dst, "dst");
	S(requested_method, "requested_method"), S(method, "method"), S(result, "result");
	S(error, "error"), S(created_at, "created_at"), S(finished_at, "finished_at");
	I(src_lba), I(dst_lba), I(count), I(blocks_done), I(bytes), I(host_bytes), I(commands);
	I(duration_ms), I(runs);
#undef S
#undef I
	/* a "running" row whose owner is gone was interrupted (kill, crash, reboot) */
	if (j->result && strcmp(j->result, "running") == 0 && !vitk_odx__job_row_running(rows, i))
		j->result = "interrupted";
	j->verified = vitk_inventory_rows_get_int(rows, i, "verified") != 0;
	j->rejected = stored_array(rows, i, "rejected");
	j->fallbacks = stored_array(rows, i, "fallbacks");
	j->nfallbacks = j->fallbacks ? (int64_t)json_array_size(j->fallbacks) : 0;
}

static void job_record_clear(struct job_rec *j)
{
	json_decref(j->rejected);
	json_decref(j->fallbacks);
}

/* member @key of a stored object as text; rows may come from an imported file: "" unless a string */
static const char *member(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/* the lines of a stored job: every rejected method, every fallback */
static int stored_lines(vitk_odx_doc *d, const struct job_rec *j)
{
	size_t k;
	int r = 0;

	for (k = 0; r == 0 && k < json_array_size(j->rejected); k++) {
		json_t *e = json_array_get(j->rejected, k);

		r = add_line(d, "not %s: %s", member(e, "method"), member(e, "reason"));
	}
	for (k = 0; r == 0 && k < json_array_size(j->fallbacks); k++) {
		json_t *e = json_array_get(j->fallbacks, k);

		r = add_line(d, "fallback at block %lld: %s -> %s: %s",
			     (long long)json_integer_value(json_object_get(e, "at_block")),
			     member(e, "from"), member(e, "to"), member(e, "reason"));
	}
	return r;
}

static int job_one(vitk_odx_doc *d, const vitk_inventory_rows *rows, const char *id)
{
	struct job_rec j;
	size_t hit;
	int r;

	r = vitk_odx__job_find(rows, id, &hit);
	if (r < 0)
		return r;
	job_record(&j, rows, hit);
	r = vitk_table_record_to_json(&d->json, job_json_cols, VITK_ARRAY_SIZE(job_json_cols), &j);
	if (r == 0)
		r = add_record(d, job_text_cols, VITK_ARRAY_SIZE(job_text_cols), &j);
	if (r == 0)
		r = stored_lines(d, &j);
	job_record_clear(&j);
	return r;
}

static int job_list(vitk_odx_doc *d, const vitk_inventory_rows *rows)
{
	size_t i, n = vitk_inventory_rows_count(rows);
	json_t *o = NULL;
	int r;

	d->json = json_array();
	r = d->json ? vitk_table_new(&d->table, job_list_cols, VITK_ARRAY_SIZE(job_list_cols))
		    : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (i = 0; r == 0 && i < n; i++) {
		struct job_rec j;

		job_record(&j, rows, i);
		r = vitk_table_add_record(d->table, &j);
		if (r == 0)
			r = vitk_table_record_to_json(&o, job_json_cols,
						      VITK_ARRAY_SIZE(job_json_cols), &j);
		if (r == 0 && json_array_append_new(d->json, o) < 0)
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		job_record_clear(&j);
	}
	return r;
}

int vitk_odx_jobs_doc(vitk_odx_doc *out, vitk_inventory *inv, const char *host, const char *job)
{
	vitk_inventory_rows *rows = NULL;
	int64_t host_id = 0;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (host) {
		r = vitk_inventory_host_lookup(inv, host, &host_id);
		if (r < 0)
			return vitk_error_prefix("unknown host '%s': ", host);
	}
	r = vitk_inventory_select(&rows, inv, "odx_job", host_id, NULL, 0, "id");
	if (r < 0)
		return vitk_error_prefix("cannot list jobs: ");
	r = job ? job_one(out, rows, job) : job_list(out, rows);
	vitk_inventory_rows_free(rows);
	if (r < 0)
		vitk_odx_doc_clear(out);
	return r;
}
