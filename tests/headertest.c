/* SPDX-License-Identifier: MIT */
/* Every public header compiles on its own, in C11 with our warnings (libgit2's headertest). */
#include <vitk/error.h>
#include <vitk/common.h>
#include <vitk/array.h>
#include <vitk/str.h>
#include <vitk/table.h>
#include <vitk/inventory.h>
#include <vitk/odx.h>
#include <vitk/sriov.h>
#include <vitk/esxupdate.h>
#include <vitk/sys/esxupdate.h>
#include <vitk/odx_target.h>
#include <vitk/report.h>

int main(void)
{
	return vitk_error_last() == 0;
}
