/* SPDX-License-Identifier: MIT */
/*
 * fake_tree ROOT sample       a sample host: two 82576 ports (one with 2 VFs),
 *                             a ThunderX (4 VFs), an I210, a broken device
 * fake_tree ROOT bench N M    N SR-IOV PFs with M VFs each (benchmark)
 * fake_tree FILE dump         an `lspci -xxxx` style capture (ThunderX with
 *                             128 VFs enabled, an 82576, the same with 256
 *                             bytes only, one with a looping extended chain)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_sysfs.h"

static int sample(const char *root)
{
	fake_pf_spec s;
	int r;

	fake_fixture_82576(&s, "0000:01:00.0", "enp1s0f0");
	s.initial_num_vfs = 2;
	if ((r = fake_sysfs_add_pf(root, &s)) < 0)
		return r;
	fake_fixture_82576(&s, "0000:01:00.1", "enp1s0f1");
	s.mac = "00:1b:21:3a:5c:11";
	s.dev_port = 1;
	s.iommu_group = 15;
	if ((r = fake_sysfs_add_pf(root, &s)) < 0)
		return r;
	fake_fixture_thunderx(&s, "0002:01:00.0", "enP2p1s0");
	s.phys_port_name = "p0";
	s.initial_num_vfs = 4;
	if ((r = fake_sysfs_add_pf(root, &s)) < 0)
		return r;
	fake_fixture_no_sriov(&s, "0000:03:00.0", "eno1");
	if ((r = fake_sysfs_add_pf(root, &s)) < 0)
		return r;
	fake_fixture_broken(&s, "0000:04:00.0", FAKE_BROKEN_LOOP);
	return fake_sysfs_add_pf(root, &s);
}

static int bench(const char *root, unsigned npf, unsigned nvf)
{
	unsigned i;
	int r;

	for (i = 0; i < npf; i++) {
		fake_pf_spec s;
		char addr[24], nd[24], mac[24], pfx[32];

		/* one dual-port card per bus, VFs above it (offset 0x80, stride 2 covers 64 VFs) */
		snprintf(addr, sizeof(addr), "0000:%02x:00.%u", 2 + (i / 2) * 2, i % 2);
		snprintf(nd, sizeof(nd), "enp%us0f%u", 2 + (i / 2) * 2, i % 2);
		snprintf(pfx, sizeof(pfx), "%sv", nd);
		snprintf(mac, sizeof(mac), "00:1b:21:00:%02x:%02x", i >> 8, i & 0xff);
		fake_fixture_82576(&s, addr, nd);
		s.mac = mac;
		s.total_vfs = (uint16_t)(nvf > 8 ? nvf : 8);
		s.initial_vfs = s.total_vfs;
		s.vf_offset = 0x80;
		s.vf_stride = 2;
		s.numa_node = (int)(i % 2);
		s.iommu_group = (int)(10 + i);
		s.vf_netdev_prefix = pfx;
		s.initial_num_vfs = nvf;
		r = fake_sysfs_add_pf(root, &s);
		if (r < 0)
			return r;
	}
	return 0;
}

static void dump_dev(FILE *f, const char *hdr, const uint8_t *cfg, size_t len)
{
	size_t i, j;

	fprintf(f, "%s\n", hdr);
	for (i = 0; i < len; i += 16) {
		fprintf(f, len > 256 ? "%03zx:" : "%02zx:", i);
		for (j = 0; j < 16; j++)
			fprintf(f, " %02x", cfg[i + j]);
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

static int dump(const char *path)
{
	uint8_t cfg[4096];
	fake_pf_spec s;
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fake_fixture_thunderx(&s, "0002:01:00.0", NULL);
	s.initial_num_vfs = 128;
	fake_config_build(cfg, sizeof(cfg), &s);
	dump_dev(f, "0002:01:00.0 Ethernet controller: Cavium, Inc. THUNDERX Network Interface Controller (rev 01)",
		 cfg, sizeof(cfg));
	fake_fixture_82576(&s, "0000:01:00.0", NULL);
	s.initial_num_vfs = 1;
	fake_config_build(cfg, sizeof(cfg), &s);
	dump_dev(f, "0000:05:00.0 Ethernet controller: Intel Corporation 82576 Gigabit Network Connection (rev 01)",
		 cfg, sizeof(cfg));
	dump_dev(f, "06:00.0 Ethernet controller: Intel Corporation 82576 Gigabit Network Connection (rev 01)",
		 cfg, 256);
	fake_fixture_broken(&s, "0000:04:00.0", FAKE_BROKEN_LOOP);
	fake_config_build(cfg, sizeof(cfg), &s);
	dump_dev(f, "04:00.0 Ethernet controller: Intel Corporation 82576 Gigabit Network Connection (rev 01)",
		 cfg, sizeof(cfg));
	return fclose(f) == 0 ? 0 : -errno;
}

int main(int argc, char **argv)
{
	int r;

	if (argc == 3 && !strcmp(argv[2], "sample"))
		r = sample(argv[1]);
	else if (argc == 3 && !strcmp(argv[2], "dump"))
		r = dump(argv[1]);
	else if (argc == 5 && !strcmp(argv[2], "bench"))
		r = bench(argv[1], (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]));
	else {
		fprintf(stderr, "usage: fake_tree ROOT sample | fake_tree ROOT bench NPF NVF\n");
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "fake_tree: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
