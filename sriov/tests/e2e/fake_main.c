/* SPDX-License-Identifier: MIT */
/*
 * vitk_sriov_fake: the real CLI (cli_main) with the fake sysfs and rtnetlink
 * ops installed, so e2e tests can run writes (set-vfs, bind, vf set, apply)
 * against a fake tree.  Test-only; the production vitk never links fakes.
 */
#include <stdlib.h>
#include <string.h>

#include <vitk/sriov.h>

#include "fake_netlink.h"
#include "fake_sysfs.h"

extern const vitk_sriov_sysfs_ops *cli_sriov_test_sysfs_ops;
extern const vitk_sriov_netlink_ops *cli_sriov_test_netlink_ops;
int cli_main(int argc, char **argv);

int main(int argc, char **argv)
{
	static vitk_sriov_sysfs_ops sops;
	static vitk_sriov_netlink_ops nops;
	const char *root = getenv("VITK_SYSFS_ROOT");
	int i;

	for (i = 1; i < argc - 1; i++)
		if (!strcmp(argv[i], "--sysfs-root"))
			root = argv[i + 1];
	for (i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--sysfs-root=", 13))
			root = argv[i] + 13;
	if (root && *root) {
		fake_sysfs_ops(&sops, root);
		fake_netlink_ops(&nops, root);
		cli_sriov_test_sysfs_ops = &sops;
		cli_sriov_test_netlink_ops = &nops;
	}
	return cli_main(argc, argv);
}
