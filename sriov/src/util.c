/* SPDX-License-Identifier: MIT */
/* Owned strings for the public structs (a leaf: calls nothing else in sriov). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/str.h>

#include "sriov_priv.h"

int vitk_sriov__strset(char **dst, const char *src)
{
	char *c = NULL;

	if (src && *src) {
		c = strdup(src);
		if (!c)
			return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	free(*dst);
	*dst = c;
	return 0;
}

int vitk_sriov__vstrsetf(char **dst, const char *fmt, va_list ap)
{
	vitk_str b = VITK_STR_INIT;
	char *c;

	vitk_str_vputf(&b, fmt, ap);
	c = vitk_str_detach(&b); /* NULL after a failed write, VITK_ENOMEM recorded */
	if (!c)
		return VITK_ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

int vitk_sriov__strsetf(char **dst, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vitk_sriov__vstrsetf(dst, fmt, ap);
	va_end(ap);
	return r;
}

void vitk_sriov__strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
