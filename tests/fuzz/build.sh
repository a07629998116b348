#!/bin/sh
# Build the libFuzzer harnesses (called by `make fuzz`).
# usage: build.sh SRCDIR BUILDDIR OUTDIR "LIBRARY SOURCES" "TARGETS"
# Environment: FUZZ_CC (default clang), FUZZ_CFLAGS (added), PCAP_CFLAGS,
# PCAP_LIBS, GCRYPT_CFLAGS, GCRYPT_LIBS. The library is compiled once with
# -fsanitize=fuzzer-no-link,address,undefined; each harness links it with
# -fsanitize=fuzzer,address,undefined into OUTDIR/fuzz_NAME.
set -e
src=$1 bld=$2 out=$3 libsrc=$4 targets=$5
cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "make fuzz: $cc not found (install clang and libclang-rt-dev; scripts/install-deps.sh does)" >&2
	exit 77
fi
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-std=c11 -D_DEFAULT_SOURCE -g -O1 $san -I$bld/include -I$src/include -I$bld -I$src/lib $PCAP_CFLAGS $GCRYPT_CFLAGS $FUZZ_CFLAGS"
mkdir -p "$out/obj"
objs=""
for f in $libsrc; do
	case $f in *.c) ;; *) continue ;; esac
	o="$out/obj/$(basename "$f" .c).o"
	$cc $cflags -fsanitize=fuzzer-no-link -DIKS_BUILDING_LIBRARY -c "$src/$f" -o "$o"
	objs="$objs $o"
done
$cc $cflags -fsanitize=fuzzer-no-link -c "$src/tests/fuzz/invariants.c" -o "$out/obj/invariants.o"
for t in $targets; do
	$cc $cflags -fsanitize=fuzzer "$src/tests/fuzz/fuzz_$t.c" "$out/obj/invariants.o" $objs \
		$PCAP_LIBS $GCRYPT_LIBS -o "$out/fuzz_$t"
	echo "built $out/fuzz_$t"
done
