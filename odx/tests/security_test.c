/* SPDX-License-Identifier: MIT */
/*
 * Issue 10 on the initiator side: URLs shown without their password, the
 * default InitiatorName, job leases (a running job is not claimed twice, one
 * whose owner is gone is "interrupted").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <jansson.h>

#include <vitk/inventory.h>
#include <vitk/odx.h>
#include <vitk/sys/odx.h>

static void redacted(const char *in, const char *want)
{
	char *got = vitk_scsi_url_redact(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_security__url_redact(void **state)
{
	(void)state;
	redacted("iscsi://u%pw@h:3260/iqn.x:y/0", "iscsi://u@h:3260/iqn.x:y/0");
	redacted("iscsi://u@h/iqn.x/1", "iscsi://u@h/iqn.x/1");
	redacted("iscsi://h:3260/iqn.x/0", "iscsi://h:3260/iqn.x/0");
	/* a secret holding '@' or '%' goes whole */
	redacted("iscsi://u%p@w%d@h/iqn.x/0", "iscsi://u@h/iqn.x/0");
	redacted("iscsi://u%pw@h/iqn.x/0?target_user=t&target_password=tpw",
		 "iscsi://u@h/iqn.x/0?target_user=t");
	redacted("iscsi://u%pw@h/iqn.x/0?target_password=tpw&header_digest=crc32c",
		 "iscsi://u@h/iqn.x/0?header_digest=crc32c");
	redacted("/dev/sg3", "/dev/sg3");
	redacted("", "");
}

static char *tmpdir(const char *name)
{
	static char buf[512];
	const char *d = getenv("TEST_TMPDIR");

	snprintf(buf, sizeof(buf), "%s/%s", d ? d : "/tmp", name);
	mkdir(buf, 0700);
	return buf;
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_security__default_initiator(void **state)
{
	char a[256], b[256], sub[600];
	char *e1 = strdup(tmpdir("etc1")), *e2 = strdup(tmpdir("etc2"));

	(void)state;
	/* neither file: no silent shared default */
	assert_int_equal(vitk_scsi_iscsi_default_initiator(a, sizeof(a), e1), VITK_ENOTFOUND);
	put(e1, "machine-id", "0123456789abcdef0123456789abcdef\n");
	put(e2, "machine-id", "fedcba9876543210fedcba9876543210\n");
	assert_int_equal(vitk_scsi_iscsi_default_initiator(a, sizeof(a), e1), 0);
	assert_int_equal(vitk_scsi_iscsi_default_initiator(b, sizeof(b), e2), 0);
	assert_string_equal(a, "iqn.2026-01.org.vitk:0123456789abcdef0123456789abcdef");
	assert_string_not_equal(a, b); /* two hosts, two names */
	/* open-iscsi's file wins; comments and a bad line are skipped */
	snprintf(sub, sizeof(sub), "%s/iscsi", e1);
	mkdir(sub, 0700);
	put(sub, "initiatorname.iscsi",
	    "## DO NOT EDIT\n#InitiatorName=iqn.2000-01.com.example:commented\n"
	    "InitiatorName=bad name with spaces;\nInitiatorName=iqn.1993-08.org.debian:01:abc\n");
	assert_int_equal(vitk_scsi_iscsi_default_initiator(a, sizeof(a), e1), 0);
	assert_string_equal(a, "iqn.1993-08.org.debian:01:abc");
	/* a malformed machine-id is not used; then the host name, never "localhost" */
	put(e2, "machine-id", "not-hex\n");
	assert_int_equal(vitk_scsi_iscsi_default_initiator(b, sizeof(b), e2), VITK_ENOTFOUND);
	put(e2, "hostname", "localhost\n");
	assert_int_equal(vitk_scsi_iscsi_default_initiator(b, sizeof(b), e2), VITK_ENOTFOUND);
	put(e2, "hostname", "KVM07_Rack3\n");
	assert_int_equal(vitk_scsi_iscsi_default_initiator(b, sizeof(b), e2), 0);
	assert_string_equal(b, "iqn.2026-01.org.vitk:host.kvm07rack3");
	free(e1);
	free(e2);
}

static const char *job_result(vitk_inventory *inv, const char *uuid, char *buf, size_t len)
{
	vitk_odx_doc doc;

	assert_int_equal(vitk_odx_jobs_doc(&doc, inv, NULL, uuid), 0);
	snprintf(buf, len, "%s", json_string_value(json_object_get(doc.json, "result")));
	vitk_odx_doc_clear(&doc);
	return buf;
}

static void set_owner_pid(vitk_inventory *inv, int64_t id, int64_t pid)
{
	vitk_inventory_value v[] = { VITK_INV_I("owner_pid", pid) };

	assert_int_equal(vitk_inventory_update(inv, "odx_job", id, v, 1), 0);
}

static void test_security__lease(void **state)
{
	vitk_inventory *inv = NULL;
	vitk_odx_job job = { 0 }, again = { 0 };
	vitk_odx_plan plan = { 0 };
	int64_t host = 0;
	char res[32];
	pid_t child;

	(void)state;
	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_odx_inventory_register(inv), 0);
	assert_int_equal(vitk_inventory_host_ensure(inv, "h1", "aa11", "linux", "local", &host), 0);
	job.src = strdup("iscsi://h/iqn.x/0");
	job.dst = strdup("iscsi://h/iqn.x/1");
	plan.count = 100;
	assert_int_equal(vitk_odx_job_start(inv, host, &job, &plan), 0);
	/* this process owns it: running, and a second claim is refused */
	assert_string_equal(job_result(inv, job.uuid, res, sizeof(res)), "running");
	assert_int_equal(vitk_odx_job_load(inv, job.uuid, &again), 0);
	assert_int_equal(vitk_odx_job_claim(inv, &again), VITK_EBUSY);
	assert_non_null(strstr(vitk_error_last()->message, "is running (pid"));
	/* the owner is gone (a reaped child's pid): interrupted, and claimable */
	child = fork();
	if (child == 0)
		_exit(0);
	assert_true(child > 0);
	waitpid(child, NULL, 0);
	set_owner_pid(inv, job.id, child);
	assert_string_equal(job_result(inv, job.uuid, res, sizeof(res)), "interrupted");
	assert_int_equal(vitk_odx_job_claim(inv, &again), 0);
	assert_string_equal(job_result(inv, job.uuid, res, sizeof(res)), "running");
	/* a live pid that started at another time is not the owner (pid reuse) */
	{
		vitk_inventory_value v[] = { VITK_INV_I("owner_started", 1) };

		assert_int_equal(vitk_inventory_update(inv, "odx_job", job.id, v, 1), 0);
	}
	assert_string_equal(job_result(inv, job.uuid, res, sizeof(res)), "interrupted");
	vitk_odx_job_clear(&job);
	vitk_odx_job_clear(&again);
	vitk_inventory_free(inv);
}

/* rows written before redaction existed lose their secrets on the next open */
static void test_security__old_rows_scrubbed(void **state)
{
	vitk_inventory *inv = NULL;
	vitk_inventory_rows *rows = NULL;
	int64_t host = 0;
	vitk_inventory_value job[] = {
		VITK_INV_S("uuid", "u-1"),
		VITK_INV_S("src", "iscsi://u%olds3cret@h/iqn.x/0"),
		VITK_INV_S("dst", "iscsi://u%olds3cret@h/iqn.x/1"),
	};
	vitk_inventory_value lun1[] = { VITK_INV_S("name", "iscsi://u%olds3cret@h/iqn.x/0") };
	vitk_inventory_value lun2[] = { VITK_INV_S("name", "iscsi://u%olds3cret@h/iqn.x/1") };
	vitk_inventory_value lun2b[] = { VITK_INV_S("name", "iscsi://u@h/iqn.x/1") };

	(void)state;
	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_odx_inventory_register(inv), 0);
	assert_int_equal(vitk_inventory_host_ensure(inv, "h1", "aa11", "linux", "local", &host), 0);
	assert_int_equal(vitk_inventory_insert(inv, "odx_job", host, job, 3, NULL), 0);
	assert_int_equal(vitk_inventory_insert(inv, "odx_lun", host, lun1, 1, NULL), 0);
	assert_int_equal(vitk_inventory_insert(inv, "odx_lun", host, lun2, 1, NULL), 0);
	assert_int_equal(vitk_inventory_insert(inv, "odx_lun", host, lun2b, 1, NULL), 0);
	assert_int_equal(vitk_odx_inventory_register(inv), 0);
	assert_int_equal(vitk_inventory_query(&rows, inv,
					      "SELECT src, dst FROM odx_job"), 0);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "src"), "iscsi://u@h/iqn.x/0");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "dst"), "iscsi://u@h/iqn.x/1");
	vitk_inventory_rows_free(rows);
	assert_int_equal(vitk_inventory_query(&rows, inv,
					      "SELECT name FROM odx_lun ORDER BY name"), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 2); /* the duplicate went */
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "name"), "iscsi://u@h/iqn.x/0");
	assert_string_equal(vitk_inventory_rows_get(rows, 1, "name"), "iscsi://u@h/iqn.x/1");
	vitk_inventory_rows_free(rows);
	vitk_inventory_free(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_security__url_redact),
		cmocka_unit_test(test_security__default_initiator),
		cmocka_unit_test(test_security__lease),
		cmocka_unit_test(test_security__old_rows_scrubbed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
