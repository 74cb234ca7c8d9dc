/* SPDX-License-Identifier: MIT */
/* The sriov domain in the inventory: PFs, VFs, desired state, reservations, assignments, history. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/sriov.h>

#include "sriov_priv.h"

#define K VITK_INV_COL_KEY
#define T VITK_INV_TEXT
#define I VITK_INV_INT

static const vitk_inventory_column pf_cols[] = {
	{ "addr", T, K },	 { "vendor_id", T, 0 },	 { "device_id", T, 0 },
	{ "vendor_name", T, 0 }, { "device_name", T, 0 }, { "driver", T, 0 },
	{ "netdev", T, 0 },	 { "adapter", T, 0 },	 { "numa_node", I, 0 },
	{ "iommu_group", I, 0 }, { "total_vfs", I, 0 },	 { "num_vfs", I, 0 },
	{ "vf_offset", I, 0 },	 { "vf_stride", I, 0 },	 { "vf_device", T, 0 },
	{ "autoprobe", I, 0 },	 { "mismatch", T, 0 },
};
static const vitk_inventory_column vf_cols[] = {
	{ "addr", T, K },   { "pf", T, 0 }, { "vf_index", I, 0 }, { "driver", T, 0 },
	{ "netdev", T, 0 }, { "mac", T, 0 }, { "vlan", I, 0 },
};
static const vitk_inventory_column dpf_cols[] = {
	{ "pf", T, K }, { "num_vfs", I, 0 }, { "autoprobe", I, 0 }, { "driver", T, 0 },
};
static const vitk_inventory_column dvf_cols[] = {
	{ "pf", T, K },	 { "vf_index", I, K }, { "mac", T, 0 },	     { "vlan", I, 0 },
	{ "qos", I, 0 }, { "trust", I, 0 },    { "spoofchk", I, 0 }, { "driver", T, 0 },
};
static const vitk_inventory_column excl_cols[] = { { "vf", T, K }, { "reason", T, 0 } };
static const vitk_inventory_column resv_cols[] = {
	{ "vf", T, K }, { "plan_id", T, 0 }, { "vm", T, 0 }, { "pf", T, 0 }, { "vlan", I, 0 },
};
static const vitk_inventory_column asg_cols[] = {
	{ "vf", T, K },	 { "domain", T, 0 }, { "uri", T, 0 },
	{ "mac", T, 0 }, { "vlan", I, 0 },   { "state", T, 0 },
};
static const vitk_inventory_column mac_cols[] = {
	{ "domain", T, K }, { "vf", T, K }, { "mac", T, 0 },
};
static const vitk_inventory_column hist_cols[] = {
	{ "event", T, 0 }, { "subject", T, 0 }, { "detail", T, 0 },
};

#define TBL(n, c) { n, c, VITK_ARRAY_SIZE(c) }
static const vitk_inventory_table tables[] = {
	TBL("sriov_pf", pf_cols),
	TBL("sriov_vf", vf_cols),
	TBL("sriov_desired_pf", dpf_cols),
	TBL("sriov_desired_vf", dvf_cols),
	TBL("sriov_exclude", excl_cols),
	TBL("sriov_reservation", resv_cols),
	TBL("sriov_assignment", asg_cols),
	TBL("sriov_mac", mac_cols),
	TBL("sriov_history", hist_cols),
};

static const vitk_inventory_domain sriov_domain = { "sriov", 1, tables, VITK_ARRAY_SIZE(tables) };

int vitk_sriov_inventory_register(vitk_inventory *inv)
{
	return vitk_inventory_register(inv, &sriov_domain);
}

int vitk_sriov_inventory_history(vitk_inventory *inv, int64_t host_id, const char *event,
				 const char *subject, const char *detail)
{
	vitk_inventory_value v[] = { VITK_INV_S("event", event), VITK_INV_S("subject", subject),
				     VITK_INV_S("detail", detail) };

	return vitk_inventory_insert(inv, "sriov_history", host_id, v, VITK_ARRAY_SIZE(v), NULL);
}

static int record_pf(vitk_inventory *inv, int64_t host_id, const vitk_sriov_pf_info *pf)
{
	vitk_inventory_rows *rows = NULL;
	vitk_inventory_value m[] = { VITK_INV_S("addr", pf->addr) };
	char vid[8], did[8], vfd[8];
	unsigned num = pf->has_sysfs ? pf->sysfs_numvfs : pf->cap.num_vfs;
	size_t i;
	int r;

	r = vitk_inventory_select(&rows, inv, "sriov_pf", host_id, m, 1, NULL);
	if (r < 0)
		return r;
	if (vitk_inventory_rows_count(rows) == 1 &&
	    vitk_inventory_rows_get_int(rows, 0, "num_vfs") != (int64_t)num) {
		char d[64];

		snprintf(d, sizeof(d), "%lld -> %u",
			 (long long)vitk_inventory_rows_get_int(rows, 0, "num_vfs"), num);
		r = vitk_sriov_inventory_history(inv, host_id, "num-vfs-changed", pf->addr, d);
	} else if (vitk_inventory_rows_count(rows) == 0) {
		r = vitk_sriov_inventory_history(inv, host_id, "pf-discovered", pf->addr,
						 pf->device_name);
	}
	vitk_inventory_rows_free(rows);
	if (r < 0)
		return r;
	snprintf(vid, sizeof(vid), "%04x", pf->vendor_id);
	snprintf(did, sizeof(did), "%04x", pf->device_id);
	snprintf(vfd, sizeof(vfd), "%04x", pf->has_cap ? pf->cap.vf_device : pf->sysfs_vf_device);
	{
		vitk_inventory_value v[] = {
			VITK_INV_S("addr", pf->addr),
			VITK_INV_S("vendor_id", vid),
			VITK_INV_S("device_id", did),
			VITK_INV_S("vendor_name", pf->vendor_name),
			VITK_INV_S("device_name", pf->device_name),
			VITK_INV_S("driver", pf->driver),
			VITK_INV_S("netdev", pf->n_netdevs ? pf->netdevs[0] : NULL),
			VITK_INV_S("adapter", pf->adapter),
			VITK_INV_I("numa_node", pf->numa_node),
			VITK_INV_I("iommu_group", pf->iommu_group),
			VITK_INV_I("total_vfs", pf->has_sysfs ? pf->sysfs_totalvfs : pf->cap.total_vfs),
			VITK_INV_I("num_vfs", num),
			VITK_INV_I("vf_offset", pf->has_sysfs ? pf->sysfs_offset : pf->cap.vf_offset),
			VITK_INV_I("vf_stride", pf->has_sysfs ? pf->sysfs_stride : pf->cap.vf_stride),
			VITK_INV_S("vf_device", vfd),
			VITK_INV_I("autoprobe", pf->autoprobe),
			VITK_INV_S("mismatch", pf->mismatch),
		};

		r = vitk_inventory_upsert(inv, "sriov_pf", host_id, v, VITK_ARRAY_SIZE(v), NULL);
		if (r < 0)
			return r;
	}
	for (i = 0; i < pf->n_vfs; i++) {
		const vitk_sriov_vf_info *vf = &pf->vfs[i];
		char mac[18];
		vitk_inventory_value v[] = {
			VITK_INV_S("addr", vf->addr),
			VITK_INV_S("pf", pf->addr),
			VITK_INV_I("vf_index", vf->index),
			VITK_INV_S("driver", vf->driver),
			VITK_INV_S("netdev", vf->netdev),
			VITK_INV_NULL("mac"),
			VITK_INV_NULL("vlan"),
		};

		if (vf->has_state && vf->state.has_mac) {
			vitk_sriov_mac_format(mac, vf->state.mac);
			v[5] = VITK_INV_S("mac", mac);
		}
		if (vf->has_state && vf->state.has_vlan)
			v[6] = VITK_INV_I("vlan", vf->state.vlan);
		r = vitk_inventory_upsert(inv, "sriov_vf", host_id, v, VITK_ARRAY_SIZE(v), NULL);
		if (r < 0)
			return r;
	}
	/* VFs that went away */
	{
		vitk_inventory_value pm[] = { VITK_INV_S("pf", pf->addr) };

		r = vitk_inventory_select(&rows, inv, "sriov_vf", host_id, pm, 1, NULL);
		if (r < 0)
			return r;
		for (i = 0; i < vitk_inventory_rows_count(rows) && r == 0; i++) {
			const char *a = vitk_inventory_rows_get(rows, i, "addr");
			size_t j;
			bool found = false;

			for (j = 0; j < pf->n_vfs; j++)
				if (a && !strcmp(a, pf->vfs[j].addr))
					found = true;
			if (!found && a) {
				vitk_inventory_value dm[] = { VITK_INV_S("addr", a) };

				r = vitk_inventory_delete(inv, "sriov_vf", host_id, dm, 1, NULL);
			}
		}
		vitk_inventory_rows_free(rows);
	}
	return r;
}

int vitk_sriov_inventory_record_scan(vitk_inventory *inv, int64_t host_id,
				     const vitk_sriov_pf_list *pfs)
{
	size_t i;
	int r;

	r = vitk_inventory_begin(inv);
	if (r < 0)
		return r;
	for (i = 0; i < pfs->count && r == 0; i++)
		r = record_pf(inv, host_id, &pfs->items[i]);
	if (r < 0) {
		vitk_inventory_rollback(inv);
		return r;
	}
	return vitk_inventory_commit(inv);
}

int vitk_sriov_inventory_save_desired(vitk_inventory *inv, int64_t host_id,
				      const vitk_sriov_desired *d)
{
	size_t i, j;
	int r;

	r = vitk_inventory_begin(inv);
	if (r < 0)
		return r;
	r = vitk_inventory_delete(inv, "sriov_desired_vf", host_id, NULL, 0, NULL);
	if (r == 0)
		r = vitk_inventory_delete(inv, "sriov_desired_pf", host_id, NULL, 0, NULL);
	if (r == 0)
		r = vitk_inventory_delete(inv, "sriov_exclude", host_id, NULL, 0, NULL);
	for (i = 0; i < d->n_pfs && r == 0; i++) {
		const vitk_sriov_desired_pf *p = &d->pfs[i];
		vitk_inventory_value v[] = {
			VITK_INV_S("pf", p->pf),
			VITK_INV_I("num_vfs", p->num_vfs),
			p->autoprobe >= 0 ? VITK_INV_I("autoprobe", p->autoprobe)
					  : VITK_INV_NULL("autoprobe"),
			VITK_INV_S("driver", p->driver),
		};

		r = vitk_inventory_insert(inv, "sriov_desired_pf", host_id, v, VITK_ARRAY_SIZE(v),
					  NULL);
		for (j = 0; j < p->n_vfs && r == 0; j++) {
			const vitk_sriov_desired_vf *f = &p->vfs[j];
			char mac[18];
			vitk_inventory_value w[] = {
				VITK_INV_S("pf", p->pf),
				VITK_INV_I("vf_index", f->index),
				VITK_INV_NULL("mac"),
				f->has_vlan ? VITK_INV_I("vlan", f->vlan) : VITK_INV_NULL("vlan"),
				f->has_vlan ? VITK_INV_I("qos", f->qos) : VITK_INV_NULL("qos"),
				f->has_trust ? VITK_INV_I("trust", f->trust) : VITK_INV_NULL("trust"),
				f->has_spoofchk ? VITK_INV_I("spoofchk", f->spoofchk)
						: VITK_INV_NULL("spoofchk"),
				VITK_INV_S("driver", f->driver),
			};

			if (f->has_mac) {
				vitk_sriov_mac_format(mac, f->mac);
				w[2] = VITK_INV_S("mac", mac);
			}
			r = vitk_inventory_insert(inv, "sriov_desired_vf", host_id, w,
						  VITK_ARRAY_SIZE(w), NULL);
		}
	}
	for (i = 0; i < d->n_exclude && r == 0; i++) {
		vitk_inventory_value v[] = { VITK_INV_S("vf", d->exclude[i]),
					     VITK_INV_S("reason", "excluded (host use)") };

		r = vitk_inventory_insert(inv, "sriov_exclude", host_id, v, VITK_ARRAY_SIZE(v), NULL);
	}
	if (r == 0) {
		char det[64];

		snprintf(det, sizeof(det), "%zu PF(s), %zu excluded VF(s)", d->n_pfs, d->n_exclude);
		r = vitk_sriov_inventory_history(inv, host_id, "desired-saved", NULL, det);
	}
	if (r < 0) {
		vitk_inventory_rollback(inv);
		return r;
	}
	return vitk_inventory_commit(inv);
}

int vitk_sriov_inventory_load_desired(vitk_sriov_desired **out, vitk_inventory *inv,
				      int64_t host_id)
{
	vitk_inventory_rows *pr = NULL, *vr = NULL, *er = NULL;
	vitk_sriov_desired *d = NULL;
	size_t i, j, n;
	int r;

	*out = NULL;
	r = vitk_inventory_select(&pr, inv, "sriov_desired_pf", host_id, NULL, 0, "pf");
	if (r == 0)
		r = vitk_inventory_select(&vr, inv, "sriov_desired_vf", host_id, NULL, 0, "vf_index");
	if (r == 0)
		r = vitk_inventory_select(&er, inv, "sriov_exclude", host_id, NULL, 0, "vf");
	if (r < 0)
		goto out;
	d = calloc(1, sizeof(*d));
	n = vitk_inventory_rows_count(pr);
	if (!d || (n && !(d->pfs = calloc(n, sizeof(*d->pfs))))) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		vitk_sriov_desired_pf *p = &d->pfs[i];
		const char *s = vitk_inventory_rows_get(pr, i, "pf");
		int ci = vitk_inventory_rows_column_index(pr, "autoprobe");

		d->n_pfs = i + 1;
		if (!s) {
			r = vitk_error_set(VITK_EINVAL, 0, "sriov_desired_pf row %zu without 'pf'", i);
			goto out;
		}
		r = vitk_sriov__strset(&p->pf, s);
		if (r == 0)
			r = vitk_sriov__strset(&p->driver, vitk_inventory_rows_get(pr, i, "driver"));
		if (r < 0)
			goto out;
		p->num_vfs = (unsigned)vitk_inventory_rows_get_int(pr, i, "num_vfs");
		p->autoprobe = vitk_inventory_rows_is_null(pr, i, (size_t)ci)
				       ? -1
				       : (int)vitk_inventory_rows_get_int(pr, i, "autoprobe");
		p->vfs = calloc(vitk_inventory_rows_count(vr) + 1, sizeof(*p->vfs));
		if (!p->vfs) {
			r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
			goto out;
		}
		for (j = 0; j < vitk_inventory_rows_count(vr); j++) {
			vitk_sriov_desired_vf *f;
			const char *vpf = vitk_inventory_rows_get(vr, j, "pf");

			if (!vpf || strcmp(vpf, p->pf))
				continue;
			f = &p->vfs[p->n_vfs++];
			f->index = (unsigned)vitk_inventory_rows_get_int(vr, j, "vf_index");
			s = vitk_inventory_rows_get(vr, j, "mac");
			if (s && vitk_sriov_mac_parse(f->mac, s) == 0)
				f->has_mac = true;
			vitk_error_clear();
			f->has_vlan = vitk_inventory_rows_get(vr, j, "vlan") != NULL;
			f->vlan = (uint32_t)vitk_inventory_rows_get_int(vr, j, "vlan");
			f->qos = (uint32_t)vitk_inventory_rows_get_int(vr, j, "qos");
			f->has_trust = vitk_inventory_rows_get(vr, j, "trust") != NULL;
			f->trust = vitk_inventory_rows_get_int(vr, j, "trust") != 0;
			f->has_spoofchk = vitk_inventory_rows_get(vr, j, "spoofchk") != NULL;
			f->spoofchk = vitk_inventory_rows_get_int(vr, j, "spoofchk") != 0;
			r = vitk_sriov__strset(&f->driver, vitk_inventory_rows_get(vr, j, "driver"));
			if (r < 0)
				goto out;
		}
	}
	n = vitk_inventory_rows_count(er);
	if (n) {
		d->exclude = calloc(n, sizeof(*d->exclude));
		if (!d->exclude) {
			r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < n; i++) {
			const char *s = vitk_inventory_rows_get(er, i, "vf");

			if (!s)
				continue;
			r = vitk_sriov__strset(&d->exclude[d->n_exclude++], s);
			if (r < 0)
				goto out;
		}
	}
	*out = d;
	d = NULL;
out:
	vitk_inventory_rows_free(pr);
	vitk_inventory_rows_free(vr);
	vitk_inventory_rows_free(er);
	vitk_sriov_desired_free(d);
	return r;
}

static int add_assigned(vitk_sriov_taken *t, vitk_inventory *inv, int64_t host_id)
{
	vitk_inventory_rows *rows = NULL;
	vitk_inventory_value m[] = { VITK_INV_S("state", "attached") };
	size_t i;
	int r;

	r = vitk_inventory_select(&rows, inv, "sriov_assignment", host_id, m, 1, "vf");
	for (i = 0; r == 0 && i < vitk_inventory_rows_count(rows); i++) {
		const char *vf = vitk_inventory_rows_get(rows, i, "vf");

		if (vf)
			r = vitk_sriov__taken_addf(t, vf, "attached to domain '%.60s'",
						   vitk_inventory_rows_get(rows, i, "domain") ?: "?");
	}
	vitk_inventory_rows_free(rows);
	return r;
}

int vitk_sriov_inventory_in_use(vitk_sriov_taken *t, vitk_inventory *inv, int64_t host_id)
{
	return add_assigned(t, inv, host_id);
}

int vitk_sriov_inventory_taken(vitk_sriov_taken *t, vitk_inventory *inv, int64_t host_id,
			       const char *except_vm)
{
	vitk_inventory_rows *rows = NULL;
	size_t i;
	int r;

	r = vitk_inventory_select(&rows, inv, "sriov_exclude", host_id, NULL, 0, "vf");
	for (i = 0; r == 0 && i < vitk_inventory_rows_count(rows); i++) {
		const char *vf = vitk_inventory_rows_get(rows, i, "vf");

		if (vf)
			r = vitk_sriov_taken_add(t, vf, "excluded (host use)");
	}
	vitk_inventory_rows_free(rows);
	rows = NULL;
	if (r == 0)
		r = add_assigned(t, inv, host_id);
	if (r == 0)
		r = vitk_inventory_select(&rows, inv, "sriov_reservation", host_id, NULL, 0, "vf");
	for (i = 0; r == 0 && i < vitk_inventory_rows_count(rows); i++) {
		const char *vm = vitk_inventory_rows_get(rows, i, "vm");
		const char *vf = vitk_inventory_rows_get(rows, i, "vf");

		if (!vf || (except_vm && vm && !strcmp(vm, except_vm)))
			continue;
		r = vitk_sriov__taken_addf(t, vf, "reserved for VM '%.30s' (plan %.36s)",
					   vm ? vm : "?",
					   vitk_inventory_rows_get(rows, i, "plan_id") ?: "?");
	}
	vitk_inventory_rows_free(rows);
	return r;
}

int vitk_sriov_inventory_reserve(vitk_inventory *inv, int64_t host_id, const char *plan_id,
				 const char *vm, int vlan, const vitk_sriov_plan *plan)
{
	vitk_inventory_value m[] = { VITK_INV_S("vm", vm) };
	size_t i;
	int r;

	r = vitk_inventory_begin(inv);
	if (r < 0)
		return r;
	r = vitk_inventory_delete(inv, "sriov_reservation", host_id, m, 1, NULL);
	for (i = 0; r == 0 && i < plan->n_picks; i++) {
		vitk_inventory_value v[] = {
			VITK_INV_S("vf", plan->picks[i].vf),   VITK_INV_S("plan_id", plan_id),
			VITK_INV_S("vm", vm),		       VITK_INV_S("pf", plan->picks[i].pf),
			vlan >= 0 ? VITK_INV_I("vlan", vlan) : VITK_INV_NULL("vlan"),
		};

		r = vitk_inventory_upsert(inv, "sriov_reservation", host_id, v, VITK_ARRAY_SIZE(v),
					  NULL);
	}
	if (r == 0) {
		char det[256];
		size_t dl = 0;

		dl += (size_t)snprintf(det, sizeof(det), "plan %s:", plan_id);
		for (i = 0; i < plan->n_picks && dl < sizeof(det); i++)
			dl += (size_t)snprintf(det + dl, sizeof(det) - dl, " %s", plan->picks[i].vf);
		r = vitk_sriov_inventory_history(inv, host_id, "reserved", vm, det);
	}
	if (r < 0) {
		vitk_inventory_rollback(inv);
		return r;
	}
	return vitk_inventory_commit(inv);
}

void vitk_sriov_reservation_free(vitk_sriov_reservation *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_vfs; i++)
		free(r->vfs[i]);
	free(r->vfs);
	free(r->vm);
	free(r);
}

int vitk_sriov_inventory_plan_get(vitk_sriov_reservation **out, vitk_inventory *inv,
				  int64_t host_id, const char *plan_id)
{
	vitk_inventory_rows *rows = NULL;
	vitk_inventory_value m[] = { VITK_INV_S("plan_id", plan_id) };
	vitk_sriov_reservation *res = NULL;
	size_t i, n;
	int r;

	*out = NULL;
	r = vitk_inventory_select(&rows, inv, "sriov_reservation", host_id, m, 1, "vf");
	if (r == 0 && vitk_inventory_rows_count(rows) == 0) {
		vitk_inventory_value mv[] = { VITK_INV_S("vm", plan_id) };

		vitk_inventory_rows_free(rows);
		rows = NULL;
		r = vitk_inventory_select(&rows, inv, "sriov_reservation", host_id, mv, 1, "vf");
	}
	if (r < 0)
		goto out;
	n = vitk_inventory_rows_count(rows);
	if (n == 0) {
		r = vitk_error_set(VITK_ENOTFOUND, 0, "no reservation '%s'", plan_id);
		goto out;
	}
	res = calloc(1, sizeof(*res));
	if (res) {
		res->vfs = calloc(n, sizeof(*res->vfs));
		res->vm = strdup(vitk_inventory_rows_get(rows, 0, "vm") ?: "");
	}
	if (!res || !res->vfs || !res->vm) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *vf = vitk_inventory_rows_get(rows, i, "vf");

		if (!vf)
			continue;
		res->vfs[res->n_vfs] = strdup(vf);
		if (!res->vfs[res->n_vfs]) {
			r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
			goto out;
		}
		res->n_vfs++;
	}
	res->vlan = vitk_inventory_rows_get(rows, 0, "vlan")
			    ? (int)vitk_inventory_rows_get_int(rows, 0, "vlan")
			    : -1;
	*out = res;
	res = NULL;
out:
	vitk_sriov_reservation_free(res);
	vitk_inventory_rows_free(rows);
	return r;
}

int vitk_sriov_inventory_mac(char out[18], vitk_inventory *inv, int64_t host_id,
			     const char *domain, const char *vf)
{
	vitk_inventory_rows *rows = NULL, *vr = NULL;
	vitk_inventory_value m[] = { VITK_INV_S("domain", domain), VITK_INV_S("vf", vf) };
	vitk_inventory_value mv[] = { VITK_INV_S("addr", vf) };
	char seed[160];
	int r;

	out[0] = '\0';
	/* 1. the desired state's MAC for this VF */
	r = vitk_inventory_select(&vr, inv, "sriov_vf", host_id, mv, 1, NULL);
	if (r == 0 && vitk_inventory_rows_count(vr) == 1) {
		vitk_inventory_rows *dr = NULL;
		vitk_inventory_value dm[] = {
			VITK_INV_S("pf", vitk_inventory_rows_get(vr, 0, "pf")),
			VITK_INV_I("vf_index", vitk_inventory_rows_get_int(vr, 0, "vf_index")),
		};

		r = vitk_inventory_select(&dr, inv, "sriov_desired_vf", host_id, dm, 2, NULL);
		if (r == 0 && vitk_inventory_rows_count(dr) == 1 &&
		    vitk_inventory_rows_get(dr, 0, "mac"))
			snprintf(out, 18, "%s", vitk_inventory_rows_get(dr, 0, "mac"));
		vitk_inventory_rows_free(dr);
	}
	vitk_inventory_rows_free(vr);
	if (r < 0)
		return r;
	/* 2. the one stored at the first attach */
	if (!out[0]) {
		r = vitk_inventory_select(&rows, inv, "sriov_mac", host_id, m, 2, NULL);
		if (r < 0)
			return r;
		if (vitk_inventory_rows_count(rows) == 1)
			snprintf(out, 18, "%s", vitk_inventory_rows_get(rows, 0, "mac") ?: "");
		vitk_inventory_rows_free(rows);
	}
	if (out[0]) {
		vitk_inventory_value v[] = { VITK_INV_S("domain", domain), VITK_INV_S("vf", vf),
					     VITK_INV_S("mac", out) };

		return vitk_inventory_upsert(inv, "sriov_mac", host_id, v, 3, NULL);
	}
	/*
	 * 3. generate once and store.  Derived from (domain, VF) so a domain that
	 * is recreated gets its MAC back even from an empty inventory.
	 */
	{
		vitk_inventory_value v[3];

		snprintf(seed, sizeof(seed), "%s/%s", domain, vf);
		vitk_sriov_mac_generate(out, seed);
		v[0] = VITK_INV_S("domain", domain);
		v[1] = VITK_INV_S("vf", vf);
		v[2] = VITK_INV_S("mac", out);
		r = vitk_inventory_upsert(inv, "sriov_mac", host_id, v, 3, NULL);
	}
	return r;
}

int vitk_sriov_inventory_assign(vitk_inventory *inv, int64_t host_id, const char *vf,
				const char *domain, const char *uri, const char *mac, int vlan,
				bool attached)
{
	vitk_inventory_value v[] = {
		VITK_INV_S("vf", vf),
		VITK_INV_S("domain", domain),
		VITK_INV_S("uri", uri),
		VITK_INV_S("mac", mac),
		vlan >= 0 ? VITK_INV_I("vlan", vlan) : VITK_INV_NULL("vlan"),
		VITK_INV_S("state", attached ? "attached" : "detached"),
	};
	vitk_inventory_value m[] = { VITK_INV_S("vf", vf) };
	int r;

	r = vitk_inventory_begin(inv);
	if (r < 0)
		return r;
	r = vitk_inventory_upsert(inv, "sriov_assignment", host_id, v, VITK_ARRAY_SIZE(v), NULL);
	if (r == 0 && attached) /* the reservation became an assignment */
		r = vitk_inventory_delete(inv, "sriov_reservation", host_id, m, 1, NULL);
	if (r == 0)
		r = vitk_sriov_inventory_history(inv, host_id, attached ? "attached" : "detached", vf,
						 domain);
	if (r < 0) {
		vitk_inventory_rollback(inv);
		return r;
	}
	return vitk_inventory_commit(inv);
}

int vitk_sriov_inventory_annotate(vitk_inventory *inv, int64_t host_id, vitk_sriov_pf_list *pfs)
{
	vitk_inventory_rows *rows = NULL;
	vitk_inventory_value m[] = { VITK_INV_S("state", "attached") };
	size_t i, j, k;
	int r;

	r = vitk_inventory_select(&rows, inv, "sriov_assignment", host_id, m, 1, NULL);
	if (r < 0)
		return r;
	for (k = 0; k < vitk_inventory_rows_count(rows); k++) {
		const char *vf = vitk_inventory_rows_get(rows, k, "vf");
		const char *dom = vitk_inventory_rows_get(rows, k, "domain");

		for (i = 0; vf && dom && i < pfs->count; i++)
			for (j = 0; j < pfs->items[i].n_vfs; j++)
				if (!strcmp(pfs->items[i].vfs[j].addr, vf) && r == 0)
					r = vitk_sriov__strset(&pfs->items[i].vfs[j].domain, dom);
	}
	vitk_inventory_rows_free(rows);
	return r;
}

int vitk_sriov_inventory_esxi_save(vitk_inventory *inv, const vitk_sriov_esxi_host *h,
				   int64_t *host_id)
{
	vitk_sriov_pf_list *pl = NULL;
	int64_t hid = 0;
	size_t i;
	int r;

	if (!h->host)
		return vitk_error_set(VITK_EINVAL, 0, "the ESXi host has no name to record it under");
	r = vitk_inventory_host_ensure(inv, h->host, h->system_uuid, "esxi", "import", &hid);
	if (r < 0)
		return r;
	pl = calloc(1, sizeof(*pl));
	if (pl)
		pl->items = calloc(h->n_ports ? h->n_ports : 1, sizeof(*pl->items));
	if (!pl || !pl->items) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < h->n_ports; i++) {
		const vitk_sriov_esxi_port *pt = &h->ports[i];
		vitk_sriov_pf_info *pf = &pl->items[pl->count++];

		pf->netdevs = calloc(1, sizeof(*pf->netdevs));
		if (!pf->netdevs) {
			r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
			goto out;
		}
		pf->n_netdevs = 1;
		r = vitk_sriov__strset(&pf->addr, pt->addr);
		if (r == 0)
			r = vitk_sriov__strsetf(&pf->adapter, "%.10s", pt->addr);
		if (r == 0)
			r = vitk_sriov__strset(&pf->driver, pt->driver);
		if (r == 0)
			r = vitk_sriov__strset(&pf->netdevs[0], pt->name);
		if (r < 0)
			goto out;
		pf->vendor_id = pt->vendor_id;
		pf->device_id = pt->device_id;
		pf->numa_node = -1;
		pf->iommu_group = -1;
		pf->autoprobe = -1;
		pf->has_sysfs = true;
		pf->sysfs_numvfs = pt->max_vfs;
		pf->sysfs_totalvfs = pt->max_vfs;
		pf->sysfs_offset = pt->vf_offset;
		pf->sysfs_stride = pt->vf_stride;
		pf->sysfs_vf_device = pt->vf_device_id;
	}
	r = vitk_sriov_inventory_record_scan(inv, hid, pl);
	if (r == 0 && host_id)
		*host_id = hid;
out:
	vitk_sriov_pf_list_free(pl);
	return r;
}

static uint16_t hex16(const char *s)
{
	uint32_t v = 0;

	if (!s || vitk_sriov_parse_hex(s, 0xffff, &v, "id") < 0) {
		vitk_error_clear();
		return 0;
	}
	return (uint16_t)v;
}

int vitk_sriov_inventory_esxi_load(vitk_sriov_esxi_host **out, vitk_inventory *inv,
				   const char *host)
{
	vitk_sriov_esxi_host *h = NULL;
	vitk_inventory_rows *rows = NULL, *hr = NULL;
	int64_t hid = 0;
	size_t i, n;
	char sql[96];
	int r;

	*out = NULL;
	r = vitk_inventory_host_lookup(inv, host, &hid);
	if (r < 0)
		return r;
	snprintf(sql, sizeof(sql), "SELECT name, machine_id, kind FROM hosts WHERE id = %lld",
		 (long long)hid);
	r = vitk_inventory_query(&hr, inv, sql);
	if (r < 0)
		return r;
	if (vitk_inventory_rows_count(hr) != 1 || !vitk_inventory_rows_get(hr, 0, "kind") ||
	    strcmp(vitk_inventory_rows_get(hr, 0, "kind"), "esxi")) {
		r = vitk_error_set(VITK_ENOTFOUND, 0, "host '%s' is not an ESXi host in the inventory",
				   host);
		goto out;
	}
	r = vitk_inventory_select(&rows, inv, "sriov_pf", hid, NULL, 0, "addr");
	if (r < 0)
		goto out;
	n = vitk_inventory_rows_count(rows);
	h = calloc(1, sizeof(*h));
	if (!h || !(h->ports = calloc(n ? n : 1, sizeof(*h->ports)))) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	r = vitk_sriov__strset(&h->host, vitk_inventory_rows_get(hr, 0, "name"));
	if (r < 0)
		goto out;
	if (vitk_sriov_esxi_host_set_uuid(h, vitk_inventory_rows_get(hr, 0, "machine_id")) < 0)
		vitk_error_clear(); /* recorded without a system UUID */
	for (i = 0; i < n; i++) {
		vitk_sriov_esxi_port *pt = &h->ports[i];

		h->n_ports = i + 1;
		r = vitk_sriov__strset(&pt->name, vitk_inventory_rows_get(rows, i, "netdev"));
		if (r == 0)
			r = vitk_sriov__strset(&pt->addr, vitk_inventory_rows_get(rows, i, "addr"));
		if (r == 0)
			r = vitk_sriov__strset(&pt->driver, vitk_inventory_rows_get(rows, i, "driver"));
		if (r < 0)
			goto out;
		if (!pt->name || !pt->addr || !pt->driver) {
			r = vitk_error_set(VITK_EINVAL, 0,
					   "ESXi host '%s': a recorded port lacks its name, address or driver",
					   host);
			goto out;
		}
		pt->vendor_id = hex16(vitk_inventory_rows_get(rows, i, "vendor_id"));
		pt->device_id = hex16(vitk_inventory_rows_get(rows, i, "device_id"));
		pt->vf_device_id = hex16(vitk_inventory_rows_get(rows, i, "vf_device"));
		pt->vf_offset = (unsigned)vitk_inventory_rows_get_int(rows, i, "vf_offset");
		pt->vf_stride = (unsigned)vitk_inventory_rows_get_int(rows, i, "vf_stride");
		pt->max_vfs = (unsigned)vitk_inventory_rows_get_int(rows, i, "num_vfs");
	}
	if (h->n_ports == 0) {
		r = vitk_error_set(VITK_ENOTFOUND, 0, "no SR-IOV ports recorded for ESXi host '%s'", host);
		goto out;
	}
	*out = h;
	h = NULL;
out:
	vitk_sriov_esxi_host_free(h);
	vitk_inventory_rows_free(rows);
	vitk_inventory_rows_free(hr);
	return r;
}
