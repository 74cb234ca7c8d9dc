#!/usr/bin/env bash
# Runs one test in a private network namespace with only loopback up, so that
# tests which start servers (the lab target, tgtd, libvirtd, ...) on fixed
# loopback ports never collide with each other, with another checkout's test
# run, or with anything else on the machine, and no test traffic can leave
# the machine.  Used by `bazel test` through --run_under (see .bazelrc).
# Fails loudly when a namespace cannot be made: a test run that silently fell
# back to the shared network would hide port collisions again.
set -euo pipefail
if [ "${VITK_IN_NETNS:-}" = 1 ]; then
	exec "$@"
fi
if ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
	echo "netns_run: needs unshare (util-linux) and ip (iproute2)" >&2
	exit 1
fi
export VITK_IN_NETNS=1
exec unshare --net -- sh -c 'ip link set lo up || { echo "netns_run: cannot bring up loopback (root needed)" >&2; exit 1; }; exec "$@"' netns_run "$@"
