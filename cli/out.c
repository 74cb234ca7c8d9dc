/* SPDX-License-Identifier: MIT */
/*
 * The output layer: a vitk_table rendered as aligned text, a record view,
 * JSON or CSV (one rendering path for every verb); diagnostics on stderr;
 * the progress bar.
 *
 * Text is untrusted: device strings, imported rows and job errors can hold
 * terminal escape sequences.  Text and record output therefore show control
 * characters, bidirectional-override characters and invalid UTF-8 as
 * visible escapes (\n, \x1b, \u202e); JSON and CSV keep the exact bytes
 * under their own quoting.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vitk/str.h>

#include "cli.h"

/* ------------------------------------------------------- display escaping */

/* Code points that reorder or hide text on a terminal (Unicode UAX #9 controls, line separators). */
static bool hidden_codepoint(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Length of the valid UTF-8 sequence at @s (1..4) with its code point, or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		v = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		v = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
	if (n == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff)))
		return 0;
	if (n == 4 && (v < 0x10000 || v > 0x10ffff))
		return 0;
	*cp = v;
	return n;
}

/*
 * @s escaped for a terminal.  With @keep_lines (free text from cli_text())
 * newlines and tabs stay, and bytes that are not UTF-8 pass unchanged.
 */
static char *escape(const char *s, bool keep_lines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	char *out = malloc(len * 6 + 1); /* worst case: every byte becomes 6 characters */
	char *w = out;

	if (!out)
		return NULL;
	while (*p) {
		uint32_t cp = 0;
		size_t n = utf8_seq(p, &cp);

		if (n == 0 && keep_lines) { /* cli_text() may get a sequence a byte at a time */
			*w++ = (char)*p++;
			continue;
		}
		if (n == 0) { /* not UTF-8: show the byte */
			w += sprintf(w, "\\x%02x", *p++);
			continue;
		}
		if (cp == '\n' && keep_lines) {
			*w++ = '\n';
		} else if (cp == '\n') {
			w += sprintf(w, "\\n");
		} else if (cp == '\r') {
			w += sprintf(w, "\\r");
		} else if (cp == '\t' && keep_lines) {
			*w++ = '\t';
		} else if (cp == '\t') {
			w += sprintf(w, "\\t");
		} else if (cp < 0x20 || cp == 0x7f) {
			w += sprintf(w, "\\x%02x", (unsigned)cp);
		} else if (hidden_codepoint(cp)) {
			w += sprintf(w, "\\u%04x", (unsigned)cp);
		} else {
			memcpy(w, p, n);
			w += n;
		}
		p += n;
	}
	*w = '\0';
	return out;
}

char *cli_display_text(const char *s)
{
	return escape(s, false);
}

/* ----------------------------------------------------------- cell values */

static bool is_numeric(vitk_table_type type)
{
	return type == VITK_TABLE_INT || type == VITK_TABLE_REAL;
}

/*
 * The text of a cell, newly allocated: "-" (text) or NULL (CSV) for null,
 * numbers, yes/no, strings and compact JSON.  @display escapes it for a terminal.
 */
static char *cell_text(const vitk_table *t, size_t row, size_t col, bool display, bool *oom)
{
	char buf[64], *s = NULL, *raw = NULL;

	if (vitk_table_is_null(t, row, col))
		return display ? strdup("-") : NULL;
	switch (vitk_table_column_at(t, col)->type) {
	case VITK_TABLE_INT:
		snprintf(buf, sizeof(buf), "%lld", (long long)vitk_table_get_int(t, row, col));
		s = strdup(buf);
		break;
	case VITK_TABLE_REAL:
		snprintf(buf, sizeof(buf), "%.6g", vitk_table_get_real(t, row, col));
		s = strdup(buf);
		break;
	case VITK_TABLE_BOOL:
		s = strdup(vitk_table_get_bool(t, row, col) ? "yes" : "no");
		break;
	case VITK_TABLE_JSON:
		raw = json_dumps(vitk_table_get_json(t, row, col),
				 JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
		s = raw && display ? cli_display_text(raw) : raw;
		if (s != raw)
			free(raw);
		break;
	default:
		s = display ? cli_display_text(vitk_table_get_str(t, row, col))
			    : strdup(vitk_table_get_str(t, row, col));
		break;
	}
	if (!s)
		*oom = true;
	return s;
}

/* all cells of rows [0, @nrows) as text, row-major; NULL on out-of-memory */
static char **table_texts(const vitk_table *t, size_t nrows, bool display)
{
	size_t ncols = vitk_table_ncolumns(t);
	char **txt = calloc(nrows * ncols + 1, sizeof(*txt));
	bool oom = false;

	if (!txt)
		return NULL;
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++)
			txt[r * ncols + c] = cell_text(t, r, c, display, &oom);
	if (oom) {
		for (size_t i = 0; i < nrows * ncols; i++)
			free(txt[i]);
		free(txt);
		return NULL;
	}
	return txt;
}

static void free_texts(char **txt, size_t n)
{
	for (size_t i = 0; txt && i < n; i++)
		free(txt[i]);
	free(txt);
}

/* ------------------------------------------------------------- renderers */

int cli_json_print(const struct cli_ctx *ctx, json_t *doc)
{
	(void)ctx;
	if (json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
		return CLI_EXIT_FAIL;
	fputc('\n', stdout);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* RFC 4180 field: quoted when it holds a comma, quote or line break, or starts with a space */
static void csv_field(FILE *f, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL || (s[0] && (isspace((unsigned char)s[0])));

	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void print_csv(const vitk_table *t, char **txt, size_t nrows)
{
	size_t ncols = vitk_table_ncolumns(t);

	for (size_t c = 0; c < ncols; c++) {
		if (c)
			fputc(',', stdout);
		csv_field(stdout, vitk_table_column_at(t, c)->key);
	}
	fputs("\r\n", stdout);
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			if (c)
				fputc(',', stdout);
			if (txt[r * ncols + c])
				csv_field(stdout, txt[r * ncols + c]);
		}
		fputs("\r\n", stdout);
	}
}

/* the text header of a key: upper case, '_' -> ' ' */
static void header_text(const char *key, char *out, size_t len)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < len; i++)
		out[i] = key[i] == '_' ? ' ' : (char)toupper((unsigned char)key[i]);
	out[i] = '\0';
}

/* display width of UTF-8 text (code points; good enough for our data) */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void print_text_table(const vitk_table *t, char **txt)
{
	size_t ncols = vitk_table_ncolumns(t), nrows = vitk_table_nrows(t);
	size_t *w = calloc(ncols + 1, sizeof(*w));
	char hdr[128];

	if (!w)
		return;
	for (size_t c = 0; c < ncols; c++) {
		header_text(vitk_table_column_at(t, c)->key, hdr, sizeof(hdr));
		w[c] = text_width(hdr);
		for (size_t r = 0; r < nrows; r++) {
			size_t l = text_width(txt[r * ncols + c]);

			if (l > w[c])
				w[c] = l;
		}
	}
	for (size_t c = 0; c < ncols; c++) {
		header_text(vitk_table_column_at(t, c)->key, hdr, sizeof(hdr));
		if (c + 1 == ncols)
			printf("%s", hdr);
		else
			printf("%-*s  ", (int)w[c], hdr);
	}
	putchar('\n');
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *s = txt[r * ncols + c];
			size_t pad = w[c] - text_width(s);

			if (is_numeric(vitk_table_column_at(t, c)->type))
				printf("%*s%s", (int)pad, "", s);
			else if (c + 1 == ncols)
				printf("%s", s);
			else
				printf("%s%*s", s, (int)pad, "");
			if (c + 1 < ncols)
				fputs("  ", stdout);
		}
		putchar('\n');
	}
	free(w);
}

static void print_text_record(const vitk_table *t, char **txt)
{
	size_t ncols = vitk_table_ncolumns(t), w = 0;
	char hdr[128];

	for (size_t c = 0; c < ncols; c++)
		if (strlen(vitk_table_column_at(t, c)->key) > w)
			w = strlen(vitk_table_column_at(t, c)->key);
	for (size_t c = 0; vitk_table_nrows(t) && c < ncols; c++) {
		snprintf(hdr, sizeof(hdr), "%s:", vitk_table_column_at(t, c)->key);
		for (char *p = hdr; *p; p++)
			if (*p == '_')
				*p = ' ';
		printf("%-*s %s\n", (int)w + 1, hdr, txt[c]);
	}
}

static int print_json_table(const struct cli_ctx *ctx, const vitk_table *t, bool record)
{
	json_t *j = NULL;
	int r = 0;

	if (record && vitk_table_nrows(t) == 0)
		j = json_object(); /* a record that is not there: an empty object */
	else if (record)
		r = vitk_table_row_to_json(&j, t, 0);
	else
		r = vitk_table_to_json(&j, t);
	if (r == 0 && !j)
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (r < 0)
		return cli_error_lib(ctx, r, "cannot format the result");
	r = cli_json_print(ctx, j);
	json_decref(j);
	return r;
}

static int render(const struct cli_ctx *ctx, const vitk_table *t, bool record)
{
	size_t nrows = record && vitk_table_nrows(t) ? 1 : vitk_table_nrows(t);
	bool display = ctx->output == CLI_OUT_TABLE;
	char **txt;

	if (vitk_table_error(t))
		return cli_error_lib(ctx, vitk_table_error(t), "cannot format the result");
	if (ctx->output == CLI_OUT_JSON)
		return print_json_table(ctx, t, record);
	txt = table_texts(t, nrows, display);
	if (!txt)
		return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	if (ctx->output == CLI_OUT_CSV)
		print_csv(t, txt, nrows);
	else if (record)
		print_text_record(t, txt);
	else
		print_text_table(t, txt);
	free_texts(txt, nrows * vitk_table_ncolumns(t));
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int cli_print_table(const struct cli_ctx *ctx, const vitk_table *t)
{
	return render(ctx, t, false);
}

int cli_print_record(const struct cli_ctx *ctx, const vitk_table *t)
{
	return render(ctx, t, true);
}

int cli_print_struct(const struct cli_ctx *ctx, const vitk_table_column *cols, size_t ncols,
		     const void *rec)
{
	vitk_table *t = NULL;
	int r;

	r = vitk_table_new(&t, cols, ncols);
	if (r == 0)
		r = vitk_table_add_record(t, rec);
	if (r < 0) {
		vitk_table_free(t);
		return cli_error_lib(ctx, r, "cannot format the result");
	}
	r = cli_print_record(ctx, t);
	vitk_table_free(t);
	return r;
}

int cli_rows_to_table(vitk_table **out, const vitk_inventory_rows *rows, const char *const *skip)
{
	size_t nc = vitk_inventory_rows_ncolumns(rows), n = 0;
	vitk_table_column *cols = calloc(nc + 1, sizeof(*cols));
	size_t *src = calloc(nc + 1, sizeof(*src)); /* table column -> rows column */
	vitk_table *t = NULL;
	int r = VITK_ENOMEM;

	*out = NULL;
	if (!cols || !src)
		goto out;
	for (size_t c = 0; c < nc; c++) {
		const char *name = vitk_inventory_rows_column_name(rows, c);
		vitk_inventory_type ty = vitk_inventory_rows_column_type(rows, c);
		bool keep = true;

		for (size_t s = 0; skip && skip[s]; s++)
			if (strcmp(skip[s], name) == 0)
				keep = false;
		if (!keep)
			continue;
		cols[n].key = name;
		cols[n].type = ty == VITK_INV_INT ? VITK_TABLE_INT
			       : ty == VITK_INV_REAL ? VITK_TABLE_REAL : VITK_TABLE_STR;
		src[n++] = c;
	}
	r = vitk_table_new(&t, cols, n);
	for (size_t row = 0; r == 0 && row < vitk_inventory_rows_count(rows); row++) {
		r = vitk_table_add_row(t);
		for (size_t c = 0; r == 0 && c < n; c++) {
			if (vitk_inventory_rows_is_null(rows, row, src[c]))
				continue;
			if (cols[c].type == VITK_TABLE_INT)
				r = vitk_table_set_int(t, c, vitk_inventory_rows_int(rows, row, src[c]));
			else if (cols[c].type == VITK_TABLE_REAL)
				r = vitk_table_set_real(t, c, vitk_inventory_rows_real(rows, row, src[c]));
			else
				r = vitk_table_set_str(t, c, vitk_inventory_rows_text(rows, row, src[c]));
		}
	}
	if (r == 0) {
		*out = t;
		t = NULL;
	}
out:
	vitk_table_free(t);
	free(cols);
	free(src);
	return r;
}

/*
 * One conversion of @fmt (from '%' up to and including its conversion
 * character) formatted from @ap into @buf, with any '*' width or precision
 * taken from @ap first, as printf does.  The length modifier decides the
 * argument's type; the compiler has already checked it (format attribute).
 * -1 for a conversion cli_text() does not support (%n, unknown).
 */
static int put_conversion(vitk_str *buf, const char *spec, size_t len, va_list *ap)
{
	char f[32], conv = spec[len - 1];
	int star[2], nstar = 0;
	const char *lm;
	size_t i;

	if (len >= sizeof(f))
		return -1;
	memcpy(f, spec, len);
	f[len] = '\0';
	for (i = 1; i < len - 1; i++)
		if (spec[i] == '*' && nstar < 2)
			star[nstar++] = va_arg(*ap, int);
	for (lm = f + 1; *lm && strchr("-+ #0123456789.*", *lm); lm++)
		;
#define PUT(type)                                                                                  \
	(nstar == 2 ? vitk_str_putf(buf, f, star[0], star[1], va_arg(*ap, type))                     \
	 : nstar    ? vitk_str_putf(buf, f, star[0], va_arg(*ap, type))                              \
		    : vitk_str_putf(buf, f, va_arg(*ap, type)))
	switch (conv) {
	case 'd':
	case 'i':
		if (lm[0] == 'l' && lm[1] == 'l')
			return PUT(long long);
		if (lm[0] == 'l')
			return PUT(long);
		if (lm[0] == 'z' || lm[0] == 't')
			return PUT(ptrdiff_t);
		if (lm[0] == 'j')
			return PUT(intmax_t);
		return PUT(int);
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		if (lm[0] == 'l' && lm[1] == 'l')
			return PUT(unsigned long long);
		if (lm[0] == 'l')
			return PUT(unsigned long);
		if (lm[0] == 'z' || lm[0] == 't')
			return PUT(size_t);
		if (lm[0] == 'j')
			return PUT(uintmax_t);
		return PUT(unsigned);
	case 'c':
		return PUT(int);
	case 's':
		return PUT(const char *);
	case 'p':
		return PUT(void *);
	case 'e':
	case 'E':
	case 'f':
	case 'F':
	case 'g':
	case 'G':
	case 'a':
	case 'A':
		if (lm[0] == 'L')
			return PUT(long double);
		return PUT(double);
	default:
		return -1;
	}
#undef PUT
}

/*
 * @fmt's own text stays as written (it is a literal of ours: its newlines
 * make the lines); every argument is escaped like a table cell, newlines
 * included, so a value from a device, a depot or an import can never forge a
 * line.  Multi-line blocks that a library built go through cli_text_block().
 */
void cli_text(const struct cli_ctx *ctx, const char *fmt, ...)
{
	vitk_str out = VITK_STR_INIT, arg = VITK_STR_INIT;
	const char *p = fmt;
	va_list ap;

	if (ctx->output != CLI_OUT_TABLE)
		return;
	va_start(ap, fmt);
	while (*p && !out.oom) {
		const char *pct = strchr(p, '%');
		size_t len;
		char *shown;

		if (!pct) {
			vitk_str_puts(&out, p);
			break;
		}
		vitk_str_put(&out, p, (size_t)(pct - p));
		if (pct[1] == '%') {
			vitk_str_put(&out, "%", 1);
			p = pct + 2;
			continue;
		}
		len = 1 + strspn(pct + 1, "-+ #0123456789.*hljztL");
		if (!pct[len]) /* a lone '%' at the end: the compiler rejects it; print it */
			len--;
		len++;
		vitk_str_clear(&arg);
		if (put_conversion(&arg, pct, len, &ap) < 0 || arg.oom)
			break;
		shown = escape(arg.ptr ? arg.ptr : "", false);
		if (!shown)
			break;
		vitk_str_puts(&out, shown);
		free(shown);
		p = pct + len;
	}
	va_end(ap);
	if (!out.oom && out.ptr)
		fputs(out.ptr, stdout);
	vitk_str_clear(&arg);
	vitk_str_clear(&out);
}

void cli_text_block(const struct cli_ctx *ctx, const char *block)
{
	char *shown;

	if (ctx->output != CLI_OUT_TABLE || !block)
		return;
	/* control characters and bidi overrides escaped, the block's own lines kept */
	shown = escape(block, true);
	fputs(shown ? shown : "", stdout);
	free(shown);
}

/* ------------------------------------------------------------ diagnostics */

static void vdiag(const struct cli_ctx *ctx, const char *kind, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* one line, whatever a library (or libiscsi) put in the message */
	{
		char *w = msg;
		bool space = false;

		for (const char *p = msg; *p; p++) {
			bool ctl = (unsigned char)*p < 0x20 || *p == 0x7f;

			if (ctl || *p == ' ') {
				if (!space && w != msg)
					*w++ = ' ';
				space = true;
				continue;
			}
			space = false;
			*w++ = *p;
		}
		while (w > msg && w[-1] == ' ')
			w--;
		*w = '\0';
	}
	/* bidi overrides, C1 controls and bytes that are not UTF-8: visible, inert */
	{
		char *safe = escape(msg, false);
		const char *shown = safe ? safe : "(message not shown: out of memory)";

		fflush(stdout);
		if (ctx && ctx->noun)
			fprintf(stderr, "vitk: %s: %s%s\n", ctx->noun, kind, shown);
		else
			fprintf(stderr, "vitk: %s%s\n", kind, shown);
		free(safe);
	}
}

int cli_error(const struct cli_ctx *ctx, int exit_code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(ctx, "", fmt, ap);
	va_end(ap);
	return exit_code;
}

int cli_exit_from_err(int r)
{
	switch (r) {
	case 0: return CLI_EXIT_OK;
	case VITK_ENOTFOUND: return CLI_EXIT_NOTFOUND;
	case VITK_ESCSI:
	case VITK_EIO:
	case VITK_ENOTSUP:
	case VITK_EBUSY:
	case VITK_ETIMEDOUT: return CLI_EXIT_DEVICE;
	case VITK_EDB: return CLI_EXIT_DB;
	default: return CLI_EXIT_FAIL;
	}
}

int cli_error_lib(const struct cli_ctx *ctx, int r, const char *fmt, ...)
{
	char msg[1024];
	const vitk_error *e = vitk_error_last();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e->message[0] && strncmp(e->message, msg, strlen(msg)) == 0)
		cli_error(ctx, 0, "%s", e->message); /* the library already said it */
	else if (e->message[0])
		cli_error(ctx, 0, "%s: %s", msg, e->message);
	else
		cli_error(ctx, 0, "%s: %s", msg, vitk_err_str(r));
	return cli_exit_from_err(r);
}

void cli_warn(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx && ctx->quiet)
		return;
	va_start(ap, fmt);
	vdiag(ctx, "warning: ", fmt, ap);
	va_end(ap);
}

void cli_info(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!ctx || !ctx->verbose || ctx->quiet)
		return;
	va_start(ap, fmt);
	vdiag(ctx, "", fmt, ap);
	va_end(ap);
}

/* --------------------------------------------------------------- progress */

struct cli_progress {
	bool enabled;
	char label[64];
	uint64_t last_ns;
	bool drawn;
};

struct cli_progress *cli_progress_new(const struct cli_ctx *ctx, const char *label)
{
	struct cli_progress *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->enabled = !ctx->quiet && isatty(STDERR_FILENO) && !getenv("VITK_NO_PROGRESS");
	snprintf(p->label, sizeof(p->label), "%s", label ? label : "");
	return p;
}

void cli_progress_update(struct cli_progress *p, uint64_t done, uint64_t total, double rate_bps,
			 const char *method)
{
	char a[32], b[32], rate[32], eta[32], bar[31];
	uint64_t now;
	unsigned pct;
	size_t fill;

	if (!p || !p->enabled)
		return;
	now = vitk_now_ns();
	if (p->drawn && done < total && now - p->last_ns < 100000000ULL)
		return;
	p->last_ns = now;
	pct = total ? (unsigned)((done * 100) / total) : 0;
	fill = total ? (size_t)((done * 30) / total) : 0;
	for (size_t i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[30] = '\0';
	vitk_fmt_bytes(a, sizeof(a), done);
	vitk_fmt_bytes(b, sizeof(b), total);
	vitk_fmt_bytes(rate, sizeof(rate), (uint64_t)rate_bps);
	if (rate_bps > 0 && total > done) {
		uint64_t s = (uint64_t)((double)(total - done) / rate_bps);

		snprintf(eta, sizeof(eta), "%llu:%02llu", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	} else {
		snprintf(eta, sizeof(eta), "--:--");
	}
	fprintf(stderr, "\r\033[K%s [%s] %3u%% %s/%s %s/s ETA %s%s%s%s", p->label, bar, pct, a, b,
		rate, eta, method ? " (" : "", method ? method : "", method ? ")" : "");
	fflush(stderr);
	p->drawn = true;
}

void cli_progress_free(struct cli_progress *p)
{
	if (!p)
		return;
	if (p->enabled && p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	free(p);
}
