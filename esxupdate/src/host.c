/* SPDX-License-Identifier: MIT */
/*
 * Host state from esxcli captures: `software vib list` (text, csv, xml),
 * `software vib get` (text, xml), `software profile get` /
 * `software acceptance get`, and `lspci` / `hardware pci list`.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>

#include "esxu.h"

#define HOST_MAX_VIBS 20000
#define HOST_MAX_PCI 4096
#define LINE_MAX_LEN 65536

int vitk_esxupdate_host_new(vitk_esxupdate_host **out)
{
	vitk_esxupdate_host *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	*out = h;
	return 0;
}

static void clear_vibs(vitk_esxupdate_host *h)
{
	size_t i;

	for (i = 0; i < h->vibs.size; i++)
		vitk_esxupdate__vib_dispose(&h->vibs.ptr[i]);
	h->vibs.size = 0;
}

static const vitk_esxupdate_host *sort_host; /* qsort has no context argument */

static int cmp_byname(const void *a, const void *b)
{
	return strcmp(sort_host->vibs.ptr[*(const size_t *)a].name, sort_host->vibs.ptr[*(const size_t *)b].name);
}

void vitk_esxupdate__host_reindex(vitk_esxupdate_host *h)
{
	size_t i;

	free(h->byname);
	h->byname = NULL;
	h->nbyname = 0;
	for (i = 0; i < h->vibs.size; i++)
		if (!h->vibs.ptr[i].name)
			return;
	h->byname = malloc((h->vibs.size + 1) * sizeof(*h->byname));
	if (!h->byname)
		return;
	for (i = 0; i < h->vibs.size; i++)
		h->byname[i] = i;
	sort_host = h;
	qsort(h->byname, h->vibs.size, sizeof(*h->byname), cmp_byname);
	sort_host = NULL;
	h->nbyname = h->vibs.size;
}

void vitk_esxupdate_host_free(vitk_esxupdate_host *h)
{
	size_t i;

	if (!h)
		return;
	free(h->byname);
	clear_vibs(h);
	vitk_array_clear(h->vibs);
	for (i = 0; i < h->pci.size; i++) {
		free(h->pci.ptr[i].address);
		free(h->pci.ptr[i].vmkname);
		free(h->pci.ptr[i].module);
	}
	vitk_array_clear(h->pci);
	free(h->profile);
	free(h->profile_vendor);
	vitk_esxupdate__host_components_free(h);
	free(h);
}

static vitk_esxupdate_vib *host_add_vib(vitk_esxupdate_host *h)
{
	vitk_esxupdate_vib *v;

	if (h->vibs.size >= HOST_MAX_VIBS) {
		vitk_error_set(VITK_ERANGE, 0, "more than %d VIBs", HOST_MAX_VIBS);
		return NULL;
	}
	v = vitk_array_push(h->vibs);
	if (!v)
		return NULL;
	v->maintenance_mode = v->live_install = v->live_remove = v->reboot_required =
		VITK_ESXUPDATE_UNSET;
	return v;
}

size_t vitk_esxupdate_host_vib_count(const vitk_esxupdate_host *h)
{
	return h ? h->vibs.size : 0;
}

const vitk_esxupdate_vib *vitk_esxupdate_host_vib(const vitk_esxupdate_host *h, size_t i)
{
	return h && i < h->vibs.size ? &h->vibs.ptr[i] : NULL;
}

const vitk_esxupdate_vib *vitk_esxupdate_host_find(const vitk_esxupdate_host *h, const char *name)
{
	size_t i;

	if (h && h->byname && h->nbyname == h->vibs.size) {
		size_t lo = 0, hi = h->nbyname;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strcmp(h->vibs.ptr[h->byname[mid]].name, name);

			if (c == 0)
				return &h->vibs.ptr[h->byname[mid]];
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return NULL;
	}
	for (i = 0; h && i < h->vibs.size; i++)
		if (h->vibs.ptr[i].name && strcmp(h->vibs.ptr[i].name, name) == 0)
			return &h->vibs.ptr[i];
	return NULL;
}

size_t vitk_esxupdate_host_pci_count(const vitk_esxupdate_host *h)
{
	return h ? h->pci.size : 0;
}

const vitk_esxupdate_pci_dev *vitk_esxupdate_host_pci(const vitk_esxupdate_host *h, size_t i)
{
	return h && i < h->pci.size ? &h->pci.ptr[i] : NULL;
}

const char *vitk_esxupdate_host_profile(const vitk_esxupdate_host *h)
{
	return h ? h->profile : NULL;
}

vitk_esxupdate_acceptance vitk_esxupdate_host_acceptance(const vitk_esxupdate_host *h)
{
	return h ? h->acceptance : VITK_ESXUPDATE_ACC_UNKNOWN;
}

const char *vitk_esxupdate_host_list_format(const vitk_esxupdate_host *h)
{
	return h && h->list_format[0] ? h->list_format : NULL;
}

static int check_input(const char *buf, size_t len, const char *what)
{
	if (!buf)
		return vitk_error_set(VITK_EINVAL, 0, "%s: no input", what);
	if (len > VITK_ESXUPDATE_INPUT_MAX)
		return vitk_error_set(VITK_ERANGE, 0, "%s: %zu bytes exceeds the %u byte limit", what,
				      len, VITK_ESXUPDATE_INPUT_MAX);
	if (memchr(buf, '\0', len))
		return vitk_error_set(VITK_EINVAL, 0, "%s: binary data (NUL byte) in esxcli output",
				      what);
	return 0;
}

/* which VIB field a column/field name maps to */
enum vfield { F_NONE, F_NAME, F_VERSION, F_VENDOR, F_ACC, F_INSTALL, F_ID, F_TYPE, F_SUMMARY };

static enum vfield field_of(const char *raw, size_t n)
{
	char k[48];

	vitk_esxupdate__norm_key(k, sizeof(k), raw, n);
	if (strcmp(k, "name") == 0)
		return F_NAME;
	if (strcmp(k, "version") == 0)
		return F_VERSION;
	if (strcmp(k, "vendor") == 0)
		return F_VENDOR;
	if (strcmp(k, "acceptancelevel") == 0)
		return F_ACC;
	if (strcmp(k, "installdate") == 0)
		return F_INSTALL;
	if (strcmp(k, "id") == 0)
		return F_ID;
	if (strcmp(k, "type") == 0)
		return F_TYPE;
	if (strcmp(k, "summary") == 0)
		return F_SUMMARY;
	return F_NONE;
}

static int set_field(vitk_esxupdate_vib *v, enum vfield f, const char *s, size_t n)
{
	char *val = vitk_esxupdate__trim_dup(s, n), **dst = NULL;

	if (!val)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	switch (f) {
	case F_NAME: dst = &v->name; break;
	case F_VERSION: dst = &v->version; break;
	case F_VENDOR: dst = &v->vendor; break;
	case F_INSTALL: dst = &v->install_date; break;
	case F_ID: dst = &v->id; break;
	case F_TYPE: dst = &v->type; break;
	case F_SUMMARY: dst = &v->summary; break;
	case F_ACC:
		v->acceptance = vitk_esxupdate_acceptance_parse(val);
		free(val);
		return 0;
	default:
		free(val);
		return 0;
	}
	if (!*val) {
		free(val);
		return 0;
	}
	free(*dst);
	*dst = val;
	return 0;
}

static int finish_vib(vitk_esxupdate_vib *v, const char *what, size_t lineno)
{
	char ctx[300];
	int r;

	snprintf(ctx, sizeof(ctx), "%s line %zu", what, lineno);
	r = vitk_esxupdate__vib_complete(v, ctx);
	return r;
}

static int check_dupes(vitk_esxupdate_host *h, const char *what)
{
	size_t i;

	vitk_esxupdate__host_reindex(h);
	for (i = 0; h->byname && i + 1 < h->nbyname; i++) {
		const vitk_esxupdate_vib *a = &h->vibs.ptr[h->byname[i]], *b = &h->vibs.ptr[h->byname[i + 1]];

		if (strcmp(a->name, b->name) == 0)
			return vitk_error_set(VITK_EINVAL, 0, "%s: VIB '%s' listed twice (%s and %s)", what,
					      a->name, a->version, b->version);
	}
	return 0;
}

/* ------------------------------------------------ vib list: text table */

#define MAX_COLS 16

struct col {
	size_t start, end; /* [start, end) in the line; last column open-ended */
	enum vfield f;
	char title[48];
};

static int parse_list_text(vitk_esxupdate_host *h, const char *buf, size_t len, const char *what)
{
	esxu_lines ls = { buf, buf + len, 0 };
	const char *prev = NULL, *s;
	size_t prevn = 0, n, ncols = 0, i, sepline = 0;
	struct col cols[MAX_COLS];
	bool have_name = false, have_version = false;
	int r;

	/* find the dashed separator line: only '-' and ' ', at least one run of 3+ dashes */
	while (vitk_esxupdate__next_line(&ls, &s, &n)) {
		bool ok = n >= 3 && s[0] == '-';

		for (i = 0; ok && i < n; i++)
			if (s[i] != '-' && s[i] != ' ')
				ok = false;
		if (ok && prev) {
			sepline = ls.lineno;
			break;
		}
		if (!vitk_esxupdate__blank(s, n)) {
			prev = s;
			prevn = n;
		}
	}
	if (!sepline)
		return vitk_error_set(VITK_EINVAL, 0,
				      "%s: no column separator line ('----  ----') found: not `esxcli software vib list` output",
				      what);
	for (i = 0; i < n;) {
		size_t st;

		while (i < n && s[i] == ' ')
			i++;
		if (i >= n)
			break;
		st = i;
		while (i < n && s[i] == '-')
			i++;
		if (ncols == MAX_COLS)
			return vitk_error_set(VITK_EINVAL, 0, "%s line %zu: more than %d columns", what,
					      sepline, MAX_COLS);
		cols[ncols].start = st;
		cols[ncols].end = i;
		ncols++;
	}
	for (i = 0; i < ncols; i++) {
		size_t st = cols[i].start, en = i + 1 < ncols ? cols[i].end : prevn;

		if (st >= prevn)
			return vitk_error_set(VITK_EINVAL, 0,
					      "%s line %zu: header is shorter than the separator line",
					      what, sepline - 1);
		if (en > prevn)
			en = prevn;
		{
			char *t = vitk_esxupdate__trim_dup(prev + st, en - st);

			if (!t)
				return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			vitk_esxupdate__strlcpy(cols[i].title, t, sizeof(cols[i].title));
			free(t);
		}
		/* header text must start at the column start and not spill into the gap */
		if (prev[st] == ' ' || (i + 1 < ncols && cols[i].end < prevn && prev[cols[i].end] != ' '))
			return vitk_error_set(VITK_EINVAL, 0,
					      "%s line %zu: header '%s' is not aligned with the separator line (shifted columns)",
					      what, sepline - 1, cols[i].title);
		cols[i].f = field_of(cols[i].title, strlen(cols[i].title));
		have_name |= cols[i].f == F_NAME;
		have_version |= cols[i].f == F_VERSION;
	}
	if (!have_name || !have_version)
		return vitk_error_set(VITK_EINVAL, 0,
				      "%s line %zu: header has no 'Name' and 'Version' columns", what,
				      sepline - 1);
	clear_vibs(h);
	while (vitk_esxupdate__next_line(&ls, &s, &n)) {
		vitk_esxupdate_vib *v;

		if (vitk_esxupdate__blank(s, n))
			continue;
		if (n > LINE_MAX_LEN)
			return vitk_error_set(VITK_EINVAL, 0, "%s line %zu: line too long", what,
					      ls.lineno);
		/* a prompt line after the table ends it ("[root@esx:~] ...") */
		if (s[0] == '[' || s[0] == '~' || s[0] == '#')
			break;
		v = host_add_vib(h);
		if (!v)
			return vitk_error_prefix("%s: ", what);
		for (i = 0; i < ncols; i++) {
			size_t st = cols[i].start;
			size_t en = i + 1 < ncols ? cols[i + 1].start : n;

			if (st >= n) {
				if (cols[i].f == F_NAME || cols[i].f == F_VERSION)
					return vitk_error_set(VITK_EINVAL, 0,
							      "%s line %zu: row ends before column '%s' (shifted columns)",
							      what, ls.lineno, cols[i].title);
				continue;
			}
			if (en > n)
				en = n;
			/*
			 * esxcli left-aligns every cell at the column start and
			 * pads with spaces: a cell starting with a blank, or text
			 * in the gap before the next column, means the row does
			 * not line up with the separator line.
			 */
			if (s[st] == ' ' && !vitk_esxupdate__blank(s + st, en - st))
				return vitk_error_set(VITK_EINVAL, 0,
						      "%s line %zu: column '%s' does not start at offset %zu (shifted columns)",
						      what, ls.lineno, cols[i].title, st);
			if (i + 1 < ncols && cols[i].end < n && cols[i].end < en &&
			    !vitk_esxupdate__blank(s + cols[i].end, en - cols[i].end))
				return vitk_error_set(VITK_EINVAL, 0,
						      "%s line %zu: text in the gap after column '%s' (shifted columns)",
						      what, ls.lineno, cols[i].title);
			if (i + 1 < ncols && en >= 1 && en <= n && en > st && s[en - 1] != ' ')
				return vitk_error_set(VITK_EINVAL, 0,
						      "%s line %zu: column '%s' runs into column '%s' (shifted columns)",
						      what, ls.lineno, cols[i].title, cols[i + 1].title);
			r = set_field(v, cols[i].f, s + st, en - st);
			if (r < 0)
				return r;
		}
		if (v->name && strchr(v->name, ' '))
			return vitk_error_set(VITK_EINVAL, 0,
					      "%s line %zu: VIB name '%s' contains a blank (shifted columns)",
					      what, ls.lineno, v->name);
		if (v->version && strchr(v->version, ' '))
			return vitk_error_set(VITK_EINVAL, 0,
					      "%s line %zu: version '%s' contains a blank (shifted columns)",
					      what, ls.lineno, v->version);
		r = finish_vib(v, what, ls.lineno);
		if (r < 0)
			return r;
	}
	snprintf(h->list_format, sizeof(h->list_format), "text");
	return check_dupes(h, what);
}

/* ------------------------------------------------- vib list: csv */

/* split one RFC 4180 record starting at *pp; fields appended to sv */
static int csv_record(const char **pp, const char *end, esxu_strv *sv, const char *what,
		      size_t *lineno)
{
	const char *p = *pp;
	vitk_str f = VITK_STR_INIT;
	int r = 0;

	for (;;) {
		vitk_str_truncate(&f, 0);
		if (p < end && *p == '"') {
			p++;
			for (;;) {
				if (p >= end) {
					r = vitk_error_set(VITK_EINVAL, 0,
							   "%s line %zu: unterminated quoted field", what,
							   *lineno);
					goto out;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						vitk_str_put(&f, "\"", 1);
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\n')
					(*lineno)++;
				vitk_str_put(&f, p, 1);
				p++;
			}
		} else {
			const char *st = p;

			while (p < end && *p != ',' && *p != '\n' && *p != '\r')
				p++;
			vitk_str_put(&f, st, (size_t)(p - st));
		}
		if (f.oom) {
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			goto out;
		}
		if (sv->size >= 64) {
			r = vitk_error_set(VITK_EINVAL, 0, "%s line %zu: more than 64 fields", what,
					   *lineno);
			goto out;
		}
		r = vitk_esxupdate__strv_add(sv, f.ptr);
		if (r < 0)
			goto out;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n') {
			p++;
			(*lineno)++;
			break;
		}
		if (p >= end)
			break;
		r = vitk_error_set(VITK_EINVAL, 0, "%s line %zu: garbage after a quoted field", what,
				   *lineno);
		goto out;
	}
out:
	vitk_str_clear(&f);
	*pp = p;
	return r;
}

static int parse_list_csv(vitk_esxupdate_host *h, const char *buf, size_t len, const char *what)
{
	const char *p = buf, *end = buf + len;
	esxu_strv hdr = { 0 }, row = { 0 };
	enum vfield map[64];
	size_t lineno = 1, i, startline;
	bool have_name = false, have_version = false, have_id = false;
	int r;

	r = csv_record(&p, end, &hdr, what, &lineno);
	if (r < 0)
		goto out;
	for (i = 0; i < hdr.size; i++) {
		map[i] = field_of(hdr.ptr[i], strlen(hdr.ptr[i]));
		have_name |= map[i] == F_NAME;
		have_version |= map[i] == F_VERSION;
		have_id |= map[i] == F_ID;
	}
	if (!(have_name && have_version) && !have_id) {
		r = vitk_error_set(VITK_EINVAL, 0, "%s line 1: CSV header has no Name/Version or ID column",
				   what);
		goto out;
	}
	clear_vibs(h);
	while (p < end) {
		vitk_esxupdate_vib *v;

		vitk_esxupdate__strv_dispose(&row);
		startline = lineno;
		r = csv_record(&p, end, &row, what, &lineno);
		if (r < 0)
			goto out;
		if (row.size == 1 && vitk_esxupdate__blank(row.ptr[0], strlen(row.ptr[0])))
			continue;
		if (row.size != hdr.size) {
			r = vitk_error_set(VITK_EINVAL, 0,
					   "%s line %zu: %zu fields, the header has %zu (shifted columns)",
					   what, startline, row.size, hdr.size);
			goto out;
		}
		v = host_add_vib(h);
		if (!v) {
			r = vitk_error_prefix("%s: ", what);
			goto out;
		}
		for (i = 0; i < row.size; i++) {
			r = set_field(v, map[i], row.ptr[i], strlen(row.ptr[i]));
			if (r < 0)
				goto out;
		}
		r = finish_vib(v, what, startline);
		if (r < 0)
			goto out;
	}
	snprintf(h->list_format, sizeof(h->list_format), "csv");
	r = check_dupes(h, what);
out:
	vitk_esxupdate__strv_dispose(&hdr);
	vitk_esxupdate__strv_dispose(&row);
	return r;
}

/* ---------------------------------------------- esxcli --formatter=xml */

/*
 * <output><root><list type="structure"><structure typeName="VIBSummary">
 *   <field name="Name"><string>x</string></field>
 *   <field name="Depends"><list type="string"><string>a</string>..</list></field>
 * A single `vib get` may return <root><structure> without a list.
 */
static int xml_field_values(const xmlNode *field, esxu_strv *vals)
{
	const xmlNode *c, *s;
	int r;

	for (c = field->children; c; c = c->next) {
		char k[16];

		if (c->type != XML_ELEMENT_NODE)
			continue;
		vitk_esxupdate__xml_key(c, k, sizeof(k));
		if (strcmp(k, "list") == 0) {
			for (s = c->children; s; s = s->next) {
				char *t;

				if (s->type != XML_ELEMENT_NODE)
					continue;
				t = vitk_esxupdate__xml_text(s);
				r = t ? vitk_esxupdate__strv_add(vals, t) : 0;
				free(t);
				if (r < 0)
					return r;
			}
		} else {
			char *t = vitk_esxupdate__xml_text(c);

			r = t ? vitk_esxupdate__strv_add(vals, t) : 0;
			free(t);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int join_constraints(vitk_esxupdate_constraints *c, const esxu_strv *vals, const char *what,
			    const char *field)
{
	size_t i;
	int r;

	for (i = 0; i < vals->size; i++) {
		r = vitk_esxupdate__constraints_parse_text(c, vals->ptr[i], what, field);
		if (r < 0)
			return r;
	}
	return 0;
}

/* apply one "Key: value(s)" pair of vib get (text or xml) */
static int apply_detail(vitk_esxupdate_vib *v, const char *key, const esxu_strv *vals,
			const char *what)
{
	char k[48];
	const char *one = vals->size ? vals->ptr[0] : "";
	size_t i;
	int r = 0;

	vitk_esxupdate__norm_key(k, sizeof(k), key, strlen(key));
	if (strcmp(k, "depends") == 0) {
		v->has_relations = true;
		vitk_esxupdate__constraints_dispose(&v->depends);
		r = join_constraints(&v->depends, vals, what, "Depends");
	} else if (strcmp(k, "conflicts") == 0) {
		v->has_relations = true;
		vitk_esxupdate__constraints_dispose(&v->conflicts);
		r = join_constraints(&v->conflicts, vals, what, "Conflicts");
	} else if (strcmp(k, "replaces") == 0) {
		v->has_relations = true;
		vitk_esxupdate__constraints_dispose(&v->replaces);
		r = join_constraints(&v->replaces, vals, what, "Replaces");
	} else if (strcmp(k, "provides") == 0) {
		v->has_relations = true;
		vitk_esxupdate__constraints_dispose(&v->provides);
		r = join_constraints(&v->provides, vals, what, "Provides");
	} else if (strcmp(k, "tags") == 0) {
		v->has_relations = true;
		for (i = 0; i < vals->size && r == 0; i++) {
			/* text form is "a, b, c"; xml form one per element */
			const char *p = vals->ptr[i];

			while (p && *p && r == 0) {
				const char *e = strchr(p, ',');
				char *t = vitk_esxupdate__trim_dup(p, e ? (size_t)(e - p) : strlen(p));

				if (!t)
					return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
				if (*t)
					r = vitk_esxupdate__vib_add_tag(v, t);
				free(t);
				p = e ? e + 1 : NULL;
			}
		}
	} else if (strcmp(k, "maintenancemoderequired") == 0) {
		v->maintenance_mode = vitk_esxupdate__parse_bool(one);
	} else if (strcmp(k, "liveinstallallowed") == 0) {
		v->live_install = vitk_esxupdate__parse_bool(one);
	} else if (strcmp(k, "liveremoveallowed") == 0) {
		v->live_remove = vitk_esxupdate__parse_bool(one);
	} else {
		enum vfield f = field_of(key, strlen(key));

		if (f != F_NONE)
			r = set_field(v, f, one, strlen(one));
	}
	return r;
}

/* find (by id then name) or append the VIB a vib get block describes */
static vitk_esxupdate_vib *detail_target(vitk_esxupdate_host *h, const vitk_esxupdate_vib *tmp)
{
	size_t i;
	vitk_esxupdate_vib *v;

	if (tmp->name) {
		const vitk_esxupdate_vib *f = vitk_esxupdate_host_find(h, tmp->name);

		if (f)
			return &h->vibs.ptr[f - h->vibs.ptr];
	}
	for (i = 0; i < h->vibs.size; i++)
		if (tmp->id && h->vibs.ptr[i].id && strcmp(tmp->id, h->vibs.ptr[i].id) == 0)
			return &h->vibs.ptr[i];
	v = host_add_vib(h);
	return v;
}

static int merge_detail(vitk_esxupdate_host *h, vitk_esxupdate_vib *tmp, const char *what)
{
	vitk_esxupdate_vib *dst;
	int r;

	r = vitk_esxupdate__vib_complete(tmp, what);
	if (r < 0)
		return r;
	dst = detail_target(h, tmp);
	if (!dst)
		return vitk_error_prefix("%s: ", what);
	if (dst->name && dst->version && strcmp(dst->version, tmp->version) != 0)
		return vitk_error_set(VITK_EINVAL, 0,
				      "%s: vib get says '%s' is version %s but vib list says %s", what,
				      tmp->name, tmp->version, dst->version);
	if (!dst->name) {
		/* new VIB: take everything */
		*dst = *tmp;
		memset(tmp, 0, sizeof(*tmp));
		return 0;
	}
	/* move the relation data over */
	vitk_esxupdate__constraints_dispose(&dst->depends);
	vitk_esxupdate__constraints_dispose(&dst->conflicts);
	vitk_esxupdate__constraints_dispose(&dst->replaces);
	vitk_esxupdate__constraints_dispose(&dst->provides);
	dst->depends = tmp->depends;
	dst->conflicts = tmp->conflicts;
	dst->replaces = tmp->replaces;
	dst->provides = tmp->provides;
	memset(&tmp->depends, 0, sizeof(tmp->depends));
	memset(&tmp->conflicts, 0, sizeof(tmp->conflicts));
	memset(&tmp->replaces, 0, sizeof(tmp->replaces));
	memset(&tmp->provides, 0, sizeof(tmp->provides));
	{
		size_t i;

		for (i = 0; i < dst->ntags; i++)
			free(dst->tags[i]);
		free(dst->tags);
		dst->tags = tmp->tags;
		dst->ntags = tmp->ntags;
		tmp->tags = NULL;
		tmp->ntags = 0;
	}
	dst->has_relations = tmp->has_relations;
	if (tmp->maintenance_mode != VITK_ESXUPDATE_UNSET)
		dst->maintenance_mode = tmp->maintenance_mode;
	if (tmp->live_install != VITK_ESXUPDATE_UNSET)
		dst->live_install = tmp->live_install;
	if (tmp->live_remove != VITK_ESXUPDATE_UNSET)
		dst->live_remove = tmp->live_remove;
	if (!dst->type && tmp->type) {
		dst->type = tmp->type;
		tmp->type = NULL;
	}
	if (dst->acceptance == VITK_ESXUPDATE_ACC_UNKNOWN)
		dst->acceptance = tmp->acceptance;
	return 0;
}

static void tmp_init(vitk_esxupdate_vib *v)
{
	memset(v, 0, sizeof(*v));
	v->maintenance_mode = v->live_install = v->live_remove = v->reboot_required =
		VITK_ESXUPDATE_UNSET;
}

static int parse_xml_structs(vitk_esxupdate_host *h, const char *buf, size_t len, const char *what,
			     bool details)
{
	xmlDoc *doc = NULL;
	xmlNode *root, *n, *list = NULL;
	esxu_strv vals = { 0 };
	vitk_esxupdate_vib tmp;
	size_t idx = 0;
	int r;

	tmp_init(&tmp);
	r = vitk_esxupdate__xml_read(&doc, buf, len, vitk_esxupdate__xml_max(ESXU_XML_CAPTURE, 0), what);
	if (r < 0)
		return r;
	root = xmlDocGetRootElement(doc);
	{
		char k[16];

		vitk_esxupdate__xml_key(root, k, sizeof(k));
		if (strcmp(k, "output") != 0) {
			r = vitk_error_set(VITK_EINVAL, 0,
					   "%s: root element is <%s>, expected esxcli <output>", what,
					   (const char *)root->name);
			goto out;
		}
	}
	n = vitk_esxupdate__xml_child(root, "root");
	if (!n) {
		r = vitk_error_set(VITK_EINVAL, 0, "%s: esxcli XML without <root>", what);
		goto out;
	}
	list = vitk_esxupdate__xml_child(n, "list");
	if (!list)
		list = n; /* single structure */
	if (!details)
		clear_vibs(h);
	for (n = list->children; n; n = n->next) {
		xmlNode *f;
		char k[16];
		vitk_esxupdate_vib *v;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		vitk_esxupdate__xml_key(n, k, sizeof(k));
		if (strcmp(k, "structure") != 0)
			continue;
		idx++;
		vitk_esxupdate__vib_dispose(&tmp);
		tmp_init(&tmp);
		v = &tmp;
		for (f = n->children; f; f = f->next) {
			char *fname;

			if (f->type != XML_ELEMENT_NODE)
				continue;
			fname = vitk_esxupdate__xml_attr(f, "name");
			if (!fname)
				continue;
			vitk_esxupdate__strv_dispose(&vals);
			r = xml_field_values(f, &vals);
			if (r == 0)
				r = apply_detail(v, fname, &vals, what);
			free(fname);
			if (r < 0)
				goto out;
		}
		if (details) {
			char ctx[300];

			snprintf(ctx, sizeof(ctx), "%s structure %zu", what, idx);
			r = merge_detail(h, &tmp, ctx);
		} else {
			char ctx[300];

			snprintf(ctx, sizeof(ctx), "%s structure %zu", what, idx);
			r = vitk_esxupdate__vib_complete(&tmp, ctx);
			if (r == 0) {
				v = host_add_vib(h);
				if (!v)
					r = vitk_error_prefix("%s: ", what);
				else {
					*v = tmp;
					tmp_init(&tmp);
				}
			}
		}
		if (r < 0)
			goto out;
	}
	if (idx == 0) {
		r = vitk_error_set(VITK_EINVAL, 0, "%s: esxcli XML holds no <structure>", what);
		goto out;
	}
	if (!details) {
		snprintf(h->list_format, sizeof(h->list_format), "xml");
		r = check_dupes(h, what);
	} else {
		vitk_esxupdate__host_reindex(h);
	}
out:
	vitk_esxupdate__vib_dispose(&tmp);
	vitk_esxupdate__strv_dispose(&vals);
	xmlFreeDoc(doc);
	return r;
}

static const char *skip_ws(const char *buf, size_t len)
{
	const char *p = buf;

	while (p < buf + len && isspace((unsigned char)*p))
		p++;
	return p;
}

/* skip blanks and pasted shell prompt lines ("[root@esx:~] esxcli ...") */
static const char *skip_prompt(const char *buf, size_t len)
{
	const char *p = skip_ws(buf, len);

	while (p < buf + len && *p == '[') {
		const char *e = memchr(p, '\n', (size_t)(buf + len - p));

		if (!e)
			break;
		p = skip_ws(e + 1, (size_t)(buf + len - e - 1));
	}
	return p;
}

int vitk_esxupdate_host_parse_vib_list(vitk_esxupdate_host *h, const char *buf, size_t len,
				       const char *what)
{
	const char *p;
	const char *nl;
	int r;

	r = check_input(buf, len, what);
	if (r < 0)
		return r;
	p = skip_prompt(buf, len);
	if (p < buf + len && *p == '<')
		return parse_xml_structs(h, p, (size_t)(buf + len - p), what, false);
	nl = memchr(p, '\n', (size_t)(buf + len - p));
	if (!nl)
		nl = buf + len;
	/* CSV: the first line is a comma-separated header naming Name or ID */
	if (memchr(p, ',', (size_t)(nl - p)) && !memchr(p, '[', (size_t)(nl - p)))
		return parse_list_csv(h, p, (size_t)(buf + len - p), what);
	return parse_list_text(h, buf, len, what);
}

/* ---------------------------------------------------- vib get: text */

int vitk_esxupdate_host_parse_vib_get(vitk_esxupdate_host *h, const char *buf, size_t len,
				      const char *what)
{
	esxu_lines ls = { buf, buf + len, 0 };
	const char *s, *p;
	size_t n, blocks = 0;
	vitk_esxupdate_vib tmp;
	esxu_strv vals = { 0 };
	bool in_block = false;
	char ctx[300];
	int r;

	r = check_input(buf, len, what);
	if (r < 0)
		return r;
	p = skip_prompt(buf, len);
	if (p < buf + len && *p == '<')
		return parse_xml_structs(h, p, (size_t)(buf + len - p), what, true);
	tmp_init(&tmp);
	while (vitk_esxupdate__next_line(&ls, &s, &n)) {
		if (vitk_esxupdate__blank(s, n))
			continue;
		if (n > LINE_MAX_LEN) {
			r = vitk_error_set(VITK_EINVAL, 0, "%s line %zu: line too long", what, ls.lineno);
			goto out;
		}
		if (!isspace((unsigned char)s[0])) {
			/* a header line (VIB ID) or a prompt */
			if (s[0] == '[')
				continue;
			if (in_block) {
				r = merge_detail(h, &tmp, ctx);
				if (r < 0)
					goto out;
				vitk_esxupdate__vib_dispose(&tmp);
				tmp_init(&tmp);
			}
			snprintf(ctx, sizeof(ctx), "%s line %zu", what, ls.lineno);
			tmp.id = vitk_esxupdate__trim_dup(s, n);
			if (!tmp.id || strchr(tmp.id, ' ')) {
				r = vitk_error_set(VITK_EINVAL, 0,
						   "%s line %zu: expected a VIB ID header line, got '%.60s'",
						   what, ls.lineno, tmp.id ? tmp.id : "");
				goto out;
			}
			in_block = true;
			blocks++;
			continue;
		}
		if (!in_block) {
			r = vitk_error_set(VITK_EINVAL, 0,
					   "%s line %zu: field line before any VIB ID header", what,
					   ls.lineno);
			goto out;
		}
		{
			const char *colon = memchr(s, ':', n);
			char *key, *val;

			if (!colon) {
				r = vitk_error_set(VITK_EINVAL, 0,
						   "%s line %zu: expected 'Key: value'", what, ls.lineno);
				goto out;
			}
			key = vitk_esxupdate__trim_dup(s, (size_t)(colon - s));
			val = vitk_esxupdate__trim_dup(colon + 1, (size_t)(s + n - colon - 1));
			vitk_esxupdate__strv_dispose(&vals);
			r = (key && val) ? 0 : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			if (r == 0 && *val)
				r = vitk_esxupdate__strv_add(&vals, val);
			if (r == 0) {
				char lctx[300];

				snprintf(lctx, sizeof(lctx), "%s line %zu", what, ls.lineno);
				r = apply_detail(&tmp, key, &vals, lctx);
			}
			free(key);
			free(val);
			if (r < 0)
				goto out;
		}
	}
	if (in_block)
		r = merge_detail(h, &tmp, ctx);
	vitk_esxupdate__host_reindex(h);
	if (r == 0 && blocks == 0)
		r = vitk_error_set(VITK_EINVAL, 0, "%s: no VIB found in `esxcli software vib get` output",
				   what);
out:
	vitk_esxupdate__vib_dispose(&tmp);
	vitk_esxupdate__strv_dispose(&vals);
	return r;
}

/* ------------------------------------------ profile get / acceptance get */

int vitk_esxupdate_host_parse_profile(vitk_esxupdate_host *h, const char *buf, size_t len,
				      const char *what)
{
	esxu_lines ls = { buf, buf + len, 0 };
	const char *s;
	size_t n;
	bool any = false;
	int r;

	r = check_input(buf, len, what);
	if (r < 0)
		return r;
	while (vitk_esxupdate__next_line(&ls, &s, &n)) {
		char *line;
		const char *colon;

		if (vitk_esxupdate__blank(s, n) || s[0] == '[')
			continue;
		line = vitk_esxupdate__trim_dup(s, n);
		if (!line)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		colon = strchr(line, ':');
		if (!colon) {
			/* "PartnerSupported" alone = esxcli software acceptance get */
			vitk_esxupdate_acceptance a = vitk_esxupdate_acceptance_parse(line);

			if (a != VITK_ESXUPDATE_ACC_UNKNOWN) {
				h->acceptance = a;
				any = true;
			} else if (!isspace((unsigned char)s[0]) && !h->profile) {
				/* header line of profile get: the profile name */
				char *e = line + strlen(line);

				if (e - line > 10 && strcmp(e - 10, " (Updated)") == 0)
					e[-10] = '\0';
				h->profile = vitk_esxupdate__strdup(line);
				any = true;
			}
			free(line);
			continue;
		}
		{
			char k[48];
			char *val = vitk_esxupdate__trim_dup(colon + 1, strlen(colon + 1));

			vitk_esxupdate__norm_key(k, sizeof(k), line, (size_t)(colon - line));
			if (!val) {
				free(line);
				return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			}
			if (strcmp(k, "name") == 0 && *val) {
				char *e = val + strlen(val);

				if (e - val > 10 && strcmp(e - 10, " (Updated)") == 0)
					e[-10] = '\0';
				free(h->profile);
				h->profile = val;
				val = NULL;
				any = true;
			} else if (strcmp(k, "vendor") == 0 && *val) {
				free(h->profile_vendor);
				h->profile_vendor = val;
				val = NULL;
			} else if (strcmp(k, "acceptancelevel") == 0) {
				vitk_esxupdate_acceptance a = vitk_esxupdate_acceptance_parse(val);

				if (a == VITK_ESXUPDATE_ACC_UNKNOWN) {
					r = vitk_error_set(VITK_EINVAL, 0,
							   "%s line %zu: unknown acceptance level '%s'",
							   what, ls.lineno, val);
					free(val);
					free(line);
					return r;
				}
				h->acceptance = a;
				any = true;
			}
			free(val);
		}
		free(line);
	}
	if (!any)
		return vitk_error_set(VITK_EINVAL, 0,
				      "%s: neither a profile name nor an acceptance level found", what);
	return 0;
}

/* ------------------------------------------------------------- PCI */

static vitk_esxupdate_pci_dev *host_add_pci(vitk_esxupdate_host *h)
{
	vitk_esxupdate_pci_dev *d;

	if (h->pci.size >= HOST_MAX_PCI) {
		vitk_error_set(VITK_ERANGE, 0, "more than %d PCI devices", HOST_MAX_PCI);
		return NULL;
	}
	d = vitk_array_push(h->pci);
	if (!d)
		return NULL;
	memset(d, 0, sizeof(*d));
	return d;
}

static bool parse_hex16(const char *s, uint16_t *out)
{
	unsigned long v;
	char *end = NULL;

	while (isspace((unsigned char)*s))
		s++;
	if (!isxdigit((unsigned char)*s))
		return false;
	v = strtoul(s, &end, 16);
	if (end == s || v > 0xffff)
		return false;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return false;
	*out = (uint16_t)v;
	return true;
}

static bool is_pci_addr(const char *s, size_t n)
{
	/* [dddd:]bb:dd.f */
	size_t i, colons = 0, dots = 0;

	if (n < 7)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == ':')
			colons++;
		else if (s[i] == '.')
			dots++;
		else if (!isxdigit((unsigned char)s[i]))
			return false;
	}
	return colons >= 1 && colons <= 2 && dots == 1;
}

/* `esxcli hardware pci list`: blocks of "   Key: value" under an address line */
static int parse_pci_esxcli(vitk_esxupdate_host *h, const char *buf, size_t len, const char *what)
{
	esxu_lines ls = { buf, buf + len, 0 };
	vitk_esxupdate_pci_dev *d = NULL;
	const char *s;
	size_t n;
	int r = 0;

	while (vitk_esxupdate__next_line(&ls, &s, &n)) {
		const char *colon;
		char k[48], *val;

		if (vitk_esxupdate__blank(s, n) || s[0] == '[')
			continue;
		if (!isspace((unsigned char)s[0])) {
			char *addr = vitk_esxupdate__trim_dup(s, n);

			if (!addr)
				return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			if (!is_pci_addr(addr, strlen(addr))) {
				r = vitk_error_set(VITK_EINVAL, 0,
						   "%s line %zu: expected a PCI address header, got '%.40s'",
						   what, ls.lineno, addr);
				free(addr);
				return r;
			}
			d = host_add_pci(h);
			if (!d) {
				free(addr);
				return vitk_error_prefix("%s: ", what);
			}
			d->address = addr;
			continue;
		}
		if (!d)
			return vitk_error_set(VITK_EINVAL, 0, "%s line %zu: field before any device",
					      what, ls.lineno);
		colon = memchr(s, ':', n);
		if (!colon)
			return vitk_error_set(VITK_EINVAL, 0, "%s line %zu: expected 'Key: value'",
					      what, ls.lineno);
		vitk_esxupdate__norm_key(k, sizeof(k), s, (size_t)(colon - s));
		val = vitk_esxupdate__trim_dup(colon + 1, (size_t)(s + n - colon - 1));
		if (!val)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		if (strcmp(k, "vendorid") == 0 || strcmp(k, "deviceid") == 0 ||
		    strcmp(k, "deviceclass") == 0) {
			uint16_t x;

			if (!parse_hex16(val, &x)) {
				r = vitk_error_set(VITK_EINVAL, 0, "%s line %zu: bad hex value '%s'",
						   what, ls.lineno, val);
				free(val);
				return r;
			}
			if (k[0] == 'v')
				d->vendor_id = x;
			else if (k[6] == 'i')
				d->device_id = x;
			else
				d->class_id = x;
		} else if (strcmp(k, "vmkernelname") == 0 && *val) {
			free(d->vmkname);
			d->vmkname = val;
			val = NULL;
		} else if (strcmp(k, "modulename") == 0 && *val && strcmp(val, "None") != 0) {
			free(d->module);
			d->module = val;
			val = NULL;
		}
		free(val);
	}
	return 0;
}

/*
 * lspci: "0000:03:00.0 0200: 8086:10fb (rev 01)" (-n), or -nn
 * "03:00.0 Ethernet controller [0200]: Intel ... [8086:10fb] (rev 01)", or the
 * ESXi form "0000:03:00.0 Network controller: Intel ... [vmnic0]".
 */
static int parse_pci_lspci(vitk_esxupdate_host *h, const char *buf, size_t len, const char *what)
{
	esxu_lines ls = { buf, buf + len, 0 };
	const char *s;
	size_t n;

	while (vitk_esxupdate__next_line(&ls, &s, &n)) {
		char *line, *sp, *p;
		vitk_esxupdate_pci_dev *d;
		unsigned int vid = 0, did = 0, cls = 0;
		bool ids = false;

		if (vitk_esxupdate__blank(s, n) || s[0] == '[' || isspace((unsigned char)s[0]))
			continue;
		line = vitk_esxupdate__strndup(s, n);
		if (!line)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		sp = strchr(line, ' ');
		if (!sp || !is_pci_addr(line, (size_t)(sp - line))) {
			int r = vitk_error_set(VITK_EINVAL, 0,
					       "%s line %zu: not lspci output (no PCI address): '%.40s'",
					       what, ls.lineno, line);

			free(line);
			return r;
		}
		/* -n: "<class>: vvvv:dddd" */
		if (sscanf(sp + 1, "%4x: %4x:%4x", &cls, &vid, &did) == 3)
			ids = true;
		/* -nn: last "[vvvv:dddd]" */
		for (p = strchr(sp, '['); !ids && p; p = strchr(p + 1, '[')) {
			unsigned int a, b;
			char close;

			if (sscanf(p, "[%4x:%4x%c", &a, &b, &close) == 3 && close == ']') {
				vid = a;
				did = b;
				ids = true;
			}
		}
		if (!ids) {
			for (p = strchr(sp, '['); p; p = strchr(p + 1, '[')) {
				unsigned int c;
				int end = 0;

				/* exactly "[cccc]": never look past the string's NUL */
				if (sscanf(p, "[%4x]%n", &c, &end) == 1 && end == 6)
					cls = c;
			}
		}
		d = host_add_pci(h);
		if (!d) {
			free(line);
			return vitk_error_prefix("%s: ", what);
		}
		d->address = vitk_esxupdate__strndup(line, (size_t)(sp - line));
		d->vendor_id = (uint16_t)vid;
		d->device_id = (uint16_t)did;
		d->class_id = (uint16_t)cls;
		/* ESXi lspci appends "[vmnicN]" / "[vmhbaN]" */
		{
			char *lb = strrchr(line, '[');

			if (lb && (strncmp(lb + 1, "vmnic", 5) == 0 || strncmp(lb + 1, "vmhba", 5) == 0)) {
				char *rb = strchr(lb, ']');

				if (rb)
					d->vmkname = vitk_esxupdate__strndup(lb + 1, (size_t)(rb - lb - 1));
			}
		}
		free(line);
		if (!d->address)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	return 0;
}

int vitk_esxupdate_host_parse_pci(vitk_esxupdate_host *h, const char *buf, size_t len,
				  const char *what)
{
	esxu_lines ls = { buf, buf + len, 0 };
	const char *s;
	size_t n, i;
	bool esxcli = false;
	int r;

	r = check_input(buf, len, what);
	if (r < 0)
		return r;
	for (i = 0; i < h->pci.size; i++) {
		free(h->pci.ptr[i].address);
		free(h->pci.ptr[i].vmkname);
		free(h->pci.ptr[i].module);
	}
	h->pci.size = 0;
	/* esxcli form if any indented "Key: value" line follows */
	while (vitk_esxupdate__next_line(&ls, &s, &n))
		if (n > 2 && isspace((unsigned char)s[0]) && memchr(s, ':', n)) {
			esxcli = true;
			break;
		}
	r = esxcli ? parse_pci_esxcli(h, buf, len, what) : parse_pci_lspci(h, buf, len, what);
	if (r == 0 && h->pci.size == 0)
		r = vitk_error_set(VITK_EINVAL, 0, "%s: no PCI device found", what);
	return r;
}
