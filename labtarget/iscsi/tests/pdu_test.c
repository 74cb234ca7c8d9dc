/* SPDX-License-Identifier: MIT */
/* Unit tests: iSCSI PDU codec, key=value text, CHAP helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vitk/common.h>
#include <vitk/error.h>

#include "iscsi_pdu.h"

static void make_bhs(uint8_t *h, uint8_t op, uint8_t flags, uint8_t ahs_words, uint32_t dlen)
{
	memset(h, 0, ISCSI_BHS_LEN);
	h[0] = op;
	h[1] = flags;
	h[4] = ahs_words;
	vitk_put_be24(h + 5, dlen);
}

static void test_odx_target_pdu__bhs_fields(void **state)
{
	uint8_t h[ISCSI_BHS_LEN];
	iscsi_bhs b;

	(void)state;
	make_bhs(h, 0x41, 0xa0, 1, 1000);
	vitk_put_be64(h + 8, 0x0003000000000000ull);
	vitk_put_be32(h + 16, 0x11223344);
	vitk_put_be32(h + 20, 4096);
	vitk_put_be32(h + 24, 77);
	vitk_put_be32(h + 28, 9);
	assert_int_equal(vitk_odx_target__bhs_parse(&b, h, sizeof(h), 8192), 0);
	assert_int_equal(b.opcode, ISCSI_OP_SCSI_CMD);
	assert_true(b.immediate);
	assert_true(b.final);
	assert_int_equal(b.flags, 0xa0);
	assert_int_equal(b.ahs_len, 4);
	assert_int_equal(b.data_len, 1000);
	assert_int_equal(b.itt, 0x11223344);
	assert_int_equal(b.ttt, 4096);
	assert_int_equal(b.cmdsn, 77);
	assert_int_equal(b.expstatsn, 9);
	assert_true(b.lun_raw == 0x0003000000000000ull);
}

static void test_odx_target_pdu__bhs_rejects(void **state)
{
	uint8_t h[ISCSI_BHS_LEN];
	iscsi_bhs b;

	(void)state;
	make_bhs(h, 0x01, 0x80, 0, 8193);
	assert_int_equal(vitk_odx_target__bhs_parse(&b, h, sizeof(h), 8192), VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "MaxRecvDataSegmentLength"));
	make_bhs(h, 0x1c, 0x80, 0, 0); /* unknown opcode */
	assert_int_equal(vitk_odx_target__bhs_parse(&b, h, sizeof(h), 8192), VITK_ENOTSUP);
	make_bhs(h, 0x21, 0x80, 0, 0); /* a target opcode from the initiator */
	assert_int_equal(vitk_odx_target__bhs_parse(&b, h, sizeof(h), 8192), VITK_ENOTSUP);
	make_bhs(h, 0x81, 0x80, 0, 0); /* reserved bit */
	assert_int_equal(vitk_odx_target__bhs_parse(&b, h, sizeof(h), 8192), VITK_EINVAL);
	assert_int_equal(vitk_odx_target__bhs_parse(&b, h, 47, 8192), VITK_EINVAL);
}

static void test_odx_target_pdu__extended_cdb(void **state)
{
	uint8_t h[ISCSI_BHS_LEN], ahs[20], cdb[260];
	size_t len = 0;
	unsigned i;

	(void)state;
	make_bhs(h, 0x01, 0x80, 5, 0);
	for (i = 0; i < 16; i++)
		h[32 + i] = (uint8_t)i;
	memset(ahs, 0, sizeof(ahs));
	vitk_put_be16(ahs, 17); /* reserved byte + 16 more CDB bytes */
	ahs[2] = 1;
	for (i = 0; i < 16; i++)
		ahs[4 + i] = (uint8_t)(16 + i);
	assert_int_equal(vitk_odx_target__ahs_parse(h, ahs, sizeof(ahs), cdb, sizeof(cdb), &len), 0);
	assert_int_equal(len, 32);
	for (i = 0; i < 32; i++)
		assert_int_equal(cdb[i], i);
	/* AHSLength running past the AHS area */
	vitk_put_be16(ahs, 40);
	assert_int_equal(vitk_odx_target__ahs_parse(h, ahs, sizeof(ahs), cdb, sizeof(cdb), &len),
			 VITK_EINVAL);
	/* unknown AHS type */
	vitk_put_be16(ahs, 17);
	ahs[2] = 9;
	assert_int_equal(vitk_odx_target__ahs_parse(h, ahs, sizeof(ahs), cdb, sizeof(cdb), &len),
			 VITK_EINVAL);
	/* truncated header */
	assert_int_equal(vitk_odx_target__ahs_parse(h, ahs, 3, cdb, sizeof(cdb), &len), VITK_EINVAL);
}

static void test_odx_target_pdu__lun_codec(void **state)
{
	unsigned lun = 0;

	(void)state;
	assert_int_equal(vitk_odx_target__lun_decode(0x0005000000000000ull, &lun), 0);
	assert_int_equal(lun, 5);
	assert_int_equal(vitk_odx_target__lun_decode(0x4101000000000000ull, &lun), 0);
	assert_int_equal(lun, 0x101);
	assert_true(vitk_odx_target__lun_encode(5) == 0x0005000000000000ull);
	assert_true(vitk_odx_target__lun_encode(0x101) == 0x4101000000000000ull);
	assert_int_equal(vitk_odx_target__lun_decode(0xc000000000000000ull, &lun), VITK_EINVAL);
	assert_int_equal(vitk_odx_target__lun_decode(0x0001000000000001ull, &lun), VITK_EINVAL);
	assert_int_equal(vitk_odx_target__lun_decode(0x0201000000000000ull, &lun), VITK_EINVAL);
}

static void test_odx_target_pdu__text_parse(void **state)
{
	static const char in[] = "InitiatorName=iqn.x\0AuthMethod=CHAP,None\0\0Empty=\0Last=1";
	iscsi_text t;

	(void)state;
	assert_int_equal(vitk_odx_target__text_parse(&t, (const uint8_t *)in, sizeof(in) - 1), 0);
	assert_int_equal(t.count, 4);
	assert_string_equal(vitk_odx_target__text_get(&t, "InitiatorName"), "iqn.x");
	assert_string_equal(vitk_odx_target__text_get(&t, "AuthMethod"), "CHAP,None");
	assert_string_equal(vitk_odx_target__text_get(&t, "Empty"), "");
	assert_string_equal(vitk_odx_target__text_get(&t, "Last"), "1");
	assert_null(vitk_odx_target__text_get(&t, "Missing"));
	vitk_odx_target__text_dispose(&t);
}

static void test_odx_target_pdu__text_rejects(void **state)
{
	static const char noeq[] = "Key\0";
	static const char dup[] = "A=1\0A=2\0";
	static const char nokey[] = "=1\0";
	char longkey[80];
	iscsi_text t;

	(void)state;
	assert_int_equal(vitk_odx_target__text_parse(&t, (const uint8_t *)noeq, sizeof(noeq) - 1),
			 VITK_EINVAL);
	assert_int_equal(vitk_odx_target__text_parse(&t, (const uint8_t *)dup, sizeof(dup) - 1),
			 VITK_EINVAL);
	assert_non_null(strstr(vitk_error_last()->message, "'A'"));
	assert_int_equal(vitk_odx_target__text_parse(&t, (const uint8_t *)nokey, sizeof(nokey) - 1),
			 VITK_EINVAL);
	memset(longkey, 'k', 70);
	memcpy(longkey + 70, "=v", 3);
	assert_int_equal(vitk_odx_target__text_parse(&t, (const uint8_t *)longkey, 72), VITK_EINVAL);
}

static void test_odx_target_pdu__textbuf(void **state)
{
	iscsi_textbuf b = { 0 };

	(void)state;
	vitk_odx_target__textbuf_add(&b, "A", "1");
	vitk_odx_target__textbuf_add(&b, "Bb", "None");
	assert_false(b.overflow);
	assert_int_equal(b.buf.size, 4 + 8);
	assert_memory_equal(b.buf.ptr, "A=1\0Bb=None\0", 12);
	vitk_odx_target__textbuf_dispose(&b);
}

static void test_odx_target_pdu__md5_vectors(void **state)
{
	static const uint8_t empty[16] = { 0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04,
					   0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8, 0x42, 0x7e };
	static const uint8_t abc[16] = { 0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
					 0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72 };
	uint8_t md[16];

	(void)state;
	vitk_odx_target__md5((const uint8_t *)"", 0, md);
	assert_memory_equal(md, empty, 16);
	vitk_odx_target__md5((const uint8_t *)"abc", 3, md);
	assert_memory_equal(md, abc, 16);
}

static void test_odx_target_pdu__chap(void **state)
{
	uint8_t chal[16], resp[32];
	int n;
	unsigned i;

	(void)state;
	for (i = 0; i < 16; i++)
		chal[i] = (uint8_t)i;
	n = vitk_odx_target__chap_decode("0xb0d90921e9950abd1a7e76dc7a01bc64", resp, sizeof(resp));
	assert_int_equal(n, 16);
	assert_true(vitk_odx_target__chap_check(0x2a, "s3cret", chal, 16, resp, 16));
	assert_false(vitk_odx_target__chap_check(0x2a, "wrong", chal, 16, resp, 16));
	assert_false(vitk_odx_target__chap_check(0x2b, "s3cret", chal, 16, resp, 16));
	/* the same bytes in base64 */
	n = vitk_odx_target__chap_decode("0bsNkJIemVCr0afnbcegG8ZA==", resp, sizeof(resp));
	assert_int_equal(n, 16);
	assert_true(vitk_odx_target__chap_check(0x2a, "s3cret", chal, 16, resp, 16));
	assert_int_equal(vitk_odx_target__chap_decode("0x123", resp, sizeof(resp)), -1);
	assert_int_equal(vitk_odx_target__chap_decode("0xzz", resp, sizeof(resp)), -1);
	assert_int_equal(vitk_odx_target__chap_decode("plain", resp, sizeof(resp)), -1);
	assert_int_equal(vitk_odx_target__chap_decode("0x0102", resp, 1), -1);
}

static void test_odx_target_pdu__crc32c_vectors(void **state)
{
	uint8_t buf[32];
	uint32_t c;
	unsigned i;

	(void)state;
	/* RFC 3720 B.4: 32 bytes of zeros -> aa 36 91 8a on the wire */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(vitk_odx_target__crc32c(0, buf, 32, true, true), 0x8a9136aau);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(vitk_odx_target__crc32c(0, buf, 32, true, true), 0x62a8ab43u);
	for (i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(vitk_odx_target__crc32c(0, buf, 32, true, true), 0x46dd794eu);
	/* chained == one shot */
	c = vitk_odx_target__crc32c(0, buf, 10, true, false);
	c = vitk_odx_target__crc32c(c, buf + 10, 22, false, true);
	assert_int_equal(c, 0x46dd794eu);
	assert_int_equal(vitk_odx_target__crc32c(0, "123456789", 9, true, true), 0xe3069283u);
}

static void test_odx_target_pdu__serial_numbers(void **state)
{
	(void)state;
	assert_true(iscsi_sn_lt(1, 2));
	assert_false(iscsi_sn_lt(2, 2));
	assert_true(iscsi_sn_lt(0xfffffff0u, 5));
	assert_false(iscsi_sn_lt(5, 0xfffffff0u));
	assert_int_equal(iscsi_pad4(5), 8);
	assert_int_equal(iscsi_pad4(8), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odx_target_pdu__bhs_fields),
		cmocka_unit_test(test_odx_target_pdu__bhs_rejects),
		cmocka_unit_test(test_odx_target_pdu__extended_cdb),
		cmocka_unit_test(test_odx_target_pdu__lun_codec),
		cmocka_unit_test(test_odx_target_pdu__text_parse),
		cmocka_unit_test(test_odx_target_pdu__text_rejects),
		cmocka_unit_test(test_odx_target_pdu__textbuf),
		cmocka_unit_test(test_odx_target_pdu__md5_vectors),
		cmocka_unit_test(test_odx_target_pdu__chap),
		cmocka_unit_test(test_odx_target_pdu__crc32c_vectors),
		cmocka_unit_test(test_odx_target_pdu__serial_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
