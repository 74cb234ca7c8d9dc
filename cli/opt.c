/* SPDX-License-Identifier: MIT */
/*
 * Option parsing from per-verb spec tables (see cli.h): each option is
 * stored into its typed field of the verb's config while the command line
 * is read, and --help is printed from the same table.  Our own small
 * parser: no global getopt state, exact long names (a near miss gets a
 * "did you mean"), GNU-style "--name=value", "--name value", "-x value",
 * "-xVALUE" and bundled flags "-vq".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/array.h>

#include "cli.h"
#include "dispatch.h"

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

#define G struct cli_globals
static const struct cli_opt global_opts[] = {
	{ CLI_STR(G, db, "db", 0, "PATH",
		  "inventory database (default $VITK_DB, else $XDG_DATA_HOME/vitk/inventory.db)") },
	{ CLI_STR(G, output, "output", 'o', "FMT", "output format: table, json or csv") },
	{ CLI_FLAG(G, verbose, "verbose", 'v', "more detail on stderr") },
	{ CLI_FLAG(G, quiet, "quiet", 'q', "only errors on stderr, no progress") },
	{ CLI_FLAG(G, help, "help", 'h', "show help") },
	{ CLI_FLAG(G, version, "version", 0, "print the version") },
	CLI_OPT_END,
};
#undef G

const struct cli_opt *cli_global_opts(void)
{
	return global_opts;
}

/* the global options that act on the context at once (later options may depend on them) */
static int apply_globals(struct cli_ctx *ctx, const struct cli_globals *g)
{
	ctx->verbose = g->verbose;
	ctx->quiet = g->quiet;
	if (!g->output)
		return 0;
	if (strcmp(g->output, "table") == 0 || strcmp(g->output, "text") == 0)
		ctx->output = CLI_OUT_TABLE;
	else if (strcmp(g->output, "json") == 0)
		ctx->output = CLI_OUT_JSON;
	else if (strcmp(g->output, "csv") == 0)
		ctx->output = CLI_OUT_CSV;
	else
		return cli_error(ctx, CLI_EXIT_USAGE,
				 "unknown output format '%s' (use table, json or csv)", g->output);
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

/* "1G" for exact binary multiples, else the plain number: how --help and errors show sizes */
static void fmt_size(char *buf, size_t len, uint64_t v)
{
	static const char units[] = "KMGTP";
	int u = -1;

	while (v && v % 1024 == 0 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)v, units[u]);
}

static void fmt_range(char *buf, size_t len, const struct cli_opt *o)
{
	char lo[32], hi[32];

	if (o->type == CLI_OPT_T_SIZE) {
		fmt_size(lo, sizeof(lo), o->min);
		fmt_size(hi, sizeof(hi), o->max);
	} else {
		snprintf(lo, sizeof(lo), "%llu", (unsigned long long)o->min);
		snprintf(hi, sizeof(hi), "%llu", (unsigned long long)o->max);
	}
	snprintf(buf, len, "%s..%s", lo, hi);
}

/* "a, b, c" */
static void fmt_values(char *buf, size_t len, const char *const *values)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; values && values[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", values[i]);
}

static int parse_number(struct cli_ctx *ctx, const struct cli_opt *o, const char *val,
			const char *spelled, uint64_t *out)
{
	char range[80];

	if (o->type == CLI_OPT_T_SIZE && vitk_parse_size(val, out) < 0)
		return cli_error(ctx, CLI_EXIT_USAGE,
				 "option '%s' needs a size such as 512K or 1G, not '%s'", spelled, val);
	if (o->type == CLI_OPT_T_UINT && vitk_parse_u64(val, out) < 0)
		return cli_error(ctx, CLI_EXIT_USAGE, "option '%s' needs a number, not '%s'", spelled,
				 val);
	vitk_error_clear();
	if (o->max && (*out < o->min || *out > o->max)) {
		fmt_range(range, sizeof(range), o);
		return cli_error(ctx, CLI_EXIT_USAGE, "option '%s' needs a value in %s, not '%s'",
				 spelled, range, val);
	}
	return 0;
}

static int parse_enum(struct cli_ctx *ctx, const struct cli_opt *o, const char *val,
		      const char *spelled, int *out)
{
	char list[256];
	const char *near;
	size_t n = 0;

	for (; o->values && o->values[n]; n++)
		if (strcmp(o->values[n], val) == 0) {
			*out = o->enum_ints ? o->enum_ints[n] : (int)n;
			return 0;
		}
	fmt_values(list, sizeof(list), o->values);
	near = cli_near_match(val, (const char *const *)o->values, n);
	if (near)
		return cli_error(ctx, CLI_EXIT_USAGE,
				 "option '%s' needs one of %s, not '%s'; did you mean '%s'?", spelled,
				 list, val, near);
	return cli_error(ctx, CLI_EXIT_USAGE, "option '%s' needs one of %s, not '%s'", spelled, list,
			 val);
}

/* append @val to a cli_strv, keeping it NULL-terminated */
static int strv_push(struct cli_strv *sv, const char *val)
{
	VITK_ARRAY(const char *) a = { sv->v, sv->n, sv->asize };

	if (vitk_array_grow(a, 2) < 0)
		return VITK_ENOMEM;
	a.ptr[a.size++] = val;
	a.ptr[a.size] = NULL;
	sv->v = a.ptr;
	sv->n = a.size;
	sv->asize = a.asize;
	return 0;
}

static void strv_clear(struct cli_strv *sv)
{
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

/* the typed store: into the field of the config at @cfg that @o is bound to */
static int bind(struct cli_ctx *ctx, unsigned char *cfg, const struct cli_opt *o, const char *val,
		const char *spelled)
{
	uint64_t u = 0;
	int e = 0, r = 0;
	bool yes = true;

	switch (o->type) {
	case CLI_OPT_T_FLAG:
		memcpy(cfg + o->offset, &yes, sizeof(yes));
		break;
	case CLI_OPT_T_STR:
		memcpy(cfg + o->offset, &val, sizeof(val));
		break;
	case CLI_OPT_T_UINT:
	case CLI_OPT_T_SIZE:
		r = parse_number(ctx, o, val, spelled, &u);
		if (r == 0)
			memcpy(cfg + o->offset, &u, sizeof(u));
		break;
	case CLI_OPT_T_ENUM:
		r = parse_enum(ctx, o, val, spelled, &e);
		if (r == 0)
			memcpy(cfg + o->offset, &e, sizeof(e));
		break;
	case CLI_OPT_T_MULTI:
		if (strv_push((struct cli_strv *)(void *)(cfg + o->offset), val) < 0)
			r = cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
		break;
	default:
		break;
	}
	if (r == 0 && o->has_given)
		memcpy(cfg + o->given_offset, &yes, sizeof(yes));
	return r;
}

static int store(struct cli_ctx *ctx, struct cli_parse_state *ps, const struct cli_opt *o,
		 const char *val, const char *spelled)
{
	int r;

	if (o >= global_opts && o < global_opts + VITK_ARRAY_SIZE(global_opts)) {
		r = bind(ctx, (unsigned char *)&ps->g, o, val, spelled);
		return r ? r : apply_globals(ctx, &ps->g);
	}
	VITK_ASSERT(o->bound && ctx->config); /* cli_verb_check() holds for every verb */
	return bind(ctx, ctx->config, o, val, spelled);
}

void cli_config_clear(const struct cli_opt *opts, void *config)
{
	for (size_t i = 0; config && opts && opts[i].name; i++) {
		if (opts[i].bound && opts[i].type == CLI_OPT_T_MULTI)
			strv_clear((struct cli_strv *)(void *)((unsigned char *)config + opts[i].offset));
	}
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

static int missing_value(struct cli_ctx *ctx, const struct cli_opt *o, const char *spelled)
{
	return cli_error(ctx, CLI_EXIT_USAGE, "option '%s' needs a value (%s)", spelled,
			 o->argname ? o->argname : "VALUE");
}

/* "--name", "--name=value" or "--name value" at argv[*i]; *i moves past a separate value */
static int parse_long(struct cli_ctx *ctx, struct cli_parse_state *ps, int argc, char **argv, int *i)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_opt *o = lookup_long(ctx->opts, name, n);
	const char *val = NULL;
	char spelled[96];

	if (!o)
		o = lookup_long(global_opts, name, n);
	snprintf(spelled, sizeof(spelled), "--%.*s", (int)(n < 80 ? n : 80), name);
	if (!o)
		return unknown_option(ctx, spelled);
	if (o->type == CLI_OPT_T_FLAG && eq)
		return cli_error(ctx, CLI_EXIT_USAGE, "option '%s' takes no value", spelled);
	if (o->type != CLI_OPT_T_FLAG && eq)
		val = eq + 1;
	else if (o->type != CLI_OPT_T_FLAG && *i + 1 >= argc)
		return missing_value(ctx, o, spelled);
	else if (o->type != CLI_OPT_T_FLAG)
		val = argv[++*i];
	return store(ctx, ps, o, val, spelled);
}

/* "-x", bundled flags "-vq", "-xVALUE" or "-x VALUE" at argv[*i] */
static int parse_short(struct cli_ctx *ctx, struct cli_parse_state *ps, int argc, char **argv, int *i)
{
	for (const char *p = argv[*i] + 1; *p; p++) {
		const struct cli_opt *o = lookup_short(ctx->opts, *p);
		char spelled[3] = { '-', *p, 0 };
		int r;

		if (!o)
			o = lookup_short(global_opts, *p);
		if (!o)
			return unknown_option(ctx, spelled);
		if (o->type != CLI_OPT_T_FLAG && p[1])
			return store(ctx, ps, o, p + 1, spelled);
		if (o->type != CLI_OPT_T_FLAG && *i + 1 >= argc)
			return missing_value(ctx, o, spelled);
		if (o->type != CLI_OPT_T_FLAG)
			return store(ctx, ps, o, argv[++*i], spelled);
		r = store(ctx, ps, o, NULL, spelled);
		if (r)
			return r;
	}
	return 0;
}

int cli_parse_args(struct cli_ctx *ctx, struct cli_parse_state *ps, int argc, char **argv,
		   bool stop_at_positional)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int r;

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
		r = a[1] == '-' ? parse_long(ctx, ps, argc, argv, &i) : parse_short(ctx, ps, argc, argv, &i);
		if (r)
			return r;
	}
	ps->rest = argc;
	return 0;
}

static void print_opt_table(FILE *f, const struct cli_opt *tab)
{
	for (size_t i = 0; tab && tab[i].name; i++) {
		const struct cli_opt *o = &tab[i];
		char left[80], extra[300] = "";

		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
				 o->argname ? " " : "", o->argname ? o->argname : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->argname ? " " : "",
				 o->argname ? o->argname : "");
		if (o->type == CLI_OPT_T_MULTI) {
			snprintf(extra, sizeof(extra), " (repeatable)");
		} else if (o->type == CLI_OPT_T_ENUM) {
			char list[256];

			fmt_values(list, sizeof(list), o->values);
			snprintf(extra, sizeof(extra), " (one of: %s)", list);
		} else if (o->max) {
			char range[80];

			fmt_range(range, sizeof(range), o);
			snprintf(extra, sizeof(extra), " (range %s)", range);
		}
		fprintf(f, "  %-30s %s%s\n", left, o->help ? o->help : "", extra);
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

/* the size of the field an option type binds to */
static size_t field_size(enum cli_opt_type type)
{
	switch (type) {
	case CLI_OPT_T_FLAG: return sizeof(bool);
	case CLI_OPT_T_STR: return sizeof(const char *);
	case CLI_OPT_T_UINT:
	case CLI_OPT_T_SIZE: return sizeof(uint64_t);
	case CLI_OPT_T_ENUM: return sizeof(int);
	case CLI_OPT_T_MULTI: return sizeof(struct cli_strv);
	default: return 0;
	}
}

static bool name_clash(const struct cli_opt *a, const struct cli_opt *b)
{
	return strcmp(a->name, b->name) == 0 || (a->short_name && a->short_name == b->short_name);
}

static int check_opt(const struct cli_verb *v, const struct cli_opt *o, char *why, size_t len)
{
	size_t fs = field_size(o->type);

	if (fs == 0)
		snprintf(why, len, "option '--%s' has no type", o->name);
	else if (!o->bound)
		snprintf(why, len, "option '--%s' is not bound to the config", o->name);
	else if (o->bound && (!v->config_size || o->offset + fs > v->config_size))
		snprintf(why, len, "option '--%s' lies outside the config", o->name);
	else if (o->has_given && (!o->bound || o->given_offset + sizeof(bool) > v->config_size))
		snprintf(why, len, "option '--%s' has its given flag outside the config", o->name);
	else if (o->type == CLI_OPT_T_ENUM && (!o->values || !o->values[0]))
		snprintf(why, len, "option '--%s' has no allowed values", o->name);
	else if (o->max && (o->min > o->max ||
			    (o->type != CLI_OPT_T_UINT && o->type != CLI_OPT_T_SIZE)))
		snprintf(why, len, "option '--%s' has a bad range", o->name);
	else
		return 0;
	return -1;
}

int cli_verb_check(const struct cli_verb *v, char *why, size_t why_len)
{
	const struct cli_opt *o = v->opts;

	why[0] = '\0';
	if (v->config_init && !v->config_size) {
		snprintf(why, why_len, "defaults without a config size");
		return -1;
	}
	for (size_t i = 0; o && o[i].name; i++) {
		if (check_opt(v, &o[i], why, why_len) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (name_clash(&o[i], &o[j])) {
				snprintf(why, why_len, "options '--%s' and '--%s' share a name",
					 o[j].name, o[i].name);
				return -1;
			}
		for (size_t j = 0; global_opts[j].name; j++)
			if (name_clash(&o[i], &global_opts[j])) {
				snprintf(why, why_len, "option '--%s' hides the global '--%s'",
					 o[i].name, global_opts[j].name);
				return -1;
			}
	}
	return 0;
}
