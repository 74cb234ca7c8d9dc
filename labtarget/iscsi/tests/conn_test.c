/* SPDX-License-Identifier: MIT */
/*
 * Protocol tests of the iSCSI layer at the byte level: the real target code
 * (target.c, iscsi_conn.c) on 127.0.0.1:13286 over the real device model
 * (//labtarget/scsi, sparse backing files in a temporary directory), driven
 * by hand-built PDUs.  What the iSCSI layer hands the device (the I_T nexus,
 * LUN resets, nexus loss) is observed by spies linked in front of the device
 * seam with -Wl,--wrap (see BUILD).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/odx_target.h>

#include "iscsi_pdu.h"
#include "labtarget/scsi/scsi_device.h"

#define PORT 13286

/* spies on the device seam: record, then call the real device model */
static uint64_t fake_last_nexus;
static uint64_t fake_nexus_gone;
static unsigned fake_lun_resets;

int __real_tgt_device_exec(tgt_device *d, tgt_cmd *cmd);
int __wrap_tgt_device_exec(tgt_device *d, tgt_cmd *cmd);
int __real_tgt_device_lun_reset(tgt_device *d, unsigned lun);
int __wrap_tgt_device_lun_reset(tgt_device *d, unsigned lun);
void __real_tgt_device_nexus_gone(tgt_device *d, uint64_t nexus);
void __wrap_tgt_device_nexus_gone(tgt_device *d, uint64_t nexus);

/*
 * A gate on the device seam: a command with opcode gate_op stops inside the
 * device until the test opens the gate -- a foreground copy as long as the
 * test wants, without a clock.  gate_log records the order in which commands
 * enter and leave the device ('<' + opcode on entry, '>' + opcode on exit).
 */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static uint8_t gate_op;
static bool gate_open = true;
static unsigned gate_inside;
static char gate_log[256];
static size_t gate_nlog;

static void gate_note(char what, uint8_t op)
{
	if (gate_nlog + 3 < sizeof(gate_log)) {
		gate_log[gate_nlog++] = what;
		gate_log[gate_nlog++] = (char)op;
	}
	pthread_cond_broadcast(&gate_cv);
}

/* wait (30 s at most) until the log holds @what + @op */
static void gate_wait_log(char what, uint8_t op)
{
	struct timespec dl;
	bool seen = false;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 30;
	pthread_mutex_lock(&gate_mu);
	for (;;) {
		size_t i;

		for (i = 0; i + 1 < gate_nlog; i += 2)
			if (gate_log[i] == what && gate_log[i + 1] == (char)op)
				seen = true;
		if (seen || pthread_cond_timedwait(&gate_cv, &gate_mu, &dl) != 0)
			break;
	}
	pthread_mutex_unlock(&gate_mu);
	if (!seen)
		fail_msg("'%c' 0x%02x not in the gate log within 30 s", what, op);
}

int __wrap_tgt_device_exec(tgt_device *d, tgt_cmd *cmd)
{
	int r;

	fake_last_nexus = cmd->nexus;
	pthread_mutex_lock(&gate_mu);
	gate_note('<', cmd->cdb[0]);
	if (cmd->cdb[0] == gate_op && !gate_open) {
		gate_inside++;
		pthread_cond_broadcast(&gate_cv);
		while (!gate_open)
			pthread_cond_wait(&gate_cv, &gate_mu);
		gate_inside--;
	}
	pthread_mutex_unlock(&gate_mu);
	r = __real_tgt_device_exec(d, cmd);
	pthread_mutex_lock(&gate_mu);
	gate_note('>', cmd->cdb[0]);
	pthread_mutex_unlock(&gate_mu);
	return r;
}

static void gate_close(uint8_t op)
{
	pthread_mutex_lock(&gate_mu);
	gate_op = op;
	gate_open = false;
	gate_nlog = 0;
	pthread_mutex_unlock(&gate_mu);
}

/* wait (no deadline: bazel's test timeout is the bound) until a command waits at the gate */
static void gate_wait_inside(void)
{
	pthread_mutex_lock(&gate_mu);
	while (gate_inside == 0)
		pthread_cond_wait(&gate_cv, &gate_mu);
	pthread_mutex_unlock(&gate_mu);
}

static void gate_release(void)
{
	pthread_mutex_lock(&gate_mu);
	gate_open = true;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
}

/*
 * A second gate inside the device: the data movement of a copy
 * (lun__copy_range) or an erase (lun__zero_range: SANITIZE BLOCK ERASE on
 * its own thread), private to //labtarget/scsi with types opaque here,
 * waits while copy_gate_closed -- after the command's unit attention and
 * reservation checks and a copy's first cancellation point.
 */
struct tgt_lun;
int __real_lun__copy_range(struct tgt_lun *src, uint64_t src_off, struct tgt_lun *dst,
			   uint64_t dst_off, uint64_t len, void *m);
int __wrap_lun__copy_range(struct tgt_lun *src, uint64_t src_off, struct tgt_lun *dst,
			   uint64_t dst_off, uint64_t len, void *m);
static bool copy_gate_closed;
static unsigned copy_gate_inside;

int __wrap_lun__copy_range(struct tgt_lun *src, uint64_t src_off, struct tgt_lun *dst,
			   uint64_t dst_off, uint64_t len, void *m)
{
	pthread_mutex_lock(&gate_mu);
	if (copy_gate_closed) {
		copy_gate_inside++;
		pthread_cond_broadcast(&gate_cv);
		while (copy_gate_closed)
			pthread_cond_wait(&gate_cv, &gate_mu);
		copy_gate_inside--;
	}
	pthread_mutex_unlock(&gate_mu);
	return __real_lun__copy_range(src, src_off, dst, dst_off, len, m);
}

int __real_lun__zero_range(struct tgt_lun *l, uint64_t off, uint64_t len);
int __wrap_lun__zero_range(struct tgt_lun *l, uint64_t off, uint64_t len);

int __wrap_lun__zero_range(struct tgt_lun *l, uint64_t off, uint64_t len)
{
	pthread_mutex_lock(&gate_mu);
	if (copy_gate_closed) {
		copy_gate_inside++;
		pthread_cond_broadcast(&gate_cv);
		while (copy_gate_closed)
			pthread_cond_wait(&gate_cv, &gate_mu);
		copy_gate_inside--;
	}
	pthread_mutex_unlock(&gate_mu);
	return __real_lun__zero_range(l, off, len);
}

static void copy_gate_open(void)
{
	pthread_mutex_lock(&gate_mu);
	copy_gate_closed = false;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
}

int __wrap_tgt_device_lun_reset(tgt_device *d, unsigned lun)
{
	int r = __real_tgt_device_lun_reset(d, lun);

	if (r == 0)
		fake_lun_resets++;
	return r;
}

void __wrap_tgt_device_nexus_gone(tgt_device *d, uint64_t nexus)
{
	fake_nexus_gone = nexus;
	__real_tgt_device_nexus_gone(d, nexus);
}
#define IQN "iqn.2026-01.test.vitk:conn"

struct fixture {
	char dir[256], lun0[300], lun3[300];
	vitk_odx_target *t;
	pthread_t th;
	int fd;
	uint32_t cmdsn, itt;
};

struct pdu {
	uint8_t h[48];
	uint8_t data[65536];
	uint32_t len;
};

static void *runner(void *arg)
{
	vitk_odx_target_run(arg);
	return NULL;
}

static int start(void **state, const char *chap_secret)
{
	static struct fixture f;
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;
	vitk_odx_target_lun l = VITK_ODX_TARGET_LUN_INIT;

	memset(&f, 0, sizeof(f));
	snprintf(f.dir, sizeof(f.dir), "%s/conntestXXXXXX",
		 getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp");
	if (!mkdtemp(f.dir))
		return -1;
	snprintf(f.lun0, sizeof(f.lun0), "%s/lun0.img", f.dir);
	snprintf(f.lun3, sizeof(f.lun3), "%s/lun3.img", f.dir);
	o.iqn = IQN;
	o.portal = "127.0.0.1:13286";
	if (chap_secret) {
		o.chap_user = "alice";
		o.chap_secret = chap_secret;
	}
	if (vitk_odx_target_new(&f.t, &o) < 0)
		return -1;
	l.path = f.lun0;
	l.size = 1024 * 1024;
	if (vitk_odx_target_add_lun(f.t, &l) < 0)
		return -1;
	l.path = f.lun3;
	l.lun = 3;
	l.block_size = 4096;
	if (vitk_odx_target_add_lun(f.t, &l) < 0)
		return -1;
	if (vitk_odx_target_listen(f.t) < 0)
		return -1;
	if (pthread_create(&f.th, NULL, runner, f.t) != 0)
		return -1;
	f.fd = -1;
	f.itt = 0x100;
	*state = &f;
	return 0;
}

static int setup(void **state)
{
	return start(state, NULL);
}

static int setup_chap(void **state)
{
	return start(state, "correct-horse");
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	copy_gate_open(); /* a test that failed with a data movement held */

	if (f->fd >= 0)
		close(f->fd);
	vitk_odx_target_stop(f->t);
	pthread_join(f->th, NULL);
	vitk_odx_target_free(f->t);
	unlink(f->lun0);
	unlink(f->lun3);
	rmdir(f->dir);
	return 0;
}

static int dial(void)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(PORT);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void send_pdu(int fd, const uint8_t *h, const void *data, uint32_t len)
{
	uint8_t pad[4] = { 0 };
	uint8_t hh[48];

	memcpy(hh, h, 48);
	vitk_put_be24(hh + 5, len);
	assert_int_equal(send(fd, hh, 48, MSG_NOSIGNAL), 48);
	if (len) {
		assert_int_equal(send(fd, data, len, MSG_NOSIGNAL), (ssize_t)len);
		if (iscsi_pad4(len) != len)
			assert_int_equal(send(fd, pad, iscsi_pad4(len) - len, MSG_NOSIGNAL),
					 (ssize_t)(iscsi_pad4(len) - len));
	}
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

/* returns the opcode, or -1 when the connection was closed */
static int recv_pdu(int fd, struct pdu *p)
{
	uint32_t padded;

	if (recv_full(fd, p->h, 48) < 0)
		return -1;
	p->len = vitk_get_be24(p->h + 5);
	padded = iscsi_pad4(p->len);
	assert_true(padded <= sizeof(p->data));
	assert_int_equal(p->h[4], 0); /* no AHS from the target */
	if (recv_full(fd, p->data, padded) < 0)
		return -1;
	return p->h[0] & 0x3f;
}

static void login_hdr(uint8_t *h, int csg, int nsg, bool transit)
{
	memset(h, 0, 48);
	h[0] = 0x43;
	h[1] = (uint8_t)((transit ? 0x80 : 0) | (csg << 2) | nsg);
	h[8] = 0x80;
	h[13] = 7; /* ISID */
	vitk_put_be32(h + 16, 1);
	vitk_put_be32(h + 24, 1000); /* CmdSN */
}

static void text_of(const struct pdu *p, iscsi_text *t)
{
	assert_int_equal(vitk_odx_target__text_parse(t, p->data, p->len), 0);
}

static const char *kv(const iscsi_text *t, const char *k)
{
	const char *v = vitk_odx_target__text_get(t, k);

	if (!v)
		fail_msg("key %s missing from the response", k);
	return v;
}

static const char op_keys[] =
	"InitiatorName=iqn.2026-01.test:init\0SessionType=Normal\0TargetName=" IQN "\0"
	"HeaderDigest=None,CRC32C\0DataDigest=None\0MaxRecvDataSegmentLength=4096\0"
	"MaxBurstLength=8192\0FirstBurstLength=262144\0InitialR2T=No\0ImmediateData=Yes\0"
	"MaxConnections=4\0ErrorRecoveryLevel=2\0DefaultTime2Wait=2\0X-vendor-thing=1\0";

static void login_isid(struct fixture *f, iscsi_text *resp, uint8_t isid);

/* operational-stage login straight to full feature phase */
static void login_normal(struct fixture *f, iscsi_text *resp)
{
	login_isid(f, resp, 7);
}

/* the same, as the initiator port with ISID ...@isid (another session) */
static void login_isid(struct fixture *f, iscsi_text *resp, uint8_t isid)
{
	uint8_t h[48];
	struct pdu p;

	f->fd = dial();
	login_hdr(h, 1, 3, true);
	h[13] = isid;
	send_pdu(f->fd, h, op_keys, sizeof(op_keys) - 1);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	assert_int_equal(p.h[36], 0);
	assert_int_equal(p.h[37], 0);
	assert_int_equal(p.h[1], 0x80 | (1 << 2) | 3);
	assert_int_not_equal(vitk_get_be16(p.h + 14), 0); /* TSIH */
	assert_int_equal(vitk_get_be32(p.h + 16), 1);
	assert_int_equal(vitk_get_be32(p.h + 28), 1000); /* ExpCmdSN */
	assert_int_equal(vitk_get_be32(p.h + 32), 1000 + 31);
	f->cmdsn = 1000;
	if (resp)
		text_of(&p, resp);
}

static void scsi_cmd(struct fixture *f, uint8_t flags, unsigned lun, uint32_t edtl,
		     const uint8_t *cdb, size_t cdb_len)
{
	uint8_t h[48];

	memset(h, 0, 48);
	h[0] = ISCSI_OP_SCSI_CMD;
	h[1] = flags;
	vitk_put_be64(h + 8, vitk_odx_target__lun_encode(lun));
	vitk_put_be32(h + 16, ++f->itt);
	vitk_put_be32(h + 20, edtl);
	vitk_put_be32(h + 24, f->cmdsn++);
	memcpy(h + 32, cdb, cdb_len);
	send_pdu(f->fd, h, NULL, 0);
}

static void test_odx_target_conn__operational_negotiation(void **state)
{
	struct fixture *f = *state;
	iscsi_text t;

	login_normal(f, &t);
	assert_string_equal(kv(&t, "HeaderDigest"), "None");
	assert_string_equal(kv(&t, "DataDigest"), "None");
	assert_string_equal(kv(&t, "MaxBurstLength"), "8192");
	assert_string_equal(kv(&t, "FirstBurstLength"), "262144");
	assert_string_equal(kv(&t, "InitialR2T"), "Yes");
	assert_string_equal(kv(&t, "ImmediateData"), "No");
	assert_string_equal(kv(&t, "MaxConnections"), "1");
	assert_string_equal(kv(&t, "ErrorRecoveryLevel"), "0");
	assert_string_equal(kv(&t, "DefaultTime2Wait"), "2");
	assert_string_equal(kv(&t, "X-vendor-thing"), "NotUnderstood");
	assert_string_equal(kv(&t, "TargetPortalGroupTag"), "1");
	assert_string_equal(kv(&t, "MaxRecvDataSegmentLength"), "262144");
	assert_null(vitk_odx_target__text_get(&t, "InitiatorName"));
	vitk_odx_target__text_dispose(&t);
}

static void test_odx_target_conn__unknown_target_name(void **state)
{
	struct fixture *f = *state;
	static const char keys[] = "InitiatorName=iqn.2026-01.test:init\0TargetName=iqn.x:nope\0";
	uint8_t h[48];
	struct pdu p;

	f->fd = dial();
	login_hdr(h, 1, 3, true);
	send_pdu(f->fd, h, keys, sizeof(keys) - 1);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	assert_int_equal(p.h[36], 2);
	assert_int_equal(p.h[37], 3); /* not found */
	assert_int_equal(recv_pdu(f->fd, &p), -1);
}

static void chap_login(struct fixture *f, const char *secret, bool expect_ok)
{
	static const char k1[] = "InitiatorName=iqn.2026-01.test:init\0SessionType=Normal\0"
				 "TargetName=" IQN "\0AuthMethod=CHAP,None\0";
	static const char k2[] = "CHAP_A=7,5\0";
	uint8_t h[48], chal[64], buf[1 + 64 + 64], md[16];
	char k3[256], hex[40];
	struct pdu p;
	iscsi_text t;
	int n, i, k3len;
	unsigned id;
	size_t sl = strlen(secret);

	f->fd = dial();
	login_hdr(h, 0, 1, true);
	send_pdu(f->fd, h, k1, sizeof(k1) - 1);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	assert_int_equal(p.h[36], 0);
	assert_int_equal(p.h[1] & 0x80, 0); /* no transit before authentication */
	text_of(&p, &t);
	assert_string_equal(kv(&t, "AuthMethod"), "CHAP");
	vitk_odx_target__text_dispose(&t);

	send_pdu(f->fd, h, k2, sizeof(k2) - 1);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	text_of(&p, &t);
	assert_string_equal(kv(&t, "CHAP_A"), "5");
	id = (unsigned)atoi(kv(&t, "CHAP_I"));
	n = vitk_odx_target__chap_decode(kv(&t, "CHAP_C"), chal, sizeof(chal));
	assert_true(n >= 16);
	vitk_odx_target__text_dispose(&t);

	buf[0] = (uint8_t)id;
	memcpy(buf + 1, secret, sl);
	memcpy(buf + 1 + sl, chal, (size_t)n);
	vitk_odx_target__md5(buf, 1 + sl + (size_t)n, md);
	strcpy(hex, "0x");
	for (i = 0; i < 16; i++)
		sprintf(hex + 2 + 2 * i, "%02x", md[i]);
	k3len = snprintf(k3, sizeof(k3), "CHAP_N=alice%cCHAP_R=%s%c", 0, hex, 0);
	send_pdu(f->fd, h, k3, (uint32_t)k3len);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	if (!expect_ok) {
		assert_int_equal(p.h[36], 2);
		assert_int_equal(p.h[37], 1); /* authentication failure */
		assert_int_equal(recv_pdu(f->fd, &p), -1);
		return;
	}
	assert_int_equal(p.h[36], 0);
	assert_int_equal(p.h[1], 0x80 | (0 << 2) | 1); /* transit 0 -> 1 */
	login_hdr(h, 1, 3, true);
	send_pdu(f->fd, h, "MaxRecvDataSegmentLength=8192", 30);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	assert_int_equal(p.h[36], 0);
	assert_int_equal(p.h[1], 0x80 | (1 << 2) | 3);
	f->cmdsn = 1000;
}

static void test_odx_target_conn__chap_ok(void **state)
{
	struct fixture *f = *state;
	struct pdu p;
	static const uint8_t tur[6] = { 0 };

	chap_login(f, "correct-horse", true);
	scsi_cmd(f, 0x80, 0, 0, tur, sizeof(tur));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_SCSI_RSP);
	assert_int_equal(p.h[3], 0);
}

static void test_odx_target_conn__chap_wrong_secret(void **state)
{
	chap_login(*state, "battery-staple", false);
}

static void test_odx_target_conn__chap_required(void **state)
{
	struct fixture *f = *state;
	struct pdu p;
	uint8_t h[48];

	f->fd = dial();
	login_hdr(h, 1, 3, true);
	send_pdu(f->fd, h, op_keys, sizeof(op_keys) - 1);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP);
	assert_int_equal(p.h[36], 2);
	assert_int_equal(p.h[37], 1);
}

static void data_out(struct fixture *f, uint32_t ttt, uint32_t datasn, uint32_t off,
		     const uint8_t *d, uint32_t len, bool final)
{
	uint8_t h[48];

	memset(h, 0, 48);
	h[0] = ISCSI_OP_DATA_OUT;
	h[1] = final ? 0x80 : 0;
	vitk_put_be32(h + 16, f->itt);
	vitk_put_be32(h + 20, ttt);
	vitk_put_be32(h + 36, datasn);
	vitk_put_be32(h + 40, off);
	send_pdu(f->fd, h, d, len);
}

static void test_odx_target_conn__r2t_write_and_data_in(void **state)
{
	struct fixture *f = *state;
	uint8_t w[12288], cdb[10] = { 0x2a, 0, 0, 0, 0, 8, 0, 0, 24, 0 };
	uint32_t off, r2tsn = 0, got = 0, datasn = 0;
	struct pdu p;
	unsigned i;

	for (i = 0; i < sizeof(w); i++)
		w[i] = (uint8_t)(i * 7 + 3);
	login_normal(f, NULL);
	/* WRITE(10) 24 blocks at LBA 8: two R2Ts (MaxBurstLength 8192) */
	scsi_cmd(f, 0xa0, 0, sizeof(w), cdb, sizeof(cdb));
	for (off = 0; off < sizeof(w);) {
		uint32_t ttt, len, sent;

		assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_R2T);
		assert_int_equal(vitk_get_be32(p.h + 16), f->itt);
		assert_int_equal(vitk_get_be32(p.h + 36), r2tsn++);
		assert_int_equal(vitk_get_be32(p.h + 40), off);
		len = vitk_get_be32(p.h + 44);
		assert_int_equal(len, off == 0 ? 8192 : 4096);
		ttt = vitk_get_be32(p.h + 20);
		assert_int_not_equal(ttt, ISCSI_RSVD_TAG);
		/* PDUs of at most 4096: the target declared 262144, we stay lower */
		for (sent = 0; sent < len; sent += 4096)
			data_out(f, ttt, sent / 4096, off + sent, w + off + sent, 4096,
				 sent + 4096 == len);
		off += len;
	}
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_SCSI_RSP);
	assert_int_equal(p.h[3], 0);
	assert_int_equal(p.h[1], 0x80); /* no residual */

	/* READ(10) back: Data-In in 4096-byte PDUs (our MRDSL), status in the last */
	cdb[0] = 0x28;
	scsi_cmd(f, 0xc0, 0, sizeof(w), cdb, sizeof(cdb));
	for (;;) {
		assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_DATA_IN);
		assert_true(p.len <= 4096);
		assert_int_equal(vitk_get_be32(p.h + 36), datasn++);
		assert_int_equal(vitk_get_be32(p.h + 40), got);
		assert_memory_equal(p.data, w + got, p.len);
		got += p.len;
		if (p.h[1] & 0x01)
			break;
	}
	assert_int_equal(got, sizeof(w));
	assert_int_equal(p.h[1] & 0x80, 0x80);
	assert_int_equal(p.h[3], 0);
	assert_int_equal(datasn, 3);
}

static void test_odx_target_conn__residuals(void **state)
{
	struct fixture *f = *state;
	uint8_t cdb[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	struct pdu p;

	login_normal(f, NULL);
	/* 1 block, EDTL 1024: underflow 512 */
	scsi_cmd(f, 0xc0, 0, 1024, cdb, sizeof(cdb));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_DATA_IN);
	assert_int_equal(p.len, 512);
	assert_int_equal(p.h[1], 0x80 | 0x02 | 0x01);
	assert_int_equal(vitk_get_be32(p.h + 44), 512);
	/* 2 blocks, EDTL 512: overflow 512, only 512 bytes sent */
	cdb[8] = 2;
	scsi_cmd(f, 0xc0, 0, 512, cdb, sizeof(cdb));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_DATA_IN);
	assert_int_equal(p.len, 512);
	assert_int_equal(p.h[1], 0x80 | 0x04 | 0x01);
	assert_int_equal(vitk_get_be32(p.h + 44), 512);
	/* WRITE(10) 1 block with EDTL 0: overflow 512, GOOD (nothing written) */
	cdb[0] = 0x2a;
	cdb[8] = 1;
	scsi_cmd(f, 0xa0, 0, 0, cdb, sizeof(cdb));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_SCSI_RSP);
	assert_int_equal(p.h[3], 0);
	assert_int_equal(p.h[1], 0x80 | 0x04);
	assert_int_equal(vitk_get_be32(p.h + 44), 512);
}

static void test_odx_target_conn__report_luns_and_missing_lun(void **state)
{
	struct fixture *f = *state;
	uint8_t rl[12] = { 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0 };
	uint8_t tur[6] = { 0 }, inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	struct pdu p;

	login_normal(f, NULL);
	scsi_cmd(f, 0xc0, 0, 64, rl, sizeof(rl));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_DATA_IN);
	assert_int_equal(p.len, 24);
	assert_int_equal(vitk_get_be32(p.data), 16);
	assert_true(vitk_get_be64(p.data + 8) == 0);
	assert_true(vitk_get_be64(p.data + 16) == 0x0003000000000000ull);
	assert_int_equal(p.h[1] & 0x07, 0x02 | 0x01); /* underflow, status */

	scsi_cmd(f, 0x80, 5, 0, tur, sizeof(tur));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_SCSI_RSP);
	assert_int_equal(p.h[3], 2);
	assert_int_equal(vitk_get_be16(p.data), 18);
	assert_int_equal(p.data[2 + 2] & 0x0f, 5);
	assert_int_equal(p.data[2 + 12], 0x25);

	scsi_cmd(f, 0xc0, 5, 36, inq, sizeof(inq));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_DATA_IN);
	assert_int_equal(p.data[0], 0x7f);
}

static void test_odx_target_conn__discovery_sendtargets(void **state)
{
	struct fixture *f = *state;
	static const char k[] = "InitiatorName=iqn.2026-01.test:init\0SessionType=Discovery\0";
	uint8_t h[48];
	struct pdu p;
	iscsi_text t;

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
	assert_int_equal(vitk_get_be32(p.h + 16), 77);
	text_of(&p, &t);
	assert_string_equal(kv(&t, "TargetName"), IQN);
	assert_string_equal(kv(&t, "TargetAddress"), "127.0.0.1:13286,1");
	vitk_odx_target__text_dispose(&t);
	/* SCSI commands have no place in a discovery session */
	memset(h, 0, 48);
	h[0] = ISCSI_OP_SCSI_CMD;
	h[1] = 0x80;
	vitk_put_be32(h + 24, 1001);
	send_pdu(f->fd, h, NULL, 0);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_REJECT);
	assert_int_equal(p.h[2], ISCSI_REJECT_PROTOCOL_ERROR);
}

static void tmf(struct fixture *f, uint8_t fn, unsigned lun, uint32_t rtt, uint8_t want)
{
	uint8_t h[48];
	struct pdu p;

	memset(h, 0, 48);
	h[0] = 0x40 | ISCSI_OP_TMF_REQ;
	h[1] = 0x80 | fn;
	vitk_put_be64(h + 8, vitk_odx_target__lun_encode(lun));
	vitk_put_be32(h + 16, ++f->itt);
	vitk_put_be32(h + 20, rtt);
	vitk_put_be32(h + 24, f->cmdsn);
	send_pdu(f->fd, h, NULL, 0);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_TMF_RSP);
	assert_int_equal(vitk_get_be32(p.h + 16), f->itt);
	assert_int_equal(p.h[2], want);
}

/* READ(10) of 8 blocks (4 KiB) at LBA 0 with task attribute @attr; no wait */
static uint32_t read4k(struct fixture *f, uint8_t attr)
{
	uint8_t cdb[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0 };

	scsi_cmd(f, (uint8_t)(0xc0 | attr), 0, 4096, cdb, sizeof(cdb));
	return f->itt;
}

/* the next PDUs up to the status of task @itt: 0 for GOOD, else the status */
static int await_status(struct fixture *f, uint32_t itt)
{
	struct pdu p;

	for (;;) {
		int op = recv_pdu(f->fd, &p);

		if (op < 0)
			fail_msg("connection closed waiting for task 0x%x", itt);
		if (vitk_get_be32(p.h + 16) != itt)
			fail_msg("PDU 0x%02x of task 0x%x while waiting for 0x%x", op,
				 vitk_get_be32(p.h + 16), itt);
		if (op == ISCSI_OP_SCSI_RSP)
			return p.h[3];
		if (op == ISCSI_OP_DATA_IN && (p.h[1] & 0x01))
			return p.h[3];
	}
}

/*
 * Command queueing: a long foreground EXTENDED COPY (held inside the device
 * by the gate, however long the test likes) does not hold its session: a
 * 4 KiB READ on the same session and on another session completes while
 * the copy is still inside the device.  Then ABORT TASK of the copy: its
 * response goes out before the TMF's.  No clock is involved.
 */
static void test_odx_target_conn__queueing_long_copy(void **state)
{
	struct fixture *f = *state, b;
	uint8_t cdb[16] = { 0x83, 0x00 }, list[32], h[48];
	struct pdu p;
	uint32_t xitt, ttt;

	login_normal(f, NULL);
	b = *f;
	login_isid(&b, NULL, 8); /* session B: another initiator port */
	gate_close(0x83);
	vitk_put_be32(cdb + 10, sizeof(list));
	memset(list, 0, sizeof(list)); /* no descriptors: nothing to copy, GOOD */
	scsi_cmd(f, 0xa1, 0, sizeof(list), cdb, sizeof(cdb)); /* W, F, SIMPLE */
	xitt = f->itt;
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_R2T);
	ttt = vitk_get_be32(p.h + 20);
	data_out(f, ttt, 0, 0, list, sizeof(list), true);
	gate_wait_inside(); /* the copy is in the device and stays there */

	f->itt = xitt + 0x10;
	assert_int_equal(await_status(f, read4k(f, 1)), 0);   /* session A: SIMPLE */
	assert_int_equal(await_status(&b, read4k(&b, 1)), 0); /* session B */
	assert_int_equal(await_status(f, read4k(f, 0)), 0);   /* A: untagged */
	assert_int_equal(await_status(f, read4k(f, 3)), 0);   /* A: HEAD OF QUEUE */
	pthread_mutex_lock(&gate_mu);
	assert_int_equal(gate_inside, 1); /* the copy has not moved meanwhile */
	pthread_mutex_unlock(&gate_mu);

	/* ABORT TASK of the running copy: answered once it ended, after its status */
	memset(h, 0, 48);
	h[0] = 0x40 | ISCSI_OP_TMF_REQ;
	h[1] = 0x81;
	vitk_put_be32(h + 16, 0x777);
	vitk_put_be32(h + 20, xitt);
	vitk_put_be32(h + 24, f->cmdsn);
	send_pdu(f->fd, h, NULL, 0);
	gate_release();
	assert_int_equal(await_status(f, xitt), 0);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_TMF_RSP);
	assert_int_equal(vitk_get_be32(p.h + 16), 0x777);
	assert_int_equal(p.h[2], 1); /* the task had completed */

	/* LUN RESET with a command of the LUN in flight: its status, then the reset */
	gate_close(0x35);
	fake_lun_resets = 0;
	{
		uint8_t sync[10] = { 0x35, 0 };
		uint32_t sitt;

		scsi_cmd(f, 0x81, 0, 0, sync, sizeof(sync));
		sitt = f->itt;
		gate_wait_inside();
		memset(h, 0, 48);
		h[0] = 0x40 | ISCSI_OP_TMF_REQ;
		h[1] = 0x85; /* LOGICAL UNIT RESET */
		vitk_put_be64(h + 8, vitk_odx_target__lun_encode(0));
		vitk_put_be32(h + 16, 0x778);
		vitk_put_be32(h + 20, ISCSI_RSVD_TAG);
		vitk_put_be32(h + 24, f->cmdsn);
		send_pdu(f->fd, h, NULL, 0);
		assert_int_equal(fake_lun_resets, 0); /* not while the command is inside */
		gate_release();
		assert_int_equal(await_status(f, sitt), 0);
		assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_TMF_RSP);
		assert_int_equal(vitk_get_be32(p.h + 16), 0x778);
		assert_int_equal(p.h[2], 0);
		assert_int_equal(fake_lun_resets, 1);
	}
	close(b.fd);
}

/* the target's log line that says a PREEMPT AND ABORT has marked its victims */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t log_cv = PTHREAD_COND_INITIALIZER;
static bool log_abort_seen, log_tmf_seen;

static void log_watch(vitk_log_level level, const char *domain, const char *msg, void *payload)
{
	(void)level;
	(void)domain;
	(void)payload;
	if (strstr(msg, "ABORT TASK 0x") && strstr(msg, ": asked to stop")) {
		pthread_mutex_lock(&log_mu);
		log_tmf_seen = true;
		pthread_cond_broadcast(&log_cv);
		pthread_mutex_unlock(&log_mu);
	}
	if (strstr(msg, "PREEMPT AND ABORT: aborting the commands of conn")) {
		pthread_mutex_lock(&log_mu);
		log_abort_seen = true;
		pthread_cond_broadcast(&log_cv);
		pthread_mutex_unlock(&log_mu);
	}
}

/* PERSISTENT RESERVE OUT @sa/@type with key/sakey; returns the status */
static int prout_pdu(struct fixture *f, uint8_t sa, uint8_t type, uint64_t key, uint64_t sakey)
{
	uint8_t cdb[10] = { 0x5f, sa, type, 0, 0, 0, 0, 0, 24, 0 }, prm[24] = { 0 };
	struct pdu p;

	vitk_put_be64(prm, key);
	vitk_put_be64(prm + 8, sakey);
	scsi_cmd(f, 0xa1, 0, sizeof(prm), cdb, sizeof(cdb));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_R2T);
	data_out(f, vitk_get_be32(p.h + 20), 0, 0, prm, sizeof(prm), true);
	return await_status(f, f->itt);
}

/* the next PDU answers TEST UNIT READY: GOOD (0) or the sense's ASC << 8 | ASCQ */
static int tur_sense(struct fixture *f)
{
	uint8_t tur[6] = { 0 };
	struct pdu p;

	scsi_cmd(f, 0x81, 0, 0, tur, sizeof(tur));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_SCSI_RSP);
	assert_int_equal(vitk_get_be32(p.h + 16), f->itt); /* no other task answers first */
	if (p.h[3] == 0)
		return 0;
	assert_int_equal(p.h[3], 2);
	assert_true(p.len >= 2 + 14);
	assert_int_equal(p.data[2 + 2] & 0x0f, 0x06); /* UNIT ATTENTION */
	return p.data[2 + 12] << 8 | p.data[2 + 13];
}

/* PERSISTENT RESERVE IN @sa into @out (up to 256 bytes); returns the length */
static uint32_t prin_pdu(struct fixture *f, uint8_t sa, uint8_t *out)
{
	uint8_t cdb[10] = { 0x5e, sa, 0, 0, 0, 0, 0, 1, 0, 0 };
	struct pdu p;

	scsi_cmd(f, 0xc1, 0, 256, cdb, sizeof(cdb));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_DATA_IN);
	assert_int_equal(vitk_get_be32(p.h + 16), f->itt);
	assert_int_equal(p.h[1] & 0x01, 0x01); /* status with the data */
	assert_int_equal(p.h[3], 0);
	memcpy(out, p.data, p.len);
	return p.len;
}

/*
 * PREEMPT AND ABORT (SPC-4 5.13.11.2.5, SAM-5 5.6, TAS = 0): session A holds
 * a Write Exclusive reservation and has three commands in the task set -- a
 * WRITE held in the device by the gate, a WRITE waiting for its Data-Out and
 * an ORDERED READ queued behind both.  Session B (another initiator port)
 * preempts A's key and aborts: B's status comes only after the held WRITE
 * left the device; none of A's three gets a response, the two queued ones
 * never reach the device, A's next commands see REGISTRATIONS PREEMPTED and
 * then COMMANDS CLEARED BY ANOTHER INITIATOR, B holds Exclusive Access and
 * PRgeneration is 3.
 */
static void test_odx_target_conn__preempt_and_abort(void **state)
{
	struct fixture *f = *state, b;
	uint8_t wcdb[10] = { 0x2a, 0, 0, 0, 0, 0, 0, 0, 8, 0 }, blk[4096], in[256];
	uint8_t rcdb[10] = { 0x28, 0, 0, 0, 0, 16, 0, 0, 8, 0 };
	uint8_t pa_cdb[10] = { 0x5f, 5, 3, 0, 0, 0, 0, 0, 24, 0 }, prm[24] = { 0 };
	uint32_t held, waiting, wttt, pa_itt, n;
	struct pdu p;
	FILE *fp;
	size_t i;

	log_abort_seen = false;
	vitk_set_log_fn(log_watch, NULL);
	login_normal(f, NULL);
	b = *f;
	login_isid(&b, NULL, 8); /* session B: another initiator port */
	assert_int_equal(prout_pdu(f, 0, 0, 0, 0xaa), 0);    /* A registers */
	assert_int_equal(prout_pdu(f, 1, 1, 0xaa, 0), 0);    /* A reserves Write Exclusive */
	assert_int_equal(prout_pdu(&b, 0, 0, 0, 0xbb), 0);   /* B registers */

	/* A's WRITE of LBA 0-7, held inside the device */
	gate_close(0x2a);
	memset(blk, 0xa5, sizeof(blk));
	scsi_cmd(f, 0xa1, 0, sizeof(blk), wcdb, sizeof(wcdb));
	held = f->itt;
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_R2T);
	data_out(f, vitk_get_be32(p.h + 20), 0, 0, blk, sizeof(blk), true);
	gate_wait_inside();
	/* A's WRITE of LBA 16-23: its R2T is answered only later */
	wcdb[5] = 16;
	scsi_cmd(f, 0xa1, 0, sizeof(blk), wcdb, sizeof(wcdb));
	waiting = f->itt;
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_R2T);
	assert_int_equal(vitk_get_be32(p.h + 16), waiting);
	wttt = vitk_get_be32(p.h + 20);
	/* an ORDERED READ: waits on A's connection for the held WRITE */
	scsi_cmd(f, 0xc2, 0, sizeof(blk), rcdb, sizeof(rcdb));

	/* B: PREEMPT AND ABORT of A's key, type Exclusive Access */
	vitk_put_be64(prm, 0xbb);
	vitk_put_be64(prm + 8, 0xaa);
	scsi_cmd(&b, 0xa1, 0, sizeof(prm), pa_cdb, sizeof(pa_cdb));
	pa_itt = b.itt;
	assert_int_equal(recv_pdu(b.fd, &p), ISCSI_OP_R2T);
	data_out(&b, vitk_get_be32(p.h + 20), 0, 0, prm, sizeof(prm), true);
	gate_wait_log('>', 0x5f); /* the preempt is done in the device ... */
	{
		struct timespec dl;

		/* ... and A's commands are marked aborted (the target says so) */
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += 30;
		pthread_mutex_lock(&log_mu);
		while (!log_abort_seen)
			if (pthread_cond_timedwait(&log_cv, &log_mu, &dl) != 0)
				break;
		pthread_mutex_unlock(&log_mu);
		assert_true(log_abort_seen);
	}
	pthread_mutex_lock(&gate_mu);
	assert_int_equal(gate_inside, 1); /* ... while A's WRITE is still inside */
	pthread_mutex_unlock(&gate_mu);
	gate_release();
	assert_int_equal(await_status(&b, pa_itt), 0);
	/* by now A's WRITE left the device: B's status waited for it */
	pthread_mutex_lock(&gate_mu);
	assert_int_equal(gate_inside, 0);
	assert_true(gate_nlog >= 8);
	assert_int_equal(gate_log[gate_nlog - 2], '>');
	assert_int_equal((uint8_t)gate_log[gate_nlog - 1], 0x2a);
	pthread_mutex_unlock(&gate_mu);

	/* A answers the withheld R2T; the aborted WRITE is dropped silently */
	{
		uint32_t keep = f->itt;

		f->itt = waiting;
		data_out(f, wttt, 0, 0, blk, sizeof(blk), true);
		f->itt = keep;
	}
	/* A's next command is the first thing A hears of: the unit attentions */
	assert_int_equal(tur_sense(f), 0x2a05); /* REGISTRATIONS PREEMPTED */
	assert_int_equal(tur_sense(f), 0x2f00); /* COMMANDS CLEARED BY ANOTHER INITIATOR */
	assert_int_equal(tur_sense(f), 0);
	tmf(f, 1, 0, held, 1); /* ABORT TASK: no such task any more */
	assert_int_equal(tur_sense(&b), 0); /* B: no unit attention */

	/* neither queued command reached the device, neither WRITE wrote */
	pthread_mutex_lock(&gate_mu);
	for (i = 0; i + 1 < gate_nlog; i += 2)
		if (gate_log[i] == '<')
			assert_true(gate_log[i + 1] != 0x28 &&
				    (gate_log[i + 1] != 0x2a || i == 0));
	pthread_mutex_unlock(&gate_mu);
	fp = fopen(f->lun0, "rb");
	assert_non_null(fp);
	{
		static uint8_t disk[24 * 512], zero[24 * 512];

		assert_int_equal(fread(disk, 1, sizeof(disk), fp), sizeof(disk));
		assert_memory_equal(disk, zero, sizeof(disk));
	}
	fclose(fp);

	/* B holds Exclusive Access; only B's key is left; PRgeneration 3 */
	n = prin_pdu(&b, 1, in);
	assert_int_equal(n, 24);
	assert_int_equal(vitk_get_be32(in), 3);
	assert_int_equal(vitk_get_be64(in + 8), 0xbb);
	assert_int_equal(in[8 + 13], 3);
	n = prin_pdu(&b, 0, in);
	assert_int_equal(n, 16);
	assert_int_equal(vitk_get_be32(in), 3);
	assert_int_equal(vitk_get_be32(in + 4), 8);
	assert_int_equal(vitk_get_be64(in + 8), 0xbb);
	vitk_set_log_fn(NULL, NULL);
	close(b.fd);
}

/*
 * ABORT TASK of a WRITE USING TOKEN running in the device (held there by the
 * gate): the copy stops at its cancellation point before its first chunk,
 * gets no response, the TMF answers "function complete" and the blocks it
 * would have zeroed keep their data.  (queueing_long_copy's EXTENDED COPY
 * moves nothing, so it meets no cancellation point and ends GOOD.)
 */
static void test_odx_target_conn__abort_task_stops_copy(void **state)
{
	struct fixture *f = *state;
	uint8_t cdb[16] = { 0x83, 0x11 }, list[552], h[48], back[8 * 512], pat[8 * 512];
	struct pdu p;
	uint32_t witt;
	FILE *fp;

	memset(pat, 0x99, sizeof(pat));
	fp = fopen(f->lun0, "r+b");
	assert_non_null(fp);
	assert_int_equal(fwrite(pat, 1, sizeof(pat), fp), sizeof(pat));
	fclose(fp);
	log_tmf_seen = false;
	vitk_set_log_fn(log_watch, NULL);
	login_normal(f, NULL);
	/* WRITE USING TOKEN, list id 7: the zero token over LBA 0-7 */
	memset(list, 0, sizeof(list));
	vitk_put_be16(list, sizeof(list) - 2);
	vitk_put_be32(list + 16, 0xffff0001);
	vitk_put_be16(list + 16 + 6, 0x01f8);
	vitk_put_be16(list + 534, 16);
	vitk_put_be32(list + 536 + 8, 8);
	vitk_put_be32(cdb + 6, 7);
	vitk_put_be32(cdb + 10, sizeof(list));
	gate_close(0x83);
	scsi_cmd(f, 0xa1, 0, sizeof(list), cdb, sizeof(cdb));
	witt = f->itt;
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_R2T);
	data_out(f, vitk_get_be32(p.h + 20), 0, 0, list, sizeof(list), true);
	gate_wait_inside();
	memset(h, 0, 48);
	h[0] = 0x40 | ISCSI_OP_TMF_REQ;
	h[1] = 0x81;
	vitk_put_be32(h + 16, 0x779);
	vitk_put_be32(h + 20, witt);
	vitk_put_be32(h + 24, f->cmdsn);
	send_pdu(f->fd, h, NULL, 0);
	/* the conn thread has flagged the copy once the TMF is parked in
	 * tmf_drain; release only then: wait for the flag to show */
	{
		struct timespec dl;

		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += 30;
		pthread_mutex_lock(&log_mu);
		while (!log_tmf_seen)
			if (pthread_cond_timedwait(&log_cv, &log_mu, &dl) != 0)
				break;
		pthread_mutex_unlock(&log_mu);
	}
	gate_release();
	/* the first PDU is the TMF response: the copy is not answered */
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_TMF_RSP);
	assert_int_equal(vitk_get_be32(p.h + 16), 0x779);
	assert_int_equal(p.h[2], 0); /* function complete */
	assert_int_equal(tur_sense(f), 0);
	fp = fopen(f->lun0, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(back, 1, sizeof(back), fp), sizeof(back));
	fclose(fp);
	assert_memory_equal(back, pat, sizeof(back));
	vitk_set_log_fn(NULL, NULL);
}

/* the LUN0 file's 512-byte block @lba is all @v */
static void expect_block(struct fixture *f, unsigned lba, uint8_t v)
{
	uint8_t b[512];
	FILE *fp = fopen(f->lun0, "rb");
	size_t i;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, (long)lba * 512, SEEK_SET), 0);
	assert_int_equal(fread(b, 1, sizeof(b), fp), sizeof(b));
	fclose(fp);
	for (i = 0; i < sizeof(b); i++)
		if (b[i] != v)
			fail_msg("LUN0 block %u byte %zu is %02x, not %02x", lba, i, b[i], v);
}

/* LUN0's NAA designation descriptor (VPD 83h): it names the LUN in a CSCD */
static void lun0_naa(struct fixture *f, uint8_t *naa20)
{
	uint8_t inq[6] = { 0x12, 0x01, 0x83, 0x00, 0xff, 0x00 };
	struct pdu p;

	scsi_cmd(f, 0xc1, 0, 255, inq, sizeof(inq));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_DATA_IN);
	assert_int_equal(p.h[3], 0);
	assert_true(p.len >= 24);
	assert_int_equal(p.data[4 + 1] & 0x0f, 3); /* NAA */
	memcpy(naa20, p.data + 4, 20);
}

/* LUN0 blocks 0-7 hold 0x99, blocks 8-15 0x55 */
static void seed_16(struct fixture *f)
{
	uint8_t blk[16 * 512];
	FILE *fp;

	memset(blk, 0x99, 8 * 512);
	memset(blk + 8 * 512, 0x55, 8 * 512);
	fp = fopen(f->lun0, "r+b");
	assert_non_null(fp);
	assert_int_equal(fwrite(blk, 1, sizeof(blk), fp), sizeof(blk));
	fclose(fp);
}

/* EXTENDED COPY(LID1) on LUN0, list id @id, blocks 8-15 to 0-7, held in the device */
static uint32_t xcopy_held(struct fixture *f, uint8_t id, const uint8_t *naa20)
{
	uint8_t cdb[16] = { 0x83, 0x00 }, list[16 + 32 + 28];
	struct pdu p;

	memset(list, 0, sizeof(list));
	list[0] = id;
	vitk_put_be16(list + 2, 32);
	vitk_put_be32(list + 8, 28);
	list[16] = 0xe4;
	memcpy(list + 16 + 4, naa20, 20);
	vitk_put_be24(list + 16 + 29, 512);
	list[48] = 0x02; /* block to block */
	vitk_put_be16(list + 48 + 2, 0x18);
	vitk_put_be16(list + 48 + 10, 8);
	vitk_put_be64(list + 48 + 12, 8);
	vitk_put_be64(list + 48 + 20, 0);
	vitk_put_be32(cdb + 10, sizeof(list));
	gate_close(0x83);
	scsi_cmd(f, 0xa1, 0, sizeof(list), cdb, sizeof(cdb));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_R2T);
	data_out(f, vitk_get_be32(p.h + 20), 0, 0, list, sizeof(list), true);
	gate_wait_inside();
	return f->itt;
}

/* wait (30 s at most) until a data movement waits at the copy gate */
static void copy_gate_wait_inside(void)
{
	struct timespec dl;
	bool in;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 30;
	pthread_mutex_lock(&gate_mu);
	while (copy_gate_inside == 0)
		if (pthread_cond_timedwait(&gate_cv, &gate_mu, &dl) != 0)
			break;
	in = copy_gate_inside > 0;
	pthread_mutex_unlock(&gate_mu);
	if (!in)
		fail_msg("no data movement reached the copy gate within 30 s");
}

/*
 * EXTENDED COPY(LID1) on LUN0, list id @id: blocks 8-11 to 0-3, then 12-15
 * to 20-23 (two runs), held inside the first one's data movement
 */
static uint32_t xcopy_two_held(struct fixture *f, uint8_t id, const uint8_t *naa20)
{
	uint8_t cdb[16] = { 0x83, 0x00 }, list[16 + 32 + 2 * 28];
	struct pdu p;
	int i;

	memset(list, 0, sizeof(list));
	list[0] = id;
	vitk_put_be16(list + 2, 32);
	vitk_put_be32(list + 8, 2 * 28);
	list[16] = 0xe4;
	memcpy(list + 16 + 4, naa20, 20);
	vitk_put_be24(list + 16 + 29, 512);
	for (i = 0; i < 2; i++) {
		uint8_t *g = list + 48 + 28 * i;

		g[0] = 0x02;
		vitk_put_be16(g + 2, 0x18);
		vitk_put_be16(g + 10, 4);
		vitk_put_be64(g + 12, 8 + 4 * (uint64_t)i);
		vitk_put_be64(g + 20, 20 * (uint64_t)i);
	}
	vitk_put_be32(cdb + 10, sizeof(list));
	pthread_mutex_lock(&gate_mu);
	copy_gate_closed = true;
	pthread_mutex_unlock(&gate_mu);
	scsi_cmd(f, 0xa1, 0, sizeof(list), cdb, sizeof(cdb));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_R2T);
	data_out(f, vitk_get_be32(p.h + 20), 0, 0, list, sizeof(list), true);
	copy_gate_wait_inside();
	return f->itt;
}

/*
 * ABORT TASK of an EXTENDED COPY running in the device (held there by the
 * gate): it stops at its cancellation point before its first chunk, gets no
 * response (TAS = 0), the TMF answers "function complete" and the
 * destination blocks keep their data.  The same copy not aborted writes them.
 */
static void test_odx_target_conn__abort_task_stops_xcopy(void **state)
{
	struct fixture *f = *state;
	uint8_t h[48], naa[20];
	struct pdu p;
	uint32_t xitt;

	seed_16(f);
	log_tmf_seen = false;
	vitk_set_log_fn(log_watch, NULL);
	login_normal(f, NULL);
	lun0_naa(f, naa);

	xitt = xcopy_held(f, 5, naa);
	memset(h, 0, 48);
	h[0] = 0x40 | ISCSI_OP_TMF_REQ;
	h[1] = 0x81;
	vitk_put_be32(h + 16, 0x77a);
	vitk_put_be32(h + 20, xitt);
	vitk_put_be32(h + 24, f->cmdsn);
	send_pdu(f->fd, h, NULL, 0);
	{
		struct timespec dl;

		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += 30;
		pthread_mutex_lock(&log_mu);
		while (!log_tmf_seen)
			if (pthread_cond_timedwait(&log_cv, &log_mu, &dl) != 0)
				break;
		pthread_mutex_unlock(&log_mu);
	}
	assert_true(log_tmf_seen);
	gate_release();
	/* the first PDU is the TMF response: the copy is not answered */
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_TMF_RSP);
	assert_int_equal(vitk_get_be32(p.h + 16), 0x77a);
	assert_int_equal(p.h[2], 0); /* function complete */
	assert_int_equal(tur_sense(f), 0);
	expect_block(f, 0, 0x99);
	expect_block(f, 7, 0x99);

	/* not aborted, the same copy writes the blocks */
	xitt = xcopy_held(f, 6, naa);
	gate_release();
	assert_int_equal(await_status(f, xitt), 0);
	expect_block(f, 0, 0x55);
	expect_block(f, 7, 0x55);
	expect_block(f, 8, 0x55);
	vitk_set_log_fn(NULL, NULL);
}

/*
 * PREEMPT AND ABORT of a session whose EXTENDED COPY is moving data (held in
 * its first run by the copy gate, past its unit attention and reservation
 * checks): the copy stops at the cancellation point before its second run
 * and gets no response (TAS = 0), the PREEMPT AND ABORT ends GOOD, the
 * preempted session hears REGISTRATIONS PREEMPTED then COMMANDS CLEARED;
 * the first run's blocks were written, the second run's were not.
 */
static void test_odx_target_conn__preempt_and_abort_stops_xcopy(void **state)
{
	struct fixture *f = *state, b;
	uint8_t pa_cdb[10] = { 0x5f, 5, 3, 0, 0, 0, 0, 0, 24, 0 }, prm[24] = { 0 }, naa[20];
	uint8_t z[8 * 512] = { 0 };
	uint32_t pa_itt;
	struct pdu p;
	FILE *fp;

	seed_16(f);
	fp = fopen(f->lun0, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 16 * 512, SEEK_SET), 0);
	memset(z, 0x33, sizeof(z)); /* blocks 16-23 */
	assert_int_equal(fwrite(z, 1, sizeof(z), fp), sizeof(z));
	fclose(fp);
	log_abort_seen = false;
	vitk_set_log_fn(log_watch, NULL);
	login_normal(f, NULL);
	b = *f;
	login_isid(&b, NULL, 8); /* session B: another initiator port */
	assert_int_equal(prout_pdu(f, 0, 0, 0, 0xaa), 0);  /* A registers */
	assert_int_equal(prout_pdu(&b, 0, 0, 0, 0xbb), 0); /* B registers */
	lun0_naa(f, naa);
	(void)xcopy_two_held(f, 7, naa);

	/* no reservation: PREEMPT AND ABORT removes A's registration, aborts A's commands */
	vitk_put_be64(prm, 0xbb);
	vitk_put_be64(prm + 8, 0xaa);
	scsi_cmd(&b, 0xa1, 0, sizeof(prm), pa_cdb, sizeof(pa_cdb));
	pa_itt = b.itt;
	assert_int_equal(recv_pdu(b.fd, &p), ISCSI_OP_R2T);
	data_out(&b, vitk_get_be32(p.h + 20), 0, 0, prm, sizeof(prm), true);
	{
		struct timespec dl;

		/* A's copy is flagged before the target says it aborts A's commands */
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += 30;
		pthread_mutex_lock(&log_mu);
		while (!log_abort_seen)
			if (pthread_cond_timedwait(&log_cv, &log_mu, &dl) != 0)
				break;
		pthread_mutex_unlock(&log_mu);
		assert_true(log_abort_seen);
	}
	copy_gate_open();
	assert_int_equal(await_status(&b, pa_itt), 0);
	/* the copy is not answered: A's next PDU answers its TEST UNIT READY */
	assert_int_equal(tur_sense(f), 0x2a05); /* REGISTRATIONS PREEMPTED */
	assert_int_equal(tur_sense(f), 0x2f00); /* COMMANDS CLEARED BY ANOTHER INITIATOR */
	assert_int_equal(tur_sense(f), 0);
	expect_block(f, 0, 0x55); /* the first run, moving when the abort came */
	expect_block(f, 3, 0x55);
	expect_block(f, 4, 0x99); /* never a destination */
	expect_block(f, 19, 0x33);
	expect_block(f, 20, 0x33); /* the second run: not written */
	expect_block(f, 23, 0x33);
	vitk_set_log_fn(NULL, NULL);
	close(b.fd);
}

/*
 * Task management does not wait for a running SANITIZE: its operation
 * belongs to the LUN (SBC-4 4.11) and runs on its own thread.  A BLOCK
 * ERASE (IMMED=0) held inside its erase by the gate: ABORT TASK naming it
 * answers "function rejected" (255), ABORT TASK SET and LUN RESET answer
 * "function complete", all while the erase is still held; the erase then
 * ends, the SANITIZE gets GOOD and the LUN reads back zeroes.
 */
static void test_odx_target_conn__tmf_does_not_wait_for_sanitize(void **state)
{
	struct fixture *f = *state;
	vitk_odx_target_lun l = VITK_ODX_TARGET_LUN_INIT;
	uint8_t san[10] = { 0x48, 0x02 }, blk[4096], back[4096], zero[4096] = { 0 };
	struct timeval tv = { 30, 0 };
	char path[320];
	uint32_t sitt;
	struct pdu p;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/san.img", f->dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	memset(blk, 0xab, sizeof(blk));
	assert_int_equal(fwrite(blk, 1, sizeof(blk), fp), sizeof(blk));
	fclose(fp);
	l.lun = 5;
	l.path = path;
	l.size = 1024 * 1024;
	l.sanitize = true;
	assert_int_equal(vitk_odx_target_add_lun(f->t, &l), 0);
	login_normal(f, NULL);
	/* a TMF that waited would leave recv() to time out: a failure, not a hang */
	assert_int_equal(setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);

	pthread_mutex_lock(&gate_mu);
	copy_gate_closed = true;
	pthread_mutex_unlock(&gate_mu);
	scsi_cmd(f, 0x81, 5, 0, san, sizeof(san)); /* BLOCK ERASE, IMMED=0 */
	sitt = f->itt;
	copy_gate_wait_inside();

	tmf(f, 1, 5, sitt, 255);         /* ABORT TASK: function rejected */
	tmf(f, 2, 5, ISCSI_RSVD_TAG, 0); /* ABORT TASK SET: function complete */
	tmf(f, 5, 5, ISCSI_RSVD_TAG, 0); /* LOGICAL UNIT RESET: function complete */
	pthread_mutex_lock(&gate_mu);
	assert_int_equal(copy_gate_inside, 1); /* the erase is still held */
	pthread_mutex_unlock(&gate_mu);

	copy_gate_open();
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_SCSI_RSP);
	assert_int_equal(vitk_get_be32(p.h + 16), sitt);
	assert_int_equal(p.h[3], 0); /* GOOD */
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(back, 1, sizeof(back), fp), sizeof(back));
	fclose(fp);
	assert_memory_equal(back, zero, sizeof(back));
	unlink(path);
}

/*
 * ORDERED (SAM-5 8.6): it starts only after every earlier command ended, and
 * nothing after it starts before it ended.  The device's log of entries and
 * exits shows the order.
 */
static void test_odx_target_conn__queueing_ordered(void **state)
{
	struct fixture *f = *state;
	uint8_t sync[10] = { 0x35, 0 }, tur[6] = { 0 };
	uint32_t sitt, titt, ritt;
	static const char want[] = { '<', 0x35, '>', 0x35, '<', 0x00, '>', 0x00, '<', 0x28,
				     '>', 0x28 };

	login_normal(f, NULL);
	gate_close(0x35);
	scsi_cmd(f, 0x81, 0, 0, sync, sizeof(sync)); /* SIMPLE, held at the gate */
	sitt = f->itt;
	gate_wait_inside();
	scsi_cmd(f, 0x82, 0, 0, tur, sizeof(tur)); /* ORDERED: waits for the SYNC */
	titt = f->itt;
	ritt = read4k(f, 1);                          /* SIMPLE after it: waits too */
	gate_release();
	assert_int_equal(await_status(f, sitt), 0);
	assert_int_equal(await_status(f, titt), 0);
	assert_int_equal(await_status(f, ritt), 0);
	pthread_mutex_lock(&gate_mu);
	assert_int_equal(gate_nlog, sizeof(want));
	assert_memory_equal(gate_log, want, sizeof(want));
	pthread_mutex_unlock(&gate_mu);
}

static void test_odx_target_conn__task_management_and_logout(void **state)
{
	struct fixture *f = *state;
	uint8_t cdb[10] = { 0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0 }, h[48];
	uint8_t blk[512];
	struct pdu p;
	uint32_t witt, ttt;

	login_normal(f, NULL);
	fake_lun_resets = 0;
	tmf(f, 1, 0, 0x4242, 1);  /* ABORT TASK of an unknown task: does not exist */
	tmf(f, 5, 0, 0, 0);       /* LUN RESET */
	assert_int_equal(fake_lun_resets, 1);
	tmf(f, 5, 9, 0, 2);       /* LUN RESET of a missing LUN */
	tmf(f, 6, 0, 0, 0);       /* TARGET WARM RESET: every LUN */
	assert_int_equal(fake_lun_resets, 3);
	tmf(f, 8, 0, 0, 4);       /* TASK REASSIGN at ERL 0 */

	/* ABORT TASK of a write waiting for its R2T data: answered after the burst */
	scsi_cmd(f, 0xa0, 0, 512, cdb, sizeof(cdb));
	witt = f->itt;
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_R2T);
	ttt = vitk_get_be32(p.h + 20);
	memset(h, 0, 48);
	h[0] = 0x40 | ISCSI_OP_TMF_REQ;
	h[1] = 0x81;
	vitk_put_be32(h + 16, 0x999);
	vitk_put_be32(h + 20, witt);
	vitk_put_be32(h + 24, f->cmdsn);
	send_pdu(f->fd, h, NULL, 0);
	memset(blk, 0xee, sizeof(blk));
	f->itt = witt;
	data_out(f, ttt, 0, 0, blk, sizeof(blk), true);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_TMF_RSP);
	assert_int_equal(vitk_get_be32(p.h + 16), 0x999);
	assert_int_equal(p.h[2], 0);

	/* NOP-Out ping echoes its data */
	memset(h, 0, 48);
	h[0] = 0x40 | ISCSI_OP_NOP_OUT;
	h[1] = 0x80;
	vitk_put_be32(h + 16, 0x55);
	vitk_put_be32(h + 20, ISCSI_RSVD_TAG);
	vitk_put_be32(h + 24, f->cmdsn);
	send_pdu(f->fd, h, "hello", 5);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_NOP_IN);
	assert_int_equal(vitk_get_be32(p.h + 16), 0x55);
	assert_int_equal(p.len, 5);
	assert_memory_equal(p.data, "hello", 5);

	memset(h, 0, 48);
	h[0] = 0x40 | ISCSI_OP_LOGOUT_REQ;
	h[1] = 0x80;
	vitk_put_be32(h + 16, 0x66);
	vitk_put_be32(h + 24, f->cmdsn);
	send_pdu(f->fd, h, NULL, 0);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGOUT_RSP);
	assert_int_equal(p.h[2], 0);
	assert_int_equal(recv_pdu(f->fd, &p), -1);
	/* the device saw this session's nexus on its commands, then its end */
	assert_true(fake_last_nexus != 0);
	for (int i = 0; i < 200 && fake_nexus_gone != fake_last_nexus; i++)
		usleep(10000); /* the connection thread finishes after closing */
	assert_true(fake_nexus_gone == fake_last_nexus);
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* PDU with CRC32C header and data digests; @bad_hd corrupts the header digest */
static void send_pdu_dig(int fd, const uint8_t *h, const uint8_t *data, uint32_t len, bool bad_hd)
{
	uint8_t buf[48 + 4 + 8192 + 4];
	size_t n = 0;
	uint32_t padded = iscsi_pad4(len);

	assert_true(len <= 8192);
	memcpy(buf, h, 48);
	vitk_put_be24(buf + 5, len);
	le32(buf + 48, vitk_odx_target__crc32c(0, buf, 48, true, true) ^ (bad_hd ? 1u : 0u));
	n = 52;
	if (len) {
		memset(buf + n, 0, padded);
		memcpy(buf + n, data, len);
		le32(buf + n + padded, vitk_odx_target__crc32c(0, buf + n, padded, true, true));
		n += padded + 4;
	}
	assert_int_equal(send(fd, buf, n, MSG_NOSIGNAL), (ssize_t)n);
}

static int recv_pdu_dig(int fd, struct pdu *p)
{
	uint8_t d[4];
	uint32_t padded;

	if (recv_full(fd, p->h, 48) < 0 || recv_full(fd, d, 4) < 0)
		return -1;
	assert_int_equal(vitk_odx_target__crc32c(0, p->h, 48, true, true),
			 (uint32_t)(d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24));
	p->len = vitk_get_be24(p->h + 5);
	padded = iscsi_pad4(p->len);
	if (padded) {
		if (recv_full(fd, p->data, padded) < 0 || recv_full(fd, d, 4) < 0)
			return -1;
		assert_int_equal(vitk_odx_target__crc32c(0, p->data, padded, true, true),
				 (uint32_t)(d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24));
	}
	return p->h[0] & 0x3f;
}

static void test_odx_target_conn__crc32c_digests(void **state)
{
	struct fixture *f = *state;
	static const char keys[] =
		"InitiatorName=iqn.2026-01.test:init\0SessionType=Normal\0TargetName=" IQN "\0"
		"HeaderDigest=CRC32C,None\0DataDigest=CRC32C\0MaxRecvDataSegmentLength=8192\0";
	uint8_t h[48], blk[1000], cdb[10] = { 0x2a, 0, 0, 0, 0, 4, 0, 0, 2, 0 };
	struct pdu p;
	iscsi_text t;
	uint32_t ttt;
	unsigned i;

	f->fd = dial();
	login_hdr(h, 1, 3, true);
	send_pdu(f->fd, h, keys, sizeof(keys) - 1);
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_LOGIN_RSP); /* login: no digests */
	assert_int_equal(p.h[36], 0);
	text_of(&p, &t);
	assert_string_equal(kv(&t, "HeaderDigest"), "CRC32C");
	assert_string_equal(kv(&t, "DataDigest"), "CRC32C");
	vitk_odx_target__text_dispose(&t);

	/* WRITE(10) of 2 blocks at LBA 4 in PDUs of 1000 bytes (padding inside the digest) */
	for (i = 0; i < sizeof(blk); i++)
		blk[i] = (uint8_t)(i ^ 0x5a);
	memset(h, 0, 48);
	h[0] = ISCSI_OP_SCSI_CMD;
	h[1] = 0xa0;
	vitk_put_be32(h + 16, 0x31);
	vitk_put_be32(h + 20, 1024);
	vitk_put_be32(h + 24, 1000);
	memcpy(h + 32, cdb, sizeof(cdb));
	send_pdu_dig(f->fd, h, NULL, 0, false);
	assert_int_equal(recv_pdu_dig(f->fd, &p), ISCSI_OP_R2T);
	ttt = vitk_get_be32(p.h + 20);
	assert_int_equal(vitk_get_be32(p.h + 44), 1024);
	memset(h, 0, 48);
	h[0] = ISCSI_OP_DATA_OUT;
	vitk_put_be32(h + 16, 0x31);
	vitk_put_be32(h + 20, ttt);
	send_pdu_dig(f->fd, h, blk, 1000, false);
	h[1] = 0x80;
	vitk_put_be32(h + 36, 1);
	vitk_put_be32(h + 40, 1000);
	send_pdu_dig(f->fd, h, blk, 24, false);
	assert_int_equal(recv_pdu_dig(f->fd, &p), ISCSI_OP_SCSI_RSP);
	assert_int_equal(p.h[3], 0);

	cdb[0] = 0x28;
	memset(h, 0, 48);
	h[0] = ISCSI_OP_SCSI_CMD;
	h[1] = 0xc0;
	vitk_put_be32(h + 16, 0x32);
	vitk_put_be32(h + 20, 1024);
	vitk_put_be32(h + 24, 1001);
	memcpy(h + 32, cdb, sizeof(cdb));
	send_pdu_dig(f->fd, h, NULL, 0, false);
	assert_int_equal(recv_pdu_dig(f->fd, &p), ISCSI_OP_DATA_IN);
	assert_int_equal(p.len, 1024);
	assert_memory_equal(p.data, blk, 1000);
	assert_memory_equal(p.data + 1000, blk, 24);

	/* a corrupted header digest ends the connection (ErrorRecoveryLevel 0) */
	memset(h, 0, 48);
	h[0] = 0x40 | ISCSI_OP_NOP_OUT;
	h[1] = 0x80;
	vitk_put_be32(h + 16, 0x33);
	vitk_put_be32(h + 20, ISCSI_RSVD_TAG);
	send_pdu_dig(f->fd, h, NULL, 0, true);
	assert_int_equal(recv_pdu(f->fd, &p), -1);
}

static void test_odx_target_conn__session_reinstatement(void **state)
{
	struct fixture *f = *state;
	int first;
	struct pdu p;
	uint8_t tur[6] = { 0 };

	login_normal(f, NULL);
	first = f->fd;
	/* the same InitiatorName and ISID log in again: the old session goes */
	login_normal(f, NULL);
	assert_int_equal(recv_pdu(first, &p), -1);
	close(first);
	scsi_cmd(f, 0x80, 0, 0, tur, sizeof(tur));
	assert_int_equal(recv_pdu(f->fd, &p), ISCSI_OP_SCSI_RSP);
	assert_int_equal(p.h[3], 0);
}

static void test_odx_target_conn__stats_and_portal(void **state)
{
	struct fixture *f = *state;
	vitk_odx_target_stats s;
	char host[64];
	uint16_t port;

	assert_int_equal(vitk_odx_target_port(f->t), PORT);
	assert_int_equal(vitk_odx_target_lun_count(f->t), 2);
	assert_int_equal(vitk_odx_target_lun_stats(f->t, 1, &s), 0);
	assert_int_equal(s.lun, 3);
	assert_int_equal(vitk_odx_target_lun_stats(f->t, 2, &s), VITK_ENOTFOUND);
	assert_int_equal(vitk_odx_target_parse_portal("[::1]:3260", host, sizeof(host), &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 3260);
	assert_int_equal(vitk_odx_target_parse_portal("h:99999", host, sizeof(host), &port),
			 VITK_EINVAL);
	assert_int_equal(vitk_odx_target_parse_portal("nocolon", host, sizeof(host), &port),
			 VITK_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_odx_target_conn__operational_negotiation,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__unknown_target_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__chap_ok, setup_chap,
						teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__chap_wrong_secret,
						setup_chap, teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__chap_required, setup_chap,
						teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__r2t_write_and_data_in, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__residuals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__report_luns_and_missing_lun,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__discovery_sendtargets, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__task_management_and_logout,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__session_reinstatement,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__crc32c_digests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__queueing_long_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__preempt_and_abort, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__abort_task_stops_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__abort_task_stops_xcopy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__preempt_and_abort_stops_xcopy,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__tmf_does_not_wait_for_sanitize,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__queueing_ordered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_odx_target_conn__stats_and_portal, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
