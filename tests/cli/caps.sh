#!/bin/sh
# Resource caps on crafted captures (tests/gen/gen_caps.py, generated here and
# deleted afterwards): a million distinct fragment IDs, fragments that never
# complete, 100,000 IKE SAs. Each run of ikedump -c must report the cap hits
# on its count line and, in a build without sanitizers, stay under a
# resident-memory bound derived from the caps (docs/limits.md), measured
# with /usr/bin/time -v when it is installed.
# Environment (from make check): IKEDUMP, PYTHON3, IKS_SANITIZERS.
set -e
top=$(dirname "$0")/../..
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ikescope-caps.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
timer=
[ -x /usr/bin/time ] && timer="/usr/bin/time -v -o $tmp/time"

# run KIND EXPECTED-COUNT-LINE MAX-RSS-KIB
run() {
	"${PYTHON3:-python3}" "$top/tests/gen/gen_caps.py" "$1" "$tmp/$1.pcap"
	out=$($timer "$IKEDUMP" -c "$tmp/$1.pcap")
	rss='?'
	[ -n "$timer" ] && rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
	echo "$1: $out; max RSS ${rss} KiB"
	if [ "$out" != "$2" ]; then
		echo "FAIL $1: expected: $2" >&2
		failed=$((failed + 1))
	elif [ -z "$IKS_SANITIZERS" ] && [ "$rss" != '?' ] && [ "$rss" -gt "$3" ]; then
		echo "FAIL $1: max RSS $rss KiB over the bound $3 KiB" >&2
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
}

# frag_datagrams_max (4096): every datagram past it evicts the oldest (an
# incomplete-datagram event each) and counts a hit of the cap (one limit
# event, 995,904 hits); memory stays at the table's size.
run frag_ids "frames 1000000 ipsec 1000000 ike 0 esp 0 ah 0 icmp-errors 0 fragments 1000000 \
datagrams 0 incomplete 1000000 errors 0 limit-hits 995904 events-dropped 0" 32768
# frag_bytes_max (64 MiB) evictions, then 30 s timeouts: 2,200 incomplete
# datagrams; memory bound: the byte cap + 32 MiB.
run never_complete "frames 53800 ipsec 53800 ike 0 esp 0 ah 0 icmp-errors 0 fragments 53800 \
datagrams 0 incomplete 2200 errors 0 limit-hits 170 events-dropped 0" 98304
# The decoder's IKE SA table (ike_sas_max 1024: NAT-T numbering, SK sizes)
# evicts the least recently used SA for each new one past the cap: 98,976
# hits counted, one limit event listed; memory stays at the table's size.
run ike_sas "frames 100000 ipsec 100000 ike 100000 esp 0 ah 0 icmp-errors 0 fragments 0 \
datagrams 0 incomplete 0 errors 0 limit-hits 98976 events-dropped 0" 32768
"$IKEDUMP" "$tmp/ike_sas.pcap" >"$tmp/ike_sas.txt"
n=$(grep -o ' i [0-9a-f]\{16\} ' "$tmp/ike_sas.txt" | sort -u | wc -l)
if [ "$n" -eq 100000 ]; then passed=$((passed + 1)); else
	echo "FAIL ike_sas: $n distinct initiator cookies listed, expected 100000" >&2
	failed=$((failed + 1))
fi
# each cap is listed once (its first hit), however often it is reached
n=$(grep -c '^!! limit ike_sas_max (1024) reached at frame 1025$' "$tmp/ike_sas.txt" || true)
m=$(grep -c '^!! limit' "$tmp/ike_sas.txt" || true)
if [ "$n" = 1 ] && [ "$m" = 1 ]; then passed=$((passed + 1)); else
	echo "FAIL ike_sas: $m limit lines ($n for ike_sas_max at frame 1025), expected 1" >&2
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
