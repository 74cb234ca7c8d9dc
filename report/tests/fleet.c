/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include <vitk/common.h>
#include <vitk/esxupdate.h>
#include <vitk/odx.h>
#include <vitk/sriov.h>

#include "fleet.h"

#define TRY(x)                                                                                     \
	do {                                                                                       \
		int r_ = (x);                                                                      \
		if (r_ < 0)                                                                        \
			return r_;                                                                 \
	} while (0)

static int one_host(vitk_inventory *inv, size_t i)
{
	char name[64], mid[64], pf0[32], pf1[32], vf[32], uuid[64], audit[64];
	int64_t h;

	if (i == 0)
		snprintf(name, sizeof(name), "%s", FLEET_HOSTILE_HOST);
	else
		snprintf(name, sizeof(name), "kvm%04zu", i + 1);
	snprintf(mid, sizeof(mid), "%032zx", i + 1);
	TRY(vitk_inventory_host_ensure(inv, name, mid, "linux", "import", &h));
	snprintf(pf0, sizeof(pf0), "0000:%02zx:00.0", (i % 200) + 1);
	snprintf(pf1, sizeof(pf1), "0000:%02zx:00.1", (i % 200) + 1);
	snprintf(vf, sizeof(vf), "0000:%02zx:10.0", (i % 200) + 1);
	{
		vitk_inventory_value a[] = { VITK_INV_S("addr", pf0), VITK_INV_S("adapter", "0000:01:00"),
					     VITK_INV_I("numa_node", 0), VITK_INV_I("total_vfs", 8),
					     VITK_INV_I("num_vfs", 4), VITK_INV_S("netdev", "ens1f0") };
		vitk_inventory_value b[] = { VITK_INV_S("addr", pf1), VITK_INV_S("adapter", "0000:01:00"),
					     VITK_INV_I("numa_node", 1), VITK_INV_I("total_vfs", 8),
					     VITK_INV_I("num_vfs", 2), VITK_INV_S("netdev", "ens1f1") };
		vitk_inventory_value v[] = { VITK_INV_S("addr", vf), VITK_INV_S("pf", pf0),
					     VITK_INV_I("vf_index", 0) };
		vitk_inventory_value rv[] = { VITK_INV_S("vf", vf), VITK_INV_S("pf", pf0),
					      VITK_INV_S("vm", "web01"), VITK_INV_S("plan_id", "p1") };

		TRY(vitk_inventory_upsert(inv, "sriov_pf", h, a, VITK_ARRAY_SIZE(a), NULL));
		TRY(vitk_inventory_upsert(inv, "sriov_pf", h, b, VITK_ARRAY_SIZE(b), NULL));
		TRY(vitk_inventory_upsert(inv, "sriov_vf", h, v, VITK_ARRAY_SIZE(v), NULL));
		TRY(vitk_inventory_upsert(inv, "sriov_reservation", h, rv, VITK_ARRAY_SIZE(rv), NULL));
	}
	for (int k = 0; k < 2; k++) {
		snprintf(uuid, sizeof(uuid), "job-%zu-%d", i, k);
		vitk_inventory_value j[] = {
			VITK_INV_S("uuid", uuid),
			VITK_INV_S("src", "iscsi://san/iqn.2026-01.lab:a/0"),
			VITK_INV_S("dst", k ? "/dev/sg4" : "iscsi://san/iqn.2026-01.lab:a/1"),
			VITK_INV_S("method", k ? "host" : "token"),
			VITK_INV_S("result", "ok"),
			VITK_INV_I("bytes", 1048576),
			VITK_INV_I("host_bytes", k ? 2097152 : 4096),
			VITK_INV_S("error", i == 0 && k ? "<img src=x onerror=alert(2)>" : NULL),
			VITK_INV_S("finished_at", "2026-12-01T10:00:00Z"),
		};
		TRY(vitk_inventory_insert(inv, "odx_job", h, j, VITK_ARRAY_SIZE(j), NULL));
	}
	{
		vitk_inventory_value l[] = { VITK_INV_S("name", "iscsi://san/iqn.2026-01.lab:a/0"),
					     VITK_INV_S("vendor", "VITK"), VITK_INV_S("product", "LAB"),
					     VITK_INV_I("block_size", 512), VITK_INV_I("blocks", 2097152),
					     VITK_INV_I("token_capable", i % 2 == 0),
					     VITK_INV_I("xcopy_capable", i % 2 == 0) };

		TRY(vitk_inventory_upsert(inv, "odx_lun", h, l, VITK_ARRAY_SIZE(l), NULL));
	}
	snprintf(audit, sizeof(audit), "audit-%zu", i);
	{
		vitk_inventory_value a[] = {
			VITK_INV_S("uuid", audit),
			VITK_INV_S("host_name", name),
			VITK_INV_S("command", "esxcli software vib install -d /vmfs/volumes/ds1/x.zip"),
			VITK_INV_S("verdict", i % 2 ? "unsafe" : "safe"),
			VITK_INV_I("critical", i % 2),
			VITK_INV_I("warning", 0),
			VITK_INV_S("audited_at", "2026-12-01T11:00:00Z"),
		};
		TRY(vitk_inventory_upsert(inv, "esxupdate_audit", h, a, VITK_ARRAY_SIZE(a), NULL));
	}
	if (i % 2) {
		vitk_inventory_value f[] = { VITK_INV_S("audit_uuid", audit), VITK_INV_I("seq", 1),
					     VITK_INV_S("severity", "CRITICAL"),
					     VITK_INV_S("code", "driver-downgraded"),
					     VITK_INV_S("message", "vmnic0 <b>loses</b> its driver") };

		TRY(vitk_inventory_upsert(inv, "esxupdate_finding", h, f, VITK_ARRAY_SIZE(f), NULL));
	}
	return 0;
}

int fleet_fill(vitk_inventory *inv, size_t nhosts)
{
	int r;

	TRY(vitk_odx_inventory_register(inv));
	TRY(vitk_sriov_inventory_register(inv));
	TRY(vitk_esxupdate_inventory_register(inv));
	TRY(vitk_inventory_begin(inv));
	for (size_t i = 0; i < nhosts; i++) {
		r = one_host(inv, i);
		if (r < 0) {
			vitk_inventory_rollback(inv);
			return r;
		}
	}
	return vitk_inventory_commit(inv);
}
