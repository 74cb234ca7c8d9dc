/* SPDX-License-Identifier: MIT */
/*
 * vitk SCSI codec and transport seam (part of libvitk odx).
 *
 * Every builder and parser here is a pure function: bytes in, struct out
 * (or struct in, bytes out).  Parsers check every length against the buffer
 * they are given and fail with VITK_EINVAL and a message naming the page or
 * structure and the field.  Wire layouts: docs/scsi-third-party-copy.md
 * (SPC-4 / SBC-4).  All multi-byte fields are big-endian.
 */
#ifndef VITK_SCSI_H
#define VITK_SCSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitk/common.h>
#include <vitk/scsi_constants.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes, sense keys, ASC/ASCQ, opcodes, service actions, VPD and
 * third-party copy code points: <vitk/scsi_constants.h> (shared with the lab target). */

/* --------------------------------------------------------------- sense */

typedef struct {
	bool descriptor_format; /* response code 72h/73h */
	bool deferred;          /* 71h/73h */
	uint8_t response_code;
	uint8_t sense_key;
	uint8_t asc;
	uint8_t ascq;
	bool info_valid;
	uint64_t information;
	bool sks_valid;
	uint8_t sks[3];
} vitk_scsi_sense;

/**
 * vitk_scsi_sense_parse() - decode fixed (70h/71h) or descriptor (72h/73h)
 * format sense data.
 * Return: 0, or VITK_EINVAL naming the field when @buf is short or malformed.
 */
int vitk_scsi_sense_parse(vitk_scsi_sense *out, const uint8_t *buf, size_t len);

/**
 * vitk_scsi_sense_build_fixed() - write 18 bytes of fixed-format sense.
 * Return: the number of bytes written (18), or 0 if @cap < 18.
 */
size_t vitk_scsi_sense_build_fixed(uint8_t *buf, size_t cap, uint8_t key, uint8_t asc,
				   uint8_t ascq);

/** vitk_scsi_asc_str() - text for a copy-related or common ASC/ASCQ; NULL if unknown. */
const char *vitk_scsi_asc_str(uint8_t asc, uint8_t ascq);

/** vitk_scsi_sense_key_str() - "ILLEGAL REQUEST" etc.; never NULL. */
const char *vitk_scsi_sense_key_str(uint8_t key);

/* ---------------------------------------------------------- CDB builders */
/*
 * Each builder writes into @cdb (at least the returned number of bytes, 6 or
 * 16) and returns the CDB length, or VITK_EINVAL for out-of-range input.
 */
int vitk_scsi_cdb_inquiry(uint8_t cdb[6], bool evpd, uint8_t page, uint16_t alloc_len);
int vitk_scsi_cdb_read_capacity16(uint8_t cdb[16], uint32_t alloc_len);
int vitk_scsi_cdb_read16(uint8_t cdb[16], uint64_t lba, uint32_t blocks);
int vitk_scsi_cdb_write16(uint8_t cdb[16], uint64_t lba, uint32_t blocks);
int vitk_scsi_cdb_write_same16(uint8_t cdb[16], uint64_t lba, uint32_t blocks);
int vitk_scsi_cdb_extended_copy_lid1(uint8_t cdb[16], uint32_t param_len);
int vitk_scsi_cdb_populate_token(uint8_t cdb[16], uint32_t list_id, uint32_t param_len,
				 uint8_t group);
int vitk_scsi_cdb_write_using_token(uint8_t cdb[16], uint32_t list_id, uint32_t param_len,
				    uint8_t group);
int vitk_scsi_cdb_copy_operation_abort(uint8_t cdb[16], uint32_t list_id);
/* THIRD PARTY COPY IN: list id in byte 2 (1 byte) for sa <= 4, bytes 2-5 otherwise */
int vitk_scsi_cdb_receive_copy(uint8_t cdb[16], uint8_t sa, uint32_t list_id,
			       uint32_t alloc_len);

/* -------------------------------------------------- INQUIRY and VPD pages */

typedef struct {
	uint8_t peripheral_qualifier;
	uint8_t device_type;
	bool tpc; /* 3PC bit: byte 5 bit 3 */
	uint8_t version;
	char vendor[9];
	char product[17];
	char revision[5];
} vitk_scsi_inquiry;

/** Standard INQUIRY data (at least 8 bytes; identity strings when present, trimmed). */
int vitk_scsi_inquiry_parse(vitk_scsi_inquiry *out, const uint8_t *buf, size_t len);

#define VITK_SCSI_VPD_MAX_PAGES 64
typedef struct {
	uint8_t pages[VITK_SCSI_VPD_MAX_PAGES];
	size_t count;
} vitk_scsi_vpd_pages;

/** VPD 0x00 Supported VPD Pages. */
int vitk_scsi_vpd_pages_parse(vitk_scsi_vpd_pages *out, const uint8_t *buf, size_t len);
bool vitk_scsi_vpd_pages_has(const vitk_scsi_vpd_pages *p, uint8_t page);

/** VPD 0x80 Unit Serial Number into @out (NUL-terminated, trimmed, truncated to @cap-1). */
int vitk_scsi_vpd_serial_parse(char *out, size_t cap, const uint8_t *buf, size_t len);

typedef struct {
	bool found;
	uint8_t code_set;
	uint8_t association;
	uint8_t type;     /* VITK_SCSI_DESIG_* */
	uint8_t len;      /* designator length (<= 20 for CSCD use) */
	uint8_t raw[24];  /* the whole designation descriptor: 4-byte header + designator */
	char text[64];    /* hex for binary code set, the string for ASCII */
} vitk_scsi_designator;

/**
 * vitk_scsi_vpd_devid_parse() - VPD 0x83: pick the logical-unit designator
 * usable in an identification CSCD (association LU, length <= 20) with
 * preference NAA > EUI-64 > T10 > vendor.  out->found is false if none.
 */
int vitk_scsi_vpd_devid_parse(vitk_scsi_designator *out, const uint8_t *buf, size_t len);

typedef struct {
	uint32_t max_transfer_length;     /* blocks, 0 = not reported */
	uint32_t optimal_transfer_length; /* blocks */
	uint16_t optimal_transfer_granularity;
	uint32_t max_unmap_lba_count;
	uint64_t max_write_same_length; /* blocks */
} vitk_scsi_vpd_block_limits;

/** VPD 0xB0 Block Limits (fields past the page length are 0). */
int vitk_scsi_vpd_block_limits_parse(vitk_scsi_vpd_block_limits *out, const uint8_t *buf,
				     size_t len);

#define VITK_SCSI_TPC_MAX_ITEMS 32

typedef struct {
	uint32_t rod_type;
	bool ecpy_int, token_in, token_out;
	uint16_t preference;
} vitk_scsi_rod_type_desc;

typedef struct {
	bool has_rod_limits;
	uint16_t max_range_descriptors;
	uint32_t max_inactivity_timeout;
	uint32_t default_inactivity_timeout;
	uint64_t max_token_transfer_size; /* blocks */
	uint64_t optimal_transfer_count;  /* blocks */

	bool has_supported_cmds;
	uint32_t sa_out; /* bit n: THIRD PARTY COPY OUT (83h) service action n listed */
	uint32_t sa_in;  /* bit n: THIRD PARTY COPY IN (84h) service action n listed */

	bool has_param_data;
	uint16_t max_cscd_count;
	uint16_t max_segment_count;
	uint32_t max_desc_list_length;
	uint32_t max_inline_data_length;

	bool has_supported_descs;
	uint8_t descs[VITK_SCSI_TPC_MAX_ITEMS];
	size_t ndescs;

	bool has_cscd_ids;
	uint16_t cscd_ids[VITK_SCSI_TPC_MAX_ITEMS];
	size_t ncscd_ids;

	bool has_copy_group_id;
	uint8_t copy_group_id_len;
	uint8_t copy_group_id[32];

	bool has_rod_features;
	uint8_t remote_tokens;
	uint32_t min_token_lifetime;
	uint32_t max_token_lifetime;
	uint32_t max_token_inactivity_timeout;
	bool has_block_rod;
	uint16_t block_rod_granularity;
	uint64_t block_rod_max_bytes;
	uint64_t block_rod_optimal_bytes;

	bool has_rod_types;
	vitk_scsi_rod_type_desc rod_types[VITK_SCSI_TPC_MAX_ITEMS];
	size_t nrod_types;

	bool has_general_copy_ops;
	uint32_t total_concurrent_copies;
	uint32_t max_identified_concurrent_copies;
	uint32_t max_segment_length;
	uint8_t data_segment_granularity;
	uint8_t inline_data_granularity;

	bool has_stream_copy_ops;
	uint32_t max_stream_transfer_size;

	bool has_held_data;
	uint32_t held_data_limit;
	uint8_t held_data_granularity;

	size_t nunknown; /* descriptors of other types (skipped) */
} vitk_scsi_vpd_tpc;

/** VPD 0x8F Third-party Copy (SPC-4 7.8.17), the descriptor types in docs/scsi-third-party-copy.md. */
int vitk_scsi_vpd_tpc_parse(vitk_scsi_vpd_tpc *out, const uint8_t *buf, size_t len);
bool vitk_scsi_vpd_tpc_has_out(const vitk_scsi_vpd_tpc *t, uint8_t sa);
bool vitk_scsi_vpd_tpc_has_in(const vitk_scsi_vpd_tpc *t, uint8_t sa);

/* ------------------------------------------------------ READ CAPACITY(16) */

typedef struct {
	uint64_t last_lba;
	uint32_t block_size;
	bool prot_en;
	uint8_t lbppbe;
	bool lbpme, lbprz;
	uint16_t lowest_aligned_lba;
} vitk_scsi_capacity;

int vitk_scsi_capacity_parse(vitk_scsi_capacity *out, const uint8_t *buf, size_t len);

/* ------------------------------------------------------- EXTENDED COPY(LID1) */

#define VITK_SCSI_CSCD_LEN 32
#define VITK_SCSI_SEG02_LEN 28
#define VITK_SCSI_SEG0A_LEN 32
#define VITK_SCSI_XCOPY_HDR_LEN 16
#define VITK_SCSI_SEG02_MAX_BLOCKS 65535u

typedef struct {
	uint8_t type;           /* 0x02 (blocks) or 0x0A (bytes with offsets) */
	bool dc, cat;
	uint16_t src_index, dst_index;
	uint32_t count;         /* 0x02: blocks (<= 65535); 0x0A: bytes */
	uint64_t src_lba, dst_lba;
	uint16_t src_offset, dst_offset; /* 0x0A only */
} vitk_scsi_segment;

/**
 * vitk_scsi_cscd_e4_build() - a 32-byte identification CSCD (0xE4) for a
 * disk with designator @d and block size @block_size.
 * Return: 32, or VITK_EINVAL (no designator, designator too long, block size > 24 bits).
 */
int vitk_scsi_cscd_e4_build(uint8_t out[32], const vitk_scsi_designator *d, uint32_t block_size);

/**
 * vitk_scsi_xcopy_lid1_build() - EXTENDED COPY(LID1) parameter list: header,
 * @ncscd CSCDs of 32 bytes each (concatenated in @cscds), then @nseg segments.
 * Return: the number of bytes written, or VITK_EINVAL / VITK_ERANGE (@cap too small).
 */
int vitk_scsi_xcopy_lid1_build(uint8_t *out, size_t cap, uint8_t list_id, uint8_t list_id_usage,
			       uint8_t priority, const uint8_t *cscds, size_t ncscd,
			       const vitk_scsi_segment *segs, size_t nseg);

/** Parse a segment descriptor at @buf (02h or 0Ah) - for tests, fakes and fuzzing. */
int vitk_scsi_segment_parse(vitk_scsi_segment *out, const uint8_t *buf, size_t len);

typedef struct {
	bool snlid;
	uint16_t max_cscd_count;
	uint16_t max_segment_count;
	uint32_t max_desc_list_length;
	uint32_t max_segment_length; /* bytes; 0 = no limit */
	uint32_t max_inline_data_length;
	uint32_t held_data_limit;
	uint32_t max_stream_transfer_size;
	uint16_t total_concurrent_copies;
	uint8_t max_concurrent_copies;
	uint8_t data_segment_granularity; /* log2 */
	uint8_t inline_data_granularity;
	uint8_t held_data_granularity;
	uint8_t impl_descs[64];
	size_t nimpl_descs;
} vitk_scsi_rcop;

/** RECEIVE COPY OPERATING PARAMETERS response. */
int vitk_scsi_rcop_parse(vitk_scsi_rcop *out, const uint8_t *buf, size_t len);
bool vitk_scsi_rcop_has_desc(const vitk_scsi_rcop *r, uint8_t code);

typedef struct {
	bool hdd;
	uint8_t status; /* 0 in progress, 1 done ok, 2 done with errors */
	uint16_t segments_processed;
	uint8_t transfer_count_units;
	uint32_t transfer_count;
} vitk_scsi_rcs_lid1;

/** RECEIVE COPY STATUS(LID1) response. */
int vitk_scsi_rcs_lid1_parse(vitk_scsi_rcs_lid1 *out, const uint8_t *buf, size_t len);

typedef struct {
	uint8_t copy_status; /* SCSI status of the EXTENDED COPY */
	uint16_t sense_len;
	uint8_t sense[VITK_SCSI_SENSE_MAX];
} vitk_scsi_failure_details;

/** RECEIVE COPY FAILURE DETAILS(LID1) response. */
int vitk_scsi_failure_details_parse(vitk_scsi_failure_details *out, const uint8_t *buf,
				    size_t len);

/* ---------------------------------------------------------- ODX (token) */

typedef struct {
	uint64_t lba;
	uint32_t blocks;
} vitk_scsi_range;

#define VITK_SCSI_PT_HDR_LEN 16
#define VITK_SCSI_WUT_HDR_LEN 536
#define VITK_SCSI_RANGE_DESC_LEN 16

/**
 * vitk_scsi_populate_token_build() - POPULATE TOKEN parameter list.
 * @rod_type: 0 leaves RTV clear (the copy manager chooses)
 * @inactivity_timeout: seconds, 0 = device default
 * Range descriptors start at byte 16 (ddpt 0.97 writes them at 15: docs/scsi-third-party-copy.md).
 * Return: bytes written, VITK_EINVAL, VITK_ERANGE.
 */
int vitk_scsi_populate_token_build(uint8_t *out, size_t cap, bool immed, uint32_t rod_type,
				   uint32_t inactivity_timeout, const vitk_scsi_range *ranges,
				   size_t nranges);

/**
 * vitk_scsi_write_using_token_build() - WRITE USING TOKEN parameter list:
 * header, @offset_into_rod (blocks), the 512-byte @token, range descriptors from byte 536.
 */
int vitk_scsi_write_using_token_build(uint8_t *out, size_t cap, bool immed, bool del_tkn,
				      uint64_t offset_into_rod, const uint8_t token[512],
				      const vitk_scsi_range *ranges, size_t nranges);

/** Parse the range descriptors of a PT (@hdr_len 16) or WUT (@hdr_len 536) list (tests/fakes). */
int vitk_scsi_range_list_parse(vitk_scsi_range *out, size_t max, size_t *nout, const uint8_t *buf,
			       size_t len, size_t hdr_len);

typedef struct {
	uint8_t response_to_sa;
	uint8_t copy_status;
	uint16_t operation_counter;
	uint32_t status_update_delay_ms;
	uint8_t completion_status;
	uint8_t sense_len;
	uint8_t sense[VITK_SCSI_SENSE_MAX];
	uint8_t transfer_count_units;
	uint64_t transfer_count;
	uint16_t segments_processed;
	bool has_token;
	uint8_t token[VITK_SCSI_ROD_TOKEN_LEN];
} vitk_scsi_rrti;

/** RECEIVE ROD TOKEN INFORMATION (and RCS(LID4), which has no token) response. */
int vitk_scsi_rrti_parse(vitk_scsi_rrti *out, const uint8_t *buf, size_t len);
/** Copy status still in progress (10h-12h)? */
bool vitk_scsi_copy_status_in_progress(uint8_t status);

/**
 * vitk_scsi_transfer_count_blocks() - convert a TRANSFER COUNT in @units
 * (00h bytes, 01h-06h KiB..EiB, F1h logical blocks) to whole logical blocks
 * of @block_size, rounding down (a partial block counts as not done).
 * Return: 0, or VITK_EINVAL for an unknown unit or an overflowing count.
 */
int vitk_scsi_transfer_count_blocks(uint8_t units, uint64_t count, uint32_t block_size,
				    uint64_t *blocks);

/** Build an RRTI response (for fakes, tests and the fuzz corpus). Return: bytes, or < 0. */
int vitk_scsi_rrti_build(uint8_t *out, size_t cap, const vitk_scsi_rrti *in);

typedef struct {
	uint32_t rod_type;
	uint16_t token_length;
	uint64_t cm_token_id;
	uint8_t creator_cscd[32];
	uint64_t bytes_represented; /* low 64 bits of the 16-byte field */
	uint32_t block_size;        /* device-type-specific data @96, 0 if absent */
	bool is_zero_token;
} vitk_scsi_rod_token;

/** Parse a 512-byte ROD token (type and length @6 == 0x1F8 are checked). */
int vitk_scsi_rod_token_parse(vitk_scsi_rod_token *out, const uint8_t *buf, size_t len);
/** The block device zero ROD token (type FFFF0001h, length 1F8h, the rest zero). */
void vitk_scsi_rod_token_zero(uint8_t out[512]);
/** "point in time default" etc., "vendor specific", or "unknown". */
const char *vitk_scsi_rod_type_str(uint32_t rod_type);

/* --------------------------------------------------------- transport seam */

/*
 * The injectable device backend (tests use a scripted one, odx/tests/fake_scsi.h).
 * submit() sends one CDB.
 * It returns 0 when the command produced a SCSI status (GOOD or not: look at
 * *status and the sense), and a negative vitk_err only for transport
 * failures (connection lost, ioctl error), with vitk_error_last() set.
 * *din_got is how many Data-In bytes arrived; *sense_len is in/out (capacity
 * on input).  Only one of din/dout is non-empty per command.
 */
typedef struct vitk_scsi_transport {
	int (*submit)(void *self, const uint8_t *cdb, size_t cdb_len, void *din, size_t din_len,
		      size_t *din_got, const void *dout, size_t dout_len, uint8_t *sense,
		      size_t *sense_len, uint8_t *status, unsigned timeout_ms);
	void (*close)(void *self);
	void *self;
	const char *kind; /* "iscsi", "sg", "fake" */
	/* counters, maintained by vitk_scsi_exec() */
	uint64_t bytes_in;  /* Data-In bytes received */
	uint64_t bytes_out; /* Data-Out bytes sent */
	uint64_t commands;
} vitk_scsi_transport;

/** Result of one command sent with vitk_scsi_exec(). */
typedef struct {
	uint8_t status;
	size_t din_got;
	size_t sense_len;
	uint8_t sense[VITK_SCSI_SENSE_MAX];
	bool sense_ok;          /* sense parsed */
	vitk_scsi_sense sense_parsed;
} vitk_scsi_result;

/**
 * vitk_scsi_exec() - send one command through @t and count its bytes.
 * Return: 0 when the device returned a status (even CHECK CONDITION; see
 * @res), negative vitk_err on transport failure.
 */
int vitk_scsi_exec(vitk_scsi_transport *t, const uint8_t *cdb, size_t cdb_len, void *din,
		   size_t din_len, const void *dout, size_t dout_len, unsigned timeout_ms,
		   vitk_scsi_result *res);

/**
 * vitk_scsi_transport_open_iscsi() - libiscsi transport for
 * iscsi://[user[%pass]@]host[:port]/IQN/LUN.  Owned by the caller: close
 * with vitk_scsi_transport_free().
 */
int vitk_scsi_transport_open_iscsi(vitk_scsi_transport **out, const char *url,
				   const char *initiator_iqn);

/* "iqn.2026-01.org.vitk:<machine-id>": the default initiator name without open-iscsi's file */
#define VITK_SCSI_ISCSI_INITIATOR_PREFIX "iqn.2026-01.org.vitk"

/** How vitk_scsi_transport_open_iscsi_with() logs in. */
typedef struct {
	const char *initiator_iqn; /* NULL: vitk_scsi_iscsi_default_initiator(etc_root) */
	const char *etc_root;      /* NULL: "/etc" */
	const char *chap_secret;   /* NULL: the URL's password, else LIBISCSI_CHAP_PASSWORD */
	const char *target_user;   /* mutual CHAP: the name the target must prove (NULL: none,
				    * or the URL's ?target_user= / LIBISCSI_CHAP_TARGET_USERNAME) */
	const char *target_secret; /* its secret (NULL: LIBISCSI_CHAP_TARGET_PASSWORD) */
	unsigned timeout_s;        /* login and every command; 0: 30 s */
} vitk_scsi_iscsi_options;

/**
 * vitk_scsi_transport_open_iscsi_with() - log in with @o (NULL: defaults).
 * The login and every command have a deadline (@o->timeout_s); past it the
 * call fails with VITK_ETIMEDOUT ("target did not answer within N s") and
 * the session is unusable.  A closed connection fails with VITK_EIO.  With a
 * target user, the login fails unless the target proves that name (mutual
 * CHAP, RFC 7143 12.1.3).  Error messages never contain the URL's password.
 */
int vitk_scsi_transport_open_iscsi_with(vitk_scsi_transport **out, const char *url,
					const vitk_scsi_iscsi_options *o);

/**
 * vitk_scsi_iscsi_default_initiator() - this host's InitiatorName: the one in
 * @etc_root/iscsi/initiatorname.iscsi (open-iscsi's) when that file has a
 * valid one, else VITK_SCSI_ISCSI_INITIATOR_PREFIX ":" @etc_root/machine-id,
 * else (no machine-id, as in some containers) PREFIX ":host." the host name
 * (@etc_root/hostname; gethostname() when @etc_root is NULL), never
 * "localhost".  @etc_root: NULL for "/etc".  Return: 0 or VITK_ENOTFOUND.
 */
int vitk_scsi_iscsi_default_initiator(char *out, size_t len, const char *etc_root);

/**
 * vitk_scsi_url_redact() - @name as it may be shown and stored: an iscsi://
 * URL loses the password of its user part ("user%secret@" -> "user@") and
 * its target_password= argument; anything else is copied.  malloc'd; NULL
 * on out of memory.
 */
char *vitk_scsi_url_redact(const char *name);

/** vitk_scsi_transport_open_sg() - sg_pt transport for /dev/sgN, /dev/sdX, /dev/bsg/H:C:T:L. */
int vitk_scsi_transport_open_sg(vitk_scsi_transport **out, const char *path, bool read_only);

/** Close and free a transport opened by this library.  NULL ok. */
void vitk_scsi_transport_free(vitk_scsi_transport *t);

#ifdef __cplusplus
}
#endif

#endif /* VITK_SCSI_H */
