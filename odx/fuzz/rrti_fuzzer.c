/* SPDX-License-Identifier: MIT */
/* RECEIVE ROD TOKEN INFORMATION / RCS(LID4) and the token inside. */
#include <stdint.h>
#include <stddef.h>

#include <vitk/scsi.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static vitk_scsi_rrti r;
	vitk_scsi_rod_token t;
	vitk_scsi_sense s;

	if (vitk_scsi_rrti_parse(&r, data, size) == 0) {
		if (r.sense_len)
			vitk_scsi_sense_parse(&s, r.sense, r.sense_len);
		if (r.has_token)
			vitk_scsi_rod_token_parse(&t, r.token, sizeof(r.token));
	}
	return 0;
}
