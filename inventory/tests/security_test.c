/* SPDX-License-Identifier: MIT */
/* The inventory's file mode and the limits of an import (issue 10). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <vitk/inventory.h>

static char *tmp_path(const char *name)
{
	static char buf[512];
	char side[600];
	const char *dir = getenv("TEST_TMPDIR");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "/tmp", name);
	unlink(buf);
	snprintf(side, sizeof(side), "%s-wal", buf);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", buf);
	unlink(side);
	return buf;
}

static unsigned file_mode(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return (unsigned)(sb.st_mode & 07777);
}

/* a new database and its WAL are the owner's only, whatever the umask */
static void test_inventory_security__created_0600(void **state)
{
	char *p = tmp_path("private.db");
	char side[600];
	vitk_inventory *inv = NULL;
	mode_t old = umask(022);
	int64_t host = 0;

	(void)state;
	assert_int_equal(vitk_inventory_open(&inv, p, 0), 0);
	assert_int_equal(vitk_inventory_host_ensure(inv, "h1", "aa11", "linux", "local", &host), 0);
	assert_int_equal(file_mode(p), 0600);
	snprintf(side, sizeof(side), "%s-wal", p);
	assert_int_equal(file_mode(side), 0600);
	vitk_inventory_free(inv);
	umask(old);
}

/* an existing file keeps the mode its owner gave it */
static void test_inventory_security__existing_mode_kept(void **state)
{
	char *p = tmp_path("shared.db");
	vitk_inventory *inv = NULL;

	(void)state;
	assert_int_equal(vitk_inventory_open(&inv, p, 0), 0);
	vitk_inventory_free(inv);
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(vitk_inventory_open(&inv, p, 0), 0);
	vitk_inventory_free(inv);
	assert_int_equal(file_mode(p), 0640);
}

static size_t max_rss_kib(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return (size_t)ru.ru_maxrss;
}

/* 9.5 MB of "{}" used to take 1.2 GB to parse: refused before the parse now */
static void test_inventory_security__import_small_values_refused(void **state)
{
	const size_t n = 3200000;
	char *buf = malloc(n * 3 + 2);
	vitk_inventory *inv = NULL;
	size_t i, len = 0, before;

	(void)state;
	assert_non_null(buf);
	buf[len++] = '[';
	for (i = 0; i < n; i++) {
		if (i)
			buf[len++] = ',';
		buf[len++] = '{';
		buf[len++] = '}';
	}
	buf[len++] = ']';
	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	before = max_rss_kib();
	assert_int_equal(vitk_inventory_import(inv, buf, len, NULL), VITK_ERANGE);
	assert_non_null(strstr(vitk_error_last()->message, "too many small values"));
	/* nothing was built: the peak did not grow by more than a few MiB */
	assert_true(max_rss_kib() - before < 16 * 1024);
	vitk_inventory_free(inv);
	free(buf);
}

/* the size cap is configurable, and a document under both limits imports */
static void test_inventory_security__import_limits(void **state)
{
	static const char doc[] = "{\"format\":\"vitk-inventory\",\"version\":1,\"hosts\":[],"
				  "\"domains\":{},\"tables\":{}}";
	vitk_inventory_import_limits lim = VITK_INVENTORY_IMPORT_LIMITS_INIT;
	vitk_inventory *inv = NULL;
	int r;

	(void)state;
	assert_int_equal(lim.max_bytes, 256ull << 20);
	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	lim.max_bytes = 16;
	assert_int_equal(vitk_inventory_import_limited(inv, doc, strlen(doc), &lim, NULL),
			 VITK_ERANGE);
	assert_non_null(strstr(vitk_error_last()->message, "more than the import limit of 16"));
	lim.max_bytes = 4096;
	lim.max_memory = 64;
	assert_int_equal(vitk_inventory_import_limited(inv, doc, strlen(doc), &lim, NULL),
			 VITK_ERANGE);
	lim.max_memory = 1 << 20;
	r = vitk_inventory_import_limited(inv, doc, strlen(doc), &lim, NULL);
	assert_true(r != VITK_ERANGE);
	vitk_inventory_free(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inventory_security__created_0600),
		cmocka_unit_test(test_inventory_security__existing_mode_kept),
		cmocka_unit_test(test_inventory_security__import_small_values_refused),
		cmocka_unit_test(test_inventory_security__import_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
