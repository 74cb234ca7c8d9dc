/* SPDX-License-Identifier: MIT */
/* RECEIVE COPY OPERATING PARAMETERS, RECEIVE COPY STATUS(LID1), FAILURE DETAILS. */
#include <stdint.h>
#include <stddef.h>

#include <vitk/scsi.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_scsi_rcop r;
	vitk_scsi_rcs_lid1 s;
	vitk_scsi_failure_details f;
	vitk_scsi_sense sd;

	if (vitk_scsi_rcop_parse(&r, data, size) == 0)
		(void)vitk_scsi_rcop_has_desc(&r, 0xE4);
	vitk_scsi_rcs_lid1_parse(&s, data, size);
	if (vitk_scsi_failure_details_parse(&f, data, size) == 0 && f.sense_len)
		vitk_scsi_sense_parse(&sd, f.sense, f.sense_len);
	return 0;
}
