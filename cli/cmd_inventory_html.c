/* SPDX-License-Identifier: MIT */
/*
 * vitk inventory html FILE: the inventory as one self-contained HTML page,
 * rendered by the report library (<vitk/report.h>).  The file is written
 * beside FILE and renamed into place, so a reader never sees half a page;
 * "-" writes to stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vitk/error.h>
#include <vitk/report.h>

#include "cmd_inventory_html.h"

#define CFG struct cli_inventory_html_cfg
const struct cli_opt cli_inventory_html_opts[] = {
	{ CLI_STR(CFG, title, "title", 0, "TEXT", "page title (default: vitk inventory report)") },
	{ CLI_UINT(CFG, open_hosts, "open-hosts", 0, "N",
		   "hosts drawn with charts, the rest one table row each (default 20)"),
	  CLI_RANGE(1, 1000000) },
	{ CLI_UINT(CFG, max_rows, "max-rows", 0, "N",
		   "rows per list of jobs, findings and LUNs (default 200)"),
	  CLI_RANGE(1, 1000000) },
	CLI_OPT_END,
};
#undef CFG

int cli_inventory_html(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_inventory_html_cfg *cfg = ctx->config;
	vitk_report_html_opts o = VITK_REPORT_HTML_OPTS_INIT;
	char tmp[4096];
	FILE *f;
	int r, fd;

	(void)argc;
	o.title = cfg->title;
	o.open_hosts = (size_t)cfg->open_hosts;
	o.max_rows = (size_t)cfg->max_rows;
	if (strcmp(argv[0], "-") == 0) {
		r = vitk_report_html(ctx->inv, stdout, &o);
		return r < 0 ? cli_error_lib(ctx, r, "cannot write the report") : CLI_EXIT_OK;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", argv[0]) >= sizeof(tmp))
		return cli_error(ctx, CLI_EXIT_USAGE, "path '%s' is too long", argv[0]);
	fd = mkstemp(tmp);
	if (fd < 0)
		return cli_error(ctx, CLI_EXIT_FAIL, "cannot write '%s': %s", argv[0], strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return cli_error(ctx, CLI_EXIT_FAIL, "cannot write '%s': %s", argv[0], strerror(errno));
	}
	r = vitk_report_html(ctx->inv, f, &o);
	/* mkstemp made it 0600; a report is meant to be shared like any file the user writes */
	if (r == 0 && fchmod(fileno(f), 0644) < 0)
		r = vitk_error_set(VITK_EIO, errno, "cannot chmod '%s'", tmp);
	if (fclose(f) != 0 && r == 0)
		r = vitk_error_set(VITK_EIO, errno, "cannot write '%s'", argv[0]);
	if (r == 0 && rename(tmp, argv[0]) < 0)
		r = vitk_error_set(VITK_EIO, errno, "cannot rename to '%s'", argv[0]);
	if (r < 0) {
		unlink(tmp);
		return cli_error_lib(ctx, r, "cannot write the report to '%s'", argv[0]);
	}
	cli_info(ctx, "report written to '%s'", argv[0]);
	return CLI_EXIT_OK;
}
