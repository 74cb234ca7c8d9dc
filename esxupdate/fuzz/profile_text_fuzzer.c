/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the `esxcli software sources profile get` text parser against a real
 * depot (the generated roll-up-only bundle, loaded once from the runfiles).
 */
#include <stdint.h>

#include <vitk/esxupdate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static vitk_esxupdate_depot *d;
	static int tried;
	size_t n;

	if (!tried) {
		tried = 1;
		if (vitk_esxupdate_depot_open(&d, "esxupdate/fx/rollup-only.zip", NULL) < 0)
			d = NULL;
	}
	if (!d)
		return 0;
	n = vitk_esxupdate_depot_profile_count(d);
	(void)vitk_esxupdate_depot_add_profile_text(d, (const char *)data, size, "fuzz");
	/* profiles are added or replaced, never lost */
	if (vitk_esxupdate_depot_profile_count(d) < n)
		__builtin_trap();
	return 0;
}
