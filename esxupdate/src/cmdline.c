/* SPDX-License-Identifier: MIT */
/* Parse the esxcli command line an admin intends to run. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "esxu.h"

#define CMD_MAX 8192
/*
 * Words in one command line.  Each of up to 256 -v and 256 -n values may take
 * two words once normalised ("-vX" prints as "-v X"), plus prefix and flags:
 * whatever vitk_esxupdate_command_format() prints must parse back.
 */
#define WORDS_MAX (4 * 256 + 32)

void vitk_esxupdate_command_free(vitk_esxupdate_command *c)
{
	size_t i;

	if (!c)
		return;
	free(c->depot);
	free(c->profile);
	for (i = 0; i < c->nvibnames; i++)
		free(c->vibnames[i]);
	free(c->vibnames);
	for (i = 0; i < c->nviburls; i++)
		free(c->viburls[i]);
	free(c->viburls);
	for (i = 0; i < c->ncomponents; i++)
		free(c->components[i]);
	free(c->components);
	free(c);
}

const char *vitk_esxupdate_op_name(vitk_esxupdate_op op)
{
	switch (op) {
	case VITK_ESXUPDATE_OP_VIB_INSTALL: return "vib install";
	case VITK_ESXUPDATE_OP_VIB_UPDATE: return "vib update";
	case VITK_ESXUPDATE_OP_PROFILE_INSTALL: return "profile install";
	case VITK_ESXUPDATE_OP_PROFILE_UPDATE: return "profile update";
	case VITK_ESXUPDATE_OP_COMPONENT_APPLY: return "component apply";
	}
	return "?";
}

/* POSIX-shell-like word splitting: '..', "..", backslash escapes */
static int split_words(const char *line, esxu_strv *out)
{
	const char *p = line;
	vitk_str w = VITK_STR_INIT;
	int r = 0;

	for (;;) {
		bool have = false;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		vitk_str_truncate(&w, 0);
		while (*p && !isspace((unsigned char)*p)) {
			have = true;
			if (*p == '\'') {
				const char *e = strchr(p + 1, '\'');

				if (!e) {
					r = vitk_error_set(VITK_EINVAL, 0, "command: unterminated ' quote");
					goto out;
				}
				vitk_str_put(&w, p + 1, (size_t)(e - p - 1));
				p = e + 1;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1])
						p++;
					vitk_str_put(&w, p, 1);
					p++;
				}
				if (*p != '"') {
					r = vitk_error_set(VITK_EINVAL, 0, "command: unterminated \" quote");
					goto out;
				}
				p++;
			} else if (*p == '\\' && p[1]) {
				vitk_str_put(&w, p + 1, 1);
				p += 2;
			} else if (*p == ';' || *p == '|' || *p == '&' || *p == '`' || *p == '$') {
				r = vitk_error_set(VITK_EINVAL, 0,
						   "command: shell metacharacter '%c' not supported; paste one esxcli command",
						   *p);
				goto out;
			} else {
				vitk_str_put(&w, p, 1);
				p++;
			}
		}
		if (w.oom) {
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			goto out;
		}
		if (have) {
			if (out->size >= WORDS_MAX) {
				r = vitk_error_set(VITK_EINVAL, 0, "command: too many words");
				goto out;
			}
			r = vitk_esxupdate__strv_add(out, w.ptr);
			if (r < 0)
				goto out;
		}
	}
out:
	vitk_str_clear(&w);
	return r;
}

enum optkind { O_DEPOT, O_PROFILE, O_VIBNAME, O_FLAG, O_IGNORED_VAL, O_VIBURL, O_COMPONENT };

static const struct {
	const char *lng;
	char shrt;
	enum optkind kind;
	unsigned flag;
} opt_table[] = {
	{ "depot", 'd', O_DEPOT, 0 },
	{ "profile", 'p', O_PROFILE, 0 },
	{ "vibname", 'n', O_VIBNAME, 0 },
	{ "viburl", 'v', O_VIBURL, 0 },
	{ "component", 0, O_COMPONENT, 0 }, /* -n of component apply: see apply_opt */
	{ "force", 'f', O_FLAG, VITK_ESXUPDATE_F_FORCE },
	{ "no-sig-check", 0, O_FLAG, VITK_ESXUPDATE_F_NO_SIG_CHECK },
	{ "dry-run", 0, O_FLAG, VITK_ESXUPDATE_F_DRY_RUN },
	{ "ok-to-remove", 0, O_FLAG, VITK_ESXUPDATE_F_OK_TO_REMOVE },
	{ "allow-downgrades", 0, O_FLAG, VITK_ESXUPDATE_F_ALLOW_DOWNGRADES },
	{ "maintenance-mode", 0, O_FLAG, VITK_ESXUPDATE_F_MAINTENANCE_MODE },
	{ "no-live-install", 0, O_FLAG, VITK_ESXUPDATE_F_NO_LIVE_INSTALL },
	{ "no-hardware-warning", 0, O_FLAG, 0 },
	{ "proxy", 0, O_IGNORED_VAL, 0 },
};

static int add_str(char ***list, size_t *n, const char *v, const char *opt)
{
	if (!*v)
		return vitk_error_set(VITK_EINVAL, 0, "command: empty %s", opt);
	if (*n >= 256)
		return vitk_error_set(VITK_EINVAL, 0, "command: too many %s", opt);
	return vitk_esxupdate__strlist_add(list, n, v);
}

static int apply_opt(vitk_esxupdate_command *c, size_t k, const char *val, const char *spelled)
{
	switch (opt_table[k].kind) {
	case O_DEPOT:
		if (!*val)
			return vitk_error_set(VITK_EINVAL, 0, "command: empty %s", spelled);
		if (c->depot)
			return vitk_error_set(VITK_ENOTSUP, 0,
					      "command: more than one depot (-d) is not supported; audit one bundle at a time");
		c->depot = vitk_esxupdate__strdup(val);
		if (!c->depot)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		break;
	case O_PROFILE:
		if (!*val)
			return vitk_error_set(VITK_EINVAL, 0, "command: empty %s", spelled);
		free(c->profile);
		c->profile = vitk_esxupdate__strdup(val);
		if (!c->profile)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		break;
	case O_VIBNAME:
		if (c->op == VITK_ESXUPDATE_OP_COMPONENT_APPLY) /* component apply's -n is --component */
			return add_str(&c->components, &c->ncomponents, val, "-n/--component");
		return add_str(&c->vibnames, &c->nvibnames, val, "-n/--vibname");
	case O_COMPONENT:
		if (c->op != VITK_ESXUPDATE_OP_COMPONENT_APPLY)
			return vitk_error_set(VITK_EINVAL, 0, "command: --component is only valid for 'software component apply'");
		return add_str(&c->components, &c->ncomponents, val, "-n/--component");
	case O_VIBURL:
		return add_str(&c->viburls, &c->nviburls, val, "-v/--viburl");
	case O_FLAG:
		c->flags |= opt_table[k].flag;
		break;
	case O_IGNORED_VAL:
		break;
	}
	return 0;
}

int vitk_esxupdate_command_parse(vitk_esxupdate_command **out, const char *line)
{
	vitk_esxupdate_command *c = NULL;
	esxu_strv w = { 0 };
	size_t i = 0, k;
	int r;

	*out = NULL;
	if (!line || strlen(line) > CMD_MAX)
		return vitk_error_set(VITK_EINVAL, 0, "command: missing or longer than %d bytes", CMD_MAX);
	if (vitk_esxupdate__has_ctl(line))
		return vitk_error_set(VITK_EINVAL, 0, "command: a control character (newline, ESC, ...) in the command line: refused");
	r = split_words(line, &w);
	if (r < 0)
		goto out;
	c = calloc(1, sizeof(*c));
	if (!c) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	/* optional prompt/path: "[root@esx:~] esxcli", "/bin/esxcli", "localcli" */
	while (i < w.size && w.ptr[i][0] == '[')
		i++;
	if (i < w.size) {
		const char *b = strrchr(w.ptr[i], '/');

		b = b ? b + 1 : w.ptr[i];
		if (strcmp(b, "esxcli") == 0 || strcmp(b, "localcli") == 0)
			i++;
	}
	/* esxcli global options before the namespace (--server=... etc.) are skipped */
	while (i < w.size && strncmp(w.ptr[i], "--", 2) == 0)
		i++;
	if (i + 2 >= w.size || strcmp(w.ptr[i], "software") != 0) {
		r = vitk_error_set(VITK_EINVAL, 0,
				   "command: expected 'esxcli software vib|profile install|update ...' or 'esxcli software component apply ...'");
		goto out;
	}
	i++;
	if (i + 1 >= w.size) {
		r = vitk_error_set(VITK_EINVAL, 0, "command: missing namespace and verb after 'software'");
		goto out;
	}
	if (strcmp(w.ptr[i], "vib") == 0 && strcmp(w.ptr[i + 1], "install") == 0)
		c->op = VITK_ESXUPDATE_OP_VIB_INSTALL;
	else if (strcmp(w.ptr[i], "vib") == 0 && strcmp(w.ptr[i + 1], "update") == 0)
		c->op = VITK_ESXUPDATE_OP_VIB_UPDATE;
	else if (strcmp(w.ptr[i], "profile") == 0 && strcmp(w.ptr[i + 1], "install") == 0)
		c->op = VITK_ESXUPDATE_OP_PROFILE_INSTALL;
	else if (strcmp(w.ptr[i], "profile") == 0 && strcmp(w.ptr[i + 1], "update") == 0)
		c->op = VITK_ESXUPDATE_OP_PROFILE_UPDATE;
	else if (strcmp(w.ptr[i], "component") == 0 && strcmp(w.ptr[i + 1], "apply") == 0)
		c->op = VITK_ESXUPDATE_OP_COMPONENT_APPLY;
	else {
		r = vitk_error_set(VITK_ENOTSUP, 0,
				   "command: 'software %s %s' is not simulated (vib install|update, profile install|update, component apply)",
				   w.ptr[i], w.ptr[i + 1]);
		goto out;
	}
	for (i += 2; i < w.size; i++) {
		const char *a = w.ptr[i];
		bool matched = false;

		if (strncmp(a, "--", 2) == 0) {
			const char *eq = strchr(a, '=');
			size_t nl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			for (k = 0; k < VITK_ARRAY_SIZE(opt_table); k++) {
				if (strlen(opt_table[k].lng) != nl || strncmp(a + 2, opt_table[k].lng, nl))
					continue;
				matched = true;
				if (opt_table[k].kind == O_FLAG) {
					if (eq) {
						r = vitk_error_set(VITK_EINVAL, 0,
								   "command: option '--%s' takes no value",
								   opt_table[k].lng);
						goto out;
					}
					r = apply_opt(c, k, "", a);
				} else if (eq) {
					r = apply_opt(c, k, eq + 1, a);
				} else if (i + 1 < w.size) {
					r = apply_opt(c, k, w.ptr[++i], a);
				} else {
					r = vitk_error_set(VITK_EINVAL, 0, "command: option '%s' needs a value", a);
				}
				break;
			}
		} else if (a[0] == '-' && a[1] && a[1] != '-') {
			for (k = 0; k < VITK_ARRAY_SIZE(opt_table); k++) {
				if (opt_table[k].shrt != a[1])
					continue;
				matched = true;
				if (opt_table[k].kind == O_FLAG) {
					if (a[2]) {
						r = vitk_error_set(VITK_EINVAL, 0,
								   "command: unknown option '%s'", a);
						goto out;
					}
					r = apply_opt(c, k, "", a);
				} else if (a[2]) {
					r = apply_opt(c, k, a[2] == '=' ? a + 3 : a + 2, a);
				} else if (i + 1 < w.size) {
					r = apply_opt(c, k, w.ptr[++i], a);
				} else {
					r = vitk_error_set(VITK_EINVAL, 0, "command: option '%s' needs a value", a);
				}
				break;
			}
		} else {
			r = vitk_error_set(VITK_EINVAL, 0, "command: unexpected argument '%s'", a);
			goto out;
		}
		if (!matched) {
			r = vitk_error_set(VITK_EINVAL, 0, "command: unknown option '%s' for 'software %s'",
					   a, vitk_esxupdate_op_name(c->op));
			goto out;
		}
		if (r < 0)
			goto out;
	}
	if (c->depot && c->nviburls) {
		r = vitk_error_set(VITK_ENOTSUP, 0, "command: -d and -v together are not supported; audit one source at a time");
		goto out;
	}
	if (!c->depot && !c->nviburls) {
		r = vitk_error_set(VITK_EINVAL, 0, "command: no depot (-d/--depot) given");
		goto out;
	}
	if (c->nviburls && (c->op == VITK_ESXUPDATE_OP_PROFILE_INSTALL || c->op == VITK_ESXUPDATE_OP_PROFILE_UPDATE)) {
		r = vitk_error_set(VITK_EINVAL, 0, "command: -v/--viburl is not valid for 'software %s'",
				   vitk_esxupdate_op_name(c->op));
		goto out;
	}
	if ((c->op == VITK_ESXUPDATE_OP_PROFILE_INSTALL || c->op == VITK_ESXUPDATE_OP_PROFILE_UPDATE)) {
		if (!c->profile) {
			r = vitk_error_set(VITK_EINVAL, 0, "command: 'software %s' needs -p/--profile",
					   vitk_esxupdate_op_name(c->op));
			goto out;
		}
		if (c->nvibnames) {
			r = vitk_error_set(VITK_EINVAL, 0, "command: -n/--vibname is not valid for 'software %s'",
					   vitk_esxupdate_op_name(c->op));
			goto out;
		}
	} else if (c->profile) {
		r = vitk_error_set(VITK_EINVAL, 0, "command: -p/--profile is not valid for 'software %s'",
				   vitk_esxupdate_op_name(c->op));
		goto out;
	}
	if (c->op == VITK_ESXUPDATE_OP_COMPONENT_APPLY && (c->nviburls || (c->flags & VITK_ESXUPDATE_F_FORCE))) {
		r = vitk_error_set(VITK_EINVAL, 0, "command: %s is not valid for 'software component apply'",
				   c->nviburls ? "-v/--viburl" : "-f/--force");
		goto out;
	}
	if ((c->flags & VITK_ESXUPDATE_F_OK_TO_REMOVE) && c->op != VITK_ESXUPDATE_OP_PROFILE_INSTALL) {
		r = vitk_error_set(VITK_EINVAL, 0, "command: --ok-to-remove is only valid for 'software profile install'");
		goto out;
	}
	if ((c->flags & VITK_ESXUPDATE_F_ALLOW_DOWNGRADES) && c->op != VITK_ESXUPDATE_OP_PROFILE_UPDATE) {
		r = vitk_error_set(VITK_EINVAL, 0, "command: --allow-downgrades is only valid for 'software profile update'");
		goto out;
	}
	/* the normalised form is what gets recorded and parsed again: it must fit too */
	{
		char *f = vitk_esxupdate_command_format(c);
		size_t flen;

		if (!f) {
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			goto out;
		}
		flen = strlen(f);
		free(f);
		if (flen > CMD_MAX) {
			r = vitk_error_set(VITK_EINVAL, 0, "command: longer than %d bytes once normalised",
					   CMD_MAX);
			goto out;
		}
	}
	*out = c;
	c = NULL;
	r = 0;
out:
	vitk_esxupdate__strv_dispose(&w);
	vitk_esxupdate_command_free(c);
	return r;
}

static void add_quoted(vitk_str *b, const char *s)
{
	const char *p;
	bool plain = *s != '\0';

	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/._-:=+,@%", *p))
			plain = false;
	if (plain) {
		vitk_str_puts(b, s);
		return;
	}
	vitk_str_puts(b, "'");
	for (p = s; *p; p++) {
		if (*p == '\'')
			vitk_str_puts(b, "'\\''");
		else
			vitk_str_put(b, p, 1);
	}
	vitk_str_puts(b, "'");
}

char *vitk_esxupdate_command_format(const vitk_esxupdate_command *c)
{
	vitk_str b = VITK_STR_INIT;
	size_t i;

	vitk_str_putf(&b, "esxcli software %s", vitk_esxupdate_op_name(c->op));
	if (c->depot) {
		vitk_str_puts(&b, " -d ");
		add_quoted(&b, c->depot);
	}
	for (i = 0; i < c->nviburls; i++) {
		vitk_str_puts(&b, " -v ");
		add_quoted(&b, c->viburls[i]);
	}
	if (c->profile) {
		vitk_str_puts(&b, " -p ");
		add_quoted(&b, c->profile);
	}
	for (i = 0; i < c->nvibnames; i++) {
		vitk_str_puts(&b, " -n ");
		add_quoted(&b, c->vibnames[i]);
	}
	for (i = 0; i < c->ncomponents; i++) {
		vitk_str_puts(&b, " -n ");
		add_quoted(&b, c->components[i]);
	}
	if (c->flags & VITK_ESXUPDATE_F_OK_TO_REMOVE)
		vitk_str_puts(&b, " --ok-to-remove");
	if (c->flags & VITK_ESXUPDATE_F_ALLOW_DOWNGRADES)
		vitk_str_puts(&b, " --allow-downgrades");
	if (c->flags & VITK_ESXUPDATE_F_FORCE)
		vitk_str_puts(&b, " -f");
	if (c->flags & VITK_ESXUPDATE_F_NO_SIG_CHECK)
		vitk_str_puts(&b, " --no-sig-check");
	if (c->flags & VITK_ESXUPDATE_F_MAINTENANCE_MODE)
		vitk_str_puts(&b, " --maintenance-mode");
	if (c->flags & VITK_ESXUPDATE_F_NO_LIVE_INSTALL)
		vitk_str_puts(&b, " --no-live-install");
	if (c->flags & VITK_ESXUPDATE_F_DRY_RUN)
		vitk_str_puts(&b, " --dry-run");
	return vitk_str_detach(&b);
}
