/* SPDX-License-Identifier: MIT */
/*
 * Risk findings and the recommendation.  CRITICAL: a vendor NIC/storage
 * driver removed or downgraded.  WARNING: acceptance drops or violations,
 * dependency/conflict errors, a half-applied patch, a command that fails.
 * INFO: the rest.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esxu.h"

const char *vitk_esxupdate_severity_name(vitk_esxupdate_severity s)
{
	switch (s) {
	case VITK_ESXUPDATE_SEV_CRITICAL: return "CRITICAL";
	case VITK_ESXUPDATE_SEV_WARNING: return "WARNING";
	case VITK_ESXUPDATE_SEV_INFO: return "INFO";
	}
	return "?";
}

void vitk_esxupdate_audit_free(vitk_esxupdate_audit *a)
{
	size_t i;

	if (!a)
		return;
	vitk_esxupdate_result_free(a->res);
	for (i = 0; i < a->f.size; i++) {
		free(a->f.ptr[i].code);
		free(a->f.ptr[i].message);
	}
	vitk_array_clear(a->f);
	free(a->rec_cmd);
	free(a->rec_profile);
	free(a->explanation);
	vitk_esxupdate__strv_dispose(&a->crit);
	free(a->host_profile);
	free(a->depot_path);
	free(a->depot_sha256);
	free(a->untied);
	free(a);
}

const vitk_esxupdate_result *vitk_esxupdate_audit_result(const vitk_esxupdate_audit *a) { return a->res; }
size_t vitk_esxupdate_audit_finding_count(const vitk_esxupdate_audit *a) { return a->f.size; }

const vitk_esxupdate_finding *vitk_esxupdate_audit_finding(const vitk_esxupdate_audit *a, size_t i)
{
	return i < a->f.size ? &a->f.ptr[i] : NULL;
}

size_t vitk_esxupdate_audit_count(const vitk_esxupdate_audit *a, vitk_esxupdate_severity s)
{
	size_t i, n = 0;

	for (i = 0; i < a->f.size; i++)
		n += a->f.ptr[i].severity == s;
	return n;
}

const char *vitk_esxupdate_audit_recommended_command(const vitk_esxupdate_audit *a) { return a->rec_cmd; }
const char *vitk_esxupdate_audit_recommended_profile(const vitk_esxupdate_audit *a) { return a->rec_profile; }
const char *vitk_esxupdate_audit_explanation(const vitk_esxupdate_audit *a) { return a->explanation; }
const char *vitk_esxupdate_audit_verdict(const vitk_esxupdate_audit *a) { return a->verdict; }

static bool vmware_vendor(const char *v);

static int add_finding(vitk_esxupdate_audit *a, vitk_esxupdate_severity s, const char *code,
		       char *msg /* owned */)
{
	vitk_esxupdate_finding *f;

	if (!msg)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	f = vitk_array_push(a->f);
	if (!f) {
		free(msg);
		return VITK_ENOMEM;
	}
	f->severity = s;
	f->code = vitk_esxupdate__strdup(code);
	f->message = msg;
	if (!f->code) {
		free(msg);
		a->f.size--;
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	return 0;
}

/* vmkernel module name a driver VIB most likely provides: net-be2net -> be2net */
static void module_of(const char *vib, char *out, size_t cap)
{
	const char *p = vib;
	size_t i;

	if (strncmp(p, "net-", 4) == 0 || strncmp(p, "scsi-", 5) == 0 || strncmp(p, "sata-", 5) == 0 ||
	    strncmp(p, "block-", 6) == 0)
		p = strchr(p, '-') + 1;
	for (i = 0; p[i] && i + 1 < cap; i++)
		out[i] = p[i] == '-' ? '_' : p[i];
	out[i] = '\0';
}

static bool dev_uses(const vitk_esxupdate_pci_dev *dev, const vitk_esxupdate_vib *v)
{
	uint32_t ids[512];
	size_t n = vitk_esxupdate__vib_pciids(v, ids, VITK_ARRAY_SIZE(ids)), i;
	char mod[64], devmod[64];

	for (i = 0; i < n; i++)
		if (ids[i] == (((uint32_t)dev->vendor_id << 16) | dev->device_id))
			return true;
	if (dev->module) {
		module_of(v->name, mod, sizeof(mod));
		module_of(dev->module, devmod, sizeof(devmod));
		if (strcmp(mod, devmod) == 0)
			return true;
	}
	return false;
}

static const char *class_word(vitk_esxupdate_driver_class c)
{
	switch (c) {
	case VITK_ESXUPDATE_DRIVER_NIC: return "NIC ";
	case VITK_ESXUPDATE_DRIVER_STORAGE: return "storage ";
	default: return "";
	}
}

static const char *loss_word(vitk_esxupdate_driver_class c)
{
	switch (c) {
	case VITK_ESXUPDATE_DRIVER_NIC: return "network";
	case VITK_ESXUPDATE_DRIVER_STORAGE: return "storage";
	default: return "devices";
	}
}

/* "net-be2net 10.0-1OEM -> 4.6-1vmw" or "... -> removed (replaced by x)", plus the host component holding it */
static char *loss_target(vitk_esxupdate_audit *a, const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d,
			 const vitk_esxupdate_change *c)
{
	esxu_tie how = ESXU_TIE_NONE;
	char *comp, *t;

	if (!a->untied_done) { /* once per audit: it looks at every host component */
		a->untied = vitk_esxupdate__untied_text(h, d);
		a->untied_done = true;
	}
	comp = vitk_esxupdate__component_text(h, d, c, a->untied, &how);

	if (how == ESXU_TIE_NAME)
		vitk_esxupdate__result_assume(a->res, "a host component named '<vendor>-<VIB name>' holds that VIB (no depot component lists it)");
	else if (how == ESXU_TIE_VERSION)
		vitk_esxupdate__result_assume(a->res, "a host component whose version is an installed VIB's holds that VIB (no depot component lists it, none is named after it)");
	else if (how == ESXU_TIE_UNTIED)
		vitk_esxupdate__result_assume(a->res, "the host's vendor components that no installed VIB is tied to (by the depot, the component's name or its version) are named as the possible holders of a lost VIB");
	if (c->action == VITK_ESXUPDATE_ACT_DOWNGRADED)
		t = vitk_esxupdate__printf("%s %s -> %s%s%s%s", c->name, c->from_version, c->to_version,
					   comp ? " (" : "", comp ? comp : "", comp ? ")" : "");
	else
		t = vitk_esxupdate__printf("%s %s -> removed (%s)%s%s%s", c->name, c->from_version, c->reason,
					   comp ? " (" : "", comp ? comp : "", comp ? ")" : "");
	free(comp);
	return t;
}

/* "vmnic0 19a2:0710, vmnic1 19a2:0710": the host devices that use driver VIB @hv */
static size_t devices_using(const vitk_esxupdate_host *h, const vitk_esxupdate_vib *hv, vitk_str *devs)
{
	size_t k, n = 0;

	for (k = 0; k < h->pci.size; k++) {
		const vitk_esxupdate_pci_dev *d = &h->pci.ptr[k];

		if (!dev_uses(d, hv))
			continue;
		vitk_str_putf(devs, "%s%s %04x:%04x", n ? ", " : "", d->vmkname ? d->vmkname : d->address,
			      d->vendor_id, d->device_id);
		n++;
	}
	return n;
}

/* name the heuristics a driver finding rests on */
static void note_heuristics(vitk_esxupdate_audit *a, const vitk_esxupdate_vib *hv, const vitk_esxupdate_change *c,
			    size_t ndev)
{
	uint32_t ids[1];
	bool tagged = false;
	size_t t;

	for (t = 0; t < hv->ntags; t++)
		if (vitk_esxupdate__streq_ci(hv->tags[t], "driver") || vitk_esxupdate__streq_ci(hv->tags[t], "module"))
			tagged = true;
	if (!tagged && !vitk_esxupdate__vib_pciids(hv, ids, 1))
		vitk_esxupdate__result_assume(a->res, "a VIB without driver/module/PCIID tags (no `vib get` details) is a NIC/storage driver when its name matches a known driver pattern (net-, scsi-, elxnet, lpfc, nhpsa, ...)");
	if (ndev && !vitk_esxupdate__vib_pciids(hv, ids, 1))
		vitk_esxupdate__result_assume(a->res, "a host device uses a driver VIB when its vmkernel module name matches the VIB name without the net-/scsi- prefix");
	if (c->vendor)
		vitk_esxupdate__result_assume(a->res, "a vendor build is a VIB with an OEM release tag, or from a vendor other than VMware/VMW");
}

/* one downgraded or removed driver: CRITICAL for a vendor NIC/storage driver, else WARNING */
static int driver_finding(vitk_esxupdate_audit *a, const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d,
			  const vitk_esxupdate_change *c, bool fails, vitk_esxupdate_severity *sev)
{
	const vitk_esxupdate_vib *hv = vitk_esxupdate_host_find(h, c->name);
	const char *fail_prefix = a->res->removal_refused.size ? "with --ok-to-remove: " : "if forced through with -f: ";
	const char *code = c->action == VITK_ESXUPDATE_ACT_DOWNGRADED ? "driver-downgraded" : "driver-removed";
	vitk_str devs = VITK_STR_INIT;
	char *target = loss_target(a, h, d, c);
	size_t ndev = devices_using(h, hv, &devs);
	int r;

	note_heuristics(a, hv, c, ndev);
	*sev = (c->vendor && c->driver != VITK_ESXUPDATE_DRIVER_OTHER) ? VITK_ESXUPDATE_SEV_CRITICAL
								      : VITK_ESXUPDATE_SEV_WARNING;
	if (fails && *sev == VITK_ESXUPDATE_SEV_CRITICAL)
		*sev = VITK_ESXUPDATE_SEV_WARNING;
	if (!target || devs.oom)
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	else if (ndev)
		r = add_finding(a, *sev, code,
				vitk_esxupdate__printf("%s%s %s: %s. Host may lose %s after reboot.", fails ? fail_prefix : "",
						       devs.ptr, ndev == 1 ? "loses its driver" : "lose their driver", target,
						       loss_word(c->driver)));
	else
		r = add_finding(a, *sev, code,
				vitk_esxupdate__printf("%s%s %s%s: %s%s. Host may lose %s after reboot.", fails ? fail_prefix : "",
						       c->vendor ? "vendor" : "VMware", class_word(c->driver),
						       c->action == VITK_ESXUPDATE_ACT_DOWNGRADED ? "driver downgraded" : "driver removed",
						       target, h->pci.size ? " (no host device matched)" : "", loss_word(c->driver)));
	free(target);
	vitk_str_clear(&devs);
	return r;
}

static int driver_findings(vitk_esxupdate_audit *a, const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d,
			   bool fails, esxu_strv *names)
{
	const vitk_esxupdate_result *res = a->res;
	size_t i;
	int r = 0;

	for (i = 0; i < res->changes.size && r == 0; i++) {
		const vitk_esxupdate_change *c = &res->changes.ptr[i];
		vitk_esxupdate_severity sev;

		if (c->action != VITK_ESXUPDATE_ACT_DOWNGRADED && c->action != VITK_ESXUPDATE_ACT_REMOVED_REPLACED &&
		    c->action != VITK_ESXUPDATE_ACT_REMOVED_PROFILE)
			continue;
		if (c->driver == VITK_ESXUPDATE_DRIVER_NONE || !vitk_esxupdate_host_find(h, c->name))
			continue;
		r = driver_finding(a, h, d, c, fails, &sev);
		if (r == 0 && sev == VITK_ESXUPDATE_SEV_CRITICAL && !vitk_esxupdate__strv_has(names, c->name))
			r = vitk_esxupdate__strv_add(names, c->name);
	}
	return r;
}

static int other_findings(vitk_esxupdate_audit *a, const vitk_esxupdate_host *h,
			  const vitk_esxupdate_depot *d)
{
	const vitk_esxupdate_result *res = a->res;
	size_t i, n_inst = 0, n_up = 0, n_down = 0, n_rm = 0, n_skip = 0, n_kept_vendor = 0;
	int r = 0;

	for (i = 0; i < res->changes.size && r == 0; i++) {
		const vitk_esxupdate_change *c = &res->changes.ptr[i];
		const vitk_esxupdate_vib *from = c->from_id ? vitk_esxupdate_host_find(h, c->name) : NULL;
		const vitk_esxupdate_vib *to = c->to_id ? vitk_esxupdate_depot_find_id(d, c->to_id) : NULL;

		switch (c->action) {
		case VITK_ESXUPDATE_ACT_INSTALLED: n_inst++; break;
		case VITK_ESXUPDATE_ACT_UPGRADED: n_up++; break;
		case VITK_ESXUPDATE_ACT_DOWNGRADED: n_down++; break;
		case VITK_ESXUPDATE_ACT_REMOVED_REPLACED:
		case VITK_ESXUPDATE_ACT_REMOVED_PROFILE: n_rm++; break;
		case VITK_ESXUPDATE_ACT_SKIPPED: n_skip++; break;
		case VITK_ESXUPDATE_ACT_KEPT: break;
		}
		if ((c->action == VITK_ESXUPDATE_ACT_KEPT || c->action == VITK_ESXUPDATE_ACT_SKIPPED) &&
		    from && c->vendor && c->driver != VITK_ESXUPDATE_DRIVER_NONE) {
			n_kept_vendor++;
			r = add_finding(a, VITK_ESXUPDATE_SEV_INFO, "vendor-driver-kept",
					vitk_esxupdate__printf("vendor %sdriver %s %s is kept", class_word(c->driver),
						    c->name, c->from_version));
		}
		if (r == 0 && from && to &&
		    (c->action == VITK_ESXUPDATE_ACT_UPGRADED || c->action == VITK_ESXUPDATE_ACT_DOWNGRADED) &&
		    from->acceptance != VITK_ESXUPDATE_ACC_UNKNOWN &&
		    to->acceptance != VITK_ESXUPDATE_ACC_UNKNOWN && to->acceptance > from->acceptance)
			r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING, "acceptance-drop",
					vitk_esxupdate__printf("%s: acceptance drops from %s to %s", c->name,
						    vitk_esxupdate_acceptance_name(from->acceptance),
						    vitk_esxupdate_acceptance_name(to->acceptance)));
		if (r == 0 && to && c->action != VITK_ESXUPDATE_ACT_SKIPPED && to->checksum_mismatch)
			r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING, "vib-checksum-mismatch",
					vitk_esxupdate__printf("%s: '%s' in the bundle does not match the sha-256 of the metadata (corrupt or tampered download)",
						    c->to_id, to->relative_path));
		if (r == 0 && to && c->action != VITK_ESXUPDATE_ACT_SKIPPED && to->relative_path &&
		    !to->file_present && strcmp(vitk_esxupdate_depot_kind(d), "bundle") == 0)
			r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING, "vib-file-missing",
					vitk_esxupdate__printf("%s: the bundle has no '%s'", c->to_id, to->relative_path));
	}
	for (i = 0; i < res->acc_errors.size && r == 0; i++)
		r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING,
				res->checks_bypassed ? "acceptance-bypassed" : "acceptance-violation",
				vitk_esxupdate__printf("%s%s", res->acc_errors.ptr[i],
					    res->checks_bypassed ? " (bypassed by -f/--no-sig-check: the host acceptance level would drop)" : ""));
	for (i = 0; i < res->dep_errors.size && r == 0; i++)
		r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING,
				res->checks_bypassed ? "dependency-forced" : "dependency-error",
				vitk_esxupdate__printf("%s%s", res->dep_errors.ptr[i],
					    res->checks_bypassed ? " (bypassed by -f)" : ""));
	for (i = 0; i < res->conflict_errors.size && r == 0; i++)
		r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING, "conflict", vitk_esxupdate__strdup(res->conflict_errors.ptr[i]));
	for (i = 0; i < res->half_applied.size && r == 0; i++)
		r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING, "half-applied",
				vitk_esxupdate__printf("%s: vib update installs no new VIBs, the patch would be only half applied",
					    res->half_applied.ptr[i]));
	/* profile install applies the profile's host acceptance level */
	if (r == 0 && res->op == VITK_ESXUPDATE_OP_PROFILE_INSTALL && res->profile && h->acceptance) {
		const vitk_esxupdate_profile *pr = vitk_esxupdate_depot_find_profile(d, res->profile);

		if (pr && pr->acceptance && pr->acceptance > h->acceptance) {
			vitk_esxupdate__result_assume(a->res, "profile install sets the host acceptance level to the image profile's level");
			r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING, "acceptance-drop",
					vitk_esxupdate__printf("host acceptance level drops from %s to %s (profile %s)",
						    vitk_esxupdate_acceptance_name(h->acceptance),
						    vitk_esxupdate_acceptance_name(pr->acceptance), pr->name));
		}
	}
	if (r == 0 && res->removal_refused.size)
		r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING, "removal-refused",
				vitk_esxupdate__printf("profile install would remove %zu installed VIB(s) and fails without --ok-to-remove",
					    res->removal_refused.size));
	if (r == 0 && res->no_profile)
		r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING, "profile-not-found",
				vitk_esxupdate__printf("the depot carries no image profile named '%s': esxcli stops with [NoMatchError] and changes nothing",
						       res->profile_wanted ? res->profile_wanted : "?"));
	for (i = 0; r == 0 && i < vitk_esxupdate_depot_unread_profile_count(d); i++)
		r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING, "profile-unread",
				vitk_esxupdate__printf("the host lists image profile '%s' in the depot, but no document for it was read: capture `esxcli software sources profile get -d DEPOT -p %s` and give it with --depot-profile",
						       vitk_esxupdate_depot_unread_profile(d, i), vitk_esxupdate_depot_unread_profile(d, i)));
	for (i = 0; r == 0 && i < res->comp_downgrades.size; i++)
		r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING, "component-downgrade-refused",
				vitk_esxupdate__strdup(res->comp_downgrades.ptr[i]));
	if (r == 0 && res->error && !res->no_profile && !res->comp_downgrades.size && !res->removal_refused.size && !res->dep_errors.size &&
		 !res->acc_errors.size && !res->conflict_errors.size)
		r = add_finding(a, VITK_ESXUPDATE_SEV_WARNING, "command-fails",
				vitk_esxupdate__strdup("the command fails as written (see the result message)"));
	if (r == 0)
		r = add_finding(a, VITK_ESXUPDATE_SEV_INFO, "summary",
				vitk_esxupdate__printf("%zu installed, %zu upgraded, %zu downgraded, %zu removed, %zu skipped%s",
					    n_inst, n_up, n_down, n_rm, n_skip,
					    res->error ? " (planned; the command fails, nothing changes)" : ""));
	if (r == 0 && res->reboot && !res->error)
		r = add_finding(a, VITK_ESXUPDATE_SEV_INFO, "reboot-required",
				vitk_esxupdate__strdup("a reboot is required; disable HA for the host first (esxcli help)"));
	if (r == 0 && res->maint && !res->error)
		r = add_finding(a, VITK_ESXUPDATE_SEV_INFO, "maintenance-mode",
				vitk_esxupdate__strdup("VIBs require maintenance mode: enter maintenance mode first"));
	/* docs/esxupdate-facts.md "OEM images": vendor other than VMware, or a name not starting ESXi- */
	if (r == 0 && h->profile &&
	    ((h->profile_vendor && !vmware_vendor(h->profile_vendor)) || strncmp(h->profile, "ESXi-", 5) != 0))
		r = add_finding(a, VITK_ESXUPDATE_SEV_INFO, "oem-image",
				vitk_esxupdate__printf("the host runs the OEM image profile '%s'%s%s%s: its vendor drivers are not in VMware's patch bundles; prefer the vendor's updated profile when one exists",
						       h->profile, h->profile_vendor ? " (" : "",
						       h->profile_vendor ? h->profile_vendor : "", h->profile_vendor ? ")" : ""));
	return r;
}

static bool vmware_vendor(const char *v)
{
	return v && (vitk_esxupdate__streq_ci(v, "VMware, Inc.") || vitk_esxupdate__streq_ci(v, "VMware") ||
		     vitk_esxupdate__streq_ci(v, "VMW"));
}

/* docs/esxupdate-facts.md "OEM images": a creator other than VMware, or a name not starting "ESXi-" */
static bool is_oem_profile(const vitk_esxupdate_profile *p)
{
	return (p->vendor && !vmware_vendor(p->vendor)) || strncmp(p->name, "ESXi-", 5) != 0;
}

static bool ends_with(const char *s, const char *sfx)
{
	size_t a = strlen(s), b = strlen(sfx);

	return a >= b && strcmp(s + a - b, sfx) == 0;
}

static bool host_runs_oem_image(const vitk_esxupdate_host *h)
{
	return h->profile &&
	       ((h->profile_vendor && !vmware_vendor(h->profile_vendor)) || strncmp(h->profile, "ESXi-", 5) != 0);
}

/* the first vendor NIC/storage driver installed on the host, or NULL */
static const char *host_vendor_driver(const vitk_esxupdate_host *h)
{
	size_t i;

	for (i = 0; i < h->vibs.size; i++) {
		vitk_esxupdate_driver_class c = vitk_esxupdate_vib_driver_class(&h->vibs.ptr[i]);

		if ((c == VITK_ESXUPDATE_DRIVER_NIC || c == VITK_ESXUPDATE_DRIVER_STORAGE) &&
		    vitk_esxupdate_vib_is_vendor(&h->vibs.ptr[i]))
			return h->vibs.ptr[i].name;
	}
	return NULL;
}

/* a candidate profile for the recommendation, and why it was picked */
struct pick {
	const vitk_esxupdate_profile *p;
	char *why;
};

#define PICKS_MAX 3

static int add_pick(struct pick *picks, size_t *n, const vitk_esxupdate_profile *p, char *why)
{
	size_t i;

	if (!why)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (i = 0; i < *n; i++)
		if (picks[i].p == p || *n >= PICKS_MAX) {
			free(why);
			return 0;
		}
	picks[*n].p = p;
	picks[(*n)++].why = why;
	return 0;
}

/* the depot's OEM profile for an OEM host: same creator as the host image first */
static const vitk_esxupdate_profile *oem_profile(const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d)
{
	const vitk_esxupdate_profile *best = NULL;
	size_t i;

	for (i = 0; i < vitk_esxupdate_depot_profile_count(d); i++) {
		const vitk_esxupdate_profile *p = vitk_esxupdate_depot_profile(d, i);
		bool same = h->profile_vendor && p->vendor && vitk_esxupdate__streq_ci(p->vendor, h->profile_vendor);
		bool best_same = best && h->profile_vendor && best->vendor &&
				 vitk_esxupdate__streq_ci(best->vendor, h->profile_vendor);

		if (!is_oem_profile(p))
			continue;
		if (!best || (same && !best_same) || (same == best_same && strcmp(p->name, best->name) > 0))
			best = p;
	}
	return best;
}

/* the VMware -standard (host has tools-light) or -no-tools profile, full rather than security-only */
static const vitk_esxupdate_profile *vmware_profile(const vitk_esxupdate_depot *d, bool tools)
{
	const char *want = tools ? "-standard" : "-no-tools", *sec = tools ? "s-standard" : "s-no-tools";
	const vitk_esxupdate_profile *best = NULL;
	size_t i;

	for (i = 0; i < vitk_esxupdate_depot_profile_count(d); i++) {
		const vitk_esxupdate_profile *p = vitk_esxupdate_depot_profile(d, i);

		if (is_oem_profile(p) || !ends_with(p->name, want))
			continue;
		if (!best || (ends_with(best->name, sec) && !ends_with(p->name, sec)) ||
		    (ends_with(best->name, sec) == ends_with(p->name, sec) && strcmp(p->name, best->name) > 0))
			best = p;
	}
	return best;
}

/* the profiles worth simulating, best first: OEM (for an OEM host), the intended one, -standard/-no-tools */
static int choose_profiles(const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d,
			   const vitk_esxupdate_command *cmd, struct pick *picks, size_t *n)
{
	bool tools = vitk_esxupdate_host_find(h, "tools-light") != NULL;
	const vitk_esxupdate_profile *p;
	int r = 0;

	*n = 0;
	p = host_runs_oem_image(h) || (!h->profile && host_vendor_driver(h)) ? oem_profile(h, d) : NULL;
	if (p && h->profile)
		r = add_pick(picks, n, p,
			     vitk_esxupdate__printf("the host runs the OEM image '%s'%s%s%s and this is the depot's OEM profile (creator '%s'), which carries the vendor's drivers",
						    h->profile, h->profile_vendor ? " (" : "",
						    h->profile_vendor ? h->profile_vendor : "", h->profile_vendor ? ")" : "",
						    p->vendor));
	else if (p)
		r = add_pick(picks, n, p,
			     vitk_esxupdate__printf("the host carries vendor drivers (%s, ...) and this is the depot's OEM profile (creator '%s'); no `profile get` capture says which image the host runs",
						    host_vendor_driver(h), p->vendor));
	p = cmd->profile ? vitk_esxupdate_depot_find_profile(d, cmd->profile) : NULL;
	if (r == 0 && p)
		r = add_pick(picks, n, p, vitk_esxupdate__strdup("the profile named in the intended command"));
	p = vmware_profile(d, tools);
	if (r == 0 && p)
		r = add_pick(picks, n, p,
			     vitk_esxupdate__printf("%s%s%s%s",
						    tools ? "the host has VMware Tools (tools-light): the -standard profile keeps them"
							  : "the host has no tools-light: the -no-tools profile matches it",
						    host_runs_oem_image(h) && !oem_profile(h, d) ? "; the depot has no OEM profile for the host's OEM image '" : "",
						    host_runs_oem_image(h) && !oem_profile(h, d) ? h->profile : "",
						    host_runs_oem_image(h) && !oem_profile(h, d) ? "', and profile update leaves its vendor VIBs in place" : ""));
	return r;
}

static char *names_joined(const esxu_strv *sv)
{
	vitk_str b = VITK_STR_INIT;
	size_t i;

	for (i = 0; i < sv->size; i++)
		vitk_str_putf(&b, "%s%s", i ? ", " : "", sv->ptr[i]);
	return vitk_str_detach(&b);
}

/* simulate @c; *safe when it has no finding above INFO and does not fail */
static int try_command(const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d,
		       const vitk_esxupdate_command *c, vitk_esxupdate_audit **out, bool *safe)
{
	int r = vitk_esxupdate_audit_run__inner(out, h, d, c);

	*safe = r == 0 && !(*out)->res->error && !vitk_esxupdate_audit_count(*out, VITK_ESXUPDATE_SEV_CRITICAL) &&
		!vitk_esxupdate_audit_count(*out, VITK_ESXUPDATE_SEV_WARNING) &&
		(*out)->res->lists[VITK_ESXUPDATE_LIST_INSTALLED].size > 0;
	return r;
}

/* one line on why a simulated command is not safe */
static const char *not_safe_reason(const vitk_esxupdate_audit *sa)
{
	if (sa->res->error)
		return "it fails";
	if (vitk_esxupdate_audit_count(sa, VITK_ESXUPDATE_SEV_CRITICAL))
		return "it still removes or downgrades vendor drivers";
	if (sa->res->half_applied.size)
		return "it leaves a bulletin half applied";
	if (!vitk_esxupdate_audit_count(sa, VITK_ESXUPDATE_SEV_WARNING) && !sa->res->lists[VITK_ESXUPDATE_LIST_INSTALLED].size)
		return "it would install nothing";
	return "it has warnings";
}

static int set_recommendation(vitk_esxupdate_audit *a, vitk_esxupdate_command *c, const char *profile)
{
	c->flags |= VITK_ESXUPDATE_F_DRY_RUN;
	a->rec_cmd = vitk_esxupdate_command_format(c);
	if (profile)
		a->rec_profile = vitk_esxupdate__strdup(profile);
	return a->rec_cmd && (!profile || a->rec_profile) ? 0 : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

/*
 * No image profile in the depot: the vib namespace forms, each simulated.
 * 'vib update -d' first; then 'vib install -n' of the VIBs a full install
 * would add or upgrade, minus those that replace an installed VIB.
 */
static int recommend_vib_forms(vitk_esxupdate_audit *a, const vitk_esxupdate_host *h,
			       const vitk_esxupdate_depot *d, const char *depot, vitk_str *ex)
{
	vitk_esxupdate_command c;
	vitk_esxupdate_audit *sa = NULL, *all = NULL;
	esxu_strv names = { 0 }, replacers = { 0 };
	bool safe = false;
	size_t i;
	int r;

	memset(&c, 0, sizeof(c));
	c.op = VITK_ESXUPDATE_OP_VIB_UPDATE;
	c.depot = (char *)depot;
	r = try_command(h, d, &c, &sa, &safe);
	if (r == 0 && safe) {
		vitk_str_puts(ex, " 'vib update -d' only updates VIBs already installed; simulated here it keeps every vendor driver and has no warning.");
		r = set_recommendation(a, &c, NULL);
		goto out;
	}
	if (r == 0)
		vitk_str_putf(ex, " 'vib update -d' is not safe here (%s).", not_safe_reason(sa));
	memset(&c, 0, sizeof(c));
	c.op = VITK_ESXUPDATE_OP_VIB_INSTALL;
	c.depot = (char *)depot;
	if (r == 0)
		r = vitk_esxupdate_audit_run__inner(&all, h, d, &c);
	for (i = 0; r == 0 && i < all->res->changes.size; i++)
		if (all->res->changes.ptr[i].action == VITK_ESXUPDATE_ACT_REMOVED_REPLACED &&
		    strncmp(all->res->changes.ptr[i].reason, "replaced by ", 12) == 0)
			r = vitk_esxupdate__strv_add(&replacers, all->res->changes.ptr[i].reason + 12);
	for (i = 0; r == 0 && i < all->res->changes.size; i++) {
		const vitk_esxupdate_change *ch = &all->res->changes.ptr[i];

		if ((ch->action == VITK_ESXUPDATE_ACT_INSTALLED || ch->action == VITK_ESXUPDATE_ACT_UPGRADED) &&
		    !vitk_esxupdate__strv_has(&replacers, ch->name))
			r = vitk_esxupdate__strv_add(&names, ch->name);
	}
	if (r < 0)
		goto out;
	if (names.size == 0) {
		vitk_str_puts(ex, " No VIB of the depot can be installed without downgrading or replacing an installed one: no safe command.");
		goto out;
	}
	c.vibnames = names.ptr;
	c.nvibnames = names.size;
	vitk_esxupdate_audit_free(sa);
	sa = NULL;
	r = try_command(h, d, &c, &sa, &safe);
	if (r == 0 && safe) {
		vitk_str_puts(ex, " 'vib install -n' with only the VIBs that are new or newer than the installed ones, simulated here, keeps every vendor driver and has no warning.");
		r = set_recommendation(a, &c, NULL);
	} else if (r == 0) {
		vitk_str_putf(ex, " 'vib install -n' of the new and newer VIBs is not safe either (%s): no safe command.",
					   not_safe_reason(sa));
	}
out:
	vitk_esxupdate_audit_free(sa);
	vitk_esxupdate_audit_free(all);
	vitk_esxupdate__strv_dispose(&names);
	vitk_esxupdate__strv_dispose(&replacers);
	return r;
}

/* 'profile update -p' with the first candidate profile whose simulation is safe */
static int recommend_profile(vitk_esxupdate_audit *a, const vitk_esxupdate_host *h,
			     const vitk_esxupdate_depot *d, const vitk_esxupdate_command *cmd, const char *depot,
			     vitk_str *ex)
{
	struct pick picks[PICKS_MAX];
	vitk_esxupdate_command c;
	vitk_esxupdate_audit *sa = NULL;
	size_t n = 0, i;
	bool safe;
	int r;

	r = choose_profiles(h, d, cmd, picks, &n);
	for (i = 0; r == 0 && i < n; i++) {
		memset(&c, 0, sizeof(c));
		c.op = VITK_ESXUPDATE_OP_PROFILE_UPDATE;
		c.depot = (char *)depot;
		c.profile = picks[i].p->name;
		vitk_esxupdate_audit_free(sa);
		sa = NULL;
		r = vitk_esxupdate_audit_run__inner(&sa, h, d, &c);
		if (r < 0)
			break;
		safe = !sa->res->error && !vitk_esxupdate_audit_count(sa, VITK_ESXUPDATE_SEV_CRITICAL);
		if (!safe) {
			vitk_str_putf(ex, " 'profile update -p %s' is not safe for this host either (%s).",
						   c.profile, not_safe_reason(sa));
			continue;
		}
		vitk_str_putf(ex, " Use 'profile update' with profile %s (%s): it upgrades from the profile, never removes VIBs and never downgrades without --allow-downgrades",
					   c.profile, picks[i].why);
		if (vitk_esxupdate_audit_count(sa, VITK_ESXUPDATE_SEV_WARNING))
			vitk_str_putf(ex, "; it still has %zu warning(s) to review",
						   vitk_esxupdate_audit_count(sa, VITK_ESXUPDATE_SEV_WARNING));
		vitk_str_puts(ex, ". Run it with --dry-run first, then again without.");
		r = set_recommendation(a, &c, c.profile);
		break;
	}
	if (r == 0 && !a->rec_cmd)
		vitk_str_puts(ex, n ? " No profile of the depot is safe for this host, so no command is recommended."
					      : " The depot has no -standard, -no-tools or OEM profile to recommend.");
	for (i = 0; i < n; i++)
		free(picks[i].why);
	vitk_esxupdate_audit_free(sa);
	return r;
}

/*
 * The vendor's depot, when the operator gave one: 'profile update' with its
 * own (OEM) profile, simulated against that depot.  *done when recommended.
 */
static int recommend_vendor(vitk_esxupdate_audit *a, const vitk_esxupdate_host *h,
			    const vitk_esxupdate_audit_options *o, vitk_str *ex, bool *done)
{
	const vitk_esxupdate_profile *p = o && o->vendor_depot ? oem_profile(h, o->vendor_depot) : NULL;
	vitk_esxupdate_command c;
	vitk_esxupdate_audit *sa = NULL;
	int r;

	*done = false;
	if (!p)
		return 0;
	memset(&c, 0, sizeof(c));
	c.op = VITK_ESXUPDATE_OP_PROFILE_UPDATE;
	c.depot = (char *)o->vendor_depot_path;
	c.profile = p->name;
	r = vitk_esxupdate_audit_run__inner(&sa, h, o->vendor_depot, &c);
	if (r == 0 && (sa->res->error || vitk_esxupdate_audit_count(sa, VITK_ESXUPDATE_SEV_CRITICAL))) {
		vitk_str_putf(ex, " The vendor depot's profile %s is not safe for this host either (%s).", p->name,
			      not_safe_reason(sa));
	} else if (r == 0) {
		vitk_str_putf(ex, " Use 'profile update' with the vendor depot's own profile %s (creator '%s'): it carries the vendor's drivers built for this release, upgrades from the profile and never removes VIBs. Run it with --dry-run first, then again without.",
			      p->name, p->vendor);
		r = set_recommendation(a, &c, p->name);
		*done = r == 0;
	}
	vitk_esxupdate_audit_free(sa);
	return r;
}

static bool replaces_any(const vitk_esxupdate_result *res)
{
	size_t i;

	for (i = 0; i < res->changes.size; i++)
		if (res->changes.ptr[i].action == VITK_ESXUPDATE_ACT_REMOVED_REPLACED)
			return true;
	return false;
}

/* the vendor depot's components holding the VIBs named in @lost ("-n A -n B" selectors) */
static int vendor_components(const vitk_esxupdate_depot *vd, const esxu_strv *lost, esxu_strv *out)
{
	size_t i, k;
	int r = 0;

	for (i = 0; r == 0 && i < vitk_esxupdate_depot_bulletin_count(vd); i++) {
		const vitk_esxupdate_bulletin *b = vitk_esxupdate_depot_bulletin(vd, i);

		for (k = 0; r == 0 && b->component_name && k < b->nvib_ids; k++) {
			const vitk_esxupdate_vib *v = vitk_esxupdate_depot_find_id(vd, b->vib_ids[k]);

			if (v && vitk_esxupdate__strv_has(lost, v->name) && !vitk_esxupdate__strv_has(out, b->component_name))
				r = vitk_esxupdate__strv_add(out, b->component_name);
		}
	}
	return r;
}

/*
 * No safe profile, but the vendor's depot has the components the VMware
 * profile would cost the host: 'profile update' with the VMware profile, then
 * 'component apply' of those components, the second simulated on the host as
 * the first leaves it.  *done when recommended.
 */
static int recommend_profile_then_components(vitk_esxupdate_audit *a, const vitk_esxupdate_host *h,
					     const vitk_esxupdate_depot *d, const char *depot,
					     const vitk_esxupdate_audit_options *o, vitk_str *ex, bool *done)
{
	const vitk_esxupdate_profile *p = vmware_profile(d, vitk_esxupdate_host_find(h, "tools-light") != NULL);
	vitk_esxupdate_command pu, ca;
	vitk_esxupdate_audit *sa = NULL, *sb = NULL;
	vitk_esxupdate_host *after = NULL;
	esxu_strv comps = VITK_ARRAY_INIT;
	char *second = NULL;
	bool safe = false;
	int r;

	*done = false;
	if (!p || !o || !o->vendor_depot)
		return 0;
	memset(&pu, 0, sizeof(pu));
	pu.op = VITK_ESXUPDATE_OP_PROFILE_UPDATE;
	pu.depot = (char *)depot;
	pu.profile = p->name;
	r = vitk_esxupdate_audit_run__inner(&sa, h, d, &pu);
	if (r == 0 && !sa->res->error)
		r = vendor_components(o->vendor_depot, &sa->crit, &comps);
	if (r == 0 && comps.size && !sa->res->error)
		r = vitk_esxupdate__host_after(&after, h, sa->res, d);
	memset(&ca, 0, sizeof(ca));
	ca.op = VITK_ESXUPDATE_OP_COMPONENT_APPLY;
	ca.depot = (char *)o->vendor_depot_path;
	ca.components = comps.ptr;
	ca.ncomponents = comps.size;
	ca.flags = VITK_ESXUPDATE_F_DRY_RUN;
	if (r == 0 && after)
		r = try_command(after, o->vendor_depot, &ca, &sb, &safe);
	if (r == 0 && safe && (second = vitk_esxupdate_command_format(&ca)) &&
	    (r = set_recommendation(a, &pu, p->name)) == 0) {
		vitk_str_putf(ex, " Use 'profile update' with profile %s, then re-apply the vendor's components from its depot: %s (simulated on the host as the profile update leaves it: it restores the vendor drivers and has no warning).",
			      p->name, second);
		*done = true;
	} else if (r == 0 && safe) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	} else if (r == 0 && !sa->res->error && sa->crit.size) {
		/* say why the vendor depot does not complete the plan */
		char *lost = names_joined(comps.size ? &comps : &sa->crit);

		if (!lost)
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		else if (!comps.size)
			vitk_str_putf(ex, " The vendor depot carries no component holding %s, so re-applying from it after 'profile update -p %s' cannot restore them.",
				      lost, p->name);
		else if (sb)
			vitk_str_putf(ex, " Re-applying %s from the vendor depot after 'profile update -p %s' is not safe either (%s).",
				      lost, p->name, not_safe_reason(sb));
		free(lost);
	}
	free(second);
	vitk_esxupdate__strv_dispose(&comps);
	vitk_esxupdate_host_free(after);
	vitk_esxupdate_audit_free(sa);
	vitk_esxupdate_audit_free(sb);
	return r;
}

/* ESXi 7.0 or later (components exist): a component list was given, or esx-base is 7.0 or newer */
static bool host_has_components(const vitk_esxupdate_host *h)
{
	const vitk_esxupdate_vib *base = vitk_esxupdate_host_find(h, "esx-base");
	return h->comps.size || (base && base->version && vitk_esxupdate_version_cmp(base->version, "7.0.0-0") >= 0);
}

/* "MRVL-E4-CNA-Driver-Bundle 5.0.402.0-1OEM... (Marvell; holds qedentv-ens)" for each host component to re-apply */
static int reapply_list(vitk_str *out, esxu_strv *names, const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d,
			const esxu_strv *lost, bool *guessed)
{
	esxu_compv untied = VITK_ARRAY_INIT;
	const vitk_esxupdate_component **holder = calloc(lost->size + 1, sizeof(*holder));
	size_t i, k, n = 0;
	int r = holder ? vitk_esxupdate__host_components_untied(h, d, &untied) : vitk_error_set(VITK_ENOMEM, 0, "out of memory");

	/* each lost VIB's holder: the tied component, else the only untied vendor component */
	for (k = 0; r == 0 && k < lost->size; k++) {
		esxu_tie how;

		holder[k] = vitk_esxupdate__host_component_of(h, d, lost->ptr[k], &how);
		if (!holder[k] && untied.size == 1)
			holder[k] = untied.ptr[0];
		*guessed = *guessed || (holder[k] && how != ESXU_TIE_DEPOT);
	}
	for (i = 0; r == 0 && i < h->comps.size; i++) {
		const vitk_esxupdate_component *c = &h->comps.ptr[i];
		vitk_str held = VITK_STR_INIT;

		for (k = 0; k < lost->size; k++)
			if (holder[k] == c)
				vitk_str_putf(&held, "%s%s", held.size ? ", " : "", lost->ptr[k]);
		if (held.size) {
			vitk_str_putf(out, "%s%s %s (%s%s%s)", n++ ? ", " : "", c->name, c->version,
				      c->vendor ? c->vendor : "", c->vendor ? "; holds " : "holds ", held.ptr);
			r = vitk_esxupdate__strv_add(names, c->name);
		}
		if (held.oom)
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		vitk_str_clear(&held);
	}
	free(holder);
	vitk_array_clear(untied);
	return r;
}

/*
 * No vendor depot: the VMware profile plus the vendor's components cannot be
 * simulated whole.  The profile update is simulated; the host components it
 * costs the host are named from the host's component list, with what
 * re-applying them needs and what could not be simulated.
 */
static int explain_reapply(vitk_esxupdate_audit *a, const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d,
			   const char *depot, const vitk_esxupdate_audit_options *o, vitk_str *ex)
{
	const vitk_esxupdate_profile *p = vmware_profile(d, vitk_esxupdate_host_find(h, "tools-light") != NULL);
	vitk_esxupdate_command pu, ca;
	vitk_esxupdate_audit *sa = NULL;
	esxu_strv comps = VITK_ARRAY_INIT;
	vitk_str list = VITK_STR_INIT;
	char *lost = NULL, *second = NULL;
	bool guessed = false;
	int r;

	if (!p || a->rec_cmd || (o && o->vendor_depot) || !host_has_components(h))
		return 0;
	memset(&pu, 0, sizeof(pu));
	pu.op = VITK_ESXUPDATE_OP_PROFILE_UPDATE;
	pu.depot = (char *)depot;
	pu.profile = p->name;
	r = vitk_esxupdate_audit_run__inner(&sa, h, d, &pu);
	if (r < 0 || sa->res->error || !sa->crit.size)
		goto out;
	lost = names_joined(&sa->crit);
	r = lost ? reapply_list(&list, &comps, h, d, &sa->crit, &guessed) : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (r < 0)
		goto out;
	vitk_str_putf(ex, " Without the vendor's depot the plan cannot be simulated whole. Plan: 'profile update' with profile %s (simulated: it costs the host the vendor driver(s) %s), then re-apply from the server vendor's depot its build for the new release of ",
		      p->name, lost);
	memset(&ca, 0, sizeof(ca));
	ca.op = VITK_ESXUPDATE_OP_COMPONENT_APPLY;
	ca.depot = (char *)"<vendor depot>";
	ca.components = comps.ptr;
	ca.ncomponents = comps.size;
	ca.flags = VITK_ESXUPDATE_F_DRY_RUN;
	if (comps.size && (second = vitk_esxupdate_command_format(&ca)))
		vitk_str_putf(ex, "host component(s) %s: %s.%s", list.ptr, second,
			      guessed ? " Which component holds which VIB is inferred from the host's captures (see Assumptions)." : "");
	else
		vitk_str_puts(ex, h->comps.size ? "the component(s) holding them (no host component could be tied to them)."
						: "the component(s) holding them (give the host's `esxcli software component list` with --host-components to name them).");
	vitk_str_puts(ex, " The second command is not simulated: which VIBs and versions the vendor's build brings, whether they are newer than what the profile update installs, and which driver API levels they need are known only from the vendor's depot. Supply that depot with --vendor-depot ZIP to have both commands simulated.");
	if (guessed)
		vitk_esxupdate__result_assume(a->res, "the component to re-apply for a lost vendor VIB is the host component tied to it (by the depot, its name or its version), else the host's only vendor component tied to no installed VIB");
	r = ex->oom || list.oom ? vitk_error_set(VITK_ENOMEM, 0, "out of memory") : 0;
out:
	free(lost);
	free(second);
	vitk_str_clear(&list);
	vitk_esxupdate__strv_dispose(&comps);
	vitk_esxupdate_audit_free(sa);
	return r;
}

/* what is wrong with the intended command, in one or two sentences */
static void explain_intended(vitk_str *ex, const vitk_esxupdate_command *cmd, const vitk_esxupdate_result *res)
{
	switch (cmd->op) {
	case VITK_ESXUPDATE_OP_VIB_INSTALL:
		vitk_str_puts(ex, cmd->nviburls
					  ? "'vib install -v' installs the given VIB over the host image: a same-name VIB is upgraded or downgraded whatever its vendor, and VIBs it replaces are removed."
					  : "'vib install -d' installs every VIB of the bundle over the host image: same-name VIBs are upgraded or downgraded whatever their vendor, and VIBs they replace are removed.");
		break;
	case VITK_ESXUPDATE_OP_VIB_UPDATE:
		vitk_str_puts(ex, "'vib update' only updates VIBs already installed and adds nothing new, so a patch can be left half applied; VMware advises the profile namespace for patches.");
		break;
	case VITK_ESXUPDATE_OP_PROFILE_INSTALL:
		vitk_str_puts(ex, res->no_profile
					  ? "'profile install -p' names an image profile the depot does not carry."
					  : "'profile install' replaces the whole image with the profile and removes every installed VIB the profile lacks.");
		break;
	case VITK_ESXUPDATE_OP_COMPONENT_APPLY:
		vitk_str_puts(ex, "'component apply' installs the depot's components over the host's: a component's VIBs replace installed VIBs of the same name whatever their vendor, and a component older than the installed one is refused.");
		break;
	case VITK_ESXUPDATE_OP_PROFILE_UPDATE:
		vitk_str_puts(ex, res->no_profile
					  ? "'profile update -p' names an image profile the depot does not carry."
					  : replaces_any(res)
					  ? "'profile update' keeps installed VIBs it has no newer version of, but removes those a profile VIB replaces or obsoletes, whatever their vendor."
					  : (cmd->flags & VITK_ESXUPDATE_F_ALLOW_DOWNGRADES)
					  ? "'profile update --allow-downgrades' also downgrades installed VIBs that are newer than the profile's, including vendor drivers."
					  : "'profile update' as written still has findings to review.");
		break;
	}
}

static int recommend(vitk_esxupdate_audit *a, const vitk_esxupdate_host *h,
		     const vitk_esxupdate_depot *d, const vitk_esxupdate_command *cmd,
		     const vitk_esxupdate_audit_options *o, const esxu_strv *critical_names)
{
	bool done = false;
	size_t ncrit = vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL);
	size_t nwarn = vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_WARNING);
	const char *depot = cmd->depot ? cmd->depot : cmd->viburls[0];
	vitk_esxupdate_command safe;
	char *names = NULL;
	vitk_str ex = VITK_STR_INIT;
	int r = 0;

	if (ncrit == 0 && nwarn == 0) {
		a->verdict = "safe";
		safe = *cmd;
		a->explanation = vitk_esxupdate__strdup("No risk found: the intended command keeps every vendor NIC/storage driver. Run it with --dry-run first and compare the VIB lists with this report.");
		r = set_recommendation(a, &safe, cmd->profile);
		return r == 0 && a->explanation ? r : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	a->verdict = ncrit ? "unsafe" : "review";
	names = names_joined(critical_names);
	if (!names)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	explain_intended(&ex, cmd, a->res);
	if (ncrit)
		vitk_str_putf(&ex, " Here it would remove or downgrade %zu vendor driver(s): %s.", critical_names->size, names);
	else
		vitk_str_putf(&ex, " Here it has %zu warning(s).", nwarn);
	r = recommend_vendor(a, h, o, &ex, &done);
	if (r == 0 && !done)
		r = recommend_profile_then_components(a, h, d, depot, o, &ex, &done);
	if (r < 0 || done) {
		/* the vendor's own profile, or the VMware profile plus the vendor's components */
	} else if (vitk_esxupdate_depot_profile_count(d) == 0) {
		vitk_str_puts(&ex, vitk_esxupdate_depot_bulletin_count(d)
					  ? " The depot carries no image profile, only bulletins, so no 'profile update -p' can be recommended (a bulletin id is not a profile name: esxcli would answer [NoMatchError])."
					  : " The depot carries no image profile, so no 'profile update -p' can be recommended.");
		r = recommend_vib_forms(a, h, d, depot, &ex);
	} else {
		r = recommend_profile(a, h, d, cmd, depot, &ex);
		if (r == 0)
			r = explain_reapply(a, h, d, depot, o, &ex);
	}
	if (r == 0) {
		a->explanation = vitk_str_detach(&ex);
		if (!a->explanation)
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	vitk_str_clear(&ex);
	free(names);
	return r;
}

int vitk_esxupdate_audit_run__inner(vitk_esxupdate_audit **out, const vitk_esxupdate_host *host,
				    const vitk_esxupdate_depot *depot, const vitk_esxupdate_command *cmd)
{
	vitk_esxupdate_audit *a = NULL;
	int r;

	*out = NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	r = vitk_esxupdate_simulate(&a->res, host, depot, cmd);
	if (r < 0)
		goto out;
	r = driver_findings(a, host, depot, a->res->error != NULL, &a->crit);
	if (r == 0)
		r = other_findings(a, host, depot);
	if (r < 0)
		goto out;
	*out = a;
	a = NULL;
out:
	vitk_esxupdate_audit_free(a);
	return r;
}

static int cmp_finding(const void *x, const void *y)
{
	const vitk_esxupdate_finding *a = x, *b = y;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	return 0;
}

/* what the audit document says about its inputs */
static int keep_inputs(vitk_esxupdate_audit *a, const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d,
		       const vitk_esxupdate_command *cmd)
{
	const vitk_esxupdate_profile *p = cmd->profile ? vitk_esxupdate_depot_find_profile(d, cmd->profile) : NULL;

	a->host_vibs = h->vibs.size;
	a->host_pci = h->pci.size;
	a->host_acceptance = h->acceptance;
	a->host_profile = h->profile ? vitk_esxupdate__strdup(h->profile) : NULL;
	a->depot_path = vitk_esxupdate__strdup(vitk_esxupdate_depot_path(d));
	a->depot_sha256 = vitk_esxupdate__strdup(vitk_esxupdate_depot_sha256(d));
	a->profile_source = p ? p->source : NULL;
	if ((h->profile && !a->host_profile) || !a->depot_path || !a->depot_sha256)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	return 0;
}

int vitk_esxupdate_audit_run(vitk_esxupdate_audit **out, const vitk_esxupdate_host *host,
			     const vitk_esxupdate_depot *depot, const vitk_esxupdate_command *cmd)
{
	return vitk_esxupdate_audit_run_ex(out, host, depot, cmd, NULL);
}

int vitk_esxupdate_audit_run_ex(vitk_esxupdate_audit **out, const vitk_esxupdate_host *host,
				const vitk_esxupdate_depot *depot, const vitk_esxupdate_command *cmd,
				const vitk_esxupdate_audit_options *opts)
{
	vitk_esxupdate_audit *a = NULL;
	size_t i;
	int r;

	*out = NULL;
	r = vitk_esxupdate_audit_run__inner(&a, host, depot, cmd);
	if (r < 0)
		return r;
	r = recommend(a, host, depot, cmd, opts, &a->crit);
	if (r == 0)
		r = keep_inputs(a, host, depot, cmd);
	if (r < 0)
		goto out;
	/* stable order: severity, then the order found (qsort is not stable: do insertion) */
	for (i = 1; i < a->f.size; i++) {
		vitk_esxupdate_finding t = a->f.ptr[i];
		size_t j = i;

		while (j > 0 && cmp_finding(&a->f.ptr[j - 1], &t) > 0) {
			a->f.ptr[j] = a->f.ptr[j - 1];
			j--;
		}
		a->f.ptr[j] = t;
	}
	*out = a;
	a = NULL;
out:
	vitk_esxupdate_audit_free(a);
	return r;
}
