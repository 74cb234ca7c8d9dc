/* SPDX-License-Identifier: MIT */
/*
 * vitk_table: a result document with its fields described once.
 *
 * A library that returns a list (VFs, findings, jobs) declares its columns
 * once, as a static array of { key, type }, fills typed rows and hands the
 * table to its caller.  The same object then gives JSON (an array of
 * objects, vitk_table_to_json()) and, in the CLI, aligned text, a record
 * view and CSV.  Nothing here prints: rendering belongs to the caller.
 *
 * Keys are stable snake_case and part of the interface: they are the JSON
 * keys, the CSV header and (upper-cased, '_' -> ' ') the text header.
 *
 * Two ways to fill a table:
 *
 * 1. Cell by cell, addressing columns by their index in the column array
 *    (an enum next to the array keeps the two together):
 *
 *	enum { COL_PF, COL_VF, COL_MAC };
 *	static const vitk_table_column vf_cols[] = {
 *		[COL_PF] = VITK_TABLE_COLUMN("pf", VITK_TABLE_STR),
 *		[COL_VF] = VITK_TABLE_COLUMN("vf", VITK_TABLE_INT),
 *		[COL_MAC] = VITK_TABLE_COLUMN("mac", VITK_TABLE_STR),
 *	};
 *	r = vitk_table_new(&t, vf_cols, VITK_ARRAY_SIZE(vf_cols));
 *	r = vitk_table_add_row(t);
 *	vitk_table_set_str(t, COL_PF, "0000:3b:00.0");
 *	vitk_table_set_int(t, COL_VF, 3);          (COL_MAC stays null)
 *	r = vitk_table_error(t);                   (first failure, or 0)
 *
 * 2. From a record: bind each column to a struct member with
 *    VITK_TABLE_FIELD() and add whole structs.  The column type follows the
 *    member's C type (checked at compile time), so each field is named once:
 *
 *	static const vitk_table_column vf_cols[] = {
 *		VITK_TABLE_FIELD(struct vf, pf, "pf"),        (char * -> str)
 *		VITK_TABLE_FIELD(struct vf, index, "vf"),     (unsigned -> int)
 *		VITK_TABLE_FIELD(struct vf, trusted, "trust"),(bool -> bool)
 *	};
 *	r = vitk_table_add_record(t, &vf);
 *
 *    vitk_table_record_to_json() builds one document object from a record
 *    the same way, for results that are a single object.
 *
 * Cells start null; a NULL string or JSON value is null too.  Sub-documents
 * (a nested object or array) go into VITK_TABLE_JSON cells.
 *
 * Errors: every setter returns 0 or a negative vitk_err and records it in
 * vitk_error_last().  The first failure also sticks to the table: later
 * setters do nothing, vitk_table_error() returns it and vitk_table_to_json()
 * refuses the table, so a builder may check once at the end.  A setter with
 * a column of another type, or called before the first row, fails with
 * VITK_EINVAL (a programmer bug, found by the library's tests).
 */
#ifndef VITK_TABLE_H
#define VITK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* jansson's document type (<jansson.h> defines the same typedef) */
typedef struct json_t json_t;

typedef enum {
	VITK_TABLE_STR = 0, /* UTF-8 text (escaped by text renderers, never trusted) */
	VITK_TABLE_INT,     /* 64-bit signed integer */
	VITK_TABLE_REAL,    /* double */
	VITK_TABLE_BOOL,    /* true/false ("yes"/"no" in text) */
	VITK_TABLE_JSON     /* a nested JSON document: object, array or scalar */
} vitk_table_type;

/* How a record stores a column (VITK_TABLE_FIELD fills it in). */
typedef enum {
	VITK_TABLE_F_NONE = 0, /* not bound to a record member */
	VITK_TABLE_F_STR,      /* char * or const char *; NULL -> null */
	VITK_TABLE_F_I8,
	VITK_TABLE_F_I16,
	VITK_TABLE_F_I32,
	VITK_TABLE_F_I64,
	VITK_TABLE_F_U8,
	VITK_TABLE_F_U16,
	VITK_TABLE_F_U32,
	VITK_TABLE_F_U64,      /* values above INT64_MAX fail with VITK_ERANGE */
	VITK_TABLE_F_DOUBLE,
	VITK_TABLE_F_BOOL,
	VITK_TABLE_F_JSON      /* json_t *, borrowed (the table takes its own reference) */
} vitk_table_field;

typedef struct {
	const char *key;        /* snake_case, unique within the table */
	vitk_table_type type;
	vitk_table_field field; /* VITK_TABLE_F_NONE unless bound to a record */
	size_t offset;          /* offsetof the record member when bound */
} vitk_table_column;

/** A column filled cell by cell. */
#define VITK_TABLE_COLUMN(key, type) { (key), (type), VITK_TABLE_F_NONE, 0 }

#ifndef __cplusplus
#define VITK_TABLE__FIELD_KIND(x)                                                                  \
	_Generic((x),                                                                              \
		char *: VITK_TABLE_F_STR, const char *: VITK_TABLE_F_STR,                          \
		signed char: VITK_TABLE_F_I8, short: VITK_TABLE_F_I16, int: VITK_TABLE_F_I32,      \
		long: VITK_TABLE_F_I64, long long: VITK_TABLE_F_I64,                               \
		unsigned char: VITK_TABLE_F_U8, unsigned short: VITK_TABLE_F_U16,                  \
		unsigned int: VITK_TABLE_F_U32, unsigned long: VITK_TABLE_F_U64,                   \
		unsigned long long: VITK_TABLE_F_U64, double: VITK_TABLE_F_DOUBLE,                 \
		_Bool: VITK_TABLE_F_BOOL, json_t *: VITK_TABLE_F_JSON)
#define VITK_TABLE__FIELD_TYPE(x)                                                                  \
	_Generic((x),                                                                              \
		char *: VITK_TABLE_STR, const char *: VITK_TABLE_STR, double: VITK_TABLE_REAL,     \
		_Bool: VITK_TABLE_BOOL, json_t *: VITK_TABLE_JSON, default: VITK_TABLE_INT)

/**
 * VITK_TABLE_FIELD() - a column read from member @member of struct type @T.
 * Supported member types: char * / const char *, the signed and unsigned
 * integer types, double, bool and json_t *; any other type does not compile.
 */
#define VITK_TABLE_FIELD(T, member, key)                                                           \
	{ (key), VITK_TABLE__FIELD_TYPE(((T *)0)->member), VITK_TABLE__FIELD_KIND(((T *)0)->member), \
	  offsetof(T, member) }
#endif

typedef struct vitk_table vitk_table;

/**
 * vitk_table_new() - an empty table with the given columns.
 * @out: the new table, released with vitk_table_free()
 * @cols: column descriptions; copied, so they need not outlive the table
 * @ncols: number of columns (keys unique; 0 gives rows without cells)
 *
 * Return: 0, VITK_EINVAL (a NULL or repeated key, a field that does not fit
 * its column's type) or VITK_ENOMEM.
 */
int vitk_table_new(vitk_table **out, const vitk_table_column *cols, size_t ncols);

/** vitk_table_free() - release @t and every cell it owns; NULL is allowed. */
void vitk_table_free(vitk_table *t);

/** vitk_table_add_row() - append a row of null cells; setters fill the last row. */
int vitk_table_add_row(vitk_table *t);

/**
 * vitk_table_add_record() - append a row read from the struct at @rec.
 * Every column bound with VITK_TABLE_FIELD() is read; other columns stay
 * null and may be set afterwards with the setters.
 */
int vitk_table_add_record(vitk_table *t, const void *rec);

/* Setters for column @col of the last row.  See "Errors" above. */
int vitk_table_set_str(vitk_table *t, size_t col, const char *v); /* copied; NULL -> null */
int vitk_table_set_int(vitk_table *t, size_t col, int64_t v);
int vitk_table_set_real(vitk_table *t, size_t col, double v);
int vitk_table_set_bool(vitk_table *t, size_t col, bool v);
int vitk_table_set_json(vitk_table *t, size_t col, json_t *v); /* steals @v; NULL -> null */
int vitk_table_set_null(vitk_table *t, size_t col);

/** vitk_table_error() - the first failure recorded on @t, or 0. */
int vitk_table_error(const vitk_table *t);

/** vitk_table_column_find() - the index of the column named @key, or VITK_ENOTFOUND. */
int vitk_table_column_find(const vitk_table *t, const char *key, size_t *out);

/* ---- reading: for renderers.  Indexes must be in range (asserted). ---- */

size_t vitk_table_ncolumns(const vitk_table *t);
size_t vitk_table_nrows(const vitk_table *t);
/** vitk_table_column_at() - column @col's key and type; borrowed from @t. */
const vitk_table_column *vitk_table_column_at(const vitk_table *t, size_t col);
bool vitk_table_is_null(const vitk_table *t, size_t row, size_t col);
/* The value of a non-null cell of the column's type (a null cell gives NULL / 0 / false). */
const char *vitk_table_get_str(const vitk_table *t, size_t row, size_t col); /* borrowed */
int64_t vitk_table_get_int(const vitk_table *t, size_t row, size_t col);
double vitk_table_get_real(const vitk_table *t, size_t row, size_t col);
bool vitk_table_get_bool(const vitk_table *t, size_t row, size_t col);
const json_t *vitk_table_get_json(const vitk_table *t, size_t row, size_t col); /* borrowed */

/* ---- JSON ---- */

/**
 * vitk_table_to_json() - the table as a JSON array of objects, one per row,
 * keys in column order, null cells as JSON null.
 * @out: a new reference (json_decref() it)
 * Return: 0, the table's recorded error, or VITK_ENOMEM.
 */
int vitk_table_to_json(json_t **out, const vitk_table *t);

/** vitk_table_row_to_json() - row @row as one JSON object (new reference). */
int vitk_table_row_to_json(json_t **out, const vitk_table *t, size_t row);

/**
 * vitk_table_record_to_json() - one document object from the struct at @rec,
 * read through @cols (columns not bound to a member are left out).  For
 * results that are a single document; nest tables in it with
 * vitk_table_to_json() and json_object_set_new().
 */
int vitk_table_record_to_json(json_t **out, const vitk_table_column *cols, size_t ncols,
			      const void *rec);

#ifdef __cplusplus
}
#endif

#endif /* VITK_TABLE_H */
