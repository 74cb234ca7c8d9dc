/* SPDX-License-Identifier: MIT */
/* odx tables in a ":memory:" inventory: LUN rows, job lifecycle, resume lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vitk/inventory.h>
#include <vitk/odx.h>
#include <vitk/sys/odx.h>

#include "fake_scsi.h"

static void test_odx_inventory__lun_and_job_lifecycle(void **state)
{
	vitk_inventory *inv = NULL;
	vitk_inventory_rows *rows = NULL;
	fake_scsi f;
	vitk_odx_dev *d = NULL;
	vitk_odx_plan plan;
	vitk_odx_copy_result res;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_job job, back;
	int64_t host;
	(void)state;

	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_odx_inventory_register(inv), 0);
	assert_int_equal(vitk_odx_inventory_register(inv), 0); /* idempotent */
	assert_int_equal(vitk_inventory_host_ensure(inv, "h1", "m1", "linux", "local", &host), 0);

	fake_scsi_init(&f, "SER42", 9, 512, 4096);
	fake_scsi_enable_3pc(&f, 65536, 0, 16u << 20, 1);
	assert_int_equal(vitk_odx_dev_open_with_transport(&d, &f.t, "iscsi://x/iqn/0", "cm", NULL), 0);
	assert_int_equal(vitk_odx_inventory_record_lun(inv, host, d), 0);
	assert_int_equal(vitk_odx_inventory_record_lun(inv, host, d), 0); /* upsert */
	assert_int_equal(vitk_inventory_select(&rows, inv, "odx_lun", 0, NULL, 0, NULL), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 1);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "serial"), "SER42");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "designator_type"), "naa");
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "blocks"), 4096);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "token_capable"), 1);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "max_token_transfer"), 65536);
	vitk_inventory_rows_free(rows);

	/* a job: start, progress, finish with a rejected method and a fallback */
	memset(&job, 0, sizeof(job));
	memset(&back, 0, sizeof(back));
	job.src = strdup("iscsi://x/iqn/0");
	job.dst = strdup("iscsi://x/iqn/1");
	job.requested = VITK_ODX_METHOD_AUTO;
	o.count = 100;
	o.dst_lba = 200;
	assert_int_equal(vitk_odx_plan_make(&plan, d, d, &o), 0);
	plan.items[1].usable = false;
	plan.items[1].reason = strdup("no 3PC / EXTENDED COPY unsupported");
	assert_int_equal(vitk_odx_job_start(inv, host, &job, &plan), 0);
	assert_int_equal(strlen(job.uuid), 36);
	assert_int_equal(vitk_odx_job_progress(inv, &job, 40), 0);
	assert_int_equal(vitk_odx_job_load(inv, job.uuid, &back), 0);
	assert_int_equal(back.id, job.id);
	assert_int_equal(back.blocks_done, 40);
	assert_string_equal(back.result, "running");
	assert_int_equal(back.count, 100);
	assert_int_equal(back.dst_lba, 200);
	assert_string_equal(back.dst, "iscsi://x/iqn/1");
	/* by unique prefix */
	{
		char pfx[9];
		memcpy(pfx, job.uuid, 8);
		pfx[8] = 0;
		vitk_odx_job_clear(&back);
		assert_int_equal(vitk_odx_job_load(inv, pfx, &back), 0);
		assert_string_equal(back.uuid, job.uuid);
		vitk_odx_job_clear(&back);
	}
	assert_int_equal(vitk_odx_job_load(inv, "nope", &back), VITK_ENOTFOUND);

	memset(&res, 0, sizeof(res));
	res.method = VITK_ODX_METHOD_TOKEN;
	res.bytes = 100 * 512;
	res.host_bytes = 1234;
	res.commands = 7;
	res.nfallbacks = 1;
	res.fallbacks = calloc(1, sizeof(*res.fallbacks));
	assert_non_null(res.fallbacks);
	res.fallbacks[0].from = VITK_ODX_METHOD_TOKEN;
	res.fallbacks[0].to = VITK_ODX_METHOD_HOST;
	res.fallbacks[0].at_block = 60;
	res.fallbacks[0].reason = strdup("token expired");
	job.blocks_done = 100;
	assert_int_equal(vitk_odx_job_finish(inv, &job, &res, &plan, 0, NULL), 0);
	/* a second run (resume) adds its counters */
	assert_int_equal(vitk_odx_job_finish(inv, &job, &res, &plan, 0, NULL), 0);
	assert_int_equal(vitk_inventory_select(&rows, inv, "odx_job", 0, NULL, 0, NULL), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 1);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "result"), "ok");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "method"), "token");
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "host_bytes"), 2468);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "commands"), 14);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "runs"), 2);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "rejected"),
			    "[{\"method\":\"xcopy\",\"reason\":\"no 3PC / EXTENDED COPY unsupported\"}]");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "fallbacks"),
			    "[{\"from\":\"token\",\"to\":\"host\",\"at_block\":60,\"reason\":\"token expired\"}]");
	vitk_inventory_rows_free(rows);

	vitk_odx_job_clear(&job);
	vitk_odx_plan_clear(&plan);
	vitk_odx_copy_result_clear(&res);
	vitk_odx_dev_free(d);
	fake_scsi_dispose(&f);
	vitk_inventory_free(inv);
}

static void set_int(vitk_inventory *inv, int64_t id, const char *col, int64_t val)
{
	vitk_inventory_value v[] = { VITK_INV_I(col, val) };

	assert_int_equal(vitk_inventory_update(inv, "odx_job", id, v, 1), 0);
}

static int64_t job_int(vitk_inventory *inv, const char *uuid, const char *col)
{
	vitk_inventory_rows *rows = NULL;
	vitk_inventory_value m = VITK_INV_S("uuid", uuid);
	int64_t v;

	assert_int_equal(vitk_inventory_select(&rows, inv, "odx_job", 0, &m, 1, NULL), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 1);
	v = vitk_inventory_rows_get_int(rows, 0, col);
	vitk_inventory_rows_free(rows);
	return v;
}

/*
 * A run killed with -9 never finishes: its counters, written with each
 * progress update, are added to the totals (and the run counted) by the next
 * claim; a finished run adds its own and clears them.
 */
static void test_odx_inventory__killed_run_keeps_counters(void **state)
{
	vitk_inventory *inv = NULL;
	vitk_odx_job job = { 0 }, again = { 0 };
	vitk_odx_plan plan = { 0 };
	vitk_odx_copy_result run = { 0 }, res = { 0 };
	int64_t host = 0;
	(void)state;

	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_odx_inventory_register(inv), 0);
	assert_int_equal(vitk_inventory_host_ensure(inv, "h1", "m1", "linux", "local", &host), 0);
	job.src = strdup("iscsi://x/iqn/0");
	job.dst = strdup("iscsi://x/iqn/1");
	plan.count = 1000;
	assert_int_equal(vitk_odx_job_start(inv, host, &job, &plan), 0);
	run.bytes = 400 * 512;
	run.host_bytes = 2222;
	run.commands = 9;
	run.duration_ns = 7000000;
	assert_int_equal(vitk_odx_job_progress_run(inv, &job, 400, &run), 0);
	assert_int_equal(job_int(inv, job.uuid, "blocks_done"), 400);
	assert_int_equal(job_int(inv, job.uuid, "run_bytes"), 400 * 512);
	assert_int_equal(job_int(inv, job.uuid, "bytes"), 0);
	/* killed here: the owner is gone (another start time), the next run claims it */
	set_int(inv, job.id, "owner_started", 1);
	assert_int_equal(vitk_odx_job_load(inv, job.uuid, &again), 0);
	assert_int_equal(vitk_odx_job_claim(inv, &again), 0);
	assert_int_equal(job_int(inv, job.uuid, "bytes"), 400 * 512);
	assert_int_equal(job_int(inv, job.uuid, "host_bytes"), 2222);
	assert_int_equal(job_int(inv, job.uuid, "commands"), 9);
	assert_int_equal(job_int(inv, job.uuid, "duration_ms"), 7);
	assert_int_equal(job_int(inv, job.uuid, "runs"), 1);
	assert_int_equal(job_int(inv, job.uuid, "run_bytes"), 0);
	assert_int_equal(job_int(inv, job.uuid, "run_commands"), 0);
	/* the resumed run finishes: its counters added, runs 2 */
	res.bytes = 600 * 512;
	res.host_bytes = 1000;
	res.commands = 4;
	assert_int_equal(vitk_odx_job_progress_run(inv, &again, 700, &res), 0);
	again.blocks_done = 1000;
	assert_int_equal(vitk_odx_job_finish(inv, &again, &res, &plan, 0, NULL), 0);
	assert_int_equal(job_int(inv, job.uuid, "bytes"), 1000 * 512);
	assert_int_equal(job_int(inv, job.uuid, "host_bytes"), 3222);
	assert_int_equal(job_int(inv, job.uuid, "commands"), 13);
	assert_int_equal(job_int(inv, job.uuid, "runs"), 2);
	assert_int_equal(job_int(inv, job.uuid, "run_bytes"), 0);
	/* a claim after a finished run adds nothing */
	set_int(inv, job.id, "owner_started", 1);
	assert_int_equal(vitk_odx_job_claim(inv, &again), 0);
	assert_int_equal(job_int(inv, job.uuid, "runs"), 2);
	assert_int_equal(job_int(inv, job.uuid, "bytes"), 1000 * 512);
	vitk_odx_job_clear(&job);
	vitk_odx_job_clear(&again);
	vitk_inventory_free(inv);
}

/* the odx domain as version 2 wrote it (before the run_* columns) */
static const vitk_inventory_column v2_lun_cols[] = {
	{ "name", VITK_INV_TEXT, VITK_INV_COL_KEY | VITK_INV_COL_NOTNULL },
	{ "serial", VITK_INV_TEXT, 0 },
};
static const vitk_inventory_column v2_job_cols[] = {
	{ "uuid", VITK_INV_TEXT, VITK_INV_COL_KEY | VITK_INV_COL_NOTNULL },
	{ "src", VITK_INV_TEXT, 0 },
	{ "dst", VITK_INV_TEXT, 0 },
	{ "src_lba", VITK_INV_INT, 0 },
	{ "dst_lba", VITK_INV_INT, 0 },
	{ "count", VITK_INV_INT, 0 },
	{ "requested_method", VITK_INV_TEXT, 0 },
	{ "method", VITK_INV_TEXT, 0 },
	{ "blocks_done", VITK_INV_INT, 0 },
	{ "bytes", VITK_INV_INT, 0 },
	{ "host_bytes", VITK_INV_INT, 0 },
	{ "commands", VITK_INV_INT, 0 },
	{ "duration_ms", VITK_INV_INT, 0 },
	{ "runs", VITK_INV_INT, 0 },
	{ "result", VITK_INV_TEXT, 0 },
	{ "error", VITK_INV_TEXT, 0 },
	{ "rejected", VITK_INV_TEXT, 0 },
	{ "fallbacks", VITK_INV_TEXT, 0 },
	{ "verified", VITK_INV_INT, 0 },
	{ "finished_at", VITK_INV_TEXT, 0 },
	{ "owner_host", VITK_INV_TEXT, 0 },
	{ "owner_pid", VITK_INV_INT, 0 },
	{ "owner_started", VITK_INV_INT, 0 },
	{ "heartbeat", VITK_INV_INT, 0 },
};
static const vitk_inventory_table v2_tables[] = {
	{ "odx_lun", v2_lun_cols, 2 },
	{ "odx_job", v2_job_cols, sizeof(v2_job_cols) / sizeof(v2_job_cols[0]) },
};
static const vitk_inventory_domain v2_domain = { "odx", 2, v2_tables, 2 };

/* a database of domain version 2 with an interrupted job: upgraded in place, the job resumable */
static void test_odx_inventory__migrate_from_v2(void **state)
{
	vitk_inventory *inv = NULL;
	vitk_inventory_rows *rows = NULL;
	vitk_odx_job job = { 0 };
	int64_t host = 0, id = 0;
	(void)state;

	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_inventory_register(inv, &v2_domain), 0);
	assert_int_equal(vitk_inventory_host_ensure(inv, "h1", "m1", "linux", "local", &host), 0);
	{
		vitk_inventory_value v[] = {
			VITK_INV_S("uuid", "11111111-2222-3333-4444-555555555555"),
			VITK_INV_S("src", "iscsi://x/iqn/0"), VITK_INV_S("dst", "iscsi://x/iqn/1"),
			VITK_INV_I("count", 100), VITK_INV_I("blocks_done", 30),
			VITK_INV_I("bytes", 512), VITK_INV_I("runs", 1),
			VITK_INV_S("result", "running"), VITK_INV_S("requested_method", "auto"),
			VITK_INV_I("owner_pid", 1), VITK_INV_I("owner_started", 1),
			VITK_INV_S("owner_host", "elsewhere"), VITK_INV_I("heartbeat", 1),
		};
		assert_int_equal(vitk_inventory_insert(inv, "odx_job", host, v,
						       sizeof(v) / sizeof(v[0]), &id), 0);
	}
	assert_int_equal(vitk_inventory_select(&rows, inv, "odx_job", 0, NULL, 0, NULL), 0);
	assert_true(vitk_inventory_rows_column_index(rows, "run_bytes") < 0);
	vitk_inventory_rows_free(rows);
	/* this vitk's domain: version 3 adds the columns, the row keeps its values */
	assert_int_equal(vitk_odx_inventory_register(inv), 0);
	assert_int_equal(vitk_inventory_select(&rows, inv, "odx_job", 0, NULL, 0, NULL), 0);
	assert_true(vitk_inventory_rows_column_index(rows, "run_bytes") >= 0);
	assert_true(vitk_inventory_rows_column_index(rows, "run_commands") >= 0);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "blocks_done"), 30);
	vitk_inventory_rows_free(rows);
	assert_int_equal(vitk_odx_job_load(inv, "11111111", &job), 0);
	assert_int_equal(job.blocks_done, 30);
	/* the old row has no run counters: the claim adds no run and no bytes */
	assert_int_equal(vitk_odx_job_claim(inv, &job), 0);
	assert_int_equal(job_int(inv, job.uuid, "runs"), 1);
	assert_int_equal(job_int(inv, job.uuid, "bytes"), 512);
	/* and an older vitk (domain version 2) is now refused */
	assert_int_equal(vitk_inventory_register(inv, &v2_domain), VITK_EDB);
	vitk_odx_job_clear(&job);
	vitk_inventory_free(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odx_inventory__lun_and_job_lifecycle),
		cmocka_unit_test(test_odx_inventory__killed_run_keeps_counters),
		cmocka_unit_test(test_odx_inventory__migrate_from_v2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
