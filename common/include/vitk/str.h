/* SPDX-License-Identifier: MIT */
/*
 * vitk growable string buffer.
 *
 *   vitk_str s = VITK_STR_INIT;
 *
 *   vitk_str_puts(&s, "pf ");
 *   vitk_str_putf(&s, "%s vf %u", name, idx);
 *   if (s.oom)                          (one check after many writes is enough)
 *           goto out;
 *   use(s.ptr, s.size);
 *   ...
 *   out:
 *   vitk_str_clear(&s);
 *
 * ptr is always a NUL-terminated string: before the first write it points at
 * a shared, read-only empty string (so never write through ptr yourself, and
 * never free() it; use vitk_str_detach() to take ownership).  A buffer in
 * zero-filled memory (calloc) is also valid for every function here, but its
 * ptr stays NULL until the first successful write; initialise it with
 * vitk_str_init() when you read ptr directly.
 *
 * Out-of-memory is sticky: the failing call returns VITK_ENOMEM and records it
 * in vitk_error_last(), sets oom, and keeps the text written before it.  Every
 * later write returns VITK_ENOMEM at once without changing the buffer, and
 * vitk_str_detach() returns NULL.  Nothing aborts, nothing is dropped
 * silently.  vitk_str_clear() resets the flag.
 */
#ifndef VITK_STR_H
#define VITK_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <vitk/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	char *ptr;    /* NUL-terminated text; see above */
	size_t size;  /* length of the text, without the NUL */
	size_t asize; /* bytes allocated for ptr; 0 while ptr is not owned */
	bool oom;     /* an allocation failed; the buffer refuses further writes */
} vitk_str;

/* The shared empty string of unwritten buffers.  Never write to it. */
extern char vitk_str__empty[1];

/** VITK_STR_INIT - an empty buffer. */
#define VITK_STR_INIT { vitk_str__empty, 0, 0, false }

/** vitk_str_init() - make @s an empty buffer (same as VITK_STR_INIT). */
void vitk_str_init(vitk_str *s);

/**
 * vitk_str_grow() - make room for @extra more bytes (plus the NUL).
 * Return: 0, or VITK_ENOMEM (also when size + extra overflows).
 */
int vitk_str_grow(vitk_str *s, size_t extra);

/**
 * vitk_str_put() - append @len bytes of @data (which may contain NULs).
 * @data must not point into @s itself (growing may move it).
 * Return: 0 or VITK_ENOMEM.
 */
int vitk_str_put(vitk_str *s, const char *data, size_t len);

/** vitk_str_puts() - append the C string @str. Return: 0 or VITK_ENOMEM. */
int vitk_str_puts(vitk_str *s, const char *str);

/** vitk_str_putc() - append one byte. Return: 0 or VITK_ENOMEM. */
int vitk_str_putc(vitk_str *s, char c);

/**
 * vitk_str_putf() - append printf-style formatted text.
 * Return: 0, or VITK_ENOMEM (allocation failed, or vsnprintf() reported an
 * error, which only happens for output beyond INT_MAX bytes).
 */
int vitk_str_putf(vitk_str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** vitk_str_vputf() - vitk_str_putf() with a va_list. */
int vitk_str_vputf(vitk_str *s, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/** vitk_str_truncate() - shorten the text to @len bytes (no-op if already shorter). */
void vitk_str_truncate(vitk_str *s, size_t len);

/**
 * vitk_str_detach() - take the text out of the buffer.
 *
 * Return: a NUL-terminated string the caller frees with free() (never the
 * shared empty string), or NULL if the buffer had run out of memory or
 * copying an empty buffer failed (VITK_ENOMEM recorded).  Either way @s is
 * left empty, as after vitk_str_clear().
 */
char *vitk_str_detach(vitk_str *s);

/** vitk_str_clear() - free the text and reset @s to VITK_STR_INIT (oom cleared).  NULL is ok. */
void vitk_str_clear(vitk_str *s);

#ifdef __cplusplus
}
#endif

#endif /* VITK_STR_H */
