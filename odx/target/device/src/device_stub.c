/* SPDX-License-Identifier: MIT */
/* placeholder until the device model lands; replace me */
#include "odx/target/device/scsi_device.h"
