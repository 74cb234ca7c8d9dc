/* SPDX-License-Identifier: MIT */
/* Device open/identify, command retries, mounted/held checks. */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <vitk/str.h>

#include "odx_internal.h"

void vitk_odx__sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	if (ms)
		nanosleep(&ts, NULL);
}

void vitk_odx__describe(char *buf, size_t len, const vitk_scsi_result *res)
{
	if (res->status == VITK_SCSI_STATUS_CHECK_CONDITION && res->sense_ok) {
		const vitk_scsi_sense *s = &res->sense_parsed;
		const char *t = vitk_scsi_asc_str(s->asc, s->ascq);

		snprintf(buf, len, "%s, %s (ASC %02Xh/%02Xh)", vitk_scsi_sense_key_str(s->sense_key),
			 t ? t : "unknown additional sense", s->asc, s->ascq);
	} else if (res->status == VITK_SCSI_STATUS_CHECK_CONDITION) {
		snprintf(buf, len, "CHECK CONDITION with %s sense data",
			 res->sense_len ? "malformed" : "no");
	} else {
		snprintf(buf, len, "SCSI status 0x%02x", res->status);
	}
}

int vitk_odx__exec(vitk_odx_dev *d, const uint8_t *cdb, size_t cdb_len, void *din, size_t din_len,
		   const void *dout, size_t dout_len, unsigned timeout_ms, vitk_scsi_result *res)
{
	int ua = 0, busy = 0, r;

	for (;;) {
		r = vitk_scsi_exec(d->t, cdb, cdb_len, din, din_len, dout, dout_len,
				   d->timeout_ms ? d->timeout_ms : timeout_ms, res);
		if (r < 0)
			return vitk_error_prefix("%s: ", d->name);
		if (res->status == VITK_SCSI_STATUS_CHECK_CONDITION && res->sense_ok &&
		    res->sense_parsed.sense_key == VITK_SCSI_KEY_UNIT_ATTENTION &&
		    ua++ < ODX_UA_RETRIES)
			continue;
		if ((res->status == VITK_SCSI_STATUS_BUSY ||
		     res->status == VITK_SCSI_STATUS_TASK_SET_FULL) &&
		    busy++ < ODX_BUSY_RETRIES) {
			vitk_odx__sleep_ms(10u * (unsigned)busy);
			continue;
		}
		return 0;
	}
}

int vitk_odx__exec_ok(vitk_odx_dev *d, const char *what, const uint8_t *cdb, size_t cdb_len,
		      void *din, size_t din_len, const void *dout, size_t dout_len,
		      unsigned timeout_ms, vitk_scsi_result *res)
{
	char desc[160];
	int r;

	r = vitk_odx__exec(d, cdb, cdb_len, din, din_len, dout, dout_len, timeout_ms, res);
	if (r < 0)
		return r;
	if (res->status == VITK_SCSI_STATUS_GOOD)
		return 0;
	vitk_odx__describe(desc, sizeof(desc), res);
	return vitk_error_set_scsi(res->status, res->sense_ok ? res->sense_parsed.sense_key : -1,
				   res->sense_ok ? res->sense_parsed.asc : -1,
				   res->sense_ok ? res->sense_parsed.ascq : -1, "%s: %s: %s", d->name,
				   what, desc);
}

static int inquiry_vpd(vitk_odx_dev *d, uint8_t page, uint8_t *buf, size_t cap, size_t *got)
{
	uint8_t cdb[6];
	vitk_scsi_result res;
	char what[32];
	int r;

	vitk_scsi_cdb_inquiry(cdb, true, page, (uint16_t)cap);
	snprintf(what, sizeof(what), "INQUIRY VPD 0x%02x", page);
	r = vitk_odx__exec_ok(d, what, cdb, 6, buf, cap, NULL, 0, ODX_TIMEOUT_SHORT_MS, &res);
	if (r < 0)
		return r;
	*got = res.din_got;
	return 0;
}

static int identify(vitk_odx_dev *d)
{
	vitk_odx_dev_info *in = &d->info;
	uint8_t *buf = NULL, cdb[16];
	const size_t cap = 8192;
	vitk_scsi_inquiry inq;
	vitk_scsi_vpd_pages pages;
	vitk_scsi_capacity cap16;
	vitk_scsi_result res;
	size_t got = 0;
	int r;

	buf = calloc(1, cap);
	if (!buf)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	vitk_scsi_cdb_inquiry(cdb, false, 0, 96);
	r = vitk_odx__exec_ok(d, "INQUIRY", cdb, 6, buf, 96, NULL, 0, ODX_TIMEOUT_SHORT_MS, &res);
	if (r < 0)
		goto out;
	r = vitk_scsi_inquiry_parse(&inq, buf, res.din_got);
	if (r < 0)
		goto bad;
	if (inq.peripheral_qualifier == 3) { /* SPC-4 6.6.2: no logical unit at this LUN */
		r = vitk_error_set(VITK_ENOTSUP, 0,
				   "%s: logical unit not supported (INQUIRY peripheral qualifier 3)",
				   d->name);
		goto out;
	}
	if (inq.device_type != 0) {
		r = vitk_error_set(VITK_ENOTSUP, 0, "%s: peripheral device type 0x%02x is not a disk",
				   d->name, inq.device_type);
		goto out;
	}
	memcpy(d->vendor, inq.vendor, sizeof(d->vendor));
	memcpy(d->product, inq.product, sizeof(d->product));
	memcpy(d->revision, inq.revision, sizeof(d->revision));
	in->tpc = inq.tpc;

	memset(&pages, 0, sizeof(pages));
	r = inquiry_vpd(d, 0x00, buf, cap, &got);
	if (r == VITK_ESCSI) {
		vitk_error_clear(); /* VPD pages are optional for old devices */
	} else if (r < 0) {
		goto out;
	} else {
		r = vitk_scsi_vpd_pages_parse(&pages, buf, got);
		if (r < 0)
			goto bad;
	}
	if (vitk_scsi_vpd_pages_has(&pages, 0x80)) {
		r = inquiry_vpd(d, 0x80, buf, cap, &got);
		if (r < 0)
			goto out;
		r = vitk_scsi_vpd_serial_parse(d->serial, sizeof(d->serial), buf, got);
		if (r < 0)
			goto bad;
	}
	if (vitk_scsi_vpd_pages_has(&pages, 0x83)) {
		r = inquiry_vpd(d, 0x83, buf, cap, &got);
		if (r < 0)
			goto out;
		r = vitk_scsi_vpd_devid_parse(&in->designator, buf, got);
		if (r < 0)
			goto bad;
	}
	if (vitk_scsi_vpd_pages_has(&pages, 0x8F)) {
		r = inquiry_vpd(d, 0x8F, buf, cap, &got);
		if (r < 0)
			goto out;
		r = vitk_scsi_vpd_tpc_parse(&in->vpd_tpc, buf, got);
		if (r < 0)
			goto bad;
		in->has_vpd_tpc = true;
	}
	if (vitk_scsi_vpd_pages_has(&pages, 0xB0)) {
		r = inquiry_vpd(d, 0xB0, buf, cap, &got);
		if (r < 0)
			goto out;
		r = vitk_scsi_vpd_block_limits_parse(&in->block_limits, buf, got);
		if (r < 0)
			goto bad;
		in->has_block_limits = true;
	}
	vitk_scsi_cdb_read_capacity16(cdb, 32);
	r = vitk_odx__exec_ok(d, "READ CAPACITY(16)", cdb, 16, buf, 32, NULL, 0,
			      ODX_TIMEOUT_SHORT_MS, &res);
	if (r < 0)
		goto out;
	r = vitk_scsi_capacity_parse(&cap16, buf, res.din_got);
	if (r < 0)
		goto bad;
	in->block_size = cap16.block_size;
	in->blocks = cap16.last_lba + 1;
	if (in->tpc) {
		/* RCOP is how EXTENDED COPY limits are advertised; failure only disables xcopy */
		vitk_scsi_cdb_receive_copy(cdb, VITK_SCSI_SA_RCOP, 0, 1024);
		r = vitk_odx__exec(d, cdb, 16, buf, 1024, NULL, 0, ODX_TIMEOUT_SHORT_MS, &res);
		if (r < 0)
			goto out;
		if (res.status == VITK_SCSI_STATUS_GOOD) {
			r = vitk_scsi_rcop_parse(&in->rcop, buf, res.din_got);
			if (r < 0)
				goto bad;
			in->has_rcop = true;
		}
	}
	r = 0;
	goto out;
bad:
	vitk_error_prefix("%s: ", d->name);
out:
	free(buf);
	return r;
}

static void set_roots(vitk_odx_dev *d, const vitk_odx_open_options *o)
{
	d->proc_root = strdup(o && o->proc_root ? o->proc_root : "/proc");
	d->sys_root = strdup(o && o->sys_root ? o->sys_root : "/sys");
}

int vitk_odx_dev_open_with_transport(vitk_odx_dev **out, vitk_scsi_transport *t, const char *name,
				     const char *copy_manager, const vitk_odx_open_options *o)
{
	vitk_odx_dev *d = NULL;
	int r;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	d->t = t;
	d->name = vitk_scsi_url_redact(name ? name : t->kind ? t->kind : "device");
	if (!d->name) {
		free(d);
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	d->info.name = d->name;
	d->timeout_ms = o && o->timeout_s ? o->timeout_s * 1000u : 0;
	d->info.vendor = d->vendor;
	d->info.product = d->product;
	d->info.revision = d->revision;
	d->info.serial = d->serial;
	d->info.copy_manager = d->copy_manager;
	set_roots(d, o);
	if (!d->proc_root || !d->sys_root) {
		vitk_odx_dev_free(d);
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	if (copy_manager)
		snprintf(d->copy_manager, sizeof(d->copy_manager), "%s", copy_manager);
	r = identify(d);
	if (r < 0) {
		vitk_odx_dev_free(d);
		return r;
	}
	*out = d;
	return 0;
}

/* iscsi://[user[%pass]@]host[:port]/IQN/LUN -> "iscsi:host:port/IQN" */
static void iscsi_copy_manager(char *buf, size_t len, const char *url)
{
	const char *p = url + strlen("iscsi://"), *at = strchr(p, '@'), *slash;
	size_t n;

	if (at && at < strchr(p, '/'))
		p = at + 1;
	slash = strrchr(p, '/');
	n = slash ? (size_t)(slash - p) : strlen(p);
	snprintf(buf, len, "iscsi:%.*s", (int)n, p);
}

static int iscsi_session_open(void *payload, vitk_scsi_transport **out)
{
	const vitk_odx_dev *d = payload;

	return vitk_scsi_transport_open_iscsi_with(out, d->url, &d->iscsi);
}

static void iscsi_options(vitk_scsi_iscsi_options *io, const vitk_odx_open_options *o)
{
	memset(io, 0, sizeof(*io));
	if (!o)
		return;
	io->initiator_iqn = o->initiator_iqn;
	io->etc_root = o->etc_root;
	io->chap_secret = o->chap_secret;
	io->target_user = o->target_user;
	io->target_secret = o->target_secret;
	io->timeout_s = o->timeout_s;
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*oom = true;
	return d;
}

/* keep what more sessions need: the URL and the login options (owned copies) */
static int keep_login(vitk_odx_dev *d, const char *url, const vitk_scsi_iscsi_options *io)
{
	bool oom = false;

	d->url = dup_or_null(url, &oom);
	d->iscsi.initiator_iqn = dup_or_null(io->initiator_iqn, &oom);
	d->iscsi.etc_root = dup_or_null(io->etc_root, &oom);
	d->iscsi.chap_secret = dup_or_null(io->chap_secret, &oom);
	d->iscsi.target_user = dup_or_null(io->target_user, &oom);
	d->iscsi.target_secret = dup_or_null(io->target_secret, &oom);
	d->iscsi.timeout_s = io->timeout_s;
	return oom ? vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory") : 0;
}

static void free_secret(const char *s)
{
	volatile char *v = (volatile char *)(uintptr_t)s;

	if (!s)
		return;
	while (*v) /* not left in freed memory */
		*v++ = '\0';
	free((char *)(uintptr_t)s);
}

static void iscsi_session_close(void *payload, vitk_scsi_transport *t)
{
	(void)payload;
	vitk_scsi_transport_free(t);
}

void vitk_odx_dev_set_session_opener(vitk_odx_dev *d, vitk_odx_session_open_fn open,
				     vitk_odx_session_close_fn close, void *payload)
{
	d->open_session = open;
	d->close_session = close;
	d->session_payload = payload;
}

int vitk_odx_dev_open(vitk_odx_dev **out, const char *path, const vitk_odx_open_options *o)
{
	vitk_scsi_transport *t = NULL;
	char cm[256];
	bool iscsi = strncmp(path, "iscsi://", 8) == 0;
	int r;

	*out = NULL;
	vitk_scsi_iscsi_options io;

	iscsi_options(&io, o);
	if (iscsi) {
		r = vitk_scsi_transport_open_iscsi_with(&t, path, &io);
		iscsi_copy_manager(cm, sizeof(cm), path);
	} else {
		r = vitk_scsi_transport_open_sg(&t, path, o ? o->read_only : false);
		snprintf(cm, sizeof(cm), "local");
	}
	if (r < 0)
		return r;
	r = vitk_odx_dev_open_with_transport(out, t, path, cm, o);
	if (r < 0) {
		vitk_scsi_transport_free(t);
		return r;
	}
	(*out)->owns_transport = true;
	(*out)->local = !iscsi;
	if ((o && o->initiator_iqn && !((*out)->initiator = strdup(o->initiator_iqn))) ||
	    (iscsi && keep_login(*out, path, &io) < 0)) {
		vitk_odx_dev_free(*out);
		*out = NULL;
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	}
	if (iscsi)
		vitk_odx_dev_set_session_opener(*out, iscsi_session_open, iscsi_session_close, *out);
	if ((*out)->local) {
		/* local LUs: the copy manager is the array, named by vendor/product */
		snprintf((*out)->copy_manager, sizeof((*out)->copy_manager), "local:%s/%s",
			 (*out)->vendor, (*out)->product);
	}
	return 0;
}

void vitk_odx_dev_free(vitk_odx_dev *d)
{
	if (!d)
		return;
	if (d->owns_transport)
		vitk_scsi_transport_free(d->t);
	free(d->name);
	free_secret(d->url);
	free((char *)(uintptr_t)d->iscsi.initiator_iqn);
	free((char *)(uintptr_t)d->iscsi.etc_root);
	free_secret(d->iscsi.chap_secret);
	free((char *)(uintptr_t)d->iscsi.target_user);
	free_secret(d->iscsi.target_secret);
	free(d->initiator);
	free(d->proc_root);
	free(d->sys_root);
	free(d);
}

const vitk_odx_dev_info *vitk_odx_dev_get_info(const vitk_odx_dev *d)
{
	return &d->info;
}

vitk_scsi_transport *vitk_odx_dev_transport(vitk_odx_dev *d)
{
	return d->t;
}

/* ---- mounted / held ---- */

/* a path built from a root: never cut short (a wrong path would skip the check) */
static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *pathf(const char *fmt, ...)
{
	vitk_str s = VITK_STR_INIT;
	va_list ap;

	va_start(ap, fmt);
	vitk_str_vputf(&s, fmt, ap);
	va_end(ap);
	return vitk_str_detach(&s);
}

static int mounted(const char *proc_root, unsigned maj, unsigned min, char *where, size_t wlen)
{
	char *path = pathf("%s/self/mountinfo", proc_root), *line = NULL;
	size_t cap = 0;
	FILE *f;
	int found = 0;

	if (!path)
		return VITK_ENOMEM;
	f = fopen(path, "re");
	free(path);
	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		unsigned a, b;
		char mp[256];

		/* id parent maj:min root mountpoint ... */
		if (sscanf(line, "%*u %*u %u:%u %*s %255s", &a, &b, mp) == 3 && a == maj && b == min) {
			snprintf(where, wlen, "%s", mp);
			found = 1;
			break;
		}
	}
	free(line);
	fclose(f);
	return found;
}

static int held(const char *sys_root, unsigned maj, unsigned min, char *who, size_t wlen)
{
	char *path = pathf("%s/dev/block/%u:%u/holders", sys_root, maj, min);
	struct dirent *e;
	DIR *dir;
	int found = 0;

	if (!path)
		return VITK_ENOMEM;
	dir = opendir(path);
	free(path);
	if (!dir)
		return 0;
	for (;;) {
		e = readdir(dir);
		if (!e)
			break;
		if (e->d_name[0] == '.')
			continue;
		snprintf(who, wlen, "%s", e->d_name);
		found = 1;
		break;
	}
	closedir(dir);
	return found;
}

static int check_devnum(const char *name, const char *proc_root, const char *sys_root,
			unsigned maj, unsigned min, const char *label)
{
	char what[256];
	int r;

	r = mounted(proc_root, maj, min, what, sizeof(what));
	if (r > 0)
		return vitk_error_set(VITK_EBUSY, 0, "'%s'%s is mounted on '%s'", name, label,
				      what);
	if (r == 0)
		r = held(sys_root, maj, min, what, sizeof(what));
	if (r > 0)
		return vitk_error_set(VITK_EBUSY, 0, "'%s'%s is held by '%s'", name, label, what);
	return r; /* 0, or VITK_ENOMEM (recorded by pathf) */
}

int vitk_odx_devnum_check_in_use(unsigned maj, unsigned min, const char *name,
				 const char *proc_root, const char *sys_root)
{
	char *path, label[300];
	struct dirent *e;
	DIR *dir;
	int r;

	r = check_devnum(name, proc_root, sys_root, maj, min, "");
	if (r < 0)
		return r;
	/* partitions: /sys/dev/block/M:m/<part>/{partition,dev} */
	path = pathf("%s/dev/block/%u:%u", sys_root, maj, min);
	if (!path)
		return VITK_ENOMEM;
	dir = opendir(path);
	while (dir && r == 0) {
		e = readdir(dir);
		if (!e)
			break;
		char *part = NULL, *dev = NULL, *txt = NULL;
		size_t n;
		unsigned a, b;

		if (e->d_name[0] == '.')
			continue;
		part = pathf("%s/%s/partition", path, e->d_name);
		dev = pathf("%s/%s/dev", path, e->d_name);
		if (!part || !dev)
			r = VITK_ENOMEM;
		else if (access(part, F_OK) != 0)
			; /* not a partition */
		else if (vitk_read_file(dev, 64, &txt, &n) == 0 && sscanf(txt, "%u:%u", &a, &b) == 2) {
			snprintf(label, sizeof(label), " (partition %.255s)", e->d_name);
			r = check_devnum(name, proc_root, sys_root, a, b, label);
		} else {
			vitk_error_clear();
		}
		free(part);
		free(dev);
		free(txt);
	}
	if (dir)
		closedir(dir);
	free(path);
	return r;
}

/* the block device behind a char node (/dev/sgN, /dev/bsg/H:C:T:L) through sysfs */
static int char_to_block(const char *path, const char *sys_root, unsigned *maj, unsigned *min)
{
	static const char *const classes[] = { "scsi_generic", "bsg" };
	const char *base = strrchr(path, '/');
	size_t k;

	base = base ? base + 1 : path;
	for (k = 0; k < VITK_ARRAY_SIZE(classes); k++) {
		char *dir_path = pathf("%s/class/%s/%s/device/block", sys_root, classes[k], base);
		struct dirent *e;
		DIR *dir;
		int found = 0;

		if (!dir_path)
			return VITK_ENOMEM;
		dir = opendir(dir_path);
		while (dir && !found) {
			e = readdir(dir);
			if (!e)
				break;
			char *dev, *line = NULL;
			size_t n;

			if (e->d_name[0] == '.')
				continue;
			dev = pathf("%s/%s/dev", dir_path, e->d_name);
			if (!dev)
				found = VITK_ENOMEM;
			else if (vitk_read_file(dev, 64, &line, &n) == 0 &&
				 sscanf(line, "%u:%u", maj, min) == 2)
				found = 1;
			else
				vitk_error_clear();
			free(dev);
			free(line);
		}
		if (dir)
			closedir(dir);
		free(dir_path);
		if (found)
			return found;
	}
	return 0;
}

int vitk_odx_path_check_in_use(const char *path, const char *proc_root, const char *sys_root)
{
	struct stat st;
	unsigned maj, min;

	if (stat(path, &st) != 0)
		return 0;
	if (S_ISCHR(st.st_mode)) {
		int r = char_to_block(path, sys_root, &maj, &min);

		if (r <= 0)
			return r; /* not behind a disk, or out of memory */
	} else if (S_ISBLK(st.st_mode)) {
		maj = major(st.st_rdev);
		min = minor(st.st_rdev);
	} else {
		return 0;
	}
	return vitk_odx_devnum_check_in_use(maj, min, path, proc_root, sys_root);
}

int vitk_odx_dev_check_in_use(const vitk_odx_dev *d)
{
	if (!d->local)
		return 0;
	return vitk_odx_path_check_in_use(d->name, d->proc_root, d->sys_root);
}
