/* SPDX-License-Identifier: MIT */
/*
 * The jobs document reads the rejected/fallbacks JSON stored in odx_job rows,
 * and rows can come from an imported inventory file: input = rejected text,
 * NUL, fallbacks text.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/inventory.h>
#include <vitk/odx.h>
#include <vitk/sys/odx.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vitk_inventory *inv;
static vitk_odx_job job;

/* one inventory with one job row for the whole run */
static int setup(void)
{
	vitk_odx_plan plan;
	int64_t host;

	memset(&plan, 0, sizeof(plan));
	if (vitk_inventory_open(&inv, ":memory:", 0) < 0 || vitk_odx_inventory_register(inv) < 0 ||
	    vitk_inventory_host_ensure(inv, "h", "m", "linux", "local", &host) < 0)
		return -1;
	job.src = strdup("a");
	job.dst = strdup("b");
	return vitk_odx_job_start(inv, host, &job, &plan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t n1 = nul ? (size_t)(nul - data) : size;
	char *rej = calloc(1, n1 + 1), *fb = calloc(1, size - n1 + 1);
	vitk_odx_doc doc;

	if (!inv && setup() < 0)
		abort();
	if (rej && fb) {
		memcpy(rej, data, n1);
		if (nul)
			memcpy(fb, nul + 1, size - n1 - 1);
		vitk_inventory_value v[] = { VITK_INV_S("rejected", rej), VITK_INV_S("fallbacks", fb) };

		if (vitk_inventory_update(inv, "odx_job", job.id, v, 2) == 0) {
			if (vitk_odx_jobs_doc(&doc, inv, NULL, NULL) == 0)
				vitk_odx_doc_clear(&doc);
			if (vitk_odx_jobs_doc(&doc, inv, NULL, job.uuid) == 0)
				vitk_odx_doc_clear(&doc);
		}
	}
	free(rej);
	free(fb);
	return 0;
}
