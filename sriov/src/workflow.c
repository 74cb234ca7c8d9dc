/* SPDX-License-Identifier: MIT */
/*
 * Host workflows: discovery from the right source (sysfs, an lspci capture or
 * libvirt's node devices) with the inventory's annotations and records.
 * Calls discover.c, libvirt.c and sriov_inventory.c; nothing calls back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sriov_priv.h"

/* keep only PF @addr of @l (first), VITK_ENOTFOUND naming @uri if it is not there */
static int select_pf(vitk_sriov_pf_list *l, const char *addr, const char *uri)
{
	char norm[VITK_SRIOV_ADDR_MAX];
	size_t i;
	int r;

	r = vitk_sriov_addr_normalize(norm, addr);
	if (r < 0)
		return r;
	for (i = 0; i < l->count; i++)
		if (!strcmp(l->items[i].addr, norm))
			break;
	if (i == l->count)
		return vitk_error_set(VITK_ENOTFOUND, 0, "no SR-IOV PF '%s' on '%s'", norm, uri);
	if (i) {
		vitk_sriov_pf_info t = l->items[0];

		l->items[0] = l->items[i];
		l->items[i] = t;
	}
	for (i = 1; i < l->count; i++)
		vitk_sriov_pf_clear(&l->items[i]);
	l->count = 1;
	return 0;
}

static int discover_nodedev(vitk_sriov_pf_list **out, const vitk_sriov_discover_request *q)
{
	vitk_sriov_virt *v = NULL;
	int r;

	r = vitk_sriov_virt_open(&v, q->uri);
	if (r == 0)
		r = vitk_sriov_libvirt_nodedev_scan(out, v);
	vitk_sriov_virt_free(v);
	if (r == 0 && q->pf)
		r = select_pf(*out, q->pf, q->uri);
	return r;
}

static int discover_local(vitk_sriov_pf_list **out, vitk_sriov *ctx,
			  const vitk_sriov_discover_request *q)
{
	vitk_sriov_pf_info *pf = NULL;
	int r;

	if (!q->pf)
		return vitk_sriov_scan(out, ctx, q->flags);
	r = vitk_sriov_pf_get(&pf, ctx, q->pf, q->flags);
	if (r < 0)
		return r;
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		vitk_sriov_pf_free(pf);
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	(*out)->items = pf;
	(*out)->count = 1;
	return 0;
}

int vitk_sriov_discover(vitk_sriov_pf_list **out, vitk_sriov *ctx,
			const vitk_sriov_discover_request *q)
{
	int r;

	*out = NULL;
	r = q->uri ? discover_nodedev(out, q) : discover_local(out, ctx, q);
	if (r < 0) {
		vitk_sriov_pf_list_free(*out);
		*out = NULL;
		return r;
	}
	/* the local host's records: assignments, and the scan itself */
	if (q->inv && !q->uri && !ctx->dump_file) {
		if (vitk_sriov_inventory_annotate(q->inv, q->host_id, *out) < 0 ||
		    vitk_sriov_inventory_record_scan(q->inv, q->host_id, *out) < 0) {
			vitk_log(VITK_LOG_WARNING, "sriov", "cannot record the scan: %s",
				 vitk_error_last()->message);
			vitk_error_clear();
		}
	}
	return 0;
}
