#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kmediad's registrar between SIPp instances (topology in
# tests/sip/kmsip.sh): REGISTER is challenged (401, digest MD5 qop=auth),
# a wrong password is refused with 403, the right one accepted with 200;
# a call to the registered user reaches it with no static route, and a
# call to an unknown user gets 404, until SIGHUP loads a route for it; a
# broken file on SIGHUP leaves the running configuration alone.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"
# shellcheck source=../sip/kmsip.sh
. "$top/tests/sip/kmsip.sh"
kmsip_init 83-sip-register 9

kmsip_conf 44000 > "$tmp/kmediad.conf"
cat >> "$tmp/kmediad.conf" <<EOF
[routes]
; only this prefix: bob is reachable through his registration alone
999 = 10.31.2.1:5999
[users]
bob = s3cret
EOF

# register XML PASSWORD NAME: bob registers from the callee's namespace
register() {
	(cd "$tmp" && exec ip netns exec "$UAS" sipp -sf "$sipdir/$1" 10.31.2.2:5060 \
		-i 10.31.2.1 -p 5060 -s bob -au bob -ap "$2" -m 1 -nostdin \
		-timeout 30s > "$tmp/$3.out" 2>&1)
}

# 1
kmsip_start "$tmp/kmediad.conf"

# 2-3
if register uac-register-bad.xml wrong register-bad; then
	ktap_ok "REGISTER with a wrong password: 401, then 403"
else
	tail -n 8 "$tmp/register-bad.out" | diag_file
	ktap_fail "REGISTER with a wrong password: 401, then 403"
fi
if register uac-register.xml s3cret register &&
   grep -q "REGISTER bob -> sip:bob@10.31.2.1:5060" "$log"; then
	ktap_ok "REGISTER with the right password: 401, then 200 and a binding"
else
	tail -n 8 "$tmp/register.out" "$log" | diag_file
	ktap_fail "REGISTER with the right password: 401, then 200 and a binding"
fi

# 4-5: a call to bob goes to his binding
(cd "$tmp" && exec ip netns exec "$UAS" sipp -sn uas -i 10.31.2.1 -p 5060 \
	-mi 10.31.2.1 -m 1 -nostdin -timeout 60s > "$tmp/call-uas.out" 2>&1) &
uas=$!
sleep 1
(cd "$tmp" && exec ip netns exec "$UAC" sipp -sn uac -s bob 10.31.1.2:5060 \
	-i 10.31.1.1 -p 5070 -mi 10.31.1.1 -m 1 -d 500 -nostdin -timeout 60s \
	> "$tmp/call-uac.out" 2>&1)
uac_rc=$?
wait "$uas"
uas_rc=$?
if [ "$uac_rc" = 0 ] && [ "$uas_rc" = 0 ]; then
	ktap_ok "a call to the registered user reaches its contact"
else
	ktap_diag "uac rc $uac_rc, uas rc $uas_rc"
	tail -n 8 "$tmp/call-uac.out" "$log" | diag_file
	ktap_fail "a call to the registered user reaches its contact"
fi
kmsip_clean "after the call to bob"

# 6-7
got=$(in_uac "$tools/kmt-sip-send" 10.31.1.2 5060 "$sipdir/invite-unknown.txt")
if [[ "$got" == "SIP/2.0 404 "* ]]; then
	ktap_ok "a call to an unknown user without a route gets 404"
else
	ktap_fail "a call to an unknown user without a route gets 404 (got '$got')"
fi
if kill -0 "$kpid" 2> /dev/null; then
	ktap_ok "kmediad still running"
else
	ktap_fail "kmediad still running"
fi

# 8-9: SIGHUP
# hup_invite LOG-LINE N: SIGHUP, wait for LOG-LINE, then send the INVITE to
# carol again as a new request N (a new branch and Call-ID: the old ones
# would meet the 404's transaction); prints the answer's status line
hup_invite() {
	kill -HUP "$kpid"
	for _ in $(seq 50); do grep -q "$1" "$log" && break; sleep 0.1; done
	sed "s/carol1/carol$2/g" "$sipdir/invite-unknown.txt" > "$tmp/invite$2.txt"
	in_uac "$tools/kmt-sip-send" -l $((5100 + $2)) 10.31.1.2 5060 "$tmp/invite$2.txt"
}
# routed now: tried (a late offer, no SDP) instead of 404
printf '[routes]\n10.31.1.2 = 10.31.2.1:5060\n' >> "$tmp/kmediad.conf"
got=$(hup_invite "reloaded" 2)
if [[ "$got" == "SIP/2.0 100 "* ]] && grep -q "reloaded .* 2 routes, 1 users" "$log"; then
	ktap_ok "SIGHUP reloads the routes: the same INVITE is routed now"
else
	ktap_diag "got '$got'; $(grep reload "$log")"
	ktap_fail "SIGHUP reloads the routes: the same INVITE is routed now"
fi
echo "[routes" >> "$tmp/kmediad.conf"
got=$(hup_invite "reload refused" 3)
if [[ "$got" == "SIP/2.0 100 "* ]] && grep -q "reload refused, configuration kept" "$log"; then
	ktap_ok "a broken file on SIGHUP is refused and the running routes stay"
else
	ktap_diag "got '$got'; $(grep reload "$log")"
	ktap_fail "a broken file on SIGHUP is refused and the running routes stay"
fi
ktap_finish
