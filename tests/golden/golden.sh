#!/bin/sh
# Golden tests: ikedump output for the captures listed in tests/golden/TESTLIST
# must equal the expected files in captures/golden/ byte for byte.
set -e
: "${IKS_CAPTURES:?run through make check}" "${IKEDUMP:?}"
here=$(dirname "$0")
TZ=UTC
export TZ
pass=0 fail=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
while read -r cap mode; do
	case "$cap" in ''|'#'*) continue ;; esac
	want="$IKS_CAPTURES/golden/${cap%.pcap}.$mode.txt"
	case "$mode" in
	v) "$IKEDUMP" -v "$IKS_CAPTURES/$cap" > "$tmp" ;;
	json) "$IKEDUMP" --json "$IKS_CAPTURES/$cap" > "$tmp" ;;
	*) echo "TESTLIST: unknown mode '$mode' for $cap"; fail=$((fail + 1)); continue ;;
	esac
	if [ ! -f "$want" ]; then
		echo "FAIL $cap $mode: no expected file $want"
		fail=$((fail + 1))
	elif cmp -s "$tmp" "$want"; then
		pass=$((pass + 1))
	else
		echo "FAIL $cap $mode: output differs from $want:"
		diff "$want" "$tmp" | head -20
		fail=$((fail + 1))
	fi
done < "$here/TESTLIST"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
