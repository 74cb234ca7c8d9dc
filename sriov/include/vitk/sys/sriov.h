/* SPDX-License-Identifier: MIT */
/*
 * vitk sriov: the parsers and message builders behind the public API,
 * exported for unit tests and fuzzers (the idea of libgit2's include/git2/sys/).
 * Applications use <vitk/sriov.h>; nothing here is a stable interface.
 */
#ifndef VITK_SYS_SRIOV_H
#define VITK_SYS_SRIOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitk/sriov.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------- netlink */

/**
 * vitk_sriov_nl_build_setlink() - build RTM_SETLINK for @ifindex carrying one
 * IFLA_VF_INFO with every has_* attribute of @cfg.  *@out malloc'd bytes.
 */
int vitk_sriov_nl_build_setlink(uint8_t **out, size_t *out_len, int ifindex,
				const vitk_sriov_vf_config *cfg);

/**
 * vitk_sriov_nl_parse_link() - parse one or more RTM_NEWLINK/SETLINK messages
 * (outside bytes: every length is checked) and return the VF states found
 * in IFLA_VFINFO_LIST.  *@ifindex gets the first message's index.
 * @out: malloc'd (free()), may be NULL with *n == 0.
 */
int vitk_sriov_nl_parse_link(const uint8_t *buf, size_t len, int *ifindex,
			     vitk_sriov_vf_state **out, size_t *n);

/* -------------------------------------------------- sysfs value parsers */

/** Decimal unsigned ("8\n"). @what names the attribute in errors. */
int vitk_sriov_parse_uint(const char *s, unsigned *out, const char *what);
/** Hex with or without 0x ("0x8086\n", "10ca"). */
int vitk_sriov_parse_hex(const char *s, uint32_t max, uint32_t *out, const char *what);
/** Signed decimal ("-1\n"). */
int vitk_sriov_parse_int(const char *s, int *out, const char *what);

/* ------------------------------------------------------------ libvirt */

/** Parse one nodedev XML document into @pf (pure; used by the nodedev scan). */
int vitk_sriov_nodedev_parse(vitk_sriov_pf_info *pf, bool *is_pf, const char *xml, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* VITK_SYS_SRIOV_H */
