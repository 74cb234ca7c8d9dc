/* SPDX-License-Identifier: MIT */
/* Desired-state JSON parser, and a serialise/parse round trip of what it accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/sriov.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_sriov_desired *d = NULL, *d2 = NULL;
	char *js = NULL, *js2 = NULL;

	if (vitk_sriov_desired_from_json(&d, (const char *)data, size) < 0)
		return 0;
	if (vitk_sriov_desired_to_json(&js, d) == 0 &&
	    vitk_sriov_desired_from_json(&d2, js, strlen(js)) == 0 &&
	    vitk_sriov_desired_to_json(&js2, d2) == 0 && strcmp(js, js2) != 0)
		abort(); /* the round trip must be stable */
	free(js);
	free(js2);
	vitk_sriov_desired_free(d);
	vitk_sriov_desired_free(d2);
	return 0;
}
