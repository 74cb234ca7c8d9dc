// SPDX-License-Identifier: MIT
// The public headers are C++-safe (extern "C", no C-only constructs in declarations).
#include <vitk/error.h>
#include <vitk/common.h>
#include <vitk/array.h>
#include <vitk/str.h>
#include <vitk/table.h>
#include <vitk/inventory.h>
#include <vitk/odx.h>
#include <vitk/sriov.h>
#include <vitk/esxupdate.h>
#include <vitk/odx_target.h>
#include <vitk/report.h>

int main()
{
	return vitk_error_last() == nullptr;
}
