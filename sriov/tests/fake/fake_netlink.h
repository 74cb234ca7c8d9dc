/* SPDX-License-Identifier: MIT */
/*
 * A fake rtnetlink for the fake sysfs tree at ROOT: answers RTM_GETLINK
 * (with IFLA_VFINFO_LIST for the PF's enabled VFs) and applies RTM_SETLINK
 * VF settings, keeping the state in ROOT/.fake/nl/<ifindex> so it survives
 * across processes (e2e runs).  Like the kernel, a request's VF settings are
 * applied in order up to the first one the PF's driver refuses (igb: link
 * state, minimum rate), and what came before it stays applied.
 */
#ifndef VITK_SRIOV_FAKE_NETLINK_H
#define VITK_SRIOV_FAKE_NETLINK_H

#include <vitk/sriov.h>

#ifdef __cplusplus
extern "C" {
#endif

/** self must be the root string (kept by the caller). */
void fake_netlink_ops(vitk_sriov_netlink_ops *ops, const char *root);
/** Make the next RTM_SETLINK fail with -@err (nothing of it applied). */
int fake_netlink_fail_next(const char *root, int err);
/** Number of RTM_SETLINK requests seen (from ROOT/.fake/nl.log). */
int fake_netlink_setlink_count(const char *root);

#ifdef __cplusplus
}
#endif

#endif
