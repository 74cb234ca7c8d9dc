/* SPDX-License-Identifier: MIT */
/*
 * Depot metadata: VIB descriptors (descriptor.xml, metadata vibs/ entries and
 * the inline <vib> summaries of vmware.xml), bulletins and image profiles.
 * Element names are normalised (lowercase, '-', '_' dropped) so that the
 * descriptor spelling <relative-path> and the vmware.xml spelling
 * <relativePath> are one key; unknown elements are ignored.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "esxu.h"

static int set_str(char **dst, char *val)
{
	if (!val)
		return 0;
	free(*dst);
	*dst = val;
	return 0;
}

static int read_constraints(vitk_esxupdate_constraints *c, const xmlNode *list, const char *what,
			    const char *field)
{
	const xmlNode *n;
	int r = 0;

	for (n = list ? list->children : NULL; n; n = n->next) {
		char k[32], *name = NULL, *rel = NULL, *ver = NULL;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		vitk_esxupdate__xml_key(n, k, sizeof(k));
		if (strcmp(k, "constraint") && strcmp(k, "provide"))
			continue;
		name = vitk_esxupdate__xml_attr(n, "name");
		rel = vitk_esxupdate__xml_attr(n, "relation");
		ver = vitk_esxupdate__xml_attr(n, "version");
		if (!name || !*name) {
			r = vitk_error_set(VITK_EINVAL, 0, "%s: <%s> constraint without a name", what,
					   field);
		} else if (ver && *ver && vitk_esxupdate_version_check(ver) < 0) {
			r = vitk_error_prefix("%s: <%s> constraint '%s': ", what, field, name);
		} else if (rel && *rel && !vitk_esxupdate__relation_holds(rel, 0) && !vitk_esxupdate__relation_holds(rel, 1) &&
			   !vitk_esxupdate__relation_holds(rel, -1)) {
			r = vitk_error_set(VITK_EINVAL, 0, "%s: <%s> constraint '%s': bad relation '%s'",
					   what, field, name, rel);
		} else {
			/* provides carry "version" without relation: "= version" */
			r = vitk_esxupdate__constraints_add(c, name, rel ? rel : (ver && *ver ? "=" : ""), ver);
		}
		free(name);
		free(rel);
		free(ver);
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_tags(vitk_esxupdate_vib *v, const xmlNode *list)
{
	const xmlNode *n;
	int r;

	for (n = list ? list->children : NULL; n; n = n->next) {
		char *t;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		t = vitk_esxupdate__xml_text(n);
		if (!t)
			continue;
		r = *t ? vitk_esxupdate__vib_add_tag(v, t) : 0;
		free(t);
		if (r < 0)
			return r;
	}
	return 0;
}

static void read_bool(vitk_esxupdate_bool *dst, const xmlNode *n)
{
	char *t = vitk_esxupdate__xml_text(n);

	if (t) {
		vitk_esxupdate_bool b = vitk_esxupdate__parse_bool(t);

		if (b != VITK_ESXUPDATE_UNSET)
			*dst = b;
	}
	free(t);
}

static int read_checksum(vitk_esxupdate_vib *v, const xmlNode *n)
{
	/* <checksum><checksum-type>sha-256</checksum-type><checksum>hex</checksum></checksum> */
	char *type = vitk_esxupdate__xml_child_text(n, "checksumtype");
	xmlNode *inner = vitk_esxupdate__xml_child(n, "checksum");

	if (type && (strcmp(type, "sha-256") == 0 || strcmp(type, "sha256") == 0) && inner)
		set_str(&v->sha256, vitk_esxupdate__xml_text(inner));
	free(type);
	return 0;
}

int vitk_esxupdate__vib_from_xml(vitk_esxupdate_vib *v, const xmlNode *root, const char *what)
{
	const xmlNode *n;
	int r = 0;

	for (n = root->children; n; n = n->next) {
		char k[48];

		if (n->type != XML_ELEMENT_NODE)
			continue;
		vitk_esxupdate__xml_key(n, k, sizeof(k));
		if (strcmp(k, "name") == 0)
			set_str(&v->name, vitk_esxupdate__xml_text(n));
		else if (strcmp(k, "version") == 0)
			set_str(&v->version, vitk_esxupdate__xml_text(n));
		else if (strcmp(k, "vendor") == 0)
			set_str(&v->vendor, vitk_esxupdate__xml_text(n));
		else if (strcmp(k, "type") == 0 || strcmp(k, "vibtype") == 0)
			set_str(&v->type, vitk_esxupdate__xml_text(n));
		else if (strcmp(k, "vibid") == 0)
			set_str(&v->id, vitk_esxupdate__xml_text(n));
		else if (strcmp(k, "summary") == 0)
			set_str(&v->summary, vitk_esxupdate__xml_text(n));
		else if (strcmp(k, "acceptancelevel") == 0) {
			char *t = vitk_esxupdate__xml_text(n);

			v->acceptance = vitk_esxupdate_acceptance_parse(t);
			free(t);
		} else if (strcmp(k, "relationships") == 0) {
			v->has_relations = true;
			r = read_constraints(&v->depends, vitk_esxupdate__xml_child(n, "depends"), what, "depends");
			if (r == 0)
				r = read_constraints(&v->conflicts, vitk_esxupdate__xml_child(n, "conflicts"), what,
						     "conflicts");
			if (r == 0)
				r = read_constraints(&v->replaces, vitk_esxupdate__xml_child(n, "replaces"), what,
						     "replaces");
			if (r == 0)
				r = read_constraints(&v->provides, vitk_esxupdate__xml_child(n, "provides"), what,
						     "provides");
		} else if (strcmp(k, "softwaretags") == 0) {
			v->has_relations = true;
			r = read_tags(v, n);
		} else if (strcmp(k, "systemrequires") == 0 || strcmp(k, "systemreqs") == 0) {
			read_bool(&v->maintenance_mode, vitk_esxupdate__xml_child(n, "maintenancemode"));
		} else if (strcmp(k, "postinstall") == 0) {
			read_bool(&v->reboot_required, vitk_esxupdate__xml_child(n, "rebootrequired"));
		} else if (strcmp(k, "liveinstallallowed") == 0) {
			read_bool(&v->live_install, n);
		} else if (strcmp(k, "liveremoveallowed") == 0) {
			read_bool(&v->live_remove, n);
		} else if (strcmp(k, "relativepath") == 0) {
			set_str(&v->relative_path, vitk_esxupdate__xml_text(n));
		} else if (strcmp(k, "vibfile") == 0) {
			xmlNode *c = vitk_esxupdate__xml_child(n, "checksum");

			set_str(&v->relative_path, vitk_esxupdate__xml_child_text(n, "relativepath"));
			if (c)
				read_checksum(v, c);
		} else if (strcmp(k, "checksum") == 0) {
			read_checksum(v, n);
		}
		if (r < 0)
			return r;
	}
	return vitk_esxupdate__vib_complete(v, what);
}

/*
 * One metadata document whose root element must be <@root_key> (normalised);
 * @root_name is the spelling named in the error.  *doc is freed by the caller.
 */
static int read_doc(xmlDoc **doc, xmlNode **root, const char *buf, size_t len, const char *what,
		    esxu_xml_kind kind, const char *root_key, const char *root_name)
{
	char k[32];
	int r;

	*doc = NULL;
	r = vitk_esxupdate__xml_read(doc, buf, len, vitk_esxupdate__xml_max(kind, 0), what);
	if (r < 0)
		return r;
	*root = xmlDocGetRootElement(*doc);
	vitk_esxupdate__xml_key(*root, k, sizeof(k));
	if (strcmp(k, root_key) != 0)
		return vitk_error_set(VITK_EINVAL, 0, "%s: root element is <%s>, expected <%s>", what,
				      (const char *)(*root)->name, root_name);
	return 0;
}

int vitk_esxupdate_vib_parse(vitk_esxupdate_vib **out, const char *buf, size_t len, const char *what)
{
	xmlDoc *doc = NULL;
	vitk_esxupdate_vib *v = NULL;
	xmlNode *root;
	int r;

	*out = NULL;
	r = read_doc(&doc, &root, buf, len, what, ESXU_XML_VIB, "vib", "vib");
	if (r == 0 && !(v = vitk_esxupdate__vib_new()))
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (r == 0)
		r = vitk_esxupdate__vib_from_xml(v, root, what);
	if (r == 0) {
		*out = v;
		v = NULL;
	}
	vitk_esxupdate_vib_free(v);
	xmlFreeDoc(doc);
	return r;
}

/* ---------------------------------------------------------- bulletins */

static int add_id(char ***ids, size_t *n, const char *id)
{
	if (*n >= 100000)
		return vitk_error_set(VITK_ERANGE, 0, "more than 100000 VIB references");
	return vitk_esxupdate__strlist_add(ids, n, id);
}

static bool ids_have_ctl(char *const *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (vitk_esxupdate__has_ctl(ids[i]))
			return true;
	return false;
}

static void free_ids(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

void vitk_esxupdate__bulletin_dispose(vitk_esxupdate_bulletin *b)
{
	free(b->id);
	free(b->vendor);
	free(b->summary);
	free(b->release_type);
	free(b->component_name);
	free(b->component_display_name);
	free(b->component_version);
	free(b->component_display_version);
	free_ids(b->vib_ids, b->nvib_ids);
	memset(b, 0, sizeof(*b));
}

void vitk_esxupdate_bulletin_free(vitk_esxupdate_bulletin *b)
{
	if (!b)
		return;
	vitk_esxupdate__bulletin_dispose(b);
	free(b);
}

int vitk_esxupdate__bulletin_from_xml(vitk_esxupdate_bulletin *b, const xmlNode *root, const char *what,
			   void (*inline_vib)(void *ctx, const xmlNode *vibnode), void *ctx)
{
	const xmlNode *n, *c;
	int r = 0;

	for (n = root->children; n; n = n->next) {
		char k[32];

		if (n->type != XML_ELEMENT_NODE)
			continue;
		vitk_esxupdate__xml_key(n, k, sizeof(k));
		if (strcmp(k, "id") == 0)
			set_str(&b->id, vitk_esxupdate__xml_text(n));
		else if (strcmp(k, "vendor") == 0)
			set_str(&b->vendor, vitk_esxupdate__xml_text(n));
		else if (strcmp(k, "summary") == 0)
			set_str(&b->summary, vitk_esxupdate__xml_text(n));
		else if (strcmp(k, "releasetype") == 0)
			set_str(&b->release_type, vitk_esxupdate__xml_text(n));
		else if (strcmp(k, "componentnamespec") == 0) {
			/* <componentNameSpec name="Intel-i40en" uiString="..."/> (7.0+ components) */
			set_str(&b->component_name, vitk_esxupdate__xml_attr(n, "name"));
			set_str(&b->component_display_name, vitk_esxupdate__xml_attr(n, "uiString"));
		} else if (strcmp(k, "componentversionspec") == 0) {
			char *v = vitk_esxupdate__xml_attr(n, "version");

			if (v && *v && vitk_esxupdate_version_check(v) < 0) {
				free(v);
				return vitk_error_prefix("%s: <componentVersionSpec>: ", what);
			}
			set_str(&b->component_version, v);
			set_str(&b->component_display_version, vitk_esxupdate__xml_attr(n, "uiString"));
		}
		else if (strcmp(k, "viblist") == 0) {
			for (c = n->children; c; c = c->next) {
				char ck[16], *id = NULL;

				if (c->type != XML_ELEMENT_NODE)
					continue;
				vitk_esxupdate__xml_key(c, ck, sizeof(ck));
				if (strcmp(ck, "vibid") == 0)
					id = vitk_esxupdate__xml_text(c);
				else if (strcmp(ck, "vib") == 0) {
					id = vitk_esxupdate__xml_child_text(c, "vibid");
					if (inline_vib)
						inline_vib(ctx, c);
				}
				if (id && *id)
					r = add_id(&b->vib_ids, &b->nvib_ids, id);
				free(id);
				if (r < 0)
					return r;
			}
		}
	}
	if (!b->id || !*b->id)
		return vitk_error_set(VITK_EINVAL, 0, "%s: bulletin without an <id>", what);
	if ((b->component_name && *b->component_name) != (b->component_version && *b->component_version))
		return vitk_error_set(VITK_EINVAL, 0, "%s: bulletin '%s' has a component name or version, not both",
				      what, b->id);
	if (vitk_esxupdate__has_ctl(b->id) || vitk_esxupdate__has_ctl(b->component_name) ||
	    vitk_esxupdate__has_ctl(b->component_version) || ids_have_ctl(b->vib_ids, b->nvib_ids))
		return vitk_error_set(VITK_EINVAL, 0, "%s: bulletin with a control character in its id, component or VIB ids: refused",
				      what);
	return 0;
}

int vitk_esxupdate_bulletin_parse(vitk_esxupdate_bulletin **out, const char *buf, size_t len,
				  const char *what)
{
	xmlDoc *doc = NULL;
	vitk_esxupdate_bulletin *b = NULL;
	xmlNode *root;
	int r;

	*out = NULL;
	r = read_doc(&doc, &root, buf, len, what, ESXU_XML_BULLETIN, "bulletin", "bulletin");
	if (r == 0 && !(b = calloc(1, sizeof(*b))))
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (r == 0)
		r = vitk_esxupdate__bulletin_from_xml(b, root, what, NULL, NULL);
	if (r == 0) {
		*out = b;
		b = NULL;
	}
	vitk_esxupdate_bulletin_free(b);
	xmlFreeDoc(doc);
	return r;
}

/* ----------------------------------------------------------- profiles */

void vitk_esxupdate__profile_dispose(vitk_esxupdate_profile *p)
{
	free(p->name);
	free(p->vendor);
	free(p->description);
	free(p->document);
	free_ids(p->vib_ids, p->nvib_ids);
	memset(p, 0, sizeof(*p));
}

void vitk_esxupdate_profile_free(vitk_esxupdate_profile *p)
{
	if (!p)
		return;
	vitk_esxupdate__profile_dispose(p);
	free(p);
}

/* one <viblist> child: <vib><vib-id>..</vib-id></vib> (esximage), bare <vibid>, or <vib> with vendor/name/version */
static int profile_vib_ref(const xmlNode *c, const char *what, char **out)
{
	char ck[16];
	int r = 0;

	*out = NULL;
	vitk_esxupdate__xml_key(c, ck, sizeof(ck));
	if (strcmp(ck, "vibid") == 0) {
		*out = vitk_esxupdate__xml_text(c);
	} else if (strcmp(ck, "vib") == 0) {
		*out = vitk_esxupdate__xml_child_text(c, "vibid");
		if (!*out) {
			vitk_esxupdate_vib tmp;

			memset(&tmp, 0, sizeof(tmp));
			r = vitk_esxupdate__vib_from_xml(&tmp, c, what);
			if (r == 0 && !(*out = vitk_esxupdate__strdup(tmp.id)))
				r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			vitk_esxupdate__vib_dispose(&tmp);
		}
	}
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* a VIB listed twice is an error (esximage); sorted copy, so a long list costs n log n */
static int profile_no_twice(const vitk_esxupdate_profile *p, const char *what)
{
	char **ids;
	size_t i;
	int r = 0;

	if (p->nvib_ids < 2)
		return 0;
	ids = malloc(p->nvib_ids * sizeof(*ids));
	if (!ids)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	memcpy(ids, p->vib_ids, p->nvib_ids * sizeof(*ids));
	qsort(ids, p->nvib_ids, sizeof(*ids), cmp_str);
	for (i = 1; i < p->nvib_ids && r == 0; i++)
		if (strcmp(ids[i - 1], ids[i]) == 0)
			r = vitk_error_set(VITK_EINVAL, 0, "%s: image profile '%s' lists VIB '%s' twice", what,
					   p->name ? p->name : "?", ids[i]);
	free(ids);
	return r;
}

static int profile_viblist(vitk_esxupdate_profile *p, const xmlNode *list, const char *what)
{
	const xmlNode *c;
	int r = 0;

	for (c = list->children; c && r == 0; c = c->next) {
		char *id = NULL;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		r = profile_vib_ref(c, what, &id);
		if (r == 0 && id && *id)
			r = add_id(&p->vib_ids, &p->nvib_ids, id);
		free(id);
	}
	return r == 0 ? profile_no_twice(p, what) : r;
}

/*
 * An image profile, esximage's schema first (docs/esxupdate-facts.md, "image
 * profile document"): <imageprofile> with <name>, <creator>, <profileID>,
 * <creationtime>, <modifiedtime>, <serialno>, <description>, <readonly>,
 * <viblist><vib><vib-id>..</vib-id></vib>..</viblist>, <acceptancelevel>.
 * Older spellings stay accepted: <imageProfile>, <vendor> for the creator,
 * <hostacceptance>, bare <vibid> and <vib> with vendor/name/version.
 * Element names are normalised, so <vib-id> and <vibid> are one key.
 * Unknown elements are ignored.  name and creator are required; a VIB listed
 * twice is an error.
 */
int vitk_esxupdate__profile_from_xml(vitk_esxupdate_profile *p, const xmlNode *root, const char *what)
{
	const xmlNode *n;
	int r = 0;

	p->source = "profile-xml";
	for (n = root->children; n && r == 0; n = n->next) {
		char k[32];

		if (n->type != XML_ELEMENT_NODE)
			continue;
		vitk_esxupdate__xml_key(n, k, sizeof(k));
		if (strcmp(k, "name") == 0)
			set_str(&p->name, vitk_esxupdate__xml_text(n));
		else if (strcmp(k, "creator") == 0 || strcmp(k, "vendor") == 0) {
			if (!p->vendor || strcmp(k, "vendor") == 0)
				set_str(&p->vendor, vitk_esxupdate__xml_text(n));
		} else if (strcmp(k, "description") == 0)
			set_str(&p->description, vitk_esxupdate__xml_text(n));
		else if (strcmp(k, "hostacceptance") == 0 || strcmp(k, "acceptancelevel") == 0) {
			char *t = vitk_esxupdate__xml_text(n);

			p->acceptance = vitk_esxupdate_acceptance_parse(t);
			free(t);
		} else if (strcmp(k, "viblist") == 0)
			r = profile_viblist(p, n, what);
	}
	if (r < 0)
		return r;
	if (!p->name || !*p->name)
		return vitk_error_set(VITK_EINVAL, 0, "%s: image profile without a <name>", what);
	if (!p->vendor || !*p->vendor)
		return vitk_error_set(VITK_EINVAL, 0, "%s: image profile '%s' without a <creator>", what, p->name);
	if (vitk_esxupdate__has_ctl(p->name) || vitk_esxupdate__has_ctl(p->vendor) || ids_have_ctl(p->vib_ids, p->nvib_ids))
		return vitk_error_set(VITK_EINVAL, 0, "%s: image profile with a control character in its name, creator or VIB ids: refused",
				      what);
	return 0;
}

int vitk_esxupdate_profile_parse(vitk_esxupdate_profile **out, const char *buf, size_t len,
				 const char *what)
{
	xmlDoc *doc = NULL;
	vitk_esxupdate_profile *p = NULL;
	xmlNode *root;
	int r;

	*out = NULL;
	r = read_doc(&doc, &root, buf, len, what, ESXU_XML_PROFILE, "imageprofile", "imageProfile");
	if (r == 0 && !(p = calloc(1, sizeof(*p))))
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (r == 0)
		r = vitk_esxupdate__profile_from_xml(p, root, what);
	if (r == 0) {
		*out = p;
		p = NULL;
	}
	vitk_esxupdate_profile_free(p);
	xmlFreeDoc(doc);
	return r;
}
