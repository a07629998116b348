#!/bin/sh
# Build ikescope and run the whole test suite (make check) in build/.
# --sanitizers: the same in build-san/, built with ASan+UBSan.
# Ends with one line "tests: N passed, N failed" summed over every test
# program's own count.
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ "${1:-}" = "--sanitizers" ]; then
	export IKS_BUILD_DIR=build-san
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	scripts/build.sh --enable-sanitizers
else
	scripts/build.sh
fi
cd "${IKS_BUILD_DIR:-build}"
status=0
# the counts below come from the logs of this run only (a build that
# fails before the tests run must not show the last run's counts)
find tests docs \( -name '*.log' -o -name '*.trs' \) -exec rm -f {} + 2>/dev/null || true
make -s -j"$(nproc)" check || status=$?
# Each test program prints "N passed, N failed"; Check prints
# "NN%: Checks: N, Failures: N, Errors: N".
find tests docs -name '*.log' ! -name test-suite.log -exec cat {} + 2>/dev/null | awk '
	/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
	/Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "Checks:") c = $(i + 1) + 0
			if ($i == "Failures:") x = $(i + 1) + 0
			if ($i == "Errors:") e = $(i + 1) + 0
		}
		p += c - x - e; f += x + e
	}
	END { printf "tests: %d passed, %d failed\n", p, f }'
if [ "$status" != 0 ]; then
	tail -150 test-suite.log
	exit "$status"
fi
