/* SPDX-License-Identifier: MIT */
/* Wrappers for ld --wrap=realloc --wrap=calloc; see failalloc.h. */
#include <errno.h>
#include <stddef.h>

#include "failalloc.h"

void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t nmemb, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_calloc(size_t nmemb, size_t n);

static int countdown = -1;
static int failed;

void failalloc_after(int n)
{
	countdown = n;
	failed = 0;
}

int failalloc_failed(void)
{
	return failed;
}

static int should_fail(void)
{
	if (countdown < 0)
		return 0;
	if (countdown > 0) {
		countdown--;
		return 0;
	}
	countdown = -1;
	failed++;
	errno = ENOMEM;
	return 1;
}

void *__wrap_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : __real_realloc(p, n);
}

void *__wrap_calloc(size_t nmemb, size_t n)
{
	return should_fail() ? NULL : __real_calloc(nmemb, n);
}
