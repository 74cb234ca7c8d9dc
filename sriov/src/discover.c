/* SPDX-License-Identifier: MIT */
/*
 * Discovery: libpci (sysfs method rooted at <sysfs_root>/bus/pci, or the dump
 * method for `lspci -xxxx` captures) + sysfs attributes + our own SR-IOV
 * capability decoder, cross-checked.
 *
 * libpci's error callback is declared noreturn and its default calls exit().
 * A library must never exit (docs/architecture.md), so while libpci runs we install a handler
 * that records the message and longjmps back to the entry point, which then
 * frees the libpci state and returns an error.  libpci has no user pointer in
 * the callback, hence the thread-local jump buffer.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

#include <vitk/array.h>

#include "sriov_priv.h"

static _Thread_local jmp_buf *pci_jump;
static _Thread_local char pci_msg[256];

static void pci_error_cb(char *msg, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void pci_error_cb(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(pci_msg, sizeof(pci_msg), msg, ap);
	va_end(ap);
	if (pci_jump)
		longjmp(*pci_jump, 1);
	abort(); /* unreachable: libpci is only called with a jump buffer set */
}

static void pci_quiet_cb(char *msg, ...) __attribute__((format(printf, 1, 2)));
static void pci_quiet_cb(char *msg, ...)
{
	(void)msg;
}

static int cmp_pf(const void *a, const void *b)
{
	return strcmp(((const vitk_sriov_pf_info *)a)->addr, ((const vitk_sriov_pf_info *)b)->addr);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the netdev names of @addr (at most @max, sorted: readdir order is arbitrary) */
static int list_netdevs(vitk_sriov *ctx, const char *addr, char ***names, size_t max, size_t *n)
{
	char *path = vitk_sriov__dev_path(ctx, addr, "net");
	DIR *d;
	struct dirent *e;
	int r = 0;

	*names = NULL;
	*n = 0;
	if (!path)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	d = opendir(path);
	free(path);
	if (!d)
		return 0;
	*names = calloc(max, sizeof(**names));
	if (!*names)
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	for (e = r == 0 ? readdir(d) : NULL; e && *n < max; e = readdir(d)) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= VITK_SRIOV_IFNAME_MAX)
			continue;
		r = vitk_sriov__strset(&(*names)[*n], e->d_name);
		if (r < 0)
			break;
		(*n)++;
	}
	closedir(d);
	if (r < 0) {
		vitk_sriov__strv_free(*names, *n);
		*names = NULL;
		*n = 0;
		return r;
	}
	qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
}

/* an optional attribute's first line into *@out (NULL when missing or empty) */
static int read_optional(vitk_sriov *ctx, const char *addr, const char *attr, char **out)
{
	char *buf = NULL;
	int r;

	free(*out);
	*out = NULL;
	if (vitk_sriov__read_attr(ctx, addr, attr, &buf) < 0) {
		vitk_error_clear();
		return 0;
	}
	buf[strcspn(buf, "\n")] = '\0';
	r = vitk_sriov__strset(out, buf);
	free(buf);
	return r;
}

/* the basename of symlink @link of @addr into *@out (NULL when there is none) */
static int read_link_optional(vitk_sriov *ctx, const char *addr, const char *link, char **out)
{
	char base[256];

	if (vitk_sriov__read_link_base(ctx, addr, link, base, sizeof(base)) < 0) {
		vitk_error_clear();
		return vitk_sriov__strset(out, NULL);
	}
	return vitk_sriov__strset(out, base);
}

static int vf_fill(vitk_sriov *ctx, vitk_sriov_vf_info *vf)
{
	char *dir = vitk_sriov__dev_path(ctx, vf->addr, NULL);
	char **names = NULL;
	size_t n = 0;
	int r;

	if (!dir)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	vf->present = access(dir, F_OK) == 0;
	free(dir);
	if (!vf->present)
		return 0;
	r = read_link_optional(ctx, vf->addr, "driver", &vf->driver);
	if (r == 0)
		r = read_optional(ctx, vf->addr, "driver_override", &vf->driver_override);
	if (r == 0 && vf->driver_override && !strcmp(vf->driver_override, "(null)"))
		r = vitk_sriov__strset(&vf->driver_override, NULL);
	if (r == 0)
		r = list_netdevs(ctx, vf->addr, &names, 1, &n);
	if (r < 0)
		return r;
	if (n) {
		char attr[64], *op = NULL;

		vf->netdev = names[0];
		names[0] = NULL;
		snprintf(attr, sizeof(attr), "net/%s/operstate", vf->netdev);
		r = read_optional(ctx, vf->addr, attr, &op);
		vf->host_used = op && !strcmp(op, "up");
		free(op);
	}
	vitk_sriov__strv_free(names, n);
	return r;
}

static int vfs_fill(vitk_sriov *ctx, vitk_sriov_pf_info *pf, bool dump)
{
	unsigned num = pf->has_sysfs ? pf->sysfs_numvfs : pf->cap.num_vfs;
	unsigned off = pf->has_sysfs ? pf->sysfs_offset : pf->cap.vf_offset;
	unsigned stride = pf->has_sysfs ? pf->sysfs_stride : pf->cap.vf_stride;
	unsigned i;
	int r = 0;

	if (num == 0)
		return 0;
	pf->vfs = calloc(num, sizeof(*pf->vfs));
	if (!pf->vfs)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	pf->vfs_from_links = false;
	if (!dump) {
		char addr[VITK_SRIOV_ADDR_MAX];

		r = vitk_sriov__read_link_base(ctx, pf->addr, "virtfn0", addr, sizeof(addr));
		if (r == VITK_EINVAL) /* a loop, or a link out of the tree: reported */
			return r;
		if (r == 0)
			pf->vfs_from_links = true;
		else
			vitk_error_clear();
		r = 0;
	}
	for (i = 0; i < num; i++) {
		vitk_sriov_vf_info *vf = &pf->vfs[i];
		char addr[VITK_SRIOV_ADDR_MAX];

		vf->index = i;
		if (pf->vfs_from_links) {
			char link[24];

			snprintf(link, sizeof(link), "virtfn%u", i);
			r = vitk_sriov__read_link_base(ctx, pf->addr, link, addr, sizeof(addr));
		} else {
			r = vitk_sriov_vf_addr(addr, pf->addr, off, stride, i);
		}
		if (r == 0)
			r = vitk_sriov__strset(&vf->addr, addr);
		if (r < 0)
			return r;
		pf->n_vfs = i + 1;
		if (!dump) {
			r = vf_fill(ctx, vf);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static void vf_state_fill(vitk_sriov *ctx, vitk_sriov_pf_info *pf)
{
	vitk_sriov_vf_state *st = NULL;
	size_t n = 0, i, j;

	if (ctx->no_netlink || pf->n_netdevs == 0 || pf->n_vfs == 0)
		return;
	if (vitk_sriov_vf_query(ctx, pf->netdevs[0], &st, &n) < 0) {
		vitk_log(VITK_LOG_DEBUG, "sriov", "%s: no VF state from netlink: %s", pf->addr,
			 vitk_error_last()->message);
		vitk_error_clear();
		return;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < pf->n_vfs; j++)
			if (pf->vfs[j].index == st[i].vf) {
				pf->vfs[j].state = st[i];
				pf->vfs[j].has_state = true;
			}
	free(st);
}

/* append "; <finding>" to pf->mismatch */
static int add_mismatch(vitk_sriov_pf_info *pf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int add_mismatch(vitk_sriov_pf_info *pf, const char *fmt, ...)
{
	char *piece = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vitk_sriov__vstrsetf(&piece, fmt, ap);
	va_end(ap);
	if (r == 0)
		r = vitk_sriov__strsetf(&pf->mismatch, "%s%s%s", pf->mismatch ? pf->mismatch : "",
				pf->mismatch ? "; " : "", piece);
	free(piece);
	return r;
}

/* sriov_* attributes: all or nothing; a malformed value is an error naming it */
static int sysfs_sriov_fill(vitk_sriov *ctx, vitk_sriov_pf_info *pf)
{
	uint32_t vfdev = 0;
	int r;

	if (!vitk_sriov__attr_exists(ctx, pf->addr, "sriov_totalvfs"))
		return 0;
	r = vitk_sriov__read_uint(ctx, pf->addr, "sriov_totalvfs", &pf->sysfs_totalvfs);
	if (r == 0)
		r = vitk_sriov__read_uint(ctx, pf->addr, "sriov_numvfs", &pf->sysfs_numvfs);
	if (r == 0)
		r = vitk_sriov__read_uint(ctx, pf->addr, "sriov_offset", &pf->sysfs_offset);
	if (r == 0)
		r = vitk_sriov__read_uint(ctx, pf->addr, "sriov_stride", &pf->sysfs_stride);
	if (r == 0)
		r = vitk_sriov__read_hex(ctx, pf->addr, "sriov_vf_device", 0xffff, &vfdev);
	if (r < 0)
		return r;
	pf->sysfs_vf_device = (uint16_t)vfdev;
	if (pf->sysfs_numvfs > pf->sysfs_totalvfs)
		return vitk_error_set(VITK_EINVAL, 0,
				      "'%s': sysfs attribute 'sriov_numvfs' (%u) exceeds 'sriov_totalvfs' (%u)",
				      pf->addr, pf->sysfs_numvfs, pf->sysfs_totalvfs);
	pf->autoprobe = -1;
	if (vitk_sriov__attr_exists(ctx, pf->addr, "sriov_drivers_autoprobe")) {
		unsigned ap = 0;

		r = vitk_sriov__read_uint(ctx, pf->addr, "sriov_drivers_autoprobe", &ap);
		if (r < 0)
			return r;
		pf->autoprobe = ap ? 1 : 0;
	}
	pf->has_sysfs = true;
	return 0;
}

static int cross_check(vitk_sriov_pf_info *pf)
{
	int r = 0;

	if (!pf->has_cap || !pf->has_sysfs)
		return 0;
	if (pf->sysfs_totalvfs != pf->cap.total_vfs)
		r = add_mismatch(pf, "sriov_totalvfs %u, capability TotalVFs %u (driver limit)",
				 pf->sysfs_totalvfs, pf->cap.total_vfs);
	if (r == 0 && pf->sysfs_numvfs != pf->cap.num_vfs)
		r = add_mismatch(pf, "sriov_numvfs %u, capability NumVFs %u", pf->sysfs_numvfs,
				 pf->cap.num_vfs);
	if (r == 0 && (pf->sysfs_numvfs != 0) != pf->cap.vf_enable)
		r = add_mismatch(pf, "sriov_numvfs %u but VF Enable is %s", pf->sysfs_numvfs,
				 pf->cap.vf_enable ? "on" : "off");
	if (r == 0 && pf->sysfs_offset != pf->cap.vf_offset)
		r = add_mismatch(pf, "sriov_offset %u, capability First VF Offset %u",
				 pf->sysfs_offset, pf->cap.vf_offset);
	if (r == 0 && pf->sysfs_stride != pf->cap.vf_stride)
		r = add_mismatch(pf, "sriov_stride %u, capability VF Stride %u", pf->sysfs_stride,
				 pf->cap.vf_stride);
	if (r == 0 && pf->sysfs_vf_device != pf->cap.vf_device)
		r = add_mismatch(pf, "sriov_vf_device %04x, capability VF Device ID %04x",
				 pf->sysfs_vf_device, pf->cap.vf_device);
	return r;
}

int vitk_sriov__pf_fill(vitk_sriov *ctx, vitk_sriov_pf_info *pf, const uint8_t *cfg,
			size_t cfg_len, unsigned flags)
{
	bool dump = ctx->dump_file != NULL;
	char why[VITK_ERROR_MESSAGE_MAX] = "";
	int r;

	pf->numa_node = -1;
	pf->iommu_group = -1;
	pf->dev_port = -1;
	pf->autoprobe = -1;
	r = vitk_sriov__strsetf(&pf->adapter, "%.10s", pf->addr);
	if (r < 0)
		return r;
	r = vitk_sriov_cap_parse(&pf->cap, cfg, cfg_len, pf->addr);
	if (r == 0) {
		pf->has_cap = true;
	} else if (r == VITK_ENOTFOUND) {
		/* keep a specific reason (short config space, not PCIe) for the error below */
		if (!strstr(vitk_error_last()->message, ": no SR-IOV capability"))
			snprintf(why, sizeof(why), "%s", vitk_error_last()->message);
		vitk_error_clear();
	} else {
		return r;
	}
	if (!dump) {
		char buf[32];
		unsigned i;
		int node = -1;
		char *s = NULL;

		r = sysfs_sriov_fill(ctx, pf);
		if (r < 0)
			return r;
		if (vitk_sriov__read_attr(ctx, pf->addr, "numa_node", &s) == 0) {
			r = vitk_sriov_parse_int(s, &node, "numa_node");
			free(s);
			s = NULL;
			if (r < 0)
				return vitk_error_prefix("'%s': ", pf->addr);
			pf->numa_node = node < 0 ? -1 : node;
		} else {
			vitk_error_clear();
		}
		if (vitk_sriov__read_link_base(ctx, pf->addr, "iommu_group", buf, sizeof(buf)) == 0 &&
		    vitk_sriov_parse_uint(buf, &i, "iommu_group") == 0)
			pf->iommu_group = (int)i;
		else
			vitk_error_clear();
		r = read_link_optional(ctx, pf->addr, "driver", &pf->driver);
		if (r == 0)
			r = list_netdevs(ctx, pf->addr, &pf->netdevs, VITK_SRIOV_MAX_NETDEVS,
					 &pf->n_netdevs);
		if (r == 0 && pf->n_netdevs) {
			char attr[64];

			snprintf(attr, sizeof(attr), "net/%s/phys_port_name", pf->netdevs[0]);
			r = read_optional(ctx, pf->addr, attr, &pf->phys_port_name);
			snprintf(attr, sizeof(attr), "net/%s/dev_port", pf->netdevs[0]);
			if (r == 0)
				r = read_optional(ctx, pf->addr, attr, &s);
			if (r == 0 && s) {
				if (vitk_sriov_parse_int(s, &node, "dev_port") == 0)
					pf->dev_port = node;
				vitk_error_clear();
			}
			free(s);
		}
		if (r < 0)
			return r;
	}
	if (!pf->has_cap && !pf->has_sysfs) {
		if (why[0])
			return vitk_error_set(VITK_ENOTSUP, 0, "%s", why);
		return vitk_error_set(VITK_ENOTSUP, 0, "'%s': device has no SR-IOV capability",
				      pf->addr);
	}
	r = cross_check(pf);
	if (r == 0)
		r = vfs_fill(ctx, pf, dump);
	if (r < 0)
		return r;
	if (!dump && !(flags & VITK_SRIOV_SCAN_NO_VF_STATE))
		vf_state_fill(ctx, pf);
	return 0;
}

/*
 * libpci opens a device's files with a blocking open(2): a FIFO in a
 * captured tree would hang it.  Before libpci runs, every file directly in
 * each device directory must be a regular file (or a directory or link, as
 * sysfs has them).  stat(2) does not open, so it cannot block.
 */
static int special_files(vitk_sriov *ctx)
{
	char *path = vitk_sriov__path(ctx->sysfs_root, "bus/pci/devices", NULL, NULL);
	DIR *d = NULL, *dd = NULL;
	struct dirent *e, *f;
	int r = 0;

	if (!path)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	d = opendir(path);
	for (e = d ? readdir(d) : NULL; r == 0 && e; e = readdir(d)) {
		char *dir;

		if (e->d_name[0] == '.')
			continue;
		dir = vitk_sriov__dev_path(ctx, e->d_name, NULL);
		dd = dir ? opendir(dir) : NULL;
		for (f = dd ? readdir(dd) : NULL; r == 0 && f; f = readdir(dd)) {
			struct stat sb;

			if (f->d_type != DT_UNKNOWN && f->d_type != DT_FIFO && f->d_type != DT_CHR &&
			    f->d_type != DT_BLK && f->d_type != DT_SOCK && f->d_type != DT_LNK)
				continue;
			if (fstatat(dirfd(dd), f->d_name, &sb, 0) == 0 && !S_ISREG(sb.st_mode) &&
			    !S_ISDIR(sb.st_mode))
				r = vitk_error_set(VITK_EINVAL, 0,
						   "'%s': sysfs file '%s' is not a regular file",
						   e->d_name, f->d_name);
		}
		if (dd)
			closedir(dd);
		dd = NULL;
		free(dir);
	}
	if (d)
		closedir(d);
	free(path);
	return r;
}

/* libpci failed: find the device that made it fail and say which file */
static int diagnose(vitk_sriov *ctx, const char *only)
{
	static const char *const mandatory[] = { "vendor", "device", "class", "irq" };
	char *path = vitk_sriov__path(ctx->sysfs_root, "bus/pci/devices", NULL, NULL);
	DIR *d = NULL;
	struct dirent *e;
	int r = 0;
	size_t i;

	if (!path)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	d = opendir(path);
	if (!d)
		goto out; /* nothing to diagnose: the caller reports libpci's message */
	for (e = readdir(d); r == 0 && e; e = readdir(d)) {
		if (e->d_name[0] == '.' || (only && strcmp(only, e->d_name)))
			continue;
		for (i = 0; i < VITK_ARRAY_SIZE(mandatory) && r == 0; i++) {
			char *s = NULL;

			r = vitk_sriov__read_attr(ctx, e->d_name, mandatory[i], &s);
			if (r == 0) {
				uint32_t v;
				char what[96];

				snprintf(what, sizeof(what), "'%.40s': sysfs attribute '%s'", e->d_name,
					 mandatory[i]);
				if (i == 3) {
					int irq;

					r = vitk_sriov_parse_int(s, &irq, what);
				} else {
					r = vitk_sriov_parse_hex(s, 0xffffff, &v, what);
				}
			}
			free(s);
		}
	}
out:
	if (d)
		closedir(d);
	free(path);
	return r;
}

void vitk_sriov_pf_clear(vitk_sriov_pf_info *pf)
{
	size_t i;

	for (i = 0; i < pf->n_vfs; i++) {
		vitk_sriov_vf_info *vf = &pf->vfs[i];

		free(vf->addr);
		free(vf->driver);
		free(vf->driver_override);
		free(vf->netdev);
		free(vf->domain);
	}
	free(pf->vfs);
	free(pf->addr);
	free(pf->vendor_name);
	free(pf->device_name);
	free(pf->driver);
	vitk_sriov__strv_free(pf->netdevs, pf->n_netdevs);
	free(pf->phys_port_name);
	free(pf->adapter);
	free(pf->mismatch);
	memset(pf, 0, sizeof(*pf));
}

void vitk_sriov_pf_free(vitk_sriov_pf_info *pf)
{
	if (!pf)
		return;
	vitk_sriov_pf_clear(pf);
	free(pf);
}

void vitk_sriov_pf_list_free(vitk_sriov_pf_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		vitk_sriov_pf_clear(&list->items[i]);
	free(list->items);
	free(list);
}

const vitk_sriov_vf_info *vitk_sriov_pf_list_find_vf(const vitk_sriov_pf_list *list,
						     const char *vf_addr,
						     const vitk_sriov_pf_info **pf_out)
{
	size_t i, j;

	for (i = 0; list && i < list->count; i++)
		for (j = 0; j < list->items[i].n_vfs; j++)
			if (!strcmp(list->items[i].vfs[j].addr, vf_addr)) {
				if (pf_out)
					*pf_out = &list->items[i];
				return &list->items[i].vfs[j];
			}
	return NULL;
}

bool vitk_sriov_is_vf(vitk_sriov *ctx, const char *addr)
{
	return vitk_sriov__attr_exists(ctx, addr, "physfn");
}

/*
 * The scan.  @only: a normalised address (strict: its errors are returned) or
 * NULL (all PFs; a device whose capability chain is malformed is skipped with
 * a warning, unless it leaves the result empty).
 */
static int scan_impl(vitk_sriov_pf_list **out, vitk_sriov *ctx, unsigned flags, const char *only)
{
	struct pci_access *volatile a = NULL;
	vitk_sriov_pf_list *volatile list = NULL;
	char *volatile sysfs_path = NULL;
	volatile size_t cap_items = 0;
	volatile int r = 0;
	volatile int first_bad = 0;
	volatile bool found_only = false;
	char bad_msg[VITK_ERROR_MESSAGE_MAX] = "";
	jmp_buf jb;
	struct pci_dev *d;
	uint8_t *cfg = NULL;
	bool dump = ctx->dump_file != NULL;

	*out = NULL;
	list = calloc(1, sizeof(*list));
	cfg = malloc(SRIOV_CONFIG_MAX);
	if (!list || !cfg) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	if (!dump) {
		sysfs_path = vitk_sriov__path(ctx->sysfs_root, "bus/pci", NULL, NULL);
		if (!sysfs_path) {
			r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
			goto out;
		}
		if (access(sysfs_path, F_OK) < 0) {
			r = vitk_error_set(VITK_ENOTFOUND, errno, "no PCI sysfs at '%s'",
					   sysfs_path);
			goto out;
		}
		if (only) {
			char *dir = vitk_sriov__dev_path(ctx, only, NULL);
			bool there = dir && access(dir, F_OK) == 0;

			free(dir);
			if (!there) {
				r = vitk_error_set(VITK_ENOTFOUND, 0, "no PCI device '%s'", only);
				goto out;
			}
			if (vitk_sriov_is_vf(ctx, only)) {
				r = vitk_error_set(VITK_ENOTSUP, 0,
						   "'%s' is a virtual function, not a PF", only);
				goto out;
			}
			r = diagnose(ctx, only);
			if (r < 0)
				goto out;
		}
	}
	if (dump) {
		char *text = NULL;
		size_t tlen = 0, ndev = 0;

		r = vitk_read_file(ctx->dump_file, 64u << 20, &text, &tlen);
		if (r == 0) {
			r = vitk_sriov__dump_validate(text, tlen, &ndev);
			if (r < 0)
				vitk_error_prefix("'%s': ", ctx->dump_file);
		}
		free(text);
		if (r < 0)
			goto out;
	}
	if (!dump) {
		r = special_files(ctx);
		if (r < 0)
			goto out;
	}
	a = pci_alloc();
	if (!a) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	a->error = pci_error_cb;
	a->warning = pci_quiet_cb;
	a->debug = pci_quiet_cb;
	pci_jump = &jb;
	if (setjmp(jb)) {
		pci_jump = NULL;
		r = VITK_EIO;
		if (!dump && diagnose(ctx, NULL) < 0)
			goto out;
		r = vitk_error_set(VITK_EIO, 0, "libpci: %s", pci_msg);
		goto out;
	}
	if (dump) {
		a->method = PCI_ACCESS_DUMP;
		pci_set_param(a, "dump.name", ctx->dump_file);
	} else {
		a->method = PCI_ACCESS_SYS_BUS_PCI;
		pci_set_param(a, "sysfs.path", sysfs_path);
	}
	if (ctx->pci_ids)
		pci_set_name_list_path(a, ctx->pci_ids, 0);
	pci_init(a);
	pci_scan_bus(a);
	for (d = a->devices; d; d = d->next) {
		vitk_sriov_pf_info *pf;
		char addr[VITK_SRIOV_ADDR_MAX];
		size_t clen = 0;
		int rr;

		snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%u", (unsigned)d->domain & 0xffff,
			 d->bus, d->dev, d->func);
		if (only && strcmp(addr, only))
			continue;
		found_only = true;
		if (!dump && !only && vitk_sriov_is_vf(ctx, addr))
			continue;
		if (pci_read_block(d, 0, cfg, 4096))
			clen = 4096;
		else if (pci_read_block(d, 0, cfg, 256))
			clen = 256;
		else if (pci_read_block(d, 0, cfg, 64))
			clen = 64;
		if (clen == 0) {
			if (only) {
				r = vitk_error_set(VITK_EINVAL, 0,
						   "'%s': config space unreadable or truncated", addr);
				goto out;
			}
			continue;
		}
		{
			/* owned by the list from here on, so a libpci longjmp frees it too */
			VITK_ARRAY(vitk_sriov_pf_info) pfs = { list->items, list->count, cap_items };

			pf = vitk_array_push(pfs);
			list->items = pfs.ptr;
			cap_items = pfs.asize;
			if (!pf) {
				r = VITK_ENOMEM;
				goto out;
			}
			list->count = pfs.size;
		}
		rr = vitk_sriov__strset(&pf->addr, addr);
		if (rr < 0) {
			r = rr;
			goto out;
		}
		pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS);
		pf->vendor_id = d->vendor_id;
		pf->device_id = d->device_id;
		pf->class_code = ((uint32_t)d->device_class << 8) | cfg[0x09];
		/* cheap pre-filter: no SR-IOV capability and no sriov_* files -> not a PF */
		rr = vitk_sriov__pf_fill(ctx, pf, cfg, clen, flags);
		if (rr == VITK_ENOTSUP && !only) {
			vitk_error_clear();
			vitk_sriov_pf_clear(pf);
			list->count--;
			continue;
		}
		if (rr < 0 && !only) {
			/* malformed device: skip it, remember the first message */
			if (!first_bad) {
				first_bad = rr;
				snprintf(bad_msg, sizeof(bad_msg), "%s", vitk_error_last()->message);
			}
			vitk_log(VITK_LOG_WARNING, "sriov", "skipping %s", vitk_error_last()->message);
			vitk_error_clear();
			vitk_sriov_pf_clear(pf);
			list->count--;
			continue;
		}
		if (rr < 0) {
			r = rr;
			goto out;
		}
		if (!(flags & VITK_SRIOV_SCAN_NO_NAMES)) {
			char nb[256];
			char *n;

			n = pci_lookup_name(a, nb, sizeof(nb),
					    PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, pf->vendor_id);
			rr = vitk_sriov__strset(&pf->vendor_name, n);
			n = pci_lookup_name(a, nb, sizeof(nb),
					    PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, pf->vendor_id,
					    pf->device_id);
			if (rr == 0)
				rr = vitk_sriov__strset(&pf->device_name, n);
			if (rr < 0) {
				r = rr;
				goto out;
			}
		}
	}
	pci_jump = NULL;
	if (only && !found_only) {
		r = vitk_error_set(VITK_ENOTFOUND, 0, "no PCI device '%s'%s%s", only,
				   dump ? " in dump " : "", dump ? ctx->dump_file : "");
		goto out;
	}
	if (list->count == 0 && first_bad) {
		r = vitk_error_set((vitk_err)first_bad, 0, "%s", bad_msg);
		goto out;
	}
	if (list->count > 1)
		qsort(list->items, list->count, sizeof(list->items[0]), cmp_pf);
	*out = list;
	list = NULL;
out:
	pci_jump = NULL;
	if (a)
		pci_cleanup(a);
	free(cfg);
	free(sysfs_path);
	vitk_sriov_pf_list_free(list);
	return r;
}

int vitk_sriov_scan(vitk_sriov_pf_list **out, vitk_sriov *ctx, unsigned flags)
{
	return scan_impl(out, ctx, flags, NULL);
}

int vitk_sriov_pf_get(vitk_sriov_pf_info **out, vitk_sriov *ctx, const char *addr, unsigned flags)
{
	char norm[VITK_SRIOV_ADDR_MAX];
	vitk_sriov_pf_list *l = NULL;
	int r;

	*out = NULL;
	r = vitk_sriov_addr_normalize(norm, addr);
	if (r < 0)
		return r;
	r = scan_impl(&l, ctx, flags, norm);
	if (r < 0)
		return r;
	if (l->count != 1) {
		vitk_sriov_pf_list_free(l);
		return vitk_error_set(VITK_ENOTFOUND, 0, "no PCI device '%s'", norm);
	}
	*out = malloc(sizeof(**out));
	if (!*out) {
		vitk_sriov_pf_list_free(l);
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	**out = l->items[0];
	l->count = 0;
	vitk_sriov_pf_list_free(l);
	return 0;
}
