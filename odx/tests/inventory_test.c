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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odx_inventory__lun_and_job_lifecycle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
