/* SPDX-License-Identifier: MIT */
/* vitk odx verbs. */
#include "cli.h"

const struct cli_verb cli_odx_verbs[] = {
	{ 0 },
};
