/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the CDB dispatcher end to end: one device with small file-backed
 * LUNs (512 and 4096-byte blocks, one read-only) lives for the whole run;
 * each input is [flags|lun selector][cdb length][16 CDB bytes][Data-Out...].
 * Every command must come back with a SCSI status, never a crash.
 *
 * To get past the designator and token checks into the data movers, flag
 * 0x80 patches every E4h CSCD of an EXTENDED COPY with a real LUN's NAA
 * designator, and flag 0x40 replaces the ROD token of a WRITE USING TOKEN
 * with the last token this process populated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labtarget/scsi/cdb.h"
#include "labtarget/scsi/scsi_device.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tgt_device *dev;
static char dir[512];
static char paths[3][600];
static uint8_t din[1 << 18];
static uint8_t naa[3][16];
static uint8_t last_token[512];
static uint8_t patched[1 << 16];

static void exec_simple(unsigned lun, const uint8_t *cdb, size_t len, size_t cap)
{
	tgt_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.lun = lun;
	cmd.cdb = cdb;
	cmd.cdb_len = len;
	cmd.din = din;
	cmd.din_cap = cap;
	if (tgt_device_exec(dev, &cmd) != 0)
		abort();
}

static void cleanup(void)
{
	int i;

	tgt_device_free(dev);
	for (i = 0; i < 3; i++) {
		char pr[620];

		unlink(paths[i]);
		snprintf(pr, sizeof(pr), "%s.pr", paths[i]); /* APTPL state (PROUT) */
		unlink(pr);
	}
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
	c.sanitize = true; /* SANITIZE, too; the others refuse it */
	if (tgt_device_add_lun(dev, &c) < 0)
		return -1;
	/* LUN 1 keeps token snapshots (copied where the filesystem cannot
	 * reflink), LUN 2 revokes tokens on writes */
	c.lun = 1, c.path = paths[1], c.size = 256 * 1024, c.block_size = 4096;
	c.tokens = TGT_TOKENS_SNAPSHOT;
	c.sanitize = false;
	if (tgt_device_add_lun(dev, &c) < 0)
		return -1;
	c.tokens = TGT_TOKENS_REVOKE;
	c.lun = 2, c.path = paths[2], c.size = 64 * 1024, c.block_size = 512;
	if (tgt_device_add_lun(dev, &c) < 0)
		return -1;
	atexit(cleanup);
	for (i = 0; i < 3; i++) {
		uint8_t inq[6] = { 0x12, 0x01, 0x83, 0x00, 0xff, 0x00 };

		exec_simple((unsigned)i, inq, 6, 255);
		memcpy(naa[i], din + 8, 16);
	}
	return 0;
}

/* after a POPULATE TOKEN, remember its token (RRTI) for later WUT inputs */
static void grab_token(const tgt_cmd *c)
{
	uint8_t rrti[16] = { 0x84, 0x07 };

	memcpy(rrti + 2, c->cdb + 6, 4);
	rrti[12] = 0x04;
	exec_simple((unsigned)c->lun, rrti, 16, 1024);
	if (din[5] == 0x01 || din[5] == 0x03) {
		size_t s = din[13];

		memcpy(last_token, din + 32 + s + 6, 512);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tgt_cmd cmd;

	if (!dev && init() < 0)
		abort();
	if (size < 18)
		return 0;
	memset(&cmd, 0, sizeof(cmd));
	cmd.lun = (data[0] & 0x3f) % 5; /* 3 and 4 do not exist */
	cmd.cdb = data + 2;
	cmd.cdb_len = data[1] % 17;
	cmd.dout = data + 18;
	cmd.dout_len = size - 18;
	if (cmd.cdb_len >= 2 && data[2] == 0x83 && cmd.dout_len <= sizeof(patched)) {
		memcpy(patched, data + 18, cmd.dout_len);
		if ((data[0] & 0x80) && (data[3] & 0x1f) == 0x00 && cmd.dout_len >= 16) {
			size_t i, n = (size_t)((patched[2] << 8) | patched[3]) / 32;

			for (i = 0; i < n && 16 + 32 * i + 24 <= cmd.dout_len; i++)
				if (patched[16 + 32 * i] == 0xe4)
					memcpy(patched + 16 + 32 * i + 8, naa[i % 3], 16);
		}
		if ((data[0] & 0x40) && (data[3] & 0x1f) == 0x11 && cmd.dout_len >= 528)
			memcpy(patched + 16, last_token, 512);
		cmd.dout = patched;
	}
	cmd.din = din;
	cmd.din_cap = sizeof(din);
	if (tgt_device_exec(dev, &cmd) != 0)
		abort();
	if (cmd.din_len > cmd.din_cap || cmd.sense_len > TGT_SENSE_MAX)
		abort();
	if (cmd.status != 0 && cmd.status != 2 && cmd.status != 0x18)
		abort();
	if (cmd.status == 0x18 && cmd.sense_len != 0) /* RESERVATION CONFLICT has no sense */
		abort();
	if (cmd.status == 2 && cmd.sense_len < 18)
		abort();
	if (cmd.status == 0 && cmd.cdb_len >= 16 && cmd.cdb[0] == 0x83 &&
	    (cmd.cdb[1] & 0x1f) == 0x10)
		grab_token(&cmd);
	/* the CDB helper must not crash on the same bytes either */
	(void)tgt_cdb_dout_len(cmd.cdb, cmd.cdb_len, 512);
	return 0;
}
