/* SPDX-License-Identifier: MIT */
/* Fuzz the VIB descriptor, bulletin and image profile parsers. */
#include <stdint.h>

#include <vitk/sys/esxupdate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_esxupdate_vib *v = NULL;
	vitk_esxupdate_bulletin *b = NULL;
	vitk_esxupdate_profile *p = NULL;

	if (vitk_esxupdate_vib_parse(&v, (const char *)data, size, "fuzz") == 0) {
		(void)vitk_esxupdate_vib_driver_class(v);
		(void)vitk_esxupdate_vib_is_vendor(v);
	}
	(void)vitk_esxupdate_bulletin_parse(&b, (const char *)data, size, "fuzz");
	(void)vitk_esxupdate_profile_parse(&p, (const char *)data, size, "fuzz");
	vitk_esxupdate_vib_free(v);
	vitk_esxupdate_bulletin_free(b);
	vitk_esxupdate_profile_free(p);
	return 0;
}
