/* SPDX-License-Identifier: MIT */
/*
 * Audit benchmark driver: REPS times (parse host capture + open depot + parse
 * command + audit), through the public library API.  Prints the median and
 * the peak RSS.   bench_audit DEPOT HOSTVIBS REPS "esxcli ..."
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <vitk/esxupdate.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint64_t t[64];
	struct rusage ru;
	size_t reps, i, crit = 0, vibs = 0;

	if (argc != 5)
		return 2;
	reps = strtoul(argv[3], NULL, 10);
	if (reps == 0 || reps > 64)
		return 2;
	for (i = 0; i < reps; i++) {
		vitk_esxupdate_host *h = NULL;
		vitk_esxupdate_depot *d = NULL;
		vitk_esxupdate_command *c = NULL;
		vitk_esxupdate_audit *a = NULL;
		char *buf = NULL;
		size_t len = 0;
		uint64_t t0 = vitk_now_ns();

		if (vitk_esxupdate_host_new(&h) < 0 || vitk_read_file(argv[2], 64u << 20, &buf, &len) < 0 ||
		    vitk_esxupdate_host_parse_vib_list(h, buf, len, argv[2]) < 0 ||
		    vitk_esxupdate_depot_open(&d, argv[1], NULL) < 0 ||
		    vitk_esxupdate_command_parse(&c, argv[4]) < 0 || vitk_esxupdate_audit_run(&a, h, d, c) < 0) {
			fprintf(stderr, "bench_audit: %s\n", vitk_error_last()->message);
			return 1;
		}
		t[i] = vitk_now_ns() - t0;
		crit = vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL);
		vibs = vitk_esxupdate_depot_vib_count(d);
		vitk_esxupdate_audit_free(a);
		vitk_esxupdate_command_free(c);
		vitk_esxupdate_depot_free(d);
		vitk_esxupdate_host_free(h);
		free(buf);
	}
	qsort(t, reps, sizeof(t[0]), cmp_u64);
	getrusage(RUSAGE_SELF, &ru);
	printf("depot_vibs=%zu critical=%zu median_ms=%.1f min_ms=%.1f peak_rss_mb=%.1f\n", vibs, crit,
	       t[reps / 2] / 1e6, t[0] / 1e6, ru.ru_maxrss / 1024.0);
	return 0;
}
