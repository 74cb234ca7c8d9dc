/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the pure third-party-copy parameter-list parsers.  The first byte
 * picks the parser (0: EXTENDED COPY(LID1), 1: POPULATE TOKEN, 2: WRITE
 * USING TOKEN); the rest is the parameter list as an initiator sends it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "dev_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static tpc_xcopy_list x;
	static tpc_pt_list pt;
	static tpc_wut_list w;
	tpc_sense err = { 0, 0, -1 };
	size_t i;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		if (tpc__parse_xcopy(data + 1, size - 1, &x, &err) == 0) {
			if (x.ncscd > TPC_MAX_CSCD || x.nseg > TPC_MAX_SEGMENTS)
				abort();
			for (i = 0; i < x.ncscd; i++)
				if (x.cscd[i].type != 0xe4 || x.cscd[i].desig_len > 20)
					abort();
			for (i = 0; i < x.nseg; i++)
				if (x.seg[i].type != 0x02 && x.seg[i].type != 0x0a)
					abort();
		} else if (err.key == 0) {
			abort();
		}
		break;
	case 1:
		if (tpc__parse_pt(data + 1, size - 1, TPC_MAX_RANGES, &pt, &err) == 0) {
			if (pt.nranges == 0 || pt.nranges > TPC_MAX_RANGES)
				abort();
		} else if (err.key == 0) {
			abort();
		}
		break;
	default:
		if (tpc__parse_wut(data + 1, size - 1, 8, &w, &err) == 0) {
			if (w.nranges == 0 || w.nranges > 8)
				abort();
		} else if (err.key == 0) {
			abort();
		}
		break;
	}
	return 0;
}
