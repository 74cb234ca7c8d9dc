/* SPDX-License-Identifier: MIT */
/*
 * Token snapshot stores: where POPULATE TOKEN saves a point-in-time copy of
 * its source ranges, so that the token survives later writes to them (ROD
 * type "point in time copy - persistent", docs/scsi-third-party-copy.md).
 *
 * One store per LUN: an unnamed file (open(2) O_TMPFILE) in the directory of
 * the LUN's backing file, so on the same filesystem, where the ranges are
 * reflinked (lun__move) and cost metadata only on XFS and btrfs.  Nobody
 * else can open it, and the kernel frees it when the target exits, even on
 * a crash.  Each live token owns a region of it; a region is punched out
 * (hole) when its last holder -- the token, a filling POPULATE TOKEN, a
 * running WRITE USING TOKEN -- lets go.  A leaf: it calls only lun.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <vitk/array.h>

#include "dev_internal.h"

struct snap_region {
	uint64_t off, len;
	unsigned refs;
};

struct tgt_snap {
	int fd;
	pthread_mutex_t lock;
	VITK_ARRAY(struct snap_region) regions; /* ascending offset, disjoint */
};

/* an unnamed file next to @lun_path; -1 with errno set */
static int open_hidden(const char *lun_path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(lun_path, '/');
	size_t n = slash ? (size_t)(slash - lun_path) : 0;

	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (slash && n == 0)
		n = 1; /* the root directory */
	memcpy(dir, slash ? lun_path : ".", slash ? n : 1);
	dir[slash ? n : 1] = '\0';
	return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

int snap__open(tgt_snap **out, const char *lun_path)
{
	tgt_snap *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->fd = open_hidden(lun_path);
	if (s->fd < 0) {
		int e = errno;

		free(s);
		return -e;
	}
	pthread_mutex_init(&s->lock, NULL);
	*out = s;
	return 0;
}

void snap__close(tgt_snap *s)
{
	if (!s)
		return;
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
	vitk_array_clear(s->regions);
	free(s);
}

bool snap__can_clone(tgt_snap *s)
{
	static const uint8_t block[65536];
	struct file_clone_range fcr = { 0, 0, 0, 0 };
	bool ok;

	/* one block written, then shared with itself further on */
	if (pwrite(s->fd, block, sizeof(block), 0) != (ssize_t)sizeof(block))
		return false;
	fcr.src_fd = s->fd;
	fcr.src_length = sizeof(block);
	fcr.dest_offset = sizeof(block);
	ok = ioctl(s->fd, FICLONERANGE, &fcr) == 0;
	return ftruncate(s->fd, 0) == 0 && ok;
}

lun_file snap__file(const tgt_snap *s)
{
	lun_file f = { s->fd, false };

	return f;
}

/* first fit after the live regions' gaps; regions start on SNAP_ALIGN */
int snap__reserve(tgt_snap *s, uint64_t len, uint64_t *off)
{
	uint64_t at = 0, need = (len + SNAP_ALIGN - 1) / SNAP_ALIGN * SNAP_ALIGN;
	size_t i;
	int r = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->regions.size; i++) {
		const struct snap_region *g = &s->regions.ptr[i];

		if (g->off >= at + need)
			break;
		at = (g->off + g->len + SNAP_ALIGN - 1) / SNAP_ALIGN * SNAP_ALIGN;
	}
	if (vitk_array_grow(s->regions, 1) < 0) {
		r = -ENOMEM;
	} else {
		memmove(s->regions.ptr + i + 1, s->regions.ptr + i,
			(s->regions.size - i) * sizeof(s->regions.ptr[0]));
		s->regions.ptr[i].off = at;
		s->regions.ptr[i].len = need;
		s->regions.ptr[i].refs = 1;
		s->regions.size++;
		*off = at;
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static size_t region_at(const tgt_snap *s, uint64_t off)
{
	size_t i;

	for (i = 0; i < s->regions.size; i++)
		if (s->regions.ptr[i].off == off)
			return i;
	return SIZE_MAX;
}

void snap__hold(tgt_snap *s, uint64_t off)
{
	size_t i;

	pthread_mutex_lock(&s->lock);
	i = region_at(s, off);
	if (i != SIZE_MAX)
		s->regions.ptr[i].refs++;
	pthread_mutex_unlock(&s->lock);
}

void snap__put(tgt_snap *s, uint64_t off)
{
	size_t i;

	pthread_mutex_lock(&s->lock);
	i = region_at(s, off);
	if (i != SIZE_MAX && --s->regions.ptr[i].refs == 0) {
		/* the space goes back to the filesystem; a failure only wastes it */
		int e = fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				  (off_t)s->regions.ptr[i].off, (off_t)s->regions.ptr[i].len);

		memmove(s->regions.ptr + i, s->regions.ptr + i + 1,
			(s->regions.size - i - 1) * sizeof(s->regions.ptr[0]));
		s->regions.size--;
		if (s->regions.size == 0)
			e = ftruncate(s->fd, 0);
		(void)e;
	}
	pthread_mutex_unlock(&s->lock);
}
