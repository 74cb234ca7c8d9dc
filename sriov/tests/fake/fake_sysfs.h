/* SPDX-License-Identifier: MIT */
/*
 * A fake Linux PCI sysfs tree that reacts to writes like the kernel does
 * (drivers/pci/iov.c, drivers/pci/pci-sysfs.c, drivers/base/bus.c), for
 * tests, e2e runs and the benchmark.
 *
 * Layout under ROOT (ROOT stands in for /sys):
 *   devices/pci<dom>:00/<bdf>/{vendor,device,class,irq,config,resource,...}
 *   bus/pci/devices/<bdf> -> ../../../devices/pci<dom>:00/<bdf>
 *   bus/pci/drivers/<drv>/<bdf> -> device, bus/pci/drivers_probe
 *   class/net/<ifname> -> ../../devices/.../<bdf>/net/<ifname>
 *   kernel/iommu_groups/<n>
 *   .fake/<bdf>/...  the fake's own notes (VF driver, limits), so the fake
 *                    is stateless and works across processes
 * Reads are plain file reads; writes go through fake_sysfs_ops().
 */
#ifndef VITK_SRIOV_FAKE_SYSFS_H
#define VITK_SRIOV_FAKE_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitk/sriov.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { FAKE_BROKEN_NONE = 0, FAKE_BROKEN_LOOP = 1, FAKE_BROKEN_PTR = 2 };

typedef struct {
	const char *addr;          /* "0000:01:00.0" */
	uint16_t vendor;
	uint16_t device;
	uint32_t class_code;       /* 0x020000 */
	uint16_t subsys_vendor;
	uint16_t subsys_device;
	const char *driver;        /* PF driver, NULL: unbound */
	const char *netdev;        /* PF netdev, NULL: none */
	const char *mac;           /* PF MAC */
	const char *phys_port_name; /* NULL: absent */
	int dev_port;              /* -1: absent */
	int numa_node;             /* written as is (-1 = unknown) */
	int iommu_group;           /* -1: no group */
	/* SR-IOV capability (register values) */
	bool sriov;
	uint16_t cap_offset;       /* 0: 0x160 */
	uint16_t total_vfs;
	uint16_t initial_vfs;
	uint16_t vf_offset;
	uint16_t vf_stride;
	uint16_t vf_device;
	bool ari;
	bool no_sriov_sysfs;       /* driver lacks sriov_configure: no sriov_* files */
	const char *vf_driver;     /* what a VF binds to on autoprobe; NULL none */
	const char *vf_netdev_prefix; /* VF netdev = prefix + index when bound to vf_driver */
	unsigned max_enable;       /* driver enables at most this many (0: no limit) */
	unsigned config_len;       /* 0: 4096 */
	int broken;                /* FAKE_BROKEN_* */
	unsigned initial_num_vfs;  /* enable this many at build time */
} fake_pf_spec;

/** Build the config space bytes for @spec into @cfg (@len = 256 or 4096). */
void fake_config_build(uint8_t *cfg, size_t len, const fake_pf_spec *spec);

/** Create (or reopen) a tree at @root.  Returns 0 or -errno. */
int fake_sysfs_init(const char *root);
/** Add a PF (and enable spec->initial_num_vfs VFs).  Returns 0 or -errno. */
int fake_sysfs_add_pf(const char *root, const fake_pf_spec *spec);
/** Plain (non-SR-IOV) device helper: same as add_pf with sriov=false. */

/** The write ops; self must be the root string (kept by the caller). */
void fake_sysfs_ops(vitk_sriov_sysfs_ops *ops, const char *root);
/** Make the next write to attribute @attr (basename) fail with @err (errno). */
int fake_sysfs_fail_next(const char *root, const char *attr, int err);
/** The write log ("<path relative to root> <value>" lines), malloc'd. */
char *fake_sysfs_write_log(const char *root);
/** snprintf() that aborts on truncation (test paths are bounded by PATH_MAX). */
void fake_fmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** Remove the tree. */
int fake_sysfs_remove(const char *root);

/* Fixtures from real register values (docs/sriov.md, "SR-IOV extended capability"). */
void fake_fixture_82576(fake_pf_spec *s, const char *addr, const char *netdev);
void fake_fixture_thunderx(fake_pf_spec *s, const char *addr, const char *netdev);
void fake_fixture_no_sriov(fake_pf_spec *s, const char *addr, const char *netdev);
void fake_fixture_broken(fake_pf_spec *s, const char *addr, int how);

#ifdef __cplusplus
}
#endif

#endif
