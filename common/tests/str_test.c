/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vitk/str.h>

#include "failalloc.h"

static void test_common_str__init_is_empty_string(void **state)
{
	vitk_str s = VITK_STR_INIT;
	vitk_str z;

	(void)state;
	assert_non_null(s.ptr);
	assert_string_equal(s.ptr, "");
	assert_int_equal(s.size, 0);
	vitk_str_init(&z);
	assert_string_equal(z.ptr, "");
	vitk_str_clear(&s);
	vitk_str_clear(&z);
	vitk_str_clear(NULL);
}

static void test_common_str__put_puts_putc_putf(void **state)
{
	vitk_str s = VITK_STR_INIT;

	(void)state;
	assert_int_equal(vitk_str_puts(&s, "pf "), 0);
	assert_int_equal(vitk_str_put(&s, "eth0XXX", 4), 0);
	assert_int_equal(vitk_str_putc(&s, ' '), 0);
	assert_int_equal(vitk_str_putf(&s, "vf %u mac %s", 3u, "02:00:00:00:00:01"), 0);
	assert_string_equal(s.ptr, "pf eth0 vf 3 mac 02:00:00:00:00:01");
	assert_int_equal(s.size, strlen(s.ptr));
	assert_true(s.asize > s.size);
	assert_false(s.oom);
	vitk_str_clear(&s);
	assert_string_equal(s.ptr, "");
	assert_int_equal(s.asize, 0);
}

static void test_common_str__embedded_nul_and_truncate(void **state)
{
	vitk_str s = VITK_STR_INIT;

	(void)state;
	assert_int_equal(vitk_str_put(&s, "a\0b", 3), 0);
	assert_int_equal(s.size, 3);
	assert_memory_equal(s.ptr, "a\0b\0", 4);
	vitk_str_truncate(&s, 1);
	assert_int_equal(s.size, 1);
	assert_string_equal(s.ptr, "a");
	vitk_str_truncate(&s, 10);
	assert_int_equal(s.size, 1);
	vitk_str_clear(&s);
}

static void test_common_str__large_putf(void **state)
{
	vitk_str s = VITK_STR_INIT;
	char big[5000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 10; i++)
		assert_int_equal(vitk_str_putf(&s, "%d:%s;", i, big), 0);
	assert_int_equal(s.size, 10 * (2 + 4999 + 1));
	assert_int_equal(s.ptr[s.size], '\0');
	assert_memory_equal(s.ptr + 5002, "1:xx", 4);
	vitk_str_clear(&s);
}

static void test_common_str__detach(void **state)
{
	vitk_str s = VITK_STR_INIT;
	char *p;

	(void)state;
	p = vitk_str_detach(&s);
	assert_non_null(p);
	assert_true(p != vitk_str__empty);
	assert_string_equal(p, "");
	free(p);
	vitk_str_puts(&s, "hello");
	p = vitk_str_detach(&s);
	assert_string_equal(p, "hello");
	assert_string_equal(s.ptr, "");
	assert_int_equal(s.size, 0);
	assert_int_equal(s.asize, 0);
	free(p);
}

/* A calloc'ed buffer (ptr NULL) works like VITK_STR_INIT. */
static void test_common_str__zeroed_struct(void **state)
{
	vitk_str *s = calloc(1, sizeof(*s));

	(void)state;
	assert_non_null(s);
	vitk_str_truncate(s, 0);
	assert_int_equal(vitk_str_putf(s, "%s", ""), 0);
	assert_string_equal(s->ptr, "");
	assert_int_equal(vitk_str_puts(s, "x"), 0);
	assert_string_equal(s->ptr, "x");
	vitk_str_clear(s);
	free(s);
}

/* OOM is sticky: the text so far stays, later writes are refused, detach gives NULL. */
static void test_common_str__oom_is_sticky(void **state)
{
	vitk_str s = VITK_STR_INIT;
	char big[200];

	(void)state;
	memset(big, 'y', sizeof(big));
	assert_int_equal(vitk_str_puts(&s, "keep"), 0);
	vitk_error_clear();
	failalloc_after(0);
	assert_int_equal(vitk_str_put(&s, big, sizeof(big)), VITK_ENOMEM);
	assert_int_equal(failalloc_failed(), 1);
	assert_int_equal(vitk_error_last()->code, VITK_ENOMEM);
	assert_true(s.oom);
	assert_string_equal(s.ptr, "keep");
	assert_int_equal(s.size, 4);
	/* Allocation would work again, but the buffer stays failed. */
	assert_int_equal(vitk_str_puts(&s, "x"), VITK_ENOMEM);
	assert_int_equal(vitk_str_putc(&s, 'x'), VITK_ENOMEM);
	assert_int_equal(vitk_str_putf(&s, "%d", 1), VITK_ENOMEM);
	assert_int_equal(vitk_str_grow(&s, 1), VITK_ENOMEM);
	assert_string_equal(s.ptr, "keep");
	assert_null(vitk_str_detach(&s));
	assert_false(s.oom);
	assert_string_equal(s.ptr, "");
	assert_int_equal(vitk_str_puts(&s, "again"), 0);
	assert_string_equal(s.ptr, "again");
	vitk_str_clear(&s);
}

static void test_common_str__oom_first_write_and_putf(void **state)
{
	vitk_str s = VITK_STR_INIT;

	(void)state;
	failalloc_after(0);
	assert_int_equal(vitk_str_putf(&s, "%s", "abc"), VITK_ENOMEM);
	assert_true(s.oom);
	assert_string_equal(s.ptr, "");
	assert_int_equal(s.asize, 0);
	vitk_str_clear(&s);
	assert_false(s.oom);

	/* detach of an empty buffer allocates, and may fail too */
	failalloc_after(0);
	assert_null(vitk_str_detach(&s));
	assert_int_equal(vitk_error_last()->code, VITK_ENOMEM);
}

static void test_common_str__size_overflow(void **state)
{
	vitk_str s = VITK_STR_INIT;

	(void)state;
	failalloc_after(1000);
	assert_int_equal(vitk_str_puts(&s, "ab"), 0);
	assert_int_equal(vitk_str_grow(&s, SIZE_MAX - 2), VITK_ENOMEM);
	assert_true(s.oom);
	assert_string_equal(s.ptr, "ab");
	assert_int_equal(failalloc_failed(), 0);
	failalloc_after(-1);
	vitk_str_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common_str__init_is_empty_string),
		cmocka_unit_test(test_common_str__put_puts_putc_putf),
		cmocka_unit_test(test_common_str__embedded_nul_and_truncate),
		cmocka_unit_test(test_common_str__large_putf),
		cmocka_unit_test(test_common_str__detach),
		cmocka_unit_test(test_common_str__zeroed_struct),
		cmocka_unit_test(test_common_str__oom_is_sticky),
		cmocka_unit_test(test_common_str__oom_first_write_and_putf),
		cmocka_unit_test(test_common_str__size_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
