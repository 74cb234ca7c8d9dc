/* SPDX-License-Identifier: MIT */
/*
 * VF settings over rtnetlink.  Requests are built with libnl-route-3
 * (rtnl_link_vf_* + rtnl_link_build_change_request); replies (outside bytes)
 * are parsed by our own bounded attribute walker.  Attribute layout:
 * include/uapi/linux/if_link.h (IFLA_VFINFO_LIST, IFLA_VF_*) in the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/sriov.h>

#include <vitk/array.h>

#include "sriov_priv.h"

#define NL_MAX_VFS 4096
#define NL_REPLY_MAX (8u << 20)

int vitk_sriov_mac_parse(uint8_t mac[6], const char *s)
{
	unsigned v[6];
	char tail;
	int i;

	if (!s || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6)
		return vitk_error_set(VITK_EINVAL, 0, "invalid MAC address '%.32s'", s ? s : "");
	for (i = 0; i < 6; i++) {
		if (s[i * 3 + 2] != (i == 5 ? '\0' : ':'))
			return vitk_error_set(VITK_EINVAL, 0, "invalid MAC address '%.32s'", s);
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

void vitk_sriov_mac_format(char out[18], const uint8_t mac[6])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

int vitk_sriov_link_state_parse(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "auto"))
		return VITK_SRIOV_LINK_AUTO;
	if (!strcmp(s, "enable"))
		return VITK_SRIOV_LINK_ENABLE;
	if (!strcmp(s, "disable"))
		return VITK_SRIOV_LINK_DISABLE;
	return -1;
}

const char *vitk_sriov_link_state_str(uint32_t state)
{
	switch (state) {
	case VITK_SRIOV_LINK_AUTO:
		return "auto";
	case VITK_SRIOV_LINK_ENABLE:
		return "enable";
	case VITK_SRIOV_LINK_DISABLE:
		return "disable";
	default:
		return "unknown";
	}
}

static int copy_msg(uint8_t **out, size_t *out_len, struct nl_msg *msg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);

	*out = malloc(h->nlmsg_len);
	if (!*out)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	memcpy(*out, h, h->nlmsg_len);
	*out_len = h->nlmsg_len;
	return 0;
}

int vitk_sriov_nl_build_setlink(uint8_t **out, size_t *out_len, int ifindex,
				const vitk_sriov_vf_config *cfg)
{
	struct rtnl_link *orig = NULL, *chg = NULL;
	struct rtnl_link_vf *vf = NULL;
	struct nl_addr *addr = NULL;
	nl_vf_vlans_t *vlans = NULL;
	struct nl_msg *msg = NULL;
	struct nlmsghdr *h;
	int r = 0, e;

	*out = NULL;
	*out_len = 0;
	if (cfg->has_vlan && (cfg->vlan > 4095 || cfg->qos > 7))
		return vitk_error_set(VITK_EINVAL, 0, "VF %u: VLAN %u / QoS %u out of range",
				      cfg->vf, cfg->vlan, cfg->qos);
	if (cfg->has_vlan && cfg->vlan_proto && cfg->vlan_proto != 0x8100 &&
	    cfg->vlan_proto != 0x88a8)
		return vitk_error_set(VITK_EINVAL, 0, "VF %u: VLAN protocol 0x%04x not 802.1Q/802.1ad",
				      cfg->vf, cfg->vlan_proto);
	if (cfg->has_link_state && cfg->link_state > VITK_SRIOV_LINK_DISABLE)
		return vitk_error_set(VITK_EINVAL, 0, "VF %u: bad link state %u", cfg->vf,
				      cfg->link_state);
	if (cfg->has_rate && cfg->max_tx_rate && cfg->min_tx_rate > cfg->max_tx_rate)
		return vitk_error_set(VITK_EINVAL, 0, "VF %u: min tx rate %u above max tx rate %u",
				      cfg->vf, cfg->min_tx_rate, cfg->max_tx_rate);
	orig = rtnl_link_alloc();
	chg = rtnl_link_alloc();
	vf = rtnl_link_vf_alloc();
	if (!orig || !chg || !vf) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	rtnl_link_set_ifindex(orig, ifindex);
	rtnl_link_vf_set_index(vf, cfg->vf);
	if (cfg->has_mac) {
		addr = nl_addr_build(AF_LLC, cfg->mac, 6);
		if (!addr) {
			r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
			goto out;
		}
		rtnl_link_vf_set_addr(vf, addr);
	}
	if (cfg->has_vlan) {
		if (rtnl_link_vf_vlan_alloc(&vlans, 1) < 0) {
			r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
			goto out;
		}
		vlans->vlans[0].vf_vlan = cfg->vlan;
		vlans->vlans[0].vf_vlan_qos = cfg->qos;
		vlans->vlans[0].vf_vlan_proto = htons(cfg->vlan_proto ? cfg->vlan_proto : 0x8100);
		rtnl_link_vf_set_vlans(vf, vlans);
	}
	if (cfg->has_spoofchk)
		rtnl_link_vf_set_spoofchk(vf, cfg->spoofchk);
	if (cfg->has_trust)
		rtnl_link_vf_set_trust(vf, cfg->trust);
	if (cfg->has_link_state)
		rtnl_link_vf_set_linkstate(vf, cfg->link_state);
	if (cfg->has_rate) {
		struct nl_vf_rate rate;

		memset(&rate, 0, sizeof(rate));
		rate.api = RTNL_LINK_VF_RATE_API_NEW;
		rate.min_tx_rate = cfg->min_tx_rate;
		rate.max_tx_rate = cfg->max_tx_rate;
		rtnl_link_vf_set_rate(vf, &rate);
	}
	e = rtnl_link_vf_add(chg, vf);
	if (e == 0)
		e = rtnl_link_build_change_request(orig, chg, 0, &msg);
	if (e < 0) {
		r = vitk_error_set(VITK_EINVAL, 0, "cannot build RTM_SETLINK: %s", nl_geterror(e));
		goto out;
	}
	h = nlmsg_hdr(msg);
	h->nlmsg_type = RTM_SETLINK;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r = copy_msg(out, out_len, msg);
out:
	nlmsg_free(msg);
	if (vlans)
		rtnl_link_vf_vlan_put(vlans);
	if (addr)
		nl_addr_put(addr);
	if (vf)
		rtnl_link_vf_put(vf);
	rtnl_link_put(chg);
	rtnl_link_put(orig);
	return r;
}

int vitk_sriov__nl_build_getlink(uint8_t **out, size_t *out_len, const char *ifname)
{
	struct nl_msg *msg = NULL;
	struct ifinfomsg ifi;
	int r = 0;

	*out = NULL;
	msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK);
	if (!msg)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_family = AF_UNSPEC;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, ifname) < 0 ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_VF) < 0) {
		r = vitk_error_set(VITK_EINVAL, 0, "cannot build RTM_GETLINK for '%s'", ifname);
		goto out;
	}
	r = copy_msg(out, out_len, msg);
out:
	nlmsg_free(msg);
	return r;
}

/* ---- the parser: outside bytes, every length checked ---- */

struct nla_it {
	const uint8_t *p;
	size_t left;
};

/* next attribute: 1 found, 0 end, <0 malformed */
static int vf_nla_next(struct nla_it *it, uint16_t *type, const uint8_t **data, size_t *len)
{
	uint16_t alen;

	if (it->left < 4)
		return it->left == 0 ? 0 : vitk_error_set(VITK_EINVAL, 0,
							  "netlink: %zu trailing bytes after the last attribute",
							  it->left);
	memcpy(&alen, it->p, 2);
	memcpy(type, it->p + 2, 2);
	*type &= NLA_TYPE_MASK;
	if (alen < 4 || alen > it->left)
		return vitk_error_set(VITK_EINVAL, 0,
				      "netlink: attribute type %u has length %u with %zu bytes left",
				      *type, alen, it->left);
	*data = it->p + 4;
	*len = alen - 4u;
	alen = (uint16_t)NLA_ALIGN(alen);
	if (alen > it->left)
		alen = (uint16_t)it->left;
	it->p += alen;
	it->left -= alen;
	return 1;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static int need(size_t have, size_t want, const char *what)
{
	if (have < want)
		return vitk_error_set(VITK_EINVAL, 0, "netlink: %s is %zu bytes, need %zu", what,
				      have, want);
	return 0;
}

static int parse_vf_info(const uint8_t *d, size_t len, vitk_sriov_vf_state *st)
{
	struct nla_it it = { d, len };
	uint16_t type;
	const uint8_t *a;
	size_t alen;
	int r;
	bool have_vf = false;

	memset(st, 0, sizeof(*st));
	for (;;) {
		r = vf_nla_next(&it, &type, &a, &alen);
		if (r <= 0)
			break;
		switch (type) {
		case IFLA_VF_MAC:
			r = need(alen, 4 + 6, "IFLA_VF_MAC");
			if (r < 0)
				return r;
			st->vf = rd32(a);
			memcpy(st->mac, a + 4, 6);
			st->has_mac = true;
			have_vf = true;
			break;
		case IFLA_VF_VLAN:
			r = need(alen, 12, "IFLA_VF_VLAN");
			if (r < 0)
				return r;
			st->vf = rd32(a);
			if (!st->has_vlan) {
				st->vlan = rd32(a + 4);
				st->qos = rd32(a + 8);
				st->vlan_proto = 0x8100;
				st->has_vlan = true;
			}
			have_vf = true;
			break;
		case IFLA_VF_VLAN_LIST: {
			struct nla_it it2 = { a, alen };
			uint16_t t2;
			const uint8_t *a2;
			size_t l2;
			int r2;

			for (;;) {
				r2 = vf_nla_next(&it2, &t2, &a2, &l2);
				if (r2 <= 0)
					break;
				uint16_t proto;

				if (t2 != IFLA_VF_VLAN_INFO)
					continue;
				r = need(l2, 14, "IFLA_VF_VLAN_INFO");
				if (r < 0)
					return r;
				st->vf = rd32(a2);
				st->vlan = rd32(a2 + 4);
				st->qos = rd32(a2 + 8);
				memcpy(&proto, a2 + 12, 2);
				st->vlan_proto = ntohs(proto);
				st->has_vlan = true;
				have_vf = true;
				break; /* the first entry is the outer tag */
			}
			if (r2 < 0)
				return r2;
			break;
		}
		case IFLA_VF_TX_RATE:
			r = need(alen, 8, "IFLA_VF_TX_RATE");
			if (r < 0)
				return r;
			st->vf = rd32(a);
			if (!st->has_rate) {
				st->max_tx_rate = rd32(a + 4);
				st->has_rate = true;
			}
			have_vf = true;
			break;
		case IFLA_VF_RATE:
			r = need(alen, 12, "IFLA_VF_RATE");
			if (r < 0)
				return r;
			st->vf = rd32(a);
			st->min_tx_rate = rd32(a + 4);
			st->max_tx_rate = rd32(a + 8);
			st->has_rate = true;
			have_vf = true;
			break;
		case IFLA_VF_SPOOFCHK:
			r = need(alen, 8, "IFLA_VF_SPOOFCHK");
			if (r < 0)
				return r;
			st->vf = rd32(a);
			/* kernels report (u32)-1 when the driver does not support it */
			if (rd32(a + 4) != 0xffffffffu) {
				st->spoofchk = rd32(a + 4) != 0;
				st->has_spoofchk = true;
			}
			have_vf = true;
			break;
		case IFLA_VF_LINK_STATE:
			r = need(alen, 8, "IFLA_VF_LINK_STATE");
			if (r < 0)
				return r;
			st->vf = rd32(a);
			st->link_state = rd32(a + 4);
			st->has_link_state = true;
			have_vf = true;
			break;
		case IFLA_VF_TRUST:
			r = need(alen, 8, "IFLA_VF_TRUST");
			if (r < 0)
				return r;
			st->vf = rd32(a);
			if (rd32(a + 4) != 0xffffffffu) {
				st->trust = rd32(a + 4) != 0;
				st->has_trust = true;
			}
			have_vf = true;
			break;
		default:
			break;
		}
	}
	if (r < 0)
		return r;
	if (!have_vf)
		return vitk_error_set(VITK_EINVAL, 0, "netlink: IFLA_VF_INFO without a VF number");
	return 0;
}

int vitk_sriov_nl_parse_link(const uint8_t *buf, size_t len, int *ifindex,
			     vitk_sriov_vf_state **out, size_t *n)
{
	VITK_ARRAY(vitk_sriov_vf_state) vfs = VITK_ARRAY_INIT;
	bool first = true;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (ifindex)
		*ifindex = 0;
	while (len > 0) {
		struct nlmsghdr h;
		size_t mlen;
		struct nla_it it;
		uint16_t type;
		const uint8_t *a;
		size_t alen;

		if (len < sizeof(h)) {
			r = vitk_error_set(VITK_EINVAL, 0, "netlink: truncated message header (%zu bytes)",
					   len);
			goto out;
		}
		memcpy(&h, buf, sizeof(h));
		mlen = h.nlmsg_len;
		if (mlen < sizeof(h) || mlen > len) {
			r = vitk_error_set(VITK_EINVAL, 0,
					   "netlink: message length %zu with %zu bytes left", mlen, len);
			goto out;
		}
		if (h.nlmsg_type == RTM_NEWLINK || h.nlmsg_type == RTM_SETLINK) {
			struct ifinfomsg ifi;

			if (mlen < sizeof(h) + sizeof(ifi)) {
				r = vitk_error_set(VITK_EINVAL, 0, "netlink: link message without ifinfomsg");
				goto out;
			}
			memcpy(&ifi, buf + sizeof(h), sizeof(ifi));
			if (first && ifindex)
				*ifindex = ifi.ifi_index;
			first = false;
			it.p = buf + sizeof(h) + NLMSG_ALIGN(sizeof(ifi));
			it.left = mlen - sizeof(h) - NLMSG_ALIGN(sizeof(ifi));
			for (;;) {
				r = vf_nla_next(&it, &type, &a, &alen);
				if (r <= 0)
					break;
				struct nla_it it2;
				uint16_t t2;
				const uint8_t *a2;
				size_t l2;

				if (type != IFLA_VFINFO_LIST)
					continue;
				it2.p = a;
				it2.left = alen;
				for (;;) {
					r = vf_nla_next(&it2, &t2, &a2, &l2);
					if (r <= 0)
						break;
					if (t2 != IFLA_VF_INFO)
						continue;
					vitk_sriov_vf_state *st;

					if (vfs.size >= NL_MAX_VFS) {
						r = vitk_error_set(VITK_EINVAL, 0,
								   "netlink: more than %d VFs", NL_MAX_VFS);
						goto out;
					}
					st = vitk_array_push(vfs);
					if (!st) {
						r = VITK_ENOMEM;
						goto out;
					}
					r = parse_vf_info(a2, l2, st);
					if (r < 0)
						goto out;
				}
				if (r < 0)
					goto out;
			}
			if (r < 0)
				goto out;
		}
		mlen = NLMSG_ALIGN(mlen);
		if (mlen > len)
			mlen = len;
		buf += mlen;
		len -= mlen;
	}
	*out = vfs.ptr;
	*n = vfs.size;
	vfs.ptr = NULL;
	r = 0;
out:
	vitk_array_clear(vfs);
	return r;
}

/* ---- the real transport ---- */

int vitk_sriov__real_transact(void *self, const uint8_t *req, size_t req_len, uint8_t **reply,
			      size_t *reply_len)
{
	struct nl_sock *sk = NULL;
	uint8_t *copy = NULL;
	VITK_ARRAY(uint8_t) acc = VITK_ARRAY_INIT;
	struct nlmsghdr *h;
	uint32_t seq = (uint32_t)time(NULL);
	int r = 0, e;
	bool done = false;

	(void)self;
	*reply = NULL;
	*reply_len = 0;
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	e = nl_connect(sk, NETLINK_ROUTE);
	if (e < 0) {
		r = -EIO;
		goto out;
	}
	copy = malloc(req_len);
	if (!copy) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(copy, req, req_len);
	h = (struct nlmsghdr *)copy;
	h->nlmsg_seq = seq;
	h->nlmsg_pid = 0;
	e = nl_sendto(sk, copy, req_len);
	if (e < 0) {
		r = -EIO;
		goto out;
	}
	while (!done) {
		struct sockaddr_nl nla;
		unsigned char *buf = NULL;
		int n = nl_recv(sk, &nla, &buf, NULL);
		size_t left;
		const uint8_t *p;

		if (n <= 0) {
			free(buf);
			r = -EIO;
			goto out;
		}
		p = buf;
		left = (size_t)n;
		while (left >= sizeof(struct nlmsghdr)) {
			struct nlmsghdr mh;

			memcpy(&mh, p, sizeof(mh));
			if (mh.nlmsg_len < sizeof(mh) || mh.nlmsg_len > left)
				break;
			if (mh.nlmsg_type == NLMSG_ERROR) {
				int err = 0;

				if (mh.nlmsg_len >= sizeof(mh) + sizeof(int))
					memcpy(&err, p + sizeof(mh), sizeof(int));
				r = err;
				done = true;
				break;
			}
			if (mh.nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (acc.size + mh.nlmsg_len > NL_REPLY_MAX) {
				free(buf);
				r = -E2BIG;
				goto out;
			}
			if (vitk_array_grow(acc, NLMSG_ALIGN(mh.nlmsg_len)) < 0) {
				vitk_error_clear(); /* the transport reports errno values */
				free(buf);
				r = -ENOMEM;
				goto out;
			}
			memset(acc.ptr + acc.size, 0, NLMSG_ALIGN(mh.nlmsg_len));
			memcpy(acc.ptr + acc.size, p, mh.nlmsg_len);
			acc.size += NLMSG_ALIGN(mh.nlmsg_len);
			if (NLMSG_ALIGN(mh.nlmsg_len) >= left)
				break;
			left -= NLMSG_ALIGN(mh.nlmsg_len);
			p += NLMSG_ALIGN(mh.nlmsg_len);
		}
		free(buf);
	}
	if (r == 0) {
		*reply = acc.ptr;
		*reply_len = acc.size;
		acc.ptr = NULL;
	}
out:
	vitk_array_clear(acc);
	free(copy);
	nl_socket_free(sk);
	return r;
}

int vitk_sriov_vf_query(vitk_sriov *ctx, const char *ifname, vitk_sriov_vf_state **out, size_t *n)
{
	uint8_t *req = NULL, *rep = NULL;
	size_t req_len = 0, rep_len = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = vitk_sriov__nl_build_getlink(&req, &req_len, ifname);
	if (r < 0)
		return r;
	r = ctx->nl_ops.transact(ctx->nl_ops.self, req, req_len, &rep, &rep_len);
	if (r < 0) {
		r = vitk_error_set(r == -ENODEV ? VITK_ENOTFOUND : VITK_EIO, -r,
				   "netlink: cannot get link '%s'", ifname);
		goto out;
	}
	r = vitk_sriov_nl_parse_link(rep, rep_len, NULL, out, n);
	if (r < 0)
		vitk_error_prefix("link '%s': ", ifname);
out:
	free(req);
	free(rep);
	return r;
}
