/* SPDX-License-Identifier: MIT */
/* rtnetlink RTM_NEWLINK / IFLA_VFINFO_LIST parser. */
#include <stdint.h>
#include <stdlib.h>

#include <vitk/sriov.h>
#include <vitk/sys/sriov.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_sriov_vf_state *st = NULL;
	size_t n = 0;
	int ifindex = 0;

	if (vitk_sriov_nl_parse_link(data, size, &ifindex, &st, &n) == 0)
		free(st);
	return 0;
}
