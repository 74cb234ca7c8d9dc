/* SPDX-License-Identifier: MIT */
/*
 * Control: VF count (the kernel's EBUSY/ERANGE/ENOENT rules), driver binding
 * and VF settings (discovery finds the PF netdev, netlink_vf.c builds the
 * RTM_SETLINK request).  The kernel's rules for these writes (drivers/pci/iov.c,
 * Documentation/ABI/testing/sysfs-bus-pci) are summarised in docs/sriov.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sriov_priv.h"

static int numvfs_error(const vitk_sriov_pf_info *pf, int e, unsigned n)
{
	switch (e) {
	case EBUSY:
		return vitk_error_set(VITK_EBUSY, e,
				      "cannot write 'sriov_numvfs' on '%s': VFs already enabled, disable them (write 0) before enabling %u",
				      pf->addr, n);
	case ERANGE:
		return vitk_error_set(VITK_ERANGE, e,
				      "cannot write 'sriov_numvfs' on '%s': %u is above sriov_totalvfs (%u)",
				      pf->addr, n, pf->sysfs_totalvfs);
	case ENOENT:
		return vitk_error_set(VITK_ENOTSUP, e,
				      "cannot write 'sriov_numvfs' on '%s': driver '%s' does not support SR-IOV configuration via sysfs",
				      pf->addr, pf->driver ? pf->driver : "(none bound)");
	case ENOMEM:
		return vitk_error_set(VITK_ENOMEM, e,
				      "cannot write 'sriov_numvfs' on '%s': not enough MMIO resources or bus numbers for %u VFs (try booting with pci=realloc)",
				      pf->addr, n);
	default:
		return vitk_error_set(VITK_EIO, e, "cannot write 'sriov_numvfs' on '%s'",
				      pf->addr);
	}
}

static int write_dev(vitk_sriov *ctx, const char *addr, const char *attr, const char *val)
{
	char *path = vitk_sriov__dev_path(ctx, addr, attr);
	int e;

	if (!path)
		return -ENOMEM;
	e = vitk_sriov__write_attr(ctx, path, val);
	free(path);
	return e;
}

int vitk_sriov_pf_set_num_vfs(vitk_sriov *ctx, const char *addr, unsigned n, unsigned flags,
			      const vitk_sriov_taken *in_use, unsigned *actual)
{
	vitk_sriov_pf_info *pf = NULL;
	char val[16];
	unsigned cur, now = 0;
	size_t i;
	int r, e;

	if (actual)
		*actual = 0;
	r = vitk_sriov_pf_get(&pf, ctx, addr, VITK_SRIOV_SCAN_NO_VF_STATE | VITK_SRIOV_SCAN_NO_NAMES);
	if (r < 0)
		return r;
	if (!pf->has_sysfs) {
		r = vitk_error_set(VITK_ENOTSUP, 0,
				   "'%s': no 'sriov_numvfs' attribute: driver '%s' does not manage SR-IOV",
				   pf->addr, pf->driver ? pf->driver : "(none bound)");
		goto out;
	}
	if (n > pf->sysfs_totalvfs) {
		r = vitk_error_set(VITK_ERANGE, 0,
				   "cannot write 'sriov_numvfs' on '%s': %u is above sriov_totalvfs (%u)",
				   pf->addr, n, pf->sysfs_totalvfs);
		goto out;
	}
	cur = pf->sysfs_numvfs;
	if (cur == n) {
		if (actual)
			*actual = n;
		goto out;
	}
	/* refuse to pull VFs from under running domains */
	if (!(flags & VITK_SRIOV_SET_FORCE) && cur != 0) {
		for (i = 0; i < pf->n_vfs; i++)
			if (vitk_sriov_taken_lookup(in_use, pf->vfs[i].addr)) {
				r = vitk_error_set(VITK_EBUSY, 0,
						   "'%s': VF %u (%s) is in use by a domain; detach it first or use --force",
						   pf->addr, pf->vfs[i].index, pf->vfs[i].addr);
				goto out;
			}
	}
	if (pf->autoprobe >= 0 && n > 0) {
		const char *want = (flags & VITK_SRIOV_SET_NO_AUTOPROBE) ? "0" : "1";

		if ((flags & VITK_SRIOV_SET_NO_AUTOPROBE) || pf->autoprobe == 0) {
			e = write_dev(ctx, pf->addr, "sriov_drivers_autoprobe", want);
			if (e < 0) {
				r = vitk_error_set(VITK_EIO, -e,
						   "cannot write 'sriov_drivers_autoprobe' on '%s'",
						   pf->addr);
				goto out;
			}
		}
	}
	if (cur != 0 && n != 0) {
		/* N -> M: the kernel refuses with EBUSY, go through 0 */
		e = write_dev(ctx, pf->addr, "sriov_numvfs", "0");
		if (e < 0) {
			r = numvfs_error(pf, -e, 0);
			goto out;
		}
	}
	snprintf(val, sizeof(val), "%u", n);
	e = write_dev(ctx, pf->addr, "sriov_numvfs", val);
	if (e < 0) {
		r = numvfs_error(pf, -e, n);
		goto out;
	}
	r = vitk_sriov__read_uint(ctx, pf->addr, "sriov_numvfs", &now);
	if (r < 0)
		goto out;
	if (actual)
		*actual = now;
	if (now != n)
		vitk_log(VITK_LOG_WARNING, "sriov", "'%s': %u VFs requested, the driver enabled %u",
			 pf->addr, n, now);
out:
	vitk_sriov_pf_free(pf);
	return r;
}

int vitk_sriov_vf_bind(vitk_sriov *ctx, const char *addr, const char *driver)
{
	char norm[VITK_SRIOV_ADDR_MAX], cur[VITK_SRIOV_NAME_MAX], after[VITK_SRIOV_NAME_MAX];
	char *probe = NULL;
	bool to_host;
	int r, e;

	r = vitk_sriov_addr_normalize(norm, addr);
	if (r < 0)
		return r;
	if (!driver || !*driver || strchr(driver, '/') || strlen(driver) >= VITK_SRIOV_NAME_MAX)
		return vitk_error_set(VITK_EINVAL, 0, "invalid driver name '%.40s'",
				      driver ? driver : "");
	to_host = !strcmp(driver, "host");
	if (!vitk_sriov__attr_exists(ctx, norm, "vendor"))
		return vitk_error_set(VITK_ENOTFOUND, 0, "no PCI device '%s'", norm);
	if (!vitk_sriov__attr_exists(ctx, norm, "physfn"))
		return vitk_error_set(VITK_EINVAL, 0, "'%s' is not a virtual function", norm);
	if (vitk_sriov__read_link_base(ctx, norm, "driver", cur, sizeof(cur)) < 0) {
		vitk_error_clear();
		cur[0] = '\0';
	}
	if (!to_host && !strcmp(cur, driver))
		return 0; /* already there */
	/* vfio-pci's probe fails without an IOMMU group, and drivers_probe hides that */
	if (!strcmp(driver, "vfio-pci") && !vitk_sriov__attr_exists(ctx, norm, "iommu_group"))
		return vitk_error_set(VITK_ENOTSUP, 0,
				      "'%s': cannot bind to vfio-pci: the device has no IOMMU group (no iommu_group link; enable the IOMMU, e.g. intel_iommu=on or amd_iommu=on)",
				      norm);
	e = write_dev(ctx, norm, "driver_override", to_host ? "\n" : driver);
	if (e < 0)
		return vitk_error_set(VITK_EIO, -e, "cannot write 'driver_override' on '%s'",
				      norm);
	if (cur[0]) {
		e = write_dev(ctx, norm, "driver/unbind", norm);
		if (e < 0)
			return vitk_error_set(VITK_EIO, -e, "cannot unbind '%s' from '%s'", norm,
					      cur);
	}
	probe = vitk_sriov__path(ctx->sysfs_root, "bus/pci/drivers_probe", NULL, NULL);
	if (!probe)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	e = vitk_sriov__write_attr(ctx, probe, norm);
	free(probe);
	if (e < 0)
		return vitk_error_set(VITK_EIO, -e, "cannot write 'drivers_probe' for '%s'", norm);
	if (vitk_sriov__read_link_base(ctx, norm, "driver", after, sizeof(after)) < 0) {
		vitk_error_clear();
		after[0] = '\0';
	}
	if (!to_host && strcmp(after, driver))
		return vitk_error_set(VITK_EIO, 0,
				      "'%s': driver '%s' did not bind it (is the module loaded?)", norm,
				      driver);
	if (to_host && !strcmp(after, "vfio-pci"))
		return vitk_error_set(VITK_EIO, 0, "'%s': still bound to vfio-pci", norm);
	return 0;
}

/*
 * VF settings go one per RTM_SETLINK, in the kernel's own order (do_setvfinfo():
 * MAC, VLAN, rate, spoofchk, link state, trust).  The kernel applies a request's
 * VF attributes in order and stops at the first the driver refuses, and drivers
 * refuse single settings (igb: no ndo_set_vf_link_state, EOPNOTSUPP; no minimum
 * tx rate, EINVAL): one request per setting lets the others still apply, and
 * each refusal is named with its setting, value, PF netdev and driver.
 */
static void one_setting(vitk_sriov_vf_config *one, const vitk_sriov_vf_config *cfg, unsigned bit,
			char *what, size_t what_len)
{
	char m[18];

	*one = (vitk_sriov_vf_config)VITK_SRIOV_VF_STATE_INIT;
	one->vf = cfg->vf;
	switch (bit) {
	case VITK_SRIOV__SETTING_MAC:
		one->has_mac = true;
		memcpy(one->mac, cfg->mac, 6);
		vitk_sriov_mac_format(m, cfg->mac);
		snprintf(what, what_len, "mac %s", m);
		break;
	case VITK_SRIOV__SETTING_VLAN:
		one->has_vlan = true;
		one->vlan = cfg->vlan;
		one->qos = cfg->qos;
		one->vlan_proto = cfg->vlan_proto;
		snprintf(what, what_len, "vlan %u qos %u", cfg->vlan, cfg->qos);
		break;
	case VITK_SRIOV__SETTING_RATE:
		one->has_rate = true;
		one->min_tx_rate = cfg->min_tx_rate;
		one->max_tx_rate = cfg->max_tx_rate;
		snprintf(what, what_len, "rate min_tx_rate %u max_tx_rate %u (Mbit/s)",
			 cfg->min_tx_rate, cfg->max_tx_rate);
		break;
	case VITK_SRIOV__SETTING_SPOOFCHK:
		one->has_spoofchk = true;
		one->spoofchk = cfg->spoofchk;
		snprintf(what, what_len, "spoofchk %s", cfg->spoofchk ? "on" : "off");
		break;
	case VITK_SRIOV__SETTING_LINK_STATE:
		one->has_link_state = true;
		one->link_state = cfg->link_state;
		snprintf(what, what_len, "link_state %s", vitk_sriov_link_state_str(cfg->link_state));
		break;
	default: /* VITK_SRIOV__SETTING_TRUST */
		one->has_trust = true;
		one->trust = cfg->trust;
		snprintf(what, what_len, "trust %s", cfg->trust ? "on" : "off");
		break;
	}
}

unsigned vitk_sriov__vf_settings(const vitk_sriov_vf_config *cfg)
{
	return (cfg->has_mac ? VITK_SRIOV__SETTING_MAC : 0) |
	       (cfg->has_vlan ? VITK_SRIOV__SETTING_VLAN : 0) |
	       (cfg->has_rate ? VITK_SRIOV__SETTING_RATE : 0) |
	       (cfg->has_spoofchk ? VITK_SRIOV__SETTING_SPOOFCHK : 0) |
	       (cfg->has_link_state ? VITK_SRIOV__SETTING_LINK_STATE : 0) |
	       (cfg->has_trust ? VITK_SRIOV__SETTING_TRUST : 0);
}

int vitk_sriov__vf_configure_each(vitk_sriov *ctx, const char *pf_addr,
				  const vitk_sriov_vf_config *cfg, unsigned *failed)
{
	vitk_sriov_pf_info *pf = NULL;
	uint8_t *req = NULL, *rep = NULL;
	size_t req_len = 0, rep_len = 0;
	char attr[64], what[96];
	char *msg = NULL;
	unsigned ifindex = 0, bit, want;
	int r, first_errno = 0;

	*failed = 0;
	r = vitk_sriov_nl_build_setlink(&req, &req_len, 0, cfg); /* validates the whole request */
	free(req);
	req = NULL;
	if (r < 0)
		return r;
	r = vitk_sriov_pf_get(&pf, ctx, pf_addr, VITK_SRIOV_SCAN_NO_VF_STATE | VITK_SRIOV_SCAN_NO_NAMES);
	if (r < 0)
		return r;
	if (pf->n_netdevs == 0) {
		r = vitk_error_set(VITK_ENOTFOUND, 0,
				   "'%s': PF has no network interface (driver '%s'): cannot set VF %u",
				   pf->addr, pf->driver ? pf->driver : "none", cfg->vf);
		goto out;
	}
	if (cfg->vf >= pf->n_vfs) {
		r = vitk_error_set(VITK_ENOTFOUND, 0, "'%s': no VF %u (%zu VFs enabled)", pf->addr,
				   cfg->vf, pf->n_vfs);
		goto out;
	}
	snprintf(attr, sizeof(attr), "net/%s/ifindex", pf->netdevs[0]);
	r = vitk_sriov__read_uint(ctx, pf->addr, attr, &ifindex);
	if (r < 0)
		goto out;
	want = vitk_sriov__vf_settings(cfg);
	for (bit = 1; bit <= VITK_SRIOV__SETTING_TRUST; bit <<= 1) {
		vitk_sriov_vf_config one;

		if (!(want & bit))
			continue;
		one_setting(&one, cfg, bit, what, sizeof(what));
		r = vitk_sriov_nl_build_setlink(&req, &req_len, (int)ifindex, &one);
		if (r < 0)
			goto out;
		r = ctx->nl_ops.transact(ctx->nl_ops.self, req, req_len, &rep, &rep_len);
		free(req);
		free(rep);
		req = rep = NULL;
		if (r < 0) {
			*failed |= bit;
			if (!first_errno)
				first_errno = -r;
			if (vitk_sriov__strsetf(&msg, "%s%scannot set VF %u %s on '%s' (%s, driver '%s'): %s",
						msg ? msg : "", msg ? "; " : "", cfg->vf, what,
						pf->netdevs[0], pf->addr,
						pf->driver ? pf->driver : "none", strerror(-r)) < 0) {
				r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
				goto out;
			}
		}
	}
	r = 0;
	/* os_errno 0: each part already carries its errno text once */
	if (*failed)
		r = vitk_error_set(first_errno == EOPNOTSUPP ? VITK_ENOTSUP : VITK_EIO, 0, "%s", msg);
out:
	free(msg);
	free(req);
	free(rep);
	vitk_sriov_pf_free(pf);
	return r;
}

int vitk_sriov_vf_configure(vitk_sriov *ctx, const char *pf_addr, const vitk_sriov_vf_config *cfg)
{
	unsigned failed;

	return vitk_sriov__vf_configure_each(ctx, pf_addr, cfg, &failed);
}
