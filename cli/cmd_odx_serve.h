/* SPDX-License-Identifier: MIT */
#ifndef VITK_CLI_CMD_ODX_SERVE_H
#define VITK_CLI_CMD_ODX_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

/* `vitk odx serve` options, bound by the option parser (cli.h) */
struct cli_odx_serve_cfg {
	const char *portal;  /* NULL: 0.0.0.0:3260 */
	const char *iqn;
	struct cli_strv lun; /* every --lun N=PATH[,size=S][,bs=B][,ro] */
	const char *chap;    /* USER:SECRET */
	const char *pidfile;
	uint64_t max_bytes_per_command;
	bool stats;
};

extern const struct cli_opt cli_odx_serve_opts[];
int cli_odx_serve(struct cli_ctx *ctx, int argc, char **argv);

#endif
