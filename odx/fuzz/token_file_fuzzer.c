/* SPDX-License-Identifier: MIT */
/* Token files (`vitk odx token write/show`) come from other hosts. */
#include <stdint.h>
#include <stddef.h>

#include <vitk/odx.h>
#include <vitk/sys/odx.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_odx_token_list *l = NULL;

	if (vitk_odx_token_list_parse(&l, data, size) == 0)
		vitk_odx_token_list_free(l);
	return 0;
}
