/*
 * FIEMAP results -> file extents (linux/fiemap.h, Documentation/filesystems/fiemap.rst).
 *
 * What an extent's flags mean for an array-side copy, in this project's words:
 * - UNWRITTEN: allocated but reads as zeros; the disk blocks hold stale data, so
 *   the copy must write zeros there, not copy the blocks.
 * - a gap between extents is a hole: zeros too.
 * - DATA_INLINE, DATA_TAIL, NOT_ALIGNED: the data is not in whole blocks of its own.
 * - ENCODED, DATA_ENCRYPTED: the blocks are not the file's bytes.
 * - DELALLOC, UNKNOWN: the data is not on disk yet (or its place is unknown); an
 *   fsync before FIEMAP normally leaves none.
 * - SHARED: the blocks belong to more than one file (reflink); writing them in
 *   place would change the other file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <vitk/error.h>
#include <vitk/sys/odx_blk.h>

#define FIEMAP_BATCH 256
#define FIEMAP_MAX_EXTENTS (1u << 20)

static int push(vitk_odx_file_extents *out, uint64_t logical, uint64_t physical, uint64_t length,
		vitk_odx_ext_kind kind, bool shared)
{
	vitk_odx_file_extent *e;

	if (length == 0)
		return 0;
	if (out->size >= FIEMAP_MAX_EXTENTS)
		return vitk_error_set(VITK_ERANGE, 0, "more than %u extents", FIEMAP_MAX_EXTENTS);
	e = vitk_array_push(*out);
	if (!e)
		return VITK_ENOMEM;
	e->logical = logical;
	e->physical = physical;
	e->length = length;
	e->kind = kind;
	e->shared = shared;
	return 0;
}

static uint64_t covered(const vitk_odx_file_extents *out)
{
	const vitk_odx_file_extent *l = out->size ? &out->ptr[out->size - 1] : NULL;

	return l ? l->logical + l->length : 0;
}

int vitk_odx_fiemap_parse(vitk_odx_file_extents *out, const void *buf, size_t len,
			  uint64_t file_size, bool *last)
{
	struct fiemap fm;
	const unsigned char *p = buf;
	int rc;

	*last = false;
	if (!buf || len < sizeof(fm))
		return vitk_error_set(VITK_EINVAL, 0, "FIEMAP result shorter than its header");
	memcpy(&fm, p, sizeof(fm));
	if (fm.fm_mapped_extents > (len - sizeof(fm)) / sizeof(struct fiemap_extent))
		return vitk_error_set(VITK_EINVAL, 0, "FIEMAP result: %u extents do not fit",
				      fm.fm_mapped_extents);
	for (uint32_t i = 0; i < fm.fm_mapped_extents && !*last; i++) {
		struct fiemap_extent e;
		uint64_t at = covered(out), end;
		const char *why = NULL;

		memcpy(&e, p + sizeof(fm) + i * sizeof(e), sizeof(e));
		if (e.fe_flags & FIEMAP_EXTENT_LAST)
			*last = true;
		if (e.fe_flags & (FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_DATA_TAIL))
			why = "inline or tail-packed data";
		else if (e.fe_flags & FIEMAP_EXTENT_ENCODED)
			why = "encoded (compressed) data";
		else if (e.fe_flags & FIEMAP_EXTENT_DATA_ENCRYPTED)
			why = "encrypted data";
		else if (e.fe_flags & FIEMAP_EXTENT_DELALLOC)
			why = "delayed allocation (data not on disk yet)";
		else if (e.fe_flags & FIEMAP_EXTENT_UNKNOWN)
			why = "unknown location";
		else if (e.fe_flags & FIEMAP_EXTENT_NOT_ALIGNED)
			why = "data not block aligned";
		if (why)
			return vitk_error_set(VITK_ENOTSUP, 0, "extent at byte %llu: %s",
					      (unsigned long long)e.fe_logical, why);
		if (e.fe_length == 0 || e.fe_logical > UINT64_MAX - e.fe_length ||
		    e.fe_physical > UINT64_MAX - e.fe_length)
			return vitk_error_set(VITK_EINVAL, 0, "FIEMAP result: bad extent length");
		if (e.fe_logical < at)
			return vitk_error_set(VITK_EINVAL, 0,
					      "FIEMAP result: extents overlap or are out of order");
		if (e.fe_logical >= file_size)
			break;
		end = e.fe_logical + e.fe_length;
		if (end > file_size)
			end = file_size;
		if ((rc = push(out, at, 0, e.fe_logical - at, VITK_ODX_EXT_ZERO, false)) < 0)
			return rc;
		if (e.fe_flags & FIEMAP_EXTENT_UNWRITTEN)
			rc = push(out, e.fe_logical, 0, end - e.fe_logical, VITK_ODX_EXT_ZERO,
				  (e.fe_flags & FIEMAP_EXTENT_SHARED) != 0);
		else
			rc = push(out, e.fe_logical, e.fe_physical, end - e.fe_logical,
				  VITK_ODX_EXT_DATA, (e.fe_flags & FIEMAP_EXTENT_SHARED) != 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int vitk_odx_fiemap_fd(vitk_odx_file_extents *out, int fd, uint64_t file_size)
{
	size_t len = sizeof(struct fiemap) + FIEMAP_BATCH * sizeof(struct fiemap_extent);
	struct fiemap *fm = malloc(len);
	bool last = false;
	int rc = 0;

	if (!fm)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	while (!last && covered(out) < file_size) {
		uint64_t from = covered(out);

		memset(fm, 0, len);
		fm->fm_start = from;
		fm->fm_length = file_size - from;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = FIEMAP_BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0) {
			rc = vitk_error_set(errno == EOPNOTSUPP || errno == ENOTTY ? VITK_ENOTSUP : VITK_EIO,
					    errno, "FIEMAP");
			break;
		}
		if (fm->fm_mapped_extents == 0)
			break;
		if ((rc = vitk_odx_fiemap_parse(out, fm, len, file_size, &last)) < 0)
			break;
		if (covered(out) == from) {
			rc = vitk_error_set(VITK_EINVAL, 0, "FIEMAP made no progress");
			break;
		}
	}
	free(fm);
	/* the tail after the last extent is a hole */
	if (rc == 0 && covered(out) < file_size)
		rc = push(out, covered(out), 0, file_size - covered(out), VITK_ODX_EXT_ZERO, false);
	return rc;
}
