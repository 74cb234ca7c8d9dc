/* SPDX-License-Identifier: MIT */
/*
 * ESXi 7.0+ base-image, add-on and manifest documents of a metadata zip
 * (members under baseimages/, addons/, manifests/).  Their on-disk form is
 * not confirmed (docs/esxupdate-facts.md "Components"): JSON objects are read
 * for the fields the vSphere Automation schemas name (display_name, vendor,
 * version, display_version, components[{name, version}],
 * removed_components[{name}]) and the spellings seen in depot tooling
 * (nameSpec{name}, versionSpec{version}, components{name: version},
 * removedComponents); every other key is ignored.  A leaf apart from the
 * string helpers.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "esxu.h"

#define IMAGE_COMPONENTS_MAX 10000

void vitk_esxupdate__image_dispose(vitk_esxupdate_image *im)
{
	size_t i;

	free(im->name);
	free(im->version);
	free(im->display_version);
	free(im->vendor);
	free(im->document);
	for (i = 0; i < im->ncomponents; i++) {
		free(im->components[i].name);
		free(im->components[i].version);
	}
	free(im->components);
	for (i = 0; i < im->nremoved; i++)
		free(im->removed[i]);
	free(im->removed);
	memset(im, 0, sizeof(*im));
}

void vitk_esxupdate_image_free(vitk_esxupdate_image *im)
{
	if (!im)
		return;
	vitk_esxupdate__image_dispose(im);
	free(im);
}

/* the member of @o whose normalised key is @key ("display_name" = "displayName") */
static json_t *member(json_t *o, const char *key)
{
	const char *k;
	json_t *v;
	char nk[64];

	json_object_foreach(o, k, v) {
		vitk_esxupdate__norm_key(nk, sizeof(nk), k, strlen(k));
		if (strcmp(nk, key) == 0)
			return v;
	}
	return NULL;
}

/* a string member, or one inside a {name|version} spec object ("nameSpec": {"name": ...}) */
static int take_str(char **dst, json_t *o, const char *key, const char *spec, const char *inner)
{
	json_t *v = member(o, key);

	if (!json_is_string(v) && spec && json_is_object(member(o, spec)))
		v = member(member(o, spec), inner);
	if (*dst || !json_is_string(v))
		return 0;
	*dst = vitk_esxupdate__strdup(json_string_value(v));
	return *dst ? 0 : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

static int add_component(vitk_esxupdate_image *im, const char *name, const char *version, const char *what)
{
	vitk_esxupdate_component_ref *p;

	if (!name || !*name)
		return 0; /* tolerant: an entry without a name is skipped */
	if (im->ncomponents >= IMAGE_COMPONENTS_MAX)
		return vitk_error_set(VITK_ERANGE, 0, "%s: more than %d components", what, IMAGE_COMPONENTS_MAX);
	p = vitk_esxupdate__list_grow(im->components, im->ncomponents, sizeof(*im->components));
	if (!p)
		return VITK_ENOMEM;
	im->components = p;
	p = &im->components[im->ncomponents++];
	p->name = vitk_esxupdate__strdup(name);
	p->version = version ? vitk_esxupdate__strdup(version) : NULL;
	if (!p->name || (version && !p->version))
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	return 0;
}

/* components: [{name, version}, ...] (REST) or {name: version, ...} */
static int read_components(vitk_esxupdate_image *im, json_t *c, const char *what)
{
	const char *k;
	json_t *v;
	size_t i;
	int r = 0;

	if (json_is_object(c)) {
		json_object_foreach(c, k, v) {
			r = add_component(im, k, json_string_value(v), what);
			if (r < 0)
				return r;
		}
	}
	json_array_foreach(c, i, v) {
		if (!json_is_object(v))
			continue;
		r = add_component(im, json_string_value(member(v, "name")), json_string_value(member(v, "version")), what);
		if (r < 0)
			return r;
	}
	return 0;
}

/* removed_components: [{name}, ...] or ["name", ...] */
static int read_removed(vitk_esxupdate_image *im, json_t *c, const char *what)
{
	json_t *v;
	size_t i;
	int r = 0;

	json_array_foreach(c, i, v) {
		const char *name = json_is_string(v) ? json_string_value(v) : json_string_value(member(v, "name"));

		if (!name || !*name)
			continue;
		if (im->nremoved >= IMAGE_COMPONENTS_MAX)
			return vitk_error_set(VITK_ERANGE, 0, "%s: more than %d removed components", what,
					      IMAGE_COMPONENTS_MAX);
		r = vitk_esxupdate__strlist_add(&im->removed, &im->nremoved, name);
		if (r < 0)
			return r;
	}
	return 0;
}

int vitk_esxupdate__image_from_json(vitk_esxupdate_image *im, const char *buf, size_t len, const char *what)
{
	json_error_t jerr;
	json_t *o = NULL;
	int r;

	if (len > VITK_ESXUPDATE_INPUT_MAX)
		return vitk_error_set(VITK_ERANGE, 0, "%s: larger than %u bytes", what, VITK_ESXUPDATE_INPUT_MAX);
	o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o)) {
		r = vitk_error_set(VITK_EINVAL, 0, "%s: not a JSON object (%s at line %d)", what,
				   o ? "another JSON value" : jerr.text, o ? 1 : jerr.line);
		goto out;
	}
	r = take_str(&im->name, o, "displayname", "namespec", "name");
	if (r == 0)
		r = take_str(&im->name, o, "name", NULL, NULL);
	if (r == 0)
		r = take_str(&im->version, o, "version", "versionspec", "version");
	if (r == 0)
		r = take_str(&im->display_version, o, "displayversion", "versionspec", "uistring");
	if (r == 0)
		r = take_str(&im->vendor, o, "vendor", NULL, NULL);
	if (r == 0)
		r = read_components(im, member(o, "components"), what);
	if (r == 0)
		r = read_removed(im, member(o, "removedcomponents"), what);
	if (r == 0 && !im->name && !im->version)
		r = vitk_error_set(VITK_EINVAL, 0, "%s: no name and no version", what);
out:
	json_decref(o);
	return r;
}

int vitk_esxupdate_image_parse(vitk_esxupdate_image **out, vitk_esxupdate_image_kind kind, const char *buf,
			       size_t len, const char *what)
{
	vitk_esxupdate_image *im = calloc(1, sizeof(*im));
	int r;

	*out = NULL;
	if (!im)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	im->kind = kind;
	r = vitk_esxupdate__image_from_json(im, buf, len, what);
	if (r < 0) {
		vitk_esxupdate_image_free(im);
		return r;
	}
	*out = im;
	return 0;
}

const char *vitk_esxupdate_image_kind_name(vitk_esxupdate_image_kind k)
{
	switch (k) {
	case VITK_ESXUPDATE_IMAGE_BASE: return "base-image";
	case VITK_ESXUPDATE_IMAGE_ADDON: return "add-on";
	case VITK_ESXUPDATE_IMAGE_MANIFEST: return "manifest";
	}
	return "?";
}
