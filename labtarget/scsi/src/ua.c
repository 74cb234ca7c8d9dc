/* SPDX-License-Identifier: MIT */
/*
 * The unit-attention queue of each I_T nexus on a LUN (SAM-5 5.14): a leaf
 * the producers (device.c, pr.c, lun_change.c, sanitize.c) all go through.
 * Every function runs with dev->lock held.
 */
#include <string.h>

#include "dev_internal.h"

size_t ua__index(const tgt_lun *l, uint64_t nexus)
{
	size_t i;

	for (i = 0; i < l->nnexus; i++)
		if (l->nexus[i].nexus == nexus)
			break;
	return i;
}

void ua__push(tgt_lun *l, size_t i, uint16_t asc, bool front)
{
	uint16_t *q = l->nexus[i].ua;
	size_t n = l->nexus[i].nua, k;

	if (!asc)
		return;
	if ((asc >> 8) == (VITK_SCSI_ASC_POWER_ON_OR_RESET >> 8) && !front) {
		/* a power-on or reset supersedes what was pending (SAM-5 5.14) */
		q[0] = asc;
		l->nexus[i].nua = 1;
		return;
	}
	for (k = 0; k < n; k++)
		if (q[k] == asc)
			break;
	if (k < n) { /* a duplicate: merged; @front moves it to the head */
		if (front) {
			memmove(&q[1], &q[0], k * sizeof(q[0]));
			q[0] = asc;
		}
		return;
	}
	if (!front) {
		if (n < TGT_UA_QUEUE) /* full: the oldest stay, this one is dropped */
			q[l->nexus[i].nua++] = asc;
		return;
	}
	/* ahead of the others (it was reported before them); full: the newest goes */
	if (n == TGT_UA_QUEUE)
		n--;
	memmove(&q[1], &q[0], n * sizeof(q[0]));
	q[0] = asc;
	l->nexus[i].nua = (uint8_t)(n + 1);
}

void ua__add(tgt_lun *l, size_t i, uint16_t asc)
{
	ua__push(l, i, asc, false);
}

uint16_t ua__head(tgt_lun *l, size_t i, bool consume)
{
	uint16_t ua;

	if (!l->nexus[i].nua)
		return 0;
	ua = l->nexus[i].ua[0];
	if (consume) {
		l->nexus[i].nua--;
		memmove(&l->nexus[i].ua[0], &l->nexus[i].ua[1],
			l->nexus[i].nua * sizeof(l->nexus[i].ua[0]));
	}
	return ua;
}
