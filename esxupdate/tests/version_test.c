/* SPDX-License-Identifier: MIT */
/* VibVersion comparator and release-tag decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vitk/esxupdate.h>

struct cmp_case {
	const char *a, *b;
	int want;
};

/* every pair is also checked reversed (antisymmetry) */
static const struct cmp_case cases[] = {
	{ "1.0-1", "1.0-1", 0 },
	{ "1.0-2", "1.0-1", 1 },
	{ "1.0-10", "1.0-9", 1 },                     /* numeric, not lexical */
	{ "1.10-1", "1.9-1", 1 },
	{ "2.0-1", "1.99-99", 1 },                    /* version before release */
	{ "1.0-3vmw.550.3.78.3248547", "1.0-2vmw.600.0.0.2494585", 1 }, /* docs/esxupdate-facts.md: left to right */
	{ "10.0.725.0-1OEM.550.0.0.1331820", "4.6.100.0v-1vmw.550.0.0.1331820", 1 },
	{ "5.5.0.84-1OEM.550.0.0.1331820", "5.5.0-44vmw.550.0.0.1331820", 1 }, /* longer version wins */
	{ "3.21.4-1OEM.550.0.0.1331820", "3.7.13.7.14iov-20vmw.550.0.0.1331820", 1 },
	{ "1.72-1", "1.7a-1", 1 },                    /* x.72 outranks x.7a */
	{ "1.7a-1", "1.7-1", 1 },                     /* then the suffix: "" < "a" */
	{ "1.7b-1", "1.7a-1", 1 },
	{ "3.123c.v55.5-1vmw.550.1.16.1746018", "3.123c.v55.5-1vmw.550.0.0.1331820", 1 },
	{ "5.5.0-1.16.1746018", "5.5.0-0.0.1331820", 1 },
	{ "1.0-1", "1.0", 1 },                        /* a release outranks none */
	{ "1.0.0-1", "1.0-1", 1 },                    /* more components, equal prefix */
	{ "1-A00", "1-9", -1 },                       /* numeric component outranks alphabetic */
	{ "7.0.0-A01", "7.0.0-A00", 1 },
	{ "1.0-1vmw", "1.0-1OEM", 1 },                /* suffix compared byte-wise: 'v' > 'O' */
	{ "1.0-18446744073709551615", "1.0-18446744073709551614", 1 },
	{ "0.0-0", "0-0", 1 },
	{ "1.0-1", "bad..version", 1 },               /* malformed sorts first */
	{ "a..b", "a..c", -1 },                       /* two malformed: strcmp */
};

static void test_esxupdate_version__cmp_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = vitk_esxupdate_version_cmp(cases[i].a, cases[i].b);
		int rev = vitk_esxupdate_version_cmp(cases[i].b, cases[i].a);

		if (got != cases[i].want || rev != -cases[i].want)
			fail_msg("cmp('%s','%s') = %d (reverse %d), want %d", cases[i].a, cases[i].b, got,
				 rev, cases[i].want);
	}
}

/* exhaustive: all pairs of a sorted list must compare consistently (total order) */
static void test_esxupdate_version__total_order(void **state)
{
	static const char *const sorted[] = {
		"0-0", "0.0-0", "1-A00", "1-0", "1-9", "1-10", "1.0", "1.0-0.0.1", "1.0-1",
		"1.0-1OEM", "1.0-1OEM.550", "1.0-1vmw", "1.0-1vmw.550.0.0.1", "1.0-1vmw.550.0.1",
		"1.0-2", "1.0.0-1", "1.7-1", "1.7a-1", "1.7b-1", "1.9-1", "1.10-1", "1.72-1", "2-1",
	};
	size_t n = sizeof(sorted) / sizeof(sorted[0]), i, j;

	(void)state;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int want = i < j ? -1 : i > j ? 1 : 0;
			int got = vitk_esxupdate_version_cmp(sorted[i], sorted[j]);

			if (got != want)
				fail_msg("cmp('%s','%s') = %d, want %d", sorted[i], sorted[j], got, want);
		}
}

static void test_esxupdate_version__malformed(void **state)
{
	static const char *const bad[] = { "", "-1", "1-", "1..2-3", "1.0-1-2", "1.0 -1", "1.0-a/b",
					   "1.$-1", "1.0-1.", ".1-1",
					   "12345678901234567890123-1" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (vitk_esxupdate_version_check(bad[i]) != VITK_EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(vitk_error_last()->message, "malformed version"));
	}
	assert_int_equal(vitk_esxupdate_version_check("1.0.3.0-8vmw.702.0.0.17867351"), 0);
	assert_int_equal(vitk_esxupdate_version_check("7.0.0-A00"), 0);
	assert_int_equal(vitk_esxupdate_version_check(NULL), VITK_EINVAL);
	{
		char longv[200];

		memset(longv, '1', sizeof(longv) - 1);
		longv[sizeof(longv) - 1] = '\0';
		assert_int_equal(vitk_esxupdate_version_check(longv), VITK_EINVAL);
	}
	assert_int_equal(vitk_esxupdate_version_check("1..2-3"), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message,
			    "malformed version '1..2-3': empty component in version");
}

static void test_esxupdate_version__release_tags(void **state)
{
	vitk_esxupdate_release_info ri = VITK_ESXUPDATE_RELEASE_INFO_INIT;

	(void)state;
	assert_int_equal(vitk_esxupdate_release_decode("10.0.725.0-1OEM.550.0.0.1331820", &ri), 0);
	assert_int_equal(ri.tag, VITK_ESXUPDATE_TAG_OEM);
	assert_int_equal(ri.release, 1);
	assert_string_equal(ri.esxi, "5.5.0");
	assert_int_equal(ri.build, 1331820);

	assert_int_equal(vitk_esxupdate_release_decode("1.0.3.0-8vmw.702.0.0.17867351", &ri), 0);
	assert_int_equal(ri.tag, VITK_ESXUPDATE_TAG_VMW);
	assert_int_equal(ri.release, 8);
	assert_string_equal(ri.esxi, "7.0.2");
	assert_int_equal(ri.build, 17867351);

	assert_int_equal(vitk_esxupdate_release_decode("6.011.00-2vft.510.0.0.799733", &ri), 0);
	assert_int_equal(ri.tag, VITK_ESXUPDATE_TAG_OTHER);
	assert_string_equal(ri.tag_text, "vft");
	assert_string_equal(ri.esxi, "5.1.0");

	assert_int_equal(vitk_esxupdate_release_decode("5.5.0-0.0.1331820", &ri), 0);
	assert_int_equal(ri.tag, VITK_ESXUPDATE_TAG_NONE);
	assert_int_equal(ri.build, 1331820);
	assert_null(ri.esxi);
	assert_null(ri.tag_text);

	assert_int_equal(vitk_esxupdate_release_decode("7.0.0-A00", &ri), 0);
	assert_int_equal(ri.tag, VITK_ESXUPDATE_TAG_NONE);

	assert_int_equal(vitk_esxupdate_release_decode("x..y", &ri), VITK_EINVAL);
	vitk_esxupdate_release_info_clear(&ri);
}

static void test_esxupdate_version__acceptance(void **state)
{
	(void)state;
	assert_int_equal(vitk_esxupdate_acceptance_parse("certified"), VITK_ESXUPDATE_ACC_CERTIFIED);
	assert_int_equal(vitk_esxupdate_acceptance_parse("VMwareAccepted"), VITK_ESXUPDATE_ACC_ACCEPTED);
	assert_int_equal(vitk_esxupdate_acceptance_parse("partnersupported"), VITK_ESXUPDATE_ACC_PARTNER);
	assert_int_equal(vitk_esxupdate_acceptance_parse("community"), VITK_ESXUPDATE_ACC_COMMUNITY);
	assert_int_equal(vitk_esxupdate_acceptance_parse("bogus"), VITK_ESXUPDATE_ACC_UNKNOWN);
	assert_string_equal(vitk_esxupdate_acceptance_name(VITK_ESXUPDATE_ACC_PARTNER), "PartnerSupported");
	assert_string_equal(vitk_esxupdate_acceptance_short(VITK_ESXUPDATE_ACC_COMMUNITY), "community");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esxupdate_version__cmp_table),
		cmocka_unit_test(test_esxupdate_version__total_order),
		cmocka_unit_test(test_esxupdate_version__malformed),
		cmocka_unit_test(test_esxupdate_version__release_tags),
		cmocka_unit_test(test_esxupdate_version__acceptance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
