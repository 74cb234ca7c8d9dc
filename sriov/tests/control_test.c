/* SPDX-License-Identifier: MIT */
#include <sys/stat.h>

#include "test_util.h"
#include "sriov_priv.h"

static void host(struct tenv *e, unsigned initial)
{
	fake_pf_spec s;

	tenv_root(e);
	fake_fixture_82576(&s, "0000:01:00.0", "enp1s0f0");
	s.initial_num_vfs = initial;
	assert_int_equal(fake_sysfs_add_pf(e->root, &s), 0);
	tenv_open(e);
}

static bool exists(const struct tenv *e, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	fake_fmt(path, sizeof(path), "%s/%s", e->root, rel);
	return lstat(path, &st) == 0;
}

static char *rd(const struct tenv *e, const char *rel)
{
	char *s = tslurp("%s/%s", e->root, rel);

	assert_non_null(s);
	return s;
}

static void test_sriov_control__enable_and_change(void **state)
{
	struct tenv e;
	unsigned actual = 99;
	char *s, *log;
	uint8_t cfg[4096];
	vitk_sriov_cap c;

	(void)state;
	host(&e, 0);
	if (vitk_sriov_pf_set_num_vfs(e.ctx, "01:00.0", 4, 0, NULL, &actual) != 0)
		fail_msg("%s", vitk_error_last()->message);
	assert_int_equal(actual, 4);
	s = rd(&e, "bus/pci/devices/0000:01:00.0/sriov_numvfs");
	assert_string_equal(s, "4\n");
	free(s);
	assert_true(exists(&e, "bus/pci/devices/0000:01:00.0/virtfn3"));
	assert_true(exists(&e, "bus/pci/devices/0000:02:10.6/physfn"));
	assert_true(exists(&e, "bus/pci/devices/0000:02:10.6/driver")); /* autoprobe */
	/* the fake updates config space like the device: NumVFs and VF Enable */
	{
		char path[PATH_MAX];
		FILE *cf;

		fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:01:00.0/config", e.root);
		cf = fopen(path, "rb");
		assert_non_null(cf);
		assert_int_equal(fread(cfg, 1, sizeof(cfg), cf), sizeof(cfg));
		fclose(cf);
	}
	assert_int_equal(vitk_sriov_cap_parse(&c, cfg, sizeof(cfg), "pf"), 0);
	assert_int_equal(c.num_vfs, 4);
	assert_true(c.vf_enable);

	/* N -> M goes through 0 (the kernel's EBUSY rule) */
	assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "0000:01:00.0", 2, 0, NULL, &actual), 0);
	assert_int_equal(actual, 2);
	log = fake_sysfs_write_log(e.root);
	assert_string_equal(log, "bus/pci/devices/0000:01:00.0/sriov_numvfs 4\n"
				 "bus/pci/devices/0000:01:00.0/sriov_numvfs 0\n"
				 "bus/pci/devices/0000:01:00.0/sriov_numvfs 2\n");
	free(log);
	assert_false(exists(&e, "bus/pci/devices/0000:01:00.0/virtfn2"));
	assert_false(exists(&e, "bus/pci/devices/0000:02:10.4"));
	assert_true(exists(&e, "bus/pci/devices/0000:02:10.2"));
	/* same count: nothing written */
	assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "0000:01:00.0", 2, 0, NULL, &actual), 0);
	log = fake_sysfs_write_log(e.root);
	assert_int_equal(strlen(log), strlen("bus/pci/devices/0000:01:00.0/sriov_numvfs 4\n") * 3);
	free(log);
	/* disable */
	assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "0000:01:00.0", 0, 0, NULL, &actual), 0);
	assert_int_equal(actual, 0);
	assert_false(exists(&e, "bus/pci/devices/0000:02:10.0"));
	tenv_done(&e);
}

static void test_sriov_control__errors(void **state)
{
	struct tenv e;
	unsigned actual = 0;
	fake_pf_spec s;
	(void)state;
	host(&e, 2);
	assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "01:00.0", 9, 0, NULL, &actual),
			 VITK_ERANGE);
	assert_msg_contains("cannot write 'sriov_numvfs' on '0000:01:00.0': 9 is above sriov_totalvfs (8)");
	/* kernel-side failures */
	assert_int_equal(fake_sysfs_fail_next(e.root, "sriov_numvfs", EBUSY), 0);
	assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "01:00.0", 0, 0, NULL, &actual),
			 VITK_EBUSY);
	assert_msg_contains("VFs already enabled");
	assert_int_equal(fake_sysfs_fail_next(e.root, "sriov_numvfs", ENOMEM), 0);
	assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "01:00.0", 0, 0, NULL, &actual),
			 VITK_ENOMEM);
	assert_msg_contains("pci=realloc");
	/* the catch-all: the errno text once, from vitk_error_set's os_errno */
	assert_int_equal(fake_sysfs_fail_next(e.root, "sriov_numvfs", EIO), 0);
	assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "01:00.0", 0, 0, NULL, &actual), VITK_EIO);
	assert_string_equal(vitk_error_last()->message,
			    "cannot write 'sriov_numvfs' on '0000:01:00.0': Input/output error");
	/* in use by a domain: refused, nothing written */
	{
		vitk_sriov_taken *used = NULL;
		char *before, *after;

		assert_int_equal(vitk_sriov_taken_new(&used), 0);
		assert_int_equal(vitk_sriov_taken_add(used, "0000:02:10.2", "attached to domain 'vm1'"), 0);
		before = fake_sysfs_write_log(e.root);
		assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "01:00.0", 4, 0, used, &actual),
				 VITK_EBUSY);
		assert_msg_contains("VF 1 (0000:02:10.2) is in use by a domain");
		after = fake_sysfs_write_log(e.root);
		assert_string_equal(before, after); /* nothing written */
		free(before);
		free(after);
		assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "01:00.0", 4,
							   VITK_SRIOV_SET_FORCE, used, &actual),
				 0);
		assert_int_equal(actual, 4);
		vitk_sriov_taken_free(used);
	}
	/* a PF without a driver: ENOENT from the kernel */
	fake_fixture_82576(&s, "0000:05:00.0", NULL);
	s.driver = NULL;
	assert_int_equal(fake_sysfs_add_pf(e.root, &s), 0);
	assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "05:00.0", 1, 0, NULL, &actual),
			 VITK_ENOTSUP);
	assert_msg_contains("'0000:05:00.0': driver '(none bound)' does not support SR-IOV configuration via sysfs");
	/* a PF without SR-IOV */
	fake_fixture_no_sriov(&s, "0000:06:00.0", NULL);
	assert_int_equal(fake_sysfs_add_pf(e.root, &s), 0);
	assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "06:00.0", 1, 0, NULL, &actual),
			 VITK_ENOTSUP);
	assert_msg_contains("'0000:06:00.0': device has no SR-IOV capability");
	/* unknown address */
	assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "07:00.0", 1, 0, NULL, &actual),
			 VITK_ENOTFOUND);
	tenv_done(&e);
}

static void test_sriov_control__partial_and_autoprobe(void **state)
{
	struct tenv e;
	fake_pf_spec s;
	unsigned actual = 0;
	char *v;

	(void)state;
	tenv_root(&e);
	fake_fixture_82576(&s, "0000:01:00.0", "enp1s0f0");
	s.max_enable = 3; /* "6 VFs requested; only 3 enabled" */
	assert_int_equal(fake_sysfs_add_pf(e.root, &s), 0);
	tenv_open(&e);
	assert_int_equal(vitk_sriov_pf_set_num_vfs(e.ctx, "01:00.0", 6, VITK_SRIOV_SET_NO_AUTOPROBE,
						   NULL, &actual),
			 0);
	assert_int_equal(actual, 3);
	v = rd(&e, "bus/pci/devices/0000:01:00.0/sriov_drivers_autoprobe");
	assert_string_equal(v, "0\n");
	free(v);
	assert_false(exists(&e, "bus/pci/devices/0000:02:10.0/driver"));
	tenv_done(&e);
}

static void test_sriov_control__bind(void **state)
{
	struct tenv e;
	char *v;

	(void)state;
	host(&e, 2);
	assert_int_equal(vitk_sriov_vf_bind(e.ctx, "02:10.2", "vfio-pci"), 0);
	v = rd(&e, "bus/pci/devices/0000:02:10.2/driver_override");
	assert_string_equal(v, "vfio-pci\n");
	free(v);
	assert_true(exists(&e, "bus/pci/drivers/vfio-pci/0000:02:10.2"));
	assert_false(exists(&e, "bus/pci/drivers/igbvf/0000:02:10.2"));
	assert_false(exists(&e, "class/net/enp1s0f01")); /* netdev gone with igbvf */
	/* idempotent */
	free(fake_sysfs_write_log(e.root));
	assert_int_equal(vitk_sriov_vf_bind(e.ctx, "02:10.2", "vfio-pci"), 0);
	/* back to the host driver */
	assert_int_equal(vitk_sriov_vf_bind(e.ctx, "0000:02:10.2", "host"), 0);
	v = rd(&e, "bus/pci/devices/0000:02:10.2/driver_override");
	assert_string_equal(v, "(null)\n");
	free(v);
	assert_true(exists(&e, "bus/pci/drivers/igbvf/0000:02:10.2"));
	assert_true(exists(&e, "class/net/enp1s0f01"));
	/* errors */
	assert_int_equal(vitk_sriov_vf_bind(e.ctx, "01:00.0", "vfio-pci"), VITK_EINVAL);
	assert_msg_contains("'0000:01:00.0' is not a virtual function");
	assert_int_equal(vitk_sriov_vf_bind(e.ctx, "0000:09:00.0", "vfio-pci"), VITK_ENOTFOUND);
	assert_int_equal(vitk_sriov_vf_bind(e.ctx, "02:10.0", "nosuchdrv"), VITK_EIO);
	assert_msg_contains("driver 'nosuchdrv' did not bind it");
	assert_int_equal(vitk_sriov_vf_bind(e.ctx, "02:10.0", "../x"), VITK_EINVAL);
	tenv_done(&e);
}

/* without an IOMMU group vfio-pci cannot bind: refused up front, with the reason */
static void test_sriov_control__bind_no_iommu(void **state)
{
	vitk_sriov_sysfs_ops ops;
	struct tenv e;
	char p[PATH_MAX];
	char *v;

	(void)state;
	host(&e, 2);
	fake_fmt(p, sizeof(p), "%s/bus/pci/devices/0000:02:10.2/iommu_group", e.root);
	assert_int_equal(unlink(p), 0);
	free(fake_sysfs_write_log(e.root));
	assert_int_equal(vitk_sriov_vf_bind(e.ctx, "02:10.2", "vfio-pci"), VITK_ENOTSUP);
	assert_string_equal(vitk_error_last()->message,
			    "'0000:02:10.2': cannot bind to vfio-pci: the device has no IOMMU group (no iommu_group link; enable the IOMMU, e.g. intel_iommu=on or amd_iommu=on)");
	v = fake_sysfs_write_log(e.root);
	assert_string_equal(v ? v : "", ""); /* nothing written: still on igbvf */
	free(v);
	assert_true(exists(&e, "bus/pci/drivers/igbvf/0000:02:10.2"));
	/* the fake, like the kernel: drivers_probe succeeds, the VF stays unbound */
	fake_sysfs_ops(&ops, e.root);
	fake_fmt(p, sizeof(p), "%s/bus/pci/devices/0000:02:10.2/driver_override", e.root);
	assert_int_equal(ops.write(ops.self, p, "vfio-pci", 8), 0);
	fake_fmt(p, sizeof(p), "%s/bus/pci/devices/0000:02:10.2/driver/unbind", e.root);
	assert_int_equal(ops.write(ops.self, p, "0000:02:10.2", 12), 0);
	fake_fmt(p, sizeof(p), "%s/bus/pci/drivers_probe", e.root);
	assert_int_equal(ops.write(ops.self, p, "0000:02:10.2", 12), 0);
	assert_false(exists(&e, "bus/pci/devices/0000:02:10.2/driver"));
	assert_false(exists(&e, "bus/pci/drivers/vfio-pci/0000:02:10.2"));
	/* a failed driver_override write names the attribute and the errno once */
	assert_int_equal(fake_sysfs_fail_next(e.root, "driver_override", EACCES), 0);
	assert_int_equal(vitk_sriov_vf_bind(e.ctx, "02:10.0", "vfio-pci"), VITK_EIO);
	assert_string_equal(vitk_error_last()->message,
			    "cannot write 'driver_override' on '0000:02:10.0': Permission denied");
	/* a VF with its group binds as before */
	assert_int_equal(vitk_sriov_vf_bind(e.ctx, "02:10.0", "vfio-pci"), 0);
	assert_true(exists(&e, "bus/pci/drivers/vfio-pci/0000:02:10.0"));
	tenv_done(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sriov_control__enable_and_change),
		cmocka_unit_test(test_sriov_control__errors),
		cmocka_unit_test(test_sriov_control__partial_and_autoprobe),
		cmocka_unit_test(test_sriov_control__bind),
		cmocka_unit_test(test_sriov_control__bind_no_iommu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
