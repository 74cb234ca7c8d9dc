/* SPDX-License-Identifier: MIT */
/*
 * Host workflows against the fake sysfs/netlink and an in-memory inventory:
 * the in-use rule applied by set-vfs and apply, plan reservations, history
 * events, and the result documents.
 */
#include <jansson.h>

#include "test_util.h"

struct wenv {
	struct tenv e;
	vitk_inventory *inv;
	vitk_sriov_site site;
};

static void wenv_open(struct wenv *w, unsigned initial)
{
	fake_pf_spec s;

	tenv_root(&w->e);
	fake_fixture_82576(&s, "0000:01:00.0", "enp1s0f0");
	s.initial_num_vfs = initial;
	assert_int_equal(fake_sysfs_add_pf(w->e.root, &s), 0);
	fake_fixture_82576(&s, "0000:01:00.1", "enp1s0f1");
	s.vf_offset = 0x180;
	s.initial_num_vfs = initial;
	assert_int_equal(fake_sysfs_add_pf(w->e.root, &s), 0);
	tenv_open(&w->e);
	w->inv = NULL;
	assert_int_equal(vitk_inventory_open(&w->inv, ":memory:", 0), 0);
	assert_int_equal(vitk_sriov_inventory_register(w->inv), 0);
	assert_int_equal(vitk_inventory_host_ensure(w->inv, "kvm1", "mid-kvm1", "linux", "local",
						    &w->site.host_id),
			 0);
	w->site.inv = w->inv;
	w->site.uri = NULL;
}

static void wenv_done(struct wenv *w)
{
	vitk_inventory_free(w->inv);
	tenv_done(&w->e);
}

static size_t events(struct wenv *w, const char *event)
{
	vitk_inventory_rows *rows = NULL;
	vitk_inventory_value m[] = { VITK_INV_S("event", event) };
	size_t n;

	assert_int_equal(vitk_inventory_select(&rows, w->inv, "sriov_history", w->site.host_id, m, 1,
					       NULL),
			 0);
	n = vitk_inventory_rows_count(rows);
	vitk_inventory_rows_free(rows);
	return n;
}

static void test_sriov_workflow__set_vfs_in_use(void **state)
{
	struct wenv w;
	unsigned actual = 0;

	(void)state;
	wenv_open(&w, 4);
	/* VF 1 of 01:00.0 is recorded as attached: the count cannot change under it */
	assert_int_equal(vitk_sriov_inventory_assign(w.inv, w.site.host_id, "0000:02:10.2", "vm1",
						     "test:///default", "52:54:00:00:00:01", -1, true),
			 0);
	assert_int_equal(vitk_sriov_set_vfs(w.e.ctx, &w.site, "01:00.0", 2, 0, &actual), VITK_EBUSY);
	assert_msg_contains("VF 1 (0000:02:10.2) is in use by a domain");
	assert_int_equal(events(&w, "set-vfs"), 0);
	/* the other PF's VFs are not in use */
	assert_int_equal(vitk_sriov_set_vfs(w.e.ctx, &w.site, "01:00.1", 2, 0, &actual), 0);
	assert_int_equal(actual, 2);
	assert_int_equal(events(&w, "set-vfs"), 1);
	/* forced */
	assert_int_equal(vitk_sriov_set_vfs(w.e.ctx, &w.site, "01:00.0", 2, VITK_SRIOV_SET_FORCE,
					    &actual),
			 0);
	assert_int_equal(events(&w, "set-vfs"), 2);
	assert_int_equal(vitk_sriov_set_vfs(w.e.ctx, &w.site, "bogus", 2, 0, &actual), VITK_EINVAL);
	wenv_done(&w);
}

static void test_sriov_workflow__apply(void **state)
{
	struct wenv w;
	vitk_sriov_change_list *l = NULL;
	char path[PATH_MAX];
	json_t *doc = NULL;

	(void)state;
	wenv_open(&w, 0);
	/* nothing stored: an error, unless an (empty) import just happened */
	assert_int_equal(vitk_sriov_apply_desired(&l, w.e.ctx, &w.site, 0, false), VITK_ENOTFOUND);
	assert_null(l);
	assert_int_equal(vitk_sriov_apply_desired(&l, w.e.ctx, &w.site, 0, true), 0);
	assert_int_equal(l->count, 0);
	vitk_sriov_change_list_free(l);
	fake_fmt(path, sizeof(path), "%s/desired.json", w.e.root);
	tspit(path, "{\"pfs\": [{\"pf\": \"01:00.0\", \"num_vfs\": 2}]}");
	assert_int_equal(vitk_sriov_import_desired(&w.site, path), 0);
	assert_int_equal(vitk_sriov_export_desired(&doc, &w.site), 0);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(doc, "pfs"), 0), "pf")),
			    "0000:01:00.0");
	json_decref(doc);
	assert_int_equal(vitk_sriov_apply_desired(&l, w.e.ctx, &w.site, VITK_SRIOV_APPLY_DRY_RUN,
						  false),
			 0);
	assert_int_equal(l->count, 1);
	assert_string_equal(l->items[0].action, "set-num-vfs");
	assert_int_equal(events(&w, "set-num-vfs"), 0); /* a dry run records nothing */
	vitk_sriov_change_list_free(l);
	assert_int_equal(vitk_sriov_apply_desired(&l, w.e.ctx, &w.site, 0, false), 0);
	assert_int_equal(l->count, 1);
	assert_int_equal(events(&w, "set-num-vfs"), 1);
	/* the apply's result is a document */
	assert_int_equal(vitk_sriov_changes_to_json(&doc, l, false), 0);
	assert_int_equal(json_integer_value(json_object_get(doc, "changed")), 1);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(doc, "changes"), 0),
						 "ok")));
	json_decref(doc);
	vitk_sriov_change_list_free(l);
	/* converged */
	assert_int_equal(vitk_sriov_apply_desired(&l, w.e.ctx, &w.site, 0, false), 0);
	assert_int_equal(l->count, 0);
	vitk_sriov_change_list_free(l);
	fake_fmt(path, sizeof(path), "%s/missing.json", w.e.root);
	assert_int_equal(vitk_sriov_import_desired(&w.site, path), VITK_ENOTFOUND);
	assert_msg_contains("cannot read '");
	wenv_done(&w);
}

static void test_sriov_workflow__plan_reserves(void **state)
{
	vitk_sriov_plan_request q = VITK_SRIOV_PLAN_REQUEST_INIT;
	struct wenv w;
	vitk_sriov_vm_plan *p = NULL;
	vitk_sriov_taken *t = NULL;
	char *id = NULL;
	json_t *doc = NULL;

	(void)state;
	wenv_open(&w, 2);
	q.vm = "vm1";
	q.vlan = 42;
	assert_int_equal(vitk_sriov_plan_vm(&p, w.e.ctx, &w.site, &q, false), 0);
	assert_int_equal(p->plan->n_picks, 2);
	assert_non_null(p->plan_id);
	assert_int_equal(strncmp(p->plan_id, "p-", 2), 0);
	id = strdup(p->plan_id);
	/* one VF per PF */
	assert_string_not_equal(p->plan->picks[0].pf, p->plan->picks[1].pf);
	assert_int_equal(vitk_sriov_vm_plan_to_json(&doc, p), 0);
	assert_string_equal(json_string_value(json_object_get(doc, "plan_id")), id);
	assert_int_equal(json_integer_value(json_object_get(doc, "vlan")), 42);
	assert_int_equal(json_array_size(json_object_get(doc, "picks")), 2);
	json_decref(doc);
	vitk_sriov_vm_plan_free(p);
	/* another VM cannot have the reserved VFs; re-planning vm1 is stable */
	assert_int_equal(vitk_sriov_unavailable(&t, w.inv, w.site.host_id, "vm2", NULL), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 2);
	vitk_sriov_taken_free(t);
	assert_int_equal(vitk_sriov_plan_vm(&p, w.e.ctx, &w.site, &q, false), 0);
	assert_string_equal(p->plan_id, id);
	vitk_sriov_vm_plan_free(p);
	/* not enough: the plan comes back with its notes, nothing reserved */
	q.vm = "vm2";
	q.count = 4;
	assert_int_equal(vitk_sriov_plan_vm(&p, w.e.ctx, &w.site, &q, false), VITK_ENOTFOUND);
	assert_non_null(p);
	assert_null(p->plan_id);
	assert_true(p->plan->n_notes > 0);
	vitk_sriov_vm_plan_free(p);
	/* --no-reserve: a plan without an ID, no reservation */
	q.count = 2;
	assert_int_equal(vitk_sriov_plan_vm(&p, w.e.ctx, &w.site, &q, true), 0);
	assert_null(p->plan_id);
	vitk_sriov_vm_plan_free(p);
	assert_int_equal(vitk_sriov_unavailable(&t, w.inv, w.site.host_id, "vm3", NULL), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 2);
	vitk_sriov_taken_free(t);
	free(id);
	wenv_done(&w);
}

static void test_sriov_workflow__documents(void **state)
{
	struct wenv w;
	vitk_sriov_pf_list *l = NULL;
	vitk_sriov_discover_request dq = { 0 };
	vitk_table *t = NULL;
	json_t *doc = NULL, *vf;
	size_t col;

	(void)state;
	wenv_open(&w, 2);
	dq.inv = w.inv;
	dq.host_id = w.site.host_id;
	assert_int_equal(vitk_sriov_discover(&l, w.e.ctx, &dq), 0);
	assert_int_equal(l->count, 2);
	/* the scan was recorded */
	assert_int_equal(events(&w, "pf-discovered"), 2);
	assert_int_equal(vitk_sriov_pf_table(&t, l), 0);
	assert_int_equal(vitk_table_nrows(t), 2);
	assert_int_equal(vitk_table_column_find(t, "total_vfs", &col), 0);
	assert_int_equal(vitk_table_get_int(t, 0, col), 8);
	assert_int_equal(vitk_table_column_find(t, "id", &col), 0);
	assert_string_equal(vitk_table_get_str(t, 0, col), "8086:10c9");
	vitk_table_free(t);
	assert_int_equal(vitk_sriov_vf_table(&t, l, "0000:02:10.2"), 0);
	assert_int_equal(vitk_table_nrows(t), 1);
	vitk_table_free(t);
	assert_int_equal(vitk_sriov_pf_list_to_json(&doc, l, false), 0);
	assert_null(json_object_get(json_array_get(doc, 0), "vfs"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(doc, 0), "vendor_id")),
			    "8086");
	json_decref(doc);
	assert_int_equal(vitk_sriov_vf_to_json(&doc, l, "0000:02:10.2"), 0);
	assert_string_equal(json_string_value(json_object_get(doc, "pf")), "0000:01:00.0");
	json_decref(doc);
	assert_int_equal(vitk_sriov_vf_to_json(&doc, l, "0000:09:00.0"), VITK_ENOTFOUND);
	/* without netlink state a VF has no state keys at all */
	l->items[0].vfs[0].has_state = false;
	assert_int_equal(vitk_sriov_pf_list_to_json(&doc, l, true), 0);
	vf = json_array_get(json_object_get(json_array_get(doc, 0), "vfs"), 0);
	assert_null(json_object_get(vf, "mac"));
	assert_true(json_is_null(json_object_get(vf, "domain")));
	json_decref(doc);
	assert_int_equal(vitk_sriov_pf_record(&t, &l->items[0]), 0);
	assert_int_equal(vitk_table_column_find(t, "cross_check", &col), 0);
	assert_string_equal(vitk_table_get_str(t, 0, col), "consistent");
	vitk_table_free(t);
	vitk_sriov_pf_list_free(l);
	/* a PF that is not there */
	dq.pf = "05:00.0";
	assert_int_equal(vitk_sriov_discover(&l, w.e.ctx, &dq), VITK_ENOTFOUND);
	assert_null(l);
	wenv_done(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sriov_workflow__set_vfs_in_use),
		cmocka_unit_test(test_sriov_workflow__apply),
		cmocka_unit_test(test_sriov_workflow__plan_reserves),
		cmocka_unit_test(test_sriov_workflow__documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
