/* SPDX-License-Identifier: MIT */
/*
 * The option parser: typed binding into a verb's config, ranges, allowed
 * values, repeatable options, near-miss suggestions, --help from the same
 * table, and the table check run over every real verb.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "cli/dispatch.h"

struct test_cfg {
	bool force;
	const char *portal;
	uint64_t vlan;
	bool vlan_given;
	uint64_t chunk;
	int method;
	int policy;
	struct cli_strv lun;
};

static const char *const method_names[] = { "auto", "token", "xcopy", "host", NULL };
static const char *const policy_names[] = { "off", "on", NULL };
static const int policy_ints[] = { 10, 20 };

#define CFG struct test_cfg
static const struct cli_opt test_opts[] = {
	{ CLI_FLAG(CFG, force, "force", 'f', "do it anyway") },
	{ CLI_STR(CFG, portal, "portal", 'p', "HOST[:PORT]", "iSCSI portal") },
	{ CLI_UINT(CFG, vlan, "vlan", 0, "ID", "VLAN tag"), CLI_RANGE(1, 4094),
	  CLI_GIVEN(CFG, vlan_given) },
	{ CLI_SIZE(CFG, chunk, "chunk", 'c', "SIZE", "bytes per command"), CLI_RANGE(4096, 1ULL << 30) },
	{ CLI_ENUM(CFG, method, "method", 'm', "HOW", method_names, "copy method") },
	{ CLI_ENUM(CFG, policy, "policy", 0, "P", policy_names, "spoof check"),
	  CLI_ENUM_INTS(policy_ints) },
	{ CLI_MULTI(CFG, lun, "lun", 'l', "N=PATH", "a LUN") },
	CLI_OPT_END,
};
#undef CFG

static const struct test_cfg test_defaults = { .chunk = 1 << 20, .method = 0, .policy = 10 };

static const struct cli_verb test_verb = {
	.name = "copy", .opts = test_opts, CLI_CONFIG(struct test_cfg),
	.config_init = &test_defaults, .args_usage = "SRC DST", .summary = "Copy things",
};

static char err_path[512];
static char err[4096];

/* parse @argv (NULL-terminated) into *cfg as the dispatcher would; stderr lands in err[] */
static int parse(struct test_cfg *cfg, ...)
{
	struct cli_ctx ctx = { .prog = "vitk", .noun = "odx", .verb = "copy" };
	struct cli_parse_state ps = { 0 };
	char *argv[32];
	int argc = 0, saved, fd, r;
	ssize_t n;
	va_list ap;

	va_start(ap, cfg);
	for (char *a = va_arg(ap, char *); a && argc < 31; a = va_arg(ap, char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	*cfg = test_defaults;
	ctx.opts = test_opts;
	ctx.config = cfg;
	fflush(stderr);
	saved = dup(2);
	fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	r = cli_parse_args(&ctx, &ps, argc, argv, false);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fd = open(err_path, O_RDONLY);
	n = read(fd, err, sizeof(err) - 1);
	close(fd);
	err[n > 0 ? n : 0] = '\0';
	return r;
}

static void test_cli_opt__types(void **state)
{
	struct test_cfg c;

	(void)state;
	assert_int_equal(parse(&c, "-f", "--portal=10.0.0.1:3260", "--vlan", "0x64", "-c", "1M",
			       "--method", "xcopy", "--policy", "on", NULL), 0);
	assert_string_equal(err, "");
	assert_true(c.force);
	assert_string_equal(c.portal, "10.0.0.1:3260");
	assert_int_equal(c.vlan, 100);
	assert_true(c.vlan_given);
	assert_int_equal(c.chunk, 1 << 20);
	assert_int_equal(c.method, 2);
	assert_int_equal(c.policy, 20); /* CLI_ENUM_INTS: the mapped value, not the index */
	assert_int_equal(c.lun.n, 0);
	assert_null(c.lun.v);
	cli_config_clear(test_opts, &c);

	/* nothing given: the defaults stay, given flags stay false */
	assert_int_equal(parse(&c, NULL), 0);
	assert_false(c.force);
	assert_null(c.portal);
	assert_false(c.vlan_given);
	assert_int_equal(c.chunk, 1 << 20);
	assert_int_equal(c.policy, 10);

	/* short forms: attached value, bundled flag before a valued option */
	assert_int_equal(parse(&c, "-fmtoken", "-c4K", "-pportal", NULL), 0);
	assert_true(c.force);
	assert_int_equal(c.method, 1);
	assert_int_equal(c.chunk, 4096);
	assert_string_equal(c.portal, "portal");

	/* the last of a repeated single-valued option wins */
	assert_int_equal(parse(&c, "--portal", "a", "--portal", "b", NULL), 0);
	assert_string_equal(c.portal, "b");
}

static void test_cli_opt__bad_numbers_and_ranges(void **state)
{
	struct test_cfg c;

	(void)state;
	assert_int_equal(parse(&c, "--vlan", "4095", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: option '--vlan' needs a value in 1..4094, not '4095'\n");
	assert_false(c.vlan_given);
	assert_int_equal(parse(&c, "--vlan=0", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: option '--vlan' needs a value in 1..4094, not '0'\n");
	assert_int_equal(parse(&c, "--vlan", "4094", NULL), 0);
	assert_int_equal(c.vlan, 4094);
	assert_int_equal(parse(&c, "--vlan", "12x", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: option '--vlan' needs a number, not '12x'\n");
	assert_int_equal(parse(&c, "--vlan", "-1", NULL), CLI_EXIT_USAGE);
	/* sizes: the range is shown in the units the option takes */
	assert_int_equal(parse(&c, "-c", "2G", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: option '-c' needs a value in 4K..1G, not '2G'\n");
	assert_int_equal(parse(&c, "--chunk", "1k", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: option '--chunk' needs a value in 4K..1G, not '1k'\n");
	assert_int_equal(parse(&c, "--chunk", "lots", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: option '--chunk' needs a size such as 512K or 1G, not 'lots'\n");
	assert_int_equal(parse(&c, "--chunk", "1G", NULL), 0);
	assert_int_equal(c.chunk, 1ULL << 30);
	/* a value is required */
	assert_int_equal(parse(&c, "--vlan", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: option '--vlan' needs a value (ID)\n");
	assert_int_equal(parse(&c, "--force=yes", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: option '--force' takes no value\n");
}

static void test_cli_opt__enums(void **state)
{
	struct test_cfg c;

	(void)state;
	for (int i = 0; method_names[i]; i++) {
		assert_int_equal(parse(&c, "--method", method_names[i], NULL), 0);
		assert_int_equal(c.method, i);
	}
	assert_int_equal(parse(&c, "--method", "tokn", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: option '--method' needs one of auto, token, xcopy, host, "
				 "not 'tokn'; did you mean 'token'?\n");
	assert_int_equal(parse(&c, "-m", "zzzzzzzz", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: option '-m' needs one of auto, token, xcopy, host, "
				 "not 'zzzzzzzz'\n");
	/* names are exact: no case folding, no prefixes */
	assert_int_equal(parse(&c, "--policy", "ON", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(&c, "--method", "x", NULL), CLI_EXIT_USAGE);
}

static void test_cli_opt__repeatable(void **state)
{
	struct test_cfg c;

	(void)state;
	assert_int_equal(parse(&c, "--lun", "0=/a", "-l", "1=/b", "--lun=2=/c", "-l3=/d", NULL), 0);
	assert_int_equal(c.lun.n, 4);
	assert_string_equal(c.lun.v[0], "0=/a");
	assert_string_equal(c.lun.v[1], "1=/b");
	assert_string_equal(c.lun.v[2], "2=/c");
	assert_string_equal(c.lun.v[3], "3=/d");
	assert_null(c.lun.v[4]);
	cli_config_clear(test_opts, &c);
	assert_null(c.lun.v);
	assert_int_equal(c.lun.n, 0);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(parse(&c, "-l", "x", "-l", "y", NULL), 0);
		assert_int_equal(c.lun.n, 2);
		cli_config_clear(test_opts, &c);
	}
}

static void test_cli_opt__unknown_near_miss(void **state)
{
	struct test_cfg c;

	(void)state;
	assert_int_equal(parse(&c, "--vlna", "3", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: unknown option '--vlna'; did you mean '--vlan'?\n");
	assert_int_equal(parse(&c, "--outptu", "json", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: unknown option '--outptu'; did you mean '--output'?\n");
	assert_int_equal(parse(&c, "--zzzzzzzzz", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: unknown option '--zzzzzzzzz' (see '--help')\n");
	assert_int_equal(parse(&c, "-Z", NULL), CLI_EXIT_USAGE);
	assert_string_equal(err, "vitk: odx: unknown option '-Z' (see '--help')\n");
	/* after "--" everything is an argument */
	assert_int_equal(parse(&c, "--", "--vlna", NULL), 0);
}

static void test_cli_opt__help_from_the_table(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	cli_print_verb_help(f, "odx", &test_verb);
	fclose(f);
	assert_non_null(strstr(buf, "usage: vitk odx copy [options] SRC DST\n\nCopy things\n\noptions:\n"
		"  -f, --force                    do it anyway\n"
		"  -p, --portal HOST[:PORT]       iSCSI portal\n"
		"      --vlan ID                  VLAN tag (range 1..4094)\n"
		"  -c, --chunk SIZE               bytes per command (range 4K..1G)\n"
		"  -m, --method HOW               copy method (one of: auto, token, xcopy, host)\n"
		"      --policy P                 spoof check (one of: off, on)\n"
		"  -l, --lun N=PATH               a LUN (repeatable)\n"
		"\nglobal options:\n"));
	free(buf);
}

/* the global options are bound the same way, into struct cli_globals */
static void test_cli_opt__globals(void **state)
{
	struct cli_ctx ctx = { .prog = "vitk" };
	struct cli_parse_state ps = { 0 };
	char *argv[] = { "-vq", "--output=json", "--db", "x.db", "-h", "inventory", NULL };

	(void)state;
	assert_int_equal(cli_parse_args(&ctx, &ps, 6, argv, true), 0);
	assert_int_equal(ps.rest, 5); /* stopped at the noun */
	assert_int_equal(ctx.output, CLI_OUT_JSON);
	assert_int_equal(ctx.verbose, 1);
	assert_true(ctx.quiet);
	assert_true(ps.g.help);
	assert_false(ps.g.version);
	assert_string_equal(ps.g.db, "x.db");
	argv[0] = "-otext";
	assert_int_equal(cli_parse_args(&ctx, &ps, 1, argv, true), 0);
	assert_int_equal(ctx.output, CLI_OUT_TABLE);
}

static void test_cli_opt__table_check(void **state)
{
	struct bad_cfg {
		int x;
		bool y;
	};
	static const char *const none[] = { NULL };
	static const struct cli_opt unbound[] = { { .name = "y", .type = CLI_OPT_T_FLAG }, CLI_OPT_END };
	static const struct cli_opt clash[] = { { CLI_FLAG(struct bad_cfg, y, "yes", 'o', "y") },
						CLI_OPT_END };
	static const struct cli_opt twice[] = { { CLI_FLAG(struct bad_cfg, y, "yes", 'y', "y") },
						{ CLI_FLAG(struct bad_cfg, y, "yes", 0, "y") },
						CLI_OPT_END };
	static const struct cli_opt noval[] = { { CLI_ENUM(struct bad_cfg, x, "x", 0, "X", none, "x") },
						CLI_OPT_END };
	static const struct cli_opt range[] = { { CLI_FLAG(struct bad_cfg, y, "y", 0, "y"), CLI_RANGE(1, 2) },
						CLI_OPT_END };
	struct cli_verb v = { .name = "t", CLI_CONFIG(struct bad_cfg) };
	char why[200];

	(void)state;
	/* every verb of every noun passes */
	for (size_t n = 0; cli_nouns[n].name; n++)
		for (size_t i = 0; cli_nouns[n].verbs[i].name; i++) {
			int r = cli_verb_check(&cli_nouns[n].verbs[i], why, sizeof(why));

			if (r != 0)
				fail_msg("%s %s: %s", cli_nouns[n].name, cli_nouns[n].verbs[i].name, why);
		}
	assert_int_equal(cli_verb_check(&test_verb, why, sizeof(why)), 0);
	v.opts = unbound;
	assert_int_equal(cli_verb_check(&v, why, sizeof(why)), -1);
	assert_string_equal(why, "option '--y' is not bound to the config");
	v.opts = clash;
	assert_int_equal(cli_verb_check(&v, why, sizeof(why)), -1);
	assert_string_equal(why, "option '--yes' hides the global '--output'");
	v.opts = twice;
	assert_int_equal(cli_verb_check(&v, why, sizeof(why)), -1);
	assert_string_equal(why, "options '--yes' and '--yes' share a name");
	v.opts = noval;
	assert_int_equal(cli_verb_check(&v, why, sizeof(why)), -1);
	assert_string_equal(why, "option '--x' has no allowed values");
	v.opts = range;
	assert_int_equal(cli_verb_check(&v, why, sizeof(why)), -1);
	assert_string_equal(why, "option '--y' has a bad range");
	v.opts = clash;
	v.config_size = 0;
	assert_int_equal(cli_verb_check(&v, why, sizeof(why)), -1);
	assert_string_equal(why, "option '--yes' lies outside the config");
}

int main(void)
{
	const char *tmp = getenv("TEST_TMPDIR");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_opt__types),
		cmocka_unit_test(test_cli_opt__bad_numbers_and_ranges),
		cmocka_unit_test(test_cli_opt__enums),
		cmocka_unit_test(test_cli_opt__repeatable),
		cmocka_unit_test(test_cli_opt__unknown_near_miss),
		cmocka_unit_test(test_cli_opt__help_from_the_table),
		cmocka_unit_test(test_cli_opt__globals),
		cmocka_unit_test(test_cli_opt__table_check),
	};

	snprintf(err_path, sizeof(err_path), "%s/opt_err.txt", tmp ? tmp : "/tmp");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
