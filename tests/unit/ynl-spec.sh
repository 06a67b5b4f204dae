#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The YNL spec (Documentation/netlink/specs/kmedia.yaml) against the kernel's
# schema, the UAPI header and the generated API reference:
#   - the spec is valid for its protocol's schema;
#   - the header ynl-gen-c.py generates from it declares what
#     include/uapi/linux/kmedia.h declares, name for name and value for value
#     (scripts/ynl-uapi-diff);
#   - the types, byte orders, ranges, lengths and nested sets of its
#     attributes are those of the module's policies, and the attributes it
#     marks read-only are the ones the module refuses in requests
#     (scripts/ynl-policy-diff);
#   - Documentation/netlink-api.rst is what scripts/ynl-gen rst prints now.
# Each check is also shown to fail on a spec or header that was broken on
# purpose, so that a check that always passes cannot go unnoticed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"
spec=$top/Documentation/netlink/specs/kmedia.yaml
uapi=$top/include/uapi/linux/kmedia.h
gen=$top/scripts/ynl-gen
diff_uapi=$top/scripts/ynl-uapi-diff
diff_policy=$top/scripts/ynl-policy-diff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# broken NAME PYTHON: a copy of the spec, $tmp/NAME/kmedia.yaml, with the
# change PYTHON makes to its parsed form (the variable "spec").
broken() {
	mkdir -p "$tmp/$1"
	/usr/bin/python3 - "$spec" "$tmp/$1/kmedia.yaml" "$2" <<'PY'
import sys
import yaml

src, dst, change = sys.argv[1:]
with open(src, encoding="utf-8") as f:
    first = f.readline()
    f.seek(0)
    spec = yaml.safe_load(f)
sets = {s["name"]: s for s in spec["attribute-sets"]}
defs = {d["name"]: d for d in spec["definitions"]}
exec(change)
with open(dst, "w", encoding="utf-8") as f:
    f.write(first)
    yaml.safe_dump(spec, f, sort_keys=False)
PY
}

# uapi_differs NAME SPEC HEADER EXPECTED: the UAPI comparison of SPEC and
# HEADER must fail, and report the difference EXPECTED (a fixed string).
uapi_differs() {
	local name=$1 spec_copy=$2 header=$3 expected=$4
	if "$gen" uapi "$spec_copy" > "$tmp/gen.h" 2> "$tmp/gen.err" &&
	   ! "$diff_uapi" "$tmp/gen.h" "$header" > "$tmp/diff.out" 2>&1 &&
	   grep -qF -- "$expected" "$tmp/diff.out"; then
		ktap_diag "$(grep -m1 -F -- "$expected" "$tmp/diff.out")"
		ktap_ok "$name"
	else
		sed 's/^/# /' "$tmp/gen.err" "$tmp/diff.out" 2>/dev/null
		ktap_fail "$name"
	fi
}

ktap_plan 18

ktap_check "the spec is valid for the kernel's genetlink schema" "$gen" validate
if "$gen" uapi > "$tmp/kmedia.h" 2> "$tmp/gen.err"; then
	ktap_ok "ynl-gen-c.py generates a UAPI header from the spec"
else
	sed 's/^/# /' "$tmp/gen.err"
	ktap_fail "ynl-gen-c.py generates a UAPI header from the spec"
fi
ktap_check "the generated header declares what include/uapi/linux/kmedia.h does" \
	"$diff_uapi" "$tmp/kmedia.h" "$uapi"

# The spec broken in the ways a hand edit could break it.
broken unknown-key 'sets["stream"]["attributes"][1]["length"] = 4'
if "$gen" validate "$tmp/unknown-key/kmedia.yaml" 2> "$tmp/val.err"; then
	ktap_fail "a spec with a key the schema does not know is refused"
else
	ktap_diag "$(head -n 1 "$tmp/val.err")"
	ktap_ok "a spec with a key the schema does not know is refused"
fi
broken missing-attr 'sets["stream"]["attributes"].pop()'
uapi_differs "an attribute missing from the spec is found" \
	"$tmp/missing-attr/kmedia.yaml" "$uapi" \
	"KMEDIA_STREAM_A_SRTP_FAILURES is not in the spec"
broken shifted 'sets["stats"]["attributes"].insert(3, {"name": "rx-dropped", "type": "u64"})'
uapi_differs "an attribute added in the middle (values shift) is found" \
	"$tmp/shifted/kmedia.yaml" "$uapi" \
	"KMEDIA_STATS_A_TX_PACKETS is 3 in $uapi, 4 in the spec"
broken renamed 'defs["src-mode"]["entries"][2]["name"] = "learn"'
uapi_differs "an enum entry renamed in the spec is found" \
	"$tmp/renamed/kmedia.yaml" "$uapi" \
	"KMEDIA_SRC_LATCH is not in the spec"
broken const 'defs["srtp-mki-max"]["value"] = 32'
uapi_differs "a constant with another value is found" \
	"$tmp/const/kmedia.yaml" "$uapi" \
	"KMEDIA_SRTP_MKI_MAX: 16 in $uapi, 32 in the spec"

# The header changed without the spec.
sed 's/^\tKMEDIA_CMD_STREAM_SRTP_FAIL_NTF,$/&\n\tKMEDIA_CMD_STREAM_NEW_NTF,/' \
	"$uapi" > "$tmp/extra-cmd.h"
uapi_differs "a command in the header but not in the spec is found" \
	"$spec" "$tmp/extra-cmd.h" \
	"KMEDIA_CMD_STREAM_NEW_NTF is not in the spec"
sed 's/^#define KMEDIA_MCGRP_EVENTS\t"events"$/&\n#define KMEDIA_MCGRP_STATS\t"stats"/' \
	"$uapi" > "$tmp/extra-grp.h"
uapi_differs "a multicast group in the header but not in the spec is found" \
	"$spec" "$tmp/extra-grp.h" \
	"KMEDIA_MCGRP_STATS: in $tmp/extra-grp.h, not in the spec"

# The module's policies.
ktap_check "the spec's attribute types and checks are the module's policies" \
	"$diff_policy"
# policy_differs NAME SPEC SOURCE EXPECTED: like uapi_differs, for the
# policies of the kernel source file SOURCE.
policy_differs() {
	local name=$1 spec_copy=$2 source=$3 expected=$4
	if ! "$diff_policy" "$spec_copy" "$source" > "$tmp/diff.out" 2>&1 &&
	   grep -qF -- "$expected" "$tmp/diff.out"; then
		ktap_diag "$(grep -m1 -F -- "$expected" "$tmp/diff.out")"
		ktap_ok "$name"
	else
		sed 's/^/# /' "$tmp/diff.out"
		ktap_fail "$name"
	fi
}
netlink_c=$top/kmod/netlink.c
broken range 'sets["stream"]["attributes"][10]["checks"]["max"] = 62'
policy_differs "a range narrower than the module's is found" \
	"$tmp/range/kmedia.yaml" "$netlink_c" \
	"KMEDIA_STREAM_A_DSCP: the spec says NLA_U8 [-, 62], the kernel policy NLA_U8 [-, 63]"
broken byte-order 'del sets["addr"]["attributes"][3]["byte-order"]'
policy_differs "a port in host byte order is found" \
	"$tmp/byte-order/kmedia.yaml" "$netlink_c" \
	"KMEDIA_ADDR_A_PORT: the spec says NLA_U16 [1, -], the kernel policy NLA_BE16 [1, -]"
broken writable 'sets["stream"]["attributes"][13]["doc"] = "learned"'
policy_differs "an attribute the module refuses but the spec lets requests set is found" \
	"$tmp/writable/kmedia.yaml" "$netlink_c" \
	"KMEDIA_STREAM_A_LATCHED: the spec says NLA_FLAG, the kernel policy reject"
sed -e 's/NLA_POLICY_RANGE(NLA_BINARY, 16, 32)/NLA_POLICY_RANGE(NLA_BINARY, 16, 24)/' \
    -e 's/^\t\[KMEDIA_STREAM_A_COOKIE\] = { .type = NLA_U64 },$/&\n\t[KMEDIA_STREAM_A_LABEL] = { .type = NLA_NUL_STRING },/' \
	"$netlink_c" > "$tmp/netlink.c"
policy_differs "a key length the module changed is found" "$spec" "$tmp/netlink.c" \
	"KMEDIA_SRTP_A_MASTER_KEY: the spec says NLA_BINARY [16, 32], the kernel policy NLA_BINARY [16, 24]"
policy_differs "a policy for an attribute the spec lacks is found" "$spec" "$tmp/netlink.c" \
	"KMEDIA_STREAM_A_LABEL: has a kernel policy, not in the spec"

# The API reference.
if "$gen" rst > "$tmp/netlink-api.rst" 2> "$tmp/gen.err" &&
   diff -u "$top/Documentation/netlink-api.rst" "$tmp/netlink-api.rst" > "$tmp/rst.diff"; then
	ktap_ok "Documentation/netlink-api.rst is generated from the spec as it is"
else
	sed 's/^/# /' "$tmp/gen.err" "$tmp/rst.diff" | head -n 20
	ktap_diag "refresh it: scripts/ynl-gen rst > Documentation/netlink-api.rst"
	ktap_fail "Documentation/netlink-api.rst is generated from the spec as it is"
fi
broken doc 'sets["stream"]["attributes"][1]["doc"] = "changed"'
if "$gen" rst "$tmp/doc/kmedia.yaml" > "$tmp/doc.rst" 2> "$tmp/gen.err" &&
   ! cmp -s "$top/Documentation/netlink-api.rst" "$tmp/doc.rst"; then
	ktap_ok "a doc string changed in the spec makes the reference differ"
else
	ktap_fail "a doc string changed in the spec makes the reference differ"
fi
ktap_finish
