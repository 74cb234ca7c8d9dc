/* SPDX-License-Identifier: MIT */
/*
 * lspci -xxxx captures: our validator, and when it accepts the input, the
 * whole dump-method discovery through libpci (with its exit()ing error
 * handler replaced) and our capability decoder.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vitk/sriov.h>

#include "sriov_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[256];
	vitk_sriov_options o = VITK_SRIOV_OPTIONS_INIT;
	vitk_sriov *ctx = NULL;
	vitk_sriov_pf_list *l = NULL;
	size_t ndev = 0;
	FILE *f;

	if (vitk_sriov__dump_validate((const char *)data, size, &ndev) < 0)
		return 0;
	if (!path[0]) {
		const char *t = getenv("TEST_TMPDIR");

		snprintf(path, sizeof(path), "%s/fuzz-dump-%d.txt", t ? t : "/tmp", (int)getpid());
	}
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	o.dump_file = path;
	o.no_netlink = true;
	if (vitk_sriov_open(&ctx, &o) == 0 &&
	    vitk_sriov_scan(&l, ctx, VITK_SRIOV_SCAN_NO_NAMES | VITK_SRIOV_SCAN_NO_VF_STATE) == 0)
		vitk_sriov_pf_list_free(l);
	vitk_sriov_free(ctx);
	return 0;
}
