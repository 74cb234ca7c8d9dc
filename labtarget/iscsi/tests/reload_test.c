/* SPDX-License-Identifier: MIT */
/*
 * The iSCSI layer's side of a reload (target.c): which sessions keep a LUN
 * (the LUN's allow list decides, the target ACL does not), that a LUN
 * change waits for the commands in the device (the exec lock) and holds
 * them off, and that new CHAP/ACL settings reach new connections while a
 * connection keeps the ones it started with.  No network: sessions are
 * odx_conn records put on the target's list by hand.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <vitk/common.h>
#include <vitk/error.h>
#include <vitk/odx_target.h>

#include "labtarget/iscsi/src/iscsi_target.h"

struct fixture {
	char dir[256];
	char path[2][300];
	vitk_odx_target *t;
	struct odx_conn sess; /* a logged-in session, by hand */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;
	vitk_odx_target_lun l = VITK_ODX_TARGET_LUN_INIT;
	static const char *const only_b[] = { "iqn.2026-01.test:b" };
	const char *tmp = getenv("TEST_TMPDIR");

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "%s/reloadXXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path[0], sizeof(f->path[0]), "%s/l0.img", f->dir);
	snprintf(f->path[1], sizeof(f->path[1]), "%s/l1.img", f->dir);
	o.iqn = "iqn.2026-01.test:reload";
	o.chap_user = "alice";
	o.chap_secret = "old-secret-1";
	assert_int_equal(vitk_odx_target_new(&f->t, &o), 0);
	l.lun = 0; /* every initiator sees it */
	l.path = f->path[0];
	l.size = 1 << 20;
	assert_int_equal(vitk_odx_target_add_lun(f->t, &l), 0);
	l.lun = 1; /* masked: only b */
	l.path = f->path[1];
	l.allow = only_b;
	l.nallow = 1;
	assert_int_equal(vitk_odx_target_add_lun(f->t, &l), 0);
	/* a session of initiator a in full feature phase */
	f->sess.t = f->t;
	f->sess.session = true;
	snprintf(f->sess.initiator, sizeof(f->sess.initiator), "iqn.2026-01.test:a");
	f->t->conns = &f->sess;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	f->t->conns = NULL; /* not a thread to join */
	vitk_odx_target_free(f->t);
	unlink(f->path[0]);
	unlink(f->path[1]);
	rmdir(f->dir);
	free(f);
	return 0;
}

static uint64_t file_size(const char *p)
{
	struct stat st;

	assert_int_equal(stat(p, &st), 0);
	return (uint64_t)st.st_size;
}

static void sessions_decide(void **state)
{
	struct fixture *f = *state;
	vitk_odx_target_lun l = VITK_ODX_TARGET_LUN_INIT;
	unsigned n = 99;

	/* LUN 0: a's session reaches it */
	assert_int_equal(vitk_odx_target_remove_lun(f->t, 0, &n), VITK_EBUSY);
	assert_int_equal(n, 1);
	assert_string_equal(vitk_error_last()->message, "lun 0: 1 session uses it");
	l.lun = 0;
	l.path = f->path[0];
	l.size = 512 << 10;
	assert_int_equal(vitk_odx_target_change_lun(f->t, &l, true, &n), VITK_EBUSY);
	assert_string_equal(vitk_error_last()->message,
			    "lun 0: shrinking from 1048576 to 524288 bytes: 1 session uses it");
	l.size = 1 << 20;
	l.read_only = true;
	assert_int_equal(vitk_odx_target_change_lun(f->t, &l, false, &n), VITK_EBUSY);
	l.read_only = false;
	l.size = 2 << 20; /* grown under the session */
	assert_int_equal(vitk_odx_target_change_lun(f->t, &l, true, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(file_size(f->path[0]), 2u << 20);
	/* the session ended (or is still logging in): LUN 0 may shrink */
	f->sess.session = false;
	l.size = 512 << 10;
	assert_int_equal(vitk_odx_target_change_lun(f->t, &l, true, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(file_size(f->path[0]), 512u << 10);
	f->sess.session = true;
	/* LUN 1 is masked from a: a's session does not keep it */
	assert_int_equal(vitk_odx_target_remove_lun(f->t, 1, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(vitk_odx_target_lun_count(f->t), 1);
	assert_int_equal(vitk_odx_target__lun_block_size(f->t, 1), 0);
	assert_int_equal(vitk_odx_target_remove_lun(f->t, 1, &n), VITK_ENOTFOUND);
	/* a done connection is no session */
	f->sess.done = true;
	assert_int_equal(vitk_odx_target_remove_lun(f->t, 0, &n), 0);
	vitk_error_clear();
}

/* ---- the exec lock: a LUN change waits for the command in the device ---- */

struct remover {
	vitk_odx_target *t;
	int r;
	volatile int finished;
};

static void *remove_main(void *arg)
{
	struct remover *rm = arg;

	rm->r = vitk_odx_target_remove_lun(rm->t, 1, NULL);
	rm->finished = 1;
	return NULL;
}

/* a writer waits for the lock: a new reader is held off (writer-preferring) */
static void *try_read(void *arg)
{
	vitk_odx_target *t = arg;
	int r = pthread_rwlock_tryrdlock(&t->exec_lock);

	if (r == 0)
		pthread_rwlock_unlock(&t->exec_lock);
	return (void *)(intptr_t)r;
}

static void waits_for_commands(void **state)
{
	struct fixture *f = *state;
	struct remover rm = { f->t, -1, 0 };
	pthread_t th, probe;
	void *res = NULL;
	int i;

	/* a command in the device holds the lock for reading (execute_locked) */
	assert_int_equal(pthread_rwlock_rdlock(&f->t->exec_lock), 0);
	assert_int_equal(pthread_create(&th, NULL, remove_main, &rm), 0);
	for (i = 0; i < 100000; i++) { /* until the remover waits for the lock */
		assert_int_equal(pthread_create(&probe, NULL, try_read, f->t), 0);
		assert_int_equal(pthread_join(probe, &res), 0);
		if ((intptr_t)res == EBUSY)
			break;
		assert_int_equal(rm.finished, 0); /* it must not get past the command */
		sched_yield();
	}
	assert_int_equal((intptr_t)res, EBUSY);
	/* waiting: the LUN is still there for the command */
	assert_int_equal(rm.finished, 0);
	assert_int_equal(vitk_odx_target__lun_block_size(f->t, 1), 512);
	assert_int_equal(pthread_rwlock_unlock(&f->t->exec_lock), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(rm.r, 0);
	assert_int_equal(vitk_odx_target__lun_block_size(f->t, 1), 0);
}

/* ---- CHAP and ACL for new logins ---- */

static void access_for_new_logins(void **state)
{
	struct fixture *f = *state;
	vitk_odx_target_options o = VITK_ODX_TARGET_OPTIONS_INIT;
	static const char *const acl[] = { "iqn.2026-01.test:b", "iqn.2026-01.test:c" };
	static const char *const bad_acl[] = { "not a name" };
	struct odx_access *old = vitk_odx_target__access_get(f->t), *now;

	/* a connection under way holds the old rules */
	o.chap_user = "bob";
	o.chap_secret = "new-secret-2";
	o.allow = acl;
	o.nallow = 2;
	assert_int_equal(vitk_odx_target_set_access(f->t, &o), 0);
	assert_string_equal(old->chap_user, "alice");
	assert_string_equal(old->chap_secret, "old-secret-1");
	assert_int_equal(old->nallow, 0);
	now = vitk_odx_target__access_get(f->t);
	assert_ptr_not_equal(now, old);
	assert_string_equal(now->chap_user, "bob");
	assert_string_equal(now->chap_secret, "new-secret-2");
	assert_int_equal(now->nallow, 2);
	assert_string_equal(now->allow[1], "iqn.2026-01.test:c");
	vitk_odx_target__access_put(f->t, old); /* the last holder frees it */
	vitk_odx_target__access_put(f->t, now);
	/* refused settings change nothing */
	o.allow = bad_acl;
	o.nallow = 1;
	assert_int_equal(vitk_odx_target_set_access(f->t, &o), VITK_EINVAL);
	o.allow = NULL;
	o.nallow = 0;
	o.chap_mutual_user = "tgt";
	o.chap_mutual_secret = "new-secret-2"; /* the same as the initiator's */
	assert_int_equal(vitk_odx_target_set_access(f->t, &o), VITK_EINVAL);
	o.chap_mutual_user = NULL;
	o.chap_mutual_secret = NULL;
	o.chap_secret = NULL; /* user without secret */
	assert_int_equal(vitk_odx_target_set_access(f->t, &o), VITK_EINVAL);
	vitk_error_clear();
	now = vitk_odx_target__access_get(f->t);
	assert_string_equal(now->chap_user, "bob");
	assert_int_equal(now->nallow, 2);
	assert_int_equal(now->refs, 2);
	vitk_odx_target__access_put(f->t, now);
	/* CHAP off, every initiator */
	memset(&o, 0, sizeof(o));
	assert_int_equal(vitk_odx_target_set_access(f->t, &o), 0);
	assert_null(f->t->acc->chap_user);
	assert_int_equal(f->t->acc->nallow, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sessions_decide, setup, teardown),
		cmocka_unit_test_setup_teardown(waits_for_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(access_for_new_logins, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
