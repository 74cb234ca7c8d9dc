/* SPDX-License-Identifier: MIT */
/* The transport seam: one place that sends a command and counts its bytes. */
#include <string.h>

#include <vitk/scsi.h>

int vitk_scsi_exec(vitk_scsi_transport *t, const uint8_t *cdb, size_t cdb_len, void *din,
		   size_t din_len, const void *dout, size_t dout_len, unsigned timeout_ms,
		   vitk_scsi_result *res)
{
	int r;

	memset(res, 0, sizeof(*res));
	res->sense_len = sizeof(res->sense);
	r = t->submit(t->self, cdb, cdb_len, din, din_len, &res->din_got, dout, dout_len,
		      res->sense, &res->sense_len, &res->status, timeout_ms);
	t->commands++;
	if (r < 0) {
		res->sense_len = 0;
		return r;
	}
	if (res->din_got > din_len)
		res->din_got = din_len;
	if (res->sense_len > sizeof(res->sense))
		res->sense_len = sizeof(res->sense);
	t->bytes_in += res->din_got;
	t->bytes_out += dout_len;
	if (res->status == VITK_SCSI_STATUS_CHECK_CONDITION && res->sense_len > 0) {
		if (vitk_scsi_sense_parse(&res->sense_parsed, res->sense, res->sense_len) == 0)
			res->sense_ok = true;
		else
			vitk_error_clear(); /* malformed sense: the caller reports the status */
	}
	return 0;
}

void vitk_scsi_transport_free(vitk_scsi_transport *t)
{
	if (!t)
		return;
	if (t->close)
		t->close(t->self);
}
