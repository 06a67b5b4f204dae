#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The module's crypto known-answer tests pass when it is loaded with
# selftest=1, all four groups of them: RFC 3711 B.3 (key derivation), B.2
# (AES-CM), B.1 (AES-f8 through the SRTP path) and RFC 7714 16-17 (GCM SRTP
# and SRTCP packets both ways); vectors in kmod/srtp_kat.h, which the host
# test tests/unit/srtp-kat.c checks. The module is then reloaded as the
# runner had it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

ktap_plan 4
ktap_check "rmmod kmedia" rmmod kmedia
"$top/tests/lib/dmesg-check" mark selftest-load
ktap_check "insmod kmedia selftest=1" insmod "${KMEDIA_MODULE:?}" selftest=1
if dmesg | awk '/kmedia-test: begin selftest-load/ {on = 1} on' |
	grep -q 'kmedia: srtp self-tests: pass (4 known-answer groups)'; then
	ktap_ok "the SRTP known-answer tests pass in the kernel"
else
	ktap_fail "the SRTP known-answer tests pass in the kernel"
fi
ktap_check "the self-test parameter reads back" \
	grep -qx Y /sys/module/kmedia/parameters/selftest
ktap_finish
