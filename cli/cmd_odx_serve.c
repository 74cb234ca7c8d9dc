/* SPDX-License-Identifier: MIT */
/*
 * vitk odx serve: the lab iSCSI target (file-backed LUNs, EXTENDED COPY, ODX).
 *
 * Runs in the foreground until SIGINT/SIGTERM.  The target logs connections,
 * errors and, at shutdown, one summary line per LUN through the library log
 * (stderr, see dispatch.c); --stats also prints the per-LUN counters on
 * stdout as a table (the library's document, vitk_odx_target_stats_table()).
 *
 * As a service: --config FILE (cmd_odx_serve_config_priv.c) holds the whole
 * definition; SIGHUP re-reads it on a reload thread (LUNs added, removed or
 * changed where no session reaches them, grown under sessions; CHAP and ACL
 * for new logins; see reload()); with
 * $NOTIFY_SOCKET the sd_notify(3) states READY/RELOADING/STOPPING go to
 * systemd.  See labtarget/iscsi/README.md "Running as a service".
 *
 * Secrets: --chap-file / --chap-mutual-file (mode 0600 or stricter) or the
 * environment (VITK_TARGET_CHAP, VITK_TARGET_CHAP_MUTUAL), never needed on
 * the command line; --chap still works but warns that ps shows it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <vitk/array.h>
#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/odx_target.h>

#include "cli.h"
#include "cmd_odx_serve.h"

#define CFG struct cli_odx_serve_cfg
const struct cli_opt cli_odx_serve_opts[] = {
	{ CLI_STR(CFG, config, "config", 'c', "FILE",
		  "the target definition: one 'option = value' per line (long option names; "
		  "labtarget/iscsi/README.md); SIGHUP re-reads it: LUNs added, removed, "
		  "changed or grown, CHAP and ACL for new logins") },
	{ CLI_MULTI(CFG, portal, "portal", 'p', "HOST:PORT",
		    "address to listen on (default 127.0.0.1:3260; other hosts only when given); "
		    "repeat for multipath: each portal is a target port of the same LUNs") },
	{ CLI_STR(CFG, iqn, "iqn", 0, "IQN", "target name, e.g. iqn.2026-01.lab.vitk:odx (required)") },
	{ CLI_MULTI(CFG, lun, "lun", 'l',
		    "N=PATH[,size=S][,bs=512|4096][,pbs=4096][,ro][,sanitize][,sanitize_time=SECONDS]"
		    "[,allow=IQN+IQN][,tokens=auto|revoke|snapshot]",
		    "serve PATH as LUN N (created sparse with size S when missing); pbs=4096 on "
		    "512-byte blocks: 512e; sanitize: offer SANITIZE; sanitize_time: a sanitize "
		    "takes that long at least, like a drive (default 0: as long as the erase, "
		    "at most 3600); allow= shows it only to "
		    "those initiators; tokens: writes revoke ROD tokens, or tokens keep a "
		    "snapshot (auto: where reflink makes it cheap)") },
	{ CLI_STR(CFG, chap, "chap", 0, "USER:SECRET",
		  "require one-way CHAP (MD5) at login; visible in ps, prefer --chap-file") },
	{ CLI_STR(CFG, chap_file, "chap-file", 0, "FILE",
		  "USER:SECRET for CHAP from FILE (mode 0600; or $VITK_TARGET_CHAP)") },
	{ CLI_STR(CFG, chap_mutual, "chap-mutual", 0, "USER:SECRET",
		  "name and secret the target answers mutual CHAP with; visible in ps") },
	{ CLI_STR(CFG, chap_mutual_file, "chap-mutual-file", 0, "FILE",
		  "USER:SECRET for mutual CHAP from FILE (mode 0600; or $VITK_TARGET_CHAP_MUTUAL)") },
	{ CLI_MULTI(CFG, allow, "allow", 0, "IQN",
		    "initiator allowed to log in (repeatable); others get 0202 at login") },
	{ CLI_STR(CFG, acl_file, "acl-file", 0, "FILE",
		  "initiators allowed to log in, one name per line ('#' comments)") },
	{ CLI_STR(CFG, pidfile, "pidfile", 0, "FILE", "write the process id here once listening") },
	{ CLI_SIZE(CFG, max_bytes_per_command, "max-bytes-per-command", 0, "SIZE",
		   "cap XCOPY/WRITE USING TOKEN work per command (partial transfers)") },
	{ CLI_UINT(CFG, login_timeout, "login-timeout", 0, "SECONDS",
		   "deadline of a whole login (default 30)"), CLI_RANGE(1, 3600) },
	{ CLI_UINT(CFG, idle_timeout, "idle-timeout", 0, "SECONDS",
		   "ping an idle session with NOP-In after this long (default 60)"),
	  CLI_RANGE(1, 86400) },
	{ CLI_UINT(CFG, nop_timeout, "nop-timeout", 0, "SECONDS",
		   "drop a session that leaves the ping unanswered this long (default 30)"),
	  CLI_RANGE(1, 3600) },
	{ CLI_UINT(CFG, max_conns_per_address, "max-conns-per-address", 0, "N",
		   "connections one initiator address may hold (default 64)"), CLI_RANGE(1, 256) },
	{ CLI_UINT(CFG, tokens_per_session, "tokens-per-session", 0, "N",
		   "live ROD tokens one session may hold (default 128)"), CLI_RANGE(1, 1024) },
	{ CLI_FLAG(CFG, stats, "stats", 0,
		   "print the per-LUN counters on stdout at shutdown (-o json: lun, commands, "
		   "bytes_read_wire, bytes_written_wire, bytes_copied_internal, tokens_created, "
		   "tokens_used, tokens_expired, bytes_cloned, bytes_copied, bytes_zeroed, "
		   "bytes_token_snapshot, opcodes {\"0x28\": n})") },
	CLI_OPT_END,
};
#undef CFG

static vitk_odx_target *g_target;
static int g_reload_pipe = -1; /* write end: SIGHUP asks the reload thread */

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		char b = 'h';
		ssize_t n = g_reload_pipe >= 0 ? write(g_reload_pipe, &b, 1) : 0;

		(void)n;
		return;
	}
	vitk_odx_target_stop(g_target);
}

/*
 * systemd readiness (sd_notify(3) protocol, no libsystemd): one datagram
 * to $NOTIFY_SOCKET ('@' = abstract namespace) when the unit is
 * Type=notify; nothing otherwise.
 */
static void notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    (len = strlen(path)) >= sizeof(sa.sun_path))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	close(fd);
}

#define LUN_MAX_ALLOW 64

/* one parsed --lun: the library's view plus the strings it points into */
struct lun_spec {
	vitk_odx_target_lun l;
	char *path;
	char *allow_buf;
	const char *allow[LUN_MAX_ALLOW];
};

static void lun_spec_clear(struct lun_spec *ls)
{
	free(ls->path);
	free(ls->allow_buf);
	memset(ls, 0, sizeof(*ls));
}

/* "allow=IQN1+IQN2": the names (checked by the library) */
static int parse_allow(const struct cli_ctx *ctx, const char *spec, const char *v,
		       struct lun_spec *ls)
{
	char *save = NULL, *tok;

	free(ls->allow_buf);
	ls->allow_buf = strdup(v);
	if (!ls->allow_buf)
		return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	ls->l.nallow = 0;
	for (tok = strtok_r(ls->allow_buf, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
		if (ls->l.nallow == LUN_MAX_ALLOW)
			return cli_error(ctx, CLI_EXIT_USAGE, "--lun '%s': more than %d initiators",
					 spec, LUN_MAX_ALLOW);
		ls->allow[ls->l.nallow++] = tok;
	}
	if (ls->l.nallow == 0)
		return cli_error(ctx, CLI_EXIT_USAGE, "--lun '%s': allow= names no initiator",
				 spec);
	ls->l.allow = ls->allow;
	return 0;
}

/* "tokens=auto|revoke|snapshot" */
static int parse_tokens(const struct cli_ctx *ctx, const char *spec, const char *v,
			struct lun_spec *ls)
{
	static const char *const modes[] = { "auto", "revoke", "snapshot" };
	int i;

	for (i = 0; i < 3; i++) {
		if (strcmp(v, modes[i]) == 0) {
			ls->l.tokens = (vitk_odx_target_tokens)i;
			return 0;
		}
	}
	return cli_error(ctx, CLI_EXIT_USAGE,
			 "--lun '%s': tokens '%s' is not auto, revoke or snapshot", spec, v);
}

/* one ",key[=value]" of a --lun */
static int parse_lun_opt(const struct cli_ctx *ctx, const char *spec, const char *tok,
			 struct lun_spec *ls)
{
	uint64_t v;

	if (strncmp(tok, "size=", 5) == 0) {
		if (vitk_parse_size(tok + 5, &v) < 0 || v == 0)
			return cli_error(ctx, CLI_EXIT_USAGE, "--lun '%s': bad size '%s'", spec,
					 tok + 5);
		ls->l.size = v;
	} else if (strncmp(tok, "bs=", 3) == 0) {
		if (vitk_parse_u64(tok + 3, &v) < 0 || (v != 512 && v != 4096))
			return cli_error(ctx, CLI_EXIT_USAGE,
					 "--lun '%s': block size '%s' is not 512 or 4096", spec,
					 tok + 3);
		ls->l.block_size = (uint32_t)v;
	} else if (strcmp(tok, "ro") == 0) {
		ls->l.read_only = true;
	} else if (strncmp(tok, "pbs=", 4) == 0) {
		if (vitk_parse_u64(tok + 4, &v) < 0 || (v != 512 && v != 4096))
			return cli_error(ctx, CLI_EXIT_USAGE,
					 "--lun '%s': physical block size '%s' is not 512 or 4096",
					 spec, tok + 4);
		ls->l.phys_block_size = (uint32_t)v;
	} else if (strcmp(tok, "sanitize") == 0) {
		ls->l.sanitize = true;
	} else if (strncmp(tok, "sanitize_time=", 14) == 0) {
		if (vitk_parse_u64(tok + 14, &v) < 0 || v > 3600)
			return cli_error(ctx, CLI_EXIT_USAGE,
					 "--lun '%s': sanitize_time '%s' is not 0..3600 seconds",
					 spec, tok + 14);
		ls->l.sanitize_time_s = (uint32_t)v;
	} else if (strncmp(tok, "allow=", 6) == 0) {
		return parse_allow(ctx, spec, tok + 6, ls);
	} else if (strncmp(tok, "tokens=", 7) == 0) {
		return parse_tokens(ctx, spec, tok + 7, ls);
	} else {
		return cli_error(ctx, CLI_EXIT_USAGE, "--lun '%s': unknown option '%s'", spec, tok);
	}
	return 0;
}

/* "N=PATH[,size=S][,bs=B][,pbs=P][,ro][,sanitize][,allow=IQN+IQN]" */
static int parse_lun(const struct cli_ctx *ctx, const char *spec, struct lun_spec *ls)
{
	char *dup = strdup(spec), *eq, *tok, *save = NULL;
	uint64_t v;
	int rc = CLI_EXIT_USAGE;

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
	ls->l.lun = (unsigned)v;
	tok = strtok_r(eq + 1, ",", &save);
	if (!tok || !*tok) {
		cli_error(ctx, CLI_EXIT_USAGE, "--lun '%s': missing PATH", spec);
		goto out;
	}
	ls->path = strdup(tok);
	ls->l.path = ls->path;
	rc = ls->path ? 0 : cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	while (rc == 0 && (tok = strtok_r(NULL, ",", &save)) != NULL)
		rc = parse_lun_opt(ctx, spec, tok, ls);
out:
	vitk_error_clear();
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

/* what the verb allocates besides the target: secrets and the ACL */
struct served_lun {
	unsigned lun;
	char *spec; /* the --lun / lun = value it was added with */
};

struct serve_run {
	char *chap, *mutual; /* "USER:SECRET", wiped on release */
	char *acl_text;
	VITK_ARRAY(const char *) allow;
	VITK_ARRAY(struct served_lun) served;
	const struct cli_odx_serve_cfg *cmdline; /* for re-reading --config */
	int reload_rd;                            /* read end of the SIGHUP pipe */
	/* CHAP from the command line or the environment (not a file): a reload
	 * keeps it, it cannot re-read it (into run->chap / run->mutual) */
	const char *fixed_chap[2], *fixed_mutual[2];
};

static void wipe_free(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
	free(s);
}

static void serve_run_clear(struct serve_run *run)
{
	wipe_free(run->chap);
	wipe_free(run->mutual);
	free(run->acl_text);
	vitk_array_clear(run->allow);
	for (size_t i = 0; i < run->served.size; i++)
		free(run->served.ptr[i].spec);
	vitk_array_clear(run->served);
}

/*
 * A secret file: a regular file nobody but its owner may read or write
 * (mode 0600 or stricter), holding USER:SECRET on its first line.
 */
static int read_secret_file(const struct cli_ctx *ctx, const char *opt, const char *path,
			    char **out)
{
	struct stat st;
	size_t len = 0;
	int r;

	if (stat(path, &st) < 0)
		return cli_error(ctx, CLI_EXIT_USAGE, "serve: %s '%s': %s", opt, path,
				 strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cli_error(ctx, CLI_EXIT_USAGE, "serve: %s '%s': not a regular file", opt,
				 path);
	if (st.st_mode & 077)
		return cli_error(ctx, CLI_EXIT_USAGE,
				 "serve: %s '%s' has mode %04o: group or others may read it "
				 "(chmod 600 it)",
				 opt, path, (unsigned)(st.st_mode & 07777));
	r = vitk_read_file(path, 4096, out, &len);
	if (r < 0)
		return cli_error_lib(ctx, r, "serve: %s '%s'", opt, path);
	(*out)[strcspn(*out, "\r\n")] = '\0';
	return 0;
}

/*
 * USER:SECRET for one CHAP direction from its flag, its file or the
 * environment (one source at most); *out NULL when none is given.
 */
static int chap_source(const struct cli_ctx *ctx, const char *flag, const char *flag_value,
		       const char *file, const char *env, char **out)
{
	const char *ev = getenv(env);
	char opt[32];

	*out = NULL;
	snprintf(opt, sizeof(opt), "--%s-file", flag);
	if (flag_value && file)
		return cli_error(ctx, CLI_EXIT_USAGE, "serve: give --%s or --%s-file, not both",
				 flag, flag);
	if (file)
		return read_secret_file(ctx, opt, file, out);
	if (flag_value)
		cli_warn(ctx, "--%s puts the secret on the command line, where ps and "
			      "/proc/PID/cmdline show it; use --%s-file FILE or $%s",
			 flag, flag, env);
	if (!flag_value && ev && *ev)
		flag_value = ev;
	if (flag_value && !(*out = strdup(flag_value)))
		return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	if (flag_value && flag_value != ev) {
		/* the option's value lives in argv: blank it there, so that
		 * /proc/PID/cmdline shows it only until now */
		char *sep = strchr((char *)flag_value, ':');

		if (sep)
			memset(sep + 1, '*', strlen(sep + 1));
	}
	return 0;
}

/* "USER:SECRET" split in place into *user and *secret */
static int split_chap(const struct cli_ctx *ctx, const char *what, char *s, const char **user,
		      const char **secret)
{
	char *colon = s ? strchr(s, ':') : NULL;

	if (!s)
		return 0;
	if (!colon || colon == s || !colon[1])
		return cli_error(ctx, CLI_EXIT_USAGE, "serve: %s expects USER:SECRET", what);
	*colon = '\0';
	*user = s;
	*secret = colon + 1;
	return 0;
}

/* --allow and --acl-file into one list (names are checked by the library) */
static int collect_acl(const struct cli_ctx *ctx, const struct cli_odx_serve_cfg *cfg,
		       struct serve_run *run)
{
	char *line, *save = NULL;
	size_t i, len;
	int r;

	for (i = 0; i < cfg->allow.n; i++)
		if (vitk_array_append(run->allow, cfg->allow.v[i]) < 0)
			return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	if (!cfg->acl_file)
		return 0;
	r = vitk_read_file(cfg->acl_file, 1u << 20, &run->acl_text, &len);
	if (r < 0)
		return cli_error_lib(ctx, r, "serve: --acl-file '%s'", cfg->acl_file);
	for (line = strtok_r(run->acl_text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		line[strcspn(line, " \t\r#")] = '\0';
		if (*line && vitk_array_append(run->allow, (const char *)line) < 0)
			return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	}
	if (run->allow.size == 0)
		return cli_error(ctx, CLI_EXIT_USAGE, "serve: --acl-file '%s' names no initiator",
				 cfg->acl_file);
	return 0;
}

/* a portal anyone may reach, with nothing that checks who logs in */
static void warn_if_open(const struct cli_ctx *ctx, const vitk_odx_target_options *o)
{
	char host[256];
	uint16_t port;
	size_t i;

	for (i = 0; i <= o->nmore_portals && !o->chap_user && !o->nallow; i++) {
		const char *p = i == 0 ? o->portal : o->more_portals[i - 1];

		if (!p || vitk_odx_target_parse_portal(p, host, sizeof(host), &port) < 0) {
			vitk_error_clear();
			continue;
		}
		if (strncmp(host, "127.", 4) != 0 && strcmp(host, "::1") != 0 &&
		    strcmp(host, "localhost") != 0)
			cli_warn(ctx, "serving on %s without CHAP or --allow: any host that "
				      "reaches it may log in",
				 p);
	}
}

/* one LUN spec into the target, remembered in @run for reloads */
static int add_lun_spec(const struct cli_ctx *ctx, vitk_odx_target *t, const char *spec,
			struct serve_run *run)
{
	struct served_lun sl;
	struct lun_spec ls;
	int rc, r;

	memset(&ls, 0, sizeof(ls));
	ls.l.block_size = 512;
	rc = parse_lun(ctx, spec, &ls);
	r = rc == 0 ? vitk_odx_target_add_lun(t, &ls.l) : 0;
	sl.lun = ls.l.lun;
	lun_spec_clear(&ls);
	if (rc != 0)
		return rc;
	if (r < 0)
		return cli_error_lib(ctx, r, "serve");
	sl.spec = strdup(spec);
	if (!sl.spec || vitk_array_append(run->served, sl) < 0) {
		free(sl.spec);
		return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	}
	return 0;
}

/* new target, every LUN, listening: 0 or the exit code (message printed) */
static int setup_target(struct cli_ctx *ctx, const struct cli_odx_serve_cfg *cfg,
			const vitk_odx_target_options *o, struct serve_run *run,
			vitk_odx_target **out)
{
	size_t i;
	int r;

	r = vitk_odx_target_new(out, o);
	if (r < 0)
		return cli_error_lib(ctx, r, "serve: cannot create target '%s'", o->iqn);
	for (i = 0; i < cfg->lun.n; i++) {
		int rc = add_lun_spec(ctx, *out, cfg->lun.v[i], run);

		if (rc != 0)
			return rc;
	}
	r = vitk_odx_target_listen(*out);
	if (r < 0)
		return cli_error_lib(ctx, r, "serve: cannot listen");
	return 0;
}

/* the same allow list (order included: it is the config's text) */
static bool same_allow(const struct lun_spec *a, const struct lun_spec *b)
{
	size_t i;

	if (a->l.nallow != b->l.nallow)
		return false;
	for (i = 0; i < a->l.nallow; i++)
		if (strcmp(a->allow[i], b->allow[i]) != 0)
			return false;
	return true;
}

/* what differs between two parsed specs, for the log ("size, ro"); false
 * when nothing but the size does */
static bool describe_change(const struct lun_spec *o, const struct lun_spec *n, char *buf,
			    size_t len)
{
	const struct {
		bool differs;
		const char *what;
	} f[] = {
		{ strcmp(o->path, n->path) != 0, "path" },
		{ o->l.block_size != n->l.block_size, "bs" },
		{ o->l.phys_block_size != n->l.phys_block_size, "pbs" },
		{ o->l.read_only != n->l.read_only, "ro" },
		{ o->l.sanitize != n->l.sanitize, "sanitize" },
		{ o->l.tokens != n->l.tokens, "tokens" },
		{ !same_allow(o, n), "allow" },
	};
	bool other = false;
	size_t i, at;

	at = (size_t)snprintf(buf, len, "%s", n->l.size && o->l.size != n->l.size ? "size" : "");
	for (i = 0; i < VITK_ARRAY_SIZE(f); i++) {
		if (!f[i].differs)
			continue;
		other = true;
		if (at < len)
			at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? ", " : "", f[i].what);
	}
	return other;
}

/* one parsed spec per LUN of the re-read config */
struct reload_plan {
	size_t n;
	struct lun_spec *ls;
	const char **spec;
};

static void plan_clear(struct reload_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		lun_spec_clear(&p->ls[i]);
	free(p->ls);
	free(p->spec);
	memset(p, 0, sizeof(*p));
}

/* every LUN of @conf parsed, numbers unique: 0, else -1 (message printed) */
static int plan_build(const struct cli_ctx *ctx, const struct cli_odx_serve_cfg *cfg,
		      struct reload_plan *p)
{
	size_t i, j;

	memset(p, 0, sizeof(*p));
	p->ls = calloc(cfg->lun.n + 1, sizeof(*p->ls));
	p->spec = calloc(cfg->lun.n + 1, sizeof(*p->spec));
	if (!p->ls || !p->spec) {
		cli_warn(ctx, "reload: out of memory: nothing changed");
		return -1;
	}
	for (i = 0; i < cfg->lun.n; i++, p->n++) {
		p->ls[i].l.block_size = 512;
		p->spec[i] = cfg->lun.v[i];
		if (parse_lun(ctx, cfg->lun.v[i], &p->ls[i]) != 0) {
			p->n++;
			cli_warn(ctx, "reload: --config '%s': nothing changed", cfg->config);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (p->ls[j].l.lun == p->ls[i].l.lun) {
				p->n++;
				cli_warn(ctx, "reload: --config '%s': lun %u given twice: nothing "
					      "changed",
					 cfg->config, p->ls[i].l.lun);
				return -1;
			}
	}
	return 0;
}

/* a served LUN the config no longer names: removed unless a session reaches it */
static bool reload_remove(const struct cli_ctx *ctx, vitk_odx_target *t, struct served_lun *sl)
{
	int r = vitk_odx_target_remove_lun(t, sl->lun, NULL);

	if (r == 0) {
		cli_info(ctx, "reload: lun %u removed (was '%s')", sl->lun, sl->spec);
		return true;
	}
	cli_warn(ctx, "reload: removing lun %u refused: %s: it stays '%s'", sl->lun,
		 vitk_error_last()->message, sl->spec);
	vitk_error_clear();
	return false;
}

/* a served LUN whose spec changed: in place, replaced, or refused */
static void reload_change(const struct cli_ctx *ctx, vitk_odx_target *t, struct served_lun *sl,
			  const struct lun_spec *nls, const char *spec)
{
	struct lun_spec old;
	char what[96];
	unsigned n = 0;
	char *dup;
	bool other;
	int r;

	memset(&old, 0, sizeof(old));
	old.l.block_size = 512;
	if (parse_lun(ctx, sl->spec, &old) != 0)
		return; /* it was accepted once: cannot happen */
	other = describe_change(&old, nls, what, sizeof(what));
	lun_spec_clear(&old);
	if (!*what && !other) { /* only text moved, or size= dropped: nothing to do */
		dup = strdup(spec);
		if (dup) {
			free(sl->spec);
			sl->spec = dup;
		}
		return;
	}
	r = vitk_odx_target_change_lun(t, &nls->l, !other, &n);
	if (r < 0) {
		cli_warn(ctx, "reload: changing lun %u (%s) to '%s' refused: %s: it stays '%s'",
			 sl->lun, what, spec, vitk_error_last()->message, sl->spec);
		vitk_error_clear();
		return;
	}
	cli_info(ctx, "reload: lun %u changed (%s) to '%s'%s", sl->lun, what, spec,
		 n ? " online" : "");
	dup = strdup(spec);
	if (dup) {
		free(sl->spec);
		sl->spec = dup;
	}
}

/* one CHAP direction for new logins: its file re-read, else what the
 * command line or the environment gave at the start */
static int reload_secret(const struct cli_ctx *ctx, const char *opt, const char *file,
			 const char *const fixed[2], char **buf, const char **user,
			 const char **secret)
{
	int rc;

	if (!file) {
		*user = fixed[0];
		*secret = fixed[1];
		return 0;
	}
	rc = read_secret_file(ctx, opt, file, buf);
	return rc ? rc : split_chap(ctx, opt, *buf, user, secret);
}

/* CHAP and the ACL of the re-read config, for the logins to come: 0, or -1
 * (printed) and nothing changed */
static int reload_access(const struct cli_ctx *ctx, vitk_odx_target *t,
			 const struct cli_odx_serve_cfg *cfg, struct serve_run *run)
{
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;
	struct serve_run acl;
	char *chap = NULL, *mutual = NULL;
	int rc, r = 0;

	memset(&acl, 0, sizeof(acl));
	rc = reload_secret(ctx, "--chap-file", cfg->chap_file, run->fixed_chap, &chap,
			   &o.chap_user, &o.chap_secret);
	if (rc == 0)
		rc = reload_secret(ctx, "--chap-mutual-file", cfg->chap_mutual_file,
				   run->fixed_mutual, &mutual, &o.chap_mutual_user,
				   &o.chap_mutual_secret);
	if (rc == 0)
		rc = collect_acl(ctx, cfg, &acl);
	if (rc == 0) {
		o.allow = acl.allow.ptr;
		o.nallow = acl.allow.size;
		r = vitk_odx_target_set_access(t, &o);
		if (r < 0) {
			cli_warn(ctx, "reload: %s", vitk_error_last()->message);
			vitk_error_clear();
		}
	}
	if (rc != 0 || r < 0)
		cli_warn(ctx, "reload: --config '%s': CHAP or ACL unusable: nothing changed",
			 cfg->config);
	wipe_free(chap);
	wipe_free(mutual);
	serve_run_clear(&acl);
	return rc != 0 || r < 0 ? -1 : 0;
}

/*
 * SIGHUP: re-read --config.  The file must parse as a whole (every lun =
 * too), else nothing changes.  Then LUNs gone from it are removed, changed
 * ones changed, new ones added (vitk_odx_target_remove_lun / _change_lun /
 * _add_lun: a LUN a session reaches is only ever grown, other changes to it
 * are refused and logged and apply at a later reload).  CHAP (files re-read)
 * and the initiator ACL apply to new logins, before the LUNs change; the
 * other settings apply at the next start.
 */
static void reload(const struct cli_ctx *ctx, vitk_odx_target *t, struct serve_run *run)
{
	struct cli_odx_serve_conf conf;
	struct reload_plan plan;
	size_t i, j;
	char why[256];

	memset(&conf, 0, sizeof(conf));
	memset(&plan, 0, sizeof(plan));
	notify("RELOADING=1");
	if (cli_odx_serve_conf_load(run->cmdline->config, run->cmdline, &conf, why, sizeof(why)) <
	    0) {
		cli_warn(ctx, "reload: --config '%s': %s: nothing changed", run->cmdline->config,
			 why);
		goto out;
	}
	if (plan_build(ctx, &conf.cfg, &plan) < 0 || reload_access(ctx, t, &conf.cfg, run) < 0)
		goto out;
	/* removals first: a LUN number may move to another file */
	for (i = 0; i < run->served.size;) {
		struct served_lun *sl = &run->served.ptr[i];

		for (j = 0; j < plan.n && plan.ls[j].l.lun != sl->lun; j++)
			;
		if (j == plan.n && reload_remove(ctx, t, sl)) {
			free(sl->spec);
			memmove(sl, sl + 1, (run->served.size - i - 1) * sizeof(*sl));
			run->served.size--;
			continue;
		}
		i++;
	}
	for (j = 0; j < plan.n; j++) {
		for (i = 0; i < run->served.size && run->served.ptr[i].lun != plan.ls[j].l.lun; i++)
			;
		if (i == run->served.size) {
			if (add_lun_spec(ctx, t, plan.spec[j], run) == 0)
				cli_info(ctx, "reload: lun %s added", plan.spec[j]);
			else
				vitk_error_clear();
		} else if (strcmp(run->served.ptr[i].spec, plan.spec[j]) != 0) {
			reload_change(ctx, t, &run->served.ptr[i], &plan.ls[j], plan.spec[j]);
		}
	}
out:
	plan_clear(&plan);
	cli_odx_serve_conf_clear(&conf);
	notify("READY=1");
}

struct reloader {
	const struct cli_ctx *ctx;
	vitk_odx_target *t;
	struct serve_run *run;
};

/* the reload thread: a byte 'h' per SIGHUP, 'q' (or EOF) to end */
static void *reload_main(void *arg)
{
	struct reloader *rl = arg;

	for (;;) {
		char b;
		ssize_t n = read(rl->run->reload_rd, &b, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || b == 'q')
			return NULL;
		reload(rl->ctx, rl->t, rl->run);
	}
}

/* the reload thread and the SIGHUP pipe, when there is a --config to re-read */
struct reloader_run {
	struct reloader rl;
	pthread_t thread;
	int pipe[2];
	bool on;
};

static void reloader_start(struct reloader_run *rr)
{
	if (!rr->rl.run->cmdline->config || pipe(rr->pipe) != 0)
		return;
	fcntl(rr->pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(rr->pipe[1], F_SETFD, FD_CLOEXEC);
	rr->rl.run->reload_rd = rr->pipe[0];
	rr->on = pthread_create(&rr->thread, NULL, reload_main, &rr->rl) == 0;
	if (rr->on) {
		g_reload_pipe = rr->pipe[1];
	} else {
		close(rr->pipe[0]);
		close(rr->pipe[1]);
	}
}

static void reloader_stop(struct reloader_run *rr)
{
	char q = 'q';

	if (!rr->on)
		return;
	g_reload_pipe = -1;
	if (write(rr->pipe[1], &q, 1) != 1) {
		close(rr->pipe[1]); /* EOF ends it as well */
		rr->pipe[1] = -1;
	}
	pthread_join(rr->thread, NULL);
	close(rr->pipe[0]);
	if (rr->pipe[1] >= 0)
		close(rr->pipe[1]);
}

/* SIGINT/SIGTERM stop the target, SIGHUP re-reads --config; the pidfile
 * exists while it serves */
static int serve_until_signal(struct cli_ctx *ctx, const char *pidfile, vitk_odx_target *t,
			      struct serve_run *run)
{
	struct sigaction sa, old_int, old_term, old_pipe, old_hup;
	struct reloader_run rr = { .rl = { ctx, t, run } };
	int rc = 0, r;

	g_target = t;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	reloader_start(&rr);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	if (pidfile && write_pidfile(pidfile) < 0) {
		rc = cli_error(ctx, CLI_EXIT_FAIL, "serve: cannot write pidfile '%s': %s", pidfile,
			       strerror(errno));
		pidfile = NULL;
	}
	if (rc == 0)
		notify("READY=1");
	if (rc == 0 && (r = vitk_odx_target_run(t)) < 0)
		rc = cli_error_lib(ctx, r, "serve: serving failed");
	notify("STOPPING=1");
	reloader_stop(&rr);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	g_target = NULL;
	if (pidfile)
		unlink(pidfile);
	return rc;
}

/* options -> library options (secrets and ACL resolved into @run) */
static int build_options(const struct cli_ctx *ctx, const struct cli_odx_serve_cfg *cfg,
			 struct serve_run *run, vitk_odx_target_options *o)
{
	int rc;

	o->iqn = cfg->iqn;
	o->portal = cfg->portal.n ? cfg->portal.v[0] : "127.0.0.1:3260";
	o->more_portals = cfg->portal.n > 1 ? cfg->portal.v + 1 : NULL;
	o->nmore_portals = cfg->portal.n > 1 ? cfg->portal.n - 1 : 0;
	o->max_bytes_per_command = cfg->max_bytes_per_command;
	o->login_timeout_s = (uint32_t)cfg->login_timeout;
	o->idle_timeout_s = (uint32_t)cfg->idle_timeout;
	o->nop_timeout_s = (uint32_t)cfg->nop_timeout;
	o->max_conns_per_address = (uint32_t)cfg->max_conns_per_address;
	o->tokens_per_session = (uint32_t)cfg->tokens_per_session;
	if (!o->iqn)
		return cli_error(ctx, CLI_EXIT_USAGE, "serve: --iqn (or iqn = in --config) is required");
	if (cfg->lun.n == 0)
		return cli_error(ctx, CLI_EXIT_USAGE, "serve: at least one --lun N=PATH is required");
	if ((rc = chap_source(ctx, "chap", cfg->chap, cfg->chap_file, "VITK_TARGET_CHAP",
			      &run->chap)) != 0 ||
	    (rc = chap_source(ctx, "chap-mutual", cfg->chap_mutual, cfg->chap_mutual_file,
			      "VITK_TARGET_CHAP_MUTUAL", &run->mutual)) != 0 ||
	    (rc = split_chap(ctx, "CHAP", run->chap, &o->chap_user, &o->chap_secret)) != 0 ||
	    (rc = split_chap(ctx, "mutual CHAP", run->mutual, &o->chap_mutual_user,
			     &o->chap_mutual_secret)) != 0 ||
	    (rc = collect_acl(ctx, cfg, run)) != 0)
		return rc;
	o->allow = run->allow.ptr;
	o->nallow = run->allow.size;
	if (!cfg->chap_file) {
		run->fixed_chap[0] = o->chap_user;
		run->fixed_chap[1] = o->chap_secret;
	}
	if (!cfg->chap_mutual_file) {
		run->fixed_mutual[0] = o->chap_mutual_user;
		run->fixed_mutual[1] = o->chap_mutual_secret;
	}
	warn_if_open(ctx, o);
	return 0;
}

int cli_odx_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_odx_serve_cfg *cfg = ctx->config;
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;
	struct cli_odx_serve_conf conf;
	struct serve_run run;
	vitk_odx_target *t = NULL;
	vitk_table *stats = NULL;
	char why[256];
	int rc = 0, r;

	(void)argc;
	(void)argv;
	memset(&run, 0, sizeof(run));
	memset(&conf, 0, sizeof(conf));
	run.cmdline = cfg;
	if (cfg->config) {
		if (cli_odx_serve_conf_load(cfg->config, cfg, &conf, why, sizeof(why)) < 0)
			rc = cli_error(ctx, CLI_EXIT_USAGE, "serve: --config '%s': %s",
				       cfg->config, why);
		cfg = &conf.cfg; /* the file, with the command line over it */
	}
	if (rc == 0)
		rc = build_options(ctx, cfg, &run, &o);
	if (rc == 0)
		rc = setup_target(ctx, cfg, &o, &run, &t);
	if (rc == 0)
		rc = serve_until_signal(ctx, cfg->pidfile, t, &run);
	if (rc == 0 && cfg->stats) {
		r = vitk_odx_target_stats_table(t, &stats);
		rc = r < 0 ? cli_error_lib(ctx, r, "serve: counters") : cli_print_table(ctx, stats);
	}
	vitk_table_free(stats);
	vitk_odx_target_free(t);
	serve_run_clear(&run);
	cli_odx_serve_conf_clear(&conf);
	return rc;
}
