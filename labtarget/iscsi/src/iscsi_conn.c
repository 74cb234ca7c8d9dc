/* SPDX-License-Identifier: MIT */
/*
 * One iSCSI connection (= one session: MaxConnections=1): login, then the
 * full feature phase.  Runs on its own thread; SCSI commands go to the
 * target's shared tgt_device on the worker pool (SIMPLE) or on this thread
 * (ORDERED, HEAD OF QUEUE), see dispatch() and labtarget/iscsi/README.md.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <vitk/array.h>
#include <vitk/common.h>
#include <vitk/error.h>

#include "iscsi_pdu.h"
#include "iscsi_target.h"

#define LOGIN_MRDSL 8192u /* RFC 7143 default before negotiation */
#define OUR_MAX_BURST (1024u * 1024u)
#define OUR_FIRST_BURST (256u * 1024u)
#define CHAP_CHALLENGE_LEN 16
#define MAX_PENDING_WRITES 64u /* writes waiting for Data-Out, per connection */

enum auth_state { AUTH_NONE_YET = 0, AUTH_WAIT_CHAP_A, AUTH_WAIT_CHAP_R, AUTH_DONE };

struct task {
	struct task *next;
	uint32_t itt, ttt;
	uint64_t lun_raw;
	uint8_t cdb[260];
	size_t cdb_len;
	uint32_t edtl;
	uint8_t *buf;
	uint32_t received;
	bool in_unsol;        /* waiting for unsolicited Data-Out (TTT ffffffff) */
	uint32_t burst_end;   /* end offset of the current burst */
	uint32_t exp_datasn;  /* DataSN expected in the current sequence */
	uint32_t r2tsn;
	bool aborting;        /* ABORT TASK arrived: answer it when the burst ends */
	uint32_t abort_itt;
	uint8_t attr;         /* task attribute (RFC 7143 11.3.1.2): 0 untagged, 1 simple,
			       * 2 ordered, 3 head of queue, 4 ACA */
	uint64_t seq;         /* arrival order on the connection (PREEMPT AND ABORT) */
};

#define TASK_ATTR_ORDERED 2
#define TASK_ATTR_HEAD_OF_QUEUE 3

struct cx {
	struct odx_conn *oc;
	vitk_odx_target *t;
	struct odx_access *acc; /* CHAP and ACL in force when the connection came */
	int fd;
	/* session */
	bool ffp, discovery, closing;
	uint64_t deadline_ns;     /* reads fail after this (vitk_now_ns); 0: none */
	const char *deadline_why; /* what the deadline is for, for the message */
	uint32_t deadline_s;
	uint8_t isid[6];
	uint16_t tsih, cid;
	uint32_t statsn, exp_cmdsn;
	uint32_t peer_mrdsl, our_mrdsl, rx_limit;
	uint32_t max_burst, first_burst;
	bool immediate_data, initial_r2t, mrdsl_declared, tpgt_sent;
	bool hdr_digest, data_digest;         /* CRC32C, active in full feature phase */
	bool hdr_digest_neg, data_digest_neg; /* negotiated, not yet active */
	char initiator[256];
	/* login */
	int csg;
	enum auth_state auth;
	uint8_t chap_id;
	uint8_t chap_challenge[CHAP_CHALLENGE_LEN];
	VITK_ARRAY(uint8_t) login_acc; /* login text accumulated over Continue PDUs */
	/* io */
	uint8_t hdr[ISCSI_BHS_LEN];
	uint8_t ahs[ISCSI_AHS_MAX];
	VITK_ARRAY(uint8_t) data; /* data segment buffer: asize bytes, size unused */
	iscsi_bhs bhs;
	struct task *tasks;
	unsigned ntasks;
	uint32_t next_ttt;
	/* c->tx: socket writes and the sequence numbers in them (StatSN,
	 * ExpCmdSN), and the commands running on the pool; c->done signals
	 * the end of one of them */
	pthread_mutex_t tx;
	pthread_cond_t done;
	unsigned inflight;
	struct {
		uint32_t itt;
		uint64_t lun_raw;
		uint64_t seq;
		bool started; /* in execute(); else still queued for the pool */
		tgt_cmd *cmd; /* while in the device: ABORT TASK reaches it here */
		/* a SANITIZE: it may run for minutes, its operation belongs to
		 * the LUN, and task management does not wait for it */
		bool long_op;
	} running[ODX_TARGET_CONN_INFLIGHT + 1]; /* + a HEAD OF QUEUE/ORDERED one */
	/* ABORT TASK stopped task @tmf_stopped_itt in the device (c->tx) */
	bool tmf_stopped;
	uint32_t tmf_stopped_itt;
	/*
	 * PREEMPT AND ABORT from another session (c->tx): every command of
	 * LUN @lun_raw that arrived before @upto (task seq) is aborted -- TAS
	 * = 0, so it ends without a response, and a queued one never runs.
	 * abort_refs counts the sessions waiting for our running commands to
	 * leave the device; the connection is not freed before it is 0.
	 */
	uint64_t next_seq;
	struct {
		uint64_t lun_raw, upto;
	} aborts[ODX_TARGET_MAX_LUNS];
	size_t naborts;
	unsigned abort_refs;
};

/* a command on its way to the pool */
struct cmd_job {
	struct odx_job job; /* first: the pool hands this back */
	struct cx *c;
	struct task *tk;
	bool read_bit, write_bit;
};

#define LOGC(c, lvl, ...) conn_log((c), (lvl), __VA_ARGS__)

static void conn_log(struct cx *c, vitk_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void conn_log(struct cx *c, vitk_log_level lvl, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vitk_log(lvl, ODX_TARGET_LOG_DOMAIN, "conn %u %s: %s", c->oc->id, c->oc->peer, msg);
}

/* ---- socket io ---- */

/* wait until the socket is readable; VITK_ETIMEDOUT once c->deadline_ns passed */
static int wait_readable(struct cx *c)
{
	for (;;) {
		struct pollfd p = { c->fd, POLLIN, 0 };
		uint64_t now = vitk_now_ns();
		int r;

		if (!c->deadline_ns)
			return 0;
		if (now >= c->deadline_ns)
			return vitk_error_set(VITK_ETIMEDOUT, 0, "%s within %u s", c->deadline_why,
					      c->deadline_s);
		r = poll(&p, 1, (int)((c->deadline_ns - now + 999999) / 1000000));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return vitk_error_set(VITK_EIO, errno, "poll failed");
	}
}

static void set_deadline(struct cx *c, uint32_t seconds, const char *why)
{
	c->deadline_ns = vitk_now_ns() + (uint64_t)seconds * 1000000000ull;
	c->deadline_why = why;
	c->deadline_s = seconds;
}

/* @len bytes, each recv under the current deadline (a whole login, one PDU) */
static int read_full(struct cx *c, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n;
		int r = wait_readable(c);

		if (r < 0)
			return r;
		n = recv(c->fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vitk_error_set(VITK_EIO, errno, "recv failed");
		if (n == 0)
			return vitk_error_set(VITK_EIO, 0, "connection closed by peer");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* send header + data (+ padding) in one write */
static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

/* header (+digest), data, padding (+digest) in one sendmsg, without copying the data;
 * c->tx held */
static int send_raw(struct cx *c, const uint8_t *bhs, const uint8_t *data, uint32_t dlen)
{
	static const uint8_t zeros[4];
	uint8_t head[ISCSI_BHS_LEN + 4], tail[8];
	uint32_t pad = iscsi_pad4(dlen) - dlen;
	size_t tlen = pad;
	struct iovec iov[3];
	struct msghdr mh;
	int n = 0;

	memcpy(head, bhs, ISCSI_BHS_LEN);
	if (c->hdr_digest)
		put_le32(head + ISCSI_BHS_LEN,
			 vitk_odx_target__crc32c(0, bhs, ISCSI_BHS_LEN, true, true));
	iov[n].iov_base = head;
	iov[n++].iov_len = ISCSI_BHS_LEN + (c->hdr_digest ? 4 : 0);
	if (dlen) {
		iov[n].iov_base = (void *)data;
		iov[n++].iov_len = dlen;
		memcpy(tail, zeros, pad);
		if (c->data_digest) {
			uint32_t crc = vitk_odx_target__crc32c(0, data, dlen, true, pad == 0);

			if (pad)
				crc = vitk_odx_target__crc32c(crc, zeros, pad, false, true);
			put_le32(tail + pad, crc);
			tlen += 4;
		}
		if (tlen) {
			iov[n].iov_base = tail;
			iov[n++].iov_len = tlen;
		}
	}
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)n;
	for (;;) {
		ssize_t w = sendmsg(c->fd, &mh, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return vitk_error_set(VITK_EIO, errno, "send failed");
		/* skip what went out; stop when every iovec is empty */
		while (mh.msg_iovlen > 0 && (size_t)w >= mh.msg_iov[0].iov_len) {
			w -= (ssize_t)mh.msg_iov[0].iov_len;
			mh.msg_iov++;
			mh.msg_iovlen--;
		}
		if (mh.msg_iovlen == 0)
			return 0;
		mh.msg_iov[0].iov_base = (uint8_t *)mh.msg_iov[0].iov_base + w;
		mh.msg_iov[0].iov_len -= (size_t)w;
	}
}

/*
 * What a PDU's sequence numbers get at the moment it is sent, so that StatSN
 * follows the wire order even with commands completing on worker threads:
 * SN_STAT (StatSN, ExpCmdSN, MaxCmdSN; StatSN not advanced), SN_NEXT (the
 * same, StatSN advanced: a response), SN_WINDOW (ExpCmdSN and MaxCmdSN only:
 * a Data-In without status).
 */
enum sn_mode { SN_STAT, SN_NEXT, SN_WINDOW };

/* one PDU, its sequence numbers stamped under c->tx */
static int send_pdu(struct cx *c, uint8_t *bhs, const uint8_t *data, uint32_t dlen,
		    enum sn_mode m)
{
	int r;

	pthread_mutex_lock(&c->tx);
	if (m != SN_WINDOW)
		vitk_put_be32(bhs + 24, c->statsn);
	if (m == SN_NEXT)
		c->statsn++;
	vitk_put_be32(bhs + 28, c->exp_cmdsn);
	vitk_put_be32(bhs + 32, c->exp_cmdsn + ODX_TARGET_CMD_WINDOW - 1);
	r = send_raw(c, bhs, data, dlen);
	pthread_mutex_unlock(&c->tx);
	return r;
}

/* a target ping: NOP-In with a TTT the initiator must echo (RFC 7143 11.19) */
static int send_ping(struct cx *c)
{
	uint8_t h[ISCSI_BHS_LEN];

	vitk_odx_target__bhs_init(h, ISCSI_OP_NOP_IN, 0x80, 0, ISCSI_RSVD_TAG);
	if (c->next_ttt == ISCSI_RSVD_TAG)
		c->next_ttt++;
	vitk_put_be32(h + 20, c->next_ttt++);
	return send_pdu(c, h, NULL, 0, SN_STAT); /* ITT ffffffff: StatSN is not advanced */
}

/*
 * Full feature phase: wait for the next PDU.  A session idle for idle_s gets
 * a NOP-In ping and is dropped when nothing arrives within nop_s; then the
 * PDU itself must arrive within idle_s + nop_s.
 */
static int await_pdu(struct cx *c)
{
	int r;

	set_deadline(c, c->t->idle_s, "idle");
	r = wait_readable(c);
	if (r == VITK_ETIMEDOUT) {
		vitk_error_clear();
		r = send_ping(c);
		if (r < 0)
			return r;
		set_deadline(c, c->t->nop_s, "initiator did not answer the NOP-In ping");
		r = wait_readable(c);
	}
	if (r < 0)
		return r;
	set_deadline(c, c->t->idle_s + c->t->nop_s, "PDU not complete");
	return 0;
}

/*
 * Read one PDU into c->hdr / c->ahs / c->data.  Return 0, VITK_ENOTSUP for
 * an unknown opcode whose data was consumed (caller rejects), other
 * negatives: drop the connection.
 */
static int read_pdu(struct cx *c)
{
	uint32_t padded;
	int r;

	if (c->ffp && (r = await_pdu(c)) < 0)
		return r;
	r = read_full(c, c->hdr, ISCSI_BHS_LEN);
	if (r < 0)
		return r;
	r = vitk_odx_target__bhs_parse(&c->bhs, c->hdr, ISCSI_BHS_LEN, c->rx_limit);
	if (r < 0 && r != VITK_ENOTSUP)
		return r;
	if (c->bhs.data_len > c->rx_limit)
		return vitk_error_set(VITK_EINVAL, 0, "pdu: DataSegmentLength %u over %u",
				      c->bhs.data_len, c->rx_limit);
	if (c->bhs.ahs_len) {
		int r2 = read_full(c, c->ahs, c->bhs.ahs_len);

		if (r2 < 0)
			return r2;
	}
	if (c->hdr_digest) {
		uint8_t d[4];
		uint32_t crc;
		int r2 = read_full(c, d, 4);

		if (r2 < 0)
			return r2;
		crc = vitk_odx_target__crc32c(0, c->hdr, ISCSI_BHS_LEN, true, c->bhs.ahs_len == 0);
		if (c->bhs.ahs_len)
			crc = vitk_odx_target__crc32c(crc, c->ahs, c->bhs.ahs_len, false, true);
		if (crc != get_le32(d))
			return vitk_error_set(VITK_EINVAL, 0, "pdu: header digest mismatch");
	}
	padded = iscsi_pad4(c->bhs.data_len);
	if (vitk_array_grow(c->data, padded) < 0) /* data.size stays 0: a buffer */
		return VITK_ENOMEM;
	if (padded) {
		int r2 = read_full(c, c->data.ptr, padded);

		if (r2 < 0)
			return r2;
	}
	if (c->data_digest && padded) {
		uint8_t d[4];
		int r2 = read_full(c, d, 4);

		if (r2 < 0)
			return r2;
		/* ErrorRecoveryLevel 0: a digest error ends the connection */
		if (vitk_odx_target__crc32c(0, c->data.ptr, padded, true, true) != get_le32(d))
			return vitk_error_set(VITK_EINVAL, 0, "pdu: data digest mismatch");
	}
	return r;
}

static int send_reject(struct cx *c, uint8_t reason)
{
	uint8_t h[ISCSI_BHS_LEN];

	vitk_odx_target__bhs_init(h, ISCSI_OP_REJECT, 0x80, ISCSI_BHS_LEN, ISCSI_RSVD_TAG);
	h[2] = reason;
	return send_pdu(c, h, c->hdr, ISCSI_BHS_LEN, SN_STAT);
}

/* ---- login ---- */

static bool list_has(const char *list, const char *item)
{
	size_t il = strlen(item);
	const char *p = list;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == il && strncmp(p, item, il) == 0)
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

static bool parse_num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (vitk_parse_u64(s, &v) < 0 || v < min || v > max) {
		vitk_error_clear();
		return false;
	}
	*out = v;
	return true;
}

/* the first value of the initiator's list that we support */
static const char *pick_digest(const char *list)
{
	const char *p = list;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == 4 && !strncmp(p, "None", 4))
			return "None";
		if (l == 6 && !strncmp(p, "CRC32C", 6))
			return "CRC32C";
		if (!e)
			break;
		p = e + 1;
	}
	return "Reject";
}

static void fmt_u(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "%llu", (unsigned long long)v);
}

/* Negotiate one operational key; returns false for keys handled elsewhere. */
static void negotiate_key(struct cx *c, const char *k, const char *v, iscsi_textbuf *out)
{
	char num[32];
	uint64_t n;

	if (!strcmp(k, "InitiatorName") || !strcmp(k, "InitiatorAlias") ||
	    !strcmp(k, "TargetName") || !strcmp(k, "SessionType") || !strcmp(k, "AuthMethod") ||
	    !strncmp(k, "CHAP_", 5))
		return; /* declarative / security: handled by the caller */
	if (!strcmp(k, "HeaderDigest") || !strcmp(k, "DataDigest")) {
		const char *pick = pick_digest(v);

		if (!strcmp(k, "HeaderDigest"))
			c->hdr_digest_neg = !strcmp(pick, "CRC32C");
		else
			c->data_digest_neg = !strcmp(pick, "CRC32C");
		vitk_odx_target__textbuf_add(out, k, pick);
	} else if (!strcmp(k, "MaxConnections")) {
		vitk_odx_target__textbuf_add(out, k, parse_num(v, 1, 65535, &n) ? "1" : "Reject");
	} else if (!strcmp(k, "InitialR2T")) {
		/*
		 * We answer Yes (the result is the OR) and ImmediateData=No
		 * (the result is the AND): every write's data is solicited by
		 * an R2T, so the command PDU goes out alone and all data goes
		 * through the TTT/DataSN/offset checks.  That is the behaviour
		 * libiscsi's iSCSITMF and iSCSIdatasn tests expect.
		 */
		if (!strcmp(v, "Yes") || !strcmp(v, "No")) {
			c->initial_r2t = true;
			vitk_odx_target__textbuf_add(out, k, "Yes");
		} else {
			vitk_odx_target__textbuf_add(out, k, "Reject");
		}
	} else if (!strcmp(k, "ImmediateData")) {
		/* No: see InitialR2T.  Immediate data that arrives anyway is accepted. */
		if (!strcmp(v, "Yes") || !strcmp(v, "No")) {
			c->immediate_data = false;
			vitk_odx_target__textbuf_add(out, k, "No");
		} else {
			vitk_odx_target__textbuf_add(out, k, "Reject");
		}
	} else if (!strcmp(k, "MaxRecvDataSegmentLength")) {
		if (parse_num(v, 512, 16777215, &n))
			c->peer_mrdsl = (uint32_t)n;
		/* declarative: no answer to the key itself; ours is declared separately */
	} else if (!strcmp(k, "MaxBurstLength")) {
		if (parse_num(v, 512, 16777215, &n)) {
			c->max_burst = (uint32_t)(n < OUR_MAX_BURST ? n : OUR_MAX_BURST);
			fmt_u(num, sizeof(num), c->max_burst);
			vitk_odx_target__textbuf_add(out, k, num);
		} else {
			vitk_odx_target__textbuf_add(out, k, "Reject");
		}
	} else if (!strcmp(k, "FirstBurstLength")) {
		if (parse_num(v, 512, 16777215, &n)) {
			c->first_burst = (uint32_t)(n < OUR_FIRST_BURST ? n : OUR_FIRST_BURST);
			fmt_u(num, sizeof(num), c->first_burst);
			vitk_odx_target__textbuf_add(out, k, num);
		} else {
			vitk_odx_target__textbuf_add(out, k, "Reject");
		}
	} else if (!strcmp(k, "DefaultTime2Wait")) {
		vitk_odx_target__textbuf_add(out, k, parse_num(v, 0, 3600, &n) ? v : "Reject");
	} else if (!strcmp(k, "DefaultTime2Retain")) {
		vitk_odx_target__textbuf_add(out, k, parse_num(v, 0, 3600, &n) ? "0" : "Reject");
	} else if (!strcmp(k, "MaxOutstandingR2T")) {
		vitk_odx_target__textbuf_add(out, k, parse_num(v, 1, 65535, &n) ? "1" : "Reject");
	} else if (!strcmp(k, "DataPDUInOrder") || !strcmp(k, "DataSequenceInOrder")) {
		vitk_odx_target__textbuf_add(out, k, "Yes");
	} else if (!strcmp(k, "ErrorRecoveryLevel")) {
		vitk_odx_target__textbuf_add(out, k, parse_num(v, 0, 2, &n) ? "0" : "Reject");
	} else if (!strcmp(k, "IFMarker") || !strcmp(k, "OFMarker")) {
		vitk_odx_target__textbuf_add(out, k, "No");
	} else if (!strcmp(k, "IFMarkInt") || !strcmp(k, "OFMarkInt")) {
		vitk_odx_target__textbuf_add(out, k, "Irrelevant");
	} else if (!strcmp(k, "TaskReporting")) {
		vitk_odx_target__textbuf_add(out, k, "RFC3720");
	} else if (!strcmp(k, "iSCSIProtocolLevel")) {
		vitk_odx_target__textbuf_add(out, k, "1");
	} else {
		vitk_odx_target__textbuf_add(out, k, "NotUnderstood");
	}
}

static int send_login_rsp(struct cx *c, uint8_t flags, uint8_t sclass, uint8_t sdetail,
			  const iscsi_textbuf *tb, uint16_t tsih)
{
	uint8_t h[ISCSI_BHS_LEN];
	uint32_t dlen = tb ? (uint32_t)tb->buf.size : 0;

	vitk_odx_target__bhs_init(h, ISCSI_OP_LOGIN_RSP, flags, dlen, c->bhs.itt);
	h[2] = 0x00; /* version max */
	h[3] = 0x00; /* version active */
	memcpy(h + 8, c->isid, 6);
	vitk_put_be16(h + 14, tsih);
	h[36] = sclass;
	h[37] = sdetail;
	return send_pdu(c, h, tb ? tb->buf.ptr : NULL, dlen, SN_NEXT);
}

static int login_fail(struct cx *c, uint8_t sclass, uint8_t sdetail, const char *why)
{
	char msg[256];

	/* @why may be vitk_error_last()->message, which the error below overwrites */
	snprintf(msg, sizeof(msg), "%s", why);
	LOGC(c, VITK_LOG_WARNING, "login refused (%02x%02x): %s", sclass, sdetail, msg);
	(void)send_login_rsp(c, 0, sclass, sdetail, NULL, 0);
	return vitk_error_set(VITK_EPERM, 0, "login refused: %s", msg);
}

/* the target's initiator ACL (LIO-style): empty allows everyone */
static bool initiator_allowed(const struct cx *c)
{
	size_t i;

	if (c->acc->nallow == 0)
		return true;
	for (i = 0; i < c->acc->nallow; i++)
		if (strcmp(c->acc->allow[i], c->initiator) == 0)
			return true;
	return false;
}

static void hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < len; i++) {
		out[2 + 2 * i] = hx[in[i] >> 4];
		out[3 + 2 * i] = hx[in[i] & 15];
	}
	out[2 + 2 * len] = '\0';
}

/*
 * Mutual CHAP (RFC 7143 12.1.3): the initiator, once authenticated, sent its
 * own CHAP_I and CHAP_C; the target answers with its own name and secret.
 * Refused when the target has none, and when the challenge is ours
 * reflected back.  Return 0, or <0 after a refusal was sent.
 */
static int chap_mutual(struct cx *c, const iscsi_text *kv, iscsi_textbuf *out)
{
	const char *ci = vitk_odx_target__text_get(kv, "CHAP_I");
	const char *cc = vitk_odx_target__text_get(kv, "CHAP_C");
	char hex[2 + 2 * 16 + 1];
	uint8_t chal[1024], md[16];
	uint64_t id;
	int n;

	if (!ci || !cc)
		return login_fail(c, 2, 7, "mutual CHAP: CHAP_I and CHAP_C go together");
	if (!c->acc->mutual_user)
		return login_fail(c, 2, 1, "mutual CHAP asked for, no target secret configured");
	n = vitk_odx_target__chap_decode(cc, chal, sizeof(chal));
	if (!parse_num(ci, 0, 255, &id) || n < 1)
		return login_fail(c, 2, 0, "mutual CHAP: bad CHAP_I or CHAP_C");
	if ((size_t)n == sizeof(c->chap_challenge) &&
	    memcmp(chal, c->chap_challenge, sizeof(c->chap_challenge)) == 0)
		return login_fail(c, 2, 1, "mutual CHAP: our own challenge reflected");
	if (!vitk_odx_target__chap_response((uint8_t)id, c->acc->mutual_secret, chal, (size_t)n, md))
		return login_fail(c, 3, 0, "mutual CHAP: cannot compute the response");
	hex_encode(hex, md, sizeof(md));
	vitk_odx_target__textbuf_add(out, "CHAP_N", c->acc->mutual_user);
	vitk_odx_target__textbuf_add(out, "CHAP_R", hex);
	LOGC(c, VITK_LOG_INFO, "mutual CHAP: answered as '%s'", c->acc->mutual_user);
	return 0;
}

/* Security-stage keys.  Return 0 to go on, <0 after a refusal was sent. */
static int login_security(struct cx *c, const iscsi_text *kv, iscsi_textbuf *out)
{
	const char *am = vitk_odx_target__text_get(kv, "AuthMethod");
	bool chap = c->acc->chap_user != NULL;

	if (c->auth == AUTH_NONE_YET) {
		if (!am) {
			if (chap)
				return login_fail(c, 2, 1, "CHAP required, no AuthMethod offered");
			return 0; /* auth settles when the stage is left */
		}
		if (chap) {
			if (!list_has(am, "CHAP"))
				return login_fail(c, 2, 1, "CHAP required, initiator offered none");
			vitk_odx_target__textbuf_add(out, "AuthMethod", "CHAP");
			c->auth = AUTH_WAIT_CHAP_A;
		} else {
			if (!list_has(am, "None"))
				return login_fail(c, 2, 1, "only AuthMethod=None is configured");
			vitk_odx_target__textbuf_add(out, "AuthMethod", "None");
			c->auth = AUTH_DONE;
		}
		return 0;
	}
	if (c->auth == AUTH_WAIT_CHAP_A) {
		const char *a = vitk_odx_target__text_get(kv, "CHAP_A");
		char hex[2 + 2 * CHAP_CHALLENGE_LEN + 1];
		char id[8];

		if (!a)
			return 0;
		if (!list_has(a, "5")) {
			vitk_odx_target__textbuf_add(out, "CHAP_A", "Reject");
			return login_fail(c, 2, 1, "CHAP_A without MD5 (5)");
		}
		if (getrandom(c->chap_challenge, sizeof(c->chap_challenge), 0) !=
		    (ssize_t)sizeof(c->chap_challenge))
			return login_fail(c, 3, 0, "no random bytes for the CHAP challenge");
		if (getrandom(&c->chap_id, 1, 0) != 1)
			return login_fail(c, 3, 0, "no random bytes for the CHAP id");
		snprintf(id, sizeof(id), "%u", c->chap_id);
		hex_encode(hex, c->chap_challenge, sizeof(c->chap_challenge));
		vitk_odx_target__textbuf_add(out, "CHAP_A", "5");
		vitk_odx_target__textbuf_add(out, "CHAP_I", id);
		vitk_odx_target__textbuf_add(out, "CHAP_C", hex);
		c->auth = AUTH_WAIT_CHAP_R;
		return 0;
	}
	if (c->auth == AUTH_WAIT_CHAP_R) {
		const char *n = vitk_odx_target__text_get(kv, "CHAP_N");
		const char *rs = vitk_odx_target__text_get(kv, "CHAP_R");
		uint8_t resp[64];
		int rl;

		if (!n || !rs)
			return login_fail(c, 2, 7, "CHAP_N/CHAP_R missing");
		rl = vitk_odx_target__chap_decode(rs, resp, sizeof(resp));
		if (strcmp(n, c->acc->chap_user) != 0 || rl < 0 ||
		    !vitk_odx_target__chap_check(c->chap_id, c->acc->chap_secret, c->chap_challenge,
						 sizeof(c->chap_challenge), resp, (size_t)rl))
			return login_fail(c, 2, 1, "CHAP authentication failed");
		LOGC(c, VITK_LOG_INFO, "CHAP user '%s' authenticated", n);
		if (vitk_odx_target__text_get(kv, "CHAP_I") ||
		    vitk_odx_target__text_get(kv, "CHAP_C")) {
			int r = chap_mutual(c, kv, out);

			if (r < 0)
				return r;
		}
		c->auth = AUTH_DONE;
	}
	return 0;
}

static uint16_t alloc_tsih(vitk_odx_target *t)
{
	uint16_t v;

	pthread_mutex_lock(&t->lock);
	if (t->next_tsih == 0)
		t->next_tsih = 1;
	v = t->next_tsih++;
	pthread_mutex_unlock(&t->lock);
	return v;
}

/*
 * Session reinstatement (RFC 7143 6.3.5): a new normal session from the
 * same initiator port (InitiatorName + ISID) to the same target portal
 * group (here: the same portal) replaces the old one, whose connection is
 * shut down so its thread ends and its nexus is released.  A session from
 * the same initiator port through another portal is another I_T nexus.
 */
static void reinstate(struct cx *c)
{
	struct odx_conn *o;

	pthread_mutex_lock(&c->t->lock);
	for (o = c->t->conns; o; o = o->next) {
		if (o == c->oc || !o->session || o->done || o->portal != c->oc->portal)
			continue;
		if (memcmp(o->isid, c->isid, 6) == 0 && strcmp(o->initiator, c->initiator) == 0) {
			LOGC(c, VITK_LOG_INFO, "reinstating the session of conn %u", o->id);
			shutdown(o->fd, SHUT_RDWR);
			o->session = false;
		}
	}
	memcpy(c->oc->isid, c->isid, 6);
	snprintf(c->oc->initiator, sizeof(c->oc->initiator), "%s", c->initiator);
	c->oc->session = true;
	c->oc->cx = c;
	pthread_mutex_unlock(&c->t->lock);
}

static int handle_login(struct cx *c)
{
	iscsi_text kv = { 0 };
	iscsi_textbuf out = { 0 };
	const uint8_t *h = c->hdr;
	bool transit = (h[1] & 0x80) != 0, cont = (h[1] & 0x40) != 0;
	int csg = (h[1] >> 2) & 3, nsg = h[1] & 3;
	bool first = c->csg < 0;
	uint8_t rflags;
	uint16_t tsih = 0;
	size_t i;
	int r = 0;

	if (c->bhs.opcode != ISCSI_OP_LOGIN_REQ) {
		r = vitk_error_set(VITK_EINVAL, 0, "opcode 0x%02x during login", c->bhs.opcode);
		goto out;
	}
	if (first) {
		memcpy(c->isid, h + 8, 6);
		c->cid = vitk_get_be16(h + 20);
		c->exp_cmdsn = c->bhs.cmdsn;
		c->statsn = c->bhs.expstatsn;
		c->csg = csg;
		if (h[3] > 0) { /* version-min */
			r = login_fail(c, 2, 5, "unsupported iSCSI version");
			goto out;
		}
		if (vitk_get_be16(h + 14) != 0) {
			r = login_fail(c, 2, 10, "adding a connection to a session is not supported");
			goto out;
		}
	}
	if (csg == 2 || (transit && nsg == 2) || (transit && nsg <= csg) || csg < c->csg) {
		r = login_fail(c, 2, 0, "invalid stage transition");
		goto out;
	}
	c->csg = csg;
	/* accumulate continued text */
	if (c->login_acc.size + c->bhs.data_len > ISCSI_TEXT_MAX_LEN) {
		r = login_fail(c, 2, 0, "login text too long");
		goto out;
	}
	if (c->bhs.data_len) {
		if (vitk_array_grow(c->login_acc, c->bhs.data_len) < 0) {
			r = login_fail(c, 3, 2, "out of memory");
			goto out;
		}
		memcpy(c->login_acc.ptr + c->login_acc.size, c->data.ptr, c->bhs.data_len);
		c->login_acc.size += c->bhs.data_len;
	}
	if (cont) {
		r = send_login_rsp(c, (uint8_t)(csg << 2), 0, 0, NULL, 0);
		goto out;
	}
	r = vitk_odx_target__text_parse(&kv, c->login_acc.ptr, c->login_acc.size);
	c->login_acc.size = 0;
	if (r < 0) {
		r = login_fail(c, 2, 0, vitk_error_last()->message);
		goto out;
	}
	if (first) {
		const char *in = vitk_odx_target__text_get(&kv, "InitiatorName");
		const char *st = vitk_odx_target__text_get(&kv, "SessionType");
		const char *tn = vitk_odx_target__text_get(&kv, "TargetName");

		if (!in) {
			r = login_fail(c, 2, 7, "InitiatorName missing");
			goto out;
		}
		snprintf(c->initiator, sizeof(c->initiator), "%s", in);
		if (st && strcmp(st, "Discovery") == 0) {
			c->discovery = true;
		} else if (st && strcmp(st, "Normal") != 0) {
			r = login_fail(c, 2, 0, "unknown SessionType");
			goto out;
		} else if (!tn) {
			r = login_fail(c, 2, 7, "TargetName missing");
			goto out;
		} else if (strcmp(tn, c->t->iqn) != 0) {
			r = login_fail(c, 2, 3, "unknown TargetName");
			goto out;
		} else if (!initiator_allowed(c)) {
			/* 0202: initiator not authorized (RFC 7143 11.13.5) */
			r = login_fail(c, 2, 2, "initiator not authorized");
			goto out;
		}
	}
	if (csg == 0) {
		r = login_security(c, &kv, &out);
		if (r < 0)
			goto out;
	} else if (c->auth != AUTH_DONE) {
		if (c->acc->chap_user) {
			r = login_fail(c, 2, 1, "CHAP required, security stage skipped");
			goto out;
		}
		c->auth = AUTH_DONE;
	}
	for (i = 0; i < kv.count; i++)
		negotiate_key(c, kv.pairs[i].key, kv.pairs[i].value, &out);
	if (!c->discovery && !c->tpgt_sent) {
		char tag[16];

		/* each portal is its own target port: tag = relative port id */
		snprintf(tag, sizeof(tag), "%u", c->oc->portal + 1);
		vitk_odx_target__textbuf_add(&out, "TargetPortalGroupTag", tag);
		c->tpgt_sent = true;
	}
	if (csg == 1 && !c->mrdsl_declared) {
		char num[32];

		fmt_u(num, sizeof(num), c->our_mrdsl);
		vitk_odx_target__textbuf_add(&out, "MaxRecvDataSegmentLength", num);
		c->mrdsl_declared = true;
	}
	if (out.overflow) {
		r = login_fail(c, 3, 2, "login response too long");
		goto out;
	}
	/* may we transit? */
	if (transit && csg == 0 && c->auth != AUTH_DONE) {
		if (c->auth == AUTH_NONE_YET && !c->acc->chap_user)
			c->auth = AUTH_DONE;
		else
			transit = false;
	}
	rflags = (uint8_t)(csg << 2);
	if (transit) {
		rflags |= (uint8_t)(0x80 | nsg);
		if (nsg == 3)
			tsih = c->tsih = alloc_tsih(c->t);
	}
	r = send_login_rsp(c, rflags, 0, 0, &out, tsih);
	if (r < 0)
		goto out;
	if (transit)
		c->csg = nsg;
	if (transit && nsg == 3) {
		if (!c->discovery)
			reinstate(c);
		c->ffp = true;
		c->deadline_ns = 0; /* from now on per PDU, see await_pdu() */
		c->hdr_digest = c->hdr_digest_neg;
		c->data_digest = c->data_digest_neg;
		c->rx_limit = c->mrdsl_declared ? c->our_mrdsl : LOGIN_MRDSL;
		LOGC(c, VITK_LOG_INFO, "%s session tsih %u for '%s' (MRDSL %u/%u, burst %u/%u%s%s)",
		     c->discovery ? "discovery" : "normal", c->tsih, c->initiator, c->peer_mrdsl,
		     c->rx_limit, c->first_burst, c->max_burst,
		     c->hdr_digest ? ", header CRC32C" : "",
		     c->data_digest ? ", data CRC32C" : "");
	}
out:
	vitk_odx_target__text_dispose(&kv);
	vitk_odx_target__textbuf_dispose(&out);
	return r;
}

/* ---- full feature phase ---- */

/* CmdSN check for non-immediate requests: returns false to drop the PDU silently */
static bool cmdsn_accept(struct cx *c)
{
	uint32_t sn = c->bhs.cmdsn;
	uint32_t max = c->exp_cmdsn + ODX_TARGET_CMD_WINDOW - 1;

	if (c->bhs.immediate)
		return true;
	if (iscsi_sn_lt(sn, c->exp_cmdsn) || iscsi_sn_lt(max, sn)) {
		LOGC(c, VITK_LOG_WARNING, "CmdSN %u outside window [%u, %u]: ignored", sn,
		     c->exp_cmdsn, max);
		return false;
	}
	if (sn == c->exp_cmdsn) {
		pthread_mutex_lock(&c->tx); /* workers stamp it into their PDUs */
		c->exp_cmdsn++;
		pthread_mutex_unlock(&c->tx);
	}
	return true;
}

/* CHECK CONDITION with fixed sense data; @asc is ASC << 8 | ASCQ */
static void set_sense(tgt_cmd *cmd, uint8_t key, uint16_t asc)
{
	memset(cmd->sense, 0, VITK_SCSI_SENSE_FIXED_LEN);
	cmd->sense[0] = VITK_SCSI_SENSE_FIXED_CURRENT;
	cmd->sense[2] = key;
	cmd->sense[7] = VITK_SCSI_SENSE_FIXED_LEN - 8;
	cmd->sense[12] = (uint8_t)VITK_SCSI_ASC_OF(asc);
	cmd->sense[13] = (uint8_t)VITK_SCSI_ASCQ_OF(asc);
	cmd->sense_len = VITK_SCSI_SENSE_FIXED_LEN;
	cmd->status = VITK_SCSI_STATUS_CHECK_CONDITION;
}

static int send_scsi_rsp(struct cx *c, uint32_t itt, const tgt_cmd *cmd, uint8_t resflags,
			 uint32_t residual)
{
	uint8_t h[ISCSI_BHS_LEN];
	uint8_t sdata[2 + TGT_SENSE_MAX];
	uint32_t dlen = 0;

	if (cmd->status != 0 && cmd->sense_len > 0) {
		size_t sl = cmd->sense_len > TGT_SENSE_MAX ? TGT_SENSE_MAX : cmd->sense_len;

		vitk_put_be16(sdata, (uint16_t)sl);
		memcpy(sdata + 2, cmd->sense, sl);
		dlen = (uint32_t)(2 + sl);
	}
	vitk_odx_target__bhs_init(h, ISCSI_OP_SCSI_RSP, (uint8_t)(0x80 | resflags), dlen, itt);
	h[2] = 0; /* command completed at target */
	h[3] = cmd->status;
	vitk_put_be32(h + 44, residual);
	return send_pdu(c, h, sdata, dlen, SN_NEXT);
}

static int send_data_in(struct cx *c, uint32_t itt, uint64_t lun_raw, const uint8_t *data,
			uint32_t len, const tgt_cmd *cmd, uint8_t resflags, uint32_t residual,
			bool with_status)
{
	uint32_t off = 0, datasn = 0, burst = 0;
	uint32_t seg = c->peer_mrdsl ? c->peer_mrdsl : LOGIN_MRDSL;

	while (off < len) {
		uint8_t h[ISCSI_BHS_LEN];
		uint32_t n = len - off;
		bool last, end_of_burst;
		uint8_t flags = 0;
		int r;

		if (n > seg)
			n = seg;
		if (n > c->max_burst - burst)
			n = c->max_burst - burst;
		last = off + n == len;
		burst += n;
		end_of_burst = last || burst == c->max_burst;
		if (end_of_burst) {
			flags |= 0x80;
			burst = 0;
		}
		if (last && with_status)
			flags |= (uint8_t)(0x01 | resflags);
		vitk_odx_target__bhs_init(h, ISCSI_OP_DATA_IN, flags, n, itt);
		vitk_put_be64(h + 8, lun_raw);
		vitk_put_be32(h + 20, ISCSI_RSVD_TAG);
		if (last && with_status) {
			h[3] = cmd->status;
			vitk_put_be32(h + 44, residual);
		}
		vitk_put_be32(h + 36, datasn++);
		vitk_put_be32(h + 40, off);
		r = send_pdu(c, h, data + off, n, last && with_status ? SN_NEXT : SN_WINDOW);
		if (r < 0)
			return r;
		off += n;
	}
	return 0;
}

static void task_free(struct task *tk)
{
	if (!tk)
		return;
	free(tk->buf);
	free(tk);
}

static void task_unlink(struct cx *c, struct task *tk)
{
	struct task **pp;

	for (pp = &c->tasks; *pp; pp = &(*pp)->next) {
		if (*pp == tk) {
			*pp = tk->next;
			c->ntasks--;
			return;
		}
	}
}

/* ---- PREEMPT AND ABORT (SPC-4 5.13.11.2.5, SAM-5 5.6) ---- */

/* was a command of @lun_raw that arrived as @seq aborted by another session? (c->tx held) */
static bool aborted_locked(const struct cx *c, uint64_t lun_raw, uint64_t seq)
{
	size_t i;

	for (i = 0; i < c->naborts; i++)
		if (c->aborts[i].lun_raw == lun_raw && seq < c->aborts[i].upto)
			return true;
	return false;
}

static bool task_aborted(struct cx *c, const struct task *tk)
{
	bool a;

	pthread_mutex_lock(&c->tx);
	a = aborted_locked(c, tk->lun_raw, tk->seq);
	pthread_mutex_unlock(&c->tx);
	if (a)
		LOGC(c, VITK_LOG_INFO, "task 0x%08x aborted by PREEMPT AND ABORT: no status", tk->itt);
	return a;
}

/* is the session of @o one of the I_T nexuses @ports names? (t->lock held) */
static bool conn_preempted(const struct odx_conn *o, const tgt_port *ports, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ports[i].rel_port == o->portal + 1 && memcmp(ports[i].isid, o->isid, 6) == 0 &&
		    strcmp(ports[i].name, o->initiator) == 0)
			return true;
	return false;
}

/*
 * A PERSISTENT RESERVE OUT PREEMPT AND ABORT of session @c ended GOOD and
 * removed the registrations of @ports: every command of theirs on @lun is
 * aborted.  Queued ones (for the pool, behind an ORDERED one, or waiting
 * for Data-Out) never reach the device; running ones finish in the device,
 * a long copy at its next cancellation point (tgt_cmd.abort_req)
 * -- this waits for them, so that none writes after our status -- and none
 * of them gets a response (TAS = 0 in the Control mode page).  Each such
 * session then gets COMMANDS CLEARED BY ANOTHER INITIATOR after its
 * REGISTRATIONS PREEMPTED.  The PROUT's own session is never touched.
 */
static void abort_preempted(struct cx *c, unsigned lun, uint64_t lun_raw, const tgt_port *ports,
			    size_t n)
{
	struct cx *victims[ODX_TARGET_MAX_CONNS];
	size_t nv = 0, i, k;
	struct odx_conn *o;

	pthread_mutex_lock(&c->t->lock);
	for (o = c->t->conns; o && nv < ODX_TARGET_MAX_CONNS; o = o->next) {
		struct cx *v = o->cx;

		if (!v || v == c || !o->session || !conn_preempted(o, ports, n))
			continue;
		pthread_mutex_lock(&v->tx);
		for (k = 0; k < v->naborts; k++)
			if (v->aborts[k].lun_raw == lun_raw)
				break;
		if (k == v->naborts && k < ODX_TARGET_MAX_LUNS)
			v->naborts++;
		if (k < v->naborts) {
			v->aborts[k].lun_raw = lun_raw;
			v->aborts[k].upto = v->next_seq; /* everything received so far */
		}
		/* a running command with a cancellation point (a long copy)
		 * stops at it, as for ABORT TASK (0 -> 1: a 2 stays) */
		for (k = 0; k < v->inflight; k++) {
			int zero = 0;

			if (v->running[k].cmd && v->running[k].lun_raw == lun_raw &&
			    aborted_locked(v, lun_raw, v->running[k].seq))
				__atomic_compare_exchange_n(&v->running[k].cmd->abort_req, &zero, 1,
							    false, __ATOMIC_ACQ_REL,
							    __ATOMIC_ACQUIRE);
		}
		v->abort_refs++;
		pthread_mutex_unlock(&v->tx);
		victims[nv++] = v;
	}
	pthread_mutex_unlock(&c->t->lock);
	for (i = 0; i < nv; i++) {
		struct cx *v = victims[i];

		LOGC(c, VITK_LOG_INFO, "PREEMPT AND ABORT: aborting the commands of conn %u on LUN %u",
		     v->oc->id, lun);
		pthread_mutex_lock(&v->tx);
		for (;;) {
			bool busy = false;

			for (k = 0; k < v->inflight; k++)
				if (v->running[k].started && v->running[k].lun_raw == lun_raw &&
				    aborted_locked(v, lun_raw, v->running[k].seq))
					busy = true;
			if (!busy)
				break;
			pthread_cond_wait(&v->done, &v->tx);
		}
		pthread_mutex_unlock(&v->tx);
		if (tgt_device_commands_cleared(c->t->dev, lun, v->oc->id) < 0)
			vitk_error_clear();
		pthread_mutex_lock(&v->tx);
		v->abort_refs--;
		pthread_cond_broadcast(&v->done);
		pthread_mutex_unlock(&v->tx);
	}
}

/*
 * Task @tk's @cmd enters (@in) or leaves the device.  While it is inside,
 * ABORT TASK finds it in the running set (tmf_drain).  Returns true when it
 * left because ABORT TASK stopped it early: it then gets no response.
 */
static bool running_cmd(struct cx *c, const struct task *tk, tgt_cmd *cmd, bool in)
{
	bool stopped = false;
	unsigned i;

	pthread_mutex_lock(&c->tx);
	for (i = 0; i < c->inflight; i++)
		if (c->running[i].itt == tk->itt && c->running[i].lun_raw == tk->lun_raw &&
		    c->running[i].seq == tk->seq)
			c->running[i].cmd = in ? cmd : NULL;
	if (!in && __atomic_load_n(&cmd->abort_req, __ATOMIC_ACQUIRE) == 2) {
		/* ABORT TASK answers "function complete"; stopped by a PREEMPT
		 * AND ABORT, no TMF waits for it */
		if (!aborted_locked(c, tk->lun_raw, tk->seq)) {
			c->tmf_stopped = true;
			c->tmf_stopped_itt = tk->itt;
		}
		stopped = true;
	}
	pthread_mutex_unlock(&c->tx);
	if (stopped)
		LOGC(c, VITK_LOG_INFO, "task 0x%08x stopped in the device by ABORT TASK", tk->itt);
	return stopped;
}

/* Execute a command whose Data-Out (if any) is complete; sends the response. */
static int execute(struct cx *c, struct task *tk, bool read_bit, bool write_bit)
{
	tgt_cmd cmd;
	unsigned lun = 0;
	uint32_t bs = 512;
	bool lun_ok;
	uint64_t need_in = 0, need_out = 0, cap;
	uint8_t resflags = 0;
	uint32_t residual = 0, send_len = 0;
	uint8_t *din = NULL;
	int idx = tgt_cdb_lookup(tk->cdb, tk->cdb_len);
	const tgt_cdb_desc *desc = NULL;
	tgt_port preempted[TGT_PR_MAX_PORTS];
	int r;

	if (idx >= 0) {
		size_t n;

		desc = &tgt_cdb_table(&n)[idx];
	}
	memset(&cmd, 0, sizeof(cmd));
	cmd.cdb = tk->cdb;
	cmd.cdb_len = tk->cdb_len;
	lun_ok = vitk_odx_target__lun_decode(tk->lun_raw, &lun) == 0;
	if (!lun_ok)
		vitk_error_clear();
	if (lun_ok)
		bs = vitk_odx_target__lun_block_size(c->t, lun);
	lun_ok = lun_ok && bs != 0;
	if (!bs)
		bs = 512;
	/* no LU at this number (or an address we cannot decode): the device
	 * answers for it (INQUIRY qualifier 3, LOGICAL UNIT NOT SUPPORTED) */
	cmd.lun = lun_ok ? lun : UINT64_MAX;
	cmd.nexus = c->oc->id; /* one connection per session: the I_T nexus */
	cmd.rel_port = (uint16_t)(c->oc->portal + 1); /* the target port of the nexus */
	cmd.initiator = c->initiator; /* LUN masking */
	cmd.isid = c->isid;           /* with the name: the initiator port (reservations) */
	cmd.preempted = preempted;    /* PREEMPT AND ABORT: whose commands to abort */
	cmd.preempted_cap = TGT_PR_MAX_PORTS;

	/* Data-In buffer: the EDTL; the device reports overflow in din_full */
	cap = read_bit ? tk->edtl : 0;
	if (cap > ODX_TARGET_MAX_XFER)
		cap = ODX_TARGET_MAX_XFER;
	din = malloc(cap ? cap : 1);
	if (!din) {
		set_sense(&cmd, VITK_SCSI_KEY_ABORTED_COMMAND, VITK_SCSI_ASC_INSUFFICIENT_RESOURCES);
		goto respond;
	}
	cmd.din = din;
	cmd.din_cap = cap;

	if (desc && desc->dir == TGT_DIR_OUT)
		need_out = tgt_cdb_xfer_len(desc, tk->cdb, bs);
	if (write_bit && need_out == 0)
		need_out = tk->received; /* a command the length helper does not know */

	if (lun_ok && need_out > (write_bit ? tk->edtl : 0)) {
		/*
		 * SPDTL > EDTL: a plain write is truncated to the whole blocks
		 * the initiator sends (FCP-4 option a, what libiscsi 1.19's
		 * residual tests expect); any other command transfers nothing
		 * (option b: INVALID FIELD IN INFORMATION UNIT).
		 */
		uint32_t edtl_w = write_bit ? tk->received : 0;

		resflags = 0x04;
		residual = (uint32_t)(need_out - (write_bit ? tk->edtl : 0));
		if (desc && tgt_cdb_set_blocks(desc, tk->cdb, edtl_w / bs)) {
			cmd.dout = tk->buf;
			cmd.dout_len = (size_t)(edtl_w / bs) * bs;
			if ((desc->flags & TGT_CDB_ZERO_IS_256) && edtl_w / bs == 0)
				r = 0; /* WRITE(6) cannot say 0 blocks: nothing to do */
			else
				r = tgt_device_exec(c->t->dev, &cmd);
			if (r < 0)
				set_sense(&cmd, VITK_SCSI_KEY_HARDWARE_ERROR, VITK_SCSI_ASC_INTERNAL_TARGET_FAILURE);
		} else {
			set_sense(&cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_IU);
		}
		r = task_aborted(c, tk) ? 0 : send_scsi_rsp(c, tk->itt, &cmd, resflags, residual);
		goto out;
	} else {
		cmd.dout = tk->buf;
		cmd.dout_len = write_bit ? (need_out < tk->received ? need_out : tk->received) : 0;
		/* COMPARE AND WRITE checks that Data-Out is exactly twice its
		 * blocks (SBC-4 5.3): it sees all of it */
		if (write_bit && desc && (desc->flags & TGT_CDB_TWICE))
			cmd.dout_len = tk->received;
		if (task_aborted(c, tk)) { /* PREEMPT AND ABORT: it never runs */
			r = 0;
			goto out;
		}
		running_cmd(c, tk, &cmd, true);
		r = tgt_device_exec(c->t->dev, &cmd);
		if (running_cmd(c, tk, &cmd, false)) {
			r = 0; /* ABORT TASK ended it: no response (its TMF answers) */
			goto out;
		}
		if (r < 0) {
			LOGC(c, VITK_LOG_ERROR, "device failed opcode 0x%02x: %s", tk->cdb[0],
			     vitk_error_last()->message);
			set_sense(&cmd, VITK_SCSI_KEY_HARDWARE_ERROR, VITK_SCSI_ASC_INTERNAL_TARGET_FAILURE);
		}
		if (r == 0 && cmd.status == 0 && cmd.npreempted)
			abort_preempted(c, lun, tk->lun_raw, preempted,
					cmd.npreempted < TGT_PR_MAX_PORTS ? cmd.npreempted
									  : TGT_PR_MAX_PORTS);
	}
	/* aborted meanwhile by another session's PREEMPT AND ABORT: no
	 * response; a unit attention it took stays pending */
	if (task_aborted(c, tk)) {
		if (lun_ok && cmd.status == VITK_SCSI_STATUS_CHECK_CONDITION &&
		    cmd.sense_len >= 14 && (cmd.sense[2] & 0x0f) == VITK_SCSI_KEY_UNIT_ATTENTION &&
		    tgt_device_ua_restore(c->t->dev, lun, c->oc->id,
					  (uint16_t)(cmd.sense[12] << 8 | cmd.sense[13])) < 0)
			vitk_error_clear();
		r = 0;
		goto out;
	}
respond:
	if (cmd.status != 0)
		LOGC(c, VITK_LOG_DEBUG, "lun %u opcode 0x%02x: status 0x%02x sense %x/%02x/%02x", lun,
		     tk->cdb[0], cmd.status, cmd.sense_len > 2 ? cmd.sense[2] & 0x0f : 0,
		     cmd.sense_len > 12 ? cmd.sense[12] : 0, cmd.sense_len > 13 ? cmd.sense[13] : 0);
	if (cmd.din_len > cmd.din_cap)
		cmd.din_len = cmd.din_cap;
	if (write_bit) {
		if (need_out < tk->edtl) {
			resflags = 0x02;
			residual = tk->edtl - (uint32_t)need_out;
		}
	} else {
		uint32_t edtl = read_bit ? tk->edtl : 0;
		uint64_t full = cmd.din_full > cmd.din_len ? cmd.din_full : cmd.din_len;

		/* a READ that succeeded had CDB-length worth of data, whatever the EDTL */
		if (cmd.status == 0 && desc && desc->dir == TGT_DIR_IN &&
		    desc->unit == TGT_UNIT_BLOCKS) {
			need_in = tgt_cdb_xfer_len(desc, tk->cdb, bs);
			if (need_in > full)
				full = need_in;
		}
		send_len = (uint32_t)(cmd.din_len < edtl ? cmd.din_len : edtl);
		if (full > edtl) {
			resflags = 0x04;
			residual = (uint32_t)(full - edtl);
		} else if (cmd.din_len < tk->edtl) {
			resflags = 0x02;
			residual = tk->edtl - (uint32_t)cmd.din_len;
		}
	}
	if (send_len > 0) {
		bool with_status = cmd.status == 0;

		r = send_data_in(c, tk->itt, tk->lun_raw, din, send_len, &cmd, resflags, residual,
				 with_status);
		if (r < 0 || with_status)
			goto out;
	}
	r = send_scsi_rsp(c, tk->itt, &cmd, resflags, residual);
out:
	free(din);
	return r;
}

static int send_r2t(struct cx *c, struct task *tk)
{
	uint8_t h[ISCSI_BHS_LEN];
	uint32_t len = tk->edtl - tk->received;

	if (len > c->max_burst)
		len = c->max_burst;
	tk->ttt = c->next_ttt++;
	if (tk->ttt == ISCSI_RSVD_TAG)
		tk->ttt = c->next_ttt++;
	tk->burst_end = tk->received + len;
	tk->exp_datasn = 0;
	vitk_odx_target__bhs_init(h, ISCSI_OP_R2T, 0x80, 0, tk->itt);
	vitk_put_be64(h + 8, tk->lun_raw);
	vitk_put_be32(h + 20, tk->ttt);
	vitk_put_be32(h + 36, tk->r2tsn++);
	vitk_put_be32(h + 40, tk->received);
	vitk_put_be32(h + 44, len);
	return send_pdu(c, h, NULL, 0, SN_STAT);
}

/* a worker: execute, respond, leave the running set */
static void cmd_job_run(struct odx_job *job)
{
	struct cmd_job *j = (struct cmd_job *)(void *)job;
	struct cx *c = j->c;
	bool skip;
	unsigned i;

	/* a queued command aborted by PREEMPT AND ABORT never runs.  "started"
	 * only once the exec lock is held: a PREEMPT AND ABORT holds it while it
	 * waits for started commands, and a waiting writer (a LUN being added)
	 * would keep a not-yet-reader out -- a cycle */
	pthread_rwlock_rdlock(&c->t->exec_lock);
	pthread_mutex_lock(&c->tx);
	skip = aborted_locked(c, j->tk->lun_raw, j->tk->seq);
	for (i = 0; i < c->inflight; i++)
		if (c->running[i].itt == j->tk->itt && c->running[i].lun_raw == j->tk->lun_raw)
			c->running[i].started = !skip;
	pthread_mutex_unlock(&c->tx);
	if (skip)
		LOGC(c, VITK_LOG_INFO, "task 0x%08x aborted by PREEMPT AND ABORT before it ran",
		     j->tk->itt);
	else if (execute(c, j->tk, j->read_bit, j->write_bit) < 0) {
		LOGC(c, VITK_LOG_WARNING, "dropping connection: %s", vitk_error_last()->message);
		shutdown(c->fd, SHUT_RDWR); /* the connection's thread sees it and ends */
	}
	pthread_rwlock_unlock(&c->t->exec_lock);
	pthread_mutex_lock(&c->tx);
	for (i = 0; i < c->inflight; i++) {
		if (c->running[i].itt == j->tk->itt && c->running[i].lun_raw == j->tk->lun_raw) {
			c->running[i] = c->running[--c->inflight];
			break;
		}
	}
	pthread_cond_broadcast(&c->done);
	pthread_mutex_unlock(&c->tx);
	task_free(j->tk);
	free(j);
}

/* is a command matching (@itt, or every one of @lun_raw, or all but a
 * SANITIZE, or all: what 0-3) running? (c->tx held) */
static bool running_match(const struct cx *c, int what, uint32_t itt, uint64_t lun_raw)
{
	unsigned i;

	for (i = 0; i < c->inflight; i++)
		if (what == 3 ||
		    (!c->running[i].long_op &&
		     (what == 0 || (what == 1 && c->running[i].itt == itt) ||
		      (what == 2 && c->running[i].lun_raw == lun_raw))))
			return true;
	return false;
}

/* is task @itt a running SANITIZE? (c->tx held) */
static bool running_long_op(const struct cx *c, uint32_t itt)
{
	unsigned i;

	for (i = 0; i < c->inflight; i++)
		if (c->running[i].itt == itt && c->running[i].long_op)
			return true;
	return false;
}

/* wait until no running command matches (see running_match) */
static void wait_running(struct cx *c, int what, uint32_t itt, uint64_t lun_raw)
{
	pthread_mutex_lock(&c->tx);
	while (running_match(c, what, itt, lun_raw))
		pthread_cond_wait(&c->done, &c->tx);
	pthread_mutex_unlock(&c->tx);
}

/*
 * A command whose Data-Out (if any) is complete; takes @tk.  SIMPLE and
 * untagged commands go to the pool (at most ODX_TARGET_CONN_INFLIGHT per
 * connection: beyond, this thread waits, and stops reading); ORDERED waits
 * for every running command and then runs here, before anything later is
 * read; HEAD OF QUEUE runs here at once.  The device keeps the ordering
 * SBC needs between commands that overlap (its own locks).
 */
static int dispatch(struct cx *c, struct task *tk, bool read_bit, bool write_bit)
{
	struct cmd_job *j;
	unsigned i;
	int r;

	if (tk->attr == TASK_ATTR_ORDERED)
		wait_running(c, 0, 0, 0);
	if (task_aborted(c, tk)) { /* PREEMPT AND ABORT while it waited (Data-Out, ORDERED) */
		task_free(tk);
		return 0;
	}
	/* a SANITIZE goes to the pool whatever its attribute: with IMMED=0 it
	 * lasts as long as its operation, and this thread keeps reading */
	if (((tk->attr == TASK_ATTR_ORDERED || tk->attr == TASK_ATTR_HEAD_OF_QUEUE) &&
	     tk->cdb[0] != TGT_OP_SANITIZE) ||
	    !(j = calloc(1, sizeof(*j)))) {
		/* on this thread; in the running set (once the exec lock is
		 * held, see cmd_job_run) so that an abort waits for it */
		pthread_rwlock_rdlock(&c->t->exec_lock);
		pthread_mutex_lock(&c->tx);
		i = c->inflight++;
		c->running[i].itt = tk->itt;
		c->running[i].lun_raw = tk->lun_raw;
		c->running[i].seq = tk->seq;
		c->running[i].started = true;
		c->running[i].long_op = false; /* never a SANITIZE (see above) */
		pthread_mutex_unlock(&c->tx);
		r = execute(c, tk, read_bit, write_bit);
		pthread_rwlock_unlock(&c->t->exec_lock);
		pthread_mutex_lock(&c->tx);
		for (i = 0; i < c->inflight; i++) {
			if (c->running[i].itt == tk->itt && c->running[i].lun_raw == tk->lun_raw &&
			    c->running[i].seq == tk->seq) {
				c->running[i] = c->running[--c->inflight];
				break;
			}
		}
		pthread_cond_broadcast(&c->done);
		pthread_mutex_unlock(&c->tx);
		task_free(tk);
		return r;
	}
	pthread_mutex_lock(&c->tx);
	while (c->inflight >= ODX_TARGET_CONN_INFLIGHT)
		pthread_cond_wait(&c->done, &c->tx);
	c->running[c->inflight].itt = tk->itt;
	c->running[c->inflight].lun_raw = tk->lun_raw;
	c->running[c->inflight].seq = tk->seq;
	c->running[c->inflight].started = false;
	c->running[c->inflight].long_op = tk->cdb[0] == TGT_OP_SANITIZE;
	c->inflight++;
	pthread_mutex_unlock(&c->tx);
	j->job.run = cmd_job_run;
	j->c = c;
	j->tk = tk;
	j->read_bit = read_bit;
	j->write_bit = write_bit;
	vitk_odx_target__submit(c->t, &j->job);
	return 0;
}

/* after a burst ended: execute, or ask for more */
static int task_progress(struct cx *c, struct task *tk)
{
	if (tk->received >= tk->edtl) {
		task_unlink(c, tk);
		return dispatch(c, tk, false, true);
	}
	return send_r2t(c, tk);
}

static int handle_scsi_cmd(struct cx *c)
{
	const uint8_t *h = c->hdr;
	bool rbit = (h[1] & 0x40) != 0, wbit = (h[1] & 0x20) != 0, fbit = (h[1] & 0x80) != 0;
	struct task *tk = NULL;
	uint32_t imm;
	int r = 0;

	if (c->discovery) {
		LOGC(c, VITK_LOG_WARNING, "SCSI command in a discovery session: rejected");
		return send_reject(c, ISCSI_REJECT_PROTOCOL_ERROR);
	}
	if (!cmdsn_accept(c))
		return 0;
	tk = calloc(1, sizeof(*tk));
	if (!tk)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	tk->itt = c->bhs.itt;
	tk->lun_raw = c->bhs.lun_raw;
	tk->edtl = vitk_get_be32(h + 20);
	tk->attr = h[1] & 0x07;
	pthread_mutex_lock(&c->tx); /* a PREEMPT AND ABORT reads it */
	tk->seq = c->next_seq++;
	pthread_mutex_unlock(&c->tx);
	r = vitk_odx_target__ahs_parse(h, c->ahs, c->bhs.ahs_len, tk->cdb, sizeof(tk->cdb),
				       &tk->cdb_len);
	if (r < 0) {
		LOGC(c, VITK_LOG_WARNING, "%s", vitk_error_last()->message);
		task_free(tk);
		return send_reject(c, ISCSI_REJECT_INVALID_PDU_FIELD);
	}
	if (!wbit || tk->edtl == 0)
		return dispatch(c, tk, rbit, false);
	if (tk->edtl > ODX_TARGET_MAX_XFER) {
		tgt_cmd cmd;

		memset(&cmd, 0, sizeof(cmd));
		set_sense(&cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_CDB);
		LOGC(c, VITK_LOG_WARNING, "write of %u bytes exceeds the %u byte cap", tk->edtl,
		     ODX_TARGET_MAX_XFER);
		r = send_scsi_rsp(c, tk->itt, &cmd, 0, 0);
		task_free(tk);
		return r;
	}
	if (c->ntasks >= MAX_PENDING_WRITES) {
		tgt_cmd cmd;

		memset(&cmd, 0, sizeof(cmd));
		cmd.status = 0x28; /* TASK SET FULL */
		LOGC(c, VITK_LOG_WARNING, "%u writes already wait for data: TASK SET FULL",
		     MAX_PENDING_WRITES);
		r = send_scsi_rsp(c, tk->itt, &cmd, 0, 0);
		task_free(tk);
		return r;
	}
	tk->buf = malloc(tk->edtl);
	if (!tk->buf) {
		task_free(tk);
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	imm = c->bhs.data_len;
	if (imm > tk->edtl)
		imm = tk->edtl;
	if (imm > c->first_burst) {
		task_free(tk);
		return vitk_error_set(VITK_EINVAL, 0, "immediate data %u over FirstBurstLength %u",
				      imm, c->first_burst);
	}
	if (imm)
		memcpy(tk->buf, c->data.ptr, imm);
	tk->received = imm;
	tk->next = c->tasks;
	c->tasks = tk;
	c->ntasks++;
	if (!fbit) {
		tk->in_unsol = true;
		tk->burst_end = tk->edtl < c->first_burst ? tk->edtl : c->first_burst;
		tk->exp_datasn = 0;
		return 0;
	}
	return task_progress(c, tk);
}

static int handle_data_out(struct cx *c)
{
	const uint8_t *h = c->hdr;
	struct task *tk;
	uint32_t off = vitk_get_be32(h + 40), datasn = vitk_get_be32(h + 36);
	uint32_t len = c->bhs.data_len;

	for (tk = c->tasks; tk; tk = tk->next)
		if (tk->itt == c->bhs.itt)
			break;
	if (!tk) {
		LOGC(c, VITK_LOG_WARNING, "Data-Out for unknown task 0x%08x: ignored", c->bhs.itt);
		return 0;
	}
	if (tk->in_unsol ? c->bhs.ttt != ISCSI_RSVD_TAG : c->bhs.ttt != tk->ttt)
		return vitk_error_set(VITK_EINVAL, 0, "Data-Out with wrong TTT 0x%08x",
				      c->bhs.ttt);
	if (datasn != tk->exp_datasn)
		return vitk_error_set(VITK_EINVAL, 0, "Data-Out DataSN %u, expected %u", datasn,
				      tk->exp_datasn);
	if (off != tk->received || len > tk->burst_end - tk->received)
		return vitk_error_set(VITK_EINVAL, 0,
				      "Data-Out offset %u length %u outside the expected burst "
				      "[%u, %u)",
				      off, len, tk->received, tk->burst_end);
	if (len)
		memcpy(tk->buf + off, c->data.ptr, len);
	tk->received += len;
	tk->exp_datasn++;
	if (!c->bhs.final)
		return 0;
	tk->in_unsol = false;
	if (tk->aborting) {
		uint8_t th[ISCSI_BHS_LEN];

		task_unlink(c, tk);
		vitk_odx_target__bhs_init(th, ISCSI_OP_TMF_RSP, 0x80, 0, tk->abort_itt);
		th[2] = 0; /* function complete */
		LOGC(c, VITK_LOG_INFO, "task 0x%08x aborted", tk->itt);
		task_free(tk);
		return send_pdu(c, th, NULL, 0, SN_NEXT);
	}
	return task_progress(c, tk);
}

static int handle_nop_out(struct cx *c)
{
	uint8_t h[ISCSI_BHS_LEN];

	if (!cmdsn_accept(c))
		return 0;
	if (c->bhs.itt == ISCSI_RSVD_TAG)
		return 0; /* a ping reply or a bare CmdSN update */
	vitk_odx_target__bhs_init(h, ISCSI_OP_NOP_IN, 0x80, c->bhs.data_len, c->bhs.itt);
	vitk_put_be64(h + 8, c->bhs.lun_raw);
	vitk_put_be32(h + 20, ISCSI_RSVD_TAG);
	return send_pdu(c, h, c->data.ptr, c->bhs.data_len, SN_NEXT);
}

static void drop_tasks(struct cx *c, bool all, uint64_t lun_raw)
{
	struct task **pp = &c->tasks;

	while (*pp) {
		struct task *tk = *pp;

		if (all || tk->lun_raw == lun_raw) {
			*pp = tk->next;
			c->ntasks--;
			task_free(tk);
		} else {
			pp = &tk->next;
		}
	}
}

static int handle_tmf(struct cx *c)
{
	uint8_t h[ISCSI_BHS_LEN];
	uint8_t fn = c->hdr[1] & 0x7f, resp = 0;
	uint32_t rtt = c->bhs.ttt;
	unsigned lun;
	size_t i;
	int r;

	if (!cmdsn_accept(c))
		return 0;
	switch (fn) {
	case 1: { /* ABORT TASK */
		struct task *tk;

		for (tk = c->tasks; tk; tk = tk->next)
			if (tk->itt == rtt)
				break;
		pthread_mutex_lock(&c->tx);
		if (c->tmf_stopped && c->tmf_stopped_itt == rtt) {
			/* stopped in the device (tmf_drain): aborted, not completed */
			c->tmf_stopped = false;
			pthread_mutex_unlock(&c->tx);
			break;
		}
		pthread_mutex_unlock(&c->tx);
		if (tk) {
			/*
			 * The task is waiting for Data-Out we asked for: let the
			 * initiator finish answering the outstanding R2T (or its
			 * unsolicited burst), then drop the task and answer
			 * (RFC 7143 4.2.3.x: outstanding R2Ts are answered before
			 * the TMF response).  See handle_data_out().
			 */
			tk->aborting = true;
			tk->abort_itt = c->bhs.itt;
			LOGC(c, VITK_LOG_INFO, "ABORT TASK 0x%08x: waiting for its Data-Out", rtt);
			return 0;
		} else {
			/* a running SANITIZE completes with its operation (see
			 * tmf_drain): not aborted; else already completed */
			pthread_mutex_lock(&c->tx);
			resp = running_long_op(c, rtt) ? 255 : 1; /* 255: function rejected */
			pthread_mutex_unlock(&c->tx);
		}
		break;
	}
	case 2: /* ABORT TASK SET */
	case 4: /* CLEAR TASK SET */
	case 5: /* LOGICAL UNIT RESET */
		if (vitk_odx_target__lun_decode(c->bhs.lun_raw, &lun) < 0 ||
		    !vitk_odx_target__lun_block_size(c->t, lun) ||
		    !tgt_device_lun_visible(c->t->dev, lun, c->initiator)) {
			vitk_error_clear();
			resp = 2;
			break;
		}
		drop_tasks(c, false, c->bhs.lun_raw);
		if (fn == 5 && tgt_device_lun_reset(c->t->dev, lun) < 0) {
			vitk_error_clear();
			resp = 2;
		}
		break;
	case 6: /* TARGET WARM RESET */
	case 7: /* TARGET COLD RESET */
		drop_tasks(c, true, 0);
		for (i = 0; i < c->t->nluns; i++)
			(void)tgt_device_lun_reset(c->t->dev, c->t->luns[i].lun);
		vitk_error_clear();
		break;
	case 3: /* CLEAR ACA */
		resp = 5;
		break;
	case 8: /* TASK REASSIGN: ErrorRecoveryLevel 0 */
		resp = 4;
		break;
	default:
		resp = 255;
		break;
	}
	LOGC(c, VITK_LOG_INFO, "task management function %u: response %u", fn, resp);
	vitk_odx_target__bhs_init(h, ISCSI_OP_TMF_RSP, 0x80, 0, c->bhs.itt);
	h[2] = resp;
	r = send_pdu(c, h, NULL, 0, SN_NEXT);
	if (fn == 7 && resp == 0)
		c->closing = true; /* cold reset ends the connection */
	return r;
}

/*
 * TargetAddress of portal @idx: "HOST:PORT,TAG".  A wildcard portal
 * (0.0.0.0, ::) or the connection's own portal is named by the address the
 * initiator reached us on.
 */
static void portal_address(struct cx *c, unsigned idx, char *buf, size_t len)
{
	const struct odx_portal *pt = &c->t->portals[idx];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "127.0.0.1";
	bool wild = !strcmp(pt->host, "0.0.0.0") || !strcmp(pt->host, "::");

	if (idx != c->oc->portal && !wild) {
		snprintf(buf, len, strchr(pt->host, ':') ? "[%s]:%u,%u" : "%s:%u,%u", pt->host,
			 pt->port, idx + 1);
		return;
	}
	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host,
				  sizeof(host));
		} else if (ss.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host,
				  sizeof(host));
			snprintf(buf, len, "[%s]:%u,%u", host, pt->port, idx + 1);
			return;
		}
	}
	snprintf(buf, len, "%s:%u,%u", host, pt->port, idx + 1);
}

static int handle_text(struct cx *c)
{
	uint8_t h[ISCSI_BHS_LEN];
	iscsi_text kv = { 0 };
	iscsi_textbuf out = { 0 };
	size_t i;
	int r;

	if (!cmdsn_accept(c))
		return 0;
	if (c->hdr[1] & 0x40) {
		LOGC(c, VITK_LOG_WARNING, "continued Text requests are not supported");
		return send_reject(c, ISCSI_REJECT_CMD_NOT_SUPPORTED);
	}
	r = vitk_odx_target__text_parse(&kv, c->data.ptr, c->bhs.data_len);
	if (r < 0) {
		LOGC(c, VITK_LOG_WARNING, "%s", vitk_error_last()->message);
		return send_reject(c, ISCSI_REJECT_INVALID_PDU_FIELD);
	}
	for (i = 0; i < kv.count; i++) {
		const char *k = kv.pairs[i].key, *v = kv.pairs[i].value;

		if (!strcmp(k, "SendTargets")) {
			char addr[300];
			unsigned p;

			/* an initiator outside the ACL is not told about the target */
			if ((!strcmp(v, "All") || !strcmp(v, c->t->iqn) ||
			     (!*v && !c->discovery)) && initiator_allowed(c)) {
				vitk_odx_target__textbuf_add(&out, "TargetName", c->t->iqn);
				for (p = 0; p < c->t->nportals; p++) {
					portal_address(c, p, addr, sizeof(addr));
					vitk_odx_target__textbuf_add(&out, "TargetAddress", addr);
				}
			}
		} else {
			vitk_odx_target__textbuf_add(&out, k, "NotUnderstood");
		}
	}
	vitk_odx_target__bhs_init(h, ISCSI_OP_TEXT_RSP, 0x80, (uint32_t)out.buf.size, c->bhs.itt);
	vitk_put_be32(h + 20, ISCSI_RSVD_TAG);
	r = send_pdu(c, h, out.buf.ptr, (uint32_t)out.buf.size, SN_NEXT);
	vitk_odx_target__text_dispose(&kv);
	vitk_odx_target__textbuf_dispose(&out);
	return r;
}

static int handle_logout(struct cx *c)
{
	uint8_t h[ISCSI_BHS_LEN];
	uint8_t reason = c->hdr[1] & 0x7f, resp = 0;
	int r;

	if (!cmdsn_accept(c))
		return 0;
	if (reason == 2)
		resp = 2; /* connection recovery is not supported */
	else if (reason == 1 && vitk_get_be16(c->hdr + 20) != c->cid)
		resp = 1;
	vitk_odx_target__bhs_init(h, ISCSI_OP_LOGOUT_RSP, 0x80, 0, c->bhs.itt);
	h[2] = resp;
	r = send_pdu(c, h, NULL, 0, SN_NEXT);
	if (resp == 0) {
		LOGC(c, VITK_LOG_INFO, "logout (reason %u)", reason);
		c->closing = true;
	}
	return r;
}

/* the PDUs that may reach the device run under the target's exec lock */
static int locked(struct cx *c, int (*fn)(struct cx *))
{
	int r;

	pthread_rwlock_rdlock(&c->t->exec_lock);
	r = fn(c);
	pthread_rwlock_unlock(&c->t->exec_lock);
	return r;
}

/*
 * Before a task management function acts: the commands it affects that are
 * running on the pool finish (their responses go out before the TMF's, as
 * RFC 7143 11.5.1 asks); ABORT TASK then answers as for a task that had
 * already completed (see handle_tmf).  A running SANITIZE is not waited
 * for: its sanitize operation belongs to the LUN and outlives task
 * management (SBC-4 4.11), so the TMF is answered at once and the
 * SANITIZE's status follows when the operation ends.
 */
static void tmf_drain(struct cx *c)
{
	uint8_t fn = c->hdr[1] & 0x7f;

	if (fn == 1) {
		unsigned i;

		/* a command with a cancellation point (a long copy) stops at it */
		pthread_mutex_lock(&c->tx);
		c->tmf_stopped = false;
		for (i = 0; i < c->inflight; i++) {
			if (c->running[i].itt == c->bhs.ttt && c->running[i].cmd) {
				__atomic_store_n(&c->running[i].cmd->abort_req, 1, __ATOMIC_RELEASE);
				LOGC(c, VITK_LOG_INFO, "ABORT TASK 0x%08x: asked to stop in the device",
				     c->bhs.ttt);
			}
		}
		pthread_mutex_unlock(&c->tx);
		wait_running(c, 1, c->bhs.ttt, 0);
	}
	else if (fn == 2 || fn == 4 || fn == 5)
		wait_running(c, 2, 0, c->bhs.lun_raw);
	else if (fn == 6 || fn == 7)
		wait_running(c, 0, 0, 0);
}

static int handle_ffp(struct cx *c)
{
	switch (c->bhs.opcode) {
	case ISCSI_OP_SCSI_CMD:
		return handle_scsi_cmd(c);
	case ISCSI_OP_DATA_OUT:
		return handle_data_out(c);
	case ISCSI_OP_NOP_OUT:
		return handle_nop_out(c);
	case ISCSI_OP_TMF_REQ:
		tmf_drain(c);
		return locked(c, handle_tmf);
	case ISCSI_OP_TEXT_REQ:
		return handle_text(c);
	case ISCSI_OP_LOGOUT_REQ:
		return handle_logout(c);
	case ISCSI_OP_SNACK:
		return send_reject(c, ISCSI_REJECT_PROTOCOL_ERROR);
	case ISCSI_OP_LOGIN_REQ:
	default:
		LOGC(c, VITK_LOG_WARNING, "unexpected opcode 0x%02x: rejected", c->bhs.opcode);
		return send_reject(c, ISCSI_REJECT_PROTOCOL_ERROR);
	}
}

static void serve(struct cx *c)
{
	for (;;) {
		int r = read_pdu(c);

		if (r == VITK_ENOTSUP && c->ffp) {
			LOGC(c, VITK_LOG_WARNING, "%s: rejected", vitk_error_last()->message);
			r = send_reject(c, ISCSI_REJECT_CMD_NOT_SUPPORTED);
		} else if (r == 0) {
			r = c->ffp ? handle_ffp(c) : handle_login(c);
		}
		if (r < 0) {
			const vitk_error *e = vitk_error_last();

			if (e->code == VITK_EIO && e->os_errno == 0)
				LOGC(c, VITK_LOG_INFO, "%s", e->message);
			else
				LOGC(c, VITK_LOG_WARNING, "dropping connection: %s", e->message);
			return;
		}
		if (c->closing)
			return;
	}
}

void *vitk_odx_target__conn_main(void *arg)
{
	struct odx_conn *oc = arg;
	struct cx *c = calloc(1, sizeof(*c));

	if (c) {
		c->oc = oc;
		c->t = oc->t;
		c->acc = vitk_odx_target__access_get(oc->t);
		c->fd = oc->fd;
		c->csg = -1;
		c->peer_mrdsl = LOGIN_MRDSL;
		c->our_mrdsl = oc->t->mrdsl;
		c->rx_limit = LOGIN_MRDSL;
		c->max_burst = 262144;
		c->first_burst = 65536;
		c->immediate_data = true;
		c->initial_r2t = true;
		c->next_ttt = 1;
		pthread_mutex_init(&c->tx, NULL);
		pthread_cond_init(&c->done, NULL);
		/* the whole login, however slowly its bytes trickle in */
		set_deadline(c, oc->t->login_timeout_s, "login not finished");
		LOGC(c, VITK_LOG_INFO, "connected");
		serve(c);
		pthread_mutex_lock(&oc->t->lock);
		oc->cx = NULL; /* no new PREEMPT AND ABORT reaches us */
		pthread_mutex_unlock(&oc->t->lock);
		wait_running(c, 3, 0, 0); /* the pool's commands of this session end first */
		pthread_mutex_lock(&c->tx); /* and the aborts that wait for them let go */
		while (c->abort_refs)
			pthread_cond_wait(&c->done, &c->tx);
		pthread_mutex_unlock(&c->tx);
		drop_tasks(c, true, 0);
		if (c->ffp && !c->discovery) {
			/* ERL 0: the session ends here */
			pthread_rwlock_rdlock(&c->t->exec_lock);
			tgt_device_nexus_gone(c->t->dev, oc->id);
			pthread_rwlock_unlock(&c->t->exec_lock);
		}
		vitk_array_clear(c->login_acc);
		vitk_array_clear(c->data);
		LOGC(c, VITK_LOG_INFO, "closed");
		vitk_odx_target__access_put(c->t, c->acc);
		pthread_mutex_destroy(&c->tx);
		pthread_cond_destroy(&c->done);
		free(c);
	}
	shutdown(oc->fd, SHUT_RDWR);
	pthread_mutex_lock(&oc->t->lock);
	oc->done = true;
	pthread_mutex_unlock(&oc->t->lock);
	return NULL;
}
