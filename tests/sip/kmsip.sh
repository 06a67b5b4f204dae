# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the kmediad suites (tests/suites/8x-sip-*.sh): three network
# namespaces joined by veth pairs,
#
#   uac 10.31.1.1 fd31:1::1 -- relay 10.31.1.2 fd31:1::2 | 10.31.2.2 fd31:2::2
#                                                   -- uas 10.31.2.1 fd31:2::1
#
# kmediad started in the relay, SIPp helpers, and the kernel's view through
# tests/build/tools/kmt-sip-stats. Source after tests/lib/ktap.sh; call
# kmsip_init NAME first.

kmediad=$top/daemon/kmediad
tools=$top/tests/build/tools
sipdir=$top/tests/sip
kpid=
log=

# kmsip_init NAME PLAN: prints the TAP plan; without SIPp every case is
# skipped and the suite ends here.
kmsip_init() {
	local i

	suite=$1
	PLAN=$2
	ktap_plan "$PLAN"
	if ! command -v sipp > /dev/null; then
		for i in $(seq "$PLAN"); do
			ktap_skip "case $i" "sipp (sip-tester) not installed"
		done
		exit 0
	fi
	sfx=$$
	UAC=kmd-uac-$sfx RELAY=kmd-relay-$sfx UAS=kmd-uas-$sfx
	tmp=$(mktemp -d "/tmp/$suite.XXXXXX")
	log=$tmp/kmediad.log
	trap cleanup EXIT
}

cleanup() {
	# keep the daemon's log and SIPp's records next to the TAP
	[ -n "${KMEDIA_OUT:-}" ] && mkdir -p "$KMEDIA_OUT/$suite" &&
		cp "$tmp"/*.log "$tmp"/*.out "$tmp"/*.err "$tmp"/*.csv \
			"$KMEDIA_OUT/$suite/" 2> /dev/null
	[ -n "$kpid" ] && kill "$kpid" 2> /dev/null && wait "$kpid" 2> /dev/null
	for ns in $UAC $RELAY $UAS; do ip netns del "$ns" 2> /dev/null; done
	rm -rf "$tmp"
}

in_relay() { ip netns exec "$RELAY" "$@"; }
in_uac() { ip netns exec "$UAC" "$@"; }
in_uas() { ip netns exec "$UAS" "$@"; }

setup_ns() {
	ip netns add "$UAC" && ip netns add "$RELAY" && ip netns add "$UAS" || return 1
	ip -n "$RELAY" link add va type veth peer name veth0 netns "$UAC" || return 1
	ip -n "$RELAY" link add vb type veth peer name veth0 netns "$UAS" || return 1
	ip -n "$RELAY" -b - <<-EOF || return 1
		link set lo up
		link set va up
		link set vb up
		addr add 10.31.1.2/24 dev va
		addr add fd31:1::2/64 dev va nodad
		addr add 10.31.2.2/24 dev vb
		addr add fd31:2::2/64 dev vb nodad
	EOF
	ua_ns "$UAC" 1 && ua_ns "$UAS" 2
}

# ua_ns NS N: the phone's side, 10.31.N.1 and fd31:N::1 on veth0
ua_ns() {
	ip -n "$1" -b - <<-EOF
		link set lo up
		link set veth0 up
		addr add 10.31.$2.1/24 dev veth0
		addr add fd31:$2::1/64 dev veth0 nodad
	EOF
}

# kmsip_conf PORT-MIN: [sip] and [media] of a relay on both IPv4 legs with
# 100 relay ports
kmsip_conf() {
	printf '[sip]\nlisten = 0.0.0.0\n[media]\naddress = 10.31.1.2\n'
	printf 'address = 10.31.2.2\nport_min = %u\nport_max = %u\n' "$1" $(($1 + 99))
}

# start_kmediad CONF [OPTION...]: in the relay namespace, logging to $log;
# waits until it is ready.
start_kmediad() {
	local conf=$1
	shift
	# no function or subshell in between: $! must be kmediad itself
	ip netns exec "$RELAY" "$kmediad" -f -c "$conf" "$@" 2> "$log" &
	kpid=$!
	for _ in $(seq 100); do
		grep -q "ready" "$log" 2> /dev/null && return 0
		kill -0 "$kpid" 2> /dev/null || break
		sleep 0.1
	done
	return 1
}

diag_file() { sed 's/^/# /' "$@"; }

field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<< "$2"; }
# csv_col FILE COLUMN: the last row's value of a SIPp -trace_stat column
csv_col() {
	awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i }
		END { if (c) print $c }' "$1" 2> /dev/null
}

# run_pair NAME UAS-XML UAC-XML [UAC-OPTION...]: one call between the two
# scenarios of tests/sip/ (a name without .xml: SIPp's built-in one); true
# if both SIPp instances succeeded.
run_pair() {
	local name=$1 uas_xml=$2 uac_xml=$3 up urc src
	local -a uas_sf=(-sf "$sipdir/$uas_xml") uac_sf=(-sf "$sipdir/$uac_xml")
	[[ "$uas_xml" == *.xml ]] || uas_sf=(-sn "$uas_xml")
	[[ "$uac_xml" == *.xml ]] || uac_sf=(-sn "$uac_xml")
	shift 3
	(cd "$tmp" && exec ip netns exec "$UAS" sipp "${uas_sf[@]}" -i 10.31.2.1 \
		-mi 10.31.2.1 -p 5060 -m 1 -nostdin -timeout 60s \
		> "$tmp/$name-uas.out" 2>&1) &
	up=$!
	sleep 1
	(cd "$tmp" && exec ip netns exec "$UAC" sipp "${uac_sf[@]}" 10.31.1.2:5060 \
		-i 10.31.1.1 -mi 10.31.1.1 -p 5070 -m 1 -nostdin -timeout 60s "$@" \
		> "$tmp/$name-uac.out" 2>&1)
	urc=$?
	wait "$up"
	src=$?
	[ "$urc" = 0 ] && [ "$src" = 0 ] && return 0
	ktap_diag "uac rc $urc, uas rc $src"
	tail -n 8 "$tmp/$name-uac.out" "$tmp/$name-uas.out" | diag_file
	return 1
}

# kmsip_start CONF [OPTION...]: namespaces and kmediad, case 1 of the
# suite; when that fails the other cases are skipped and the suite ends.
kmsip_start() {
	local i

	if setup_ns && start_kmediad "$@"; then
		ktap_ok "kmediad starts in the relay namespace"
		return
	fi
	ktap_diag "$(cat "$log" 2> /dev/null)"
	ktap_fail "kmediad starts in the relay namespace"
	for i in $(seq 2 "$PLAN"); do ktap_skip "case $i" "kmediad did not start"; done
	exit 1
}

# kmsip_clean WHEN: one case, no stream and no socket left in the relay
kmsip_clean() {
	local s

	s=$(settled)
	if [ "$(field streams "$s")" = 0 ] && [ "$(field sockets "$s")" = 0 ]; then
		ktap_ok "no stream or socket left in the kernel $1"
	else
		ktap_fail "no stream or socket left in the kernel $1: $s"
	fi
}

# the kernel state a moment after a call ended (the BYE answer is async)
settled() {
	local s
	for _ in $(seq 30); do
		s=$(in_relay "$tools/kmt-sip-stats")
		[ "$(field streams "$s")" = 0 ] && [ "$(field sockets "$s")" = 0 ] && break
		sleep 0.1
	done
	echo "$s"
}

# the relay's kernel streams, one line each (a suite may want another tool)
stream_dump() { in_relay "$tools/kmt-sip-stats" -d; }

# wait_streams PATTERN...: poll stream_dump until every pattern matches a
# line, for 30 s at most; prints the last dump, true if they all matched
wait_streams() {
	local streams p all
	for _ in $(seq 300); do
		streams=$(stream_dump)
		all=1
		for p in "$@"; do
			grep -q -- "$p" <<< "$streams" || all=0
		done
		[ "$all" = 1 ] && break
		sleep 0.1
	done
	echo "$streams"
	[ "$all" = 1 ]
}

# pcap_calls N CHECK-NAME: N calls of SIPp's uac_pcap (PCMA and RFC 2833
# from pcaps, 246 packets per call) to SIPp's uas -rtp_echo, one case
pcap_calls() {
	local n=$1 name=$2 uas uac_rc uas_rc ok
	mkdir -p "$tmp/pcap"
	ln -sf /usr/share/sip-tester/*.pcap "$tmp/pcap/"
	(cd "$tmp" && exec ip netns exec "$UAS" sipp -sn uas -i 10.31.2.1 -p 5060 \
		-mi 10.31.2.1 -mp 6000 -rtp_echo -m "$n" -nostdin \
		-timeout 180s > "$tmp/uas-rtp.out" 2>&1) &
	uas=$!
	sleep 1
	(cd "$tmp" && exec ip netns exec "$UAC" sipp -sn uac_pcap 10.31.1.2:5060 \
		-i 10.31.1.1 -p 5070 -mi 10.31.1.1 -m "$n" -r 1 -l "$n" \
		-nostdin -timeout 180s -trace_stat -stf "$tmp/uac-rtp.csv" \
		> "$tmp/uac-rtp.out" 2>&1)
	uac_rc=$?
	wait "$uas"
	uas_rc=$?
	ok=$(csv_col "$tmp/uac-rtp.csv" "SuccessfulCall(C)")
	if [ "$uac_rc" = 0 ] && [ "$uas_rc" = 0 ] && [ "$ok" = "$n" ]; then
		ktap_ok "$name"
	else
		ktap_diag "uac rc $uac_rc, uas rc $uas_rc, successful calls '$ok'"
		tail -n 20 "$tmp/uac-rtp.out" "$tmp/uas-rtp.out" "$log" | diag_file
		ktap_fail "$name"
	fi
}

# nat_call: a call whose caller's SDP says port 7000 while its RTP
# (tests/tools/kmt-sip-rtp, 50 packets) leaves from 6300, to SIPp's uas
# -rtp_echo. Sets $port (the relay's port facing the caller), $rtp (what
# kmt-sip-rtp printed), $rtp_rc, $streams (the kernel's streams while the
# call was up; empty without the module), and $uac_rc and $uas_rc of the
# SIPp runs.
nat_call() {
	local uas uac
	(cd "$tmp" && exec ip netns exec "$UAS" sipp -sn uas -i 10.31.2.1 -p 5060 \
		-mi 10.31.2.1 -mp 6000 -rtp_echo -m 1 -nostdin -timeout 60s \
		> "$tmp/nat-uas.out" 2>&1) &
	uas=$!
	sleep 1
	(cd "$tmp" && exec ip netns exec "$UAC" sipp -sf "$sipdir/uac-nat.xml" \
		10.31.1.2:5060 -i 10.31.1.1 -p 5070 -mi 10.31.1.1 -m 1 \
		-nostdin -timeout 60s > "$tmp/nat-uac.out" 2>&1) &
	uac=$!
	# the relay's port facing the caller, from the call's stream set-up
	port=
	for _ in $(seq 150); do
		port=$(grep "B->A rtp: .* -> 10\.31\.1\.1:7000$" "$log" | tail -n 1 |
		       sed -n 's/.* -> [0-9]*:\([0-9]*\) (RTP) -> .*/\1/p')
		[ -n "$port" ] && break
		sleep 0.1
	done
	rtp=$(in_uac "$tools/kmt-sip-rtp" -l 6300 10.31.1.2 "${port:-1}" 50)
	rtp_rc=$?
	streams=$(in_relay "$tools/kmt-sip-stats" -d 2> /dev/null)
	wait "$uac"
	uac_rc=$?
	wait "$uas"
	uas_rc=$?
}
