#!/bin/sh
# Install what ikescope needs to build and test on Debian 12 (run as root,
# or with sudo available). Installs only what is missing.
set -e
PKGS="build-essential autoconf automake libtool pkg-config libpcap-dev libgcrypt20-dev check python3"
[ "${IKS_WITH_REFERENCE_TOOLS:-0}" = 1 ] && PKGS="$PKGS tshark tcpdump"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# headless Chromium for the pcapcorrelate --html browser test (optional: without
# it that one test is skipped; IKS_WITH_BROWSER=0 does not install it)
BROWSER=""
if [ "${IKS_WITH_BROWSER:-1}" = 1 ] &&
   ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
	BROWSER=chromium
fi
[ -z "$missing" ] && [ -z "$BROWSER" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
if [ -n "$missing" ]; then
	echo "installing:$missing"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
if [ -n "$BROWSER" ]; then
	echo "installing: chromium (for the HTML report's browser test)"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core ||
		echo "warning: chromium not installed: the browser test of pcapcorrelate --html will be skipped"
fi
