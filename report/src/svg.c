/* SPDX-License-Identifier: MIT */
/*
 * Charts as inline SVG.  Each chart is an <svg role="img"> with a <title>
 * (its accessible name) and a <title> per bar (the exact value as a
 * tooltip); the page puts a table with the same numbers next to it.
 */
#include <string.h>

#include "report_priv.h"

#define W 760
#define LABEL_W 300
#define BAR_W 380
#define ROW_H 22
#define LEGEND_H 28

static void value_text(struct rw *w, double v, bool bytes)
{
	if (bytes)
		rw_bytes(w, (int64_t)v);
	else
		rw_int(w, (int64_t)v);
}

static void open_svg(struct rw *w, const char *title, int height)
{
	rw_fmt(w, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		  "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
	       W, height, W, height);
	rw_esc(w, title);
	rw_raw(w, "\"><title>");
	rw_esc(w, title);
	rw_raw(w, "</title>\n");
}

static void legend(struct rw *w, const struct svg_series *series, size_t n)
{
	int x = 0;

	for (size_t i = 0; i < n; i++) {
		rw_fmt(w, "<rect class=\"%s\" x=\"%d\" y=\"6\" width=\"12\" height=\"12\"/>", series[i].cls,
		       x);
		rw_fmt(w, "<text x=\"%d\" y=\"16\">", x + 16);
		rw_esc(w, series[i].name);
		rw_raw(w, "</text>\n");
		x += 16 + 8 * (int)strlen(series[i].name) + 18;
	}
}

void svg_hbars(struct rw *w, const char *title, const struct svg_series *series, size_t nseries,
	       const struct svg_hbar *rows, size_t nrows)
{
	double max = 1;
	size_t groups = 0;
	const char *prev = NULL;
	int y, height;

	if (nseries > 3)
		nseries = 3;
	for (size_t i = 0; i < nrows; i++) {
		double t = 0;

		for (size_t s = 0; s < nseries; s++)
			t += rows[i].v[s] > 0 ? rows[i].v[s] : 0;
		if (t > max)
			max = t;
		if (rows[i].group && (!prev || strcmp(prev, rows[i].group)))
			groups++;
		if (rows[i].group)
			prev = rows[i].group;
	}
	height = LEGEND_H + (int)(nrows + groups) * ROW_H + 6;
	open_svg(w, title, height);
	legend(w, series, nseries);
	y = LEGEND_H;
	prev = NULL;
	for (size_t i = 0; i < nrows; i++) {
		const struct svg_hbar *r = &rows[i];
		double x = LABEL_W, total = 0;

		if (r->group && (!prev || strcmp(prev, r->group))) {
			rw_fmt(w, "<text class=\"grp\" x=\"0\" y=\"%d\">", y + 15);
			rw_esc_max(w, r->group, 90);
			rw_raw(w, "</text>\n");
			y += ROW_H;
		}
		if (r->group)
			prev = r->group;
		rw_fmt(w, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 8, y + 15);
		rw_esc_max(w, r->label, 36);
		rw_raw(w, "</text>");
		for (size_t s = 0; s < nseries; s++) {
			double v = r->v[s] > 0 ? r->v[s] : 0, bw = v / max * BAR_W;

			total += v;
			if (v <= 0)
				continue;
			rw_fmt(w, "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\"><title>",
			       series[s].cls, x, y + 3, bw);
			rw_esc(w, series[s].name);
			rw_raw(w, ": ");
			rw_int(w, (int64_t)v);
			rw_raw(w, "</title></rect>");
			x += bw;
		}
		rw_fmt(w, "<text x=\"%.1f\" y=\"%d\">", x + 6, y + 15);
		rw_int(w, (int64_t)total);
		rw_raw(w, "</text>\n");
		y += ROW_H;
	}
	rw_raw(w, "</svg>\n");
}

void svg_cols(struct rw *w, const char *title, const struct svg_series *series, size_t nseries,
	      const struct svg_col *cols, size_t ncols, bool bytes)
{
	const int plot_h = 180, left = 90, plot_w = W - left - 10, top = LEGEND_H + 10;
	const int height = top + plot_h + 40;
	double max = 1, slot;
	size_t every;

	if (nseries > 2)
		nseries = 2;
	for (size_t i = 0; i < ncols; i++)
		for (size_t s = 0; s < nseries; s++)
			if (cols[i].v[s] > max)
				max = cols[i].v[s];
	slot = ncols ? (double)plot_w / (double)ncols : plot_w;
	every = ncols > 12 ? (ncols + 11) / 12 : 1;
	open_svg(w, title, height);
	legend(w, series, nseries);
	/* axis: zero and the maximum */
	rw_fmt(w, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", left, top + plot_h,
	       W - 10, top + plot_h);
	rw_fmt(w, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", left, top, W - 10,
	       top);
	rw_fmt(w, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6, top + 4);
	value_text(w, max, bytes);
	rw_fmt(w, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", left - 6,
	       top + plot_h + 4);
	for (size_t i = 0; i < ncols; i++) {
		double x0 = left + slot * (double)i, bw = slot * 0.8 / (double)(nseries ? nseries : 1);

		for (size_t s = 0; s < nseries; s++) {
			double v = cols[i].v[s] > 0 ? cols[i].v[s] : 0, h = v / max * plot_h;

			if (v > 0 && h < 1)
				h = 1; /* a nonzero value stays visible */
			rw_fmt(w, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
			       series[s].cls, x0 + slot * 0.1 + bw * (double)s, top + plot_h - h, bw, h);
			rw_esc_max(w, cols[i].label, 40);
			rw_raw(w, " ");
			rw_esc(w, series[s].name);
			rw_raw(w, ": ");
			value_text(w, v, bytes);
			rw_raw(w, "</title></rect>");
		}
		if (i % every == 0) {
			rw_fmt(w, "<text class=\"xl\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
			       x0 + slot / 2, top + plot_h + 16);
			rw_esc_max(w, cols[i].label, 16);
			rw_raw(w, "</text>");
		}
		rw_raw(w, "\n");
	}
	rw_raw(w, "</svg>\n");
}
