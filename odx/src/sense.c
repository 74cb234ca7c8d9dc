/* SPDX-License-Identifier: MIT */
/* Sense data (fixed and descriptor formats, SPC-4 4.5) and the ASC/ASCQ text table (4.5.6). */
#include <string.h>

#include <vitk/scsi.h>

int vitk_scsi_sense_parse(vitk_scsi_sense *out, const uint8_t *buf, size_t len)
{
	uint8_t rc;

	memset(out, 0, sizeof(*out));
	if (!buf || len < 1)
		return vitk_error_set(VITK_EINVAL, 0, "sense: empty sense data");
	rc = buf[0] & 0x7F;
	out->response_code = rc;
	if (rc == VITK_SCSI_SENSE_FIXED_CURRENT || rc == VITK_SCSI_SENSE_FIXED_DEFERRED) {
		size_t total;

		/* fixed: key @2, additional length @7, ASC/ASCQ @12/13 */
		if (len < 8)
			return vitk_error_set(VITK_EINVAL, 0,
					      "sense: fixed format truncated (%zu bytes, need 8)",
					      len);
		total = 8u + buf[7];
		if (total > len)
			total = len; /* the device may truncate to our buffer; use what we have */
		if (total < 14)
			return vitk_error_set(VITK_EINVAL, 0,
					      "sense: fixed format additional length %u too short "
					      "for ASC/ASCQ",
					      buf[7]);
		out->deferred = rc == VITK_SCSI_SENSE_FIXED_DEFERRED;
		out->sense_key = buf[2] & 0x0F;
		out->info_valid = (buf[0] & 0x80) != 0;
		out->information = vitk_get_be32(buf + 3);
		out->asc = buf[12];
		out->ascq = buf[13];
		if (total >= 18 && (buf[15] & 0x80)) {
			out->sks_valid = true;
			memcpy(out->sks, buf + 15, 3);
			out->sks[0] &= 0x7F;
		}
		return 0;
	}
	if (rc == VITK_SCSI_SENSE_DESC_CURRENT || rc == VITK_SCSI_SENSE_DESC_DEFERRED) {
		size_t total, off;

		if (len < 8)
			return vitk_error_set(VITK_EINVAL, 0,
					      "sense: descriptor format truncated (%zu bytes, need 8)",
					      len);
		out->descriptor_format = true;
		out->deferred = rc == VITK_SCSI_SENSE_DESC_DEFERRED;
		out->sense_key = buf[1] & 0x0F;
		out->asc = buf[2];
		out->ascq = buf[3];
		total = 8u + buf[7];
		if (total > len)
			total = len;
		off = 8;
		while (off + 2 <= total) {
			uint8_t type = buf[off];
			size_t dlen = 2u + buf[off + 1];

			if (off + dlen > total)
				return vitk_error_set(VITK_EINVAL, 0,
						      "sense: descriptor 0x%02x at byte %zu has "
						      "length %zu past the end (%zu)",
						      type, off, dlen, total);
			if (type == 0x00) { /* information */
				if (dlen < 12)
					return vitk_error_set(VITK_EINVAL, 0,
							      "sense: information descriptor "
							      "length %zu < 12",
							      dlen);
				out->info_valid = (buf[off + 2] & 0x80) != 0;
				out->information = vitk_get_be64(buf + off + 4);
			} else if (type == 0x02) { /* sense key specific */
				if (dlen < 8)
					return vitk_error_set(VITK_EINVAL, 0,
							      "sense: sense-key-specific descriptor "
							      "length %zu < 8",
							      dlen);
				if (buf[off + 4] & 0x80) {
					out->sks_valid = true;
					memcpy(out->sks, buf + off + 4, 3);
					out->sks[0] &= 0x7F;
				}
			}
			off += dlen;
		}
		return 0;
	}
	return vitk_error_set(VITK_EINVAL, 0, "sense: unknown response code 0x%02x", rc);
}

size_t vitk_scsi_sense_build_fixed(uint8_t *buf, size_t cap, uint8_t key, uint8_t asc,
				   uint8_t ascq)
{
	if (cap < VITK_SCSI_SENSE_FIXED_LEN)
		return 0;
	memset(buf, 0, VITK_SCSI_SENSE_FIXED_LEN);
	buf[0] = VITK_SCSI_SENSE_FIXED_CURRENT;
	buf[2] = key & 0x0F;
	buf[7] = 10;
	buf[12] = asc;
	buf[13] = ascq;
	return VITK_SCSI_SENSE_FIXED_LEN;
}

static const struct {
	unsigned code; /* ASC << 8 | ASCQ */
	const char *text;
} asc_table[] = {
	{ VITK_SCSI_ASC_NO_ADDITIONAL_SENSE, "no additional sense information" },
	{ VITK_SCSI_ASC_OPERATION_IN_PROGRESS, "operation in progress" },
	{ VITK_SCSI_ASC_LUN_NOT_READY, "logical unit not ready" },
	{ VITK_SCSI_ASC_3PC_TEMPORARY_INITIATOR_ERROR, "error detected by third party temporary initiator" },
	{ VITK_SCSI_ASC_3PC_DEVICE_FAILURE, "third party device failure" },
	{ VITK_SCSI_ASC_COPY_TARGET_UNREACHABLE, "copy target device not reachable" },
	{ VITK_SCSI_ASC_COPY_TARGET_BAD_TYPE, "incorrect copy target device type" },
	{ VITK_SCSI_ASC_COPY_TARGET_UNDERRUN, "copy target device data underrun" },
	{ VITK_SCSI_ASC_COPY_TARGET_OVERRUN, "copy target device data overrun" },
	{ VITK_SCSI_ASC_WRITE_ERROR, "write error" },
	{ VITK_SCSI_ASC_READ_ERROR, "unrecovered read error" },
	{ VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR, "parameter list length error" },
	{ VITK_SCSI_ASC_INVALID_OPCODE, "invalid command operation code" },
	{ VITK_SCSI_ASC_LBA_OUT_OF_RANGE, "logical block address out of range" },
	{ VITK_SCSI_ASC_TOKEN_OPERATION, "invalid token operation, cause not reportable" },
	{ VITK_SCSI_ASC_TOKEN_UNSUPPORTED_TYPE, "invalid token operation, unsupported token type" },
	{ VITK_SCSI_ASC_TOKEN_REMOTE_UNSUPPORTED, "invalid token operation, remote token usage not supported" },
	{ VITK_SCSI_ASC_TOKEN_REMOTE_CREATE_UNSUPPORTED, "invalid token operation, remote rod token creation not supported" },
	{ VITK_SCSI_ASC_TOKEN_UNKNOWN, "invalid token operation, token unknown" },
	{ VITK_SCSI_ASC_TOKEN_CORRUPT, "invalid token operation, token corrupt" },
	{ VITK_SCSI_ASC_TOKEN_REVOKED, "invalid token operation, token revoked" },
	{ VITK_SCSI_ASC_TOKEN_EXPIRED, "invalid token operation, token expired" },
	{ VITK_SCSI_ASC_TOKEN_CANCELLED, "invalid token operation, token cancelled" },
	{ VITK_SCSI_ASC_TOKEN_DELETED, "invalid token operation, token deleted" },
	{ VITK_SCSI_ASC_TOKEN_INVALID_LENGTH, "invalid token operation, invalid token length" },
	{ VITK_SCSI_ASC_INVALID_FIELD_IN_CDB, "invalid field in cdb" },
	{ VITK_SCSI_ASC_LUN_NOT_SUPPORTED, "logical unit not supported" },
	{ VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, "invalid field in parameter list" },
	{ VITK_SCSI_ASC_TOO_MANY_TARGET_DESCRIPTORS, "too many target descriptors" },
	{ VITK_SCSI_ASC_UNSUPPORTED_TARGET_DESCRIPTOR, "unsupported target descriptor type code" },
	{ VITK_SCSI_ASC_TOO_MANY_SEGMENT_DESCRIPTORS, "too many segment descriptors" },
	{ VITK_SCSI_ASC_UNSUPPORTED_SEGMENT_DESCRIPTOR, "unsupported segment descriptor type code" },
	{ VITK_SCSI_ASC_WRITE_PROTECTED, "write protected" },
	{ VITK_SCSI_ASC_SPACE_ALLOC_FAILED_WP, "space allocation failed write protect" },
	{ VITK_SCSI_ASC_NOT_READY_TO_READY_CHANGE, "not ready to ready change, medium may have changed" },
	{ VITK_SCSI_ASC_POWER_ON_OR_RESET, "power on, reset, or bus device reset occurred" },
	{ VITK_SCSI_ASC_MODE_PARAMETERS_CHANGED, "mode parameters changed" },
	{ VITK_SCSI_ASC_CAPACITY_DATA_CHANGED, "capacity data has changed" },
	{ VITK_SCSI_ASC_REPORTED_LUNS_CHANGED, "reported luns data has changed" },
	{ VITK_SCSI_ASC_NO_RESOURCES_FOR_ROD, "insufficient resources to create rod" },
	{ VITK_SCSI_ASC_NO_RESOURCES_FOR_ROD_TOKEN, "insufficient resources to create rod token" },
};

const char *vitk_scsi_asc_str(uint8_t asc, uint8_t ascq)
{
	size_t i;

	for (i = 0; i < VITK_ARRAY_SIZE(asc_table); i++)
		if (asc_table[i].code == VITK_SCSI_ASC_PAIR(asc, ascq))
			return asc_table[i].text;
	return NULL;
}

const char *vitk_scsi_sense_key_str(uint8_t key)
{
	static const char *const names[16] = {
		"NO SENSE",       "RECOVERED ERROR", "NOT READY",       "MEDIUM ERROR",
		"HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION",  "DATA PROTECT",
		"BLANK CHECK",    "VENDOR SPECIFIC", "COPY ABORTED",    "ABORTED COMMAND",
		"RESERVED",       "VOLUME OVERFLOW", "MISCOMPARE",      "COMPLETED",
	};
	return names[key & 0x0F];
}
