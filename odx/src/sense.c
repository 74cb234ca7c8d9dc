/* SPDX-License-Identifier: MIT */
/* Sense data (fixed and descriptor formats) and the ASC/ASCQ text table. */
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
	if (rc == 0x70 || rc == 0x71) {
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
		out->deferred = rc == 0x71;
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
	if (rc == 0x72 || rc == 0x73) {
		size_t total, off;

		if (len < 8)
			return vitk_error_set(VITK_EINVAL, 0,
					      "sense: descriptor format truncated (%zu bytes, need 8)",
					      len);
		out->descriptor_format = true;
		out->deferred = rc == 0x73;
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
	if (cap < 18)
		return 0;
	memset(buf, 0, 18);
	buf[0] = 0x70;
	buf[2] = key & 0x0F;
	buf[7] = 10;
	buf[12] = asc;
	buf[13] = ascq;
	return 18;
}

static const struct {
	uint8_t asc, ascq;
	const char *text;
} asc_table[] = {
	{ 0x00, 0x00, "no additional sense information" },
	{ 0x00, 0x16, "operation in progress" },
	{ 0x04, 0x00, "logical unit not ready" },
	{ 0x0D, 0x00, "error detected by third party temporary initiator" },
	{ 0x0D, 0x01, "third party device failure" },
	{ 0x0D, 0x02, "copy target device not reachable" },
	{ 0x0D, 0x03, "incorrect copy target device type" },
	{ 0x0D, 0x04, "copy target device data underrun" },
	{ 0x0D, 0x05, "copy target device data overrun" },
	{ 0x11, 0x00, "unrecovered read error" },
	{ 0x1A, 0x00, "parameter list length error" },
	{ 0x20, 0x00, "invalid command operation code" },
	{ 0x21, 0x00, "logical block address out of range" },
	{ 0x23, 0x00, "invalid token operation, cause not reportable" },
	{ 0x23, 0x01, "invalid token operation, unsupported token type" },
	{ 0x23, 0x02, "invalid token operation, remote token usage not supported" },
	{ 0x23, 0x03, "invalid token operation, remote rod token creation not supported" },
	{ 0x23, 0x04, "invalid token operation, token unknown" },
	{ 0x23, 0x05, "invalid token operation, token corrupt" },
	{ 0x23, 0x06, "invalid token operation, token revoked" },
	{ 0x23, 0x07, "invalid token operation, token expired" },
	{ 0x23, 0x08, "invalid token operation, token cancelled" },
	{ 0x23, 0x09, "invalid token operation, token deleted" },
	{ 0x23, 0x0A, "invalid token operation, invalid token length" },
	{ 0x24, 0x00, "invalid field in cdb" },
	{ 0x25, 0x00, "logical unit not supported" },
	{ 0x26, 0x00, "invalid field in parameter list" },
	{ 0x26, 0x06, "too many target descriptors" },
	{ 0x26, 0x07, "unsupported target descriptor type code" },
	{ 0x26, 0x08, "too many segment descriptors" },
	{ 0x26, 0x09, "unsupported segment descriptor type code" },
	{ 0x27, 0x00, "write protected" },
	{ 0x28, 0x00, "not ready to ready change, medium may have changed" },
	{ 0x29, 0x00, "power on, reset, or bus device reset occurred" },
	{ 0x2A, 0x01, "mode parameters changed" },
	{ 0x2A, 0x09, "capacity data has changed" },
	{ 0x3F, 0x0E, "reported luns data has changed" },
	{ 0x55, 0x0C, "insufficient resources to create rod" },
	{ 0x55, 0x0D, "insufficient resources to create rod token" },
};

const char *vitk_scsi_asc_str(uint8_t asc, uint8_t ascq)
{
	size_t i;

	for (i = 0; i < VITK_ARRAY_SIZE(asc_table); i++)
		if (asc_table[i].asc == asc && asc_table[i].ascq == ascq)
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
