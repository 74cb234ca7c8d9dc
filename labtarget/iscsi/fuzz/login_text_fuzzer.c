/* SPDX-License-Identifier: MIT */
/* Fuzz the login/text key=value parser and the CHAP value decoder. */
#include <stdint.h>
#include <string.h>

#include <vitk/common.h>
#include <vitk/error.h>

#include "iscsi_pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	iscsi_text t;
	size_t i;

	if (vitk_odx_target__text_parse(&t, data, size) == 0) {
		for (i = 0; i < t.count; i++) {
			uint8_t bin[64];
			int n;

			if (strlen(t.pairs[i].key) == 0 || strlen(t.pairs[i].key) > ISCSI_TEXT_KEY_MAX)
				__builtin_trap();
			n = vitk_odx_target__chap_decode(t.pairs[i].value, bin, sizeof(bin));
			if (n > (int)sizeof(bin))
				__builtin_trap();
			if (n >= 0)
				(void)vitk_odx_target__chap_check(1, "secret", bin, (size_t)n, bin,
								  (size_t)n);
			if (vitk_odx_target__text_get(&t, t.pairs[i].key) != t.pairs[i].value)
				__builtin_trap();
		}
		vitk_odx_target__text_dispose(&t);
	}
	vitk_error_clear();
	return 0;
}
