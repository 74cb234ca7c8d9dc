/* SPDX-License-Identifier: MIT */
/* The report's output stream: raw markup, escaped text, numbers. */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "report_priv.h"

static void put(struct rw *w, const char *s, size_t n)
{
	if (w->failed || n == 0)
		return;
	if (fwrite(s, 1, n, w->f) != n)
		w->failed = true;
}

void rw_raw(struct rw *w, const char *s)
{
	put(w, s, strlen(s));
}

void rw_fmt(struct rw *w, const char *fmt, ...)
{
	va_list ap;

	if (w->failed)
		return;
	va_start(ap, fmt);
	if (vfprintf(w->f, fmt, ap) < 0)
		w->failed = true;
	va_end(ap);
}

/* length of the valid UTF-8 sequence at @s (RFC 3629: no overlongs, no surrogates), 0 if invalid */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (s[0] == 0xE0 && s[1] < 0xA0)
			return 0;
		if (s[0] == 0xED && s[1] >= 0xA0)
			return 0;
		return 3;
	}
	if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

void rw_esc_max(struct rw *w, const char *s, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;

	if (!s)
		return;
	while (*p) {
		size_t n = utf8_len(p);

		if (max_chars && chars == max_chars) {
			rw_raw(w, "\xe2\x80\xa6"); /* U+2026 */
			return;
		}
		chars++;
		if (n == 0 || (*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f) {
			rw_raw(w, "\xef\xbf\xbd"); /* U+FFFD */
			p++;
			continue;
		}
		switch (*p) {
		case '&': rw_raw(w, "&amp;"); break;
		case '<': rw_raw(w, "&lt;"); break;
		case '>': rw_raw(w, "&gt;"); break;
		case '"': rw_raw(w, "&quot;"); break;
		case '\'': rw_raw(w, "&#39;"); break;
		default: put(w, (const char *)p, n);
		}
		p += n;
	}
}

void rw_esc(struct rw *w, const char *s)
{
	rw_esc_max(w, s, 0);
}

void rw_int(struct rw *w, int64_t v)
{
	char digits[32], out[48];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int n = snprintf(digits, sizeof(digits), "%" PRIu64, u);
	size_t j = 0;

	if (v < 0)
		out[j++] = '-';
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j] = '\0';
	rw_raw(w, out);
}

void rw_bytes(struct rw *w, int64_t v)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double d = (double)v;
	size_t u = 0;

	if (v < 1024 && v > -1024) {
		rw_fmt(w, "%" PRId64 " B", v);
		return;
	}
	d /= 1024.0;
	while ((d >= 1024.0 || d <= -1024.0) && u + 1 < sizeof(units) / sizeof(units[0])) {
		d /= 1024.0;
		u++;
	}
	rw_fmt(w, "%.1f %s", d, units[u]);
}
