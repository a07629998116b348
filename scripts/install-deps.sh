#!/bin/sh
# Install what ikescope needs to build and test on Debian 12 (run as root,
# or with sudo available). Installs only what is missing.
#   IKS_WITH_REFERENCE_TOOLS=1  also tshark and tcpdump (bench/run)
#   IKS_WITH_BROWSER=0          not Chromium (only the HTML browser test needs it)
#   IKS_WITH_FUZZERS=0          not clang (only the fuzzers need it)
set -e
# valgrind and time (peak memory) are used by the tests and .ci/run; clang
# with its libFuzzer runtime only by the fuzzers (scripts/fuzz.sh) and
# Chromium only by the pcapcorrelate --html browser test, so a failure to
# install those skips them instead of failing.
PKGS="build-essential autoconf automake libtool pkg-config libpcap-dev libgcrypt20-dev check python3 valgrind time"
OPTIONAL=""
[ "${IKS_WITH_FUZZERS:-1}" = 1 ] && OPTIONAL="$OPTIONAL clang libclang-rt-14-dev"
[ "${IKS_WITH_BROWSER:-1}" = 1 ] && OPTIONAL="$OPTIONAL chromium fonts-dejavu-core"
[ "${IKS_WITH_REFERENCE_TOOLS:-0}" = 1 ] && PKGS="$PKGS tshark tcpdump"
installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
missing="" optional_missing=""
for p in $PKGS; do
	installed "$p" || missing="$missing $p"
done
for p in $OPTIONAL; do
	installed "$p" || optional_missing="$optional_missing $p"
done
[ -z "$missing$optional_missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
if [ -n "$missing" ]; then
	echo "installing:$missing"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
if [ -n "$optional_missing" ]; then
	echo "installing (optional: fuzzers, browser test):$optional_missing"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $optional_missing ||
		echo "warning: could not install$optional_missing: the tests that need them will be skipped"
fi
