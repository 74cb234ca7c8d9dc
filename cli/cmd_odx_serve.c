/* SPDX-License-Identifier: MIT */
/*
 * vitk odx serve: the lab iSCSI target (file-backed LUNs, EXTENDED COPY, ODX).
 *
 * Runs in the foreground until SIGINT/SIGTERM.  The target logs connections,
 * errors and, at shutdown, one summary line per LUN through the library log
 * (stderr, see dispatch.c); --stats also prints the per-LUN counters on
 * stdout as a table (the library's document, vitk_odx_target_stats_table()).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/odx_target.h>

#include "cli.h"
#include "cmd_odx_serve.h"

#define CFG struct cli_odx_serve_cfg
const struct cli_opt cli_odx_serve_opts[] = {
	{ CLI_STR(CFG, portal, "portal", 'p', "HOST:PORT",
		  "address to listen on (default 0.0.0.0:3260)") },
	{ CLI_STR(CFG, iqn, "iqn", 0, "IQN", "target name, e.g. iqn.2026-01.lab.vitk:odx (required)") },
	{ CLI_MULTI(CFG, lun, "lun", 'l', "N=PATH[,size=S][,bs=512|4096][,ro]",
		    "serve PATH as LUN N (created sparse with size S when missing)") },
	{ CLI_STR(CFG, chap, "chap", 0, "USER:SECRET", "require one-way CHAP (MD5) at login") },
	{ CLI_STR(CFG, pidfile, "pidfile", 0, "FILE", "write the process id here once listening") },
	{ CLI_SIZE(CFG, max_bytes_per_command, "max-bytes-per-command", 0, "SIZE",
		   "cap XCOPY/WRITE USING TOKEN work per command (partial transfers)") },
	{ CLI_FLAG(CFG, stats, "stats", 0,
		   "print the per-LUN counters on stdout at shutdown (-o json: lun, commands, "
		   "bytes_read_wire, bytes_written_wire, bytes_copied_internal, tokens_created, "
		   "tokens_used, tokens_expired, opcodes {\"0x28\": n})") },
	CLI_OPT_END,
};
#undef CFG

static vitk_odx_target *g_target;

static void on_signal(int sig)
{
	(void)sig;
	vitk_odx_target_stop(g_target);
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

/* the pid, then an atomic rename into place */
static int write_pidfile(const char *path)
{
	char tmp[4096], line[32];
	int fd, n, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	ok = write(fd, line, (size_t)n) == n;
	if (close(fd) != 0 || !ok)
		return -1;
	return rename(tmp, path);
}

/* new target, every --lun, listening: 0 or the exit code (message printed) */
static int setup_target(struct cli_ctx *ctx, const struct cli_odx_serve_cfg *cfg,
			const vitk_odx_target_options *o, vitk_odx_target **out)
{
	size_t i;
	int r;

	r = vitk_odx_target_new(out, o);
	if (r < 0)
		return cli_error_lib(ctx, r, "serve: cannot create target '%s'", o->iqn);
	for (i = 0; i < cfg->lun.n; i++) {
		vitk_odx_target_lun l = VITK_ODX_TARGET_LUN_INIT;
		char *path = NULL;
		int rc = parse_lun(ctx, cfg->lun.v[i], &l, &path);

		if (rc != 0)
			return rc;
		l.path = path;
		r = vitk_odx_target_add_lun(*out, &l);
		free(path);
		if (r < 0)
			return cli_error_lib(ctx, r, "serve");
	}
	r = vitk_odx_target_listen(*out);
	if (r < 0)
		return cli_error_lib(ctx, r, "serve: cannot listen on '%s'", o->portal);
	return 0;
}

/* SIGINT/SIGTERM stop the target; the pidfile exists while it serves */
static int serve_until_signal(struct cli_ctx *ctx, const char *pidfile, vitk_odx_target *t)
{
	struct sigaction sa, old_int, old_term, old_pipe;
	int rc = 0, r;

	g_target = t;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	if (pidfile && write_pidfile(pidfile) < 0) {
		rc = cli_error(ctx, CLI_EXIT_FAIL, "serve: cannot write pidfile '%s': %s", pidfile,
			       strerror(errno));
		pidfile = NULL;
	}
	if (rc == 0 && (r = vitk_odx_target_run(t)) < 0)
		rc = cli_error_lib(ctx, r, "serve: serving failed");
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	g_target = NULL;
	if (pidfile)
		unlink(pidfile);
	return rc;
}

int cli_odx_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_odx_serve_cfg *cfg = ctx->config;
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;
	vitk_odx_target *t = NULL;
	vitk_table *stats = NULL;
	char *chap_user = NULL, *colon;
	int rc, r;

	(void)argc;
	(void)argv;
	o.iqn = cfg->iqn;
	o.portal = cfg->portal ? cfg->portal : "0.0.0.0:3260";
	o.max_bytes_per_command = cfg->max_bytes_per_command;
	if (!o.iqn)
		return cli_error(ctx, CLI_EXIT_USAGE, "serve: --iqn is required");
	if (cfg->lun.n == 0)
		return cli_error(ctx, CLI_EXIT_USAGE, "serve: at least one --lun N=PATH is required");
	if (cfg->chap) {
		chap_user = strdup(cfg->chap);
		if (!chap_user)
			return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
		colon = strchr(chap_user, ':');
		if (!colon || colon == chap_user || !colon[1]) {
			free(chap_user);
			return cli_error(ctx, CLI_EXIT_USAGE, "serve: --chap expects USER:SECRET");
		}
		*colon = '\0';
		o.chap_user = chap_user;
		o.chap_secret = colon + 1;
	}
	rc = setup_target(ctx, cfg, &o, &t);
	if (rc == 0)
		rc = serve_until_signal(ctx, cfg->pidfile, t);
	if (rc == 0 && cfg->stats) {
		r = vitk_odx_target_stats_table(t, &stats);
		rc = r < 0 ? cli_error_lib(ctx, r, "serve: counters") : cli_print_table(ctx, stats);
	}
	vitk_table_free(stats);
	vitk_odx_target_free(t);
	free(chap_user);
	return rc;
}
