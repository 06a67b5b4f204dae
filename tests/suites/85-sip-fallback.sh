#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kmediad without the kmedia module: the userspace relay (daemon/urelay.c,
# libsrtp2) carries the calls (topology in tests/sip/kmsip.sh). The module
# is unloaded for the suite and loaded again at its end.
#
# Checks that kmediad refuses to start with userspace_fallback = no, starts
# and says loudly that it relays in userspace otherwise; that a caller
# behind NAT gets SIPp's echo of its RTP back through the relay (the
# stream toward it latched and followed); that SIPp calls with RTP complete
# with every packet relayed and none dropped; that a baresip call with SRTP
# on the caller's leg and RTP on the callee's carries audio both ways with
# no SRTP failure in kmediad or at the caller; that a silent call is ended
# by the media timeout; and that every relay port is closed at the end.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"
# shellcheck source=../sip/kmsip.sh
. "$top/tests/sip/kmsip.sh"
# shellcheck source=../sip/baresip.sh
. "$top/tests/sip/baresip.sh"

RTP_CALLS=3
PCAP_PKTS=246		# g711a.pcap (236) + dtmf_2833_1.pcap (10) per call
SUITE=AES_CM_128_HMAC_SHA1_80

kmsip_init 85-sip-fallback 17
reload=
finish() {
	bs_stop
	cleanup
	[ -n "$reload" ] && insmod "$reload"
}
trap finish EXIT

conf() { # IDLE-TIMEOUT
	kmsip_conf 45000
	cat <<-EOF
		idle_timeout = $1
		srtp_peer = 10.31.2.1 plain
		srtp_suites = $SUITE
		[routes]
		* = 10.31.2.1:5060
	EOF
}
conf 60 > "$tmp/kmediad.conf"
conf 2 > "$tmp/kmediad-idle.conf"
{ conf 60; printf '[media]\nuserspace_fallback = no\n'; } > "$tmp/kernel-only.conf"

# the userspace relay's totals, logged on SIGUSR1
totals() {
	kill -USR1 "$kpid"
	for _ in $(seq 30); do
		sleep 0.1
		[ "$(grep -c "userspace relay: rx" "$log")" -gt "${1:-0}" ] && break
	done
	grep "userspace relay: rx" "$log" | tail -n 1 | sed 's/.*userspace relay: //'
}

# 1: no module
if [ -d /sys/module/kmedia ]; then
	if rmmod kmedia; then
		reload=${KMEDIA_MODULE:-}
		ktap_ok "kmedia module unloaded for this suite"
	else
		ktap_fail "kmedia module unloaded for this suite"
	fi
else
	ktap_ok "kmedia module not loaded"
fi

# 2: userspace_fallback = no: a clear refusal
setup_ns || ktap_diag "namespaces could not be set up"
out=$(timeout 10 ip netns exec "$RELAY" "$kmediad" -f -c "$tmp/kernel-only.conf" 2>&1)
rc=$?
if [ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -q "module not reachable" <<< "$out"; then
	ktap_ok "with userspace_fallback = no kmediad refuses to start without the module"
else
	ktap_diag "rc $rc: $out"
	ktap_fail "with userspace_fallback = no kmediad refuses to start without the module"
fi

# 3-4: start, loudly
if start_kmediad "$tmp/kmediad.conf" -d; then
	ktap_ok "kmediad starts in the relay namespace without the module"
else
	ktap_diag "$(cat "$log")"
	ktap_fail "kmediad starts in the relay namespace without the module"
	for i in $(seq 4 "$PLAN"); do ktap_skip "case $i" "kmediad did not start"; done
	exit 1
fi
if grep -q "media is relayed IN USERSPACE by kmediad (libsrtp2 " "$log"; then
	ktap_ok "kmediad warns that media is relayed in userspace"
else
	ktap_fail "kmediad warns that media is relayed in userspace"
fi

# 5-7: NAT: the SDP says port 7000, the caller's RTP leaves from 6300
nat_call
got=$(sed -n 's/.*received \([0-9]*\).*/\1/p' <<< "$rtp")
ktap_diag "relay port $port: $rtp"
if [ "${got:-0}" -ge 45 ]; then
	ktap_ok "the caller's RTP comes back from the echoing callee ($got of 50)"
else
	ktap_fail "the caller's RTP comes back from the echoing callee (${got:-0} of 50)"
fi
if [ "$uac_rc" = 0 ] && [ "$uas_rc" = 0 ]; then
	ktap_ok "the call with a NATed caller completes"
else
	ktap_diag "uac rc $uac_rc, uas rc $uas_rc"
	tail -n 8 "$tmp/nat-uac.out" | diag_file
	ktap_fail "the call with a NATed caller completes"
fi
if grep -q "side A sends RTP from 10\.31\.1\.1:6300, not 10\.31\.1\.1:7000: media toward it follows" "$log"; then
	ktap_ok "the userspace stream latched and the reverse stream followed"
else
	ktap_fail "the userspace stream latched and the reverse stream followed"
fi

# 8-10: calls with RTP (uac_pcap against uas -rtp_echo)
before=$(totals 0)
n_before=$(grep -c "userspace relay: rx" "$log")
pcap_calls "$RTP_CALLS" "$RTP_CALLS calls with RTP through the userspace relay complete"
after=$(totals "$n_before")
ktap_diag "before: $before"
ktap_diag "after:  $after"
rx=$(( $(field rx "$after") - $(field rx "$before") ))
tx=$(( $(field tx "$after") - $(field tx "$before") ))
want=$((RTP_CALLS * PCAP_PKTS))
# the callers' packets, and the callee's echo of each, which only exists
# if the relay delivered the original
if [ "$rx" -ge $((2 * want)) ] && [ "$tx" = "$rx" ]; then
	ktap_ok "the userspace relay received $rx packets (callers sent $want, the callee echoed them) and sent every one"
else
	ktap_fail "the userspace relay received $rx packets (want >= $((2 * want))) and sent $tx"
fi
drops=0
for k in size source auth replay srtp send; do
	v=$(field "$k" "$after")
	drops=$((drops + ${v//[!0-9]/}))
done
if [ "$drops" = 0 ]; then
	ktap_ok "no packet dropped by the userspace relay"
else
	ktap_fail "the userspace relay dropped $drops packets: $after"
fi

# 11-14: baresip, SRTP caller -> plain callee
bs_conf "$tmp/caller" 10.31.1.1 14600 42100-42198 alice ";mediaenc=srtp-mand"
bs_conf "$tmp/callee" 10.31.2.1 14601 42200-42298 1001 ";answermode=auto"
bs_start "$UAS" "$tmp/callee" callee
bs_start "$UAC" "$tmp/caller" caller
in_uas python3 "$ctrl" 14601 watch 60 > "$tmp/callee-events.out" 2>&1 &
cpid=$!
in_uac python3 "$ctrl" 14600 call "sip:1001@10.31.1.2" "$tmp/stop" 60 \
	> "$tmp/caller-events.out" 2>&1 &
bpids="$bpids $!"
if wait_event "$tmp/caller-events.out" CALL_ESTABLISHED &&
   phone_says callee CALL_ESTABLISHED "Call established"; then
	ktap_ok "baresip call established on both phones"
else
	diag_file "$tmp/caller-events.out" "$tmp/callee-events.out"
	ktap_fail "baresip call established on both phones"
fi
if phone_says caller "CALL_MENC .*$SUITE" "SRTP is Enabled (cryptosuite=$SUITE)" &&
   ! grep -q "SRTP is Enabled" "$tmp/callee.out"; then
	ktap_ok "the caller's media is SRTP ($SUITE), the callee's plain RTP"
else
	ktap_fail "the caller's media is SRTP ($SUITE), the callee's plain RTP"
fi
sleep 3		# 150 packets of audio each way
touch "$tmp/stop"
wait_event "$tmp/caller-events.out" CALL_CLOSED
phone_says callee CALL_CLOSED "Call with .* terminated"
# the NAT call, the SIPp calls and this one released
for _ in $(seq 30); do
	[ "$(grep -c "media released: 4 userspace streams" "$log")" -ge $((RTP_CALLS + 2)) ] && break
	sleep 0.1
done
# this call's four streams: the last four logged
streams=$(grep "userspace stream " "$log" | tail -n 4 | sed 's/.*userspace stream //')
ktap_diag "$(tr '\n' ';' <<< "$streams")"
if awk '{ delete v; for (i = 1; i < NF; i++) v[$i] = $(i + 1) }
	$3 == "rtp:" && (v["rx"] < 50 || v["tx"] < 50) { bad = 1 }
	v["auth"] + v["replay"] + v["srtp"] + v["size"] > ($3 == "rtcp:") { bad = 1 }
	END { exit bad || NR != 4 }' <<< "$streams" &&
   ! grep -q "failed to decrypt RTP" "$tmp/caller.out"; then
	ktap_ok "audio relayed both ways, decrypted and encrypted by kmediad, none refused by the caller"
else
	grep "srtp" "$tmp/caller.out" | head -n 5 | diag_file
	ktap_fail "audio relayed both ways, decrypted and encrypted by kmediad, none refused by the caller"
fi
# stream set-up lines: "stream ID A->B rtp: SOCK:PORT (IN) -> SOCK:PORT (OUT) -> DST"
if grep -q "A->B rtp: [0-9]*:[0-9]* ($SUITE) -> [0-9]*:[0-9]* (RTP) -> 10\.31\.2\.1:" "$log" &&
   grep -q "B->A rtp: [0-9]*:[0-9]* (RTP) -> [0-9]*:[0-9]* ($SUITE) -> 10\.31\.1\.1:" "$log"; then
	ktap_ok "the streams convert SRTP <-> RTP on the caller's leg only"
else
	ktap_fail "the streams convert SRTP <-> RTP on the caller's leg only"
fi
wait "$cpid" 2> /dev/null
bs_stop

# 15-16: media timeout (idle_timeout = 2 s, SIPp sends no RTP here)
kill -TERM "$kpid"
wait "$kpid"
kpid=
log=$tmp/kmediad-idle.log
start_kmediad "$tmp/kmediad-idle.conf" ||
	ktap_diag "kmediad did not restart with idle_timeout = 2"
if run_pair idle uas-wait-bye.xml uac-wait-bye.xml &&
   grep -q "media timeout" "$log"; then
	ktap_ok "a silent call is ended by the media timeout with a BYE to both sides"
else
	ktap_fail "a silent call is ended by the media timeout with a BYE to both sides"
fi

# 16-17: nothing left open
left=$(in_relay ss -Huan 'sport >= :45000 and sport <= :45099' | wc -l)
if [ "$left" = 0 ]; then
	ktap_ok "every relay port closed after the calls"
else
	in_relay ss -Huan | diag_file
	ktap_fail "every relay port closed after the calls ($left open)"
fi
kill -TERM "$kpid"
wait "$kpid"
kpid=
if grep -q "media: .* 0 relay ports in use" "$log"; then
	ktap_ok "kmediad exits with no relay port in use"
else
	tail -n 5 "$log" | diag_file
	ktap_fail "kmediad exits with no relay port in use"
fi
ktap_finish
