/* SPDX-License-Identifier: MIT */
/* iSCSI PDU codec, key=value text and CHAP helpers (RFC 7143, RFC 1994). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <vitk/common.h>
#include <vitk/error.h>

#include "iscsi_pdu.h"

static bool opcode_known(uint8_t op)
{
	switch (op) {
	case ISCSI_OP_NOP_OUT:
	case ISCSI_OP_SCSI_CMD:
	case ISCSI_OP_TMF_REQ:
	case ISCSI_OP_LOGIN_REQ:
	case ISCSI_OP_TEXT_REQ:
	case ISCSI_OP_DATA_OUT:
	case ISCSI_OP_LOGOUT_REQ:
	case ISCSI_OP_SNACK:
		return true;
	default:
		return false;
	}
}

int vitk_odx_target__bhs_parse(iscsi_bhs *out, const uint8_t *bhs, size_t len,
			       uint32_t max_data_len)
{
	memset(out, 0, sizeof(*out));
	if (len < ISCSI_BHS_LEN)
		return vitk_error_set(VITK_EINVAL, 0, "pdu: header is %zu bytes, need 48", len);
	out->immediate = (bhs[0] & 0x40) != 0;
	out->opcode = bhs[0] & 0x3f;
	out->flags = bhs[1];
	out->final = (bhs[1] & 0x80) != 0;
	out->ahs_len = (uint32_t)bhs[4] * 4u;
	out->data_len = vitk_get_be24(bhs + 5);
	out->lun_raw = vitk_get_be64(bhs + 8);
	out->itt = vitk_get_be32(bhs + 16);
	out->ttt = vitk_get_be32(bhs + 20);
	out->cmdsn = vitk_get_be32(bhs + 24);
	out->expstatsn = vitk_get_be32(bhs + 28);
	if (bhs[0] & 0x80)
		return vitk_error_set(VITK_EINVAL, 0, "pdu: reserved bit 7 of byte 0 is set");
	if (!opcode_known(out->opcode))
		return vitk_error_set(VITK_ENOTSUP, 0, "pdu: unknown opcode 0x%02x", out->opcode);
	if (out->data_len > max_data_len)
		return vitk_error_set(VITK_EINVAL, 0,
				      "pdu: DataSegmentLength %u exceeds MaxRecvDataSegmentLength %u",
				      out->data_len, max_data_len);
	return 0;
}

int vitk_odx_target__ahs_parse(const uint8_t *bhs, const uint8_t *ahs, size_t ahs_len,
			       uint8_t *cdb, size_t cdb_cap, size_t *cdb_len)
{
	size_t off = 0;

	if (cdb_cap < 16)
		return vitk_error_set(VITK_EINVAL, 0, "pdu: cdb buffer too small");
	memcpy(cdb, bhs + 32, 16);
	*cdb_len = 16;
	while (off < ahs_len) {
		size_t alen, total;
		uint8_t type;

		if (ahs_len - off < 4)
			return vitk_error_set(VITK_EINVAL, 0, "pdu: truncated AHS header");
		alen = vitk_get_be16(ahs + off);
		type = ahs[off + 2];
		/* AHSLength counts the bytes after the 3-byte length/type, padded to 4 */
		total = (size_t)iscsi_pad4((uint32_t)(alen + 3));
		if (alen == 0 || total > ahs_len - off)
			return vitk_error_set(VITK_EINVAL, 0, "pdu: AHSLength %zu overruns the AHS area",
					      alen);
		if (type == 1) {
			/* extended CDB: reserved byte + CDB bytes beyond 16 */
			size_t ext = alen - 1;

			if (*cdb_len != 16 || 16 + ext > cdb_cap)
				return vitk_error_set(VITK_EINVAL, 0,
						      "pdu: extended CDB of %zu bytes is too long", ext);
			memcpy(cdb + 16, ahs + off + 4, ext);
			*cdb_len = 16 + ext;
		} else if (type != 2) {
			return vitk_error_set(VITK_EINVAL, 0, "pdu: unknown AHSType %u", type);
		}
		off += total;
	}
	return 0;
}

int vitk_odx_target__lun_decode(uint64_t raw, unsigned *lun)
{
	uint8_t b0 = (uint8_t)(raw >> 56), b1 = (uint8_t)(raw >> 48);

	if ((raw & 0x0000ffffffffffffull) != 0)
		goto bad;
	switch (b0 >> 6) {
	case 0: /* peripheral device addressing, bus 0 */
		if (b0 != 0)
			goto bad;
		*lun = b1;
		return 0;
	case 1: /* flat space addressing */
		*lun = ((unsigned)(b0 & 0x3f) << 8) | b1;
		return 0;
	default:
		goto bad;
	}
bad:
	*lun = ~0u;
	return vitk_error_set(VITK_EINVAL, 0, "pdu: unsupported LUN format 0x%016llx",
			      (unsigned long long)raw);
}

uint64_t vitk_odx_target__lun_encode(unsigned lun)
{
	if (lun < 256)
		return (uint64_t)lun << 48;
	return ((uint64_t)(0x40 | ((lun >> 8) & 0x3f)) << 56) | ((uint64_t)(lun & 0xff) << 48);
}

void vitk_odx_target__bhs_init(uint8_t *bhs, uint8_t opcode, uint8_t flags, uint32_t data_len,
			       uint32_t itt)
{
	memset(bhs, 0, ISCSI_BHS_LEN);
	bhs[0] = opcode;
	bhs[1] = flags;
	vitk_put_be24(bhs + 5, data_len);
	vitk_put_be32(bhs + 16, itt);
}

/* ---- text ---- */

int vitk_odx_target__text_parse(iscsi_text *out, const uint8_t *data, size_t len)
{
	size_t i = 0;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (len > ISCSI_TEXT_MAX_LEN)
		return vitk_error_set(VITK_EINVAL, 0, "text: %zu bytes exceed the %u byte cap", len,
				      ISCSI_TEXT_MAX_LEN);
	out->buf = malloc(len + 1);
	if (!out->buf)
		return vitk_error_set(VITK_ENOMEM, 0, "text: out of memory");
	if (len)
		memcpy(out->buf, data, len);
	out->buf[len] = '\0';
	while (i < len) {
		char *entry = out->buf + i;
		size_t elen = strlen(entry); /* bounded by the final NUL we added */
		char *eq;
		size_t klen, vlen, j;

		i += elen + 1;
		if (elen == 0)
			continue;
		eq = memchr(entry, '=', elen);
		if (!eq) {
			r = vitk_error_set(VITK_EINVAL, 0, "text: entry without '=' at offset %zu",
					   (size_t)(entry - out->buf));
			goto out;
		}
		klen = (size_t)(eq - entry);
		vlen = elen - klen - 1;
		if (klen == 0 || klen > ISCSI_TEXT_KEY_MAX) {
			r = vitk_error_set(VITK_EINVAL, 0, "text: key length %zu out of range 1..%u",
					   klen, ISCSI_TEXT_KEY_MAX);
			goto out;
		}
		if (vlen > ISCSI_TEXT_VALUE_MAX) {
			r = vitk_error_set(VITK_EINVAL, 0, "text: value of '%.*s' is %zu bytes (max %u)",
					   (int)klen, entry, vlen, ISCSI_TEXT_VALUE_MAX);
			goto out;
		}
		*eq = '\0';
		for (j = 0; j < out->count; j++) {
			if (strcmp(out->pairs[j].key, entry) == 0) {
				r = vitk_error_set(VITK_EINVAL, 0, "text: key '%s' given twice",
						   entry);
				goto out;
			}
		}
		if (out->count == ISCSI_TEXT_MAX_PAIRS) {
			r = vitk_error_set(VITK_EINVAL, 0, "text: more than %u keys",
					   ISCSI_TEXT_MAX_PAIRS);
			goto out;
		}
		out->pairs[out->count].key = entry;
		out->pairs[out->count].value = eq + 1;
		out->count++;
	}
out:
	if (r < 0)
		vitk_odx_target__text_dispose(out);
	return r;
}

void vitk_odx_target__text_dispose(iscsi_text *t)
{
	if (!t)
		return;
	free(t->buf);
	t->buf = NULL;
	t->count = 0;
}

const char *vitk_odx_target__text_get(const iscsi_text *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (strcmp(t->pairs[i].key, key) == 0)
			return t->pairs[i].value;
	return NULL;
}

void vitk_odx_target__textbuf_add(iscsi_textbuf *b, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value), need = kl + vl + 2;
	uint8_t *p;

	if (b->overflow)
		return;
	if (b->buf.size + need > ISCSI_TEXT_MAX_LEN || vitk_array_grow(b->buf, need) < 0) {
		b->overflow = true;
		return;
	}
	p = b->buf.ptr + b->buf.size;
	memcpy(p, key, kl);
	p[kl] = '=';
	memcpy(p + kl + 1, value, vl);
	p[kl + 1 + vl] = '\0';
	b->buf.size += need;
}

void vitk_odx_target__textbuf_dispose(iscsi_textbuf *b)
{
	if (!b)
		return;
	vitk_array_clear(b->buf);
	b->overflow = false;
}

/* ---- CRC32C ---- */

static uint32_t crc32c_table[256];
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;

static void crc32c_init(void)
{
	uint32_t i, j;

	for (i = 0; i < 256; i++) {
		uint32_t c = i;

		for (j = 0; j < 8; j++)
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc32c_table[i] = c;
	}
}

uint32_t vitk_odx_target__crc32c(uint32_t crc, const void *buf, size_t len, bool first, bool last)
{
	const uint8_t *p = buf;
	size_t i;

	pthread_once(&crc32c_once, crc32c_init);
	if (first)
		crc = 0xffffffffu;
	for (i = 0; i < len; i++)
		crc = crc32c_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return last ? crc ^ 0xffffffffu : crc;
}

/* ---- CHAP ---- */

void vitk_odx_target__md5(const uint8_t *data, size_t len, uint8_t out[16])
{
	unsigned int olen = 16;

	if (EVP_Digest(data, len, out, &olen, EVP_md5(), NULL) != 1)
		memset(out, 0, 16); /* cannot match a real response */
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int vitk_odx_target__chap_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0, i, sl = strlen(s);

	if (sl > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		const char *h = s + 2;
		size_t hl = sl - 2;

		if (hl % 2 != 0) /* an odd digit count has an implied leading 0 */
			return -1;
		for (i = 0; i < hl; i += 2) {
			int hi = hexval(h[i]), lo = hexval(h[i + 1]);

			if (hi < 0 || lo < 0 || n >= cap)
				return -1;
			out[n++] = (uint8_t)(hi << 4 | lo);
		}
		return (int)n;
	}
	if (sl > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		uint32_t acc = 0;
		int bits = 0;

		for (i = 2; i < sl; i++) {
			int v;

			if (s[i] == '=')
				break;
			v = b64val(s[i]);
			if (v < 0)
				return -1;
			acc = (acc << 6) | (uint32_t)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				if (n >= cap)
					return -1;
				out[n++] = (uint8_t)(acc >> bits);
			}
		}
		return (int)n;
	}
	return -1;
}

bool vitk_odx_target__chap_response(uint8_t id, const char *secret, const uint8_t *challenge,
				    size_t challenge_len, uint8_t out[16])
{
	uint8_t buf[1 + 256 + 1024];
	size_t sl = strlen(secret);

	if (sl > 256 || challenge_len > 1024)
		return false;
	buf[0] = id;
	memcpy(buf + 1, secret, sl);
	memcpy(buf + 1 + sl, challenge, challenge_len);
	vitk_odx_target__md5(buf, 1 + sl + challenge_len, out);
	memset(buf, 0, sizeof(buf)); /* the secret */
	return true;
}

bool vitk_odx_target__chap_check(uint8_t id, const char *secret, const uint8_t *challenge,
				 size_t challenge_len, const uint8_t *response, size_t response_len)
{
	uint8_t md[16];
	size_t i;
	uint8_t diff = 0;

	if (response_len != 16 ||
	    !vitk_odx_target__chap_response(id, secret, challenge, challenge_len, md))
		return false;
	for (i = 0; i < 16; i++)
		diff |= (uint8_t)(md[i] ^ response[i]);
	return diff == 0;
}
