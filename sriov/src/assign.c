/* SPDX-License-Identifier: MIT */
/*
 * Who uses which VF: the in-use rule (the inventory's assignment records
 * plus the domains running on a libvirt URI) and the attach/detach workflow
 * (stable MAC -> interface XML -> libvirt -> assignment record).
 * Calls into sriov_inventory.c and libvirt.c; neither calls back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sriov_priv.h"

/* the devices of the domains running on @uri (nothing when @uri is NULL) */
static int add_running(vitk_sriov_taken *t, const char *uri)
{
	vitk_sriov_virt *v = NULL;
	int r;

	if (!uri)
		return 0;
	r = vitk_sriov_virt_open(&v, uri);
	if (r == 0)
		r = vitk_sriov_libvirt_vfs_in_use(t, v);
	vitk_sriov_virt_free(v);
	return r;
}

/* the recorded users of VFs (@plan: also excluded and reserved ones), then @uri's domains */
static int taken_set(vitk_sriov_taken **out, vitk_inventory *inv, int64_t host_id, bool plan,
		     const char *vm, const char *uri)
{
	vitk_sriov_taken *t = NULL;
	int r;

	*out = NULL;
	r = vitk_sriov_taken_new(&t);
	if (r == 0 && inv)
		r = plan ? vitk_sriov_inventory_taken(t, inv, host_id, vm)
			 : vitk_sriov_inventory_in_use(t, inv, host_id);
	if (r == 0)
		r = add_running(t, uri);
	if (r < 0) {
		vitk_sriov_taken_free(t);
		return r;
	}
	*out = t;
	return 0;
}

int vitk_sriov_in_use(vitk_sriov_taken **out, vitk_inventory *inv, int64_t host_id,
		      const char *uri)
{
	return taken_set(out, inv, host_id, false, NULL, uri);
}

int vitk_sriov_unavailable(vitk_sriov_taken **out, vitk_inventory *inv, int64_t host_id,
			   const char *vm, const char *uri)
{
	return taken_set(out, inv, host_id, true, vm, uri);
}

/* ------------------------------------------------------------ attach */

void vitk_sriov_attach_result_free(vitk_sriov_attach_result *res)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < res->count; i++) {
		free(res->items[i].domain);
		free(res->items[i].vf);
		free(res->items[i].mac);
	}
	for (i = 0; i < res->n_warnings; i++)
		free(res->warnings[i]);
	free(res->items);
	free(res->warnings);
	free(res);
}

static int add_warning(vitk_sriov_attach_result *res, const char *plan, const char *vm,
		       const char *dom)
{
	char *w = NULL;
	int r;

	r = vitk_sriov__strsetf(&w, "plan '%s' was made for VM '%s', attaching to '%s'", plan, vm,
				dom);
	if (r < 0)
		return r;
	res->warnings = calloc(1, sizeof(*res->warnings));
	if (!res->warnings) {
		free(w);
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	res->warnings[res->n_warnings++] = w;
	return 0;
}

/* the VFs to attach and their VLAN: a reservation's, or the one VF asked for */
static int attach_vfs(vitk_sriov_reservation **vfs, vitk_sriov_attach_result *res,
		      vitk_inventory *inv, int64_t host_id, const vitk_sriov_attach_request *q)
{
	vitk_sriov_reservation *one;
	char norm[VITK_SRIOV_ADDR_MAX];
	int r;

	if (q->plan) {
		r = vitk_sriov_inventory_plan_get(vfs, inv, host_id, q->plan);
		if (r == 0 && strcmp((*vfs)->vm, q->domain))
			r = add_warning(res, q->plan, (*vfs)->vm, q->domain);
		return r;
	}
	r = vitk_sriov_addr_normalize(norm, q->vf);
	if (r < 0)
		return r;
	one = calloc(1, sizeof(*one));
	if (one) {
		one->vlan = -1;
		one->vfs = calloc(1, sizeof(*one->vfs));
		one->vm = strdup(q->domain);
		if (one->vfs)
			one->vfs[0] = strdup(norm);
		one->n_vfs = one->vfs && one->vfs[0] ? 1 : 0;
	}
	*vfs = one;
	if (!one || !one->n_vfs || !one->vm)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	return 0;
}

static int attach_one(vitk_sriov_attachment *a, vitk_sriov_virt *v, vitk_inventory *inv,
		      int64_t host_id, const vitk_sriov_attach_request *q, const char *vf, int vlan)
{
	char mac[18], *xml = NULL;
	int r;

	r = vitk_sriov_inventory_mac(mac, inv, host_id, q->domain, vf);
	if (r == 0)
		r = vitk_sriov_interface_xml(&xml, vf, mac, vlan);
	if (r == 0)
		r = vitk_sriov_libvirt_attach(v, q->domain, xml, q->flags);
	free(xml);
	if (r == 0)
		r = vitk_sriov_inventory_assign(inv, host_id, vf, q->domain, q->uri ? q->uri : "", mac,
						vlan, true);
	if (r < 0) {
		vitk_error_prefix("cannot attach %s to '%s': ", vf, q->domain);
		return r;
	}
	a->domain = strdup(q->domain);
	a->vf = strdup(vf);
	a->mac = strdup(mac);
	a->vlan = vlan;
	if (!a->domain || !a->vf || !a->mac) {
		free(a->domain);
		free(a->vf);
		free(a->mac);
		memset(a, 0, sizeof(*a));
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	return 0;
}

int vitk_sriov_attach(vitk_sriov_attach_result **out, vitk_inventory *inv, int64_t host_id,
		      const vitk_sriov_attach_request *q)
{
	vitk_sriov_attach_result *res;
	vitk_sriov_reservation *vfs = NULL;
	vitk_sriov_virt *v = NULL;
	size_t i;
	int vlan, r;

	*out = NULL;
	if (!q || !q->domain || !q->domain[0] || !q->vf == !q->plan || q->vlan > 4095)
		return vitk_error_set(VITK_EINVAL, 0,
				      "attach: need a domain, one of a VF or a plan, and a VLAN of -1..4095");
	res = calloc(1, sizeof(*res));
	if (!res)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	r = attach_vfs(&vfs, res, inv, host_id, q);
	if (r < 0)
		goto out;
	res->items = calloc(vfs->n_vfs ? vfs->n_vfs : 1, sizeof(*res->items));
	if (!res->items) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	vlan = q->vlan >= 0 ? q->vlan : vfs->vlan;
	r = vitk_sriov_virt_open(&v, q->uri);
	for (i = 0; r == 0 && i < vfs->n_vfs; i++) {
		r = attach_one(&res->items[res->count], v, inv, host_id, q, vfs->vfs[i], vlan);
		if (res->items[res->count].vf)
			res->count++;
	}
out:
	vitk_sriov_virt_free(v);
	vitk_sriov_reservation_free(vfs);
	if (r < 0 && res->n_warnings == 0 && res->count == 0) {
		vitk_sriov_attach_result_free(res);
		return r;
	}
	*out = res;
	return r;
}

int vitk_sriov_detach(vitk_inventory *inv, int64_t host_id, const char *uri, const char *domain,
		      const char *vf, unsigned flags)
{
	vitk_sriov_virt *v = NULL;
	char norm[VITK_SRIOV_ADDR_MAX];
	int r;

	r = vitk_sriov_addr_normalize(norm, vf);
	if (r < 0)
		return r;
	r = vitk_sriov_virt_open(&v, uri);
	if (r == 0)
		r = vitk_sriov_libvirt_detach(v, domain, norm, flags);
	vitk_sriov_virt_free(v);
	if (r == 0)
		r = vitk_sriov_inventory_assign(inv, host_id, norm, domain, uri ? uri : "", NULL, -1,
						false);
	if (r < 0)
		vitk_error_prefix("cannot detach %s from '%s': ", norm, domain);
	return r;
}
