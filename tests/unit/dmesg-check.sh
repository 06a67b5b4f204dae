#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Host tests of tests/lib/dmesg-check on saved kernel logs: the check every
# in-VM suite relies on must catch what it claims to catch.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"
check=$top/tests/lib/dmesg-check
log=$(mktemp)
trap 'rm -f "$log"' EXIT

clean_log='[    1.0] kmedia: loading out-of-tree module taints kernel.
[    1.1] kmedia: module verification failed: signature and/or required key missing - tainting kernel
[    1.2] kmedia-test: begin s1
[    1.3] kmedia: version 0.1.0 loaded'
warn_log="$clean_log
[    1.4] ------------[ cut here ]------------
[    1.5] WARNING: CPU: 0 PID: 1 at kmod/main.c:30 kmedia_init+0x10/0x20 [kmedia]"

expect() {
	local want=$1 name=$2 tainted=$3 text=$4
	printf '%s\n' "$text" > "$log"
	if "$check" verify s1 --log "$log" --tainted "$tainted" 2>/dev/null; then
		got=pass
	else
		got=fail
	fi
	if [ "$got" = "$want" ]; then ktap_ok "$name"; else ktap_fail "$name"; fi
}

ktap_plan 7
expect pass "clean log with O+E taint passes" 12288 "$clean_log"
expect fail "WARNING after the marker fails" 12288 "$warn_log"
expect fail "W taint fails even with a clean log" $((12288 | 512)) "$clean_log"
expect fail "BUG report fails" 12288 "$clean_log
[    2.0] BUG: kernel NULL pointer dereference, address: 0000000000000008"
expect fail "kmemleak report fails" 12288 "$clean_log
[    2.0] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)"
expect fail "lockdep report fails" 12288 "$clean_log
[    2.0] WARNING: possible circular locking dependency detected"
expect pass "a warning before the suite's marker is not the suite's" 12288 \
	"[    0.5] WARNING: CPU: 0 PID: 1 at somewhere
$clean_log"
ktap_finish
