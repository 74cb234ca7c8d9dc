/* SPDX-License-Identifier: MIT */
/*
 * SBC block commands on a file-backed LUN: READ/WRITE 6/10/12/16, WRITE AND
 * VERIFY, VERIFY, WRITE SAME, UNMAP, SYNCHRONIZE CACHE, COMPARE AND WRITE,
 * READ CAPACITY, GET LBA STATUS, PRE-FETCH, START STOP UNIT, PREVENT ALLOW.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vitk/common.h>

#include "dev_internal.h"

/* VPD 0xB0 limits (spc.c advertises the same numbers) */
#define SBC_MAX_XFER_BLOCKS_BYTES (8u * 1024 * 1024)
#define SBC_MAX_CAW_BLOCKS 255
#define SBC_MAX_UNMAP_DESC 256
#define SBC_MAX_WS_BLOCKS_BYTES (1ull << 36)

struct rw {
	uint64_t lba;
	uint64_t n;
	uint8_t prot; /* RD/WR/VRPROTECT */
};

static void parse_rw(const uint8_t *c, struct rw *rw)
{
	memset(rw, 0, sizeof(*rw));
	switch (c[0] >> 5) {
	case 0: /* 6-byte */
		rw->lba = ((uint64_t)(c[1] & 0x1f) << 16) | ((uint64_t)c[2] << 8) | c[3];
		rw->n = c[4] ? c[4] : 256;
		break;
	case 1: /* 10-byte */
	case 2:
		rw->lba = vitk_get_be32(c + 2);
		rw->n = vitk_get_be16(c + 7);
		rw->prot = c[1] >> 5;
		break;
	case 5: /* 12-byte */
		rw->lba = vitk_get_be32(c + 2);
		rw->n = vitk_get_be32(c + 6);
		rw->prot = c[1] >> 5;
		break;
	case 4: /* 16-byte */
		rw->lba = vitk_get_be64(c + 2);
		rw->n = vitk_get_be32(c + 10);
		rw->prot = c[1] >> 5;
		break;
	default:
		break;
	}
}

static bool range_ok(const tgt_lun *l, uint64_t lba, uint64_t n)
{
	return lba <= l->nblocks && n <= l->nblocks - lba;
}

/* 0-block commands still need an in-range LBA (libiscsi *_0blocks tests) */
static bool check_range(tgt_lun *l, tgt_cmd *cmd, uint64_t lba, uint64_t n)
{
	if (!range_ok(l, lba, n) || (n == 0 && lba > l->nblocks)) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	return true;
}

static bool check_writable(tgt_lun *l, tgt_cmd *cmd)
{
	if (l->ro) {
		sense__set(cmd, VITK_SCSI_KEY_DATA_PROTECT, VITK_SCSI_ASC_WRITE_PROTECTED);
		return false;
	}
	if (__atomic_load_n(&l->swp, __ATOMIC_RELAXED)) {
		/* MODE SELECT set the Control page's SWP: LOGICAL UNIT SOFTWARE WRITE PROTECTED */
		sense__set(cmd, VITK_SCSI_KEY_DATA_PROTECT, 0x2702);
		return false;
	}
	return true;
}

static int pread_full(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t k = pread(fd, buf + done, len - done, (off_t)(off + done));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0) { /* past EOF of a sparse file that shrank: zeros */
			memset(buf + done, 0, len - done);
			break;
		}
		done += (size_t)k;
	}
	return 0;
}

static int pwrite_full(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t k = pwrite(fd, buf + done, len - done, (off_t)(off + done));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		done += (size_t)k;
	}
	return 0;
}

void sbc__read(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	struct rw rw;
	uint64_t bytes;
	size_t n;
	int r;

	(void)d;

	parse_rw(cmd->cdb, &rw);
	if (rw.prot) {
		sense__invalid_cdb(cmd, 1, 7); /* RDPROTECT */
		return;
	}
	if (!check_range(l, cmd, rw.lba, rw.n))
		return;
	bytes = rw.n << l->bs_shift;
	n = bytes > cmd->din_cap ? cmd->din_cap : (size_t)bytes;
	if (n && (r = pread_full(l->fd, cmd->din, n, rw.lba << l->bs_shift)) < 0) {
		sense__read_failed(cmd, l, rw.lba, r);
		return;
	}
	cmd->din_len = n;
	cmd->din_full = (size_t)bytes;
}

/* revoke tokens, then write @len bytes of @buf at @lba */
static int write_blocks(tgt_device *d, tgt_lun *l, uint64_t lba, const uint8_t *buf,
			size_t len, bool fua)
{
	int r;

	tpc__revoke_overlap(d, l, lba, (len + l->bs - 1) >> l->bs_shift);
	if (d->write_fault && (r = d->write_fault(d->write_fault_arg, l, lba << l->bs_shift)) < 0)
		return r;
	r = pwrite_full(l->fd, buf, len, lba << l->bs_shift);
	if (r == 0 && fua)
		r = fdatasync(l->fd) < 0 ? -errno : 0;
	return r;
}

/* WRITE and WRITE AND VERIFY: check, then write the Data-Out (FUA: sync it) */
static void write_cmd(tgt_device *d, tgt_lun *l, tgt_cmd *cmd, bool fua)
{
	struct rw rw;
	uint64_t bytes;
	int r;

	parse_rw(cmd->cdb, &rw);
	if (rw.prot) {
		sense__invalid_cdb(cmd, 1, 7); /* WRPROTECT */
		return;
	}
	if (!check_writable(l, cmd) || !check_range(l, cmd, rw.lba, rw.n))
		return;
	bytes = rw.n << l->bs_shift;
	if (bytes == 0)
		return;
	if (cmd->dout_len < bytes) {
		/* the initiator sent less than the CDB asks for */
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_CDB);
		return;
	}
	r = write_blocks(d, l, rw.lba, cmd->dout, (size_t)bytes, fua);
	if (r < 0)
		sense__write_failed(cmd, l, rw.lba, r);
}

void sbc__write(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	/* FUA is bit 3 of byte 1, except in WRITE(6) */
	write_cmd(d, l, cmd, cmd->cdb[0] != VITK_SCSI_OP_WRITE6 && (cmd->cdb[1] & 0x08));
}

/*
 * Compare @len bytes of @data with the medium at byte @off, 1 MiB at a time.
 * With @stride, @data holds one block compared against every block.
 * Return: -1 when equal, else the offset of the first differing byte.
 */
static int64_t compare_medium(tgt_lun *l, uint64_t off, const uint8_t *data, uint64_t len,
			      size_t stride, int *err)
{
	const size_t chunk = 1 << 20;
	uint8_t *buf = NULL;
	int64_t at = -1;
	uint64_t done = 0;
	size_t i;

	*err = 0;
	buf = malloc(chunk);
	if (!buf) {
		*err = -ENOMEM;
		return -1;
	}
	while (done < len && at < 0) {
		size_t n = len - done > chunk ? chunk : (size_t)(len - done);

		*err = pread_full(l->fd, buf, n, off + done);
		if (*err)
			break;
		for (i = 0; i < n; i++) {
			uint64_t k = done + i;

			if (buf[i] != data[stride ? k % stride : k]) {
				at = (int64_t)k;
				break;
			}
		}
		done += n;
	}
	free(buf);
	return at;
}

void sbc__verify(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	struct rw rw;
	uint8_t bytchk = (cmd->cdb[1] >> 1) & 0x03;
	uint64_t bytes;
	int64_t at;
	int err;

	(void)d;

	parse_rw(cmd->cdb, &rw);
	if (rw.prot || bytchk == 2) {
		sense__invalid_cdb(cmd, 1, rw.prot ? 7 : 2); /* VRPROTECT / BYTCHK */
		return;
	}
	if (!check_range(l, cmd, rw.lba, rw.n))
		return;
	if (bytchk == 0 || rw.n == 0)
		return; /* medium verification: a file always reads back */
	bytes = rw.n << l->bs_shift;
	if (cmd->dout_len < (bytchk == 3 ? l->bs : bytes)) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_CDB);
		return;
	}
	at = compare_medium(l, rw.lba << l->bs_shift, cmd->dout, bytes,
			    bytchk == 3 ? l->bs : 0, &err);
	if (err)
		sense__read_failed(cmd, l, rw.lba, err);
	else if (at >= 0)
		sense__info(cmd, VITK_SCSI_KEY_MISCOMPARE, VITK_SCSI_ASC_MISCOMPARE_DURING_VERIFY, (uint64_t)at);
}

void sbc__write_verify(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	/* the verify step cannot fail on a file once pwrite succeeded */
	write_cmd(d, l, cmd, false);
}

void sbc__sync_cache(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint64_t lba, n;

	(void)d;

	if (cmd->cdb[0] == VITK_SCSI_OP_SYNCHRONIZE_CACHE10) {
		lba = vitk_get_be32(cmd->cdb + 2);
		n = vitk_get_be16(cmd->cdb + 7);
	} else {
		lba = vitk_get_be64(cmd->cdb + 2);
		n = vitk_get_be32(cmd->cdb + 10);
	}
	if (!check_range(l, cmd, lba, n))
		return;
	if (lba == l->nblocks && n == 0 && lba != 0) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_LBA_OUT_OF_RANGE);
		return;
	}
	if (fdatasync(l->fd) < 0 && errno != EINVAL)
		sense__write_failed(cmd, l, lba, -errno);
}

void sbc__prefetch(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint64_t lba, n;

	(void)d;

	if (cmd->cdb[0] == VITK_SCSI_OP_PRE_FETCH10) {
		lba = vitk_get_be32(cmd->cdb + 2);
		n = vitk_get_be16(cmd->cdb + 7);
	} else {
		lba = vitk_get_be64(cmd->cdb + 2);
		n = vitk_get_be32(cmd->cdb + 10);
	}
	if (!check_range(l, cmd, lba, n))
		return;
	if (n)
		(void)posix_fadvise(l->fd, (off_t)(lba << l->bs_shift), (off_t)(n << l->bs_shift),
				    POSIX_FADV_WILLNEED);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

void sbc__write_same(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	bool is16 = c[0] == VITK_SCSI_OP_WRITE_SAME16;
	bool unmap = c[1] & 0x08, anchor = c[1] & 0x10, ndob = is16 && (c[1] & 0x01);
	uint8_t prot = c[1] >> 5;
	uint64_t lba = is16 ? vitk_get_be64(c + 2) : vitk_get_be32(c + 2);
	uint64_t n = is16 ? vitk_get_be32(c + 10) : vitk_get_be16(c + 7);
	uint64_t max_ws = SBC_MAX_WS_BLOCKS_BYTES >> l->bs_shift;
	const uint8_t *blk = cmd->dout;
	uint8_t *buf = NULL;
	size_t chunk_blocks, i;
	uint64_t done = 0;
	int r = 0;

	if (prot || anchor) {
		sense__invalid_cdb(cmd, 1, prot ? 7 : 4); /* WRPROTECT / ANCHOR */
		return;
	}
	if (!check_writable(l, cmd))
		return;
	if (n == 0) /* WSNZ=0: zero blocks means "to the end of the medium" */
		n = lba <= l->nblocks ? l->nblocks - lba : 0;
	if (!check_range(l, cmd, lba, n))
		return;
	if (n > max_ws) {
		sense__invalid_cdb(cmd, is16 ? 10 : 7, -1); /* NUMBER OF LOGICAL BLOCKS */
		return;
	}
	if (!ndob && !(unmap && cmd->dout_len == 0) && cmd->dout_len != l->bs) {
		/* exactly one logical block of Data-Out (WriteSame*.InvalidDataOutSize) */
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_CDB);
		return;
	}
	if (n == 0)
		return;
	tpc__revoke_overlap(d, l, lba, n);
	if (unmap) {
		/* UNMAP: deallocate whatever the data block holds; LBPRZ=1 says the
		 * blocks then read as zeros (libiscsi WriteSame*.UnmapUntilEnd) */
		r = lun__zero_range(l, lba << l->bs_shift, n << l->bs_shift);
		goto out;
	}
	if (ndob || all_zero(blk, l->bs)) {
		{
			r = fallocate(l->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
				      (off_t)(lba << l->bs_shift), (off_t)(n << l->bs_shift));
			if (r < 0)
				r = lun__zero_range(l, lba << l->bs_shift, n << l->bs_shift);
		}
		goto out;
	}
	chunk_blocks = (1u << 20) >> l->bs_shift;
	buf = malloc((size_t)chunk_blocks << l->bs_shift);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < chunk_blocks; i++)
		memcpy(buf + (i << l->bs_shift), blk, l->bs);
	while (done < n) {
		uint64_t k = n - done > chunk_blocks ? chunk_blocks : n - done;

		r = pwrite_full(l->fd, buf, (size_t)(k << l->bs_shift),
				(lba + done) << l->bs_shift);
		if (r < 0)
			break;
		done += k;
	}
out:
	free(buf);
	if (r < 0)
		sense__write_failed(cmd, l, lba + done, r < -1 ? r : -errno);
}

void sbc__unmap(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	size_t plen = vitk_get_be16(cmd->cdb + 7);
	const uint8_t *p = cmd->dout;
	size_t len = cmd->dout_len < plen ? cmd->dout_len : plen;
	size_t dlen, i, ndesc;

	if (cmd->cdb[1] & 0x01) { /* ANCHOR: not supported (ANC_SUP=0) */
		sense__invalid_cdb(cmd, 1, 0); /* ANCHOR */
		return;
	}
	if (!check_writable(l, cmd))
		return;
	if (plen == 0)
		return;
	if (len < 8) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
		return;
	}
	dlen = vitk_get_be16(p + 2);
	if (vitk_get_be16(p) + 2u > len || dlen + 8 > len || dlen % 16) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
		return;
	}
	ndesc = dlen / 16;
	if (ndesc > SBC_MAX_UNMAP_DESC) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST);
		return;
	}
	/* validate everything before changing anything */
	for (i = 0; i < ndesc; i++) {
		uint64_t lba = vitk_get_be64(p + 8 + 16 * i);
		uint64_t n = vitk_get_be32(p + 8 + 16 * i + 8);

		if (!range_ok(l, lba, n)) {
			sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_LBA_OUT_OF_RANGE);
			return;
		}
	}
	for (i = 0; i < ndesc; i++) {
		uint64_t lba = vitk_get_be64(p + 8 + 16 * i);
		uint64_t n = vitk_get_be32(p + 8 + 16 * i + 8);

		if (!n)
			continue;
		tpc__revoke_overlap(d, l, lba, n);
		if (lun__zero_range(l, lba << l->bs_shift, n << l->bs_shift) < 0) {
			sense__set(cmd, VITK_SCSI_KEY_MEDIUM_ERROR, VITK_SCSI_ASC_WRITE_ERROR);
			return;
		}
	}
}

void sbc__compare_and_write(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	uint64_t lba = vitk_get_be64(c + 2);
	uint64_t n = c[13];
	size_t bytes = (size_t)(n << l->bs_shift);
	int64_t at;
	int err = 0, r;

	if (c[1] >> 5) {
		sense__invalid_cdb(cmd, 1, 7); /* WRPROTECT */
		return;
	}
	if (n > SBC_MAX_CAW_BLOCKS) {
		sense__invalid_cdb(cmd, 13, -1); /* NUMBER OF LOGICAL BLOCKS */
		return;
	}
	/* Data-Out must be exactly 2 x NUMBER OF LOGICAL BLOCKS (a 256-block
	 * request wraps the 8-bit field to 0 and arrives with data: refuse it) */
	if (cmd->dout_len != 2 * bytes) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_CDB);
		return;
	}
	if (!check_writable(l, cmd) || !check_range(l, cmd, lba, n))
		return;
	if (n == 0)
		return;
	pthread_mutex_lock(&l->caw_lock);
	at = compare_medium(l, lba << l->bs_shift, cmd->dout, bytes, 0, &err);
	if (err)
		sense__read_failed(cmd, l, lba, err);
	else if (at >= 0)
		sense__info(cmd, VITK_SCSI_KEY_MISCOMPARE, VITK_SCSI_ASC_MISCOMPARE_DURING_VERIFY, (uint64_t)at);
	else if ((r = write_blocks(d, l, lba, cmd->dout + bytes, bytes, c[1] & 0x08)) < 0)
		sense__write_failed(cmd, l, lba, r);
	pthread_mutex_unlock(&l->caw_lock);
}

void sbc__read_capacity10(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint8_t buf[8];
	uint64_t last = l->nblocks - 1;

	(void)d;

	if (!(cmd->cdb[8] & 0x01) && vitk_get_be32(cmd->cdb + 2)) {
		sense__invalid_cdb(cmd, 2, -1); /* LBA without PMI */
		return;
	}
	vitk_put_be32(buf, last > 0xfffffffeull ? 0xffffffffu : (uint32_t)last);
	vitk_put_be32(buf + 4, l->bs);
	sense__put_din(cmd, buf, sizeof(buf), sizeof(buf));
}

void sbc__read_capacity16(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint8_t buf[32] = { 0 };

	(void)d;

	vitk_put_be64(buf, l->nblocks - 1);
	vitk_put_be32(buf + 8, l->bs);
	buf[13] = (uint8_t)l->lbppbe; /* LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (512e: 3) */
	buf[14] = 0x80 | 0x40; /* LBPME, LBPRZ: unmapped blocks read as zero */
	sense__put_din(cmd, buf, sizeof(buf), vitk_get_be32(cmd->cdb + 10));
}

void sbc__get_lba_status(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint64_t lba = vitk_get_be64(cmd->cdb + 2);
	uint32_t alloc = vitk_get_be32(cmd->cdb + 10);
	uint8_t buf[8 + 16 * 32];
	size_t nd = 0, maxd;
	uint64_t cur = lba;

	(void)d;

	if (lba >= l->nblocks) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_LBA_OUT_OF_RANGE);
		return;
	}
	memset(buf, 0, sizeof(buf));
	maxd = alloc > 8 ? (alloc - 8) / 16 : 0;
	if (maxd < 1)
		maxd = 1;
	if (maxd > 32)
		maxd = 32;
	while (nd < maxd && cur < l->nblocks) {
		off_t off = (off_t)(cur << l->bs_shift), data, end;
		uint64_t next;
		uint8_t state;
		uint8_t *dsc = buf + 8 + 16 * nd;

		data = l->is_blockdev ? off : lseek(l->fd, off, SEEK_DATA);
		if (data < 0 && errno != ENXIO)
			data = off; /* no SEEK_DATA: report mapped */
		if (data == off) {
			state = 0; /* mapped */
			end = l->is_blockdev ? (off_t)l->size : lseek(l->fd, off, SEEK_HOLE);
			if (end < 0 || (uint64_t)end > l->size)
				end = (off_t)l->size;
			next = ((uint64_t)end + l->bs - 1) >> l->bs_shift;
		} else {
			state = 1; /* deallocated */
			end = data < 0 ? (off_t)l->size : data;
			if ((uint64_t)end > l->size)
				end = (off_t)l->size;
			next = (uint64_t)end >> l->bs_shift;
		}
		if (next <= cur)
			next = cur + 1;
		if (next > l->nblocks)
			next = l->nblocks;
		if (next - cur > 0xffffffffu)
			next = cur + 0xffffffffu;
		vitk_put_be64(dsc, cur);
		vitk_put_be32(dsc + 8, (uint32_t)(next - cur));
		dsc[12] = state;
		nd++;
		cur = next;
	}
	vitk_put_be32(buf, (uint32_t)(4 + 16 * nd));
	sense__put_din(cmd, buf, 8 + 16 * nd, alloc);
}

void sbc__start_stop(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint8_t pc = cmd->cdb[4] >> 4;
	bool loej = cmd->cdb[4] & 0x02, start = cmd->cdb[4] & 0x01, prevent;

	pthread_mutex_lock(&d->lock);
	prevent = l->prevent;
	pthread_mutex_unlock(&d->lock);
	/* a fixed, always-ready disk: accept power conditions, refuse eject if prevented */
	if (pc == 0 && loej && !start && prevent) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_MEDIUM_REMOVAL_PREVENTED);
		return;
	}
}

void sbc__prevent_allow(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	pthread_mutex_lock(&d->lock);
	l->prevent = (cmd->cdb[4] & 0x03) != 0;
	pthread_mutex_unlock(&d->lock);
}

void sbc__test_unit_ready(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	(void)d;
	(void)l;
	(void)cmd; /* a file-backed LUN is always ready */
}
