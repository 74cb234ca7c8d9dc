/* SPDX-License-Identifier: MIT */
/* paths are bounded by PATH_MAX; truncation would only shorten a test path */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <vitk/sys/sriov.h>

#include "fake_netlink.h"
#include "fake_sysfs.h"

#define MAXVF 512

static int rd(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static void defaults(vitk_sriov_vf_state *s, unsigned vf)
{
	memset(s, 0, sizeof(*s));
	s->vf = vf;
	s->has_mac = true;
	s->has_vlan = true;
	s->vlan_proto = 0x8100;
	s->has_spoofchk = true;
	s->spoofchk = true;
	s->has_trust = true;
	s->has_link_state = true;
	s->has_rate = true;
}

static int load(const char *root, int ifindex, vitk_sriov_vf_state *st, unsigned n)
{
	char path[PATH_MAX], line[256];
	FILE *f;
	unsigned i;

	for (i = 0; i < n; i++)
		defaults(&st[i], i);
	fake_fmt(path, sizeof(path), "%s/.fake/nl/%d", root, ifindex);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned vf, m[6], vlan, qos, proto, sp, tr, ls, mn, mx;

		if (sscanf(line, "%u %x:%x:%x:%x:%x:%x %u %u %x %u %u %u %u %u", &vf, &m[0], &m[1],
			   &m[2], &m[3], &m[4], &m[5], &vlan, &qos, &proto, &sp, &tr, &ls, &mn,
			   &mx) != 15 || vf >= n)
			continue;
		for (i = 0; i < 6; i++)
			st[vf].mac[i] = (uint8_t)m[i];
		st[vf].vlan = vlan;
		st[vf].qos = qos;
		st[vf].vlan_proto = (uint16_t)proto;
		st[vf].spoofchk = sp;
		st[vf].trust = tr;
		st[vf].link_state = ls;
		st[vf].min_tx_rate = mn;
		st[vf].max_tx_rate = mx;
	}
	fclose(f);
	return 0;
}

static int save(const char *root, int ifindex, const vitk_sriov_vf_state *st, unsigned n)
{
	char path[PATH_MAX];
	FILE *f;
	unsigned i;

	fake_fmt(path, sizeof(path), "%s/.fake/nl", root);
	mkdir(path, 0755);
	fake_fmt(path, sizeof(path), "%s/.fake/nl/%d", root, ifindex);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	for (i = 0; i < n; i++)
		fprintf(f, "%u %02x:%02x:%02x:%02x:%02x:%02x %u %u %x %u %u %u %u %u\n", i,
			st[i].mac[0], st[i].mac[1], st[i].mac[2], st[i].mac[3], st[i].mac[4],
			st[i].mac[5], st[i].vlan, st[i].qos, st[i].vlan_proto, st[i].spoofchk,
			st[i].trust, st[i].link_state, st[i].min_tx_rate, st[i].max_tx_rate);
	fclose(f);
	return 0;
}

/* ifname <-> ifindex and the PF's VF count, through ROOT/class/net */
static int link_info(const char *root, const char *name, int *ifindex, unsigned *numvfs)
{
	char path[PATH_MAX], buf[64];

	fake_fmt(path, sizeof(path), "%s/class/net/%s/ifindex", root, name);
	if (rd(path, buf, sizeof(buf)) < 0)
		return -ENODEV;
	*ifindex = atoi(buf);
	fake_fmt(path, sizeof(path), "%s/class/net/%s/../../sriov_numvfs", root, name);
	*numvfs = rd(path, buf, sizeof(buf)) == 0 ? (unsigned)atoi(buf) : 0;
	if (*numvfs > MAXVF)
		*numvfs = MAXVF;
	return 0;
}

/*
 * What real PF drivers refuse (the real-kernel tier, tests/vm, found these):
 * igb has no ndo_set_vf_link_state (EOPNOTSUPP) and igb_ndo_set_vf_bw()
 * refuses a minimum tx rate (EINVAL).  Other drivers accept everything here.
 */
enum { REFUSE_LINK_STATE = 1, REFUSE_MIN_RATE = 2 };

static const struct {
	const char *driver;
	unsigned refuse;
} refusals[] = {
	{ "igb", REFUSE_LINK_STATE | REFUSE_MIN_RATE },
};

static bool refuses(const char *driver, unsigned what)
{
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (!strcmp(refusals[i].driver, driver))
			return refusals[i].refuse & what;
	return false;
}

/* the driver bound to the PF behind netdev NAME ("" when none) */
static void pf_driver(const char *root, const char *name, char *out, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *b;
	ssize_t k;

	out[0] = '\0';
	fake_fmt(path, sizeof(path), "%s/class/net/%s/../../driver", root, name);
	k = readlink(path, link, sizeof(link) - 1);
	if (k <= 0)
		return;
	link[k] = '\0';
	b = strrchr(link, '/');
	fake_fmt(out, len, "%s", b ? b + 1 : link);
}

static int name_of(const char *root, int ifindex, char *name, size_t len)
{
	char path[PATH_MAX], buf[64];
	DIR *d;
	struct dirent *e;
	int r = -ENODEV;

	fake_fmt(path, sizeof(path), "%s/class/net", root);
	d = opendir(path);
	if (!d)
		return -ENODEV;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		fake_fmt(path, sizeof(path), "%s/class/net/%s/ifindex", root, e->d_name);
		if (rd(path, buf, sizeof(buf)) == 0 && atoi(buf) == ifindex) {
			fake_fmt(name, len, "%s", e->d_name);
			r = 0;
			break;
		}
	}
	closedir(d);
	return r;
}

static void logline(const char *root, const char *what)
{
	char path[PATH_MAX];
	FILE *f;

	fake_fmt(path, sizeof(path), "%s/.fake/nl.log", root);
	f = fopen(path, "a");
	if (f) {
		fprintf(f, "%s\n", what);
		fclose(f);
	}
}

static int reply_newlink(const char *name, int ifindex, const vitk_sriov_vf_state *st, unsigned n,
			 uint8_t **reply, size_t *reply_len)
{
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	struct ifinfomsg ifi;
	struct nlattr *list;
	unsigned i;
	int r = 0;

	if (!msg)
		return -ENOMEM;
	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_index = ifindex;
	nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	nla_put_string(msg, IFLA_IFNAME, name);
	nla_put_u32(msg, IFLA_NUM_VF, n);
	list = nla_nest_start(msg, IFLA_VFINFO_LIST);
	for (i = 0; i < n; i++) {
		struct nlattr *info = nla_nest_start(msg, IFLA_VF_INFO), *vl;
		struct ifla_vf_mac mac;
		struct ifla_vf_vlan vlan;
		struct ifla_vf_vlan_info vi;
		struct ifla_vf_tx_rate tx;
		struct ifla_vf_rate rate;
		struct ifla_vf_spoofchk sp;
		struct ifla_vf_link_state ls;
		struct ifla_vf_trust tr;

		memset(&mac, 0, sizeof(mac));
		mac.vf = i;
		memcpy(mac.mac, st[i].mac, 6);
		nla_put(msg, IFLA_VF_MAC, sizeof(mac), &mac);
		vlan.vf = i;
		vlan.vlan = st[i].vlan;
		vlan.qos = st[i].qos;
		nla_put(msg, IFLA_VF_VLAN, sizeof(vlan), &vlan);
		vl = nla_nest_start(msg, IFLA_VF_VLAN_LIST);
		memset(&vi, 0, sizeof(vi));
		vi.vf = i;
		vi.vlan = st[i].vlan;
		vi.qos = st[i].qos;
		vi.vlan_proto = htons(st[i].vlan_proto);
		nla_put(msg, IFLA_VF_VLAN_INFO, sizeof(vi), &vi);
		nla_nest_end(msg, vl);
		tx.vf = i;
		tx.rate = st[i].max_tx_rate;
		nla_put(msg, IFLA_VF_TX_RATE, sizeof(tx), &tx);
		rate.vf = i;
		rate.min_tx_rate = st[i].min_tx_rate;
		rate.max_tx_rate = st[i].max_tx_rate;
		nla_put(msg, IFLA_VF_RATE, sizeof(rate), &rate);
		sp.vf = i;
		sp.setting = st[i].spoofchk;
		nla_put(msg, IFLA_VF_SPOOFCHK, sizeof(sp), &sp);
		ls.vf = i;
		ls.link_state = st[i].link_state;
		nla_put(msg, IFLA_VF_LINK_STATE, sizeof(ls), &ls);
		tr.vf = i;
		tr.setting = st[i].trust;
		nla_put(msg, IFLA_VF_TRUST, sizeof(tr), &tr);
		nla_nest_end(msg, info);
	}
	nla_nest_end(msg, list);
	*reply_len = nlmsg_hdr(msg)->nlmsg_len;
	*reply = malloc(*reply_len);
	if (!*reply)
		r = -ENOMEM;
	else
		memcpy(*reply, nlmsg_hdr(msg), *reply_len);
	nlmsg_free(msg);
	return r;
}

static int fake_transact(void *self, const uint8_t *req, size_t req_len, uint8_t **reply,
			 size_t *reply_len)
{
	const char *root = self;
	struct nlmsghdr h;
	char path[PATH_MAX], buf[32], name[64];
	vitk_sriov_vf_state *st = NULL;
	char drv[64];
	int ifindex = 0, r = 0, e;
	unsigned n = 0, i;

	*reply = NULL;
	*reply_len = 0;
	if (req_len < sizeof(h) + sizeof(struct ifinfomsg))
		return -EINVAL;
	memcpy(&h, req, sizeof(h));
	fake_fmt(path, sizeof(path), "%s/.fake/nl_fail", root);
	if (h.nlmsg_type == RTM_SETLINK && rd(path, buf, sizeof(buf)) == 0) {
		unlink(path);
		return -atoi(buf);
	}
	st = calloc(MAXVF, sizeof(*st));
	if (!st)
		return -ENOMEM;
	if (h.nlmsg_type == RTM_GETLINK) {
		const uint8_t *p = req + sizeof(h) + NLMSG_ALIGN(sizeof(struct ifinfomsg));
		size_t left = h.nlmsg_len - sizeof(h) - NLMSG_ALIGN(sizeof(struct ifinfomsg));

		name[0] = '\0';
		while (left >= 4) {
			uint16_t alen, type;

			memcpy(&alen, p, 2);
			memcpy(&type, p + 2, 2);
			if (alen < 4 || alen > left)
				break;
			if (type == IFLA_IFNAME && (size_t)alen - 4 < sizeof(name)) {
				memcpy(name, p + 4, alen - 4u);
				name[alen - 4] = '\0';
			}
			alen = (uint16_t)NLMSG_ALIGN(alen);
			if (alen >= left)
				break;
			p += alen;
			left -= alen;
		}
		r = link_info(root, name, &ifindex, &n);
		if (r < 0)
			goto out;
		load(root, ifindex, st, n);
		logline(root, "getlink");
		r = reply_newlink(name, ifindex, st, n, reply, reply_len);
	} else if (h.nlmsg_type == RTM_SETLINK) {
		vitk_sriov_vf_state *req_st = NULL;
		size_t nreq = 0, k;

		if (vitk_sriov_nl_parse_link(req, req_len, &ifindex, &req_st, &nreq) < 0) {
			vitk_error_clear();
			r = -EINVAL;
			goto out;
		}
		r = name_of(root, ifindex, name, sizeof(name));
		if (r == 0)
			r = link_info(root, name, &ifindex, &n);
		if (r < 0) {
			free(req_st);
			goto out;
		}
		load(root, ifindex, st, n);
		pf_driver(root, name, drv, sizeof(drv));
		/*
		 * Like do_setvfinfo() in net/core/rtnetlink.c: the VF attributes are
		 * applied in the kernel's order (MAC, VLAN, rate, spoofchk, link
		 * state, trust) and the first one the driver refuses ends the
		 * request; what was applied before it stays applied.
		 */
		for (k = 0; k < nreq && r == 0; k++) {
			const vitk_sriov_vf_state *q = &req_st[k];

			if (q->vf >= n) {
				r = -EINVAL;
				break;
			}
			i = q->vf;
			if (q->has_mac)
				memcpy(st[i].mac, q->mac, 6);
			if (q->has_vlan) {
				st[i].vlan = q->vlan;
				st[i].qos = q->qos;
				st[i].vlan_proto = q->vlan_proto;
			}
			if (q->has_rate) {
				r = refuses(drv, REFUSE_MIN_RATE) && q->min_tx_rate ? -EINVAL : 0;
				if (r < 0)
					break;
				st[i].min_tx_rate = q->min_tx_rate;
				st[i].max_tx_rate = q->max_tx_rate;
			}
			if (q->has_spoofchk)
				st[i].spoofchk = q->spoofchk;
			if (q->has_link_state) {
				r = refuses(drv, REFUSE_LINK_STATE) ? -EOPNOTSUPP : 0;
				if (r < 0)
					break;
				st[i].link_state = q->link_state;
			}
			if (q->has_trust)
				st[i].trust = q->trust;
		}
		free(req_st);
		logline(root, r == 0 ? "setlink" : "setlink-refused");
		e = save(root, ifindex, st, n);
		if (r == 0)
			r = e;
	} else {
		r = -EOPNOTSUPP;
	}
out:
	free(st);
	return r;
}

void fake_netlink_ops(vitk_sriov_netlink_ops *ops, const char *root)
{
	ops->transact = fake_transact;
	ops->self = (void *)(uintptr_t)root;
}

int fake_netlink_fail_next(const char *root, int err)
{
	char path[PATH_MAX];
	FILE *f;

	fake_fmt(path, sizeof(path), "%s/.fake/nl_fail", root);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", err);
	fclose(f);
	return 0;
}

int fake_netlink_setlink_count(const char *root)
{
	char path[PATH_MAX], line[64];
	FILE *f;
	int n = 0;

	fake_fmt(path, sizeof(path), "%s/.fake/nl.log", root);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "setlink", 7))
			n++;
	fclose(f);
	return n;
}
