/* SPDX-License-Identifier: MIT */
/*
 * Reservations: SCSI-3 persistent reservations (SPC-4 5.13, PERSISTENT
 * RESERVE IN 6.13 and OUT 6.14) and the SPC-2 RESERVE/RELEASE(6/10) that
 * SPC-4 keeps for compatibility (SPC-4 5.13.3, CRH = 0).
 *
 * State is per LUN.  A registration belongs to an I_T nexus, named here by
 * the initiator port -- iSCSI name + ISID (tgt_cmd.initiator/.isid, SPC-4
 * 7.6.4.6 TransportID format 01b) -- and the target port it came through
 * (tgt_cmd.rel_port: each portal is one, see labtarget/iscsi/README.md), so
 * one initiator port on two paths is two I_T nexuses (SPC-4 5.13.1: a
 * registration through one port is not one through another).  ALL_TG_PT and
 * SPEC_I_PT are not implemented and REPORT CAPABILITIES says so.  An SPC-2 reservation
 * belongs to the session (tgt_cmd.nexus) and ends with it.
 *
 * APTPL: while the last REGISTER asked for it, registrations and the
 * reservation are kept in PATH.pr next to the backing file (written to a
 * temporary file, fsync'd, renamed) and read back when the LUN is added.
 *
 * Locking: pr->lock guards the state; dev->lock is taken inside it only to
 * queue unit attentions in the LUN's nexus table.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vitk/common.h>

#include "dev_internal.h"

/* reservation types (SPC-4 6.14.3, table 171) */
enum {
	PR_WE = 1,
	PR_EA = 3,
	PR_WE_RO = 5,
	PR_EA_RO = 6,
	PR_WE_AR = 7,
	PR_EA_AR = 8,
};

/* PERSISTENT RESERVE OUT service actions (SPC-4 6.14.2) */
enum {
	PROUT_REGISTER = 0,
	PROUT_RESERVE = 1,
	PROUT_RELEASE = 2,
	PROUT_CLEAR = 3,
	PROUT_PREEMPT = 4,
	PROUT_PREEMPT_ABORT = 5,
	PROUT_REGISTER_IGNORE = 6,
	PROUT_REGISTER_MOVE = 7,
};

/* sense codes of this file (SPC-4 annex D) */
#define PR_ASC_INVALID_RELEASE 0x2604        /* invalid release of persistent reservation */
#define PR_ASC_RESERVATIONS_PREEMPTED 0x2A03
#define PR_ASC_RESERVATIONS_RELEASED 0x2A04
#define PR_ASC_REGISTRATIONS_PREEMPTED 0x2A05
#define PR_ASC_INSUFFICIENT_REG_RESOURCES 0x5504

#define PR_MAX_REGS 64
#define PR_NAME_MAX 224 /* iSCSI names are at most 223 bytes (RFC 3720 3.2.6.1) */

typedef struct {
	uint64_t key;
	char name[PR_NAME_MAX];
	uint8_t isid[6];
	uint16_t rtpi;  /* relative target port identifier of the nexus */
	uint64_t nexus; /* the session last seen on this initiator port (unit attentions) */
} pr_reg;

struct tgt_pr {
	pthread_mutex_t lock;
	uint32_t generation;
	pr_reg regs[PR_MAX_REGS];
	size_t nregs;
	uint8_t type;   /* 0: no persistent reservation */
	int holder;     /* index into regs of the holder; -1 for the all-registrants types */
	bool aptpl;
	char *state_path; /* NULL: nowhere to persist */
	/* unit attentions queued under pr->lock, delivered after it is dropped
	 * (dev->lock is never taken inside pr->lock) */
	struct {
		uint64_t nexus;
		uint16_t asc;
	} ua[PR_MAX_REGS];
	size_t nua;
	/* SPC-2 reservation */
	bool legacy;
	uint64_t legacy_nexus;
};

static bool type_valid(uint8_t t)
{
	return t == PR_WE || t == PR_EA || t == PR_WE_RO || t == PR_EA_RO || t == PR_WE_AR ||
	       t == PR_EA_AR;
}

static bool type_all_regs(uint8_t t)
{
	return t == PR_WE_AR || t == PR_EA_AR;
}

static bool type_regs_only(uint8_t t)
{
	return t == PR_WE_RO || t == PR_EA_RO;
}

/* ---- initiator ports ---- */

static const uint8_t zero_isid[6];

static const char *cmd_name(const tgt_cmd *cmd)
{
	return cmd->initiator ? cmd->initiator : "";
}

static const uint8_t *cmd_isid(const tgt_cmd *cmd)
{
	return cmd->isid ? cmd->isid : zero_isid;
}

/* the target port a command came through (0, unknown: port 1) */
static uint16_t cmd_rtpi(const tgt_cmd *cmd)
{
	return cmd->rel_port ? cmd->rel_port : 1;
}

static int find_port(const struct tgt_pr *pr, const char *name, const uint8_t *isid,
		     uint16_t rtpi)
{
	size_t i;

	for (i = 0; i < pr->nregs; i++)
		if (memcmp(pr->regs[i].isid, isid, 6) == 0 && pr->regs[i].rtpi == rtpi &&
		    strcmp(pr->regs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int find_reg(const struct tgt_pr *pr, const tgt_cmd *cmd)
{
	return find_port(pr, cmd_name(cmd), cmd_isid(cmd), cmd_rtpi(cmd));
}

static bool is_holder(const struct tgt_pr *pr, int reg)
{
	if (!pr->type || reg < 0)
		return false;
	return type_all_regs(pr->type) || pr->holder == reg;
}

/* PREEMPT AND ABORT: name the I_T nexus of @r, whose registration goes, to the caller */
static void note_preempted(tgt_cmd *cmd, const pr_reg *r)
{
	tgt_port *p;

	if (!cmd || (cmd->cdb[1] & 0x1f) != PROUT_PREEMPT_ABORT || !cmd->preempted ||
	    cmd->npreempted >= cmd->preempted_cap)
		return;
	p = &cmd->preempted[cmd->npreempted++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", r->name);
	memcpy(p->isid, r->isid, 6);
	p->rel_port = r->rtpi;
}

/* queue @asc for the session last seen on registration @r (pr->lock held) */
static void ua_reg(tgt_device *d, tgt_lun *l, const pr_reg *r, uint16_t asc)
{
	struct tgt_pr *pr = l->pr;

	(void)d;
	if (!r->nexus || pr->nua == PR_MAX_REGS)
		return;
	pr->ua[pr->nua].nexus = r->nexus;
	pr->ua[pr->nua].asc = asc;
	pr->nua++;
}

/* drop pr->lock, then hand the queued unit attentions to the LUN's nexus table */
static void unlock_deliver(tgt_device *d, tgt_lun *l)
{
	struct tgt_pr *pr = l->pr;
	size_t n = pr->nua, i, j;
	uint64_t nexus[PR_MAX_REGS];
	uint16_t asc[PR_MAX_REGS];

	for (i = 0; i < n; i++) {
		nexus[i] = pr->ua[i].nexus;
		asc[i] = pr->ua[i].asc;
	}
	pr->nua = 0;
	pthread_mutex_unlock(&pr->lock);
	if (!n)
		return;
	pthread_mutex_lock(&d->lock);
	for (i = 0; i < n; i++) {
		j = ua__index(l, nexus[i]);
		if (j < l->nnexus)
			ua__add(l, j, asc[i]);
	}
	pthread_mutex_unlock(&d->lock);
}

static void remove_reg(struct tgt_pr *pr, int i)
{
	memmove(&pr->regs[i], &pr->regs[i + 1], (pr->nregs - (size_t)i - 1) * sizeof(pr->regs[0]));
	pr->nregs--;
	if (pr->holder == i)
		pr->holder = -1;
	else if (pr->holder > i)
		pr->holder--;
	if (pr->nregs == 0)
		pr->type = 0; /* an all-registrants reservation ends with the last registrant */
}

/* ---- APTPL state file ---- */

/*
 * PATH.pr, text:
 *   vitk-pr 2
 *   generation G
 *   reservation TYPE HOLDER        (TYPE 0: none; HOLDER: index or -1)
 *   reg KEY ISID NAME RTPI         (KEY and ISID in hex)
 *   end                            (version 2: a file without it was cut short)
 * Version 1 files (no "end" line) are still read.
 */

/* fsync the directory holding @path, so that a rename or unlink in it lasts */
static int sync_dir(const char *path)
{
	char dir[4200];
	char *slash;
	int dfd, r;

	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir))
		return -1;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	dfd = open(slash ? (slash == dir ? "/" : dir) : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	r = fsync(dfd);
	close(dfd);
	return r;
}

static int pr_save(const struct tgt_pr *pr)
{
	char tmp[4200];
	FILE *f;
	size_t i;
	int fd, ok;

	if (!pr->state_path)
		return -1;
	if (!pr->aptpl || (pr->nregs == 0 && !pr->type)) {
		/* nothing to keep (APTPL off, or no registration left) */
		if (unlink(pr->state_path) < 0)
			return errno == ENOENT ? 0 : -1;
		return sync_dir(pr->state_path);
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", pr->state_path) >= sizeof(tmp))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	fprintf(f, "vitk-pr 2\ngeneration %" PRIu32 "\nreservation %u %d\n", pr->generation,
		pr->type, pr->type ? pr->holder : -1);
	for (i = 0; i < pr->nregs; i++) {
		const pr_reg *r = &pr->regs[i];

		fprintf(f, "reg %016" PRIx64 " %02x%02x%02x%02x%02x%02x %s %u\n", r->key,
			r->isid[0], r->isid[1], r->isid[2], r->isid[3], r->isid[4], r->isid[5],
			r->name, r->rtpi);
	}
	fputs("end\n", f);
	ok = fflush(f) == 0 && fsync(fd) == 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, pr->state_path) < 0) {
		unlink(tmp);
		return -1;
	}
	/* the rename itself reaches the disk with the directory */
	return sync_dir(pr->state_path);
}

#define BAD(...)                                               \
	do {                                                   \
		snprintf(why, whylen, __VA_ARGS__);            \
		goto bad;                                      \
	} while (0)

/* the state file is input from disk: every field is checked; @why gets the reason */
static int pr_parse(struct tgt_pr *pr, FILE *f, char *why, size_t whylen)
{
	char line[512];
	unsigned type = 0, version = 0;
	int holder = -1, n = 0;
	bool ended = false, gen_seen = false, res_seen = false;

	while (fgets(line, sizeof(line), f)) {
		unsigned long long key;
		unsigned isid[6], rtpi = 1;
		char name[PR_NAME_MAX];
		int nf;
		uint32_t gen;
		int k;

		n++;
		if (!strchr(line, '\n'))
			BAD("line %d: %s", n, feof(f) ? "cut short (no newline)" : "too long");
		if (ended)
			BAD("line %d: text after the end line", n);
		if (n == 1) {
			if (strcmp(line, "vitk-pr 1\n") == 0)
				version = 1;
			else if (strcmp(line, "vitk-pr 2\n") == 0)
				version = 2;
			else
				BAD("line 1: not a vitk reservation state file (no 'vitk-pr 1|2' header)");
		} else if (version == 2 && strcmp(line, "end\n") == 0) {
			ended = true;
		} else if (sscanf(line, "generation %" SCNu32, &gen) == 1) {
			pr->generation = gen;
			gen_seen = true;
		} else if (sscanf(line, "reservation %u %d", &type, &holder) == 2) {
			res_seen = true;
		} else if ((nf = sscanf(line, "reg %16llx %2x%2x%2x%2x%2x%2x %223s %u", &key,
					&isid[0], &isid[1], &isid[2], &isid[3], &isid[4], &isid[5],
					name, &rtpi)) == 8 ||
			   nf == 9) {
			/* the target port is the 9th field; files without it: port 1 */
			pr_reg *r;
			uint8_t b[6];

			if (pr->nregs == PR_MAX_REGS)
				BAD("line %d: more than %d registrations", n, PR_MAX_REGS);
			if (key == 0)
				BAD("line %d: reservation key 0", n);
			if (rtpi == 0 || rtpi > 0xffff)
				BAD("line %d: target port %u out of range", n, rtpi);
			for (k = 0; k < 6; k++)
				b[k] = (uint8_t)isid[k];
			if (find_port(pr, name, b, (uint16_t)rtpi) >= 0)
				BAD("line %d: initiator port registered twice", n);
			r = &pr->regs[pr->nregs++];
			memset(r, 0, sizeof(*r));
			r->key = key;
			memcpy(r->isid, b, 6);
			r->rtpi = (uint16_t)rtpi;
			snprintf(r->name, sizeof(r->name), "%s", name);
		} else {
			BAD("line %d: not understood", n);
		}
	}
	if (ferror(f))
		BAD("read error");
	fclose(f);
	f = NULL;
	if (n == 0)
		BAD("empty file");
	if (version == 2 && !ended)
		BAD("cut short (no end line)");
	if (!gen_seen || !res_seen)
		BAD("no %s line", gen_seen ? "reservation" : "generation");
	if (type && !type_valid((uint8_t)type))
		BAD("reservation type %u is not one of SPC-4's", type);
	if (type && pr->nregs == 0)
		BAD("a reservation without registrations");
	if (type && !type_all_regs((uint8_t)type) && (holder < 0 || (size_t)holder >= pr->nregs))
		BAD("reservation holder %d of %zu registrations", holder, pr->nregs);
	pr->type = (uint8_t)type;
	pr->holder = type_all_regs(pr->type) ? -1 : holder;
	pr->aptpl = true;
	return 0;
bad:
	if (f)
		fclose(f);
	return -1;
}

#undef BAD

static int pr_load(struct tgt_pr *pr, char *why, size_t whylen)
{
	FILE *f = fopen(pr->state_path, "re");

	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	return pr_parse(pr, f, why, whylen); /* closes f */
}

int pr__parse_state(const uint8_t *buf, size_t len)
{
	struct tgt_pr *pr = calloc(1, sizeof(*pr));
	char why[160];
	FILE *f;
	int r;

	if (!pr)
		return -1;
	pr->holder = -1;
	f = len ? fmemopen((void *)(uintptr_t)buf, len, "r") : NULL;
	r = f ? pr_parse(pr, f, why, sizeof(why)) : -1;
	/* a state that loads is one the device can serve */
	if (r == 0 && pr->type && !type_all_regs(pr->type) &&
	    (pr->holder < 0 || (size_t)pr->holder >= pr->nregs))
		abort();
	free(pr);
	return r;
}

int pr__lun_init(tgt_lun *l)
{
	struct tgt_pr *pr = calloc(1, sizeof(*pr));

	if (!pr)
		return VITK_ENOMEM;
	pthread_mutex_init(&pr->lock, NULL);
	pr->holder = -1;
	l->pr = pr;
	if (!l->path)
		return 0;
	if (asprintf(&pr->state_path, "%s.pr", l->path) < 0) {
		pr->state_path = NULL;
		return VITK_ENOMEM;
	}
	{
		char why[160] = "";

		if (pr_load(pr, why, sizeof(why)) < 0) {
			pr->nregs = 0;
			pr->type = 0;
			pr->generation = 0;
			return vitk_error_set(VITK_EINVAL, 0,
					      "lun %u: reservation state file '%s': %s (fix or "
					      "remove it; it is not overwritten)",
					      l->lun, pr->state_path, why);
		}
	}
	return 0;
}

const char *pr__state_path(const tgt_lun *l)
{
	return l->pr ? l->pr->state_path : NULL;
}

void pr__lun_free(tgt_lun *l)
{
	if (!l->pr)
		return;
	pthread_mutex_destroy(&l->pr->lock);
	free(l->pr->state_path);
	free(l->pr);
	l->pr = NULL;
}

void pr__lun_reset(tgt_lun *l)
{
	if (!l->pr)
		return;
	pthread_mutex_lock(&l->pr->lock);
	l->pr->legacy = false; /* SPC-2: a LUN reset releases the reservation */
	pthread_mutex_unlock(&l->pr->lock);
}

void pr__nexus_gone(tgt_lun *l, uint64_t nexus)
{
	if (!l->pr)
		return;
	pthread_mutex_lock(&l->pr->lock);
	if (l->pr->legacy && l->pr->legacy_nexus == nexus)
		l->pr->legacy = false;
	pthread_mutex_unlock(&l->pr->lock);
}

/* ---- which commands a reservation lets through ---- */

/*
 * How a command touches the medium, for the tables of commands allowed in
 * the presence of reservations (SPC-4 5.13.1 table 63 and the SBC-4 table
 * of block commands).
 */
enum { ACC_ALWAYS, ACC_READ, ACC_WRITE, ACC_PR, ACC_LEGACY, ACC_COPY };

static int classify(const tgt_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;

	switch (c[0]) {
	case VITK_SCSI_OP_INQUIRY:
	case VITK_SCSI_OP_REQUEST_SENSE:
	case VITK_SCSI_OP_REPORT_LUNS:
	case VITK_SCSI_OP_MAINTENANCE_IN:
		return ACC_ALWAYS;
	case VITK_SCSI_OP_TEST_UNIT_READY:
	case VITK_SCSI_OP_READ_CAPACITY10:
		return ACC_PR; /* allowed by persistent reservations, not by SPC-2 ones */
	case VITK_SCSI_OP_SERVICE_ACTION_IN16:
		return (c[1] & 0x1f) == VITK_SCSI_SA_READ_CAPACITY16 ? ACC_PR : ACC_READ;
	case TGT_OP_PERSISTENT_RESERVE_IN:
	case TGT_OP_PERSISTENT_RESERVE_OUT:
		return ACC_PR;
	case TGT_OP_RESERVE6:
	case TGT_OP_RELEASE6:
	case TGT_OP_RESERVE10:
	case TGT_OP_RELEASE10:
		return ACC_LEGACY; /* decided by their handlers */
	case VITK_SCSI_OP_START_STOP_UNIT:
		/* START = 1 with POWER CONDITION 0 is allowed */
		return (c[4] & 0xf1) == 0x01 ? ACC_READ : ACC_WRITE;
	case VITK_SCSI_OP_PREVENT_ALLOW_MEDIUM_REMOVAL:
		return (c[4] & 0x03) ? ACC_WRITE : ACC_PR;
	case VITK_SCSI_OP_READ6:
	case VITK_SCSI_OP_READ10:
	case VITK_SCSI_OP_READ12:
	case VITK_SCSI_OP_READ16:
	case VITK_SCSI_OP_VERIFY10:
	case VITK_SCSI_OP_VERIFY12:
	case VITK_SCSI_OP_VERIFY16:
	case VITK_SCSI_OP_PRE_FETCH10:
	case VITK_SCSI_OP_PRE_FETCH16:
	case VITK_SCSI_OP_MODE_SENSE6:
	case VITK_SCSI_OP_MODE_SENSE10:
	case VITK_SCSI_OP_3PC_IN:
		return ACC_READ;
	case VITK_SCSI_OP_3PC_OUT:
		switch (c[1] & 0x1f) {
		case VITK_SCSI_SA_POPULATE_TOKEN:
			return ACC_READ;
		case VITK_SCSI_SA_WRITE_USING_TOKEN:
			return ACC_WRITE;
		case VITK_SCSI_SA_XCOPY_LID1:
			return ACC_COPY; /* the copy manager checks each LUN it touches */
		default:
			return ACC_READ;
		}
	default:
		return ACC_WRITE; /* WRITE family, WRITE SAME, UNMAP, CAW, SYNC CACHE, SANITIZE */
	}
}

/* persistent reservation conflict for an access (pr->lock held) */
static bool pr_conflicts(struct tgt_pr *pr, const tgt_cmd *cmd, bool write)
{
	int reg;

	if (!pr->type)
		return false;
	reg = find_reg(pr, cmd);
	if (is_holder(pr, reg))
		return false;
	switch (pr->type) {
	case PR_WE:
		return write;
	case PR_EA:
		return true;
	case PR_WE_RO:
	case PR_WE_AR:
		return write && reg < 0;
	default: /* EA_RO, EA_AR */
		return reg < 0;
	}
}

bool pr__conflict(tgt_device *d, tgt_lun *l, const tgt_cmd *cmd)
{
	struct tgt_pr *pr = l->pr;
	int acc = classify(cmd);
	bool c = false;
	int reg;

	(void)d;
	if (!pr || acc == ACC_ALWAYS || acc == ACC_LEGACY)
		return false;
	pthread_mutex_lock(&pr->lock);
	reg = find_reg(pr, cmd);
	if (reg >= 0)
		pr->regs[reg].nexus = cmd->nexus;
	if (pr->legacy)
		c = pr->legacy_nexus != cmd->nexus; /* SPC-2: everything but the above */
	else if (acc == ACC_READ || acc == ACC_WRITE)
		c = pr_conflicts(pr, cmd, acc == ACC_WRITE);
	pthread_mutex_unlock(&pr->lock);
	return c;
}

bool pr__copy_conflict(tgt_lun *l, const tgt_cmd *cmd, bool write)
{
	struct tgt_pr *pr = l->pr;
	bool c;

	if (!pr)
		return false;
	pthread_mutex_lock(&pr->lock);
	if (pr->legacy)
		c = pr->legacy_nexus != cmd->nexus;
	else
		c = pr_conflicts(pr, cmd, write);
	pthread_mutex_unlock(&pr->lock);
	return c;
}

static void conflict(tgt_cmd *cmd)
{
	cmd->status = VITK_SCSI_STATUS_RESERVATION_CONFLICT;
	cmd->sense_len = 0;
}

/* ---- RESERVE / RELEASE (6) and (10): SPC-2 7.21, 7.13 ---- */

void pr__reserve(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	struct tgt_pr *pr = l->pr;

	(void)d;
	/* no third-party or extent reservations (LongID/3rdPTY, obsolete) */
	if (cmd->cdb[1] & 0x1f) {
		sense__invalid_cdb(cmd, 1, -1);
		return;
	}
	pthread_mutex_lock(&pr->lock);
	/* SPC-4 5.13.3: with CRH = 0 any registration makes RESERVE conflict */
	if (pr->nregs || (pr->legacy && pr->legacy_nexus != cmd->nexus)) {
		conflict(cmd);
	} else {
		pr->legacy = true;
		pr->legacy_nexus = cmd->nexus;
		cmd->status = 0;
	}
	pthread_mutex_unlock(&pr->lock);
}

void pr__release(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	struct tgt_pr *pr = l->pr;

	(void)d;
	pthread_mutex_lock(&pr->lock);
	if (pr->nregs) {
		conflict(cmd);
	} else {
		/* releasing someone else's reservation, or none, is a no-op (SPC-2 7.13) */
		if (pr->legacy && pr->legacy_nexus == cmd->nexus)
			pr->legacy = false;
		cmd->status = 0;
	}
	pthread_mutex_unlock(&pr->lock);
}

/* ---- PERSISTENT RESERVE IN (SPC-4 6.13) ---- */

/* iSCSI TransportID, format 01b: "NAME,i,0xISID", NUL, padded to 4 (SPC-4 7.6.4.6) */
static size_t transport_id(const pr_reg *r, uint8_t *out, size_t cap)
{
	char s[PR_NAME_MAX + 24];
	int n = snprintf(s, sizeof(s), "%s,i,0x%02x%02x%02x%02x%02x%02x", r->name, r->isid[0],
			 r->isid[1], r->isid[2], r->isid[3], r->isid[4], r->isid[5]);
	size_t alen = ((size_t)n + 1 + 3) & ~(size_t)3;

	if (alen < 20)
		alen = 20; /* a TransportID is at least 24 bytes */
	if (4 + alen > cap)
		return 0;
	memset(out, 0, 4 + alen);
	out[0] = 0x40 | 0x05; /* FORMAT CODE 01b, PROTOCOL IDENTIFIER iSCSI */
	vitk_put_be16(out + 2, (uint16_t)alen);
	memcpy(out + 4, s, (size_t)n);
	return 4 + alen;
}

void pr__in(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	struct tgt_pr *pr = l->pr;
	uint16_t alloc = vitk_get_be16(cmd->cdb + 7);
	uint8_t *buf;
	size_t cap = 8 + PR_MAX_REGS * (24 + 4 + PR_NAME_MAX + 24), n = 8, i;

	(void)d;
	buf = calloc(1, cap);
	if (!buf) {
		sense__set(cmd, VITK_SCSI_KEY_HARDWARE_ERROR, VITK_SCSI_ASC_INTERNAL_TARGET_FAILURE);
		return;
	}
	pthread_mutex_lock(&pr->lock);
	vitk_put_be32(buf, pr->generation);
	switch (cmd->cdb[1] & 0x1f) {
	case 0: /* READ KEYS */
		for (i = 0; i < pr->nregs; i++, n += 8)
			vitk_put_be64(buf + n, pr->regs[i].key);
		vitk_put_be32(buf + 4, (uint32_t)(n - 8));
		break;
	case 1: /* READ RESERVATION */
		if (pr->type) {
			if (!type_all_regs(pr->type))
				vitk_put_be64(buf + 8, pr->regs[pr->holder].key);
			buf[8 + 13] = pr->type; /* SCOPE 0: logical unit */
			n += 16;
		}
		vitk_put_be32(buf + 4, (uint32_t)(n - 8));
		break;
	case 2: /* REPORT CAPABILITIES */
		memset(buf, 0, 8);
		vitk_put_be16(buf, 8);
		buf[2] = 0x01;                      /* PTPL_C; CRH, SIP_C, ATP_C = 0 */
		buf[3] = 0x80 | (pr->aptpl ? 1 : 0); /* TMV; ALLOW COMMANDS 0; PTPL_A */
		buf[4] = 0x80 | 0x40 | 0x20 | 0x08 | 0x02; /* WR_EX_AR EX_AC_RO WR_EX_RO EX_AC WR_EX */
		buf[5] = 0x01;                             /* EX_AC_AR */
		n = 8;
		break;
	default: /* 3: READ FULL STATUS */
		for (i = 0; i < pr->nregs; i++) {
			uint8_t *p = buf + n;
			size_t t;

			vitk_put_be64(p, pr->regs[i].key);
			if (is_holder(pr, (int)i)) {
				p[12] = 0x01; /* R_HOLDER */
				p[13] = pr->type;
			}
			vitk_put_be16(p + 18, pr->regs[i].rtpi); /* RELATIVE TARGET PORT IDENTIFIER */
			t = transport_id(&pr->regs[i], p + 24, cap - n - 24);
			vitk_put_be32(p + 20, (uint32_t)t);
			n += 24 + t;
		}
		vitk_put_be32(buf + 4, (uint32_t)(n - 8));
		break;
	}
	pthread_mutex_unlock(&pr->lock);
	sense__put_din(cmd, buf, n, alloc);
	cmd->status = 0;
	free(buf);
}

/* ---- PERSISTENT RESERVE OUT (SPC-4 6.14, 5.13.5 - 5.13.11) ---- */

static void pr_changed(struct tgt_pr *pr, tgt_cmd *cmd)
{
	if (pr_save(pr) < 0)
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, PR_ASC_INSUFFICIENT_REG_RESOURCES);
}

static void pr_register(struct tgt_pr *pr, tgt_cmd *cmd, int me, uint64_t key, uint64_t sakey,
			bool ignore, bool aptpl, tgt_device *d, tgt_lun *l)
{
	if (me < 0) {
		if (!ignore && key != 0) {
			conflict(cmd);
			return;
		}
		if (sakey == 0)
			return; /* nothing to do (SPC-4 5.13.7) */
		if (pr->nregs == PR_MAX_REGS) {
			sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST,
				   PR_ASC_INSUFFICIENT_REG_RESOURCES);
			return;
		}
		me = (int)pr->nregs++;
		memset(&pr->regs[me], 0, sizeof(pr->regs[me]));
		snprintf(pr->regs[me].name, sizeof(pr->regs[me].name), "%s", cmd_name(cmd));
		memcpy(pr->regs[me].isid, cmd_isid(cmd), 6);
		pr->regs[me].rtpi = cmd_rtpi(cmd);
		pr->regs[me].nexus = cmd->nexus;
		pr->regs[me].key = sakey;
	} else {
		if (!ignore && key != pr->regs[me].key) {
			conflict(cmd);
			return;
		}
		if (sakey == 0) {
			/* unregistering the holder of a registrants-only reservation
			 * releases it; the others learn (SPC-4 5.13.11.2.3) */
			bool released = pr->type && pr->holder == me;
			uint8_t old = pr->type;
			size_t i;

			remove_reg(pr, me);
			if (released) {
				pr->type = 0;
				if (type_regs_only(old))
					for (i = 0; i < pr->nregs; i++)
						ua_reg(d, l, &pr->regs[i], PR_ASC_RESERVATIONS_RELEASED);
			}
		} else {
			pr->regs[me].key = sakey;
		}
	}
	pr->generation++;
	pr->aptpl = aptpl;
	pr_changed(pr, cmd);
}

/* remove every registration with @key but @keep; returns how many (UA 2A/05 to them) */
static size_t preempt_key(struct tgt_pr *pr, tgt_cmd *cmd, uint64_t key, int *keep, tgt_device *d,
			  tgt_lun *l)
{
	size_t n = 0;
	int i;

	for (i = (int)pr->nregs - 1; i >= 0; i--) {
		if (pr->regs[i].key != key || i == *keep)
			continue;
		ua_reg(d, l, &pr->regs[i], PR_ASC_REGISTRATIONS_PREEMPTED);
		note_preempted(cmd, &pr->regs[i]);
		remove_reg(pr, i);
		if (*keep > i)
			(*keep)--;
		n++;
	}
	return n;
}

static void pr_preempt(struct tgt_pr *pr, tgt_cmd *cmd, int me, uint64_t sakey, uint8_t type,
		       tgt_device *d, tgt_lun *l)
{
	uint8_t old = pr->type;
	size_t i;

	if (!pr->type || (type_all_regs(pr->type) && sakey != 0) ||
	    (!type_all_regs(pr->type) && sakey != pr->regs[pr->holder].key)) {
		/* no reservation, or not the holder's key: remove registrations only
		 * (SPC-4 5.13.11.4.3, 5.13.11.4.4 b) */
		if (sakey == 0) {
			sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 8, -1);
			return;
		}
		if (preempt_key(pr, cmd, sakey, &me, d, l) == 0) {
			conflict(cmd);
			return;
		}
	} else {
		/* the reservation moves to us: all-registrants with key 0 removes
		 * every other registration; otherwise the holder's key's */
		if (type_all_regs(pr->type)) {
			for (i = pr->nregs; i-- > 0;) {
				if ((int)i == me)
					continue;
				ua_reg(d, l, &pr->regs[i], PR_ASC_REGISTRATIONS_PREEMPTED);
				note_preempted(cmd, &pr->regs[i]);
				remove_reg(pr, (int)i);
				if (me > (int)i)
					me--;
			}
		} else {
			(void)preempt_key(pr, cmd, sakey, &me, d, l);
		}
		pr->type = type;
		pr->holder = type_all_regs(type) ? -1 : me;
		if (old != type)
			for (i = 0; i < pr->nregs; i++)
				if ((int)i != me)
					ua_reg(d, l, &pr->regs[i], PR_ASC_RESERVATIONS_RELEASED);
	}
	pr->generation++;
	pr_changed(pr, cmd);
}

/* REGISTER AND MOVE (SPC-4 5.13.8): the parameter list names the new holder */
static void pr_move(struct tgt_pr *pr, tgt_cmd *cmd, int me, const uint8_t *p, size_t len,
		    tgt_device *d, tgt_lun *l)
{
	uint64_t key = vitk_get_be64(p), sakey = vitk_get_be64(p + 8);
	bool unreg = p[17] & 0x02, aptpl = p[17] & 0x01;
	uint32_t tlen = vitk_get_be32(p + 20);
	uint16_t rtpi = vitk_get_be16(p + 18); /* RELATIVE TARGET PORT IDENTIFIER */
	const uint8_t *t = p + 24;
	char name[PR_NAME_MAX];
	uint8_t isid[6];
	const char *sep;
	size_t nlen, i;
	int dst;

	(void)d;
	(void)l;
	if (me < 0 || key != pr->regs[me].key || !pr->type || type_all_regs(pr->type) ||
	    pr->holder != me) {
		conflict(cmd);
		return;
	}
	if (sakey == 0) {
		sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 8, -1);
		return;
	}
	if (tlen < 24 || 24 + (size_t)tlen > len || (t[0] & 0x0f) != 0x05) {
		sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 24, -1);
		return;
	}
	/* only format 01b names an initiator port (name + ISID) */
	if ((t[0] & 0xc0) != 0x40 || (size_t)vitk_get_be16(t + 2) + 4 > tlen) {
		sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 24, 7);
		return;
	}
	nlen = strnlen((const char *)t + 4, vitk_get_be16(t + 2));
	sep = memmem(t + 4, nlen, ",i,0x", 5);
	if (!sep || (size_t)(sep - (const char *)t - 4) >= sizeof(name) ||
	    nlen - (size_t)(sep - (const char *)t - 4) != 5 + 12) {
		sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 28, -1);
		return;
	}
	memcpy(name, t + 4, (size_t)(sep - (const char *)t - 4));
	name[sep - (const char *)t - 4] = 0;
	for (i = 0; i < 6; i++) {
		unsigned v;
		char hx[3] = { sep[5 + 2 * i], sep[6 + 2 * i], 0 };

		if (!isxdigit((unsigned char)hx[0]) || !isxdigit((unsigned char)hx[1]) ||
		    sscanf(hx, "%2x", &v) != 1) {
			sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 28,
				     -1);
			return;
		}
		isid[i] = (uint8_t)v;
	}
	if (rtpi == 0 || rtpi > (d->opts.target_ports ? d->opts.target_ports : 1)) {
		sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 18, -1);
		return;
	}
	dst = find_port(pr, name, isid, rtpi);
	if (dst == me) {
		sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 24, -1);
		return;
	}
	if (dst < 0) {
		if (pr->nregs == PR_MAX_REGS) {
			sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST,
				   PR_ASC_INSUFFICIENT_REG_RESOURCES);
			return;
		}
		dst = (int)pr->nregs++;
		memset(&pr->regs[dst], 0, sizeof(pr->regs[dst]));
		snprintf(pr->regs[dst].name, sizeof(pr->regs[dst].name), "%s", name);
		memcpy(pr->regs[dst].isid, isid, 6);
		pr->regs[dst].rtpi = rtpi;
	}
	pr->regs[dst].key = sakey;
	pr->holder = dst;
	if (unreg)
		remove_reg(pr, me);
	pr->generation++;
	pr->aptpl = aptpl;
	pr_changed(pr, cmd);
}

void pr__out(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	struct tgt_pr *pr = l->pr;
	uint8_t sa = cmd->cdb[1] & 0x1f, scope = cmd->cdb[2] >> 4, type = cmd->cdb[2] & 0x0f;
	uint32_t plen = vitk_get_be32(cmd->cdb + 5);
	const uint8_t *p = cmd->dout;
	uint64_t key, sakey;
	int me;

	cmd->status = 0;
	if (sa == PROUT_REGISTER_MOVE ? plen < 24 : plen != 24) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
		return;
	}
	if (cmd->dout_len < plen) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_PARAM_LIST_LENGTH_ERROR);
		return;
	}
	if ((sa == PROUT_RESERVE || sa == PROUT_RELEASE || sa == PROUT_PREEMPT ||
	     sa == PROUT_PREEMPT_ABORT || sa == PROUT_REGISTER_MOVE)) {
		if (scope != 0) {
			sense__invalid_cdb(cmd, 2, 7);
			return;
		}
		if (!type_valid(type)) {
			sense__invalid_cdb(cmd, 2, 3);
			return;
		}
	}
	if (sa != PROUT_REGISTER_MOVE && (p[20] & 0x0c)) {
		/* SPEC_I_PT, ALL_TG_PT: not implemented (SIP_C = ATP_C = 0) */
		sense__field(cmd, VITK_SCSI_ASC_INVALID_FIELD_IN_PARAM_LIST, false, 20,
			     (p[20] & 0x08) ? 3 : 2);
		return;
	}
	key = vitk_get_be64(p);
	sakey = vitk_get_be64(p + 8);
	pthread_mutex_lock(&pr->lock);
	if (pr->legacy && pr->legacy_nexus != cmd->nexus) {
		conflict(cmd);
		goto out;
	}
	me = find_reg(pr, cmd);
	if (me >= 0)
		pr->regs[me].nexus = cmd->nexus;
	switch (sa) {
	case PROUT_REGISTER:
	case PROUT_REGISTER_IGNORE:
		pr_register(pr, cmd, me, key, sakey, sa == PROUT_REGISTER_IGNORE, p[20] & 0x01, d,
			    l);
		goto out;
	case PROUT_REGISTER_MOVE:
		pr_move(pr, cmd, me, p, plen, d, l);
		goto out;
	default:
		break;
	}
	if (me < 0 || key != pr->regs[me].key) {
		conflict(cmd);
		goto out;
	}
	switch (sa) {
	case PROUT_RESERVE:
		if (pr->type && !is_holder(pr, me))
			conflict(cmd);
		else if (pr->type && pr->type != type)
			conflict(cmd); /* the holder may not change the type (SPC-4 5.13.9) */
		else if (!pr->type) {
			pr->type = type;
			pr->holder = type_all_regs(type) ? -1 : me;
			pr_changed(pr, cmd);
		}
		break;
	case PROUT_RELEASE:
		if (!pr->type || !is_holder(pr, me))
			break; /* GOOD, nothing released (SPC-4 5.13.11.2.2) */
		if (pr->type != type) {
			sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, PR_ASC_INVALID_RELEASE);
			break;
		}
		if (type_regs_only(pr->type) || type_all_regs(pr->type)) {
			size_t i;

			for (i = 0; i < pr->nregs; i++)
				if ((int)i != me)
					ua_reg(d, l, &pr->regs[i], PR_ASC_RESERVATIONS_RELEASED);
		}
		pr->type = 0;
		pr->holder = -1;
		pr_changed(pr, cmd);
		break;
	case PROUT_CLEAR: {
		size_t i;

		for (i = 0; i < pr->nregs; i++)
			if ((int)i != me)
				ua_reg(d, l, &pr->regs[i], PR_ASC_RESERVATIONS_PREEMPTED);
		pr->nregs = 0;
		pr->type = 0;
		pr->holder = -1;
		pr->generation++;
		pr_changed(pr, cmd);
		break;
	}
	default: /* PREEMPT, PREEMPT AND ABORT (the caller aborts the tasks: see tgt_cmd) */
		pr_preempt(pr, cmd, me, sakey, type, d, l);
		break;
	}
out:
	if (cmd->status != 0)
		cmd->npreempted = 0; /* nothing changed: nothing to abort */
	unlock_deliver(d, l);
}

