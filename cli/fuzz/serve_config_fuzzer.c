/* SPDX-License-Identifier: MIT */
/*
 * Hostile bytes through the `vitk odx serve --config` parser: it must
 * return 0 or -1 with a "line N: ..." reason, never read outside the text,
 * and every value it stores must point into the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_odx_serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *v, const char *text, size_t len)
{
	if (v && (v < text || v >= text + len + 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cli_odx_serve_cfg cfg;
	char *text, why[256];
	size_t i;
	int r;

	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&cfg, 0, sizeof(cfg));
	why[0] = '\0';
	r = cli_odx_serve_conf_parse(text, &cfg, why, sizeof(why));
	if (r != 0 && (r != -1 || strncmp(why, "line ", 5) != 0))
		abort();
	inside(cfg.iqn, text, size);
	inside(cfg.pidfile, text, size);
	inside(cfg.chap_file, text, size);
	for (i = 0; i < cfg.lun.n; i++)
		inside(cfg.lun.v[i], text, size);
	for (i = 0; i < cfg.portal.n; i++)
		inside(cfg.portal.v[i], text, size);
	if (cfg.chap || cfg.chap_mutual || cfg.config || cfg.stats)
		abort(); /* refused keys never get through */
	free(cfg.lun.v);
	free(cfg.portal.v);
	free(cfg.allow.v);
	free(text);
	return 0;
}
