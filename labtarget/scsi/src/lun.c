/* SPDX-License-Identifier: MIT */
/*
 * Per-LUN helpers shared by the command files: the LUN's NAA designator,
 * LUN masking, and data movement between backing files.  A move shares the
 * block-aligned middle of a range with FICLONERANGE (ioctl_ficlonerange(2):
 * XFS with reflink=1, btrfs) and copies the unaligned head and tail -- or
 * everything, when the filesystem cannot clone (EOPNOTSUPP on ext4, EXDEV
 * across filesystems) -- with copy_file_range(2), falling back to
 * pread/pwrite.  Copies skip the source's holes (SEEK_DATA/SEEK_HOLE,
 * lseek(2)) and punch them into the destination, so thin LUNs stay thin.
 * A leaf: it calls nothing else in the device model.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "dev_internal.h"

void lun__naa_designator(uint8_t *out, const tgt_lun *l)
{
	out[0] = 0x01; /* binary code set */
	out[1] = 0x03; /* association LU, type NAA */
	out[2] = 0;
	out[3] = 16;
	memcpy(out + 4, l->naa, 16);
}

bool lun__visible(const tgt_lun *l, const char *initiator)
{
	size_t i;

	if (l->nallow == 0)
		return true;
	for (i = 0; initiator && i < l->nallow; i++)
		if (strcmp(l->allow[i], initiator) == 0)
			return true;
	return false;
}

static int copy_fallback(int sfd, uint64_t so, int dfd, uint64_t dof, uint64_t len)
{
	/*
	 * Only reached when the kernel cannot copy (copy_file_range missing,
	 * EXDEV on old kernels, or overlapping ranges of one file).  Copy in
	 * the direction that is safe for overlap.
	 */
	const size_t chunk = 1 << 20;
	uint8_t *buf = malloc(chunk);
	bool backwards = sfd == dfd && dof > so;
	uint64_t done = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (done < len) {
		size_t n = len - done > chunk ? chunk : (size_t)(len - done);
		uint64_t at = backwards ? len - done - n : done;
		ssize_t k = pread(sfd, buf, n, (off_t)(so + at));

		if (k != (ssize_t)n) {
			r = k < 0 ? -errno : -EIO;
			break;
		}
		k = pwrite(dfd, buf, n, (off_t)(dof + at));
		if (k != (ssize_t)n) {
			r = k < 0 ? -errno : -EIO;
			break;
		}
		done += n;
	}
	free(buf);
	return r;
}

/* copy_file_range, or read/write where the kernel cannot copy */
static int copy_data(int sfd, uint64_t so, int dfd, uint64_t dof, uint64_t len)
{
	loff_t in = (loff_t)so, outp = (loff_t)dof;
	uint64_t left = len;

	while (left > 0) {
		size_t n = left > (1u << 30) ? (1u << 30) : (size_t)left;
		ssize_t k = copy_file_range(sfd, &in, dfd, &outp, n, 0);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSYS || errno == EXDEV || errno == EOPNOTSUPP ||
			    errno == EINVAL)
				return copy_fallback(sfd, (uint64_t)in, dfd, (uint64_t)outp, left);
			return -errno;
		}
		if (k == 0)
			return -EIO; /* source shorter than its LUN: cannot happen */
		left -= (uint64_t)k;
	}
	return 0;
}

/* zeroes at [off, off+len): a hole where the file allows one, else written */
static int zero_fd(int fd, bool is_blockdev, uint64_t off, uint64_t len)
{
	static const uint8_t zeros[65536];
	uint64_t done = 0;

	if (len == 0)
		return 0;
	if (!is_blockdev &&
	    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
		return 0;
	while (done < len) {
		size_t n = len - done > sizeof(zeros) ? sizeof(zeros) : (size_t)(len - done);
		ssize_t k = pwrite(fd, zeros, n, (off_t)(off + done));

		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		done += (uint64_t)k;
	}
	return 0;
}

/*
 * The next data extent of @fd at or after @off, clipped to @end:
 * [*data, *hole).  Without SEEK_DATA support everything is data.
 */
static void next_extent(int fd, uint64_t off, uint64_t end, uint64_t *data, uint64_t *hole)
{
	off_t d = lseek(fd, (off_t)off, SEEK_DATA), h;

	if (d < 0) {
		*data = errno == ENXIO ? end : off; /* ENXIO: only a hole up to EOF */
		*hole = end;
		return;
	}
	*data = (uint64_t)d < end ? (uint64_t)d : end;
	h = *data < end ? lseek(fd, (off_t)*data, SEEK_HOLE) : (off_t)end;
	*hole = h < 0 || (uint64_t)h > end ? end : (uint64_t)h;
}

/* copy data extents, and turn the source's holes into holes (thin stays thin) */
static int copy_sparse(const lun_file *s, uint64_t so, const lun_file *t, uint64_t dof,
		       uint64_t len, lun_moved *m)
{
	uint64_t pos = so, end = so + len, data, hole;
	int r = 0;

	while (pos < end && r == 0) {
		next_extent(s->fd, pos, end, &data, &hole);
		r = zero_fd(t->fd, t->is_blockdev, dof + (pos - so), data - pos);
		m->zeroed += r == 0 ? data - pos : 0;
		if (r == 0 && hole > data) {
			r = copy_data(s->fd, data, t->fd, dof + (data - so), hole - data);
			m->copied += r == 0 ? hole - data : 0;
		}
		pos = hole > data ? hole : data;
	}
	return r;
}

/* FICLONERANGE granularity: the filesystem block size, 4096 if unknown */
static uint64_t clone_align(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) == 0 && sf.f_bsize >= 512 && sf.f_bsize <= (1 << 20) &&
	    !(sf.f_bsize & (sf.f_bsize - 1)))
		return (uint64_t)sf.f_bsize;
	return 4096;
}

static bool clone_ok(int sfd, uint64_t so, int dfd, uint64_t dof, uint64_t len)
{
	struct file_clone_range fcr;

	fcr.src_fd = sfd;
	fcr.src_offset = so;
	fcr.src_length = len; /* never 0: that would mean "to the end of the file" */
	fcr.dest_offset = dof;
	return len > 0 && ioctl(dfd, FICLONERANGE, &fcr) == 0;
}

int lun__move(const lun_file *s, uint64_t so, const lun_file *t, uint64_t dof, uint64_t len,
	      lun_moved *m)
{
	uint64_t a, head, mid;
	int r;

	if (len == 0)
		return 0;
	if (s->fd == t->fd && so < dof + len && dof < so + len) {
		r = copy_fallback(s->fd, so, t->fd, dof, len);
		m->copied += r == 0 ? len : 0;
		return r;
	}
	a = clone_align(t->fd);
	if (s->is_blockdev || t->is_blockdev || so % a != dof % a)
		return copy_sparse(s, so, t, dof, len, m);
	/* share the aligned middle; the unaligned head and tail are copied */
	head = (a - so % a) % a;
	head = head > len ? len : head;
	mid = (len - head) / a * a;
	r = copy_sparse(s, so, t, dof, head, m);
	if (r == 0 && clone_ok(s->fd, so + head, t->fd, dof + head, mid))
		m->cloned += mid;
	else if (r == 0)
		r = copy_sparse(s, so + head, t, dof + head, mid, m); /* EOPNOTSUPP, EXDEV, ... */
	if (r == 0)
		r = copy_sparse(s, so + head + mid, t, dof + head + mid, len - head - mid, m);
	return r;
}

lun_file lun__file(const tgt_lun *l)
{
	lun_file f = { l->fd, l->is_blockdev };

	return f;
}

int lun__copy_range(tgt_lun *src, uint64_t so, tgt_lun *dst, uint64_t dof, uint64_t len,
		    lun_moved *m)
{
	lun_file s = lun__file(src), t = lun__file(dst);

	return lun__move(&s, so, &t, dof, len, m);
}

int lun__zero_range(tgt_lun *l, uint64_t off, uint64_t len)
{
	return zero_fd(l->fd, l->is_blockdev, off, len);
}
