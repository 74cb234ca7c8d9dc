/* SPDX-License-Identifier: MIT */
/* sysfs attribute value parsers, PCI address and MAC parsers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/sriov.h>
#include <vitk/sys/sriov.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	unsigned u;
	uint32_t h;
	int i;
	char addr[VITK_SRIOV_ADDR_MAX];
	uint8_t mac[6];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)vitk_sriov_parse_uint(s, &u, "fuzz");
	(void)vitk_sriov_parse_hex(s, 0xffffff, &h, "fuzz");
	(void)vitk_sriov_parse_int(s, &i, "fuzz");
	if (vitk_sriov_addr_normalize(addr, s) == 0)
		(void)vitk_sriov_vf_addr(addr, addr, size, size % 7, size % 13);
	(void)vitk_sriov_mac_parse(mac, s);
	(void)vitk_sriov_link_state_parse(s);
	free(s);
	return 0;
}
