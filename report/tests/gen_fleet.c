/* SPDX-License-Identifier: MIT */
/* gen_fleet DB N: a test inventory of N hosts (fleet.h) for the browser tests. */
#include <stdio.h>
#include <stdlib.h>

#include <vitk/error.h>

#include "fleet.h"

int main(int argc, char **argv)
{
	vitk_inventory *inv = NULL;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: gen_fleet DB NHOSTS\n");
		return 2;
	}
	r = vitk_inventory_open(&inv, argv[1], 0);
	if (r == 0)
		r = fleet_fill(inv, (size_t)strtoul(argv[2], NULL, 10));
	if (r < 0)
		fprintf(stderr, "gen_fleet: %s\n", vitk_error_last()->message);
	vitk_inventory_free(inv);
	return r < 0;
}
