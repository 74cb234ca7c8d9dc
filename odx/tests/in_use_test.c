/* SPDX-License-Identifier: MIT */
/* Mounted/held detection against fake /proc and /sys trees (the roots are options, never hard-coded). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <vitk/odx.h>
#include <vitk/sys/odx.h>

static char root[256];

static void put(const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_odx_in_use__mounted_held_partition(void **state)
{
	char proc[300], sys[300], cmd[400];
	(void)state;

	snprintf(root, sizeof(root), "%s/inuse", getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(sys, sizeof(sys), "%s/sys", root);
	put("proc/self/mountinfo",
	    "22 1 0:21 / /proc rw - proc proc rw\n"
	    "30 1 8:33 / /data rw,relatime - ext4 /dev/sdc1 rw\n");
	put("sys/dev/block/8:16/holders/.keep", "");
	put("sys/dev/block/8:32/holders/.keep", "");
	put("sys/dev/block/8:32/sdc1/partition", "1\n");
	put("sys/dev/block/8:32/sdc1/dev", "8:33\n");
	put("sys/dev/block/8:48/holders/dm-0", "");

	/* free disk */
	assert_int_equal(vitk_odx_devnum_check_in_use(8, 16, "/dev/sdb", proc, sys), 0);
	/* a partition is mounted */
	assert_int_equal(vitk_odx_devnum_check_in_use(8, 32, "/dev/sdc", proc, sys), VITK_EBUSY);
	assert_string_equal(vitk_error_last()->message,
			    "'/dev/sdc' (partition sdc1) is mounted on '/data'");
	/* held by device-mapper */
	assert_int_equal(vitk_odx_devnum_check_in_use(8, 48, "/dev/sdd", proc, sys), VITK_EBUSY);
	assert_string_equal(vitk_error_last()->message, "'/dev/sdd' is held by 'dm-0'");
	/* the whole disk mounted */
	put("proc/self/mountinfo", "31 1 8:16 / /mnt rw - xfs /dev/sdb rw\n");
	assert_int_equal(vitk_odx_devnum_check_in_use(8, 16, "/dev/sdb", proc, sys), VITK_EBUSY);
	assert_string_equal(vitk_error_last()->message, "'/dev/sdb' is mounted on '/mnt'");
	/* a char node (here /dev/null standing in for /dev/sgN) resolved through sysfs */
	put("sys/class/scsi_generic/null/device/block/sdb/dev", "8:16\n");
	assert_int_equal(vitk_odx_path_check_in_use("/dev/null", proc, sys), VITK_EBUSY);
	assert_string_equal(vitk_error_last()->message, "'/dev/null' is mounted on '/mnt'");
	/* a regular file or a missing path is not a device: nothing to check */
	assert_int_equal(vitk_odx_path_check_in_use(proc, proc, sys), 0);
	assert_int_equal(vitk_odx_path_check_in_use("/nonexistent/x", proc, sys), 0);
	/* missing roots: nothing to report */
	assert_int_equal(vitk_odx_devnum_check_in_use(8, 16, "/dev/sdb", "/nonexistent", "/nonexistent"), 0);
}

/* roots longer than any fixed path buffer: the checks must still look in the right place */
static void test_odx_in_use__long_roots(void **state)
{
	char base[1000], proc[1100], sys[1100], cmd[2400], file[1200];
	size_t n;
	FILE *f;
	(void)state;

	n = (size_t)snprintf(base, sizeof(base), "%s/inuse-long/",
			     getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp");
	while (n + 101 < 900) { /* ~900 characters in directories of 100 */
		memset(base + n, 'd', 99);
		base[n + 99] = '/';
		n += 100;
		base[n] = '\0';
	}
	snprintf(proc, sizeof(proc), "%sproc", base);
	snprintf(sys, sizeof(sys), "%ssys", base);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/self' '%s/dev/block/8:64/holders/md0'", proc, sys);
	assert_int_equal(system(cmd), 0);
	snprintf(file, sizeof(file), "%s/self/mountinfo", proc);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs("40 1 8:80 / /srv rw - ext4 /dev/sdf rw\n", f);
	fclose(f);
	assert_int_equal(vitk_odx_devnum_check_in_use(8, 64, "/dev/sde", proc, sys), VITK_EBUSY);
	assert_string_equal(vitk_error_last()->message, "'/dev/sde' is held by 'md0'");
	assert_int_equal(vitk_odx_devnum_check_in_use(8, 80, "/dev/sdf", proc, sys), VITK_EBUSY);
	assert_string_equal(vitk_error_last()->message, "'/dev/sdf' is mounted on '/srv'");
}

static void test_odx_in_use__sg_open_missing(void **state)
{
	vitk_odx_dev *d = NULL;
	(void)state;

	assert_int_equal(vitk_odx_dev_open(&d, "/dev/vitk-no-such-sg", NULL), VITK_ENOTFOUND);
	assert_non_null(strstr(vitk_error_last()->message, "/dev/vitk-no-such-sg"));
	assert_null(d);
	/* a character device that is not SCSI: the sg_pt transport reports the failure */
	assert_true(vitk_odx_dev_open(&d, "/dev/null", NULL) < 0);
	assert_non_null(strstr(vitk_error_last()->message, "/dev/null"));
	assert_null(d);
	assert_int_equal(vitk_odx_dev_open(&d, "iscsi://bad url", NULL), VITK_EINVAL);
	assert_null(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odx_in_use__mounted_held_partition),
		cmocka_unit_test(test_odx_in_use__long_roots),
		cmocka_unit_test(test_odx_in_use__sg_open_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
