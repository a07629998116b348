#!/bin/sh
# Every capture with a tshark reference decode: ikedump --json must agree
# with it frame by frame (tests/ref/refdecode_compare.py says which fields).
set -e
: "${IKS_CAPTURES:?run through make check}" "${IKEDUMP:?}"
PY=${PYTHON3:-python3}
[ "$PY" != no ] || { echo "python3 not found"; exit 77; }
here=$(dirname "$0")
fail=0 total_pass=0 total_fail=0
for tsv in "$IKS_CAPTURES"/refdecode/*.fields.tsv; do
	name=$(basename "$tsv" .fields.tsv)
	out=$("$PY" "$here/refdecode_compare.py" "$IKEDUMP" "$IKS_CAPTURES/$name.pcap" "$tsv") || fail=1
	echo "$out" | grep -v ' passed, ' || true
	p=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	total_pass=$((total_pass + ${p:-0}))
	total_fail=$((total_fail + ${f:-1}))
done
echo "$total_pass passed, $total_fail failed"
exit $fail
