/* SPDX-License-Identifier: MIT */
/*
 * How a command ends: CHECK CONDITION with fixed-format sense data (SPC-4
 * 4.5.3), the sense-key specific field pointer for ILLEGAL REQUEST (SPC-4
 * 4.5.2.4.2), and Data-In capped to the allocation length and the
 * initiator's buffer.  A leaf: every command file calls it, it calls
 * nothing else in the device model.
 */
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
