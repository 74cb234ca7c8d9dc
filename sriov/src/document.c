/* SPDX-License-Identifier: MIT */
/*
 * Result documents: every field of every sriov result is named once, in a
 * column array below, and the documents are vitk_tables (lists) or JSON
 * made from them (nested documents).  Callers only render them.
 * A leaf: reads the public structs, calls nothing else in sriov.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sriov_priv.h"

#define S VITK_TABLE_STR
#define I VITK_TABLE_INT
#define B VITK_TABLE_BOOL
#define J VITK_TABLE_JSON
#define COL(k, t) VITK_TABLE_COLUMN(k, t)

static int oom(void)
{
	return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
}

static json_t *hex4(unsigned v)
{
	char b[16];

	snprintf(b, sizeof(b), "%04x", v & 0xffffu);
	return json_string(b);
}

static unsigned total_vfs(const vitk_sriov_pf_info *pf)
{
	return pf->has_sysfs ? pf->sysfs_totalvfs : pf->cap.total_vfs;
}

static unsigned num_vfs(const vitk_sriov_pf_info *pf)
{
	return pf->has_sysfs ? pf->sysfs_numvfs : pf->cap.num_vfs;
}

/* hand the built table to the caller, or free it when building failed */
static int handover(vitk_table **out, vitk_table *t, int r)
{
	if (r == 0)
		r = vitk_table_error(t);
	if (r < 0) {
		vitk_table_free(t);
		return r;
	}
	*out = t;
	return 0;
}

/* set an int cell, or leave it null when @v is negative (unknown) */
static void set_known(vitk_table *t, size_t col, int v)
{
	if (v >= 0)
		vitk_table_set_int(t, col, v);
}

/* ------------------------------------------------------ PF list (text, CSV) */

enum { PF_PF, PF_ID, PF_DRIVER, PF_NETDEV, PF_NUMA, PF_TOTAL, PF_NUM, PF_ADAPTER, PF_NAME };
static const vitk_table_column pf_cols[] = {
	[PF_PF] = COL("pf", S),		  [PF_ID] = COL("id", S),
	[PF_DRIVER] = COL("driver", S),	  [PF_NETDEV] = COL("netdev", S),
	[PF_NUMA] = COL("numa", I),	  [PF_TOTAL] = COL("total_vfs", I),
	[PF_NUM] = COL("num_vfs", I),	  [PF_ADAPTER] = COL("adapter", S),
	[PF_NAME] = COL("name", S),
};

int vitk_sriov_pf_table(vitk_table **out, const vitk_sriov_pf_list *l)
{
	vitk_table *t = NULL;
	size_t i;
	int r;

	*out = NULL;
	r = vitk_table_new(&t, pf_cols, VITK_ARRAY_SIZE(pf_cols));
	for (i = 0; r == 0 && i < l->count; i++) {
		const vitk_sriov_pf_info *pf = &l->items[i];
		char id[16];

		snprintf(id, sizeof(id), "%04x:%04x", pf->vendor_id, pf->device_id);
		vitk_table_add_row(t);
		vitk_table_set_str(t, PF_PF, pf->addr);
		vitk_table_set_str(t, PF_ID, id);
		vitk_table_set_str(t, PF_DRIVER, pf->driver);
		vitk_table_set_str(t, PF_NETDEV, pf->n_netdevs ? pf->netdevs[0] : NULL);
		set_known(t, PF_NUMA, pf->numa_node);
		vitk_table_set_int(t, PF_TOTAL, total_vfs(pf));
		vitk_table_set_int(t, PF_NUM, num_vfs(pf));
		vitk_table_set_str(t, PF_ADAPTER, pf->adapter);
		vitk_table_set_str(t, PF_NAME, pf->device_name);
		r = vitk_table_error(t);
	}
	return handover(out, t, r);
}

/* ------------------------------------------------------ VF list (text, CSV) */

enum { VT_PF, VT_VF, VT_ADDR, VT_DRIVER, VT_NETDEV, VT_MAC, VT_VLAN, VT_QOS, VT_SPOOFCHK,
       VT_TRUST, VT_LINK, VT_MAX_RATE, VT_DOMAIN };
static const vitk_table_column vf_cols[] = {
	[VT_PF] = COL("pf", S),		    [VT_VF] = COL("vf", I),
	[VT_ADDR] = COL("addr", S),	    [VT_DRIVER] = COL("driver", S),
	[VT_NETDEV] = COL("netdev", S),	    [VT_MAC] = COL("mac", S),
	[VT_VLAN] = COL("vlan", I),	    [VT_QOS] = COL("qos", I),
	[VT_SPOOFCHK] = COL("spoofchk", B), [VT_TRUST] = COL("trust", B),
	[VT_LINK] = COL("link", S),	    [VT_MAX_RATE] = COL("max_rate", I),
	[VT_DOMAIN] = COL("domain", S),
};

static void vf_row(vitk_table *t, const vitk_sriov_pf_info *pf, const vitk_sriov_vf_info *vf)
{
	const vitk_sriov_vf_state *s = &vf->state;
	char mac[18];

	vitk_table_add_row(t);
	vitk_table_set_str(t, VT_PF, pf->addr);
	vitk_table_set_int(t, VT_VF, vf->index);
	vitk_table_set_str(t, VT_ADDR, vf->addr);
	vitk_table_set_str(t, VT_DRIVER, vf->driver);
	vitk_table_set_str(t, VT_NETDEV, vf->netdev);
	if (vf->has_state) {
		vitk_sriov_mac_format(mac, s->mac);
		if (s->has_mac)
			vitk_table_set_str(t, VT_MAC, mac);
		if (s->has_vlan) {
			vitk_table_set_int(t, VT_VLAN, s->vlan);
			vitk_table_set_int(t, VT_QOS, s->qos);
		}
		if (s->has_spoofchk)
			vitk_table_set_bool(t, VT_SPOOFCHK, s->spoofchk);
		if (s->has_trust)
			vitk_table_set_bool(t, VT_TRUST, s->trust);
		if (s->has_link_state)
			vitk_table_set_str(t, VT_LINK, vitk_sriov_link_state_str(s->link_state));
		if (s->has_rate)
			vitk_table_set_int(t, VT_MAX_RATE, s->max_tx_rate);
	}
	vitk_table_set_str(t, VT_DOMAIN, vf->domain);
}

int vitk_sriov_vf_table(vitk_table **out, const vitk_sriov_pf_list *l, const char *vf)
{
	vitk_table *t = NULL;
	size_t i, j;
	int r;

	*out = NULL;
	r = vitk_table_new(&t, vf_cols, VITK_ARRAY_SIZE(vf_cols));
	for (i = 0; r == 0 && i < l->count; i++)
		for (j = 0; j < l->items[i].n_vfs; j++)
			if (!vf || !strcmp(vf, l->items[i].vfs[j].addr))
				vf_row(t, &l->items[i], &l->items[i].vfs[j]);
	return handover(out, t, r);
}

/* ---------------------------------------------------------- PF record (text) */

enum { PR_PF, PR_ID, PR_VENDOR, PR_DEVICE, PR_DRIVER, PR_NETDEVS, PR_PORT_NAME, PR_DEV_PORT,
       PR_NUMA, PR_IOMMU, PR_ADAPTER, PR_CAP, PR_SYSFS, PR_AUTOPROBE, PR_CROSS, PR_VFS_FROM };
static const vitk_table_column pf_record_cols[] = {
	[PR_PF] = COL("pf", S),
	[PR_ID] = COL("id", S),
	[PR_VENDOR] = COL("vendor", S),
	[PR_DEVICE] = COL("device", S),
	[PR_DRIVER] = COL("driver", S),
	[PR_NETDEVS] = COL("netdevs", S),
	[PR_PORT_NAME] = COL("phys_port_name", S),
	[PR_DEV_PORT] = COL("dev_port", S),
	[PR_NUMA] = COL("numa_node", S),
	[PR_IOMMU] = COL("iommu_group", S),
	[PR_ADAPTER] = COL("adapter", S),
	[PR_CAP] = COL("capability", S),
	[PR_SYSFS] = COL("sysfs", S),
	[PR_AUTOPROBE] = COL("autoprobe", S),
	[PR_CROSS] = COL("cross_check", S),
	[PR_VFS_FROM] = COL("vfs_from", S),
};

/* a formatted string cell */
static int set_strf(vitk_table *t, size_t col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int set_strf(vitk_table *t, size_t col, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vitk_sriov__vstrsetf(&s, fmt, ap);
	va_end(ap);
	if (r == 0)
		r = vitk_table_set_str(t, col, s);
	free(s);
	return r;
}

static int set_int_text(vitk_table *t, size_t col, int v)
{
	return v >= 0 ? set_strf(t, col, "%d", v) : 0;
}

static int pf_record_caps(vitk_table *t, const vitk_sriov_pf_info *pf)
{
	const vitk_sriov_cap *c = &pf->cap;
	int r = 0;

	if (pf->has_cap)
		r = set_strf(t, PR_CAP,
			 "at 0x%03x: TotalVFs %u, InitialVFs %u, NumVFs %u, VF offset %u, stride %u, VF device %04x, VF Enable %s, ARI %s",
			 c->offset, c->total_vfs, c->initial_vfs, c->num_vfs, c->vf_offset,
			 c->vf_stride, c->vf_device, c->vf_enable ? "on" : "off", c->ari ? "on" : "off");
	if (r == 0 && pf->has_sysfs)
		r = set_strf(t, PR_SYSFS,
			 "sriov_totalvfs %u, sriov_numvfs %u, sriov_offset %u, sriov_stride %u, sriov_vf_device %04x",
			 pf->sysfs_totalvfs, pf->sysfs_numvfs, pf->sysfs_offset, pf->sysfs_stride,
			 pf->sysfs_vf_device);
	return r;
}

int vitk_sriov_pf_record(vitk_table **out, const vitk_sriov_pf_info *pf)
{
	vitk_table *t = NULL;
	size_t i;
	int r;

	*out = NULL;
	r = vitk_table_new(&t, pf_record_cols, VITK_ARRAY_SIZE(pf_record_cols));
	if (r < 0)
		return r;
	vitk_table_add_row(t);
	vitk_table_set_str(t, PR_PF, pf->addr);
	r = set_strf(t, PR_ID, "%04x:%04x", pf->vendor_id, pf->device_id);
	vitk_table_set_str(t, PR_VENDOR, pf->vendor_name);
	vitk_table_set_str(t, PR_DEVICE, pf->device_name);
	vitk_table_set_str(t, PR_DRIVER, pf->driver);
	if (pf->n_netdevs) {
		size_t len = 0;
		char *all;

		for (i = 0; i < pf->n_netdevs; i++)
			len += strlen(pf->netdevs[i]) + 1;
		all = calloc(1, len + 1);
		for (i = 0; all && i < pf->n_netdevs; i++) {
			if (i)
				strcat(all, " ");
			strcat(all, pf->netdevs[i]);
		}
		if (!all && r == 0)
			r = oom();
		vitk_table_set_str(t, PR_NETDEVS, all);
		free(all);
	}
	vitk_table_set_str(t, PR_PORT_NAME, pf->phys_port_name);
	if (r == 0)
		r = set_int_text(t, PR_DEV_PORT, pf->dev_port);
	if (r == 0)
		r = set_int_text(t, PR_NUMA, pf->numa_node);
	if (r == 0)
		r = set_int_text(t, PR_IOMMU, pf->iommu_group);
	vitk_table_set_str(t, PR_ADAPTER, pf->adapter);
	if (r == 0)
		r = pf_record_caps(t, pf);
	if (pf->autoprobe >= 0)
		vitk_table_set_str(t, PR_AUTOPROBE, pf->autoprobe ? "on" : "off");
	vitk_table_set_str(t, PR_CROSS, pf->mismatch ? pf->mismatch : "consistent");
	vitk_table_set_str(t, PR_VFS_FROM, pf->vfs_from_links ? "virtfn links" : "offset/stride");
	return handover(out, t, r);
}

/* ------------------------------------------------------------ JSON: a VF */

enum { VJ_INDEX, VJ_ADDR, VJ_PRESENT, VJ_DRIVER, VJ_OVERRIDE, VJ_NETDEV, VJ_HOST_USED,
       VJ_MAC, VJ_VLAN, VJ_QOS, VJ_PROTO, VJ_SPOOFCHK, VJ_TRUST, VJ_LINK, VJ_MIN_RATE,
       VJ_MAX_RATE, VJ_DOMAIN, VJ_PF, VJ_PF_NETDEV };
/* VJ_MAC..VJ_MAX_RATE exist only for VFs with netlink state; VJ_PF.. only in `show` */
static const vitk_table_column vf_doc_cols[] = {
	[VJ_INDEX] = COL("index", I),
	[VJ_ADDR] = COL("addr", S),
	[VJ_PRESENT] = COL("present", B),
	[VJ_DRIVER] = COL("driver", S),
	[VJ_OVERRIDE] = COL("driver_override", S),
	[VJ_NETDEV] = COL("netdev", S),
	[VJ_HOST_USED] = COL("host_used", B),
	[VJ_MAC] = COL("mac", S),
	[VJ_VLAN] = COL("vlan", I),
	[VJ_QOS] = COL("qos", I),
	[VJ_PROTO] = COL("vlan_proto", S),
	[VJ_SPOOFCHK] = COL("spoofchk", B),
	[VJ_TRUST] = COL("trust", B),
	[VJ_LINK] = COL("link_state", S),
	[VJ_MIN_RATE] = COL("min_tx_rate", I),
	[VJ_MAX_RATE] = COL("max_tx_rate", I),
	[VJ_DOMAIN] = COL("domain", S),
	[VJ_PF] = COL("pf", S),
	[VJ_PF_NETDEV] = COL("pf_netdev", S),
};

static void vf_doc_state(vitk_table *t, const vitk_sriov_vf_state *s)
{
	char mac[18], proto[8];

	vitk_sriov_mac_format(mac, s->mac);
	snprintf(proto, sizeof(proto), "%04x", s->vlan_proto & 0xffffu);
	if (s->has_mac)
		vitk_table_set_str(t, VJ_MAC, mac);
	if (s->has_vlan) {
		vitk_table_set_int(t, VJ_VLAN, s->vlan);
		vitk_table_set_int(t, VJ_QOS, s->qos);
		vitk_table_set_str(t, VJ_PROTO, proto);
	}
	if (s->has_spoofchk)
		vitk_table_set_bool(t, VJ_SPOOFCHK, s->spoofchk);
	if (s->has_trust)
		vitk_table_set_bool(t, VJ_TRUST, s->trust);
	if (s->has_link_state)
		vitk_table_set_str(t, VJ_LINK, vitk_sriov_link_state_str(s->link_state));
	if (s->has_rate) {
		vitk_table_set_int(t, VJ_MIN_RATE, s->min_tx_rate);
		vitk_table_set_int(t, VJ_MAX_RATE, s->max_tx_rate);
	}
}

/* the VFs of @pf as a JSON array (@pf_keys: with the PF's address and netdev) */
static int vf_doc(json_t **out, const vitk_sriov_pf_info *pf, const vitk_sriov_vf_info *only,
		  bool pf_keys)
{
	size_t ncols = pf_keys ? VITK_ARRAY_SIZE(vf_doc_cols) : VJ_PF, i, n = 0, c;
	vitk_table *t = NULL;
	int r;

	*out = NULL;
	r = vitk_table_new(&t, vf_doc_cols, ncols);
	for (i = 0; r == 0 && i < pf->n_vfs; i++) {
		const vitk_sriov_vf_info *vf = &pf->vfs[i];

		if (only && only != vf)
			continue;
		vitk_table_add_row(t);
		vitk_table_set_int(t, VJ_INDEX, vf->index);
		vitk_table_set_str(t, VJ_ADDR, vf->addr);
		vitk_table_set_bool(t, VJ_PRESENT, vf->present);
		vitk_table_set_str(t, VJ_DRIVER, vf->driver);
		vitk_table_set_str(t, VJ_OVERRIDE, vf->driver_override);
		vitk_table_set_str(t, VJ_NETDEV, vf->netdev);
		vitk_table_set_bool(t, VJ_HOST_USED, vf->host_used);
		if (vf->has_state)
			vf_doc_state(t, &vf->state);
		vitk_table_set_str(t, VJ_DOMAIN, vf->domain);
		if (pf_keys) {
			vitk_table_set_str(t, VJ_PF, pf->addr);
			vitk_table_set_str(t, VJ_PF_NETDEV, pf->n_netdevs ? pf->netdevs[0] : NULL);
		}
	}
	if (r == 0)
		r = vitk_table_to_json(out, t);
	vitk_table_free(t);
	if (r < 0)
		return r;
	/* a VF without netlink state has no state keys at all (not nulls) */
	for (i = 0; i < pf->n_vfs; i++) {
		if (only && only != &pf->vfs[i])
			continue;
		if (!pf->vfs[i].has_state)
			for (c = VJ_MAC; c <= VJ_MAX_RATE; c++)
				json_object_del(json_array_get(*out, n), vf_doc_cols[c].key);
		n++;
	}
	return 0;
}

int vitk_sriov_vf_to_json(json_t **out, const vitk_sriov_pf_list *l, const char *vf)
{
	const vitk_sriov_pf_info *pf = NULL;
	const vitk_sriov_vf_info *v = vitk_sriov_pf_list_find_vf(l, vf, &pf);
	json_t *a = NULL;
	int r;

	*out = NULL;
	if (!v)
		return vitk_error_set(VITK_ENOTFOUND, 0, "'%s': VF not found under any PF", vf);
	r = vf_doc(&a, pf, v, true);
	if (r < 0)
		return r;
	*out = json_incref(json_array_get(a, 0));
	json_decref(a);
	return *out ? 0 : oom();
}

/* ------------------------------------------------------------ JSON: a PF */

enum { CJ_OFFSET, CJ_TOTAL, CJ_INITIAL, CJ_NUM, CJ_VF_OFFSET, CJ_VF_STRIDE, CJ_VF_DEVICE,
       CJ_VF_ENABLE, CJ_VF_MSE, CJ_ARI, CJ_FDL };
static const vitk_table_column cap_doc_cols[] = {
	[CJ_OFFSET] = COL("offset", I),
	[CJ_TOTAL] = COL("total_vfs", I),
	[CJ_INITIAL] = COL("initial_vfs", I),
	[CJ_NUM] = COL("num_vfs", I),
	[CJ_VF_OFFSET] = COL("vf_offset", I),
	[CJ_VF_STRIDE] = COL("vf_stride", I),
	[CJ_VF_DEVICE] = COL("vf_device", J),
	[CJ_VF_ENABLE] = COL("vf_enable", B),
	[CJ_VF_MSE] = COL("vf_mse", B),
	[CJ_ARI] = COL("ari", B),
	[CJ_FDL] = COL("function_dependency_link", I),
};

static json_t *cap_doc(const vitk_sriov_cap *c)
{
	vitk_table *t = NULL;
	json_t *o = NULL;

	if (vitk_table_new(&t, cap_doc_cols, VITK_ARRAY_SIZE(cap_doc_cols)) < 0)
		return NULL;
	vitk_table_add_row(t);
	vitk_table_set_int(t, CJ_OFFSET, c->offset);
	vitk_table_set_int(t, CJ_TOTAL, c->total_vfs);
	vitk_table_set_int(t, CJ_INITIAL, c->initial_vfs);
	vitk_table_set_int(t, CJ_NUM, c->num_vfs);
	vitk_table_set_int(t, CJ_VF_OFFSET, c->vf_offset);
	vitk_table_set_int(t, CJ_VF_STRIDE, c->vf_stride);
	vitk_table_set_json(t, CJ_VF_DEVICE, hex4(c->vf_device));
	vitk_table_set_bool(t, CJ_VF_ENABLE, c->vf_enable);
	vitk_table_set_bool(t, CJ_VF_MSE, c->vf_mse);
	vitk_table_set_bool(t, CJ_ARI, c->ari);
	vitk_table_set_int(t, CJ_FDL, c->fdl);
	if (vitk_table_row_to_json(&o, t, 0) < 0)
		o = NULL;
	vitk_table_free(t);
	return o;
}

enum { PJ_ADDR, PJ_VENDOR_ID, PJ_DEVICE_ID, PJ_VENDOR_NAME, PJ_DEVICE_NAME, PJ_DRIVER,
       PJ_NETDEVS, PJ_PORT_NAME, PJ_DEV_PORT, PJ_NUMA, PJ_IOMMU, PJ_ADAPTER, PJ_TOTAL, PJ_NUM,
       PJ_AUTOPROBE, PJ_CAP, PJ_MISMATCH, PJ_VFS_FROM, PJ_VFS };
/* PJ_VFS only when the VFs are asked for */
static const vitk_table_column pf_doc_cols[] = {
	[PJ_ADDR] = COL("addr", S),
	[PJ_VENDOR_ID] = COL("vendor_id", J),
	[PJ_DEVICE_ID] = COL("device_id", J),
	[PJ_VENDOR_NAME] = COL("vendor_name", S),
	[PJ_DEVICE_NAME] = COL("device_name", S),
	[PJ_DRIVER] = COL("driver", S),
	[PJ_NETDEVS] = COL("netdevs", J),
	[PJ_PORT_NAME] = COL("phys_port_name", S),
	[PJ_DEV_PORT] = COL("dev_port", I),
	[PJ_NUMA] = COL("numa_node", I),
	[PJ_IOMMU] = COL("iommu_group", I),
	[PJ_ADAPTER] = COL("adapter", S),
	[PJ_TOTAL] = COL("total_vfs", I),
	[PJ_NUM] = COL("num_vfs", I),
	[PJ_AUTOPROBE] = COL("autoprobe", B),
	[PJ_CAP] = COL("capability", J),
	[PJ_MISMATCH] = COL("mismatch", S),
	[PJ_VFS_FROM] = COL("vfs_from", S),
	[PJ_VFS] = COL("vfs", J),
};

static int pf_doc_row(vitk_table *t, const vitk_sriov_pf_info *pf, bool with_vfs)
{
	json_t *nd = json_array(), *cap = NULL, *vfs = NULL;
	size_t i;
	int r = 0;

	for (i = 0; nd && i < pf->n_netdevs; i++)
		if (json_array_append_new(nd, json_string(pf->netdevs[i])) < 0)
			r = oom();
	if (pf->has_cap && !(cap = cap_doc(&pf->cap)))
		r = oom();
	if (r == 0 && with_vfs)
		r = vf_doc(&vfs, pf, NULL, false);
	if (!nd || r < 0) {
		json_decref(nd);
		json_decref(cap);
		json_decref(vfs);
		return r < 0 ? r : oom();
	}
	vitk_table_add_row(t);
	vitk_table_set_str(t, PJ_ADDR, pf->addr);
	vitk_table_set_json(t, PJ_VENDOR_ID, hex4(pf->vendor_id));
	vitk_table_set_json(t, PJ_DEVICE_ID, hex4(pf->device_id));
	vitk_table_set_str(t, PJ_VENDOR_NAME, pf->vendor_name);
	vitk_table_set_str(t, PJ_DEVICE_NAME, pf->device_name);
	vitk_table_set_str(t, PJ_DRIVER, pf->driver);
	vitk_table_set_json(t, PJ_NETDEVS, nd);
	vitk_table_set_str(t, PJ_PORT_NAME, pf->phys_port_name);
	set_known(t, PJ_DEV_PORT, pf->dev_port);
	set_known(t, PJ_NUMA, pf->numa_node);
	set_known(t, PJ_IOMMU, pf->iommu_group);
	vitk_table_set_str(t, PJ_ADAPTER, pf->adapter);
	vitk_table_set_int(t, PJ_TOTAL, total_vfs(pf));
	vitk_table_set_int(t, PJ_NUM, num_vfs(pf));
	if (pf->autoprobe >= 0)
		vitk_table_set_bool(t, PJ_AUTOPROBE, pf->autoprobe);
	vitk_table_set_json(t, PJ_CAP, cap);
	vitk_table_set_str(t, PJ_MISMATCH, pf->mismatch);
	vitk_table_set_str(t, PJ_VFS_FROM, pf->vfs_from_links ? "virtfn" : "offset_stride");
	if (with_vfs)
		vitk_table_set_json(t, PJ_VFS, vfs);
	return vitk_table_error(t);
}

int vitk_sriov_pf_list_to_json(json_t **out, const vitk_sriov_pf_list *l, bool with_vfs)
{
	vitk_table *t = NULL;
	size_t i;
	int r;

	*out = NULL;
	r = vitk_table_new(&t, pf_doc_cols, with_vfs ? VITK_ARRAY_SIZE(pf_doc_cols) : PJ_VFS);
	for (i = 0; r == 0 && i < l->count; i++)
		r = pf_doc_row(t, &l->items[i], with_vfs);
	if (r == 0)
		r = vitk_table_to_json(out, t);
	vitk_table_free(t);
	return r;
}

int vitk_sriov_pf_to_json(json_t **out, const vitk_sriov_pf_info *pf)
{
	vitk_sriov_pf_list one = { (vitk_sriov_pf_info *)pf, 1 };
	json_t *a = NULL;
	int r;

	*out = NULL;
	r = vitk_sriov_pf_list_to_json(&a, &one, true);
	if (r < 0)
		return r;
	*out = json_incref(json_array_get(a, 0));
	json_decref(a);
	return *out ? 0 : oom();
}

/* ------------------------------------------------------------------ plans */

static json_t *strv_json(char **v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

enum { PK_VF, PK_VF_INDEX, PK_PF, PK_PF_NETDEV, PK_ADAPTER, PK_NUMA };
static const vitk_table_column pick_doc_cols[] = {
	[PK_VF] = COL("vf", S),		    [PK_VF_INDEX] = COL("vf_index", I),
	[PK_PF] = COL("pf", S),		    [PK_PF_NETDEV] = COL("pf_netdev", S),
	[PK_ADAPTER] = COL("adapter", S),   [PK_NUMA] = COL("numa_node", I),
};

/* the picks; @text: the text view (no VF index, "numa") */
static int picks_table(vitk_table **out, const vitk_sriov_plan *p, bool text)
{
	static const vitk_table_column text_cols[] = {
		COL("vf", S), COL("pf", S), COL("pf_netdev", S), COL("adapter", S), COL("numa", I),
	};
	vitk_table *t = NULL;
	size_t i;
	int r;

	*out = NULL;
	r = text ? vitk_table_new(&t, text_cols, VITK_ARRAY_SIZE(text_cols))
		 : vitk_table_new(&t, pick_doc_cols, VITK_ARRAY_SIZE(pick_doc_cols));
	for (i = 0; r == 0 && i < p->n_picks; i++) {
		const vitk_sriov_plan_pick *k = &p->picks[i];

		vitk_table_add_row(t);
		if (text) {
			vitk_table_set_str(t, 0, k->vf);
			vitk_table_set_str(t, 1, k->pf);
			vitk_table_set_str(t, 2, k->pf_netdev);
			vitk_table_set_str(t, 3, k->adapter);
			set_known(t, 4, k->numa_node);
		} else {
			vitk_table_set_str(t, PK_VF, k->vf);
			vitk_table_set_int(t, PK_VF_INDEX, k->vf_index);
			vitk_table_set_str(t, PK_PF, k->pf);
			vitk_table_set_str(t, PK_PF_NETDEV, k->pf_netdev);
			vitk_table_set_str(t, PK_ADAPTER, k->adapter);
			set_known(t, PK_NUMA, k->numa_node);
		}
		r = vitk_table_error(t);
	}
	return handover(out, t, r);
}

int vitk_sriov_plan_table(vitk_table **out, const vitk_sriov_plan *p)
{
	return picks_table(out, p, true);
}

enum { PD_ID, PD_VM, PD_VLAN, PD_PICKS, PD_NOTES, PD_WARNINGS };
static const vitk_table_column plan_doc_cols[] = {
	[PD_ID] = COL("plan_id", S),	[PD_VM] = COL("vm", S),
	[PD_VLAN] = COL("vlan", I),	[PD_PICKS] = COL("picks", J),
	[PD_NOTES] = COL("notes", J),	[PD_WARNINGS] = COL("warnings", J),
};

int vitk_sriov_vm_plan_to_json(json_t **out, const vitk_sriov_vm_plan *vp)
{
	const vitk_sriov_plan *p = vp->plan;
	vitk_table *t = NULL, *picks = NULL;
	json_t *pj = NULL, *notes = strv_json(p->notes, p->n_notes);
	json_t *warnings = strv_json(p->warnings, p->n_warnings);
	int r;

	*out = NULL;
	r = notes && warnings ? picks_table(&picks, p, false) : oom();
	if (r == 0)
		r = vitk_table_to_json(&pj, picks);
	if (r == 0)
		r = vitk_table_new(&t, plan_doc_cols, VITK_ARRAY_SIZE(plan_doc_cols));
	if (r < 0) {
		json_decref(notes);
		json_decref(warnings);
		json_decref(pj);
		goto out;
	}
	vitk_table_add_row(t);
	vitk_table_set_str(t, PD_ID, vp->plan_id);
	vitk_table_set_str(t, PD_VM, vp->vm);
	set_known(t, PD_VLAN, vp->vlan);
	vitk_table_set_json(t, PD_PICKS, pj);
	vitk_table_set_json(t, PD_NOTES, notes);
	vitk_table_set_json(t, PD_WARNINGS, warnings);
	r = vitk_table_row_to_json(out, t, 0);
out:
	vitk_table_free(picks);
	vitk_table_free(t);
	return r;
}

/* ---------------------------------------------------------------- changes */

enum { CH_SUBJECT, CH_ACTION, CH_DETAIL, CH_OK, CH_ERROR };
static const vitk_table_column change_doc_cols[] = {
	[CH_SUBJECT] = COL("subject", S), [CH_ACTION] = COL("action", S),
	[CH_DETAIL] = COL("detail", S),	  [CH_OK] = COL("ok", B),
	[CH_ERROR] = COL("error", S),
};

/* the changes; @text: the text view, whose "result" says planned/failed/done */
static int changes_table(vitk_table **out, const vitk_sriov_change_list *l, bool dry, bool text)
{
	static const vitk_table_column text_cols[] = {
		COL("subject", S), COL("action", S), COL("detail", S), COL("result", S),
	};
	vitk_table *t = NULL;
	size_t i;
	int r;

	*out = NULL;
	r = text ? vitk_table_new(&t, text_cols, VITK_ARRAY_SIZE(text_cols))
		 : vitk_table_new(&t, change_doc_cols, VITK_ARRAY_SIZE(change_doc_cols));
	for (i = 0; r == 0 && i < l->count; i++) {
		const vitk_sriov_change *c = &l->items[i];

		vitk_table_add_row(t);
		vitk_table_set_str(t, CH_SUBJECT, c->subject);
		vitk_table_set_str(t, CH_ACTION, c->action);
		vitk_table_set_str(t, CH_DETAIL, c->detail);
		if (text) {
			vitk_table_set_str(t, 3, dry ? "planned" : c->result ? "failed" : "done");
		} else {
			vitk_table_set_bool(t, CH_OK, c->result == 0);
			vitk_table_set_str(t, CH_ERROR, c->result ? c->error : NULL);
		}
		r = vitk_table_error(t);
	}
	return handover(out, t, r);
}

int vitk_sriov_changes_table(vitk_table **out, const vitk_sriov_change_list *l, bool dry_run)
{
	return changes_table(out, l, dry_run, true);
}

enum { AD_DRY_RUN, AD_CHANGED, AD_CHANGES };
static const vitk_table_column apply_doc_cols[] = {
	[AD_DRY_RUN] = COL("dry_run", B),
	[AD_CHANGED] = COL("changed", I),
	[AD_CHANGES] = COL("changes", J),
};

int vitk_sriov_changes_to_json(json_t **out, const vitk_sriov_change_list *l, bool dry_run)
{
	vitk_table *t = NULL, *c = NULL;
	json_t *cj = NULL;
	int r;

	*out = NULL;
	r = changes_table(&c, l, dry_run, false);
	if (r == 0)
		r = vitk_table_to_json(&cj, c);
	if (r == 0)
		r = vitk_table_new(&t, apply_doc_cols, VITK_ARRAY_SIZE(apply_doc_cols));
	if (r == 0) {
		vitk_table_add_row(t);
		vitk_table_set_bool(t, AD_DRY_RUN, dry_run);
		vitk_table_set_int(t, AD_CHANGED, (int64_t)l->count);
		vitk_table_set_json(t, AD_CHANGES, cj);
		cj = NULL;
		r = vitk_table_row_to_json(out, t, 0);
	}
	json_decref(cj);
	vitk_table_free(c);
	vitk_table_free(t);
	return r;
}

/* ----------------------------------------------------------------- attach */

enum { AT_DOMAIN, AT_VF, AT_MAC, AT_VLAN };
static const vitk_table_column attach_cols[] = {
	[AT_DOMAIN] = COL("domain", S), [AT_VF] = COL("vf", S),
	[AT_MAC] = COL("mac", S),	[AT_VLAN] = COL("vlan", I),
};

int vitk_sriov_attach_table(vitk_table **out, const vitk_sriov_attach_result *res)
{
	vitk_table *t = NULL;
	size_t i;
	int r;

	*out = NULL;
	r = vitk_table_new(&t, attach_cols, VITK_ARRAY_SIZE(attach_cols));
	for (i = 0; r == 0 && i < res->count; i++) {
		vitk_table_add_row(t);
		vitk_table_set_str(t, AT_DOMAIN, res->items[i].domain);
		vitk_table_set_str(t, AT_VF, res->items[i].vf);
		vitk_table_set_str(t, AT_MAC, res->items[i].mac);
		set_known(t, AT_VLAN, res->items[i].vlan);
		r = vitk_table_error(t);
	}
	return handover(out, t, r);
}

/* ------------------------------------------------------------------- ESXi */

enum { EC_DRIVER, EC_COMMAND, EC_PORTS };
static const vitk_table_column esxi_cmd_cols[] = {
	[EC_DRIVER] = COL("driver", S),
	[EC_COMMAND] = COL("command", S),
	[EC_PORTS] = COL("ports", J),
};

int vitk_sriov_esxi_commands_table(vitk_table **out, const vitk_sriov_esxi_result *res)
{
	vitk_table *t = NULL;
	size_t i;
	int r;

	*out = NULL;
	r = vitk_table_new(&t, esxi_cmd_cols, VITK_ARRAY_SIZE(esxi_cmd_cols));
	for (i = 0; r == 0 && i < res->n_cmds; i++) {
		json_t *ports = strv_json(res->cmds[i].ports, res->cmds[i].n_ports);

		vitk_table_add_row(t);
		vitk_table_set_str(t, EC_DRIVER, res->cmds[i].driver);
		vitk_table_set_str(t, EC_COMMAND, res->cmds[i].command);
		r = ports ? vitk_table_set_json(t, EC_PORTS, ports) : oom();
	}
	return handover(out, t, r);
}

enum { ED_HOST, ED_COMMANDS, ED_WARNING, ED_VMX };
static const vitk_table_column esxi_doc_cols[] = {
	[ED_HOST] = COL("host", S),
	[ED_COMMANDS] = COL("commands", J),
	[ED_WARNING] = COL("warning", S),
	[ED_VMX] = COL("vmx", S),
};

int vitk_sriov_esxi_result_to_json(json_t **out, const vitk_sriov_esxi_result *res)
{
	vitk_table *t = NULL, *c = NULL;
	json_t *cj = NULL;
	int r;

	*out = NULL;
	r = vitk_sriov_esxi_commands_table(&c, res);
	if (r == 0)
		r = vitk_table_to_json(&cj, c);
	if (r == 0)
		r = vitk_table_new(&t, esxi_doc_cols, VITK_ARRAY_SIZE(esxi_doc_cols));
	if (r == 0) {
		vitk_table_add_row(t);
		vitk_table_set_str(t, ED_HOST, res->host->host);
		vitk_table_set_json(t, ED_COMMANDS, cj);
		cj = NULL;
		vitk_table_set_str(t, ED_WARNING, res->warning);
		vitk_table_set_str(t, ED_VMX, res->vmx);
		r = vitk_table_row_to_json(out, t, 0);
	}
	json_decref(cj);
	vitk_table_free(c);
	vitk_table_free(t);
	return r;
}
