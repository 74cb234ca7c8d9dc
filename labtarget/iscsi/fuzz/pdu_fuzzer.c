/* SPDX-License-Identifier: MIT */
/* Fuzz the iSCSI PDU header/AHS parser and LUN decoding on hostile bytes. */
#include <stdint.h>
#include <string.h>

#include <vitk/common.h>
#include <vitk/error.h>

#include "iscsi_pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	iscsi_bhs bhs;
	uint8_t cdb[260];
	size_t cdb_len = 0;
	unsigned lun;
	uint32_t limit = 8192;

	if (size >= 1)
		limit = 512u << (data[0] & 7);
	if (vitk_odx_target__bhs_parse(&bhs, data, size, limit) == 0 && size >= ISCSI_BHS_LEN) {
		size_t avail = size - ISCSI_BHS_LEN;
		size_t ahs = bhs.ahs_len < avail ? bhs.ahs_len : avail;

		(void)vitk_odx_target__ahs_parse(data, data + ISCSI_BHS_LEN, ahs, cdb, sizeof(cdb),
						 &cdb_len);
		if (cdb_len > sizeof(cdb))
			__builtin_trap();
		if (vitk_odx_target__lun_decode(bhs.lun_raw, &lun) == 0 &&
		    vitk_odx_target__lun_encode(lun) != bhs.lun_raw && lun < 256 &&
		    (bhs.lun_raw >> 56) == 0)
			__builtin_trap(); /* peripheral round trip must hold */
	}
	vitk_error_clear();
	return 0;
}
