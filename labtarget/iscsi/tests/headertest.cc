// SPDX-License-Identifier: MIT
// The public header compiles on its own, as C++, with nothing before it.
#include <vitk/odx_target.h>

int main()
{
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;
	vitk_odx_target_lun l = VITK_ODX_TARGET_LUN_INIT;
	vitk_odx_target_stats s;
	vitk_odx_target *t = nullptr;

	(void)s;
	vitk_odx_target_free(t); // NULL is fine
	return (o.iqn == nullptr && l.block_size == 512 &&
		vitk_odx_target_port(t) == 0 && vitk_odx_target_lun_count(t) == 0)
		       ? 0
		       : 1;
}
