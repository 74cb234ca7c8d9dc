/* SPDX-License-Identifier: MIT */
/* The odx domain in the inventory: LUNs and copy jobs. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <vitk/inventory.h>

#include "odx_internal.h"

static const vitk_inventory_column lun_cols[] = {
	{ "name", VITK_INV_TEXT, VITK_INV_COL_KEY | VITK_INV_COL_NOTNULL },
	{ "vendor", VITK_INV_TEXT, 0 },
	{ "product", VITK_INV_TEXT, 0 },
	{ "revision", VITK_INV_TEXT, 0 },
	{ "serial", VITK_INV_TEXT, 0 },
	{ "designator", VITK_INV_TEXT, 0 },
	{ "designator_type", VITK_INV_TEXT, 0 },
	{ "copy_manager", VITK_INV_TEXT, 0 },
	{ "block_size", VITK_INV_INT, 0 },
	{ "blocks", VITK_INV_INT, 0 },
	{ "tpc", VITK_INV_INT, 0 },
	{ "token_capable", VITK_INV_INT, 0 },
	{ "xcopy_capable", VITK_INV_INT, 0 },
	{ "max_token_transfer", VITK_INV_INT, 0 },
	{ "optimal_transfer", VITK_INV_INT, 0 },
	{ "max_segment_length", VITK_INV_INT, 0 },
};

static const vitk_inventory_column job_cols[] = {
	{ "uuid", VITK_INV_TEXT, VITK_INV_COL_KEY | VITK_INV_COL_NOTNULL },
	{ "src", VITK_INV_TEXT, 0 },
	{ "dst", VITK_INV_TEXT, 0 },
	{ "src_lba", VITK_INV_INT, 0 },
	{ "dst_lba", VITK_INV_INT, 0 },
	{ "count", VITK_INV_INT, 0 },
	{ "requested_method", VITK_INV_TEXT, 0 },
	{ "method", VITK_INV_TEXT, 0 },
	{ "blocks_done", VITK_INV_INT, 0 },
	{ "bytes", VITK_INV_INT, 0 },
	{ "host_bytes", VITK_INV_INT, 0 },
	{ "commands", VITK_INV_INT, 0 },
	{ "duration_ms", VITK_INV_INT, 0 },
	{ "runs", VITK_INV_INT, 0 },
	{ "result", VITK_INV_TEXT, 0 },
	{ "error", VITK_INV_TEXT, 0 },
	{ "rejected", VITK_INV_TEXT, 0 },  /* JSON [{method, reason}] */
	{ "fallbacks", VITK_INV_TEXT, 0 }, /* JSON [{from, to, at_block, reason}] */
	{ "verified", VITK_INV_INT, 0 },
	{ "finished_at", VITK_INV_TEXT, 0 },
	/* the lease (domain version 2): who runs the job, and when it last said so */
	{ "owner_host", VITK_INV_TEXT, 0 },
	{ "owner_pid", VITK_INV_INT, 0 },
	{ "owner_started", VITK_INV_INT, 0 }, /* the owner's start time, /proc/PID/stat field 22 */
	{ "heartbeat", VITK_INV_INT, 0 },      /* seconds since the epoch */
	/* domain version 3: the counters of the run in progress, written with its progress;
	 * added to the totals when it finishes, or by the next claim when it was killed */
	{ "run_bytes", VITK_INV_INT, 0 },
	{ "run_host_bytes", VITK_INV_INT, 0 },
	{ "run_commands", VITK_INV_INT, 0 },
	{ "run_duration_ms", VITK_INV_INT, 0 },
};

static const vitk_inventory_table odx_tables[] = {
	{ "odx_lun", lun_cols, VITK_ARRAY_SIZE(lun_cols) },
	{ "odx_job", job_cols, VITK_ARRAY_SIZE(job_cols) },
};

static const vitk_inventory_domain odx_domain = { "odx", 3, odx_tables,
						   VITK_ARRAY_SIZE(odx_tables) };

/* update @col of row @id to @name without its password */
static int scrub_one(vitk_inventory *inv, const char *table, int64_t id, const char *col,
		     const char *name)
{
	char *shown = vitk_scsi_url_redact(name);
	int r;

	if (!shown)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	{
		const char *sp = shown;
		vitk_inventory_value v[] = { VITK_INV_S(col, sp) };

		r = vitk_inventory_update(inv, table, id, v, 1);
	}
	free(shown);
	return r;
}

/*
 * Databases written before secrets were redacted may hold iscsi:// URLs
 * with a password ("user%secret@") in odx_job.src/dst and odx_lun.name:
 * rewrite them without it.  A LUN row whose redacted name already exists
 * for its host is a duplicate and goes.  Cheap when there is nothing to do
 * (one read-only query).
 */
static int scrub_secrets(vitk_inventory *inv)
{
	static const char *const q[] = {
		"SELECT id, src AS name, 'src' AS col FROM odx_job WHERE src LIKE 'iscsi://%' "
		"AND instr(src, '%') > 0 UNION ALL "
		"SELECT id, dst, 'dst' FROM odx_job WHERE dst LIKE 'iscsi://%' AND instr(dst, '%') > 0",
		"SELECT id, name, 'name' AS col FROM odx_lun WHERE name LIKE 'iscsi://%' "
		"AND instr(name, '%') > 0",
	};
	vitk_inventory_rows *rows = NULL;
	size_t t, i;
	int r = 0;

	for (t = 0; t < VITK_ARRAY_SIZE(q) && r == 0; t++) {
		r = vitk_inventory_query(&rows, inv, q[t]);
		for (i = 0; r == 0 && i < vitk_inventory_rows_count(rows); i++) {
			const char *name = vitk_inventory_rows_get(rows, i, "name");
			const char *col = vitk_inventory_rows_get(rows, i, "col");
			int64_t id = vitk_inventory_rows_get_int(rows, i, "id");

			r = scrub_one(inv, t == 0 ? "odx_job" : "odx_lun", id, col, name);
			if (r < 0 && r != VITK_ENOMEM && t == 1) {
				/* the redacted name exists: this row is a duplicate */
				vitk_inventory_value m = VITK_INV_S("name", name);

				vitk_error_clear();
				r = vitk_inventory_delete(inv, "odx_lun", 0, &m, 1, NULL);
			}
			if (r < 0 && r != VITK_ENOMEM)
				/* read-only: refuse to show or export it rather than leak */
				r = vitk_error_set(VITK_EDB, 0,
						   "the inventory holds an iSCSI secret written by an "
						   "older vitk (%s row %lld); run any 'vitk odx' "
						   "command that writes (e.g. 'vitk odx jobs') once "
						   "to remove it", t == 0 ? "odx_job" : "odx_lun",
						   (long long)id);
		}
		vitk_inventory_rows_free(rows);
		rows = NULL;
	}
	return r;
}

int vitk_odx_inventory_register(vitk_inventory *inv)
{
	int r = vitk_inventory_register(inv, &odx_domain);

	/* the central PostgreSQL store only receives rows pushed by a scrubbing vitk */
	if (r < 0 || strcmp(vitk_inventory_backend(inv), "sqlite") != 0)
		return r;
	return scrub_secrets(inv);
}

static const char *desig_type_str(uint8_t t)
{
	switch (t) {
	case VITK_SCSI_DESIG_NAA: return "naa";
	case VITK_SCSI_DESIG_EUI64: return "eui64";
	case VITK_SCSI_DESIG_T10: return "t10";
	default: return "vendor";
	}
}

int vitk_odx_inventory_record_lun(vitk_inventory *inv, int64_t host_id, const vitk_odx_dev *d)
{
	const vitk_odx_dev_info *in = &d->info;
	vitk_odx_plan p;
	bool token, xcopy;
	vitk_odx_copy_options o = VITK_ODX_COPY_OPTIONS_INIT;
	const char *vendor = in->vendor, *product = in->product, *revision = in->revision,
		   *serial = in->serial;
	const char *desig = in->designator.found ? in->designator.text : NULL;
	const char *cm = in->copy_manager[0] ? in->copy_manager : NULL;

	/* capability as a copy within this LU (self-pair plan, disjoint halves) */
	o.count = in->blocks / 2 ? in->blocks / 2 : 1;
	o.dst_lba = in->blocks - o.count;
	memset(&p, 0, sizeof(p));
	if (in->blocks >= 2 && vitk_odx_plan_make(&p, d, d, &o) == 0) {
		token = p.items[VITK_ODX_ITEM_TOKEN].usable;
		xcopy = p.items[VITK_ODX_ITEM_XCOPY].usable;
	} else {
		vitk_error_clear();
		token = xcopy = false;
	}
	vitk_inventory_value v[] = {
		VITK_INV_S("name", in->name),
		VITK_INV_S("vendor", vendor),
		VITK_INV_S("product", product),
		VITK_INV_S("revision", revision),
		VITK_INV_S("serial", serial),
		VITK_INV_S("designator", desig),
		VITK_INV_S("designator_type",
			   in->designator.found ? desig_type_str(in->designator.type) : NULL),
		VITK_INV_S("copy_manager", cm),
		VITK_INV_I("block_size", in->block_size),
		VITK_INV_I("blocks", in->blocks),
		VITK_INV_I("tpc", in->tpc),
		VITK_INV_I("token_capable", token),
		VITK_INV_I("xcopy_capable", xcopy),
		VITK_INV_I("max_token_transfer", in->vpd_tpc.max_token_transfer_size),
		VITK_INV_I("optimal_transfer", in->vpd_tpc.optimal_transfer_count),
		VITK_INV_I("max_segment_length", in->rcop.max_segment_length),
	};
	vitk_odx_plan_clear(&p);
	return vitk_inventory_upsert(inv, "odx_lun", host_id, v, VITK_ARRAY_SIZE(v), NULL);
}

void vitk_odx_job_clear(vitk_odx_job *job)
{
	if (!job)
		return;
	free(job->uuid);
	free(job->src);
	free(job->dst);
	free(job->result);
	memset(job, 0, sizeof(*job));
}

/* replace *@dst by a copy of @src ("" for NULL) */
static int set_str(char **dst, const char *src)
{
	char *c = strdup(src ? src : "");

	if (!c)
		return vitk_error_set(VITK_ENOMEM, 0, "out of memory");
	free(*dst);
	*dst = c;
	return 0;
}

/* ------------------------------------------------------------------ lease */

/*
 * A job's owner is a process: its host name, pid and start time (so that a
 * recycled pid is not mistaken for the owner).  On this host the owner is
 * alive while that process exists; a job owned by another host is alive
 * while its heartbeat is recent.
 */
#define LEASE_STALE_S 300 /* another host's job: no heartbeat for this long = gone */

/* field 22 of /proc/@pid/stat (proc(5): starttime, clock ticks after boot); 0 if gone */
static int64_t proc_started(long pid)
{
	char path[64], buf[1024], *p;
	long long v = 0;
	size_t n;
	FILE *f;
	int field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces and ')' */
	if (!p)
		return 0;
	/* after ") " comes field 3 */
	for (field = 3, p++; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field != 22 || sscanf(p, "%lld", &v) != 1)
		return 0;
	return (int64_t)v;
}

static void local_host(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0)
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
}

bool vitk_odx__owner_alive(const char *host, int64_t pid, int64_t started, int64_t heartbeat)
{
	char me[256];

	local_host(me, sizeof(me));
	if (host && strcmp(host, me) == 0)
		return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM) &&
		       proc_started((long)pid) == started;
	return heartbeat > 0 && (int64_t)time(NULL) - heartbeat < LEASE_STALE_S;
}

bool vitk_odx__job_row_running(const vitk_inventory_rows *rows, size_t i)
{
	const char *result = vitk_inventory_rows_get(rows, i, "result");

	return result && strcmp(result, "running") == 0 &&
	       vitk_odx__owner_alive(vitk_inventory_rows_get(rows, i, "owner_host"),
				     vitk_inventory_rows_get_int(rows, i, "owner_pid"),
				     vitk_inventory_rows_get_int(rows, i, "owner_started"),
				     vitk_inventory_rows_get_int(rows, i, "heartbeat"));
}

/* this process as the owner: host, pid, start time, heartbeat now */
struct owner {
	char host[256];
	int64_t pid, started, heartbeat;
};

static void owner_self(struct owner *o)
{
	local_host(o->host, sizeof(o->host));
	o->pid = (int64_t)getpid();
	o->started = proc_started((long)getpid());
	o->heartbeat = (int64_t)time(NULL);
}

int vitk_odx_job_claim(vitk_inventory *inv, vitk_odx_job *job)
{
	vitk_inventory_rows *rows = NULL;
	struct owner me;
	const char *uuidp = job->uuid;
	vitk_inventory_value match = VITK_INV_S("uuid", uuidp);
	int r;

	owner_self(&me);
	r = vitk_inventory_begin(inv); /* BEGIN IMMEDIATE: one claimer at a time */
	if (r < 0)
		return r;
	r = vitk_inventory_select(&rows, inv, "odx_job", 0, &match, 1, NULL);
	if (r < 0)
		goto fail;
	if (vitk_inventory_rows_count(rows) != 1) {
		r = vitk_error_set(VITK_ENOTFOUND, 0, "no copy job '%s'", job->uuid);
		goto fail;
	}
	if (vitk_odx__job_row_running(rows, 0)) {
		const char *h = vitk_inventory_rows_get(rows, 0, "owner_host");

		r = vitk_error_set(VITK_EBUSY, 0,
				   "job %s is running (pid %lld on %s): not resumed twice; wait "
				   "for it, or stop that process first",
				   job->uuid, (long long)vitk_inventory_rows_get_int(rows, 0, "owner_pid"),
				   h ? h : "?");
		goto fail;
	}
	{
		/* a run killed before it finished left its counters: they and it count now */
		int64_t rb = vitk_inventory_rows_get_int(rows, 0, "run_bytes");
		int64_t rh = vitk_inventory_rows_get_int(rows, 0, "run_host_bytes");
		int64_t rc = vitk_inventory_rows_get_int(rows, 0, "run_commands");
		int64_t rd = vitk_inventory_rows_get_int(rows, 0, "run_duration_ms");
		bool left = rb || rh || rc || rd;
		const char *hostp = me.host;
		vitk_inventory_value v[] = {
			VITK_INV_S("result", "running"),
			VITK_INV_S("owner_host", hostp),
			VITK_INV_I("owner_pid", me.pid),
			VITK_INV_I("owner_started", me.started),
			VITK_INV_I("heartbeat", me.heartbeat),
			VITK_INV_I("bytes", vitk_inventory_rows_get_int(rows, 0, "bytes") + rb),
			VITK_INV_I("host_bytes", vitk_inventory_rows_get_int(rows, 0, "host_bytes") + rh),
			VITK_INV_I("commands", vitk_inventory_rows_get_int(rows, 0, "commands") + rc),
			VITK_INV_I("duration_ms",
				   vitk_inventory_rows_get_int(rows, 0, "duration_ms") + rd),
			VITK_INV_I("runs", vitk_inventory_rows_get_int(rows, 0, "runs") + (left ? 1 : 0)),
			VITK_INV_I("run_bytes", 0),
			VITK_INV_I("run_host_bytes", 0),
			VITK_INV_I("run_commands", 0),
			VITK_INV_I("run_duration_ms", 0),
		};
		r = vitk_inventory_update(inv, "odx_job", job->id, v, VITK_ARRAY_SIZE(v));
	}
	if (r < 0)
		goto fail;
	vitk_inventory_rows_free(rows);
	return vitk_inventory_commit(inv);
fail:
	vitk_inventory_rows_free(rows);
	vitk_inventory_rollback(inv);
	return r;
}

int vitk_odx_job_start(vitk_inventory *inv, int64_t host_id, vitk_odx_job *job,
		       const vitk_odx_plan *plan)
{
	struct owner me;
	const char *hostp = me.host;
	char uuid[37];

	owner_self(&me);
	vitk_inventory_uuid(uuid);
	if (set_str(&job->uuid, uuid) < 0 || set_str(&job->result, "running") < 0)
		return VITK_ENOMEM;
	job->blocks_done = 0;
	const char *uuidp = job->uuid, *srcp = job->src, *dstp = job->dst;
	vitk_inventory_value v[] = {
		VITK_INV_S("uuid", uuidp),
		VITK_INV_S("src", srcp),
		VITK_INV_S("dst", dstp),
		VITK_INV_I("src_lba", plan->src_lba),
		VITK_INV_I("dst_lba", plan->dst_lba),
		VITK_INV_I("count", plan->count),
		VITK_INV_S("requested_method", vitk_odx_method_str(job->requested)),
		VITK_INV_S("method", vitk_odx_method_str(plan->chosen)),
		VITK_INV_I("blocks_done", 0),
		VITK_INV_I("bytes", 0),
		VITK_INV_I("host_bytes", 0),
		VITK_INV_I("commands", 0),
		VITK_INV_I("duration_ms", 0),
		VITK_INV_I("runs", 0),
		VITK_INV_S("result", "running"),
		VITK_INV_S("owner_host", hostp),
		VITK_INV_I("owner_pid", me.pid),
		VITK_INV_I("owner_started", me.started),
		VITK_INV_I("heartbeat", me.heartbeat),
	};
	job->src_lba = plan->src_lba;
	job->dst_lba = plan->dst_lba;
	job->count = plan->count;
	return vitk_inventory_insert(inv, "odx_job", host_id, v, VITK_ARRAY_SIZE(v), &job->id);
}

int vitk_odx_job_progress(vitk_inventory *inv, const vitk_odx_job *job, uint64_t blocks_done)
{
	return vitk_odx_job_progress_run(inv, job, blocks_done, NULL);
}

int vitk_odx_job_progress_run(vitk_inventory *inv, const vitk_odx_job *job, uint64_t blocks_done,
			      const vitk_odx_copy_result *run)
{
	vitk_inventory_value v[] = {
		VITK_INV_I("blocks_done", blocks_done),
		VITK_INV_I("heartbeat", (int64_t)time(NULL)),
		VITK_INV_I("run_bytes", run ? (int64_t)run->bytes : 0),
		VITK_INV_I("run_host_bytes", run ? (int64_t)run->host_bytes : 0),
		VITK_INV_I("run_commands", run ? (int64_t)run->commands : 0),
		VITK_INV_I("run_duration_ms", run ? (int64_t)(run->duration_ns / 1000000) : 0),
	};

	return vitk_inventory_update(inv, "odx_job", job->id, v, run ? VITK_ARRAY_SIZE(v) : 2);
}

static char *json_text(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	return s;
}

int vitk_odx_job_finish(vitk_inventory *inv, const vitk_odx_job *job,
			const vitk_odx_copy_result *res, const vitk_odx_plan *plan, int rc,
			const char *error)
{
	vitk_inventory_rows *rows = NULL;
	json_t *rej = NULL, *fb = NULL;
	char *rej_s = NULL, *fb_s = NULL, now[21];
	int64_t prev_bytes = 0, prev_host = 0, prev_cmds = 0, prev_ms = 0, runs = 0;
	const char *uuidp = job->uuid;
	vitk_inventory_value match = VITK_INV_S("uuid", uuidp);
	int r;

	r = vitk_inventory_select(&rows, inv, "odx_job", 0, &match, 1, NULL);
	if (r < 0)
		goto out;
	if (vitk_inventory_rows_count(rows) == 1) {
		prev_bytes = vitk_inventory_rows_get_int(rows, 0, "bytes");
		prev_host = vitk_inventory_rows_get_int(rows, 0, "host_bytes");
		prev_cmds = vitk_inventory_rows_get_int(rows, 0, "commands");
		prev_ms = vitk_inventory_rows_get_int(rows, 0, "duration_ms");
		runs = vitk_inventory_rows_get_int(rows, 0, "runs");
	}
	rej = vitk_odx__rejected_json(plan);
	fb = vitk_odx__fallbacks_json(res);
	if (!rej || !fb) {
		r = VITK_ENOMEM;
		goto out;
	}
	rej_s = json_text(rej);
	fb_s = json_text(fb);
	rej = fb = NULL;
	if (!rej_s || !fb_s) {
		r = vitk_error_set(VITK_ENOMEM, 0, "out of memory");
		goto out;
	}
	vitk_inventory_now(now);
	{
		const char *nowp = now;
		vitk_inventory_value v[] = {
			VITK_INV_S("method", vitk_odx_method_str(plan->chosen)),
			VITK_INV_I("blocks_done", job->blocks_done),
			VITK_INV_I("bytes", prev_bytes + (int64_t)res->bytes),
			VITK_INV_I("host_bytes", prev_host + (int64_t)res->host_bytes),
			VITK_INV_I("commands", prev_cmds + (int64_t)res->commands),
			VITK_INV_I("duration_ms", prev_ms + (int64_t)(res->duration_ns / 1000000)),
			VITK_INV_I("runs", runs + 1),
			VITK_INV_S("result", rc < 0 ? "failed" : "ok"),
			VITK_INV_S("error", rc < 0 ? error : NULL),
			VITK_INV_S("rejected", rej_s),
			VITK_INV_S("fallbacks", fb_s),
			VITK_INV_I("verified", res->verified),
			VITK_INV_S("finished_at", nowp),
			VITK_INV_I("run_bytes", 0),
			VITK_INV_I("run_host_bytes", 0),
			VITK_INV_I("run_commands", 0),
			VITK_INV_I("run_duration_ms", 0),
		};
		r = vitk_inventory_update(inv, "odx_job", job->id, v, VITK_ARRAY_SIZE(v));
	}
out:
	json_decref(rej);
	json_decref(fb);
	free(rej_s);
	free(fb_s);
	vitk_inventory_rows_free(rows);
	return r;
}

int vitk_odx__job_find(const vitk_inventory_rows *rows, const char *id, size_t *hit)
{
	size_t i, n = vitk_inventory_rows_count(rows), len = strlen(id);

	*hit = (size_t)-1;
	for (i = 0; len && i < n; i++) {
		const char *u = vitk_inventory_rows_get(rows, i, "uuid");

		if (!u || strncmp(u, id, len) != 0)
			continue;
		if (*hit != (size_t)-1)
			return vitk_error_set(VITK_EINVAL, 0, "job id '%s' is ambiguous", id);
		*hit = i;
	}
	if (*hit == (size_t)-1)
		return vitk_error_set(VITK_ENOTFOUND, 0, "no copy job '%s'", id);
	return 0;
}

int vitk_odx_job_load(vitk_inventory *inv, const char *uuid, vitk_odx_job *out)
{
	vitk_inventory_rows *rows = NULL;
	size_t hit;
	int r;

	memset(out, 0, sizeof(*out));
	if (!uuid[0])
		return vitk_error_set(VITK_EINVAL, 0, "empty job id");
	r = vitk_inventory_select(&rows, inv, "odx_job", 0, NULL, 0, NULL);
	if (r < 0)
		return r;
	r = vitk_odx__job_find(rows, uuid, &hit);
	if (r < 0)
		goto out;
	out->id = vitk_inventory_rows_get_int(rows, hit, "id");
	if (set_str(&out->uuid, vitk_inventory_rows_get(rows, hit, "uuid")) < 0 ||
	    set_str(&out->src, vitk_inventory_rows_get(rows, hit, "src")) < 0 ||
	    set_str(&out->dst, vitk_inventory_rows_get(rows, hit, "dst")) < 0 ||
	    set_str(&out->result, vitk_inventory_rows_get(rows, hit, "result")) < 0) {
		vitk_odx_job_clear(out);
		r = VITK_ENOMEM;
		goto out;
	}
	out->src_lba = (uint64_t)vitk_inventory_rows_get_int(rows, hit, "src_lba");
	out->dst_lba = (uint64_t)vitk_inventory_rows_get_int(rows, hit, "dst_lba");
	out->count = (uint64_t)vitk_inventory_rows_get_int(rows, hit, "count");
	out->blocks_done = (uint64_t)vitk_inventory_rows_get_int(rows, hit, "blocks_done");
	if (vitk_odx_method_parse(vitk_inventory_rows_get(rows, hit, "requested_method"),
				  &out->requested) < 0) {
		vitk_error_clear();
		out->requested = VITK_ODX_METHOD_AUTO;
	}
	r = 0;
out:
	vitk_inventory_rows_free(rows);
	return r;
}
