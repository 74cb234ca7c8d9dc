/* SPDX-License-Identifier: MIT */
/*
 * ESXi: max_vfs module parameters (positional per driver, PCI order) and .vmx
 * passthrough stanzas.  Inputs are outside bytes (a JSON host description or
 * captured `esxcli network sriovnic list` output) and are checked field by field.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <vitk/array.h>

#include "sriov_priv.h"

#define ESXI_MAX_PORTS 256
#define ESXI_MAX_BYTES (1u << 20)
#define ESXI_MAX_VFS_PER_PORT 1024 /* host-wide limit in the 6.x maxima */

void vitk_sriov_esxi_host_free(vitk_sriov_esxi_host *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n_ports; i++) {
		free(h->ports[i].name);
		free(h->ports[i].addr);
		free(h->ports[i].driver);
	}
	free(h->ports);
	free(h->host);
	free(h->system_uuid);
	free(h);
}

static bool name_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= max)
		return false;
	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

static int json_hex16(json_t *o, const char *key, uint16_t *out, const char *where, bool need)
{
	json_t *v = json_object_get(o, key);
	uint32_t x = 0;
	char what[96];

	if (!v) {
		if (need)
			return vitk_error_set(VITK_EINVAL, 0, "ESXi host: %s: missing '%s'", where, key);
		return 0;
	}
	snprintf(what, sizeof(what), "ESXi host: %s: '%s'", where, key);
	if (!json_is_string(v))
		return vitk_error_set(VITK_EINVAL, 0, "%s must be a hex string", what);
	if (vitk_sriov_parse_hex(json_string_value(v), 0xffff, &x, what) < 0)
		return VITK_EINVAL;
	*out = (uint16_t)x;
	return 0;
}

static int json_uint(json_t *o, const char *key, unsigned max, unsigned *out, const char *where)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return vitk_error_set(VITK_EINVAL, 0, "ESXi host: %s: '%s' must be an integer 0..%u",
				      where, key, max);
	*out = (unsigned)json_integer_value(v);
	return 0;
}

int vitk_sriov_esxi_host_set_uuid(vitk_sriov_esxi_host *h, const char *u)
{
	size_t k;
	bool ok = u && strlen(u) == 36;

	for (k = 0; ok && k < 36; k++)
		ok = (k == 8 || k == 13 || k == 18 || k == 23) ? u[k] == '-'
							       : isxdigit((unsigned char)u[k]) != 0;
	if (!ok)
		return vitk_error_set(VITK_EINVAL, 0,
				      "ESXi host: 'system_uuid' must look like 4c4c4544-0047-3010-8031-b4c04f4e5931");
	return vitk_sriov__strset(&h->system_uuid, u);
}

int vitk_sriov_esxi_host_set_name(vitk_sriov_esxi_host *h, const char *name)
{
	if (!name || !name_ok(name, VITK_SRIOV_NAME_MAX))
		return vitk_error_set(VITK_EINVAL, 0, "ESXi host: 'host' must be a host name");
	return vitk_sriov__strset(&h->host, name);
}

int vitk_sriov_esxi_host_enrich(vitk_sriov_esxi_host *h, const vitk_sriov_pf_list *pfs)
{
	size_t i, j;
	int n = 0;

	for (i = 0; h && pfs && i < h->n_ports; i++)
		for (j = 0; j < pfs->count; j++) {
			const vitk_sriov_pf_info *pf = &pfs->items[j];
			vitk_sriov_esxi_port *pt = &h->ports[i];

			if (strcmp(pf->addr, pt->addr) || !pf->has_cap)
				continue;
			pt->vendor_id = pf->vendor_id;
			pt->device_id = pf->device_id;
			pt->vf_device_id = pf->cap.vf_device;
			pt->vf_offset = pf->cap.vf_offset;
			pt->vf_stride = pf->cap.vf_stride;
			n++;
		}
	return n;
}

int vitk_sriov_esxi_host_from_json(vitk_sriov_esxi_host **out, const char *json, size_t len)
{
	vitk_sriov_esxi_host *h = NULL;
	json_t *root = NULL, *ports, *v;
	json_error_t jerr;
	size_t i, j;
	int r = 0;

	*out = NULL;
	if (len > ESXI_MAX_BYTES)
		return vitk_error_set(VITK_EINVAL, 0, "ESXi host: larger than %u bytes", ESXI_MAX_BYTES);
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return vitk_error_set(VITK_EINVAL, 0, "ESXi host: line %d: %.120s", jerr.line, jerr.text);
	h = calloc(1, sizeof(*h));
	if (!h) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	if (!json_is_object(root)) {
		r = vitk_error_set(VITK_EINVAL, 0, "ESXi host: the document must be an object");
		goto out;
	}
	v = json_object_get(root, "host");
	if (v && (!json_is_string(v) || !name_ok(json_string_value(v), VITK_SRIOV_NAME_MAX))) {
		r = vitk_error_set(VITK_EINVAL, 0, "ESXi host: 'host' must be a host name");
		goto out;
	}
	r = vitk_sriov__strset(&h->host, v ? json_string_value(v) : NULL);
	if (r < 0)
		goto out;
	v = json_object_get(root, "system_uuid");
	if (v) {
		r = vitk_sriov_esxi_host_set_uuid(h, json_is_string(v) ? json_string_value(v) : "");
		if (r < 0)
			goto out;
	}
	ports = json_object_get(root, "ports");
	if (!json_is_array(ports) || json_array_size(ports) == 0 ||
	    json_array_size(ports) > ESXI_MAX_PORTS) {
		r = vitk_error_set(VITK_EINVAL, 0, "ESXi host: 'ports' must be a list of 1..%d ports",
				   ESXI_MAX_PORTS);
		goto out;
	}
	h->ports = calloc(json_array_size(ports), sizeof(*h->ports));
	if (!h->ports) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < json_array_size(ports); i++) {
		json_t *p = json_array_get(ports, i);
		vitk_sriov_esxi_port *pt = &h->ports[i];
		char where[48], norm[VITK_SRIOV_ADDR_MAX];
		json_t *nm, *pci, *drv;

		h->n_ports = i + 1; /* owned by the host from here on */
		snprintf(where, sizeof(where), "port %zu", i);
		if (!json_is_object(p)) {
			r = vitk_error_set(VITK_EINVAL, 0, "ESXi host: %s must be an object", where);
			goto out;
		}
		nm = json_object_get(p, "name");
		pci = json_object_get(p, "pci");
		drv = json_object_get(p, "driver");
		if (!json_is_string(nm) || !name_ok(json_string_value(nm), VITK_SRIOV_IFNAME_MAX)) {
			r = vitk_error_set(VITK_EINVAL, 0, "ESXi host: %s: 'name' must be a vmnic name", where);
			goto out;
		}
		snprintf(where, sizeof(where), "port %s", json_string_value(nm));
		if (!json_is_string(pci) || vitk_sriov_addr_normalize(norm, json_string_value(pci)) < 0) {
			r = vitk_error_set(VITK_EINVAL, 0, "ESXi host: %s: 'pci' must be a PCI address", where);
			goto out;
		}
		if (!json_is_string(drv) || !name_ok(json_string_value(drv), VITK_SRIOV_NAME_MAX)) {
			r = vitk_error_set(VITK_EINVAL, 0, "ESXi host: %s: 'driver' must be a module name", where);
			goto out;
		}
		r = vitk_sriov__strset(&pt->name, json_string_value(nm));
		if (r == 0)
			r = vitk_sriov__strset(&pt->addr, norm);
		if (r == 0)
			r = vitk_sriov__strset(&pt->driver, json_string_value(drv));
		if (r == 0)
			r = json_hex16(p, "vendor_id", &pt->vendor_id, where, false);
		if (r == 0)
			r = json_hex16(p, "device_id", &pt->device_id, where, false);
		if (r == 0)
			r = json_hex16(p, "vf_device_id", &pt->vf_device_id, where, false);
		if (r == 0)
			r = json_uint(p, "vf_offset", 0xffff, &pt->vf_offset, where);
		if (r == 0)
			r = json_uint(p, "vf_stride", 0xffff, &pt->vf_stride, where);
		if (r == 0)
			r = json_uint(p, "max_vfs", ESXI_MAX_VFS_PER_PORT, &pt->max_vfs, where);
		if (r < 0)
			goto out;
		for (j = 0; j < i; j++)
			if (!strcmp(h->ports[j].addr, pt->addr) || !strcmp(h->ports[j].name, pt->name)) {
				r = vitk_error_set(VITK_EINVAL, 0, "ESXi host: %s listed twice", where);
				goto out;
			}
	}
	*out = h;
	h = NULL;
out:
	json_decref(root);
	vitk_sriov_esxi_host_free(h);
	return r;
}

/* `esxcli network sriovnic list`: a header, a dashed ruler giving the column spans, rows */
int vitk_sriov_esxi_parse_sriovnic_list(vitk_sriov_esxi_host **out, const char *text, size_t len)
{
	vitk_sriov_esxi_host *h = NULL;
	size_t starts[16], ncol = 0, pos = 0, line = 0;
	int col_name = -1, col_pci = -1, col_drv = -1, col_desc = -1;
	char header[1024] = "";
	bool have_ruler = false;
	int r = 0;

	*out = NULL;
	if (len > ESXI_MAX_BYTES)
		return vitk_error_set(VITK_EINVAL, 0, "sriovnic list: larger than %u bytes", ESXI_MAX_BYTES);
	h = calloc(1, sizeof(*h));
	if (!h || !(h->ports = calloc(ESXI_MAX_PORTS, sizeof(*h->ports)))) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	while (pos < len) {
		const char *l = text + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		size_t c;

		line++;
		pos += n + (nl ? 1 : 0);
		if (n && l[n - 1] == '\r')
			n--;
		if (n >= sizeof(header)) {
			r = vitk_error_set(VITK_EINVAL, 0, "sriovnic list line %zu: too long", line);
			goto out;
		}
		if (memchr(l, '\0', n)) {
			r = vitk_error_set(VITK_EINVAL, 0, "sriovnic list line %zu: NUL byte", line);
			goto out;
		}
		if (!header[0]) {
			size_t k = 0;

			while (k < n && l[k] == ' ')
				k++;
			if (n - k >= 4 && !strncmp(l + k, "Name", 4)) {
				memcpy(header, l, n);
				header[n] = '\0';
			}
			continue;
		}
		if (!have_ruler) {
			size_t i = 0;

			while (i < n) {
				if (l[i] == '-') {
					if (ncol >= 16) {
						r = vitk_error_set(VITK_EINVAL, 0, "sriovnic list: too many columns");
						goto out;
					}
					starts[ncol] = i;
					while (i < n && l[i] == '-')
						i++;
					ncol++;
				} else if (l[i] == ' ') {
					i++;
				} else {
					r = vitk_error_set(VITK_EINVAL, 0,
							   "sriovnic list line %zu: expected the '----' ruler under the header",
							   line);
					goto out;
				}
			}
			for (c = 0; c < ncol; c++) {
				char title[64];
				size_t a = starts[c], b = c + 1 < ncol ? starts[c + 1] : strlen(header);
				size_t hl = strlen(header), t = 0;

				if (a > hl)
					a = hl;
				if (b > hl)
					b = hl;
				while (a < b && t < sizeof(title) - 1)
					title[t++] = header[a++];
				while (t && title[t - 1] == ' ')
					t--;
				title[t] = '\0';
				if (!strcmp(title, "Name"))
					col_name = (int)c;
				else if (!strcmp(title, "PCI Device"))
					col_pci = (int)c;
				else if (!strcmp(title, "Driver"))
					col_drv = (int)c;
				else if (!strcmp(title, "Description"))
					col_desc = (int)c;
			}
			if (col_name < 0 || col_pci < 0 || col_drv < 0) {
				r = vitk_error_set(VITK_EINVAL, 0,
						   "sriovnic list: header lacks 'Name', 'PCI Device' or 'Driver'");
				goto out;
			}
			have_ruler = true;
			continue;
		}
		if (n == 0)
			continue;
		{
			vitk_sriov_esxi_port *pt;
			char f[3][VITK_SRIOV_NAME_MAX], norm[VITK_SRIOV_ADDR_MAX];
			int want[3] = { col_name, col_pci, col_drv };
			int k;

			if (h->n_ports >= ESXI_MAX_PORTS) {
				r = vitk_error_set(VITK_EINVAL, 0, "sriovnic list: more than %d ports", ESXI_MAX_PORTS);
				goto out;
			}
			for (k = 0; k < 3; k++) {
				size_t a = starts[want[k]];
				size_t b = (size_t)want[k] + 1 < ncol ? starts[want[k] + 1] : n;
				size_t t = 0;

				if (a > n)
					a = n;
				if (b > n)
					b = n;
				while (a < b && l[a] == ' ')
					a++;
				while (b > a && l[b - 1] == ' ')
					b--;
				if (b - a >= sizeof(f[k])) {
					r = vitk_error_set(VITK_EINVAL, 0, "sriovnic list line %zu: field too long", line);
					goto out;
				}
				while (a < b)
					f[k][t++] = l[a++];
				f[k][t] = '\0';
			}
			pt = &h->ports[h->n_ports];
			if (!name_ok(f[0], VITK_SRIOV_IFNAME_MAX)) {
				r = vitk_error_set(VITK_EINVAL, 0, "sriovnic list line %zu: bad Name '%.20s'", line, f[0]);
				goto out;
			}
			if (vitk_sriov_addr_normalize(norm, f[1]) < 0) {
				r = vitk_error_set(VITK_EINVAL, 0, "sriovnic list line %zu: bad PCI Device '%.20s'",
						   line, f[1]);
				goto out;
			}
			if (!name_ok(f[2], VITK_SRIOV_NAME_MAX)) {
				r = vitk_error_set(VITK_EINVAL, 0, "sriovnic list line %zu: bad Driver '%.20s'", line, f[2]);
				goto out;
			}
			h->n_ports++;
			r = vitk_sriov__strset(&pt->name, f[0]);
			if (r == 0)
				r = vitk_sriov__strset(&pt->addr, norm);
			if (r == 0)
				r = vitk_sriov__strset(&pt->driver, f[2]);
			if (r < 0)
				goto out;
		}
	}
	(void)col_desc;
	if (!have_ruler) {
		r = vitk_error_set(VITK_EINVAL, 0, "sriovnic list: no 'Name ... PCI Device ... Driver' header");
		goto out;
	}
	if (h->n_ports == 0) {
		r = vitk_error_set(VITK_EINVAL, 0, "sriovnic list: no SR-IOV NICs listed");
		goto out;
	}
	*out = h;
	h = NULL;
out:
	vitk_sriov_esxi_host_free(h);
	return r;
}

static int cmp_port_addr(const void *a, const void *b)
{
	return strcmp((*(const vitk_sriov_esxi_port *const *)a)->addr,
		      (*(const vitk_sriov_esxi_port *const *)b)->addr);
}

void vitk_sriov_esxi_cmds_free(vitk_sriov_esxi_cmd *cmds, size_t n)
{
	size_t i;

	for (i = 0; cmds && i < n; i++) {
		free(cmds[i].driver);
		free(cmds[i].command);
		vitk_sriov__strv_free(cmds[i].ports, cmds[i].n_ports);
	}
	free(cmds);
}

/* add port @pt to the command of its driver */
static int cmd_add_port(vitk_sriov_esxi_cmd *c, const vitk_sriov_esxi_port *pt)
{
	VITK_ARRAY(char *) a = { c->ports, c->n_ports, c->n_ports };
	char *port = NULL;
	int r;

	r = vitk_sriov__strsetf(&port, "%s (%s)", pt->name, pt->addr);
	if (r == 0 && vitk_array_append(a, port) < 0)
		r = VITK_ENOMEM;
	if (r < 0) {
		free(port);
		return r;
	}
	c->ports = a.ptr;
	c->n_ports = a.size;
	return vitk_sriov__strsetf(&c->command, "%s%s%u", c->command, a.size > 1 ? "," : "",
				   pt->max_vfs);
}

int vitk_sriov_esxi_max_vfs(vitk_sriov_esxi_cmd **out, size_t *n, const vitk_sriov_esxi_host *h)
{
	vitk_sriov_esxi_cmd *cmds = NULL;
	const vitk_sriov_esxi_port **sorted = NULL;
	size_t i, j, nc = 0;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (!h || h->n_ports == 0)
		return vitk_error_set(VITK_EINVAL, 0, "ESXi host has no ports");
	sorted = calloc(h->n_ports, sizeof(*sorted));
	cmds = calloc(h->n_ports, sizeof(*cmds));
	if (!sorted || !cmds) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < h->n_ports; i++)
		sorted[i] = &h->ports[i];
	qsort(sorted, h->n_ports, sizeof(*sorted), cmp_port_addr);
	/* drivers in order of their first port, ports in PCI order */
	for (i = 0; i < h->n_ports && r == 0; i++) {
		vitk_sriov_esxi_cmd *c = NULL;

		for (j = 0; j < nc; j++)
			if (!strcmp(cmds[j].driver, sorted[i]->driver))
				c = &cmds[j];
		if (!c) {
			c = &cmds[nc++];
			r = vitk_sriov__strset(&c->driver, sorted[i]->driver);
			if (r == 0)
				r = vitk_sriov__strsetf(&c->command,
							"esxcli system module parameters set -m %s -p max_vfs=",
							c->driver);
		}
		if (r == 0)
			r = cmd_add_port(c, sorted[i]);
	}
	if (r < 0)
		goto out;
	*out = cmds;
	*n = nc;
	cmds = NULL;
out:
	free(sorted);
	vitk_sriov_esxi_cmds_free(cmds, nc);
	return r;
}

int vitk_sriov_esxi_vmx(char **out, const vitk_sriov_esxi_host *h, const char *port,
			unsigned vf_index, unsigned slot, vitk_sriov_vmx_form form,
			const char *network)
{
	const vitk_sriov_esxi_port *pt = NULL;
	char vf[VITK_SRIOV_ADDR_MAX];
	unsigned d, b, s, f;
	size_t i;
	int r;

	*out = NULL;
	for (i = 0; h && i < h->n_ports; i++)
		if (!strcmp(h->ports[i].name, port) || !strcmp(h->ports[i].addr, port))
			pt = &h->ports[i];
	if (!pt)
		return vitk_error_set(VITK_ENOTFOUND, 0, "no port '%s' on the ESXi host", port);
	if (slot > 15)
		return vitk_error_set(VITK_EINVAL, 0, "pciPassthru slot %u out of range (0..15)", slot);
	if (pt->max_vfs && vf_index >= pt->max_vfs)
		return vitk_error_set(VITK_ERANGE, 0, "port %s: VF %u but max_vfs is %u", pt->name,
				      vf_index, pt->max_vfs);
	if (form == VITK_SRIOV_VMX_51) {
		if (!pt->vf_offset || (!pt->vf_stride && vf_index))
			return vitk_error_set(VITK_EINVAL, 0,
					      "port %s: the VF address needs 'vf_offset' and 'vf_stride'",
					      pt->name);
		if (!pt->vf_device_id || !pt->vendor_id)
			return vitk_error_set(VITK_EINVAL, 0,
					      "port %s: the 5.1 form needs 'vendor_id' and 'vf_device_id'",
					      pt->name);
		if (!h->system_uuid)
			return vitk_error_set(VITK_EINVAL, 0,
					      "the 5.1 form needs the host's 'system_uuid' (esxcli system uuid get)");
		r = vitk_sriov_vf_addr(vf, pt->addr, pt->vf_offset, pt->vf_stride, vf_index);
		if (r < 0)
			return r;
		vitk_sriov__addr_parse(vf, &d, &b, &s, &f);
		return vitk_sriov__strsetf(out,
			 "pciPassthru%u.present = \"TRUE\"\n"
			 "pciPassthru%u.deviceId = \"%x\"\n"
			 "pciPassthru%u.vendorId = \"%x\"\n"
			 "pciPassthru%u.systemId = \"%s\"\n"
			 "pciPassthru%u.id = \"%02x:%02x.%u\"\n"
			 "# after the first power-on ESXi adds pciPassthru%u.pciSlotNumber,\n"
			 "# ethernet MACAddressType = \"generated\" and generatedMACAddress (00:0c:29:...)\n",
			 slot, slot, pt->vf_device_id, slot, pt->vendor_id, slot, h->system_uuid, slot,
			 b, s, f, slot);
	} else if (form == VITK_SRIOV_VMX_55) {
		if (!network || !network[0] || strpbrk(network, "\"\n\\"))
			return vitk_error_set(VITK_EINVAL, 0,
					      "the 5.5+ form needs a port group name without quotes");
		vitk_sriov__addr_parse(pt->addr, &d, &b, &s, &f);
		/* pfId is the PF's bus:dev.fn in zero-padded decimal (docs/sriov.md, "ESXi") */
		return vitk_sriov__strsetf(out,
			 "# SR-IOV passthrough adapter (VMs compatible with ESXi 5.5 and later).\n"
			 "# Key set taken from public automation code, not VMware documentation.\n"
			 "pciPassthru%u.present = \"TRUE\"\n"
			 "pciPassthru%u.networkName = \"%s\"\n"
			 "pciPassthru%u.pfId = \"%04u:%02u.%02u\"\n"
			 "pciPassthru%u.id = \"%04u:%02u.%02u\"\n"
			 "pciPassthru%u.deviceId = \"0\"\n"
			 "pciPassthru%u.vendorId = \"0\"\n"
			 "pciPassthru%u.systemId = \"BYPASS\"\n"
			 "pciPassthru%u.allowMTUChange = \"TRUE\"\n",
			 slot, slot, network, slot, b, s, f, slot, b, s, f, slot, slot, slot, slot);
	}
	return vitk_error_set(VITK_EINVAL, 0, "unknown .vmx form %d", (int)form);
}
