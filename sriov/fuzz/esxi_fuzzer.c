/* SPDX-License-Identifier: MIT */
/* ESXi inputs: JSON host descriptions and `esxcli network sriovnic list` captures. */
#include <stdint.h>
#include <stdlib.h>

#include <vitk/sriov.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void use(vitk_sriov_esxi_host *h)
{
	vitk_sriov_esxi_cmd *c = NULL;
	char *v = NULL;
	size_t n = 0;

	if (vitk_sriov_esxi_max_vfs(&c, &n, h) == 0)
		vitk_sriov_esxi_cmds_free(c, n);
	if (h->n_ports && vitk_sriov_esxi_vmx(&v, h, h->ports[0].name, 1, 0, VITK_SRIOV_VMX_51, NULL) == 0)
		free(v);
	if (h->n_ports && vitk_sriov_esxi_vmx(&v, h, h->ports[0].name, 0, 3, VITK_SRIOV_VMX_55, "pg") == 0)
		free(v);
	vitk_sriov_esxi_host_free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vitk_sriov_esxi_host *h = NULL;

	if (vitk_sriov_esxi_host_from_json(&h, (const char *)data, size) == 0)
		use(h);
	h = NULL;
	if (vitk_sriov_esxi_parse_sriovnic_list(&h, (const char *)data, size) == 0)
		use(h);
	return 0;
}
