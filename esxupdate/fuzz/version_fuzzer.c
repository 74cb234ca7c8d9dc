/* SPDX-License-Identifier: MIT */
/* Fuzz the VibVersion checker, comparator (total order) and release decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/esxupdate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a = malloc(size + 1), *b;
	vitk_esxupdate_release_info ri = VITK_ESXUPDATE_RELEASE_INFO_INIT;

	if (!a)
		return 0;
	memcpy(a, data, size);
	a[size] = '\0';
	b = strchr(a, '\n');
	if (b)
		*b++ = '\0';
	else
		b = a;
	(void)vitk_esxupdate_version_check(a);
	(void)vitk_esxupdate_release_decode(a, &ri);
	vitk_esxupdate_release_info_clear(&ri);
	/* antisymmetry and reflexivity must hold for any input */
	if (vitk_esxupdate_version_cmp(a, b) != -vitk_esxupdate_version_cmp(b, a) ||
	    vitk_esxupdate_version_cmp(a, a) != 0)
		abort();
	free(a);
	return 0;
}
