/* SPDX-License-Identifier: MIT */
/*
 * The resolved layers of a block-device copy job (table odx_blk_layer,
 * domain odx_blk): recorded when the job starts, and compared on --resume,
 * so that a job is never continued on a device stack that changed under it
 * (an LV resized or replaced, a partition moved, another disk).
 *
 * Each side has its layers (idx 0..n-1, top first) and one more row, kind
 * "map": the top device's size, the disk's block size and sg node, and the
 * ranges on the disk (their count and an FNV-1a digest of every lba/count).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/inventory.h>
#include <vitk/str.h>

#include "odx_internal.h"

static const vitk_inventory_column layer_cols[] = {
	{ "job", VITK_INV_TEXT, VITK_INV_COL_KEY | VITK_INV_COL_NOTNULL },
	{ "side", VITK_INV_TEXT, VITK_INV_COL_KEY | VITK_INV_COL_NOTNULL },
	{ "idx", VITK_INV_INT, VITK_INV_COL_KEY | VITK_INV_COL_NOTNULL },
	{ "dev", VITK_INV_TEXT, 0 },
	{ "kind", VITK_INV_TEXT, 0 },
	{ "detail", VITK_INV_TEXT, 0 },
};

static const vitk_inventory_table blk_tables[] = {
	{ "odx_blk_layer", layer_cols, VITK_ARRAY_SIZE(layer_cols) },
};

static const vitk_inventory_domain blk_domain = { "odx_blk", 1, blk_tables,
						   VITK_ARRAY_SIZE(blk_tables) };

int vitk_odx__blk_register(vitk_inventory *inv)
{
	return vitk_inventory_register(inv, &blk_domain);
}

/* the "map" row's detail: what must not change between runs of a job */
static char *map_detail(const vitk_odx_blk_map *m)
{
	uint64_t h = 14695981039346656037ull;
	vitk_str s = VITK_STR_INIT;

	for (size_t i = 0; i < m->ranges.size; i++) {
		/* the disk index counts only when not 0: one-disk digests stay as they were */
		uint64_t v[4] = { m->ranges.ptr[i].lba, m->ranges.ptr[i].count, m->ranges.ptr[i].zero,
				  m->ranges.ptr[i].disk };

		for (size_t k = 0; k < (v[3] ? 4u : 3u); k++)
			for (int b = 0; b < 64; b += 8) {
				h ^= (v[k] >> b) & 0xff;
				h *= 1099511628211ull;
			}
	}
	vitk_str_putf(&s, "%llu bytes", (unsigned long long)m->size_bytes);
	if (m->offloadable) {
		vitk_str_putf(&s, ", %u-byte blocks on %s", m->block_size, m->sg ? m->sg : "");
		/* every disk of a device that spans several */
		for (size_t i = 1; i < m->disks.size; i++)
			vitk_str_putf(&s, " + %s", m->disks.ptr[i].sg);
		vitk_str_putf(&s, ", %zu range%s (digest %016llx)", m->ranges.size,
			      m->ranges.size == 1 ? "" : "s", (unsigned long long)h);
	}
	else
		vitk_str_putf(&s, ", not offloadable");
	return vitk_str_detach(&s);
}

/* the rows of one side, as they are recorded: idx, dev, kind, detail */
struct row {
	const char *dev, *kind;
	char *detail;
	bool owned;
};

static int rows_of(struct row **out, size_t *n, const vitk_odx_blk_map *m, const char *top)
{
	struct row *r = calloc(m->layers.size + 1, sizeof(*r));

	*out = r;
	*n = 0;
	if (!r)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	for (size_t i = 0; i < m->layers.size; i++)
		r[i] = (struct row){ m->layers.ptr[i].dev, m->layers.ptr[i].kind,
				     m->layers.ptr[i].detail, false };
	r[m->layers.size] = (struct row){ top, "map", map_detail(m), true };
	*n = m->layers.size + 1;
	return r[m->layers.size].detail ? 0 : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
}

static void rows_free(struct row *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		if (r[i].owned)
			free(r[i].detail);
	free(r);
}

int vitk_odx__blk_layers_record(vitk_inventory *inv, int64_t host_id, const char *uuid,
				const char *side, const vitk_odx_blk_map *m, const char *top)
{
	struct row *rows;
	size_t n;
	int r = rows_of(&rows, &n, m, top);

	for (size_t i = 0; r == 0 && i < n; i++) {
		vitk_inventory_value v[] = {
			VITK_INV_S("job", uuid),	 VITK_INV_S("side", side),
			VITK_INV_I("idx", (int64_t)i),	 VITK_INV_S("dev", rows[i].dev),
			VITK_INV_S("kind", rows[i].kind), VITK_INV_S("detail", rows[i].detail),
		};
		int64_t id;

		r = vitk_inventory_insert(inv, "odx_blk_layer", host_id, v, VITK_ARRAY_SIZE(v), &id);
	}
	rows_free(rows, n);
	return r;
}

int vitk_odx__blk_layers_check(vitk_inventory *inv, const char *uuid, const char *side,
			       const vitk_odx_blk_map *m, const char *top)
{
	vitk_inventory_value match[] = { VITK_INV_S("job", uuid), VITK_INV_S("side", side) };
	vitk_inventory_rows *got = NULL;
	struct row *rows = NULL;
	size_t n = 0, have;
	int r;

	r = vitk_inventory_select(&got, inv, "odx_blk_layer", 0, match, VITK_ARRAY_SIZE(match), "idx");
	if (r < 0)
		return r;
	have = vitk_inventory_rows_count(got);
	if (have == 0) /* a job of an older vitk: nothing to compare */
		goto out;
	r = rows_of(&rows, &n, m, top);
	for (size_t i = 0; r == 0 && i < (have > n ? have : n); i++) {
		const char *dev = i < have ? vitk_inventory_rows_get(got, i, "dev") : NULL;
		const char *kind = i < have ? vitk_inventory_rows_get(got, i, "kind") : NULL;
		const char *detail = i < have ? vitk_inventory_rows_get(got, i, "detail") : NULL;

		if (i < have && i < n && dev && kind && detail && strcmp(dev, rows[i].dev) == 0 &&
		    strcmp(kind, rows[i].kind) == 0 && strcmp(detail, rows[i].detail) == 0)
			continue;
		r = vitk_error_set(VITK_EINVAL, 0,
				   "the %s's device stack changed since the job started: layer %zu "
				   "was %s (%s): %s, now %s (%s): %s; not resuming",
				   strcmp(side, "src") == 0 ? "source" : "destination", i,
				   dev ? dev : "-", kind ? kind : "-", detail ? detail : "-",
				   i < n ? rows[i].dev : "-", i < n ? rows[i].kind : "-",
				   i < n ? rows[i].detail : "-");
	}
out:
	rows_free(rows, n);
	vitk_inventory_rows_free(got);
	return r;
}
