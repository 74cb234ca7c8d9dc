/* SPDX-License-Identifier: MIT */
/*
 * vitk_scsi_url_redact() on arbitrary names.  Invariants: the result is no
 * longer than the input, is a valid C string, and when the input is an
 * iscsi:// URL with a "%secret@" user part, no byte run of the secret
 * (4 bytes or more, between '%' and the last '@' before the first '/')
 * survives in the result's user part.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/scsi.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *out;

	if (size > 4096)
		return 0;
	in = malloc(size + 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	out = vitk_scsi_url_redact(in);
	if (out) {
		if (strlen(out) > strlen(in))
			__builtin_trap();
		if (strncmp(in, "iscsi://", 8) == 0) {
			const char *p = in + 8, *slash = strchr(p, '/'), *at = NULL, *pct, *c;

			for (c = p; *c && (!slash || c < slash); c++)
				if (*c == '@')
					at = c;
			pct = at ? memchr(p, '%', (size_t)(at - p)) : NULL;
			/* the result's user part is the input's up to '%' */
			if (pct && strncmp(out + 8, p, (size_t)(pct - p)) == 0 &&
			    out[8 + (pct - p)] != '@')
				__builtin_trap();
		}
		free(out);
	}
	free(in);
	return 0;
}
