/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include <vitk/common.h>

static void test_common_error__set_and_clear(void **state)
{
	(void)state;
	assert_int_equal(vitk_error_set(VITK_EINVAL, 0, "bad '%s'", "x"), VITK_EINVAL);
	assert_int_equal(vitk_error_last()->code, VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message, "bad 'x'");
	vitk_error_prefix("parsing: ");
	assert_string_equal(vitk_error_last()->message, "parsing: bad 'x'");
	vitk_error_clear();
	assert_int_equal(vitk_error_last()->code, VITK_OK);
	assert_string_equal(vitk_error_last()->message, "");
}

static void test_common_error__errno_appended(void **state)
{
	(void)state;
	vitk_error_set(VITK_EIO, 2, "cannot open 'f'");
	assert_string_equal(vitk_error_last()->message, "cannot open 'f': No such file or directory");
	assert_int_equal(vitk_error_last()->os_errno, 2);
}

static void test_common_error__long_message_truncated(void **state)
{
	char big[2 * VITK_ERROR_MESSAGE_MAX];

	(void)state;
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	vitk_error_set(VITK_EINVAL, 0, "%s", big);
	assert_int_equal(strlen(vitk_error_last()->message), VITK_ERROR_MESSAGE_MAX - 1);
	vitk_error_prefix("ctx: ");
	assert_int_equal(strlen(vitk_error_last()->message), VITK_ERROR_MESSAGE_MAX - 1);
	assert_memory_equal(vitk_error_last()->message, "ctx: mmm", 8);
	vitk_error_clear();
	assert_non_null(vitk_error_last()->message);
	assert_string_equal(vitk_error_last()->message, "");
}

static void test_common_error__scsi(void **state)
{
	(void)state;
	assert_int_equal(vitk_error_set_scsi(2, 5, 0x23, 1, "token"), VITK_ESCSI);
	assert_int_equal(vitk_error_last()->scsi_sense_key, 5);
	assert_int_equal(vitk_error_last()->asc, 0x23);
	assert_int_equal(vitk_error_last()->ascq, 1);
}

static void test_common_parse__u64(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(vitk_parse_u64("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(vitk_parse_u64("0x10", &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(vitk_parse_u64("-1", &v), VITK_EINVAL);
	assert_int_equal(vitk_parse_u64("12ab", &v), VITK_EINVAL);
	assert_int_equal(vitk_parse_u64("", &v), VITK_EINVAL);
	assert_int_equal(vitk_parse_u64("99999999999999999999999", &v), VITK_ERANGE);
}

static void test_common_parse__size(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(vitk_parse_size("1G", &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(vitk_parse_size("512K", &v), 0);
	assert_int_equal(v, 512ULL << 10);
	assert_int_equal(vitk_parse_size("64MiB", &v), 0);
	assert_int_equal(v, 64ULL << 20);
	assert_int_equal(vitk_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(vitk_parse_size("G", &v), VITK_EINVAL);
	assert_int_equal(vitk_parse_size("99999999999P", &v), VITK_ERANGE);
}

static void test_common_be__roundtrip(void **state)
{
	uint8_t b[8];

	(void)state;
	vitk_put_be64(b, 0x0102030405060708ULL);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[7], 8);
	assert_true(vitk_get_be64(b) == 0x0102030405060708ULL);
	vitk_put_be24(b, 0xabcdef);
	assert_int_equal(vitk_get_be24(b), 0xabcdef);
	vitk_put_be16(b, 0xbeef);
	assert_int_equal(vitk_get_be16(b), 0xbeef);
}

static void test_common_read_file__cap(void **state)
{
	char path[] = "/tmp/vitk_common_testXXXXXX";
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	for (int i = 0; i < 10000; i++)
		fputc('a', f);
	fclose(f);
	assert_int_equal(vitk_read_file(path, 100000, &buf, &len), 0);
	assert_int_equal(len, 10000);
	assert_int_equal(buf[len], '\0');
	free(buf);
	buf = NULL;
	assert_int_equal(vitk_read_file(path, 5000, &buf, &len), VITK_ERANGE);
	assert_null(buf);
	/* exactly at the cap is fine, one byte over is not (also below one read's size) */
	assert_int_equal(vitk_read_file(path, 10000, &buf, &len), 0);
	assert_int_equal(len, 10000);
	free(buf);
	buf = NULL;
	assert_int_equal(vitk_read_file(path, 9999, &buf, &len), VITK_ERANGE);
	assert_null(buf);
	assert_int_equal(vitk_read_file(path, 100, &buf, &len), VITK_ERANGE);
	assert_null(buf);
	unlink(path);
	assert_int_equal(vitk_read_file(path, 5000, &buf, &len), VITK_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common_error__set_and_clear),
		cmocka_unit_test(test_common_error__errno_appended),
		cmocka_unit_test(test_common_error__long_message_truncated),
		cmocka_unit_test(test_common_error__scsi),
		cmocka_unit_test(test_common_parse__u64),
		cmocka_unit_test(test_common_parse__size),
		cmocka_unit_test(test_common_be__roundtrip),
		cmocka_unit_test(test_common_read_file__cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
