#!/bin/sh
# Install what ikescope needs to build and test on Debian 12 (run as root,
# or with sudo available). Installs only what is missing.
set -e
# valgrind and time (peak memory) are used by the tests and .ci/run; clang
# with its libFuzzer runtime only by the fuzzers (scripts/fuzz.sh), so a
# failure to install those skips fuzzing instead of failing.
PKGS="build-essential autoconf automake libtool pkg-config libpcap-dev libgcrypt20-dev check python3 valgrind time"
FUZZ_PKGS="clang libclang-rt-14-dev"
[ "${IKS_WITH_REFERENCE_TOOLS:-0}" = 1 ] && PKGS="$PKGS tshark tcpdump"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
fuzz_missing=""
for p in $FUZZ_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || fuzz_missing="$fuzz_missing $p"
done
[ -z "$missing$fuzz_missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
if [ -n "$missing" ]; then
	echo "installing:$missing"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
if [ -n "$fuzz_missing" ]; then
	echo "installing (for the fuzzers):$fuzz_missing"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $fuzz_missing ||
		echo "warning: could not install$fuzz_missing: the fuzzers will be skipped"
fi
