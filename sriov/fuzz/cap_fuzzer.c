/* SPDX-License-Identifier: MIT */
/* SR-IOV capability decoder over hostile config space bytes. */
#include <stdint.h>
#include <stddef.h>

#include <vitk/sriov.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_sriov_cap c;
	char addr[VITK_SRIOV_ADDR_MAX];

	if (vitk_sriov_cap_parse(&c, data, size, "fuzz") == 0) {
		unsigned i;

		for (i = 0; i < c.num_vfs && i < 8; i++)
			(void)vitk_sriov_vf_addr(addr, "0000:01:00.0", c.vf_offset, c.vf_stride, i);
	}
	return 0;
}
