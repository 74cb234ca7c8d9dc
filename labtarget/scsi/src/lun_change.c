/* SPDX-License-Identifier: MIT */
/*
 * LUNs that change while the device serves (`vitk odx serve` reloads):
 * removed, replaced by a new configuration, or grown in place.  The caller
 * makes sure that no tgt_device_exec() or task-management call runs (the
 * iSCSI layer holds its exec lock for writing), so no command can hold a
 * pointer to the LUN; background copies that use it make the change fail
 * with VITK_EBUSY instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vitk/error.h>

#include "dev_internal.h"

static size_t lun_index(const tgt_device *d, unsigned lun)
{
	size_t i;

	for (i = 0; i < d->luns.size && d->luns.ptr[i]->lun != lun; i++)
		;
	return i;
}

/* the LUN at @i leaves the table (or is swapped for @repl); dev->lock NOT held */
static int lun_leave(tgt_device *d, size_t i, tgt_lun *repl)
{
	tgt_lun *old = d->luns.ptr[i];

	pthread_mutex_lock(&d->lock);
	if (tpc__lun_busy(d, old)) {
		pthread_mutex_unlock(&d->lock);
		return vitk_error_set(VITK_EBUSY, 0,
				      "lun %u: a background copy (WRITE USING TOKEN) uses it",
				      old->lun);
	}
	tpc__lun_gone(d, old);
	if (repl) {
		d->luns.ptr[i] = repl;
	} else {
		memmove(&d->luns.ptr[i], &d->luns.ptr[i + 1],
			(d->luns.size - i - 1) * sizeof(d->luns.ptr[0]));
		d->luns.size--;
	}
	pthread_mutex_unlock(&d->lock);
	dev__lun_free(old);
	return 0;
}

int tgt_device_remove_lun(tgt_device *d, unsigned lun)
{
	size_t i;

	if (!d)
		return vitk_error_set(VITK_EINVAL, 0, "remove lun: missing device");
	i = lun_index(d, lun);
	if (i == d->luns.size)
		return vitk_error_set(VITK_ENOTFOUND, 0, "lun %u does not exist", lun);
	return lun_leave(d, i, NULL);
}

int tgt_device_replace_lun(tgt_device *d, const tgt_lun_config *cfg)
{
	tgt_lun *l = NULL;
	size_t i;
	int r;

	if (!d || !cfg)
		return vitk_error_set(VITK_EINVAL, 0, "replace lun: missing argument");
	i = lun_index(d, cfg->lun);
	if (i == d->luns.size)
		return vitk_error_set(VITK_ENOTFOUND, 0, "lun %u does not exist", cfg->lun);
	r = dev__lun_open(d, cfg, true, &l);
	if (r < 0)
		return r;
	r = lun_leave(d, i, l);
	if (r < 0)
		dev__lun_free(l);
	return r;
}

int tgt_device_lun_grow(tgt_device *d, unsigned lun, uint64_t size)
{
	tgt_lun *l = d ? dev__find_lun(d, lun) : NULL;
	struct stat st;
	size_t i;

	if (!l)
		return vitk_error_set(VITK_ENOTFOUND, 0, "lun %u does not exist", lun);
	if (size < l->size)
		return vitk_error_set(VITK_EINVAL, 0,
				      "lun %u: %llu bytes is smaller than its %llu: a LUN in use "
				      "only grows",
				      lun, (unsigned long long)size, (unsigned long long)l->size);
	if (size % l->bs)
		return vitk_error_set(VITK_EINVAL, 0,
				      "lun %u: size %llu is not a multiple of the block size %u",
				      lun, (unsigned long long)size, l->bs);
	if (size == l->size)
		return 0;
	if (fstat(l->fd, &st) < 0)
		return vitk_error_set(VITK_EIO, errno, "lun %u: cannot stat '%s'", lun, l->path);
	if (l->is_blockdev) {
		uint64_t bsz = 0;

		if (ioctl(l->fd, BLKGETSIZE64, &bsz) < 0 || bsz < size)
			return vitk_error_set(VITK_EINVAL, 0,
					      "lun %u: block device '%s' holds %llu bytes, not %llu",
					      lun, l->path, (unsigned long long)bsz,
					      (unsigned long long)size);
	} else if ((uint64_t)st.st_size < size) {
		if (l->ro)
			return vitk_error_set(VITK_EINVAL, 0,
					      "lun %u: read-only backing file '%s' is smaller than "
					      "%llu bytes",
					      lun, l->path, (unsigned long long)size);
		if (ftruncate(l->fd, (off_t)size) < 0)
			return vitk_error_set(VITK_EIO, errno, "lun %u: cannot grow '%s' to %llu bytes",
					      lun, l->path, (unsigned long long)size);
	}
	pthread_mutex_lock(&d->lock);
	l->size = size;
	l->nblocks = size >> l->bs_shift;
	/* SBC-4 4.6: CAPACITY DATA HAS CHANGED to every I_T nexus of the LUN */
	for (i = 0; i < l->nnexus; i++)
		ua__add(l, i, VITK_SCSI_ASC_CAPACITY_DATA_CHANGED);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

uint64_t tgt_device_lun_size(const tgt_device *d, unsigned lun)
{
	const tgt_lun *l = d ? dev__find_lun(d, lun) : NULL;

	return l ? l->size : 0;
}
