/* SPDX-License-Identifier: MIT */
/*
 * How a command ends: CHECK CONDITION with fixed-format sense data (SPC-4
 * 4.5.3), the sense-key specific field pointer for ILLEGAL REQUEST (SPC-4
 * 4.5.2.4.2), and Data-In capped to the allocation length and the
 * initiator's buffer.  A leaf: every command file calls it, it calls
 * nothing else in the device model.
 */
#include <errno.h>
#include <string.h>

#include <vitk/common.h>

#include "dev_internal.h"

void sense__info(tgt_cmd *cmd, uint8_t key, uint16_t asc, uint64_t info)
{
	memset(cmd->sense, 0, VITK_SCSI_SENSE_FIXED_LEN);
	cmd->sense[0] = VITK_SCSI_SENSE_FIXED_CURRENT;
	cmd->sense[2] = key & 0x0f;
	cmd->sense[7] = 10;
	cmd->sense[12] = (uint8_t)(asc >> 8);
	cmd->sense[13] = (uint8_t)asc;
	if (info != UINT64_MAX) {
		cmd->sense[0] |= 0x80; /* VALID: INFORMATION holds @info */
		vitk_put_be32(cmd->sense + 3, (uint32_t)info);
	}
	cmd->sense_len = VITK_SCSI_SENSE_FIXED_LEN;
	cmd->status = VITK_SCSI_STATUS_CHECK_CONDITION;
}

void sense__set(tgt_cmd *cmd, uint8_t key, uint16_t asc)
{
	sense__info(cmd, key, asc, UINT64_MAX);
}

void sense__field(tgt_cmd *cmd, uint16_t asc, bool in_cdb, uint16_t byte, int bit)
{
	sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, asc);
	cmd->sense[15] = (uint8_t)(0x80 | (in_cdb ? 0x40 : 0) |
				   (bit >= 0 ? 0x08 | (bit & 0x07) : 0));
	vitk_put_be16(cmd->sense + 16, byte);
}

void sense__invalid_cdb(tgt_cmd *cmd, uint16_t byte, int bit)
{
	sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_CDB, true, byte, bit);
}

void sense__put_din(tgt_cmd *cmd, const uint8_t *buf, size_t len, size_t alloc)
{
	size_t n = len;

	if (n > alloc)
		n = alloc;
	if (n > cmd->din_cap)
		n = cmd->din_cap;
	if (n && cmd->din)
		memcpy(cmd->din, buf, n);
	else
		n = 0;
	cmd->din_len = n;
	cmd->din_full = len < alloc ? len : alloc;
}

void sense__write_failed(tgt_cmd *cmd, const tgt_lun *l, uint64_t lba, int err)
{
	int e = err < 0 ? -err : err;
	bool no_space = (e == ENOSPC || e == EDQUOT) && !l->is_blockdev;

	if (no_space)
		sense__set(cmd, VITK_SCSI_KEY_DATA_PROTECT, TGT_ASC_SPACE_ALLOC_FAILED_WP);
	else
		sense__set(cmd, VITK_SCSI_KEY_MEDIUM_ERROR, VITK_SCSI_ASC_WRITE_ERROR);
	vitk_log(VITK_LOG_ERROR, "odx-target", "lun %u: write at lba %llu failed: %s (errno %d): %s",
		 l->lun, (unsigned long long)lba, strerror(e), e,
		 no_space ? "space allocation failed, write protect" : "write error");
}

void sense__read_failed(tgt_cmd *cmd, const tgt_lun *l, uint64_t lba, int err)
{
	int e = err < 0 ? -err : err;

	sense__set(cmd, VITK_SCSI_KEY_MEDIUM_ERROR, VITK_SCSI_ASC_READ_ERROR);
	vitk_log(VITK_LOG_ERROR, "odx-target", "lun %u: read at lba %llu failed: %s (errno %d)",
		 l->lun, (unsigned long long)lba, strerror(e), e);
}
