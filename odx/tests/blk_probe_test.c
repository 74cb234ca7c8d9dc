/* SPDX-License-Identifier: MIT */
/*
 * `vitk odx probe` of block devices and files (vitk_odx_blk_probe): device
 * nodes made with mknod whose numbers lead into a fake sysfs tree and fake dm
 * tables (fake_sysblk), the SCSI disk under them a scripted fake (fake_scsi);
 * every layer row, every method's verdict and the document are checked
 * exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <fcntl.h>

#include <cmocka.h>

#include <jansson.h>

#include <vitk/error.h>
#include <vitk/odx.h>
#include <vitk/sys/odx_blk.h>
#include <vitk/table.h>

#include "fake_scsi.h"
#include "fake_sysblk.h"

#define NBLK 8192u

static vitk_odx_blk_env env;
static fake_scsi disk0; /* behind /dev/sg0 (sda) */
static fake_scsi disk1; /* behind /dev/sg1 (sdb) */
static const char *disk1_cm; /* disk1's copy manager (disk0's is "cm") */
static char nodes[512];

static int open_fake(void *payload, const char *name, bool read_only, vitk_odx_dev **out)
{
	(void)payload;
	(void)read_only;
	if (strcmp(name, "/dev/sg1") == 0)
		return vitk_odx_dev_open_with_transport(out, &disk1.t, name, disk1_cm, NULL);
	if (strcmp(name, "/dev/sg0") != 0)
		return vitk_error_set(VITK_ENOTFOUND, 0, "no device '%s'", name);
	return vitk_odx_dev_open_with_transport(out, &disk0.t, name, "cm", NULL);
}

static const vitk_odx_opener opener = { NULL, open_fake, NULL };

/* a block device node NAME for MAJ:MIN; returns its path (static buffer per call site) */
static const char *node(const char *name, unsigned maj, unsigned min)
{
	static char paths[16][600];
	static unsigned next;
	char *p = paths[next++ % 16];

	snprintf(p, 600, "%s/%s", nodes, name);
	unlink(p);
	if (mknod(p, S_IFBLK | 0600, makedev(maj, min)) != 0)
		fail_msg("mknod %s: the test runs as root", p);
	return p;
}

static int setup(void **state)
{
	(void)state;
	env.sysfs_root = fake_sysblk_root();
	env.dm_table = fake_dm_table;
	snprintf(nodes, sizeof(nodes), "%s/nodes", env.sysfs_root);
	assert_int_equal(mkdir(nodes, 0700), 0);
	/* sda: 8192 blocks of 512 bytes, sda1 from sector 2048 */
	fake_sysblk_disk("sda", "8:0", NBLK, 512, "sg0", "running");
	fake_sysblk_part("sda", "sda1", "8:1", 2048, NBLK - 2048);
	fake_sysblk_disk("sdc", "8:32", NBLK, 512, "sg2", "offline");
	fake_sysblk_disk("sdd", "8:48", NBLK, 512, "sg0", "running");
	fake_sysblk_other("loop0", "7:0", 2048);
	fake_sysblk_other("md0", "9:0", 2048);
	fake_sysblk_other("nvme0n1", "259:0", 2048);
	/* an LV on sda1: 1024 sectors from sector 0 of sda1 (LBA 2048) */
	fake_sysblk_dm("dm-0", "253:0", 1024, "vg-lv", "LVM-abc", "sda1");
	fake_dm_set(0, "0 1024 linear 8:1 0");
	/* a second LV, further on */
	fake_sysblk_dm("dm-1", "253:1", 1024, "vg-lv2", "LVM-abd", "sda1");
	fake_dm_set(1, "0 1024 linear 8:1 4096");
	/* a thin LV, a LUKS mapping on sda1, a multipath map */
	fake_sysblk_dm("dm-4", "253:4", 2048, "vg-thin", "LVM-t", "");
	fake_dm_set(4, "0 2048 thin 253:9 1");
	fake_sysblk_dm("dm-5", "253:5", 2048, "luks", "CRYPT-LUKS2-x", "sda1");
	fake_dm_set(5, "0 2048 crypt aes-xts-plain64 :64:logon:cryptsetup:x 0 8:1 32768");
	fake_sysblk_dm("dm-3", "253:3", NBLK, "mpatha", "mpath-3600", "sdc sdd");
	fake_dm_set(3, "0 8192 multipath 0 0 1 1 service-time 0 2 1 8:32 1 8:48 1");
	/* an LV over two disks: 512 sectors at sector 5120 of sda1, 512 at sector 2048 of sdb */
	fake_sysblk_disk("sdb", "8:16", NBLK, 512, "sg1", "running");
	fake_sysblk_dm("dm-6", "253:6", 1024, "vg-span", "LVM-sp", "sda1 sdb");
	fake_dm_set(6, "0 512 linear 8:1 5120\n512 512 linear 8:16 2048");
	fake_scsi_init(&disk0, "DISK0001", 1, 512, NBLK);
	fake_scsi_enable_3pc(&disk0, 65536, 0, 16u << 20, 1);
	fake_scsi_init(&disk1, "DISK0002", 2, 512, NBLK);
	fake_scsi_enable_3pc(&disk1, 65536, 0, 16u << 20, 1);
	disk1_cm = "cm";
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_scsi_dispose(&disk0);
	fake_scsi_dispose(&disk1);
	fake_dm_reset();
	fake_sysblk_remove();
	return 0;
}

static void expect_layer(const vitk_odx_probe_stack *st, size_t i, const char *dev, const char *kind,
			 const char *detail, const char *token_why, const char *xcopy_why)
{
	const vitk_odx_probe_layer *l;

	assert_true(i < st->nlayers);
	l = &st->layers[i];
	assert_string_equal(l->dev, dev);
	assert_string_equal(l->kind, kind);
	assert_string_equal(l->detail, detail);
	if (token_why)
		assert_string_equal(l->why[VITK_ODX_ITEM_TOKEN], token_why);
	else
		assert_null(l->why[VITK_ODX_ITEM_TOKEN]);
	if (xcopy_why)
		assert_string_equal(l->why[VITK_ODX_ITEM_XCOPY], xcopy_why);
	else
		assert_null(l->why[VITK_ODX_ITEM_XCOPY]);
	assert_null(l->why[VITK_ODX_ITEM_HOST]);
}

static void probe1(vitk_odx_probe_result *pr, const char *path)
{
	const char *names[] = { path };

	assert_int_equal(vitk_odx_blk_probe(pr, NULL, 0, names, 1, &opener, &env), 0);
	assert_int_equal(pr->ndevs, 0);
	assert_int_equal(pr->nstacks, 1);
	assert_ptr_equal(pr->stacks[0].name, path);
}

/* A linear LV on a partition of a 3PC disk: every layer allows both offload methods. */
static void test_linear_lv(void **state)
{
	vitk_odx_probe_result pr;
	const vitk_odx_probe_stack *st;

	(void)state;
	probe1(&pr, node("lv", 253, 0));
	st = &pr.stacks[0];
	assert_true(st->offloadable);
	assert_false(st->file);
	assert_string_equal(st->sg, "/dev/sg0");
	assert_int_equal(st->first_lba, 2048);
	assert_int_equal(st->nranges, 1);
	assert_null(st->reason);
	assert_int_equal(st->nlayers, 3);
	expect_layer(st, 0, "dm-0", "dm-linear", "LVM LV vg-lv: 1 segment", NULL, NULL);
	expect_layer(st, 1, "sda1", "partition", "starts at sector 2048 of sda", NULL, NULL);
	expect_layer(st, 2, "sda", "disk", "SCSI disk, sg node /dev/sg0", NULL, NULL);
	assert_non_null(st->dev);
	assert_int_equal(st->plan.chosen, VITK_ODX_METHOD_TOKEN);
	assert_true(st->plan.items[VITK_ODX_ITEM_TOKEN].usable);
	assert_true(st->plan.items[VITK_ODX_ITEM_XCOPY].usable);
	assert_true(st->plan.items[VITK_ODX_ITEM_HOST].usable);
	vitk_odx_probe_result_clear(&pr);
}

/* The same LV on a disk without 3PC: the disk layer refuses, and the reason names it. */
static void test_disk_without_3pc(void **state)
{
	vitk_odx_probe_result pr;
	const vitk_odx_probe_stack *st;

	(void)state;
	fake_scsi_dispose(&disk0);
	fake_scsi_init(&disk0, "DISK0001", 1, 512, NBLK);
	probe1(&pr, node("lv", 253, 0));
	st = &pr.stacks[0];
	assert_true(st->offloadable);
	expect_layer(st, 0, "dm-0", "dm-linear", "LVM LV vg-lv: 1 segment", NULL, NULL);
	expect_layer(st, 2, "sda", "disk", "SCSI disk, sg node /dev/sg0",
		     "no 3PC / ODX token copy unsupported (neither device has the 3PC bit)",
		     "no 3PC / EXTENDED COPY unsupported");
	assert_int_equal(st->plan.chosen, VITK_ODX_METHOD_HOST);
	assert_string_equal(st->plan.items[VITK_ODX_ITEM_TOKEN].reason,
			    "sda (disk, /dev/sg0): no 3PC / ODX token copy unsupported (neither "
			    "device has the 3PC bit)");
	assert_string_equal(st->plan.items[VITK_ODX_ITEM_XCOPY].reason,
			    "sda (disk, /dev/sg0): no 3PC / EXTENDED COPY unsupported");
	vitk_odx_probe_result_clear(&pr);
}

/* Each refusal: the refusing layer's row carries the reason, the device's methods name it. */
static void expect_refused(const char *path, size_t nlayers, size_t at, const char *dev,
			   const char *kind, const char *why)
{
	vitk_odx_probe_result pr;
	const vitk_odx_probe_stack *st;
	char named[512];

	probe1(&pr, path);
	st = &pr.stacks[0];
	assert_false(st->offloadable);
	assert_null(st->dev);
	assert_null(st->sg);
	assert_int_equal(st->nlayers, nlayers);
	expect_layer(st, at, dev, kind, why, why, why);
	snprintf(named, sizeof(named), "%s (%s): %s", dev, kind, why);
	assert_string_equal(st->reason, named);
	assert_int_equal(st->plan.chosen, VITK_ODX_METHOD_HOST);
	assert_false(st->plan.items[VITK_ODX_ITEM_TOKEN].usable);
	assert_string_equal(st->plan.items[VITK_ODX_ITEM_TOKEN].reason, named);
	assert_false(st->plan.items[VITK_ODX_ITEM_XCOPY].usable);
	assert_string_equal(st->plan.items[VITK_ODX_ITEM_XCOPY].reason, named);
	assert_true(st->plan.items[VITK_ODX_ITEM_HOST].usable);
	vitk_odx_probe_result_clear(&pr);
}

static void test_refusals(void **state)
{
	(void)state;
	expect_refused(node("thin", 253, 4), 1, 0, "dm-4", "dm-thin",
		       "dm-thin: blocks are allocated on write and shared with thin snapshots");
	expect_refused(node("luks", 253, 5), 1, 0, "dm-5", "dm-crypt",
		       "dm-crypt: the array holds ciphertext; a copy under another key is garbage");
	expect_refused(node("md0", 9, 0), 1, 0, "md0", "md",
		       "md RAID: the data is spread over member devices with parity or copies");
	expect_refused(node("loop0", 7, 0), 1, 0, "loop0", "loop",
		       "loop device: a file on a filesystem (copy the file instead)");
	expect_refused(node("nvme", 259, 0), 1, 0, "nvme0n1", "nvme",
		       "NVMe: its own copy command is not supported yet");
	/* an LV on the loop device: the LV's layer allows, the loop layer refuses */
	fake_sysblk_dm("dm-8", "253:8", 1024, "vg-onloop", "LVM-l", "loop0");
	fake_dm_set(8, "0 1024 linear 7:0 0");
	expect_refused(node("onloop", 253, 8), 2, 1, "loop0", "loop",
		       "loop device: a file on a filesystem (copy the file instead)");
}

/* A multipath map: the path chosen (the running one) is in the layer, and it offloads. */
static void test_multipath(void **state)
{
	vitk_odx_probe_result pr;
	const vitk_odx_probe_stack *st;

	(void)state;
	probe1(&pr, node("mpatha", 253, 3));
	st = &pr.stacks[0];
	assert_true(st->offloadable);
	assert_int_equal(st->nlayers, 2);
	expect_layer(st, 0, "dm-3", "dm-multipath", "mpatha: path sdd of 2 (sdc, sdd)", NULL, NULL);
	expect_layer(st, 1, "sdd", "disk", "SCSI disk, sg node /dev/sg0", NULL, NULL);
	assert_int_equal(st->first_lba, 0);
	vitk_odx_probe_result_clear(&pr);
}

/* A whole SCSI disk is a LUN: the probe of LUNs as before. */
static void test_whole_disk_is_a_lun(void **state)
{
	const char *names[] = { NULL };
	vitk_odx_probe_result pr;

	(void)state;
	names[0] = node("sda", 8, 0);
	assert_int_equal(vitk_odx_blk_probe(&pr, NULL, 0, names, 1, &opener, &env), VITK_ENOTFOUND);
	/* opened by its name, as every LUN is (the fake opener knows only /dev/sg0) */
	assert_int_equal(pr.failed, VITK_ODX_STAGE_OPEN);
	assert_string_equal(pr.failed_name, names[0]);
	assert_int_equal(pr.nstacks, 0);
	vitk_odx_probe_result_clear(&pr);
	/* a partition of it is a stack */
	probe1(&pr, node("sda1", 8, 1));
	assert_true(pr.stacks[0].offloadable);
	assert_int_equal(pr.stacks[0].nlayers, 2);
	vitk_odx_probe_result_clear(&pr);
}

static const char *want_devt(const struct stat *sb)
{
	static char buf[40];

	snprintf(buf, sizeof(buf), "%u:%u", major(sb->st_dev), minor(sb->st_dev));
	return buf;
}

/* A file on a filesystem whose device is a SCSI disk: its own layer (FIEMAP), then the disk. */
static void test_file(void **state)
{
	char path[600], want[200];
	static char block[4096];
	vitk_odx_probe_result pr;
	const vitk_odx_probe_stack *st;
	struct stat sb;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/image", nodes);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	assert_true(fd >= 0);
	memset(block, 0xab, sizeof(block));
	/* 4 KiB written, a 60 KiB hole, 4 KiB written */
	assert_int_equal(pwrite(fd, block, sizeof(block), 0), sizeof(block));
	assert_int_equal(pwrite(fd, block, sizeof(block), 65536), sizeof(block));
	assert_int_equal(fsync(fd), 0);
	assert_int_equal(fstat(fd, &sb), 0);
	close(fd);
	/* the filesystem's device, in the fake tree: a vd* disk first, then a SCSI disk */
	fake_sysblk_other("vdz", want_devt(&sb), 1ull << 40);
	probe1(&pr, path);
	st = &pr.stacks[0];
	assert_true(st->file);
	assert_false(st->offloadable);
	assert_int_equal(st->nlayers, 2);
	snprintf(want, sizeof(want), "69632 bytes on vdz");
	expect_layer(st, 0, path, "file", want, NULL, NULL);
	expect_layer(st, 1, "vdz", "virtio", "virtio-blk: no SCSI third-party copy",
		     "virtio-blk: no SCSI third-party copy", "virtio-blk: no SCSI third-party copy");
	assert_string_equal(st->reason, "vdz (virtio): virtio-blk: no SCSI third-party copy");
	vitk_odx_probe_result_clear(&pr);
	/* now the filesystem's device number leads to a SCSI disk */
	fake_sysblk_disk("sdz", want_devt(&sb), 1ull << 40, 512, "sg0", "running");
	probe1(&pr, path);
	st = &pr.stacks[0];
	assert_true(st->file);
	assert_true(st->offloadable);
	assert_string_equal(st->sg, "/dev/sg0");
	assert_int_equal(st->nranges, 3); /* data, zeros, data */
	assert_int_equal(st->nlayers, 2);
	expect_layer(st, 0, path, "file",
		     "FIEMAP: 8192 bytes written, 61440 in holes or unwritten extents (zeroed on a "
		     "destination), 0 shared; not a destination: it must be written everywhere "
		     "and share no blocks",
		     NULL, NULL);
	assert_string_equal(st->layers[1].dev, "sdz");
	assert_string_equal(st->layers[1].kind, "disk");
	vitk_odx_probe_result_clear(&pr);
}

/* @j dumped compactly with sorted keys equals @want */
static void assert_json(const json_t *j, const char *want)
{
	char *got = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	if (strcmp(got, want) != 0)
		fail_msg("json:\n got  %s\n want %s", got, want);
	free(got);
}

/* The document of an LV and a thin LV: a row per layer, pairs with the layer's reason. */
static void test_document(void **state)
{
	const char *names[2];
	vitk_odx_probe_result pr;
	vitk_odx_doc doc;
	const vitk_table *t;
	json_t *stacks;

	(void)state;
	names[0] = node("lv", 253, 0);
	names[1] = node("thin", 253, 4);
	assert_int_equal(vitk_odx_blk_probe(&pr, NULL, 0, names, 2, &opener, &env), 0);
	assert_int_equal(pr.npairs, 2);
	assert_false(pr.pairs[0].offload);
	assert_int_equal(pr.pairs[0].method, VITK_ODX_METHOD_HOST);
	assert_string_equal(pr.pairs[0].reason,
			    "token: dm-4 (dm-thin): dm-thin: blocks are allocated on write and shared "
			    "with thin snapshots; xcopy: dm-4 (dm-thin): dm-thin: blocks are allocated "
			    "on write and shared with thin snapshots");
	assert_int_equal(vitk_odx_probe_doc(&doc, &pr), 0);
	t = doc.table;
	assert_int_equal(vitk_table_ncolumns(t), 8);
	assert_int_equal(vitk_table_nrows(t), 4);
	assert_string_equal(vitk_table_get_str(t, 0, 0), names[0]);
	assert_string_equal(vitk_table_get_str(t, 0, 2), "dm-0");
	assert_string_equal(vitk_table_get_str(t, 0, 3), "dm-linear");
	assert_string_equal(vitk_table_get_str(t, 0, 5), "yes");
	assert_string_equal(vitk_table_get_str(t, 2, 2), "sda");
	assert_string_equal(vitk_table_get_str(t, 2, 6), "yes");
	assert_string_equal(vitk_table_get_str(t, 3, 0), names[1]);
	assert_string_equal(vitk_table_get_str(t, 3, 3), "dm-thin");
	assert_string_equal(vitk_table_get_str(t, 3, 5),
			    "no: dm-thin: blocks are allocated on write and shared with thin snapshots");
	assert_string_equal(vitk_table_get_str(t, 3, 7), "yes");
	assert_int_equal(doc.nrecords, 0); /* several names: the table */
	stacks = json_object_get(doc.json, "stacks");
	assert_int_equal(json_array_size(stacks), 2);
	assert_json(json_object_get(json_array_get(stacks, 1), "layers"),
		    "[{\"detail\":\"dm-thin: blocks are allocated on write and shared with thin "
		    "snapshots\",\"dev\":\"dm-4\",\"host\":\"yes\",\"kind\":\"dm-thin\",\"layer\":0,"
		    "\"token\":\"no: dm-thin: blocks are allocated on write and shared with thin "
		    "snapshots\",\"xcopy\":\"no: dm-thin: blocks are allocated on write and shared "
		    "with thin snapshots\"}]");
	assert_json(json_object_get(json_array_get(stacks, 0), "methods"),
		    "[{\"method\":\"token\",\"reason\":null,\"usable\":true},"
		    "{\"method\":\"xcopy\",\"reason\":null,\"usable\":true},"
		    "{\"method\":\"host\",\"reason\":null,\"usable\":true}]");
	assert_true(json_is_true(json_object_get(json_array_get(stacks, 0), "offloadable")));
	assert_int_equal(json_array_size(json_object_get(doc.json, "devices")), 1);
	assert_int_equal(json_array_size(json_object_get(doc.json, "pairs")), 2);
	/* lines: each stack's methods, the LUN, the pairs */
	assert_int_equal(doc.nlines, 3 + 3 + 1 + 2);
	assert_non_null(strstr(doc.lines[0], ": token yes"));
	assert_non_null(strstr(doc.lines[3], ": token no, dm-4 (dm-thin): dm-thin"));
	assert_non_null(strstr(doc.lines[6], "LUN /dev/sg0 ("));
	assert_non_null(strstr(doc.lines[6], "3PC yes"));
	vitk_odx_doc_clear(&doc);
	vitk_odx_probe_result_clear(&pr);

	/* one name: records, one per layer, then its LUN */
	names[1] = NULL;
	assert_int_equal(vitk_odx_blk_probe(&pr, NULL, 0, names, 1, &opener, &env), 0);
	assert_int_equal(vitk_odx_probe_doc(&doc, &pr), 0);
	assert_int_equal(doc.nrecords, 4);
	assert_string_equal(vitk_table_get_str(doc.records[1], 0, 3), "partition");
	assert_int_equal(vitk_table_ncolumns(doc.records[3]), 18); /* the LUN's capabilities */
	vitk_odx_doc_clear(&doc);
	vitk_odx_probe_result_clear(&pr);
}

/* Two LVs on the same disk: the pair is planned on the disk at their own blocks. */
static void test_pair_same_disk(void **state)
{
	const char *names[2];
	vitk_odx_probe_result pr;

	(void)state;
	names[0] = node("lv", 253, 0);
	names[1] = node("lv2", 253, 1);
	assert_int_equal(vitk_odx_blk_probe(&pr, NULL, 0, names, 2, &opener, &env), 0);
	assert_int_equal(pr.nstacks, 2);
	assert_int_equal(pr.stacks[1].first_lba, 2048 + 4096);
	assert_true(pr.pairs[0].offload);
	assert_int_equal(pr.pairs[0].plan.src_lba, 2048);
	assert_int_equal(pr.pairs[0].plan.dst_lba, 2048 + 4096);
	assert_string_equal(pr.pairs[0].reason, "token is usable");
	vitk_odx_probe_result_clear(&pr);
}

/* The layers and disks of the LV over sda1 and sdb. */
static const vitk_odx_probe_stack *probe_span(vitk_odx_probe_result *pr)
{
	const vitk_odx_probe_stack *st;

	probe1(pr, node("span", 253, 6));
	st = &pr->stacks[0];
	assert_true(st->offloadable);
	assert_null(st->reason);
	assert_string_equal(st->sg, "/dev/sg0");
	assert_int_equal(st->first_lba, 2048 + 5120);
	assert_int_equal(st->nranges, 2);
	assert_int_equal(st->ndisks, 2);
	assert_string_equal(st->disks[0].name, "sda");
	assert_string_equal(st->disks[0].sg, "/dev/sg0");
	assert_string_equal(st->disks[1].name, "sdb");
	assert_string_equal(st->disks[1].sg, "/dev/sg1");
	assert_ptr_equal(st->dev, st->disks[0].dev);
	assert_string_equal(vitk_odx_dev_get_info(st->disks[1].dev)->name, "/dev/sg1");
	/* each disk planned within itself, from its first block of the LV */
	assert_int_equal(st->disks[0].plan.src_lba, 2048 + 5120);
	assert_int_equal(st->disks[1].plan.src_lba, 2048);
	assert_int_equal(st->disks[1].plan.dst_lba, NBLK - 1);
	assert_int_equal(st->nlayers, 4);
	expect_layer(st, 0, "dm-6", "dm-linear", "LVM LV vg-span: 2 segments", NULL, NULL);
	expect_layer(st, 1, "sda1", "partition", "starts at sector 2048 of sda", NULL, NULL);
	return st;
}

/* An LV over two 3PC disks of one copy manager: both disks listed, offload on every piece. */
static void test_span_two_disks(void **state)
{
	vitk_odx_probe_result pr;
	const vitk_odx_probe_stack *st;
	vitk_odx_doc doc;
	json_t *devs;

	(void)state;
	st = probe_span(&pr);
	expect_layer(st, 2, "sda", "disk", "SCSI disk, sg node /dev/sg0", NULL, NULL);
	expect_layer(st, 3, "sdb", "disk", "SCSI disk, sg node /dev/sg1", NULL, NULL);
	assert_int_equal(st->plan.chosen, VITK_ODX_METHOD_TOKEN);
	for (int k = 0; k < VITK_ODX_NITEMS; k++) {
		assert_true(st->plan.items[k].usable);
		assert_null(st->plan.items[k].reason);
		assert_null(st->across[k]);
	}
	assert_int_equal(vitk_odx_probe_doc(&doc, &pr), 0);
	/* records: four layers, then both LUNs */
	assert_int_equal(doc.nrecords, 6);
	assert_string_equal(vitk_table_get_str(doc.records[3], 0, 2), "sdb");
	assert_string_equal(vitk_table_get_str(doc.records[4], 0, 0), "/dev/sg0");
	assert_string_equal(vitk_table_get_str(doc.records[5], 0, 0), "/dev/sg1");
	devs = json_object_get(doc.json, "devices");
	assert_int_equal(json_array_size(devs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(devs, 1), "device")),
			    "/dev/sg1");
	assert_json(json_object_get(json_array_get(json_object_get(doc.json, "stacks"), 0),
				    "methods"),
		    "[{\"method\":\"token\",\"reason\":null,\"usable\":true},"
		    "{\"method\":\"xcopy\",\"reason\":null,\"usable\":true},"
		    "{\"method\":\"host\",\"reason\":null,\"usable\":true}]");
	vitk_odx_doc_clear(&doc);
	vitk_odx_probe_result_clear(&pr);
}

/* One of the two disks has no 3PC: no offload, and the reasons name that disk. */
static void test_span_disk_without_3pc(void **state)
{
	vitk_odx_probe_result pr;
	const vitk_odx_probe_stack *st;
	vitk_odx_doc doc;

	(void)state;
	fake_scsi_dispose(&disk1);
	fake_scsi_init(&disk1, "DISK0002", 2, 512, NBLK);
	st = probe_span(&pr);
	expect_layer(st, 2, "sda", "disk", "SCSI disk, sg node /dev/sg0", NULL, NULL);
	expect_layer(st, 3, "sdb", "disk", "SCSI disk, sg node /dev/sg1",
		     "no 3PC / ODX token copy unsupported (neither device has the 3PC bit)",
		     "no 3PC / EXTENDED COPY unsupported");
	assert_int_equal(st->plan.chosen, VITK_ODX_METHOD_HOST);
	assert_false(st->plan.items[VITK_ODX_ITEM_TOKEN].usable);
	assert_string_equal(st->plan.items[VITK_ODX_ITEM_TOKEN].reason,
			    "sdb (disk, /dev/sg1): no 3PC / ODX token copy unsupported (neither "
			    "device has the 3PC bit)");
	assert_false(st->plan.items[VITK_ODX_ITEM_XCOPY].usable);
	assert_string_equal(st->plan.items[VITK_ODX_ITEM_XCOPY].reason,
			    "sdb (disk, /dev/sg1): no 3PC / EXTENDED COPY unsupported");
	assert_true(st->plan.items[VITK_ODX_ITEM_HOST].usable);
	assert_null(st->across[VITK_ODX_ITEM_TOKEN]);
	assert_null(st->across[VITK_ODX_ITEM_XCOPY]);
	assert_int_equal(vitk_odx_probe_doc(&doc, &pr), 0);
	assert_json(json_object_get(json_array_get(json_object_get(doc.json, "stacks"), 0),
				    "methods"),
		    "[{\"method\":\"token\",\"reason\":\"sdb (disk, /dev/sg1): no 3PC / ODX token "
		    "copy unsupported (neither device has the 3PC bit)\",\"usable\":false},"
		    "{\"method\":\"xcopy\",\"reason\":\"sdb (disk, /dev/sg1): no 3PC / EXTENDED "
		    "COPY unsupported\",\"usable\":false},"
		    "{\"method\":\"host\",\"reason\":null,\"usable\":true}]");
	vitk_odx_doc_clear(&doc);
	vitk_odx_probe_result_clear(&pr);
}

/* Two disks behind different copy managers: offload within each disk, across them by host. */
static void test_span_two_copy_managers(void **state)
{
	static const char across[] =
		"within each disk only: pieces from sda (disk, /dev/sg0) to sdb (disk, /dev/sg1) "
		"would go by host (source and destination are on different copy managers)";
	vitk_odx_probe_result pr;
	const vitk_odx_probe_stack *st;
	vitk_odx_doc doc;
	char want[1024];

	(void)state;
	disk1_cm = "cm2";
	st = probe_span(&pr);
	expect_layer(st, 2, "sda", "disk", "SCSI disk, sg node /dev/sg0", NULL, NULL);
	expect_layer(st, 3, "sdb", "disk", "SCSI disk, sg node /dev/sg1", NULL, NULL);
	assert_int_equal(st->plan.chosen, VITK_ODX_METHOD_TOKEN);
	for (int k = 0; k < VITK_ODX_NITEMS; k++) {
		assert_true(st->plan.items[k].usable);
		assert_null(st->plan.items[k].reason);
	}
	assert_non_null(st->across[VITK_ODX_ITEM_TOKEN]);
	assert_non_null(st->across[VITK_ODX_ITEM_XCOPY]);
	assert_string_equal(st->across[VITK_ODX_ITEM_TOKEN], across);
	assert_string_equal(st->across[VITK_ODX_ITEM_XCOPY], across);
	assert_null(st->across[VITK_ODX_ITEM_HOST]);
	assert_int_equal(vitk_odx_probe_doc(&doc, &pr), 0);
	snprintf(want, sizeof(want),
		 "[{\"method\":\"token\",\"reason\":\"%s\",\"usable\":true},"
		 "{\"method\":\"xcopy\",\"reason\":\"%s\",\"usable\":true},"
		 "{\"method\":\"host\",\"reason\":null,\"usable\":true}]",
		 across, across);
	assert_json(json_object_get(json_array_get(json_object_get(doc.json, "stacks"), 0),
				    "methods"),
		    want);
	vitk_odx_doc_clear(&doc);
	/* several names: the text lines say it too */
	vitk_odx_probe_result_clear(&pr);
	{
		const char *names[] = { node("span", 253, 6), node("lv", 253, 0) };

		assert_int_equal(vitk_odx_blk_probe(&pr, NULL, 0, names, 2, &opener, &env), 0);
		assert_int_equal(vitk_odx_probe_doc(&doc, &pr), 0);
		snprintf(want, sizeof(want), "%s: token yes, %s", names[0], across);
		assert_string_equal(doc.lines[0], want);
		snprintf(want, sizeof(want), "%s: host yes", names[0]);
		assert_string_equal(doc.lines[2], want);
		snprintf(want, sizeof(want), "%s: token yes", names[1]);
		assert_string_equal(doc.lines[3], want);
		/* the LUNs: sda and sdb once each */
		assert_int_equal(json_array_size(json_object_get(doc.json, "devices")), 2);
		vitk_odx_doc_clear(&doc);
	}
	vitk_odx_probe_result_clear(&pr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linear_lv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_without_3pc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multipath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whole_disk_is_a_lun, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_document, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pair_same_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_span_two_disks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_span_disk_without_3pc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_span_two_copy_managers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
