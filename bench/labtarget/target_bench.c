/* SPDX-License-Identifier: MIT */
/*
 * Benchmark driver for bench/labtarget/run.sh (libiscsi initiator).
 *
 *   target_bench seqwrite PORTAL IQN LUN REQ_BYTES TOTAL_BYTES QDEPTH
 *   target_bench xcopy    PORTAL IQN SRC_LUN DST_LUN BYTES
 *   target_bench token    PORTAL IQN SRC_LUN DST_LUN BYTES
 *
 * Prints one line: "<what> <bytes> bytes <seconds> s <MB/s> MB/s".
 * Both LUNs must have 512-byte blocks.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define BS 512u

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static struct iscsi_context *login(const char *portal, const char *iqn, int lun)
{
	struct iscsi_context *ic = iscsi_create_context("iqn.2026-01.test:target-bench");

	if (!ic)
		return NULL;
	iscsi_set_targetname(ic, iqn);
	iscsi_set_session_type(ic, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(ic, ISCSI_HEADER_DIGEST_NONE);
	if (iscsi_full_connect_sync(ic, portal, lun) != 0) {
		fprintf(stderr, "login to %s %s failed: %s\n", portal, iqn, iscsi_get_error(ic));
		iscsi_destroy_context(ic);
		return NULL;
	}
	return ic;
}

static void report(const char *what, uint64_t bytes, double secs)
{
	printf("%s %llu bytes %.6f s %.1f MB/s\n", what, (unsigned long long)bytes, secs,
	       (double)bytes / secs / 1e6);
}

/* ---- queued sequential writes ---- */

struct wstate {
	int inflight;
	int errors;
};

static void wcb(struct iscsi_context *ic, int status, void *data, void *priv)
{
	struct wstate *st = priv;

	(void)ic;
	if (status != SCSI_STATUS_GOOD)
		st->errors++;
	st->inflight--;
	scsi_free_scsi_task(data);
}

static int seqwrite(char **a)
{
	int lun = atoi(a[2]), qd = atoi(a[5]);
	uint32_t req = (uint32_t)strtoul(a[3], NULL, 0);
	uint64_t total = strtoull(a[4], NULL, 0), off = 0;
	struct iscsi_context *ic = login(a[0], a[1], lun);
	unsigned char *buf = malloc(req);
	struct wstate st = { 0, 0 };
	double t0;

	if (!ic || !buf || req % BS)
		return 1;
	memset(buf, 0xa5, req);
	t0 = now_s();
	while (off < total || st.inflight > 0) {
		struct pollfd pfd;

		while (off < total && st.inflight < qd) {
			if (!iscsi_write16_task(ic, lun, off / BS, buf, req, BS, 0, 0, 0, 0, 0, wcb,
						&st)) {
				fprintf(stderr, "write16 task: %s\n", iscsi_get_error(ic));
				return 1;
			}
			st.inflight++;
			off += req;
		}
		pfd.fd = iscsi_get_fd(ic);
		pfd.events = (short)iscsi_which_events(ic);
		if (poll(&pfd, 1, 5000) < 0 || iscsi_service(ic, pfd.revents) < 0) {
			fprintf(stderr, "service: %s\n", iscsi_get_error(ic));
			return 1;
		}
	}
	report("seqwrite", total, now_s() - t0);
	iscsi_logout_sync(ic);
	iscsi_destroy_context(ic);
	free(buf);
	return st.errors ? 1 : 0;
}

/* ---- third-party copy ---- */

static int naa_desc(struct iscsi_context *ic, int lun, uint8_t *out20)
{
	struct scsi_task *t = iscsi_inquiry_sync(ic, lun, 1, 0x83, 255);
	int off, len, rc = -1;
	uint8_t *d;

	if (!t || t->status != SCSI_STATUS_GOOD)
		goto out;
	d = t->datain.data;
	len = (d[2] << 8 | d[3]) + 4;
	if (len > t->datain.size)
		len = t->datain.size;
	for (off = 4; off + 4 <= len; off += 4 + d[off + 3]) {
		if ((d[off + 1] & 0x0f) == 3 && (d[off + 1] & 0x30) == 0 && d[off + 3] <= 16 &&
		    off + 4 + d[off + 3] <= len) {
			memset(out20, 0, 20);
			memcpy(out20, d + off, 4u + d[off + 3]);
			rc = 0;
			break;
		}
	}
out:
	if (t)
		scsi_free_scsi_task(t);
	return rc;
}

static int run_out(struct iscsi_context *ic, int lun, uint8_t sa, uint32_t list_id, uint8_t *pl,
		   uint32_t pl_len)
{
	struct scsi_task *t = calloc(1, sizeof(*t));
	struct iscsi_data d = { pl_len, pl };
	int rc = 0;

	t->cdb[0] = 0x83;
	t->cdb[1] = sa;
	put32(t->cdb + 6, list_id);
	put32(t->cdb + 10, pl_len);
	t->cdb_size = 16;
	t->xfer_dir = SCSI_XFER_WRITE;
	t->expxferlen = pl_len;
	if (!iscsi_scsi_command_sync(ic, lun, t, &d) || t->status != SCSI_STATUS_GOOD) {
		fprintf(stderr, "0x83/%02x failed: status %d sense %x/%x: %s\n", sa, t->status,
			t->sense.key, t->sense.ascq, iscsi_get_error(ic));
		rc = -1;
	}
	scsi_free_scsi_task(t);
	return rc;
}

/*
 * Segment descriptors of type 0x0A (block -> block with byte offsets; a
 * 32-bit byte count), 256 MiB each: the copy manager's advertised maximum
 * segment length.  Up to 64 per command.
 */
#define XSEG_BYTES (256u * 1024u * 1024u)

static int xcopy(char **a)
{
	int src = atoi(a[2]), dst = atoi(a[3]);
	uint64_t bytes = strtoull(a[4], NULL, 0), done = 0;
	struct iscsi_context *ic = login(a[0], a[1], src);
	uint8_t pl[16 + 64 + 64 * 32];
	double t0;

	if (!ic || bytes % BS)
		return 1;
	memset(pl, 0, sizeof(pl));
	pl[1] = 0x18; /* no list id */
	put16(pl + 2, 64);
	pl[16] = 0xe4;
	pl[48] = 0xe4;
	if (naa_desc(ic, src, pl + 20) || naa_desc(ic, dst, pl + 52)) {
		fprintf(stderr, "no NAA designator in VPD 0x83\n");
		return 1;
	}
	pl[16 + 30] = 0x02; /* block length 512 = 00 02 00 */
	pl[48 + 30] = 0x02;
	t0 = now_s();
	while (done < bytes) {
		uint32_t nseg = 0, i;

		for (i = 0; i < 64 && done < bytes; i++) {
			uint8_t *s = pl + 16 + 64 + 32 * i;
			uint64_t left = bytes - done;
			uint32_t n = left > XSEG_BYTES ? XSEG_BYTES : (uint32_t)left;

			memset(s, 0, 32);
			s[0] = 0x0a;
			put16(s + 2, 0x1c);
			put16(s + 4, 0);
			put16(s + 6, 1);
			put32(s + 8, n);
			put64(s + 12, done / BS);
			put64(s + 20, done / BS);
			done += n;
			nseg++;
		}
		put32(pl + 8, nseg * 32);
		if (run_out(ic, src, 0x00, 0, pl, 16 + 64 + nseg * 32))
			return 1;
	}
	report("xcopy", bytes, now_s() - t0);
	iscsi_logout_sync(ic);
	iscsi_destroy_context(ic);
	return 0;
}

static int token(char **a)
{
	int src = atoi(a[2]), dst = atoi(a[3]);
	uint64_t bytes = strtoull(a[4], NULL, 0);
	struct iscsi_context *ic = login(a[0], a[1], src);
	uint8_t pt[16 + 16], wut[536 + 16];
	struct scsi_task *t = NULL;
	double t0;
	int off;

	if (!ic || bytes % BS || bytes / BS > 0xffffffffu)
		return 1;
	memset(pt, 0, sizeof(pt));
	put16(pt, sizeof(pt) - 2);
	put16(pt + 14, 16);
	put64(pt + 16, 0);
	put32(pt + 24, (uint32_t)(bytes / BS));
	t0 = now_s();
	if (run_out(ic, src, 0x10, 7, pt, sizeof(pt)))
		return 1;
	t = calloc(1, sizeof(*t));
	t->cdb[0] = 0x84;
	t->cdb[1] = 0x07;
	put32(t->cdb + 2, 7);
	put32(t->cdb + 10, 1024);
	t->cdb_size = 16;
	t->xfer_dir = SCSI_XFER_READ;
	t->expxferlen = 1024;
	if (!iscsi_scsi_command_sync(ic, src, t, NULL) || t->status != SCSI_STATUS_GOOD) {
		fprintf(stderr, "RRTI failed: %s\n", iscsi_get_error(ic));
		return 1;
	}
	off = 32 + t->datain.data[13] + 6;
	if (t->datain.size < off + 512) {
		fprintf(stderr, "RRTI returned no token (%d bytes)\n", t->datain.size);
		return 1;
	}
	memset(wut, 0, sizeof(wut));
	put16(wut, sizeof(wut) - 2);
	memcpy(wut + 16, t->datain.data + off, 512);
	put16(wut + 534, 16);
	put64(wut + 536, 0);
	put32(wut + 544, (uint32_t)(bytes / BS));
	scsi_free_scsi_task(t);
	if (run_out(ic, dst, 0x11, 8, wut, sizeof(wut)))
		return 1;
	report("token", bytes, now_s() - t0);
	iscsi_logout_sync(ic);
	iscsi_destroy_context(ic);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 8 && !strcmp(argv[1], "seqwrite"))
		return seqwrite(argv + 2);
	if (argc == 7 && !strcmp(argv[1], "xcopy"))
		return xcopy(argv + 2);
	if (argc == 7 && !strcmp(argv[1], "token"))
		return token(argv + 2);
	fprintf(stderr, "usage: see bench/labtarget/target_bench.c\n");
	return 2;
}
