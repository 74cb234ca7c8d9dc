/* SPDX-License-Identifier: MIT */
/*
 * Export the whole inventory as one JSON document, and merge one back.
 *
 * {
 *   "format": "vitk-inventory", "schema": 1, "exported_at": "...",
 *   "domains": { "odx": 1, ... },
 *   "tables": { "odx_lun": { "domain": "odx",
 *                            "columns": [ {"name": "naa", "type": "text", "flags": 1}, ...] } },
 *   "hosts": [ { "name": ..., "machine_id": ..., "kind": ..., "source": ... } ],
 *   "rows": { "odx_lun": [ { "host": 0, "created_at": ..., "updated_at": ..., "<col>": v } ] }
 * }
 * Rows refer to hosts by their index in "hosts".  Import validates the whole
 * document before it writes anything, then merges in one transaction.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <vitk/common.h>
#include <vitk/str.h>

#include "internal.h"

#define EXPORT_FORMAT "vitk-inventory"

static json_t *cell_json(sqlite3_stmt *st, int c)
{
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, c));
	case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, c));
	case SQLITE_NULL: return json_null();
	default: return json_string((const char *)sqlite3_column_text(st, c));
	}
}

int vitk_inventory_export(vitk_inventory *inv, FILE *f)
{
	json_t *doc = json_object(), *domains = json_object(), *tables = json_object();
	json_t *hosts = json_array(), *rows = json_object();
	sqlite3_stmt *st = NULL;
	char now[21];
	int r = 0, rc;
	/* host id -> index in "hosts" */
	VITK_ARRAY(int64_t) hids = VITK_ARRAY_INIT;

	if (inv->pg) {
		r = vitk_error_set(VITK_ENOTSUP, 0, "export reads a local inventory, not '%s'",
				   inv->path);
		goto out;
	}
	if (!doc || !domains || !tables || !hosts || !rows) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	vitk_inventory_now(now);
	json_object_set_new(doc, "format", json_string(EXPORT_FORMAT));
	json_object_set_new(doc, "schema", json_integer(VITK_INVENTORY_SCHEMA_VERSION));
	json_object_set_new(doc, "exported_at", json_string(now));
	/* one read transaction gives a consistent snapshot */
	sqlite3_exec(inv->db, "BEGIN", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(inv->db, "SELECT name, version FROM vitk_domains ORDER BY name", -1,
			       &st, NULL) != SQLITE_OK) {
		r = inv_db_error(inv, "cannot export domains");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(domains, (const char *)sqlite3_column_text(st, 0),
				    json_integer(sqlite3_column_int(st, 1)));
	sqlite3_finalize(st);
	st = NULL;
	json_object_set(doc, "domains", domains);
	if (sqlite3_prepare_v2(inv->db,
			       "SELECT id, name, machine_id, kind, source, created_at FROM hosts "
			       "ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK) {
		r = inv_db_error(inv, "cannot export hosts");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *h = NULL;

		if (vitk_array_append(hids, sqlite3_column_int64(st, 0)) < 0) {
			r = VITK_ENOMEM;
			goto out;
		}
		h = json_object();
		if (!h) {
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			goto out;
		}
		json_object_set_new(h, "name", cell_json(st, 1));
		json_object_set_new(h, "machine_id", cell_json(st, 2));
		json_object_set_new(h, "kind", cell_json(st, 3));
		json_object_set_new(h, "source", cell_json(st, 4));
		json_object_set_new(h, "created_at", cell_json(st, 5));
		json_array_append_new(hosts, h);
	}
	sqlite3_finalize(st);
	st = NULL;
	json_object_set(doc, "hosts", hosts);
	for (size_t i = 0; i < inv->tables.size; i++) {
		const inv_table *t = &inv->tables.ptr[i];
		json_t *spec = json_object(), *cols = json_array(), *arr = json_array();
		vitk_str sql = VITK_STR_INIT;

		for (size_t c = 0; c < t->cols.size; c++) {
			json_t *cj = json_object();

			json_object_set_new(cj, "name", json_string(t->cols.ptr[c].name));
			json_object_set_new(cj, "type", json_string(inv_type_name(t->cols.ptr[c].type)));
			json_object_set_new(cj, "flags", json_integer(t->cols.ptr[c].flags));
			json_array_append_new(cols, cj);
		}
		json_object_set_new(spec, "domain", json_string(t->domain));
		json_object_set_new(spec, "columns", cols);
		json_object_set_new(tables, t->name, spec);
		vitk_str_puts(&sql, "SELECT host_id, created_at, updated_at");
		for (size_t c = 0; c < t->cols.size; c++)
			vitk_str_putf(&sql, ", %s", t->cols.ptr[c].name);
		vitk_str_putf(&sql, " FROM %s ORDER BY id", t->name);
		if (sql.oom) {
			json_decref(arr);
			r = VITK_ENOMEM;
			goto out;
		}
		rc = sqlite3_prepare_v2(inv->db, sql.ptr, -1, &st, NULL);
		vitk_str_clear(&sql);
		if (rc != SQLITE_OK) {
			/* spec recorded but table missing: export it empty */
			json_object_set_new(rows, t->name, arr);
			continue;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			json_t *row = json_object();
			int64_t hid = sqlite3_column_int64(st, 0);
			size_t hx = 0;

			while (hx < hids.size && hids.ptr[hx] != hid)
				hx++;
			json_object_set_new(row, "host", json_integer((json_int_t)hx));
			json_object_set_new(row, "created_at", cell_json(st, 1));
			json_object_set_new(row, "updated_at", cell_json(st, 2));
			for (size_t c = 0; c < t->cols.size; c++)
				json_object_set_new(row, t->cols.ptr[c].name, cell_json(st, (int)c + 3));
			json_array_append_new(arr, row);
		}
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE) {
			json_decref(arr);
			r = inv_db_error(inv, "cannot export rows");
			goto out;
		}
		json_object_set_new(rows, t->name, arr);
	}
	json_object_set(doc, "tables", tables);
	json_object_set(doc, "rows", rows);
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 || fputc('\n', f) == EOF ||
	    fflush(f) != 0)
		r = vitk_error_set(VITK_EIO, 0, "cannot write the export");
out:
	sqlite3_finalize(st);
	if (inv->db)
		sqlite3_exec(inv->db, "COMMIT", NULL, NULL, NULL);
	vitk_array_clear(hids);
	json_decref(doc);
	json_decref(domains);
	json_decref(tables);
	json_decref(hosts);
	json_decref(rows);
	return r;
}

/* ---------------------------------------------------------------- import */

typedef struct {
	const char *name;
	const char *domain;
	vitk_inventory_column *cols;
	size_t ncols;
	json_t *rows;
} imp_table;

static int bad(const char *what)
{
	return vitk_error_set(VITK_EINVAL, 0, "malformed inventory export: %s", what);
}

static int validate(json_t *doc, imp_table **out_tables, size_t *out_n, size_t *nhosts)
{
	json_t *domains, *tables, *hosts, *rows, *v;
	const char *key;
	imp_table *its = NULL;
	size_t n = 0, i;
	int r = 0;

	*out_tables = NULL;
	*out_n = 0;
	if (!json_is_object(doc))
		return bad("top level is not an object");
	v = json_object_get(doc, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), EXPORT_FORMAT) != 0)
		return bad("'format' is not \"" EXPORT_FORMAT "\"");
	v = json_object_get(doc, "schema");
	if (!json_is_integer(v))
		return bad("'schema' is missing");
	if (json_integer_value(v) > VITK_INVENTORY_SCHEMA_VERSION)
		return vitk_error_set(VITK_EDB, 0,
				      "export has inventory schema %lld, newer than this vitk (%d)",
				      (long long)json_integer_value(v),
				      VITK_INVENTORY_SCHEMA_VERSION);
	domains = json_object_get(doc, "domains");
	tables = json_object_get(doc, "tables");
	hosts = json_object_get(doc, "hosts");
	rows = json_object_get(doc, "rows");
	if (!json_is_object(domains) || !json_is_object(tables) || !json_is_array(hosts) ||
	    !json_is_object(rows))
		return bad("'domains', 'tables', 'hosts' or 'rows' is missing or has the wrong type");
	json_object_foreach(domains, key, v) {
		if (!inv_valid_name(key) || !json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 100000)
			return bad("a domain entry is invalid");
	}
	*nhosts = json_array_size(hosts);
	for (i = 0; i < *nhosts; i++) {
		json_t *h = json_array_get(hosts, i), *nm, *mid;

		nm = json_object_get(h, "name");
		mid = json_object_get(h, "machine_id");
		if (!json_is_object(h) || !json_is_string(nm) || !*json_string_value(nm) ||
		    !(json_is_null(mid) || json_is_string(mid) || !mid))
			return bad("a host entry is invalid");
	}
	its = calloc(json_object_size(tables) + 1, sizeof(*its));
	if (!its)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	json_object_foreach(tables, key, v) {
		json_t *dom = json_object_get(v, "domain"), *cols = json_object_get(v, "columns");
		imp_table *t = &its[n++];

		if (!inv_valid_name(key) || !json_is_string(dom) ||
		    !json_object_get(domains, json_string_value(dom)) || !json_is_array(cols) ||
		    json_array_size(cols) == 0 || json_array_size(cols) > INV_MAX_COLUMNS ||
		    strncmp(key, json_string_value(dom), strlen(json_string_value(dom))) != 0) {
			r = bad("a table spec is invalid");
			goto out;
		}
		t->name = key;
		t->domain = json_string_value(dom);
		t->ncols = json_array_size(cols);
		t->cols = calloc(t->ncols, sizeof(*t->cols));
		if (!t->cols) {
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			goto out;
		}
		for (size_t c = 0; c < t->ncols; c++) {
			json_t *cj = json_array_get(cols, c);
			json_t *cn = json_object_get(cj, "name"), *ct = json_object_get(cj, "type");
			json_t *cf = json_object_get(cj, "flags");

			if (!json_is_string(cn) || !inv_valid_name(json_string_value(cn)) ||
			    !json_is_string(ct) ||
			    inv_type_parse(json_string_value(ct), &t->cols[c].type) < 0 ||
			    !json_is_integer(cf) || json_integer_value(cf) < 0 ||
			    json_integer_value(cf) > 3) {
				r = bad("a column spec is invalid");
				goto out;
			}
			t->cols[c].name = json_string_value(cn);
			t->cols[c].flags = (unsigned)json_integer_value(cf);
		}
		t->rows = json_object_get(rows, key);
		if (t->rows && !json_is_array(t->rows)) {
			r = bad("a rows entry is not an array");
			goto out;
		}
		for (i = 0; t->rows && i < json_array_size(t->rows); i++) {
			json_t *row = json_array_get(t->rows, i), *hx = json_object_get(row, "host");
			const char *ck;
			json_t *cv;

			if (!json_is_object(row) || !json_is_integer(hx) ||
			    json_integer_value(hx) < 0 ||
			    (size_t)json_integer_value(hx) >= *nhosts) {
				r = bad("a row has no valid 'host'");
				goto out;
			}
			json_object_foreach(row, ck, cv) {
				const vitk_inventory_column *col = NULL;

				if (strcmp(ck, "host") == 0)
					continue;
				if (strcmp(ck, "created_at") == 0 || strcmp(ck, "updated_at") == 0) {
					if (!json_is_string(cv)) {
						r = bad("a row timestamp is not a string");
						goto out;
					}
					continue;
				}
				for (size_t c = 0; c < t->ncols; c++)
					if (strcmp(t->cols[c].name, ck) == 0)
						col = &t->cols[c];
				if (!col) {
					r = bad("a row has a column its table does not declare");
					goto out;
				}
				if (json_is_null(cv))
					continue;
				if ((col->type == VITK_INV_TEXT && !json_is_string(cv)) ||
				    (col->type == VITK_INV_INT && !json_is_integer(cv)) ||
				    (col->type == VITK_INV_REAL && !json_is_number(cv))) {
					r = bad("a row value has the wrong type");
					goto out;
				}
			}
		}
	}
	*out_tables = its;
	*out_n = n;
	its = NULL;
out:
	if (its) {
		for (i = 0; i < n; i++)
			free(its[i].cols);
		free(its);
	}
	return r;
}

static void bind_json(sqlite3_stmt *st, int idx, json_t *v)
{
	if (!v || json_is_null(v))
		sqlite3_bind_null(st, idx);
	else if (json_is_integer(v))
		sqlite3_bind_int64(st, idx, json_integer_value(v));
	else if (json_is_real(v))
		sqlite3_bind_double(st, idx, json_real_value(v));
	else
		sqlite3_bind_text(st, idx, json_string_value(v), -1, SQLITE_TRANSIENT);
}

/* merge one row: returns 0 and sets *what to 0 added, 1 updated, 2 unchanged */
static int merge_row(vitk_inventory *inv, const inv_table *t, int64_t host_id, json_t *row,
		     int *what)
{
	vitk_str sql = VITK_STR_INIT;
	sqlite3_stmt *st = NULL;
	int r, idx = 1, rc;
	int64_t existing = 0;
	bool same = false;

	/* 1. find the matching row: by KEY columns, or (no keys) by every column */
	vitk_str_puts(&sql, "SELECT id");
	for (size_t c = 0; c < t->cols.size; c++)
		vitk_str_putf(&sql, ", %s IS ?", t->cols.ptr[c].name);
	vitk_str_putf(&sql, " FROM %s WHERE host_id = ?", t->name);
	for (size_t c = 0; c < t->cols.size; c++)
		if (!t->nkeys || (t->cols.ptr[c].flags & VITK_INV_COL_KEY))
			vitk_str_putf(&sql, " AND %s IS ?", t->cols.ptr[c].name);
	if (!t->nkeys)
		vitk_str_puts(&sql, " AND created_at IS ?");
	r = sql.oom ? VITK_ENOMEM : inv_prepare(inv, sql.ptr, &st);
	if (r < 0)
		goto out;
	for (size_t c = 0; c < t->cols.size; c++)
		bind_json(st, idx++, json_object_get(row, t->cols.ptr[c].name));
	sqlite3_bind_int64(st, idx++, host_id);
	for (size_t c = 0; c < t->cols.size; c++)
		if (!t->nkeys || (t->cols.ptr[c].flags & VITK_INV_COL_KEY))
			bind_json(st, idx++, json_object_get(row, t->cols.ptr[c].name));
	if (!t->nkeys)
		bind_json(st, idx++, json_object_get(row, "created_at"));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		existing = sqlite3_column_int64(st, 0);
		same = true;
		for (size_t c = 0; c < t->cols.size; c++)
			same = same && sqlite3_column_int(st, (int)c + 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		r = inv_db_error(inv, "cannot merge rows");
		goto out;
	}
	if (existing && same) {
		*what = 2;
		goto out;
	}
	vitk_str_truncate(&sql, 0);
	if (existing) {
		vitk_str_putf(&sql, "UPDATE %s SET updated_at = ?", t->name);
		for (size_t c = 0; c < t->cols.size; c++)
			vitk_str_putf(&sql, ", %s = ?", t->cols.ptr[c].name);
		vitk_str_puts(&sql, " WHERE id = ?");
		*what = 1;
	} else {
		vitk_str_putf(&sql, "INSERT INTO %s (updated_at", t->name);
		for (size_t c = 0; c < t->cols.size; c++)
			vitk_str_putf(&sql, ", %s", t->cols.ptr[c].name);
		vitk_str_puts(&sql, ", host_id, created_at) VALUES (?");
		for (size_t c = 0; c < t->cols.size + 2; c++)
			vitk_str_puts(&sql, ", ?");
		vitk_str_puts(&sql, ")");
		*what = 0;
	}
	r = sql.oom ? VITK_ENOMEM : inv_prepare(inv, sql.ptr, &st);
	if (r < 0)
		goto out;
	idx = 1;
	{
		json_t *ua = json_object_get(row, "updated_at");
		char now[21];

		vitk_inventory_now(now);
		if (json_is_string(ua))
			bind_json(st, idx++, ua);
		else
			sqlite3_bind_text(st, idx++, now, -1, SQLITE_TRANSIENT);
		for (size_t c = 0; c < t->cols.size; c++)
			bind_json(st, idx++, json_object_get(row, t->cols.ptr[c].name));
		if (existing) {
			sqlite3_bind_int64(st, idx++, existing);
		} else {
			json_t *ca = json_object_get(row, "created_at");

			sqlite3_bind_int64(st, idx++, host_id);
			if (json_is_string(ca))
				bind_json(st, idx++, ca);
			else
				sqlite3_bind_text(st, idx++, now, -1, SQLITE_TRANSIENT);
		}
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		r = vitk_error_set(VITK_EDB, 0, "cannot merge a row into '%s': %s", t->name,
				   sqlite3_errmsg(inv->db));
out:
	vitk_str_clear(&sql);
	return r;
}

/* refuse a document over @lim before jansson allocates anything for it */
static int import_check_limits(const char *json, size_t len,
			       const vitk_inventory_import_limits *lim)
{
	uint64_t cost;

	if (len > lim->max_bytes)
		return vitk_error_set(VITK_ERANGE, 0,
				      "export is %zu bytes, more than the import limit of %llu",
				      len, (unsigned long long)lim->max_bytes);
	cost = inv_import_cost(json, len);
	if (cost > lim->max_memory)
		return vitk_error_set(VITK_ERANGE, 0,
				      "export would need about %llu MiB to parse, more than the "
				      "import limit of %llu MiB (too many small values)",
				      (unsigned long long)(cost >> 20),
				      (unsigned long long)(lim->max_memory >> 20));
	return 0;
}

int vitk_inventory_import(vitk_inventory *inv, const char *json, size_t len,
			  vitk_inventory_import_stats *stats)
{
	return vitk_inventory_import_limited(inv, json, len, NULL, stats);
}

int vitk_inventory_import_limited(vitk_inventory *inv, const char *json, size_t len,
				  const vitk_inventory_import_limits *limits,
				  vitk_inventory_import_stats *stats)
{
	static const vitk_inventory_import_limits defaults = VITK_INVENTORY_IMPORT_LIMITS_INIT;
	vitk_inventory_import_stats st = { 0 };
	json_error_t jerr;
	json_t *doc = NULL, *hosts, *domains;
	imp_table *its = NULL;
	size_t nt = 0, nh = 0;
	int64_t *hmap = NULL;
	const char *dkey;
	json_t *dv;
	int r;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (inv->readonly)
		return vitk_error_set(VITK_EDB, 0, "inventory '%s' is open read-only", inv->path);
	if (inv->pg)
		return vitk_error_set(VITK_ENOTSUP, 0,
				      "'%s' is a central PostgreSQL inventory: import into a local "
				      "inventory and `vitk inventory push --all-hosts` it",
				      inv->path);
	r = import_check_limits(json, len, limits ? limits : &defaults);
	if (r < 0)
		return r;
	doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return vitk_error_set(VITK_EINVAL, 0, "not valid JSON: %s at line %d column %d",
				      jerr.text, jerr.line, jerr.column);
	r = validate(doc, &its, &nt, &nh);
	if (r < 0)
		goto out;
	domains = json_object_get(doc, "domains");
	json_object_foreach(domains, dkey, dv) {
		unsigned have = 0;
		bool found = false;

		r = inv_domain_version(inv, dkey, &have, &found);
		if (r < 0)
			goto out;
		if (found && (unsigned)json_integer_value(dv) > have) {
			r = vitk_error_set(VITK_EDB, 0,
					   "export has %s schema %lld, newer than this inventory (%u)",
					   dkey, (long long)json_integer_value(dv), have);
			goto out;
		}
	}
	hosts = json_object_get(doc, "hosts");
	hmap = calloc(nh + 1, sizeof(*hmap));
	if (!hmap) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	r = vitk_inventory_begin(inv);
	if (r < 0)
		goto out;
	/* tables this inventory has never seen are created from the export's spec */
	json_object_foreach(domains, dkey, dv) {
		unsigned have = 0;
		bool found = false;

		r = inv_domain_version(inv, dkey, &have, &found);
		if (r < 0)
			goto fail;
		if (!found) {
			r = inv_set_domain_version(inv, dkey, (unsigned)json_integer_value(dv));
			if (r < 0)
				goto fail;
		}
	}
	for (size_t i = 0; i < nt; i++) {
		if (inv_table_find(inv, its[i].name))
			continue;
		r = inv_create_table(inv, its[i].domain, its[i].name, its[i].cols, its[i].ncols);
		if (r < 0)
			goto fail;
	}
	r = inv_tables_load(inv);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < nh; i++) {
		json_t *h = json_array_get(hosts, i);
		json_t *mid = json_object_get(h, "machine_id");
		json_t *kind = json_object_get(h, "kind");
		int64_t before = 0;
		sqlite3_stmt *cnt = NULL;

		if (inv_prepare(inv, "SELECT count(*) FROM hosts", &cnt) == 0 &&
		    sqlite3_step(cnt) == SQLITE_ROW)
			before = sqlite3_column_int64(cnt, 0);
		if (cnt)
			sqlite3_reset(cnt);
		r = vitk_inventory_host_ensure(inv, json_string_value(json_object_get(h, "name")),
					       json_is_string(mid) ? json_string_value(mid) : NULL,
					       json_is_string(kind) ? json_string_value(kind) : NULL,
					       "import", &hmap[i]);
		if (r < 0)
			goto fail;
		if (inv_prepare(inv, "SELECT count(*) FROM hosts", &cnt) == 0 &&
		    sqlite3_step(cnt) == SQLITE_ROW && sqlite3_column_int64(cnt, 0) > before)
			st.hosts_added++;
		if (cnt)
			sqlite3_reset(cnt);
	}
	for (size_t i = 0; i < nt; i++) {
		const inv_table *t = inv_table_find(inv, its[i].name);

		for (size_t k = 0; its[i].rows && k < json_array_size(its[i].rows); k++) {
			json_t *row = json_array_get(its[i].rows, k);
			int what = 0;

			/* columns the local table does not know are ignored (older binary) */
			r = merge_row(inv, t,
				      hmap[json_integer_value(json_object_get(row, "host"))], row,
				      &what);
			if (r < 0)
				goto fail;
			if (what == 0)
				st.rows_added++;
			else if (what == 1)
				st.rows_updated++;
			else
				st.rows_unchanged++;
		}
	}
	r = vitk_inventory_commit(inv);
	if (r < 0)
		goto out;
	if (stats)
		*stats = st;
	goto out;
fail:
	vitk_inventory_rollback(inv);
out:
	if (its) {
		for (size_t i = 0; i < nt; i++)
			free(its[i].cols);
		free(its);
	}
	free(hmap);
	json_decref(doc);
	return r;
}
