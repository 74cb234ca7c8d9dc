/* SPDX-License-Identifier: MIT */
/*
 * VibVersion = "<version>-<release>", compared component by component, left
 * to right (docs/esxupdate-facts.md "Version strings").  Components are split
 * on '.'; each is "<digits><suffix>": the digits compare as a number, then
 * the suffix byte-wise.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esxu.h"

#define COMP_DIGITS_MAX 19 /* fits uint64_t */

static int check_part(const char *v, const char *p, size_t n, const char *which)
{
	size_t i, start = 0;

	if (n == 0)
		return vitk_error_set(VITK_EINVAL, 0, "malformed version '%s': empty %s", v, which);
	for (i = 0; i <= n; i++) {
		if (i == n || p[i] == '.') {
			size_t k, digits = 0;

			if (i == start)
				return vitk_error_set(VITK_EINVAL, 0,
						      "malformed version '%s': empty component in %s",
						      v, which);
			for (k = start; k < i && isdigit((unsigned char)p[k]); k++)
				digits++;
			if (digits > COMP_DIGITS_MAX)
				return vitk_error_set(VITK_EINVAL, 0,
						      "malformed version '%s': number too long in %s",
						      v, which);
			start = i + 1;
			continue;
		}
		if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '+' && p[i] != '~')
			return vitk_error_set(VITK_EINVAL, 0,
					      "malformed version '%s': invalid character '%c' in %s",
					      v, isprint((unsigned char)p[i]) ? p[i] : '?', which);
	}
	return 0;
}

int vitk_esxupdate_version_check(const char *v)
{
	const char *dash;
	size_t len;
	int r;

	if (!v)
		return vitk_error_set(VITK_EINVAL, 0, "malformed version: missing");
	len = strlen(v);
	if (len == 0)
		return vitk_error_set(VITK_EINVAL, 0, "malformed version: empty");
	if (len > VITK_ESXUPDATE_VERSION_MAX)
		return vitk_error_set(VITK_EINVAL, 0, "malformed version '%.32s...': longer than %d",
				      v, VITK_ESXUPDATE_VERSION_MAX);
	dash = strchr(v, '-');
	if (!dash)
		return check_part(v, v, len, "version");
	r = check_part(v, v, (size_t)(dash - v), "version");
	if (r < 0)
		return r;
	if (strchr(dash + 1, '-'))
		return vitk_error_set(VITK_EINVAL, 0,
				      "malformed version '%s': more than one '-' separator", v);
	return check_part(v, dash + 1, len - (size_t)(dash - v) - 1, "release");
}

struct comp {
	bool has_num;
	uint64_t num;
	const char *sfx;
	size_t sfxlen;
};

static size_t next_comp(const char *p, size_t n, struct comp *c)
{
	size_t i = 0;

	c->has_num = false;
	c->num = 0;
	while (i < n && isdigit((unsigned char)p[i])) {
		c->has_num = true;
		c->num = c->num * 10 + (uint64_t)(p[i] - '0');
		i++;
	}
	c->sfx = p + i;
	while (i < n && p[i] != '.')
		i++;
	c->sfxlen = (size_t)(p + i - c->sfx);
	return i;
}

static int cmp_part(const char *a, size_t an, const char *b, size_t bn)
{
	size_t ai = 0, bi = 0;

	for (;;) {
		struct comp ca, cb;
		size_t m;
		int r;

		if (ai >= an && bi >= bn)
			return 0;
		if (ai >= an)
			return -1;
		if (bi >= bn)
			return 1;
		ai += next_comp(a + ai, an - ai, &ca);
		bi += next_comp(b + bi, bn - bi, &cb);
		if (ca.has_num != cb.has_num)
			return ca.has_num ? 1 : -1;
		if (ca.num != cb.num)
			return ca.num < cb.num ? -1 : 1;
		m = ca.sfxlen < cb.sfxlen ? ca.sfxlen : cb.sfxlen;
		r = memcmp(ca.sfx, cb.sfx, m);
		if (r)
			return r < 0 ? -1 : 1;
		if (ca.sfxlen != cb.sfxlen)
			return ca.sfxlen < cb.sfxlen ? -1 : 1;
		if (ai < an)
			ai++; /* skip '.' */
		if (bi < bn)
			bi++;
	}
}

int vitk_esxupdate_version_cmp(const char *a, const char *b)
{
	bool va, vb;
	const char *da, *db;
	size_t avl, bvl;
	int r;

	va = vitk_esxupdate_version_check(a) == 0;
	vb = vitk_esxupdate_version_check(b) == 0;
	if (!va || !vb) {
		vitk_error_clear();
		if (va != vb)
			return va ? 1 : -1;
		r = strcmp(a ? a : "", b ? b : "");
		return r < 0 ? -1 : r > 0;
	}
	da = strchr(a, '-');
	db = strchr(b, '-');
	avl = da ? (size_t)(da - a) : strlen(a);
	bvl = db ? (size_t)(db - b) : strlen(b);
	r = cmp_part(a, avl, b, bvl);
	if (r)
		return r;
	/* no release sorts before any release */
	if (!da || !db)
		return (!da && !db) ? 0 : (!da ? -1 : 1);
	return cmp_part(da + 1, strlen(da + 1), db + 1, strlen(db + 1));
}

void vitk_esxupdate_release_info_clear(vitk_esxupdate_release_info *ri)
{
	if (!ri)
		return;
	free(ri->tag_text);
	free(ri->esxi);
	*ri = (vitk_esxupdate_release_info)VITK_ESXUPDATE_RELEASE_INFO_INIT;
}

/* the release split on '.', at most 6 components of at most 23 bytes */
static size_t release_comps(const char *rel, char comps[6][24])
{
	const char *p = rel;
	size_t nc = 0, k;

	while (*p && nc < 6) {
		k = 0;
		while (*p && *p != '.') {
			if (k + 1 < sizeof(comps[0]))
				comps[nc][k++] = *p;
			p++;
		}
		comps[nc][k] = '\0';
		nc++;
		if (*p == '.')
			p++;
	}
	return nc;
}

/* "<n><tag>.<esx>.<u>.<p>.<build>" (tagged) or "<u>.<p>.<build>" (base VIB) */
static int decode_comps(vitk_esxupdate_release_info *ri, char comps[6][24], size_t nc)
{
	const char *c = comps[0];
	size_t d = 0;

	while (isdigit((unsigned char)c[d]))
		d++;
	if (d && c[d] && d < 20) {
		ri->release = strtoull(c, NULL, 10);
		ri->tag_text = vitk_esxupdate__strdup(c + d);
		if (!ri->tag_text)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		if (strcmp(ri->tag_text, "vmw") == 0)
			ri->tag = VITK_ESXUPDATE_TAG_VMW;
		else if (strcmp(ri->tag_text, "OEM") == 0 || strcmp(ri->tag_text, "oem") == 0)
			ri->tag = VITK_ESXUPDATE_TAG_OEM;
		else
			ri->tag = VITK_ESXUPDATE_TAG_OTHER;
		if (nc >= 2 && strlen(comps[1]) == 3 && isdigit((unsigned char)comps[1][0]) &&
		    isdigit((unsigned char)comps[1][1]) && isdigit((unsigned char)comps[1][2])) {
			ri->esxi = vitk_esxupdate__printf("%c.%c.%c", comps[1][0], comps[1][1], comps[1][2]);
			if (!ri->esxi)
				return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		}
		if (nc >= 5 && strlen(comps[nc - 1]) < 20)
			ri->build = strtoull(comps[nc - 1], NULL, 10);
	} else if (d == strlen(c) && d > 0 && d < 20) {
		ri->release = strtoull(c, NULL, 10);
		if (nc >= 3 && strlen(comps[nc - 1]) < 20)
			ri->build = strtoull(comps[nc - 1], NULL, 10);
	}
	return 0;
}

int vitk_esxupdate_release_decode(const char *version, vitk_esxupdate_release_info *out)
{
	char comps[6][24];
	const char *rel;
	size_t nc;
	int r;

	vitk_esxupdate_release_info_clear(out);
	r = vitk_esxupdate_version_check(version);
	if (r < 0)
		return r;
	rel = strchr(version, '-');
	if (!rel)
		return 0;
	nc = release_comps(rel + 1, comps);
	if (nc == 0)
		return 0;
	r = decode_comps(out, comps, nc);
	if (r < 0)
		vitk_esxupdate_release_info_clear(out);
	return r;
}
