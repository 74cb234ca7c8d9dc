/* SPDX-License-Identifier: MIT */
#ifndef VITK_ESXUPDATE_H
#define VITK_ESXUPDATE_H

#include <vitk/common.h>
#include <vitk/inventory.h>

#ifdef __cplusplus
extern "C" {
#endif

/** vitk_esxupdate_inventory_register() - create/upgrade the esxupdate tables in @inv. */
int vitk_esxupdate_inventory_register(vitk_inventory *inv);

#ifdef __cplusplus
}
#endif

#endif /* VITK_ESXUPDATE_H */
