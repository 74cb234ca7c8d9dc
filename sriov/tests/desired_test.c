/* SPDX-License-Identifier: MIT */
#include <sys/stat.h>

#include "test_util.h"
#include "sriov_priv.h"

static const char *doc =
	"{\"version\": 1, \"pfs\": [\n"
	" {\"pf\": \"01:00.0\", \"num_vfs\": 4, \"autoprobe\": true,\n"
	"  \"vfs\": [{\"index\": 0, \"mac\": \"52:54:00:00:00:10\", \"vlan\": 100, \"qos\": 2, \"trust\": true},\n"
	"           {\"index\": 1, \"spoofchk\": false},\n"
	"           {\"index\": 3, \"driver\": \"vfio-pci\"}]},\n"
	" {\"pf\": \"0000:01:00.1\", \"num_vfs\": 2, \"autoprobe\": false, \"driver\": \"vfio-pci\"}],\n"
	" \"exclude\": [\"02:10.0\"]}";

static void test_sriov_desired__json_roundtrip(void **state)
{
	vitk_sriov_desired *d = NULL, *d2 = NULL;
	char *js = NULL, *js2 = NULL;

	(void)state;
	assert_int_equal(vitk_sriov_desired_from_json(&d, doc, strlen(doc)), 0);
	assert_int_equal(d->n_pfs, 2);
	assert_string_equal(d->pfs[0].pf, "0000:01:00.0");
	assert_int_equal(d->pfs[0].num_vfs, 4);
	assert_int_equal(d->pfs[0].autoprobe, 1);
	assert_int_equal(d->pfs[0].n_vfs, 3);
	assert_true(d->pfs[0].vfs[0].has_mac);
	assert_int_equal(d->pfs[0].vfs[0].vlan, 100);
	assert_int_equal(d->pfs[0].vfs[0].qos, 2);
	assert_true(d->pfs[0].vfs[0].trust);
	assert_true(d->pfs[0].vfs[1].has_spoofchk);
	assert_false(d->pfs[0].vfs[1].spoofchk);
	assert_string_equal(d->pfs[0].vfs[2].driver, "vfio-pci");
	assert_int_equal(d->pfs[1].autoprobe, 0);
	assert_string_equal(d->pfs[1].driver, "vfio-pci");
	assert_int_equal(d->n_exclude, 1);
	assert_string_equal(d->exclude[0], "0000:02:10.0");
	assert_int_equal(vitk_sriov_desired_to_json(&js, d), 0);
	assert_int_equal(vitk_sriov_desired_from_json(&d2, js, strlen(js)), 0);
	assert_int_equal(vitk_sriov_desired_to_json(&js2, d2), 0);
	assert_string_equal(js, js2);
	assert_non_null(strstr(js, "\"mac\": \"52:54:00:00:00:10\""));
	free(js);
	free(js2);
	vitk_sriov_desired_free(d);
	vitk_sriov_desired_free(d2);
}

static void test_sriov_desired__json_errors(void **state)
{
	static const struct {
		const char *json, *msg;
	} bad[] = {
		{ "[]", "must be an object" },
		{ "{\"pfs\": [{\"pf\": \"x\", \"num_vfs\": 1}]}", "needs 'pf' with a PCI address" },
		{ "{\"pfs\": [{\"pf\": \"01:00.0\"}]}", "PF 0000:01:00.0: missing 'num_vfs'" },
		{ "{\"pfs\": [{\"pf\": \"01:00.0\", \"num_vfs\": -1}]}", "'num_vfs' must be an integer" },
		{ "{\"pfs\": [{\"pf\": \"01:00.0\", \"num_vfs\": 2, \"vfs\": [{\"index\": 2}]}]}",
		  "VF 2: index is not below num_vfs (2)" },
		{ "{\"pfs\": [{\"pf\": \"01:00.0\", \"num_vfs\": 2, \"vfs\": [{\"index\": 0, \"vlan\": 5000}]}]}",
		  "'vlan' must be an integer 0..4095" },
		{ "{\"pfs\": [{\"pf\": \"01:00.0\", \"num_vfs\": 2, \"vfs\": [{\"index\": 0, \"mac\": \"01:00:00:00:00:01\"}]}]}",
		  "multicast" },
		{ "{\"pfs\": [{\"pf\": \"01:00.0\", \"num_vfs\": 2, \"vfs\": [{\"index\": 0, \"qos\": 1}]}]}",
		  "'qos' needs 'vlan'" },
		{ "{\"pfs\": [{\"pf\": \"01:00.0\", \"num_vfs\": 2, \"bogus\": 1}]}", "unknown key 'bogus'" },
		{ "{\"pfs\": [{\"pf\": \"01:00.0\", \"num_vfs\": 1}, {\"pf\": \"0000:01:00.0\", \"num_vfs\": 1}]}",
		  "listed twice" },
		{ "{\"pfs\": [{\"pf\": \"01:00.0\", \"num_vfs\": 1, \"driver\": \"../x\"}]}", "'driver' must be" },
		{ "{\"version\": 2}", "unsupported 'version'" },
		{ "{\"pfs\": [", "desired state: line" },
	};
	vitk_sriov_desired *d = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < VITK_ARRAY_SIZE(bad); i++) {
		assert_int_equal(vitk_sriov_desired_from_json(&d, bad[i].json, strlen(bad[i].json)),
				 VITK_EINVAL);
		assert_null(d);
		assert_msg_contains(bad[i].msg);
	}
}

static void host(struct tenv *e)
{
	fake_pf_spec s;

	tenv_root(e);
	fake_fixture_82576(&s, "0000:01:00.0", "enp1s0f0");
	s.initial_num_vfs = 2;
	assert_int_equal(fake_sysfs_add_pf(e->root, &s), 0);
	fake_fixture_82576(&s, "0000:01:00.1", "enp1s0f1");
	assert_int_equal(fake_sysfs_add_pf(e->root, &s), 0);
	tenv_open(e);
}

static void test_sriov_desired__apply_converges(void **state)
{
	struct tenv e;
	vitk_sriov_desired *d = NULL;
	vitk_sriov_change_list *l = NULL;
	vitk_sriov_vf_state *st = NULL;
	size_t n = 0, i;
	char *s;

	(void)state;
	host(&e);
	assert_int_equal(vitk_sriov_desired_from_json(&d, doc, strlen(doc)), 0);
	/* dry run: says what would change, changes nothing */
	assert_int_equal(vitk_sriov_apply(&l, e.ctx, d, VITK_SRIOV_APPLY_DRY_RUN, NULL), 0);
	assert_true(l->count >= 2);
	assert_string_equal(l->items[0].action, "set-num-vfs");
	assert_string_equal(l->items[0].detail, "VFs 2 -> 4");
	vitk_sriov_change_list_free(l);
	s = tslurp("%s/bus/pci/devices/0000:01:00.0/sriov_numvfs", e.root);
	assert_string_equal(s, "2\n");
	free(s);

	assert_int_equal(vitk_sriov_apply(&l, e.ctx, d, 0, NULL), 0);
	for (i = 0; i < l->count; i++)
		assert_int_equal(l->items[i].result, 0);
	assert_string_equal(l->items[0].subject, "0000:01:00.0");
	assert_string_equal(l->items[0].action, "set-num-vfs");
	assert_string_equal(l->items[1].action, "vf-config");
	assert_string_equal(l->items[1].detail, "VF 0: mac 52:54:00:00:00:10 vlan 100 qos 2 trust on");
	assert_string_equal(l->items[2].detail, "VF 1: spoofchk off");
	assert_string_equal(l->items[3].action, "bind");
	assert_string_equal(l->items[3].subject, "0000:02:10.6");
	assert_string_equal(l->items[4].subject, "0000:01:00.1");
	assert_string_equal(l->items[4].action, "autoprobe");
	assert_string_equal(l->items[5].action, "set-num-vfs");
	assert_string_equal(l->items[5].detail, "VFs 0 -> 2");
	/* autoprobe=0: the PF's VFs come up unbound, then go to vfio-pci */
	assert_int_equal(l->count, 8);
	assert_string_equal(l->items[6].subject, "0000:02:10.1");
	assert_string_equal(l->items[6].detail, "(none) -> vfio-pci");
	assert_string_equal(l->items[7].subject, "0000:02:10.3");
	vitk_sriov_change_list_free(l);
	s = tslurp("%s/bus/pci/devices/0000:01:00.0/sriov_numvfs", e.root);
	assert_string_equal(s, "4\n");
	free(s);
	s = tslurp("%s/bus/pci/devices/0000:02:10.6/driver_override", e.root);
	assert_string_equal(s, "vfio-pci\n");
	free(s);
	s = tslurp("%s/bus/pci/devices/0000:01:00.1/sriov_drivers_autoprobe", e.root);
	assert_string_equal(s, "0\n");
	free(s);
	{
		char p[PATH_MAX];

		fake_fmt(p, sizeof(p), "%s/bus/pci/drivers/vfio-pci/0000:02:10.3", e.root);
		assert_int_equal(access(p, F_OK), 0);
	}
	assert_int_equal(vitk_sriov_vf_query(e.ctx, "enp1s0f0", &st, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(st[0].vlan, 100);
	assert_int_equal(st[0].mac[5], 0x10);
	assert_true(st[0].trust);
	assert_false(st[1].spoofchk);
	free(st);

	/* second run: nothing to do */
	assert_int_equal(vitk_sriov_apply(&l, e.ctx, d, 0, NULL), 0);
	if (l->count)
		fail_msg("second apply changed %s %s %s", l->items[0].subject, l->items[0].action,
			 l->items[0].detail);
	vitk_sriov_change_list_free(l);
	vitk_sriov_desired_free(d);
	tenv_done(&e);
}

static void test_sriov_desired__apply_errors(void **state)
{
	struct tenv e;
	vitk_sriov_desired *d = NULL;
	vitk_sriov_change_list *l = NULL;
	const char *j = "{\"pfs\": [{\"pf\": \"01:00.0\", \"num_vfs\": 9},"
			" {\"pf\": \"01:00.1\", \"num_vfs\": 1}, {\"pf\": \"07:00.0\", \"num_vfs\": 1}]}";

	(void)state;
	host(&e);
	assert_int_equal(vitk_sriov_desired_from_json(&d, j, strlen(j)), 0);
	assert_int_equal(vitk_sriov_apply(&l, e.ctx, d, 0, NULL), VITK_ERANGE);
	assert_msg_contains("0000:01:00.0: set-num-vfs: cannot write 'sriov_numvfs' on '0000:01:00.0': 9 is above sriov_totalvfs (8)");
	assert_int_equal(l->count, 3);
	assert_int_equal(l->items[0].result, VITK_ERANGE);
	assert_int_equal(l->items[1].result, 0); /* the rest still ran */
	assert_int_equal(l->items[2].result, VITK_ENOTFOUND);
	vitk_sriov_change_list_free(l);
	vitk_sriov_desired_free(d);
	tenv_done(&e);
}

/* a refused VF setting fails its change, not the apply: the rest still runs */
static void test_sriov_desired__apply_refused_setting(void **state)
{
	struct tenv e;
	vitk_sriov_desired *d = NULL;
	vitk_sriov_change_list *l = NULL;
	vitk_sriov_vf_state *st = NULL;
	size_t n = 0;
	const char *j = "{\"pfs\": [{\"pf\": \"01:00.0\", \"num_vfs\": 2, \"vfs\": ["
			"{\"index\": 0, \"mac\": \"52:54:00:00:00:10\", \"vlan\": 100, \"trust\": true},"
			"{\"index\": 1, \"spoofchk\": false}]}]}";

	(void)state;
	host(&e);
	assert_int_equal(vitk_sriov_desired_from_json(&d, j, strlen(j)), 0);
	assert_int_equal(fake_netlink_fail_next(e.root, EPERM), 0); /* the first: VF 0's MAC */
	assert_int_equal(vitk_sriov_apply(&l, e.ctx, d, 0, NULL), VITK_EIO);
	assert_string_equal(vitk_error_last()->message,
			    "0000:02:10.0: vf-config: cannot set VF 0 mac 52:54:00:00:00:10 on 'enp1s0f0' (0000:01:00.0, driver 'igb'): Operation not permitted");
	assert_int_equal(l->count, 2);
	assert_int_equal(l->items[0].result, VITK_EIO);
	assert_string_equal(l->items[0].detail,
			    "VF 0: mac 52:54:00:00:00:10 vlan 100 qos 0 trust on; VF 0: mac failed vlan applied trust applied");
	assert_int_equal(l->items[1].result, 0);
	assert_string_equal(l->items[1].detail, "VF 1: spoofchk off");
	vitk_sriov_change_list_free(l);
	assert_int_equal(vitk_sriov_vf_query(e.ctx, "enp1s0f0", &st, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(st[0].mac[5], 0x00);
	assert_int_equal(st[0].vlan, 100);
	assert_true(st[0].trust);
	assert_false(st[1].spoofchk);
	free(st);
	/* the next run retries only the MAC */
	assert_int_equal(vitk_sriov_apply(&l, e.ctx, d, 0, NULL), 0);
	assert_int_equal(l->count, 1);
	assert_string_equal(l->items[0].detail, "VF 0: mac 52:54:00:00:00:10");
	vitk_sriov_change_list_free(l);
	vitk_sriov_desired_free(d);
	tenv_done(&e);
}

static void test_sriov_desired__persist(void **state)
{
	vitk_sriov_persist_options o = VITK_SRIOV_PERSIST_OPTIONS_INIT;
	char root[PATH_MAX], link[PATH_MAX], tgt[PATH_MAX];
	char *unit = NULL, *text;
	const char *tmp = getenv("TEST_TMPDIR");
	ssize_t n;

	(void)state;
	fake_fmt(root, sizeof(root), "%s/persistroot", tmp ? tmp : "/tmp");
	o.root = root;
	o.db_path = "/var/lib/vitk/inventory.db";
	assert_int_equal(vitk_sriov_persist(&o, &unit), 0);
	fake_fmt(link, sizeof(link), "%s/etc/systemd/system/vitk-sriov.service", root);
	assert_string_equal(unit, link);
	text = tslurp("%s", unit);
	assert_non_null(text);
	assert_non_null(strstr(text, "\nBefore=network-pre.target network-online.target libvirtd.service "));
	assert_non_null(strstr(text, "\nWants=network-pre.target\n"));
	assert_non_null(strstr(text, "\nType=oneshot\nRemainAfterExit=yes\n"));
	assert_non_null(strstr(text, "\nExecStart=/usr/bin/vitk --db /var/lib/vitk/inventory.db sriov apply\n"));
	assert_non_null(strstr(text, "\nWantedBy=multi-user.target\n"));
	free(text);
	fake_fmt(link, sizeof(link), "%s/etc/systemd/system/multi-user.target.wants/vitk-sriov.service",
		 root);
	n = readlink(link, tgt, sizeof(tgt) - 1);
	assert_true(n > 0);
	tgt[n] = '\0';
	assert_string_equal(tgt, "../vitk-sriov.service");
	free(unit);
	/* idempotent */
	assert_int_equal(vitk_sriov_persist(&o, NULL), 0);
	/* refuses what would break the unit file */
	o.db_path = "/tmp/my db";
	assert_int_equal(vitk_sriov_persist(&o, NULL), VITK_EINVAL);
	o.db_path = NULL;
	o.unit_name = "../evil.service";
	assert_int_equal(vitk_sriov_persist(&o, NULL), VITK_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sriov_desired__json_roundtrip),
		cmocka_unit_test(test_sriov_desired__json_errors),
		cmocka_unit_test(test_sriov_desired__apply_converges),
		cmocka_unit_test(test_sriov_desired__apply_errors),
		cmocka_unit_test(test_sriov_desired__apply_refused_setting),
		cmocka_unit_test(test_sriov_desired__persist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
