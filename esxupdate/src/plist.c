/* SPDX-License-Identifier: MIT */
/*
 * `esxcli software sources profile list -d DEPOT` captured on a host: the
 * image profiles the host sees in a depot (Name, Vendor, Acceptance Level,
 * Creation Time, Modification Time).  A profile the reader found no document
 * for is recorded on the depot, so that a gap in the reader (a profile layout
 * it does not know) is reported instead of going unnoticed.
 */
#include <stdlib.h>
#include <string.h>

#include "esxu.h"

#define PLIST_COLS_MAX 16

int vitk_esxupdate_depot_check_profile_list(vitk_esxupdate_depot *d, const char *buf, size_t len, const char *what)
{
	esxu_lines ls = { buf, buf + len, 0 };
	esxu_col cols[PLIST_COLS_MAX];
	const char *s;
	size_t ncols = 0, n, seen = 0;
	char key[16];
	int r;

	if (!buf || len > VITK_ESXUPDATE_INPUT_MAX || memchr(buf, '\0', len))
		return vitk_error_set(VITK_EINVAL, 0, "%s: not `esxcli software sources profile list` text", what);
	r = vitk_esxupdate__table_header(&ls, cols, PLIST_COLS_MAX, &ncols, what, "esxcli software sources profile list");
	if (r < 0)
		return r;
	vitk_esxupdate__norm_key(key, sizeof(key), cols[0].title, cols[0].title_len);
	if (strcmp(key, "name") != 0)
		return vitk_error_set(VITK_EINVAL, 0, "%s line %zu: the first column is not 'Name'", what, ls.lineno - 1);
	while (r == 0 && vitk_esxupdate__next_line(&ls, &s, &n)) {
		size_t en = ncols > 1 && cols[1].start < n ? cols[1].start : n;
		char *name;

		if (vitk_esxupdate__blank(s, n))
			continue;
		if (s[0] == '[' || s[0] == '~' || s[0] == '#' || s[0] == ' ')
			break; /* the next prompt ends the table */
		name = vitk_esxupdate__trim_dup(s, en);
		if (!name)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		if (!*name || strchr(name, ' '))
			r = vitk_error_set(VITK_EINVAL, 0, "%s line %zu: no profile name (shifted columns?)", what, ls.lineno);
		else if (!vitk_esxupdate_depot_find_profile(d, name))
			r = vitk_esxupdate__depot_unread(d, name);
		free(name);
		seen++;
	}
	if (r == 0 && seen == 0)
		r = vitk_error_set(VITK_EINVAL, 0, "%s: lists no image profile", what);
	return r;
}
