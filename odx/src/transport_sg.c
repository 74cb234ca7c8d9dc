/* SPDX-License-Identifier: MIT */
/* The sg3_utils sg_pt transport: /dev/sgN, /dev/sdX, /dev/bsg/H:C:T:L. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <scsi/sg_pt.h>

#include <vitk/scsi.h>

struct sg_tr {
	vitk_scsi_transport t;
	int fd;
};

static int sg_submit(void *self, const uint8_t *cdb, size_t cdb_len, void *din, size_t din_len,
		     size_t *din_got, const void *dout, size_t dout_len, uint8_t *sense,
		     size_t *sense_len, uint8_t *status, unsigned timeout_ms)
{
	struct sg_tr *tr = self;
	struct sg_pt_base *pt = NULL;
	int r = 0, res, cat;
	size_t cap = *sense_len;

	*din_got = 0;
	*sense_len = 0;
	if (din_len > (size_t)INT32_MAX || dout_len > (size_t)INT32_MAX)
		return vitk_error_set(VITK_EINVAL, 0, "sg: transfer too large");
	pt = construct_scsi_pt_obj();
	if (!pt)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "sg: cannot allocate a pass-through object");
	set_scsi_pt_cdb(pt, cdb, (int)cdb_len);
	set_scsi_pt_sense(pt, sense, (int)cap);
	if (din_len)
		set_scsi_pt_data_in(pt, din, (int)din_len);
	if (dout_len)
		set_scsi_pt_data_out(pt, dout, (int)dout_len);
	res = do_scsi_pt(pt, tr->fd, timeout_ms ? (int)((timeout_ms + 999) / 1000) : 60, 0);
	if (res < 0) {
		r = vitk_error_set(VITK_EIO, -res, "sg: command 0x%02x failed", cdb[0]);
		goto out;
	}
	cat = get_scsi_pt_result_category(pt);
	if (cat == SCSI_PT_RESULT_TRANSPORT_ERR || cat == SCSI_PT_RESULT_OS_ERR) {
		r = vitk_error_set(VITK_EIO, get_scsi_pt_os_err(pt),
				   "sg: command 0x%02x: transport/OS error", cdb[0]);
		goto out;
	}
	*status = (uint8_t)get_scsi_pt_status_response(pt);
	*sense_len = (size_t)get_scsi_pt_sense_len(pt);
	if (din_len) {
		int resid = get_scsi_pt_resid(pt);

		*din_got = (resid > 0 && (size_t)resid <= din_len) ? din_len - (size_t)resid : din_len;
	}
out:
	destruct_scsi_pt_obj(pt);
	return r;
}

static void sg_close(void *self)
{
	struct sg_tr *tr = self;

	if (!tr)
		return;
	if (tr->fd >= 0)
		scsi_pt_close_device(tr->fd);
	free(tr);
}

int vitk_scsi_transport_open_sg(vitk_scsi_transport **out, const char *path, bool read_only)
{
	struct sg_tr *tr;
	int fd;

	*out = NULL;
	fd = scsi_pt_open_device(path, read_only, 0);
	if (fd < 0)
		return vitk_error_set(-fd == ENOENT ? VITK_ENOTFOUND : VITK_EIO, -fd,
				      "cannot open '%s'", path);
	tr = calloc(1, sizeof(*tr));
	if (!tr) {
		scsi_pt_close_device(fd);
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	tr->fd = fd;
	tr->t.submit = sg_submit;
	tr->t.close = sg_close;
	tr->t.self = tr;
	tr->t.kind = "sg";
	*out = &tr->t;
	return 0;
}
