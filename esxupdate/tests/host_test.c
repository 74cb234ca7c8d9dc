/* SPDX-License-Identifier: MIT */
/* esxcli host capture parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

static void expect_host_a(const vitk_esxupdate_host *h)
{
	const vitk_esxupdate_vib *v;

	assert_int_equal(vitk_esxupdate_host_vib_count(h), 9);
	v = vitk_esxupdate_host_find(h, "net-be2net");
	assert_non_null(v);
	assert_string_equal(v->version, "10.0.725.0-1OEM.550.0.0.1331820");
	assert_string_equal(v->vendor, "Emulex");
	assert_int_equal(v->acceptance, VITK_ESXUPDATE_ACC_CERTIFIED);
	v = vitk_esxupdate_host_find(h, "hp-ams");
	assert_non_null(v);
	assert_int_equal(v->acceptance, VITK_ESXUPDATE_ACC_PARTNER);
	assert_string_equal(v->version, "550.10.0.0-18.1198610");
	v = vitk_esxupdate_host_find(h, "esx-dvfilter-generic-fastpath");
	assert_non_null(v);
	assert_string_equal(v->install_date, "2014-01-10");
}

static void test_esxupdate_host__list_text(void **state)
{
	vitk_esxupdate_host *h = tu_host(HOSTFX "hostA-viblist.txt", NULL, NULL, NULL);

	(void)state;
	expect_host_a(h);
	assert_string_equal(vitk_esxupdate_host_list_format(h), "text");
	/* the id is synthesised as <vendor>_<type>_<name>_<version> */
	assert_string_equal(vitk_esxupdate_host_find(h, "scsi-hpsa")->id,
			    "Hewlett-Packard_bootbank_scsi-hpsa_5.5.0.84-1OEM.550.0.0.1331820");
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_host__list_csv_xml(void **state)
{
	vitk_esxupdate_host *h = tu_host(HOSTFX "hostA-viblist.csv", NULL, NULL, NULL);

	(void)state;
	expect_host_a(h);
	assert_string_equal(vitk_esxupdate_host_list_format(h), "csv");
	assert_string_equal(vitk_esxupdate_host_find(h, "tools-light")->id,
			    "VMware_locker_tools-light_5.5.0-0.0.1331820");
	vitk_esxupdate_host_free(h);
	h = tu_host(HOSTFX "hostA-viblist.xml", NULL, NULL, NULL);
	expect_host_a(h);
	assert_string_equal(vitk_esxupdate_host_list_format(h), "xml");
	vitk_esxupdate_host_free(h);
}

/* columns come from the separator line, whatever the widths */
static void test_esxupdate_host__list_widths(void **state)
{
	static const char narrow[] =
		"Name     Version            Vendor  Acceptance Level  Install Date\n"
		"-------  -----------------  ------  ----------------  ------------\n"
		"esx-base 5.5.0-0.0.1331820  VMware  VMwareCertified   2014-01-10\n";
	static const char ok[] =
		"Name      Version            Vendor  Acceptance Level  Install Date  Platforms\n"
		"--------  -----------------  ------  ----------------  ------------  ---------\n"
		"esx-base  5.5.0-0.0.1331820  VMware  VMwareCertified   2014-01-10    host\n"
		"lpfc      12.8.340.12-1OEM.700.1.0.15843807  EMU  x  y  z\n";
	vitk_esxupdate_host *h = NULL;

	(void)state;
	assert_int_equal(vitk_esxupdate_host_new(&h), 0);
	/* name runs into the version column */
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, narrow, strlen(narrow), "n.txt"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "shifted columns"));
	assert_non_null(strstr(vitk_error_last()->message, "n.txt line 3"));
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, ok, strlen(ok), "ok.txt"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "ok.txt line 4"));
	/* the first three lines alone are fine, with the Platforms column */
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, ok, strstr(ok, "lpfc") - ok, "ok.txt"), 0);
	assert_int_equal(vitk_esxupdate_host_vib_count(h), 1);
	vitk_esxupdate_host_free(h);
}

/* a pasted prompt line before csv / xml output is skipped */
static void test_esxupdate_host__list_prompt(void **state)
{
	static const char csv[] = "[root@esx01:~] esxcli --formatter=csv software vib list\n"
				  "Name,Version,Vendor,AcceptanceLevel\nesx-base,5.5.0-0.0.1331820,VMware,VMwareCertified\n";
	static const char xml[] = "[root@esx01:~] esxcli --formatter=xml software vib list\n"
				  "<output><root><list><structure><field name=\"Name\"><string>a</string></field>"
				  "<field name=\"Version\"><string>1.0-1</string></field></structure></list></root></output>\n";
	vitk_esxupdate_host *h = NULL;

	(void)state;
	assert_int_equal(vitk_esxupdate_host_new(&h), 0);
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, csv, strlen(csv), "c"), 0);
	assert_string_equal(vitk_esxupdate_host_list_format(h), "csv");
	assert_int_equal(vitk_esxupdate_host_vib_count(h), 1);
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, xml, strlen(xml), "x"), 0);
	assert_string_equal(vitk_esxupdate_host_list_format(h), "xml");
	assert_string_equal(vitk_esxupdate_host_vib(h, 0)->name, "a");
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_host__list_bad(void **state)
{
	vitk_esxupdate_host *h = NULL;
	static const char nosep[] = "Name Version\nesx-base 1.0-1\n";
	static const char dup[] = "Name,Version\nesx-base,1.0-1\nesx-base,1.0-2\n";
	static const char csvshort[] = "Name,Version,Vendor\nesx-base,1.0-1\n";
	static const char xmlbad[] = "<output><root><list></list></root></output>";
	static const char dtd[] = "<!DOCTYPE x [<!ENTITY a \"b\">]><output/>";

	(void)state;
	assert_int_equal(vitk_esxupdate_host_new(&h), 0);
	assert_int_equal(tu_parse(h, vitk_esxupdate_host_parse_vib_list, HOSTFX "shifted-viblist.txt"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message,
			    "esxupdate/tests/fixtures/host/shifted-viblist.txt line 7: column 'Name' does not start at offset 0 (shifted columns)");
	assert_int_equal(tu_parse(h, vitk_esxupdate_host_parse_vib_list, HOSTFX "badversion-viblist.txt"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "line 9: VIB 'net-ixgbe': version: malformed"));
	assert_non_null(strstr(vitk_error_last()->message, "malformed version '3.21..4-1OEM.550.0.0.133182'"));
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, nosep, strlen(nosep), "x"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "no column separator line"));
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, dup, strlen(dup), "d.csv"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "listed twice"));
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, csvshort, strlen(csvshort), "s.csv"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message, "s.csv line 2: 2 fields, the header has 3 (shifted columns)");
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, xmlbad, strlen(xmlbad), "b.xml"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "no <structure>"));
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, dtd, strlen(dtd), "e.xml"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "refused"));
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, "a\0b", 3, "nul"), VITK_EINVAL);
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_host__vib_get(void **state)
{
	vitk_esxupdate_host *h = tu_host(HOSTFX "hostA-viblist.txt", HOSTFX "hostA-vibget.txt", NULL, NULL);
	const vitk_esxupdate_vib *v;

	(void)state;
	assert_int_equal(vitk_esxupdate_host_vib_count(h), 9);
	v = vitk_esxupdate_host_find(h, "net-be2net");
	assert_true(v->has_relations);
	assert_int_equal(v->depends.count, 2);
	assert_string_equal(v->depends.items[1].name, "com.vmware.driverAPI-9.2.2.0");
	assert_string_equal(v->depends.items[1].relation, ">=");
	assert_string_equal(v->depends.items[1].version, "9.2.2.0");
	assert_int_equal(v->ntags, 4);
	assert_string_equal(v->tags[2], "PCIID 19a20710");
	assert_int_equal(v->maintenance_mode, VITK_ESXUPDATE_YES);
	assert_int_equal(v->live_install, VITK_ESXUPDATE_NO);
	assert_int_equal(vitk_esxupdate_vib_driver_class(v), VITK_ESXUPDATE_DRIVER_NIC);
	assert_true(vitk_esxupdate_vib_is_vendor(v));
	v = vitk_esxupdate_host_find(h, "esx-base");
	assert_int_equal(v->provides.count, 2);
	assert_string_equal(v->provides.items[1].version, "9.2.2.0");
	assert_false(vitk_esxupdate_vib_is_vendor(v));
	assert_int_equal(vitk_esxupdate_vib_driver_class(v), VITK_ESXUPDATE_DRIVER_NONE);
	v = vitk_esxupdate_host_find(h, "hp-ams");
	assert_int_equal(v->depends.count, 2);
	assert_string_equal(v->depends.items[1].relation, "<<");
	assert_int_equal(vitk_esxupdate_vib_driver_class(vitk_esxupdate_host_find(h, "scsi-hpsa")),
			 VITK_ESXUPDATE_DRIVER_STORAGE);
	vitk_esxupdate_host_free(h);

	/* xml form merges into a csv list */
	h = tu_host(HOSTFX "hostA-viblist.csv", HOSTFX "hostA-vibget.xml", NULL, NULL);
	v = vitk_esxupdate_host_find(h, "net-be2net");
	assert_true(v->has_relations);
	assert_int_equal(v->ntags, 4);
	assert_int_equal(v->depends.count, 2);
	assert_int_equal(v->maintenance_mode, VITK_ESXUPDATE_YES);
	assert_false(vitk_esxupdate_host_find(h, "scsi-hpsa")->has_relations);
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_host__vib_get_bad(void **state)
{
	vitk_esxupdate_host *h = tu_host(HOSTFX "hostA-viblist.txt", NULL, NULL, NULL);
	static const char mismatch[] = "Emulex_bootbank_net-be2net_9.9-1\n   Name: net-be2net\n   Version: 9.9-1\n";
	static const char badc[] = "X_bootbank_foo_1.0-1\n   Depends: esx-base >= \n";
	static const char orphan[] = "   Name: foo\n";

	(void)state;
	assert_int_equal(vitk_esxupdate_host_parse_vib_get(h, mismatch, strlen(mismatch), "g.txt"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "vib list says 10.0.725.0-1OEM.550.0.0.1331820"));
	assert_int_equal(vitk_esxupdate_host_parse_vib_get(h, badc, strlen(badc), "g.txt"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "Depends: malformed constraint"));
	assert_int_equal(vitk_esxupdate_host_parse_vib_get(h, orphan, strlen(orphan), "g.txt"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "before any VIB ID header"));
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_host__profile_pci(void **state)
{
	vitk_esxupdate_host *h = tu_host(NULL, NULL, HOSTFX "hostA-profile.txt", HOSTFX "hostA-pci.txt");
	const vitk_esxupdate_pci_dev *d;

	(void)state;
	assert_string_equal(vitk_esxupdate_host_profile(h), "HP-ESXi-5.5.0-iso-5.72");
	assert_int_equal(vitk_esxupdate_host_acceptance(h), VITK_ESXUPDATE_ACC_PARTNER);
	assert_int_equal(vitk_esxupdate_host_pci_count(h), 4);
	d = vitk_esxupdate_host_pci(h, 0);
	assert_string_equal(d->address, "0000:02:00.0");
	assert_string_equal(d->vmkname, "vmnic0");
	assert_int_equal(d->vendor_id, 0x19a2);
	assert_int_equal(d->device_id, 0x0710);
	assert_int_equal(d->class_id, 0x0200);
	assert_string_equal(d->module, "be2net");
	d = vitk_esxupdate_host_pci(h, 3);
	assert_string_equal(d->vmkname, "vmnic2");
	assert_int_equal(d->device_id, 0x10fb);
	assert_int_equal(tu_parse(h, vitk_esxupdate_host_parse_pci, HOSTFX "hostA-lspci.txt"), 0);
	assert_int_equal(vitk_esxupdate_host_pci_count(h), 4);
	d = vitk_esxupdate_host_pci(h, 2);
	assert_int_equal(d->vendor_id, 0x103c);
	assert_int_equal(d->device_id, 0x323b);
	{
		static const char esx_lspci[] =
			"0000:02:00.0 Network controller: Emulex Corporation OneConnect 10Gb NIC [vmnic0]\n"
			"0000:03:00.0 Mass storage controller: Hewlett-Packard Company Smart Array P420i [vmhba0]\n";
		static const char badhex[] = "0000:02:00.0\n   Vendor ID: 0xzz\n";

		assert_int_equal(vitk_esxupdate_host_parse_pci(h, esx_lspci, strlen(esx_lspci), "e"), 0);
		assert_int_equal(vitk_esxupdate_host_pci_count(h), 2);
		assert_string_equal(vitk_esxupdate_host_pci(h, 1)->vmkname, "vmhba0");
		assert_int_equal(vitk_esxupdate_host_pci(h, 1)->vendor_id, 0);
		assert_int_equal(vitk_esxupdate_host_parse_pci(h, badhex, strlen(badhex), "x"), VITK_EINVAL);
		assert_string_equal(vitk_error_last()->message, "x line 2: bad hex value '0xzz'");
	}
	assert_int_equal(vitk_esxupdate_host_parse_pci(h, "garbage\n", 8, "p.txt"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "p.txt line 1: not lspci output"));
	assert_int_equal(vitk_esxupdate_host_parse_profile(h, "nothing: here\n", 14, "pr"), VITK_EINVAL);
	assert_int_equal(vitk_esxupdate_host_parse_profile(h, "   Acceptance Level: Bogus\n", 27, "pr"), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "unknown acceptance level 'Bogus'"));
	vitk_esxupdate_host_free(h);
}

/* fuzz: a short "[cc]" at the very end of an lspci line was read past its NUL */
static void test_esxupdate_host__lspci_short_class(void **state)
{
	static const char tail[] = "0000:02:00.0 r[00]";
	static const char full[] = "0000:02:00.0 Ethernet controller [0200]: Emulex\n";
	vitk_esxupdate_host *h;

	(void)state;
	assert_int_equal(vitk_esxupdate_host_new(&h), 0);
	assert_int_equal(vitk_esxupdate_host_parse_pci(h, tail, strlen(tail), "t"), 0);
	assert_int_equal(vitk_esxupdate_host_pci_count(h), 1);
	assert_int_equal(vitk_esxupdate_host_pci(h, 0)->class_id, 0);
	assert_int_equal(vitk_esxupdate_host_parse_pci(h, full, strlen(full), "f"), 0);
	assert_int_equal(vitk_esxupdate_host_pci(h, 0)->class_id, 0x0200);
	vitk_esxupdate_host_free(h);
}

/* 7.0 and 8.0 `esxcli software component list` (8.0 adds Platforms) */
static void test_esxupdate_host__component_list(void **state)
{
	static const char *const files[] = { HOSTFX "hpe703-component-list.txt", HOSTFX "hpe803-component-list.txt" };
	static const char dup[] = "Name  Version\n----  -------\nA     1.0-1\nA     2.0-1\n";
	static const char badver[] = "Name  Version\n----  -------\nA     1..0-1\n";
	size_t f;

	(void)state;
	for (f = 0; f < VITK_ARRAY_SIZE(files); f++) {
		vitk_esxupdate_host *h = NULL;
		const vitk_esxupdate_component *c;
		size_t len;
		char *buf = tu_read(files[f], &len);

		assert_int_equal(vitk_esxupdate_host_new(&h), 0);
		if (vitk_esxupdate_host_parse_component_list(h, buf, len, files[f]) != 0)
			fail_msg("%s", vitk_error_last()->message);
		assert_int_equal(vitk_esxupdate_host_component_count(h), 5);
		c = vitk_esxupdate_host_component(h, 1);
		assert_string_equal(c->name, "Intel-i40en");
		assert_string_equal(c->display_name, "Network driver for Intel(R) X710/XL710/XXV710/X722 Adapters");
		assert_string_equal(c->version, "1.14.1.0-1OEM.700.1.0.15843807");
		assert_string_equal(c->display_version, "i40en-1.14.1.0");
		assert_string_equal(c->vendor, "Intel");
		assert_string_equal(c->release_date, "07-16-2021");
		assert_int_equal(c->acceptance, VITK_ESXUPDATE_ACC_CERTIFIED);
		if (f == 0)
			assert_null(c->platforms);
		else
			assert_string_equal(c->platforms, "host");
		assert_string_equal(vitk_esxupdate_host_component(h, 0)->display_version, "7.0 Update 3g - 20036589");
		if (f == 1) { /* an 8.0 vib list has a Platforms column too: read like 7.0's */
			static const char vl80[] = "Name   Version             Vendor  Acceptance Level  Install Date  Platforms\n"
						   "-----  ------------------  ------  ----------------  ------------  ---------\n"
						   "i40en  2.5.3.0-1vmw.802.0  VMW     VMwareCertified   2023-09-21    host\n";

			assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, vl80, strlen(vl80), "vl80.txt"), 0);
			assert_string_equal(vitk_esxupdate_host_vib(h, 0)->version, "2.5.3.0-1vmw.802.0");
		}
		assert_int_equal(vitk_esxupdate_host_parse_component_list(h, dup, strlen(dup), "d.txt"), VITK_EINVAL);
		assert_string_equal(vitk_error_last()->message, "d.txt line 4: component 'A' listed twice");
		assert_int_equal(vitk_esxupdate_host_component_count(h), 0);
		assert_int_equal(vitk_esxupdate_host_parse_component_list(h, badver, strlen(badver), "b.txt"), VITK_EINVAL);
		assert_non_null(strstr(vitk_error_last()->message, "b.txt line 3: component 'A': malformed version '1..0-1'"));
		assert_int_equal(vitk_esxupdate_host_parse_component_list(h, "x\n", 2, "n.txt"), VITK_EINVAL);
		assert_non_null(strstr(vitk_error_last()->message, "not `esxcli software component list` output"));
		free(buf);
		vitk_esxupdate_host_free(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esxupdate_host__list_text),
		cmocka_unit_test(test_esxupdate_host__list_csv_xml),
		cmocka_unit_test(test_esxupdate_host__list_widths),
		cmocka_unit_test(test_esxupdate_host__list_prompt),
		cmocka_unit_test(test_esxupdate_host__list_bad),
		cmocka_unit_test(test_esxupdate_host__vib_get),
		cmocka_unit_test(test_esxupdate_host__vib_get_bad),
		cmocka_unit_test(test_esxupdate_host__profile_pci),
		cmocka_unit_test(test_esxupdate_host__lspci_short_class),
		cmocka_unit_test(test_esxupdate_host__component_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
