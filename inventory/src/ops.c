/* SPDX-License-Identifier: MIT */
/*
 * Generic typed row operations, hosts, read-only queries and reports.
 * Table and column names are validated against the registered specs before
 * they are spliced into SQL; values are always bound.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vitk/common.h>
#include <vitk/str.h>

#include "internal.h"

static const inv_col *col_find(const inv_table *t, const char *name)
{
	for (size_t i = 0; i < t->cols.size; i++)
		if (strcmp(t->cols.ptr[i].name, name) == 0)
			return &t->cols.ptr[i];
	return NULL;
}

static int need_table(vitk_inventory *inv, const char *table, const inv_table **out)
{
	*out = table ? inv_table_find(inv, table) : NULL;
	if (!*out)
		return vitk_error_set(VITK_ENOTFOUND, 0, "no inventory table '%s'",
				      table ? table : "");
	return 0;
}

static int check_values(const inv_table *t, const vitk_inventory_value *vals, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const inv_col *c = vals[i].column ? col_find(t, vals[i].column) : NULL;

		if (!c)
			return vitk_error_set(VITK_EINVAL, 0, "table '%s' has no column '%s'",
					      t->name, vals[i].column ? vals[i].column : "");
		if (vals[i].is_null && (c->flags & VITK_INV_COL_NOTNULL))
			return vitk_error_set(VITK_EINVAL, 0, "'%s.%s' must not be null", t->name,
					      c->name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(vals[i].column, vals[j].column) == 0)
				return vitk_error_set(VITK_EINVAL, 0, "column '%s' given twice",
						      vals[i].column);
	}
	return 0;
}

/* What every write checks first: writable, a registered table, declared columns. */
static int writable_table(vitk_inventory *inv, const char *table,
			  const vitk_inventory_value *vals, size_t n, const inv_table **out)
{
	int r;

	if (inv->readonly)
		return vitk_error_set(VITK_EDB, 0, "inventory '%s' is open read-only", inv->path);
	if (inv->pg)
		return vitk_error_set(VITK_ENOTSUP, 0,
				      "'%s' is a central PostgreSQL inventory: hosts write to it "
				      "with `vitk inventory push`",
				      inv->path);
	r = need_table(inv, table, out);
	if (r < 0)
		return r;
	return check_values(*out, vals, n);
}

static void bind_value(sqlite3_stmt *st, int idx, const vitk_inventory_value *v)
{
	if (v->is_null) {
		sqlite3_bind_null(st, idx);
		return;
	}
	switch (v->type) {
	case VITK_INV_INT:
		sqlite3_bind_int64(st, idx, v->i);
		break;
	case VITK_INV_REAL:
		sqlite3_bind_double(st, idx, v->d);
		break;
	default:
		sqlite3_bind_text(st, idx, v->s ? v->s : "", -1, SQLITE_TRANSIENT);
		break;
	}
}

static int host_exists(vitk_inventory *inv, int64_t host_id)
{
	sqlite3_stmt *st = NULL;
	int r = 0;

	r = inv_prepare(inv, "SELECT 1 FROM hosts WHERE id = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, host_id);
	if (sqlite3_step(st) != SQLITE_ROW)
		r = vitk_error_set(VITK_ENOTFOUND, 0, "no host with id %lld", (long long)host_id);
	sqlite3_reset(st);
	return r;
}

static int write_row(vitk_inventory *inv, const char *table, int64_t host_id,
		     const vitk_inventory_value *vals, size_t n, int64_t *out_id, bool upsert)
{
	const inv_table *t = NULL;
	vitk_str sql = VITK_STR_INIT;
	sqlite3_stmt *st = NULL;
	int r, rc, idx = 1;
	bool do_upsert;

	if (out_id)
		*out_id = 0;
	r = writable_table(inv, table, vals, n, &t);
	if (r < 0)
		return r;
	do_upsert = upsert && t->nkeys > 0;
	if (do_upsert) {
		/* every key column must be given */
		for (size_t i = 0; i < t->cols.size; i++) {
			bool given = false;

			if (!(t->cols.ptr[i].flags & VITK_INV_COL_KEY))
				continue;
			for (size_t j = 0; j < n; j++)
				given |= strcmp(vals[j].column, t->cols.ptr[i].name) == 0;
			if (!given)
				return vitk_error_set(VITK_EINVAL, 0,
						      "upsert into '%s' needs key column '%s'",
						      t->name, t->cols.ptr[i].name);
		}
	}
	/* the statement depends only on table, column order and upsert-ness */
	if (inv->last_sql && inv->last_table == t && inv->last_upsert == do_upsert &&
	    inv->last_ncols == n) {
		bool same = true;

		for (size_t i = 0; same && i < n; i++)
			same = strcmp(inv->last_cols[i], vals[i].column) == 0;
		if (same) {
			r = inv_prepare(inv, inv->last_sql, &st);
			if (r < 0)
				return r;
			goto have_stmt;
		}
	}
	vitk_str_putf(&sql, "INSERT INTO %s (host_id", t->name);
	for (size_t i = 0; i < n; i++)
		vitk_str_putf(&sql, ", %s", vals[i].column);
	vitk_str_puts(&sql, ", created_at, updated_at) VALUES (?");
	for (size_t i = 0; i < n; i++)
		vitk_str_puts(&sql, ", ?");
	vitk_str_puts(&sql, ", ?, ?)");
	if (do_upsert) {
		bool first = true;

		vitk_str_puts(&sql, " ON CONFLICT(host_id");
		for (size_t i = 0; i < t->cols.size; i++)
			if (t->cols.ptr[i].flags & VITK_INV_COL_KEY)
				vitk_str_putf(&sql, ", %s", t->cols.ptr[i].name);
		vitk_str_puts(&sql, ") DO UPDATE SET ");
		for (size_t i = 0; i < n; i++) {
			if (col_find(t, vals[i].column)->flags & VITK_INV_COL_KEY)
				continue;
			vitk_str_putf(&sql, "%s%s = excluded.%s", first ? "" : ", ", vals[i].column,
				      vals[i].column);
			first = false;
		}
		vitk_str_putf(&sql, "%supdated_at = excluded.updated_at WHERE 0", first ? "" : ", ");
		for (size_t i = 0; i < n; i++) {
			if (col_find(t, vals[i].column)->flags & VITK_INV_COL_KEY)
				continue;
			vitk_str_putf(&sql, " OR %s IS NOT excluded.%s", vals[i].column,
				      vals[i].column);
		}
	}
	if (sql.oom) {
		r = VITK_ENOMEM;
		goto out;
	}
	r = inv_prepare(inv, sql.ptr, &st);
	if (r < 0)
		goto out;
	free(inv->last_sql);
	for (size_t i = 0; i < inv->last_ncols; i++)
		free(inv->last_cols[i]);
	inv->last_ncols = 0;
	inv->last_sql = strdup(sql.ptr);
	inv->last_table = t;
	inv->last_upsert = do_upsert;
	for (size_t i = 0; inv->last_sql && i < n; i++) {
		inv->last_cols[i] = strdup(vals[i].column);
		inv->last_ncols++;
		if (!inv->last_cols[i]) {
			free(inv->last_sql);
			inv->last_sql = NULL;
		}
	}
have_stmt:
	sqlite3_bind_int64(st, idx++, host_id);
	for (size_t i = 0; i < n; i++)
		bind_value(st, idx++, &vals[i]);
	sqlite3_bind_text(st, idx++, inv_now(inv), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, idx++, inv_now(inv), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		char why[256];

		rc = sqlite3_reset(st);
		snprintf(why, sizeof(why), "%s", sqlite3_errmsg(inv->db));
		if (rc == SQLITE_CONSTRAINT && host_exists(inv, host_id) < 0)
			goto out_err_host;
		r = vitk_error_set(VITK_EDB, 0, "cannot write to '%s': %s", t->name, why);
		goto out;
	}
	sqlite3_reset(st);
	if (out_id) {
		if (sqlite3_changes(inv->db) > 0 && !do_upsert) {
			*out_id = sqlite3_last_insert_rowid(inv->db);
		} else {
			/* look the row up by its key */
			vitk_str_truncate(&sql, 0);
			vitk_str_putf(&sql, "SELECT id FROM %s WHERE host_id = ?", t->name);
			for (size_t i = 0; i < n; i++)
				if (col_find(t, vals[i].column)->flags & VITK_INV_COL_KEY)
					vitk_str_putf(&sql, " AND %s IS ?", vals[i].column);
			if (sql.oom) {
				r = VITK_ENOMEM;
				goto out;
			}
			r = inv_prepare(inv, sql.ptr, &st);
			if (r < 0)
				goto out;
			idx = 1;
			sqlite3_bind_int64(st, idx++, host_id);
			for (size_t i = 0; i < n; i++)
				if (col_find(t, vals[i].column)->flags & VITK_INV_COL_KEY)
					bind_value(st, idx++, &vals[i]);
			if (sqlite3_step(st) == SQLITE_ROW)
				*out_id = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
		}
	}
	r = 0;
	goto out;
out_err_host:
	r = vitk_error_last()->code;
out:
	vitk_str_clear(&sql);
	return r;
}

int vitk_inventory_upsert(vitk_inventory *inv, const char *table, int64_t host_id,
			  const vitk_inventory_value *vals, size_t n, int64_t *out_id)
{
	return write_row(inv, table, host_id, vals, n, out_id, true);
}

int vitk_inventory_insert(vitk_inventory *inv, const char *table, int64_t host_id,
			  const vitk_inventory_value *vals, size_t n, int64_t *out_id)
{
	return write_row(inv, table, host_id, vals, n, out_id, false);
}

int vitk_inventory_update(vitk_inventory *inv, const char *table, int64_t id,
			  const vitk_inventory_value *vals, size_t n)
{
	const inv_table *t = NULL;
	vitk_str sql = VITK_STR_INIT;
	sqlite3_stmt *st = NULL;
	char now[21];
	int r, idx = 1;

	r = writable_table(inv, table, vals, n, &t);
	if (r < 0)
		return r;
	vitk_str_putf(&sql, "UPDATE %s SET updated_at = ?", t->name);
	for (size_t i = 0; i < n; i++)
		vitk_str_putf(&sql, ", %s = ?", vals[i].column);
	vitk_str_puts(&sql, " WHERE id = ?");
	r = sql.oom ? VITK_ENOMEM : inv_prepare(inv, sql.ptr, &st);
	vitk_str_clear(&sql);
	if (r < 0)
		return r;
	vitk_inventory_now(now);
	sqlite3_bind_text(st, idx++, now, -1, SQLITE_TRANSIENT);
	for (size_t i = 0; i < n; i++)
		bind_value(st, idx++, &vals[i]);
	sqlite3_bind_int64(st, idx, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = vitk_error_set(VITK_EDB, 0, "cannot update '%s': %s", t->name,
				   sqlite3_errmsg(inv->db));
	else if (sqlite3_changes(inv->db) == 0)
		r = vitk_error_set(VITK_ENOTFOUND, 0, "no row %lld in '%s'", (long long)id,
				   t->name);
	sqlite3_reset(st);
	return r;
}

static void append_where(vitk_str *sql, int64_t host_id, const vitk_inventory_value *match,
			 size_t n, const char *prefix)
{
	vitk_str_puts(sql, " WHERE 1");
	if (host_id > 0)
		vitk_str_putf(sql, " AND %shost_id = ?", prefix);
	for (size_t i = 0; i < n; i++)
		vitk_str_putf(sql, " AND %s%s IS ?", prefix, match[i].column);
}

int vitk_inventory_delete(vitk_inventory *inv, const char *table, int64_t host_id,
			  const vitk_inventory_value *match, size_t n, int64_t *out_deleted)
{
	const inv_table *t = NULL;
	vitk_str sql = VITK_STR_INIT;
	sqlite3_stmt *st = NULL;
	int r, idx = 1;

	if (out_deleted)
		*out_deleted = 0;
	r = writable_table(inv, table, match, n, &t);
	if (r < 0)
		return r;
	vitk_str_putf(&sql, "DELETE FROM %s", t->name);
	append_where(&sql, host_id, match, n, "");
	r = sql.oom ? VITK_ENOMEM : inv_prepare(inv, sql.ptr, &st);
	vitk_str_clear(&sql);
	if (r < 0)
		return r;
	if (host_id > 0)
		sqlite3_bind_int64(st, idx++, host_id);
	for (size_t i = 0; i < n; i++)
		bind_value(st, idx++, &match[i]);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = vitk_error_set(VITK_EDB, 0, "cannot delete from '%s': %s", t->name,
				   sqlite3_errmsg(inv->db));
	else if (out_deleted)
		*out_deleted = sqlite3_changes(inv->db);
	sqlite3_reset(st);
	return r;
}

static bool valid_order(const inv_table *t, const char *order, char *col, size_t cap, bool *desc)
{
	const char *sp = strchr(order, ' ');
	size_t n = sp ? (size_t)(sp - order) : strlen(order);

	*desc = false;
	if (n == 0 || n >= cap)
		return false;
	memcpy(col, order, n);
	col[n] = '\0';
	if (sp) {
		if (strcmp(sp, " DESC") == 0 || strcmp(sp, " desc") == 0)
			*desc = true;
		else if (strcmp(sp, " ASC") != 0 && strcmp(sp, " asc") != 0)
			return false;
	}
	if (strcmp(col, "id") == 0 || strcmp(col, "host_id") == 0 ||
	    strcmp(col, "created_at") == 0 || strcmp(col, "updated_at") == 0)
		return true;
	return col_find(t, col) != NULL;
}

static int select_rows(vitk_inventory_rows **out, vitk_inventory *inv, const char *table,
		       int64_t host_id, const char *host_glob, const vitk_inventory_value *match,
		       size_t n, const char *order_by);

int vitk_inventory_select(vitk_inventory_rows **out, vitk_inventory *inv, const char *table,
			  int64_t host_id, const vitk_inventory_value *match, size_t n,
			  const char *order_by)
{
	return select_rows(out, inv, table, host_id, NULL, match, n, order_by);
}

int vitk_inventory_select_glob(vitk_inventory_rows **out, vitk_inventory *inv, const char *table,
			       const char *host_glob, const vitk_inventory_value *match, size_t n,
			       const char *order_by)
{
	return select_rows(out, inv, table, 0, host_glob, match, n, order_by);
}

static int select_rows(vitk_inventory_rows **out, vitk_inventory *inv, const char *table,
		       int64_t host_id, const char *host_glob, const vitk_inventory_value *match,
		       size_t n, const char *order_by)
{
	const inv_table *t = NULL;
	vitk_str sql = VITK_STR_INIT;
	char ocol[INV_NAME_MAX];
	sqlite3_stmt *st = NULL;
	bool desc = false;
	int r, rc, idx = 1;

	*out = NULL;
	r = need_table(inv, table, &t);
	if (r < 0)
		return r;
	r = check_values(t, match, n);
	if (r < 0)
		return r;
	if (order_by && !valid_order(t, order_by, ocol, sizeof(ocol), &desc))
		return vitk_error_set(VITK_EINVAL, 0, "cannot order '%s' by '%s'", t->name,
				      order_by);
	if (inv->pg)
		return invpg_select(out, inv, t, host_id, host_glob, match, n,
				    order_by ? ocol : NULL, desc);
	vitk_str_puts(&sql, "SELECT t.id AS id, t.host_id AS host_id, h.name AS host");
	for (size_t i = 0; i < t->cols.size; i++)
		vitk_str_putf(&sql, ", t.%s AS %s", t->cols.ptr[i].name, t->cols.ptr[i].name);
	vitk_str_putf(&sql,
		      ", t.created_at AS created_at, t.updated_at AS updated_at "
		      "FROM %s t JOIN hosts h ON h.id = t.host_id",
		      t->name);
	append_where(&sql, host_id, match, n, "t.");
	if (host_glob)
		vitk_str_puts(&sql, " AND h.name GLOB ?");
	vitk_str_putf(&sql, " ORDER BY t.%s%s, t.id", order_by ? ocol : "id", desc ? " DESC" : "");
	if (sql.oom)
		return VITK_ENOMEM;
	rc = sqlite3_prepare_v2(inv->db, sql.ptr, -1, &st, NULL);
	vitk_str_clear(&sql);
	if (rc != SQLITE_OK)
		return inv_db_error(inv, "cannot query inventory");
	if (host_id > 0)
		sqlite3_bind_int64(st, idx++, host_id);
	for (size_t i = 0; i < n; i++)
		bind_value(st, idx++, &match[i]);
	if (host_glob) {
		char *g = inv_glob_sqlite(host_glob);

		if (!g) {
			sqlite3_finalize(st);
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		}
		sqlite3_bind_text(st, idx++, g, -1, free);
	}
	r = inv_rows_collect(out, inv->db, st);
	sqlite3_finalize(st);
	if (r == 0) {
		/* declared types for the generic columns */
		for (size_t c = 0; c < t->cols.size; c++)
			(*out)->types[c + 3] = t->cols.ptr[c].type;
		(*out)->types[0] = (*out)->types[1] = VITK_INV_INT;
	}
	return r;
}

/* ------------------------------------------------------------ read-only SQL */

static int ro_authorizer(void *payload, int action, const char *a, const char *b, const char *c,
			 const char *d)
{
	(void)payload;
	(void)b;
	(void)c;
	(void)d;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_FUNCTION:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		/* only side-effect-free table-valued pragmas such as table_info */
		if (a && (strcmp(a, "table_info") == 0 || strcmp(a, "table_xinfo") == 0 ||
			  strcmp(a, "index_list") == 0 || strcmp(a, "foreign_key_list") == 0))
			return SQLITE_OK;
		return SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

int vitk_inventory_query(vitk_inventory_rows **out, vitk_inventory *inv, const char *sql)
{
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int r;

	*out = NULL;
	if (inv->pg)
		return invpg_query(out, inv, sql);
	sqlite3_set_authorizer(inv->db, ro_authorizer, NULL);
	if (sqlite3_prepare_v2(inv->db, sql, -1, &st, &tail) != SQLITE_OK) {
		r = vitk_error_set(VITK_EINVAL, 0, "query refused: %s", sqlite3_errmsg(inv->db));
		goto out;
	}
	if (!st) {
		r = vitk_error_set(VITK_EINVAL, 0, "query is empty");
		goto out;
	}
	while (tail && isspace((unsigned char)*tail))
		tail++;
	if (tail && *tail && !(tail[0] == ';' && tail[1] == '\0')) {
		r = vitk_error_set(VITK_EINVAL, 0, "query refused: only one statement is allowed");
		goto out;
	}
	if (!sqlite3_stmt_readonly(st)) {
		r = vitk_error_set(VITK_EINVAL, 0, "query refused: the statement writes");
		goto out;
	}
	r = inv_rows_collect(out, inv->db, st);
out:
	sqlite3_finalize(st);
	sqlite3_set_authorizer(inv->db, NULL, NULL);
	return r;
}

/* ------------------------------------------------------------------ hosts */

/* id of the one host matching @sql bound to @arg, 0 if none, -1 if several */
static int64_t host_unique(vitk_inventory *inv, const char *sql, const char *arg, int *r)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int rc, n = 0;

	*r = inv_prepare(inv, sql, &st);
	if (*r < 0)
		return 0;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		*r = inv_db_error(inv, "cannot read hosts");
	return n > 1 ? -1 : id;
}

static int host_touch(vitk_inventory *inv, int64_t id, const char *name, const char *machine_id)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	if (inv->readonly)
		return 0;
	r = inv_prepare(inv,
			"UPDATE hosts SET name = ?1, machine_id = coalesce(machine_id, ?2), "
			"updated_at = ?3 WHERE id = ?4 AND (name IS NOT ?1 OR "
			"(machine_id IS NULL AND ?2 IS NOT NULL))",
			&st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (machine_id)
		sqlite3_bind_text(st, 2, machine_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, inv_now(inv), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : inv_db_error(inv, "cannot update host");
}

/*
 * Identity rules: a machine-id identifies a host.  A host known only by
 * name (an imported ESXi capture, say) is adopted by the first caller that
 * knows its machine-id; a name-only lookup finds the one host of that name.
 */
int vitk_inventory_host_ensure(vitk_inventory *inv, const char *name, const char *machine_id,
			       const char *kind, const char *source, int64_t *out_id)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int r = 0, rc;

	*out_id = 0;
	if (!name || !*name)
		return vitk_error_set(VITK_EINVAL, 0, "host needs a name");
	if (machine_id && !*machine_id)
		machine_id = NULL;
	if (inv->pg)
		return invpg_host_ensure(inv, name, machine_id, kind, source, out_id);
	if (machine_id) {
		id = host_unique(inv, "SELECT id FROM hosts WHERE machine_id = ?", machine_id, &r);
		if (r < 0)
			return r;
		if (id == 0)
			id = host_unique(inv,
					 "SELECT id FROM hosts WHERE machine_id IS NULL AND name = ?",
					 name, &r);
	} else {
		id = host_unique(inv, "SELECT id FROM hosts WHERE machine_id IS NULL AND name = ?",
				 name, &r);
		if (r == 0 && id == 0)
			id = host_unique(inv, "SELECT id FROM hosts WHERE name = ?", name, &r);
	}
	if (r < 0)
		return r;
	if (id > 0) {
		*out_id = id;
		return host_touch(inv, id, name, machine_id);
	}
	if (inv->readonly)
		return vitk_error_set(VITK_ENOTFOUND, 0, "host '%s' is not in the inventory", name);
	r = inv_prepare(inv,
			"INSERT INTO hosts(name, machine_id, kind, source, created_at, updated_at) "
			"VALUES(?, ?, ?, ?, ?, ?)",
			&st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (machine_id)
		sqlite3_bind_text(st, 2, machine_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, kind ? kind : "linux", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, source ? source : "local", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, inv_now(inv), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, inv_now(inv), -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return inv_db_error(inv, "cannot add host");
	*out_id = sqlite3_last_insert_rowid(inv->db);
	return 0;
}

static void read_trimmed(const char *dir, const char *file, char *buf, size_t cap)
{
	char path[4096];
	char *data = NULL;
	size_t len = 0;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (vitk_read_file(path, 4096, &data, &len) < 0) {
		vitk_error_clear();
		return;
	}
	while (len && isspace((unsigned char)data[len - 1]))
		data[--len] = '\0';
	if (len && len < cap && !strchr(data, '\n'))
		memcpy(buf, data, len + 1);
	free(data);
}

int vitk_inventory_host_local(vitk_inventory *inv, const char *etc_root, int64_t *out_id)
{
	char name[256], mid[128];

	read_trimmed(etc_root ? etc_root : "/etc", "hostname", name, sizeof(name));
	if (!name[0] && gethostname(name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "localhost");
	name[sizeof(name) - 1] = '\0';
	read_trimmed(etc_root ? etc_root : "/etc", "machine-id", mid, sizeof(mid));
	for (const char *p = mid; *p; p++)
		if (!isxdigit((unsigned char)*p)) {
			mid[0] = '\0';
			break;
		}
	return vitk_inventory_host_ensure(inv, name, mid[0] ? mid : NULL, "linux", "local", out_id);
}

int vitk_inventory_host_lookup(vitk_inventory *inv, const char *name_or_id, int64_t *out_id)
{
	sqlite3_stmt *st = NULL;
	int r;

	*out_id = 0;
	if (inv->pg)
		return invpg_host_lookup(inv, name_or_id, out_id);
	r = inv_prepare(inv,
			"SELECT id FROM hosts WHERE CAST(id AS TEXT) = ?1 OR machine_id = ?1 OR "
			"name = ?1 ORDER BY (CAST(id AS TEXT) = ?1) DESC, (machine_id = ?1) DESC, id "
			"LIMIT 1",
			&st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name_or_id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		*out_id = sqlite3_column_int64(st, 0);
	else
		r = vitk_error_set(VITK_ENOTFOUND, 0, "no host '%s' in the inventory", name_or_id);
	sqlite3_reset(st);
	return r;
}

/* ---------------------------------------------------------------- reports */

int vitk_inventory_counts(vitk_inventory_rows **out, vitk_inventory *inv)
{
	static const char *const names[] = { "domain", "table", "rows" };
	vitk_inventory_rows *rows = inv_rows_new(3, names);
	char sql[256], num[32];
	int r = 0;

	*out = NULL;
	if (!rows)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (size_t i = 0; i <= inv->tables.size; i++) {
		const char *dom = i == 0 ? "inventory" : inv->tables.ptr[i - 1].domain;
		const char *tab = i == 0 ? "hosts" : inv->tables.ptr[i - 1].name;
		sqlite3_stmt *st = NULL;
		const char *vals[3];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tab);
		if (inv->pg) {
			int64_t n = 0;

			r = invpg_count(inv, tab, &n);
			if (r < 0)
				goto out;
			snprintf(num, sizeof(num), "%lld", (long long)n);
		} else if (sqlite3_prepare_v2(inv->db, sql, -1, &st, NULL) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW) {
			/* registered in another binary but table missing: report 0 */
			snprintf(num, sizeof(num), "0");
		} else {
			snprintf(num, sizeof(num), "%lld", (long long)sqlite3_column_int64(st, 0));
		}
		sqlite3_finalize(st);
		vals[0] = dom;
		vals[1] = tab;
		vals[2] = num;
		r = inv_rows_add_text_row(rows, vals);
		if (r < 0)
			goto out;
	}
	rows->types[2] = VITK_INV_INT;
	*out = rows;
	rows = NULL;
out:
	vitk_inventory_rows_free(rows);
	return r;
}

int vitk_inventory_tables(vitk_inventory_rows **out, vitk_inventory *inv)
{
	static const char *const names[] = { "domain", "table", "columns" };
	vitk_inventory_rows *rows = inv_rows_new(3, names);
	int r = 0;

	*out = NULL;
	if (!rows)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (size_t i = 0; i < inv->tables.size; i++) {
		const inv_table *t = &inv->tables.ptr[i];
		vitk_str cols = VITK_STR_INIT;
		const char *vals[3];

		for (size_t c = 0; c < t->cols.size; c++)
			vitk_str_putf(&cols, "%s%s", c ? "," : "", t->cols.ptr[c].name);
		vals[0] = t->domain;
		vals[1] = t->name;
		vals[2] = cols.ptr;
		r = cols.oom ? VITK_ENOMEM : inv_rows_add_text_row(rows, vals);
		vitk_str_clear(&cols);
		if (r < 0)
			break;
	}
	if (r < 0) {
		vitk_inventory_rows_free(rows);
		return r;
	}
	*out = rows;
	return 0;
}

int vitk_inventory_check(vitk_inventory_rows **out, vitk_inventory *inv)
{
	static const char *const names[] = { "check", "detail" };
	vitk_inventory_rows *rows = inv_rows_new(2, names);
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	*out = NULL;
	if (!rows)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (inv->pg) {
		vitk_inventory_rows_free(rows);
		return invpg_check(out, inv);
	}
	if (sqlite3_prepare_v2(inv->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
		r = inv_db_error(inv, "integrity_check failed");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *msg = (const char *)sqlite3_column_text(st, 0);
		const char *vals[2] = { "integrity", msg };

		if (msg && strcmp(msg, "ok") == 0)
			continue;
		r = inv_rows_add_text_row(rows, vals);
		if (r < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		const char *vals[2] = { "integrity", sqlite3_errmsg(inv->db) };

		r = inv_rows_add_text_row(rows, vals);
		if (r < 0)
			goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(inv->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK) {
		r = inv_db_error(inv, "foreign_key_check failed");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char detail[512];
		const char *vals[2] = { "foreign_key", detail };

		snprintf(detail, sizeof(detail), "%s row %lld references missing %s",
			 (const char *)sqlite3_column_text(st, 0),
			 (long long)sqlite3_column_int64(st, 1),
			 (const char *)sqlite3_column_text(st, 2));
		r = inv_rows_add_text_row(rows, vals);
		if (r < 0)
			goto out;
	}
	*out = rows;
	rows = NULL;
out:
	sqlite3_finalize(st);
	vitk_inventory_rows_free(rows);
	return r;
}
