/* SPDX-License-Identifier: MIT */
/* Test fleets for the report: an inventory with known numbers, built through the inventory API. */
#ifndef VITK_REPORT_TESTS_FLEET_H
#define VITK_REPORT_TESTS_FLEET_H

#include <stddef.h>

#include <vitk/inventory.h>

/*
 * @nhosts hosts ("kvm0001", ...; host 1 is named
 * "<script>alert(1)</script>&co"), each with two PFs of 8 total VFs (4 and 2
 * enabled), one reservation on the first PF of every host, one copy job of
 * 1 MiB with 4 KiB through the host and one host-copy job of 1 MiB with
 * 2 MiB through the host per host, one LUN per host (token and xcopy
 * capable on even hosts), one unsafe audit with a CRITICAL finding on odd
 * hosts and one safe audit on even hosts.  Registers the odx, sriov and
 * esxupdate domains.  0 or a negative vitk_err.
 */
int fleet_fill(vitk_inventory *inv, size_t nhosts);

#define FLEET_HOSTILE_HOST "<script>alert(1)</script>&co"

#endif
