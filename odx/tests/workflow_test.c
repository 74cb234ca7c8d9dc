/* SPDX-License-Identifier: MIT */
/*
 * The workflows over scripted fake devices and a ":memory:" inventory:
 * a recorded copy job (rows, rejected methods, resume from the first block
 * not written), dry runs and refusals that record nothing, zero and probe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include <vitk/inventory.h>
#include <vitk/odx.h>

#include "fake_scsi.h"

#define BS 512u
#define NBLK 4096u

struct world {
	fake_scsi src, dst;
	vitk_inventory *inv;
	int64_t host;
	unsigned opens;
};

/* the opener: "src" and "dst" are the two fakes; anything else is not found */
static int open_fake(void *payload, const char *name, bool read_only, vitk_odx_dev **out)
{
	struct world *w = payload;
	fake_scsi *f = strcmp(name, "src") == 0 ? &w->src : strcmp(name, "dst") == 0 ? &w->dst : NULL;

	(void)read_only;
	if (!f)
		return vitk_error_set(VITK_ENOTFOUND, 0, "no device '%s'", name);
	w->opens++;
	return vitk_odx_dev_open_with_transport(out, &f->t, name, "cm", NULL);
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	fake_scsi_init(&w->src, "SRC0001", 1, BS, NBLK);
	fake_scsi_init(&w->dst, "DST0001", 2, BS, NBLK);
	assert_int_equal(vitk_inventory_open(&w->inv, ":memory:", 0), 0);
	assert_int_equal(vitk_odx_inventory_register(w->inv), 0);
	assert_int_equal(vitk_inventory_host_ensure(w->inv, "h1", "m1", "linux", "local", &w->host), 0);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	vitk_inventory_free(w->inv);
	fake_scsi_dispose(&w->src);
	fake_scsi_dispose(&w->dst);
	free(w);
	return 0;
}

static vitk_odx_job_request request(struct world *w, uint64_t src_lba, uint64_t dst_lba,
				    uint64_t count)
{
	vitk_odx_job_request req = { .src = "src", .dst = "dst", .copy = VITK_ODX_COPY_OPTIONS_INIT };

	req.copy.src_lba = src_lba;
	req.copy.dst_lba = dst_lba;
	req.copy.count = count;
	req.copy.host_buffer_bytes = 64 * BS;
	req.opener.open = open_fake;
	req.opener.payload = w;
	return req;
}

static size_t count_rows(vitk_inventory *inv, const char *table)
{
	vitk_inventory_rows *rows = NULL;
	size_t n;

	assert_int_equal(vitk_inventory_select(&rows, inv, table, 0, NULL, 0, NULL), 0);
	n = vitk_inventory_rows_count(rows);
	vitk_inventory_rows_free(rows);
	return n;
}

/* the LBA of the @nth READ(16) the fake saw */
static uint64_t nth_read_lba(const fake_scsi *f, size_t nth)
{
	size_t i;

	for (i = 0; i < f->nlog; i++)
		if (f->log[i][0] == 0x88 && nth-- == 0)
			return vitk_get_be64(&f->log[i][2]);
	fail_msg("fewer READ(16) than asked for");
	return 0;
}

static void assert_copied(const struct world *w, uint64_t s, uint64_t d, uint64_t n)
{
	assert_memory_equal(w->dst.disk + d * BS, w->src.disk + s * BS, n * BS);
}

static void test_odx_workflow__new_job_records_luns_job_and_reasons(void **state)
{
	struct world *w = *state;
	vitk_odx_job_request req = request(w, 7, 1000, 300);
	vitk_odx_job_result res;
	vitk_inventory_rows *rows = NULL;

	/* like tgtd: no 3PC, so host copy with both offload methods rejected */
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &res), 0);
	assert_int_equal(res.failed, VITK_ODX_STAGE_NONE);
	assert_true(res.planned && res.ran);
	assert_int_equal(res.copy.method, VITK_ODX_METHOD_HOST);
	assert_int_equal(res.copy.bytes, 300 * BS);
	assert_int_equal(strlen(res.job.uuid), 36);
	assert_string_equal(res.job.result, "ok");
	assert_int_equal(res.job.blocks_done, 300);
	assert_copied(w, 7, 1000, 300);
	assert_int_equal(w->dst.disk[1300 * BS], fake_scsi_pattern(&w->dst, 1300, 0));

	assert_int_equal(count_rows(w->inv, "odx_lun"), 2);
	assert_int_equal(vitk_inventory_select(&rows, w->inv, "odx_job", 0, NULL, 0, NULL), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 1);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "uuid"), res.job.uuid);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "src"), "src");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "dst"), "dst");
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "src_lba"), 7);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "dst_lba"), 1000);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "count"), 300);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "requested_method"), "auto");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "method"), "host");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "result"), "ok");
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "blocks_done"), 300);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "bytes"), 300 * BS);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "runs"), 1);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "rejected"),
			    "[{\"method\":\"token\",\"reason\":\"no 3PC / ODX token copy unsupported "
			    "(neither device has the 3PC bit)\"},"
			    "{\"method\":\"xcopy\",\"reason\":\"no 3PC / EXTENDED COPY unsupported\"}]");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "fallbacks"), "[]");
	vitk_inventory_rows_free(rows);
	vitk_odx_job_result_clear(&res);
}

static void test_odx_workflow__resume_from_first_unwritten_block(void **state)
{
	struct world *w = *state;
	vitk_odx_job_request req = request(w, 3, 2000, 512);
	vitk_odx_job_result res, again;
	vitk_inventory_rows *rows = NULL;
	char prefix[9];

	/* a medium error inside the fifth 64-block chunk (256..319) stops the first run */
	w->src.bad_lba = 3 + 300;
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &res), VITK_ESCSI);
	assert_int_equal(res.failed, VITK_ODX_STAGE_COPY);
	assert_non_null(strstr(vitk_error_last()->message, "unrecovered read error"));
	assert_string_equal(res.job.result, "failed");
	assert_int_equal(res.job.blocks_done, 256);
	assert_int_equal(vitk_inventory_select(&rows, w->inv, "odx_job", 0, NULL, 0, NULL), 0);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "result"), "failed");
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "blocks_done"), 256);
	assert_non_null(strstr(vitk_inventory_rows_get(rows, 0, "error"), "unrecovered read error"));
	vitk_inventory_rows_free(rows);

	/* resume by a uuid prefix: devices, range and method come from the job */
	w->src.bad_lba = 0;
	w->src.nlog = w->dst.nlog = 0;
	memcpy(prefix, res.job.uuid, 8);
	prefix[8] = '\0';
	req = request(w, 0, 0, 0);
	req.src = req.dst = NULL;
	req.resume = prefix;
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &again), 0);
	assert_string_equal(again.job.uuid, res.job.uuid);
	assert_int_equal(nth_read_lba(&w->src, 0), 3 + 256);
	assert_int_equal(again.copy.bytes, 256 * BS);
	assert_int_equal(again.job.blocks_done, 512);
	assert_copied(w, 3, 2000, 512);
	assert_int_equal(vitk_inventory_select(&rows, w->inv, "odx_job", 0, NULL, 0, NULL), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 1);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "result"), "ok");
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "runs"), 2);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "blocks_done"), 512);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "bytes"), 512 * BS);
	vitk_inventory_rows_free(rows);

	/* a completed job is not run again */
	w->opens = 0;
	vitk_odx_job_result_clear(&again);
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &again), VITK_EINVAL);
	assert_int_equal(again.failed, VITK_ODX_STAGE_COMPLETED);
	assert_string_equal(again.job.uuid, res.job.uuid);
	assert_int_equal(w->opens, 0);
	vitk_odx_job_result_clear(&again);
	req.resume = "ffffffff";
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &again), VITK_ENOTFOUND);
	assert_int_equal(again.failed, VITK_ODX_STAGE_LOAD);
	vitk_odx_job_result_clear(&again);
	vitk_odx_job_result_clear(&res);
}

struct seen {
	vitk_inventory *inv;
	int64_t blocks_done, run_bytes, run_host_bytes, run_commands, bytes;
	bool done;
};

/* the caller's hook sees the job row as a kill -9 right now would leave it */
static int row_at_first_chunk(uint64_t blocks_done, vitk_odx_method m, void *payload)
{
	struct seen *s = payload;
	vitk_inventory_rows *rows = NULL;

	(void)blocks_done;
	(void)m;
	if (s->done)
		return 0;
	s->done = true;
	assert_int_equal(vitk_inventory_select(&rows, s->inv, "odx_job", 0, NULL, 0, NULL), 0);
	s->blocks_done = vitk_inventory_rows_get_int(rows, 0, "blocks_done");
	s->run_bytes = vitk_inventory_rows_get_int(rows, 0, "run_bytes");
	s->run_host_bytes = vitk_inventory_rows_get_int(rows, 0, "run_host_bytes");
	s->run_commands = vitk_inventory_rows_get_int(rows, 0, "run_commands");
	s->bytes = vitk_inventory_rows_get_int(rows, 0, "bytes");
	vitk_inventory_rows_free(rows);
	return 0;
}

/* the first progress update carries the run's counters; the finish adds them once */
static void test_odx_workflow__progress_persists_run_counters(void **state)
{
	struct world *w = *state;
	vitk_odx_job_request req = request(w, 0, 500, 256);
	vitk_odx_job_result res;
	vitk_inventory_rows *rows = NULL;
	struct seen seen = { w->inv, 0, 0, 0, 0, 0, false };

	req.copy.on_chunk = row_at_first_chunk;
	req.copy.chunk_payload = &seen;
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &res), 0);
	assert_true(seen.done);
	/* host copy in 64-block chunks: after the first, 64 blocks and their bytes */
	assert_int_equal(seen.blocks_done, 64);
	assert_int_equal(seen.run_bytes, 64 * BS);
	assert_true(seen.run_commands >= 2);            /* a READ and a WRITE at least */
	assert_true(seen.run_host_bytes >= 2 * 64 * BS); /* read in, written out */
	assert_int_equal(seen.bytes, 0);                /* the totals wait for the finish */
	assert_int_equal(vitk_inventory_select(&rows, w->inv, "odx_job", 0, NULL, 0, NULL), 0);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "bytes"), 256 * BS);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "commands"), (int64_t)res.copy.commands);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "runs"), 1);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "run_bytes"), 0);
	vitk_inventory_rows_free(rows);
	vitk_odx_job_result_clear(&res);
}

/* --resume JOB --verify of a finished job: nothing written, both ranges read and compared */
static void test_odx_workflow__verify_finished_job(void **state)
{
	struct world *w = *state;
	vitk_odx_job_request req = request(w, 10, 100, 200);
	vitk_odx_job_result res, v;

	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &res), 0);
	assert_copied(w, 10, 100, 200);
	req = request(w, 0, 0, 0);
	req.src = req.dst = NULL;
	req.resume = res.job.uuid;
	req.copy.verify = true;
	w->dst.writes = 0;
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &v), 0);
	assert_true(v.copy.verified);
	assert_int_equal(v.copy.bytes, 0);
	assert_int_equal(v.copy.verify_bytes, 2 * 200 * BS);
	assert_int_equal(w->dst.writes, 0);
	assert_string_equal(v.job.result, "ok");
	vitk_odx_job_result_clear(&v);

	/* one byte of destination block 100 + 150 changes behind the job's back */
	w->dst.disk[(100 + 150) * BS + 7] ^= 0xff;
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &v), VITK_ERROR);
	assert_int_equal(v.failed, VITK_ODX_STAGE_COPY);
	assert_string_equal(vitk_error_last()->message,
			    "verify: 'dst' block 250 differs from 'src' block 160");
	assert_string_equal(v.job.result, "failed");
	assert_int_equal(w->dst.writes, 0);
	vitk_odx_job_result_clear(&v);
	vitk_odx_job_result_clear(&res);
}

static void test_odx_workflow__dry_run_and_refusals_record_nothing(void **state)
{
	struct world *w = *state;
	vitk_odx_job_request req = request(w, 0, 0, 1000);
	vitk_odx_job_result res;

	fake_scsi_enable_3pc(&w->src, 256, 0, 16u << 20, 1);
	fake_scsi_enable_3pc(&w->dst, 256, 0, 16u << 20, 1);
	req.dry_run = true;
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &res), 0);
	assert_true(res.planned);
	assert_false(res.ran);
	assert_int_equal(res.plan.chosen, VITK_ODX_METHOD_TOKEN);
	assert_int_equal(res.plan.commands, 4);
	assert_null(res.job.uuid);
	vitk_odx_job_result_clear(&res);

	/* past the capacity: refused by the planner */
	req = request(w, 0, NBLK - 10, 11);
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &res), VITK_ERANGE);
	assert_int_equal(res.failed, VITK_ODX_STAGE_PLAN);
	assert_non_null(strstr(vitk_error_last()->message, "past the capacity"));
	vitk_odx_job_result_clear(&res);

	/* a device that does not open: named */
	req = request(w, 0, 0, 10);
	req.dst = "nowhere";
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &res), VITK_ENOTFOUND);
	assert_int_equal(res.failed, VITK_ODX_STAGE_OPEN);
	assert_string_equal(res.failed_name, "nowhere");
	vitk_odx_job_result_clear(&res);

	assert_int_equal(w->src.writes + w->dst.writes, 0);
	assert_int_equal(count_rows(w->inv, "odx_lun"), 0);
	assert_int_equal(count_rows(w->inv, "odx_job"), 0);
}

static void test_odx_workflow__zero_run(void **state)
{
	struct world *w = *state;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_opener op = { NULL, open_fake, w };
	vitk_odx_job_result res;
	static const uint8_t zero[BS];

	/* no 3PC: the zero token is not usable, WRITE SAME(16) does it */
	assert_int_equal(vitk_odx_zero_run(&res, "dst", 100, 8, &o, &op), 0);
	assert_int_equal(res.copy.method, VITK_ODX_METHOD_WRITE_SAME);
	assert_string_equal(res.job.dst, "dst");
	assert_int_equal(res.job.count, 8);
	assert_memory_equal(w->dst.disk + 107 * BS, zero, BS);
	assert_int_equal(w->dst.disk[108 * BS], fake_scsi_pattern(&w->dst, 108, 0));
	vitk_odx_job_result_clear(&res);
	assert_int_equal(vitk_odx_zero_run(&res, "nowhere", 100, 8, &o, &op), VITK_ENOTFOUND);
	assert_int_equal(res.failed, VITK_ODX_STAGE_OPEN);
	vitk_odx_job_result_clear(&res);
}

static void test_odx_workflow__probe_verdicts(void **state)
{
	struct world *w = *state;
	vitk_odx_opener op = { NULL, open_fake, w };
	vitk_odx_probe_result pr;
	static const char *const names[] = { "src", "dst" };
	static const char *const bad[] = { "src", "nowhere" };

	fake_scsi_enable_3pc(&w->src, 65536, 0, 16u << 20, 1);
	assert_int_equal(vitk_odx_probe(&pr, w->inv, w->host, names, 2, &op), 0);
	assert_int_equal(pr.ndevs, 2);
	assert_int_equal(pr.npairs, 2);
	assert_string_equal(pr.pairs[0].src, "src");
	assert_string_equal(pr.pairs[0].dst, "dst");
	assert_false(pr.pairs[0].offload);
	assert_int_equal(pr.pairs[0].method, VITK_ODX_METHOD_HOST);
	assert_string_equal(pr.pairs[0].reason, "token: destination has no 3PC bit; "
						 "xcopy: no 3PC / EXTENDED COPY unsupported");
	assert_false(pr.pairs[0].plan.items[0].usable);
	assert_true(pr.pairs[0].plan.items[2].usable);
	assert_int_equal(count_rows(w->inv, "odx_lun"), 2);
	vitk_odx_probe_result_clear(&pr);

	assert_int_equal(vitk_odx_probe(&pr, NULL, 0, bad, 2, &op), VITK_ENOTFOUND);
	assert_int_equal(pr.failed, VITK_ODX_STAGE_OPEN);
	assert_string_equal(pr.failed_name, "nowhere");
	vitk_odx_probe_result_clear(&pr);
}

/* @j dumped compactly with sorted keys equals @want */
static void assert_json(json_t *j, const char *want)
{
	char *got = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_odx_workflow__documents(void **state)
{
	struct world *w = *state;
	vitk_odx_job_request req = request(w, 7, 1000, 300);
	vitk_odx_job_result res;
	vitk_odx_doc doc;
	char *uuid;

	/* a copy run: the JSON keys, one text record, a line per rejected method */
	req.copy.method = VITK_ODX_METHOD_HOST;
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &res), 0);
	assert_int_equal(vitk_odx_job_result_doc(&doc, &res), 0);
	assert_string_equal(json_string_value(json_object_get(doc.json, "job")), res.job.uuid);
	assert_int_equal(json_integer_value(json_object_get(doc.json, "bytes")), 300 * BS);
	assert_int_equal(json_integer_value(json_object_get(doc.json, "host_bytes_in")), 300 * BS);
	assert_json(json_object_get(doc.json, "rejected"),
		    "[{\"method\":\"token\",\"reason\":\"no 3PC / ODX token copy unsupported "
		    "(neither device has the 3PC bit)\"},"
		    "{\"method\":\"xcopy\",\"reason\":\"no 3PC / EXTENDED COPY unsupported\"}]");
	assert_json(json_object_get(doc.json, "fallbacks"), "[]");
	assert_int_equal(json_object_size(doc.json), 19);
	assert_null(doc.table);
	assert_int_equal(doc.nrecords, 1);
	assert_int_equal(vitk_table_ncolumns(doc.records[0]), 14);
	assert_int_equal(doc.nlines, 2);
	assert_string_equal(doc.lines[0], "not token: no 3PC / ODX token copy unsupported "
					  "(neither device has the 3PC bit)");
	vitk_odx_doc_clear(&doc);
	uuid = strdup(res.job.uuid);
	vitk_odx_job_result_clear(&res);

	/* a zero run has neither job nor src */
	{
		vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;

		assert_int_equal(vitk_odx_zero_run(&res, "dst", 100, 8, &o, &req.opener), 0);
		assert_int_equal(vitk_odx_job_result_doc(&doc, &res), 0);
		assert_null(json_object_get(doc.json, "job"));
		assert_null(json_object_get(doc.json, "src"));
		assert_string_equal(json_string_value(json_object_get(doc.json, "method")), "write_same");
		assert_int_equal(json_array_size(json_object_get(doc.json, "fallbacks")), 1);
		assert_string_equal(doc.lines[0], "fallback at block 0: token -> write_same: "
						  "device has no 3PC bit");
		vitk_odx_doc_clear(&doc);
		vitk_odx_job_result_clear(&res);
	}

	/* the jobs: a list (table + JSON array), one job by prefix, unknown and ambiguous ids */
	assert_int_equal(vitk_odx_jobs_doc(&doc, w->inv, NULL, NULL), 0);
	assert_int_equal(json_array_size(doc.json), 1);
	assert_int_equal(vitk_table_nrows(doc.table), 1);
	assert_int_equal(vitk_table_get_int(doc.table, 0, 10), 0); /* fallbacks */
	assert_int_equal(doc.nrecords, 0);
	vitk_odx_doc_clear(&doc);
	uuid[8] = '\0';
	assert_int_equal(vitk_odx_jobs_doc(&doc, w->inv, "h1", uuid), 0);
	assert_string_equal(json_string_value(json_object_get(doc.json, "requested_method")), "host");
	assert_int_equal(json_integer_value(json_object_get(doc.json, "runs")), 1);
	assert_int_equal(doc.nrecords, 1);
	assert_int_equal(doc.nlines, 2);
	assert_string_equal(doc.lines[1], "not xcopy: no 3PC / EXTENDED COPY unsupported");
	vitk_odx_doc_clear(&doc);
	free(uuid);
	assert_int_equal(vitk_odx_jobs_doc(&doc, w->inv, NULL, "ffff"), VITK_ENOTFOUND);
	assert_string_equal(vitk_error_last()->message, "no copy job 'ffff'");
	assert_int_equal(vitk_odx_jobs_doc(&doc, w->inv, NULL, ""), VITK_ENOTFOUND);
	assert_int_equal(vitk_odx_jobs_doc(&doc, w->inv, "nohost", NULL), VITK_ENOTFOUND);
	assert_non_null(strstr(vitk_error_last()->message, "unknown host 'nohost': "));

	/* a dry run's plan */
	req = request(w, 0, 2000, 100);
	req.dry_run = true;
	assert_int_equal(vitk_odx_job_run(w->inv, w->host, &req, &res), 0);
	assert_int_equal(vitk_odx_job_result_doc(&doc, &res), 0);
	assert_int_equal(json_integer_value(json_object_get(doc.json, "commands")), 4); /* 2 x (READ + WRITE) of 64 blocks */
	assert_true(json_is_null(json_object_get(doc.json, "note")));
	assert_int_equal(vitk_table_ncolumns(doc.records[0]), 8);
	vitk_odx_doc_clear(&doc);
	vitk_odx_job_result_clear(&res);
}

static void test_odx_workflow__probe_document(void **state)
{
	struct world *w = *state;
	vitk_odx_opener op = { NULL, open_fake, w };
	vitk_odx_probe_result pr;
	vitk_odx_doc doc;
	static const char *const names[] = { "src", "dst" };

	assert_int_equal(vitk_odx_probe(&pr, NULL, 0, names, 2, &op), 0);
	assert_int_equal(vitk_odx_probe_doc(&doc, &pr), 0);
	assert_int_equal(vitk_table_nrows(doc.table), 2);
	assert_int_equal(doc.nrecords, 2);
	assert_int_equal(json_array_size(json_object_get(doc.json, "devices")), 2);
	assert_json(json_array_get(json_object_get(doc.json, "pairs"), 0),
		    "{\"dst\":\"dst\",\"method\":\"host\",\"methods\":["
		    "{\"method\":\"token\",\"reason\":\"no 3PC / ODX token copy unsupported "
		    "(neither device has the 3PC bit)\",\"usable\":false},"
		    "{\"method\":\"xcopy\",\"reason\":\"no 3PC / EXTENDED COPY unsupported\","
		    "\"usable\":false},{\"method\":\"host\",\"reason\":null,\"usable\":true}],"
		    "\"offload\":false,\"reason\":\"token: no 3PC / ODX token copy unsupported "
		    "(neither device has the 3PC bit); xcopy: no 3PC / EXTENDED COPY unsupported\","
		    "\"src\":\"src\"}");
	assert_int_equal(doc.nlines, 2);
	assert_string_equal(doc.lines[1], "offload dst -> src: no because token: no 3PC / ODX token "
					  "copy unsupported (neither device has the 3PC bit); "
					  "xcopy: no 3PC / EXTENDED COPY unsupported");
	vitk_odx_doc_clear(&doc);
	vitk_odx_probe_result_clear(&pr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_odx_workflow__new_job_records_luns_job_and_reasons,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_workflow__progress_persists_run_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_workflow__verify_finished_job, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_workflow__resume_from_first_unwritten_block,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_workflow__dry_run_and_refusals_record_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_workflow__zero_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_workflow__probe_verdicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_workflow__documents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_workflow__probe_document, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
