#!/bin/sh
# Build the libFuzzer harnesses (make fuzz, clang) and run each one for a
# fixed time on seeds cut from captures/ plus captures/regress/.
# usage: scripts/fuzz.sh [SECONDS [NAME...]]   (default 60 s, every harness)
# Runs niced, one harness per core at a time; new corpus entries go to
# build/fuzz/corpus/NAME, crashes to build/fuzz/artifacts/. Prints one line per harness: executions, exec/s.
# Exits 77 when clang is not installed, 1 on a crash, leak or report.
set -e
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/.."
one=0
if [ "${1:-}" = --one ]; then
	one=1
	targets=$2
	secs=$3
	set --
else
	secs=${1:-60}
	[ $# -gt 0 ] && shift
fi
dir=${IKS_BUILD_DIR:-build}
if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
	echo "fuzz: ${FUZZ_CC:-clang} not found: skipping the fuzzers (scripts/install-deps.sh installs clang)"
	exit 77
fi
f=$dir/fuzz
if [ "$one" = 0 ]; then
	scripts/build.sh >/dev/null
	make -s -C "$dir" fuzz tests/fuzz/mkseeds >/dev/null
	targets=${*:-$(sed -n 's/^FUZZ_TARGETS = //p' Makefile.am)}
	"$f/../tests/fuzz/mkseeds" "$f/seeds" captures/*.pcap captures/*.pcapng
	mkdir -p "$f/artifacts"
fi
# one harness: fuzz.sh --one NAME SECONDS (called below, one per core at a time)
run_one() {
	t=$1
	mkdir -p "$f/corpus/$t" "$f/seeds/$t"
	# the pcapng reader's seeds are whole files: the bundled pcapng captures
	if [ "$t" = pcapng ]; then
		cp captures/*.pcapng captures/regress/*.pcapng "$f/seeds/$t/"
	fi
	log=$f/fuzz_$t.log
	rc=0
	nice -n 19 "$f/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$f/artifacts/$t-" \
		"$f/corpus/$t" "$f/seeds/$t" captures/regress >"$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	echo "fuzz_$t: ${secs}s, ${runs:-?} executions, ${eps:-?} exec/s, $cov, exit $rc"
	if [ "$rc" != 0 ]; then
		tail -60 "$log"
		return 1
	fi
}
if [ "$one" = 1 ]; then
	run_one "$targets"
	exit $?
fi
# as many harnesses at once as there are cores; each prints its line when done
status=0
printf '%s\n' $targets | xargs -P "$(nproc)" -I{} sh "$self" --one {} "$secs" || status=1
exit $status
