/* SPDX-License-Identifier: MIT */
/*
 * Fuzz what the PostgreSQL backend does with operator-given text before it
 * reaches libpq or SQL: target detection, password redaction, host-pattern
 * translation and COPY escaping.  Checks invariants, aborts on a violation.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/src/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *r, *r2, *re, *g;
	vitk_str esc = VITK_STR_INIT;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)inv_is_pg_target(s);
	r = inv_redact(s);
	/* every "password=" value is gone, also after a second pass */
	r2 = r ? inv_redact(r) : NULL;
	for (const char *p = r; p && (p = strstr(p, "password=")); p += 9)
		if (strncmp(p + 9, "***", 3) != 0)
			abort();
	for (const char *p = r2; p && (p = strstr(p, "password=")); p += 9)
		if (strncmp(p + 9, "***", 3) != 0)
			abort();
	re = inv_glob_regex(s);
	if (re && strcmp(re, "x^") != 0 && (re[0] != '^' || re[strlen(re) - 1] != '$'))
		abort();
	g = inv_glob_sqlite(s);
	if (g && strlen(g) != strlen(s))
		abort();
	invpg_copy_escape(&esc, s);
	if (!esc.oom && strpbrk(esc.ptr, "\t\n\r"))
		abort();
	vitk_str_clear(&esc);
	free(g);
	free(re);
	free(r2);
	free(r);
	free(s);
	return 0;
}
