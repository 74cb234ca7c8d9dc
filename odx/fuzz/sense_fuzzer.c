/* SPDX-License-Identifier: MIT */
/* Sense data, fixed and descriptor formats. */
#include <stdint.h>
#include <stddef.h>

#include <vitk/scsi.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_scsi_sense s;

	if (vitk_scsi_sense_parse(&s, data, size) == 0) {
		(void)vitk_scsi_asc_str(s.asc, s.ascq);
		(void)vitk_scsi_sense_key_str(s.sense_key);
	}
	return 0;
}
