/* SPDX-License-Identifier: MIT */
/* vitk sriov verbs. */
#include "cli.h"

const struct cli_verb cli_sriov_verbs[] = {
	{ 0 },
};
