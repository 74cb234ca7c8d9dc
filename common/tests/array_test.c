/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vitk/array.h>

#include "failalloc.h"

struct item {
	int id;
	char name[12];
};

typedef VITK_ARRAY(struct item) item_array;
typedef VITK_ARRAY(char *) strv;

static void test_common_array__push_keeps_order(void **state)
{
	item_array a = VITK_ARRAY_INIT;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		struct item *it = vitk_array_push(a);

		assert_non_null(it);
		assert_int_equal(it->id, 0);
		assert_string_equal(it->name, "");
		it->id = i;
	}
	assert_int_equal(a.size, 1000);
	assert_true(a.asize >= a.size);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(a.ptr[i].id, i);
	vitk_array_clear(a);
	assert_null(a.ptr);
	assert_int_equal(a.size, 0);
	assert_int_equal(a.asize, 0);
}

static void test_common_array__append_and_get(void **state)
{
	strv v = VITK_ARRAY_INIT;

	(void)state;
	assert_null(vitk_array_get(v, 0));
	assert_int_equal(vitk_array_append(v, strdup("a")), 0);
	assert_int_equal(vitk_array_append(v, strdup("b")), 0);
	assert_int_equal(v.size, 2);
	assert_string_equal(*vitk_array_get(v, 1), "b");
	assert_null(vitk_array_get(v, 2));
	assert_null(vitk_array_get(v, -1));
	{
		item_array items = VITK_ARRAY_INIT;

		assert_int_equal(vitk_array_append(items, ((struct item){ 5, "five" })), 0);
		assert_int_equal(items.ptr[0].id, 5);
		assert_string_equal(items.ptr[0].name, "five");
		vitk_array_clear(items);
	}
	for (size_t i = 0; i < v.size; i++)
		free(v.ptr[i]);
	vitk_array_clear(v);
}

static void test_common_array__grow_reserves_without_adding(void **state)
{
	VITK_ARRAY(uint32_t) a = VITK_ARRAY_INIT;
	uint32_t *before;

	(void)state;
	assert_int_equal(vitk_array_grow(a, 100), 0);
	assert_int_equal(a.size, 0);
	assert_true(a.asize >= 100);
	before = a.ptr;
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(vitk_array_append(a, i * 3), 0);
	assert_ptr_equal(a.ptr, before); /* no reallocation inside the reservation */
	assert_int_equal(a.ptr[99], 297);
	assert_int_equal(vitk_array_grow(a, 0), 0);
	vitk_array_clear(a);
}

/* A failed growth leaves items, size and asize as they were and says why. */
static void test_common_array__oom_leaves_array_unchanged(void **state)
{
	item_array a = VITK_ARRAY_INIT;
	struct item *it;
	size_t asize;
	int i;

	(void)state;
	for (i = 0; (size_t)i < 8 || a.size < a.asize; i++) {
		it = vitk_array_push(a);
		assert_non_null(it);
		it->id = i;
	}
	asize = a.asize;
	vitk_error_clear();
	failalloc_after(0);
	assert_null(vitk_array_push(a));
	assert_int_equal(failalloc_failed(), 1);
	assert_int_equal(vitk_error_last()->code, VITK_ENOMEM);
	assert_int_equal(a.size, (size_t)i);
	assert_int_equal(a.asize, asize);
	for (int j = 0; j < i; j++)
		assert_int_equal(a.ptr[j].id, j);

	failalloc_after(0);
	assert_int_equal(vitk_array_append(a, a.ptr[0]), VITK_ENOMEM);
	failalloc_after(0);
	assert_int_equal(vitk_array_grow(a, 1), VITK_ENOMEM);
	assert_int_equal(a.size, (size_t)i);

	/* Allocation works again: the array carries on from where it was. */
	it = vitk_array_push(a);
	assert_non_null(it);
	assert_int_equal(a.size, (size_t)i + 1);
	assert_int_equal(a.ptr[0].id, 0);
	vitk_array_clear(a);
}

static void test_common_array__oom_on_first_growth(void **state)
{
	strv v = VITK_ARRAY_INIT;

	(void)state;
	failalloc_after(0);
	assert_int_equal(vitk_array_append(v, (char *)"x"), VITK_ENOMEM);
	assert_null(v.ptr);
	assert_int_equal(v.size, 0);
	assert_int_equal(v.asize, 0);
}

/* size * count beyond SIZE_MAX is refused before realloc() sees it. */
static void test_common_array__count_overflow(void **state)
{
	item_array a = VITK_ARRAY_INIT;
	VITK_ARRAY(char) c = VITK_ARRAY_INIT;

	(void)state;
	failalloc_after(1000);
	vitk_error_clear();
	assert_int_equal(vitk_array_grow(a, SIZE_MAX / sizeof(struct item) + 1), VITK_ENOMEM);
	assert_int_equal(vitk_error_last()->code, VITK_ENOMEM);
	assert_null(a.ptr);
	assert_int_equal(a.asize, 0);

	assert_non_null(vitk_array_push(a));
	assert_int_equal(vitk_array_grow(a, SIZE_MAX), VITK_ENOMEM); /* size + n wraps */
	assert_int_equal(a.size, 1);

	assert_int_equal(vitk_array_grow(a, SIZE_MAX / sizeof(struct item)), VITK_ENOMEM);
	assert_int_equal(a.size, 1);

	assert_int_equal(vitk_array_append(c, 'x'), 0);
	assert_int_equal(vitk_array_grow(c, SIZE_MAX), VITK_ENOMEM);
	assert_int_equal(c.size, 1);
	assert_int_equal(c.ptr[0], 'x');
	assert_int_equal(failalloc_failed(), 0);
	failalloc_after(-1);
	vitk_array_clear(a);
	vitk_array_clear(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common_array__push_keeps_order),
		cmocka_unit_test(test_common_array__append_and_get),
		cmocka_unit_test(test_common_array__grow_reserves_without_adding),
		cmocka_unit_test(test_common_array__oom_leaves_array_unchanged),
		cmocka_unit_test(test_common_array__oom_on_first_growth),
		cmocka_unit_test(test_common_array__count_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
