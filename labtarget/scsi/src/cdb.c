/* SPDX-License-Identifier: MIT */
/*
 * The command descriptor table (cdb.h) without its handler column, and the
 * transfer-length rules derived from it.  A leaf: it calls nothing else in
 * the device model, so the iSCSI layer and its tests can link it alone.
 */
#include <vitk/common.h>

#include "labtarget/scsi/cdb.h"

#define TGT_UNPACK(...) __VA_ARGS__
#define TGT_ROW(op, sa, cdb_len, dir, len_off, len_size, unit, flags, handler, name, usage)        \
	{ op, sa, cdb_len, dir, len_off, len_size, unit, flags, name, { op, TGT_UNPACK usage } },

static const tgt_cdb_desc table[] = { TGT_COMMANDS(TGT_ROW) };

const tgt_cdb_desc *tgt_cdb_table(size_t *n)
{
	*n = VITK_ARRAY_SIZE(table);
	return table;
}

bool tgt_cdb_op_has_sa(uint8_t op)
{
	size_t i;

	for (i = 0; i < VITK_ARRAY_SIZE(table); i++)
		if (table[i].op == op)
			return table[i].sa != TGT_NO_SA;
	return false;
}

int tgt_cdb_lookup(const uint8_t *cdb, size_t len)
{
	bool op_known = false;
	size_t i;

	if (!cdb || len == 0)
		return TGT_CDB_UNKNOWN_OP;
	for (i = 0; i < VITK_ARRAY_SIZE(table); i++) {
		const tgt_cdb_desc *d = &table[i];

		if (d->op != cdb[0])
			continue;
		op_known = true;
		if (d->sa != TGT_NO_SA && (len < 2 || (cdb[1] & 0x1f) != d->sa))
			continue;
		return len < d->cdb_len ? TGT_CDB_SHORT : (int)i;
	}
	return op_known ? TGT_CDB_UNKNOWN_SA : TGT_CDB_UNKNOWN_OP;
}

static uint64_t length_field(const tgt_cdb_desc *d, const uint8_t *cdb)
{
	switch (d->len_size) {
	case 1:
		return cdb[d->len_off];
	case 2:
		return vitk_get_be16(cdb + d->len_off);
	case 4:
		return vitk_get_be32(cdb + d->len_off);
	default:
		return 0;
	}
}

uint64_t tgt_cdb_xfer_len(const tgt_cdb_desc *d, const uint8_t *cdb, uint32_t bs)
{
	uint64_t n = length_field(d, cdb);

	if (d->flags & TGT_CDB_ONE_BLOCK) {
		/* UNMAP bit (3), and NDOB (bit 0) in the 16-byte form: no data block */
		uint8_t nodata = d->cdb_len == 16 ? 0x09 : 0x08;

		return (cdb[1] & nodata) ? 0 : bs;
	}
	if (d->flags & TGT_CDB_BYTCHK) {
		uint8_t bytchk = (cdb[1] >> 1) & 0x03;

		if (bytchk == 0)
			return 0;
		if (bytchk == 3)
			n = 1; /* one block compared against every block */
	}
	if ((d->flags & TGT_CDB_ZERO_IS_256) && n == 0)
		n = 256;
	if (d->flags & TGT_CDB_TWICE)
		n *= 2;
	return d->unit == TGT_UNIT_BLOCKS ? n * bs : n;
}

bool tgt_cdb_set_blocks(const tgt_cdb_desc *d, uint8_t *cdb, uint32_t blocks)
{
	if (!(d->flags & TGT_CDB_WRITE))
		return false;
	switch (d->len_size) {
	case 1:
		cdb[d->len_off] = (uint8_t)blocks; /* WRITE(6): callers pass < 256 */
		return true;
	case 2:
		vitk_put_be16(cdb + d->len_off, (uint16_t)blocks);
		return true;
	case 4:
		vitk_put_be32(cdb + d->len_off, blocks);
		return true;
	default:
		return false;
	}
}

size_t tgt_cdb_dout_len(const uint8_t *cdb, size_t cdb_len, uint32_t block_size)
{
	int i = tgt_cdb_lookup(cdb, cdb_len);
	uint64_t n;

	if (i < 0 || table[i].dir != TGT_DIR_OUT)
		return 0;
	n = tgt_cdb_xfer_len(&table[i], cdb, block_size);
	return n > SIZE_MAX ? SIZE_MAX : (size_t)n;
}
