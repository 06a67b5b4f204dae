#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs last: the module unloads cleanly, its family disappears, and a second
# load/unload cycle works. (The suite runner checks the kernel log after.)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

ktap_plan 6

ktap_check "rmmod kmedia succeeds" rmmod kmedia
ktap_check "the module is gone from sysfs" test ! -e /sys/module/kmedia
ktap_check "the kmedia family is unregistered" \
	bash -c "! genl ctrl get name kmedia > /dev/null 2>&1"

out=$("$top/tools/kmedia" stream show 2>&1)
rc=$?
if [ "$rc" = 2 ] && grep -q 'module is not loaded' <<< "$out"; then
	ktap_ok "kmedia reports the missing module with exit status 2"
else
	ktap_diag "status $rc, output: $out"
	ktap_fail "kmedia reports the missing module with exit status 2"
fi

ktap_check "the module loads again" insmod "${KMEDIA_MODULE:?}"
ktap_check "and unloads again" rmmod kmedia

ktap_finish
