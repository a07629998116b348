#!/bin/sh
# Golden tests: the output of ikedump and pcapcorrelate for each case of
# tests/golden/TESTLIST (its header says the format) must equal the expected
# file in captures/golden/ byte for byte, and the tool must exit 0.
# usage (by make check): golden.sh [NAME...]   only the cases named
# With IKS_GOLDEN_REGEN=1 (scripts/golden-regen.sh) each case's output is
# written to its expected file instead of compared.
set -e
: "${IKS_CAPTURES:?run through make check}" "${IKEDUMP:?}" "${PCAPCORRELATE:?}"
list=$(cd "$(dirname "$0")" && pwd)/TESTLIST
TZ=UTC
export TZ
set -f # OPTIONS are split on blanks, never globbed
pass=0 fail=0 seen=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cd "$IKS_CAPTURES"
while read -r name tool inputs want opts; do
	case "$name" in ''|'#'*) continue ;; esac
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	seen=$((seen + 1))
	case "$tool" in
	ikedump) bin=$IKEDUMP ;;
	pcapcorrelate) bin=$PCAPCORRELATE ;;
	*) echo "FAIL $name: TESTLIST names an unknown tool '$tool'"; fail=$((fail + 1)); continue ;;
	esac
	if [ -z "$want" ]; then
		echo "FAIL $name: TESTLIST line has no expected file"; fail=$((fail + 1)); continue
	fi
	want=golden/$want
	rc=0
	# shellcheck disable=SC2086,SC2046 # OPTIONS and the comma-separated INPUTS are words
	"$bin" $opts $(echo "$inputs" | tr , ' ') > "$tmp" 2>"$tmp.err" || rc=$?
	if [ "$rc" != 0 ]; then
		echo "FAIL $name: $tool exited $rc:"
		head -5 "$tmp.err"
		fail=$((fail + 1))
	elif [ "${IKS_GOLDEN_REGEN:-0}" = 1 ]; then
		cp "$tmp" "$want"
		echo "captures/$want"
		pass=$((pass + 1))
	elif [ ! -f "$want" ]; then
		echo "FAIL $name: no expected file captures/$want"
		fail=$((fail + 1))
	elif cmp -s "$tmp" "$want"; then
		pass=$((pass + 1))
	else
		echo "FAIL $name: output differs from captures/$want:"
		diff "$want" "$tmp" | head -20
		fail=$((fail + 1))
	fi
	rm -f "$tmp.err"
done < "$list"
if [ $# -gt 0 ] && [ "$seen" != $# ]; then
	echo "FAIL: $# cases named, $seen found in TESTLIST"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
