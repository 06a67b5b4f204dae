#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kmediad's offer/answer variants between two SIPp instances (topology in
# tests/sip/kmsip.sh): a late offer (INVITE without SDP: the offer comes in
# the 200, the answer in the ACK, and the kernel streams are set up at the
# ACK); 100rel (RFC 3262) passed through: a reliable 183 with SDP relayed
# with Require/RSeq, its PRACK relayed with RAck naming leg B's INVITE, the
# media in the kernel at the 183; a caller without 100rel whose callee
# sends a reliable 183 (kmediad PRACKs it itself); a MESSAGE and a
# SUBSCRIBE outside dialogs routed like an INVITE, the subscription's
# NOTIFYs relayed in its dialog; and an INVITE routed back to kmediad
# itself, refused with 482.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

# shellcheck source=../sip/kmsip.sh
. "$top/tests/sip/kmsip.sh"
kmsip_init 87-sip-offer 14

{
	kmsip_conf 44000
	printf '[routes]\n7 = 10.31.1.2:5060\n* = 10.31.2.1:5060\n'
} > "$tmp/kmediad.conf"

# 1 (debug log: every stream set-up is logged)
kmsip_start "$tmp/kmediad.conf" -d

# the log lines of the call to USER (its Call-ID's lines)
call_lines() {
	local cid
	cid=$(grep -o "call [^:]*: INVITE sip:$1@" "$log" | tail -n 1 | cut -d' ' -f2)
	[ -n "$cid" ] && grep -F "call $cid" "$log"
}

# 2-4: late offer
if run_pair late uas-late.xml uac-late.xml -mp 6200; then
	ktap_ok "late offer: INVITE without SDP, the relay's offer in the 200, its answer in the ACK (SIPp's checks)"
else
	ktap_fail "late offer: INVITE without SDP, the relay's offer in the 200, its answer in the ACK (SIPp's checks)"
fi
lines=$(call_lines late)
order=$(grep -o "waiting for the answer in the ACK\|media in the kernel" <<< "$lines" | tr '\n' ',')
if [ "$order" = "waiting for the answer in the ACK,media in the kernel," ] &&
   grep -q "B->A rtp: .* -> 10\.31\.1\.1:6200" "$log" &&
   grep -q "A->B rtp: .* -> 10\.31\.2\.1:6000" "$log"; then
	ktap_ok "late offer: streams set up at the ACK, toward the ACK's port and the 200's"
else
	ktap_diag "order: $order"
	grep "rtp: " "$log" | diag_file
	ktap_fail "late offer: streams set up at the ACK, toward the ACK's port and the 200's"
fi
kmsip_clean "after the late-offer call"

# 5-7: 100rel passed through
if run_pair prack uas-prack.xml uac-prack.xml; then
	ktap_ok "reliable 183 relayed with Require: 100rel and RSeq, PRACK relayed with RAck 7 1 INVITE"
else
	ktap_fail "reliable 183 relayed with Require: 100rel and RSeq, PRACK relayed with RAck 7 1 INVITE"
fi
lines=$(call_lines prack)
order=$(grep -o "media in the kernel\|PRACK from leg A relayed to leg B\|answered (200)" <<< "$lines" |
	tr '\n' ',')
if [[ "$order" == "media in the kernel,PRACK from leg A relayed to leg B,"*"answered (200)," ]]; then
	ktap_ok "the reliable 183 put the media into the kernel before the PRACK and the 200"
else
	ktap_diag "order: $order"
	ktap_fail "the reliable 183 put the media into the kernel before the PRACK and the 200"
fi
kmsip_clean "after the 100rel call"

# 8-9: a caller without 100rel, a callee sending a reliable 183
if run_pair selfprack uas-prack.xml uac-early.xml; then
	ktap_ok "caller without 100rel: kmediad PRACKs the reliable 183 itself, the caller gets it plain"
else
	ktap_fail "caller without 100rel: kmediad PRACKs the reliable 183 itself, the caller gets it plain"
fi
kmsip_clean "after the call with kmediad's own PRACK"

# 10-12: MESSAGE and SUBSCRIBE outside dialogs
if run_pair msg uas-message.xml uac-message.xml; then
	ktap_ok "MESSAGE outside a dialog routed to the callee with its body, 200 back"
else
	ktap_fail "MESSAGE outside a dialog routed to the callee with its body, 200 back"
fi
if run_pair sub uas-subscribe.xml uac-subscribe.xml; then
	ktap_ok "SUBSCRIBE routed, 200 with kmediad's Contact, NOTIFY active and terminated relayed"
else
	ktap_fail "SUBSCRIBE routed, 200 with kmediad's Contact, NOTIFY active and terminated relayed"
fi
cid=$(grep -o "call [^:]*: SUBSCRIBE sip:presence@" "$log" | tail -n 1 | cut -d' ' -f2)
n=$(grep -F "call $cid" "$log" | grep -c "NOTIFY from leg B relayed to leg A")
if [ -n "$cid" ] && [ "$n" = 2 ] && grep -F "call $cid" "$log" | grep -q "SUBSCRIBE answered 200"; then
	ktap_ok "the subscription's log: SUBSCRIBE answered 200, 2 NOTIFYs relayed in its dialog"
else
	grep -F "call $cid" "$log" | diag_file
	ktap_fail "the subscription's log: SUBSCRIBE answered 200, 2 NOTIFYs relayed in its dialog"
fi

# 13: a route back to kmediad itself
sed "s/carol/7000/g" "$sipdir/invite-unknown.txt" > "$tmp/loop.txt"
in_uac "$tools/kmt-sip-send" -l 5120 10.31.1.2 5060 "$tmp/loop.txt" > /dev/null
for _ in $(seq 50); do
	grep -q "leg B refused: 482" "$log" && break
	sleep 0.1
done
if grep -q "came back through kmediad: 482" "$log" && grep -q "leg B refused: 482" "$log"; then
	ktap_ok "an INVITE routed back to kmediad is refused with 482, relayed to the caller"
else
	ktap_fail "an INVITE routed back to kmediad is refused with 482, relayed to the caller"
fi

# 14
kill -TERM "$kpid"
wait "$kpid"
rc=$?
kpid=
if [ "$rc" = 0 ]; then
	ktap_ok "kmediad exits cleanly on SIGTERM"
else
	ktap_fail "kmediad exits with $rc on SIGTERM"
fi
ktap_finish
