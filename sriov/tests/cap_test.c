/* SPDX-License-Identifier: MIT */
#include "test_util.h"
#include "sriov_priv.h"

/* register values of real devices (docs/sriov.md, "SR-IOV extended capability") */
static const uint8_t i82576_160[] = { 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
				      0x09, 0x00, 0x00, 0x00, 0x08, 0x00, 0x08, 0x00,
				      0x01, 0x00, 0x00, 0x00, 0x80, 0x01, 0x02, 0x00,
				      0x00, 0x00, 0xca, 0x10, 0x53, 0x05, 0x00, 0x00,
				      0x01, 0x00, 0x00, 0x00 };
static const uint8_t thunderx_180[] = { 0x10, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00,
					0x19, 0x00, 0x00, 0x00, 0x80, 0x00, 0x80, 0x00,
					0x80, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
					0x00, 0x00, 0x34, 0xa0, 0x53, 0x05, 0x00, 0x00 };

static void test_sriov_cap__82576(void **state)
{
	uint8_t cfg[4096];
	fake_pf_spec s;
	vitk_sriov_cap c;

	(void)state;
	fake_fixture_82576(&s, "0000:01:00.0", NULL);
	s.initial_num_vfs = 1;
	fake_config_build(cfg, sizeof(cfg), &s);
	assert_memory_equal(cfg + 0x160, i82576_160, sizeof(i82576_160));
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, sizeof(cfg), "0000:01:00.0"), 0);
	assert_int_equal(c.offset, 0x160);
	assert_int_equal(c.cap_version, 1);
	assert_int_equal(c.initial_vfs, 8);
	assert_int_equal(c.total_vfs, 8);
	assert_int_equal(c.num_vfs, 1);
	assert_int_equal(c.vf_offset, 384);
	assert_int_equal(c.vf_stride, 2);
	assert_int_equal(c.vf_device, 0x10ca);
	assert_int_equal(c.ctrl, 0x0009);
	assert_true(c.vf_enable);
	assert_true(c.vf_mse);
	assert_false(c.ari);
	assert_int_equal(c.supported_page_sizes, 0x553);
	assert_int_equal(c.system_page_size, 1);
	assert_int_equal(c.fdl, 0);
}

static void test_sriov_cap__thunderx(void **state)
{
	uint8_t cfg[4096];
	fake_pf_spec s;
	vitk_sriov_cap c;

	(void)state;
	fake_fixture_thunderx(&s, "0002:01:00.0", NULL);
	s.initial_num_vfs = 128;
	fake_config_build(cfg, sizeof(cfg), &s);
	assert_memory_equal(cfg + 0x180, thunderx_180, sizeof(thunderx_180));
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, sizeof(cfg), "0002:01:00.0"), 0);
	assert_int_equal(c.offset, 0x180);
	assert_int_equal(c.total_vfs, 128);
	assert_int_equal(c.initial_vfs, 128);
	assert_int_equal(c.num_vfs, 128);
	assert_int_equal(c.vf_offset, 1);
	assert_int_equal(c.vf_stride, 1);
	assert_int_equal(c.vf_device, 0xa034);
	assert_int_equal(c.caps, 2);
	assert_true(c.ari);
	assert_true(c.vf_enable);
}

static void test_sriov_cap__no_sriov(void **state)
{
	uint8_t cfg[4096];
	fake_pf_spec s;
	vitk_sriov_cap c;

	(void)state;
	fake_fixture_no_sriov(&s, "0000:03:00.0", NULL);
	fake_config_build(cfg, sizeof(cfg), &s);
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, sizeof(cfg), "0000:03:00.0"), VITK_ENOTFOUND);
	assert_msg_contains("'0000:03:00.0': no SR-IOV capability");
	/* only the 256-byte legacy space */
	fake_fixture_82576(&s, "0000:01:00.0", NULL);
	fake_config_build(cfg, 256, &s);
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, 256, "0000:01:00.0"), VITK_ENOTFOUND);
	assert_msg_contains("only 256 bytes");
	/* not PCI Express: no capability list at all */
	memset(cfg, 0, sizeof(cfg));
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, sizeof(cfg), "x"), VITK_ENOTFOUND);
	assert_msg_contains("not a PCI Express device");
}

static void test_sriov_cap__broken_chain(void **state)
{
	uint8_t cfg[4096];
	fake_pf_spec s;
	vitk_sriov_cap c;

	(void)state;
	fake_fixture_broken(&s, "0000:04:00.0", FAKE_BROKEN_LOOP);
	fake_config_build(cfg, sizeof(cfg), &s);
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, sizeof(cfg), "0000:04:00.0"), VITK_EINVAL);
	assert_msg_contains("'0000:04:00.0': extended capability chain loops at offset 0x100");
	fake_fixture_broken(&s, "0000:04:00.0", FAKE_BROKEN_PTR);
	fake_config_build(cfg, sizeof(cfg), &s);
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, sizeof(cfg), "0000:04:00.0"), VITK_EINVAL);
	assert_msg_contains("bad next pointer 0x0a0");
	/* a self-loop */
	fake_fixture_82576(&s, "0000:01:00.0", NULL);
	fake_config_build(cfg, sizeof(cfg), &s);
	sriov_put_le32(cfg + 0x100, 0x1u | (1u << 16) | (0x100u << 20));
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, sizeof(cfg), "d"), VITK_EINVAL);
	assert_msg_contains("loops");
	/* a classic list that loops */
	fake_config_build(cfg, sizeof(cfg), &s);
	cfg[0x71] = 0x50; /* MSI-X -> MSI -> MSI-X ... (no PCIe cap reached) */
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, sizeof(cfg), "d"), VITK_EINVAL);
	assert_msg_contains("capability list loops");
}

static void test_sriov_cap__truncated(void **state)
{
	uint8_t cfg[4096];
	fake_pf_spec s;
	vitk_sriov_cap c;

	(void)state;
	fake_fixture_82576(&s, "0000:01:00.0", NULL);
	fake_config_build(cfg, sizeof(cfg), &s);
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, 0x170, "0000:01:00.0"), VITK_EINVAL);
	assert_msg_contains("SR-IOV capability at 0x160 truncated");
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, 0x150, "0000:01:00.0"), VITK_EINVAL);
	assert_msg_contains("pointer 0x160 beyond");
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, 32, "0000:01:00.0"), VITK_EINVAL);
	assert_msg_contains("truncated to 32 bytes");
	/* NumVFs above TotalVFs is malformed */
	sriov_put_le16(cfg + 0x170, 9);
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, sizeof(cfg), "0000:01:00.0"), VITK_EINVAL);
	assert_msg_contains("NumVFs (9) exceeds TotalVFs (8)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sriov_cap__82576),
		cmocka_unit_test(test_sriov_cap__thunderx),
		cmocka_unit_test(test_sriov_cap__no_sriov),
		cmocka_unit_test(test_sriov_cap__broken_chain),
		cmocka_unit_test(test_sriov_cap__truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
