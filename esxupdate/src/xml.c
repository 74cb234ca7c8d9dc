/* SPDX-License-Identifier: MIT */
/*
 * Hardened libxml2 use: network off, no DTD loading, no entity
 * substitution, and documents declaring a DOCTYPE or ENTITY are refused
 * outright (billion laughs, XXE).  Every document has a size cap.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "esxu.h"

static bool has_ci(const char *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	if (len < n)
		return false;
	for (i = 0; i + n <= len; i++)
		if (buf[i] == '<' && strncasecmp(buf + i, needle, n) == 0)
			return true;
	return false;
}

int vitk_esxupdate__xml_read(xmlDoc **out, const char *buf, size_t len, size_t max, const char *what)
{
	xmlParserCtxt *ctx = NULL;
	xmlDoc *doc = NULL;
	int r = 0;

	*out = NULL;
	if (len > max)
		return vitk_error_set(VITK_ERANGE, 0, "%s: XML document of %zu bytes exceeds the %zu byte limit",
				      what, len, max);
	if (len > (size_t)0x7fffffff)
		return vitk_error_set(VITK_ERANGE, 0, "%s: XML document too large", what);
	if (has_ci(buf, len, "<!DOCTYPE"))
		return vitk_error_set(VITK_EINVAL, 0, "%s: XML declares a DTD (<!DOCTYPE>): refused",
				      what);
	if (has_ci(buf, len, "<!ENTITY"))
		return vitk_error_set(VITK_EINVAL, 0, "%s: XML declares an entity (<!ENTITY>): refused",
				      what);
	ctx = xmlNewParserCtxt();
	if (!ctx)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	doc = xmlCtxtReadMemory(ctx, buf, (int)len, NULL, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					XML_PARSE_NOCDATA | XML_PARSE_COMPACT);
	if (!doc) {
		const xmlError *e = xmlCtxtGetLastError(ctx);
		char msg[160] = "not well-formed";

		if (e && e->message) {
			size_t k;

			vitk_esxupdate__strlcpy(msg, e->message, sizeof(msg));
			k = strlen(msg);
			while (k && isspace((unsigned char)msg[k - 1]))
				msg[--k] = '\0';
		}
		r = vitk_error_set(VITK_EINVAL, 0, "%s: malformed XML at line %d: %s", what,
				   e ? e->line : 0, msg);
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		r = vitk_error_set(VITK_EINVAL, 0, "%s: XML declares a DTD: refused", what);
		goto out;
	}
	if (!xmlDocGetRootElement(doc)) {
		r = vitk_error_set(VITK_EINVAL, 0, "%s: XML has no root element", what);
		goto out;
	}
	*out = doc;
	doc = NULL;
out:
	if (doc)
		xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctx);
	return r;
}

void vitk_esxupdate__xml_key(const xmlNode *n, char *dst, size_t cap)
{
	const char *name = n && n->name ? (const char *)n->name : "";

	vitk_esxupdate__norm_key(dst, cap, name, strlen(name));
}

xmlNode *vitk_esxupdate__xml_child(const xmlNode *n, const char *key)
{
	xmlNode *c;
	char k[64];

	if (!n)
		return NULL;
	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		vitk_esxupdate__xml_key(c, k, sizeof(k));
		if (strcmp(k, key) == 0)
			return c;
	}
	return NULL;
}

char *vitk_esxupdate__xml_text(const xmlNode *n)
{
	xmlChar *t;
	char *s;

	if (!n)
		return NULL;
	t = xmlNodeGetContent(n);
	if (!t)
		return NULL;
	s = vitk_esxupdate__trim_dup((const char *)t, strlen((const char *)t));
	xmlFree(t);
	return s;
}

char *vitk_esxupdate__xml_child_text(const xmlNode *n, const char *key)
{
	return vitk_esxupdate__xml_text(vitk_esxupdate__xml_child(n, key));
}

char *vitk_esxupdate__xml_attr(const xmlNode *n, const char *name)
{
	xmlChar *t = xmlGetProp(n, (const xmlChar *)name);
	char *s;

	if (!t)
		return NULL;
	s = vitk_esxupdate__strdup((const char *)t);
	xmlFree(t);
	return s;
}
