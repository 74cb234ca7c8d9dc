/* SPDX-License-Identifier: MIT */
/*
 * Private to the report library.  Call direction: html.c -> svg.c -> out.c;
 * out.c calls nothing of this library.
 */
#ifndef VITK_REPORT_PRIV_H
#define VITK_REPORT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* out.c: the output stream; the first write error sticks in @failed */
struct rw {
	FILE *f;
	bool failed;
};

void rw_raw(struct rw *w, const char *s);
void rw_fmt(struct rw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * @s escaped for HTML text and attribute values: & < > " ' as entities,
 * control characters and invalid UTF-8 as U+FFFD.  At most @max_chars
 * characters (0: no limit), then an ellipsis.  NULL writes nothing.
 */
void rw_esc_max(struct rw *w, const char *s, size_t max_chars);
void rw_esc(struct rw *w, const char *s);
/* 1234567 as "1,234,567" */
void rw_int(struct rw *w, int64_t v);
/* bytes as "32.0 MiB" (binary units), exact below 1 KiB */
void rw_bytes(struct rw *w, int64_t v);

/* svg.c: charts as inline SVG (role="img", a <title>, the numbers also in a table) */
struct svg_series {
	const char *name; /* legend */
	const char *cls;  /* CSS class of the fill: s0, s1, s2 */
};

struct svg_hbar {
	const char *label;  /* row label (escaped, shortened) */
	const char *group;  /* a group heading row starts when this changes; NULL: none */
	double v[3];        /* one value per series, stacked */
};

/* horizontal stacked bars, one row per item */
void svg_hbars(struct rw *w, const char *title, const struct svg_series *series, size_t nseries,
	       const struct svg_hbar *rows, size_t nrows);

struct svg_col {
	const char *label; /* x axis label (escaped, shortened) */
	double v[2];       /* one value per series, side by side */
};

/* vertical grouped bars over time; @bytes: values are bytes (axis in binary units) */
void svg_cols(struct rw *w, const char *title, const struct svg_series *series, size_t nseries,
	      const struct svg_col *cols, size_t ncols, bool bytes);

#endif
