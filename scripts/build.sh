#!/bin/sh
# Configure and build ikescope out of tree, in build/ (or $IKS_BUILD_DIR);
# extra arguments go to configure. Re-runs configure only when they change.
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
dir=${IKS_BUILD_DIR:-build}
[ -x configure ] || autoreconf -fi
mkdir -p "$dir"
cd "$dir"
if [ ! -f Makefile ] || [ "$*" != "$(cat .configure-args 2>/dev/null)" ]; then
	"$top/configure" -q "$@"
	printf '%s' "$*" > .configure-args
fi
make -s -j"$(nproc)"
