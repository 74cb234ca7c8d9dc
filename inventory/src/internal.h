/* SPDX-License-Identifier: MIT */
/* Private to //inventory. */
#ifndef VITK_INVENTORY_INTERNAL_H
#define VITK_INVENTORY_INTERNAL_H

#include <sqlite3.h>

#include <vitk/array.h>
#include <vitk/inventory.h>
#include <vitk/str.h>

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

typedef struct inv_pg inv_pg; /* the PostgreSQL backend's state, src/pg.c */

struct vitk_inventory {
	sqlite3 *db; /* NULL when pg is set */
	inv_pg *pg;  /* the PostgreSQL backend (src/pg.c), else NULL */
	char *path;  /* as given; for PostgreSQL with any password redacted */
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

/* util.c: backend-neutral helpers (call nothing else in //inventory) */
void inv_tables_clear(vitk_inventory *inv);
int inv_parse_spec(const char *spec, inv_table *t);
bool inv_reserved_column(const char *n);
bool inv_spec_matches(const inv_table *t, const vitk_inventory_table *want);
int inv_check_columns(const char *name, const vitk_inventory_column *cols, size_t n);
void inv_spec_text(vitk_str *spec, const vitk_inventory_column *cols, size_t n);
int inv_check_domain(const vitk_inventory_domain *domain);
bool inv_is_pg_target(const char *path);
char *inv_redact(const char *target);
/* a shell pattern as an anchored POSIX regular expression (PostgreSQL's ~); NULL on OOM */
char *inv_glob_regex(const char *glob);
/* a shell pattern for SQLite's GLOB ("[!" becomes "[^"); NULL on OOM */
char *inv_glob_sqlite(const char *glob);

/* inventory.c / ops.c: the SQLite backend */
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
/* import_scan.c: the heap jansson will need to parse @s (an over-estimate) */
uint64_t inv_import_cost(const char *s, size_t len);


/* pg.c: the PostgreSQL backend; the public functions delegate here when inv->pg is set */
int invpg_open(vitk_inventory *inv, const char *target, unsigned flags);
void invpg_free(vitk_inventory *inv);
int invpg_register(vitk_inventory *inv, const vitk_inventory_domain *domain);
int invpg_begin(vitk_inventory *inv);
int invpg_commit(vitk_inventory *inv);
void invpg_rollback(vitk_inventory *inv);
int invpg_host_ensure(vitk_inventory *inv, const char *name, const char *machine_id,
		      const char *kind, const char *source, int64_t *out_id);
int invpg_host_lookup(vitk_inventory *inv, const char *name_or_id, int64_t *out_id);
int invpg_select(vitk_inventory_rows **out, vitk_inventory *inv, const inv_table *t,
		 int64_t host_id, const char *host_glob, const vitk_inventory_value *match,
		 size_t n, const char *ocol, bool desc);
/* one read-only SELECT with text parameters $1.. (NULL: SQL NULL) */
int invpg_query_params(vitk_inventory_rows **out, vitk_inventory *inv, const char *sql, int n,
		       const char *const *params);
int invpg_query(vitk_inventory_rows **out, vitk_inventory *inv, const char *sql);
int invpg_count(vitk_inventory *inv, const char *table, int64_t *out);
int invpg_check(vitk_inventory_rows **out, vitk_inventory *inv);
/* push: find or add a pushed host and take its push lock */
int invpg_push_host(vitk_inventory *inv, const char *name, const char *machine_id,
		    const char *kind, int64_t *out_id, bool *added);
/* push: one table's rows as COPY text (columns host_id, <declared>, created_at, updated_at) */
int invpg_push_table(vitk_inventory *inv, const inv_table *t, const char *copy, size_t len,
		     vitk_inventory_push_stats *st);
/* push: recount the free-VF rollup of these central hosts (n == 0: all) */
int invpg_rollup_refresh(vitk_inventory *inv, const int64_t *ids, size_t n);
/* COPY text format escaping of one field (PostgreSQL docs, COPY "Text Format") */
void invpg_copy_escape(vitk_str *out, const char *s);

#endif
