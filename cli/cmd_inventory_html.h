/* SPDX-License-Identifier: MIT */
#ifndef VITK_CLI_CMD_INVENTORY_HTML_H
#define VITK_CLI_CMD_INVENTORY_HTML_H

#include <stdint.h>

#include "cli.h"

/* `vitk inventory html` options, bound by the option parser (cli.h) */
struct cli_inventory_html_cfg {
	const char *title;   /* NULL: the library's default */
	uint64_t open_hosts; /* 0: the library's default */
	uint64_t max_rows;   /* 0: the library's default */
};

extern const struct cli_opt cli_inventory_html_opts[];
int cli_inventory_html(struct cli_ctx *ctx, int argc, char **argv);

#endif
