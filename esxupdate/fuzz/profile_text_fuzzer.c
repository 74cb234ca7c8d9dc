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
		/* the depot the captures are read against; a missing one must not pass silently */
		if (vitk_esxupdate_depot_open(&d, "esxupdate/fx/bulletin-only.zip", NULL) < 0)
			__builtin_trap();
	}
	n = vitk_esxupdate_depot_profile_count(d);
	(void)vitk_esxupdate_depot_add_profile_text(d, (const char *)data, size, "fuzz");
	/* profiles are added or replaced, never lost */
	if (vitk_esxupdate_depot_profile_count(d) < n)
		__builtin_trap();
	/* the same bytes as a `sources profile list`: an unread profile is never one the depot has */
	(void)vitk_esxupdate_depot_check_profile_list(d, (const char *)data, size, "fuzz");
	for (n = 0; n < vitk_esxupdate_depot_unread_profile_count(d); n++)
		if (vitk_esxupdate_depot_find_profile(d, vitk_esxupdate_depot_unread_profile(d, n)))
			__builtin_trap();
	return 0;
}
