/* SPDX-License-Identifier: MIT */
/* Private to //inventory. */
#ifndef VITK_INVENTORY_INTERNAL_H
#define VITK_INVENTORY_INTERNAL_H

#include <sqlite3.h>

#include <vitk/array.h>
#include <vitk/inventory.h>

#include "rows.h"

#define INV_NAME_MAX 64
#define INV_MAX_COLUMNS 128
#define INV_STMT_CACHE 48

typedef struct {
	char *name;
	vitk_inventory_type type;
	unsigned flags;
} inv_col;

typedef struct {
	char *name;
	char *domain;
	VITK_ARRAY(inv_col) cols;
	size_t nkeys;
} inv_table;

typedef struct {
	char *sql;
	sqlite3_stmt *st;
	uint64_t last_use;
} inv_stmt;

struct vitk_inventory {
	sqlite3 *db;
	char *path;
	bool readonly;
	int depth; /* transaction nesting */
	VITK_ARRAY(inv_table) tables;
	inv_stmt cache[INV_STMT_CACHE];
	uint64_t tick;
	/* last write_row() shape, so repeated inserts skip building SQL */
	char *last_sql;
	const inv_table *last_table;
	bool last_upsert;
	size_t last_ncols;
	char *last_cols[INV_MAX_COLUMNS];
	/* timestamp cache */
	long long now_sec;
	char now[21];
};

/* "YYYY-MM-DDTHH:MM:SSZ" for now, cached per second */
const char *inv_now(vitk_inventory *inv);

int inv_exec(vitk_inventory *inv, const char *sql);
int inv_db_error(vitk_inventory *inv, const char *what);
/* a cached prepared statement, reset and with bindings cleared; do not finalize */
int inv_prepare(vitk_inventory *inv, const char *sql, sqlite3_stmt **out);
const inv_table *inv_table_find(vitk_inventory *inv, const char *name);
int inv_tables_load(vitk_inventory *inv);
bool inv_valid_name(const char *s);
int inv_create_table(vitk_inventory *inv, const char *domain, const char *name,
		     const vitk_inventory_column *cols, size_t n);
int inv_set_domain_version(vitk_inventory *inv, const char *domain, unsigned version);
int inv_domain_version(vitk_inventory *inv, const char *domain, unsigned *out, bool *found);
const char *inv_type_name(vitk_inventory_type t);
int inv_type_parse(const char *s, vitk_inventory_type *out);

#endif
