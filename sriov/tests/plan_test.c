/* SPDX-License-Identifier: MIT */
#include "test_util.h"

/* A, B: two ports of one card on NUMA 0; C: another card on NUMA 1; D: ThunderX on NUMA 1 */
static vitk_sriov_pf_list *host(void)
{
	static const struct {
		const char *addr, *netdev;
		int numa;
		unsigned nvf;
	} pfs[] = {
		{ "0000:01:00.0", "enp1s0f0", 0, 2 },
		{ "0000:01:00.1", "enp1s0f1", 0, 2 },
		{ "0000:81:00.0", "enp129s0f0", 1, 2 },
		{ "0002:01:00.0", "enP2p1s0", 1, 1 },
	};
	vitk_sriov_pf_list *l = calloc(1, sizeof(*l));
	size_t i, j;

	l->items = calloc(VITK_ARRAY_SIZE(pfs), sizeof(*l->items));
	l->count = VITK_ARRAY_SIZE(pfs);
	for (i = 0; i < l->count; i++) {
		vitk_sriov_pf_info *p = &l->items[i];

		p->addr = strdup(pfs[i].addr);
		p->adapter = strndup(p->addr, 10);
		p->numa_node = pfs[i].numa;
		p->n_netdevs = 1;
		p->netdevs = calloc(1, sizeof(*p->netdevs));
		p->netdevs[0] = strdup(pfs[i].netdev);
		p->n_vfs = pfs[i].nvf;
		p->vfs = calloc(p->n_vfs, sizeof(*p->vfs));
		for (j = 0; j < p->n_vfs; j++) {
			char a[VITK_SRIOV_ADDR_MAX];

			p->vfs[j].index = (unsigned)j;
			p->vfs[j].present = true;
			assert_int_equal(vitk_sriov_vf_addr(a, p->addr, i == 3 ? 1 : 0x180,
							    i == 3 ? 1 : 2, (unsigned)j),
					 0);
			p->vfs[j].addr = strdup(a);
		}
	}
	return l;
}

static bool has_text(char **arr, size_t n, const char *sub)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(arr[i], sub))
			return true;
	return false;
}

#define assert_note(p, sub)                                                                        \
	do {                                                                                       \
		if (!has_text((p)->notes, (p)->n_notes, (sub)))                                    \
			fail_msg("no note with '%s'", (sub));                                      \
	} while (0)
#define assert_warning(p, sub)                                                                     \
	do {                                                                                       \
		if (!has_text((p)->warnings, (p)->n_warnings, (sub)))                              \
			fail_msg("no warning with '%s'", (sub));                                   \
	} while (0)

static void test_sriov_plan__different_adapters(void **state)
{
	vitk_sriov_pf_list *l = host();
	vitk_sriov_plan_request q = VITK_SRIOV_PLAN_REQUEST_INIT;
	vitk_sriov_plan *p = NULL, *p2 = NULL;
	size_t i;

	(void)state;
	q.vm = "vm1";
	q.count = 2;
	assert_int_equal(vitk_sriov_plan_compute(&p, l, &q), 0);
	assert_int_equal(p->n_picks, 2);
	assert_string_equal(p->picks[0].vf, "0000:02:10.0");
	assert_string_equal(p->picks[0].pf, "0000:01:00.0");
	assert_string_equal(p->picks[1].vf, "0000:82:10.0");
	assert_string_equal(p->picks[1].pf, "0000:81:00.0");
	assert_string_equal(p->picks[1].pf_netdev, "enp129s0f0");
	assert_int_equal(p->n_warnings, 0);
	assert_note(p, "request: 2 VF(s) for VM 'vm1', any NUMA node");
	assert_note(p, "chose 0000:82:10.0 (VF 0 of PF 0000:81:00.0 enp129s0f0, adapter 0000:81:00, NUMA 1): a PF on an adapter not used yet");
	/* deterministic */
	assert_int_equal(vitk_sriov_plan_compute(&p2, l, &q), 0);
	assert_int_equal(p2->n_notes, p->n_notes);
	for (i = 0; i < p->n_notes; i++)
		assert_string_equal(p->notes[i], p2->notes[i]);
	vitk_sriov_plan_free(p);
	vitk_sriov_plan_free(p2);
	vitk_sriov_pf_list_free(l);
}

static void test_sriov_plan__numa(void **state)
{
	vitk_sriov_pf_list *l = host();
	vitk_sriov_plan_request q = VITK_SRIOV_PLAN_REQUEST_INIT;
	vitk_sriov_plan *p = NULL;

	(void)state;
	q.vm = "vm1";
	q.numa_node = 0;
	q.policy = VITK_SRIOV_NUMA_REQUIRED;
	assert_int_equal(vitk_sriov_plan_compute(&p, l, &q), 0);
	assert_string_equal(p->picks[0].pf, "0000:01:00.0");
	assert_string_equal(p->picks[1].pf, "0000:01:00.1");
	assert_note(p, "rejected PF 0000:81:00.0 (2 VFs): NUMA node 1, the VM needs node 0 (policy required)");
	assert_warning(p, "0000:02:10.0 and 0000:02:10.1 are on different PFs of the same adapter 0000:01:00");
	vitk_sriov_plan_free(p);
	/* preferred: NUMA first, then adapters */
	q.policy = VITK_SRIOV_NUMA_PREFERRED;
	q.numa_node = 1;
	q.count = 3;
	assert_int_equal(vitk_sriov_plan_compute(&p, l, &q), 0);
	assert_string_equal(p->picks[0].pf, "0000:81:00.0");
	assert_string_equal(p->picks[1].pf, "0002:01:00.0");
	assert_string_equal(p->picks[2].pf, "0000:01:00.0");
	assert_warning(p, "0000:02:10.0 is on NUMA node 0, not the VM's node 1");
	vitk_sriov_plan_free(p);
	/* required, more than the node's PFs: a PF is shared, with the warning */
	q.policy = VITK_SRIOV_NUMA_REQUIRED;
	assert_int_equal(vitk_sriov_plan_compute(&p, l, &q), 0);
	assert_string_equal(p->picks[2].vf, "0000:82:10.2");
	assert_warning(p, "0000:82:10.0 and 0000:82:10.2 share PF 0000:81:00.0: traffic between them stays in the NIC's switch, but the pair gives no redundancy");
	assert_note(p, "only PFs already used remain");
	vitk_sriov_plan_free(p);
	vitk_sriov_pf_list_free(l);
}

static void test_sriov_plan__taken_and_shortage(void **state)
{
	vitk_sriov_pf_list *l = host();
	vitk_sriov_plan_request q = VITK_SRIOV_PLAN_REQUEST_INIT;
	vitk_sriov_plan *p = NULL;
	vitk_sriov_taken *taken = NULL;

	(void)state;
	assert_int_equal(vitk_sriov_taken_new(&taken), 0);
	assert_int_equal(vitk_sriov_taken_add(taken, "0000:02:10.0", "excluded (host use)"), 0);
	assert_int_equal(vitk_sriov_taken_add(taken, "0000:82:10.0", "reserved for VM 'db1' (plan x)"), 0);
	l->items[2].vfs[1].host_used = true;
	q.vm = "vm2";
	q.taken = taken;
	assert_int_equal(vitk_sriov_plan_compute(&p, l, &q), 0);
	assert_string_equal(p->picks[0].vf, "0000:02:10.1");
	assert_string_equal(p->picks[1].vf, "0002:01:00.1");
	assert_note(p, "rejected 0000:02:10.0 (VF 0 of 0000:01:00.0): excluded (host use)");
	assert_note(p, "rejected 0000:82:10.0 (VF 0 of 0000:81:00.0): reserved for VM 'db1' (plan x)");
	assert_note(p, "rejected 0000:82:10.2 (VF 1 of 0000:81:00.0): used by the host (netdev up)");
	assert_note(p, "rejected PF 0000:81:00.0: no free VF");
	vitk_sriov_plan_free(p);
	q.count = 9;
	assert_int_equal(vitk_sriov_plan_compute(&p, l, &q), VITK_ENOTFOUND);
	assert_msg_contains("no plan for 'vm2': need 9 free VFs, found 4");
	assert_note(p, "not enough VFs: need 9, found 4");
	vitk_sriov_plan_free(p);
	q.vm = NULL;
	assert_int_equal(vitk_sriov_plan_compute(&p, l, &q), VITK_EINVAL);
	vitk_sriov_taken_free(taken);
	vitk_sriov_pf_list_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sriov_plan__different_adapters),
		cmocka_unit_test(test_sriov_plan__numa),
		cmocka_unit_test(test_sriov_plan__taken_and_shortage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
