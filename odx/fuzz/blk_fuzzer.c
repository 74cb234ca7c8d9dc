/* SPDX-License-Identifier: MIT */
/*
 * Bytes the block resolver takes from outside: device-mapper tables (a table
 * loaded by anyone with CAP_SYS_ADMIN, through libdevmapper), the linear
 * target's parameters, multipath status lines and FIEMAP results.  The first
 * byte picks the parser; tables are resolved over a small fake sysfs tree
 * made once.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/sys/odx_blk.h>

#include "odx/tests/fake_sysblk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vitk_odx_blk_env env;

static void tree(void)
{
	if (env.sysfs_root)
		return;
	env.sysfs_root = fake_sysblk_root();
	env.dm_table = fake_dm_table;
	fake_sysblk_disk("sda", "8:0", 1 << 20, 512, "sg0", "running");
	fake_sysblk_part("sda", "sda1", "8:1", 2048, (1 << 20) - 2048);
	fake_sysblk_disk("sdb", "8:16", 1 << 20, 4096, "sg1", "offline");
	fake_sysblk_other("loop0", "7:0", 2048);
	fake_sysblk_dm("dm-0", "253:0", 8192, "vg-lv", "LVM-x", "sda1 sdb");
	fake_sysblk_dm("dm-1", "253:1", 8192, "vg-lv2", "LVM-y", "dm-0");
	atexit(fake_sysblk_remove);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1)
		return 0;
	if (data[0] % 3 == 1) {
		vitk_odx_file_extents x = VITK_ARRAY_INIT;
		bool last;

		(void)vitk_odx_fiemap_parse(&x, data + 1, size - 1, (uint64_t)1 << 40, &last);
		vitk_array_clear(x);
		return 0;
	}
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] % 3 == 0) {
		unsigned ma, mi;
		uint64_t off;

		vitk_odx_dm_mpath_paths paths = VITK_ARRAY_INIT;

		(void)vitk_odx_dm_linear_parse(text, &ma, &mi, &off);
		(void)vitk_odx_dm_mpath_status_parse(&paths, text);
		vitk_array_clear(paths);
	} else {
		vitk_odx_blk_map m;
		char *second = strstr(text, "\n\n");

		tree();
		if (second) {
			*second = '\0';
			fake_dm_set(0, second + 2);
		} else {
			fake_dm_set(0, "0 8192 linear 8:1 0");
		}
		fake_dm_set(1, text);
		(void)vitk_odx_blk_resolve_name(&m, "dm-1", &env);
		vitk_odx_blk_map_clear(&m);
	}
	free(text);
	return 0;
}
