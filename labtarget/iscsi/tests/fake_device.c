/* SPDX-License-Identifier: MIT */
/*
 * A RAM-disk stand-in for //labtarget/scsi behind scsi_device.h, so the
 * iSCSI layer's tests exercise the protocol without the real device model.
 * Just enough SCSI: INQUIRY, TEST UNIT READY, READ CAPACITY 10/16,
 * READ/WRITE 10/16.  Everything else: ILLEGAL REQUEST, INVALID OPCODE.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/common.h>
#include <vitk/error.h>

#include "labtarget/scsi/scsi_device.h"

#define FAKE_MAX_LUNS 8

struct fake_lun {
	unsigned lun;
	uint32_t bs;
	uint64_t size;
	uint8_t *mem;
	tgt_lun_stats st;
};

/* observed by the tests */
uint64_t fake_last_nexus;
uint64_t fake_nexus_gone;
unsigned fake_lun_resets;

struct tgt_device {
	pthread_mutex_t lock;
	struct fake_lun luns[FAKE_MAX_LUNS];
	size_t n;
};

int tgt_device_new(tgt_device **out, const tgt_device_options *opts)
{
	tgt_device *d = calloc(1, sizeof(*d));

	(void)opts;
	if (!d)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	pthread_mutex_init(&d->lock, NULL);
	*out = d;
	return 0;
}

int tgt_device_add_lun(tgt_device *d, const tgt_lun_config *cfg)
{
	struct fake_lun *l;
	uint64_t size = cfg->size ? cfg->size : 1024 * 1024;

	if (d->n == FAKE_MAX_LUNS || size > 64u * 1024 * 1024)
		return vitk_error_set(VITK_ERANGE, 0, "fake device: too many or too big LUNs");
	l = &d->luns[d->n];
	l->mem = calloc(1, size);
	if (!l->mem)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	l->lun = cfg->lun;
	l->bs = cfg->block_size;
	l->size = size;
	l->st.lun = cfg->lun;
	d->n++;
	return 0;
}

void tgt_device_free(tgt_device *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		free(d->luns[i].mem);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

size_t tgt_device_lun_count(const tgt_device *d)
{
	return d->n;
}

size_t tgt_device_luns(const tgt_device *d, unsigned *out, size_t max)
{
	size_t i;

	for (i = 0; i < d->n && i < max; i++)
		out[i] = d->luns[i].lun;
	return i;
}

static void sense(tgt_cmd *c, uint8_t key, uint8_t asc, uint8_t ascq)
{
	memset(c->sense, 0, 18);
	c->sense[0] = 0x70;
	c->sense[2] = key;
	c->sense[7] = 10;
	c->sense[12] = asc;
	c->sense[13] = ascq;
	c->sense_len = 18;
	c->status = 2;
}

static void put(tgt_cmd *c, const uint8_t *p, size_t n)
{
	c->din_full = n;
	if (n > c->din_cap)
		n = c->din_cap;
	memcpy(c->din, p, n);
	c->din_len = n;
}

int tgt_device_exec(tgt_device *d, tgt_cmd *c)
{
	struct fake_lun *l = NULL;
	const uint8_t *cdb = c->cdb;
	uint64_t lba = 0, blocks = 0;
	size_t i;

	c->status = 0;
	c->sense_len = 0;
	c->din_len = 0;
	c->din_full = 0;
	fake_last_nexus = c->nexus;
	for (i = 0; i < d->n; i++)
		if (d->luns[i].lun == c->lun)
			l = &d->luns[i];
	if (!l) {
		sense(c, 5, 0x25, 0);
		return 0;
	}
	pthread_mutex_lock(&d->lock);
	l->st.cmds_by_opcode[cdb[0]]++;
	switch (cdb[0]) {
	case 0x00:
		break;
	case 0x12: {
		uint8_t inq[36] = { 0, 0, 6, 2, 31, 0, 0, 0 };

		if (cdb[1] & 1) {
			sense(c, 5, 0x24, 0);
			break;
		}
		memcpy(inq + 8, "VITKFAKE", 8);
		memcpy(inq + 16, "RAM DISK        ", 16);
		memcpy(inq + 32, "0001", 4);
		put(c, inq, vitk_get_be16(cdb + 3) < 36 ? vitk_get_be16(cdb + 3) : 36);
		break;
	}
	case 0x25: {
		uint8_t rc[8];

		vitk_put_be32(rc, (uint32_t)(l->size / l->bs - 1));
		vitk_put_be32(rc + 4, l->bs);
		put(c, rc, 8);
		break;
	}
	case 0x9e: {
		uint8_t rc[32] = { 0 };

		vitk_put_be64(rc, l->size / l->bs - 1);
		vitk_put_be32(rc + 8, l->bs);
		put(c, rc, vitk_get_be32(cdb + 10) < 32 ? vitk_get_be32(cdb + 10) : 32);
		break;
	}
	case 0x28:
	case 0x2a:
		lba = vitk_get_be32(cdb + 2);
		blocks = vitk_get_be16(cdb + 7);
		goto rw;
	case 0x88:
	case 0x8a:
		lba = vitk_get_be64(cdb + 2);
		blocks = vitk_get_be32(cdb + 10);
rw:
		if (lba + blocks > l->size / l->bs) {
			sense(c, 5, 0x21, 0);
			break;
		}
		if (cdb[0] == 0x28 || cdb[0] == 0x88) {
			put(c, l->mem + lba * l->bs, blocks * l->bs);
			l->st.bytes_read_wire += c->din_len;
		} else {
			size_t n = blocks * l->bs;

			if (c->dout_len < n)
				n = c->dout_len;
			if (n)
				memcpy(l->mem + lba * l->bs, c->dout, n);
			l->st.bytes_written_wire += n;
		}
		break;
	default:
		sense(c, 5, 0x20, 0);
		break;
	}
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int tgt_device_stats(const tgt_device *d, unsigned lun, tgt_lun_stats *out)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (d->luns[i].lun == lun) {
			*out = d->luns[i].st;
			return 0;
		}
	}
	return vitk_error_set(VITK_ENOTFOUND, 0, "no lun %u", lun);
}

int tgt_device_lun_reset(tgt_device *d, unsigned lun)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (d->luns[i].lun == lun) {
			fake_lun_resets++;
			return 0;
		}
	}
	return vitk_error_set(VITK_ENOTFOUND, 0, "no lun %u", lun);
}

void tgt_device_nexus_gone(tgt_device *d, uint64_t nexus)
{
	(void)d;
	fake_nexus_gone = nexus;
}
