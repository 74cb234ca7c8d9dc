/* SPDX-License-Identifier: MIT */
/* vitk odx verbs. */
#include "cli.h"
#include "cmd_odx_serve.h"

const struct cli_verb cli_odx_verbs[] = {
	/* `serve` lives in cmd_odx_serve.c (the lab target); keep this entry */
	{ .name = "serve", .fn = cli_odx_serve, .opts = cli_odx_serve_opts, .min_args = 0,
	  .max_args = 0, .summary = "Serve file-backed LUNs as an iSCSI target with XCOPY and ODX" },
	{ 0 },
};
