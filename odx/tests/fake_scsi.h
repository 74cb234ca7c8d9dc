/* SPDX-License-Identifier: MIT */
/*
 * A scripted SCSI device for odx unit tests (testonly, //odx:fake_scsi).
 *
 * Layer: the initiator's transport seam.  A fake_scsi is a
 * vitk_scsi_transport (<vitk/scsi.h>) that answers CDBs in memory, so the
 * odx codec, planner and engine run without sg or iSCSI.  It is the only
 * SCSI fake in the tree: the lab target's own tests (labtarget/) run the
 * real device model behind its iSCSI layer instead of a stand-in, and the
 * e2e tests run odx against the real target (`vitk odx serve`).
 *
 * Identification (INQUIRY, VPD pages, READ CAPACITY(16), RCOP) is answered
 * from the fake's configuration; READ(16)/WRITE(16)/WRITE SAME(16) act on an
 * in-memory disk.  Every other command (THIRD PARTY COPY OUT/IN) must match
 * the next entry of the script, byte for byte: CDB and, when given, the
 * Data-Out parameter list.  The first mismatch is recorded in ->failure.
 */
#ifndef VITK_ODX_TESTS_FAKE_SCSI_H
#define VITK_ODX_TESTS_FAKE_SCSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitk/scsi.h>

typedef struct fake_scsi fake_scsi;

typedef struct {
	uint8_t cdb[16];
	size_t cdb_len;           /* 16 */
	const uint8_t *dout;      /* expected Data-Out, NULL: not checked */
	size_t dout_len;
	const uint8_t *din;       /* Data-In returned */
	size_t din_len;
	uint8_t status;           /* 0 GOOD, 2 CHECK CONDITION, 8 BUSY */
	uint8_t key, asc, ascq;   /* sense for CHECK CONDITION */
	const uint8_t *raw_sense; /* if set: these sense bytes instead (malformed sense tests) */
	size_t raw_sense_len;
	/* side effect on success: copy blocks from another fake's disk (ODX/XCOPY) */
	fake_scsi *copy_from;
	uint64_t copy_src_lba, copy_dst_lba, copy_blocks;
	bool zero;                /* side effect: zero copy_dst_lba/copy_blocks */
} fake_scsi_cmd;

struct fake_scsi {
	vitk_scsi_transport t;
	/* identity */
	char vendor[9], product[17], serial[32];
	uint8_t naa[16];
	bool tpc;
	bool no_vpd;          /* VPD 0x00 fails */
	uint32_t block_size;
	uint64_t blocks;
	uint8_t vpd8f[1024];
	size_t vpd8f_len;     /* 0: page not listed */
	uint8_t rcop[64];
	size_t rcop_len;      /* 0: RCOP fails with ILLEGAL REQUEST */
	uint8_t vpdb0[64];
	size_t vpdb0_len;
	bool write_same_unsupported;
	uint64_t bad_lba;     /* READ(16) covering it: MEDIUM ERROR 11h/00h (0: none) */
	/* disk */
	uint8_t *disk;
	/* script */
	const fake_scsi_cmd *script;
	size_t nscript, pos;
	char failure[512];
	/* log of every CDB (opcode, service action) */
	uint8_t log[4096][16];
	size_t nlog;
	size_t reads, writes, write_sames;
};

/* a disk of @blocks x @block_size, disk filled with a per-LBA pattern */
void fake_scsi_init(fake_scsi *f, const char *serial, uint8_t naa_seed, uint32_t block_size,
		    uint64_t blocks);
void fake_scsi_dispose(fake_scsi *f);
/* typical ODX + XCOPY capable copy manager: 3PC, VPD 0x8F (mtts, otc), RCOP */
void fake_scsi_enable_3pc(fake_scsi *f, uint64_t max_token_transfer, uint64_t optimal,
			  uint32_t rcop_max_seg_len, uint16_t rcop_max_segs);
void fake_scsi_expect(fake_scsi *f, const fake_scsi_cmd *script, size_t n);
/* true when the script ran to the end without a mismatch */
bool fake_scsi_done(const fake_scsi *f);
/* the pattern byte stored at @lba/@off at init */
uint8_t fake_scsi_pattern(const fake_scsi *f, uint64_t lba, size_t off);
size_t fake_scsi_count_op(const fake_scsi *f, uint8_t op);
/*
 * Another "session" to the same device: same identity and disk (shared, not
 * copied), no script.  A vitk_odx_session_open_fn/close_fn pair for tests;
 * @payload is the fake_scsi to clone.
 */
int fake_scsi_session_open(void *payload, vitk_scsi_transport **out);
void fake_scsi_session_close(void *payload, vitk_scsi_transport *t);

#endif
