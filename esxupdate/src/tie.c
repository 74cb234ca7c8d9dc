/* SPDX-License-Identifier: MIT */
/*
 * Which host component holds an installed VIB (ESXi 7.0/8.0), for findings
 * and for the components to re-apply.  The strongest tie wins: the depot's
 * component of that name lists the VIB; else, from the host side, the
 * component is named after the VIB ("<vendor>-<VIB name>") or its version is
 * the VIB's (a component's version is separate from its VIBs' "though it
 * might be the same": docs/esxupdate-facts.md, "Components").  No capture
 * read here lists a component's VIBs, so the host-side ties are guesses and
 * the audit flags them.  Cost stays near linear in the host and depot sizes:
 * lookups go through the host's name index and sorted copies.
 */
#include <stdlib.h>
#include <string.h>

#include "esxu.h"

/* the VIB name inside a VIB id "<vendor>_<type>_<name>_<version>" (not NUL-terminated), or NULL */
static const char *id_name(const char *id, size_t *n)
{
	const char *p1 = strchr(id, '_'), *p2 = p1 ? strchr(p1 + 1, '_') : NULL, *last = strrchr(id, '_');

	if (!p2 || last <= p2)
		return NULL;
	*n = (size_t)(last - p2 - 1);
	return p2 + 1;
}

static bool id_names(const char *id, const char *vib)
{
	size_t n;
	const char *s = id_name(id, &n);

	return s && strlen(vib) == n && memcmp(s, vib, n) == 0;
}

/* the host component named @name, or NULL (linear: used for a handful of lookups) */
static const vitk_esxupdate_component *comp_named(const vitk_esxupdate_host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->comps.size; i++)
		if (strcmp(h->comps.ptr[i].name, name) == 0)
			return &h->comps.ptr[i];
	return NULL;
}

/* is component name @cn the VIB name, or "<anything>-<VIB name>" */
static bool named_after(const char *cn, const char *vib)
{
	size_t n = strlen(cn), m = strlen(vib);

	return strcmp(cn, vib) == 0 || (n > m + 1 && cn[n - m - 1] == '-' && strcmp(cn + n - m, vib) == 0);
}

const vitk_esxupdate_component *vitk_esxupdate__host_component_of(const vitk_esxupdate_host *h,
								 const vitk_esxupdate_depot *d, const char *vib,
								 esxu_tie *how)
{
	const vitk_esxupdate_vib *hv = vitk_esxupdate_host_find(h, vib);
	const vitk_esxupdate_component *c;
	size_t i, k;

	*how = ESXU_TIE_NONE;
	for (i = 0; d && h->comps.size && i < vitk_esxupdate_depot_bulletin_count(d); i++) {
		const vitk_esxupdate_bulletin *b = vitk_esxupdate_depot_bulletin(d, i);

		for (k = 0; b->component_name && k < b->nvib_ids; k++)
			if (id_names(b->vib_ids[k], vib) && (c = comp_named(h, b->component_name))) {
				*how = ESXU_TIE_DEPOT;
				return c;
			}
	}
	for (i = 0; i < h->comps.size; i++)
		if (named_after(h->comps.ptr[i].name, vib)) {
			*how = ESXU_TIE_NAME;
			return &h->comps.ptr[i];
		}
	for (i = 0; hv && hv->version && i < h->comps.size; i++)
		if (h->comps.ptr[i].version && strcmp(h->comps.ptr[i].version, hv->version) == 0) {
			*how = ESXU_TIE_VERSION;
			return &h->comps.ptr[i];
		}
	return NULL;
}

static bool vmware_component(const vitk_esxupdate_component *c)
{
	return c->vendor &&
	       (vitk_esxupdate__streq_ci(c->vendor, "VMware, Inc.") || vitk_esxupdate__streq_ci(c->vendor, "VMware"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct comp_ix {
	const char *name;
	size_t i;
};

static int cmp_comp_ix(const void *a, const void *b)
{
	return strcmp(((const struct comp_ix *)a)->name, ((const struct comp_ix *)b)->name);
}

/* mark the host components the depot ties to an installed VIB */
static int mark_depot_ties(const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d, bool *tied)
{
	struct comp_ix *ix = malloc((h->comps.size + 1) * sizeof(*ix));
	size_t i, k;

	if (!ix)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (i = 0; i < h->comps.size; i++)
		ix[i] = (struct comp_ix){ h->comps.ptr[i].name, i };
	qsort(ix, h->comps.size, sizeof(*ix), cmp_comp_ix);
	for (i = 0; d && i < vitk_esxupdate_depot_bulletin_count(d); i++) {
		const vitk_esxupdate_bulletin *b = vitk_esxupdate_depot_bulletin(d, i);
		struct comp_ix key = { b->component_name, 0 }, *hit;

		if (!b->component_name)
			continue;
		hit = bsearch(&key, ix, h->comps.size, sizeof(*ix), cmp_comp_ix);
		for (k = 0; hit && !tied[hit->i] && k < b->nvib_ids; k++) {
			size_t n;
			const char *s = id_name(b->vib_ids[k], &n);
			char *name = s ? vitk_esxupdate__strndup(s, n) : NULL;

			tied[hit->i] = name && vitk_esxupdate_host_find(h, name);
			free(name);
		}
	}
	free(ix);
	return 0;
}

/* named after an installed VIB: the whole name, or what follows one of its dashes */
static bool named_after_installed(const vitk_esxupdate_host *h, const char *cn)
{
	const char *p;

	if (vitk_esxupdate_host_find(h, cn))
		return true;
	for (p = strchr(cn, '-'); p; p = strchr(p + 1, '-'))
		if (p[1] && vitk_esxupdate_host_find(h, p + 1))
			return true;
	return false;
}

int vitk_esxupdate__host_components_untied(const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d,
					   esxu_compv *out)
{
	bool *tied = calloc(h->comps.size + 1, sizeof(*tied));
	const char **versions = malloc((h->vibs.size + 1) * sizeof(*versions));
	size_t i, nv = 0;
	int r = tied && versions ? 0 : vitk_error_set(VITK_ENOMEM, 0, "out of memory");

	for (i = 0; r == 0 && i < h->vibs.size; i++)
		if (h->vibs.ptr[i].version)
			versions[nv++] = h->vibs.ptr[i].version;
	if (r == 0) {
		qsort(versions, nv, sizeof(*versions), cmp_str);
		r = mark_depot_ties(h, d, tied);
	}
	for (i = 0; r == 0 && i < h->comps.size; i++) {
		const vitk_esxupdate_component *c = &h->comps.ptr[i];

		if (tied[i] || vmware_component(c) || named_after_installed(h, c->name) ||
		    (c->version && bsearch(&c->version, versions, nv, sizeof(*versions), cmp_str)))
			continue;
		if (vitk_array_append(*out, c) < 0)
			r = VITK_ENOMEM;
	}
	free(tied);
	free(versions);
	return r;
}

char *vitk_esxupdate__untied_text(const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d)
{
	esxu_compv untied = VITK_ARRAY_INIT;
	vitk_str s = VITK_STR_INIT;
	size_t i;

	if (!h->comps.size || vitk_esxupdate__host_components_untied(h, d, &untied) < 0 || !untied.size) {
		vitk_array_clear(untied);
		return NULL;
	}
	vitk_str_puts(&s, untied.size == 1 ? "no capture names its component; the host's only vendor component without a known VIB is "
					   : "no capture names its component; the host's vendor components without a known VIB are ");
	for (i = 0; i < untied.size; i++)
		vitk_str_putf(&s, "%s%s %s", i ? ", " : "", untied.ptr[i]->name, untied.ptr[i]->version);
	vitk_array_clear(untied);
	return vitk_str_detach(&s);
}

/* the depot component (bulletin) that carries VIB @id, or NULL */
static const vitk_esxupdate_bulletin *depot_component_of(const vitk_esxupdate_depot *d, const char *id)
{
	size_t i, k;

	for (i = 0; id && i < vitk_esxupdate_depot_bulletin_count(d); i++) {
		const vitk_esxupdate_bulletin *b = vitk_esxupdate_depot_bulletin(d, i);

		for (k = 0; b->component_name && k < b->nvib_ids; k++)
			if (strcmp(b->vib_ids[k], id) == 0)
				return b;
	}
	return NULL;
}

char *vitk_esxupdate__component_text(const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d,
				     const vitk_esxupdate_change *c, const char *untied, esxu_tie *how)
{
	const vitk_esxupdate_component *hc = vitk_esxupdate__host_component_of(h, d, c->name, how);
	const vitk_esxupdate_bulletin *to = hc ? depot_component_of(d, c->to_id) : NULL;

	if (hc && to)
		return vitk_esxupdate__printf("component %s %s -> %s %s", hc->name, hc->version, to->component_name,
					      to->component_version);
	if (hc)
		return vitk_esxupdate__printf("component %s %s loses VIB %s", hc->name, hc->version, c->name);
	if (!untied)
		return NULL;
	*how = ESXU_TIE_UNTIED;
	return vitk_esxupdate__strdup(untied);
}
