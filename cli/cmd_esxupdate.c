/* SPDX-License-Identifier: MIT */
/* vitk esxupdate verbs. */
#include "cli.h"

const struct cli_verb cli_esxupdate_verbs[] = {
	{ 0 },
};
