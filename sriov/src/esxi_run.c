/* SPDX-License-Identifier: MIT */
/*
 * The ESXi workflow: host description (file, capture or inventory) -> name,
 * UUID, lspci details, VF counts -> max_vfs commands and a .vmx stanza, and
 * the host recorded.  Calls esxi.c, discover.c, sysfs.c and sriov_inventory.c;
 * nothing calls back.  Background: docs/sriov.md, "ESXi".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sriov_priv.h"

#define ESXI_INPUT_MAX (16u << 20)

static const char shift_warning[] =
	"max_vfs is positional: one value per port of the driver in PCI order; adding, removing "
	"or moving a card shifts the mapping (re-run this after hardware changes); a host reboot "
	"is required";

void vitk_sriov_esxi_result_free(vitk_sriov_esxi_result *r)
{
	if (!r)
		return;
	vitk_sriov_esxi_host_free(r->host);
	vitk_sriov_esxi_cmds_free(r->cmds, r->n_cmds);
	free(r->vmx);
	free(r);
}

static int load_host(vitk_sriov_esxi_host **h, vitk_inventory *inv, const vitk_sriov_esxi_request *q)
{
	const char *path = q->host_json ? q->host_json : q->sriovnic_list;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if ((q->host_json != NULL) + (q->sriovnic_list != NULL) + (q->host != NULL) != 1)
		return vitk_error_set(VITK_EINVAL, 0,
				      "need one of a host description, a sriovnic list or a recorded host");
	if (q->host)
		return vitk_sriov_inventory_esxi_load(h, inv, q->host);
	r = vitk_read_file(path, ESXI_INPUT_MAX, &buf, &len);
	if (r < 0)
		return vitk_error_prefix("cannot read '%s': ", path);
	r = q->host_json ? vitk_sriov_esxi_host_from_json(h, buf, len)
			 : vitk_sriov_esxi_parse_sriovnic_list(h, buf, len);
	free(buf);
	if (r == 0 && q->sriovnic_list && q->name)
		r = vitk_sriov_esxi_host_set_name(*h, q->name);
	return r;
}

/* VF IDs, offset and stride from the host's lspci capture */
static int enrich(vitk_sriov_esxi_host *h, const char *lspci)
{
	vitk_sriov_options o = VITK_SRIOV_OPTIONS_INIT;
	vitk_sriov *s = NULL;
	vitk_sriov_pf_list *pl = NULL;
	int r;

	o.dump_file = lspci;
	r = vitk_sriov_open(&s, &o);
	if (r == 0)
		r = vitk_sriov_scan(&pl, s, VITK_SRIOV_SCAN_NO_NAMES | VITK_SRIOV_SCAN_NO_VF_STATE);
	vitk_sriov_free(s);
	if (r < 0)
		return r;
	if (vitk_sriov_esxi_host_enrich(h, pl) == 0)
		vitk_log(VITK_LOG_WARNING, "sriov", "no port of the host is an SR-IOV PF in '%s'",
			 lspci);
	vitk_sriov_pf_list_free(pl);
	return 0;
}

/* "PORT=N" */
static int set_count(vitk_sriov_esxi_host *h, const char *set)
{
	const char *eq = strchr(set, '=');
	bool found = false;
	unsigned n;
	size_t j;

	if (!eq || vitk_sriov_parse_uint(eq + 1, &n, "VF count") < 0 || n > 1024)
		return vitk_error_set(VITK_EINVAL, 0, "--set wants PORT=COUNT, got '%s'", set);
	for (j = 0; j < h->n_ports; j++)
		if (!strncmp(h->ports[j].name, set, (size_t)(eq - set)) &&
		    h->ports[j].name[eq - set] == '\0') {
			h->ports[j].max_vfs = n;
			found = true;
		}
	if (!found)
		return vitk_error_set(VITK_ENOTFOUND, 0, "no port '%.*s' on the ESXi host",
				      (int)(eq - set), set);
	return 0;
}

/* "PORT:VF" */
static int vmx_stanza(char **out, const vitk_sriov_esxi_host *h, const vitk_sriov_esxi_request *q)
{
	const char *colon = strrchr(q->vmx, ':');
	char *port = NULL;
	unsigned vf = 0;
	int r;

	if (!colon || vitk_sriov_parse_uint(colon + 1, &vf, "VF") < 0)
		return vitk_error_set(VITK_EINVAL, 0, "--vmx wants PORT:VF (e.g. vmnic4:0)");
	port = strndup(q->vmx, (size_t)(colon - q->vmx));
	if (!port)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	r = vitk_sriov_esxi_vmx(out, h, port, vf, q->slot, q->form, q->network);
	free(port);
	return r;
}

int vitk_sriov_esxi_run(vitk_sriov_esxi_result **out, vitk_inventory *inv,
			const vitk_sriov_esxi_request *q)
{
	vitk_sriov_esxi_result *res = calloc(1, sizeof(*res));
	size_t i;
	int r;

	*out = NULL;
	if (!res)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	res->warning = shift_warning;
	r = load_host(&res->host, inv, q);
	if (r == 0 && q->system_uuid)
		r = vitk_sriov_esxi_host_set_uuid(res->host, q->system_uuid);
	if (r == 0 && q->lspci)
		r = enrich(res->host, q->lspci);
	for (i = 0; r == 0 && i < q->n_sets; i++)
		r = set_count(res->host, q->sets[i]);
	if (r == 0)
		r = vitk_sriov_esxi_max_vfs(&res->cmds, &res->n_cmds, res->host);
	if (r == 0 && q->vmx)
		r = vmx_stanza(&res->vmx, res->host, q);
	if (r < 0) {
		vitk_sriov_esxi_result_free(res);
		return r;
	}
	if (inv && res->host->host && !q->host &&
	    vitk_sriov_inventory_esxi_save(inv, res->host, NULL) < 0)
		vitk_log(VITK_LOG_WARNING, "sriov", "cannot record the ESXi host: %s",
			 vitk_error_last()->message);
	vitk_error_clear();
	*out = res;
	return 0;
}
