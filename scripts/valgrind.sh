#!/bin/sh
# Run ikedump (text and JSON) under valgrind over every capture, the decryption
# paths with each scenario's keys, charon logs as key files, and pcapcorrelate
# on every two-sided pair; one run per core at a time. Needs an out-of-tree
# build in build/ (scripts/build.sh). Prints "valgrind clean: N runs", or the
# failing command and its valgrind log and exits 1.
set -e
cd "$(dirname "$0")/.."
dir=${IKS_BUILD_DIR:-build}
vg="$dir/libtool --mode=execute valgrind -q --error-exitcode=1 --leak-check=full"
list=$dir/valgrind.cmds
: >"$list"
for f in captures/*.pcap captures/*.pcapng captures/regress/*.pcap; do
	# the lab router's own captures (NAME_r-ra/r-rb) are ground truth, decoded by the
	# same paths as the end captures beside them: not run twice under valgrind
	case "$f" in *_r-r[ab].pcap) continue ;; esac
	# every capture here is readable: any non-zero exit is a failure
	for mode in -a -j; do echo "$dir/tools/ikedump $mode $f" >>"$list"; done
done
# the decryption paths
for keys in captures/*_esp_sa; do
	s=${keys%_esp_sa}
	echo "$dir/tools/ikedump -j -k $keys $(ls ${s}_ikev*_decryption_table 2>/dev/null |
		sed 's/^/-k /' | tr '\n' ' ')${s}_a.pcap" >>"$list"
done
# charon logs as key files (bound by trial)
for log in captures/*_charon_a.log; do
	s=${log%_charon_a.log}
	echo "$dir/tools/ikedump -j -k $log ${s}_b.pcap" >>"$list"
done
# pcapcorrelate on every two-sided scenario, with its key files when it has some
for a in captures/*_a.pcap; do
	s=${a%_a.pcap}
	[ -f "${s}_b.pcap" ] || continue
	keys=$(ls ${s}_esp_sa ${s}_ikev*_decryption_table 2>/dev/null | sed 's/^/-k /' | tr '\n' ' ')
	echo "$dir/tools/pcapcorrelate --json $keys$a ${s}_b.pcap" >>"$list"
done
n=$(wc -l <"$list")
mkdir -p "$dir/valgrind"
# each line: its own log, named by its line number; a failure prints its command and log
nl -ba -w1 -s' ' "$list" | xargs -P "$(nproc)" -L1 sh -c '
	i=$1; shift
	'"$vg"' "$@" >/dev/null 2>'"$dir"'/valgrind/$i.log ||
		{ echo "valgrind: $*"; cat '"$dir"'/valgrind/$i.log; exit 255; }' sh ||
	exit 1
echo "valgrind clean: $n runs"
