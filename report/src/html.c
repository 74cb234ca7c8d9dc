/* SPDX-License-Identifier: MIT */
/*
 * The HTML inventory report: one page, inline CSS, charts from svg.c, a
 * table behind every chart.  Reads the inventory with read-only SELECTs
 * (vitk_inventory_query) over the tables the odx, sriov and esxupdate
 * domains register (their columns: odx/README.md, sriov/README.md,
 * esxupdate/README.md).  The SQL keeps to what SQLite and PostgreSQL both
 * accept (CASE, not the two-argument min/max; no integer used as a boolean)
 * so the page works over either inventory backend.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/report.h>

#include "report_priv.h"

struct rep {
	struct rw w;
	vitk_inventory *inv;
	size_t open_hosts;
	size_t max_rows;
	bool has_sriov, has_odx, has_esx;
	int err; /* first query error */
};

static const char css[] =
	":root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--s0:#0b5cad;--s1:#7fb2e5;--s2:#e3e8ee;"
	"--bad:#b3261e;--warn:#9a6700;--ok:#1a7f37}"
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
	"color:var(--fg);margin:0 auto;max-width:1100px;padding:0 16px 48px}"
	"header{border-bottom:2px solid var(--line);margin-bottom:8px}h1{font-size:26px;margin:16px 0 4px}"
	"h2{font-size:21px;margin:28px 0 8px;border-bottom:1px solid var(--line)}h3{font-size:17px;margin:16px 0 6px}"
	".meta,.note{color:var(--muted);font-size:13px}nav a{margin-right:14px}"
	"dl.cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}"
	"dl.cards div{border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:130px}"
	"dl.cards dt{color:var(--muted);font-size:12px}dl.cards dd{margin:0;font-size:20px;font-weight:600}"
	"table{border-collapse:collapse;margin:8px 0 12px;font-size:13px}"
	"caption{text-align:left;font-weight:600;padding:4px 0}"
	"th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}"
	"th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"td.t{max-width:420px;overflow-wrap:anywhere}"
	"svg.chart{max-width:100%;height:auto;display:block;margin:6px 0}"
	"svg.chart text{font:12px system-ui,'DejaVu Sans',sans-serif;fill:var(--fg)}"
	"svg.chart text.grp{font-weight:600}svg.chart text.xl{font-size:11px;fill:var(--muted)}"
	".s0{fill:var(--s0)}.s1{fill:var(--s1)}.s2{fill:var(--s2);stroke:#b8c2cc;stroke-width:.5}"
	".axis{stroke:var(--muted)}.grid{stroke:var(--line);stroke-dasharray:3 3}"
	"details{border:1px solid var(--line);border-radius:6px;padding:4px 10px;margin:6px 0}"
	"summary{cursor:pointer;font-weight:600}"
	".CRITICAL,.unsafe{color:var(--bad);font-weight:600}.WARNING,.review{color:var(--warn);font-weight:600}"
	".safe{color:var(--ok)}"
	"@media print{body{max-width:none;font-size:11px}nav{display:none}"
	"details{border:none;padding:0}section,figure,table,svg{break-inside:avoid}"
	"th{background:none}a{color:inherit;text-decoration:none}}";

/* ------------------------------------------------------------- queries */

static vitk_inventory_rows *query(struct rep *r, const char *sql)
{
	vitk_inventory_rows *rows = NULL;
	int e;

	if (r->err)
		return NULL;
	e = vitk_inventory_query(&rows, r->inv, sql);
	if (e < 0) {
		r->err = e;
		return NULL;
	}
	return rows;
}

static int64_t one_int(struct rep *r, const char *sql)
{
	vitk_inventory_rows *rows = query(r, sql);
	int64_t v = 0;

	if (rows && vitk_inventory_rows_count(rows) > 0 && !vitk_inventory_rows_is_null(rows, 0, 0))
		v = vitk_inventory_rows_int(rows, 0, 0);
	vitk_inventory_rows_free(rows);
	return v;
}

static const char *cell(const vitk_inventory_rows *rows, size_t i, const char *col)
{
	return vitk_inventory_rows_get(rows, i, col);
}

static int64_t icell(const vitk_inventory_rows *rows, size_t i, const char *col)
{
	return vitk_inventory_rows_get_int(rows, i, col);
}

static void find_domains(struct rep *r)
{
	vitk_inventory_rows *t = NULL;

	if (vitk_inventory_tables(&t, r->inv) < 0) {
		r->err = VITK_EDB;
		return;
	}
	for (size_t i = 0; i < vitk_inventory_rows_count(t); i++) {
		const char *name = cell(t, i, "table");

		if (!name)
			continue;
		r->has_sriov |= strcmp(name, "sriov_pf") == 0;
		r->has_odx |= strcmp(name, "odx_job") == 0;
		r->has_esx |= strcmp(name, "esxupdate_audit") == 0;
	}
	/* the report joins these too: all of a domain's tables or none */
	vitk_inventory_rows_free(t);
}

/* ------------------------------------------------------------ markup */

static void td_num(struct rw *w, const char *id, int64_t v)
{
	rw_raw(w, "<td class=\"n\"");
	if (id)
		rw_fmt(w, " id=\"%s\"", id);
	rw_fmt(w, " data-value=\"%" PRId64 "\">", v);
	rw_int(w, v);
	rw_raw(w, "</td>");
}

static void td_bytes(struct rw *w, int64_t v)
{
	rw_fmt(w, "<td class=\"n\" data-value=\"%" PRId64 "\">", v);
	rw_bytes(w, v);
	rw_raw(w, "</td>");
}

static void td_text(struct rw *w, const char *s)
{
	rw_raw(w, "<td class=\"t\">");
	if (s)
		rw_esc(w, s);
	else
		rw_raw(w, "&ndash;");
	rw_raw(w, "</td>");
}

/* a cell whose CSS class is the value itself, when it is a known word */
static void td_word(struct rw *w, const char *s)
{
	static const char *const known[] = { "CRITICAL", "WARNING", "safe", "review", "unsafe" };
	const char *cls = NULL;

	for (size_t i = 0; s && i < VITK_ARRAY_SIZE(known); i++)
		if (strcmp(s, known[i]) == 0)
			cls = known[i];
	if (!cls) {
		td_text(w, s);
		return;
	}
	rw_fmt(w, "<td class=\"%s\">", cls);
	rw_esc(w, s);
	rw_raw(w, "</td>");
}

static void thead(struct rw *w, const char *caption, const char *const *cols, size_t n)
{
	rw_raw(w, "<table>");
	if (caption) {
		rw_raw(w, "<caption>");
		rw_esc(w, caption);
		rw_raw(w, "</caption>");
	}
	rw_raw(w, "<thead><tr>");
	for (size_t i = 0; i < n; i++) {
		rw_raw(w, "<th scope=\"col\">");
		rw_esc(w, cols[i]);
		rw_raw(w, "</th>");
	}
	rw_raw(w, "</tr></thead><tbody>\n");
}

static void card(struct rw *w, const char *id, const char *label, int64_t v, bool bytes)
{
	rw_fmt(w, "<div><dt>%s</dt><dd id=\"%s\" data-value=\"%" PRId64 "\">", label, id, v);
	if (bytes)
		rw_bytes(w, v);
	else
		rw_int(w, v);
	rw_raw(w, "</dd></div>\n");
}

static void left_out(struct rw *w, size_t shown, size_t total, const char *how)
{
	if (total <= shown)
		return;
	rw_raw(w, "<p class=\"note\">");
	rw_int(w, (int64_t)shown);
	rw_raw(w, " of ");
	rw_int(w, (int64_t)total);
	rw_raw(w, " shown; all of them: <code>");
	rw_esc(w, how);
	rw_raw(w, "</code></p>\n");
}

/* ------------------------------------------------------------- summary */

#define USED_VFS_SQL                                                                               \
	"(SELECT count(DISTINCT r.vf) FROM sriov_reservation r WHERE r.host_id = p.host_id AND "   \
	"r.pf = p.addr) + (SELECT count(DISTINCT a.vf) FROM sriov_assignment a JOIN sriov_vf v "   \
	"ON v.host_id = a.host_id AND v.addr = a.vf WHERE a.host_id = p.host_id AND v.pf = p.addr " \
	"AND a.vf NOT IN (SELECT r2.vf FROM sriov_reservation r2 WHERE r2.host_id = p.host_id))"

/* bytes a copy through the host would have moved (read + write) minus what did cross it */
#define AVOIDED_SQL                                                                                \
	"CASE WHEN 2 * coalesce(bytes, 0) > coalesce(host_bytes, 0) "                           \
	"THEN 2 * coalesce(bytes, 0) - coalesce(host_bytes, 0) ELSE 0 END"

static void summary(struct rep *r)
{
	struct rw *w = &r->w;

	rw_raw(w, "<section id=\"summary\" aria-labelledby=\"h-summary\"><h2 id=\"h-summary\">Summary</h2>"
		  "<dl class=\"cards\">\n");
	card(w, "sum-hosts", "hosts", one_int(r, "SELECT count(*) FROM hosts"), false);
	if (r->has_sriov) {
		card(w, "sum-pfs", "SR-IOV PFs", one_int(r, "SELECT count(*) FROM sriov_pf"), false);
		card(w, "sum-vfs", "VFs enabled",
		     one_int(r, "SELECT coalesce(sum(num_vfs), 0) FROM sriov_pf"), false);
		card(w, "sum-vfs-used", "VFs in use",
		     one_int(r, "SELECT coalesce(sum(CASE WHEN " USED_VFS_SQL " < coalesce(num_vfs, 0) "
				"THEN " USED_VFS_SQL " ELSE coalesce(num_vfs, 0) END), 0) FROM sriov_pf p"),
		     false);
	}
	if (r->has_odx) {
		card(w, "sum-jobs", "copy jobs", one_int(r, "SELECT count(*) FROM odx_job"), false);
		card(w, "sum-bytes", "bytes copied",
		     one_int(r, "SELECT coalesce(sum(bytes), 0) FROM odx_job"), true);
		card(w, "sum-avoided", "host traffic avoided",
		     one_int(r, "SELECT coalesce(sum(" AVOIDED_SQL "), 0) FROM odx_job"), true);
		card(w, "sum-luns", "LUNs", one_int(r, "SELECT count(*) FROM odx_lun"), false);
	}
	if (r->has_esx) {
		card(w, "sum-audits", "ESXi audits", one_int(r, "SELECT count(*) FROM esxupdate_audit"),
		     false);
		card(w, "sum-unsafe", "audits with CRITICAL findings",
		     one_int(r, "SELECT count(*) FROM esxupdate_audit WHERE critical > 0"), false);
	}
	rw_raw(w, "</dl></section>\n");
}

/* -------------------------------------------------------------- SR-IOV */

static const struct svg_series vf_series[] = {
	{ "VFs in use", "s0" },
	{ "VFs free", "s1" },
	{ "not enabled", "s2" },
};

/* one host's PFs: rows [from, to) of @pf */
static void sriov_host(struct rep *r, const vitk_inventory_rows *pf, size_t from, size_t to)
{
	struct rw *w = &r->w;
	struct svg_hbar *bars = calloc(to - from, sizeof(*bars));
	char (*groups)[160] = calloc(to - from, sizeof(*groups));
	int64_t used = 0, enabled = 0;
	static const char *const cols[] = { "NUMA", "adapter", "PF", "netdev", "total VFs",
					    "enabled", "in use", "free" };

	if (!bars || !groups) {
		free(bars);
		free(groups);
		r->err = VITK_ENOMEM;
		return;
	}
	for (size_t i = from; i < to; i++) {
		int64_t tot = icell(pf, i, "total_vfs"), num = icell(pf, i, "num_vfs");
		int64_t u = icell(pf, i, "used");
		const char *numa = cell(pf, i, "numa_node"), *ad = cell(pf, i, "adapter");

		if (u > num)
			u = num;
		used += u;
		enabled += num;
		snprintf(groups[i - from], sizeof(groups[0]), "%s%s \xc2\xb7 adapter %.120s",
			 numa ? "NUMA node " : "no NUMA node", numa ? numa : "", ad ? ad : "?");
		bars[i - from].group = groups[i - from];
		bars[i - from].label = cell(pf, i, "label");
		bars[i - from].v[0] = (double)u;
		bars[i - from].v[1] = (double)(num - u);
		bars[i - from].v[2] = (double)(tot > num ? tot - num : 0);
	}
	rw_raw(w, "<details class=\"host\" open><summary>");
	rw_esc(w, cell(pf, from, "host"));
	rw_fmt(w, " &mdash; %zu PF%s, ", to - from, to - from == 1 ? "" : "s");
	rw_int(w, used);
	rw_raw(w, " of ");
	rw_int(w, enabled);
	rw_raw(w, " VFs in use</summary>\n");
	{
		char title[256];

		snprintf(title, sizeof(title), "VFs per PF on %.200s", cell(pf, from, "host"));
		svg_hbars(w, title, vf_series, 3, bars, to - from);
	}
	thead(w, NULL, cols, VITK_ARRAY_SIZE(cols));
	for (size_t i = from; i < to; i++) {
		int64_t num = icell(pf, i, "num_vfs"), u = icell(pf, i, "used");

		if (u > num)
			u = num;
		rw_raw(w, "<tr>");
		td_text(w, cell(pf, i, "numa_node"));
		td_text(w, cell(pf, i, "adapter"));
		td_text(w, cell(pf, i, "addr"));
		td_text(w, cell(pf, i, "netdev"));
		td_num(w, NULL, icell(pf, i, "total_vfs"));
		td_num(w, NULL, num);
		td_num(w, NULL, u);
		td_num(w, NULL, num - u);
		rw_raw(w, "</tr>\n");
	}
	rw_raw(w, "</tbody></table></details>\n");
	free(bars);
	free(groups);
}

/* a host past the open ones: one row of the "more hosts" table (@first: start the table) */
static void sriov_host_row(struct rep *r, const vitk_inventory_rows *pf, size_t from, size_t to,
			   bool first)
{
	struct rw *w = &r->w;
	int64_t tot = 0, num = 0, used = 0;
	static const char *const cols[] = { "host", "PFs", "total VFs", "enabled", "in use",
					    "free" };

	if (first) {
		rw_raw(w, "<h3>More hosts</h3>\n");
		thead(w, NULL, cols, VITK_ARRAY_SIZE(cols));
	}
	for (size_t i = from; i < to; i++) {
		int64_t n = icell(pf, i, "num_vfs"), u = icell(pf, i, "used");

		tot += icell(pf, i, "total_vfs");
		num += n;
		used += u > n ? n : u;
	}
	rw_raw(w, "<tr>");
	td_text(w, cell(pf, from, "host"));
	td_num(w, NULL, (int64_t)(to - from));
	td_num(w, NULL, tot);
	td_num(w, NULL, num);
	td_num(w, NULL, used);
	td_num(w, NULL, num - used);
	rw_raw(w, "</tr>\n");
}

static void sriov_section(struct rep *r)
{
	struct rw *w = &r->w;
	vitk_inventory_rows *pf;
	size_t n, hosts = 0;

	rw_raw(w, "<section id=\"sriov\" aria-labelledby=\"h-sriov\"><h2 id=\"h-sriov\">SR-IOV: VFs per PF</h2>\n");
	if (!r->has_sriov) {
		rw_raw(w, "<p class=\"note\">No SR-IOV data: run <code>vitk sriov list</code>.</p></section>\n");
		return;
	}
	pf = query(r, "SELECT h.name AS host, p.host_id AS host_id, p.addr AS addr, p.netdev AS netdev, "
		      "p.adapter AS adapter, CASE WHEN p.numa_node >= 0 THEN p.numa_node END AS numa_node, "
		      "p.addr || coalesce(' (' || p.netdev || ')', '') AS label, "
		      "coalesce(p.total_vfs, 0) AS total_vfs, coalesce(p.num_vfs, 0) AS num_vfs, " USED_VFS_SQL
		      " AS used FROM sriov_pf p JOIN hosts h ON h.id = p.host_id "
		      "ORDER BY h.name, p.host_id, p.numa_node, p.adapter, p.addr");
	if (!pf)
		return;
	n = vitk_inventory_rows_count(pf);
	if (n == 0)
		rw_raw(w, "<p class=\"note\">No SR-IOV PFs recorded.</p>\n");
	else
		rw_raw(w, "<p class=\"note\">Per host, grouped by NUMA node and adapter: VFs in use "
			  "(reserved by <code>vitk sriov plan</code> or attached to a domain), enabled "
			  "but free, and not enabled (up to the PF's total).</p>\n");
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && icell(pf, j, "host_id") == icell(pf, i, "host_id"))
			j++;
		if (hosts < r->open_hosts)
			sriov_host(r, pf, i, j);
		else
			sriov_host_row(r, pf, i, j, hosts == r->open_hosts);
		hosts++;
		i = j;
	}
	if (hosts > r->open_hosts) {
		rw_raw(w, "</tbody></table>\n<p class=\"note\">");
		rw_int(w, (int64_t)(hosts - r->open_hosts));
		rw_raw(w, " more hosts as one row each; one host's PFs: <code>vitk inventory report "
			  "sriov_pf --host HOST</code></p>\n");
	}
	vitk_inventory_rows_free(pf);
	rw_raw(w, "</section>\n");
}

/* ------------------------------------------------------------- offload */

static const struct svg_series copy_series[] = {
	{ "bytes copied", "s0" },
	{ "bytes through the host", "s1" },
};

static void offload_chart(struct rep *r, size_t njobs)
{
	vitk_inventory_rows *c;
	struct svg_col *cols;
	size_t n;
	bool per_job = njobs <= 40;

	c = query(r, per_job
			     ? "SELECT replace(substr(coalesce(finished_at, created_at), 6, 11), 'T', ' ') AS label, "
			       "coalesce(bytes, 0) AS bytes, coalesce(host_bytes, 0) AS host_bytes "
			       "FROM odx_job ORDER BY coalesce(finished_at, created_at), id"
			     : "SELECT substr(coalesce(finished_at, created_at), 1, 10) AS label, "
			       "coalesce(sum(bytes), 0) AS bytes, coalesce(sum(host_bytes), 0) AS host_bytes "
			       "FROM odx_job GROUP BY label ORDER BY label");
	if (!c)
		return;
	n = vitk_inventory_rows_count(c);
	cols = calloc(n ? n : 1, sizeof(*cols));
	if (!cols) {
		r->err = VITK_ENOMEM;
		vitk_inventory_rows_free(c);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		cols[i].label = cell(c, i, "label");
		cols[i].v[0] = (double)icell(c, i, "bytes");
		cols[i].v[1] = (double)icell(c, i, "host_bytes");
	}
	svg_cols(&r->w,
		 per_job ? "Bytes copied and bytes through the host, per job"
			 : "Bytes copied and bytes through the host, per day",
		 copy_series, 2, cols, n, true);
	free(cols);
	vitk_inventory_rows_free(c);
}

static void offload_section(struct rep *r)
{
	struct rw *w = &r->w;
	vitk_inventory_rows *j;
	size_t n, shown;
	char sql[640];
	int64_t njobs;
	static const char *const cols[] = { "finished", "host", "source", "destination", "method",
					    "result", "bytes", "through the host", "avoided", "error" };

	rw_raw(w, "<section id=\"offload\" aria-labelledby=\"h-offload\"><h2 id=\"h-offload\">Offloaded copies</h2>\n");
	if (!r->has_odx) {
		rw_raw(w, "<p class=\"note\">No copy data: run <code>vitk odx copy</code>.</p></section>\n");
		return;
	}
	njobs = one_int(r, "SELECT count(*) FROM odx_job");
	rw_raw(w, "<p>Host traffic avoided: <strong id=\"offload-avoided\" data-value=\"");
	rw_fmt(w, "%" PRId64 "\">", one_int(r, "SELECT coalesce(sum(" AVOIDED_SQL "), 0) FROM odx_job"));
	rw_bytes(w, one_int(r, "SELECT coalesce(sum(" AVOIDED_SQL "), 0) FROM odx_job"));
	rw_raw(w, "</strong> <span class=\"note\">(a copy through the host reads and writes every "
		  "byte: twice the bytes copied, less what did cross the host)</span></p>\n");
	if (njobs == 0) {
		rw_raw(w, "<p class=\"note\">No copy jobs recorded.</p></section>\n");
		return;
	}
	offload_chart(r, (size_t)njobs);
	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(j.finished_at, j.created_at) AS at, h.name AS host, j.src AS src, "
		 "j.dst AS dst, j.method AS method, j.result AS result, coalesce(j.bytes, 0) AS bytes, "
		 "coalesce(j.host_bytes, 0) AS host_bytes, " AVOIDED_SQL " AS avoided, j.error AS error "
		 "FROM odx_job j JOIN hosts h ON h.id = j.host_id ORDER BY at DESC, j.id DESC LIMIT %zu",
		 r->max_rows);
	j = query(r, sql);
	if (!j)
		return;
	n = vitk_inventory_rows_count(j);
	shown = n;
	thead(w, "Copy jobs, newest first", cols, VITK_ARRAY_SIZE(cols));
	for (size_t i = 0; i < n; i++) {
		rw_raw(w, "<tr>");
		td_text(w, cell(j, i, "at"));
		td_text(w, cell(j, i, "host"));
		td_text(w, cell(j, i, "src"));
		td_text(w, cell(j, i, "dst"));
		td_text(w, cell(j, i, "method"));
		td_text(w, cell(j, i, "result"));
		td_bytes(w, icell(j, i, "bytes"));
		td_bytes(w, icell(j, i, "host_bytes"));
		td_bytes(w, icell(j, i, "avoided"));
		td_text(w, cell(j, i, "error"));
		rw_raw(w, "</tr>\n");
	}
	rw_raw(w, "</tbody></table>\n");
	left_out(w, shown, (size_t)njobs, "vitk inventory report odx_job");
	vitk_inventory_rows_free(j);
	rw_raw(w, "</section>\n");
}

/* -------------------------------------------------------------- audits */

static const struct svg_series verdict_series[] = {
	{ "unsafe", "s0" },
	{ "review", "s1" },
	{ "safe", "s2" },
};

static void audit_section(struct rep *r)
{
	struct rw *w = &r->w;
	vitk_inventory_rows *a, *f;
	struct svg_hbar *bars;
	size_t n, nbars;
	char sql[900];
	static const char *const hcols[] = { "ESXi host", "audits", "unsafe", "review", "safe",
					     "latest verdict", "latest audit" };
	static const char *const fcols[] = { "audited", "ESXi host", "severity", "code", "message",
					     "command" };

	rw_raw(w, "<section id=\"audits\" aria-labelledby=\"h-audits\"><h2 id=\"h-audits\">ESXi update audits</h2>\n");
	if (!r->has_esx) {
		rw_raw(w, "<p class=\"note\">No audits: run <code>vitk esxupdate audit</code>.</p></section>\n");
		return;
	}
	a = query(r, "SELECT host_name, count(*) AS audits, "
		     "sum(CASE WHEN verdict = 'unsafe' THEN 1 ELSE 0 END) AS unsafe, "
		     "sum(CASE WHEN verdict = 'review' THEN 1 ELSE 0 END) AS review, "
		     "sum(CASE WHEN verdict = 'safe' THEN 1 ELSE 0 END) AS safe, "
		     "max(audited_at) AS latest, (SELECT a2.verdict FROM esxupdate_audit a2 WHERE "
		     "a2.host_name = a.host_name ORDER BY a2.audited_at DESC, a2.id DESC LIMIT 1) AS verdict "
		     "FROM esxupdate_audit a GROUP BY host_name ORDER BY 3 DESC, 4 DESC, 1");
	if (!a)
		return;
	n = vitk_inventory_rows_count(a);
	if (n == 0) {
		rw_raw(w, "<p class=\"note\">No audits recorded.</p></section>\n");
		vitk_inventory_rows_free(a);
		return;
	}
	nbars = n < 40 ? n : 40;
	bars = calloc(nbars, sizeof(*bars));
	if (!bars) {
		r->err = VITK_ENOMEM;
		vitk_inventory_rows_free(a);
		return;
	}
	for (size_t i = 0; i < nbars; i++) {
		bars[i].label = cell(a, i, "host_name");
		bars[i].v[0] = (double)icell(a, i, "unsafe");
		bars[i].v[1] = (double)icell(a, i, "review");
		bars[i].v[2] = (double)icell(a, i, "safe");
	}
	svg_hbars(w, "Audit verdicts per ESXi host", verdict_series, 3, bars, nbars);
	free(bars);
	if (n > nbars)
		rw_fmt(w, "<p class=\"note\">The chart shows the %zu hosts with the most unsafe audits; "
			  "the table has all %zu.</p>\n",
		       nbars, n);
	thead(w, "Audits per ESXi host", hcols, VITK_ARRAY_SIZE(hcols));
	for (size_t i = 0; i < n; i++) {
		rw_raw(w, "<tr>");
		td_text(w, cell(a, i, "host_name"));
		td_num(w, NULL, icell(a, i, "audits"));
		td_num(w, NULL, icell(a, i, "unsafe"));
		td_num(w, NULL, icell(a, i, "review"));
		td_num(w, NULL, icell(a, i, "safe"));
		td_word(w, cell(a, i, "verdict"));
		td_text(w, cell(a, i, "latest"));
		rw_raw(w, "</tr>\n");
	}
	rw_raw(w, "</tbody></table>\n");
	vitk_inventory_rows_free(a);

	snprintf(sql, sizeof(sql),
		 "SELECT a.audited_at AS at, a.host_name AS host, f.severity AS severity, f.code AS code, "
		 "f.message AS message, a.command AS command FROM esxupdate_finding f JOIN esxupdate_audit a "
		 "ON a.uuid = f.audit_uuid AND a.host_id = f.host_id WHERE f.severity IN "
		 "('CRITICAL', 'WARNING') ORDER BY a.audited_at DESC, a.id DESC, f.seq LIMIT %zu",
		 r->max_rows);
	f = query(r, sql);
	if (!f)
		return;
	rw_raw(w, "<h3>Latest CRITICAL and WARNING findings</h3>\n");
	thead(w, NULL, fcols, VITK_ARRAY_SIZE(fcols));
	for (size_t i = 0; i < vitk_inventory_rows_count(f); i++) {
		rw_raw(w, "<tr>");
		td_text(w, cell(f, i, "at"));
		td_text(w, cell(f, i, "host"));
		td_word(w, cell(f, i, "severity"));
		td_text(w, cell(f, i, "code"));
		td_text(w, cell(f, i, "message"));
		td_text(w, cell(f, i, "command"));
		rw_raw(w, "</tr>\n");
	}
	rw_raw(w, "</tbody></table>\n");
	left_out(w, vitk_inventory_rows_count(f),
		 (size_t)one_int(r, "SELECT count(*) FROM esxupdate_finding WHERE severity IN "
				    "('CRITICAL', 'WARNING')"),
		 "vitk esxupdate history --findings");
	vitk_inventory_rows_free(f);
	rw_raw(w, "</section>\n");
}

/* ---------------------------------------------------------------- LUNs */

static const struct svg_series lun_series[] = { { "LUNs", "s0" } };

static void lun_section(struct rep *r)
{
	struct rw *w = &r->w;
	vitk_inventory_rows *l;
	char sql[700];
	size_t n;
	static const char *const kinds[] = { "ODX token and EXTENDED COPY", "ODX token only",
					     "EXTENDED COPY only", "no offload" };
	struct svg_hbar bars[4];
	static const char *const cols[] = { "host", "LUN", "vendor", "product", "capacity",
					    "block size", "ODX token", "EXTENDED COPY",
					    "max token transfer (blocks)" };

	rw_raw(w, "<section id=\"luns\" aria-labelledby=\"h-luns\"><h2 id=\"h-luns\">LUNs and their offload capabilities</h2>\n");
	if (!r->has_odx) {
		rw_raw(w, "<p class=\"note\">No LUNs: run <code>vitk odx probe</code>.</p></section>\n");
		return;
	}
	memset(bars, 0, sizeof(bars));
	bars[0].v[0] = (double)one_int(r, "SELECT count(*) FROM odx_lun WHERE coalesce(token_capable, 0) <> 0 AND coalesce(xcopy_capable, 0) <> 0");
	bars[1].v[0] = (double)one_int(r, "SELECT count(*) FROM odx_lun WHERE coalesce(token_capable, 0) <> 0 AND coalesce(xcopy_capable, 0) = 0");
	bars[2].v[0] = (double)one_int(r, "SELECT count(*) FROM odx_lun WHERE coalesce(xcopy_capable, 0) <> 0 AND coalesce(token_capable, 0) = 0");
	bars[3].v[0] = (double)one_int(r, "SELECT count(*) FROM odx_lun WHERE coalesce(token_capable, 0) = 0 AND coalesce(xcopy_capable, 0) = 0");
	for (size_t i = 0; i < 4; i++)
		bars[i].label = kinds[i];
	svg_hbars(w, "LUNs by offload capability", lun_series, 1, bars, 4);
	snprintf(sql, sizeof(sql),
		 "SELECT h.name AS host, l.name AS name, l.vendor AS vendor, l.product AS product, "
		 "coalesce(l.blocks, 0) * coalesce(l.block_size, 0) AS capacity, "
		 "coalesce(l.block_size, 0) AS block_size, l.token_capable AS token, "
		 "l.xcopy_capable AS xcopy, coalesce(l.max_token_transfer, 0) AS max_token "
		 "FROM odx_lun l JOIN hosts h ON h.id = l.host_id ORDER BY h.name, l.name LIMIT %zu",
		 r->max_rows);
	l = query(r, sql);
	if (!l)
		return;
	n = vitk_inventory_rows_count(l);
	thead(w, "LUNs", cols, VITK_ARRAY_SIZE(cols));
	for (size_t i = 0; i < n; i++) {
		rw_raw(w, "<tr>");
		td_text(w, cell(l, i, "host"));
		td_text(w, cell(l, i, "name"));
		td_text(w, cell(l, i, "vendor"));
		td_text(w, cell(l, i, "product"));
		td_bytes(w, icell(l, i, "capacity"));
		td_num(w, NULL, icell(l, i, "block_size"));
		td_text(w, icell(l, i, "token") ? "yes" : "no");
		td_text(w, icell(l, i, "xcopy") ? "yes" : "no");
		td_num(w, NULL, icell(l, i, "max_token"));
		rw_raw(w, "</tr>\n");
	}
	rw_raw(w, "</tbody></table>\n");
	left_out(w, n, (size_t)one_int(r, "SELECT count(*) FROM odx_lun"),
		 "vitk inventory report odx_lun");
	vitk_inventory_rows_free(l);
	rw_raw(w, "</section>\n");
}

/* ---------------------------------------------------------------- page */

int vitk_report_html(vitk_inventory *inv, FILE *out, const vitk_report_html_opts *opts)
{
	struct rep r = { .w = { .f = out }, .inv = inv, .open_hosts = 20, .max_rows = 200 };
	const char *title = opts && opts->title ? opts->title : "vitk inventory report";
	char now[32];

	if (!inv || !out)
		return vitk_error_set(VITK_EINVAL, 0, "report: no inventory or output");
	if (opts && opts->open_hosts)
		r.open_hosts = opts->open_hosts;
	if (opts && opts->max_rows)
		r.max_rows = opts->max_rows;
	if (opts && opts->generated_at) {
		snprintf(now, sizeof(now), "%s", opts->generated_at);
	} else {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%S UTC", &tm);
	}
	find_domains(&r);
	rw_raw(&r.w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		     "style-src 'unsafe-inline'\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	rw_esc(&r.w, title);
	rw_fmt(&r.w, "</title>\n<style>%s</style></head>\n<body>\n<header><h1>", css);
	rw_esc(&r.w, title);
	rw_raw(&r.w, "</h1><p class=\"meta\">Generated ");
	rw_esc(&r.w, now);
	rw_raw(&r.w, " by vitk " VITK_VERSION " from <code>");
	rw_esc(&r.w, vitk_inventory_path(inv));
	rw_raw(&r.w, "</code></p>\n<nav aria-label=\"sections\"><a href=\"#summary\">Summary</a>"
		     "<a href=\"#sriov\">SR-IOV</a><a href=\"#offload\">Offloaded copies</a>"
		     "<a href=\"#audits\">ESXi audits</a><a href=\"#luns\">LUNs</a></nav></header>\n<main>\n");
	summary(&r);
	sriov_section(&r);
	offload_section(&r);
	audit_section(&r);
	lun_section(&r);
	rw_raw(&r.w, "</main>\n</body></html>\n");
	if (r.err == VITK_ENOMEM)
		return vitk_error_set(VITK_ENOMEM, 0, "report: out of memory");
	if (r.err)
		return r.err; /* the inventory recorded the query's error */
	if (r.w.failed || fflush(out) != 0)
		return vitk_error_set(VITK_EIO, 0, "report: cannot write the HTML");
	return 0;
}
