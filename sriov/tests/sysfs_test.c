/* SPDX-License-Identifier: MIT */
#include "test_util.h"
#include "sriov_priv.h"

static void test_sriov_sysfs__parse_uint(void **state)
{
	unsigned v = 0;

	(void)state;
	assert_int_equal(vitk_sriov_parse_uint("8\n", &v, "x"), 0);
	assert_int_equal(v, 8);
	assert_int_equal(vitk_sriov_parse_uint("0", &v, "x"), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vitk_sriov_parse_uint("abc\n", &v, "'0000:01:00.0': sriov_totalvfs"),
			 VITK_EINVAL);
	assert_msg_contains("'0000:01:00.0': sriov_totalvfs: not a decimal number");
	assert_int_equal(vitk_sriov_parse_uint("", &v, "x"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_parse_uint("12x", &v, "x"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_parse_uint("-1", &v, "x"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_parse_uint("99999999999", &v, "x"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_parse_uint(NULL, &v, "x"), VITK_EINVAL);
}

static void test_sriov_sysfs__parse_hex_int(void **state)
{
	uint32_t h = 0;
	int i = 0;

	(void)state;
	assert_int_equal(vitk_sriov_parse_hex("0x8086\n", 0xffff, &h, "vendor"), 0);
	assert_int_equal(h, 0x8086);
	assert_int_equal(vitk_sriov_parse_hex("10ca\n", 0xffff, &h, "vf"), 0);
	assert_int_equal(h, 0x10ca);
	assert_int_equal(vitk_sriov_parse_hex("0x020000", 0xffffff, &h, "class"), 0);
	assert_int_equal(h, 0x020000);
	assert_int_equal(vitk_sriov_parse_hex("0x10000", 0xffff, &h, "vendor"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_parse_hex("0x", 0xffff, &h, "vendor"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_parse_hex("zz", 0xffff, &h, "vendor"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_parse_int("-1\n", &i, "numa_node"), 0);
	assert_int_equal(i, -1);
	assert_int_equal(vitk_sriov_parse_int("3", &i, "numa_node"), 0);
	assert_int_equal(i, 3);
	assert_int_equal(vitk_sriov_parse_int("--1", &i, "numa_node"), VITK_EINVAL);
}

static void test_sriov_sysfs__addr(void **state)
{
	char out[VITK_SRIOV_ADDR_MAX];

	(void)state;
	assert_int_equal(vitk_sriov_addr_normalize(out, "01:00.0"), 0);
	assert_string_equal(out, "0000:01:00.0");
	assert_int_equal(vitk_sriov_addr_normalize(out, "2:1:0.7"), 0);
	assert_string_equal(out, "0002:01:00.7");
	assert_int_equal(vitk_sriov_addr_normalize(out, "0000:3B:00.1"), 0);
	assert_string_equal(out, "0000:3b:00.1");
	assert_int_equal(vitk_sriov_addr_normalize(out, "01:00.8"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_addr_normalize(out, "01:20.0"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_addr_normalize(out, "eth0"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_addr_normalize(out, ""), VITK_EINVAL);
	assert_int_equal(vitk_sriov_addr_normalize(out, "0000:01:00.0.1"), VITK_EINVAL);
}

/* the kernel's VF address arithmetic (docs/sriov.md, "Kernel sysfs interface") */
static void test_sriov_sysfs__vf_addr(void **state)
{
	char out[VITK_SRIOV_ADDR_MAX];

	(void)state;
	assert_int_equal(vitk_sriov_vf_addr(out, "0000:01:00.0", 384, 2, 0), 0);
	assert_string_equal(out, "0000:02:10.0");
	assert_int_equal(vitk_sriov_vf_addr(out, "0000:01:00.0", 384, 2, 1), 0);
	assert_string_equal(out, "0000:02:10.2");
	assert_int_equal(vitk_sriov_vf_addr(out, "0000:01:00.0", 384, 2, 7), 0);
	assert_string_equal(out, "0000:02:11.6");
	assert_int_equal(vitk_sriov_vf_addr(out, "0002:01:00.0", 1, 1, 0), 0);
	assert_string_equal(out, "0002:01:00.1");
	assert_int_equal(vitk_sriov_vf_addr(out, "0002:01:00.0", 1, 1, 127), 0);
	assert_string_equal(out, "0002:01:10.0");
	assert_int_equal(vitk_sriov_vf_addr(out, "0000:6b:00.0", 16, 2, 1), 0);
	assert_string_equal(out, "0000:6b:02.2");
	assert_int_equal(vitk_sriov_vf_addr(out, "0000:82:00.1", 128, 2, 0), 0);
	assert_string_equal(out, "0000:82:10.1");
	assert_int_equal(vitk_sriov_vf_addr(out, "0000:ff:00.0", 384, 2, 0), VITK_ERANGE);
	assert_int_equal(vitk_sriov_vf_addr(out, "bogus", 1, 1, 0), VITK_EINVAL);
}

static void test_sriov_sysfs__read_attr(void **state)
{
	struct tenv e;
	fake_pf_spec s;
	unsigned v = 0;
	char *buf = NULL;
	char path[PATH_MAX];

	(void)state;
	tenv_root(&e);
	fake_fixture_82576(&s, "0000:01:00.0", "enp1s0f0");
	assert_int_equal(fake_sysfs_add_pf(e.root, &s), 0);
	tenv_open(&e);
	assert_int_equal(vitk_sriov__read_uint(e.ctx, "0000:01:00.0", "sriov_totalvfs", &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(vitk_sriov__read_attr(e.ctx, "0000:01:00.0", "nope", &buf), VITK_ENOTFOUND);
	assert_msg_contains("'0000:01:00.0': missing sysfs attribute 'nope'");
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:01:00.0/sriov_totalvfs", e.root);
	tspit(path, "eight\n");
	assert_int_equal(vitk_sriov__read_uint(e.ctx, "0000:01:00.0", "sriov_totalvfs", &v),
			 VITK_EINVAL);
	assert_msg_contains("'0000:01:00.0': sysfs attribute 'sriov_totalvfs': not a decimal number");
	tenv_done(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sriov_sysfs__parse_uint),
		cmocka_unit_test(test_sriov_sysfs__parse_hex_int),
		cmocka_unit_test(test_sriov_sysfs__addr),
		cmocka_unit_test(test_sriov_sysfs__vf_addr),
		cmocka_unit_test(test_sriov_sysfs__read_attr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
