/* SPDX-License-Identifier: MIT */
/*
 * vitk <noun> <verb> [options] [args]: static noun and verb tables with
 * exact names and explicit aliases (no prefix guessing), argument-count
 * checks, --help at every level, inventory opening and exit codes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <vitk/esxupdate.h>
#include <vitk/odx.h>
#include <vitk/sriov.h>

#include "dispatch.h"

const struct cli_noun cli_nouns[] = {
	{ "inventory", cli_inventory_verbs, "The shared inventory: hosts, reports, export/import" },
	{ "odx", cli_odx_verbs, "SCSI offloaded copy (ODX token copy, EXTENDED COPY) and the lab target" },
	{ "sriov", cli_sriov_verbs, "SR-IOV virtual functions: discover, configure, plan, attach" },
	{ "esxupdate", cli_esxupdate_verbs, "ESXi update audit: predict what esxcli would do" },
	{ NULL, NULL, NULL },
};

static void print_main_help(FILE *f)
{
	fprintf(f, "usage: vitk [global options] <noun> <verb> [options] [args]\n\n"
		   "vitk %s - virtualization infrastructure toolkit\n\nnouns:\n",
		VITK_VERSION);
	for (size_t i = 0; cli_nouns[i].name; i++)
		fprintf(f, "  %-12s %s\n", cli_nouns[i].name, cli_nouns[i].summary);
	fprintf(f, "\nglobal options:\n");
	cli_print_global_help(f);
	fprintf(f, "\nRun 'vitk <noun> --help' for its verbs and 'vitk <noun> <verb> --help' for "
		   "a verb's options.\nExit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 device "
		   "error, 5 database error, 10 audit findings.\n");
}

static void print_noun_help(FILE *f, const struct cli_noun *n)
{
	fprintf(f, "usage: vitk %s <verb> [options] [args]\n\n%s\n\nverbs:\n", n->name, n->summary);
	for (size_t i = 0; n->verbs[i].name; i++) {
		const struct cli_verb *v = &n->verbs[i];

		if (v->alias_of)
			fprintf(f, "  %-14s alias of '%s'\n", v->name, v->alias_of);
		else
			fprintf(f, "  %-14s %s\n", v->name, v->summary ? v->summary : "");
	}
}

static const struct cli_noun *find_noun(const char *name)
{
	for (size_t i = 0; cli_nouns[i].name; i++)
		if (strcmp(cli_nouns[i].name, name) == 0)
			return &cli_nouns[i];
	return NULL;
}

static const struct cli_verb *find_verb(const struct cli_noun *n, const char *name)
{
	for (int hop = 0; hop < 2; hop++) {
		const struct cli_verb *hit = NULL;

		for (size_t i = 0; n->verbs[i].name; i++)
			if (strcmp(n->verbs[i].name, name) == 0)
				hit = &n->verbs[i];
		if (!hit)
			return NULL;
		if (!hit->alias_of)
			return hit;
		name = hit->alias_of;
	}
	return NULL;
}

static int mkdir_p(const char *dir)
{
	char tmp[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, dir, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int cli_resolve_db_path(const char *opt, char *buf, size_t len)
{
	const char *env = getenv("VITK_DB");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (opt && *opt)
		snprintf(buf, len, "%s", opt);
	else if (env && *env)
		snprintf(buf, len, "%s", env);
	else if (xdg && *xdg)
		snprintf(buf, len, "%s/vitk/inventory.db", xdg);
	else if (home && *home)
		snprintf(buf, len, "%s/.local/share/vitk/inventory.db", home);
	else
		return -1;
	return 0;
}

static int open_inventory(struct cli_ctx *ctx, const struct cli_verb *v, const char *dbopt,
			  char *path, size_t plen)
{
	bool ro = (v->flags & CLI_INVENTORY_RO) != 0;
	const char *etc = getenv("VITK_ETC_ROOT");
	int r;

	if (cli_resolve_db_path(dbopt, path, plen) < 0)
		return cli_error(ctx, CLI_EXIT_DB, "cannot find the inventory: set --db or $VITK_DB");
	ctx->db_path = path;
	/* a PostgreSQL URL or conninfo has no directory to create */
	if (!ro && strcmp(path, ":memory:") != 0 && !strstr(path, "://") &&
	    !(strchr(path, '=') && !strchr(path, '/'))) {
		char dir[4096];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (mkdir_p(dir) < 0)
				return cli_error(ctx, CLI_EXIT_DB, "cannot create '%s': %s", dir,
						 strerror(errno));
		}
	}
	r = vitk_inventory_open(&ctx->inv, path, ro ? VITK_INVENTORY_READONLY : 0);
	if (r < 0)
		return cli_error(ctx, CLI_EXIT_DB, "%s", vitk_error_last()->message);
	r = vitk_odx_inventory_register(ctx->inv);
	if (r == 0)
		r = vitk_sriov_inventory_register(ctx->inv);
	if (r == 0)
		r = vitk_esxupdate_inventory_register(ctx->inv);
	if (r < 0)
		return cli_error(ctx, CLI_EXIT_DB, "%s", vitk_error_last()->message);
	if (v->flags & CLI_NO_LOCAL_HOST)
		return 0;
	if (ro) {
		/* read-only: find ourselves if we were ever registered */
		r = vitk_inventory_host_local(ctx->inv, etc ? etc : "/etc", &ctx->host_id);
		if (r < 0) {
			vitk_error_clear();
			ctx->host_id = 0;
		}
		return 0;
	}
	r = vitk_inventory_host_local(ctx->inv, etc ? etc : "/etc", &ctx->host_id);
	if (r < 0)
		return cli_error(ctx, CLI_EXIT_DB, "cannot register the local host: %s",
				 vitk_error_last()->message);
	return 0;
}

static int unknown_word(struct cli_ctx *ctx, const char *what, const char *word,
			const char *const *cands, size_t n, const char *help_hint)
{
	const char *near = cli_near_match(word, cands, n);

	if (near)
		return cli_error(ctx, CLI_EXIT_USAGE, "unknown %s '%s'; did you mean '%s'?", what,
				 word, near);
	return cli_error(ctx, CLI_EXIT_USAGE, "unknown %s '%s' (see '%s')", what, word, help_hint);
}

static void log_to_stderr(vitk_log_level level, const char *domain, const char *msg, void *payload)
{
	const struct cli_ctx *ctx = payload;
	static const char *const names[] = { "error", "warning", "info", "debug" };

	if (ctx->quiet && level > VITK_LOG_ERROR)
		return;
	if ((int)level > VITK_LOG_INFO + ctx->verbose)
		return;
	fprintf(stderr, "vitk: %s: %s: %s\n", domain ? domain : (ctx->noun ? ctx->noun : "vitk"),
		names[level <= VITK_LOG_DEBUG ? level : VITK_LOG_DEBUG], msg);
}

/* a phase of cli_main() that did not end the run */
#define CLI_CONTINUE (-1)

/* global options before the noun; --version; the main help */
static int start(struct cli_ctx *ctx, struct cli_parse_state *ps, int argc, char **argv, int *i)
{
	int r = cli_parse_args(ctx, ps, argc - 1, argv + 1, true);

	if (r)
		return r;
	if (ps->g.version) {
		printf("vitk %s\n", VITK_VERSION);
		return CLI_EXIT_OK;
	}
	*i = 1 + ps->rest;
	if (*i >= argc) {
		print_main_help(ps->g.help ? stdout : stderr);
		return ps->g.help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (strcmp(argv[*i], "help") == 0) {
		print_main_help(stdout);
		return CLI_EXIT_OK;
	}
	return CLI_CONTINUE;
}

/* the noun at argv[*i], then the global options between noun and verb; the noun's help */
static int pick_noun(struct cli_ctx *ctx, struct cli_parse_state *ps, int argc, char **argv,
		     int *i, const struct cli_noun **out)
{
	const struct cli_noun *noun = find_noun(argv[*i]);
	struct cli_parse_state between = *ps;
	const char *cands[64];
	size_t n;
	int r;

	if (!noun) {
		for (n = 0; cli_nouns[n].name && n < VITK_ARRAY_SIZE(cands); n++)
			cands[n] = cli_nouns[n].name;
		return unknown_word(ctx, "command", argv[*i], cands, n, "vitk --help");
	}
	ctx->noun = noun->name;
	(*i)++;
	between.rest = 0;
	r = cli_parse_args(ctx, &between, argc - *i, argv + *i, true);
	if (r)
		return r;
	ps->g = between.g;
	*i += between.rest;
	if (*i >= argc) {
		print_noun_help(ps->g.help ? stdout : stderr, noun);
		return ps->g.help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	*out = noun;
	return CLI_CONTINUE;
}

/* the verb at argv[*i] with its options and arguments; the verb's help */
static int pick_verb(struct cli_ctx *ctx, struct cli_parse_state *ps, const struct cli_noun *noun,
		     int argc, char **argv, int i, const struct cli_verb **out)
{
	const struct cli_verb *verb = find_verb(noun, argv[i]);
	const char *cands[64];
	char hint[64];
	size_t n;
	int r;

	if (!verb) {
		for (n = 0; noun->verbs[n].name && n < VITK_ARRAY_SIZE(cands); n++)
			cands[n] = noun->verbs[n].name;
		snprintf(hint, sizeof(hint), "vitk %s --help", noun->name);
		return unknown_word(ctx, "verb", argv[i], cands, n, hint);
	}
	ctx->verb = verb->name;
	ctx->opts = verb->opts;
	if (verb->config_size) {
		ctx->config = calloc(1, verb->config_size);
		if (!ctx->config)
			return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
		if (verb->config_init)
			memcpy(ctx->config, verb->config_init, verb->config_size);
	}
	ps->npos = 0;
	r = cli_parse_args(ctx, ps, argc - i - 1, argv + i + 1, false);
	if (r)
		return r;
	if (ps->g.help) {
		cli_print_verb_help(stdout, noun->name, verb);
		return CLI_EXIT_OK;
	}
	if (ps->npos < verb->min_args || (verb->max_args >= 0 && ps->npos > verb->max_args))
		return cli_error(ctx, CLI_EXIT_USAGE,
				 "wrong number of arguments for '%s' (got %d); usage: vitk %s %s%s%s",
				 verb->name, ps->npos, noun->name, verb->name,
				 verb->args_usage ? " " : "", verb->args_usage ? verb->args_usage : "");
	*out = verb;
	return CLI_CONTINUE;
}

/* open what the verb needs, run it */
static int run_verb(struct cli_ctx *ctx, const struct cli_parse_state *ps,
		    const struct cli_verb *verb)
{
	char dbpath[4096];
	int r = 0;

	/* library log messages: info and above by default, debug with -v, none but errors with -q */
	vitk_set_log_fn(log_to_stderr, ctx);
	if (verb->flags & CLI_NEEDS_INVENTORY)
		r = open_inventory(ctx, verb, ps->g.db, dbpath, sizeof(dbpath));
	else if (cli_resolve_db_path(ps->g.db, dbpath, sizeof(dbpath)) == 0)
		ctx->db_path = dbpath;
	if (r == 0)
		r = verb->fn(ctx, ps->npos, (char **)ps->pos);
	vitk_set_log_fn(NULL, NULL);
	vitk_inventory_free(ctx->inv);
	ctx->inv = NULL;
	ctx->db_path = NULL;
	return r;
}

int cli_main(int argc, char **argv)
{
	struct cli_ctx ctx = { .prog = "vitk", .output = CLI_OUT_TABLE };
	struct cli_parse_state ps = { 0 };
	const struct cli_noun *noun = NULL;
	const struct cli_verb *verb = NULL;
	int r, i = 0;

	signal(SIGPIPE, SIG_IGN);
	r = start(&ctx, &ps, argc, argv, &i);
	if (r == CLI_CONTINUE)
		r = pick_noun(&ctx, &ps, argc, argv, &i, &noun);
	if (r == CLI_CONTINUE)
		r = pick_verb(&ctx, &ps, noun, argc, argv, i, &verb);
	if (r == CLI_CONTINUE)
		r = run_verb(&ctx, &ps, verb);
	cli_config_clear(ctx.opts, ctx.config);
	free(ctx.config);
	if (fflush(stdout) != 0 && r == 0)
		r = CLI_EXIT_FAIL;
	return r;
}
