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
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
