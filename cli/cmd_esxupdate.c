/* SPDX-License-Identifier: MIT */
/*
 * vitk esxupdate verbs: depot, audit, compare, vibs, history.
 *
 * `audit` exits 10 (CLI_EXIT_AUDIT_FINDINGS) when the audit ran and found
 * CRITICAL or WARNING findings.  Every input file is parsed before anything
 * is written, and the inventory write is one transaction.
 * JSON keys are an interface: snake_case, documented in the verb help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/esxupdate.h>

#include "cli.h"

/* ------------------------------------------------------------ helpers */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *driver_name(vitk_esxupdate_driver_class c)
{
	switch (c) {
	case VITK_ESXUPDATE_DRIVER_NIC: return "nic";
	case VITK_ESXUPDATE_DRIVER_STORAGE: return "storage";
	case VITK_ESXUPDATE_DRIVER_OTHER: return "other";
	default: return NULL;
	}
}

/* "OEM/5.5.0" from "10.0.725.0-1OEM.550.0.0.1331820"; "" when untagged */
static void tag_text(const char *version, char *out, size_t cap)
{
	vitk_esxupdate_release_info ri = VITK_ESXUPDATE_RELEASE_INFO_INIT;

	out[0] = '\0';
	if (version && vitk_esxupdate_release_decode(version, &ri) == 0 && ri.tag != VITK_ESXUPDATE_TAG_NONE)
		snprintf(out, cap, "%.15s%s%.15s", ri.tag_text, ri.esxi ? "/" : "", ri.esxi ? ri.esxi : "");
	vitk_esxupdate_release_info_clear(&ri);
}

static int open_depot(struct cli_ctx *ctx, const char *path, vitk_esxupdate_depot **out)
{
	int r = vitk_esxupdate_depot_open(out, path, NULL);
	size_t i;

	if (r < 0)
		return cli_error_lib(ctx, r, "cannot read depot");
	for (i = 0; i < vitk_esxupdate_depot_note_count(*out); i++)
		cli_info(ctx, "%s", vitk_esxupdate_depot_note(*out, i));
	return 0;
}

static int load(struct cli_ctx *ctx, vitk_esxupdate_host *h, const char *file,
		int (*fn)(vitk_esxupdate_host *, const char *, size_t, const char *), const char *what)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = vitk_read_file(file, VITK_ESXUPDATE_INPUT_MAX, &buf, &len);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot read %s", what);
	r = fn(h, buf, len, file);
	free(buf);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot parse %s", what);
	return 0;
}

/*
 * The host state from the capture options every host-reading verb shares:
 * --host-vibs (given), --host-vib-details, --host-profile and, when the verb
 * declares it, --host-pci.  On failure the error is printed and *out is NULL.
 */
static int load_host(struct cli_ctx *ctx, const char *verb, const char *vibs, bool with_pci,
		     vitk_esxupdate_host **out)
{
	vitk_esxupdate_host *h = NULL;
	const char *f;
	int r;

	*out = NULL;
	r = vitk_esxupdate_host_new(&h);
	if (r < 0)
		return cli_error_lib(ctx, r, "%s", verb);
	r = load(ctx, h, vibs, vitk_esxupdate_host_parse_vib_list, "--host-vibs");
	f = cli_str(ctx, "host-vib-details");
	if (!r && f)
		r = load(ctx, h, f, vitk_esxupdate_host_parse_vib_get, "--host-vib-details");
	f = cli_str(ctx, "host-profile");
	if (!r && f)
		r = load(ctx, h, f, vitk_esxupdate_host_parse_profile, "--host-profile");
	f = with_pci ? cli_str(ctx, "host-pci") : NULL;
	if (!r && f)
		r = load(ctx, h, f, vitk_esxupdate_host_parse_pci, "--host-pci");
	if (r) {
		vitk_esxupdate_host_free(h);
		return r;
	}
	*out = h;
	return 0;
}

/* --------------------------------------------------------------- depot */

static const struct cli_opt depot_opts[] = {
	CLI_OPT_FLAG("no-store", 0, "do not record the depot in the inventory"),
	CLI_OPT_END,
};

static int cmd_depot(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_esxupdate_depot *d = NULL;
	cli_table *prof = cli_table_new(), *bul = cli_table_new(), *vibs = cli_table_new();
	size_t i;
	int r;

	(void)argc;
	r = open_depot(ctx, argv[0], &d);
	if (r)
		goto out;
	if (!cli_flag(ctx, "no-store")) {
		r = vitk_esxupdate_store_depot(ctx->inv, ctx->host_id, d);
		if (r < 0) {
			r = cli_error_lib(ctx, r, "cannot record the depot");
			goto out;
		}
	}
	cli_table_add_column(prof, "name", CLI_COL_STR);
	cli_table_add_column(prof, "vendor", CLI_COL_STR);
	cli_table_add_column(prof, "acceptance", CLI_COL_STR);
	cli_table_add_column(prof, "vibs", CLI_COL_INT);
	cli_table_add_column(prof, "source", CLI_COL_STR);
	for (i = 0; i < vitk_esxupdate_depot_profile_count(d); i++) {
		const vitk_esxupdate_profile *p = vitk_esxupdate_depot_profile(d, i);

		cli_table_add_row(prof);
		cli_table_set_str(prof, "name", p->name);
		cli_table_set_str(prof, "vendor", p->vendor);
		cli_table_set_str(prof, "acceptance", vitk_esxupdate_acceptance_name(p->acceptance));
		cli_table_set_int(prof, "vibs", (int64_t)p->nvib_ids);
		cli_table_set_str(prof, "source", p->source);
	}
	cli_table_add_column(bul, "id", CLI_COL_STR);
	cli_table_add_column(bul, "vendor", CLI_COL_STR);
	cli_table_add_column(bul, "release_type", CLI_COL_STR);
	cli_table_add_column(bul, "vibs", CLI_COL_INT);
	cli_table_add_column(bul, "summary", CLI_COL_STR);
	for (i = 0; i < vitk_esxupdate_depot_bulletin_count(d); i++) {
		const vitk_esxupdate_bulletin *b = vitk_esxupdate_depot_bulletin(d, i);

		cli_table_add_row(bul);
		cli_table_set_str(bul, "id", b->id);
		cli_table_set_str(bul, "vendor", b->vendor);
		cli_table_set_str(bul, "release_type", b->release_type);
		cli_table_set_int(bul, "vibs", (int64_t)b->nvib_ids);
		cli_table_set_str(bul, "summary", b->summary);
	}
	cli_table_add_column(vibs, "name", CLI_COL_STR);
	cli_table_add_column(vibs, "version", CLI_COL_STR);
	cli_table_add_column(vibs, "vendor", CLI_COL_STR);
	cli_table_add_column(vibs, "acceptance", CLI_COL_STR);
	cli_table_add_column(vibs, "driver", CLI_COL_STR);
	cli_table_add_column(vibs, "file", CLI_COL_BOOL);
	cli_table_add_column(vibs, "checksum", CLI_COL_STR);
	for (i = 0; i < vitk_esxupdate_depot_vib_count(d); i++) {
		const vitk_esxupdate_vib *v = vitk_esxupdate_depot_vib(d, i);

		cli_table_add_row(vibs);
		cli_table_set_str(vibs, "name", v->name);
		cli_table_set_str(vibs, "version", v->version);
		cli_table_set_str(vibs, "vendor", v->vendor);
		cli_table_set_str(vibs, "acceptance", vitk_esxupdate_acceptance_name(v->acceptance));
		cli_table_set_str(vibs, "driver", driver_name(vitk_esxupdate_vib_driver_class(v)));
		cli_table_set_bool(vibs, "file", v->file_present);
		cli_table_set_str(vibs, "checksum", !v->checksum_verified ? NULL
						    : v->checksum_mismatch ? "mismatch" : "ok");
	}
	if (ctx->output == CLI_OUT_JSON) {
		json_t *doc = json_object();

		json_object_set_new(doc, "path", json_string(vitk_esxupdate_depot_path(d)));
		json_object_set_new(doc, "sha256", json_string(vitk_esxupdate_depot_sha256(d)));
		json_object_set_new(doc, "kind", json_string(vitk_esxupdate_depot_kind(d)));
		json_object_set_new(doc, "profiles", cli_table_to_json(prof));
		json_object_set_new(doc, "bulletins", cli_table_to_json(bul));
		json_object_set_new(doc, "vibs", cli_table_to_json(vibs));
		r = cli_json_print(ctx, doc);
		json_decref(doc);
		goto out;
	}
	if (ctx->output == CLI_OUT_CSV) {
		r = cli_table_print(ctx, vibs); /* one table per CSV document: the VIBs */
		goto out;
	}
	cli_text(ctx, "Depot: %s (%s, sha256 %s)\n\nImage profiles:\n", vitk_esxupdate_depot_path(d),
		 vitk_esxupdate_depot_kind(d), vitk_esxupdate_depot_sha256(d));
	r = cli_table_print(ctx, prof);
	cli_text(ctx, "\nBulletins:\n");
	if (r == 0)
		r = cli_table_print(ctx, bul);
	cli_text(ctx, "\nVIBs:\n");
	if (r == 0)
		r = cli_table_print(ctx, vibs);
out:
	cli_table_free(prof);
	cli_table_free(bul);
	cli_table_free(vibs);
	vitk_esxupdate_depot_free(d);
	return r;
}

/* --------------------------------------------------------------- audit */

static const struct cli_opt audit_opts[] = {
	CLI_OPT_STR("host-vibs", 0, "FILE", "`esxcli software vib list` output (text, csv or xml)"),
	CLI_OPT_STR("host-vib-details", 0, "FILE", "`esxcli software vib get` output (text or xml)"),
	CLI_OPT_STR("host-profile", 0, "FILE", "`esxcli software profile get` / `acceptance get` output"),
	CLI_OPT_STR("host-pci", 0, "FILE", "`lspci -nn` or `esxcli hardware pci list` output"),
	CLI_OPT_STR("host", 0, "NAME", "ESXi host name for the inventory (default: vib list file name)"),
	CLI_OPT_STR("depot", 'd', "ZIP", "the offline bundle (or .vib) the command would use"),
	CLI_OPT_MULTI("depot-profile", 0, "FILE", "`esxcli software sources profile get -d ZIP -p P` output"),
	CLI_OPT_STR("command", 'c', "CMDLINE", "the exact esxcli command you intend to run"),
	CLI_OPT_FLAG("no-store", 0, "do not record the snapshot, depot and audit"),
	CLI_OPT_END,
};

static const char *const list_names[3] = { "VIBs Installed", "VIBs Removed", "VIBs Skipped" };
static const char *const list_keys[3] = { "vibs_installed", "vibs_removed", "vibs_skipped" };

static void print_result_text(struct cli_ctx *ctx, const vitk_esxupdate_result *r)
{
	const char *msg = vitk_esxupdate_result_message(r);
	int w;

	cli_text(ctx, "%s\n   Message: ", vitk_esxupdate_result_header(r));
	/* multi-line esxcli errors keep their line breaks, indented */
	for (const char *p = msg; *p; p++) {
		if (*p == '\n')
			cli_text(ctx, "\n   ");
		else
			cli_text(ctx, "%c", *p);
	}
	cli_text(ctx, "\n   Reboot Required: %s\n", vitk_esxupdate_result_reboot_required(r) ? "true" : "false");
	for (w = 0; w < 3; w++) {
		size_t i;

		cli_text(ctx, "   %s:", list_names[w]);
		for (i = 0; i < vitk_esxupdate_result_list_count(r, w); i++)
			cli_text(ctx, "%s %s", i ? "," : "", vitk_esxupdate_result_list(r, w, i));
		cli_text(ctx, "\n");
	}
}

static char *default_host_name(const char *file)
{
	const char *b = strrchr(file, '/');
	char *s = strdup(b ? b + 1 : file), *dot = NULL;

	if (s)
		dot = strchr(s, '.');
	if (dot && dot != s)
		*dot = '\0';
	return s;
}

static int cmd_audit(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *vibs = cli_str(ctx, "host-vibs"), *depot = cli_str(ctx, "depot");
	const char *line = cli_str(ctx, "command");
	vitk_esxupdate_host *h = NULL;
	vitk_esxupdate_depot *d = NULL;
	vitk_esxupdate_command *c = NULL;
	vitk_esxupdate_audit *a = NULL;
	const vitk_esxupdate_result *res;
	cli_table *ch = cli_table_new(), *fi = cli_table_new();
	char *host_name = NULL, uuid[37] = "";
	size_t i;
	int r;

	(void)argc;
	(void)argv;
	if (!vibs || !depot || !line) {
		r = cli_error(ctx, CLI_EXIT_USAGE, "audit needs --host-vibs FILE, --depot ZIP and --command \"esxcli ...\"");
		goto out;
	}
	r = vitk_esxupdate_command_parse(&c, line);
	if (r < 0) {
		/* the pasted command line is part of our command line: a usage error */
		r = cli_error(ctx, CLI_EXIT_USAGE, "cannot use --command: %s", vitk_error_last()->message);
		goto out;
	}
	r = load_host(ctx, "audit", vibs, true, &h);
	if (r)
		goto out;
	r = open_depot(ctx, depot, &d);
	if (r)
		goto out;
	{
		const char *const *dp = NULL;
		size_t ndp = cli_multi(ctx, "depot-profile", &dp), k;

		for (k = 0; k < ndp && r == 0; k++) {
			char *buf = NULL;
			size_t len = 0;

			r = vitk_read_file(dp[k], VITK_ESXUPDATE_INPUT_MAX, &buf, &len);
			if (r == 0)
				r = vitk_esxupdate_depot_add_profile_text(d, buf, len, dp[k]);
			free(buf);
			if (r < 0)
				r = cli_error_lib(ctx, r, "cannot use --depot-profile");
		}
		if (r)
			goto out;
	}
	r = vitk_esxupdate_audit_run(&a, h, d, c);
	if (r < 0) {
		r = cli_error_lib(ctx, r, "cannot simulate the command");
		goto out;
	}
	host_name = cli_str(ctx, "host") ? strdup(cli_str(ctx, "host")) : default_host_name(vibs);
	if (!host_name) {
		r = cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
		goto out;
	}
	if (!cli_flag(ctx, "no-store")) {
		r = vitk_esxupdate_store_audit(ctx->inv, ctx->host_id, host_name, h, vibs, d, line, a, uuid);
		if (r < 0) {
			r = cli_error_lib(ctx, r, "cannot record the audit");
			goto out;
		}
		cli_info(ctx, "recorded audit %s", uuid);
	}
	res = vitk_esxupdate_audit_result(a);
	cli_table_add_column(ch, "name", CLI_COL_STR);
	cli_table_add_column(ch, "action", CLI_COL_STR);
	cli_table_add_column(ch, "from_version", CLI_COL_STR);
	cli_table_add_column(ch, "to_version", CLI_COL_STR);
	cli_table_add_column(ch, "build", CLI_COL_STR);
	cli_table_add_column(ch, "driver", CLI_COL_STR);
	cli_table_add_column(ch, "vendor_build", CLI_COL_BOOL);
	cli_table_add_column(ch, "reason", CLI_COL_STR);
	for (i = 0; i < vitk_esxupdate_result_change_count(res); i++) {
		const vitk_esxupdate_change *x = vitk_esxupdate_result_change(res, i);

		cli_table_add_row(ch);
		cli_table_set_str(ch, "name", x->name);
		cli_table_set_str(ch, "action", vitk_esxupdate_action_name(x->action));
		cli_table_set_str(ch, "from_version", x->from_version);
		cli_table_set_str(ch, "to_version", x->to_version);
		{
			/* release tags decoded: who built it, for which ESXi ("OEM/5.5.0->vmw/5.5.0") */
			char ft[40], tt[40], both[90];

			tag_text(x->from_version, ft, sizeof(ft));
			tag_text(x->to_version, tt, sizeof(tt));
			if (x->from_version && x->to_version && (ft[0] || tt[0]))
				snprintf(both, sizeof(both), "%s->%s", ft[0] ? ft : "-", tt[0] ? tt : "-");
			else if (x->from_version && x->to_version)
				both[0] = '\0';
			else
				snprintf(both, sizeof(both), "%s", x->from_version ? ft : tt);
			cli_table_set_str(ch, "build", both[0] ? both : NULL);
		}
		cli_table_set_str(ch, "driver", driver_name(x->driver));
		cli_table_set_bool(ch, "vendor_build", x->vendor);
		cli_table_set_str(ch, "reason", x->reason);
	}
	cli_table_add_column(fi, "severity", CLI_COL_STR);
	cli_table_add_column(fi, "code", CLI_COL_STR);
	cli_table_add_column(fi, "message", CLI_COL_STR);
	for (i = 0; i < vitk_esxupdate_audit_finding_count(a); i++) {
		const vitk_esxupdate_finding *x = vitk_esxupdate_audit_finding(a, i);

		cli_table_add_row(fi);
		cli_table_set_str(fi, "severity", vitk_esxupdate_severity_name(x->severity));
		cli_table_set_str(fi, "code", x->code);
		cli_table_set_str(fi, "message", x->message);
	}
	if (ctx->output == CLI_OUT_JSON) {
		json_t *doc = json_object(), *jr = json_object(), *as = json_array(), *rec = json_object();
		json_t *hj = json_object();
		int w;

		json_object_set_new(hj, "name", json_string(host_name));
		json_object_set_new(hj, "vib_count", json_integer((json_int_t)vitk_esxupdate_host_vib_count(h)));
		json_object_set_new(hj, "profile", jstr(vitk_esxupdate_host_profile(h)));
		json_object_set_new(hj, "acceptance", jstr(vitk_esxupdate_host_acceptance(h)
								  ? vitk_esxupdate_acceptance_name(vitk_esxupdate_host_acceptance(h))
								  : NULL));
		json_object_set_new(hj, "pci_devices", json_integer((json_int_t)vitk_esxupdate_host_pci_count(h)));
		json_object_set_new(doc, "host", hj);
		{
			json_t *dj = json_object();

			json_object_set_new(dj, "path", json_string(vitk_esxupdate_depot_path(d)));
			json_object_set_new(dj, "sha256", json_string(vitk_esxupdate_depot_sha256(d)));
			json_object_set_new(doc, "depot", dj);
		}
		json_object_set_new(doc, "command", json_string(line));
		json_object_set_new(doc, "profile_source",
				    c->profile && vitk_esxupdate_depot_find_profile(d, c->profile)
					    ? json_string(vitk_esxupdate_depot_find_profile(d, c->profile)->source)
					    : json_null());
		json_object_set_new(jr, "header", json_string(vitk_esxupdate_result_header(res)));
		json_object_set_new(jr, "message", json_string(vitk_esxupdate_result_message(res)));
		json_object_set_new(jr, "error", jstr(vitk_esxupdate_result_error(res)));
		json_object_set_new(jr, "reboot_required", json_boolean(vitk_esxupdate_result_reboot_required(res)));
		json_object_set_new(jr, "maintenance_mode_required",
				    json_boolean(vitk_esxupdate_result_maintenance_required(res)));
		for (w = 0; w < 3; w++) {
			json_t *arr = json_array();

			for (i = 0; i < vitk_esxupdate_result_list_count(res, w); i++)
				json_array_append_new(arr, json_string(vitk_esxupdate_result_list(res, w, i)));
			json_object_set_new(jr, list_keys[w], arr);
		}
		json_object_set_new(doc, "result", jr);
		json_object_set_new(doc, "changes", cli_table_to_json(ch));
		json_object_set_new(doc, "findings", cli_table_to_json(fi));
		for (i = 0; i < vitk_esxupdate_result_assumption_count(res); i++)
			json_array_append_new(as, json_string(vitk_esxupdate_result_assumption(res, i)));
		json_object_set_new(doc, "assumptions", as);
		json_object_set_new(doc, "verdict", json_string(vitk_esxupdate_audit_verdict(a)));
		json_object_set_new(rec, "command", jstr(vitk_esxupdate_audit_recommended_command(a)));
		json_object_set_new(rec, "profile", jstr(vitk_esxupdate_audit_recommended_profile(a)));
		json_object_set_new(rec, "explanation", jstr(vitk_esxupdate_audit_explanation(a)));
		json_object_set_new(doc, "recommendation", rec);
		json_object_set_new(doc, "audit_uuid", uuid[0] ? json_string(uuid) : json_null());
		r = cli_json_print(ctx, doc);
		json_decref(doc);
	} else if (ctx->output == CLI_OUT_CSV) {
		r = cli_table_print(ctx, fi); /* one table per CSV document: the findings */
	} else {
		cli_text(ctx, "Host:    %s (%zu VIBs, profile %s, acceptance %s, %zu PCI devices)\n", host_name,
			 vitk_esxupdate_host_vib_count(h),
			 vitk_esxupdate_host_profile(h) ? vitk_esxupdate_host_profile(h) : "unknown",
			 vitk_esxupdate_acceptance_name(vitk_esxupdate_host_acceptance(h)),
			 vitk_esxupdate_host_pci_count(h));
		cli_text(ctx, "Depot:   %s\nCommand: %s\n", vitk_esxupdate_depot_path(d), line);
		if (c->profile && vitk_esxupdate_depot_find_profile(d, c->profile))
			cli_text(ctx, "Profile: %s (VIB list from %s)\n", c->profile,
				 vitk_esxupdate_depot_find_profile(d, c->profile)->source);
		cli_text(ctx, "\nSimulated esxcli output:\n");
		print_result_text(ctx, res);
		cli_text(ctx, "\nPer-VIB classification:\n");
		r = cli_table_print(ctx, ch);
		cli_text(ctx, "\nFindings:\n");
		if (r == 0)
			r = cli_table_print(ctx, fi);
		cli_text(ctx, "\nAssumptions (rules VMware does not document):\n");
		for (i = 0; i < vitk_esxupdate_result_assumption_count(res); i++)
			cli_text(ctx, "  - %s\n", vitk_esxupdate_result_assumption(res, i));
		cli_text(ctx, "\nVerdict: %s\n", vitk_esxupdate_audit_verdict(a));
		if (vitk_esxupdate_audit_recommended_command(a))
			cli_text(ctx, "Recommended (run first with --dry-run):\n  %s\n", vitk_esxupdate_audit_recommended_command(a));
		cli_text(ctx, "Why: %s\n", vitk_esxupdate_audit_explanation(a));
	}
	if (r == 0 && (vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL) ||
		       vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_WARNING)))
		r = CLI_EXIT_AUDIT_FINDINGS;
out:
	free(host_name);
	cli_table_free(ch);
	cli_table_free(fi);
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_command_free(c);
	vitk_esxupdate_depot_free(d);
	vitk_esxupdate_host_free(h);
	return r;
}

/* ------------------------------------------------------------ snapshot */

static const struct cli_opt snapshot_opts[] = {
	CLI_OPT_STR("host-vibs", 0, "FILE", "`esxcli software vib list` output (text, csv or xml)"),
	CLI_OPT_STR("host-vib-details", 0, "FILE", "`esxcli software vib get` output (text or xml)"),
	CLI_OPT_STR("host-profile", 0, "FILE", "`esxcli software profile get` / `acceptance get` output"),
	CLI_OPT_END,
};

static int cmd_snapshot(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *vibs = cli_str(ctx, "host-vibs");
	vitk_esxupdate_host *h = NULL;
	cli_table *t = cli_table_new();
	char uuid[37];
	int r;

	(void)argc;
	if (!vibs) {
		r = cli_error(ctx, CLI_EXIT_USAGE, "snapshot needs --host-vibs FILE");
		goto out;
	}
	r = load_host(ctx, "snapshot", vibs, false, &h);
	if (r)
		goto out;
	r = vitk_esxupdate_store_snapshot(ctx->inv, argv[0], h, vibs, uuid);
	if (r < 0) {
		r = cli_error_lib(ctx, r, "cannot record the snapshot");
		goto out;
	}
	cli_table_add_column(t, "host", CLI_COL_STR);
	cli_table_add_column(t, "snapshot", CLI_COL_STR);
	cli_table_add_column(t, "vibs", CLI_COL_INT);
	cli_table_add_column(t, "format", CLI_COL_STR);
	cli_table_add_column(t, "profile", CLI_COL_STR);
	cli_table_add_row(t);
	cli_table_set_str(t, "host", argv[0]);
	cli_table_set_str(t, "snapshot", uuid);
	cli_table_set_int(t, "vibs", (int64_t)vitk_esxupdate_host_vib_count(h));
	cli_table_set_str(t, "format", vitk_esxupdate_host_list_format(h));
	cli_table_set_str(t, "profile", vitk_esxupdate_host_profile(h));
	r = cli_record_print(ctx, t);
out:
	cli_table_free(t);
	vitk_esxupdate_host_free(h);
	return r;
}

/* ------------------------------------------------------------- compare */

static const struct cli_opt compare_opts[] = {
	CLI_OPT_STR("depot", 'd', "ZIP", "the depot holding both profiles"),
	CLI_OPT_FLAG("all", 'a', "also list VIBs that are equal in both"),
	CLI_OPT_END,
};

static int cmd_compare(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_esxupdate_depot *d = NULL;
	vitk_esxupdate_diff *diff = NULL;
	cli_table *t = cli_table_new();
	size_t i;
	int r;

	(void)argc;
	if (!cli_str(ctx, "depot")) {
		r = cli_error(ctx, CLI_EXIT_USAGE, "compare needs --depot ZIP");
		goto out;
	}
	r = open_depot(ctx, cli_str(ctx, "depot"), &d);
	if (r)
		goto out;
	r = vitk_esxupdate_profile_compare(&diff, d, argv[0], argv[1]);
	if (r < 0) {
		r = cli_error_lib(ctx, r, "cannot compare");
		goto out;
	}
	cli_table_add_column(t, "name", CLI_COL_STR);
	cli_table_add_column(t, "change", CLI_COL_STR);
	cli_table_add_column(t, "a_version", CLI_COL_STR);
	cli_table_add_column(t, "b_version", CLI_COL_STR);
	for (i = 0; i < diff->count; i++) {
		const vitk_esxupdate_diff_item *it = &diff->items[i];
		const char *what = !it->b_version ? "only-in-a"
				   : !it->a_version ? "only-in-b"
				   : it->cmp > 0    ? "upgrade"
				   : it->cmp < 0    ? "downgrade"
						    : "equal";

		if (strcmp(what, "equal") == 0 && !cli_flag(ctx, "all"))
			continue;
		cli_table_add_row(t);
		cli_table_set_str(t, "name", it->name);
		cli_table_set_str(t, "change", what);
		cli_table_set_str(t, "a_version", it->a_version);
		cli_table_set_str(t, "b_version", it->b_version);
	}
	if (ctx->output == CLI_OUT_JSON) {
		json_t *doc = json_object();

		json_object_set_new(doc, "profile_a", json_string(argv[0]));
		json_object_set_new(doc, "profile_b", json_string(argv[1]));
		json_object_set_new(doc, "a_acceptance", json_string(vitk_esxupdate_acceptance_name(diff->a_acceptance)));
		json_object_set_new(doc, "b_acceptance", json_string(vitk_esxupdate_acceptance_name(diff->b_acceptance)));
		json_object_set_new(doc, "vibs", cli_table_to_json(t));
		r = cli_json_print(ctx, doc);
		json_decref(doc);
		goto out;
	}
	cli_text(ctx, "A: %s (acceptance %s)\nB: %s (acceptance %s)\n\n", argv[0],
		 vitk_esxupdate_acceptance_name(diff->a_acceptance), argv[1],
		 vitk_esxupdate_acceptance_name(diff->b_acceptance));
	r = cli_table_print(ctx, t);
out:
	cli_table_free(t);
	vitk_esxupdate_diff_free(diff);
	vitk_esxupdate_depot_free(d);
	return r;
}

/* ---------------------------------------------------------------- vibs */

static const struct cli_opt vibs_opts[] = {
	CLI_OPT_FLAG("diff", 0, "show what changed between the two latest snapshots"),
	CLI_OPT_END,
};

static int cmd_vibs(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const skip[] = { "id", "host_id", "host", "snapshot_uuid", "created_at", "updated_at", NULL };
	vitk_inventory_rows *snaps = NULL, *rows = NULL;
	cli_table *t = NULL;
	int64_t hid;
	int r;

	(void)argc;
	r = vitk_inventory_host_lookup(ctx->inv, argv[0], &hid);
	if (r < 0)
		return cli_error_lib(ctx, r, "no VIB snapshot");
	if (cli_flag(ctx, "diff")) {
		vitk_esxupdate_snapshot_diff *diff = NULL;
		size_t i;

		r = vitk_esxupdate_snapshot_diff_latest(&diff, ctx->inv, argv[0]);
		if (r < 0)
			return cli_error_lib(ctx, r, "cannot diff");
		t = cli_table_new();
		cli_table_add_column(t, "name", CLI_COL_STR);
		cli_table_add_column(t, "change", CLI_COL_STR);
		cli_table_add_column(t, "old_version", CLI_COL_STR);
		cli_table_add_column(t, "new_version", CLI_COL_STR);
		for (i = 0; i < diff->count; i++) {
			const vitk_esxupdate_snapshot_change *c = &diff->items[i];

			cli_table_add_row(t);
			cli_table_set_str(t, "name", c->name);
			cli_table_set_str(t, "change", !c->old_version ? "added" : !c->new_version ? "removed" : "changed");
			cli_table_set_str(t, "old_version", c->old_version);
			cli_table_set_str(t, "new_version", c->new_version);
		}
		cli_text(ctx, "%s: snapshot %s -> %s\n", argv[0], diff->old_taken, diff->new_taken);
		r = cli_table_print(ctx, t);
		cli_table_free(t);
		vitk_esxupdate_snapshot_diff_free(diff);
		return r;
	}
	r = vitk_inventory_select(&snaps, ctx->inv, "esxupdate_snapshot", hid, NULL, 0, "id DESC");
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot read snapshots");
	if (vitk_inventory_rows_count(snaps) == 0) {
		vitk_inventory_rows_free(snaps);
		return cli_error(ctx, CLI_EXIT_NOTFOUND, "no VIB snapshot for host '%s'", argv[0]);
	}
	{
		vitk_inventory_value m = VITK_INV_S("snapshot_uuid", vitk_inventory_rows_get(snaps, 0, "uuid"));

		r = vitk_inventory_select(&rows, ctx->inv, "esxupdate_snapshot_vib", hid, &m, 1, "name");
	}
	if (r < 0) {
		vitk_inventory_rows_free(snaps);
		return cli_error_lib(ctx, r, "cannot read snapshot");
	}
	cli_text(ctx, "%s: snapshot of %s (%s)\n", argv[0], vitk_inventory_rows_get(snaps, 0, "taken_at"),
		 vitk_inventory_rows_get(snaps, 0, "source"));
	t = cli_table_from_rows(rows, skip);
	r = t ? cli_table_print(ctx, t) : cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	cli_table_free(t);
	vitk_inventory_rows_free(rows);
	vitk_inventory_rows_free(snaps);
	return r;
}

/* ------------------------------------------------------------- history */

static const struct cli_opt history_opts[] = {
	CLI_OPT_STR("host", 'H', "HOST", "only audits of this ESXi host"),
	CLI_OPT_FLAG("findings", 'f', "list the findings of every audit"),
	CLI_OPT_END,
};

static int cmd_history(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const skip[] = { "id", "host_id", "host", "snapshot_uuid", "depot_sha256", "created_at",
					    "updated_at", "recommended", "info", NULL };
	static const char *const fskip[] = { "id", "host_id", "created_at", "updated_at", NULL };
	vitk_inventory_rows *rows = NULL;
	cli_table *t = NULL;
	int64_t hid = 0;
	int r;

	(void)argc;
	(void)argv;
	if (cli_str(ctx, "host")) {
		r = vitk_inventory_host_lookup(ctx->inv, cli_str(ctx, "host"), &hid);
		if (r < 0)
			return cli_error_lib(ctx, r, "cannot list audits");
	}
	r = vitk_inventory_select(&rows, ctx->inv, cli_flag(ctx, "findings") ? "esxupdate_finding" : "esxupdate_audit",
				  hid, NULL, 0, "id");
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot list audits");
	t = cli_table_from_rows(rows, cli_flag(ctx, "findings") ? fskip : skip);
	r = t ? cli_table_print(ctx, t) : cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	cli_table_free(t);
	vitk_inventory_rows_free(rows);
	return r;
}

const struct cli_verb cli_esxupdate_verbs[] = {
	{ .name = "depot", .fn = cmd_depot, .opts = depot_opts, .min_args = 1, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "ZIP",
	  .summary = "Read an offline bundle (or .vib): image profiles, bulletins, VIBs; record it" },
	{ .name = "audit", .fn = cmd_audit, .opts = audit_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY,
	  .summary = "Predict what an esxcli software command would do; exit 10 on CRITICAL/WARNING findings" },
	{ .name = "snapshot", .fn = cmd_snapshot, .opts = snapshot_opts, .min_args = 1, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "HOST",
	  .summary = "Record a dated VIB snapshot of an ESXi host from esxcli captures" },
	{ .name = "compare", .fn = cmd_compare, .opts = compare_opts, .min_args = 2, .max_args = 2,
	  .args_usage = "PROFILE_A PROFILE_B", .summary = "Compare two image profiles of a depot" },
	{ .name = "vibs", .fn = cmd_vibs, .opts = vibs_opts, .min_args = 1, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .args_usage = "HOST",
	  .summary = "VIBs of the latest recorded snapshot of an ESXi host (--diff: changes)" },
	{ .name = "history", .fn = cmd_history, .opts = history_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .summary = "Recorded audits (or their findings)" },
	{ 0 },
};
