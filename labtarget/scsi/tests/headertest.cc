// SPDX-License-Identifier: MIT
// The seam headers compile on their own, as C++ too (public headers are C++-safe).
#include "labtarget/scsi/cdb.h"
#include "labtarget/scsi/scsi_device.h"

int main()
{
	tgt_cmd cmd = {};
	return (tgt_cdb_dout_len(cmd.cdb, cmd.cdb_len, 512) == 0 && sizeof(cmd.sense) == TGT_SENSE_MAX) ? 0 : 1;
}
