#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kmediad's offer/answer variants between two SIPp instances (topology in
# tests/sip/kmsip.sh): a late offer (INVITE without SDP: the offer comes in
# the 200, the answer in the ACK, and the kernel streams are set up at the
# ACK); 100rel (RFC 3262) passed through: a reliable 183 with SDP relayed
# with Require/RSeq, its PRACK relayed with RAck naming leg B's INVITE, the
# media in the kernel at the 183; a caller without 100rel whose callee
# sends a reliable 183 (kmediad PRACKs it itself); a late offer with
# 100rel (RFC 3262: INVITE without SDP, the callee's offer in a reliable
# 183, the caller's answer in the PRACK, both rewritten, the kernel streams
# set up at the PRACK, before the 200, with no UPDATE or re-INVITE; and
# with SDES, the relay keying each leg itself); a MESSAGE and a
# SUBSCRIBE outside dialogs routed like an INVITE, the subscription's
# NOTIFYs relayed in its dialog; and an INVITE routed back to kmediad
# itself, refused with 482.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

# shellcheck source=../sip/kmsip.sh
. "$top/tests/sip/kmsip.sh"
kmsip_init 87-sip-offer 22

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

# early_offer USER UAS-XML UAC-XML PATTERN...: a late offer with 100rel
# from the caller (media port 6300) to USER; the callee waits for an INFO
# of ours before its 200, so the kernel streams are checked while the call
# is early: true once every PATTERN matches a line of kmt-sip-stats -d and
# the call was not answered yet. $pair: the SIPp pair.
early_offer() {
	local user=$1 uas=$2 uac=$3 streams early=no cid_b
	shift 3

	run_pair "$user" "$uas" "$uac" -mp 6300 > "$tmp/$user.tap" &
	pair=$!
	if streams=$(wait_streams "$@") && ! call_lines "$user" | grep -q "answered ("; then
		early=yes
	fi
	ktap_diag "streams before the 200: $(tr '\n' ';' <<< "$streams")"
	# the INFO that lets the callee send its 200, in leg B's dialog
	cid_b=$(grep -o "INVITE sip:$user@.* as leg B [^,]*" "$log" | tail -n 1 |
		sed 's/.* as leg B //')
	cat > "$tmp/info.txt" <<-EOF
		INFO sip:$user@10.31.2.1:5060 SIP/2.0
		Via: SIP/2.0/UDP 10.31.2.2:5140;branch=z9hG4bK-info-$user
		Max-Forwards: 70
		From: <sip:test@10.31.2.2>;tag=info-$user
		To: <sip:$user@10.31.2.1>
		Call-ID: $cid_b
		CSeq: 1 INFO
		Content-Length: 0

	EOF
	in_relay "$tools/kmt-sip-send" -l 5140 10.31.2.1 5060 "$tmp/info.txt" > /dev/null
	[ "$early" = yes ]
}

# early_offer_log USER WHAT: the call's log shows the offer relayed in the
# 183, the media programmed at the PRACK, then the 200; no UPDATE or
# re-INVITE (two cases)
early_offer_log() {
	local lines order

	lines=$(call_lines "$1")
	shift
	order=$(grep -o "waiting for the answer in the PRACK\|answer in the PRACK\|media in the kernel\|PRACK from leg A relayed to leg B\|answered (200)" <<< "$lines" |
		tr '\n' ',')
	if [ "$order" = "waiting for the answer in the PRACK,answer in the PRACK,media in the kernel,PRACK from leg A relayed to leg B,answered (200)," ]; then
		ktap_ok "$*: offer relayed in the 183, media into the kernel at the PRACK, then the 200"
	else
		ktap_diag "order: $order"
		ktap_fail "$*: offer relayed in the 183, media into the kernel at the PRACK, then the 200"
	fi
	if ! grep -q "UPDATE\|INVITE from leg\|ACK from leg A without" <<< "$lines" &&
	   grep -q "PRACK from leg A answered 200" <<< "$lines"; then
		ktap_ok "$*: no UPDATE or re-INVITE, the PRACK answered 200"
	else
		diag_file <<< "$lines"
		ktap_fail "$*: no UPDATE or re-INVITE, the PRACK answered 200"
	fi
}

# 10-14: late offer with 100rel
if early_offer prackoffer uas-prack-offer.xml uac-prack-offer.xml \
	" rtp 10\.31\.1\.1:6300 " " rtp 10\.31\.2\.1:6000 "; then
	ktap_ok "late offer with 100rel: kernel streams toward the PRACK's port 6300 and the 183's port 6000 before the 200"
else
	call_lines prackoffer | diag_file
	ktap_fail "late offer with 100rel: kernel streams toward the PRACK's port 6300 and the 183's port 6000 before the 200"
fi
if wait "$pair"; then
	ktap_ok "late offer with 100rel: the relay's offer in the reliable 183, its answer in the PRACK to the callee (SIPp's checks)"
else
	cat "$tmp/prackoffer.tap"
	ktap_fail "late offer with 100rel: the relay's offer in the reliable 183, its answer in the PRACK to the callee (SIPp's checks)"
fi
early_offer_log prackoffer late offer with 100rel
kmsip_clean "after the late offer with 100rel"

# 15-17: the same with SDES: the relay's own keys on each leg, the kernel
# decrypting and encrypting both ways before the 200
SUITE=AES_CM_128_HMAC_SHA1_80
if early_offer srtpoffer uas-prack-offer-srtp.xml uac-prack-offer-srtp.xml \
	" rtp 10\.31\.1\.1:6300 .* in $SUITE out $SUITE\$" \
	" rtp 10\.31\.2\.1:6000 .* in $SUITE out $SUITE\$"; then
	ktap_ok "SRTP offer in a reliable 183: SRTP kernel streams both ways before the 200"
else
	call_lines srtpoffer | diag_file
	ktap_fail "SRTP offer in a reliable 183: SRTP kernel streams both ways before the 200"
fi
if wait "$pair"; then
	ktap_ok "SRTP offer in a reliable 183: the relay's key in the 183 and in the PRACK, no key crosses (SIPp's checks)"
else
	cat "$tmp/srtpoffer.tap"
	ktap_fail "SRTP offer in a reliable 183: the relay's key in the 183 and in the PRACK, no key crosses (SIPp's checks)"
fi
kmsip_clean "after the SRTP offer in a reliable 183"

# 18-20: MESSAGE and SUBSCRIBE outside dialogs
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

# 21: a route back to kmediad itself
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

# 22
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
