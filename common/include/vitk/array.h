/* SPDX-License-Identifier: MIT */
/*
 * vitk typed growable array.
 *
 * VITK_ARRAY(type) is a plain struct of three fields:
 *
 *   ptr    the items (NULL until the first growth), owned by the array
 *   size   number of items in use
 *   asize  number of items allocated (asize >= size)
 *
 * The macros below grow it with realloc().  On out-of-memory they leave the
 * array exactly as it was (items, size and asize unchanged), record
 * VITK_ENOMEM in vitk_error_last() and report the failure to the caller:
 * they never abort and never drop an item silently.  A size * count that
 * would overflow size_t is reported the same way.
 *
 * Usage:
 *
 *   typedef VITK_ARRAY(struct thing) thing_array;
 *
 *   thing_array a = VITK_ARRAY_INIT;
 *   struct thing *t = vitk_array_push(a);   (a new zero-filled item)
 *
 *   if (!t)
 *           return VITK_ENOMEM;              (a is unchanged)
 *   t->id = 7;
 *   ...
 *   for (size_t i = 0; i < a.size; i++)
 *           use(&a.ptr[i]);
 *   vitk_array_clear(a);                     (frees the items, not what they point to)
 *
 * Two VITK_ARRAY(T) spelled out separately are different C types; declare a
 * typedef once and use it everywhere the array is passed around.  To hand the
 * items over to a public { items, count } list, copy ptr and size into it and
 * forget the array (do not clear it).
 *
 * The macros take the array itself (an lvalue such as `a` or `list->vfs`), not
 * a pointer to it, and evaluate it several times: the argument must not have
 * side effects.  Array functions are meant for C; the struct is C++-safe.
 */
#ifndef VITK_ARRAY_H
#define VITK_ARRAY_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** VITK_ARRAY() - the type of a growable array of @type. */
#define VITK_ARRAY(type)                                                                           \
	struct {                                                                                   \
		type *ptr;                                                                         \
		size_t size;                                                                       \
		size_t asize;                                                                      \
	}

/** VITK_ARRAY_INIT - an empty array; all-zero memory (calloc) is one too. */
#define VITK_ARRAY_INIT { NULL, 0, 0 }

/**
 * vitk_array__grow() - the allocator behind the macros; use them instead.
 * @ptr: current items (may be NULL)
 * @asize: in: allocated items; out: the new allocation on success
 * @size: items in use
 * @extra: items wanted beyond @size
 * @item_size: sizeof one item
 *
 * Return: the (possibly moved) items with room for @size + @extra.  On
 * failure @ptr itself, @asize untouched and VITK_ENOMEM recorded; callers
 * detect failure by asize - size < extra.
 */
void *vitk_array__grow(void *ptr, size_t *asize, size_t size, size_t extra, size_t item_size);

/* The status of the macros: 0 if the growth left room for @extra items. */
static inline int vitk_array__room(size_t asize, size_t size, size_t extra)
{
	return asize - size >= extra ? 0 : VITK_ENOMEM;
}

/**
 * vitk_array_grow() - make room for @n more items without adding them.
 * @n is evaluated twice.
 *
 * Return: 0, or VITK_ENOMEM (array unchanged).
 */
#define vitk_array_grow(a, n)                                                                      \
	((a).ptr = vitk_array__grow((a).ptr, &(a).asize, (a).size, (size_t)(n),                   \
				    sizeof(*(a).ptr)),                                             \
	 vitk_array__room((a).asize, (a).size, (size_t)(n)))

/**
 * vitk_array_push() - append one zero-filled item.
 *
 * Return: a pointer to the new item (valid until the array grows again), or
 * NULL on out-of-memory (array unchanged).
 */
#define vitk_array_push(a)                                                                         \
	(vitk_array_grow((a), 1) < 0                                                               \
		 ? NULL                                                                            \
		 : (memset(&(a).ptr[(a).size], 0, sizeof(*(a).ptr)), &(a).ptr[(a).size++]))

/**
 * vitk_array_append() - append a copy of @value (an expression of the item type).
 *
 * Return: 0, or VITK_ENOMEM (array unchanged, @value not evaluated).
 * If @value owns memory, the caller still owns it after a failure.  Put a
 * compound literal in parentheses: vitk_array_append(a, ((struct x){ 1, 2 })).
 */
#define vitk_array_append(a, value)                                                                \
	(vitk_array_grow((a), 1) < 0 ? VITK_ENOMEM : ((a).ptr[(a).size++] = (value), 0))

/** vitk_array_get() - a pointer to item @i, or NULL when @i >= size. */
#define vitk_array_get(a, i) ((size_t)(i) < (a).size ? &(a).ptr[(size_t)(i)] : NULL)

/**
 * vitk_array_clear() - free the items and make the array empty again.
 * Items that own memory must be released by the caller first.
 */
#define vitk_array_clear(a) ((void)(free((a).ptr), (a).ptr = NULL, (a).size = 0, (a).asize = 0))

#ifdef __cplusplus
}
#endif

#endif /* VITK_ARRAY_H */
