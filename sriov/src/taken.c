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

#include <vitk/array.h>

#include "sriov_priv.h"

struct taken_entry {
	char *vf;
	char *reason;
};

struct vitk_sriov_taken {
	VITK_ARRAY(struct taken_entry) items;
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
	for (i = 0; i < t->items.size; i++) {
		free(t->items.ptr[i].vf);
		free(t->items.ptr[i].reason);
	}
	vitk_array_clear(t->items);
	free(t);
}

static const struct taken_entry *find(const vitk_sriov_taken *t, const char *vf)
{
	size_t i;

	for (i = 0; t && i < t->items.size; i++)
		if (!strcmp(t->items.ptr[i].vf, vf))
			return &t->items.ptr[i];
	return NULL;
}

int vitk_sriov_taken_add(vitk_sriov_taken *t, const char *vf, const char *reason)
{
	struct taken_entry e;

	if (!t || !vf || !*vf)
		return vitk_error_set(VITK_EINVAL, 0, "taken VFs: no VF address");
	if (find(t, vf))
		return 0;
	e.vf = strdup(vf);
	e.reason = strdup(reason ? reason : "taken");
	if (!e.vf || !e.reason) {
		free(e.vf);
		free(e.reason);
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	if (vitk_array_append(t->items, e) < 0) {
		free(e.vf);
		free(e.reason);
		return VITK_ENOMEM;
	}
	return 0;
}

int vitk_sriov__taken_addf(vitk_sriov_taken *t, const char *vf, const char *fmt, ...)
{
	char *reason = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vitk_sriov__vstrsetf(&reason, fmt, ap);
	va_end(ap);
	if (r == 0)
		r = vitk_sriov_taken_add(t, vf, reason);
	free(reason);
	return r;
}

int vitk_sriov_taken_merge(vitk_sriov_taken *t, const vitk_sriov_taken *from)
{
	size_t i;
	int r;

	for (i = 0; from && i < from->items.size; i++) {
		r = vitk_sriov_taken_add(t, from->items.ptr[i].vf, from->items.ptr[i].reason);
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
	return t ? t->items.size : 0;
}

const char *vitk_sriov_taken_get(const vitk_sriov_taken *t, size_t i, const char **reason)
{
	if (!t || i >= t->items.size) {
		if (reason)
			*reason = NULL;
		return NULL;
	}
	if (reason)
		*reason = t->items.ptr[i].reason;
	return t->items.ptr[i].vf;
}
