/* SPDX-License-Identifier: MIT */
/* Standard INQUIRY and VPD pages 0x00, 0x80, 0x83, 0xB0 plus READ CAPACITY(16). */
#include <stdint.h>
#include <stddef.h>

#include <vitk/scsi.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_scsi_inquiry q;
	vitk_scsi_vpd_pages p;
	vitk_scsi_designator d;
	vitk_scsi_vpd_block_limits bl;
	vitk_scsi_capacity c;
	uint8_t cscd[32];
	char sn[64];

	vitk_scsi_inquiry_parse(&q, data, size);
	vitk_scsi_vpd_pages_parse(&p, data, size);
	vitk_scsi_vpd_serial_parse(sn, sizeof(sn), data, size);
	if (vitk_scsi_vpd_devid_parse(&d, data, size) == 0 && d.found)
		vitk_scsi_cscd_e4_build(cscd, &d, 512);
	vitk_scsi_vpd_block_limits_parse(&bl, data, size);
	vitk_scsi_capacity_parse(&c, data, size);
	return 0;
}
