// SPDX-License-Identifier: MIT
// The seam header compiles on its own, as C++ too (house style R18).
#include "labtarget/scsi/cdb.h"
#include "labtarget/scsi/scsi_device.h"

int main()
{
	tgt_cmd cmd = {};
	return (tgt_cdb_dout_len(cmd.cdb, cmd.cdb_len, 512) == 0 && sizeof(cmd.sense) == TGT_SENSE_MAX) ? 0 : 1;
}
