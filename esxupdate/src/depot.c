/* SPDX-License-Identifier: MIT */
/*
 * Depot reader: offline bundle .zip (index.xml -> vendor-index.xml ->
 * metadata zip) and single .vib files (ar), through libarchive.
 *
 * Hostile-input rules: entry count and declared uncompressed size are
 * capped, every entry we inflate is read against a byte cap (zip bombs),
 * names that escape the bundle ('..', absolute, URLs) are refused, XML goes
 * through vitk_esxupdate__xml_read() (no DTD, no entities, no network).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <openssl/evp.h>

#include "esxu.h"

#define STORE_MAX_TOTAL ((uint64_t)512 << 20) /* bytes kept in memory per bundle */

struct entry {
	char *name;
	char *data; /* NULL when not kept */
	size_t len;
	int64_t size;
	char sha256[65]; /* hex digest of a streamed .vib entry, "" if not computed */
};

struct entries {
	struct entry *ptr; /* a vitk/array.h array: ptr, size, asize */
	size_t size, asize;
	uint64_t kept;
	bool sorted; /* v is sorted by name: bsearch */
};

struct vib_index {
	/* open-addressing hash of VIB id -> index, so 2000-VIB depots stay linear */
	size_t *slots;
	size_t cap;
};

struct vitk_esxupdate_depot {
	char *path;
	char sha256[65];
	const char *kind;
	VITK_ARRAY(vitk_esxupdate_vib) vibs;
	VITK_ARRAY(vitk_esxupdate_bulletin) bulletins;
	VITK_ARRAY(vitk_esxupdate_profile) profiles;
	VITK_ARRAY(vitk_esxupdate_image) images;
	vitk_esxupdate_depot_options opts;
	struct vib_index ix;
	esxu_strv notes; /* members the reader skipped ("Unrecognized file ...") */
	esxu_strv unread; /* profiles a host lists in the depot that the reader did not find */
};

static void entries_dispose(struct entries *es)
{
	size_t i;

	for (i = 0; i < es->size; i++) {
		free(es->ptr[i].name);
		free(es->ptr[i].data);
	}
	vitk_array_clear(*es);
	memset(es, 0, sizeof(*es));
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static const struct entry *entries_find(const struct entries *es, const char *name)
{
	size_t i;

	if (es->size == 0)
		return NULL;
	if (es->sorted) {
		struct entry key;

		key.name = (char *)name;
		return bsearch(&key, es->ptr, es->size, sizeof(*es->ptr), cmp_entry);
	}
	for (i = 0; i < es->size; i++)
		if (strcmp(es->ptr[i].name, name) == 0)
			return &es->ptr[i];
	return NULL;
}

/* a relative path that stays inside the archive; "./" prefixes are dropped */
static bool name_is_safe(const char *name)
{
	const char *p = name;

	if (!*name || name[0] == '/' || name[0] == '\\' || strstr(name, "://") ||
	    (isalpha((unsigned char)name[0]) && name[1] == ':'))
		return false;
	while (*p) {
		const char *e = p;

		while (*e && *e != '/' && *e != '\\')
			e++;
		if (e - p == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p = *e ? e + 1 : e;
	}
	return true;
}

static const char *strip_dot(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	return name;
}

/*
 * Read the entries of an archive already opened in @a.  Entries whose name
 * satisfies keep() are inflated into memory (each under @keep_cap bytes).
 */
static bool ends_with_ci(const char *s, const char *sfx)
{
	size_t a = strlen(s), b = strlen(sfx);

	return a >= b && strcasecmp(s + a - b, sfx) == 0;
}

/* sha-256 of an entry's data, streamed (VIB payloads are never kept in memory) */
static int hash_entry(struct archive *a, struct entry *e, const char *what)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[32], buf[65536];
	unsigned int mdlen = 0, i;
	int64_t total = 0;
	int r = 0;

	if (!ctx)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (;;) {
		la_ssize_t got = archive_read_data(a, buf, sizeof(buf));

		if (got < 0) {
			r = vitk_error_set(VITK_EINVAL, 0, "%s: entry '%s' is corrupt or truncated: %s", what,
					   e->name, archive_error_string(a) ? archive_error_string(a) : "read error");
			goto out;
		}
		if (got == 0)
			break;
		total += got;
		if (e->size >= 0 && total > e->size) {
			r = vitk_error_set(VITK_ERANGE, 0, "%s: entry '%s' inflates beyond its declared %lld bytes (zip bomb?): refused",
					   what, e->name, (long long)e->size);
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)got);
	}
	if (e->size >= 0 && total != e->size) {
		r = vitk_error_set(VITK_EINVAL, 0, "%s: entry '%s' is truncated: %lld of %lld bytes", what,
				   e->name, (long long)total, (long long)e->size);
		goto out;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	for (i = 0; i < 32; i++)
		snprintf(e->sha256 + 2 * i, 3, "%02x", md[i]);
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

/* inflate a kept entry into e->data (NUL-terminated), at most @keep_cap bytes */
static int inflate_entry(struct archive *a, struct entry *e, const char *what, size_t keep_cap,
			 uint64_t *kept)
{
	vitk_str buf = VITK_STR_INIT;
	char chunk[65536];
	int r = 0;

	for (;;) {
		la_ssize_t got = archive_read_data(a, chunk, sizeof(chunk));

		if (got < 0) {
			r = vitk_error_set(VITK_EINVAL, 0, "%s: entry '%s' is corrupt or truncated: %s", what,
					   e->name, archive_error_string(a) ? archive_error_string(a) : "read error");
			goto out;
		}
		if (got == 0)
			break;
		if ((size_t)got > keep_cap - buf.size) {
			r = vitk_error_set(VITK_ERANGE, 0, "%s: entry '%s' inflates beyond %zu bytes (zip bomb?): refused",
					   what, e->name, keep_cap);
			goto out;
		}
		r = vitk_str_put(&buf, chunk, (size_t)got);
		if (r < 0)
			goto out;
	}
	if (e->size >= 0 && (int64_t)buf.size != e->size) {
		r = vitk_error_set(VITK_EINVAL, 0, "%s: entry '%s' is truncated: %zu of %lld bytes", what,
				   e->name, buf.size, (long long)e->size);
		goto out;
	}
	*kept += buf.size;
	if (*kept > STORE_MAX_TOTAL) {
		r = vitk_error_set(VITK_ERANGE, 0, "%s: metadata larger than %llu bytes in total: refused", what,
				   (unsigned long long)STORE_MAX_TOTAL);
		goto out;
	}
	e->len = buf.size;
	e->data = vitk_str_detach(&buf);
	if (!e->data)
		r = VITK_ENOMEM;
out:
	vitk_str_clear(&buf);
	return r;
}

static int read_entries(struct archive *a, struct entries *es, const char *what,
			const vitk_esxupdate_depot_options *o, bool (*keep)(const char *name),
			size_t keep_cap, bool hash_vibs)
{
	struct archive_entry *ae;
	uint64_t declared = 0;
	int r;

	for (;;) {
		const char *name;
		struct entry *e;
		int64_t sz;

		r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return vitk_error_set(VITK_EINVAL, 0, "%s: corrupt or truncated archive: %s",
					      what, archive_error_string(a) ? archive_error_string(a) : "unknown error");
		name = archive_entry_pathname(ae);
		if (!name)
			return vitk_error_set(VITK_EINVAL, 0, "%s: entry %zu has no name", what, es->size + 1);
		if (!name_is_safe(name))
			return vitk_error_set(VITK_EINVAL, 0,
					      "%s: entry '%s' escapes the archive (absolute path or '..'): refused",
					      what, name);
		if (es->size >= o->max_entries)
			return vitk_error_set(VITK_ERANGE, 0, "%s: more than %zu entries: refused", what,
					      o->max_entries);
		if (archive_entry_filetype(ae) == AE_IFDIR)
			continue;
		if (archive_entry_filetype(ae) != AE_IFREG)
			return vitk_error_set(VITK_EINVAL, 0, "%s: entry '%s' is not a regular file: refused",
					      what, name);
		sz = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : -1;
		if (sz > 0) {
			declared += (uint64_t)sz;
			if (declared > o->max_total)
				return vitk_error_set(VITK_ERANGE, 0,
						      "%s: declared uncompressed size exceeds %llu bytes at entry '%s' (zip bomb?)",
						      what, (unsigned long long)o->max_total, name);
		}
		e = vitk_array_push(*es);
		if (!e)
			return VITK_ENOMEM;
		e->name = vitk_esxupdate__strdup(strip_dot(name));
		if (!e->name)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		e->size = sz;
		if (!keep(e->name)) {
			if (hash_vibs && ends_with_ci(e->name, ".vib")) {
				r = hash_entry(a, e, what);
				if (r < 0)
					return r;
			}
			continue;
		}
		if (sz > (int64_t)keep_cap)
			return vitk_error_set(VITK_ERANGE, 0,
					      "%s: entry '%s' declares %lld bytes, over the %zu byte limit",
					      what, e->name, (long long)sz, keep_cap);
		r = inflate_entry(a, e, what, keep_cap, &es->kept);
		if (r < 0)
			return r;

	}
	return 0;
}

static bool ends_with(const char *s, const char *sfx)
{
	size_t a = strlen(s), b = strlen(sfx);

	return a >= b && strcasecmp(s + a - b, sfx) == 0;
}

static bool keep_outer(const char *name)
{
	return ends_with(name, ".xml") || ends_with(name, ".zip");
}

static bool keep_xml(const char *name)
{
	return ends_with(name, ".xml");
}

/*
 * Members of a metadata zip are classified by their folder, never by their
 * extension (docs/esxupdate-facts.md, "metadata.zip"): VMware's writer names
 * image profiles "profiles/<name><hash>" without one.
 */
enum meta_kind {
	META_UNKNOWN = 0,
	META_VIB,           /* vibs/ */
	META_PROFILE,       /* profiles/ */
	META_BULLETIN,      /* bulletins/ */
	META_NOTIFICATIONS, /* notifications.xml: recognised, not used */
	META_VMWARE_XML,    /* vmware.xml: read only when there is no vibs/ or bulletins/ folder */
	META_BASEIMAGE,     /* baseimages/ (7.0+, form not confirmed: read tolerantly) */
	META_ADDON,         /* addons/ */
	META_MANIFEST       /* manifests/ */
};

static enum meta_kind meta_classify(const char *name)
{
	static const struct {
		const char *prefix;
		enum meta_kind kind;
	} folders[] = {
		{ "vibs/", META_VIB },
		{ "profiles/", META_PROFILE },
		{ "bulletins/", META_BULLETIN },
		{ "baseimages/", META_BASEIMAGE },
		{ "addons/", META_ADDON },
		{ "manifests/", META_MANIFEST },
	};
	size_t i;

	for (i = 0; i < VITK_ARRAY_SIZE(folders); i++)
		if (strncmp(name, folders[i].prefix, strlen(folders[i].prefix)) == 0)
			return name[strlen(folders[i].prefix)] ? folders[i].kind : META_UNKNOWN;
	if (strcmp(name, "notifications.xml") == 0)
		return META_NOTIFICATIONS;
	if (strcmp(name, "vmware.xml") == 0)
		return META_VMWARE_XML;
	return META_UNKNOWN;
}

static bool keep_meta(const char *name)
{
	enum meta_kind k = meta_classify(name);

	return k != META_UNKNOWN && k != META_NOTIFICATIONS;
}

static struct archive *zip_reader(void)
{
	struct archive *a = archive_read_new();

	if (a)
		archive_read_support_format_zip_seekable(a);
	return a;
}

/* ----------------------------------------------------------- accessors */

const char *vitk_esxupdate_depot_path(const vitk_esxupdate_depot *d)
{
	return d->path;
}

const char *vitk_esxupdate_depot_sha256(const vitk_esxupdate_depot *d)
{
	return d->sha256;
}

const char *vitk_esxupdate_depot_kind(const vitk_esxupdate_depot *d)
{
	return d->kind;
}

size_t vitk_esxupdate_depot_vib_count(const vitk_esxupdate_depot *d)
{
	return d ? d->vibs.size : 0;
}

const vitk_esxupdate_vib *vitk_esxupdate_depot_vib(const vitk_esxupdate_depot *d, size_t i)
{
	return d && i < d->vibs.size ? &d->vibs.ptr[i] : NULL;
}

static uint64_t hash_str(const char *s);

const vitk_esxupdate_vib *vitk_esxupdate_depot_find_id(const vitk_esxupdate_depot *d, const char *id)
{
	size_t i;

	if (d && d->ix.cap) {
		size_t slot = hash_str(id) & (d->ix.cap - 1);

		while (d->ix.slots[slot] != (size_t)-1) {
			if (strcmp(d->vibs.ptr[d->ix.slots[slot]].id, id) == 0)
				return &d->vibs.ptr[d->ix.slots[slot]];
			slot = (slot + 1) & (d->ix.cap - 1);
		}
		return NULL;
	}
	for (i = 0; d && i < d->vibs.size; i++)
		if (strcmp(d->vibs.ptr[i].id, id) == 0)
			return &d->vibs.ptr[i];
	return NULL;
}

size_t vitk_esxupdate_depot_bulletin_count(const vitk_esxupdate_depot *d)
{
	return d ? d->bulletins.size : 0;
}

const vitk_esxupdate_bulletin *vitk_esxupdate_depot_bulletin(const vitk_esxupdate_depot *d, size_t i)
{
	return d && i < d->bulletins.size ? &d->bulletins.ptr[i] : NULL;
}

size_t vitk_esxupdate_depot_profile_count(const vitk_esxupdate_depot *d)
{
	return d ? d->profiles.size : 0;
}

const vitk_esxupdate_profile *vitk_esxupdate_depot_profile(const vitk_esxupdate_depot *d, size_t i)
{
	return d && i < d->profiles.size ? &d->profiles.ptr[i] : NULL;
}

const vitk_esxupdate_profile *vitk_esxupdate_depot_find_profile(const vitk_esxupdate_depot *d,
								const char *name)
{
	size_t i;

	for (i = 0; d && i < d->profiles.size; i++)
		if (strcmp(d->profiles.ptr[i].name, name) == 0)
			return &d->profiles.ptr[i];
	return NULL;
}

void vitk_esxupdate_depot_free(vitk_esxupdate_depot *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->vibs.size; i++)
		vitk_esxupdate__vib_dispose(&d->vibs.ptr[i]);
	vitk_array_clear(d->vibs);
	for (i = 0; i < d->bulletins.size; i++)
		vitk_esxupdate__bulletin_dispose(&d->bulletins.ptr[i]);
	vitk_array_clear(d->bulletins);
	for (i = 0; i < d->profiles.size; i++)
		vitk_esxupdate__profile_dispose(&d->profiles.ptr[i]);
	vitk_array_clear(d->profiles);
	for (i = 0; i < d->images.size; i++)
		vitk_esxupdate__image_dispose(&d->images.ptr[i]);
	vitk_array_clear(d->images);
	free(d->ix.slots);
	vitk_esxupdate__strv_dispose(&d->notes);
	vitk_esxupdate__strv_dispose(&d->unread);
	free(d->path);
	free(d);
}

size_t vitk_esxupdate_depot_image_count(const vitk_esxupdate_depot *d)
{
	return d ? d->images.size : 0;
}

const vitk_esxupdate_image *vitk_esxupdate_depot_image(const vitk_esxupdate_depot *d, size_t i)
{
	return d && i < d->images.size ? &d->images.ptr[i] : NULL;
}

int vitk_esxupdate__depot_unread(vitk_esxupdate_depot *d, const char *name)
{
	return vitk_esxupdate__strv_has(&d->unread, name) ? 0 : vitk_esxupdate__strv_add(&d->unread, name);
}

size_t vitk_esxupdate_depot_unread_profile_count(const vitk_esxupdate_depot *d)
{
	return d ? d->unread.size : 0;
}

const char *vitk_esxupdate_depot_unread_profile(const vitk_esxupdate_depot *d, size_t i)
{
	return d && i < d->unread.size ? d->unread.ptr[i] : NULL;
}

size_t vitk_esxupdate_depot_note_count(const vitk_esxupdate_depot *d)
{
	return d ? d->notes.size : 0;
}

const char *vitk_esxupdate_depot_note(const vitk_esxupdate_depot *d, size_t i)
{
	return d && i < d->notes.size ? d->notes.ptr[i] : NULL;
}

/* ------------------------------------------------------------ building */


static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* fields a VIB record lacks, moved over from another record of the same VIB */
static void take_missing(vitk_esxupdate_vib *keep, vitk_esxupdate_vib *other)
{
	if (!keep->relative_path) {
		keep->relative_path = other->relative_path;
		other->relative_path = NULL;
	}
	if (!keep->sha256) {
		keep->sha256 = other->sha256;
		other->sha256 = NULL;
	}
	if (keep->reboot_required == VITK_ESXUPDATE_UNSET)
		keep->reboot_required = other->reboot_required;
}

static int depot_add_vib(vitk_esxupdate_depot *d, struct vib_index *ix, vitk_esxupdate_vib *v,
			 bool authoritative)
{
	size_t slot, i;

	if (ix->cap == 0 || d->vibs.size * 2 >= ix->cap) {
		size_t ncap = ix->cap ? ix->cap * 2 : 256;
		size_t *ns = malloc(ncap * sizeof(*ns));

		if (!ns)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		for (i = 0; i < ncap; i++)
			ns[i] = (size_t)-1;
		for (i = 0; i < d->vibs.size; i++) {
			slot = hash_str(d->vibs.ptr[i].id) & (ncap - 1);
			while (ns[slot] != (size_t)-1)
				slot = (slot + 1) & (ncap - 1);
			ns[slot] = i;
		}
		free(ix->slots);
		ix->slots = ns;
		ix->cap = ncap;
	}
	slot = hash_str(v->id) & (ix->cap - 1);
	while (ix->slots[slot] != (size_t)-1) {
		vitk_esxupdate_vib *o = &d->vibs.ptr[ix->slots[slot]];

		if (strcmp(o->id, v->id) == 0) {
			/* descriptor beats an inline summary; keep the richer fields */
			if (authoritative) {
				take_missing(v, o);
				vitk_esxupdate__vib_dispose(o);
				*o = *v;
			} else {
				take_missing(o, v);
				vitk_esxupdate__vib_dispose(v);
			}
			memset(v, 0, sizeof(*v));
			return 0;
		}
		slot = (slot + 1) & (ix->cap - 1);
	}
	if (vitk_array_grow(d->vibs, 1) < 0)
		return VITK_ENOMEM;
	ix->slots[slot] = d->vibs.size;
	d->vibs.ptr[d->vibs.size++] = *v;
	memset(v, 0, sizeof(*v));
	return 0;
}

static int depot_add_bulletin(vitk_esxupdate_depot *d, vitk_esxupdate_bulletin *b)
{
	size_t i;

	for (i = 0; i < d->bulletins.size; i++)
		if (strcmp(d->bulletins.ptr[i].id, b->id) == 0) {
			vitk_esxupdate__bulletin_dispose(b);
			return 0;
		}
	if (vitk_array_grow(d->bulletins, 1) < 0)
		return VITK_ENOMEM;
	d->bulletins.ptr[d->bulletins.size++] = *b;
	memset(b, 0, sizeof(*b));
	return 0;
}

static int depot_add_profile(vitk_esxupdate_depot *d, vitk_esxupdate_profile *p)
{
	size_t i;

	for (i = 0; i < d->profiles.size; i++)
		if (strcmp(d->profiles.ptr[i].name, p->name) == 0) {
			vitk_esxupdate__profile_dispose(p);
			return 0;
		}
	if (vitk_array_grow(d->profiles, 1) < 0)
		return VITK_ENOMEM;
	d->profiles.ptr[d->profiles.size++] = *p;
	memset(p, 0, sizeof(*p));
	return 0;
}

struct inline_ctx {
	vitk_esxupdate_depot *d;
	struct vib_index *ix;
	const char *what;
	int err;
};

static int add_vib_doc(vitk_esxupdate_depot *d, struct vib_index *ix, const xmlNode *root,
		       const char *what, bool authoritative);

static void on_inline_vib(void *vctx, const xmlNode *vibnode)
{
	struct inline_ctx *c = vctx;

	if (c->err == 0)
		c->err = add_vib_doc(c->d, c->ix, vibnode, c->what, false);
}

static int add_vib_doc(vitk_esxupdate_depot *d, struct vib_index *ix, const xmlNode *root,
		       const char *what, bool authoritative)
{
	vitk_esxupdate_vib v;
	int r;

	memset(&v, 0, sizeof(v));
	v.maintenance_mode = v.live_install = v.live_remove = v.reboot_required = VITK_ESXUPDATE_UNSET;
	r = vitk_esxupdate__vib_from_xml(&v, root, what);
	if (r == 0)
		r = depot_add_vib(d, ix, &v, authoritative);
	vitk_esxupdate__vib_dispose(&v);
	return r;
}

static int add_bulletin_doc(vitk_esxupdate_depot *d, struct vib_index *ix, const xmlNode *root,
			    const char *what, bool inline_vibs)
{
	vitk_esxupdate_bulletin b;
	struct inline_ctx ic = { d, ix, what, 0 };
	int r;

	memset(&b, 0, sizeof(b));
	r = vitk_esxupdate__bulletin_from_xml(&b, root, what, inline_vibs ? on_inline_vib : NULL, &ic);
	if (r == 0)
		r = ic.err;
	if (r == 0)
		r = depot_add_bulletin(d, &b);
	vitk_esxupdate__bulletin_dispose(&b);
	return r;
}

static int add_profile_doc(vitk_esxupdate_depot *d, const xmlNode *root, const char *what,
			   const char *member)
{
	vitk_esxupdate_profile p;
	int r;

	memset(&p, 0, sizeof(p));
	r = vitk_esxupdate__profile_from_xml(&p, root, what);
	if (r == 0) {
		p.document = vitk_esxupdate__strdup(member);
		if (!p.document)
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	if (r == 0)
		r = depot_add_profile(d, &p);
	vitk_esxupdate__profile_dispose(&p);
	return r;
}

/* vmware.xml (legacy clients' copy): bulletins with inline VIBs, and the profiles older depots put there */
static int load_vmware_xml(vitk_esxupdate_depot *d, struct vib_index *ix, const xmlNode *root,
			   const char *what, const char *member)
{
	const xmlNode *n;
	int r = 0;

	for (n = root->children; n && r == 0; n = n->next) {
		char ck[32];

		if (n->type != XML_ELEMENT_NODE)
			continue;
		vitk_esxupdate__xml_key(n, ck, sizeof(ck));
		if (strcmp(ck, "bulletin") == 0)
			r = add_bulletin_doc(d, ix, n, what, true);
		else if (strcmp(ck, "imageprofile") == 0)
			r = add_profile_doc(d, n, what, member);
	}
	return r;
}

/* one member of the metadata zip, of the kind its folder says */
static int load_meta_doc(vitk_esxupdate_depot *d, struct vib_index *ix, const struct entry *e,
			 enum meta_kind kind, const char *what)
{
	static const char *const roots[] = {
		[META_VIB] = "vib", [META_PROFILE] = "imageprofile", [META_BULLETIN] = "bulletin",
		[META_VMWARE_XML] = "metadataresponse",
	};
	static const esxu_xml_kind kinds[] = {
		[META_VIB] = ESXU_XML_VIB, [META_PROFILE] = ESXU_XML_PROFILE, [META_BULLETIN] = ESXU_XML_BULLETIN,
		[META_VMWARE_XML] = ESXU_XML_VMWARE_XML,
	};
	xmlDoc *doc = NULL;
	xmlNode *root;
	char k[32];
	int r;

	r = vitk_esxupdate__xml_read(&doc, e->data, e->len, vitk_esxupdate__xml_max(kinds[kind], d->opts.max_xml),
				     what);
	if (r < 0)
		return r;
	root = xmlDocGetRootElement(doc);
	vitk_esxupdate__xml_key(root, k, sizeof(k));
	if (strcmp(k, roots[kind]) != 0)
		r = vitk_error_set(VITK_EINVAL, 0, "%s: root element is <%s>, expected <%s> in this folder",
				   what, (const char *)root->name, roots[kind]);
	else if (kind == META_VIB)
		r = add_vib_doc(d, ix, root, what, true);
	else if (kind == META_BULLETIN)
		r = add_bulletin_doc(d, ix, root, what, false);
	else if (kind == META_PROFILE)
		r = add_profile_doc(d, root, what, e->name);
	else
		r = load_vmware_xml(d, ix, root, what, e->name);
	xmlFreeDoc(doc);
	return r;
}

/* a base image / add-on / manifest: kept when it reads as one, else a note (the form is not confirmed) */
static int load_image_doc(vitk_esxupdate_depot *d, const struct entry *e, enum meta_kind k, const char *what)
{
	vitk_esxupdate_image im;
	char *note;
	int r;

	memset(&im, 0, sizeof(im));
	im.kind = k == META_BASEIMAGE ? VITK_ESXUPDATE_IMAGE_BASE
		  : k == META_ADDON  ? VITK_ESXUPDATE_IMAGE_ADDON
				     : VITK_ESXUPDATE_IMAGE_MANIFEST;
	r = vitk_esxupdate__image_from_json(&im, e->data, e->len, what);
	if (r == VITK_EINVAL) {
		vitk_esxupdate__image_dispose(&im);
		note = vitk_esxupdate__printf("%s: not read (%s)", what, vitk_error_last()->message);
		r = note ? vitk_esxupdate__strv_add(&d->notes, note) : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		free(note);
		return r;
	}
	if (r == 0 && !(im.document = vitk_esxupdate__strdup(e->name)))
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (r == 0 && vitk_array_append(d->images, im) < 0)
		r = VITK_ENOMEM;
	if (r < 0)
		vitk_esxupdate__image_dispose(&im);
	return r;
}

static int note_unrecognized(vitk_esxupdate_depot *d, const char *what, const char *member)
{
	char *s = vitk_esxupdate__printf("%s: unrecognized file '%s' skipped", what, member);
	int r;

	if (!s)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	r = vitk_esxupdate__strv_add(&d->notes, s);
	free(s);
	return r;
}

/* vibs/, bulletins/, profiles/; vmware.xml only when neither vibs/ nor bulletins/ exists */
static int load_meta_entries(vitk_esxupdate_depot *d, struct vib_index *ix, const struct entries *es,
			     const char *what)
{
	bool folders = false;
	size_t i;
	int r = 0;

	for (i = 0; i < es->size; i++) {
		enum meta_kind k = meta_classify(es->ptr[i].name);

		folders = folders || k == META_VIB || k == META_BULLETIN;
	}
	for (i = 0; i < es->size && r == 0; i++) {
		const struct entry *e = &es->ptr[i];
		enum meta_kind k = meta_classify(e->name);
		char *ewhat;

		if (k == META_UNKNOWN) {
			r = note_unrecognized(d, what, e->name);
			continue;
		}
		if (k == META_NOTIFICATIONS || (k == META_VMWARE_XML && folders) || !e->data)
			continue;
		ewhat = vitk_esxupdate__printf("%s entry '%s'", what, e->name);
		if (!ewhat)
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		else if (k == META_BASEIMAGE || k == META_ADDON || k == META_MANIFEST)
			r = load_image_doc(d, e, k, ewhat);
		else
			r = load_meta_doc(d, ix, e, k, ewhat);
		free(ewhat);
	}
	return r;
}

static int load_metadata_zip(vitk_esxupdate_depot *d, struct vib_index *ix, const struct entry *mz,
			     const char *bundle)
{
	struct archive *a = NULL;
	struct entries es = { 0 };
	char *what;
	int r;

	what = vitk_esxupdate__printf("%s: metadata zip '%s'", bundle, mz->name);
	if (!what)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (mz->len < 4 || memcmp(mz->data, "PK", 2) != 0) {
		r = vitk_error_set(VITK_EINVAL, 0, "%s: not a zip archive", what);
		goto out;
	}
	a = zip_reader();
	if (!a) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	if (archive_read_open_memory(a, mz->data, mz->len) != ARCHIVE_OK) {
		r = vitk_error_set(VITK_EINVAL, 0, "%s: not a readable zip archive: %s", what,
				   archive_error_string(a) ? archive_error_string(a) : "unknown");
		goto out;
	}
	r = read_entries(a, &es, what, &d->opts, keep_meta, d->opts.max_xml, false);
	if (r == 0)
		r = load_meta_entries(d, ix, &es, what);
out:
	if (a)
		archive_read_free(a);
	entries_dispose(&es);
	free(what);
	return r;
}

/*
 * Every VIB an image profile names must be in the depot (esximage refuses
 * such metadata too: "VIBs ... from image profile ... cannot be found").
 */
static int check_profiles(const vitk_esxupdate_depot *d, const char *path)
{
	size_t i, k;

	for (i = 0; i < d->profiles.size; i++) {
		const vitk_esxupdate_profile *p = &d->profiles.ptr[i];

		for (k = 0; k < p->nvib_ids; k++)
			if (!vitk_esxupdate_depot_find_id(d, p->vib_ids[k]))
				return vitk_error_set(VITK_EINVAL, 0,
						      "'%s': metadata member '%s': VIBs %s from image profile '%s' cannot be found in metadata",
						      path, p->document ? p->document : "?", p->vib_ids[k], p->name);
	}
	return 0;
}

/* join a directory prefix (may be empty) and a relative name; refuse escapes */
static int join_rel(char **out, const char *dir, const char *rel, const char *bundle,
		    const char *where, const char *field)
{
	char *s;

	*out = NULL;
	if (!rel || !*rel)
		return vitk_error_set(VITK_EINVAL, 0, "'%s': %s has an empty <%s>", bundle, where, field);
	if (!name_is_safe(rel) || (dir && *dir && !name_is_safe(dir)))
		return vitk_error_set(VITK_EINVAL, 0,
				      "'%s': %s <%s> '%s' points outside the bundle: refused", bundle,
				      where, field, rel);
	rel = strip_dot(rel);
	if (dir && *dir)
		s = vitk_esxupdate__printf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", rel);
	else
		s = vitk_esxupdate__strdup(rel);
	if (!s)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	*out = s;
	return 0;
}

static int load_bundle(vitk_esxupdate_depot *d, const char *path)
{
	struct archive *a = NULL;
	struct entries es = { 0 };
	xmlDoc *idx = NULL, *vidx = NULL;
	esxu_strv metas = { 0 }, vdirs = { 0 }, vseen = { 0 };
	const struct entry *e;
	xmlNode *root, *vn, *mn;
	char *vpath = NULL, *mpath = NULL, *vdir = NULL, what[600];
	size_t i;
	int r;

	a = zip_reader();
	if (!a)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s': not a readable zip archive: %s", path,
				   archive_error_string(a) ? archive_error_string(a) : "unknown");
		goto out;
	}
	snprintf(what, sizeof(what), "'%s'", path);
	r = read_entries(a, &es, what, &d->opts, keep_outer, d->opts.max_metadata, d->opts.verify_vibs);
	if (r < 0)
		goto out;
	if (es.size > 1)
		qsort(es.ptr, es.size, sizeof(*es.ptr), cmp_entry);
	es.sorted = true;
	e = entries_find(&es, "index.xml");
	if (!e) {
		r = vitk_error_set(VITK_ENOTFOUND, 0,
				   "'%s': no index.xml at the top of the bundle: not an offline bundle",
				   path);
		goto out;
	}
	snprintf(what, sizeof(what), "'%s': index.xml", path);
	r = vitk_esxupdate__xml_read(&idx, e->data, e->len, vitk_esxupdate__xml_max(ESXU_XML_INDEX, d->opts.max_xml),
				     what);
	if (r < 0)
		goto out;
	root = xmlDocGetRootElement(idx);
	for (vn = root->children; vn; vn = vn->next) {
		char k[32], *indexfile, *relpath;

		if (vn->type != XML_ELEMENT_NODE)
			continue;
		vitk_esxupdate__xml_key(vn, k, sizeof(k));
		if (strcmp(k, "vendor") != 0)
			continue;
		indexfile = vitk_esxupdate__xml_child_text(vn, "indexfile");
		relpath = vitk_esxupdate__xml_child_text(vn, "relativepath");
		free(vpath);
		vpath = NULL;
		r = join_rel(&vpath, relpath, indexfile, path, "index.xml", "indexfile");
		free(indexfile);
		if (r == 0 && !vitk_esxupdate__strv_has(&vdirs, relpath ? relpath : ""))
			r = vitk_esxupdate__strv_add(&vdirs, relpath ? relpath : "");
		free(relpath);
		if (r < 0)
			goto out;
		/* a vendor index named twice is read once (no work multiplied by repetition) */
		if (vitk_esxupdate__strv_has(&vseen, vpath))
			continue;
		r = vitk_esxupdate__strv_add(&vseen, vpath);
		if (r < 0)
			goto out;
		e = entries_find(&es, vpath);
		if (!e || !e->data) {
			r = vitk_error_set(VITK_ENOTFOUND, 0,
					   "'%s': index.xml names vendor index '%s' but the bundle has no such entry",
					   path, vpath);
			goto out;
		}
		snprintf(what, sizeof(what), "'%s': %s", path, vpath);
		xmlFreeDoc(vidx);
		vidx = NULL;
		r = vitk_esxupdate__xml_read(&vidx, e->data, e->len,
					     vitk_esxupdate__xml_max(ESXU_XML_INDEX, d->opts.max_xml), what);
		if (r < 0)
			goto out;
		free(vdir);
		vdir = vitk_esxupdate__strdup(vpath);
		if (!vdir) {
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			goto out;
		}
		*(strrchr(vdir, '/') ? strrchr(vdir, '/') : vdir) = '\0';
		for (mn = xmlDocGetRootElement(vidx)->children; mn; mn = mn->next) {
			char mk[32], *url;
			char where[300];

			if (mn->type != XML_ELEMENT_NODE)
				continue;
			vitk_esxupdate__xml_key(mn, mk, sizeof(mk));
			if (strcmp(mk, "metadata") != 0)
				continue;
			url = vitk_esxupdate__xml_child_text(mn, "url");
			vitk_esxupdate__strlcpy(where, vpath, sizeof(where));
			free(mpath);
			mpath = NULL;
			r = join_rel(&mpath, vdir, url, path, where, "url");
			free(url);
			if (r < 0)
				goto out;
			e = entries_find(&es, mpath);
			if (!e || !e->data) {
				r = vitk_error_set(VITK_ENOTFOUND, 0,
						   "'%s': %s names metadata '%s' but the bundle has no such entry",
						   path, vpath, mpath);
				goto out;
			}
			if (!vitk_esxupdate__strv_has(&metas, mpath)) {
				r = vitk_esxupdate__strv_add(&metas, mpath);
				if (r < 0)
					goto out;
			}
		}
		free(vpath);
		vpath = NULL;
	}
	if (vdirs.size == 0) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s': index.xml lists no <vendor>", path);
		goto out;
	}
	if (metas.size == 0) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s': the vendor index lists no <metadata> <url>",
				   path);
		goto out;
	}
	for (i = 0; i < metas.size; i++) {
		r = load_metadata_zip(d, &d->ix, entries_find(&es, metas.ptr[i]), path);
		if (r < 0)
			goto out;
	}
	r = check_profiles(d, path);
	if (r < 0)
		goto out;
	/* which VIB files are really in the bundle */
	for (i = 0; i < d->vibs.size; i++) {
		vitk_esxupdate_vib *v = &d->vibs.ptr[i];
		size_t k;

		const struct entry *fe;

		if (!v->relative_path)
			continue;
		fe = entries_find(&es, strip_dot(v->relative_path));
		if (fe) {
			v->file_present = true;
			if (v->sha256 && fe->sha256[0]) {
				v->checksum_verified = true;
				v->checksum_mismatch = strcasecmp(v->sha256, fe->sha256) != 0;
			}
			continue;
		}
		for (k = 0; k < vdirs.size && !v->file_present; k++) {
			char *j = NULL;

			if (!*vdirs.ptr[k] || !name_is_safe(v->relative_path))
				continue;
			if (join_rel(&j, vdirs.ptr[k], v->relative_path, path, "", "") == 0 &&
			    entries_find(&es, j))
				v->file_present = true;
			free(j);
			vitk_error_clear();
		}
	}
	r = 0;
out:
	vitk_esxupdate__strv_dispose(&metas);
	vitk_esxupdate__strv_dispose(&vdirs);
	vitk_esxupdate__strv_dispose(&vseen);
	free(vpath);
	free(mpath);
	free(vdir);
	xmlFreeDoc(idx);
	xmlFreeDoc(vidx);
	entries_dispose(&es);
	if (a)
		archive_read_free(a);
	return r;
}

/* ------------------------------------------- sources profile get (text) */

int vitk_esxupdate_depot_add_profile_text(vitk_esxupdate_depot *d, const char *buf, size_t len,
					  const char *what)
{
	vitk_esxupdate_profile p;
	const char *line = buf, *end = buf + len;
	size_t lineno = 0, i;
	int r = 0;

	memset(&p, 0, sizeof(p));
	p.source = "sources-profile-get";
	if (len > VITK_ESXUPDATE_INPUT_MAX || memchr(buf, '\0', len))
		return vitk_error_set(VITK_EINVAL, 0, "%s: not `esxcli software sources profile get` text", what);
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		const char *colon = memchr(line, ':', n);
		char key[32];

		lineno++;
		if (colon && n && (line[0] == ' ' || line[0] == '\t')) {
			char *val = vitk_esxupdate__trim_dup(colon + 1, (size_t)(line + n - colon - 1));

			vitk_esxupdate__norm_key(key, sizeof(key), line, (size_t)(colon - line));
			if (!val) {
				r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
				goto out;
			}
			if (strcmp(key, "name") == 0) {
				free(p.name);
				p.name = val;
				val = NULL;
			} else if (strcmp(key, "vendor") == 0) {
				free(p.vendor);
				p.vendor = val;
				val = NULL;
			} else if (strcmp(key, "acceptancelevel") == 0) {
				p.acceptance = vitk_esxupdate_acceptance_parse(val);
			} else if (strcmp(key, "vibs") == 0) {
				const char *q = val;

				while (q && *q && r == 0) {
					const char *c = strchr(q, ',');
					char *item = vitk_esxupdate__trim_dup(q, c ? (size_t)(c - q) : strlen(q));
					char *sp = item ? strchr(item, ' ') : NULL;
					const vitk_esxupdate_vib *v = NULL;

					if (item && *item) {
						if (!sp) {
							r = vitk_error_set(VITK_EINVAL, 0,
									   "%s line %zu: VIBs entry '%s' is not 'name version'",
									   what, lineno, item);
						} else {
							*sp = '\0';
							for (i = 0; i < d->vibs.size && !v; i++)
								if (strcmp(d->vibs.ptr[i].name, item) == 0 &&
								    strcmp(d->vibs.ptr[i].version, sp + 1) == 0)
									v = &d->vibs.ptr[i];
							if (!v)
								r = vitk_error_set(VITK_EINVAL, 0,
										   "%s line %zu: VIB '%s %s' is not in the depot",
										   what, lineno, item, sp + 1);
							else
								r = vitk_esxupdate__strlist_add(&p.vib_ids, &p.nvib_ids, v->id);
						}
					}
					free(item);
					q = c ? c + 1 : NULL;
				}
			}
			free(val);
			if (r < 0)
				goto out;
		}
		line = nl ? nl + 1 : end;
	}
	if (!p.name || !*p.name || p.nvib_ids == 0) {
		r = vitk_error_set(VITK_EINVAL, 0, "%s: no 'Name:' and 'VIBs:' fields: not `esxcli software sources profile get` output",
				   what);
		goto out;
	}
	/* a capture of a profile the reader missed: it is no longer unread */
	for (i = 0; i < d->unread.size; i++)
		if (strcmp(d->unread.ptr[i], p.name) == 0) {
			free(d->unread.ptr[i]);
			d->unread.ptr[i] = d->unread.ptr[--d->unread.size];
			break;
		}
	/* replace a profile of the same name */
	for (i = 0; i < d->profiles.size; i++)
		if (strcmp(d->profiles.ptr[i].name, p.name) == 0) {
			vitk_esxupdate__profile_dispose(&d->profiles.ptr[i]);
			d->profiles.ptr[i] = p;
			memset(&p, 0, sizeof(p));
			goto out;
		}
	r = depot_add_profile(d, &p);
out:
	vitk_esxupdate__profile_dispose(&p);
	return r;
}

/* ------------------------------------------------------------ .vib (ar) */

/* walk the ar headers ourselves first so truncation is reported exactly */
static int ar_precheck(FILE *f, uint64_t fsize, const char *path)
{
	char hdr[60], name[17];
	uint64_t off = 8;
	unsigned n = 0;

	while (off < fsize) {
		unsigned long long sz;
		char szs[11], *end = NULL;

		if (fseeko(f, (off_t)off, SEEK_SET) != 0)
			return vitk_error_set(VITK_EIO, errno, "'%s': seek failed", path);
		if (fsize - off < 60 || fread(hdr, 1, 60, f) != 60)
			return vitk_error_set(VITK_EINVAL, 0,
					      "'%s': truncated ar archive: member header %u cut short at offset %llu",
					      path, n + 1, (unsigned long long)off);
		memcpy(name, hdr, 16);
		name[16] = '\0';
		for (int k = 15; k >= 0 && (name[k] == ' ' || name[k] == '/'); k--)
			name[k] = '\0';
		if (hdr[58] != '`' || hdr[59] != '\n')
			return vitk_error_set(VITK_EINVAL, 0,
					      "'%s': corrupt ar archive: bad header magic for member %u ('%s')",
					      path, n + 1, name);
		memcpy(szs, hdr + 48, 10);
		szs[10] = '\0';
		sz = strtoull(szs, &end, 10);
		if (end == szs)
			return vitk_error_set(VITK_EINVAL, 0, "'%s': corrupt ar archive: member '%s' has no size",
					      path, name);
		off += 60;
		if (sz > fsize - off)
			return vitk_error_set(VITK_EINVAL, 0,
					      "'%s': truncated ar archive: member '%s' declares %llu bytes, only %llu remain",
					      path, name, sz, (unsigned long long)(fsize - off));
		off += sz + (sz & 1);
		if (++n > 4096)
			return vitk_error_set(VITK_ERANGE, 0, "'%s': more than 4096 ar members", path);
	}
	if (n == 0)
		return vitk_error_set(VITK_EINVAL, 0, "'%s': empty ar archive (no descriptor.xml)", path);
	return 0;
}

static int load_vib(vitk_esxupdate_depot *d, const char *path, FILE *f, uint64_t fsize)
{
	struct archive *a = NULL;
	struct entries es = { 0 };
	vitk_esxupdate_vib v;
	char what[600];
	int r;

	memset(&v, 0, sizeof(v));
	r = ar_precheck(f, fsize, path);
	if (r < 0)
		return r;
	a = archive_read_new();
	if (!a)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	archive_read_support_format_ar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s': not a readable ar archive: %s", path,
				   archive_error_string(a) ? archive_error_string(a) : "unknown");
		goto out;
	}
	snprintf(what, sizeof(what), "'%s'", path);
	r = read_entries(a, &es, what, &d->opts, keep_xml, d->opts.max_xml, false);
	if (r < 0)
		goto out;
	if (es.size == 0 || strcmp(es.ptr[0].name, "descriptor.xml") != 0) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s': first ar member is '%s', expected descriptor.xml",
				   path, es.size ? es.ptr[0].name : "(none)");
		goto out;
	}
	if (!entries_find(&es, "sig.pkcs7")) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s': no sig.pkcs7 member", path);
		goto out;
	}
	snprintf(what, sizeof(what), "'%s': descriptor.xml", path);
	{
		xmlDoc *doc = NULL;
		char k[16];

		r = vitk_esxupdate__xml_read(&doc, es.ptr[0].data, es.ptr[0].len,
					     vitk_esxupdate__xml_max(ESXU_XML_VIB, d->opts.max_xml), what);
		if (r < 0)
			goto out;
		vitk_esxupdate__xml_key(xmlDocGetRootElement(doc), k, sizeof(k));
		if (strcmp(k, "vib") != 0)
			r = vitk_error_set(VITK_EINVAL, 0, "%s: root element is not <vib>", what);
		else {
			v.maintenance_mode = v.live_install = v.live_remove = v.reboot_required =
				VITK_ESXUPDATE_UNSET;
			r = vitk_esxupdate__vib_from_xml(&v, xmlDocGetRootElement(doc), what);
		}
		xmlFreeDoc(doc);
		if (r < 0)
			goto out;
	}
	v.file_present = true;
	r = depot_add_vib(d, &d->ix, &v, true);
out:
	vitk_esxupdate__vib_dispose(&v);
	entries_dispose(&es);
	if (a)
		archive_read_free(a);
	return r;
}

/* ------------------------------------------------------------- open */

static int sha256_file(FILE *f, char out[65], const char *path)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[32], buf[65536];
	unsigned int mdlen = 0, i;
	size_t n;
	int r = 0;

	if (!ctx)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		r = vitk_error_set(VITK_ERROR, 0, "sha256 unavailable");
		goto out;
	}
	rewind(f);
	for (;;) {
		n = fread(buf, 1, sizeof(buf), f);
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, buf, n);
	}
	if (ferror(f)) {
		r = vitk_error_set(VITK_EIO, errno, "'%s': read error", path);
		goto out;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

/* is the End Of Central Directory record present in the last 64 KiB + 22 bytes? */
static int zip_has_eocd(FILE *f, uint64_t fsize, bool *out)
{
	size_t tail = fsize < 65557 ? (size_t)fsize : 65557, i;
	unsigned char *buf = malloc(tail ? tail : 1);

	*out = false;
	if (!buf)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (fseeko(f, (off_t)(fsize - tail), SEEK_SET) != 0 || fread(buf, 1, tail, f) != tail) {
		free(buf);
		return vitk_error_set(VITK_EIO, errno, "read error");
	}
	for (i = tail >= 22 ? tail - 22 + 1 : 0; i-- > 0;)
		if (buf[i] == 'P' && buf[i + 1] == 'K' && buf[i + 2] == 5 && buf[i + 3] == 6) {
			*out = true;
			break;
		}
	free(buf);
	return 0;
}

int vitk_esxupdate_depot_open(vitk_esxupdate_depot **out, const char *path,
			      const vitk_esxupdate_depot_options *opts)
{
	vitk_esxupdate_depot *d = NULL;
	FILE *f = NULL;
	struct stat st;
	unsigned char magic[8] = { 0 };
	size_t got;
	int r;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (opts)
		d->opts = *opts;
	else {
		vitk_esxupdate_depot_options o = VITK_ESXUPDATE_DEPOT_OPTIONS_INIT;

		d->opts = o;
	}
	d->path = vitk_esxupdate__strdup(path);
	if (!d->path) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	f = fopen(path, "rb");
	if (!f) {
		r = vitk_error_set(errno == ENOENT ? VITK_ENOTFOUND : VITK_EIO, errno,
				   "cannot open '%s'", path);
		goto out;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s' is not a regular file", path);
		goto out;
	}
	r = sha256_file(f, d->sha256, path);
	if (r < 0)
		goto out;
	rewind(f);
	got = fread(magic, 1, sizeof(magic), f);
	if (got >= 8 && memcmp(magic, "!<arch>\n", 8) == 0) {
		d->kind = "vib";
		r = load_vib(d, path, f, (uint64_t)st.st_size);
	} else if (got >= 4 && magic[0] == 'P' && magic[1] == 'K' &&
		   ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6))) {
		bool eocd;

		d->kind = "bundle";
		r = zip_has_eocd(f, (uint64_t)st.st_size, &eocd);
		if (r == 0 && !eocd)
			r = vitk_error_set(VITK_EINVAL, 0,
					   "'%s': truncated zip: end of central directory record not found",
					   path);
		if (r == 0)
			r = load_bundle(d, path);
	} else {
		r = vitk_error_set(VITK_EINVAL, 0,
				   "'%s' is neither an offline bundle (zip) nor a VIB (ar): unknown file signature",
				   path);
	}
	if (r < 0)
		goto out;
	if (d->vibs.size == 0) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s': the depot holds no VIB", path);
		goto out;
	}
	*out = d;
	d = NULL;
out:
	if (f)
		fclose(f);
	vitk_esxupdate_depot_free(d);
	return r;
}
