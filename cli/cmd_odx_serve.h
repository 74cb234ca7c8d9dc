/* SPDX-License-Identifier: MIT */
#ifndef VITK_CLI_CMD_ODX_SERVE_H
#define VITK_CLI_CMD_ODX_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

/* `vitk odx serve` options, bound by the option parser (cli.h) */
struct cli_odx_serve_cfg {
	const char *portal;  /* NULL: 127.0.0.1:3260 */
	const char *iqn;
	struct cli_strv lun; /* every --lun N=PATH[,size=S][,bs=B][,ro][,allow=IQN+IQN] */
	const char *chap;    /* USER:SECRET (visible in ps: warned about) */
	const char *chap_file;
	const char *chap_mutual;
	const char *chap_mutual_file;
	struct cli_strv allow; /* every --allow IQN */
	const char *acl_file;
	const char *pidfile;
	uint64_t max_bytes_per_command;
	uint64_t login_timeout, idle_timeout, nop_timeout;
	uint64_t max_conns_per_address, tokens_per_session;
	bool stats;
};

extern const struct cli_opt cli_odx_serve_opts[];
int cli_odx_serve(struct cli_ctx *ctx, int argc, char **argv);

#endif
