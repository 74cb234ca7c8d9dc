/* SPDX-License-Identifier: MIT */
/*
 * The backend-neutral helpers behind the PostgreSQL backend: which --db
 * targets are PostgreSQL, password redaction, host patterns, COPY escaping.
 * (The backend itself is tested against a real server: //tests:fleet_pg_test.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "inventory/src/internal.h"

static void redacts(const char *in, const char *want)
{
	char *got = inv_redact(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_target__pg_or_file(void **state)
{
	(void)state;
	assert_true(inv_is_pg_target("postgresql://u@db.example/vitk"));
	assert_true(inv_is_pg_target("postgres:///vitk?host=/run/postgresql"));
	assert_true(inv_is_pg_target("service=fleet"));
	assert_true(inv_is_pg_target("host=db dbname=vitk user=push"));
	assert_false(inv_is_pg_target("/var/lib/vitk/inventory.db"));
	assert_false(inv_is_pg_target("inventory.db"));
	assert_false(inv_is_pg_target(":memory:"));
	assert_false(inv_is_pg_target("/tmp/dbname=x/inv.db"));
	assert_false(inv_is_pg_target(NULL));
}

static void test_redact__urls_and_conninfo(void **state)
{
	(void)state;
	redacts("postgresql://push:s3cret@db/vitk", "postgresql://push:***@db/vitk");
	redacts("postgresql://push:p@ss@db:5432/vitk?sslmode=verify-full",
		"postgresql://push:***@db:5432/vitk?sslmode=verify-full");
	redacts("postgresql://push@db/vitk?password=s3cret&sslmode=verify-full",
		"postgresql://push@db/vitk?password=***&sslmode=verify-full");
	redacts("host=db password=s3cret dbname=vitk", "host=db password=*** dbname=vitk");
	redacts("host=db password='s3 c\\'ret' dbname=vitk", "host=db password=*** dbname=vitk");
	redacts("password=", "password=***");
	/* nothing to hide: unchanged */
	redacts("postgresql://db:5432/vitk", "postgresql://db:5432/vitk");
	redacts("postgresql://push@db/vitk", "postgresql://push@db/vitk");
	redacts("postgresql://db/vitk?x=a@b:c", "postgresql://db/vitk?x=a@b:c");
	redacts("service=fleet", "service=fleet");
}

static void globs(const char *in, const char *re, const char *sqlite)
{
	char *a = inv_glob_regex(in), *b = inv_glob_sqlite(in);

	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, re);
	assert_string_equal(b, sqlite);
	free(a);
	free(b);
}

static void test_glob__regex_and_sqlite(void **state)
{
	(void)state;
	globs("kvm*", "^kvm.*$", "kvm*");
	globs("esx0?", "^esx0.$", "esx0?");
	globs("x.y(z)+", "^x\\.y\\(z\\)\\+$", "x.y(z)+");
	globs("[!e]*", "^[^e].*$", "[^e]*");
	globs("[^e]*", "^[^e].*$", "[^e]*");
	globs("[]a]", "^[]a]$", "[]a]");
	globs("a[\\]", "^a[\\\\]$", "a[\\]");
	globs("x'; --", "^x'; --$", "x'; --");
	globs("$^|{}", "^\\$\\^\\|\\{\\}$", "$^|{}");
	/* an unclosed class matches nothing, as in SQLite */
	globs("[", "x^", "[");
	globs("ab[!", "x^", "ab[^");
}

static void escapes(const char *in, const char *want)
{
	vitk_str s = VITK_STR_INIT;

	invpg_copy_escape(&s, in);
	assert_false(s.oom);
	assert_string_equal(s.ptr, want);
	vitk_str_clear(&s);
}

static void test_copy_escape__text_format(void **state)
{
	(void)state;
	escapes("plain", "plain");
	escapes("", "");
	escapes("a\tb\nc\rd", "a\\tb\\nc\\rd");
	escapes("\\N", "\\\\N");
	escapes("\\.", "\\\\.");
	escapes("'; DROP TABLE hosts; --", "'; DROP TABLE hosts; --");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target__pg_or_file),
		cmocka_unit_test(test_redact__urls_and_conninfo),
		cmocka_unit_test(test_glob__regex_and_sqlite),
		cmocka_unit_test(test_copy_escape__text_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
