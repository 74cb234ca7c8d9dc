/* SPDX-License-Identifier: MIT */
/* vitk inventory verbs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vitk/odx.h>
#include <vitk/str.h>

#include "cli.h"
#include "cmd_inventory_html.h"


/* inventory rows as a table, printed in the --output format */
static int print_rows(struct cli_ctx *ctx, const vitk_inventory_rows *rows, const char *const *skip)
{
	vitk_table *t = NULL;
	int r;

	r = cli_rows_to_table(&t, rows, skip);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot format the result");
	r = cli_print_table(ctx, t);
	vitk_table_free(t);
	return r;
}

struct init_doc {
	const char *path;
	int64_t schema;
	const char *local_host;
	const char *machine_id;
};

static const vitk_table_column init_cols[] = {
	VITK_TABLE_FIELD(struct init_doc, path, "path"),
	VITK_TABLE_FIELD(struct init_doc, schema, "schema"),
	VITK_TABLE_FIELD(struct init_doc, local_host, "local_host"),
	VITK_TABLE_FIELD(struct init_doc, machine_id, "machine_id"),
};

static int cmd_init(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_inventory_rows *rows = NULL;
	struct init_doc doc = { vitk_inventory_path(ctx->inv), VITK_INVENTORY_SCHEMA_VERSION, NULL,
				NULL };
	int r;

	(void)argc;
	(void)argv;
	r = vitk_inventory_query(&rows, ctx->inv,
				 "SELECT name, machine_id FROM hosts WHERE id = (SELECT max(id) "
				 "FROM hosts WHERE source = 'local')");
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot read '%s'", vitk_inventory_path(ctx->inv));
	doc.local_host = vitk_inventory_rows_get(rows, 0, "name");
	doc.machine_id = vitk_inventory_rows_get(rows, 0, "machine_id");
	r = cli_print_struct(ctx, init_cols, VITK_ARRAY_SIZE(init_cols), &doc);
	vitk_inventory_rows_free(rows);
	return r;
}

static int cmd_hosts(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_inventory_rows *rows = NULL;
	int r;

	(void)argc;
	(void)argv;
	r = vitk_inventory_query(&rows, ctx->inv,
				 "SELECT id, name, machine_id, kind, source, created_at, updated_at "
				 "FROM hosts ORDER BY id");
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot list hosts");
	r = print_rows(ctx, rows, NULL);
	vitk_inventory_rows_free(rows);
	return r;
}

static int cmd_show(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_inventory_rows *rows = NULL;
	int r;

	(void)argc;
	(void)argv;
	r = vitk_inventory_counts(&rows, ctx->inv);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot count rows");
	cli_text(ctx, "inventory: %s\n", vitk_inventory_path(ctx->inv));
	r = print_rows(ctx, rows, NULL);
	vitk_inventory_rows_free(rows);
	return r;
}

struct report_cfg {
	const char *host;
	const char *host_glob;
	struct cli_strv where;
	const char *order_by;
	bool all_columns;
};

#define CFG struct report_cfg
static const struct cli_opt report_opts[] = {
	{ CLI_STR(CFG, host, "host", 'H', "HOST", "only rows of this host (name, machine-id or id)") },
	{ CLI_STR(CFG, host_glob, "host-glob", 'g', "PATTERN", "only rows of hosts whose name matches this shell pattern") },
	{ CLI_MULTI(CFG, where, "where", 'w', "COL=VAL", "only rows whose column equals the value") },
	{ CLI_STR(CFG, order_by, "order-by", 0, "COL", "sort by this column (append ' DESC' to reverse)") },
	{ CLI_FLAG(CFG, all_columns, "all-columns", 'a', "include created_at, updated_at and host_id") },
	CLI_OPT_END,
};
#undef CFG

#define REPORT_MAX_WHERE 32

/* --where COL=VAL filters as inventory matches; @names holds the column names */
static int parse_where(struct cli_ctx *ctx, const struct cli_strv *where,
		       vitk_inventory_value *match, char **names)
{
	if (where->n > REPORT_MAX_WHERE)
		return cli_error(ctx, CLI_EXIT_USAGE, "at most %d --where filters", REPORT_MAX_WHERE);
	for (size_t i = 0; i < where->n; i++) {
		const char *eq = strchr(where->v[i], '=');

		if (!eq || eq == where->v[i])
			return cli_error(ctx, CLI_EXIT_USAGE, "--where needs COL=VAL, not '%s'",
					 where->v[i]);
		names[i] = strndup(where->v[i], (size_t)(eq - where->v[i]));
		if (!names[i])
			return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
		match[i] = VITK_INV_S(names[i], eq + 1);
	}
	return 0;
}

/* the report failed: say so, and name the tables when something was not found */
static int report_error(struct cli_ctx *ctx, int r, const char *table)
{
	vitk_inventory_rows *tabs = NULL;
	vitk_str msg = VITK_STR_INIT;

	if (r != VITK_ENOTFOUND)
		return cli_error_lib(ctx, r, "cannot report '%s'", table);
	vitk_str_putf(&msg, "cannot report '%s': %s", table, vitk_error_last()->message);
	if (vitk_inventory_tables(&tabs, ctx->inv) == 0) {
		for (size_t i = 0; i < vitk_inventory_rows_count(tabs); i++)
			vitk_str_putf(&msg, "%s%s", i ? " " : " (tables: ",
				      vitk_inventory_rows_get(tabs, i, "table"));
		vitk_str_puts(&msg, vitk_inventory_rows_count(tabs) ? ")" : "");
	}
	vitk_inventory_rows_free(tabs);
	r = cli_error(ctx, CLI_EXIT_NOTFOUND, "%s", msg.oom ? "cannot report: out of memory" : msg.ptr);
	vitk_str_clear(&msg);
	return r;
}

/* report free-vfs | offload-savings: aggregates across hosts */
static int fleet_report(struct cli_ctx *ctx, const char *name, const struct report_cfg *cfg)
{
	vitk_inventory_rows *rows = NULL;
	int r;

	if (cfg->host || cfg->where.n || cfg->order_by)
		return cli_error(ctx, CLI_EXIT_USAGE,
				 "'%s' takes --host-glob, not --host, --where or --order-by", name);
	r = vitk_inventory_fleet_report(&rows, ctx->inv, name, cfg->host_glob);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot report '%s'", name);
	r = print_rows(ctx, rows, NULL);
	vitk_inventory_rows_free(rows);
	return r;
}

static int cmd_report(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const skip[] = { "host_id", "created_at", "updated_at", NULL };
	const struct report_cfg *cfg = ctx->config;
	vitk_inventory_value match[REPORT_MAX_WHERE];
	char *names[REPORT_MAX_WHERE] = { 0 };
	vitk_inventory_rows *rows = NULL;
	int64_t host_id = 0;
	int r;

	(void)argc;
	if (strcmp(argv[0], "hosts") == 0 && cfg->where.n == 0 && !cfg->host && !cfg->host_glob)
		return cmd_hosts(ctx, 0, NULL);
	if (strchr(argv[0], '-'))
		return fleet_report(ctx, argv[0], cfg);
	if (cfg->host && cfg->host_glob)
		return cli_error(ctx, CLI_EXIT_USAGE, "give --host or --host-glob, not both");
	r = parse_where(ctx, &cfg->where, match, names);
	if (r)
		goto out;
	if (cfg->host) {
		r = vitk_inventory_host_lookup(ctx->inv, cfg->host, &host_id);
		if (r < 0) {
			r = cli_error_lib(ctx, r, "cannot report");
			goto out;
		}
	}
	if (cfg->host_glob)
		r = vitk_inventory_select_glob(&rows, ctx->inv, argv[0], cfg->host_glob, match,
					       cfg->where.n, cfg->order_by);
	else
		r = vitk_inventory_select(&rows, ctx->inv, argv[0], host_id, match, cfg->where.n,
					  cfg->order_by);
	if (r < 0)
		r = report_error(ctx, r, argv[0]);
	else
		r = print_rows(ctx, rows, cfg->all_columns ? NULL : skip);
out:
	for (size_t i = 0; i < REPORT_MAX_WHERE; i++)
		free(names[i]);
	vitk_inventory_rows_free(rows);
	return r;
}

static int cmd_tables(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_inventory_rows *rows = NULL;
	int r;

	(void)argc;
	(void)argv;
	r = vitk_inventory_tables(&rows, ctx->inv);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot list tables");
	r = print_rows(ctx, rows, NULL);
	vitk_inventory_rows_free(rows);
	return r;
}

static int cmd_export(struct cli_ctx *ctx, int argc, char **argv)
{
	char tmp[4096];
	FILE *f = stdout;
	int r, fd;

	if (argc == 0 || strcmp(argv[0], "-") == 0) {
		r = vitk_inventory_export(ctx->inv, stdout);
		return r < 0 ? cli_error_lib(ctx, r, "cannot export") : CLI_EXIT_OK;
	}
	/* write beside the target, then rename: never a half-written export */
	snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", argv[0]);
	fd = mkstemp(tmp);
	if (fd < 0)
		return cli_error(ctx, CLI_EXIT_FAIL, "cannot write '%s': %s", argv[0], strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return cli_error(ctx, CLI_EXIT_FAIL, "cannot write '%s': %s", argv[0], strerror(errno));
	}
	r = vitk_inventory_export(ctx->inv, f);
	if (fclose(f) != 0 && r == 0)
		r = vitk_error_set(VITK_EIO, errno, "cannot write '%s'", argv[0]);
	if (r == 0 && rename(tmp, argv[0]) < 0)
		r = vitk_error_set(VITK_EIO, errno, "cannot rename to '%s'", argv[0]);
	if (r < 0) {
		unlink(tmp);
		return cli_error_lib(ctx, r, "cannot export to '%s'", argv[0]);
	}
	cli_info(ctx, "exported to '%s'", argv[0]);
	return CLI_EXIT_OK;
}

struct import_doc {
	const char *file;
	vitk_inventory_import_stats st;
};

static const vitk_table_column import_cols[] = {
	VITK_TABLE_FIELD(struct import_doc, file, "file"),
	VITK_TABLE_FIELD(struct import_doc, st.hosts_added, "hosts_added"),
	VITK_TABLE_FIELD(struct import_doc, st.rows_added, "rows_added"),
	VITK_TABLE_FIELD(struct import_doc, st.rows_updated, "rows_updated"),
	VITK_TABLE_FIELD(struct import_doc, st.rows_unchanged, "rows_unchanged"),
};

struct import_cfg {
	uint64_t max_size, max_memory;
};

#define CFG struct import_cfg
static const struct cli_opt import_opts[] = {
	{ CLI_SIZE(CFG, max_size, "max-size", 0, "SIZE", "refuse a larger file (default 256M)"),
	  CLI_RANGE(1, 1ull << 40) },
	{ CLI_SIZE(CFG, max_memory, "max-memory", 0, "SIZE",
		   "refuse a document whose parse would need more memory (default 512M)"),
	  CLI_RANGE(1, 1ull << 40) },
	CLI_OPT_END,
};
#undef CFG

static int cmd_import(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct import_cfg *cfg = ctx->config;
	vitk_inventory_import_limits lim = VITK_INVENTORY_IMPORT_LIMITS_INIT;
	struct import_doc doc = { .file = argv[0] };
	bool from_stdin = strcmp(argv[0], "-") == 0;
	char *buf = NULL;
	size_t len = 0;
	int r;

	(void)argc;
	if (cfg->max_size)
		lim.max_bytes = cfg->max_size;
	if (cfg->max_memory)
		lim.max_memory = cfg->max_memory;
	r = vitk_read_file(from_stdin ? "/dev/stdin" : argv[0], (size_t)lim.max_bytes, &buf, &len);
	if (r == VITK_ERANGE)
		return cli_error(ctx, CLI_EXIT_FAIL, "cannot read '%s': larger than %llu bytes (--max-size)",
				 argv[0], (unsigned long long)lim.max_bytes);
	if (r < 0)
		return cli_error(ctx, r == VITK_ENOTFOUND ? CLI_EXIT_NOTFOUND : CLI_EXIT_FAIL, "%s",
				 vitk_error_last()->message);
	r = vitk_inventory_import_limited(ctx->inv, buf, len, &lim, &doc.st);
	free(buf);
	if (r == 0) /* an export from an older vitk may carry iSCSI secrets: drop them now */
		r = vitk_odx_inventory_register(ctx->inv);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot import '%s'", argv[0]);
	if (ctx->quiet)
		return CLI_EXIT_OK;
	return cli_print_struct(ctx, import_cols, VITK_ARRAY_SIZE(import_cols), &doc);
}

static int cmd_sql(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_inventory_rows *rows = NULL;
	int r;

	(void)argc;
	r = vitk_inventory_query(&rows, ctx->inv, argv[0]);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot run query");
	r = print_rows(ctx, rows, NULL);
	vitk_inventory_rows_free(rows);
	return r;
}

static int cmd_check(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_inventory_rows *rows = NULL;
	int r;

	(void)argc;
	(void)argv;
	r = vitk_inventory_check(&rows, ctx->inv);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot check '%s'", vitk_inventory_path(ctx->inv));
	if (vitk_inventory_rows_count(rows) == 0) {
		cli_text(ctx, "%s: ok (%s)\n", vitk_inventory_path(ctx->inv),
			 ctx->inv && strcmp(vitk_inventory_backend(ctx->inv), "postgresql") == 0
				 ? "indexes, tables, foreign keys"
				 : "integrity_check, foreign_key_check");
		if (ctx->output != CLI_OUT_TABLE)
			print_rows(ctx, rows, NULL);
		vitk_inventory_rows_free(rows);
		return CLI_EXIT_OK;
	}
	print_rows(ctx, rows, NULL);
	vitk_inventory_rows_free(rows);
	return cli_error(ctx, CLI_EXIT_DB, "'%s' failed its integrity check",
			 vitk_inventory_path(ctx->inv));
}

struct push_cfg {
	struct cli_strv hosts;
	bool all_hosts;
};

#define CFG struct push_cfg
static const struct cli_opt push_opts[] = {
	{ CLI_MULTI(CFG, hosts, "host", 'H', "HOST", "push this local host (name, machine-id or id) instead of the local machine") },
	{ CLI_FLAG(CFG, all_hosts, "all-hosts", 0, "push every host of the local inventory (imported captures too)") },
	CLI_OPT_END,
};
#undef CFG

struct push_doc {
	const char *central;
	vitk_inventory_push_stats st;
};

static const vitk_table_column push_cols[] = {
	VITK_TABLE_FIELD(struct push_doc, central, "central"),
	VITK_TABLE_FIELD(struct push_doc, st.hosts, "hosts"),
	VITK_TABLE_FIELD(struct push_doc, st.hosts_added, "hosts_added"),
	VITK_TABLE_FIELD(struct push_doc, st.rows_added, "rows_added"),
	VITK_TABLE_FIELD(struct push_doc, st.rows_updated, "rows_updated"),
	VITK_TABLE_FIELD(struct push_doc, st.rows_unchanged, "rows_unchanged"),
	VITK_TABLE_FIELD(struct push_doc, st.attempts, "attempts"),
};

/* the local host ids to push: --host, --all-hosts, or the local machine */
static int push_hosts(struct cli_ctx *ctx, const struct push_cfg *cfg, int64_t **ids, size_t *n)
{
	vitk_inventory_rows *rows = NULL;
	size_t want = cfg->all_hosts ? 0 : cfg->hosts.n ? cfg->hosts.n : 1;
	int r = 0;

	if (cfg->all_hosts) {
		r = vitk_inventory_query(&rows, ctx->inv, "SELECT id FROM hosts ORDER BY id");
		if (r < 0)
			return cli_error_lib(ctx, r, "cannot list hosts");
		want = vitk_inventory_rows_count(rows);
	}
	*ids = calloc(want + 1, sizeof(**ids));
	if (!*ids) {
		vitk_inventory_rows_free(rows);
		return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	}
	for (size_t i = 0; r == 0 && i < want; i++) {
		if (rows)
			(*ids)[i] = vitk_inventory_rows_int(rows, i, 0);
		else if (cfg->hosts.n)
			r = vitk_inventory_host_lookup(ctx->inv, cfg->hosts.v[i], &(*ids)[i]);
		else if (!((*ids)[i] = ctx->host_id))
			r = vitk_error_set(VITK_ENOTFOUND, 0,
					   "this machine is not in '%s': run `vitk inventory init` first",
					   ctx->db_path);
	}
	vitk_inventory_rows_free(rows);
	*n = want;
	if (r == 0)
		return 0;
	free(*ids);
	*ids = NULL;
	return cli_error_lib(ctx, r, "cannot push");
}

static int cmd_push(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *target = argc > 0 ? argv[0] : getenv("VITK_PUSH_URL");
	struct push_doc doc = { 0 };
	vitk_inventory *central = NULL;
	int64_t *ids = NULL;
	size_t n = 0;
	int r;

	if (!target || !*target)
		return cli_error(ctx, CLI_EXIT_USAGE, "push needs URL or $VITK_PUSH_URL");
	r = push_hosts(ctx, ctx->config, &ids, &n);
	if (r)
		return r;
	r = vitk_inventory_open(&central, target, 0);
	if (r == 0) {
		doc.central = vitk_inventory_path(central);
		if (strcmp(doc.central, target) != 0 && strstr(doc.central, "***"))
			cli_warn(ctx, "a password in the URL is visible to every local user; "
				      "use ~/.pgpass, PGPASSFILE or a service file");
		r = vitk_inventory_push(central, ctx->inv, ids, n, &doc.st);
	}
	free(ids);
	if (r < 0) {
		vitk_inventory_free(central);
		return cli_error(ctx, CLI_EXIT_DB, "%s", vitk_error_last()->message);
	}
	r = ctx->quiet ? CLI_EXIT_OK : cli_print_struct(ctx, push_cols, VITK_ARRAY_SIZE(push_cols), &doc);
	vitk_inventory_free(central);
	return r;
}

const struct cli_verb cli_inventory_verbs[] = {
	{ .name = "init", .fn = cmd_init, .max_args = 0, .flags = CLI_NEEDS_INVENTORY,
	  .summary = "Create the inventory (or upgrade it) and register this host" },
	{ .name = "hosts", .fn = cmd_hosts, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "List the hosts in the inventory" },
	{ .name = "show", .fn = cmd_show, .max_args = 0, .flags = CLI_NEEDS_INVENTORY,
	  .summary = "Row counts per domain and table" },
	{ .name = "report", .fn = cmd_report, .opts = report_opts, CLI_CONFIG(struct report_cfg),
	  .min_args = 1, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .args_usage = "TABLE|free-vfs|offload-savings",
	  .summary = "Print one inventory table, filtered by host and column values, or a fleet aggregate" },
	{ .name = "tables", .fn = cmd_tables, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .summary = "List the domain tables and their columns" },
	{ .name = "export", .fn = cmd_export, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .args_usage = "[FILE|-]",
	  .summary = "Write the whole inventory as one JSON document" },
	{ .name = "import", .fn = cmd_import, .opts = import_opts, CLI_CONFIG(struct import_cfg),
	  .min_args = 1, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "FILE|-",
	  .summary = "Merge another inventory's export (all or nothing, idempotent)" },
	{ .name = "sql", .fn = cmd_sql, .min_args = 1, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .args_usage = "\"SELECT ...\"",
	  .summary = "Run one read-only SELECT against the inventory" },
	{ .name = "push", .fn = cmd_push, .opts = push_opts, CLI_CONFIG(struct push_cfg),
	  .max_args = 1, .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .args_usage = "[URL]",
	  .summary = "Upsert this host's rows into a central PostgreSQL inventory (one transaction)" },
	{ .name = "check", .fn = cmd_check, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO,
	  .summary = "integrity_check and foreign_key_check" },
	/* `html` lives in cmd_inventory_html.c (the report library's page) */
	{ .name = "html", .fn = cli_inventory_html, .opts = cli_inventory_html_opts,
	  CLI_CONFIG(struct cli_inventory_html_cfg), .min_args = 1, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .args_usage = "FILE|-",
	  .summary = "Write the inventory as one self-contained HTML page with charts" },
	{ .name = "ls", .alias_of = "hosts" },
	{ .name = "stats", .alias_of = "show" },
	{ 0 },
};
