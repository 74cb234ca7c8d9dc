/* SPDX-License-Identifier: MIT */
/*
 * Option parsing from per-verb tables (house-style R12).  Our own small
 * parser: no global getopt state, exact long names, GNU-style
 * "--name=value", "--name value", "-x value", "-xVALUE" and "-vq".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dispatch.h"

struct cli_optval {
	const struct cli_opt *opt;
	bool given;
	const char *str;
	uint64_t u;
	const char **multi;
	size_t nmulti;
};

static const struct cli_optval *find_val(const struct cli_ctx *ctx, const char *name)
{
	if (ctx->opts && ctx->vals)
		for (size_t i = 0; ctx->opts[i].name; i++)
			if (strcmp(ctx->opts[i].name, name) == 0)
				return &ctx->vals[i];
	VITK_ASSERT(!"option not declared for this verb");
	return NULL;
}

bool cli_flag(const struct cli_ctx *ctx, const char *name)
{
	return find_val(ctx, name)->given;
}

const char *cli_str(const struct cli_ctx *ctx, const char *name)
{
	const struct cli_optval *v = find_val(ctx, name);

	return v->given ? v->str : NULL;
}

bool cli_u64(const struct cli_ctx *ctx, const char *name, uint64_t *out)
{
	const struct cli_optval *v = find_val(ctx, name);

	if (v->given && out)
		*out = v->u;
	return v->given;
}

size_t cli_multi(const struct cli_ctx *ctx, const char *name, const char *const **out)
{
	const struct cli_optval *v = find_val(ctx, name);

	*out = (const char *const *)v->multi;
	return v->nmulti;
}

static size_t levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = prev[j] + 1;

			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (prev[j - 1] + cost < best)
				best = prev[j - 1] + cost;
			cur[j] = best;
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

const char *cli_near_match(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bestd = 99, wl = strlen(word);

	for (size_t i = 0; i < n; i++) {
		size_t d = levenshtein(word, cands[i]);

		/* a prefix or a word that the candidate starts with counts as close */
		if (wl >= 2 && strncmp(cands[i], word, wl) == 0)
			d = d < 1 ? d : 1;
		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return bestd <= (wl > 4 ? 3u : 2u) ? best : NULL;
}

static const struct cli_opt global_opts[] = {
	CLI_OPT_STR("db", 0, "PATH", "inventory database (default $VITK_DB, else $XDG_DATA_HOME/vitk/inventory.db)"),
	CLI_OPT_STR("output", 'o', "FMT", "output format: table, json or csv"),
	CLI_OPT_FLAG("verbose", 'v', "more detail on stderr"),
	CLI_OPT_FLAG("quiet", 'q', "only errors on stderr, no progress"),
	CLI_OPT_FLAG("help", 'h', "show help"),
	CLI_OPT_FLAG("version", 0, "print the version"),
	CLI_OPT_END,
};

const struct cli_opt *cli_global_opts(void)
{
	return global_opts;
}

static int set_global(struct cli_ctx *ctx, struct cli_parse_state *ps, const struct cli_opt *o,
		      const char *val)
{
	if (strcmp(o->name, "db") == 0) {
		ps->db = val;
	} else if (strcmp(o->name, "output") == 0) {
		if (strcmp(val, "table") == 0 || strcmp(val, "text") == 0)
			ctx->output = CLI_OUT_TABLE;
		else if (strcmp(val, "json") == 0)
			ctx->output = CLI_OUT_JSON;
		else if (strcmp(val, "csv") == 0)
			ctx->output = CLI_OUT_CSV;
		else
			return cli_error(ctx, CLI_EXIT_USAGE,
					 "unknown output format '%s' (use table, json or csv)", val);
	} else if (strcmp(o->name, "verbose") == 0) {
		ctx->verbose++;
	} else if (strcmp(o->name, "quiet") == 0) {
		ctx->quiet = true;
	} else if (strcmp(o->name, "help") == 0) {
		ps->help = true;
	} else if (strcmp(o->name, "version") == 0) {
		ps->version = true;
	}
	return 0;
}

static const struct cli_opt *lookup_long(const struct cli_opt *tab, const char *name, size_t n)
{
	for (size_t i = 0; tab && tab[i].name; i++)
		if (strlen(tab[i].name) == n && strncmp(tab[i].name, name, n) == 0)
			return &tab[i];
	return NULL;
}

static const struct cli_opt *lookup_short(const struct cli_opt *tab, char c)
{
	for (size_t i = 0; tab && tab[i].name; i++)
		if (tab[i].short_name && tab[i].short_name == c)
			return &tab[i];
	return NULL;
}

static int store(struct cli_ctx *ctx, struct cli_parse_state *ps, const struct cli_opt *o,
		 const char *val, const char *spelled)
{
	struct cli_optval *v;
	size_t idx;
	int r;

	if (o >= global_opts && o < global_opts + VITK_ARRAY_SIZE(global_opts))
		return set_global(ctx, ps, o, val);
	idx = (size_t)(o - ctx->opts);
	v = &ctx->vals[idx];
	v->opt = o;
	switch (o->type) {
	case CLI_OPT_T_FLAG:
		v->given = true;
		break;
	case CLI_OPT_T_STR:
		v->given = true;
		v->str = val;
		break;
	case CLI_OPT_T_UINT:
		r = vitk_parse_u64(val, &v->u);
		if (r < 0)
			return cli_error(ctx, CLI_EXIT_USAGE, "option '%s' needs a number, not '%s'",
					 spelled, val);
		v->given = true;
		v->str = val;
		break;
	case CLI_OPT_T_SIZE:
		r = vitk_parse_size(val, &v->u);
		if (r < 0)
			return cli_error(ctx, CLI_EXIT_USAGE,
					 "option '%s' needs a size such as 512K or 1G, not '%s'",
					 spelled, val);
		v->given = true;
		v->str = val;
		break;
	case CLI_OPT_T_MULTI: {
		const char **nm = realloc(v->multi, (v->nmulti + 2) * sizeof(*nm));

		if (!nm)
			return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
		v->multi = nm;
		v->multi[v->nmulti++] = val;
		v->multi[v->nmulti] = NULL;
		v->given = true;
		break;
	}
	default:
		break;
	}
	return 0;
}

static int unknown_option(struct cli_ctx *ctx, const char *spelled)
{
	const char *cands[128];
	size_t n = 0;
	const char *near;
	const char *name = spelled;

	while (*name == '-')
		name++;
	for (size_t i = 0; ctx->opts && ctx->opts[i].name && n < 120; i++)
		cands[n++] = ctx->opts[i].name;
	for (size_t i = 0; global_opts[i].name && n < 127; i++)
		cands[n++] = global_opts[i].name;
	near = strlen(name) > 1 ? cli_near_match(name, cands, n) : NULL;
	if (near)
		return cli_error(ctx, CLI_EXIT_USAGE, "unknown option '%s'; did you mean '--%s'?",
				 spelled, near);
	return cli_error(ctx, CLI_EXIT_USAGE, "unknown option '%s' (see '--help')", spelled);
}

int cli_parse_args(struct cli_ctx *ctx, struct cli_parse_state *ps, int argc, char **argv,
		   bool stop_at_positional)
{
	size_t nopts = 0;
	int i, r;

	while (ctx->opts && ctx->opts[nopts].name)
		nopts++;
	if (!ctx->vals) {
		ctx->vals = calloc(nopts + 1, sizeof(*ctx->vals));
		if (!ctx->vals)
			return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	}
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (ps->only_positional || a[0] != '-' || a[1] == '\0') {
			if (stop_at_positional) {
				ps->rest = i;
				return 0;
			}
			if (ps->npos >= CLI_MAX_ARGS)
				return cli_error(ctx, CLI_EXIT_USAGE, "too many arguments");
			ps->pos[ps->npos++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			ps->only_positional = true;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			const struct cli_opt *o = lookup_long(ctx->opts, name, n);
			const char *val = NULL;
			char spelled[96];

			if (!o)
				o = lookup_long(global_opts, name, n);
			snprintf(spelled, sizeof(spelled), "--%.*s", (int)(n < 80 ? n : 80), name);
			if (!o)
				return unknown_option(ctx, spelled);
			if (o->type == CLI_OPT_T_FLAG) {
				if (eq)
					return cli_error(ctx, CLI_EXIT_USAGE,
							 "option '%s' takes no value", spelled);
			} else if (eq) {
				val = eq + 1;
			} else {
				if (i + 1 >= argc)
					return cli_error(ctx, CLI_EXIT_USAGE,
							 "option '%s' needs a value (%s)", spelled,
							 o->argname ? o->argname : "VALUE");
				val = argv[++i];
			}
			r = store(ctx, ps, o, val, spelled);
			if (r)
				return r;
			continue;
		}
		/* short options, possibly bundled */
		for (const char *p = a + 1; *p; p++) {
			const struct cli_opt *o = lookup_short(ctx->opts, *p);
			char spelled[3] = { '-', *p, 0 };

			if (!o)
				o = lookup_short(global_opts, *p);
			if (!o)
				return unknown_option(ctx, spelled);
			if (o->type == CLI_OPT_T_FLAG) {
				r = store(ctx, ps, o, NULL, spelled);
				if (r)
					return r;
				continue;
			}
			if (p[1]) {
				r = store(ctx, ps, o, p + 1, spelled);
			} else {
				if (i + 1 >= argc)
					return cli_error(ctx, CLI_EXIT_USAGE,
							 "option '%s' needs a value (%s)", spelled,
							 o->argname ? o->argname : "VALUE");
				r = store(ctx, ps, o, argv[++i], spelled);
			}
			if (r)
				return r;
			break;
		}
	}
	ps->rest = argc;
	return 0;
}

void cli_free_vals(struct cli_ctx *ctx)
{
	size_t n = 0;

	if (!ctx->vals)
		return;
	while (ctx->opts && ctx->opts[n].name)
		n++;
	for (size_t i = 0; i < n; i++)
		free(ctx->vals[i].multi);
	free(ctx->vals);
	ctx->vals = NULL;
}

static void print_opt_table(FILE *f, const struct cli_opt *tab)
{
	for (size_t i = 0; tab && tab[i].name; i++) {
		char left[80];

		if (tab[i].short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", tab[i].short_name,
				 tab[i].name, tab[i].argname ? " " : "",
				 tab[i].argname ? tab[i].argname : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", tab[i].name,
				 tab[i].argname ? " " : "", tab[i].argname ? tab[i].argname : "");
		fprintf(f, "  %-30s %s%s\n", left, tab[i].help ? tab[i].help : "",
			tab[i].type == CLI_OPT_T_MULTI ? " (repeatable)" : "");
	}
}

void cli_print_verb_help(FILE *f, const char *noun, const struct cli_verb *v)
{
	fprintf(f, "usage: vitk %s %s [options]%s%s\n\n%s\n", noun, v->name,
		v->args_usage ? " " : "", v->args_usage ? v->args_usage : "",
		v->summary ? v->summary : "");
	if (v->opts && v->opts[0].name) {
		fprintf(f, "\noptions:\n");
		print_opt_table(f, v->opts);
	}
	fprintf(f, "\nglobal options:\n");
	print_opt_table(f, global_opts);
}

void cli_print_global_help(FILE *f)
{
	print_opt_table(f, global_opts);
}
