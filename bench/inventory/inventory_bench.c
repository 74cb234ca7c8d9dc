/* SPDX-License-Identifier: MIT */
/*
 * Insert N VF-like rows through the inventory API in one transaction, then
 * run a report over them.  Also writes the same rows as CSV so run.sh can
 * time the sqlite3 CLI's .import of identical data.
 *   inventory_bench DB CSV [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <vitk/common.h>
#include <vitk/inventory.h>

static const vitk_inventory_column cols[] = {
	{ "pf", VITK_INV_TEXT, VITK_INV_COL_KEY | VITK_INV_COL_NOTNULL },
	{ "vf_index", VITK_INV_INT, VITK_INV_COL_KEY },
	{ "address", VITK_INV_TEXT, 0 },
	{ "mac", VITK_INV_TEXT, 0 },
	{ "vlan", VITK_INV_INT, 0 },
	{ "trust", VITK_INV_INT, 0 },
	{ "spoofchk", VITK_INV_INT, 0 },
	{ "numa_node", VITK_INV_INT, 0 },
	{ "driver", VITK_INV_TEXT, 0 },
	{ "max_rate_mbps", VITK_INV_REAL, 0 },
};
static const vitk_inventory_table tables[] = { { "bench_vf", cols, VITK_ARRAY_SIZE(cols) } };
static const vitk_inventory_domain domain = { "bench", 1, tables, 1 };

static double secs(uint64_t a, uint64_t b)
{
	return (double)(b - a) / 1e9;
}

int main(int argc, char **argv)
{
	vitk_inventory *inv = NULL;
	vitk_inventory_rows *rows = NULL;
	long n = argc > 3 ? atol(argv[3]) : 100000;
	int64_t host = 0;
	uint64_t t0, t1, t2;
	struct rusage ru;
	FILE *csv;

	if (argc < 3) {
		fprintf(stderr, "usage: inventory_bench DB CSV [N]\n");
		return 2;
	}
	unlink(argv[1]);
	csv = fopen(argv[2], "w");
	if (!csv || vitk_inventory_open(&inv, argv[1], 0) < 0 ||
	    vitk_inventory_register(inv, &domain) < 0 ||
	    vitk_inventory_host_ensure(inv, "bench", "benchbenchbench", "linux", "local", &host) < 0) {
		fprintf(stderr, "inventory_bench: %s\n", vitk_error_last()->message);
		return 1;
	}
	/* the same rows as CSV for the sqlite3 CLI */
	for (long i = 0; i < n; i++) {
		fprintf(csv, "%lld,0000:%02lx:%02lx.%lx,%ld,0000:%02lx:%02lx.%lx,02:00:%02lx:%02lx:%02lx:%02lx,%ld,%ld,%ld,%ld,iavf,%.1f,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z\n",
			(long long)host, (i / 64) / 256 % 256, (i / 64) / 8 % 32, (i / 64) % 8, i % 64,
			(i / 64) / 256 % 256, (i / 64) / 8 % 32 + 64, i % 8, (i >> 24) & 0xff,
			(i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, i % 4094, i % 2, 1 - i % 2,
			(i / 64) % 2, 1000.0 + (double)(i % 100));
	}
	fclose(csv);
	t0 = vitk_now_ns();
	if (vitk_inventory_begin(inv) < 0)
		return 1;
	for (long i = 0; i < n; i++) {
		char pf[32], addr[32], mac[32];
		vitk_inventory_value v[10];

		snprintf(pf, sizeof(pf), "0000:%02lx:%02lx.%lx", (i / 64) / 256 % 256,
			 (i / 64) / 8 % 32, (i / 64) % 8);
		snprintf(addr, sizeof(addr), "0000:%02lx:%02lx.%lx", (i / 64) / 256 % 256,
			 (i / 64) / 8 % 32 + 64, i % 8);
		snprintf(mac, sizeof(mac), "02:00:%02lx:%02lx:%02lx:%02lx", (i >> 24) & 0xff,
			 (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
		v[0] = VITK_INV_S("pf", pf);
		v[1] = VITK_INV_I("vf_index", i % 64);
		v[2] = VITK_INV_S("address", addr);
		v[3] = VITK_INV_S("mac", mac);
		v[4] = VITK_INV_I("vlan", i % 4094);
		v[5] = VITK_INV_I("trust", i % 2);
		v[6] = VITK_INV_I("spoofchk", 1 - i % 2);
		v[7] = VITK_INV_I("numa_node", (i / 64) % 2);
		v[8] = VITK_INV_S("driver", "iavf");
		v[9] = VITK_INV_R("max_rate_mbps", 1000.0 + (double)(i % 100));
		if (vitk_inventory_insert(inv, "bench_vf", host, v, 10, NULL) < 0) {
			fprintf(stderr, "inventory_bench: %s\n", vitk_error_last()->message);
			return 1;
		}
	}
	if (vitk_inventory_commit(inv) < 0)
		return 1;
	t1 = vitk_now_ns();
	if (vitk_inventory_query(&rows, inv,
				 "SELECT numa_node, driver, count(*) AS vfs, count(DISTINCT pf) AS pfs, "
				 "sum(trust) AS trusted, avg(max_rate_mbps) AS avg_rate FROM bench_vf "
				 "GROUP BY numa_node, driver ORDER BY numa_node") < 0)
		return 1;
	vitk_inventory_rows_free(rows);
	if (vitk_inventory_select(&rows, inv, "bench_vf", host, NULL, 0, "vf_index") < 0)
		return 1;
	t2 = vitk_now_ns();
	if ((long)vitk_inventory_rows_count(rows) != n) {
		fprintf(stderr, "inventory_bench: report saw %zu rows, expected %ld\n",
			vitk_inventory_rows_count(rows), n);
		return 1;
	}
	vitk_inventory_rows_free(rows);
	vitk_inventory_free(inv);
	getrusage(RUSAGE_SELF, &ru);
	printf("rows=%ld insert_s=%.3f insert_rows_per_s=%.0f report_s=%.3f peak_rss_mb=%.1f\n", n,
	       secs(t0, t1), (double)n / secs(t0, t1), secs(t1, t2), (double)ru.ru_maxrss / 1024.0);
	return 0;
}
