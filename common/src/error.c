/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <vitk/error.h>

static _Thread_local char message[VITK_ERROR_MESSAGE_MAX];
static _Thread_local vitk_error last_error = {
	.code = VITK_OK, .os_errno = 0, .scsi_status = -1,
	.scsi_sense_key = -1, .asc = -1, .ascq = -1, .message = "",
};

const vitk_error *vitk_error_last(void)
{
	/* A thread-local address is no constant initialiser; point at it here. */
	last_error.message = message;
	return &last_error;
}

void vitk_error_clear(void)
{
	last_error.code = VITK_OK;
	last_error.os_errno = 0;
	last_error.scsi_status = -1;
	last_error.scsi_sense_key = -1;
	last_error.asc = -1;
	last_error.ascq = -1;
	message[0] = '\0';
}

static void set_message(const char *fmt, va_list ap)
{
	vsnprintf(message, sizeof(message), fmt, ap);
}

int vitk_error_set(vitk_err code, int os_errno, const char *fmt, ...)
{
	va_list ap;

	vitk_error_clear();
	last_error.code = code;
	last_error.os_errno = os_errno;
	va_start(ap, fmt);
	set_message(fmt, ap);
	va_end(ap);
	if (os_errno) {
		size_t n = strlen(message);

		snprintf(message + n, sizeof(message) - n, ": %s",
			 strerror(os_errno));
	}
	return code;
}

int vitk_error_set_scsi(int status, int sense_key, int asc, int ascq, const char *fmt, ...)
{
	va_list ap;

	vitk_error_clear();
	last_error.code = VITK_ESCSI;
	last_error.scsi_status = status;
	last_error.scsi_sense_key = sense_key;
	last_error.asc = asc;
	last_error.ascq = ascq;
	va_start(ap, fmt);
	set_message(fmt, ap);
	va_end(ap);
	return VITK_ESCSI;
}

int vitk_error_prefix(const char *fmt, ...)
{
	char prefix[VITK_ERROR_MESSAGE_MAX];
	char old[VITK_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	size_t plen = strlen(prefix), olen;

	memcpy(old, message, sizeof(old));
	olen = strlen(old);
	if (plen > sizeof(message) - 1)
		plen = sizeof(message) - 1;
	if (olen > sizeof(message) - 1 - plen)
		olen = sizeof(message) - 1 - plen;
	memcpy(message, prefix, plen);
	memcpy(message + plen, old, olen);
	message[plen + olen] = '\0';
	return last_error.code;
}

const char *vitk_err_str(int code)
{
	switch (code) {
	case VITK_OK: return "ok";
	case VITK_ERROR: return "error";
	case VITK_ENOTFOUND: return "not found";
	case VITK_EINVAL: return "invalid argument";
	case VITK_EIO: return "i/o error";
	case VITK_ENOTSUP: return "not supported";
	case VITK_EBUSY: return "busy";
	case VITK_ESCSI: return "scsi error";
	case VITK_EDB: return "database error";
	case VITK_ENOMEM: return "out of memory";
	case VITK_ERANGE: return "out of range";
	case VITK_EPERM: return "not permitted";
	case VITK_ETIMEDOUT: return "timed out";
	default: return "unknown error";
	}
}
