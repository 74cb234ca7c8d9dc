/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the CDB dispatcher end to end: one device with small file-backed
 * LUNs (512 and 4096-byte blocks, one read-only) lives for the whole run;
 * each input is [lun selector][cdb length][16 CDB bytes][Data-Out...].
 * Every command must come back with a SCSI status, never a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "odx/target/device/scsi_device.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tgt_device *dev;
static char dir[512];
static char paths[3][600];
static uint8_t din[1 << 18];

static void cleanup(void)
{
	int i;

	tgt_device_free(dev);
	for (i = 0; i < 3; i++)
		unlink(paths[i]);
	rmdir(dir);
}

static int init(void)
{
	tgt_device_options o = { 0 };
	tgt_lun_config c = { 0 };
	const char *t = getenv("TEST_TMPDIR");
	int i;

	snprintf(dir, sizeof(dir), "%s/cdbfuzzXXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	for (i = 0; i < 3; i++)
		snprintf(paths[i], sizeof(paths[i]), "%s/l%d.img", dir, i);
	o.iqn = "iqn.2026-01.io.vitk:fuzz";
	o.max_bytes_per_command = 96 * 1024;
	if (tgt_device_new(&dev, &o) < 0)
		return -1;
	c.lun = 0, c.path = paths[0], c.size = 256 * 1024, c.block_size = 512;
	if (tgt_device_add_lun(dev, &c) < 0)
		return -1;
	c.lun = 1, c.path = paths[1], c.size = 256 * 1024, c.block_size = 4096;
	if (tgt_device_add_lun(dev, &c) < 0)
		return -1;
	c.lun = 2, c.path = paths[2], c.size = 64 * 1024, c.block_size = 512;
	if (tgt_device_add_lun(dev, &c) < 0)
		return -1;
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tgt_cmd cmd;

	if (!dev && init() < 0)
		abort();
	if (size < 18)
		return 0;
	memset(&cmd, 0, sizeof(cmd));
	cmd.lun = data[0] % 5; /* 3 and 4 do not exist */
	cmd.cdb = data + 2;
	cmd.cdb_len = data[1] % 17;
	cmd.dout = data + 18;
	cmd.dout_len = size - 18;
	cmd.din = din;
	cmd.din_cap = sizeof(din);
	if (tgt_device_exec(dev, &cmd) != 0)
		abort();
	if (cmd.din_len > cmd.din_cap || cmd.sense_len > TGT_SENSE_MAX)
		abort();
	if (cmd.status != 0 && cmd.status != 2)
		abort();
	if (cmd.status == 2 && cmd.sense_len < 18)
		abort();
	/* the CDB helper must not crash on the same bytes either */
	(void)tgt_cdb_dout_len(cmd.cdb, cmd.cdb_len, 512);
	return 0;
}
