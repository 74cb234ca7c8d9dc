/* SPDX-License-Identifier: MIT */
/*
 * Persistent reservations (SPC-4 5.13, 6.13, 6.14) and SPC-2 RESERVE/RELEASE
 * through tgt_device_exec: every PERSISTENT RESERVE OUT service action and
 * reservation type with the exact status, sense and PRgeneration, the
 * commands each type lets through, unit attentions, the copy manager's
 * checks and APTPL across a restart of the device.
 */
#include "harness.h"

#include "dev_internal.h"

/* I_T nexuses: A and B are two initiators, C is A's name with another ISID */
typedef struct {
	uint64_t nexus;
	const char *name;
	uint8_t isid[6];
} nx;

static const nx A = { 11, "iqn.2026-01.test:a", { 0x40, 0, 0, 0, 0, 1 } };
static const nx B = { 22, "iqn.2026-01.test:b", { 0x40, 0, 0, 0, 0, 2 } };
static const nx C = { 33, "iqn.2026-01.test:a", { 0x40, 0, 0, 0, 0, 3 } };

enum { WE = 1, EA = 3, WE_RO = 5, EA_RO = 6, WE_AR = 7, EA_AR = 8 };
enum { REG = 0, RES = 1, REL = 2, CLR = 3, PRE = 4, PRE_ABORT = 5, REG_IGN = 6, MOVE = 7 };

static uint8_t run_as(harness *h, const nx *n, unsigned lun, const uint8_t *cdb, size_t cdb_len,
		      const void *dout, size_t dout_len, size_t din_cap)
{
	memset(&h->cmd, 0, sizeof(h->cmd));
	h->cmd.lun = lun;
	h->cmd.cdb = cdb;
	h->cmd.cdb_len = cdb_len;
	h->cmd.dout = dout;
	h->cmd.dout_len = dout_len;
	h->cmd.din = h->din;
	h->cmd.din_cap = din_cap;
	h->cmd.nexus = n->nexus;
	h->cmd.initiator = n->name;
	h->cmd.isid = n->isid;
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	return h->cmd.status;
}

static uint8_t prout_lun(harness *h, const nx *n, unsigned lun, uint8_t sa, uint8_t type,
			 uint64_t key, uint64_t sakey, uint8_t flags)
{
	uint8_t cdb[10] = { 0x5f, sa, type, 0, 0, 0, 0, 0, 24, 0 };
	uint8_t p[24] = { 0 };

	vitk_put_be64(p, key);
	vitk_put_be64(p + 8, sakey);
	p[20] = flags;
	return run_as(h, n, lun, cdb, sizeof(cdb), p, sizeof(p), 0);
}

static uint8_t prout(harness *h, const nx *n, uint8_t sa, uint8_t type, uint64_t key,
		     uint64_t sakey)
{
	return prout_lun(h, n, 0, sa, type, key, sakey, 0);
}

/* PRIN @sa on LUN 0; returns PRgeneration, data in h->din */
static uint32_t prin(harness *h, const nx *n, uint8_t sa)
{
	uint8_t cdb[10] = { 0x5e, sa, 0, 0, 0, 0, 0, 0x10, 0x00, 0 };

	assert_int_equal(run_as(h, n, 0, cdb, sizeof(cdb), NULL, 0, 4096), 0);
	return vitk_get_be32(h->din);
}

static uint8_t rw(harness *h, const nx *n, bool write)
{
	static uint8_t blk[512];
	uint8_t cdb[10];

	h_cdb10_rw(cdb, write ? VITK_SCSI_OP_WRITE10 : VITK_SCSI_OP_READ10, 7, 1);
	return run_as(h, n, 0, cdb, sizeof(cdb), write ? blk : NULL, write ? 512 : 0,
		      write ? 0 : 512);
}

static void tur_clear(harness *h, const nx *n)
{
	uint8_t tur[6] = { 0 };

	while (run_as(h, n, 0, tur, 6, NULL, 0, 0) == 2)
		;
}

static void expect_ua(harness *h, const nx *n, uint8_t asc, uint8_t ascq)
{
	uint8_t tur[6] = { 0 };

	run_as(h, n, 0, tur, 6, NULL, 0, 0);
	h_assert_sense(h, VITK_SCSI_KEY_UNIT_ATTENTION, asc, ascq);
}

#define CONFLICT 0x18

/* ---- REGISTER, REGISTER AND IGNORE EXISTING KEY, READ KEYS ---- */

static void test_register(void **state)
{
	harness *h = *state;

	assert_int_equal(prin(h, &A, 0), 0);
	assert_int_equal(vitk_get_be32(h->din + 4), 0);
	/* unregistered with a non-zero key: conflict, generation unchanged */
	assert_int_equal(prout(h, &A, REG, 0, 5, 0x1111), CONFLICT);
	assert_int_equal(h->cmd.sense_len, 0);
	/* unregistered, service action key 0: GOOD, nothing happens */
	assert_int_equal(prout(h, &A, REG, 0, 0, 0), 0);
	assert_int_equal(prin(h, &A, 0), 0);
	assert_int_equal(prout(h, &A, REG, 0, 0, 0x1111), 0);
	assert_int_equal(prin(h, &A, 0), 1);
	assert_int_equal(prout(h, &B, REG, 0, 0, 0x2222), 0);
	assert_int_equal(prin(h, &A, 0), 2);
	assert_int_equal(vitk_get_be32(h->din + 4), 16);
	assert_int_equal(vitk_get_be64(h->din + 8), 0x1111);
	assert_int_equal(vitk_get_be64(h->din + 16), 0x2222);
	/* another ISID of A's name is another I_T nexus */
	assert_int_equal(prout(h, &C, REG, 0, 0, 0x3333), 0);
	assert_int_equal(prin(h, &A, 0), 3);
	/* registered: the wrong key conflicts, the right one changes it */
	assert_int_equal(prout(h, &A, REG, 0, 0x9999, 0x4444), CONFLICT);
	assert_int_equal(prout(h, &A, REG, 0, 0x1111, 0x4444), 0);
	assert_int_equal(prin(h, &A, 0), 4);
	assert_int_equal(vitk_get_be64(h->din + 8), 0x4444);
	/* REGISTER AND IGNORE EXISTING KEY ignores the key */
	assert_int_equal(prout(h, &A, REG_IGN, 0, 0x9999, 0x5555), 0);
	assert_int_equal(prin(h, &A, 0), 5);
	assert_int_equal(vitk_get_be64(h->din + 8), 0x5555);
	/* ... and unregisters with key 0 */
	assert_int_equal(prout(h, &C, REG_IGN, 0, 0, 0), 0);
	assert_int_equal(prin(h, &A, 0), 6);
	assert_int_equal(vitk_get_be32(h->din + 4), 16);
	/* REGISTER with key 0 unregisters */
	assert_int_equal(prout(h, &B, REG, 0, 0x2222, 0), 0);
	assert_int_equal(prin(h, &A, 0), 7);
	assert_int_equal(vitk_get_be32(h->din + 4), 8);
	/* READ KEYS truncated to the allocation length keeps the header */
	{
		uint8_t cdb[10] = { 0x5e, 0, 0, 0, 0, 0, 0, 0, 8, 0 };

		assert_int_equal(run_as(h, &A, 0, cdb, 10, NULL, 0, 4096), 0);
		assert_int_equal(h->cmd.din_len, 8);
		assert_int_equal(vitk_get_be32(h->din + 4), 8);
	}
}

static void test_bad_requests(void **state)
{
	harness *h = *state;
	uint8_t cdb[10] = { 0x5f, RES, 0x02, 0, 0, 0, 0, 0, 24, 0 };
	uint8_t p[32] = { 0 };

	assert_int_equal(prout(h, &A, REG, 0, 0, 0x1111), 0);
	/* parameter list length other than 24 */
	cdb[1] = REG;
	cdb[8] = 32;
	run_as(h, &A, 0, cdb, 10, p, 32, 0);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x1a, 0x00);
	/* an invalid type (2), a scope other than LU */
	assert_int_equal(prout(h, &A, RES, 2, 0x1111, 0), 2);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x24, 0x00);
	assert_int_equal(prout(h, &A, RES, 0x10 | WE, 0x1111, 0), 2);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x24, 0x00);
	/* SPEC_I_PT and ALL_TG_PT are not implemented */
	assert_int_equal(prout_lun(h, &A, 0, REG, 0, 0x1111, 0x1112, 0x08), 2);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x26, 0x00);
	assert_int_equal(h->cmd.sense[15], 0x80 | 0x08 | 3);
	assert_int_equal(vitk_get_be16(h->cmd.sense + 16), 20);
	assert_int_equal(prout_lun(h, &A, 0, REG, 0, 0x1111, 0x1112, 0x04), 2);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x26, 0x00);
	/* PRIN service actions 4-1Fh */
	{
		uint8_t in[10] = { 0x5e, 4, 0, 0, 0, 0, 0, 0x10, 0, 0 };

		run_as(h, &A, 0, in, 10, NULL, 0, 4096);
		h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x24, 0x00);
	}
	assert_int_equal(prin(h, &A, 0), 1);
}

static void test_report_capabilities(void **state)
{
	harness *h = *state;

	prin(h, &A, 2);
	assert_int_equal(h->cmd.din_len, 8);
	assert_int_equal(vitk_get_be16(h->din), 8);
	assert_int_equal(h->din[2], 0x01); /* PTPL_C only: no CRH, SIP_C, ATP_C */
	assert_int_equal(h->din[3], 0x80); /* TMV, APTPL not active */
	assert_int_equal(h->din[4], 0xea);
	assert_int_equal(h->din[5], 0x01);
	assert_int_equal(prout_lun(h, &A, 0, REG, 0, 0, 0x1111, 0x01), 0);
	prin(h, &A, 2);
	assert_int_equal(h->din[3], 0x81); /* PTPL_A */
	assert_int_equal(prout_lun(h, &A, 0, REG, 0, 0x1111, 0, 0), 0);
}

/* ---- RESERVE, RELEASE, READ RESERVATION for every type ---- */

static void test_reserve_release_all_types(void **state)
{
	harness *h = *state;
	static const uint8_t types[] = { WE, EA, WE_RO, EA_RO, WE_AR, EA_AR };
	size_t i;

	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &B, REG, 0, 0, 0xbb), 0);
	for (i = 0; i < sizeof(types); i++) {
		uint8_t t = types[i];
		bool ar = t == WE_AR || t == EA_AR;

		/* wrong key conflicts; unregistered nexus conflicts */
		assert_int_equal(prout(h, &A, RES, t, 0xbb, 0), CONFLICT);
		assert_int_equal(prout(h, &C, RES, t, 0, 0), CONFLICT);
		assert_int_equal(prout(h, &A, RES, t, 0xaa, 0), 0);
		/* RESERVE does not count as a change */
		assert_int_equal(prin(h, &A, 1), 2);
		assert_int_equal(vitk_get_be32(h->din + 4), 16);
		assert_int_equal(vitk_get_be64(h->din + 8), ar ? 0 : 0xaa);
		assert_int_equal(h->din[8 + 13], t);
		/* the holder again: GOOD; another type: conflict */
		assert_int_equal(prout(h, &A, RES, t, 0xaa, 0), 0);
		assert_int_equal(prout(h, &A, RES, t == WE ? EA : WE, 0xaa, 0), CONFLICT);
		/* another registrant: conflict, except for all-registrants types */
		assert_int_equal(prout(h, &B, RES, t, 0xbb, 0), ar ? 0 : CONFLICT);
		/* READ FULL STATUS: both registrants, who holds */
		prin(h, &A, 3);
		{
			const uint8_t *d0 = h->din + 8;
			uint32_t tl0 = vitk_get_be32(d0 + 20);
			const uint8_t *d1 = d0 + 24 + tl0;

			assert_int_equal(vitk_get_be64(d0), 0xaa);
			assert_int_equal(d0[12], 0x01);
			assert_int_equal(d0[13], t);
			assert_int_equal(vitk_get_be16(d0 + 18), 1);
			assert_int_equal(d0[24], 0x45);
			assert_string_equal((const char *)d0 + 28,
					    "iqn.2026-01.test:a,i,0x400000000001");
			assert_int_equal(tl0 % 4, 0);
			assert_int_equal(vitk_get_be64(d1), 0xbb);
			assert_int_equal(d1[12], ar ? 0x01 : 0);
			assert_int_equal(vitk_get_be32(h->din + 4),
					 (uint32_t)(2 * 24 + tl0 + vitk_get_be32(d1 + 20)));
		}
		/* RELEASE by a non-holder: GOOD, nothing released (not for AR) */
		if (!ar) {
			assert_int_equal(prout(h, &B, REL, t, 0xbb, 0), 0);
			prin(h, &A, 1);
			assert_int_equal(vitk_get_be32(h->din + 4), 16);
		}
		/* RELEASE with the wrong type */
		assert_int_equal(prout(h, &A, REL, t == WE ? EA : WE, 0xaa, 0), 2);
		h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x26, 0x04);
		assert_int_equal(prout(h, &A, REL, t, 0xaa, 0), 0);
		assert_int_equal(prin(h, &A, 1), 2);
		assert_int_equal(vitk_get_be32(h->din + 4), 0);
		/* registrants-only and all-registrants releases tell the others */
		if (t == WE_RO || t == EA_RO || ar)
			expect_ua(h, &B, 0x2a, 0x04);
		tur_clear(h, &A);
		tur_clear(h, &B);
		/* RELEASE without a reservation: GOOD */
		assert_int_equal(prout(h, &A, REL, t, 0xaa, 0), 0);
	}
}

/* reads and writes from the holder, a registrant and a stranger, per type */
static void test_access_per_type(void **state)
{
	harness *h = *state;
	static const struct {
		uint8_t t;
		uint8_t reg_r, reg_w, other_r, other_w; /* expected status */
	} cases[] = {
		{ WE, 0, CONFLICT, 0, CONFLICT },
		{ EA, CONFLICT, CONFLICT, CONFLICT, CONFLICT },
		{ WE_RO, 0, 0, 0, CONFLICT },
		{ EA_RO, 0, 0, CONFLICT, CONFLICT },
		{ WE_AR, 0, 0, 0, CONFLICT },
		{ EA_AR, 0, 0, CONFLICT, CONFLICT },
	};
	size_t i;

	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &B, REG, 0, 0, 0xbb), 0);
	for (i = 0; i < VITK_ARRAY_SIZE(cases); i++) {
		uint8_t inq[6] = { 0x12, 0, 0, 0, 36, 0 }, rc[10] = { 0x25 };
		uint8_t tur[6] = { 0 }, ms[6] = { 0x1a, 0, 0x3f, 0, 255, 0 };

		assert_int_equal(prout(h, &A, RES, cases[i].t, 0xaa, 0), 0);
		assert_int_equal(rw(h, &A, false), 0);
		assert_int_equal(rw(h, &A, true), 0);
		assert_int_equal(rw(h, &B, false), cases[i].reg_r);
		assert_int_equal(rw(h, &B, true), cases[i].reg_w);
		assert_int_equal(h->cmd.sense_len, 0);
		assert_int_equal(rw(h, &C, false), cases[i].other_r);
		assert_int_equal(rw(h, &C, true), cases[i].other_w);
		/* always allowed: INQUIRY, TEST UNIT READY, READ CAPACITY, PRIN */
		assert_int_equal(run_as(h, &C, 0, inq, 6, NULL, 0, 36), 0);
		assert_int_equal(run_as(h, &C, 0, tur, 6, NULL, 0, 0), 0);
		assert_int_equal(run_as(h, &C, 0, rc, 10, NULL, 0, 8), 0);
		prin(h, &C, 0);
		/* MODE SENSE reads: conflicts like a read */
		assert_int_equal(run_as(h, &C, 0, ms, 6, NULL, 0, 255), cases[i].other_r);
		/* another LUN is not reserved */
		{
			uint8_t cdb[10];
			static uint8_t blk[512];

			h_cdb10_rw(cdb, VITK_SCSI_OP_WRITE10, 0, 1);
			assert_int_equal(run_as(h, &C, 1, cdb, 10, blk, 512, 0), 0);
		}
		assert_int_equal(prout(h, &A, REL, cases[i].t, 0xaa, 0), 0);
		tur_clear(h, &B);
	}
}

/* ---- CLEAR, PREEMPT, PREEMPT AND ABORT, unit attentions ---- */

static void test_clear(void **state)
{
	harness *h = *state;

	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &B, REG, 0, 0, 0xbb), 0);
	tur_clear(h, &B);
	assert_int_equal(prout(h, &A, RES, EA, 0xaa, 0), 0);
	assert_int_equal(prout(h, &C, CLR, 0, 0, 0), CONFLICT);   /* not registered */
	assert_int_equal(prout(h, &B, CLR, 0, 0xaa, 0), CONFLICT); /* wrong key */
	assert_int_equal(prin(h, &A, 0), 2);
	assert_int_equal(prout(h, &B, CLR, 0, 0xbb, 0), 0);
	assert_int_equal(prin(h, &B, 0), 3);
	assert_int_equal(vitk_get_be32(h->din + 4), 0);
	prin(h, &B, 1);
	assert_int_equal(vitk_get_be32(h->din + 4), 0);
	/* A was told its reservation is gone: RESERVATIONS PREEMPTED */
	expect_ua(h, &A, 0x2a, 0x03);
	assert_int_equal(rw(h, &A, true), 0);
}

static void test_preempt(void **state)
{
	harness *h = *state;

	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &B, REG, 0, 0, 0xbb), 0);
	tur_clear(h, &A);
	/* no reservation: PREEMPT removes the registration named */
	assert_int_equal(prout(h, &B, PRE, EA, 0xbb, 0), 2);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x26, 0x00);
	assert_int_equal(prout(h, &B, PRE, EA, 0xbb, 0x77), CONFLICT); /* no such key */
	assert_int_equal(prout(h, &B, PRE, EA, 0xbb, 0xaa), 0);
	assert_int_equal(prin(h, &B, 0), 3);
	assert_int_equal(vitk_get_be32(h->din + 4), 8);
	assert_int_equal(vitk_get_be64(h->din + 8), 0xbb);
	prin(h, &B, 1);
	assert_int_equal(vitk_get_be32(h->din + 4), 0);
	expect_ua(h, &A, 0x2a, 0x05); /* REGISTRATIONS PREEMPTED */

	/* a reservation held by A: B preempts it with A's key and holds it */
	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &A, RES, WE, 0xaa, 0), 0);
	assert_int_equal(rw(h, &B, true), CONFLICT);
	assert_int_equal(prout(h, &B, PRE_ABORT, EA, 0xbb, 0xaa), 0);
	assert_int_equal(prin(h, &B, 1), 5);
	assert_int_equal(vitk_get_be64(h->din + 8), 0xbb);
	assert_int_equal(h->din[8 + 13], EA);
	assert_int_equal(rw(h, &B, true), 0);
	expect_ua(h, &A, 0x2a, 0x05);
	assert_int_equal(rw(h, &A, false), CONFLICT);
	prin(h, &B, 0);
	assert_int_equal(vitk_get_be32(h->din + 4), 8);

	/* preempting a key that is not the holder's only removes registrations */
	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &C, REG, 0, 0, 0xcc), 0);
	assert_int_equal(prout(h, &A, PRE, EA, 0xaa, 0xcc), 0);
	assert_int_equal(prin(h, &A, 1), 8);
	assert_int_equal(vitk_get_be64(h->din + 8), 0xbb); /* B still holds */
	prin(h, &A, 0);
	assert_int_equal(vitk_get_be32(h->din + 4), 16);
	expect_ua(h, &C, 0x2a, 0x05);
	assert_int_equal(prout(h, &C, REG, 0, 0xcc, 0), CONFLICT); /* C is gone */
}

/* ---- PREEMPT AND ABORT: whose commands the caller aborts, and the unit attentions ---- */

/* PREEMPT AND ABORT as @n, with room for the preempted ports in @ports */
static uint8_t prout_abort(harness *h, const nx *n, uint8_t type, uint64_t key, uint64_t sakey,
			   tgt_port *ports, size_t cap)
{
	uint8_t cdb[10] = { 0x5f, PRE_ABORT, type, 0, 0, 0, 0, 0, 24, 0 };
	uint8_t p[24] = { 0 };

	vitk_put_be64(p, key);
	vitk_put_be64(p + 8, sakey);
	memset(&h->cmd, 0, sizeof(h->cmd));
	h->cmd.cdb = cdb;
	h->cmd.cdb_len = sizeof(cdb);
	h->cmd.dout = p;
	h->cmd.dout_len = sizeof(p);
	h->cmd.nexus = n->nexus;
	h->cmd.initiator = n->name;
	h->cmd.isid = n->isid;
	h->cmd.preempted = ports;
	h->cmd.preempted_cap = cap;
	h->cmd.npreempted = 99; /* the device sets it */
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	return h->cmd.status;
}

/* the whole fixed-format sense of a unit attention, byte for byte */
static void expect_ua_bytes(harness *h, const nx *n, uint8_t asc, uint8_t ascq)
{
	uint8_t tur[6] = { 0 };
	uint8_t want[18] = { 0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0 };

	assert_int_equal(run_as(h, n, 0, tur, 6, NULL, 0, 0), 2);
	assert_int_equal(h->cmd.sense_len, 18);
	assert_memory_equal(h->cmd.sense, want, 18);
}

static void test_preempt_and_abort(void **state)
{
	harness *h = *state;
	tgt_port ports[TGT_PR_MAX_PORTS];
	uint8_t tur[6] = { 0 };

	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &B, REG, 0, 0, 0xbb), 0);
	assert_int_equal(prout(h, &C, REG, 0, 0, 0xcc), 0);
	assert_int_equal(prout(h, &A, RES, WE, 0xaa, 0), 0);
	tur_clear(h, &A);
	tur_clear(h, &C);
	assert_int_equal(prin(h, &B, 0), 3);

	/* not registered / wrong key: RESERVATION CONFLICT, nothing to abort */
	assert_int_equal(prout_abort(h, &B, EA, 0xb0, 0xaa, ports, TGT_PR_MAX_PORTS), CONFLICT);
	assert_int_equal(h->cmd.npreempted, 0);
	/* SERVICE ACTION RESERVATION KEY 0 against a reservation that is not
	 * all-registrants: INVALID FIELD IN PARAMETER LIST, pointing at byte 8 */
	assert_int_equal(prout_abort(h, &B, EA, 0xbb, 0, ports, TGT_PR_MAX_PORTS), 2);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x26, 0x00);
	assert_int_equal(h->cmd.sense[15], 0x80); /* SKSV, C/D 0 (parameter list) */
	assert_int_equal(vitk_get_be16(h->cmd.sense + 16), 8);
	assert_int_equal(h->cmd.npreempted, 0);
	assert_int_equal(prin(h, &B, 0), 3); /* no generation spent */

	/* B preempts A's reservation and aborts: exactly A's I_T nexus is named
	 * (not C, A's name with another ISID, not B itself) */
	memset(ports, 0xee, sizeof(ports));
	assert_int_equal(prout_abort(h, &B, EA, 0xbb, 0xaa, ports, TGT_PR_MAX_PORTS), 0);
	assert_int_equal(h->cmd.npreempted, 1);
	assert_string_equal(ports[0].name, A.name);
	assert_memory_equal(ports[0].isid, A.isid, 6);
	assert_int_equal(ports[0].rel_port, 1);
	assert_int_equal(prin(h, &B, 1), 4);
	assert_int_equal(vitk_get_be64(h->din + 8), 0xbb);
	assert_int_equal(h->din[8 + 13], EA);
	prin(h, &B, 0);
	assert_int_equal(vitk_get_be32(h->din + 4), 16); /* B and C */
	assert_int_equal(vitk_get_be64(h->din + 8), 0xbb);
	assert_int_equal(vitk_get_be64(h->din + 16), 0xcc);

	/* the iSCSI layer aborted A's commands: REGISTRATIONS PREEMPTED first,
	 * then COMMANDS CLEARED BY ANOTHER INITIATOR, then nothing */
	assert_int_equal(tgt_device_commands_cleared(h->dev, 0, A.nexus), 0);
	assert_int_equal(tgt_device_commands_cleared(h->dev, 9, A.nexus), VITK_ENOTFOUND);
	expect_ua_bytes(h, &A, 0x2a, 0x05);
	expect_ua_bytes(h, &A, 0x2f, 0x00);
	assert_int_equal(run_as(h, &A, 0, tur, 6, NULL, 0, 0), 0);
	assert_int_equal(rw(h, &A, false), CONFLICT); /* Exclusive Access, A unregistered */
	/* C lost nothing, hears of the type change only */
	expect_ua_bytes(h, &C, 0x2a, 0x04);
	assert_int_equal(run_as(h, &C, 0, tur, 6, NULL, 0, 0), 0);
	/* a commands-cleared with no unit attention pending comes alone */
	assert_int_equal(tgt_device_commands_cleared(h->dev, 0, C.nexus), 0);
	expect_ua_bytes(h, &C, 0x2f, 0x00);
	assert_int_equal(run_as(h, &C, 0, tur, 6, NULL, 0, 0), 0);

	/* plain PREEMPT names nobody (and takes A's registration: A's key is
	 * not the holder's) */
	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	memset(&h->cmd, 0, sizeof(h->cmd));
	assert_int_equal(prout(h, &B, PRE, EA, 0xbb, 0xaa), 0);
	assert_int_equal(h->cmd.npreempted, 0);
	tur_clear(h, &A);
	tur_clear(h, &C);

	/* all-registrants: key 0 preempts every other registrant (A and C again) */
	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &B, REL, EA, 0xbb, 0), 0);
	assert_int_equal(prout(h, &B, RES, WE_AR, 0xbb, 0), 0);
	assert_int_equal(prin(h, &A, 0), 7); /* REG 5, PREEMPT 6, REG 7 */
	assert_int_equal(prout_abort(h, &A, WE, 0xaa, 0, ports, TGT_PR_MAX_PORTS), 0);
	assert_int_equal(h->cmd.npreempted, 2);
	assert_true((strcmp(ports[0].name, B.name) == 0 && ports[1].isid[5] == 3) ||
		    (strcmp(ports[1].name, B.name) == 0 && ports[0].isid[5] == 3));
	assert_int_equal(prin(h, &A, 0), 8);
	assert_int_equal(vitk_get_be32(h->din + 4), 8);
	prin(h, &A, 1);
	assert_int_equal(vitk_get_be64(h->din + 8), 0xaa);
	assert_int_equal(h->din[8 + 13], WE);
	/* room for one port only: the device fills what there is room for */
	expect_ua_bytes(h, &B, 0x2a, 0x05);
	expect_ua_bytes(h, &C, 0x2a, 0x05);
	assert_int_equal(prout(h, &B, REG, 0, 0, 0xbb), 0);
	assert_int_equal(prout(h, &C, REG, 0, 0, 0xbb), 0);
	assert_int_equal(prout_abort(h, &A, WE, 0xaa, 0xbb, ports, 1), 0);
	assert_int_equal(h->cmd.npreempted, 1);
	assert_int_equal(prin(h, &A, 0), 11);
	assert_int_equal(vitk_get_be32(h->din + 4), 8);
}

/* ---- the unit-attention queue of an I_T nexus (SAM-5 5.14) ---- */

static void expect_good(harness *h, const nx *n)
{
	uint8_t tur[6] = { 0 };

	assert_int_equal(run_as(h, n, 0, tur, 6, NULL, 0, 0), 0);
}

static void test_ua_queue(void **state)
{
	harness *h = *state;

	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &B, REG, 0, 0, 0xbb), 0);
	tur_clear(h, &A);
	tur_clear(h, &B);

	/* four producers, each queued behind the last, duplicates merged */
	assert_int_equal(prout(h, &B, PRE, EA, 0xbb, 0xaa), 0); /* A's registration goes */
	assert_int_equal(tgt_device_commands_cleared(h->dev, 0, A.nexus), 0);
	assert_int_equal(tgt_device_commands_cleared(h->dev, 0, A.nexus), 0);
	assert_int_equal(tgt_device_lun_grow(h->dev, 0, 2ull * H_LUN0_BLOCKS * 512), 0);
	tgt_device_luns_changed(h->dev);
	tgt_device_luns_changed(h->dev);
	assert_int_equal(tgt_device_lun_grow(h->dev, 0, 3ull * H_LUN0_BLOCKS * 512), 0);
	expect_ua_bytes(h, &A, 0x2a, 0x05); /* REGISTRATIONS PREEMPTED */
	expect_ua_bytes(h, &A, 0x2f, 0x00); /* COMMANDS CLEARED BY ANOTHER INITIATOR */
	expect_ua_bytes(h, &A, 0x2a, 0x09); /* CAPACITY DATA HAS CHANGED */
	expect_ua_bytes(h, &A, 0x3f, 0x0e); /* REPORTED LUNS DATA HAS CHANGED */
	expect_good(h, &A);
	/* B, not preempted, heard the other two */
	expect_ua_bytes(h, &B, 0x2a, 0x09);
	expect_ua_bytes(h, &B, 0x3f, 0x0e);
	expect_good(h, &B);

	/* full (four pending): a new one at the end is dropped, the oldest stay;
	 * one restored ahead of them pushes out the newest */
	assert_int_equal(tgt_device_commands_cleared(h->dev, 0, A.nexus), 0);
	assert_int_equal(tgt_device_lun_grow(h->dev, 0, 4ull * H_LUN0_BLOCKS * 512), 0);
	tgt_device_luns_changed(h->dev);
	assert_int_equal(tgt_device_ua_restore(h->dev, 0, A.nexus, 0x2a05), 0);
	assert_int_equal(tgt_device_ua_restore(h->dev, 0, A.nexus, 0x2a01), 0);
	tgt_device_luns_changed(h->dev); /* no room: dropped */
	expect_ua_bytes(h, &A, 0x2a, 0x01);
	expect_ua_bytes(h, &A, 0x2a, 0x05);
	expect_ua_bytes(h, &A, 0x2f, 0x00);
	expect_ua_bytes(h, &A, 0x2a, 0x09);
	expect_good(h, &A);
	/* a restored duplicate moves to the head instead of being queued twice */
	assert_int_equal(tgt_device_commands_cleared(h->dev, 0, A.nexus), 0);
	tgt_device_luns_changed(h->dev);
	assert_int_equal(tgt_device_ua_restore(h->dev, 0, A.nexus, 0x3f0e), 0);
	expect_ua_bytes(h, &A, 0x3f, 0x0e);
	expect_ua_bytes(h, &A, 0x2f, 0x00);
	expect_good(h, &A);

	/* a LUN reset leaves only its own unit attention; later ones queue behind it */
	tur_clear(h, &B);
	assert_int_equal(tgt_device_commands_cleared(h->dev, 0, A.nexus), 0);
	tgt_device_luns_changed(h->dev);
	assert_int_equal(tgt_device_lun_grow(h->dev, 0, 5ull * H_LUN0_BLOCKS * 512), 0);
	assert_int_equal(tgt_device_lun_reset(h->dev, 0), 0);
	expect_ua_bytes(h, &A, 0x29, 0x03); /* BUS DEVICE RESET FUNCTION OCCURRED */
	expect_good(h, &A);
	expect_ua_bytes(h, &B, 0x29, 0x03);
	expect_good(h, &B);
	assert_int_equal(tgt_device_commands_cleared(h->dev, 0, A.nexus), 0);
	assert_int_equal(tgt_device_lun_reset(h->dev, 0), 0);
	tgt_device_luns_changed(h->dev);
	expect_ua_bytes(h, &A, 0x29, 0x03);
	expect_ua_bytes(h, &A, 0x3f, 0x0e);
	expect_good(h, &A);
}

static void test_preempt_all_registrants(void **state)
{
	harness *h = *state;

	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &B, REG, 0, 0, 0xbb), 0);
	assert_int_equal(prout(h, &C, REG, 0, 0, 0xcc), 0);
	tur_clear(h, &A);
	tur_clear(h, &C);
	assert_int_equal(prout(h, &A, RES, EA_AR, 0xaa, 0), 0);
	/* key 0 against an all-registrants reservation: everyone else goes,
	 * the reservation becomes B's of the new type */
	assert_int_equal(prout(h, &B, PRE, WE, 0xbb, 0), 0);
	assert_int_equal(prin(h, &B, 1), 4);
	assert_int_equal(vitk_get_be64(h->din + 8), 0xbb);
	assert_int_equal(h->din[8 + 13], WE);
	prin(h, &B, 0);
	assert_int_equal(vitk_get_be32(h->din + 4), 8);
	expect_ua(h, &A, 0x2a, 0x05);
	expect_ua(h, &C, 0x2a, 0x05);
}

static void test_unregister_holder(void **state)
{
	harness *h = *state;

	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &B, REG, 0, 0, 0xbb), 0);
	tur_clear(h, &B);
	assert_int_equal(prout(h, &A, RES, WE_RO, 0xaa, 0), 0);
	assert_int_equal(prout(h, &A, REG, 0, 0xaa, 0), 0);
	expect_ua(h, &B, 0x2a, 0x04);
	assert_int_equal(prin(h, &B, 1), 3);
	assert_int_equal(vitk_get_be32(h->din + 4), 0);
	/* all registrants: the reservation lasts until the last one leaves */
	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &A, RES, EA_AR, 0xaa, 0), 0);
	assert_int_equal(prout(h, &A, REG, 0, 0xaa, 0), 0);
	prin(h, &B, 1);
	assert_int_equal(vitk_get_be32(h->din + 4), 16);
	assert_int_equal(prout(h, &B, REG, 0, 0xbb, 0), 0);
	assert_int_equal(prin(h, &B, 1), 6);
	assert_int_equal(vitk_get_be32(h->din + 4), 0);
}

/* ---- REGISTER AND MOVE ---- */

/*
 * Multipath: the I_T nexus includes the target port.  Initiator port A
 * registered through target port 1 is not registered through port 2; there
 * it registers on its own, and READ FULL STATUS names both ports.
 */
static void test_target_ports(void **state)
{
	harness *h = *state;
	static const nx A2 = { 44, "iqn.2026-01.test:a", { 0x40, 0, 0, 0, 0, 1 } };
	uint8_t cdb[10] = { 0x5f, RES, WE, 0, 0, 0, 0, 0, 24, 0 }, p[24] = { 0 };
	uint8_t rfs[10] = { 0x5e, 3, 0, 0, 0, 0, 0, 0x10, 0x00, 0 };

	assert_int_equal(prout(h, &A, REG, 0, 0, 0xa), 0);
	/* A through port 2: RESERVE with port 1's key is a conflict */
	vitk_put_be64(p, 0xa);
	memset(&h->cmd, 0, sizeof(h->cmd));
	h->cmd.cdb = cdb, h->cmd.cdb_len = 10, h->cmd.dout = p, h->cmd.dout_len = 24;
	h->cmd.nexus = A2.nexus, h->cmd.initiator = A2.name, h->cmd.isid = A2.isid;
	h->cmd.rel_port = 2;
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	assert_int_equal(h->cmd.status, CONFLICT);
	/* REGISTER through port 2 */
	cdb[1] = REG, cdb[2] = 0;
	memset(p, 0, sizeof(p));
	vitk_put_be64(p + 8, 0xb);
	memset(&h->cmd, 0, sizeof(h->cmd));
	h->cmd.cdb = cdb, h->cmd.cdb_len = 10, h->cmd.dout = p, h->cmd.dout_len = 24;
	h->cmd.nexus = A2.nexus, h->cmd.initiator = A2.name, h->cmd.isid = A2.isid;
	h->cmd.rel_port = 2;
	assert_int_equal(tgt_device_exec(h->dev, &h->cmd), 0);
	assert_int_equal(h->cmd.status, 0);
	/* READ FULL STATUS: two registrations, ports 1 and 2 */
	assert_int_equal(run_as(h, &B, 0, rfs, sizeof(rfs), NULL, 0, 4096), 0);
	assert_int_equal(vitk_get_be32(h->din), 2); /* PRgeneration */
	assert_int_equal(vitk_get_be64(h->din + 8), 0xa);
	assert_int_equal(vitk_get_be16(h->din + 8 + 18), 1);
	{
		size_t second = 8 + 24 + vitk_get_be32(h->din + 8 + 20);

		assert_int_equal(vitk_get_be64(h->din + second), 0xb);
		assert_int_equal(vitk_get_be16(h->din + second + 18), 2);
	}
}

static uint8_t move(harness *h, const nx *n, uint8_t type, uint64_t key, uint64_t sakey,
		    const char *tid, bool unreg)
{
	uint8_t cdb[10] = { 0x5f, MOVE, type, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t p[24 + 4 + 64] = { 0 };
	size_t tl = (strlen(tid) + 1 + 3) & ~(size_t)3;

	if (tl < 20)
		tl = 20;
	vitk_put_be64(p, key);
	vitk_put_be64(p + 8, sakey);
	p[17] = unreg ? 0x02 : 0;
	vitk_put_be16(p + 18, 1);
	vitk_put_be32(p + 20, (uint32_t)(4 + tl));
	p[24] = 0x45;
	vitk_put_be16(p + 26, (uint16_t)tl);
	memcpy(p + 28, tid, strlen(tid));
	cdb[8] = (uint8_t)(28 + tl);
	return run_as(h, n, 0, cdb, 10, p, 28 + tl, 0);
}

static void test_register_and_move(void **state)
{
	harness *h = *state;

	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	/* not the holder */
	assert_int_equal(move(h, &A, WE, 0xaa, 0xbb, "iqn.2026-01.test:b,i,0x400000000002", false),
			 CONFLICT);
	assert_int_equal(prout(h, &A, RES, WE, 0xaa, 0), 0);
	/* to itself, a bad TransportID, key 0 */
	assert_int_equal(move(h, &A, WE, 0xaa, 0xbb, "iqn.2026-01.test:a,i,0x400000000001", false),
			 2);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x26, 0x00);
	assert_int_equal(move(h, &A, WE, 0xaa, 0xbb, "iqn.2026-01.test:b", false), 2);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x26, 0x00);
	assert_int_equal(move(h, &A, WE, 0xaa, 0, "iqn.2026-01.test:b,i,0x400000000002", false), 2);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x26, 0x00);
	assert_int_equal(prin(h, &A, 0), 1);
	/* B, unregistered so far, gets the reservation and key 0xbb; A stays */
	assert_int_equal(move(h, &A, WE, 0xaa, 0xbb, "iqn.2026-01.test:b,i,0x400000000002", false),
			 0);
	assert_int_equal(prin(h, &A, 1), 2);
	assert_int_equal(vitk_get_be64(h->din + 8), 0xbb);
	assert_int_equal(rw(h, &B, true), 0);
	assert_int_equal(rw(h, &A, true), CONFLICT);
	/* back to A, B unregisters */
	assert_int_equal(move(h, &B, WE, 0xbb, 0xa1, "iqn.2026-01.test:a,i,0x400000000001", true),
			 0);
	assert_int_equal(prin(h, &A, 0), 3);
	assert_int_equal(vitk_get_be32(h->din + 4), 8);
	assert_int_equal(vitk_get_be64(h->din + 8), 0xa1);
	prin(h, &A, 1);
	assert_int_equal(vitk_get_be64(h->din + 8), 0xa1);
}

/* ---- SPC-2 RESERVE / RELEASE and how they meet persistent reservations ---- */

static void test_reserve6(void **state)
{
	harness *h = *state;
	uint8_t res6[6] = { 0x16 }, rel6[6] = { 0x17 }, res10[10] = { 0x56 }, rel10[10] = { 0x57 };
	uint8_t inq[6] = { 0x12, 0, 0, 0, 36, 0 }, tur[6] = { 0 };

	assert_int_equal(run_as(h, &A, 0, res6, 6, NULL, 0, 0), 0);
	assert_int_equal(run_as(h, &A, 0, res6, 6, NULL, 0, 0), 0);
	assert_int_equal(run_as(h, &B, 0, res6, 6, NULL, 0, 0), CONFLICT);
	assert_int_equal(run_as(h, &B, 0, res10, 10, NULL, 0, 0), CONFLICT);
	/* another nexus: everything but INQUIRY & co. conflicts */
	assert_int_equal(run_as(h, &B, 0, inq, 6, NULL, 0, 36), 0);
	assert_int_equal(run_as(h, &B, 0, tur, 6, NULL, 0, 0), CONFLICT);
	assert_int_equal(rw(h, &B, false), CONFLICT);
	assert_int_equal(prout(h, &B, REG, 0, 0, 0xbb), CONFLICT);
	assert_int_equal(rw(h, &A, true), 0);
	/* RELEASE by another nexus is GOOD and releases nothing */
	assert_int_equal(run_as(h, &B, 0, rel6, 6, NULL, 0, 0), 0);
	assert_int_equal(rw(h, &B, false), CONFLICT);
	assert_int_equal(run_as(h, &A, 0, rel10, 10, NULL, 0, 0), 0);
	assert_int_equal(rw(h, &B, false), 0);
	/* the session ends: its reservation goes with it */
	assert_int_equal(run_as(h, &A, 0, res10, 10, NULL, 0, 0), 0);
	tgt_device_nexus_gone(h->dev, A.nexus);
	assert_int_equal(run_as(h, &B, 0, res6, 6, NULL, 0, 0), 0);
	/* so does a LUN reset */
	assert_int_equal(tgt_device_lun_reset(h->dev, 0), 0);
	tur_clear(h, &A);
	tur_clear(h, &B);
	assert_int_equal(run_as(h, &A, 0, res6, 6, NULL, 0, 0), 0);
	assert_int_equal(run_as(h, &A, 0, rel6, 6, NULL, 0, 0), 0);
	/* a registration makes RESERVE and RELEASE conflict (CRH = 0) */
	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(run_as(h, &B, 0, res6, 6, NULL, 0, 0), CONFLICT);
	assert_int_equal(run_as(h, &A, 0, rel6, 6, NULL, 0, 0), CONFLICT);
	/* third-party and extent reservations are refused */
	assert_int_equal(prout(h, &A, REG, 0, 0xaa, 0), 0);
	res6[1] = 0x01;
	run_as(h, &A, 0, res6, 6, NULL, 0, 0);
	h_assert_sense(h, VITK_SCSI_KEY_ILLEGAL_REQUEST, 0x24, 0x00);
}

/* ---- the copy manager ---- */

static void test_copy_manager(void **state)
{
	harness *h = *state;
	uint8_t list[16 + 64 + 28] = { 0 }, cdb[16];
	uint8_t d1[20];

	/* LUN 0 held Exclusive Access by A; B copies LUN 1 -> LUN 0 and back */
	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &A, RES, EA, 0xaa, 0), 0);
	/* an EXTENDED COPY(LID1) list: two identification CSCDs, one block segment */
	list[0] = 0; /* list id */
	list[1] = 0x18; /* list id usage 11b: none */
	vitk_put_be16(list + 2, 64);
	vitk_put_be32(list + 8, 28);
	for (int i = 0; i < 2; i++) {
		uint8_t *c = list + 16 + 32 * i;
		tgt_lun *l = dev__find_lun(h->dev, (uint64_t)i);

		c[0] = 0xe4;
		lun__naa_designator(d1, l);
		memcpy(c + 4, d1, 20);
		c[28] = 0; /* device type specific: block length 512 */
		c[30] = 0x02;
	}
	{
		uint8_t *s = list + 16 + 64;

		s[0] = 0x02;
		vitk_put_be16(s + 2, 24);
		vitk_put_be16(s + 4, 1); /* src: LUN 1 */
		vitk_put_be16(s + 6, 0); /* dst: LUN 0 */
		vitk_put_be16(s + 10, 1);
	}
	h_cdb_tpc(cdb, 0x83, 0x00, 0, sizeof(list));
	/* B (unregistered) writes LUN 0 through the copy manager: conflict */
	run_as(h, &B, 1, cdb, 16, list, sizeof(list), 0);
	if (h->cmd.status == 2)
		fail_msg("sense %x %02x/%02x field %u", h->cmd.sense[2], h->cmd.sense[12],
			 h->cmd.sense[13], vitk_get_be16(h->cmd.sense + 16));
	assert_int_equal(h->cmd.status, CONFLICT);
	/* reading LUN 0 (Exclusive Access) is refused too */
	vitk_put_be16(list + 16 + 64 + 4, 0);
	vitk_put_be16(list + 16 + 64 + 6, 1);
	assert_int_equal(run_as(h, &B, 1, cdb, 16, list, sizeof(list), 0), CONFLICT);
	/* the holder copies */
	assert_int_equal(run_as(h, &A, 1, cdb, 16, list, sizeof(list), 0), 0);
	/* Write Exclusive: B may read LUN 0 but not write it */
	assert_int_equal(prout(h, &A, REL, EA, 0xaa, 0), 0);
	assert_int_equal(prout(h, &A, RES, WE, 0xaa, 0), 0);
	assert_int_equal(run_as(h, &B, 1, cdb, 16, list, sizeof(list), 0), 0);
	vitk_put_be16(list + 16 + 64 + 4, 1);
	vitk_put_be16(list + 16 + 64 + 6, 0);
	assert_int_equal(run_as(h, &B, 1, cdb, 16, list, sizeof(list), 0), CONFLICT);
}

static void test_copy_manager_token(void **state)
{
	harness *h = *state;
	uint8_t pt[32] = { 0 }, cdb[16], wut[536 + 16] = { 0 };
	size_t sk;

	/* B makes a token of LUN 1 blocks 0-7 (list id 1) */
	vitk_put_be16(pt, sizeof(pt) - 2);
	vitk_put_be16(pt + 14, 16);
	vitk_put_be32(pt + 24, 8);
	h_cdb_tpc(cdb, 0x83, 0x10, 1, sizeof(pt));
	assert_int_equal(run_as(h, &B, 1, cdb, 16, pt, sizeof(pt), 0), 0);
	h_cdb_tpc(cdb, 0x84, 0x07, 1, 1024);
	assert_int_equal(run_as(h, &B, 1, cdb, 16, NULL, 0, 1024), 0);
	sk = h->din[13];
	assert_int_equal(vitk_get_be32(h->din + 32 + sk), 514);
	vitk_put_be16(wut, sizeof(wut) - 2);
	memcpy(wut + 16, h->din + 32 + sk + 6, 512);
	vitk_put_be16(wut + 534, 16);
	vitk_put_be64(wut + 536, 100);
	vitk_put_be32(wut + 544, 8);
	h_cdb_tpc(cdb, 0x83, 0x11, 2, sizeof(wut));

	/* A takes LUN 1 (the token's source) Write Exclusive: B may still read it */
	assert_int_equal(prout_lun(h, &A, 1, REG, 0, 0, 0xaa, 0), 0);
	assert_int_equal(prout_lun(h, &A, 1, RES, WE, 0xaa, 0, 0), 0);
	assert_int_equal(run_as(h, &B, 0, cdb, 16, wut, sizeof(wut), 0), 0);
	/* Exclusive Access: the write that would read LUN 1 conflicts */
	assert_int_equal(prout_lun(h, &A, 1, REL, WE, 0xaa, 0, 0), 0);
	assert_int_equal(prout_lun(h, &A, 1, RES, EA, 0xaa, 0, 0), 0);
	assert_int_equal(run_as(h, &B, 0, cdb, 16, wut, sizeof(wut), 0), CONFLICT);
	assert_int_equal(h->cmd.sense_len, 0);
	/* and a reservation on the destination LUN 0 stops it before that */
	assert_int_equal(prout_lun(h, &A, 1, REL, EA, 0xaa, 0, 0), 0);
	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(prout(h, &A, RES, WE, 0xaa, 0), 0);
	assert_int_equal(run_as(h, &B, 0, cdb, 16, wut, sizeof(wut), 0), CONFLICT);
	assert_int_equal(run_as(h, &A, 0, cdb, 16, wut, sizeof(wut), 0), 0);
	/* POPULATE TOKEN reads its LUN: Exclusive Access refuses it */
	assert_int_equal(prout(h, &A, REL, WE, 0xaa, 0), 0);
	assert_int_equal(prout(h, &A, RES, EA, 0xaa, 0), 0);
	h_cdb_tpc(cdb, 0x83, 0x10, 3, sizeof(pt));
	assert_int_equal(run_as(h, &B, 0, cdb, 16, pt, sizeof(pt), 0), CONFLICT);
}

static int setup(void **state)
{
	return h_setup(state);
}

static int teardown(void **state)
{
	harness *h = *state;
	char pr[700];
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(pr, sizeof(pr), "%s.pr", h->path[i]);
		unlink(pr);
	}
	return h_teardown(state);
}

/* ---- APTPL ---- */

static tgt_device *reopen(harness *h)
{
	tgt_device_free(h->dev);
	h->dev = NULL;
	unlink(h->path[3]);
	h->dev = h_new_device(h, 0, 0, 0);
	return h->dev;
}

static void test_aptpl_restart(void **state)
{
	harness *h = *state;
	char pr[700];
	struct stat st;

	snprintf(pr, sizeof(pr), "%s.pr", h->path[0]);
	/* without APTPL nothing survives */
	assert_int_equal(prout(h, &A, REG, 0, 0, 0xaa), 0);
	assert_int_equal(stat(pr, &st), -1);
	reopen(h);
	assert_int_equal(prin(h, &A, 0), 0);
	assert_int_equal(vitk_get_be32(h->din + 4), 0);

	/* APTPL: two registrations and A's reservation come back */
	assert_int_equal(prout_lun(h, &A, 0, REG, 0, 0, 0xaa, 0x01), 0);
	assert_int_equal(prout_lun(h, &B, 0, REG, 0, 0, 0xbb, 0x01), 0);
	assert_int_equal(prout(h, &A, RES, WE_RO, 0xaa, 0), 0);
	assert_int_equal(stat(pr, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	reopen(h);
	assert_int_equal(prin(h, &C, 0), 2);
	assert_int_equal(vitk_get_be32(h->din + 4), 16);
	assert_int_equal(vitk_get_be64(h->din + 8), 0xaa);
	assert_int_equal(vitk_get_be64(h->din + 16), 0xbb);
	prin(h, &C, 1);
	assert_int_equal(vitk_get_be64(h->din + 8), 0xaa);
	assert_int_equal(h->din[8 + 13], WE_RO);
	prin(h, &C, 2);
	assert_int_equal(h->din[3], 0x81);
	/* the reservation still works: C (unregistered) may not write */
	assert_int_equal(rw(h, &C, true), CONFLICT);
	assert_int_equal(rw(h, &B, true), 0);
	/* PREEMPT survives too, with its generation */
	assert_int_equal(prout(h, &B, PRE, EA, 0xbb, 0xaa), 0);
	reopen(h);
	assert_int_equal(prin(h, &C, 1), 3);
	assert_int_equal(vitk_get_be64(h->din + 8), 0xbb);
	assert_int_equal(h->din[8 + 13], EA);
	/* REGISTER with APTPL 0 removes the file */
	assert_int_equal(prout_lun(h, &B, 0, REG, 0, 0xbb, 0xbc, 0), 0);
	assert_int_equal(stat(pr, &st), -1);
	reopen(h);
	assert_int_equal(prin(h, &C, 0), 0);
}

static void test_aptpl_damaged_file(void **state)
{
	harness *h = *state;
	char pr[700];
	FILE *f;
	tgt_lun_config c = { 0 };
	tgt_device_options o = { .iqn = "iqn.2026-01.io.vitk:test" };
	tgt_device *d = NULL;

	snprintf(pr, sizeof(pr), "%s.pr", h->path[0]);
	f = fopen(pr, "w");
	assert_non_null(f);
	fputs("vitk-pr 1\ngeneration 4\nreservation 1 7\nreg 00000000000000aa 400000000001 x\n",
	      f);
	fclose(f);
	assert_int_equal(tgt_device_new(&d, &o), 0);
	c.path = h->path[0];
	c.block_size = 512;
	assert_int_equal(tgt_device_add_lun(d, &c), VITK_EINVAL); /* holder 7 of 1 */
	f = fopen(pr, "w");
	fputs("vitk-pr 1\ngeneration 4\nreservation 1 0\nreg 00000000000000aa 400000000001 x\n",
	      f);
	fclose(f);
	assert_int_equal(tgt_device_add_lun(d, &c), 0);
	tgt_device_free(d);

	/* each kind of damage: VITK_EINVAL, one message naming the file and why */
	{
		static const struct {
			const char *text, *why;
		} bad[] = {
			{ "", "empty file" },
			{ "vitk-pr 2\ngeneration 4\nreservation 0 -1\n"
			  "reg 00000000000000aa 400000000001 x 1\n",
			  "cut short (no end line)" },
			{ "vitk-pr 2\ngeneration 4\nreservation 0 -1\nreg 00000000000000aa 4000",
			  "line 4: cut short (no newline)" },
			{ "PK\x03\x04 zip\n", "line 1: not a vitk reservation state file" },
			{ "vitk-pr 2\ngeneration 4\nend\n", "no reservation line" },
			{ "vitk-pr 2\ngeneration 4\nreservation 0 -1\nend\nreg 1 400000000001 x\n",
			  "line 5: text after the end line" },
			{ "vitk-pr 2\ngeneration 1\nreservation 0 -1\n"
			  "reg 00000000000000aa 400000000001 x 1\n"
			  "reg 00000000000000bb 400000000001 x 1\nend\n",
			  "line 5: initiator port registered twice" },
			{ "vitk-pr 2\ngeneration 1\nreservation 2 0\n"
			  "reg 00000000000000aa 400000000001 x 1\nend\n",
			  "reservation type 2 is not one of SPC-4's" },
		};
		size_t i;

		for (i = 0; i < VITK_ARRAY_SIZE(bad); i++) {
			char want[900];

			f = fopen(pr, "w");
			assert_non_null(f);
			fputs(bad[i].text, f);
			fclose(f);
			assert_int_equal(tgt_device_new(&d, &o), 0);
			assert_int_equal(tgt_device_add_lun(d, &c), VITK_EINVAL);
			snprintf(want, sizeof(want), "lun 0: reservation state file '%s': %s", pr,
				 bad[i].why);
			if (strncmp(vitk_error_last()->message, want, strlen(want)) != 0)
				fail_msg("case %zu: '%s', want '%s...'", i, vitk_error_last()->message,
					 want);
			tgt_device_free(d);
		}
	}
}

/* the state file is replaced whole; with no registration left it is removed */
static void test_aptpl_file_lifecycle(void **state)
{
	harness *h = *state;
	char pr[700], buf[800] = "";
	struct stat st;
	FILE *f;

	snprintf(pr, sizeof(pr), "%s.pr", h->path[0]);
	assert_int_equal(prout_lun(h, &A, 0, REG, 0, 0, 0xaa, 0x01), 0);
	assert_int_equal(prout(h, &A, RES, WE, 0xaa, 0), 0);
	f = fopen(pr, "r");
	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	assert_string_equal(buf, "vitk-pr 2\ngeneration 1\nreservation 1 0\n"
				 "reg 00000000000000aa 400000000001 iqn.2026-01.test:a 1\nend\n");
	snprintf(buf, sizeof(buf), "%s.tmp", pr);
	assert_int_equal(stat(buf, &st), -1); /* renamed into place */
	assert_int_equal(prout(h, &A, CLR, 0, 0xaa, 0), 0);
	assert_int_equal(stat(pr, &st), -1);
	reopen(h);
	assert_int_equal(prin(h, &A, 0), 0);
	assert_int_equal(vitk_get_be32(h->din + 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_capabilities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_release_all_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_per_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preempt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preempt_all_registrants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preempt_and_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ua_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unregister_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_and_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_manager, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_manager_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aptpl_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aptpl_damaged_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aptpl_file_lifecycle, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
