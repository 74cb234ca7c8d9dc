/* SPDX-License-Identifier: MIT */
/*
 * vitk CLI framework: noun/verb tables, option tables that generate both
 * parsing and --help, the output layer (table / JSON / CSV) and exit codes.
 *
 * A verb body is "read options -> call library -> hand the result to the
 * output layer".  Verbs never printf results directly.
 */
#ifndef VITK_CLI_H
#define VITK_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <vitk/common.h>
#include <vitk/inventory.h>

#include "exit_codes.h"

/* ---- options ---- */

enum cli_opt_type {
	CLI_OPT_T_END = 0,
	CLI_OPT_T_FLAG,  /* --name */
	CLI_OPT_T_STR,   /* --name VALUE */
	CLI_OPT_T_UINT,  /* --name N (decimal or 0x hex) */
	CLI_OPT_T_SIZE,  /* --name 1G */
	CLI_OPT_T_MULTI, /* --name VALUE, repeatable */
};

struct cli_opt {
	const char *name;
	char short_name; /* 0 for none */
	enum cli_opt_type type;
	const char *argname;
	const char *help;
};

#define CLI_OPT_FLAG(n, s, h) { (n), (s), CLI_OPT_T_FLAG, NULL, (h) }
#define CLI_OPT_STR(n, s, a, h) { (n), (s), CLI_OPT_T_STR, (a), (h) }
#define CLI_OPT_UINT(n, s, a, h) { (n), (s), CLI_OPT_T_UINT, (a), (h) }
#define CLI_OPT_SIZE(n, s, a, h) { (n), (s), CLI_OPT_T_SIZE, (a), (h) }
#define CLI_OPT_MULTI(n, s, a, h) { (n), (s), CLI_OPT_T_MULTI, (a), (h) }
#define CLI_OPT_END { NULL, 0, CLI_OPT_T_END, NULL, NULL }

enum cli_output { CLI_OUT_TABLE = 0, CLI_OUT_JSON, CLI_OUT_CSV };

struct cli_optval; /* private to opt.c */

struct cli_ctx {
	const char *prog;   /* "vitk" */
	const char *noun;   /* "odx" */
	const char *verb;   /* "copy" */
	enum cli_output output;
	int verbose;
	bool quiet;
	const char *db_path;     /* resolved path, NULL until the dispatcher resolves it */
	vitk_inventory *inv;     /* open when the verb has CLI_NEEDS_INVENTORY */
	int64_t host_id;         /* the local host's id in inv */
	const struct cli_opt *opts;
	struct cli_optval *vals; /* parsed option values */
};

typedef int (*cli_verb_fn)(struct cli_ctx *ctx, int argc, char **argv);

#define CLI_NEEDS_INVENTORY 0x1u /* open (create) the inventory before the verb */
#define CLI_INVENTORY_RO 0x2u    /* open it read-only, must exist */
#define CLI_NO_LOCAL_HOST 0x4u   /* do not auto-register the local host */

struct cli_verb {
	const char *name;
	const char *alias_of; /* alias entry: only name + alias_of set */
	cli_verb_fn fn;
	const struct cli_opt *opts;
	int min_args;
	int max_args; /* -1: unlimited */
	unsigned flags;
	const char *args_usage; /* "SRC DST" */
	const char *summary;
};

struct cli_noun {
	const char *name;
	const struct cli_verb *verbs;
	const char *summary;
};

/* Each noun file exports its verb table, terminated by an all-zero entry. */
extern const struct cli_verb cli_inventory_verbs[];
extern const struct cli_verb cli_odx_verbs[];
extern const struct cli_verb cli_sriov_verbs[];
extern const struct cli_verb cli_esxupdate_verbs[];

/* Option access (by long name).  Unknown names are programmer bugs. */
bool cli_flag(const struct cli_ctx *ctx, const char *name);
/* NULL when not given */
const char *cli_str(const struct cli_ctx *ctx, const char *name);
/* true when given; value in *out (UINT and SIZE options) */
bool cli_u64(const struct cli_ctx *ctx, const char *name, uint64_t *out);
/* all values of a MULTI option, in order; returns the count */
size_t cli_multi(const struct cli_ctx *ctx, const char *name, const char *const **out);

/* ---- diagnostics (stderr) ---- */

/* "vitk: <noun>: <message>\n"; returns @exit_code */
int cli_error(const struct cli_ctx *ctx, int exit_code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * "vitk: <noun>: <context>: <vitk_error_last()->message>\n" and the exit code
 * mapped from the library's return @r (cli_exit_from_err()).
 */
int cli_error_lib(const struct cli_ctx *ctx, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "vitk: <noun>: warning: ..." unless -q */
void cli_warn(const struct cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* verbose info on stderr when -v was given */
void cli_info(const struct cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_exit_from_err(int r);

/* ---- output layer ---- */

enum cli_col_type { CLI_COL_STR = 0, CLI_COL_INT, CLI_COL_REAL, CLI_COL_BOOL };

typedef struct cli_table cli_table;

/*
 * A table of rows.  Column keys are stable snake_case (JSON keys, CSV
 * header); the text header is the key upper-cased with '_' -> ' '.
 */
cli_table *cli_table_new(void);
void cli_table_free(cli_table *t);
void cli_table_add_column(cli_table *t, const char *key, enum cli_col_type type);
/* start a new row; cells default to null */
void cli_table_add_row(cli_table *t);
void cli_table_set_str(cli_table *t, const char *key, const char *v); /* NULL -> null */
void cli_table_set_int(cli_table *t, const char *key, int64_t v);
void cli_table_set_real(cli_table *t, const char *key, double v);
void cli_table_set_bool(cli_table *t, const char *key, bool v);
size_t cli_table_rows(const cli_table *t);

/*
 * Print: table -> aligned columns ("-" for null); JSON -> an array of
 * objects; CSV -> RFC 4180 with a header line.
 */
int cli_table_print(const struct cli_ctx *ctx, const cli_table *t);
/* one record: text -> "key: value" lines; JSON -> an object; CSV -> 1 row */
int cli_record_print(const struct cli_ctx *ctx, const cli_table *t);
/*
 * A table from inventory rows (column types follow the rows' declared
 * types); columns named in the NULL-terminated @skip are left out.
 */
cli_table *cli_table_from_rows(const vitk_inventory_rows *rows, const char *const *skip);
/* the table as a JSON array (new reference), to embed in a larger document */
json_t *cli_table_to_json(const cli_table *t);

/*
 * Print an arbitrary JSON document (pretty, sorted keys are NOT forced so
 * key order is the insertion order).  Steals no reference.
 */
int cli_json_print(const struct cli_ctx *ctx, json_t *doc);

/* a text line on stdout in table mode only (headings, verdicts); ignored for json/csv */
void cli_text(const struct cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- progress (stderr, only on a TTY and without -q) ---- */

struct cli_progress;
struct cli_progress *cli_progress_new(const struct cli_ctx *ctx, const char *label);
void cli_progress_update(struct cli_progress *p, uint64_t done, uint64_t total, double rate_bps,
			 const char *method);
void cli_progress_free(struct cli_progress *p); /* clears the line; NULL ok */

#endif /* VITK_CLI_H */
