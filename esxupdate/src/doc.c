/* SPDX-License-Identifier: MIT */
/*
 * The result documents of esxupdate: each list is a vitk_table whose columns
 * are declared once here, and the nested documents (depot, audit, compare)
 * are JSON objects made from those tables.  The keys are an interface
 * (snake_case, listed in esxupdate/README.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "esxu.h"

static const char *driver_name(vitk_esxupdate_driver_class c)
{
	switch (c) {
	case VITK_ESXUPDATE_DRIVER_NIC: return "nic";
	case VITK_ESXUPDATE_DRIVER_STORAGE: return "storage";
	case VITK_ESXUPDATE_DRIVER_OTHER: return "other";
	case VITK_ESXUPDATE_DRIVER_NONE: break;
	}
	return NULL;
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* set @key of @o to @v (stolen); a NULL @v (failed allocation) or a failed set is recorded in *r */
static void put(json_t *o, const char *key, json_t *v, int *r)
{
	if (json_object_set_new(o, key, v) < 0 && *r == 0)
		*r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

/* a new table, or NULL with the error recorded */
static vitk_table *table_new(const vitk_table_column *cols, size_t n)
{
	vitk_table *t = NULL;

	return vitk_table_new(&t, cols, n) < 0 ? NULL : t;
}

/* hand @t to *out when it was filled without error */
static int table_done(vitk_table **out, vitk_table *t)
{
	int r = t ? vitk_table_error(t) : VITK_ENOMEM;

	if (r < 0) {
		vitk_table_free(t);
		return r;
	}
	*out = t;
	return 0;
}

/* ---------------------------------------------------------------- depot */

/*
 * Columns read straight from a record are bound with VITK_TABLE_FIELD; the
 * others (names of enums, derived values) are set after vitk_table_add_record().
 */
enum { PR_ACC = 2 };
static const vitk_table_column profile_cols[] = {
	VITK_TABLE_FIELD(vitk_esxupdate_profile, name, "name"),
	VITK_TABLE_FIELD(vitk_esxupdate_profile, vendor, "vendor"),
	[PR_ACC] = VITK_TABLE_COLUMN("acceptance", VITK_TABLE_STR),
	VITK_TABLE_FIELD(vitk_esxupdate_profile, nvib_ids, "vibs"),
	VITK_TABLE_FIELD(vitk_esxupdate_profile, source, "source"),
};

int vitk_esxupdate_depot_profiles_table(vitk_table **out, const vitk_esxupdate_depot *d)
{
	vitk_table *t = table_new(profile_cols, VITK_ARRAY_SIZE(profile_cols));
	size_t i;

	*out = NULL;
	for (i = 0; t && i < vitk_esxupdate_depot_profile_count(d); i++) {
		const vitk_esxupdate_profile *p = vitk_esxupdate_depot_profile(d, i);

		vitk_table_add_record(t, p);
		vitk_table_set_str(t, PR_ACC, vitk_esxupdate_acceptance_name(p->acceptance));
	}
	return table_done(out, t);
}

static const vitk_table_column bulletin_cols[] = {
	VITK_TABLE_FIELD(vitk_esxupdate_bulletin, id, "id"),
	VITK_TABLE_FIELD(vitk_esxupdate_bulletin, vendor, "vendor"),
	VITK_TABLE_FIELD(vitk_esxupdate_bulletin, release_type, "release_type"),
	VITK_TABLE_FIELD(vitk_esxupdate_bulletin, nvib_ids, "vibs"),
	VITK_TABLE_FIELD(vitk_esxupdate_bulletin, summary, "summary"),
};

int vitk_esxupdate_depot_bulletins_table(vitk_table **out, const vitk_esxupdate_depot *d)
{
	vitk_table *t = table_new(bulletin_cols, VITK_ARRAY_SIZE(bulletin_cols));
	size_t i;

	*out = NULL;
	for (i = 0; t && i < vitk_esxupdate_depot_bulletin_count(d); i++)
		vitk_table_add_record(t, vitk_esxupdate_depot_bulletin(d, i));
	return table_done(out, t);
}

enum { VI_ACC = 3, VI_DRIVER = 4, VI_CHECKSUM = 6 };
static const vitk_table_column vib_cols[] = {
	VITK_TABLE_FIELD(vitk_esxupdate_vib, name, "name"),
	VITK_TABLE_FIELD(vitk_esxupdate_vib, version, "version"),
	VITK_TABLE_FIELD(vitk_esxupdate_vib, vendor, "vendor"),
	[VI_ACC] = VITK_TABLE_COLUMN("acceptance", VITK_TABLE_STR),
	[VI_DRIVER] = VITK_TABLE_COLUMN("driver", VITK_TABLE_STR),
	VITK_TABLE_FIELD(vitk_esxupdate_vib, file_present, "file"),
	[VI_CHECKSUM] = VITK_TABLE_COLUMN("checksum", VITK_TABLE_STR),
};

int vitk_esxupdate_depot_vibs_table(vitk_table **out, const vitk_esxupdate_depot *d)
{
	vitk_table *t = table_new(vib_cols, VITK_ARRAY_SIZE(vib_cols));
	size_t i;

	*out = NULL;
	for (i = 0; t && i < vitk_esxupdate_depot_vib_count(d); i++) {
		const vitk_esxupdate_vib *v = vitk_esxupdate_depot_vib(d, i);

		vitk_table_add_record(t, v);
		vitk_table_set_str(t, VI_ACC, vitk_esxupdate_acceptance_name(v->acceptance));
		vitk_table_set_str(t, VI_DRIVER, driver_name(vitk_esxupdate_vib_driver_class(v)));
		vitk_table_set_str(t, VI_CHECKSUM, !v->checksum_verified ? NULL : v->checksum_mismatch ? "mismatch" : "ok");
	}
	return table_done(out, t);
}

enum { IM_KIND = 0, IM_COMPONENTS = 5, IM_REMOVED = 6 };
static const vitk_table_column image_cols[] = {
	[IM_KIND] = VITK_TABLE_COLUMN("kind", VITK_TABLE_STR),
	VITK_TABLE_FIELD(vitk_esxupdate_image, name, "name"),
	VITK_TABLE_FIELD(vitk_esxupdate_image, version, "version"),
	VITK_TABLE_FIELD(vitk_esxupdate_image, vendor, "vendor"),
	VITK_TABLE_FIELD(vitk_esxupdate_image, document, "document"),
	[IM_COMPONENTS] = VITK_TABLE_COLUMN("components", VITK_TABLE_INT),
	[IM_REMOVED] = VITK_TABLE_COLUMN("removed_components", VITK_TABLE_INT),
};

int vitk_esxupdate_depot_images_table(vitk_table **out, const vitk_esxupdate_depot *d)
{
	vitk_table *t = table_new(image_cols, VITK_ARRAY_SIZE(image_cols));
	size_t i;

	*out = NULL;
	for (i = 0; t && i < vitk_esxupdate_depot_image_count(d); i++) {
		const vitk_esxupdate_image *im = vitk_esxupdate_depot_image(d, i);

		vitk_table_add_record(t, im);
		vitk_table_set_str(t, IM_KIND, vitk_esxupdate_image_kind_name(im->kind));
		vitk_table_set_int(t, IM_COMPONENTS, (int64_t)im->ncomponents);
		vitk_table_set_int(t, IM_REMOVED, (int64_t)im->nremoved);
	}
	return table_done(out, t);
}

/* set @key of @doc to the JSON array of table @t (freed), after its builder returned @r */
static void put_table(json_t *doc, const char *key, vitk_table *t, int *r)
{
	json_t *arr = NULL;

	if (*r == 0)
		*r = vitk_table_to_json(&arr, t);
	vitk_table_free(t);
	if (*r == 0)
		put(doc, key, arr, r);
}

int vitk_esxupdate_depot_to_json(json_t **out, const vitk_esxupdate_depot *d)
{
	json_t *doc = json_object();
	vitk_table *t = NULL;
	int r;

	*out = NULL;
	if (!doc)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	r = 0;
	put(doc, "path", json_string(vitk_esxupdate_depot_path(d)), &r);
	put(doc, "sha256", json_string(vitk_esxupdate_depot_sha256(d)), &r);
	put(doc, "kind", json_string(vitk_esxupdate_depot_kind(d)), &r);
	if (r == 0)
		r = vitk_esxupdate_depot_profiles_table(&t, d);
	put_table(doc, "profiles", t, &r);
	if (r == 0)
		r = vitk_esxupdate_depot_bulletins_table(&t, d);
	put_table(doc, "bulletins", r == 0 ? t : NULL, &r);
	if (r == 0)
		r = vitk_esxupdate_depot_vibs_table(&t, d);
	put_table(doc, "vibs", r == 0 ? t : NULL, &r);
	if (r == 0)
		r = vitk_esxupdate_depot_images_table(&t, d);
	put_table(doc, "images", r == 0 ? t : NULL, &r);
	if (r < 0) {
		json_decref(doc);
		return r;
	}
	*out = doc;
	return 0;
}

/* ---------------------------------------------------------------- audit */

/* "OEM/5.5.0" from "10.0.725.0-1OEM.550.0.0.1331820"; "" when untagged */
static void tag_text(const char *version, char *out, size_t cap)
{
	vitk_esxupdate_release_info ri = VITK_ESXUPDATE_RELEASE_INFO_INIT;

	out[0] = '\0';
	if (version && vitk_esxupdate_release_decode(version, &ri) == 0 && ri.tag != VITK_ESXUPDATE_TAG_NONE)
		snprintf(out, cap, "%.15s%s%.15s", ri.tag_text, ri.esxi ? "/" : "", ri.esxi ? ri.esxi : "");
	vitk_esxupdate_release_info_clear(&ri);
	vitk_error_clear();
}

/* who built each side, for which ESXi ("OEM/5.5.0->vmw/5.5.0"); NULL when nothing is tagged */
static void build_text(const vitk_esxupdate_change *c, char *both, size_t cap)
{
	char ft[40], tt[40];

	tag_text(c->from_version, ft, sizeof(ft));
	tag_text(c->to_version, tt, sizeof(tt));
	if (c->from_version && c->to_version && (ft[0] || tt[0]))
		snprintf(both, cap, "%s->%s", ft[0] ? ft : "-", tt[0] ? tt : "-");
	else if (c->from_version && c->to_version)
		both[0] = '\0';
	else
		snprintf(both, cap, "%s", c->from_version ? ft : tt);
}

enum { CH_ACTION = 1, CH_BUILD = 4, CH_DRIVER = 5 };
static const vitk_table_column change_cols[] = {
	VITK_TABLE_FIELD(vitk_esxupdate_change, name, "name"),
	[CH_ACTION] = VITK_TABLE_COLUMN("action", VITK_TABLE_STR),
	VITK_TABLE_FIELD(vitk_esxupdate_change, from_version, "from_version"),
	VITK_TABLE_FIELD(vitk_esxupdate_change, to_version, "to_version"),
	[CH_BUILD] = VITK_TABLE_COLUMN("build", VITK_TABLE_STR),
	[CH_DRIVER] = VITK_TABLE_COLUMN("driver", VITK_TABLE_STR),
	VITK_TABLE_FIELD(vitk_esxupdate_change, vendor, "vendor_build"),
	VITK_TABLE_FIELD(vitk_esxupdate_change, reason, "reason"),
};

int vitk_esxupdate_audit_changes_table(vitk_table **out, const vitk_esxupdate_audit *a)
{
	vitk_table *t = table_new(change_cols, VITK_ARRAY_SIZE(change_cols));
	size_t i;

	*out = NULL;
	for (i = 0; t && i < a->res->changes.size; i++) {
		const vitk_esxupdate_change *c = &a->res->changes.ptr[i];
		char build[90];

		build_text(c, build, sizeof(build));
		vitk_table_add_record(t, c);
		vitk_table_set_str(t, CH_ACTION, vitk_esxupdate_action_name(c->action));
		vitk_table_set_str(t, CH_BUILD, build[0] ? build : NULL);
		vitk_table_set_str(t, CH_DRIVER, driver_name(c->driver));
	}
	return table_done(out, t);
}

enum { FI_SEVERITY = 0 };
static const vitk_table_column finding_cols[] = {
	[FI_SEVERITY] = VITK_TABLE_COLUMN("severity", VITK_TABLE_STR),
	VITK_TABLE_FIELD(vitk_esxupdate_finding, code, "code"),
	VITK_TABLE_FIELD(vitk_esxupdate_finding, message, "message"),
};

int vitk_esxupdate_audit_findings_table(vitk_table **out, const vitk_esxupdate_audit *a)
{
	vitk_table *t = table_new(finding_cols, VITK_ARRAY_SIZE(finding_cols));
	size_t i;

	*out = NULL;
	for (i = 0; t && i < a->f.size; i++) {
		vitk_table_add_record(t, &a->f.ptr[i]);
		vitk_table_set_str(t, FI_SEVERITY, vitk_esxupdate_severity_name(a->f.ptr[i].severity));
	}
	return table_done(out, t);
}

static json_t *strv_json(const esxu_strv *sv)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < sv->size; i++)
		if (json_array_append_new(arr, json_string(sv->ptr[i])) < 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static json_t *result_json(const vitk_esxupdate_result *r)
{
	static const char *const keys[VITK_ESXUPDATE_LIST_COUNT] = {
		[VITK_ESXUPDATE_LIST_INSTALLED] = "vibs_installed",
		[VITK_ESXUPDATE_LIST_REMOVED] = "vibs_removed",
		[VITK_ESXUPDATE_LIST_SKIPPED] = "vibs_skipped",
	};
	static const char *const comp_keys[VITK_ESXUPDATE_LIST_COUNT] = {
		[VITK_ESXUPDATE_LIST_INSTALLED] = "components_installed",
		[VITK_ESXUPDATE_LIST_REMOVED] = "components_removed",
		[VITK_ESXUPDATE_LIST_SKIPPED] = "components_skipped",
	};
	json_t *o = json_object();
	size_t w;
	int rc = 0;

	if (!o)
		return NULL;
	put(o, "header", json_string(r->header), &rc);
	put(o, "message", json_string(r->message), &rc);
	put(o, "error", jstr(r->error), &rc);
	put(o, "reboot_required", json_boolean(r->reboot), &rc);
	put(o, "maintenance_mode_required", json_boolean(r->maint), &rc);
	for (w = 0; w < VITK_ESXUPDATE_LIST_COUNT; w++)
		put(o, keys[w], strv_json(&r->lists[w]), &rc);
	for (w = 0; r->op == VITK_ESXUPDATE_OP_COMPONENT_APPLY && w < VITK_ESXUPDATE_LIST_COUNT; w++)
		put(o, comp_keys[w], strv_json(&r->comp_lists[w]), &rc);
	if (rc < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* host, depot, command and profile_source: what the audit was run on */
static void inputs_json(json_t *doc, const vitk_esxupdate_audit *a, const char *host_name,
			const char *command_line, int *r)
{
	json_t *h = json_object(), *d = json_object();

	if (h) {
		put(h, "name", jstr(host_name), r);
		put(h, "vib_count", json_integer((json_int_t)a->host_vibs), r);
		put(h, "profile", jstr(a->host_profile), r);
		put(h, "acceptance", jstr(a->host_acceptance ? vitk_esxupdate_acceptance_name(a->host_acceptance) : NULL), r);
		put(h, "pci_devices", json_integer((json_int_t)a->host_pci), r);
	}
	put(doc, "host", h, r);
	if (d) {
		put(d, "path", json_string(a->depot_path), r);
		put(d, "sha256", json_string(a->depot_sha256), r);
	}
	put(doc, "depot", d, r);
	put(doc, "command", jstr(command_line), r);
	put(doc, "profile_source", jstr(a->profile_source), r);
}

int vitk_esxupdate_audit_to_json(json_t **out, const vitk_esxupdate_audit *a, const char *host_name,
				 const char *command_line, const char *audit_uuid)
{
	json_t *doc = json_object(), *rec = json_object();
	vitk_table *t = NULL;
	int r;

	*out = NULL;
	if (!doc || !rec) {
		json_decref(doc);
		json_decref(rec);
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	r = 0;
	inputs_json(doc, a, host_name, command_line, &r);
	put(doc, "result", result_json(a->res), &r);
	if (r == 0)
		r = vitk_esxupdate_audit_changes_table(&t, a);
	put_table(doc, "changes", r == 0 ? t : NULL, &r);
	if (r == 0)
		r = vitk_esxupdate_audit_findings_table(&t, a);
	put_table(doc, "findings", r == 0 ? t : NULL, &r);
	put(doc, "assumptions", strv_json(&a->res->assumptions), &r);
	put(doc, "verdict", json_string(a->verdict), &r);
	put(rec, "command", jstr(a->rec_cmd), &r);
	put(rec, "profile", jstr(a->rec_profile), &r);
	put(rec, "explanation", jstr(a->explanation), &r);
	put(doc, "recommendation", rec, &r);
	put(doc, "audit_uuid", jstr(audit_uuid && *audit_uuid ? audit_uuid : NULL), &r);
	if (r < 0) {
		json_decref(doc);
		return r;
	}
	*out = doc;
	return 0;
}

/* "   VIBs Installed: a, b" lines */
static void lists_text(vitk_str *s, const char *const *names, const esxu_strv *lists)
{
	size_t w, i;

	for (w = 0; w < VITK_ESXUPDATE_LIST_COUNT; w++) {
		vitk_str_putf(s, "   %s:", names[w]);
		for (i = 0; i < lists[w].size; i++)
			vitk_str_putf(s, "%s %s", i ? "," : "", lists[w].ptr[i]);
		vitk_str_puts(s, "\n");
	}
}

/* "   Message: ..." (multi-line esxcli errors keep their line breaks, indented) */
static void message_text(vitk_str *s, const char *msg)
{
	vitk_str_puts(s, "   Message: ");
	for (; *msg; msg++) {
		if (*msg == '\n')
			vitk_str_puts(s, "\n   ");
		else
			vitk_str_putc(s, *msg);
	}
	vitk_str_puts(s, "\n");
}

char *vitk_esxupdate_result_text(const vitk_esxupdate_result *r)
{
	static const char *const vib_names[VITK_ESXUPDATE_LIST_COUNT] = {
		[VITK_ESXUPDATE_LIST_INSTALLED] = "VIBs Installed",
		[VITK_ESXUPDATE_LIST_REMOVED] = "VIBs Removed",
		[VITK_ESXUPDATE_LIST_SKIPPED] = "VIBs Skipped",
	};
	static const char *const comp_names[VITK_ESXUPDATE_LIST_COUNT] = {
		[VITK_ESXUPDATE_LIST_INSTALLED] = "Components Installed",
		[VITK_ESXUPDATE_LIST_REMOVED] = "Components Removed",
		[VITK_ESXUPDATE_LIST_SKIPPED] = "Components Skipped",
	};
	vitk_str s = VITK_STR_INIT;

	vitk_str_putf(&s, "%s\n", r->header);
	if (r->op == VITK_ESXUPDATE_OP_COMPONENT_APPLY) {
		/* component apply prints its component lists first, then the message */
		lists_text(&s, comp_names, r->comp_lists);
		message_text(&s, r->message);
		vitk_str_putf(&s, "   Reboot Required: %s\n", r->reboot ? "true" : "false");
		return vitk_str_detach(&s);
	}
	message_text(&s, r->message);
	vitk_str_putf(&s, "   Reboot Required: %s\n", r->reboot ? "true" : "false");
	lists_text(&s, vib_names, r->lists);
	return vitk_str_detach(&s);
}

/* -------------------------------------------------------------- compare */

static const char *diff_change(const vitk_esxupdate_diff_item *it)
{
	return !it->b_version ? "only-in-a"
	       : !it->a_version ? "only-in-b"
	       : it->cmp > 0    ? "upgrade"
	       : it->cmp < 0    ? "downgrade"
				: "equal";
}

enum { DI_CHANGE = 1 };
static const vitk_table_column diff_cols[] = {
	VITK_TABLE_FIELD(vitk_esxupdate_diff_item, name, "name"),
	[DI_CHANGE] = VITK_TABLE_COLUMN("change", VITK_TABLE_STR),
	VITK_TABLE_FIELD(vitk_esxupdate_diff_item, a_version, "a_version"),
	VITK_TABLE_FIELD(vitk_esxupdate_diff_item, b_version, "b_version"),
};

int vitk_esxupdate_diff_table(vitk_table **out, const vitk_esxupdate_diff *diff, bool all)
{
	vitk_table *t = table_new(diff_cols, VITK_ARRAY_SIZE(diff_cols));
	size_t i;

	*out = NULL;
	for (i = 0; t && i < diff->count; i++) {
		if (!all && strcmp(diff_change(&diff->items[i]), "equal") == 0)
			continue;
		vitk_table_add_record(t, &diff->items[i]);
		vitk_table_set_str(t, DI_CHANGE, diff_change(&diff->items[i]));
	}
	return table_done(out, t);
}

int vitk_esxupdate_diff_to_json(json_t **out, const vitk_esxupdate_diff *diff, const char *profile_a,
				const char *profile_b, bool all)
{
	json_t *doc = json_object();
	vitk_table *t = NULL;
	int r;

	*out = NULL;
	if (!doc)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	r = 0;
	put(doc, "profile_a", jstr(profile_a), &r);
	put(doc, "profile_b", jstr(profile_b), &r);
	put(doc, "a_acceptance", json_string(vitk_esxupdate_acceptance_name(diff->a_acceptance)), &r);
	put(doc, "b_acceptance", json_string(vitk_esxupdate_acceptance_name(diff->b_acceptance)), &r);
	if (r == 0)
		r = vitk_esxupdate_diff_table(&t, diff, all);
	put_table(doc, "vibs", r == 0 ? t : NULL, &r);
	if (r < 0) {
		json_decref(doc);
		return r;
	}
	*out = doc;
	return 0;
}

/* ------------------------------------------------------ snapshot diff */

enum { SD_CHANGE = 1 };
static const vitk_table_column snapshot_diff_cols[] = {
	VITK_TABLE_FIELD(vitk_esxupdate_snapshot_change, name, "name"),
	[SD_CHANGE] = VITK_TABLE_COLUMN("change", VITK_TABLE_STR),
	VITK_TABLE_FIELD(vitk_esxupdate_snapshot_change, old_version, "old_version"),
	VITK_TABLE_FIELD(vitk_esxupdate_snapshot_change, new_version, "new_version"),
};

int vitk_esxupdate_snapshot_diff_table(vitk_table **out, const vitk_esxupdate_snapshot_diff *d)
{
	vitk_table *t = table_new(snapshot_diff_cols, VITK_ARRAY_SIZE(snapshot_diff_cols));
	size_t i;

	*out = NULL;
	for (i = 0; t && i < d->count; i++) {
		const vitk_esxupdate_snapshot_change *c = &d->items[i];

		vitk_table_add_record(t, c);
		vitk_table_set_str(t, SD_CHANGE, !c->old_version ? "added" : !c->new_version ? "removed" : "changed");
	}
	return table_done(out, t);
}
