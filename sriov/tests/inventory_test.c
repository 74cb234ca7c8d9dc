/* SPDX-License-Identifier: MIT */
#include "test_util.h"

static vitk_inventory *open_inv(int64_t *host)
{
	vitk_inventory *inv = NULL;

	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_sriov_inventory_register(inv), 0);
	assert_int_equal(vitk_sriov_inventory_register(inv), 0); /* idempotent */
	assert_int_equal(vitk_inventory_host_ensure(inv, "kvm1", "mid-kvm1", "linux", "local", host), 0);
	return inv;
}

static size_t count_rows(vitk_inventory *inv, int64_t host, const char *table,
			 const vitk_inventory_value *m, size_t n)
{
	vitk_inventory_rows *rows = NULL;
	size_t c;

	assert_int_equal(vitk_inventory_select(&rows, inv, table, host, m, n, NULL), 0);
	c = vitk_inventory_rows_count(rows);
	vitk_inventory_rows_free(rows);
	return c;
}

static void test_sriov_inventory__record_scan(void **state)
{
	struct tenv e;
	fake_pf_spec s;
	vitk_sriov_pf_list *l = NULL;
	vitk_inventory *inv;
	vitk_inventory_rows *rows = NULL;
	int64_t host = 0;
	unsigned actual;
	vitk_inventory_value ev[] = { VITK_INV_S("event", "num-vfs-changed") };

	(void)state;
	tenv_root(&e);
	fake_fixture_82576(&s, "0000:01:00.0", "enp1s0f0");
	s.initial_num_vfs = 4;
	assert_int_equal(fake_sysfs_add_pf(e.root, &s), 0);
	tenv_open(&e);
	inv = open_inv(&host);
	assert_int_equal(vitk_sriov_scan(&l, e.ctx, 0), 0);
	assert_int_equal(vitk_sriov_inventory_record_scan(inv, host, l), 0);
	vitk_sriov_pf_list_free(l);
	assert_int_equal(vitk_inventory_select(&rows, inv, "sriov_pf", host, NULL, 0, NULL), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 1);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "addr"), "0000:01:00.0");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "vendor_id"), "8086");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "vf_device"), "10ca");
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "adapter"), "0000:01:00");
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "num_vfs"), 4);
	assert_int_equal(vitk_inventory_rows_get_int(rows, 0, "total_vfs"), 8);
	vitk_inventory_rows_free(rows);
	assert_int_equal(count_rows(inv, host, "sriov_vf", NULL, 0), 4);
	/* fewer VFs: rows go, history says so */
	assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "01:00.0", 2, 0, NULL, &actual), 0);
	assert_int_equal(vitk_sriov_scan(&l, e.ctx, 0), 0);
	assert_int_equal(vitk_sriov_inventory_record_scan(inv, host, l), 0);
	vitk_sriov_pf_list_free(l);
	assert_int_equal(count_rows(inv, host, "sriov_vf", NULL, 0), 2);
	assert_int_equal(vitk_inventory_select(&rows, inv, "sriov_history", host, ev, 1, NULL), 0);
	assert_int_equal(vitk_inventory_rows_count(rows), 1);
	assert_string_equal(vitk_inventory_rows_get(rows, 0, "detail"), "4 -> 2");
	vitk_inventory_rows_free(rows);
	vitk_inventory_free(inv);
	tenv_done(&e);
}

static void test_sriov_inventory__desired_roundtrip(void **state)
{
	const char *doc = "{\"pfs\": [{\"pf\": \"01:00.0\", \"num_vfs\": 4, \"autoprobe\": false,"
			  " \"driver\": \"vfio-pci\", \"vfs\": [{\"index\": 1, \"mac\": \"52:54:00:00:00:11\","
			  " \"vlan\": 7, \"qos\": 1, \"trust\": false, \"spoofchk\": true}]},"
			  " {\"pf\": \"02:00.0\", \"num_vfs\": 0}], \"exclude\": [\"02:10.0\"]}";
	vitk_sriov_desired *d = NULL, *back = NULL;
	char *a = NULL, *b = NULL;
	vitk_inventory *inv;
	int64_t host;

	(void)state;
	inv = open_inv(&host);
	assert_int_equal(vitk_sriov_inventory_load_desired(&back, inv, host), 0);
	assert_int_equal(back->n_pfs, 0);
	vitk_sriov_desired_free(back);
	assert_int_equal(vitk_sriov_desired_from_json(&d, doc, strlen(doc)), 0);
	assert_int_equal(vitk_sriov_inventory_save_desired(inv, host, d), 0);
	assert_int_equal(vitk_sriov_inventory_save_desired(inv, host, d), 0); /* replaces */
	assert_int_equal(vitk_sriov_inventory_load_desired(&back, inv, host), 0);
	assert_int_equal(vitk_sriov_desired_to_json(&a, d), 0);
	assert_int_equal(vitk_sriov_desired_to_json(&b, back), 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
	vitk_sriov_desired_free(d);
	vitk_sriov_desired_free(back);
	vitk_inventory_free(inv);
}

static void test_sriov_inventory__reserve_assign_mac(void **state)
{
	vitk_inventory *inv;
	int64_t host;
	vitk_sriov_plan plan;
	vitk_sriov_plan_pick picks[2];
	vitk_sriov_taken *t = NULL;
	vitk_sriov_reservation *res = NULL;
	const char *why = NULL;
	char mac[18], mac2[18];
	const char *doc = "{\"pfs\": [], \"exclude\": [\"0000:02:10.4\"]}";
	vitk_sriov_desired *d = NULL;

	(void)state;
	inv = open_inv(&host);
	assert_int_equal(vitk_sriov_desired_from_json(&d, doc, strlen(doc)), 0);
	assert_int_equal(vitk_sriov_inventory_save_desired(inv, host, d), 0);
	vitk_sriov_desired_free(d);
	memset(&plan, 0, sizeof(plan));
	memset(picks, 0, sizeof(picks));
	picks[0].vf = "0000:02:10.0";
	picks[0].pf = "0000:01:00.0";
	picks[1].vf = "0000:82:10.0";
	picks[1].pf = "0000:81:00.0";
	plan.picks = picks;
	plan.n_picks = 2;
	assert_int_equal(vitk_sriov_inventory_reserve(inv, host, "plan-1", "vm1", 42, &plan), 0);
	assert_int_equal(vitk_sriov_taken_new(&t), 0);
	assert_int_equal(vitk_sriov_inventory_taken(t, inv, host, NULL), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 3);
	assert_string_equal(vitk_sriov_taken_get(t, 0, &why), "0000:02:10.4");
	assert_string_equal(why, "excluded (host use)");
	assert_string_equal(vitk_sriov_taken_get(t, 1, &why), "0000:02:10.0");
	assert_string_equal(why, "reserved for VM 'vm1' (plan plan-1)");
	vitk_sriov_taken_free(t);
	assert_int_equal(vitk_sriov_taken_new(&t), 0);
	assert_int_equal(vitk_sriov_inventory_taken(t, inv, host, "vm1"), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 1);
	vitk_sriov_taken_free(t);
	assert_int_equal(vitk_sriov_inventory_plan_get(&res, inv, host, "plan-1"), 0);
	assert_int_equal(res->n_vfs, 2);
	assert_string_equal(res->vfs[0], "0000:02:10.0");
	assert_string_equal(res->vfs[1], "0000:82:10.0");
	assert_string_equal(res->vm, "vm1");
	assert_int_equal(res->vlan, 42);
	vitk_sriov_reservation_free(res);
	assert_int_equal(vitk_sriov_inventory_plan_get(&res, inv, host, "vm1"), 0);
	vitk_sriov_reservation_free(res);
	assert_int_equal(vitk_sriov_inventory_plan_get(&res, inv, host, "nope"), VITK_ENOTFOUND);
	assert_null(res);
	/* stable MAC: generated once, then the same */
	assert_int_equal(vitk_sriov_inventory_mac(mac, inv, host, "vm1", "0000:02:10.0"), 0);
	assert_int_equal(strncmp(mac, "52:54:00:", 9), 0);
	assert_int_equal(vitk_sriov_inventory_mac(mac2, inv, host, "vm1", "0000:02:10.0"), 0);
	assert_string_equal(mac, mac2);
	/* assignment */
	assert_int_equal(vitk_sriov_inventory_assign(inv, host, "0000:02:10.0", "vm1", "test:///default",
						     mac, 42, true), 0);
	assert_int_equal(vitk_sriov_taken_new(&t), 0);
	assert_int_equal(vitk_sriov_inventory_in_use(t, inv, host), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 1);
	assert_string_equal(vitk_sriov_taken_lookup(t, "0000:02:10.0"), "attached to domain 'vm1'");
	vitk_sriov_taken_free(t);
	assert_int_equal(vitk_sriov_inventory_plan_get(&res, inv, host, "plan-1"), 0);
	assert_int_equal(res->n_vfs, 1); /* the attached VF left the reservation */
	vitk_sriov_reservation_free(res);
	{
		vitk_sriov_pf_list l;
		vitk_sriov_pf_info pf;
		vitk_sriov_vf_info vf;

		memset(&pf, 0, sizeof(pf));
		memset(&vf, 0, sizeof(vf));
		vf.addr = "0000:02:10.0";
		pf.vfs = &vf;
		pf.n_vfs = 1;
		l.items = &pf;
		l.count = 1;
		assert_int_equal(vitk_sriov_inventory_annotate(inv, host, &l), 0);
		assert_string_equal(vf.domain, "vm1");
		free(vf.domain);
	}
	assert_int_equal(vitk_sriov_inventory_assign(inv, host, "0000:02:10.0", "vm1", "test:///default",
						     mac, 42, false), 0);
	assert_int_equal(vitk_sriov_taken_new(&t), 0);
	assert_int_equal(vitk_sriov_inventory_in_use(t, inv, host), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 0);
	vitk_sriov_taken_free(t);
	/* MAC survives detach */
	assert_int_equal(vitk_sriov_inventory_mac(mac2, inv, host, "vm1", "0000:02:10.0"), 0);
	assert_string_equal(mac, mac2);
	vitk_inventory_free(inv);
}

static void test_sriov_inventory__esxi_roundtrip(void **state)
{
	const char *j = "{\"host\": \"esx01\", \"system_uuid\": \"4c4c4544-0047-3010-8031-b4c04f4e5931\","
			" \"ports\": [{\"name\": \"vmnic4\", \"pci\": \"07:00.0\", \"driver\": \"be2net\","
			" \"vendor_id\": \"19a2\", \"device_id\": \"0710\", \"vf_device_id\": \"0710\","
			" \"vf_offset\": 32, \"vf_stride\": 1, \"max_vfs\": 16}]}";
	vitk_sriov_esxi_host *h = NULL, *back = NULL;
	vitk_inventory *inv;
	int64_t host, esx = 0;
	char *a = NULL, *b = NULL;

	(void)state;
	inv = open_inv(&host);
	assert_int_equal(vitk_sriov_esxi_host_from_json(&h, j, strlen(j)), 0);
	assert_int_equal(vitk_sriov_inventory_esxi_save(inv, h, &esx), 0);
	assert_true(esx != host);
	assert_int_equal(vitk_sriov_inventory_esxi_load(&back, inv, "esx01"), 0);
	assert_string_equal(back->system_uuid, h->system_uuid);
	assert_int_equal(back->n_ports, 1);
	assert_string_equal(back->ports[0].name, "vmnic4");
	assert_string_equal(back->ports[0].addr, "0000:07:00.0");
	assert_int_equal(back->ports[0].vf_device_id, 0x710);
	assert_int_equal(back->ports[0].vf_offset, 32);
	assert_int_equal(back->ports[0].max_vfs, 16);
	assert_int_equal(vitk_sriov_esxi_vmx(&a, h, "vmnic4", 0, 0, VITK_SRIOV_VMX_51, NULL), 0);
	assert_int_equal(vitk_sriov_esxi_vmx(&b, back, "vmnic4", 0, 0, VITK_SRIOV_VMX_51, NULL), 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
	vitk_sriov_esxi_host_free(back);
	assert_int_equal(vitk_sriov_inventory_esxi_load(&back, inv, "kvm1"), VITK_ENOTFOUND);
	assert_int_equal(vitk_sriov_inventory_esxi_load(&back, inv, "nosuch"), VITK_ENOTFOUND);
	vitk_sriov_esxi_host_free(h);
	vitk_inventory_free(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sriov_inventory__record_scan),
		cmocka_unit_test(test_sriov_inventory__desired_roundtrip),
		cmocka_unit_test(test_sriov_inventory__reserve_assign_mac),
		cmocka_unit_test(test_sriov_inventory__esxi_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
