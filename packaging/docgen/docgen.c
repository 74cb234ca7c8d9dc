/* SPDX-License-Identifier: MIT */
/*
 * docgen: man pages and shell completions generated from the CLI's own
 * noun, verb and option tables (cli_nouns[], cli_global_opts()), the same
 * tables that drive parsing and --help.  Run at build time by
 * packaging/BUILD; never installed.
 *
 *   docgen man TEXTDIR OUTDIR   vitk.1, vitk-<noun>.1, vitk-<noun>-<verb>.1;
 *                               the hand-written DESCRIPTION/EXAMPLES come from
 *                               TEXTDIR/<page>.txt (packaging/man/README.md).
 *                               A verb without its text file, or a text file
 *                               without its verb, is an error.
 *   docgen bash                 bash completion script on stdout
 *   docgen zsh                  zsh completion function (_vitk) on stdout
 *   docgen options              "NOUN VERB --long [-s]" per option ("- -" for
 *                               the global options): the list the
 *                               consistency test compares the pages and
 *                               completions with
 *   docgen pages                the page names the tables call for, one a line
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/common.h>
#include <vitk/esxupdate.h>
#include <vitk/inventory.h>
#include <vitk/odx.h>
#include <vitk/sriov.h>

#include "cli/dispatch.h"

static const char *const output_formats[] = { "table", "json", "csv", NULL };

/* allowed values of an option, NULL when not enumerated */
static const char *const *opt_values(const struct cli_opt *o)
{
	if (o->values)
		return o->values;
	/* the global -o is parsed by name in opt.c (set_global): table|json|csv */
	if (o->type == CLI_OPT_T_STR && strcmp(o->name, "output") == 0)
		return output_formats;
	return NULL;
}

static bool opt_takes_value(const struct cli_opt *o)
{
	return o->type != CLI_OPT_T_FLAG;
}

static bool is_alias(const struct cli_verb *v)
{
	return v->alias_of != NULL;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("docgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ------------------------------------------------------------------ roff */

/* text for roff: backslashes and hyphens escaped, no line starting with . or ' */
static void roff_text(FILE *f, const char *s)
{
	bool bol = true;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		bol = false;
		switch (*s) {
		case '\\': fputs("\\e", f); break;
		case '-': fputs("\\-", f); break;
		case '\n': fputc('\n', f); bol = true; break;
		default: fputc(*s, f);
		}
	}
}

/* hand-written text: like roff_text, but the font escapes \fB, \fI and \fR pass */
static void roff_hand(FILE *f, const char *s)
{
	while (*s) {
		const char *esc = strstr(s, "\\f");

		while (esc && !(esc[2] == 'B' || esc[2] == 'I' || esc[2] == 'R'))
			esc = strstr(esc + 1, "\\f");
		if (!esc) {
			roff_text(f, s);
			break;
		}
		char *part = strndup(s, (size_t)(esc - s));

		if (!part)
			die("out of memory");
		roff_text(f, part);
		free(part);
		fwrite(esc, 1, 3, f);
		s = esc + 3;
	}
	fputc('\n', f);
}

static void roff_line(FILE *f, const char *s)
{
	roff_text(f, s);
	fputc('\n', f);
}

/* the long and short names of an option, bold, with its argument in italics */
static void roff_opt_tag(FILE *f, const struct cli_opt *o)
{
	fputs(".TP\n", f);
	if (o->short_name)
		fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
	fputs("\\fB\\-\\-", f);
	roff_text(f, o->name);
	fputs("\\fR", f);
	if (opt_takes_value(o) && o->argname) {
		fputs(" \\fI", f);
		roff_text(f, o->argname);
		fputs("\\fR", f);
	}
	fputc('\n', f);
}

static void roff_opt(FILE *f, const struct cli_opt *o)
{
	const char *const *vals = opt_values(o);

	roff_opt_tag(f, o);
	roff_text(f, o->help ? o->help : "");
	if (vals) {
		fputs(".\nOne of:", f);
		for (size_t i = 0; vals[i]; i++)
			fprintf(f, "%s \\fB%s\\fR", i ? "," : "", vals[i]);
	}
	if ((o->type == CLI_OPT_T_UINT || o->type == CLI_OPT_T_SIZE) && o->max)
		fprintf(f, ".\nRange: %llu..%llu", (unsigned long long)o->min,
			(unsigned long long)o->max);
	if (o->type == CLI_OPT_T_SIZE)
		fputs(".\nSizes take binary units (512K, 1G)", f);
	if (o->type == CLI_OPT_T_MULTI)
		fputs(".\nRepeatable", f);
	fputs(".\n", f);
}

/*
 * The hand-written text: packaging/man/README.md.  A line in capitals starts
 * a section; "$ " lines are example commands; "- TERM" starts a tagged
 * paragraph; a blank line ends a paragraph.
 */
struct text_section {
	char *name;
	char *body;
};

struct text {
	struct text_section sec[16];
	size_t n;
};

static bool is_heading(const char *line)
{
	if (!*line)
		return false;
	for (const char *p = line; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || *p == ' '))
			return false;
	return line[0] != ' ';
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb)
				die("out of memory");
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static int text_load(struct text *t, const char *path)
{
	char *buf = slurp(path);
	struct text_section *cur = NULL;

	memset(t, 0, sizeof(*t));
	if (!buf)
		return -1;
	for (char *p = buf, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (is_heading(p)) {
			if (t->n == VITK_ARRAY_SIZE(t->sec))
				die("%s: too many sections", path);
			cur = &t->sec[t->n++];
			cur->name = strdup(p);
			cur->body = calloc(1, 1);
			continue;
		}
		if (!cur) {
			if (*p)
				die("%s: text before the first section heading", path);
			continue;
		}
		size_t ol = strlen(cur->body), pl = strlen(p);
		char *nb = realloc(cur->body, ol + pl + 2);

		if (!nb)
			die("out of memory");
		memcpy(nb + ol, p, pl);
		nb[ol + pl] = '\n';
		nb[ol + pl + 1] = '\0';
		cur->body = nb;
	}
	free(buf);
	return 0;
}

static const char *text_get(const struct text *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->sec[i].name, name) == 0)
			return t->sec[i].body;
	return NULL;
}

static void text_free(struct text *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->sec[i].name);
		free(t->sec[i].body);
	}
	t->n = 0;
}

/* render one hand-written section body */
static void roff_body(FILE *f, const char *body)
{
	char *dup = strdup(body), *p, *nl;
	bool in_example = false, para_open = false;

	if (!dup)
		die("out of memory");
	for (p = dup; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		bool example = strncmp(p, "$ ", 2) == 0;

		if (in_example && !example) {
			fputs(".fi\n.RE\n", f);
			in_example = false;
		}
		if (example) {
			if (!in_example)
				fputs(".PP\n.RS 4\n.nf\n", f);
			in_example = true;
			fputs("\\fB$ ", f);
			roff_text(f, p + 2);
			fputs("\\fR\n", f);
			para_open = false;
		} else if (!*p) {
			para_open = false;
		} else if (strncmp(p, "- ", 2) == 0) {
			fputs(".TP\n.B ", f);
			roff_hand(f, p + 2);
			para_open = true;
		} else {
			if (!para_open)
				fputs(".PP\n", f);
			para_open = true;
			roff_hand(f, p);
		}
	}
	if (in_example)
		fputs(".fi\n.RE\n", f);
	free(dup);
}

static void roff_header(FILE *f, const char *page, const char *summary)
{
	char up[256];
	size_t i;

	for (i = 0; page[i] && i + 1 < sizeof(up); i++)
		up[i] = (char)(page[i] >= 'a' && page[i] <= 'z' ? page[i] - 32 : page[i]);
	up[i] = '\0';
	fprintf(f, ".\\\" Generated by packaging/docgen from the vitk CLI tables and\n"
		   ".\\\" packaging/man/%s.txt; do not edit.\n",
		page);
	fprintf(f, ".TH \"%s\" \"1\" \"\" \"vitk %s\" \"vitk manual\"\n", up, VITK_VERSION);
	fputs(".SH NAME\n", f);
	roff_text(f, page);
	fputs(" \\- ", f);
	roff_line(f, summary);
}

static FILE *open_page(const char *outdir, const char *page)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.1", outdir, page);
	f = fopen(path, "w");
	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	return f;
}

static void close_page(FILE *f, const char *page)
{
	if (ferror(f) || fclose(f) != 0)
		die("cannot write %s.1", page);
}

/* the hand-written text of @page; every page must have one */
static void load_text_for(struct text *t, const char *textdir, const char *page)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.txt", textdir, page);
	if (text_load(t, path) < 0)
		die("%s: missing: every noun and verb needs a hand-written DESCRIPTION (verbs: and EXAMPLES)",
		    path);
}

static void need(const struct text *t, const char *page, const char *sec)
{
	const char *b = text_get(t, sec);

	if (!b || !b[strspn(b, "\n")])
		die("%s.txt: the %s section is missing or empty", page, sec);
}

static void see_also(FILE *f, const char *const *pages, size_t n)
{
	fputs(".SH SEE ALSO\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\\fB%s\\fR(1)%s\n", pages[i], i + 1 < n ? "," : "");
}

static void man_verb(const char *textdir, const char *outdir, const struct cli_noun *n,
		     const struct cli_verb *v)
{
	char page[256], nounpage[128];
	struct text t;
	FILE *f;

	snprintf(page, sizeof(page), "vitk-%s-%s", n->name, v->name);
	snprintf(nounpage, sizeof(nounpage), "vitk-%s", n->name);
	load_text_for(&t, textdir, page);
	need(&t, page, "DESCRIPTION");
	need(&t, page, "EXAMPLES");
	f = open_page(outdir, page);
	roff_header(f, page, v->summary ? v->summary : v->name);
	fputs(".SH SYNOPSIS\n.B vitk\n[\\fIglobal options\\fR]\n", f);
	fprintf(f, ".B %s %s\n", n->name, v->name);
	if (v->opts && v->opts[0].name)
		fputs("[\\fIoptions\\fR]\n", f);
	if (v->args_usage) {
		fputs("\\fI", f);
		roff_text(f, v->args_usage);
		fputs("\\fR\n", f);
	}
	fputs(".SH DESCRIPTION\n", f);
	roff_body(f, text_get(&t, "DESCRIPTION"));
	for (const struct cli_verb *a = n->verbs; a->name; a++)
		if (is_alias(a) && strcmp(a->alias_of, v->name) == 0)
			fprintf(f, ".PP\n\\fBvitk %s %s\\fR is another name for this verb.\n", n->name,
				a->name);
	if (v->opts && v->opts[0].name) {
		fputs(".SH OPTIONS\n", f);
		for (const struct cli_opt *o = v->opts; o->name; o++)
			roff_opt(f, o);
	}
	fputs(".SH GLOBAL OPTIONS\n", f);
	for (const struct cli_opt *o = cli_global_opts(); o->name; o++)
		roff_opt(f, o);
	fputs(".PP\nGlobal options are accepted anywhere on the command line; see \\fBvitk\\fR(1).\n",
	      f);
	for (size_t i = 0; i < t.n; i++) {
		if (strcmp(t.sec[i].name, "DESCRIPTION") == 0)
			continue;
		fputs(".SH ", f);
		roff_line(f, t.sec[i].name);
		roff_body(f, t.sec[i].body);
	}
	fputs(".SH EXIT STATUS\nSee \\fBvitk\\fR(1).\n", f);
	const char *sa[] = { "vitk", nounpage };
	see_also(f, sa, 2);
	close_page(f, page);
	text_free(&t);
}

static void man_noun(const char *textdir, const char *outdir, const struct cli_noun *n)
{
	char page[128];
	struct text t;
	FILE *f;

	snprintf(page, sizeof(page), "vitk-%s", n->name);
	load_text_for(&t, textdir, page);
	need(&t, page, "DESCRIPTION");
	f = open_page(outdir, page);
	roff_header(f, page, n->summary ? n->summary : n->name);
	fprintf(f, ".SH SYNOPSIS\n.B vitk\n[\\fIglobal options\\fR]\n.B %s\n"
		   "\\fIverb\\fR [\\fIoptions\\fR] [\\fIargs\\fR]\n",
		n->name);
	fputs(".SH DESCRIPTION\n", f);
	roff_body(f, text_get(&t, "DESCRIPTION"));
	fputs(".SH VERBS\n", f);
	for (const struct cli_verb *v = n->verbs; v->name; v++) {
		if (is_alias(v))
			continue;
		fprintf(f, ".TP\n\\fBvitk\\-%s\\-%s\\fR(1)\n", n->name, v->name);
		roff_line(f, v->summary ? v->summary : "");
	}
	for (const struct cli_verb *v = n->verbs; v->name; v++)
		if (is_alias(v))
			fprintf(f, ".PP\n\\fB%s\\fR is another name for \\fB%s\\fR.\n", v->name,
				v->alias_of);
	for (size_t i = 0; i < t.n; i++) {
		if (strcmp(t.sec[i].name, "DESCRIPTION") == 0)
			continue;
		fputs(".SH ", f);
		roff_line(f, t.sec[i].name);
		roff_body(f, t.sec[i].body);
	}
	const char *sa[] = { "vitk" };
	see_also(f, sa, 1);
	close_page(f, page);
	text_free(&t);
}

/* the inventory tables and their columns: the keys of `inventory report -o json` */
static void roff_json_keys(FILE *f)
{
	vitk_inventory *inv = NULL;
	vitk_inventory_rows *rows = NULL;

	if (vitk_inventory_open(&inv, ":memory:", 0) < 0 || vitk_odx_inventory_register(inv) < 0 ||
	    vitk_sriov_inventory_register(inv) < 0 || vitk_esxupdate_inventory_register(inv) < 0 ||
	    vitk_inventory_tables(&rows, inv) < 0)
		die("cannot list the inventory tables: %s", vitk_error_last()->message);
	fputs(".SH JSON KEYS\n"
	      "With \\fB\\-o json\\fR every result is JSON with stable snake_case keys: the\n"
	      "interface for automation.  Lists are arrays of objects, single results one\n"
	      "object.  \\fBvitk inventory report\\fR \\fITABLE\\fR returns the rows of a domain\n"
	      "table; besides \\fBid\\fR, \\fBhost_id\\fR, \\fBhost\\fR, \\fBcreated_at\\fR and\n"
	      "\\fBupdated_at\\fR, each row has the keys below (this list is generated from\n"
	      "the tables the libraries register):\n",
	      f);
	for (size_t r = 0; r < vitk_inventory_rows_count(rows); r++) {
		fputs(".TP\n.B ", f);
		roff_line(f, vitk_inventory_rows_get(rows, r, "table"));
		const char *cols = vitk_inventory_rows_get(rows, r, "columns");

		/* "a,b,c" as "a, b, c": groff can then break and fill the line */
		for (const char *p = cols ? cols : ""; *p; p++) {
			if (*p == ',')
				fputs(", ", f);
			else if (*p == '-')
				fputs("\\-", f);
			else if (*p != ' ')
				fputc(*p, f);
		}
		fputc('\n', f);
	}
	vitk_inventory_rows_free(rows);
	vitk_inventory_free(inv);
}

static void man_top(const char *textdir, const char *outdir)
{
	struct text t;
	FILE *f;

	load_text_for(&t, textdir, "vitk");
	need(&t, "vitk", "DESCRIPTION");
	f = open_page(outdir, "vitk");
	roff_header(f, "vitk", "virtualization infrastructure toolkit");
	fputs(".SH SYNOPSIS\n.B vitk\n[\\fIglobal options\\fR] \\fInoun\\fR \\fIverb\\fR "
	      "[\\fIoptions\\fR] [\\fIargs\\fR]\n",
	      f);
	fputs(".SH DESCRIPTION\n", f);
	roff_body(f, text_get(&t, "DESCRIPTION"));
	fputs(".SH COMMANDS\n", f);
	for (const struct cli_noun *n = cli_nouns; n->name; n++) {
		fprintf(f, ".TP\n\\fBvitk\\-%s\\fR(1)\n", n->name);
		roff_line(f, n->summary ? n->summary : "");
		for (const struct cli_verb *v = n->verbs; v->name; v++)
			if (!is_alias(v))
				fprintf(f, ".br\n\\fBvitk\\-%s\\-%s\\fR(1)\n", n->name, v->name);
	}
	fputs(".SH GLOBAL OPTIONS\n", f);
	for (const struct cli_opt *o = cli_global_opts(); o->name; o++)
		roff_opt(f, o);
	for (size_t i = 0; i < t.n; i++) {
		if (strcmp(t.sec[i].name, "DESCRIPTION") == 0)
			continue;
		fputs(".SH ", f);
		roff_line(f, t.sec[i].name);
		roff_body(f, t.sec[i].body);
	}
	roff_json_keys(f);
	fputs(".SH SEE ALSO\n", f);
	for (const struct cli_noun *n = cli_nouns; n->name; n++)
		fprintf(f, "\\fBvitk\\-%s\\fR(1)%s\n", n->name, n[1].name ? "," : "");
	close_page(f, "vitk");
	text_free(&t);
}

static void gen_pages(FILE *out)
{
	fputs("vitk\n", out);
	for (const struct cli_noun *n = cli_nouns; n->name; n++) {
		fprintf(out, "vitk-%s\n", n->name);
		for (const struct cli_verb *v = n->verbs; v->name; v++)
			if (!is_alias(v))
				fprintf(out, "vitk-%s-%s\n", n->name, v->name);
	}
}

/* ------------------------------------------------------------ completion */

static void print_opt_words(FILE *f, const struct cli_opt *opts)
{
	bool first = true;

	for (const struct cli_opt *o = opts; o && o->name; o++) {
		fprintf(f, "%s--%s", first ? "" : " ", o->name);
		first = false;
		if (o->short_name)
			fprintf(f, " -%c", o->short_name);
	}
}

static void print_values(FILE *f, const char *const *vals)
{
	for (size_t i = 0; vals && vals[i]; i++)
		fprintf(f, "%s%s", i ? " " : "", vals[i]);
}

/* single-quoted shell word */
static void sh_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static bool file_arg(const char *argname)
{
	static const char *const words[] = { "PATH", "FILE", "DIR", "ZIP", "FILE|-" };

	if (!argname)
		return false;
	for (size_t i = 0; i < VITK_ARRAY_SIZE(words); i++)
		if (strcmp(argname, words[i]) == 0)
			return true;
	return false;
}

/*
 * What a positional argument is, from the verb's args_usage word: PCI
 * addresses from sysfs, job ids from the inventory, or files.
 */
static const char *arg_kind_one(const char *word);

/*
 * "TABLE|free-vfs|offload-savings": the kind of the first alternative that
 * has one, with the literal (lowercase) alternatives in @literals
 */
static const char *arg_kind(const char *word, char *literals, size_t len)
{
	char buf[128], *save = NULL, *alt;
	const char *kind = NULL;

	literals[0] = '\0';
	if (!strchr(word, '|') || strcmp(word, "FILE|-") == 0 || strcmp(word, "[FILE|-]") == 0)
		return arg_kind_one(word);
	snprintf(buf, sizeof(buf), "%s", word);
	for (alt = strtok_r(buf, "|[]", &save); alt; alt = strtok_r(NULL, "|[]", &save)) {
		const char *k = arg_kind_one(alt);

		if (k && !kind)
			kind = k;
		else if (alt[0] >= 'a' && alt[0] <= 'z' && strlen(literals) + strlen(alt) + 2 < len)
			snprintf(literals + strlen(literals), len - strlen(literals), " %s", alt);
	}
	return kind;
}

static const char *arg_kind_one(const char *word)
{
	char w[64];
	size_t i = 0;

	for (; *word && i + 1 < sizeof(w); word++)
		if (*word != '[' && *word != ']' && *word != '.')
			w[i++] = *word;
	w[i] = '\0';
	if (strcmp(w, "PF") == 0)
		return "pf";
	if (strcmp(w, "ADDR") == 0 || strcmp(w, "VF") == 0)
		return "pci";
	if (strcmp(w, "JOB") == 0)
		return "job";
	if (strcmp(w, "TABLE") == 0)
		return "table";
	if (file_arg(w))
		return "file";
	return NULL;
}

static void print_verb_key_pattern(FILE *f, const struct cli_noun *n, const struct cli_verb *v,
				   const char *suffix);

static void gen_args_cases(FILE *f, const char *indent)
{
	for (const struct cli_noun *n = cli_nouns; n->name; n++) {
		for (const struct cli_verb *v = n->verbs; v->name; v++) {
			char buf[256], *save = NULL, *w;
			int idx = 0;

			if (is_alias(v) || !v->args_usage)
				continue;
			snprintf(buf, sizeof(buf), "%s", v->args_usage);
			for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save), idx++) {
				char lit[96];
				const char *k = arg_kind(w, lit, sizeof(lit));

				if (strcmp(w, "|") == 0)
					break; /* alternatives (odx token): not positional slots */
				if (k) {
					char suffix[16];

					snprintf(suffix, sizeof(suffix), " %d", idx);
					fputs(indent, f);
					print_verb_key_pattern(f, n, v, suffix);
					fprintf(f, ") echo %s%s ;;\n", k, lit);
				}
			}
		}
	}
}

/* the aliases of a verb resolve to their target's options and arguments */
static void print_verb_key_pattern(FILE *f, const struct cli_noun *n, const struct cli_verb *v,
				   const char *suffix)
{
	fprintf(f, "\"%s %s%s\"", n->name, v->name, suffix);
	for (const struct cli_verb *a = n->verbs; a->name; a++)
		if (is_alias(a) && strcmp(a->alias_of, v->name) == 0)
			fprintf(f, "|\"%s %s%s\"", n->name, a->name, suffix);
}

static void gen_bash(FILE *f)
{
	fputs("# bash completion for vitk(1).\n"
	      "# Generated by packaging/docgen from the CLI's noun, verb and option tables\n"
	      "# (the ones that drive parsing and --help); do not edit.\n\n",
	      f);
	fputs("_vitk_nouns='", f);
	for (const struct cli_noun *n = cli_nouns; n->name; n++)
		fprintf(f, "%s%s", n == cli_nouns ? "" : " ", n->name);
	fputs("'\n\n_vitk_verbs()\n{\n\tcase $1 in\n", f);
	for (const struct cli_noun *n = cli_nouns; n->name; n++) {
		fprintf(f, "\t%s) echo '", n->name);
		for (const struct cli_verb *v = n->verbs; v->name; v++)
			fprintf(f, "%s%s", v == n->verbs ? "" : " ", v->name);
		fputs("' ;;\n", f);
	}
	fputs("\tesac\n}\n\n", f);

	fputs("# the options of NOUN VERB (the global options for empty NOUN VERB)\n"
	      "_vitk_opts()\n{\n\tcase \"$1 $2\" in\n\t' ') echo '",
	      f);
	print_opt_words(f, cli_global_opts());
	fputs("' ;;\n", f);
	for (const struct cli_noun *n = cli_nouns; n->name; n++)
		for (const struct cli_verb *v = n->verbs; v->name; v++) {
			if (is_alias(v) || !v->opts || !v->opts[0].name)
				continue;
			fputs("\t", f);
			print_verb_key_pattern(f, n, v, "");
			fputs(") echo '", f);
			print_opt_words(f, v->opts);
			fputs("' ;;\n", f);
		}
	fputs("\tesac\n}\n\n", f);

	fputs("# success when option $3 of NOUN VERB takes a value; prints the allowed values\n"
	      "# when they are enumerated, 'FILE' when the value is a path\n"
	      "_vitk_optarg()\n{\n\tcase \"$3\" in\n",
	      f);
	for (const struct cli_opt *o = cli_global_opts(); o->name; o++) {
		if (!opt_takes_value(o))
			continue;
		fprintf(f, "\t--%s", o->name);
		if (o->short_name)
			fprintf(f, "|-%c", o->short_name);
		fputs(") echo '", f);
		if (opt_values(o))
			print_values(f, opt_values(o));
		else if (file_arg(o->argname))
			fputs("FILE", f);
		fputs("'; return 0 ;;\n", f);
	}
	fputs("\tesac\n\tcase \"$1 $2 $3\" in\n", f);
	for (const struct cli_noun *n = cli_nouns; n->name; n++)
		for (const struct cli_verb *v = n->verbs; v->name; v++) {
			if (is_alias(v))
				continue;
			for (const struct cli_opt *o = v->opts; o && o->name; o++) {
				char suffix[80];

				if (!opt_takes_value(o))
					continue;
				fputs("\t", f);
				snprintf(suffix, sizeof(suffix), " --%s", o->name);
				print_verb_key_pattern(f, n, v, suffix);
				if (o->short_name) {
					snprintf(suffix, sizeof(suffix), " -%c", o->short_name);
					fputs("|", f);
					print_verb_key_pattern(f, n, v, suffix);
				}
				fputs(") echo '", f);
				if (opt_values(o))
					print_values(f, opt_values(o));
				else if (file_arg(o->argname))
					fputs("FILE", f);
				else if (o->argname && strcmp(o->argname, "JOB") == 0)
					fputs("JOB", f);
				fputs("'; return 0 ;;\n", f);
			}
		}
	fputs("\tesac\n\treturn 1\n}\n\n", f);

	fputs("# what positional argument N (0-based) of NOUN VERB is: pf, pci, job or file\n"
	      "_vitk_argkind()\n{\n\tcase \"$1 $2 $3\" in\n",
	      f);
	gen_args_cases(f, "\t");
	fputs("\tesac\n}\n\n", f);

	fputs("# SR-IOV PFs (and with 'pci' their VFs) under $VITK_SYSFS_ROOT or /sys\n"
	      "_vitk_pci()\n{\n"
	      "\tlocal d root=${VITK_SYSFS_ROOT:-/sys}\n"
	      "\tfor d in \"$root\"/bus/pci/devices/*; do\n"
	      "\t\tif [ -e \"$d/sriov_totalvfs\" ] || { [ \"$1\" = pci ] && [ -e \"$d/physfn\" ]; }; then\n"
	      "\t\t\techo \"${d##*/}\"\n\t\tfi\n\tdone\n}\n\n"
	      "# the inventory's domain tables (read-only, quiet)\n"
	      "_vitk_tables()\n{\n"
	      "\tvitk -q -o csv \"$@\" inventory tables 2>/dev/null </dev/null | tail -n +2 | cut -d, -f2\n}\n\n"
	      "# copy job ids from the inventory (read-only, quiet; nothing when there is none)\n"
	      "_vitk_jobs()\n{\n"
	      "\tvitk -q -o csv \"$@\" inventory sql 'SELECT uuid FROM odx_job ORDER BY id DESC LIMIT 100' \\\n"
	      "\t\t2>/dev/null </dev/null | tail -n +2 | tr -d '\\r'\n}\n\n",
	      f);

	fputs("_vitk()\n{\n"
	      "\tlocal cur prev noun= verb= w i nargs=0 skip=0 vals kind\n"
	      "\tlocal -a words db=()\n"
	      "\tCOMPREPLY=()\n"
	      "\tif declare -F _get_comp_words_by_ref >/dev/null; then\n"
	      "\t\tlocal cword\n"
	      "\t\t_get_comp_words_by_ref -n =: cur words cword\n"
	      "\telse\n"
	      "\t\twords=(\"${COMP_WORDS[@]}\")\n"
	      "\t\tlocal cword=$COMP_CWORD\n"
	      "\t\tcur=${COMP_WORDS[COMP_CWORD]}\n"
	      "\tfi\n"
	      "\tfor ((i = 1; i < cword; i++)); do\n"
	      "\t\tw=${words[i]}\n"
	      "\t\tif ((skip)); then\n"
	      "\t\t\tskip=0\n"
	      "\t\t\t[ \"${words[i - 1]}\" = --db ] && db=(--db \"$w\")\n"
	      "\t\t\tcontinue\n"
	      "\t\tfi\n"
	      "\t\tcase $w in\n"
	      "\t\t--*=*) continue ;;\n"
	      "\t\t-?*)\n"
	      "\t\t\t_vitk_optarg \"$noun\" \"$verb\" \"$w\" >/dev/null && skip=1\n"
	      "\t\t\tcontinue ;;\n"
	      "\t\tesac\n"
	      "\t\tif [ -z \"$noun\" ]; then\n\t\t\tnoun=$w\n"
	      "\t\telif [ -z \"$verb\" ]; then\n\t\t\tverb=$w\n"
	      "\t\telse\n\t\t\tnargs=$((nargs + 1))\n\t\tfi\n"
	      "\tdone\n"
	      "\tif ((skip)); then\n"
	      "\t\tprev=${words[cword - 1]}\n"
	      "\t\tvals=$(_vitk_optarg \"$noun\" \"$verb\" \"$prev\")\n"
	      "\t\tif [ \"$vals\" = FILE ]; then\n"
	      "\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "\t\telif [ \"$vals\" = JOB ]; then\n"
	      "\t\t\tCOMPREPLY=($(compgen -W \"$(_vitk_jobs \"${db[@]}\")\" -- \"$cur\"))\n"
	      "\t\telif [ -n \"$vals\" ]; then\n"
	      "\t\t\tCOMPREPLY=($(compgen -W \"$vals\" -- \"$cur\"))\n"
	      "\t\tfi\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\tcase $cur in\n"
	      "\t-*)\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$(_vitk_opts \"$noun\" \"$verb\") $(_vitk_opts '' '')\" -- \"$cur\"))\n"
	      "\t\treturn 0 ;;\n"
	      "\tesac\n"
	      "\tif [ -z \"$noun\" ]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$_vitk_nouns\" -- \"$cur\"))\n"
	      "\telif [ -z \"$verb\" ]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$(_vitk_verbs \"$noun\")\" -- \"$cur\"))\n"
	      "\telse\n"
	      "\t\tlocal extra\n"
	      "\t\tread -r kind extra <<<\"$(_vitk_argkind \"$noun\" \"$verb\" \"$nargs\")\"\n"
	      "\t\tcase $kind in\n"
	      "\t\tpf | pci) COMPREPLY=($(compgen -W \"$(_vitk_pci \"$kind\")\" -- \"$cur\")) ;;\n"
	      "\t\tjob) COMPREPLY=($(compgen -W \"$(_vitk_jobs \"${db[@]}\")\" -- \"$cur\")) ;;\n"
	      "\t\ttable) COMPREPLY=($(compgen -W \"$(_vitk_tables \"${db[@]}\") $extra\" -- \"$cur\")) ;;\n"
	      "\t\tfile) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
	      "\t\tesac\n"
	      "\tfi\n"
	      "\tif declare -F __ltrim_colon_completions >/dev/null; then\n"
	      "\t\t__ltrim_colon_completions \"$cur\"\n"
	      "\tfi\n"
	      "\treturn 0\n"
	      "}\n"
	      "complete -F _vitk vitk\n",
	      f);
}

/* zsh _describe entries: "word:description" with colons in the word escaped */
static void zsh_entry(FILE *f, const char *word, const char *desc)
{
	char buf[1024];
	size_t j = 0;

	for (const char *p = word; *p && j + 3 < sizeof(buf); p++) {
		if (*p == ':')
			buf[j++] = '\\';
		buf[j++] = *p;
	}
	buf[j++] = ':';
	for (const char *p = desc ? desc : ""; *p && j + 2 < sizeof(buf); p++)
		buf[j++] = *p == '\n' ? ' ' : *p;
	buf[j] = '\0';
	fputc(' ', f);
	sh_quote(f, buf);
}

static void zsh_opt_entries(FILE *f, const struct cli_opt *opts)
{
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		char w[96];

		snprintf(w, sizeof(w), "--%s", o->name);
		zsh_entry(f, w, o->help);
		if (o->short_name) {
			snprintf(w, sizeof(w), "-%c", o->short_name);
			zsh_entry(f, w, o->help);
		}
	}
}

static void gen_zsh(FILE *f)
{
	fputs("#compdef vitk\n"
	      "# zsh completion for vitk(1).\n"
	      "# Generated by packaging/docgen from the CLI's noun, verb and option tables\n"
	      "# (the ones that drive parsing and --help); do not edit.\n\n",
	      f);
	fputs("_vitk_nouns()\n{\n\treply=(", f);
	for (const struct cli_noun *n = cli_nouns; n->name; n++)
		zsh_entry(f, n->name, n->summary);
	fputs(" )\n}\n\n_vitk_verbs()\n{\n\tcase $1 in\n", f);
	for (const struct cli_noun *n = cli_nouns; n->name; n++) {
		fprintf(f, "\t%s) reply=(", n->name);
		for (const struct cli_verb *v = n->verbs; v->name; v++) {
			char d[160];

			if (is_alias(v))
				snprintf(d, sizeof(d), "same as %s", v->alias_of);
			zsh_entry(f, v->name, is_alias(v) ? d : v->summary);
		}
		fputs(" ) ;;\n", f);
	}
	fputs("\t*) reply=() ;;\n\tesac\n}\n\n", f);

	fputs("_vitk_opts()\n{\n\tcase \"$1 $2\" in\n\t' ') reply=(", f);
	zsh_opt_entries(f, cli_global_opts());
	fputs(" ) ;;\n", f);
	for (const struct cli_noun *n = cli_nouns; n->name; n++)
		for (const struct cli_verb *v = n->verbs; v->name; v++) {
			if (is_alias(v) || !v->opts || !v->opts[0].name)
				continue;
			fputs("\t", f);
			print_verb_key_pattern(f, n, v, "");
			fputs(") reply=(", f);
			zsh_opt_entries(f, v->opts);
			fputs(" ) ;;\n", f);
		}
	fputs("\t*) reply=() ;;\n\tesac\n}\n\n", f);

	fputs("# success when option $3 takes a value; $reply: the allowed values, or (FILE)\n"
	      "_vitk_optarg()\n{\n\treply=()\n\tcase \"$3\" in\n",
	      f);
	for (const struct cli_opt *o = cli_global_opts(); o->name; o++) {
		if (!opt_takes_value(o))
			continue;
		fprintf(f, "\t--%s", o->name);
		if (o->short_name)
			fprintf(f, "|-%c", o->short_name);
		fputs(") reply=(", f);
		if (opt_values(o))
			print_values(f, opt_values(o));
		else if (file_arg(o->argname))
			fputs("FILE", f);
		fputs("); return 0 ;;\n", f);
	}
	fputs("\tesac\n\tcase \"$1 $2 $3\" in\n", f);
	for (const struct cli_noun *n = cli_nouns; n->name; n++)
		for (const struct cli_verb *v = n->verbs; v->name; v++) {
			if (is_alias(v))
				continue;
			for (const struct cli_opt *o = v->opts; o && o->name; o++) {
				char suffix[80];

				if (!opt_takes_value(o))
					continue;
				fputs("\t", f);
				snprintf(suffix, sizeof(suffix), " --%s", o->name);
				print_verb_key_pattern(f, n, v, suffix);
				if (o->short_name) {
					snprintf(suffix, sizeof(suffix), " -%c", o->short_name);
					fputs("|", f);
					print_verb_key_pattern(f, n, v, suffix);
				}
				fputs(") reply=(", f);
				if (opt_values(o))
					print_values(f, opt_values(o));
				else if (file_arg(o->argname))
					fputs("FILE", f);
				else if (o->argname && strcmp(o->argname, "JOB") == 0)
					fputs("JOB", f);
				fputs("); return 0 ;;\n", f);
			}
		}
	fputs("\tesac\n\treturn 1\n}\n\n", f);

	fputs("_vitk_argkind()\n{\n\tcase \"$1 $2 $3\" in\n", f);
	gen_args_cases(f, "\t");
	fputs("\tesac\n}\n\n", f);

	fputs("_vitk_main()\n{\n"
	      "\tlocal noun= verb= w i nargs=0 skip=0 kind\n"
	      "\tlocal -a reply db globals\n"
	      "\tfor ((i = 2; i < CURRENT; i++)); do\n"
	      "\t\tw=${words[i]}\n"
	      "\t\tif ((skip)); then\n"
	      "\t\t\tskip=0\n"
	      "\t\t\t[[ ${words[i - 1]} == --db ]] && db=(--db \"$w\")\n"
	      "\t\t\tcontinue\n"
	      "\t\tfi\n"
	      "\t\tcase $w in\n"
	      "\t\t--*=*) continue ;;\n"
	      "\t\t-?*) _vitk_optarg \"$noun\" \"$verb\" \"$w\" && skip=1; continue ;;\n"
	      "\t\tesac\n"
	      "\t\tif [[ -z $noun ]]; then noun=$w\n"
	      "\t\telif [[ -z $verb ]]; then verb=$w\n"
	      "\t\telse ((nargs++)); fi\n"
	      "\tdone\n"
	      "\tif ((skip)); then\n"
	      "\t\t_vitk_optarg \"$noun\" \"$verb\" \"${words[CURRENT - 1]}\"\n"
	      "\t\tif [[ ${reply[1]} == FILE ]]; then _files\n"
	      "\t\telif [[ ${reply[1]} == JOB ]]; then\n"
	      "\t\t\treply=(${(f)\"$(vitk -q -o csv $db inventory sql 'SELECT uuid FROM odx_job ORDER BY id DESC LIMIT 100' 2>/dev/null </dev/null | tail -n +2 | tr -d '\\r')\"})\n"
	      "\t\t\tcompadd -a reply\n"
	      "\t\telif ((${#reply})); then compadd -a reply; fi\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\tif [[ $PREFIX == -* ]]; then\n"
	      "\t\t_vitk_opts '' ''; globals=(\"${reply[@]}\")\n"
	      "\t\t_vitk_opts \"$noun\" \"$verb\"; reply+=(\"${globals[@]}\")\n"
	      "\t\t_describe -t options option reply\n"
	      "\telif [[ -z $noun ]]; then\n"
	      "\t\t_vitk_nouns; _describe -t nouns noun reply\n"
	      "\telif [[ -z $verb ]]; then\n"
	      "\t\t_vitk_verbs \"$noun\"; _describe -t verbs verb reply\n"
	      "\telse\n"
	      "\t\tlocal -a kx\n"
	      "\t\tkx=(${=\"$(_vitk_argkind \"$noun\" \"$verb\" \"$nargs\")\"})\n"
	      "\t\tkind=${kx[1]-}\n"
	      "\t\tcase $kind in\n"
	      "\t\tpf | pci)\n"
	      "\t\t\tlocal d root=${VITK_SYSFS_ROOT:-/sys}\n"
	      "\t\t\treply=()\n"
	      "\t\t\tfor d in $root/bus/pci/devices/*(N); do\n"
	      "\t\t\t\tif [[ -e $d/sriov_totalvfs || ( $kind == pci && -e $d/physfn ) ]]; then\n"
	      "\t\t\t\t\treply+=(${d:t})\n"
	      "\t\t\t\tfi\n"
	      "\t\t\tdone\n"
	      "\t\t\tcompadd -a reply ;;\n"
	      "\t\tjob)\n"
	      "\t\t\treply=(${(f)\"$(vitk -q -o csv $db inventory sql 'SELECT uuid FROM odx_job ORDER BY id DESC LIMIT 100' 2>/dev/null </dev/null | tail -n +2 | tr -d '\\r')\"})\n"
	      "\t\t\tcompadd -a reply ;;\n"
	      "\t\ttable)\n"
	      "\t\t\treply=(${(f)\"$(vitk -q -o csv $db inventory tables 2>/dev/null </dev/null | tail -n +2 | cut -d, -f2)\"} ${kx[2,-1]})\n"
	      "\t\t\tcompadd -a reply ;;\n"
	      "\t\tfile) _files ;;\n"
	      "\t\tesac\n"
	      "\tfi\n"
	      "}\n\n"
	      "# run when compinit autoloads this file as _vitk, not when a test sources it\n"
	      "[[ ${funcstack[1]-} == _vitk ]] && _vitk_main \"$@\"\n",
	      f);
}

static void gen_options(FILE *f)
{
	for (const struct cli_opt *o = cli_global_opts(); o->name; o++) {
		fprintf(f, "- - --%s", o->name);
		if (o->short_name)
			fprintf(f, " -%c", o->short_name);
		fputc('\n', f);
	}
	for (const struct cli_noun *n = cli_nouns; n->name; n++)
		for (const struct cli_verb *v = n->verbs; v->name; v++) {
			if (is_alias(v))
				continue;
			for (const struct cli_opt *o = v->opts; o && o->name; o++) {
				fprintf(f, "%s %s --%s", n->name, v->name, o->name);
				if (o->short_name)
					fprintf(f, " -%c", o->short_name);
				fputc('\n', f);
			}
		}
}

/* every .txt in TEXTDIR must belong to a page the tables call for */
static void check_orphans(const char *textdir)
{
	char cmd[4200];
	FILE *p;
	char line[512];

	snprintf(cmd, sizeof(cmd), "ls -1 '%s'", textdir);
	p = popen(cmd, "r");
	if (!p)
		die("cannot list %s", textdir);
	while (fgets(line, sizeof(line), p)) {
		size_t l = strlen(line);
		bool found = false;

		while (l && (line[l - 1] == '\n'))
			line[--l] = '\0';
		if (l < 5 || strcmp(line + l - 4, ".txt"))
			continue;
		line[l - 4] = '\0';
		if (strcmp(line, "vitk") == 0)
			continue;
		for (const struct cli_noun *n = cli_nouns; n->name && !found; n++) {
			char pg[256];

			snprintf(pg, sizeof(pg), "vitk-%s", n->name);
			found = strcmp(pg, line) == 0;
			for (const struct cli_verb *v = n->verbs; v->name && !found; v++) {
				snprintf(pg, sizeof(pg), "vitk-%s-%s", n->name, v->name);
				found = !is_alias(v) && strcmp(pg, line) == 0;
			}
		}
		if (!found)
			die("%s/%s.txt: no such noun or verb in the CLI tables", textdir, line);
	}
	pclose(p);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "man") == 0) {
		check_orphans(argv[2]);
		man_top(argv[2], argv[3]);
		for (const struct cli_noun *n = cli_nouns; n->name; n++) {
			man_noun(argv[2], argv[3], n);
			for (const struct cli_verb *v = n->verbs; v->name; v++)
				if (!is_alias(v))
					man_verb(argv[2], argv[3], n, v);
		}
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "bash") == 0)
		gen_bash(stdout);
	else if (argc == 2 && strcmp(argv[1], "zsh") == 0)
		gen_zsh(stdout);
	else if (argc == 2 && strcmp(argv[1], "options") == 0)
		gen_options(stdout);
	else if (argc == 2 && strcmp(argv[1], "pages") == 0)
		gen_pages(stdout);
	else
		die("usage: docgen man TEXTDIR OUTDIR | bash | zsh | options | pages");
	return fflush(stdout) == 0 ? 0 : 1;
}
