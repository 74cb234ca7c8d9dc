/* SPDX-License-Identifier: MIT */
/* The 512-byte ROD token (token files come from other hosts). */
#include <stdint.h>
#include <stddef.h>

#include <vitk/scsi.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_scsi_rod_token t;

	if (vitk_scsi_rod_token_parse(&t, data, size) == 0)
		(void)vitk_scsi_rod_type_str(t.rod_type);
	return 0;
}
