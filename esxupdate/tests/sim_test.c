/* SPDX-License-Identifier: MIT */
/* Command-line parser, simulator and audit on the motivating scenario. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "esxu.h" /* white box: how host components are tied to VIBs */

#define PATCH DEPOTFX "ESXi550-201403001.zip"
#define STD "ESXi-5.5.0-20140302001-standard"

static vitk_esxupdate_host *host_a(void)
{
	return tu_host(HOSTFX "hostA-viblist.txt", HOSTFX "hostA-vibget.txt", HOSTFX "hostA-profile.txt",
		       HOSTFX "hostA-pci.txt");
}

static vitk_esxupdate_audit *run(const vitk_esxupdate_host *h, const char *depot, const char *line)
{
	vitk_esxupdate_depot *d = NULL;
	vitk_esxupdate_command *c = NULL;
	vitk_esxupdate_audit *a = NULL;

	if (vitk_esxupdate_depot_open(&d, depot, NULL) < 0 || vitk_esxupdate_command_parse(&c, line) < 0 ||
	    vitk_esxupdate_audit_run(&a, h, d, c) < 0)
		fail_msg("%s", vitk_error_last()->message);
	vitk_esxupdate_command_free(c);
	vitk_esxupdate_depot_free(d); /* the audit owns copies of everything it reports */
	return a;
}

static const vitk_esxupdate_change *change(const vitk_esxupdate_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < vitk_esxupdate_result_change_count(r); i++)
		if (strcmp(vitk_esxupdate_result_change(r, i)->name, name) == 0)
			return vitk_esxupdate_result_change(r, i);
	fail_msg("no change for %s", name);
	return NULL;
}

static bool has_finding(const vitk_esxupdate_audit *a, vitk_esxupdate_severity s, const char *code,
			const char *text)
{
	size_t i;

	for (i = 0; i < vitk_esxupdate_audit_finding_count(a); i++) {
		const vitk_esxupdate_finding *f = vitk_esxupdate_audit_finding(a, i);

		if (f->severity == s && strcmp(f->code, code) == 0 && (!text || strstr(f->message, text)))
			return true;
	}
	return false;
}

static void test_esxupdate_command__parse(void **state)
{
	vitk_esxupdate_command *c = NULL;
	char *s;

	(void)state;
	assert_int_equal(vitk_esxupdate_command_parse(&c,
		"[root@esx01:~] esxcli software profile update --depot=/vmfs/volumes/ds1/ESXi550-201403001.zip "
		"-p 'ESXi-5.5.0-20140302001-standard' --allow-downgrades --no-sig-check --dry-run"), 0);
	assert_int_equal(c->op, VITK_ESXUPDATE_OP_PROFILE_UPDATE);
	assert_string_equal(c->depot, "/vmfs/volumes/ds1/ESXi550-201403001.zip");
	assert_string_equal(c->profile, STD);
	assert_int_equal(c->flags, VITK_ESXUPDATE_F_ALLOW_DOWNGRADES | VITK_ESXUPDATE_F_NO_SIG_CHECK |
					   VITK_ESXUPDATE_F_DRY_RUN);
	s = vitk_esxupdate_command_format(c);
	assert_string_equal(s, "esxcli software profile update -d /vmfs/volumes/ds1/ESXi550-201403001.zip -p "
			       "ESXi-5.5.0-20140302001-standard --allow-downgrades --no-sig-check --dry-run");
	free(s);
	vitk_esxupdate_command_free(c);
	assert_int_equal(vitk_esxupdate_command_parse(&c, "esxcli software vib install -d \"/vmfs/volumes/my ds/x.zip\" -n net-be2net --vibname=VMW:scsi-hpsa -f"), 0);
	assert_int_equal(c->op, VITK_ESXUPDATE_OP_VIB_INSTALL);
	assert_string_equal(c->depot, "/vmfs/volumes/my ds/x.zip");
	assert_int_equal(c->nvibnames, 2);
	assert_string_equal(c->vibnames[1], "VMW:scsi-hpsa");
	assert_int_equal(c->flags, VITK_ESXUPDATE_F_FORCE);
	s = vitk_esxupdate_command_format(c);
	assert_string_equal(s, "esxcli software vib install -d '/vmfs/volumes/my ds/x.zip' -n net-be2net -n VMW:scsi-hpsa -f");
	free(s);
	vitk_esxupdate_command_free(c);
}

static void test_esxupdate_command__bad(void **state)
{
	static const struct {
		const char *line;
		int code;
		const char *msg;
	} cases[] = {
		{ "esxcli software vib install", VITK_EINVAL, "command: no depot (-d/--depot) given" },
		{ "esxcli software profile update -d x.zip", VITK_EINVAL, "command: 'software profile update' needs -p/--profile" },
		{ "esxcli software vib install -d x.zip --ok-to-remove", VITK_EINVAL, "command: --ok-to-remove is only valid for 'software profile install'" },
		{ "esxcli software profile install -d x.zip -p P --allow-downgrades", VITK_EINVAL, "command: --allow-downgrades is only valid for 'software profile update'" },
		{ "esxcli software vib install -d x.zip --bogus", VITK_EINVAL, "command: unknown option '--bogus' for 'software vib install'" },
		{ "esxcli software vib install -v /tmp/x.vib -d x.zip", VITK_ENOTSUP, "command: -d and -v together are not supported; audit one source at a time" },
		{ "esxcli software profile update -v /tmp/x.vib -p P", VITK_EINVAL, "command: -v/--viburl is not valid for 'software profile update'" },
		{ "esxcli software vib remove -n x", VITK_ENOTSUP, "command: 'software vib remove' is not simulated (vib install|update, profile install|update, component apply)" },
		{ "esxcli network nic list", VITK_EINVAL, "command: expected 'esxcli software vib|profile install|update ...' or 'esxcli software component apply ...'" },
		{ "esxcli software component apply -d x.zip -f", VITK_EINVAL, "command: -f/--force is not valid for 'software component apply'" },
		{ "esxcli software vib install -d x.zip --component=A", VITK_EINVAL, "command: --component is only valid for 'software component apply'" },
		{ "esxcli software vib install -d 'x.zip", VITK_EINVAL, "command: unterminated ' quote" },
		{ "esxcli software vib install -d x.zip; reboot", VITK_EINVAL, "command: shell metacharacter ';' not supported; paste one esxcli command" },
		{ "esxcli software vib install -d x.zip -p P", VITK_EINVAL, "command: -p/--profile is not valid for 'software vib install'" },
		{ "esxcli software vib install -d a.zip -d b.zip", VITK_ENOTSUP, "command: more than one depot (-d) is not supported; audit one bundle at a time" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vitk_esxupdate_command *c = NULL;
		int r = vitk_esxupdate_command_parse(&c, cases[i].line);

		if (r != cases[i].code || strcmp(vitk_error_last()->message, cases[i].msg) != 0)
			fail_msg("'%s': rc %d '%s'", cases[i].line, r, vitk_error_last()->message);
		assert_null(c);
	}
}

/* fuzz: "-vX" words double when printed; the printed form must parse back */
static void test_esxupdate_command__roundtrip_limits(void **state)
{
	char line[8192], *f;
	vitk_esxupdate_command *c = NULL, *c2 = NULL;
	size_t i, n;

	(void)state;
	n = (size_t)snprintf(line, sizeof(line), "esxcli software vib install");
	for (i = 0; i < 200; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " -v/v%zu", i);
	assert_int_equal(vitk_esxupdate_command_parse(&c, line), 0);
	assert_int_equal(c->nviburls, 200);
	f = vitk_esxupdate_command_format(c);
	assert_non_null(f);
	assert_int_equal(vitk_esxupdate_command_parse(&c2, f), 0);
	assert_int_equal(c2->nviburls, 200);
	assert_string_equal(c2->viburls[199], "/v199");
	free(f);
	vitk_esxupdate_command_free(c);
	vitk_esxupdate_command_free(c2);

	/* 8000 bytes in, but every \' prints as '\'' : too long once normalised */
	n = (size_t)snprintf(line, sizeof(line), "esxcli software vib install -d ");
	while (n < 8000) {
		line[n++] = '\\';
		line[n++] = '\'';
	}
	line[n] = '\0';
	c = NULL;
	assert_int_equal(vitk_esxupdate_command_parse(&c, line), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message, "command: longer than 8192 bytes once normalised");
	assert_null(c);
}

/* the incident: vib install -d downgrades the OEM drivers */
static void test_esxupdate_sim__vib_install_incident(void **state)
{
	vitk_esxupdate_host *h = host_a();
	vitk_esxupdate_audit *a = run(h, PATCH, "esxcli software vib install -d /vmfs/volumes/ds1/ESXi550-201403001.zip");
	const vitk_esxupdate_result *r = vitk_esxupdate_audit_result(a);
	const vitk_esxupdate_change *c;

	(void)state;
	assert_null(vitk_esxupdate_result_error(r));
	assert_string_equal(vitk_esxupdate_result_header(r), "Installation Result");
	assert_true(vitk_esxupdate_result_reboot_required(r));
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_INSTALLED), 8);
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_REMOVED), 6);
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_SKIPPED), 0);
	assert_string_equal(vitk_esxupdate_result_list(r, VITK_ESXUPDATE_LIST_REMOVED, 0), "Emulex_bootbank_net-be2net_10.0.725.0-1OEM.550.0.0.1331820");
	c = change(r, "net-be2net");
	assert_int_equal(c->action, VITK_ESXUPDATE_ACT_DOWNGRADED);
	assert_true(c->vendor);
	assert_int_equal(c->driver, VITK_ESXUPDATE_DRIVER_NIC);
	assert_int_equal(change(r, "scsi-hpsa")->action, VITK_ESXUPDATE_ACT_DOWNGRADED);
	assert_int_equal(change(r, "esx-base")->action, VITK_ESXUPDATE_ACT_UPGRADED);
	assert_int_equal(change(r, "esx-tboot")->action, VITK_ESXUPDATE_ACT_INSTALLED);
	assert_int_equal(change(r, "hp-ams")->action, VITK_ESXUPDATE_ACT_KEPT);
	assert_int_equal(vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL), 3);
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_CRITICAL, "driver-downgraded",
				"vmnic0 19a2:0710, vmnic1 19a2:0710 lose their driver: net-be2net 10.0.725.0-1OEM.550.0.0.1331820 -> 4.6.100.0v-1vmw.550.0.0.1331820. Host may lose network after reboot."));
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_CRITICAL, "driver-downgraded",
				"vmhba0 103c:323b loses its driver: scsi-hpsa 5.5.0.84-1OEM.550.0.0.1331820 -> 5.5.0-44vmw.550.0.0.1331820. Host may lose storage after reboot."));
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_CRITICAL, "driver-downgraded", "vmnic2 8086:10fb loses its driver: net-ixgbe"));
	/* the first finding is CRITICAL (sorted by severity) */
	assert_int_equal(vitk_esxupdate_audit_finding(a, 0)->severity, VITK_ESXUPDATE_SEV_CRITICAL);
	assert_string_equal(vitk_esxupdate_audit_verdict(a), "unsafe");
	assert_string_equal(vitk_esxupdate_audit_recommended_command(a),
			    "esxcli software profile update -d /vmfs/volumes/ds1/ESXi550-201403001.zip -p ESXi-5.5.0-20140302001-standard --dry-run");
	assert_string_equal(vitk_esxupdate_audit_recommended_profile(a), STD);
	assert_non_null(strstr(vitk_esxupdate_audit_explanation(a), "net-be2net, net-ixgbe, scsi-hpsa"));
	assert_true(vitk_esxupdate_result_assumption_count(r) >= 2);
	assert_string_equal(vitk_esxupdate_result_assumption(r, 0),
			    "vib install -d without -n targets every VIB in the depot (newest per name)");
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

/* without PCI data the drivers are still named */
static void test_esxupdate_sim__no_pci(void **state)
{
	vitk_esxupdate_host *h = tu_host(HOSTFX "hostA-viblist.csv", NULL, NULL, NULL);
	vitk_esxupdate_audit *a = run(h, PATCH, "esxcli software vib install -d /x.zip");

	(void)state;
	assert_int_equal(vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL), 3);
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_CRITICAL, "driver-downgraded",
				"vendor NIC driver downgraded: net-be2net 10.0.725.0-1OEM.550.0.0.1331820 -> 4.6.100.0v-1vmw.550.0.0.1331820. Host may lose network after reboot."));
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_CRITICAL, "driver-downgraded",
				"vendor storage driver downgraded: scsi-hpsa"));
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_sim__profile_update_safe(void **state)
{
	vitk_esxupdate_host *h = host_a();
	vitk_esxupdate_audit *a = run(h, PATCH, "esxcli software profile update -d /vmfs/volumes/ds1/ESXi550-201403001.zip -p " STD);
	const vitk_esxupdate_result *r = vitk_esxupdate_audit_result(a);

	(void)state;
	assert_null(vitk_esxupdate_result_error(r));
	assert_string_equal(vitk_esxupdate_result_header(r), "Update Result");
	assert_int_equal(change(r, "net-be2net")->action, VITK_ESXUPDATE_ACT_SKIPPED);
	assert_int_equal(change(r, "scsi-hpsa")->action, VITK_ESXUPDATE_ACT_SKIPPED);
	assert_int_equal(change(r, "net-ixgbe")->action, VITK_ESXUPDATE_ACT_SKIPPED);
	assert_int_equal(change(r, "esx-base")->action, VITK_ESXUPDATE_ACT_UPGRADED);
	assert_int_equal(change(r, "lsi-mr3")->action, VITK_ESXUPDATE_ACT_INSTALLED);
	assert_int_equal(change(r, "hp-ams")->action, VITK_ESXUPDATE_ACT_KEPT);
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_REMOVED), 3); /* old esx-base, net-tg3, tools-light */
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_SKIPPED), 3);
	assert_int_equal(vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL), 0);
	assert_int_equal(vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_WARNING), 0);
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_INFO, "vendor-driver-kept",
				"vendor NIC driver net-be2net 10.0.725.0-1OEM.550.0.0.1331820 is kept"));
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_INFO, "vendor-driver-kept",
				"vendor storage driver scsi-hpsa 5.5.0.84-1OEM.550.0.0.1331820 is kept"));
	assert_string_equal(vitk_esxupdate_audit_verdict(a), "safe");
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_INFO, "oem-image", "'HP-ESXi-5.5.0-iso-5.72' (Hewlett-Packard)"));
	vitk_esxupdate_audit_free(a);

	/* --allow-downgrades turns it into the incident again */
	a = run(h, PATCH, "esxcli software profile update -d /x.zip -p " STD " --allow-downgrades");
	assert_int_equal(vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL), 3);
	assert_string_equal(vitk_esxupdate_audit_recommended_command(a),
			    "esxcli software profile update -d /x.zip -p " STD " --dry-run");
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

/* a host at VMwareAccepted: profile install of a PartnerSupported profile lowers it */
static void test_esxupdate_sim__host_acceptance_drop(void **state)
{
	vitk_esxupdate_host *h = tu_host(HOSTFX "hostA-viblist.txt", HOSTFX "hostA-vibget.txt", NULL, NULL);
	vitk_esxupdate_audit *a;

	(void)state;
	assert_int_equal(vitk_esxupdate_host_parse_profile(h, "VMwareAccepted\n", 15, "acc"), 0);
	a = run(h, PATCH, "esxcli software profile install -d /x.zip -p " STD " --ok-to-remove");
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_WARNING, "acceptance-drop",
				"host acceptance level drops from VMwareAccepted to PartnerSupported (profile " STD ")"));
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_sim__profile_install_refused(void **state)
{
	vitk_esxupdate_host *h = host_a();
	vitk_esxupdate_audit *a = run(h, PATCH, "esxcli software profile install -d /x.zip -p " STD);
	const vitk_esxupdate_result *r = vitk_esxupdate_audit_result(a);

	(void)state;
	assert_string_equal(vitk_esxupdate_result_error(r),
			    "[ProfileVibRemoval]\n Applying the image profile would remove the following VIBs: "
			    "VMware_bootbank_esx-dvfilter-generic-fastpath_5.5.0-0.0.1331820, "
			    "Hewlett-Packard_bootbank_hp-ams_550.10.0.0-18.1198610, "
			    "Hewlett-Packard_bootbank_hpnmi_550.2.3.5-1198610.\n"
			    " Use 'profile update' to preserve installed VIBs, or --ok-to-remove to allow their removal.\n"
			    "Please refer to the log file for more details.");
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_INSTALLED), 0);
	assert_int_equal(change(r, "hp-ams")->action, VITK_ESXUPDATE_ACT_REMOVED_PROFILE);
	assert_int_equal(vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL), 0);
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_WARNING, "removal-refused", NULL));
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_WARNING, "driver-downgraded", "with --ok-to-remove: vmnic0"));
	vitk_esxupdate_audit_free(a);

	a = run(h, PATCH, "esxcli software profile install -d /x.zip -p " STD " --ok-to-remove");
	r = vitk_esxupdate_audit_result(a);
	assert_null(vitk_esxupdate_result_error(r));
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_REMOVED), 9);
	assert_int_equal(vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL), 3);
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_sim__vib_update_half(void **state)
{
	vitk_esxupdate_host *h = host_a();
	vitk_esxupdate_audit *a = run(h, PATCH, "esxcli software vib update -d /x.zip");
	const vitk_esxupdate_result *r = vitk_esxupdate_audit_result(a);

	(void)state;
	assert_int_equal(change(r, "esx-base")->action, VITK_ESXUPDATE_ACT_UPGRADED);
	assert_int_equal(change(r, "esx-tboot")->action, VITK_ESXUPDATE_ACT_SKIPPED);
	assert_string_equal(change(r, "esx-tboot")->reason, "not installed on the host: vib update installs no new VIBs");
	assert_int_equal(change(r, "net-be2net")->action, VITK_ESXUPDATE_ACT_SKIPPED);
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_INSTALLED), 3);
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_SKIPPED), 5);
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_WARNING, "half-applied",
				"bulletin ESXi550-201403401-BG: 1 VIB(s) updated but 1 skipped (esx-tboot)"));
	assert_int_equal(vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL), 0);
	assert_string_equal(vitk_esxupdate_audit_verdict(a), "review");
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_sim__replaces(void **state)
{
	vitk_esxupdate_host *h = tu_host(HOSTFX "hostB-viblist.txt", HOSTFX "hostB-vibget.txt", HOSTFX "hostA-profile.txt", NULL);
	vitk_esxupdate_audit *a = run(h, PATCH, "esxcli software vib install -d /x.zip -n lsi-mr3");
	const vitk_esxupdate_result *r = vitk_esxupdate_audit_result(a);

	(void)state;
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_INSTALLED), 1);
	assert_string_equal(vitk_esxupdate_result_list(r, VITK_ESXUPDATE_LIST_REMOVED, 0), "LSI_bootbank_scsi-megaraid-perc9_6.901.55.00-1OEM.550.0.0.1331820");
	assert_int_equal(change(r, "scsi-megaraid-perc9")->action, VITK_ESXUPDATE_ACT_REMOVED_REPLACED);
	assert_string_equal(change(r, "scsi-megaraid-perc9")->reason, "replaced by lsi-mr3");
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_CRITICAL, "driver-removed",
				"vendor storage driver removed: scsi-megaraid-perc9 6.901.55.00-1OEM.550.0.0.1331820 -> removed (replaced by lsi-mr3)"));
	vitk_esxupdate_audit_free(a);
	/* -f bypasses obsolescence: the OEM driver stays, and the audit says why */
	a = run(h, PATCH, "esxcli software vib install -d /x.zip -n lsi-mr3 -f");
	r = vitk_esxupdate_audit_result(a);
	assert_int_equal(change(r, "scsi-megaraid-perc9")->action, VITK_ESXUPDATE_ACT_KEPT);
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_REMOVED), 0);
	vitk_esxupdate_audit_free(a);
	/* -n selector that matches nothing: the esxcli NoMatchError */
	a = run(h, PATCH, "esxcli software vib install -d /x.zip -n nosuchvib");
	r = vitk_esxupdate_audit_result(a);
	assert_non_null(strstr(vitk_esxupdate_result_error(r), "No VIB matching VIB search specification 'nosuchvib'."));
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

/* -n accepts name, name:version, vendor:name and vendor:name:version */
static void test_esxupdate_sim__vibname_forms(void **state)
{
	static const char *const forms[] = {
		"scsi-hpsa", "scsi-hpsa:5.5.0-44vmw.550.0.0.1331820", "VMware:scsi-hpsa",
		"VMware:scsi-hpsa:5.5.0-44vmw.550.0.0.1331820",
	};
	vitk_esxupdate_host *h = host_a();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char line[256];
		vitk_esxupdate_audit *a;
		const vitk_esxupdate_result *r;

		snprintf(line, sizeof(line), "esxcli software vib install -d /x.zip -n %s", forms[i]);
		a = run(h, PATCH, line);
		r = vitk_esxupdate_audit_result(a);
		if (vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_INSTALLED) != 1)
			fail_msg("-n %s: %zu installed", forms[i], vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_INSTALLED));
		assert_string_equal(vitk_esxupdate_result_list(r, VITK_ESXUPDATE_LIST_INSTALLED, 0), "VMware_bootbank_scsi-hpsa_5.5.0-44vmw.550.0.0.1331820");
		assert_int_equal(vitk_esxupdate_audit_count(a, VITK_ESXUPDATE_SEV_CRITICAL), 1);
		vitk_esxupdate_audit_free(a);
	}
	/* a wrong vendor or version selects nothing: NoMatchError */
	{
		vitk_esxupdate_audit *a = run(h, PATCH, "esxcli software vib install -d /x.zip -n HP:scsi-hpsa");

		assert_non_null(vitk_esxupdate_result_error(vitk_esxupdate_audit_result(a)));
		assert_string_equal(vitk_esxupdate_audit_verdict(a), "review");
		vitk_esxupdate_audit_free(a);
	}
	vitk_esxupdate_host_free(h);
}

/* Provides satisfy Depends; remove the provider and esxcli's DependencyError appears */
/* -v: installing the inbox driver VIB file by hand is the same incident */
static void test_esxupdate_sim__viburl(void **state)
{
	vitk_esxupdate_host *h = host_a();
	vitk_esxupdate_audit *a = run(h, DEPOTFX "net-be2net.vib",
				      "esxcli software vib install -v /vmfs/volumes/ds1/net-be2net.vib");
	const vitk_esxupdate_result *r = vitk_esxupdate_audit_result(a);
	vitk_esxupdate_depot *d = NULL;
	vitk_esxupdate_command *c = NULL;
	vitk_esxupdate_audit *a2 = NULL;
	char *f;

	(void)state;
	assert_int_equal(change(r, "net-be2net")->action, VITK_ESXUPDATE_ACT_DOWNGRADED);
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_INSTALLED), 1);
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_CRITICAL, "driver-downgraded", "vmnic0 19a2:0710"));
	vitk_esxupdate_audit_free(a);
	/* from a bundle, -v picks the VIB file by name */
	a = run(h, PATCH, "esxcli software vib install -v /vmfs/volumes/ds1/VMware_bootbank_scsi-hpsa_5.5.0-44vmw.550.0.0.1331820.vib");
	r = vitk_esxupdate_audit_result(a);
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_INSTALLED), 1);
	assert_int_equal(change(r, "scsi-hpsa")->action, VITK_ESXUPDATE_ACT_DOWNGRADED);
	vitk_esxupdate_audit_free(a);
	assert_int_equal(vitk_esxupdate_depot_open(&d, PATCH, NULL), 0);
	assert_int_equal(vitk_esxupdate_command_parse(&c, "esxcli software vib install -v /x/other.vib"), 0);
	f = vitk_esxupdate_command_format(c);
	assert_string_equal(f, "esxcli software vib install -v /x/other.vib");
	free(f);
	assert_int_equal(vitk_esxupdate_audit_run(&a2, h, d, c), VITK_EINVAL);
	assert_string_equal(vitk_error_last()->message,
			    "-v '/x/other.vib': the depot given to the audit is not that VIB and holds no file 'other.vib'");
	vitk_esxupdate_command_free(c);
	vitk_esxupdate_depot_free(d);
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_sim__depends_provides(void **state)
{
	static const char list[] =
		"Name      Version            Vendor  Acceptance Level  Install Date\n"
		"--------  -----------------  ------  ----------------  ------------\n"
		"esx-base  5.5.0-0.0.1331820  VMware  VMwareCertified   2014-01-10\n";
	static const char get_ok[] = "VMware_bootbank_esx-base_5.5.0-0.0.1331820\n   Provides: vmkapi_2_2_0_0, com.vmware.driverAPI-9.2.2.0 = 9.2.2.0\n";
	static const char get_old[] = "VMware_bootbank_esx-base_5.5.0-0.0.1331820\n   Provides: vmkapi_2_1_0_0, com.vmware.driverAPI-9.2.1.0 = 9.2.1.0\n";
	vitk_esxupdate_host *h = NULL;
	vitk_esxupdate_audit *a;
	const vitk_esxupdate_result *r;

	(void)state;
	assert_int_equal(vitk_esxupdate_host_new(&h), 0);
	assert_int_equal(vitk_esxupdate_host_parse_vib_list(h, list, strlen(list), "l"), 0);
	assert_int_equal(vitk_esxupdate_host_parse_vib_get(h, get_ok, strlen(get_ok), "g"), 0);
	a = run(h, PATCH, "esxcli software vib install -d /x.zip -n net-be2net");
	r = vitk_esxupdate_audit_result(a);
	assert_null(vitk_esxupdate_result_error(r));
	assert_int_equal(change(r, "net-be2net")->action, VITK_ESXUPDATE_ACT_INSTALLED);
	vitk_esxupdate_audit_free(a);
	assert_int_equal(vitk_esxupdate_host_parse_vib_get(h, get_old, strlen(get_old), "g"), 0);
	a = run(h, PATCH, "esxcli software vib install -d /x.zip -n net-be2net");
	r = vitk_esxupdate_audit_result(a);
	assert_string_equal(vitk_esxupdate_result_error(r),
			    "[DependencyError]\n"
			    "VIB VMW_bootbank_net-be2net_4.6.100.0v-1vmw.550.0.0.1331820 requires vmkapi_2_2_0_0, but the requirement cannot be satisfied within the ImageProfile.\n"
			    "VIB VMW_bootbank_net-be2net_4.6.100.0v-1vmw.550.0.0.1331820 requires com.vmware.driverAPI-9.2.2.0 >= 9.2.2.0, but the requirement cannot be satisfied within the ImageProfile.\n"
			    "Please refer to the log file for more details.");
	assert_int_equal(vitk_esxupdate_result_list_count(r, VITK_ESXUPDATE_LIST_INSTALLED), 0);
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_WARNING, "dependency-error", "requires vmkapi_2_2_0_0"));
	vitk_esxupdate_audit_free(a);
	/* -f bypasses it (documented) and the audit says so */
	a = run(h, PATCH, "esxcli software vib install -d /x.zip -n net-be2net -f");
	r = vitk_esxupdate_audit_result(a);
	assert_null(vitk_esxupdate_result_error(r));
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_WARNING, "dependency-forced", "(bypassed by -f)"));
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_sim__acceptance(void **state)
{
	vitk_esxupdate_host *h = host_a();
	vitk_esxupdate_audit *a = run(h, DEPOTFX "ghettoVCB-offline-bundle.zip", "esxcli software vib install -d /tmp/ghettoVCB-offline-bundle.zip");
	const vitk_esxupdate_result *r = vitk_esxupdate_audit_result(a);

	(void)state;
	assert_string_equal(vitk_esxupdate_result_error(r),
			    "[DependencyError]\n"
			    "VIB virtuallyGhetto_bootbank_ghettoVCB_1.0.0-0.0.0's acceptance level is community, which is not compliant with the ImageProfile acceptance level partner\n"
			    "To change the host acceptance level, use the 'esxcli software acceptance set' command.\n"
			    "Please refer to the log file for more details.");
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_WARNING, "acceptance-violation", NULL));
	/* no profile in that depot, and neither vib form is safe */
	assert_null(vitk_esxupdate_audit_recommended_command(a));
	assert_null(vitk_esxupdate_audit_recommended_profile(a));
	assert_non_null(strstr(vitk_esxupdate_audit_explanation(a), "The depot carries no image profile, only bulletins"));
	assert_non_null(strstr(vitk_esxupdate_audit_explanation(a), "'vib update -d' is not safe here (it would install nothing)"));
	assert_non_null(strstr(vitk_esxupdate_audit_explanation(a), "'vib install -n' of the new and newer VIBs is not safe either (it fails): no safe command."));
	vitk_esxupdate_audit_free(a);
	a = run(h, DEPOTFX "ghettoVCB-offline-bundle.zip", "esxcli software vib install -d /tmp/g.zip --no-sig-check");
	r = vitk_esxupdate_audit_result(a);
	assert_null(vitk_esxupdate_result_error(r));
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_WARNING, "acceptance-bypassed", "host acceptance level would drop"));
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_sim__tampered(void **state)
{
	vitk_esxupdate_host *h = host_a();
	vitk_esxupdate_audit *a = run(h, DEPOTFX "tampered.zip", "esxcli software vib install -d /x.zip --no-sig-check");

	(void)state;
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_WARNING, "vib-checksum-mismatch",
				"virtuallyGhetto_bootbank_ghettoVCB_1.0.0-0.0.0: 'vib20/ghettoVCB/virtuallyGhetto_bootbank_ghettoVCB_1.0.0-0.0.0.vib' in the bundle does not match"));
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_sim__oem_profile_and_compare(void **state)
{
	vitk_esxupdate_host *h = host_a();
	vitk_esxupdate_audit *a = run(h, DEPOTFX "HP-ESXi-5.5.0-depot.zip", "esxcli software vib install -d /x.zip");
	vitk_esxupdate_depot *d = NULL;
	vitk_esxupdate_diff *diff = NULL;
	size_t i;
	bool seen = false;

	(void)state;
	assert_string_equal(vitk_esxupdate_audit_recommended_profile(a), "HP-ESXi-5.5.0-Update1-iso-5.72");
	assert_non_null(strstr(vitk_esxupdate_audit_explanation(a),
			       "(the host runs the OEM image 'HP-ESXi-5.5.0-iso-5.72' (Hewlett-Packard) and this is the depot's OEM profile (creator 'Hewlett-Packard')"));
	vitk_esxupdate_audit_free(a);
	assert_int_equal(vitk_esxupdate_depot_open(&d, PATCH, NULL), 0);
	assert_int_equal(vitk_esxupdate_profile_compare(&diff, d, "ESXi-5.5.0-20140301001s-standard", STD), 0);
	assert_int_equal(diff->count, 8);
	for (i = 0; i < diff->count; i++)
		if (strcmp(diff->items[i].name, "net-be2net") == 0) {
			assert_null(diff->items[i].a_version);
			assert_string_equal(diff->items[i].b_version, "4.6.100.0v-1vmw.550.0.0.1331820");
			seen = true;
		} else if (strcmp(diff->items[i].name, "esx-base") == 0) {
			assert_int_equal(diff->items[i].cmp, 0);
		}
	assert_true(seen);
	assert_string_equal(diff->items[0].name, "esx-base");
	vitk_esxupdate_diff_free(diff);
	assert_int_equal(vitk_esxupdate_profile_compare(&diff, d, "nope", STD), VITK_ENOTFOUND);
	vitk_esxupdate_depot_free(d);
	vitk_esxupdate_host_free(h);
}

/* esxcli's dry-run message names the installers of the VIB kinds touched, profile update prints "Update Result" */
static void test_esxupdate_sim__dry_run_message(void **state)
{
	vitk_esxupdate_host *h = host_a();
	vitk_esxupdate_audit *a = run(h, PATCH, "esxcli software profile update -d /x.zip -p " STD " --dry-run");
	const vitk_esxupdate_result *r = vitk_esxupdate_audit_result(a);

	(void)state;
	assert_string_equal(vitk_esxupdate_result_header(r), "Update Result");
	assert_string_equal(vitk_esxupdate_result_message(r),
			    "Dryrun only, host not changed. The following installers will be applied: [BootBankInstaller, LockerInstaller]");
	vitk_esxupdate_audit_free(a);
	a = run(h, PATCH, "esxcli software vib install -d /x.zip -n net-tg3 --dry-run");
	r = vitk_esxupdate_audit_result(a);
	assert_string_equal(vitk_esxupdate_result_header(r), "Installation Result");
	assert_string_equal(vitk_esxupdate_result_message(r),
			    "Dryrun only, host not changed. The following installers will be applied: [BootBankInstaller]");
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

/* ESXi 7.0.3 HPE host with its component list */
static vitk_esxupdate_host *host_hpe70(void)
{
	vitk_esxupdate_host *h = tu_host(HOSTFX "hpe703-viblist.txt", HOSTFX "hpe703-vibget.txt",
					 HOSTFX "hpe703-profile.txt", HOSTFX "hpe703-lspci.txt");

	if (tu_parse(h, vitk_esxupdate_host_parse_component_list, HOSTFX "hpe703-component-list.txt") < 0)
		fail_msg("%s", vitk_error_last()->message);
	return h;
}

#define VMW80 DEPOTFX "VMware-ESXi-8.0U2-22380479-depot.zip"
#define HPE80 DEPOTFX "HPE-Custom-AddOn_802.0.0.11.5.0-6-depot.zip"

/* issue 11: host components tied to VIBs from the host side (no depot), strongest tie first */
static void test_esxupdate_sim__host_component_ties(void **state)
{
	vitk_esxupdate_host *h = host_hpe70();
	vitk_esxupdate_depot *d = NULL;
	const vitk_esxupdate_component *c;
	esxu_compv untied = VITK_ARRAY_INIT;
	esxu_tie how;

	(void)state;
	c = vitk_esxupdate__host_component_of(h, NULL, "nhpsa", &how); /* Microsemi-nhpsa: named after it */
	assert_non_null(c);
	assert_string_equal(c->name, "Microsemi-nhpsa");
	assert_int_equal(how, ESXU_TIE_NAME);
	c = vitk_esxupdate__host_component_of(h, NULL, "esx-base", &how); /* ESXi 7.0.3-0.50.20036589: same version */
	assert_non_null(c);
	assert_string_equal(c->name, "ESXi");
	assert_int_equal(how, ESXU_TIE_VERSION);
	c = vitk_esxupdate__host_component_of(h, NULL, "tools-light", &how);
	assert_string_equal(c->name, "VMware-VM-Tools");
	assert_int_equal(how, ESXU_TIE_VERSION);
	assert_null(vitk_esxupdate__host_component_of(h, NULL, "qedentv-ens", &how));
	assert_int_equal(how, ESXU_TIE_NONE);
	/* the depot's component outranks a name or version tie */
	assert_int_equal(vitk_esxupdate_depot_open(&d, DEPOTFX "VMware-ESXi-8.0U2-22380479-depot.zip", NULL), 0);
	c = vitk_esxupdate__host_component_of(h, d, "i40en", &how);
	assert_string_equal(c->name, "Intel-i40en");
	assert_int_equal(how, ESXU_TIE_DEPOT);
	/* the vendor components no installed VIB is tied to: only the Marvell bundle */
	assert_int_equal(vitk_esxupdate__host_components_untied(h, d, &untied), 0);
	assert_int_equal(untied.size, 1);
	assert_string_equal(untied.ptr[0]->name, "MRVL-E4-CNA-Driver-Bundle");
	vitk_array_clear(untied);
	vitk_esxupdate_depot_free(d);
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_sim__component_apply(void **state)
{
	vitk_esxupdate_host *h = host_hpe70();
	vitk_esxupdate_audit *a = run(h, HPE80, "esxcli software component apply -d /x.zip -n Intel-i40en");
	const vitk_esxupdate_result *r = vitk_esxupdate_audit_result(a);
	char *text = vitk_esxupdate_result_text(r);

	(void)state;
	/* the vendor's newer component: applied, the old one removed, its VIB upgraded */
	assert_null(vitk_esxupdate_result_error(r));
	assert_string_equal(text, "Installation Result\n"
				  "   Components Installed: Intel-i40en_1.16.2.0-1OEM.800.1.0.20613240\n"
				  "   Components Removed: Intel-i40en_1.14.1.0-1OEM.700.1.0.15843807\n"
				  "   Components Skipped:\n"
				  "   Message: The update completed successfully, but the system needs to be rebooted for the changes to be effective.\n"
				  "   Reboot Required: true\n");
	assert_int_equal(change(r, "i40en")->action, VITK_ESXUPDATE_ACT_UPGRADED);
	assert_int_equal(change(r, "qedentv")->action, VITK_ESXUPDATE_ACT_KEPT);
	assert_string_equal(vitk_esxupdate_audit_verdict(a), "safe");
	free(text);
	vitk_esxupdate_audit_free(a);
	/* VMware's older inbox build of the same component: refused, nothing changes */
	a = run(h, VMW80, "esxcli software component apply -d /x.zip -n Intel-i40en:1.8.1.137-1vmw.802.0.0.22380479");
	r = vitk_esxupdate_audit_result(a);
	assert_string_equal(vitk_esxupdate_result_error(r),
			    "Downgrades of manually added Components Intel-i40en(1.14.1.0-1OEM.700.1.0.15843807) are not supported. "
			    "Add the Components of matching or higher version to the image.\n"
			    "Please refer to the log file for more details.");
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_WARNING, "component-downgrade-refused", "Intel-i40en(1.14.1.0-1OEM"));
	assert_int_equal(change(r, "i40en")->action, VITK_ESXUPDATE_ACT_KEPT);
	vitk_esxupdate_audit_free(a);
	/* a component the depot does not carry */
	a = run(h, VMW80, "esxcli software component apply -d /x.zip -n Nope");
	assert_non_null(strstr(vitk_esxupdate_result_error(vitk_esxupdate_audit_result(a)), "[NoMatchError]\n No component matching Nope"));
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

/* an old OEM driver that needs an API level the new base no longer provides: [DependencyError] */
static void test_esxupdate_sim__old_driver_vmkapi(void **state)
{
	static const char qedi[] =
		"QLC_bootbank_qedi_2.10.15.0-1OEM.670.0.0.8169922\n"
		"   Name: qedi\n   Version: 2.10.15.0-1OEM.670.0.0.8169922\n   Type: bootbank\n   Vendor: QLC\n"
		"   Acceptance Level: VMwareCertified\n   Depends: vmkapi_2_2_0_0\n   Tags: driver, module, PCIID 10778084\n";
	vitk_esxupdate_host *h = host_hpe70();
	vitk_esxupdate_audit *a;
	const vitk_esxupdate_result *r;

	(void)state;
	assert_int_equal(vitk_esxupdate_host_parse_vib_get(h, qedi, strlen(qedi), "qedi.txt"), 0);
	a = run(h, VMW80, "esxcli software profile update -d /x.zip -p ESXi-8.0U2-22380479-standard");
	r = vitk_esxupdate_audit_result(a);
	assert_non_null(strstr(vitk_esxupdate_result_error(r),
			       "[DependencyError]\nVIB QLC_bootbank_qedi_2.10.15.0-1OEM.670.0.0.8169922 requires vmkapi_2_2_0_0, "
			       "but the requirement cannot be satisfied within the ImageProfile."));
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_WARNING, "dependency-error", "qedi"));
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_host_free(h);
}

static void test_esxupdate_sim__unknown_profile(void **state)
{
	vitk_esxupdate_host *h = host_a();
	vitk_esxupdate_depot *d = NULL;
	vitk_esxupdate_command *c = NULL;
	vitk_esxupdate_audit *a = NULL;

	(void)state;
	assert_int_equal(vitk_esxupdate_depot_open(&d, PATCH, NULL), 0);
	assert_int_equal(vitk_esxupdate_command_parse(&c, "esxcli software profile update -d x -p ESXi-6.0-nope"), 0);
	/* as esxcli: a [NoMatchError] result, not a failure of the audit; the real profile is recommended */
	assert_int_equal(vitk_esxupdate_audit_run(&a, h, d, c), 0);
	assert_string_equal(vitk_esxupdate_result_error(vitk_esxupdate_audit_result(a)),
			    "[NoMatchError]\n No image profile found with name 'ESXi-6.0-nope'\n id = ESXi-6.0-nope\n"
			    "Please refer to the log file for more details.");
	assert_int_equal(vitk_esxupdate_result_change_count(vitk_esxupdate_audit_result(a)), 0);
	assert_true(has_finding(a, VITK_ESXUPDATE_SEV_WARNING, "profile-not-found", "no image profile named 'ESXi-6.0-nope'"));
	assert_string_not_equal(vitk_esxupdate_audit_verdict(a), "safe");
	assert_string_equal(vitk_esxupdate_audit_recommended_profile(a), "ESXi-5.5.0-20140302001-standard");
	vitk_esxupdate_audit_free(a);
	vitk_esxupdate_command_free(c);
	vitk_esxupdate_depot_free(d);
	vitk_esxupdate_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esxupdate_command__parse),
		cmocka_unit_test(test_esxupdate_command__bad),
		cmocka_unit_test(test_esxupdate_command__roundtrip_limits),
		cmocka_unit_test(test_esxupdate_sim__vib_install_incident),
		cmocka_unit_test(test_esxupdate_sim__no_pci),
		cmocka_unit_test(test_esxupdate_sim__profile_update_safe),
		cmocka_unit_test(test_esxupdate_sim__profile_install_refused),
		cmocka_unit_test(test_esxupdate_sim__host_acceptance_drop),
		cmocka_unit_test(test_esxupdate_sim__vib_update_half),
		cmocka_unit_test(test_esxupdate_sim__replaces),
		cmocka_unit_test(test_esxupdate_sim__vibname_forms),
		cmocka_unit_test(test_esxupdate_sim__viburl),
		cmocka_unit_test(test_esxupdate_sim__depends_provides),
		cmocka_unit_test(test_esxupdate_sim__acceptance),
		cmocka_unit_test(test_esxupdate_sim__tampered),
		cmocka_unit_test(test_esxupdate_sim__oem_profile_and_compare),
		cmocka_unit_test(test_esxupdate_sim__unknown_profile),
		cmocka_unit_test(test_esxupdate_sim__dry_run_message),
		cmocka_unit_test(test_esxupdate_sim__host_component_ties),
		cmocka_unit_test(test_esxupdate_sim__component_apply),
		cmocka_unit_test(test_esxupdate_sim__old_driver_vmkapi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
