/* SPDX-License-Identifier: MIT */
#include <vitk/esxupdate.h>

int vitk_esxupdate_inventory_register(vitk_inventory *inv)
{
	(void)inv;
	return 0;
}
