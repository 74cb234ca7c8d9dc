/* SPDX-License-Identifier: MIT */
/* Fuzz the base-image / add-on / manifest JSON reader (7.0+ metadata, form not confirmed). */
#include <stdint.h>

#include <vitk/sys/esxupdate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_esxupdate_image *im = NULL;
	size_t i;

	if (vitk_esxupdate_image_parse(&im, (vitk_esxupdate_image_kind)(size % 3), (const char *)data, size, "fuzz") == 0) {
		/* an accepted document has a name or a version; every component has a name */
		if (!im->name && !im->version)
			__builtin_trap();
		for (i = 0; i < im->ncomponents; i++)
			if (!im->components[i].name || !*im->components[i].name)
				__builtin_trap();
	} else if (im) {
		__builtin_trap();
	}
	vitk_esxupdate_image_free(im);
	return 0;
}
