/* SPDX-License-Identifier: MIT */
/* vitk odx serve: the lab iSCSI target (owned by the target work). */
#include "cli.h"
#include "cmd_odx_serve.h"

const struct cli_opt cli_odx_serve_opts[] = {
	CLI_OPT_END,
};

int cli_odx_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error(ctx, CLI_EXIT_FAIL, "serve is not implemented yet");
}
