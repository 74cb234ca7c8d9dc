/* SPDX-License-Identifier: MIT */
/*
 * `vitk odx serve --config FILE`: the target definition in one file.
 *
 * The format is the command line's long options, one per line:
 *
 *	# comment                     (also after a value: " # ...")
 *	iqn = iqn.2026-01.lab.vitk:odx
 *	portal = 10.0.0.5:3260        (repeatable: multipath)
 *	lun = 0=/srv/vitk/lun0.img,size=64G,bs=512
 *	chap-file = /etc/vitk/lab.chap
 *	login-timeout = 30
 *
 * Keys are the long names of `vitk odx serve`'s options (see --help);
 * repeatable options repeat; flags take yes/no/true/false/1/0.  Secrets
 * never stand in the file itself: `chap` and `chap-mutual` are refused,
 * `chap-file` / `chap-mutual-file` point at 0600 files.  `config` and
 * `stats` belong to the command line.  Options given on the command line
 * win over the file (repeatable ones are added after the file's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/array.h>
#include <vitk/common.h>
#include <vitk/error.h>

#include "cmd_odx_serve.h"

#define CONF_MAX_BYTES (1u << 20)
#define CONF_MAX_MULTI 4096u /* values of one repeatable key */

static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t\r");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *key)
{
	for (; opts->name; opts++)
		if (strcmp(opts->name, key) == 0)
			return opts;
	return NULL;
}

static int conf_err(char *why, size_t why_len, unsigned line, const char *fmt, const char *a)
{
	char msg[192];

	snprintf(msg, sizeof(msg), fmt, a);
	snprintf(why, why_len, "line %u: %s", line, msg);
	return -1;
}

static int set_flag(bool *dst, const char *v)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		*dst = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		*dst = false;
	else
		return -1;
	return 0;
}

/* one "key = value" into @cfg; values point into the text */
static int conf_store(const struct cli_opt *o, const char *v, struct cli_odx_serve_cfg *cfg,
		      char *why, size_t why_len, unsigned line)
{
	char *field = (char *)cfg + o->offset;
	uint64_t n;
	struct cli_strv *sv;

	switch (o->type) {
	case CLI_OPT_T_FLAG:
		if (set_flag((bool *)(void *)field, v) < 0)
			return conf_err(why, why_len, line, "'%s': expected yes or no", o->name);
		return 0;
	case CLI_OPT_T_STR:
		*(const char **)(void *)field = v;
		return 0;
	case CLI_OPT_T_UINT:
	case CLI_OPT_T_SIZE:
		if ((o->type == CLI_OPT_T_UINT ? vitk_parse_u64(v, &n) : vitk_parse_size(v, &n)) < 0 ||
		    (o->max && (n < o->min || n > o->max))) {
			vitk_error_clear();
			return conf_err(why, why_len, line, "'%s': bad or out-of-range number",
					o->name);
		}
		*(uint64_t *)(void *)field = n;
		return 0;
	case CLI_OPT_T_MULTI:
		sv = (struct cli_strv *)(void *)field;
		if (sv->n >= CONF_MAX_MULTI)
			return conf_err(why, why_len, line, "'%s': too many values", o->name);
		/* n + 1 entries and a NULL after the last, like the parser's */
		if (sv->n + 2 > sv->asize) {
			size_t na = sv->asize ? sv->asize * 2 : 8;
			const char **nv = realloc(sv->v, na * sizeof(*nv));

			if (!nv)
				return conf_err(why, why_len, line, "%s", "out of memory");
			sv->v = nv;
			sv->asize = na;
		}
		sv->v[sv->n++] = v;
		sv->v[sv->n] = NULL;
		return 0;
	default:
		return conf_err(why, why_len, line, "'%s': not allowed in a config file", o->name);
	}
}

int cli_odx_serve_conf_parse(char *text, struct cli_odx_serve_cfg *cfg, char *why,
			     size_t why_len)
{
	static const char *const refused[] = { "config", "stats", "chap", "chap-mutual", NULL };
	char *line = text, *next;
	unsigned lineno = 0;
	size_t i;

	for (; line; line = next) {
		char *eq, *key, *val, *hash;
		const struct cli_opt *o;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strlen(line) > 4096)
			return conf_err(why, why_len, lineno, "%s", "line too long");
		hash = strstr(line, " #");
		if (line[strspn(line, " \t")] == '#')
			continue;
		if (hash)
			*hash = '\0';
		line = trim(line);
		if (!*line)
			continue;
		eq = strchr(line, '=');
		if (!eq)
			return conf_err(why, why_len, lineno, "expected KEY = VALUE, got '%.60s'",
					line);
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		for (i = 0; refused[i]; i++)
			if (!strcmp(key, refused[i]))
				return conf_err(why, why_len, lineno,
						"'%s' is not allowed in a config file (secrets: "
						"chap-file / chap-mutual-file)",
						key);
		o = find_opt(cli_odx_serve_opts, key);
		if (!o || !o->bound)
			return conf_err(why, why_len, lineno, "unknown key '%.60s'", key);
		if (!*val)
			return conf_err(why, why_len, lineno, "'%s' has no value", key);
		if (conf_store(o, val, cfg, why, why_len, lineno) < 0)
			return -1;
	}
	return 0;
}

/* the command line over the file: scalars given there win, lists append */
static int conf_merge(struct cli_odx_serve_cfg *dst, const struct cli_odx_serve_cfg *cmdline)
{
	const struct cli_opt *o;

	for (o = cli_odx_serve_opts; o->name; o++) {
		const char *src = (const char *)cmdline + o->offset;
		char *field = (char *)dst + o->offset;
		const struct cli_strv *sv;
		size_t i;

		switch (o->type) {
		case CLI_OPT_T_FLAG:
			if (*(const bool *)(const void *)src)
				*(bool *)(void *)field = true;
			break;
		case CLI_OPT_T_STR:
			if (*(const char *const *)(const void *)src)
				*(const char **)(void *)field = *(const char *const *)(const void *)src;
			break;
		case CLI_OPT_T_UINT:
		case CLI_OPT_T_SIZE:
			if (*(const uint64_t *)(const void *)src)
				*(uint64_t *)(void *)field = *(const uint64_t *)(const void *)src;
			break;
		case CLI_OPT_T_MULTI:
			sv = (const struct cli_strv *)(const void *)src;
			for (i = 0; i < sv->n; i++) {
				char why[8];

				if (conf_store(o, sv->v[i], dst, why, sizeof(why), 0) < 0)
					return -1;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

void cli_odx_serve_conf_clear(struct cli_odx_serve_conf *c)
{
	const struct cli_opt *o;

	for (o = cli_odx_serve_opts; o->name; o++)
		if (o->type == CLI_OPT_T_MULTI)
			free(((struct cli_strv *)(void *)((char *)&c->cfg + o->offset))->v);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

int cli_odx_serve_conf_load(const char *path, const struct cli_odx_serve_cfg *cmdline,
			    struct cli_odx_serve_conf *out, char *why, size_t why_len)
{
	size_t len = 0;
	int r;

	memset(out, 0, sizeof(*out));
	r = vitk_read_file(path, CONF_MAX_BYTES, &out->text, &len);
	if (r < 0) {
		snprintf(why, why_len, "%s", vitk_error_last()->message);
		return -1;
	}
	if (strlen(out->text) != len) {
		snprintf(why, why_len, "a NUL byte in the file");
		return -1;
	}
	if (cli_odx_serve_conf_parse(out->text, &out->cfg, why, why_len) < 0)
		return -1;
	if (conf_merge(&out->cfg, cmdline) < 0) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	out->cfg.config = cmdline->config;
	return 0;
}
