/* SPDX-License-Identifier: MIT */
#include "test_util.h"

static char *slurp_data(const char *rel)
{
	char *s = tslurp("%s", rel);

	assert_non_null(s);
	return s;
}

static void test_sriov_esxi__max_vfs(void **state)
{
	char *js = slurp_data("sriov/tests/data/esxi/host.json");
	vitk_sriov_esxi_host *h = NULL;
	vitk_sriov_esxi_cmd *c = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(vitk_sriov_esxi_host_from_json(&h, js, strlen(js)), 0);
	assert_int_equal(h->n_ports, 4);
	assert_int_equal(vitk_sriov_esxi_max_vfs(&c, &n, h), 0);
	assert_int_equal(n, 2);
	/* drivers in PCI order of their first port, ports in PCI order */
	assert_string_equal(c[0].driver, "ixgbe");
	assert_string_equal(c[0].command, "esxcli system module parameters set -m ixgbe -p max_vfs=0,10");
	assert_int_equal(c[0].n_ports, 2);
	assert_string_equal(c[0].ports[0], "vmnic2 (0000:04:00.0)");
	assert_string_equal(c[1].command, "esxcli system module parameters set -m be2net -p max_vfs=16,8");
	assert_string_equal(c[1].ports[1], "vmnic5 (0000:07:00.1)");
	vitk_sriov_esxi_cmds_free(c, n);
	vitk_sriov_esxi_host_free(h);
	free(js);
}

static void test_sriov_esxi__vmx(void **state)
{
	char *js = slurp_data("sriov/tests/data/esxi/host.json");
	vitk_sriov_esxi_host *h = NULL;
	char *v = NULL;

	(void)state;
	assert_int_equal(vitk_sriov_esxi_host_from_json(&h, js, strlen(js)), 0);
	/* the real example: Emulex BE3 VF at 07:04.0 (PF 07:00.0, offset 32 -> VF 0) */
	assert_int_equal(vitk_sriov_esxi_vmx(&v, h, "vmnic4", 0, 0, VITK_SRIOV_VMX_51, NULL), 0);
	assert_string_equal(v, "pciPassthru0.present = \"TRUE\"\n"
			       "pciPassthru0.deviceId = \"710\"\n"
			       "pciPassthru0.vendorId = \"19a2\"\n"
			       "pciPassthru0.systemId = \"4c4c4544-0047-3010-8031-b4c04f4e5931\"\n"
			       "pciPassthru0.id = \"07:04.0\"\n"
			       "# after the first power-on ESXi adds pciPassthru0.pciSlotNumber,\n"
			       "# ethernet MACAddressType = \"generated\" and generatedMACAddress (00:0c:29:...)\n");
	free(v);
	assert_int_equal(vitk_sriov_esxi_vmx(&v, h, "0000:04:00.1", 3, 1, VITK_SRIOV_VMX_51, NULL), 0);
	assert_non_null(strstr(v, "pciPassthru1.id = \"04:10.7\"\n")); /* RID 0x401 + 128 + 2*3 */
	assert_non_null(strstr(v, "pciPassthru1.deviceId = \"10ed\"\n"));
	free(v);
	assert_int_equal(vitk_sriov_esxi_vmx(&v, h, "vmnic4", 2, 0, VITK_SRIOV_VMX_55, "VM Network SR-IOV"), 0);
	assert_non_null(strstr(v, "pciPassthru0.pfId = \"0007:00.00\"\n"));
	assert_non_null(strstr(v, "pciPassthru0.systemId = \"BYPASS\"\n"));
	assert_non_null(strstr(v, "pciPassthru0.networkName = \"VM Network SR-IOV\"\n"));
	free(v);
	assert_int_equal(vitk_sriov_esxi_vmx(&v, h, "vmnic9", 0, 0, VITK_SRIOV_VMX_51, NULL), VITK_ENOTFOUND);
	assert_int_equal(vitk_sriov_esxi_vmx(&v, h, "vmnic4", 16, 0, VITK_SRIOV_VMX_51, NULL), VITK_ERANGE);
	assert_msg_contains("port vmnic4: VF 16 but max_vfs is 16");
	assert_int_equal(vitk_sriov_esxi_vmx(&v, h, "vmnic4", 0, 0, VITK_SRIOV_VMX_55, "a\"b"), VITK_EINVAL);
	vitk_sriov_esxi_host_free(h);
	free(js);
}

static void test_sriov_esxi__sriovnic_list(void **state)
{
	char *txt = slurp_data("sriov/tests/data/esxi/sriovnic_list.txt");
	vitk_sriov_esxi_host *h = NULL;

	(void)state;
	assert_int_equal(vitk_sriov_esxi_parse_sriovnic_list(&h, txt, strlen(txt)), 0);
	assert_int_equal(h->n_ports, 3);
	assert_string_equal(h->ports[0].name, "vmnic2");
	assert_string_equal(h->ports[0].addr, "0000:04:00.0");
	assert_string_equal(h->ports[0].driver, "ixgbe");
	assert_string_equal(h->ports[2].driver, "be2net");
	vitk_sriov_esxi_host_free(h);
	free(txt);
	assert_int_equal(vitk_sriov_esxi_parse_sriovnic_list(&h, "hello\n", 6), VITK_EINVAL);
	assert_msg_contains("no 'Name ... PCI Device ... Driver' header");
	{
		const char *bad = "Name    PCI Device    Driver\n------  ------------  ------\n"
				  "vmnic2  0000:zz:00.0  ixgbe\n";

		assert_int_equal(vitk_sriov_esxi_parse_sriovnic_list(&h, bad, strlen(bad)), VITK_EINVAL);
		assert_msg_contains("sriovnic list line 3: bad PCI Device '0000:zz:00.0'");
	}
}

static void test_sriov_esxi__json_errors(void **state)
{
	static const struct {
		const char *j, *msg;
	} bad[] = {
		{ "{\"ports\": []}", "'ports' must be a list of 1..256 ports" },
		{ "{\"ports\": [{\"name\": \"vmnic0\", \"pci\": \"07:00.0\"}]}", "port vmnic0: 'driver'" },
		{ "{\"ports\": [{\"name\": \"vmnic0\", \"pci\": \"7\", \"driver\": \"x\"}]}", "'pci' must be a PCI address" },
		{ "{\"ports\": [{\"name\": \"vmnic0\", \"pci\": \"07:00.0\", \"driver\": \"x\", \"max_vfs\": 5000}]}",
		  "'max_vfs' must be an integer 0..1024" },
		{ "{\"ports\": [{\"name\": \"vmnic0\", \"pci\": \"07:00.0\", \"driver\": \"x\", \"vendor_id\": \"xyz\"}]}",
		  "'vendor_id'" },
		{ "{\"system_uuid\": \"nope\", \"ports\": []}", "'system_uuid' must look like" },
		{ "{\"ports\": [{\"name\": \"a\", \"pci\": \"07:00.0\", \"driver\": \"x\"}, {\"name\": \"a\", \"pci\": \"07:00.1\", \"driver\": \"x\"}]}",
		  "port a listed twice" },
	};
	vitk_sriov_esxi_host *h = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < VITK_ARRAY_SIZE(bad); i++) {
		assert_int_equal(vitk_sriov_esxi_host_from_json(&h, bad[i].j, strlen(bad[i].j)), VITK_EINVAL);
		assert_msg_contains(bad[i].msg);
		assert_null(h);
	}
	/* the 5.1 form needs the system UUID */
	{
		const char *j = "{\"ports\": [{\"name\": \"vmnic0\", \"pci\": \"07:00.0\", \"driver\": \"be2net\","
				" \"vendor_id\": \"19a2\", \"vf_device_id\": \"0710\", \"vf_offset\": 32, \"vf_stride\": 1}]}";
		char *v = NULL;

		assert_int_equal(vitk_sriov_esxi_host_from_json(&h, j, strlen(j)), 0);
		assert_int_equal(vitk_sriov_esxi_vmx(&v, h, "vmnic0", 0, 0, VITK_SRIOV_VMX_51, NULL), VITK_EINVAL);
		assert_msg_contains("system_uuid");
		vitk_sriov_esxi_host_free(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sriov_esxi__max_vfs),
		cmocka_unit_test(test_sriov_esxi__vmx),
		cmocka_unit_test(test_sriov_esxi__sriovnic_list),
		cmocka_unit_test(test_sriov_esxi__json_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
