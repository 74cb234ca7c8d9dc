/* SPDX-License-Identifier: MIT */
/*
 * The output layer (house-style R13): one table abstraction printed as an
 * aligned table, JSON or CSV; diagnostics; the progress bar.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct cell {
	bool set;
	enum cli_col_type type;
	char *s;
	int64_t i;
	double d;
	bool b;
};

struct column {
	char *key;
	enum cli_col_type type;
};

struct cli_table {
	struct column *cols;
	size_t ncols;
	struct cell *cells; /* nrows * ncols; grows */
	size_t nrows, cap;
	bool oom;
};

cli_table *cli_table_new(void)
{
	return calloc(1, sizeof(cli_table));
}

void cli_table_free(cli_table *t)
{
	if (!t)
		return;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			free(t->cells[r * t->ncols + c].s);
	for (size_t c = 0; c < t->ncols; c++)
		free(t->cols[c].key);
	free(t->cols);
	free(t->cells);
	free(t);
}

void cli_table_add_column(cli_table *t, const char *key, enum cli_col_type type)
{
	struct column *nc;

	VITK_ASSERT(t->nrows == 0);
	nc = realloc(t->cols, (t->ncols + 1) * sizeof(*nc));
	if (!nc) {
		t->oom = true;
		return;
	}
	t->cols = nc;
	t->cols[t->ncols].key = strdup(key);
	t->cols[t->ncols].type = type;
	t->ncols++;
}

void cli_table_add_row(cli_table *t)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct cell *nc = realloc(t->cells, cap * (t->ncols ? t->ncols : 1) * sizeof(*nc));

		if (!nc) {
			t->oom = true;
			return;
		}
		t->cells = nc;
		t->cap = cap;
	}
	memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof(struct cell));
	t->nrows++;
}

static struct cell *cur_cell(cli_table *t, const char *key)
{
	if (t->nrows == 0 || t->oom)
		return NULL;
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c].key, key) == 0)
			return &t->cells[(t->nrows - 1) * t->ncols + c];
	VITK_ASSERT(!"no such column");
	return NULL;
}

void cli_table_set_str(cli_table *t, const char *key, const char *v)
{
	struct cell *c = cur_cell(t, key);

	if (!c)
		return;
	free(c->s);
	c->s = NULL;
	c->set = v != NULL;
	c->type = CLI_COL_STR;
	if (v) {
		c->s = strdup(v);
		if (!c->s)
			t->oom = true;
	}
}

void cli_table_set_int(cli_table *t, const char *key, int64_t v)
{
	struct cell *c = cur_cell(t, key);

	if (!c)
		return;
	c->set = true;
	c->type = CLI_COL_INT;
	c->i = v;
}

void cli_table_set_real(cli_table *t, const char *key, double v)
{
	struct cell *c = cur_cell(t, key);

	if (!c)
		return;
	c->set = true;
	c->type = CLI_COL_REAL;
	c->d = v;
}

void cli_table_set_bool(cli_table *t, const char *key, bool v)
{
	struct cell *c = cur_cell(t, key);

	if (!c)
		return;
	c->set = true;
	c->type = CLI_COL_BOOL;
	c->b = v;
}

size_t cli_table_rows(const cli_table *t)
{
	return t ? t->nrows : 0;
}

static const char *cell_text(const struct cell *c, char *buf, size_t len)
{
	if (!c->set)
		return "-";
	switch (c->type) {
	case CLI_COL_INT:
		snprintf(buf, len, "%lld", (long long)c->i);
		return buf;
	case CLI_COL_REAL:
		snprintf(buf, len, "%.6g", c->d);
		return buf;
	case CLI_COL_BOOL:
		return c->b ? "yes" : "no";
	default:
		return c->s;
	}
}

static json_t *cell_json(const struct cell *c, enum cli_col_type coltype)
{
	if (!c->set)
		return json_null();
	switch (c->type) {
	case CLI_COL_INT:
		return json_integer(c->i);
	case CLI_COL_REAL:
		return json_real(c->d);
	case CLI_COL_BOOL:
		return json_boolean(c->b);
	default:
		/* a string cell in an int column stays a string: never guess */
		(void)coltype;
		return json_string(c->s);
	}
}

json_t *cli_table_to_json(const cli_table *t)
{
	json_t *arr = json_array();

	for (size_t r = 0; arr && r < t->nrows; r++) {
		json_t *o = json_object();

		for (size_t c = 0; c < t->ncols; c++)
			json_object_set_new(o, t->cols[c].key,
					    cell_json(&t->cells[r * t->ncols + c], t->cols[c].type));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *record_json(const cli_table *t)
{
	json_t *o = json_object();

	for (size_t c = 0; t->nrows && c < t->ncols; c++)
		json_object_set_new(o, t->cols[c].key, cell_json(&t->cells[c], t->cols[c].type));
	return o;
}

int cli_json_print(const struct cli_ctx *ctx, json_t *doc)
{
	(void)ctx;
	if (json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
		return CLI_EXIT_FAIL;
	fputc('\n', stdout);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

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

static void print_csv(const cli_table *t, size_t rows)
{
	char buf[64];

	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			fputc(',', stdout);
		csv_field(stdout, t->cols[c].key);
	}
	fputs("\r\n", stdout);
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const struct cell *cell = &t->cells[r * t->ncols + c];

			if (c)
				fputc(',', stdout);
			if (cell->set)
				csv_field(stdout, cell_text(cell, buf, sizeof(buf)));
		}
		fputs("\r\n", stdout);
	}
}

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

static void print_text_table(const cli_table *t)
{
	size_t *w = calloc(t->ncols + 1, sizeof(*w));
	char buf[64], hdr[128];

	if (!w)
		return;
	for (size_t c = 0; c < t->ncols; c++) {
		header_text(t->cols[c].key, hdr, sizeof(hdr));
		w[c] = text_width(hdr);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t l = text_width(cell_text(&t->cells[r * t->ncols + c], buf, sizeof(buf)));

			if (l > w[c])
				w[c] = l;
		}
	}
	for (size_t c = 0; c < t->ncols; c++) {
		header_text(t->cols[c].key, hdr, sizeof(hdr));
		if (c + 1 == t->ncols)
			printf("%s", hdr);
		else
			printf("%-*s  ", (int)w[c], hdr);
	}
	putchar('\n');
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const struct cell *cell = &t->cells[r * t->ncols + c];
			const char *s = cell_text(cell, buf, sizeof(buf));
			size_t pad = w[c] - text_width(s);
			bool num = cell->set ? (cell->type == CLI_COL_INT || cell->type == CLI_COL_REAL)
					     : (t->cols[c].type == CLI_COL_INT ||
						t->cols[c].type == CLI_COL_REAL);

			if (num)
				printf("%*s%s", (int)pad, "", s);
			else if (c + 1 == t->ncols)
				printf("%s", s);
			else
				printf("%s%*s", s, (int)pad, "");
			if (c + 1 < t->ncols)
				fputs("  ", stdout);
		}
		putchar('\n');
	}
	free(w);
}

int cli_table_print(const struct cli_ctx *ctx, const cli_table *t)
{
	json_t *j;
	int r;

	if (t->oom)
		return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	switch (ctx->output) {
	case CLI_OUT_JSON:
		j = cli_table_to_json(t);
		r = cli_json_print(ctx, j);
		json_decref(j);
		return r;
	case CLI_OUT_CSV:
		print_csv(t, t->nrows);
		break;
	default:
		print_text_table(t);
		break;
	}
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int cli_record_print(const struct cli_ctx *ctx, const cli_table *t)
{
	char buf[64], hdr[128];
	size_t w = 0;
	json_t *j;
	int r;

	if (t->oom)
		return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	switch (ctx->output) {
	case CLI_OUT_JSON:
		j = record_json(t);
		r = cli_json_print(ctx, j);
		json_decref(j);
		return r;
	case CLI_OUT_CSV:
		print_csv(t, t->nrows ? 1 : 0);
		break;
	default:
		for (size_t c = 0; c < t->ncols; c++)
			if (strlen(t->cols[c].key) > w)
				w = strlen(t->cols[c].key);
		for (size_t c = 0; t->nrows && c < t->ncols; c++) {
			snprintf(hdr, sizeof(hdr), "%s:", t->cols[c].key);
			for (char *p = hdr; *p; p++)
				if (*p == '_')
					*p = ' ';
			printf("%-*s %s\n", (int)w + 1, hdr, cell_text(&t->cells[c], buf, sizeof(buf)));
		}
		break;
	}
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

void cli_text(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->output != CLI_OUT_TABLE)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
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
	fflush(stdout);
	if (ctx && ctx->noun)
		fprintf(stderr, "vitk: %s: %s%s\n", ctx->noun, kind, msg);
	else
		fprintf(stderr, "vitk: %s%s\n", kind, msg);
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

cli_table *cli_table_from_rows(const vitk_inventory_rows *rows, const char *const *skip)
{
	cli_table *t = cli_table_new();
	size_t nc = vitk_inventory_rows_ncolumns(rows);
	bool *keep = calloc(nc + 1, sizeof(bool));

	if (!t || !keep) {
		free(keep);
		cli_table_free(t);
		return NULL;
	}
	for (size_t c = 0; c < nc; c++) {
		const char *name = vitk_inventory_rows_column_name(rows, c);
		vitk_inventory_type ty = vitk_inventory_rows_column_type(rows, c);

		keep[c] = true;
		for (size_t s = 0; skip && skip[s]; s++)
			if (strcmp(skip[s], name) == 0)
				keep[c] = false;
		if (keep[c])
			cli_table_add_column(t, name,
					     ty == VITK_INV_INT ? CLI_COL_INT
					     : ty == VITK_INV_REAL ? CLI_COL_REAL
								   : CLI_COL_STR);
	}
	for (size_t r = 0; r < vitk_inventory_rows_count(rows); r++) {
		cli_table_add_row(t);
		for (size_t c = 0; c < nc; c++) {
			const char *name = vitk_inventory_rows_column_name(rows, c);

			if (!keep[c] || vitk_inventory_rows_is_null(rows, r, c))
				continue;
			switch (vitk_inventory_rows_column_type(rows, c)) {
			case VITK_INV_INT:
				cli_table_set_int(t, name, vitk_inventory_rows_int(rows, r, c));
				break;
			case VITK_INV_REAL:
				cli_table_set_real(t, name, vitk_inventory_rows_real(rows, r, c));
				break;
			default:
				cli_table_set_str(t, name, vitk_inventory_rows_text(rows, r, c));
				break;
			}
		}
	}
	free(keep);
	return t;
}
