/* SPDX-License-Identifier: MIT */
/* The dispatcher and output layer, driven through cli_main() with stdout captured. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "cli/dispatch.h"

static char out_path[512], err_path[512];

/* argc counts argv[0] like main() does */
static int run(char **out, char **err, int argc, ...)
{
	char *argv[32];
	va_list ap;
	int saved_out, saved_err, fd, r;
	FILE *f;
	long n;

	argv[0] = "vitk";
	va_start(ap, argc);
	for (int i = 1; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	r = cli_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	for (int k = 0; k < 2; k++) {
		char **dst = k ? err : out;

		f = fopen(k ? err_path : out_path, "r");
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		*dst = calloc(1, (size_t)n + 1);
		if (fread(*dst, 1, (size_t)n, f) != (size_t)n)
			n = 0;
		fclose(f);
	}
	return r;
}

static void test_cli_dispatch__version_and_help(void **state)
{
	char *out, *err;

	(void)state;
	assert_int_equal(run(&out, &err, 2, "--version"), 0);
	assert_string_equal(out, "vitk " VITK_VERSION "\n");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 3, "inventory", "--help"), 0);
	assert_non_null(strstr(out, "usage: vitk inventory <verb>"));
	assert_non_null(strstr(out, "  report "));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 1), CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "usage: vitk"));
	free(out);
	free(err);
}

static void test_cli_dispatch__usage_errors(void **state)
{
	char *out, *err;

	(void)state;
	assert_int_equal(run(&out, &err, 3, "odz", "probe"), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: unknown command 'odz'; did you mean 'odx'?\n");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 3, "inventory", "xyzzy"), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: inventory: unknown verb 'xyzzy' (see 'vitk inventory --help')\n");
	free(out);
	free(err);
	/* aliases are explicit; prefixes are not guessed */
	assert_int_equal(run(&out, &err, 3, "inventory", "hos"), CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "did you mean 'hosts'?"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 6, "inventory", "report", "a", "b", "--help"), 0);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 5, "inventory", "report", "a", "b"), CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "wrong number of arguments for 'report' (got 2)"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 4, "inventory", "report", "--where"), CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "option '--where' needs a value"));
	free(out);
	free(err);
}

static void test_cli_out__formats(void **state)
{
	char path[600], *out, *err;
	const char *tmp = getenv("TEST_TMPDIR");

	(void)state;
	snprintf(path, sizeof(path), "--db=%s/dispatch.db", tmp ? tmp : "/tmp");
	assert_int_equal(run(&out, &err, 5, path, "-q", "inventory", "init"), 0);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 7, path, "-o", "csv", "inventory", "sql",
			     "SELECT 1 AS a, 'x,\"y' AS b, NULL AS c, 2.5 AS d"), 0);
	assert_string_equal(out, "a,b,c,d\r\n1,\"x,\"\"y\",,2.5\r\n");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 6, path, "-ojson", "inventory", "sql",
			     "SELECT 1 AS a, 'x' AS b, NULL AS c"), 0);
	assert_string_equal(out, "[\n  {\n    \"a\": 1,\n    \"b\": \"x\",\n    \"c\": null\n  }\n]\n");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 5, path, "inventory", "sql",
			     "SELECT 10 AS num, 'abc' AS txt UNION ALL SELECT 5, 'de'"), 0);
	assert_string_equal(out, "NUM  TXT\n 10  abc\n  5  de\n");
	free(out);
	free(err);
}

/* untrusted text: escaped in table and record output, exact in JSON and CSV */
static void test_cli_out__escapes_terminal_controls(void **state)
{
	char db[600], file[600], *out, *err;
	const char *tmp = getenv("TEST_TMPDIR");
	const char *q = "SELECT char(27) || '[2J' || char(10) || 'x' || char(8238) || 'y' AS a, "
			"CAST(X'ff' AS TEXT) AS b";

	(void)state;
	snprintf(db, sizeof(db), "--db=%s/escape.db", tmp ? tmp : "/tmp");
	assert_int_equal(run(&out, &err, 5, db, "-q", "inventory", "init"), 0);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 5, db, "inventory", "sql", q), 0);
	assert_string_equal(out, "A                  B\n\\x1b[2J\\nx\\u202ey  \\xff\n");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 7, db, "-o", "csv", "inventory", "sql", q), 0);
	assert_string_equal(out, "a,b\r\n\"\x1b[2J\nx\xe2\x80\xaey\",\xff\r\n");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 6, db, "-ojson", "inventory", "sql", q), 0);
	assert_string_equal(out, "[\n  {\n    \"a\": \"\\u001B[2J\\nx\xe2\x80\xaey\",\n"
				 "    \"b\": \"\xef\xbf\xbd\"\n  }\n]\n");
	free(out);
	free(err);
	/* record view: a file name with a newline and an escape in it */
	snprintf(file, sizeof(file), "%s/evil\n\x1b]0;t\a.json", tmp ? tmp : "/tmp");
	assert_int_equal(run(&out, &err, 5, db, "inventory", "export", file), 0);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 5, db, "inventory", "import", file), 0);
	assert_non_null(strstr(out, "/evil\\n\\x1b]0;t\\x07.json\nhosts added:"));
	assert_null(strchr(out, 0x1b));
	free(out);
	free(err);
	/* free text lines (cli_text) keep their line ends but not escape sequences */
	snprintf(db, sizeof(db), "--db=%s/esc\x1b[2J\xe2\x80\xae.db", tmp ? tmp : "/tmp");
	assert_int_equal(run(&out, &err, 5, db, "-q", "inventory", "init"), 0);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 4, db, "inventory", "show"), 0);
	assert_non_null(strstr(out, "/esc\\x1b[2J\\u202e.db\n"));
	assert_null(strchr(out, 0x1b));
	free(out);
	free(err);
}

int main(void)
{
	const char *tmp = getenv("TEST_TMPDIR");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_dispatch__version_and_help),
		cmocka_unit_test(test_cli_dispatch__usage_errors),
		cmocka_unit_test(test_cli_out__formats),
		cmocka_unit_test(test_cli_out__escapes_terminal_controls),
	};

	snprintf(out_path, sizeof(out_path), "%s/out.txt", tmp ? tmp : "/tmp");
	snprintf(err_path, sizeof(err_path), "%s/err.txt", tmp ? tmp : "/tmp");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
