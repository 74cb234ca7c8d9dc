/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <vitk/common.h>
#include <vitk/str.h>

static vitk_log_fn log_fn;
static void *log_payload;

void vitk__assert_fail(const char *expr, const char *file, int line)
{
	fprintf(stderr, "vitk: BUG: %s:%d: assertion '%s' failed\n", file, line, expr);
	abort();
}

void vitk_set_log_fn(vitk_log_fn fn, void *payload)
{
	log_fn = fn;
	log_payload = payload;
}

void vitk_log(vitk_log_level level, const char *domain, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!log_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_fn(level, domain, msg, log_payload);
}

int vitk_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end = NULL;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return vitk_error_set(VITK_EINVAL, 0, "'%s' is not a number", s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return vitk_error_set(VITK_ERANGE, 0, "'%s' is too large", s);
	if (end == s || *end)
		return vitk_error_set(VITK_EINVAL, 0, "'%s' is not a number", s);
	*out = v;
	return 0;
}

int vitk_parse_size(const char *s, uint64_t *out)
{
	char num[64];
	size_t n;
	uint64_t v, mult = 1;
	int r;

	if (!s || !*s)
		return vitk_error_set(VITK_EINVAL, 0, "empty size");
	n = strlen(s);
	if (n >= sizeof(num))
		return vitk_error_set(VITK_EINVAL, 0, "size '%s' is too long", s);
	memcpy(num, s, n + 1);
	if (n > 1 && (num[n - 1] == 'B' || num[n - 1] == 'b') && !isdigit((unsigned char)num[n - 2]))
		num[--n] = '\0';
	if (n > 1 && num[n - 1] == 'i')
		num[--n] = '\0';
	switch (toupper((unsigned char)num[n - 1])) {
	case 'K': mult = 1ULL << 10; break;
	case 'M': mult = 1ULL << 20; break;
	case 'G': mult = 1ULL << 30; break;
	case 'T': mult = 1ULL << 40; break;
	case 'P': mult = 1ULL << 50; break;
	default: break;
	}
	if (mult != 1)
		num[--n] = '\0';
	r = vitk_parse_u64(num, &v);
	if (r < 0)
		return vitk_error_set(VITK_EINVAL, 0, "'%s' is not a size", s);
	if (v > UINT64_MAX / mult)
		return vitk_error_set(VITK_ERANGE, 0, "size '%s' is too large", s);
	*out = v * mult;
	return 0;
}

const char *vitk_fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024.0 && u + 1 < VITK_ARRAY_SIZE(units)) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

int vitk_read_file(const char *path, size_t max, char **out, size_t *out_len)
{
	vitk_str buf = VITK_STR_INIT;
	char chunk[4096];
	int fd = -1, r = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vitk_error_set(errno == ENOENT ? VITK_ENOTFOUND : VITK_EIO, errno,
				      "cannot open '%s'", path);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = vitk_error_set(VITK_EIO, errno, "cannot read '%s'", path);
			goto out;
		}
		if (n == 0)
			break;
		if ((size_t)n > max - buf.size) {
			r = vitk_error_set(VITK_ERANGE, 0, "'%s' is larger than %zu bytes", path, max);
			goto out;
		}
		if (vitk_str_put(&buf, chunk, (size_t)n) < 0) {
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory reading '%s'", path);
			goto out;
		}
	}
	if (out_len)
		*out_len = buf.size;
	*out = vitk_str_detach(&buf);
	if (!*out)
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory reading '%s'", path);
out:
	vitk_str_clear(&buf);
	close(fd);
	return r;
}

uint64_t vitk_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
