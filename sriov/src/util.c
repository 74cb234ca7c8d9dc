/* SPDX-License-Identifier: MIT */
/* Owned strings for the public structs (a leaf: calls nothing else in sriov). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int vitk_sriov__strsetf(char **dst, const char *fmt, ...)
{
	va_list ap;
	char *c;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return vitk_error_set(VITK_EINVAL, 0, "bad format '%s'", fmt);
	c = malloc((size_t)n + 1);
	if (!c)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	va_start(ap, fmt);
	vsnprintf(c, (size_t)n + 1, fmt, ap);
	va_end(ap);
	free(*dst);
	*dst = c;
	return 0;
}

void vitk_sriov__strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
