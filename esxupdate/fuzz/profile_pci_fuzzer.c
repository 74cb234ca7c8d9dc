/* SPDX-License-Identifier: MIT */
/* Fuzz `profile get` / `acceptance get` and `lspci` / `hardware pci list` parsing. */
#include <stdint.h>

#include <vitk/esxupdate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_esxupdate_host *h = NULL;

	if (vitk_esxupdate_host_new(&h) < 0)
		return 0;
	(void)vitk_esxupdate_host_parse_profile(h, (const char *)data, size, "fuzz");
	(void)vitk_esxupdate_host_parse_pci(h, (const char *)data, size, "fuzz");
	vitk_esxupdate_host_free(h);
	return 0;
}
