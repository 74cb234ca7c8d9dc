/* SPDX-License-Identifier: MIT */
#ifndef VITK_ODX_H
#define VITK_ODX_H

#include <vitk/common.h>
#include <vitk/inventory.h>

#ifdef __cplusplus
extern "C" {
#endif

/** vitk_odx_inventory_register() - create/upgrade the odx tables in @inv. */
int vitk_odx_inventory_register(vitk_inventory *inv);

#ifdef __cplusplus
}
#endif

#endif /* VITK_ODX_H */
