/* SPDX-License-Identifier: MIT */
/*
 * `vitk odx serve --config FILE`: the file's keys bind to the same fields
 * as the options, the command line wins over the file, and every error
 * names its line.  The shipped example (labtarget/iscsi/examples) parses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vitk/common.h>

#include "cli/cli.h"
#include "cli/cmd_odx_serve.h"

static int parse(const char *src, struct cli_odx_serve_cfg *cfg, char *why, char **text)
{
	*text = strdup(src);
	assert_non_null(*text);
	memset(cfg, 0, sizeof(*cfg));
	return cli_odx_serve_conf_parse(*text, cfg, why, 256);
}

static void done(struct cli_odx_serve_cfg *cfg, char *text)
{
	free(cfg->lun.v);
	free(cfg->portal.v);
	free(cfg->allow.v);
	free(text);
}

static void test_serve_config__keys_bind_to_fields(void **state)
{
	struct cli_odx_serve_cfg c;
	char why[256], *text;

	(void)state;
	assert_int_equal(parse("# lab\n"
			       "iqn = iqn.2026-01.lab.vitk:odx\n"
			       "  portal=127.0.0.1:3260   # first path\n"
			       "portal = 127.0.0.2:3260\r\n"
			       "\n"
			       "lun = 0=/srv/a.img,size=1G,bs=4096\n"
			       "chap-file = /etc/vitk/x.chap\n"
			       "allow = iqn.1998-01.com.vmware:esx01\n"
			       "login-timeout = 20\n"
			       "max-bytes-per-command = 4M\n",
			       &c, why, &text),
			 0);
	assert_string_equal(c.iqn, "iqn.2026-01.lab.vitk:odx");
	assert_int_equal(c.portal.n, 2);
	assert_string_equal(c.portal.v[0], "127.0.0.1:3260");
	assert_string_equal(c.portal.v[1], "127.0.0.2:3260");
	assert_null(c.portal.v[2]);
	assert_int_equal(c.lun.n, 1);
	assert_string_equal(c.lun.v[0], "0=/srv/a.img,size=1G,bs=4096");
	assert_string_equal(c.chap_file, "/etc/vitk/x.chap");
	assert_int_equal(c.allow.n, 1);
	assert_int_equal(c.login_timeout, 20);
	assert_int_equal(c.max_bytes_per_command, 4u << 20);
	done(&c, text);
}

static void test_serve_config__errors_name_the_line(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "iqn = a\nfoo = 1\n", "line 2: unknown key 'foo'" },
		{ "iqn a\n", "line 1: expected KEY = VALUE, got 'iqn a'" },
		{ "\n\nchap = u:s\n", "line 3: 'chap' is not allowed in a config file" },
		{ "chap-mutual = u:s\n", "line 1: 'chap-mutual' is not allowed" },
		{ "config = /x\n", "line 1: 'config' is not allowed" },
		{ "login-timeout = 0\n", "line 1: 'login-timeout': bad or out-of-range number" },
		{ "login-timeout = 3601\n", "line 1: 'login-timeout': bad or out-of-range" },
		{ "idle-timeout = ten\n", "line 1: 'idle-timeout': bad or out-of-range" },
		{ "iqn =\n", "line 1: 'iqn' has no value" },
	};
	struct cli_odx_serve_cfg c;
	char why[256], *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(parse(bad[i].text, &c, why, &text), -1);
		if (strncmp(why, bad[i].why, strlen(bad[i].why)) != 0)
			fail_msg("%s: got '%s', want '%s'", bad[i].text, why, bad[i].why);
		done(&c, text);
	}
}

static void test_serve_config__command_line_wins(void **state)
{
	struct cli_odx_serve_conf conf;
	struct cli_odx_serve_cfg cmd;
	const char *luns[] = { "5=/cmd.img", NULL };
	char path[4096], why[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/serve.conf", getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("iqn = iqn.2026-01.file:t\nlun = 0=/file.img\nlogin-timeout = 20\n"
	      "idle-timeout = 99\n", f);
	fclose(f);
	memset(&cmd, 0, sizeof(cmd));
	cmd.config = path;
	cmd.iqn = "iqn.2026-01.cmd:t";
	cmd.login_timeout = 7;
	cmd.lun.v = luns;
	cmd.lun.n = 1;
	assert_int_equal(cli_odx_serve_conf_load(path, &cmd, &conf, why, sizeof(why)), 0);
	assert_string_equal(conf.cfg.iqn, "iqn.2026-01.cmd:t");
	assert_int_equal(conf.cfg.login_timeout, 7);
	assert_int_equal(conf.cfg.idle_timeout, 99);
	assert_int_equal(conf.cfg.lun.n, 2); /* the file's, then the command line's */
	assert_string_equal(conf.cfg.lun.v[0], "0=/file.img");
	assert_string_equal(conf.cfg.lun.v[1], "5=/cmd.img");
	assert_string_equal(conf.cfg.config, path);
	cli_odx_serve_conf_clear(&conf);
	assert_int_equal(cli_odx_serve_conf_load("/nonexistent/x.conf", &cmd, &conf, why,
						 sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "/nonexistent/x.conf"));
	cli_odx_serve_conf_clear(&conf);
}

static void test_serve_config__example_parses(void **state)
{
	struct cli_odx_serve_conf conf;
	struct cli_odx_serve_cfg cmd;
	char why[256];

	(void)state;
	memset(&cmd, 0, sizeof(cmd));
	if (cli_odx_serve_conf_load("labtarget/iscsi/examples/target-lab.conf", &cmd, &conf, why,
				    sizeof(why)) != 0)
		fail_msg("example: %s", why);
	assert_int_equal(conf.cfg.portal.n, 2);
	assert_int_equal(conf.cfg.lun.n, 3);
	assert_non_null(conf.cfg.chap_file);
	cli_odx_serve_conf_clear(&conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_config__keys_bind_to_fields),
		cmocka_unit_test(test_serve_config__errors_name_the_line),
		cmocka_unit_test(test_serve_config__command_line_wins),
		cmocka_unit_test(test_serve_config__example_parses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
