/* SPDX-License-Identifier: MIT */
#ifndef VITK_CLI_CMD_INVENTORY_HTML_H
#define VITK_CLI_CMD_INVENTORY_HTML_H

#include <stdint.h>
#include <stdio.h>

#include "cli.h"

/* `vitk inventory html` options, bound by the option parser (cli.h) */
struct cli_inventory_html_cfg {
	const char *title;   /* NULL: the library's default */
	uint64_t open_hosts; /* 0: the library's default */
	uint64_t max_rows;   /* 0: the library's default */
};

extern const struct cli_opt cli_inventory_html_opts[];
int cli_inventory_html(struct cli_ctx *ctx, int argc, char **argv);

/*
 * Files written whole or not at all, shared by `inventory export` and
 * `inventory html` (here, because cmd_inventory.c already calls this file).
 * cli_inventory_tmp_open() opens the mkstemp(3) template `tmp` (a name beside
 * `path` ending in XXXXXX, rewritten in place) for writing; on failure it
 * reports and returns NULL with the exit code in *code.
 * cli_inventory_tmp_commit() closes f and, when r (the writer's result) and the
 * close succeeded, renames tmp to path; otherwise it removes tmp. Returns r or
 * the first error.
 */
FILE *cli_inventory_tmp_open(const struct cli_ctx *ctx, const char *path, char *tmp, int *code);
int cli_inventory_tmp_commit(FILE *f, const char *tmp, const char *path, int r);

#endif
