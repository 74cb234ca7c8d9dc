/* SPDX-License-Identifier: MIT */
/*
 * vitk inventory: the store shared by every vitk library -- one SQLite file
 * per host, and for a fleet one central PostgreSQL inventory behind the same
 * functions (docs/fleet.md).
 *
 * No caller ever sees sqlite3* or a libpq connection.  A domain library (odx, sriov, esxupdate)
 * declares its tables as column specs and registers them once per open;
 * inventory creates them, adds new columns on upgrade, records the domain's
 * schema version and refuses a database written by a newer vitk.
 *
 * Every domain table implicitly has:
 *   id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL REFERENCES hosts(id),
 *   <declared columns>, created_at TEXT, updated_at TEXT,
 *   UNIQUE(host_id, <KEY columns>)  -- when the table declares KEY columns.
 * Rows reference rows of other tables by a TEXT natural key or uuid (see
 * vitk_inventory_uuid()), never by id: ids are renumbered on import.
 *
 * Writes: each call is atomic on its own; wrap several in
 * vitk_inventory_begin()/commit() to make them one transaction.
 */
#ifndef VITK_INVENTORY_H
#define VITK_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <vitk/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vitk_inventory vitk_inventory;
typedef struct vitk_inventory_rows vitk_inventory_rows;

/* Core schema version kept in PRAGMA user_version. */
#define VITK_INVENTORY_SCHEMA_VERSION 1

/* vitk_inventory_open() flags */
#define VITK_INVENTORY_READONLY 0x1u  /* open read-only; writes fail */
#define VITK_INVENTORY_NO_CREATE 0x2u /* the file must exist */

/**
 * vitk_inventory_open() - open (and create/migrate) an inventory database.
 * @out: the handle; free with vitk_inventory_free()
 * @path: file path, or ":memory:"; or a central PostgreSQL inventory as a
 *        "postgresql://" URL or a libpq conninfo ("service=fleet",
 *        "dbname=vitk host=..."), see docs/fleet.md
 * @flags: VITK_INVENTORY_*
 *
 * SQLite: turns on WAL, busy_timeout and foreign keys and applies the core
 * schema migrations in one transaction.  A file that is not a database, or
 * one whose schema is newer than this binary knows, is refused and left as is.
 *
 * PostgreSQL: connects through libpq (passwords come from PGPASSFILE,
 * ~/.pgpass, PGPASSWORD or the service file, never from vitk), and applies
 * the migrations in one transaction under an advisory lock.  A central
 * inventory is read with the same functions; rows reach it only through
 * vitk_inventory_push() (the row writers return VITK_ENOTSUP).
 *
 * Return: 0, VITK_ENOTFOUND (NO_CREATE and missing), VITK_EDB.
 */
int vitk_inventory_open(vitk_inventory **out, const char *path, unsigned flags);

/** vitk_inventory_free() - close the database.  NULL is ignored. */
void vitk_inventory_free(vitk_inventory *inv);

/**
 * vitk_inventory_path() - the path given at open (borrowed); for PostgreSQL
 * the URL or conninfo with any password replaced by "***".
 */
const char *vitk_inventory_path(const vitk_inventory *inv);

/** vitk_inventory_backend() - "sqlite" or "postgresql". */
const char *vitk_inventory_backend(const vitk_inventory *inv);

/* ---------------------------------------------------------------- schema */

typedef enum {
	VITK_INV_TEXT = 1,
	VITK_INV_INT = 2,
	VITK_INV_REAL = 3
} vitk_inventory_type;

#define VITK_INV_COL_KEY 0x1u     /* part of the natural key (unique per host) */
#define VITK_INV_COL_NOTNULL 0x2u /* NOT NULL (only for columns present since version 1) */

typedef struct {
	const char *name;
	vitk_inventory_type type;
	unsigned flags;
} vitk_inventory_column;

typedef struct {
	const char *name; /* "<domain>_<thing>", e.g. "odx_lun" */
	const vitk_inventory_column *columns;
	size_t ncolumns;
} vitk_inventory_table;

typedef struct {
	const char *name;  /* "odx", "sriov", "esxupdate" */
	unsigned version;  /* bump when tables/columns are added */
	const vitk_inventory_table *tables;
	size_t ntables;
} vitk_inventory_domain;

/**
 * vitk_inventory_register() - create or upgrade a domain's tables.
 *
 * Idempotent.  New tables are created and new columns added inside one
 * transaction.  A database recording a newer version of the domain is
 * refused (VITK_EDB) with a message naming the domain.
 *
 * Return: 0, VITK_EINVAL (bad spec), VITK_EDB.
 */
int vitk_inventory_register(vitk_inventory *inv, const vitk_inventory_domain *domain);

/* ----------------------------------------------------------------- hosts */

typedef struct {
	int64_t id;
	const char *name;
	const char *machine_id;
	const char *kind;   /* "linux", "esxi", "windows", ... */
	const char *source; /* "local" or "import" */
} vitk_inventory_host;

/**
 * vitk_inventory_host_ensure() - find a host by machine_id (or by name when
 * machine_id is NULL) or create it.
 * Return: 0 with *out_id set, or a negative vitk_err.
 */
int vitk_inventory_host_ensure(vitk_inventory *inv, const char *name, const char *machine_id,
			       const char *kind, const char *source, int64_t *out_id);

/**
 * vitk_inventory_host_local() - register the machine we run on, from
 * @etc_root/hostname (else gethostname()) and @etc_root/machine-id.
 * @etc_root: normally "/etc"
 *
 * On a central PostgreSQL inventory whose role may not add this machine (a
 * push or report role, docs/fleet.md) this returns 0 with *out_id = 0.
 */
int vitk_inventory_host_local(vitk_inventory *inv, const char *etc_root, int64_t *out_id);

/**
 * vitk_inventory_host_lookup() - resolve a host by name, machine-id or
 * numeric id.  Return: 0, VITK_ENOTFOUND.
 */
int vitk_inventory_host_lookup(vitk_inventory *inv, const char *name_or_id, int64_t *out_id);

/* ------------------------------------------------------------------ rows */

typedef struct {
	const char *column;
	vitk_inventory_type type;
	bool is_null;
	int64_t i;
	double d;
	const char *s;
} vitk_inventory_value;

static inline vitk_inventory_value vitk_inventory__text(const char *col, const char *str)
{
	vitk_inventory_value v;

	v.column = col;
	v.type = VITK_INV_TEXT;
	v.is_null = str == NULL;
	v.i = 0;
	v.d = 0.0;
	v.s = str;
	return v;
}
#define VITK_INV_S(col, str) vitk_inventory__text((col), (str))
#define VITK_INV_I(col, v)                                                                         \
	((vitk_inventory_value){ .column = (col), .type = VITK_INV_INT, .i = (int64_t)(v) })
#define VITK_INV_R(col, v)                                                                         \
	((vitk_inventory_value){ .column = (col), .type = VITK_INV_REAL, .d = (double)(v) })
#define VITK_INV_NULL(col) ((vitk_inventory_value){ .column = (col), .is_null = true })

/**
 * vitk_inventory_upsert() - insert a row, or update the row with the same
 * (host_id, KEY columns).  Columns not given keep their value on update.
 * @out_id: the row id (may be NULL)
 */
int vitk_inventory_upsert(vitk_inventory *inv, const char *table, int64_t host_id,
			  const vitk_inventory_value *vals, size_t n, int64_t *out_id);

/** vitk_inventory_insert() - always add a new row (history, jobs, findings). */
int vitk_inventory_insert(vitk_inventory *inv, const char *table, int64_t host_id,
			  const vitk_inventory_value *vals, size_t n, int64_t *out_id);

/** vitk_inventory_update() - change columns of the row with this id. ENOTFOUND if none. */
int vitk_inventory_update(vitk_inventory *inv, const char *table, int64_t id,
			  const vitk_inventory_value *vals, size_t n);

/**
 * vitk_inventory_delete() - delete rows of @host_id (0: any host) matching
 * every value in @match (n == 0: all rows of that host).
 */
int vitk_inventory_delete(vitk_inventory *inv, const char *table, int64_t host_id,
			  const vitk_inventory_value *match, size_t n, int64_t *out_deleted);

/**
 * vitk_inventory_select() - read rows of @host_id (0: all hosts) whose
 * columns equal every value in @match, ordered by @order_by (a column name,
 * optionally followed by " DESC"; NULL: id).  The result has the columns
 * id, host_id, host (host name), <declared>, created_at, updated_at.
 * @out: owned; free with vitk_inventory_rows_free()
 */
int vitk_inventory_select(vitk_inventory_rows **out, vitk_inventory *inv, const char *table,
			  int64_t host_id, const vitk_inventory_value *match, size_t n,
			  const char *order_by);

/**
 * vitk_inventory_select_glob() - vitk_inventory_select() over the hosts whose
 * name matches the shell pattern @host_glob ('*', '?', '[...]'; NULL: all).
 */
int vitk_inventory_select_glob(vitk_inventory_rows **out, vitk_inventory *inv, const char *table,
			       const char *host_glob, const vitk_inventory_value *match, size_t n,
			       const char *order_by);

/**
 * vitk_inventory_fleet_report() - an aggregate across hosts, on either backend.
 * @name: "free-vfs" (per host and NUMA node: VFs, assigned, reserved,
 *        excluded, free) or "offload-savings" (per host and array, i.e. source
 *        LUN vendor and product: jobs, bytes, host_bytes, saved_bytes)
 * @host_glob: only hosts whose name matches this shell pattern; NULL: all
 *
 * Return: 0, VITK_ENOTFOUND (unknown @name; the message lists the names),
 * VITK_EDB.
 */
int vitk_inventory_fleet_report(vitk_inventory_rows **out, vitk_inventory *inv, const char *name,
				const char *host_glob);

/**
 * vitk_inventory_query() - run one read-only SELECT (for `inventory sql` and
 * reports).  The statement runs under an authorizer that refuses writes,
 * ATTACH and PRAGMA changes.  Parameters: none.
 */
int vitk_inventory_query(vitk_inventory_rows **out, vitk_inventory *inv, const char *sql);

size_t vitk_inventory_rows_count(const vitk_inventory_rows *rows);
size_t vitk_inventory_rows_ncolumns(const vitk_inventory_rows *rows);
const char *vitk_inventory_rows_column_name(const vitk_inventory_rows *rows, size_t col);
/* declared type of a column (TEXT for expressions without one) */
vitk_inventory_type vitk_inventory_rows_column_type(const vitk_inventory_rows *rows, size_t col);
/* -1 if no such column */
int vitk_inventory_rows_column_index(const vitk_inventory_rows *rows, const char *name);
bool vitk_inventory_rows_is_null(const vitk_inventory_rows *rows, size_t row, size_t col);
/* text form of any cell (numbers formatted); NULL for SQL NULL; borrowed */
const char *vitk_inventory_rows_text(const vitk_inventory_rows *rows, size_t row, size_t col);
int64_t vitk_inventory_rows_int(const vitk_inventory_rows *rows, size_t row, size_t col);
double vitk_inventory_rows_real(const vitk_inventory_rows *rows, size_t row, size_t col);
/* by column name: NULL / 0 if the column does not exist or is NULL */
const char *vitk_inventory_rows_get(const vitk_inventory_rows *rows, size_t row, const char *col);
int64_t vitk_inventory_rows_get_int(const vitk_inventory_rows *rows, size_t row, const char *col);
void vitk_inventory_rows_free(vitk_inventory_rows *rows);

/* ---------------------------------------------------------- transactions */

/** BEGIN IMMEDIATE (outermost) or SAVEPOINT (nested). */
int vitk_inventory_begin(vitk_inventory *inv);
int vitk_inventory_commit(vitk_inventory *inv);
/** Roll back the innermost open transaction; safe to call when none. */
void vitk_inventory_rollback(vitk_inventory *inv);

/* ------------------------------------------------------------- reporting */

/** Per-table row counts: columns domain, table, rows. */
int vitk_inventory_counts(vitk_inventory_rows **out, vitk_inventory *inv);

/** List the domain tables: columns domain, table, columns (comma list). */
int vitk_inventory_tables(vitk_inventory_rows **out, vitk_inventory *inv);

/** integrity_check + foreign_key_check: columns check, detail.  0 rows = healthy. */
int vitk_inventory_check(vitk_inventory_rows **out, vitk_inventory *inv);

/* --------------------------------------------------------- export/import */

/** Write the whole inventory as one JSON document to @f. */
int vitk_inventory_export(vitk_inventory *inv, FILE *f);

typedef struct {
	size_t hosts_added;
	size_t rows_added;
	size_t rows_updated;
	size_t rows_unchanged;
} vitk_inventory_import_stats;

/**
 * vitk_inventory_import() - merge an export document (all or nothing).
 * Hosts are matched by machine_id, rows by (host, KEY columns); importing
 * the same document twice changes nothing.  Malformed or truncated input is
 * rejected before anything is written.
 */
int vitk_inventory_import(vitk_inventory *inv, const char *json, size_t len,
			  vitk_inventory_import_stats *stats);

/**
 * Limits of one import.  @max_bytes caps the document; @max_memory caps the
 * heap its parse may take, estimated from a scan of the bytes before
 * anything is parsed (a document of many small values costs far more than
 * its size).  Either one exceeded: VITK_ERANGE, nothing read or written.
 */
typedef struct {
	uint64_t max_bytes;
	uint64_t max_memory;
} vitk_inventory_import_limits;

#define VITK_INVENTORY_IMPORT_MAX_BYTES (256ull << 20)
#define VITK_INVENTORY_IMPORT_MAX_MEMORY (512ull << 20)
#define VITK_INVENTORY_IMPORT_LIMITS_INIT                                                        \
	{ .max_bytes = VITK_INVENTORY_IMPORT_MAX_BYTES,                                          \
	  .max_memory = VITK_INVENTORY_IMPORT_MAX_MEMORY }

/** vitk_inventory_import() with explicit @limits (NULL: the defaults above). */
int vitk_inventory_import_limited(vitk_inventory *inv, const char *json, size_t len,
				  const vitk_inventory_import_limits *limits,
				  vitk_inventory_import_stats *stats);

/* ------------------------------------------------------------------ push */

typedef struct {
	size_t hosts;          /* hosts pushed */
	size_t hosts_added;    /* of which new to the central inventory */
	size_t rows_added;
	size_t rows_updated;
	size_t rows_unchanged;
	unsigned attempts;     /* 1 unless a serialization failure or deadlock was retried */
} vitk_inventory_push_stats;

/**
 * vitk_inventory_push() - upsert hosts' rows from a local inventory into a
 * central PostgreSQL one, in one transaction.
 * @central: opened on a PostgreSQL target
 * @local: a local (SQLite) inventory
 * @host_ids: the local hosts to push (normally the one local host)
 *
 * The merge rules are import's: hosts by machine-id (by name when they have
 * none), rows by (host, KEY columns), keyless rows by every column plus
 * created_at; rows are never deleted.  Pushing the same rows twice changes
 * nothing.  A push that fails or is interrupted at any point leaves the
 * central inventory as it was; serialization failures and deadlocks are
 * retried with backoff (at most 8 attempts, 60 s).  Every table of @local
 * must be registered in @central with all its columns.
 *
 * Return: 0, VITK_ENOTSUP (wrong backends), VITK_EPERM (the role may not
 * write these hosts), VITK_EBUSY (still conflicting after the retries),
 * VITK_EINVAL, VITK_EDB.
 */
int vitk_inventory_push(vitk_inventory *central, vitk_inventory *local, const int64_t *host_ids,
			size_t nhosts, vitk_inventory_push_stats *stats);

/* --------------------------------------------------------------- helpers */

/** A random RFC 4122 v4 uuid as text (37 bytes incl. NUL). */
void vitk_inventory_uuid(char out[37]);

/** Current UTC time as ISO-8601 "YYYY-MM-DDTHH:MM:SSZ" (21 bytes incl. NUL). */
void vitk_inventory_now(char out[21]);

#ifdef __cplusplus
}
#endif

#endif /* VITK_INVENTORY_H */
