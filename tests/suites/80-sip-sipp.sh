#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kmediad between two SIPp instances, with the real module:
#
#   uac ns 10.31.1.1  --veth--  relay ns (kmediad) 10.31.1.2 | 10.31.2.2
#                                                --veth--  uas ns 10.31.2.1
#
# Checks configuration handling, OPTIONS / unknown methods / a corpus of
# malformed requests (400 and the daemon lives on), calls with RTP relayed
# by kernel streams (SIPp uac_pcap against SIPp uas -rtp_echo) while
# kmediad's own sockets read nothing, CANCEL, BYE from the callee, a load
# run, and that every stream and socket is gone afterwards.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

LOAD_CALLS=${KMEDIA_SIP_LOAD_CALLS:-200}
LOAD_RATE=${KMEDIA_SIP_LOAD_RATE:-20}
RTP_CALLS=3
PCAP_PKTS=246		# g711a.pcap (236) + dtmf_2833_1.pcap (10) per call

# shellcheck source=../sip/kmsip.sh
. "$top/tests/sip/kmsip.sh"
kmsip_init 80-sip-sipp 23

cat > "$tmp/kmediad.conf" <<EOF
[sip]
listen = 0.0.0.0
listen = ::
port = 5060
[media]
address = 10.31.1.2
address = 10.31.2.2
address = fd31:1::2
address = fd31:2::2
port_min = 40000
port_max = 41999
idle_timeout = 120
[routes]
* = 10.31.2.1:5060
[log]
level = info
EOF

# 1-2: configuration
ktap_check "kmediad -t accepts a good configuration" \
	"$kmediad" -t -c "$tmp/kmediad.conf"
printf '[media]\naddress = 10.31.1.2\nport_min = 40001\nport_max = 40010\n' > "$tmp/bad.conf"
out=$("$kmediad" -t -c "$tmp/bad.conf" 2>&1)
if [ $? != 0 ] && grep -q "port_min must be even" <<< "$out"; then
	ktap_ok "kmediad -t refuses a bad configuration with a reason"
else
	ktap_diag "$out"
	ktap_fail "kmediad -t refuses a bad configuration with a reason"
fi

# 3: start
kmsip_start "$tmp/kmediad.conf"

# expect_reply NAME FILE EXPECTED-PREFIX [HOST]
expect_reply() {
	local got
	got=$(in_uac "$tools/kmt-sip-send" "${4:-10.31.1.2}" 5060 "$2")
	if [[ "$got" == "$3"* ]]; then
		ktap_ok "$1"
	else
		ktap_diag "expected '$3', got '$got'"
		ktap_fail "$1"
	fi
}

# 4-7: methods
expect_reply "OPTIONS answered 200" "$sipdir/options.txt" "SIP/2.0 200"
sed 's/10\.31\.1\.1/[fd31:1::1]/g; s/10\.31\.1\.2/[fd31:1::2]/g' \
	"$sipdir/options.txt" > "$tmp/options6.txt"
expect_reply "OPTIONS over IPv6 answered 200" "$tmp/options6.txt" "SIP/2.0 200" fd31:1::2
expect_reply "unknown method answered 501" "$sipdir/unknown-method.txt" "SIP/2.0 501"
expect_reply "BYE outside a dialog answered 481" "$sipdir/bye-no-dialog.txt" "SIP/2.0 481"

# 8-9: malformed corpus
bad=0 n=0
for f in "$sipdir"/malformed/*.txt; do
	name=$(basename "$f" .txt)
	want=${name%%-*}
	# a port of its own: a final INVITE response is repeated until the
	# ACK, which the sender never sends
	got=$(in_uac "$tools/kmt-sip-send" -l $((5100 + n)) -w 1500 10.31.1.2 5060 "$f")
	n=$((n + 1))
	if [ "$want" = none ]; then
		[ "$got" = timeout ] && continue
	elif [[ "$got" == "SIP/2.0 $want "* ]]; then
		continue
	fi
	ktap_diag "$name: got '$got'"
	bad=$((bad + 1))
done
if [ "$bad" = 0 ] && [ "$n" -gt 10 ]; then
	ktap_ok "malformed corpus: $n requests, each refused with the expected code"
else
	ktap_fail "malformed corpus: $bad of $n wrong"
fi
if kill -0 "$kpid" 2> /dev/null &&
   [[ $(in_uac "$tools/kmt-sip-send" 10.31.1.2 5060 "$sipdir/options.txt") == "SIP/2.0 200"* ]]; then
	ktap_ok "kmediad alive and answering after the corpus"
else
	ktap_fail "kmediad alive and answering after the corpus"
fi

# 10-15: calls with RTP through the kernel
before=$(in_relay "$tools/kmt-sip-stats")
pcap_calls "$RTP_CALLS" "$RTP_CALLS calls with RTP (uac_pcap -> kmediad -> uas -rtp_echo) complete"
after=$(in_relay "$tools/kmt-sip-stats")
ktap_diag "kernel before: $before"
ktap_diag "kernel after:  $after"
rx=$(( $(field rx_packets "$after") - $(field rx_packets "$before") ))
tx=$(( $(field tx_packets "$after") - $(field tx_packets "$before") ))
want=$((RTP_CALLS * PCAP_PKTS))
if [ "$rx" -ge "$want" ]; then
	ktap_ok "kernel streams received $rx packets (the callers alone sent $want)"
else
	ktap_fail "kernel streams received $rx packets, expected at least $want"
fi
if [ "$tx" = "$rx" ]; then
	ktap_ok "kernel streams forwarded every packet they received ($tx)"
else
	ktap_fail "kernel streams forwarded $tx of $rx packets"
fi
echoed=$((rx - want))
if [ "$echoed" -gt 0 ]; then
	ktap_ok "the callee's echo came back through the kernel ($echoed packets)"
else
	ktap_fail "the callee's echo came back through the kernel ($echoed packets)"
fi
kill -USR1 "$kpid"
sleep 0.5
line=$(grep "datagrams (" "$log" | tail -n 1)
ktap_diag "kmediad: ${line#*info: }"
if [[ "$line" == *" 0 datagrams (0 bytes) read by kmediad"* ]]; then
	ktap_ok "kmediad's relay sockets read no media packet"
else
	ktap_fail "kmediad's relay sockets read no media packet"
fi
if [ "$(field streams "$after")" = 0 ] && [ "$(field sockets "$after")" = 0 ]; then
	ktap_ok "after the calls no stream and no socket is left in the kernel"
else
	ktap_fail "after the calls: $after"
fi
cookie=$(grep -o "media cookie [0-9a-f]\{16\}" "$log" | head -n 1 | cut -d' ' -f3)
if [ -n "$cookie" ] && grep -q "4 kernel streams of cookie $cookie deleted" "$log"; then
	ktap_ok "the call's 4 streams were flushed by the cookie its log names ($cookie)"
else
	ktap_fail "the call's 4 streams were flushed by the cookie its log names ('$cookie')"
fi

# 16-17: CANCEL while ringing; 18-19: BYE from the callee
if run_pair cancel uas-ring.xml uac-cancel.xml; then
	ktap_ok "CANCEL while ringing: 487 to the caller, the callee cancelled"
else
	ktap_fail "CANCEL while ringing: 487 to the caller, the callee cancelled"
fi
kmsip_clean "after the CANCEL"
if run_pair byecallee uas-bye.xml uac-wait-bye.xml; then
	ktap_ok "BYE from the callee ends the caller's leg too"
else
	ktap_fail "BYE from the callee ends the caller's leg too"
fi
kmsip_clean "after the callee's BYE"

# 20-21: load (signalling and stream set-up; SIPp's uac sends no RTP)
(cd "$tmp" && exec ip netns exec "$UAS" sipp -sn uas -i 10.31.2.1 -p 5060 \
	-mi 10.31.2.1 -mp 6000 -m "$LOAD_CALLS" -nostdin -timeout 900s \
	> "$tmp/uas-load.out" 2>&1) &
uas_pid=$!
sleep 1
start=$(date +%s)
(cd "$tmp" && exec ip netns exec "$UAC" sipp -sn uac 10.31.1.2:5060 -i 10.31.1.1 \
	-p 5070 -mi 10.31.1.1 -mp 6100 -m "$LOAD_CALLS" -r "$LOAD_RATE" -d 1000 \
	-nostdin -timeout 900s -trace_stat -stf "$tmp/uac-load.csv" \
	-trace_err -error_file "$tmp/uac-load.err" \
	> "$tmp/uac-load.out" 2>&1)
uac_rc=$?
wait "$uas_pid"
uas_rc=$?
end=$(date +%s)
ok=$(csv_col "$tmp/uac-load.csv" "SuccessfulCall(C)")
failed=$(csv_col "$tmp/uac-load.csv" "FailedCall(C)")
rate=$(csv_col "$tmp/uac-load.csv" "CallRate(C)")
ktap_diag "load: $LOAD_CALLS calls offered at $LOAD_RATE/s, done in $((end - start)) s" \
	"(SIPp's mean rate $rate/s): $ok successful, $failed failed"
if [ "$uac_rc" = 0 ] && [ "$uas_rc" = 0 ] && [ "$ok" = "$LOAD_CALLS" ] &&
   [ "$failed" = 0 ]; then
	ktap_ok "load: $LOAD_CALLS calls at $LOAD_RATE calls/s, 0 failed"
else
	ktap_diag "uac rc $uac_rc, uas rc $uas_rc"
	tail -n 8 "$tmp/uac-load.out" | diag_file
	head -n 40 "$tmp/uac-load.err" | diag_file
	grep -v " info: " "$log" | head -n 20 | diag_file
	ktap_fail "load: $LOAD_CALLS calls at $LOAD_RATE calls/s, 0 failed"
fi
kmsip_clean "after the load run"

# 22
kill -TERM "$kpid"
wait "$kpid"
rc=$?
kpid=
if [ "$rc" = 0 ] && grep -q "exiting" "$log"; then
	ktap_ok "kmediad exits cleanly on SIGTERM"
else
	ktap_fail "kmediad exits cleanly on SIGTERM (status $rc)"
fi
errors=$(grep -c " error: " "$log")
ktap_diag "kmediad logged $errors error lines"
[ "$errors" = 0 ] || grep " error: " "$log" | head -n 10 | diag_file
ktap_finish
