/* SPDX-License-Identifier: MIT */
/*
 * The parts of a plan and a copy result that documents and job rows share:
 * the rejected methods [{method, reason}] and the fallbacks
 * [{from, to, at_block, reason}], each described once.
 */
#include <jansson.h>

#include <vitk/table.h>

#include "odx_internal.h"

enum { REJ_METHOD, REJ_REASON };
static const vitk_table_column rejected_cols[] = {
	[REJ_METHOD] = VITK_TABLE_COLUMN("method", VITK_TABLE_STR),
	[REJ_REASON] = VITK_TABLE_COLUMN("reason", VITK_TABLE_STR),
};

enum { FB_FROM, FB_TO, FB_AT, FB_REASON };
static const vitk_table_column fallback_cols[] = {
	[FB_FROM] = VITK_TABLE_COLUMN("from", VITK_TABLE_STR),
	[FB_TO] = VITK_TABLE_COLUMN("to", VITK_TABLE_STR),
	[FB_AT] = VITK_TABLE_COLUMN("at_block", VITK_TABLE_INT),
	[FB_REASON] = VITK_TABLE_COLUMN("reason", VITK_TABLE_STR),
};

/* @t as a JSON array; NULL (error recorded) on failure; frees @t */
static json_t *to_json(vitk_table *t, int r)
{
	json_t *j = NULL;

	if (r == 0)
		r = vitk_table_error(t);
	if (r == 0)
		r = vitk_table_to_json(&j, t);
	vitk_table_free(t);
	return r == 0 ? j : NULL;
}

json_t *vitk_odx__rejected_json(const vitk_odx_plan *p)
{
	vitk_table *t = NULL;
	size_t i;
	int r;

	r = vitk_table_new(&t, rejected_cols, VITK_ARRAY_SIZE(rejected_cols));
	for (i = 0; p && r == 0 && i < VITK_ODX_NITEMS; i++) {
		if (p->items[i].usable)
			continue;
		r = vitk_table_add_row(t);
		vitk_table_set_str(t, REJ_METHOD, vitk_odx_method_str(p->items[i].method));
		vitk_table_set_str(t, REJ_REASON, p->items[i].reason ? p->items[i].reason : "");
	}
	return to_json(t, r);
}

json_t *vitk_odx__fallbacks_json(const vitk_odx_copy_result *res)
{
	vitk_table *t = NULL;
	size_t i;
	int r;

	r = vitk_table_new(&t, fallback_cols, VITK_ARRAY_SIZE(fallback_cols));
	for (i = 0; res && r == 0 && i < res->nfallbacks; i++) {
		const vitk_odx_fallback *f = &res->fallbacks[i];

		r = vitk_table_add_row(t);
		vitk_table_set_str(t, FB_FROM, vitk_odx_method_str(f->from));
		vitk_table_set_str(t, FB_TO, vitk_odx_method_str(f->to));
		vitk_table_set_int(t, FB_AT, (int64_t)f->at_block);
		vitk_table_set_str(t, FB_REASON, f->reason ? f->reason : "");
	}
	return to_json(t, r);
}
