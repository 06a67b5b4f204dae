#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The module's crypto known-answer tests (RFC 3711 B.2 and B.3) pass when it
# is loaded with selftest=1; the module is then reloaded as the runner had it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

ktap_plan 4
ktap_check "rmmod kmedia" rmmod kmedia
"$top/tests/lib/dmesg-check" mark selftest-load
ktap_check "insmod kmedia selftest=1" insmod "${KMEDIA_MODULE:?}" selftest=1
if dmesg | awk '/kmedia-test: begin selftest-load/ {on = 1} on' |
	grep -q 'kmedia: srtp self-tests: pass'; then
	ktap_ok "the SRTP known-answer tests pass in the kernel"
else
	ktap_fail "the SRTP known-answer tests pass in the kernel"
fi
ktap_check "the self-test parameter reads back" \
	grep -qx Y /sys/module/kmedia/parameters/selftest
ktap_finish
