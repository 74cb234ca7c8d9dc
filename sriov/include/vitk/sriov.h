/* SPDX-License-Identifier: MIT */
/*
 * vitk sriov: SR-IOV physical/virtual function discovery and control.
 *
 * Every filesystem root is a parameter (sysfs_root, persist root) and every
 * write to sysfs or rtnetlink goes through an injectable ops struct, so the
 * whole library runs against a fake tree in tests (sriov/README.md, "Seams").
 * Kernel, libvirt and ESXi behaviour relied on: docs/sriov.md.
 * The library never prints or exits and logs only through the optional
 * vitk_log() callback; libpci's error handler (which exits by default) is
 * replaced while libpci runs.  Workflows (discover, set-vfs, apply, plan,
 * attach, ESXi) return their results as documents (vitk_table / JSON, see
 * "documents" below); sriov/README.md maps the API.
 */
#ifndef VITK_SRIOV_H
#define VITK_SRIOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <vitk/common.h>
#include <vitk/inventory.h>
#include <vitk/table.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VITK_SRIOV_ADDR_MAX 16 /* "0000:01:00.0" + NUL, domains up to 4 hex digits */
#define VITK_SRIOV_NAME_MAX 64    /* longest accepted driver/host name + 1 */
#define VITK_SRIOV_IFNAME_MAX 16  /* IFNAMSIZ */
#define VITK_SRIOV_MAX_NETDEVS 4

/* ------------------------------------------------------------- seams */

/**
 * struct vitk_sriov_sysfs_ops - how the library writes sysfs attributes.
 * @write: write @len bytes of @buf to the attribute at absolute @path.
 *         Return 0, or a negative errno exactly as the kernel would give it.
 * Reads are plain file reads under sysfs_root; only writes need a seam because
 * plain files cannot react to them (a fake implements the kernel behaviour).
 */
typedef struct vitk_sriov_sysfs_ops {
	int (*write)(void *self, const char *path, const char *buf, size_t len);
	void *self;
} vitk_sriov_sysfs_ops;

/**
 * struct vitk_sriov_netlink_ops - one rtnetlink request/response exchange.
 * @transact: send the complete netlink message @req; on success store the
 *            reply messages (malloc'd, caller frees, may be NULL for a bare
 *            ack) in *@reply.  Return 0 or the negative errno carried by the
 *            kernel's NLMSG_ERROR (or by the socket).
 */
typedef struct vitk_sriov_netlink_ops {
	int (*transact)(void *self, const uint8_t *req, size_t req_len, uint8_t **reply,
			size_t *reply_len);
	void *self;
} vitk_sriov_netlink_ops;

/* ------------------------------------------------------------ context */

typedef struct vitk_sriov vitk_sriov;

typedef struct {
	const char *sysfs_root;                   /* NULL: "/sys" */
	const char *pci_ids;                      /* NULL: libpci's default ID database */
	const char *dump_file;                    /* lspci -xxxx capture: read-only discovery */
	const vitk_sriov_sysfs_ops *sysfs_ops;    /* NULL: real writes */
	const vitk_sriov_netlink_ops *netlink_ops; /* NULL: a real NETLINK_ROUTE socket */
	bool no_netlink;                          /* do not query VF state */
} vitk_sriov_options;
#define VITK_SRIOV_OPTIONS_INIT { .sysfs_root = NULL }

/**
 * vitk_sriov_open() - create a context.  The options are copied.
 * Return: 0, VITK_EINVAL, VITK_ENOMEM.  Free with vitk_sriov_free().
 */
int vitk_sriov_open(vitk_sriov **out, const vitk_sriov_options *opts);
/** vitk_sriov_free() - NULL ok. */
void vitk_sriov_free(vitk_sriov *ctx);
/** vitk_sriov_sysfs_root() - borrowed. */
const char *vitk_sriov_sysfs_root(const vitk_sriov *ctx);

/* -------------------------------------------------- SR-IOV capability */

#define VITK_SRIOV_EXT_CAP_ID 0x0010
#define VITK_SRIOV_CTRL_VFE 0x0001
#define VITK_SRIOV_CTRL_MSE 0x0008
#define VITK_SRIOV_CTRL_ARI 0x0010

typedef struct {
	uint16_t offset; /* of the capability in config space */
	uint8_t cap_version;
	uint32_t caps;
	uint16_t ctrl;
	uint16_t status;
	uint16_t initial_vfs;
	uint16_t total_vfs;
	uint16_t num_vfs;
	uint8_t fdl;
	uint16_t vf_offset;
	uint16_t vf_stride;
	uint16_t vf_device;
	uint32_t supported_page_sizes;
	uint32_t system_page_size;
	bool vf_enable;
	bool vf_mse;
	bool ari;
} vitk_sriov_cap;

/**
 * vitk_sriov_cap_parse() - find and decode the SR-IOV extended capability.
 * @cfg, @len: raw config space (little-endian registers as on the bus)
 * @what: the device name used in error messages
 *
 * Walks the classic list (needs a PCI Express capability) and the extended
 * chain from 0x100 with loop and pointer checks; never reads past @len.
 * Return: 0; VITK_ENOTFOUND (no SR-IOV, or no extended space);
 * VITK_EINVAL (malformed: message names the device and the field).
 */
int vitk_sriov_cap_parse(vitk_sriov_cap *out, const uint8_t *cfg, size_t len, const char *what);

/**
 * vitk_sriov_vf_addr() - the address of 0-based VF @index of PF @pf_addr from
 * First VF Offset and VF Stride (drivers/pci/iov.c arithmetic).
 * Return: 0, VITK_EINVAL (bad PF address), VITK_ERANGE (bus overflow).
 */
int vitk_sriov_vf_addr(char out[VITK_SRIOV_ADDR_MAX], const char *pf_addr, unsigned offset,
		       unsigned stride, unsigned index);

/** vitk_sriov_addr_normalize() - "1:0.0" / "01:00.0" -> "0000:01:00.0". */
int vitk_sriov_addr_normalize(char out[VITK_SRIOV_ADDR_MAX], const char *in);

/* ------------------------------------------------------------ VF state */

enum {
	VITK_SRIOV_LINK_AUTO = 0,
	VITK_SRIOV_LINK_ENABLE = 1,
	VITK_SRIOV_LINK_DISABLE = 2
};

/* The VF settings kept by the PF driver (rtnetlink IFLA_VF_*). */
typedef struct {
	uint32_t vf;
	bool has_mac;
	uint8_t mac[6];
	bool has_vlan;
	uint32_t vlan;
	uint32_t qos;
	uint16_t vlan_proto; /* host order: 0x8100 or 0x88a8 */
	bool has_spoofchk;
	bool spoofchk;
	bool has_trust;
	bool trust;
	bool has_link_state;
	uint32_t link_state;
	bool has_rate;
	uint32_t min_tx_rate; /* Mbit/s */
	uint32_t max_tx_rate;
} vitk_sriov_vf_state;
#define VITK_SRIOV_VF_STATE_INIT { .vf = 0 }

/** Parse "aa:bb:cc:dd:ee:ff".  Return 0 or VITK_EINVAL. */
int vitk_sriov_mac_parse(uint8_t mac[6], const char *s);
void vitk_sriov_mac_format(char out[18], const uint8_t mac[6]);
/** "auto" / "enable" / "disable" -> VITK_SRIOV_LINK_*; -1 if unknown. */
int vitk_sriov_link_state_parse(const char *s);
const char *vitk_sriov_link_state_str(uint32_t state);

/* --------------------------------------------------------- discovery */

/*
 * Discovery results.  Every string is owned by the struct (NULL when the
 * value is unknown or absent unless noted) and released with the list or PF
 * that holds it: vitk_sriov_pf_free(), vitk_sriov_pf_list_free().
 */
typedef struct {
	char *addr;                              /* never NULL */
	unsigned int index;
	char *driver;                            /* NULL when unbound */
	char *driver_override;
	char *netdev;                            /* NULL when none */
	bool present;                            /* the device directory exists */
	bool host_used;                          /* its netdev is up on the host */
	bool has_state;
	vitk_sriov_vf_state state;
	char *domain;                            /* libvirt domain using it, NULL if none */
} vitk_sriov_vf_info;

typedef struct {
	char *addr;      /* never NULL */
	uint16_t vendor_id;
	uint16_t device_id;
	uint32_t class_code;
	char *vendor_name;
	char *device_name;
	char *driver;
	size_t n_netdevs; /* at most VITK_SRIOV_MAX_NETDEVS */
	char **netdevs;
	char *phys_port_name;
	int dev_port;    /* -1 unknown */
	int numa_node;   /* -1 unknown */
	int iommu_group; /* -1 none */
	char *adapter;   /* "dddd:bb:dd": the physical card; never NULL */
	bool has_cap;
	vitk_sriov_cap cap;
	bool has_sysfs;  /* sriov_* attributes present (a driver with SR-IOV support) */
	unsigned sysfs_totalvfs;
	unsigned sysfs_numvfs;
	unsigned sysfs_offset;
	unsigned sysfs_stride;
	uint16_t sysfs_vf_device;
	int autoprobe;   /* sriov_drivers_autoprobe, -1 unknown */
	char *mismatch;  /* cross-check findings, NULL when consistent */
	bool vfs_from_links; /* VF list came from virtfnN, else offset/stride */
	size_t n_vfs;
	vitk_sriov_vf_info *vfs;
} vitk_sriov_pf_info;

typedef struct {
	vitk_sriov_pf_info *items;
	size_t count;
} vitk_sriov_pf_list;

#define VITK_SRIOV_SCAN_NO_VF_STATE 0x1u /* skip netlink */
#define VITK_SRIOV_SCAN_NO_NAMES 0x2u    /* skip the ID database */

/**
 * vitk_sriov_scan() - every SR-IOV capable PF (sorted by address) with its VFs.
 * Uses libpci (sysfs method with sysfs.path under sysfs_root, or the dump
 * method when dump_file is set) plus the sysfs attributes.
 * @out: owned; free with vitk_sriov_pf_list_free().
 * Return: 0, VITK_EIO, VITK_EINVAL (a malformed device, message names it).
 */
int vitk_sriov_scan(vitk_sriov_pf_list **out, vitk_sriov *ctx, unsigned flags);

/**
 * vitk_sriov_pf_get() - one PF.  @addr may be short ("01:00.0").
 * Return: 0; VITK_ENOTFOUND (no such device); VITK_ENOTSUP (not SR-IOV
 * capable); VITK_EINVAL.  @out owned, free with vitk_sriov_pf_free().
 */
int vitk_sriov_pf_get(vitk_sriov_pf_info **out, vitk_sriov *ctx, const char *addr, unsigned flags);
void vitk_sriov_pf_free(vitk_sriov_pf_info *pf);
/** vitk_sriov_pf_clear() - free what @pf owns (strings, VFs) and zero it; not @pf itself. */
void vitk_sriov_pf_clear(vitk_sriov_pf_info *pf);
void vitk_sriov_pf_list_free(vitk_sriov_pf_list *list);
/** Find a VF anywhere in @list (borrowed), setting *pf_out to its PF.  NULL if none. */
const vitk_sriov_vf_info *vitk_sriov_pf_list_find_vf(const vitk_sriov_pf_list *list,
						     const char *vf_addr,
						     const vitk_sriov_pf_info **pf_out);

/* --------------------------------------------------------- taken VFs */

/*
 * vitk_sriov_taken - a set of VF addresses that must not be changed or
 * planned, each with a reason ("excluded (host use)", "attached to domain
 * 'vm1'", "used by running domain 'vm2'", ...).  Opaque.  Insertion order is
 * kept; adding a VF that is already in the set keeps its first reason.
 */
typedef struct vitk_sriov_taken vitk_sriov_taken;

/** vitk_sriov_taken_new() - an empty set.  Return: 0, VITK_ENOMEM. */
int vitk_sriov_taken_new(vitk_sriov_taken **out);
/** vitk_sriov_taken_free() - NULL ok. */
void vitk_sriov_taken_free(vitk_sriov_taken *t);
/**
 * vitk_sriov_taken_add() - add @vf with @reason (NULL: "taken"); both copied.
 * Return: 0 (also when @vf is already there), VITK_EINVAL (empty @vf),
 * VITK_ENOMEM (the set is unchanged).
 */
int vitk_sriov_taken_add(vitk_sriov_taken *t, const char *vf, const char *reason);
/** vitk_sriov_taken_merge() - add every entry of @from (NULL ok), in order. */
int vitk_sriov_taken_merge(vitk_sriov_taken *t, const vitk_sriov_taken *from);
/** vitk_sriov_taken_lookup() - the reason @vf is taken (borrowed), NULL if it is not. */
const char *vitk_sriov_taken_lookup(const vitk_sriov_taken *t, const char *vf);
/** vitk_sriov_taken_count() - entries in @t (NULL: 0). */
size_t vitk_sriov_taken_count(const vitk_sriov_taken *t);
/**
 * vitk_sriov_taken_get() - entry @i (insertion order): the VF address, and its
 * reason in *@reason (optional).  Both borrowed.  NULL when @i >= count.
 */
const char *vitk_sriov_taken_get(const vitk_sriov_taken *t, size_t i, const char **reason);

/* What to discover, and where to record it. */
typedef struct {
	const char *uri;       /* libvirt node devices on this URI instead of sysfs; NULL: sysfs */
	const char *pf;        /* only this PF (short address ok); NULL: all PFs */
	unsigned flags;        /* VITK_SRIOV_SCAN_* (sysfs and dumps only) */
	vitk_inventory *inv;   /* annotate VFs with their domains and record the scan; NULL: none */
	int64_t host_id;
} vitk_sriov_discover_request;

/**
 * vitk_sriov_discover() - the PFs (and VFs) of this host: from sysfs or the
 * lspci capture @ctx was opened with, or from libvirt's node devices on
 * @q->uri (then @ctx may be NULL).  A local sysfs scan is annotated with the
 * inventory's assignments and recorded in it; a failure to record is logged
 * as a warning (vitk_log()), not returned.  @out owned.
 * Return: 0, VITK_ENOTFOUND (no such PF), VITK_ENOTSUP, VITK_EINVAL, VITK_EIO.
 */
int vitk_sriov_discover(vitk_sriov_pf_list **out, vitk_sriov *ctx,
			const vitk_sriov_discover_request *q);

/* ----------------------------------------------------------- control */

#define VITK_SRIOV_SET_NO_AUTOPROBE 0x1u /* write sriov_drivers_autoprobe=0 first */
#define VITK_SRIOV_SET_FORCE 0x2u        /* ignore VFs in use */

/**
 * vitk_sriov_pf_set_num_vfs() - change the VF count of PF @addr.
 * Writes 0 first when changing N->M (the kernel's EBUSY rule), reads back
 * and stores the count the driver really enabled in *@actual.  @in_use (NULL
 * ok) holds the VFs used by domains (vitk_sriov_in_use()); changing the count
 * is refused (VITK_EBUSY) if any of the PF's VFs is in it, unless
 * VITK_SRIOV_SET_FORCE.
 * Return: 0, VITK_ENOTFOUND, VITK_ENOTSUP, VITK_ERANGE, VITK_EBUSY, VITK_ENOMEM, VITK_EIO.
 */
int vitk_sriov_pf_set_num_vfs(vitk_sriov *ctx, const char *addr, unsigned n, unsigned flags,
			      const vitk_sriov_taken *in_use, unsigned *actual);

/**
 * vitk_sriov_vf_bind() - bind VF @addr to @driver ("vfio-pci", any driver
 * name) or give it back to the host ("host": clear driver_override, probe).
 * Uses driver_override, unbind, drivers_probe; reads the result back.
 * Return: 0, VITK_ENOTFOUND, VITK_EIO (driver did not take it).
 */
int vitk_sriov_vf_bind(vitk_sriov *ctx, const char *addr, const char *driver);

/** VF settings to apply; has_* selects what is changed. */
typedef vitk_sriov_vf_state vitk_sriov_vf_config;

/**
 * vitk_sriov_vf_configure() - set VF @vf of PF @pf_addr through the PF's
 * netdev (RTM_SETLINK, IFLA_VFINFO_LIST built with libnl).
 * Return: 0, VITK_ENOTFOUND (no PF netdev), VITK_EIO (kernel error in message).
 */
int vitk_sriov_vf_configure(vitk_sriov *ctx, const char *pf_addr, const vitk_sriov_vf_config *cfg);

/**
 * vitk_sriov_vf_query() - the VF states of netdev @ifname (RTM_GETLINK with
 * RTEXT_FILTER_VF).  @out: malloc'd array (free()), *@n entries.
 */
int vitk_sriov_vf_query(vitk_sriov *ctx, const char *ifname, vitk_sriov_vf_state **out, size_t *n);

/* ----------------------------------------------------- desired state */

typedef struct {
	unsigned int index;
	bool has_mac;
	uint8_t mac[6];
	bool has_vlan;
	uint32_t vlan;
	uint32_t qos;
	bool has_trust;
	bool trust;
	bool has_spoofchk;
	bool spoofchk;
	char *driver; /* NULL keep, "vfio-pci", "host" */
} vitk_sriov_desired_vf;

typedef struct {
	char *pf;
	unsigned num_vfs;
	int autoprobe; /* -1 leave, 0, 1 */
	char *driver;  /* default for all VFs: NULL keep, "vfio-pci", "host" */
	size_t n_vfs;
	vitk_sriov_desired_vf *vfs;
} vitk_sriov_desired_pf;

typedef struct {
	size_t n_pfs;
	vitk_sriov_desired_pf *pfs;
	size_t n_exclude;
	char **exclude; /* VFs never handed to VMs (host use) */
} vitk_sriov_desired;

/** Parse the desired-state JSON document.  @out owned: vitk_sriov_desired_free(). */
int vitk_sriov_desired_from_json(vitk_sriov_desired **out, const char *json, size_t len);
/** Serialise (stable key order); *@out malloc'd NUL-terminated. */
int vitk_sriov_desired_to_json(char **out, const vitk_sriov_desired *d);
void vitk_sriov_desired_free(vitk_sriov_desired *d);

typedef struct {
	char *subject; /* PF or VF address */
	char *action;  /* "set-num-vfs", "bind", "vf-config", "autoprobe", "inspect" */
	char *detail;  /* "" when there is nothing to add */
	int result;    /* 0 ok, negative vitk_err */
	char *error;   /* NULL when result is 0 */
} vitk_sriov_change;

typedef struct {
	size_t count;
	vitk_sriov_change *items;
} vitk_sriov_change_list;
void vitk_sriov_change_list_free(vitk_sriov_change_list *l);

#define VITK_SRIOV_APPLY_DRY_RUN 0x1u
#define VITK_SRIOV_APPLY_FORCE 0x2u /* change VF counts even under domains */

/**
 * vitk_sriov_apply() - converge the host to @d.  Compares every setting with
 * the discovered state and changes only what differs, so a second run
 * returns an empty list.  Returns the first failure but attempts the rest.
 * @in_use (NULL ok): VFs used by domains, as for vitk_sriov_pf_set_num_vfs().
 */
int vitk_sriov_apply(vitk_sriov_change_list **out, vitk_sriov *ctx, const vitk_sriov_desired *d,
		     unsigned flags, const vitk_sriov_taken *in_use);

typedef struct {
	const char *root;      /* "" or "/" for the real system; tests use a temp dir */
	const char *vitk_path; /* ExecStart binary, NULL: /usr/bin/vitk */
	const char *db_path;   /* --db for the unit; NULL: default */
	const char *sysfs_root; /* NULL: default */
	const char *unit_name; /* NULL: vitk-sriov.service */
} vitk_sriov_persist_options;
#define VITK_SRIOV_PERSIST_OPTIONS_INIT { .root = NULL }

/**
 * vitk_sriov_persist() - write <root>/etc/systemd/system/<unit> (oneshot,
 * `vitk sriov apply` at boot, Before=libvirtd.service, After/Wants
 * network-online.target) and enable it with a multi-user.target.wants link.
 * *@unit_path (optional, malloc'd) gets the unit file path.
 */
int vitk_sriov_persist(const vitk_sriov_persist_options *o, char **unit_path);

/* ----------------------------------------------------------- planner */

typedef enum {
	VITK_SRIOV_NUMA_NONE = 0,
	VITK_SRIOV_NUMA_PREFERRED = 1,
	VITK_SRIOV_NUMA_REQUIRED = 2
} vitk_sriov_numa_policy;

typedef struct {
	const char *vm;
	unsigned count;
	int numa_node; /* -1 any */
	vitk_sriov_numa_policy policy;
	int vlan;      /* -1 none */
	/* VFs that must not be chosen, with the reason (vitk_sriov_unavailable()); NULL: none */
	const vitk_sriov_taken *taken;
} vitk_sriov_plan_request;
#define VITK_SRIOV_PLAN_REQUEST_INIT                                                               \
	{ .count = 2, .numa_node = -1, .policy = VITK_SRIOV_NUMA_PREFERRED, .vlan = -1 }

typedef struct {
	char *vf;
	char *pf;
	char *adapter;
	unsigned vf_index;
	int numa_node;
	char *pf_netdev; /* NULL when the PF has none */
} vitk_sriov_plan_pick;

typedef struct {
	size_t n_picks;
	vitk_sriov_plan_pick *picks;
	size_t n_notes;
	char **notes;    /* every choice and rejection, in order */
	size_t n_warnings;
	char **warnings; /* shared PF / adapter, NUMA fallback */
} vitk_sriov_plan;

/**
 * vitk_sriov_plan_compute() - choose @req->count VFs from @pfs.  Pure and
 * deterministic.  Return: 0; VITK_ENOTFOUND when not enough VFs qualify
 * (the plan still carries the notes explaining why).
 */
int vitk_sriov_plan_compute(vitk_sriov_plan **out, const vitk_sriov_pf_list *pfs,
			    const vitk_sriov_plan_request *req);
void vitk_sriov_plan_free(vitk_sriov_plan *p);

/* ----------------------------------------------------------- inventory */

/** vitk_sriov_inventory_register() - create/upgrade the sriov tables in @inv. */
int vitk_sriov_inventory_register(vitk_inventory *inv);

/** Record a scan (PF and VF rows; history rows for changes). */
int vitk_sriov_inventory_record_scan(vitk_inventory *inv, int64_t host_id,
				     const vitk_sriov_pf_list *pfs);
/** Store @d as the host's desired state (replaces the previous one). */
int vitk_sriov_inventory_save_desired(vitk_inventory *inv, int64_t host_id,
				      const vitk_sriov_desired *d);
/** Load the host's desired state (empty document when none). */
int vitk_sriov_inventory_load_desired(vitk_sriov_desired **out, vitk_inventory *inv,
				      int64_t host_id);
/** Append a history event. */
int vitk_sriov_inventory_history(vitk_inventory *inv, int64_t host_id, const char *event,
				 const char *subject, const char *detail);

/**
 * vitk_sriov_inventory_taken() - add the VFs that must not be planned to @t:
 * excluded (host use), attached to domains, reserved for another VM.
 * Reservations of @except_vm (may be NULL) are not counted, so re-planning a
 * VM is stable.
 */
int vitk_sriov_inventory_taken(vitk_sriov_taken *t, vitk_inventory *inv, int64_t host_id,
			       const char *except_vm);
/** vitk_sriov_inventory_in_use() - add the VFs recorded as attached to domains to @t. */
int vitk_sriov_inventory_in_use(vitk_sriov_taken *t, vitk_inventory *inv, int64_t host_id);

/**
 * vitk_sriov_inventory_reserve() - record @plan as reservation @plan_id for
 * @vm (replacing the VM's previous reservations) and a history event.
 */
int vitk_sriov_inventory_reserve(vitk_inventory *inv, int64_t host_id, const char *plan_id,
				 const char *vm, int vlan, const vitk_sriov_plan *plan);
/* The VFs reserved by one plan. */
typedef struct {
	char *vm;     /* the VM the plan was made for */
	int vlan;     /* -1 none */
	size_t n_vfs;
	char **vfs;   /* VF addresses */
} vitk_sriov_reservation;
void vitk_sriov_reservation_free(vitk_sriov_reservation *r);
/** The reservation @plan_id (or the reservation of VM @plan_id).  @out owned. */
int vitk_sriov_inventory_plan_get(vitk_sriov_reservation **out, vitk_inventory *inv,
				  int64_t host_id, const char *plan_id);
/**
 * vitk_sriov_inventory_mac() - the stable MAC of @vf in @domain: the desired
 * state's MAC if any, else the stored one, else a new one that is stored.
 */
int vitk_sriov_inventory_mac(char out[18], vitk_inventory *inv, int64_t host_id,
			     const char *domain, const char *vf);
/** Record an attach (@attached) or detach of @vf for @domain. */
int vitk_sriov_inventory_assign(vitk_inventory *inv, int64_t host_id, const char *vf,
				const char *domain, const char *uri, const char *mac, int vlan,
				bool attached);
/** Fill vf->domain from the recorded assignments. */
int vitk_sriov_inventory_annotate(vitk_inventory *inv, int64_t host_id, vitk_sriov_pf_list *pfs);

/* ---------------------------------------------------------- libvirt */

/**
 * vitk_sriov_interface_xml() - `<interface type='hostdev' managed='yes'>` for
 * VF @vf_addr with @mac (required) and @vlan (-1 none).  *@out malloc'd.
 */
int vitk_sriov_interface_xml(char **out, const char *vf_addr, const char *mac, int vlan);

/** A stable locally administered MAC derived from @seed (52:54:00 is QEMU's; we use 02:xx). */
void vitk_sriov_mac_generate(char out[18], const char *seed);

#define VITK_SRIOV_AFFECT_LIVE 0x1u
#define VITK_SRIOV_AFFECT_CONFIG 0x2u

/* A libvirt connection (opaque).  The test:/// driver keeps state per connection. */
typedef struct vitk_sriov_virt vitk_sriov_virt;
/** Connect to @uri (NULL: libvirt's default).  libvirt's stderr printing is silenced. */
int vitk_sriov_virt_open(vitk_sriov_virt **out, const char *uri);
void vitk_sriov_virt_free(vitk_sriov_virt *v);

/**
 * vitk_sriov_libvirt_attach() / _detach() - attach the interface XML to
 * domain @domain, or detach the interface whose source is @vf_addr.  When the
 * driver has no device attach (the test driver) and only CONFIG is asked, the
 * persistent definition is edited and redefined instead (docs/sriov.md, "libvirt").
 */
int vitk_sriov_libvirt_attach(vitk_sriov_virt *v, const char *domain, const char *xml,
			      unsigned flags);
int vitk_sriov_libvirt_detach(vitk_sriov_virt *v, const char *domain, const char *vf_addr,
			      unsigned flags);
/** The domain's XML (inactive definition when @inactive).  *@out malloc'd. */
int vitk_sriov_libvirt_domain_xml(char **out, vitk_sriov_virt *v, const char *domain,
				  bool inactive);
/**
 * vitk_sriov_libvirt_vfs_in_use() - add the PCI devices given to running
 * domains (<interface type='hostdev'> and <hostdev type='pci'> sources) to
 * @t, with the reason "used by running domain 'NAME'".
 */
int vitk_sriov_libvirt_vfs_in_use(vitk_sriov_taken *t, vitk_sriov_virt *v);
/** PFs and VFs from libvirt's node devices (virt_functions capabilities). */
int vitk_sriov_libvirt_nodedev_scan(vitk_sriov_pf_list **out, vitk_sriov_virt *v);

/* ------------------------------------------- in-use rule and attach */

/**
 * vitk_sriov_in_use() - the VFs used by domains: those the inventory records
 * as attached, then (when @uri is not NULL) the PCI devices of the domains
 * running on libvirt @uri.  This is the set that vitk_sriov_pf_set_num_vfs()
 * and vitk_sriov_apply() refuse to pull from under a domain.  @out owned.
 */
int vitk_sriov_in_use(vitk_sriov_taken **out, vitk_inventory *inv, int64_t host_id,
		      const char *uri);
/**
 * vitk_sriov_unavailable() - the VFs the planner must not choose for VM @vm:
 * excluded, attached, reserved for another VM (vitk_sriov_inventory_taken()),
 * then the devices of the domains running on @uri (NULL: libvirt not asked).
 */
int vitk_sriov_unavailable(vitk_sriov_taken **out, vitk_inventory *inv, int64_t host_id,
			   const char *vm, const char *uri);

typedef struct {
	const char *domain; /* required */
	const char *vf;     /* one VF, or ... */
	const char *plan;   /* ... the VFs of a reservation (plan ID or VM name) */
	int vlan;           /* -1: the reservation's VLAN (none for a single VF) */
	const char *uri;    /* libvirt URI; NULL: libvirt's default */
	unsigned flags;     /* VITK_SRIOV_AFFECT_* */
} vitk_sriov_attach_request;
#define VITK_SRIOV_ATTACH_REQUEST_INIT { .vlan = -1 }

typedef struct {
	char *domain;
	char *vf;
	char *mac;
	int vlan; /* -1 none */
} vitk_sriov_attachment;

typedef struct {
	size_t count;
	vitk_sriov_attachment *items; /* the VFs attached, in order */
	size_t n_warnings;
	char **warnings; /* e.g. the plan was made for another VM */
} vitk_sriov_attach_result;
void vitk_sriov_attach_result_free(vitk_sriov_attach_result *r);

/**
 * vitk_sriov_attach() - attach one VF or a reservation's VFs to a domain:
 * for each VF the stable MAC (vitk_sriov_inventory_mac()), the interface XML,
 * the libvirt attach, and the assignment record.  Stops at the first failure
 * (message "cannot attach VF to 'DOMAIN': ..."); *@out then still holds the
 * VFs attached so far and the warnings (NULL only when nothing was started).
 */
int vitk_sriov_attach(vitk_sriov_attach_result **out, vitk_inventory *inv, int64_t host_id,
		      const vitk_sriov_attach_request *req);
/**
 * vitk_sriov_detach() - detach @vf from @domain on libvirt @uri (NULL: the
 * default) and record it.  Message on failure: "cannot detach VF from 'DOMAIN': ...".
 */
int vitk_sriov_detach(vitk_inventory *inv, int64_t host_id, const char *uri, const char *domain,
		      const char *vf, unsigned flags);

/* ------------------------------------------------------------- ESXi */

typedef struct {
	char *name;            /* vmnic4 */
	char *addr;            /* PF PCI address */
	char *driver;
	uint16_t vendor_id;
	uint16_t device_id;    /* PF */
	uint16_t vf_device_id; /* 0 unknown */
	unsigned vf_offset;    /* for the VF addresses; 0 unknown */
	unsigned vf_stride;
	unsigned max_vfs;      /* desired */
} vitk_sriov_esxi_port;

typedef struct {
	char *host;        /* NULL unknown */
	char *system_uuid; /* NULL unknown */
	size_t n_ports;
	vitk_sriov_esxi_port *ports;
} vitk_sriov_esxi_host;

/** JSON host description -> host.  @out owned: vitk_sriov_esxi_host_free(). */
int vitk_sriov_esxi_host_from_json(vitk_sriov_esxi_host **out, const char *json, size_t len);
/** Parse `esxcli network sriovnic list` text output (outside bytes). */
int vitk_sriov_esxi_parse_sriovnic_list(vitk_sriov_esxi_host **out, const char *text, size_t len);
void vitk_sriov_esxi_host_free(vitk_sriov_esxi_host *h);
/**
 * vitk_sriov_esxi_host_enrich() - fill the ports' vendor/device IDs, VF device
 * ID, First VF Offset and VF Stride from PFs discovered in an `lspci -xxxx`
 * capture of that host (matched by PCI address).  Return: the number of
 * ports enriched (>= 0).
 */
int vitk_sriov_esxi_host_enrich(vitk_sriov_esxi_host *h, const vitk_sriov_pf_list *pfs);
/** Set the host's name (checked: letters, digits, '_', '-', '.'; below VITK_SRIOV_NAME_MAX). */
int vitk_sriov_esxi_host_set_name(vitk_sriov_esxi_host *h, const char *name);
/** Set the host's system UUID (checked: 8-4-4-4-12 hex). */
int vitk_sriov_esxi_host_set_uuid(vitk_sriov_esxi_host *h, const char *uuid);

typedef struct {
	char *driver;
	char *command;
	size_t n_ports;
	char **ports; /* "vmnic4 (0000:03:00.0)" */
} vitk_sriov_esxi_cmd;

/**
 * vitk_sriov_esxi_max_vfs() - one esxcli command per driver, ports in PCI
 * order.  *@out: *@n commands, free with vitk_sriov_esxi_cmds_free().
 */
int vitk_sriov_esxi_max_vfs(vitk_sriov_esxi_cmd **out, size_t *n, const vitk_sriov_esxi_host *h);
void vitk_sriov_esxi_cmds_free(vitk_sriov_esxi_cmd *cmds, size_t n);

/**
 * vitk_sriov_inventory_esxi_save() - record an ESXi host (kind "esxi",
 * machine_id = its system UUID when known, else its name) and its ports as
 * sriov_pf rows (netdev = vmnic, num_vfs = max_vfs, VF IDs/offset/stride).
 */
int vitk_sriov_inventory_esxi_save(vitk_inventory *inv, const vitk_sriov_esxi_host *h,
				   int64_t *host_id);
/** Load an ESXi host recorded by _esxi_save() (by name, machine-id or id). */
int vitk_sriov_inventory_esxi_load(vitk_sriov_esxi_host **out, vitk_inventory *inv,
				   const char *host);

/* .vmx forms (docs/sriov.md, "ESXi") */
typedef enum {
	VITK_SRIOV_VMX_51 = 1, /* a PCI passthrough device (VMs of ESXi 5.1) */
	VITK_SRIOV_VMX_55 = 2  /* the SR-IOV passthrough adapter (ESXi 5.5 and later) */
} vitk_sriov_vmx_form;

/**
 * vitk_sriov_esxi_vmx() - the .vmx passthrough stanza for VF @vf_index of port
 * @port, slot pciPassthru<@slot>.  5.1: a PCI device with deviceId/vendorId/
 * systemId/id; 5.5+: the SR-IOV passthrough adapter (pfId, networkName).
 * *@out malloc'd.
 */
int vitk_sriov_esxi_vmx(char **out, const vitk_sriov_esxi_host *h, const char *port,
			unsigned vf_index, unsigned slot, vitk_sriov_vmx_form form,
			const char *network);

/* -------------------------------------------------------- workflows */

/*
 * Where a workflow looks and what it records: the host's inventory (NULL: no
 * records, nothing taken from it) and a libvirt URI whose running domains
 * count as VF users (NULL: libvirt is not asked).  A failure to record a
 * history event is logged as a warning (vitk_log()), not returned.
 */
typedef struct {
	vitk_inventory *inv;
	int64_t host_id;
	const char *uri;
} vitk_sriov_site;

/**
 * vitk_sriov_is_vf() - whether @addr (normalised) is a virtual function in
 * the sysfs tree of @ctx (it has a physfn link).
 */
bool vitk_sriov_is_vf(vitk_sriov *ctx, const char *addr);

/**
 * vitk_sriov_set_vfs() - set the VF count of PF @pf, refusing to pull VFs
 * from under domains (vitk_sriov_in_use() of @site) unless
 * VITK_SRIOV_SET_FORCE, and record a "set-vfs" event.  *@actual: the count
 * the driver enabled.
 */
int vitk_sriov_set_vfs(vitk_sriov *ctx, const vitk_sriov_site *site, const char *pf, unsigned n,
		       unsigned flags, unsigned *actual);

#define VITK_SRIOV_RATE_MAX 0x1u /* the request sets max_tx_rate */
#define VITK_SRIOV_RATE_MIN 0x2u /* the request sets min_tx_rate */

/**
 * vitk_sriov_vf_set() - vitk_sriov_vf_configure() for VF @cfg->vf of PF @pf,
 * and a "vf-set" event.  IFLA_VF_RATE carries both rates: the one not named
 * in @rates (VITK_SRIOV_RATE_*) keeps its current value.
 */
int vitk_sriov_vf_set(vitk_sriov *ctx, const vitk_sriov_site *site, const char *pf,
		      const vitk_sriov_vf_config *cfg, unsigned rates);

/** vitk_sriov_bind_vf() - vitk_sriov_vf_bind() and a "bind" event. */
int vitk_sriov_bind_vf(vitk_sriov *ctx, const vitk_sriov_site *site, const char *vf,
		       const char *driver);

/**
 * vitk_sriov_import_desired() - read the desired-state JSON file @path and
 * store it as the host's desired state in @site->inv.
 */
int vitk_sriov_import_desired(const vitk_sriov_site *site, const char *path);
/** vitk_sriov_export_desired() - the host's stored desired state as a JSON document. */
int vitk_sriov_export_desired(json_t **out, const vitk_sriov_site *site);

/** vitk_sriov_persist_unit() - vitk_sriov_persist() and a "persist" event; *@unit_path required. */
int vitk_sriov_persist_unit(const vitk_sriov_site *site, const vitk_sriov_persist_options *o,
			    char **unit_path);

/**
 * vitk_sriov_apply_desired() - converge the host to its stored desired state:
 * vitk_sriov_apply() with the VFs in use on @site, a history event per change
 * (not for a dry run), then the host's new state recorded.  VITK_ENOTFOUND
 * when no desired state is stored and @allow_empty is false.  Like
 * vitk_sriov_apply(), *@out holds the changes even when one failed.
 */
int vitk_sriov_apply_desired(vitk_sriov_change_list **out, vitk_sriov *ctx,
			     const vitk_sriov_site *site, unsigned flags, bool allow_empty);

/* A plan as the planner's result and its reservation. */
typedef struct {
	vitk_sriov_plan *plan;
	char *plan_id; /* "p-xxxxxxxx"; NULL when not reserved */
	char *vm;
	int vlan;      /* -1 none */
} vitk_sriov_vm_plan;
void vitk_sriov_vm_plan_free(vitk_sriov_vm_plan *p);

/**
 * vitk_sriov_plan_vm() - discover the host's VFs (recorded in @site->inv),
 * take out those unavailable for @req->vm (vitk_sriov_unavailable()), plan,
 * and unless @no_reserve record the plan as a reservation with a stable ID
 * derived from the VM and its VFs.  @req->taken is ignored.  On VITK_ENOTFOUND
 * (not enough VFs) *@out still holds the plan with the notes explaining why.
 */
int vitk_sriov_plan_vm(vitk_sriov_vm_plan **out, vitk_sriov *ctx, const vitk_sriov_site *site,
		       const vitk_sriov_plan_request *req, bool no_reserve);

/* What to compute for an ESXi host. */
typedef struct {
	/* the host: exactly one of these three */
	const char *host_json;     /* path of a JSON host description */
	const char *sriovnic_list; /* path of captured `esxcli network sriovnic list` output */
	const char *host;          /* a host recorded in the inventory (name, machine-id or id) */
	const char *name;          /* record a sriovnic_list capture under this host name */
	const char *system_uuid;   /* the host's `esxcli system uuid get` */
	const char *lspci;         /* path of the host's `lspci -xxxx` capture: VF IDs, offset, stride */
	const char *const *sets;   /* "PORT=N": desired VF count of a port */
	size_t n_sets;
	const char *vmx;           /* "PORT:VF": also the .vmx stanza of this VF; NULL: none */
	vitk_sriov_vmx_form form;
	unsigned slot;             /* pciPassthru slot */
	const char *network;       /* port group (5.5+ form) */
} vitk_sriov_esxi_request;

typedef struct {
	vitk_sriov_esxi_host *host;
	size_t n_cmds;
	vitk_sriov_esxi_cmd *cmds; /* one esxcli command per driver */
	char *vmx;                 /* NULL unless asked for */
	const char *warning;       /* why max_vfs is fragile (static text) */
} vitk_sriov_esxi_result;
void vitk_sriov_esxi_result_free(vitk_sriov_esxi_result *r);

/**
 * vitk_sriov_esxi_run() - load or parse the host, apply the name, UUID, lspci
 * details and VF counts of @q, compute the max_vfs commands and the optional
 * .vmx stanza, and record a host read from a file in @inv (NULL: not
 * recorded; a failure to record is logged as a warning).  @out owned.
 */
int vitk_sriov_esxi_run(vitk_sriov_esxi_result **out, vitk_inventory *inv,
			const vitk_sriov_esxi_request *q);

/* -------------------------------------------------------- documents */

/*
 * Result documents (<vitk/table.h>): the fields of each are declared once,
 * in sriov/src/document.c.  Tables are the text/CSV views; the JSON documents
 * keep their keys stable (sriov/README.md lists them).  Every function
 * returns 0, VITK_ENOMEM or VITK_EINVAL; @out is owned by the caller
 * (vitk_table_free(), json_decref()).
 */
/** One row per PF: pf id driver netdev numa total_vfs num_vfs adapter name. */
int vitk_sriov_pf_table(vitk_table **out, const vitk_sriov_pf_list *l);
/**
 * One row per VF of @l (only VF @vf when not NULL): pf vf addr driver netdev
 * mac vlan qos spoofchk trust link max_rate domain.
 */
int vitk_sriov_vf_table(vitk_table **out, const vitk_sriov_pf_list *l, const char *vf);
/** One PF in detail as a record of texts (capability and sysfs summaries, cross-check). */
int vitk_sriov_pf_record(vitk_table **out, const vitk_sriov_pf_info *pf);
/** The PFs as a JSON array of PF objects (with a "vfs" array when @with_vfs). */
int vitk_sriov_pf_list_to_json(json_t **out, const vitk_sriov_pf_list *l, bool with_vfs);
/** One PF object with its VFs. */
int vitk_sriov_pf_to_json(json_t **out, const vitk_sriov_pf_info *pf);
/** VF @vf of @l as an object with its PF's "pf" and "pf_netdev"; VITK_ENOTFOUND if absent. */
int vitk_sriov_vf_to_json(json_t **out, const vitk_sriov_pf_list *l, const char *vf);
/** The picks of a plan (text view): vf pf pf_netdev adapter numa. */
int vitk_sriov_plan_table(vitk_table **out, const vitk_sriov_plan *p);
/** {plan_id vm vlan picks[{vf vf_index pf pf_netdev adapter numa_node}] notes[] warnings[]} */
int vitk_sriov_vm_plan_to_json(json_t **out, const vitk_sriov_vm_plan *vp);
/** The changes of an apply (text view): subject action detail result (planned/failed/done). */
int vitk_sriov_changes_table(vitk_table **out, const vitk_sriov_change_list *l, bool dry_run);
/** {dry_run changed changes[{subject action detail ok error}]} */
int vitk_sriov_changes_to_json(json_t **out, const vitk_sriov_change_list *l, bool dry_run);
/** The VFs attached: domain vf mac vlan. */
int vitk_sriov_attach_table(vitk_table **out, const vitk_sriov_attach_result *res);
/** One row per esxcli command: driver command ports[]. */
int vitk_sriov_esxi_commands_table(vitk_table **out, const vitk_sriov_esxi_result *res);
/** {host commands[{driver command ports[]}] warning vmx} */
int vitk_sriov_esxi_result_to_json(json_t **out, const vitk_sriov_esxi_result *res);

#ifdef __cplusplus
}
#endif

#endif /* VITK_SRIOV_H */
