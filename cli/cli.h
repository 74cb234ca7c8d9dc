/* SPDX-License-Identifier: MIT */
/*
 * vitk CLI framework: noun/verb tables, option specs that bind to typed
 * config fields and generate --help, the output layer (vitk_table as text /
 * record / JSON / CSV), diagnostics and exit codes.  See cli/README.md.
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
#include <vitk/table.h>

#include "exit_codes.h"

/* ---- options ----
 *
 * Each verb declares a config struct and a table of option specs.  The
 * parser stores every option straight into its field of the config (found
 * by offsetof) while it reads the command line, checks numbers, ranges and
 * allowed values there, and generates --help from the same table.  The
 * verb finds the parsed config in ctx->config:
 *
 *	struct report_cfg {
 *		const char *host;         NULL when not given
 *		struct cli_strv where;    every --where, in order
 *		uint64_t vlan;
 *		bool vlan_given;          set when --vlan appeared
 *		int method;               index into method_names
 *		bool all_columns;
 *	};
 *	static const char *const method_names[] = { "auto", "token", "xcopy", "host", NULL };
 *	#define CFG struct report_cfg
 *	static const struct cli_opt report_opts[] = {
 *		{ CLI_STR(CFG, host, "host", 'H', "HOST", "only rows of this host") },
 *		{ CLI_MULTI(CFG, where, "where", 'w', "COL=VAL", "only rows whose column equals VAL") },
 *		{ CLI_UINT(CFG, vlan, "vlan", 0, "ID", "VLAN tag"), CLI_RANGE(1, 4094),
 *		  CLI_GIVEN(CFG, vlan_given) },
 *		{ CLI_ENUM(CFG, method, "method", 'm', "HOW", method_names, "copy method") },
 *		{ CLI_FLAG(CFG, all_columns, "all-columns", 'a', "include every column") },
 *		CLI_OPT_END,
 *	};
 *	... { .name = "report", .fn = cmd_report, .opts = report_opts, CLI_CONFIG(CFG), ... }
 *
 *	static int cmd_report(struct cli_ctx *ctx, int argc, char **argv)
 *	{
 *		const struct report_cfg *cfg = ctx->config;
 *
 * Field types are checked at compile time: flag -> bool, str -> const char *,
 * uint and size -> uint64_t, enum -> int, multi -> struct cli_strv; a
 * CLI_GIVEN() field is a bool.  Defaults: the config starts as a copy of the
 * verb's .config_init (else all zero); a given option overwrites its field.
 * A repeated non-multi option keeps its last value.  Parse errors are one
 * line naming the option and the bad value, with the range or the allowed
 * values; exit code CLI_EXIT_USAGE.  The framework frees what it allocated
 * (the cli_strv arrays, the config) after the verb returns; strings point
 * into argv.
 */

enum cli_opt_type {
	CLI_OPT_T_END = 0,
	CLI_OPT_T_FLAG,  /* --name                   -> bool */
	CLI_OPT_T_STR,   /* --name VALUE             -> const char * */
	CLI_OPT_T_UINT,  /* --name N (decimal, 0x)   -> uint64_t */
	CLI_OPT_T_SIZE,  /* --name 1G (binary units) -> uint64_t */
	CLI_OPT_T_MULTI, /* --name VALUE, repeatable -> struct cli_strv */
	CLI_OPT_T_ENUM,  /* --name WORD from a list  -> int */
};

/*
 * All values of a repeatable option, in command-line order: v[0..n-1], and
 * v[n] == NULL once given.  Grown by the parser through <vitk/array.h>.
 */
struct cli_strv {
	const char **v;
	size_t n;
	size_t asize; /* allocated entries; the parser's business */
};

struct cli_opt {
	const char *name; /* long name, kebab-case; NULL ends the table */
	char short_name;  /* 0 for none */
	enum cli_opt_type type;
	const char *argname; /* "N", "PATH" in --help */
	const char *help;
	/* typed binding (CLI_FLAG ... CLI_MULTI set it; only the global options are unbound) */
	bool bound;
	size_t offset;          /* of the field in the verb's config */
	bool has_given;
	size_t given_offset;    /* of a bool set when the option appears */
	uint64_t min, max;      /* UINT/SIZE: accepted range, checked when max != 0 */
	const char *const *values; /* ENUM: allowed names, NULL-terminated */
	const int *enum_ints;   /* ENUM: value stored per name; NULL stores the index */
};

/* internal: offsetof(T, f), but only if T.f has type @type (else a compile error) */
#define CLI__OFF(T, f, type) _Generic(((T *)0)->f, type: offsetof(T, f))
#define CLI__SPEC(n, s, ty, a, h) .name = (n), .short_name = (s), .type = (ty), .argname = (a), .help = (h)

/*
 * Spec bodies: wrap each in braces, optionally followed by modifiers:
 * { CLI_UINT(...), CLI_RANGE(1, 4094), CLI_GIVEN(T, vlan_given) }
 */
#define CLI_FLAG(T, f, n, s, h) CLI__SPEC(n, s, CLI_OPT_T_FLAG, NULL, h), .bound = true, .offset = CLI__OFF(T, f, bool)
#define CLI_STR(T, f, n, s, a, h) CLI__SPEC(n, s, CLI_OPT_T_STR, a, h), .bound = true, .offset = CLI__OFF(T, f, const char *)
#define CLI_UINT(T, f, n, s, a, h) CLI__SPEC(n, s, CLI_OPT_T_UINT, a, h), .bound = true, .offset = CLI__OFF(T, f, uint64_t)
#define CLI_SIZE(T, f, n, s, a, h) CLI__SPEC(n, s, CLI_OPT_T_SIZE, a, h), .bound = true, .offset = CLI__OFF(T, f, uint64_t)
#define CLI_MULTI(T, f, n, s, a, h)                                                                \
	CLI__SPEC(n, s, CLI_OPT_T_MULTI, a, h), .bound = true, .offset = CLI__OFF(T, f, struct cli_strv)
/* @vals: NULL-terminated allowed names; the field gets the index of the name given */
#define CLI_ENUM(T, f, n, s, a, vals, h)                                                           \
	CLI__SPEC(n, s, CLI_OPT_T_ENUM, a, h), .bound = true, .offset = CLI__OFF(T, f, int), .values = (vals)
/* modifiers */
#define CLI_RANGE(lo, hi) .min = (lo), .max = (hi)         /* UINT/SIZE; hi != 0 */
#define CLI_GIVEN(T, f) .has_given = true, .given_offset = CLI__OFF(T, f, bool)
#define CLI_ENUM_INTS(ints) .enum_ints = (ints)           /* ENUM: store ints[i], not i */
#define CLI_OPT_END { .name = NULL }

/* the verb's config: .config_size (and optionally .config_init = &defaults) */
#define CLI_CONFIG(T) .config_size = sizeof(T)

enum cli_output { CLI_OUT_TABLE = 0, CLI_OUT_JSON, CLI_OUT_CSV };

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
	void *config;            /* the verb's parsed config (struct of .config_size bytes) */
	const struct cli_opt *opts; /* the verb's option specs */
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
	size_t config_size;      /* sizeof the config struct (CLI_CONFIG); 0: no config */
	const void *config_init; /* defaults copied into the config first; NULL: zeros */
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

/*
 * Check a verb's option table against its config: every spec bound and
 * inside .config_size, ranges and enum lists sane, no long or short name
 * used twice (globals included).  0, or -1 with the reason in @why.  The
 * cli tests run it over every verb of every noun.
 */
int cli_verb_check(const struct cli_verb *v, char *why, size_t why_len);

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

/* ---- output layer ----
 *
 * Verbs get their results as a vitk_table (<vitk/table.h>), usually built
 * by the library, and print it with one call; the --output format decides
 * the rendering:
 *
 *   table  aligned columns, "-" for null, numbers right-aligned; text is
 *          escaped for the terminal (control and bidi characters shown as
 *          \n, \x1b, \u202e)
 *   json   an array of objects (cli_print_record: one object)
 *   csv    RFC 4180 with a header line
 */
int cli_print_table(const struct cli_ctx *ctx, const vitk_table *t);
/* the first row as "key: value" lines (text), an object (JSON) or one row (CSV) */
int cli_print_record(const struct cli_ctx *ctx, const vitk_table *t);
/*
 * One struct as a record: the columns bound to its members with
 * VITK_TABLE_FIELD() (for small results such as "init" or "import").
 */
int cli_print_struct(const struct cli_ctx *ctx, const vitk_table_column *cols, size_t ncols,
		     const void *rec);
/*
 * A vitk_table from inventory rows (column types follow the rows' declared
 * types); columns named in the NULL-terminated @skip are left out.
 */
int cli_rows_to_table(vitk_table **out, const vitk_inventory_rows *rows, const char *const *skip);
/*
 * Print a JSON document (pretty, keys in insertion order).  For nested
 * documents a library built; steals no reference.
 */
int cli_json_print(const struct cli_ctx *ctx, json_t *doc);
/*
 * Text on stdout in table mode only (headings, verdicts); ignored for
 * json/csv.  @fmt is a literal and its newlines make the lines; every
 * argument is escaped as a table cell is (control and bidi characters and
 * newlines), so pass untrusted text as an argument, never as @fmt.
 * Supports the C99 conversions except %n.
 */
void cli_text(const struct cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A multi-line block a library built (simulated esxcli output, a .vmx
 * stanza), table mode only: control and bidi characters escaped, its lines
 * and tabs kept.
 */
void cli_text_block(const struct cli_ctx *ctx, const char *block);
/* @s with control, bidi and invalid UTF-8 bytes escaped for a terminal; free() it; NULL on OOM */
char *cli_display_text(const char *s);

/* ---- progress (stderr, only on a TTY and without -q) ---- */

struct cli_progress;
struct cli_progress *cli_progress_new(const struct cli_ctx *ctx, const char *label);
void cli_progress_update(struct cli_progress *p, uint64_t done, uint64_t total, double rate_bps,
			 const char *method);
void cli_progress_free(struct cli_progress *p); /* clears the line; NULL ok */

#endif /* VITK_CLI_H */
