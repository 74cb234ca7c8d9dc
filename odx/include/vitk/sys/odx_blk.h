/*
 * vitk odx: block devices and files resolved to (SCSI device, LBA ranges).
 *
 * For tests, fuzzers and the copy workflow.  Everything below reads the
 * kernel's view through three seams so that tests run on fake trees:
 *   - a sysfs root (normally "/sys"): class/block/NAME, dev/block/MAJ:MIN;
 *   - a device-mapper table provider (normally libdevmapper, DM_DEVICE_TABLE);
 *   - the FIEMAP result, parsed from the raw ioctl buffer.
 * Sectors are 512 bytes, as in sysfs and device-mapper tables
 * (Documentation/admin-guide/device-mapper/linear.rst).
 */
#ifndef VITK_SYS_ODX_BLK_H
#define VITK_SYS_ODX_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitk/array.h>
#include <vitk/odx.h>

/* One target line of a dm table, as DM_DEVICE_TABLE returns it. */
typedef struct {
	uint64_t start;  /* sectors */
	uint64_t length; /* sectors */
	char *type;      /* "linear", "thin", "crypt", ... */
	char *params;    /* "253:0 2048" for linear */
} vitk_odx_dm_target;

typedef VITK_ARRAY(vitk_odx_dm_target) vitk_odx_dm_table;

void vitk_odx_dm_table_clear(vitk_odx_dm_table *t);

/* Fill *out with the table of device MAJOR:MINOR.  Returns 0 or a vitk_err. */
typedef int (*vitk_odx_dm_table_fn)(void *payload, unsigned major, unsigned minor,
				    vitk_odx_dm_table *out);

/* The libdevmapper provider (payload unused). */
int vitk_odx_dm_table_libdm(void *payload, unsigned major, unsigned minor, vitk_odx_dm_table *out);

/* The targets' status lines (DM_DEVICE_STATUS; params = the status text). */
int vitk_odx_dm_status_libdm(void *payload, unsigned major, unsigned minor, vitk_odx_dm_table *out);

/* One path of a dm multipath target's status: the kernel's view (A or F). */
typedef struct {
	unsigned major, minor;
	bool active; /* "A"; false for "F": the map has failed the path */
} vitk_odx_dm_mpath_path;

typedef VITK_ARRAY(vitk_odx_dm_mpath_path) vitk_odx_dm_mpath_paths;

/*
 * A multipath target's status (the part after its type: "2 0 1 0 1 1 A 0 2 2
 * 8:0 F 1 0 1 8:32 A 0 0 1") -> its paths, appended to *out.  Hostile input:
 * 0, VITK_EINVAL (malformed, counts over 1024) or VITK_ENOMEM.
 */
int vitk_odx_dm_mpath_status_parse(vitk_odx_dm_mpath_paths *out, const char *status);

/* "MAJ:MIN OFFSET" of a linear target -> its parts.  Hostile input: 0 or VITK_EINVAL. */
int vitk_odx_dm_linear_parse(const char *params, unsigned *major, unsigned *minor, uint64_t *offset);

/* One layer of the stack, top first: "dm-2 (vg-lv): dm linear, 1 segment". */
typedef struct {
	char *dev;    /* kernel name: dm-2, sda1, sda */
	char *kind;   /* disk, partition, dm-linear, dm-multipath, dm-thin, ... */
	char *detail; /* what the layer contributed, or why it is refused */
	bool refused; /* this layer gave the map's reason */
} vitk_odx_blk_layer;

typedef struct {
	uint64_t lba;   /* in the SCSI disk's logical blocks */
	uint64_t count;
	bool zero;      /* a file's hole or unwritten extent: reads as zeros, lba unused */
	uint16_t disk;  /* the disk: an index into the map's disks */
} vitk_odx_blk_range;

/* A SCSI disk under a device (an LV on a VG of several LUNs has several). */
typedef struct {
	char *name; /* kernel name (sdX) */
	char *sg;   /* "/dev/sgN" */
} vitk_odx_blk_disk;

#define VITK_ODX_BLK_MAX_DISKS 16

typedef VITK_ARRAY(vitk_odx_blk_layer) vitk_odx_blk_layers;
typedef VITK_ARRAY(vitk_odx_blk_range) vitk_odx_blk_ranges;
typedef VITK_ARRAY(vitk_odx_blk_disk) vitk_odx_blk_disks;

typedef struct {
	char *top;          /* kernel name of the device asked about */
	char *disk;         /* kernel name of the (first) SCSI disk (sdX), or NULL */
	char *sg;           /* "/dev/sgN" of that disk, or NULL */
	/* every SCSI disk the ranges lie on, in the order first reached (disks[0] is
	 * disk/sg; at most VITK_ODX_BLK_MAX_DISKS, all of one logical block size) */
	vitk_odx_blk_disks disks;
	uint32_t block_size; /* the disks' logical block size */
	uint64_t size_bytes; /* the top device's size */
	vitk_odx_blk_ranges ranges; /* in the order of the top device's bytes */
	vitk_odx_blk_layers layers;
	bool offloadable;
	char *reason;       /* when !offloadable: "LAYER: why", naming the layer */
} vitk_odx_blk_map;

void vitk_odx_blk_map_clear(vitk_odx_blk_map *m);

typedef struct {
	const char *sysfs_root;          /* NULL: "/sys" */
	vitk_odx_dm_table_fn dm_table;   /* NULL: libdevmapper */
	void *dm_payload;
	/* the status lines (multipath: which paths the map has failed); NULL:
	 * libdevmapper when dm_table is NULL too, else no status is read */
	vitk_odx_dm_table_fn dm_status;
} vitk_odx_blk_env;

/*
 * Resolve the kernel block device NAME ("dm-3", "sdb1") to ranges of a SCSI
 * disk.  A device that cannot be offloaded is not an error: the result has
 * offloadable = false and a reason naming the layer.  Errors (VITK_ENOTFOUND,
 * VITK_EINVAL for a malformed tree or table, VITK_ENOMEM) are returned.
 */
int vitk_odx_blk_resolve_name(vitk_odx_blk_map *out, const char *name, const vitk_odx_blk_env *env);

/* The same for a device number. */
int vitk_odx_blk_resolve_devt(vitk_odx_blk_map *out, unsigned major, unsigned minor,
			      const vitk_odx_blk_env *env);

/* The same for a path (a block device node or a /dev/VG/LV link), via stat(). */
int vitk_odx_blk_resolve_path(vitk_odx_blk_map *out, const char *path, const vitk_odx_blk_env *env);

/*
 * One piece of a copy between two resolved maps: the first `count` blocks
 * from src_lba on the source disk go to dst_lba on the destination disk.
 */
typedef struct {
	uint64_t src_lba, dst_lba, count;
	bool zero; /* write zeros at dst_lba (the source reads as zeros there) */
	uint16_t src_disk, dst_disk; /* the ranges' disks (indexes into each map's disks) */
} vitk_odx_blk_piece;

typedef VITK_ARRAY(vitk_odx_blk_piece) vitk_odx_blk_pieces;

/*
 * Zip two range lists of the same block size into pieces covering
 * `blocks` blocks from the start of both devices.  VITK_ERANGE when a side
 * is shorter than `blocks`.
 */
int vitk_odx_blk_pieces_make(vitk_odx_blk_pieces *out, const vitk_odx_blk_ranges *src,
			     const vitk_odx_blk_ranges *dst, uint64_t blocks);

/* ---- files: FIEMAP ---- */

typedef enum {
	VITK_ODX_EXT_DATA = 0, /* written data */
	VITK_ODX_EXT_ZERO,     /* unwritten (preallocated) or a hole: reads as zeros */
} vitk_odx_ext_kind;

typedef struct {
	uint64_t logical;  /* bytes into the file */
	uint64_t physical; /* bytes into the filesystem's block device (DATA only) */
	uint64_t length;   /* bytes */
	vitk_odx_ext_kind kind;
	bool shared;
} vitk_odx_file_extent;

typedef VITK_ARRAY(vitk_odx_file_extent) vitk_odx_file_extents;

/*
 * Parse a FIEMAP result (struct fiemap followed by fm_mapped_extents struct
 * fiemap_extent, linux/fiemap.h) of BUF/LEN covering a file of FILE_SIZE
 * bytes, appending to OUT in file order and filling holes as ZERO extents.
 * Refuses (VITK_ENOTSUP, reason in vitk_error_last()) inline, encoded,
 * delalloc, unknown, not-aligned and data-encrypted extents; VITK_EINVAL for
 * a malformed buffer.  *LAST is set when the FIEMAP_EXTENT_LAST flag was seen.
 */
int vitk_odx_fiemap_parse(vitk_odx_file_extents *out, const void *buf, size_t len,
			  uint64_t file_size, bool *last);

/*
 * A file's extents on the map of its filesystem's device -> ranges of the
 * SCSI disk (DATA) and zero ranges (holes, unwritten), in file order, in
 * FS->block_size blocks.  Refuses (VITK_ENOTSUP, reason in the message) a
 * file size or extent not aligned to the disk's blocks.
 */
int vitk_odx_blk_file_ranges(vitk_odx_blk_ranges *out, const vitk_odx_blk_map *fs,
			     const vitk_odx_file_extents *x, uint64_t file_size);

/* FIEMAP (after fsync) of the open file FD, whole file, through the ioctl. */
int vitk_odx_fiemap_fd(vitk_odx_file_extents *out, int fd, uint64_t file_size);

/* ---- probe ---- */

/*
 * vitk_odx_probe() with explicit seams: a name that is a regular file or a
 * block device other than a whole SCSI disk is resolved (layers, and per
 * layer and per copy method whether it allows the method, or why not); its
 * SCSI disk, if any, is opened and probed like a LUN.  Other names are LUNs.
 */
int vitk_odx_blk_probe(vitk_odx_probe_result *out, vitk_inventory *inv, int64_t host_id,
		       const char *const *names, size_t n, const vitk_odx_opener *op,
		       const vitk_odx_blk_env *env);

/* ---- copy jobs between stacked block devices ---- */

/* Whether PATH is a block device other than a whole SCSI disk (an LV, a partition, a map). */
bool vitk_odx_blk_is_stacked(const char *path, const vitk_odx_blk_env *env);

/*
 * vitk_odx_copy_job_run() with explicit seams: a job whose source or
 * destination is stacked is resolved, copied piece by piece on the SCSI disks
 * with the coherency steps of blk_copy.c, and its layers recorded in
 * odx_blk_layer; any other job is vitk_odx_job_run().
 */
int vitk_odx_blk_job_run(vitk_inventory *inv, int64_t host_id, const vitk_odx_job_request *req,
			 const vitk_odx_blk_env *env, vitk_odx_job_result *out);

/*
 * Copy the N pieces P (none zero, each < 2^32 blocks, N <= 64) with ONE ROD
 * token: a POPULATE TOKEN listing every source range, a WRITE USING TOKEN
 * listing every destination range.  0: all copied; 1: not (WHY says why; the
 * caller copies the group piece by piece); < 0: transport failure.
 * *COMMANDS counts the commands sent.
 */
int vitk_odx_blk_token_group(vitk_odx_dev *src, vitk_odx_dev *dst, const vitk_odx_blk_piece *p,
			     size_t n, uint64_t *commands, char *why, size_t wlen);

/*
 * ---- multi-segment EXTENDED COPY (LID1) for the pieces of a plan ----
 *
 * Pieces (source range -> destination range, on devices devs[src_dev] and
 * devs[dst_dev]) packed into as few EXTENDED COPY commands as the limits of
 * every device allow: one identification CSCD (E4h) per distinct device, one
 * or more 02h segments per piece (a piece longer than a segment is split).
 */
#define VITK_ODX_BLK_XCOPY_MAX_SEGMENTS 256
#define VITK_ODX_BLK_XCOPY_MAX_CSCDS 16

/* a piece of a plan on several devices: src_dev and dst_dev index vitk_odx_blk_xcopy.devs */
typedef struct {
	uint64_t src_lba, dst_lba, count;
	bool zero; /* never packed: a zero piece ends a command */
	uint16_t src_dev, dst_dev;
} vitk_odx_blk_xpiece;

typedef struct {
	size_t max_segments;           /* per command */
	size_t max_cscds;              /* per command */
	uint32_t max_desc_list_length; /* CSCD + segment descriptor bytes */
	uint64_t seg_blocks;           /* blocks per segment (<= 65535) */
	uint64_t cmd_blocks;           /* blocks per command (--max-blocks-per-command) */
} vitk_odx_blk_xcopy_limits;

/*
 * The lowest RECEIVE COPY OPERATING PARAMETERS limits of DEVS (the source's
 * and the destination's, whichever receives a command); a device without RCOP
 * adds none; limits nobody gives are 64 segments and 2 CSCDs.
 * MAX_BLOCKS_PER_COMMAND (0: none) caps segments and commands.
 */
void vitk_odx_blk_xcopy_limits_get(vitk_odx_blk_xcopy_limits *out, vitk_odx_dev *const *devs,
				   size_t ndevs, uint64_t max_blocks_per_command);

typedef struct {
	vitk_odx_dev *const *devs; /* the devices that pieces name by index */
	size_t ndevs;
	const vitk_odx_blk_xpiece *pieces; /* in the order of the plan's blocks */
	size_t npieces;
	/* the requested destination ranges (dst_dev, dst_lba, count): no segment may leave them */
	const vitk_odx_blk_xpiece *allowed;
	size_t nallowed;
	vitk_odx_blk_xcopy_limits limits;
	uint8_t list_id; /* the next LIST IDENTIFIER (0: start at 1); advanced per command */
} vitk_odx_blk_xcopy;

typedef struct {
	uint16_t dev[VITK_ODX_BLK_XCOPY_MAX_CSCDS]; /* CSCD i describes devs[dev[i]] */
	size_t ncscd;
	vitk_scsi_segment seg[VITK_ODX_BLK_XCOPY_MAX_SEGMENTS];
	size_t nseg;
	uint16_t receiver;       /* devs[receiver] gets the command: the first segment's destination */
	uint64_t blocks;         /* blocks the command copies */
	size_t end_pos;          /* where the next command starts: piece end_pos, */
	uint64_t end_off;        /* end_off blocks into it */
} vitk_odx_blk_xcopy_cmd;

/*
 * Pack one command from piece POS, OFF blocks into it, stopping before a zero
 * piece.  Nothing is sent.  0: packed (OUT); 1: nothing to pack (a zero piece
 * or the end).
 */
int vitk_odx_blk_xcopy_pack(vitk_odx_blk_xcopy_cmd *out, const vitk_odx_blk_xcopy *x, size_t pos,
			    uint64_t off);

/*
 * Check every segment of C against X->allowed (VITK_ERANGE, nothing sent,
 * when one leaves them), build the parameter list and send it to
 * devs[C->receiver] (the next list identifier on OPERATION IN PROGRESS).
 * 0: GOOD; 1: another status (WHY says which; the caller copies those pieces
 * another way); < 0: transport failure.  *COMMANDS counts the commands sent.
 */
int vitk_odx_blk_xcopy_send(vitk_odx_blk_xcopy *x, const vitk_odx_blk_xcopy_cmd *c,
			    uint64_t *commands, char *why, size_t wlen);

#endif /* VITK_SYS_ODX_BLK_H */
