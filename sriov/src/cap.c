/* SPDX-License-Identifier: MIT */
/*
 * SR-IOV extended capability decoder over raw config space (PCIe base spec
 * 9.3.3; register offsets as in libpci's header.h).  Pure: bytes in, struct out.
 */
#include <string.h>

#include "sriov_priv.h"

#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAPABILITY_LIST 0x34
#define PCI_CAP_ID_EXP 0x10
#define EXT_START 0x100
#define CLASSIC_MAX_CAPS 48 /* (256 - 64) / 4 */

/* Return 1 if a PCI Express capability is in the classic list, 0 if not, <0 if broken. */
static int has_pcie_cap(const uint8_t *cfg, size_t len, const char *what)
{
	unsigned pos;
	int n;

	if (len < 0x40)
		return vitk_error_set(VITK_EINVAL, 0,
				      "'%s': config space truncated to %zu bytes (header needs 64)",
				      what, len);
	if (!(sriov_le16(cfg + PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = cfg[PCI_CAPABILITY_LIST] & 0xfc;
	for (n = 0; pos != 0; n++) {
		if (n >= CLASSIC_MAX_CAPS)
			return vitk_error_set(VITK_EINVAL, 0,
					      "'%s': capability list loops (pointer 0x%02x)", what,
					      pos);
		if (pos < 0x40)
			return vitk_error_set(VITK_EINVAL, 0,
					      "'%s': capability pointer 0x%02x points into the header",
					      what, pos);
		if (pos + 2 > len)
			return vitk_error_set(VITK_EINVAL, 0,
					      "'%s': capability pointer 0x%02x beyond %zu bytes of config space",
					      what, pos, len);
		if (cfg[pos] == PCI_CAP_ID_EXP)
			return 1;
		pos = cfg[pos + 1] & 0xfc;
	}
	return 0;
}

int vitk_sriov_cap_parse(vitk_sriov_cap *out, const uint8_t *cfg, size_t len, const char *what)
{
	uint8_t visited[(SRIOV_CONFIG_MAX - EXT_START) / 4 / 8 + 1];
	unsigned pos = EXT_START;
	const uint8_t *c;
	int r;

	memset(out, 0, sizeof(*out));
	if (!what)
		what = "device";
	r = has_pcie_cap(cfg, len, what);
	if (r < 0)
		return r;
	if (r == 0)
		return vitk_error_set(VITK_ENOTFOUND, 0,
				      "'%s': not a PCI Express device: no SR-IOV capability", what);
	if (len <= EXT_START)
		return vitk_error_set(VITK_ENOTFOUND, 0,
				      "'%s': config space has only %zu bytes: no extended capabilities (SR-IOV)",
				      what, len);
	if (len > SRIOV_CONFIG_MAX)
		len = SRIOV_CONFIG_MAX;
	memset(visited, 0, sizeof(visited));
	for (;;) {
		uint32_t hdr;
		unsigned id, next, slot;

		if (pos < EXT_START || (pos & 3))
			return vitk_error_set(VITK_EINVAL, 0,
					      "'%s': extended capability chain: bad next pointer 0x%03x",
					      what, pos);
		if (pos + 4 > len)
			return vitk_error_set(VITK_EINVAL, 0,
					      "'%s': extended capability chain: pointer 0x%03x beyond %zu bytes of config space",
					      what, pos, len);
		slot = (pos - EXT_START) / 4;
		if (visited[slot / 8] & (1u << (slot % 8)))
			return vitk_error_set(VITK_EINVAL, 0,
					      "'%s': extended capability chain loops at offset 0x%03x",
					      what, pos);
		visited[slot / 8] |= (uint8_t)(1u << (slot % 8));
		hdr = sriov_le32(cfg + pos);
		if (hdr == 0 || hdr == 0xffffffffu)
			break; /* empty list / no device */
		id = hdr & 0xffff;
		next = hdr >> 20;
		if (id == VITK_SRIOV_EXT_CAP_ID)
			break;
		if (next == 0) {
			pos = 0;
			break;
		}
		pos = next;
	}
	if (pos == 0 || sriov_le32(cfg + pos) == 0 || sriov_le32(cfg + pos) == 0xffffffffu)
		return vitk_error_set(VITK_ENOTFOUND, 0, "'%s': no SR-IOV capability", what);
	if (pos + 0x40 > len)
		return vitk_error_set(VITK_EINVAL, 0,
				      "'%s': SR-IOV capability at 0x%03x truncated by the end of config space (%zu bytes)",
				      what, pos, len);
	c = cfg + pos;
	out->offset = (uint16_t)pos;
	out->cap_version = (uint8_t)((sriov_le32(c) >> 16) & 0xf);
	out->caps = sriov_le32(c + 0x04);
	out->ctrl = sriov_le16(c + 0x08);
	out->status = sriov_le16(c + 0x0a);
	out->initial_vfs = sriov_le16(c + 0x0c);
	out->total_vfs = sriov_le16(c + 0x0e);
	out->num_vfs = sriov_le16(c + 0x10);
	out->fdl = c[0x12];
	out->vf_offset = sriov_le16(c + 0x14);
	out->vf_stride = sriov_le16(c + 0x16);
	out->vf_device = sriov_le16(c + 0x1a);
	out->supported_page_sizes = sriov_le32(c + 0x1c);
	out->system_page_size = sriov_le32(c + 0x20);
	out->vf_enable = (out->ctrl & VITK_SRIOV_CTRL_VFE) != 0;
	out->vf_mse = (out->ctrl & VITK_SRIOV_CTRL_MSE) != 0;
	out->ari = (out->ctrl & VITK_SRIOV_CTRL_ARI) != 0;
	if (out->total_vfs == 0)
		return vitk_error_set(VITK_EINVAL, 0, "'%s': SR-IOV capability field TotalVFs is 0",
				      what);
	if (out->initial_vfs > out->total_vfs)
		return vitk_error_set(VITK_EINVAL, 0,
				      "'%s': SR-IOV capability field InitialVFs (%u) exceeds TotalVFs (%u)",
				      what, out->initial_vfs, out->total_vfs);
	if (out->num_vfs > out->total_vfs)
		return vitk_error_set(VITK_EINVAL, 0,
				      "'%s': SR-IOV capability field NumVFs (%u) exceeds TotalVFs (%u)",
				      what, out->num_vfs, out->total_vfs);
	if (out->total_vfs > 1 && out->vf_stride == 0)
		return vitk_error_set(VITK_EINVAL, 0,
				      "'%s': SR-IOV capability field VF Stride is 0 with %u VFs",
				      what, out->total_vfs);
	return 0;
}
