/* SPDX-License-Identifier: MIT */
/*
 * The seam between the lab target's iSCSI layer (iscsi_*.c) and its SCSI
 * device model + copy manager (lu.c, copy_manager.c, ...).
 *
 * One tgt_device holds every LUN of one target so that EXTENDED COPY and
 * ROD tokens can move data between its LUNs.  tgt_device_exec() is
 * thread-safe: several connections may call it at once.
 */
#ifndef VITK_ODX_TARGET_SCSI_DEVICE_H
#define VITK_ODX_TARGET_SCSI_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tgt_device tgt_device;

typedef struct {
	const char *iqn;               /* target name; seeds NAA designators */
	uint64_t max_bytes_per_command; /* 0: no cap (ODX/XCOPY truncation knob) */
	uint32_t token_inactivity_default_s; /* 0: built-in default */
	uint32_t token_inactivity_max_s;     /* 0: built-in default */
} tgt_device_options;

typedef struct {
	unsigned lun;
	const char *path;   /* backing file; created sparse when missing */
	uint64_t size;      /* bytes; 0: use the existing file's size */
	uint32_t block_size; /* 512 or 4096 */
	bool read_only;
} tgt_lun_config;

/* Create; on error returns a negative vitk_err with vitk_error_last() set. */
int tgt_device_new(tgt_device **out, const tgt_device_options *opts);
int tgt_device_add_lun(tgt_device *d, const tgt_lun_config *cfg);
void tgt_device_free(tgt_device *d);
size_t tgt_device_lun_count(const tgt_device *d);
/* LUN numbers in ascending order, for REPORT LUNS at the iSCSI layer */
size_t tgt_device_luns(const tgt_device *d, unsigned *out, size_t max);

#define TGT_SENSE_MAX 252

typedef struct {
	/* in */
	uint64_t lun;
	const uint8_t *cdb;
	size_t cdb_len;
	const uint8_t *dout;  /* all Data-Out, collected by the iSCSI layer */
	size_t dout_len;
	uint8_t *din;         /* Data-In buffer supplied by the caller */
	size_t din_cap;       /* = initiator's expected data transfer length (capped) */
	/* out */
	size_t din_len;       /* bytes placed in din */
	uint8_t status;       /* SAM status: 0 GOOD, 2 CHECK CONDITION, 8 BUSY, 0x18 RESERVATION CONFLICT */
	uint8_t sense[TGT_SENSE_MAX];
	size_t sense_len;     /* fixed-format sense (0x70) unless stated otherwise */
	/* out (added): Data-In bytes the command had to return, before din_cap
	 * truncation (>= din_len); lets the iSCSI layer report residual overflow */
	size_t din_full;
} tgt_cmd;

/*
 * Execute one SCSI command.  Always fills status/sense; returns 0 when a
 * SCSI status was produced (even CHECK CONDITION), negative only for
 * internal failures.
 */
int tgt_device_exec(tgt_device *d, tgt_cmd *cmd);

/* How many bytes a command wants from the initiator (Data-Out), from its CDB; 0 if none. */
size_t tgt_cdb_dout_len(const uint8_t *cdb, size_t cdb_len, uint32_t block_size);

/* Per-LUN counters for `vitk odx serve --stats` and the shutdown summary. */
typedef struct {
	unsigned lun;
	uint64_t cmds_by_opcode[256];
	uint64_t bytes_read_wire;     /* Data-In */
	uint64_t bytes_written_wire;  /* Data-Out */
	uint64_t bytes_copied_internal; /* XCOPY/WUT data moved inside the target */
	uint64_t tokens_created, tokens_used, tokens_expired;
} tgt_lun_stats;

int tgt_device_stats(const tgt_device *d, unsigned lun, tgt_lun_stats *out);

#endif
