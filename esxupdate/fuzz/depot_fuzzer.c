/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the depot reader (zip bundle and ar .vib) end to end: the bytes go to
 * a temporary file because the reader takes a path, as the CLI does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <vitk/esxupdate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[256];
	vitk_esxupdate_depot *d = NULL;
	FILE *f;

	if (!path[0]) {
		const char *tmp = getenv("TEST_TMPDIR");

		snprintf(path, sizeof(path), "%s/depot_fuzz.%d", tmp ? tmp : "/tmp", (int)getpid());
	}
	f = fopen(path, "wb");
	if (!f)
		return 0;
	if (size)
		fwrite(data, 1, size, f);
	fclose(f);
	if (vitk_esxupdate_depot_open(&d, path, NULL) == 0 && vitk_esxupdate_depot_vib_count(d) == 0)
		abort(); /* an accepted depot always holds a VIB */
	vitk_esxupdate_depot_free(d);
	unlink(path);
	return 0;
}
