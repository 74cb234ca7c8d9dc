/* SPDX-License-Identifier: MIT */
/* The serve loop: listening socket, a thread per connection, clean stop. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/odx_target.h>

#include "iscsi_target.h"

int vitk_odx_target_parse_portal(const char *portal, char *host, size_t host_len, uint16_t *port)
{
	const char *colon, *hs = portal, *he;
	uint64_t p;

	if (!portal || !*portal)
		return vitk_error_set(VITK_EINVAL, 0, "portal: empty");
	if (portal[0] == '[') {
		he = strchr(portal, ']');
		if (!he || he[1] != ':')
			return vitk_error_set(VITK_EINVAL, 0, "portal '%s': expected [ADDR]:PORT",
					      portal);
		hs = portal + 1;
		colon = he + 1;
	} else {
		colon = strrchr(portal, ':');
		if (!colon)
			return vitk_error_set(VITK_EINVAL, 0, "portal '%s': expected HOST:PORT",
					      portal);
		he = colon;
	}
	if ((size_t)(he - hs) + 1 > host_len || he == hs)
		return vitk_error_set(VITK_EINVAL, 0, "portal '%s': bad host part", portal);
	if (vitk_parse_u64(colon + 1, &p) < 0 || p > 65535)
		return vitk_error_set(VITK_EINVAL, 0, "portal '%s': bad port '%s'", portal,
				      colon + 1);
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	*port = (uint16_t)p;
	return 0;
}

static bool iqn_valid(const char *iqn)
{
	size_t i, n = strlen(iqn);

	if (n == 0 || n > 223)
		return false;
	for (i = 0; i < n; i++) {
		char ch = iqn[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
		      ch == '-' || ch == ':'))
			return false;
	}
	return true;
}

/* mutual CHAP needs one-way CHAP and its own secret (RFC 7143 12.1.3) */
static int check_mutual(const vitk_odx_target_options *o)
{
	if (!o->chap_mutual_user && !o->chap_mutual_secret)
		return 0;
	if (!o->chap_mutual_user || !o->chap_mutual_secret || !*o->chap_mutual_user)
		return vitk_error_set(VITK_EINVAL, 0, "mutual chap: user and secret go together");
	if (!o->chap_user)
		return vitk_error_set(VITK_EINVAL, 0,
				      "mutual chap: needs one-way chap (the initiator's secret)");
	if (strlen(o->chap_mutual_secret) == 0 || strlen(o->chap_mutual_secret) > 255)
		return vitk_error_set(VITK_EINVAL, 0, "mutual chap: secret must be 1..255 bytes");
	if (strcmp(o->chap_mutual_secret, o->chap_secret) == 0)
		return vitk_error_set(VITK_EINVAL, 0,
				      "mutual chap: the target's secret must differ from the "
				      "initiator's (RFC 7143 12.1.3)");
	return 0;
}

/* an initiator name for an ACL: iqn./eui./naa. names as RFC 3722 allows them */
static bool initiator_name_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 223)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == ':'))
			return false;
	return true;
}

/* a NULL-free copy of @n strings; NULL (and *out NULL) when @n is 0 */
static int strv_dup(char ***out, const char *const *v, size_t n)
{
	size_t i;

	*out = NULL;
	if (n == 0 || !v)
		return 0;
	*out = calloc(n, sizeof(**out));
	if (!*out)
		return VITK_ENOMEM;
	for (i = 0; i < n; i++) {
		if (!v[i] || !initiator_name_valid(v[i]))
			return vitk_error_set(VITK_EINVAL, 0,
					      "allowed initiator '%s' is not a valid iSCSI name",
					      v[i] ? v[i] : "");
		(*out)[i] = strdup(v[i]);
		if (!(*out)[i])
			return VITK_ENOMEM;
	}
	return 0;
}

/* CHAP and the ACL of @opts, checked, as a new odx_access (one reference) */
static int access_new(const vitk_odx_target_options *opts, struct odx_access **out)
{
	struct odx_access *a;
	int r;

	*out = NULL;
	if ((opts->chap_user == NULL) != (opts->chap_secret == NULL))
		return vitk_error_set(VITK_EINVAL, 0, "chap: user and secret go together");
	if (opts->chap_secret && (strlen(opts->chap_secret) == 0 || strlen(opts->chap_secret) > 255))
		return vitk_error_set(VITK_EINVAL, 0, "chap: secret must be 1..255 bytes");
	r = check_mutual(opts);
	if (r < 0)
		return r;
	a = calloc(1, sizeof(*a));
	if (!a)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	a->refs = 1;
	a->chap_user = opts->chap_user ? strdup(opts->chap_user) : NULL;
	a->chap_secret = opts->chap_secret ? strdup(opts->chap_secret) : NULL;
	a->mutual_user = opts->chap_mutual_user ? strdup(opts->chap_mutual_user) : NULL;
	a->mutual_secret = opts->chap_mutual_secret ? strdup(opts->chap_mutual_secret) : NULL;
	if ((opts->chap_user && (!a->chap_user || !a->chap_secret)) ||
	    (opts->chap_mutual_user && (!a->mutual_user || !a->mutual_secret))) {
		vitk_odx_target__access_free(a);
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	r = strv_dup(&a->allow, opts->allow, opts->nallow);
	a->nallow = a->allow ? opts->nallow : 0;
	if (r == VITK_ENOMEM)
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	if (r < 0) {
		vitk_odx_target__access_free(a); /* the copied names, NULL after them */
		return r;
	}
	*out = a;
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool access_same(const struct odx_access *a, const struct odx_access *b)
{
	size_t i;

	if (!str_eq(a->chap_user, b->chap_user) || !str_eq(a->chap_secret, b->chap_secret) ||
	    !str_eq(a->mutual_user, b->mutual_user) ||
	    !str_eq(a->mutual_secret, b->mutual_secret) || a->nallow != b->nallow)
		return false;
	for (i = 0; i < a->nallow; i++)
		if (strcmp(a->allow[i], b->allow[i]) != 0)
			return false;
	return true;
}

int vitk_odx_target_set_access(vitk_odx_target *t, const vitk_odx_target_options *opts)
{
	struct odx_access *a = NULL, *old;
	bool same;
	int r;

	if (!t || !opts)
		return vitk_error_set(VITK_EINVAL, 0, "set access: missing argument");
	r = access_new(opts, &a);
	if (r < 0)
		return r;
	pthread_mutex_lock(&t->lock);
	old = t->acc;
	same = access_same(old, a);
	t->acc = a;
	pthread_mutex_unlock(&t->lock);
	vitk_odx_target__access_put(t, old);
	if (!same) /* what changed, never a secret */
		vitk_log(VITK_LOG_INFO, ODX_TARGET_LOG_DOMAIN,
			 "new logins: CHAP %s%s%s, mutual CHAP %s, %zu initiator%s allowed%s "
			 "(logged-in sessions keep running)",
			 a->chap_user ? "user '" : "off", a->chap_user ? a->chap_user : "",
			 a->chap_user ? "'" : "", a->mutual_user ? "on" : "off", a->nallow,
			 a->nallow == 1 ? "" : "s", a->nallow ? "" : " (all)");
	return 0;
}

/* @opts->portal (default 127.0.0.1:3260) and every more_portals entry */
static int add_portals(vitk_odx_target *t, const vitk_odx_target_options *opts)
{
	size_t i, j, n = 1 + (opts->more_portals ? opts->nmore_portals : 0);

	if (n > VITK_ODX_TARGET_MAX_PORTALS)
		return vitk_error_set(VITK_ERANGE, 0, "%zu portals: at most %d", n,
				      VITK_ODX_TARGET_MAX_PORTALS);
	for (i = 0; i < n; i++) {
		const char *spec = i == 0 ? (opts->portal ? opts->portal : "127.0.0.1:3260")
					  : opts->more_portals[i - 1];
		struct odx_portal *p = &t->portals[i];
		int r;

		p->fd = -1;
		if (!spec)
			return vitk_error_set(VITK_EINVAL, 0, "portal %zu: missing", i + 1);
		r = vitk_odx_target_parse_portal(spec, p->host, sizeof(p->host), &p->port);
		if (r < 0)
			return r;
		for (j = 0; j < i; j++)
			if (p->port != 0 && p->port == t->portals[j].port &&
			    strcmp(p->host, t->portals[j].host) == 0)
				return vitk_error_set(VITK_EINVAL, 0, "portal '%s' given twice",
						      spec);
		p->spec = strdup(spec);
		if (!p->spec)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		t->nportals = i + 1;
	}
	return 0;
}

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

int vitk_odx_target_new(vitk_odx_target **out, const vitk_odx_target_options *opts)
{
	vitk_odx_target *t = NULL;
	tgt_device_options dopts;
	int r;

	*out = NULL;
	if (!opts)
		return vitk_error_set(VITK_EINVAL, 0, "target options: missing");
	if (!opts->iqn || !iqn_valid(opts->iqn))
		return vitk_error_set(VITK_EINVAL, 0,
				      "target name '%s' is not a valid iSCSI name (lowercase "
				      "letters, digits, '.', '-', ':')",
				      opts->iqn ? opts->iqn : "");
	if (opts->max_recv_data_segment_length &&
	    (opts->max_recv_data_segment_length < 512 ||
	     opts->max_recv_data_segment_length > 16777215))
		return vitk_error_set(VITK_EINVAL, 0,
				      "MaxRecvDataSegmentLength %u out of range 512..16777215",
				      opts->max_recv_data_segment_length);
	t = calloc(1, sizeof(*t));
	if (!t)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	t->stop_pipe[0] = t->stop_pipe[1] = -1;
	pthread_mutex_init(&t->lock, NULL);
	{
		pthread_rwlockattr_t ra;

		pthread_rwlockattr_init(&ra);
		pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&t->exec_lock, &ra);
		pthread_rwlockattr_destroy(&ra);
	}
	pthread_mutex_init(&t->qlock, NULL);
	pthread_cond_init(&t->qcond, NULL);
	t->iqn = strdup(opts->iqn);
	t->login_timeout_s = or_default(opts->login_timeout_s, ODX_TARGET_LOGIN_TIMEOUT_S);
	t->conns_per_addr = or_default(opts->max_conns_per_address, ODX_TARGET_CONNS_PER_ADDR);
	t->idle_s = or_default(opts->idle_timeout_s, ODX_TARGET_IDLE_S);
	t->nop_s = or_default(opts->nop_timeout_s, ODX_TARGET_NOP_S);
	t->mrdsl = opts->max_recv_data_segment_length ? opts->max_recv_data_segment_length
						      : 262144;
	t->next_tsih = 1;
	if (!t->iqn) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	r = access_new(opts, &t->acc);
	if (r < 0)
		goto out;
	r = add_portals(t, opts);
	if (r < 0)
		goto out;
	if (pipe(t->stop_pipe) < 0) {
		r = vitk_error_set(VITK_EIO, errno, "cannot create the stop pipe");
		goto out;
	}
	fcntl(t->stop_pipe[1], F_SETFL, O_NONBLOCK);
	memset(&dopts, 0, sizeof(dopts));
	dopts.iqn = t->iqn;
	dopts.max_bytes_per_command = opts->max_bytes_per_command;
	dopts.tokens_per_nexus = opts->tokens_per_session;
	dopts.target_ports = (uint16_t)t->nportals;
	r = tgt_device_new(&t->dev, &dopts);
	if (r < 0)
		goto out;
	while (t->nworkers < ODX_TARGET_WORKERS &&
	       pthread_create(&t->workers[t->nworkers], NULL, vitk_odx_target__worker_main, t) == 0)
		t->nworkers++;
	if (t->nworkers == 0) {
		r = vitk_error_set(VITK_EIO, 0, "cannot start a worker thread");
		goto out;
	}
	*out = t;
	t = NULL;
out:
	vitk_odx_target_free(t);
	return r;
}

_Static_assert((int)VITK_ODX_TARGET_TOKENS_REVOKE == (int)TGT_TOKENS_REVOKE &&
		       (int)VITK_ODX_TARGET_TOKENS_SNAPSHOT == (int)TGT_TOKENS_SNAPSHOT,
	       "token modes");

static int add_lun(vitk_odx_target *t, const vitk_odx_target_lun *lun);

int vitk_odx_target_add_lun(vitk_odx_target *t, const vitk_odx_target_lun *lun)
{
	bool serving;
	int r;

	pthread_mutex_lock(&t->lock);
	serving = t->serving;
	pthread_mutex_unlock(&t->lock);
	if (!serving)
		return add_lun(t, lun);
	/* while serving: no command may look at the LUN tables meanwhile */
	pthread_rwlock_wrlock(&t->exec_lock);
	r = add_lun(t, lun);
	if (r == 0)
		tgt_device_luns_changed(t->dev); /* 3Fh/0Eh for the sessions */
	pthread_rwlock_unlock(&t->exec_lock);
	if (r == 0)
		vitk_log(VITK_LOG_INFO, ODX_TARGET_LOG_DOMAIN, "lun %u added (%s)", lun->lun,
			 lun->path);
	return r;
}

static int add_lun(vitk_odx_target *t, const vitk_odx_target_lun *lun)
{
	tgt_lun_config cfg;
	size_t i;
	int r;

	if (!lun || !lun->path)
		return vitk_error_set(VITK_EINVAL, 0, "lun: bad configuration");
	if (lun->lun >= 16384)
		return vitk_error_set(VITK_EINVAL, 0, "lun %u: number out of range 0..16383",
				      lun->lun);
	if (t->nluns == ODX_TARGET_MAX_LUNS)
		return vitk_error_set(VITK_ERANGE, 0, "lun %u: more than %u LUNs", lun->lun,
				      ODX_TARGET_MAX_LUNS);
	for (i = 0; i < t->nluns; i++)
		if (t->luns[i].lun == lun->lun)
			return vitk_error_set(VITK_EINVAL, 0, "lun %u: given twice", lun->lun);
	if (lun->block_size != 512 && lun->block_size != 4096)
		return vitk_error_set(VITK_EINVAL, 0, "lun %u: block size %u is not 512 or 4096",
				      lun->lun, lun->block_size);
	if (lun->size % lun->block_size != 0)
		return vitk_error_set(VITK_EINVAL, 0,
				      "lun %u: size %llu is not a multiple of the block size %u",
				      lun->lun, (unsigned long long)lun->size, lun->block_size);
	memset(&cfg, 0, sizeof(cfg));
	cfg.lun = lun->lun;
	cfg.path = lun->path;
	cfg.size = lun->size;
	cfg.block_size = lun->block_size;
	cfg.read_only = lun->read_only;
	cfg.tokens = (int)lun->tokens; /* the same numbers as TGT_TOKENS_* */
	cfg.phys_block_size = lun->phys_block_size;
	cfg.sanitize = lun->sanitize;
	cfg.sanitize_time_s = lun->sanitize_time_s;
	cfg.allow = lun->allow;
	cfg.nallow = lun->allow ? lun->nallow : 0;
	for (i = 0; i < cfg.nallow; i++)
		if (!lun->allow[i] || !initiator_name_valid(lun->allow[i]))
			return vitk_error_set(VITK_EINVAL, 0,
					      "lun %u: allowed initiator '%s' is not a valid iSCSI "
					      "name",
					      lun->lun, lun->allow[i] ? lun->allow[i] : "");
	r = tgt_device_add_lun(t->dev, &cfg);
	if (r < 0)
		return r;
	t->luns[t->nluns].lun = lun->lun;
	t->luns[t->nluns].block_size = lun->block_size;
	t->nluns++;
	return 0;
}

/* sessions (full feature phase, normal) whose initiator sees @lun; t->lock held */
static unsigned lun_sessions(const vitk_odx_target *t, unsigned lun)
{
	const struct odx_conn *o;
	unsigned n = 0;

	for (o = t->conns; o; o = o->next)
		if (o->session && !o->done && tgt_device_lun_visible(t->dev, lun, o->initiator))
			n++;
	return n;
}

/* a bit per connection (list order, at most ODX_TARGET_MAX_CONNS): does its
 * session see @lun?  t->lock held */
static void lun_seen_by(const vitk_odx_target *t, unsigned lun, uint8_t *bits)
{
	const struct odx_conn *o;
	size_t i = 0;

	memset(bits, 0, ODX_TARGET_MAX_CONNS / 8);
	for (o = t->conns; o && i < ODX_TARGET_MAX_CONNS; o = o->next, i++)
		if (o->session && !o->done && tgt_device_lun_visible(t->dev, lun, o->initiator))
			bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

static size_t lun_slot(const vitk_odx_target *t, unsigned lun)
{
	size_t i;

	for (i = 0; i < t->nluns && t->luns[i].lun != lun; i++)
		;
	return i;
}

/*
 * The LUN table changes only with every command and task-management function
 * out of the device (exec_lock held for writing) and with logins that would
 * reach full feature phase held off (t->lock): the sessions counted are all
 * there are until both are let go.
 */
static void table_lock(vitk_odx_target *t)
{
	pthread_rwlock_wrlock(&t->exec_lock);
	pthread_mutex_lock(&t->lock);
}

static void table_unlock(vitk_odx_target *t)
{
	pthread_mutex_unlock(&t->lock);
	pthread_rwlock_unlock(&t->exec_lock);
}

int vitk_odx_target_remove_lun(vitk_odx_target *t, unsigned lun, unsigned *sessions)
{
	unsigned n = 0;
	size_t i;
	int r;

	table_lock(t);
	i = lun_slot(t, lun);
	if (i == t->nluns) {
		r = vitk_error_set(VITK_ENOTFOUND, 0, "lun %u is not served", lun);
	} else if ((n = lun_sessions(t, lun)) > 0) {
		r = vitk_error_set(VITK_EBUSY, 0, "lun %u: %u session%s use%s it", lun, n,
				   n == 1 ? "" : "s", n == 1 ? "s" : "");
	} else {
		r = tgt_device_remove_lun(t->dev, lun);
		if (r == 0) {
			memmove(&t->luns[i], &t->luns[i + 1], (t->nluns - i - 1) * sizeof(t->luns[0]));
			t->nluns--;
			tgt_device_luns_changed(t->dev); /* 3Fh/0Eh */
		}
	}
	table_unlock(t);
	if (sessions)
		*sessions = n;
	if (r == 0)
		vitk_log(VITK_LOG_INFO, ODX_TARGET_LOG_DOMAIN, "lun %u removed", lun);
	return r;
}

/* @lun with sessions on it: only a larger size (or the same) */
static int change_used(vitk_odx_target *t, const vitk_odx_target_lun *lun, bool size_only,
		       uint64_t cur, unsigned n)
{
	const char *s = n == 1 ? "" : "s", *v = n == 1 ? "s" : "";

	if (!size_only)
		return vitk_error_set(VITK_EBUSY, 0, "lun %u: %u session%s use%s it", lun->lun, n,
				      s, v);
	if (lun->size && lun->size < cur)
		return vitk_error_set(VITK_EBUSY, 0,
				      "lun %u: shrinking from %llu to %llu bytes: %u session%s "
				      "use%s it",
				      lun->lun, (unsigned long long)cur,
				      (unsigned long long)lun->size, n, s, v);
	return lun->size ? tgt_device_lun_grow(t->dev, lun->lun, lun->size) : 0;
}

int vitk_odx_target_change_lun(vitk_odx_target *t, const vitk_odx_target_lun *lun,
			       bool size_only, unsigned *sessions)
{
	tgt_lun_config cfg;
	uint64_t cur;
	unsigned n = 0;
	size_t i;
	int r;

	if (!lun || !lun->path || (lun->block_size != 512 && lun->block_size != 4096))
		return vitk_error_set(VITK_EINVAL, 0, "lun: bad configuration");
	memset(&cfg, 0, sizeof(cfg));
	cfg.lun = lun->lun;
	cfg.path = lun->path;
	cfg.size = lun->size;
	cfg.block_size = lun->block_size;
	cfg.read_only = lun->read_only;
	cfg.tokens = (int)lun->tokens;
	cfg.phys_block_size = lun->phys_block_size;
	cfg.sanitize = lun->sanitize;
	cfg.allow = lun->allow;
	cfg.nallow = lun->allow ? lun->nallow : 0;
	for (i = 0; i < cfg.nallow; i++)
		if (!lun->allow[i] || !initiator_name_valid(lun->allow[i]))
			return vitk_error_set(VITK_EINVAL, 0,
					      "lun %u: allowed initiator '%s' is not a valid iSCSI "
					      "name",
					      lun->lun, lun->allow[i] ? lun->allow[i] : "");
	table_lock(t);
	i = lun_slot(t, lun->lun);
	cur = tgt_device_lun_size(t->dev, lun->lun);
	if (i == t->nluns) {
		r = vitk_error_set(VITK_ENOTFOUND, 0, "lun %u is not served", lun->lun);
	} else if ((n = lun_sessions(t, lun->lun)) > 0 ||
		   (size_only && (lun->size == 0 || lun->size >= cur))) {
		/* in use, or only grown: in place, the LUN's nexuses get 2Ah/09h */
		r = n > 0 ? change_used(t, lun, size_only, cur, n)
			  : (lun->size ? tgt_device_lun_grow(t->dev, lun->lun, lun->size) : 0);
	} else {
		uint8_t before[ODX_TARGET_MAX_CONNS / 8], after[ODX_TARGET_MAX_CONNS / 8];

		lun_seen_by(t, lun->lun, before);
		r = tgt_device_replace_lun(t->dev, &cfg);
		if (r == 0) {
			t->luns[i].block_size = lun->block_size;
			/* a new allow list shows it to (or hides it from) a session */
			lun_seen_by(t, lun->lun, after);
			if (memcmp(before, after, sizeof(before)) != 0)
				tgt_device_luns_changed(t->dev);
		}
	}
	table_unlock(t);
	if (sessions)
		*sessions = n;
	if (r == 0)
		vitk_log(VITK_LOG_INFO, ODX_TARGET_LOG_DOMAIN, "lun %u changed (%s, %llu bytes)",
			 lun->lun, lun->path,
			 (unsigned long long)tgt_device_lun_size(t->dev, lun->lun));
	return r;
}

static int listen_portal(const vitk_odx_target *t, struct odx_portal *pt)
{
	struct addrinfo hints, *res = NULL;
	char port[8];
	int fd = -1, one = 1, r, gai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", pt->port);
	gai = getaddrinfo(pt->host, port, &hints, &res);
	if (gai != 0) {
		r = vitk_error_set(VITK_EINVAL, 0, "portal '%s': cannot resolve host: %s", pt->spec,
				   gai_strerror(gai));
		goto out;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = vitk_error_set(VITK_EIO, errno, "portal '%s': socket failed", pt->spec);
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
		r = vitk_error_set(VITK_EIO, errno, "portal '%s': cannot bind", pt->spec);
		goto out;
	}
	if (listen(fd, 64) < 0) {
		r = vitk_error_set(VITK_EIO, errno, "portal '%s': cannot listen", pt->spec);
		goto out;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			pt->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			pt->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	pt->fd = fd;
	fd = -1;
	r = 0;
	vitk_log(VITK_LOG_INFO, ODX_TARGET_LOG_DOMAIN,
		 "listening on %s port %u as %s (%zu LUNs, target port %u)", pt->host, pt->port,
		 t->iqn, t->nluns, (unsigned)(pt - t->portals) + 1);
out:
	if (res)
		freeaddrinfo(res);
	if (fd >= 0)
		close(fd);
	return r;
}

int vitk_odx_target_listen(vitk_odx_target *t)
{
	size_t i;
	int r;

	for (i = 0; i < t->nportals; i++) {
		if (t->portals[i].fd >= 0)
			continue;
		r = listen_portal(t, &t->portals[i]);
		if (r < 0)
			return r;
	}
	t->listening = true;
	return 0;
}

uint16_t vitk_odx_target_portal_port(const vitk_odx_target *t, size_t idx)
{
	return t && idx < t->nportals && t->portals[idx].fd >= 0 ? t->portals[idx].port : 0;
}

uint16_t vitk_odx_target_port(const vitk_odx_target *t)
{
	return vitk_odx_target_portal_port(t, 0);
}

/* join finished connection threads (all of them when @all, after shutting them down) */
static void reap(vitk_odx_target *t, bool all)
{
	for (;;) {
		struct odx_conn **pp, *found = NULL;

		pthread_mutex_lock(&t->lock);
		for (pp = &t->conns; *pp; pp = &(*pp)->next) {
			if ((*pp)->done || all) {
				found = *pp;
				*pp = found->next;
				t->nconns--;
				break;
			}
		}
		pthread_mutex_unlock(&t->lock);
		if (!found)
			return;
		if (all)
			shutdown(found->fd, SHUT_RDWR);
		pthread_join(found->thread, NULL);
		close(found->fd);
		free(found);
	}
}

/* "ADDR:PORT" (or "[V6]:PORT") into @buf, the address alone into @addr */
static void peer_name(int fd, char *buf, size_t len, char *addr, size_t addr_len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host,
				  sizeof(host));
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host,
				  sizeof(host));
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		}
	}
	if (strchr(host, ':'))
		snprintf(buf, len, "[%s]:%u", host, port);
	else
		snprintf(buf, len, "%s:%u", host, port);
	snprintf(addr, addr_len, "%s", host);
}

/*
 * Room for one more connection (t->lock held): under the target's cap, and
 * under the cap per initiator address, so that one host cannot lock every
 * other one out.  The refusal is logged.
 */
static bool conn_admit(vitk_odx_target *t, const struct odx_conn *oc)
{
	const struct odx_conn *o;
	uint32_t same = 0;

	if (t->nconns >= ODX_TARGET_MAX_CONNS) {
		vitk_log(VITK_LOG_WARNING, ODX_TARGET_LOG_DOMAIN,
			 "refusing %s: %d connections already", oc->peer, ODX_TARGET_MAX_CONNS);
		return false;
	}
	for (o = t->conns; o; o = o->next)
		if (!o->done && strcmp(o->addr, oc->addr) == 0)
			same++;
	if (same >= t->conns_per_addr) {
		vitk_log(VITK_LOG_WARNING, ODX_TARGET_LOG_DOMAIN,
			 "refusing %s: %u connections from %s already", oc->peer, same, oc->addr);
		return false;
	}
	return true;
}

/* one INFO line per LUN with its counters, when serving ends */
static void log_summary(const vitk_odx_target *t)
{
	size_t i, n = vitk_odx_target_lun_count(t);

	for (i = 0; i < n; i++) {
		vitk_odx_target_stats s;
		uint64_t total = 0;
		unsigned op;

		if (vitk_odx_target_lun_stats(t, i, &s) < 0)
			continue;
		for (op = 0; op < 256; op++)
			total += s.cmds_by_opcode[op];
		vitk_log(VITK_LOG_INFO, ODX_TARGET_LOG_DOMAIN,
			 "lun %u: %llu commands, %llu bytes read, %llu bytes written, %llu bytes "
			 "copied, tokens %llu created %llu used %llu expired",
			 s.lun, (unsigned long long)total, (unsigned long long)s.bytes_read_wire,
			 (unsigned long long)s.bytes_written_wire,
			 (unsigned long long)s.bytes_copied_internal,
			 (unsigned long long)s.tokens_created, (unsigned long long)s.tokens_used,
			 (unsigned long long)s.tokens_expired);
	}
}

int vitk_odx_target_run(vitk_odx_target *t)
{
	int r = 0;

	if (!t->listening) {
		r = vitk_odx_target_listen(t);
		if (r < 0)
			return r;
	}
	pthread_mutex_lock(&t->lock);
	t->serving = true;
	pthread_mutex_unlock(&t->lock);
	for (;;) {
		struct pollfd pfd[1 + VITK_ODX_TARGET_MAX_PORTALS];
		struct odx_conn *oc;
		int fd, one = 1, pr;
		size_t i, np = t->nportals;
		unsigned portal = 0;

		pfd[0].fd = t->stop_pipe[0];
		pfd[0].events = POLLIN;
		for (i = 0; i < np; i++) {
			pfd[1 + i].fd = t->portals[i].fd;
			pfd[1 + i].events = POLLIN;
		}
		pr = poll(pfd, 1 + np, 1000);
		reap(t, false);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0) {
			r = vitk_error_set(VITK_EIO, errno, "poll failed");
			break;
		}
		if (pfd[0].revents)
			break;
		/* one connection per round; poll reports the other portals again */
		for (i = 0; i < np && !(pfd[1 + i].revents & POLLIN); i++)
			;
		if (i == np)
			continue;
		portal = (unsigned)i;
		fd = accept(t->portals[portal].fd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
				continue;
			vitk_log(VITK_LOG_ERROR, ODX_TARGET_LOG_DOMAIN, "accept failed: %s",
				 strerror(errno));
			if (errno == EMFILE || errno == ENFILE || errno == ENOMEM) {
				/* wait for a connection to end instead of spinning */
				poll(NULL, 0, 100);
			}
			continue;
		}
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		oc = calloc(1, sizeof(*oc));
		if (!oc) {
			close(fd);
			continue;
		}
		oc->t = t;
		oc->fd = fd;
		oc->portal = portal;
		peer_name(fd, oc->peer, sizeof(oc->peer), oc->addr, sizeof(oc->addr));
		pthread_mutex_lock(&t->lock);
		oc->id = ++t->next_conn_id;
		if (!conn_admit(t, oc)) {
			pthread_mutex_unlock(&t->lock);
			close(fd);
			free(oc);
			continue;
		}
		t->nconns++;
		pthread_mutex_unlock(&t->lock);
		if (pthread_create(&oc->thread, NULL, vitk_odx_target__conn_main, oc) != 0) {
			vitk_log(VITK_LOG_ERROR, ODX_TARGET_LOG_DOMAIN,
				 "cannot start a thread for %s", oc->peer);
			pthread_mutex_lock(&t->lock);
			t->nconns--;
			pthread_mutex_unlock(&t->lock);
			close(fd);
			free(oc);
			continue;
		}
		pthread_mutex_lock(&t->lock);
		oc->next = t->conns;
		t->conns = oc;
		pthread_mutex_unlock(&t->lock);
	}
	reap(t, true);
	pthread_mutex_lock(&t->lock);
	t->serving = false;
	pthread_mutex_unlock(&t->lock);
	vitk_log(VITK_LOG_INFO, ODX_TARGET_LOG_DOMAIN, "stopped");
	if (r == 0)
		log_summary(t);
	return r;
}

void vitk_odx_target_stop(vitk_odx_target *t)
{
	char b = 1;
	ssize_t n;

	if (!t || t->stop_pipe[1] < 0)
		return;
	n = write(t->stop_pipe[1], &b, 1);
	(void)n;
}

size_t vitk_odx_target_lun_count(const vitk_odx_target *t)
{
	return t ? t->nluns : 0;
}

int vitk_odx_target_lun_stats(const vitk_odx_target *t, size_t idx, vitk_odx_target_stats *out)
{
	unsigned luns[ODX_TARGET_MAX_LUNS];
	size_t n;
	tgt_lun_stats s;
	int r;

	n = tgt_device_luns(t->dev, luns, ODX_TARGET_MAX_LUNS);
	if (idx >= n)
		return vitk_error_set(VITK_ENOTFOUND, 0, "lun index %zu: no such LUN", idx);
	memset(&s, 0, sizeof(s));
	r = tgt_device_stats(t->dev, luns[idx], &s);
	if (r < 0)
		return r;
	memset(out, 0, sizeof(*out));
	out->lun = luns[idx];
	memcpy(out->cmds_by_opcode, s.cmds_by_opcode, sizeof(out->cmds_by_opcode));
	out->bytes_read_wire = s.bytes_read_wire;
	out->bytes_written_wire = s.bytes_written_wire;
	out->bytes_copied_internal = s.bytes_copied_internal;
	out->tokens_created = s.tokens_created;
	out->tokens_used = s.tokens_used;
	out->tokens_expired = s.tokens_expired;
	out->bytes_cloned = s.bytes_cloned;
	out->bytes_copied = s.bytes_copied;
	out->bytes_zeroed = s.bytes_zeroed;
	out->bytes_token_snapshot = s.bytes_token_snapshot;
	return 0;
}

void vitk_odx_target_free(vitk_odx_target *t)
{
	if (!t)
		return;
	reap(t, true);
	/* every connection has ended, and waited for its commands: no job is left */
	pthread_mutex_lock(&t->qlock);
	t->qstop = true;
	pthread_cond_broadcast(&t->qcond);
	pthread_mutex_unlock(&t->qlock);
	while (t->nworkers > 0)
		pthread_join(t->workers[--t->nworkers], NULL);
	for (size_t i = 0; i < t->nportals; i++) {
		if (t->portals[i].fd >= 0)
			close(t->portals[i].fd);
		free(t->portals[i].spec);
	}
	if (t->stop_pipe[0] >= 0)
		close(t->stop_pipe[0]);
	if (t->stop_pipe[1] >= 0)
		close(t->stop_pipe[1]);
	tgt_device_free(t->dev);
	pthread_mutex_destroy(&t->lock);
	pthread_rwlock_destroy(&t->exec_lock);
	pthread_mutex_destroy(&t->qlock);
	pthread_cond_destroy(&t->qcond);
	free(t->iqn);
	/* every connection has ended: the target's reference is the last */
	vitk_odx_target__access_free(t->acc);
	free(t);
}
