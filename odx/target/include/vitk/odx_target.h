/* SPDX-License-Identifier: MIT */
/* vitk lab iSCSI target (//odx/target): public entry points for `vitk odx serve`. */
#ifndef VITK_ODX_TARGET_H
#define VITK_ODX_TARGET_H

#include <vitk/common.h>

#endif
