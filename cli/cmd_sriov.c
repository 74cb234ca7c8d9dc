/* SPDX-License-Identifier: MIT */
/*
 * vitk sriov verbs: list, show, set-vfs, vf set, bind, apply, persist, plan,
 * attach, detach, esxi.  Each verb: typed options -> one libsriov workflow ->
 * render the document the library returns (tables and JSON documents are
 * declared in sriov/src/document.c).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <vitk/sriov.h>

#include "cli.h"

/*
 * Test seam: a test-only binary (//sriov:vitk_sriov_fake) sets these to the
 * fake sysfs/netlink ops before calling cli_main(); the real vitk never does,
 * and never links the fakes.
 */
const vitk_sriov_sysfs_ops *cli_sriov_test_sysfs_ops = NULL;
const vitk_sriov_netlink_ops *cli_sriov_test_netlink_ops = NULL;

/* every verb's config starts with these (a pointer to the config points to them) */
struct common_cfg {
	const char *sysfs_root;
	const char *connect; /* libvirt URI */
};
#define COMMON_FIELDS struct common_cfg common

#define OPT_SYSFS(T)                                                                               \
	{ CLI_STR(T, common.sysfs_root, "sysfs-root", 0, "DIR", "stand-in for /sys (also $VITK_SYSFS_ROOT)") }

static const char *const onoff_names[] = { "on", "off", NULL };
static const int onoff_ints[] = { 1, 0 };

static int lib_fail(struct cli_ctx *ctx, int r)
{
	return cli_error(ctx, cli_exit_from_err(r), "%s", vitk_error_last()->message);
}

/*
 * Render the document *@t (or *@doc) a library call just built and returned
 * @r for, or report the call's error.  Called as print_table(ctx,
 * build(&t, ...), &t, ...): @t is read only after the call has set it.
 */
static int print_table(struct cli_ctx *ctx, int r, vitk_table **t, bool record)
{
	if (r == 0)
		r = record ? cli_print_record(ctx, *t) : cli_print_table(ctx, *t);
	else
		r = lib_fail(ctx, r);
	vitk_table_free(*t);
	*t = NULL;
	return r;
}

static int print_json(struct cli_ctx *ctx, int r, json_t **doc)
{
	r = r == 0 ? cli_json_print(ctx, *doc) : lib_fail(ctx, r);
	json_decref(*doc);
	*doc = NULL;
	return r;
}

static const char *sysfs_root(const struct cli_ctx *ctx)
{
	const struct common_cfg *c = ctx->config;
	const char *s = c->sysfs_root ? c->sysfs_root : getenv("VITK_SYSFS_ROOT");

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
	return r < 0 ? lib_fail(ctx, r) : 0;
}

static vitk_sriov_site site_of(const struct cli_ctx *ctx)
{
	const struct common_cfg *c = ctx->config;
	vitk_sriov_site s = { ctx->inv, ctx->host_id, c->connect };

	return s;
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

static unsigned affect_flags(bool live, bool config)
{
	return (live ? VITK_SRIOV_AFFECT_LIVE : 0) | (config ? VITK_SRIOV_AFFECT_CONFIG : 0);
}

/* ------------------------------------------------------------ discovery */

struct list_cfg {
	COMMON_FIELDS;
	const char *dump;
	bool vfs;
};

/* sysfs or @dump, or libvirt's node devices on @uri (list, show) */
static int discover(struct cli_ctx *ctx, vitk_sriov_pf_list **out, const char *only,
		    const char *dump, const char *uri)
{
	vitk_sriov_discover_request q = { .uri = uri, .pf = only };
	vitk_sriov *s = NULL;
	int r;

	q.inv = ctx->host_id ? ctx->inv : NULL;
	q.host_id = ctx->host_id;
	if (!uri) {
		r = open_ctx(ctx, &s, dump);
		if (r)
			return r;
	}
	r = vitk_sriov_discover(out, s, &q);
	vitk_sriov_free(s);
	return r < 0 ? lib_fail(ctx, r) : 0;
}

static int print_pfs(struct cli_ctx *ctx, const vitk_sriov_pf_list *l, bool with_vfs)
{
	vitk_table *t = NULL;
	json_t *doc = NULL;

	if (ctx->output == CLI_OUT_JSON)
		return print_json(ctx, vitk_sriov_pf_list_to_json(&doc, l, with_vfs), &doc);
	if (with_vfs)
		return print_table(ctx, vitk_sriov_vf_table(&t, l, NULL), &t, false);
	return print_table(ctx, vitk_sriov_pf_table(&t, l), &t, false);
}

static int cmd_list(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct list_cfg *c = ctx->config;
	vitk_sriov_pf_list *l = NULL;
	int r;

	r = discover(ctx, &l, argc ? argv[0] : NULL, c->dump, c->common.connect);
	if (r == 0)
		r = print_pfs(ctx, l, c->vfs);
	vitk_sriov_pf_list_free(l);
	return r;
}

/* a VF is shown through its PF's scan */
static int show_vf(struct cli_ctx *ctx, const char *vf)
{
	vitk_sriov_pf_list *l = NULL;
	vitk_table *t = NULL;
	json_t *doc = NULL;
	int r;

	r = discover(ctx, &l, NULL, NULL, NULL);
	if (r)
		return r;
	if (!vitk_sriov_pf_list_find_vf(l, vf, NULL))
		r = cli_error(ctx, CLI_EXIT_NOTFOUND, "'%s': VF not found under any PF", vf);
	else if (ctx->output == CLI_OUT_JSON)
		r = print_json(ctx, vitk_sriov_vf_to_json(&doc, l, vf), &doc);
	else
		r = print_table(ctx, vitk_sriov_vf_table(&t, l, vf), &t, true);
	vitk_sriov_pf_list_free(l);
	return r;
}

static int show_pf(struct cli_ctx *ctx, const vitk_sriov_pf_list *l)
{
	const vitk_sriov_pf_info *pf = &l->items[0];
	vitk_table *t = NULL;
	json_t *doc = NULL;
	int r;

	if (ctx->output == CLI_OUT_JSON)
		return print_json(ctx, vitk_sriov_pf_to_json(&doc, pf), &doc);
	r = print_table(ctx, vitk_sriov_pf_record(&t, pf), &t, true);
	if (r == 0 && pf->n_vfs) {
		cli_text(ctx, "\n");
		r = print_table(ctx, vitk_sriov_vf_table(&t, l, NULL), &t, false);
	}
	return r;
}

static int cmd_show(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct list_cfg *c = ctx->config;
	vitk_sriov_pf_list *l = NULL;
	char norm[VITK_SRIOV_ADDR_MAX];
	int r;

	(void)argc;
	if (vitk_sriov_addr_normalize(norm, argv[0]) < 0)
		return lib_fail(ctx, VITK_EINVAL);
	if (!c->dump && !c->common.connect) {
		vitk_sriov *s = NULL;
		bool vf;

		r = open_ctx(ctx, &s, NULL);
		if (r)
			return r;
		vf = vitk_sriov_is_vf(s, norm);
		vitk_sriov_free(s);
		if (vf)
			return show_vf(ctx, norm);
	}
	r = discover(ctx, &l, norm, c->dump, c->common.connect);
	if (r == 0)
		r = show_pf(ctx, l);
	vitk_sriov_pf_list_free(l);
	return r;
}

/* ------------------------------------------------------------ control */

struct set_vfs_cfg {
	COMMON_FIELDS;
	bool force;
	bool no_autoprobe;
};

/* the echo of a change: which device, what it is now */
struct change_echo {
	const char *pf;
	int64_t requested;
	unsigned num_vfs;
};
static const vitk_table_column set_vfs_cols[] = {
	VITK_TABLE_FIELD(struct change_echo, pf, "pf"),
	VITK_TABLE_FIELD(struct change_echo, requested, "requested"),
	VITK_TABLE_FIELD(struct change_echo, num_vfs, "num_vfs"),
};

static int cmd_set_vfs(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct set_vfs_cfg *c = ctx->config;
	vitk_sriov_site site = site_of(ctx);
	vitk_sriov *s = NULL;
	char norm[VITK_SRIOV_ADDR_MAX];
	unsigned n, actual = 0;
	struct change_echo e = { norm, 0, 0 };
	int r;

	(void)argc;
	if (!parse_count(argv[1], UINT_MAX, &n))
		return cli_error(ctx, CLI_EXIT_USAGE, "invalid VF count '%s'", argv[1]);
	if (vitk_sriov_addr_normalize(norm, argv[0]) < 0)
		return lib_fail(ctx, VITK_EINVAL);
	r = open_ctx(ctx, &s, NULL);
	if (r)
		return r;
	r = vitk_sriov_set_vfs(s, &site, norm,
			       n, (c->force ? VITK_SRIOV_SET_FORCE : 0) |
					  (c->no_autoprobe ? VITK_SRIOV_SET_NO_AUTOPROBE : 0),
			       &actual);
	vitk_sriov_free(s);
	if (r < 0)
		return lib_fail(ctx, r);
	e.requested = n;
	e.num_vfs = actual;
	return cli_print_struct(ctx, set_vfs_cols, VITK_ARRAY_SIZE(set_vfs_cols), &e);
}

struct vf_cfg {
	COMMON_FIELDS;
	const char *mac;
	uint64_t vlan, qos, max_rate, min_rate;
	bool vlan_given, qos_given, max_rate_given, min_rate_given;
	int proto, spoofchk, trust, state;
	bool proto_given, spoofchk_given, trust_given, state_given;
};

static const char *const proto_names[] = { "802.1Q", "802.1q", "802.1ad", NULL };
static const int proto_ints[] = { 0x8100, 0x8100, 0x88a8 };
static const char *const link_names[] = { "auto", "enable", "disable", NULL };
static const int link_ints[] = { VITK_SRIOV_LINK_AUTO, VITK_SRIOV_LINK_ENABLE,
				 VITK_SRIOV_LINK_DISABLE };

/* the VF settings asked for; returns an exit code on a usage error */
static int vf_config(struct cli_ctx *ctx, const struct vf_cfg *c, vitk_sriov_vf_config *v)
{
	if (c->mac) {
		if (vitk_sriov_mac_parse(v->mac, c->mac) < 0)
			return cli_error(ctx, CLI_EXIT_USAGE, "invalid --mac '%s'", c->mac);
		v->has_mac = true;
	}
	if ((c->qos_given || c->proto_given) && !c->vlan_given)
		return cli_error(ctx, CLI_EXIT_USAGE, "--qos and --proto need --vlan");
	v->has_vlan = c->vlan_given;
	v->vlan = (uint32_t)c->vlan;
	v->qos = (uint32_t)c->qos;
	v->vlan_proto = c->proto_given ? (uint16_t)c->proto : 0x8100;
	v->has_spoofchk = c->spoofchk_given;
	v->spoofchk = c->spoofchk;
	v->has_trust = c->trust_given;
	v->trust = c->trust;
	v->has_link_state = c->state_given;
	v->link_state = (uint32_t)c->state;
	v->has_rate = c->max_rate_given || c->min_rate_given;
	v->max_tx_rate = (uint32_t)c->max_rate;
	v->min_tx_rate = (uint32_t)c->min_rate;
	if (!v->has_mac && !v->has_vlan && !v->has_spoofchk && !v->has_trust &&
	    !v->has_link_state && !v->has_rate)
		return cli_error(ctx, CLI_EXIT_USAGE, "nothing to set (see --help)");
	return 0;
}

struct vf_echo {
	const char *pf;
	unsigned vf;
	bool updated;
};
static const vitk_table_column vf_echo_cols[] = {
	VITK_TABLE_FIELD(struct vf_echo, pf, "pf"),
	VITK_TABLE_FIELD(struct vf_echo, vf, "vf"),
	VITK_TABLE_FIELD(struct vf_echo, updated, "updated"),
};

static int cmd_vf(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct vf_cfg *c = ctx->config;
	vitk_sriov_vf_config v = VITK_SRIOV_VF_STATE_INIT;
	vitk_sriov_site site = site_of(ctx);
	vitk_sriov *s = NULL;
	char norm[VITK_SRIOV_ADDR_MAX];
	struct vf_echo e = { norm, 0, true };
	int r;

	(void)argc;
	if (strcmp(argv[0], "set"))
		return cli_error(ctx, CLI_EXIT_USAGE, "unknown 'vf' action '%s' (want: vf set PF IDX ...)",
				 argv[0]);
	if (vitk_sriov_addr_normalize(norm, argv[1]) < 0)
		return lib_fail(ctx, VITK_EINVAL);
	if (!parse_count(argv[2], UINT_MAX, &v.vf))
		return cli_error(ctx, CLI_EXIT_USAGE, "invalid VF index '%s'", argv[2]);
	r = vf_config(ctx, c, &v);
	if (r == 0)
		r = open_ctx(ctx, &s, NULL);
	if (r)
		return r;
	r = vitk_sriov_vf_set(s, &site, norm, &v,
			      (c->max_rate_given ? VITK_SRIOV_RATE_MAX : 0) |
				      (c->min_rate_given ? VITK_SRIOV_RATE_MIN : 0));
	vitk_sriov_free(s);
	if (r < 0)
		return lib_fail(ctx, r);
	e.vf = v.vf;
	if (ctx->output == CLI_OUT_TABLE) {
		cli_text(ctx, "%s VF %u: updated\n", norm, v.vf);
		return CLI_EXIT_OK;
	}
	return cli_print_struct(ctx, vf_echo_cols, VITK_ARRAY_SIZE(vf_echo_cols), &e);
}

struct bind_cfg {
	COMMON_FIELDS;
};

struct bind_echo {
	const char *vf;
	const char *driver;
};
static const vitk_table_column bind_cols[] = {
	VITK_TABLE_FIELD(struct bind_echo, vf, "vf"),
	VITK_TABLE_FIELD(struct bind_echo, driver, "driver"),
};

static int cmd_bind(struct cli_ctx *ctx, int argc, char **argv)
{
	vitk_sriov_site site = site_of(ctx);
	vitk_sriov *s = NULL;
	char norm[VITK_SRIOV_ADDR_MAX];
	struct bind_echo e = { norm, argv[1] };
	int r;

	(void)argc;
	if (vitk_sriov_addr_normalize(norm, argv[0]) < 0)
		return lib_fail(ctx, VITK_EINVAL);
	r = open_ctx(ctx, &s, NULL);
	if (r)
		return r;
	r = vitk_sriov_bind_vf(s, &site, norm, argv[1]);
	vitk_sriov_free(s);
	if (r < 0)
		return lib_fail(ctx, r);
	return cli_print_struct(ctx, bind_cols, VITK_ARRAY_SIZE(bind_cols), &e);
}

/* ------------------------------------------------------ desired state */

struct apply_cfg {
	COMMON_FIELDS;
	const char *import;
	bool export_doc, dry_run, force;
};

static int print_changes(struct cli_ctx *ctx, const vitk_sriov_change_list *l, bool dry)
{
	vitk_table *t = NULL;
	json_t *doc = NULL;

	if (ctx->output == CLI_OUT_JSON)
		return print_json(ctx, vitk_sriov_changes_to_json(&doc, l, dry), &doc);
	if (l->count == 0) {
		cli_text(ctx, "no changes: the host matches the desired state\n");
		return CLI_EXIT_OK;
	}
	return print_table(ctx, vitk_sriov_changes_table(&t, l, dry), &t, false);
}

static int cmd_apply(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct apply_cfg *c = ctx->config;
	vitk_sriov_site site = site_of(ctx);
	vitk_sriov_change_list *l = NULL;
	vitk_sriov *s = NULL;
	json_t *doc = NULL;
	size_t i;
	int r, ar;

	(void)argc;
	(void)argv;
	r = c->import ? vitk_sriov_import_desired(&site, c->import) : 0;
	if (r < 0)
		return lib_fail(ctx, r);
	if (c->export_doc)
		return print_json(ctx, vitk_sriov_export_desired(&doc, &site), &doc);
	r = open_ctx(ctx, &s, NULL);
	if (r)
		return r;
	ar = vitk_sriov_apply_desired(&l, s, &site,
				      (c->dry_run ? VITK_SRIOV_APPLY_DRY_RUN : 0) |
					      (c->force ? VITK_SRIOV_APPLY_FORCE : 0),
				      c->import != NULL);
	vitk_sriov_free(s);
	if (!l)
		return lib_fail(ctx, ar);
	r = print_changes(ctx, l, c->dry_run);
	for (i = 0; ar < 0 && i < l->count; i++)
		if (l->items[i].result < 0)
			cli_error(ctx, 0, "%s: %s", l->items[i].subject,
				  l->items[i].error ? l->items[i].error : "");
	/*
	 * a failed change fails the run (non-zero, so systemd sees it), with the
	 * exit code of the first failure as for any verb (3 not found, 4 refused
	 * by the device or driver); the rest were applied
	 */
	if (ar < 0)
		r = cli_exit_from_err(ar);
	vitk_sriov_change_list_free(l);
	return r;
}

struct persist_cfg {
	COMMON_FIELDS;
	const char *root, *vitk, *unit;
};

struct persist_echo {
	const char *unit;
	const char *enabled_by;
};
static const vitk_table_column persist_cols[] = {
	VITK_TABLE_FIELD(struct persist_echo, unit, "unit"),
	VITK_TABLE_FIELD(struct persist_echo, enabled_by, "enabled_by"),
};

static int cmd_persist(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct persist_cfg *c = ctx->config;
	vitk_sriov_persist_options o = VITK_SRIOV_PERSIST_OPTIONS_INIT;
	vitk_sriov_site site = site_of(ctx);
	struct persist_echo e = { NULL, "multi-user.target.wants" };
	char *unit = NULL;
	int r;

	(void)argc;
	(void)argv;
	o.root = c->root;
	o.vitk_path = c->vitk;
	o.unit_name = c->unit;
	o.db_path = ctx->db_path;
	o.sysfs_root = c->common.sysfs_root;
	r = vitk_sriov_persist_unit(&site, &o, &unit);
	if (r < 0)
		return lib_fail(ctx, r);
	e.unit = unit;
	r = cli_print_struct(ctx, persist_cols, VITK_ARRAY_SIZE(persist_cols), &e);
	free(unit);
	return r;
}

/* ------------------------------------------------------------ planner */

struct plan_cfg {
	COMMON_FIELDS;
	const char *vm;
	uint64_t count, numa, vlan;
	bool count_given, numa_given, vlan_given, no_reserve;
	int policy;
	bool policy_given;
};

static const char *const policy_names[] = { "required", "preferred", "none", "legacy", NULL };
static const int policy_ints[] = { VITK_SRIOV_NUMA_REQUIRED, VITK_SRIOV_NUMA_PREFERRED,
				   VITK_SRIOV_NUMA_NONE, VITK_SRIOV_NUMA_NONE };

static int print_plan(struct cli_ctx *ctx, const vitk_sriov_vm_plan *vp)
{
	vitk_table *t = NULL;
	json_t *doc = NULL;
	size_t i;

	for (i = 0; i < vp->plan->n_warnings; i++)
		cli_warn(ctx, "%s", vp->plan->warnings[i]);
	if (ctx->output == CLI_OUT_JSON)
		return print_json(ctx, vitk_sriov_vm_plan_to_json(&doc, vp), &doc);
	for (i = 0; i < vp->plan->n_notes; i++)
		cli_text(ctx, "  %s\n", vp->plan->notes[i]);
	if (vp->plan_id)
		cli_text(ctx, "plan %s reserved for VM '%s'\n", vp->plan_id, vp->vm);
	cli_text(ctx, "\n");
	return print_table(ctx, vitk_sriov_plan_table(&t, vp->plan), &t, false);
}

static int cmd_plan(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct plan_cfg *c = ctx->config;
	vitk_sriov_plan_request q = VITK_SRIOV_PLAN_REQUEST_INIT;
	vitk_sriov_site site = site_of(ctx);
	vitk_sriov_vm_plan *vp = NULL;
	vitk_sriov *s = NULL;
	int r, pr;

	(void)argc;
	(void)argv;
	if (!c->vm)
		return cli_error(ctx, CLI_EXIT_USAGE, "--vm NAME is required");
	q.vm = c->vm;
	q.count = c->count_given ? (unsigned)c->count : q.count;
	q.numa_node = c->numa_given ? (int)c->numa : -1;
	q.policy = c->policy_given ? (vitk_sriov_numa_policy)c->policy : q.policy;
	q.vlan = c->vlan_given ? (int)c->vlan : -1;
	r = open_ctx(ctx, &s, NULL);
	if (r)
		return r;
	pr = vitk_sriov_plan_vm(&vp, s, &site, &q, c->no_reserve);
	vitk_sriov_free(s);
	if (!vp)
		return lib_fail(ctx, pr);
	r = print_plan(ctx, vp);
	if (pr < 0)
		r = lib_fail(ctx, pr);
	vitk_sriov_vm_plan_free(vp);
	return r;
}

/* ------------------------------------------------------------ libvirt */

struct attach_cfg {
	COMMON_FIELDS;
	const char *domain, *vf, *plan;
	uint64_t vlan;
	bool vlan_given, live, config;
};

static int cmd_attach(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct attach_cfg *c = ctx->config;
	vitk_sriov_attach_request q = VITK_SRIOV_ATTACH_REQUEST_INIT;
	vitk_sriov_attach_result *res = NULL;
	vitk_table *t = NULL;
	size_t i;
	int r;

	(void)argc;
	(void)argv;
	if (!c->domain || (!c->vf == !c->plan))
		return cli_error(ctx, CLI_EXIT_USAGE, "need --domain and one of --vf ADDR or --plan ID");
	q.domain = c->domain;
	q.vf = c->vf;
	q.plan = c->plan;
	q.uri = c->common.connect;
	q.flags = affect_flags(c->live, c->config);
	q.vlan = c->vlan_given ? (int)c->vlan : -1;
	r = vitk_sriov_attach(&res, ctx->inv, ctx->host_id, &q);
	for (i = 0; res && i < res->n_warnings; i++)
		cli_warn(ctx, "%s", res->warnings[i]);
	if (r == 0)
		r = print_table(ctx, vitk_sriov_attach_table(&t, res), &t, false);
	else
		r = lib_fail(ctx, r);
	vitk_sriov_attach_result_free(res);
	return r;
}

struct detach_cfg {
	COMMON_FIELDS;
	const char *domain, *vf;
	bool live, config;
};

struct detach_echo {
	const char *domain, *vf, *state;
};
static const vitk_table_column detach_cols[] = {
	VITK_TABLE_FIELD(struct detach_echo, domain, "domain"),
	VITK_TABLE_FIELD(struct detach_echo, vf, "vf"),
	VITK_TABLE_FIELD(struct detach_echo, state, "state"),
};

static int cmd_detach(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct detach_cfg *c = ctx->config;
	char norm[VITK_SRIOV_ADDR_MAX];
	struct detach_echo e = { c->domain, norm, "detached" };
	int r;

	(void)argc;
	(void)argv;
	if (!c->domain || !c->vf)
		return cli_error(ctx, CLI_EXIT_USAGE, "need --domain and --vf ADDR");
	if (vitk_sriov_addr_normalize(norm, c->vf) < 0)
		return lib_fail(ctx, VITK_EINVAL);
	r = vitk_sriov_detach(ctx->inv, ctx->host_id, c->common.connect, c->domain, norm,
			      affect_flags(c->live, c->config));
	if (r < 0)
		return lib_fail(ctx, r);
	return cli_print_struct(ctx, detach_cols, VITK_ARRAY_SIZE(detach_cols), &e);
}

/* ------------------------------------------------------------ ESXi */

struct esxi_cfg {
	COMMON_FIELDS;
	const char *host_json, *sriovnic_list, *host, *name, *lspci, *system_uuid;
	struct cli_strv sets;
	const char *vmx, *network;
	int form;
	uint64_t slot;
};

static const char *const form_names[] = { "5.1", "5.5", NULL };
static const int form_ints[] = { VITK_SRIOV_VMX_51, VITK_SRIOV_VMX_55 };
static const struct esxi_cfg esxi_defaults = { .form = VITK_SRIOV_VMX_51 };

/* the shape of --set PORT=N and --vmx PORT:VF (the library finds the ports) */
static int esxi_check(struct cli_ctx *ctx, const struct esxi_cfg *c)
{
	const char *sep;
	unsigned n;
	size_t i;

	if ((c->host_json != NULL) + (c->sriovnic_list != NULL) + (c->host != NULL) != 1)
		return cli_error(ctx, CLI_EXIT_USAGE,
				 "need one of --host-json FILE, --sriovnic-list FILE or --host NAME");
	for (i = 0; i < c->sets.n; i++) {
		sep = strchr(c->sets.v[i], '=');
		if (!sep || !parse_count(sep + 1, 1024, &n))
			return cli_error(ctx, CLI_EXIT_USAGE, "--set wants PORT=COUNT, got '%s'",
					 c->sets.v[i]);
	}
	sep = c->vmx ? strrchr(c->vmx, ':') : NULL;
	if (c->vmx && (!sep || !parse_count(sep + 1, UINT_MAX, &n)))
		return cli_error(ctx, CLI_EXIT_USAGE, "--vmx wants PORT:VF (e.g. vmnic4:0)");
	return 0;
}

static int print_esxi(struct cli_ctx *ctx, const vitk_sriov_esxi_result *res)
{
	vitk_table *t = NULL;
	json_t *doc = NULL;
	size_t i, j;

	if (ctx->output == CLI_OUT_JSON)
		return print_json(ctx, vitk_sriov_esxi_result_to_json(&doc, res), &doc);
	if (ctx->output == CLI_OUT_CSV)
		return print_table(ctx, vitk_sriov_esxi_commands_table(&t, res), &t, false);
	for (i = 0; i < res->n_cmds; i++) {
		cli_text(ctx, "# %s ports in PCI order:", res->cmds[i].driver);
		for (j = 0; j < res->cmds[i].n_ports; j++)
			cli_text(ctx, " %s", res->cmds[i].ports[j]);
		cli_text(ctx, "\n");
		cli_text_block(ctx, res->cmds[i].command);
		cli_text(ctx, "\n");
	}
	if (res->vmx) {
		cli_text(ctx, "\n");
		cli_text_block(ctx, res->vmx);
	}
	return CLI_EXIT_OK;
}

static int cmd_esxi(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct esxi_cfg *c = ctx->config;
	vitk_sriov_esxi_request q = { .form = (vitk_sriov_vmx_form)c->form,
				       .slot = (unsigned)c->slot };
	vitk_sriov_esxi_result *res = NULL;
	int r;

	(void)argc;
	(void)argv;
	r = esxi_check(ctx, c);
	if (r)
		return r;
	q.host_json = c->host_json;
	q.sriovnic_list = c->sriovnic_list;
	q.host = c->host;
	q.name = c->name;
	q.system_uuid = c->system_uuid;
	q.lspci = c->lspci;
	q.sets = c->sets.v;
	q.n_sets = c->sets.n;
	q.vmx = c->vmx;
	q.network = c->network;
	r = vitk_sriov_esxi_run(&res, ctx->inv, &q);
	if (r < 0)
		return lib_fail(ctx, r);
	cli_warn(ctx, "%s", res->warning);
	r = print_esxi(ctx, res);
	vitk_sriov_esxi_result_free(res);
	return r;
}

/* ------------------------------------------------------------ tables */

#define URI_HELP_NODEDEV "use libvirt's node devices on URI"
#define URI_HELP_IN_USE "also check the running domains on this libvirt URI"

#define CFG struct list_cfg
static const struct cli_opt list_opts[] = {
	{ CLI_FLAG(CFG, vfs, "vfs", 0, "list the VFs (with their netlink settings)") },
	OPT_SYSFS(CFG),
	{ CLI_STR(CFG, dump, "dump", 0, "FILE", "read an `lspci -xxxx` capture instead of sysfs") },
	{ CLI_STR(CFG, common.connect, "connect", 'c', "URI", URI_HELP_NODEDEV) },
	CLI_OPT_END,
};
static const struct cli_opt show_opts[] = {
	OPT_SYSFS(CFG),
	{ CLI_STR(CFG, dump, "dump", 0, "FILE", "read an `lspci -xxxx` capture instead of sysfs") },
	{ CLI_STR(CFG, common.connect, "connect", 'c', "URI", URI_HELP_NODEDEV) },
	CLI_OPT_END,
};
#undef CFG
#define CFG struct set_vfs_cfg
static const struct cli_opt set_vfs_opts[] = {
	{ CLI_FLAG(CFG, force, "force", 'f', "change the count even if domains use VFs of the PF") },
	{ CLI_STR(CFG, common.connect, "connect", 'c', "URI", URI_HELP_IN_USE) },
	{ CLI_FLAG(CFG, no_autoprobe, "no-autoprobe", 0, "keep the new VFs unbound (for vfio-pci)") },
	OPT_SYSFS(CFG),
	CLI_OPT_END,
};
#undef CFG
#define CFG struct vf_cfg
static const struct cli_opt vf_opts[] = {
	{ CLI_STR(CFG, mac, "mac", 0, "MAC", "VF MAC address") },
	{ CLI_UINT(CFG, vlan, "vlan", 0, "ID", "VLAN (0: none)"), CLI_RANGE(0, 4095),
	  CLI_GIVEN(CFG, vlan_given) },
	{ CLI_UINT(CFG, qos, "qos", 0, "N", "VLAN priority (needs --vlan)"), CLI_RANGE(0, 7),
	  CLI_GIVEN(CFG, qos_given) },
	{ CLI_ENUM(CFG, proto, "proto", 0, "P", proto_names, "VLAN protocol (needs --vlan)"),
	  CLI_ENUM_INTS(proto_ints), CLI_GIVEN(CFG, proto_given) },
	{ CLI_ENUM(CFG, spoofchk, "spoofchk", 0, "on|off", onoff_names, "MAC/VLAN anti-spoof checking"),
	  CLI_ENUM_INTS(onoff_ints), CLI_GIVEN(CFG, spoofchk_given) },
	{ CLI_ENUM(CFG, trust, "trust", 0, "on|off", onoff_names, "trusted VF (promiscuous, MAC changes)"),
	  CLI_ENUM_INTS(onoff_ints), CLI_GIVEN(CFG, trust_given) },
	{ CLI_ENUM(CFG, state, "state", 0, "S", link_names, "link state"), CLI_ENUM_INTS(link_ints),
	  CLI_GIVEN(CFG, state_given) },
	{ CLI_UINT(CFG, max_rate, "max-rate", 0, "MBPS", "maximum tx rate (0: unlimited)"),
	  CLI_RANGE(0, UINT32_MAX), CLI_GIVEN(CFG, max_rate_given) },
	{ CLI_UINT(CFG, min_rate, "min-rate", 0, "MBPS", "minimum tx rate"), CLI_RANGE(0, UINT32_MAX),
	  CLI_GIVEN(CFG, min_rate_given) },
	OPT_SYSFS(CFG),
	CLI_OPT_END,
};
#undef CFG
#define CFG struct bind_cfg
static const struct cli_opt sysfs_only_opts[] = { OPT_SYSFS(CFG), CLI_OPT_END };
#undef CFG
#define CFG struct apply_cfg
static const struct cli_opt apply_opts[] = {
	{ CLI_STR(CFG, import, "import", 'i', "FILE", "store this desired-state JSON first") },
	{ CLI_FLAG(CFG, export_doc, "export", 0, "print the stored desired state as JSON and exit") },
	{ CLI_FLAG(CFG, dry_run, "dry-run", 'n', "show what would change") },
	{ CLI_FLAG(CFG, force, "force", 'f', "change VF counts even under domains") },
	{ CLI_STR(CFG, common.connect, "connect", 'c', "URI", URI_HELP_IN_USE) },
	OPT_SYSFS(CFG),
	CLI_OPT_END,
};
#undef CFG
#define CFG struct persist_cfg
static const struct cli_opt persist_opts[] = {
	{ CLI_STR(CFG, root, "root", 0, "DIR", "write under DIR instead of / (tests, images)") },
	{ CLI_STR(CFG, vitk, "vitk", 0, "PATH", "the vitk binary the unit runs (default /usr/bin/vitk)") },
	{ CLI_STR(CFG, unit, "unit", 0, "NAME", "unit name (default vitk-sriov.service)") },
	OPT_SYSFS(CFG),
	CLI_OPT_END,
};
#undef CFG
#define CFG struct plan_cfg
static const struct cli_opt plan_opts[] = {
	{ CLI_STR(CFG, vm, "vm", 0, "NAME", "the VM the VFs are for") },
	{ CLI_UINT(CFG, count, "count", 'n', "N", "number of VFs (default 2)"), CLI_RANGE(1, 64),
	  CLI_GIVEN(CFG, count_given) },
	{ CLI_UINT(CFG, numa, "numa", 0, "NODE", "the VM's NUMA node"), CLI_RANGE(0, 1024),
	  CLI_GIVEN(CFG, numa_given) },
	{ CLI_ENUM(CFG, policy, "policy", 0, "P", policy_names, "NUMA policy (default preferred)"),
	  CLI_ENUM_INTS(policy_ints), CLI_GIVEN(CFG, policy_given) },
	{ CLI_UINT(CFG, vlan, "vlan", 0, "ID", "VLAN to set at attach"), CLI_RANGE(0, 4095),
	  CLI_GIVEN(CFG, vlan_given) },
	{ CLI_FLAG(CFG, no_reserve, "no-reserve", 0, "do not record a reservation") },
	{ CLI_STR(CFG, common.connect, "connect", 'c', "URI", "also avoid VFs of running domains on this libvirt URI") },
	OPT_SYSFS(CFG),
	CLI_OPT_END,
};
#undef CFG
#define CFG struct attach_cfg
static const struct cli_opt attach_opts[] = {
	{ CLI_STR(CFG, domain, "domain", 'd', "VM", "libvirt domain") },
	{ CLI_STR(CFG, common.connect, "connect", 'c', "URI", "libvirt URI (default: libvirt's default)") },
	{ CLI_STR(CFG, vf, "vf", 0, "ADDR", "the VF to attach") },
	{ CLI_STR(CFG, plan, "plan", 0, "ID", "attach the VFs of a plan (ID or VM name)") },
	{ CLI_UINT(CFG, vlan, "vlan", 0, "ID", "VLAN tag (default: the plan's)"), CLI_RANGE(0, 4095),
	  CLI_GIVEN(CFG, vlan_given) },
	{ CLI_FLAG(CFG, live, "live", 0, "affect the running domain") },
	{ CLI_FLAG(CFG, config, "config", 0, "affect the persistent definition") },
	OPT_SYSFS(CFG),
	CLI_OPT_END,
};
#undef CFG
#define CFG struct detach_cfg
static const struct cli_opt detach_opts[] = {
	{ CLI_STR(CFG, domain, "domain", 'd', "VM", "libvirt domain") },
	{ CLI_STR(CFG, common.connect, "connect", 'c', "URI", "libvirt URI") },
	{ CLI_STR(CFG, vf, "vf", 0, "ADDR", "the VF to detach") },
	{ CLI_FLAG(CFG, live, "live", 0, "affect the running domain") },
	{ CLI_FLAG(CFG, config, "config", 0, "affect the persistent definition") },
	OPT_SYSFS(CFG),
	CLI_OPT_END,
};
#undef CFG
#define CFG struct esxi_cfg
static const struct cli_opt esxi_opts[] = {
	{ CLI_STR(CFG, host_json, "host-json", 0, "FILE", "ESXi host description (JSON)") },
	{ CLI_STR(CFG, sriovnic_list, "sriovnic-list", 0, "FILE", "captured `esxcli network sriovnic list` output") },
	{ CLI_STR(CFG, host, "host", 0, "NAME", "use the ESXi host recorded in the inventory") },
	{ CLI_STR(CFG, name, "name", 0, "NAME", "record a --sriovnic-list capture under this host name") },
	{ CLI_STR(CFG, lspci, "lspci", 0, "FILE", "`lspci -xxxx` capture of the host: VF IDs, offset, stride") },
	{ CLI_STR(CFG, system_uuid, "system-uuid", 0, "UUID", "the host's `esxcli system uuid get` (5.1 .vmx form)") },
	{ CLI_MULTI(CFG, sets, "set", 's', "PORT=N", "desired VF count of a port") },
	{ CLI_STR(CFG, vmx, "vmx", 0, "PORT:VF", "also print the .vmx stanza for this VF") },
	{ CLI_ENUM(CFG, form, "form", 0, "FORM", form_names, ".vmx form (default 5.1: PCI device)"),
	  CLI_ENUM_INTS(form_ints) },
	{ CLI_UINT(CFG, slot, "slot", 0, "N", "pciPassthru slot number (default 0)"), CLI_RANGE(0, 15) },
	{ CLI_STR(CFG, network, "network", 0, "NAME", "port group for the 5.5+ form") },
	OPT_SYSFS(CFG),
	CLI_OPT_END,
};
#undef CFG

const struct cli_verb cli_sriov_verbs[] = {
	{ .name = "list", .fn = cmd_list, .opts = list_opts, .min_args = 0, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "[PF]", .summary = "List SR-IOV PFs (and VFs)",
	  CLI_CONFIG(struct list_cfg) },
	{ .name = "show", .fn = cmd_show, .opts = show_opts, .min_args = 1, .max_args = 1,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "ADDR", .summary = "Show a PF or VF in detail",
	  CLI_CONFIG(struct list_cfg) },
	{ .name = "set-vfs", .fn = cmd_set_vfs, .opts = set_vfs_opts, .min_args = 2, .max_args = 2,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "PF N", .summary = "Set the number of VFs of a PF",
	  CLI_CONFIG(struct set_vfs_cfg) },
	{ .name = "vf", .fn = cmd_vf, .opts = vf_opts, .min_args = 3, .max_args = 3,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "set PF IDX",
	  .summary = "Set VF MAC/VLAN/QoS/spoofchk/trust/link state/rates", CLI_CONFIG(struct vf_cfg) },
	{ .name = "bind", .fn = cmd_bind, .opts = sysfs_only_opts, .min_args = 2, .max_args = 2,
	  .flags = CLI_NEEDS_INVENTORY, .args_usage = "VF vfio-pci|host|DRIVER",
	  .summary = "Bind a VF to vfio-pci or give it back to the host", CLI_CONFIG(struct bind_cfg) },
	{ .name = "apply", .fn = cmd_apply, .opts = apply_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "Converge the host to the desired state",
	  CLI_CONFIG(struct apply_cfg) },
	{ .name = "persist", .fn = cmd_persist, .opts = persist_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "Write a systemd unit that applies at boot",
	  CLI_CONFIG(struct persist_cfg) },
	{ .name = "plan", .fn = cmd_plan, .opts = plan_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "Pick VFs for a VM on different PFs/adapters",
	  CLI_CONFIG(struct plan_cfg) },
	{ .name = "attach", .fn = cmd_attach, .opts = attach_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "Attach VFs to a libvirt domain (stable MAC)",
	  CLI_CONFIG(struct attach_cfg) },
	{ .name = "detach", .fn = cmd_detach, .opts = detach_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "Detach a VF from a libvirt domain",
	  CLI_CONFIG(struct detach_cfg) },
	{ .name = "esxi", .fn = cmd_esxi, .opts = esxi_opts, .min_args = 0, .max_args = 0,
	  .flags = CLI_NEEDS_INVENTORY, .summary = "ESXi max_vfs commands and .vmx stanzas",
	  CLI_CONFIG(struct esxi_cfg), .config_init = &esxi_defaults },
	{ .name = "ls", .alias_of = "list" },
	{ 0 },
};
