/* SPDX-License-Identifier: MIT */
/*
 * Hostile text through the output layer: cli_display_text() must leave
 * nothing a terminal would act on (C0/C1 controls, DEL, bidi controls,
 * invalid UTF-8), and the same text in a vitk_table must give JSON that
 * parses back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* valid UTF-8 with no control or bidi code point, else abort */
static void check_inert(const unsigned char *s)
{
	while (*s) {
		uint32_t cp;
		size_t n;

		if (s[0] < 0x80) {
			if (s[0] < 0x20 || s[0] == 0x7f)
				abort();
			s++;
			continue;
		}
		n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
		if (s[0] < 0xc2 || s[0] > 0xf4)
			abort();
		cp = s[0] & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
		for (size_t i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				abort();
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
		    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			abort();
		s += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const vitk_table_column cols[] = { VITK_TABLE_COLUMN("text", VITK_TABLE_STR) };
	char *in = malloc(size + 1), *shown = NULL, *dump = NULL;
	vitk_table *t = NULL;
	json_t *j = NULL, *back = NULL;

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	shown = cli_display_text(in);
	if (shown)
		check_inert((const unsigned char *)shown);
	if (vitk_table_new(&t, cols, 1) == 0 && vitk_table_add_row(t) == 0 &&
	    vitk_table_set_str(t, 0, in) == 0 && vitk_table_to_json(&j, t) == 0) {
		dump = json_dumps(j, JSON_COMPACT);
		back = dump ? json_loads(dump, 0, NULL) : NULL;
		if (dump && (!back || !json_equal(back, j)))
			abort();
	}
	json_decref(back);
	json_decref(j);
	free(dump);
	vitk_table_free(t);
	free(shown);
	free(in);
	return 0;
}
