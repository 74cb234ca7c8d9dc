/* SPDX-License-Identifier: MIT */
/*
 * iSCSI PDU codec and login/text key=value parser (RFC 7143), pure functions
 * over bytes so they can be unit-tested and fuzzed without sockets.
 */
#ifndef VITK_ODX_TARGET_ISCSI_PDU_H
#define VITK_ODX_TARGET_ISCSI_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitk/array.h>

#define ISCSI_BHS_LEN 48
#define ISCSI_AHS_MAX (255u * 4u)
#define ISCSI_RSVD_TAG 0xffffffffu

/* initiator opcodes */
enum {
	ISCSI_OP_NOP_OUT = 0x00,
	ISCSI_OP_SCSI_CMD = 0x01,
	ISCSI_OP_TMF_REQ = 0x02,
	ISCSI_OP_LOGIN_REQ = 0x03,
	ISCSI_OP_TEXT_REQ = 0x04,
	ISCSI_OP_DATA_OUT = 0x05,
	ISCSI_OP_LOGOUT_REQ = 0x06,
	ISCSI_OP_SNACK = 0x10,
};

/* target opcodes */
enum {
	ISCSI_OP_NOP_IN = 0x20,
	ISCSI_OP_SCSI_RSP = 0x21,
	ISCSI_OP_TMF_RSP = 0x22,
	ISCSI_OP_LOGIN_RSP = 0x23,
	ISCSI_OP_TEXT_RSP = 0x24,
	ISCSI_OP_DATA_IN = 0x25,
	ISCSI_OP_LOGOUT_RSP = 0x26,
	ISCSI_OP_R2T = 0x31,
	ISCSI_OP_ASYNC = 0x32,
	ISCSI_OP_REJECT = 0x3f,
};

/* Reject reasons */
enum {
	ISCSI_REJECT_PROTOCOL_ERROR = 0x04,
	ISCSI_REJECT_CMD_NOT_SUPPORTED = 0x05,
	ISCSI_REJECT_INVALID_PDU_FIELD = 0x09,
};

/* Decoded Basic Header Segment: the fields common to every PDU. */
typedef struct {
	uint8_t opcode;       /* 6 bits */
	bool immediate;       /* I bit */
	bool final;           /* F bit (byte 1, bit 7) */
	uint8_t flags;        /* byte 1 */
	uint32_t ahs_len;     /* bytes (TotalAHSLength * 4) */
	uint32_t data_len;    /* DataSegmentLength, unpadded */
	uint64_t lun_raw;     /* bytes 8-15 */
	uint32_t itt;         /* bytes 16-19 */
	uint32_t ttt;         /* bytes 20-23 (opcode-specific) */
	uint32_t cmdsn;       /* bytes 24-27 */
	uint32_t expstatsn;   /* bytes 28-31 */
} iscsi_bhs;

/* Padding to a 4-byte boundary. */
static inline uint32_t iscsi_pad4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

/*
 * Decode a BHS.  Checks what a header alone can tell: a known initiator
 * opcode, and data_len <= @max_data_len.  Return: 0, or VITK_EINVAL with
 * the error record naming the field.
 */
int vitk_odx_target__bhs_parse(iscsi_bhs *out, const uint8_t *bhs, size_t len,
			       uint32_t max_data_len);

/*
 * Walk the AHS area; extract the extended-CDB AHS (type 1) if present.
 * @cdb receives the 16 BHS CDB bytes followed by the extension, @cdb_len
 * the total.  Return: 0 or VITK_EINVAL (malformed AHS).
 */
int vitk_odx_target__ahs_parse(const uint8_t *bhs, const uint8_t *ahs, size_t ahs_len,
			       uint8_t *cdb, size_t cdb_cap, size_t *cdb_len);

/* Decode an 8-byte LUN field (peripheral or flat addressing).  Return: 0 or VITK_EINVAL. */
int vitk_odx_target__lun_decode(uint64_t raw, unsigned *lun);
/* Encode LUN n the way REPORT LUNS and Data-In do (peripheral < 256, flat otherwise). */
uint64_t vitk_odx_target__lun_encode(unsigned lun);

/* Fill common target-PDU header fields. */
void vitk_odx_target__bhs_init(uint8_t *bhs, uint8_t opcode, uint8_t flags, uint32_t data_len,
			       uint32_t itt);

/* ---- key=value text ---- */

#define ISCSI_TEXT_MAX_PAIRS 64
#define ISCSI_TEXT_KEY_MAX 63
#define ISCSI_TEXT_VALUE_MAX 8192
#define ISCSI_TEXT_MAX_LEN 65536

typedef struct {
	const char *key; /* borrowed from the parsed buffer */
	const char *value;
} iscsi_kv;

typedef struct {
	char *buf; /* owned copy of the input, NULs where '=' was */
	iscsi_kv pairs[ISCSI_TEXT_MAX_PAIRS];
	size_t count;
} iscsi_text;

/*
 * Parse NUL-separated "key=value" pairs.  A trailing pair without a NUL
 * is accepted (some initiators omit it).  Empty entries are skipped.
 * Return: 0, or VITK_EINVAL (no '=', key too long/empty, value too long,
 * too many pairs, duplicate key), VITK_ENOMEM.
 */
int vitk_odx_target__text_parse(iscsi_text *out, const uint8_t *data, size_t len);
void vitk_odx_target__text_dispose(iscsi_text *t);
/* value of @key or NULL */
const char *vitk_odx_target__text_get(const iscsi_text *t, const char *key);

/* A growing output buffer of key=value\0 pairs, capped at ISCSI_TEXT_MAX_LEN. */
typedef struct {
	VITK_ARRAY(uint8_t) buf; /* ptr/size: the pairs so far */
	bool overflow;           /* a pair did not fit (or no memory): send nothing */
} iscsi_textbuf;

void vitk_odx_target__textbuf_add(iscsi_textbuf *b, const char *key, const char *value);
void vitk_odx_target__textbuf_dispose(iscsi_textbuf *b);

/* Serial number arithmetic (RFC 1982, 32 bits): a < b */
static inline bool iscsi_sn_lt(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(b - a) < 0x80000000u;
}

/* ---- digests ---- */

/*
 * CRC32C (Castagnoli) as iSCSI uses it: seed 0xffffffff, reflected, final
 * xor.  On the wire the 32-bit value goes least significant byte first.
 * Chain calls by passing the previous return value as @crc with
 * @first = false.
 */
uint32_t vitk_odx_target__crc32c(uint32_t crc, const void *buf, size_t len, bool first, bool last);

/* ---- CHAP ---- */

/* CHAP_R = MD5(id || secret || challenge) (RFC 1994).  Return: false when the
 * secret (> 256 bytes) or challenge (> 1024 bytes) is too long. */
bool vitk_odx_target__chap_response(uint8_t id, const char *secret, const uint8_t *challenge,
				    size_t challenge_len, uint8_t out[16]);
/* CHAP_R check: MD5(id || secret || challenge) == response. Return: true if equal. */
bool vitk_odx_target__chap_check(uint8_t id, const char *secret, const uint8_t *challenge,
				 size_t challenge_len, const uint8_t *response, size_t response_len);
/* Decode "0x..." hex or "0b..." base64 CHAP binary values. Return: bytes, or -1. */
int vitk_odx_target__chap_decode(const char *s, uint8_t *out, size_t cap);
/* MD5 of a buffer (for the unit test and chap_check) */
void vitk_odx_target__md5(const uint8_t *data, size_t len, uint8_t out[16]);

#endif
