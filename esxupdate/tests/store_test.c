/* SPDX-License-Identifier: MIT */
/* The esxupdate inventory domain (":memory:" database). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vitk/inventory.h>

#include "esxu.h" /* white box: break a VIB to force a failure mid-transaction */
#include "testutil.h"

static vitk_inventory *open_inv(void)
{
	vitk_inventory *inv = NULL;

	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_esxupdate_inventory_register(inv), 0);
	assert_int_equal(vitk_esxupdate_inventory_register(inv), 0); /* idempotent */
	return inv;
}

static size_t count(vitk_inventory *inv, const char *table)
{
	vitk_inventory_rows *rows = NULL;
	size_t n;

	assert_int_equal(vitk_inventory_select(&rows, inv, table, 0, NULL, 0, NULL), 0);
	n = vitk_inventory_rows_count(rows);
	vitk_inventory_rows_free(rows);
	return n;
}

static void test_esxupdate_store__audit(void **state)
{
	vitk_inventory *inv = open_inv();
	vitk_esxupdate_host *h = tu_host(HOSTFX "hostA-viblist.txt", HOSTFX "hostA-vibget.txt",
					 HOSTFX "hostA-profile.txt", HOSTFX "hostA-pci.txt");
	vitk_esxupdate_depot *d = NULL;
	vitk_esxupdate_command *c = NULL;
	vitk_esxupdate_audit *a = NULL;
	vitk_inventory_rows *rows = NULL;
	char uuid[37];
	int64_t local;

	(void)state;
	assert_int_equal(vitk_inventory_host_ensure(inv, "admin-box", "m1", "linux", "local", &local), 0);
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "ESXi550-201403001.zip", NULL), 0);
	assert_int_equal(vitk_esxupdate_command_parse(&c, "esxcli software vib install -d /x.zip"), 0);
	assert_int_equal(vitk_esxupdate_audit_run(&a, h, d, c), 0);
	assert_int_equal(vitk_esxupdate_store_audit(inv, local, "esx01", h, "hostA-viblist.txt", d,
						    "esxcli software vib install -d /x.zip", a, uuid), 0);
	assert_int_equal(count(inv, "esxupdate_snapshot"), 1);
	assert_int_equal(count(inv, "esxupdate_snapshot_vib"), 9);
	assert_int_equal(count(inv, "esxupdate_depot"), 1);
	assert_int_equal(count(inv, "esxupdate_depot_vib"), 8);
	assert_int_equal(count(inv, "esxupdate_depot_profile"), 3);
	assert_int_equal(count(inv, "esxupdate_finding"), vitk_esxupdate_audit_finding_count(a));
	{
		vitk_inventory_value m = VITK_INV_S("uuid", uuid);

		assert_int_equal(vitk_inventory_select(&rows, inv, "esxupdate_audit", 0, &m, 1, NULL), 0);
		assert_int_equal(vitk_inventory_rows_count(rows), 1);
		assert_string_equal(vitk_inventory_rows_get(rows, 0, "verdict"), "unsafe");
		assert_string_equal(vitk_inventory_rows_get(rows, 0, "host"), "esx01");
		assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "critical"), 3);
		assert_string_equal(vitk_inventory_rows_get(rows, 0, "depot_sha256"), vitk_esxupdate_depot_sha256(d));
		vitk_inventory_rows_free(rows);
	}
	/* the same depot again: upserted, not duplicated */
	assert_int_equal(vitk_esxupdate_store_depot(inv, local, d), 0);
	assert_int_equal(count(inv, "esxupdate_depot_vib"), 8);
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_command_free(c);
	vitk_esxupdate_depot_free(d);
	vitk_esxupdate_host_free(h);
	vitk_inventory_free(inv);
}

static void test_esxupdate_store__snapshot_diff(void **state)
{
	vitk_inventory *inv = open_inv();
	vitk_esxupdate_host *a = tu_host(HOSTFX "hostA-viblist.txt", NULL, NULL, NULL);
	vitk_esxupdate_host *b = tu_host(HOSTFX "hostB-viblist.txt", NULL, NULL, NULL);
	vitk_esxupdate_snapshot_diff *diff = NULL;
	static const char newer[] =
		"Name      Version             Vendor  Acceptance Level  Install Date\n"
		"--------  ------------------  ------  ----------------  ------------\n"
		"esx-base  5.5.0-1.16.1746018  VMware  VMwareCertified   2014-03-20\n";
	vitk_esxupdate_host *c = NULL;

	(void)state;
	assert_int_equal(vitk_esxupdate_store_snapshot(inv, "esx01", a, "a", NULL), 0);
	assert_int_equal(vitk_esxupdate_snapshot_diff_latest(&diff, inv, "esx01"), VITK_ENOTFOUND);
	assert_string_equal(vitk_error_last()->message, "host 'esx01' has 1 VIB snapshot(s), a diff needs two");
	assert_int_equal(vitk_esxupdate_store_snapshot(inv, "esx01", b, "b", NULL), 0);
	assert_int_equal(vitk_esxupdate_snapshot_diff_latest(&diff, inv, "esx01"), 0);
	assert_int_equal(diff->count, 1);
	assert_string_equal(diff->items[0].name, "scsi-megaraid-perc9");
	assert_null(diff->items[0].old_version);
	assert_string_equal(diff->items[0].new_version, "6.901.55.00-1OEM.550.0.0.1331820");
	vitk_esxupdate_snapshot_diff_free(diff);
	assert_int_equal(vitk_esxupdate_host_new(&c), 0);
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(c, newer, strlen(newer), "n"), 0);
	assert_int_equal(vitk_esxupdate_store_snapshot(inv, "esx01", c, "c", NULL), 0);
	assert_int_equal(vitk_esxupdate_snapshot_diff_latest(&diff, inv, "esx01"), 0);
	assert_int_equal(diff->count, 10); /* 9 removed + esx-base changed */
	assert_string_equal(diff->items[0].name, "esx-base");
	assert_string_equal(diff->items[0].old_version, "5.5.0-0.0.1331820");
	assert_string_equal(diff->items[0].new_version, "5.5.0-1.16.1746018");
	vitk_esxupdate_snapshot_diff_free(diff);
	assert_int_equal(vitk_esxupdate_snapshot_diff_latest(&diff, inv, "nohost"), VITK_ENOTFOUND);
	vitk_esxupdate_host_free(a);
	vitk_esxupdate_host_free(b);
	vitk_esxupdate_host_free(c);
	vitk_inventory_free(inv);
}

/* a failure in the middle of the write leaves nothing behind */
static void test_esxupdate_store__all_or_nothing(void **state)
{
	vitk_inventory *inv = open_inv();
	vitk_esxupdate_host *h = tu_host(HOSTFX "hostA-viblist.txt", NULL, NULL, NULL);

	(void)state;
	free(h->vibs.ptr[5].version); /* NOT NULL column: the 6th VIB row insert fails */
	h->vibs.ptr[5].version = NULL;
	assert_true(vitk_esxupdate_store_snapshot(inv, "esx01", h, "a", NULL) < 0);
	assert_int_equal(count(inv, "esxupdate_snapshot"), 0);
	assert_int_equal(count(inv, "esxupdate_snapshot_vib"), 0);
	assert_int_equal(vitk_esxupdate_store_snapshot(inv, "", h, "a", NULL), VITK_EINVAL);
	vitk_esxupdate_host_free(h);
	vitk_inventory_free(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esxupdate_store__audit),
		cmocka_unit_test(test_esxupdate_store__snapshot_diff),
		cmocka_unit_test(test_esxupdate_store__all_or_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
