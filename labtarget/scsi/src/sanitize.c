/* SPDX-License-Identifier: MIT */
/*
 * SANITIZE (SBC-4 5.30) for LUNs configured with `,sanitize`, and MODE
 * SELECT(6)/(10) (SPC-4 6.11, 6.12) limited to what the device model can
 * change: the software write protect bit of the Control mode page (SPC-4
 * 7.5.8, SWP).
 *
 * A sanitize operation belongs to the LUN, not to the command that started
 * it nor to its session (SBC-4 4.11): it runs on a thread of its own
 * (san_state.thread) and survives ABORT TASK, LOGICAL UNIT RESET and the
 * loss of the I_T nexus.  While it runs, every command on the LUN but
 * INQUIRY, REPORT LUNS and REQUEST SENSE ends in CHECK CONDITION, NOT READY,
 * LOGICAL UNIT NOT READY, SANITIZE IN PROGRESS (04h/1Bh) with the progress
 * indication in the sense-key specific bytes; REQUEST SENSE returns that
 * sense as data (san__gate).  With IMMED=1 the SANITIZE command returns GOOD
 * once its CDB and parameter list are checked; with IMMED=0 it waits for
 * the operation and returns its outcome.
 *
 * The work: OVERWRITE writes the initialization pattern to every block;
 * BLOCK ERASE punches a hole over the whole backing file (lun__zero_range);
 * CRYPTO ERASE does the same (the lab target stores no keys, so the erase is
 * the hole).  tgt_lun_config.sanitize_time_s is how long an operation takes
 * at the least, to behave like a drive that needs minutes: the operation
 * ends when both the work is done and that time has passed on the device
 * clock (tgt_device.now_ns).  The progress indication is the smaller of the
 * two fractions.  An operation whose writes fail leaves the LUN in failure
 * mode: the commands san__gate refuses then end in MEDIUM ERROR, SANITIZE
 * COMMAND FAILED (31h/03h) until a sanitize operation succeeds or, when the
 * failed one had AUSE=1, EXIT FAILURE MODE leaves it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vitk/common.h>
#include <vitk/error.h>

#include "dev_internal.h"

enum {
	SAN_OVERWRITE = 0x01,
	SAN_BLOCK_ERASE = 0x02,
	SAN_CRYPTO_ERASE = 0x03,
	SAN_EXIT_FAILURE_MODE = 0x1f,
};

#define SAN_ASC_SOFTWARE_WRITE_PROTECTED 0x2702
#define SAN_ASC_IN_PROGRESS 0x041b    /* LOGICAL UNIT NOT READY, SANITIZE IN PROGRESS */
#define SAN_ASC_FAILED 0x3103         /* SANITIZE COMMAND FAILED */
#define SAN_CHUNK (1u << 20)          /* OVERWRITE writes this much at a time */
#define SAN_POLL_NS 50000000ull       /* the minimum time is checked this often */

struct san_state {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC: an operation ended, or its work did */
	tgt_device *d;
	tgt_lun *l;
	bool active;    /* an operation is in progress */
	bool work_done; /* ... and its writes are over (it may still wait for min_ns) */
	bool failed;    /* the last operation failed: failure mode */
	bool failed_ause;
	bool stop;      /* the device is being freed */
	bool have_thread;
	pthread_t thread;
	uint8_t sa;
	bool ause;
	uint8_t pat[4096]; /* OVERWRITE's initialization pattern */
	uint16_t plen;
	uint64_t start_ns, min_ns;
	uint64_t done, total; /* bytes of the work */
	uint64_t seq;         /* operations ended so far */
	int result;           /* of the last one: 0 or a negative errno */
	uint64_t fail_lba;
};

static bool writable(const tgt_lun *l, tgt_cmd *cmd)
{
	if (l->ro) {
		sense__set(cmd, VITK_SCSI_KEY_DATA_PROTECT, VITK_SCSI_ASC_WRITE_PROTECTED);
		return false;
	}
	if (__atomic_load_n(&l->swp, __ATOMIC_RELAXED)) {
		sense__set(cmd, VITK_SCSI_KEY_DATA_PROTECT, SAN_ASC_SOFTWARE_WRITE_PROTECTED);
		return false;
	}
	return true;
}

/* ---- the LUN's sanitize state ---- */

int san__lun_init(tgt_lun *l, tgt_device *d, uint32_t min_s)
{
	struct san_state *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;

	if (!s)
		return VITK_ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->d = d;
	s->l = l;
	s->min_ns = (uint64_t)min_s * 1000000000ull;
	l->san = s;
	return 0;
}

void san__lun_stop(tgt_lun *l)
{
	struct san_state *s = l->san;
	bool join;

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->cv);
	join = s->have_thread;
	s->have_thread = false;
	pthread_mutex_unlock(&s->mu);
	if (join)
		pthread_join(s->thread, NULL);
}

void san__lun_free(tgt_lun *l)
{
	struct san_state *s = l->san;

	if (!s)
		return;
	san__lun_stop(l);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
	l->san = NULL;
}

/* wait on s->cv for at most @ns (s->mu held) */
static void cv_wait_ns(struct san_state *s, uint64_t ns)
{
	struct timespec ts;
	uint64_t t;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + ns;
	ts.tv_sec = (time_t)(t / 1000000000ull);
	ts.tv_nsec = (long)(t % 1000000000ull);
	pthread_cond_timedwait(&s->cv, &s->mu, &ts);
}

/* the progress indication (SBC-4 5.30.1, SPC-4 4.5.2.4.4): 0..65535 of 65536 (s->mu held) */
static uint16_t progress(const struct san_state *s)
{
	uint64_t now = s->d->now_ns(), w = 65536, t = 65536;

	if (s->total && s->done < s->total)
		w = s->done * 65536 / s->total;
	if (s->min_ns && now - s->start_ns < s->min_ns)
		t = (now - s->start_ns) * 65536 / s->min_ns;
	w = w < t ? w : t;
	return (uint16_t)(w > 65535 ? 65535 : w);
}

/* NOT READY, SANITIZE IN PROGRESS with the progress indication (SKSV set) */
static void sense_in_progress(tgt_cmd *cmd, uint16_t prog)
{
	sense__set(cmd, VITK_SCSI_KEY_NOT_READY, SAN_ASC_IN_PROGRESS);
	cmd->sense[15] = 0x80;
	vitk_put_be16(cmd->sense + 16, prog);
}

/* ---- the operation, on its own thread ---- */

/* every block gets the pattern (repeated when shorter than a block) */
static int overwrite(struct san_state *s)
{
	tgt_lun *l = s->l;
	tgt_device *d = s->d;
	uint8_t *buf = malloc(SAN_CHUNK);
	uint64_t off = 0;
	size_t i;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < SAN_CHUNK; i++)
		buf[i] = s->pat[(i & (l->bs - 1)) % s->plen];
	while (off < l->size) {
		size_t n = l->size - off < SAN_CHUNK ? (size_t)(l->size - off) : SAN_CHUNK;
		ssize_t k;
		bool stop;
		int e = d->write_fault ? d->write_fault(d->write_fault_arg, l, off) : 0;

		pthread_mutex_lock(&s->mu);
		stop = s->stop;
		pthread_mutex_unlock(&s->mu);
		if (stop)
			break;
		if (e < 0) {
			s->fail_lba = off >> l->bs_shift;
			free(buf);
			return e;
		}
		k = pwrite(l->fd, buf, n, (off_t)off);
		if (k <= 0) {
			s->fail_lba = off >> l->bs_shift;
			free(buf);
			return k < 0 ? -errno : -EIO;
		}
		off += (uint64_t)k;
		pthread_mutex_lock(&s->mu);
		s->done = off;
		pthread_mutex_unlock(&s->mu);
	}
	free(buf);
	if (fdatasync(l->fd) < 0 && !l->is_blockdev)
		return -errno;
	return 0;
}

static void *san_thread(void *arg)
{
	struct san_state *s = arg;
	tgt_lun *l = s->l;
	uint64_t fail_lba;
	int r = 0;

	if (s->sa == SAN_OVERWRITE) {
		r = overwrite(s);
	} else {
		int e = s->d->write_fault ? s->d->write_fault(s->d->write_fault_arg, l, 0) : 0;

		r = e < 0 ? e : lun__zero_range(l, 0, l->size);
	}
	/* the erase changed every block: tokens over the LUN are gone */
	tpc__revoke_overlap(s->d, l, 0, l->nblocks);
	pthread_mutex_lock(&s->mu);
	s->done = s->total;
	s->work_done = true;
	pthread_cond_broadcast(&s->cv);
	/* a drive that takes its time: the operation lasts min_ns at least */
	while (!s->stop) {
		uint64_t el = s->d->now_ns() - s->start_ns;

		if (el >= s->min_ns)
			break;
		cv_wait_ns(s, s->min_ns - el < SAN_POLL_NS ? s->min_ns - el : SAN_POLL_NS);
	}
	s->result = r;
	s->failed = r < 0;
	s->failed_ause = s->ause;
	fail_lba = s->fail_lba;
	s->active = false; /* the next operation may start: @s is not ours any more */
	s->seq++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (r < 0)
		vitk_log(VITK_LOG_ERROR, "odx-target",
			 "lun %u: sanitize failed at lba %llu (errno %d): failure mode", l->lun,
			 (unsigned long long)fail_lba, -r);
	return NULL;
}

/* ---- gating the LUN's commands ---- */

bool san__gate(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	struct san_state *s = l->san;
	uint8_t op = cmd->cdb[0];
	bool active, failed;
	uint16_t prog = 0;

	(void)d;
	if (!s || op == VITK_SCSI_OP_INQUIRY || op == VITK_SCSI_OP_REPORT_LUNS)
		return false;
	pthread_mutex_lock(&s->mu);
	active = s->active;
	failed = s->failed;
	if (active)
		prog = progress(s);
	pthread_mutex_unlock(&s->mu);
	if (!active && (!failed || op == TGT_OP_SANITIZE))
		return false;
	if (active)
		sense_in_progress(cmd, prog);
	else
		sense__set(cmd, VITK_SCSI_KEY_MEDIUM_ERROR, SAN_ASC_FAILED);
	if (op == VITK_SCSI_OP_REQUEST_SENSE) {
		/* the sense as parameter data (SPC-4 6.39), GOOD status */
		uint8_t b[16] = { 0 };

		if (cmd->cdb[1] & 0x01) { /* DESC: a sense key specific descriptor */
			b[0] = VITK_SCSI_SENSE_DESC_CURRENT;
			b[1] = cmd->sense[2];
			b[2] = cmd->sense[12];
			b[3] = cmd->sense[13];
			b[7] = active ? 8 : 0;
			b[8] = 0x02;
			b[9] = 0x06;
			memcpy(b + 12, cmd->sense + 15, 3);
			sense__put_din(cmd, b, active ? 16 : 8, cmd->cdb[4]);
		} else {
			sense__put_din(cmd, cmd->sense, VITK_SCSI_SENSE_FIXED_LEN, cmd->cdb[4]);
		}
		cmd->status = 0;
		cmd->sense_len = 0;
	}
	return true;
}

/* ---- the SANITIZE command ---- */

/* start the operation; with IMMED=0 wait for it.  Returns with status/sense set. */
static void start(tgt_device *d, tgt_lun *l, tgt_cmd *cmd, uint8_t sa, const uint8_t *pat,
		  uint16_t plen)
{
	struct san_state *s = l->san;
	bool immed = cmd->cdb[1] & 0x80, join;
	pthread_t old;
	uint64_t seq;
	int e;

	pthread_mutex_lock(&s->mu);
	if (s->active || s->stop) { /* another one got in first */
		sense_in_progress(cmd, s->active ? progress(s) : 0);
		pthread_mutex_unlock(&s->mu);
		return;
	}
	/* claimed: from here on the LUN is sanitizing */
	s->active = true;
	s->work_done = false;
	s->sa = sa;
	s->ause = cmd->cdb[1] & 0x20;
	if (plen)
		memcpy(s->pat, pat, plen);
	s->plen = plen;
	s->start_ns = d->now_ns();
	s->done = 0;
	s->total = l->size;
	seq = s->seq;
	join = s->have_thread;
	old = s->thread;
	s->have_thread = false;
	pthread_mutex_unlock(&s->mu);
	if (join) /* the previous operation's thread, past its last access */
		pthread_join(old, NULL);

	pthread_mutex_lock(&s->mu);
	e = s->stop ? ECANCELED : pthread_create(&s->thread, NULL, san_thread, s);
	if (e != 0) {
		s->active = false;
		pthread_mutex_unlock(&s->mu);
		sense__set(cmd, VITK_SCSI_KEY_ABORTED_COMMAND, VITK_SCSI_ASC_INSUFFICIENT_RESOURCES);
		return;
	}
	s->have_thread = true;
	/* tokens over the LUN are gone from the start: a copy that read them
	 * now would see half-erased data */
	pthread_mutex_unlock(&s->mu);
	tpc__revoke_overlap(d, l, 0, l->nblocks);
	if (immed) {
		cmd->status = 0;
		return;
	}
	pthread_mutex_lock(&s->mu);
	while (s->seq == seq && !s->stop)
		cv_wait_ns(s, 1000000000ull); /* ends with the operation, or the device */
	if (s->seq == seq) /* the device is being freed */
		sense__set(cmd, VITK_SCSI_KEY_ABORTED_COMMAND, VITK_SCSI_ASC_INTERNAL_TARGET_FAILURE);
	else if (s->result < 0)
		sense__info(cmd, VITK_SCSI_KEY_MEDIUM_ERROR, SAN_ASC_FAILED, s->fail_lba);
	else
		cmd->status = 0;
	pthread_mutex_unlock(&s->mu);
}

void san__sanitize(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint8_t sa = cmd->cdb[1] & 0x1f;
	uint16_t plen = vitk_get_be16(cmd->cdb + 7);
	struct san_state *s = l->san;

	if (!l->sanitize || !s) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_OPCODE);
		return;
	}
	/* byte 1 bit 6 (ZNR: zoned devices only) and bytes 2-6 are reserved here */
	if (cmd->cdb[1] & 0x40) {
		sense__invalid_cdb(cmd, 1, 6);
		return;
	}
	for (int i = 2; i <= 6; i++) {
		if (cmd->cdb[i]) {
			sense__invalid_cdb(cmd, (uint16_t)i, -1);
			return;
		}
	}
	if (sa == SAN_OVERWRITE) {
		const uint8_t *p = cmd->dout;
		uint16_t ip;

		/* SBC-4 5.30.3: a list of 4 + pattern bytes, a pattern of 1 to
		 * one block, OVERWRITE COUNT not 0 */
		if (plen < 5 || cmd->dout_len < plen) {
			sense__invalid_cdb(cmd, 7, -1);
			return;
		}
		ip = vitk_get_be16(p + 2);
		if ((p[0] & 0x1f) == 0) { /* OVERWRITE COUNT */
			sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 0, 4);
			return;
		}
		if (ip == 0 || ip > l->bs || (size_t)ip + 4 != plen) {
			sense__invalid_cdb(cmd, 7, -1);
			return;
		}
		if (!writable(l, cmd))
			return;
		start(d, l, cmd, sa, p + 4, ip);
		return;
	}
	/* BLOCK ERASE, CRYPTO ERASE, EXIT FAILURE MODE take no parameters */
	if (plen != 0) {
		sense__invalid_cdb(cmd, 7, -1);
		return;
	}
	if (!writable(l, cmd))
		return;
	if (sa != SAN_EXIT_FAILURE_MODE) {
		start(d, l, cmd, sa, NULL, 0);
		return;
	}
	/* EXIT FAILURE MODE: leaves failure mode only after a failed operation
	 * that allowed it (AUSE=1); outside failure mode there is nothing to do */
	pthread_mutex_lock(&s->mu);
	if (s->failed && !s->failed_ause) {
		pthread_mutex_unlock(&s->mu);
		sense__invalid_cdb(cmd, 1, 4);
		return;
	}
	s->failed = false;
	pthread_mutex_unlock(&s->mu);
	cmd->status = 0;
}

/* ---- tests only ---- */

bool san__wait(tgt_lun *l, bool work_only, unsigned timeout_ms)
{
	struct san_state *s = l->san;
	uint64_t end = vitk_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	bool ok;

	pthread_mutex_lock(&s->mu);
	while (s->active && !(work_only && s->work_done) && vitk_now_ns() < end)
		cv_wait_ns(s, SAN_POLL_NS);
	ok = !s->active || (work_only && s->work_done);
	pthread_mutex_unlock(&s->mu);
	return ok;
}

/* ---- MODE SELECT: the Control mode page's SWP bit ---- */

void san__mode_select(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	bool ten = cmd->cdb[0] == TGT_OP_MODE_SELECT10;
	size_t plen = ten ? vitk_get_be16(cmd->cdb + 7) : cmd->cdb[4];
	size_t hdr = ten ? 8 : 4, bdl, off;
	const uint8_t *p = cmd->dout;
	uint8_t cur[12];
	bool swp = false, seen = false;
	size_t i;

	if (!(cmd->cdb[1] & 0x10)) { /* PF = 0: vendor-specific pages, none here */
		sense__invalid_cdb(cmd, 1, 4);
		return;
	}
	if (cmd->cdb[1] & 0x01) { /* SP: nothing is saved */
		sense__invalid_cdb(cmd, 1, 0);
		return;
	}
	if (plen == 0) {
		cmd->status = 0;
		return;
	}
	if (plen < hdr || cmd->dout_len < plen) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
		return;
	}
	bdl = ten ? vitk_get_be16(p + 6) : p[3];
	off = hdr + bdl;
	if (off > plen) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
		return;
	}
	while (off < plen) {
		size_t len;

		if (plen - off < 2 || (p[off] & 0x40)) { /* SPF: no subpages */
			sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false,
				     (uint16_t)off, -1);
			return;
		}
		len = 2 + (size_t)p[off + 1];
		if ((p[off] & 0x3f) != VITK_SCSI_MODE_PAGE_CONTROL || len != sizeof(cur) ||
		    off + len > plen) {
			sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false,
				     (uint16_t)off, -1);
			return;
		}
		/* only SWP may differ from the current values (SPC-4 6.11) */
		spc__page_control(cur, 0, l);
		for (i = 2; i < sizeof(cur); i++) {
			uint8_t mask = i == 4 ? (uint8_t)~0x08 : 0xff;

			if ((p[off + i] & mask) != (cur[i] & mask)) {
				sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false,
					     (uint16_t)(off + i), -1);
				return;
			}
		}
		swp = p[off + 4] & 0x08;
		seen = true;
		off += len;
	}
	if (seen && swp != __atomic_load_n(&l->swp, __ATOMIC_RELAXED)) {
		__atomic_store_n(&l->swp, swp, __ATOMIC_RELAXED);
		/* the other I_T nexuses learn: MODE PARAMETERS CHANGED (SPC-4 7.5.8) */
		pthread_mutex_lock(&d->lock);
		for (i = 0; i < l->nnexus; i++)
			if (l->nexus[i].nexus != cmd->nexus)
				ua__add(l, i, VITK_SCSI_ASC_MODE_PARAMETERS_CHANGED);
		pthread_mutex_unlock(&d->lock);
	}
	cmd->status = 0;
}
