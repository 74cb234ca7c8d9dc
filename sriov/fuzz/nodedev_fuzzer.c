/* SPDX-License-Identifier: MIT */
/* libvirt node-device XML (a remote host's libvirtd is outside input). */
#include <stdint.h>
#include <stdlib.h>

#include <vitk/sriov.h>
#include <vitk/sys/sriov.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_sriov_pf_info pf;
	bool is_pf = false;

	if (vitk_sriov_nodedev_parse(&pf, &is_pf, (const char *)data, size) == 0)
		vitk_sriov_pf_clear(&pf);
	return 0;
}
