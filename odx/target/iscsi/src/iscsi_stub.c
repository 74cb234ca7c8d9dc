/* SPDX-License-Identifier: MIT */
/* placeholder until the iSCSI layer lands; replace me */
#include <vitk/odx_target.h>
