#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kmediad with SDES (RFC 4568) between two SIPp instances (topology in
# tests/sip/kmsip.sh): the relay takes the caller's usable a=crypto line,
# offers the callee a key of its own, answers the caller with another one
# under the tag it chose, and programs the kernel streams to decrypt with
# each sender's key and encrypt with the relay's. A callee answering plain
# RTP leaves the caller on SRTP: the kernel converts. SIPp checks the SDP
# each side sees (no key crosses); the suite checks the kernel's streams.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"
# shellcheck source=../sip/kmsip.sh
. "$top/tests/sip/kmsip.sh"
kmsip_init 82-sip-srtp 7

kmsip_conf 43000 > "$tmp/kmediad.conf"
cat >> "$tmp/kmediad.conf" <<EOF
[routes]
* = 10.31.2.1:5060
EOF

SUITE=AES_CM_128_HMAC_SHA1_80

# 1
kmsip_start "$tmp/kmediad.conf" -d

# 2-4: SRTP on both legs, each keyed by the relay
run_pair srtp uas-srtp.xml uac-srtp.xml > "$tmp/srtp.tap" &
pair=$!
if streams=$(wait_streams "^[0-9]* rtp 10\.31\.2\.1:.* in $SUITE out $SUITE\$" \
			  "^[0-9]* rtp 10\.31\.1\.1:.* in $SUITE out $SUITE\$" \
			  "^[0-9]* rtcp 10\.31\.2\.1:.* in $SUITE out $SUITE\$" \
			  "^[0-9]* rtcp 10\.31\.1\.1:.* in $SUITE out $SUITE\$"); then
	ktap_ok "kernel streams decrypt and encrypt SRTP and SRTCP in both directions"
else
	ktap_diag "streams: $(tr '\n' ';' <<< "$streams")"
	ktap_fail "kernel streams decrypt and encrypt SRTP and SRTCP in both directions"
fi
if wait "$pair"; then
	ktap_ok "SDES re-keyed on both legs: tag 1 kept, no key crosses (SIPp's checks)"
else
	cat "$tmp/srtp.tap"
	ktap_fail "SDES re-keyed on both legs: tag 1 kept, no key crosses (SIPp's checks)"
fi
kmsip_clean "after the SRTP call"

# 5-7: SRTP caller, plain RTP callee
run_pair plain uas-srtp-plain.xml uac-srtp.xml > "$tmp/plain.tap" &
pair=$!
if streams=$(wait_streams "^[0-9]* rtp 10\.31\.2\.1:.* in $SUITE out RTP\$" \
			  "^[0-9]* rtp 10\.31\.1\.1:.* in RTP out $SUITE\$" \
			  "^[0-9]* rtcp 10\.31\.2\.1:.* in $SUITE out RTP\$" \
			  "^[0-9]* rtcp 10\.31\.1\.1:.* in RTP out $SUITE\$"); then
	ktap_ok "kernel streams convert between the caller's SRTP and the callee's RTP"
else
	ktap_diag "streams: $(tr '\n' ';' <<< "$streams")"
	ktap_fail "kernel streams convert between the caller's SRTP and the callee's RTP"
fi
if wait "$pair"; then
	ktap_ok "the caller gets an SRTP answer from a plain callee (SIPp's checks)"
else
	cat "$tmp/plain.tap"
	ktap_fail "the caller gets an SRTP answer from a plain callee (SIPp's checks)"
fi
kmsip_clean "after the SRTP-RTP call"
ktap_finish
