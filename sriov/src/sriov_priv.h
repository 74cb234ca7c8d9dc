/* SPDX-License-Identifier: MIT */
/* Private to //sriov (and its white-box tests). */
#ifndef VITK_SRIOV_PRIV_H
#define VITK_SRIOV_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitk/sriov.h>
#include <vitk/sys/sriov.h>

#define SRIOV_ATTR_MAX 4096 /* cap on any sysfs attribute we read */
#define SRIOV_CONFIG_MAX 4096

struct vitk_sriov {
	char *sysfs_root;
	char *pci_ids;
	char *dump_file;
	vitk_sriov_sysfs_ops sysfs_ops;
	vitk_sriov_netlink_ops nl_ops;
	bool no_netlink;
};

static inline uint16_t sriov_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t sriov_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}
static inline void sriov_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void sriov_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* sysfs.c */
/* "<root>/bus/pci/devices/<addr>/<attr>" (attr may be NULL) into a malloc'd string */
char *vitk_sriov__dev_path(const vitk_sriov *ctx, const char *addr, const char *attr);
char *vitk_sriov__path(const char *a, const char *b, const char *c, const char *d);
/* read an attribute (capped); ENOTFOUND when missing, message names dev+attr */
int vitk_sriov__read_attr(const vitk_sriov *ctx, const char *addr, const char *attr, char **out);
/* a whole regular file (O_NONBLOCK, fstat-checked): VITK_EPERM for a FIFO, device or socket */
int vitk_sriov__read_regular(const char *path, size_t max, char **out, size_t *out_len);
int vitk_sriov__read_uint(const vitk_sriov *ctx, const char *addr, const char *attr,
			  unsigned *out);
int vitk_sriov__read_hex(const vitk_sriov *ctx, const char *addr, const char *attr, uint32_t max,
			 uint32_t *out);
/* basename of a symlink target into out (""+ENOTFOUND when missing) */
int vitk_sriov__read_link_base(const vitk_sriov *ctx, const char *addr, const char *link,
			       char *out, size_t outlen);
bool vitk_sriov__attr_exists(const vitk_sriov *ctx, const char *addr, const char *attr);
int vitk_sriov__write_attr(vitk_sriov *ctx, const char *path, const char *value);
/* the default write op */
int vitk_sriov__real_write(void *self, const char *path, const char *buf, size_t len);
/* parse "dddd:bb:dd.f" strictly */
int vitk_sriov__addr_parse(const char *s, unsigned *dom, unsigned *bus, unsigned *dev,
			   unsigned *fn);

/* netlink_vf.c */
int vitk_sriov__real_transact(void *self, const uint8_t *req, size_t req_len, uint8_t **reply,
			      size_t *reply_len);
int vitk_sriov__nl_build_getlink(uint8_t **out, size_t *out_len, const char *ifname);

/* discover.c */

int vitk_sriov__pf_fill(vitk_sriov *ctx, vitk_sriov_pf_info *pf, const uint8_t *cfg,
			size_t cfg_len, unsigned flags);

/* util.c: replace *@dst (freed) with a copy of @src (NULL or "": NULL); VITK_ENOMEM */
int vitk_sriov__strset(char **dst, const char *src);
/* replace *@dst with a formatted string (never NULL on success); VITK_ENOMEM */
int vitk_sriov__strsetf(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vitk_sriov__vstrsetf(char **dst, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* free a vector of @n strings and the vector */
void vitk_sriov__strv_free(char **v, size_t n);

/* taken.c: add @vf with a printf-style reason */
int vitk_sriov__taken_addf(vitk_sriov_taken *t, const char *vf, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* desired.c: the desired-state document (what vitk_sriov_desired_to_json() serialises) */
int vitk_sriov__desired_doc(json_t **out, const vitk_sriov_desired *d);

/* dump.c: check an lspci -xxxx capture before libpci reads it */
int vitk_sriov__dump_validate(const char *text, size_t len, size_t *n_devices);

#endif
