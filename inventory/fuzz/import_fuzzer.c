/* SPDX-License-Identifier: MIT */
/* Fuzz the export-document importer: hostile JSON must never crash or half-merge. */
#include <stddef.h>
#include <stdint.h>

#include <vitk/inventory.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_inventory *inv = NULL;
	vitk_inventory_import_stats st;

	if (vitk_inventory_open(&inv, ":memory:", 0) < 0)
		return 0;
	(void)vitk_inventory_import(inv, (const char *)data, size, &st);
	vitk_inventory_free(inv);
	return 0;
}
