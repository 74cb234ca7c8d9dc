/* SPDX-License-Identifier: MIT */
/* Shared helpers for sriov unit tests (header-only, static). */
#ifndef VITK_SRIOV_TEST_UTIL_H
#define VITK_SRIOV_TEST_UTIL_H

/* test paths are bounded by PATH_MAX */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <vitk/sriov.h>
#include <vitk/sys/sriov.h>

#include "fake_netlink.h"
#include "fake_sysfs.h"

struct tenv {
	char root[PATH_MAX];
	vitk_sriov_sysfs_ops sops;
	vitk_sriov_netlink_ops nops;
	vitk_sriov *ctx;
};

static inline void tenv_root(struct tenv *e)
{
	const char *base = getenv("TEST_TMPDIR");

	snprintf(e->root, sizeof(e->root), "%s/sysfsXXXXXX", base ? base : "/tmp");
	assert_non_null(mkdtemp(e->root));
	assert_int_equal(fake_sysfs_init(e->root), 0);
}

static inline void tenv_open(struct tenv *e)
{
	vitk_sriov_options o = VITK_SRIOV_OPTIONS_INIT;

	fake_sysfs_ops(&e->sops, e->root);
	fake_netlink_ops(&e->nops, e->root);
	o.sysfs_root = e->root;
	o.sysfs_ops = &e->sops;
	o.netlink_ops = &e->nops;
	assert_int_equal(vitk_sriov_open(&e->ctx, &o), 0);
}

static inline void tenv_done(struct tenv *e)
{
	vitk_sriov_free(e->ctx);
	e->ctx = NULL;
	fake_sysfs_remove(e->root);
}

static inline char *tslurp(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	FILE *f;
	char *buf = calloc(1, 65536);
	size_t n;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	f = fopen(path, "r");
	if (!f) {
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static inline void tspit(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

#define assert_msg_contains(sub)                                                                   \
	do {                                                                                       \
		const char *m__ = vitk_error_last()->message;                                      \
		if (!strstr(m__, (sub)))                                                           \
			fail_msg("error message '%s' lacks '%s'", m__, (sub));                     \
	} while (0)

#endif
