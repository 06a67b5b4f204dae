#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kmedia CLI on the host, without the module: bad usage is refused
# with exit status 1 and a message naming what was wrong, before any
# netlink request; every keyword of the CLI's tables is in "kmedia help",
# in the man page and in the bash completion.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

kmedia=$top/tools/kmedia
man=$top/Documentation/kmedia.8
completion=$top/tools/completion/kmedia
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The keywords: every string of the tools' keyword tables.
keywords=$(for f in "$top"/tools/kmedia*.c; do
	awk '/static const char \*const [a-z_]+\[\] = \{/ { f = $0 !~ /headers/ }
	     f { print } /\};/ { f = 0 }' "$f"
done | grep -o '"[^"]*"' | tr -d '"' | sort -u)


# usage STDERR_SUBSTRING ARGS...: exit 1, that message, nothing on stdout.
cases=(
	'unknown option "-x"|-x stream show'
	'option "-n" needs a value|-n'
	'unknown object "frob"|frob'
	'stream: unknown command "frob"|stream frob'
	'stream add: unknown keyword "frm"|stream add frm 1'
	'stream add: missing value for "from"|stream add from'
	'stream add: "via" is required|stream add from 1 to 10.0.0.1:5'
	'stream add: "to" is required|stream add from 1 via 2'
	'stream add: invalid value "10.0.0.1" for "to"|stream add from 1 via 2 to 10.0.0.1'
	'stream add: invalid value "10.0.0.1:0" for "to"|stream add from 1 via 2 to 10.0.0.1:0'
	'stream add: invalid value "[::1]" for "to"|stream add from 1 via 2 to [::1]'
	'stream add: invalid value "128" for "pt"|stream add from 1 via 2 to 10.0.0.1:5 pt 128'
	'stream add: invalid value "9-8" for "pt"|stream add from 1 via 2 to 10.0.0.1:5 pt 9-8'
	'stream add: invalid value "0,,8" for "pt"|stream add from 1 via 2 to 10.0.0.1:5 pt 0,,8'
	'stream add: invalid value "64" for "dscp"|stream add from 1 via 2 to 10.0.0.1:5 dscp 64'
	'stream add: invalid value "af44" for "dscp"|stream add from 1 via 2 to 10.0.0.1:5 dscp af44'
	'stream add: invalid value "3x" for "idle-timeout"|stream add from 1 via 2 to 10.0.0.1:5 idle-timeout 3x'
	'stream add: invalid value "99999999h" for "idle-timeout"|stream add from 1 via 2 to 10.0.0.1:5 idle-timeout 99999999h'
	'stream add: invalid value "-1" for "cookie"|stream add from 1 via 2 to 10.0.0.1:5 cookie -1'
	'stream add: invalid value "video" for "kind"|stream add from 1 via 2 to 10.0.0.1:5 kind video'
	'stream add: invalid value "4294967296" for "clock-rate"|stream add from 1 via 2 to 10.0.0.1:5 clock-rate 4294967296'
	'stream add: invalid socket "x" for "via" (want ID or ADDR:PORT)|stream add from 1 via x to 10.0.0.1:5'
	'stream add: "id" is assigned by the kernel|stream add id 3 from 1 via 2 to 10.0.0.1:5'
	'stream add: missing value for "srtp-in"|stream add from 1 via 2 to 10.0.0.1:5 srtp-in'
	'stream add: unknown SRTP suite "AES" for "srtp-out"|stream add from 1 via 2 to 10.0.0.1:5 srtp-out AES inline:x'
	'stream add: missing key after "srtp-in AES_CM_128_HMAC_SHA1_80"|stream add from 1 via 2 to 10.0.0.1:5 srtp-in AES_CM_128_HMAC_SHA1_80'
	'stream add: invalid key for "srtp-in"|stream add from 1 via 2 to 10.0.0.1:5 srtp-in AES_CM_128_HMAC_SHA1_80 inline:QUJD'
	'stream add: invalid value "zz" for "mki"|stream add from 1 via 2 to 10.0.0.1:5 srtp-in AES_CM_128_HMAC_SHA1_80 inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e mki zz'
	'stream add: invalid value "32" for "replay-window"|stream add from 1 via 2 to 10.0.0.1:5 srtp-in aes_cm_128_hmac_sha1_80 inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e replay-window 32'
	'stream add: missing value for "roc"|stream add from 1 via 2 to 10.0.0.1:5 srtp-in AES_CM_128_HMAC_SHA1_80 inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e roc'
	'stream change: missing stream ID|stream change'
	'stream change: invalid stream ID "x"|stream change x'
	'stream change: nothing to change|stream change 5'
	'stream change: "from" cannot be changed|stream change 5 from 1'
	'stream change: "kind" cannot be changed|stream change 5 kind rtcp'
	'stream del: missing stream ID|stream del'
	'stream del: invalid stream ID "y"|stream del y'
	'stream show: unknown keyword "bogus"|stream show bogus 1'
	'stream show: missing value for "cookie"|stream show cookie'
	'stream show: invalid value "x" for "idle-gt"|stream show idle-gt x'
	'stream flush: missing value for "cookie"|stream flush cookie'
	'stream flush: unknown keyword "all"|stream flush all'
	'socket: unknown command "frob"|socket frob'
	'socket attach: missing "local ADDR:PORT"|socket attach'
	'socket attach: invalid address "1.2.3" for "local"|socket attach local 1.2.3'
	'socket attach: missing value for "local"|socket attach local'
	'socket del: invalid socket ID "abc"|socket del abc'
	'socket show: unknown keyword "x"|socket show x'
	'stats show: unknown keyword "x"|stats show x'
	'monitor: unknown event "foo"|monitor foo'
	'wait: only in batch mode (-b)|wait'
	'cannot open network namespace "kmedia-none"|-n kmedia-none stats show'
	'-b runs the commands of a file; "stats" is extra|-b /dev/null stats'
	'cannot open batch file "/nonexistent"|-b /nonexistent'
)

ktap_plan $((${#cases[@]} + 8))

for c in "${cases[@]}"; do
	want=${c%%|*}
	read -r -a args <<< "${c#*|}"
	"$kmedia" "${args[@]}" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ "$rc" = 1 ] && [ ! -s "$tmp/out" ] && grep -qF -- "$want" "$tmp/err"; then
		ktap_ok "status 1: ${args[*]}"
	else
		ktap_diag "status $rc, stderr: $(cat "$tmp/err")"
		ktap_fail "status 1: ${args[*]}"
	fi
done

printf 'stats show\n"unclosed\n' > "$tmp/batch"
"$kmedia" -b "$tmp/batch" > /dev/null 2> "$tmp/err"
rc=$?
# Line 1 fails first without the module (status 2) or reaches line 2.
if { [ "$rc" = 2 ] && grep -q "$tmp/batch:1: command failed" "$tmp/err"; } ||
   { [ "$rc" = 1 ] && grep -q "$tmp/batch:2: unclosed quote" "$tmp/err"; }; then
	ktap_ok "batch names the failing line"
else
	ktap_diag "status $rc: $(cat "$tmp/err")"
	ktap_fail "batch names the failing line"
fi

if "$kmedia" -V | grep -qx "kmedia $(cat "$top/VERSION") (libkmedia $(cat "$top/VERSION"))"; then
	ktap_ok "-V prints the versions"
else
	ktap_fail "-V prints the versions"
fi

"$kmedia" help > "$tmp/help" 2>&1
missing=$(for k in $keywords; do grep -qw -- "$k" "$tmp/help" || echo "$k"; done)
if [ -z "$missing" ] && [ -n "$keywords" ]; then
	ktap_ok "kmedia help lists every keyword"
else
	ktap_fail "kmedia help lists every keyword (missing: $missing)"
fi
for obj in stream socket stats monitor; do
	"$kmedia" "$obj" help > "$tmp/objhelp" 2>&1 || echo "$obj help failed"
	grep -qF -- "$(head -1 "$tmp/objhelp")" "$tmp/help" || echo "$obj help not in kmedia help"
done > "$tmp/objerr"
if [ ! -s "$tmp/objerr" ]; then
	ktap_ok "kmedia OBJECT help is part of kmedia help"
else
	ktap_fail "kmedia OBJECT help: $(cat "$tmp/objerr")"
fi

# The man page, rendered (hyphens as typed), or its roff source without
# font escapes on a host without man-db.
if command -v man > /dev/null; then
	MANWIDTH=200 man -l -P cat "$man" 2> "$tmp/manerr" | sed 's/‐/-/g' > "$tmp/man"
else
	sed 's/\\f[BIRP]//g; s/\\-/-/g; s/^\.[A-Z]* //; s/ ", "/,/' "$man" > "$tmp/man"
fi
missing=$(for k in $keywords; do grep -qw -- "$k" "$tmp/man" || echo "$k"; done)
if [ -s "$tmp/man" ] && [ -z "$missing" ]; then
	ktap_ok "the man page describes every keyword"
else
	ktap_fail "the man page describes every keyword (missing: $missing)"
fi
for o in -j -p -s -n -b -V -h; do
	grep -q -- "^ *$o," "$tmp/man" || echo "$o"
done > "$tmp/opterr"
if [ ! -s "$tmp/opterr" ]; then
	ktap_ok "the man page describes every option"
else
	ktap_fail "the man page describes every option (missing: $(cat "$tmp/opterr"))"
fi

# Completion: valid bash that offers the commands' keywords.
missing=$(for k in $keywords; do
	case $k in list|delete|detach|help) continue ;; esac
	grep -qw -- "$k" "$completion" || echo "$k"
done)
if bash -n "$completion" && [ -z "$missing" ]; then
	ktap_ok "bash completion parses and knows every keyword"
else
	ktap_fail "bash completion (missing: $missing)"
fi

# Completion at work, with bash-completion's _init_completion stood in for
# (the package need not be installed to test what the script offers).
complete_words() {
	bash -c '
		_init_completion() {
			words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
			cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
		}
		_filedir() { :; }
		compopt() { :; }
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		_kmedia
		echo "${COMPREPLY[*]}"' complete "$completion" "$@"
}
fail=
[ "$(complete_words kmedia st)" = "stream stats" ] || fail+=" objects"
[ "$(complete_words kmedia -j s sh f)" = "from" ] || fail+=" show-filter"
[[ " $(complete_words kmedia stream add "") " == *" via "*" srtp-out "* ]] || fail+=" add"
[ "$(complete_words kmedia stream add srtp-in AEAD)" = \
  "AEAD_AES_128_GCM AEAD_AES_256_GCM" ] || fail+=" suites"
[ "$(complete_words kmedia stream add srtp-in AEAD_AES_128_GCM "")" = "inline:" ] ||
	fail+=" inline"
[ "$(complete_words kmedia socket "")" = "show attach del help" ] || fail+=" socket"
if [ -z "$fail" ]; then
	ktap_ok "bash completion offers objects, commands, keywords and suites"
else
	ktap_fail "bash completion offers objects, commands, keywords and suites:$fail"
fi

ktap_finish
