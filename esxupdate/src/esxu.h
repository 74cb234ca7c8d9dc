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
 * Parse one document: network off, no DTD loading, no entity substitution;
 * documents that declare a DOCTYPE or ENTITY are refused; @max caps the size.
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
};

int vitk_esxupdate_audit_run__inner(vitk_esxupdate_audit **out, const vitk_esxupdate_host *host,
				    const vitk_esxupdate_depot *depot, const vitk_esxupdate_command *cmd);

#endif
