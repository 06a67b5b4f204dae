#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kmediad in-dialog behaviour between two SIPp instances (topology in
# tests/sip/kmsip.sh): a hold re-INVITE that moves the caller's media port
# is relayed both ways and changes the kernel stream in place; a caller
# whose RTP leaves from another port than its SDP says (NAT) gets its media
# there once the stream from it latched; a 183 with SDP (early media) puts
# the media into the kernel before the call is answered; a call whose
# media stays silent past idle_timeout is ended by kmediad with a BYE on
# both legs; nothing is left in the kernel afterwards.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

# shellcheck source=../sip/kmsip.sh
. "$top/tests/sip/kmsip.sh"
kmsip_init 81-sip-dialog 16

conf() { # IDLE-TIMEOUT
	kmsip_conf 42000
	printf 'idle_timeout = %u\n[routes]\n* = 10.31.2.1:5060\n' "$1"
}
conf 60 > "$tmp/kmediad.conf"
conf 2 > "$tmp/kmediad-idle.conf"

# 1 (debug log: every stream set-up and change is logged)
kmsip_start "$tmp/kmediad.conf" -d

# 2-5: hold re-INVITE; the caller moves its media from port 6100 to 6102
run_pair hold uas-reinvite.xml uac-reinvite.xml -mp 6100 > "$tmp/hold.tap" &
pair=$!
streams=
for _ in $(seq 150); do
	streams=$(in_relay "$tools/kmt-sip-stats" -d)
	grep -q " 10\.31\.1\.1:6102 " <<< "$streams" && break
	sleep 0.1
done
ktap_diag "streams during hold: $(tr '\n' ';' <<< "$streams")"
first=$(grep -m 1 -o "stream [0-9]* B->A rtp: .* -> 10\.31\.1\.1:6100" "$log")
id=$(cut -d' ' -f2 <<< "$first")
if [ -n "$id" ]; then
	ktap_ok "the call's answer set up stream $id toward the caller's port 6100"
else
	ktap_fail "the call's answer set up a stream toward the caller's port 6100"
fi
if [ -n "$id" ] && grep -q "^$id rtp 10\.31\.1\.1:6102 " <<< "$streams" &&
   grep -q "stream $id B->A rtp: .* -> 10\.31\.1\.1:6102" "$log"; then
	ktap_ok "the re-INVITE's answer moved stream $id to port 6102 in place"
else
	ktap_fail "the re-INVITE's answer moved stream '$id' to port 6102 in place"
fi
if wait "$pair"; then
	ktap_ok "hold re-INVITE relayed both ways (sendonly to the callee, recvonly back)"
else
	cat "$tmp/hold.tap"
	ktap_fail "hold re-INVITE relayed both ways (sendonly to the callee, recvonly back)"
fi
kmsip_clean "after the held call"

# 6-9: NAT: the SDP says port 7000, the caller's RTP leaves from 6300
nat_call
ktap_diag "relay port $port; $rtp; streams: $(tr '\n' ';' <<< "$streams")"
if [ "$rtp_rc" = 0 ] && grep -q "^[0-9]* rtp 10\.31\.1\.1:6300 " <<< "$streams"; then
	ktap_ok "the callee's media goes where the caller's comes from, not to its SDP port"
else
	ktap_fail "the callee's media goes where the caller's comes from, not to its SDP port"
fi
if [ "$uac_rc" = 0 ] && [ "$uas_rc" = 0 ]; then
	ktap_ok "the call with a NATed caller completes"
else
	ktap_diag "uac rc $uac_rc, uas rc $uas_rc"
	tail -n 8 "$tmp/nat-uac.out" | diag_file
	ktap_fail "the call with a NATed caller completes"
fi
if grep -q "side A sends RTP from 10\.31\.1\.1:6300, not 10\.31\.1\.1:7000: media toward it follows" "$log"; then
	ktap_ok "kmediad logs the latched source replacing the SDP's"
else
	ktap_fail "kmediad logs the latched source replacing the SDP's"
fi
kmsip_clean "after the NAT call"

# 10-12: early media
if run_pair early uas-early.xml uac-early.xml; then
	ktap_ok "183 with SDP relayed with the relay's address, then 200 (SIPp's checks)"
else
	ktap_fail "183 with SDP relayed with the relay's address, then 200 (SIPp's checks)"
fi
# the call's lines: the kernel got the media before the answer
early=$(grep "$(grep -o 'call [^:]*: INVITE sip:early@' "$log" | tail -n 1 |
		cut -d' ' -f2)" "$log" | grep -o "media in the kernel\|answered (200)" |
	tr '\n' ',')
if [ "$early" = "media in the kernel,media in the kernel,answered (200)," ] ||
   [ "$early" = "media in the kernel,answered (200)," ]; then
	ktap_ok "early media: the kernel streams are set up on the 183, before the 200"
else
	ktap_diag "order of events: $early"
	ktap_fail "early media: the kernel streams are set up on the 183, before the 200"
fi
kmsip_clean "after the early-media call"

# 13-16: media timeout (idle_timeout = 2 s, SIPp sends no RTP here)
kill -TERM "$kpid"
wait "$kpid"
kpid=
log=$tmp/kmediad-idle.log
if start_kmediad "$tmp/kmediad-idle.conf"; then
	ktap_ok "kmediad restarts with idle_timeout = 2"
else
	ktap_fail "kmediad restarts with idle_timeout = 2"
fi
start=$(date +%s)
if run_pair idle uas-wait-bye.xml uac-wait-bye.xml; then
	ktap_ok "a silent call is ended with a BYE to both the caller and the callee"
else
	ktap_fail "a silent call is ended with a BYE to both the caller and the callee"
fi
ktap_diag "the silent call lasted about $(( $(date +%s) - start )) s"
if grep -q "media timeout" "$log"; then
	ktap_ok "kmediad logs the media timeout with the call's Call-ID"
else
	ktap_fail "kmediad logs the media timeout with the call's Call-ID"
fi
kmsip_clean "after the media timeout"
ktap_finish
