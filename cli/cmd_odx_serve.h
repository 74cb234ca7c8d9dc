/* SPDX-License-Identifier: MIT */
#ifndef VITK_CLI_CMD_ODX_SERVE_H
#define VITK_CLI_CMD_ODX_SERVE_H

#include "cli.h"

extern const struct cli_opt cli_odx_serve_opts[];
int cli_odx_serve(struct cli_ctx *ctx, int argc, char **argv);

#endif
