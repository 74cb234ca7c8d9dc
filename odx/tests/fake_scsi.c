/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_scsi.h"

static uint8_t seed_of(const fake_scsi *f)
{
	return f->naa[15];
}

uint8_t fake_scsi_pattern(const fake_scsi *f, uint64_t lba, size_t off)
{
	return (uint8_t)((lba * 31u) ^ (off * 7u) ^ (seed_of(f) * 101u));
}

void fake_scsi_init(fake_scsi *f, const char *serial, uint8_t seed, uint32_t bs, uint64_t blocks)
{
	uint64_t l;
	size_t o;

	memset(f, 0, sizeof(*f));
	snprintf(f->vendor, sizeof(f->vendor), "VITKFAKE");
	snprintf(f->product, sizeof(f->product), "SCRIPTED DISK");
	snprintf(f->serial, sizeof(f->serial), "%s", serial);
	f->naa[0] = 0x60;
	f->naa[1] = 0x01;
	f->naa[2] = 0x40;
	f->naa[15] = seed;
	f->block_size = bs;
	f->blocks = blocks;
	f->disk = malloc(bs * blocks);
	for (l = 0; l < blocks; l++)
		for (o = 0; o < bs; o++)
			f->disk[l * bs + o] = fake_scsi_pattern(f, l, o);
	f->t.kind = "fake";
	fake_scsi_expect(f, NULL, 0);
}

void fake_scsi_dispose(fake_scsi *f)
{
	free(f->disk);
	f->disk = NULL;
}

void fake_scsi_enable_3pc(fake_scsi *f, uint64_t mtts, uint64_t otc, uint32_t max_seg_len,
			  uint16_t max_segs)
{
	uint8_t *b = f->vpd8f;
	size_t o = 4;
	static const uint8_t sc[] = { 0x00, 0x01, 0x00, 0x0C, 10,   0x83, 4, 0x00,
				      0x10, 0x11, 0x1C, 0x84, 2,    0x03, 0x07, 0 };

	f->tpc = true;
	memset(b, 0, sizeof(f->vpd8f));
	b[1] = VITK_SCSI_VPD_THIRD_PARTY_COPY;
	vitk_put_be16(b + o, VITK_SCSI_TPC_ROD_LIMITS);
	vitk_put_be16(b + o + 2, 0x20);
	vitk_put_be16(b + o + 10, 1);
	vitk_put_be32(b + o + 12, 3600);
	vitk_put_be32(b + o + 16, 30);
	vitk_put_be64(b + o + 20, mtts);
	vitk_put_be64(b + o + 28, otc);
	o += 36;
	memcpy(b + o, sc, sizeof(sc));
	o += sizeof(sc);
	vitk_put_be16(b + 2, (uint16_t)(o - 4));
	f->vpd8f_len = o;

	memset(f->rcop, 0, sizeof(f->rcop));
	vitk_put_be32(f->rcop, 42);
	f->rcop[4] = 1;
	vitk_put_be16(f->rcop + 8, 2);
	vitk_put_be16(f->rcop + 10, max_segs);
	vitk_put_be32(f->rcop + 12, 1024);
	vitk_put_be32(f->rcop + 16, max_seg_len);
	f->rcop[37] = 9;
	f->rcop[43] = 2;
	f->rcop[44] = 0x02;
	f->rcop[45] = 0xE4;
	f->rcop_len = 46;
}

static void fail(fake_scsi *f, const char *fmt, const uint8_t *cdb)
{
	if (!f->failure[0])
		snprintf(f->failure, sizeof(f->failure), "%s (cmd %zu: %02x/%02x)", fmt, f->pos,
			 cdb[0], cdb[1]);
}

static void check(uint8_t *sense, size_t *sense_len, uint8_t *status, uint8_t key, uint8_t asc,
		  uint8_t ascq)
{
	*status = 2;
	*sense_len = vitk_scsi_sense_build_fixed(sense, *sense_len, key, asc, ascq);
}

static size_t put(void *din, size_t din_len, const uint8_t *src, size_t n)
{
	if (n > din_len)
		n = din_len;
	memcpy(din, src, n);
	return n;
}

static int submit(void *self, const uint8_t *cdb, size_t cdb_len, void *din, size_t din_len,
		  size_t *din_got, const void *dout, size_t dout_len, uint8_t *sense,
		  size_t *sense_len, uint8_t *status, unsigned timeout_ms)
{
	fake_scsi *f = self;
	uint8_t b[1024];
	size_t n;

	(void)timeout_ms;
	*din_got = 0;
	*status = 0;
	if (f->nlog < 4096) {
		memset(f->log[f->nlog], 0, 16);
		memcpy(f->log[f->nlog++], cdb, cdb_len > 16 ? 16 : cdb_len);
	}
	switch (cdb[0]) {
	case VITK_SCSI_OP_INQUIRY:
		memset(b, 0, sizeof(b));
		if (!(cdb[1] & 1)) {
			b[2] = 6;
			b[4] = 31;
			b[5] = f->tpc ? 0x08 : 0;
			memcpy(b + 8, f->vendor, strlen(f->vendor));
			memset(b + 8 + strlen(f->vendor), ' ', 8 - strlen(f->vendor));
			memcpy(b + 16, f->product, strlen(f->product));
			memset(b + 16 + strlen(f->product), ' ', 16 - strlen(f->product));
			memcpy(b + 32, "0001", 4);
			*din_got = put(din, din_len, b, 36);
			goto out;
		}
		if (f->no_vpd)
			goto illegal;
		b[1] = cdb[2];
		switch (cdb[2]) {
		case VITK_SCSI_VPD_SUPPORTED_PAGES:
			n = 0;
			b[4 + n++] = VITK_SCSI_VPD_SUPPORTED_PAGES;
			b[4 + n++] = VITK_SCSI_VPD_UNIT_SERIAL;
			b[4 + n++] = VITK_SCSI_VPD_DEVICE_ID;
			if (f->vpd8f_len)
				b[4 + n++] = VITK_SCSI_VPD_THIRD_PARTY_COPY;
			if (f->vpdb0_len)
				b[4 + n++] = VITK_SCSI_VPD_BLOCK_LIMITS;
			b[3] = (uint8_t)n;
			*din_got = put(din, din_len, b, 4 + n);
			goto out;
		case VITK_SCSI_VPD_UNIT_SERIAL:
			n = strlen(f->serial);
			b[3] = (uint8_t)n;
			memcpy(b + 4, f->serial, n);
			*din_got = put(din, din_len, b, 4 + n);
			goto out;
		case VITK_SCSI_VPD_DEVICE_ID:
			b[3] = 20;
			b[4] = 0x01;
			b[5] = 0x03;
			b[7] = 16;
			memcpy(b + 8, f->naa, 16);
			*din_got = put(din, din_len, b, 24);
			goto out;
		case VITK_SCSI_VPD_THIRD_PARTY_COPY:
			if (!f->vpd8f_len)
				goto illegal;
			*din_got = put(din, din_len, f->vpd8f, f->vpd8f_len);
			goto out;
		case VITK_SCSI_VPD_BLOCK_LIMITS:
			if (!f->vpdb0_len)
				goto illegal;
			*din_got = put(din, din_len, f->vpdb0, f->vpdb0_len);
			goto out;
		default:
			goto illegal;
		}
	case VITK_SCSI_OP_SERVICE_ACTION_IN16:
		memset(b, 0, 32);
		vitk_put_be64(b, f->blocks - 1);
		vitk_put_be32(b + 8, f->block_size);
		*din_got = put(din, din_len, b, 32);
		goto out;
	case VITK_SCSI_OP_READ16:
	case VITK_SCSI_OP_WRITE16:
	case VITK_SCSI_OP_WRITE_SAME16: {
		uint64_t lba = vitk_get_be64(cdb + 2);
		uint32_t cnt = vitk_get_be32(cdb + 10);

		if (lba > f->blocks || cnt > f->blocks - lba) {
			check(sense, sense_len, status, VITK_SCSI_KEY_ILLEGAL_REQUEST,
			      VITK_SCSI_ASC_OF(VITK_SCSI_ASC_LBA_OUT_OF_RANGE), 0);
			fail(f, "I/O past the end of the disk", cdb);
			goto out;
		}
		if (cdb[0] == VITK_SCSI_OP_READ16) {
			f->reads++;
			if (f->bad_lba && lba <= f->bad_lba && f->bad_lba < lba + cnt) {
				check(sense, sense_len, status, VITK_SCSI_KEY_MEDIUM_ERROR,
				      VITK_SCSI_ASC_OF(VITK_SCSI_ASC_READ_ERROR), 0);
				goto out;
			}
			if (din_len != (size_t)cnt * f->block_size)
				fail(f, "READ(16) buffer length mismatch", cdb);
			*din_got = put(din, din_len, f->disk + lba * f->block_size,
				       (size_t)cnt * f->block_size);
		} else if (cdb[0] == VITK_SCSI_OP_WRITE16) {
			f->writes++;
			if (dout_len != (size_t)cnt * f->block_size) {
				fail(f, "WRITE(16) data length mismatch", cdb);
				goto out;
			}
			memcpy(f->disk + lba * f->block_size, dout, dout_len);
		} else {
			uint32_t i;

			if (f->write_same_unsupported)
				goto illegal;
			f->write_sames++;
			if (dout_len != f->block_size) {
				fail(f, "WRITE SAME(16) data length mismatch", cdb);
				goto out;
			}
			for (i = 0; i < cnt; i++)
				memcpy(f->disk + (lba + i) * f->block_size, dout, f->block_size);
		}
		goto out;
	}
	case VITK_SCSI_OP_3PC_IN:
		if (cdb[1] == VITK_SCSI_SA_RCOP) {
			if (!f->rcop_len)
				goto illegal;
			*din_got = put(din, din_len, f->rcop, f->rcop_len);
			goto out;
		}
		break;
	default:
		break;
	}
	/* scripted */
	if (f->pos >= f->nscript) {
		fail(f, "unexpected command after the end of the script", cdb);
		goto illegal;
	} else {
		const fake_scsi_cmd *c = &f->script[f->pos];

		if (c->cdb_len != cdb_len || memcmp(c->cdb, cdb, cdb_len) != 0) {
			char msg[128];
			size_t i, o = 0;

			o += (size_t)snprintf(msg + o, sizeof(msg) - o, "CDB mismatch, got");
			for (i = 0; i < cdb_len && o < sizeof(msg) - 4; i++)
				o += (size_t)snprintf(msg + o, sizeof(msg) - o, " %02x", cdb[i]);
			fail(f, msg, cdb);
			f->pos++;
			goto illegal;
		}
		if (c->dout && (c->dout_len != dout_len || memcmp(c->dout, dout, dout_len) != 0)) {
			size_t i;

			for (i = 0; i < dout_len && i < c->dout_len &&
				    ((const uint8_t *)dout)[i] == c->dout[i];
			     i++)
				;
			{
				char msg[96];

				snprintf(msg, sizeof(msg),
					 "Data-Out mismatch at byte %zu (len %zu, want %zu)", i,
					 dout_len, c->dout_len);
				fail(f, msg, cdb);
			}
			f->pos++;
			goto illegal;
		}
		f->pos++;
		*status = c->status;
		if (c->status == 2) {
			if (c->raw_sense) {
				n = c->raw_sense_len < *sense_len ? c->raw_sense_len : *sense_len;
				memcpy(sense, c->raw_sense, n);
				*sense_len = n;
				goto out;
			}
			*sense_len = vitk_scsi_sense_build_fixed(sense, *sense_len, c->key, c->asc,
								 c->ascq);
			goto out;
		}
		if (c->status != 0)
			goto out;
		if (c->din)
			*din_got = put(din, din_len, c->din, c->din_len);
		if (c->copy_from)
			memcpy(f->disk + c->copy_dst_lba * f->block_size,
			       c->copy_from->disk + c->copy_src_lba * f->block_size,
			       c->copy_blocks * f->block_size);
		if (c->zero)
			memset(f->disk + c->copy_dst_lba * f->block_size, 0,
			       c->copy_blocks * f->block_size);
		goto out;
	}
illegal:
	check(sense, sense_len, status, VITK_SCSI_KEY_ILLEGAL_REQUEST,
	      VITK_SCSI_ASC_OF(VITK_SCSI_ASC_INVALID_OPCODE), 0);
out:
	if (*status != 2)
		*sense_len = 0;
	return 0;
}

void fake_scsi_expect(fake_scsi *f, const fake_scsi_cmd *script, size_t n)
{
	f->script = script;
	f->nscript = n;
	f->pos = 0;
	f->t.submit = submit;
	f->t.self = f;
	f->t.close = NULL;
}

bool fake_scsi_done(const fake_scsi *f)
{
	return f->failure[0] == '\0' && f->pos == f->nscript;
}

size_t fake_scsi_count_op(const fake_scsi *f, uint8_t op)
{
	size_t i, n = 0;

	for (i = 0; i < f->nlog; i++)
		if (f->log[i][0] == op)
			n++;
	return n;
}

int fake_scsi_session_open(void *payload, vitk_scsi_transport **out)
{
	const fake_scsi *f = payload;
	fake_scsi *c = malloc(sizeof(*c));

	if (!c)
		return VITK_ENOMEM;
	memcpy(c, f, sizeof(*c));
	c->nlog = c->reads = c->writes = c->write_sames = 0;
	c->t.bytes_in = c->t.bytes_out = c->t.commands = 0;
	c->failure[0] = '\0';
	fake_scsi_expect(c, NULL, 0);
	*out = &c->t; /* t is the first member: the clone's address */
	return 0;
}

void fake_scsi_session_close(void *payload, vitk_scsi_transport *t)
{
	(void)payload;
	free(t);
}
