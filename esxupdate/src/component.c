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
	size_t start;
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
	esxu_col hc[COMP_COLS_MAX];
	bool name = false, version = false;
	size_t i;
	int r;

	r = vitk_esxupdate__table_header(ls, hc, COMP_COLS_MAX, ncols, what, "esxcli software component list");
	for (i = 0; r == 0 && i < *ncols; i++) {
		cols[i].start = hc[i].start;
		cols[i].f = cfield_of(hc[i].title, hc[i].title_len);
		name |= cols[i].f == C_NAME;
		version |= cols[i].f == C_VERSION;
	}
	if (r == 0 && (!name || !version))
		r = vitk_error_set(VITK_EINVAL, 0, "%s line %zu: header has no 'Name' and 'Version' columns", what,
				   ls->lineno - 1);
	return r;
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

/* ------------------------------------------------ component apply */

typedef VITK_ARRAY(const vitk_esxupdate_bulletin *) comp_refs;

static void note(vitk_esxupdate_result *res, const char *text, int *r)
{
	if (*r == 0 && !vitk_esxupdate__strv_has(&res->assumptions, text))
		*r = vitk_esxupdate__strv_add(&res->assumptions, text);
}

/* "name" or "name:version" selects bulletin @b */
static bool selected(const vitk_esxupdate_command *cmd, const vitk_esxupdate_bulletin *b)
{
	size_t i, n = strlen(b->component_name);

	if (cmd->ncomponents == 0)
		return true;
	for (i = 0; i < cmd->ncomponents; i++) {
		const char *s = cmd->components[i];

		if (strcmp(s, b->component_name) == 0 ||
		    (strncmp(s, b->component_name, n) == 0 && s[n] == ':' && strcmp(s + n + 1, b->component_version) == 0))
			return true;
	}
	return false;
}

/* the newest selected component of each name in the depot */
static int newest_components(const vitk_esxupdate_depot *d, const vitk_esxupdate_command *cmd,
			     comp_refs *out)
{
	size_t i, k;

	for (i = 0; i < vitk_esxupdate_depot_bulletin_count(d); i++) {
		const vitk_esxupdate_bulletin *b = vitk_esxupdate_depot_bulletin(d, i);
		bool replaced = false;

		if (!b->component_name || !selected(cmd, b))
			continue;
		for (k = 0; k < out->size; k++)
			if (strcmp(out->ptr[k]->component_name, b->component_name) == 0) {
				if (vitk_esxupdate_version_cmp(b->component_version, out->ptr[k]->component_version) > 0)
					out->ptr[k] = b;
				replaced = true;
			}
		if (!replaced && vitk_array_append(*out, b) < 0)
			return VITK_ENOMEM;
	}
	return 0;
}

static const vitk_esxupdate_component *host_component(const vitk_esxupdate_host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->comps.size; i++)
		if (strcmp(h->comps.ptr[i].name, name) == 0)
			return &h->comps.ptr[i];
	return NULL;
}

static int comp_list_add(esxu_strv *l, const char *name, const char *version)
{
	char *s = vitk_esxupdate__printf("%s_%s", name, version);
	int r = s ? vitk_esxupdate__strv_add(l, s) : vitk_error_set(VITK_ENOMEM, 0, "out of memory");

	free(s);
	return r;
}

/* one depot component against the host's: apply it, skip it, or refuse the downgrade */
static int weigh_component(vitk_esxupdate_result *res, const vitk_esxupdate_host *h,
			   const vitk_esxupdate_bulletin *b, bool *apply)
{
	const vitk_esxupdate_component *hc = host_component(h, b->component_name);
	int cmp = hc ? vitk_esxupdate_version_cmp(b->component_version, hc->version) : 1;
	char *line;
	int r;

	*apply = cmp > 0;
	if (cmp == 0)
		return comp_list_add(&res->comp_lists[VITK_ESXUPDATE_LIST_SKIPPED], b->component_name,
				     b->component_version);
	if (cmp > 0) {
		r = comp_list_add(&res->comp_lists[VITK_ESXUPDATE_LIST_INSTALLED], b->component_name,
				  b->component_version);
		if (r == 0 && hc)
			r = comp_list_add(&res->comp_lists[VITK_ESXUPDATE_LIST_REMOVED], hc->name, hc->version);
		return r;
	}
	line = vitk_esxupdate__printf("Downgrades of manually added Components %s(%s) are not supported. "
				      "Add the Components of matching or higher version to the image.",
				      hc->name, hc->version);
	r = line ? vitk_esxupdate__strv_add(&res->comp_downgrades, line) : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	free(line);
	return r;
}

int vitk_esxupdate__components_select(vitk_esxupdate_result *res, const vitk_esxupdate_host *h,
				      const vitk_esxupdate_depot *d, const vitk_esxupdate_command *cmd,
				      const vitk_esxupdate_vib **pool, size_t *npool)
{
	comp_refs comps = VITK_ARRAY_INIT;
	size_t i, k;
	int r;

	r = newest_components(d, cmd, &comps);
	if (r == 0 && comps.size == 0) {
		res->error = vitk_esxupdate__printf("[NoMatchError]\n No component matching %s in the depot\nPlease refer to the log file for more details.",
						    cmd->ncomponents ? cmd->components[0] : "any name");
		if (!res->error)
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		note(res, "the [NoMatchError] text for a component apply that selects nothing is modelled", &r);
	}
	if (h->comps.size == 0)
		note(res, "no `component list` capture: every component of the depot counts as new on the host", &r);
	note(res, "component apply applies the newest selected component of each name; its VIBs replace installed VIBs as vib install does", &r);
	for (i = 0; r == 0 && i < comps.size; i++) {
		bool apply = false;

		r = weigh_component(res, h, comps.ptr[i], &apply);
		for (k = 0; r == 0 && apply && k < comps.ptr[i]->nvib_ids; k++) {
			const vitk_esxupdate_vib *v = vitk_esxupdate_depot_find_id(d, comps.ptr[i]->vib_ids[k]);

			if (v)
				pool[(*npool)++] = v;
		}
	}
	if (r == 0 && res->comp_downgrades.size)
		note(res, "a component downgrade is refused with vLCM's wording (Broadcom KB 440252); the esxcli text is not known", &r);
	for (i = 0; r == 0 && i < VITK_ESXUPDATE_LIST_COUNT; i++)
		vitk_esxupdate__strv_sort(&res->comp_lists[i]);
	vitk_array_clear(comps);
	return r;
}
