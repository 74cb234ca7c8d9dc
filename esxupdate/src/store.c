/* SPDX-License-Identifier: MIT */
/*
 * The esxupdate domain of the inventory: dated host VIB snapshots, depots
 * (sha256, profiles, VIBs) and audits with their findings.  Every write
 * function is one transaction: on any error it rolls back, so bad input
 * never leaves a partial record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/inventory.h>

#include "esxu.h"

#define K VITK_INV_COL_KEY
#define NN VITK_INV_COL_NOTNULL

static const vitk_inventory_column snapshot_cols[] = {
	{ "uuid", VITK_INV_TEXT, K | NN },   { "host_name", VITK_INV_TEXT, NN },
	{ "taken_at", VITK_INV_TEXT, NN },   { "source", VITK_INV_TEXT, 0 },
	{ "list_format", VITK_INV_TEXT, 0 }, { "profile", VITK_INV_TEXT, 0 },
	{ "acceptance", VITK_INV_TEXT, 0 },  { "vib_count", VITK_INV_INT, 0 },
};
static const vitk_inventory_column snapshot_vib_cols[] = {
	{ "snapshot_uuid", VITK_INV_TEXT, K | NN }, { "name", VITK_INV_TEXT, K | NN },
	{ "version", VITK_INV_TEXT, NN },           { "vendor", VITK_INV_TEXT, 0 },
	{ "vib_id", VITK_INV_TEXT, 0 },             { "acceptance", VITK_INV_TEXT, 0 },
	{ "install_date", VITK_INV_TEXT, 0 },
};
static const vitk_inventory_column depot_cols[] = {
	{ "sha256", VITK_INV_TEXT, K | NN },     { "path", VITK_INV_TEXT, NN },
	{ "kind", VITK_INV_TEXT, 0 },            { "vib_count", VITK_INV_INT, 0 },
	{ "profile_count", VITK_INV_INT, 0 },    { "bulletin_count", VITK_INV_INT, 0 },
};
static const vitk_inventory_column depot_profile_cols[] = {
	{ "depot_sha256", VITK_INV_TEXT, K | NN }, { "name", VITK_INV_TEXT, K | NN },
	{ "vendor", VITK_INV_TEXT, 0 },           { "acceptance", VITK_INV_TEXT, 0 },
	{ "vib_count", VITK_INV_INT, 0 },         { "source", VITK_INV_TEXT, 0 },
};
static const vitk_inventory_column depot_vib_cols[] = {
	{ "depot_sha256", VITK_INV_TEXT, K | NN }, { "vib_id", VITK_INV_TEXT, K | NN },
	{ "name", VITK_INV_TEXT, NN },            { "version", VITK_INV_TEXT, NN },
	{ "vendor", VITK_INV_TEXT, 0 },           { "acceptance", VITK_INV_TEXT, 0 },
	{ "driver", VITK_INV_TEXT, 0 },
};
static const vitk_inventory_column audit_cols[] = {
	{ "uuid", VITK_INV_TEXT, K | NN },     { "host_name", VITK_INV_TEXT, NN },
	{ "snapshot_uuid", VITK_INV_TEXT, 0 }, { "depot_sha256", VITK_INV_TEXT, 0 },
	{ "depot_path", VITK_INV_TEXT, 0 },    { "command", VITK_INV_TEXT, NN },
	{ "verdict", VITK_INV_TEXT, NN },      { "critical", VITK_INV_INT, 0 },
	{ "warning", VITK_INV_INT, 0 },        { "info", VITK_INV_INT, 0 },
	{ "recommended", VITK_INV_TEXT, 0 },   { "audited_at", VITK_INV_TEXT, NN },
};
static const vitk_inventory_column finding_cols[] = {
	{ "audit_uuid", VITK_INV_TEXT, K | NN }, { "seq", VITK_INV_INT, K | NN },
	{ "severity", VITK_INV_TEXT, NN },       { "code", VITK_INV_TEXT, NN },
	{ "message", VITK_INV_TEXT, NN },
};

#define T(n, c) { n, c, VITK_ARRAY_SIZE(c) }
static const vitk_inventory_table tables[] = {
	T("esxupdate_snapshot", snapshot_cols),     T("esxupdate_snapshot_vib", snapshot_vib_cols),
	T("esxupdate_depot", depot_cols),           T("esxupdate_depot_profile", depot_profile_cols),
	T("esxupdate_depot_vib", depot_vib_cols),   T("esxupdate_audit", audit_cols),
	T("esxupdate_finding", finding_cols),
};

int vitk_esxupdate_inventory_register(vitk_inventory *inv)
{
	static const vitk_inventory_domain dom = { "esxupdate", 1, tables, VITK_ARRAY_SIZE(tables) };

	return vitk_inventory_register(inv, &dom);
}

static const char *driver_text(const vitk_esxupdate_vib *v)
{
	switch (vitk_esxupdate_vib_driver_class(v)) {
	case VITK_ESXUPDATE_DRIVER_NIC: return "nic";
	case VITK_ESXUPDATE_DRIVER_STORAGE: return "storage";
	case VITK_ESXUPDATE_DRIVER_OTHER: return "other";
	default: return NULL;
	}
}

/* inside a transaction */
static int put_snapshot(vitk_inventory *inv, int64_t hid, const char *host_name,
			const vitk_esxupdate_host *h, const char *source, char uuid[37])
{
	char now[21];
	size_t i;
	int r;

	vitk_inventory_uuid(uuid);
	vitk_inventory_now(now);
	{
		vitk_inventory_value v[] = {
			VITK_INV_S("uuid", uuid),
			VITK_INV_S("host_name", host_name),
			VITK_INV_S("taken_at", now),
			VITK_INV_S("source", source),
			VITK_INV_S("list_format", vitk_esxupdate_host_list_format(h)),
			VITK_INV_S("profile", vitk_esxupdate_host_profile(h)),
			VITK_INV_S("acceptance", h->acceptance ? vitk_esxupdate_acceptance_name(h->acceptance) : NULL),
			VITK_INV_I("vib_count", h->vibs.size),
		};

		r = vitk_inventory_insert(inv, "esxupdate_snapshot", hid, v, VITK_ARRAY_SIZE(v), NULL);
		if (r < 0)
			return r;
	}
	for (i = 0; i < h->vibs.size; i++) {
		const vitk_esxupdate_vib *x = &h->vibs.ptr[i];
		vitk_inventory_value v[] = {
			VITK_INV_S("snapshot_uuid", uuid),
			VITK_INV_S("name", x->name),
			VITK_INV_S("version", x->version),
			VITK_INV_S("vendor", x->vendor),
			VITK_INV_S("vib_id", x->id),
			VITK_INV_S("acceptance", x->acceptance ? vitk_esxupdate_acceptance_name(x->acceptance) : NULL),
			VITK_INV_S("install_date", x->install_date),
		};

		r = vitk_inventory_upsert(inv, "esxupdate_snapshot_vib", hid, v, VITK_ARRAY_SIZE(v), NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

static int put_depot(vitk_inventory *inv, int64_t hid, const vitk_esxupdate_depot *d)
{
	const char *sha = vitk_esxupdate_depot_sha256(d);
	size_t i;
	int r;

	{
		vitk_inventory_value v[] = {
			VITK_INV_S("sha256", sha),
			VITK_INV_S("path", vitk_esxupdate_depot_path(d)),
			VITK_INV_S("kind", vitk_esxupdate_depot_kind(d)),
			VITK_INV_I("vib_count", vitk_esxupdate_depot_vib_count(d)),
			VITK_INV_I("profile_count", vitk_esxupdate_depot_profile_count(d)),
			VITK_INV_I("bulletin_count", vitk_esxupdate_depot_bulletin_count(d)),
		};

		r = vitk_inventory_upsert(inv, "esxupdate_depot", hid, v, VITK_ARRAY_SIZE(v), NULL);
		if (r < 0)
			return r;
	}
	for (i = 0; i < vitk_esxupdate_depot_profile_count(d); i++) {
		const vitk_esxupdate_profile *p = vitk_esxupdate_depot_profile(d, i);
		vitk_inventory_value v[] = {
			VITK_INV_S("depot_sha256", sha),
			VITK_INV_S("name", p->name),
			VITK_INV_S("vendor", p->vendor),
			VITK_INV_S("acceptance", p->acceptance ? vitk_esxupdate_acceptance_name(p->acceptance) : NULL),
			VITK_INV_I("vib_count", p->nvib_ids),
			VITK_INV_S("source", p->source),
		};

		r = vitk_inventory_upsert(inv, "esxupdate_depot_profile", hid, v, VITK_ARRAY_SIZE(v), NULL);
		if (r < 0)
			return r;
	}
	for (i = 0; i < vitk_esxupdate_depot_vib_count(d); i++) {
		const vitk_esxupdate_vib *x = vitk_esxupdate_depot_vib(d, i);
		vitk_inventory_value v[] = {
			VITK_INV_S("depot_sha256", sha),
			VITK_INV_S("vib_id", x->id),
			VITK_INV_S("name", x->name),
			VITK_INV_S("version", x->version),
			VITK_INV_S("vendor", x->vendor),
			VITK_INV_S("acceptance", x->acceptance ? vitk_esxupdate_acceptance_name(x->acceptance) : NULL),
			VITK_INV_S("driver", driver_text(x)),
		};

		r = vitk_inventory_upsert(inv, "esxupdate_depot_vib", hid, v, VITK_ARRAY_SIZE(v), NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

int vitk_esxupdate_store_snapshot(vitk_inventory *inv, const char *host_name,
				  const vitk_esxupdate_host *h, const char *source, char *out_uuid)
{
	char uuid[37];
	int64_t hid;
	int r;

	if (!host_name || !*host_name || !h)
		return vitk_error_set(VITK_EINVAL, 0, "snapshot: host name and VIB list required");
	r = vitk_inventory_begin(inv);
	if (r < 0)
		return r;
	r = vitk_inventory_host_ensure(inv, host_name, NULL, "esxi", "import", &hid);
	if (r == 0)
		r = put_snapshot(inv, hid, host_name, h, source, uuid);
	if (r == 0)
		r = vitk_inventory_commit(inv);
	if (r < 0) {
		vitk_inventory_rollback(inv);
		return r;
	}
	if (out_uuid)
		memcpy(out_uuid, uuid, 37);
	return 0;
}

int vitk_esxupdate_store_depot(vitk_inventory *inv, int64_t host_id, const vitk_esxupdate_depot *d)
{
	int r = vitk_inventory_begin(inv);

	if (r < 0)
		return r;
	r = put_depot(inv, host_id, d);
	if (r == 0)
		r = vitk_inventory_commit(inv);
	if (r < 0)
		vitk_inventory_rollback(inv);
	return r;
}

int vitk_esxupdate_store_audit(vitk_inventory *inv, int64_t local_host_id, const char *host_name,
			       const vitk_esxupdate_host *h, const char *host_source,
			       const vitk_esxupdate_depot *d, const char *command_line,
			       const vitk_esxupdate_audit *a, char *out_uuid)
{
	char snap[37], uuid[37], now[21];
	int64_t hid;
	size_t i;
	int r;

	if (!host_name || !*host_name)
		return vitk_error_set(VITK_EINVAL, 0, "audit: host name required");
	r = vitk_inventory_begin(inv);
	if (r < 0)
		return r;
	r = vitk_inventory_host_ensure(inv, host_name, NULL, "esxi", "import", &hid);
	if (r == 0)
		r = put_snapshot(inv, hid, host_name, h, host_source, snap);
	if (r == 0)
		r = put_depot(inv, local_host_id, d);
	if (r < 0)
		goto fail;
	vitk_inventory_uuid(uuid);
	vitk_inventory_now(now);
	{
		vitk_inventory_value v[] = {
			VITK_INV_S("uuid", uuid),
			VITK_INV_S("host_name", host_name),
			VITK_INV_S("snapshot_uuid", snap),
			VITK_INV_S("depot_sha256", vitk_esxupdate_depot_sha256(d)),
			VITK_INV_S("depot_path", vitk_esxupdate_depot_path(d)),
			VITK_INV_S("command", command_line),
			VITK_INV_S("verdict", vitk_esxupdate_audit_verdict(a)),
			VITK_INV_I("critical", vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL)),
			VITK_INV_I("warning", vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_WARNING)),
			VITK_INV_I("info", vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_INFO)),
			VITK_INV_S("recommended", vitk_esxupdate_audit_recommended_command(a)),
			VITK_INV_S("audited_at", now),
		};

		r = vitk_inventory_insert(inv, "esxupdate_audit", hid, v, VITK_ARRAY_SIZE(v), NULL);
		if (r < 0)
			goto fail;
	}
	for (i = 0; i < vitk_esxupdate_audit_finding_count(a); i++) {
		const vitk_esxupdate_finding *f = vitk_esxupdate_audit_finding(a, i);
		vitk_inventory_value v[] = {
			VITK_INV_S("audit_uuid", uuid),
			VITK_INV_I("seq", i + 1),
			VITK_INV_S("severity", vitk_esxupdate_severity_name(f->severity)),
			VITK_INV_S("code", f->code),
			VITK_INV_S("message", f->message),
		};

		r = vitk_inventory_insert(inv, "esxupdate_finding", hid, v, VITK_ARRAY_SIZE(v), NULL);
		if (r < 0)
			goto fail;
	}
	r = vitk_inventory_commit(inv);
	if (r < 0)
		goto fail;
	if (out_uuid)
		memcpy(out_uuid, uuid, 37);
	return 0;
fail:
	vitk_inventory_rollback(inv);
	return r;
}

/* ------------------------------------------------------------ diff */

void vitk_esxupdate_snapshot_diff_free(vitk_esxupdate_snapshot_diff *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->count; i++) {
		free(d->items[i].name);
		free(d->items[i].old_version);
		free(d->items[i].new_version);
	}
	free(d->items);
	free(d->old_uuid);
	free(d->new_uuid);
	free(d->old_taken);
	free(d->new_taken);
	free(d);
}

static const char *find_version(vitk_inventory_rows *rows, const char *name)
{
	size_t i;

	for (i = 0; i < vitk_inventory_rows_count(rows); i++)
		if (strcmp(vitk_inventory_rows_get(rows, i, "name"), name) == 0)
			return vitk_inventory_rows_get(rows, i, "version");
	return NULL;
}

static int add_item(vitk_esxupdate_snapshot_diff *d, const char *name, const char *o, const char *n)
{
	vitk_esxupdate_snapshot_change *p = vitk_esxupdate__list_grow(d->items, d->count, sizeof(*d->items));

	if (!p)
		return VITK_ENOMEM;
	d->items = p;
	p = &d->items[d->count++];
	p->name = vitk_esxupdate__strdup(name);
	p->old_version = vitk_esxupdate__strdup(o);
	p->new_version = vitk_esxupdate__strdup(n);
	if (!p->name || (o && !p->old_version) || (n && !p->new_version))
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	return 0;
}

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const vitk_esxupdate_snapshot_change *)a)->name,
		      ((const vitk_esxupdate_snapshot_change *)b)->name);
}

int vitk_esxupdate_snapshot_diff_latest(vitk_esxupdate_snapshot_diff **out, vitk_inventory *inv,
					const char *host_name)
{
	vitk_inventory_rows *snaps = NULL, *a = NULL, *b = NULL;
	vitk_esxupdate_snapshot_diff *d = NULL;
	int64_t hid;
	size_t i;
	int r;

	*out = NULL;
	r = vitk_inventory_host_lookup(inv, host_name, &hid);
	if (r < 0)
		return r;
	r = vitk_inventory_select(&snaps, inv, "esxupdate_snapshot", hid, NULL, 0, "id DESC");
	if (r < 0)
		goto out;
	if (vitk_inventory_rows_count(snaps) < 2) {
		r = vitk_error_set(VITK_ENOTFOUND, 0, "host '%s' has %zu VIB snapshot(s), a diff needs two",
				   host_name, vitk_inventory_rows_count(snaps));
		goto out;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	d->new_uuid = vitk_esxupdate__strdup(vitk_inventory_rows_get(snaps, 0, "uuid"));
	d->old_uuid = vitk_esxupdate__strdup(vitk_inventory_rows_get(snaps, 1, "uuid"));
	d->new_taken = vitk_esxupdate__strdup(vitk_inventory_rows_get(snaps, 0, "taken_at"));
	d->old_taken = vitk_esxupdate__strdup(vitk_inventory_rows_get(snaps, 1, "taken_at"));
	if (!d->new_uuid || !d->old_uuid || !d->new_taken || !d->old_taken) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	{
		vitk_inventory_value mo = VITK_INV_S("snapshot_uuid", d->old_uuid);
		vitk_inventory_value mn = VITK_INV_S("snapshot_uuid", d->new_uuid);

		r = vitk_inventory_select(&a, inv, "esxupdate_snapshot_vib", hid, &mo, 1, "name");
		if (r == 0)
			r = vitk_inventory_select(&b, inv, "esxupdate_snapshot_vib", hid, &mn, 1, "name");
		if (r < 0)
			goto out;
	}
	for (i = 0; i < vitk_inventory_rows_count(a) && r == 0; i++) {
		const char *name = vitk_inventory_rows_get(a, i, "name");
		const char *ov = vitk_inventory_rows_get(a, i, "version");
		const char *nv = find_version(b, name);

		if (!nv || strcmp(nv, ov) != 0)
			r = add_item(d, name, ov, nv);
	}
	for (i = 0; i < vitk_inventory_rows_count(b) && r == 0; i++) {
		const char *name = vitk_inventory_rows_get(b, i, "name");

		if (!find_version(a, name))
			r = add_item(d, name, NULL, vitk_inventory_rows_get(b, i, "version"));
	}
	if (r < 0)
		goto out;
	if (d->count > 1)
		qsort(d->items, d->count, sizeof(*d->items), cmp_change);
	*out = d;
	d = NULL;
out:
	vitk_inventory_rows_free(snaps);
	vitk_inventory_rows_free(a);
	vitk_inventory_rows_free(b);
	vitk_esxupdate_snapshot_diff_free(d);
	return r;
}
