/* SPDX-License-Identifier: MIT */
/*
 * libvitk-odx internals that tests, fuzzers and tools may use, but that are
 * not part of the embedding API of <vitk/odx.h> (the idea of libgit2's
 * include/git2/sys/): the pure token-file parser, the in-use checks under
 * explicit /proc and /sys roots, and the job row steps that
 * vitk_odx_job_run() performs.
 */
#ifndef VITK_SYS_ODX_H
#define VITK_SYS_ODX_H

#include <vitk/odx.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * vitk_odx_devnum_check_in_use() - vitk_odx_dev_check_in_use() for block device @maj:@min
 * (and, through @sys_root/dev/block/M:m/<part>/dev, its partitions) under
 * explicit roots; @name is used in the message.
 * Return: 0, or VITK_EBUSY naming the mount point or the holder (VITK_ENOMEM).
 */
int vitk_odx_devnum_check_in_use(unsigned maj, unsigned min, const char *name,
				 const char *proc_root, const char *sys_root);

/**
 * vitk_odx_path_check_in_use() - the check for a device node: a block
 * device by its number, a char node (/dev/sgN, /dev/bsg/...) through
 * @sys_root/class/{scsi_generic,bsg}/NAME/device/block/<disk>/dev.
 * Return: 0 (free, or not a device node), VITK_EBUSY (VITK_ENOMEM).
 */
int vitk_odx_path_check_in_use(const char *path, const char *proc_root, const char *sys_root);

/** Parse token-file bytes (pure).  @out owned: vitk_odx_token_list_free(). */
int vitk_odx_token_list_parse(vitk_odx_token_list **out, const uint8_t *buf, size_t len);

/**
 * Create a job row (result "running") for @job->src, @job->dst and
 * @job->requested; fills @job->uuid, ->id, ->result and the range from @plan.
 */
int vitk_odx_job_start(vitk_inventory *inv, int64_t host_id, vitk_odx_job *job,
		       const vitk_odx_plan *plan);
/**
 * Take the lease of a job to resume: VITK_EBUSY when its row says "running"
 * and its owner (host, pid and start time; another host's: a heartbeat in
 * the last 5 minutes) is alive.  Otherwise the row becomes "running", owned
 * by this process.  One transaction: of two claimers, one wins.
 */
int vitk_odx_job_claim(vitk_inventory *inv, vitk_odx_job *job);
/** Persist progress (blocks done, counting any earlier runs) after a chunk. */
int vitk_odx_job_progress(vitk_inventory *inv, const vitk_odx_job *job, uint64_t blocks_done);
/**
 * The same, with the counters of the run so far (@run: bytes, host_bytes,
 * commands, duration_ns; NULL: none).  They are kept apart from the totals
 * and added to them by vitk_odx_job_finish(), or, when the run was killed
 * before it finished, by the next vitk_odx_job_claim() (which also counts the
 * killed run in runs).
 */
int vitk_odx_job_progress_run(vitk_inventory *inv, const vitk_odx_job *job, uint64_t blocks_done,
			      const vitk_odx_copy_result *run);
/**
 * Final state of a job: result "ok" or "failed" (@rc < 0, @error), the
 * method, counters (added to those of earlier runs when resumed), every
 * rejected method with its reason and every fallback with its reason.
 */
int vitk_odx_job_finish(vitk_inventory *inv, const vitk_odx_job *job,
			const vitk_odx_copy_result *res, const vitk_odx_plan *plan, int rc,
			const char *error);

#ifdef __cplusplus
}
#endif

#endif /* VITK_SYS_ODX_H */
