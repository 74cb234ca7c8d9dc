/* SPDX-License-Identifier: MIT */
/* Private to the CLI: the dispatcher and the option parser's state. */
#ifndef VITK_CLI_DISPATCH_H
#define VITK_CLI_DISPATCH_H

#include <stdio.h>

#include "cli.h"

#define CLI_MAX_ARGS 256

/* The global options, bound like a verb's options (cli_global_opts()). */
struct cli_globals {
	const char *db;
	const char *output; /* table (or text), json, csv */
	bool verbose, quiet, help, version;
};

struct cli_parse_state {
	struct cli_globals g;
	bool only_positional;
	int rest;          /* index of the first unparsed argument */
	const char *pos[CLI_MAX_ARGS];
	int npos;
};

extern const struct cli_noun cli_nouns[];

/* Run vitk with argv (argv[0] is the program). Returns the exit code. */
int cli_main(int argc, char **argv);

int cli_parse_args(struct cli_ctx *ctx, struct cli_parse_state *ps, int argc, char **argv,
		   bool stop_at_positional);
/* free what the parser allocated inside a config (the cli_strv arrays), not the config itself */
void cli_config_clear(const struct cli_opt *opts, void *config);
const struct cli_opt *cli_global_opts(void);
const char *cli_near_match(const char *word, const char *const *cands, size_t n);
void cli_print_verb_help(FILE *f, const char *noun, const struct cli_verb *v);
void cli_print_global_help(FILE *f);
/* the inventory path: --db, $VITK_DB, $XDG_DATA_HOME/vitk/inventory.db, ~/.local/share/... */
int cli_resolve_db_path(const char *opt, char *buf, size_t len);

#endif
