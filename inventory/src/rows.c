/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"

#define ROWS_MAX_BYTES (UINT32_MAX - 1u)

static int arena_put(vitk_inventory_rows *r, const char *s, size_t n, uint32_t *off)
{
	if (r->arena.size + n + 1 > ROWS_MAX_BYTES)
		return vitk_error_set(VITK_ERANGE, 0, "result set is larger than 4 GiB");
	if (vitk_array_grow(r->arena, n + 1) < 0)
		return VITK_ENOMEM;
	memcpy(r->arena.ptr + r->arena.size, s, n);
	r->arena.ptr[r->arena.size + n] = '\0';
	*off = (uint32_t)r->arena.size;
	r->arena.size += n + 1;
	return 0;
}

/*
 * Room for row nrows: ncols empty (NULL) cells.  A row left half-filled by an
 * earlier failure is overwritten; nrows counts complete rows only.
 */
static int row_start(vitk_inventory_rows *r, inv_cell **row)
{
	r->cells.size = r->nrows * r->ncols;
	if (vitk_array_grow(r->cells, r->ncols) < 0)
		return VITK_ENOMEM;
	*row = NULL;
	for (size_t c = 0; c < r->ncols; c++) {
		inv_cell *cell = &r->cells.ptr[r->cells.size + c];

		memset(cell, 0, sizeof(*cell));
		cell->off = UINT32_MAX;
		cell->kind = SQLITE_NULL;
		if (c == 0)
			*row = cell;
	}
	r->cells.size += r->ncols;
	return 0;
}

static vitk_inventory_rows *rows_alloc(size_t ncols)
{
	vitk_inventory_rows *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->ncols = ncols;
	r->names = calloc(ncols + 1, sizeof(char *));
	r->types = calloc(ncols + 1, sizeof(*r->types));
	if (!r->names || !r->types) {
		vitk_inventory_rows_free(r);
		return NULL;
	}
	return r;
}

static vitk_inventory_type type_from_decl(const char *decl)
{
	if (!decl)
		return 0;
	if (strstr(decl, "INT") || strstr(decl, "int"))
		return VITK_INV_INT;
	if (strstr(decl, "REAL") || strstr(decl, "real") || strstr(decl, "FLOA") ||
	    strstr(decl, "DOUB"))
		return VITK_INV_REAL;
	return VITK_INV_TEXT;
}

int inv_rows_collect(vitk_inventory_rows **out, sqlite3 *db, sqlite3_stmt *st)
{
	vitk_inventory_rows *r = NULL;
	inv_cell *row = NULL;
	size_t ncols = (size_t)sqlite3_column_count(st), c;
	int rc, ret = 0;

	*out = NULL;
	r = rows_alloc(ncols);
	if (!r)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (c = 0; c < ncols; c++) {
		const char *nm = sqlite3_column_name(st, (int)c);

		r->names[c] = strdup(nm ? nm : "?");
		if (!r->names[c]) {
			ret = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			goto out;
		}
		r->types[c] = type_from_decl(sqlite3_column_decltype(st, (int)c));
	}
	for (;;) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			ret = vitk_error_set(VITK_EDB, 0, "query failed: %s", sqlite3_errmsg(db));
			goto out;
		}
		ret = row_start(r, &row);
		if (ret < 0)
			goto out;
		for (c = 0; c < ncols; c++) {
			inv_cell *cell = &row[c];
			int kind = sqlite3_column_type(st, (int)c);
			char num[64];
			const char *txt = NULL;
			size_t tlen = 0;

			cell->kind = (uint8_t)kind;
			switch (kind) {
			case SQLITE_INTEGER:
				cell->i = sqlite3_column_int64(st, (int)c);
				snprintf(num, sizeof(num), "%" PRId64, cell->i);
				txt = num;
				tlen = strlen(num);
				if (!r->types[c])
					r->types[c] = VITK_INV_INT;
				break;
			case SQLITE_FLOAT:
				cell->d = sqlite3_column_double(st, (int)c);
				snprintf(num, sizeof(num), "%.17g", cell->d);
				txt = num;
				tlen = strlen(num);
				if (!r->types[c])
					r->types[c] = VITK_INV_REAL;
				break;
			case SQLITE_NULL:
				break;
			default:
				txt = (const char *)sqlite3_column_text(st, (int)c);
				tlen = (size_t)sqlite3_column_bytes(st, (int)c);
				if (!txt)
					txt = "";
				cell->i = strtoll(txt, NULL, 10);
				if (!r->types[c])
					r->types[c] = VITK_INV_TEXT;
				break;
			}
			if (txt) {
				ret = arena_put(r, txt, tlen, &cell->off);
				if (ret < 0)
					goto out;
			}
		}
		r->nrows++;
	}
	for (c = 0; c < ncols; c++)
		if (!r->types[c])
			r->types[c] = VITK_INV_TEXT;
	*out = r;
	r = NULL;
out:
	vitk_inventory_rows_free(r);
	return ret;
}

vitk_inventory_rows *inv_rows_new(size_t ncols, const char *const *names)
{
	vitk_inventory_rows *r = rows_alloc(ncols);

	if (!r)
		return NULL;
	for (size_t c = 0; c < ncols; c++) {
		r->names[c] = strdup(names[c]);
		r->types[c] = VITK_INV_TEXT;
		if (!r->names[c]) {
			vitk_inventory_rows_free(r);
			return NULL;
		}
	}
	return r;
}

int inv_rows_add_text_row(vitk_inventory_rows *r, const char *const *vals)
{
	inv_cell *row = NULL;
	int ret = row_start(r, &row);

	if (ret < 0)
		return ret;
	for (size_t c = 0; c < r->ncols; c++) {
		inv_cell *cell = &row[c];

		if (vals[c]) {
			cell->kind = SQLITE_TEXT;
			ret = arena_put(r, vals[c], strlen(vals[c]), &cell->off);
			if (ret < 0)
				return ret;
			cell->i = strtoll(vals[c], NULL, 10);
		}
	}
	r->nrows++;
	return 0;
}

int inv_rows_add_typed_row(vitk_inventory_rows *r, const char *const *vals)
{
	inv_cell *row = NULL;
	int ret = row_start(r, &row);

	if (ret < 0)
		return ret;
	for (size_t c = 0; c < r->ncols; c++) {
		inv_cell *cell = &row[c];
		const char *txt = vals[c];
		char num[64];

		if (!txt)
			continue;
		switch (r->types[c]) {
		case VITK_INV_INT:
			cell->kind = SQLITE_INTEGER;
			cell->i = strtoll(txt, NULL, 10);
			break;
		case VITK_INV_REAL:
			/* the same text as the SQLite backend gives */
			cell->kind = SQLITE_FLOAT;
			cell->d = strtod(txt, NULL);
			snprintf(num, sizeof(num), "%.17g", cell->d);
			txt = num;
			break;
		default:
			cell->kind = SQLITE_TEXT;
			cell->i = strtoll(txt, NULL, 10);
			break;
		}
		ret = arena_put(r, txt, strlen(txt), &cell->off);
		if (ret < 0)
			return ret;
	}
	r->nrows++;
	return 0;
}

size_t vitk_inventory_rows_count(const vitk_inventory_rows *rows)
{
	return rows ? rows->nrows : 0;
}

size_t vitk_inventory_rows_ncolumns(const vitk_inventory_rows *rows)
{
	return rows ? rows->ncols : 0;
}

const char *vitk_inventory_rows_column_name(const vitk_inventory_rows *rows, size_t col)
{
	if (!rows || col >= rows->ncols)
		return NULL;
	return rows->names[col];
}

vitk_inventory_type vitk_inventory_rows_column_type(const vitk_inventory_rows *rows, size_t col)
{
	if (!rows || col >= rows->ncols)
		return VITK_INV_TEXT;
	return rows->types[col];
}

int vitk_inventory_rows_column_index(const vitk_inventory_rows *rows, const char *name)
{
	if (!rows || !name)
		return -1;
	for (size_t c = 0; c < rows->ncols; c++)
		if (strcmp(rows->names[c], name) == 0)
			return (int)c;
	return -1;
}

static const inv_cell *cell_at(const vitk_inventory_rows *rows, size_t row, size_t col)
{
	if (!rows || row >= rows->nrows || col >= rows->ncols)
		return NULL;
	return &rows->cells.ptr[row * rows->ncols + col];
}

bool vitk_inventory_rows_is_null(const vitk_inventory_rows *rows, size_t row, size_t col)
{
	const inv_cell *c = cell_at(rows, row, col);

	return !c || c->kind == SQLITE_NULL;
}

const char *vitk_inventory_rows_text(const vitk_inventory_rows *rows, size_t row, size_t col)
{
	const inv_cell *c = cell_at(rows, row, col);

	if (!c || c->off == UINT32_MAX)
		return NULL;
	return rows->arena.ptr + c->off;
}

int64_t vitk_inventory_rows_int(const vitk_inventory_rows *rows, size_t row, size_t col)
{
	const inv_cell *c = cell_at(rows, row, col);

	if (!c || c->kind == SQLITE_NULL)
		return 0;
	return c->kind == SQLITE_FLOAT ? (int64_t)c->d : c->i;
}

double vitk_inventory_rows_real(const vitk_inventory_rows *rows, size_t row, size_t col)
{
	const inv_cell *c = cell_at(rows, row, col);

	if (!c || c->kind == SQLITE_NULL)
		return 0.0;
	if (c->kind == SQLITE_FLOAT)
		return c->d;
	if (c->kind == SQLITE_INTEGER)
		return (double)c->i;
	return strtod(rows->arena.ptr + c->off, NULL);
}

const char *vitk_inventory_rows_get(const vitk_inventory_rows *rows, size_t row, const char *col)
{
	int c = vitk_inventory_rows_column_index(rows, col);

	return c < 0 ? NULL : vitk_inventory_rows_text(rows, row, (size_t)c);
}

int64_t vitk_inventory_rows_get_int(const vitk_inventory_rows *rows, size_t row, const char *col)
{
	int c = vitk_inventory_rows_column_index(rows, col);

	return c < 0 ? 0 : vitk_inventory_rows_int(rows, row, (size_t)c);
}

void vitk_inventory_rows_free(vitk_inventory_rows *rows)
{
	if (!rows)
		return;
	if (rows->names)
		for (size_t c = 0; c < rows->ncols; c++)
			free(rows->names[c]);
	free(rows->names);
	free(rows->types);
	vitk_array_clear(rows->cells);
	vitk_array_clear(rows->arena);
	free(rows);
}
