/* SPDX-License-Identifier: MIT */
/* Fuzz `esxcli software component list` parsing (7.0 and 8.0 text). */
#include <stdint.h>
#include <string.h>

#include <vitk/esxupdate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_esxupdate_host *h = NULL;
	size_t i, k;

	if (vitk_esxupdate_host_new(&h) < 0)
		return 0;
	if (vitk_esxupdate_host_parse_component_list(h, (const char *)data, size, "fuzz") == 0) {
		/* every accepted component has a name, a valid version, and is listed once */
		for (i = 0; i < vitk_esxupdate_host_component_count(h); i++) {
			const vitk_esxupdate_component *c = vitk_esxupdate_host_component(h, i);

			if (!c->name || vitk_esxupdate_version_check(c->version) != 0)
				__builtin_trap();
			for (k = 0; k < i; k++)
				if (strcmp(vitk_esxupdate_host_component(h, k)->name, c->name) == 0)
					__builtin_trap();
		}
	} else if (vitk_esxupdate_host_component_count(h) != 0) {
		__builtin_trap(); /* a refused capture leaves no half list */
	}
	vitk_esxupdate_host_free(h);
	return 0;
}
