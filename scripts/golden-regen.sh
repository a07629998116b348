#!/bin/sh
# Rewrite the expected outputs of tests/golden/TESTLIST from the current build
# (build/tools/ikedump, or $IKEDUMP). Review `git diff captures/golden`
# before committing: every difference must be explained.
set -e
cd "$(dirname "$0")/.."
IKEDUMP=${IKEDUMP:-build/tools/ikedump}
TZ=UTC
export TZ
mkdir -p captures/golden
while read -r cap mode; do
	case "$cap" in ''|'#'*) continue ;; esac
	out="captures/golden/${cap%.pcap}.$mode.txt"
	case "$mode" in
	v) "$IKEDUMP" -v "captures/$cap" > "$out" ;;
	json) "$IKEDUMP" --json "captures/$cap" > "$out" ;;
	esac
	echo "$out"
done < tests/golden/TESTLIST
