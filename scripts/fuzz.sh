#!/bin/sh
# Build the libFuzzer harnesses (make fuzz, clang) and run each one for a
# fixed time on seeds cut from captures/ plus captures/regress/.
# usage: scripts/fuzz.sh [SECONDS [NAME...]]   (default 60 s, every harness)
# Runs niced; new corpus entries go to build/fuzz/corpus/NAME, crashes to
# build/fuzz/artifacts/. Prints one line per harness: executions, exec/s.
# Exits 77 when clang is not installed, 1 on a crash, leak or report.
set -e
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
dir=${IKS_BUILD_DIR:-build}
if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
	echo "fuzz: ${FUZZ_CC:-clang} not found: skipping the fuzzers (scripts/install-deps.sh installs clang)"
	exit 77
fi
scripts/build.sh >/dev/null
make -s -C "$dir" fuzz tests/fuzz/mkseeds >/dev/null
targets=${*:-$(sed -n 's/^FUZZ_TARGETS = //p' Makefile.am)}
f=$dir/fuzz
"$f/../tests/fuzz/mkseeds" "$f/seeds" captures/*.pcap captures/*.pcapng
mkdir -p "$f/artifacts"
status=0
for t in $targets; do
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
		status=1
	fi
done
exit $status
