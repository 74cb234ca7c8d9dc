/* SPDX-License-Identifier: MIT */
/*
 * The seam between the lab target's iSCSI layer (iscsi_*.c) and its SCSI
 * device model + copy manager (src/device.c, sbc.c, spc.c, tpc.c).
 *
 * One tgt_device holds every LUN of one target so that EXTENDED COPY and
 * ROD tokens can move data between its LUNs.  tgt_device_exec() is
 * thread-safe: several connections may call it at once.
 */
#ifndef VITK_LABTARGET_SCSI_DEVICE_H
#define VITK_LABTARGET_SCSI_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tgt_device tgt_device;

typedef struct {
	const char *iqn;               /* target name; seeds NAA designators */
	uint64_t max_bytes_per_command; /* 0: no cap (ODX/XCOPY truncation knob) */
	uint32_t token_inactivity_default_s; /* 0: built-in default */
	uint32_t token_inactivity_max_s;     /* 0: built-in default */
	uint32_t tokens_per_nexus; /* live ROD tokens one I_T nexus may hold; 0: 128 */
	/* target ports (iSCSI portals), relative target port identifiers
	 * 1..target_ports, all in target port group 1 (implicit ALUA, every
	 * port active/optimized); 0: one port */
	uint16_t target_ports;
} tgt_device_options;

typedef struct {
	unsigned lun;
	const char *path;   /* backing file; created sparse when missing */
	uint64_t size;      /* bytes; 0: use the existing file's size */
	uint32_t block_size; /* 512 or 4096 */
	bool read_only;
	/* physical block size: 0 or @block_size, or 4096 on a 512-byte LUN
	 * (512e: READ CAPACITY(16) reports 8 logical blocks per physical block
	 * and the unmap granularity follows) */
	uint32_t phys_block_size;
	bool sanitize; /* SANITIZE is offered (it erases the whole LUN) */
	/* a sanitize operation lasts at least this long (seconds, at most
	 * TGT_SANITIZE_TIME_MAX), like a drive's; 0: as long as the erase */
	uint32_t sanitize_time_s;
	/* LUN masking: initiator names that see the LUN (copied); nallow 0:
	 * every initiator.  A masked LUN does not exist for the others. */
	const char *const *allow;
	size_t nallow;
	int tokens;          /* TGT_TOKENS_*: what a write does to the tokens of its LBAs */
} tgt_lun_config;

/*
 * Point in time for POPULATE TOKEN.  REVOKE: a write to a token's source
 * ranges revokes it.  SNAPSHOT: the ranges are saved (reflinked where the
 * filesystem can, else copied) into a hidden file next to the LUN and the
 * token survives writes.  AUTO: SNAPSHOT where the filesystem can reflink,
 * REVOKE elsewhere (ext4, block devices).
 */
#define TGT_SANITIZE_TIME_MAX 3600u

enum { TGT_TOKENS_AUTO = 0, TGT_TOKENS_REVOKE, TGT_TOKENS_SNAPSHOT };

/**
 * tgt_device_new() - create a device with no LUNs; @opts is copied.
 * Return: 0 with *out owned by the caller (release with tgt_device_free()),
 * or a negative vitk_err with vitk_error_last() set (missing iqn, default
 * inactivity timeout above the maximum).
 */
int tgt_device_new(tgt_device **out, const tgt_device_options *opts);
/**
 * tgt_device_add_lun() - open (or create sparse, when missing and @cfg->size
 * is set) the backing file and add the LUN.  The LUN table is not locked:
 * add LUNs before the first tgt_device_exec(), or while the caller makes
 * sure no tgt_device_exec() or task-management call runs (the iSCSI layer's
 * exec lock).
 * Return: 0; VITK_EINVAL for a size that is not a multiple of the block size,
 * a file larger than size=, a duplicate LUN or block size other than 512/4096;
 * VITK_EIO when the file cannot be opened/created/sized.  The message names
 * the LUN and the path.  A file created by a failed call is removed.
 */
int tgt_device_add_lun(tgt_device *d, const tgt_lun_config *cfg);
/*
 * LUNs changing while serving (a reload).  The same rule as for
 * tgt_device_add_lun(): no tgt_device_exec() or task-management call may run
 * meanwhile.  tgt_device_remove_lun(): the LUN, its ROD tokens and finished
 * copy records go.  tgt_device_replace_lun(): a new LUN object for @cfg takes
 * the place of @cfg->lun (a smaller size= cuts the backing file; reservations
 * that are not APTPL and tokens are dropped); the old one stays when the new
 * one cannot be opened.  Both: VITK_EBUSY while a background WRITE USING
 * TOKEN reads or writes the LUN, VITK_ENOTFOUND for an unknown LUN.
 * tgt_device_lun_grow(): the LUN grows in place to @size bytes (the file is
 * extended) and every I_T nexus that used it gets UNIT ATTENTION, CAPACITY
 * DATA HAS CHANGED (2Ah/09h); VITK_EINVAL for a smaller size.
 */
int tgt_device_remove_lun(tgt_device *d, unsigned lun);
int tgt_device_replace_lun(tgt_device *d, const tgt_lun_config *cfg);
int tgt_device_lun_grow(tgt_device *d, unsigned lun, uint64_t size);
/* tgt_device_lun_size() - the LUN's size in bytes, 0 for an unknown LUN */
uint64_t tgt_device_lun_size(const tgt_device *d, unsigned lun);
/** tgt_device_free() - abort and join background copies, close files; NULL ok. */
void tgt_device_free(tgt_device *d);
size_t tgt_device_lun_count(const tgt_device *d);
/* LUN numbers in ascending order, for REPORT LUNS at the iSCSI layer;
 * returns the total count (may exceed @max) */
size_t tgt_device_luns(const tgt_device *d, unsigned *out, size_t max);

/* an I_T nexus as reservations name it: initiator port and target port */
#define TGT_PR_MAX_PORTS 64
typedef struct tgt_port {
	char name[224]; /* iSCSI name, NUL-terminated */
	uint8_t isid[6];
	uint16_t rel_port; /* relative target port identifier (1..) */
} tgt_port;

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
	/* out: Data-In bytes the command had to return, before din_cap
	 * truncation (>= din_len); lets the iSCSI layer report residual overflow */
	size_t din_full;
	/* in: the relative target port identifier of the port the command
	 * came through (1..tgt_device_options.target_ports; 0: port 1) */
	uint16_t rel_port;
	/* in: identifies the I_T nexus (e.g. a per-session serial), so
	 * copy-operation list identifiers and their status are per nexus as SPC
	 * requires; 0 = unknown (all such commands share one namespace) */
	uint64_t nexus;
	/* in: the initiator's iSCSI name, for LUN masking; NULL: an unnamed
	 * initiator, which sees only the LUNs without an allow list */
	const char *initiator;
	/* in: the initiator port's ISID (6 bytes; NULL: zeros); with
	 * @initiator it names the I_T nexus that persistent reservations
	 * register (SPC-4 5.13, TransportID format 01b) */
	const uint8_t *isid;
	/* in/out: PERSISTENT RESERVE OUT PREEMPT AND ABORT (SPC-4 5.13.11.2.5).
	 * The caller supplies room for @preempted_cap initiator ports; when the
	 * command ends GOOD the device lists there, @npreempted of them, the I_T
	 * nexuses (initiator port + target port) whose registrations it removed.
	 * The caller then aborts every command of theirs on this LUN (SAM-5 5.6;
	 * the Control mode page says TAS = 0: no status for them) and calls
	 * tgt_device_commands_cleared() for each of their sessions.
	 * TGT_PR_MAX_PORTS entries are always enough. */
	tgt_port *preempted;
	size_t preempted_cap;
	size_t npreempted;
	/* in/out, atomic (__atomic_*): ABORT TASK of this command while another
	 * thread runs it.  The caller stores 1; a command with a clean
	 * cancellation point -- a foreground WRITE USING TOKEN or EXTENDED
	 * COPY, before each chunk of at most 64 MiB it moves (an EXTENDED COPY
	 * also between segments) -- stops there, having written the chunks
	 * before it only, stores 2 and ends COPY ABORTED.  Other commands run
	 * to their end and leave it 1. */
	int abort_req;
} tgt_cmd;


/*
 * Execute one SCSI command.  Always fills status/sense; returns 0 when a
 * SCSI status was produced (even CHECK CONDITION), negative only for
 * internal failures.
 */
int tgt_device_exec(tgt_device *d, tgt_cmd *cmd);

/* Per-LUN counters for `vitk odx serve --stats` and the shutdown summary. */
typedef struct {
	unsigned lun;
	uint64_t cmds_by_opcode[256];
	uint64_t bytes_read_wire;     /* Data-In */
	uint64_t bytes_written_wire;  /* Data-Out */
	uint64_t bytes_copied_internal; /* XCOPY/WUT data moved inside the target */
	/* how: bytes_cloned + bytes_copied + bytes_zeroed ==
	 * bytes_copied_internal + bytes_token_snapshot */
	uint64_t bytes_cloned;  /* extents shared (FICLONERANGE), no data written */
	uint64_t bytes_copied;  /* data copied (copy_file_range, read/write) */
	uint64_t bytes_zeroed;  /* zero token and source holes: deallocated */
	uint64_t bytes_token_snapshot; /* source ranges saved by POPULATE TOKEN */
	uint64_t tokens_created, tokens_used, tokens_expired;
} tgt_lun_stats;

/** tgt_device_stats() - a consistent snapshot.  Return: 0 or VITK_ENOTFOUND. */
int tgt_device_stats(const tgt_device *d, unsigned lun, tgt_lun_stats *out);

/*
 * Task management hooks.  tgt_device_lun_reset(): a LOGICAL UNIT
 * RESET (or, once per LUN, a TARGET WARM/COLD RESET) of @lun: running
 * background copies on it are aborted, PREVENT is released, and every I_T
 * nexus that has used the LUN gets a UNIT ATTENTION 29h/03h on its next
 * command (INQUIRY and REPORT LUNS do not consume it; REQUEST SENSE returns
 * it as sense data).
 * Return: 0, or VITK_ENOTFOUND for an unknown LUN.
 *
 * tgt_device_nexus_gone(): the I_T nexus @nexus ended (session logout or
 * connection loss); its unit attentions and finished copy-status records are
 * dropped, and its live ROD tokens no longer count against any quota: they
 * stay usable (a token may be written by another session) but are the first
 * to be cancelled when the token table is full.
 */
int tgt_device_lun_reset(tgt_device *d, unsigned lun);
/* tgt_device_lun_visible() - whether @initiator may see @lun (LUN masking);
 * false for a LUN that does not exist */
bool tgt_device_lun_visible(const tgt_device *d, unsigned lun, const char *initiator);
void tgt_device_nexus_gone(tgt_device *d, uint64_t nexus);
/* tgt_device_commands_cleared() - commands of I_T nexus @nexus on @lun were
 * aborted by another nexus (PREEMPT AND ABORT, TAS = 0): it gets UNIT
 * ATTENTION, COMMANDS CLEARED BY ANOTHER INITIATOR (2Fh/00h) there, after
 * a unit attention already pending (SAM-5 5.6, 5.14).  Return: 0, or
 * VITK_ENOTFOUND for an unknown LUN. */
int tgt_device_commands_cleared(tgt_device *d, unsigned lun, uint64_t nexus);
/* tgt_device_ua_restore() - a command that reported unit attention @asc
 * (ASC << 8 | ASCQ) to @nexus on @lun was aborted before its status went
 * out: the condition is pending again, ahead of any other.
 * Return: 0, or VITK_ENOTFOUND for an unknown LUN. */
int tgt_device_ua_restore(tgt_device *d, unsigned lun, uint64_t nexus, uint16_t asc);
/* tgt_device_luns_changed() - a LUN was added or removed while serving:
 * every I_T nexus that has used a LUN gets UNIT ATTENTION, REPORTED LUNS DATA
 * HAS CHANGED (3Fh/0Eh) there, after a pending unit attention (one deep) */
void tgt_device_luns_changed(tgt_device *d);

#ifdef __cplusplus
}
#endif

#endif
