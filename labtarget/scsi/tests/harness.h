/* SPDX-License-Identifier: MIT */
/*
 * Shared test scaffolding: a device with file-backed LUNs in a scratch
 * directory, a one-call command runner and sense assertions.
 *
 *   LUN 0: 4 MiB, 512-byte blocks          (a.img)
 *   LUN 1: 4 MiB, 512-byte blocks          (b.img)
 *   LUN 2: 1 MiB, 4096-byte blocks         (c.img)
 *   LUN 3: 1 MiB, 512-byte blocks, read-only (ro.img, pre-filled with 0xEE)
 */
#ifndef VITK_ODX_TARGET_DEVICE_TEST_HARNESS_H
#define VITK_ODX_TARGET_DEVICE_TEST_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <vitk/common.h>
#include <vitk/error.h>

#include "labtarget/scsi/cdb.h"
#include "labtarget/scsi/scsi_device.h"

#define H_LUN0_BLOCKS 8192u
#define H_LUN2_BLOCKS 256u
#define H_RO_BLOCKS 2048u

typedef struct {
	char dir[512];
	char path[4][600];
	tgt_device *dev;
	tgt_cmd cmd;
	uint8_t din[1 << 20];
} harness;

static inline const char *h_tmpdir(void)
{
	const char *t = getenv("TEST_TMPDIR");

	return t && *t ? t : "/tmp";
}

static inline tgt_device *h_new_device(harness *h, uint64_t cap, uint32_t ito_def,
				       uint32_t ito_max)
{
	tgt_device_options o = { 0 };
	tgt_lun_config c = { 0 };
	tgt_device *d = NULL;
	int fd;
	uint8_t fill[4096];

	o.iqn = "iqn.2026-01.io.vitk:test";
	o.max_bytes_per_command = cap;
	o.token_inactivity_default_s = ito_def;
	o.token_inactivity_max_s = ito_max;
	assert_int_equal(tgt_device_new(&d, &o), 0);

	/* the tests assume tokens revoked by writes, whatever the filesystem */
	c.tokens = TGT_TOKENS_REVOKE;
	c.lun = 0, c.path = h->path[0], c.size = H_LUN0_BLOCKS * 512ull, c.block_size = 512;
	assert_int_equal(tgt_device_add_lun(d, &c), 0);
	c.lun = 1, c.path = h->path[1];
	assert_int_equal(tgt_device_add_lun(d, &c), 0);
	c.lun = 2, c.path = h->path[2], c.size = H_LUN2_BLOCKS * 4096ull, c.block_size = 4096;
	assert_int_equal(tgt_device_add_lun(d, &c), 0);

	/* read-only LUN over an existing file */
	fd = open(h->path[3], O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	memset(fill, 0xee, sizeof(fill));
	for (unsigned i = 0; i < H_RO_BLOCKS * 512 / sizeof(fill); i++)
		assert_int_equal(write(fd, fill, sizeof(fill)), (ssize_t)sizeof(fill));
	close(fd);
	c.lun = 3, c.path = h->path[3], c.size = 0, c.block_size = 512, c.read_only = true;
	assert_int_equal(tgt_device_add_lun(d, &c), 0);
	return d;
}

static inline int h_setup_opts(void **state, uint64_t cap, uint32_t ito_def, uint32_t ito_max)
{
	harness *h = calloc(1, sizeof(*h));
	int i;

	assert_non_null(h);
	snprintf(h->dir, sizeof(h->dir), "%s/devtestXXXXXX", h_tmpdir());
	assert_non_null(mkdtemp(h->dir));
	snprintf(h->path[0], sizeof(h->path[0]), "%s/a.img", h->dir);
	snprintf(h->path[1], sizeof(h->path[1]), "%s/b.img", h->dir);
	snprintf(h->path[2], sizeof(h->path[2]), "%s/c.img", h->dir);
	snprintf(h->path[3], sizeof(h->path[3]), "%s/ro.img", h->dir);
	for (i = 0; i < 4; i++)
		unlink(h->path[i]);
	h->dev = h_new_device(h, cap, ito_def, ito_max);
	*state = h;
	return 0;
}

static inline int h_setup(void **state)
{
	return h_setup_opts(state, 0, 0, 0);
}

static inline int h_teardown(void **state)
{
	harness *h = *state;
	int i;

	tgt_device_free(h->dev);
	for (i = 0; i < 4; i++)
		unlink(h->path[i]);
	rmdir(h->dir);
	free(h);
	return 0;
}

/* run one command; returns the status byte */
static inline uint8_t h_run(harness *h, unsigned lun, const uint8_t *cdb, size_t cdb_len,
			    const void *dout, size_t dout_len, size_t din_cap)
{
	memset(&h->cmd, 0, sizeof(h->cmd));
	h->cmd.lun = lun;
	h->cmd.cdb = cdb;
	h->cmd.cdb_len = cdb_len;
	h->cmd.dout = dout;
	h->cmd.dout_len = dout_len;
	h->cmd.din = h->din;
	h->cmd.din_cap = din_cap > sizeof(h->din) ? sizeof(h->din) : din_cap;
	memset(h->din, 0xa5, h->cmd.din_cap);
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	return h->cmd.status;
}

#define H_RUN(h, lun, cdb, dout, dout_len, din_cap)                                               \
	h_run((h), (lun), (cdb), sizeof(cdb), (dout), (dout_len), (din_cap))

static inline void h_assert_sense(harness *h, uint8_t key, uint8_t asc, uint8_t ascq)
{
	assert_int_equal(h->cmd.status, 0x02);
	assert_true(h->cmd.sense_len >= 14);
	assert_int_equal(h->cmd.sense[0] & 0x7f, 0x70);
	assert_int_equal(h->cmd.sense[2] & 0x0f, key);
	assert_int_equal(h->cmd.sense[12], asc);
	assert_int_equal(h->cmd.sense[13], ascq);
}

static inline void h_assert_good(harness *h)
{
	if (h->cmd.status != 0)
		fail_msg("status %02x sense key %x asc %02x/%02x", h->cmd.status,
			 h->cmd.sense[2] & 0x0f, h->cmd.sense[12], h->cmd.sense[13]);
}

/* direct file access for checking what landed on the medium */
static inline void h_file_read(harness *h, int idx, uint64_t off, void *buf, size_t n)
{
	int fd = open(h->path[idx], O_RDONLY);

	assert_true(fd >= 0);
	memset(buf, 0, n);
	assert_true(pread(fd, buf, n, (off_t)off) >= 0);
	close(fd);
}

static inline void h_file_write(harness *h, int idx, uint64_t off, const void *buf, size_t n)
{
	int fd = open(h->path[idx], O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
	close(fd);
}

static inline void h_fill_pattern(uint8_t *buf, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)((i * 131 + seed * 7 + (i >> 9)) ^ seed);
}

/* CDB builders */
static inline void h_cdb16_rw(uint8_t *c, uint8_t op, uint64_t lba, uint32_t n)
{
	memset(c, 0, 16);
	c[0] = op;
	vitk_put_be64(c + 2, lba);
	vitk_put_be32(c + 10, n);
}

static inline void h_cdb10_rw(uint8_t *c, uint8_t op, uint32_t lba, uint16_t n)
{
	memset(c, 0, 10);
	c[0] = op;
	vitk_put_be32(c + 2, lba);
	vitk_put_be16(c + 7, n);
}

static inline void h_cdb_tpc(uint8_t *c, uint8_t op, uint8_t sa, uint32_t list_id, uint32_t len)
{
	memset(c, 0, 16);
	c[0] = op;
	c[1] = sa;
	if (op == 0x83 && (sa == 0x10 || sa == 0x11))
		vitk_put_be32(c + 6, list_id);
	else if (op == 0x84 && sa <= 4)
		c[2] = (uint8_t)list_id;
	else
		vitk_put_be32(c + 2, list_id);
	vitk_put_be32(c + 10, len);
}

#endif
