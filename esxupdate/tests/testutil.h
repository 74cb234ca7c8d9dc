/* SPDX-License-Identifier: MIT */
/* Test helpers: fixture paths (runfiles-relative) and loading host captures. */
#ifndef ESXU_TESTUTIL_H
#define ESXU_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/sys/esxupdate.h>

#define HOSTFX "esxupdate/tests/fixtures/host/"
#define DEPOTFX "esxupdate/fx/"

static inline char *tu_read(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;

	if (vitk_read_file(path, 16u << 20, &buf, &n) < 0) {
		fprintf(stderr, "cannot read %s: %s\n", path, vitk_error_last()->message);
		abort();
	}
	if (len)
		*len = n;
	return buf;
}

/* parse a host capture file with one of the host parsers; returns the rc */
static inline int tu_parse(vitk_esxupdate_host *h,
			   int (*fn)(vitk_esxupdate_host *, const char *, size_t, const char *),
			   const char *file)
{
	size_t len;
	char *buf = tu_read(file, &len);
	int r = fn(h, buf, len, file);

	free(buf);
	return r;
}

static inline vitk_esxupdate_host *tu_host(const char *list, const char *get, const char *prof,
					   const char *pci)
{
	vitk_esxupdate_host *h = NULL;

	if (vitk_esxupdate_host_new(&h) < 0)
		abort();
	if ((list && tu_parse(h, vitk_esxupdate_host_parse_vib_list, list) < 0) ||
	    (get && tu_parse(h, vitk_esxupdate_host_parse_vib_get, get) < 0) ||
	    (prof && tu_parse(h, vitk_esxupdate_host_parse_profile, prof) < 0) ||
	    (pci && tu_parse(h, vitk_esxupdate_host_parse_pci, pci) < 0)) {
		fprintf(stderr, "host fixture: %s\n", vitk_error_last()->message);
		abort();
	}
	return h;
}

#endif
