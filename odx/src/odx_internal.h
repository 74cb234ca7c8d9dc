/* SPDX-License-Identifier: MIT */
#ifndef VITK_ODX_INTERNAL_H
#define VITK_ODX_INTERNAL_H

#include <vitk/inventory.h>
#include <vitk/odx.h>
#include <vitk/table.h>
#include <vitk/sys/odx.h>
#include <vitk/sys/odx_blk.h>

struct vitk_odx_dev {
	vitk_odx_dev_info info;
	vitk_scsi_transport *t;
	bool owns_transport;
	bool local;      /* a local device node (sg/sd/bsg) */
	char *initiator; /* NULL: the transport's default */
	vitk_odx_session_open_fn open_session; /* NULL: no extra sessions */
	vitk_odx_session_close_fn close_session;
	void *session_payload;
	char *name;      /* as shown and stored: an iscsi:// URL without its password */
	char *url;       /* as given (may hold a password): only to open more sessions */
	vitk_scsi_iscsi_options iscsi; /* how more sessions log in (owned strings) */
	unsigned timeout_ms; /* every command's deadline; 0: the engine's per-command ones */
	/* the storage behind info's strings */
	char vendor[9], product[17], revision[5], serial[65];
	char copy_manager[256];
	char *proc_root, *sys_root; /* owned */
};

#define ODX_TIMEOUT_SHORT_MS 60000u
#define ODX_TIMEOUT_LONG_MS 600000u
#define ODX_UA_RETRIES 5
#define ODX_BUSY_RETRIES 10
#define ODX_LID_RETRIES 10
#define ODX_WHY_MAX 256 /* a reason built while the engine runs (device messages are cut) */

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

/* result.c: the rejected methods and the fallbacks as JSON arrays (new references; NULL on OOM) */
json_t *vitk_odx__rejected_json(const vitk_odx_plan *p);
json_t *vitk_odx__fallbacks_json(const vitk_odx_copy_result *res);

/*
 * odx_inventory.c: the row of odx_job rows whose uuid starts with @id.
 * Return: 0, VITK_ENOTFOUND ("no copy job"), VITK_EINVAL ("ambiguous").
 */
int vitk_odx__job_find(const vitk_inventory_rows *rows, const char *id, size_t *hit);
/* the lease: is the owner process (host, pid, start time; or heartbeat) alive? */
bool vitk_odx__owner_alive(const char *host, int64_t pid, int64_t started, int64_t heartbeat);
/* row @i has result "running" and a live owner (else it was interrupted) */
bool vitk_odx__job_row_running(const vitk_inventory_rows *rows, size_t i);

/* a formatted string the caller frees; NULL on out-of-memory (recorded) */
char *vitk_odx__strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * blk_job.c: the resolved layers of a block-device job (odx_blk_layer): the
 * domain, the rows of one side (its layers, then a "map" row: size, block
 * size, sg node, a digest of the ranges) and, on resume, VITK_EINVAL naming
 * the first row that differs.
 */
int vitk_odx__blk_register(vitk_inventory *inv);
int vitk_odx__blk_layers_record(vitk_inventory *inv, int64_t host_id, const char *uuid,
				const char *side, const vitk_odx_blk_map *m, const char *top);
int vitk_odx__blk_layers_check(vitk_inventory *inv, const char *uuid, const char *side,
			       const vitk_odx_blk_map *m, const char *top);

#endif
