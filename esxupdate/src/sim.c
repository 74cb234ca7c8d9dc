/* SPDX-License-Identifier: MIT */
/*
 * The esxcli software simulator.  The documented semantics (esxcli help
 * texts, docs/esxupdate-facts.md "Commands") are applied directly; every
 * rule that VMware does not document is recorded as an assumption in the
 * result so an operator can see what was inferred.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esxu.h"

enum hstate { H_KEEP = 0, H_UPGRADED, H_DOWNGRADED, H_REPLACED, H_DROPPED };

struct plan {
	const vitk_esxupdate_host *h;
	const vitk_esxupdate_depot *d;
	const vitk_esxupdate_command *cmd;
	vitk_esxupdate_result *r;
	enum hstate *hst;        /* per host VIB */
	const char **hby;        /* replaced-by name */
	const vitk_esxupdate_vib **cand; /* candidates (newest per name) */
	size_t ncand;
	int *cact;               /* per candidate: 0 skip, 1 install */
	const char **creason;
	long *cpeer;             /* same-name host VIB index or -1 */
	bool *hpeer;             /* per host VIB: some candidate has its name */
};

const char *vitk_esxupdate_action_name(vitk_esxupdate_action a)
{
	switch (a) {
	case VITK_ESXUPDATE_ACT_INSTALLED: return "installed";
	case VITK_ESXUPDATE_ACT_UPGRADED: return "upgraded";
	case VITK_ESXUPDATE_ACT_DOWNGRADED: return "downgraded";
	case VITK_ESXUPDATE_ACT_REMOVED_REPLACED: return "removed-replaced";
	case VITK_ESXUPDATE_ACT_REMOVED_PROFILE: return "removed-profile";
	case VITK_ESXUPDATE_ACT_KEPT: return "kept";
	case VITK_ESXUPDATE_ACT_SKIPPED: return "skipped";
	}
	return "?";
}

static int assume(vitk_esxupdate_result *r, const char *text)
{
	if (vitk_esxupdate__strv_has(&r->assumptions, text))
		return 0;
	return vitk_esxupdate__strv_add(&r->assumptions, text);
}

int vitk_esxupdate__result_assume(vitk_esxupdate_result *r, const char *text)
{
	return assume(r, text);
}

void vitk_esxupdate_result_free(vitk_esxupdate_result *r)
{
	size_t i;

	if (!r)
		return;
	free(r->header);
	free(r->message);
	free(r->error);
	for (i = 0; i < VITK_ESXUPDATE_LIST_COUNT; i++)
		vitk_esxupdate__strv_dispose(&r->lists[i]);
	for (i = 0; i < r->changes.size; i++) {
		free(r->changes.ptr[i].name);
		free(r->changes.ptr[i].from_id);
		free(r->changes.ptr[i].from_version);
		free(r->changes.ptr[i].to_id);
		free(r->changes.ptr[i].to_version);
		free(r->changes.ptr[i].reason);
	}
	vitk_array_clear(r->changes);
	vitk_esxupdate__strv_dispose(&r->assumptions);
	vitk_esxupdate__strv_dispose(&r->dep_errors);
	vitk_esxupdate__strv_dispose(&r->conflict_errors);
	vitk_esxupdate__strv_dispose(&r->acc_errors);
	vitk_esxupdate__strv_dispose(&r->removal_refused);
	vitk_esxupdate__strv_dispose(&r->half_applied);
	free(r->profile);
	free(r->profile_wanted);
	for (i = 0; i < VITK_ESXUPDATE_LIST_COUNT; i++)
		vitk_esxupdate__strv_dispose(&r->comp_lists[i]);
	vitk_esxupdate__strv_dispose(&r->comp_downgrades);
	free(r);
}

const char *vitk_esxupdate_result_header(const vitk_esxupdate_result *r) { return r->header; }
const char *vitk_esxupdate_result_message(const vitk_esxupdate_result *r) { return r->message; }
const char *vitk_esxupdate_result_error(const vitk_esxupdate_result *r) { return r->error; }
bool vitk_esxupdate_result_reboot_required(const vitk_esxupdate_result *r) { return r->reboot; }
bool vitk_esxupdate_result_maintenance_required(const vitk_esxupdate_result *r) { return r->maint; }

size_t vitk_esxupdate_result_list_count(const vitk_esxupdate_result *r, vitk_esxupdate_list which)
{
	return (unsigned)which < VITK_ESXUPDATE_LIST_COUNT ? r->lists[which].size : 0;
}

const char *vitk_esxupdate_result_list(const vitk_esxupdate_result *r, vitk_esxupdate_list which, size_t i)
{
	return (unsigned)which < VITK_ESXUPDATE_LIST_COUNT && i < r->lists[which].size ? r->lists[which].ptr[i] : NULL;
}

size_t vitk_esxupdate_result_change_count(const vitk_esxupdate_result *r) { return r->changes.size; }

const vitk_esxupdate_change *vitk_esxupdate_result_change(const vitk_esxupdate_result *r, size_t i)
{
	return i < r->changes.size ? &r->changes.ptr[i] : NULL;
}

size_t vitk_esxupdate_result_assumption_count(const vitk_esxupdate_result *r)
{
	return r->assumptions.size;
}

const char *vitk_esxupdate_result_assumption(const vitk_esxupdate_result *r, size_t i)
{
	return i < r->assumptions.size ? r->assumptions.ptr[i] : NULL;
}

static int add_change(vitk_esxupdate_result *r, const char *name, vitk_esxupdate_action a,
		      const vitk_esxupdate_vib *from, const vitk_esxupdate_vib *to, const char *reason)
{
	vitk_esxupdate_change *c;

	c = vitk_array_push(r->changes); /* zero-filled; freed with the result on failure */
	if (!c)
		return VITK_ENOMEM;
	c->name = vitk_esxupdate__strdup(name);
	c->action = a;
	if (from) {
		c->from_id = vitk_esxupdate__strdup(from->id);
		c->from_version = vitk_esxupdate__strdup(from->version);
	}
	if (to) {
		c->to_id = vitk_esxupdate__strdup(to->id);
		c->to_version = vitk_esxupdate__strdup(to->version);
	}
	c->reason = vitk_esxupdate__strdup(reason ? reason : "");
	c->driver = vitk_esxupdate_vib_driver_class(from ? from : to);
	if (from && c->driver == VITK_ESXUPDATE_DRIVER_NONE && to)
		c->driver = vitk_esxupdate_vib_driver_class(to);
	c->vendor = from ? vitk_esxupdate_vib_is_vendor(from) : false;
	if (!c->name || !c->reason || (from && (!c->from_id || !c->from_version)) ||
	    (to && (!c->to_id || !c->to_version)))
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	return 0;
}

static long host_index(const vitk_esxupdate_host *h, const char *name)
{
	const vitk_esxupdate_vib *v = vitk_esxupdate_host_find(h, name);

	return v ? (long)(v - h->vibs.ptr) : -1;
}

/* next host VIB (from constraint @from_constraint on) that one of @c's <replaces> matches, or -1 */
static long first_replaced_host(const vitk_esxupdate_host *h, const vitk_esxupdate_vib *c,
				const enum hstate *hst, size_t from_constraint, size_t *next)
{
	size_t j;

	for (j = from_constraint; j < c->replaces.count; j++) {
		long k = host_index(h, c->replaces.items[j].name);

		if (k >= 0 && hst[k] == 0 && strcmp(h->vibs.ptr[k].name, c->name) != 0 &&
		    vitk_esxupdate__constraint_matches_vib(&c->replaces.items[j], &h->vibs.ptr[k], false)) {
			*next = j + 1;
			return k;
		}
	}
	*next = c->replaces.count;
	return -1;
}

/* does any constraint of @list match @v (by name/version, no provides) */
static const vitk_esxupdate_constraint *list_matches(const vitk_esxupdate_constraints *list,
						     const vitk_esxupdate_vib *v)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (vitk_esxupdate__constraint_matches_vib(&list->items[i], v, false))
			return &list->items[i];
	return NULL;
}

/* -n selector: name | name:version | vendor:name | vendor:name:version */
static bool selector_matches(const char *sel, const vitk_esxupdate_vib *v,
			     const vitk_esxupdate_depot *d)
{
	const char *c1 = strchr(sel, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	if (!c1)
		return strcmp(sel, v->name) == 0;
	if (c2)
		return v->vendor && strncmp(sel, v->vendor, (size_t)(c1 - sel)) == 0 &&
		       strlen(v->vendor) == (size_t)(c1 - sel) &&
		       strncmp(c1 + 1, v->name, (size_t)(c2 - c1 - 1)) == 0 &&
		       strlen(v->name) == (size_t)(c2 - c1 - 1) && strcmp(c2 + 1, v->version) == 0;
	{
		/* two parts: name:version if such a VIB exists in the depot, else vendor:name */
		size_t i, n0 = (size_t)(c1 - sel);
		bool is_name_version = false;

		for (i = 0; i < vitk_esxupdate_depot_vib_count(d); i++) {
			const vitk_esxupdate_vib *x = vitk_esxupdate_depot_vib(d, i);

			if (strlen(x->name) == n0 && strncmp(x->name, sel, n0) == 0 &&
			    strcmp(x->version, c1 + 1) == 0)
				is_name_version = true;
		}
		if (is_name_version)
			return strlen(v->name) == n0 && strncmp(v->name, sel, n0) == 0 &&
			       strcmp(v->version, c1 + 1) == 0;
		return v->vendor && strlen(v->vendor) == n0 && strncmp(v->vendor, sel, n0) == 0 &&
		       strcmp(v->name, c1 + 1) == 0;
	}
}

static int cmp_pool(const void *a, const void *b)
{
	const vitk_esxupdate_vib *x = *(const vitk_esxupdate_vib *const *)a;
	const vitk_esxupdate_vib *y = *(const vitk_esxupdate_vib *const *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	c = -vitk_esxupdate_version_cmp(x->version, y->version); /* newest first */
	if (c)
		return c;
	return strcmp(x->id, y->id);
}

static int pick_candidates(struct plan *p)
{
	const vitk_esxupdate_depot *d = p->d;
	const vitk_esxupdate_command *cmd = p->cmd;
	const vitk_esxupdate_vib **pool = NULL;
	size_t npool = 0, i, j;
	bool dup_versions = false;
	int r = 0;

	pool = calloc(vitk_esxupdate_depot_vib_count(d) + 1, sizeof(*pool));
	if (!pool)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (cmd->op == VITK_ESXUPDATE_OP_COMPONENT_APPLY) {
		r = vitk_esxupdate__components_select(p->r, p->h, d, cmd, pool, &npool);
		if (r < 0)
			goto out;
	} else if (cmd->op == VITK_ESXUPDATE_OP_PROFILE_INSTALL || cmd->op == VITK_ESXUPDATE_OP_PROFILE_UPDATE) {
		const vitk_esxupdate_profile *pr = vitk_esxupdate_depot_find_profile(d, cmd->profile);

		if (!pr) {
			/* esxcli: esximage's NoMatchError (code 13), the console adds "id = NAME" */
			free(p->r->error);
			p->r->error = vitk_esxupdate__printf("[NoMatchError]\n No image profile found with name '%s'\n id = %s\nPlease refer to the log file for more details.",
							     cmd->profile, cmd->profile);
			if (!p->r->error) {
				r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
				goto out;
			}
			p->r->no_profile = true;
			assume(p->r, "the layout of the [NoMatchError] for a missing -p profile (message, 'id = NAME', log hint) is modelled on esxcli 8.0 console output");
			goto out;
		}
		p->r->profile = vitk_esxupdate__strdup(pr->name);
		for (i = 0; i < pr->nvib_ids; i++) {
			const vitk_esxupdate_vib *v = vitk_esxupdate_depot_find_id(d, pr->vib_ids[i]);

			if (!v) {
				r = vitk_error_set(VITK_EINVAL, 0,
						   "image profile '%s' lists VIB '%s' that the depot does not carry",
						   pr->name, pr->vib_ids[i]);
				goto out;
			}
			pool[npool++] = v;
		}
		if (strcmp(pr->source, "sources-profile-get") == 0)
			assume(p->r, "the image profile's VIB list comes from the operator's `sources profile get` capture, not from the depot");
	} else {
		for (j = 0; j < cmd->nviburls; j++) {
			/* -v URL: the audit's depot is that .vib, or a bundle holding a file of that name */
			const char *base = strrchr(cmd->viburls[j], '/');
			bool found = strcmp(vitk_esxupdate_depot_kind(d), "vib") == 0;

			base = base ? base + 1 : cmd->viburls[j];
			for (i = 0; i < vitk_esxupdate_depot_vib_count(d) && !found; i++) {
				const vitk_esxupdate_vib *v = vitk_esxupdate_depot_vib(d, i);
				const char *rb = v->relative_path ? strrchr(v->relative_path, '/') : NULL;

				rb = rb ? rb + 1 : v->relative_path;
				found = rb && strcmp(rb, base) == 0;
			}
			if (!found) {
				r = vitk_error_set(VITK_EINVAL, 0,
						   "-v '%s': the depot given to the audit is not that VIB and holds no file '%s'",
						   cmd->viburls[j], base);
				goto out;
			}
		}
		if (cmd->nviburls)
			assume(p->r, "-v VIB URLs are audited against the .vib (or bundle) given as the depot, matched by file name");
		for (i = 0; i < vitk_esxupdate_depot_vib_count(d); i++) {
			const vitk_esxupdate_vib *v = vitk_esxupdate_depot_vib(d, i);
			bool take = cmd->nvibnames == 0;

			for (j = 0; j < cmd->nvibnames && !take; j++)
				take = selector_matches(cmd->vibnames[j], v, d);
			if (take && cmd->nviburls && strcmp(vitk_esxupdate_depot_kind(d), "vib") != 0) {
				/* from a bundle: only the VIB files named by -v */
				const char *rb = v->relative_path ? strrchr(v->relative_path, '/') : NULL;
				size_t u;

				rb = rb ? rb + 1 : v->relative_path;
				take = false;
				for (u = 0; u < cmd->nviburls && rb && !take; u++) {
					const char *base = strrchr(cmd->viburls[u], '/');

					take = strcmp(rb, base ? base + 1 : cmd->viburls[u]) == 0;
				}
			}
			if (take)
				pool[npool++] = v;
		}
		for (j = 0; j < cmd->nvibnames; j++) {
			bool found = false;

			for (i = 0; i < vitk_esxupdate_depot_vib_count(d) && !found; i++)
				found = selector_matches(cmd->vibnames[j], vitk_esxupdate_depot_vib(d, i), d);
			if (!found) {
				char *e = vitk_esxupdate__printf("[NoMatchError]\n No VIB matching VIB search specification '%s'.",
						      cmd->vibnames[j]);

				if (!e) {
					r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
					goto out;
				}
				free(p->r->error);
				p->r->error = e;
				assume(p->r, "the wording of the [NoMatchError] for an unknown -n selector is modelled, not verified");
			}
		}
	}
	/* newest per name: sort by name, newest first, keep the first of each name */
	p->cand = calloc(npool + 1, sizeof(*p->cand));
	if (!p->cand) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	if (npool > 1)
		qsort(pool, npool, sizeof(*pool), cmp_pool);
	for (i = 0; i < npool; i++) {
		if (p->ncand && strcmp(p->cand[p->ncand - 1]->name, pool[i]->name) == 0) {
			dup_versions = true;
			continue;
		}
		p->cand[p->ncand++] = pool[i];
	}
	if (dup_versions)
		assume(p->r, "when the depot carries several versions of one VIB name, the newest is the candidate");
out:
	free(pool);
	return r;
}

static bool is_bootbank(const vitk_esxupdate_vib *v)
{
	return !v->type || strcmp(v->type, "locker") != 0;
}

static int vib_cmp(const vitk_esxupdate_vib *a, const vitk_esxupdate_vib *b)
{
	return vitk_esxupdate_version_cmp(a->version, b->version);
}

static int plan_ops(struct plan *p)
{
	const vitk_esxupdate_host *h = p->h;
	vitk_esxupdate_op op = p->cmd->op;
	bool allow_down = (p->cmd->flags & VITK_ESXUPDATE_F_ALLOW_DOWNGRADES) != 0;
	size_t i, k, nrep = 0, *rep = NULL;
	int r = 0;

	/* the (few) host VIBs that carry <replaces> */
	rep = calloc(h->vibs.size + 1, sizeof(*rep));
	if (!rep)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (k = 0; k < h->vibs.size; k++)
		if (h->vibs.ptr[k].replaces.count)
			rep[nrep++] = k;
	for (i = 0; i < p->ncand; i++) {
		const vitk_esxupdate_vib *c = p->cand[i];
		long hi = host_index(h, c->name);
		int cmp = 0;

		p->cpeer[i] = hi;
		if (hi >= 0)
			cmp = vib_cmp(c, &h->vibs.ptr[hi]);
		if (hi >= 0) {
			if (cmp == 0) {
				p->creason[i] = "same version already installed";
				continue;
			}
			switch (op) {
			case VITK_ESXUPDATE_OP_VIB_INSTALL:
			case VITK_ESXUPDATE_OP_PROFILE_INSTALL:
			case VITK_ESXUPDATE_OP_COMPONENT_APPLY:
				break;
			case VITK_ESXUPDATE_OP_VIB_UPDATE:
				if (cmp < 0) {
					p->creason[i] = "not an update: the installed version is newer";
					continue;
				}
				break;
			case VITK_ESXUPDATE_OP_PROFILE_UPDATE:
				if (cmp < 0 && !allow_down) {
					p->creason[i] = "installed version is newer (no --allow-downgrades)";
					continue;
				}
				break;
			}
			p->cact[i] = 1;
			p->hst[hi] = cmp > 0 ? H_UPGRADED : H_DOWNGRADED;
			continue;
		}
		/* no same-name VIB on the host */
		{
			long obs = -1;

			for (k = 0; k < nrep && obs < 0; k++)
				if (list_matches(&h->vibs.ptr[rep[k]].replaces, c))
					obs = (long)rep[k];
			if (obs >= 0) {
				assume(p->r, "a depot VIB that an installed VIB replaces (obsoletes) is skipped");
				p->creason[i] = "obsoleted by an installed VIB";
				continue;
			}
		}
		if (op == VITK_ESXUPDATE_OP_VIB_UPDATE) {
			size_t next;
			bool updates = first_replaced_host(h, c, p->hst, 0, &next) >= 0;
			if (!updates) {
				p->creason[i] = "not installed on the host: vib update installs no new VIBs";
				continue;
			}
			assume(p->r, "vib update treats a newer VIB that replaces an installed VIB as an update of it");
		}
		if (op == VITK_ESXUPDATE_OP_PROFILE_UPDATE)
			p->creason[i] = "not related to any installed VIB: added";
		p->cact[i] = 1;
	}
	/* obsolescence: installed candidates remove host VIBs they replace */
	for (i = 0; i < p->ncand; i++) {
		const vitk_esxupdate_vib *c = p->cand[i];

		size_t next = 0;
		long hk;

		if (!p->cact[i])
			continue;
		for (;;) {
			hk = first_replaced_host(h, c, p->hst, next, &next);
			if (hk < 0)
				break;
			if (p->cmd->flags & VITK_ESXUPDATE_F_FORCE) {
				/* -f "bypasses checks for ... obsolescence" (esxcli help of -f) */
				assume(p->r, "with -f the obsolescence step is bypassed: installed VIBs named in another VIB's <replaces> stay installed");
				p->hst[hk] = H_KEEP;
				break;
			}
			p->hst[hk] = H_REPLACED;
			p->hby[hk] = c->name;
			if (op == VITK_ESXUPDATE_OP_PROFILE_UPDATE)
				assume(p->r, "profile update removes an installed VIB that a profile VIB replaces (the profile VIB is 'related' to it)");
		}
	}
	if (op == VITK_ESXUPDATE_OP_PROFILE_INSTALL) {
		/* a host VIB with a same-name candidate has cpeer pointing at it */
		bool *in = calloc(h->vibs.size + 1, sizeof(*in));

		if (!in) {
			free(rep);
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		}
		for (i = 0; i < p->ncand; i++)
			if (p->cpeer[i] >= 0)
				in[p->cpeer[i]] = true;
		for (k = 0; k < h->vibs.size; k++)
			if (p->hst[k] == H_KEEP && !in[k])
				p->hst[k] = H_DROPPED;
		free(in);
	}
	free(rep);
	return r;
}

/* final image: kept host VIBs + installed candidates */
static int final_image(struct plan *p, const vitk_esxupdate_vib ***out, size_t *n)
{
	const vitk_esxupdate_vib **img;
	size_t i, m = 0;

	img = calloc(p->h->vibs.size + p->ncand + 1, sizeof(*img));
	if (!img)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (i = 0; i < p->h->vibs.size; i++)
		if (p->hst[i] == H_KEEP)
			img[m++] = &p->h->vibs.ptr[i];
	for (i = 0; i < p->ncand; i++)
		if (p->cact[i])
			img[m++] = p->cand[i];
	*out = img;
	*n = m;
	return 0;
}

static char *constraint_text(const vitk_esxupdate_constraint *c)
{
	if (c->version && c->relation && *c->relation)
		return vitk_esxupdate__printf("%s %s %s", c->name, c->relation, c->version);
	return vitk_esxupdate__strdup(c->name);
}

struct pname {
	const char *name;
	const vitk_esxupdate_vib *v;
};

static int cmp_pname(const void *a, const void *b)
{
	return strcmp(((const struct pname *)a)->name, ((const struct pname *)b)->name);
}

/* first index of @name in the sorted array, or n */
static size_t pname_lower(const struct pname *arr, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(arr[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* is @c satisfied by a VIB of the image other than @self (name or provides) */
static bool image_satisfies(const struct pname *idx, size_t nidx, const vitk_esxupdate_constraint *c,
			    const vitk_esxupdate_vib *self, const vitk_esxupdate_vib **who)
{
	size_t k;

	for (k = pname_lower(idx, nidx, c->name); k < nidx && strcmp(idx[k].name, c->name) == 0; k++) {
		if (idx[k].v == self)
			continue;
		if (vitk_esxupdate__constraint_matches_vib(c, idx[k].v, true)) {
			if (who)
				*who = idx[k].v;
			return true;
		}
	}
	return false;
}

static int check_image(struct plan *p)
{
	const vitk_esxupdate_vib **img = NULL;
	struct pname *idx = NULL;
	size_t n = 0, nidx = 0, cap = 0, i, j;
	bool host_unknown = false;
	vitk_esxupdate_acceptance hl = p->h->acceptance;
	int r;

	r = final_image(p, &img, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++)
		cap += 1 + img[i]->provides.count;
	idx = calloc(cap + 1, sizeof(*idx));
	if (!idx) {
		free(img);
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	for (i = 0; i < n; i++) {
		idx[nidx].name = img[i]->name;
		idx[nidx++].v = img[i];
		for (j = 0; j < img[i]->provides.count; j++) {
			idx[nidx].name = img[i]->provides.items[j].name;
			idx[nidx++].v = img[i];
		}
	}
	qsort(idx, nidx, sizeof(*idx), cmp_pname);
	for (i = 0; i < n; i++) {
		const vitk_esxupdate_vib *v = img[i];

		if (!v->has_relations) {
			host_unknown = true;
			continue;
		}
		for (j = 0; j < v->depends.count; j++) {
			if (!image_satisfies(idx, nidx, &v->depends.items[j], v, NULL)) {
				char *ct = constraint_text(&v->depends.items[j]);
				char *line = ct ? vitk_esxupdate__printf("VIB %s requires %s, but the requirement cannot be satisfied within the ImageProfile.",
							      v->id, ct) : NULL;

				free(ct);
				if (!line || vitk_esxupdate__strv_add(&p->r->dep_errors, line) < 0) {
					free(line);
					r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
					goto out;
				}
				free(line);
			}
		}
		for (j = 0; j < v->conflicts.count; j++) {
			const vitk_esxupdate_vib *who = NULL;

			if (image_satisfies(idx, nidx, &v->conflicts.items[j], v, &who)) {
				char *line = vitk_esxupdate__printf("VIB %s conflicts with %s.", v->id, who->id);

				if (!line || vitk_esxupdate__strv_add(&p->r->conflict_errors, line) < 0) {
					free(line);
					r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
					goto out;
				}
				free(line);
			}
		}
	}
	assume(p->r, "Depends and Conflicts are checked over the whole resulting image (kept and new VIBs), Provides satisfy Depends");
	if (host_unknown)
		assume(p->r, "VIBs without `vib get` details (Depends/Conflicts/Provides) are assumed to be satisfied");
	if (p->r->conflict_errors.size)
		assume(p->r, "the wording of conflict errors is modelled on the [DependencyError] text, not verified");
	/* acceptance: every VIB to be installed must be at least as trusted as the host level */
	if (hl == VITK_ESXUPDATE_ACC_UNKNOWN) {
		assume(p->r, "host acceptance level unknown (no `profile get`/`acceptance get` capture): acceptance not checked");
	} else {
		for (i = 0; i < p->ncand; i++) {
			const vitk_esxupdate_vib *c = p->cand[i];

			if (!p->cact[i] || c->acceptance == VITK_ESXUPDATE_ACC_UNKNOWN)
				continue;
			if (c->acceptance > hl) {
				char *line = vitk_esxupdate__printf("VIB %s's acceptance level is %s, which is not compliant with the ImageProfile acceptance level %s",
							 c->id, vitk_esxupdate_acceptance_short(c->acceptance),
							 vitk_esxupdate_acceptance_short(hl));

				if (!line || vitk_esxupdate__strv_add(&p->r->acc_errors, line) < 0) {
					free(line);
					r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
					goto out;
				}
				free(line);
			}
		}
	}
out:
	free(idx);
	free(img);
	return r;
}

static int build_error(struct plan *p)
{
	vitk_esxupdate_result *res = p->r;
	bool force = (p->cmd->flags & VITK_ESXUPDATE_F_FORCE) != 0;
	bool nosig = (p->cmd->flags & VITK_ESXUPDATE_F_NO_SIG_CHECK) != 0;
	bool dep, acc;
	vitk_str b = VITK_STR_INIT;
	size_t i;

	if (res->error)
		return 0; /* NoMatchError already */
	for (i = 0; i < res->comp_downgrades.size; i++)
		vitk_str_putf(&b, "%s%s", i ? "\n" : "", res->comp_downgrades.ptr[i]);
	if (res->removal_refused.size) {
		vitk_str_puts(&b, "[ProfileVibRemoval]\n Applying the image profile would remove the following VIBs: ");
		for (i = 0; i < res->removal_refused.size; i++)
			vitk_str_putf(&b, "%s%s", i ? ", " : "", res->removal_refused.ptr[i]);
		vitk_str_puts(&b, ".\n Use 'profile update' to preserve installed VIBs, or --ok-to-remove to allow their removal.");
		assume(res, "the wording of the profile install removal error is modelled on the --ok-to-remove help text, not verified");
	}
	if ((res->dep_errors.size || res->conflict_errors.size) && force) {
		res->checks_bypassed = true;
		assume(res, "-f/--force bypasses dependency, conflict and acceptance checks (documented), so the operation proceeds");
	}
	if (res->acc_errors.size && (force || nosig))
		res->checks_bypassed = true;
	dep = res->dep_errors.size && !force;
	acc = res->acc_errors.size && !force && !nosig;
	if (dep || acc) {
		vitk_str_puts(&b, b.size ? "\n[DependencyError]" : "[DependencyError]");
		for (i = 0; dep && i < res->dep_errors.size; i++)
			vitk_str_putf(&b, "\n%s", res->dep_errors.ptr[i]);
		for (i = 0; acc && i < res->acc_errors.size; i++)
			vitk_str_putf(&b, "\n%s", res->acc_errors.ptr[i]);
		if (acc) {
			vitk_str_puts(&b, "\nTo change the host acceptance level, use the 'esxcli software acceptance set' command.");
			assume(res, "acceptance-level errors are reported under [DependencyError], as esxcli on ESXi 5.5 does (later releases use [AcceptanceConfigError])");
		}
	}
	for (i = 0; !force && i < res->conflict_errors.size; i++)
		vitk_str_putf(&b, "%s%s", i == 0 ? (b.size ? "\n[ConflictError]\n" : "[ConflictError]\n") : "\n",
					   res->conflict_errors.ptr[i]);
	if (b.oom) {
		vitk_str_clear(&b);
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	if (b.size) {
		vitk_str_puts(&b, "\nPlease refer to the log file for more details.");
		res->error = vitk_str_detach(&b);
		if (!res->error)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	vitk_str_clear(&b);
	return 0;
}

struct cid {
	const char *id;
	size_t i;
};

static int cmp_cid(const void *a, const void *b)
{
	return strcmp(((const struct cid *)a)->id, ((const struct cid *)b)->id);
}

/* vib update: bulletins whose VIBs are partly installed and partly skipped as new */
static int check_half_applied(struct plan *p)
{
	const vitk_esxupdate_depot *d = p->d;
	struct cid *ix = calloc(p->ncand + 1, sizeof(*ix));
	size_t bi, i;
	int r = 0;

	if (!ix)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (i = 0; i < p->ncand; i++) {
		ix[i].id = p->cand[i]->id;
		ix[i].i = i;
	}
	qsort(ix, p->ncand, sizeof(*ix), cmp_cid);
	for (bi = 0; bi < vitk_esxupdate_depot_bulletin_count(d) && r == 0; bi++) {
		const vitk_esxupdate_bulletin *b = vitk_esxupdate_depot_bulletin(d, bi);
		size_t applied = 0, nsk = 0;
		vitk_str sk = VITK_STR_INIT;

		for (i = 0; i < b->nvib_ids; i++) {
			struct cid key = { b->vib_ids[i], 0 };
			const struct cid *f = bsearch(&key, ix, p->ncand, sizeof(*ix), cmp_cid);
			size_t j;

			if (!f)
				continue;
			j = f->i;
			if (p->cact[j])
				applied++;
			else if (p->cpeer[j] < 0 || vib_cmp(p->cand[j], &p->h->vibs.ptr[p->cpeer[j]]) > 0) {
				vitk_str_putf(&sk, "%s%s", nsk ? ", " : "", p->cand[j]->name);
				nsk++;
			}
		}
		if (applied && nsk) {
			char *line = vitk_esxupdate__printf("bulletin %s: %zu VIB(s) updated but %zu skipped (%s)", b->id,
						 applied, nsk, sk.ptr);

			if (!line || vitk_esxupdate__strv_add(&p->r->half_applied, line) < 0)
				r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			free(line);
		}
		vitk_str_clear(&sk);
	}
	free(ix);
	return r;
}

static int cmp_change(const void *a, const void *b)
{
	const vitk_esxupdate_change *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int fill_result(struct plan *p)
{
	vitk_esxupdate_result *res = p->r;
	const vitk_esxupdate_host *h = p->h;
	size_t i;
	int r = 0;
	bool unknown_live = false;

	for (i = 0; i < p->ncand && r == 0; i++) {
		const vitk_esxupdate_vib *c = p->cand[i];
		const vitk_esxupdate_vib *peer = p->cpeer[i] >= 0 ? &h->vibs.ptr[p->cpeer[i]] : NULL;

		if (!p->cact[i]) {
			r = add_change(res, c->name, VITK_ESXUPDATE_ACT_SKIPPED, peer, c, p->creason[i]);
			if (r == 0)
				r = vitk_esxupdate__strv_add(&res->lists[VITK_ESXUPDATE_LIST_SKIPPED], c->id);
			continue;
		}
		if (peer) {
			int cmp = vib_cmp(c, peer);

			r = add_change(res, c->name,
				       cmp > 0 ? VITK_ESXUPDATE_ACT_UPGRADED : VITK_ESXUPDATE_ACT_DOWNGRADED,
				       peer, c, cmp > 0 ? "newer version in the depot" : "older version in the depot");
		} else {
			r = add_change(res, c->name, VITK_ESXUPDATE_ACT_INSTALLED, NULL, c,
				       p->creason[i] ? p->creason[i] : "new VIB");
		}
		if (r == 0)
			r = vitk_esxupdate__strv_add(&res->lists[VITK_ESXUPDATE_LIST_INSTALLED], c->id);
		*(is_bootbank(c) ? &res->bootbank_ops : &res->locker_ops) = true;
		if (c->reboot_required == VITK_ESXUPDATE_YES || c->live_install == VITK_ESXUPDATE_NO) {
			res->reboot = true;
			assume(res, "a VIB whose metadata says rebootRequired, or that allows no live install/remove, needs a reboot");
		}
		else if (c->reboot_required == VITK_ESXUPDATE_UNSET && c->live_install == VITK_ESXUPDATE_UNSET &&
			 is_bootbank(c)) {
			res->reboot = true;
			unknown_live = true;
		}
		if (c->maintenance_mode == VITK_ESXUPDATE_YES)
			res->maint = true;
	}
	for (i = 0; i < h->vibs.size && r == 0; i++) {
		const vitk_esxupdate_vib *v = &h->vibs.ptr[i];
		char *why = NULL;

		switch (p->hst[i]) {
		case H_KEEP: {
			if (!p->hpeer[i])
				r = add_change(res, v->name, VITK_ESXUPDATE_ACT_KEPT, v, NULL,
					       "not touched by the command");
			continue;
		}
		case H_UPGRADED:
		case H_DOWNGRADED:
			r = vitk_esxupdate__strv_add(&res->lists[VITK_ESXUPDATE_LIST_REMOVED], v->id);
			break;
		case H_REPLACED:
			why = vitk_esxupdate__printf("replaced by %s", p->hby[i]);
			r = why ? add_change(res, v->name, VITK_ESXUPDATE_ACT_REMOVED_REPLACED, v, NULL, why)
				: vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			free(why);
			if (r == 0)
				r = vitk_esxupdate__strv_add(&res->lists[VITK_ESXUPDATE_LIST_REMOVED], v->id);
			break;
		case H_DROPPED:
			r = add_change(res, v->name, VITK_ESXUPDATE_ACT_REMOVED_PROFILE, v, NULL,
				       "not in the image profile");
			if (r == 0)
				r = vitk_esxupdate__strv_add(&res->lists[VITK_ESXUPDATE_LIST_REMOVED], v->id);
			if (r == 0 && !(p->cmd->flags & VITK_ESXUPDATE_F_OK_TO_REMOVE))
				r = vitk_esxupdate__strv_add(&res->removal_refused, v->id);
			break;
		}
		*(is_bootbank(v) ? &res->bootbank_ops : &res->locker_ops) = true;
		if (v->live_remove == VITK_ESXUPDATE_NO) {
			res->reboot = true;
			assume(res, "a VIB whose metadata says rebootRequired, or that allows no live install/remove, needs a reboot");
		}
		else if (v->live_remove == VITK_ESXUPDATE_UNSET && is_bootbank(v)) {
			res->reboot = true;
			unknown_live = true;
		}
		if (v->maintenance_mode == VITK_ESXUPDATE_YES)
			res->maint = true;
	}
	if (r < 0)
		return r;
	if (unknown_live)
		assume(res, "a bootbank VIB whose live-install/remove flags are unknown needs a reboot");
	assume(res, "maintenance mode is required only when a VIB to be installed or removed says so");
	if (res->changes.size > 1)
		qsort(res->changes.ptr, res->changes.size, sizeof(*res->changes.ptr), cmp_change);
	for (i = 0; i < VITK_ESXUPDATE_LIST_COUNT; i++)
		vitk_esxupdate__strv_sort(&res->lists[i]);
	return 0;
}

int vitk_esxupdate_simulate(vitk_esxupdate_result **out, const vitk_esxupdate_host *host,
			    const vitk_esxupdate_depot *depot, const vitk_esxupdate_command *cmd)
{
	struct plan p;
	vitk_esxupdate_result *res = NULL;
	size_t nh = host->vibs.size, nd = vitk_esxupdate_depot_vib_count(depot);
	int r;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	res = calloc(1, sizeof(*res));
	if (!res)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	res->op = cmd->op;
	res->flags = cmd->flags;
	if (cmd->profile && !(res->profile_wanted = vitk_esxupdate__strdup(cmd->profile))) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	p.h = host;
	p.d = depot;
	p.cmd = cmd;
	p.r = res;
	p.hst = calloc(nh + 1, sizeof(*p.hst));
	p.hby = calloc(nh + 1, sizeof(*p.hby));
	p.cact = calloc(nd + 1, sizeof(*p.cact));
	p.creason = calloc(nd + 1, sizeof(*p.creason));
	p.cpeer = calloc(nd + 1, sizeof(*p.cpeer));
	p.hpeer = calloc(nh + 1, sizeof(*p.hpeer));
	if (!p.hst || !p.hby || !p.cact || !p.creason || !p.cpeer || !p.hpeer) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	if (cmd->op == VITK_ESXUPDATE_OP_VIB_INSTALL && cmd->nvibnames == 0)
		assume(res, "vib install -d without -n targets every VIB in the depot (newest per name)");
	assume(res, "versions compare component by component: numbers numerically, then the alphabetic suffix byte-wise");
	r = pick_candidates(&p);
	if (r < 0)
		goto out;
	if (res->no_profile)
		goto finish; /* esxcli stops at the NoMatchError: nothing is planned */
	r = plan_ops(&p);
	if (r == 0) {
		size_t i;

		for (i = 0; i < p.ncand; i++)
			if (p.cpeer[i] >= 0)
				p.hpeer[p.cpeer[i]] = true;
		r = fill_result(&p);
	}
	if (r == 0 && !(cmd->flags & VITK_ESXUPDATE_F_FORCE))
		r = check_image(&p);
	else if (r == 0) {
		/* -f: still compute what the checks would have said */
		r = check_image(&p);
	}
	if (r == 0 && cmd->op == VITK_ESXUPDATE_OP_VIB_UPDATE)
		r = check_half_applied(&p);
	if (r == 0)
		r = build_error(&p);
	if (r < 0)
		goto out;
finish:
	res->header = vitk_esxupdate__strdup(cmd->op == VITK_ESXUPDATE_OP_VIB_INSTALL ||
					  cmd->op == VITK_ESXUPDATE_OP_PROFILE_INSTALL ||
					  cmd->op == VITK_ESXUPDATE_OP_COMPONENT_APPLY
				  ? "Installation Result"
				  : "Update Result");
	if (cmd->op == VITK_ESXUPDATE_OP_VIB_UPDATE)
		assume(res, "vib update prints an 'Update Result' record like profile update");
	if (res->error) {
		size_t i;

		res->message = vitk_esxupdate__strdup(res->error);
		/* esxcli changes nothing when it errors out */
		for (i = 0; i < VITK_ESXUPDATE_LIST_COUNT; i++) {
			vitk_esxupdate__strv_dispose(&res->lists[i]);
			vitk_esxupdate__strv_dispose(&res->comp_lists[i]);
		}
		res->reboot = false;
	} else if (cmd->flags & VITK_ESXUPDATE_F_DRY_RUN) {
		res->message = vitk_esxupdate__printf("Dryrun only, host not changed. The following installers will be applied: [%s%s%s]",
						      res->bootbank_ops ? "BootBankInstaller" : "",
						      res->bootbank_ops && res->locker_ops ? ", " : "",
						      res->locker_ops ? "LockerInstaller" : "");
		assume(res, "the installers named in the dry-run message follow the kinds of VIBs installed or removed (bootbank: BootBankInstaller, locker: LockerInstaller)");
	} else if (res->reboot) {
		res->message = vitk_esxupdate__strdup(cmd->op == VITK_ESXUPDATE_OP_VIB_INSTALL ||
						   cmd->op == VITK_ESXUPDATE_OP_VIB_UPDATE
					   ? "The update completed successfully, but the system needs to be rebooted for the changes to be effective."
					   : "The update completed successfully, but the system needs to be rebooted for the changes to be effective.");
	} else {
		res->message = vitk_esxupdate__strdup("Operation finished successfully.");
	}
	if (!res->header || !res->message) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	*out = res;
	res = NULL;
out:
	free(p.hst);
	free(p.hby);
	free(p.cand);
	free(p.cact);
	free(p.creason);
	free(p.cpeer);
	free(p.hpeer);
	vitk_esxupdate_result_free(res);
	return r;
}

/* ------------------------------------------------------------ compare */

void vitk_esxupdate_diff_free(vitk_esxupdate_diff *diff)
{
	size_t i;

	if (!diff)
		return;
	for (i = 0; i < diff->count; i++) {
		free(diff->items[i].name);
		free(diff->items[i].a_version);
		free(diff->items[i].b_version);
	}
	free(diff->items);
	free(diff);
}

static int cmp_item(const void *a, const void *b)
{
	return strcmp(((const vitk_esxupdate_diff_item *)a)->name,
		      ((const vitk_esxupdate_diff_item *)b)->name);
}

int vitk_esxupdate_profile_compare(vitk_esxupdate_diff **out, const vitk_esxupdate_depot *d,
				   const char *profile_a, const char *profile_b)
{
	const vitk_esxupdate_profile *pa = vitk_esxupdate_depot_find_profile(d, profile_a);
	const vitk_esxupdate_profile *pb = vitk_esxupdate_depot_find_profile(d, profile_b);
	vitk_esxupdate_diff *diff = NULL;
	size_t i, j;
	int r = 0;

	*out = NULL;
	if (!pa || !pb)
		return vitk_error_set(VITK_ENOTFOUND, 0, "image profile '%s' is not in the depot",
				      !pa ? profile_a : profile_b);
	diff = calloc(1, sizeof(*diff));
	if (!diff)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	diff->items = calloc(pa->nvib_ids + pb->nvib_ids + 1, sizeof(*diff->items));
	if (!diff->items) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	diff->a_acceptance = pa->acceptance;
	diff->b_acceptance = pb->acceptance;
	for (int side = 0; side < 2; side++) {
		const vitk_esxupdate_profile *pr = side ? pb : pa;

		for (i = 0; i < pr->nvib_ids; i++) {
			const vitk_esxupdate_vib *v = vitk_esxupdate_depot_find_id(d, pr->vib_ids[i]);
			vitk_esxupdate_diff_item *it = NULL;

			if (!v) {
				r = vitk_error_set(VITK_EINVAL, 0,
						   "image profile '%s' lists VIB '%s' that the depot does not carry",
						   pr->name, pr->vib_ids[i]);
				goto out;
			}
			for (j = 0; j < diff->count; j++)
				if (strcmp(diff->items[j].name, v->name) == 0)
					it = &diff->items[j];
			if (!it) {
				it = &diff->items[diff->count++];
				it->name = vitk_esxupdate__strdup(v->name);
				if (!it->name) {
					r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
					goto out;
				}
			}
			free(side ? it->b_version : it->a_version);
			if (side)
				it->b_version = vitk_esxupdate__strdup(v->version);
			else
				it->a_version = vitk_esxupdate__strdup(v->version);
		}
	}
	for (i = 0; i < diff->count; i++) {
		vitk_esxupdate_diff_item *it = &diff->items[i];

		if (it->a_version && it->b_version)
			it->cmp = vitk_esxupdate_version_cmp(it->b_version, it->a_version);
	}
	if (diff->count > 1)
		qsort(diff->items, diff->count, sizeof(*diff->items), cmp_item);
	*out = diff;
	diff = NULL;
out:
	vitk_esxupdate_diff_free(diff);
	return r;
}
