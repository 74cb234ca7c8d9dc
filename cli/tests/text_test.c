/*
 * cli_text() and cli_text_block(): the format's own lines are kept, every
 * argument is escaped (a newline in a value cannot forge a line), and each
 * conversion type formats as printf would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"

static char captured[4096];

/* run @fn with stdout sent to a temporary file; the text lands in captured[] */
#define CAPTURE(stmt)                                                                              \
	do {                                                                                       \
		FILE *tmp_ = tmpfile();                                                            \
		int saved_ = dup(1);                                                               \
		size_t n_;                                                                         \
		assert_non_null(tmp_);                                                             \
		fflush(stdout);                                                                    \
		dup2(fileno(tmp_), 1);                                                             \
		stmt;                                                                              \
		fflush(stdout);                                                                    \
		dup2(saved_, 1);                                                                   \
		close(saved_);                                                                     \
		rewind(tmp_);                                                                      \
		n_ = fread(captured, 1, sizeof(captured) - 1, tmp_);                               \
		captured[n_] = '\0';                                                               \
		fclose(tmp_);                                                                      \
	} while (0)

static struct cli_ctx table_ctx = { .prog = "vitk", .output = CLI_OUT_TABLE };

static void test_format_lines_kept_argument_newline_escaped(void **state)
{
	(void)state;
	CAPTURE(cli_text(&table_ctx, "Depot: %s\nCommand: %s\n", "evil\nVerdict: safe", "esxcli"));
	assert_string_equal(captured, "Depot: evil\\nVerdict: safe\nCommand: esxcli\n");
}

static void test_controls_and_bidi_escaped(void **state)
{
	(void)state;
	CAPTURE(cli_text(&table_ctx, "[%s]\n", "a\tb\x1b[31m\xe2\x80\xae" "c\xff"));
	assert_string_equal(captured, "[a\\tb\\x1b[31m\\u202ec\\xff]\n");
}

static void test_conversions(void **state)
{
	(void)state;
	CAPTURE(cli_text(&table_ctx, "%d %u %5.2f %llu %zu %lld %x %c %% %-4s| %*d %.*s %ld\n", -3, 7u, 3.14159,
			 18446744073709551615ull, (size_t)42, -9000000000ll, 255u, 'Z', "ab", 4, 12, 2, "xyz",
			 -5l));
	assert_string_equal(captured, "-3 7  3.14 18446744073709551615 42 -9000000000 ff Z % ab  |   12 xy -5\n");
}

static void test_block_keeps_lines_escapes_controls(void **state)
{
	(void)state;
	CAPTURE(cli_text_block(&table_ctx, "pciPassthru0.present = \"TRUE\"\n\tid\x1b]0;x\x07\n"));
	assert_string_equal(captured, "pciPassthru0.present = \"TRUE\"\n\tid\\x1b]0;x\\x07\n");
}

static void test_json_and_csv_print_nothing(void **state)
{
	struct cli_ctx json_ctx = { .prog = "vitk", .output = CLI_OUT_JSON };
	struct cli_ctx csv_ctx = { .prog = "vitk", .output = CLI_OUT_CSV };

	(void)state;
	CAPTURE(cli_text(&json_ctx, "x %s\n", "y"); cli_text_block(&csv_ctx, "z\n"));
	assert_string_equal(captured, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_lines_kept_argument_newline_escaped),
		cmocka_unit_test(test_controls_and_bidi_escaped),
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_block_keeps_lines_escapes_controls),
		cmocka_unit_test(test_json_and_csv_print_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
