/* SPDX-License-Identifier: MIT */
/*
 * ESXi 7.0/8.0 components on the host: `esxcli software component list`
 * captures (docs/esxupdate-facts.md "Components").  Columns are found from
 * the dashed separator line under the header, as in the vib list; 7.0 has
 * Name, Display Name, Version, Display Version, Vendor, Release Date and
 * Acceptance Level, 8.0 adds Platforms.  Unknown columns are ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esxu.h"

#define COMP_MAX 20000
#define COMP_COLS_MAX 16
#define COMP_LINE_MAX 65536

enum cfield { C_NONE, C_NAME, C_DNAME, C_VERSION, C_DVERSION, C_VENDOR, C_DATE, C_ACC, C_PLATFORMS };

struct ccol {
	size_t start, end;
	enum cfield f;
};

static enum cfield cfield_of(const char *s, size_t n)
{
	static const struct {
		const char *key;
		enum cfield f;
	} keys[] = {
		{ "name", C_NAME },         { "displayname", C_DNAME }, { "version", C_VERSION },
		{ "displayversion", C_DVERSION }, { "vendor", C_VENDOR }, { "releasedate", C_DATE },
		{ "acceptancelevel", C_ACC }, { "platforms", C_PLATFORMS },
	};
	char k[48];
	size_t i;

	vitk_esxupdate__norm_key(k, sizeof(k), s, n);
	for (i = 0; i < VITK_ARRAY_SIZE(keys); i++)
		if (strcmp(k, keys[i].key) == 0)
			return keys[i].f;
	return C_NONE;
}

void vitk_esxupdate__component_dispose(vitk_esxupdate_component *c)
{
	free(c->name);
	free(c->display_name);
	free(c->version);
	free(c->display_version);
	free(c->vendor);
	free(c->release_date);
	free(c->platforms);
	memset(c, 0, sizeof(*c));
}

static void clear_components(vitk_esxupdate_host *h)
{
	size_t i;

	for (i = 0; i < h->comps.size; i++)
		vitk_esxupdate__component_dispose(&h->comps.ptr[i]);
	h->comps.size = 0;
}

void vitk_esxupdate__host_components_free(vitk_esxupdate_host *h)
{
	clear_components(h);
	vitk_array_clear(h->comps);
}

size_t vitk_esxupdate_host_component_count(const vitk_esxupdate_host *h)
{
	return h ? h->comps.size : 0;
}

const vitk_esxupdate_component *vitk_esxupdate_host_component(const vitk_esxupdate_host *h, size_t i)
{
	return h && i < h->comps.size ? &h->comps.ptr[i] : NULL;
}

static vitk_esxupdate_component *add_component(vitk_esxupdate_host *h, const char *what)
{
	if (h->comps.size >= COMP_MAX) {
		vitk_error_set(VITK_ERANGE, 0, "%s: more than %d components", what, COMP_MAX);
		return NULL;
	}
	return vitk_array_push(h->comps);
}

static int set_cell(vitk_esxupdate_component *c, enum cfield f, const char *s, size_t n)
{
	char *v = vitk_esxupdate__trim_dup(s, n), **dst = NULL;

	if (!v)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	switch (f) {
	case C_NAME: dst = &c->name; break;
	case C_DNAME: dst = &c->display_name; break;
	case C_VERSION: dst = &c->version; break;
	case C_DVERSION: dst = &c->display_version; break;
	case C_VENDOR: dst = &c->vendor; break;
	case C_DATE: dst = &c->release_date; break;
	case C_PLATFORMS: dst = &c->platforms; break;
	case C_ACC: c->acceptance = vitk_esxupdate_acceptance_parse(v); break;
	case C_NONE: break;
	}
	if (!dst || !*v) {
		free(v);
		return 0;
	}
	free(*dst);
	*dst = v;
	return 0;
}

/* the separator line's dash runs, the header line above it names them */
static int read_header(esxu_lines *ls, struct ccol *cols, size_t *ncols, const char *what)
{
	const char *prev = NULL, *s = NULL;
	size_t prevn = 0, n = 0, i;
	bool name = false, version = false;

	for (;;) {
		bool sep;

		if (!vitk_esxupdate__next_line(ls, &s, &n))
			return vitk_error_set(VITK_EINVAL, 0,
					      "%s: no column separator line ('----  ----') found: not `esxcli software component list` output",
					      what);
		sep = n >= 3 && s[0] == '-';
		for (i = 0; sep && i < n; i++)
			sep = s[i] == '-' || s[i] == ' ';
		if (sep && prev)
			break;
		if (!vitk_esxupdate__blank(s, n)) {
			prev = s;
			prevn = n;
		}
	}
	*ncols = 0;
	for (i = 0; i < n;) {
		while (i < n && s[i] == ' ')
			i++;
		if (i >= n)
			break;
		if (*ncols == COMP_COLS_MAX)
			return vitk_error_set(VITK_EINVAL, 0, "%s line %zu: more than %d columns", what,
					      ls->lineno, COMP_COLS_MAX);
		cols[*ncols].start = i;
		while (i < n && s[i] == '-')
			i++;
		cols[(*ncols)++].end = i;
	}
	for (i = 0; i < *ncols; i++) {
		size_t st = cols[i].start, en = i + 1 < *ncols ? cols[i + 1].start : prevn;

		if (st >= prevn || prev[st] == ' ')
			return vitk_error_set(VITK_EINVAL, 0,
					      "%s line %zu: header is not aligned with the separator line (shifted columns)",
					      what, ls->lineno - 1);
		cols[i].f = cfield_of(prev + st, (en < prevn ? en : prevn) - st);
		name |= cols[i].f == C_NAME;
		version |= cols[i].f == C_VERSION;
	}
	if (!name || !version)
		return vitk_error_set(VITK_EINVAL, 0, "%s line %zu: header has no 'Name' and 'Version' columns",
				      what, ls->lineno - 1);
	return 0;
}

static int check_component(const vitk_esxupdate_host *h, const vitk_esxupdate_component *c, const char *what,
			   size_t lineno)
{
	size_t i;

	if (!c->name || !c->version || strchr(c->name, ' ') || strchr(c->version, ' '))
		return vitk_error_set(VITK_EINVAL, 0, "%s line %zu: no component name and version (shifted columns?)",
				      what, lineno);
	if (vitk_esxupdate_version_check(c->version) < 0)
		return vitk_error_prefix("%s line %zu: component '%s': ", what, lineno, c->name);
	for (i = 0; i + 1 < h->comps.size; i++)
		if (strcmp(h->comps.ptr[i].name, c->name) == 0)
			return vitk_error_set(VITK_EINVAL, 0, "%s line %zu: component '%s' listed twice", what,
					      lineno, c->name);
	return 0;
}

int vitk_esxupdate_host_parse_component_list(vitk_esxupdate_host *h, const char *buf, size_t len,
					     const char *what)
{
	esxu_lines ls = { buf, buf + len, 0 };
	struct ccol cols[COMP_COLS_MAX];
	const char *s;
	size_t ncols = 0, n, i;
	int r;

	if (!buf || len > VITK_ESXUPDATE_INPUT_MAX || memchr(buf, '\0', len))
		return vitk_error_set(VITK_EINVAL, 0, "%s: not `esxcli software component list` text", what);
	r = read_header(&ls, cols, &ncols, what);
	if (r < 0)
		return r;
	clear_components(h);
	while (r == 0 && vitk_esxupdate__next_line(&ls, &s, &n)) {
		vitk_esxupdate_component *c;

		if (vitk_esxupdate__blank(s, n))
			continue;
		if (s[0] == '[' || s[0] == '~' || s[0] == '#')
			break; /* the next prompt ends the table */
		if (n > COMP_LINE_MAX)
			return vitk_error_set(VITK_EINVAL, 0, "%s line %zu: line too long", what, ls.lineno);
		c = add_component(h, what);
		if (!c)
			return vitk_error_last()->code;
		for (i = 0; r == 0 && i < ncols && cols[i].start < n; i++) {
			size_t en = i + 1 < ncols && cols[i + 1].start < n ? cols[i + 1].start : n;

			r = set_cell(c, cols[i].f, s + cols[i].start, en - cols[i].start);
		}
		if (r == 0)
			r = check_component(h, c, what, ls.lineno);
	}
	if (r < 0)
		clear_components(h);
	return r;
}
