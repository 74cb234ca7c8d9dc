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

/*
 * Command queueing (SAM-5 task attributes): SIMPLE (and untagged) commands
 * run on a pool of ODX_TARGET_WORKERS threads shared by the target, at most
 * ODX_TARGET_CONN_INFLIGHT at once per connection (then the connection stops
 * reading until one ends); ORDERED waits for every earlier command of its
 * session and runs before any later one; HEAD OF QUEUE runs at once on the
 * connection's thread.
 */
#define ODX_TARGET_WORKERS 8
#define ODX_TARGET_CONN_INFLIGHT 32

/* a unit of work for the pool; the connection code embeds it first */
struct odx_job {
	struct odx_job *next;
	void (*run)(struct odx_job *job);
};

/* one portal = one target port: relative target port identifier and iSCSI
 * target portal group tag are both its index + 1 */
struct odx_portal {
	char *spec; /* as given: "HOST:PORT" */
	char host[256];
	uint16_t port; /* after listen: the bound port */
	int fd;        /* listening socket, -1 before listen */
};

struct vitk_odx_target {
	char *iqn;
	struct odx_portal portals[VITK_ODX_TARGET_MAX_PORTALS];
	size_t nportals;
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

	bool listening;
	/*
	 * Read-held by every command and task-management function while it
	 * runs in the device; write-held by vitk_odx_target_add_lun() once
	 * serving, so that the LUN tables (ours and the device's) change only
	 * while nothing reads them.  Writer-preferring: a reload waits for the
	 * commands in flight, new ones wait for the reload.
	 */
	pthread_rwlock_t exec_lock;
	bool serving;
	/* the worker pool (target.c starts and joins it) */
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct odx_job *qhead, *qtail;
	bool qstop;
	pthread_t workers[ODX_TARGET_WORKERS];
	unsigned nworkers;
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
	unsigned portal; /* index into t->portals: the target port */
	char peer[80];
	char addr[64]; /* the peer's address without the port */
	pthread_t thread;
	bool done; /* set by the thread when it is about to exit (under t->lock) */
	/* set under t->lock once a normal session reaches full feature phase */
	bool session;
	uint8_t isid[6];
	char initiator[256];
	/* the connection's private state (iscsi_conn.c), set with @session and
	 * cleared under t->lock before it goes: PREEMPT AND ABORT reaches the
	 * commands of other sessions through it */
	void *cx;
};

/* thread entry: serves one connection until logout/EOF/error */
void *vitk_odx_target__conn_main(void *arg);

/* thread entry of a pool worker: runs queued jobs until t->qstop */
static inline void *vitk_odx_target__worker_main(void *arg)
{
	vitk_odx_target *t = arg;

	for (;;) {
		struct odx_job *j;

		pthread_mutex_lock(&t->qlock);
		while (!t->qhead && !t->qstop)
			pthread_cond_wait(&t->qcond, &t->qlock);
		j = t->qhead;
		if (j) {
			t->qhead = j->next;
			if (!t->qhead)
				t->qtail = NULL;
		}
		pthread_mutex_unlock(&t->qlock);
		if (!j)
			return NULL;
		j->run(j);
	}
}

/* queue @j for the pool */
static inline void vitk_odx_target__submit(vitk_odx_target *t, struct odx_job *j)
{
	j->next = NULL;
	pthread_mutex_lock(&t->qlock);
	if (t->qtail)
		t->qtail->next = j;
	else
		t->qhead = j;
	t->qtail = j;
	pthread_cond_signal(&t->qcond);
	pthread_mutex_unlock(&t->qlock);
}

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
