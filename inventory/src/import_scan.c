/* SPDX-License-Identifier: MIT */
/*
 * The cost of an import before it is parsed.  jansson builds every value of
 * a document in memory, and small values cost far more than their bytes (an
 * empty object "{}" is 3 bytes of input and about 240 bytes of heap), so a
 * file of small objects could need a hundred times its size.  This scan
 * counts the values without building them and estimates the heap the parse
 * will take, so that the import can refuse a document before it allocates.
 * A leaf: it calls nothing in this library.
 */
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* heap per value, measured with jansson 2.14 on x86-64 and rounded up */
#define COST_OBJECT 256u
#define COST_ARRAY 160u
#define COST_SCALAR 64u /* strings (keys too), numbers, true/false/null */

uint64_t inv_import_cost(const char *s, size_t len)
{
	uint64_t cost = len; /* string bytes are copied once */
	size_t i = 0;

	while (i < len) {
		char c = s[i++];

		switch (c) {
		case '{': cost += COST_OBJECT; break;
		case '[': cost += COST_ARRAY; break;
		case '"':
			cost += COST_SCALAR;
			while (i < len && s[i] != '"')
				i += s[i] == '\\' ? 2 : 1;
			i++;
			break;
		case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6':
		case '7': case '8': case '9': case 't': case 'f': case 'n':
			cost += COST_SCALAR;
			while (i < len && s[i] != ',' && s[i] != ']' && s[i] != '}' && s[i] != ' ' &&
			       s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
				i++;
			break;
		default: break;
		}
	}
	return cost;
}
