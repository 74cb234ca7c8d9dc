/* SPDX-License-Identifier: MIT */
/* Fake PCI sysfs: see fake_sysfs.h.  Test code: errors are returned as -errno. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_sysfs.h"

#define P(buf, ...) fake_fmt((buf), sizeof(buf), __VA_ARGS__)

void fake_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		abort(); /* a test path longer than PATH_MAX: the test setup is broken */
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}
static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t ext_hdr(unsigned id, unsigned ver, unsigned next)
{
	return (uint32_t)id | ((uint32_t)ver << 16) | ((uint32_t)next << 20);
}

void fake_config_build(uint8_t *cfg, size_t len, const fake_pf_spec *s)
{
	unsigned cap = s->cap_offset ? s->cap_offset : 0x160;

	memset(cfg, 0, len);
	put16(cfg + 0x00, s->vendor);
	put16(cfg + 0x02, s->device);
	put16(cfg + 0x04, 0x0406);
	put16(cfg + 0x06, 0x0010); /* capability list */
	cfg[0x08] = 0x01;
	cfg[0x09] = (uint8_t)s->class_code;
	cfg[0x0a] = (uint8_t)(s->class_code >> 8);
	cfg[0x0b] = (uint8_t)(s->class_code >> 16);
	put16(cfg + 0x2c, s->subsys_vendor);
	put16(cfg + 0x2e, s->subsys_device);
	cfg[0x34] = 0x40;
	cfg[0x3d] = 0x01;
	/* classic list: PM -> MSI -> MSI-X -> PCI Express */
	cfg[0x40] = 0x01;
	cfg[0x41] = 0x50;
	put16(cfg + 0x42, 0x4823);
	cfg[0x50] = 0x05;
	cfg[0x51] = 0x70;
	put16(cfg + 0x52, 0x0180);
	cfg[0x70] = 0x11;
	cfg[0x71] = 0xa0;
	put16(cfg + 0x72, 0x0009);
	cfg[0xa0] = 0x10;
	cfg[0xa1] = 0x00;
	put16(cfg + 0xa2, 0x0002); /* PCIe v2, endpoint */
	if (len < 4096)
		return;
	/* extended list: AER (0x100) -> DSN (0x140) -> SR-IOV (cap) */
	if (s->broken == FAKE_BROKEN_PTR) {
		put32(cfg + 0x100, ext_hdr(0x0001, 1, 0x0a0)); /* points into classic space */
		return;
	}
	if (s->broken == FAKE_BROKEN_LOOP) {
		put32(cfg + 0x100, ext_hdr(0x0001, 1, 0x140));
		put32(cfg + 0x140, ext_hdr(0x0003, 1, 0x100)); /* back to the start */
		return;
	}
	if (!s->sriov) {
		put32(cfg + 0x100, ext_hdr(0x0001, 1, 0x140));
		put32(cfg + 0x140, ext_hdr(0x0003, 1, 0));
		put32(cfg + 0x144, 0x12345678);
		return;
	}
	if (cap >= 0x14c) {
		put32(cfg + 0x100, ext_hdr(0x0001, 1, 0x140));
		put32(cfg + 0x140, ext_hdr(0x0003, 1, cap));
		put32(cfg + 0x144, 0x12345678);
	} else {
		put32(cfg + 0x100, ext_hdr(0x0001, 1, cap));
	}
	put32(cfg + cap, ext_hdr(0x0010, 1, 0));
	put32(cfg + cap + 0x04, s->ari ? 0x2 : 0x0);
	put16(cfg + cap + 0x08,
	      (uint16_t)((s->initial_num_vfs ? 0x0009 : 0) | (s->ari ? 0x0010 : 0)));
	put16(cfg + cap + 0x0c, s->initial_vfs);
	put16(cfg + cap + 0x0e, s->total_vfs);
	put16(cfg + cap + 0x10, (uint16_t)s->initial_num_vfs);
	put16(cfg + cap + 0x14, s->vf_offset);
	put16(cfg + cap + 0x16, s->vf_stride);
	put16(cfg + cap + 0x1a, s->vf_device);
	put32(cfg + cap + 0x1c, 0x00000553);
	put32(cfg + cap + 0x20, 0x00000001);
}

/* ---------------------------------------------------------------- helpers */

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] == '/' || tmp[i] == '\0') {
			char c = tmp[i];

			tmp[i] = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				return -errno;
			tmp[i] = c;
		}
	}
	return 0;
}

static int wfile(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, data, len);
	close(fd);
	return (w < 0 || (size_t)w != len) ? -EIO : 0;
}

static int wfmt(const char *dir, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int wfmt(const char *dir, const char *name, const char *fmt, ...)
{
	char path[PATH_MAX], buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	P(path, "%s/%s", dir, name);
	return wfile(path, buf, (size_t)n);
}

static int rfile(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int rfmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int rfmt(char *buf, size_t len, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return rfile(path, buf, len);
}

static int rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		char sub[PATH_MAX];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		P(sub, "%s/%s", path, e->d_name);
		rm_rf(sub);
	}
	closedir(d);
	return rmdir(path) < 0 ? -errno : 0;
}

static void domain_of(const char *addr, char dom[8])
{
	memcpy(dom, addr, 4);
	dom[4] = '\0';
}

static void devdir(char *out, size_t len, const char *root, const char *addr)
{
	char dom[8];

	domain_of(addr, dom);
	fake_fmt(out, len, "%s/devices/pci%s:00/%s", root, dom, addr);
}

static void log_write(const char *root, const char *rel, const char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	P(path, "%s/.fake/writes.log", root);
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "%s ", rel);
	fwrite(buf, 1, len, f);
	if (len == 0 || buf[len - 1] != '\n')
		fputc('\n', f);
	fclose(f);
}

int fake_sysfs_init(const char *root)
{
	static const char *const drivers[] = { "vfio-pci", "igb", "igbvf", "thunder-nic",
					       "thunder-nicvf", "ixgbe", "ixgbevf", "i40e", "iavf" };
	char path[PATH_MAX];
	size_t i;
	int r;

	P(path, "%s/bus/pci/devices", root);
	r = mkdir_p(path);
	if (r < 0)
		return r;
	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		P(path, "%s/bus/pci/drivers/%s", root, drivers[i]);
		r = mkdir_p(path);
		if (r < 0)
			return r;
	}
	P(path, "%s/bus/pci/drivers_probe", root);
	if (access(path, F_OK) < 0 && (r = wfile(path, "", 0)) < 0)
		return r;
	P(path, "%s/class/net", root);
	if ((r = mkdir_p(path)) < 0)
		return r;
	P(path, "%s/kernel/iommu_groups", root);
	if ((r = mkdir_p(path)) < 0)
		return r;
	P(path, "%s/.fake", root);
	return mkdir_p(path);
}

static int set_iommu(const char *root, const char *dir, int group)
{
	char path[PATH_MAX], tgt[PATH_MAX];

	if (group < 0)
		return 0;
	P(path, "%s/kernel/iommu_groups/%d/devices", root, group);
	mkdir_p(path);
	P(path, "%s/iommu_group", dir);
	P(tgt, "../../../kernel/iommu_groups/%d", group);
	unlink(path);
	return symlink(tgt, path) < 0 ? -errno : 0;
}

static int add_netdev(const char *root, const char *addr, const char *name, const char *mac,
		      const char *ppn, int dev_port)
{
	char dir[PATH_MAX], net[PATH_MAX], link[PATH_MAX], tgt[PATH_MAX], dom[8];
	int r;

	devdir(dir, sizeof(dir), root, addr);
	P(net, "%s/net/%s", dir, name);
	r = mkdir_p(net);
	if (r < 0)
		return r;
	wfmt(net, "address", "%s\n", mac ? mac : "00:00:00:00:00:00");
	wfmt(net, "ifindex", "%u\n", 2 + (unsigned)(strlen(name) * 131 + (unsigned char)name[strlen(name) - 1]) % 9000);
	if (ppn)
		wfmt(net, "phys_port_name", "%s\n", ppn);
	if (dev_port >= 0)
		wfmt(net, "dev_port", "%d\n", dev_port);
	/* PFs come up, VF netdevs start down (nobody configured them) */
	wfmt(net, "operstate", "%s\n", mac && !strncmp(mac, "02:00:", 6) ? "down" : "up");
	domain_of(addr, dom);
	P(link, "%s/class/net/%s", root, name);
	P(tgt, "../../devices/pci%s:00/%s/net/%s", dom, addr, name);
	unlink(link);
	return symlink(tgt, link) < 0 ? -errno : 0;
}

static void remove_netdevs(const char *root, const char *dir)
{
	char net[PATH_MAX];
	DIR *d;
	struct dirent *e;

	P(net, "%s/net", dir);
	d = opendir(net);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char link[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		P(link, "%s/class/net/%s", root, e->d_name);
		unlink(link);
	}
	closedir(d);
	rm_rf(net);
}

static int do_bind(const char *root, const char *addr, const char *drv)
{
	char dir[PATH_MAX], path[PATH_MAX], tgt[PATH_MAX], dom[8], buf[128], pf[32];
	char prefix[64], vfdrv[64];
	int r;

	devdir(dir, sizeof(dir), root, addr);
	P(path, "%s/bus/pci/drivers/%s", root, drv);
	if (access(path, F_OK) < 0)
		return -ENODEV;
	P(path, "%s/driver", dir);
	if (access(path, F_OK) == 0)
		return -EBUSY;
	/*
	 * Like the real kernel (found by tests/vm nvme_sriov): vfio-pci's probe
	 * fails (-EINVAL, vfio_iommu_group_get()) for a device without an IOMMU
	 * group; through drivers_probe that error is swallowed and the device
	 * stays unbound.
	 */
	P(path, "%s/iommu_group", dir);
	if (!strcmp(drv, "vfio-pci") && access(path, F_OK) < 0)
		return -EINVAL;
	P(path, "%s/driver", dir);
	P(tgt, "../../../bus/pci/drivers/%s", drv);
	if (symlink(tgt, path) < 0)
		return -errno;
	domain_of(addr, dom);
	P(path, "%s/bus/pci/drivers/%s/%s", root, drv, addr);
	P(tgt, "../../../../devices/pci%s:00/%s", dom, addr);
	unlink(path);
	r = symlink(tgt, path);
	if (r < 0)
		return -errno;
	/* a VF bound to its net driver gets a netdev */
	if (rfmt(pf, sizeof(pf), "%s/.fake/%s/pf", root, addr) == 0 &&
	    rfmt(vfdrv, sizeof(vfdrv), "%s/.fake/%s/vf_driver", root, pf) == 0 &&
	    !strcmp(vfdrv, drv) &&
	    rfmt(prefix, sizeof(prefix), "%s/.fake/%s/vf_netdev_prefix", root, pf) == 0 &&
	    rfmt(buf, sizeof(buf), "%s/.fake/%s/index", root, addr) == 0) {
		char name[64], mac[32];
		unsigned idx = (unsigned)atoi(buf);

		P(name, "%s%u", prefix, idx);
		P(mac, "02:00:%02x:%02x:%02x:%02x", (unsigned)(strlen(pf) & 0xff),
		  (unsigned)(pf[6] & 0xff), (idx >> 8) & 0xff, idx & 0xff);
		r = add_netdev(root, addr, name, mac, NULL, -1);
	}
	return r;
}

static int do_unbind(const char *root, const char *addr)
{
	char dir[PATH_MAX], path[PATH_MAX], drv[PATH_MAX];
	ssize_t n;
	const char *base;

	devdir(dir, sizeof(dir), root, addr);
	P(path, "%s/driver", dir);
	n = readlink(path, drv, sizeof(drv) - 1);
	if (n < 0)
		return -ENODEV;
	drv[n] = '\0';
	base = strrchr(drv, '/');
	base = base ? base + 1 : drv;
	remove_netdevs(root, dir);
	unlink(path);
	P(path, "%s/bus/pci/drivers/%s/%s", root, base, addr);
	unlink(path);
	return 0;
}

static int pf_config_update(const char *root, const char *pf, unsigned num)
{
	char dir[PATH_MAX], path[PATH_MAX], buf[32];
	uint8_t cfg[4096];
	unsigned cap;
	int fd;
	ssize_t n;

	if (rfmt(buf, sizeof(buf), "%s/.fake/%s/cap_offset", root, pf) < 0)
		return 0;
	cap = (unsigned)strtoul(buf, NULL, 0);
	devdir(dir, sizeof(dir), root, pf);
	P(path, "%s/config", dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, cfg, sizeof(cfg), 0);
	if (n >= (ssize_t)(cap + 0x40)) {
		uint16_t ctrl = get16(cfg + cap + 8);

		ctrl = (uint16_t)(num ? (ctrl | 0x9) : (ctrl & ~0x9u));
		put16(cfg + cap + 8, ctrl);
		put16(cfg + cap + 0x10, (uint16_t)num);
		if (pwrite(fd, cfg + cap, 0x40, cap) != 0x40) {
			close(fd);
			return -EIO;
		}
	}
	close(fd);
	return 0;
}

static int vf_create(const char *root, const char *pf, const char *pfdir, unsigned i,
		     bool autoprobe)
{
	char vf[VITK_SRIOV_ADDR_MAX], dir[PATH_MAX], path[PATH_MAX], tgt[PATH_MAX], buf[128];
	char dom[8];
	unsigned off, stride, vfdev;
	uint8_t cfg[256];
	int r, group = -1;

	if (rfmt(buf, sizeof(buf), "%s/sriov_offset", pfdir) < 0)
		return -EIO;
	off = (unsigned)strtoul(buf, NULL, 10);
	rfmt(buf, sizeof(buf), "%s/sriov_stride", pfdir);
	stride = (unsigned)strtoul(buf, NULL, 10);
	rfmt(buf, sizeof(buf), "%s/sriov_vf_device", pfdir);
	vfdev = (unsigned)strtoul(buf, NULL, 16);
	if (vitk_sriov_vf_addr(vf, pf, off, stride, i) < 0)
		return -ERANGE;
	devdir(dir, sizeof(dir), root, vf);
	r = mkdir_p(dir);
	if (r < 0)
		return r;
	rfmt(buf, sizeof(buf), "%s/vendor", pfdir);
	wfmt(dir, "vendor", "%s\n", buf);
	wfmt(dir, "device", "0x%04x\n", vfdev);
	rfmt(buf, sizeof(buf), "%s/class", pfdir);
	wfmt(dir, "class", "%s\n", buf);
	wfmt(dir, "irq", "0\n");
	wfmt(dir, "revision", "0x01\n");
	rfmt(buf, sizeof(buf), "%s/numa_node", pfdir);
	wfmt(dir, "numa_node", "%s\n", buf);
	wfmt(dir, "driver_override", "(null)\n");
	wfmt(dir, "resource", "%s", "");
	/* a VF reads 0xffff as vendor and device ID in its own config space */
	memset(cfg, 0, sizeof(cfg));
	put32(cfg, 0xffffffffu);
	P(path, "%s/config", dir);
	wfile(path, cfg, sizeof(cfg));
	P(path, "%s/physfn", dir);
	P(tgt, "../%s", pf);
	unlink(path);
	if (symlink(tgt, path) < 0)
		return -errno;
	P(path, "%s/virtfn%u", pfdir, i);
	P(tgt, "../%s", vf);
	unlink(path);
	if (symlink(tgt, path) < 0)
		return -errno;
	domain_of(vf, dom);
	P(path, "%s/bus/pci/devices/%s", root, vf);
	P(tgt, "../../../devices/pci%s:00/%s", dom, vf);
	unlink(path);
	if (symlink(tgt, path) < 0)
		return -errno;
	if (rfmt(buf, sizeof(buf), "%s/.fake/%s/iommu_base", root, pf) == 0)
		group = atoi(buf) + 1 + (int)i;
	set_iommu(root, dir, group);
	P(path, "%s/.fake/%s", root, vf);
	mkdir_p(path);
	wfmt(path, "pf", "%s\n", pf);
	wfmt(path, "index", "%u\n", i);
	if (autoprobe && rfmt(buf, sizeof(buf), "%s/.fake/%s/vf_driver", root, pf) == 0 && buf[0])
		return do_bind(root, vf, buf);
	return 0;
}

static int vfs_disable(const char *root, const char *pf, const char *pfdir, unsigned n)
{
	unsigned i;
	DIR *d;
	struct dirent *e;
	char net[PATH_MAX];

	/* the PF driver forgets the VF settings (MAC, VLAN, ...) with the VFs */
	P(net, "%s/net", pfdir);
	d = opendir(net);
	while (d && (e = readdir(d)) != NULL) {
		char buf[32], path[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		if (rfmt(buf, sizeof(buf), "%s/net/%s/ifindex", pfdir, e->d_name) == 0) {
			P(path, "%s/.fake/nl/%s", root, buf);
			unlink(path);
		}
	}
	if (d)
		closedir(d);

	for (i = 0; i < n; i++) {
		char link[PATH_MAX], tgt[PATH_MAX], vfdir[PATH_MAX], path[PATH_MAX];
		ssize_t k;
		const char *vf;

		P(link, "%s/virtfn%u", pfdir, i);
		k = readlink(link, tgt, sizeof(tgt) - 1);
		if (k < 0)
			continue;
		tgt[k] = '\0';
		vf = strrchr(tgt, '/') ? strrchr(tgt, '/') + 1 : tgt;
		do_unbind(root, vf);
		devdir(vfdir, sizeof(vfdir), root, vf);
		rm_rf(vfdir);
		P(path, "%s/bus/pci/devices/%s", root, vf);
		unlink(path);
		P(path, "%s/.fake/%s", root, vf);
		rm_rf(path);
		unlink(link);
	}
	(void)pf;
	return 0;
}

static int parse_u(const char *buf, size_t len, unsigned long max, unsigned long *out)
{
	char tmp[32];
	char *end;

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	if (tmp[len - 1] == '\n')
		tmp[len - 1] = '\0';
	if (tmp[0] < '0' || tmp[0] > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(tmp, &end, 10);
	if (*end != '\0' || errno)
		return -EINVAL;
	if (*out > max)
		return -ERANGE;
	return 0;
}

/* sriov_numvfs_store() */
static int numvfs_store(const char *root, const char *pf, const char *buf, size_t len)
{
	char pfdir[PATH_MAX], v[64], path[PATH_MAX];
	unsigned long want;
	unsigned total, cur, limit = 0, i, n;
	bool autoprobe;
	int r;

	devdir(pfdir, sizeof(pfdir), root, pf);
	r = parse_u(buf, len, 0xffff, &want);
	if (r < 0)
		return r == -ERANGE ? -ERANGE : -EINVAL; /* kstrtou16 */
	rfmt(v, sizeof(v), "%s/sriov_totalvfs", pfdir);
	total = (unsigned)atoi(v);
	rfmt(v, sizeof(v), "%s/sriov_numvfs", pfdir);
	cur = (unsigned)atoi(v);
	if (want > total)
		return -ERANGE;
	if (want == cur)
		return 0;
	P(path, "%s/driver", pfdir);
	if (access(path, F_OK) < 0)
		return -ENOENT; /* no driver, or no sriov_configure */
	if (want == 0) {
		vfs_disable(root, pf, pfdir, cur);
		wfmt(pfdir, "sriov_numvfs", "0\n");
		return pf_config_update(root, pf, 0);
	}
	if (cur != 0)
		return -EBUSY;
	if (rfmt(v, sizeof(v), "%s/.fake/%s/max_enable", root, pf) == 0)
		limit = (unsigned)atoi(v);
	n = (limit && want > limit) ? limit : (unsigned)want;
	rfmt(v, sizeof(v), "%s/sriov_drivers_autoprobe", pfdir);
	autoprobe = atoi(v) != 0;
	for (i = 0; i < n; i++) {
		r = vf_create(root, pf, pfdir, i, autoprobe);
		if (r < 0) {
			vfs_disable(root, pf, pfdir, i + 1);
			return r == -ERANGE ? -ENOMEM : r;
		}
	}
	wfmt(pfdir, "sriov_numvfs", "%u\n", n);
	return pf_config_update(root, pf, n);
}

static int fail_check(const char *root, const char *attr)
{
	char path[PATH_MAX], buf[32];

	P(path, "%s/.fake/fail_%s", root, attr);
	if (rfile(path, buf, sizeof(buf)) < 0)
		return 0;
	unlink(path);
	return -atoi(buf);
}

static int fake_write(void *self, const char *path, const char *buf, size_t len)
{
	const char *root = self;
	size_t rl = strlen(root);
	char rel[PATH_MAX], val[128];
	char *parts[8];
	int np = 0, r;
	char *p, *save = NULL;
	const char *attr;

	if (strncmp(path, root, rl) != 0 || path[rl] != '/')
		return -ENOENT;
	P(rel, "%s", path + rl + 1);
	log_write(root, rel, buf, len);
	if (len >= sizeof(val))
		return -EINVAL;
	memcpy(val, buf, len);
	val[len] = '\0';
	if (len && val[len - 1] == '\n')
		val[len - 1] = '\0';
	attr = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	r = fail_check(root, attr);
	if (r < 0)
		return r;
	for (p = strtok_r(rel, "/", &save); p && np < 8; p = strtok_r(NULL, "/", &save))
		parts[np++] = p;
	if (np == 3 && !strcmp(parts[0], "bus") && !strcmp(parts[2], "drivers_probe")) {
		char dir[PATH_MAX], ov[64], pf[32], drv[64];

		devdir(dir, sizeof(dir), root, val);
		if (access(dir, F_OK) < 0)
			return -ENODEV;
		P(rel, "%s/driver", dir);
		if (access(rel, F_OK) == 0)
			return 0;
		if (rfmt(ov, sizeof(ov), "%s/driver_override", dir) == 0 && strcmp(ov, "(null)") &&
		    ov[0])
			return do_bind(root, val, ov) == -ENODEV ? 0 : 0;
		if (rfmt(pf, sizeof(pf), "%s/.fake/%s/pf", root, val) == 0 &&
		    rfmt(drv, sizeof(drv), "%s/.fake/%s/vf_driver", root, pf) == 0 && drv[0])
			do_bind(root, val, drv);
		return 0;
	}
	if (np == 5 && !strcmp(parts[2], "drivers") && !strcmp(parts[4], "bind"))
		return do_bind(root, val, parts[3]);
	if (np == 5 && !strcmp(parts[2], "drivers") && !strcmp(parts[4], "unbind"))
		return do_unbind(root, val);
	if (np >= 5 && !strcmp(parts[0], "bus") && !strcmp(parts[2], "devices")) {
		char dev[64], dir[PATH_MAX];

		fake_fmt(dev, sizeof(dev), "%s", parts[3]);
		devdir(dir, sizeof(dir), root, dev);
		if (access(dir, F_OK) < 0)
			return -ENOENT;
		if (np == 6 && !strcmp(parts[4], "driver") && !strcmp(parts[5], "unbind")) {
			if (strcmp(val, dev))
				return -ENODEV;
			return do_unbind(root, dev);
		}
		if (np != 5)
			return -ENOENT;
		if (!strcmp(parts[4], "sriov_numvfs")) {
			char nv[PATH_MAX];

			P(nv, "%s/sriov_numvfs", dir);
			if (access(nv, F_OK) < 0)
				return -ENOENT;
			return numvfs_store(root, dev, buf, len);
		}
		if (!strcmp(parts[4], "sriov_drivers_autoprobe")) {
			if (strcmp(val, "0") && strcmp(val, "1"))
				return -EINVAL;
			return wfmt(dir, "sriov_drivers_autoprobe", "%s\n", val);
		}
		if (!strcmp(parts[4], "driver_override")) {
			return wfmt(dir, "driver_override", "%s\n", val[0] ? val : "(null)");
		}
		{
			char other[PATH_MAX];

			P(other, "%s/%s", dir, parts[4]);
			return access(other, F_OK) == 0 ? -EACCES : -ENOENT;
		}
	}
	return -ENOENT;
}

void fake_sysfs_ops(vitk_sriov_sysfs_ops *ops, const char *root)
{
	ops->write = fake_write;
	ops->self = (void *)(uintptr_t)root;
}

int fake_sysfs_fail_next(const char *root, const char *attr, int err)
{
	char path[PATH_MAX], buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", err);

	P(path, "%s/.fake/fail_%s", root, attr);
	return wfile(path, buf, (size_t)n);
}

char *fake_sysfs_write_log(const char *root)
{
	char path[PATH_MAX];
	FILE *f;
	char *buf;
	long n;

	P(path, "%s/.fake/writes.log", root);
	f = fopen(path, "r");
	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

int fake_sysfs_remove(const char *root)
{
	return rm_rf(root);
}

int fake_sysfs_add_pf(const char *root, const fake_pf_spec *s)
{
	char dir[PATH_MAX], path[PATH_MAX], tgt[PATH_MAX], dom[8], meta[PATH_MAX];
	uint8_t cfg[4096];
	size_t clen = s->config_len ? s->config_len : 4096;
	unsigned cap = s->cap_offset ? s->cap_offset : 0x160;
	int r;

	if (clen > sizeof(cfg))
		return -EINVAL;
	r = fake_sysfs_init(root);
	if (r < 0)
		return r;
	devdir(dir, sizeof(dir), root, s->addr);
	r = mkdir_p(dir);
	if (r < 0)
		return r;
	wfmt(dir, "vendor", "0x%04x\n", s->vendor);
	wfmt(dir, "device", "0x%04x\n", s->device);
	wfmt(dir, "class", "0x%06x\n", s->class_code);
	wfmt(dir, "subsystem_vendor", "0x%04x\n", s->subsys_vendor);
	wfmt(dir, "subsystem_device", "0x%04x\n", s->subsys_device);
	wfmt(dir, "irq", "%d\n", 16 + (int)(strlen(s->addr) % 8));
	wfmt(dir, "revision", "0x01\n");
	wfmt(dir, "numa_node", "%d\n", s->numa_node);
	wfmt(dir, "driver_override", "(null)\n");
	wfmt(dir, "resource", "%s",
	     "0x00000000fb000000 0x00000000fb01ffff 0x0000000000040200\n"
	     "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
	fake_config_build(cfg, clen, s);
	P(path, "%s/config", dir);
	r = wfile(path, cfg, clen);
	if (r < 0)
		return r;
	domain_of(s->addr, dom);
	P(path, "%s/bus/pci/devices/%s", root, s->addr);
	P(tgt, "../../../devices/pci%s:00/%s", dom, s->addr);
	unlink(path);
	if (symlink(tgt, path) < 0)
		return -errno;
	set_iommu(root, dir, s->iommu_group);
	P(meta, "%s/.fake/%s", root, s->addr);
	mkdir_p(meta);
	if (s->sriov && !s->no_sriov_sysfs && s->broken == FAKE_BROKEN_NONE) {
		wfmt(dir, "sriov_totalvfs", "%u\n", s->total_vfs);
		wfmt(dir, "sriov_numvfs", "0\n");
		wfmt(dir, "sriov_offset", "%u\n", s->vf_offset);
		wfmt(dir, "sriov_stride", "%u\n", s->vf_stride);
		wfmt(dir, "sriov_vf_device", "%x\n", s->vf_device);
		wfmt(dir, "sriov_drivers_autoprobe", "1\n");
		wfmt(meta, "cap_offset", "0x%x\n", cap);
	}
	if (s->vf_driver)
		wfmt(meta, "vf_driver", "%s\n", s->vf_driver);
	if (s->vf_netdev_prefix)
		wfmt(meta, "vf_netdev_prefix", "%s\n", s->vf_netdev_prefix);
	if (s->max_enable)
		wfmt(meta, "max_enable", "%u\n", s->max_enable);
	wfmt(meta, "iommu_base", "%d\n", s->iommu_group < 0 ? 1000 : s->iommu_group * 1000);
	if (s->driver) {
		r = do_bind(root, s->addr, s->driver);
		if (r < 0)
			return r;
	}
	if (s->netdev) {
		r = add_netdev(root, s->addr, s->netdev, s->mac, s->phys_port_name, s->dev_port);
		if (r < 0)
			return r;
	}
	if (s->initial_num_vfs && s->sriov && !s->no_sriov_sysfs) {
		char v[16];
		int n = snprintf(v, sizeof(v), "%u", s->initial_num_vfs);

		/* the tree starts with the VFs on; the config was built with NumVFs set */
		P(path, "%s/sriov_numvfs", dir);
		(void)path;
		r = numvfs_store(root, s->addr, v, (size_t)n);
		if (r < 0)
			return r;
	}
	return 0;
}

void fake_fixture_82576(fake_pf_spec *s, const char *addr, const char *netdev)
{
	memset(s, 0, sizeof(*s));
	s->addr = addr;
	s->vendor = 0x8086;
	s->device = 0x10c9;
	s->class_code = 0x020000;
	s->subsys_vendor = 0x8086;
	s->subsys_device = 0xa03c;
	s->driver = "igb";
	s->netdev = netdev;
	s->mac = "00:1b:21:3a:5c:10";
	s->dev_port = 0;
	s->numa_node = 0;
	s->iommu_group = 14;
	s->sriov = true;
	s->cap_offset = 0x160;
	s->total_vfs = 8;
	s->initial_vfs = 8;
	s->vf_offset = 0x180;
	s->vf_stride = 2;
	s->vf_device = 0x10ca;
	s->vf_driver = "igbvf";
	s->vf_netdev_prefix = netdev ? netdev : NULL;
}

void fake_fixture_thunderx(fake_pf_spec *s, const char *addr, const char *netdev)
{
	memset(s, 0, sizeof(*s));
	s->addr = addr;
	s->vendor = 0x177d;
	s->device = 0xa01e;
	s->class_code = 0x020000;
	s->subsys_vendor = 0x177d;
	s->subsys_device = 0xa11e;
	s->driver = "thunder-nic";
	s->netdev = netdev;
	s->mac = "1c:1b:0d:00:00:01";
	s->dev_port = -1;
	s->numa_node = 1;
	s->iommu_group = 40;
	s->sriov = true;
	s->cap_offset = 0x180;
	s->total_vfs = 128;
	s->initial_vfs = 128;
	s->vf_offset = 1;
	s->vf_stride = 1;
	s->vf_device = 0xa034;
	s->ari = true;
	s->vf_driver = "thunder-nicvf";
	s->vf_netdev_prefix = NULL;
}

void fake_fixture_no_sriov(fake_pf_spec *s, const char *addr, const char *netdev)
{
	memset(s, 0, sizeof(*s));
	s->addr = addr;
	s->vendor = 0x8086;
	s->device = 0x1533; /* I210: no SR-IOV */
	s->class_code = 0x020000;
	s->subsys_vendor = 0x8086;
	s->subsys_device = 0x0001;
	s->driver = "igb";
	s->netdev = netdev;
	s->mac = "00:1b:21:aa:bb:cc";
	s->dev_port = 0;
	s->numa_node = 0;
	s->iommu_group = 20;
}

void fake_fixture_broken(fake_pf_spec *s, const char *addr, int how)
{
	fake_fixture_82576(s, addr, NULL);
	s->broken = how;
	s->driver = NULL;
	s->iommu_group = -1;
	s->numa_node = -1;
}
