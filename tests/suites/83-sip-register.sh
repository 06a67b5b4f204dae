#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kmediad's registrar between SIPp instances (topology in
# tests/sip/kmsip.sh): REGISTER is challenged (401, digest MD5 qop=auth),
# a wrong password is refused with 403, the right one accepted with 200;
# a call to the registered user reaches it with no static route, and a
# call to an unknown user gets 404, until SIGHUP loads a route for it; a
# broken file on SIGHUP leaves the running configuration alone.
# Persistent registrations ([sip] registrations = FILE): the bindings are
# written to the file; after a restart (SIGTERM, start again) a call to bob
# reaches him without a new REGISTER, alice's binding that expired while
# kmediad was down is gone (404), a damaged line is logged and skipped;
# removing a binding (Expires: 0) takes it out of the file, and so does
# its expiry while kmediad runs; a relative path is refused by -t.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"
# shellcheck source=../sip/kmsip.sh
. "$top/tests/sip/kmsip.sh"
kmsip_init 83-sip-register 18

reg=$tmp/registrations
kmsip_conf 44000 > "$tmp/kmediad.conf"
cat >> "$tmp/kmediad.conf" <<EOF
[routes]
; only this prefix: bob is reachable through his registration alone
999 = 10.31.2.1:5999
[users]
bob = s3cret
alice = w0nder
[sip]
registrations = $reg
EOF

# register XML PASSWORD NAME [USER]: USER (default bob) registers from the
# callee's namespace; XML is a file of tests/sip/ or a path
register() {
	local xml=$1 user=${4:-bob}

	[[ "$xml" == /* ]] || xml=$sipdir/$xml
	(cd "$tmp" && exec ip netns exec "$UAS" sipp -sf "$xml" 10.31.2.2:5060 \
		-i 10.31.2.1 -p 5060 -s "$user" -au "$user" -ap "$2" -m 1 \
		-nostdin -timeout 30s > "$tmp/$3.out" 2>&1)
}

# call_bob NAME: a call from the caller's namespace to bob, answered in the
# callee's (SIPp's built-in scenarios); true if both succeeded
call_bob() { run_pair "$1" uas uac -s bob -d 500; }

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
if call_bob call; then
	ktap_ok "a call to the registered user reaches its contact"
else
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
cp "$tmp/kmediad.conf" "$tmp/kmediad-base.conf"
printf '[routes]\n10.31.1.2 = 10.31.2.1:5060\n' >> "$tmp/kmediad.conf"
got=$(hup_invite "reloaded" 2)
if [[ "$got" == "SIP/2.0 100 "* ]] && grep -q "reloaded .* 2 routes, 2 users" "$log"; then
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

# 10: both bindings in the file, alice's for 10 s only
sed 's/Expires: 300/Expires: 10/' "$sipdir/uac-register.xml" > "$tmp/register-10s.xml"
register "$tmp/register-10s.xml" w0nder register-alice alice
now=$(date +%s)
bob_line=$(grep "^bob " "$reg" 2> /dev/null)
alice_line=$(grep "^alice " "$reg" 2> /dev/null)
bob_exp=$(cut -d' ' -f2 <<< "$bob_line")
alice_exp=$(cut -d' ' -f2 <<< "$alice_line")
if [ "$(cut -d' ' -f3- <<< "$bob_line")" = "10.31.2.1:5060 udp sip:bob@10.31.2.1:5060" ] &&
   [ "$(cut -d' ' -f3- <<< "$alice_line")" = "10.31.2.1:5060 udp sip:alice@10.31.2.1:5060" ] &&
   [ "${bob_exp:-0}" -gt $((now + 200)) ] && [ "$bob_exp" -le $((now + 300)) ] &&
   [ "${alice_exp:-0}" -gt $((now - 60)) ] && [ "$alice_exp" -le $((now + 10)) ] &&
   [ ! -e "$reg.tmp" ]; then
	ktap_ok "bob's and alice's bindings in the registrations file (expiry, address, transport, contact)"
else
	tail -n 8 "$tmp/register-alice.out" | diag_file
	diag_file "$reg"
	ktap_fail "bob's and alice's bindings in the registrations file (expiry, address, transport, contact)"
fi

# 11: SIGTERM; alice's binding expires meanwhile and a damaged line is
# added; kmediad starts again (routes of the start: none toward alice)
kill -TERM "$kpid"
wait "$kpid"
kpid=
while [ -n "$alice_exp" ] && [ "$(date +%s)" -le "$alice_exp" ]; do sleep 0.5; done
sed -i '1a mallory soon 10.31.2.1:5060 udp sip:mallory@10.31.2.1:5060' "$reg"
mv "$log" "$tmp/kmediad-first.log"
if start_kmediad "$tmp/kmediad-base.conf" &&
   grep -q "registrations: 1 loaded from $reg, 1 expired while down, 1 bad lines skipped" "$log" &&
   grep -q "registrations: $reg:2: bad EXPIRES (seconds since the epoch), line skipped" "$log"; then
	ktap_ok "restarted: bob's binding loaded, alice's expired one dropped, the damaged line 2 reported and skipped"
else
	diag_file "$log"
	ktap_fail "restarted: bob's binding loaded, alice's expired one dropped, the damaged line 2 reported and skipped"
fi

# 12-13: bob is called at his contact without registering again
if call_bob call2 && ! grep -q "REGISTER" "$log"; then
	ktap_ok "after the restart a call to bob reaches his contact, no new REGISTER"
else
	ktap_fail "after the restart a call to bob reaches his contact, no new REGISTER"
fi
kmsip_clean "after the call to bob after the restart"

# 14: alice is gone: 404, and the file was written again without her
sed "s/carol/alice/g" "$sipdir/invite-unknown.txt" > "$tmp/invite-alice.txt"
got=$(in_uac "$tools/kmt-sip-send" -l 5130 10.31.1.2 5060 "$tmp/invite-alice.txt")
if [[ "$got" == "SIP/2.0 404 "* ]] && grep -q "^bob $bob_exp " "$reg" &&
   ! grep -q "^alice \|^mallory " "$reg"; then
	ktap_ok "alice's binding expired while down: 404, the file keeps bob's only"
else
	ktap_diag "got '$got'"
	diag_file "$reg"
	ktap_fail "alice's binding expired while down: 404, the file keeps bob's only"
fi

# 15-16: bob removes his binding (Expires: 0): out of the file, then 404
sed 's/Expires: 300/Expires: 0/' "$sipdir/uac-register.xml" > "$tmp/unregister.xml"
register "$tmp/unregister.xml" s3cret unregister
if grep -q "REGISTER bob -> sip:bob@10.31.2.1:5060 via .* for 0 s" "$log" &&
   [ -e "$reg" ] && ! grep -q "^bob " "$reg"; then
	ktap_ok "REGISTER with Expires: 0 takes bob's binding out of the file"
else
	tail -n 8 "$tmp/unregister.out" | diag_file
	diag_file "$reg"
	ktap_fail "REGISTER with Expires: 0 takes bob's binding out of the file"
fi
sed "s/carol/bob/g" "$sipdir/invite-unknown.txt" > "$tmp/invite-bob.txt"
got=$(in_uac "$tools/kmt-sip-send" -l 5131 10.31.1.2 5060 "$tmp/invite-bob.txt")
if [[ "$got" == "SIP/2.0 404 "* ]]; then
	ktap_ok "a call to bob without a binding gets 404"
else
	ktap_fail "a call to bob without a binding gets 404 (got '$got')"
fi

# 17: alice registers for 2 s: in the file, then out of it at the expiry
sed 's/Expires: 300/Expires: 2/' "$sipdir/uac-register.xml" > "$tmp/register-2s.xml"
register "$tmp/register-2s.xml" w0nder register-alice2 alice
grep -q "^alice " "$reg" 2> /dev/null && was=yes || was=no
for _ in $(seq 300); do
	grep -q "registration of alice -> sip:alice@10.31.2.1:5060 expired" "$log" && break
	sleep 0.1
done
if [ "$was" = yes ] && grep -q "registration of alice .* expired" "$log" &&
   ! grep -q "^alice " "$reg"; then
	ktap_ok "a binding that expires while kmediad runs leaves the file"
else
	ktap_diag "alice in the file after her REGISTER: $was"
	diag_file "$reg"
	ktap_fail "a binding that expires while kmediad runs leaves the file"
fi

# 18
printf '[sip]\nregistrations = var/registrations\n' >> "$tmp/kmediad-base.conf"
out=$("$kmediad" -t -c "$tmp/kmediad-base.conf" 2>&1)
if [ $? = 1 ] && [[ "$out" == *"registrations = var/registrations: not an absolute path"* ]]; then
	ktap_ok "kmediad -t refuses a relative registrations path"
else
	ktap_fail "kmediad -t refuses a relative registrations path: $out"
fi
ktap_finish
