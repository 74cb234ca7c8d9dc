/* SPDX-License-Identifier: MIT */
/*
 * The allocation planner: pick N free VFs for a VM, each on a different PF,
 * preferring different physical adapters (PCI domain:bus:device of the PF:
 * ports of one card share its failure domain), honouring a NUMA policy with
 * Nova's names, never taking excluded, reserved, assigned or host-used VFs.
 * Pure and deterministic: PFs and VFs are visited in address order and ties
 * are broken by address.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/array.h>

#include "sriov_priv.h"


static int add_text(char ***arr, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int add_text(char ***arr, size_t *n, const char *fmt, ...)
{
	VITK_ARRAY(char *) a = { *arr, *n, *n };
	char *text = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vitk_sriov__vstrsetf(&text, fmt, ap);
	va_end(ap);
	if (r < 0)
		return r;
	if (vitk_array_append(a, text) < 0) {
		free(text);
		return VITK_ENOMEM;
	}
	*arr = a.ptr;
	*n = a.size;
	return 0;
}

void vitk_sriov_plan_free(vitk_sriov_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_notes; i++)
		free(p->notes[i]);
	for (i = 0; i < p->n_warnings; i++)
		free(p->warnings[i]);
	for (i = 0; i < p->n_picks; i++) {
		free(p->picks[i].vf);
		free(p->picks[i].pf);
		free(p->picks[i].adapter);
		free(p->picks[i].pf_netdev);
	}
	free(p->notes);
	free(p->warnings);
	free(p->picks);
	free(p);
}

struct cand_pf {
	const vitk_sriov_pf_info *pf;
	bool numa_ok;  /* matches, or no NUMA request */
	bool eligible; /* not rejected as a whole */
	size_t n_free;
	size_t *free_idx; /* indexes into pf->vfs, address order */
	size_t next;      /* next free VF to hand out */
	unsigned used;    /* picks from this PF */
};

static const char *policy_name(vitk_sriov_numa_policy p)
{
	return p == VITK_SRIOV_NUMA_REQUIRED ? "required"
	       : p == VITK_SRIOV_NUMA_PREFERRED ? "preferred"
						: "none";
}

int vitk_sriov_plan_compute(vitk_sriov_plan **out, const vitk_sriov_pf_list *pfs,
			    const vitk_sriov_plan_request *req)
{
	vitk_sriov_plan *p = NULL;
	struct cand_pf *c = NULL;
	size_t i, j, k, n = pfs ? pfs->count : 0;
	int r = 0;

	*out = NULL;
	if (!req || !req->vm || !req->vm[0] || req->count == 0 ||
	    req->count > 64)
		return vitk_error_set(VITK_EINVAL, 0, "plan: need a VM name and a count of 1..64");
	p = calloc(1, sizeof(*p));
	c = calloc(n ? n : 1, sizeof(*c));
	if (!p || !c) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	p->picks = calloc(req->count, sizeof(*p->picks));
	if (!p->picks) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	{
		char numa[48] = "any NUMA node", vlan[32] = "";

		if (req->numa_node >= 0)
			snprintf(numa, sizeof(numa), "NUMA node %d (policy %s)", req->numa_node,
				 policy_name(req->policy));
		if (req->vlan >= 0)
			snprintf(vlan, sizeof(vlan), ", VLAN %d", req->vlan);
		r = add_text(&p->notes, &p->n_notes, "request: %u VF(s) for VM '%s', %s%s",
			     req->count, req->vm, numa, vlan);
		if (r < 0)
			goto out;
	}
	/* classify every PF and VF */
	for (i = 0; i < n; i++) {
		const vitk_sriov_pf_info *pf = &pfs->items[i];
		struct cand_pf *cp = &c[i];

		cp->pf = pf;
		cp->eligible = true;
		cp->numa_ok = req->numa_node < 0 || pf->numa_node == req->numa_node;
		if (req->numa_node >= 0 && req->policy == VITK_SRIOV_NUMA_NONE)
			cp->numa_ok = true;
		if (pf->n_vfs == 0) {
			cp->eligible = false;
			r = add_text(&p->notes, &p->n_notes, "rejected PF %s: no VFs enabled", pf->addr);
			if (r < 0)
				goto out;
			continue;
		}
		if (!cp->numa_ok && req->policy == VITK_SRIOV_NUMA_REQUIRED) {
			cp->eligible = false;
			r = add_text(&p->notes, &p->n_notes,
				     "rejected PF %s (%zu VFs): NUMA node %d, the VM needs node %d (policy required)",
				     pf->addr, pf->n_vfs, pf->numa_node, req->numa_node);
			if (r < 0)
				goto out;
			continue;
		}
		cp->free_idx = calloc(pf->n_vfs, sizeof(*cp->free_idx));
		if (!cp->free_idx) {
			r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
			goto out;
		}
		for (j = 0; j < pf->n_vfs; j++) {
			const vitk_sriov_vf_info *vf = &pf->vfs[j];
			const char *why = vitk_sriov_taken_lookup(req->taken, vf->addr);

			if (!why && vf->host_used)
				why = "used by the host (netdev up)";
			if (!why && vf->domain)
				why = "assigned to a domain";
			if (why) {
				r = add_text(&p->notes, &p->n_notes, "rejected %s (VF %u of %s): %s",
					     vf->addr, vf->index, pf->addr, why);
				if (r < 0)
					goto out;
				continue;
			}
			cp->free_idx[cp->n_free++] = j;
		}
		if (cp->n_free == 0) {
			cp->eligible = false;
			r = add_text(&p->notes, &p->n_notes, "rejected PF %s: no free VF", pf->addr);
			if (r < 0)
				goto out;
		}
	}
	/* greedy, deterministic picks */
	for (k = 0; k < req->count; k++) {
		struct cand_pf *best = NULL;
		int best_key[4] = { 0, 0, 0, 0 };
		bool adapter_used, pf_used;

		for (i = 0; i < n; i++) {
			struct cand_pf *cp = &c[i];
			int key[4];

			if (!cp->eligible || cp->next >= cp->n_free)
				continue;
			adapter_used = false;
			for (j = 0; j < p->n_picks; j++)
				if (!strcmp(p->picks[j].adapter, cp->pf->adapter))
					adapter_used = true;
			/*
			 * Lower is better: an unused PF (redundancy), the VM's NUMA node
			 * (only "preferred" gets here with a mismatch), an adapter not
			 * used yet (failure domain), then the most free VFs (spread load).
			 */
			key[0] = cp->used ? 1 : 0;
			key[1] = cp->numa_ok ? 0 : 1;
			key[2] = adapter_used ? 1 : 0;
			key[3] = -(int)(cp->n_free - cp->next);
			{
				int m;
				bool better = !best;

				for (m = 0; m < 4 && !better; m++) {
					if (key[m] < best_key[m])
						better = true;
					if (key[m] != best_key[m])
						break;
				}
				if (better) {
					best = cp;
					memcpy(best_key, key, sizeof(key));
				}
			}
		}
		if (!best)
			break;
		{
			const vitk_sriov_vf_info *vf = &best->pf->vfs[best->free_idx[best->next]];
			vitk_sriov_plan_pick *pk = &p->picks[p->n_picks];
			char why[256];

			pf_used = best->used > 0;
			adapter_used = best_key[2] != 0;
			p->n_picks++; /* owned by the plan from here on */
			pk->vf_index = vf->index;
			pk->numa_node = best->pf->numa_node;
			if (vitk_sriov__strset(&pk->vf, vf->addr) < 0 ||
			    vitk_sriov__strset(&pk->pf, best->pf->addr) < 0 ||
			    vitk_sriov__strset(&pk->adapter, best->pf->adapter) < 0 ||
			    vitk_sriov__strset(&pk->pf_netdev,
					       best->pf->n_netdevs ? best->pf->netdevs[0] : NULL) < 0) {
				r = VITK_ENOMEM;
				goto out;
			}
			snprintf(why, sizeof(why), "%s%s%s, %zu free VFs on the PF, lowest free index",
				 k == 0 ? "first pick" : pf_used ? "only PFs already used remain"
					  : adapter_used ? "a PF not used yet (but on an adapter already used)"
							 : "a PF on an adapter not used yet",
				 req->numa_node < 0 ? ""
				 : best->numa_ok ? ", NUMA node matches"
						 : ", NUMA node differs (policy preferred: fallback)",
				 "", best->n_free - best->next);
			r = add_text(&p->notes, &p->n_notes,
				     "chose %s (VF %u of PF %s%s%s, adapter %s, NUMA %d): %s", vf->addr,
				     vf->index, best->pf->addr, best->pf->n_netdevs ? " " : "",
				     best->pf->n_netdevs ? best->pf->netdevs[0] : "", best->pf->adapter,
				     best->pf->numa_node, why);
			if (r < 0)
				goto out;
			if (req->numa_node >= 0 && !best->numa_ok) {
				r = add_text(&p->warnings, &p->n_warnings,
					     "%s is on NUMA node %d, not the VM's node %d", vf->addr,
					     best->pf->numa_node, req->numa_node);
				if (r < 0)
					goto out;
			}
			for (j = 0; j + 1 < p->n_picks; j++) {
				if (!strcmp(p->picks[j].pf, pk->pf))
					r = add_text(&p->warnings, &p->n_warnings,
						     "%s and %s share PF %s: traffic between them stays in the NIC's switch, but the pair gives no redundancy",
						     p->picks[j].vf, pk->vf, pk->pf);
				else if (!strcmp(p->picks[j].adapter, pk->adapter))
					r = add_text(&p->warnings, &p->n_warnings,
						     "%s and %s are on different PFs of the same adapter %s: one card, one failure domain",
						     p->picks[j].vf, pk->vf, pk->adapter);
				if (r < 0)
					goto out;
			}
			best->used++;
			best->next++;
		}
	}
	if (p->n_picks < req->count) {
		r = add_text(&p->notes, &p->n_notes, "not enough VFs: need %u, found %zu", req->count,
			     p->n_picks);
		if (r < 0)
			goto out;
		r = vitk_error_set(VITK_ENOTFOUND, 0,
				   "no plan for '%s': need %u free VFs, found %zu (see the notes)",
				   req->vm, req->count, p->n_picks);
	}
	*out = p;
	p = NULL;
out:
	for (i = 0; c && i < n; i++)
		free(c[i].free_idx);
	free(c);
	vitk_sriov_plan_free(p);
	return r;
}
