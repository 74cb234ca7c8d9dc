/*
 * Block device -> (SCSI disk, LBA ranges), through sysfs and device-mapper
 * tables.  The layouts relied on, in this project's words:
 *
 * - /sys/class/block/NAME is a link into the device tree; a partition's
 *   directory sits inside its disk's directory and has the files `partition`,
 *   `start` and `size` (512-byte sectors; Documentation/ABI/stable/sysfs-block).
 * - /sys/dev/block/MAJ:MIN links to the same directory as class/block/NAME.
 * - A device-mapper device has a `dm/` directory (`name`, `uuid`) and lists the
 *   devices under it in `slaves/` (Documentation/ABI/testing/sysfs-block-dm).
 *   LVM gives its LVs uuids starting with "LVM-", multipathd "mpath-".
 * - A dm "linear" target's parameters are "<dev> <offset>" in sectors; with
 *   libdevmapper the device is always printed as MAJ:MIN
 *   (Documentation/admin-guide/device-mapper/linear.rst).
 * - A dm "multipath" target's status line lists, per priority group, each
 *   path as "MAJ:MIN A|F FAIL_COUNT" followed by its path selector's
 *   arguments: "<#features> <features> <#hw handler args> <args>
 *   <#groups> <next group> { <group state> <#group args> <args> <#paths>
 *   <#selector args> { <path> <A|F> <fail count> <selector args> } }"
 *   (Documentation/admin-guide/device-mapper, drivers/md/dm-mpath.c).  F is
 *   a path the kernel's map has failed (an I/O error, or multipathd's
 *   checker): its SCSI device may still say "running".
 * - A SCSI disk's `device` link is its SCSI device, whose `scsi_generic/`
 *   directory names its sg node, and whose `state` is "running" when usable
 *   (drivers/scsi/scsi_sysfs.c).  queue/logical_block_size is the LBA size.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libdevmapper.h>

#include <vitk/error.h>
#include <vitk/str.h>
#include <vitk/sys/odx_blk.h>

#define BLK_MAX_DEPTH 16
#define BLK_MAX_TARGETS 4096
#define BLK_MAX_RANGES 65536
#define SYS_VALUE_MAX 4096

typedef struct {
	uint16_t disk; /* index into the map's disks */
	uint64_t sector, count;
} sector_range;

typedef VITK_ARRAY(sector_range) sector_ranges;

typedef struct {
	const char *root;
	vitk_odx_dm_table_fn dm_table;
	vitk_odx_dm_table_fn dm_status; /* NULL: none */
	void *dm_payload;
	vitk_odx_blk_map *map;
	sector_ranges sectors;
	bool refused;
} resolver;

void vitk_odx_dm_table_clear(vitk_odx_dm_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->size; i++) {
		free(t->ptr[i].type);
		free(t->ptr[i].params);
	}
	vitk_array_clear(*t);
}

void vitk_odx_blk_map_clear(vitk_odx_blk_map *m)
{
	if (!m)
		return;
	free(m->top);
	free(m->disk);
	free(m->sg);
	free(m->reason);
	for (size_t i = 0; i < m->disks.size; i++) {
		free(m->disks.ptr[i].name);
		free(m->disks.ptr[i].sg);
	}
	vitk_array_clear(m->disks);
	for (size_t i = 0; i < m->layers.size; i++) {
		free(m->layers.ptr[i].dev);
		free(m->layers.ptr[i].kind);
		free(m->layers.ptr[i].detail);
	}
	vitk_array_clear(m->layers);
	vitk_array_clear(m->ranges);
	memset(m, 0, sizeof(*m));
}

/* A kernel block device name: short, no path separators, no dots-only. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || !isgraph((unsigned char)s[i]))
			return false;
	return true;
}

static int sys_path(const resolver *r, char *buf, size_t cap, const char *fmt, va_list ap)
{
	int n = snprintf(buf, cap, "%s/", r->root);
	int m;

	if (n < 0 || (size_t)n >= cap)
		return vitk_error_set(VITK_EINVAL, 0, "sysfs root too long");
	m = vsnprintf(buf + n, cap - (size_t)n, fmt, ap);
	if (m < 0 || (size_t)m >= cap - (size_t)n)
		return vitk_error_set(VITK_EINVAL, 0, "sysfs path too long");
	return 0;
}

/* Read a small sysfs attribute, trailing whitespace removed.  VITK_ENOTFOUND if absent. */
static int __attribute__((format(printf, 4, 5)))
sys_read(const resolver *r, char *val, size_t cap, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int rc, fd;
	ssize_t n;

	va_start(ap, fmt);
	rc = sys_path(r, path, sizeof(path), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vitk_error_set(errno == ENOENT ? VITK_ENOTFOUND : VITK_EIO, errno, "%s", path);
	n = read(fd, val, cap - 1);
	close(fd);
	if (n < 0)
		return vitk_error_set(VITK_EIO, errno, "%s", path);
	val[n] = '\0';
	if (memchr(val, '\0', (size_t)n))
		return vitk_error_set(VITK_EINVAL, 0, "%s: NUL byte", path);
	while (n > 0 && isspace((unsigned char)val[n - 1]))
		val[--n] = '\0';
	return 0;
}

static bool __attribute__((format(printf, 2, 3))) sys_exists(const resolver *r, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = sys_path(r, path, sizeof(path), fmt, ap);
	va_end(ap);
	return rc == 0 && access(path, F_OK) == 0;
}

static int parse_u64_strict(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return VITK_EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return VITK_EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int sys_u64(const resolver *r, uint64_t *out, const char *name, const char *attr)
{
	char v[64];
	int rc = sys_read(r, v, sizeof(v), "class/block/%s/%s", name, attr);

	if (rc < 0)
		return rc;
	if (parse_u64_strict(v, out) < 0)
		return vitk_error_set(VITK_EINVAL, 0, "sysfs %s/%s: not a number: %.40s", name, attr, v);
	return 0;
}

static int parse_devt(const char *s, unsigned *major, unsigned *minor, const char **end)
{
	uint64_t ma = 0, mi = 0;
	const char *p = s;
	int digits = 0;

	for (; *p >= '0' && *p <= '9' && digits < 10; p++, digits++)
		ma = ma * 10 + (uint64_t)(*p - '0');
	if (!digits || *p != ':' || ma > 0xfff)
		return VITK_EINVAL;
	p++;
	for (digits = 0; *p >= '0' && *p <= '9' && digits < 10; p++, digits++)
		mi = mi * 10 + (uint64_t)(*p - '0');
	if (!digits || mi > 0xfffff)
		return VITK_EINVAL;
	*major = (unsigned)ma;
	*minor = (unsigned)mi;
	*end = p;
	return 0;
}

int vitk_odx_dm_linear_parse(const char *params, unsigned *major, unsigned *minor, uint64_t *offset)
{
	const char *p;
	char num[24];
	size_t n;

	if (!params || parse_devt(params, major, minor, &p) < 0 || *p != ' ')
		return vitk_error_set(VITK_EINVAL, 0, "dm linear parameters: expected MAJ:MIN OFFSET");
	p++;
	n = strlen(p);
	if (n == 0 || n >= sizeof(num))
		return vitk_error_set(VITK_EINVAL, 0, "dm linear parameters: bad offset");
	memcpy(num, p, n + 1);
	if (parse_u64_strict(num, offset) < 0 || *offset > UINT64_MAX / 512)
		return vitk_error_set(VITK_EINVAL, 0, "dm linear parameters: bad offset");
	return 0;
}

/* /sys/dev/block/MAJ:MIN -> kernel name (the link's last component). */
static int name_of_devt(const resolver *r, unsigned major, unsigned minor, char *name, size_t cap)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	if ((size_t)snprintf(path, sizeof(path), "%s/dev/block/%u:%u", r->root, major, minor) >=
	    sizeof(path))
		return vitk_error_set(VITK_EINVAL, 0, "sysfs path too long");
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return vitk_error_set(VITK_ENOTFOUND, errno, "no block device %u:%u in sysfs", major,
				      minor);
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (!valid_name(base) || strlen(base) >= cap)
		return vitk_error_set(VITK_EINVAL, 0, "sysfs: bad device name for %u:%u", major, minor);
	strcpy(name, base);
	return 0;
}

static int add_layer(resolver *r, const char *dev, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int add_layer(resolver *r, const char *dev, const char *kind, const char *fmt, ...)
{
	vitk_odx_blk_layer *l;
	vitk_str s;
	va_list ap;

	for (size_t i = 0; i < r->map->layers.size; i++)
		if (strcmp(r->map->layers.ptr[i].dev, dev) == 0)
			return 0; /* a device reached twice (two segments) is one layer */
	vitk_str_init(&s);
	va_start(ap, fmt);
	vitk_str_vputf(&s, fmt, ap);
	va_end(ap);
	l = vitk_array_push(r->map->layers);
	if (!l) {
		vitk_str_clear(&s);
		return VITK_ENOMEM;
	}
	l->dev = strdup(dev);
	l->kind = strdup(kind);
	l->detail = vitk_str_detach(&s);
	if (!l->dev || !l->kind || !l->detail)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	return 0;
}

/* Record the first refusal: "LAYER (kind): why". */
static int refuse(resolver *r, const char *dev, const char *kind, const char *why)
{
	int rc = add_layer(r, dev, kind, "%s", why);

	if (rc < 0)
		return rc;
	if (!r->refused) {
		vitk_str s;

		for (size_t i = 0; i < r->map->layers.size; i++)
			if (strcmp(r->map->layers.ptr[i].dev, dev) == 0)
				r->map->layers.ptr[i].refused = true;
		vitk_str_init(&s);
		vitk_str_putf(&s, "%s (%s): %s", dev, kind, why);
		r->map->reason = vitk_str_detach(&s);
		if (!r->map->reason)
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		r->refused = true;
	}
	return 0;
}

static int resolve(resolver *r, const char *name, uint64_t sector, uint64_t count, int depth);

static int resolve_disk(resolver *r, const char *name, uint64_t sector, uint64_t count)
{
	char path[PATH_MAX], sg[80] = "";
	uint64_t size;
	DIR *d;
	struct dirent *e;
	sector_range *sr;
	size_t di;
	int rc;

	if (!sys_exists(r, "class/block/%s/device", name))
		return refuse(r, name, "disk", "not a SCSI disk (no device link in sysfs)");
	if ((size_t)snprintf(path, sizeof(path), "%s/class/block/%s/device/scsi_generic", r->root,
			     name) >= sizeof(path))
		return vitk_error_set(VITK_EINVAL, 0, "sysfs path too long");
	d = opendir(path);
	if (!d)
		return refuse(r, name, "disk",
			      "SCSI disk without an sg node (is the sg module loaded?)");
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "sg", 2) == 0 && valid_name(e->d_name) &&
		    strlen(e->d_name) < 64) {
			memcpy(sg, "/dev/", 5);
			memcpy(sg + 5, e->d_name, strlen(e->d_name) + 1);
			break;
		}
	}
	closedir(d);
	if (!sg[0])
		return refuse(r, name, "disk", "SCSI disk without an sg node");
	if ((rc = sys_u64(r, &size, name, "size")) < 0)
		return rc;
	if (sector > size || count > size - sector)
		return vitk_error_set(VITK_EINVAL, 0, "%s: range past the end of the disk", name);
	/* a device may span several disks (a VG over several LUNs): one entry each */
	for (di = 0; di < r->map->disks.size; di++)
		if (strcmp(r->map->disks.ptr[di].name, name) == 0)
			break;
	if (di == r->map->disks.size) {
		vitk_odx_blk_disk nd = { strdup(name), strdup(sg) };

		if (di >= VITK_ODX_BLK_MAX_DISKS) {
			char why[120];

			free(nd.name);
			free(nd.sg);
			snprintf(why, sizeof(why), "the device spans more than %d SCSI disks",
				 VITK_ODX_BLK_MAX_DISKS);
			return refuse(r, name, "disk", why);
		}
		if (!nd.name || !nd.sg || vitk_array_append(r->map->disks, nd) < 0) {
			free(nd.name);
			free(nd.sg);
			return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		}
		if (di == 0) {
			r->map->disk = strdup(name);
			r->map->sg = strdup(sg);
			if (!r->map->disk || !r->map->sg)
				return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		}
	}
	if ((rc = add_layer(r, name, "disk", "SCSI disk, sg node %s", sg)) < 0)
		return rc;
	if (r->sectors.size >= BLK_MAX_RANGES)
		return vitk_error_set(VITK_ERANGE, 0, "more than %d ranges", BLK_MAX_RANGES);
	if (count == 0)
		return 0;
	sr = vitk_array_push(r->sectors);
	if (!sr)
		return VITK_ENOMEM;
	sr->disk = (uint16_t)di;
	sr->sector = sector;
	sr->count = count;
	return 0;
}

static int resolve_partition(resolver *r, const char *name, uint64_t sector, uint64_t count,
			     int depth)
{
	char path[PATH_MAX], *real, *slash, parent[72];
	uint64_t start, size;
	int rc;

	if ((rc = sys_u64(r, &start, name, "start")) < 0 || (rc = sys_u64(r, &size, name, "size")) < 0)
		return rc;
	if (sector > size || count > size - sector || start > UINT64_MAX - size)
		return vitk_error_set(VITK_EINVAL, 0, "%s: range past the end of the partition", name);
	if ((size_t)snprintf(path, sizeof(path), "%s/class/block/%s", r->root, name) >= sizeof(path))
		return vitk_error_set(VITK_EINVAL, 0, "sysfs path too long");
	real = realpath(path, NULL);
	if (!real)
		return vitk_error_set(VITK_EIO, errno, "%s", path);
	slash = strrchr(real, '/');
	if (slash)
		*slash = '\0';
	slash = strrchr(real, '/');
	if (!slash || !valid_name(slash + 1) || strlen(slash + 1) >= sizeof(parent)) {
		free(real);
		return vitk_error_set(VITK_EINVAL, 0, "%s: no parent disk in sysfs", name);
	}
	strcpy(parent, slash + 1);
	free(real);
	if ((rc = add_layer(r, name, "partition", "starts at sector %llu of %s",
			    (unsigned long long)start, parent)) < 0)
		return rc;
	return resolve(r, parent, start + sector, count, depth + 1);
}

/* dm target types that are never offloaded, and why. */
static const char *dm_refusal(const char *type)
{
	static const struct {
		const char *type, *why;
	} t[] = {
		{"thin", "dm-thin: blocks are allocated on write and shared with thin snapshots"},
		{"thin-pool", "dm-thin pool"},
		{"snapshot", "dm snapshot: blocks live in the snapshot's exception store"},
		{"snapshot-origin", "dm snapshot origin: writes copy blocks to snapshots"},
		{"snapshot-merge", "dm snapshot being merged"},
		{"crypt", "dm-crypt: the array holds ciphertext; a copy under another key is garbage"},
		{"striped", "dm striped: the data alternates between devices"},
		{"mirror", "dm mirror: two copies to keep in step"},
		{"raid", "dm raid: parity and copies to keep in step"},
		{"cache", "dm cache: the newest blocks may sit on the cache device"},
		{"writecache", "dm writecache: the newest blocks may sit on the cache device"},
		{"integrity", "dm integrity: the array holds interleaved checksums"},
		{"verity", "dm verity: read-only, hash-checked"},
		{"vdo", "dm vdo: deduplicated and compressed"},
		{"zero", "dm zero: no backing device"},
		{"error", "dm error: no backing device"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(type, t[i].type) == 0)
			return t[i].why;
	return NULL;
}

#define MPATH_MAX_COUNT 1024

/* the next space-separated token of *p as an unsigned count <= MPATH_MAX_COUNT */
static int mpath_count(const char **p, unsigned *out)
{
	unsigned v = 0;
	int digits = 0;

	while (**p == ' ')
		(*p)++;
	for (; **p >= '0' && **p <= '9'; (*p)++) {
		if (++digits > 5)
			return VITK_EINVAL;
		v = v * 10 + (unsigned)(**p - '0');
	}
	if (!digits || (**p != ' ' && **p != '\0') || v > MPATH_MAX_COUNT)
		return VITK_EINVAL;
	*out = v;
	return 0;
}

/* skip the next token of *p; VITK_EINVAL at the end of the text */
static int mpath_skip(const char **p)
{
	while (**p == ' ')
		(*p)++;
	if (!**p)
		return VITK_EINVAL;
	while (**p && **p != ' ')
		(*p)++;
	return 0;
}

static int mpath_skip_n(const char **p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (mpath_skip(p) < 0)
			return VITK_EINVAL;
	return 0;
}

int vitk_odx_dm_mpath_status_parse(vitk_odx_dm_mpath_paths *out, const char *status)
{
	const char *p = status;
	unsigned n, groups, paths, args, total = 0;

	if (!status)
		return vitk_error_set(VITK_EINVAL, 0, "multipath status: none");
	/* features, hardware handler arguments, then the groups */
	if (mpath_count(&p, &n) < 0 || mpath_skip_n(&p, n) < 0 || mpath_count(&p, &n) < 0 ||
	    mpath_skip_n(&p, n) < 0 || mpath_count(&p, &groups) < 0 || mpath_skip(&p) < 0)
		goto bad;
	for (unsigned g = 0; g < groups; g++) {
		if (mpath_skip(&p) < 0 || mpath_count(&p, &n) < 0 || mpath_skip_n(&p, n) < 0 ||
		    mpath_count(&p, &paths) < 0 || mpath_count(&p, &args) < 0)
			goto bad;
		for (unsigned i = 0; i < paths; i++) {
			vitk_odx_dm_mpath_path *x;
			unsigned ma, mi;
			const char *end;
			char st;

			while (*p == ' ')
				p++;
			if (++total > MPATH_MAX_COUNT || parse_devt(p, &ma, &mi, &end) < 0 || *end != ' ')
				goto bad;
			p = end + 1;
			st = *p;
			if ((st != 'A' && st != 'F') || (p[1] != ' ' && p[1] != '\0'))
				goto bad;
			p++;
			/* the fail count, then the selector's arguments */
			if (mpath_skip(&p) < 0 || mpath_skip_n(&p, args) < 0)
				goto bad;
			x = vitk_array_push(*out);
			if (!x)
				return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			x->major = ma;
			x->minor = mi;
			x->active = st == 'A';
		}
	}
	return 0;
bad:
	return vitk_error_set(VITK_EINVAL, 0, "malformed multipath status at byte %zu",
			      (size_t)(p - status));
}

/*
 * The paths of map MAJOR:MINOR the kernel has failed, as "MAJ:MIN" strings
 * in *failed (space-separated, with a leading and trailing space).  No status
 * provider: none.
 */
static int mpath_failed(resolver *r, unsigned major, unsigned minor, vitk_str *failed)
{
	vitk_odx_dm_table t = VITK_ARRAY_INIT;
	vitk_odx_dm_mpath_paths paths = VITK_ARRAY_INIT;
	int rc = 0;

	if (vitk_str_puts(failed, " ") < 0)
		return VITK_ENOMEM;
	if (!r->dm_status)
		return 0;
	if ((rc = r->dm_status(r->dm_payload, major, minor, &t)) < 0)
		return rc;
	for (size_t i = 0; i < t.size && rc == 0; i++)
		if (t.ptr[i].type && strcmp(t.ptr[i].type, "multipath") == 0)
			rc = vitk_odx_dm_mpath_status_parse(&paths, t.ptr[i].params);
	for (size_t i = 0; i < paths.size && rc == 0; i++)
		if (!paths.ptr[i].active)
			rc = vitk_str_putf(failed, "%u:%u ", paths.ptr[i].major, paths.ptr[i].minor);
	vitk_array_clear(paths);
	vitk_odx_dm_table_clear(&t);
	return rc;
}

static int resolve_multipath(resolver *r, const char *name, unsigned major, unsigned minor,
			     const char *label, uint64_t sector, uint64_t count, int depth)
{
	char path[PATH_MAX], state[64], devt[40], chosen[72] = "", all[256] = "";
	struct dirent **ents = NULL;
	int n, rc, paths = 0, running = 0;
	vitk_str failed;

	if ((size_t)snprintf(path, sizeof(path), "%s/class/block/%s/slaves", r->root, name) >=
	    sizeof(path))
		return vitk_error_set(VITK_EINVAL, 0, "sysfs path too long");
	vitk_str_init(&failed);
	if ((rc = mpath_failed(r, major, minor, &failed)) < 0) {
		vitk_str_clear(&failed);
		return rc;
	}
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		vitk_str_clear(&failed);
		return refuse(r, name, "dm-multipath", "no paths listed in sysfs");
	}
	for (int i = 0; i < n; i++) {
		const char *p = ents[i]->d_name;

		if (p[0] == '.' || !valid_name(p) || strlen(p) >= sizeof(chosen))
			continue;
		paths++;
		if (strlen(all) + strlen(p) + 3 < sizeof(all)) {
			if (all[0])
				strcat(all, ", ");
			strcat(all, p);
		}
		if (chosen[0] || sys_read(r, state, sizeof(state), "class/block/%s/device/state", p) < 0 ||
		    strcmp(state, "running") != 0)
			continue;
		running++;
		/* a path the map has failed is not used, whatever its SCSI state */
		if (sys_read(r, devt + 1, sizeof(devt) - 2, "class/block/%s/dev", p) == 0) {
			devt[0] = ' ';
			strcat(devt, " ");
			if (strstr(failed.ptr, devt))
				continue;
		}
		strcpy(chosen, p);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	vitk_str_clear(&failed);
	if (!running)
		return refuse(r, name, "dm-multipath", "no running path");
	if (!chosen[0])
		return refuse(r, name, "dm-multipath",
			      "no active path: the map has failed every running path");
	if ((rc = add_layer(r, name, "dm-multipath", "%s: path %s of %d (%s)", label, chosen, paths,
			    all)) < 0)
		return rc;
	return resolve(r, chosen, sector, count, depth + 1);
}

static int resolve_dm(resolver *r, const char *name, uint64_t sector, uint64_t count, int depth)
{
	char devt[32], dmname[160] = "", uuid[160] = "", label[200];
	unsigned major, minor;
	const char *end;
	vitk_odx_dm_table t = VITK_ARRAY_INIT;
	uint64_t end_sector = sector + count, covered = sector;
	int rc;

	if ((rc = sys_read(r, devt, sizeof(devt), "class/block/%s/dev", name)) < 0)
		return rc;
	if (parse_devt(devt, &major, &minor, &end) < 0 || *end)
		return vitk_error_set(VITK_EINVAL, 0, "sysfs %s/dev: bad MAJ:MIN", name);
	(void)sys_read(r, dmname, sizeof(dmname), "class/block/%s/dm/name", name);
	(void)sys_read(r, uuid, sizeof(uuid), "class/block/%s/dm/uuid", name);
	snprintf(label, sizeof(label), "%s%.80s", strncmp(uuid, "LVM-", 4) == 0 ? "LVM LV " : "",
		 dmname[0] ? dmname : name);
	if ((rc = r->dm_table(r->dm_payload, major, minor, &t)) < 0)
		return rc;
	if (t.size > BLK_MAX_TARGETS) {
		vitk_odx_dm_table_clear(&t);
		return vitk_error_set(VITK_ERANGE, 0, "%s: more than %d dm targets", name,
				      BLK_MAX_TARGETS);
	}
	if (t.size == 0) {
		vitk_odx_dm_table_clear(&t);
		return refuse(r, name, "dm", "device-mapper device without a table (suspended or not loaded)");
	}
	for (size_t i = 0; i < t.size && !r->refused && rc == 0; i++) {
		vitk_odx_dm_target *g = &t.ptr[i];
		uint64_t s, e, off;
		unsigned cmaj, cmin;
		char child[72];
		const char *why;

		if (!g->type || !g->params || g->start > UINT64_MAX - g->length) {
			rc = vitk_error_set(VITK_EINVAL, 0, "%s: malformed dm target", name);
			break;
		}
		if (g->start + g->length <= sector || g->start >= end_sector)
			continue;
		if (g->start > covered) {
			rc = vitk_error_set(VITK_EINVAL, 0, "%s: dm table has a gap at sector %llu",
					    name, (unsigned long long)covered);
			break;
		}
		s = sector > g->start ? sector : g->start;
		e = end_sector < g->start + g->length ? end_sector : g->start + g->length;
		covered = e;
		if (strcmp(g->type, "multipath") == 0) {
			rc = resolve_multipath(r, name, major, minor, label, s, e - s, depth);
			continue;
		}
		if (strcmp(g->type, "linear") != 0) {
			char buf[200], kind[48];

			why = dm_refusal(g->type);
			if (!why) {
				snprintf(buf, sizeof(buf), "dm target \"%.40s\" is not offloadable", g->type);
				why = buf;
			}
			snprintf(kind, sizeof(kind), "dm-%.40s", g->type);
			rc = refuse(r, name, kind, why);
			continue;
		}
		if ((rc = vitk_odx_dm_linear_parse(g->params, &cmaj, &cmin, &off)) < 0)
			break;
		if ((rc = name_of_devt(r, cmaj, cmin, child, sizeof(child))) < 0)
			break;
		if (off > UINT64_MAX / 2 - (s - g->start)) {
			rc = vitk_error_set(VITK_EINVAL, 0, "%s: dm offset too large", name);
			break;
		}
		if ((rc = add_layer(r, name, "dm-linear", "%s: %zu segment%s", label, t.size,
				    t.size == 1 ? "" : "s")) < 0)
			break;
		rc = resolve(r, child, off + (s - g->start), e - s, depth + 1);
	}
	if (rc == 0 && !r->refused && covered < end_sector)
		rc = vitk_error_set(VITK_EINVAL, 0, "%s: dm table ends at sector %llu", name,
				    (unsigned long long)covered);
	vitk_odx_dm_table_clear(&t);
	return rc;
}

static int resolve(resolver *r, const char *name, uint64_t sector, uint64_t count, int depth)
{
	static const struct {
		const char *prefix, *kind, *why;
	} other[] = {
		{"loop", "loop", "loop device: a file on a filesystem (copy the file instead)"},
		{"md", "md", "md RAID: the data is spread over member devices with parity or copies"},
		{"nvme", "nvme", "NVMe: its own copy command is not supported yet"},
		{"vd", "virtio", "virtio-blk: no SCSI third-party copy"},
		{"xvd", "xen", "Xen block device: no SCSI third-party copy"},
		{"nbd", "nbd", "network block device: no SCSI third-party copy"},
		{"rbd", "rbd", "Ceph RBD: no SCSI third-party copy"},
		{"zram", "zram", "zram: memory, not an array"},
		{"ram", "ram", "RAM disk: memory, not an array"},
		{"mmcblk", "mmc", "MMC/SD card: no SCSI third-party copy"},
	};

	if (depth > BLK_MAX_DEPTH)
		return vitk_error_set(VITK_EINVAL, 0, "device stack deeper than %d", BLK_MAX_DEPTH);
	if (!valid_name(name))
		return vitk_error_set(VITK_EINVAL, 0, "bad block device name");
	if (!sys_exists(r, "class/block/%s", name))
		return vitk_error_set(VITK_ENOTFOUND, 0, "no block device %s in sysfs", name);
	if (sys_exists(r, "class/block/%s/dm", name))
		return resolve_dm(r, name, sector, count, depth);
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (strncmp(name, other[i].prefix, strlen(other[i].prefix)) == 0)
			return refuse(r, name, other[i].kind, other[i].why);
	if (sys_exists(r, "class/block/%s/partition", name))
		return resolve_partition(r, name, sector, count, depth);
	return resolve_disk(r, name, sector, count);
}

/* Sectors -> LBAs of the disks (one logical block size for all); adjacent ranges merged. */
static int to_lbas(resolver *r)
{
	vitk_odx_blk_map *m = r->map;
	uint64_t bs = 0, per;
	int rc;

	for (size_t i = 0; i < m->disks.size; i++) {
		const char *dn = m->disks.ptr[i].name;
		uint64_t b;

		if ((rc = sys_u64(r, &b, dn, "queue/logical_block_size")) < 0)
			return rc;
		if (b < 512 || b > 65536 || b % 512)
			return vitk_error_set(VITK_EINVAL, 0, "%s: bad logical block size %llu", dn,
					      (unsigned long long)b);
		if (i && b != bs) {
			char why[200];

			snprintf(why, sizeof(why),
				 "the device spans disks of different logical block sizes (%.40s: "
				 "%llu, %.40s: %llu)",
				 m->disks.ptr[0].name, (unsigned long long)bs, dn,
				 (unsigned long long)b);
			return refuse(r, dn, "disk", why);
		}
		bs = b;
	}
	m->block_size = (uint32_t)bs;
	per = bs / 512;
	for (size_t i = 0; i < r->sectors.size; i++) {
		sector_range *s = &r->sectors.ptr[i];
		vitk_odx_blk_range *last = m->ranges.size ? &m->ranges.ptr[m->ranges.size - 1] : NULL;

		if (s->sector % per || s->count % per) {
			char why[160];

			snprintf(why, sizeof(why), "a segment is not aligned to the disk's %llu-byte blocks",
				 (unsigned long long)bs);
			return refuse(r, m->disks.ptr[s->disk].name, "disk", why);
		}
		if (last && last->disk == s->disk && last->lba + last->count == s->sector / per) {
			last->count += s->count / per;
			continue;
		}
		last = vitk_array_push(m->ranges);
		if (!last)
			return VITK_ENOMEM;
		last->lba = s->sector / per;
		last->count = s->count / per;
		last->zero = false;
		last->disk = s->disk;
	}
	return 0;
}

int vitk_odx_blk_resolve_name(vitk_odx_blk_map *out, const char *name, const vitk_odx_blk_env *env)
{
	resolver r = {0};
	uint64_t size;
	int rc;

	memset(out, 0, sizeof(*out));
	r.root = env && env->sysfs_root ? env->sysfs_root : "/sys";
	r.dm_table = env && env->dm_table ? env->dm_table : vitk_odx_dm_table_libdm;
	r.dm_status = env && env->dm_status ? env->dm_status
		      : env && env->dm_table ? NULL
					     : vitk_odx_dm_status_libdm;
	r.dm_payload = env ? env->dm_payload : NULL;
	r.map = out;
	if (!name || !valid_name(name))
		return vitk_error_set(VITK_EINVAL, 0, "bad block device name");
	out->top = strdup(name);
	if (!out->top)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	rc = sys_u64(&r, &size, name, "size");
	if (rc == 0 && size > UINT64_MAX / 512)
		rc = vitk_error_set(VITK_EINVAL, 0, "%s: size too large", name);
	if (rc == 0) {
		out->size_bytes = size * 512;
		rc = resolve(&r, name, 0, size, 0);
	}
	if (rc == 0 && !r.refused && !out->disk)
		rc = refuse(&r, name, "disk", "no SCSI disk under this device");
	if (rc == 0 && !r.refused)
		rc = to_lbas(&r);
	out->offloadable = rc == 0 && !r.refused;
	if (!out->offloadable)
		vitk_array_clear(out->ranges);
	vitk_array_clear(r.sectors);
	if (rc < 0)
		vitk_error_prefix("resolving %s", name);
	return rc;
}

int vitk_odx_blk_resolve_devt(vitk_odx_blk_map *out, unsigned major, unsigned minor,
			      const vitk_odx_blk_env *env)
{
	resolver r = {0};
	char name[72];
	int rc;

	memset(out, 0, sizeof(*out));
	r.root = env && env->sysfs_root ? env->sysfs_root : "/sys";
	rc = name_of_devt(&r, major, minor, name, sizeof(name));
	if (rc < 0)
		return rc;
	return vitk_odx_blk_resolve_name(out, name, env);
}

int vitk_odx_blk_file_ranges(vitk_odx_blk_ranges *out, const vitk_odx_blk_map *fs,
			     const vitk_odx_file_extents *x, uint64_t file_size)
{
	uint64_t bs = fs->block_size;

	if (!bs || file_size % bs)
		return vitk_error_set(VITK_ENOTSUP, 0,
				      "the file's size is not a multiple of the disk's %llu-byte blocks",
				      (unsigned long long)bs);
	for (size_t i = 0; i < x->size; i++) {
		const vitk_odx_file_extent *e = &x->ptr[i];
		uint64_t skip, n;

		if (e->logical % bs || e->length % bs || (e->kind == VITK_ODX_EXT_DATA && e->physical % bs))
			return vitk_error_set(VITK_ENOTSUP, 0, "extent at byte %llu is not aligned to the "
					      "disk's %llu-byte blocks",
					      (unsigned long long)e->logical, (unsigned long long)bs);
		n = e->length / bs;
		if (e->kind == VITK_ODX_EXT_ZERO) {
			vitk_odx_blk_range z = { 0, n, true, 0 };
			vitk_odx_blk_range *l = out->size ? &out->ptr[out->size - 1] : NULL;

			if (l && l->zero)
				l->count += n;
			else if (vitk_array_append(*out, z) < 0)
				return VITK_ENOMEM;
			continue;
		}
		/* physical bytes are offsets into the filesystem's device: walk its ranges */
		skip = e->physical / bs;
		for (size_t j = 0; j < fs->ranges.size && n; j++) {
			vitk_odx_blk_range r = fs->ranges.ptr[j];
			vitk_odx_blk_range *l;

			if (skip >= r.count) {
				skip -= r.count;
				continue;
			}
			r.lba += skip;
			r.count -= skip;
			skip = 0;
			if (r.count > n)
				r.count = n;
			n -= r.count;
			l = out->size ? &out->ptr[out->size - 1] : NULL;
			if (l && !l->zero && l->disk == r.disk && l->lba + l->count == r.lba)
				l->count += r.count;
			else if (vitk_array_append(*out, r) < 0)
				return VITK_ENOMEM;
		}
		if (n)
			return vitk_error_set(VITK_EINVAL, 0, "extent at byte %llu is past the end of "
					      "the filesystem's device",
					      (unsigned long long)e->logical);
	}
	return 0;
}

int vitk_odx_blk_resolve_path(vitk_odx_blk_map *out, const char *path, const vitk_odx_blk_env *env)
{
	resolver r = {0};
	struct stat st;
	char name[72];
	int rc;

	memset(out, 0, sizeof(*out));
	r.root = env && env->sysfs_root ? env->sysfs_root : "/sys";
	if (stat(path, &st) < 0)
		return vitk_error_set(VITK_ENOTFOUND, errno, "%s", path);
	if (!S_ISBLK(st.st_mode))
		return vitk_error_set(VITK_EINVAL, 0, "%s: not a block device", path);
	rc = name_of_devt(&r, major(st.st_rdev), minor(st.st_rdev), name, sizeof(name));
	if (rc < 0)
		return rc;
	return vitk_odx_blk_resolve_name(out, name, env);
}

int vitk_odx_blk_pieces_make(vitk_odx_blk_pieces *out, const vitk_odx_blk_ranges *src,
			     const vitk_odx_blk_ranges *dst, uint64_t blocks)
{
	size_t i = 0, j = 0;
	uint64_t si = 0, dj = 0, done = 0;

	while (done < blocks) {
		vitk_odx_blk_piece *p;
		uint64_t n;

		if (i >= src->size || j >= dst->size)
			return vitk_error_set(VITK_ERANGE, 0, "%s is shorter than %llu blocks",
					      i >= src->size ? "the source" : "the destination",
					      (unsigned long long)blocks);
		n = src->ptr[i].count - si;
		if (dst->ptr[j].count - dj < n)
			n = dst->ptr[j].count - dj;
		if (blocks - done < n)
			n = blocks - done;
		if (n) {
			p = vitk_array_push(*out);
			if (!p)
				return VITK_ENOMEM;
			p->src_lba = src->ptr[i].zero ? 0 : src->ptr[i].lba + si;
			p->dst_lba = dst->ptr[j].lba + dj;
			p->count = n;
			p->zero = src->ptr[i].zero;
			p->src_disk = src->ptr[i].zero ? 0 : src->ptr[i].disk;
			p->dst_disk = dst->ptr[j].disk;
		}
		si += n;
		dj += n;
		done += n;
		if (si == src->ptr[i].count) {
			i++;
			si = 0;
		}
		if (dj == dst->ptr[j].count) {
			j++;
			dj = 0;
		}
	}
	return 0;
}

/* libdevmapper logs to stderr by default; a library must not print. */
static void dm_silent(int level, const char *file, int line, int dm_errno_or_class, const char *f,
		      ...)
{
	(void)level;
	(void)file;
	(void)line;
	(void)dm_errno_or_class;
	(void)f;
}

static int dm_targets(int task, const char *what, unsigned major, unsigned minor,
		      vitk_odx_dm_table *out)
{
	struct dm_task *dmt;
	void *next = NULL;
	int rc = 0;

	dm_log_with_errno_init(dm_silent);
	dmt = dm_task_create(task);
	if (!dmt)
		return vitk_error_set(VITK_ENOMEM, 0, "libdevmapper: no task");
	if (!dm_task_set_major(dmt, (int)major) || !dm_task_set_minor(dmt, (int)minor) ||
	    !dm_task_run(dmt)) {
		dm_task_destroy(dmt);
		return vitk_error_set(VITK_EIO, errno, "libdevmapper: %s of %u:%u", what, major, minor);
	}
	do {
		uint64_t start = 0, length = 0;
		char *type = NULL, *params = NULL;
		vitk_odx_dm_target *t;

		next = dm_get_next_target(dmt, next, &start, &length, &type, &params);
		if (!type)
			break;
		if (out->size >= BLK_MAX_TARGETS + 1)
			break;
		t = vitk_array_push(*out);
		if (!t) {
			rc = VITK_ENOMEM;
			break;
		}
		t->start = start;
		t->length = length;
		t->type = strdup(type);
		t->params = strdup(params ? params : "");
		if (!t->type || !t->params) {
			rc = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
			break;
		}
	} while (next);
	dm_task_destroy(dmt);
	return rc;
}

int vitk_odx_dm_table_libdm(void *payload, unsigned major, unsigned minor, vitk_odx_dm_table *out)
{
	(void)payload;
	return dm_targets(DM_DEVICE_TABLE, "table", major, minor, out);
}

int vitk_odx_dm_status_libdm(void *payload, unsigned major, unsigned minor, vitk_odx_dm_table *out)
{
	(void)payload;
	return dm_targets(DM_DEVICE_STATUS, "status", major, minor, out);
}
