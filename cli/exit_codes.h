/* SPDX-License-Identifier: MIT */
/* vitk exit codes: the one list, documented in README.md. */
#ifndef VITK_CLI_EXIT_CODES_H
#define VITK_CLI_EXIT_CODES_H

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,           /* the operation failed */
	CLI_EXIT_USAGE = 2,          /* bad command line */
	CLI_EXIT_NOTFOUND = 3,       /* device, host, job, file ... not found */
	CLI_EXIT_DEVICE = 4,         /* SCSI/PCI/device error */
	CLI_EXIT_DB = 5,             /* inventory database error */
	CLI_EXIT_AUDIT_FINDINGS = 10 /* audit ran fine and found CRITICAL/WARNING */
};

#endif
