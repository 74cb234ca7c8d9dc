/* SPDX-License-Identifier: MIT */
/*
 * vitk odx verbs: probe, copy, zero, token create|write|show, jobs (and
 * `serve`, the lab target, which lives in cmd_odx_serve.c).
 *
 * Each verb parses its options into a config, calls one libvitk-odx entry
 * point and renders the document the library returns (odx/README.md lists
 * the JSON keys; they are an interface).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vitk/odx.h>

#include "cli.h"
#include "cmd_odx_serve.h"

/* ----------------------------------------------------------------- helpers */

/*
 * The iSCSI login options every verb that opens devices takes.  Secrets
 * never come from the command line (ps shows it): from a file only its owner
 * can read, or from libiscsi's environment variables.
 */
struct login_cfg {
	uint64_t timeout;
	const char *initiator_name;
	const char *chap_secret_file;
	const char *target_user;
	const char *target_secret_file;
};

#define LOGIN_OPTS(CFG)                                                                          \
	{ CLI_UINT(CFG, login.timeout, "timeout", 0, "SECONDS",                                 \
		   "deadline of each login and SCSI command (default 30)"),                      \
	  CLI_RANGE(1, 86400) },                                                                 \
	{ CLI_STR(CFG, login.initiator_name, "initiator-name", 0, "IQN",                        \
		  "iSCSI initiator name (default: /etc/iscsi/initiatorname.iscsi, else from "     \
		  "machine-id)") },                                                             \
	{ CLI_STR(CFG, login.chap_secret_file, "chap-secret-file", 0, "FILE",                   \
		  "CHAP secret for the URL's user (else $LIBISCSI_CHAP_PASSWORD); mode 0600") },   \
	{ CLI_STR(CFG, login.target_user, "target-chap-user", 0, "USER",                        \
		  "mutual CHAP: require the target to prove this name") },                       \
	{ CLI_STR(CFG, login.target_secret_file, "target-chap-secret-file", 0, "FILE",          \
		  "its secret (else $LIBISCSI_CHAP_TARGET_PASSWORD); mode 0600") }

static void secret_free(char *s)
{
	volatile char *v = s;

	if (!s)
		return;
	while (*v) /* not left in freed memory */
		*v++ = '\0';
	free(s);
}

/*
 * The first line of @path, which must be a regular file that neither group
 * nor others can read or write (like ssh's keys): VITK_EPERM otherwise.
 */
static int secret_read_file(const char *path, char **out)
{
	char buf[512];
	struct stat sb;
	ssize_t n;
	int fd, r = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return vitk_error_set(errno == ENOENT ? VITK_ENOTFOUND : VITK_EIO, errno,
				      "cannot open secret file '%s'", path);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		r = vitk_error_set(VITK_EPERM, 0, "secret file '%s' is not a regular file", path);
		goto out;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		r = vitk_error_set(VITK_EPERM, 0,
				   "secret file '%s' is accessible by group or others (mode %03o): "
				   "chmod 600 it", path, (unsigned)(sb.st_mode & 0777));
		goto out;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		r = vitk_error_set(VITK_EIO, errno, "cannot read secret file '%s'", path);
		goto out;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0]) {
		r = vitk_error_set(VITK_EINVAL, 0, "secret file '%s' is empty", path);
		goto out;
	}
	*out = strdup(buf);
	if (!*out)
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
out:
	memset(buf, 0, sizeof(buf));
	close(fd);
	return r;
}

/* what the CLI owns while devices are open: the secrets read from files */
struct login_state {
	char *chap_secret, *target_secret;
};

static void login_state_clear(struct login_state *ls)
{
	secret_free(ls->chap_secret);
	secret_free(ls->target_secret);
	memset(ls, 0, sizeof(*ls));
}

/* a secret from @file (mode-checked) or the environment variable @env */
static int login_secret(struct cli_ctx *ctx, const char *file, const char *env, char **out)
{
	int r;

	if (!file) {
		const char *v = getenv(env);

		*out = v && *v ? strdup(v) : NULL;
		return v && *v && !*out ? cli_error(ctx, CLI_EXIT_FAIL, "out of memory") : 0;
	}
	r = secret_read_file(file, out);
	if (r < 0)
		return cli_error(ctx, r == VITK_EPERM ? CLI_EXIT_USAGE : cli_exit_from_err(r), "%s",
				 vitk_error_last()->message);
	return 0;
}

/* how the CLI opens devices: only the CLI maps environment variables onto the roots */
static int cli_opener(struct cli_ctx *ctx, const struct login_cfg *lc, struct login_state *ls,
		      vitk_odx_opener *op, vitk_odx_open_options *o)
{
	static const vitk_odx_open_options def = VITK_ODX_OPEN_OPTIONS_INIT;
	int r;

	*o = def;
	memset(ls, 0, sizeof(*ls));
	if (getenv("VITK_PROC_ROOT"))
		o->proc_root = getenv("VITK_PROC_ROOT");
	if (getenv("VITK_SYSFS_ROOT"))
		o->sys_root = getenv("VITK_SYSFS_ROOT");
	o->etc_root = getenv("VITK_ETC_ROOT");
	o->initiator_iqn = lc->initiator_name ? lc->initiator_name : getenv("VITK_ISCSI_INITIATOR");
	o->timeout_s = lc->timeout ? (unsigned)lc->timeout : 30;
	o->target_user = lc->target_user;
	r = login_secret(ctx, lc->chap_secret_file, "LIBISCSI_CHAP_PASSWORD", &ls->chap_secret);
	if (r == 0 && lc->target_user)
		r = login_secret(ctx, lc->target_secret_file, "LIBISCSI_CHAP_TARGET_PASSWORD",
				 &ls->target_secret);
	if (r == 0 && lc->target_user && !ls->target_secret)
		r = cli_error(ctx, CLI_EXIT_USAGE,
			      "--target-chap-user needs --target-chap-secret-file or "
			      "$LIBISCSI_CHAP_TARGET_PASSWORD");
	if (r) {
		login_state_clear(ls);
		return r;
	}
	o->chap_secret = ls->chap_secret;
	o->target_secret = ls->target_secret;
	memset(op, 0, sizeof(*op));
	op->options = o;
	return 0;
}

/* @name as it may be shown: an iscsi:// URL without its password */
static const char *shown(char *buf, size_t len, const char *name)
{
	char *r = vitk_scsi_url_redact(name ? name : "");

	snprintf(buf, len, "%s", r ? r : "");
	free(r);
	return buf;
}

/*
 * Render a document: JSON as is; CSV from its table (or first record);
 * text as its records (blank lines between, and after several) or its
 * table, then its lines.
 */
static int print_doc(struct cli_ctx *ctx, const vitk_odx_doc *d)
{
	size_t i;
	int r = 0;

	if (ctx->output == CLI_OUT_JSON)
		return cli_json_print(ctx, d->json);
	if (ctx->output == CLI_OUT_CSV)
		return d->table ? cli_print_table(ctx, d->table) : cli_print_record(ctx, d->records[0]);
	if (!d->nrecords)
		r = cli_print_table(ctx, d->table);
	for (i = 0; i < d->nrecords && r == 0; i++) {
		if (i)
			cli_text(ctx, "\n");
		r = cli_print_record(ctx, d->records[i]);
	}
	if (d->nrecords > 1)
		cli_text(ctx, "\n");
	for (i = 0; i < d->nlines; i++)
		cli_text(ctx, "%s\n", d->lines[i]);
	return r;
}

/* print the document @build returned (@r), or say @what failed */
static int print_built(struct cli_ctx *ctx, int r, vitk_odx_doc *doc, const char *what)
{
	if (r < 0)
		return cli_error_lib(ctx, r, "%s", what);
	r = print_doc(ctx, doc);
	vitk_odx_doc_clear(doc);
	return r;
}

/* the document of a run that succeeded */
static int print_run(struct cli_ctx *ctx, const vitk_odx_job_result *res)
{
	vitk_odx_doc doc;

	return print_built(ctx, vitk_odx_job_result_doc(&doc, res), &doc, "cannot format the result");
}

static void on_progress(const vitk_odx_progress *p, void *payload)
{
	cli_progress_update(payload, p->done_bytes, p->total_bytes, p->rate_bps,
			    vitk_odx_method_str(p->method));
}

/* ------------------------------------------------------------------- probe */

struct probe_cfg {
	struct login_cfg login;
};

static int cmd_probe(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct probe_cfg *cfg = ctx->config;
	vitk_odx_open_options oo;
	vitk_odx_opener op;
	struct login_state ls;
	vitk_odx_probe_result pr;
	vitk_odx_doc doc = { 0 };
	char name[1024];
	int r;

	r = cli_opener(ctx, &cfg->login, &ls, &op, &oo);
	if (r)
		return r;
	r = vitk_odx_probe(&pr, ctx->inv, ctx->host_id, (const char *const *)argv, (size_t)argc, &op);
	if (r == 0)
		r = vitk_odx_probe_doc(&doc, &pr);
	if (r < 0 && pr.failed == VITK_ODX_STAGE_OPEN)
		r = cli_error_lib(ctx, r, "cannot open '%s'", shown(name, sizeof(name), pr.failed_name));
	else if (r < 0 && pr.failed == VITK_ODX_STAGE_RECORD_LUN)
		r = cli_error_lib(ctx, VITK_EDB, "cannot record '%s'",
				  shown(name, sizeof(name), pr.failed_name));
	else if (r < 0)
		r = cli_error_lib(ctx, r, "cannot probe");
	else
		r = print_doc(ctx, &doc);
	vitk_odx_doc_clear(&doc);
	vitk_odx_probe_result_clear(&pr);
	login_state_clear(&ls);
	return r;
}

/* ----------------------------------------------------------------- resolve */

static int cmd_resolve(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_odx_doc doc = { 0 };
	int r = vitk_odx_resolve_doc(&doc, (const char *const *)argv, (size_t)argc);

	r = r < 0 ? cli_error_lib(ctx, r, "cannot resolve") : print_doc(ctx, &doc);
	vitk_odx_doc_clear(&doc);
	return r;
}

/* -------------------------------------------------------------------- copy */

struct copy_cfg {
	struct login_cfg login;
	uint64_t src_lba, dst_lba, count;
	int method;
	bool verify, dry_run, force;
	const char *resume;
	uint64_t max_blocks_per_command, buffer, streams;
};

static const char *const method_names[] = { "auto", "token", "xcopy", "host", NULL };
static const int method_values[] = { VITK_ODX_METHOD_AUTO, VITK_ODX_METHOD_TOKEN,
				     VITK_ODX_METHOD_XCOPY, VITK_ODX_METHOD_HOST };

/* the request: a new job from SRC DST and the range, or --resume JOB */
static int copy_request(struct cli_ctx *ctx, vitk_odx_job_request *req, int argc, char **argv)
{
	const struct copy_cfg *cfg = ctx->config;
	vitk_odx_copy_options *o = &req->copy;

	if (cfg->resume && argc != 0)
		return cli_error(ctx, CLI_EXIT_USAGE,
				 "--resume takes the source and destination from the job");
	if (!cfg->resume && argc != 2)
		return cli_error(ctx, CLI_EXIT_USAGE, "copy needs SRC and DST");
	req->resume = cfg->resume;
	req->src = argc == 2 ? argv[0] : NULL;
	req->dst = argc == 2 ? argv[1] : NULL;
	o->src_lba = cfg->src_lba;
	o->dst_lba = cfg->dst_lba;
	o->count = cfg->count;
	o->method = (vitk_odx_method)cfg->method;
	o->verify = cfg->verify;
	o->force = cfg->force;
	o->max_blocks_per_command = (uint32_t)cfg->max_blocks_per_command;
	o->host_buffer_bytes = (uint32_t)cfg->buffer;
	o->host_streams = (unsigned)cfg->streams;
	req->dry_run = cfg->dry_run;
	return 0;
}

static void on_started(const vitk_odx_job *job, const vitk_odx_plan *plan, void *payload)
{
	cli_info(payload, "job %s: %s -> %s, %llu blocks by %s", job->uuid, job->src, job->dst,
		 (unsigned long long)plan->count, vitk_odx_method_str(plan->chosen));
}

/* a failed job run, with the context of the stage that failed */
static int job_error(struct cli_ctx *ctx, const vitk_odx_job_result *res, int r)
{
	const vitk_odx_job *j = &res->job;

	switch (res->failed) {
	case VITK_ODX_STAGE_LOAD: return cli_error_lib(ctx, r, "cannot resume");
	case VITK_ODX_STAGE_COMPLETED:
		return cli_error(ctx, CLI_EXIT_FAIL, "job %s already completed", j->uuid);
	case VITK_ODX_STAGE_OPEN: return cli_error_lib(ctx, r, "cannot open '%s'", res->failed_name);
	case VITK_ODX_STAGE_PLAN:
		return cli_error_lib(ctx, r, "refusing to copy '%s' to '%s'", j->src, j->dst);
	case VITK_ODX_STAGE_RECORD_LUN:
		return cli_error_lib(ctx, VITK_EDB, "cannot record the LUNs");
	case VITK_ODX_STAGE_RECORD_JOB: return cli_error_lib(ctx, r, "cannot record the job");
	case VITK_ODX_STAGE_FINISH:
		return cli_error_lib(ctx, VITK_EDB, "cannot record the job result");
	default:
		/* every block written (a failed --verify): a resume has nothing to copy */
		if (res->ran && j->count && j->blocks_done >= j->count)
			return cli_error_lib(ctx, r,
					     "copy '%s' to '%s' failed after every block was written "
					     "(job %s, nothing left to resume)",
					     j->src, j->dst, j->uuid);
		return cli_error_lib(ctx, r, "copy '%s' to '%s' failed (job %s, resume with --resume)",
				     j->src, j->dst, j->uuid);
	}
}

static int cmd_copy(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct copy_cfg *cfg = ctx->config;
	vitk_odx_job_request req = { .copy = VITK_ODX_COPY_OPTIONS_INIT };
	vitk_odx_open_options oo;
	vitk_odx_job_result res;
	struct login_state ls;
	struct cli_progress *bar = NULL;
	int r;

	r = copy_request(ctx, &req, argc, argv);
	if (!r)
		r = cli_opener(ctx, &cfg->login, &ls, &req.opener, &oo);
	if (r)
		return r;
	if (!req.dry_run) {
		bar = cli_progress_new(ctx, "copy");
		req.copy.progress = on_progress;
		req.copy.progress_payload = bar;
		req.started = on_started;
		req.started_payload = ctx;
	}
	r = vitk_odx_copy_job_run(ctx->inv, ctx->host_id, &req, &res);
	cli_progress_free(bar);
	r = r < 0 ? job_error(ctx, &res, r) : print_run(ctx, &res);
	vitk_odx_job_result_clear(&res);
	login_state_clear(&ls);
	return r;
}

/* -------------------------------------------------------------------- zero */

struct zero_cfg {
	struct login_cfg login;
	uint64_t lba, count;
	bool lba_given, count_given, force;
};

static int cmd_zero(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct zero_cfg *cfg = ctx->config;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_open_options oo;
	vitk_odx_opener op;
	vitk_odx_job_result res;
	struct login_state ls;
	char name[1024];
	int r;

	(void)argc;
	if (!cfg->lba_given || !cfg->count_given)
		return cli_error(ctx, CLI_EXIT_USAGE, "zero needs --lba and --count");
	o.force = cfg->force;
	r = cli_opener(ctx, &cfg->login, &ls, &op, &oo);
	if (r)
		return r;
	r = vitk_odx_zero_run(&res, argv[0], cfg->lba, cfg->count, &o, &op);
	if (r < 0 && res.failed == VITK_ODX_STAGE_OPEN)
		r = cli_error_lib(ctx, r, "cannot open '%s'", shown(name, sizeof(name), argv[0]));
	else if (r < 0)
		r = cli_error_lib(ctx, r, "cannot zero '%s'", shown(name, sizeof(name), argv[0]));
	else
		r = print_run(ctx, &res);
	vitk_odx_job_result_clear(&res);
	login_state_clear(&ls);
	return r;
}

/* ------------------------------------------------------------------- token */

struct token_cfg {
	struct login_cfg login;
	uint64_t lba, count, inactivity_timeout;
	bool force;
};

static int token_show(struct cli_ctx *ctx, const char *path)
{
	vitk_odx_doc doc;

	return print_built(ctx, vitk_odx_token_file_doc(&doc, path), &doc, "cannot read token file");
}

static int cmd_token(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct token_cfg *cfg = ctx->config;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	vitk_odx_open_options oo;
	vitk_odx_opener op;
	vitk_odx_job_result res;
	struct login_state ls;
	char n1[1024], n2[1024];
	int r;

	o.force = cfg->force;
	o.inactivity_timeout_s = (uint32_t)cfg->inactivity_timeout;
	if (strcmp(argv[0], "show") == 0 && argc == 2)
		return token_show(ctx, argv[1]);
	r = cli_opener(ctx, &cfg->login, &ls, &op, &oo);
	if (r)
		return r;
	if (strcmp(argv[0], "create") == 0 && argc == 3)
		r = vitk_odx_token_create_run(&res, argv[1], cfg->lba, cfg->count, argv[2], &o, &op);
	else if (strcmp(argv[0], "write") == 0 && argc == 3)
		r = vitk_odx_token_write_run(&res, argv[1], argv[2], cfg->lba, &o, &op);
	else if (strcmp(argv[0], "show") == 0)
		r = cli_error(ctx, CLI_EXIT_USAGE, "usage: vitk odx token show FILE");
	else if (strcmp(argv[0], "create") == 0)
		r = cli_error(ctx, CLI_EXIT_USAGE,
			      "usage: vitk odx token create DEV FILE [--lba N] [--count N]");
	else if (strcmp(argv[0], "write") == 0)
		r = cli_error(ctx, CLI_EXIT_USAGE, "usage: vitk odx token write FILE DEV [--lba N]");
	else
		r = cli_error(ctx, CLI_EXIT_USAGE, "unknown token action '%s' (create, write, show)",
			      argv[0]);
	if (r > 0) { /* a usage error: nothing ran */
		login_state_clear(&ls);
		return r;
	}
	if (r < 0 && res.failed == VITK_ODX_STAGE_OPEN)
		r = cli_error_lib(ctx, r, "cannot open '%s'", shown(n1, sizeof(n1), res.failed_name));
	else if (r < 0 && strcmp(argv[0], "create") == 0)
		r = cli_error_lib(ctx, r, "cannot create tokens from '%s'",
				  shown(n1, sizeof(n1), argv[1]));
	else if (r < 0)
		r = cli_error_lib(ctx, r, "cannot write tokens from '%s' to '%s'", argv[1],
				  shown(n2, sizeof(n2), argv[2]));
	else
		r = print_run(ctx, &res);
	vitk_odx_job_result_clear(&res);
	login_state_clear(&ls);
	return r;
}

/* -------------------------------------------------------------------- jobs */

struct jobs_cfg {
	const char *host;
};

static int cmd_jobs(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct jobs_cfg *cfg = ctx->config;
	vitk_odx_doc doc;
	int r;

	r = vitk_odx_jobs_doc(&doc, ctx->inv, cfg->host, argc == 1 ? argv[0] : NULL);
	if (r == VITK_EINVAL) /* an ambiguous job id */
		return cli_error(ctx, CLI_EXIT_USAGE, "%s", vitk_error_last()->message);
	if (r < 0)
		return cli_error(ctx, cli_exit_from_err(r), "%s", vitk_error_last()->message);
	r = print_doc(ctx, &doc);
	vitk_odx_doc_clear(&doc);
	return r;
}

/* ------------------------------------------------------------------ tables */

#define CFG struct copy_cfg
static const struct cli_opt odx_copy_opts[] = {
	{ CLI_UINT(CFG, src_lba, "src-lba", 0, "N", "first source block (default 0)") },
	{ CLI_UINT(CFG, dst_lba, "dst-lba", 0, "N", "first destination block (default 0)") },
	{ CLI_UINT(CFG, count, "count", 'c', "BLOCKS",
		   "blocks to copy (default: to the end of the source)") },
	{ CLI_ENUM(CFG, method, "method", 'm', "METHOD", method_names, "copy method (default auto)"),
	  CLI_ENUM_INTS(method_values) },
	{ CLI_FLAG(CFG, verify, "verify", 0,
		   "read both ranges back and compare them (with --resume of a finished job: "
		   "only compare)") },
	{ CLI_FLAG(CFG, dry_run, "dry-run", 'n',
		   "show the plan (method, commands, reasons) and copy nothing") },
	{ CLI_STR(CFG, resume, "resume", 0, "JOB", "resume an interrupted copy job") },
	{ CLI_FLAG(CFG, force, "force", 'f', "write even if the destination is mounted or held") },
	{ CLI_UINT(CFG, max_blocks_per_command, "max-blocks-per-command", 0, "N",
		   "cap the blocks moved by one command"), CLI_RANGE(1, 0xFFFFFFFFu) },
	{ CLI_SIZE(CFG, buffer, "buffer", 0, "SIZE", "host copy buffer per command (default 4M)"),
	  CLI_RANGE(1, 1u << 30) },
	{ CLI_UINT(CFG, streams, "streams", 0, "N", "iSCSI host copy: sessions per side (default 8)"),
	  CLI_RANGE(1, 32) },
	LOGIN_OPTS(CFG),
	CLI_OPT_END,
};
#undef CFG

#define CFG struct zero_cfg
static const struct cli_opt odx_zero_opts[] = {
	{ CLI_UINT(CFG, lba, "lba", 0, "N", "first block to zero"), CLI_GIVEN(CFG, lba_given) },
	{ CLI_UINT(CFG, count, "count", 'c', "BLOCKS", "blocks to zero"),
	  CLI_GIVEN(CFG, count_given) },
	{ CLI_FLAG(CFG, force, "force", 'f', "write even if the device is mounted or held") },
	LOGIN_OPTS(CFG),
	CLI_OPT_END,
};
#undef CFG

#define CFG struct token_cfg
static const struct cli_opt odx_token_opts[] = {
	{ CLI_UINT(CFG, lba, "lba", 0, "N", "create: first source block; write: first destination block") },
	{ CLI_UINT(CFG, count, "count", 'c', "BLOCKS", "create: blocks to cover (default: to the end)") },
	{ CLI_UINT(CFG, inactivity_timeout, "inactivity-timeout", 0, "SECONDS",
		   "create: token inactivity timeout (default: the device's)"),
	  CLI_RANGE(0, 0xFFFFFFFFu) },
	{ CLI_FLAG(CFG, force, "force", 'f', "write even if the device is mounted or held") },
	LOGIN_OPTS(CFG),
	CLI_OPT_END,
};
#undef CFG

#define CFG struct probe_cfg
static const struct cli_opt odx_probe_opts[] = {
	LOGIN_OPTS(CFG),
	CLI_OPT_END,
};
#undef CFG

#define CFG struct jobs_cfg
static const struct cli_opt odx_jobs_opts[] = {
	{ CLI_STR(CFG, host, "host", 0, "HOST", "only jobs run on this host") },
	CLI_OPT_END,
};
#undef CFG

const struct cli_verb cli_odx_verbs[] = {
	{ .name = "probe", .fn = cmd_probe, .opts = odx_probe_opts, CLI_CONFIG(struct probe_cfg),
	  .min_args = 1, .max_args = -1,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "DEV|FILE...",
	  .summary = "Show copy-offload capabilities (per layer for block devices and files) and "
		     "an offload verdict for each pair" },
	{ .name = "resolve", .fn = cmd_resolve, .min_args = 1, .max_args = -1, .args_usage = "DEV...",
	  .summary = "Show how block devices (LVs, partitions, multipath) map to SCSI disks, per layer" },
	{ .name = "copy", .fn = cmd_copy, .opts = odx_copy_opts, CLI_CONFIG(struct copy_cfg),
	  .min_args = 0, .max_args = 2, .flags = CLI_NEEDS_INVENTORY, .args_usage = "SRC DST",
	  .summary = "Copy blocks with ODX token copy, EXTENDED COPY or the host" },
	{ .name = "zero", .fn = cmd_zero, .opts = odx_zero_opts, CLI_CONFIG(struct zero_cfg),
	  .min_args = 1, .max_args = 1, .args_usage = "DEV",
	  .summary = "Zero blocks (zero ROD token, WRITE SAME, host writes)" },
	{ .name = "token", .fn = cmd_token, .opts = odx_token_opts, CLI_CONFIG(struct token_cfg),
	  .min_args = 2, .max_args = 3, .args_usage = "create DEV FILE | write FILE DEV | show FILE",
	  .summary = "Populate ROD tokens into a file, write from one, or show one" },
	{ .name = "jobs", .fn = cmd_jobs, .opts = odx_jobs_opts, CLI_CONFIG(struct jobs_cfg),
	  .min_args = 0, .max_args = 1, .flags = CLI_NEEDS_INVENTORY, .args_usage = "[JOB]",
	  .summary = "List copy jobs, or show one with every reason and fallback" },
	/* `serve` lives in cmd_odx_serve.c (the lab target); keep this entry */
	{ .name = "serve", .fn = cli_odx_serve, .opts = cli_odx_serve_opts, .min_args = 0,
	  .max_args = 0, CLI_CONFIG(struct cli_odx_serve_cfg), .summary = "Serve file-backed LUNs as an iSCSI target with XCOPY and ODX" },
	{ 0 },
};
