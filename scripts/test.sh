#!/bin/sh
# Build ikescope and run the whole test suite (make check) in build/.
# --sanitizers: the same in build-san/, built with ASan+UBSan.
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
make -s -j"$(nproc)" check || { tail -150 test-suite.log; exit 1; }
