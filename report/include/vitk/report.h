/* SPDX-License-Identifier: MIT */
/*
 * vitk report: the inventory as one self-contained HTML page.
 *
 * vitk_report_html() writes a single HTML file with inline CSS and charts
 * drawn as inline SVG: no script, no font, no image, nothing fetched from
 * the network (a Content-Security-Policy of default-src 'none' says so to
 * the browser too).  Sections: a summary, SR-IOV VF use per PF grouped by
 * NUMA node and adapter, offloaded copies over time with the host traffic
 * they avoided, ESXi audit verdicts per host with the latest CRITICAL and
 * WARNING findings, and LUNs with their offload capabilities.  Every chart
 * has a real table with the same numbers behind it.  Every string from the
 * inventory (host names, device strings, job errors, finding messages) is
 * HTML-escaped.  Large fleets stay readable: hosts beyond a threshold get
 * one aggregate table row each instead of charts, long lists show their
 * newest rows and say how many were left out.  See report/README.md.
 */
#ifndef VITK_REPORT_H
#define VITK_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include <vitk/inventory.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	/* page title; NULL: "vitk inventory report" */
	const char *title;
	/* "generated at" text shown in the header; NULL: the current UTC time */
	const char *generated_at;
	/* hosts drawn with their charts; the rest get one table row each; 0: 20 */
	size_t open_hosts;
	/* rows per list (jobs, findings, LUNs) before the rest are left out; 0: 200 */
	size_t max_rows;
} vitk_report_html_opts;

#define VITK_REPORT_HTML_OPTS_INIT { .title = NULL }

/**
 * vitk_report_html() - write the inventory report as HTML to @out.
 * @inv: an open inventory (read-only is enough); domains whose tables do
 *       not exist yet are reported as "no data"
 * @opts: NULL for the defaults
 *
 * Return: 0, VITK_EDB (a query failed), VITK_EIO (writing failed),
 * VITK_ENOMEM.
 */
int vitk_report_html(vitk_inventory *inv, FILE *out, const vitk_report_html_opts *opts);

#ifdef __cplusplus
}
#endif

#endif /* VITK_REPORT_H */
