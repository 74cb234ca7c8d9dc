/* SPDX-License-Identifier: MIT */
/*
 * Test client for blk_xcopy_test.sh: the pieces of a block plan spread over
 * two source LUNs, packed into EXTENDED COPYs (blk_xcopy.c) and sent through
 * libiscsi to the lab target.
 *
 *   blk_xcopy_client SRC0_URL DST_URL SRC1_URL MAX_SEGMENTS
 *
 * The pieces (512-byte blocks): SRC0 1000+3000 -> DST 20000, SRC1 500+2000 ->
 * DST 23000, SRC0 70000+140000 -> DST 25000 (longer than a 02h segment: 3
 * segments).  MAX_SEGMENTS (0: the devices' own limit) lowers the segment
 * limit, as a smaller copy manager would.  Prints "commands N blocks B".
 */
#include <stdio.h>
#include <stdlib.h>

#include <vitk/error.h>
#include <vitk/odx.h>
#include <vitk/sys/odx_blk.h>

int main(int argc, char **argv)
{
	const vitk_odx_blk_xpiece p[3] = {
		{ 1000, 20000, 3000, false, 0, 1 },
		{ 500, 23000, 2000, false, 2, 1 },
		{ 70000, 25000, 140000, false, 0, 1 },
	};
	vitk_odx_open_options oo = VITK_ODX_OPEN_OPTIONS_INIT;
	vitk_odx_dev *devs[3] = { NULL, NULL, NULL };
	vitk_odx_blk_xcopy x = { devs, 3, p, 3, p, 3, { 0 }, 1 };
	vitk_odx_blk_xcopy_cmd *c = malloc(sizeof(*c));
	uint64_t cmds = 0, blocks = 0, off = 0;
	size_t pos = 0;
	char why[256] = "";
	int rc = 1;

	if (argc != 5 || !c) {
		fprintf(stderr, "usage: blk_xcopy_client SRC0_URL DST_URL SRC1_URL MAX_SEGMENTS\n");
		return 2;
	}
	for (int i = 0; i < 3; i++) {
		oo.read_only = i != 1;
		if (vitk_odx_dev_open(&devs[i], argv[1 + i], &oo) < 0) {
			fprintf(stderr, "%s: %s\n", argv[1 + i], vitk_error_last()->message);
			goto out;
		}
	}
	vitk_odx_blk_xcopy_limits_get(&x.limits, devs, 3, 0);
	if (atoi(argv[4]) > 0 && (size_t)atoi(argv[4]) < x.limits.max_segments)
		x.limits.max_segments = (size_t)atoi(argv[4]);
	while (vitk_odx_blk_xcopy_pack(c, &x, pos, off) == 0) {
		int r = vitk_odx_blk_xcopy_send(&x, c, &cmds, why, sizeof(why));

		if (r != 0) {
			fprintf(stderr, "command %llu: %s\n", (unsigned long long)cmds,
				r < 0 ? vitk_error_last()->message : why);
			goto out;
		}
		blocks += c->blocks;
		pos = c->end_pos;
		off = c->end_off;
	}
	printf("commands %llu blocks %llu\n", (unsigned long long)cmds, (unsigned long long)blocks);
	rc = pos == 3 ? 0 : 1;
out:
	for (int i = 0; i < 3; i++)
		vitk_odx_dev_free(devs[i]);
	free(c);
	return rc;
}
