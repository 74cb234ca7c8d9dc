/* SPDX-License-Identifier: MIT */
/*
 * vitk lab iSCSI target: public entry points for `vitk odx serve`.
 *
 * A target serves file-backed LUNs over iSCSI (RFC 7143 subset) with a
 * thread per connection and a pool of worker threads for the commands.  All sessions share one SCSI device model, so an
 * EXTENDED COPY sent to one LUN can name another LUN of the same target.
 *
 * Lifecycle: vitk_odx_target_new() -> vitk_odx_target_add_lun() ... ->
 * vitk_odx_target_listen() -> vitk_odx_target_run() (blocks until
 * vitk_odx_target_stop(), which is async-signal-safe) ->
 * vitk_odx_target_lun_stats() -> vitk_odx_target_free().
 *
 * The library reports connections and errors only through the vitk_log
 * callback (domain "odx-target").
 */
#ifndef VITK_ODX_TARGET_H
#define VITK_ODX_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include <vitk/common.h>
#include <vitk/table.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vitk_odx_target vitk_odx_target;

typedef struct {
	const char *iqn;          /* target name (required) */
	const char *portal;       /* "HOST:PORT" or "[V6]:PORT"; NULL: 127.0.0.1:3260; port 0
				   * picks a free port */
	const char *chap_user;    /* NULL: AuthMethod=None accepted */
	const char *chap_secret;  /* required when chap_user is set */
	/* mutual CHAP (RFC 7143 12.1.3): the name and secret the target answers
	 * an initiator's challenge with; NULL: an initiator that asks is refused */
	const char *chap_mutual_user;
	const char *chap_mutual_secret;
	/* initiator names allowed to log in to the target (LIO-style ACL);
	 * nallow 0: every initiator; unlisted ones get 0202 at login */
	const char *const *allow;
	size_t nallow;
	uint64_t max_bytes_per_command; /* 0: no cap (XCOPY/ODX truncation knob) */
	uint32_t max_recv_data_segment_length; /* 0: 262144 */
	uint32_t login_timeout_s;       /* the whole login, from accept; 0: 30 */
	uint32_t max_conns_per_address; /* connections from one address; 0: 64 */
	uint32_t idle_timeout_s;        /* NOP-In ping after this long idle; 0: 60 */
	uint32_t nop_timeout_s;         /* drop when the ping is not answered; 0: 30 */
	uint32_t tokens_per_session;    /* live ROD tokens per session; 0: 128 */
	/* multipath: more portals, each its own target port (relative target
	 * port identifier 2, 3, ... after @portal's 1; iSCSI target portal
	 * group tag the same number), serving the same LUNs with the same
	 * identity; all ports form one ALUA target port group, every port
	 * active/optimized.  At most VITK_ODX_TARGET_MAX_PORTALS in all. */
	const char *const *more_portals;
	size_t nmore_portals;
} vitk_odx_target_options;

/* every field 0 / NULL (written out: the header is also used from C++) */
#define VITK_ODX_TARGET_OPTIONS_INIT \
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0 }

/* portals one target may listen on (target ports) */
#define VITK_ODX_TARGET_MAX_PORTALS 16

/*
 * What a write does to the ROD tokens of its LBAs.  REVOKE: revokes them.
 * SNAPSHOT: nothing; POPULATE TOKEN saved the ranges into a hidden file next
 * to the LUN (reflinked on XFS and btrfs, copied elsewhere).  AUTO: SNAPSHOT
 * where the filesystem can reflink, else REVOKE.
 */
typedef enum {
	VITK_ODX_TARGET_TOKENS_AUTO = 0,
	VITK_ODX_TARGET_TOKENS_REVOKE,
	VITK_ODX_TARGET_TOKENS_SNAPSHOT,
} vitk_odx_target_tokens;

typedef struct {
	unsigned int lun;
	const char *path;    /* backing file; created sparse when missing */
	uint64_t size;       /* bytes; 0: the existing file's size */
	uint32_t block_size; /* 512 or 4096 */
	bool read_only;
	/* LUN masking: initiator names that see this LUN; nallow 0: everyone
	 * who may log in.  Others find no LUN at this number (REPORT LUNS,
	 * I/O, EXTENDED COPY and ROD tokens alike). */
	const char *const *allow;
	size_t nallow;
	vitk_odx_target_tokens tokens; /* point in time of POPULATE TOKEN */
	/* 0 or block_size; 4096 on a 512-byte LUN gives 512e */
	uint32_t phys_block_size;
	bool sanitize; /* offer SANITIZE (OVERWRITE, BLOCK ERASE, CRYPTO ERASE) */
	/* a sanitize operation lasts at least this many seconds (0..3600), as
	 * on a drive that needs minutes; 0: as long as the erase itself */
	uint32_t sanitize_time_s;
} vitk_odx_target_lun;

#define VITK_ODX_TARGET_LUN_INIT \
	{ 0, NULL, 0, 512, false, NULL, 0, VITK_ODX_TARGET_TOKENS_AUTO, 0, false, 0 }

/** Per-LUN counters (a snapshot). */
typedef struct {
	unsigned int lun;
	uint64_t cmds_by_opcode[256];
	uint64_t bytes_read_wire;       /* Data-In */
	uint64_t bytes_written_wire;    /* Data-Out */
	uint64_t bytes_copied_internal; /* XCOPY / WRITE USING TOKEN inside the target */
	uint64_t tokens_created, tokens_used, tokens_expired;
	/* how the copy manager moved them: cloned + copied + zeroed ==
	 * bytes_copied_internal + bytes_token_snapshot */
	uint64_t bytes_cloned;         /* extents shared (reflink), no data written */
	uint64_t bytes_copied;         /* data copied */
	uint64_t bytes_zeroed;         /* zero token and source holes, deallocated */
	uint64_t bytes_token_snapshot; /* token source ranges saved at POPULATE TOKEN */
} vitk_odx_target_stats;

/**
 * vitk_odx_target_parse_portal() - split "HOST:PORT" / "[V6]:PORT".
 * @host: receives the host part (NUL-terminated), @host_len its size.
 * Return: 0, or VITK_EINVAL with the error record naming the field.
 */
int vitk_odx_target_parse_portal(const char *portal, char *host, size_t host_len, uint16_t *port);

/**
 * vitk_odx_target_new() - create a target (no socket yet).
 * Return: 0 and an owned handle in *out (release with vitk_odx_target_free()),
 * or a negative vitk_err (VITK_EINVAL for bad options).
 */
int vitk_odx_target_new(vitk_odx_target **out, const vitk_odx_target_options *opts);

/**
 * vitk_odx_target_add_lun() - open (or create sparse) a backing file as a LUN.
 * Return: 0, or a negative vitk_err: VITK_EIO when the file cannot be opened,
 * VITK_EINVAL when the size is not a multiple of the block size or the LUN
 * number is taken.  Also while vitk_odx_target_run() serves (from another
 * thread): the LUN is added once the commands in flight ended, and every
 * session that has used a LUN gets REPORTED LUNS DATA HAS CHANGED.
 */
int vitk_odx_target_add_lun(vitk_odx_target *t, const vitk_odx_target_lun *lun);

/**
 * vitk_odx_target_remove_lun() - stop serving @lun (also while serving).
 * Refused while a logged-in session can reach the LUN (a session whose
 * initiator passes the LUN's allow list; the target ACL is not consulted:
 * a session stays logged in when its initiator leaves it).  Otherwise the
 * LUN goes once the commands in flight ended, with its ROD tokens, and the
 * remaining sessions get REPORTED LUNS DATA HAS CHANGED.
 * @sessions: NULL, or receives the number of sessions that reach the LUN.
 * Return: 0; VITK_EBUSY (the message counts the sessions, or names the
 * background copy that uses the LUN); VITK_ENOTFOUND for an unknown LUN.
 */
int vitk_odx_target_remove_lun(vitk_odx_target *t, unsigned int lun, unsigned int *sessions);

/**
 * vitk_odx_target_change_lun() - give the served LUN @lun->lun a new
 * configuration (also while serving).  @size_only: @lun differs from the
 * served one in its size alone (0: unchanged).  A larger size is applied in
 * place, also under sessions (arrays grow LUNs online): the file is
 * extended and every I_T nexus that used the LUN gets CAPACITY DATA HAS
 * CHANGED (2Ah/09h).  Anything else (shrinking, a path, block size, ro,
 * pbs, sanitize, tokens or allow change) needs a LUN no session can reach
 * (see vitk_odx_target_remove_lun()): the LUN is then replaced by a new one
 * (a smaller size cuts the backing file; ROD tokens and reservations that
 * are not APTPL are dropped); sessions get REPORTED LUNS DATA HAS CHANGED
 * when the allow list may show or hide it.
 * Return: 0; VITK_EBUSY as for removal (nothing changed); VITK_EINVAL /
 * VITK_EIO for a configuration the LUN cannot take (the old one stays).
 */
int vitk_odx_target_change_lun(vitk_odx_target *t, const vitk_odx_target_lun *lun,
			       bool size_only, unsigned int *sessions);

/**
 * vitk_odx_target_set_access() - new CHAP settings and initiator ACL
 * (chap_user, chap_secret, chap_mutual_user, chap_mutual_secret, allow and
 * nallow of @opts, checked as vitk_odx_target_new() checks them; the other
 * fields are ignored) for the connections that come from now on.  Logged-in
 * sessions, and logins under way, keep the rules they started with (as LIO
 * does with ACL changes).  Logs what changed, never a secret.
 * Return: 0, or VITK_EINVAL / VITK_ENOMEM (nothing changed).
 */
int vitk_odx_target_set_access(vitk_odx_target *t, const vitk_odx_target_options *opts);

/**
 * vitk_odx_target_listen() - bind and listen on the portal.
 * Return: 0, or VITK_EIO (errno in the record) / VITK_EINVAL.
 */
int vitk_odx_target_listen(vitk_odx_target *t);

/** vitk_odx_target_port() - the bound TCP port (after listen), else 0. */
uint16_t vitk_odx_target_port(const vitk_odx_target *t);

/** vitk_odx_target_portal_port() - the bound TCP port of portal @idx
 * (0: the first, then more_portals in order) after listen, else 0. */
uint16_t vitk_odx_target_portal_port(const vitk_odx_target *t, size_t idx);

/**
 * vitk_odx_target_run() - accept and serve connections until
 * vitk_odx_target_stop(); then closes every connection and joins its thread.
 * Return: 0 after a stop, or a negative vitk_err if accepting failed.
 */
int vitk_odx_target_run(vitk_odx_target *t);

/**
 * vitk_odx_target_stop() - ask vitk_odx_target_run() to return.
 * Async-signal-safe (writes one byte to a pipe); may be called from any thread.
 */
void vitk_odx_target_stop(vitk_odx_target *t);

/** Number of LUNs added. */
size_t vitk_odx_target_lun_count(const vitk_odx_target *t);

/**
 * vitk_odx_target_lun_stats() - counters of the @idx-th LUN (ascending LUN order).
 * Return: 0, or VITK_ENOTFOUND when @idx is out of range.
 */
int vitk_odx_target_lun_stats(const vitk_odx_target *t, size_t idx, vitk_odx_target_stats *out);

/**
 * vitk_odx_target_stats_table() - the per-LUN counters as a result document,
 * one row per LUN in ascending order.  Columns: lun, commands,
 * bytes_read_wire, bytes_written_wire, bytes_copied_internal, tokens_created,
 * tokens_used, tokens_expired, bytes_cloned, bytes_copied, bytes_zeroed,
 * bytes_token_snapshot (integers) and opcodes (an object mapping
 * "0x28"-style opcodes to command counts; only opcodes that were seen).
 * Return: 0 and a table in *out (vitk_table_free()), or VITK_ENOMEM.
 */
int vitk_odx_target_stats_table(const vitk_odx_target *t, vitk_table **out);

/** vitk_odx_target_free() - stop (if running), release everything.  NULL ok. */
void vitk_odx_target_free(vitk_odx_target *t);

#ifdef __cplusplus
}
#endif

#endif /* VITK_ODX_TARGET_H */
