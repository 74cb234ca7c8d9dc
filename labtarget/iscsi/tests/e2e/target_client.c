/* SPDX-License-Identifier: MIT */
/*
 * Test client for `vitk odx serve` end-to-end tests.
 *
 *   target_client write PORTAL IQN LUN BS FILE        write FILE at LBA 0 (libiscsi, WRITE16)
 *   target_client read  PORTAL IQN LUN BS LEN OUT     read LEN bytes from LBA 0 into OUT
 *   target_client raw   HOST PORT IQN SCENARIO        hand-made PDUs over a raw socket
 *   target_client odx   PORTAL IQN SRC DST BYTES        POPULATE TOKEN over SRC [0, BYTES),
 *       RRTI, WRITE USING TOKEN to DST; prints "pt=S wut=S status=XX transfer=N"
 *       (SCSI statuses, RRTI copy operation status and transfer count of the WUT)
 *
 *   target_client flood PORTAL IQN LUN MAX        POPULATE TOKENs (inactivity 3600 s) on one
 *       session until one fails or MAX succeeded; prints "tokens=N sense=K/ASC/ASCQ"
 *   target_client loris HOST PORT N SRC SECONDS    N connections from address SRC, each
 *       sending a login one byte a second; exit 0 when the target closed every one of them
 *       within SECONDS; prints "closed=N refused=R last=S" (R: closed within 2 s)
 *
 *   target_client hold PORTAL IQN LUN FILE        log in, wait (up to 30 s) until FILE
 *       exists, then TEST UNIT READY and REPORT LUNS on the same session; prints
 *       "tur=STATUS sense=K/ASC/ASCQ luns=N" (a unit attention shows in sense)
 *
 *   target_client steps PORTAL IQN LUN DIR N     log in, then N times: wait (up to 30 s)
 *       for DIR/go.K, TEST UNIT READY, READ CAPACITY(16) and REPORT LUNS on the same
 *       session, print "step=K tur=STATUS sense=K/ASC/ASCQ cap=BYTES luns=N" and create
 *       DIR/done.K (cap=-STATUS when READ CAPACITY failed)
 *   target_client hammer PORTAL IQN LUN STOPFILE  READ(16)s of 4 KiB at LBAs 0..255 on
 *       one session until STOPFILE exists (at most 120 s), each followed by a TEST UNIT
 *       READY to LUN+1 or LUN+2 (masked from the session: LOGICAL UNIT NOT SUPPORTED,
 *       counted as absent) and every 8th by REPORT LUNS; a unit attention is counted
 *       and the command retried; prints "reads=N ua=U absent=A errors=E", exit 1 on
 *       any error
 *
 * TARGET_CLIENT_DIGEST=crc32c makes read/write log in with HeaderDigest=CRC32C.
 * TARGET_CLIENT_INITIATOR sets the InitiatorName; TARGET_CLIENT_CHAP=USER:SECRET logs in
 * with CHAP, TARGET_CLIENT_MUTUAL=USER:SECRET also asks the target to authenticate itself.
 * A failed WRITE prints its sense as "sense K/ASC/ASCQ".
 *
 * Raw scenarios (exit 0 when the target behaved as RFC 7143 asks):
 *   garbage      48 bytes of 0xff before login: the connection is dropped
 *   scsi-first   a SCSI Command as first PDU: the connection is dropped
 *   bad-opcode   unknown opcode in full feature phase: Reject (reason 05), session goes on
 *   bad-ahs      SCSI Command with an unknown AHS type: Reject (reason 09), session goes on
 *   oversize     DataSegmentLength over MaxRecvDataSegmentLength: the connection is dropped
 *   cmdsn-window NOP-Out with CmdSN past MaxCmdSN is ignored; the next in-window one answered
 *   truncated    half a header, then close
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define CHUNK (1024 * 1024)

/* "USER:SECRET" from @env into CHAP credentials (mutual: the target's) */
static int env_chap(struct iscsi_context *ic, const char *env, bool mutual)
{
	const char *v = getenv(env), *colon = v ? strchr(v, ':') : NULL;
	char user[256];

	if (!colon)
		return 0;
	snprintf(user, sizeof(user), "%.*s", (int)(colon - v), v);
	return mutual ? iscsi_set_target_username_pwd(ic, user, colon + 1)
		      : iscsi_set_initiator_username_pwd(ic, user, colon + 1);
}

static struct iscsi_context *connect_lun(const char *portal, const char *iqn, int lun)
{
	const char *name = getenv("TARGET_CLIENT_INITIATOR");
	struct iscsi_context *ic =
		iscsi_create_context(name ? name : "iqn.2026-01.test:target-client");

	if (!ic) {
		fprintf(stderr, "cannot create libiscsi context\n");
		return NULL;
	}
	if (env_chap(ic, "TARGET_CLIENT_CHAP", false) || env_chap(ic, "TARGET_CLIENT_MUTUAL", true)) {
		fprintf(stderr, "cannot set CHAP credentials: %s\n", iscsi_get_error(ic));
		iscsi_destroy_context(ic);
		return NULL;
	}
	iscsi_set_targetname(ic, iqn);
	iscsi_set_session_type(ic, ISCSI_SESSION_NORMAL);
	/* TARGET_CLIENT_DIGEST=crc32c: ask for CRC32C header digests only */
	if (getenv("TARGET_CLIENT_DIGEST") && !strcmp(getenv("TARGET_CLIENT_DIGEST"), "crc32c"))
		iscsi_set_header_digest(ic, ISCSI_HEADER_DIGEST_CRC32C);
	else
		iscsi_set_header_digest(ic, ISCSI_HEADER_DIGEST_NONE);
	if (iscsi_full_connect_sync(ic, portal, lun) != 0) {
		fprintf(stderr, "login to %s %s lun %d failed: %s\n", portal, iqn, lun,
			iscsi_get_error(ic));
		iscsi_destroy_context(ic);
		return NULL;
	}
	return ic;
}

static int do_write(char **argv)
{
	int lun = atoi(argv[3]), bs = atoi(argv[4]);
	FILE *f = fopen(argv[5], "rb");
	struct iscsi_context *ic = NULL;
	unsigned char *buf = malloc(CHUNK);
	uint64_t lba = 0;
	size_t n;
	int rc = 1;

	if (!f || !buf || bs <= 0)
		goto out;
	ic = connect_lun(argv[1], argv[2], lun);
	if (!ic)
		goto out;
	while ((n = fread(buf, 1, CHUNK, f)) > 0) {
		struct scsi_task *t;

		if (n % (size_t)bs) {
			fprintf(stderr, "file size is not a multiple of %d\n", bs);
			goto out;
		}
		t = iscsi_write16_sync(ic, lun, lba, buf, (uint32_t)n, bs, 0, 0, 0, 0, 0);
		if (!t || t->status != SCSI_STATUS_GOOD) {
			fprintf(stderr, "WRITE16 at lba %llu failed: %s\n", (unsigned long long)lba,
				iscsi_get_error(ic));
			if (t && t->status == SCSI_STATUS_CHECK_CONDITION)
				fprintf(stderr, "sense %x/%02x/%02x\n", (unsigned)t->sense.key,
					(unsigned)(t->sense.ascq >> 8) & 0xff,
					(unsigned)t->sense.ascq & 0xff);
			if (t)
				scsi_free_scsi_task(t);
			goto out;
		}
		scsi_free_scsi_task(t);
		lba += n / (size_t)bs;
	}
	rc = 0;
out:
	if (ic) {
		iscsi_logout_sync(ic);
		iscsi_destroy_context(ic);
	}
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

static int do_read(char **argv)
{
	int lun = atoi(argv[3]), bs = atoi(argv[4]);
	uint64_t left = strtoull(argv[5], NULL, 0), lba = 0;
	FILE *f = fopen(argv[6], "wb");
	struct iscsi_context *ic = NULL;
	int rc = 1;

	if (!f || bs <= 0)
		goto out;
	ic = connect_lun(argv[1], argv[2], lun);
	if (!ic)
		goto out;
	while (left > 0) {
		uint32_t n = left > CHUNK ? CHUNK : (uint32_t)left;
		struct scsi_task *t = iscsi_read16_sync(ic, lun, lba, n, bs, 0, 0, 0, 0, 0);

		if (!t || t->status != SCSI_STATUS_GOOD || t->datain.size != (int)n) {
			fprintf(stderr, "READ16 at lba %llu failed: %s\n", (unsigned long long)lba,
				iscsi_get_error(ic));
			if (t)
				scsi_free_scsi_task(t);
			goto out;
		}
		fwrite(t->datain.data, 1, n, f);
		scsi_free_scsi_task(t);
		left -= n;
		lba += n / (uint32_t)bs;
	}
	rc = 0;
out:
	if (ic) {
		iscsi_logout_sync(ic);
		iscsi_destroy_context(ic);
	}
	if (f && fclose(f) != 0)
		rc = 1;
	return rc;
}

/* ---- ODX token copy (512-byte blocks) ---- */

static void be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v);
}

static void be64(uint8_t *p, uint64_t v)
{
	be32(p, (uint32_t)(v >> 32));
	be32(p + 4, (uint32_t)v);
}

static struct scsi_task *tpc(struct iscsi_context *ic, int lun, uint8_t op, uint8_t sa,
			     uint32_t list_id, uint8_t *pl, uint32_t len, uint32_t alloc)
{
	struct scsi_task *t = calloc(1, sizeof(*t));
	struct iscsi_data d = { len, pl };

	t->cdb[0] = op;
	t->cdb[1] = sa;
	be32(t->cdb + (op == 0x83 ? 6 : 2), list_id);
	be32(t->cdb + 10, op == 0x83 ? len : alloc);
	t->cdb_size = 16;
	t->xfer_dir = op == 0x83 ? SCSI_XFER_WRITE : SCSI_XFER_READ;
	t->expxferlen = op == 0x83 ? len : alloc;
	if (!iscsi_scsi_command_sync(ic, lun, t, op == 0x83 ? &d : NULL)) {
		fprintf(stderr, "%02x/%02x: %s\n", op, sa, iscsi_get_error(ic));
		scsi_free_scsi_task(t);
		return NULL;
	}
	return t;
}

static int do_odx(char **argv)
{
	int src = atoi(argv[3]), dst = atoi(argv[4]);
	uint64_t blocks = strtoull(argv[5], NULL, 0) / 512;
	struct iscsi_context *ic = connect_lun(argv[1], argv[2], src);
	uint8_t pt[32], wut[552];
	struct scsi_task *t;
	int pt_status, wut_status, off;

	if (!ic)
		return 1;
	memset(pt, 0, sizeof(pt));
	be16(pt, sizeof(pt) - 2);
	be16(pt + 14, 16);
	be64(pt + 16, 0);
	be32(pt + 24, (uint32_t)blocks);
	t = tpc(ic, src, 0x83, 0x10, 1, pt, sizeof(pt), 0);
	if (!t)
		return 1;
	pt_status = t->status;
	scsi_free_scsi_task(t);
	t = tpc(ic, src, 0x84, 0x07, 1, NULL, 0, 1024);
	if (!t || t->status != SCSI_STATUS_GOOD || t->datain.size < 38) {
		fprintf(stderr, "RRTI after POPULATE TOKEN failed\n");
		return 1;
	}
	off = 32 + t->datain.data[13] + 6;
	if (t->datain.size < off + 512) {
		fprintf(stderr, "RRTI returned no ROD token\n");
		return 1;
	}
	memset(wut, 0, sizeof(wut));
	be16(wut, sizeof(wut) - 2);
	memcpy(wut + 16, t->datain.data + off, 512);
	be16(wut + 534, 16);
	be64(wut + 536, 0);
	be32(wut + 544, (uint32_t)blocks);
	scsi_free_scsi_task(t);
	t = tpc(ic, dst, 0x83, 0x11, 2, wut, sizeof(wut), 0);
	if (!t)
		return 1;
	wut_status = t->status;
	scsi_free_scsi_task(t);
	t = tpc(ic, dst, 0x84, 0x07, 2, NULL, 0, 1024);
	if (!t || t->status != SCSI_STATUS_GOOD || t->datain.size < 24) {
		fprintf(stderr, "RRTI after WRITE USING TOKEN failed\n");
		return 1;
	}
	printf("pt=%02x wut=%02x status=%02x transfer=%llu\n", pt_status, wut_status,
	       t->datain.data[5] & 0x7f,
	       (unsigned long long)(((uint64_t)t->datain.data[16] << 56) |
				    ((uint64_t)t->datain.data[17] << 48) |
				    ((uint64_t)t->datain.data[18] << 40) |
				    ((uint64_t)t->datain.data[19] << 32) |
				    ((uint64_t)t->datain.data[20] << 24) |
				    ((uint64_t)t->datain.data[21] << 16) |
				    ((uint64_t)t->datain.data[22] << 8) | t->datain.data[23]));
	scsi_free_scsi_task(t);
	iscsi_logout_sync(ic);
	iscsi_destroy_context(ic);
	return 0;
}

/* ---- token table flood ---- */

static int do_flood(char **argv)
{
	int lun = atoi(argv[3]);
	unsigned max = (unsigned)atoi(argv[4]), n;
	struct iscsi_context *ic = connect_lun(argv[1], argv[2], lun);
	uint8_t pt[32];

	if (!ic)
		return 1;
	for (n = 0; n < max; n++) {
		struct scsi_task *t;

		memset(pt, 0, sizeof(pt));
		be16(pt, sizeof(pt) - 2);
		be32(pt + 4, 3600); /* inactivity timeout: an hour */
		be16(pt + 14, 16);
		be64(pt + 16, n % 1024);
		be32(pt + 24, 1);
		t = tpc(ic, lun, 0x83, 0x10, 1000 + n, pt, sizeof(pt), 0);
		if (!t)
			return 1;
		if (t->status != SCSI_STATUS_GOOD) {
			printf("tokens=%u sense=%x/%02x/%02x\n", n, (unsigned)t->sense.key,
			       (unsigned)(t->sense.ascq >> 8) & 0xff, (unsigned)t->sense.ascq & 0xff);
			fflush(stdout);
			scsi_free_scsi_task(t);
			sleep(60); /* the session stays logged in until the caller kills us */
			iscsi_destroy_context(ic);
			return 0;
		}
		scsi_free_scsi_task(t);
	}
	printf("tokens=%u sense=0/00/00\n", n);
	iscsi_destroy_context(ic);
	return 0;
}

/* ---- raw PDUs ---- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int send_all(int fd, const void *b, size_t n)
{
	return send(fd, b, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* read one PDU; returns opcode, -1 on EOF/error, -2 on timeout */
static int recv_pdu(int fd, uint8_t *hdr, uint8_t *data, size_t cap, int timeout_ms)
{
	size_t got = 0, dlen;
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, timeout_ms) == 0)
		return -2;
	while (got < 48) {
		ssize_t n = recv(fd, hdr + got, 48 - got, 0);

		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	dlen = ((size_t)hdr[5] << 16 | (size_t)hdr[6] << 8 | hdr[7]);
	dlen = (dlen + 3) & ~(size_t)3;
	if (dlen > cap)
		return -1;
	got = 0;
	while (got < dlen) {
		ssize_t n = recv(fd, data + got, dlen - got, 0);

		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return hdr[0] & 0x3f;
}

static int dial(const char *host, int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, host, &sa.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("connect");
		exit(2);
	}
	return fd;
}

static uint32_t g_cmdsn;

static int login(int fd, const char *iqn)
{
	uint8_t h[48], rh[48], data[8192], rdata[65536];
	int n;

	n = snprintf((char *)data, sizeof(data),
		     "InitiatorName=iqn.2026-01.test:raw%cSessionType=Normal%cTargetName=%s%c"
		     "HeaderDigest=None%cDataDigest=None%cMaxRecvDataSegmentLength=65536%c",
		     0, 0, iqn, 0, 0, 0, 0);
	memset(h, 0, sizeof(h));
	h[0] = 0x43;
	h[1] = 0x80 | (1 << 2) | 3; /* T, CSG=1, NSG=3 */
	h[5] = 0;
	h[6] = (uint8_t)(n >> 8);
	h[7] = (uint8_t)n;
	h[8] = 0x80; /* ISID: random type */
	h[13] = 1;
	put32(h + 16, 1);
	g_cmdsn = 100;
	put32(h + 24, g_cmdsn);
	while (n % 4)
		data[n++] = 0;
	if (send_all(fd, h, 48) || send_all(fd, data, (size_t)n))
		return -1;
	if (recv_pdu(fd, rh, rdata, sizeof(rdata), 5000) != 0x23 || rh[36] != 0 ||
	    (rh[1] & 0x83) != 0x83) {
		fprintf(stderr, "login failed: status %02x%02x flags %02x\n", rh[36], rh[37], rh[1]);
		return -1;
	}
	g_cmdsn = get32(rh + 28);
	return 0;
}

static int nop(int fd, uint32_t itt, uint32_t cmdsn)
{
	uint8_t h[48];

	memset(h, 0, sizeof(h));
	h[0] = 0x00;
	h[1] = 0x80;
	put32(h + 16, itt);
	put32(h + 20, 0xffffffffu);
	put32(h + 24, cmdsn);
	return send_all(fd, h, 48);
}

static int expect_nop_in(int fd, uint32_t itt)
{
	uint8_t rh[48], rd[65536];
	int op = recv_pdu(fd, rh, rd, sizeof(rd), 5000);

	if (op != 0x20 || get32(rh + 16) != itt) {
		fprintf(stderr, "expected NOP-In for ITT %u, got opcode %d ITT %u\n", itt, op,
			op >= 0 ? get32(rh + 16) : 0);
		return -1;
	}
	return 0;
}

static int expect_closed(int fd)
{
	uint8_t rh[48], rd[65536];
	int op;

	/* a Reject may come first; then the connection must end */
	do {
		op = recv_pdu(fd, rh, rd, sizeof(rd), 10000);
	} while (op == 0x3f);
	if (op != -1) {
		fprintf(stderr, "expected the target to drop the connection, got %d\n", op);
		return -1;
	}
	return 0;
}

static int do_raw(char **argv)
{
	const char *host = argv[1], *iqn = argv[3], *sc = argv[4];
	int port = atoi(argv[2]);
	int fd = dial(host, port);
	uint8_t h[48], rh[48], rd[65536];
	int op;

	memset(h, 0, sizeof(h));
	if (!strcmp(sc, "garbage")) {
		memset(h, 0xff, sizeof(h));
		if (send_all(fd, h, 48))
			return 1;
		return expect_closed(fd) ? 1 : 0;
	}
	if (!strcmp(sc, "scsi-first")) {
		h[0] = 0x01;
		h[1] = 0x80;
		h[32] = 0x00; /* TEST UNIT READY */
		if (send_all(fd, h, 48))
			return 1;
		return expect_closed(fd) ? 1 : 0;
	}
	if (!strcmp(sc, "truncated")) {
		if (send_all(fd, h, 20))
			return 1;
		close(fd);
		return 0;
	}
	if (login(fd, iqn))
		return 1;
	if (!strcmp(sc, "bad-opcode")) {
		h[0] = 0x40 | 0x1c;
		h[1] = 0x80;
		put32(h + 16, 9);
		if (send_all(fd, h, 48))
			return 1;
		op = recv_pdu(fd, rh, rd, sizeof(rd), 5000);
		if (op != 0x3f || rh[2] != 0x05) {
			fprintf(stderr, "expected Reject(05), got opcode %d reason %d\n", op, rh[2]);
			return 1;
		}
		if (nop(fd, 10, g_cmdsn) || expect_nop_in(fd, 10))
			return 1;
		return 0;
	}
	if (!strcmp(sc, "bad-ahs")) {
		uint8_t ahs[8] = { 0, 5, 9, 0, 1, 2, 3, 4 };

		h[0] = 0x01;
		h[1] = 0x80;
		h[4] = 2;
		put32(h + 16, 11);
		put32(h + 24, g_cmdsn);
		if (send_all(fd, h, 48) || send_all(fd, ahs, sizeof(ahs)))
			return 1;
		op = recv_pdu(fd, rh, rd, sizeof(rd), 5000);
		if (op != 0x3f || rh[2] != 0x09) {
			fprintf(stderr, "expected Reject(09), got opcode %d reason %d\n", op, rh[2]);
			return 1;
		}
		/* the rejected command consumed CmdSN g_cmdsn */
		if (nop(fd, 12, g_cmdsn + 1) || expect_nop_in(fd, 12))
			return 1;
		return 0;
	}
	if (!strcmp(sc, "oversize")) {
		h[0] = 0x00;
		h[1] = 0x80;
		h[5] = 0x10; /* 1 MiB: over the 256 KiB the target declared */
		put32(h + 16, 13);
		put32(h + 20, 0xffffffffu);
		put32(h + 24, g_cmdsn);
		if (send_all(fd, h, 48))
			return 1;
		return expect_closed(fd) ? 1 : 0;
	}
	if (!strcmp(sc, "cmdsn-window")) {
		if (nop(fd, 14, g_cmdsn + 1000))
			return 1;
		/* PDUs are handled in order: had 14 been answered, its NOP-In came first */
		if (nop(fd, 15, g_cmdsn) || expect_nop_in(fd, 15))
			return 1;
		return 0;
	}
	fprintf(stderr, "unknown scenario '%s'\n", sc);
	return 2;
}

/* slow loris: N logins that never finish, one byte a second each */
static int do_loris(char **argv)
{
	static const char keys[] = "InitiatorName=iqn.2026-01.test:loris\0TargetName=x\0";
	int port = atoi(argv[2]), n = atoi(argv[3]), limit = atoi(argv[5]);
	int *fds = calloc((size_t)n, sizeof(int)), i, open_left, refused = 0, closed = 0;
	double *when = calloc((size_t)n, sizeof(double)), last = 0;
	uint8_t pdu[48 + sizeof(keys)];
	struct timespec t0, now;

	if (!fds || !when || n <= 0)
		return 2;
	memset(pdu, 0, sizeof(pdu));
	pdu[0] = 0x43;
	pdu[1] = 0x87;
	pdu[7] = sizeof(keys) - 1;
	memcpy(pdu + 48, keys, sizeof(keys) - 1);
	for (i = 0; i < n; i++) {
		struct sockaddr_in sa;

		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		inet_pton(AF_INET, argv[4], &sa.sin_addr);
		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return 2;
		sa.sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, argv[1], &sa.sin_addr);
		if (connect(fds[i], (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return 2;
		when[i] = -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int sec = 0; sec <= limit; sec++) {
		open_left = 0;
		for (i = 0; i < n; i++) {
			char c;

			if (when[i] >= 0)
				continue;
			clock_gettime(CLOCK_MONOTONIC, &now);
			ssize_t got = recv(fds[i], &c, 1, MSG_DONTWAIT);

			if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
			    (sec < (int)sizeof(pdu) &&
			     send(fds[i], pdu + sec, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)) {
				when[i] = (double)(now.tv_sec - t0.tv_sec) +
					  (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
				closed++;
				refused += when[i] < 2.0;
				last = when[i] > last ? when[i] : last;
				continue;
			}
			open_left++;
		}
		if (!open_left)
			break;
		sleep(1);
	}
	printf("closed=%d refused=%d last=%.1f\n", closed, refused, last);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	free(when);
	return closed == n ? 0 : 1;
}

static int do_hold(char **argv)
{
	int lun = atoi(argv[3]), i;
	struct iscsi_context *ic = connect_lun(argv[1], argv[2], lun);
	struct scsi_task *t;
	struct scsi_reportluns_list *rl;
	unsigned luns = 0;

	if (!ic)
		return 1;
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < 600 && access(argv[4], F_OK) != 0; i++)
		usleep(50000);
	t = iscsi_testunitready_sync(ic, lun);
	if (!t) {
		fprintf(stderr, "TEST UNIT READY failed: %s\n", iscsi_get_error(ic));
		iscsi_destroy_context(ic);
		return 1;
	}
	printf("tur=%d sense=%x/%02x/%02x", t->status, t->sense.key, t->sense.ascq >> 8,
	       t->sense.ascq & 0xff);
	scsi_free_scsi_task(t);
	t = iscsi_reportluns_sync(ic, 0, 4096);
	rl = t && t->status == SCSI_STATUS_GOOD ? scsi_datain_unmarshall(t) : NULL;
	if (rl)
		luns = rl->num;
	printf(" luns=%u\n", luns);
	if (t)
		scsi_free_scsi_task(t);
	iscsi_logout_sync(ic);
	iscsi_destroy_context(ic);
	return 0;
}

/* wait up to 30 s for @path */
static bool wait_file(const char *path, int tenths)
{
	int i;

	for (i = 0; i < tenths && access(path, F_OK) != 0; i++)
		usleep(100000);
	return access(path, F_OK) == 0;
}

static int do_steps(char **argv)
{
	int lun = atoi(argv[3]), n = atoi(argv[5]), k;
	struct iscsi_context *ic = connect_lun(argv[1], argv[2], lun);
	char path[4096];

	if (!ic)
		return 1;
	printf("ready\n");
	fflush(stdout);
	for (k = 1; k <= n; k++) {
		struct scsi_task *t;
		struct scsi_readcapacity16 *rc;
		struct scsi_reportluns_list *rl;
		long long cap;
		unsigned luns = 0;
		FILE *f;

		snprintf(path, sizeof(path), "%s/go.%d", argv[4], k);
		if (!wait_file(path, 300)) {
			fprintf(stderr, "no %s within 30 s\n", path);
			break;
		}
		t = iscsi_testunitready_sync(ic, lun);
		if (!t) {
			fprintf(stderr, "TEST UNIT READY failed: %s\n", iscsi_get_error(ic));
			break;
		}
		printf("step=%d tur=%d sense=%x/%02x/%02x", k, t->status, t->sense.key,
		       t->sense.ascq >> 8, t->sense.ascq & 0xff);
		scsi_free_scsi_task(t);
		t = iscsi_readcapacity16_sync(ic, lun);
		rc = t && t->status == SCSI_STATUS_GOOD ? scsi_datain_unmarshall(t) : NULL;
		cap = rc ? (long long)((rc->returned_lba + 1) * rc->block_length)
			 : -(long long)(t ? t->status : 255);
		if (t)
			scsi_free_scsi_task(t);
		t = iscsi_reportluns_sync(ic, 0, 4096);
		rl = t && t->status == SCSI_STATUS_GOOD ? scsi_datain_unmarshall(t) : NULL;
		if (rl)
			luns = rl->num;
		if (t)
			scsi_free_scsi_task(t);
		printf(" cap=%lld luns=%u\n", cap, luns);
		fflush(stdout);
		snprintf(path, sizeof(path), "%s/done.%d", argv[4], k);
		f = fopen(path, "w");
		if (f)
			fclose(f);
	}
	iscsi_logout_sync(ic);
	iscsi_destroy_context(ic);
	return k > n ? 0 : 1;
}

static int do_hammer(char **argv)
{
	int lun = atoi(argv[3]);
	struct iscsi_context *ic = connect_lun(argv[1], argv[2], lun);
	struct timespec t0, now;
	unsigned long reads = 0, ua = 0, absent = 0, errors = 0, i = 0;

	if (!ic)
		return 1;
	printf("ready\n");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (access(argv[4], F_OK) != 0) {
		struct scsi_task *t = iscsi_read16_sync(ic, lun, reads % 256 * 8, 4096, 512, 0, 0,
							0, 0, 0);

		if (t && t->status == SCSI_STATUS_GOOD && t->datain.size == 4096) {
			reads++;
		} else if (t && t->status == SCSI_STATUS_CHECK_CONDITION &&
			   t->sense.key == SCSI_SENSE_UNIT_ATTENTION) {
			ua++;
		} else {
			errors++;
			fprintf(stderr, "READ16 failed: %s\n", iscsi_get_error(ic));
		}
		if (t)
			scsi_free_scsi_task(t);
		else
			break; /* the session is gone */
		/* the LUNs a reload changes: looked up (and found masked) meanwhile */
		t = iscsi_testunitready_sync(ic, lun + 1 + (int)(i++ % 2));
		if (t && t->status == SCSI_STATUS_CHECK_CONDITION &&
		    t->sense.key == SCSI_SENSE_ILLEGAL_REQUEST && t->sense.ascq == 0x2500) {
			absent++;
		} else if (t && t->status == SCSI_STATUS_CHECK_CONDITION &&
			   t->sense.key == SCSI_SENSE_UNIT_ATTENTION) {
			ua++;
		} else {
			errors++;
			fprintf(stderr, "TEST UNIT READY to a masked LUN: status %d: %s\n",
				t ? t->status : -1, iscsi_get_error(ic));
		}
		if (t)
			scsi_free_scsi_task(t);
		if (i % 8 == 0) {
			t = iscsi_reportluns_sync(ic, 0, 4096);
			if (!t || (t->status != SCSI_STATUS_GOOD &&
				   t->sense.key != SCSI_SENSE_UNIT_ATTENTION)) {
				errors++;
				fprintf(stderr, "REPORT LUNS failed: %s\n", iscsi_get_error(ic));
			}
			if (t)
				scsi_free_scsi_task(t);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 120)
			break;
	}
	printf("reads=%lu ua=%lu absent=%lu errors=%lu\n", reads, ua, absent, errors);
	iscsi_logout_sync(ic);
	iscsi_destroy_context(ic);
	return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "steps"))
		return do_steps(argv + 1);
	if (argc == 6 && !strcmp(argv[1], "hammer"))
		return do_hammer(argv + 1);
	if (argc == 6 && !strcmp(argv[1], "hold"))
		return do_hold(argv + 1);
	if (argc == 7 && !strcmp(argv[1], "write"))
		return do_write(argv + 1);
	if (argc == 8 && !strcmp(argv[1], "read"))
		return do_read(argv + 1);
	if (argc == 6 && !strcmp(argv[1], "raw"))
		return do_raw(argv + 1);
	if (argc == 7 && !strcmp(argv[1], "odx"))
		return do_odx(argv + 1);
	if (argc == 6 && !strcmp(argv[1], "flood"))
		return do_flood(argv + 1);
	if (argc == 7 && !strcmp(argv[1], "loris"))
		return do_loris(argv + 1);
	fprintf(stderr, "usage: see the comment at the top of target_client.c\n");
	return 2;
}
