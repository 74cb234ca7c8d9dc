/* SPDX-License-Identifier: MIT */
#ifndef VITK_CLI_CMD_ODX_SERVE_H
#define VITK_CLI_CMD_ODX_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

/* `vitk odx serve` options, bound by the option parser (cli.h) */
struct cli_odx_serve_cfg {
	const char *config;     /* --config FILE: the whole definition (see below) */
	struct cli_strv portal; /* every --portal; none: 127.0.0.1:3260 */
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

/* --config FILE (cmd_odx_serve_config_priv.c): the file's options, then the
 * command line's; strings point into @text */
struct cli_odx_serve_conf {
	char *text;
	struct cli_odx_serve_cfg cfg; /* its cli_strv arrays are owned here */
};

/* parse the text (modified in place) into @cfg; -1 and "line N: ..." in @why */
int cli_odx_serve_conf_parse(char *text, struct cli_odx_serve_cfg *cfg, char *why,
			     size_t why_len);
/* read @path, parse it, merge @cmdline over it; -1 and the reason in @why */
int cli_odx_serve_conf_load(const char *path, const struct cli_odx_serve_cfg *cmdline,
			    struct cli_odx_serve_conf *out, char *why, size_t why_len);
void cli_odx_serve_conf_clear(struct cli_odx_serve_conf *c);
int cli_odx_serve(struct cli_ctx *ctx, int argc, char **argv);

#endif
