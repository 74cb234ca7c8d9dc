/* SPDX-License-Identifier: MIT */
/*
 * vitk odx: SCSI offloaded copy initiator (ODX token copy, EXTENDED COPY,
 * host copy fallback) with explanations for every method it does not use.
 *
 * Devices are opened from a path (/dev/sg*, /dev/sd*, /dev/bsg/...) or an
 * iscsi:// URL, or over any vitk_scsi_transport (tests use a scripted fake).
 * Nothing is sent to a destination before the safety checks pass: range
 * inside capacity, no overlap on the same LU, destination not mounted/held.
 */
#ifndef VITK_ODX_H
#define VITK_ODX_H

#include <vitk/common.h>
#include <vitk/scsi.h>
#include <vitk/table.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vitk_inventory vitk_inventory;
typedef struct vitk_odx_dev vitk_odx_dev;

/* ---------------------------------------------------------------- device */

typedef struct {
	bool read_only;
	const char *initiator_iqn; /* NULL: this host's (vitk_scsi_iscsi_default_initiator()) */
	const char *proc_root;     /* "/proc"; a test tree in tests (the CLI maps VITK_PROC_ROOT) */
	const char *sys_root;      /* "/sys" (VITK_SYSFS_ROOT) */
	const char *etc_root;      /* NULL: "/etc" (initiatorname.iscsi, machine-id) */
	unsigned timeout_s;        /* every login and command; 0: 30 s */
	/* iSCSI CHAP secrets, never stored or shown (see vitk_scsi_iscsi_options) */
	const char *chap_secret;   /* NULL: the URL's, else LIBISCSI_CHAP_PASSWORD */
	const char *target_user;   /* mutual CHAP: require the target to prove this name */
	const char *target_secret;
} vitk_odx_open_options;
/* the defaults; NULL roots mean "/proc" and "/sys" too */
#define VITK_ODX_OPEN_OPTIONS_INIT { .proc_root = "/proc", .sys_root = "/sys" }

typedef struct {
	/* strings are owned by the device and never NULL ("" when unknown) */
	const char *name; /* path or URL given at open */
	const char *vendor;
	const char *product;
	const char *revision;
	const char *serial;
	vitk_scsi_designator designator; /* best LU designator (NAA > EUI-64 > T10 > vendor) */
	const char *copy_manager;        /* who executes copies for this LU ("iscsi:portal/iqn") */
	uint32_t block_size;
	uint64_t blocks;
	bool tpc; /* 3PC bit */
	bool has_vpd_tpc;
	vitk_scsi_vpd_tpc vpd_tpc;
	bool has_rcop;
	vitk_scsi_rcop rcop;
	bool has_block_limits;
	vitk_scsi_vpd_block_limits block_limits;
} vitk_odx_dev_info;

/**
 * vitk_odx_dev_open() - open and identify a device or iscsi:// URL.
 * Sends INQUIRY (standard, VPD 0x00/0x80/0x83/0x8F/0xB0), READ CAPACITY(16)
 * and, when the 3PC bit is set, RECEIVE COPY OPERATING PARAMETERS.
 * @out: owned; free with vitk_odx_dev_free()
 * @o: NULL for defaults
 * Return: 0, VITK_ENOTFOUND, VITK_EIO, VITK_ESCSI, VITK_EINVAL (garbage from
 * the device: the message names the device and the field).
 */
int vitk_odx_dev_open(vitk_odx_dev **out, const char *path_or_url, const vitk_odx_open_options *o);

/**
 * vitk_odx_dev_open_with_transport() - identify a device behind @t.
 * @t is borrowed: it must outlive the device and is not closed by
 * vitk_odx_dev_free().  @copy_manager: a string naming the copy manager the
 * LU belongs to (NULL: unknown).
 */
int vitk_odx_dev_open_with_transport(vitk_odx_dev **out, vitk_scsi_transport *t, const char *name,
				     const char *copy_manager, const vitk_odx_open_options *o);

/*
 * Extra sessions for the multi-stream host copy and verify.  A device opened
 * from an iscsi:// URL opens more sessions to the same URL by default; other
 * devices have none unless an opener is set here (tests, embedders).  @open
 * returns a transport that @close releases; both may be called from the
 * engine's worker threads, never concurrently for the same transport.
 */
typedef int (*vitk_odx_session_open_fn)(void *payload, vitk_scsi_transport **out);
typedef void (*vitk_odx_session_close_fn)(void *payload, vitk_scsi_transport *t);

/** vitk_odx_dev_set_session_opener() - replace (or with NULLs remove) the opener. */
void vitk_odx_dev_set_session_opener(vitk_odx_dev *d, vitk_odx_session_open_fn open,
				     vitk_odx_session_close_fn close, void *payload);

/** vitk_odx_dev_free() - close (and free an owned transport).  NULL ok. */
void vitk_odx_dev_free(vitk_odx_dev *d);

/** vitk_odx_dev_get_info() - identity and capabilities (borrowed, valid until free). */
const vitk_odx_dev_info *vitk_odx_dev_get_info(const vitk_odx_dev *d);

/** vitk_odx_dev_transport() - the transport (borrowed), for byte counters. */
vitk_scsi_transport *vitk_odx_dev_transport(vitk_odx_dev *d);

/**
 * vitk_odx_dev_check_in_use() - is the device (a local block/sg device)
 * mounted (@proc_root/self/mountinfo) or held (@sys_root/dev/block/M:m/holders)?
 * Return: 0 when free or not a local device, VITK_EBUSY with the reason in
 * the error message.
 */
int vitk_odx_dev_check_in_use(const vitk_odx_dev *d);

/* ----------------------------------------------------------- copy engine */

typedef enum {
	VITK_ODX_METHOD_AUTO = 0,
	VITK_ODX_METHOD_TOKEN = 1, /* POPULATE TOKEN + WRITE USING TOKEN */
	VITK_ODX_METHOD_XCOPY = 2, /* EXTENDED COPY(LID1) */
	VITK_ODX_METHOD_HOST = 3,  /* READ(16)/WRITE(16) through the host */
	VITK_ODX_METHOD_WRITE_SAME = 4 /* zeroing fallback only */
} vitk_odx_method;

/** "auto", "token", "xcopy", "host", "write_same". */
const char *vitk_odx_method_str(vitk_odx_method m);
/** Parse a method name; VITK_EINVAL if unknown. */
int vitk_odx_method_parse(const char *s, vitk_odx_method *out);

typedef struct {
	uint64_t done_bytes;
	uint64_t total_bytes;
	double rate_bps;
	double eta_s;
	vitk_odx_method method;
} vitk_odx_progress;

typedef void (*vitk_odx_progress_fn)(const vitk_odx_progress *p, void *payload);
/* called after each completed chunk with the blocks done so far (for resumable jobs);
 * a negative return aborts the copy with that code */
typedef int (*vitk_odx_chunk_fn)(uint64_t blocks_done, vitk_odx_method method, void *payload);

typedef struct {
	uint64_t src_lba;
	uint64_t dst_lba;
	uint64_t count; /* blocks; 0: from src_lba to the end of the source */
	vitk_odx_method method;
	bool verify;
	bool force;                      /* copy to a mounted/held destination */
	uint64_t resume_blocks;          /* blocks already copied (resume a job) */
	uint32_t max_blocks_per_command; /* 0: device limits only */
	uint32_t host_buffer_bytes;      /* 0: 4 MiB (x4 in flight for two transports) */
	unsigned poll_delay_cap_ms;      /* cap on the device's status update delay; 0: 1000 */
	uint32_t inactivity_timeout_s;   /* POPULATE TOKEN inactivity timeout; 0: device default */
	unsigned max_polls;              /* RRTI polls before aborting the operation; 0: 10000 */
	unsigned host_streams;           /* iSCSI host copy sessions per side; 0: 8, 1: one session */
	vitk_odx_progress_fn progress;
	void *progress_payload;
	vitk_odx_chunk_fn on_chunk;
	void *chunk_payload;
} vitk_odx_copy_options;
#define VITK_ODX_COPY_OPTIONS_INIT { .method = VITK_ODX_METHOD_AUTO } /* every other field 0 */

typedef struct {
	vitk_odx_method method;
	bool usable;
	char *reason; /* why not usable (owned); NULL when usable */
} vitk_odx_plan_item;

/* where each method's item is in vitk_odx_plan.items */
enum {
	VITK_ODX_ITEM_TOKEN = 0,
	VITK_ODX_ITEM_XCOPY = 1,
	VITK_ODX_ITEM_HOST = 2,
	VITK_ODX_NITEMS = 3
};

typedef struct {
	vitk_odx_method chosen;
	vitk_odx_plan_item items[VITK_ODX_NITEMS]; /* token, xcopy, host: VITK_ODX_ITEM_* */
	uint64_t src_lba, dst_lba, count; /* resolved range */
	uint64_t blocks_per_command;
	uint64_t commands; /* estimated data-moving commands for the chosen method */
	char *note;        /* how the range is split (owned); NULL: nothing to say */
} vitk_odx_plan;

/** vitk_odx_plan_clear() - free the plan's strings and zero it.  NULL ok. */
void vitk_odx_plan_clear(vitk_odx_plan *p);

/**
 * vitk_odx_plan_make() - choose a method and explain every rejected one.
 * Sends nothing.  @out is overwritten (not freed): vitk_odx_plan_clear() it
 * after use, also after a failure.  Safety refusals (range past capacity, overlap on the same
 * LU, zero-length) return an error; an unusable forced method returns
 * VITK_ENOTSUP with the plan filled in and the reason in the message.
 * Return: 0, VITK_ERANGE, VITK_EINVAL, VITK_ENOTSUP.
 */
int vitk_odx_plan_make(vitk_odx_plan *out, const vitk_odx_dev *src, const vitk_odx_dev *dst,
		       const vitk_odx_copy_options *o);

typedef struct {
	vitk_odx_method from, to;
	uint64_t at_block; /* offset into the copy (blocks) where the fallback started */
	char *reason;      /* owned */
} vitk_odx_fallback;

typedef struct {
	vitk_odx_method method; /* the method chosen by the plan */
	uint64_t bytes;         /* bytes copied (this run) */
	uint64_t host_bytes;    /* bytes that crossed the host's transports (data + parameters) */
	uint64_t host_bytes_in;  /* of which Data-In (device to host) */
	uint64_t host_bytes_out; /* of which Data-Out (host to device) */
	uint64_t offload_blocks;
	uint64_t host_blocks;
	uint64_t commands;      /* SCSI commands sent for the copy */
	uint64_t verify_bytes;  /* bytes read back by --verify */
	uint64_t duration_ns;
	bool verified;
	vitk_odx_fallback *fallbacks; /* owned, in the order they happened */
	size_t nfallbacks;
} vitk_odx_copy_result;

/**
 * vitk_odx_copy_result_clear() - free the fallbacks and zero @r.  NULL ok.
 * Every function filling a vitk_odx_copy_result overwrites it (without
 * freeing): clear it after each use, also after a failure.
 */
void vitk_odx_copy_result_clear(vitk_odx_copy_result *r);

/**
 * vitk_odx_copy() - copy a block range from @src to @dst.
 * @res: filled even on failure (what was done until then)
 * @plan: optional, receives the plan (vitk_odx_plan_clear() it)
 * Return: 0; VITK_ERANGE/VITK_EINVAL (refused, nothing sent); VITK_EBUSY
 * (destination mounted/held); VITK_ESCSI/VITK_EIO (device); VITK_ERROR
 * (verify mismatch).
 */
int vitk_odx_copy(vitk_odx_copy_result *res, vitk_odx_plan *plan, vitk_odx_dev *src,
		  vitk_odx_dev *dst, const vitk_odx_copy_options *o);

/**
 * vitk_odx_zero() - zero @count blocks at @lba with WRITE USING TOKEN and
 * the block device zero ROD token, falling back to WRITE SAME(16), then to
 * host writes.  res->method tells which did the work.
 */
int vitk_odx_zero(vitk_odx_copy_result *res, vitk_odx_dev *dev, uint64_t lba, uint64_t count,
		  const vitk_odx_copy_options *o);

/* ---------------------------------------------------------- token files */
/*
 * A token file is a sequence of records: the 512-byte ROD token followed by
 * the 8-byte big-endian number of bytes it represents (ddpt's rtf_len form),
 * one record per POPULATE TOKEN.
 */
#define VITK_ODX_TOKEN_RECORD_LEN 520

typedef struct {
	uint8_t token[VITK_SCSI_ROD_TOKEN_LEN];
	uint64_t bytes;
	vitk_scsi_rod_token parsed;
} vitk_odx_token_record;

typedef struct {
	vitk_odx_token_record *items;
	size_t count;
} vitk_odx_token_list;

/** Read and parse a token file.  @out owned: vitk_odx_token_list_free(). */
int vitk_odx_token_file_read(vitk_odx_token_list **out, const char *path);
void vitk_odx_token_list_free(vitk_odx_token_list *l);

/**
 * vitk_odx_token_create() - POPULATE TOKEN over @lba/@count (split by the
 * device's max token transfer size) and write the tokens to @path.
 */
int vitk_odx_token_create(vitk_odx_copy_result *res, vitk_odx_dev *dev, uint64_t lba,
			  uint64_t count, const char *path, const vitk_odx_copy_options *o);

/**
 * vitk_odx_token_write() - WRITE USING TOKEN from every token in @path to
 * consecutive ranges starting at @lba of @dev.
 */
int vitk_odx_token_write(vitk_odx_copy_result *res, vitk_odx_dev *dev, const char *path,
			 uint64_t lba, const vitk_odx_copy_options *o);

/* ------------------------------------------------------------- inventory */

/** vitk_odx_inventory_register() - create/upgrade the odx tables in @inv. */
int vitk_odx_inventory_register(vitk_inventory *inv);

/** Record (upsert by name) a LUN's identity and capabilities in odx_lun. */
int vitk_odx_inventory_record_lun(vitk_inventory *inv, int64_t host_id, const vitk_odx_dev *d);

typedef struct {
	int64_t id;   /* row id in this database (not stable across import) */
	char *uuid;   /* owned, like every string here: vitk_odx_job_clear() */
	char *src, *dst;
	uint64_t src_lba, dst_lba, count;
	vitk_odx_method requested;
	uint64_t blocks_done;
	char *result; /* "running", "ok", "failed" */
} vitk_odx_job;

/** vitk_odx_job_clear() - free the job's strings and zero it. */
void vitk_odx_job_clear(vitk_odx_job *job);

/**
 * Load a job by uuid (or unique uuid prefix) into @out (overwritten, not
 * freed; vitk_odx_job_clear() it after use).  VITK_ENOTFOUND if none, VITK_EINVAL if ambiguous.
 */
int vitk_odx_job_load(vitk_inventory *inv, const char *uuid, vitk_odx_job *out);

/* ------------------------------------------------------------- workflows */
/*
 * The workflows behind `vitk odx copy|probe|zero`, for any embedder: open
 * the devices by name, plan, record, copy, record the outcome.  A failure
 * says in which stage it happened (and on which device), so that a caller
 * can tell "refused, nothing sent" from "failed, resume the job".
 */

/** Open @name for a workflow (@read_only for sources). */
typedef int (*vitk_odx_dev_open_fn)(void *payload, const char *name, bool read_only,
				    vitk_odx_dev **out);

typedef struct {
	const vitk_odx_open_options *options; /* NULL: defaults; read_only is set per device */
	vitk_odx_dev_open_fn open;            /* NULL: vitk_odx_dev_open() */
	void *payload;
} vitk_odx_opener;

typedef enum {
	VITK_ODX_STAGE_NONE = 0,   /* no failure */
	VITK_ODX_STAGE_LOAD,       /* loading the job to resume */
	VITK_ODX_STAGE_COMPLETED,  /* the job to resume has completed already */
	VITK_ODX_STAGE_OPEN,       /* opening a device (failed_name) */
	VITK_ODX_STAGE_PLAN,       /* refused by the planner: nothing sent */
	VITK_ODX_STAGE_RECORD_LUN, /* recording a LUN (failed_name) */
	VITK_ODX_STAGE_RECORD_JOB, /* creating the job row */
	VITK_ODX_STAGE_COPY,       /* the copy (or zeroing) failed; a job can be resumed */
	VITK_ODX_STAGE_FINISH      /* recording the job's final state */
} vitk_odx_stage;

/* called once the job row exists, before the first command that moves data */
typedef void (*vitk_odx_job_started_fn)(const vitk_odx_job *job, const vitk_odx_plan *plan,
					void *payload);

typedef struct {
	const char *src, *dst; /* a new job: device paths or iscsi:// URLs */
	const char *resume;    /* or resume this job (uuid or unique prefix): src, dst, range
				* and method come from it, the first block not written yet too */
	vitk_odx_copy_options copy; /* range and method (new jobs), the rest for every run;
				     * ->progress and ->on_chunk are called as by vitk_odx_copy() */
	bool dry_run;          /* plan only: nothing is written or recorded */
	vitk_odx_opener opener;
	vitk_odx_job_started_fn started;
	void *started_payload;
} vitk_odx_job_request;

typedef struct {
	vitk_odx_stage failed;     /* VITK_ODX_STAGE_NONE on success */
	const char *failed_name;   /* the device of an OPEN or RECORD_LUN failure (borrowed) */
	vitk_odx_job job;          /* src/dst from the start; uuid once recorded or loaded */
	bool planned;              /* plan is valid */
	vitk_odx_plan plan;
	bool ran;                  /* the copy ran (not a dry run): copy is valid */
	vitk_odx_copy_result copy; /* this run's counters */
} vitk_odx_job_result;

/**
 * vitk_odx_job_run() - run a recorded copy job end to end: load it (resume)
 * or take @req's devices, open them, plan, record both LUNs and the job,
 * copy with progress persisted as blocks_done, and record the result with
 * every rejected method and fallback.  A dry run stops after the plan.
 * @inv: the inventory (odx tables registered); @host_id: the host running it
 * @out: always filled as far as the run got; vitk_odx_job_result_clear() it
 * Return: 0 or the error of the failed stage (out->failed); the error
 * message is the one of that stage.
 */
int vitk_odx_job_run(vitk_inventory *inv, int64_t host_id, const vitk_odx_job_request *req,
		     vitk_odx_job_result *out);
void vitk_odx_job_result_clear(vitk_odx_job_result *r);

/**
 * vitk_odx_copy_job_run() - vitk_odx_job_run(), and also for block devices
 * stacked on SCSI LUNs (LVM LVs, partitions, multipath maps): they are
 * resolved to ranges of their SCSI disks and copied there, with the page
 * caches kept coherent; a layer that cannot be offloaded gives its reason and
 * (method auto/host) a host copy through the block devices.
 */
int vitk_odx_copy_job_run(vitk_inventory *inv, int64_t host_id, const vitk_odx_job_request *req,
			  vitk_odx_job_result *out);

/**
 * vitk_odx_zero_run() - open @name read-write and zero @count blocks at @lba
 * (vitk_odx_zero()).  @out->job.dst names the device, the range is in
 * @out->job; out->failed is OPEN or COPY on failure.
 */
int vitk_odx_zero_run(vitk_odx_job_result *out, const char *name, uint64_t lba, uint64_t count,
		      const vitk_odx_copy_options *o, const vitk_odx_opener *op);

typedef struct {
	const char *src, *dst;       /* device names (borrowed from the caller's @names) */
	bool refused;                /* the planner refused the pair: reason is why */
	bool offload;                /* token or xcopy would be used */
	vitk_odx_method method;      /* the method auto would choose (not when refused) */
	char *reason;                /* "token is usable" or why nothing offloads */
	vitk_odx_plan plan;          /* every method: usable or why not */
} vitk_odx_probe_pair;

/* One layer of a probed block device or file, top first, and what it allows. */
typedef struct {
	char *dev;    /* kernel name (dm-2, sdb1, sdb), or the file's path */
	char *kind;   /* file, partition, dm-linear, dm-multipath, dm-thin, md, loop, disk, ... */
	char *detail; /* what the layer contributes, or why it refuses */
	char *why[VITK_ODX_NITEMS]; /* per method (VITK_ODX_ITEM_*): NULL allowed here, else why not */
} vitk_odx_probe_layer;

/* One SCSI disk under a probed stack (an LV on a VG of several LUNs has several). */
typedef struct {
	char *name;        /* kernel name (sdb) */
	char *sg;          /* its sg node */
	vitk_odx_dev *dev; /* opened read-only */
	vitk_odx_plan plan; /* a one-block plan within this disk */
} vitk_odx_probe_disk;

/* A probed block device other than a whole SCSI disk (an LV, a partition, a map) or a file. */
typedef struct {
	const char *name;            /* as given (borrowed from the caller's @names) */
	size_t arg;                  /* its index in @names */
	bool file;                   /* a regular file, mapped with FIEMAP */
	bool offloadable;            /* it resolves to ranges of SCSI disks */
	char *sg;                    /* the first disk's sg node (offloadable only) */
	uint32_t block_size;         /* the disks' logical block size (offloadable only) */
	uint64_t first_lba;          /* the disk block of its first byte (offloadable only) */
	size_t nranges;              /* ranges on the disks (offloadable only) */
	char *reason;                /* not offloadable: "LAYER (kind): why" */
	vitk_odx_probe_layer *layers;
	size_t nlayers;
	vitk_odx_dev *dev;           /* the disk of its first byte (one of disks[], not owned) */
	vitk_odx_plan plan;          /* per method: usable (on every disk), or why not, naming
				      * the layer or each disk that refuses */
	vitk_odx_probe_disk *disks;  /* every SCSI disk, in the order first reached (offloadable) */
	size_t ndisks;
	/* per method usable on every disk but not from one disk to another (different copy
	 * managers): "within each disk only: ..." (the copy goes by host for such pieces) */
	char *across[VITK_ODX_NITEMS];
} vitk_odx_probe_stack;

typedef struct {
	vitk_odx_stage failed;       /* OPEN or RECORD_LUN on failure */
	const char *failed_name;
	vitk_odx_dev **devs;         /* opened read-only, in the order given */
	size_t ndevs;
	vitk_odx_probe_pair *pairs;  /* every ordered pair of two different devices */
	size_t npairs;
	vitk_odx_probe_stack *stacks; /* the names that are block devices or files, in order */
	size_t nstacks;
} vitk_odx_probe_result;

/**
 * vitk_odx_probe() - identify @n devices, record them as LUNs (when @inv is
 * not NULL) and give an offload verdict with its reason for every ordered
 * pair (a one-block copy plan; within one LU to its last block).  A name
 * that is a regular file or a block device other than a whole SCSI disk (an
 * LV, a partition, a dm or md device) is resolved instead: it goes to
 * @out->stacks with its layers and, per layer and per method, why not; its
 * SCSI disk (if it reaches one) is opened and recorded like a LUN, and its
 * pairs are planned on that disk.  @out->devs then holds the other names.
 */
int vitk_odx_probe(vitk_odx_probe_result *out, vitk_inventory *inv, int64_t host_id,
		   const char *const *names, size_t n, const vitk_odx_opener *op);
void vitk_odx_probe_result_clear(vitk_odx_probe_result *r);

/**
 * vitk_odx_token_create_run() - open @dev read-only and POPULATE TOKEN over
 * @lba/@count into the token file @path (vitk_odx_token_create()).
 * out->job: src @dev, dst @path, the range; out->failed OPEN or COPY.
 */
int vitk_odx_token_create_run(vitk_odx_job_result *out, const char *dev, uint64_t lba,
			      uint64_t count, const char *path, const vitk_odx_copy_options *o,
			      const vitk_odx_opener *op);

/**
 * vitk_odx_token_write_run() - open @dev read-write and WRITE USING TOKEN
 * from every token in @path from @lba on (vitk_odx_token_write()).
 * out->job: src @path, dst @dev, the range; out->failed OPEN or COPY.
 */
int vitk_odx_token_write_run(vitk_odx_job_result *out, const char *path, const char *dev,
			     uint64_t lba, const vitk_odx_copy_options *o, const vitk_odx_opener *op);

/* ------------------------------------------------------------- documents */
/*
 * Every odx result as a document, built here so that every caller gets the
 * same fields (the JSON keys are an interface, see odx/README.md):
 *
 *   json     the whole document (an object or an array)
 *   table    its rows, for CSV and for an aligned text table
 *   records  for text: "key: value" records (one row each), printed instead
 *            of the table, separated by blank lines (one more after them
 *            when there are several)
 *   lines    for text: sentences after the table or records ("not token:
 *            ...", "fallback at block ...", "offload A -> B: yes, ...")
 *
 * A document with records and no table gives CSV from its first record.
 */
typedef struct {
	json_t *json;
	vitk_table *table;
	vitk_table **records;
	size_t nrecords;
	char **lines;
	size_t nlines;
} vitk_odx_doc;

/** vitk_odx_doc_clear() - free everything in @d and zero it.  NULL ok. */
void vitk_odx_doc_clear(vitk_odx_doc *d);

/**
 * vitk_odx_job_result_doc() - the document of a copy, zero or token run
 * ({job, src, dst, src_lba, dst_lba, count, method, bytes, host_bytes, ...,
 * rejected, fallbacks}; job and src are left out when absent), or of a dry
 * run's plan ({src, dst, ..., blocks_per_command, commands, note, rejected}).
 */
int vitk_odx_job_result_doc(vitk_odx_doc *out, const vitk_odx_job_result *r);

/**
 * vitk_odx_resolve_doc() - how each block device (an LV, a partition, a
 * multipath map, a disk) resolves to a SCSI disk: one row per layer, top
 * first ({device, layer, dev, kind, detail}); JSON {devices: [{device,
 * offloadable, sg, block_size, reason, layers, ranges}]}; a line per device
 * saying where it can be offloaded or which layer refuses and why.
 */
int vitk_odx_resolve_doc(vitk_odx_doc *out, const char *const *names, size_t n);

/** vitk_odx_probe_doc() - {devices: [...], pairs: [{src, dst, offload, method, reason, methods}]}. */
int vitk_odx_probe_doc(vitk_odx_doc *out, const vitk_odx_probe_result *r);

/** vitk_odx_token_file_doc() - the records of the token file @path, one row each. */
int vitk_odx_token_file_doc(vitk_odx_doc *out, const char *path);

/**
 * vitk_odx_jobs_doc() - the copy jobs in @inv (of host @host, NULL: all):
 * a list, or with @job (a uuid or a unique prefix) that one job with every
 * rejected method and fallback.
 * Return: 0; VITK_ENOTFOUND (unknown host or job), VITK_EINVAL (ambiguous
 * prefix), VITK_EDB.  Messages name the host or job.
 */
int vitk_odx_jobs_doc(vitk_odx_doc *out, vitk_inventory *inv, const char *host, const char *job);

#ifdef __cplusplus
}
#endif

#endif /* VITK_ODX_H */
