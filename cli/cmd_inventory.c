/* SPDX-License-Identifier: MIT */
/* vitk inventory verbs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define IMPORT_MAX (1024u * 1024u * 1024u)

static int print_rows(struct cli_ctx *ctx, vitk_inventory_rows *rows, const char *const *skip)
{
	cli_table *t = cli_table_from_rows(rows, skip);
	int r;

	if (!t)
		return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	r = cli_table_print(ctx, t);
	cli_table_free(t);
	return r;
}

static int cmd_init(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_inventory_rows *rows = NULL;
	cli_table *t = cli_table_new();
	int r;

	(void)argc;
	(void)argv;
	r = vitk_inventory_query(&rows, ctx->inv,
				 "SELECT name, machine_id FROM hosts WHERE id = (SELECT max(id) "
				 "FROM hosts WHERE source = 'local')");
	if (r < 0) {
		cli_table_free(t);
		return cli_error_lib(ctx, r, "cannot read '%s'", ctx->db_path);
	}
	cli_table_add_column(t, "path", CLI_COL_STR);
	cli_table_add_column(t, "schema", CLI_COL_INT);
	cli_table_add_column(t, "local_host", CLI_COL_STR);
	cli_table_add_column(t, "machine_id", CLI_COL_STR);
	cli_table_add_row(t);
	cli_table_set_str(t, "path", ctx->db_path);
	cli_table_set_int(t, "schema", VITK_INVENTORY_SCHEMA_VERSION);
	cli_table_set_str(t, "local_host", vitk_inventory_rows_get(rows, 0, "name"));
	cli_table_set_str(t, "machine_id", vitk_inventory_rows_get(rows, 0, "machine_id"));
	r = cli_record_print(ctx, t);
	cli_table_free(t);
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
	cli_text(ctx, "inventory: %s\n", ctx->db_path);
	r = print_rows(ctx, rows, NULL);
	vitk_inventory_rows_free(rows);
	return r;
}

static const struct cli_opt report_opts[] = {
	CLI_OPT_STR("host", 'H', "HOST", "only rows of this host (name, machine-id or id)"),
	CLI_OPT_MULTI("where", 'w', "COL=VAL", "only rows whose column equals the value"),
	CLI_OPT_STR("order-by", 0, "COL", "sort by this column (append ' DESC' to reverse)"),
	CLI_OPT_FLAG("all-columns", 'a', "include created_at, updated_at and host_id"),
	CLI_OPT_END,
};

static int cmd_report(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const skip[] = { "host_id", "created_at", "updated_at", NULL };
	vitk_inventory_value match[32];
	char *copies[32] = { 0 };
	const char *const *where = NULL;
	size_t nwhere = cli_multi(ctx, "where", &where);
	const char *host = cli_str(ctx, "host");
	vitk_inventory_rows *rows = NULL;
	int64_t host_id = 0;
	int r = 0, ret;

	(void)argc;
	if (strcmp(argv[0], "hosts") == 0 && nwhere == 0 && !host)
		return cmd_hosts(ctx, 0, NULL);
	if (nwhere > 32)
		return cli_error(ctx, CLI_EXIT_USAGE, "at most 32 --where filters");
	if (host) {
		r = vitk_inventory_host_lookup(ctx->inv, host, &host_id);
		if (r < 0)
			return cli_error_lib(ctx, r, "cannot report");
	}
	for (size_t i = 0; i < nwhere; i++) {
		char *eq;

		copies[i] = strdup(where[i]);
		eq = copies[i] ? strchr(copies[i], '=') : NULL;
		if (!eq || eq == copies[i]) {
			ret = cli_error(ctx, CLI_EXIT_USAGE, "--where needs COL=VAL, not '%s'",
					where[i]);
			goto out;
		}
		*eq = '\0';
		match[i] = VITK_INV_S(copies[i], eq + 1);
	}
	r = vitk_inventory_select(&rows, ctx->inv, argv[0], host_id, match, nwhere,
				  cli_str(ctx, "order-by"));
	if (r < 0) {
		ret = cli_error_lib(ctx, r, "cannot report '%s'", argv[0]);
		if (r == VITK_ENOTFOUND) {
			vitk_inventory_rows *tabs = NULL;

			if (vitk_inventory_tables(&tabs, ctx->inv) == 0) {
				fprintf(stderr, "tables:");
				for (size_t i = 0; i < vitk_inventory_rows_count(tabs); i++)
					fprintf(stderr, " %s", vitk_inventory_rows_get(tabs, i, "table"));
				fprintf(stderr, "\n");
			}
			vitk_inventory_rows_free(tabs);
		}
		goto out;
	}
	ret = print_rows(ctx, rows, cli_flag(ctx, "all-columns") ? NULL : skip);
out:
	for (size_t i = 0; i < nwhere; i++)
		free(copies[i]);
	vitk_inventory_rows_free(rows);
	return ret;
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

static int read_stream(FILE *f, char **out, size_t *out_len)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		size_t n;

		if (len == cap) {
			char *nb;

			if (cap >= IMPORT_MAX) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				free(buf);
				return -EIO;
			}
			break;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

static int cmd_import(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_inventory_import_stats st;
	cli_table *t = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	(void)argc;
	f = strcmp(argv[0], "-") == 0 ? stdin : fopen(argv[0], "rb");
	if (!f)
		return cli_error(ctx, errno == ENOENT ? CLI_EXIT_NOTFOUND : CLI_EXIT_FAIL,
				 "cannot open '%s': %s", argv[0], strerror(errno));
	r = read_stream(f, &buf, &len);
	if (f != stdin)
		fclose(f);
	if (r < 0)
		return cli_error(ctx, CLI_EXIT_FAIL, "cannot read '%s': %s", argv[0],
				 r == -EFBIG ? "larger than 1 GiB" : strerror(-r));
	r = vitk_inventory_import(ctx->inv, buf, len, &st);
	free(buf);
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot import '%s'", argv[0]);
	t = cli_table_new();
	cli_table_add_column(t, "file", CLI_COL_STR);
	cli_table_add_column(t, "hosts_added", CLI_COL_INT);
	cli_table_add_column(t, "rows_added", CLI_COL_INT);
	cli_table_add_column(t, "rows_updated", CLI_COL_INT);
	cli_table_add_column(t, "rows_unchanged", CLI_COL_INT);
	cli_table_add_row(t);
	cli_table_set_str(t, "file", argv[0]);
	cli_table_set_int(t, "hosts_added", (int64_t)st.hosts_added);
	cli_table_set_int(t, "rows_added", (int64_t)st.rows_added);
	cli_table_set_int(t, "rows_updated", (int64_t)st.rows_updated);
	cli_table_set_int(t, "rows_unchanged", (int64_t)st.rows_unchanged);
	r = ctx->quiet ? CLI_EXIT_OK : cli_record_print(ctx, t);
	cli_table_free(t);
	return r;
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
		return cli_error_lib(ctx, r, "cannot check '%s'", ctx->db_path);
	if (vitk_inventory_rows_count(rows) == 0) {
		cli_text(ctx, "%s: ok (integrity_check, foreign_key_check)\n", ctx->db_path);
		if (ctx->output != CLI_OUT_TABLE)
			print_rows(ctx, rows, NULL);
		vitk_inventory_rows_free(rows);
		return CLI_EXIT_OK;
	}
	print_rows(ctx, rows, NULL);
	vitk_inventory_rows_free(rows);
	return cli_error(ctx, CLI_EXIT_DB, "'%s' failed its integrity check", ctx->db_path);
}

const struct cli_verb cli_inventory_verbs[] = {
	{ .name = "init", .fn = cmd_init, .max_args = 0, .flags = CLI_NEEDS_INVENTORY,
	  .summary = "Create the inventory (or upgrade it) and register this host" },
	{ .name = "hosts", .fn = cmd_hosts, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "List the hosts in the inventory" },
	{ .name = "show", .fn = cmd_show, .max_args = 0, .flags = CLI_NEEDS_INVENTORY,
	  .summary = "Row counts per domain and table" },
	{ .name = "report", .fn = cmd_report, .opts = report_opts, .min_args = 1, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .args_usage = "TABLE",
	  .summary = "Print one inventory table, filtered by host and column values" },
	{ .name = "tables", .fn = cmd_tables, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .summary = "List the domain tables and their columns" },
	{ .name = "export", .fn = cmd_export, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .args_usage = "[FILE|-]",
	  .summary = "Write the whole inventory as one JSON document" },
	{ .name = "import", .fn = cmd_import, .min_args = 1, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "FILE|-",
	  .summary = "Merge another inventory's export (all or nothing, idempotent)" },
	{ .name = "sql", .fn = cmd_sql, .min_args = 1, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO, .args_usage = "\"SELECT ...\"",
	  .summary = "Run one read-only SELECT against the inventory" },
	{ .name = "check", .fn = cmd_check, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY | CLI_INVENTORY_RO,
	  .summary = "integrity_check and foreign_key_check" },
	{ .name = "ls", .alias_of = "hosts" },
	{ .name = "stats", .alias_of = "show" },
	{ 0 },
};
