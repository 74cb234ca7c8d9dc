/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "fake_sysblk.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vitk/error.h>

static char root[256];
static char *tables[64];
static char *statuses[64];

static void mkdirs(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
}

static void put(const char *dir, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void put(const char *dir, const char *file, const char *fmt, ...)
{
	char path[1024];
	va_list ap;
	FILE *f;

	mkdirs(dir);
	snprintf(path, sizeof(path), "%s/%s/%s", root, dir, file);
	f = fopen(path, "w");
	if (!f)
		abort();
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static void link_to(const char *target, const char *rel)
{
	char path[1024];
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s", rel);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	if (symlink(target, path) < 0)
		abort();
}

const char *fake_sysblk_root(void)
{
	snprintf(root, sizeof(root), "/tmp/vitk-sysblk-XXXXXX");
	if (!mkdtemp(root))
		abort();
	return root;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void fake_sysblk_remove(void)
{
	if (root[0])
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	root[0] = '\0';
	fake_dm_reset();
}

static void block_links(const char *name, const char *devt, const char *devdir)
{
	char rel[512], target[512];

	snprintf(rel, sizeof(rel), "class/block/%s", name);
	snprintf(target, sizeof(target), "../../%s", devdir);
	link_to(target, rel);
	snprintf(rel, sizeof(rel), "dev/block/%s", devt);
	link_to(target, rel);
}

void fake_sysblk_disk(const char *name, const char *devt, uint64_t sectors, unsigned block_size,
		      const char *sg, const char *state)
{
	char dir[256], sdir[256], rel[1024], target[512];

	snprintf(dir, sizeof(dir), "devices/host/%s", name);
	snprintf(sdir, sizeof(sdir), "devices/scsi/%s", name);
	put(dir, "dev", "%s", devt);
	put(dir, "size", "%llu", (unsigned long long)sectors);
	snprintf(rel, sizeof(rel), "%s/queue", dir);
	put(rel, "logical_block_size", "%u", block_size);
	put(sdir, "state", "%s", state ? state : "running");
	if (sg) {
		snprintf(rel, sizeof(rel), "%s/scsi_generic/%s", sdir, sg);
		mkdirs(rel);
	}
	snprintf(rel, sizeof(rel), "%s/device", dir);
	snprintf(target, sizeof(target), "../../scsi/%s", name);
	link_to(target, rel);
	block_links(name, devt, dir);
}

void fake_sysblk_other(const char *name, const char *devt, uint64_t sectors)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "devices/virtual/block/%s", name);
	put(dir, "dev", "%s", devt);
	put(dir, "size", "%llu", (unsigned long long)sectors);
	block_links(name, devt, dir);
}

void fake_sysblk_part(const char *disk, const char *name, const char *devt, uint64_t start,
		      uint64_t sectors)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "devices/host/%s/%s", disk, name);
	put(dir, "dev", "%s", devt);
	put(dir, "size", "%llu", (unsigned long long)sectors);
	put(dir, "start", "%llu", (unsigned long long)start);
	put(dir, "partition", "1");
	block_links(name, devt, dir);
}

void fake_sysblk_dm(const char *name, const char *devt, uint64_t sectors, const char *dmname,
		    const char *uuid, const char *slaves)
{
	char dir[256], rel[1024], buf[512];

	snprintf(dir, sizeof(dir), "devices/virtual/block/%s", name);
	put(dir, "dev", "%s", devt);
	put(dir, "size", "%llu", (unsigned long long)sectors);
	snprintf(rel, sizeof(rel), "%s/dm", dir);
	put(rel, "name", "%s", dmname);
	put(rel, "uuid", "%s", uuid);
	snprintf(rel, sizeof(rel), "%s/slaves", dir);
	mkdirs(rel);
	snprintf(buf, sizeof(buf), "%s", slaves);
	for (char *save = NULL, *s = strtok_r(buf, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
		char l[1400], t[600];

		snprintf(l, sizeof(l), "%s/slaves/%s", dir, s);
		snprintf(t, sizeof(t), "../../../../../class/block/%s", s);
		link_to(t, l);
	}
	block_links(name, devt, dir);
}

void fake_dm_set(unsigned minor, const char *table)
{
	if (minor >= 64)
		abort();
	free(tables[minor]);
	tables[minor] = table ? strdup(table) : NULL;
}

void fake_dm_status_set(unsigned minor, const char *status)
{
	if (minor >= 64)
		abort();
	free(statuses[minor]);
	statuses[minor] = status ? strdup(status) : NULL;
}

void fake_dm_reset(void)
{
	for (unsigned i = 0; i < 64; i++) {
		free(tables[i]);
		tables[i] = NULL;
		free(statuses[i]);
		statuses[i] = NULL;
	}
}

static int lines(const char *text, vitk_odx_dm_table *out)
{
	char *copy, *save = NULL;

	copy = strdup(text);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, length;
		char type[64];
		int n = 0;
		vitk_odx_dm_target *t;

		if (sscanf(line, "%llu %llu %63s %n", &start, &length, type, &n) < 3)
			continue;
		t = vitk_array_push(*out);
		if (!t)
			break;
		t->start = start;
		t->length = length;
		t->type = strdup(type);
		t->params = strdup(line + n);
	}
	free(copy);
	return 0;
}

int fake_dm_table(void *payload, unsigned major, unsigned minor, vitk_odx_dm_table *out)
{
	(void)payload;
	(void)major;
	if (minor >= 64 || !tables[minor])
		return vitk_error_set(VITK_ENOTFOUND, 0, "fake dm: no table for minor %u", minor);
	return lines(tables[minor], out);
}

/* A map without a status set has none (no targets): the resolver sees no failed path. */
int fake_dm_status(void *payload, unsigned major, unsigned minor, vitk_odx_dm_table *out)
{
	(void)payload;
	(void)major;
	if (minor >= 64)
		return vitk_error_set(VITK_ENOTFOUND, 0, "fake dm: no device for minor %u", minor);
	return statuses[minor] ? lines(statuses[minor], out) : 0;
}
