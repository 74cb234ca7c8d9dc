/* SPDX-License-Identifier: MIT */
/*
 * Synthetic benchmark input: an offline bundle of 2000*K VIBs and 40*K image
 * profiles of ~500 VIBs each (so the whole input grows K times) in the real layout (index.xml -> vendor-index.xml -> metadata zip
 * with vmware.xml, vibs/, bulletins/, profiles/; vib20/ ar files), and a
 * 400*K-VIB host (`vib list` text and `vib get` text).
 *
 *   gen_bench OUTDIR K
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

typedef struct {
	char *s;
	size_t len, cap;
} buf;

static void add(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void put(struct archive *a, const char *name, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, 1394496000, 0);
	archive_entry_set_size(e, (la_int64_t)len);
	if (archive_write_header(a, e) != ARCHIVE_OK || archive_write_data(a, data, len) != (la_ssize_t)len) {
		fprintf(stderr, "gen_bench: %s: %s\n", name, archive_error_string(a));
		exit(1);
	}
	archive_entry_free(e);
}

static size_t V, H, P;

static void vib_name(size_t i, char *out, size_t cap)
{
	if (i == 0)
		snprintf(out, cap, "esx-base");
	else if (i % 20 == 1)
		snprintf(out, cap, "net-drv%05zu", i);
	else if (i % 20 == 2)
		snprintf(out, cap, "scsi-drv%05zu", i);
	else
		snprintf(out, cap, "vib-%05zu", i);
}

static void depot_version(size_t i, char *out, size_t cap)
{
	if (i == 0)
		snprintf(out, cap, "5.5.0-1.16.1746018");
	else
		snprintf(out, cap, "%zu.%zu.0-1vmw.550.1.16.1746018", 1 + i % 7, i % 13);
}

static void descriptor(buf *b, size_t i, int with_file)
{
	char name[64], ver[64];

	vib_name(i, name, sizeof(name));
	depot_version(i, ver, sizeof(ver));
	add(b, "<vib version=\"5.0\"><type>bootbank</type><name>%s</name><version>%s</version><vendor>VMware</vendor>",
	    name, ver);
	add(b, "<summary>synthetic %s</summary><relationships><depends>", name);
	if (i)
		add(b, "<constraint name=\"vmkapi_2_2_0_0\"/><constraint name=\"esx-base\" relation=\"&gt;=\" version=\"5.5.0\"/>");
	add(b, "</depends><conflicts/><replaces>");
	if (i % 50 == 3)
		add(b, "<constraint name=\"old-vib-%05zu\"/>", i);
	add(b, "</replaces><provides>");
	if (i == 0)
		add(b, "<provide name=\"vmkapi_2_2_0_0\"/>");
	add(b, "</provides></relationships><software-tags>");
	if (i % 20 == 1 || i % 20 == 2)
		add(b, "<tag>driver</tag><tag>module</tag><tag>PCIID 8086%04zx</tag>", i & 0xffff);
	add(b, "</software-tags><system-requires><maintenance-mode>true</maintenance-mode></system-requires>"
	       "<acceptance-level>certified</acceptance-level><live-install-allowed>false</live-install-allowed>"
	       "<live-remove-allowed>false</live-remove-allowed>");
	if (with_file)
		add(b, "<relative-path>vib20/%s/VMware_bootbank_%s_%s.vib</relative-path>", name, name, ver);
	add(b, "</vib>\n");
}

int main(int argc, char **argv)
{
	struct archive *meta, *outer;
	char path[4096], name[64], ver[64], ent[512];
	buf b = { 0 }, mz = { 0 };
	size_t i, j, k, used = 0;
	FILE *f;

	if (argc != 3)
		return 2;
	k = strtoul(argv[2], NULL, 10);
	V = 2000 * k;
	H = 400 * k;
	P = 40 * k;
	/* metadata zip in memory */
	mz.cap = 64u << 20;
	mz.s = malloc(mz.cap);
	meta = archive_write_new();
	archive_write_set_format_zip(meta);
	archive_write_open_memory(meta, mz.s, mz.cap, &used);
	for (i = 0; i < V; i++) {
		b.len = 0;
		descriptor(&b, i, 1);
		snprintf(ent, sizeof(ent), "vibs/v%06zu.xml", i);
		put(meta, ent, b.s, b.len);
	}
	for (i = 0; i < V / 10; i++) {
		b.len = 0;
		add(&b, "<bulletin><id>BENCH-%05zu</id><vendor>VMware, Inc.</vendor><summary>bulletin %zu</summary><releaseType>patch</releaseType><vibList>", i, i);
		for (j = i * 10; j < i * 10 + 10; j++) {
			vib_name(j, name, sizeof(name));
			depot_version(j, ver, sizeof(ver));
			add(&b, "<vibID>VMware_bootbank_%s_%s</vibID>", name, ver);
		}
		add(&b, "</vibList></bulletin>\n");
		snprintf(ent, sizeof(ent), "bulletins/BENCH-%05zu.xml", i);
		put(meta, ent, b.s, b.len);
	}
	for (i = 0; i < P; i++) {
		b.len = 0;
		add(&b, "<imageProfile><name>ESXi-5.5.0-2014%04zu-standard</name><creator>VMware, Inc.</creator>"
			"<hostacceptance>partner</hostacceptance><viblist>", i);
		for (j = 0; j < V; j++) {
			if (j != 0 && (j * 7 + i) % (4 * k) != 0)
				continue; /* 500 VIBs per profile at any scale, always esx-base */
			vib_name(j, name, sizeof(name));
			depot_version(j, ver, sizeof(ver));
			add(&b, "<vib><vibid>VMware_bootbank_%s_%s</vibid></vib>", name, ver);
		}
		add(&b, "</viblist></imageProfile>\n");
		snprintf(ent, sizeof(ent), "profiles/p%04zu.xml", i);
		put(meta, ent, b.s, b.len);
	}
	archive_write_close(meta);
	archive_write_free(meta);
	/* the bundle */
	snprintf(path, sizeof(path), "%s/depot.zip", argv[1]);
	outer = archive_write_new();
	archive_write_set_format_zip(outer);
	if (archive_write_open_filename(outer, path) != ARCHIVE_OK)
		return 1;
	b.len = 0;
	add(&b, "<vendorList><vendor><name>VMware, Inc.</name><indexfile>vendor-index.xml</indexfile><relativePath></relativePath></vendor></vendorList>\n");
	put(outer, "index.xml", b.s, b.len);
	b.len = 0;
	add(&b, "<metaList><metadata><productId>embeddedEsx</productId><url>bench-metadata.zip</url></metadata></metaList>\n");
	put(outer, "vendor-index.xml", b.s, b.len);
	put(outer, "bench-metadata.zip", mz.s, used);
	for (i = 0; i < V; i++) {
		buf ar = { 0 };

		b.len = 0;
		descriptor(&b, i, 0);
		add(&ar, "!<arch>\n%-16s%-12s%-6s%-6s%-8s%-10zu`\n", "descriptor.xml/", "1394496000", "0", "0", "100644", b.len);
		add(&ar, "%s%s", b.s, b.len & 1 ? "\n" : "");
		add(&ar, "%-16s%-12s%-6s%-6s%-8s%-10d`\n", "sig.pkcs7/", "1394496000", "0", "0", "100644", 0);
		vib_name(i, name, sizeof(name));
		depot_version(i, ver, sizeof(ver));
		snprintf(ent, sizeof(ent), "vib20/%s/VMware_bootbank_%s_%s.vib", name, name, ver);
		put(outer, ent, ar.s, ar.len);
		free(ar.s);
	}
	archive_write_close(outer);
	archive_write_free(outer);
	/* the host: 3/4 share names with the depot (older, equal or newer OEM builds) */
	snprintf(path, sizeof(path), "%s/host-vibs.txt", argv[1]);
	f = fopen(path, "w");
	fprintf(f, "Name%-16s  Version%-33s  Vendor  Acceptance Level  Install Date\n", "", "");
	fprintf(f, "--------------------  ----------------------------------------  ------  ----------------  ------------\n");
	for (i = 0; i < H; i++) {
		if (i < H * 3 / 4) {
			size_t di = i * (V / H) + (i == 0 ? 0 : 1); /* spread over the depot */

			vib_name(di, name, sizeof(name));
			if (di == 0)
				snprintf(ver, sizeof(ver), "5.5.0-0.0.1331820");
			else if (i % 3 == 0)
				snprintf(ver, sizeof(ver), "%zu.%zu.0-1OEM.550.0.0.1331820", 9 + di % 7, di % 13);
			else
				snprintf(ver, sizeof(ver), "%zu.%zu.0-1vmw.550.0.0.1331820", 1 + di % 7, di % 13);
		} else {
			snprintf(name, sizeof(name), "host-only-%05zu", i);
			snprintf(ver, sizeof(ver), "1.0.0-1OEM.550.0.0.1331820");
		}
		fprintf(f, "%-20s  %-40s  %-6s  %-16s  %s\n", name, ver, i % 3 == 0 ? "OEM" : "VMware",
			"VMwareCertified", "2014-01-10");
	}
	fclose(f);
	free(b.s);
	free(mz.s);
	return 0;
}
