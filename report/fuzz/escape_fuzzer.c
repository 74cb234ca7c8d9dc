/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the report's HTML escaper: any bytes (a host name, a job error) must
 * come out as valid UTF-8 with no raw markup character, quote or control
 * character, with and without the length limit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/src/report_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;

		if (c == '<' || c == '>' || c == '"' || c == '\'' || (c < 0x20 && c != '\t' && c != '\n') ||
		    c == 0x7f || (c >= 0x80 && c < 0xC2) || c > 0xF4 || i + len > n)
			abort();
		for (size_t k = 1; k < len; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				abort();
		if (c == '&' && strncmp(s + i, "&amp;", 5) && strncmp(s + i, "&lt;", 4) &&
		    strncmp(s + i, "&gt;", 4) && strncmp(s + i, "&quot;", 6) && strncmp(s + i, "&#39;", 5))
			abort();
		i += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *out = NULL;
	size_t len = 0;
	FILE *f;

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	for (int limit = 0; limit < 2; limit++) {
		struct rw w = { 0 };

		f = open_memstream(&out, &len);
		if (!f)
			break;
		w.f = f;
		rw_esc_max(&w, in, limit ? 7 : 0);
		fclose(f);
		if (w.failed)
			abort();
		check(out, len);
		free(out);
		out = NULL;
	}
	free(in);
	return 0;
}
