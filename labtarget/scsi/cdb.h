/* SPDX-License-Identifier: MIT */
/*
 * The lab target's command descriptor table: every command the device model
 * implements, once, with its operation code, service action, CDB length,
 * data direction, transfer-length field, handler and the CDB usage data that
 * REPORT SUPPORTED OPERATION CODES returns (SPC-4 6.35).
 *
 * The table is the list TGT_COMMANDS below.  cdb.c expands it into
 * tgt_cdb_desc rows (everything but the handler), which the iSCSI layer
 * uses to size Data-Out and residuals without linking the device model;
 * the device model (src/device.c) expands the handler column of the same
 * list into the array it dispatches through, so row i of one is row i of
 * the other.  Rows are in ascending (opcode, service action) order, the
 * order RSOC reports them in.
 */
#ifndef VITK_LABTARGET_SCSI_CDB_H
#define VITK_LABTARGET_SCSI_CDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitk/scsi_constants.h>

#ifdef __cplusplus
extern "C" {
#endif

/* data direction */
enum { TGT_DIR_NONE = 0, TGT_DIR_IN = 1, TGT_DIR_OUT = 2 };
/* unit of the transfer-length field */
enum { TGT_UNIT_BYTES = 0, TGT_UNIT_BLOCKS = 1 };
/* special transfer-length rules */
enum {
	TGT_CDB_WRITE = 1 << 0,       /* a plain write: may be truncated to the blocks sent */
	TGT_CDB_ZERO_IS_256 = 1 << 1, /* 6-byte READ/WRITE: 0 blocks means 256 (SBC-4) */
	TGT_CDB_BYTCHK = 1 << 2,      /* VERIFY: Data-Out only if BYTCHK != 0; 11b = one block */
	TGT_CDB_ONE_BLOCK = 1 << 3,   /* WRITE SAME: one block unless UNMAP (or NDOB in 16) */
	TGT_CDB_TWICE = 1 << 4,       /* COMPARE AND WRITE: compare + write data */
};
#define TGT_NO_SA 0xFF /* the opcode has no service action */

/* operation codes the shared constants do not name (SPC-2, SPC-4, SBC-4) */
#define TGT_OP_MODE_SELECT6 0x15
#define TGT_OP_MODE_SELECT10 0x55
#define TGT_OP_RESERVE6 0x16
#define TGT_OP_RELEASE6 0x17
#define TGT_OP_SANITIZE 0x48
#define TGT_OP_RESERVE10 0x56
#define TGT_OP_RELEASE10 0x57
#define TGT_OP_PERSISTENT_RESERVE_IN 0x5E
#define TGT_OP_PERSISTENT_RESERVE_OUT 0x5F
/* SANITIZE: rows shown by RSOC only on LUNs configured with it */
#define TGT_SANITIZE(X, sa, name) \
	X(TGT_OP_SANITIZE, sa, 10, TGT_DIR_OUT, 7, 2, TGT_UNIT_BYTES, 0, san__sanitize, name, \
	  ((0x80 | 0x20 | (sa)), 0, 0, 0, 0, 0, 0xff, 0xff, 0x00))
#define TGT_U_PRIN(sa) (sa, 0, 0, 0, 0, 0, 0xff, 0xff, 0x00)
#define TGT_U_PROUT(sa) (sa, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x00)
#define TGT_PRIN(X, sa, name) \
	X(TGT_OP_PERSISTENT_RESERVE_IN, sa, 10, TGT_DIR_IN, 7, 2, TGT_UNIT_BYTES, 0, pr__in, name, \
	  TGT_U_PRIN(sa))
#define TGT_PROUT(X, sa, name) \
	X(TGT_OP_PERSISTENT_RESERVE_OUT, sa, 10, TGT_DIR_OUT, 5, 4, TGT_UNIT_BYTES, 0, pr__out, \
	  name, TGT_U_PROUT(sa))

typedef struct {
	uint8_t op;
	uint8_t sa;      /* TGT_NO_SA, or CDB byte 1 bits 4-0 */
	uint8_t cdb_len;
	uint8_t dir;     /* TGT_DIR_* */
	uint8_t len_off; /* transfer-length field: first byte in the CDB ... */
	uint8_t len_size; /* ... and its width (1, 2 or 4); 0: fixed or no data */
	uint8_t unit;    /* TGT_UNIT_* */
	uint8_t flags;   /* TGT_CDB_* */
	const char *name;
	uint8_t usage[16]; /* CDB usage data for RSOC (byte 0 = opcode) */
} tgt_cdb_desc;

/* CDB usage data shapes from byte 1 (the bits each command honours, SPC-4 6.35) */
#define TGT_U_RW10(b1) (b1, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x00)
#define TGT_U_RW12(b1) (b1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00)
#define TGT_U_RW16(b1) \
	(b1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00)
#define TGT_U_SA16(sa, b2to5, b6to9, b10to13) \
	(sa, b2to5, b2to5, b2to5, b2to5, b6to9, b6to9, b6to9, b6to9, b10to13, b10to13, b10to13, \
	 b10to13, 0x00, 0x00)

/*
 * X(op, sa, cdb_len, dir, len_off, len_size, unit, flags, handler, name, usage)
 * usage: CDB usage data from byte 1 on (byte 0 is the opcode).
 * handler: void handler(tgt_device *, tgt_lun *, tgt_cmd *), see src/dev_internal.h.
 */
#define TGT_COMMANDS(X)                                                                             \
	X(VITK_SCSI_OP_TEST_UNIT_READY, TGT_NO_SA, 6, TGT_DIR_NONE, 0, 0, 0, 0,                     \
	  sbc__test_unit_ready, "TEST UNIT READY", (0, 0, 0, 0, 0x00))                        \
	X(VITK_SCSI_OP_REQUEST_SENSE, TGT_NO_SA, 6, TGT_DIR_IN, 4, 1, TGT_UNIT_BYTES, 0,            \
	  spc__request_sense, "REQUEST SENSE", (0x01, 0, 0, 0xff, 0x00))                      \
	X(VITK_SCSI_OP_READ6, TGT_NO_SA, 6, TGT_DIR_IN, 4, 1, TGT_UNIT_BLOCKS, TGT_CDB_ZERO_IS_256,  \
	  sbc__read, "READ(6)", (0x1f, 0xff, 0xff, 0xff, 0x00))                               \
	X(VITK_SCSI_OP_WRITE6, TGT_NO_SA, 6, TGT_DIR_OUT, 4, 1, TGT_UNIT_BLOCKS,                    \
	  TGT_CDB_WRITE | TGT_CDB_ZERO_IS_256, sbc__write, "WRITE(6)",                              \
	  (0x1f, 0xff, 0xff, 0xff, 0x00))                                                     \
	X(VITK_SCSI_OP_INQUIRY, TGT_NO_SA, 6, TGT_DIR_IN, 3, 2, TGT_UNIT_BYTES, 0, spc__inquiry,     \
	  "INQUIRY", (0x01, 0xff, 0xff, 0xff, 0x00))                                          \
	X(TGT_OP_MODE_SELECT6, TGT_NO_SA, 6, TGT_DIR_OUT, 4, 1, TGT_UNIT_BYTES, 0, san__mode_select, \
	  "MODE SELECT(6)", (0x11, 0, 0, 0xff, 0x00))                                         \
	X(TGT_OP_RESERVE6, TGT_NO_SA, 6, TGT_DIR_NONE, 0, 0, 0, 0, pr__reserve, "RESERVE(6)",       \
	  (0, 0, 0, 0, 0x00))                                                                 \
	X(TGT_OP_RELEASE6, TGT_NO_SA, 6, TGT_DIR_NONE, 0, 0, 0, 0, pr__release, "RELEASE(6)",       \
	  (0, 0, 0, 0, 0x00))                                                                 \
	X(VITK_SCSI_OP_MODE_SENSE6, TGT_NO_SA, 6, TGT_DIR_IN, 4, 1, TGT_UNIT_BYTES, 0,              \
	  spc__mode_sense, "MODE SENSE(6)", (0x08, 0xff, 0xff, 0xff, 0x00))                   \
	X(VITK_SCSI_OP_START_STOP_UNIT, TGT_NO_SA, 6, TGT_DIR_NONE, 0, 0, 0, 0, sbc__start_stop,    \
	  "START STOP UNIT", (0x01, 0x00, 0x0f, 0xf7, 0x00))                                  \
	X(VITK_SCSI_OP_PREVENT_ALLOW_MEDIUM_REMOVAL, TGT_NO_SA, 6, TGT_DIR_NONE, 0, 0, 0, 0,        \
	  sbc__prevent_allow, "PREVENT ALLOW MEDIUM REMOVAL", (0, 0, 0, 0x03, 0x00))          \
	X(VITK_SCSI_OP_READ_CAPACITY10, TGT_NO_SA, 10, TGT_DIR_IN, 0, 0, 0, 0,                      \
	  sbc__read_capacity10, "READ CAPACITY(10)",                                                \
	  (0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x01, 0x00))                                      \
	X(VITK_SCSI_OP_READ10, TGT_NO_SA, 10, TGT_DIR_IN, 7, 2, TGT_UNIT_BLOCKS, 0, sbc__read,      \
	  "READ(10)", TGT_U_RW10(0x18))                                                       \
	X(VITK_SCSI_OP_WRITE10, TGT_NO_SA, 10, TGT_DIR_OUT, 7, 2, TGT_UNIT_BLOCKS, TGT_CDB_WRITE,   \
	  sbc__write, "WRITE(10)", TGT_U_RW10(0x18))                                          \
	X(VITK_SCSI_OP_WRITE_AND_VERIFY10, TGT_NO_SA, 10, TGT_DIR_OUT, 7, 2, TGT_UNIT_BLOCKS,       \
	  TGT_CDB_WRITE, sbc__write_verify, "WRITE AND VERIFY(10)", TGT_U_RW10(0x12))         \
	X(VITK_SCSI_OP_VERIFY10, TGT_NO_SA, 10, TGT_DIR_OUT, 7, 2, TGT_UNIT_BLOCKS, TGT_CDB_BYTCHK, \
	  sbc__verify, "VERIFY(10)", TGT_U_RW10(0x16))                                        \
	X(VITK_SCSI_OP_PRE_FETCH10, TGT_NO_SA, 10, TGT_DIR_NONE, 0, 0, 0, 0, sbc__prefetch,         \
	  "PRE-FETCH(10)", TGT_U_RW10(0x02))                                                  \
	X(VITK_SCSI_OP_SYNCHRONIZE_CACHE10, TGT_NO_SA, 10, TGT_DIR_NONE, 0, 0, 0, 0,                \
	  sbc__sync_cache, "SYNCHRONIZE CACHE(10)", TGT_U_RW10(0x02))                         \
	X(VITK_SCSI_OP_WRITE_SAME10, TGT_NO_SA, 10, TGT_DIR_OUT, 0, 0, TGT_UNIT_BLOCKS,             \
	  TGT_CDB_ONE_BLOCK, sbc__write_same, "WRITE SAME(10)", TGT_U_RW10(0x08))             \
	X(VITK_SCSI_OP_UNMAP, TGT_NO_SA, 10, TGT_DIR_OUT, 7, 2, TGT_UNIT_BYTES, 0, sbc__unmap,      \
	  "UNMAP", (0, 0, 0, 0, 0, 0x1f, 0xff, 0xff, 0x00))                                   \
	TGT_SANITIZE(X, 0x01, "SANITIZE: OVERWRITE")                                                \
	TGT_SANITIZE(X, 0x02, "SANITIZE: BLOCK ERASE")                                              \
	TGT_SANITIZE(X, 0x03, "SANITIZE: CRYPTO ERASE")                                             \
	TGT_SANITIZE(X, 0x1f, "SANITIZE: EXIT FAILURE MODE")                                        \
	X(TGT_OP_MODE_SELECT10, TGT_NO_SA, 10, TGT_DIR_OUT, 7, 2, TGT_UNIT_BYTES, 0,                \
	  san__mode_select, "MODE SELECT(10)", (0x11, 0, 0, 0, 0, 0, 0xff, 0xff, 0x00))       \
	X(TGT_OP_RESERVE10, TGT_NO_SA, 10, TGT_DIR_NONE, 0, 0, 0, 0, pr__reserve, "RESERVE(10)",    \
	  (0, 0, 0, 0, 0, 0, 0, 0, 0x00))                                                     \
	X(TGT_OP_RELEASE10, TGT_NO_SA, 10, TGT_DIR_NONE, 0, 0, 0, 0, pr__release, "RELEASE(10)",    \
	  (0, 0, 0, 0, 0, 0, 0, 0, 0x00))                                                     \
	X(VITK_SCSI_OP_MODE_SENSE10, TGT_NO_SA, 10, TGT_DIR_IN, 7, 2, TGT_UNIT_BYTES, 0,            \
	  spc__mode_sense, "MODE SENSE(10)", (0x18, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, 0x00))   \
	TGT_PRIN(X, 0, "PERSISTENT RESERVE IN: READ KEYS")                                             \
	TGT_PRIN(X, 1, "PERSISTENT RESERVE IN: READ RESERVATION")                                      \
	TGT_PRIN(X, 2, "PERSISTENT RESERVE IN: REPORT CAPABILITIES")                                   \
	TGT_PRIN(X, 3, "PERSISTENT RESERVE IN: READ FULL STATUS")                                      \
	TGT_PROUT(X, 0, "PERSISTENT RESERVE OUT: REGISTER")                                            \
	TGT_PROUT(X, 1, "PERSISTENT RESERVE OUT: RESERVE")                                             \
	TGT_PROUT(X, 2, "PERSISTENT RESERVE OUT: RELEASE")                                             \
	TGT_PROUT(X, 3, "PERSISTENT RESERVE OUT: CLEAR")                                               \
	TGT_PROUT(X, 4, "PERSISTENT RESERVE OUT: PREEMPT")                                             \
	TGT_PROUT(X, 5, "PERSISTENT RESERVE OUT: PREEMPT AND ABORT")                                   \
	TGT_PROUT(X, 6, "PERSISTENT RESERVE OUT: REGISTER AND IGNORE EXISTING KEY")                    \
	TGT_PROUT(X, 7, "PERSISTENT RESERVE OUT: REGISTER AND MOVE")                                   \
	X(VITK_SCSI_OP_3PC_OUT, VITK_SCSI_SA_XCOPY_LID1, 16, TGT_DIR_OUT, 10, 4, TGT_UNIT_BYTES, 0, \
	  tpc__xcopy_lid1, "EXTENDED COPY(LID1)", TGT_U_SA16(0x00, 0x00, 0x00, 0xff))         \
	X(VITK_SCSI_OP_3PC_OUT, VITK_SCSI_SA_POPULATE_TOKEN, 16, TGT_DIR_OUT, 10, 4,                \
	  TGT_UNIT_BYTES, 0, tpc__populate_token, "POPULATE TOKEN",                                 \
	  (0x10, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00))     \
	X(VITK_SCSI_OP_3PC_OUT, VITK_SCSI_SA_WRITE_USING_TOKEN, 16, TGT_DIR_OUT, 10, 4,             \
	  TGT_UNIT_BYTES, 0, tpc__write_using_token, "WRITE USING TOKEN",                           \
	  (0x11, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00))     \
	X(VITK_SCSI_OP_3PC_OUT, VITK_SCSI_SA_COPY_OPERATION_ABORT, 16, TGT_DIR_NONE, 0, 0, 0, 0,    \
	  tpc__copy_abort, "COPY OPERATION ABORT", TGT_U_SA16(0x1c, 0xff, 0x00, 0x00))        \
	X(VITK_SCSI_OP_3PC_IN, VITK_SCSI_SA_RCS_LID1, 16, TGT_DIR_IN, 10, 4, TGT_UNIT_BYTES, 0,     \
	  tpc__rcs_lid1, "RECEIVE COPY STATUS(LID1)",                                               \
	  (0x00, 0xff, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0))                    \
	X(VITK_SCSI_OP_3PC_IN, VITK_SCSI_SA_RCOP, 16, TGT_DIR_IN, 10, 4, TGT_UNIT_BYTES, 0,         \
	  tpc__rcop, "RECEIVE COPY OPERATING PARAMETERS",                                           \
	  (0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0))                       \
	X(VITK_SCSI_OP_3PC_IN, VITK_SCSI_SA_RCFD_LID1, 16, TGT_DIR_IN, 10, 4, TGT_UNIT_BYTES, 0,    \
	  tpc__rcfd_lid1, "RECEIVE COPY FAILURE DETAILS(LID1)",                                     \
	  (0x04, 0xff, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0))                    \
	X(VITK_SCSI_OP_3PC_IN, VITK_SCSI_SA_RCS_LID4, 16, TGT_DIR_IN, 10, 4, TGT_UNIT_BYTES, 0,     \
	  tpc__rcs_lid4, "RECEIVE COPY STATUS(LID4)", TGT_U_SA16(0x05, 0xff, 0x00, 0xff))     \
	X(VITK_SCSI_OP_3PC_IN, VITK_SCSI_SA_RRTI, 16, TGT_DIR_IN, 10, 4, TGT_UNIT_BYTES, 0,         \
	  tpc__rrti, "RECEIVE ROD TOKEN INFORMATION", TGT_U_SA16(0x07, 0xff, 0x00, 0xff))     \
	X(VITK_SCSI_OP_READ16, TGT_NO_SA, 16, TGT_DIR_IN, 10, 4, TGT_UNIT_BLOCKS, 0, sbc__read,     \
	  "READ(16)", TGT_U_RW16(0x18))                                                       \
	X(VITK_SCSI_OP_COMPARE_AND_WRITE, TGT_NO_SA, 16, TGT_DIR_OUT, 13, 1, TGT_UNIT_BLOCKS,       \
	  TGT_CDB_TWICE, sbc__compare_and_write, "COMPARE AND WRITE",                               \
	  (0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0xff, 0x1f, 0x00))  \
	X(VITK_SCSI_OP_WRITE16, TGT_NO_SA, 16, TGT_DIR_OUT, 10, 4, TGT_UNIT_BLOCKS, TGT_CDB_WRITE,  \
	  sbc__write, "WRITE(16)", TGT_U_RW16(0x18))                                          \
	X(VITK_SCSI_OP_WRITE_AND_VERIFY16, TGT_NO_SA, 16, TGT_DIR_OUT, 10, 4, TGT_UNIT_BLOCKS,      \
	  TGT_CDB_WRITE, sbc__write_verify, "WRITE AND VERIFY(16)", TGT_U_RW16(0x12))         \
	X(VITK_SCSI_OP_VERIFY16, TGT_NO_SA, 16, TGT_DIR_OUT, 10, 4, TGT_UNIT_BLOCKS,                \
	  TGT_CDB_BYTCHK, sbc__verify, "VERIFY(16)", TGT_U_RW16(0x16))                        \
	X(VITK_SCSI_OP_PRE_FETCH16, TGT_NO_SA, 16, TGT_DIR_NONE, 0, 0, 0, 0, sbc__prefetch,         \
	  "PRE-FETCH(16)", TGT_U_RW16(0x02))                                                  \
	X(VITK_SCSI_OP_SYNCHRONIZE_CACHE16, TGT_NO_SA, 16, TGT_DIR_NONE, 0, 0, 0, 0,                \
	  sbc__sync_cache, "SYNCHRONIZE CACHE(16)", TGT_U_RW16(0x02))                         \
	X(VITK_SCSI_OP_WRITE_SAME16, TGT_NO_SA, 16, TGT_DIR_OUT, 0, 0, TGT_UNIT_BLOCKS,             \
	  TGT_CDB_ONE_BLOCK, sbc__write_same, "WRITE SAME(16)", TGT_U_RW16(0x09))             \
	X(VITK_SCSI_OP_SERVICE_ACTION_IN16, VITK_SCSI_SA_READ_CAPACITY16, 16, TGT_DIR_IN, 10, 4,    \
	  TGT_UNIT_BYTES, 0, sbc__read_capacity16, "READ CAPACITY(16)",                             \
	  (0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0))                       \
	X(VITK_SCSI_OP_SERVICE_ACTION_IN16, VITK_SCSI_SA_GET_LBA_STATUS, 16, TGT_DIR_IN, 10, 4,     \
	  TGT_UNIT_BYTES, 0, sbc__get_lba_status, "GET LBA STATUS",                                 \
	  (0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,   \
	   0))                                                                                      \
	X(VITK_SCSI_OP_REPORT_LUNS, TGT_NO_SA, 12, TGT_DIR_IN, 6, 4, TGT_UNIT_BYTES, 0,             \
	  spc__report_luns, "REPORT LUNS", (0, 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0x00)) \
	X(VITK_SCSI_OP_MAINTENANCE_IN, VITK_SCSI_SA_REPORT_SUPPORTED_OPCODES, 12, TGT_DIR_IN, 6, 4, \
	  TGT_UNIT_BYTES, 0, spc__rsoc, "REPORT SUPPORTED OPERATION CODES",                         \
	  (0x0c, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0x00))                    \
	X(VITK_SCSI_OP_READ12, TGT_NO_SA, 12, TGT_DIR_IN, 6, 4, TGT_UNIT_BLOCKS, 0, sbc__read,      \
	  "READ(12)", TGT_U_RW12(0x18))                                                       \
	X(VITK_SCSI_OP_WRITE12, TGT_NO_SA, 12, TGT_DIR_OUT, 6, 4, TGT_UNIT_BLOCKS, TGT_CDB_WRITE,   \
	  sbc__write, "WRITE(12)", TGT_U_RW12(0x18))                                          \
	X(VITK_SCSI_OP_WRITE_AND_VERIFY12, TGT_NO_SA, 12, TGT_DIR_OUT, 6, 4, TGT_UNIT_BLOCKS,       \
	  TGT_CDB_WRITE, sbc__write_verify, "WRITE AND VERIFY(12)", TGT_U_RW12(0x12))         \
	X(VITK_SCSI_OP_VERIFY12, TGT_NO_SA, 12, TGT_DIR_OUT, 6, 4, TGT_UNIT_BLOCKS, TGT_CDB_BYTCHK, \
	  sbc__verify, "VERIFY(12)", TGT_U_RW12(0x16))

/** The expanded table (ascending opcode, service action) and its length. */
const tgt_cdb_desc *tgt_cdb_table(size_t *n);

/** Index into tgt_cdb_table() of the command in @cdb; -1 if the opcode is unknown. */
#define TGT_CDB_UNKNOWN_OP (-1)
#define TGT_CDB_UNKNOWN_SA (-2) /* the opcode has service actions, this one is not supported */
#define TGT_CDB_SHORT (-3)      /* @len is shorter than the command's CDB */
int tgt_cdb_lookup(const uint8_t *cdb, size_t len);

/** Does the opcode take a service action (RSOC reporting options 1/2)? */
bool tgt_cdb_op_has_sa(uint8_t op);

/**
 * tgt_cdb_xfer_len() - bytes the command moves in its direction (Data-Out
 * for TGT_DIR_OUT, Data-In for TGT_DIR_IN), from its transfer-length field
 * and @block_size; 0 for no data or a fixed-size reply.
 */
uint64_t tgt_cdb_xfer_len(const tgt_cdb_desc *d, const uint8_t *cdb, uint32_t block_size);

/**
 * tgt_cdb_set_blocks() - rewrite a plain write's (TGT_CDB_WRITE)
 * transfer length to @blocks.  Return: false for any other command.
 */
bool tgt_cdb_set_blocks(const tgt_cdb_desc *d, uint8_t *cdb, uint32_t blocks);

/** How many bytes a command wants from the initiator (Data-Out), from its CDB; 0 if none. */
size_t tgt_cdb_dout_len(const uint8_t *cdb, size_t cdb_len, uint32_t block_size);

#ifdef __cplusplus
}
#endif

#endif
