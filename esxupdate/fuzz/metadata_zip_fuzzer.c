/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the metadata zip reader (members classified by folder: vibs/,
 * profiles/, bulletins/, notifications.xml, vmware.xml as fallback): the
 * input is a metadata zip, wrapped into an offline bundle (index.xml ->
 * vendor-index.xml -> metadata.zip) and opened as the CLI opens a depot.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include <vitk/esxupdate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char index_xml[] =
	"<vendorList><vendor><name>fuzz</name><indexfile>vendor-index.xml</indexfile>"
	"<relativePath></relativePath></vendor></vendorList>\n";
static const char vendor_index_xml[] =
	"<metaList><metadata><productId>embeddedEsx</productId><url>metadata.zip</url></metadata></metaList>\n";

static int add(struct archive *a, const char *name, const void *buf, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	int ok;

	if (!e)
		return -1;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	ok = archive_write_header(a, e) == ARCHIVE_OK &&
	     (len == 0 || archive_write_data(a, buf, len) == (la_ssize_t)len);
	archive_entry_free(e);
	return ok ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[256];
	vitk_esxupdate_depot *d = NULL;
	struct archive *a;
	int ok;

	if (!path[0]) {
		const char *tmp = getenv("TEST_TMPDIR");

		snprintf(path, sizeof(path), "%s/metadata_zip_fuzz.%d.zip", tmp ? tmp : "/tmp", (int)getpid());
	}
	a = archive_write_new();
	if (!a)
		return 0;
	archive_write_set_format_zip(a);
	ok = archive_write_open_filename(a, path) == ARCHIVE_OK &&
	     add(a, "index.xml", index_xml, strlen(index_xml)) == 0 &&
	     add(a, "vendor-index.xml", vendor_index_xml, strlen(vendor_index_xml)) == 0 &&
	     add(a, "metadata.zip", data, size) == 0;
	ok = archive_write_close(a) == ARCHIVE_OK && ok;
	archive_write_free(a);
	if (ok && vitk_esxupdate_depot_open(&d, path, NULL) == 0) {
		size_t i, k;

		if (vitk_esxupdate_depot_vib_count(d) == 0)
			abort(); /* an accepted depot always holds a VIB */
		/* every profile of an accepted depot names only VIBs of the depot */
		for (i = 0; i < vitk_esxupdate_depot_profile_count(d); i++) {
			const vitk_esxupdate_profile *p = vitk_esxupdate_depot_profile(d, i);

			if (!p->name || !p->vendor)
				abort();
			for (k = 0; k < p->nvib_ids; k++)
				if (!vitk_esxupdate_depot_find_id(d, p->vib_ids[k]))
					abort();
		}
	}
	vitk_esxupdate_depot_free(d);
	unlink(path);
	return 0;
}
