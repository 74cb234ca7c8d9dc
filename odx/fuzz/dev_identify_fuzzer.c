/* SPDX-License-Identifier: MIT */
/*
 * A device that answers every command with bytes from the fuzz input: the
 * whole identify conversation (INQUIRY, VPD pages, READ CAPACITY(16), RCOP)
 * and a planned copy must fail cleanly or succeed, never crash.
 * Input: a sequence of records {status(1), len(2, BE), bytes[len]}, one per
 * command; when the input runs out every command gets CHECK CONDITION.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include <vitk/odx.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct feed {
	const uint8_t *p;
	size_t left;
};

static int submit(void *self, const uint8_t *cdb, size_t cdb_len, void *din, size_t din_len,
		  size_t *din_got, const void *dout, size_t dout_len, uint8_t *sense,
		  size_t *sense_len, uint8_t *status, unsigned timeout_ms)
{
	struct feed *f = self;
	size_t n;

	(void)cdb;
	(void)cdb_len;
	(void)dout;
	(void)dout_len;
	(void)timeout_ms;
	*din_got = 0;
	if (f->left < 3) {
		*status = 2;
		*sense_len = vitk_scsi_sense_build_fixed(sense, *sense_len, 5, 0x20, 0);
		return 0;
	}
	*status = f->p[0];
	n = vitk_get_be16(f->p + 1);
	f->p += 3;
	f->left -= 3;
	if (n > f->left)
		n = f->left;
	if (*status == 2) {
		size_t s = n < *sense_len ? n : *sense_len;

		memcpy(sense, f->p, s);
		*sense_len = s;
	} else {
		size_t d = n < din_len ? n : din_len;

		memcpy(din, f->p, d);
		*din_got = d;
		*sense_len = 0;
	}
	f->p += n;
	f->left -= n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed f = { data, size };
	vitk_scsi_transport t = { .submit = submit, .self = &f, .kind = "fuzz" };
	vitk_odx_dev *d = NULL;

	if (vitk_odx_dev_open_with_transport(&d, &t, "fuzz", "cm", NULL) == 0) {
		vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
		vitk_odx_plan p;

		o.count = 1;
		o.dst_lba = vitk_odx_dev_get_info(d)->blocks - 1;
		(void)vitk_odx_plan_make(&p, d, d, &o);
		vitk_odx_plan_clear(&p);
		vitk_odx_dev_free(d);
	}
	return 0;
}
