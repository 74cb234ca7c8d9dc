/* SPDX-License-Identifier: MIT */
/*
 * vitk sriov verbs: list, show, set-vfs, vf set, bind, apply, persist, plan,
 * attach, detach, esxi.  Each verb: options -> libsriov -> output layer.
 * JSON keys are an interface (snake_case, stable).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include <vitk/sriov.h>

#include "cli.h"

/* display texts are bounded and may be cut */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/*
 * Test seam: a test-only binary (//sriov:vitk_sriov_fake) sets these to the
 * fake sysfs/netlink ops before calling cli_main(); the real vitk never does,
 * and never links the fakes.
 */
const vitk_sriov_sysfs_ops *cli_sriov_test_sysfs_ops = NULL;
const vitk_sriov_netlink_ops *cli_sriov_test_netlink_ops = NULL;

#define OPT_SYSFS CLI_OPT_STR("sysfs-root", 0, "DIR", "stand-in for /sys (also $VITK_SYSFS_ROOT)")

static int lib_fail(struct cli_ctx *ctx, int r)
{
	return cli_error(ctx, cli_exit_from_err(r), "%s", vitk_error_last()->message);
}

/* cli_str() for options that only some verbs declare */
static const char *opt_str(struct cli_ctx *ctx, const char *name)
{
	const struct cli_opt *o;

	for (o = ctx->opts; o && o->name; o++)
		if (!strcmp(o->name, name))
			return cli_str(ctx, name);
	return NULL;
}

static const char *sysfs_root(struct cli_ctx *ctx)
{
	const char *s = opt_str(ctx, "sysfs-root");

	if (!s)
		s = getenv("VITK_SYSFS_ROOT");
	return s && *s ? s : NULL;
}

static int open_ctx(struct cli_ctx *ctx, vitk_sriov **out, const char *dump)
{
	vitk_sriov_options o = VITK_SRIOV_OPTIONS_INIT;
	int r;

	o.sysfs_root = sysfs_root(ctx);
	o.dump_file = dump;
	o.sysfs_ops = cli_sriov_test_sysfs_ops;
	o.netlink_ops = cli_sriov_test_netlink_ops;
	r = vitk_sriov_open(out, &o);
	if (r < 0)
		return lib_fail(ctx, r);
	return 0;
}

/* a decimal count or index given as an argument ("8"), at most @max */
static bool parse_count(const char *s, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return false;
	}
	*out = (unsigned)v;
	return *s == '\0';
}

static bool parse_onoff(const char *s, bool *out)
{
	if (!strcmp(s, "on") || !strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "yes")) {
		*out = true;
		return true;
	}
	if (!strcmp(s, "off") || !strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "no")) {
		*out = false;
		return true;
	}
	return false;
}

static void history(struct cli_ctx *ctx, const char *event, const char *subject, const char *detail)
{
	if (!ctx->inv || !ctx->host_id)
		return;
	if (vitk_sriov_inventory_history(ctx->inv, ctx->host_id, event, subject, detail) < 0) {
		cli_warn(ctx, "cannot record history: %s", vitk_error_last()->message);
		vitk_error_clear();
	}
}

/* ------------------------------------------------------------ output */

static json_t *vf_json(const vitk_sriov_vf_info *vf)
{
	json_t *o = json_object();
	char mac[18];

	json_object_set_new(o, "index", json_integer(vf->index));
	json_object_set_new(o, "addr", json_string(vf->addr));
	json_object_set_new(o, "present", json_boolean(vf->present));
	json_object_set_new(o, "driver", vf->driver[0] ? json_string(vf->driver) : json_null());
	json_object_set_new(o, "driver_override",
			    vf->driver_override[0] ? json_string(vf->driver_override) : json_null());
	json_object_set_new(o, "netdev", vf->netdev[0] ? json_string(vf->netdev) : json_null());
	json_object_set_new(o, "host_used", json_boolean(vf->host_used));
	if (vf->has_state) {
		const vitk_sriov_vf_state *s = &vf->state;
		char proto[8];

		vitk_sriov_mac_format(mac, s->mac);
		snprintf(proto, sizeof(proto), "%04x", s->vlan_proto);
		json_object_set_new(o, "mac", s->has_mac ? json_string(mac) : json_null());
		json_object_set_new(o, "vlan", s->has_vlan ? json_integer(s->vlan) : json_null());
		json_object_set_new(o, "qos", s->has_vlan ? json_integer(s->qos) : json_null());
		json_object_set_new(o, "vlan_proto", s->has_vlan ? json_string(proto) : json_null());
		json_object_set_new(o, "spoofchk", s->has_spoofchk ? json_boolean(s->spoofchk) : json_null());
		json_object_set_new(o, "trust", s->has_trust ? json_boolean(s->trust) : json_null());
		json_object_set_new(o, "link_state",
				    s->has_link_state ? json_string(vitk_sriov_link_state_str(s->link_state))
						      : json_null());
		json_object_set_new(o, "min_tx_rate", s->has_rate ? json_integer(s->min_tx_rate) : json_null());
		json_object_set_new(o, "max_tx_rate", s->has_rate ? json_integer(s->max_tx_rate) : json_null());
	}
	json_object_set_new(o, "domain", vf->domain[0] ? json_string(vf->domain) : json_null());
	return o;
}

static json_t *cap_json(const vitk_sriov_cap *c)
{
	json_t *o = json_object();
	char buf[8];

	json_object_set_new(o, "offset", json_integer(c->offset));
	json_object_set_new(o, "total_vfs", json_integer(c->total_vfs));
	json_object_set_new(o, "initial_vfs", json_integer(c->initial_vfs));
	json_object_set_new(o, "num_vfs", json_integer(c->num_vfs));
	json_object_set_new(o, "vf_offset", json_integer(c->vf_offset));
	json_object_set_new(o, "vf_stride", json_integer(c->vf_stride));
	snprintf(buf, sizeof(buf), "%04x", c->vf_device);
	json_object_set_new(o, "vf_device", json_string(buf));
	json_object_set_new(o, "vf_enable", json_boolean(c->vf_enable));
	json_object_set_new(o, "vf_mse", json_boolean(c->vf_mse));
	json_object_set_new(o, "ari", json_boolean(c->ari));
	json_object_set_new(o, "function_dependency_link", json_integer(c->fdl));
	return o;
}

static json_t *pf_json(const vitk_sriov_pf_info *pf, bool with_vfs)
{
	json_t *o = json_object(), *nd = json_array(), *vfs;
	char buf[16];
	size_t i;

	json_object_set_new(o, "addr", json_string(pf->addr));
	snprintf(buf, sizeof(buf), "%04x", pf->vendor_id);
	json_object_set_new(o, "vendor_id", json_string(buf));
	snprintf(buf, sizeof(buf), "%04x", pf->device_id);
	json_object_set_new(o, "device_id", json_string(buf));
	json_object_set_new(o, "vendor_name", pf->vendor_name[0] ? json_string(pf->vendor_name) : json_null());
	json_object_set_new(o, "device_name", pf->device_name[0] ? json_string(pf->device_name) : json_null());
	json_object_set_new(o, "driver", pf->driver[0] ? json_string(pf->driver) : json_null());
	for (i = 0; i < pf->n_netdevs; i++)
		json_array_append_new(nd, json_string(pf->netdevs[i]));
	json_object_set_new(o, "netdevs", nd);
	json_object_set_new(o, "phys_port_name", pf->phys_port_name[0] ? json_string(pf->phys_port_name) : json_null());
	json_object_set_new(o, "dev_port", pf->dev_port >= 0 ? json_integer(pf->dev_port) : json_null());
	json_object_set_new(o, "numa_node", pf->numa_node >= 0 ? json_integer(pf->numa_node) : json_null());
	json_object_set_new(o, "iommu_group", pf->iommu_group >= 0 ? json_integer(pf->iommu_group) : json_null());
	json_object_set_new(o, "adapter", json_string(pf->adapter));
	json_object_set_new(o, "total_vfs", json_integer(pf->has_sysfs ? pf->sysfs_totalvfs : pf->cap.total_vfs));
	json_object_set_new(o, "num_vfs", json_integer(pf->has_sysfs ? pf->sysfs_numvfs : pf->cap.num_vfs));
	json_object_set_new(o, "autoprobe", pf->autoprobe >= 0 ? json_boolean(pf->autoprobe) : json_null());
	json_object_set_new(o, "capability", pf->has_cap ? cap_json(&pf->cap) : json_null());
	json_object_set_new(o, "mismatch", pf->mismatch[0] ? json_string(pf->mismatch) : json_null());
	json_object_set_new(o, "vfs_from", json_string(pf->vfs_from_links ? "virtfn" : "offset_stride"));
	if (with_vfs) {
		vfs = json_array();
		for (i = 0; i < pf->n_vfs; i++)
			json_array_append_new(vfs, vf_json(&pf->vfs[i]));
		json_object_set_new(o, "vfs", vfs);
	}
	return o;
}

static void pf_row(cli_table *t, const vitk_sriov_pf_info *pf)
{
	char id[16];

	snprintf(id, sizeof(id), "%04x:%04x", pf->vendor_id, pf->device_id);
	cli_table_add_row(t);
	cli_table_set_str(t, "pf", pf->addr);
	cli_table_set_str(t, "id", id);
	cli_table_set_str(t, "driver", pf->driver[0] ? pf->driver : NULL);
	cli_table_set_str(t, "netdev", pf->n_netdevs ? pf->netdevs[0] : NULL);
	if (pf->numa_node >= 0)
		cli_table_set_int(t, "numa", pf->numa_node);
	cli_table_set_int(t, "total_vfs", pf->has_sysfs ? pf->sysfs_totalvfs : pf->cap.total_vfs);
	cli_table_set_int(t, "num_vfs", pf->has_sysfs ? pf->sysfs_numvfs : pf->cap.num_vfs);
	cli_table_set_str(t, "adapter", pf->adapter);
	cli_table_set_str(t, "name", pf->device_name[0] ? pf->device_name : NULL);
}

static cli_table *pf_table(void)
{
	cli_table *t = cli_table_new();

	cli_table_add_column(t, "pf", CLI_COL_STR);
	cli_table_add_column(t, "id", CLI_COL_STR);
	cli_table_add_column(t, "driver", CLI_COL_STR);
	cli_table_add_column(t, "netdev", CLI_COL_STR);
	cli_table_add_column(t, "numa", CLI_COL_INT);
	cli_table_add_column(t, "total_vfs", CLI_COL_INT);
	cli_table_add_column(t, "num_vfs", CLI_COL_INT);
	cli_table_add_column(t, "adapter", CLI_COL_STR);
	cli_table_add_column(t, "name", CLI_COL_STR);
	return t;
}

static cli_table *vf_table(void)
{
	cli_table *t = cli_table_new();

	cli_table_add_column(t, "pf", CLI_COL_STR);
	cli_table_add_column(t, "vf", CLI_COL_INT);
	cli_table_add_column(t, "addr", CLI_COL_STR);
	cli_table_add_column(t, "driver", CLI_COL_STR);
	cli_table_add_column(t, "netdev", CLI_COL_STR);
	cli_table_add_column(t, "mac", CLI_COL_STR);
	cli_table_add_column(t, "vlan", CLI_COL_INT);
	cli_table_add_column(t, "qos", CLI_COL_INT);
	cli_table_add_column(t, "spoofchk", CLI_COL_BOOL);
	cli_table_add_column(t, "trust", CLI_COL_BOOL);
	cli_table_add_column(t, "link", CLI_COL_STR);
	cli_table_add_column(t, "max_rate", CLI_COL_INT);
	cli_table_add_column(t, "domain", CLI_COL_STR);
	return t;
}

static void vf_row(cli_table *t, const vitk_sriov_pf_info *pf, const vitk_sriov_vf_info *vf)
{
	cli_table_add_row(t);
	cli_table_set_str(t, "pf", pf->addr);
	cli_table_set_int(t, "vf", vf->index);
	cli_table_set_str(t, "addr", vf->addr);
	cli_table_set_str(t, "driver", vf->driver[0] ? vf->driver : NULL);
	cli_table_set_str(t, "netdev", vf->netdev[0] ? vf->netdev : NULL);
	if (vf->has_state) {
		char mac[18];

		vitk_sriov_mac_format(mac, vf->state.mac);
		if (vf->state.has_mac)
			cli_table_set_str(t, "mac", mac);
		if (vf->state.has_vlan) {
			cli_table_set_int(t, "vlan", vf->state.vlan);
			cli_table_set_int(t, "qos", vf->state.qos);
		}
		if (vf->state.has_spoofchk)
			cli_table_set_bool(t, "spoofchk", vf->state.spoofchk);
		if (vf->state.has_trust)
			cli_table_set_bool(t, "trust", vf->state.trust);
		if (vf->state.has_link_state)
			cli_table_set_str(t, "link", vitk_sriov_link_state_str(vf->state.link_state));
		if (vf->state.has_rate)
			cli_table_set_int(t, "max_rate", vf->state.max_tx_rate);
	}
	cli_table_set_str(t, "domain", vf->domain[0] ? vf->domain : NULL);
}

static int print_pfs(struct cli_ctx *ctx, const vitk_sriov_pf_list *l, bool with_vfs)
{
	size_t i, j;
	int r;

	if (ctx->output == CLI_OUT_JSON) {
		json_t *a = json_array();

		for (i = 0; i < l->count; i++)
			json_array_append_new(a, pf_json(&l->items[i], with_vfs));
		r = cli_json_print(ctx, a);
		json_decref(a);
		return r;
	}
	if (!with_vfs) {
		cli_table *t = pf_table();

		for (i = 0; i < l->count; i++)
			pf_row(t, &l->items[i]);
		r = cli_table_print(ctx, t);
		cli_table_free(t);
		return r;
	} else {
		cli_table *t = vf_table();

		for (i = 0; i < l->count; i++)
			for (j = 0; j < l->items[i].n_vfs; j++)
				vf_row(t, &l->items[i], &l->items[i].vfs[j]);
		r = cli_table_print(ctx, t);
		cli_table_free(t);
		return r;
	}
}

/* ------------------------------------------------------------ discovery */

/* @nodedev: --connect means "discover through libvirt's node devices" (list, show) */
static int discover(struct cli_ctx *ctx, vitk_sriov_pf_list **out, const char *only, bool nodedev)
{
	const char *dump = opt_str(ctx, "dump");
	const char *uri = nodedev ? opt_str(ctx, "connect") : NULL;
	vitk_sriov *s = NULL;
	int r;

	*out = NULL;
	if (uri) {
		vitk_sriov_virt *v = NULL;

		r = vitk_sriov_virt_open(&v, uri);
		if (r == 0)
			r = vitk_sriov_libvirt_nodedev_scan(out, v);
		vitk_sriov_virt_free(v);
		if (r < 0)
			return lib_fail(ctx, r);
	} else {
		r = open_ctx(ctx, &s, dump);
		if (r)
			return r;
		if (only) {
			vitk_sriov_pf_info *pf = NULL;

			r = vitk_sriov_pf_get(&pf, s, only, 0);
			if (r == 0) {
				*out = calloc(1, sizeof(**out));
				if (*out) {
					(*out)->items = pf;
					(*out)->count = 1;
				} else {
					vitk_sriov_pf_free(pf);
				}
			}
		} else {
			r = vitk_sriov_scan(out, s, 0);
		}
		vitk_sriov_free(s);
		if (r < 0)
			return lib_fail(ctx, r);
		if (!*out)
			return cli_error(ctx, CLI_EXIT_FAIL, "out of memory");
	}
	if (uri && only) {
		char norm[VITK_SRIOV_ADDR_MAX];
		size_t i;

		if (vitk_sriov_addr_normalize(norm, only) < 0) {
			vitk_sriov_pf_list_free(*out);
			*out = NULL;
			return lib_fail(ctx, VITK_EINVAL);
		}
		for (i = 0; i < (*out)->count; i++)
			if (!strcmp((*out)->items[i].addr, norm))
				break;
		if (i == (*out)->count) {
			vitk_sriov_pf_list_free(*out);
			*out = NULL;
			return cli_error(ctx, CLI_EXIT_NOTFOUND, "no SR-IOV PF '%s' on '%s'", norm, uri);
		}
		if (i) {
			vitk_sriov_pf_info t = (*out)->items[0];

			(*out)->items[0] = (*out)->items[i];
			(*out)->items[i] = t;
		}
		for (i = 1; i < (*out)->count; i++)
			free((*out)->items[i].vfs);
		(*out)->count = 1;
	}
	/* the local host's inventory: assignments, and the scan itself */
	if (ctx->inv && ctx->host_id && !dump && !uri) {
		if (vitk_sriov_inventory_annotate(ctx->inv, ctx->host_id, *out) < 0 ||
		    vitk_sriov_inventory_record_scan(ctx->inv, ctx->host_id, *out) < 0) {
			cli_warn(ctx, "cannot record the scan: %s", vitk_error_last()->message);
			vitk_error_clear();
		}
	}
	return 0;
}

static int cmd_list(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_sriov_pf_list *l = NULL;
	int r;

	r = discover(ctx, &l, argc ? argv[0] : NULL, true);
	if (r)
		return r;
	r = print_pfs(ctx, l, cli_flag(ctx, "vfs"));
	vitk_sriov_pf_list_free(l);
	return r;
}

struct kv {
	const char *k;
	char v[256];
	bool null;
};

static void record_kv(struct kv *kv, size_t *n, const char *k, const char *v)
{
	kv[*n].k = k;
	kv[*n].null = v == NULL;
	snprintf(kv[*n].v, sizeof(kv[*n].v), "%s", v ? v : "");
	(*n)++;
}

static void record_int(struct kv *kv, size_t *n, const char *k, int v)
{
	char b[24];

	snprintf(b, sizeof(b), "%d", v);
	record_kv(kv, n, k, v >= 0 ? b : NULL);
}

static int show_vf(struct cli_ctx *ctx, const char *norm)
{
	vitk_sriov_pf_list *l = NULL;
	const vitk_sriov_pf_info *pf = NULL;
	const vitk_sriov_vf_info *vf;
	int r;

	r = discover(ctx, &l, NULL, true);
	if (r)
		return r;
	vf = vitk_sriov_pf_list_find_vf(l, norm, &pf);
	if (!vf) {
		vitk_sriov_pf_list_free(l);
		return cli_error(ctx, CLI_EXIT_NOTFOUND, "'%s': VF not found under any PF", norm);
	}
	if (ctx->output == CLI_OUT_JSON) {
		json_t *o = vf_json(vf);

		json_object_set_new(o, "pf", json_string(pf->addr));
		json_object_set_new(o, "pf_netdev", pf->n_netdevs ? json_string(pf->netdevs[0]) : json_null());
		r = cli_json_print(ctx, o);
		json_decref(o);
	} else {
		cli_table *t = vf_table();

		vf_row(t, pf, vf);
		r = cli_record_print(ctx, t);
		cli_table_free(t);
	}
	vitk_sriov_pf_list_free(l);
	return r;
}

static int cmd_show(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_sriov_pf_list *l = NULL;
	const vitk_sriov_pf_info *pf;
	char norm[VITK_SRIOV_ADDR_MAX];
	int r;

	(void)argc;
	if (vitk_sriov_addr_normalize(norm, argv[0]) < 0)
		return lib_fail(ctx, VITK_EINVAL);
	/* a VF is shown through its PF's scan */
	if (!opt_str(ctx, "dump") && !opt_str(ctx, "connect")) {
		char *phys = NULL;
		const char *root = sysfs_root(ctx);
		size_t n = strlen(root ? root : "/sys") + 64;

		phys = malloc(n);
		if (phys) {
			snprintf(phys, n, "%s/bus/pci/devices/%s/physfn", root ? root : "/sys", norm);
			if (access(phys, F_OK) == 0) {
				free(phys);
				return show_vf(ctx, norm);
			}
			free(phys);
		}
	}
	r = discover(ctx, &l, norm, true);
	if (r)
		return r;
	pf = &l->items[0];
	if (ctx->output == CLI_OUT_JSON) {
		json_t *o = pf_json(pf, true);

		r = cli_json_print(ctx, o);
		json_decref(o);
	} else {
		cli_table *t = cli_table_new();
		struct kv kv[24];
		size_t nkv = 0;
		char b[256];
		size_t i;

		record_kv(kv, &nkv, "pf", pf->addr);
		snprintf(b, sizeof(b), "%04x:%04x", pf->vendor_id, pf->device_id);
		record_kv(kv, &nkv, "id", b);
		record_kv(kv, &nkv, "vendor", pf->vendor_name[0] ? pf->vendor_name : NULL);
		record_kv(kv, &nkv, "device", pf->device_name[0] ? pf->device_name : NULL);
		record_kv(kv, &nkv, "driver", pf->driver[0] ? pf->driver : NULL);
		b[0] = '\0';
		for (i = 0; i < pf->n_netdevs; i++)
			snprintf(b + strlen(b), sizeof(b) - strlen(b), "%s%s", i ? " " : "", pf->netdevs[i]);
		record_kv(kv, &nkv, "netdevs", b[0] ? b : NULL);
		record_kv(kv, &nkv, "phys_port_name", pf->phys_port_name[0] ? pf->phys_port_name : NULL);
		record_int(kv, &nkv, "dev_port", pf->dev_port);
		record_int(kv, &nkv, "numa_node", pf->numa_node);
		record_int(kv, &nkv, "iommu_group", pf->iommu_group);
		record_kv(kv, &nkv, "adapter", pf->adapter);
		if (pf->has_cap) {
			const vitk_sriov_cap *c = &pf->cap;

			snprintf(b, sizeof(b),
				 "at 0x%03x: TotalVFs %u, InitialVFs %u, NumVFs %u, VF offset %u, stride %u, VF device %04x, VF Enable %s, ARI %s",
				 c->offset, c->total_vfs, c->initial_vfs, c->num_vfs, c->vf_offset,
				 c->vf_stride, c->vf_device, c->vf_enable ? "on" : "off", c->ari ? "on" : "off");
			record_kv(kv, &nkv, "capability", b);
		} else {
			record_kv(kv, &nkv, "capability", NULL);
		}
		if (pf->has_sysfs) {
			snprintf(b, sizeof(b),
				 "sriov_totalvfs %u, sriov_numvfs %u, sriov_offset %u, sriov_stride %u, sriov_vf_device %04x",
				 pf->sysfs_totalvfs, pf->sysfs_numvfs, pf->sysfs_offset, pf->sysfs_stride,
				 pf->sysfs_vf_device);
			record_kv(kv, &nkv, "sysfs", b);
		} else {
			record_kv(kv, &nkv, "sysfs", NULL);
		}
		record_kv(kv, &nkv, "autoprobe", pf->autoprobe < 0 ? NULL : pf->autoprobe ? "on" : "off");
		record_kv(kv, &nkv, "cross_check", pf->mismatch[0] ? pf->mismatch : "consistent");
		record_kv(kv, &nkv, "vfs_from", pf->vfs_from_links ? "virtfn links" : "offset/stride");
		for (i = 0; i < nkv; i++)
			cli_table_add_column(t, kv[i].k, CLI_COL_STR);
		cli_table_add_row(t);
		for (i = 0; i < nkv; i++)
			cli_table_set_str(t, kv[i].k, kv[i].null ? NULL : kv[i].v);
		r = cli_record_print(ctx, t);
		cli_table_free(t);
		if (r == 0 && pf->n_vfs) {
			cli_text(ctx, "\n");
			t = vf_table();
			for (i = 0; i < pf->n_vfs; i++)
				vf_row(t, pf, &pf->vfs[i]);
			r = cli_table_print(ctx, t);
			cli_table_free(t);
		}
	}
	vitk_sriov_pf_list_free(l);
	return r;
}

/* VFs in use: assignments in the inventory, plus running domains when --connect is given */
static int vfs_in_use(struct cli_ctx *ctx, vitk_sriov_taken **out)
{
	int r = vitk_sriov_in_use(out, ctx->inv, ctx->host_id, opt_str(ctx, "connect"));

	return r < 0 ? lib_fail(ctx, r) : 0;
}

/* ------------------------------------------------------------ control */

static int cmd_set_vfs(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_sriov *s = NULL;
	vitk_sriov_taken *used = NULL;
	unsigned flags = 0, actual = 0;
	uint64_t n = 0;
	char norm[VITK_SRIOV_ADDR_MAX], det[64];
	cli_table *t;
	int r;

	(void)argc;
	if (!parse_count(argv[1], UINT_MAX, &actual))
		return cli_error(ctx, CLI_EXIT_USAGE, "invalid VF count '%s'", argv[1]);
	n = actual;
	actual = 0;
	if (vitk_sriov_addr_normalize(norm, argv[0]) < 0)
		return lib_fail(ctx, VITK_EINVAL);
	if (cli_flag(ctx, "force"))
		flags |= VITK_SRIOV_SET_FORCE;
	if (cli_flag(ctx, "no-autoprobe"))
		flags |= VITK_SRIOV_SET_NO_AUTOPROBE;
	r = vfs_in_use(ctx, &used);
	if (r)
		return r;
	r = open_ctx(ctx, &s, NULL);
	if (r)
		goto out;
	r = vitk_sriov_pf_set_num_vfs(s, norm, (unsigned)n, flags, used, &actual);
	if (r < 0) {
		r = lib_fail(ctx, r);
		goto out;
	}
	snprintf(det, sizeof(det), "requested %u, enabled %u", (unsigned)n, actual);
	history(ctx, "set-vfs", norm, det);
	if (actual != n)
		cli_warn(ctx, "'%s': %u VFs requested, the driver enabled %u", norm, (unsigned)n, actual);
	t = cli_table_new();
	cli_table_add_column(t, "pf", CLI_COL_STR);
	cli_table_add_column(t, "requested", CLI_COL_INT);
	cli_table_add_column(t, "num_vfs", CLI_COL_INT);
	cli_table_add_row(t);
	cli_table_set_str(t, "pf", norm);
	cli_table_set_int(t, "requested", (int64_t)n);
	cli_table_set_int(t, "num_vfs", actual);
	r = cli_record_print(ctx, t);
	cli_table_free(t);
out:
	vitk_sriov_taken_free(used);
	vitk_sriov_free(s);
	return r;
}

static int cmd_vf(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_sriov_vf_config c = VITK_SRIOV_VF_STATE_INIT;
	vitk_sriov *s = NULL;
	const char *v;
	uint64_t u;
	unsigned idx;
	char norm[VITK_SRIOV_ADDR_MAX], det[160];
	int r;

	(void)argc;
	if (strcmp(argv[0], "set"))
		return cli_error(ctx, CLI_EXIT_USAGE, "unknown 'vf' action '%s' (want: vf set PF IDX ...)",
				 argv[0]);
	if (vitk_sriov_addr_normalize(norm, argv[1]) < 0)
		return lib_fail(ctx, VITK_EINVAL);
	if (!parse_count(argv[2], UINT_MAX, &idx))
		return cli_error(ctx, CLI_EXIT_USAGE, "invalid VF index '%s'", argv[2]);
	c.vf = idx;
	v = cli_str(ctx, "mac");
	if (v) {
		if (vitk_sriov_mac_parse(c.mac, v) < 0)
			return cli_error(ctx, CLI_EXIT_USAGE, "invalid --mac '%s'", v);
		c.has_mac = true;
	}
	if (cli_u64(ctx, "vlan", &u)) {
		if (u > 4095)
			return cli_error(ctx, CLI_EXIT_USAGE, "--vlan must be 0..4095");
		c.has_vlan = true;
		c.vlan = (uint32_t)u;
		c.vlan_proto = 0x8100;
	}
	if (cli_u64(ctx, "qos", &u)) {
		if (u > 7 || !c.has_vlan)
			return cli_error(ctx, CLI_EXIT_USAGE, "--qos must be 0..7 and needs --vlan");
		c.qos = (uint32_t)u;
	}
	v = cli_str(ctx, "proto");
	if (v) {
		if (!c.has_vlan)
			return cli_error(ctx, CLI_EXIT_USAGE, "--proto needs --vlan");
		if (!strcmp(v, "802.1Q") || !strcmp(v, "802.1q"))
			c.vlan_proto = 0x8100;
		else if (!strcmp(v, "802.1ad"))
			c.vlan_proto = 0x88a8;
		else
			return cli_error(ctx, CLI_EXIT_USAGE, "--proto must be 802.1Q or 802.1ad");
	}
	v = cli_str(ctx, "spoofchk");
	if (v) {
		if (!parse_onoff(v, &c.spoofchk))
			return cli_error(ctx, CLI_EXIT_USAGE, "--spoofchk must be on or off");
		c.has_spoofchk = true;
	}
	v = cli_str(ctx, "trust");
	if (v) {
		if (!parse_onoff(v, &c.trust))
			return cli_error(ctx, CLI_EXIT_USAGE, "--trust must be on or off");
		c.has_trust = true;
	}
	v = cli_str(ctx, "state");
	if (v) {
		int ls = vitk_sriov_link_state_parse(v);

		if (ls < 0)
			return cli_error(ctx, CLI_EXIT_USAGE, "--state must be auto, enable or disable");
		c.has_link_state = true;
		c.link_state = (uint32_t)ls;
	}
	if (cli_u64(ctx, "max-rate", &u)) {
		c.has_rate = true;
		c.max_tx_rate = (uint32_t)u;
	}
	if (cli_u64(ctx, "min-rate", &u)) {
		c.has_rate = true;
		c.min_tx_rate = (uint32_t)u;
	}
	if (!c.has_mac && !c.has_vlan && !c.has_spoofchk && !c.has_trust && !c.has_link_state &&
	    !c.has_rate)
		return cli_error(ctx, CLI_EXIT_USAGE, "nothing to set (see --help)");
	r = open_ctx(ctx, &s, NULL);
	if (r)
		return r;
	if (c.has_rate && (!cli_u64(ctx, "max-rate", &u) || !cli_u64(ctx, "min-rate", &u))) {
		/* IFLA_VF_RATE carries both: keep the one not given */
		vitk_sriov_pf_info *pf = NULL;

		if (vitk_sriov_pf_get(&pf, s, norm, VITK_SRIOV_SCAN_NO_NAMES) == 0 && idx < pf->n_vfs &&
		    pf->vfs[idx].has_state) {
			if (!cli_u64(ctx, "max-rate", &u))
				c.max_tx_rate = pf->vfs[idx].state.max_tx_rate;
			if (!cli_u64(ctx, "min-rate", &u))
				c.min_tx_rate = pf->vfs[idx].state.min_tx_rate;
		}
		vitk_error_clear();
		vitk_sriov_pf_free(pf);
	}
	r = vitk_sriov_vf_configure(s, norm, &c);
	vitk_sriov_free(s);
	if (r < 0)
		return lib_fail(ctx, r);
	snprintf(det, sizeof(det), "VF %u", idx);
	history(ctx, "vf-set", norm, det);
	cli_text(ctx, "%s VF %u: updated\n", norm, idx);
	if (ctx->output == CLI_OUT_JSON) {
		json_t *o = json_object();

		json_object_set_new(o, "pf", json_string(norm));
		json_object_set_new(o, "vf", json_integer(idx));
		json_object_set_new(o, "updated", json_true());
		r = cli_json_print(ctx, o);
		json_decref(o);
	}
	return r;
}

static int cmd_bind(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_sriov *s = NULL;
	char norm[VITK_SRIOV_ADDR_MAX];
	cli_table *t;
	int r;

	(void)argc;
	if (vitk_sriov_addr_normalize(norm, argv[0]) < 0)
		return lib_fail(ctx, VITK_EINVAL);
	r = open_ctx(ctx, &s, NULL);
	if (r)
		return r;
	r = vitk_sriov_vf_bind(s, norm, argv[1]);
	vitk_sriov_free(s);
	if (r < 0)
		return lib_fail(ctx, r);
	history(ctx, "bind", norm, argv[1]);
	t = cli_table_new();
	cli_table_add_column(t, "vf", CLI_COL_STR);
	cli_table_add_column(t, "driver", CLI_COL_STR);
	cli_table_add_row(t);
	cli_table_set_str(t, "vf", norm);
	cli_table_set_str(t, "driver", argv[1]);
	r = cli_record_print(ctx, t);
	cli_table_free(t);
	return r;
}

/* ------------------------------------------------------ desired state */

static int read_input(struct cli_ctx *ctx, const char *path, char **buf, size_t *len)
{
	int r = vitk_read_file(path, 16u << 20, buf, len);

	if (r < 0)
		return cli_error(ctx, cli_exit_from_err(r), "cannot read '%s': %s", path,
				 vitk_error_last()->message);
	return 0;
}

static int cmd_apply(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_sriov_desired *d = NULL;
	vitk_sriov_change_list *l = NULL;
	vitk_sriov_taken *used = NULL;
	vitk_sriov *s = NULL;
	const char *imp = cli_str(ctx, "import");
	unsigned flags = 0;
	size_t i;
	int r, ar;

	(void)argc;
	(void)argv;
	if (imp) {
		char *buf = NULL;
		size_t len = 0;

		r = read_input(ctx, imp, &buf, &len);
		if (r)
			return r;
		r = vitk_sriov_desired_from_json(&d, buf, len);
		free(buf);
		if (r < 0)
			return lib_fail(ctx, r);
		r = vitk_sriov_inventory_save_desired(ctx->inv, ctx->host_id, d);
		if (r < 0) {
			vitk_sriov_desired_free(d);
			return lib_fail(ctx, r);
		}
		vitk_sriov_desired_free(d);
		d = NULL;
	}
	r = vitk_sriov_inventory_load_desired(&d, ctx->inv, ctx->host_id);
	if (r < 0)
		return lib_fail(ctx, r);
	if (cli_flag(ctx, "export")) {
		char *js = NULL;

		r = vitk_sriov_desired_to_json(&js, d);
		vitk_sriov_desired_free(d);
		if (r < 0)
			return lib_fail(ctx, r);
		fputs(js, stdout);
		fputc('\n', stdout);
		free(js);
		return CLI_EXIT_OK;
	}
	if (d->n_pfs == 0 && !imp) {
		vitk_sriov_desired_free(d);
		return cli_error(ctx, CLI_EXIT_NOTFOUND,
				 "no desired state for this host: import one with --import FILE");
	}
	if (cli_flag(ctx, "dry-run"))
		flags |= VITK_SRIOV_APPLY_DRY_RUN;
	if (cli_flag(ctx, "force"))
		flags |= VITK_SRIOV_APPLY_FORCE;
	r = vfs_in_use(ctx, &used);
	if (r)
		goto out;
	r = open_ctx(ctx, &s, NULL);
	if (r)
		goto out;
	ar = vitk_sriov_apply(&l, s, d, flags, used);
	if (ar < 0 && !l) {
		r = lib_fail(ctx, ar);
		goto out;
	}
	for (i = 0; !(flags & VITK_SRIOV_APPLY_DRY_RUN) && i < l->count; i++) {
		char det[256];

		snprintf(det, sizeof(det), "%s%s%s", l->items[i].detail, l->items[i].result ? ": " : "",
			 l->items[i].result ? l->items[i].error : "");
		history(ctx, l->items[i].action, l->items[i].subject, det);
	}
	if (ctx->output == CLI_OUT_JSON) {
		json_t *o = json_object(), *a = json_array();

		for (i = 0; i < l->count; i++) {
			json_t *c = json_object();

			json_object_set_new(c, "subject", json_string(l->items[i].subject));
			json_object_set_new(c, "action", json_string(l->items[i].action));
			json_object_set_new(c, "detail", json_string(l->items[i].detail));
			json_object_set_new(c, "ok", json_boolean(l->items[i].result == 0));
			json_object_set_new(c, "error", l->items[i].result ? json_string(l->items[i].error)
									    : json_null());
			json_array_append_new(a, c);
		}
		json_object_set_new(o, "dry_run", json_boolean(flags & VITK_SRIOV_APPLY_DRY_RUN));
		json_object_set_new(o, "changed", json_integer((json_int_t)l->count));
		json_object_set_new(o, "changes", a);
		r = cli_json_print(ctx, o);
		json_decref(o);
	} else if (l->count == 0) {
		cli_text(ctx, "no changes: the host matches the desired state\n");
		r = 0;
	} else {
		cli_table *t = cli_table_new();

		cli_table_add_column(t, "subject", CLI_COL_STR);
		cli_table_add_column(t, "action", CLI_COL_STR);
		cli_table_add_column(t, "detail", CLI_COL_STR);
		cli_table_add_column(t, "result", CLI_COL_STR);
		for (i = 0; i < l->count; i++) {
			cli_table_add_row(t);
			cli_table_set_str(t, "subject", l->items[i].subject);
			cli_table_set_str(t, "action", l->items[i].action);
			cli_table_set_str(t, "detail", l->items[i].detail);
			cli_table_set_str(t, "result", (flags & VITK_SRIOV_APPLY_DRY_RUN) ? "planned"
						       : l->items[i].result ? "failed" : "done");
		}
		r = cli_table_print(ctx, t);
		cli_table_free(t);
	}
	if (ar < 0) {
		for (i = 0; i < l->count; i++)
			if (l->items[i].result < 0)
				cli_error(ctx, 0, "%s: %s", l->items[i].subject, l->items[i].error);
		r = cli_exit_from_err(ar);
	}
	/* record what the host looks like now */
	if (!(flags & VITK_SRIOV_APPLY_DRY_RUN)) {
		vitk_sriov_pf_list *pl = NULL;

		if (vitk_sriov_scan(&pl, s, VITK_SRIOV_SCAN_NO_NAMES) == 0)
			vitk_sriov_inventory_record_scan(ctx->inv, ctx->host_id, pl);
		vitk_error_clear();
		vitk_sriov_pf_list_free(pl);
	}
out:
	vitk_sriov_change_list_free(l);
	vitk_sriov_taken_free(used);
	vitk_sriov_desired_free(d);
	vitk_sriov_free(s);
	return r;
}

static int cmd_persist(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_sriov_persist_options o = VITK_SRIOV_PERSIST_OPTIONS_INIT;
	char *unit = NULL;
	cli_table *t;
	int r;

	(void)argc;
	(void)argv;
	o.root = cli_str(ctx, "root");
	o.vitk_path = cli_str(ctx, "vitk");
	o.unit_name = cli_str(ctx, "unit");
	o.db_path = ctx->db_path;
	o.sysfs_root = opt_str(ctx, "sysfs-root");
	r = vitk_sriov_persist(&o, &unit);
	if (r < 0)
		return lib_fail(ctx, r);
	history(ctx, "persist", NULL, unit);
	t = cli_table_new();
	cli_table_add_column(t, "unit", CLI_COL_STR);
	cli_table_add_column(t, "enabled_by", CLI_COL_STR);
	cli_table_add_row(t);
	cli_table_set_str(t, "unit", unit);
	cli_table_set_str(t, "enabled_by", "multi-user.target.wants");
	r = cli_record_print(ctx, t);
	cli_table_free(t);
	free(unit);
	return r;
}

/* ------------------------------------------------------------ planner */

static void plan_id_of(char out[20], const char *vm, const vitk_sriov_plan *p)
{
	uint64_t h = 1469598103934665603ULL;
	const char *s;
	size_t i;

	for (s = vm; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	for (i = 0; i < p->n_picks; i++)
		for (s = p->picks[i].vf; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	snprintf(out, 20, "p-%08llx", (unsigned long long)(h & 0xffffffffULL));
}

static int cmd_plan(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_sriov_plan_request q = VITK_SRIOV_PLAN_REQUEST_INIT;
	vitk_sriov_pf_list *l = NULL;
	vitk_sriov_taken *t = NULL;
	vitk_sriov_plan *p = NULL;
	const char *pol = cli_str(ctx, "policy");
	char id[20] = "";
	uint64_t u;
	size_t i;
	int r, pr;

	(void)argc;
	(void)argv;
	q.vm = cli_str(ctx, "vm");
	if (!q.vm)
		return cli_error(ctx, CLI_EXIT_USAGE, "--vm NAME is required");
	if (cli_u64(ctx, "count", &u)) {
		if (u == 0 || u > 64)
			return cli_error(ctx, CLI_EXIT_USAGE, "--count must be 1..64");
		q.count = (unsigned)u;
	}
	if (cli_u64(ctx, "numa", &u)) {
		if (u > 1024)
			return cli_error(ctx, CLI_EXIT_USAGE, "--numa out of range");
		q.numa_node = (int)u;
	}
	if (pol) {
		if (!strcmp(pol, "required"))
			q.policy = VITK_SRIOV_NUMA_REQUIRED;
		else if (!strcmp(pol, "preferred"))
			q.policy = VITK_SRIOV_NUMA_PREFERRED;
		else if (!strcmp(pol, "none") || !strcmp(pol, "legacy"))
			q.policy = VITK_SRIOV_NUMA_NONE;
		else
			return cli_error(ctx, CLI_EXIT_USAGE, "--policy must be required, preferred or none");
	}
	if (cli_u64(ctx, "vlan", &u)) {
		if (u > 4095)
			return cli_error(ctx, CLI_EXIT_USAGE, "--vlan must be 0..4095");
		q.vlan = (int)u;
	}
	r = discover(ctx, &l, NULL, false);
	if (r)
		return r;
	r = vitk_sriov_unavailable(&t, ctx->inv, ctx->host_id, q.vm, opt_str(ctx, "connect"));
	if (r < 0) {
		r = lib_fail(ctx, r);
		goto out;
	}
	q.taken = t;
	pr = vitk_sriov_plan_compute(&p, l, &q);
	if (pr < 0 && !p) {
		r = lib_fail(ctx, pr);
		goto out;
	}
	if (pr == 0 && !cli_flag(ctx, "no-reserve")) {
		plan_id_of(id, q.vm, p);
		r = vitk_sriov_inventory_reserve(ctx->inv, ctx->host_id, id, q.vm, q.vlan, p);
		if (r < 0) {
			r = lib_fail(ctx, r);
			goto out;
		}
	}
	for (i = 0; i < p->n_warnings; i++)
		cli_warn(ctx, "%s", p->warnings[i]);
	if (ctx->output == CLI_OUT_JSON) {
		json_t *o = json_object(), *a = json_array(), *n = json_array(), *w = json_array();

		json_object_set_new(o, "plan_id", id[0] ? json_string(id) : json_null());
		json_object_set_new(o, "vm", json_string(q.vm));
		json_object_set_new(o, "vlan", q.vlan >= 0 ? json_integer(q.vlan) : json_null());
		for (i = 0; i < p->n_picks; i++) {
			json_t *k = json_object();

			json_object_set_new(k, "vf", json_string(p->picks[i].vf));
			json_object_set_new(k, "vf_index", json_integer(p->picks[i].vf_index));
			json_object_set_new(k, "pf", json_string(p->picks[i].pf));
			json_object_set_new(k, "pf_netdev", p->picks[i].pf_netdev[0]
								    ? json_string(p->picks[i].pf_netdev)
								    : json_null());
			json_object_set_new(k, "adapter", json_string(p->picks[i].adapter));
			json_object_set_new(k, "numa_node", p->picks[i].numa_node >= 0
								    ? json_integer(p->picks[i].numa_node)
								    : json_null());
			json_array_append_new(a, k);
		}
		for (i = 0; i < p->n_notes; i++)
			json_array_append_new(n, json_string(p->notes[i]));
		for (i = 0; i < p->n_warnings; i++)
			json_array_append_new(w, json_string(p->warnings[i]));
		json_object_set_new(o, "picks", a);
		json_object_set_new(o, "notes", n);
		json_object_set_new(o, "warnings", w);
		r = cli_json_print(ctx, o);
		json_decref(o);
	} else {
		cli_table *tb = cli_table_new();

		for (i = 0; i < p->n_notes; i++)
			cli_text(ctx, "  %s\n", p->notes[i]);
		if (id[0])
			cli_text(ctx, "plan %s reserved for VM '%s'\n", id, q.vm);
		cli_text(ctx, "\n");
		cli_table_add_column(tb, "vf", CLI_COL_STR);
		cli_table_add_column(tb, "pf", CLI_COL_STR);
		cli_table_add_column(tb, "pf_netdev", CLI_COL_STR);
		cli_table_add_column(tb, "adapter", CLI_COL_STR);
		cli_table_add_column(tb, "numa", CLI_COL_INT);
		for (i = 0; i < p->n_picks; i++) {
			cli_table_add_row(tb);
			cli_table_set_str(tb, "vf", p->picks[i].vf);
			cli_table_set_str(tb, "pf", p->picks[i].pf);
			cli_table_set_str(tb, "pf_netdev", p->picks[i].pf_netdev[0] ? p->picks[i].pf_netdev : NULL);
			cli_table_set_str(tb, "adapter", p->picks[i].adapter);
			if (p->picks[i].numa_node >= 0)
				cli_table_set_int(tb, "numa", p->picks[i].numa_node);
		}
		r = cli_table_print(ctx, tb);
		cli_table_free(tb);
	}
	if (pr < 0)
		r = cli_error(ctx, cli_exit_from_err(pr), "%s", vitk_error_last()->message);
out:
	vitk_sriov_taken_free(t);
	vitk_sriov_plan_free(p);
	vitk_sriov_pf_list_free(l);
	return r;
}

/* ------------------------------------------------------------ libvirt */

static unsigned affect_flags(struct cli_ctx *ctx)
{
	unsigned f = 0;

	if (cli_flag(ctx, "live"))
		f |= VITK_SRIOV_AFFECT_LIVE;
	if (cli_flag(ctx, "config"))
		f |= VITK_SRIOV_AFFECT_CONFIG;
	return f;
}

static int cmd_attach(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_sriov_attach_request q = VITK_SRIOV_ATTACH_REQUEST_INIT;
	vitk_sriov_attach_result *res = NULL;
	cli_table *t;
	uint64_t u;
	size_t i;
	int r;

	(void)argc;
	(void)argv;
	q.domain = cli_str(ctx, "domain");
	q.vf = cli_str(ctx, "vf");
	q.plan = cli_str(ctx, "plan");
	q.uri = cli_str(ctx, "connect");
	q.flags = affect_flags(ctx);
	if (!q.domain || (!q.vf == !q.plan))
		return cli_error(ctx, CLI_EXIT_USAGE, "need --domain and one of --vf ADDR or --plan ID");
	if (cli_u64(ctx, "vlan", &u)) {
		if (u > 4095)
			return cli_error(ctx, CLI_EXIT_USAGE, "--vlan must be 0..4095");
		q.vlan = (int)u;
	}
	r = vitk_sriov_attach(&res, ctx->inv, ctx->host_id, &q);
	for (i = 0; res && i < res->n_warnings; i++)
		cli_warn(ctx, "%s", res->warnings[i]);
	if (r < 0) {
		vitk_sriov_attach_result_free(res);
		return lib_fail(ctx, r);
	}
	t = cli_table_new();
	cli_table_add_column(t, "domain", CLI_COL_STR);
	cli_table_add_column(t, "vf", CLI_COL_STR);
	cli_table_add_column(t, "mac", CLI_COL_STR);
	cli_table_add_column(t, "vlan", CLI_COL_INT);
	for (i = 0; i < res->count; i++) {
		cli_table_add_row(t);
		cli_table_set_str(t, "domain", res->items[i].domain);
		cli_table_set_str(t, "vf", res->items[i].vf);
		cli_table_set_str(t, "mac", res->items[i].mac);
		if (res->items[i].vlan >= 0)
			cli_table_set_int(t, "vlan", res->items[i].vlan);
	}
	r = cli_table_print(ctx, t);
	cli_table_free(t);
	vitk_sriov_attach_result_free(res);
	return r;
}

static int cmd_detach(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *dom = cli_str(ctx, "domain"), *vfa = cli_str(ctx, "vf");
	char norm[VITK_SRIOV_ADDR_MAX];
	cli_table *t;
	int r;

	(void)argc;
	(void)argv;
	if (!dom || !vfa)
		return cli_error(ctx, CLI_EXIT_USAGE, "need --domain and --vf ADDR");
	if (vitk_sriov_addr_normalize(norm, vfa) < 0)
		return lib_fail(ctx, VITK_EINVAL);
	r = vitk_sriov_detach(ctx->inv, ctx->host_id, cli_str(ctx, "connect"), dom, norm,
			      affect_flags(ctx));
	if (r < 0)
		return lib_fail(ctx, r);
	t = cli_table_new();
	cli_table_add_column(t, "domain", CLI_COL_STR);
	cli_table_add_column(t, "vf", CLI_COL_STR);
	cli_table_add_column(t, "state", CLI_COL_STR);
	cli_table_add_row(t);
	cli_table_set_str(t, "domain", dom);
	cli_table_set_str(t, "vf", norm);
	cli_table_set_str(t, "state", "detached");
	r = cli_record_print(ctx, t);
	cli_table_free(t);
	return r;
}

/* ------------------------------------------------------------ ESXi */

static const char *shift_warning =
	"max_vfs is positional: one value per port of the driver in PCI order; adding, removing "
	"or moving a card shifts the mapping (re-run this after hardware changes); a host reboot "
	"is required";

static int cmd_esxi(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *hj = cli_str(ctx, "host-json"), *sl = cli_str(ctx, "sriovnic-list");
	const char *hname = cli_str(ctx, "host");
	const char *vmx = cli_str(ctx, "vmx"), *form = cli_str(ctx, "form");
	const char *const *sets = NULL;
	size_t nsets = cli_multi(ctx, "set", &sets), i, j, nc = 0;
	vitk_sriov_esxi_host *h = NULL;
	vitk_sriov_esxi_cmd *cmds = NULL;
	char *buf = NULL, *stanza = NULL;
	size_t len = 0;
	uint64_t slot = 0;
	int r;

	(void)argc;
	(void)argv;
	if ((hj != NULL) + (sl != NULL) + (hname != NULL) != 1)
		return cli_error(ctx, CLI_EXIT_USAGE,
				 "need one of --host-json FILE, --sriovnic-list FILE or --host NAME");
	if (hname) {
		r = vitk_sriov_inventory_esxi_load(&h, ctx->inv, hname);
	} else {
		r = read_input(ctx, hj ? hj : sl, &buf, &len);
		if (r)
			return r;
		r = hj ? vitk_sriov_esxi_host_from_json(&h, buf, len)
		       : vitk_sriov_esxi_parse_sriovnic_list(&h, buf, len);
		free(buf);
	}
	if (r < 0)
		return lib_fail(ctx, r);
	if (sl && cli_str(ctx, "name"))
		snprintf(h->host, sizeof(h->host), "%s", cli_str(ctx, "name"));
	if (cli_str(ctx, "system-uuid")) {
		r = vitk_sriov_esxi_host_set_uuid(h, cli_str(ctx, "system-uuid"));
		if (r < 0) {
			r = lib_fail(ctx, r);
			goto out;
		}
	}
	if (cli_str(ctx, "lspci")) {
		vitk_sriov *s = NULL;
		vitk_sriov_pf_list *pl = NULL;

		r = open_ctx(ctx, &s, cli_str(ctx, "lspci"));
		if (r)
			goto out;
		r = vitk_sriov_scan(&pl, s, VITK_SRIOV_SCAN_NO_NAMES | VITK_SRIOV_SCAN_NO_VF_STATE);
		vitk_sriov_free(s);
		if (r < 0) {
			r = lib_fail(ctx, r);
			goto out;
		}
		if (vitk_sriov_esxi_host_enrich(h, pl) == 0)
			cli_warn(ctx, "no port of the host is an SR-IOV PF in '%s'", cli_str(ctx, "lspci"));
		vitk_sriov_pf_list_free(pl);
	}
	for (i = 0; i < nsets; i++) {
		const char *eq = strchr(sets[i], '=');
		unsigned n;
		bool found = false;

		if (!eq || !parse_count(eq + 1, 1024, &n)) {
			r = cli_error(ctx, CLI_EXIT_USAGE, "--set wants PORT=COUNT, got '%s'", sets[i]);
			goto out;
		}
		for (j = 0; j < h->n_ports; j++)
			if (!strncmp(h->ports[j].name, sets[i], (size_t)(eq - sets[i])) &&
			    h->ports[j].name[eq - sets[i]] == '\0') {
				h->ports[j].max_vfs = n;
				found = true;
			}
		if (!found) {
			r = cli_error(ctx, CLI_EXIT_NOTFOUND, "no port '%.*s' on the ESXi host",
				      (int)(eq - sets[i]), sets[i]);
			goto out;
		}
	}
	r = vitk_sriov_esxi_max_vfs(&cmds, &nc, h);
	if (r < 0) {
		r = lib_fail(ctx, r);
		goto out;
	}
	if (vmx) {
		char port[64];
		const char *colon = strrchr(vmx, ':');
		unsigned vfi = 0;
		int f = VITK_SRIOV_VMX_51;

		if (!colon || (size_t)(colon - vmx) >= sizeof(port) ||
		    !parse_count(colon + 1, UINT_MAX, &vfi)) {
			r = cli_error(ctx, CLI_EXIT_USAGE, "--vmx wants PORT:VF (e.g. vmnic4:0)");
			goto out;
		}
		memcpy(port, vmx, (size_t)(colon - vmx));
		port[colon - vmx] = '\0';
		if (form && !strcmp(form, "5.5"))
			f = VITK_SRIOV_VMX_55;
		else if (form && strcmp(form, "5.1")) {
			r = cli_error(ctx, CLI_EXIT_USAGE, "--form must be 5.1 or 5.5");
			goto out;
		}
		cli_u64(ctx, "slot", &slot);
		r = vitk_sriov_esxi_vmx(&stanza, h, port, vfi, (unsigned)slot, f, cli_str(ctx, "network"));
		if (r < 0) {
			r = lib_fail(ctx, r);
			goto out;
		}
	}
	if (ctx->inv && h->host[0] && !hname) {
		if (vitk_sriov_inventory_esxi_save(ctx->inv, h, NULL) < 0)
			cli_warn(ctx, "cannot record the ESXi host: %s", vitk_error_last()->message);
		vitk_error_clear();
	}
	cli_warn(ctx, "%s", shift_warning);
	if (ctx->output == CLI_OUT_JSON) {
		json_t *o = json_object(), *a = json_array();

		json_object_set_new(o, "host", h->host[0] ? json_string(h->host) : json_null());
		for (i = 0; i < nc; i++) {
			json_t *c = json_object(), *p = json_array();

			json_object_set_new(c, "driver", json_string(cmds[i].driver));
			json_object_set_new(c, "command", json_string(cmds[i].command));
			for (j = 0; j < cmds[i].n_ports; j++)
				json_array_append_new(p, json_string(cmds[i].ports[j]));
			json_object_set_new(c, "ports", p);
			json_array_append_new(a, c);
		}
		json_object_set_new(o, "commands", a);
		json_object_set_new(o, "warning", json_string(shift_warning));
		json_object_set_new(o, "vmx", stanza ? json_string(stanza) : json_null());
		r = cli_json_print(ctx, o);
		json_decref(o);
	} else {
		for (i = 0; i < nc; i++) {
			printf("# %s ports in PCI order:", cmds[i].driver);
			for (j = 0; j < cmds[i].n_ports; j++)
				printf(" %s", cmds[i].ports[j]);
			printf("\n%s\n", cmds[i].command);
		}
		if (stanza)
			printf("\n%s", stanza);
		r = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	}
out:
	free(stanza);
	free(cmds);
	vitk_sriov_esxi_host_free(h);
	return r;
}

/* ------------------------------------------------------------ tables */

static const struct cli_opt list_opts[] = {
	CLI_OPT_FLAG("vfs", 0, "list the VFs (with their netlink settings)"),
	OPT_SYSFS,
	CLI_OPT_STR("dump", 0, "FILE", "read an `lspci -xxxx` capture instead of sysfs"),
	CLI_OPT_STR("connect", 'c', "URI", "use libvirt's node devices on URI"),
	CLI_OPT_END,
};
static const struct cli_opt show_opts[] = {
	OPT_SYSFS,
	CLI_OPT_STR("dump", 0, "FILE", "read an `lspci -xxxx` capture instead of sysfs"),
	CLI_OPT_STR("connect", 'c', "URI", "use libvirt's node devices on URI"),
	CLI_OPT_END,
};
static const struct cli_opt set_vfs_opts[] = {
	CLI_OPT_FLAG("force", 'f', "change the count even if domains use VFs of the PF"),
	CLI_OPT_STR("connect", 'c', "URI", "also check the running domains on this libvirt URI"),
	CLI_OPT_FLAG("no-autoprobe", 0, "keep the new VFs unbound (for vfio-pci)"),
	OPT_SYSFS,
	CLI_OPT_END,
};
static const struct cli_opt vf_opts[] = {
	CLI_OPT_STR("mac", 0, "MAC", "VF MAC address"),
	CLI_OPT_UINT("vlan", 0, "ID", "VLAN 0..4095 (0: none)"),
	CLI_OPT_UINT("qos", 0, "N", "VLAN priority 0..7"),
	CLI_OPT_STR("proto", 0, "P", "VLAN protocol: 802.1Q or 802.1ad"),
	CLI_OPT_STR("spoofchk", 0, "on|off", "MAC/VLAN anti-spoof checking"),
	CLI_OPT_STR("trust", 0, "on|off", "trusted VF (promiscuous, MAC changes)"),
	CLI_OPT_STR("state", 0, "S", "link state: auto, enable, disable"),
	CLI_OPT_UINT("max-rate", 0, "MBPS", "maximum tx rate (0: unlimited)"),
	CLI_OPT_UINT("min-rate", 0, "MBPS", "minimum tx rate"),
	OPT_SYSFS,
	CLI_OPT_END,
};
static const struct cli_opt sysfs_only_opts[] = { OPT_SYSFS, CLI_OPT_END };
static const struct cli_opt apply_opts[] = {
	CLI_OPT_STR("import", 'i', "FILE", "store this desired-state JSON first"),
	CLI_OPT_FLAG("export", 0, "print the stored desired state as JSON and exit"),
	CLI_OPT_FLAG("dry-run", 'n', "show what would change"),
	CLI_OPT_FLAG("force", 'f', "change VF counts even under domains"),
	CLI_OPT_STR("connect", 'c', "URI", "also check the running domains on this libvirt URI"),
	OPT_SYSFS,
	CLI_OPT_END,
};
static const struct cli_opt persist_opts[] = {
	CLI_OPT_STR("root", 0, "DIR", "write under DIR instead of / (tests, images)"),
	CLI_OPT_STR("vitk", 0, "PATH", "the vitk binary the unit runs (default /usr/bin/vitk)"),
	CLI_OPT_STR("unit", 0, "NAME", "unit name (default vitk-sriov.service)"),
	OPT_SYSFS,
	CLI_OPT_END,
};
static const struct cli_opt plan_opts[] = {
	CLI_OPT_STR("vm", 0, "NAME", "the VM the VFs are for"),
	CLI_OPT_UINT("count", 'n', "N", "number of VFs (default 2)"),
	CLI_OPT_UINT("numa", 0, "NODE", "the VM's NUMA node"),
	CLI_OPT_STR("policy", 0, "P", "NUMA policy: required, preferred (default), none"),
	CLI_OPT_UINT("vlan", 0, "ID", "VLAN to set at attach"),
	CLI_OPT_FLAG("no-reserve", 0, "do not record a reservation"),
	CLI_OPT_STR("connect", 'c', "URI", "also avoid VFs of running domains on this libvirt URI"),
	OPT_SYSFS,
	CLI_OPT_END,
};
static const struct cli_opt attach_opts[] = {
	CLI_OPT_STR("domain", 'd', "VM", "libvirt domain"),
	CLI_OPT_STR("connect", 'c', "URI", "libvirt URI (default: libvirt's default)"),
	CLI_OPT_STR("vf", 0, "ADDR", "the VF to attach"),
	CLI_OPT_STR("plan", 0, "ID", "attach the VFs of a plan (ID or VM name)"),
	CLI_OPT_UINT("vlan", 0, "ID", "VLAN tag (default: the plan's)"),
	CLI_OPT_FLAG("live", 0, "affect the running domain"),
	CLI_OPT_FLAG("config", 0, "affect the persistent definition"),
	OPT_SYSFS,
	CLI_OPT_END,
};
static const struct cli_opt detach_opts[] = {
	CLI_OPT_STR("domain", 'd', "VM", "libvirt domain"),
	CLI_OPT_STR("connect", 'c', "URI", "libvirt URI"),
	CLI_OPT_STR("vf", 0, "ADDR", "the VF to detach"),
	CLI_OPT_FLAG("live", 0, "affect the running domain"),
	CLI_OPT_FLAG("config", 0, "affect the persistent definition"),
	OPT_SYSFS,
	CLI_OPT_END,
};
static const struct cli_opt esxi_opts[] = {
	CLI_OPT_STR("host-json", 0, "FILE", "ESXi host description (JSON)"),
	CLI_OPT_STR("sriovnic-list", 0, "FILE", "captured `esxcli network sriovnic list` output"),
	CLI_OPT_STR("host", 0, "NAME", "use the ESXi host recorded in the inventory"),
	CLI_OPT_STR("name", 0, "NAME", "record a --sriovnic-list capture under this host name"),
	CLI_OPT_STR("lspci", 0, "FILE", "`lspci -xxxx` capture of the host: VF IDs, offset, stride"),
	CLI_OPT_STR("system-uuid", 0, "UUID", "the host's `esxcli system uuid get` (5.1 .vmx form)"),
	CLI_OPT_MULTI("set", 's', "PORT=N", "desired VF count of a port"),
	CLI_OPT_STR("vmx", 0, "PORT:VF", "also print the .vmx stanza for this VF"),
	CLI_OPT_STR("form", 0, "5.1|5.5", ".vmx form (default 5.1: PCI device)"),
	CLI_OPT_UINT("slot", 0, "N", "pciPassthru slot number (default 0)"),
	CLI_OPT_STR("network", 0, "NAME", "port group for the 5.5+ form"),
	OPT_SYSFS,
	CLI_OPT_END,
};

const struct cli_verb cli_sriov_verbs[] = {
	{ .name = "list", .fn = cmd_list, .opts = list_opts, .min_args = 0, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "[PF]", .summary = "List SR-IOV PFs (and VFs)" },
	{ .name = "show", .fn = cmd_show, .opts = show_opts, .min_args = 1, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "ADDR", .summary = "Show a PF or VF in detail" },
	{ .name = "set-vfs", .fn = cmd_set_vfs, .opts = set_vfs_opts, .min_args = 2, .max_args = 2,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "PF N", .summary = "Set the number of VFs of a PF" },
	{ .name = "vf", .fn = cmd_vf, .opts = vf_opts, .min_args = 3, .max_args = 3,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "set PF IDX",
	  .summary = "Set VF MAC/VLAN/QoS/spoofchk/trust/link state/rates" },
	{ .name = "bind", .fn = cmd_bind, .opts = sysfs_only_opts, .min_args = 2, .max_args = 2,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "VF vfio-pci|host|DRIVER",
	  .summary = "Bind a VF to vfio-pci or give it back to the host" },
	{ .name = "apply", .fn = cmd_apply, .opts = apply_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "Converge the host to the desired state" },
	{ .name = "persist", .fn = cmd_persist, .opts = persist_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "Write a systemd unit that applies at boot" },
	{ .name = "plan", .fn = cmd_plan, .opts = plan_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "Pick VFs for a VM on different PFs/adapters" },
	{ .name = "attach", .fn = cmd_attach, .opts = attach_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "Attach VFs to a libvirt domain (stable MAC)" },
	{ .name = "detach", .fn = cmd_detach, .opts = detach_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "Detach a VF from a libvirt domain" },
	{ .name = "esxi", .fn = cmd_esxi, .opts = esxi_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "ESXi max_vfs commands and .vmx stanzas" },
	{ .name = "ls", .alias_of = "list" },
	{ 0 },
};
