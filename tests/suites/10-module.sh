#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The module is loaded and its generic netlink family is reachable with the
# system's own tools (iproute2's genl) and with the kmedia CLI.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

ktap_plan 6

ktap_check "module is live" grep -qx live /sys/module/kmedia/initstate
if [ "$(cat /sys/module/kmedia/version)" = "$(cat "$top/VERSION")" ]; then
	ktap_ok "module version matches the tree"
else
	ktap_fail "module version matches the tree"
fi

genl_out=$(genl ctrl get name kmedia 2>&1)
ktap_check "genl ctrl resolves the kmedia family" \
	grep -q "Name: kmedia" <<< "$genl_out"
ktap_check "the family has the events multicast group" \
	grep -q "name: events" <<< "$genl_out"

ns=kmedia-t10-$$
ip netns add "$ns"
ktap_check "the family answers inside a new network namespace" \
	ip netns exec "$ns" genl ctrl get name kmedia
ip netns del "$ns"

show=$("$top/tools/kmedia" stream show 2>&1)
rc=$?
if [ "$rc" = 0 ] && [ "$(printf '%s\n' "$show" | wc -l)" = 1 ]; then
	ktap_ok "kmedia stream show lists no streams"
else
	ktap_diag "status $rc, output: $show"
	ktap_fail "kmedia stream show lists no streams"
fi

ktap_finish
