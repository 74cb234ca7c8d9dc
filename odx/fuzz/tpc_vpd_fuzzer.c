/* SPDX-License-Identifier: MIT */
/* VPD 0x8F third-party copy descriptors. */
#include <stdint.h>
#include <stddef.h>

#include <vitk/scsi.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_scsi_vpd_tpc t;

	if (vitk_scsi_vpd_tpc_parse(&t, data, size) == 0) {
		(void)vitk_scsi_vpd_tpc_has_out(&t, VITK_SCSI_SA_POPULATE_TOKEN);
		(void)vitk_scsi_vpd_tpc_has_in(&t, VITK_SCSI_SA_RRTI);
	}
	return 0;
}
