/* SPDX-License-Identifier: MIT */
/*
 * The target's defences at the byte level, on 127.0.0.1:13289 over the real
 * device model: the initiator ACL (0202), LUN masking as the session sees
 * it, mutual CHAP (RFC 7143 12.1.3), the deadline of a whole login against
 * a byte-a-time sender, the cap on connections per address, NOP-In pings of
 * idle sessions, and the login refusal's log line.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/odx_target.h>

#include "iscsi_pdu.h"

#define PORT 13289
#define IQN "iqn.2026-01.test.vitk:sec"
#define INIT "iqn.2026-01.test:init"

struct fixture {
	char dir[256], lun0[300], lun1[300];
	vitk_odx_target *t;
	pthread_t th;
	int fd;
	uint32_t cmdsn, itt;
	pthread_mutex_t log_lock;
	char log[8192];
};

struct pdu {
	uint8_t h[48];
	uint8_t data[8192];
	uint32_t len;
};

static struct fixture fx;

static void *runner(void *arg)
{
	vitk_odx_target_run(arg);
	return NULL;
}

static void grab_log(vitk_log_level lvl, const char *domain, const char *msg, void *payload)
{
	struct fixture *f = payload;
	size_t used;

	(void)lvl;
	(void)domain;
	pthread_mutex_lock(&f->log_lock);
	used = strlen(f->log);
	snprintf(f->log + used, sizeof(f->log) - used, "%s\n", msg);
	pthread_mutex_unlock(&f->log_lock);
}

static bool log_has(struct fixture *f, const char *s)
{
	bool r;

	pthread_mutex_lock(&f->log_lock);
	r = strstr(f->log, s) != NULL;
	pthread_mutex_unlock(&f->log_lock);
	return r;
}

/* a target with LUN 0 for everyone and LUN 1 only for "iqn.2026-01.test:other" */
static int start(void **state, const vitk_odx_target_options *extra)
{
	static const char *const other[] = { "iqn.2026-01.test:other" };
	vitk_odx_target_options o = *extra;
	vitk_odx_target_lun l = VITK_ODX_TARGET_LUN_INIT;
	struct fixture *f = &fx;
	char dir[200];

	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->log_lock, NULL);
	vitk_set_log_fn(grab_log, f);
	snprintf(dir, sizeof(dir), "%s/sectestXXXXXX",
		 getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	memcpy(f->dir, dir, sizeof(dir));
	snprintf(f->lun0, sizeof(f->lun0), "%s/lun0.img", dir);
	snprintf(f->lun1, sizeof(f->lun1), "%s/lun1.img", dir);
	o.iqn = IQN;
	o.portal = "127.0.0.1:13289";
	if (vitk_odx_target_new(&f->t, &o) < 0)
		return -1;
	l.path = f->lun0;
	l.size = 1024 * 1024;
	if (vitk_odx_target_add_lun(f->t, &l) < 0)
		return -1;
	l.lun = 1;
	l.path = f->lun1;
	l.allow = other;
	l.nallow = 1;
	if (vitk_odx_target_add_lun(f->t, &l) < 0)
		return -1;
	if (vitk_odx_target_listen(f->t) < 0)
		return -1;
	if (pthread_create(&f->th, NULL, runner, f->t) != 0)
		return -1;
	f->fd = -1;
	f->itt = 0x100;
	*state = f;
	return 0;
}

static int setup_acl(void **state)
{
	static const char *const allow[] = { INIT, "iqn.2026-01.test:other" };
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;

	o.allow = allow;
	o.nallow = 2;
	return start(state, &o);
}

static int setup_mutual(void **state)
{
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;

	o.chap_user = "alice";
	o.chap_secret = "correct-horse";
	o.chap_mutual_user = "the-target";
	o.chap_mutual_secret = "battery-staple";
	return start(state, &o);
}

static int setup_chap_only(void **state)
{
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;

	o.chap_user = "alice";
	o.chap_secret = "correct-horse";
	return start(state, &o);
}

static int setup_timeouts(void **state)
{
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;

	o.login_timeout_s = 2;
	o.max_conns_per_address = 3;
	o.idle_timeout_s = 1;
	o.nop_timeout_s = 1;
	return start(state, &o);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->fd >= 0)
		close(f->fd);
	vitk_odx_target_stop(f->t);
	pthread_join(f->th, NULL);
	vitk_odx_target_free(f->t);
	vitk_set_log_fn(NULL, NULL);
	pthread_mutex_destroy(&f->log_lock);
	unlink(f->lun0);
	unlink(f->lun1);
	rmdir(f->dir);
	return 0;
}

static int dial_from(const char *src)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	if (src) {
		inet_pton(AF_INET, src, &sa.sin_addr);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	}
	sa.sin_port = htons(PORT);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static int dial(void)
{
	return dial_from(NULL);
}

static void send_pdu(int fd, const uint8_t *h, const void *data, uint32_t len)
{
	uint8_t pad[4] = { 0 };
	uint8_t hh[48];

	memcpy(hh, h, 48);
	vitk_put_be24(hh + 5, len);
	assert_int_equal(send(fd, hh, 48, MSG_NOSIGNAL), 48);
	if (len)
		assert_int_equal(send(fd, data, len, MSG_NOSIGNAL), (ssize_t)len);
	if (iscsi_pad4(len) != len)
		assert_int_equal(send(fd, pad, iscsi_pad4(len) - len, MSG_NOSIGNAL),
				 (ssize_t)(iscsi_pad4(len) - len));
}

static int recv_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* the opcode, or -1 when the connection was closed */
static int recv_pdu(int fd, struct pdu *p)
{
	if (recv_full(fd, p->h, 48) < 0)
		return -1;
	p->len = vitk_get_be24(p->h + 5);
	assert_true(iscsi_pad4(p->len) <= sizeof(p->data));
	if (recv_full(fd, p->data, iscsi_pad4(p->len)) < 0)
		return -1;
	return p->h[0] & 0x3f;
}

static void login_hdr(uint8_t *h, int csg, int nsg, bool transit)
{
	memset(h, 0, 48);
	h[0] = 0x43;
	h[1] = (uint8_t)((transit ? 0x80 : 0) | (csg << 2) | nsg);
	h[8] = 0x80;
	h[13] = 9; /* ISID */
	vitk_put_be32(h + 16, 1);
	vitk_put_be32(h + 24, 1000); /* CmdSN */
}

static const char *kv(const iscsi_text *t, const char *k)
{
	const char *v = vitk_odx_target__text_get(t, k);

	if (!v)
		fail_msg("key %s missing from the response", k);
	return v;
}

/* operational-stage login as @initiator; the login response's status class/detail */
static unsigned login_as(struct fixture *f, const char *initiator)
{
	char keys[256];
	uint8_t h[48];
	struct pdu p;
	int n = snprintf(keys, sizeof(keys), "InitiatorName=%s%cSessionType=Normal%cTargetName=%s%c",
			 initiator, 0, 0, IQN, 0);

	f->fd = dial();
	login_hdr(h, 1, 3, true);
	send_pdu(f->fd, h, keys, (uint32_t)n);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	f->cmdsn = 1000;
	return (unsigned)p.h[36] << 8 | p.h[37];
}

static void scsi_cmd(struct fixture *f, unsigned lun, uint32_t edtl, const uint8_t *cdb,
		     size_t cdb_len)
{
	uint8_t h[48];

	memset(h, 0, 48);
	h[0] = ISCSI_OP_SCSI_CMD;
	h[1] = edtl ? 0xc0 : 0x80;
	vitk_put_be64(h + 8, vitk_odx_target__lun_encode(lun));
	vitk_put_be32(h + 16, ++f->itt);
	vitk_put_be32(h + 20, edtl);
	vitk_put_be32(h + 24, f->cmdsn++);
	memcpy(h + 32, cdb, cdb_len);
	send_pdu(f->fd, h, NULL, 0);
}

/* REPORT LUNS over the session: the number of LUNs listed, the first in *first */
static unsigned report_luns(struct fixture *f, unsigned *first)
{
	uint8_t cdb[12] = { 0xa0 };
	struct pdu p;

	vitk_put_be32(cdb + 6, 256);
	scsi_cmd(f, 0, 256, cdb, sizeof(cdb));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_DATA_IN);
	*first = p.data[9];
	return vitk_get_be32(p.data) / 8;
}

/* LOGICAL UNIT RESET of @lun: the TMF response code */
static unsigned lun_reset(struct fixture *f, unsigned lun)
{
	uint8_t h[48];
	struct pdu p;

	memset(h, 0, 48);
	h[0] = 0x40 | ISCSI_OP_TMF_REQ;
	h[1] = 0x80 | 5;
	vitk_put_be64(h + 8, vitk_odx_target__lun_encode(lun));
	vitk_put_be32(h + 16, ++f->itt);
	vitk_put_be32(h + 20, ISCSI_RSVD_TAG);
	vitk_put_be32(h + 24, f->cmdsn);
	send_pdu(f->fd, h, NULL, 0);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_TMF_RSP);
	return p.h[2];
}

static void test_odx_target_sec__acl_refuses_unlisted_initiators(void **state)
{
	struct fixture *f = *state;
	unsigned first;

	assert_int_equal(login_as(f, "iqn.2026-01.test:intruder"), 0x0202);
	assert_true(log_has(f, "login refused (0202): initiator not authorized"));
	close(f->fd);
	assert_int_equal(login_as(f, INIT), 0x0000);
	/* LUN 1 is masked for this initiator: not listed, and no LU to reset */
	assert_int_equal(report_luns(f, &first), 1);
	assert_int_equal(first, 0);
	assert_int_equal(lun_reset(f, 1), 2); /* LUN does not exist */
	assert_int_equal(lun_reset(f, 0), 0);
	close(f->fd);
	assert_int_equal(login_as(f, "iqn.2026-01.test:other"), 0x0000);
	assert_int_equal(report_luns(f, &first), 2);
	assert_int_equal(lun_reset(f, 1), 0);
}

static void test_odx_target_sec__acl_hides_the_target_from_discovery(void **state)
{
	struct fixture *f = *state;
	static const char k[] = "InitiatorName=iqn.2026-01.test:intruder\0SessionType=Discovery\0";
	uint8_t h[48];
	struct pdu p;

	f->fd = dial();
	login_hdr(h, 1, 3, true);
	send_pdu(f->fd, h, k, sizeof(k) - 1);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	assert_int_equal(p.h[36], 0);
	memset(h, 0, 48);
	h[0] = ISCSI_OP_TEXT_REQ;
	h[1] = 0x80;
	vitk_put_be32(h + 16, 77);
	vitk_put_be32(h + 20, ISCSI_RSVD_TAG);
	vitk_put_be32(h + 24, 1000);
	send_pdu(f->fd, h, "SendTargets=All", 16);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_TEXT_RSP);
	assert_int_equal(p.len, 0);
}

/* CHAP as alice, asking the target to authenticate itself with @chal (NULL: one-way) */
static struct pdu *chap_login(struct fixture *f, const uint8_t *my_chal, size_t my_len,
			      bool reflect)
{
	static struct pdu p;
	static const char k1[] = "InitiatorName=" INIT "\0SessionType=Normal\0"
				 "TargetName=" IQN "\0AuthMethod=CHAP\0";
	uint8_t h[48], chal[64], buf[1 + 64 + 64], md[16];
	char k3[512], hex[40], mine[2 + 128 + 1];
	iscsi_text t;
	size_t sl = strlen("correct-horse"), i;
	int n, k3len;
	unsigned id;

	f->fd = dial();
	login_hdr(h, 0, 1, true);
	send_pdu(f->fd, h, k1, sizeof(k1) - 1);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	send_pdu(f->fd, h, "CHAP_A=5", 9);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	assert_int_equal(vitk_odx_target__text_parse(&t, p.data, p.len), 0);
	id = (unsigned)atoi(kv(&t, "CHAP_I"));
	n = vitk_odx_target__chap_decode(kv(&t, "CHAP_C"), chal, sizeof(chal));
	assert_true(n >= 16);
	vitk_odx_target__text_dispose(&t);
	buf[0] = (uint8_t)id;
	memcpy(buf + 1, "correct-horse", sl);
	memcpy(buf + 1 + sl, chal, (size_t)n);
	vitk_odx_target__md5(buf, 1 + sl + (size_t)n, md);
	strcpy(hex, "0x");
	for (i = 0; i < 16; i++)
		sprintf(hex + 2 + 2 * i, "%02x", md[i]);
	if (reflect) {
		my_chal = chal;
		my_len = (size_t)n;
	}
	k3len = snprintf(k3, sizeof(k3), "CHAP_N=alice%cCHAP_R=%s%c", 0, hex, 0);
	if (my_chal) {
		strcpy(mine, "0x");
		for (i = 0; i < my_len; i++)
			sprintf(mine + 2 + 2 * i, "%02x", my_chal[i]);
		k3len += snprintf(k3 + k3len, sizeof(k3) - (size_t)k3len, "CHAP_I=42%cCHAP_C=%s%c",
				  0, mine, 0);
	}
	send_pdu(f->fd, h, k3, (uint32_t)k3len);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	return &p;
}

static void test_odx_target_sec__mutual_chap(void **state)
{
	struct fixture *f = *state;
	static const uint8_t mine[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	uint8_t buf[1 + 64 + 16], want[16], got[16];
	struct pdu *p = chap_login(f, mine, sizeof(mine), false);
	size_t sl = strlen("battery-staple");
	iscsi_text t;

	assert_int_equal(p->h[36], 0);
	assert_int_equal(p->h[1] & 0x80, 0x80); /* transit: both sides authenticated */
	assert_int_equal(vitk_odx_target__text_parse(&t, p->data, p->len), 0);
	assert_string_equal(kv(&t, "CHAP_N"), "the-target");
	buf[0] = 42;
	memcpy(buf + 1, "battery-staple", sl);
	memcpy(buf + 1 + sl, mine, sizeof(mine));
	vitk_odx_target__md5(buf, 1 + sl + sizeof(mine), want);
	assert_int_equal(vitk_odx_target__chap_decode(kv(&t, "CHAP_R"), got, sizeof(got)), 16);
	assert_memory_equal(got, want, 16);
	vitk_odx_target__text_dispose(&t);
}

static void test_odx_target_sec__mutual_chap_reflection_refused(void **state)
{
	struct fixture *f = *state;
	struct pdu *p = chap_login(f, NULL, 0, true);

	assert_int_equal(p->h[36], 2);
	assert_int_equal(p->h[37], 1);
	assert_true(log_has(f, "our own challenge reflected"));
}

static void test_odx_target_sec__mutual_chap_without_target_secret(void **state)
{
	struct fixture *f = *state;
	static const uint8_t mine[16] = { 9 };
	struct pdu *p = chap_login(f, mine, sizeof(mine), false);

	assert_int_equal(p->h[36], 2);
	assert_int_equal(p->h[37], 1);
	assert_true(log_has(f, "no target secret configured"));
}

static void test_odx_target_sec__mutual_chap_options_checked(void **state)
{
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;
	vitk_odx_target *t = NULL;

	(void)state;
	o.iqn = IQN;
	o.chap_mutual_user = "tgt";
	o.chap_mutual_secret = "s1";
	assert_int_equal(vitk_odx_target_new(&t, &o), VITK_EINVAL); /* no one-way CHAP */
	o.chap_user = "alice";
	o.chap_secret = "s1";
	assert_int_equal(vitk_odx_target_new(&t, &o), VITK_EINVAL); /* same secret */
	assert_non_null(strstr(vitk_error_last()->message, "must differ"));
	o.chap_secret = "s2";
	assert_int_equal(vitk_odx_target_new(&t, &o), 0);
	vitk_odx_target_free(t);
}

static void test_odx_target_sec__bad_login_text_logged_once(void **state)
{
	struct fixture *f = *state;
	uint8_t h[48];
	struct pdu p;

	f->fd = dial();
	login_hdr(h, 1, 3, true);
	send_pdu(f->fd, h, "without-equals", 15);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	assert_int_equal(p.h[36], 2);
	assert_int_equal(recv_pdu(f->fd, &p), -1);
	usleep(100000);
	assert_true(log_has(f, "login refused (0200): text: entry without '=' at offset 0\n"));
	assert_true(log_has(f, "dropping connection: login refused: text: entry without '=' at "
			       "offset 0\n"));
	assert_false(log_has(f, "login refused: login refused"));
}

/* seconds until the target closes @fd while one byte of a login goes out every 200 ms */
static double trickle_until_closed(int fd, double limit_s)
{
	static const char keys[] = "InitiatorName=" INIT "\0TargetName=" IQN "\0";
	uint8_t pdu[48 + sizeof(keys) + 3];
	uint64_t t0 = vitk_now_ns();
	size_t i = 0;

	login_hdr(pdu, 1, 3, true);
	vitk_put_be24(pdu + 5, sizeof(keys) - 1);
	memcpy(pdu + 48, keys, sizeof(keys) - 1);
	while ((double)(vitk_now_ns() - t0) / 1e9 < limit_s) {
		struct pollfd pf = { fd, POLLIN, 0 };
		char c;

		if (poll(&pf, 1, 200) > 0 && recv(fd, &c, 1, MSG_DONTWAIT) <= 0)
			return (double)(vitk_now_ns() - t0) / 1e9;
		if (i < 48 + 10) /* never a complete PDU */
			(void)send(fd, pdu + i++, 1, MSG_NOSIGNAL);
	}
	return -1;
}

static void test_odx_target_sec__login_deadline_is_for_the_whole_login(void **state)
{
	struct fixture *f = *state;
	double s;

	f->fd = dial();
	s = trickle_until_closed(f->fd, 6);
	assert_true(s >= 1.5);
	assert_true(s > 0 && s < 3.5); /* --login-timeout 2 */
	usleep(100000);
	assert_true(log_has(f, "login not finished within 2 s"));
}

static void test_odx_target_sec__connections_per_address_capped(void **state)
{
	struct fixture *f = *state;
	int fds[4], other, i;
	char c;
	struct pollfd pf;

	for (i = 0; i < 4; i++)
		fds[i] = dial_from("127.0.0.1");
	/* the fourth from 127.0.0.1 is closed at once */
	pf.fd = fds[3];
	pf.events = POLLIN;
	assert_int_equal(poll(&pf, 1, 1000), 1);
	assert_true(recv(fds[3], &c, 1, 0) <= 0);
	/* another address still gets in */
	other = dial_from("127.0.0.2");
	pf.fd = other;
	assert_int_equal(poll(&pf, 1, 500), 0);
	usleep(100000);
	assert_true(log_has(f, "connections from 127.0.0.1 already"));
	for (i = 0; i < 4; i++)
		close(fds[i]);
	close(other);
}

static void test_odx_target_sec__idle_session_pinged_then_dropped(void **state)
{
	struct fixture *f = *state;
	uint64_t t0;
	struct pdu p;
	uint8_t h[48], tur[6] = { 0 };
	uint32_t ttt;

	assert_int_equal(login_as(f, INIT), 0);
	/* answered ping: the session lives on */
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_NOP_IN);
	assert_int_equal(vitk_get_be32(p.h + 16), ISCSI_RSVD_TAG);
	ttt = vitk_get_be32(p.h + 20);
	assert_int_not_equal(ttt, ISCSI_RSVD_TAG);
	memset(h, 0, 48);
	h[0] = 0x40 | ISCSI_OP_NOP_OUT;
	h[1] = 0x80;
	vitk_put_be32(h + 16, ISCSI_RSVD_TAG);
	vitk_put_be32(h + 20, ttt);
	vitk_put_be32(h + 24, f->cmdsn);
	send_pdu(f->fd, h, NULL, 0);
	scsi_cmd(f, 0, 0, tur, sizeof(tur));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_SCSI_RSP);
	assert_int_equal(p.h[3], 0);
	/* unanswered ping: dropped about idle + nop seconds later */
	t0 = vitk_now_ns();
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_NOP_IN);
	assert_int_equal(recv_pdu(f->fd, &p), -1);
	assert_true((vitk_now_ns() - t0) / 1000000 < 3500);
	usleep(100000);
	assert_true(log_has(f, "initiator did not answer the NOP-In ping within 1 s"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_odx_target_sec__acl_refuses_unlisted_initiators,
						setup_acl, teardown),
		cmocka_unit_test_setup_teardown(
			test_odx_target_sec__acl_hides_the_target_from_discovery, setup_acl,
			teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_sec__mutual_chap, setup_mutual,
						teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_sec__mutual_chap_reflection_refused,
						setup_mutual, teardown),
		cmocka_unit_test_setup_teardown(
			test_odx_target_sec__mutual_chap_without_target_secret, setup_chap_only,
			teardown),
		cmocka_unit_test(test_odx_target_sec__mutual_chap_options_checked),
		cmocka_unit_test_setup_teardown(test_odx_target_sec__bad_login_text_logged_once,
						setup_acl, teardown),
		cmocka_unit_test_setup_teardown(
			test_odx_target_sec__login_deadline_is_for_the_whole_login, setup_timeouts,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_odx_target_sec__connections_per_address_capped, setup_timeouts,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_odx_target_sec__idle_session_pinged_then_dropped, setup_timeouts,
			teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
