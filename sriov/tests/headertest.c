/* SPDX-License-Identifier: MIT */
/* The public header compiles on its own. */
#include <vitk/sriov.h>

int main(void)
{
	vitk_sriov_options o = VITK_SRIOV_OPTIONS_INIT;

	return o.sysfs_root == NULL ? 0 : 1;
}
