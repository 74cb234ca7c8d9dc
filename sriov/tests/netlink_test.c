/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "test_util.h"
#include "sriov_priv.h"

static vitk_sriov_vf_config full_cfg(void)
{
	vitk_sriov_vf_config c = VITK_SRIOV_VF_STATE_INIT;
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

	c.vf = 3;
	c.has_mac = true;
	memcpy(c.mac, mac, 6);
	c.has_vlan = true;
	c.vlan = 42;
	c.qos = 5;
	c.vlan_proto = 0x88a8;
	c.has_spoofchk = true;
	c.spoofchk = false;
	c.has_trust = true;
	c.trust = true;
	c.has_link_state = true;
	c.link_state = VITK_SRIOV_LINK_DISABLE;
	c.has_rate = true;
	c.min_tx_rate = 100;
	c.max_tx_rate = 1000;
	return c;
}

/* build with libnl-route-3, parse back with our parser: every attribute */
static void test_sriov_netlink__build_parse_roundtrip(void **state)
{
	vitk_sriov_vf_config c = full_cfg();
	uint8_t *msg = NULL;
	size_t len = 0, n = 0;
	vitk_sriov_vf_state *st = NULL;
	struct nlmsghdr h;
	int ifindex = 0;

	(void)state;
	assert_int_equal(vitk_sriov_nl_build_setlink(&msg, &len, 7, &c), 0);
	memcpy(&h, msg, sizeof(h));
	assert_int_equal(h.nlmsg_type, RTM_SETLINK);
	assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(h.nlmsg_len, len);
	assert_int_equal(vitk_sriov_nl_parse_link(msg, len, &ifindex, &st, &n), 0);
	assert_int_equal(ifindex, 7);
	assert_int_equal(n, 1);
	assert_int_equal(st[0].vf, 3);
	assert_true(st[0].has_mac);
	assert_memory_equal(st[0].mac, c.mac, 6);
	assert_true(st[0].has_vlan);
	assert_int_equal(st[0].vlan, 42);
	assert_int_equal(st[0].qos, 5);
	assert_int_equal(st[0].vlan_proto, 0x88a8);
	assert_true(st[0].has_spoofchk);
	assert_false(st[0].spoofchk);
	assert_true(st[0].has_trust);
	assert_true(st[0].trust);
	assert_true(st[0].has_link_state);
	assert_int_equal(st[0].link_state, VITK_SRIOV_LINK_DISABLE);
	assert_true(st[0].has_rate);
	assert_int_equal(st[0].min_tx_rate, 100);
	assert_int_equal(st[0].max_tx_rate, 1000);
	free(st);
	free(msg);

	/* only what is asked is sent */
	memset(&c, 0, sizeof(c));
	c.vf = 0;
	c.has_trust = true;
	c.trust = false;
	assert_int_equal(vitk_sriov_nl_build_setlink(&msg, &len, 2, &c), 0);
	assert_int_equal(vitk_sriov_nl_parse_link(msg, len, &ifindex, &st, &n), 0);
	assert_int_equal(n, 1);
	assert_false(st[0].has_mac);
	assert_false(st[0].has_vlan);
	assert_false(st[0].has_rate);
	assert_true(st[0].has_trust);
	assert_false(st[0].trust);
	free(st);
	free(msg);
}

static void test_sriov_netlink__build_rejects(void **state)
{
	vitk_sriov_vf_config c = full_cfg();
	uint8_t *msg = NULL;
	size_t len = 0;

	(void)state;
	c.vlan = 4096;
	assert_int_equal(vitk_sriov_nl_build_setlink(&msg, &len, 7, &c), VITK_EINVAL);
	c = full_cfg();
	c.vlan_proto = 0x1234;
	assert_int_equal(vitk_sriov_nl_build_setlink(&msg, &len, 7, &c), VITK_EINVAL);
	c = full_cfg();
	c.min_tx_rate = 2000;
	assert_int_equal(vitk_sriov_nl_build_setlink(&msg, &len, 7, &c), VITK_EINVAL);
	assert_msg_contains("min tx rate 2000 above max tx rate 1000");
	assert_null(msg);
}

static void test_sriov_netlink__parse_malformed(void **state)
{
	vitk_sriov_vf_config c = full_cfg();
	uint8_t *msg = NULL;
	size_t len = 0, n = 0, cut;
	vitk_sriov_vf_state *st = NULL;
	struct nlmsghdr h;

	(void)state;
	assert_int_equal(vitk_sriov_nl_build_setlink(&msg, &len, 7, &c), 0);
	/* every truncation is an error or a clean parse, never a crash */
	for (cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, msg, cut);
		if (cut >= sizeof(h)) {
			memcpy(&h, copy, sizeof(h));
			h.nlmsg_len = (uint32_t)cut;
			memcpy(copy, &h, sizeof(h));
		}
		if (vitk_sriov_nl_parse_link(copy, cut, NULL, &st, &n) == 0)
			free(st);
		free(copy);
	}
	assert_int_equal(vitk_sriov_nl_parse_link(msg, 10, NULL, &st, &n), VITK_EINVAL);
	assert_msg_contains("truncated message header");
	/* an attribute length beyond the message */
	msg[sizeof(h) + 16] = 0xff;
	msg[sizeof(h) + 17] = 0x0f;
	assert_int_equal(vitk_sriov_nl_parse_link(msg, len, NULL, &st, &n), VITK_EINVAL);
	assert_null(st);
	free(msg);
}

static void host(struct tenv *e)
{
	fake_pf_spec s;

	tenv_root(e);
	fake_fixture_82576(&s, "0000:01:00.0", "enp1s0f0");
	s.initial_num_vfs = 4;
	assert_int_equal(fake_sysfs_add_pf(e->root, &s), 0);
	fake_fixture_82576(&s, "0000:01:00.1", NULL);
	s.initial_num_vfs = 1;
	assert_int_equal(fake_sysfs_add_pf(e->root, &s), 0);
	tenv_open(e);
}

static void test_sriov_netlink__configure_and_query(void **state)
{
	struct tenv e;
	vitk_sriov_vf_config c = full_cfg();
	vitk_sriov_vf_state *st = NULL;
	size_t n = 0;
	vitk_sriov_pf_info *pf = NULL;
	char mac[18];

	(void)state;
	host(&e);
	/*
	 * igb refuses link state (EOPNOTSUPP) and a minimum rate (EINVAL): one
	 * request per setting, so the other four still apply, and the error
	 * names each refused setting with its value, the netdev and the driver.
	 */
	assert_int_equal(vitk_sriov_vf_configure(e.ctx, "01:00.0", &c), VITK_EIO);
	assert_string_equal(vitk_error_last()->message,
			    "cannot set VF 3 rate min_tx_rate 100 max_tx_rate 1000 (Mbit/s) on 'enp1s0f0' (0000:01:00.0, driver 'igb'): Invalid argument; "
			    "cannot set VF 3 link_state disable on 'enp1s0f0' (0000:01:00.0, driver 'igb'): Operation not supported");
	assert_int_equal(fake_netlink_setlink_count(e.root), 6);
	assert_int_equal(vitk_sriov_vf_query(e.ctx, "enp1s0f0", &st, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(st[3].vf, 3);
	vitk_sriov_mac_format(mac, st[3].mac);
	assert_string_equal(mac, "02:11:22:33:44:55");
	assert_int_equal(st[3].vlan, 42);
	assert_int_equal(st[3].qos, 5);
	assert_int_equal(st[3].vlan_proto, 0x88a8);
	assert_false(st[3].spoofchk);
	assert_true(st[3].trust);
	assert_int_equal(st[3].link_state, VITK_SRIOV_LINK_AUTO);
	assert_int_equal(st[3].min_tx_rate, 0);
	assert_int_equal(st[3].max_tx_rate, 0);
	assert_int_equal(st[0].vlan, 0);
	assert_true(st[0].spoofchk);
	free(st);
	/* igb takes a maximum rate alone */
	{
		vitk_sriov_vf_config r = VITK_SRIOV_VF_STATE_INIT;

		r.vf = 3;
		r.has_rate = true;
		r.max_tx_rate = 1000;
		assert_int_equal(vitk_sriov_vf_configure(e.ctx, "01:00.0", &r), 0);
		assert_int_equal(vitk_sriov_vf_query(e.ctx, "enp1s0f0", &st, &n), 0);
		assert_int_equal(st[3].max_tx_rate, 1000);
		free(st);
	}
	/* a driver that takes every setting */
	{
		fake_pf_spec s;

		fake_fixture_thunderx(&s, "0000:05:00.0", "enp5s0");
		s.initial_num_vfs = 4;
		assert_int_equal(fake_sysfs_add_pf(e.root, &s), 0);
		assert_int_equal(vitk_sriov_vf_configure(e.ctx, "05:00.0", &c), 0);
		assert_int_equal(vitk_sriov_vf_query(e.ctx, "enp5s0", &st, &n), 0);
		assert_int_equal(n, 4);
		assert_int_equal(st[3].link_state, VITK_SRIOV_LINK_DISABLE);
		assert_int_equal(st[3].min_tx_rate, 100);
		assert_int_equal(st[3].max_tx_rate, 1000);
		assert_true(st[3].trust);
		free(st);
	}
	/* discovery shows it per VF */
	assert_int_equal(vitk_sriov_pf_get(&pf, e.ctx, "01:00.0", 0), 0);
	assert_true(pf->vfs[3].has_state);
	assert_int_equal(pf->vfs[3].state.vlan, 42);
	vitk_sriov_pf_free(pf);
	/* re-creating the VFs resets their settings, like a real PF driver */
	{
		unsigned actual = 0;

		assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "01:00.0", 0, 0, NULL, &actual), 0);
		assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "01:00.0", 4, 0, NULL, &actual), 0);
		assert_int_equal(vitk_sriov_vf_query(e.ctx, "enp1s0f0", &st, &n), 0);
		assert_int_equal(st[3].vlan, 0);
		assert_false(st[3].trust);
		free(st);
	}
	/* errors: VF out of range, PF without netdev, kernel refusal */
	c.vf = 4;
	assert_int_equal(vitk_sriov_vf_configure(e.ctx, "01:00.0", &c), VITK_ENOTFOUND);
	assert_msg_contains("'0000:01:00.0': no VF 4 (4 VFs enabled)");
	c.vf = 0;
	assert_int_equal(vitk_sriov_vf_configure(e.ctx, "01:00.1", &c), VITK_ENOTFOUND);
	assert_msg_contains("'0000:01:00.1': PF has no network interface");
	c.has_link_state = false;
	c.has_rate = false;
	assert_int_equal(fake_netlink_fail_next(e.root, EOPNOTSUPP), 0);
	assert_int_equal(vitk_sriov_vf_configure(e.ctx, "01:00.0", &c), VITK_ENOTSUP);
	assert_string_equal(vitk_error_last()->message,
			    "cannot set VF 0 mac 02:11:22:33:44:55 on 'enp1s0f0' (0000:01:00.0, driver 'igb'): Operation not supported");
	/* the refused MAC did not block the settings after it */
	assert_int_equal(vitk_sriov_vf_query(e.ctx, "enp1s0f0", &st, &n), 0);
	assert_int_equal(st[0].vlan, 42);
	assert_true(st[0].trust);
	free(st);
	assert_int_equal(vitk_sriov_vf_query(e.ctx, "nosuch0", &st, &n), VITK_ENOTFOUND);
	tenv_done(&e);
}

static void test_sriov_netlink__mac_helpers(void **state)
{
	uint8_t m[6];

	(void)state;
	assert_int_equal(vitk_sriov_mac_parse(m, "52:54:00:ab:cd:ef"), 0);
	assert_int_equal(m[5], 0xef);
	assert_int_equal(vitk_sriov_mac_parse(m, "52:54:00:ab:cd"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_mac_parse(m, "52-54-00-ab-cd-ef"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_mac_parse(m, "52:54:00:ab:cd:eg"), VITK_EINVAL);
	assert_int_equal(vitk_sriov_link_state_parse("disable"), VITK_SRIOV_LINK_DISABLE);
	assert_int_equal(vitk_sriov_link_state_parse("off"), -1);
	assert_string_equal(vitk_sriov_link_state_str(VITK_SRIOV_LINK_ENABLE), "enable");
}

/* the real NETLINK_ROUTE transport, on interfaces every host has (or lacks) */
static void test_sriov_netlink__real_transport(void **state)
{
	vitk_sriov_options o = VITK_SRIOV_OPTIONS_INIT;
	vitk_sriov *ctx = NULL;
	vitk_sriov_vf_state *st = NULL;
	size_t n = 99;

	(void)state;
	o.sysfs_root = "/nonexistent";
	assert_int_equal(vitk_sriov_open(&ctx, &o), 0);
	assert_int_equal(vitk_sriov_vf_query(ctx, "lo", &st, &n), 0);
	assert_int_equal(n, 0); /* loopback has no VFs */
	assert_null(st);
	assert_int_equal(vitk_sriov_vf_query(ctx, "vitknosuch0", &st, &n), VITK_ENOTFOUND);
	assert_msg_contains("netlink: cannot get link 'vitknosuch0'");
	vitk_sriov_free(ctx);
}

/* the real sysfs write op: plain writes, errno passed through */
static void test_sriov_netlink__real_sysfs_write(void **state)
{
	char path[PATH_MAX];
	const char *tmp = getenv("TEST_TMPDIR");
	char *s;

	(void)state;
	fake_fmt(path, sizeof(path), "%s/attr", tmp ? tmp : "/tmp");
	tspit(path, "");
	assert_int_equal(vitk_sriov__real_write(NULL, path, "4", 1), 0);
	s = tslurp("%s", path);
	assert_string_equal(s, "4");
	free(s);
	assert_int_equal(vitk_sriov__real_write(NULL, "/nonexistent/attr", "4", 1), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sriov_netlink__build_parse_roundtrip),
		cmocka_unit_test(test_sriov_netlink__build_rejects),
		cmocka_unit_test(test_sriov_netlink__parse_malformed),
		cmocka_unit_test(test_sriov_netlink__configure_and_query),
		cmocka_unit_test(test_sriov_netlink__mac_helpers),
		cmocka_unit_test(test_sriov_netlink__real_transport),
		cmocka_unit_test(test_sriov_netlink__real_sysfs_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
