/* SPDX-License-Identifier: MIT */
/*
 * SANITIZE (SBC-4 5.30) for LUNs configured with `,sanitize`, and MODE
 * SELECT(6)/(10) (SPC-4 6.11, 6.12) limited to what the device model can
 * change: the software write protect bit of the Control mode page (SPC-4
 * 7.5.8, SWP).
 *
 * SANITIZE runs to completion inside the command (IMMED only permits the
 * early status SBC-4 allows; the work is already done when status goes
 * out), so no command ever sees SANITIZE IN PROGRESS.  OVERWRITE writes the
 * initialization pattern to every block; BLOCK ERASE punches a hole over
 * the whole backing file (lun__zero_range); CRYPTO ERASE does the same
 * (the lab target stores no keys, so the erase is the hole); EXIT FAILURE
 * MODE has nothing to leave, since a sanitize here cannot end failed.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vitk/common.h>

#include "dev_internal.h"

enum {
	SAN_OVERWRITE = 0x01,
	SAN_BLOCK_ERASE = 0x02,
	SAN_CRYPTO_ERASE = 0x03,
	SAN_EXIT_FAILURE_MODE = 0x1f,
};

#define SAN_ASC_SOFTWARE_WRITE_PROTECTED 0x2702

static bool writable(const tgt_lun *l, tgt_cmd *cmd)
{
	if (l->ro) {
		sense__set(cmd, VITK_SCSI_KEY_DATA_PROTECT, VITK_SCSI_ASC_WRITE_PROTECTED);
		return false;
	}
	if (__atomic_load_n(&l->swp, __ATOMIC_RELAXED)) {
		sense__set(cmd, VITK_SCSI_KEY_DATA_PROTECT, SAN_ASC_SOFTWARE_WRITE_PROTECTED);
		return false;
	}
	return true;
}

/* every block gets the pattern (repeated when shorter than a block) */
static int overwrite(tgt_lun *l, const uint8_t *pat, size_t plen)
{
	size_t chunk = 1u << 20, i;
	uint8_t *buf = malloc(chunk);
	uint64_t off = 0;

	if (!buf)
		return -1;
	for (i = 0; i < chunk; i++)
		buf[i] = pat[(i & (l->bs - 1)) % plen];
	while (off < l->size) {
		size_t n = l->size - off < chunk ? (size_t)(l->size - off) : chunk;
		ssize_t k = pwrite(l->fd, buf, n, (off_t)off);

		if (k <= 0) {
			free(buf);
			return -1;
		}
		off += (uint64_t)k;
	}
	free(buf);
	return fdatasync(l->fd) < 0 && !l->is_blockdev ? -1 : 0;
}

void san__sanitize(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint8_t sa = cmd->cdb[1] & 0x1f;
	uint16_t plen = vitk_get_be16(cmd->cdb + 7);
	int r = 0;

	if (!l->sanitize) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_OPCODE);
		return;
	}
	/* byte 1 bit 6 (ZNR: zoned devices only) and bytes 2-6 are reserved here */
	if (cmd->cdb[1] & 0x40) {
		sense__invalid_cdb(cmd, 1, 6);
		return;
	}
	for (int i = 2; i <= 6; i++) {
		if (cmd->cdb[i]) {
			sense__invalid_cdb(cmd, (uint16_t)i, -1);
			return;
		}
	}
	if (sa == SAN_OVERWRITE) {
		const uint8_t *p = cmd->dout;
		uint16_t ip;

		/* SBC-4 5.30.3: a list of 4 + pattern bytes, a pattern of 1 to
		 * one block, OVERWRITE COUNT not 0 */
		if (plen < 5 || cmd->dout_len < plen) {
			sense__invalid_cdb(cmd, 7, -1);
			return;
		}
		ip = vitk_get_be16(p + 2);
		if ((p[0] & 0x1f) == 0) { /* OVERWRITE COUNT */
			sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 0, 4);
			return;
		}
		if (ip == 0 || ip > l->bs || (size_t)ip + 4 != plen) {
			sense__invalid_cdb(cmd, 7, -1);
			return;
		}
		if (!writable(l, cmd))
			return;
		r = overwrite(l, p + 4, ip);
	} else {
		/* BLOCK ERASE, CRYPTO ERASE, EXIT FAILURE MODE take no parameters */
		if (plen != 0) {
			sense__invalid_cdb(cmd, 7, -1);
			return;
		}
		if (!writable(l, cmd))
			return;
		if (sa != SAN_EXIT_FAILURE_MODE)
			r = lun__zero_range(l, 0, l->size);
	}
	if (r < 0) {
		sense__write_failed(cmd, l, 0, r);
		return;
	}
	tpc__revoke_overlap(d, l, 0, l->nblocks);
	cmd->status = 0;
}

/* ---- MODE SELECT: the Control mode page's SWP bit ---- */

void san__mode_select(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	bool ten = cmd->cdb[0] == TGT_OP_MODE_SELECT10;
	size_t plen = ten ? vitk_get_be16(cmd->cdb + 7) : cmd->cdb[4];
	size_t hdr = ten ? 8 : 4, bdl, off;
	const uint8_t *p = cmd->dout;
	uint8_t cur[12];
	bool swp = false, seen = false;
	size_t i;

	if (!(cmd->cdb[1] & 0x10)) { /* PF = 0: vendor-specific pages, none here */
		sense__invalid_cdb(cmd, 1, 4);
		return;
	}
	if (cmd->cdb[1] & 0x01) { /* SP: nothing is saved */
		sense__invalid_cdb(cmd, 1, 0);
		return;
	}
	if (plen == 0) {
		cmd->status = 0;
		return;
	}
	if (plen < hdr || cmd->dout_len < plen) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
		return;
	}
	bdl = ten ? vitk_get_be16(p + 6) : p[3];
	off = hdr + bdl;
	if (off > plen) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
		return;
	}
	while (off < plen) {
		size_t len;

		if (plen - off < 2 || (p[off] & 0x40)) { /* SPF: no subpages */
			sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false,
				     (uint16_t)off, -1);
			return;
		}
		len = 2 + (size_t)p[off + 1];
		if ((p[off] & 0x3f) != VITK_SCSI_MODE_PAGE_CONTROL || len != sizeof(cur) ||
		    off + len > plen) {
			sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false,
				     (uint16_t)off, -1);
			return;
		}
		/* only SWP may differ from the current values (SPC-4 6.11) */
		spc__page_control(cur, 0, l);
		for (i = 2; i < sizeof(cur); i++) {
			uint8_t mask = i == 4 ? (uint8_t)~0x08 : 0xff;

			if ((p[off + i] & mask) != (cur[i] & mask)) {
				sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false,
					     (uint16_t)(off + i), -1);
				return;
			}
		}
		swp = p[off + 4] & 0x08;
		seen = true;
		off += len;
	}
	if (seen && swp != __atomic_load_n(&l->swp, __ATOMIC_RELAXED)) {
		__atomic_store_n(&l->swp, swp, __ATOMIC_RELAXED);
		/* the other I_T nexuses learn: MODE PARAMETERS CHANGED (SPC-4 7.5.8) */
		pthread_mutex_lock(&d->lock);
		for (i = 0; i < l->nnexus; i++)
			if (l->nexus[i].nexus != cmd->nexus)
				l->nexus[i].ua_asc = VITK_SCSI_ASC_MODE_PARAMETERS_CHANGED;
		pthread_mutex_unlock(&d->lock);
	}
	cmd->status = 0;
}
