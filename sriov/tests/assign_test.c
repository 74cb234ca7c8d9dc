/* SPDX-License-Identifier: MIT */
/*
 * The taken-VF set, the in-use rule (inventory assignments + running domains
 * of libvirt's test:/// driver) and the attach/detach workflow.
 */
#include "test_util.h"

static char uri[PATH_MAX + 16];

static int setup(void **state)
{
	char abs[PATH_MAX];

	(void)state;
	if (!realpath("sriov/tests/data/libvirt/node.xml", abs))
		return -1;
	fake_fmt(uri, sizeof(uri), "test://%s", abs);
	return 0;
}

static vitk_inventory *open_inv(int64_t *host)
{
	vitk_inventory *inv = NULL;

	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_sriov_inventory_register(inv), 0);
	assert_int_equal(vitk_inventory_host_ensure(inv, "kvm1", "mid-kvm1", "linux", "local", host), 0);
	return inv;
}

static void test_sriov_taken__set(void **state)
{
	vitk_sriov_taken *t = NULL, *u = NULL;
	const char *why = "x";

	(void)state;
	assert_int_equal(vitk_sriov_taken_new(&t), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 0);
	assert_null(vitk_sriov_taken_lookup(t, "0000:02:10.0"));
	assert_null(vitk_sriov_taken_get(t, 0, &why));
	assert_null(why);
	assert_int_equal(vitk_sriov_taken_add(t, "0000:02:10.0", "excluded (host use)"), 0);
	assert_int_equal(vitk_sriov_taken_add(t, "0000:02:10.2", NULL), 0);
	/* the first reason wins */
	assert_int_equal(vitk_sriov_taken_add(t, "0000:02:10.0", "attached to domain 'vm1'"), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 2);
	assert_string_equal(vitk_sriov_taken_lookup(t, "0000:02:10.0"), "excluded (host use)");
	assert_string_equal(vitk_sriov_taken_lookup(t, "0000:02:10.2"), "taken");
	assert_null(vitk_sriov_taken_lookup(t, "0000:02:10.4"));
	assert_null(vitk_sriov_taken_lookup(t, NULL));
	assert_int_equal(vitk_sriov_taken_add(t, "", "r"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_taken_add(t, NULL, "r"), VITK_EINVAL);
	/* many entries: growth keeps order and reasons */
	{
		char vf[32], reason[32];
		int i;

		for (i = 0; i < 100; i++) {
			fake_fmt(vf, sizeof(vf), "0000:%02x:10.0", i + 0x10);
			fake_fmt(reason, sizeof(reason), "r%d", i);
			assert_int_equal(vitk_sriov_taken_add(t, vf, reason), 0);
		}
		assert_int_equal(vitk_sriov_taken_count(t), 102);
		assert_string_equal(vitk_sriov_taken_get(t, 101, &why), "0000:73:10.0");
		assert_string_equal(why, "r99");
	}
	/* merge: in order, existing reasons kept */
	assert_int_equal(vitk_sriov_taken_new(&u), 0);
	assert_int_equal(vitk_sriov_taken_add(u, "0000:02:10.2", "used by running domain 'vm2'"), 0);
	assert_int_equal(vitk_sriov_taken_add(u, "0000:82:10.0", "used by running domain 'vm2'"), 0);
	assert_int_equal(vitk_sriov_taken_merge(t, u), 0);
	assert_int_equal(vitk_sriov_taken_merge(t, NULL), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 103);
	assert_string_equal(vitk_sriov_taken_lookup(t, "0000:02:10.2"), "taken");
	assert_string_equal(vitk_sriov_taken_get(t, 102, NULL), "0000:82:10.0");
	vitk_sriov_taken_free(u);
	vitk_sriov_taken_free(t);
	vitk_sriov_taken_free(NULL);
	assert_int_equal(vitk_sriov_taken_count(NULL), 0);
}

static void test_sriov_assign__in_use_rule(void **state)
{
	vitk_inventory *inv;
	vitk_sriov_taken *t = NULL;
	const char *why = NULL;
	int64_t host;

	(void)state;
	inv = open_inv(&host);
	assert_int_equal(vitk_sriov_inventory_assign(inv, host, "0000:02:10.0", "vm1", uri,
						     "52:54:00:00:00:01", -1, true), 0);
	/* without a URI: the inventory only */
	assert_int_equal(vitk_sriov_in_use(&t, inv, host, NULL), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 1);
	assert_string_equal(vitk_sriov_taken_lookup(t, "0000:02:10.0"), "attached to domain 'vm1'");
	vitk_sriov_taken_free(t);
	/* with a URI: the inventory first, then the running domains (vm2 has 02:10.3) */
	assert_int_equal(vitk_sriov_in_use(&t, inv, host, uri), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 2);
	assert_string_equal(vitk_sriov_taken_get(t, 0, &why), "0000:02:10.0");
	assert_string_equal(vitk_sriov_taken_get(t, 1, &why), "0000:02:10.3");
	assert_string_equal(why, "used by running domain 'vm2'");
	vitk_sriov_taken_free(t);
	/* a libvirt failure is an error, not an empty set */
	assert_int_equal(vitk_sriov_in_use(&t, inv, host, "test:///nonexistent/file.xml"), VITK_EIO);
	assert_null(t);
	/* no inventory: libvirt only */
	assert_int_equal(vitk_sriov_in_use(&t, NULL, 0, uri), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 1);
	vitk_sriov_taken_free(t);
	/* unavailable for planning: excluded and other VMs' reservations too */
	{
		const char *doc = "{\"pfs\": [], \"exclude\": [\"0000:02:10.4\"]}";
		vitk_sriov_desired *d = NULL;
		vitk_sriov_plan plan;
		vitk_sriov_plan_pick pick;

		assert_int_equal(vitk_sriov_desired_from_json(&d, doc, strlen(doc)), 0);
		assert_int_equal(vitk_sriov_inventory_save_desired(inv, host, d), 0);
		vitk_sriov_desired_free(d);
		memset(&plan, 0, sizeof(plan));
		memset(&pick, 0, sizeof(pick));
		pick.vf = "0000:82:10.0";
		pick.pf = "0000:81:00.0";
		plan.picks = &pick;
		plan.n_picks = 1;
		assert_int_equal(vitk_sriov_inventory_reserve(inv, host, "p-1", "db1", -1, &plan), 0);
	}
	assert_int_equal(vitk_sriov_unavailable(&t, inv, host, "vm9", uri), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 4);
	assert_string_equal(vitk_sriov_taken_get(t, 0, &why), "0000:02:10.4");
	assert_string_equal(why, "excluded (host use)");
	assert_string_equal(vitk_sriov_taken_get(t, 1, &why), "0000:02:10.0");
	assert_string_equal(why, "attached to domain 'vm1'");
	assert_string_equal(vitk_sriov_taken_get(t, 2, &why), "0000:82:10.0");
	assert_string_equal(why, "reserved for VM 'db1' (plan p-1)");
	assert_string_equal(vitk_sriov_taken_get(t, 3, &why), "0000:02:10.3");
	vitk_sriov_taken_free(t);
	/* the VM's own reservation does not count */
	assert_int_equal(vitk_sriov_unavailable(&t, inv, host, "db1", NULL), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 2);
	assert_null(vitk_sriov_taken_lookup(t, "0000:82:10.0"));
	vitk_sriov_taken_free(t);
	vitk_inventory_free(inv);
}

static void test_sriov_assign__attach_detach(void **state)
{
	vitk_sriov_attach_request q = VITK_SRIOV_ATTACH_REQUEST_INIT;
	vitk_sriov_attach_result *res = NULL;
	vitk_inventory *inv;
	vitk_sriov_taken *t = NULL;
	char mac[18];
	int64_t host;

	(void)state;
	inv = open_inv(&host);
	q.domain = "vm1";
	q.vf = "02:10.2";
	q.uri = uri;
	q.flags = VITK_SRIOV_AFFECT_CONFIG;
	q.vlan = 42;
	assert_int_equal(vitk_sriov_attach(&res, inv, host, &q), 0);
	assert_int_equal(res->count, 1);
	assert_int_equal(res->n_warnings, 0);
	assert_string_equal(res->items[0].domain, "vm1");
	assert_string_equal(res->items[0].vf, "0000:02:10.2");
	assert_int_equal(res->items[0].vlan, 42);
	/* the MAC is the stable one the inventory hands out */
	assert_int_equal(vitk_sriov_inventory_mac(mac, inv, host, "vm1", "0000:02:10.2"), 0);
	assert_string_equal(res->items[0].mac, mac);
	vitk_sriov_attach_result_free(res);
	/* recorded: the in-use rule sees it */
	assert_int_equal(vitk_sriov_in_use(&t, inv, host, NULL), 0);
	assert_string_equal(vitk_sriov_taken_lookup(t, "0000:02:10.2"), "attached to domain 'vm1'");
	vitk_sriov_taken_free(t);
	/* an unknown domain: the message names the VF and the domain, nothing recorded */
	q.domain = "nosuchvm";
	assert_int_equal(vitk_sriov_attach(&res, inv, host, &q), VITK_ENOTFOUND);
	assert_null(res);
	assert_msg_contains("cannot attach 0000:02:10.2 to 'nosuchvm': ");
	/* a bad request */
	q.plan = "p-1";
	assert_int_equal(vitk_sriov_attach(&res, inv, host, &q), VITK_EINVAL);
	q.plan = NULL;
	q.vlan = 4096;
	assert_int_equal(vitk_sriov_attach(&res, inv, host, &q), VITK_EINVAL);
	/* a plan made for another VM: attached, with a warning; the plan's VLAN */
	{
		vitk_sriov_plan plan;
		vitk_sriov_plan_pick pick;

		memset(&plan, 0, sizeof(plan));
		memset(&pick, 0, sizeof(pick));
		pick.vf = "0000:02:10.0";
		pick.pf = "0000:01:00.0";
		plan.picks = &pick;
		plan.n_picks = 1;
		assert_int_equal(vitk_sriov_inventory_reserve(inv, host, "p-1", "db1", 7, &plan), 0);
	}
	q.domain = "vm1";
	q.vf = NULL;
	q.plan = "p-1";
	q.vlan = -1;
	assert_int_equal(vitk_sriov_attach(&res, inv, host, &q), 0);
	assert_int_equal(res->count, 1);
	assert_string_equal(res->items[0].vf, "0000:02:10.0");
	assert_int_equal(res->items[0].vlan, 7);
	assert_int_equal(res->n_warnings, 1);
	assert_string_equal(res->warnings[0], "plan 'p-1' was made for VM 'db1', attaching to 'vm1'");
	vitk_sriov_attach_result_free(res);
	q.plan = "nope";
	assert_int_equal(vitk_sriov_attach(&res, inv, host, &q), VITK_ENOTFOUND);
	assert_null(res);
	/* detach: a fresh test:/// connection has no such interface, nothing recorded */
	assert_int_equal(vitk_sriov_detach(inv, host, uri, "vm1", "02:10.2", VITK_SRIOV_AFFECT_CONFIG),
			 VITK_ENOTFOUND);
	assert_msg_contains("cannot detach 0000:02:10.2 from 'vm1': ");
	assert_int_equal(vitk_sriov_in_use(&t, inv, host, NULL), 0);
	assert_non_null(vitk_sriov_taken_lookup(t, "0000:02:10.2"));
	vitk_sriov_taken_free(t);
	assert_int_equal(vitk_sriov_detach(inv, host, uri, "vm1", "bogus", 0), VITK_EINVAL);
	vitk_inventory_free(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sriov_taken__set),
		cmocka_unit_test(test_sriov_assign__in_use_rule),
		cmocka_unit_test(test_sriov_assign__attach_detach),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
