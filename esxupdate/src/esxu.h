/* SPDX-License-Identifier: MIT */
/* esxupdate private helpers (only //esxupdate and its tests). */
#ifndef VITK_ESXUPDATE_PRIV_H
#define VITK_ESXUPDATE_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include <vitk/array.h>
#include <vitk/str.h>

#include <vitk/sys/esxupdate.h>

/* ---- string vector (owned strings) ---- */
typedef VITK_ARRAY(char *) esxu_strv;

int vitk_esxupdate__strv_add(esxu_strv *sv, const char *s);
int vitk_esxupdate__strv_addn(esxu_strv *sv, const char *s, size_t n);
void vitk_esxupdate__strv_dispose(esxu_strv *sv);
void vitk_esxupdate__strv_sort(esxu_strv *sv);
bool vitk_esxupdate__strv_has(const esxu_strv *sv, const char *s);

/*
 * Room for one more item in a public { items, count } list (grown by
 * vitk/array.h; a public list keeps no capacity, so its allocation is its
 * count).  Return: the list, maybe moved, with item @count zero-filled; or
 * NULL with VITK_ENOMEM recorded and @items untouched.
 */
void *vitk_esxupdate__list_grow(void *items, size_t count, size_t item_size);

/* append a copy of @s to a public { char **, count } list */
int vitk_esxupdate__strlist_add(char ***list, size_t *n, const char *s);

/* bounded copy, always NUL-terminated (truncates) */
void vitk_esxupdate__strlcpy(char *dst, const char *src, size_t cap);
char *vitk_esxupdate__strdup(const char *s);
char *vitk_esxupdate__strndup(const char *s, size_t n);
char *vitk_esxupdate__trim_dup(const char *s, size_t n); /* strip surrounding whitespace */
char *vitk_esxupdate__printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool vitk_esxupdate__streq_ci(const char *a, const char *b);
/*
 * Does @s (may be NULL) hold a control character (below 0x20, or DEL)?
 * Identifiers (VIB ids, names, vendors, versions, profile, bulletin and
 * component names, the command line) with one are refused: they are printed
 * inside esxcli's line-based output, where a newline would forge a line.
 */
bool vitk_esxupdate__has_ctl(const char *s);
/* key normalisation: lowercase, drop ' ', '-', '_' ("Acceptance Level" -> "acceptancelevel") */
void vitk_esxupdate__norm_key(char *dst, size_t cap, const char *src, size_t n);

/* ---- lines of a capture ---- */
typedef struct {
	const char *p, *end;
	size_t lineno; /* of the line last returned */
} esxu_lines;

/* next line without its terminator (and a trailing '\r'); false at the end */
bool vitk_esxupdate__next_line(esxu_lines *ls, const char **s, size_t *n);
bool vitk_esxupdate__blank(const char *s, size_t n);

/* a column of an esxcli text table: where it starts, its header text (not NUL-terminated) */
typedef struct {
	size_t start;
	const char *title;
	size_t title_len;
} esxu_col;

/*
 * The header of an esxcli text table: the line above the dashed separator
 * names the columns, the dash runs give their starts.  @command names the
 * capture in errors ("esxcli software component list").
 */
int vitk_esxupdate__table_header(esxu_lines *ls, esxu_col *cols, size_t max, size_t *ncols, const char *what,
				 const char *command);

/* ---- VIB helpers ---- */
vitk_esxupdate_vib *vitk_esxupdate__vib_new(void);
void vitk_esxupdate__vib_dispose(vitk_esxupdate_vib *v);
int vitk_esxupdate__vib_copy(vitk_esxupdate_vib *dst, const vitk_esxupdate_vib *src);
/* fill id from vendor/type/name/version when missing; name/version from id when missing */
int vitk_esxupdate__vib_complete(vitk_esxupdate_vib *v, const char *what);
int vitk_esxupdate__constraints_add(vitk_esxupdate_constraints *c, const char *name, const char *rel,
			 const char *version);
void vitk_esxupdate__constraints_dispose(vitk_esxupdate_constraints *c);
/* parse "esx-base >= 5.5, vmkapi_2_2_0_0" (vib get text form) */
int vitk_esxupdate__constraints_parse_text(vitk_esxupdate_constraints *c, const char *s, const char *what,
				const char *field);
int vitk_esxupdate__vib_add_tag(vitk_esxupdate_vib *v, const char *tag);
/* does @v (name/version, or one of its provides) satisfy constraint @c */
bool vitk_esxupdate__constraint_matches_vib(const vitk_esxupdate_constraint *c, const vitk_esxupdate_vib *v,
				 bool use_provides);
bool vitk_esxupdate__relation_holds(const char *rel, int cmp);
vitk_esxupdate_bool vitk_esxupdate__parse_bool(const char *s);

/* ---- XML (libxml2, hardened) ---- */
/*
 * What an XML document is, for its size cap (each well above what VMware's
 * tools write; docs/esxupdate-facts.md "Offline bundles"):
 *   index.xml, vendor-index.xml: a few vendor / metadata entries (64 KiB);
 *   a VIB descriptor (vibs/ member, descriptor.xml): one VIB with its PCI ID
 *     tags and file list (4 MiB);
 *   a bulletin (bulletins/ member): VIB ids (1 MiB);
 *   an image profile (profiles/ member): VIB ids (1 MiB);
 *   vmware.xml: every bulletin with its VIBs expanded (32 MiB);
 *   an esxcli --formatter=xml capture: VITK_ESXUPDATE_INPUT_MAX (16 MiB).
 */
typedef enum {
	ESXU_XML_INDEX,
	ESXU_XML_VIB,
	ESXU_XML_BULLETIN,
	ESXU_XML_PROFILE,
	ESXU_XML_VMWARE_XML,
	ESXU_XML_CAPTURE,
} esxu_xml_kind;

#define ESXU_XML_INDEX_MAX ((size_t)64 << 10)
#define ESXU_XML_VIB_MAX ((size_t)4 << 20)
#define ESXU_XML_BULLETIN_MAX ((size_t)1 << 20)
#define ESXU_XML_PROFILE_MAX ((size_t)1 << 20)
#define ESXU_XML_VMWARE_XML_MAX ((size_t)32 << 20)

/* the size cap of a document of @kind, lowered to @limit when that is smaller (0: none) */
size_t vitk_esxupdate__xml_max(esxu_xml_kind kind, size_t limit);

/*
 * Parse one document: network off, no DTD loading, no entity substitution;
 * documents that declare a DOCTYPE or ENTITY are refused; @max caps the size
 * (vitk_esxupdate__xml_max()).  Cost is linear in @len: more than 64
 * attributes on one element, elements nested more than 64 deep or more than
 * 16 namespace declarations are refused before parsing (VITK_ERANGE).
 */
int vitk_esxupdate__xml_read(xmlDoc **out, const char *buf, size_t len, size_t max, const char *what);
/* local name of an element, normalised with esxu_norm_key */
void vitk_esxupdate__xml_key(const xmlNode *n, char *dst, size_t cap);
/* first element child whose normalised name is @key */
xmlNode *vitk_esxupdate__xml_child(const xmlNode *n, const char *key);
/* trimmed text content (owned), NULL if none */
char *vitk_esxupdate__xml_text(const xmlNode *n);
char *vitk_esxupdate__xml_child_text(const xmlNode *n, const char *key);
char *vitk_esxupdate__xml_attr(const xmlNode *n, const char *name);

/* descriptor element -> vib (tolerant of both descriptor and vmware.xml spellings) */
int vitk_esxupdate__vib_from_xml(vitk_esxupdate_vib *v, const xmlNode *root, const char *what);
int vitk_esxupdate__bulletin_from_xml(vitk_esxupdate_bulletin *b, const xmlNode *root, const char *what,
			   void (*inline_vib)(void *ctx, const xmlNode *vibnode), void *ctx);
int vitk_esxupdate__profile_from_xml(vitk_esxupdate_profile *p, const xmlNode *root, const char *what);
void vitk_esxupdate__bulletin_dispose(vitk_esxupdate_bulletin *b);
/* an image document (JSON) into @im; VITK_EINVAL when it is not one */
int vitk_esxupdate__image_from_json(vitk_esxupdate_image *im, const char *buf, size_t len, const char *what);
void vitk_esxupdate__image_dispose(vitk_esxupdate_image *im);
void vitk_esxupdate__profile_dispose(vitk_esxupdate_profile *p);

/* ---- host internals for the simulator ---- */
struct vitk_esxupdate_host {
	VITK_ARRAY(vitk_esxupdate_vib) vibs;
	VITK_ARRAY(vitk_esxupdate_pci_dev) pci;
	char *profile;
	char *profile_vendor;
	vitk_esxupdate_acceptance acceptance;
	char list_format[16];
	VITK_ARRAY(vitk_esxupdate_component) comps;
	size_t *byname; /* indexes of vibs sorted by name (rebuilt after each parse) */
	size_t nbyname;
};

void vitk_esxupdate__component_dispose(vitk_esxupdate_component *c);
/*
 * How a host component is known to hold an installed VIB, strongest first:
 * the depot's component of that name lists the VIB; guessed: the component
 * is named "<vendor>-<VIB name>" (or the VIB name); guessed: its version is
 * the VIB's (a component's version "might be the same" as its VIBs', ESXCLI
 * Concepts and Examples 8.0, "Managing Hosts").  ESXU_TIE_UNTIED: no tie, the
 * host's untied vendor components are named instead.
 */
typedef enum { ESXU_TIE_NONE, ESXU_TIE_DEPOT, ESXU_TIE_NAME, ESXU_TIE_VERSION, ESXU_TIE_UNTIED } esxu_tie;

typedef VITK_ARRAY(const vitk_esxupdate_component *) esxu_compv;

/* the host component holding installed VIB @vib (by name), or NULL; *how says how that is known */
const vitk_esxupdate_component *vitk_esxupdate__host_component_of(const vitk_esxupdate_host *h,
								 const vitk_esxupdate_depot *d, const char *vib,
								 esxu_tie *how);
/* the host's non-VMware components that hold no installed VIB by any tie (appended to @out) */
int vitk_esxupdate__host_components_untied(const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d,
					   esxu_compv *out);
/* "no capture names its component; the host's only vendor component ... is X 1.0" (owned), NULL when none */
char *vitk_esxupdate__untied_text(const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d);
/*
 * "component Intel-i40en 1.14.1.0-1OEM... -> Intel-i40en 1.8.1.137-1vmw..."
 * for a VIB change, when a host component holds that VIB; else a copy of
 * @untied (vitk_esxupdate__untied_text(), computed once by the caller, may be
 * NULL); NULL when neither (or on OOM).  *how as above.
 */
char *vitk_esxupdate__component_text(const vitk_esxupdate_host *h, const vitk_esxupdate_depot *d,
				     const vitk_esxupdate_change *c, const char *untied, esxu_tie *how);
/*
 * component apply: the depot components it takes (newest per name, -n
 * selected), weighed against the host's components; their VIBs go to @pool
 * (room for every depot VIB), the component lists and refused downgrades to @res.
 */
int vitk_esxupdate__components_select(vitk_esxupdate_result *res, const vitk_esxupdate_host *h,
				      const vitk_esxupdate_depot *d, const vitk_esxupdate_command *cmd,
				      const vitk_esxupdate_vib **pool, size_t *npool);
void vitk_esxupdate__host_components_free(vitk_esxupdate_host *h);

/* rebuild h->byname; on OOM lookups fall back to a linear scan */
void vitk_esxupdate__host_reindex(vitk_esxupdate_host *h);

/* PCI ID tags of a VIB: "PCIID 8086154c" -> vendor/device pairs; returns count written */
size_t vitk_esxupdate__vib_pciids(const vitk_esxupdate_vib *v, uint32_t *ids, size_t cap);

/* ---- simulator result (shared by sim.c and audit.c) ---- */
struct vitk_esxupdate_result {
	vitk_esxupdate_op op;
	unsigned flags;
	char *header, *message, *error;
	bool reboot, maint;
	esxu_strv lists[VITK_ESXUPDATE_LIST_COUNT];
	VITK_ARRAY(vitk_esxupdate_change) changes;
	esxu_strv assumptions;
	/* for the risk analysis */
	esxu_strv dep_errors, conflict_errors, acc_errors, removal_refused, half_applied;
	bool checks_bypassed; /* -f / --no-sig-check let the operation pass its checks */
	bool no_profile;      /* -p names no profile of the depot: [NoMatchError], nothing planned */
	char *profile_wanted; /* the -p of the command (profile ops) */
	esxu_strv comp_lists[VITK_ESXUPDATE_LIST_COUNT]; /* component apply: Components Installed/Removed/Skipped */
	esxu_strv comp_downgrades; /* component apply: refused downgrades (error lines) */
	bool bootbank_ops, locker_ops; /* VIBs of that kind are installed or removed (dry-run installers) */
	char *profile;        /* profile name used (profile ops) */
};

/* record an undocumented rule applied to this result (deduplicated) */
int vitk_esxupdate__result_assume(vitk_esxupdate_result *r, const char *text);

struct vitk_esxupdate_audit {
	vitk_esxupdate_result *res;
	VITK_ARRAY(vitk_esxupdate_finding) f;
	char *rec_cmd, *rec_profile, *explanation;
	const char *verdict;
	esxu_strv crit; /* names of the vendor drivers with CRITICAL findings */
	/* the inputs, as the audit document reports them */
	size_t host_vibs, host_pci;
	char *host_profile;
	vitk_esxupdate_acceptance host_acceptance;
	char *depot_path, *depot_sha256;
	const char *profile_source; /* static string, NULL when -p names no depot profile */
	char *untied;               /* vitk_esxupdate__untied_text(), once computed */
	bool untied_done;
};

/* record a profile the host lists in the depot but the reader found no document for */
int vitk_esxupdate__depot_unread(vitk_esxupdate_depot *d, const char *name);

/* the host as @res (simulated against @d) would leave it; *out freed with vitk_esxupdate_host_free() */
int vitk_esxupdate__host_after(vitk_esxupdate_host **out, const vitk_esxupdate_host *h,
			       const vitk_esxupdate_result *res, const vitk_esxupdate_depot *d);

int vitk_esxupdate_audit_run__inner(vitk_esxupdate_audit **out, const vitk_esxupdate_host *host,
				    const vitk_esxupdate_depot *depot, const vitk_esxupdate_command *cmd);

#endif
