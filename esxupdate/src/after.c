/* SPDX-License-Identifier: MIT */
/*
 * The host as a simulated command would leave it: the VIBs it removes or
 * replaces go, the depot VIBs it installs come in.  Used to simulate a second
 * command after a first one (a profile update, then re-applying vendor
 * components).
 */
#include <stdlib.h>
#include <string.h>

#include "esxu.h"

/* the change of @res about installed VIB @v, or NULL when the command leaves it alone */
static const vitk_esxupdate_change *change_of(const vitk_esxupdate_result *res, const vitk_esxupdate_vib *v)
{
	size_t i;

	for (i = 0; i < res->changes.size; i++)
		if (res->changes.ptr[i].from_id && strcmp(res->changes.ptr[i].from_id, v->id) == 0)
			return &res->changes.ptr[i];
	return NULL;
}

static bool goes(const vitk_esxupdate_change *c)
{
	return c && c->action != VITK_ESXUPDATE_ACT_KEPT && c->action != VITK_ESXUPDATE_ACT_SKIPPED;
}

static bool comes(const vitk_esxupdate_change *c)
{
	return c->to_id && (c->action == VITK_ESXUPDATE_ACT_INSTALLED || c->action == VITK_ESXUPDATE_ACT_UPGRADED ||
			    c->action == VITK_ESXUPDATE_ACT_DOWNGRADED);
}

static int add_copy(vitk_esxupdate_host *h, const vitk_esxupdate_vib *src)
{
	vitk_esxupdate_vib *v = vitk_array_push(h->vibs);

	return v ? vitk_esxupdate__vib_copy(v, src) : VITK_ENOMEM;
}

static char *dup_or_null(const char *s, int *r)
{
	char *d = s ? vitk_esxupdate__strdup(s) : NULL;

	if (s && !d && *r == 0)
		*r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	return d;
}

/* what the host says about itself besides its VIBs: profile, acceptance, PCI devices, components */
static int copy_rest(vitk_esxupdate_host *n, const vitk_esxupdate_host *h)
{
	size_t i;
	int r = 0;

	n->profile = dup_or_null(h->profile, &r);
	n->profile_vendor = dup_or_null(h->profile_vendor, &r);
	n->acceptance = h->acceptance;
	for (i = 0; r == 0 && i < h->pci.size; i++) {
		vitk_esxupdate_pci_dev *p = vitk_array_push(n->pci);

		if (!p)
			return VITK_ENOMEM;
		*p = h->pci.ptr[i];
		p->address = dup_or_null(h->pci.ptr[i].address, &r);
		p->vmkname = dup_or_null(h->pci.ptr[i].vmkname, &r);
		p->module = dup_or_null(h->pci.ptr[i].module, &r);
	}
	for (i = 0; r == 0 && i < h->comps.size; i++) {
		const vitk_esxupdate_component *s = &h->comps.ptr[i];
		vitk_esxupdate_component *c = vitk_array_push(n->comps);

		if (!c)
			return VITK_ENOMEM;
		c->acceptance = s->acceptance;
		c->name = dup_or_null(s->name, &r);
		c->display_name = dup_or_null(s->display_name, &r);
		c->version = dup_or_null(s->version, &r);
		c->display_version = dup_or_null(s->display_version, &r);
		c->vendor = dup_or_null(s->vendor, &r);
		c->release_date = dup_or_null(s->release_date, &r);
		c->platforms = dup_or_null(s->platforms, &r);
	}
	return r;
}

int vitk_esxupdate__host_after(vitk_esxupdate_host **out, const vitk_esxupdate_host *h,
			       const vitk_esxupdate_result *res, const vitk_esxupdate_depot *d)
{
	vitk_esxupdate_host *n = NULL;
	size_t i;
	int r;

	*out = NULL;
	r = vitk_esxupdate_host_new(&n);
	for (i = 0; r == 0 && i < h->vibs.size; i++)
		if (!goes(change_of(res, &h->vibs.ptr[i])))
			r = add_copy(n, &h->vibs.ptr[i]);
	for (i = 0; r == 0 && i < res->changes.size; i++) {
		const vitk_esxupdate_vib *v = comes(&res->changes.ptr[i])
						      ? vitk_esxupdate_depot_find_id(d, res->changes.ptr[i].to_id)
						      : NULL;

		if (v)
			r = add_copy(n, v);
	}
	if (r == 0)
		r = copy_rest(n, h);
	if (r < 0) {
		vitk_esxupdate_host_free(n);
		return r;
	}
	vitk_esxupdate__host_reindex(n);
	*out = n;
	return 0;
}
