/* SPDX-License-Identifier: MIT */
/*
 * Two initiators fight over a persistent reservation (SPC-4 5.13) on one
 * LUN of `vitk odx serve`, through libiscsi:
 *
 *   pr_client PORTAL_A PORTAL_B IQN LUN BS
 *
 * Initiator A logs in through PORTAL_A, B through PORTAL_B (the same portal
 * when the target has one).  A registers and takes Write Exclusive; A
 * writes pattern 1; B's write gets RESERVATION CONFLICT, B's read works and
 * returns pattern 1; B preempts A; A's next command gets REGISTRATIONS
 * PREEMPTED, its write RESERVATION CONFLICT; B writes pattern 2; both read
 * pattern 2 back; READ RESERVATION names B's key.  Prints one line per step;
 * exit 0 when every step saw exactly what it expected.
 *
 *   pr_client PORTAL_A PORTAL_B IQN LUN BS abort
 *
 * PREEMPT AND ABORT (SPC-4 5.13.11.2.5): A holds Write Exclusive and has two
 * WRITEs in the task set -- the target's R2Ts for them arrived, A holds
 * their Data-Out back -- when B preempts A's key and aborts.  Then A sends
 * the Data-Out: neither WRITE is ever answered (TAS = 0) or lands on the
 * medium; A's next commands see REGISTRATIONS PREEMPTED, then COMMANDS
 * CLEARED BY ANOTHER INITIATOR; B holds Exclusive Access, PRgeneration 3;
 * B writes pattern 2 to blocks 0-7 (blocks 8-15 stay zero).
 *
 *   pr_client PORTAL_A PORTAL_B IQN LUN BS aptpl-setup|aptpl-check|aptpl-clear|aptpl-empty
 *
 * APTPL across a restart of the target (run by serve_pr_aptpl_test.sh; C
 * is a third, unregistered initiator on PORTAL_A; every initiator port has
 * a fixed ISID so that it is the same I_T nexus after the restart):
 *   setup  B registers (APTPL 0), then A (APTPL 1: it applies to all), A
 *          reserves Write Exclusive Registrants Only; prints READ FULL STATUS
 *   check  (after a restart) READ KEYS, READ RESERVATION, REPORT CAPABILITIES
 *          and READ FULL STATUS show it all, PRgeneration 2; C's WRITE
 *          conflicts, B's and A's do not; prints READ FULL STATUS
 *   clear  A clears (APTPL bit set: CLEAR ignores it)
 *   empty  (after a restart) nothing: no keys, no reservation, PRgeneration 0
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <poll.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define BLOCKS 8
#define KEY_A 0xa1a1a1a1a1a1a1a1ull
#define KEY_B 0xb2b2b2b2b2b2b2b2ull

static int failures;

static void check(bool ok, const char *what)
{
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
	if (!ok)
		failures++;
}

static struct iscsi_context *login(const char *portal, const char *iqn, int lun,
				   const char *name)
{
	struct iscsi_context *ic = iscsi_create_context(name);

	if (!ic)
		return NULL;
	iscsi_set_targetname(ic, iqn);
	/* a fixed ISID per initiator: the same initiator port after a restart */
	iscsi_set_isid_oui(ic, 0x1a2b3c, (uint32_t)(name[strlen(name) - 1] & 0xff));
	iscsi_set_session_type(ic, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(ic, ISCSI_HEADER_DIGEST_NONE);
	if (iscsi_full_connect_sync(ic, portal, lun) != 0) {
		fprintf(stderr, "login to %s as %s failed: %s\n", portal, name,
			iscsi_get_error(ic));
		iscsi_destroy_context(ic);
		return NULL;
	}
	return ic;
}

/* status of a finished task (freed); -1 when libiscsi failed to send it */
static int status_of(struct scsi_task *t, uint8_t *key, uint16_t *asc)
{
	int s;

	if (!t)
		return -1;
	s = t->status;
	if (key)
		*key = (uint8_t)t->sense.key;
	if (asc)
		*asc = (uint16_t)t->sense.ascq;
	scsi_free_scsi_task(t);
	return s;
}

static void clear_ua(struct iscsi_context *ic, int lun)
{
	int i;

	for (i = 0; i < 8; i++)
		if (status_of(iscsi_testunitready_sync(ic, lun), NULL, NULL) == SCSI_STATUS_GOOD)
			return;
}

static int prout_aptpl(struct iscsi_context *ic, int lun, int sa, int type, uint64_t key,
		       uint64_t sakey, bool aptpl)
{
	struct scsi_persistent_reserve_out_basic p;

	memset(&p, 0, sizeof(p));
	p.reservation_key = key;
	p.service_action_reservation_key = sakey;
	p.aptpl = aptpl;
	return status_of(iscsi_persistent_reserve_out_sync(ic, lun, sa, 0, type, &p), NULL, NULL);
}

static int prout(struct iscsi_context *ic, int lun, int sa, int type, uint64_t key,
		 uint64_t sakey)
{
	return prout_aptpl(ic, lun, sa, type, key, sakey, false);
}

static int write_blocks(struct iscsi_context *ic, int lun, int bs, uint8_t *buf)
{
	return status_of(iscsi_write16_sync(ic, lun, 0, buf, (uint32_t)(BLOCKS * bs), bs, 0, 0, 0,
					    0, 0),
			 NULL, NULL);
}

static int read_blocks(struct iscsi_context *ic, int lun, int bs, uint8_t *out)
{
	struct scsi_task *t =
		iscsi_read16_sync(ic, lun, 0, (uint32_t)(BLOCKS * bs), bs, 0, 0, 0, 0, 0);
	int s;

	if (!t)
		return -1;
	s = t->status;
	if (s == SCSI_STATUS_GOOD && t->datain.size == BLOCKS * bs)
		memcpy(out, t->datain.data, (size_t)(BLOCKS * bs));
	else if (s == SCSI_STATUS_GOOD)
		s = -2;
	scsi_free_scsi_task(t);
	return s;
}

/* completion of one of A's WRITEs that should never complete; libiscsi
 * cancels them when A's context goes (then the task is ours to free) */
static void write_cb(struct iscsi_context *ic, int status, void *data, void *priv)
{
	(void)ic;
	if (status == SCSI_STATUS_CANCELLED) {
		scsi_free_scsi_task(data);
		return;
	}
	(*(int *)priv)++;
}

/* one poll + service round for @ic with @events; false on error or 10 s of nothing */
static bool pump(struct iscsi_context *ic, short events)
{
	struct pollfd pfd = { .fd = iscsi_get_fd(ic), .events = events };

	if (poll(&pfd, 1, 10000) <= 0)
		return false;
	return iscsi_service(ic, pfd.revents & (events | POLLERR | POLLHUP)) == 0;
}

/* answers to A's aborted WRITEs; static: libiscsi cancels (and calls back)
 * the two still-pending tasks when A's context is destroyed at the end */
static int answered;

static int run_abort(struct iscsi_context *a, struct iscsi_context *b, int lun, int bs)
{
	uint8_t *pa = malloc((size_t)(BLOCKS * bs)), *p2 = malloc((size_t)(BLOCKS * bs));
	uint8_t *rd = malloc((size_t)(BLOCKS * bs)), key = 0;
	uint16_t asc = 0;
	int i;
	struct scsi_task *t;

	if (!pa || !p2 || !rd)
		return 2;
	memset(pa, 0xa5, (size_t)(BLOCKS * bs));
	for (i = 0; i < BLOCKS * bs; i++)
		p2[i] = (uint8_t)(0x22 + i * 13);
	check(prout(a, lun, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0,
		    KEY_A) == SCSI_STATUS_GOOD,
	      "A registers");
	check(prout(b, lun, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0,
		    KEY_B) == SCSI_STATUS_GOOD,
	      "B registers");
	check(prout(a, lun, SCSI_PERSISTENT_RESERVE_RESERVE,
		    SCSI_PERSISTENT_RESERVE_TYPE_WRITE_EXCLUSIVE, KEY_A, 0) == SCSI_STATUS_GOOD,
	      "A reserves Write Exclusive");

	/* two WRITEs of A's: commands out, R2Ts in, Data-Out held in libiscsi's queue */
	if (!iscsi_write16_task(a, lun, 0, pa, (uint32_t)(BLOCKS * bs), bs, 0, 0, 0, 0, 0,
				write_cb, &answered) ||
	    !iscsi_write16_task(a, lun, BLOCKS, pa, (uint32_t)(BLOCKS * bs), bs, 0, 0, 0, 0, 0,
				write_cb, &answered)) {
		check(false, "A queues two WRITEs");
		return 1;
	}
	while (iscsi_out_queue_length(a) > 0)
		if (!pump(a, POLLOUT))
			break;
	check(iscsi_out_queue_length(a) == 0, "A's two WRITE commands are sent");
	while (iscsi_out_queue_length(a) < 2)
		if (!pump(a, POLLIN))
			break;
	check(iscsi_out_queue_length(a) == 2 && answered == 0,
	      "both R2Ts arrived; A holds the Data-Out back");

	check(prout(b, lun, SCSI_PERSISTENT_RESERVE_PREEMPT_AND_ABORT,
		    SCSI_PERSISTENT_RESERVE_TYPE_EXCLUSIVE_ACCESS, KEY_B, KEY_A) == SCSI_STATUS_GOOD,
	      "B: PREEMPT AND ABORT of A's key (Exclusive Access)");
	/* now A sends the Data-Out; the target drops both WRITEs without a word */
	while (iscsi_out_queue_length(a) > 0)
		if (!pump(a, POLLOUT | POLLIN))
			break;
	check(iscsi_out_queue_length(a) == 0, "A sent the Data-Out");
	check(status_of(iscsi_testunitready_sync(a, lun), &key, &asc) ==
			      SCSI_STATUS_CHECK_CONDITION &&
		      key == SCSI_SENSE_UNIT_ATTENTION && asc == 0x2a05,
	      "A: UNIT ATTENTION, REGISTRATIONS PREEMPTED");
	check(status_of(iscsi_testunitready_sync(a, lun), &key, &asc) ==
			      SCSI_STATUS_CHECK_CONDITION &&
		      key == SCSI_SENSE_UNIT_ATTENTION && asc == 0x2f00,
	      "A: UNIT ATTENTION, COMMANDS CLEARED BY ANOTHER INITIATOR");
	check(status_of(iscsi_testunitready_sync(a, lun), NULL, NULL) == SCSI_STATUS_GOOD,
	      "A: TEST UNIT READY GOOD (no more unit attentions)");
	check(read_blocks(a, lun, bs, rd) == SCSI_STATUS_RESERVATION_CONFLICT,
	      "A's read: RESERVATION CONFLICT (Exclusive Access, A unregistered)");
	check(answered == 0, "neither aborted WRITE was answered");
	check(iscsi_queue_length(a) == 2, "libiscsi still waits for both (no status came)");
	check(status_of(iscsi_testunitready_sync(b, lun), NULL, NULL) == SCSI_STATUS_GOOD,
	      "B: no unit attention");
	check(write_blocks(b, lun, bs, p2) == SCSI_STATUS_GOOD, "B (new holder) writes pattern 2");
	t = iscsi_persistent_reserve_in_sync(b, lun, SCSI_PERSISTENT_RESERVE_READ_RESERVATION,
					     256);
	{
		struct scsi_persistent_reserve_in_read_reservation *rr =
			t && t->status == SCSI_STATUS_GOOD ? scsi_datain_unmarshall(t) : NULL;

		check(rr && rr->prgeneration == 3 && rr->reserved &&
			      rr->reservation_key == KEY_B &&
			      rr->pr_type == SCSI_PERSISTENT_RESERVE_TYPE_EXCLUSIVE_ACCESS,
		      "READ RESERVATION: B holds Exclusive Access, PRgeneration 3");
		if (t)
			scsi_free_scsi_task(t);
	}
	t = iscsi_persistent_reserve_in_sync(b, lun, SCSI_PERSISTENT_RESERVE_READ_KEYS, 256);
	{
		struct scsi_persistent_reserve_in_read_keys *rk =
			t && t->status == SCSI_STATUS_GOOD ? scsi_datain_unmarshall(t) : NULL;

		check(rk && rk->prgeneration == 3 && rk->num_keys == 1 && rk->keys[0] == KEY_B,
		      "READ KEYS: only B's key, PRgeneration 3");
		if (t)
			scsi_free_scsi_task(t);
	}
	check(prout(b, lun, SCSI_PERSISTENT_RESERVE_CLEAR, 0, KEY_B, 0) == SCSI_STATUS_GOOD,
	      "B clears");
	free(pa);
	free(p2);
	free(rd);
	return 0;
}

/* PERSISTENT RESERVE IN @sa, raw: the length, or -1 (data in @out, up to @cap) */
static int prin_raw(struct iscsi_context *ic, int lun, int sa, uint8_t *out, size_t cap)
{
	struct scsi_task *t = iscsi_persistent_reserve_in_sync(ic, lun, sa, (uint16_t)cap);
	int n = -1;

	if (t && t->status == SCSI_STATUS_GOOD && (size_t)t->datain.size <= cap) {
		memcpy(out, t->datain.data, (size_t)t->datain.size);
		n = t->datain.size;
	}
	if (t)
		scsi_free_scsi_task(t);
	return n;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* one READ FULL STATUS descriptor: key, holder/type, port, TransportID name */
static bool full_entry(const uint8_t *d, uint64_t key, bool holder, uint8_t type, uint16_t rtpi,
		       const char *name)
{
	char want[300];
	uint32_t tl = be32(d + 20);

	snprintf(want, sizeof(want), "%s,i,0x", name);
	return be64(d) == key && (d[12] & 1) == holder && d[13] == (holder ? type : 0) &&
	       (d[18] << 8 | d[19]) == rtpi && tl >= 24 && (d[24] & 0xcf) == 0x45 &&
	       strncmp((const char *)d + 28, want, strlen(want)) == 0 &&
	       strlen((const char *)d + 28) == strlen(want) + 12;
}

static int run_aptpl(struct iscsi_context *a, struct iscsi_context *b, struct iscsi_context *c,
		     int lun, int bs, const char *phase)
{
	uint8_t buf[1024], *blk = calloc(1, (size_t)(BLOCKS * bs));
	int n, i;

	if (!blk)
		return 2;
	if (strcmp(phase, "aptpl-setup") == 0) {
		check(prout_aptpl(b, lun, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY,
				  0, 0, KEY_B, false) == SCSI_STATUS_GOOD,
		      "B registers (APTPL 0)");
		check(prout_aptpl(a, lun, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY,
				  0, 0, KEY_A, true) == SCSI_STATUS_GOOD,
		      "A registers (APTPL 1)");
		check(prout(a, lun, SCSI_PERSISTENT_RESERVE_RESERVE,
			    SCSI_PERSISTENT_RESERVE_TYPE_WRITE_EXCLUSIVE_REGISTRANTS_ONLY, KEY_A,
			    0) == SCSI_STATUS_GOOD,
		      "A reserves Write Exclusive Registrants Only");
	} else if (strcmp(phase, "aptpl-clear") == 0) {
		check(prout_aptpl(a, lun, SCSI_PERSISTENT_RESERVE_CLEAR, 0, KEY_A, 0, true) ==
			      SCSI_STATUS_GOOD,
		      "A clears");
		n = prin_raw(a, lun, SCSI_PERSISTENT_RESERVE_READ_KEYS, buf, sizeof(buf));
		check(n == 8 && be32(buf) == 3 && be32(buf + 4) == 0,
		      "READ KEYS: none, PRgeneration 3");
		free(blk);
		return 0;
	} else if (strcmp(phase, "aptpl-empty") == 0) {
		n = prin_raw(c, lun, SCSI_PERSISTENT_RESERVE_READ_KEYS, buf, sizeof(buf));
		check(n == 8 && be32(buf) == 0 && be32(buf + 4) == 0,
		      "after the restart READ KEYS: none, PRgeneration 0");
		n = prin_raw(c, lun, SCSI_PERSISTENT_RESERVE_READ_RESERVATION, buf, sizeof(buf));
		check(n == 8 && be32(buf + 4) == 0, "READ RESERVATION: none");
		n = prin_raw(c, lun, SCSI_PERSISTENT_RESERVE_REPORT_CAPABILITIES, buf, sizeof(buf));
		check(n == 8 && (buf[2] & 0x01) && !(buf[3] & 0x01),
		      "REPORT CAPABILITIES: PTPL_C 1, PTPL_A 0");
		check(write_blocks(c, lun, bs, blk) == SCSI_STATUS_GOOD,
		      "C (unregistered) writes: nothing reserved");
		free(blk);
		return 0;
	} else {
		n = prin_raw(c, lun, SCSI_PERSISTENT_RESERVE_READ_KEYS, buf, sizeof(buf));
		check(n == 24 && be32(buf) == 2 && be32(buf + 4) == 16 && be64(buf + 8) == KEY_B &&
			      be64(buf + 16) == KEY_A,
		      "READ KEYS: B's and A's keys, PRgeneration 2");
		n = prin_raw(c, lun, SCSI_PERSISTENT_RESERVE_READ_RESERVATION, buf, sizeof(buf));
		check(n == 24 && be32(buf) == 2 && be32(buf + 4) == 16 && be64(buf + 8) == KEY_A &&
			      buf[8 + 13] == SCSI_PERSISTENT_RESERVE_TYPE_WRITE_EXCLUSIVE_REGISTRANTS_ONLY,
		      "READ RESERVATION: A holds Write Exclusive Registrants Only");
		n = prin_raw(c, lun, SCSI_PERSISTENT_RESERVE_REPORT_CAPABILITIES, buf, sizeof(buf));
		check(n == 8 && (buf[2] & 0x0d) == 0x01 && (buf[3] & 0x01),
		      "REPORT CAPABILITIES: PTPL_C 1, PTPL_A 1, SIP_C 0, ATP_C 0");
		check(write_blocks(c, lun, bs, blk) == SCSI_STATUS_RESERVATION_CONFLICT,
		      "C's write (not registered): RESERVATION CONFLICT");
		for (i = 0; i < BLOCKS * bs; i++)
			blk[i] = (uint8_t)(0x33 + i * 5);
		check(write_blocks(b, lun, bs, blk) == SCSI_STATUS_GOOD,
		      "B's write (registrant): GOOD");
		check(write_blocks(a, lun, bs, blk) == SCSI_STATUS_GOOD, "A's write (holder): GOOD");
	}
	/* READ FULL STATUS: B through port 2, A through port 1 and the holder */
	n = prin_raw(c, lun, SCSI_PERSISTENT_RESERVE_READ_FULL_STATUS, buf, sizeof(buf));
	check(n > 8 && be32(buf) == 2 && (uint32_t)n == 8 + be32(buf + 4) &&
		      full_entry(buf + 8, KEY_B, false, 0, 2, "iqn.2026-01.test:pr-b") &&
		      full_entry(buf + 8 + 24 + be32(buf + 8 + 20), KEY_A, true,
				 SCSI_PERSISTENT_RESERVE_TYPE_WRITE_EXCLUSIVE_REGISTRANTS_ONLY, 1,
				 "iqn.2026-01.test:pr-a"),
	      "READ FULL STATUS: keys, holder, type, target ports, TransportIDs");
	printf("fullstatus ");
	for (i = 0; i < n; i++)
		printf("%02x", buf[i]);
	printf("\n");
	free(blk);
	return 0;
}

int main(int argc, char **argv)
{
	struct iscsi_context *a, *b;
	struct scsi_task *t;
	uint8_t *p1, *p2, *rd;
	uint8_t key = 0;
	uint16_t asc = 0;
	int lun, bs, i;

	if (argc != 6 && !(argc == 7 && (strcmp(argv[6], "abort") == 0 ||
					  strncmp(argv[6], "aptpl-", 6) == 0))) {
		fprintf(stderr, "usage: pr_client PORTAL_A PORTAL_B IQN LUN BS "
				"[abort|aptpl-setup|aptpl-check|aptpl-clear|aptpl-empty]\n");
		return 2;
	}
	lun = atoi(argv[4]);
	bs = atoi(argv[5]);
	if (bs != 512 && bs != 4096)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	p1 = malloc((size_t)(BLOCKS * bs));
	p2 = malloc((size_t)(BLOCKS * bs));
	rd = malloc((size_t)(BLOCKS * bs));
	if (!p1 || !p2 || !rd)
		return 2;
	for (i = 0; i < BLOCKS * bs; i++) {
		p1[i] = (uint8_t)(0x11 + i * 7);
		p2[i] = (uint8_t)(0x22 + i * 13);
	}
	a = login(argv[1], argv[3], lun, "iqn.2026-01.test:pr-a");
	b = login(argv[2], argv[3], lun, "iqn.2026-01.test:pr-b");
	if (!a || !b)
		return 1;
	clear_ua(a, lun);
	clear_ua(b, lun);
	if (argc == 7 && strncmp(argv[6], "aptpl-", 6) == 0) {
		struct iscsi_context *c = login(argv[1], argv[3], lun, "iqn.2026-01.test:pr-c");

		if (!c)
			return 1;
		clear_ua(c, lun);
		if (run_aptpl(a, b, c, lun, bs, argv[6]) != 0)
			failures++;
		iscsi_logout_sync(c);
		iscsi_destroy_context(c);
		iscsi_logout_sync(a);
		iscsi_logout_sync(b);
		iscsi_destroy_context(a);
		iscsi_destroy_context(b);
		free(p1);
		free(p2);
		free(rd);
		printf("failures=%d\n", failures);
		return failures ? 1 : 0;
	}
	if (argc == 7) {
		if (run_abort(a, b, lun, bs) != 0)
			failures++;
		/* A's session still has the two aborted WRITEs: no logout wait */
		iscsi_destroy_context(a);
		iscsi_logout_sync(b);
		iscsi_destroy_context(b);
		free(p1);
		free(p2);
		free(rd);
		printf("failures=%d\n", failures);
		return failures ? 1 : 0;
	}

	check(prout(a, lun, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0,
		    KEY_A) == SCSI_STATUS_GOOD,
	      "A registers");
	check(prout(b, lun, SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0,
		    KEY_B) == SCSI_STATUS_GOOD,
	      "B registers");
	check(prout(a, lun, SCSI_PERSISTENT_RESERVE_RESERVE,
		    SCSI_PERSISTENT_RESERVE_TYPE_WRITE_EXCLUSIVE, KEY_A, 0) == SCSI_STATUS_GOOD,
	      "A reserves Write Exclusive");
	check(write_blocks(a, lun, bs, p1) == SCSI_STATUS_GOOD, "A (holder) writes pattern 1");
	check(write_blocks(b, lun, bs, p2) == SCSI_STATUS_RESERVATION_CONFLICT,
	      "B's write: RESERVATION CONFLICT");
	check(read_blocks(b, lun, bs, rd) == SCSI_STATUS_GOOD &&
		      memcmp(rd, p1, (size_t)(BLOCKS * bs)) == 0,
	      "B reads pattern 1 (Write Exclusive lets reads through)");
	check(prout(b, lun, SCSI_PERSISTENT_RESERVE_PREEMPT,
		    SCSI_PERSISTENT_RESERVE_TYPE_WRITE_EXCLUSIVE, KEY_B, KEY_A) == SCSI_STATUS_GOOD,
	      "B preempts A");
	check(status_of(iscsi_testunitready_sync(a, lun), &key, &asc) ==
			      SCSI_STATUS_CHECK_CONDITION &&
		      key == SCSI_SENSE_UNIT_ATTENTION && asc == 0x2a05,
	      "A: UNIT ATTENTION, REGISTRATIONS PREEMPTED");
	check(write_blocks(a, lun, bs, p1) == SCSI_STATUS_RESERVATION_CONFLICT,
	      "A's write: RESERVATION CONFLICT");
	check(write_blocks(b, lun, bs, p2) == SCSI_STATUS_GOOD, "B (new holder) writes pattern 2");
	check(read_blocks(a, lun, bs, rd) == SCSI_STATUS_GOOD &&
		      memcmp(rd, p2, (size_t)(BLOCKS * bs)) == 0,
	      "A reads pattern 2 back");
	check(read_blocks(b, lun, bs, rd) == SCSI_STATUS_GOOD &&
		      memcmp(rd, p2, (size_t)(BLOCKS * bs)) == 0,
	      "B reads pattern 2 back");
	t = iscsi_persistent_reserve_in_sync(a, lun, SCSI_PERSISTENT_RESERVE_READ_RESERVATION,
					     256);
	{
		struct scsi_persistent_reserve_in_read_reservation *rr =
			t && t->status == SCSI_STATUS_GOOD ? scsi_datain_unmarshall(t) : NULL;

		check(rr && rr->reserved && rr->reservation_key == KEY_B &&
			      rr->pr_type == SCSI_PERSISTENT_RESERVE_TYPE_WRITE_EXCLUSIVE,
		      "READ RESERVATION: B holds Write Exclusive");
		if (t)
			scsi_free_scsi_task(t);
	}
	check(prout(b, lun, SCSI_PERSISTENT_RESERVE_CLEAR, 0, KEY_B, 0) == SCSI_STATUS_GOOD,
	      "B clears");
	iscsi_logout_sync(a);
	iscsi_logout_sync(b);
	iscsi_destroy_context(a);
	iscsi_destroy_context(b);
	free(p1);
	free(p2);
	free(rd);
	printf("failures=%d\n", failures);
	return failures ? 1 : 0;
}
