/* SPDX-License-Identifier: MIT */
/*
 * vitk odx serve: the lab iSCSI target (file-backed LUNs, EXTENDED COPY, ODX).
 *
 * Runs in the foreground until SIGINT/SIGTERM, logs connections and errors
 * to stderr and prints per-LUN counters at shutdown (a table on stdout with
 * --stats, a one-line summary per LUN on stderr otherwise).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/odx_target.h>

#include "cli.h"
#include "cmd_odx_serve.h"

const struct cli_opt cli_odx_serve_opts[] = {
	CLI_OPT_STR("portal", 'p', "HOST:PORT", "address to listen on (default 0.0.0.0:3260)"),
	CLI_OPT_STR("iqn", 0, "IQN", "target name, e.g. iqn.2026-01.lab.vitk:odx (required)"),
	CLI_OPT_MULTI("lun", 'l', "N=PATH[,size=S][,bs=512|4096][,ro]",
		      "serve PATH as LUN N (created sparse with size S when missing)"),
	CLI_OPT_STR("chap", 0, "USER:SECRET", "require one-way CHAP (MD5) at login"),
	CLI_OPT_STR("pidfile", 0, "FILE", "write the process id here once listening"),
	CLI_OPT_SIZE("max-bytes-per-command", 0, "SIZE",
		     "cap XCOPY/WRITE USING TOKEN work per command (partial transfers)"),
	CLI_OPT_FLAG("stats", 0,
		     "print the per-LUN counters on stdout at shutdown (-o json: lun, commands, "
		     "bytes_read_wire, bytes_written_wire, bytes_copied_internal, tokens_created, "
		     "tokens_used, tokens_expired, opcodes {\"0x28\": n})"),
	CLI_OPT_END,
};

static vitk_odx_target *g_target;
static volatile sig_atomic_t g_quiet;
static volatile sig_atomic_t g_verbose;

static void on_signal(int sig)
{
	(void)sig;
	vitk_odx_target_stop(g_target);
}

static void serve_log(vitk_log_level level, const char *domain, const char *msg, void *payload)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;

	(void)payload;
	(void)domain;
	if (level == VITK_LOG_DEBUG && !g_verbose)
		return;
	if (level == VITK_LOG_INFO && g_quiet)
		return;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	fprintf(stderr, "vitk: odx: serve: %s %s: %s\n", ts,
		level <= VITK_LOG_DEBUG ? names[level] : "log", msg);
}

/* "N=PATH[,size=S][,bs=B][,ro]" */
static int parse_lun(const struct cli_ctx *ctx, const char *spec, vitk_odx_target_lun *l,
		     char **path_out)
{
	char *dup = strdup(spec), *eq, *tok, *save = NULL;
	uint64_t v;
	int rc = CLI_EXIT_USAGE;

	*path_out = NULL;
	if (!dup)
		return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	eq = strchr(dup, '=');
	if (!eq) {
		cli_error(ctx, CLI_EXIT_USAGE, "--lun '%s': expected N=PATH", spec);
		goto out;
	}
	*eq = '\0';
	if (vitk_parse_u64(dup, &v) < 0 || v > 16383) {
		cli_error(ctx, CLI_EXIT_USAGE, "--lun '%s': LUN number '%s' is not 0..16383", spec,
			  dup);
		goto out;
	}
	l->lun = (unsigned)v;
	tok = strtok_r(eq + 1, ",", &save);
	if (!tok || !*tok) {
		cli_error(ctx, CLI_EXIT_USAGE, "--lun '%s': missing PATH", spec);
		goto out;
	}
	*path_out = strdup(tok);
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		if (strncmp(tok, "size=", 5) == 0) {
			if (vitk_parse_size(tok + 5, &v) < 0 || v == 0) {
				cli_error(ctx, CLI_EXIT_USAGE, "--lun '%s': bad size '%s'", spec,
					  tok + 5);
				goto out;
			}
			l->size = v;
		} else if (strncmp(tok, "bs=", 3) == 0) {
			if (vitk_parse_u64(tok + 3, &v) < 0 || (v != 512 && v != 4096)) {
				cli_error(ctx, CLI_EXIT_USAGE,
					  "--lun '%s': block size '%s' is not 512 or 4096", spec,
					  tok + 3);
				goto out;
			}
			l->block_size = (uint32_t)v;
		} else if (strcmp(tok, "ro") == 0) {
			l->read_only = true;
		} else {
			cli_error(ctx, CLI_EXIT_USAGE, "--lun '%s': unknown option '%s'", spec, tok);
			goto out;
		}
	}
	rc = 0;
out:
	vitk_error_clear();
	if (rc != 0) {
		free(*path_out);
		*path_out = NULL;
	}
	free(dup);
	return rc;
}

static void opcode_summary(const vitk_odx_target_stats *s, char *buf, size_t len)
{
	size_t off = 0;
	unsigned op;

	buf[0] = '\0';
	for (op = 0; op < 256 && off + 24 < len; op++) {
		if (!s->cmds_by_opcode[op])
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%02x:%llu", off ? " " : "", op,
					(unsigned long long)s->cmds_by_opcode[op]);
	}
}

static int print_stats(struct cli_ctx *ctx, vitk_odx_target *t, bool table)
{
	cli_table *tb = NULL;
	size_t i, n = vitk_odx_target_lun_count(t);
	int rc = CLI_EXIT_OK;

	if (table) {
		tb = cli_table_new();
		cli_table_add_column(tb, "lun", CLI_COL_INT);
		cli_table_add_column(tb, "commands", CLI_COL_INT);
		cli_table_add_column(tb, "bytes_read_wire", CLI_COL_INT);
		cli_table_add_column(tb, "bytes_written_wire", CLI_COL_INT);
		cli_table_add_column(tb, "bytes_copied_internal", CLI_COL_INT);
		cli_table_add_column(tb, "tokens_created", CLI_COL_INT);
		cli_table_add_column(tb, "tokens_used", CLI_COL_INT);
		cli_table_add_column(tb, "tokens_expired", CLI_COL_INT);
		cli_table_add_column(tb, "opcodes", CLI_COL_STR);
	}
	for (i = 0; i < n; i++) {
		vitk_odx_target_stats s;
		uint64_t total = 0;
		char ops[2048];
		unsigned op;

		if (vitk_odx_target_lun_stats(t, i, &s) < 0)
			continue;
		for (op = 0; op < 256; op++)
			total += s.cmds_by_opcode[op];
		opcode_summary(&s, ops, sizeof(ops));
		if (!ctx->quiet)
			fprintf(stderr,
				"vitk: odx: serve: lun %u: %llu commands, %llu bytes read, %llu "
				"bytes written, %llu bytes copied, tokens %llu created %llu used "
				"%llu expired\n",
				s.lun, (unsigned long long)total,
				(unsigned long long)s.bytes_read_wire,
				(unsigned long long)s.bytes_written_wire,
				(unsigned long long)s.bytes_copied_internal,
				(unsigned long long)s.tokens_created,
				(unsigned long long)s.tokens_used,
				(unsigned long long)s.tokens_expired);
		if (!tb)
			continue;
		cli_table_add_row(tb);
		cli_table_set_int(tb, "lun", s.lun);
		cli_table_set_int(tb, "commands", (int64_t)total);
		cli_table_set_int(tb, "bytes_read_wire", (int64_t)s.bytes_read_wire);
		cli_table_set_int(tb, "bytes_written_wire", (int64_t)s.bytes_written_wire);
		cli_table_set_int(tb, "bytes_copied_internal", (int64_t)s.bytes_copied_internal);
		cli_table_set_int(tb, "tokens_created", (int64_t)s.tokens_created);
		cli_table_set_int(tb, "tokens_used", (int64_t)s.tokens_used);
		cli_table_set_int(tb, "tokens_expired", (int64_t)s.tokens_expired);
		cli_table_set_str(tb, "opcodes", ops);
	}
	if (tb && ctx->output == CLI_OUT_JSON) {
		/* JSON: "opcodes" is an object {"0x28": 12, ...} instead of the text summary */
		json_t *doc = cli_table_to_json(tb);
		size_t row = 0;

		for (i = 0; doc && i < n; i++) {
			vitk_odx_target_stats s;
			json_t *ops = json_object();
			unsigned op;

			if (vitk_odx_target_lun_stats(t, i, &s) < 0)
				continue;
			for (op = 0; op < 256; op++) {
				char key[8];

				if (!s.cmds_by_opcode[op])
					continue;
				snprintf(key, sizeof(key), "0x%02x", op);
				json_object_set_new(ops, key, json_integer((json_int_t)s.cmds_by_opcode[op]));
			}
			json_object_set_new(json_array_get(doc, row++), "opcodes", ops);
		}
		if (!doc || cli_json_print(ctx, doc) != 0)
			rc = CLI_EXIT_FAIL;
		json_decref(doc);
	} else if (tb) {
		if (cli_table_print(ctx, tb) != 0)
			rc = CLI_EXIT_FAIL;
	}
	cli_table_free(tb);
	return rc;
}

static int write_pidfile(const char *path)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

int cli_odx_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;
	vitk_odx_target *t = NULL;
	const char *const *luns = NULL;
	const char *chap = cli_str(ctx, "chap"), *pidfile = cli_str(ctx, "pidfile");
	char *chap_user = NULL, *colon;
	struct sigaction sa, old_int, old_term, old_pipe;
	bool sig_installed = false, pid_written = false;
	size_t nluns, i;
	uint64_t cap = 0;
	int rc = CLI_EXIT_OK, r;

	(void)argc;
	(void)argv;
	g_quiet = ctx->quiet;
	g_verbose = ctx->verbose > 0;
	o.iqn = cli_str(ctx, "iqn");
	o.portal = cli_str(ctx, "portal") ? cli_str(ctx, "portal") : "0.0.0.0:3260";
	if (!o.iqn)
		return cli_error(ctx, CLI_EXIT_USAGE, "serve: --iqn is required");
	nluns = cli_multi(ctx, "lun", &luns);
	if (nluns == 0)
		return cli_error(ctx, CLI_EXIT_USAGE, "serve: at least one --lun N=PATH is required");
	if (chap) {
		chap_user = strdup(chap);
		if (!chap_user)
			return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
		colon = strchr(chap_user, ':');
		if (!colon || colon == chap_user || !colon[1]) {
			rc = cli_error(ctx, CLI_EXIT_USAGE, "serve: --chap expects USER:SECRET");
			goto out;
		}
		*colon = '\0';
		o.chap_user = chap_user;
		o.chap_secret = colon + 1;
	}
	if (cli_u64(ctx, "max-bytes-per-command", &cap))
		o.max_bytes_per_command = cap;

	vitk_set_log_fn(serve_log, NULL);
	r = vitk_odx_target_new(&t, &o);
	if (r < 0) {
		rc = cli_error_lib(ctx, r, "serve: cannot create target '%s'", o.iqn);
		goto out;
	}
	for (i = 0; i < nluns; i++) {
		vitk_odx_target_lun l = VITK_ODX_TARGET_LUN_INIT;
		char *path = NULL;

		rc = parse_lun(ctx, luns[i], &l, &path);
		if (rc != 0)
			goto out;
		l.path = path;
		r = vitk_odx_target_add_lun(t, &l);
		if (r < 0)
			rc = cli_error_lib(ctx, r, "serve");
		free(path);
		if (r < 0)
			goto out;
	}
	r = vitk_odx_target_listen(t);
	if (r < 0) {
		rc = cli_error_lib(ctx, r, "serve: cannot listen on '%s'", o.portal);
		goto out;
	}
	g_target = t;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	sig_installed = true;
	if (pidfile) {
		if (write_pidfile(pidfile) < 0) {
			rc = cli_error(ctx, CLI_EXIT_FAIL, "serve: cannot write pidfile '%s': %s",
				       pidfile, strerror(errno));
			goto out;
		}
		pid_written = true;
	}
	r = vitk_odx_target_run(t);
	if (r < 0) {
		rc = cli_error_lib(ctx, r, "serve: serving failed");
		goto out;
	}
	rc = print_stats(ctx, t, cli_flag(ctx, "stats"));
out:
	if (sig_installed) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGPIPE, &old_pipe, NULL);
	}
	g_target = NULL;
	if (pid_written)
		unlink(pidfile);
	vitk_odx_target_free(t);
	vitk_set_log_fn(NULL, NULL);
	free(chap_user);
	return rc;
}
