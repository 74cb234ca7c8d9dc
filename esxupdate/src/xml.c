/* SPDX-License-Identifier: MIT */
/*
 * Hardened libxml2 use: network off, no DTD loading, no entity
 * substitution, and documents declaring a DOCTYPE or ENTITY are refused
 * outright (billion laughs, XXE).  Every document has a size cap by its kind.
 *
 * Bounded cost: libxml2 2.9 checks an element's attributes for duplicates
 * pair by pair and appends each one to the end of the element's list, so one
 * element with n attributes costs n^2.  A linear pre-scan of the bytes
 * refuses documents with more than XML_ATTRS_MAX attributes on one element,
 * more than XML_DEPTH_MAX open elements or more than XML_NS_MAX namespace
 * declarations before libxml2 sees them; the parse is then linear in the
 * document size (at most XML_ATTRS_MAX steps per attribute).  The bytes are
 * read as UTF-8 whatever the document declares (esximage and esxcli write
 * UTF-8), so the pre-scan and the parser see the same markup.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "esxu.h"

#define XML_ATTRS_MAX 64 /* attributes on one element: esximage writes at most 4 */
#define XML_DEPTH_MAX 64 /* open elements: esximage documents nest about 6 deep */
#define XML_NS_MAX 16    /* xmlns declarations in one document: esximage writes none */

size_t vitk_esxupdate__xml_max(esxu_xml_kind kind, size_t limit)
{
	static const size_t caps[] = {
		[ESXU_XML_INDEX] = ESXU_XML_INDEX_MAX,
		[ESXU_XML_VIB] = ESXU_XML_VIB_MAX,
		[ESXU_XML_BULLETIN] = ESXU_XML_BULLETIN_MAX,
		[ESXU_XML_PROFILE] = ESXU_XML_PROFILE_MAX,
		[ESXU_XML_VMWARE_XML] = ESXU_XML_VMWARE_XML_MAX,
		[ESXU_XML_CAPTURE] = VITK_ESXUPDATE_INPUT_MAX,
	};
	size_t cap = (size_t)kind < VITK_ARRAY_SIZE(caps) ? caps[kind] : ESXU_XML_INDEX_MAX;

	return limit && limit < cap ? limit : cap;
}

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

/* the offset just past @end (a short literal) at or after @i, or @len when it never comes */
static size_t skip_past(const char *buf, size_t len, size_t i, const char *end)
{
	size_t n = strlen(end);

	for (; i + n <= len; i++)
		if (buf[i] == end[0] && memcmp(buf + i, end, n) == 0)
			return i + n;
	return len;
}

/*
 * One start tag from its '<' at @i: its attributes are counted (every '='
 * outside a quoted value), namespace declarations added to *ns.  Returns the
 * offset past its '>' and whether it closes itself; the caller checks the caps.
 */
static size_t scan_tag(const char *buf, size_t len, size_t i, size_t *attrs, size_t *ns, bool *empty)
{
	size_t tok = 0;
	bool in_tok = false;
	char quote = 0;

	*attrs = 0;
	*empty = false;
	for (i++; i < len; i++) {
		char c = buf[i];

		if (quote) {
			if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '"' || c == '\'') {
			quote = c;
			in_tok = false;
		} else if (c == '>') {
			*empty = buf[i - 1] == '/';
			return i + 1;
		} else if (c == '=') {
			(*attrs)++;
			if (len - tok >= 5 && memcmp(buf + tok, "xmlns", 5) == 0)
				(*ns)++;
			in_tok = false;
		} else if (isspace((unsigned char)c)) {
			in_tok = false;
		} else if (!in_tok) {
			tok = i;
			in_tok = true;
		}
	}
	return len;
}

/* refuse, in one pass, what would make libxml2's cost grow faster than the document */
static int prescan(const char *buf, size_t len, const char *what)
{
	size_t i = 0, depth = 0, ns = 0, attrs;
	bool empty;

	if (memchr(buf, '\0', len))
		return vitk_error_set(VITK_EINVAL, 0, "%s: XML with NUL bytes (UTF-16 or UTF-32?): refused", what);
	while (i < len) {
		const char *lt = memchr(buf + i, '<', len - i);

		if (!lt)
			break;
		i = (size_t)(lt - buf);
		if (len - i >= 4 && memcmp(buf + i, "<!--", 4) == 0) {
			i = skip_past(buf, len, i + 4, "-->");
		} else if (len - i >= 9 && memcmp(buf + i, "<![CDATA[", 9) == 0) {
			i = skip_past(buf, len, i + 9, "]]>");
		} else if (len - i >= 2 && buf[i + 1] == '?') {
			i = skip_past(buf, len, i + 2, "?>");
		} else if (len - i >= 2 && (buf[i + 1] == '!' || buf[i + 1] == '/')) {
			if (buf[i + 1] == '/' && depth)
				depth--;
			i = skip_past(buf, len, i + 2, ">");
		} else {
			i = scan_tag(buf, len, i, &attrs, &ns, &empty);
			if (attrs > XML_ATTRS_MAX)
				return vitk_error_set(VITK_ERANGE, 0,
						      "%s: an element with %zu attributes (limit %d): refused",
						      what, attrs, XML_ATTRS_MAX);
			if (ns > XML_NS_MAX)
				return vitk_error_set(VITK_ERANGE, 0,
						      "%s: more than %d namespace declarations: refused", what,
						      XML_NS_MAX);
			if (!empty && ++depth > XML_DEPTH_MAX)
				return vitk_error_set(VITK_ERANGE, 0,
						      "%s: elements nested more than %d deep: refused", what,
						      XML_DEPTH_MAX);
		}
	}
	return 0;
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
	r = prescan(buf, len, what);
	if (r < 0)
		return r;
	ctx = xmlNewParserCtxt();
	if (!ctx)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	doc = xmlCtxtReadMemory(ctx, buf, (int)len, NULL, "UTF-8",
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					XML_PARSE_NOCDATA | XML_PARSE_COMPACT | XML_PARSE_IGNORE_ENC);
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
