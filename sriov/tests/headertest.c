/* SPDX-License-Identifier: MIT */
/* The public header compiles on its own. */
#include <vitk/sriov.h>

int main(void)
{
	vitk_sriov_options o = VITK_SRIOV_OPTIONS_INIT;

	return o.version == 1 ? 0 : 1;
}
