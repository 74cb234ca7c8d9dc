/* SPDX-License-Identifier: MIT */
/* Private: materialised result sets (compact cells + one string arena). */
#ifndef VITK_INVENTORY_ROWS_H
#define VITK_INVENTORY_ROWS_H

#include <sqlite3.h>

#include <vitk/array.h>
#include <vitk/inventory.h>

typedef struct {
	union {
		int64_t i; /* SQLITE_INTEGER and text cells (parsed) */
		double d;  /* SQLITE_FLOAT */
	};
	uint32_t off;   /* text offset into the arena; UINT32_MAX when NULL */
	uint8_t kind;   /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB, SQLITE_NULL */
} inv_cell;

struct vitk_inventory_rows {
	size_t ncols;
	char **names;
	vitk_inventory_type *types;
	size_t nrows;
	VITK_ARRAY(inv_cell) cells; /* nrows * ncols, row-major */
	VITK_ARRAY(char) arena;     /* NUL-terminated texts, addressed by inv_cell.off */
};

/* Step @st to completion, collecting every row.  Does not finalize @st. */
int inv_rows_collect(vitk_inventory_rows **out, sqlite3 *db, sqlite3_stmt *st);
/* An empty result with these text column names (for synthetic reports). */
vitk_inventory_rows *inv_rows_new(size_t ncols, const char *const *names);
int inv_rows_add_text_row(vitk_inventory_rows *r, const char *const *vals);
/* a row of texts parsed by the result's column types (NULL: SQL NULL) */
int inv_rows_add_typed_row(vitk_inventory_rows *r, const char *const *vals);

#endif
