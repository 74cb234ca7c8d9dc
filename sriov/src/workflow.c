/* SPDX-License-Identifier: MIT */
/*
 * Host workflows: discovery from the right source (sysfs, an lspci capture or
 * libvirt's node devices) with the inventory's annotations and records.
 * Calls discover.c, libvirt.c and sriov_inventory.c; nothing calls back.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sriov_priv.h"

#define DESIRED_FILE_MAX (16u << 20)

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

/* ---------------------------------------------------------------- history */

static void record(const vitk_sriov_site *site, const char *event, const char *subject,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void record(const vitk_sriov_site *site, const char *event, const char *subject,
		   const char *fmt, ...)
{
	char *detail = NULL;
	va_list ap;
	int r;

	if (!site || !site->inv || !site->host_id)
		return;
	va_start(ap, fmt);
	r = vitk_sriov__vstrsetf(&detail, fmt, ap);
	va_end(ap);
	if (r < 0 || vitk_sriov_inventory_history(site->inv, site->host_id, event, subject,
						    detail) < 0) {
		vitk_log(VITK_LOG_WARNING, "sriov", "cannot record history: %s",
			 vitk_error_last()->message);
		vitk_error_clear();
	}
	free(detail);
}

/* ---------------------------------------------------------------- control */

int vitk_sriov_set_vfs(vitk_sriov *ctx, const vitk_sriov_site *site, const char *pf, unsigned n,
		       unsigned flags, unsigned *actual)
{
	vitk_sriov_taken *used = NULL;
	char norm[VITK_SRIOV_ADDR_MAX];
	int r;

	*actual = 0;
	r = vitk_sriov_addr_normalize(norm, pf);
	if (r == 0)
		r = vitk_sriov_in_use(&used, site->inv, site->host_id, site->uri);
	if (r == 0)
		r = vitk_sriov_pf_set_num_vfs(ctx, norm, n, flags, used, actual);
	vitk_sriov_taken_free(used);
	if (r < 0)
		return r;
	record(site, "set-vfs", norm, "requested %u, enabled %u", n, *actual);
	return 0;
}

int vitk_sriov_vf_set(vitk_sriov *ctx, const vitk_sriov_site *site, const char *pf,
		      const vitk_sriov_vf_config *cfg, unsigned rates)
{
	vitk_sriov_vf_config c = *cfg;
	char norm[VITK_SRIOV_ADDR_MAX];
	int r;

	r = vitk_sriov_addr_normalize(norm, pf);
	if (r < 0)
		return r;
	if (c.has_rate && (rates & (VITK_SRIOV_RATE_MAX | VITK_SRIOV_RATE_MIN)) !=
				  (VITK_SRIOV_RATE_MAX | VITK_SRIOV_RATE_MIN)) {
		/* IFLA_VF_RATE carries both rates: keep the one not given */
		vitk_sriov_pf_info *p = NULL;

		if (vitk_sriov_pf_get(&p, ctx, norm, VITK_SRIOV_SCAN_NO_NAMES) == 0 &&
		    c.vf < p->n_vfs && p->vfs[c.vf].has_state) {
			if (!(rates & VITK_SRIOV_RATE_MAX))
				c.max_tx_rate = p->vfs[c.vf].state.max_tx_rate;
			if (!(rates & VITK_SRIOV_RATE_MIN))
				c.min_tx_rate = p->vfs[c.vf].state.min_tx_rate;
		}
		vitk_error_clear();
		vitk_sriov_pf_free(p);
	}
	r = vitk_sriov_vf_configure(ctx, norm, &c);
	if (r < 0)
		return r;
	record(site, "vf-set", norm, "VF %u", c.vf);
	return 0;
}

int vitk_sriov_persist_unit(const vitk_sriov_site *site, const vitk_sriov_persist_options *o,
			    char **unit_path)
{
	int r = vitk_sriov_persist(o, unit_path);

	if (r == 0)
		record(site, "persist", NULL, "%s", *unit_path);
	return r;
}

int vitk_sriov_bind_vf(vitk_sriov *ctx, const vitk_sriov_site *site, const char *vf,
		       const char *driver)
{
	char norm[VITK_SRIOV_ADDR_MAX];
	int r;

	r = vitk_sriov_addr_normalize(norm, vf);
	if (r == 0)
		r = vitk_sriov_vf_bind(ctx, norm, driver);
	if (r < 0)
		return r;
	record(site, "bind", norm, "%s", driver);
	return 0;
}

/* ---------------------------------------------------------- desired state */

int vitk_sriov_import_desired(const vitk_sriov_site *site, const char *path)
{
	vitk_sriov_desired *d = NULL;
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = vitk_read_file(path, DESIRED_FILE_MAX, &buf, &len);
	if (r < 0)
		return vitk_error_prefix("cannot read '%s': ", path);
	r = vitk_sriov_desired_from_json(&d, buf, len);
	if (r == 0)
		r = vitk_sriov_inventory_save_desired(site->inv, site->host_id, d);
	vitk_sriov_desired_free(d);
	free(buf);
	return r;
}

int vitk_sriov_export_desired(json_t **out, const vitk_sriov_site *site)
{
	vitk_sriov_desired *d = NULL;
	int r;

	*out = NULL;
	r = vitk_sriov_inventory_load_desired(&d, site->inv, site->host_id);
	if (r == 0)
		r = vitk_sriov__desired_doc(out, d);
	vitk_sriov_desired_free(d);
	return r;
}

/* what the host looks like after a change (best effort: the change itself succeeded) */
static void record_state(vitk_sriov *ctx, const vitk_sriov_site *site)
{
	vitk_sriov_pf_list *pl = NULL;

	if (site->inv && vitk_sriov_scan(&pl, ctx, VITK_SRIOV_SCAN_NO_NAMES) == 0)
		vitk_sriov_inventory_record_scan(site->inv, site->host_id, pl);
	vitk_error_clear();
	vitk_sriov_pf_list_free(pl);
}

int vitk_sriov_apply_desired(vitk_sriov_change_list **out, vitk_sriov *ctx,
			     const vitk_sriov_site *site, unsigned flags, bool allow_empty)
{
	bool dry = flags & VITK_SRIOV_APPLY_DRY_RUN;
	vitk_sriov_desired *d = NULL;
	vitk_sriov_taken *used = NULL;
	vitk_error saved;
	size_t i;
	int r;

	*out = NULL;
	r = vitk_sriov_inventory_load_desired(&d, site->inv, site->host_id);
	if (r == 0 && d->n_pfs == 0 && !allow_empty)
		r = vitk_error_set(VITK_ENOTFOUND, 0,
				   "no desired state for this host: import one with --import FILE");
	if (r == 0)
		r = vitk_sriov_in_use(&used, site->inv, site->host_id, site->uri);
	if (r == 0)
		r = vitk_sriov_apply(out, ctx, d, flags, used);
	vitk_sriov_desired_free(d);
	vitk_sriov_taken_free(used);
	if (!*out)
		return r;
	saved = *vitk_error_last(); /* recording below must not hide the apply's failure */
	for (i = 0; !dry && i < (*out)->count; i++) {
		const vitk_sriov_change *c = &(*out)->items[i];

		record(site, c->action, c->subject, "%s%s%s", c->detail, c->result ? ": " : "",
		       c->result && c->error ? c->error : "");
	}
	if (!dry)
		record_state(ctx, site);
	if (r < 0)
		return vitk_error_set(saved.code, saved.os_errno, "%s", saved.message);
	return 0;
}

/* ---------------------------------------------------------------- planner */

void vitk_sriov_vm_plan_free(vitk_sriov_vm_plan *p)
{
	if (!p)
		return;
	vitk_sriov_plan_free(p->plan);
	free(p->plan_id);
	free(p->vm);
	free(p);
}

/* a stable reservation ID: FNV-1a over the VM name and the chosen VFs */
static int plan_id_of(char **out, const char *vm, const vitk_sriov_plan *p)
{
	uint64_t h = 1469598103934665603ULL;
	const char *s;
	size_t i;

	for (s = vm; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	for (i = 0; i < p->n_picks; i++)
		for (s = p->picks[i].vf; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return vitk_sriov__strsetf(out, "p-%08llx", (unsigned long long)(h & 0xffffffffULL));
}

int vitk_sriov_plan_vm(vitk_sriov_vm_plan **out, vitk_sriov *ctx, const vitk_sriov_site *site,
		       const vitk_sriov_plan_request *req, bool no_reserve)
{
	vitk_sriov_discover_request dq = { .inv = site->inv, .host_id = site->host_id };
	vitk_sriov_plan_request q = *req;
	vitk_sriov_pf_list *l = NULL;
	vitk_sriov_taken *t = NULL;
	vitk_sriov_vm_plan *res = NULL;
	int r, pr = 0;

	*out = NULL;
	if (!req->vm || !req->vm[0])
		return vitk_error_set(VITK_EINVAL, 0, "plan: need a VM name");
	r = vitk_sriov_discover(&l, ctx, &dq);
	if (r == 0)
		r = vitk_sriov_unavailable(&t, site->inv, site->host_id, req->vm, site->uri);
	if (r == 0) {
		res = calloc(1, sizeof(*res));
		if (!res || vitk_sriov__strset(&res->vm, req->vm) < 0)
			r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	if (r < 0)
		goto out;
	res->vlan = req->vlan;
	q.taken = t;
	pr = vitk_sriov_plan_compute(&res->plan, l, &q);
	if (pr < 0 && !res->plan) {
		r = pr;
		goto out;
	}
	if (pr == 0 && !no_reserve) {
		r = plan_id_of(&res->plan_id, req->vm, res->plan);
		if (r == 0)
			r = vitk_sriov_inventory_reserve(site->inv, site->host_id, res->plan_id,
							 req->vm, req->vlan, res->plan);
		if (r < 0)
			goto out;
	}
	*out = res;
	res = NULL;
	r = pr;
out:
	vitk_sriov_vm_plan_free(res);
	vitk_sriov_taken_free(t);
	vitk_sriov_pf_list_free(l);
	return r;
}
