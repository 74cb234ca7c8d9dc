/* SPDX-License-Identifier: MIT */
/*
 * esxupdate: string vector, line reader and small string helpers.  A leaf:
 * calls nothing else in the library.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esxu.h"

int vitk_esxupdate__strv_addn(esxu_strv *sv, const char *s, size_t n)
{
	char *d;

	d = vitk_esxupdate__strndup(s, n);
	if (!d)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (vitk_array_append(*sv, d) < 0) {
		free(d);
		return VITK_ENOMEM;
	}
	return 0;
}

int vitk_esxupdate__strv_add(esxu_strv *sv, const char *s)
{
	return vitk_esxupdate__strv_addn(sv, s, strlen(s));
}

void vitk_esxupdate__strv_dispose(esxu_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->size; i++)
		free(sv->ptr[i]);
	vitk_array_clear(*sv);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void vitk_esxupdate__strv_sort(esxu_strv *sv)
{
	if (sv->size > 1)
		qsort(sv->ptr, sv->size, sizeof(char *), cmp_str);
}

bool vitk_esxupdate__strv_has(const esxu_strv *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->size; i++)
		if (strcmp(sv->ptr[i], s) == 0)
			return true;
	return false;
}

void vitk_esxupdate__strlcpy(char *dst, const char *src, size_t cap)
{
	size_t n = strlen(src);

	if (!cap)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

char *vitk_esxupdate__strdup(const char *s)
{
	return s ? vitk_esxupdate__strndup(s, strlen(s)) : NULL;
}

char *vitk_esxupdate__strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *vitk_esxupdate__trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return vitk_esxupdate__strndup(s, n);
}

char *vitk_esxupdate__printf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

bool vitk_esxupdate__streq_ci(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	while (*a && *b) {
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++;
		b++;
	}
	return *a == *b;
}

void vitk_esxupdate__norm_key(char *dst, size_t cap, const char *src, size_t n)
{
	size_t o = 0, i;

	if (!cap)
		return;
	for (i = 0; i < n && src[i]; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == ' ' || c == '-' || c == '_' || c == '\t')
			continue;
		if (o + 1 >= cap)
			break;
		dst[o++] = (char)tolower(c);
	}
	dst[o] = '\0';
}

vitk_esxupdate_bool vitk_esxupdate__parse_bool(const char *s)
{
	if (!s)
		return VITK_ESXUPDATE_UNSET;
	if (vitk_esxupdate__streq_ci(s, "true") || vitk_esxupdate__streq_ci(s, "yes") || strcmp(s, "1") == 0)
		return VITK_ESXUPDATE_YES;
	if (vitk_esxupdate__streq_ci(s, "false") || vitk_esxupdate__streq_ci(s, "no") || strcmp(s, "0") == 0)
		return VITK_ESXUPDATE_NO;
	return VITK_ESXUPDATE_UNSET;
}


bool vitk_esxupdate__next_line(esxu_lines *ls, const char **s, size_t *n)
{
	const char *e;

	if (ls->p >= ls->end)
		return false;
	e = memchr(ls->p, '\n', (size_t)(ls->end - ls->p));
	if (!e)
		e = ls->end;
	*s = ls->p;
	*n = (size_t)(e - ls->p);
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	ls->p = e < ls->end ? e + 1 : e;
	ls->lineno++;
	return true;
}

bool vitk_esxupdate__blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

void *vitk_esxupdate__list_grow(void *items, size_t count, size_t item_size)
{
	size_t asize = count; /* a public list is allocated to its count */
	char *p = vitk_array__grow(items, &asize, count, 1, item_size);

	if (asize - count < 1)
		return NULL; /* VITK_ENOMEM recorded, @items unchanged */
	memset(p + count * item_size, 0, item_size);
	return p;
}

int vitk_esxupdate__strlist_add(char ***list, size_t *n, const char *s)
{
	char **p = vitk_esxupdate__list_grow(*list, *n, sizeof(**list));

	if (!p)
		return VITK_ENOMEM;
	*list = p;
	p[*n] = vitk_esxupdate__strdup(s);
	if (!p[*n])
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	(*n)++;
	return 0;
}

int vitk_esxupdate__table_header(esxu_lines *ls, esxu_col *cols, size_t max, size_t *ncols, const char *what,
				 const char *command)
{
	const char *prev = NULL, *s = NULL;
	size_t prevn = 0, n = 0, i;

	for (;;) {
		bool sep;

		if (!vitk_esxupdate__next_line(ls, &s, &n))
			return vitk_error_set(VITK_EINVAL, 0,
					      "%s: no column separator line ('----  ----') found: not `%s` output", what, command);
		sep = n >= 3 && s[0] == '-';
		for (i = 0; sep && i < n; i++)
			sep = s[i] == '-' || s[i] == ' ';
		if (sep && prev)
			break;
		if (!vitk_esxupdate__blank(s, n)) {
			prev = s;
			prevn = n;
		}
	}
	*ncols = 0;
	for (i = 0; i < n;) {
		while (i < n && s[i] == ' ')
			i++;
		if (i >= n)
			break;
		if (*ncols == max)
			return vitk_error_set(VITK_EINVAL, 0, "%s line %zu: more than %zu columns", what, ls->lineno, max);
		cols[(*ncols)++].start = i;
		while (i < n && s[i] == '-')
			i++;
	}
	for (i = 0; i < *ncols; i++) {
		size_t st = cols[i].start, en = i + 1 < *ncols ? cols[i + 1].start : prevn;

		if (st >= prevn || prev[st] == ' ')
			return vitk_error_set(VITK_EINVAL, 0,
					      "%s line %zu: header is not aligned with the separator line (shifted columns)",
					      what, ls->lineno - 1);
		cols[i].title = prev + st;
		cols[i].title_len = (en < prevn ? en : prevn) - st;
	}
	return 0;
}

bool vitk_esxupdate__has_ctl(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}
