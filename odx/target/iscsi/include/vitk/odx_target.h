/* SPDX-License-Identifier: MIT */
/* vitk lab iSCSI target: public entry points for `vitk odx serve`. */
#ifndef VITK_ODX_TARGET_H
#define VITK_ODX_TARGET_H

#include <vitk/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif
