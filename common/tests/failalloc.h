/* SPDX-License-Identifier: MIT */
/*
 * Test-only allocation failure injection.  Tests linked with
 * //common:failalloc have realloc() and calloc() wrapped (ld --wrap); the
 * wrappers behave normally until failalloc_after(n) arms them, then let n
 * calls succeed and fail the next one (returning NULL, errno ENOMEM).
 */
#ifndef VITK_TESTS_FAILALLOC_H
#define VITK_TESTS_FAILALLOC_H

/* Let @n more allocations succeed, then fail one.  A negative @n disarms. */
void failalloc_after(int n);

/* Number of allocations failed since the last failalloc_after(). */
int failalloc_failed(void);

#endif
