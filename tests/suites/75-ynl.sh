#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel's own YNL tool (tools/net/ynl/cli.py from Debian's
# linux-source, see scripts/linux-source) drives the kmedia family knowing
# nothing but Documentation/netlink/specs/kmedia.yaml: it reads the totals,
# dumps sockets and streams, gets and changes a stream (the module's policy
# refusing an out-of-range value), and prints the latch and idle events of
# a stream while subscribed to the events group. The sockets and the stream
# belong to tests/tools/kmt-ynl-owner, in a network namespace of their own.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"
spec=$top/Documentation/netlink/specs/kmedia.yaml
owner=$top/tests/build/tools/kmt-ynl-owner
python=/usr/bin/python3
ns=kmedia-t75-$$
tmp=$(mktemp -d)
daemon=

cleanup() {
	[ -z "$daemon" ] || kill "$daemon" 2> /dev/null
	ip netns del "$ns" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ktap_plan 12

linux_source=$("$top/scripts/linux-source") || linux_source=
# The tool moved to tools/net/ynl/pyynl/ in later kernel trees.
cli=
for c in "$linux_source/tools/net/ynl/pyynl/cli.py" "$linux_source/tools/net/ynl/cli.py"; do
	[ -f "$c" ] && { cli=$c; break; }
done
schema=$linux_source/Documentation/netlink/genetlink-legacy.yaml
if [ -z "$cli" ] || ! "$python" -c 'import yaml, jsonschema' 2> /dev/null; then
	ktap_diag "cli.py: ${cli:-not found under $linux_source/tools/net/ynl}"
	ktap_fail "the kernel's cli.py and its Python modules are there"
	ktap_finish
fi
ktap_ok "the kernel's cli.py and its Python modules are there"

# ynl ARGS...: cli.py in the test namespace, JSON output in $tmp/out (its
# errors in $tmp/err); the spec is checked against the kernel's schema.
ynl() {
	ip netns exec "$ns" "$python" "$cli" --spec "$spec" --schema "$schema" \
		--output-json "$@" > "$tmp/out" 2> "$tmp/err"
}

# ynl_case NAME JQ ARGS...: cli.py ARGS must succeed and its output must
# satisfy the jq filter JQ (which must print true).
ynl_case() {
	local name=$1 filter=$2
	shift 2
	if ynl "$@" && [ "$(jq -c "$filter" "$tmp/out" 2> /dev/null)" = true ]; then
		ktap_ok "$name"
	else
		sed 's/^/# /' "$tmp/out" "$tmp/err" | head -n 30
		ktap_fail "$name"
	fi
}

ip netns add "$ns" && ip -n "$ns" link set lo up
ready=$(ip netns exec "$ns" "$owner" start)
# ready PID stream ID sock-in ID sock-out ID
read -r word daemon _ stream _ sock_in _ sock_out <<< "$ready"
if [ "$word" = ready ]; then
	ktap_ok "a process owns two attached sockets and a latching stream"
else
	daemon=
	ktap_diag "$ready"
	ktap_fail "a process owns two attached sockets and a latching stream"
	ktap_finish
fi
cookie=$((0x796e6c))

ynl_case "do netns-get: the module's version and the namespace's totals" \
	".version == \"$(cat "$top/VERSION")\" and .netns.streams == 1 and
	 .netns.sockets == 2 and (.netns.stats | has(\"rx-packets\"))" \
	--do netns-get

ynl_case "dump sock-get: both sockets, their bound addresses and ports" \
	"[.[].sock | select(.local.ipv4 == \"127.0.0.1\") |
	  {id, port: .local.port, streams}] | sort_by(.id) ==
	 [{id: $sock_in, port: 21000, streams: 1},
	  {id: $sock_out, port: 21002, streams: 1}]" \
	--dump sock-get

ynl_case "dump stream-get: the stream with its id, cookie and sockets" \
	"[.[].stream] | length == 1 and .[0].id == $stream and
	 .[0].cookie == $cookie and .[0].\"sock-in\" == $sock_in and
	 .[0].\"sock-out\" == $sock_out and .[0].kind == \"rtp\"" \
	--dump stream-get

ynl_case "dump stream-get filtered by another cookie: nothing" \
	"length == 0" \
	--dump stream-get --json '{"stream": {"cookie": 1}}'

ynl_case "do stream-get: destination, source mode, idle timeout, counters" \
	".stream.id == $stream and .stream.dst == {ipv4: \"127.0.0.1\", port: 31000} and
	 .stream.\"src-mode\" == \"latch\" and .stream.\"idle-timeout\" == 300 and
	 .stream.stats.\"rx-packets\" == 0" \
	--do stream-get --json "{\"stream\": {\"id\": $stream}}"

if ynl --do stream-change --json "{\"stream\": {\"id\": $stream, \"dscp\": 46}}"; then
	ynl_case "do stream-change: the new DSCP reads back" \
		".stream.dscp == 46" \
		--do stream-get --json "{\"stream\": {\"id\": $stream}}"
else
	sed 's/^/# /' "$tmp/out" "$tmp/err"
	ktap_fail "do stream-change: the new DSCP reads back"
fi

# The module's policy (dscp 0-63) refuses what the spec's checks refuse.
if ynl --do stream-change --json "{\"stream\": {\"id\": $stream, \"dscp\": 64}}"; then
	ktap_fail "do stream-change with DSCP 64 is refused by the module"
else
	ktap_diag "$(head -n 1 "$tmp/out")"
	ktap_ok "do stream-change with DSCP 64 is refused by the module"
fi

# Events. cli.py subscribes, sleeps, then prints what arrived; whenever it
# joins the group, the pulses that follow (one each second until it exits)
# make the stream latch and then go idle while it listens.
ip netns exec "$ns" "$python" "$cli" --spec "$spec" --schema "$schema" \
	--output-json --subscribe events --sleep 8 > "$tmp/events" 2> "$tmp/events.err" &
listener=$!
pulses=0
while kill -0 "$listener" 2> /dev/null; do
	ip netns exec "$ns" "$owner" pulse "$stream" > "$tmp/pulse" 2>&1 ||
		sed 's/^/# /' "$tmp/pulse"
	pulses=$((pulses + 1))
	sleep 1
done
wait "$listener"
rc=$?
ktap_diag "$pulses pulses sent while cli.py listened"
if [ "$rc" = 0 ]; then
	ktap_ok "subscribe events: cli.py ran to the end"
else
	sed 's/^/# /' "$tmp/events.err" | head -n 20
	ktap_fail "subscribe events: cli.py ran to the end"
fi
events_case() {
	local name=$1 filter=$2
	if [ "$(jq -c "$filter" "$tmp/events" 2> /dev/null)" = true ]; then
		ktap_ok "$name"
	else
		sed 's/^/# /' "$tmp/events" | head -n 30
		ktap_fail "$name"
	fi
}
events_case "subscribe events: stream-latch-ntf with the stream and its new source" \
	"any(.[]; .name == \"stream-latch-ntf\" and .msg.stream.id == $stream and
	     .msg.stream.cookie == $cookie and .msg.stream.src.ipv4 == \"127.0.0.1\")"
events_case "subscribe events: stream-idle-ntf after the idle timeout" \
	"any(.[]; .name == \"stream-idle-ntf\" and .msg.stream.id == $stream and
	     .msg.stream.cookie == $cookie and .msg.stream.\"idle-ms\" >= 300)"

ktap_finish
