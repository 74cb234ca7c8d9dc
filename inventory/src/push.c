/* SPDX-License-Identifier: MIT */
/*
 * vitk_inventory_push(): a host feeds the central PostgreSQL inventory.
 *
 * Reads the chosen hosts' rows from the local SQLite inventory, stages each
 * table with one COPY and merges it with one INSERT ... ON CONFLICT, all in
 * one transaction on the central side (src/pg.c).  The local inventory is
 * only read.  See docs/fleet.md.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vitk/common.h>
#include <vitk/str.h>

#include "internal.h"

#define PUSH_MAX_ATTEMPTS 8
#define PUSH_DEADLINE_NS (60ull * 1000000000ull)

static int host_of(vitk_inventory *local, int64_t id, char **name, char **mid, char **kind)
{
	sqlite3_stmt *st = NULL;
	bool has_mid;
	int r;

	r = inv_prepare(local, "SELECT name, machine_id, kind FROM hosts WHERE id = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return vitk_error_set(VITK_ENOTFOUND, 0, "no host with id %" PRId64 " in '%s'", id,
				      local->path);
	}
	has_mid = sqlite3_column_type(st, 1) != SQLITE_NULL;
	*name = strdup((const char *)sqlite3_column_text(st, 0));
	*mid = has_mid ? strdup((const char *)sqlite3_column_text(st, 1)) : NULL;
	*kind = strdup((const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);
	if (!*name || !*kind || (has_mid && !*mid))
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	return 0;
}

static bool has_col(const inv_table *t, const char *name)
{
	for (size_t c = 0; c < t->cols.size; c++)
		if (strcmp(t->cols.ptr[c].name, name) == 0)
			return true;
	return false;
}

/* the SELECT reading @lt's rows of one host in @ct's column order (NULL for columns @lt lacks) */
static int read_sql(vitk_str *sql, const inv_table *lt, const inv_table *ct)
{
	for (size_t c = 0; c < lt->cols.size; c++)
		if (!has_col(ct, lt->cols.ptr[c].name))
			return vitk_error_set(VITK_EDB, 0,
					      "the central inventory has no column '%s.%s': run "
					      "`vitk inventory init` against it with this vitk as "
					      "its owner",
					      lt->name, lt->cols.ptr[c].name);
	vitk_str_puts(sql, "SELECT 0");
	for (size_t c = 0; c < ct->cols.size; c++)
		vitk_str_putf(sql, ", %s", has_col(lt, ct->cols.ptr[c].name) ? ct->cols.ptr[c].name
									  : "NULL");
	vitk_str_putf(sql, ", created_at, updated_at FROM %s WHERE host_id = ? ORDER BY id",
		      lt->name);
	return sql->oom ? VITK_ENOMEM : 0;
}

/* append one host's rows of a table to @copy as COPY text lines */
static int copy_rows(vitk_inventory *local, const char *sql, int64_t local_id, int64_t central_id,
		     vitk_str *copy, size_t *nrows)
{
	sqlite3_stmt *st = NULL;
	int r, rc, ncols;

	r = inv_prepare(local, sql, &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, local_id);
	ncols = sqlite3_column_count(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		vitk_str_putf(copy, "%" PRId64, central_id);
		for (int c = 1; c < ncols; c++) {
			vitk_str_putc(copy, '\t');
			switch (sqlite3_column_type(st, c)) {
			case SQLITE_NULL: vitk_str_puts(copy, "\\N"); break;
			case SQLITE_INTEGER:
				vitk_str_putf(copy, "%lld", (long long)sqlite3_column_int64(st, c));
				break;
			case SQLITE_FLOAT:
				vitk_str_putf(copy, "%.17g", sqlite3_column_double(st, c));
				break;
			default:
				invpg_copy_escape(copy, (const char *)sqlite3_column_text(st, c));
				break;
			}
		}
		vitk_str_putc(copy, '\n');
		(*nrows)++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return inv_db_error(local, "cannot read rows to push");
	return copy->oom ? VITK_ENOMEM : 0;
}

/* true when @central has every table and column @local has for @domain */
static bool central_has(vitk_inventory *central, vitk_inventory *local, const char *domain)
{
	for (size_t t = 0; t < local->tables.size; t++) {
		const inv_table *lt = &local->tables.ptr[t];
		const inv_table *ct = inv_table_find(central, lt->name);

		if (strcmp(lt->domain, domain) != 0)
			continue;
		if (!ct)
			return false;
		for (size_t c = 0; c < lt->cols.size; c++)
			if (!has_col(ct, lt->cols.ptr[c].name))
				return false;
	}
	return true;
}

/* register one local domain's tables in @central, as import creates unseen tables */
static int register_domain(vitk_inventory *central, vitk_inventory *local, const char *name,
			   unsigned version)
{
	VITK_ARRAY(vitk_inventory_table) tabs = VITK_ARRAY_INIT;
	VITK_ARRAY(vitk_inventory_column) cols = VITK_ARRAY_INIT;
	vitk_inventory_domain dom = { .name = name, .version = version };
	size_t at = 0, ncols = 0;
	int r = 0;

	/*
	 * Room for every column of every table of the domain at once: the
	 * tables point into @cols, so it must not move while they are built.
	 */
	for (size_t t = 0; t < local->tables.size; t++)
		if (strcmp(local->tables.ptr[t].domain, name) == 0)
			ncols += local->tables.ptr[t].cols.size;
	if (ncols && vitk_array_grow(cols, ncols) < 0)
		r = VITK_ENOMEM;
	for (size_t t = 0; r == 0 && t < local->tables.size; t++) {
		const inv_table *lt = &local->tables.ptr[t];
		vitk_inventory_table *nt;

		if (strcmp(lt->domain, name) != 0)
			continue;
		nt = vitk_array_push(tabs);
		if (!nt) {
			r = VITK_ENOMEM;
			break;
		}
		nt->name = lt->name;
		nt->ncolumns = lt->cols.size;
		nt->columns = cols.ptr + at;
		for (size_t c = 0; c < lt->cols.size; c++) {
			cols.ptr[at + c].name = lt->cols.ptr[c].name;
			cols.ptr[at + c].type = lt->cols.ptr[c].type;
			cols.ptr[at + c].flags = lt->cols.ptr[c].flags;
		}
		at += lt->cols.size;
	}
	dom.tables = tabs.ptr;
	dom.ntables = tabs.size;
	if (r == 0)
		r = vitk_inventory_register(central, &dom);
	vitk_array_clear(tabs);
	vitk_array_clear(cols);
	return r;
}

static int register_local_domains(vitk_inventory *central, vitk_inventory *local)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	r = inv_prepare(local, "SELECT name, version FROM vitk_domains ORDER BY name", &st);
	if (r < 0)
		return r;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *name = strdup((const char *)sqlite3_column_text(st, 0));
		unsigned version = (unsigned)sqlite3_column_int(st, 1);

		if (!name)
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		else if (!central_has(central, local, name))
			r = register_domain(central, local, name, version);
		free(name);
	}
	sqlite3_reset(st);
	return r;
}

static int push_once(vitk_inventory *central, vitk_inventory *local, const int64_t *ids,
		     size_t n, vitk_inventory_push_stats *st)
{
	int64_t *cids = calloc(n + 1, sizeof(*cids));
	vitk_str sql = VITK_STR_INIT, copy = VITK_STR_INIT;
	int r;

	if (!cids)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	r = vitk_inventory_begin(central);
	if (r < 0)
		goto out;
	for (size_t i = 0; r == 0 && i < n; i++) {
		char *name = NULL, *mid = NULL, *kind = NULL;
		bool added = false;

		r = host_of(local, ids[i], &name, &mid, &kind);
		if (r == 0)
			r = invpg_push_host(central, name, mid, kind, &cids[i], &added);
		st->hosts_added += added;
		free(name);
		free(mid);
		free(kind);
	}
	for (size_t t = 0; r == 0 && t < local->tables.size; t++) {
		const inv_table *lt = &local->tables.ptr[t];
		const inv_table *ct = inv_table_find(central, lt->name);
		size_t nrows = 0;

		if (!ct) {
			r = vitk_error_set(VITK_EDB, 0,
					   "the central inventory has no table '%s': run `vitk "
					   "inventory init` against it with this vitk as its owner",
					   lt->name);
			break;
		}
		vitk_str_truncate(&sql, 0);
		vitk_str_truncate(&copy, 0);
		r = read_sql(&sql, lt, ct);
		for (size_t i = 0; r == 0 && i < n; i++)
			r = copy_rows(local, sql.ptr, ids[i], cids[i], &copy, &nrows);
		if (r == 0 && nrows)
			r = invpg_push_table(central, ct, copy.ptr, copy.size, st);
	}
	if (r == 0)
		r = invpg_rollup_refresh(central, cids, n);
	if (r == 0)
		r = vitk_inventory_commit(central);
	else
		vitk_inventory_rollback(central);
out:
	vitk_str_clear(&sql);
	vitk_str_clear(&copy);
	free(cids);
	return r;
}

int vitk_inventory_push(vitk_inventory *central, vitk_inventory *local, const int64_t *host_ids,
			size_t nhosts, vitk_inventory_push_stats *stats)
{
	vitk_inventory_push_stats st = { 0 };
	uint64_t start = vitk_now_ns();
	int r;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (!central || !central->pg || !local || !local->db)
		return vitk_error_set(VITK_ENOTSUP, 0,
				      "push goes from a local inventory to a PostgreSQL one");
	if (central->readonly)
		return vitk_error_set(VITK_EDB, 0, "inventory '%s' is open read-only", central->path);
	if (nhosts == 0)
		return vitk_error_set(VITK_EINVAL, 0, "no hosts to push");
	r = register_local_domains(central, local);
	if (r < 0)
		return vitk_error_prefix("cannot push to '%s': ", central->path);
	for (;;) {
		unsigned attempts = st.attempts + 1;
		struct timespec ts;
		uint64_t backoff;

		memset(&st, 0, sizeof(st));
		st.attempts = attempts;
		r = push_once(central, local, host_ids, nhosts, &st);
		if (r != VITK_EBUSY || st.attempts >= PUSH_MAX_ATTEMPTS ||
		    vitk_now_ns() - start > PUSH_DEADLINE_NS)
			break;
		/* exponential backoff with jitter: 20 ms, 40 ms, ... at most 1 s */
		backoff = (20ull << (st.attempts - 1)) * 1000000ull;
		if (backoff > 1000000000ull)
			backoff = 1000000000ull;
		backoff = backoff / 2 + (vitk_now_ns() % (backoff / 2 + 1));
		ts.tv_sec = (time_t)(backoff / 1000000000ull);
		ts.tv_nsec = (long)(backoff % 1000000000ull);
		nanosleep(&ts, NULL);
	}
	if (r < 0)
		return vitk_error_prefix("cannot push to '%s': ", central->path);
	st.hosts = nhosts;
	if (stats)
		*stats = st;
	return 0;
}
