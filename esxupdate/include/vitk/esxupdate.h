/* SPDX-License-Identifier: MIT */
/*
 * vitk esxupdate: predict what an esxcli software command would do to an
 * ESXi host before anyone runs it.
 *
 *   host state (esxcli vib list / vib get / profile get / pci list)
 *   + depot (offline bundle .zip, or a single .vib)
 *   + the esxcli command line the admin intends to run
 *   -> esxcli-like result (VIBs Installed / Removed / Skipped), a per-VIB
 *      classification, risk findings and a safe recommendation.
 *
 * Every parser takes outside bytes, caps every size and fails with a clear
 * error (vitk_error_last()) naming the file and the part.  Nothing prints.
 *
 * Ownership: objects returned through **out belong to the caller and are
 * released with the matching _free (NULL is accepted).  Pointers returned by
 * getters borrow from their parent object.
 */
#ifndef VITK_ESXUPDATE_H
#define VITK_ESXUPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitk/common.h>
#include <vitk/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Same typedef as <vitk/inventory.h> (a repeated identical typedef is valid C11). */
typedef struct vitk_inventory vitk_inventory;

/* ------------------------------------------------------------ versions */

#define VITK_ESXUPDATE_VERSION_MAX 128 /* longest accepted version string */

/**
 * vitk_esxupdate_version_check() - validate a VibVersion ("version-release").
 * Return: 0, or VITK_EINVAL with a message naming the offending part.
 */
int vitk_esxupdate_version_check(const char *v);

/**
 * vitk_esxupdate_version_cmp() - compare two VibVersions.
 *
 * The version part (before the first '-') is compared first, then the
 * release.  Each part is split on '.'; components are compared left to
 * right: the leading digits as a number, then the remaining suffix
 * byte-wise ("" < "a").  A component with digits outranks one without; when
 * all shared components are equal the longer list is newer.
 * Malformed input (see version_check) sorts before any valid version and
 * two malformed strings compare with strcmp, so the order stays total.
 *
 * Return: -1, 0 or 1 (a < b, equal, a > b).
 */
int vitk_esxupdate_version_cmp(const char *a, const char *b);

typedef enum {
	VITK_ESXUPDATE_TAG_NONE = 0, /* no build tag (e.g. base VIB "5.5.0-0.0.1331820") */
	VITK_ESXUPDATE_TAG_VMW,      /* VMware inbox build: "<n>vmw.<esx>.<u>.<p>.<build>" */
	VITK_ESXUPDATE_TAG_OEM,      /* partner/async build: "<n>OEM.<esx>.<u>.<p>.<build>" */
	VITK_ESXUPDATE_TAG_OTHER     /* another alphabetic tag (e.g. "vft" community) */
} vitk_esxupdate_tag;

/** Release tag of a VibVersion; strings owned, released by vitk_esxupdate_release_info_clear(). */
typedef struct {
	vitk_esxupdate_tag tag;
	char *tag_text;            /* "vmw", "OEM", "vft" ..., NULL when untagged */
	uint64_t release;          /* the number before the tag ("1" of "1OEM") */
	char *esxi;                /* "5.5.0" from "550", NULL if unknown */
	uint64_t build;            /* ESXi build number the VIB was built against, 0 if unknown */
} vitk_esxupdate_release_info;

#define VITK_ESXUPDATE_RELEASE_INFO_INIT { .tag = VITK_ESXUPDATE_TAG_NONE }

/**
 * vitk_esxupdate_release_decode() - decode the release tag of a VibVersion.
 * @out: initialised with VITK_ESXUPDATE_RELEASE_INFO_INIT (or a previous
 * result, which is released first).
 * Return: 0, VITK_EINVAL (malformed version), VITK_ENOMEM.
 */
int vitk_esxupdate_release_decode(const char *version, vitk_esxupdate_release_info *out);
void vitk_esxupdate_release_info_clear(vitk_esxupdate_release_info *ri);

/* ---------------------------------------------------------- acceptance */

typedef enum {
	VITK_ESXUPDATE_ACC_UNKNOWN = 0,
	VITK_ESXUPDATE_ACC_CERTIFIED = 1, /* VMwareCertified (most trusted) */
	VITK_ESXUPDATE_ACC_ACCEPTED = 2,  /* VMwareAccepted */
	VITK_ESXUPDATE_ACC_PARTNER = 3,   /* PartnerSupported */
	VITK_ESXUPDATE_ACC_COMMUNITY = 4  /* CommunitySupported (least trusted) */
} vitk_esxupdate_acceptance;

/** Parse "VMwareCertified"/"certified"/... (case-insensitive).  UNKNOWN if not recognised. */
vitk_esxupdate_acceptance vitk_esxupdate_acceptance_parse(const char *s);
/** "VMwareCertified" ... or "unknown". */
const char *vitk_esxupdate_acceptance_name(vitk_esxupdate_acceptance a);
/** descriptor spelling: "certified", "accepted", "partner", "community", "unknown". */
const char *vitk_esxupdate_acceptance_short(vitk_esxupdate_acceptance a);

/* ------------------------------------------------------------ VIB data */

typedef struct {
	char *name;
	char *relation; /* "", "<<", "<=", "=", ">=", ">>" */
	char *version;  /* NULL when unversioned */
} vitk_esxupdate_constraint;

typedef struct {
	vitk_esxupdate_constraint *items;
	size_t count;
} vitk_esxupdate_constraints;

/* tri-state for fields a source may not carry */
typedef enum { VITK_ESXUPDATE_UNSET = -1, VITK_ESXUPDATE_NO = 0, VITK_ESXUPDATE_YES = 1 } vitk_esxupdate_bool;

/** A VIB as read from a host capture, a depot or a descriptor.  Borrowed from its parent. */
typedef struct {
	char *id;      /* "<vendor>_<type>_<name>_<version>" */
	char *name;
	char *version;
	char *vendor;
	char *type;    /* "bootbank", "locker", ... (may be NULL) */
	vitk_esxupdate_acceptance acceptance;
	char *install_date;
	char *summary;
	vitk_esxupdate_constraints depends, conflicts, replaces, provides;
	char **tags;
	size_t ntags;
	vitk_esxupdate_bool maintenance_mode;
	vitk_esxupdate_bool live_install;
	vitk_esxupdate_bool live_remove;
	vitk_esxupdate_bool reboot_required;
	bool has_relations;   /* depends/conflicts/replaces/provides/tags are known */
	char *relative_path;  /* depot only */
	char *sha256;         /* depot only, from the metadata checksum */
	bool file_present;    /* depot only: relative_path exists in the bundle */
	bool checksum_verified; /* depot only: the .vib's sha-256 was compared with the metadata */
	bool checksum_mismatch; /* ... and differed (corrupt or tampered file) */
} vitk_esxupdate_vib;

typedef enum {
	VITK_ESXUPDATE_DRIVER_NONE = 0,
	VITK_ESXUPDATE_DRIVER_NIC,
	VITK_ESXUPDATE_DRIVER_STORAGE,
	VITK_ESXUPDATE_DRIVER_OTHER /* tagged driver/module, class unknown */
} vitk_esxupdate_driver_class;

/** Driver class from software tags (driver/module/PCIID) and name patterns. */
vitk_esxupdate_driver_class vitk_esxupdate_vib_driver_class(const vitk_esxupdate_vib *v);
/** true when the VIB is a vendor (non-VMware) build: OEM release tag or non-VMware vendor. */
bool vitk_esxupdate_vib_is_vendor(const vitk_esxupdate_vib *v);

/* ---------------------------------------------------------- host state */

typedef struct vitk_esxupdate_host vitk_esxupdate_host;

typedef struct {
	char *address;   /* "0000:03:00.0" */
	char *vmkname;   /* "vmnic0", "vmhba1", or NULL */
	uint16_t vendor_id, device_id;
	uint16_t class_id; /* 0x0200 ... 0 if unknown */
	char *module;    /* vmkernel module / driver name, or NULL */
} vitk_esxupdate_pci_dev;

#define VITK_ESXUPDATE_INPUT_MAX (16u << 20) /* largest host capture accepted */

int vitk_esxupdate_host_new(vitk_esxupdate_host **out);
void vitk_esxupdate_host_free(vitk_esxupdate_host *h);

/**
 * vitk_esxupdate_host_parse_vib_list() - `esxcli software vib list` in text,
 * --formatter=csv or --formatter=xml (detected).  @what names the input in
 * errors (a file name).  Replaces the host's VIB list.
 * Return: 0, VITK_EINVAL (malformed, shifted columns...), VITK_ERANGE (too big).
 */
int vitk_esxupdate_host_parse_vib_list(vitk_esxupdate_host *h, const char *buf, size_t len,
				       const char *what);

/**
 * vitk_esxupdate_host_parse_vib_get() - `esxcli software vib get` (text or
 * xml): merges Depends/Conflicts/Replaces/Provides/Tags/Maintenance Mode into
 * the VIBs of the list (matched by ID, then name); VIBs not in the list are
 * added.
 */
int vitk_esxupdate_host_parse_vib_get(vitk_esxupdate_host *h, const char *buf, size_t len,
				      const char *what);

/**
 * vitk_esxupdate_host_parse_profile() - `esxcli software profile get` and/or
 * `esxcli software acceptance get` output: profile name, vendor, host
 * acceptance level.
 */
int vitk_esxupdate_host_parse_profile(vitk_esxupdate_host *h, const char *buf, size_t len,
				      const char *what);

/** vitk_esxupdate_host_parse_pci() - `lspci -n`/`lspci -nn` or `esxcli hardware pci list`. */
int vitk_esxupdate_host_parse_pci(vitk_esxupdate_host *h, const char *buf, size_t len,
				  const char *what);

/** An ESXi 7.0/8.0 component installed on the host (`esxcli software component list`). */
typedef struct {
	char *name;            /* "Intel-i40en" */
	char *display_name;
	char *version;         /* "1.14.1.0-1OEM.700.1.0.15843807" */
	char *display_version; /* "1.14.1.0" */
	char *vendor;
	char *release_date;    /* as printed ("07-16-2021") */
	vitk_esxupdate_acceptance acceptance;
	char *platforms;       /* 8.0 "Platforms" column ("host"), NULL on 7.0 */
} vitk_esxupdate_component;

/**
 * vitk_esxupdate_host_parse_component_list() - `esxcli software component
 * list` text of a 7.0 or 8.0 host (columns from the separator line).
 * Replaces the host's component list.
 * Return: 0, VITK_EINVAL (malformed, a component twice, bad version), VITK_ERANGE.
 */
int vitk_esxupdate_host_parse_component_list(vitk_esxupdate_host *h, const char *buf, size_t len,
					     const char *what);
size_t vitk_esxupdate_host_component_count(const vitk_esxupdate_host *h);
const vitk_esxupdate_component *vitk_esxupdate_host_component(const vitk_esxupdate_host *h, size_t i);

size_t vitk_esxupdate_host_vib_count(const vitk_esxupdate_host *h);
const vitk_esxupdate_vib *vitk_esxupdate_host_vib(const vitk_esxupdate_host *h, size_t i);
const vitk_esxupdate_vib *vitk_esxupdate_host_find(const vitk_esxupdate_host *h, const char *name);
size_t vitk_esxupdate_host_pci_count(const vitk_esxupdate_host *h);
const vitk_esxupdate_pci_dev *vitk_esxupdate_host_pci(const vitk_esxupdate_host *h, size_t i);
/** installed image profile name, or NULL */
const char *vitk_esxupdate_host_profile(const vitk_esxupdate_host *h);
vitk_esxupdate_acceptance vitk_esxupdate_host_acceptance(const vitk_esxupdate_host *h);
/** tell which input formats were read ("text", "csv", "xml") */
const char *vitk_esxupdate_host_list_format(const vitk_esxupdate_host *h);

/* --------------------------------------------------------------- depot */

typedef struct vitk_esxupdate_depot vitk_esxupdate_depot;

/**
 * A bulletin.  On ESXi 7.0 and later a bulletin with a componentNameSpec and
 * componentVersionSpec is a component; its vib_ids are the component's VIBs.
 */
typedef struct {
	char *id;
	char *vendor;
	char *summary;
	char *release_type; /* "patch", "extension", "rollup" ... */
	char **vib_ids;
	size_t nvib_ids;
	char *component_name;            /* componentNameSpec@name ("Intel-i40en"), NULL if not a component */
	char *component_display_name;    /* componentNameSpec@uiString */
	char *component_version;         /* componentVersionSpec@version */
	char *component_display_version; /* componentVersionSpec@uiString */
} vitk_esxupdate_bulletin;

/**
 * An image profile: a document under profiles/ of a metadata zip (or, in
 * older depots, inside vmware.xml), or an operator's `sources profile get`
 * capture.  A bulletin is never turned into a profile.
 */
typedef struct {
	char *name;
	char *vendor;       /* <creator> (or the older <vendor>) */
	char *description;
	vitk_esxupdate_acceptance acceptance;
	char **vib_ids;
	size_t nvib_ids;
	const char *source; /* "profile-xml" or "sources-profile-get" (static string) */
	char *document;     /* the metadata member it was read from ("profiles/..."), NULL for a capture */
} vitk_esxupdate_profile;

/* caps (defaults; tests may lower them through the options) */
typedef struct {
	size_t max_entries;         /* entries per archive (default 65536) */
	uint64_t max_total;         /* declared uncompressed total of the bundle (default 8 GiB) */
	size_t max_xml;             /* one XML document (default 32 MiB) */
	size_t max_metadata;        /* one metadata zip, uncompressed (default 64 MiB) */
	bool verify_vibs;           /* stream every .vib of a bundle through sha-256 (default true) */
} vitk_esxupdate_depot_options;

#define VITK_ESXUPDATE_DEPOT_OPTIONS_INIT                                                          \
	{ .max_entries = 65536, .max_total = (uint64_t)8 << 30, .max_xml = (size_t)32 << 20,          \
	  .max_metadata = (size_t)64 << 20, .verify_vibs = true }

/**
 * vitk_esxupdate_depot_open() - read an offline bundle .zip (index.xml ->
 * vendor-index.xml -> metadata zip) or a single .vib (ar archive).
 * @opts: NULL for the defaults.
 * Return: 0, VITK_EIO (cannot read), VITK_EINVAL (malformed, refused entry,
 * DTD), VITK_ERANGE (cap exceeded), VITK_ENOTFOUND (missing part).
 */
int vitk_esxupdate_depot_open(vitk_esxupdate_depot **out, const char *path,
			      const vitk_esxupdate_depot_options *opts);
void vitk_esxupdate_depot_free(vitk_esxupdate_depot *d);

const char *vitk_esxupdate_depot_path(const vitk_esxupdate_depot *d);
/** hex sha256 of the file */
const char *vitk_esxupdate_depot_sha256(const vitk_esxupdate_depot *d);
/** "bundle" or "vib" */
const char *vitk_esxupdate_depot_kind(const vitk_esxupdate_depot *d);
size_t vitk_esxupdate_depot_vib_count(const vitk_esxupdate_depot *d);
const vitk_esxupdate_vib *vitk_esxupdate_depot_vib(const vitk_esxupdate_depot *d, size_t i);
const vitk_esxupdate_vib *vitk_esxupdate_depot_find_id(const vitk_esxupdate_depot *d, const char *id);
size_t vitk_esxupdate_depot_bulletin_count(const vitk_esxupdate_depot *d);
const vitk_esxupdate_bulletin *vitk_esxupdate_depot_bulletin(const vitk_esxupdate_depot *d, size_t i);
size_t vitk_esxupdate_depot_profile_count(const vitk_esxupdate_depot *d);
const vitk_esxupdate_profile *vitk_esxupdate_depot_profile(const vitk_esxupdate_depot *d, size_t i);
const vitk_esxupdate_profile *vitk_esxupdate_depot_find_profile(const vitk_esxupdate_depot *d,
								const char *name);
/** ESXi 7.0+ image documents of a metadata zip (baseimages/, addons/, manifests/). */
typedef enum {
	VITK_ESXUPDATE_IMAGE_BASE = 0, /* baseimages/ */
	VITK_ESXUPDATE_IMAGE_ADDON,    /* addons/ */
	VITK_ESXUPDATE_IMAGE_MANIFEST  /* manifests/ (hardware support packages) */
} vitk_esxupdate_image_kind;

const char *vitk_esxupdate_image_kind_name(vitk_esxupdate_image_kind k); /* "base-image", "add-on", "manifest" */

typedef struct {
	char *name;
	char *version; /* NULL when the document gives none */
} vitk_esxupdate_component_ref;

/**
 * A base image, vendor add-on or manifest, read tolerantly (its on-disk form
 * is not confirmed): the fields the vSphere Automation schemas name, other
 * keys ignored.  A member that is not such a JSON object becomes a note.
 */
typedef struct {
	vitk_esxupdate_image_kind kind;
	char *name;            /* display_name, nameSpec.name or name */
	char *version;         /* version or versionSpec.version */
	char *display_version; /* display_version or versionSpec.uiString */
	char *vendor;
	vitk_esxupdate_component_ref *components;
	size_t ncomponents;
	char **removed;        /* removed_components (add-ons) */
	size_t nremoved;
	char *document;        /* the metadata member it was read from */
} vitk_esxupdate_image;

size_t vitk_esxupdate_depot_image_count(const vitk_esxupdate_depot *d);
const vitk_esxupdate_image *vitk_esxupdate_depot_image(const vitk_esxupdate_depot *d, size_t i);

/**
 * Notes about members the reader skipped (a metadata zip member outside
 * vibs/, profiles/, bulletins/ and the known files), one line each, for a
 * verbose display.
 */
size_t vitk_esxupdate_depot_note_count(const vitk_esxupdate_depot *d);
const char *vitk_esxupdate_depot_note(const vitk_esxupdate_depot *d, size_t i);

/**
 * vitk_esxupdate_depot_add_profile_text() - add (or replace) an image profile
 * from the text of `esxcli software sources profile get -d BUNDLE -p NAME`
 * captured on a host: its "VIBs:" list ("name version, ...") is resolved
 * against the depot's VIBs.  Use it when the bundle's profile layout is not
 * one the reader understands.  Source "sources-profile-get".
 * Return: 0, VITK_EINVAL (malformed, or a VIB the depot does not carry).
 */
int vitk_esxupdate_depot_add_profile_text(vitk_esxupdate_depot *d, const char *buf, size_t len,
					  const char *what);

/**
 * vitk_esxupdate_depot_check_profile_list() - the text of `esxcli software
 * sources profile list -d BUNDLE` captured on a host: every profile it names
 * that the reader found no document for (and no `sources profile get`
 * capture added) is recorded as unread; the audit warns about each.
 * Return: 0, VITK_EINVAL (not that output).
 */
int vitk_esxupdate_depot_check_profile_list(vitk_esxupdate_depot *d, const char *buf, size_t len, const char *what);
size_t vitk_esxupdate_depot_unread_profile_count(const vitk_esxupdate_depot *d);
const char *vitk_esxupdate_depot_unread_profile(const vitk_esxupdate_depot *d, size_t i);

/* ------------------------------------------------------------- command */

typedef enum {
	VITK_ESXUPDATE_OP_VIB_INSTALL = 1,
	VITK_ESXUPDATE_OP_VIB_UPDATE,
	VITK_ESXUPDATE_OP_PROFILE_INSTALL,
	VITK_ESXUPDATE_OP_PROFILE_UPDATE,
	VITK_ESXUPDATE_OP_COMPONENT_APPLY /* ESXi 7.0+: esxcli software component apply */
} vitk_esxupdate_op;

#define VITK_ESXUPDATE_F_FORCE 0x01u
#define VITK_ESXUPDATE_F_NO_SIG_CHECK 0x02u
#define VITK_ESXUPDATE_F_DRY_RUN 0x04u
#define VITK_ESXUPDATE_F_OK_TO_REMOVE 0x08u
#define VITK_ESXUPDATE_F_ALLOW_DOWNGRADES 0x10u
#define VITK_ESXUPDATE_F_MAINTENANCE_MODE 0x20u
#define VITK_ESXUPDATE_F_NO_LIVE_INSTALL 0x40u

typedef struct {
	vitk_esxupdate_op op;
	char *depot;     /* -d as written in the command (host path or URL); NULL with -v */
	char *profile;   /* -p, profile ops only */
	char **vibnames; /* -n, vib ops only */
	size_t nvibnames;
	char **viburls;  /* -v, vib ops only (instead of -d) */
	size_t nviburls;
	char **components; /* -n/--component "name" or "name:version", component apply only */
	size_t ncomponents;
	unsigned flags;
} vitk_esxupdate_command;

/**
 * vitk_esxupdate_command_parse() - parse a pasted esxcli command line
 * ("esxcli software vib install -d /vmfs/.../x.zip", "--depot=", "-p",
 * "--profile=", "-n", "--vibname=", flags; shell quoting honoured).
 * "esxcli software component apply -d DEPOT [-n NAME[:VERSION]]" (7.0+) too.
 * "-v/--viburl" (vib install/update) is accepted instead of -d: the audit's
 * depot must then be that .vib (or a bundle holding a VIB file of that name).
 * Return: 0, VITK_EINVAL (unknown option, missing depot/profile, option not
 * valid for the command), VITK_ENOTSUP (-d and -v together, several -d, other
 * namespaces).
 */
int vitk_esxupdate_command_parse(vitk_esxupdate_command **out, const char *line);
void vitk_esxupdate_command_free(vitk_esxupdate_command *c);
/** canonical text of the command ("esxcli software profile update -d X -p Y"); caller free()s */
char *vitk_esxupdate_command_format(const vitk_esxupdate_command *c);
const char *vitk_esxupdate_op_name(vitk_esxupdate_op op); /* "vib install" ... */

/* ----------------------------------------------------------- simulator */

typedef enum {
	VITK_ESXUPDATE_ACT_INSTALLED = 1, /* new on the host */
	VITK_ESXUPDATE_ACT_UPGRADED,
	VITK_ESXUPDATE_ACT_DOWNGRADED,
	VITK_ESXUPDATE_ACT_REMOVED_REPLACED, /* obsoleted by another VIB's <replaces> */
	VITK_ESXUPDATE_ACT_REMOVED_PROFILE,  /* dropped by profile install */
	VITK_ESXUPDATE_ACT_KEPT,             /* installed VIB left as is */
	VITK_ESXUPDATE_ACT_SKIPPED           /* depot VIB not applied */
} vitk_esxupdate_action;

const char *vitk_esxupdate_action_name(vitk_esxupdate_action a); /* "installed", "removed-replaced"... */

typedef struct {
	char *name;
	vitk_esxupdate_action action;
	char *from_id, *from_version; /* host side, NULL if none */
	char *to_id, *to_version;     /* depot side, NULL if none */
	char *reason;                 /* why (e.g. "replaced by elxnet", "not an update") */
	vitk_esxupdate_driver_class driver;
	bool vendor;                  /* the host VIB is a vendor (OEM/non-VMware) build */
} vitk_esxupdate_change;

typedef enum {
	VITK_ESXUPDATE_SEV_INFO = 0,
	VITK_ESXUPDATE_SEV_WARNING = 1,
	VITK_ESXUPDATE_SEV_CRITICAL = 2
} vitk_esxupdate_severity;

const char *vitk_esxupdate_severity_name(vitk_esxupdate_severity s); /* "CRITICAL" ... */

typedef struct {
	vitk_esxupdate_severity severity;
	char *code;    /* stable: "driver-downgraded", "driver-removed", "acceptance-drop", ... */
	char *message;
} vitk_esxupdate_finding;

typedef struct vitk_esxupdate_result vitk_esxupdate_result;

/**
 * vitk_esxupdate_simulate() - what @cmd would do on @host with @depot.
 * Errors esxcli itself would raise (dependency, acceptance, ok-to-remove)
 * are part of the result (vitk_esxupdate_result_error()), not a failure.
 * Return: 0, VITK_ENOTFOUND (profile not in the depot, with the list), VITK_ENOMEM.
 */
int vitk_esxupdate_simulate(vitk_esxupdate_result **out, const vitk_esxupdate_host *host,
			    const vitk_esxupdate_depot *depot, const vitk_esxupdate_command *cmd);
void vitk_esxupdate_result_free(vitk_esxupdate_result *r);

/** "Installation Result" / "Update Result"; the esxcli-like message */
const char *vitk_esxupdate_result_header(const vitk_esxupdate_result *r);
const char *vitk_esxupdate_result_message(const vitk_esxupdate_result *r);
/** the esxcli error text ("[DependencyError]\n..."), or NULL when the command succeeds */
const char *vitk_esxupdate_result_error(const vitk_esxupdate_result *r);
bool vitk_esxupdate_result_reboot_required(const vitk_esxupdate_result *r);
bool vitk_esxupdate_result_maintenance_required(const vitk_esxupdate_result *r);
/** The three VIB lists of an esxcli result. */
typedef enum {
	VITK_ESXUPDATE_LIST_INSTALLED = 0, /* "VIBs Installed" */
	VITK_ESXUPDATE_LIST_REMOVED,       /* "VIBs Removed" */
	VITK_ESXUPDATE_LIST_SKIPPED,       /* "VIBs Skipped" */
	VITK_ESXUPDATE_LIST_COUNT
} vitk_esxupdate_list;

/* VIB IDs of one list, sorted */
size_t vitk_esxupdate_result_list_count(const vitk_esxupdate_result *r, vitk_esxupdate_list which);
const char *vitk_esxupdate_result_list(const vitk_esxupdate_result *r, vitk_esxupdate_list which, size_t i);
size_t vitk_esxupdate_result_change_count(const vitk_esxupdate_result *r);
const vitk_esxupdate_change *vitk_esxupdate_result_change(const vitk_esxupdate_result *r, size_t i);
size_t vitk_esxupdate_result_assumption_count(const vitk_esxupdate_result *r);
const char *vitk_esxupdate_result_assumption(const vitk_esxupdate_result *r, size_t i);

/* ------------------------------------------------------- audit (risks) */

typedef struct vitk_esxupdate_audit vitk_esxupdate_audit;

/**
 * vitk_esxupdate_audit_run() - simulate @cmd, derive findings
 * (CRITICAL/WARNING/INFO) and a recommendation (safe command, profile).
 */
int vitk_esxupdate_audit_run(vitk_esxupdate_audit **out, const vitk_esxupdate_host *host,
			     const vitk_esxupdate_depot *depot, const vitk_esxupdate_command *cmd);
void vitk_esxupdate_audit_free(vitk_esxupdate_audit *a);

/** What else the recommendation may use. */
typedef struct {
	/* the vendor's depot (OEM add-on profile), and its path as the host sees it (for -d) */
	const vitk_esxupdate_depot *vendor_depot;
	const char *vendor_depot_path;
} vitk_esxupdate_audit_options;

/**
 * vitk_esxupdate_audit_run_ex() - vitk_esxupdate_audit_run() with options:
 * with a vendor depot, 'profile update' with the vendor's own profile is
 * simulated and recommended first when it is safe.  @opts may be NULL.
 */
int vitk_esxupdate_audit_run_ex(vitk_esxupdate_audit **out, const vitk_esxupdate_host *host,
				const vitk_esxupdate_depot *depot, const vitk_esxupdate_command *cmd,
				const vitk_esxupdate_audit_options *opts);

const vitk_esxupdate_result *vitk_esxupdate_audit_result(const vitk_esxupdate_audit *a);
size_t vitk_esxupdate_audit_finding_count(const vitk_esxupdate_audit *a);
const vitk_esxupdate_finding *vitk_esxupdate_audit_finding(const vitk_esxupdate_audit *a, size_t i);
/** count of findings with this severity */
size_t vitk_esxupdate_audit_count(const vitk_esxupdate_audit *a, vitk_esxupdate_severity s);
/** recommended command incl. --dry-run (borrowed), NULL if the intended one is safe */
const char *vitk_esxupdate_audit_recommended_command(const vitk_esxupdate_audit *a);
/** recommended profile name (borrowed) or NULL */
const char *vitk_esxupdate_audit_recommended_profile(const vitk_esxupdate_audit *a);
/** one paragraph: why the intended command is unsafe, or that it is safe */
const char *vitk_esxupdate_audit_explanation(const vitk_esxupdate_audit *a);
/** "unsafe", "review" or "safe" */
const char *vitk_esxupdate_audit_verdict(const vitk_esxupdate_audit *a);

/* ------------------------------------------------------------ compare */

typedef struct {
	char *name;
	char *a_version, *b_version; /* NULL if absent */
	int cmp;                     /* version_cmp(b, a) when both present */
} vitk_esxupdate_diff_item;

typedef struct {
	vitk_esxupdate_diff_item *items; /* sorted by name */
	size_t count;
	vitk_esxupdate_acceptance a_acceptance, b_acceptance;
} vitk_esxupdate_diff;

/** Compare two profiles of a depot (Compare-EsxImageProfile). */
int vitk_esxupdate_profile_compare(vitk_esxupdate_diff **out, const vitk_esxupdate_depot *d,
				   const char *profile_a, const char *profile_b);
void vitk_esxupdate_diff_free(vitk_esxupdate_diff *diff);

/* ----------------------------------------------------------- inventory */

/** vitk_esxupdate_inventory_register() - create/upgrade the esxupdate tables in @inv. */
int vitk_esxupdate_inventory_register(vitk_inventory *inv);

/**
 * vitk_esxupdate_store_snapshot() - record a dated host VIB snapshot for
 * host @host_name (created as kind "esxi").  One transaction.
 * @out_uuid: 37 bytes, may be NULL
 */
int vitk_esxupdate_store_snapshot(vitk_inventory *inv, const char *host_name,
				  const vitk_esxupdate_host *h, const char *source, char *out_uuid);
/** record a depot (sha256, profiles, VIBs) under host @host_id (the local host).  One transaction. */
int vitk_esxupdate_store_depot(vitk_inventory *inv, int64_t host_id, const vitk_esxupdate_depot *d);
/**
 * vitk_esxupdate_store_audit() - record the snapshot, the depot and the audit
 * with its findings in one transaction (nothing written on failure).
 */
int vitk_esxupdate_store_audit(vitk_inventory *inv, int64_t local_host_id, const char *host_name,
			       const vitk_esxupdate_host *h, const char *host_source,
			       const vitk_esxupdate_depot *d, const char *command_line,
			       const vitk_esxupdate_audit *a, char *out_uuid);

typedef struct {
	char *name;
	char *old_version, *new_version; /* NULL: added / removed */
} vitk_esxupdate_snapshot_change;

typedef struct {
	char *old_uuid, *new_uuid;
	char *old_taken, *new_taken;
	vitk_esxupdate_snapshot_change *items;
	size_t count;
} vitk_esxupdate_snapshot_diff;

/**
 * vitk_esxupdate_snapshot_diff_latest() - diff the two latest snapshots of
 * @host_name.  Return: 0, VITK_ENOTFOUND (host unknown or fewer than two).
 */
int vitk_esxupdate_snapshot_diff_latest(vitk_esxupdate_snapshot_diff **out, vitk_inventory *inv,
					const char *host_name);
void vitk_esxupdate_snapshot_diff_free(vitk_esxupdate_snapshot_diff *d);

/* ----------------------------------------------------------- documents */
/*
 * Result documents: lists as vitk_table (columns declared once, rendered by
 * the caller as text, JSON or CSV), nested documents as JSON objects made
 * from them.  Keys are listed in esxupdate/README.md.  Each *out belongs to
 * the caller (vitk_table_free(), json_decref(), free()).
 */

/** Depot lists: profiles (name, vendor, acceptance, vibs, source), bulletins (id, vendor, release_type, vibs, summary), VIBs (name, version, vendor, acceptance, driver, file, checksum). */
int vitk_esxupdate_depot_profiles_table(vitk_table **out, const vitk_esxupdate_depot *d);
int vitk_esxupdate_depot_bulletins_table(vitk_table **out, const vitk_esxupdate_depot *d);
int vitk_esxupdate_depot_vibs_table(vitk_table **out, const vitk_esxupdate_depot *d);
/** 7.0+ image documents: kind, name, version, vendor, document, components, removed_components (counts). */
int vitk_esxupdate_depot_images_table(vitk_table **out, const vitk_esxupdate_depot *d);
/** The depot document: path, sha256, kind, profiles[], bulletins[], vibs[], images[]. */
int vitk_esxupdate_depot_to_json(json_t **out, const vitk_esxupdate_depot *d);

/** Per-VIB classification: name, action, from_version, to_version, build, driver, vendor_build, reason. */
int vitk_esxupdate_audit_changes_table(vitk_table **out, const vitk_esxupdate_audit *a);
/** Findings, most severe first: severity, code, message. */
int vitk_esxupdate_audit_findings_table(vitk_table **out, const vitk_esxupdate_audit *a);
/**
 * The audit document: host{name, vib_count, profile, acceptance, pci_devices},
 * depot{path, sha256}, command, profile_source, result{header, message,
 * error, reboot_required, maintenance_mode_required, vibs_installed[],
 * vibs_removed[], vibs_skipped[]}, changes[], findings[], assumptions[],
 * verdict, recommendation{command, profile, explanation}, audit_uuid.
 * @host_name, @command_line (as the operator wrote it), @audit_uuid: NULL allowed.
 */
int vitk_esxupdate_audit_to_json(json_t **out, const vitk_esxupdate_audit *a, const char *host_name,
				 const char *command_line, const char *audit_uuid);
/** The simulated esxcli output as esxcli prints it ("Update Result\n   Message: ..."); NULL on OOM. */
char *vitk_esxupdate_result_text(const vitk_esxupdate_result *r);

/** Profile comparison rows (name, change, a_version, b_version); @all keeps "equal" rows. */
int vitk_esxupdate_diff_table(vitk_table **out, const vitk_esxupdate_diff *diff, bool all);
/** The comparison document: profile_a, profile_b, a_acceptance, b_acceptance, vibs[]. */
int vitk_esxupdate_diff_to_json(json_t **out, const vitk_esxupdate_diff *diff, const char *profile_a,
				const char *profile_b, bool all);
/** Snapshot changes: name, change (added/removed/changed), old_version, new_version. */
int vitk_esxupdate_snapshot_diff_table(vitk_table **out, const vitk_esxupdate_snapshot_diff *d);

#ifdef __cplusplus
}
#endif

#endif /* VITK_ESXUPDATE_H */
