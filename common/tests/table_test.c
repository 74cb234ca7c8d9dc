/* SPDX-License-Identifier: MIT */
/* vitk_table: typed cells, records, sticky errors and the JSON it gives. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include <vitk/common.h>
#include <failalloc.h>
#include <vitk/table.h>

static char *dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static void assert_json(const json_t *j, const char *want)
{
	char *s = dump(j);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

enum { C_NAME, C_N, C_RATE, C_OK, C_SUB };
static const vitk_table_column cols[] = {
	[C_NAME] = VITK_TABLE_COLUMN("name", VITK_TABLE_STR),
	[C_N] = VITK_TABLE_COLUMN("n", VITK_TABLE_INT),
	[C_RATE] = VITK_TABLE_COLUMN("rate", VITK_TABLE_REAL),
	[C_OK] = VITK_TABLE_COLUMN("ok", VITK_TABLE_BOOL),
	[C_SUB] = VITK_TABLE_COLUMN("sub", VITK_TABLE_JSON),
};

static void test_table_cells__typed_rows_and_nulls(void **state)
{
	vitk_table *t = NULL;
	json_t *j = NULL;

	(void)state;
	assert_int_equal(vitk_table_new(&t, cols, VITK_ARRAY_SIZE(cols)), 0);
	assert_int_equal(vitk_table_add_row(t), 0);
	assert_int_equal(vitk_table_set_str(t, C_NAME, "a\"b"), 0);
	assert_int_equal(vitk_table_set_int(t, C_N, -7), 0);
	assert_int_equal(vitk_table_set_real(t, C_RATE, 2.5), 0);
	assert_int_equal(vitk_table_set_bool(t, C_OK, true), 0);
	assert_int_equal(vitk_table_set_json(t, C_SUB, json_pack("{s:[i,i]}", "lbas", 1, 2)), 0);
	assert_int_equal(vitk_table_add_row(t), 0);
	assert_int_equal(vitk_table_set_str(t, C_NAME, NULL), 0); /* NULL is null */
	assert_int_equal(vitk_table_nrows(t), 2);
	assert_int_equal(vitk_table_ncolumns(t), 5);
	assert_string_equal(vitk_table_column_at(t, C_RATE)->key, "rate");
	assert_true(vitk_table_is_null(t, 1, C_NAME));
	assert_false(vitk_table_is_null(t, 0, C_OK));
	assert_int_equal(vitk_table_get_int(t, 0, C_N), -7);
	assert_string_equal(vitk_table_get_str(t, 0, C_NAME), "a\"b");
	assert_int_equal(vitk_table_to_json(&j, t), 0);
	assert_json(j, "[{\"name\":\"a\\\"b\",\"n\":-7,\"rate\":2.5,\"ok\":true,\"sub\":{\"lbas\":[1,2]}},"
		       "{\"name\":null,\"n\":null,\"rate\":null,\"ok\":null,\"sub\":null}]");
	json_decref(j);
	assert_int_equal(vitk_table_row_to_json(&j, t, 0), 0);
	assert_json(j, "{\"name\":\"a\\\"b\",\"n\":-7,\"rate\":2.5,\"ok\":true,\"sub\":{\"lbas\":[1,2]}}");
	json_decref(j);
	vitk_table_free(t);
	vitk_table_free(NULL);
}

static void test_table_cells__wrong_type_sticks(void **state)
{
	vitk_table *t = NULL;
	json_t *j = (json_t *)0x1;
	size_t idx = 99;

	(void)state;
	assert_int_equal(vitk_table_new(&t, cols, VITK_ARRAY_SIZE(cols)), 0);
	/* before the first row */
	assert_int_equal(vitk_table_set_int(t, C_N, 1), VITK_EINVAL);
	vitk_table_free(t);
	assert_int_equal(vitk_table_new(&t, cols, VITK_ARRAY_SIZE(cols)), 0);
	assert_int_equal(vitk_table_add_row(t), 0);
	assert_int_equal(vitk_table_set_str(t, C_N, "7"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "'n' has another type"));
	/* sticky: later setters do nothing, JSON is refused */
	assert_int_equal(vitk_table_set_int(t, C_N, 7), VITK_EINVAL);
	assert_true(vitk_table_is_null(t, 0, C_N));
	assert_int_equal(vitk_table_error(t), VITK_EINVAL);
	assert_int_equal(vitk_table_to_json(&j, t), VITK_EINVAL);
	assert_null(j);
	assert_int_equal(vitk_table_column_find(t, "rate", &idx), 0);
	assert_int_equal(idx, C_RATE);
	assert_int_equal(vitk_table_column_find(t, "nope", &idx), VITK_ENOTFOUND);
	vitk_table_free(t);
}

static void test_table_new__bad_columns(void **state)
{
	static const vitk_table_column dup[] = {
		VITK_TABLE_COLUMN("a", VITK_TABLE_STR),
		VITK_TABLE_COLUMN("a", VITK_TABLE_INT),
	};
	static const vitk_table_column mismatch[] = {
		{ "a", VITK_TABLE_STR, VITK_TABLE_F_I32, 0 },
	};
	vitk_table *t = (vitk_table *)0x1;

	(void)state;
	assert_int_equal(vitk_table_new(&t, dup, 2), VITK_EINVAL);
	assert_null(t);
	assert_int_equal(vitk_table_new(&t, NULL, 1), VITK_EINVAL);
	/* no columns: rows without cells */
	assert_int_equal(vitk_table_new(&t, NULL, 0), 0);
	assert_int_equal(vitk_table_add_row(t), 0);
	assert_int_equal(vitk_table_nrows(t), 1);
	vitk_table_free(t);
	assert_int_equal(vitk_table_new(&t, mismatch, 1), VITK_EINVAL);
}

struct vf {
	const char *pf;
	uint16_t index;
	int8_t delta;
	uint64_t bytes;
	bool trust;
	double load;
	char *note;
	json_t *extra;
};

static const vitk_table_column vf_cols[] = {
	VITK_TABLE_FIELD(struct vf, pf, "pf"),
	VITK_TABLE_FIELD(struct vf, index, "vf"),
	VITK_TABLE_FIELD(struct vf, delta, "delta"),
	VITK_TABLE_FIELD(struct vf, bytes, "bytes"),
	VITK_TABLE_FIELD(struct vf, trust, "trust"),
	VITK_TABLE_FIELD(struct vf, load, "load"),
	VITK_TABLE_FIELD(struct vf, note, "note"),
	VITK_TABLE_FIELD(struct vf, extra, "extra"),
	VITK_TABLE_COLUMN("state", VITK_TABLE_STR),
};

static void test_table_record__fields_by_type(void **state)
{
	struct vf v = { "0000:3b:00.0", 65535, -3, 1ULL << 40, true, 0.25, NULL, NULL };
	vitk_table *t = NULL;
	json_t *j = NULL;

	(void)state;
	assert_int_equal(vf_cols[0].type, VITK_TABLE_STR);
	assert_int_equal(vf_cols[1].type, VITK_TABLE_INT);
	assert_int_equal(vf_cols[4].type, VITK_TABLE_BOOL);
	assert_int_equal(vf_cols[5].type, VITK_TABLE_REAL);
	assert_int_equal(vf_cols[7].type, VITK_TABLE_JSON);
	assert_int_equal(vitk_table_new(&t, vf_cols, VITK_ARRAY_SIZE(vf_cols)), 0);
	assert_int_equal(vitk_table_add_record(t, &v), 0);
	assert_int_equal(vitk_table_set_str(t, 8, "free"), 0); /* unbound column, set by hand */
	v.extra = json_pack("{s:b}", "x", 1);
	v.note = "n";
	assert_int_equal(vitk_table_add_record(t, &v), 0);
	json_decref(v.extra); /* the table took its own reference */
	assert_int_equal(vitk_table_to_json(&j, t), 0);
	assert_json(j, "[{\"pf\":\"0000:3b:00.0\",\"vf\":65535,\"delta\":-3,\"bytes\":1099511627776,"
		       "\"trust\":true,\"load\":0.25,\"note\":null,\"extra\":null,\"state\":\"free\"},"
		       "{\"pf\":\"0000:3b:00.0\",\"vf\":65535,\"delta\":-3,\"bytes\":1099511627776,"
		       "\"trust\":true,\"load\":0.25,\"note\":\"n\",\"extra\":{\"x\":true},\"state\":null}]");
	json_decref(j);
	/* one document object from one record: unbound columns are left out */
	v.extra = NULL;
	assert_int_equal(vitk_table_record_to_json(&j, vf_cols, VITK_ARRAY_SIZE(vf_cols), &v), 0);
	assert_json(j, "{\"pf\":\"0000:3b:00.0\",\"vf\":65535,\"delta\":-3,\"bytes\":1099511627776,"
		       "\"trust\":true,\"load\":0.25,\"note\":\"n\",\"extra\":null}");
	json_decref(j);
	/* an unsigned value JSON cannot hold is refused, not wrapped */
	v.bytes = UINT64_MAX;
	assert_int_equal(vitk_table_add_record(t, &v), VITK_ERANGE);
	assert_int_equal(vitk_table_error(t), VITK_ERANGE);
	vitk_table_free(t);
}

static void test_table_cells__many_rows(void **state)
{
	vitk_table *t = NULL;
	json_t *j = NULL;

	(void)state;
	assert_int_equal(vitk_table_new(&t, cols, 2), 0);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(vitk_table_add_row(t), 0);
		assert_int_equal(vitk_table_set_int(t, C_N, i), 0);
		assert_int_equal(vitk_table_set_str(t, C_NAME, "x"), 0);
		assert_int_equal(vitk_table_set_str(t, C_NAME, "y"), 0); /* replaced, not leaked */
	}
	assert_int_equal(vitk_table_get_int(t, 999, C_N), 999);
	assert_string_equal(vitk_table_get_str(t, 500, C_NAME), "y");
	assert_int_equal(vitk_table_set_null(t, C_NAME), 0);
	assert_true(vitk_table_is_null(t, 999, C_NAME));
	assert_int_equal(vitk_table_to_json(&j, t), 0);
	assert_int_equal(json_array_size(j), 1000);
	json_decref(j);
	vitk_table_free(t);
}

static void test_table_json__invalid_utf8_replaced(void **state)
{
	vitk_table *t = NULL;
	json_t *j = NULL;

	(void)state;
	assert_int_equal(vitk_table_new(&t, cols, 1), 0);
	assert_int_equal(vitk_table_add_row(t), 0);
	/* a lone continuation byte, a truncated sequence, an overlong '/', valid e-acute */
	assert_int_equal(vitk_table_set_str(t, C_NAME, "a\x80" "b\xe2\x82 \xc0\xaf\xc3\xa9\x1b"), 0);
	assert_int_equal(vitk_table_to_json(&j, t), 0);
	assert_json(j, "[{\"name\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd"
		       "\xc3\xa9\\u001B\"}]");
	json_decref(j);
	vitk_table_free(t);
}

/* every failing calloc/realloc is reported, never a crash, a leak or a silent drop */
static void test_table_oom__reported(void **state)
{
	int failed = 1;

	(void)state;
	for (int n = 0; failed && n < 200; n++) {
		vitk_table *t = NULL;
		json_t *j = NULL;
		int r;

		failalloc_after(n);
		r = vitk_table_new(&t, cols, VITK_ARRAY_SIZE(cols));
		for (int i = 0; r == 0 && i < 40; i++) {
			r = vitk_table_add_row(t);
			if (r == 0)
				r = vitk_table_set_int(t, C_N, i);
		}
		failed = failalloc_failed();
		failalloc_after(-1);
		if (failed) {
			assert_int_equal(r, VITK_ENOMEM);
			assert_true(t == NULL || vitk_table_error(t) == VITK_ENOMEM);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(vitk_table_to_json(&j, t), 0);
			assert_int_equal(json_array_size(j), 40);
			json_decref(j);
		}
		vitk_table_free(t);
	}
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_cells__typed_rows_and_nulls),
		cmocka_unit_test(test_table_cells__wrong_type_sticks),
		cmocka_unit_test(test_table_new__bad_columns),
		cmocka_unit_test(test_table_record__fields_by_type),
		cmocka_unit_test(test_table_cells__many_rows),
		cmocka_unit_test(test_table_json__invalid_utf8_replaced),
		cmocka_unit_test(test_table_oom__reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
