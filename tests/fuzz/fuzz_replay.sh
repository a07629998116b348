#!/bin/sh
# Run every fuzz harness (replay build, tests/fuzz/replay_main.c) over its
# seed corpus (cut from captures/ by tests/fuzz/mkseeds, plus any committed
# tests/fuzz/corpus/NAME/) and over every file in captures/regress/; the
# capture harness also reads every capture in captures/ whole.
# Environment (from make check): IKS_CAPTURES, FUZZ_TARGETS.
set -e
b=tests/fuzz
seeds=$b/seeds
rm -rf "$seeds"
$b/mkseeds "$seeds" "$IKS_CAPTURES"/*.pcap "$IKS_CAPTURES"/*.pcapng
srcfuzz="$IKS_CAPTURES/../tests/fuzz/corpus"
passed=0
for t in $FUZZ_TARGETS; do
	set -- "$seeds/$t" "$IKS_CAPTURES/regress"
	[ -d "$srcfuzz/$t" ] && set -- "$@" "$srcfuzz/$t"
	[ "$t" = capture ] && set -- "$@" "$IKS_CAPTURES"/*.pcap "$IKS_CAPTURES"/*.pcapng
	[ "$t" = pcapng ] && mkdir -p "$seeds/$t" && set -- "$@" "$IKS_CAPTURES"/*.pcapng
	out=$($b/replay_"$t" "$@")
	n=$(echo "$out" | sed -n 's/^replay: \([0-9]*\) inputs$/\1/p')
	echo "replay_$t: ${n:-?} inputs"
	[ "${n:-0}" -gt 0 ] || { echo "replay_$t ran no input" >&2; exit 1; }
	passed=$((passed + 1))
done
echo "$passed passed, 0 failed"
