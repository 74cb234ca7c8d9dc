/* SPDX-License-Identifier: MIT */
/* <vitk/str.h>: a NUL-terminated growable string buffer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/str.h>

#define STR_MIN_ALLOC 64

char vitk_str__empty[1];

static int str_oom(vitk_str *s)
{
	s->oom = true;
	return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

void vitk_str_init(vitk_str *s)
{
	s->ptr = vitk_str__empty;
	s->size = 0;
	s->asize = 0;
	s->oom = false;
}

int vitk_str_grow(vitk_str *s, size_t extra)
{
	size_t need, want;
	char *np;

	if (s->oom)
		return VITK_ENOMEM;
	if (extra >= SIZE_MAX - s->size)
		return str_oom(s);
	need = s->size + extra + 1;
	if (need <= s->asize)
		return 0;
	want = s->asize < STR_MIN_ALLOC ? STR_MIN_ALLOC : s->asize + s->asize / 2;
	if (want < need)
		want = need;
	/* An unwritten buffer does not own ptr (shared empty string or NULL). */
	np = realloc(s->asize ? s->ptr : NULL, want);
	if (!np)
		return str_oom(s);
	if (!s->asize)
		np[0] = '\0';
	s->ptr = np;
	s->asize = want;
	return 0;
}

int vitk_str_put(vitk_str *s, const char *data, size_t len)
{
	int r = vitk_str_grow(s, len);

	if (r < 0)
		return r;
	if (len)
		memcpy(s->ptr + s->size, data, len);
	s->size += len;
	s->ptr[s->size] = '\0';
	return 0;
}

int vitk_str_puts(vitk_str *s, const char *str)
{
	return vitk_str_put(s, str, strlen(str));
}

int vitk_str_putc(vitk_str *s, char c)
{
	return vitk_str_put(s, &c, 1);
}

int vitk_str_vputf(vitk_str *s, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, r;

	if (s->oom)
		return VITK_ENOMEM;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return str_oom(s);
	r = vitk_str_grow(s, (size_t)n);
	if (r < 0)
		return r;
	va_copy(ap2, ap);
	vsnprintf(s->ptr + s->size, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	s->size += (size_t)n;
	return 0;
}

int vitk_str_putf(vitk_str *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vitk_str_vputf(s, fmt, ap);
	va_end(ap);
	return r;
}

void vitk_str_truncate(vitk_str *s, size_t len)
{
	if (len >= s->size)
		return;
	s->size = len;
	s->ptr[len] = '\0';
}

char *vitk_str_detach(vitk_str *s)
{
	char *p = NULL;

	if (s->oom) {
		vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	} else if (s->asize) {
		p = s->ptr;
		s->asize = 0;
	} else {
		p = calloc(1, 1);
		if (!p)
			vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	vitk_str_clear(s);
	return p;
}

void vitk_str_clear(vitk_str *s)
{
	if (!s)
		return;
	if (s->asize)
		free(s->ptr);
	vitk_str_init(s);
}
