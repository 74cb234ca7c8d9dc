/* SPDX-License-Identifier: MIT */
/* Fuzz `esxcli software vib list` parsing (text, csv and xml are auto-detected). */
#include <stdint.h>

#include <vitk/esxupdate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_esxupdate_host *h = NULL;
	size_t i;

	if (vitk_esxupdate_host_new(&h) < 0)
		return 0;
	if (vitk_esxupdate_host_parse_vib_list(h, (const char *)data, size, "fuzz") == 0) {
		/* every accepted VIB has a name and a valid version */
		for (i = 0; i < vitk_esxupdate_host_vib_count(h); i++) {
			const vitk_esxupdate_vib *v = vitk_esxupdate_host_vib(h, i);

			if (!v->name || !v->id || vitk_esxupdate_version_check(v->version) != 0)
				__builtin_trap();
		}
	}
	vitk_esxupdate_host_free(h);
	return 0;
}
