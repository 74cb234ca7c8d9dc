/* SPDX-License-Identifier: MIT */
/*
 * vitk common helpers: the optional log callback, version, and small
 * checked helpers that no system library provides.
 */
#ifndef VITK_COMMON_H
#define VITK_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include <vitk/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VITK_VERSION "0.1.0"

#define VITK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/** Programmer bugs only (git's BUG()); never for bad input. */
#define VITK_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			vitk__assert_fail(#cond, __FILE__, __LINE__);                              \
	} while (0)
void vitk__assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));

typedef enum {
	VITK_LOG_ERROR = 0,
	VITK_LOG_WARNING = 1,
	VITK_LOG_INFO = 2,
	VITK_LOG_DEBUG = 3
} vitk_log_level;

typedef void (*vitk_log_fn)(vitk_log_level level, const char *domain, const char *msg,
			    void *payload);

/**
 * vitk_set_log_fn() - install the process-wide log callback.
 * Libraries never print; they are silent unless one is set.  NULL removes it.
 */
void vitk_set_log_fn(vitk_log_fn fn, void *payload);

/** vitk_log() - emit through the callback if one is set. */
void vitk_log(vitk_log_level level, const char *domain, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- checked helpers ---- */

/** Parse a decimal/0x-hex unsigned 64-bit integer; whole string must match. */
int vitk_parse_u64(const char *s, uint64_t *out);

/**
 * vitk_parse_size() - parse "4096", "512K", "1M", "1G", "2T" (binary units).
 * Return: 0, or VITK_EINVAL / VITK_ERANGE.
 */
int vitk_parse_size(const char *s, uint64_t *out);

/** Format bytes as "1.5 GiB" into buf. */
const char *vitk_fmt_bytes(char *buf, size_t len, uint64_t bytes);

/** Read a whole file (at most max bytes, else VITK_ERANGE). *out is NUL-terminated; free() it. */
int vitk_read_file(const char *path, size_t max, char **out, size_t *out_len);

/** Monotonic clock in nanoseconds. */
uint64_t vitk_now_ns(void);

/** Big-endian helpers for wire formats. */
static inline uint16_t vitk_get_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t vitk_get_be24(const uint8_t *p)
{
	return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}
static inline uint32_t vitk_get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t vitk_get_be64(const uint8_t *p)
{
	return ((uint64_t)vitk_get_be32(p) << 32) | vitk_get_be32(p + 4);
}
static inline void vitk_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void vitk_put_be24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}
static inline void vitk_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
static inline void vitk_put_be64(uint8_t *p, uint64_t v)
{
	vitk_put_be32(p, (uint32_t)(v >> 32));
	vitk_put_be32(p + 4, (uint32_t)v);
}

#ifdef __cplusplus
}
#endif

#endif /* VITK_COMMON_H */
