# SPDX-License-Identifier: GPL-2.0-or-later
#
# Minimal KTAP output for shell suites: source it, call ktap_plan N, then
# ktap_ok / ktap_fail / ktap_skip (or ktap_check CMD...) per case, and end
# with ktap_finish, which exits 0 only if every case passed or was skipped.

KTAP_N=0
KTAP_FAILED=0

ktap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

ktap_ok() {
	KTAP_N=$((KTAP_N + 1))
	echo "ok $KTAP_N $*"
}

ktap_fail() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_FAILED=$((KTAP_FAILED + 1))
	echo "not ok $KTAP_N $*"
}

ktap_skip() {
	local name=$1
	shift
	KTAP_N=$((KTAP_N + 1))
	echo "ok $KTAP_N $name # SKIP $*"
}

ktap_diag() {
	echo "# $*"
}

# ktap_check NAME CMD...: one case that passes when CMD succeeds; CMD's
# output becomes diagnostics.
ktap_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_ok "$name"
	else
		[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
		ktap_fail "$name"
	fi
}

ktap_finish() {
	[ "$KTAP_FAILED" = 0 ]
	exit $?
}
