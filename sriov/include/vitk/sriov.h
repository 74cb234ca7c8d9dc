/* SPDX-License-Identifier: MIT */
#ifndef VITK_SRIOV_H
#define VITK_SRIOV_H

#include <vitk/common.h>
#include <vitk/inventory.h>

#ifdef __cplusplus
extern "C" {
#endif

/** vitk_sriov_inventory_register() - create/upgrade the sriov tables in @inv. */
int vitk_sriov_inventory_register(vitk_inventory *inv);

#ifdef __cplusplus
}
#endif

#endif /* VITK_SRIOV_H */
