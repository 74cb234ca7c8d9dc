/* SPDX-License-Identifier: MIT */
/*
 * The per-LUN counters as a result document (vitk_table): the columns are
 * declared once here; the CLI renders them as text, JSON or CSV.
 */
#include <stdio.h>

#include <jansson.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/odx_target.h>
#include <vitk/table.h>

enum {
	COL_LUN,
	COL_COMMANDS,
	COL_BYTES_READ_WIRE,
	COL_BYTES_WRITTEN_WIRE,
	COL_BYTES_COPIED_INTERNAL,
	COL_TOKENS_CREATED,
	COL_TOKENS_USED,
	COL_TOKENS_EXPIRED,
	COL_BYTES_CLONED,
	COL_BYTES_COPIED,
	COL_BYTES_ZEROED,
	COL_BYTES_TOKEN_SNAPSHOT,
	COL_OPCODES,
};

static const vitk_table_column stats_cols[] = {
	[COL_LUN] = VITK_TABLE_COLUMN("lun", VITK_TABLE_INT),
	[COL_COMMANDS] = VITK_TABLE_COLUMN("commands", VITK_TABLE_INT),
	[COL_BYTES_READ_WIRE] = VITK_TABLE_COLUMN("bytes_read_wire", VITK_TABLE_INT),
	[COL_BYTES_WRITTEN_WIRE] = VITK_TABLE_COLUMN("bytes_written_wire", VITK_TABLE_INT),
	[COL_BYTES_COPIED_INTERNAL] = VITK_TABLE_COLUMN("bytes_copied_internal", VITK_TABLE_INT),
	[COL_TOKENS_CREATED] = VITK_TABLE_COLUMN("tokens_created", VITK_TABLE_INT),
	[COL_TOKENS_USED] = VITK_TABLE_COLUMN("tokens_used", VITK_TABLE_INT),
	[COL_TOKENS_EXPIRED] = VITK_TABLE_COLUMN("tokens_expired", VITK_TABLE_INT),
	[COL_BYTES_CLONED] = VITK_TABLE_COLUMN("bytes_cloned", VITK_TABLE_INT),
	[COL_BYTES_COPIED] = VITK_TABLE_COLUMN("bytes_copied", VITK_TABLE_INT),
	[COL_BYTES_ZEROED] = VITK_TABLE_COLUMN("bytes_zeroed", VITK_TABLE_INT),
	[COL_BYTES_TOKEN_SNAPSHOT] = VITK_TABLE_COLUMN("bytes_token_snapshot", VITK_TABLE_INT),
	[COL_OPCODES] = VITK_TABLE_COLUMN("opcodes", VITK_TABLE_JSON),
};

/* {"0x28": n, ...} for the opcodes that were seen; NULL on out-of-memory */
static json_t *opcode_counts(const vitk_odx_target_stats *s, uint64_t *total)
{
	json_t *o = json_object();
	unsigned op;

	*total = 0;
	for (op = 0; o && op < 256; op++) {
		char key[8];

		if (!s->cmds_by_opcode[op])
			continue;
		*total += s->cmds_by_opcode[op];
		snprintf(key, sizeof(key), "0x%02x", op);
		if (json_object_set_new(o, key, json_integer((json_int_t)s->cmds_by_opcode[op])) < 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

static void add_lun_row(vitk_table *tb, const vitk_odx_target_stats *s)
{
	uint64_t total;
	json_t *ops = opcode_counts(s, &total);

	if (vitk_table_add_row(tb) < 0) {
		json_decref(ops);
		return;
	}
	vitk_table_set_int(tb, COL_LUN, s->lun);
	vitk_table_set_int(tb, COL_COMMANDS, (int64_t)total);
	vitk_table_set_int(tb, COL_BYTES_READ_WIRE, (int64_t)s->bytes_read_wire);
	vitk_table_set_int(tb, COL_BYTES_WRITTEN_WIRE, (int64_t)s->bytes_written_wire);
	vitk_table_set_int(tb, COL_BYTES_COPIED_INTERNAL, (int64_t)s->bytes_copied_internal);
	vitk_table_set_int(tb, COL_TOKENS_CREATED, (int64_t)s->tokens_created);
	vitk_table_set_int(tb, COL_TOKENS_USED, (int64_t)s->tokens_used);
	vitk_table_set_int(tb, COL_TOKENS_EXPIRED, (int64_t)s->tokens_expired);
	vitk_table_set_int(tb, COL_BYTES_CLONED, (int64_t)s->bytes_cloned);
	vitk_table_set_int(tb, COL_BYTES_COPIED, (int64_t)s->bytes_copied);
	vitk_table_set_int(tb, COL_BYTES_ZEROED, (int64_t)s->bytes_zeroed);
	vitk_table_set_int(tb, COL_BYTES_TOKEN_SNAPSHOT, (int64_t)s->bytes_token_snapshot);
	if (ops)
		vitk_table_set_json(tb, COL_OPCODES, ops);
	else
		vitk_table_set_null(tb, COL_OPCODES);
}

int vitk_odx_target_stats_table(const vitk_odx_target *t, vitk_table **out)
{
	vitk_table *tb = NULL;
	size_t i, n = vitk_odx_target_lun_count(t);
	int r;

	*out = NULL;
	r = vitk_table_new(&tb, stats_cols, VITK_ARRAY_SIZE(stats_cols));
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		vitk_odx_target_stats s;

		if (vitk_odx_target_lun_stats(t, i, &s) == 0)
			add_lun_row(tb, &s);
	}
	r = vitk_table_error(tb);
	if (r < 0) {
		vitk_table_free(tb);
		return r;
	}
	*out = tb;
	return 0;
}
