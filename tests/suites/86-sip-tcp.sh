#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kmediad's SIP over TCP (topology in tests/sip/kmsip.sh): SIPp over TCP
# on both legs with RTP through the kernel, one leg UDP and the other TCP
# both ways (a route with ;transport=tcp, another without), OPTIONS over
# TCP on IPv4 and IPv6, stream framing (two messages in one segment, one
# message in pieces), the errors that close a connection (no
# Content-Length, a message beyond max_message_size, garbage), and a
# second daemon with tcp_idle_timeout = 1 and tcp_max_connections = 2.
# TLS (a certificate made here with openssl): OPTIONS over TLS from
# openssl s_client, and an INVITE that kmediad sends over TLS to openssl
# s_server (a route with ;transport=tls).
# TLS verification (a test CA made here): next hops whose certificate is
# signed by tls_ca and names the route's address or host name are
# reached; a self-signed one or one for another address or name is
# refused with a 503; on
# the second daemon, tls_verify = peer refuses clients without a
# certificate from the CA. A TCP caller whose connection idled out gets
# the callee's BYE at its Contact on a new connection.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

CALLS=2
PCAP_PKTS=246		# g711a.pcap (236) + dtmf_2833_1.pcap (10) per call

# shellcheck source=../sip/kmsip.sh
. "$top/tests/sip/kmsip.sh"
kmsip_init 86-sip-tcp 32

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 -subj /CN=kmediad \
	> "$tmp/openssl.err" 2>&1
# a test CA, and leaf certificates it signs: NAME SUBJECT-ALT-NAME
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$tmp/ca.key" -out "$tmp/ca.pem" -days 2 -subj "/CN=kmedia test CA" \
	>> "$tmp/openssl.err" 2>&1
leaf() {
	printf 'subjectAltName = %s\n' "$2" > "$tmp/$1.ext"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$tmp/$1.key" -out "$tmp/$1.csr" -subj "/CN=$1" &&
	openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
		-CAcreateserial -days 2 -out "$tmp/$1.pem" -extfile "$tmp/$1.ext"
} >> "$tmp/openssl.err" 2>&1
leaf uas IP:10.31.2.1
leaf other IP:10.31.2.9
leaf phone email:phone@example.com
leaf localhost DNS:localhost
leaf elsewhere DNS:elsewhere.example
cp "$tmp/cert.pem" "$tmp/self.pem"
cp "$tmp/key.pem" "$tmp/self.key"
# user 9...: the callee over UDP; 5...: over TLS; everything else over TCP
{
	kmsip_conf 43000
	printf 'address = fd31:1::2\nidle_timeout = 120\n[sip]\nlisten = ::\n'
	printf 'tls_certificate = %s\ntls_key = %s\n' "$tmp/cert.pem" "$tmp/key.pem"
	printf 'tls_ca = %s\n' "$tmp/ca.pem"
	printf '[routes]\n9 = 10.31.2.1:5060\n5 = 10.31.2.1:5061;transport=tls\n'
	printf '7 = localhost:5063;transport=tls\n* = 10.31.2.1:5060;transport=tcp\n'
} > "$tmp/kmediad.conf"
{
	printf '[sip]\nlisten = 10.31.1.2\nport = 5062\ntcp_idle_timeout = 1\n'
	printf 'tcp_max_connections = 2\nmax_message_size = 2000\n'
	printf 'listen = 10.31.2.2\ntls_port = 5065\ntls_verify = peer\n'
	printf 'tls_certificate = %s\ntls_key = %s\n' "$tmp/cert.pem" "$tmp/key.pem"
	printf 'tls_ca = %s\n' "$tmp/ca.pem"
	printf '[media]\naddress = 10.31.1.2\nport_min = 43200\nport_max = 43299\n'
	printf 'address = 10.31.2.2\n[routes]\n* = 10.31.2.1:5060\n'
} > "$tmp/kmediad-lim.conf"
printf '[media]\naddress = 10.31.1.2\n[routes]\n* = 10.31.2.1;transport=sctp\n' \
	> "$tmp/bad.conf"

# 1: a transport kmediad does not have is refused by -t
out=$("$kmediad" -t -c "$tmp/bad.conf" 2>&1)
if [ $? != 0 ] && grep -q "transport=udp|tcp" <<< "$out"; then
	ktap_ok "kmediad -t refuses a route with ;transport=sctp"
else
	ktap_diag "$out"
	ktap_fail "kmediad -t refuses a route with ;transport=sctp"
fi
# a CA file that is not there; mutual TLS without a CA of its own
sed 's|^tls_ca = .*|tls_ca = /nonexistent/ca.pem|' "$tmp/kmediad.conf" > "$tmp/noca.conf"
out=$("$kmediad" -t -c "$tmp/noca.conf" 2>&1)
sed '/^tls_ca = /d; s/^\[sip\]$/[sip]\ntls_verify = peer/' "$tmp/kmediad.conf" > "$tmp/peer.conf"
out2=$("$kmediad" -t -c "$tmp/peer.conf" 2>&1)
if grep -q "tls_ca = /nonexistent/ca.pem: No such file" <<< "$out" &&
   grep -q "tls_verify = peer needs tls_ca" <<< "$out2" &&
   "$kmediad" -t -c "$tmp/kmediad.conf" > /dev/null 2>&1; then
	ktap_ok "kmediad -t refuses a missing tls_ca, and tls_verify = peer without one"
else
	ktap_diag "$out / $out2"
	ktap_fail "kmediad -t refuses a missing tls_ca, and tls_verify = peer without one"
fi

# 2
kmsip_start "$tmp/kmediad.conf"

# tcp_talk HOST PORT WAIT FILE...: the files over one TCP connection from
# the caller's namespace; prints what came back, then "eof" if kmediad
# closed the connection within WAIT seconds, "open" if not.
tcp_talk() {
	in_uac timeout 15 bash -c '
		exec 3<> "/dev/tcp/$1/$2" || exit 1
		wait=$3
		shift 3
		cat "$@" >&3
		if timeout "$wait" cat <&3; then echo eof; else echo open; fi
	' tcp_talk "$@"
}

# crlf NAME BRANCH [EXTRA-HEADER]: an OPTIONS with CRLF line ends in
# $tmp/NAME, Content-Length last unless EXTRA-HEADER replaces it
options() {
	local name=$1 branch=$2 host=${4:-10.31.1.2} me=${5:-10.31.1.1}
	printf '%s\r\n' "OPTIONS sip:$host SIP/2.0" \
		"Via: SIP/2.0/TCP $me:5099;branch=z9hG4bK-$branch;rport" \
		"Max-Forwards: 70" "From: <sip:tester@$me>;tag=t$branch" \
		"To: <sip:echo@$host>" "Call-ID: $branch@$me" \
		"CSeq: 1 OPTIONS" "${3-Content-Length: 0}" "" > "$tmp/$name"
}

# 3-4: OPTIONS over TCP, IPv4 and IPv6
options o4 tcp4
got=$(tcp_talk 10.31.1.2 5060 2 "$tmp/o4")
if [[ "$got" == "SIP/2.0 200 OK"* ]] && grep -q "^Via: SIP/2.0/TCP .*received=10.31.1.1" <<< "$got"; then
	ktap_ok "OPTIONS over TCP answered 200 on the same connection"
else
	ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
	ktap_fail "OPTIONS over TCP answered 200 on the same connection"
fi
options o6 tcp6 "Content-Length: 0" "[fd31:1::2]" "[fd31:1::1]"
got=$(tcp_talk fd31:1::2 5060 2 "$tmp/o6")
if [[ "$got" == "SIP/2.0 200 OK"* ]]; then
	ktap_ok "OPTIONS over TCP on IPv6 answered 200"
else
	ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
	ktap_fail "OPTIONS over TCP on IPv6 answered 200"
fi

# 5: framing: two requests and a keep-alive in one write, then one split
# in the middle of a header
options p1 pipe1
options p2 pipe2
options p3 pipe3
head -c 40 "$tmp/p3" > "$tmp/p3a"
tail -c +41 "$tmp/p3" > "$tmp/p3b"
cat "$tmp/p1" > "$tmp/two"
printf '\r\n\r\n' >> "$tmp/two"
cat "$tmp/p2" "$tmp/p3a" >> "$tmp/two"
got=$(in_uac timeout 15 bash -c '
	exec 3<> /dev/tcp/10.31.1.2/5060 || exit 1
	cat "$1" >&3
	sleep 0.5
	cat "$2" >&3
	timeout 2 cat <&3' tcp_split "$tmp/two" "$tmp/p3b")
n=$(grep -c "^SIP/2.0 200 OK" <<< "$got")
ids=$(grep -o "^Call-ID: pipe[0-9]" <<< "$got" | tr '\n' ' ')
if [ "$n" = 3 ] && [ "$ids" = "Call-ID: pipe1 Call-ID: pipe2 Call-ID: pipe3 " ]; then
	ktap_ok "framing by Content-Length: 3 requests (two in one write, one split) answered in order"
else
	ktap_diag "got $n answers: $ids"
	ktap_fail "framing by Content-Length: 3 requests (two in one write, one split) answered in order"
fi

# 6-8: errors that close the connection
options nocl nocl "X-Nothing: 1"
got=$(tcp_talk 10.31.1.2 5060 3 "$tmp/nocl")
if [[ "$got" == "SIP/2.0 400 Missing Content-Length"* ]] && [[ "$got" == *eof ]]; then
	ktap_ok "no Content-Length over TCP: 400 and the connection closed"
else
	ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
	ktap_fail "no Content-Length over TCP: 400 and the connection closed"
fi
options big big "Content-Length: 900000"
got=$(tcp_talk 10.31.1.2 5060 3 "$tmp/big")
if [[ "$got" == "SIP/2.0 413 Message Too Large"* ]] && [[ "$got" == *eof ]]; then
	ktap_ok "Content-Length beyond max_message_size: 413 and the connection closed"
else
	ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
	ktap_fail "Content-Length beyond max_message_size: 413 and the connection closed"
fi
printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' > "$tmp/http"
got=$(tcp_talk 10.31.1.2 5060 3 "$tmp/http")
if [ "$got" = eof ] && [[ $(tcp_talk 10.31.1.2 5060 1 "$tmp/o4") == "SIP/2.0 200"* ]]; then
	ktap_ok "garbage (an HTTP request) closes the connection; kmediad still answers"
else
	ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
	ktap_fail "garbage (an HTTP request) closes the connection; kmediad still answers"
fi

# run_calls NAME UAC-TRANSPORT UAS-TRANSPORT SERVICE CALLS: SIPp uac_pcap to
# uas -rtp_echo, over the given transports (u1 or t1); sets rx and tx to
# the kernel's counters for the run
run_calls() {
	local name=$1 ut=$2 st=$3 service=$4 calls=$5 before after uas_pid uac_rc uas_rc ok
	before=$(in_relay "$tools/kmt-sip-stats")
	(cd "$tmp" && exec ip netns exec "$UAS" sipp -sn uas -t "$st" -i 10.31.2.1 \
		-p 5060 -mi 10.31.2.1 -mp 6000 -rtp_echo -m "$calls" -nostdin \
		-timeout 120s > "$tmp/$name-uas.out" 2>&1) &
	uas_pid=$!
	sleep 1
	(cd "$tmp" && exec ip netns exec "$UAC" sipp -sn uac_pcap -t "$ut" \
		10.31.1.2:5060 -s "$service" -i 10.31.1.1 -p 5070 -mi 10.31.1.1 \
		-m "$calls" -r 1 -l "$calls" -nostdin -timeout 120s -trace_stat \
		-stf "$tmp/$name.csv" > "$tmp/$name-uac.out" 2>&1)
	uac_rc=$?
	wait "$uas_pid"
	uas_rc=$?
	after=$(in_relay "$tools/kmt-sip-stats")
	rx=$(( $(field rx_packets "$after") - $(field rx_packets "$before") ))
	tx=$(( $(field tx_packets "$after") - $(field tx_packets "$before") ))
	ok=$(csv_col "$tmp/$name.csv" "SuccessfulCall(C)")
	ktap_diag "$name: uac rc $uac_rc, uas rc $uas_rc, $ok calls ok, kernel rx $rx tx $tx"
	[ "$uac_rc" = 0 ] && [ "$uas_rc" = 0 ] && [ "$ok" = "$calls" ] && return 0
	tail -n 12 "$tmp/$name-uac.out" "$tmp/$name-uas.out" "$log" | diag_file
	return 1
}

# 9-12: TCP on both legs, RTP through the kernel
mkdir -p "$tmp/pcap"
ln -s /usr/share/sip-tester/*.pcap "$tmp/pcap/"
if run_calls tcp t1 t1 service "$CALLS"; then
	ktap_ok "$CALLS calls with RTP, SIP over TCP on both legs, complete"
else
	ktap_fail "$CALLS calls with RTP, SIP over TCP on both legs, complete"
fi
want=$((CALLS * PCAP_PKTS))
if [ "$rx" -gt "$want" ] && [ "$tx" = "$rx" ]; then
	ktap_ok "kernel streams relayed every packet of those calls both ways ($rx)"
else
	ktap_fail "kernel streams relayed $tx of $rx packets (callers sent $want)"
fi
if grep -q "routed to 10\.31\.2\.1:5060 as leg B" "$log" &&
   [ "$(grep -c "media in the kernel" "$log")" -ge "$CALLS" ]; then
	ktap_ok "each TCP call had its media programmed in the kernel"
else
	ktap_fail "each TCP call had its media programmed in the kernel"
fi
kmsip_clean "after the TCP calls"

# 13-14: caller over UDP, callee over TCP (route * has ;transport=tcp)
if run_calls udp-tcp u1 t1 service 1 && [ "$rx" -gt "$PCAP_PKTS" ] && [ "$tx" = "$rx" ]; then
	ktap_ok "caller over UDP, callee over TCP: the call completes, media in the kernel"
else
	ktap_fail "caller over UDP, callee over TCP: the call completes, media in the kernel"
fi
# 15: caller over TCP, callee over UDP (route 9 has no transport)
if run_calls tcp-udp t1 u1 9000 1 && [ "$rx" -gt "$PCAP_PKTS" ] && [ "$tx" = "$rx" ]; then
	ktap_ok "caller over TCP, callee over UDP: the call completes, media in the kernel"
else
	ktap_fail "caller over TCP, callee over UDP: the call completes, media in the kernel"
fi
kmsip_clean "after the mixed calls"

# 16: OPTIONS over TLS (port 5061) from openssl s_client
sed 's|SIP/2.0/TCP|SIP/2.0/TLS|' "$tmp/o4" > "$tmp/o4tls"
got=$(in_uac timeout 4 openssl s_client -connect 10.31.1.2:5061 -quiet \
	< "$tmp/o4tls" 2> "$tmp/s_client.err")
if [[ "$got" == *"SIP/2.0 200 OK"* ]] && grep -q "SIP listening on tls 0.0.0.0:5061" "$log"; then
	ktap_ok "OPTIONS over TLS (openssl s_client) answered 200"
else
	ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
	diag_file "$tmp/s_client.err"
	ktap_fail "OPTIONS over TLS (openssl s_client) answered 200"
fi

# 17: leg B over TLS: an INVITE (late offer) reaches openssl s_server
(sleep 8 | exec ip netns exec "$UAS" timeout 7 openssl s_server -accept 5061 \
	-cert "$tmp/uas.pem" -key "$tmp/uas.key" -quiet -naccept 1 \
	> "$tmp/s_server.out" 2>&1) &
srv=$!
sleep 1
sed "s/carol/5000/g" "$sipdir/invite-unknown.txt" > "$tmp/tls-invite.txt"
in_uac "$tools/kmt-sip-send" -l 5130 10.31.1.2 5060 "$tmp/tls-invite.txt" > /dev/null
wait "$srv"
if grep -q "^INVITE sip:5000@10.31.1.2 SIP/2.0" "$tmp/s_server.out" &&
   grep -q "^Via: SIP/2.0/TLS 10.31.2.2:5061;" "$tmp/s_server.out" &&
   grep -q "^Contact: <sip:kmediad@10.31.2.2:5061;transport=tls>" "$tmp/s_server.out"; then
	ktap_ok "a route with ;transport=tls: leg B's INVITE goes over TLS (Via TLS, Contact transport=tls)"
else
	diag_file "$tmp/s_server.out"
	ktap_fail "a route with ;transport=tls: leg B's INVITE goes over TLS (Via TLS, Contact transport=tls)"
fi

# tls_hop NAME NS PORT CERT USER [WHY]: openssl s_server in NS on PORT
# presents CERT; an INVITE over TCP for USER (a TLS route there) reaches
# it, or with WHY is refused: kmediad logs WHY, the caller gets a 503
tls_hop() {
	local name=$1 ns=$2 port=$3 cert=$4 user=$5 why=${6:-} srv got
	(sleep 6 | exec ip netns exec "$ns" timeout 5 openssl s_server -accept "$port" \
		-cert "$tmp/$cert.pem" -key "$tmp/$cert.key" -quiet -naccept 1 \
		> "$tmp/hop-$user.out" 2>&1) &
	srv=$!
	sleep 1
	sed -e "s/carol/$user/g; s|SIP/2.0/UDP|SIP/2.0/TCP|; s/\$/\r/" \
		"$sipdir/invite-unknown.txt" > "$tmp/hop-$user.txt"
	got=$(tcp_talk 10.31.1.2 5060 3 "$tmp/hop-$user.txt")
	wait "$srv"
	if [ -z "$why" ] && grep -q "^INVITE sip:$user@" "$tmp/hop-$user.out" &&
	   ! grep -q "^SIP/2.0 503" <<< "$got"; then
		ktap_ok "$name: verified, the INVITE goes through"
	elif [ -n "$why" ] && grep -q "^SIP/2.0 503 TLS Certificate Refused" <<< "$got" &&
	     grep -q "tls: [0-9.]*:$port server certificate refused: $why" "$log" &&
	     ! grep -q "^INVITE" "$tmp/hop-$user.out"; then
		ktap_ok "$name: refused ($why), the caller gets 503 TLS Certificate Refused"
	else
		ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
		diag_file "$tmp/hop-$user.out"
		grep "tls" "$log" | diag_file
		ktap_fail "$name${why:+: refused ($why)}"
	fi
}
tls_hop "next hop with a self-signed certificate" "$UAS" 5061 self 5001 \
	"self-signed certificate"
tls_hop "next hop whose certificate names another address" "$UAS" 5061 other 5002 \
	"IP address mismatch"
# route 7 names its next hop: localhost (s_server in the relay's namespace)
tls_hop "next hop by name (localhost), certificate for that name" "$RELAY" 5063 \
	localhost 7001
tls_hop "next hop by name (localhost), certificate for another name" "$RELAY" 5063 \
	elsewhere 7002 "hostname mismatch"

# 18-22: limits, on a second daemon (port 5062)
lim_log=$tmp/kmediad-lim.log
ip netns exec "$RELAY" "$kmediad" -f -d -c "$tmp/kmediad-lim.conf" 2> "$lim_log" &
lim_pid=$!
for _ in $(seq 100); do
	grep -q "ready" "$lim_log" 2> /dev/null && break
	sleep 0.1
done
if grep -q "SIP listening on tcp 10.31.1.2:5062" "$lim_log"; then
	ktap_ok "a second kmediad listens on tcp 10.31.1.2:5062"
else
	ktap_diag "$(cat "$lim_log")"
	ktap_fail "a second kmediad listens on tcp 10.31.1.2:5062"
fi
got=$(tcp_talk 10.31.1.2 5062 4 "$tmp/o4")
if [[ "$got" == "SIP/2.0 200 OK"* ]] && [[ "$got" == *eof ]] &&
   grep -q "closed: idle" "$lim_log"; then
	ktap_ok "tcp_idle_timeout = 1: an idle connection is closed by kmediad"
else
	ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
	ktap_fail "tcp_idle_timeout = 1: an idle connection is closed by kmediad"
fi
head -c 1900 /dev/zero | tr '\0' 'x' > "$tmp/pad"
options mid mid "Content-Length: 1900"
cat "$tmp/pad" >> "$tmp/mid"
got=$(tcp_talk 10.31.1.2 5062 3 "$tmp/mid")
if [[ "$got" == "SIP/2.0 413 Message Too Large"* ]] && [[ "$got" == *eof ]]; then
	ktap_ok "max_message_size = 2000: a 2.1 kB message gets 413, the connection closed"
else
	ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
	ktap_fail "max_message_size = 2000: a 2.1 kB message gets 413, the connection closed"
fi
# two connections held open, a third is refused
in_uac bash -c 'exec 3<> /dev/tcp/10.31.1.2/5062; exec 4<> /dev/tcp/10.31.1.2/5062; sleep 0.9' &
hold=$!
sleep 0.4
got=$(tcp_talk 10.31.1.2 5062 1 "$tmp/o4")
wait "$hold"
if [ "$got" = eof ] && grep -q "tcp: 2 connections open, refusing" "$lim_log"; then
	ktap_ok "tcp_max_connections = 2: a third connection is refused"
else
	ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
	ktap_fail "tcp_max_connections = 2: a third connection is refused"
fi
# mutual TLS on the second daemon (tls_verify = peer, port 5065)
got=$(in_uac timeout 4 openssl s_client -connect 10.31.1.2:5065 -quiet \
	< "$tmp/o4tls" 2> "$tmp/mtls-none.err")
if [[ "$got" != *"SIP/2.0 200"* ]] &&
   grep -q "tls: 10.31.1.1:[0-9]* client refused: no certificate" "$lim_log"; then
	ktap_ok "tls_verify = peer: a client without a certificate is refused"
else
	ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
	grep "tls" "$lim_log" | diag_file
	ktap_fail "tls_verify = peer: a client without a certificate is refused"
fi
got=$(in_uac timeout 4 openssl s_client -connect 10.31.1.2:5065 -quiet \
	-cert "$tmp/self.pem" -key "$tmp/self.key" < "$tmp/o4tls" 2> "$tmp/mtls-self.err")
if [[ "$got" != *"SIP/2.0 200"* ]] &&
   grep -q "tls: 10.31.1.1:[0-9]* client certificate refused: self-signed certificate" "$lim_log"; then
	ktap_ok "tls_verify = peer: a client with a certificate not from tls_ca is refused"
else
	ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
	grep "tls" "$lim_log" | diag_file
	ktap_fail "tls_verify = peer: a client with a certificate not from tls_ca is refused"
fi
got=$(in_uac timeout 4 openssl s_client -connect 10.31.1.2:5065 -quiet \
	-cert "$tmp/phone.pem" -key "$tmp/phone.key" < "$tmp/o4tls" 2> "$tmp/mtls.err")
if [[ "$got" == *"SIP/2.0 200 OK"* ]]; then
	ktap_ok "tls_verify = peer: a client with a certificate from tls_ca gets its OPTIONS answered 200"
else
	ktap_diag "got: $(tr '\r\n' ' ' <<< "$got")"
	diag_file "$tmp/mtls.err"
	grep "tls" "$lim_log" | diag_file
	ktap_fail "tls_verify = peer: a client with a certificate from tls_ca gets its OPTIONS answered 200"
fi

# the caller's TCP connection idles out (tcp_idle_timeout = 1) before
# the callee hangs up: the BYE reaches the caller's Contact on a new
# connection. The caller connects from an ephemeral port (bash); its
# Contact port is a SIPp that only answers the BYE.
sed 's/milliseconds="500"/milliseconds="4000"/' "$sipdir/uas-bye.xml" > "$tmp/uas-bye-late.xml"
cat > "$tmp/uac-bye-only.xml" <<-'XML'
	<?xml version="1.0" encoding="ISO-8859-1" ?>
	<scenario name="answer a BYE">
	  <recv request="BYE"/>
	  <send>
	    <![CDATA[

	      SIP/2.0 200 OK
	      [last_Via:]
	      [last_From:]
	      [last_To:]
	      [last_Call-ID:]
	      [last_CSeq:]
	      Content-Length: 0

	    ]]>
	  </send>
	</scenario>
XML
sdp=$(printf '%s\r\n' v=0 "o=- 1 1 IN IP4 10.31.1.1" s=- "c=IN IP4 10.31.1.1" \
	"t=0 0" "m=audio 6000 RTP/AVP 0")
printf '%s\r\n' "INVITE sip:late@10.31.1.2:5062 SIP/2.0" \
	"Via: SIP/2.0/TCP 10.31.1.1:5090;branch=z9hG4bK-gone1" \
	"Max-Forwards: 70" "From: <sip:gone@10.31.1.1>;tag=gone1" \
	"To: <sip:late@10.31.1.2>" "Call-ID: gone1@10.31.1.1" "CSeq: 1 INVITE" \
	"Contact: <sip:gone@10.31.1.1:5090;transport=tcp>" \
	"Content-Type: application/sdp" "Content-Length: $((${#sdp} + 2))" "" "$sdp" \
	> "$tmp/gone-invite"
(cd "$tmp" && exec ip netns exec "$UAS" sipp -sf "$tmp/uas-bye-late.xml" -i 10.31.2.1 \
	-mi 10.31.2.1 -p 5060 -m 1 -nostdin -timeout 20s > "$tmp/gone-uas.out" 2>&1) &
gone_uas=$!
(cd "$tmp" && exec ip netns exec "$UAC" sipp -sf "$tmp/uac-bye-only.xml" -t t1 \
	-i 10.31.1.1 -p 5090 -m 1 -nostdin -timeout 20s > "$tmp/gone-uac.out" 2>&1) &
gone_uac=$!
sleep 1
# INVITE, then the ACK with the To tag of the 200, then wait for the close
got=$(in_uac timeout 15 bash -c '
	exec 3<> /dev/tcp/10.31.1.2/5062 || exit 1
	cat "$1" >&3
	to=
	while IFS= read -r -t 5 line <&3; do
		line=${line%$'"'"'\r'"'"'}
		case $line in
		"SIP/2.0 200"*) ok=1 ;;
		To:*) [ -n "${ok:-}" ] && to=$line && break ;;
		esac
	done
	[ -n "$to" ] || exit 1
	printf "%s\r\n" "ACK sip:kmediad@10.31.1.2:5062;transport=tcp SIP/2.0" \
		"Via: SIP/2.0/TCP 10.31.1.1:5090;branch=z9hG4bK-gone1ack" \
		"Max-Forwards: 70" "From: <sip:gone@10.31.1.1>;tag=gone1" "$to" \
		"Call-ID: gone1@10.31.1.1" "CSeq: 1 ACK" "Content-Length: 0" "" >&3
	timeout 5 cat <&3 > /dev/null && echo closed' gone "$tmp/gone-invite")
wait "$gone_uac"
uac_rc=$?
wait "$gone_uas"
uas_rc=$?
if [ "$got" = closed ] && [ "$uac_rc" = 0 ] && [ "$uas_rc" = 0 ] &&
   grep -q "BYE on leg A answered 200" "$lim_log"; then
	ktap_ok "a TCP caller's connection idled out: the callee's BYE reaches its Contact on a new connection"
else
	ktap_diag "caller: $got, BYE listener rc $uac_rc, callee rc $uas_rc"
	tail -n 5 "$tmp/gone-uac.out" "$tmp/gone-uas.out" | diag_file
	grep -i "bye\|contact\|closed" "$lim_log" | diag_file
	ktap_fail "a TCP caller's connection idled out: the callee's BYE reaches its Contact on a new connection"
fi

# the same, the callee answering only after the caller's connection idled
# out: the 200 goes to the caller's Via sent-by (port 5091, busybox nc)
sed '0,/<send>/s//<pause milliseconds="4000"\/>\n  <send>/' "$sipdir/uas-bye.xml" \
	> "$tmp/uas-answer-late.xml"
sed 's/gone1/late1/g; s/5090/5091/g' "$tmp/gone-invite" > "$tmp/late-invite"
(cd "$tmp" && exec ip netns exec "$UAS" sipp -sf "$tmp/uas-answer-late.xml" -i 10.31.2.1 \
	-mi 10.31.2.1 -p 5060 -m 1 -nostdin -timeout 15s > "$tmp/late-uas.out" 2>&1) &
late_uas=$!
# (stdin kept open: nc closes the connection at its end)
(sleep 9 | in_uac timeout 10 busybox nc -l -p 5091 > "$tmp/late-nc.out" 2>&1) &
late_nc=$!
sleep 1
got=$(in_uac timeout 15 bash -c '
	exec 3<> /dev/tcp/10.31.1.2/5062 || exit 1
	cat "$1" >&3
	timeout 5 cat <&3' late "$tmp/late-invite")
wait "$late_nc"
wait "$late_uas"
if [[ "$got" == "SIP/2.0 100 Trying"* ]] && [[ "$got" != *"SIP/2.0 200"* ]] &&
   grep -q "^SIP/2.0 200 OK" "$tmp/late-nc.out" &&
   grep -q "^Call-ID: late1@10.31.1.1" "$tmp/late-nc.out" &&
   grep -q "200 for 10.31.1.1:[0-9]*: its connection is closed, to the Via's sent-by 10.31.1.1:5091" "$lim_log"; then
	ktap_ok "a TCP caller's connection idled out: the late 200 goes to its Via sent-by on a new connection"
else
	ktap_diag "caller got: $(tr '\r\n' ' ' <<< "$got")"
	diag_file "$tmp/late-nc.out"
	grep -i "late1\|sent-by\|closed" "$lim_log" | diag_file
	ktap_fail "a TCP caller's connection idled out: the late 200 goes to its Via sent-by on a new connection"
fi

kill -TERM "$lim_pid"
wait "$lim_pid"
lim_rc=$?
kill -TERM "$kpid"
wait "$kpid"
rc=$?
kpid=
if [ "$rc" = 0 ] && [ "$lim_rc" = 0 ]; then
	ktap_ok "both daemons exit cleanly on SIGTERM"
else
	ktap_fail "daemons exit with $rc and $lim_rc on SIGTERM"
fi
ktap_finish
