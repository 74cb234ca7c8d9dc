/* SPDX-License-Identifier: MIT */
#include <sys/stat.h>

#include "test_util.h"
#include "sriov_priv.h"

/* a host: two 82576 ports (one with 2 VFs), a ThunderX with 4 VFs, an I210, a broken device */
static void build_host(struct tenv *e)
{
	fake_pf_spec s;

	tenv_root(e);
	fake_fixture_82576(&s, "0000:01:00.0", "enp1s0f0");
	s.initial_num_vfs = 2;
	assert_int_equal(fake_sysfs_add_pf(e->root, &s), 0);
	fake_fixture_82576(&s, "0000:01:00.1", "enp1s0f1");
	s.mac = "00:1b:21:3a:5c:11";
	s.dev_port = 1;
	s.iommu_group = 15;
	assert_int_equal(fake_sysfs_add_pf(e->root, &s), 0);
	fake_fixture_thunderx(&s, "0002:01:00.0", "enP2p1s0");
	s.phys_port_name = "p0";
	s.initial_num_vfs = 4;
	assert_int_equal(fake_sysfs_add_pf(e->root, &s), 0);
	fake_fixture_no_sriov(&s, "0000:03:00.0", "eno1");
	assert_int_equal(fake_sysfs_add_pf(e->root, &s), 0);
	fake_fixture_broken(&s, "0000:04:00.0", FAKE_BROKEN_LOOP);
	assert_int_equal(fake_sysfs_add_pf(e->root, &s), 0);
	tenv_open(e);
}

static void test_sriov_discover__scan(void **state)
{
	struct tenv e;
	vitk_sriov_pf_list *l = NULL;
	const vitk_sriov_pf_info *p;

	(void)state;
	build_host(&e);
	assert_int_equal(vitk_sriov_scan(&l, e.ctx, 0), 0);
	assert_int_equal(l->count, 3);
	p = &l->items[0];
	assert_string_equal(p->addr, "0000:01:00.0");
	assert_int_equal(p->vendor_id, 0x8086);
	assert_int_equal(p->device_id, 0x10c9);
	assert_int_equal(p->class_code, 0x020000);
	assert_string_equal(p->vendor_name, "Intel Corporation");
	assert_non_null(strstr(p->device_name, "82576"));
	assert_string_equal(p->driver, "igb");
	assert_int_equal(p->n_netdevs, 1);
	assert_string_equal(p->netdevs[0], "enp1s0f0");
	assert_int_equal(p->dev_port, 0);
	assert_int_equal(p->numa_node, 0);
	assert_int_equal(p->iommu_group, 14);
	assert_string_equal(p->adapter, "0000:01:00");
	assert_true(p->has_cap);
	assert_true(p->has_sysfs);
	assert_int_equal(p->cap.total_vfs, 8);
	assert_int_equal(p->cap.num_vfs, 2);
	assert_true(p->cap.vf_enable);
	assert_int_equal(p->sysfs_totalvfs, 8);
	assert_int_equal(p->sysfs_numvfs, 2);
	assert_int_equal(p->sysfs_offset, 384);
	assert_int_equal(p->sysfs_stride, 2);
	assert_int_equal(p->sysfs_vf_device, 0x10ca);
	assert_int_equal(p->autoprobe, 1);
	assert_null(p->mismatch);
	assert_true(p->vfs_from_links);
	assert_int_equal(p->n_vfs, 2);
	assert_string_equal(p->vfs[0].addr, "0000:02:10.0");
	assert_string_equal(p->vfs[1].addr, "0000:02:10.2");
	assert_string_equal(p->vfs[1].driver, "igbvf");
	assert_string_equal(p->vfs[1].netdev, "enp1s0f01");
	assert_true(p->vfs[0].present);
	assert_false(p->vfs[1].host_used); /* its netdev is down */
	/* VF state came from (fake) rtnetlink through the PF netdev */
	assert_true(p->vfs[1].has_state);
	assert_int_equal(p->vfs[1].state.vf, 1);
	assert_true(p->vfs[1].state.spoofchk);

	p = &l->items[1];
	assert_string_equal(p->addr, "0000:01:00.1");
	assert_int_equal(p->n_vfs, 0);
	assert_int_equal(p->dev_port, 1);
	assert_string_equal(p->adapter, "0000:01:00");

	p = &l->items[2];
	assert_string_equal(p->addr, "0002:01:00.0");
	assert_string_equal(p->phys_port_name, "p0");
	assert_int_equal(p->numa_node, 1);
	assert_true(p->cap.ari);
	assert_int_equal(p->n_vfs, 4);
	assert_string_equal(p->vfs[3].addr, "0002:01:00.4");
	assert_string_equal(p->vfs[3].driver, "thunder-nicvf");
	assert_null(p->vfs[3].netdev);
	assert_non_null(vitk_sriov_pf_list_find_vf(l, "0002:01:00.2", &p));
	assert_string_equal(p->addr, "0002:01:00.0");
	assert_null(vitk_sriov_pf_list_find_vf(l, "0002:01:00.7", NULL));
	vitk_sriov_pf_list_free(l);
	/* the host brings a VF netdev up: it is host-used now */
	{
		char path[PATH_MAX];

		fake_fmt(path, sizeof(path), "%s/class/net/enp1s0f01/operstate", e.root);
		tspit(path, "up\n");
		assert_int_equal(vitk_sriov_scan(&l, e.ctx, 0), 0);
		assert_true(l->items[0].vfs[1].host_used);
		assert_false(l->items[0].vfs[0].host_used);
		vitk_sriov_pf_list_free(l);
	}
	tenv_done(&e);
}

static void test_sriov_discover__errors(void **state)
{
	struct tenv e;
	vitk_sriov_pf_info *pf = NULL;
	char path[PATH_MAX];

	(void)state;
	build_host(&e);
	assert_int_equal(vitk_sriov_pf_get(&pf, e.ctx, "0000:09:00.0", 0), VITK_ENOTFOUND);
	assert_msg_contains("no PCI device '0000:09:00.0'");
	assert_int_equal(vitk_sriov_pf_get(&pf, e.ctx, "03:00.0", 0), VITK_ENOTSUP);
	assert_msg_contains("'0000:03:00.0': device has no SR-IOV capability");
	assert_int_equal(vitk_sriov_pf_get(&pf, e.ctx, "04:00.0", 0), VITK_EINVAL);
	assert_msg_contains("'0000:04:00.0': extended capability chain loops");
	assert_int_equal(vitk_sriov_pf_get(&pf, e.ctx, "02:10.0", 0), VITK_ENOTSUP);
	assert_msg_contains("'0000:02:10.0' is a virtual function");
	assert_int_equal(vitk_sriov_pf_get(&pf, e.ctx, "xyz", 0), VITK_EINVAL);
	assert_null(pf);

	/* a non-numeric sysfs value */
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:01:00.1/sriov_totalvfs", e.root);
	tspit(path, "lots\n");
	assert_int_equal(vitk_sriov_pf_get(&pf, e.ctx, "01:00.1", 0), VITK_EINVAL);
	assert_msg_contains("'0000:01:00.1': sysfs attribute 'sriov_totalvfs': not a decimal number");
	tspit(path, "8\n");
	/* a missing mandatory file: libpci would exit(); we name the device and file */
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:01:00.1/irq", e.root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(vitk_sriov_pf_get(&pf, e.ctx, "01:00.1", 0), VITK_ENOTFOUND);
	assert_msg_contains("'0000:01:00.1': missing sysfs attribute 'irq'");
	tspit(path, "17\n");
	/* libpci reads 'vendor' while scanning: its error handler fires, we diagnose */
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:01:00.1/vendor", e.root);
	assert_int_equal(unlink(path), 0);
	{
		vitk_sriov_pf_list *l = NULL;

		assert_true(vitk_sriov_scan(&l, e.ctx, 0) < 0);
		assert_msg_contains("'0000:01:00.1': missing sysfs attribute 'vendor'");
		assert_null(l);
	}
	tspit(path, "0x8086\n");
	/* truncated config: unreadable */
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:01:00.1/config", e.root);
	assert_int_equal(truncate(path, 40), 0);
	assert_int_equal(vitk_sriov_pf_get(&pf, e.ctx, "01:00.1", 0), VITK_EINVAL);
	assert_msg_contains("'0000:01:00.1': config space unreadable or truncated");
	/* 256 bytes: no extended space, sysfs still says SR-IOV: reported from sysfs */
	assert_int_equal(truncate(path, 256), 0);
	assert_int_equal(vitk_sriov_pf_get(&pf, e.ctx, "01:00.1", 0), 0);
	assert_false(pf->has_cap);
	assert_true(pf->has_sysfs);
	vitk_sriov_pf_free(pf);
	tenv_done(&e);
}

static void test_sriov_discover__cross_check_and_fallback(void **state)
{
	struct tenv e;
	vitk_sriov_pf_info *pf = NULL;
	char path[PATH_MAX];

	(void)state;
	build_host(&e);
	/* no virtfn links (e.g. a captured tree): offset/stride arithmetic */
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:01:00.0/virtfn0", e.root);
	unlink(path);
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:01:00.0/virtfn1", e.root);
	unlink(path);
	/* a driver that lowered TotalVFs */
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:01:00.0/sriov_totalvfs", e.root);
	tspit(path, "7\n");
	assert_int_equal(vitk_sriov_pf_get(&pf, e.ctx, "01:00.0", 0), 0);
	assert_false(pf->vfs_from_links);
	assert_int_equal(pf->n_vfs, 2);
	assert_string_equal(pf->vfs[0].addr, "0000:02:10.0");
	assert_string_equal(pf->vfs[1].addr, "0000:02:10.2");
	assert_true(pf->vfs[1].present);
	assert_string_equal(pf->mismatch,
			    "sriov_totalvfs 7, capability TotalVFs 8 (driver limit)");
	vitk_sriov_pf_free(pf);
	tenv_done(&e);
}

/* write an lspci -xxxx style capture (our own writer, from fixture bytes) */
static void write_dump(const char *path)
{
	FILE *f = fopen(path, "w");
	uint8_t cfg[4096];
	fake_pf_spec s;
	size_t i;

	assert_non_null(f);
	fake_fixture_thunderx(&s, "0002:01:00.0", NULL);
	s.initial_num_vfs = 128;
	fake_config_build(cfg, sizeof(cfg), &s);
	fprintf(f, "0002:01:00.0 Ethernet controller: Cavium, Inc. THUNDERX Network Interface Controller (rev 01)\n");
	fprintf(f, "\tCapabilities: [180 v1] Single Root I/O Virtualization (SR-IOV)\n");
	for (i = 0; i < sizeof(cfg); i += 16) {
		size_t j;

		fprintf(f, "%03zx:", i);
		for (j = 0; j < 16; j++)
			fprintf(f, " %02x", cfg[i + j]);
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
	fake_fixture_82576(&s, "0000:01:00.0", NULL);
	fake_config_build(cfg, sizeof(cfg), &s);
	fprintf(f, "01:00.0 Ethernet controller: Intel Corporation 82576 Gigabit Network Connection (rev 01)\n");
	for (i = 0; i < 256; i += 16) { /* only 256 bytes: no extended space */
		size_t j;

		fprintf(f, "%02zx:", i);
		for (j = 0; j < 16; j++)
			fprintf(f, " %02x", cfg[i + j]);
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
	fclose(f);
}

static void test_sriov_discover__dump(void **state)
{
	vitk_sriov_options o = VITK_SRIOV_OPTIONS_INIT;
	vitk_sriov *ctx = NULL;
	vitk_sriov_pf_list *l = NULL;
	vitk_sriov_pf_info *pf = NULL;
	char path[PATH_MAX];
	const char *tmp = getenv("TEST_TMPDIR");

	(void)state;
	fake_fmt(path, sizeof(path), "%s/thunderx.dump", tmp ? tmp : "/tmp");
	write_dump(path);
	o.dump_file = path;
	assert_int_equal(vitk_sriov_open(&ctx, &o), 0);
	assert_int_equal(vitk_sriov_scan(&l, ctx, 0), 0);
	assert_int_equal(l->count, 1);
	assert_string_equal(l->items[0].addr, "0002:01:00.0");
	assert_int_equal(l->items[0].vendor_id, 0x177d);
	assert_int_equal(l->items[0].cap.total_vfs, 128);
	assert_false(l->items[0].has_sysfs);
	assert_int_equal(l->items[0].n_vfs, 128);
	assert_string_equal(l->items[0].vfs[127].addr, "0002:01:10.0");
	vitk_sriov_pf_list_free(l);
	assert_int_equal(vitk_sriov_pf_get(&pf, ctx, "01:00.0", 0), VITK_ENOTSUP);
	assert_msg_contains("'0000:01:00.0': config space has only 256 bytes: no extended capabilities");
	vitk_sriov_free(ctx);

	o.dump_file = "/nonexistent/dump.txt";
	assert_int_equal(vitk_sriov_open(&ctx, &o), 0);
	assert_int_equal(vitk_sriov_scan(&l, ctx, 0), VITK_ENOTFOUND);
	assert_null(l);
	vitk_sriov_free(ctx);
	/* a malformed capture is refused with the line number */
	tspit(path, "01:00.0 Ethernet\n00: 86 80 zz 10\n");
	o.dump_file = path;
	assert_int_equal(vitk_sriov_open(&ctx, &o), 0);
	assert_int_equal(vitk_sriov_scan(&l, ctx, 0), VITK_EINVAL);
	assert_msg_contains("dump line 2: config byte is not two hex digits");
	vitk_sriov_free(ctx);
	tspit(path, "00: 86 80 c9 10\n");
	assert_int_equal(vitk_sriov_open(&ctx, &o), 0);
	assert_int_equal(vitk_sriov_scan(&l, ctx, 0), VITK_EINVAL);
	assert_msg_contains("dump line 1: config data before any device header");
	vitk_sriov_free(ctx);
}

/* libpci's error() (which would exit) fires: we return an error instead */
static void test_sriov_discover__libpci_error_handler(void **state)
{
	vitk_sriov_options o = VITK_SRIOV_OPTIONS_INIT;
	vitk_sriov *ctx = NULL;
	vitk_sriov_pf_list *l = NULL;
	char root[PATH_MAX], path[PATH_MAX];
	const char *tmp = getenv("TEST_TMPDIR");

	(void)state;
	fake_fmt(root, sizeof(root), "%s/nodevs", tmp ? tmp : "/tmp");
	fake_fmt(path, sizeof(path), "%s/bus/pci", root);
	mkdir(root, 0755);
	fake_fmt(path, sizeof(path), "%s/bus", root);
	mkdir(path, 0755);
	fake_fmt(path, sizeof(path), "%s/bus/pci", root);
	mkdir(path, 0755); /* but no devices/ */
	o.sysfs_root = root;
	assert_int_equal(vitk_sriov_open(&ctx, &o), 0);
	assert_int_equal(vitk_sriov_scan(&l, ctx, 0), VITK_EIO);
	assert_msg_contains("libpci: ");
	assert_null(l);
	/* and libpci still works afterwards in the same process */
	vitk_sriov_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sriov_discover__scan),
		cmocka_unit_test(test_sriov_discover__errors),
		cmocka_unit_test(test_sriov_discover__cross_check_and_fallback),
		cmocka_unit_test(test_sriov_discover__dump),
		cmocka_unit_test(test_sriov_discover__libpci_error_handler),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
