/* SPDX-License-Identifier: MIT */
/* PT/WUT range descriptor lists and EXTENDED COPY segment descriptors. */
#include <stdint.h>
#include <stddef.h>

#include <vitk/scsi.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_scsi_range r[64];
	vitk_scsi_segment s;
	size_t n;

	vitk_scsi_range_list_parse(r, 64, &n, data, size, VITK_SCSI_PT_HDR_LEN);
	vitk_scsi_range_list_parse(r, 64, &n, data, size, VITK_SCSI_WUT_HDR_LEN);
	vitk_scsi_segment_parse(&s, data, size);
	return 0;
}
