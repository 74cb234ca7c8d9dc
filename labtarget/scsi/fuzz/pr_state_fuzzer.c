/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the persistent-reservation state file parser (PATH.pr, read back at
 * start-up when APTPL was set; src/pr.c): any bytes must be refused or
 * loaded into a state the device can serve, never crash.
 */
#include <stddef.h>
#include <stdint.h>

#include "dev_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)pr__parse_state(data, size);
	return 0;
}
