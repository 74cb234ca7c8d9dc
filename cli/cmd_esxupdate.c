/* SPDX-License-Identifier: MIT */
/*
 * vitk esxupdate verbs: depot, audit, snapshot, compare, vibs, history.
 *
 * The library builds every result document (esxupdate/src/doc.c); the verbs
 * read their inputs, call it and render what it returns.  `audit` exits 10
 * (CLI_EXIT_AUDIT_FINDINGS) when the audit ran and found CRITICAL or WARNING
 * findings.  Every input file is parsed before anything is written, and the
 * inventory write is one transaction.
 */
#include <stdlib.h>
#include <string.h>

#include <vitk/esxupdate.h>
#include <vitk/str.h>

#include "cli.h"

/* ------------------------------------------------------------ helpers */

/*
 * Strings from depots and host captures shown in free text: each value goes
 * through cli_display_text(), which escapes newlines and control characters
 * (cli_text() escapes its arguments too; this keeps the values escaped when
 * they are joined into a block first).  A few per line, freed together.
 */
struct shown {
	char *s[8];
	size_t n;
};

static const char *shown(struct shown *sh, const char *s)
{
	char *e;

	if (!s || sh->n == VITK_ARRAY_SIZE(sh->s))
		return s ? "?" : "";
	e = cli_display_text(s);
	if (!e)
		return "?";
	sh->s[sh->n++] = e;
	return e;
}

static void shown_free(struct shown *sh)
{
	while (sh->n)
		free(sh->s[--sh->n]);
}

/* multi-line text (the simulated esxcli output): every line escaped on its own, the line breaks kept */
static char *shown_lines(const char *text)
{
	vitk_str out = VITK_STR_INIT, line = VITK_STR_INIT;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *e;

		vitk_str_clear(&line);
		vitk_str_put(&line, p, n);
		e = line.ptr ? cli_display_text(line.ptr) : NULL;
		if (!e) {
			vitk_str_clear(&out);
			break;
		}
		vitk_str_puts(&out, e);
		free(e);
		if (nl)
			vitk_str_putc(&out, '\n');
		p += n + (nl ? 1 : 0);
	}
	vitk_str_clear(&line);
	return vitk_str_detach(&out);
}

static int open_depot(struct cli_ctx *ctx, const char *path, vitk_esxupdate_depot **out)
{
	int r = vitk_esxupdate_depot_open(out, path, NULL);
	size_t i;

	if (r < 0)
		return cli_error_lib(ctx, r, "cannot read depot");
	for (i = 0; i < vitk_esxupdate_depot_note_count(*out); i++) {
		struct shown sh = { 0 };

		cli_info(ctx, "%s", shown(&sh, vitk_esxupdate_depot_note(*out, i)));
		shown_free(&sh);
	}
	return 0;
}

static int load(struct cli_ctx *ctx, vitk_esxupdate_host *h, const char *file,
		int (*fn)(vitk_esxupdate_host *, const char *, size_t, const char *), const char *what)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (!file)
		return 0;
	r = vitk_read_file(file, VITK_ESXUPDATE_INPUT_MAX, &buf, &len);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot read %s", what);
	r = fn(h, buf, len, file);
	free(buf);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot parse %s", what);
	return 0;
}

/* the host captures shared by audit and snapshot (snapshot has no --host-pci, --host-components) */
struct host_files {
	const char *vibs, *vib_details, *profile, *pci, *components;
};

/* the host state from its captures; on failure the error is printed and *out is NULL */
static int load_host(struct cli_ctx *ctx, const char *verb, const struct host_files *f,
		     vitk_esxupdate_host **out)
{
	vitk_esxupdate_host *h = NULL;
	int r;

	*out = NULL;
	r = vitk_esxupdate_host_new(&h);
	if (r < 0)
		return cli_error_lib(ctx, r, "%s", verb);
	r = load(ctx, h, f->vibs, vitk_esxupdate_host_parse_vib_list, "--host-vibs");
	if (!r)
		r = load(ctx, h, f->vib_details, vitk_esxupdate_host_parse_vib_get, "--host-vib-details");
	if (!r)
		r = load(ctx, h, f->profile, vitk_esxupdate_host_parse_profile, "--host-profile");
	if (!r)
		r = load(ctx, h, f->pci, vitk_esxupdate_host_parse_pci, "--host-pci");
	if (!r)
		r = load(ctx, h, f->components, vitk_esxupdate_host_parse_component_list, "--host-components");
	if (r) {
		vitk_esxupdate_host_free(h);
		return r;
	}
	*out = h;
	return 0;
}

/*
 * Print the table a library builder returned @r for, then free it:
 * print_table(ctx, builder(&t, ...), &t) (the table is read only after the
 * builder ran).
 */
static int print_table(struct cli_ctx *ctx, int r, vitk_table **t)
{
	r = r < 0 ? cli_error_lib(ctx, r, "cannot format the result") : cli_print_table(ctx, *t);
	vitk_table_free(*t);
	*t = NULL;
	return r;
}

/* the same for a JSON document: print_doc(ctx, builder(&doc, ...), &doc) */
static int print_doc(struct cli_ctx *ctx, int r, json_t **doc)
{
	r = r < 0 ? cli_error_lib(ctx, r, "cannot format the result") : cli_json_print(ctx, *doc);
	json_decref(*doc);
	*doc = NULL;
	return r;
}

/* --------------------------------------------------------------- depot */

struct depot_cfg {
	bool no_store;
};

#define CFG struct depot_cfg
static const struct cli_opt depot_opts[] = {
	{ CLI_FLAG(CFG, no_store, "no-store", 0, "do not record the depot in the inventory") },
	CLI_OPT_END,
};
#undef CFG

/* text: the three lists under headings */
static int depot_text(struct cli_ctx *ctx, const vitk_esxupdate_depot *d)
{
	vitk_table *t = NULL;
	int r;

	struct shown sh = { 0 };

	cli_text(ctx, "Depot: %s (%s, sha256 %s)\n\nImage profiles:\n", shown(&sh, vitk_esxupdate_depot_path(d)),
		 vitk_esxupdate_depot_kind(d), vitk_esxupdate_depot_sha256(d));
	shown_free(&sh);
	r = print_table(ctx, vitk_esxupdate_depot_profiles_table(&t, d), &t);
	cli_text(ctx, "\nBulletins:\n");
	if (r == 0)
		r = print_table(ctx, vitk_esxupdate_depot_bulletins_table(&t, d), &t);
	cli_text(ctx, "\nVIBs:\n");
	if (r == 0)
		r = print_table(ctx, vitk_esxupdate_depot_vibs_table(&t, d), &t);
	if (r == 0 && vitk_esxupdate_depot_image_count(d)) { /* 7.0+ depots only */
		cli_text(ctx, "\nBase images, add-ons and manifests:\n");
		r = print_table(ctx, vitk_esxupdate_depot_images_table(&t, d), &t);
	}
	return r;
}

static int cmd_depot(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct depot_cfg *cfg = ctx->config;
	vitk_esxupdate_depot *d = NULL;
	vitk_table *t = NULL;
	json_t *doc = NULL;
	int r;

	(void)argc;
	r = open_depot(ctx, argv[0], &d);
	if (r)
		return r;
	if (!cfg->no_store) {
		r = vitk_esxupdate_store_depot(ctx->inv, ctx->host_id, d);
		if (r < 0)
			r = cli_error_lib(ctx, r, "cannot record the depot");
	}
	if (r == 0 && ctx->output == CLI_OUT_JSON)
		r = print_doc(ctx, vitk_esxupdate_depot_to_json(&doc, d), &doc);
	else if (r == 0 && ctx->output == CLI_OUT_CSV) /* one table per CSV document: the VIBs */
		r = print_table(ctx, vitk_esxupdate_depot_vibs_table(&t, d), &t);
	else if (r == 0)
		r = depot_text(ctx, d);
	vitk_esxupdate_depot_free(d);
	return r;
}

/* --------------------------------------------------------------- audit */

struct audit_cfg {
	struct host_files host;
	const char *host_name;
	const char *depot;
	const char *vendor_depot;
	struct cli_strv depot_profiles;
	const char *depot_profile_list;
	const char *command;
	bool no_store;
};

#define CFG struct audit_cfg
static const struct cli_opt audit_opts[] = {
	{ CLI_STR(CFG, host.vibs, "host-vibs", 0, "FILE", "`esxcli software vib list` output (text, csv or xml)") },
	{ CLI_STR(CFG, host.vib_details, "host-vib-details", 0, "FILE", "`esxcli software vib get` output (text or xml)") },
	{ CLI_STR(CFG, host.profile, "host-profile", 0, "FILE", "`esxcli software profile get` / `acceptance get` output") },
	{ CLI_STR(CFG, host.pci, "host-pci", 0, "FILE", "`lspci -nn` or `esxcli hardware pci list` output") },
	{ CLI_STR(CFG, host.components, "host-components", 0, "FILE", "`esxcli software component list` output (ESXi 7.0/8.0)") },
	{ CLI_STR(CFG, host_name, "host", 0, "NAME", "ESXi host name for the inventory (default: vib list file name)") },
	{ CLI_STR(CFG, depot, "depot", 'd', "ZIP", "the offline bundle (or .vib) the command would use") },
	{ CLI_STR(CFG, vendor_depot, "vendor-depot", 0, "ZIP", "the server vendor's depot (add-on profile), next to --depot on the host") },
	{ CLI_MULTI(CFG, depot_profiles, "depot-profile", 0, "FILE", "`esxcli software sources profile get -d ZIP -p P` output") },
	{ CLI_STR(CFG, depot_profile_list, "depot-profile-list", 0, "FILE", "`esxcli software sources profile list -d ZIP` output (warns about profiles not read)") },
	{ CLI_STR(CFG, command, "command", 'c', "CMDLINE", "the exact esxcli command you intend to run") },
	{ CLI_FLAG(CFG, no_store, "no-store", 0, "do not record the snapshot, depot and audit") },
	CLI_OPT_END,
};
#undef CFG

/* everything an audit reads, parsed before anything runs or is written */
struct audit_in {
	vitk_esxupdate_command *cmd;
	vitk_esxupdate_host *host;
	vitk_esxupdate_depot *depot;
	char *host_name;
	vitk_esxupdate_depot *vendor;
	char *vendor_path; /* the vendor depot as the host sees it: next to the command's depot */
};

static void audit_in_free(struct audit_in *in)
{
	vitk_esxupdate_command_free(in->cmd);
	vitk_esxupdate_host_free(in->host);
	vitk_esxupdate_depot_free(in->depot);
	free(in->host_name);
	vitk_esxupdate_depot_free(in->vendor);
	free(in->vendor_path);
}

/* --vendor-depot: read it, and name it in the directory of the command's depot */
static int vendor_input(struct cli_ctx *ctx, const struct audit_cfg *cfg, struct audit_in *in)
{
	const char *on_host = in->cmd->depot ? in->cmd->depot : in->cmd->viburls[0];
	const char *dir_end = strrchr(on_host, '/'), *base = strrchr(cfg->vendor_depot, '/');
	size_t n = dir_end ? (size_t)(dir_end - on_host + 1) : 0;
	int r = open_depot(ctx, cfg->vendor_depot, &in->vendor);

	base = base ? base + 1 : cfg->vendor_depot;
	if (r == 0 && !(in->vendor_path = malloc(n + strlen(base) + 1)))
		r = cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	if (r == 0) {
		memcpy(in->vendor_path, on_host, n);
		strcpy(in->vendor_path + n, base);
	}
	return r;
}

/* the ESXi host's name: --host, else the vib list file name without directory and extension */
static char *host_name_of(const struct audit_cfg *cfg)
{
	const char *b = strrchr(cfg->host.vibs, '/');
	char *s, *dot;

	if (cfg->host_name)
		return strdup(cfg->host_name);
	s = strdup(b ? b + 1 : cfg->host.vibs);
	dot = s ? strchr(s, '.') : NULL;
	if (dot && dot != s)
		*dot = '\0';
	return s;
}

/* --depot-profile-list: the profiles the host sees in the depot, checked against those read */
static int profile_list_input(struct cli_ctx *ctx, const char *file, vitk_esxupdate_depot *d)
{
	char *buf = NULL;
	size_t len = 0;
	int r = vitk_read_file(file, VITK_ESXUPDATE_INPUT_MAX, &buf, &len);

	if (r == 0)
		r = vitk_esxupdate_depot_check_profile_list(d, buf, len, file);
	free(buf);
	return r < 0 ? cli_error_lib(ctx, r, "cannot use --depot-profile-list") : 0;
}

static int audit_inputs(struct cli_ctx *ctx, const struct audit_cfg *cfg, struct audit_in *in)
{
	size_t k;
	int r;

	r = vitk_esxupdate_command_parse(&in->cmd, cfg->command);
	if (r < 0) /* the pasted command line is part of our command line: a usage error */
		return cli_error(ctx, CLI_EXIT_USAGE, "cannot use --command: %s", vitk_error_last()->message);
	r = load_host(ctx, "audit", &cfg->host, &in->host);
	if (!r)
		r = open_depot(ctx, cfg->depot, &in->depot);
	for (k = 0; !r && k < cfg->depot_profiles.n; k++) {
		char *buf = NULL;
		size_t len = 0;

		r = vitk_read_file(cfg->depot_profiles.v[k], VITK_ESXUPDATE_INPUT_MAX, &buf, &len);
		if (r == 0)
			r = vitk_esxupdate_depot_add_profile_text(in->depot, buf, len, cfg->depot_profiles.v[k]);
		free(buf);
		if (r < 0)
			r = cli_error_lib(ctx, r, "cannot use --depot-profile");
	}
	if (!r && cfg->depot_profile_list)
		r = profile_list_input(ctx, cfg->depot_profile_list, in->depot);
	if (!r && cfg->vendor_depot)
		r = vendor_input(ctx, cfg, in);
	if (!r && !(in->host_name = host_name_of(cfg)))
		r = cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	return r;
}

/* a string member of the document, or @dflt when it is null */
static const char *doc_str(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : dflt;
}

/* text: the audit document under headings, the simulated esxcli output as esxcli prints it */
static int audit_text(struct cli_ctx *ctx, const vitk_esxupdate_audit *a, const json_t *doc, const char *profile)
{
	const json_t *h = json_object_get(doc, "host"), *rec = json_object_get(doc, "recommendation");
	char *raw = vitk_esxupdate_result_text(vitk_esxupdate_audit_result(a));
	char *sim = raw ? shown_lines(raw) : NULL;
	struct shown sh = { 0 };
	vitk_table *t = NULL;
	size_t i;
	int r;

	free(raw);
	if (!sim)
		return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	cli_text(ctx, "Host:    %s (%lld VIBs, profile %s, acceptance %s, %lld PCI devices)\n",
		 shown(&sh, doc_str(h, "name", "?")), (long long)json_integer_value(json_object_get(h, "vib_count")),
		 shown(&sh, doc_str(h, "profile", "unknown")), doc_str(h, "acceptance", "unknown"),
		 (long long)json_integer_value(json_object_get(h, "pci_devices")));
	cli_text(ctx, "Depot:   %s\nCommand: %s\n", shown(&sh, doc_str(json_object_get(doc, "depot"), "path", "?")),
		 shown(&sh, doc_str(doc, "command", "?")));
	if (json_string_value(json_object_get(doc, "profile_source")))
		cli_text(ctx, "Profile: %s (VIB list from %s)\n", shown(&sh, profile),
			 doc_str(doc, "profile_source", "?"));
	shown_free(&sh);
	cli_text(ctx, "\nSimulated esxcli output:\n");
	cli_text_block(ctx, sim);
	cli_text(ctx, "\nPer-VIB classification:\n");
	free(sim);
	r = print_table(ctx, vitk_esxupdate_audit_changes_table(&t, a), &t);
	cli_text(ctx, "\nFindings:\n");
	if (r == 0)
		r = print_table(ctx, vitk_esxupdate_audit_findings_table(&t, a), &t);
	cli_text(ctx, "\nAssumptions (rules VMware does not document):\n");
	for (i = 0; i < json_array_size(json_object_get(doc, "assumptions")); i++) {
		cli_text(ctx, "  - %s\n",
			 shown(&sh, json_string_value(json_array_get(json_object_get(doc, "assumptions"), i))));
		shown_free(&sh);
	}
	cli_text(ctx, "\nVerdict: %s\n", doc_str(doc, "verdict", "?"));
	if (json_string_value(json_object_get(rec, "command")))
		cli_text(ctx, "Recommended (run first with --dry-run):\n  %s\n", shown(&sh, doc_str(rec, "command", "")));
	cli_text(ctx, "Why: %s\n", shown(&sh, doc_str(rec, "explanation", "")));
	shown_free(&sh);
	return r;
}

static int audit_render(struct cli_ctx *ctx, const vitk_esxupdate_audit *a, const struct audit_in *in,
			const char *line, const char *uuid)
{
	vitk_table *t = NULL;
	json_t *doc = NULL;
	int r;

	if (ctx->output == CLI_OUT_CSV) /* one table per CSV document: the findings */
		return print_table(ctx, vitk_esxupdate_audit_findings_table(&t, a), &t);
	r = vitk_esxupdate_audit_to_json(&doc, a, in->host_name, line, uuid);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot format the result");
	if (ctx->output == CLI_OUT_JSON)
		return print_doc(ctx, 0, &doc);
	r = audit_text(ctx, a, doc, in->cmd->profile);
	json_decref(doc);
	return r;
}

static int cmd_audit(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct audit_cfg *cfg = ctx->config;
	struct audit_in in = { 0 };
	vitk_esxupdate_audit *a = NULL;
	char uuid[37] = "";
	int r;

	(void)argc;
	(void)argv;
	if (!cfg->host.vibs || !cfg->depot || !cfg->command)
		return cli_error(ctx, CLI_EXIT_USAGE, "audit needs --host-vibs FILE, --depot ZIP and --command \"esxcli ...\"");
	r = audit_inputs(ctx, cfg, &in);
	if (r == 0) {
		vitk_esxupdate_audit_options o = { .vendor_depot = in.vendor, .vendor_depot_path = in.vendor_path };

		r = vitk_esxupdate_audit_run_ex(&a, in.host, in.depot, in.cmd, &o);
		if (r < 0)
			r = cli_error_lib(ctx, r, "cannot simulate the command");
	}
	if (r == 0 && !cfg->no_store) {
		r = vitk_esxupdate_store_audit(ctx->inv, ctx->host_id, in.host_name, in.host, cfg->host.vibs,
					       in.depot, cfg->command, a, uuid);
		if (r < 0)
			r = cli_error_lib(ctx, r, "cannot record the audit");
		else
			cli_info(ctx, "recorded audit %s", uuid);
	}
	if (r == 0)
		r = audit_render(ctx, a, &in, cfg->command, uuid);
	if (r == 0 && (vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL) ||
		       vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_WARNING)))
		r = CLI_EXIT_AUDIT_FINDINGS;
	vitk_esxupdate_audit_free(a);
	audit_in_free(&in);
	return r;
}

/* ------------------------------------------------------------ snapshot */

struct snapshot_cfg {
	struct host_files host;
};

#define CFG struct snapshot_cfg
static const struct cli_opt snapshot_opts[] = {
	{ CLI_STR(CFG, host.vibs, "host-vibs", 0, "FILE", "`esxcli software vib list` output (text, csv or xml)") },
	{ CLI_STR(CFG, host.vib_details, "host-vib-details", 0, "FILE", "`esxcli software vib get` output (text or xml)") },
	{ CLI_STR(CFG, host.profile, "host-profile", 0, "FILE", "`esxcli software profile get` / `acceptance get` output") },
	CLI_OPT_END,
};
#undef CFG

struct snapshot_doc {
	const char *host, *snapshot;
	int64_t vibs;
	const char *format, *profile;
};

static const vitk_table_column snapshot_cols[] = {
	VITK_TABLE_FIELD(struct snapshot_doc, host, "host"),
	VITK_TABLE_FIELD(struct snapshot_doc, snapshot, "snapshot"),
	VITK_TABLE_FIELD(struct snapshot_doc, vibs, "vibs"),
	VITK_TABLE_FIELD(struct snapshot_doc, format, "format"),
	VITK_TABLE_FIELD(struct snapshot_doc, profile, "profile"),
};

static int cmd_snapshot(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct snapshot_cfg *cfg = ctx->config;
	vitk_esxupdate_host *h = NULL;
	struct snapshot_doc doc;
	char uuid[37];
	int r;

	(void)argc;
	if (!cfg->host.vibs)
		return cli_error(ctx, CLI_EXIT_USAGE, "snapshot needs --host-vibs FILE");
	r = load_host(ctx, "snapshot", &cfg->host, &h);
	if (r)
		return r;
	r = vitk_esxupdate_store_snapshot(ctx->inv, argv[0], h, cfg->host.vibs, uuid);
	if (r < 0) {
		r = cli_error_lib(ctx, r, "cannot record the snapshot");
	} else {
		doc = (struct snapshot_doc){ argv[0], uuid, (int64_t)vitk_esxupdate_host_vib_count(h),
					     vitk_esxupdate_host_list_format(h), vitk_esxupdate_host_profile(h) };
		r = cli_print_struct(ctx, snapshot_cols, VITK_ARRAY_SIZE(snapshot_cols), &doc);
	}
	vitk_esxupdate_host_free(h);
	return r;
}

/* ------------------------------------------------------------- compare */

struct compare_cfg {
	const char *depot;
	bool all;
};

#define CFG struct compare_cfg
static const struct cli_opt compare_opts[] = {
	{ CLI_STR(CFG, depot, "depot", 'd', "ZIP", "the depot holding both profiles") },
	{ CLI_FLAG(CFG, all, "all", 'a', "also list VIBs that are equal in both") },
	CLI_OPT_END,
};
#undef CFG

static int cmd_compare(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct compare_cfg *cfg = ctx->config;
	vitk_esxupdate_depot *d = NULL;
	vitk_esxupdate_diff *diff = NULL;
	vitk_table *t = NULL;
	json_t *doc = NULL;
	int r;

	(void)argc;
	if (!cfg->depot)
		return cli_error(ctx, CLI_EXIT_USAGE, "compare needs --depot ZIP");
	r = open_depot(ctx, cfg->depot, &d);
	if (r)
		return r;
	r = vitk_esxupdate_profile_compare(&diff, d, argv[0], argv[1]);
	if (r < 0) {
		r = cli_error_lib(ctx, r, "cannot compare");
	} else if (ctx->output == CLI_OUT_JSON) {
		r = print_doc(ctx, vitk_esxupdate_diff_to_json(&doc, diff, argv[0], argv[1], cfg->all), &doc);
	} else {
		struct shown sh = { 0 };

		cli_text(ctx, "A: %s (acceptance %s)\nB: %s (acceptance %s)\n\n", shown(&sh, argv[0]),
			 vitk_esxupdate_acceptance_name(diff->a_acceptance), shown(&sh, argv[1]),
			 vitk_esxupdate_acceptance_name(diff->b_acceptance));
		shown_free(&sh);
		r = print_table(ctx, vitk_esxupdate_diff_table(&t, diff, cfg->all), &t);
	}
	vitk_esxupdate_diff_free(diff);
	vitk_esxupdate_depot_free(d);
	return r;
}

/* ---------------------------------------------------------------- vibs */

struct vibs_cfg {
	bool diff;
};

#define CFG struct vibs_cfg
static const struct cli_opt vibs_opts[] = {
	{ CLI_FLAG(CFG, diff, "diff", 0, "show what changed between the two latest snapshots") },
	CLI_OPT_END,
};
#undef CFG

static int vibs_diff(struct cli_ctx *ctx, const char *host)
{
	vitk_esxupdate_snapshot_diff *diff = NULL;
	vitk_table *t = NULL;
	int r;

	r = vitk_esxupdate_snapshot_diff_latest(&diff, ctx->inv, host);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot diff");
	{
		struct shown sh = { 0 };

		cli_text(ctx, "%s: snapshot %s -> %s\n", shown(&sh, host), shown(&sh, diff->old_taken),
			 shown(&sh, diff->new_taken));
		shown_free(&sh);
	}
	r = print_table(ctx, vitk_esxupdate_snapshot_diff_table(&t, diff), &t);
	vitk_esxupdate_snapshot_diff_free(diff);
	return r;
}

static int cmd_vibs(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const skip[] = { "id", "host_id", "host", "snapshot_uuid", "created_at", "updated_at", NULL };
	const struct vibs_cfg *cfg = ctx->config;
	vitk_inventory_rows *snaps = NULL, *rows = NULL;
	vitk_table *t = NULL;
	int64_t hid;
	int r;

	(void)argc;
	r = vitk_inventory_host_lookup(ctx->inv, argv[0], &hid);
	if (r < 0)
		return cli_error_lib(ctx, r, "no VIB snapshot");
	if (cfg->diff)
		return vibs_diff(ctx, argv[0]);
	r = vitk_inventory_select(&snaps, ctx->inv, "esxupdate_snapshot", hid, NULL, 0, "id DESC");
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot read snapshots");
	if (vitk_inventory_rows_count(snaps) == 0) {
		r = cli_error(ctx, CLI_EXIT_NOTFOUND, "no VIB snapshot for host '%s'", argv[0]);
	} else {
		vitk_inventory_value m = VITK_INV_S("snapshot_uuid", vitk_inventory_rows_get(snaps, 0, "uuid"));

		r = vitk_inventory_select(&rows, ctx->inv, "esxupdate_snapshot_vib", hid, &m, 1, "name");
		if (r < 0)
			r = cli_error_lib(ctx, r, "cannot read snapshot");
	}
	if (r == 0) {
		struct shown sh = { 0 };

		cli_text(ctx, "%s: snapshot of %s (%s)\n", shown(&sh, argv[0]),
			 shown(&sh, vitk_inventory_rows_get(snaps, 0, "taken_at")),
			 shown(&sh, vitk_inventory_rows_get(snaps, 0, "source")));
		shown_free(&sh);
		r = print_table(ctx, cli_rows_to_table(&t, rows, skip), &t);
	}
	vitk_inventory_rows_free(rows);
	vitk_inventory_rows_free(snaps);
	return r;
}

/* ------------------------------------------------------------- history */

struct history_cfg {
	const char *host;
	bool findings;
};

#define CFG struct history_cfg
static const struct cli_opt history_opts[] = {
	{ CLI_STR(CFG, host, "host", 'H', "HOST", "only audits of this ESXi host") },
	{ CLI_FLAG(CFG, findings, "findings", 'f', "list the findings of every audit") },
	CLI_OPT_END,
};
#undef CFG

static int cmd_history(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const skip[] = { "id", "host_id", "host", "snapshot_uuid", "depot_sha256", "created_at",
					    "updated_at", "recommended", "info", NULL };
	static const char *const fskip[] = { "id", "host_id", "created_at", "updated_at", NULL };
	const struct history_cfg *cfg = ctx->config;
	vitk_inventory_rows *rows = NULL;
	vitk_table *t = NULL;
	int64_t hid = 0;
	int r;

	(void)argc;
	(void)argv;
	if (cfg->host) {
		r = vitk_inventory_host_lookup(ctx->inv, cfg->host, &hid);
		if (r < 0)
			return cli_error_lib(ctx, r, "cannot list audits");
	}
	r = vitk_inventory_select(&rows, ctx->inv, cfg->findings ? "esxupdate_finding" : "esxupdate_audit", hid,
				  NULL, 0, "id");
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot list audits");
	r = print_table(ctx, cli_rows_to_table(&t, rows, cfg->findings ? fskip : skip), &t);
	vitk_inventory_rows_free(rows);
	return r;
}

const struct cli_verb cli_esxupdate_verbs[] = {
	{ .name = "depot", .fn = cmd_depot, .opts = depot_opts, CLI_CONFIG(struct depot_cfg), .min_args = 1,
	  .max_args = 1, .flags = CLI_NEEDS_INVENTORY, .args_usage = "ZIP",
	  .summary = "Read an offline bundle (or .vib): image profiles, bulletins, VIBs; record it" },
	{ .name = "audit", .fn = cmd_audit, .opts = audit_opts, CLI_CONFIG(struct audit_cfg), .min_args = 0,
	  .max_args = 0, .flags = CLI_NEEDS_INVENTORY,
	  .summary = "Predict what an esxcli software command would do; exit 10 on CRITICAL/WARNING findings" },
	{ .name = "snapshot", .fn = cmd_snapshot, .opts = snapshot_opts, CLI_CONFIG(struct snapshot_cfg),
	  .min_args = 1, .max_args = 1, .flags = CLI_NEEDS_INVENTORY, .args_usage = "HOST",
	  .summary = "Record a dated VIB snapshot of an ESXi host from esxcli captures" },
	{ .name = "compare", .fn = cmd_compare, .opts = compare_opts, CLI_CONFIG(struct compare_cfg),
	  .min_args = 2, .max_args = 2, .args_usage = "PROFILE_A PROFILE_B",
	  .summary = "Compare two image profiles of a depot" },
	{ .name = "vibs", .fn = cmd_vibs, .opts = vibs_opts, CLI_CONFIG(struct vibs_cfg), .min_args = 1,
	  .max_args = 1, .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .args_usage = "HOST",
	  .summary = "VIBs of the latest recorded snapshot of an ESXi host (--diff: changes)" },
	{ .name = "history", .fn = cmd_history, .opts = history_opts, CLI_CONFIG(struct history_cfg),
	  .min_args = 0, .max_args = 0, .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO,
	  .summary = "Recorded audits (or their findings)" },
	{ 0 },
};
