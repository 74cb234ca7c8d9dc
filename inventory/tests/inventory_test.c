/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <vitk/inventory.h>
#include <vitk/str.h>

static const vitk_inventory_column vf_cols[] = {
	{ "pf", VITK_INV_TEXT, VITK_INV_COL_KEY | VITK_INV_COL_NOTNULL },
	{ "idx", VITK_INV_INT, VITK_INV_COL_KEY },
	{ "mac", VITK_INV_TEXT, 0 },
	{ "rate", VITK_INV_REAL, 0 },
};
static const vitk_inventory_column log_cols[] = {
	{ "msg", VITK_INV_TEXT, 0 },
};
static const vitk_inventory_table demo_tables[] = {
	{ "demo_vf", vf_cols, 4 },
	{ "demo_log", log_cols, 1 },
};
static const vitk_inventory_domain demo = { "demo", 1, demo_tables, 2 };

static char *tmp_path(const char *name)
{
	static char buf[512];
	const char *dir = getenv("TEST_TMPDIR");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "/tmp", name);
	unlink(buf);
	char wal[600];
	snprintf(wal, sizeof(wal), "%s-wal", buf);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", buf);
	unlink(wal);
	return buf;
}

static vitk_inventory *open_mem(int64_t *host)
{
	vitk_inventory *inv = NULL;

	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_inventory_register(inv, &demo), 0);
	assert_int_equal(vitk_inventory_host_ensure(inv, "h1", "aa11", "linux", "local", host), 0);
	return inv;
}

static void test_inventory_rows__upsert_select(void **state)
{
	int64_t host = 0, id1 = 0, id2 = 0;
	vitk_inventory *inv = open_mem(&host);
	vitk_inventory_rows *rows = NULL;
	vitk_inventory_value v[] = { VITK_INV_S("pf", "0000:3b:00.0"), VITK_INV_I("idx", 3),
				     VITK_INV_S("mac", "02:00:00:00:00:01"), VITK_INV_R("rate", 1.5) };

	(void)state;
	assert_int_equal(vitk_inventory_upsert(inv, "demo_vf", host, v, 4, &id1), 0);
	assert_true(id1 > 0);
	v[2] = VITK_INV_S("mac", "02:00:00:00:00:02");
	assert_int_equal(vitk_inventory_upsert(inv, "demo_vf", host, v, 4, &id2), 0);
	assert_true(id1 == id2);
	/* same statement shape again (cached SQL path) still reports the id */
	id2 = 0;
	assert_int_equal(vitk_inventory_upsert(inv, "demo_vf", host, v, 4, &id2), 0);
	assert_true(id1 == id2);
	assert_int_equal(vitk_inventory_select(&rows, inv, "demo_vf", host, NULL, 0, NULL), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 1);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "mac"), "02:00:00:00:00:02");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "host"), "h1");
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "idx"), 3);
	assert_int_equal(vitk_inventory_rows_column_type(rows, (size_t)vitk_inventory_rows_column_index(rows, "rate")), VITK_INV_REAL);
	vitk_inventory_rows_free(rows);
	vitk_inventory_free(inv);
}

static void test_inventory_rows__bad_column_and_table(void **state)
{
	int64_t host = 0;
	vitk_inventory *inv = open_mem(&host);
	vitk_inventory_value v[] = { VITK_INV_S("nope", "x") };
	vitk_inventory_value nul[] = { VITK_INV_NULL("pf"), VITK_INV_I("idx", 1) };

	(void)state;
	assert_int_equal(vitk_inventory_insert(inv, "demo_vf", host, v, 1, NULL), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "no column 'nope'"));
	assert_int_equal(vitk_inventory_insert(inv, "demo_nope", host, v, 1, NULL), VITK_ENOTFOUND);
	assert_int_equal(vitk_inventory_insert(inv, "demo_vf", host, nul, 2, NULL), VITK_EINVAL);
	assert_int_equal(vitk_inventory_insert(inv, "demo_log", 999, (vitk_inventory_value[]){ VITK_INV_S("msg", "m") }, 1, NULL), VITK_ENOTFOUND);
	vitk_inventory_free(inv);
}

static void test_inventory_txn__rollback(void **state)
{
	int64_t host = 0;
	vitk_inventory *inv = open_mem(&host);
	vitk_inventory_rows *rows = NULL;
	vitk_inventory_value v[] = { VITK_INV_S("msg", "a") };

	(void)state;
	assert_int_equal(vitk_inventory_begin(inv), 0);
	assert_int_equal(vitk_inventory_insert(inv, "demo_log", host, v, 1, NULL), 0);
	assert_int_equal(vitk_inventory_begin(inv), 0);
	assert_int_equal(vitk_inventory_insert(inv, "demo_log", host, v, 1, NULL), 0);
	vitk_inventory_rollback(inv);
	assert_int_equal(vitk_inventory_commit(inv), 0);
	assert_int_equal(vitk_inventory_select(&rows, inv, "demo_log", 0, NULL, 0, NULL), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 1);
	vitk_inventory_rows_free(rows);
	vitk_inventory_free(inv);
}

static void test_inventory_query__readonly(void **state)
{
	int64_t host = 0;
	vitk_inventory *inv = open_mem(&host);
	vitk_inventory_rows *rows = NULL;

	(void)state;
	assert_int_equal(vitk_inventory_query(&rows, inv, "SELECT count(*) AS n FROM hosts"), 0);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "n"), "1");
	vitk_inventory_rows_free(rows);
	assert_int_equal(vitk_inventory_query(&rows, inv, "DELETE FROM hosts"), VITK_EINVAL);
	assert_int_equal(vitk_inventory_query(&rows, inv, "ATTACH 'x.db' AS x"), VITK_EINVAL);
	assert_int_equal(vitk_inventory_query(&rows, inv, "SELECT 1; DELETE FROM hosts"), VITK_EINVAL);
	assert_int_equal(vitk_inventory_query(&rows, inv, "PRAGMA user_version = 99"), VITK_EINVAL);
	assert_int_equal(vitk_inventory_query(&rows, inv, "SELECT count(*) AS n FROM hosts"), 0);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "n"), "1");
	vitk_inventory_rows_free(rows);
	vitk_inventory_free(inv);
}

static void test_inventory_open__refuses_foreign_and_newer(void **state)
{
	char *p = tmp_path("foreign.db");
	char cmd[1024];
	vitk_inventory *inv = NULL;
	FILE *f;

	(void)state;
	f = fopen(p, "w");
	fputs("this is not a database at all, just text that is long enough to matter....", f);
	fclose(f);
	assert_int_equal(vitk_inventory_open(&inv, p, 0), VITK_EDB);
	assert_non_null(strstr(vitk_error_last()->message, "not a vitk inventory"));
	/* the file is left untouched */
	f = fopen(p, "r");
	assert_int_equal(fgetc(f), 't');
	fclose(f);

	p = tmp_path("newer.db");
	assert_int_equal(vitk_inventory_open(&inv, p, 0), 0);
	vitk_inventory_free(inv);
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'PRAGMA user_version = 77' >/dev/null", p);
	if (system(cmd) != 0)
		fail_msg("sqlite3 CLI is needed for this test");
	assert_int_equal(vitk_inventory_open(&inv, p, 0), VITK_EDB);
	assert_non_null(strstr(vitk_error_last()->message, "newer than this vitk"));

	p = tmp_path("missing.db");
	assert_int_equal(vitk_inventory_open(&inv, p, VITK_INVENTORY_NO_CREATE), VITK_ENOTFOUND);
}

static void test_inventory_register__newer_domain_refused(void **state)
{
	int64_t host = 0;
	vitk_inventory *inv = open_mem(&host);
	vitk_inventory_domain newer = demo, older = demo;
	static const vitk_inventory_column more[] = {
		{ "pf", VITK_INV_TEXT, VITK_INV_COL_KEY | VITK_INV_COL_NOTNULL },
		{ "idx", VITK_INV_INT, VITK_INV_COL_KEY },
		{ "mac", VITK_INV_TEXT, 0 },
		{ "rate", VITK_INV_REAL, 0 },
		{ "vlan", VITK_INV_INT, 0 },
	};
	vitk_inventory_table t2[] = { { "demo_vf", more, 5 }, { "demo_log", log_cols, 1 } };
	vitk_inventory_rows *rows = NULL;

	(void)state;
	newer.version = 2;
	newer.tables = t2;
	assert_int_equal(vitk_inventory_register(inv, &newer), 0);
	/* the new column exists */
	assert_int_equal(vitk_inventory_upsert(inv, "demo_vf", host, (vitk_inventory_value[]){ VITK_INV_S("pf", "p"), VITK_INV_I("idx", 0), VITK_INV_I("vlan", 7) }, 3, NULL), 0);
	assert_int_equal(vitk_inventory_select(&rows, inv, "demo_vf", host, NULL, 0, NULL), 0);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "vlan"), "7");
	vitk_inventory_rows_free(rows);
	older.version = 1;
	assert_int_equal(vitk_inventory_register(inv, &older), VITK_EDB);
	assert_non_null(strstr(vitk_error_last()->message, "demo schema 2"));
	vitk_inventory_free(inv);
}

static void test_inventory_export__roundtrip_idempotent(void **state)
{
	int64_t host = 0, h2 = 0;
	vitk_inventory *inv = open_mem(&host), *other = NULL;
	vitk_inventory_import_stats st;
	vitk_inventory_rows *rows = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(vitk_inventory_host_ensure(inv, "esx1", "bb22", "esxi", "import", &h2), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(vitk_inventory_upsert(inv, "demo_vf", i % 2 ? host : h2, (vitk_inventory_value[]){ VITK_INV_S("pf", "p0"), VITK_INV_I("idx", i), VITK_INV_S("mac", "m") }, 3, NULL), 0);
	assert_int_equal(vitk_inventory_insert(inv, "demo_log", host, (vitk_inventory_value[]){ VITK_INV_S("msg", "hello \"quoted\"") }, 1, NULL), 0);
	f = open_memstream(&buf, &len);
	assert_int_equal(vitk_inventory_export(inv, f), 0);
	fclose(f);

	assert_int_equal(vitk_inventory_open(&other, ":memory:", 0), 0);
	assert_int_equal(vitk_inventory_import(other, buf, len, &st), 0);
	assert_int_equal(st.hosts_added, 2);
	assert_int_equal(st.rows_added, 6);
	assert_int_equal(vitk_inventory_import(other, buf, len, &st), 0);
	assert_int_equal(st.hosts_added, 0);
	assert_int_equal(st.rows_added, 0);
	assert_int_equal(st.rows_updated, 0);
	assert_int_equal(st.rows_unchanged, 6);
	assert_int_equal(vitk_inventory_select(&rows, other, "demo_vf", 0, NULL, 0, "idx"), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 5);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "host"), "esx1");
	assert_string_equal(vitk_inventory_rows_get(rows, 1, "host"), "h1");
	vitk_inventory_rows_free(rows);

	/* truncated documents are refused and nothing is written */
	vitk_inventory *third = NULL;
	assert_int_equal(vitk_inventory_open(&third, ":memory:", 0), 0);
	assert_int_equal(vitk_inventory_import(third, buf, len / 2, &st), VITK_EINVAL);
	assert_int_equal(vitk_inventory_query(&rows, third, "SELECT count(*) AS n FROM hosts"), 0);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "n"), "0");
	vitk_inventory_rows_free(rows);
	/* a semantically bad row late in the document: nothing is merged */
	char *bad = strdup(buf);
	char *p = strstr(bad, "\"hello");
	assert_non_null(p);
	memcpy(p, "12345678", 8); /* msg becomes a number-ish string? keep valid JSON */
	p[0] = '1';
	p[1] = '2';
	p[2] = ',';
	p[3] = '"';
	p[4] = 'x';
	p[5] = '"';
	p[6] = ':';
	p[7] = '"';
	assert_int_equal(vitk_inventory_import(third, bad, strlen(bad), &st), VITK_EINVAL);
	assert_int_equal(vitk_inventory_query(&rows, third, "SELECT count(*) AS n FROM hosts"), 0);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "n"), "0");
	vitk_inventory_rows_free(rows);
	free(bad);
	vitk_inventory_free(third);
	vitk_inventory_free(other);
	vitk_inventory_free(inv);
	free(buf);
}

static void test_inventory_hosts__local_and_lookup(void **state)
{
	char dir[600];
	char path[700];
	vitk_inventory *inv = NULL;
	int64_t id = 0, id2 = 0, found = 0;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s", tmp_path("etc"));
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/hostname", dir);
	f = fopen(path, "w");
	fputs("node7\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/machine-id", dir);
	f = fopen(path, "w");
	fputs("0123456789abcdef0123456789abcdef\n", f);
	fclose(f);
	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_inventory_host_local(inv, dir, &id), 0);
	assert_int_equal(vitk_inventory_host_local(inv, dir, &id2), 0);
	assert_true(id == id2);
	assert_int_equal(vitk_inventory_host_lookup(inv, "node7", &found), 0);
	assert_true(found == id);
	assert_int_equal(vitk_inventory_host_lookup(inv, "0123456789abcdef0123456789abcdef", &found), 0);
	assert_true(found == id);
	assert_int_equal(vitk_inventory_host_lookup(inv, "nothere", &found), VITK_ENOTFOUND);
	vitk_inventory_free(inv);
}

static void test_inventory_hosts__name_only_adopted(void **state)
{
	vitk_inventory *inv = NULL;
	int64_t a = 0, b = 0, c = 0, d = 0;

	(void)state;
	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	/* an ESXi capture knows only the name ... */
	assert_int_equal(vitk_inventory_host_ensure(inv, "esx01", NULL, "esxi", "import", &a), 0);
	/* ... a later import knows its system UUID: same host */
	assert_int_equal(vitk_inventory_host_ensure(inv, "esx01", "4c4c4544-0047", "esxi", "import", &b), 0);
	assert_true(a == b);
	/* and a name-only reference still finds it */
	assert_int_equal(vitk_inventory_host_ensure(inv, "esx01", NULL, "esxi", "import", &c), 0);
	assert_true(a == c);
	/* a different machine with the same name is a different host */
	assert_int_equal(vitk_inventory_host_ensure(inv, "esx01", "ffff", "esxi", "import", &d), 0);
	assert_true(d != a);
	vitk_inventory_free(inv);
}

static void test_inventory_check__healthy(void **state)
{
	int64_t host = 0;
	vitk_inventory *inv = open_mem(&host);
	vitk_inventory_rows *rows = NULL;

	(void)state;
	assert_int_equal(vitk_inventory_check(&rows, inv), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 0);
	vitk_inventory_rows_free(rows);
	assert_int_equal(vitk_inventory_counts(&rows, inv), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 3);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "table"), "hosts");
	vitk_inventory_rows_free(rows);
	vitk_inventory_free(inv);
}

static void test_inventory_concurrency__two_processes(void **state)
{
	char *p = tmp_path("conc.db");
	char path[600];
	vitk_inventory *inv = NULL;
	vitk_inventory_rows *rows = NULL;
	pid_t kids[2];
	int64_t host = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s", p);
	assert_int_equal(vitk_inventory_open(&inv, path, 0), 0);
	assert_int_equal(vitk_inventory_register(inv, &demo), 0);
	assert_int_equal(vitk_inventory_host_ensure(inv, "h", "cc33", NULL, NULL, &host), 0);
	vitk_inventory_free(inv);
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			vitk_inventory *ci = NULL;
			int64_t h = 0;

			if (vitk_inventory_open(&ci, path, 0) < 0 ||
			    vitk_inventory_register(ci, &demo) < 0 ||
			    vitk_inventory_host_ensure(ci, "h", "cc33", NULL, NULL, &h) < 0)
				_exit(1);
			for (int i = 0; i < 1000; i++) {
				vitk_inventory_value v[] = { VITK_INV_S("msg", k ? "b" : "a") };

				if (vitk_inventory_insert(ci, "demo_log", h, v, 1, NULL) < 0)
					_exit(2);
			}
			vitk_inventory_free(ci);
			_exit(0);
		}
	}
	for (int k = 0; k < 2; k++) {
		int status = 0;

		waitpid(kids[k], &status, 0);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(vitk_inventory_open(&inv, path, VITK_INVENTORY_READONLY), 0);
	assert_int_equal(vitk_inventory_query(&rows, inv, "SELECT count(*) AS n, count(DISTINCT msg) AS d FROM demo_log"), 0);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "n"), "2000");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "d"), "2");
	vitk_inventory_rows_free(rows);
	vitk_inventory_free(inv);
}

/*
 * The widest table the inventory accepts: 128 columns with 63-character
 * names.  Every SQL statement built for it (create, import merge, export,
 * select, update, upsert, delete, the tables report) is longer than 16 KiB.
 */
#define WIDE_NCOLS 128

static void wide_name(char *buf, size_t i)
{
	snprintf(buf, 64, "c%03zu_%058d", i, 0);
	for (char *p = buf + 5; *p; p++)
		*p = 'x';
}

static void test_inventory_wide__longest_statements(void **state)
{
	vitk_str doc = VITK_STR_INIT;
	vitk_inventory *inv = NULL, *back = NULL;
	vitk_inventory_import_stats st;
	vitk_inventory_rows *rows = NULL;
	vitk_inventory_value vals[WIDE_NCOLS];
	char names[WIDE_NCOLS][64], values[WIDE_NCOLS][16];
	char *buf = NULL;
	size_t len = 0;
	int64_t host = 0, id = 0, deleted = 0;
	FILE *f;

	(void)state;
	for (size_t i = 0; i < WIDE_NCOLS; i++) {
		wide_name(names[i], i);
		assert_int_equal(strlen(names[i]), 63);
		snprintf(values[i], sizeof(values[i]), "v%zu", i);
	}
	vitk_str_puts(&doc, "{\"format\": \"vitk-inventory\", \"schema\": 1, "
			    "\"domains\": {\"wide\": 1}, \"tables\": {\"wide_t\": "
			    "{\"domain\": \"wide\", \"columns\": [");
	for (size_t i = 0; i < WIDE_NCOLS; i++)
		vitk_str_putf(&doc, "%s{\"name\": \"%s\", \"type\": \"text\", \"flags\": 0}",
			      i ? ", " : "", names[i]);
	vitk_str_puts(&doc, "]}}, \"hosts\": [{\"name\": \"w1\", \"machine_id\": \"cc33\"}], "
			    "\"rows\": {\"wide_t\": [{\"host\": 0, \"created_at\": "
			    "\"2026-01-01T00:00:00Z\"");
	for (size_t i = 0; i < WIDE_NCOLS; i++)
		vitk_str_putf(&doc, ", \"%s\": \"%s\"", names[i], values[i]);
	vitk_str_puts(&doc, "}]}}");
	assert_false(doc.oom);

	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_inventory_import(inv, doc.ptr, doc.size, &st), 0);
	assert_int_equal(st.rows_added, 1);
	assert_int_equal(vitk_inventory_import(inv, doc.ptr, doc.size, &st), 0);
	assert_int_equal(st.rows_unchanged, 1);
	vitk_str_clear(&doc);

	assert_int_equal(vitk_inventory_select(&rows, inv, "wide_t", 0, NULL, 0, names[127]), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 1);
	assert_int_equal(vitk_inventory_rows_ncolumns(rows), 3 + WIDE_NCOLS + 2);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, names[0]), "v0");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, names[127]), "v127");
	id = vitk_inventory_rows_get_int(rows, 0, "id");
	host = vitk_inventory_rows_get_int(rows, 0, "host_id");
	vitk_inventory_rows_free(rows);

	/* the tables report lists every column */
	assert_int_equal(vitk_inventory_tables(&rows, inv), 0);
	assert_int_equal(strlen(vitk_inventory_rows_get(rows, 0, "columns")),
			 WIDE_NCOLS * 63 + WIDE_NCOLS - 1);
	vitk_inventory_rows_free(rows);

	for (size_t i = 0; i < WIDE_NCOLS; i++)
		vals[i] = VITK_INV_S(names[i], "u");
	assert_int_equal(vitk_inventory_update(inv, "wide_t", id, vals, WIDE_NCOLS), 0);
	assert_int_equal(vitk_inventory_insert(inv, "wide_t", host, vals, WIDE_NCOLS, NULL), 0);

	/* export carries every column; a fresh inventory gets both rows back */
	f = open_memstream(&buf, &len);
	assert_int_equal(vitk_inventory_export(inv, f), 0);
	fclose(f);
	assert_int_equal(vitk_inventory_open(&back, ":memory:", 0), 0);
	assert_int_equal(vitk_inventory_import(back, buf, len, &st), 0);
	assert_int_equal(st.rows_added, 2);
	free(buf);
	assert_int_equal(vitk_inventory_select(&rows, back, "wide_t", 0, vals, WIDE_NCOLS, NULL), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 2);
	assert_string_equal(vitk_inventory_rows_get(rows, 1, names[127]), "u");
	vitk_inventory_rows_free(rows);
	assert_int_equal(vitk_inventory_delete(back, "wide_t", 0, vals, WIDE_NCOLS, &deleted), 0);
	assert_int_equal(deleted, 2);
	vitk_inventory_free(back);
	vitk_inventory_free(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inventory_rows__upsert_select),
		cmocka_unit_test(test_inventory_rows__bad_column_and_table),
		cmocka_unit_test(test_inventory_txn__rollback),
		cmocka_unit_test(test_inventory_query__readonly),
		cmocka_unit_test(test_inventory_open__refuses_foreign_and_newer),
		cmocka_unit_test(test_inventory_register__newer_domain_refused),
		cmocka_unit_test(test_inventory_export__roundtrip_idempotent),
		cmocka_unit_test(test_inventory_hosts__local_and_lookup),
		cmocka_unit_test(test_inventory_hosts__name_only_adopted),
		cmocka_unit_test(test_inventory_check__healthy),
		cmocka_unit_test(test_inventory_concurrency__two_processes),
		cmocka_unit_test(test_inventory_wide__longest_statements),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
