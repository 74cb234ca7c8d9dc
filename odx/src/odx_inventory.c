/* SPDX-License-Identifier: MIT */
#include <vitk/inventory.h>
#include <vitk/odx.h>

int vitk_odx_inventory_register(vitk_inventory *inv)
{
	(void)inv;
	return 0;
}
