/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vitk/common.h>
#include <vitk/report.h>

#include "fleet.h"

static char *render(vitk_inventory *inv, const vitk_report_html_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(vitk_report_html(inv, f, o), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static vitk_inventory *fleet(size_t n)
{
	vitk_inventory *inv = NULL;

	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(fleet_fill(inv, n), 0);
	return inv;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* the data-value of the element with this id */
static long long value_of(const char *html, const char *id)
{
	char key[96];
	const char *p;

	snprintf(key, sizeof(key), "id=\"%s\" data-value=\"", id);
	p = strstr(html, key);
	assert_non_null(p);
	return strtoll(p + strlen(key), NULL, 10);
}

static void test_numbers(void **state)
{
	vitk_inventory *inv = fleet(3);
	char *h = render(inv, NULL);

	(void)state;
	assert_int_equal(value_of(h, "sum-hosts"), 3);
	assert_int_equal(value_of(h, "sum-pfs"), 6);
	assert_int_equal(value_of(h, "sum-vfs"), 18);
	assert_int_equal(value_of(h, "sum-vfs-used"), 3);
	assert_int_equal(value_of(h, "sum-jobs"), 6);
	assert_int_equal(value_of(h, "sum-bytes"), 6 * 1048576LL);
	/* token job: 2 MiB a host copy would move less 4 KiB; host job: nothing avoided */
	assert_int_equal(value_of(h, "sum-avoided"), 3 * (2097152LL - 4096));
	assert_int_equal(value_of(h, "offload-avoided"), 3 * (2097152LL - 4096));
	assert_int_equal(value_of(h, "sum-luns"), 3);
	assert_int_equal(value_of(h, "sum-audits"), 3);
	assert_int_equal(value_of(h, "sum-unsafe"), 1);
	/* 2 LUNs (hosts 0 and 2) can do both, 1 can do neither */
	assert_non_null(strstr(h, "ODX token and EXTENDED COPY</text><rect class=\"s0\""));
	assert_non_null(strstr(h, "no offload</text><rect class=\"s0\""));
	assert_non_null(strstr(h, "<title>LUNs: 2</title>"));
	/* one PF row: total 8, enabled 4, in use 1, free 3 */
	assert_non_null(strstr(h, "<td class=\"n\" data-value=\"8\">8</td><td class=\"n\" data-value=\"4\">4</td>"
				  "<td class=\"n\" data-value=\"1\">1</td><td class=\"n\" data-value=\"3\">3</td>"));
	assert_non_null(strstr(h, "NUMA node 1 \xc2\xb7 adapter 0000:01:00"));
	assert_int_equal(count(h, "<svg "), 3 /* hosts */ + 1 /* copies */ + 1 /* audits */ + 1 /* LUNs */);
	assert_int_equal(count(h, "role=\"img\""), count(h, "<svg "));
	free(h);
	vitk_inventory_free(inv);
}

static void test_escaping(void **state)
{
	vitk_inventory *inv = fleet(2);
	char *h = render(inv, NULL);

	(void)state;
	/* the host name, the job error and the finding message are data, never markup */
	assert_null(strstr(h, "<script"));
	assert_null(strstr(h, "<img"));
	assert_null(strstr(h, "<b>"));
	assert_true(count(h, "&lt;script&gt;alert(1)&lt;/script&gt;&amp;co") >= 3);
	assert_non_null(strstr(h, "&lt;img src=x onerror=alert(2)&gt;"));
	assert_non_null(strstr(h, "vmnic0 &lt;b&gt;loses&lt;/b&gt; its driver"));
	/* nothing that loads: no src=, no href other than in-page anchors, no url( */
	static const char *const loaders[] = { "<img", "<link", "<iframe", "<object", "<embed",
					       "<image", "<use", "<audio", "<video", "url(", "@import" };
	for (size_t i = 0; i < VITK_ARRAY_SIZE(loaders); i++)
		assert_null(strstr(h, loaders[i]));
	assert_int_equal(count(h, "href=\""), count(h, "href=\"#"));
	assert_non_null(strstr(h, "default-src 'none'"));
	free(h);
	vitk_inventory_free(inv);
}

static void test_hostile_bytes(void **state)
{
	vitk_inventory *inv = NULL;
	int64_t id;
	char *h;

	(void)state;
	assert_int_equal(vitk_inventory_open(&inv, ":memory:", 0), 0);
	assert_int_equal(vitk_inventory_host_ensure(inv, "a\x1b[31mb\xff\xfe\"'c\xe2\x80\xae", "m1",
						    "linux", "local", &id),
			 0);
	h = render(inv, &(vitk_report_html_opts){ .title = "t<i>\x01", .generated_at = "now" });
	assert_null(strchr(h, '\x1b'));
	assert_null(strchr(h, '\x01'));
	assert_null(strstr(h, "\xff"));
	assert_non_null(strstr(h, "<title>t&lt;i&gt;\xef\xbf\xbd</title>"));
	/* no domain tables yet: every section says so */
	assert_non_null(strstr(h, "No SR-IOV data"));
	assert_non_null(strstr(h, "No copy data"));
	assert_non_null(strstr(h, "No audits"));
	assert_int_equal(value_of(h, "sum-hosts"), 1);
	free(h);
	vitk_inventory_free(inv);
}

static void test_thousand_hosts(void **state)
{
	vitk_inventory *inv = fleet(1000);
	char *h = render(inv, &(vitk_report_html_opts){ .open_hosts = 20, .max_rows = 50 });

	(void)state;
	assert_int_equal(value_of(h, "sum-hosts"), 1000);
	assert_int_equal(value_of(h, "sum-vfs-used"), 1000);
	/* 20 hosts with charts, the other 980 as one table row each */
	assert_int_equal(count(h, "<details class=\"host\" open>"), 20);
	assert_int_equal(count(h, "<svg "), 20 + 3);
	assert_non_null(strstr(h, "980 more hosts as one row each"));
	assert_non_null(strstr(h, "<tr><td class=\"t\">kvm1000</td><td class=\"n\" data-value=\"2\">2</td>"
				  "<td class=\"n\" data-value=\"16\">16</td><td class=\"n\" data-value=\"6\">6</td>"
				  "<td class=\"n\" data-value=\"1\">1</td><td class=\"n\" data-value=\"5\">5</td></tr>"));
	/* 2,000 jobs on one day: one column, not 2,000 */
	assert_non_null(strstr(h, "per day"));
	assert_int_equal(count(h, "<title>2026-12-01 bytes copied: "), 1);
	/* lists say what they left out */
	assert_non_null(strstr(h, "50 of 2,000 shown"));
	assert_non_null(strstr(h, "50 of 1,000 shown"));
	assert_non_null(strstr(h, "50 of 500 shown"));
	/* the audit chart keeps to 40 hosts */
	assert_non_null(strstr(h, "the 40 hosts with the most unsafe audits; the table has all 1000"));
	free(h);
	vitk_inventory_free(inv);
}

static void test_write_error(void **state)
{
	vitk_inventory *inv = fleet(1);
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(f); /* /dev/full is always there on Linux: never a silent skip */
	assert_int_equal(vitk_report_html(inv, f, NULL), VITK_EIO);
	fclose(f);
	assert_int_equal(vitk_report_html(NULL, stdout, NULL), VITK_EINVAL);
	vitk_inventory_free(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_thousand_hosts),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
