/* SPDX-License-Identifier: MIT */
/*
 * vitk error model: every library function returns int, 0 on success or a
 * negative vitk_err.  Details go into a thread-local record readable with
 * vitk_error_last() (libgit2's model, made errno- and SCSI-aware).
 */
#ifndef VITK_ERROR_H
#define VITK_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	VITK_OK = 0,
	VITK_ERROR = -1,    /* generic failure */
	VITK_ENOTFOUND = -2, /* object does not exist */
	VITK_EINVAL = -3,   /* bad argument or malformed input */
	VITK_EIO = -4,      /* OS-level I/O failure (errno in os_errno) */
	VITK_ENOTSUP = -5,  /* operation not supported by device/host */
	VITK_EBUSY = -6,    /* resource busy */
	VITK_ESCSI = -7,    /* SCSI check condition (sense in the record) */
	VITK_EDB = -8,      /* inventory database failure */
	VITK_ENOMEM = -9,   /* out of memory */
	VITK_ERANGE = -10,  /* value out of range / capacity exceeded */
	VITK_EPERM = -11,   /* permission or policy refused */
	VITK_ETIMEDOUT = -12 /* operation timed out */
} vitk_err;

/* Messages longer than this (including the NUL) are truncated. */
#define VITK_ERROR_MESSAGE_MAX 512

typedef struct {
	vitk_err code;
	int os_errno;       /* errno at detection, 0 if none */
	int scsi_status;    /* SCSI status byte, -1 if none */
	int scsi_sense_key; /* -1 if none */
	int asc;            /* -1 if none */
	int ascq;           /* -1 if none */
	const char *message; /* never NULL; "" when clear; changes with the next error */
} vitk_error;

/**
 * vitk_error_last() - the last error recorded on this thread.
 *
 * Return: a borrowed pointer, never NULL.  After vitk_error_clear() the
 * code is VITK_OK and the message is empty.
 */
const vitk_error *vitk_error_last(void);

/**
 * vitk_error_set() - record an error and return its code.
 * @code: negative vitk_err
 * @os_errno: errno, or 0
 * @fmt: printf format for the message (lowercase, no trailing period)
 *
 * Return: @code, so callers can write `return vitk_error_set(...)`.
 */
int vitk_error_set(vitk_err code, int os_errno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * vitk_error_set_scsi() - record a SCSI check condition.
 *
 * Return: VITK_ESCSI.
 */
int vitk_error_set_scsi(int status, int sense_key, int asc, int ascq, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/**
 * vitk_error_prefix() - prepend context to the current message
 * ("opening 'x': " + old message).  The code is unchanged.
 *
 * Return: the current error code.
 */
int vitk_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** vitk_error_clear() - forget the last error (after deliberately swallowing it). */
void vitk_error_clear(void);

/** vitk_err_str() - a short constant name for a code ("not found"). */
const char *vitk_err_str(int code);

#ifdef __cplusplus
}
#endif

#endif /* VITK_ERROR_H */
