/* SPDX-License-Identifier: MIT */
/* esxupdate private helpers (only //esxupdate and its tests). */
#ifndef VITK_ESXUPDATE_PRIV_H
#define VITK_ESXUPDATE_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include <vitk/esxupdate.h>

/* ---- small growable string buffer ---- */
typedef struct {
	char *s;
	size_t len, cap;
	bool oom;
} esxu_buf;

void esxu_buf_add(esxu_buf *b, const char *s);
void esxu_buf_addn(esxu_buf *b, const char *s, size_t n);
void esxu_buf_printf(esxu_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* take ownership of the text ("" if empty); NULL on OOM */
char *esxu_buf_take(esxu_buf *b);
void esxu_buf_dispose(esxu_buf *b);

/* ---- string vector ---- */
typedef struct {
	char **v;
	size_t n, cap;
} esxu_strv;

int esxu_strv_add(esxu_strv *sv, const char *s);
int esxu_strv_addn(esxu_strv *sv, const char *s, size_t n);
void esxu_strv_dispose(esxu_strv *sv);
void esxu_strv_sort(esxu_strv *sv);
bool esxu_strv_has(const esxu_strv *sv, const char *s);

/* bounded copy, always NUL-terminated (truncates) */
void esxu_strlcpy(char *dst, const char *src, size_t cap);
char *esxu_strdup(const char *s);
char *esxu_strndup(const char *s, size_t n);
char *esxu_trim_dup(const char *s, size_t n); /* strip surrounding whitespace */
char *esxu_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool esxu_streq_ci(const char *a, const char *b);
/* key normalisation: lowercase, drop ' ', '-', '_' ("Acceptance Level" -> "acceptancelevel") */
void esxu_norm_key(char *dst, size_t cap, const char *src, size_t n);

/* ---- VIB helpers ---- */
vitk_esxupdate_vib *esxu_vib_new(void);
void esxu_vib_dispose(vitk_esxupdate_vib *v);
int esxu_vib_copy(vitk_esxupdate_vib *dst, const vitk_esxupdate_vib *src);
/* fill id from vendor/type/name/version when missing; name/version from id when missing */
int esxu_vib_complete(vitk_esxupdate_vib *v, const char *what);
int esxu_constraints_add(vitk_esxupdate_constraints *c, const char *name, const char *rel,
			 const char *version);
void esxu_constraints_dispose(vitk_esxupdate_constraints *c);
/* parse "esx-base >= 5.5, vmkapi_2_2_0_0" (vib get text form) */
int esxu_constraints_parse_text(vitk_esxupdate_constraints *c, const char *s, const char *what,
				const char *field);
int esxu_vib_add_tag(vitk_esxupdate_vib *v, const char *tag);
/* does @v (name/version, or one of its provides) satisfy constraint @c */
bool esxu_constraint_matches_vib(const vitk_esxupdate_constraint *c, const vitk_esxupdate_vib *v,
				 bool use_provides);
bool esxu_relation_holds(const char *rel, int cmp);
vitk_esxupdate_bool esxu_parse_bool(const char *s);

/* ---- XML (libxml2, hardened) ---- */
/*
 * Parse one document: network off, no DTD loading, no entity substitution;
 * documents that declare a DOCTYPE or ENTITY are refused; @max caps the size.
 */
int esxu_xml_read(xmlDoc **out, const char *buf, size_t len, size_t max, const char *what);
/* local name of an element, normalised with esxu_norm_key */
void esxu_xml_key(const xmlNode *n, char *dst, size_t cap);
/* first element child whose normalised name is @key */
xmlNode *esxu_xml_child(const xmlNode *n, const char *key);
/* trimmed text content (owned), NULL if none */
char *esxu_xml_text(const xmlNode *n);
char *esxu_xml_child_text(const xmlNode *n, const char *key);
char *esxu_xml_attr(const xmlNode *n, const char *name);

/* descriptor element -> vib (tolerant of both descriptor and vmware.xml spellings) */
int esxu_vib_from_xml(vitk_esxupdate_vib *v, const xmlNode *root, const char *what);
int esxu_bulletin_from_xml(vitk_esxupdate_bulletin *b, const xmlNode *root, const char *what,
			   void (*inline_vib)(void *ctx, const xmlNode *vibnode), void *ctx);
int esxu_profile_from_xml(vitk_esxupdate_profile *p, const xmlNode *root, const char *what);
void esxu_bulletin_dispose(vitk_esxupdate_bulletin *b);
void esxu_profile_dispose(vitk_esxupdate_profile *p);

/* ---- host internals for the simulator ---- */
struct vitk_esxupdate_host {
	vitk_esxupdate_vib *vibs;
	size_t nvibs, cap;
	vitk_esxupdate_pci_dev *pci;
	size_t npci, pcicap;
	char *profile;
	char *profile_vendor;
	vitk_esxupdate_acceptance acceptance;
	char list_format[16];
	size_t *byname; /* indexes of vibs sorted by name (rebuilt after each parse) */
	size_t nbyname;
};

/* rebuild h->byname; on OOM lookups fall back to a linear scan */
void esxu_host_reindex(vitk_esxupdate_host *h);
/* sorted-string helpers for O(log n) lookups */
int esxu_cmp_strp(const void *a, const void *b);

/* PCI ID tags of a VIB: "PCIID 8086154c" -> vendor/device pairs; returns count written */
size_t esxu_vib_pciids(const vitk_esxupdate_vib *v, uint32_t *ids, size_t cap);

/* ---- simulator result (shared by sim.c and audit.c) ---- */
struct vitk_esxupdate_result {
	vitk_esxupdate_op op;
	unsigned flags;
	char *header, *message, *error;
	bool reboot, maint;
	esxu_strv lists[3];
	vitk_esxupdate_change *changes;
	size_t nchanges, ccap;
	esxu_strv assumptions;
	/* for the risk analysis */
	esxu_strv dep_errors, conflict_errors, acc_errors, removal_refused, half_applied;
	bool checks_bypassed; /* -f / --no-sig-check let the operation pass its checks */
	char *profile;        /* profile name used (profile ops) */
};

/* record an undocumented rule applied to this result (deduplicated) */
int esxu_result_assume(vitk_esxupdate_result *r, const char *text);

int vitk_esxupdate_audit_run__inner(vitk_esxupdate_audit **out, const vitk_esxupdate_host *host,
				    const vitk_esxupdate_depot *depot, const vitk_esxupdate_command *cmd);

#endif
