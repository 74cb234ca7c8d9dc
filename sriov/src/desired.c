/* SPDX-License-Identifier: MIT */
/* Desired state: JSON (strict, bounded), idempotent apply, systemd persistence. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include <vitk/array.h>

#include "sriov_priv.h"

#define DESIRED_MAX_BYTES (4u << 20)
#define DESIRED_MAX_PFS 1024
#define DESIRED_MAX_VFS 4096

void vitk_sriov_desired_free(vitk_sriov_desired *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_pfs; i++) {
		size_t j;

		for (j = 0; j < d->pfs[i].n_vfs; j++)
			free(d->pfs[i].vfs[j].driver);
		free(d->pfs[i].vfs);
		free(d->pfs[i].pf);
		free(d->pfs[i].driver);
	}
	free(d->pfs);
	vitk_sriov__strv_free(d->exclude, d->n_exclude);
	free(d);
}

static bool driver_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= VITK_SRIOV_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

static int check_keys(json_t *obj, const char *const *allowed, const char *where)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		size_t i;
		bool ok = false;

		for (i = 0; allowed[i]; i++)
			if (!strcmp(k, allowed[i]))
				ok = true;
		if (!ok)
			return vitk_error_set(VITK_EINVAL, 0, "desired state: %s: unknown key '%.40s'",
					      where, k);
	}
	return 0;
}

static int get_uint(json_t *obj, const char *key, unsigned max, unsigned *out, bool *present,
		    const char *where)
{
	json_t *v = json_object_get(obj, key);

	*present = false;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return vitk_error_set(VITK_EINVAL, 0,
				      "desired state: %s: '%s' must be an integer 0..%u", where, key,
				      max);
	*out = (unsigned)json_integer_value(v);
	*present = true;
	return 0;
}

static int get_bool(json_t *obj, const char *key, bool *out, bool *present, const char *where)
{
	json_t *v = json_object_get(obj, key);

	*present = false;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return vitk_error_set(VITK_EINVAL, 0, "desired state: %s: '%s' must be true or false",
				      where, key);
	*out = json_is_true(v);
	*present = true;
	return 0;
}

static int get_driver(json_t *obj, char **out, const char *where)
{
	json_t *v = json_object_get(obj, "driver");

	if (!v)
		return 0;
	if (!json_is_string(v) || !driver_ok(json_string_value(v)))
		return vitk_error_set(VITK_EINVAL, 0,
				      "desired state: %s: 'driver' must be a driver name ('vfio-pci', 'host', ...)",
				      where);
	return vitk_sriov__strset(out, json_string_value(v));
}

static int parse_vf(json_t *o, vitk_sriov_desired_vf *vf, const char *pfwhere, unsigned num_vfs)
{
	static const char *const keys[] = { "index", "mac", "vlan", "qos", "trust", "spoofchk",
					    "driver", NULL };
	char where[96];
	bool present;
	unsigned v;
	json_t *mac;
	int r;

	if (!json_is_object(o))
		return vitk_error_set(VITK_EINVAL, 0, "desired state: %s: VF entries must be objects",
				      pfwhere);
	r = get_uint(o, "index", 0xffff, &vf->index, &present, pfwhere);
	if (r < 0)
		return r;
	if (!present)
		return vitk_error_set(VITK_EINVAL, 0, "desired state: %s: VF entry without 'index'",
				      pfwhere);
	snprintf(where, sizeof(where), "%s VF %u", pfwhere, vf->index);
	if (vf->index >= num_vfs)
		return vitk_error_set(VITK_EINVAL, 0,
				      "desired state: %s: index is not below num_vfs (%u)", where,
				      num_vfs);
	r = check_keys(o, keys, where);
	if (r < 0)
		return r;
	mac = json_object_get(o, "mac");
	if (mac) {
		if (!json_is_string(mac) || vitk_sriov_mac_parse(vf->mac, json_string_value(mac)) < 0)
			return vitk_error_set(VITK_EINVAL, 0,
					      "desired state: %s: 'mac' must be aa:bb:cc:dd:ee:ff", where);
		if (vf->mac[0] & 1)
			return vitk_error_set(VITK_EINVAL, 0,
					      "desired state: %s: 'mac' is a multicast address", where);
		vf->has_mac = true;
	}
	r = get_uint(o, "vlan", 4095, &vf->vlan, &vf->has_vlan, where);
	if (r == 0)
		r = get_uint(o, "qos", 7, &v, &present, where);
	if (r < 0)
		return r;
	if (present) {
		if (!vf->has_vlan)
			return vitk_error_set(VITK_EINVAL, 0, "desired state: %s: 'qos' needs 'vlan'",
					      where);
		vf->qos = v;
	}
	r = get_bool(o, "trust", &vf->trust, &vf->has_trust, where);
	if (r == 0)
		r = get_bool(o, "spoofchk", &vf->spoofchk, &vf->has_spoofchk, where);
	if (r == 0)
		r = get_driver(o, &vf->driver, where);
	return r;
}

static int parse_pf(json_t *o, vitk_sriov_desired_pf *pf)
{
	static const char *const keys[] = { "pf", "num_vfs", "autoprobe", "driver", "vfs", NULL };
	json_t *addr = json_object_get(o, "pf"), *vfs;
	char where[48], norm[VITK_SRIOV_ADDR_MAX];
	bool present, ap;
	size_t i, j;
	int r;

	if (!json_is_object(o))
		return vitk_error_set(VITK_EINVAL, 0, "desired state: 'pfs' entries must be objects");
	if (!json_is_string(addr) || vitk_sriov_addr_normalize(norm, json_string_value(addr)) < 0)
		return vitk_error_set(VITK_EINVAL, 0,
				      "desired state: PF entry needs 'pf' with a PCI address");
	r = vitk_sriov__strset(&pf->pf, norm);
	if (r < 0)
		return r;
	snprintf(where, sizeof(where), "PF %s", norm);
	r = check_keys(o, keys, where);
	if (r < 0)
		return r;
	r = get_uint(o, "num_vfs", 0xffff, &pf->num_vfs, &present, where);
	if (r < 0)
		return r;
	if (!present)
		return vitk_error_set(VITK_EINVAL, 0, "desired state: %s: missing 'num_vfs'", where);
	r = get_bool(o, "autoprobe", &ap, &present, where);
	if (r < 0)
		return r;
	pf->autoprobe = present ? (ap ? 1 : 0) : -1;
	r = get_driver(o, &pf->driver, where);
	if (r < 0)
		return r;
	vfs = json_object_get(o, "vfs");
	if (!vfs)
		return 0;
	if (!json_is_array(vfs) || json_array_size(vfs) > DESIRED_MAX_VFS)
		return vitk_error_set(VITK_EINVAL, 0, "desired state: %s: 'vfs' must be a list", where);
	pf->vfs = calloc(json_array_size(vfs) + 1, sizeof(*pf->vfs));
	if (!pf->vfs)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	for (i = 0; i < json_array_size(vfs); i++) {
		pf->n_vfs = i + 1; /* owned (and freed) from here on */
		r = parse_vf(json_array_get(vfs, i), &pf->vfs[i], where, pf->num_vfs);
		if (r < 0)
			return r;
		for (j = 0; j < i; j++)
			if (pf->vfs[j].index == pf->vfs[i].index)
				return vitk_error_set(VITK_EINVAL, 0,
						      "desired state: %s: VF %u listed twice", where,
						      pf->vfs[i].index);
	}
	return 0;
}

int vitk_sriov_desired_from_json(vitk_sriov_desired **out, const char *json, size_t len)
{
	static const char *const keys[] = { "version", "pfs", "exclude", NULL };
	vitk_sriov_desired *d = NULL;
	json_t *root = NULL, *pfs, *ex, *ver;
	json_error_t jerr;
	size_t i, j;
	int r = 0;

	*out = NULL;
	if (len > DESIRED_MAX_BYTES)
		return vitk_error_set(VITK_EINVAL, 0, "desired state: larger than %u bytes",
				      DESIRED_MAX_BYTES);
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return vitk_error_set(VITK_EINVAL, 0, "desired state: line %d: %.120s", jerr.line,
				      jerr.text);
	d = calloc(1, sizeof(*d));
	if (!d) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	if (!json_is_object(root)) {
		r = vitk_error_set(VITK_EINVAL, 0, "desired state: the document must be an object");
		goto out;
	}
	r = check_keys(root, keys, "document");
	if (r < 0)
		goto out;
	ver = json_object_get(root, "version");
	if (ver && (!json_is_integer(ver) || json_integer_value(ver) != 1)) {
		r = vitk_error_set(VITK_EINVAL, 0, "desired state: unsupported 'version' (want 1)");
		goto out;
	}
	pfs = json_object_get(root, "pfs");
	if (pfs && (!json_is_array(pfs) || json_array_size(pfs) > DESIRED_MAX_PFS)) {
		r = vitk_error_set(VITK_EINVAL, 0, "desired state: 'pfs' must be a list of at most %d",
				   DESIRED_MAX_PFS);
		goto out;
	}
	if (pfs && json_array_size(pfs)) {
		d->pfs = calloc(json_array_size(pfs), sizeof(*d->pfs));
		if (!d->pfs) {
			r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < json_array_size(pfs); i++) {
			d->n_pfs = i + 1;
			r = parse_pf(json_array_get(pfs, i), &d->pfs[i]);
			if (r < 0)
				goto out;
			for (j = 0; j < i; j++)
				if (!strcmp(d->pfs[j].pf, d->pfs[i].pf)) {
					r = vitk_error_set(VITK_EINVAL, 0,
							   "desired state: PF %s listed twice",
							   d->pfs[i].pf);
					goto out;
				}
		}
	}
	ex = json_object_get(root, "exclude");
	if (ex && (!json_is_array(ex) || json_array_size(ex) > DESIRED_MAX_VFS)) {
		r = vitk_error_set(VITK_EINVAL, 0, "desired state: 'exclude' must be a list of VF addresses");
		goto out;
	}
	if (ex && json_array_size(ex)) {
		d->exclude = calloc(json_array_size(ex), sizeof(*d->exclude));
		if (!d->exclude) {
			r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < json_array_size(ex); i++) {
			json_t *a = json_array_get(ex, i);
			char norm[VITK_SRIOV_ADDR_MAX];

			if (!json_is_string(a) ||
			    vitk_sriov_addr_normalize(norm, json_string_value(a)) < 0) {
				r = vitk_error_set(VITK_EINVAL, 0,
						   "desired state: 'exclude' entry %zu is not a PCI address", i);
				goto out;
			}
			r = vitk_sriov__strset(&d->exclude[i], norm);
			if (r < 0)
				goto out;
			d->n_exclude = i + 1;
		}
	}
	*out = d;
	d = NULL;
out:
	json_decref(root);
	vitk_sriov_desired_free(d);
	return r;
}

int vitk_sriov__desired_doc(json_t **out, const vitk_sriov_desired *d)
{
	json_t *root = json_object(), *pfs = json_array(), *ex = json_array();
	size_t i, j;
	int r = 0;

	*out = NULL;
	if (!root || !pfs || !ex) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	json_object_set_new(root, "version", json_integer(1));
	for (i = 0; i < d->n_pfs; i++) {
		const vitk_sriov_desired_pf *p = &d->pfs[i];
		json_t *o = json_object(), *vfs = json_array();

		json_object_set_new(o, "pf", json_string(p->pf));
		json_object_set_new(o, "num_vfs", json_integer(p->num_vfs));
		if (p->autoprobe >= 0)
			json_object_set_new(o, "autoprobe", json_boolean(p->autoprobe));
		if (p->driver)
			json_object_set_new(o, "driver", json_string(p->driver));
		for (j = 0; j < p->n_vfs; j++) {
			const vitk_sriov_desired_vf *v = &p->vfs[j];
			json_t *vo = json_object();
			char mac[18];

			json_object_set_new(vo, "index", json_integer(v->index));
			if (v->has_mac) {
				vitk_sriov_mac_format(mac, v->mac);
				json_object_set_new(vo, "mac", json_string(mac));
			}
			if (v->has_vlan) {
				json_object_set_new(vo, "vlan", json_integer(v->vlan));
				json_object_set_new(vo, "qos", json_integer(v->qos));
			}
			if (v->has_trust)
				json_object_set_new(vo, "trust", json_boolean(v->trust));
			if (v->has_spoofchk)
				json_object_set_new(vo, "spoofchk", json_boolean(v->spoofchk));
			if (v->driver)
				json_object_set_new(vo, "driver", json_string(v->driver));
			json_array_append_new(vfs, vo);
		}
		if (p->n_vfs)
			json_object_set_new(o, "vfs", vfs);
		else
			json_decref(vfs);
		json_array_append_new(pfs, o);
	}
	json_object_set(root, "pfs", pfs);
	for (i = 0; i < d->n_exclude; i++)
		json_array_append_new(ex, json_string(d->exclude[i]));
	json_object_set(root, "exclude", ex);
	*out = root;
	root = NULL;
out:
	json_decref(pfs);
	json_decref(ex);
	json_decref(root);
	return r;
}

int vitk_sriov_desired_to_json(char **out, const vitk_sriov_desired *d)
{
	json_t *doc = NULL;
	int r;

	*out = NULL;
	r = vitk_sriov__desired_doc(&doc, d);
	if (r < 0)
		return r;
	*out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return *out ? 0 : vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
}

/* ------------------------------------------------------------------ apply */

void vitk_sriov_change_list_free(vitk_sriov_change_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++) {
		free(l->items[i].subject);
		free(l->items[i].action);
		free(l->items[i].detail);
		free(l->items[i].error);
	}
	free(l->items);
	free(l);
}

static vitk_sriov_change *change_add(vitk_sriov_change_list *l, const char *subject,
				     const char *action)
{
	VITK_ARRAY(vitk_sriov_change) a = { l->items, l->count, l->count };
	vitk_sriov_change *n = vitk_array_push(a);

	if (!n)
		return NULL;
	l->items = a.ptr;
	n->detail = strdup("");
	if (!n->detail || vitk_sriov__strset(&n->subject, subject) < 0 ||
	    vitk_sriov__strset(&n->action, action) < 0) {
		free(n->subject);
		free(n->detail);
		return NULL;
	}
	l->count = a.size;
	return n;
}

static void change_result(vitk_sriov_change *c, int r, int *first)
{
	c->result = r;
	if (r < 0) {
		/* on out-of-memory the error text is lost, the result code stays */
		vitk_sriov__strset(&c->error, vitk_error_last()->message);
		if (!*first)
			*first = r;
		vitk_error_clear();
	}
}

static const vitk_sriov_desired_vf *desired_vf(const vitk_sriov_desired_pf *p, unsigned idx)
{
	size_t i;

	for (i = 0; i < p->n_vfs; i++)
		if (p->vfs[i].index == idx)
			return &p->vfs[i];
	return NULL;
}

/* a partly refused vf-config lists each setting's outcome in its detail */
static int settings_outcome(vitk_sriov_change *c, unsigned vf, const vitk_sriov_vf_config *cfg,
			    unsigned failed)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ VITK_SRIOV__SETTING_MAC, "mac" },
		{ VITK_SRIOV__SETTING_VLAN, "vlan" },
		{ VITK_SRIOV__SETTING_RATE, "rate" },
		{ VITK_SRIOV__SETTING_SPOOFCHK, "spoofchk" },
		{ VITK_SRIOV__SETTING_LINK_STATE, "link_state" },
		{ VITK_SRIOV__SETTING_TRUST, "trust" },
	};
	unsigned want = vitk_sriov__vf_settings(cfg);
	char *d = NULL;
	size_t i;
	int r = vitk_sriov__strsetf(&d, "%s; VF %u:", c->detail, vf);

	for (i = 0; r == 0 && i < sizeof(names) / sizeof(names[0]); i++)
		if (want & names[i].bit)
			r = vitk_sriov__strsetf(&d, "%s %s %s", d, names[i].name,
						(failed & names[i].bit) ? "failed" : "applied");
	if (r == 0) {
		free(c->detail);
		c->detail = d;
		return 0;
	}
	free(d);
	return r;
}

static int apply_pf(vitk_sriov_change_list *l, vitk_sriov *ctx, const vitk_sriov_desired_pf *dp,
		    unsigned flags, const vitk_sriov_taken *in_use, int *first)
{
	bool dry = flags & VITK_SRIOV_APPLY_DRY_RUN;
	vitk_sriov_pf_info *pf = NULL;
	vitk_sriov_change *c;
	unsigned i;
	int r;

	r = vitk_sriov_pf_get(&pf, ctx, dp->pf, VITK_SRIOV_SCAN_NO_NAMES);
	if (r < 0) {
		c = change_add(l, dp->pf, "inspect");
		if (!c)
			return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		change_result(c, r, first);
		return 0;
	}
	if (dp->autoprobe >= 0 && pf->autoprobe >= 0 && dp->autoprobe != pf->autoprobe) {
		c = change_add(l, pf->addr, "autoprobe");
		if (!c)
			goto oom;
		if (vitk_sriov__strsetf(&c->detail, "sriov_drivers_autoprobe %d -> %d",
					pf->autoprobe, dp->autoprobe) < 0)
			goto oom;
		if (!dry) {
			char *path = vitk_sriov__dev_path(ctx, pf->addr, "sriov_drivers_autoprobe");
			int e = path ? vitk_sriov__write_attr(ctx, path, dp->autoprobe ? "1" : "0")
				     : -ENOMEM;

			free(path);
			change_result(c, e < 0 ? vitk_error_set(VITK_EIO, -e,
								"cannot write 'sriov_drivers_autoprobe' on '%s'",
								pf->addr)
					       : 0,
				      first);
		}
	}
	if (pf->sysfs_numvfs != dp->num_vfs || !pf->has_sysfs) {
		unsigned actual = 0;
		unsigned sf = (dp->autoprobe == 0 ? VITK_SRIOV_SET_NO_AUTOPROBE : 0) |
			      ((flags & VITK_SRIOV_APPLY_FORCE) ? VITK_SRIOV_SET_FORCE : 0);

		c = change_add(l, pf->addr, "set-num-vfs");
		if (!c)
			goto oom;
		if (vitk_sriov__strsetf(&c->detail, "VFs %u -> %u", pf->sysfs_numvfs, dp->num_vfs) < 0)
			goto oom;
		if (!dry) {
			r = vitk_sriov_pf_set_num_vfs(ctx, pf->addr, dp->num_vfs, sf, in_use,
						      &actual);
			if (r == 0 && actual != dp->num_vfs)
				r = vitk_error_set(VITK_ERANGE, 0,
						   "'%s': the driver enabled %u of %u VFs", pf->addr,
						   actual, dp->num_vfs);
			change_result(c, r, first);
			if (r < 0)
				goto done;
			vitk_sriov_pf_free(pf);
			pf = NULL;
			r = vitk_sriov_pf_get(&pf, ctx, dp->pf, VITK_SRIOV_SCAN_NO_NAMES);
			if (r < 0) {
				change_result(c, r, first);
				goto done;
			}
		} else {
			goto done; /* VFs do not exist yet: nothing more to compare */
		}
	}
	for (i = 0; i < pf->n_vfs && i < dp->num_vfs; i++) {
		const vitk_sriov_vf_info *vf = &pf->vfs[i];
		const vitk_sriov_desired_vf *dv = desired_vf(dp, vf->index);
		const char *drv = dv && dv->driver ? dv->driver : dp->driver;
		vitk_sriov_vf_config cfg = VITK_SRIOV_VF_STATE_INIT;
		char detail[160] = "";
		size_t dl = 0;

		if (drv) {
			const char *cur = vf->driver ? vf->driver : "";
			bool need = !strcmp(drv, "host") ? (!strcmp(cur, "vfio-pci") || vf->driver_override)
							 : strcmp(cur, drv) != 0;

			if (need) {
				c = change_add(l, vf->addr, "bind");
				if (!c)
					goto oom;
				if (vitk_sriov__strsetf(&c->detail, "%s -> %s",
							vf->driver ? vf->driver : "(none)", drv) < 0)
					goto oom;
				if (!dry)
					change_result(c, vitk_sriov_vf_bind(ctx, vf->addr, drv), first);
			}
		}
		if (!dv)
			continue;
		cfg.vf = vf->index;
		if (dv->has_mac && (!vf->has_state || memcmp(vf->state.mac, dv->mac, 6))) {
			char m[18];

			cfg.has_mac = true;
			memcpy(cfg.mac, dv->mac, 6);
			vitk_sriov_mac_format(m, dv->mac);
			dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl, "mac %s ", m);
		}
		if (dv->has_vlan && (!vf->has_state || vf->state.vlan != dv->vlan ||
				     vf->state.qos != dv->qos)) {
			cfg.has_vlan = true;
			cfg.vlan = dv->vlan;
			cfg.qos = dv->qos;
			cfg.vlan_proto = 0x8100;
			if (dl < sizeof(detail))
				dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl, "vlan %u qos %u ",
						       dv->vlan, dv->qos);
		}
		if (dv->has_trust && (!vf->has_state || !vf->state.has_trust ||
				      vf->state.trust != dv->trust)) {
			cfg.has_trust = true;
			cfg.trust = dv->trust;
			if (dl < sizeof(detail))
				dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl, "trust %s ",
						       dv->trust ? "on" : "off");
		}
		if (dv->has_spoofchk && (!vf->has_state || !vf->state.has_spoofchk ||
					 vf->state.spoofchk != dv->spoofchk)) {
			cfg.has_spoofchk = true;
			cfg.spoofchk = dv->spoofchk;
			if (dl < sizeof(detail))
				dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl, "spoofchk %s ",
						       dv->spoofchk ? "on" : "off");
		}
		if (!cfg.has_mac && !cfg.has_vlan && !cfg.has_trust && !cfg.has_spoofchk)
			continue;
		if (dl && dl < sizeof(detail) && detail[dl - 1] == ' ')
			detail[dl - 1] = '\0';
		c = change_add(l, vf->addr, "vf-config");
		if (!c)
			goto oom;
		if (vitk_sriov__strsetf(&c->detail, "VF %u: %s", vf->index, detail) < 0)
			goto oom;
		if (!dry) {
			unsigned failed = 0;

			r = vitk_sriov__vf_configure_each(ctx, pf->addr, &cfg, &failed);
			if (failed && settings_outcome(c, vf->index, &cfg, failed) < 0) {
				vitk_error_clear();
				goto oom;
			}
			change_result(c, r, first);
		}
	}
done:
	vitk_sriov_pf_free(pf);
	return 0;
oom:
	vitk_sriov_pf_free(pf);
	return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
}

int vitk_sriov_apply(vitk_sriov_change_list **out, vitk_sriov *ctx, const vitk_sriov_desired *d,
		     unsigned flags, const vitk_sriov_taken *in_use)
{
	vitk_sriov_change_list *l = calloc(1, sizeof(*l));
	int first = 0, r = 0;
	size_t i;

	*out = NULL;
	if (!l)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	for (i = 0; i < d->n_pfs && r == 0; i++)
		r = apply_pf(l, ctx, &d->pfs[i], flags, in_use, &first);
	if (r < 0) {
		vitk_sriov_change_list_free(l);
		return r;
	}
	*out = l;
	if (first) {
		for (i = 0; i < l->count; i++)
			if (l->items[i].result < 0)
				return vitk_error_set((vitk_err)l->items[i].result, 0, "%s: %s: %s",
						      l->items[i].subject, l->items[i].action,
						      l->items[i].error ? l->items[i].error : "");
	}
	return 0;
}

/* ---------------------------------------------------------------- persist */

static int mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(tmp))
		return vitk_error_set(VITK_EINVAL, 0, "path too long: '%.60s...'", path);
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++)
		if (tmp[i] == '/' || tmp[i] == '\0') {
			char ch = tmp[i];

			tmp[i] = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				return vitk_error_set(VITK_EIO, errno, "cannot create '%s'", tmp);
			tmp[i] = ch;
		}
	return 0;
}

/* snprintf into a path buffer; a path that does not fit is an error, never cut */
static int path_fmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int path_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return vitk_error_set(VITK_EINVAL, 0, "path too long: '%.60s...'", buf);
	return 0;
}

static bool unit_arg_ok(const char *s)
{
	/* no whitespace, quotes, % or newlines: keeps ExecStart a plain word list */
	for (; *s; s++)
		if (*s <= ' ' || *s == '"' || *s == '\'' || *s == '\\' || *s == '%' || *s == ';')
			return false;
	return true;
}

int vitk_sriov_persist(const vitk_sriov_persist_options *o, char **unit_path)
{
	const char *root = o && o->root && strcmp(o->root, "/") ? o->root : "";
	const char *unit = o && o->unit_name ? o->unit_name : "vitk-sriov.service";
	const char *bin = o && o->vitk_path ? o->vitk_path : "/usr/bin/vitk";
	char dir[PATH_MAX], path[PATH_MAX], wants[PATH_MAX], link[PATH_MAX], tmp[PATH_MAX];
	char exec[PATH_MAX * 2];
	FILE *f = NULL;
	int r = 0, n;

	if (unit_path)
		*unit_path = NULL;
	if (strchr(unit, '/') || strlen(unit) < 9 || strcmp(unit + strlen(unit) - 8, ".service") ||
	    !unit_arg_ok(unit))
		return vitk_error_set(VITK_EINVAL, 0, "invalid unit name '%.60s'", unit);
	if (strlen(root) > PATH_MAX - 128)
		return vitk_error_set(VITK_EINVAL, 0, "persist root too long");
	if (bin[0] != '/' || !unit_arg_ok(bin) || (o->db_path && !unit_arg_ok(o->db_path)) ||
	    (o->sysfs_root && !unit_arg_ok(o->sysfs_root)))
		return vitk_error_set(VITK_EINVAL, 0,
				      "paths in the unit must be absolute and free of spaces, quotes and '%%'");
	n = snprintf(exec, sizeof(exec), "%s%s%s sriov apply%s%s", bin,
		     o->db_path ? " --db " : "", o->db_path ? o->db_path : "",
		     o->sysfs_root ? " --sysfs-root " : "", o->sysfs_root ? o->sysfs_root : "");
	if (n < 0 || (size_t)n >= sizeof(exec))
		return vitk_error_set(VITK_EINVAL, 0, "ExecStart line too long");
	r = path_fmt(dir, sizeof(dir), "%s/etc/systemd/system", root);
	if (r == 0)
		r = path_fmt(wants, sizeof(wants), "%s/multi-user.target.wants", dir);
	if (r == 0)
		r = path_fmt(path, sizeof(path), "%s/%s", dir, unit);
	if (r == 0)
		r = path_fmt(tmp, sizeof(tmp), "%s/.%s.tmp", dir, unit);
	if (r == 0)
		r = path_fmt(link, sizeof(link), "%s/%s", wants, unit);
	if (r == 0)
		r = mkdirs(wants);
	if (r < 0)
		return r;
	f = fopen(tmp, "w");
	if (!f)
		return vitk_error_set(VITK_EIO, errno, "cannot write '%s'", tmp);
	/*
	 * Ordering: VFs, their drivers and MACs must exist before anything
	 * configures the network or starts guests: Before=network-pre.target
	 * (pulled in with Wants=, the systemd.special(7) pattern for
	 * "must run before network setup"), so also before network-online.target,
	 * and Before=libvirtd.service.  The PF drivers come from udev/modules-load.
	 */
	fprintf(f,
		"# Generated by vitk sriov persist; edit the desired state, not this file:\n"
		"#   vitk sriov apply --import FILE, then vitk sriov persist\n"
		"[Unit]\n"
		"Description=vitk SR-IOV desired state (VF counts, drivers, VF MAC/VLAN/trust)\n"
		"DefaultDependencies=no\n"
		"After=systemd-modules-load.service systemd-udev-trigger.service local-fs.target\n"
		"Wants=network-pre.target\n"
		"Before=network-pre.target network-online.target libvirtd.service "
		"virtqemud.service shutdown.target\n"
		"Conflicts=shutdown.target\n"
		"\n"
		"[Service]\n"
		"Type=oneshot\n"
		"RemainAfterExit=yes\n"
		"ExecStart=%s\n"
		"\n"
		"[Install]\n"
		"WantedBy=multi-user.target\n",
		exec);
	if (fclose(f) != 0) {
		r = vitk_error_set(VITK_EIO, errno, "cannot write '%s'", tmp);
		unlink(tmp);
		return r;
	}
	if (rename(tmp, path) < 0) {
		r = vitk_error_set(VITK_EIO, errno, "cannot rename '%s'", tmp);
		unlink(tmp);
		return r;
	}
	unlink(link);
	r = path_fmt(tmp, sizeof(tmp), "../%s", unit);
	if (r < 0)
		return r;
	if (symlink(tmp, link) < 0)
		return vitk_error_set(VITK_EIO, errno, "cannot enable '%s'", link);
	if (unit_path) {
		*unit_path = strdup(path);
		if (!*unit_path)
			return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	return 0;
}
