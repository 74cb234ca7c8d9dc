/* SPDX-License-Identifier: MIT */
/*
 * vitk_table: columns described once, typed rows, JSON from the same object.
 * See <vitk/table.h>.  Cells are stored row-major in one growable array;
 * strings and JSON values are owned by their cells.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <vitk/array.h>
#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/table.h>

struct cell {
	bool set;
	union {
		char *s;
		int64_t i;
		double d;
		bool b;
		json_t *j;
	} v;
};

struct vitk_table {
	vitk_table_column *cols; /* keys copied */
	size_t ncols;
	VITK_ARRAY(struct cell) cells; /* nrows * ncols, row-major */
	size_t nrows;
	int error; /* first failure, sticky */
};

/* a record member kind that can fill a column of @type */
static bool field_fits(vitk_table_type type, vitk_table_field f)
{
	switch (f) {
	case VITK_TABLE_F_NONE: return true;
	case VITK_TABLE_F_STR: return type == VITK_TABLE_STR;
	case VITK_TABLE_F_DOUBLE: return type == VITK_TABLE_REAL;
	case VITK_TABLE_F_BOOL: return type == VITK_TABLE_BOOL;
	case VITK_TABLE_F_JSON: return type == VITK_TABLE_JSON;
	default: return type == VITK_TABLE_INT;
	}
}

static void free_cols(vitk_table_column *cols, size_t n)
{
	for (size_t i = 0; cols && i < n; i++)
		free((char *)cols[i].key);
	free(cols);
}

int vitk_table_new(vitk_table **out, const vitk_table_column *cols, size_t ncols)
{
	vitk_table *t = NULL;

	*out = NULL;
	if (!cols && ncols)
		return vitk_error_set(VITK_EINVAL, 0, "table columns missing");
	for (size_t i = 0; i < ncols; i++) {
		if (!cols[i].key)
			return vitk_error_set(VITK_EINVAL, 0, "table column %zu has no key", i);
		if (!field_fits(cols[i].type, cols[i].field))
			return vitk_error_set(VITK_EINVAL, 0, "table column '%s': field and type differ",
					      cols[i].key);
		for (size_t j = 0; j < i; j++)
			if (strcmp(cols[i].key, cols[j].key) == 0)
				return vitk_error_set(VITK_EINVAL, 0, "table column '%s' is repeated",
						      cols[i].key);
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		goto oom;
	t->cols = calloc(ncols + 1, sizeof(*t->cols));
	if (!t->cols)
		goto oom;
	t->ncols = ncols;
	for (size_t i = 0; i < ncols; i++) {
		t->cols[i] = cols[i];
		t->cols[i].key = strdup(cols[i].key);
		if (!t->cols[i].key)
			goto oom;
	}
	*out = t;
	return 0;
oom:
	vitk_table_free(t);
	return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

static void cell_clear(const vitk_table *t, size_t col, struct cell *c)
{
	if (c->set && t->cols[col].type == VITK_TABLE_STR)
		free(c->v.s);
	else if (c->set && t->cols[col].type == VITK_TABLE_JSON)
		json_decref(c->v.j);
	memset(c, 0, sizeof(*c));
}

void vitk_table_free(vitk_table *t)
{
	if (!t)
		return;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			cell_clear(t, c, &t->cells.ptr[r * t->ncols + c]);
	vitk_array_clear(t->cells);
	free_cols(t->cols, t->ncols);
	free(t);
}

static int fail(vitk_table *t, int r)
{
	if (!t->error)
		t->error = r;
	return r;
}

int vitk_table_add_row(vitk_table *t)
{
	if (t->error)
		return t->error;
	if (vitk_array_grow(t->cells, t->ncols) < 0)
		return fail(t, VITK_ENOMEM);
	if (t->ncols)
		memset(&t->cells.ptr[t->cells.size], 0, t->ncols * sizeof(struct cell));
	t->cells.size += t->ncols;
	t->nrows++;
	return 0;
}

/* the cell of @col in the last row, checked against @type; NULL after recording a failure */
static struct cell *last_cell(vitk_table *t, size_t col, vitk_table_type type, int *r)
{
	*r = t->error;
	if (*r)
		return NULL;
	if (col >= t->ncols)
		*r = vitk_error_set(VITK_EINVAL, 0, "table has no column %zu", col);
	else if (t->cols[col].type != type)
		*r = vitk_error_set(VITK_EINVAL, 0, "table column '%s' has another type",
				    t->cols[col].key);
	else if (t->nrows == 0)
		*r = vitk_error_set(VITK_EINVAL, 0, "table cell set before the first row");
	if (*r) {
		fail(t, *r);
		return NULL;
	}
	return &t->cells.ptr[(t->nrows - 1) * t->ncols + col];
}

int vitk_table_set_str(vitk_table *t, size_t col, const char *v)
{
	int r;
	struct cell *c = last_cell(t, col, VITK_TABLE_STR, &r);
	char *copy = NULL;

	if (!c)
		return r;
	if (v) {
		copy = strdup(v);
		if (!copy)
			return fail(t, vitk_error_set(VITK_ENOMEM, 0, "out of memory"));
	}
	cell_clear(t, col, c);
	c->set = copy != NULL;
	c->v.s = copy;
	return 0;
}

int vitk_table_set_int(vitk_table *t, size_t col, int64_t v)
{
	int r;
	struct cell *c = last_cell(t, col, VITK_TABLE_INT, &r);

	if (!c)
		return r;
	c->set = true;
	c->v.i = v;
	return 0;
}

int vitk_table_set_real(vitk_table *t, size_t col, double v)
{
	int r;
	struct cell *c = last_cell(t, col, VITK_TABLE_REAL, &r);

	if (!c)
		return r;
	c->set = true;
	c->v.d = v;
	return 0;
}

int vitk_table_set_bool(vitk_table *t, size_t col, bool v)
{
	int r;
	struct cell *c = last_cell(t, col, VITK_TABLE_BOOL, &r);

	if (!c)
		return r;
	c->set = true;
	c->v.b = v;
	return 0;
}

int vitk_table_set_json(vitk_table *t, size_t col, json_t *v)
{
	int r;
	struct cell *c = last_cell(t, col, VITK_TABLE_JSON, &r);

	if (!c) {
		json_decref(v); /* stolen even on failure: callers need not branch */
		return r;
	}
	cell_clear(t, col, c);
	c->set = v != NULL;
	c->v.j = v;
	return 0;
}

int vitk_table_set_null(vitk_table *t, size_t col)
{
	if (t->error)
		return t->error;
	if (col >= t->ncols || t->nrows == 0)
		return fail(t, vitk_error_set(VITK_EINVAL, 0, "no such table cell"));
	cell_clear(t, col, &t->cells.ptr[(t->nrows - 1) * t->ncols + col]);
	return 0;
}

int vitk_table_error(const vitk_table *t)
{
	return t->error;
}

/*
 * A JSON string for @s.  JSON text is UTF-8 (RFC 8259 section 8.1), so a
 * string that is not (a device field, an imported row) has each invalid
 * byte replaced by U+FFFD rather than being dropped or failing the document.
 */
static json_t *json_text(const char *s)
{
	json_t *j = json_string(s);
	size_t len = strlen(s), w = 0;
	char *fixed;

	if (j)
		return j;
	fixed = malloc(len * 3 + 1);
	if (!fixed)
		return NULL;
	for (size_t i = 0; i < len;) {
		const unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
		json_t *probe = NULL;

		/* let jansson judge a sequence: it refuses overlongs and surrogates */
		if (n > 1 && i + n <= len)
			probe = json_stringn(s + i, n);
		if (n == 1 || probe) {
			memcpy(fixed + w, s + i, n);
			w += n;
			i += n;
		} else {
			memcpy(fixed + w, "\xef\xbf\xbd", 3);
			w += 3;
			i++;
		}
		json_decref(probe);
	}
	fixed[w] = '\0';
	j = json_string(fixed);
	free(fixed);
	return j;
}

/* Read member @col->offset of @rec into a JSON value (new reference; json null for NULL). */
static int field_json(json_t **out, const vitk_table_column *col, const void *rec)
{
	const unsigned char *p = (const unsigned char *)rec + col->offset;
	int64_t i = 0;
	uint64_t u;

	*out = NULL;
	switch (col->field) {
	case VITK_TABLE_F_STR: {
		const char *s;

		memcpy(&s, p, sizeof(s));
		*out = s ? json_text(s) : json_null();
		break;
	}
	case VITK_TABLE_F_I8: { int8_t v; memcpy(&v, p, sizeof(v)); i = v; goto integer; }
	case VITK_TABLE_F_I16: { int16_t v; memcpy(&v, p, sizeof(v)); i = v; goto integer; }
	case VITK_TABLE_F_I32: { int32_t v; memcpy(&v, p, sizeof(v)); i = v; goto integer; }
	case VITK_TABLE_F_I64: memcpy(&i, p, sizeof(i)); goto integer;
	case VITK_TABLE_F_U8: { uint8_t v; memcpy(&v, p, sizeof(v)); i = v; goto integer; }
	case VITK_TABLE_F_U16: { uint16_t v; memcpy(&v, p, sizeof(v)); i = v; goto integer; }
	case VITK_TABLE_F_U32: { uint32_t v; memcpy(&v, p, sizeof(v)); i = v; goto integer; }
	case VITK_TABLE_F_U64:
		memcpy(&u, p, sizeof(u));
		if (u > INT64_MAX)
			return vitk_error_set(VITK_ERANGE, 0, "field '%s' does not fit a JSON integer",
					      col->key);
		i = (int64_t)u;
		goto integer;
	case VITK_TABLE_F_DOUBLE: {
		double d;

		memcpy(&d, p, sizeof(d));
		*out = json_real(d);
		break;
	}
	case VITK_TABLE_F_BOOL: {
		bool b;

		memcpy(&b, p, sizeof(b));
		*out = json_boolean(b);
		break;
	}
	case VITK_TABLE_F_JSON: {
		json_t *j;

		memcpy(&j, p, sizeof(j));
		*out = j ? json_incref(j) : json_null();
		break;
	}
	default:
		return vitk_error_set(VITK_EINVAL, 0, "column '%s' is not bound to a field", col->key);
	}
	goto done;
integer:
	*out = json_integer(i);
done:
	return *out ? 0 : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

int vitk_table_add_record(vitk_table *t, const void *rec)
{
	int r = vitk_table_add_row(t);

	for (size_t c = 0; r == 0 && c < t->ncols; c++) {
		const vitk_table_column *col = &t->cols[c];
		json_t *v = NULL;

		if (col->field == VITK_TABLE_F_NONE)
			continue;
		r = field_json(&v, col, rec);
		if (r < 0)
			return fail(t, r);
		if (json_is_null(v) && col->type != VITK_TABLE_JSON) {
			json_decref(v);
			continue; /* a NULL string: the cell stays null */
		}
		switch (col->type) {
		case VITK_TABLE_STR: r = vitk_table_set_str(t, c, json_string_value(v)); break;
		case VITK_TABLE_INT: r = vitk_table_set_int(t, c, json_integer_value(v)); break;
		case VITK_TABLE_REAL: r = vitk_table_set_real(t, c, json_real_value(v)); break;
		case VITK_TABLE_BOOL: r = vitk_table_set_bool(t, c, json_is_true(v)); break;
		case VITK_TABLE_JSON:
			r = vitk_table_set_json(t, c, json_is_null(v) ? NULL : json_incref(v));
			break;
		}
		json_decref(v);
	}
	return r;
}

int vitk_table_column_find(const vitk_table *t, const char *key, size_t *out)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c].key, key) == 0) {
			*out = c;
			return 0;
		}
	return vitk_error_set(VITK_ENOTFOUND, 0, "table has no column '%s'", key);
}

size_t vitk_table_ncolumns(const vitk_table *t)
{
	return t->ncols;
}

size_t vitk_table_nrows(const vitk_table *t)
{
	return t->nrows;
}

const vitk_table_column *vitk_table_column_at(const vitk_table *t, size_t col)
{
	VITK_ASSERT(col < t->ncols);
	return &t->cols[col];
}

static const struct cell *cell_at(const vitk_table *t, size_t row, size_t col)
{
	VITK_ASSERT(row < t->nrows && col < t->ncols);
	return &t->cells.ptr[row * t->ncols + col];
}

bool vitk_table_is_null(const vitk_table *t, size_t row, size_t col)
{
	return !cell_at(t, row, col)->set;
}

const char *vitk_table_get_str(const vitk_table *t, size_t row, size_t col)
{
	const struct cell *c = cell_at(t, row, col);

	return c->set && t->cols[col].type == VITK_TABLE_STR ? c->v.s : NULL;
}

int64_t vitk_table_get_int(const vitk_table *t, size_t row, size_t col)
{
	const struct cell *c = cell_at(t, row, col);

	return c->set && t->cols[col].type == VITK_TABLE_INT ? c->v.i : 0;
}

double vitk_table_get_real(const vitk_table *t, size_t row, size_t col)
{
	const struct cell *c = cell_at(t, row, col);

	return c->set && t->cols[col].type == VITK_TABLE_REAL ? c->v.d : 0.0;
}

bool vitk_table_get_bool(const vitk_table *t, size_t row, size_t col)
{
	const struct cell *c = cell_at(t, row, col);

	return c->set && t->cols[col].type == VITK_TABLE_BOOL ? c->v.b : false;
}

const json_t *vitk_table_get_json(const vitk_table *t, size_t row, size_t col)
{
	const struct cell *c = cell_at(t, row, col);

	return c->set && t->cols[col].type == VITK_TABLE_JSON ? c->v.j : NULL;
}

static json_t *cell_json(const vitk_table *t, size_t row, size_t col)
{
	const struct cell *c = cell_at(t, row, col);

	if (!c->set)
		return json_null();
	switch (t->cols[col].type) {
	case VITK_TABLE_INT: return json_integer(c->v.i);
	case VITK_TABLE_REAL: return json_real(c->v.d);
	case VITK_TABLE_BOOL: return json_boolean(c->v.b);
	case VITK_TABLE_JSON: return json_incref(c->v.j);
	default: return json_text(c->v.s);
	}
}

int vitk_table_row_to_json(json_t **out, const vitk_table *t, size_t row)
{
	json_t *o = NULL;

	*out = NULL;
	if (t->error)
		return t->error;
	if (row >= t->nrows)
		return vitk_error_set(VITK_EINVAL, 0, "table has no row %zu", row);
	o = json_object();
	if (!o)
		goto oom;
	for (size_t c = 0; c < t->ncols; c++)
		if (json_object_set_new(o, t->cols[c].key, cell_json(t, row, c)) < 0)
			goto oom;
	*out = o;
	return 0;
oom:
	json_decref(o);
	return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

int vitk_table_to_json(json_t **out, const vitk_table *t)
{
	json_t *arr = NULL, *o = NULL;
	int r;

	*out = NULL;
	if (t->error)
		return t->error;
	arr = json_array();
	if (!arr)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (size_t row = 0; row < t->nrows; row++) {
		r = vitk_table_row_to_json(&o, t, row);
		if (r < 0) {
			json_decref(arr);
			return r;
		}
		if (json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		}
	}
	*out = arr;
	return 0;
}

int vitk_table_record_to_json(json_t **out, const vitk_table_column *cols, size_t ncols,
			      const void *rec)
{
	json_t *o = json_object();
	int r = 0;

	*out = NULL;
	if (!o)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (size_t c = 0; c < ncols; c++) {
		json_t *v = NULL;

		if (cols[c].field == VITK_TABLE_F_NONE)
			continue;
		r = field_json(&v, &cols[c], rec);
		if (r == 0 && json_object_set_new(o, cols[c].key, v) < 0)
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		if (r < 0) {
			json_decref(o);
			return r;
		}
	}
	*out = o;
	return 0;
}
