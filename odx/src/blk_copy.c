/*
 * Copy jobs between block devices stacked on SCSI LUNs (LVM LVs, partitions,
 * multipath maps): each device is resolved to ranges of its SCSI disk
 * (blk_resolve.c), the engine copies piece by piece on the sg nodes, and the
 * kernel's caches are kept coherent around it:
 *
 * - the source's dirty pages are written (fsync), then its buffer cache is
 *   dropped (BLKFLSBUF, block/ioctl.c), before the array reads the blocks;
 * - a source open for writing by another process, or mounted read-write, is
 *   refused unless --force: the array would copy a moving image;
 * - the destination is opened with O_EXCL, which a block device grants only
 *   when it is not mounted and not held by dm/md/another O_EXCL opener
 *   (block/bdev.c, bd_prepare_to_claim); it stays open for the whole copy;
 * - afterwards the destination's cached pages (and those of its SCSI disk)
 *   are dropped, so readers see what the array wrote.
 *
 * A device that cannot be offloaded (refused by a layer) is copied by the
 * host through the block devices when the method is auto or host; the plan
 * carries the layer's reason as the reason of the token and xcopy methods.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <sys/file.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/inventory.h>
#include <vitk/odx.h>
#include <vitk/str.h>
#include <vitk/sys/odx.h>
#include <vitk/sys/odx_blk.h>

#include "odx_internal.h"

#define HOST_BUF (4u << 20)

static int bfail(vitk_odx_job_result *out, vitk_odx_stage stage, const char *name, int r)
{
	out->failed = stage;
	out->failed_name = name;
	return r;
}

static int set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = strdup(src ? src : "");
	return *dst ? 0 : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

/* Whether PATH is a block device that is not a whole SCSI disk: the stacked path. */
bool vitk_odx_blk_is_stacked(const char *path, const vitk_odx_blk_env *env)
{
	const char *root = env && env->sysfs_root ? env->sysfs_root : "/sys";
	char link[512], target[512], part[600];
	const char *base;
	struct stat st;
	ssize_t n;

	if (!path || strstr(path, "://") || stat(path, &st) < 0 || !S_ISBLK(st.st_mode))
		return false;
	snprintf(link, sizeof(link), "%s/dev/block/%u:%u", root, major(st.st_rdev), minor(st.st_rdev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return true;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	snprintf(part, sizeof(part), "%s/partition", link);
	return !(strncmp(base, "sd", 2) == 0 && access(part, F_OK) != 0);
}

/* Another process holds DEVT open for writing (/proc/PID/fdinfo flags), or it is mounted rw. */
static int source_writers(const struct stat *src, const char *proc_root, char *who, size_t cap)
{
	char path[512], line[512];
	DIR *procs;
	struct dirent *p;
	FILE *f;
	pid_t self = getpid();

	snprintf(path, sizeof(path), "%s/self/mountinfo", proc_root);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			unsigned ma, mi;
			char opts[256];

			if (sscanf(line, "%*s %*s %u:%u %*s %*s %255s", &ma, &mi, opts) == 3 &&
			    S_ISBLK(src->st_mode) && makedev(ma, mi) == src->st_rdev &&
			    strncmp(opts, "rw", 2) == 0) {
				snprintf(who, cap, "it is mounted read-write");
				fclose(f);
				return 1;
			}
		}
		fclose(f);
	}
	procs = opendir(proc_root);
	if (!procs)
		return 0;
	while ((p = readdir(procs))) {
		DIR *fds;
		struct dirent *fd;
		char dir[300];

		if (p->d_name[0] < '1' || p->d_name[0] > '9' || atoi(p->d_name) == self)
			continue;
		snprintf(dir, sizeof(dir), "%s/%.20s/fd", proc_root, p->d_name);
		fds = opendir(dir);
		if (!fds)
			continue;
		while ((fd = readdir(fds))) {
			struct stat st;
			unsigned flags = 0;
			FILE *fi;

			if (fd->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%.20s", dir, fd->d_name);
			if (stat(path, &st) < 0)
				continue;
			if (S_ISBLK(src->st_mode) ? !S_ISBLK(st.st_mode) || st.st_rdev != src->st_rdev
						  : st.st_dev != src->st_dev || st.st_ino != src->st_ino)
				continue;
			snprintf(path, sizeof(path), "%s/%.20s/fdinfo/%.20s", proc_root, p->d_name,
				 fd->d_name);
			fi = fopen(path, "r");
			if (!fi)
				continue;
			while (fgets(line, sizeof(line), fi))
				if (sscanf(line, "flags: %o", &flags) == 1)
					break;
			fclose(fi);
			if ((flags & O_ACCMODE) != O_RDONLY) {
				snprintf(who, cap, "process %.20s has it open for writing", p->d_name);
				closedir(fds);
				closedir(procs);
				return 1;
			}
		}
		closedir(fds);
	}
	closedir(procs);
	return 0;
}

static void drop_cache(int fd)
{
	(void)ioctl(fd, BLKFLSBUF, 0);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}

static void drop_disk_cache(const char *disk)
{
	char path[96];
	int fd;

	if (!disk)
		return;
	snprintf(path, sizeof(path), "/dev/%.80s", disk);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		drop_cache(fd);
		close(fd);
	}
}

/* The plan of a copy that a layer refuses: token and xcopy carry the layer's reason. */
static int plan_refused(vitk_odx_plan *p, const char *reason, vitk_odx_method requested)
{
	static const vitk_odx_method m[VITK_ODX_NITEMS] = { VITK_ODX_METHOD_TOKEN, VITK_ODX_METHOD_XCOPY,
							    VITK_ODX_METHOD_HOST };

	for (int i = 0; i < VITK_ODX_NITEMS; i++) {
		p->items[i].method = m[i];
		p->items[i].usable = i == VITK_ODX_ITEM_HOST;
		if (i != VITK_ODX_ITEM_HOST && set_str(&p->items[i].reason, reason) < 0)
			return VITK_ENOMEM;
	}
	p->chosen = VITK_ODX_METHOD_HOST;
	if (requested == VITK_ODX_METHOD_TOKEN || requested == VITK_ODX_METHOD_XCOPY)
		return vitk_error_set(VITK_ENOTSUP, 0, "%s not usable: %s",
				      vitk_odx_method_str(requested), reason);
	return 0;
}

struct side {
	const char *path;
	vitk_odx_blk_map map; /* for a file: its filesystem's map, with the file's ranges */
	int fd;
	bool file;   /* a regular file */
	bool create; /* a destination file that does not exist yet */
};

/* [skip, skip+n) blocks of a range list */
static int slice(vitk_odx_blk_ranges *out, const vitk_odx_blk_ranges *in, uint64_t skip, uint64_t n)
{
	for (size_t i = 0; i < in->size && n; i++) {
		vitk_odx_blk_range r = in->ptr[i];

		if (skip >= r.count) {
			skip -= r.count;
			continue;
		}
		r.lba += skip;
		r.count -= skip;
		skip = 0;
		if (r.count > n)
			r.count = n;
		n -= r.count;
		if (vitk_array_append(*out, r) < 0)
			return VITK_ENOMEM;
	}
	return n ? vitk_error_set(VITK_ERANGE, 0, "range past the end of the device") : 0;
}

static void add_result(vitk_odx_copy_result *sum, vitk_odx_copy_result *piece, uint64_t at_block)
{
	sum->bytes += piece->bytes;
	sum->host_bytes += piece->host_bytes;
	sum->host_bytes_in += piece->host_bytes_in;
	sum->host_bytes_out += piece->host_bytes_out;
	sum->offload_blocks += piece->offload_blocks;
	sum->host_blocks += piece->host_blocks;
	sum->commands += piece->commands;
	sum->verify_bytes += piece->verify_bytes;
	sum->duration_ns += piece->duration_ns;
	sum->verified = piece->verified;
	if (piece->nfallbacks) {
		vitk_odx_fallback *f = realloc(sum->fallbacks, (sum->nfallbacks + piece->nfallbacks) *
								    sizeof(*f));
		if (f) {
			sum->fallbacks = f;
			for (size_t i = 0; i < piece->nfallbacks; i++) {
				f[sum->nfallbacks] = piece->fallbacks[i];
				f[sum->nfallbacks++].at_block += at_block;
				piece->fallbacks[i].reason = NULL;
			}
		}
	}
	vitk_odx_copy_result_clear(piece);
}

/* transport bytes of N devices (each transport once) */
static void wire_all(vitk_odx_dev *const *devs, size_t n, uint64_t *in, uint64_t *out)
{
	*in = *out = 0;
	for (size_t i = 0; i < n; i++) {
		vitk_scsi_transport *t = vitk_odx_dev_transport(devs[i]);
		bool seen = false;

		for (size_t k = 0; k < i && !seen; k++)
			seen = vitk_odx_dev_transport(devs[k]) == t;
		if (!seen) {
			*in += t->bytes_in;
			*out += t->bytes_out;
		}
	}
}

/* transport bytes of both devices (once when they are the same LU) */
static void wire(vitk_odx_dev *s, vitk_odx_dev *d, uint64_t *in, uint64_t *out)
{
	vitk_scsi_transport *st = vitk_odx_dev_transport(s), *dt = vitk_odx_dev_transport(d);

	*in = st->bytes_in + (dt != st ? dt->bytes_in : 0);
	*out = st->bytes_out + (dt != st ? dt->bytes_out : 0);
}

/*
 * How many pieces from I go into one multi-range token: consecutive data
 * pieces, within both devices' maximum range descriptors and the smaller
 * maximum token transfer size (VPD 8Fh ROD token features).
 */
static size_t group_len(const vitk_odx_blk_pieces *p, size_t i, vitk_odx_dev *s, vitk_odx_dev *d)
{
	const vitk_odx_dev_info *a = vitk_odx_dev_get_info(s), *b = vitk_odx_dev_get_info(d);
	uint64_t maxr = 64, maxb = UINT64_MAX, sum = 0;
	size_t n = 0;

	if (!a->has_vpd_tpc || !b->has_vpd_tpc || !a->vpd_tpc.has_rod_limits ||
	    !b->vpd_tpc.has_rod_limits)
		return 0;
	if (a->vpd_tpc.max_range_descriptors < maxr)
		maxr = a->vpd_tpc.max_range_descriptors;
	if (b->vpd_tpc.max_range_descriptors < maxr)
		maxr = b->vpd_tpc.max_range_descriptors;
	if (a->vpd_tpc.max_token_transfer_size && a->vpd_tpc.max_token_transfer_size < maxb)
		maxb = a->vpd_tpc.max_token_transfer_size;
	if (b->vpd_tpc.max_token_transfer_size && b->vpd_tpc.max_token_transfer_size < maxb)
		maxb = b->vpd_tpc.max_token_transfer_size;
	/* one token lives on one source disk and is written to one destination disk */
	while (i + n < p->size && n < maxr && !p->ptr[i + n].zero && p->ptr[i + n].count <= UINT32_MAX &&
	       sum + p->ptr[i + n].count <= maxb && p->ptr[i + n].src_disk == p->ptr[i].src_disk &&
	       p->ptr[i + n].dst_disk == p->ptr[i].dst_disk)
		sum += p->ptr[i + n++].count;
	return n;
}

/* One token for N pieces; 0 copied (counted in RES), 1 not (copy them piece by piece), < 0 */
static int token_group(vitk_odx_copy_result *res, vitk_odx_dev *s, vitk_odx_dev *d,
		       const vitk_odx_blk_piece *p, size_t n, uint64_t blocks, uint32_t bs)
{
	uint64_t in0, out0, in1, out1, cmds = 0, t0 = vitk_now_ns();
	char why[256] = "";
	int g;

	wire(s, d, &in0, &out0);
	g = vitk_odx_blk_token_group(s, d, p, n, &cmds, why, sizeof(why));
	wire(s, d, &in1, &out1);
	res->commands += cmds;
	res->host_bytes_in += in1 - in0;
	res->host_bytes_out += out1 - out0;
	res->host_bytes += (in1 - in0) + (out1 - out0);
	res->duration_ns += vitk_now_ns() - t0;
	if (g == 0) {
		res->offload_blocks += blocks;
		res->bytes += blocks * bs;
	} else if (g > 0) {
		vitk_log(VITK_LOG_INFO, "odx", "multi-range token of %zu ranges not used: %s", n, why);
	}
	return g;
}

typedef VITK_ARRAY(vitk_odx_blk_xpiece) xpieces;

/*
 * What the pieces of a block plan become, per method, for the plan's note:
 * multi-range tokens, packed EXTENDED COPY commands (whose count becomes the
 * plan's), or one command sequence per piece.  Nothing is sent.
 */
static void pieces_note(vitk_str *note, vitk_odx_plan *plan, const vitk_odx_blk_pieces *pieces,
			const xpieces *xp, const xpieces *dpieces, vitk_odx_dev *const *devs, size_t ns,
			size_t nd, const vitk_odx_copy_options *o)
{
	if (plan->chosen == VITK_ODX_METHOD_TOKEN) {
		size_t tokens = 0, single = 0;

		for (size_t i = 0; i < pieces->size;) {
			const vitk_odx_blk_piece *q = &pieces->ptr[i];
			size_t gn = q->zero ? 0
					    : group_len(pieces, i, devs[q->src_disk], devs[ns + q->dst_disk]);

			if (gn >= 2) {
				tokens++;
				i += gn;
			} else {
				single++;
				i++;
			}
		}
		vitk_str_putf(note, ": %zu multi-range token%s", tokens, tokens == 1 ? "" : "s");
		if (single)
			vitk_str_putf(note, ", %zu piece%s on %s own", single, single == 1 ? "" : "s",
				      single == 1 ? "its" : "their");
	} else if (plan->chosen == VITK_ODX_METHOD_XCOPY) {
		vitk_odx_blk_xcopy x = { devs, ns + nd, xp->ptr, xp->size, dpieces->ptr, dpieces->size,
					 { 0 }, 1 };
		vitk_odx_blk_xcopy_cmd *c = malloc(sizeof(*c));
		size_t pos = 0, cmds = 0, zeros = 0;
		uint64_t off = 0;

		vitk_odx_blk_xcopy_limits_get(&x.limits, devs, ns + nd, o->max_blocks_per_command);
		if (!c || x.limits.max_segments < 2) {
			vitk_str_putf(note, ": one EXTENDED COPY per piece (the copy manager takes %zu "
				      "segment per command)", x.limits.max_segments);
			free(c);
			return;
		}
		while (pos < pieces->size) {
			if (pieces->ptr[pos].zero) {
				zeros++;
				pos++;
				off = 0;
			} else if (vitk_odx_blk_xcopy_pack(c, &x, pos, off) == 0) {
				cmds++;
				pos = c->end_pos;
				off = c->end_off;
			} else {
				break;
			}
		}
		free(c);
		if (pos < pieces->size) {
			vitk_str_putf(note, ": one EXTENDED COPY per piece (a segment does not fit the "
				      "copy manager's limits)");
			return;
		}
		vitk_str_putf(note, ": %zu EXTENDED COPY command%s of up to %zu segments and %zu "
			      "CSCDs", cmds, cmds == 1 ? "" : "s", x.limits.max_segments,
			      x.limits.max_cscds);
		if (zeros)
			vitk_str_putf(note, ", %zu zeroed piece%s", zeros, zeros == 1 ? "" : "s");
		plan->commands = cmds;
	}
}

struct piece_run {
	vitk_inventory *inv;
	const vitk_odx_job *job;
	const vitk_odx_copy_options *caller;
	uint64_t base;
	const vitk_odx_copy_result *sum; /* the pieces done in this run */
	const vitk_odx_copy_result *cur; /* the piece the engine copies, or NULL */
};

static int piece_chunk(uint64_t blocks_done, vitk_odx_method m, void *payload)
{
	struct piece_run *p = payload;
	vitk_odx_copy_result run = { 0 };

	/* this run's counters so far: a killed run keeps them (vitk_odx_job_claim) */
	run.bytes = p->sum->bytes + (p->cur ? p->cur->bytes : 0);
	run.host_bytes = p->sum->host_bytes + (p->cur ? p->cur->host_bytes : 0);
	run.commands = p->sum->commands + (p->cur ? p->cur->commands : 0);
	run.duration_ns = p->sum->duration_ns + (p->cur ? p->cur->duration_ns : 0);
	if (vitk_odx_job_progress_run(p->inv, p->job, p->base + blocks_done, &run) < 0)
		vitk_error_clear(); /* the final state is written at the end */
	if (p->caller->on_chunk)
		return p->caller->on_chunk(p->base + blocks_done, m, p->caller->chunk_payload);
	return 0;
}

/*
 * For blk_xcopy.c: the pieces, from the source's disks (devices 0..ns-1) to
 * the destination's (ns..), and the requested destination ranges.
 */
static int xpieces_make(xpieces *xp, xpieces *allowed, const vitk_odx_blk_pieces *p,
			const vitk_odx_blk_ranges *dr, size_t ns)
{
	for (size_t i = 0; i < p->size; i++) {
		vitk_odx_blk_xpiece x = { p->ptr[i].src_lba, p->ptr[i].dst_lba, p->ptr[i].count,
					  p->ptr[i].zero, p->ptr[i].src_disk,
					  (uint16_t)(ns + p->ptr[i].dst_disk) };

		if (vitk_array_append(*xp, x) < 0)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	for (size_t i = 0; i < dr->size; i++) {
		vitk_odx_blk_xpiece a = { 0, dr->ptr[i].lba, dr->ptr[i].count, dr->ptr[i].zero, 0,
					  (uint16_t)(ns + dr->ptr[i].disk) };

		if (vitk_array_append(*allowed, a) < 0)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	return 0;
}

/*
 * EXTENDED COPY commands packed from piece *I (*FROM - *AT blocks into it) on,
 * until a zero piece, the end, or a command that fails.  After each command
 * the job's progress is the end of that command; *I, *AT (blocks before piece
 * *I) and *FROM (the first block not copied) follow.  0: stopped at a zero
 * piece or the end; 1: a command failed (its pieces are left to the caller);
 * < 0: a transport failure or the caller's on_chunk.
 */
static int xcopy_packed(vitk_odx_copy_result *res, vitk_odx_blk_xcopy *x, size_t *i,
			uint64_t *at, uint64_t *from, uint32_t bs, struct piece_run *run)
{
	vitk_odx_blk_xcopy_cmd *c = malloc(sizeof(*c));
	int g = 0;

	if (!c)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	while (g == 0 && vitk_odx_blk_xcopy_pack(c, x, *i, *from - *at) == 0) {
		uint64_t in0, out0, in1, out1, t0 = vitk_now_ns();
		char why[256] = "";

		wire_all(x->devs, x->ndevs, &in0, &out0);
		g = vitk_odx_blk_xcopy_send(x, c, &res->commands, why, sizeof(why));
		wire_all(x->devs, x->ndevs, &in1, &out1);
		res->host_bytes_in += in1 - in0;
		res->host_bytes_out += out1 - out0;
		res->host_bytes += (in1 - in0) + (out1 - out0);
		res->duration_ns += vitk_now_ns() - t0;
		if (g > 0)
			vitk_log(VITK_LOG_INFO, "odx",
				 "EXTENDED COPY of %zu segments not used, copying piece by piece: %s",
				 c->nseg, why);
		if (g != 0)
			break;
		res->offload_blocks += c->blocks;
		res->bytes += c->blocks * bs;
		while (*i < c->end_pos)
			*at += x->pieces[(*i)++].count;
		*from = *at + c->end_off;
		run->base = 0;
		g = piece_chunk(*from, VITK_ODX_METHOD_XCOPY, run);
		if (g > 0)
			g = 0;
	}
	free(c);
	return g;
}

/* The host copy through the block devices themselves (a layer refused the offload). */
static int host_copy(vitk_odx_copy_result *res, int sfd, int dfd, uint64_t soff, uint64_t doff,
		     uint64_t bytes)
{
	char *buf = malloc(HOST_BUF);
	uint64_t t0 = vitk_now_ns(), done = 0;
	int r = 0;

	if (!buf)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	res->method = VITK_ODX_METHOD_HOST;
	while (done < bytes) {
		size_t n = bytes - done < HOST_BUF ? (size_t)(bytes - done) : HOST_BUF;
		ssize_t got = pread(sfd, buf, n, (off_t)(soff + done));

		if (got <= 0) {
			r = vitk_error_set(VITK_EIO, got < 0 ? errno : 0, "reading the source");
			break;
		}
		if (pwrite(dfd, buf, (size_t)got, (off_t)(doff + done)) != got) {
			r = vitk_error_set(VITK_EIO, errno, "writing the destination");
			break;
		}
		done += (uint64_t)got;
		res->commands += 2;
	}
	free(buf);
	if (r == 0 && fsync(dfd) < 0)
		r = vitk_error_set(VITK_EIO, errno, "fsync of the destination");
	res->bytes = done;
	res->host_bytes_in = res->host_bytes_out = done;
	res->host_bytes = 2 * done;
	res->duration_ns = vitk_now_ns() - t0;
	return r;
}

static int open_sides(struct side *s, struct side *d, const vitk_odx_copy_options *o, bool dry_run,
		      const vitk_odx_blk_env *env, vitk_odx_job_result *out)
{
	struct stat st;
	char who[160];

	s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0 || fstat(s->fd, &st) < 0)
		return bfail(out, VITK_ODX_STAGE_OPEN, s->path,
			     vitk_error_set(VITK_EIO, errno, "%s", s->path));
	s->file = S_ISREG(st.st_mode);
	if (!dry_run && !o->force && source_writers(&st, "/proc", who, sizeof(who)))
		return bfail(out, VITK_ODX_STAGE_PLAN, NULL,
			     vitk_error_set(VITK_EBUSY, 0, "refusing to copy from %s: %s (use --force)",
					    s->path, who));
	/* the dirty pages reach the array before it reads the blocks */
	if (!dry_run && (fsync(s->fd) < 0 || (!s->file && ioctl(s->fd, BLKFLSBUF, 0) < 0))) {
		int e = errno;

		/* a layer that cannot reach the disk (a map without a path) says why */
		if (!s->file && vitk_odx_blk_resolve_path(&s->map, s->path, env) == 0 &&
		    !s->map.offloadable && s->map.reason)
			return bfail(out, VITK_ODX_STAGE_OPEN, s->path,
				     vitk_error_set(VITK_EIO, e, "%s: flushing the page cache (%s)",
						    s->path, s->map.reason));
		vitk_error_clear();
		return bfail(out, VITK_ODX_STAGE_OPEN, s->path,
			     vitk_error_set(VITK_EIO, e, "%s: flushing the page cache", s->path));
	}
	if (stat(d->path, &st) < 0) {
		if (errno != ENOENT)
			return bfail(out, VITK_ODX_STAGE_OPEN, d->path,
				     vitk_error_set(VITK_EIO, errno, "%s", d->path));
		d->create = d->file = true;
		return 0;
	}
	d->file = S_ISREG(st.st_mode);
	if (d->file) {
		d->fd = open(d->path, (dry_run ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		/* exclusive by convention: an advisory lock for the whole copy */
		if (d->fd >= 0 && !dry_run && flock(d->fd, LOCK_EX | LOCK_NB) < 0)
			return bfail(out, VITK_ODX_STAGE_OPEN, d->path,
				     vitk_error_set(VITK_EBUSY, errno, "%s: locked by another process",
						    d->path));
		if (d->fd >= 0 && !dry_run && fsync(d->fd) < 0)
			return bfail(out, VITK_ODX_STAGE_OPEN, d->path,
				     vitk_error_set(VITK_EIO, errno, "%s: fsync", d->path));
	} else {
		d->fd = open(d->path, (dry_run ? O_RDONLY : O_RDWR | O_EXCL) | O_CLOEXEC);
	}
	if (d->fd < 0)
		return bfail(out, VITK_ODX_STAGE_OPEN, d->path,
			     vitk_error_set(errno == EBUSY ? VITK_EBUSY : VITK_EIO, errno,
					    "%s: cannot open exclusively (mounted or held by another "
					    "device?)",
					    d->path));
	return 0;
}

static int side_refuse(struct side *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int side_refuse(struct side *x, const char *fmt, ...)
{
	vitk_str str;
	va_list ap;

	vitk_str_init(&str);
	va_start(ap, fmt);
	vitk_str_vputf(&str, fmt, ap);
	va_end(ap);
	free(x->map.reason);
	x->map.reason = vitk_str_detach(&str);
	x->map.offloadable = false;
	vitk_array_clear(x->map.ranges);
	return x->map.reason ? 0 : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

/*
 * A file: FIEMAP (after the fsync above) on the map of its filesystem's device.
 * A destination file must be written everywhere and share no blocks.
 */
static int resolve_file(struct side *x, bool dst, const vitk_odx_blk_env *env)
{
	vitk_odx_file_extents ext = VITK_ARRAY_INIT;
	vitk_odx_blk_ranges ranges = VITK_ARRAY_INIT;
	struct stat st;
	int r;

	if (fstat(x->fd, &st) < 0)
		return vitk_error_set(VITK_EIO, errno, "%s", x->path);
	r = vitk_odx_blk_resolve_devt(&x->map, major(st.st_dev), minor(st.st_dev), env);
	if (r == VITK_ENOTFOUND) { /* tmpfs, overlay, btrfs subvolumes: no block device */
		r = side_refuse(x, "%s: its filesystem is on no block device", x->path);
		x->map.size_bytes = (uint64_t)st.st_size;
		return r;
	}
	if (r < 0)
		return r;
	x->map.size_bytes = (uint64_t)st.st_size;
	if (!x->map.offloadable)
		return 0;
	r = vitk_odx_fiemap_fd(&ext, x->fd, (uint64_t)st.st_size);
	if (r == VITK_ENOTSUP) {
		r = side_refuse(x, "%s (file): %s", x->path, vitk_error_last()->message);
		goto out;
	}
	if (r < 0)
		goto out;
	for (size_t i = 0; dst && i < ext.size; i++) {
		if (ext.ptr[i].kind != VITK_ODX_EXT_DATA) {
			r = side_refuse(x, "%s (file): holes or unwritten extents at byte %llu; the "
				       "filesystem would keep them unwritten (reading zeros) after an "
				       "array-side copy",
				       x->path, (unsigned long long)ext.ptr[i].logical);
			goto out;
		}
		if (ext.ptr[i].shared) {
			r = side_refuse(x, "%s (file): blocks shared with another file (reflink) at "
				       "byte %llu",
				       x->path, (unsigned long long)ext.ptr[i].logical);
			goto out;
		}
	}
	r = vitk_odx_blk_file_ranges(&ranges, &x->map, &ext, (uint64_t)st.st_size);
	if (r == VITK_ENOTSUP) {
		r = side_refuse(x, "%s (file): %s", x->path, vitk_error_last()->message);
		goto out;
	}
	if (r == 0) {
		vitk_array_clear(x->map.ranges);
		x->map.ranges = ranges;
		ranges.ptr = NULL;
		ranges.size = ranges.asize = 0;
	}
out:
	vitk_array_clear(ext);
	vitk_array_clear(ranges);
	return r;
}

static int resolve_side(struct side *x, bool dst, const vitk_odx_blk_env *env)
{
	if (x->create)
		return side_refuse(x, "%s (new file): Linux cannot mark a new file's extents written "
				   "without zeroing them, so an array-side copy into it would read "
				   "back as zeros; copying by host",
				   x->path);
	if (x->file)
		return resolve_file(x, dst, env);
	return vitk_odx_blk_resolve_path(&x->map, x->path, env);
}

static int stacked_copy(vitk_inventory *inv, int64_t host_id, const vitk_odx_job_request *req,
			vitk_odx_copy_options *o, struct side *s, struct side *d,
			vitk_odx_job_result *out)
{
	const vitk_odx_opener *op = &req->opener;
	vitk_odx_open_options oo = VITK_ODX_OPEN_OPTIONS_INIT;
	/* the source's disks, then the destination's: each opened once (its sg node) */
	vitk_odx_dev *devs[2 * VITK_ODX_BLK_MAX_DISKS] = { NULL };
	size_t ns = 0, nd = 0;
	vitk_odx_dev *sd = NULL, *dd = NULL; /* the first of each side: the plan's devices */
	vitk_odx_blk_ranges sr = VITK_ARRAY_INIT, dr = VITK_ARRAY_INIT;
	vitk_odx_blk_pieces pieces = VITK_ARRAY_INIT;
	xpieces xp = VITK_ARRAY_INIT, dpieces = VITK_ARRAY_INIT;
	bool offload = s->map.offloadable && d->map.offloadable;
	uint32_t bs = offload ? s->map.block_size : 512;
	uint64_t sblocks = s->map.size_bytes / bs, dblocks = d->map.size_bytes / bs, count, done = 0;
	char err[VITK_ERROR_MESSAGE_MAX] = "";
	int r = 0, rc = 0;

	if (offload && s->map.block_size != d->map.block_size) {
		offload = false;
		bs = 512;
		sblocks = s->map.size_bytes / bs;
		dblocks = d->map.size_bytes / bs;
	}
	count = o->count ? o->count : (o->src_lba < sblocks ? sblocks - o->src_lba : 0);
	if (d->create)
		dblocks = o->dst_lba + count;
	if (o->src_lba > sblocks || count > sblocks - o->src_lba || o->dst_lba > dblocks ||
	    count > dblocks - o->dst_lba || count == 0)
		return bfail(out, VITK_ODX_STAGE_PLAN, NULL,
			     vitk_error_set(VITK_ERANGE, 0,
					    "range past the end of %s or %s (%llu and %llu blocks)",
					    s->path, d->path, (unsigned long long)sblocks,
					    (unsigned long long)dblocks));
	out->plan.src_lba = o->src_lba;
	out->plan.dst_lba = o->dst_lba;
	out->plan.count = count;
	if (!offload) {
		const char *why = !s->map.offloadable ? s->map.reason
				  : !d->map.offloadable ? d->map.reason
							: "source and destination disks have different block sizes";

		r = plan_refused(&out->plan, why, o->method);
		if (r < 0)
			return bfail(out, VITK_ODX_STAGE_PLAN, NULL, r);
	} else {
		for (size_t k = 0; k < s->map.disks.size + d->map.disks.size; k++) {
			bool src = k < s->map.disks.size;
			const char *sg = src ? s->map.disks.ptr[k].sg
					     : d->map.disks.ptr[k - s->map.disks.size].sg;

			oo.read_only = src;
			r = op->open ? op->open(op->payload, sg, src, &devs[k])
				     : vitk_odx_dev_open(&devs[k], sg, &oo);
			if (r < 0) {
				r = bfail(out, VITK_ODX_STAGE_OPEN, src ? s->path : d->path, r);
				goto out;
			}
			if (src)
				ns++;
			else
				nd++;
		}
		if (!ns || !nd) {
			r = bfail(out, VITK_ODX_STAGE_PLAN, NULL,
				  vitk_error_set(VITK_EINVAL, 0, "a side has no SCSI disk"));
			goto out;
		}
		if ((r = slice(&sr, &s->map.ranges, o->src_lba, count)) < 0 ||
		    (r = slice(&dr, &d->map.ranges, o->dst_lba, count)) < 0 ||
		    (r = vitk_odx_blk_pieces_make(&pieces, &sr, &dr, count)) < 0 ||
		    (r = xpieces_make(&xp, &dpieces, &pieces, &dr, ns)) < 0) {
			r = bfail(out, VITK_ODX_STAGE_PLAN, NULL, r);
			goto out;
		}
		for (size_t k = 0; k < pieces.size; k++)
			if (pieces.ptr[k].src_disk >= ns || pieces.ptr[k].dst_disk >= nd) {
				r = bfail(out, VITK_ODX_STAGE_PLAN, NULL,
					  vitk_error_set(VITK_EINVAL, 0, "a range names no disk"));
				goto out;
			}
		/* the plan is made on the devices of the first data piece */
		for (size_t k = 0; k < pieces.size && !sd; k++)
			if (!pieces.ptr[k].zero) {
				sd = devs[pieces.ptr[k].src_disk];
				dd = devs[ns + pieces.ptr[k].dst_disk];
			}
		if (!sd) {
			sd = devs[0];
			dd = devs[ns + pieces.ptr[0].dst_disk];
		}
		{
			vitk_odx_copy_options po = *o;

			po.src_lba = pieces.ptr[0].src_lba;
			po.dst_lba = pieces.ptr[0].dst_lba;
			po.count = pieces.ptr[0].count;
			po.resume_blocks = 0;
			po.force = true; /* the holders of the disk are our LVs; O_EXCL checked dst */
			r = vitk_odx_plan_make(&out->plan, sd, dd, &po);
			out->plan.src_lba = o->src_lba;
			out->plan.dst_lba = o->dst_lba;
			out->plan.count = count;
			if (r < 0) {
				r = bfail(out, VITK_ODX_STAGE_PLAN, NULL, r);
				goto out;
			}
			if (pieces.size > 1) {
				vitk_str note;

				vitk_str_init(&note);
				vitk_str_putf(&note, "%zu pieces (segments of %s and %s)", pieces.size,
					      s->path, d->path);
				pieces_note(&note, &out->plan, &pieces, &xp, &dpieces, devs, ns, nd, o);
				vitk_str_putf(&note, "%s%s", out->plan.note ? "; " : "",
					      out->plan.note ? out->plan.note : "");
				free(out->plan.note);
				out->plan.note = vitk_str_detach(&note);
			}
		}
	}
	out->planned = true;
	out->job.src_lba = o->src_lba;
	out->job.dst_lba = o->dst_lba;
	out->job.count = count;
	if (req->dry_run)
		goto out;
	for (size_t k = 0; offload && k < ns + nd; k++)
		if ((r = vitk_odx_inventory_record_lun(inv, host_id, devs[k])) < 0) {
			r = bfail(out, VITK_ODX_STAGE_RECORD_LUN, s->path, r);
			goto out;
		}
	if (!req->resume) {
		if ((r = vitk_odx__blk_register(inv)) < 0 ||
		    (r = vitk_odx_job_start(inv, host_id, &out->job, &out->plan)) < 0 ||
		    (r = vitk_odx__blk_layers_record(inv, host_id, out->job.uuid, "src", &s->map,
						     s->path)) < 0 ||
		    (r = vitk_odx__blk_layers_record(inv, host_id, out->job.uuid, "dst", &d->map,
						     d->path)) < 0) {
			r = bfail(out, VITK_ODX_STAGE_RECORD_JOB, NULL, r);
			goto out;
		}
	}
	if (req->started)
		req->started(&out->job, &out->plan, req->started_payload);
	out->copy.method = out->plan.chosen;
	done = o->resume_blocks;
	if (!offload && d->create) {
		d->fd = open(d->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (d->fd < 0) {
			r = bfail(out, VITK_ODX_STAGE_OPEN, d->path,
				  vitk_error_set(VITK_EIO, errno, "%s: cannot create", d->path));
			goto out;
		}
	}
	if (!offload) {
		rc = host_copy(&out->copy, s->fd, d->fd, (o->src_lba + done) * bs,
			       (o->dst_lba + done) * bs, (count - done) * bs);
		out->copy.host_blocks = out->copy.bytes / bs;
		done += out->copy.bytes / bs;
	} else {
		uint64_t at = 0, from = o->resume_blocks;
		vitk_odx_blk_xcopy xc = { devs, ns + nd, xp.ptr, xp.size, dpieces.ptr, dpieces.size,
					  { 0 }, 1 };
		bool pack = false;
		size_t i = 0;

		/* --verify of a finished job: every piece compared, nothing copied */
		bool verify_all = o->verify && from >= count;

		if (out->plan.chosen == VITK_ODX_METHOD_XCOPY && pieces.size > 1 && !verify_all) {
			vitk_odx_blk_xcopy_limits_get(&xc.limits, devs, ns + nd,
						      o->max_blocks_per_command);
			/* a copy manager of one segment per command (LIO): piece by piece */
			pack = xc.limits.max_segments > 1;
		}
		while (i < pieces.size && rc == 0) {
			vitk_odx_blk_piece *p = &pieces.ptr[i];
			vitk_odx_copy_options po = *o;
			vitk_odx_copy_result pr = {0};
			struct piece_run run = { inv, &out->job, &req->copy, at, &out->copy, &pr };
			/* this piece's disks (a device may span several) */
			vitk_odx_dev *psd = devs[p->src_disk], *pdd = devs[ns + p->dst_disk];
			uint64_t skip = 0;

			/* done pieces are skipped, unless all of them are verified again */
			if (at + p->count <= from && (!verify_all || p->zero)) {
				at += p->count;
				i++;
				continue;
			}
			if (pack && !p->zero) {
				uint64_t from0 = from;
				int g = xcopy_packed(&out->copy, &xc, &i, &at, &from, bs, &run);

				if (g < 0)
					rc = g;
				/* a failed command, or none fits the limits: the rest piece by
				 * piece (the engine falls back to the host) */
				else if (g > 0 || from == from0)
					pack = false;
				done = from;
				continue;
			}
			if (from <= at && out->plan.chosen == VITK_ODX_METHOD_TOKEN) {
				size_t gn = group_len(&pieces, i, psd, pdd);
				uint64_t blocks = 0;

				for (size_t k = 0; k < gn; k++)
					blocks += pieces.ptr[i + k].count;
				if (gn >= 2) {
					int g = token_group(&out->copy, psd, pdd, &pieces.ptr[i], gn, blocks,
							    bs);

					if (g < 0) {
						rc = g;
						break;
					}
					if (g == 0) {
						at += blocks;
						done = at;
						i += gn;
						if (vitk_odx_job_progress_run(inv, &out->job, done,
									      &out->copy) < 0)
							vitk_error_clear();
						continue;
					}
				}
			}
			if (from > at)
				skip = from - at;
			po.src_lba = p->src_lba;
			po.dst_lba = p->dst_lba;
			po.count = p->count;
			po.resume_blocks = skip;
			po.force = true;
			po.on_chunk = piece_chunk;
			po.chunk_payload = &run;
			if (p->zero)
				rc = vitk_odx_zero(&pr, pdd, p->dst_lba + skip, p->count - skip, &po);
			else
				rc = vitk_odx_copy(&pr, NULL, psd, pdd, &po);
			if (rc == 0)
				done = at + p->count;
			else
				done = at + skip + pr.bytes / bs;
			add_result(&out->copy, &pr, at);
			at += p->count;
			i++;
		}
		out->copy.method = out->plan.chosen;
	}
	if (rc < 0)
		snprintf(err, sizeof(err), "%s", vitk_error_last()->message);
	/* readers of the destination see what the array wrote */
	drop_cache(d->fd);
	for (size_t k = 0; !d->file && k < d->map.disks.size; k++)
		drop_disk_cache(d->map.disks.ptr[k].name);
	out->ran = true;
	out->job.blocks_done = done;
	r = vitk_odx_job_finish(inv, &out->job, &out->copy, &out->plan, rc, err);
	if (r < 0) {
		r = bfail(out, VITK_ODX_STAGE_FINISH, NULL, r);
		goto out;
	}
	if (set_str(&out->job.result, rc < 0 ? "failed" : "ok") < 0) {
		r = bfail(out, VITK_ODX_STAGE_FINISH, NULL, VITK_ENOMEM);
		goto out;
	}
	if (rc < 0)
		r = bfail(out, VITK_ODX_STAGE_COPY, NULL, vitk_error_set(rc, 0, "%s", err));
out:
	vitk_array_clear(sr);
	vitk_array_clear(dr);
	vitk_array_clear(pieces);
	vitk_array_clear(xp);
	vitk_array_clear(dpieces);
	for (size_t k = 0; k < ns + nd; k++)
		vitk_odx_dev_free(devs[k]);
	return r;
}

/* a job for this file: a stacked block device or a regular file */
static bool routed(const char *path, const vitk_odx_blk_env *env)
{
	struct stat st;

	if (path && !strstr(path, "://") && stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return true;
	return vitk_odx_blk_is_stacked(path, env);
}

/* a job of this file: the plain LUN path (vitk_odx_job_run) claims its own lease */
static bool routed_job(const vitk_odx_job *job, const vitk_odx_blk_env *env)
{
	return routed(job->src, env) || routed(job->dst, env);
}

int vitk_odx_blk_job_run(vitk_inventory *inv, int64_t host_id, const vitk_odx_job_request *req,
			 const vitk_odx_blk_env *env, vitk_odx_job_result *out)
{
	vitk_odx_copy_options o = req->copy;
	struct side s = { .fd = -1 }, d = { .fd = -1 };
	vitk_odx_job *job = &out->job;
	bool verify_only = false;
	int r;

	memset(out, 0, sizeof(*out));
	if (req->resume) {
		r = vitk_odx_job_load(inv, req->resume, job);
		if (r < 0)
			return bfail(out, VITK_ODX_STAGE_LOAD, NULL, r);
		/* a completed job with --verify: compare both sides again, copy nothing */
		verify_only = strcmp(job->result, "ok") == 0 && o.verify;
		if (strcmp(job->result, "ok") == 0 && !verify_only)
			return bfail(out, VITK_ODX_STAGE_COMPLETED, NULL,
				     vitk_error_set(VITK_EINVAL, 0, "job %s already completed", job->uuid));
		/* refused while another run owns it (the lease, as for LUN jobs) */
		if (!req->dry_run && routed_job(job, env) && (r = vitk_odx_job_claim(inv, job)) < 0)
			return bfail(out, VITK_ODX_STAGE_LOAD, NULL, r);
		o.src_lba = job->src_lba;
		o.dst_lba = job->dst_lba;
		o.count = job->count;
		o.method = job->requested;
		o.resume_blocks = verify_only ? job->count : job->blocks_done;
	} else {
		if (!req->src || !req->dst)
			return bfail(out, VITK_ODX_STAGE_OPEN, NULL,
				     vitk_error_set(VITK_EINVAL, 0, "a copy needs a source and a destination"));
		if (set_str(&job->src, req->src) < 0 || set_str(&job->dst, req->dst) < 0)
			return bfail(out, VITK_ODX_STAGE_OPEN, NULL, VITK_ENOMEM);
		job->requested = o.method;
	}
	if (!routed(job->src, env) && !routed(job->dst, env)) {
		vitk_odx_job_request plain = *req;

		vitk_odx_job_result_clear(out);
		return vitk_odx_job_run(inv, host_id, &plain, out);
	}
	s.path = job->src;
	d.path = job->dst;
	if ((r = open_sides(&s, &d, &o, req->dry_run, env, out)) < 0)
		goto out;
	if ((r = resolve_side(&s, false, env)) < 0) {
		r = bfail(out, VITK_ODX_STAGE_OPEN, s.path, r);
		goto out;
	}
	if ((r = resolve_side(&d, true, env)) < 0) {
		r = bfail(out, VITK_ODX_STAGE_OPEN, d.path, r);
		goto out;
	}
	/* a resumed job continues only on the stack it started on (blk_job.c) */
	if (req->resume &&
	    ((r = vitk_odx__blk_register(inv)) < 0 ||
	     (!s.file && (r = vitk_odx__blk_layers_check(inv, job->uuid, "src", &s.map, s.path)) < 0) ||
	     (!d.file && (r = vitk_odx__blk_layers_check(inv, job->uuid, "dst", &d.map, d.path)) < 0))) {
		r = bfail(out, VITK_ODX_STAGE_PLAN, NULL, r);
		goto out;
	}
	r = stacked_copy(inv, host_id, req, &o, &s, &d, out);
out:
	if (s.fd >= 0)
		close(s.fd);
	if (d.fd >= 0)
		close(d.fd);
	vitk_odx_blk_map_clear(&s.map);
	vitk_odx_blk_map_clear(&d.map);
	return r;
}

int vitk_odx_copy_job_run(vitk_inventory *inv, int64_t host_id, const vitk_odx_job_request *req,
			  vitk_odx_job_result *out)
{
	return vitk_odx_blk_job_run(inv, host_id, req, NULL, out);
}
