/* SPDX-License-Identifier: MIT */
/* The allocator behind <vitk/array.h>. */
#include <stdint.h>
#include <stdlib.h>

#include <vitk/array.h>

#define ARRAY_MIN_ITEMS 8

void *vitk_array__grow(void *ptr, size_t *asize, size_t size, size_t extra, size_t item_size)
{
	size_t need, want;
	void *np;

	if (*asize >= size && *asize - size >= extra)
		return ptr;
	if (extra > SIZE_MAX - size || item_size == 0 || size + extra > SIZE_MAX / item_size)
		goto oom;
	need = size + extra;
	/* Grow geometrically (x1.5) so n pushes cost O(n) copies. */
	want = *asize < ARRAY_MIN_ITEMS ? ARRAY_MIN_ITEMS : *asize + *asize / 2;
	if (want < need || want > SIZE_MAX / item_size)
		want = need;
	np = realloc(ptr, want * item_size);
	if (!np)
		goto oom;
	*asize = want;
	return np;
oom:
	vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	return ptr;
}
