#!/bin/sh
# Rewrite the expected outputs of tests/golden/TESTLIST (every case, or the
# cases named: golden-regen.sh [NAME...]) from the current build
# (build/tools/ikedump and build/tools/pcapcorrelate, or $IKEDUMP and
# $PCAPCORRELATE), with the runner make check uses. Review
# `git diff captures/golden` before committing: every difference must be
# explained.
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
IKEDUMP=$(cd "$(dirname "${IKEDUMP:-build/tools/ikedump}")" && pwd)/$(basename "${IKEDUMP:-ikedump}")
PCAPCORRELATE=$(cd "$(dirname "${PCAPCORRELATE:-build/tools/pcapcorrelate}")" && pwd)/$(basename "${PCAPCORRELATE:-pcapcorrelate}")
IKS_CAPTURES=$top/captures
IKS_GOLDEN_REGEN=1
export IKEDUMP PCAPCORRELATE IKS_CAPTURES IKS_GOLDEN_REGEN
mkdir -p captures/golden
exec sh tests/golden/golden.sh "$@"
