/* SPDX-License-Identifier: MIT */
/*
 * The resolved stack a block-device job records (odx_blk_layer, blk_job.c)
 * and the check on --resume: the same stack passes; a resized LV, another
 * LV, other ranges or another sg node are refused naming the layer.  The
 * maps come from the resolver over a fake sysfs tree and fake dm tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vitk/error.h>
#include <vitk/inventory.h>
#include <vitk/sys/odx_blk.h>

#include "fake_sysblk.h"

/* src/odx_internal.h (not installed) */
int vitk_odx__blk_register(vitk_inventory *inv);
int vitk_odx__blk_layers_record(vitk_inventory *inv, int64_t host_id, const char *uuid,
				const char *side, const vitk_odx_blk_map *m, const char *top);
int vitk_odx__blk_layers_check(vitk_inventory *inv, const char *uuid, const char *side,
			       const vitk_odx_blk_map *m, const char *top);

static vitk_odx_blk_env env;
static vitk_inventory *inv;
static int64_t host;

static int setup(void **state)
{
	(void)state;
	env.sysfs_root = fake_sysblk_root();
	env.dm_table = fake_dm_table;
	fake_sysblk_disk("sda", "8:0", 1 << 20, 512, "sg0", "running");
	fake_sysblk_disk("sdb", "8:16", 1 << 20, 512, "sg1", "running");
	fake_sysblk_dm("dm-0", "253:0", 2048, "vg-dst", "LVM-abc", "sda");
	fake_dm_set(0, "0 2048 linear 8:0 4096");
	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_inventory_host_ensure(inv, "h1", "m1", "linux", "local", &host), 0);
	assert_int_equal(vitk_odx__blk_register(inv), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vitk_inventory_free(inv);
	fake_sysblk_remove();
	return 0;
}

static void record(const char *uuid)
{
	vitk_odx_blk_map m;

	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-0", &env), 0);
	assert_int_equal(vitk_odx__blk_layers_record(inv, host, uuid, "dst", &m, "/dev/vg/dst"), 0);
	vitk_odx_blk_map_clear(&m);
}

/* the check of dm-0 as it is now against job @uuid: 0, or the message in @why */
static int check_now(const char *uuid, char *why, size_t len)
{
	vitk_odx_blk_map m;
	int r;

	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-0", &env), 0);
	r = vitk_odx__blk_layers_check(inv, uuid, "dst", &m, "/dev/vg/dst");
	snprintf(why, len, "%s", r < 0 ? vitk_error_last()->message : "");
	vitk_odx_blk_map_clear(&m);
	return r;
}

static void test_rows(void **state)
{
	vitk_inventory_value match[] = { VITK_INV_S("job", "j1") };
	vitk_inventory_rows *rows = NULL;

	(void)state;
	record("j1");
	assert_int_equal(vitk_inventory_select(&rows, inv, "odx_blk_layer", 0, match, 1, "idx"), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 3);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "kind"), "dm-linear");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "detail"), "LVM LV vg-dst: 1 segment");
	assert_string_equal(vitk_inventory_rows_get(rows, 1, "kind"), "disk");
	assert_string_equal(vitk_inventory_rows_get(rows, 2, "dev"), "/dev/vg/dst");
	assert_string_equal(vitk_inventory_rows_get(rows, 2, "kind"), "map");
	/* the digest: FNV-1a 64 over lba, count, zero (8 bytes each, little endian), by Python */
	assert_string_equal(vitk_inventory_rows_get(rows, 2, "detail"),
			    "1048576 bytes, 512-byte blocks on /dev/sg0, 1 range (digest "
			    "e260ffda8a47277d)");
	vitk_inventory_rows_free(rows);
}

static void test_resume_checks(void **state)
{
	char why[512];

	(void)state;
	record("j2");
	assert_int_equal(check_now("j2", why, sizeof(why)), 0);
	/* no rows (a job of an older vitk): nothing to compare */
	assert_int_equal(check_now("unknown", why, sizeof(why)), 0);

	/* resized in place: the same one segment, longer */
	fake_sysblk_dm("dm-0", "253:0", 4096, "vg-dst", "LVM-abc", "sda");
	fake_dm_set(0, "0 4096 linear 8:0 4096");
	assert_int_equal(check_now("j2", why, sizeof(why)), VITK_EINVAL);
	assert_string_equal(why, "the destination's device stack changed since the job started: "
				 "layer 2 was /dev/vg/dst (map): 1048576 bytes, 512-byte blocks on "
				 "/dev/sg0, 1 range (digest e260ffda8a47277d), now /dev/vg/dst (map): "
				 "2097152 bytes, 512-byte blocks on /dev/sg0, 1 range (digest "
				 "0fde74170362cd05); not resuming");

	/* the same size elsewhere on the disk */
	fake_sysblk_dm("dm-0", "253:0", 2048, "vg-dst", "LVM-abc", "sda");
	fake_dm_set(0, "0 2048 linear 8:0 8192");
	assert_int_equal(check_now("j2", why, sizeof(why)), VITK_EINVAL);
	assert_non_null(strstr(why, "layer 2 was /dev/vg/dst (map)"));

	/* another LV (name) at the same place */
	fake_sysblk_dm("dm-0", "253:0", 2048, "vg-other", "LVM-abc", "sda");
	fake_dm_set(0, "0 2048 linear 8:0 4096");
	assert_int_equal(check_now("j2", why, sizeof(why)), VITK_EINVAL);
	assert_non_null(strstr(why, "layer 0 was dm-0 (dm-linear): LVM LV vg-dst: 1 segment, now dm-0 "
				    "(dm-linear): LVM LV vg-other: 1 segment"));

	/* on another disk */
	fake_sysblk_dm("dm-0", "253:0", 2048, "vg-dst", "LVM-abc", "sdb");
	fake_dm_set(0, "0 2048 linear 8:16 4096");
	assert_int_equal(check_now("j2", why, sizeof(why)), VITK_EINVAL);
	assert_non_null(strstr(why, "layer 1 was sda (disk)"));

	/* back as it was: resumable again */
	fake_sysblk_dm("dm-0", "253:0", 2048, "vg-dst", "LVM-abc", "sda");
	fake_dm_set(0, "0 2048 linear 8:0 4096");
	assert_int_equal(check_now("j2", why, sizeof(why)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_checks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
