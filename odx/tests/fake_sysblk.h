/* SPDX-License-Identifier: MIT */
/* A fake /sys block tree and a fake device-mapper table provider for the resolver. */
#ifndef VITK_ODX_FAKE_SYSBLK_H
#define VITK_ODX_FAKE_SYSBLK_H

#include <stdint.h>

#include <vitk/sys/odx_blk.h>

/* Make an empty tree under a new temporary directory; returns its path (static). */
const char *fake_sysblk_root(void);
/* Remove the tree. */
void fake_sysblk_remove(void);

/* A SCSI disk NAME (MAJ:MIN) of SECTORS 512-byte sectors; SG may be NULL (no sg node). */
void fake_sysblk_disk(const char *name, const char *devt, uint64_t sectors, unsigned block_size,
		      const char *sg, const char *state);
/* A non-SCSI disk (nvme0n1, loop0, md0, vda): no scsi_generic. */
void fake_sysblk_other(const char *name, const char *devt, uint64_t sectors);
/* A partition NAME of DISK. */
void fake_sysblk_part(const char *disk, const char *name, const char *devt, uint64_t start,
		      uint64_t sectors);
/* A dm device; SLAVES is a space-separated list or "". */
void fake_sysblk_dm(const char *name, const char *devt, uint64_t sectors, const char *dmname,
		    const char *uuid, const char *slaves);

/* The table of dm minor MINOR: lines "START LENGTH TYPE PARAMS" separated by '\n'. */
void fake_dm_set(unsigned minor, const char *table);
void fake_dm_reset(void);
int fake_dm_table(void *payload, unsigned major, unsigned minor, vitk_odx_dm_table *out);
/* The status of dm minor MINOR, lines "START LENGTH TYPE STATUS" (NULL: none). */
void fake_dm_status_set(unsigned minor, const char *status);
int fake_dm_status(void *payload, unsigned major, unsigned minor, vitk_odx_dm_table *out);

#endif
