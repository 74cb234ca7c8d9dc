/* SPDX-License-Identifier: MIT */
/*
 * Fleet aggregates (`vitk inventory report free-vfs|offload-savings`): one
 * read-only SELECT each, in SQL that both backends accept, over the domain
 * tables of sriov and odx (their column specs: sriov/src/sriov_inventory.c,
 * odx/src/odx_inventory.c).  The only parameter is the host-name pattern.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/common.h>
#include <vitk/str.h>

#include "internal.h"

typedef struct {
	const char *name;
	const char *select; /* up to WHERE; "%s" receives the host filter */
	const char *group;  /* GROUP BY ... ORDER BY host; "%s" receives the host collation */
	const char *pg;     /* PostgreSQL: from a rollup kept by push, else NULL (as select) */
} fleet_report;

static const fleet_report reports[] = {
	{ "free-vfs",
	  /*
	   * A VF is free when it is neither assigned, reserved nor excluded (each
	   * keyed by VF per host, so the joins add no rows).  One pass over the VFs
	   * counts per host and PF; hosts and NUMA nodes join the small result.
	   */
	  "WITH per_pf AS (SELECT v.host_id, v.pf, count(*) AS vfs, "
	  "sum(CASE WHEN a.vf IS NOT NULL THEN 1 ELSE 0 END) AS assigned, "
	  "sum(CASE WHEN a.vf IS NULL AND r.vf IS NOT NULL THEN 1 ELSE 0 END) AS reserved, "
	  "sum(CASE WHEN a.vf IS NULL AND r.vf IS NULL AND x.vf IS NOT NULL THEN 1 ELSE 0 END) "
	  "AS excluded FROM sriov_vf v "
	  "LEFT JOIN sriov_assignment a ON a.host_id = v.host_id AND a.vf = v.addr "
	  "LEFT JOIN sriov_reservation r ON r.host_id = v.host_id AND r.vf = v.addr "
	  "LEFT JOIN sriov_exclude x ON x.host_id = v.host_id AND x.vf = v.addr "
	  "WHERE v.host_id IN (SELECT h.id FROM hosts h WHERE %s) GROUP BY v.host_id, v.pf) "
	  "SELECT h.name AS host, p.numa_node AS numa_node, CAST(sum(c.vfs) AS bigint) AS vfs, "
	  "CAST(sum(c.assigned) AS bigint) AS assigned, CAST(sum(c.reserved) AS bigint) AS reserved, "
	  "CAST(sum(c.excluded) AS bigint) AS excluded, "
	  "CAST(sum(c.vfs - c.assigned - c.reserved - c.excluded) AS bigint) AS free "
	  "FROM per_pf c JOIN hosts h ON h.id = c.host_id "
	  "LEFT JOIN sriov_pf p ON p.host_id = c.host_id AND p.addr = c.pf",
	  " GROUP BY h.name, p.numa_node ORDER BY h.name%s, p.numa_node",
	  /* the same counts per host and PF, kept by every push (src/pg.c ROLLUP_SELECT) */
	  "SELECT h.name AS host, p.numa_node AS numa_node, CAST(sum(c.vfs) AS bigint) AS vfs, "
	  "CAST(sum(c.assigned) AS bigint) AS assigned, CAST(sum(c.reserved) AS bigint) AS reserved, "
	  "CAST(sum(c.excluded) AS bigint) AS excluded, "
	  "CAST(sum(c.vfs - c.assigned - c.reserved - c.excluded) AS bigint) AS free "
	  "FROM vitk_rollup_vfs c JOIN hosts h ON h.id = c.host_id "
	  "LEFT JOIN sriov_pf p ON p.host_id = c.host_id AND p.addr = c.pf WHERE %s" },
	{ "offload-savings",
	  /* bytes the array copied that never crossed the host (odx_job.bytes - host_bytes) */
	  "SELECT h.name AS host, coalesce(l.vendor, '?') || ' ' || coalesce(l.product, '?') AS "
	  "\"array\", count(*) AS jobs, CAST(sum(coalesce(j.bytes, 0)) AS bigint) AS bytes, "
	  "CAST(sum(coalesce(j.host_bytes, 0)) AS bigint) AS host_bytes, "
	  "CAST(sum(coalesce(j.bytes, 0) - coalesce(j.host_bytes, 0)) AS bigint) AS saved_bytes "
	  "FROM odx_job j JOIN hosts h ON h.id = j.host_id "
	  "LEFT JOIN odx_lun l ON l.host_id = j.host_id AND l.name = j.src "
	  "WHERE j.result = 'ok' AND %s",
	  " GROUP BY h.name, 2 ORDER BY h.name%s, 2", NULL },
};

int vitk_inventory_fleet_report(vitk_inventory_rows **out, vitk_inventory *inv, const char *name,
				const char *host_glob)
{
	const fleet_report *rep = NULL;
	vitk_str sql = VITK_STR_INIT;
	char *re = NULL;
	int r = 0;

	*out = NULL;
	for (size_t i = 0; name && i < VITK_ARRAY_SIZE(reports); i++)
		if (strcmp(reports[i].name, name) == 0)
			rep = &reports[i];
	if (!rep)
		return vitk_error_set(VITK_ENOTFOUND, 0,
				      "no fleet report '%s' (reports: free-vfs offload-savings)",
				      name ? name : "");
	/* host filter: PostgreSQL regular expression or SQLite GLOB; byte order for names */
	vitk_str_putf(&sql, inv->pg && rep->pg ? rep->pg : rep->select,
		      !host_glob ? "true" : inv->pg ? "h.name ~ $1" : "h.name GLOB ?1");
	vitk_str_putf(&sql, rep->group, inv->pg ? " COLLATE \"C\"" : "");
	if (sql.oom)
		return VITK_ENOMEM;
	if (inv->pg) {
		re = host_glob ? inv_glob_regex(host_glob) : NULL;
		if (host_glob && !re)
			r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		else
			r = invpg_query_params(out, inv, sql.ptr, re ? 1 : 0,
					       (const char *const *)&re);
	} else {
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(inv->db, sql.ptr, -1, &st, NULL) != SQLITE_OK) {
			r = inv_db_error(inv, "cannot run the fleet report");
		} else {
			re = host_glob ? inv_glob_sqlite(host_glob) : NULL;
			if (host_glob && !re)
				r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			else if (re)
				sqlite3_bind_text(st, 1, re, -1, SQLITE_TRANSIENT);
			if (!host_glob || re)
				r = inv_rows_collect(out, inv->db, st);
		}
		sqlite3_finalize(st);
	}
	free(re);
	vitk_str_clear(&sql);
	if (r < 0)
		vitk_error_prefix("%s: ", rep->name);
	return r;
}
