/* SPDX-License-Identifier: MIT */
#ifndef VITK_ODX_INTERNAL_H
#define VITK_ODX_INTERNAL_H

#include <vitk/odx.h>
#include <vitk/sys/odx.h>

struct vitk_odx_dev {
	vitk_odx_dev_info info;
	vitk_scsi_transport *t;
	bool owns_transport;
	bool local;      /* a local device node (sg/sd/bsg) */
	char initiator[224];
	vitk_odx_session_open_fn open_session; /* NULL: no extra sessions */
	vitk_odx_session_close_fn close_session;
	void *session_payload;
	char *name;
	/* the storage behind info's strings */
	char vendor[9], product[17], revision[5], serial[65];
	char copy_manager[256];
	char proc_root[256];
	char sys_root[256];
};

#define ODX_TIMEOUT_SHORT_MS 60000u
#define ODX_TIMEOUT_LONG_MS 600000u
#define ODX_UA_RETRIES 5
#define ODX_BUSY_RETRIES 10
#define ODX_LID_RETRIES 10

/*
 * Send a command with UNIT ATTENTION / BUSY retries.  Return 0 with @res
 * holding the final status (GOOD or CHECK CONDITION), or a negative
 * transport error.
 */
int vitk_odx__exec(vitk_odx_dev *d, const uint8_t *cdb, size_t cdb_len, void *din, size_t din_len,
		   const void *dout, size_t dout_len, unsigned timeout_ms, vitk_scsi_result *res);

/* vitk_odx__exec + any non-GOOD status becomes VITK_ESCSI with a message "<dev>: <what>: ..." */
int vitk_odx__exec_ok(vitk_odx_dev *d, const char *what, const uint8_t *cdb, size_t cdb_len,
		      void *din, size_t din_len, const void *dout, size_t dout_len,
		      unsigned timeout_ms, vitk_scsi_result *res);

/* describe a check condition: "ILLEGAL REQUEST, invalid field in cdb (ASC 24h/00h)" */
void vitk_odx__describe(char *buf, size_t len, const vitk_scsi_result *res);

void vitk_odx__sleep_ms(unsigned ms);

#endif
