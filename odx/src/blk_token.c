/*
 * One ROD token for several ranges: a POPULATE TOKEN whose parameter list
 * holds one block device range descriptor per source range, then a WRITE USING
 * TOKEN with one per destination range (SBC-4, POPULATE TOKEN and WRITE USING
 * TOKEN; docs/scsi-third-party-copy.md).  Used for LVs split into several PV
 * segments, within both devices' maximum range descriptor counts (VPD 8Fh ROD
 * token features) and maximum token transfer sizes.
 *
 * All or nothing: a status other than GOOD, a token that represents fewer
 * blocks than asked, or a write that reports fewer, makes the caller copy the
 * group again piece by piece with the engine (which handles truncation,
 * expired tokens and the host fallback).  Copying the same blocks twice is
 * harmless: the source does not change while the job runs.  The WRITE USING
 * TOKEN sets DEL_TKN: the token is used once, and the copy manager frees its
 * slot at once instead of after the inactivity timeout.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vitk/error.h>
#include <vitk/scsi.h>
#include <vitk/scsi_constants.h>
#include <vitk/sys/odx_blk.h>

#define MR_MAX_RANGES 64
#define MR_POLLS 10000
#define MR_TIMEOUT_MS 120000

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int check_good(const vitk_scsi_result *res, const char *what, char *why, size_t wlen)
{
	if (res->status == 0)
		return 0;
	if (res->sense_ok)
		snprintf(why, wlen, "%s: status %02Xh, sense %Xh/%02Xh/%02Xh", what, res->status,
			 res->sense_parsed.sense_key, res->sense_parsed.asc, res->sense_parsed.ascq);
	else
		snprintf(why, wlen, "%s: status %02Xh", what, res->status);
	return 1;
}

/* RRTI for LID until no longer in progress; 1 (why filled) when the device is unhappy */
static int rrti(vitk_odx_dev *d, uint32_t lid, vitk_scsi_rrti *out, char *why, size_t wlen)
{
	vitk_scsi_transport *t = vitk_odx_dev_transport(d);
	const vitk_odx_dev_info *info = vitk_odx_dev_get_info(d);
	uint8_t cdb[16], buf[1024];
	vitk_scsi_result res;

	for (int polls = 0; polls < MR_POLLS; polls++) {
		int r;

		vitk_scsi_cdb_receive_copy(cdb, VITK_SCSI_SA_RRTI, lid, sizeof(buf));
		r = vitk_scsi_exec(t, cdb, 16, buf, sizeof(buf), NULL, 0, MR_TIMEOUT_MS, &res);
		if (r < 0)
			return r;
		if (check_good(&res, "RECEIVE ROD TOKEN INFORMATION", why, wlen))
			return 1;
		if (vitk_scsi_rrti_parse(out, buf, res.din_got) < 0 ||
		    vitk_scsi_transfer_count_blocks(out->transfer_count_units, out->transfer_count,
						    info->block_size, &out->transfer_count) < 0) {
			snprintf(why, wlen, "RECEIVE ROD TOKEN INFORMATION: %s", vitk_error_last()->message);
			vitk_error_clear();
			return 1;
		}
		if (!vitk_scsi_copy_status_in_progress(out->copy_status))
			return 0;
		sleep_ms(out->status_update_delay_ms < 1000 ? out->status_update_delay_ms : 1000);
	}
	snprintf(why, wlen, "copy operation %u still in progress after %d polls", lid, MR_POLLS);
	return 1;
}

static uint32_t next_lid(void)
{
	static uint32_t lid;

	if (!lid)
		lid = 0x4d520000u ^ ((uint32_t)getpid() << 4);
	return ++lid;
}

int vitk_odx_blk_token_group(vitk_odx_dev *src, vitk_odx_dev *dst, const vitk_odx_blk_piece *p,
			     size_t n, uint64_t *commands, char *why, size_t wlen)
{
	vitk_scsi_range sr[MR_MAX_RANGES], dr[MR_MAX_RANGES];
	uint8_t pl[VITK_SCSI_WUT_HDR_LEN + MR_MAX_RANGES * VITK_SCSI_RANGE_DESC_LEN], cdb[16];
	uint8_t token[VITK_SCSI_ROD_TOKEN_LEN];
	vitk_scsi_transport *st, *dt;
	vitk_scsi_result res;
	vitk_scsi_rrti info;
	uint64_t total = 0;
	uint32_t lid;
	int len, r;

	if (n == 0 || n > MR_MAX_RANGES) {
		snprintf(why, wlen, "%zu ranges (1..%d)", n, MR_MAX_RANGES);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i].zero || p[i].count == 0 || p[i].count > UINT32_MAX) {
			snprintf(why, wlen, "range %zu cannot be a block device range descriptor", i);
			return 1;
		}
		sr[i].lba = p[i].src_lba;
		sr[i].blocks = (uint32_t)p[i].count;
		dr[i].lba = p[i].dst_lba;
		dr[i].blocks = (uint32_t)p[i].count;
		total += p[i].count;
	}
	st = vitk_odx_dev_transport(src);
	dt = vitk_odx_dev_transport(dst);
	len = vitk_scsi_populate_token_build(pl, sizeof(pl), false, 0, 0, sr, n);
	if (len < 0)
		return len;
	lid = next_lid();
	vitk_scsi_cdb_populate_token(cdb, lid, (uint32_t)len, 0);
	if ((r = vitk_scsi_exec(st, cdb, 16, NULL, 0, pl, (size_t)len, MR_TIMEOUT_MS, &res)) < 0)
		return r;
	(*commands)++;
	if (check_good(&res, "POPULATE TOKEN", why, wlen))
		return 1;
	if ((r = rrti(src, lid, &info, why, wlen)) != 0)
		return r;
	(*commands)++;
	if (info.copy_status != VITK_SCSI_COPY_DONE || !info.has_token || info.transfer_count != total) {
		snprintf(why, wlen, "POPULATE TOKEN of %zu ranges: status %02Xh, %llu of %llu blocks%s",
			 n, info.copy_status, (unsigned long long)info.transfer_count,
			 (unsigned long long)total, info.has_token ? "" : ", no token");
		return 1;
	}
	memcpy(token, info.token, sizeof(token));
	len = vitk_scsi_write_using_token_build(pl, sizeof(pl), false, true, 0, token, dr, n);
	if (len < 0)
		return len;
	lid = next_lid();
	vitk_scsi_cdb_write_using_token(cdb, lid, (uint32_t)len, 0);
	if ((r = vitk_scsi_exec(dt, cdb, 16, NULL, 0, pl, (size_t)len, MR_TIMEOUT_MS, &res)) < 0)
		return r;
	(*commands)++;
	if (check_good(&res, "WRITE USING TOKEN", why, wlen))
		return 1;
	if ((r = rrti(dst, lid, &info, why, wlen)) != 0)
		return r;
	(*commands)++;
	if (info.copy_status == VITK_SCSI_COPY_DONE && (info.transfer_count == total || info.transfer_count == 0))
		return 0;
	snprintf(why, wlen, "WRITE USING TOKEN of %zu ranges: status %02Xh, %llu of %llu blocks", n,
		 info.copy_status, (unsigned long long)info.transfer_count, (unsigned long long)total);
	return 1;
}
