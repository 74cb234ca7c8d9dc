/* SPDX-License-Identifier: MIT */
/*
 * The lab target's SCSI device: LUN lifecycle, the command dispatcher,
 * unit attentions and per-LUN counters.  Commands are dispatched through the
 * descriptor table (labtarget/scsi/cdb.h); their bodies live in sbc.c
 * (block commands), spc.c (INQUIRY, MODE SENSE, RSOC, ...) and tpc.c (the
 * copy manager: EXTENDED COPY and ROD tokens).
 *
 * Locking: dev->lock guards tokens, copy operations and counters.  The LUN
 * table changes only while no command runs (the caller's exclusion: LUNs
 * added here, removed/replaced/grown in lun_change.c).
 * Data moves outside the lock with pread/pwrite/copy_file_range, which are
 * safe to run concurrently on one file descriptor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vitk/common.h>
#include <vitk/error.h>

#include "dev_internal.h"

/* ---- hashing for stable identifiers ---- */

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * NAA type 6 (IEEE Registered Extended): 4-bit NAA, 24-bit company id,
 * 36-bit vendor specific id, 64-bit extension.  The company id is a fixed
 * lab value; the 100 vendor bits come from a hash of iqn, lun and the
 * backing file's absolute path, so the same configuration always yields
 * the same designator and two LUNs never share one (unless they share all
 * three, which add_lun refuses for the LUN number).
 */
static void make_naa(tgt_lun *l, const char *iqn, const char *abspath)
{
	uint64_t h1 = 0xcbf29ce484222325ULL, h2;
	uint32_t lun32 = l->lun;
	uint8_t *n = l->naa;

	h1 = fnv1a(h1, iqn, strlen(iqn) + 1);
	h1 = fnv1a(h1, &lun32, sizeof(lun32));
	h1 = fnv1a(h1, abspath, strlen(abspath) + 1);
	h2 = mix64(h1 ^ 0x6a09e667f3bcc909ULL);
	h1 = mix64(h1);
	/* company id 0x0A1B2C (lab), NAA 6 */
	n[0] = 0x60 | 0x00;
	n[1] = 0xa1;
	n[2] = 0xb2;
	n[3] = (uint8_t)(0xc0 | ((h1 >> 60) & 0x0f));
	vitk_put_be32(n + 4, (uint32_t)(h1 >> 28));
	vitk_put_be64(n + 8, h2);
	snprintf(l->serial, sizeof(l->serial), "%016llx", (unsigned long long)(h1 ^ h2));
}

/* ---- lifecycle ---- */

int tgt_device_new(tgt_device **out, const tgt_device_options *opts)
{
	tgt_device *d = NULL;
	int r = 0;
	int fd;

	*out = NULL;
	if (!opts || !opts->iqn || !*opts->iqn)
		return vitk_error_set(VITK_EINVAL, 0, "target iqn is missing");
	d = calloc(1, sizeof(*d));
	if (!d)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	d->opts = *opts;
	d->iqn = strdup(opts->iqn);
	if (!d->iqn) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	d->opts.iqn = d->iqn;
	d->ito_max = opts->token_inactivity_max_s ? opts->token_inactivity_max_s
						  : TPC_MAX_INACTIVITY_S;
	d->ito_default = opts->token_inactivity_default_s ? opts->token_inactivity_default_s
							  : TPC_DEFAULT_INACTIVITY_S;
	if (d->ito_default > d->ito_max) {
		r = vitk_error_set(VITK_EINVAL, 0,
				   "token inactivity default %u s exceeds the maximum %u s",
				   d->ito_default, d->ito_max);
		goto out;
	}
	/* per-process secret folded into token ids: tokens do not survive restarts */
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, d->token_secret, sizeof(d->token_secret)) < 0)
			memset(d->token_secret, 0x5a, sizeof(d->token_secret));
		close(fd);
	}
	d->token_seq = 1;
	d->now_ns = vitk_now_ns;
	pthread_mutex_init(&d->lock, NULL);
	*out = d;
	d = NULL;
out:
	if (d) {
		free(d->iqn);
		free(d);
	}
	return r;
}

static void lun_free(tgt_lun *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nallow; i++)
		free(l->allow[i]);
	free(l->allow);
	san__lun_free(l); /* first: its thread writes the file */
	if (l->fd >= 0)
		close(l->fd);
	snap__close(l->snap);
	pr__lun_free(l);
	pthread_mutex_destroy(&l->caw_lock);
	free(l->path);
	free(l);
}

void tgt_device_free(tgt_device *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->luns.size; i++)
		san__lun_stop(d->luns.ptr[i]); /* its thread revokes tokens */
	tpc__device_free(d);
	for (i = 0; i < d->luns.size; i++)
		lun_free(d->luns.ptr[i]);
	vitk_array_clear(d->luns);
	pthread_mutex_destroy(&d->lock);
	free(d->iqn);
	free(d);
}

static unsigned log2u(uint32_t v)
{
	unsigned s = 0;

	while ((1u << s) < v)
		s++;
	return s;
}

/* the LUN's token snapshot store, as cfg->tokens asks (tgt_lun_config) */
static int open_snap(tgt_lun *l, const tgt_lun_config *cfg)
{
	int e;

	if (cfg->tokens == TGT_TOKENS_REVOKE || l->ro)
		return 0; /* nothing can write a read-only LUN's token ranges */
	if (l->is_blockdev)
		return cfg->tokens == TGT_TOKENS_AUTO
			       ? 0
			       : vitk_error_set(VITK_EINVAL, 0,
						"lun %u: snapshot tokens need a backing file, not a "
						"block device",
						l->lun);
	e = snap__open(&l->snap, l->path);
	if (e < 0)
		return cfg->tokens == TGT_TOKENS_AUTO
			       ? 0
			       : vitk_error_set(VITK_EIO, -e,
						"lun %u: cannot create the token snapshot file next "
						"to '%s'",
						l->lun, l->path);
	if (cfg->tokens == TGT_TOKENS_AUTO && !snap__can_clone(l->snap)) {
		snap__close(l->snap); /* would copy every token's data: revoke instead */
		l->snap = NULL;
	}
	return 0;
}

/* the LUN's allow list (LUN masking), owned by the LUN */
static int copy_allow(tgt_lun *l, const tgt_lun_config *cfg)
{
	size_t i;

	if (cfg->nallow == 0 || !cfg->allow)
		return 0;
	l->allow = calloc(cfg->nallow, sizeof(*l->allow));
	if (!l->allow)
		return -1;
	for (i = 0; i < cfg->nallow; i++) {
		l->allow[i] = strdup(cfg->allow[i] ? cfg->allow[i] : "");
		if (!l->allow[i])
			return -1;
		l->nallow++;
	}
	return 0;
}

int tgt_device_add_lun(tgt_device *d, const tgt_lun_config *cfg)
{
	tgt_lun *l = NULL;
	size_t i;
	int r = dev__lun_open(d, cfg, false, &l);

	if (r < 0)
		return r;
	if (vitk_array_grow(d->luns, 1) < 0) {
		dev__lun_free(l);
		return VITK_ENOMEM;
	}
	/* keep ascending LUN order */
	for (i = d->luns.size; i > 0 && d->luns.ptr[i - 1]->lun > l->lun; i--)
		d->luns.ptr[i] = d->luns.ptr[i - 1];
	d->luns.ptr[i] = l;
	d->luns.size++;
	return 0;
}

/* a new LUN object for @cfg (not yet in the table); @replacing: @cfg->lun
 * may exist (lun_change.c swaps it) and a larger file is cut to size= */
int dev__lun_open(tgt_device *d, const tgt_lun_config *cfg, bool replacing, tgt_lun **out)
{
	tgt_lun *l = NULL;
	struct stat st;
	char abspath[PATH_MAX];
	bool created = false, cut = false;
	int flags;
	size_t i;
	int r = 0;

	*out = NULL;
	if (!d || !cfg || !cfg->path || !*cfg->path)
		return vitk_error_set(VITK_EINVAL, 0, "lun: backing file path is missing");
	if (cfg->lun > 16383)
		return vitk_error_set(VITK_EINVAL, 0, "lun %u: number out of range (0-16383)",
				      cfg->lun);
	if (cfg->block_size != 512 && cfg->block_size != 4096)
		return vitk_error_set(VITK_EINVAL, 0,
				      "lun %u: block size %u is not supported (512 or 4096)",
				      cfg->lun, cfg->block_size);
	for (i = 0; i < d->luns.size && !replacing; i++)
		if (d->luns.ptr[i]->lun == cfg->lun)
			return vitk_error_set(VITK_EINVAL, 0, "lun %u: defined twice", cfg->lun);
	if (cfg->tokens < TGT_TOKENS_AUTO || cfg->tokens > TGT_TOKENS_SNAPSHOT)
		return vitk_error_set(VITK_EINVAL, 0, "lun %u: unknown token mode %d", cfg->lun,
				      cfg->tokens);
	if (cfg->phys_block_size && cfg->phys_block_size != cfg->block_size &&
	    !(cfg->block_size == 512 && cfg->phys_block_size == 4096))
		return vitk_error_set(VITK_EINVAL, 0,
				      "lun %u: physical block size %u with %u-byte blocks is not "
				      "supported (the block size, or 4096 on 512)",
				      cfg->lun, cfg->phys_block_size, cfg->block_size);
	if (cfg->size % cfg->block_size)
		return vitk_error_set(VITK_EINVAL, 0,
				      "lun %u: size %llu is not a multiple of the block size %u",
				      cfg->lun, (unsigned long long)cfg->size, cfg->block_size);
	if (cfg->sanitize_time_s > TGT_SANITIZE_TIME_MAX)
		return vitk_error_set(VITK_EINVAL, 0, "lun %u: sanitize time %u s is over %u s",
				      cfg->lun, cfg->sanitize_time_s, TGT_SANITIZE_TIME_MAX);

	l = calloc(1, sizeof(*l));
	if (!l)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	l->fd = -1;
	pthread_mutex_init(&l->caw_lock, NULL);
	l->lun = cfg->lun;
	l->bs = cfg->block_size;
	l->bs_shift = log2u(cfg->block_size);
	l->ro = cfg->read_only;
	l->lbppbe = cfg->phys_block_size > cfg->block_size ? log2u(cfg->phys_block_size) - l->bs_shift
							   : 0;
	l->sanitize = cfg->sanitize;
	l->stats.lun = cfg->lun;

	flags = (cfg->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	l->fd = open(cfg->path, flags);
	if (l->fd < 0 && errno == ENOENT && !cfg->read_only) {
		if (cfg->size == 0) {
			r = vitk_error_set(VITK_EINVAL, 0,
					   "lun %u: backing file '%s' does not exist and no size "
					   "was given",
					   cfg->lun, cfg->path);
			goto out;
		}
		l->fd = open(cfg->path, flags | O_CREAT | O_EXCL, 0644);
		created = l->fd >= 0;
	}
	if (l->fd < 0) {
		r = vitk_error_set(VITK_EIO, errno, "lun %u: cannot open backing file '%s'",
				   cfg->lun, cfg->path);
		goto out;
	}
	if (fstat(l->fd, &st) < 0) {
		r = vitk_error_set(VITK_EIO, errno, "lun %u: cannot stat '%s'", cfg->lun,
				   cfg->path);
		goto out;
	}
	if (S_ISBLK(st.st_mode)) {
		uint64_t bsz = 0;

		if (ioctl(l->fd, BLKGETSIZE64, &bsz) < 0) {
			r = vitk_error_set(VITK_EIO, errno, "lun %u: cannot size block device '%s'",
					   cfg->lun, cfg->path);
			goto out;
		}
		l->is_blockdev = true;
		l->size = cfg->size ? cfg->size : bsz;
		if (l->size > bsz) {
			r = vitk_error_set(VITK_EINVAL, 0,
					   "lun %u: size %llu exceeds block device '%s' (%llu bytes)",
					   cfg->lun, (unsigned long long)l->size, cfg->path,
					   (unsigned long long)bsz);
			goto out;
		}
	} else if (S_ISREG(st.st_mode)) {
		uint64_t fsz = (uint64_t)st.st_size;

		if (cfg->size == 0) {
			l->size = fsz;
		} else if (fsz > cfg->size && replacing && !cfg->read_only) {
			l->size = cfg->size; /* shrunk: cut once everything else is ready */
			cut = true;
		} else if (fsz > cfg->size) {
			r = vitk_error_set(VITK_EINVAL, 0,
					   "lun %u: backing file '%s' is %llu bytes, larger than "
					   "size=%llu",
					   cfg->lun, cfg->path, (unsigned long long)fsz,
					   (unsigned long long)cfg->size);
			goto out;
		} else {
			l->size = cfg->size;
			if (fsz < cfg->size) {
				if (cfg->read_only) {
					r = vitk_error_set(VITK_EINVAL, 0,
							   "lun %u: read-only backing file '%s' is "
							   "smaller than size=%llu",
							   cfg->lun, cfg->path,
							   (unsigned long long)cfg->size);
					goto out;
				}
				if (ftruncate(l->fd, (off_t)cfg->size) < 0) {
					r = vitk_error_set(VITK_EIO, errno,
							   "lun %u: cannot size '%s' to %llu bytes",
							   cfg->lun, cfg->path,
							   (unsigned long long)cfg->size);
					goto out;
				}
			}
		}
	} else {
		r = vitk_error_set(VITK_EINVAL, 0,
				   "lun %u: '%s' is neither a regular file nor a block device",
				   cfg->lun, cfg->path);
		goto out;
	}
	if (l->size == 0 || l->size % l->bs) {
		r = vitk_error_set(VITK_EINVAL, 0,
				   "lun %u: size of '%s' (%llu bytes) is not a non-zero multiple "
				   "of the block size %u",
				   cfg->lun, cfg->path, (unsigned long long)l->size, l->bs);
		goto out;
	}
	l->nblocks = l->size >> l->bs_shift;
	if (!realpath(cfg->path, abspath))
		snprintf(abspath, sizeof(abspath), "%s", cfg->path);
	l->path = strdup(abspath);
	if (!l->path) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	make_naa(l, d->iqn, abspath);
	r = pr__lun_init(l);
	if (r < 0)
		goto out; /* the message names the file and the reason */
	if (copy_allow(l, cfg) < 0) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	r = open_snap(l, cfg);
	if (r < 0)
		goto out;
	if (l->sanitize && san__lun_init(l, d, cfg->sanitize_time_s) < 0) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	if (cut && ftruncate(l->fd, (off_t)l->size) < 0) {
		r = vitk_error_set(VITK_EIO, errno, "lun %u: cannot shrink '%s' to %llu bytes",
				   cfg->lun, cfg->path, (unsigned long long)l->size);
		goto out;
	}
	*out = l;
	l = NULL;
out:
	if (l && created)
		unlink(cfg->path);
	lun_free(l);
	return r;
}

void dev__lun_free(tgt_lun *l)
{
	lun_free(l);
}

size_t tgt_device_lun_count(const tgt_device *d)
{
	return d ? d->luns.size : 0;
}

size_t tgt_device_luns(const tgt_device *d, unsigned *out, size_t max)
{
	size_t i;

	if (!d)
		return 0;
	for (i = 0; i < d->luns.size && i < max; i++)
		out[i] = d->luns.ptr[i]->lun;
	return d->luns.size;
}

tgt_lun *dev__find_lun(const tgt_device *d, uint64_t lun)
{
	size_t i;

	for (i = 0; i < d->luns.size; i++)
		if (d->luns.ptr[i]->lun == lun)
			return d->luns.ptr[i];
	return NULL;
}

bool tgt_device_lun_visible(const tgt_device *d, unsigned lun, const char *initiator)
{
	const tgt_lun *l = d ? dev__find_lun(d, lun) : NULL;

	return l && lun__visible(l, initiator);
}

int tgt_device_stats(const tgt_device *d, unsigned lun, tgt_lun_stats *out)
{
	tgt_device *dm = (tgt_device *)d;
	tgt_lun *l = NULL;

	if (!d || !out)
		return vitk_error_set(VITK_EINVAL, 0, "stats: missing argument");
	l = dev__find_lun(d, lun);
	if (!l)
		return vitk_error_set(VITK_ENOTFOUND, 0, "stats: lun %u does not exist", lun);
	pthread_mutex_lock(&dm->lock);
	*out = l->stats;
	pthread_mutex_unlock(&dm->lock);
	return 0;
}

#define TGT_HANDLER(op, sa, cdb_len, dir, len_off, len_size, unit, flags, handler, name, usage) \
	handler,

/* the handler column of the descriptor table: handlers[i] serves tgt_cdb_table()[i] */
static tgt_handler *const handlers[] = { TGT_COMMANDS(TGT_HANDLER) };

static void inquiry_no_lun(tgt_cmd *cmd)
{
	uint8_t buf[36] = { 0 };
	size_t alloc = cmd->cdb_len >= 5 ? vitk_get_be16(cmd->cdb + 3) : 0;

	if (cmd->cdb[1] & 0x01) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_LUN_NOT_SUPPORTED);
		return;
	}
	buf[0] = 0x7f; /* qualifier 3, type 1Fh: no LU at this number */
	buf[2] = 0x06;
	buf[3] = 0x12;
	buf[4] = sizeof(buf) - 5;
	sense__put_din(cmd, buf, sizeof(buf), alloc);
	cmd->status = 0;
}

/* remember @nexus on @l; return (and clear) its pending unit attention ASC, or 0 */
static uint16_t nexus_ua(tgt_device *d, tgt_lun *l, uint64_t nexus, bool consume)
{
	uint16_t ua = 0;
	size_t i;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < l->nnexus; i++)
		if (l->nexus[i].nexus == nexus)
			break;
	if (i == l->nnexus) {
		if (l->nnexus == VITK_ARRAY_SIZE(l->nexus)) {
			/* table full: forget the oldest nexus */
			memmove(&l->nexus[0], &l->nexus[1], (l->nnexus - 1) * sizeof(l->nexus[0]));
			l->nnexus--;
			i = l->nnexus;
		}
		l->nexus[i].nexus = nexus;
		l->nexus[i].nua = 0;
		l->nnexus++;
	}
	ua = ua__head(l, i, consume);
	pthread_mutex_unlock(&d->lock);
	return ua;
}

int tgt_device_lun_reset(tgt_device *d, unsigned lun)
{
	tgt_lun *l = NULL;
	size_t i;

	if (!d)
		return vitk_error_set(VITK_EINVAL, 0, "lun reset: missing device");
	l = dev__find_lun(d, lun);
	if (!l)
		return vitk_error_set(VITK_ENOTFOUND, 0, "lun reset: lun %u does not exist", lun);
	pr__lun_reset(l);
	pthread_mutex_lock(&d->lock);
	for (i = 0; i < l->nnexus; i++)
		ua__add(l, i, VITK_SCSI_ASC_BUS_DEVICE_RESET); /* clears the others */
	l->prevent = false;
	tpc__lun_reset(d, l);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void tgt_device_luns_changed(tgt_device *d)
{
	size_t i, j;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->luns.size; i++) {
		tgt_lun *l = d->luns.ptr[i];

		for (j = 0; j < l->nnexus; j++)
			ua__add(l, j, VITK_SCSI_ASC_REPORTED_LUNS_CHANGED);
	}
	pthread_mutex_unlock(&d->lock);
}

/* queue unit attention @asc for @nexus on @lun: behind the pending ones, or
 * (@front) ahead of them */
static int ua_queue(tgt_device *d, unsigned lun, uint64_t nexus, uint16_t asc, bool front)
{
	tgt_lun *l = d ? dev__find_lun(d, lun) : NULL;
	size_t j;

	if (!l)
		return vitk_error_set(VITK_ENOTFOUND, 0, "unit attention: lun %u does not exist",
				      lun);
	pthread_mutex_lock(&d->lock);
	j = ua__index(l, nexus);
	if (j == l->nnexus && j < VITK_ARRAY_SIZE(l->nexus)) {
		l->nexus[j].nexus = nexus; /* its only commands never reached the device */
		l->nexus[j].nua = 0;
		l->nnexus++;
	}
	if (j < l->nnexus)
		ua__push(l, j, asc, front);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int tgt_device_commands_cleared(tgt_device *d, unsigned lun, uint64_t nexus)
{
	/* after the REGISTRATIONS PREEMPTED the preempt queued: the order they
	 * were established in (SAM-5 5.14) */
	return ua_queue(d, lun, nexus, VITK_SCSI_ASC_COMMANDS_CLEARED, false);
}

int tgt_device_ua_restore(tgt_device *d, unsigned lun, uint64_t nexus, uint16_t asc)
{
	return ua_queue(d, lun, nexus, asc, true);
}

void tgt_device_nexus_gone(tgt_device *d, uint64_t nexus)
{
	size_t i, j;

	if (!d)
		return;
	for (i = 0; i < d->luns.size; i++)
		pr__nexus_gone(d->luns.ptr[i], nexus);
	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->luns.size; i++) {
		tgt_lun *l = d->luns.ptr[i];

		for (j = 0; j < l->nnexus; j++) {
			if (l->nexus[j].nexus == nexus) {
				memmove(&l->nexus[j], &l->nexus[j + 1],
					(l->nnexus - j - 1) * sizeof(l->nexus[0]));
				l->nnexus--;
				break;
			}
		}
	}
	tpc__nexus_gone(d, nexus);
	pthread_mutex_unlock(&d->lock);
}

int tgt_device_exec(tgt_device *d, tgt_cmd *cmd)
{
	tgt_lun *l = NULL;
	uint8_t op;
	int idx;

	if (!d || !cmd)
		return vitk_error_set(VITK_EINVAL, 0, "exec: missing argument");
	cmd->din_len = 0;
	cmd->din_full = 0;
	cmd->status = 0;
	cmd->sense_len = 0;
	cmd->npreempted = 0;
	if (!cmd->cdb || cmd->cdb_len == 0) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_OPCODE);
		return 0;
	}
	idx = tgt_cdb_lookup(cmd->cdb, cmd->cdb_len);
	if (idx == TGT_CDB_SHORT) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_FIELD_IN_CDB);
		return 0;
	}
	op = cmd->cdb[0];
	if (!cmd->dout)
		cmd->dout_len = 0;
	if (!cmd->din)
		cmd->din_cap = 0;

	if (op == VITK_SCSI_OP_REPORT_LUNS && idx >= 0) { /* answers for every LUN number */
		spc__report_luns(d, NULL, cmd);
		return 0;
	}
	l = dev__find_lun(d, cmd->lun);
	if (l && !lun__visible(l, cmd->initiator))
		l = NULL; /* LUN masking: to this initiator there is no such LU */
	if (!l) {
		if (op == VITK_SCSI_OP_INQUIRY)
			inquiry_no_lun(cmd);
		else if (op == VITK_SCSI_OP_REQUEST_SENSE) {
			/* REQUEST SENSE to a missing LU returns the reason as data */
			tgt_cmd tmp = *cmd;

			sense__set(&tmp, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_LUN_NOT_SUPPORTED);
			sense__put_din(cmd, tmp.sense, VITK_SCSI_SENSE_FIXED_LEN, cmd->cdb[4]);
			cmd->status = 0;
		} else {
			sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_LUN_NOT_SUPPORTED);
		}
		return 0;
	}

	if (op != VITK_SCSI_OP_INQUIRY) {
		/* a pending unit attention is reported once, instead of the command
		 * (REQUEST SENSE returns it as data); INQUIRY never consumes it */
		uint16_t ua = nexus_ua(d, l, cmd->nexus, true);

		if (ua) {
			sense__set(cmd, VITK_SCSI_KEY_UNIT_ATTENTION, ua);
			if (op == VITK_SCSI_OP_REQUEST_SENSE) {
				tgt_cmd tmp = *cmd;

				sense__put_din(cmd, tmp.sense, VITK_SCSI_SENSE_FIXED_LEN, cmd->cdb[4]);
				cmd->status = 0;
				cmd->sense_len = 0;
			}
			goto count;
		}
	} else {
		(void)nexus_ua(d, l, cmd->nexus, false);
	}

	/* unknown commands are refused after the LUN and unit attention checks */
	if (san__gate(d, l, cmd))
		; /* SANITIZE IN PROGRESS, or failed (sanitize.c) */
	else if (idx == TGT_CDB_UNKNOWN_OP)
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_INVALID_OPCODE);
	else if (idx == TGT_CDB_UNKNOWN_SA)
		sense__invalid_cdb(cmd, 1, 4); /* SERVICE ACTION */
	else if (pr__conflict(d, l, cmd))
		cmd->status = VITK_SCSI_STATUS_RESERVATION_CONFLICT;
	else
		handlers[idx](d, l, cmd);

count:
	pthread_mutex_lock(&d->lock);
	l->stats.cmds_by_opcode[op]++;
	l->stats.bytes_read_wire += cmd->din_len;
	l->stats.bytes_written_wire += cmd->dout_len;
	pthread_mutex_unlock(&d->lock);
	return 0;
}
