/*
 * The document of `vitk odx resolve DEV...`: every layer of every device,
 * top first, and per device whether it can be offloaded, on which sg node and
 * in how many ranges, or which layer refuses and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/odx.h>
#include <vitk/str.h>
#include <vitk/sys/odx_blk.h>
#include <vitk/table.h>

enum { C_DEVICE, C_LAYER, C_DEV, C_KIND, C_DETAIL };

static const vitk_table_column layer_cols[] = {
	[C_DEVICE] = VITK_TABLE_COLUMN("device", VITK_TABLE_STR),
	[C_LAYER] = VITK_TABLE_COLUMN("layer", VITK_TABLE_INT),
	[C_DEV] = VITK_TABLE_COLUMN("dev", VITK_TABLE_STR),
	[C_KIND] = VITK_TABLE_COLUMN("kind", VITK_TABLE_STR),
	[C_DETAIL] = VITK_TABLE_COLUMN("detail", VITK_TABLE_STR),
};

static int add_line(vitk_odx_doc *out, char *line)
{
	char **l;

	if (!line)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	l = realloc(out->lines, (out->nlines + 1) * sizeof(*l));
	if (!l) {
		free(line);
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	out->lines = l;
	out->lines[out->nlines++] = line;
	return 0;
}

static json_t *map_json(const char *name, const vitk_odx_blk_map *m)
{
	json_t *o = json_object(), *layers = json_array(), *ranges = json_array();
	json_t *disks = json_array();

	if (!o || !layers || !ranges || !disks) {
		json_decref(o);
		json_decref(layers);
		json_decref(ranges);
		json_decref(disks);
		return NULL;
	}
	/* every SCSI disk under the device (an LV on a VG of several LUNs spans several) */
	for (size_t i = 0; m->offloadable && i < m->disks.size; i++)
		json_array_append_new(disks, json_pack("{s:s, s:s}", "disk", m->disks.ptr[i].name,
						       "sg", m->disks.ptr[i].sg));
	for (size_t i = 0; i < m->layers.size; i++)
		json_array_append_new(layers, json_pack("{s:s, s:s, s:s}", "dev", m->layers.ptr[i].dev,
							"kind", m->layers.ptr[i].kind, "detail",
							m->layers.ptr[i].detail));
	for (size_t i = 0; i < m->ranges.size; i++)
		json_array_append_new(ranges, json_pack("{s:I, s:I, s:s}", "lba",
							(json_int_t)m->ranges.ptr[i].lba, "count",
							(json_int_t)m->ranges.ptr[i].count, "sg",
							m->ranges.ptr[i].disk < m->disks.size
								? m->disks.ptr[m->ranges.ptr[i].disk].sg
								: ""));
	json_object_set_new(o, "device", json_string(name));
	json_object_set_new(o, "offloadable", json_boolean(m->offloadable));
	json_object_set_new(o, "sg", m->sg && m->offloadable ? json_string(m->sg) : json_null());
	json_object_set_new(o, "block_size", json_integer(m->block_size));
	json_object_set_new(o, "reason", m->reason ? json_string(m->reason) : json_null());
	json_object_set_new(o, "disks", disks);
	json_object_set_new(o, "layers", layers);
	json_object_set_new(o, "ranges", ranges);
	return o;
}

int vitk_odx_resolve_doc(vitk_odx_doc *out, const char *const *names, size_t n)
{
	json_t *devs;
	int r = 0;

	memset(out, 0, sizeof(*out));
	devs = json_array();
	out->json = json_object();
	if (!devs || !out->json || vitk_table_new(&out->table, layer_cols, VITK_ARRAY_SIZE(layer_cols)) < 0) {
		json_decref(devs);
		vitk_odx_doc_clear(out);
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	}
	json_object_set_new(out->json, "devices", devs);
	for (size_t i = 0; i < n && r == 0; i++) {
		vitk_odx_blk_map m;
		vitk_str line;

		r = vitk_odx_blk_resolve_path(&m, names[i], NULL);
		if (r < 0) {
			vitk_error_prefix("%s: ", names[i]);
			vitk_odx_blk_map_clear(&m);
			break;
		}
		for (size_t k = 0; k < m.layers.size && r == 0; k++) {
			const vitk_odx_blk_layer *l = &m.layers.ptr[k];

			if ((r = vitk_table_add_row(out->table)) < 0 ||
			    (r = vitk_table_set_str(out->table, C_DEVICE, names[i])) < 0 ||
			    (r = vitk_table_set_int(out->table, C_LAYER, (int64_t)k)) < 0 ||
			    (r = vitk_table_set_str(out->table, C_DEV, l->dev)) < 0 ||
			    (r = vitk_table_set_str(out->table, C_KIND, l->kind)) < 0)
				break;
			r = vitk_table_set_str(out->table, C_DETAIL, l->detail);
		}
		if (r == 0) {
			json_t *j = map_json(names[i], &m);

			r = j ? json_array_append_new(devs, j) == 0 ? 0 : VITK_ENOMEM
			      : vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		}
		if (r == 0) {
			vitk_str_init(&line);
			if (m.offloadable) {
				vitk_str_putf(&line, "%s: offloadable on %s", names[i], m.sg);
				for (size_t k = 1; k < m.disks.size; k++)
					vitk_str_putf(&line, " + %s", m.disks.ptr[k].sg);
				vitk_str_putf(&line, ", %zu range%s of %u-byte blocks", m.ranges.size,
					      m.ranges.size == 1 ? "" : "s", m.block_size);
			}
			else
				vitk_str_putf(&line, "%s: not offloadable: %s", names[i], m.reason);
			r = add_line(out, vitk_str_detach(&line));
		}
		vitk_odx_blk_map_clear(&m);
	}
	if (r < 0) {
		int e = r;

		if (!vitk_error_last()->message[0])
			vitk_error_set(e, 0, "out of memory");
		vitk_odx_doc_clear(out);
	}
	return r;
}
