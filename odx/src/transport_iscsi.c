/* SPDX-License-Identifier: MIT */
/*
 * The libiscsi transport: iscsi://[user[%pass]@]host[:port]/IQN/LUN, no
 * kernel initiator needed.  Raw CDBs go through iscsi_scsi_command_sync().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include <vitk/scsi.h>


#define DEFAULT_INITIATOR "iqn.2026-01.org.vitk:initiator"

struct iscsi_tr {
	vitk_scsi_transport t; /* first: the public part */
	struct iscsi_context *ctx;
	int lun;
};

static int iscsi_submit(void *self, const uint8_t *cdb, size_t cdb_len, void *din, size_t din_len,
			size_t *din_got, const void *dout, size_t dout_len, uint8_t *sense,
			size_t *sense_len, uint8_t *status, unsigned timeout_ms)
{
	struct iscsi_tr *tr = self;
	struct scsi_task *task = NULL;
	struct iscsi_data data = { 0 };
	uint8_t cdbcopy[16];
	int dir = SCSI_XFER_NONE, xfer = 0, r = 0;
	size_t cap = *sense_len;

	*din_got = 0;
	*sense_len = 0;
	if (cdb_len > sizeof(cdbcopy) || din_len > (size_t)INT32_MAX || dout_len > (size_t)INT32_MAX)
		return vitk_error_set(VITK_EINVAL, 0, "iscsi: command too large");
	memcpy(cdbcopy, cdb, cdb_len);
	if (din_len) {
		dir = SCSI_XFER_READ;
		xfer = (int)din_len;
	} else if (dout_len) {
		dir = SCSI_XFER_WRITE;
		xfer = (int)dout_len;
	}
	task = scsi_create_task((int)cdb_len, cdbcopy, dir, xfer);
	if (!task)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "iscsi: cannot allocate a task");
	if (din_len && scsi_task_add_data_in_buffer(task, (int)din_len, din) != 0) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "iscsi: cannot add a data-in buffer");
		goto out;
	}
	if (dout_len) {
		data.size = dout_len;
		data.data = (unsigned char *)(uintptr_t)dout;
	}
	iscsi_set_timeout(tr->ctx, timeout_ms ? (int)((timeout_ms + 999) / 1000) : 0);
	if (!iscsi_scsi_command_sync(tr->ctx, tr->lun, task, dout_len ? &data : NULL)) {
		r = vitk_error_set(VITK_EIO, 0, "iscsi: command 0x%02x failed: %s", cdb[0],
				   iscsi_get_error(tr->ctx));
		/*
		 * The task may still sit in libiscsi's queues (connection lost in
		 * the middle): freeing it here could be a double free when the
		 * context is destroyed, so it is deliberately left to libiscsi.
		 */
		task = NULL;
		goto out;
	}
	if (task->status == SCSI_STATUS_CANCELLED || task->status == SCSI_STATUS_ERROR ||
	    task->status == SCSI_STATUS_TIMEOUT) {
		r = vitk_error_set(task->status == SCSI_STATUS_TIMEOUT ? VITK_ETIMEDOUT : VITK_EIO,
				   0, "iscsi: command 0x%02x: %s", cdb[0], iscsi_get_error(tr->ctx));
		goto out;
	}
	*status = (uint8_t)task->status;
	if (task->status == SCSI_STATUS_CHECK_CONDITION) {
		/* libiscsi keeps the raw sense (2-byte length prefix) in datain */
		if (task->datain.size >= 2 && task->datain.data) {
			size_t n = vitk_get_be16(task->datain.data);

			if (n > (size_t)task->datain.size - 2)
				n = (size_t)task->datain.size - 2;
			if (n > cap)
				n = cap;
			memcpy(sense, task->datain.data + 2, n);
			*sense_len = n;
		} else {
			*sense_len = vitk_scsi_sense_build_fixed(sense, cap, (uint8_t)task->sense.key,
								 (uint8_t)(task->sense.ascq >> 8),
								 (uint8_t)task->sense.ascq);
		}
	} else if (din_len) {
		size_t got = din_len;

		if (task->residual_status == SCSI_RESIDUAL_UNDERFLOW)
			got = task->residual <= din_len ? din_len - task->residual : 0;
		*din_got = got;
	}
out:
	if (task)
		scsi_free_scsi_task(task);
	return r;
}

static void iscsi_close(void *self)
{
	struct iscsi_tr *tr = self;

	if (!tr)
		return;
	if (tr->ctx) {
		iscsi_logout_sync(tr->ctx);
		iscsi_destroy_context(tr->ctx);
	}
	free(tr);
}

int vitk_scsi_transport_open_iscsi(vitk_scsi_transport **out, const char *url,
				   const char *initiator_iqn)
{
	struct iscsi_tr *tr = NULL;
	struct iscsi_url *u = NULL;
	int r = 0;

	*out = NULL;
	tr = calloc(1, sizeof(*tr));
	if (!tr)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	tr->ctx = iscsi_create_context(initiator_iqn ? initiator_iqn : DEFAULT_INITIATOR);
	if (!tr->ctx) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "iscsi: cannot create a context");
		goto out;
	}
	u = iscsi_parse_full_url(tr->ctx, url);
	if (!u) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s' is not an iscsi://host[:port]/IQN/LUN URL",
				   url);
		goto out;
	}
	iscsi_set_targetname(tr->ctx, u->target);
	iscsi_set_session_type(tr->ctx, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(tr->ctx, ISCSI_HEADER_DIGEST_NONE_CRC32C);
	if (u->user[0])
		iscsi_set_initiator_username_pwd(tr->ctx, u->user, u->passwd);
	if (iscsi_full_connect_sync(tr->ctx, u->portal, u->lun) != 0) {
		r = vitk_error_set(VITK_EIO, ECONNREFUSED, "iscsi: cannot log in to '%s' at %s: %s",
				   u->target, u->portal, iscsi_get_error(tr->ctx));
		goto out;
	}
	tr->lun = u->lun;
	tr->t.submit = iscsi_submit;
	tr->t.close = iscsi_close;
	tr->t.self = tr;
	tr->t.kind = "iscsi";
	*out = &tr->t;
	tr = NULL;
out:
	if (u)
		iscsi_destroy_url(u);
	if (tr)
		iscsi_close(tr);
	return r;
}
