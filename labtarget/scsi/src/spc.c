/* SPDX-License-Identifier: MIT */
/*
 * SPC primary commands: INQUIRY (standard + VPD), MODE SENSE(6/10),
 * REQUEST SENSE, REPORT LUNS and REPORT SUPPORTED OPERATION CODES (generated
 * from the command descriptor table, labtarget/scsi/cdb.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/common.h>

#include "dev_internal.h"

/* ---- INQUIRY ---- */

static void put_str(uint8_t *dst, const char *s, size_t n)
{
	size_t k = strlen(s);

	memset(dst, ' ', n);
	memcpy(dst, s, k < n ? k : n);
}

static size_t inquiry_std(const tgt_lun *l, uint8_t *b)
{
	(void)l;
	memset(b, 0, 96);
	b[0] = 0x00;        /* direct access block device */
	b[2] = 0x06;        /* SPC-4 */
	b[3] = 0x12;        /* HISUP, response data format 2 */
	b[4] = 96 - 5;
	b[5] = 0x08;        /* 3PC: third-party copy supported */
	b[7] = 0x02;        /* CMDQUE */
	put_str(b + 8, "VITK", 8);
	put_str(b + 16, "ODX LAB TARGET", 16);
	put_str(b + 32, "0001", 4);
	/* version descriptors: SAM-5, iSCSI, SPC-4, SBC-3 */
	vitk_put_be16(b + 58, 0x00a0);
	vitk_put_be16(b + 60, 0x0960);
	vitk_put_be16(b + 62, 0x0460);
	vitk_put_be16(b + 64, 0x04c0);
	return 96;
}

static size_t vpd_supported(uint8_t *b)
{
	static const uint8_t pages[] = {
		VITK_SCSI_VPD_SUPPORTED_PAGES,	 VITK_SCSI_VPD_UNIT_SERIAL,
		VITK_SCSI_VPD_DEVICE_ID,	 VITK_SCSI_VPD_THIRD_PARTY_COPY,
		VITK_SCSI_VPD_BLOCK_LIMITS,	 VITK_SCSI_VPD_BLOCK_CHARACTERISTICS,
		VITK_SCSI_VPD_LOGICAL_BLOCK_PROVISIONING,
	};

	b[1] = VITK_SCSI_VPD_SUPPORTED_PAGES;
	vitk_put_be16(b + 2, sizeof(pages));
	memcpy(b + 4, pages, sizeof(pages));
	return 4 + sizeof(pages);
}

static size_t vpd_serial(const tgt_lun *l, uint8_t *b)
{
	size_t n = strlen(l->serial);

	b[1] = VITK_SCSI_VPD_UNIT_SERIAL;
	vitk_put_be16(b + 2, (uint16_t)n);
	memcpy(b + 4, l->serial, n);
	return 4 + n;
}

static size_t vpd_devid(const tgt_device *d, const tgt_lun *l, uint8_t *b)
{
	size_t n = 4;
	char t10[8 + 16 + 1 + 16 + 1];
	size_t tl;

	(void)d;
	b[1] = VITK_SCSI_VPD_DEVICE_ID;
	/* NAA-6, 16 bytes, associated with the LU */
	lun__naa_designator(b + n, l);
	n += 20;
	/* T10 vendor id: "VITK    " + product-ish + serial */
	memset(t10, 0, sizeof(t10));
	memcpy(t10, "VITK    ", 8);
	tl = 8 + (size_t)snprintf(t10 + 8, sizeof(t10) - 8, "ODXLAB-%s", l->serial);
	b[n] = 0x02; /* ASCII */
	b[n + 1] = 0x01; /* LU, T10 vendor id */
	b[n + 3] = (uint8_t)tl;
	memcpy(b + n + 4, t10, tl);
	n += 4 + tl;
	vitk_put_be16(b + 2, (uint16_t)(n - 4));
	return n;
}

static size_t vpd_block_limits(const tgt_lun *l, uint8_t *b)
{
	b[1] = VITK_SCSI_VPD_BLOCK_LIMITS;
	vitk_put_be16(b + 2, 0x3c);
	b[4] = 0x00;                                   /* WSNZ=0 */
	b[5] = 255;                                    /* max COMPARE AND WRITE length */
	vitk_put_be16(b + 6, (uint16_t)(1u << l->lbppbe)); /* optimal transfer granularity */
	vitk_put_be32(b + 8, (8u << 20) >> l->bs_shift);  /* max transfer length */
	vitk_put_be32(b + 12, (1u << 20) >> l->bs_shift); /* optimal transfer length */
	vitk_put_be32(b + 16, 0);                      /* max prefetch */
	vitk_put_be32(b + 20, 0xffffffffu);            /* max unmap LBA count */
	vitk_put_be32(b + 24, 256);                    /* max unmap block descriptors */
	vitk_put_be32(b + 28, 1u << l->lbppbe);        /* optimal unmap granularity: a physical block */
	vitk_put_be32(b + 32, 0);                      /* UGAVALID=0 */
	vitk_put_be64(b + 36, (1ull << 36) >> l->bs_shift); /* max write same length */
	return 64;
}

static size_t vpd_block_chars(const tgt_lun *l, uint8_t *b)
{
	b[1] = VITK_SCSI_VPD_BLOCK_CHARACTERISTICS;
	vitk_put_be16(b + 2, 0x3c);
	vitk_put_be16(b + 4, 0x0001); /* non-rotating medium */
	/* WABEREQ, WACEREQ 01b: a read after BLOCK/CRYPTO ERASE succeeds
	 * (the blocks read as zeros); form factor not reported */
	b[7] = l->sanitize ? 0x50 : 0;
	return 64;
}

static size_t vpd_lbp(uint8_t *b)
{
	b[1] = VITK_SCSI_VPD_LOGICAL_BLOCK_PROVISIONING;
	vitk_put_be16(b + 2, 4);
	b[4] = 0;
	b[5] = 0x80 | 0x40 | 0x20 | 0x04; /* LBPU LBPWS LBPWS10 LBPRZ */
	b[6] = 0x02;                      /* thin provisioned */
	return 8;
}

void spc__inquiry(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint8_t b[1024];
	size_t alloc = vitk_get_be16(cmd->cdb + 3);
	bool evpd = cmd->cdb[1] & 0x01;
	uint8_t page = cmd->cdb[2];
	size_t n;

	if (cmd->cdb[1] & 0xfe) { /* CMDDT (obsolete) and reserved bits */
		sense__invalid_cdb(cmd, 1, 1); /* CMDDT */
		return;
	}
	memset(b, 0, sizeof(b));
	if (!evpd) {
		if (page) {
			sense__invalid_cdb(cmd, 2, -1); /* PAGE CODE without EVPD */
			return;
		}
		n = inquiry_std(l, b);
		sense__put_din(cmd, b, n, alloc);
		return;
	}
	switch (page) {
	case VITK_SCSI_VPD_SUPPORTED_PAGES:
		n = vpd_supported(b);
		break;
	case VITK_SCSI_VPD_UNIT_SERIAL:
		n = vpd_serial(l, b);
		break;
	case VITK_SCSI_VPD_DEVICE_ID:
		n = vpd_devid(d, l, b);
		break;
	case VITK_SCSI_VPD_THIRD_PARTY_COPY:
		n = tpc__vpd_8f(d, l, b, sizeof(b));
		break;
	case VITK_SCSI_VPD_BLOCK_LIMITS:
		n = vpd_block_limits(l, b);
		break;
	case VITK_SCSI_VPD_BLOCK_CHARACTERISTICS:
		n = vpd_block_chars(l, b);
		break;
	case VITK_SCSI_VPD_LOGICAL_BLOCK_PROVISIONING:
		n = vpd_lbp(b);
		break;
	default:
		sense__invalid_cdb(cmd, 2, -1); /* PAGE CODE */
		return;
	}
	b[0] = 0x00;
	sense__put_din(cmd, b, n, alloc);
}

/* ---- MODE SENSE ---- */

static size_t page_caching(uint8_t *p, uint8_t pc)
{
	memset(p, 0, 20);
	p[0] = VITK_SCSI_MODE_PAGE_CACHING;
	p[1] = 0x12;
	if (pc != 1)
		p[2] = 0x04; /* WCE: writes land in the page cache until SYNC/FUA */
	return 20;
}

size_t spc__page_control(uint8_t *p, uint8_t pc, const tgt_lun *l)
{
	memset(p, 0, 12);
	p[0] = VITK_SCSI_MODE_PAGE_CONTROL;
	p[1] = 0x0a;
	if (pc == 1)
		p[4] = 0x08; /* SWP is changeable (MODE SELECT, sanitize.c) */
	else if (__atomic_load_n(&l->swp, __ATOMIC_RELAXED))
		p[4] = 0x08;
	if (pc != 1) {
		p[2] = 0x00;             /* TST=0, D_SENSE=0: fixed-format sense */
		p[3] = 0x10;             /* queue algorithm modifier 1 (unrestricted) */
		vitk_put_be16(p + 8, 0xffff); /* busy timeout period: unlimited */
	}
	return 12;
}

static size_t page_iec(uint8_t *p, uint8_t pc)
{
	(void)pc;
	memset(p, 0, 12);
	p[0] = VITK_SCSI_MODE_PAGE_INFO_EXCEPTIONS;
	p[1] = 0x0a;
	return 12;
}

void spc__mode_sense(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	bool ten = c[0] == VITK_SCSI_OP_MODE_SENSE10;
	bool dbd = c[1] & 0x08, llbaa = ten && (c[1] & 0x10);
	uint8_t pc = c[2] >> 6, page = c[2] & 0x3f, sub = c[3];
	size_t alloc = ten ? vitk_get_be16(c + 7) : c[4];
	uint8_t b[512];
	size_t hdr = ten ? 8 : 4, n, bdl = 0;
	bool wp = l->ro || __atomic_load_n(&l->swp, __ATOMIC_RELAXED);

	(void)d;
	if (pc == 3) {
		sense__set(cmd, VITK_SCSI_KEY_ILLEGAL_REQUEST, VITK_SCSI_ASC_SAVING_PARAMS_UNSUPPORTED);
		return;
	}
	if (sub != 0 && !(sub == 0xff && page == VITK_SCSI_MODE_PAGE_ALL)) {
		sense__invalid_cdb(cmd, 3, -1); /* SUBPAGE CODE */
		return;
	}
	memset(b, 0, sizeof(b));
	n = hdr;
	if (!dbd) {
		if (llbaa) {
			vitk_put_be64(b + n, l->nblocks);
			vitk_put_be32(b + n + 12, l->bs);
			bdl = 16;
		} else {
			vitk_put_be32(b + n, l->nblocks > 0xffffffffull ? 0xffffffffu
								: (uint32_t)l->nblocks);
			vitk_put_be24(b + n + 5, l->bs);
			bdl = 8;
		}
		n += bdl;
	}
	switch (page) {
	case VITK_SCSI_MODE_PAGE_CACHING:
		n += page_caching(b + n, pc);
		break;
	case VITK_SCSI_MODE_PAGE_CONTROL:
		n += spc__page_control(b + n, pc, l);
		break;
	case VITK_SCSI_MODE_PAGE_INFO_EXCEPTIONS:
		n += page_iec(b + n, pc);
		break;
	case VITK_SCSI_MODE_PAGE_ALL:
		n += page_caching(b + n, pc);
		n += spc__page_control(b + n, pc, l);
		n += page_iec(b + n, pc);
		break;
	default:
		sense__invalid_cdb(cmd, 2, 5); /* PAGE CODE */
		return;
	}
	/* device-specific parameter: WP for read-only LUNs, DPOFUA supported */
	if (ten) {
		vitk_put_be16(b, (uint16_t)(n - 2));
		b[3] = (uint8_t)((wp ? 0x80 : 0) | 0x10);
		b[4] = llbaa && bdl ? 0x01 : 0;
		vitk_put_be16(b + 6, (uint16_t)bdl);
	} else {
		b[0] = (uint8_t)(n - 1);
		b[2] = (uint8_t)((wp ? 0x80 : 0) | 0x10);
		b[3] = (uint8_t)bdl;
	}
	sense__put_din(cmd, b, n, alloc);
}

/* ---- REQUEST SENSE ---- */

void spc__request_sense(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint8_t b[18] = { 0 };

	(void)d;
	(void)l;
	/* autosense delivers every check condition, so nothing is pending */
	if (cmd->cdb[1] & 0x01) { /* DESC: descriptor format */
		b[0] = VITK_SCSI_SENSE_DESC_CURRENT;
		sense__put_din(cmd, b, 8, cmd->cdb[4]);
		return;
	}
	b[0] = VITK_SCSI_SENSE_FIXED_CURRENT;
	b[7] = 10;
	sense__put_din(cmd, b, sizeof(b), cmd->cdb[4]);
}

/* ---- REPORT LUNS ---- */

/* the LUN entries the session may see (LUN masking), into @out when set; the count */
static size_t report_visible(const tgt_device *d, const tgt_cmd *cmd, uint8_t *out)
{
	size_t i, k = 0;

	for (i = 0; out && i < d->luns.size; i++) {
		unsigned lun = d->luns.ptr[i]->lun;

		if (!lun__visible(d->luns.ptr[i], cmd->initiator))
			continue;
		if (lun < 256) {
			out[8 * k + 1] = (uint8_t)lun;
		} else { /* flat space addressing */
			out[8 * k] = (uint8_t)(0x40 | (lun >> 8));
			out[8 * k + 1] = (uint8_t)lun;
		}
		k++;
	}
	return k;
}

void spc__report_luns(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	uint32_t alloc = vitk_get_be32(cmd->cdb + 6);
	uint8_t sel = cmd->cdb[2];
	uint8_t *b = NULL;
	size_t n = 8 + 8 * d->luns.size;

	(void)l; /* NULL: REPORT LUNS answers for every LUN number */
	if (sel > 0x02 && sel != 0x10 && sel != 0x11 && sel != 0x12) {
		sense__invalid_cdb(cmd, 2, -1); /* SELECT REPORT */
		return;
	}
	if (alloc < 16) {
		sense__invalid_cdb(cmd, 6, -1); /* ALLOCATION LENGTH < 16 */
		return;
	}
	if (sel == 0x01 || sel == 0x11)
		n = 8; /* no well-known LUs */
	b = calloc(1, n);
	if (!b) {
		sense__set(cmd, VITK_SCSI_KEY_HARDWARE_ERROR, VITK_SCSI_ASC_SYSTEM_RESOURCE_FAILURE);
		return;
	}
	n = 8 + 8 * report_visible(d, cmd, n > 8 ? b + 8 : NULL);
	vitk_put_be32(b, (uint32_t)(n - 8));
	sense__put_din(cmd, b, n, alloc);
	free(b);
}

/* ---- REPORT SUPPORTED OPERATION CODES ---- */

/* SANITIZE is offered only by LUNs configured with it */
static bool row_hidden(const tgt_lun *l, const tgt_cdb_desc *r)
{
	return r->op == TGT_OP_SANITIZE && !l->sanitize;
}

void spc__rsoc(tgt_device *d, tgt_lun *l, tgt_cmd *cmd)
{
	const uint8_t *c = cmd->cdb;
	bool rctd = c[2] & 0x80;
	uint8_t opts = c[2] & 0x07, rop = c[3];
	uint16_t rsa = vitk_get_be16(c + 4);
	uint32_t alloc = vitk_get_be32(c + 6);
	size_t ntab, i, n = 0;
	const tgt_cdb_desc *t = tgt_cdb_table(&ntab);
	const tgt_cdb_desc *e = NULL;
	uint8_t b[4 + 96 * 20];

	(void)d;
	if (ntab > 96) { /* b[] holds 96 descriptors with timeouts */
		sense__set(cmd, VITK_SCSI_KEY_HARDWARE_ERROR, VITK_SCSI_ASC_INTERNAL_TARGET_FAILURE);
		return;
	}
	memset(b, 0, sizeof(b));
	if (opts == 0) {
		n = 4;
		for (i = 0; i < ntab; i++) {
			uint8_t *p = b + n;

			if (row_hidden(l, &t[i]))
				continue;
			p[0] = t[i].op;
			vitk_put_be16(p + 2, t[i].sa != TGT_NO_SA ? t[i].sa : 0);
			p[5] = (uint8_t)((t[i].sa != TGT_NO_SA ? 0x01 : 0) | (rctd ? 0x02 : 0));
			vitk_put_be16(p + 6, t[i].cdb_len);
			n += 8;
			if (rctd) {
				vitk_put_be16(p + 8, 0x0a); /* timeouts descriptor length */
				vitk_put_be32(p + 12, 0);  /* nominal: not specified */
				vitk_put_be32(p + 16, 600); /* recommended seconds */
				n += 12;
			}
		}
		vitk_put_be32(b, (uint32_t)(n - 4));
		sense__put_din(cmd, b, n, alloc);
		return;
	}
	if (opts > 3) {
		sense__invalid_cdb(cmd, 2, 2); /* REPORTING OPTIONS */
		return;
	}
	if (opts == 1 && tgt_cdb_op_has_sa(rop)) {
		sense__invalid_cdb(cmd, 2, 2); /* REPORTING OPTIONS */
		return;
	}
	if (opts == 2 && !tgt_cdb_op_has_sa(rop) && tgt_cdb_lookup(&rop, 1) != TGT_CDB_UNKNOWN_OP) {
		sense__invalid_cdb(cmd, 2, 2); /* REPORTING OPTIONS */
		return;
	}
	for (i = 0; i < ntab; i++) {
		if (t[i].op != rop)
			continue;
		if (t[i].sa != TGT_NO_SA && (opts == 1 || t[i].sa != rsa))
			continue;
		if (row_hidden(l, &t[i]))
			continue;
		e = &t[i];
		break;
	}
	b[1] = e ? 0x03 : 0x01; /* supported per standard / not supported */
	if (e) {
		if (rctd)
			b[1] |= 0x80;
		vitk_put_be16(b + 2, e->cdb_len);
		memcpy(b + 4, e->usage, e->cdb_len);
		n = 4 + e->cdb_len;
		if (rctd) {
			vitk_put_be16(b + n, 0x0a);
			vitk_put_be32(b + n + 8, 600);
			n += 12;
		}
	} else {
		n = 4;
	}
	sense__put_din(cmd, b, n, alloc);
}
