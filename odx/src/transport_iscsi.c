/* SPDX-License-Identifier: MIT */
/*
 * The libiscsi transport: iscsi://[user[%pass]@]host[:port]/IQN/LUN, no
 * kernel initiator needed.
 *
 * Login and every command run through libiscsi's asynchronous calls and our
 * own poll() loop with a deadline (the timeout of the transport): a target
 * that stops answering fails the command with VITK_ETIMEDOUT ("target did
 * not answer within N s"), a target that closes the connection fails it
 * with VITK_EIO.  libiscsi's automatic reconnect is off: a command is never
 * sent twice behind the engine's back, and a dead session fails fast (the
 * engine's job stays resumable from the first block not written).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include <vitk/scsi.h>



#define DEFAULT_TIMEOUT_S 30u
#define LOGOUT_TIMEOUT_MS 250u /* a session closed with a failed copy: do not wait long */

struct pending {
	bool done;
	int status;
	struct scsi_task *task; /* the completed task (SCSI commands) */
	bool abandoned;         /* the caller gave up: the callback frees the task */
	bool is_command;        /* a SCSI command: the callback's data is its task */
};

struct iscsi_tr {
	vitk_scsi_transport t; /* first: the public part */
	struct iscsi_context *ctx;
	int lun;
	unsigned timeout_s;
	bool dead;              /* timed out or lost: no further commands, no logout */
	struct pending *pending; /* a command the caller gave up on */
	char target[256];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void on_done(struct iscsi_context *ctx, int status, void *data, void *priv)
{
	struct pending *p = priv;

	(void)ctx;
	if (p->abandoned) { /* the context is being destroyed after a timeout */
		if (p->is_command && data)
			scsi_free_scsi_task(data);
		return; /* p itself is freed by iscsi_close() */
	}
	p->done = true;
	p->status = status;
	p->task = data;
}

enum wait_res { WAIT_DONE, WAIT_TIMEOUT, WAIT_LOST };

/* serve @ctx until @p is done or @timeout_ms passes; sets no error */
static enum wait_res wait_done(struct iscsi_context *ctx, struct pending *p, uint64_t timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;

	while (!p->done) {
		struct pollfd pfd = { .fd = iscsi_get_fd(ctx), .events = (short)iscsi_which_events(ctx) };
		uint64_t now = now_ms();
		int n, wait;

		if (now >= deadline)
			return WAIT_TIMEOUT;
		wait = deadline - now > 1000 ? 1000 : (int)(deadline - now);
		if (pfd.fd < 0)
			return WAIT_LOST;
		n = poll(&pfd, 1, wait);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return WAIT_LOST;
		/* libiscsi also times PDUs out here (iscsi_set_timeout) */
		if (iscsi_service(ctx, n > 0 ? pfd.revents : 0) < 0 && !p->done)
			return WAIT_LOST;
		if (!p->done && n > 0 && (pfd.revents & (POLLHUP | POLLERR)))
			return WAIT_LOST;
	}
	return WAIT_DONE;
}

/* the error of a wait that did not end in WAIT_DONE */
static int wait_error(struct iscsi_context *ctx, enum wait_res w, unsigned secs, const char *what)
{
	if (w == WAIT_TIMEOUT)
		return vitk_error_set(VITK_ETIMEDOUT, 0, "target did not answer within %u s (%s)",
				      secs, what);
	return vitk_error_set(VITK_EIO, 0, "connection to the target lost (%s): %s", what,
			      iscsi_get_error(ctx));
}

/* a command or login that did not finish: the session is unusable from now on */
static int give_up(struct iscsi_tr *tr, struct pending *p, int r)
{
	tr->dead = true;
	p->abandoned = true;
	tr->pending = p; /* freed at close, after the context (which calls it back) */
	return r;
}

static int iscsi_submit(void *self, const uint8_t *cdb, size_t cdb_len, void *din, size_t din_len,
			size_t *din_got, const void *dout, size_t dout_len, uint8_t *sense,
			size_t *sense_len, uint8_t *status, unsigned timeout_ms)
{
	struct iscsi_tr *tr = self;
	struct scsi_task *task = NULL;
	struct iscsi_data data = { 0 };
	struct pending *p = NULL;
	uint8_t cdbcopy[16];
	int dir = SCSI_XFER_NONE, xfer = 0, r = 0;
	enum wait_res w;
	unsigned secs = tr->timeout_s;
	char what[64];
	size_t cap = *sense_len;

	*din_got = 0;
	*sense_len = 0;
	if (tr->dead)
		return vitk_error_set(VITK_EIO, 0, "iscsi: the session to %s is gone", tr->target);
	if (cdb_len > sizeof(cdbcopy) || din_len > (size_t)INT32_MAX || dout_len > (size_t)INT32_MAX)
		return vitk_error_set(VITK_EINVAL, 0, "iscsi: command too large");
	/* the transport's deadline; a caller may ask for a shorter one */
	if (timeout_ms && (timeout_ms + 999) / 1000 < secs)
		secs = (timeout_ms + 999) / 1000;
	memcpy(cdbcopy, cdb, cdb_len);
	if (din_len) {
		dir = SCSI_XFER_READ;
		xfer = (int)din_len;
	} else if (dout_len) {
		dir = SCSI_XFER_WRITE;
		xfer = (int)dout_len;
	}
	p = calloc(1, sizeof(*p));
	if (p)
		p->is_command = true;
	task = scsi_create_task((int)cdb_len, cdbcopy, dir, xfer);
	if (!task || !p) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "iscsi: cannot allocate a task");
		goto out;
	}
	if (din_len && scsi_task_add_data_in_buffer(task, (int)din_len, din) != 0) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "iscsi: cannot add a data-in buffer");
		goto out;
	}
	if (dout_len) {
		data.size = dout_len;
		data.data = (unsigned char *)(uintptr_t)dout;
	}
	iscsi_set_timeout(tr->ctx, (int)secs + 2); /* a safety net: our deadline comes first */
	if (iscsi_scsi_command_async(tr->ctx, tr->lun, task, on_done, dout_len ? &data : NULL, p) != 0) {
		r = vitk_error_set(VITK_EIO, 0, "iscsi: command 0x%02x failed: %s", cdb[0],
				   iscsi_get_error(tr->ctx));
		goto out;
	}
	snprintf(what, sizeof(what), "command 0x%02x", cdb[0]);
	w = wait_done(tr->ctx, p, (uint64_t)secs * 1000u);
	if (w != WAIT_DONE) {
		r = wait_error(tr->ctx, w, secs, what);
		task = NULL; /* still queued in libiscsi: its callback frees it */
		r = give_up(tr, p, r);
		p = NULL;
		goto out;
	}
	if (p->status == SCSI_STATUS_TIMEOUT) {
		tr->dead = true;
		r = wait_error(tr->ctx, WAIT_TIMEOUT, secs, what);
		goto out;
	}
	if (task->status == SCSI_STATUS_CANCELLED || task->status == SCSI_STATUS_ERROR ||
	    p->status == SCSI_STATUS_CANCELLED || p->status == SCSI_STATUS_ERROR) {
		tr->dead = true;
		/* the task ended without a SCSI status: the session failed under it */
		r = vitk_error_set(VITK_EIO, 0, "connection to the target lost (%s): %s", what,
				   iscsi_get_error(tr->ctx));
		goto out;
	}
	*status = (uint8_t)task->status;
	if (task->status == SCSI_STATUS_CHECK_CONDITION) {
		/* libiscsi keeps the raw sense (2-byte length prefix) in datain */
		if (task->datain.size >= 2 && task->datain.data) {
			size_t n = vitk_get_be16(task->datain.data);

			if (n > (size_t)task->datain.size - 2)
				n = (size_t)task->datain.size - 2;
			if (n > cap)
				n = cap;
			memcpy(sense, task->datain.data + 2, n);
			*sense_len = n;
		} else {
			*sense_len = vitk_scsi_sense_build_fixed(sense, cap, (uint8_t)task->sense.key,
								 (uint8_t)(task->sense.ascq >> 8),
								 (uint8_t)task->sense.ascq);
		}
	} else if (din_len) {
		size_t got = din_len;

		if (task->residual_status == SCSI_RESIDUAL_UNDERFLOW)
			got = task->residual <= din_len ? din_len - task->residual : 0;
		*din_got = got;
	}
out:
	if (task)
		scsi_free_scsi_task(task);
	free(p);
	return r;
}

static void iscsi_close(void *self)
{
	struct iscsi_tr *tr = self;

	if (!tr)
		return;
	if (tr->ctx) {
		if (!tr->dead && iscsi_is_logged_in(tr->ctx)) {
			struct pending *p = calloc(1, sizeof(*p));

			/* a logout that fails loses nothing: the target ends the session */
			if (p && iscsi_logout_async(tr->ctx, on_done, p) == 0 &&
			    wait_done(tr->ctx, p, LOGOUT_TIMEOUT_MS) != WAIT_DONE) {
				p->abandoned = true;
				free(tr->pending);
				tr->pending = p;
				p = NULL;
			}
			free(p);
		}
		iscsi_destroy_context(tr->ctx); /* calls back abandoned commands */
	}
	free(tr->pending);
	free(tr);
}

/* "InitiatorName=iqn...." from open-iscsi's file, comments and blanks skipped */
static bool read_initiatorname(const char *path, char *out, size_t len)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *v = line, *e;

		while (*v == ' ' || *v == '\t')
			v++;
		if (strncmp(v, "InitiatorName=", 14) != 0)
			continue;
		v += 14;
		e = v + strcspn(v, "\r\n#");
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = '\0';
		if (*v && strlen(v) < len && strlen(v) <= 223 && /* RFC 3720 3.2.6.1: 223 bytes */
		    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") ==
			    strlen(v)) {
			snprintf(out, len, "%s", v);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/*
 * No machine-id (some containers): the host name, from @etc_root/hostname
 * or, on the real system, gethostname(2), lower-cased to the characters an
 * iSCSI name allows (RFC 3722).  "localhost" is no name: an error.
 */
static int host_initiator(char *out, size_t len, const char *etc_root)
{
	const char *etc = etc_root ? etc_root : "/etc";
	char path[4096], host[256] = "";
	size_t i, n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/hostname", etc);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(host, sizeof(host), f))
			host[0] = '\0';
		fclose(f);
	}
	host[strcspn(host, " \t\r\n")] = '\0';
	if (!host[0] && !etc_root && gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	for (i = 0; host[i]; i++) {
		char c = host[i] >= 'A' && host[i] <= 'Z' ? (char)(host[i] - 'A' + 'a') : host[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')
			host[n++] = c;
	}
	host[n] = '\0';
	if (!n || strcmp(host, "localhost") == 0 || strncmp(host, "localhost.", 10) == 0)
		return vitk_error_set(VITK_ENOTFOUND, 0,
				      "no initiator name: neither %s/iscsi/initiatorname.iscsi, a "
				      "valid %s/machine-id nor a host name (give --initiator-name)",
				      etc, etc);
	if ((size_t)snprintf(out, len, "%s:host.%s", VITK_SCSI_ISCSI_INITIATOR_PREFIX, host) >= len)
		return vitk_error_set(VITK_ERANGE, 0, "initiator name buffer too small");
	return 0;
}

int vitk_scsi_iscsi_default_initiator(char *out, size_t len, const char *etc_root)
{
	const char *etc = etc_root ? etc_root : "/etc";
	char path[4096], mid[64] = "";
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/iscsi/initiatorname.iscsi", etc);
	if (read_initiatorname(path, out, len))
		return 0;
	/* machine-id(5): 32 lower-case hex digits, unique per host */
	snprintf(path, sizeof(path), "%s/machine-id", etc);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(mid, sizeof(mid), f))
			mid[0] = '\0';
		fclose(f);
	}
	mid[strcspn(mid, "\r\n")] = '\0';
	n = strlen(mid);
	if (n != 32 || strspn(mid, "0123456789abcdef") != n)
		return host_initiator(out, len, etc_root);
	if ((size_t)snprintf(out, len, "%s:%s", VITK_SCSI_ISCSI_INITIATOR_PREFIX, mid) >= len)
		return vitk_error_set(VITK_ERANGE, 0, "initiator name buffer too small");
	return 0;
}

/*
 * The user part of iscsi://user[%secret]@host/...: libiscsi drops a user
 * without a secret (unless LIBISCSI_CHAP_PASSWORD is set), so it is read here.
 */
static void url_user(char *out, size_t len, const char *url)
{
	const char *p = url + 8, *slash = strchr(p, '/'), *at = NULL, *c;
	size_t n;

	out[0] = '\0';
	for (c = p; *c && (!slash || c < slash); c++)
		if (*c == '@')
			at = c;
	if (!at)
		return;
	n = strcspn(p, "%@");
	if (n < len)
		snprintf(out, len, "%.*s", (int)n, p);
}

/* the secrets: the options', else the URL's (which libiscsi may take from its environment) */
static int set_chap(struct iscsi_tr *tr, const char *url, const struct iscsi_url *u,
		    const vitk_scsi_iscsi_options *o)
{
	const char *pw = o && o->chap_secret ? o->chap_secret : u->passwd;
	char user[256];
	const char *tuser = o && o->target_user ? o->target_user : u->target_user;
	const char *tpw = o && o->target_secret ? o->target_secret : u->target_passwd;

	url_user(user, sizeof(user), url);
	if (!user[0])
		snprintf(user, sizeof(user), "%s", u->user);
	if (user[0] && !pw[0])
		return vitk_error_set(VITK_EINVAL, 0,
				      "CHAP user '%s' has no secret: give --chap-secret-file or "
				      "LIBISCSI_CHAP_PASSWORD", user);
	if (user[0] && iscsi_set_initiator_username_pwd(tr->ctx, user, pw) != 0)
		return vitk_error_set(VITK_EINVAL, 0, "iscsi: cannot set CHAP: %s",
				      iscsi_get_error(tr->ctx));
	if (!tuser || !tuser[0])
		return 0;
	if (!user[0])
		return vitk_error_set(VITK_EINVAL, 0,
				      "mutual CHAP needs CHAP first: give the user in the URL "
				      "(iscsi://USER@host/...)");
	if (!tpw || !tpw[0])
		return vitk_error_set(VITK_EINVAL, 0, "mutual CHAP: no secret for target user '%s'",
				      tuser);
	if (iscsi_set_target_username_pwd(tr->ctx, tuser, tpw) != 0)
		return vitk_error_set(VITK_EINVAL, 0, "iscsi: cannot set mutual CHAP: %s",
				      iscsi_get_error(tr->ctx));
	return 0;
}

/*
 * TCP connect, then the login, with one deadline for both.  Not
 * iscsi_full_connect_async(): its state is leaked when the context is
 * destroyed during a login that never completes.  The unit attentions a new
 * session may report are retried by the engine (dev.c).
 */
static int login(struct iscsi_tr *tr, const struct iscsi_url *u)
{
	struct pending *p = calloc(1, sizeof(*p));
	uint64_t deadline = now_ms() + (uint64_t)tr->timeout_s * 1000u, now;
	char what[600];
	enum wait_res w;
	int r = 0;

	if (!p)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	snprintf(what, sizeof(what), "login to %.256s at %.256s", u->target, u->portal);
	iscsi_set_timeout(tr->ctx, (int)tr->timeout_s + 2); /* our deadline comes first */
	if (iscsi_connect_async(tr->ctx, u->portal, on_done, p) != 0) {
		free(p);
		return vitk_error_set(VITK_EIO, 0, "iscsi: cannot connect to %s: %s", u->portal,
				      iscsi_get_error(tr->ctx));
	}
	w = wait_done(tr->ctx, p, (uint64_t)tr->timeout_s * 1000u);
	if (w != WAIT_DONE)
		return give_up(tr, p, wait_error(tr->ctx, w, tr->timeout_s, what));
	if (p->status != SCSI_STATUS_GOOD) {
		free(p);
		tr->dead = true;
		return vitk_error_set(VITK_EIO, 0, "iscsi: cannot connect to %s: %s", u->portal,
				      iscsi_get_error(tr->ctx));
	}
	memset(p, 0, sizeof(*p));
	if (iscsi_login_async(tr->ctx, on_done, p) != 0) {
		free(p);
		tr->dead = true;
		return vitk_error_set(VITK_EIO, 0, "iscsi: cannot log in to '%s' at %s: %s",
				      u->target, u->portal, iscsi_get_error(tr->ctx));
	}
	now = now_ms();
	w = wait_done(tr->ctx, p, deadline > now ? deadline - now : 0);
	if (w != WAIT_DONE)
		return give_up(tr, p, wait_error(tr->ctx, w, tr->timeout_s, what));
	if (p->status != SCSI_STATUS_GOOD)
		r = vitk_error_set(VITK_EIO, 0, "iscsi: cannot log in to '%s' at %s: %s",
				   u->target, u->portal, iscsi_get_error(tr->ctx));
	free(p);
	if (r < 0)
		tr->dead = true;
	return r;
}

int vitk_scsi_transport_open_iscsi_with(vitk_scsi_transport **out, const char *url,
					const vitk_scsi_iscsi_options *o)
{
	struct iscsi_tr *tr = NULL;
	struct iscsi_url *u = NULL;
	char iqn[256];
	int r = 0;

	*out = NULL;
	if (o && o->initiator_iqn) {
		snprintf(iqn, sizeof(iqn), "%s", o->initiator_iqn);
	} else {
		r = vitk_scsi_iscsi_default_initiator(iqn, sizeof(iqn), o ? o->etc_root : NULL);
		if (r < 0)
			return r;
	}
	tr = calloc(1, sizeof(*tr));
	if (!tr)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	tr->timeout_s = o && o->timeout_s ? o->timeout_s : DEFAULT_TIMEOUT_S;
	tr->ctx = iscsi_create_context(iqn);
	if (!tr->ctx) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "iscsi: cannot create a context");
		goto out;
	}
	u = iscsi_parse_full_url(tr->ctx, url);
	if (!u) {
		char *shown = vitk_scsi_url_redact(url);

		r = vitk_error_set(VITK_EINVAL, 0, "'%s' is not an iscsi://host[:port]/IQN/LUN URL",
				   shown ? shown : "iscsi://...");
		free(shown);
		goto out;
	}
	snprintf(tr->target, sizeof(tr->target), "%s", u->target);
	iscsi_set_targetname(tr->ctx, u->target);
	iscsi_set_session_type(tr->ctx, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(tr->ctx, ISCSI_HEADER_DIGEST_NONE_CRC32C);
	iscsi_set_noautoreconnect(tr->ctx, 1);
	r = set_chap(tr, url, u, o);
	if (r < 0)
		goto out;
	r = login(tr, u);
	if (r < 0)
		goto out;
	tr->lun = u->lun;
	tr->t.submit = iscsi_submit;
	tr->t.close = iscsi_close;
	tr->t.self = tr;
	tr->t.kind = "iscsi";
	*out = &tr->t;
	tr = NULL;
out:
	if (u)
		iscsi_destroy_url(u);
	if (tr)
		iscsi_close(tr);
	return r;
}

int vitk_scsi_transport_open_iscsi(vitk_scsi_transport **out, const char *url,
				   const char *initiator_iqn)
{
	vitk_scsi_iscsi_options o = { .initiator_iqn = initiator_iqn };

	return vitk_scsi_transport_open_iscsi_with(out, url, &o);
}
