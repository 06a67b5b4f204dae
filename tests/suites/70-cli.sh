#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kmedia CLI against the real module: every command's human and JSON
# output compared with golden files (tests/cli/*), JSON checked by a real
# parser, every error path with its exit status and message, batch mode,
# -n NETNS, and monitor catching latch and idle events from real packets.
#
# Everything runs in fresh named namespaces (socket and stream IDs start at
# 1) on loopback. Changing fields (idle times, jitter) are normalised before
# comparing. KMEDIA_CLI_REGEN=1 writes the outputs to $KMEDIA_OUT/cli/
# instead of comparing, to review and copy into tests/cli/.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

kmedia=$top/tools/kmedia
gold=$top/tests/cli
rtp=(/usr/bin/python3 "$gold/rtp.py")
regen=${KMEDIA_CLI_REGEN:-}
ns=kmcli
ns2=kmcli-batch
tmp=$(mktemp -d)
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	ip netns del "$ns2" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

K() { "$kmedia" -n "$ns" "$@"; }
inns() { ip netns exec "$ns" "$@"; }

ktap_plan 76

# golden NAME: compare standard input with tests/cli/NAME.
golden() {
	local name=$1
	cat > "$tmp/got"
	if [ -n "$regen" ]; then
		mkdir -p "$KMEDIA_OUT/cli"
		cp "$tmp/got" "$KMEDIA_OUT/cli/$name"
		ktap_ok "golden $name # regenerated"
	elif diff -u "$gold/$name" "$tmp/got" > "$tmp/diff" 2>&1; then
		ktap_ok "golden $name"
	else
		sed 's/^/# /' "$tmp/diff"
		ktap_fail "golden $name"
	fi
}

# Text: the last column of a stream row is its idle time; jitter and the
# module version change too (norm_json masks the same in JSON).
norm_idle() {
	sed -E '/^[0-9]/ s/ [0-9.]+(ms|s|m[0-9]+s|h[0-9]+m)$/ IDLE/
		s/jitter [0-9]+/jitter J/; s/^module .*/module VERSION/'
}

# norm_json: standard input is one JSON document, which a real parser
# (python's json, exact with 64-bit integers, unlike jq 1.6) accepts; print
# it indented, keys in their order, with idle times, jitter and the module
# version masked.
norm_json() {
	/usr/bin/python3 -c '
import json, sys
MASK = {"idle_ms": "IDLE", "jitter": "J", "version": "VERSION"}
def norm(v):
    if isinstance(v, dict):
        return {k: MASK[k] if k in MASK and x is not None else norm(x)
                for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v
print(json.dumps(norm(json.loads(sys.stdin.read())), indent=2))'
}

# shown NORM NAME CMD...: CMD succeeds without a word on stderr, and its
# output through NORM (norm_idle or norm_json) is golden NAME.
shown() {
	local norm=$1 name=$2 rc
	shift 2
	"$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ "$rc" != 0 ] || [ -s "$tmp/err" ] || ! "$norm" < "$tmp/out" > "$tmp/norm"; then
		sed 's/^/# /' "$tmp/err" "$tmp/out"
		ktap_fail "golden $name (status $rc, or output $norm refused)"
		return
	fi
	golden "$name" < "$tmp/norm"
}
text() { shown norm_idle "$@"; }
json() { shown norm_json "$@"; }

# fails RC CMD...: CMD exits RC, prints nothing on stdout and a message on
# stderr; the messages of every call are compared at the end (errors.txt).
fails() {
	local want=$1 rc
	shift
	"$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	{
		echo "\$ kmedia ${*:2}"
		echo "status $rc"
		cat "$tmp/err"
	} >> "$tmp/errors"
	if [ "$rc" = "$want" ] && [ ! -s "$tmp/out" ] && [ -s "$tmp/err" ]; then
		ktap_ok "status $want: ${*:2}"
	else
		sed 's/^/# /' "$tmp/out" "$tmp/err"
		ktap_fail "status $want (got $rc): ${*:2}"
	fi
}

# wait_for FILE PATTERN: until FILE has a line matching PATTERN (30 s).
wait_for() {
	for _ in $(seq 300); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# subscribed PID: the process has a generic netlink socket in $ns that
# joined a multicast group (/proc/net/netlink: Eth 16, Pid, Groups).
subscribed() {
	for _ in $(seq 300); do
		inns awk -v pid="$1" '$2 == 16 && $3 == pid && $4 != "00000000" { f = 1 }
			END { exit !f }' /proc/net/netlink && return 0
		sleep 0.1
	done
	return 1
}

ip netns add "$ns"
inns ip link set lo up

# --- sockets, held by a background "socket attach" -------------------------
# Background jobs run kmedia itself (not K), so that $! is its PID.
"$kmedia" -n "$ns" socket attach local 127.0.0.1:4000 local 127.0.0.1:4002 \
	local '[::1]:4004' > "$tmp/attach" 2> "$tmp/attach.err" &
pids+=($!)
holder=$!
if wait_for "$tmp/attach" '^3 '; then
	golden socket-attach.txt < "$tmp/attach"
else
	sed 's/^/# /' "$tmp/attach" "$tmp/attach.err"
	ktap_fail "socket attach prints the attached sockets"
fi

# --- streams ---------------------------------------------------------------
K stream add from 127.0.0.1:4000 via 2 to 127.0.0.1:5000 latch cookie 7 \
	pt 0,8,96-127 dscp ef idle-timeout 1s > "$tmp/id1" 2>&1
K stream add from 2 kind rtcp via 1 to 127.0.0.1:5001 \
	strict 127.0.0.1:5003 cookie 7 clock-rate 48000 > "$tmp/id2" 2>&1
K stream add from 2 via 3 to '[::1]:5004' cookie 0x10 \
	srtp-in AES_CM_128_HMAC_SHA1_80 \
	inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e \
	srtp-out AEAD_AES_256_GCM \
	inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKyw= \
	mki 0102 ssrc 0xcafe roc 3 replay-window 256 > "$tmp/id3" 2>&1
cat "$tmp/id1" "$tmp/id2" "$tmp/id3" > "$tmp/ids"
golden stream-add.txt < "$tmp/ids"
json stream-add.json K -j stream add from 3 via 3 to '[::1]:5006' any \
	kind rtcp cookie 0x10 idle-timeout 2500ms

text stream-show.txt K stream show
text stream-show-s.txt K -s stream show
text stream-show-ss.txt K -s -s stream show
json stream-show.json K -j stream show
json stream-show-s.json K -j -s stream show
text stream-show-cookie.txt K stream show cookie 16
text stream-show-from.txt K stream show from 127.0.0.1:4002
text stream-show-via.txt K stream show via 3 kind rtcp
text stream-show-socket.txt K stream show socket 1
text stream-show-id.txt K st sh id 2
json stream-show-id.json K -j stream show id 2

# -p: the same document, indented.
if K -j -p stream show id 2 > "$tmp/pretty" &&
   [ "$(wc -l < "$tmp/pretty")" -gt 10 ] &&
   [ "$(jq -c 'del(.[].idle_ms)' < "$tmp/pretty")" = \
     "$(K -j stream show id 2 | jq -c 'del(.[].idle_ms)')" ]; then
	ktap_ok "-p indents the same JSON document"
else
	ktap_fail "-p indents the same JSON document"
fi

text socket-show.txt K socket show
text socket-show-s.txt K -s socket show
json socket-show.json K -j -s socket show
json socket-show-id.json K -j socket show id 2
text stats-show.txt K stats show
json stats-show.json K -j stats show

# --- events and traffic ------------------------------------------------------
"$kmedia" -n "$ns" monitor > "$tmp/mon" 2>&1 &
pids+=($!)
mon=$!
"$kmedia" -n "$ns" -j monitor latch idle > "$tmp/monj" 2>&1 &
pids+=($!)
monj=$!
if subscribed "$mon" && subscribed "$monj"; then
	ktap_ok "monitors joined the events group"
else
	ktap_fail "monitors joined the events group"
fi

got=$(inns "${rtp[@]}" 5002 4000 5 5000)
if [ "$got" = 5 ]; then
	ktap_ok "5 RTP packets relayed by stream 1"
else
	ktap_fail "5 RTP packets relayed by stream 1 (got '$got')"
fi
if wait_for "$tmp/mon" '^latch stream 1 cookie 7 src 127.0.0.1:5002$'; then
	ktap_ok "monitor prints the latch event"
else
	sed 's/^/# /' "$tmp/mon"
	ktap_fail "monitor prints the latch event"
fi
if wait_for "$tmp/mon" '^idle stream 1 cookie 7 idle [0-9.]*s$'; then
	ktap_ok "monitor prints the idle event"
else
	sed 's/^/# /' "$tmp/mon"
	ktap_fail "monitor prints the idle event"
fi
# Ten packets that fail SRTP authentication on stream 3 (srtp-in): one
# srtp-fail event, and the drops counted.
inns "${rtp[@]}" 5022 4002 10
if wait_for "$tmp/mon" '^srtp-fail stream 3 cookie 16 failures [0-9]*$'; then
	ktap_ok "monitor prints the srtp-fail event"
else
	sed 's/^/# /' "$tmp/mon"
	ktap_fail "monitor prints the srtp-fail event"
fi
text stream-show-srtp.txt K -s -s stream show id 3
json stream-show-srtp.json K -j -s stream show id 3
wait_for "$tmp/monj" '"idle"'
kill -TERM "$mon" "$monj"
if /usr/bin/python3 - "$tmp/monj" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
latch = [e for e in events if e["event"] == "latch"]
idle = [e for e in events if e["event"] == "idle" and e["id"] == 1]
assert latch == [{"event": "latch", "id": 1, "cookie": 7,
                  "src": {"address": "127.0.0.1", "port": 5002}}], latch
assert idle and idle[-1]["idle_ms"] >= 1000 and idle[-1]["cookie"] == 7, idle
assert all(e["event"] in ("latch", "idle") for e in events), events
PY
then
	ktap_ok "monitor -j prints one JSON object per event line"
else
	sed 's/^/# /' "$tmp/monj"
	ktap_fail "monitor -j prints one JSON object per event line"
fi

# Two packets of payload type 9, not allowed: dropped and counted.
inns /usr/bin/python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 5002))
for i in range(2):
    s.sendto(struct.pack("!BBHII", 0x80, 9, 200 + i, 0, 0x11223344) + bytes(20),
             ("127.0.0.1", 4000))
'
# One packet from another source: passed to the socket (latched source).
inns "${rtp[@]}" 5012 4000 1
text stream-show-traffic.txt K -s -s stream show id 1
json stream-show-traffic.json K -j -s stream show id 1
text socket-show-traffic.txt K -s socket show id 1
json stats-show-traffic.json K -j stats show
text stream-show-idle.txt K stream show idle-gt 0
text stream-show-idle-none.txt K stream show idle-gt 1h
if [ "$("$kmedia" -n "/run/netns/$ns" stats show)" = "$(K stats show)" ]; then
	ktap_ok "-n takes a namespace path too"
else
	ktap_fail "-n takes a namespace path too"
fi

# --- change -------------------------------------------------------------------
if K stream change 1 to 127.0.0.1:5010 dscp 10 pt all latch idle-timeout off \
	cookie 8 clock-rate 16000 > "$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then
	ktap_ok "stream change succeeds silently"
else
	sed 's/^/# /' "$tmp/out"
	ktap_fail "stream change succeeds silently"
fi
K stream change id 3 srtp-in none srtp-out NULL_HMAC_SHA1_32 \
	inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e via 1 \
	to 127.0.0.1:5020
K stream change 4 cookie 18446744073709551615
text stream-change.txt K stream show
json stream-change.json K -j stream show id 4

# --- errors -------------------------------------------------------------------
: > "$tmp/errors"
fails 1 K stream add frm 1
fails 1 K stream add from 1 via 2
fails 1 K stream add from 1 via 2 to 127.0.0.1
fails 1 K stream add from 127.0.0.1:4999 via 2 to 127.0.0.1:5000
fails 1 K stream add from 1 via 2 to 127.0.0.1:5000 pt 128
fails 1 K stream add from 1 via 2 to 127.0.0.1:5000 srtp-in AES_CM_128_HMAC_SHA1_80 inline:QUJD
fails 1 K stream change 1
fails 1 K stream frobnicate
fails 1 K socket attach local 127.0.0.1
fails 2 K stream add from 99 via 2 to 127.0.0.1:5000
fails 2 K stream add from 3 via 3 to 127.0.0.1:5000
fails 2 K stream add from 1 via 2 to 127.0.0.1:5000
fails 2 K stream change 1 via 3
fails 2 K stream add from 3 via 3 to '[::1]:5000' srtp-in AES_CM_128_HMAC_SHA1_80 \
	inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e kdr 1
fails 1 K stream change 1 kind rtcp
fails 1 K stream change 1 from 2
fails 1 K stream change 1 cookie
fails 2 K stream del 999
fails 2 K stream show id 999
fails 2 K socket del 999
fails 2 K socket show id 999
fails 2 K socket attach local 127.0.0.1:4000
fails 1 "$kmedia" -n kmcli-none stream show
golden errors.txt < "$tmp/errors"

# --- del, flush, socket del -----------------------------------------------------
if K stream del 2 > "$tmp/out" 2>&1 && [ ! -s "$tmp/out" ] &&
   ! K stream show id 2 > /dev/null 2>&1; then
	ktap_ok "stream del deletes silently"
else
	ktap_fail "stream del deletes silently"
fi
text stream-flush.txt K -s stream flush cookie 0x10
json stream-flush.json K -j stream flush
text socket-del.txt K socket del 2
text socket-after-del.txt K socket show

kill -TERM "$holder"
wait "$holder"
rc=$?
if [ "$rc" = 0 ] && [ "$(K -j stats show | jq .sockets)" = 0 ]; then
	ktap_ok "socket attach ends on SIGTERM, releasing its sockets"
else
	ktap_fail "socket attach ends on SIGTERM, releasing its sockets (status $rc)"
fi

# --- -n: each namespace its own ------------------------------------------------
ip netns add "$ns2"
if [ "$("$kmedia" -n "$ns2" -j stats show | jq .sockets)" = 0 ] &&
   [ "$(K -j stats show | jq '.stats.rx_packets')" -gt 0 ]; then
	ktap_ok "-n shows the named namespace's state"
else
	ktap_fail "-n shows the named namespace's state"
fi

# --- batch ----------------------------------------------------------------------
cat > "$tmp/batch" <<'B'
# A relay by hand: two sockets, two streams, held until a signal.
socket attach local 127.0.0.1:6000 local 127.0.0.1:6002
stream add from 127.0.0.1:6000 via 127.0.0.1:6002 to 127.0.0.1:6100 cookie 42
stream add from 127.0.0.1:6002 via 127.0.0.1:6000 to 127.0.0.1:6102 cookie 42

stream show cookie "42"   # quoted words work too
wait
B
ip netns exec "$ns2" ip link set lo up
"$kmedia" -n "$ns2" -b "$tmp/batch" > "$tmp/bout" 2> "$tmp/berr" &
pids+=($!)
bpid=$!
if wait_for "$tmp/bout" '^2 .*127.0.0.1:6102'; then
	ktap_ok "batch runs its commands in order"
else
	sed 's/^/# /' "$tmp/bout" "$tmp/berr"
	ktap_fail "batch runs its commands in order"
fi
got=$(ip netns exec "$ns2" "${rtp[@]}" 6004 6000 3 6100)
if [ "$got" = 3 ]; then
	ktap_ok "batch streams relay while it waits"
else
	ktap_fail "batch streams relay while it waits (got '$got')"
fi
kill -TERM "$bpid"
wait "$bpid"
rc=$?
norm_idle < "$tmp/bout" > "$tmp/norm"
golden batch.txt < "$tmp/norm"
if [ "$rc" = 0 ] && [ ! -s "$tmp/berr" ] &&
   [ "$("$kmedia" -n "$ns2" -j stats show | jq '[.sockets, .streams]' -c)" = "[0,0]" ]; then
	ktap_ok "batch wait ends on SIGTERM, releasing sockets and streams"
else
	ktap_fail "batch wait ends on SIGTERM (status $rc)"
fi

printf 'stats show\nstream bogus\nstats show\n' > "$tmp/bad"
"$kmedia" -n "$ns2" -b "$tmp/bad" > "$tmp/bout" 2> "$tmp/berr"
rc=$?
if [ "$rc" = 1 ] && [ "$(grep -c '^module' "$tmp/bout")" = 1 ] &&
   grep -qx "kmedia: $tmp/bad:2: command failed" "$tmp/berr"; then
	ktap_ok "batch stops at the first failed command, naming its line"
else
	sed 's/^/# /' "$tmp/berr"
	ktap_fail "batch stops at the first failed command (status $rc)"
fi
printf 'stream del 12345\n' | "$kmedia" -n "$ns2" -b - > /dev/null 2> "$tmp/berr"
rc=$?
if [ "$rc" = 2 ] && grep -q '^kmedia: -:1: command failed' "$tmp/berr"; then
	ktap_ok "batch from standard input keeps the kernel's status 2"
else
	ktap_fail "batch from standard input keeps the kernel's status 2 (status $rc)"
fi

ktap_finish
