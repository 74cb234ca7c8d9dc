/* SPDX-License-Identifier: MIT */
/* Block device resolution over fake sysfs trees and fake dm tables; FIEMAP parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/fiemap.h>

#include <vitk/error.h>
#include <vitk/sys/odx_blk.h>

#include "fake_sysblk.h"

static vitk_odx_blk_env env;

static int setup(void **state)
{
	(void)state;
	env.sysfs_root = fake_sysblk_root();
	env.dm_table = fake_dm_table;
	env.dm_status = fake_dm_status;
	/* sda: 1 GiB, 512-byte blocks, sda1 from sector 2048 */
	fake_sysblk_disk("sda", "8:0", 2097152, 512, "sg0", "running");
	fake_sysblk_part("sda", "sda1", "8:1", 2048, 2095104);
	/* sdb: 4 KiB blocks */
	fake_sysblk_disk("sdb", "8:16", 2097152, 4096, "sg1", "running");
	/* sdc offline and sdd running: two paths of one LU */
	fake_sysblk_disk("sdc", "8:32", 2097152, 512, "sg2", "offline");
	fake_sysblk_disk("sdd", "8:48", 2097152, 512, "sg3", "running");
	/* sde has no sg node */
	fake_sysblk_disk("sde", "8:64", 2048, 512, NULL, "running");
	/* sdf: a second LUN of 512-byte blocks, for LVs that span two disks */
	fake_sysblk_disk("sdf", "8:80", 2097152, 512, "sg4", "running");
	fake_sysblk_other("nvme0n1", "259:0", 2048);
	fake_sysblk_other("loop0", "7:0", 2048);
	fake_sysblk_other("md0", "9:0", 2048);
	fake_sysblk_other("vda", "254:0", 2048);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_sysblk_remove();
	return 0;
}

static void expect_range(const vitk_odx_blk_map *m, size_t i, uint64_t lba, uint64_t count)
{
	assert_true(i < m->ranges.size);
	assert_int_equal(m->ranges.ptr[i].lba, lba);
	assert_int_equal(m->ranges.ptr[i].count, count);
}

static bool has_layer(const vitk_odx_blk_map *m, const char *dev, const char *kind, const char *detail)
{
	for (size_t i = 0; i < m->layers.size; i++)
		if (strcmp(m->layers.ptr[i].dev, dev) == 0 && strcmp(m->layers.ptr[i].kind, kind) == 0 &&
		    strstr(m->layers.ptr[i].detail, detail))
			return true;
	return false;
}

static void test_whole_disk(void **state)
{
	vitk_odx_blk_map m;

	(void)state;
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "sda", &env), 0);
	assert_true(m.offloadable);
	assert_string_equal(m.sg, "/dev/sg0");
	assert_int_equal(m.block_size, 512);
	assert_int_equal(m.size_bytes, 1073741824ull);
	assert_int_equal(m.ranges.size, 1);
	expect_range(&m, 0, 0, 2097152);
	vitk_odx_blk_map_clear(&m);
}

static void test_partition(void **state)
{
	vitk_odx_blk_map m;

	(void)state;
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "sda1", &env), 0);
	assert_true(m.offloadable);
	assert_string_equal(m.disk, "sda");
	assert_int_equal(m.ranges.size, 1);
	expect_range(&m, 0, 2048, 2095104);
	assert_true(has_layer(&m, "sda1", "partition", "starts at sector 2048 of sda"));
	vitk_odx_blk_map_clear(&m);
}

/* An LV in three PV segments on sda1 (out of order on disk), then merged where adjacent. */
static void test_lvm_segments(void **state)
{
	vitk_odx_blk_map m;

	(void)state;
	fake_sysblk_dm("dm-0", "253:0", 6144, "vg-lv", "LVM-abc", "sda1");
	fake_dm_set(0, "0 2048 linear 8:1 100000\n"
		       "2048 2048 linear 8:1 10000\n"
		       "4096 2048 linear 8:1 12048\n");
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-0", &env), 0);
	assert_true(m.offloadable);
	assert_int_equal(m.ranges.size, 2);
	expect_range(&m, 0, 2048 + 100000, 2048);
	expect_range(&m, 1, 2048 + 10000, 4096); /* two adjacent segments merged */
	assert_true(has_layer(&m, "dm-0", "dm-linear", "LVM LV vg-lv: 3 segments"));
	assert_true(has_layer(&m, "sda1", "partition", "sda"));
	assert_true(has_layer(&m, "sda", "disk", "/dev/sg0"));
	vitk_odx_blk_map_clear(&m);
}

/*
 * An LV over a VG of two LUNs (sda, sdf): each range names its disk, each
 * disk is listed once with its sg node and has its own layer; ranges on
 * different disks are never merged, not even when their LBAs touch.
 */
static void test_lv_spans_two_disks(void **state)
{
	vitk_odx_blk_map m;

	(void)state;
	fake_sysblk_dm("dm-11", "253:11", 5120, "vg-span2", "LVM-s2", "sda sdf");
	fake_dm_set(11, "0 1024 linear 8:0 2048\n"
			"1024 2048 linear 8:80 3072\n"
			"3072 1024 linear 8:0 3072\n"
			"4096 1024 linear 8:80 5120\n");
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-11", &env), 0);
	assert_true(m.offloadable);
	assert_int_equal(m.block_size, 512);
	assert_string_equal(m.disk, "sda");
	assert_string_equal(m.sg, "/dev/sg0");
	assert_int_equal(m.disks.size, 2);
	assert_string_equal(m.disks.ptr[0].name, "sda");
	assert_string_equal(m.disks.ptr[0].sg, "/dev/sg0");
	assert_string_equal(m.disks.ptr[1].name, "sdf");
	assert_string_equal(m.disks.ptr[1].sg, "/dev/sg4");
	/* sda 2048+1024 ends at 3072, where the sdf range starts: other disk, not merged;
	 * sdf 3072+2048 and sdf 5120+1024 touch but an sda range lies between them */
	assert_int_equal(m.ranges.size, 4);
	expect_range(&m, 0, 2048, 1024);
	assert_int_equal(m.ranges.ptr[0].disk, 0);
	expect_range(&m, 1, 3072, 2048);
	assert_int_equal(m.ranges.ptr[1].disk, 1);
	expect_range(&m, 2, 3072, 1024);
	assert_int_equal(m.ranges.ptr[2].disk, 0);
	expect_range(&m, 3, 5120, 1024);
	assert_int_equal(m.ranges.ptr[3].disk, 1);
	assert_true(has_layer(&m, "dm-11", "dm-linear", "LVM LV vg-span2: 4 segments"));
	assert_true(has_layer(&m, "sda", "disk", "/dev/sg0"));
	assert_true(has_layer(&m, "sdf", "disk", "/dev/sg4"));
	vitk_odx_blk_map_clear(&m);
}

/* dm on dm on a 4 KiB disk: sectors become 4 KiB LBAs. */
static void test_nested_dm_4k(void **state)
{
	vitk_odx_blk_map m;

	(void)state;
	fake_sysblk_dm("dm-1", "253:1", 16384, "inner", "", "sdb");
	fake_dm_set(1, "0 16384 linear 8:16 8192");
	fake_sysblk_dm("dm-2", "253:2", 8192, "outer", "", "dm-1");
	fake_dm_set(2, "0 8192 linear 253:1 800");
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-2", &env), 0);
	assert_true(m.offloadable);
	assert_int_equal(m.block_size, 4096);
	assert_string_equal(m.sg, "/dev/sg1");
	expect_range(&m, 0, (8192 + 800) / 8, 8192 / 8);
	vitk_odx_blk_map_clear(&m);

	/* an offset that is not a whole 4 KiB block is refused */
	fake_dm_set(2, "0 8192 linear 253:1 801");
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-2", &env), 0);
	assert_false(m.offloadable);
	assert_non_null(strstr(m.reason, "sdb (disk): a segment is not aligned to the disk's 4096-byte"));
	assert_int_equal(m.ranges.size, 0);
	vitk_odx_blk_map_clear(&m);
}

static void test_multipath(void **state)
{
	vitk_odx_blk_map m;

	(void)state;
	fake_sysblk_dm("dm-3", "253:3", 2097152, "mpatha", "mpath-3600", "sdc sdd");
	fake_dm_set(3, "0 2097152 multipath 0 0 1 1 service-time 0 2 1 8:32 1 8:48 1");
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-3", &env), 0);
	assert_true(m.offloadable);
	assert_string_equal(m.sg, "/dev/sg3"); /* sdc is offline */
	assert_true(has_layer(&m, "dm-3", "dm-multipath", "mpatha: path sdd of 2 (sdc, sdd)"));
	vitk_odx_blk_map_clear(&m);
}

static void expect_refused(const char *name, const char *reason);

/* the real kernel's maps: a path the map has failed ("F" in its status) may
 * still be a running SCSI device (tests/vm/scenarios/os_offload_mpath.sh) */
static void test_multipath_dm_failed(void **state)
{
	vitk_odx_blk_map m;

	(void)state;
	fake_sysblk_disk("sdf", "8:80", 2097152, 512, "sg5", "running");
	fake_sysblk_disk("sdg", "8:96", 2097152, 512, "sg6", "running");
	fake_sysblk_dm("dm-4", "253:4", 2097152, "mpathb", "mpath-3601", "sdf sdg");
	fake_dm_set(4, "0 2097152 multipath 0 1 alua 1 1 service-time 0 2 2 8:80 1 1 8:96 1 1");
	/* no status: the first running path */
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-4", &env), 0);
	assert_true(m.offloadable);
	assert_string_equal(m.sg, "/dev/sg5");
	vitk_odx_blk_map_clear(&m);
	/* sdf failed in the map: sdg, whatever sdf's SCSI state says */
	fake_dm_status_set(4, "0 2097152 multipath 2 0 1 0 1 1 A 0 2 2 8:80 F 1 0 1 8:96 A 0 0 1");
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-4", &env), 0);
	assert_true(m.offloadable);
	assert_string_equal(m.sg, "/dev/sg6");
	assert_true(has_layer(&m, "dm-4", "dm-multipath", "mpathb: path sdg of 2 (sdf, sdg)"));
	vitk_odx_blk_map_clear(&m);
	/* both failed in the map */
	fake_dm_status_set(4, "0 2097152 multipath 2 0 1 0 1 1 A 0 2 2 8:80 F 1 0 1 8:96 F 2 0 1");
	expect_refused("dm-4", "dm-4 (dm-multipath): no active path: the map has failed every running path");
	/* a status vitk cannot read is an error, not a guess */
	fake_dm_status_set(4, "0 2097152 multipath 2 0 1 0 1 1 A 0 2 2 8:80 F 1 0");
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-4", &env), VITK_EINVAL);
	vitk_odx_blk_map_clear(&m);
	fake_dm_status_set(4, NULL);
}

static void expect_mpath(const char *status, int rc, const char *want)
{
	vitk_odx_dm_mpath_paths p = VITK_ARRAY_INIT;
	char got[256] = "";

	assert_int_equal(vitk_odx_dm_mpath_status_parse(&p, status), rc);
	for (size_t i = 0; i < p.size; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%u:%u %c", i ? ", " : "",
			 p.ptr[i].major, p.ptr[i].minor, p.ptr[i].active ? 'A' : 'F');
	if (rc == 0 && strcmp(got, want) != 0)
		fail_msg("\"%s\": paths \"%s\", want \"%s\"", status, got, want);
	vitk_array_clear(p);
}

static void test_mpath_status_parse(void **state)
{
	(void)state;
	/* service-time (2 selector args per path), one group */
	expect_mpath("2 0 1 0 1 1 A 0 2 2 8:0 F 1 0 1 8:32 A 0 0 1", 0, "8:0 F, 8:32 A");
	/* failover: two groups; round-robin (no selector args); a hardware handler arg */
	expect_mpath("2 1 0 1 alua 2 1 A 0 1 0 8:16 A 0 E 0 1 0 65:0 F 12", 0, "8:16 A, 65:0 F");
	expect_mpath("2 0 0 0 0 0", 0, "");
	expect_mpath("", VITK_EINVAL, NULL);
	expect_mpath("2 0 1 0 1 1 A 0 2 2 8:0 F 1 0", VITK_EINVAL, NULL);        /* truncated */
	expect_mpath("2 0 1 0 1 1 A 0 1 2 8:0 X 1 0 1", VITK_EINVAL, NULL);      /* state */
	expect_mpath("2 0 1 0 1 1 A 0 1 2 8:0 AF 1 0 1", VITK_EINVAL, NULL);
	expect_mpath("2 0 1 0 1 1 A 0 1 2 8x0 A 1 0 1", VITK_EINVAL, NULL);      /* devt */
	expect_mpath("2 0 1 0 99999 1 A 0 1 2 8:0 A 1 0 1", VITK_EINVAL, NULL);  /* groups */
	expect_mpath("2 0 1 0 1 1 A 0 1025 0", VITK_EINVAL, NULL);               /* paths */
	expect_mpath("4294967297 0", VITK_EINVAL, NULL);
	expect_mpath(NULL, VITK_EINVAL, NULL);
}

static void expect_refused(const char *name, const char *reason)
{
	vitk_odx_blk_map m;

	assert_int_equal(vitk_odx_blk_resolve_name(&m, name, &env), 0);
	assert_false(m.offloadable);
	assert_non_null(m.reason);
	if (!strstr(m.reason, reason))
		fail_msg("%s: reason \"%s\" lacks \"%s\"", name, m.reason, reason);
	assert_int_equal(m.ranges.size, 0);
	vitk_odx_blk_map_clear(&m);
}

static void test_refusals(void **state)
{
	(void)state;
	fake_sysblk_dm("dm-4", "253:4", 2048, "vg-thin", "LVM-t", "");
	fake_dm_set(4, "0 2048 thin 253:9 1");
	expect_refused("dm-4", "dm-4 (dm-thin): dm-thin");
	fake_sysblk_dm("dm-5", "253:5", 2048, "luks", "CRYPT-LUKS2-x", "sda1");
	fake_dm_set(5, "0 2048 crypt aes-xts-plain64 :64:logon:cryptsetup:x 0 8:1 32768");
	expect_refused("dm-5", "dm-5 (dm-crypt): dm-crypt");
	fake_sysblk_dm("dm-6", "253:6", 2048, "striped", "LVM-s", "sda sdb");
	fake_dm_set(6, "0 2048 striped 2 128 8:0 0 8:16 0");
	expect_refused("dm-6", "dm-6 (dm-striped): dm striped");
	fake_sysblk_dm("dm-7", "253:7", 2048, "odd", "", "");
	fake_dm_set(7, "0 2048 flakey 8:0 0 1 1");
	expect_refused("dm-7", "dm target \"flakey\" is not offloadable");
	expect_refused("loop0", "loop0 (loop): loop device");
	expect_refused("md0", "md0 (md): md RAID");
	expect_refused("nvme0n1", "nvme0n1 (nvme): NVMe");
	expect_refused("vda", "vda (virtio)");
	expect_refused("sde", "sde (disk): SCSI disk without an sg node");
	/* a linear LV on a loop device: the loop layer is named */
	fake_sysblk_dm("dm-8", "253:8", 1024, "vg-onloop", "LVM-l", "loop0");
	fake_dm_set(8, "0 1024 linear 7:0 0");
	expect_refused("dm-8", "loop0 (loop)");
	/* an LV with one segment on sda, one on sdb: disks of different block sizes */
	fake_sysblk_dm("dm-9", "253:9", 2048, "vg-span", "LVM-x", "sda sdb");
	fake_dm_set(9, "0 1024 linear 8:0 0\n1024 1024 linear 8:16 0");
	expect_refused("dm-9", "sdb (disk): the device spans disks of different logical block "
			       "sizes (sda: 512, sdb: 4096)");
}

static void test_malformed(void **state)
{
	vitk_odx_blk_map m;
	unsigned ma, mi;
	uint64_t off;

	(void)state;
	fake_sysblk_dm("dm-10", "253:10", 2048, "gap", "", "sda");
	fake_dm_set(10, "0 1024 linear 8:0 0\n2000 48 linear 8:0 0");
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-10", &env), VITK_EINVAL);
	vitk_odx_blk_map_clear(&m);
	fake_dm_set(10, "0 1024 linear 8:0 0");
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-10", &env), VITK_EINVAL); /* short table */
	vitk_odx_blk_map_clear(&m);
	fake_dm_set(10, "0 2048 linear 8:0 4294967296"); /* past the end of sda */
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-10", &env), VITK_EINVAL);
	vitk_odx_blk_map_clear(&m);
	fake_dm_set(10, "0 2048 linear 99:99 0"); /* no such device */
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "dm-10", &env), VITK_ENOTFOUND);
	vitk_odx_blk_map_clear(&m);
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "../sda", &env), VITK_EINVAL);
	vitk_odx_blk_map_clear(&m);
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "sdz", &env), VITK_ENOTFOUND);
	vitk_odx_blk_map_clear(&m);

	assert_int_equal(vitk_odx_dm_linear_parse("8:1 2048", &ma, &mi, &off), 0);
	assert_int_equal(ma, 8);
	assert_int_equal(mi, 1);
	assert_int_equal(off, 2048);
	assert_int_equal(vitk_odx_dm_linear_parse("/dev/sda 0", &ma, &mi, &off), VITK_EINVAL);
	assert_int_equal(vitk_odx_dm_linear_parse("8:1", &ma, &mi, &off), VITK_EINVAL);
	assert_int_equal(vitk_odx_dm_linear_parse("8:1 12x", &ma, &mi, &off), VITK_EINVAL);
	assert_int_equal(vitk_odx_dm_linear_parse("8:1 -1", &ma, &mi, &off), VITK_EINVAL);
	assert_int_equal(vitk_odx_dm_linear_parse("8:1 99999999999999999999", &ma, &mi, &off), VITK_EINVAL);
	assert_int_equal(vitk_odx_dm_linear_parse("4096:1 0", &ma, &mi, &off), VITK_EINVAL);
}

static void test_pieces(void **state)
{
	vitk_odx_blk_ranges s = VITK_ARRAY_INIT, d = VITK_ARRAY_INIT;
	vitk_odx_blk_pieces p = VITK_ARRAY_INIT;
	vitk_odx_blk_range r1 = {100, 10, false, 0}, r2 = {500, 20, false, 1}, r3 = {1000, 25, false, 2};

	(void)state;
	assert_int_equal(vitk_array_append(s, r1), 0);
	assert_int_equal(vitk_array_append(s, r2), 0);
	assert_int_equal(vitk_array_append(d, r3), 0);
	assert_int_equal(vitk_odx_blk_pieces_make(&p, &s, &d, 25), 0);
	assert_int_equal(p.size, 2);
	assert_int_equal(p.ptr[0].src_lba, 100);
	assert_int_equal(p.ptr[0].dst_lba, 1000);
	assert_int_equal(p.ptr[0].count, 10);
	assert_int_equal(p.ptr[1].src_lba, 500);
	assert_int_equal(p.ptr[1].dst_lba, 1010);
	assert_int_equal(p.ptr[1].count, 15);
	/* each piece carries its ranges' disks */
	assert_int_equal(p.ptr[0].src_disk, 0);
	assert_int_equal(p.ptr[0].dst_disk, 2);
	assert_int_equal(p.ptr[1].src_disk, 1);
	assert_int_equal(p.ptr[1].dst_disk, 2);
	vitk_array_clear(p);
	assert_int_equal(vitk_odx_blk_pieces_make(&p, &s, &d, 26), VITK_ERANGE);
	vitk_array_clear(p);
	vitk_array_clear(s);
	vitk_array_clear(d);
}

/* FIEMAP buffers built as the kernel lays them out. */
static size_t fm_build(unsigned char *buf, const struct fiemap_extent *e, unsigned n)
{
	struct fiemap fm = {0};

	fm.fm_mapped_extents = n;
	memcpy(buf, &fm, sizeof(fm));
	memcpy(buf + sizeof(fm), e, n * sizeof(*e));
	return sizeof(fm) + n * sizeof(*e);
}

static void test_fiemap(void **state)
{
	unsigned char buf[sizeof(struct fiemap) + 8 * sizeof(struct fiemap_extent)];
	struct fiemap_extent e[3] = {0};
	vitk_odx_file_extents x = VITK_ARRAY_INIT;
	bool last;
	size_t n;

	(void)state;
	/* data 0..1M, hole 1M..2M, unwritten 2M..3M, data 3M..4M (last), file 5M: tail hole not added here */
	e[0] = (struct fiemap_extent){.fe_logical = 0, .fe_physical = 1 << 30, .fe_length = 1 << 20};
	e[1] = (struct fiemap_extent){.fe_logical = 2 << 20, .fe_physical = 7 << 20, .fe_length = 1 << 20,
				      .fe_flags = FIEMAP_EXTENT_UNWRITTEN};
	e[2] = (struct fiemap_extent){.fe_logical = 3 << 20, .fe_physical = 9 << 20, .fe_length = 1 << 20,
				      .fe_flags = FIEMAP_EXTENT_LAST | FIEMAP_EXTENT_SHARED};
	n = fm_build(buf, e, 3);
	assert_int_equal(vitk_odx_fiemap_parse(&x, buf, n, 5 << 20, &last), 0);
	assert_true(last);
	assert_int_equal(x.size, 4);
	assert_int_equal(x.ptr[0].kind, VITK_ODX_EXT_DATA);
	assert_int_equal(x.ptr[0].physical, 1 << 30);
	assert_int_equal(x.ptr[1].kind, VITK_ODX_EXT_ZERO); /* hole */
	assert_int_equal(x.ptr[1].logical, 1 << 20);
	assert_int_equal(x.ptr[1].length, 1 << 20);
	assert_int_equal(x.ptr[2].kind, VITK_ODX_EXT_ZERO); /* unwritten */
	assert_int_equal(x.ptr[3].kind, VITK_ODX_EXT_DATA);
	assert_true(x.ptr[3].shared);
	vitk_array_clear(x);

	/* refusals, each with its reason */
	e[0].fe_flags = FIEMAP_EXTENT_DELALLOC;
	n = fm_build(buf, e, 1);
	assert_int_equal(vitk_odx_fiemap_parse(&x, buf, n, 5 << 20, &last), VITK_ENOTSUP);
	assert_non_null(strstr(vitk_error_last()->message, "delayed allocation"));
	vitk_array_clear(x);
	e[0].fe_flags = FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_NOT_ALIGNED;
	n = fm_build(buf, e, 1);
	assert_int_equal(vitk_odx_fiemap_parse(&x, buf, n, 5 << 20, &last), VITK_ENOTSUP);
	assert_non_null(strstr(vitk_error_last()->message, "inline"));
	vitk_array_clear(x);
	e[0].fe_flags = FIEMAP_EXTENT_ENCODED;
	n = fm_build(buf, e, 1);
	assert_int_equal(vitk_odx_fiemap_parse(&x, buf, n, 5 << 20, &last), VITK_ENOTSUP);
	vitk_array_clear(x);
	e[0].fe_flags = FIEMAP_EXTENT_UNKNOWN;
	n = fm_build(buf, e, 1);
	assert_int_equal(vitk_odx_fiemap_parse(&x, buf, n, 5 << 20, &last), VITK_ENOTSUP);
	vitk_array_clear(x);

	/* malformed: more extents than the buffer holds, out of order */
	e[0].fe_flags = 0;
	n = fm_build(buf, e, 2);
	assert_int_equal(vitk_odx_fiemap_parse(&x, buf, n - 1, 5 << 20, &last), VITK_EINVAL);
	vitk_array_clear(x);
	e[1].fe_logical = 0;
	n = fm_build(buf, e, 2);
	assert_int_equal(vitk_odx_fiemap_parse(&x, buf, n, 5 << 20, &last), VITK_EINVAL);
	vitk_array_clear(x);
	assert_int_equal(vitk_odx_fiemap_parse(&x, buf, 3, 5 << 20, &last), VITK_EINVAL);
	vitk_array_clear(x);
}

/* A file with data, a hole and an unwritten extent on sda1 (512-byte blocks). */
static void test_file_ranges(void **state)
{
	vitk_odx_blk_map m;
	vitk_odx_file_extents x = VITK_ARRAY_INIT;
	vitk_odx_blk_ranges r = VITK_ARRAY_INIT, d = VITK_ARRAY_INIT;
	vitk_odx_blk_pieces p = VITK_ARRAY_INIT;
	vitk_odx_file_extent e1 = {0, 4096, 8192, VITK_ODX_EXT_DATA, false};
	vitk_odx_file_extent e2 = {8192, 0, 4096, VITK_ODX_EXT_ZERO, false};
	vitk_odx_file_extent e3 = {12288, 0, 4096, VITK_ODX_EXT_ZERO, false};
	vitk_odx_file_extent e4 = {16384, 12288, 4096, VITK_ODX_EXT_DATA, false};
	vitk_odx_blk_range lv = {5000, 40, false, 0};

	(void)state;
	assert_int_equal(vitk_odx_blk_resolve_name(&m, "sda1", &env), 0);
	assert_int_equal(vitk_array_append(x, e1), 0);
	assert_int_equal(vitk_array_append(x, e2), 0);
	assert_int_equal(vitk_array_append(x, e3), 0);
	assert_int_equal(vitk_array_append(x, e4), 0);
	assert_int_equal(vitk_odx_blk_file_ranges(&r, &m, &x, 20480), 0);
	/* data 8 blocks at sda1 block 8 = sda 2056, zeros 16 blocks (merged), then data at 2072
	 * which is adjacent to nothing before it (a zero range sits between) */
	assert_int_equal(r.size, 3);
	assert_int_equal(r.ptr[0].lba, 2048 + 8);
	assert_int_equal(r.ptr[0].count, 16);
	assert_false(r.ptr[0].zero);
	assert_true(r.ptr[1].zero);
	assert_int_equal(r.ptr[1].count, 16);
	assert_int_equal(r.ptr[2].lba, 2048 + 24);
	assert_int_equal(r.ptr[2].count, 8);
	assert_int_equal(vitk_array_append(d, lv), 0);
	assert_int_equal(vitk_odx_blk_pieces_make(&p, &r, &d, 40), 0);
	assert_int_equal(p.size, 3);
	assert_true(p.ptr[1].zero);
	assert_int_equal(p.ptr[1].dst_lba, 5016);
	assert_int_equal(p.ptr[2].src_lba, 2072);
	assert_int_equal(p.ptr[2].dst_lba, 5032);
	vitk_array_clear(p);
	vitk_array_clear(r);
	/* a size that is not whole blocks is refused */
	assert_int_equal(vitk_odx_blk_file_ranges(&r, &m, &x, 20481), VITK_ENOTSUP);
	vitk_array_clear(r);
	vitk_array_clear(d);
	vitk_array_clear(x);
	vitk_odx_blk_map_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_disk),   cmocka_unit_test(test_partition),
		cmocka_unit_test(test_lvm_segments), cmocka_unit_test(test_lv_spans_two_disks),
		cmocka_unit_test(test_nested_dm_4k),
		cmocka_unit_test(test_multipath),    cmocka_unit_test(test_multipath_dm_failed),
		cmocka_unit_test(test_mpath_status_parse),    cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_malformed),    cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_fiemap),       cmocka_unit_test(test_file_ranges),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
