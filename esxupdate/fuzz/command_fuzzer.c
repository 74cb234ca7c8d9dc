/* SPDX-License-Identifier: MIT */
/* Fuzz the esxcli command-line parser and its formatter (round trip). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vitk/esxupdate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	vitk_esxupdate_command *c = NULL, *c2 = NULL;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (vitk_esxupdate_command_parse(&c, s) == 0) {
		char *f = vitk_esxupdate_command_format(c);

		/* what we print must parse back to the same command */
		if (!f || vitk_esxupdate_command_parse(&c2, f) != 0 || c2->op != c->op ||
		    c2->flags != c->flags || !c2->depot != !c->depot ||
		    (c->depot && strcmp(c2->depot, c->depot) != 0) || c2->nvibnames != c->nvibnames ||
		    c2->nviburls != c->nviburls)
			abort();
		free(f);
	}
	vitk_esxupdate_command_free(c);
	vitk_esxupdate_command_free(c2);
	free(s);
	return 0;
}
