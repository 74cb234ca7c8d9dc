/* SPDX-License-Identifier: MIT */
/* Internals shared by the serve loop (target.c) and connections (iscsi_conn.c). */
#ifndef VITK_ODX_TARGET_ISCSI_TARGET_H
#define VITK_ODX_TARGET_ISCSI_TARGET_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitk/odx_target.h>

#include "labtarget/scsi/cdb.h"
#include "labtarget/scsi/scsi_device.h"

#define ODX_TARGET_LOG_DOMAIN "odx-target"
#define ODX_TARGET_MAX_LUNS 256
#define ODX_TARGET_CMD_WINDOW 32u
#define ODX_TARGET_MAX_XFER (64u * 1024u * 1024u) /* per-command data buffer cap */
#define ODX_TARGET_MAX_CONNS 256        /* connections beyond this are closed at once */
#define ODX_TARGET_LOGIN_TIMEOUT_S 30   /* default deadline of a whole login */
#define ODX_TARGET_CONNS_PER_ADDR 64    /* default cap of connections from one address */
#define ODX_TARGET_IDLE_S 60            /* default: NOP-In ping after this long idle */
#define ODX_TARGET_NOP_S 30             /* default: drop when the ping stays unanswered */

struct odx_conn;

struct vitk_odx_target {
	char *iqn;
	char *portal;
	char host[256];
	uint16_t port;
	char *chap_user, *chap_secret;
	char *mutual_user, *mutual_secret; /* mutual CHAP: how the target answers */
	char **allow; /* initiator ACL; nallow 0: every initiator may log in */
	size_t nallow;
	uint32_t mrdsl;
	uint32_t login_timeout_s, conns_per_addr, idle_s, nop_s;
	tgt_device *dev;
	struct {
		unsigned lun;
		uint32_t block_size;
	} luns[ODX_TARGET_MAX_LUNS];
	size_t nluns;

	int listen_fd;
	int stop_pipe[2];
	pthread_mutex_t lock; /* conns list, tsih */
	struct odx_conn *conns;
	uint16_t next_tsih;
	uint32_t next_conn_id;
	size_t nconns;
};

/* iscsi_conn.c */
struct odx_conn {
	struct odx_conn *next;
	vitk_odx_target *t;
	int fd;
	uint32_t id;
	char peer[80];
	char addr[64]; /* the peer's address without the port */
	pthread_t thread;
	bool done; /* set by the thread when it is about to exit (under t->lock) */
	/* set under t->lock once a normal session reaches full feature phase */
	bool session;
	uint8_t isid[6];
	char initiator[256];
};

/* thread entry: serves one connection until logout/EOF/error */
void *vitk_odx_target__conn_main(void *arg);

/*
 * Block size of @lun, or 0 when the target has no such LUN.  Inline so that
 * iscsi_conn.c does not call back into target.c (which starts connections).
 */
static inline uint32_t vitk_odx_target__lun_block_size(const vitk_odx_target *t, unsigned lun)
{
	size_t i;

	for (i = 0; i < t->nluns; i++)
		if (t->luns[i].lun == lun)
			return t->luns[i].block_size;
	return 0;
}

#endif
