/* SPDX-License-Identifier: MIT */
/*
 * Inventory core: open/migrate, domain registration, generic typed rows.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <vitk/common.h>
#include <vitk/str.h>

#include "internal.h"

#define VITK_APPLICATION_ID 0x5649544b /* "VITK" */
#define BUSY_TIMEOUT_MS 30000

/* Ordered core migrations: step i brings user_version from i to i+1. */
static const char *const core_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE hosts ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  machine_id TEXT UNIQUE,"
	"  kind TEXT NOT NULL DEFAULT 'linux',"
	"  source TEXT NOT NULL DEFAULT 'local',"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL);"
	"CREATE TABLE vitk_domains ("
	"  name TEXT PRIMARY KEY,"
	"  version INTEGER NOT NULL,"
	"  updated_at TEXT NOT NULL);"
	"CREATE TABLE vitk_tables ("
	"  name TEXT PRIMARY KEY,"
	"  domain TEXT NOT NULL REFERENCES vitk_domains(name),"
	"  columns TEXT NOT NULL);",
};

_Static_assert(VITK_ARRAY_SIZE(core_migrations) == VITK_INVENTORY_SCHEMA_VERSION,
	       "one migration per schema version");

int inv_db_error(vitk_inventory *inv, const char *what)
{
	return vitk_error_set(VITK_EDB, 0, "%s: %s", what, sqlite3_errmsg(inv->db));
}

int inv_exec(vitk_inventory *inv, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(inv->db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		vitk_error_set(VITK_EDB, 0, "%s", err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return VITK_EDB;
	}
	return 0;
}

int inv_prepare(vitk_inventory *inv, const char *sql, sqlite3_stmt **out)
{
	inv_stmt *victim = &inv->cache[0];
	size_t i;

	inv->tick++;
	for (i = 0; i < INV_STMT_CACHE; i++) {
		inv_stmt *c = &inv->cache[i];

		if (c->sql && strcmp(c->sql, sql) == 0) {
			sqlite3_reset(c->st);
			sqlite3_clear_bindings(c->st);
			c->last_use = inv->tick;
			*out = c->st;
			return 0;
		}
		if (!c->sql || c->last_use < victim->last_use)
			victim = c;
	}
	if (victim->st)
		sqlite3_finalize(victim->st);
	free(victim->sql);
	victim->sql = NULL;
	victim->st = NULL;
	if (sqlite3_prepare_v2(inv->db, sql, -1, &victim->st, NULL) != SQLITE_OK) {
		victim->st = NULL;
		return inv_db_error(inv, "cannot prepare statement");
	}
	victim->sql = strdup(sql);
	if (!victim->sql) {
		sqlite3_finalize(victim->st);
		victim->st = NULL;
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	victim->last_use = inv->tick;
	*out = victim->st;
	return 0;
}

static void cache_clear(vitk_inventory *inv)
{
	for (size_t i = 0; i < INV_STMT_CACHE; i++) {
		if (inv->cache[i].st)
			sqlite3_finalize(inv->cache[i].st);
		free(inv->cache[i].sql);
		inv->cache[i].st = NULL;
		inv->cache[i].sql = NULL;
	}
}

static const char *sql_type(vitk_inventory_type t)
{
	switch (t) {
	case VITK_INV_INT: return "INTEGER";
	case VITK_INV_REAL: return "REAL";
	default: return "TEXT";
	}
}

/* ------------------------------------------------------------ open/close */

static int read_user_version(vitk_inventory *inv, int *out, int *app_id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(inv->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		goto fail;
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	rc = sqlite3_prepare_v2(inv->db, "PRAGMA application_id", -1, &st, NULL);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	*app_id = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
fail:
	sqlite3_finalize(st);
	if (sqlite3_errcode(inv->db) == SQLITE_NOTADB)
		return vitk_error_set(VITK_EDB, 0, "'%s' is not a vitk inventory: %s", inv->path,
				      sqlite3_errmsg(inv->db));
	return vitk_error_set(VITK_EDB, 0, "cannot read '%s': %s", inv->path,
			      sqlite3_errmsg(inv->db));
}

static int count_user_tables(vitk_inventory *inv, int *out)
{
	sqlite3_stmt *st = NULL;
	int r = 0;

	if (sqlite3_prepare_v2(inv->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) !=
		    SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		r = vitk_error_set(VITK_EDB, 0, "'%s' is not a vitk inventory: %s", inv->path,
				   sqlite3_errmsg(inv->db));
	else
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return r;
}

/* Read user_version and application_id; refuse foreign and newer files. */
static int check_version(vitk_inventory *inv, int *out_ver)
{
	int ver = 0, app_id = 0, ntables = 0, r;

	r = read_user_version(inv, &ver, &app_id);
	if (r < 0)
		return r;
	*out_ver = ver;
	if (ver > VITK_INVENTORY_SCHEMA_VERSION)
		return vitk_error_set(VITK_EDB, 0,
				      "'%s' has inventory schema %d, newer than this vitk knows (%d): "
				      "upgrade vitk",
				      inv->path, ver, VITK_INVENTORY_SCHEMA_VERSION);
	if (app_id != 0 && app_id != VITK_APPLICATION_ID)
		return vitk_error_set(VITK_EDB, 0,
				      "'%s' is not a vitk inventory (application_id 0x%08x)",
				      inv->path, (unsigned)app_id);
	if (ver == 0) {
		r = count_user_tables(inv, &ntables);
		if (r < 0)
			return r;
		if (ntables > 0)
			return vitk_error_set(VITK_EDB, 0,
					      "'%s' is an SQLite database but not a vitk inventory",
					      inv->path);
	}
	return 0;
}

static int migrate(vitk_inventory *inv)
{
	int ver = 0, r;
	char pragma[64];

	r = check_version(inv, &ver);
	if (r < 0 || ver == VITK_INVENTORY_SCHEMA_VERSION)
		return r;
	if (inv->readonly)
		return vitk_error_set(VITK_EDB, 0, "'%s' needs a schema upgrade; open it read-write",
				      inv->path);
	r = inv_exec(inv, "BEGIN IMMEDIATE");
	if (r < 0)
		return vitk_error_prefix("cannot lock '%s': ", inv->path);
	/* another process may have migrated while we waited for the lock */
	r = check_version(inv, &ver);
	if (r < 0)
		goto fail;
	for (; ver < VITK_INVENTORY_SCHEMA_VERSION; ver++) {
		r = inv_exec(inv, core_migrations[ver]);
		if (r < 0) {
			vitk_error_prefix("migrating '%s' to schema %d: ", inv->path, ver + 1);
			goto fail;
		}
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", ver);
	r = inv_exec(inv, pragma);
	if (r < 0)
		goto fail;
	snprintf(pragma, sizeof(pragma), "PRAGMA application_id = %d", VITK_APPLICATION_ID);
	r = inv_exec(inv, pragma);
	if (r < 0)
		goto fail;
	r = inv_exec(inv, "COMMIT");
	if (r < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(inv->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

/*
 * A database vitk creates is readable by its owner only (it records hosts,
 * devices and jobs): create the file 0600 before SQLite opens it.  SQLite
 * gives its -wal and -shm files the database file's mode.  An existing file
 * keeps its mode.
 */
static int create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return vitk_error_set(VITK_EDB, errno, "cannot create inventory '%s'", path);
}

int vitk_inventory_open(vitk_inventory **out, const char *path, unsigned flags)
{
	vitk_inventory *inv = NULL;
	bool memory = strcmp(path, ":memory:") == 0, pg = inv_is_pg_target(path);
	int oflags, r = 0;
	struct stat sb;

	*out = NULL;
	if (!memory && !pg && (flags & (VITK_INVENTORY_NO_CREATE | VITK_INVENTORY_READONLY))) {
		if (stat(path, &sb) < 0)
			return vitk_error_set(VITK_ENOTFOUND, errno, "cannot open inventory '%s'",
					      path);
	}
	if (!memory && !pg && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return vitk_error_set(VITK_EDB, 0, "inventory '%s' is a directory", path);
	inv = calloc(1, sizeof(*inv));
	if (!inv)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	inv->path = pg ? inv_redact(path) : strdup(path);
	inv->readonly = (flags & VITK_INVENTORY_READONLY) != 0;
	if (!inv->path) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	if (pg) {
		r = invpg_open(inv, path, flags);
		if (r < 0)
			goto out;
		*out = inv;
		return 0;
	}
	if (!memory && !inv->readonly && !(flags & VITK_INVENTORY_NO_CREATE)) {
		r = create_private(path);
		if (r < 0)
			goto out;
	}
	oflags = SQLITE_OPEN_NOMUTEX | (inv->readonly ? SQLITE_OPEN_READONLY
						       : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if (sqlite3_open_v2(path, &inv->db, oflags, NULL) != SQLITE_OK) {
		r = vitk_error_set(VITK_EDB, 0, "cannot open inventory '%s': %s", path,
				   inv->db ? sqlite3_errmsg(inv->db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(inv->db, 0);
	sqlite3_busy_timeout(inv->db, BUSY_TIMEOUT_MS);
	r = inv_exec(inv, "PRAGMA foreign_keys = ON");
	if (r < 0)
		goto out;
	if (!inv->readonly && !memory) {
		int ver = 0;

		/* refuse foreign files before switching their journal mode */
		r = check_version(inv, &ver);
		if (r < 0)
			goto out;
		r = inv_exec(inv, "PRAGMA journal_mode = WAL");
		if (r < 0) {
			vitk_error_prefix("'%s': ", path);
			goto out;
		}
		inv_exec(inv, "PRAGMA synchronous = NORMAL");
	}
	r = migrate(inv);
	if (r < 0)
		goto out;
	r = inv_tables_load(inv);
	if (r < 0)
		goto out;
	*out = inv;
	inv = NULL;
out:
	vitk_inventory_free(inv);
	return r;
}

void vitk_inventory_free(vitk_inventory *inv)
{
	if (!inv)
		return;
	invpg_free(inv);
	cache_clear(inv);
	inv_tables_clear(inv);
	if (inv->db)
		sqlite3_close(inv->db);
	free(inv->last_sql);
	for (size_t i = 0; i < inv->last_ncols; i++)
		free(inv->last_cols[i]);
	free(inv->path);
	free(inv);
}

const char *vitk_inventory_path(const vitk_inventory *inv)
{
	return inv ? inv->path : NULL;
}

/* ----------------------------------------------------------- transactions */

int vitk_inventory_begin(vitk_inventory *inv)
{
	char sql[64];
	int r;

	if (inv->readonly)
		return vitk_error_set(VITK_EDB, 0, "inventory '%s' is open read-only", inv->path);
	if (inv->pg)
		return invpg_begin(inv);
	if (inv->depth == 0)
		r = inv_exec(inv, "BEGIN IMMEDIATE");
	else {
		snprintf(sql, sizeof(sql), "SAVEPOINT vitk_sp%d", inv->depth);
		r = inv_exec(inv, sql);
	}
	if (r < 0)
		return vitk_error_prefix("cannot start a transaction on '%s': ", inv->path);
	inv->depth++;
	return 0;
}

int vitk_inventory_commit(vitk_inventory *inv)
{
	char sql[64];
	int r;

	if (inv->pg)
		return invpg_commit(inv);
	if (inv->depth <= 0)
		return vitk_error_set(VITK_EINVAL, 0, "commit without a transaction");
	if (inv->depth == 1)
		r = inv_exec(inv, "COMMIT");
	else {
		snprintf(sql, sizeof(sql), "RELEASE vitk_sp%d", inv->depth - 1);
		r = inv_exec(inv, sql);
	}
	if (r < 0) {
		vitk_inventory_rollback(inv);
		return vitk_error_prefix("cannot commit to '%s': ", inv->path);
	}
	inv->depth--;
	return 0;
}

void vitk_inventory_rollback(vitk_inventory *inv)
{
	char sql[96];

	if (inv && inv->pg) {
		invpg_rollback(inv);
		return;
	}
	if (!inv || inv->depth <= 0)
		return;
	if (inv->depth == 1) {
		sqlite3_exec(inv->db, "ROLLBACK", NULL, NULL, NULL);
	} else {
		snprintf(sql, sizeof(sql), "ROLLBACK TO vitk_sp%d; RELEASE vitk_sp%d",
			 inv->depth - 1, inv->depth - 1);
		sqlite3_exec(inv->db, sql, NULL, NULL, NULL);
	}
	inv->depth--;
	/* a rolled-back registration may have left stale table specs */
	inv_tables_load(inv);
}

/* ----------------------------------------------------------- table specs */

int inv_tables_load(vitk_inventory *inv)
{
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	inv_tables_clear(inv);
	if (sqlite3_prepare_v2(inv->db, "SELECT name, domain, columns FROM vitk_tables ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK)
		return inv_db_error(inv, "cannot read table specs");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		inv_table *nt = vitk_array_push(inv->tables);

		if (!nt) {
			r = VITK_ENOMEM;
			goto out;
		}
		nt->name = strdup((const char *)sqlite3_column_text(st, 0));
		nt->domain = strdup((const char *)sqlite3_column_text(st, 1));
		if (!nt->name || !nt->domain) {
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			goto out;
		}
		r = inv_parse_spec((const char *)sqlite3_column_text(st, 2), nt);
		if (r < 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = inv_db_error(inv, "cannot read table specs");
out:
	sqlite3_finalize(st);
	return r;
}

int inv_domain_version(vitk_inventory *inv, const char *domain, unsigned *out, bool *found)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	*found = false;
	r = inv_prepare(inv, "SELECT version FROM vitk_domains WHERE name = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = (unsigned)sqlite3_column_int(st, 0);
		*found = true;
	} else if (rc != SQLITE_DONE) {
		r = inv_db_error(inv, "cannot read domain versions");
	}
	sqlite3_reset(st);
	return r;
}

int inv_set_domain_version(vitk_inventory *inv, const char *domain, unsigned version)
{
	sqlite3_stmt *st = NULL;
	char now[21];
	int r;

	vitk_inventory_now(now);
	r = inv_prepare(inv,
			"INSERT INTO vitk_domains(name, version, updated_at) VALUES(?, ?, ?) "
			"ON CONFLICT(name) DO UPDATE SET version = excluded.version, "
			"updated_at = excluded.updated_at",
			&st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, (int)version);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = inv_db_error(inv, "cannot record domain version");
	sqlite3_reset(st);
	return r;
}

static bool table_exists(vitk_inventory *inv, const char *name)
{
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (inv_prepare(inv, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", &st) <
	    0)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}

static bool column_exists(vitk_inventory *inv, const char *table, const char *col)
{
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (inv_prepare(inv, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?", &st) < 0)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, col, -1, SQLITE_TRANSIENT);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}

int inv_create_table(vitk_inventory *inv, const char *domain, const char *name,
		     const vitk_inventory_column *cols, size_t n)
{
	vitk_str sql = VITK_STR_INIT, spec = VITK_STR_INIT;
	size_t nkeys = 0;
	sqlite3_stmt *st = NULL;
	int r = 0;

	r = inv_check_columns(name, cols, n);
	if (r < 0)
		return r;
	inv_spec_text(&spec, cols, n);
	if (!table_exists(inv, name)) {
		vitk_str_putf(&sql,
			      "CREATE TABLE %s (id INTEGER PRIMARY KEY, host_id INTEGER "
			      "NOT NULL REFERENCES hosts(id) ON DELETE CASCADE",
			      name);
		for (size_t i = 0; i < n; i++) {
			vitk_str_putf(&sql, ", %s %s%s", cols[i].name, sql_type(cols[i].type),
				      (cols[i].flags & VITK_INV_COL_NOTNULL) ? " NOT NULL" : "");
			if (cols[i].flags & VITK_INV_COL_KEY)
				nkeys++;
		}
		vitk_str_puts(&sql, ", created_at TEXT NOT NULL, updated_at TEXT NOT NULL");
		if (nkeys) {
			vitk_str_puts(&sql, ", UNIQUE(host_id");
			for (size_t i = 0; i < n; i++)
				if (cols[i].flags & VITK_INV_COL_KEY)
					vitk_str_putf(&sql, ", %s", cols[i].name);
			vitk_str_puts(&sql, ")");
		}
		vitk_str_putf(&sql, "); CREATE INDEX %s_host ON %s(host_id);", name, name);
		r = sql.oom ? VITK_ENOMEM : inv_exec(inv, sql.ptr);
		if (r < 0) {
			vitk_error_prefix("cannot create table '%s': ", name);
			goto out;
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			if (column_exists(inv, name, cols[i].name))
				continue;
			vitk_str_truncate(&sql, 0);
			vitk_str_putf(&sql, "ALTER TABLE %s ADD COLUMN %s %s", name, cols[i].name,
				      sql_type(cols[i].type));
			r = sql.oom ? VITK_ENOMEM : inv_exec(inv, sql.ptr);
			if (r < 0) {
				vitk_error_prefix("cannot add column '%s' to '%s': ", cols[i].name,
						  name);
				goto out;
			}
		}
	}
	if (spec.oom) {
		r = VITK_ENOMEM;
		goto out;
	}
	r = inv_prepare(inv,
			"INSERT INTO vitk_tables(name, domain, columns) VALUES(?, ?, ?) "
			"ON CONFLICT(name) DO UPDATE SET domain = excluded.domain, "
			"columns = excluded.columns",
			&st);
	if (r < 0)
		goto out;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, domain, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, spec.ptr, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = inv_db_error(inv, "cannot record table spec");
	sqlite3_reset(st);
out:
	vitk_str_clear(&sql);
	vitk_str_clear(&spec);
	return r;
}

int vitk_inventory_register(vitk_inventory *inv, const vitk_inventory_domain *domain)
{
	unsigned have = 0;
	bool found = false;
	int r;

	r = inv_check_domain(domain);
	if (r < 0)
		return r;
	if (inv->pg)
		return invpg_register(inv, domain);
	r = inv_domain_version(inv, domain->name, &have, &found);
	if (r < 0)
		return r;
	r = inv_domain_current(inv, domain, have, found);
	if (r < 0)
		return r;
	if (r > 0 || inv->readonly)
		return 0;
	r = vitk_inventory_begin(inv);
	if (r < 0)
		return r;
	/* re-check under the write lock: another process may have registered */
	r = inv_domain_version(inv, domain->name, &have, &found);
	if (r < 0)
		goto fail;
	if (found && have > domain->version) {
		r = vitk_error_set(VITK_EDB, 0, "inventory '%s' has %s schema %u, newer than %u",
				   inv->path, domain->name, have, domain->version);
		goto fail;
	}
	r = inv_set_domain_version(inv, domain->name, domain->version);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < domain->ntables; i++) {
		r = inv_create_table(inv, domain->name, domain->tables[i].name,
				     domain->tables[i].columns, domain->tables[i].ncolumns);
		if (r < 0)
			goto fail;
	}
	r = vitk_inventory_commit(inv);
	if (r < 0)
		return r;
	return inv_tables_load(inv);
fail:
	vitk_inventory_rollback(inv);
	return r;
}

const char *vitk_inventory_backend(const vitk_inventory *inv)
{
	return inv && inv->pg ? "postgresql" : "sqlite";
}
