/* SPDX-License-Identifier: MIT */
/*
 * Per-LUN helpers shared by the command files: the LUN's NAA designator,
 * LUN masking, and data movement between backing files (copy_file_range
 * with a pread/pwrite fallback, hole punching for zeroes).  A leaf: it
 * calls nothing else in the device model.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

static int copy_fallback(tgt_lun *src, uint64_t so, tgt_lun *dst, uint64_t dof, uint64_t len)
{
	/*
	 * Only reached when the kernel cannot copy (copy_file_range missing,
	 * EXDEV on old kernels, or overlapping ranges of one file).  Copy in
	 * the direction that is safe for overlap.
	 */
	const size_t chunk = 1 << 20;
	uint8_t *buf = malloc(chunk);
	bool backwards = src == dst && dof > so;
	uint64_t done = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (done < len) {
		size_t n = len - done > chunk ? chunk : (size_t)(len - done);
		uint64_t at = backwards ? len - done - n : done;
		ssize_t k = pread(src->fd, buf, n, (off_t)(so + at));

		if (k != (ssize_t)n) {
			r = k < 0 ? -errno : -EIO;
			break;
		}
		k = pwrite(dst->fd, buf, n, (off_t)(dof + at));
		if (k != (ssize_t)n) {
			r = k < 0 ? -errno : -EIO;
			break;
		}
		done += n;
	}
	free(buf);
	return r;
}

int lun__copy_range(tgt_lun *src, uint64_t so, tgt_lun *dst, uint64_t dof, uint64_t len)
{
	loff_t in = (loff_t)so, outp = (loff_t)dof;
	uint64_t left = len;

	if (len == 0)
		return 0;
	if (src == dst && so < dof + len && dof < so + len)
		return copy_fallback(src, so, dst, dof, len);
	while (left > 0) {
		size_t n = left > (1u << 30) ? (1u << 30) : (size_t)left;
		ssize_t k = copy_file_range(src->fd, &in, dst->fd, &outp, n, 0);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSYS || errno == EXDEV || errno == EOPNOTSUPP ||
			    errno == EINVAL)
				return copy_fallback(src, (uint64_t)in, dst, (uint64_t)outp,
						     left);
			return -errno;
		}
		if (k == 0)
			return -EIO; /* source shorter than its LUN: cannot happen */
		left -= (uint64_t)k;
	}
	return 0;
}

int lun__zero_range(tgt_lun *l, uint64_t off, uint64_t len)
{
	static const uint8_t zeros[65536];
	uint64_t done = 0;

	if (len == 0)
		return 0;
	if (!l->is_blockdev &&
	    fallocate(l->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
		      (off_t)len) == 0)
		return 0;
	while (done < len) {
		size_t n = len - done > sizeof(zeros) ? sizeof(zeros) : (size_t)(len - done);
		ssize_t k = pwrite(l->fd, zeros, n, (off_t)(off + done));

		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		done += (uint64_t)k;
	}
	return 0;
}

/* ---- dispatch ---- */
