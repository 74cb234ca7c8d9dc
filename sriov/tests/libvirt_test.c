/* SPDX-License-Identifier: MIT */
/* libvirt's test:/// driver with a custom node XML: node devices and define-based attach. */
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

static void test_sriov_libvirt__interface_xml(void **state)
{
	char *x = NULL;

	(void)state;
	assert_int_equal(vitk_sriov_interface_xml(&x, "0000:02:10.2", "52:54:00:aa:bb:cc", 42), 0);
	assert_string_equal(x, "<interface type='hostdev' managed='yes'>\n"
			       "  <mac address='52:54:00:aa:bb:cc'/>\n"
			       "  <source>\n"
			       "    <address type='pci' domain='0x0000' bus='0x02' slot='0x10' function='0x2'/>\n"
			       "  </source>\n"
			       "  <vlan>\n"
			       "    <tag id='42'/>\n"
			       "  </vlan>\n"
			       "</interface>\n");
	free(x);
	assert_int_equal(vitk_sriov_interface_xml(&x, "0000:02:10.2", "52:54:00:aa:bb:cc", -1), 0);
	assert_null(strstr(x, "vlan"));
	free(x);
	assert_int_equal(vitk_sriov_interface_xml(&x, "bogus", "52:54:00:aa:bb:cc", -1), VITK_EINVAL);
	assert_int_equal(vitk_sriov_interface_xml(&x, "02:10.2", "nope", -1), VITK_EINVAL);
}

static void test_sriov_libvirt__nodedev_scan(void **state)
{
	vitk_sriov_virt *v = NULL;
	vitk_sriov_pf_list *l = NULL;

	(void)state;
	assert_int_equal(vitk_sriov_virt_open(&v, uri), 0);
	assert_int_equal(vitk_sriov_libvirt_nodedev_scan(&l, v), 0);
	assert_int_equal(l->count, 2);
	assert_string_equal(l->items[0].addr, "0000:01:00.0");
	assert_int_equal(l->items[0].vendor_id, 0x8086);
	assert_int_equal(l->items[0].device_id, 0x10c9);
	assert_string_equal(l->items[0].device_name, "82576 Gigabit Network Connection");
	assert_int_equal(l->items[0].sysfs_totalvfs, 8);
	assert_int_equal(l->items[0].n_vfs, 2);
	assert_string_equal(l->items[0].vfs[1].addr, "0000:02:10.2");
	assert_int_equal(l->items[0].numa_node, 0);
	assert_int_equal(l->items[0].iommu_group, 14);
	assert_string_equal(l->items[1].addr, "0002:01:00.0");
	assert_int_equal(l->items[1].sysfs_totalvfs, 128);
	assert_int_equal(l->items[1].numa_node, 1);
	vitk_sriov_pf_list_free(l);
	vitk_sriov_virt_free(v);
}

static void test_sriov_libvirt__nodedev_parse_errors(void **state)
{
	vitk_sriov_pf_info pf;
	bool is_pf;
	const char *noaddr = "<device><capability type='pci'><domain>0</domain><bus>1</bus>"
			     "<slot>0</slot><function>0</function><capability type='virt_functions'>"
			     "<address bus='0x02' slot='0x40' function='0x0'/></capability></capability></device>";
	const char *nobus = "<device><capability type='pci'><domain>0</domain><slot>0</slot>"
			    "<function>0</function></capability></device>";

	(void)state;
	assert_int_equal(vitk_sriov_nodedev_parse(&pf, &is_pf, "<x/>", 4), VITK_EINVAL);
	assert_int_equal(vitk_sriov_nodedev_parse(&pf, &is_pf, noaddr, strlen(noaddr)), VITK_EINVAL);
	assert_msg_contains("<address slot='0x40'> is not a number <= 31");
	assert_int_equal(vitk_sriov_nodedev_parse(&pf, &is_pf, nobus, strlen(nobus)), VITK_EINVAL);
	assert_msg_contains("without domain/bus/slot/function");
	assert_int_equal(vitk_sriov_nodedev_parse(&pf, &is_pf, "not xml", 7), VITK_EINVAL);
}

/* the test driver has no device attach: --config edits and redefines the domain */
static void test_sriov_libvirt__attach_detach_config(void **state)
{
	vitk_sriov_virt *v = NULL;
	char *iface = NULL, *x = NULL;

	(void)state;
	assert_int_equal(vitk_sriov_virt_open(&v, uri), 0);
	assert_int_equal(vitk_sriov_interface_xml(&iface, "0000:02:10.2", "52:54:00:aa:bb:cc", 42), 0);
	assert_int_equal(vitk_sriov_libvirt_attach(v, "vm1", iface, VITK_SRIOV_AFFECT_CONFIG), 0);
	assert_int_equal(vitk_sriov_libvirt_domain_xml(&x, v, "vm1", true), 0);
	assert_non_null(strstr(x, "<interface type='hostdev' managed='yes'>"));
	assert_non_null(strstr(x, "<mac address='52:54:00:aa:bb:cc'/>"));
	assert_non_null(strstr(x, "<address type='pci' domain='0x0000' bus='0x02' slot='0x10' function='0x2'/>"));
	assert_non_null(strstr(x, "<tag id='42'/>"));
	free(x);
	/* live attach is not supported by the test driver: a clear error */
	assert_int_equal(vitk_sriov_libvirt_attach(v, "vm1", iface, VITK_SRIOV_AFFECT_LIVE), VITK_EIO);
	assert_msg_contains("cannot attach the interface");
	assert_int_equal(vitk_sriov_libvirt_detach(v, "vm1", "0000:02:10.2", VITK_SRIOV_AFFECT_CONFIG), 0);
	assert_int_equal(vitk_sriov_libvirt_domain_xml(&x, v, "vm1", true), 0);
	assert_null(strstr(x, "hostdev"));
	free(x);
	assert_int_equal(vitk_sriov_libvirt_detach(v, "vm1", "0000:02:10.2", VITK_SRIOV_AFFECT_CONFIG),
			 VITK_ENOTFOUND);
	assert_int_equal(vitk_sriov_libvirt_attach(v, "nosuchvm", iface, VITK_SRIOV_AFFECT_CONFIG),
			 VITK_ENOTFOUND);
	free(iface);
	vitk_sriov_virt_free(v);
	assert_int_equal(vitk_sriov_virt_open(&v, "test:///nonexistent/file.xml"), VITK_EIO);
	assert_null(v);
}

static void test_sriov_libvirt__vfs_in_use(void **state)
{
	vitk_sriov_virt *v = NULL;
	vitk_sriov_taken *t = NULL;
	const char *why = NULL;

	(void)state;
	assert_int_equal(vitk_sriov_virt_open(&v, uri), 0);
	assert_int_equal(vitk_sriov_taken_new(&t), 0);
	assert_int_equal(vitk_sriov_libvirt_vfs_in_use(t, v), 0);
	assert_int_equal(vitk_sriov_taken_count(t), 1);
	assert_string_equal(vitk_sriov_taken_get(t, 0, &why), "0000:02:10.3");
	assert_string_equal(why, "used by running domain 'vm2'");
	vitk_sriov_taken_free(t);
	vitk_sriov_virt_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sriov_libvirt__interface_xml),
		cmocka_unit_test(test_sriov_libvirt__nodedev_scan),
		cmocka_unit_test(test_sriov_libvirt__nodedev_parse_errors),
		cmocka_unit_test(test_sriov_libvirt__attach_detach_config),
		cmocka_unit_test(test_sriov_libvirt__vfs_in_use),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
