/* SPDX-License-Identifier: MIT */
/*
 * Validation of `lspci -xxxx` captures before libpci's dump method reads
 * them: libpci's parser is lenient and calls its (exiting) error handler on
 * some inputs, so we check the format ourselves and name the line.
 * Format (as libpci's lib/dump.c accepts it): a device header line starts
 * with "bb:dd.f" or "dddd:bb:dd.f"; data lines are "<hex offset>: <hex bytes>";
 * an empty line ends a device; any other text (the -vvv lines) is ignored.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sriov_priv.h"

#define DUMP_MAX_LINE 1024
#define DUMP_MAX_DEVICES 65536

static bool is_hex(char c)
{
	return isxdigit((unsigned char)c) != 0;
}

/* "[dddd:]bb:dd.f" followed by space or end */
static size_t hex_run(const char *l, size_t n, size_t i)
{
	size_t k = i;

	while (k < n && is_hex(l[k]))
		k++;
	return k - i;
}

static bool is_header(const char *l, size_t n)
{
	size_t i = 0, d, groups = 0;

	for (;;) {
		d = hex_run(l, n, i);
		if (d == 0 || d > 6)
			return false;
		i += d;
		groups++;
		if (i < n && l[i] == ':' && groups < 3) {
			i++;
			continue;
		}
		break;
	}
	if (groups < 2 || i >= n || l[i] != '.')
		return false;
	i++;
	if (i >= n || l[i] < '0' || l[i] > '7')
		return false;
	i++;
	return i == n || l[i] == ' ';
}

int vitk_sriov__dump_validate(const char *text, size_t len, size_t *n_devices)
{
	size_t pos = 0, line = 0, devs = 0;
	bool in_dev = false;

	*n_devices = 0;
	while (pos < len) {
		const char *l = text + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		size_t i = 0, off_digits = 0;
		unsigned long off = 0;

		line++;
		pos += n + (nl ? 1 : 0);
		if (n && l[n - 1] == '\r')
			n--;
		if (n > DUMP_MAX_LINE)
			return vitk_error_set(VITK_EINVAL, 0, "dump line %zu: longer than %d bytes",
					      line, DUMP_MAX_LINE);
		if (memchr(l, '\0', n))
			return vitk_error_set(VITK_EINVAL, 0, "dump line %zu: contains a NUL byte",
					      line);
		if (n == 0) {
			in_dev = false;
			continue;
		}
		if (is_header(l, n)) {
			if (++devs > DUMP_MAX_DEVICES)
				return vitk_error_set(VITK_EINVAL, 0, "dump: more than %d devices",
						      DUMP_MAX_DEVICES);
			in_dev = true;
			continue;
		}
		while (i < n && is_hex(l[i]) && off_digits < 9) {
			off = off * 16 + (unsigned long)(isdigit((unsigned char)l[i]) ? l[i] - '0' : (tolower((unsigned char)l[i]) - 'a' + 10));
			i++;
			off_digits++;
		}
		if (off_digits < 2 || i >= n || l[i] != ':' || (i + 1 < n && l[i + 1] != ' '))
			continue; /* -vvv text: ignored, as libpci does */
		i++;
		if (!in_dev)
			return vitk_error_set(VITK_EINVAL, 0,
					      "dump line %zu: config data before any device header",
					      line);
		while (i < n) {
			if (l[i] == ' ') {
				i++;
				continue;
			}
			if (i + 1 >= n || !is_hex(l[i]) || !is_hex(l[i + 1]) ||
			    (i + 2 < n && l[i + 2] != ' '))
				return vitk_error_set(VITK_EINVAL, 0,
						      "dump line %zu: config byte is not two hex digits",
						      line);
			if (off >= SRIOV_CONFIG_MAX)
				return vitk_error_set(VITK_EINVAL, 0,
						      "dump line %zu: config offset 0x%lx beyond 4096 bytes",
						      line, off);
			off++;
			i += 2;
		}
	}
	if (devs == 0)
		return vitk_error_set(VITK_EINVAL, 0, "dump: no device header line found");
	*n_devices = devs;
	return 0;
}
