/* SPDX-License-Identifier: MIT */
/*
 * esxupdate: VIB records (copy, complete, relationships, software tags),
 * acceptance levels and the driver classification.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esxu.h"

/* ------------------------------------------------------------ VIBs */

vitk_esxupdate_vib *vitk_esxupdate__vib_new(void)
{
	vitk_esxupdate_vib *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->maintenance_mode = v->live_install = v->live_remove = v->reboot_required =
		VITK_ESXUPDATE_UNSET;
	return v;
}

void vitk_esxupdate__constraints_dispose(vitk_esxupdate_constraints *c)
{
	size_t i;

	for (i = 0; i < c->count; i++) {
		free(c->items[i].name);
		free(c->items[i].relation);
		free(c->items[i].version);
	}
	free(c->items);
	c->items = NULL;
	c->count = 0;
}

void vitk_esxupdate__vib_dispose(vitk_esxupdate_vib *v)
{
	size_t i;

	if (!v)
		return;
	free(v->id);
	free(v->name);
	free(v->version);
	free(v->vendor);
	free(v->type);
	free(v->install_date);
	free(v->summary);
	vitk_esxupdate__constraints_dispose(&v->depends);
	vitk_esxupdate__constraints_dispose(&v->conflicts);
	vitk_esxupdate__constraints_dispose(&v->replaces);
	vitk_esxupdate__constraints_dispose(&v->provides);
	for (i = 0; i < v->ntags; i++)
		free(v->tags[i]);
	free(v->tags);
	free(v->relative_path);
	free(v->sha256);
	memset(v, 0, sizeof(*v));
}

void vitk_esxupdate_vib_free(vitk_esxupdate_vib *v)
{
	vitk_esxupdate__vib_dispose(v);
	free(v);
}

int vitk_esxupdate__constraints_add(vitk_esxupdate_constraints *c, const char *name, const char *rel,
			 const char *version)
{
	vitk_esxupdate_constraint *p;

	if (c->count >= 4096)
		return vitk_error_set(VITK_ERANGE, 0, "more than 4096 constraints");
	if (vitk_esxupdate__has_ctl(name) || vitk_esxupdate__has_ctl(version))
		return vitk_error_set(VITK_EINVAL, 0, "a constraint with a control character in its name or version: refused");
	p = vitk_esxupdate__list_grow(c->items, c->count, sizeof(*c->items));
	if (!p)
		return VITK_ENOMEM;
	c->items = p;
	p = &c->items[c->count++];
	p->name = vitk_esxupdate__strdup(name);
	p->relation = vitk_esxupdate__strdup(rel ? rel : "");
	p->version = version && *version ? vitk_esxupdate__strdup(version) : NULL;
	if (!p->name || !p->relation || (version && *version && !p->version)) {
		free(p->name);
		free(p->relation);
		free(p->version);
		c->count--;
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	return 0;
}

static int copy_constraints(vitk_esxupdate_constraints *d, const vitk_esxupdate_constraints *s)
{
	size_t i;
	int r;

	for (i = 0; i < s->count; i++) {
		r = vitk_esxupdate__constraints_add(d, s->items[i].name, s->items[i].relation,
					 s->items[i].version);
		if (r < 0)
			return r;
	}
	return 0;
}

int vitk_esxupdate__vib_add_tag(vitk_esxupdate_vib *v, const char *tag)
{
	if (v->ntags >= 8192)
		return vitk_error_set(VITK_ERANGE, 0, "more than 8192 software tags");
	return vitk_esxupdate__strlist_add(&v->tags, &v->ntags, tag);
}

#define DUPF(f)                                                                                    \
	do {                                                                                       \
		if (src->f) {                                                                      \
			dst->f = vitk_esxupdate__strdup(src->f);                                              \
			if (!dst->f)                                                               \
				goto oom;                                                          \
		}                                                                                  \
	} while (0)

int vitk_esxupdate__vib_copy(vitk_esxupdate_vib *dst, const vitk_esxupdate_vib *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	DUPF(id);
	DUPF(name);
	DUPF(version);
	DUPF(vendor);
	DUPF(type);
	DUPF(install_date);
	DUPF(summary);
	DUPF(relative_path);
	DUPF(sha256);
	dst->acceptance = src->acceptance;
	dst->maintenance_mode = src->maintenance_mode;
	dst->live_install = src->live_install;
	dst->live_remove = src->live_remove;
	dst->reboot_required = src->reboot_required;
	dst->has_relations = src->has_relations;
	dst->file_present = src->file_present;
	dst->checksum_verified = src->checksum_verified;
	dst->checksum_mismatch = src->checksum_mismatch;
	if (copy_constraints(&dst->depends, &src->depends) < 0 ||
	    copy_constraints(&dst->conflicts, &src->conflicts) < 0 ||
	    copy_constraints(&dst->replaces, &src->replaces) < 0 ||
	    copy_constraints(&dst->provides, &src->provides) < 0)
		goto oom;
	for (i = 0; i < src->ntags; i++)
		if (vitk_esxupdate__vib_add_tag(dst, src->tags[i]) < 0)
			goto oom;
	return 0;
oom:
	vitk_esxupdate__vib_dispose(dst);
	return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

/* VIB ID = <vendor>_<type>_<name>_<version>; names may contain '_' (vmkapi...) */
int vitk_esxupdate__vib_complete(vitk_esxupdate_vib *v, const char *what)
{
	int r;

	if (v->name && v->version) {
		r = vitk_esxupdate_version_check(v->version);
		if (r < 0)
			return vitk_error_prefix("%s: VIB '%s': version: ", what, v->name);
	}
	if (!v->id && v->name && v->version) {
		v->id = vitk_esxupdate__printf("%s_%s_%s_%s", v->vendor ? v->vendor : "", v->type ? v->type : "bootbank",
				    v->name, v->version);
		if (!v->id)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	if ((!v->name || !v->version) && v->id) {
		/* vendor _ type _ name _ version: version is after the last '_' */
		const char *last = strrchr(v->id, '_');
		const char *p1 = strchr(v->id, '_');
		const char *p2 = p1 ? strchr(p1 + 1, '_') : NULL;

		if (!last || !p2 || p2 >= last)
			return vitk_error_set(VITK_EINVAL, 0,
					      "%s: VIB ID '%s' is not <vendor>_<type>_<name>_<version>",
					      what, v->id);
		if (!v->version)
			v->version = vitk_esxupdate__strdup(last + 1);
		if (!v->name)
			v->name = vitk_esxupdate__strndup(p2 + 1, (size_t)(last - p2 - 1));
		if (!v->vendor)
			v->vendor = vitk_esxupdate__strndup(v->id, (size_t)(p1 - v->id));
		if (!v->type)
			v->type = vitk_esxupdate__strndup(p1 + 1, (size_t)(p2 - p1 - 1));
		if (!v->version || !v->name || !v->vendor || !v->type)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		r = vitk_esxupdate_version_check(v->version);
		if (r < 0)
			return vitk_error_prefix("%s: VIB ID '%s': version: ", what, v->id);
	}
	if (!v->name || !*v->name)
		return vitk_error_set(VITK_EINVAL, 0, "%s: VIB without a name", what);
	if (vitk_esxupdate__has_ctl(v->name) || vitk_esxupdate__has_ctl(v->id) || vitk_esxupdate__has_ctl(v->vendor) ||
	    vitk_esxupdate__has_ctl(v->type) || vitk_esxupdate__has_ctl(v->version))
		return vitk_error_set(VITK_EINVAL, 0, "%s: VIB with a control character in its id, name, vendor, type or version: refused",
				      what);
	if (!v->version)
		return vitk_error_set(VITK_EINVAL, 0, "%s: VIB '%s' without a version", what,
				      v->name);
	return 0;
}

/* "esx-base >= 5.5, esx-base <= 6.0.0, nsx-api <= 1, vmkapi_2_2_0_0" */
int vitk_esxupdate__constraints_parse_text(vitk_esxupdate_constraints *c, const char *s, const char *what,
				const char *field)
{
	const char *p = s;
	int r = 0;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *item = vitk_esxupdate__trim_dup(p, n);
		char name[256], rel[4] = "", ver[VITK_ESXUPDATE_VERSION_MAX + 1] = "";
		const char *q;
		size_t k;

		if (!item)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		if (!*item) {
			free(item);
			p = end ? end + 1 : NULL;
			continue;
		}
		q = item;
		for (k = 0; *q && !isspace((unsigned char)*q) && !strchr("<>=", *q); q++)
			if (k + 1 < sizeof(name))
				name[k++] = *q;
		name[k] = '\0';
		if (*q && k + 1 >= sizeof(name)) {
			free(item);
			return vitk_error_set(VITK_EINVAL, 0, "%s: %s: constraint name too long", what,
					      field);
		}
		while (isspace((unsigned char)*q))
			q++;
		for (k = 0; *q && strchr("<>=", *q) && k < 2; q++)
			rel[k++] = *q;
		rel[k] = '\0';
		while (isspace((unsigned char)*q))
			q++;
		if (strlen(q) > VITK_ESXUPDATE_VERSION_MAX) {
			free(item);
			return vitk_error_set(VITK_EINVAL, 0, "%s: %s: version too long in '%.40s'",
					      what, field, p);
		}
		vitk_esxupdate__strlcpy(ver, q, sizeof(ver));
		if (!*name || (*rel && !*ver) || (!*rel && *ver) ||
		    (*rel && strcmp(rel, "<<") && strcmp(rel, "<=") && strcmp(rel, "=") &&
		     strcmp(rel, ">=") && strcmp(rel, ">>") && strcmp(rel, "==") &&
		     strcmp(rel, "<") && strcmp(rel, ">"))) {
			r = vitk_error_set(VITK_EINVAL, 0, "%s: %s: malformed constraint '%s'", what,
					   field, item);
			free(item);
			return r;
		}
		r = vitk_esxupdate__constraints_add(c, name, strcmp(rel, "==") == 0 ? "=" : rel, ver);
		free(item);
		if (r < 0)
			return r;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

bool vitk_esxupdate__relation_holds(const char *rel, int cmp)
{
	if (!rel || !*rel)
		return true;
	if (strcmp(rel, "<<") == 0 || strcmp(rel, "<") == 0)
		return cmp < 0;
	if (strcmp(rel, "<=") == 0)
		return cmp <= 0;
	if (strcmp(rel, "=") == 0)
		return cmp == 0;
	if (strcmp(rel, ">=") == 0)
		return cmp >= 0;
	if (strcmp(rel, ">>") == 0 || strcmp(rel, ">") == 0)
		return cmp > 0;
	return false;
}

/*
 * Constraint versions may be partial ("esx-base >= 5.5"): compare the VIB's
 * version against it as a VibVersion when it has a release, else against
 * the VIB's version part only.
 */
static int constraint_cmp(const char *have, const char *want)
{
	char buf[VITK_ESXUPDATE_VERSION_MAX + 1];
	const char *dash;

	if (strchr(want, '-'))
		return vitk_esxupdate_version_cmp(have, want);
	vitk_esxupdate__strlcpy(buf, have, sizeof(buf));
	dash = strchr(buf, '-');
	if (dash)
		buf[dash - buf] = '\0';
	return vitk_esxupdate_version_cmp(buf, want);
}

bool vitk_esxupdate__constraint_matches_vib(const vitk_esxupdate_constraint *c, const vitk_esxupdate_vib *v,
				 bool use_provides)
{
	size_t i;

	if (v->name && strcmp(c->name, v->name) == 0) {
		if (!c->version || !*c->relation)
			return true;
		if (v->version && vitk_esxupdate__relation_holds(c->relation, constraint_cmp(v->version, c->version)))
			return true;
	}
	if (!use_provides)
		return false;
	for (i = 0; i < v->provides.count; i++) {
		const vitk_esxupdate_constraint *p = &v->provides.items[i];

		if (strcmp(p->name, c->name) != 0)
			continue;
		if (!c->version || !*c->relation)
			return true;
		if (p->version && vitk_esxupdate__relation_holds(c->relation, constraint_cmp(p->version, c->version)))
			return true;
	}
	return false;
}

size_t vitk_esxupdate__vib_pciids(const vitk_esxupdate_vib *v, uint32_t *ids, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < v->ntags && n < cap; i++) {
		const char *t = v->tags[i];
		unsigned int vid, did;
		char hex[9];
		size_t k;

		if (strncasecmp(t, "PCIID ", 6) != 0)
			continue;
		t += 6;
		while (*t == ' ')
			t++;
		for (k = 0; k < 8 && isxdigit((unsigned char)t[k]); k++)
			hex[k] = t[k];
		hex[k] = '\0';
		if (k != 8)
			continue; /* class wildcards like "................0c0300" */
		if (sscanf(hex, "%4x%4x", &vid, &did) != 2)
			continue;
		ids[n++] = (vid << 16) | did;
	}
	return n;
}

/* ------------------------------------------------------- acceptance */

static const struct {
	vitk_esxupdate_acceptance a;
	const char *name, *shortname;
} acc_names[] = {
	{ VITK_ESXUPDATE_ACC_CERTIFIED, "VMwareCertified", "certified" },
	{ VITK_ESXUPDATE_ACC_ACCEPTED, "VMwareAccepted", "accepted" },
	{ VITK_ESXUPDATE_ACC_PARTNER, "PartnerSupported", "partner" },
	{ VITK_ESXUPDATE_ACC_COMMUNITY, "CommunitySupported", "community" },
};

vitk_esxupdate_acceptance vitk_esxupdate_acceptance_parse(const char *s)
{
	size_t i;

	if (!s)
		return VITK_ESXUPDATE_ACC_UNKNOWN;
	for (i = 0; i < VITK_ARRAY_SIZE(acc_names); i++)
		if (vitk_esxupdate__streq_ci(s, acc_names[i].name) || vitk_esxupdate__streq_ci(s, acc_names[i].shortname))
			return acc_names[i].a;
	if (vitk_esxupdate__streq_ci(s, "PartnerCertified")) /* seen in some captures */
		return VITK_ESXUPDATE_ACC_PARTNER;
	return VITK_ESXUPDATE_ACC_UNKNOWN;
}

const char *vitk_esxupdate_acceptance_name(vitk_esxupdate_acceptance a)
{
	size_t i;

	for (i = 0; i < VITK_ARRAY_SIZE(acc_names); i++)
		if (acc_names[i].a == a)
			return acc_names[i].name;
	return "unknown";
}

const char *vitk_esxupdate_acceptance_short(vitk_esxupdate_acceptance a)
{
	size_t i;

	for (i = 0; i < VITK_ARRAY_SIZE(acc_names); i++)
		if (acc_names[i].a == a)
			return acc_names[i].shortname;
	return "unknown";
}

/* ------------------------------------------------------- driver class */

static const char *const nic_prefixes[] = {
	"net-", "net51-", "net55-", "nmlx", "i40en", "ixgben", "igbn", "ne1000", "ntg3", "nenic",
	"elxnet", "bnxtnet", "qfle3", "qedentv", "nvmxnet", "icen", "iavmd_net", "vmkusb-nic",
	"nmst", "bnxtroce", "qcnic", "nx-nic", "misc-cnic", "nbcm", "r8168", "r8169",
};
static const char *const storage_prefixes[] = {
	"scsi-", "lpfc", "nhpsa", "lsi-", "lsi_", "qlnativefc", "smartpqi", "nfnic", "brcmfcoe",
	"sata-", "ata-", "block-", "nvme", "vmw-ahci", "vmw_ahci", "iavmd", "elxiscsi", "qedf",
	"qedi", "qfle3f", "qfle3i", "ima-", "mtip32xx", "pvscsi", "megaraid", "mpt", "hpsa",
	"aacraid", "bfa", "ql2xxx", "qla2xxx", "lsiprovider",
};

static bool has_prefix_list(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strncmp(name, list[i], strlen(list[i])) == 0)
			return true;
	return false;
}

vitk_esxupdate_driver_class vitk_esxupdate_vib_driver_class(const vitk_esxupdate_vib *v)
{
	bool tagged = false;
	size_t i;
	uint32_t ids[1];

	if (!v || !v->name)
		return VITK_ESXUPDATE_DRIVER_NONE;
	for (i = 0; i < v->ntags; i++)
		if (vitk_esxupdate__streq_ci(v->tags[i], "driver") || vitk_esxupdate__streq_ci(v->tags[i], "module"))
			tagged = true;
	if (vitk_esxupdate__vib_pciids(v, ids, 1))
		tagged = true;
	/* a provider/plugin (lsu-*, *-provider, cim) is not a driver even with a driver-ish name */
	if (strstr(v->name, "provider") || strncmp(v->name, "lsu-", 4) == 0 ||
	    strstr(v->name, "-cim") || strstr(v->name, "plugin"))
		return VITK_ESXUPDATE_DRIVER_NONE;
	if (has_prefix_list(v->name, nic_prefixes, VITK_ARRAY_SIZE(nic_prefixes)))
		return VITK_ESXUPDATE_DRIVER_NIC;
	if (has_prefix_list(v->name, storage_prefixes, VITK_ARRAY_SIZE(storage_prefixes)))
		return VITK_ESXUPDATE_DRIVER_STORAGE;
	return tagged ? VITK_ESXUPDATE_DRIVER_OTHER : VITK_ESXUPDATE_DRIVER_NONE;
}

bool vitk_esxupdate_vib_is_vendor(const vitk_esxupdate_vib *v)
{
	vitk_esxupdate_release_info ri = VITK_ESXUPDATE_RELEASE_INFO_INIT;

	if (!v)
		return false;
	if (v->version && vitk_esxupdate_release_decode(v->version, &ri) == 0) {
		vitk_esxupdate_tag tag = ri.tag;

		vitk_esxupdate_release_info_clear(&ri);
		if (tag == VITK_ESXUPDATE_TAG_OEM)
			return true;
		if (tag == VITK_ESXUPDATE_TAG_VMW)
			return false;
	}
	vitk_error_clear();
	if (!v->vendor)
		return false;
	return !(vitk_esxupdate__streq_ci(v->vendor, "VMware") || vitk_esxupdate__streq_ci(v->vendor, "VMW") ||
		 vitk_esxupdate__streq_ci(v->vendor, "VMware, Inc."));
}
