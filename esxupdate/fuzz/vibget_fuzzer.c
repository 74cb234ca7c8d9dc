/* SPDX-License-Identifier: MIT */
/* Fuzz `esxcli software vib get` parsing (text and xml), merged into a real list. */
#include <stdint.h>
#include <string.h>

#include <vitk/esxupdate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char list[] =
		"Name        Version                          Vendor  Acceptance Level  Install Date\n"
		"----------  -------------------------------  ------  ----------------  ------------\n"
		"esx-base    5.5.0-0.0.1331820                VMware  VMwareCertified   2014-01-10\n"
		"net-be2net  10.0.725.0-1OEM.550.0.0.1331820  Emulex  VMwareCertified   2014-01-10\n";
	vitk_esxupdate_host *h = NULL;

	if (vitk_esxupdate_host_new(&h) < 0)
		return 0;
	if (vitk_esxupdate_host_parse_vib_list(h, list, strlen(list), "list") == 0)
		(void)vitk_esxupdate_host_parse_vib_get(h, (const char *)data, size, "fuzz");
	vitk_esxupdate_host_free(h);
	return 0;
}
