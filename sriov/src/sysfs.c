/* SPDX-License-Identifier: MIT */
/* sysfs access: every path is under ctx->sysfs_root, every write goes through the ops. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sriov_priv.h"

int vitk_sriov__real_write(void *self, const char *path, const char *buf, size_t len)
{
	int fd;
	ssize_t w;
	int r = 0;

	(void)self;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, buf, len);
	if (w < 0)
		r = -errno;
	else if ((size_t)w != len)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int vitk_sriov_open(vitk_sriov **out, const vitk_sriov_options *opts)
{
	vitk_sriov *ctx = NULL;
	vitk_sriov_options def = VITK_SRIOV_OPTIONS_INIT;
	int r = 0;

	*out = NULL;
	if (!opts)
		opts = &def;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	ctx->sysfs_root = strdup(opts->sysfs_root ? opts->sysfs_root : "/sys");
	ctx->pci_ids = opts->pci_ids ? strdup(opts->pci_ids) : NULL;
	ctx->dump_file = opts->dump_file ? strdup(opts->dump_file) : NULL;
	if (!ctx->sysfs_root || (opts->pci_ids && !ctx->pci_ids) ||
	    (opts->dump_file && !ctx->dump_file)) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	if (opts->sysfs_ops) {
		ctx->sysfs_ops = *opts->sysfs_ops;
	} else {
		ctx->sysfs_ops.write = vitk_sriov__real_write;
		ctx->sysfs_ops.self = NULL;
	}
	if (opts->netlink_ops) {
		ctx->nl_ops = *opts->netlink_ops;
	} else {
		ctx->nl_ops.transact = vitk_sriov__real_transact;
		ctx->nl_ops.self = NULL;
	}
	ctx->no_netlink = opts->no_netlink;
	*out = ctx;
	ctx = NULL;
out:
	vitk_sriov_free(ctx);
	return r;
}

void vitk_sriov_free(vitk_sriov *ctx)
{
	if (!ctx)
		return;
	free(ctx->sysfs_root);
	free(ctx->pci_ids);
	free(ctx->dump_file);
	free(ctx);
}

const char *vitk_sriov_sysfs_root(const vitk_sriov *ctx)
{
	return ctx->sysfs_root;
}

char *vitk_sriov__path(const char *a, const char *b, const char *c, const char *d)
{
	size_t n = strlen(a) + (b ? strlen(b) + 1 : 0) + (c ? strlen(c) + 1 : 0) +
		   (d ? strlen(d) + 1 : 0) + 1;
	char *p = malloc(n);

	if (!p)
		return NULL;
	snprintf(p, n, "%s%s%s%s%s%s%s", a, b ? "/" : "", b ? b : "", c ? "/" : "", c ? c : "",
		 d ? "/" : "", d ? d : "");
	return p;
}

char *vitk_sriov__dev_path(const vitk_sriov *ctx, const char *addr, const char *attr)
{
	size_t n = strlen(ctx->sysfs_root) + strlen("/bus/pci/devices/") + strlen(addr) +
		   (attr ? strlen(attr) + 1 : 0) + 1;
	char *p = malloc(n);

	if (!p)
		return NULL;
	snprintf(p, n, "%s/bus/pci/devices/%s%s%s", ctx->sysfs_root, addr, attr ? "/" : "",
		 attr ? attr : "");
	return p;
}

/*
 * Read a whole file that must be a regular one: a captured tree is input
 * from elsewhere, and a FIFO or a device node in it must neither block nor
 * be read.  Opened O_NONBLOCK (open(2) of a FIFO does not wait for a
 * writer), then checked with fstat(2).  VITK_EPERM: not a regular file.
 */
int vitk_sriov__read_regular(const char *path, size_t max, char **out, size_t *out_len)
{
	char *buf = NULL;
	size_t len = 0;
	struct stat sb;
	int fd, r = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return vitk_error_set(errno == ENOENT ? VITK_ENOTFOUND : VITK_EIO, errno,
				      "cannot open '%s'", path);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		r = vitk_error_set(VITK_EPERM, 0, "'%s' is not a regular file", path);
		goto out;
	}
	buf = malloc(max + 1);
	if (!buf) {
		r = vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, max + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = vitk_error_set(VITK_EIO, errno, "cannot read '%s'", path);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			r = vitk_error_set(VITK_ERANGE, 0, "'%s' is larger than %zu bytes", path, max);
			goto out;
		}
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
	if (out_len)
		*out_len = len;
out:
	free(buf);
	close(fd);
	return r;
}

int vitk_sriov__read_attr(const vitk_sriov *ctx, const char *addr, const char *attr, char **out)
{
	char *path = NULL;
	char *buf = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	path = vitk_sriov__dev_path(ctx, addr, attr);
	if (!path)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	r = vitk_sriov__read_regular(path, SRIOV_ATTR_MAX, &buf, &len);
	if (r == VITK_EPERM) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s': sysfs attribute '%s' is not a regular file",
				   addr, attr);
		goto out;
	}
	if (r < 0) {
		int e = vitk_error_last()->os_errno;

		if (e == ENOENT)
			r = vitk_error_set(VITK_ENOTFOUND, 0, "'%s': missing sysfs attribute '%s'",
					   addr, attr);
		else if (r == VITK_ERANGE)
			r = vitk_error_set(VITK_EINVAL, 0,
					   "'%s': sysfs attribute '%s' is larger than %d bytes",
					   addr, attr, SRIOV_ATTR_MAX);
		else
			r = vitk_error_set(VITK_EIO, e ? e : EIO, "'%s': cannot read sysfs attribute '%s'",
					   addr, attr);
		goto out;
	}
	if (strlen(buf) != len) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s': sysfs attribute '%s' contains a NUL byte",
				   addr, attr);
		goto out;
	}
	*out = buf;
	buf = NULL;
out:
	free(buf);
	free(path);
	return r;
}

/* how much of a bad value to quote: one line, at most 32 bytes */
static int echo_len(const char *s)
{
	size_t n = strcspn(s, "\r\n");

	return (int)(n > 32 ? 32 : n);
}

/* trailing whitespace/newline allowed, nothing else */
static const char *skip_trailing(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

int vitk_sriov_parse_uint(const char *s, unsigned *out, const char *what)
{
	unsigned long v = 0;
	const char *p = s;

	if (!s)
		return vitk_error_set(VITK_EINVAL, 0, "%s: no value", what);
	if (*p < '0' || *p > '9')
		return vitk_error_set(VITK_EINVAL, 0, "%s: not a decimal number: '%.*s'", what,
				      echo_len(s), s);
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > UINT_MAX)
			return vitk_error_set(VITK_EINVAL, 0, "%s: value too large: '%.*s'", what,
					      echo_len(s), s);
		p++;
	}
	if (*skip_trailing(p) != '\0')
		return vitk_error_set(VITK_EINVAL, 0, "%s: not a decimal number: '%.*s'", what,
				      echo_len(s), s);
	*out = (unsigned)v;
	return 0;
}

int vitk_sriov_parse_int(const char *s, int *out, const char *what)
{
	unsigned v = 0;
	bool neg = false;
	int r;

	if (s && *s == '-') {
		neg = true;
		s++;
	}
	r = vitk_sriov_parse_uint(s, &v, what);
	if (r < 0)
		return r;
	if (v > (unsigned)INT_MAX)
		return vitk_error_set(VITK_EINVAL, 0, "%s: value too large", what);
	*out = neg ? -(int)v : (int)v;
	return 0;
}

int vitk_sriov_parse_hex(const char *s, uint32_t max, uint32_t *out, const char *what)
{
	uint64_t v = 0;
	const char *p = s;
	int digits = 0;

	if (!s)
		return vitk_error_set(VITK_EINVAL, 0, "%s: no value", what);
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (;; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		v = v * 16 + (uint64_t)d;
		if (++digits > 8 || v > max)
			return vitk_error_set(VITK_EINVAL, 0, "%s: value out of range: '%.*s'",
					      what, echo_len(s), s);
	}
	if (digits == 0 || *skip_trailing(p) != '\0')
		return vitk_error_set(VITK_EINVAL, 0, "%s: not a hex number: '%.*s'", what,
				      echo_len(s), s);
	*out = (uint32_t)v;
	return 0;
}

int vitk_sriov__read_uint(const vitk_sriov *ctx, const char *addr, const char *attr, unsigned *out)
{
	char *buf = NULL;
	char what[128];
	int r;

	r = vitk_sriov__read_attr(ctx, addr, attr, &buf);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "'%s': sysfs attribute '%s'", addr, attr);
	r = vitk_sriov_parse_uint(buf, out, what);
	free(buf);
	return r;
}

int vitk_sriov__read_hex(const vitk_sriov *ctx, const char *addr, const char *attr, uint32_t max,
			 uint32_t *out)
{
	char *buf = NULL;
	char what[128];
	int r;

	r = vitk_sriov__read_attr(ctx, addr, attr, &buf);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "'%s': sysfs attribute '%s'", addr, attr);
	r = vitk_sriov_parse_hex(buf, max, out, what);
	free(buf);
	return r;
}

/*
 * A link in a captured tree may loop or lead out of the tree: neither may be
 * taken for a device.  The link must resolve (realpath(3)) inside the sysfs
 * root; a dangling one (ENOENT) is allowed, as captures leave some out.
 * VITK_EINVAL names the device and the link.
 */
static int link_check(const vitk_sriov *ctx, const char *path, const char *addr,
		      const char *link)
{
	char *root = realpath(ctx->sysfs_root, NULL), *to = NULL;
	size_t n;
	int r = 0;

	if (!root)
		return 0; /* the root itself is checked where it is opened */
	to = realpath(path, NULL);
	if (!to && errno == ELOOP)
		r = vitk_error_set(VITK_EINVAL, 0, "'%s': link '%s' loops", addr, link);
	else if (to) {
		n = strlen(root);
		if (!(strncmp(to, root, n) == 0 && (to[n] == '/' || to[n] == '\0' ||
						    (n == 1 && root[0] == '/'))))
			r = vitk_error_set(VITK_EINVAL, 0,
					   "'%s': link '%s' points outside the sysfs tree (%s)", addr,
					   link, ctx->sysfs_root);
	}
	free(to);
	free(root);
	return r;
}

static bool hex_run(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* a virtfn link's target must be named as a PCI address: DDDD:BB:DD.F (domains up to 8 digits) */
static bool pci_addr_like(const char *s)
{
	size_t dom = strcspn(s, ":");

	return dom >= 4 && dom <= 8 && hex_run(s, dom) && strlen(s + dom) == 8 &&
	       s[dom] == ':' && hex_run(s + dom + 1, 2) && s[dom + 3] == ':' &&
	       hex_run(s + dom + 4, 2) && s[dom + 6] == '.' && s[dom + 7] >= '0' &&
	       s[dom + 7] <= '7';
}

int vitk_sriov__read_link_base(const vitk_sriov *ctx, const char *addr, const char *link,
			       char *out, size_t outlen)
{
	char *path = NULL;
	char target[PATH_MAX];
	ssize_t n;
	const char *base;
	int r = 0;

	out[0] = '\0';
	path = vitk_sriov__dev_path(ctx, addr, link);
	if (!path)
		return vitk_error_set(VITK_ENOMEM, ENOMEM, "out of memory");
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		r = vitk_error_set(errno == ENOENT ? VITK_ENOTFOUND : VITK_EIO, errno,
				   "'%s': cannot read link '%s'", addr, link);
		goto out;
	}
	target[n] = '\0';
	r = link_check(ctx, path, addr, link);
	if (r < 0)
		goto out;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= outlen) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s': link '%s' target name too long", addr,
				   link);
		goto out;
	}
	if ((strncmp(link, "virtfn", 6) == 0 || strcmp(link, "physfn") == 0) &&
	    !pci_addr_like(base)) {
		r = vitk_error_set(VITK_EINVAL, 0, "'%s': link '%s' does not name a PCI device",
				   addr, link);
		goto out;
	}
	memcpy(out, base, strlen(base) + 1);
out:
	free(path);
	return r;
}

bool vitk_sriov__attr_exists(const vitk_sriov *ctx, const char *addr, const char *attr)
{
	char *path = vitk_sriov__dev_path(ctx, addr, attr);
	bool ok;

	if (!path)
		return false;
	ok = access(path, F_OK) == 0;
	free(path);
	return ok;
}

int vitk_sriov__write_attr(vitk_sriov *ctx, const char *path, const char *value)
{
	return ctx->sysfs_ops.write(ctx->sysfs_ops.self, path, value, strlen(value));
}

int vitk_sriov__addr_parse(const char *s, unsigned *dom, unsigned *bus, unsigned *dev,
			   unsigned *fn)
{
	unsigned v[4] = { 0, 0, 0, 0 };
	const char *p = s;
	int part = 0;
	/* forms: [dddd:]bb:dd.f */
	unsigned vals[4];
	int nvals = 0;
	char seps[4];
	int i;

	if (!s || !*s)
		return VITK_EINVAL;
	for (;;) {
		uint32_t acc = 0;
		int digits = 0;

		while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		       (*p >= 'A' && *p <= 'F')) {
			int d = (*p <= '9') ? *p - '0' : ((*p | 0x20) - 'a' + 10);

			acc = acc * 16 + (uint32_t)d;
			if (++digits > 6)
				return VITK_EINVAL;
			p++;
		}
		if (digits == 0 || nvals >= 4)
			return VITK_EINVAL;
		vals[nvals] = acc;
		seps[nvals] = *p;
		nvals++;
		if (*p == ':' || *p == '.') {
			p++;
			continue;
		}
		break;
	}
	if (*p != '\0')
		return VITK_EINVAL;
	if (nvals == 3 && seps[0] == ':' && seps[1] == '.') {
		v[0] = 0;
		for (i = 0; i < 3; i++)
			v[i + 1] = vals[i];
	} else if (nvals == 4 && seps[0] == ':' && seps[1] == ':' && seps[2] == '.') {
		for (i = 0; i < 4; i++)
			v[i] = vals[i];
	} else {
		return VITK_EINVAL;
	}
	(void)part;
	if (v[0] > 0xffff || v[1] > 0xff || v[2] > 0x1f || v[3] > 7)
		return VITK_EINVAL;
	*dom = v[0];
	*bus = v[1];
	*dev = v[2];
	*fn = v[3];
	return 0;
}

int vitk_sriov_addr_normalize(char out[VITK_SRIOV_ADDR_MAX], const char *in)
{
	unsigned d, b, s, f;

	if (vitk_sriov__addr_parse(in, &d, &b, &s, &f) < 0)
		return vitk_error_set(VITK_EINVAL, 0, "invalid PCI address '%.40s'", in ? in : "");
	snprintf(out, VITK_SRIOV_ADDR_MAX, "%04x:%02x:%02x.%u", d, b, s, f);
	return 0;
}

int vitk_sriov_vf_addr(char out[VITK_SRIOV_ADDR_MAX], const char *pf_addr, unsigned offset,
		       unsigned stride, unsigned index)
{
	unsigned d, b, s, f;
	unsigned long rid;

	if (vitk_sriov__addr_parse(pf_addr, &d, &b, &s, &f) < 0)
		return vitk_error_set(VITK_EINVAL, 0, "invalid PCI address '%.40s'", pf_addr);
	rid = ((unsigned long)b << 8) | (s << 3) | f;
	rid += offset + (unsigned long)stride * index;
	if (rid > 0xffff)
		return vitk_error_set(VITK_ERANGE, 0,
				      "'%s': VF %u lies beyond bus 0xff (offset %u, stride %u)",
				      pf_addr, index, offset, stride);
	snprintf(out, VITK_SRIOV_ADDR_MAX, "%04x:%02lx:%02lx.%lu", d, rid >> 8, (rid >> 3) & 0x1f,
		 rid & 7);
	return 0;
}
