/* SPDX-License-Identifier: MIT */
/*
 * Fuzz a whole iSCSI connection: the input is the byte stream an initiator
 * sends (login, then full feature phase PDUs).  The real connection code
 * (iscsi_conn.c) serves it over a socketpair against the real device model
 * (one 1 MiB sparse LUN in a temporary directory, removed at exit);
 * responses are drained and discarded.  Any crash or sanitizer report fails.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/odx_target.h>

#include "labtarget/iscsi/src/iscsi_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vitk_odx_target *g_t;
static char g_dir[256], g_lun[300];

static void cleanup(void)
{
	vitk_odx_target_free(g_t);
	unlink(g_lun);
	rmdir(g_dir);
}

static void *drain(void *arg)
{
	int fd = *(int *)arg;
	char buf[65536];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

struct feed {
	int fd;
	const uint8_t *data;
	size_t size;
};

static void *feeder(void *arg)
{
	struct feed *f = arg;
	size_t off = 0;

	while (off < f->size) {
		ssize_t n = send(f->fd, f->data + off, f->size - off, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(f->fd, SHUT_WR);
	return NULL;
}

static vitk_odx_target *target(void)
{
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;
	vitk_odx_target_lun l = VITK_ODX_TARGET_LUN_INIT;

	if (g_t)
		return g_t;
	o.iqn = "iqn.2026-01.test.vitk:fuzz";
	o.portal = "127.0.0.1:0";
	snprintf(g_dir, sizeof(g_dir), "%s/sessfuzzXXXXXX",
		 getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp");
	if (!mkdtemp(g_dir))
		abort();
	snprintf(g_lun, sizeof(g_lun), "%s/lun0.img", g_dir);
	if (vitk_odx_target_new(&g_t, &o) < 0)
		abort();
	atexit(cleanup);
	l.path = g_lun;
	l.size = 1024 * 1024;
	if (vitk_odx_target_add_lun(g_t, &l) < 0)
		abort();
	return g_t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct odx_conn oc;
	struct feed fd_in;
	pthread_t tf, td;
	int sv[2], peer;

	if (size > (1u << 20))
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 0;
	memset(&oc, 0, sizeof(oc));
	oc.t = target();
	oc.fd = sv[0];
	oc.id = 1;
	strcpy(oc.peer, "fuzz");
	peer = sv[1];
	fd_in.fd = sv[1];
	fd_in.data = data;
	fd_in.size = size;
	pthread_create(&tf, NULL, feeder, &fd_in);
	pthread_create(&td, NULL, drain, &peer);
	vitk_odx_target__conn_main(&oc); /* returns at EOF, error or logout */
	pthread_join(tf, NULL);
	close(sv[0]);
	pthread_join(td, NULL);
	close(sv[1]);
	vitk_error_clear();
	return 0;
}
