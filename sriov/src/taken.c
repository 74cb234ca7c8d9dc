/* SPDX-License-Identifier: MIT */
/*
 * The taken-VF set: VF addresses with the reason each one must not be
 * touched or planned.  Insertion order is kept (reasons show up in plan
 * notes in the order the sources were asked); the first reason for a VF wins.
 * Sets are small (a host has at most a few hundred VFs): lookups are linear.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sriov_priv.h"

struct taken_entry {
	char *vf;
	char *reason;
};

struct vitk_sriov_taken {
	struct taken_entry *items;
	size_t count;
	size_t alloc;
};

int vitk_sriov_taken_new(vitk_sriov_taken **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	return 0;
}

void vitk_sriov_taken_free(vitk_sriov_taken *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->count; i++) {
		free(t->items[i].vf);
		free(t->items[i].reason);
	}
	free(t->items);
	free(t);
}

static const struct taken_entry *find(const vitk_sriov_taken *t, const char *vf)
{
	size_t i;

	for (i = 0; t && i < t->count; i++)
		if (!strcmp(t->items[i].vf, vf))
			return &t->items[i];
	return NULL;
}

int vitk_sriov_taken_add(vitk_sriov_taken *t, const char *vf, const char *reason)
{
	struct taken_entry e;

	if (!t || !vf || !*vf)
		return vitk_error_set(VITK_EINVAL, 0, "taken VFs: no VF address");
	if (find(t, vf))
		return 0;
	if (t->count == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 8;
		struct taken_entry *ni = realloc(t->items, na * sizeof(*ni));

		if (!ni)
			return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		t->items = ni;
		t->alloc = na;
	}
	e.vf = strdup(vf);
	e.reason = strdup(reason ? reason : "taken");
	if (!e.vf || !e.reason) {
		free(e.vf);
		free(e.reason);
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	t->items[t->count++] = e;
	return 0;
}

int vitk_sriov__taken_addf(vitk_sriov_taken *t, const char *vf, const char *fmt, ...)
{
	char *reason;
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return vitk_error_set(VITK_EINVAL, 0, "taken VFs: bad reason format");
	reason = malloc((size_t)n + 1);
	if (!reason)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	va_start(ap, fmt);
	vsnprintf(reason, (size_t)n + 1, fmt, ap);
	va_end(ap);
	r = vitk_sriov_taken_add(t, vf, reason);
	free(reason);
	return r;
}

int vitk_sriov_taken_merge(vitk_sriov_taken *t, const vitk_sriov_taken *from)
{
	size_t i;
	int r;

	for (i = 0; from && i < from->count; i++) {
		r = vitk_sriov_taken_add(t, from->items[i].vf, from->items[i].reason);
		if (r < 0)
			return r;
	}
	return 0;
}

const char *vitk_sriov_taken_lookup(const vitk_sriov_taken *t, const char *vf)
{
	const struct taken_entry *e = vf ? find(t, vf) : NULL;

	return e ? e->reason : NULL;
}

size_t vitk_sriov_taken_count(const vitk_sriov_taken *t)
{
	return t ? t->count : 0;
}

const char *vitk_sriov_taken_get(const vitk_sriov_taken *t, size_t i, const char **reason)
{
	if (!t || i >= t->count) {
		if (reason)
			*reason = NULL;
		return NULL;
	}
	if (reason)
		*reason = t->items[i].reason;
	return t->items[i].vf;
}
