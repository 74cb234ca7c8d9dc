/* SPDX-License-Identifier: MIT */
/* Depot reader: offline bundles, single VIBs, metadata parsers and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "esxu.h" /* white box: the XML reader's caps */

static void test_esxupdate_depot__bundle(void **state)
{
	vitk_esxupdate_depot *d = NULL;
	const vitk_esxupdate_vib *v;
	const vitk_esxupdate_profile *p;
	const vitk_esxupdate_bulletin *b;
	size_t i;

	(void)state;
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "ESXi550-201403001.zip", NULL), 0);
	assert_string_equal(vitk_esxupdate_depot_kind(d), "bundle");
	assert_int_equal(strlen(vitk_esxupdate_depot_sha256(d)), 64);
	assert_int_equal(vitk_esxupdate_depot_vib_count(d), 8);
	assert_int_equal(vitk_esxupdate_depot_bulletin_count(d), 5);
	assert_int_equal(vitk_esxupdate_depot_profile_count(d), 3);
	v = vitk_esxupdate_depot_find_id(d, "VMW_bootbank_net-be2net_4.6.100.0v-1vmw.550.0.0.1331820");
	assert_non_null(v);
	assert_string_equal(v->name, "net-be2net");
	assert_string_equal(v->vendor, "VMW");
	assert_int_equal(v->acceptance, VITK_ESXUPDATE_ACC_CERTIFIED);
	assert_true(v->has_relations);
	assert_int_equal(v->depends.count, 2);
	assert_string_equal(v->depends.items[1].relation, ">=");
	assert_int_equal(v->ntags, 4);
	assert_int_equal(v->maintenance_mode, VITK_ESXUPDATE_YES);
	assert_int_equal(v->live_install, VITK_ESXUPDATE_NO);
	/* vmware.xml is the legacy clients' copy: not read when vibs/ exists */
	assert_int_equal(v->reboot_required, VITK_ESXUPDATE_UNSET);
	assert_string_equal(v->relative_path,
			    "vib20/net-be2net/VMW_bootbank_net-be2net_4.6.100.0v-1vmw.550.0.0.1331820.vib");
	assert_true(v->file_present);
	assert_int_equal(strlen(v->sha256), 64);
	assert_true(v->checksum_verified);
	assert_false(v->checksum_mismatch);
	v = vitk_esxupdate_depot_find_id(d, "VMW_bootbank_lsi-mr3_0.255.03.01-2vmw.550.1.16.1746018");
	assert_non_null(v);
	assert_int_equal(v->replaces.count, 1);
	assert_string_equal(v->replaces.items[0].name, "scsi-megaraid-perc9");
	v = vitk_esxupdate_depot_find_id(d, "VMware_bootbank_esx-base_5.5.0-1.16.1746018");
	assert_int_equal(v->provides.count, 4);
	assert_string_equal(v->provides.items[0].name, "vmkapi_2_2_0_0");
	assert_string_equal(v->provides.items[2].name, "vmkapi_2_0_0_0");
	assert_string_equal(v->provides.items[3].version, "9.2.2.0");
	p = vitk_esxupdate_depot_find_profile(d, "ESXi-5.5.0-20140302001-standard");
	assert_non_null(p);
	assert_int_equal(p->nvib_ids, 8);
	assert_string_equal(p->vendor, "VMware, Inc.");
	assert_int_equal(p->acceptance, VITK_ESXUPDATE_ACC_PARTNER);
	assert_string_equal(p->source, "profile-xml");
	/* member named as esximage writes it: quoted name + hash, no extension */
	assert_non_null(p->document);
	assert_memory_equal(p->document, "profiles/ESXi-5.5.0-20140302001-standard", 40);
	assert_null(strstr(p->document, ".xml"));
	for (i = 0; i < p->nvib_ids; i++)
		assert_non_null(vitk_esxupdate_depot_find_id(d, p->vib_ids[i]));
	assert_int_equal(vitk_esxupdate_depot_find_profile(d, "ESXi-5.5.0-20140302001-no-tools")->nvib_ids, 7);
	b = NULL;
	for (i = 0; i < vitk_esxupdate_depot_bulletin_count(d); i++)
		if (strcmp(vitk_esxupdate_depot_bulletin(d, i)->id, "ESXi550-201403401-BG") == 0)
			b = vitk_esxupdate_depot_bulletin(d, i);
	assert_non_null(b);
	assert_int_equal(b->nvib_ids, 2);
	assert_string_equal(b->release_type, "patch");
	/* vendor-index.xml inside the metadata zip is not a metadata document: a note for -v */
	assert_int_equal(vitk_esxupdate_depot_note_count(d), 1);
	assert_non_null(strstr(vitk_esxupdate_depot_note(d, 0), "unrecognized file 'vendor-index.xml' skipped"));
	vitk_esxupdate_depot_free(d);
}

/* the shapes older fixtures and depots have stay readable, with the same content */
static void test_esxupdate_depot__older_shapes(void **state)
{
	static const char *const files[] = { "legacy-depot.zip", "vmwarexml-depot.zip" };
	size_t i;

	(void)state;
	for (i = 0; i < VITK_ARRAY_SIZE(files); i++) {
		vitk_esxupdate_depot *d = NULL;
		char path[256];
		const vitk_esxupdate_profile *p;

		snprintf(path, sizeof(path), DEPOTFX "%s", files[i]);
		if (vitk_esxupdate_depot_open(&d, path, NULL) != 0)
			fail_msg("%s: %s", files[i], vitk_error_last()->message);
		assert_int_equal(vitk_esxupdate_depot_vib_count(d), 8);
		assert_int_equal(vitk_esxupdate_depot_bulletin_count(d), 5);
		assert_int_equal(vitk_esxupdate_depot_profile_count(d), 3);
		p = vitk_esxupdate_depot_find_profile(d, "ESXi-5.5.0-20140302001-standard");
		assert_non_null(p);
		assert_int_equal(p->nvib_ids, 8);
		assert_int_equal(p->acceptance, VITK_ESXUPDATE_ACC_PARTNER);
		assert_string_equal(p->vendor, "VMware, Inc.");
		vitk_esxupdate_depot_free(d);
	}
}

/* a profile naming a VIB that is not in the depot: an error naming both (and the member) */
static void test_esxupdate_depot__profile_missing_vib(void **state)
{
	vitk_esxupdate_depot *d = NULL;

	(void)state;
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "missing-vib.zip", NULL), VITK_EINVAL);
	assert_null(d);
	assert_non_null(strstr(vitk_error_last()->message,
			       "': metadata member 'profiles/ESXi-5.5.0-20140302001-standard"));
	assert_non_null(strstr(vitk_error_last()->message,
			       ": VIBs VMware_bootbank_net-bnx2x_1.78.80.v55.3-1vmw.550.0.0.1331820 from image profile "
			       "'ESXi-5.5.0-20140302001-standard' cannot be found in metadata"));
}

/* 7.0+ image documents: read for the schema's fields, a member that is not one becomes a note */
static void test_esxupdate_depot__image_documents(void **state)
{
	vitk_esxupdate_depot *d = NULL;
	const vitk_esxupdate_image *im;
	size_t i;
	bool noted = false;

	(void)state;
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "VMware-ESXi-8.0U2-22380479-depot.zip", NULL), 0);
	assert_int_equal(vitk_esxupdate_depot_image_count(d), 1);
	im = vitk_esxupdate_depot_image(d, 0);
	assert_int_equal(im->kind, VITK_ESXUPDATE_IMAGE_BASE);
	assert_string_equal(im->name, "ESXi");
	assert_string_equal(im->version, "8.0.2-0.0.22380479");
	assert_string_equal(im->display_version, "8.0 U2 - 22380479");
	assert_int_equal(im->ncomponents, 3);
	assert_string_equal(im->components[2].name, "Intel-i40en");
	assert_string_equal(im->components[2].version, "1.8.1.137-1vmw.802.0.0.22380479");
	assert_string_equal(im->document, "baseimages/ESXi-8.0.2-0.0.22380479.json");
	vitk_esxupdate_depot_free(d);
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "HPE-Custom-AddOn_802.0.0.11.5.0-6-depot.zip", NULL), 0);
	assert_int_equal(vitk_esxupdate_depot_image_count(d), 1);
	im = vitk_esxupdate_depot_image(d, 0);
	assert_int_equal(im->kind, VITK_ESXUPDATE_IMAGE_ADDON);
	assert_string_equal(im->name, "HPE-Custom-AddOn");
	assert_string_equal(im->version, "802.0.0.11.5.0-6");
	assert_string_equal(im->vendor, "Hewlett Packard Enterprise");
	assert_int_equal(im->ncomponents, 2);
	assert_string_equal(im->components[1].name, "MRVL-E4-CNA-Driver-Bundle");
	assert_int_equal(im->nremoved, 1);
	assert_string_equal(im->removed[0], "VMware-qedentv");
	for (i = 0; i < vitk_esxupdate_depot_note_count(d); i++)
		noted |= strstr(vitk_esxupdate_depot_note(d, i), "entry 'manifests/hpe-hsp.xml': not read (") != NULL;
	assert_true(noted);
	vitk_esxupdate_depot_free(d);
}

static void test_esxupdate_depot__tampered_vib(void **state)
{
	vitk_esxupdate_depot_options o = VITK_ESXUPDATE_DEPOT_OPTIONS_INIT;
	vitk_esxupdate_depot *d = NULL;

	(void)state;
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "tampered.zip", NULL), 0);
	assert_true(vitk_esxupdate_depot_vib(d, 0)->checksum_verified);
	assert_true(vitk_esxupdate_depot_vib(d, 0)->checksum_mismatch);
	vitk_esxupdate_depot_free(d);
	o.verify_vibs = false;
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "tampered.zip", &o), 0);
	assert_false(vitk_esxupdate_depot_vib(d, 0)->checksum_verified);
	vitk_esxupdate_depot_free(d);
}

static void test_esxupdate_depot__profile_sources(void **state)
{
	vitk_esxupdate_depot *d = NULL;
	const vitk_esxupdate_profile *p;
	size_t len;
	char *txt = tu_read(HOSTFX "sources-profile-get.txt", &len);
	static const char bad[] = "X\n   Name: X\n   VIBs: esx-base 9.9-9\n";

	(void)state;
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "bulletin-only.zip", NULL), 0);
	/* no profile document: a bulletin is never turned into a profile */
	assert_int_equal(vitk_esxupdate_depot_profile_count(d), 0);
	assert_int_equal(vitk_esxupdate_depot_bulletin_count(d), 1);
	(void)p;
	/* the operator's capture of `sources profile get` adds the real profile */
	assert_int_equal(vitk_esxupdate_depot_add_profile_text(d, txt, len, "spg.txt"), 0);
	p = vitk_esxupdate_depot_find_profile(d, "ESXi-5.5.0-20140302001-no-tools");
	assert_non_null(p);
	assert_string_equal(p->source, "sources-profile-get");
	assert_int_equal(p->nvib_ids, 7);
	assert_int_equal(p->acceptance, VITK_ESXUPDATE_ACC_PARTNER);
	assert_string_equal(p->vib_ids[0], "VMware_bootbank_esx-base_5.5.0-1.16.1746018");
	assert_int_equal(vitk_esxupdate_depot_add_profile_text(d, bad, strlen(bad), "b.txt"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message, "b.txt line 3: VIB 'esx-base 9.9-9' is not in the depot");
	assert_int_equal(vitk_esxupdate_depot_add_profile_text(d, "nothing\n", 8, "n.txt"), VITK_EINVAL);
	assert_int_equal(vitk_esxupdate_depot_profile_count(d), 1);
	/* the host's `sources profile list` names -standard too: no document was read for it */
	free(txt);
	txt = tu_read(HOSTFX "sources-profile-list.txt", &len);
	assert_int_equal(vitk_esxupdate_depot_check_profile_list(d, txt, len, "spl.txt"), 0);
	assert_int_equal(vitk_esxupdate_depot_unread_profile_count(d), 1);
	assert_string_equal(vitk_esxupdate_depot_unread_profile(d, 0), "ESXi-5.5.0-20140302001-standard");
	assert_int_equal(vitk_esxupdate_depot_check_profile_list(d, "x\n", 2, "n.txt"), VITK_EINVAL);
	free(txt);
	vitk_esxupdate_depot_free(d);
}

static void test_esxupdate_depot__single_vib(void **state)
{
	vitk_esxupdate_depot *d = NULL;

	(void)state;
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "net-be2net.vib", NULL), 0);
	assert_string_equal(vitk_esxupdate_depot_kind(d), "vib");
	assert_int_equal(vitk_esxupdate_depot_vib_count(d), 1);
	assert_string_equal(vitk_esxupdate_depot_vib(d, 0)->id,
			    "VMW_bootbank_net-be2net_4.6.100.0v-1vmw.550.0.0.1331820");
	assert_int_equal(vitk_esxupdate_depot_profile_count(d), 0);
	vitk_esxupdate_depot_free(d);
}

struct bad {
	const char *file;
	int code;
	const char *msg; /* exact message after the quoted path */
};

static void test_esxupdate_depot__bad_input(void **state)
{
	static const struct bad cases[] = {
		{ "notzip.zip", VITK_EINVAL, "' is neither an offline bundle (zip) nor a VIB (ar): unknown file signature" },
		{ "truncated.zip", VITK_EINVAL, "': truncated zip: end of central directory record not found" },
		{ "zipslip.zip", VITK_EINVAL, "': entry '../../evil.xml' escapes the archive (absolute path or '..'): refused" },
		{ "zipbomb.zip", VITK_ERANGE, "': entry 'big.xml' declares 80000000 bytes, over the 67108864 byte limit" },
		{ "dtd.zip", VITK_EINVAL, "': index.xml: XML declares a DTD (<!DOCTYPE>): refused" },
		{ "bigindex.zip", VITK_ERANGE, "': index.xml: XML document of 868972 bytes exceeds the 65536 byte limit" },
		{ "attrs.zip", VITK_ERANGE, "': index.xml: an element with 5000 attributes (limit 64): refused" },
		{ "novendor.zip", VITK_ENOTFOUND, "': index.xml names vendor index 'vendor-index.xml' but the bundle has no such entry" },
		{ "outside.zip", VITK_EINVAL, "': vendor-index.xml <url> '../metadata.zip' points outside the bundle: refused" },
		{ "remote-url.zip", VITK_EINVAL, "': vendor-index.xml <url> 'http://hostupdate.example.com/metadata.zip' points outside the bundle: refused" },
		{ "truncated.vib", VITK_EINVAL, "': truncated ar archive: member 'net-be2n' declares 67 bytes, only 28 remain" },
		{ "missing.zip", VITK_ENOTFOUND, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vitk_esxupdate_depot *d = (vitk_esxupdate_depot *)0x1;
		char path[256], want[512];
		int r;

		snprintf(path, sizeof(path), DEPOTFX "%s", cases[i].file);
		r = vitk_esxupdate_depot_open(&d, path, NULL);
		if (r != cases[i].code)
			fail_msg("%s: rc %d, want %d (%s)", cases[i].file, r, cases[i].code,
				 vitk_error_last()->message);
		assert_null(d);
		if (!cases[i].msg)
			continue;
		snprintf(want, sizeof(want), "'%s%s", path, cases[i].msg);
		assert_string_equal(vitk_error_last()->message, want);
	}
}

/* a buffer of @n elements <e a0="" ... /> with @per attributes each, inside <r> */
static char *attrs_doc(size_t n, size_t per, size_t *len)
{
	size_t cap = 64 + n * (8 + per * 12), o = 0, i, k;
	char *b = malloc(cap);

	assert_non_null(b);
	o += (size_t)snprintf(b + o, cap - o, "<r>");
	for (i = 0; i < n; i++) {
		o += (size_t)snprintf(b + o, cap - o, "<e");
		for (k = 0; k < per; k++)
			o += (size_t)snprintf(b + o, cap - o, " a%zu=\"\"", k);
		o += (size_t)snprintf(b + o, cap - o, "/>");
	}
	o += (size_t)snprintf(b + o, cap - o, "</r>");
	*len = o;
	return b;
}

/*
 * issue 10: XML cost is linear in the document.  One element with 1M
 * attributes is refused by the pre-scan (libxml2 2.9 would spend n^2 on it);
 * the same 1M attributes spread 10 per element parse.  Outcomes only, no timing.
 */
static void test_esxupdate_depot__xml_bounded(void **state)
{
	xmlDoc *doc = NULL;
	size_t len, i;
	char *b, deep[2 * 70 * 4 + 1] = "", ns[16 * 24 + 32] = "<r";

	(void)state;
	b = attrs_doc(1, 1000000, &len);
	assert_int_equal(vitk_esxupdate__xml_read(&doc, b, len, vitk_esxupdate__xml_max(ESXU_XML_VMWARE_XML, 0), "big"),
			 VITK_ERANGE);
	assert_string_equal(vitk_error_last()->message, "big: an element with 1000000 attributes (limit 64): refused");
	assert_null(doc);
	free(b);

	b = attrs_doc(100000, 10, &len);
	assert_int_equal(vitk_esxupdate__xml_read(&doc, b, len, vitk_esxupdate__xml_max(ESXU_XML_VMWARE_XML, 0), "many"),
			 0);
	assert_non_null(doc);
	assert_non_null(xmlDocGetRootElement(doc)->last);
	assert_non_null(xmlDocGetRootElement(doc)->last->properties);
	xmlFreeDoc(doc);
	doc = NULL;
	/* the same document as an index is over the 64 KiB cap of its kind */
	assert_int_equal(vitk_esxupdate__xml_max(ESXU_XML_INDEX, (size_t)32 << 20), (size_t)64 << 10);
	assert_int_equal(vitk_esxupdate__xml_max(ESXU_XML_VMWARE_XML, 1000), 1000);
	assert_int_equal(vitk_esxupdate__xml_read(&doc, b, len, vitk_esxupdate__xml_max(ESXU_XML_INDEX, 0), "idx"),
			 VITK_ERANGE);
	assert_non_null(strstr(vitk_error_last()->message, "exceeds the 65536 byte limit"));
	free(b);

	/* exactly 64 attributes pass; quoted '>' and '=' are not markup */
	b = attrs_doc(1, 64, &len);
	assert_int_equal(vitk_esxupdate__xml_read(&doc, b, len, 1 << 20, "64"), 0);
	xmlFreeDoc(doc);
	doc = NULL;
	free(b);
	assert_int_equal(vitk_esxupdate__xml_read(&doc, "<r a='=>=' b=\">\"/>", 18, 1 << 20, "q"), 0);
	xmlFreeDoc(doc);
	doc = NULL;

	/* nesting and namespace declarations are bounded too */
	for (i = 0; i < 70; i++)
		strcat(deep, "<a>");
	for (i = 0; i < 70; i++)
		strcat(deep, "</a>");
	assert_int_equal(vitk_esxupdate__xml_read(&doc, deep, strlen(deep), 1 << 20, "deep"), VITK_ERANGE);
	assert_string_equal(vitk_error_last()->message, "deep: elements nested more than 64 deep: refused");
	for (i = 0; i < 17; i++)
		snprintf(ns + strlen(ns), sizeof(ns) - strlen(ns), " xmlns:n%zu='u%zu'", i, i);
	strcat(ns, "/>");
	assert_int_equal(vitk_esxupdate__xml_read(&doc, ns, strlen(ns), 1 << 20, "ns"), VITK_ERANGE);
	assert_string_equal(vitk_error_last()->message, "ns: more than 16 namespace declarations: refused");
	/* UTF-16 (NUL bytes) could hide markup from the pre-scan */
	assert_int_equal(vitk_esxupdate__xml_read(&doc, "<\0r\0/\0>\0", 8, 1 << 20, "u16"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message, "u16: XML with NUL bytes (UTF-16 or UTF-32?): refused");
	assert_null(doc);
}

/* issue 10: identifiers are printed inside esxcli's line-based output: a newline in one is refused */
static void test_esxupdate_depot__control_chars(void **state)
{
	static const char vib[] = "<vib><type>bootbank</type><name>net&#10;Verdict: safe</name>"
				  "<version>1.0-1</version><vendor>V</vendor></vib>";
	static const char bul[] = "<bulletin><id>B&#9;x</id><vibList><vibID>V_bootbank_a_1.0-1</vibID></vibList></bulletin>";
	static const char prof[] = "<imageprofile><name>P</name><creator>C</creator><viblist><vib>"
				   "<vib-id>V_bootbank_a&#13;_1.0-1</vib-id></vib></viblist></imageprofile>";
	vitk_esxupdate_vib *v = NULL;
	vitk_esxupdate_bulletin *b = NULL;
	vitk_esxupdate_profile *p = NULL;
	vitk_esxupdate_command *c = NULL;

	(void)state;
	assert_int_equal(vitk_esxupdate_vib_parse(&v, vib, strlen(vib), "d.xml"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message,
			    "d.xml: VIB with a control character in its id, name, vendor, type or version: refused");
	assert_null(v);
	assert_int_equal(vitk_esxupdate_bulletin_parse(&b, bul, strlen(bul), "b.xml"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message,
			    "b.xml: bulletin with a control character in its id, component or VIB ids: refused");
	assert_null(b);
	assert_int_equal(vitk_esxupdate_profile_parse(&p, prof, strlen(prof), "p.xml"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message,
			    "p.xml: image profile with a control character in its name, creator or VIB ids: refused");
	assert_null(p);
	assert_int_equal(vitk_esxupdate_command_parse(&c, "esxcli software profile update -d /d.zip -p 'A\nB'"),
			 VITK_EINVAL);
	assert_null(c);
}

/* an empty zip (only the end-of-central-directory record): no entries at all */
static void test_esxupdate_depot__empty_zip(void **state)
{
	static const unsigned char eocd[22] = { 'P', 'K', 5, 6 };
	const char *tmp = getenv("TEST_TMPDIR");
	char path[512];
	vitk_esxupdate_depot *d = NULL;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/empty.zip", tmp ? tmp : "/tmp");
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(eocd, 1, sizeof(eocd), f), sizeof(eocd));
	fclose(f);
	/* libarchive does not recognise an entry-less zip: a clear refusal, not a crash */
	assert_int_equal(vitk_esxupdate_depot_open(&d, path, NULL), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "empty.zip': not a readable zip archive"));
	assert_null(d);
}

/* caps are options: a lowered inflate cap catches an oversized metadata zip */
static void test_esxupdate_depot__caps(void **state)
{
	vitk_esxupdate_depot_options o = VITK_ESXUPDATE_DEPOT_OPTIONS_INIT;
	vitk_esxupdate_depot *d = NULL;

	(void)state;
	o.max_entries = 5;
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "ESXi550-201403001.zip", &o), VITK_ERANGE);
	assert_non_null(strstr(vitk_error_last()->message, "more than 5 entries: refused"));
	o = (vitk_esxupdate_depot_options)VITK_ESXUPDATE_DEPOT_OPTIONS_INIT;
	o.max_metadata = 1000;
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "ESXi550-201403001.zip", &o), VITK_ERANGE);
	assert_non_null(strstr(vitk_error_last()->message, "ESXi550-201403001-metadata.zip' declares"));
	o = (vitk_esxupdate_depot_options)VITK_ESXUPDATE_DEPOT_OPTIONS_INIT;
	o.max_total = 10000;
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "ESXi550-201403001.zip", &o), VITK_ERANGE);
	assert_non_null(strstr(vitk_error_last()->message, "(zip bomb?)"));
	assert_null(d);
}

static void test_esxupdate_depot__xml_parsers(void **state)
{
	static const char vib[] =
		"<vib version=\"5.0\"><type>bootbank</type><name>i40en</name>"
		"<version>1.7.11-1OEM.650.0.0.4598673</version><vendor>INT</vendor>"
		"<relationships><depends><constraint name=\"vmkapi_2_4_0_0\"/></depends><conflicts/>"
		"<replaces><constraint name=\"net-i40e\" relation=\"&lt;&lt;\" version=\"2.0-1\"/></replaces>"
		"<provides/></relationships><software-tags><tag>PCIID 8086154c</tag><tag>driver</tag></software-tags>"
		"<system-requires><maintenance-mode>true</maintenance-mode></system-requires>"
		"<acceptance-level>certified</acceptance-level><live-install-allowed>false</live-install-allowed>"
		"<unknown-element>ignored</unknown-element></vib>";
	static const char ent[] = "<!DOCTYPE vib [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><vib>&x;</vib>";
	static const char noname[] = "<vib><version>1.0-1</version></vib>";
	static const char badver[] = "<vib><name>x</name><version>1..0-1</version></vib>";
	static const char badrel[] = "<vib><name>x</name><version>1.0-1</version><relationships><depends><constraint name=\"a\" relation=\"~=\" version=\"1\"/></depends></relationships></vib>";
	static const char comp[] =
		"<bulletin><id>Intel-i40en_1.14.1.0-1OEM.700.1.0.15843807</id><vendor>Intel</vendor>"
		"<componentNameSpec name=\"Intel-i40en\" uiString=\"Network driver for Intel(R) X710/XL710/XXV710/X722 Adapters\"/>"
		"<componentVersionSpec version=\"1.14.1.0-1OEM.700.1.0.15843807\" uiString=\"1.14.1.0\"/>"
		"<releaseDate>2021-07-16T00:00:00</releaseDate>"
		"<vibList><vibID>INT_bootbank_i40en_1.14.1.0-1OEM.700.1.0.15843807</vibID></vibList></bulletin>";
	static const char halfcomp[] = "<bulletin><id>X</id><componentNameSpec name=\"X\"/></bulletin>";
	static const char bul[] = "<bulletin><id>B1</id><vendor>V</vendor><vibList><vibID>V_bootbank_a_1.0-1</vibID></vibList></bulletin>";
	static const char esxi[] =
		"<imageprofile><name>ESXi-6.0.0-20150704001-no-tools</name><creator>VMware, Inc.</creator>"
		"<profileID>x</profileID><creationtime>2015-07-04T00:00:00</creationtime><modifiedtime>2015-07-04T00:00:00</modifiedtime>"
		"<serialno>1</serialno><description>d</description><readonly>true</readonly>"
		"<viblist><vib><vib-id>VMware_bootbank_esx-base_6.0.0-1.0.1</vib-id></vib>"
		"<vib><vib-id>VMware_bootbank_net-tg3_3.1-1vmw.600.0.0.1</vib-id></vib></viblist>"
		"<acceptancelevel>certified</acceptancelevel><rulelist/></imageprofile>";
	static const char dup[] = "<imageprofile><name>P</name><creator>C</creator><viblist>"
				  "<vib><vib-id>V_bootbank_a_1.0-1</vib-id></vib><vib><vib-id>V_bootbank_a_1.0-1</vib-id></vib></viblist></imageprofile>";
	static const char nocreator[] = "<imageprofile><name>P</name><viblist/></imageprofile>";
	static const char noname_p[] = "<imageprofile><creator>C</creator></imageprofile>";
	static const char prof[] = "<ImageProfile><Name>P1</Name><Vendor>OEM</Vendor><AcceptanceLevel>partner</AcceptanceLevel>"
				   "<VibList><vib><vendor>V</vendor><name>a</name><version>1.0-1</version></vib><vibid>V_bootbank_b_2.0-1</vibid></VibList></ImageProfile>";
	vitk_esxupdate_vib *v = NULL;
	vitk_esxupdate_bulletin *b = NULL;
	vitk_esxupdate_profile *p = NULL;

	(void)state;
	assert_int_equal(vitk_esxupdate_vib_parse(&v, vib, strlen(vib), "d.xml"), 0);
	assert_string_equal(v->id, "INT_bootbank_i40en_1.7.11-1OEM.650.0.0.4598673");
	assert_string_equal(v->replaces.items[0].relation, "<<");
	assert_int_equal(vitk_esxupdate_vib_driver_class(v), VITK_ESXUPDATE_DRIVER_NIC);
	vitk_esxupdate_vib_free(v);
	assert_int_equal(vitk_esxupdate_vib_parse(&v, ent, strlen(ent), "d.xml"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message, "d.xml: XML declares a DTD (<!DOCTYPE>): refused");
	assert_int_equal(vitk_esxupdate_vib_parse(&v, noname, strlen(noname), "d.xml"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message, "d.xml: VIB without a name");
	assert_int_equal(vitk_esxupdate_vib_parse(&v, badver, strlen(badver), "d.xml"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "malformed version '1..0-1'"));
	assert_int_equal(vitk_esxupdate_vib_parse(&v, badrel, strlen(badrel), "d.xml"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "bad relation '~='"));
	assert_int_equal(vitk_esxupdate_vib_parse(&v, "<vib>", 5, "d.xml"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "d.xml: malformed XML at line 1"));
	assert_null(v);
	assert_int_equal(vitk_esxupdate_bulletin_parse(&b, bul, strlen(bul), "b.xml"), 0);
	assert_string_equal(b->id, "B1");
	assert_int_equal(b->nvib_ids, 1);
	vitk_esxupdate_bulletin_free(b);
	/* a 7.0+ component: a bulletin with componentNameSpec/componentVersionSpec */
	assert_int_equal(vitk_esxupdate_bulletin_parse(&b, comp, strlen(comp), "c.xml"), 0);
	assert_string_equal(b->component_name, "Intel-i40en");
	assert_string_equal(b->component_display_name, "Network driver for Intel(R) X710/XL710/XXV710/X722 Adapters");
	assert_string_equal(b->component_version, "1.14.1.0-1OEM.700.1.0.15843807");
	assert_string_equal(b->component_display_version, "1.14.1.0");
	assert_int_equal(b->nvib_ids, 1);
	vitk_esxupdate_bulletin_free(b);
	assert_int_equal(vitk_esxupdate_bulletin_parse(&b, halfcomp, strlen(halfcomp), "c.xml"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message, "c.xml: bulletin 'X' has a component name or version, not both");
	assert_int_equal(vitk_esxupdate_bulletin_parse(&b, "<bulletin/>", 11, "b.xml"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message, "b.xml: bulletin without an <id>");
	assert_int_equal(vitk_esxupdate_profile_parse(&p, esxi, strlen(esxi), "p.xml"), 0);
	assert_string_equal(p->name, "ESXi-6.0.0-20150704001-no-tools");
	assert_string_equal(p->vendor, "VMware, Inc.");
	assert_int_equal(p->acceptance, VITK_ESXUPDATE_ACC_CERTIFIED);
	assert_int_equal(p->nvib_ids, 2);
	assert_string_equal(p->vib_ids[1], "VMware_bootbank_net-tg3_3.1-1vmw.600.0.0.1");
	vitk_esxupdate_profile_free(p);
	assert_int_equal(vitk_esxupdate_profile_parse(&p, dup, strlen(dup), "p.xml"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message, "p.xml: image profile 'P' lists VIB 'V_bootbank_a_1.0-1' twice");
	assert_int_equal(vitk_esxupdate_profile_parse(&p, nocreator, strlen(nocreator), "p.xml"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message, "p.xml: image profile 'P' without a <creator>");
	assert_int_equal(vitk_esxupdate_profile_parse(&p, noname_p, strlen(noname_p), "p.xml"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message, "p.xml: image profile without a <name>");
	assert_null(p);
	/* the older spellings: <ImageProfile>, <Vendor>, bare <vibid>, <vib> by vendor/name/version */
	assert_int_equal(vitk_esxupdate_profile_parse(&p, prof, strlen(prof), "p.xml"), 0);
	assert_string_equal(p->name, "P1");
	assert_string_equal(p->vendor, "OEM");
	assert_int_equal(p->acceptance, VITK_ESXUPDATE_ACC_PARTNER);
	assert_int_equal(p->nvib_ids, 2);
	assert_string_equal(p->vib_ids[0], "V_bootbank_a_1.0-1");
	assert_string_equal(p->vib_ids[1], "V_bootbank_b_2.0-1");
	vitk_esxupdate_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esxupdate_depot__bundle),
		cmocka_unit_test(test_esxupdate_depot__older_shapes),
		cmocka_unit_test(test_esxupdate_depot__image_documents),
		cmocka_unit_test(test_esxupdate_depot__profile_missing_vib),
		cmocka_unit_test(test_esxupdate_depot__single_vib),
		cmocka_unit_test(test_esxupdate_depot__tampered_vib),
		cmocka_unit_test(test_esxupdate_depot__profile_sources),
		cmocka_unit_test(test_esxupdate_depot__bad_input),
		cmocka_unit_test(test_esxupdate_depot__caps),
		cmocka_unit_test(test_esxupdate_depot__empty_zip),
		cmocka_unit_test(test_esxupdate_depot__xml_parsers),
		cmocka_unit_test(test_esxupdate_depot__xml_bounded),
		cmocka_unit_test(test_esxupdate_depot__control_chars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
