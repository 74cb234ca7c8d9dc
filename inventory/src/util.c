/* SPDX-License-Identifier: MIT */
/*
 * Backend-neutral helpers shared by the SQLite and PostgreSQL backends:
 * names, types, table specs, timestamps and uuids.  Calls nothing else in
 * //inventory (docs/architecture.md: no two files of a library call each other).
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vitk/common.h>
#include <vitk/str.h>

#include "internal.h"

void inv_tables_clear(vitk_inventory *inv)
{
	for (size_t i = 0; i < inv->tables.size; i++) {
		inv_table *t = &inv->tables.ptr[i];

		for (size_t c = 0; c < t->cols.size; c++)
			free(t->cols.ptr[c].name);
		vitk_array_clear(t->cols);
		free(t->name);
		free(t->domain);
	}
	vitk_array_clear(inv->tables);
	inv->last_table = NULL;
}

void vitk_inventory_now(char out[21])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void vitk_inventory_uuid(char out[37])
{
	uint8_t b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd >= 0) {
		while (got < sizeof(b)) {
			ssize_t n = read(fd, b + got, sizeof(b) - got);

			if (n <= 0)
				break;
			got += (size_t)n;
		}
		close(fd);
	}
	if (got < sizeof(b)) {
		uint64_t x = vitk_now_ns() ^ ((uint64_t)getpid() << 32);

		for (size_t i = 0; i < sizeof(b); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			b[i] = (uint8_t)x;
		}
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
		 b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
}

bool inv_valid_name(const char *s)
{
	size_t n = 0;

	if (!s || !*s || !islower((unsigned char)*s))
		return false;
	for (; *s; s++, n++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
			return false;
	return n < INV_NAME_MAX;
}

const char *inv_type_name(vitk_inventory_type t)
{
	switch (t) {
	case VITK_INV_INT: return "int";
	case VITK_INV_REAL: return "real";
	default: return "text";
	}
}

int inv_type_parse(const char *s, vitk_inventory_type *out)
{
	if (strcmp(s, "int") == 0)
		*out = VITK_INV_INT;
	else if (strcmp(s, "real") == 0)
		*out = VITK_INV_REAL;
	else if (strcmp(s, "text") == 0)
		*out = VITK_INV_TEXT;
	else
		return VITK_EINVAL;
	return 0;
}

const char *inv_now(vitk_inventory *inv)
{
	time_t t = time(NULL);

	if ((long long)t != inv->now_sec) {
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(inv->now, sizeof(inv->now), "%Y-%m-%dT%H:%M:%SZ", &tm);
		inv->now_sec = (long long)t;
	}
	return inv->now;
}

const inv_table *inv_table_find(vitk_inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->tables.size; i++)
		if (strcmp(inv->tables.ptr[i].name, name) == 0)
			return &inv->tables.ptr[i];
	return NULL;
}

/* columns spec text: "name:type:flags,name:type:flags" */
int inv_parse_spec(const char *spec, inv_table *t)
{
	char *copy = NULL, *save = NULL, *tok;
	int r = 0;

	if (!inv_valid_name(t->name) || !inv_valid_name(t->domain))
		return vitk_error_set(VITK_EDB, 0, "the inventory records an invalid table name");
	copy = strdup(spec);
	if (!copy)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *c1 = strchr(tok, ':'), *c2;
		inv_col *nc;

		if (!c1 || !(c2 = strchr(c1 + 1, ':')) || t->cols.size >= INV_MAX_COLUMNS) {
			r = vitk_error_set(VITK_EDB, 0, "table '%s' has a corrupt column spec",
					   t->name);
			goto out;
		}
		*c1 = *c2 = '\0';
		/* names from a stored spec reach SQL text: the same rule as at registration */
		if (!inv_valid_name(tok)) {
			r = vitk_error_set(VITK_EDB, 0, "table '%s' has a corrupt column spec",
					   t->name);
			goto out;
		}
		nc = vitk_array_push(t->cols);
		if (!nc) {
			r = VITK_ENOMEM;
			goto out;
		}
		nc->name = strdup(tok);
		if (!nc->name) {
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			goto out;
		}
		if (inv_type_parse(c1 + 1, &nc->type) < 0) {
			r = vitk_error_set(VITK_EDB, 0, "table '%s' has a corrupt column spec",
					   t->name);
			goto out;
		}
		nc->flags = (unsigned)strtoul(c2 + 1, NULL, 10);
		if (nc->flags & VITK_INV_COL_KEY)
			t->nkeys++;
	}
out:
	free(copy);
	return r;
}

bool inv_reserved_column(const char *n)
{
	return strcmp(n, "id") == 0 || strcmp(n, "host_id") == 0 || strcmp(n, "host") == 0 ||
	       strcmp(n, "created_at") == 0 || strcmp(n, "updated_at") == 0;
}

bool inv_spec_matches(const inv_table *t, const vitk_inventory_table *want)
{
	if (!t || t->cols.size != want->ncolumns)
		return false;
	for (size_t i = 0; i < t->cols.size; i++)
		if (strcmp(t->cols.ptr[i].name, want->columns[i].name) != 0 ||
		    t->cols.ptr[i].type != want->columns[i].type ||
		    t->cols.ptr[i].flags != want->columns[i].flags)
			return false;
	return true;
}

int inv_check_columns(const char *name, const vitk_inventory_column *cols, size_t n)
{
	if (!inv_valid_name(name))
		return vitk_error_set(VITK_EINVAL, 0, "invalid table name '%s'", name ? name : "");
	if (n == 0 || n > INV_MAX_COLUMNS)
		return vitk_error_set(VITK_EINVAL, 0, "table '%s' needs 1..%d columns", name,
				      INV_MAX_COLUMNS);
	for (size_t i = 0; i < n; i++) {
		if (!inv_valid_name(cols[i].name) || inv_reserved_column(cols[i].name))
			return vitk_error_set(VITK_EINVAL, 0, "table '%s': invalid column name '%s'",
					      name, cols[i].name ? cols[i].name : "");
		if (cols[i].type < VITK_INV_TEXT || cols[i].type > VITK_INV_REAL)
			return vitk_error_set(VITK_EINVAL, 0, "table '%s': column '%s' has no type",
					      name, cols[i].name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(cols[i].name, cols[j].name) == 0)
				return vitk_error_set(VITK_EINVAL, 0,
						      "table '%s': duplicate column '%s'", name,
						      cols[i].name);
	}
	return 0;
}

void inv_spec_text(vitk_str *spec, const vitk_inventory_column *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vitk_str_putf(spec, "%s%s:%s:%u", i ? "," : "", cols[i].name,
			      inv_type_name(cols[i].type), cols[i].flags);
}

int inv_check_domain(const vitk_inventory_domain *domain)
{
	size_t plen;

	if (!domain || !inv_valid_name(domain->name) || domain->version == 0)
		return vitk_error_set(VITK_EINVAL, 0, "invalid domain specification");
	plen = strlen(domain->name);
	for (size_t i = 0; i < domain->ntables; i++) {
		const char *tn = domain->tables[i].name;

		if (!tn || strncmp(tn, domain->name, plen) != 0 || tn[plen] != '_')
			return vitk_error_set(VITK_EINVAL, 0,
					      "table '%s' must be named '%s_...'", tn ? tn : "",
					      domain->name);
	}
	return 0;
}

/* "postgresql://" and "postgres://" URLs and libpq "key=value" conninfo strings */
bool inv_is_pg_target(const char *path)
{
	return path && (strncmp(path, "postgresql://", 13) == 0 ||
			strncmp(path, "postgres://", 11) == 0 ||
			(strchr(path, '=') && !strchr(path, '/') && strstr(path, "dbname=")) ||
			strncmp(path, "service=", 8) == 0);
}

/*
 * @target with any password replaced by "***": the userinfo part of a URL
 * ("user:secret@"), a "password=" query parameter, and a "password=" key of a
 * conninfo string.  Never fails; on OOM returns NULL.
 */
char *inv_redact(const char *target)
{
	vitk_str url = VITK_STR_INIT, out = VITK_STR_INIT;
	const char *p;

	/* 1. the password of a URL's userinfo */
	vitk_str_puts(&url, target);
	if (strstr(target, "://")) {
		const char *auth = strstr(target, "://") + 3;
		size_t alen = strcspn(auth, "/?#");
		const char *at = NULL, *colon = strchr(auth, ':');

		/* userinfo ends at the last '@' of the authority (RFC 3986 section 3.2) */
		for (size_t i = 0; i < alen; i++)
			if (auth[i] == '@')
				at = auth + i;
		if (at && colon && colon < at) {
			vitk_str_truncate(&url, (size_t)(colon - target));
			vitk_str_puts(&url, ":***");
			vitk_str_puts(&url, at);
		}
	}
	if (url.oom) {
		vitk_str_clear(&url);
		return NULL;
	}
	/* 2. every "password=" value, quoted or not */
	p = url.ptr;
	while (*p) {
		const char *pw = strstr(p, "password=");

		if (!pw) {
			vitk_str_puts(&out, p);
			break;
		}
		vitk_str_put(&out, p, (size_t)(pw - p) + 9);
		vitk_str_puts(&out, "***");
		p = pw + 9;
		if (*p == '\'') {
			for (p++; *p && *p != '\''; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p)
				p++;
		} else {
			while (*p && *p != '&' && *p != ' ')
				p++;
		}
	}
	vitk_str_clear(&url);
	return vitk_str_detach(&out);
}

char *inv_glob_regex(const char *glob)
{
	vitk_str re = VITK_STR_INIT;
	bool in_class = false;

	vitk_str_putc(&re, '^');
	for (const char *p = glob; *p; p++) {
		if (in_class) {
			if (*p == ']')
				in_class = false;
			if (*p == '\\')
				vitk_str_putc(&re, '\\');
			vitk_str_putc(&re, *p);
			continue;
		}
		switch (*p) {
		case '*': vitk_str_puts(&re, ".*"); break;
		case '?': vitk_str_putc(&re, '.'); break;
		case '[':
			/* a class needs its closing ']' (as in SQLite GLOB); else it is literal */
			if (!strchr(p + 1 + (p[1] == '^' || p[1] == '!') + (p[1] == ']'), ']')) {
				/* SQLite GLOB matches nothing then: "x^" never matches */
				vitk_str_clear(&re);
				return strdup("x^");
			}
			in_class = true;
			vitk_str_putc(&re, '[');
			if (p[1] == '^' || p[1] == '!') {
				vitk_str_putc(&re, '^');
				p++;
			}
			if (p[1] == ']') {
				vitk_str_putc(&re, ']');
				p++;
			}
			break;
		default:
			if (strchr("\\.^$|()+{}]", *p))
				vitk_str_putc(&re, '\\');
			vitk_str_putc(&re, *p);
		}
	}
	vitk_str_putc(&re, '$');
	return vitk_str_detach(&re);
}

char *inv_glob_sqlite(const char *glob)
{
	char *out = strdup(glob);

	/* the shell's "[!...]" is "[^...]" to SQLite's GLOB */
	for (char *p = out; p && *p; p++)
		if (p[0] == '[' && p[1] == '!')
			p[1] = '^';
	return out;
}
