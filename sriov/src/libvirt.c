/* SPDX-License-Identifier: MIT */
/*
 * libvirt: interface XML for a VF, attach/detach, node-device discovery.
 * libvirt prints errors to stderr by default; we install a silent handler
 * (libraries never print) and copy virGetLastError() into our record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include <vitk/array.h>

#include "sriov_priv.h"

#define NODEDEV_XML_MAX (1u << 20)
#define NODEDEV_MAX_VFS 4096

static void quiet_virt(void *ud, virErrorPtr e)
{
	(void)ud;
	(void)e;
}

static int virt_err(vitk_err code, const char *what)
{
	virErrorPtr e = virGetLastError();

	return vitk_error_set(code, 0, "%s: %s", what,
			      e && e->message ? e->message : "unknown libvirt error");
}

void vitk_sriov_mac_generate(char out[18], const char *seed)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	const unsigned char *p;

	for (p = (const unsigned char *)seed; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	/* QEMU/libvirt's locally administered prefix 52:54:00 */
	snprintf(out, 18, "52:54:00:%02x:%02x:%02x", (unsigned)(h >> 16) & 0xff,
		 (unsigned)(h >> 8) & 0xff, (unsigned)h & 0xff);
}

int vitk_sriov_interface_xml(char **out, const char *vf_addr, const char *mac, int vlan)
{
	unsigned d, b, s, f;
	uint8_t m[6];
	char vl[64] = "";
	char buf[512];

	*out = NULL;
	if (vitk_sriov__addr_parse(vf_addr, &d, &b, &s, &f) < 0)
		return vitk_error_set(VITK_EINVAL, 0, "invalid PCI address '%.40s'", vf_addr);
	if (!mac || vitk_sriov_mac_parse(m, mac) < 0)
		return vitk_error_set(VITK_EINVAL, 0, "invalid MAC address '%.32s'", mac ? mac : "");
	if (vlan > 4095)
		return vitk_error_set(VITK_EINVAL, 0, "VLAN %d out of range", vlan);
	if (vlan >= 0)
		snprintf(vl, sizeof(vl), "  <vlan>\n    <tag id='%d'/>\n  </vlan>\n", vlan);
	snprintf(buf, sizeof(buf),
		 "<interface type='hostdev' managed='yes'>\n"
		 "  <mac address='%s'/>\n"
		 "  <source>\n"
		 "    <address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>\n"
		 "  </source>\n"
		 "%s"
		 "</interface>\n",
		 mac, d, b, s, f, vl);
	*out = strdup(buf);
	if (!*out)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	return 0;
}

struct vitk_sriov_virt {
	virConnectPtr conn;
	char *uri;
};

int vitk_sriov_virt_open(vitk_sriov_virt **out, const char *uri)
{
	vitk_sriov_virt *v = calloc(1, sizeof(*v));

	*out = NULL;
	if (!v)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	virSetErrorFunc(NULL, quiet_virt);
	v->uri = strdup(uri ? uri : "default URI");
	v->conn = virConnectOpen(uri);
	if (!v->conn || !v->uri) {
		int r = virt_err(VITK_EIO, uri ? uri : "cannot connect to libvirt");

		vitk_error_prefix("cannot connect to '%s': ", uri ? uri : "default URI");
		vitk_sriov_virt_free(v);
		return r;
	}
	*out = v;
	return 0;
}

void vitk_sriov_virt_free(vitk_sriov_virt *v)
{
	if (!v)
		return;
	if (v->conn)
		virConnectClose(v->conn);
	free(v->uri);
	free(v);
}

static int open_dom(virDomainPtr *dom, vitk_sriov_virt *v, const char *domain)
{
	*dom = virDomainLookupByName(v->conn, domain);
	if (!*dom)
		return vitk_error_set(VITK_ENOTFOUND, 0, "no domain '%s' on '%s'", domain, v->uri);
	return 0;
}

static unsigned affect(unsigned flags)
{
	unsigned f = 0;

	if (flags & VITK_SRIOV_AFFECT_LIVE)
		f |= VIR_DOMAIN_AFFECT_LIVE;
	if (flags & VITK_SRIOV_AFFECT_CONFIG)
		f |= VIR_DOMAIN_AFFECT_CONFIG;
	return f ? f : VIR_DOMAIN_AFFECT_CURRENT;
}

int vitk_sriov_libvirt_domain_xml(char **out, vitk_sriov_virt *v, const char *domain, bool inactive)
{
	virDomainPtr dom = NULL;
	char *x;
	int r;

	*out = NULL;
	r = open_dom(&dom, v, domain);
	if (r < 0)
		return r;
	x = virDomainGetXMLDesc(dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
	if (!x) {
		r = virt_err(VITK_EIO, "cannot get the domain XML");
		goto out;
	}
	*out = strdup(x);
	free(x);
	if (!*out)
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
out:
	virDomainFree(dom);
	return r;
}

/* does <interface> node @n have a PCI source address equal to @addr? */
static bool iface_matches(xmlNodePtr n, const char *addr)
{
	xmlNodePtr c, a;

	if (xmlStrcmp(n->name, BAD_CAST "interface") && xmlStrcmp(n->name, BAD_CAST "hostdev"))
		return false;
	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, BAD_CAST "source"))
			continue;
		for (a = c->children; a; a = a->next) {
			xmlChar *d, *b, *s, *f;
			char buf[VITK_SRIOV_ADDR_MAX + 32];
			bool ok = false;

			if (a->type != XML_ELEMENT_NODE || xmlStrcmp(a->name, BAD_CAST "address"))
				continue;
			d = xmlGetProp(a, BAD_CAST "domain");
			b = xmlGetProp(a, BAD_CAST "bus");
			s = xmlGetProp(a, BAD_CAST "slot");
			f = xmlGetProp(a, BAD_CAST "function");
			if (b && s && f) {
				char norm[VITK_SRIOV_ADDR_MAX];

				snprintf(buf, sizeof(buf), "%lx:%lx:%lx.%lx",
					 d ? strtoul((char *)d, NULL, 0) : 0UL,
					 strtoul((char *)b, NULL, 0), strtoul((char *)s, NULL, 0),
					 strtoul((char *)f, NULL, 0));
				ok = vitk_sriov_addr_normalize(norm, buf) == 0 && !strcmp(norm, addr);
				vitk_error_clear();
			}
			xmlFree(d);
			xmlFree(b);
			xmlFree(s);
			xmlFree(f);
			if (ok)
				return true;
		}
	}
	return false;
}

static xmlNodePtr find_devices(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), c;

	for (c = root ? root->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, BAD_CAST "devices"))
			return c;
	return NULL;
}

/*
 * Edit the persistent definition: add @add_xml to <devices>, or remove the
 * interface using @remove_addr; then virDomainDefineXML.  Used when the
 * driver has no device attach (the test driver) and only --config is asked.
 */
static int redefine(virConnectPtr conn, virDomainPtr dom, const char *add_xml,
		    const char *remove_addr)
{
	char *x = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	xmlDocPtr doc = NULL, frag = NULL;
	xmlNodePtr devs, c, next;
	xmlChar *outx = NULL;
	virDomainPtr nd = NULL;
	int len = 0, r = 0;
	bool removed = false;

	if (!x)
		return virt_err(VITK_EIO, "cannot get the domain XML");
	doc = xmlReadMemory(x, (int)strlen(x), "domain.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(x);
	if (!doc || !(devs = find_devices(doc))) {
		r = vitk_error_set(VITK_EINVAL, 0, "domain XML without <devices>");
		goto out;
	}
	if (add_xml) {
		frag = xmlReadMemory(add_xml, (int)strlen(add_xml), "iface.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		if (!frag || !xmlDocGetRootElement(frag)) {
			r = vitk_error_set(VITK_EINVAL, 0, "bad interface XML");
			goto out;
		}
		xmlAddChild(devs, xmlDocCopyNode(xmlDocGetRootElement(frag), doc, 1));
	}
	if (remove_addr) {
		for (c = devs->children; c; c = next) {
			next = c->next;
			if (c->type == XML_ELEMENT_NODE && iface_matches(c, remove_addr)) {
				xmlUnlinkNode(c);
				xmlFreeNode(c);
				removed = true;
			}
		}
		if (!removed) {
			r = vitk_error_set(VITK_ENOTFOUND, 0, "no interface with source %s in the definition",
					   remove_addr);
			goto out;
		}
	}
	xmlDocDumpMemory(doc, &outx, &len);
	if (!outx) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	nd = virDomainDefineXML(conn, (const char *)outx);
	if (!nd)
		r = virt_err(VITK_EIO, "cannot redefine the domain");
out:
	if (nd)
		virDomainFree(nd);
	xmlFree(outx);
	xmlFreeDoc(frag);
	xmlFreeDoc(doc);
	return r;
}

int vitk_sriov_libvirt_attach(vitk_sriov_virt *v, const char *domain, const char *xml,
			      unsigned flags)
{
	virDomainPtr dom = NULL;
	int r;

	r = open_dom(&dom, v, domain);
	if (r < 0)
		return r;
	if (virDomainAttachDeviceFlags(dom, xml, affect(flags)) < 0) {
		virErrorPtr e = virGetLastError();

		if (e && e->code == VIR_ERR_NO_SUPPORT && flags == VITK_SRIOV_AFFECT_CONFIG)
			r = redefine(v->conn, dom, xml, NULL);
		else
			r = virt_err(VITK_EIO, "cannot attach the interface");
	}
	virDomainFree(dom);
	return r;
}

int vitk_sriov_libvirt_detach(vitk_sriov_virt *v, const char *domain, const char *vf_addr,
			      unsigned flags)
{
	virDomainPtr dom = NULL;
	char *x = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr devs, c;
	xmlBufferPtr buf = NULL;
	int r;

	r = open_dom(&dom, v, domain);
	if (r < 0)
		return r;
	x = virDomainGetXMLDesc(dom, (flags & VITK_SRIOV_AFFECT_LIVE) ? 0 : VIR_DOMAIN_XML_INACTIVE);
	if (!x) {
		r = virt_err(VITK_EIO, "cannot get the domain XML");
		goto out;
	}
	doc = xmlReadMemory(x, (int)strlen(x), "domain.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	devs = doc ? find_devices(doc) : NULL;
	for (c = devs ? devs->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && iface_matches(c, vf_addr))
			break;
	if (!c) {
		r = vitk_error_set(VITK_ENOTFOUND, 0, "domain '%s' has no interface with VF %s",
				   domain, vf_addr);
		goto out;
	}
	buf = xmlBufferCreate();
	if (!buf || xmlNodeDump(buf, doc, c, 0, 0) < 0) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	if (virDomainDetachDeviceFlags(dom, (const char *)xmlBufferContent(buf), affect(flags)) < 0) {
		virErrorPtr e = virGetLastError();

		if (e && e->code == VIR_ERR_NO_SUPPORT && flags == VITK_SRIOV_AFFECT_CONFIG)
			r = redefine(v->conn, dom, NULL, vf_addr);
		else
			r = virt_err(VITK_EIO, "cannot detach the interface");
	}
out:
	if (buf)
		xmlBufferFree(buf);
	xmlFreeDoc(doc);
	free(x);
	virDomainFree(dom);
	return r;
}

static int addr_from(xmlNodePtr a, char out[VITK_SRIOV_ADDR_MAX]);

/* PCI source addresses of <interface type='hostdev'> and <hostdev type='pci'> */
static int collect_sources(vitk_sriov_taken *t, const char *xml, const char *dom)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
					      XML_PARSE_NOWARNING);
	xmlNodePtr devs = doc ? find_devices(doc) : NULL, c, src, a;
	int r = 0;

	for (c = devs ? devs->children : NULL; c && r == 0; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || (xmlStrcmp(c->name, BAD_CAST "interface") &&
						    xmlStrcmp(c->name, BAD_CAST "hostdev")))
			continue;
		for (src = c->children; src && r == 0; src = src->next) {
			if (src->type != XML_ELEMENT_NODE || xmlStrcmp(src->name, BAD_CAST "source"))
				continue;
			for (a = src->children; a && r == 0; a = a->next) {
				char addr[VITK_SRIOV_ADDR_MAX];

				if (a->type != XML_ELEMENT_NODE || xmlStrcmp(a->name, BAD_CAST "address"))
					continue;
				if (addr_from(a, addr) < 0) {
					vitk_error_clear();
					continue;
				}
				r = vitk_sriov__taken_addf(t, addr, "used by running domain '%.60s'", dom);
			}
		}
	}
	xmlFreeDoc(doc);
	return r;
}

/* ------------------------------------------------------------ nodedev */

static int prop_num(xmlNodePtr n, const char *name, unsigned long max, unsigned long *out)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *end = NULL;
	int r = 0;

	if (!v)
		return vitk_error_set(VITK_EINVAL, 0, "nodedev XML: <%s> without '%s'", n->name, name);
	errno = 0;
	*out = strtoul((char *)v, &end, 0);
	if (errno || !end || *end || end == (char *)v || *out > max)
		r = vitk_error_set(VITK_EINVAL, 0, "nodedev XML: <%s %s='%.20s'> is not a number <= %lu",
				   n->name, name, (char *)v, max);
	xmlFree(v);
	return r;
}

static int addr_from(xmlNodePtr a, char out[VITK_SRIOV_ADDR_MAX])
{
	unsigned long d = 0, b, s, f;
	int r;

	if (xmlHasProp(a, BAD_CAST "domain")) {
		r = prop_num(a, "domain", 0xffff, &d);
		if (r < 0)
			return r;
	}
	r = prop_num(a, "bus", 0xff, &b);
	if (r == 0)
		r = prop_num(a, "slot", 0x1f, &s);
	if (r == 0)
		r = prop_num(a, "function", 7, &f);
	if (r < 0)
		return r;
	snprintf(out, VITK_SRIOV_ADDR_MAX, "%04lx:%02lx:%02lx.%lu", d, b, s, f);
	return 0;
}

static unsigned long text_num(xmlNodePtr n, unsigned long max, bool *ok)
{
	xmlChar *t = xmlNodeGetContent(n);
	char *end = NULL;
	unsigned long v = 0;

	*ok = false;
	if (t) {
		errno = 0;
		v = strtoul((char *)t, &end, 0);
		*ok = !errno && end && end != (char *)t && *end == '\0' && v <= max;
		xmlFree(t);
	}
	return v;
}

int vitk_sriov_nodedev_parse(vitk_sriov_pf_info *pf, bool *is_pf, const char *xml, size_t len)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, c, cap = NULL, k;
	unsigned long dom = 0, bus = 0, slot = 0, fn = 0;
	int have = 0, r = 0;

	memset(pf, 0, sizeof(*pf));
	pf->numa_node = -1;
	pf->iommu_group = -1;
	pf->dev_port = -1;
	pf->autoprobe = -1;
	*is_pf = false;
	if (len > NODEDEV_XML_MAX)
		return vitk_error_set(VITK_EINVAL, 0, "nodedev XML larger than %u bytes", NODEDEV_XML_MAX);
	doc = xmlReadMemory(xml, (int)len, "nodedev.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || xmlStrcmp(root->name, BAD_CAST "device")) {
		r = vitk_error_set(VITK_EINVAL, 0, "nodedev XML: not a <device> document");
		goto out;
	}
	for (c = root->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!xmlStrcmp(c->name, BAD_CAST "driver")) {
			for (k = c->children; k; k = k->next)
				if (k->type == XML_ELEMENT_NODE && !xmlStrcmp(k->name, BAD_CAST "name")) {
					xmlChar *t = xmlNodeGetContent(k);

					r = vitk_sriov__strset(&pf->driver, (char *)t);
					xmlFree(t);
					if (r < 0)
						goto out;
				}
		} else if (!xmlStrcmp(c->name, BAD_CAST "capability")) {
			xmlChar *t = xmlGetProp(c, BAD_CAST "type");

			if (t && !xmlStrcmp(t, BAD_CAST "pci"))
				cap = c;
			xmlFree(t);
		}
	}
	if (!cap) {
		r = vitk_error_set(VITK_ENOTSUP, 0, "nodedev XML: not a PCI device");
		goto out;
	}
	for (c = cap->children; c; c = c->next) {
		bool ok = true;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!xmlStrcmp(c->name, BAD_CAST "domain")) {
			dom = text_num(c, 0xffff, &ok);
			have |= 1;
		} else if (!xmlStrcmp(c->name, BAD_CAST "bus")) {
			bus = text_num(c, 0xff, &ok);
			have |= 2;
		} else if (!xmlStrcmp(c->name, BAD_CAST "slot")) {
			slot = text_num(c, 0x1f, &ok);
			have |= 4;
		} else if (!xmlStrcmp(c->name, BAD_CAST "function")) {
			fn = text_num(c, 7, &ok);
			have |= 8;
		} else if (!xmlStrcmp(c->name, BAD_CAST "product") || !xmlStrcmp(c->name, BAD_CAST "vendor")) {
			unsigned long id = 0;
			xmlChar *t = xmlNodeGetContent(c);
			bool prod = !xmlStrcmp(c->name, BAD_CAST "product");

			r = prop_num(c, "id", 0xffff, &id);
			if (r == 0) {
				if (prod) {
					pf->device_id = (uint16_t)id;
					r = vitk_sriov__strset(&pf->device_name, (char *)t);
				} else {
					pf->vendor_id = (uint16_t)id;
					r = vitk_sriov__strset(&pf->vendor_name, (char *)t);
				}
			}
			xmlFree(t);
			if (r < 0)
				goto out;
		} else if (!xmlStrcmp(c->name, BAD_CAST "numa")) {
			unsigned long node = 0;

			r = prop_num(c, "node", 4096, &node);
			if (r < 0)
				goto out;
			pf->numa_node = (int)node;
		} else if (!xmlStrcmp(c->name, BAD_CAST "iommuGroup")) {
			unsigned long g = 0;

			r = prop_num(c, "number", 1u << 20, &g);
			if (r < 0)
				goto out;
			pf->iommu_group = (int)g;
		} else if (!xmlStrcmp(c->name, BAD_CAST "capability")) {
			xmlChar *t = xmlGetProp(c, BAD_CAST "type");
			bool vfs = t && !xmlStrcmp(t, BAD_CAST "virt_functions");

			xmlFree(t);
			if (!vfs)
				continue;
			*is_pf = true;
			pf->has_sysfs = true; /* the kernel's view, through libvirt */
			if (xmlHasProp(c, BAD_CAST "maxCount")) {
				unsigned long m = 0;

				r = prop_num(c, "maxCount", NODEDEV_MAX_VFS, &m);
				if (r < 0)
					goto out;
				pf->sysfs_totalvfs = (unsigned)m;
			}
			for (k = c->children; k; k = k->next) {
				char addr[VITK_SRIOV_ADDR_MAX];
				vitk_sriov_vf_info *nv;

				if (k->type != XML_ELEMENT_NODE || xmlStrcmp(k->name, BAD_CAST "address"))
					continue;
				if (pf->n_vfs >= NODEDEV_MAX_VFS) {
					r = vitk_error_set(VITK_EINVAL, 0, "nodedev XML: more than %d VFs",
							   NODEDEV_MAX_VFS);
					goto out;
				}
				{
					VITK_ARRAY(vitk_sriov_vf_info) a = { pf->vfs, pf->n_vfs, pf->n_vfs };

					nv = vitk_array_push(a);
					if (!nv) {
						r = VITK_ENOMEM;
						goto out;
					}
					pf->vfs = a.ptr;
					pf->n_vfs = a.size;
				}
				nv->index = (unsigned)pf->n_vfs - 1;
				nv->present = true;
				r = addr_from(k, addr);
				if (r == 0)
					r = vitk_sriov__strset(&nv->addr, addr);
				if (r < 0)
					goto out;
			}
			pf->sysfs_numvfs = (unsigned)pf->n_vfs;
			pf->vfs_from_links = true;
		}
		if (!ok) {
			r = vitk_error_set(VITK_EINVAL, 0, "nodedev XML: <%s> is not a valid number", c->name);
			goto out;
		}
	}
	if (have != 15) {
		r = vitk_error_set(VITK_EINVAL, 0, "nodedev XML: PCI capability without domain/bus/slot/function");
		goto out;
	}
	r = vitk_sriov__strsetf(&pf->addr, "%04lx:%02lx:%02lx.%lu", dom, bus, slot, fn);
	if (r == 0)
		r = vitk_sriov__strsetf(&pf->adapter, "%04lx:%02lx:%02lx", dom, bus, slot);
	if (pf->sysfs_totalvfs < pf->n_vfs)
		pf->sysfs_totalvfs = (unsigned)pf->n_vfs;
out:
	if (r < 0)
		vitk_sriov_pf_clear(pf);
	xmlFreeDoc(doc);
	return r;
}

int vitk_sriov_libvirt_vfs_in_use(vitk_sriov_taken *t, vitk_sriov_virt *v)
{
	virDomainPtr *doms = NULL;
	int n, i, r = 0;

	n = virConnectListAllDomains(v->conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (n < 0)
		return virt_err(VITK_EIO, "cannot list running domains");
	for (i = 0; i < n && r == 0; i++) {
		char *x = virDomainGetXMLDesc(doms[i], 0);

		if (!x) {
			r = virt_err(VITK_EIO, "cannot get a domain's XML");
			break;
		}
		r = collect_sources(t, x, virDomainGetName(doms[i]) ? virDomainGetName(doms[i]) : "?");
		free(x);
	}
	for (i = 0; doms && i < n; i++)
		virDomainFree(doms[i]);
	free(doms);
	return r;
}

static int cmp_addr(const void *a, const void *b)
{
	return strcmp(((const vitk_sriov_pf_info *)a)->addr, ((const vitk_sriov_pf_info *)b)->addr);
}

int vitk_sriov_libvirt_nodedev_scan(vitk_sriov_pf_list **out, vitk_sriov_virt *v)
{
	virConnectPtr conn = v->conn;
	vitk_sriov_pf_list *l = NULL;
	char **names = NULL;
	int n = 0, i, r = 0;

	*out = NULL;
	n = virNodeNumOfDevices(conn, "pci", 0);
	if (n < 0) {
		r = virt_err(VITK_EIO, "cannot count node devices");
		goto out;
	}
	l = calloc(1, sizeof(*l));
	names = calloc((size_t)n + 1, sizeof(*names));
	if (!l || !names) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	n = virNodeListDevices(conn, "pci", names, n, 0);
	if (n < 0) {
		r = virt_err(VITK_EIO, "cannot list node devices");
		goto out;
	}
	l->items = calloc((size_t)n + 1, sizeof(*l->items));
	if (!l->items) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		virNodeDevicePtr dev = virNodeDeviceLookupByName(conn, names[i]);
		char *x = dev ? virNodeDeviceGetXMLDesc(dev, 0) : NULL;
		bool is_pf = false;

		if (dev)
			virNodeDeviceFree(dev);
		if (!x) {
			r = virt_err(VITK_EIO, names[i]);
			goto out;
		}
		r = vitk_sriov_nodedev_parse(&l->items[l->count], &is_pf, x, strlen(x));
		free(x);
		if (r == VITK_ENOTSUP) {
			vitk_error_clear();
			r = 0;
			continue;
		}
		if (r < 0) {
			vitk_error_prefix("node device '%s': ", names[i]);
			goto out;
		}
		if (is_pf)
			l->count++;
		else
			vitk_sriov_pf_clear(&l->items[l->count]);
	}
	qsort(l->items, l->count, sizeof(l->items[0]), cmp_addr);
	*out = l;
	l = NULL;
out:
	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	vitk_sriov_pf_list_free(l);
	return r;
}
