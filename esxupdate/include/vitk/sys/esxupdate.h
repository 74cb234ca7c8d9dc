/* SPDX-License-Identifier: MIT */
/*
 * vitk esxupdate, lower level: the parsers of single metadata documents that
 * the depot reader uses.  For tests and fuzzers; applications read a whole
 * depot with vitk_esxupdate_depot_open() (<vitk/esxupdate.h>).
 */
#ifndef VITK_SYS_ESXUPDATE_H
#define VITK_SYS_ESXUPDATE_H

#include <vitk/esxupdate.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A VIB descriptor (descriptor.xml or a metadata vibs/ entry).  *out freed with vitk_esxupdate_vib_free(). */
int vitk_esxupdate_vib_parse(vitk_esxupdate_vib **out, const char *buf, size_t len, const char *what);
void vitk_esxupdate_vib_free(vitk_esxupdate_vib *v);
/** A bulletin (a metadata bulletins/ entry).  Freed with vitk_esxupdate_bulletin_free(). */
int vitk_esxupdate_bulletin_parse(vitk_esxupdate_bulletin **out, const char *buf, size_t len,
				  const char *what);
void vitk_esxupdate_bulletin_free(vitk_esxupdate_bulletin *b);
/** An image profile (tolerant: element names are matched case-insensitively). */
int vitk_esxupdate_profile_parse(vitk_esxupdate_profile **out, const char *buf, size_t len,
				 const char *what);
void vitk_esxupdate_profile_free(vitk_esxupdate_profile *p);
/** A base-image / add-on / manifest JSON document.  Freed with vitk_esxupdate_image_free(). */
int vitk_esxupdate_image_parse(vitk_esxupdate_image **out, vitk_esxupdate_image_kind kind, const char *buf,
			       size_t len, const char *what);
void vitk_esxupdate_image_free(vitk_esxupdate_image *im);

#ifdef __cplusplus
}
#endif

#endif /* VITK_SYS_ESXUPDATE_H */
