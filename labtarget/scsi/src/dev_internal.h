/* SPDX-License-Identifier: MIT */
/*
 * Private to //labtarget/scsi: the device and LUN objects, the sense
 * helpers and the pure third-party-copy parameter-list parsers.
 */
#ifndef VITK_LABTARGET_DEV_INTERNAL_H
#define VITK_LABTARGET_DEV_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitk/array.h>
#include <vitk/scsi_constants.h>

#include "labtarget/scsi/cdb.h"
#include "labtarget/scsi/scsi_device.h"

/* A sense triple produced by the pure parsers. */
typedef struct {
	uint8_t key;
	uint16_t asc;  /* asc << 8 | ascq */
	int32_t field; /* byte of the parameter list at fault (sense-key specific), -1: none */
} tpc_sense;

/* SBC-4 thin provisioning: a write the LUN cannot allocate space for */
#define TGT_ASC_SPACE_ALLOC_FAILED_WP 0x2707

/* ---- copy manager limits (advertised in RCOP and VPD 0x8F) ---- */
#define TPC_MAX_CSCD 16
#define TPC_MAX_SEGMENTS 64
#define TPC_MAX_DESC_LIST_LEN 4096
#define TPC_MAX_SEGMENT_LEN (256u * 1024 * 1024)
#define TPC_MAX_RANGES 64
#define TPC_MAX_TOKEN_BLOCKS_BYTES (1ull << 36) /* 64 GiB per token */
#define TPC_OPTIMAL_TRANSFER_BYTES (64ull * 1024 * 1024)
#define TPC_DEFAULT_INACTIVITY_S 60
#define TPC_MAX_INACTIVITY_S 3600
#define TPC_MAX_TOKENS 1024
#define TPC_TOKENS_PER_NEXUS 128 /* default quota of live tokens per I_T nexus */

/* ---- parsed EXTENDED COPY(LID1) list ---- */
typedef struct {
	uint8_t type;       /* 0xE4 */
	uint8_t lu_id_type; /* bits 7-6 of byte 1 */
	bool nul;
	uint8_t pdt;
	uint8_t code_set, assoc, desig_type, desig_len;
	uint8_t desig[20];
	bool pad;
	uint32_t block_len;
} tpc_cscd;

typedef struct {
	uint8_t type; /* 0x02 or 0x0A */
	bool dc, cat;
	uint16_t src, dst; /* CSCD indexes */
	uint32_t count;    /* blocks (0x02) or bytes (0x0A) */
	uint64_t src_lba, dst_lba;
	uint16_t src_off, dst_off; /* byte offsets (0x0A) */
} tpc_seg;

typedef struct {
	uint8_t list_id;
	uint8_t list_id_usage; /* 0 hold, 2 discard, 3 none */
	uint8_t priority;
	bool str;
	size_t ncscd, nseg;
	tpc_cscd cscd[TPC_MAX_CSCD];
	tpc_seg seg[TPC_MAX_SEGMENTS];
} tpc_xcopy_list;

typedef struct {
	uint64_t lba;
	uint32_t nblocks;
} tpc_range;

typedef struct {
	bool immed, rtv;
	uint32_t inactivity_s;
	uint32_t rod_type;
	size_t nranges;
	tpc_range ranges[TPC_MAX_RANGES];
} tpc_pt_list;

typedef struct {
	bool immed, del_tkn;
	uint64_t offset; /* blocks into the ROD */
	uint8_t token[VITK_SCSI_ROD_TOKEN_LEN];
	size_t nranges;
	tpc_range ranges[TPC_MAX_RANGES];
} tpc_wut_list;

/*
 * Pure parsers of the parameter lists the initiator sends.  @p/@len are the
 * Data-Out bytes actually received (already capped to the CDB's parameter
 * list length).  Return 0, or -1 with *err set to the sense to report.
 */
int tpc__parse_xcopy(const uint8_t *p, size_t len, tpc_xcopy_list *out, tpc_sense *err);
int tpc__parse_pt(const uint8_t *p, size_t len, size_t max_ranges, tpc_pt_list *out,
		  tpc_sense *err);
int tpc__parse_wut(const uint8_t *p, size_t len, size_t max_ranges, tpc_wut_list *out,
		   tpc_sense *err);

/* ---- device objects ---- */
/* unit attentions queued per I_T nexus and LUN (SAM-5 5.14) */
#define TGT_UA_QUEUE 4
typedef struct tgt_snap tgt_snap;

typedef struct tgt_lun {
	unsigned lun;
	char *path;
	int fd;
	uint64_t size;
	uint64_t nblocks;
	uint32_t bs;
	unsigned bs_shift;
	bool ro;
	bool is_blockdev;
	unsigned lbppbe;  /* logical blocks per physical block exponent (512e: 3) */
	bool sanitize;    /* SANITIZE enabled for this LUN */
	struct san_state *san; /* its sanitize operation (sanitize.c); NULL without SANITIZE */
	bool swp;         /* Control mode page SWP: software write protect (atomic access) */
	tgt_snap *snap; /* token snapshot store; NULL: tokens are revoked by writes */
	char **allow; /* LUN masking: initiator names that see the LUN; nallow 0: all */
	size_t nallow;
	uint8_t naa[16];
	char serial[33];
	tgt_lun_stats stats; /* under dev->lock */
	struct tgt_pr *pr;   /* reservations (pr.c) */
	pthread_mutex_t caw_lock;
	bool prevent;
	/* I_T nexuses seen on this LUN and their pending unit attentions, oldest
	 * first, reported one per command (ua.c) */
	size_t nnexus;
	struct {
		uint64_t nexus;
		uint8_t nua;
		uint16_t ua[TGT_UA_QUEUE];
	} nexus[64];
} tgt_lun;

struct tpc_token;
struct tpc_op;

struct tgt_device {
	pthread_mutex_t lock; /* tokens, ops, stats */
	char *iqn;
	tgt_device_options opts;
	uint32_t ito_default, ito_max;
	VITK_ARRAY(tgt_lun *) luns; /* ascending LUN number */
	struct tpc_token *tokens;
	size_t ntokens;
	uint64_t token_seq;
	uint8_t token_secret[16];
	struct tpc_op *ops;
	uint64_t op_seq;
	bool shutting_down;
	uint64_t (*now_ns)(void); /* monotonic clock; tests substitute a fake */
	/* tests only: called before each chunk a WRITE USING TOKEN or an
	 * EXTENDED COPY moves (at its cancellation point) */
	void (*chunk_hook)(void *arg);
	void *chunk_hook_arg;
	/* tests only: a write seam; a negative errno fails the write of the
	 * block commands at byte @off of @l before it reaches the file */
	int (*write_fault)(void *arg, const tgt_lun *l, uint64_t off);
	void *write_fault_arg;
};

/* sense.c (leaf): how a command ends -- sense data, Data-In */
void sense__set(tgt_cmd *cmd, uint8_t key, uint16_t asc); /* asc: ASC << 8 | ASCQ */
/* ... with the INFORMATION field set to @info (UINT64_MAX: none) */
void sense__info(tgt_cmd *cmd, uint8_t key, uint16_t asc, uint64_t info);
/* ILLEGAL REQUEST with a sense-key specific field pointer: @in_cdb selects
 * INVALID FIELD IN CDB vs PARAMETER LIST; @bit is 0-7, or -1 for none */
void sense__field(tgt_cmd *cmd, uint16_t asc, bool in_cdb, uint16_t byte, int bit);
void sense__invalid_cdb(tgt_cmd *cmd, uint16_t byte, int bit);
/* A failed write to the backing file (@err a negative errno) as sense, and
 * one log line with the LUN, LBA and errno: ENOSPC/EDQUOT on a file (a thin
 * LUN out of space) is DATA PROTECT, SPACE ALLOCATION FAILED WRITE PROTECT
 * (SBC-4, thin provisioning: resource exhaustion); anything else MEDIUM
 * ERROR, WRITE ERROR */
void sense__write_failed(tgt_cmd *cmd, const tgt_lun *l, uint64_t lba, int err);
/* ... and a failed read: MEDIUM ERROR, UNRECOVERED READ ERROR, logged the same way */
void sense__read_failed(tgt_cmd *cmd, const tgt_lun *l, uint64_t lba, int err);
/* Data-In: @len bytes of @buf, capped to the allocation length and din_cap */
void sense__put_din(tgt_cmd *cmd, const uint8_t *buf, size_t len, size_t alloc);

/* lun.c (leaf): the LUN's NAA designator (4-byte header + 16), data movement
 * inside the target (FICLONERANGE, copy_file_range, hole punching) */
void lun__naa_designator(uint8_t *out20, const tgt_lun *l);

/* one end of a data movement: a LUN's backing file or a token snapshot store */
typedef struct {
	int fd;
	bool is_blockdev;
} lun_file;

/* how the bytes of a data movement were moved (tgt_lun_stats, --stats) */
typedef struct {
	uint64_t cloned; /* extents shared with FICLONERANGE */
	uint64_t copied; /* data copied: copy_file_range or read/write */
	uint64_t zeroed; /* holes punched (or zeroes written) for source holes */
} lun_moved;

lun_file lun__file(const tgt_lun *l);
/* [so, so+len) of @s to [dof, dof+len) of @t; adds to *@m.  0 or -errno.
 * Writes nothing outside the destination range. */
int lun__move(const lun_file *s, uint64_t so, const lun_file *t, uint64_t dof, uint64_t len,
	      lun_moved *m);
int lun__copy_range(tgt_lun *src, uint64_t src_off, tgt_lun *dst, uint64_t dst_off,
		    uint64_t len, lun_moved *m);
int lun__zero_range(tgt_lun *l, uint64_t off, uint64_t len);
/* LUN masking: may @initiator (NULL: unnamed) see @l? */
bool lun__visible(const tgt_lun *l, const char *initiator);

/*
 * snap.c (leaf): a LUN's token snapshot store, an unnamed file next to the
 * backing file.  Regions start on SNAP_ALIGN bytes and are reference counted:
 * reserve() returns one held once; the last put() punches it out.
 */
#define SNAP_ALIGN (1ull << 20)
int snap__open(tgt_snap **out, const char *lun_path); /* 0 or -errno */
void snap__close(tgt_snap *s);
bool snap__can_clone(tgt_snap *s); /* the filesystem shares extents (reflink) */
lun_file snap__file(const tgt_snap *s);
int snap__reserve(tgt_snap *s, uint64_t len, uint64_t *off);
void snap__hold(tgt_snap *s, uint64_t off);
void snap__put(tgt_snap *s, uint64_t off);

/*
 * ua.c (leaf): the unit attentions pending for the @i-th nexus of @l, oldest
 * first (SAM-5 5.14); dev->lock held.  ua__add queues @asc behind the
 * pending ones: a duplicate is merged with the one queued, a power-on or
 * reset (ASC 29h) clears the others, and with TGT_UA_QUEUE pending the new
 * one is dropped (the oldest are kept; they are reported first anyway).
 * ua__push(..., true) puts @asc ahead of them (a unit attention taken by a
 * command that was then aborted; full: the newest goes).
 */
void ua__add(tgt_lun *l, size_t i, uint16_t asc);
void ua__push(tgt_lun *l, size_t i, uint16_t asc, bool front);
/* the first pending (0: none), removed when @consume */
uint16_t ua__head(tgt_lun *l, size_t i, bool consume);
/* the index of @nexus in @l's nexus table, or @l->nnexus */
size_t ua__index(const tgt_lun *l, uint64_t nexus);

/* device.c */
tgt_lun *dev__find_lun(const tgt_device *d, uint64_t lun);
/* a LUN object for @cfg, not in the table yet (lun_change.c: @replacing) */
int dev__lun_open(tgt_device *d, const tgt_lun_config *cfg, bool replacing, tgt_lun **out);
void dev__lun_free(tgt_lun *l);
/* tpc.c: a background copy reads or writes @l (it cannot go now) */
bool tpc__lun_busy(tgt_device *d, const tgt_lun *l); /* dev->lock held */
/* tpc.c: @l leaves the device: its tokens and finished copy records go */
void tpc__lun_gone(tgt_device *d, const tgt_lun *l); /* dev->lock held */

/* tpc.c: a write to [lba, lba+n) of @l revokes overlapping tokens */
void tpc__revoke_overlap(tgt_device *d, const tgt_lun *l, uint64_t lba, uint64_t n);

/*
 * Command handlers, one per row of the descriptor table (labtarget/scsi/cdb.h,
 * dispatched by device.c).  Each returns after setting status/sense; @l is
 * NULL only for REPORT LUNS.
 */
typedef void tgt_handler(tgt_device *d, tgt_lun *l, tgt_cmd *cmd);
/* sbc.c */
tgt_handler sbc__test_unit_ready, sbc__read, sbc__write, sbc__write_verify, sbc__verify,
	sbc__sync_cache, sbc__prefetch, sbc__write_same, sbc__unmap, sbc__compare_and_write,
	sbc__read_capacity10, sbc__read_capacity16, sbc__get_lba_status, sbc__start_stop,
	sbc__prevent_allow;
/* spc.c */
tgt_handler spc__request_sense, spc__inquiry, spc__mode_sense, spc__report_luns, spc__rsoc,
	spc__report_tpgs;
/* tpc.c */
tgt_handler tpc__xcopy_lid1, tpc__populate_token, tpc__write_using_token, tpc__copy_abort,
	tpc__rcs_lid1, tpc__rcop, tpc__rcfd_lid1, tpc__rcs_lid4, tpc__rrti;

/* sanitize.c: SANITIZE and MODE SELECT (the Control page's SWP) */
tgt_handler san__sanitize, san__mode_select;
/* the LUN's sanitize state; @min_s: an operation lasts this long at least */
int san__lun_init(tgt_lun *l, tgt_device *d, uint32_t min_s);
void san__lun_stop(tgt_lun *l); /* end a running operation early, join its thread */
void san__lun_free(tgt_lun *l);
/* a sanitize operation in progress (or failed) answers @cmd instead of its
 * handler: true when @cmd has its status */
bool san__gate(tgt_device *d, tgt_lun *l, tgt_cmd *cmd);
/* tests only: wait until the operation ended (@work_only: its writes did);
 * false when @timeout_ms passed first */
bool san__wait(tgt_lun *l, bool work_only, unsigned timeout_ms);
/* spc.c: the Control mode page (12 bytes) as MODE SENSE returns it; pc 1: changeable */
size_t spc__page_control(uint8_t *p, uint8_t pc, const tgt_lun *l);

/* pr.c: persistent reservations and SPC-2 RESERVE/RELEASE */
tgt_handler pr__in, pr__out, pr__reserve, pr__release;
/* set up the LUN's reservation state (and load PATH.pr when present);
 * VITK_EINVAL for a damaged state file (the message names it and why) */
int pr__lun_init(tgt_lun *l);
void pr__lun_free(tgt_lun *l);
const char *pr__state_path(const tgt_lun *l);
void pr__lun_reset(tgt_lun *l);                 /* dev->lock NOT held */
void pr__nexus_gone(tgt_lun *l, uint64_t nexus); /* dev->lock NOT held */
/* RESERVATION CONFLICT for @cmd on its LUN (SPC-4 5.13.1 table 63)? */
bool pr__conflict(tgt_device *d, tgt_lun *l, const tgt_cmd *cmd);
/* may the copy manager, on behalf of @cmd's nexus, read/write @l? */
bool pr__copy_conflict(tgt_lun *l, const tgt_cmd *cmd, bool write);
/* the APTPL state file parser on @buf (fuzzing): 0 when it would load */
int pr__parse_state(const uint8_t *buf, size_t len);

void tpc__device_free(tgt_device *d);
void tpc__lun_reset(tgt_device *d, const tgt_lun *l);  /* dev->lock held */
void tpc__nexus_gone(tgt_device *d, uint64_t nexus);  /* dev->lock held */
size_t tpc__vpd_8f(const tgt_device *d, const tgt_lun *l, uint8_t *buf, size_t cap);

#endif
