#!/bin/sh
# docs/examples/threads decodes two captures, with their keys (so ESP and
# IKE are decrypted and their ICVs checked), in two threads under valgrind's
# helgrind: any error it reports fails the test. Each thread's counts must
# equal what ikedump counts for that capture alone. Then tests/house/threads_race
# (one decoder shared by two threads, a deliberate misuse) must be reported,
# or the clean run above proves nothing. pcapcorrelate (two loading threads,
# one key store, then the correlation's jobs on a thread per core) must be
# clean too. Skipped (77) without valgrind, and
# in the ASan+UBSan build (valgrind cannot run AddressSanitizer binaries:
# the plain build runs it).
set -e
: "${IKS_CAPTURES:?run through make check}"
: "${IKEDUMP:?run through make check}"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind not found: skipped"
	exit 77
fi
case "${IKS_SANITIZERS:-}" in
*sanitize*)
	echo "built with sanitizers ($IKS_SANITIZERS): helgrind cannot run them; the plain build runs this test"
	exit 77 ;;
esac
C=$IKS_CAPTURES
# the programs are libtool wrappers: valgrind must run the real binaries
run() { ./libtool --mode=execute valgrind --tool=helgrind --error-exitcode=1 "$@"; }
fail=0

set -- -k "$C/ikev2_psk_natt_esp_sa" -k "$C/ikev2_psk_natt_ikev2_decryption_table"
if ! out=$(run docs/examples/threads "$@" "$C/ikev2_psk_natt_a.pcap" "$C/ikev2_psk_natt_b.pcap"); then
	echo "FAIL: helgrind reported errors in docs/examples/threads (above)"
	fail=1
fi
echo "$out"
for s in a b; do
	cap="$C/ikev2_psk_natt_$s.pcap"
	counts=$("$IKEDUMP" -c "$@" "$cap")
	frames=$(echo "$counts" | sed -n 's/^frames \([0-9]*\) .* ike \([0-9]*\) esp \([0-9]*\) .*/\1/p')
	ike=$(echo "$counts" | sed -n 's/^frames \([0-9]*\) .* ike \([0-9]*\) esp \([0-9]*\) .*/\2/p')
	esp=$(echo "$counts" | sed -n 's/^frames \([0-9]*\) .* ike \([0-9]*\) esp \([0-9]*\) .*/\3/p')
	ok=$("$IKEDUMP" -j "$@" "$cap" | grep -o '"crypto":"ok"' | wc -l | tr -d ' ')
	want="$cap: frames $frames ike $ike esp $esp verified $ok"
	if [ "$ok" -eq 0 ] || ! echo "$out" | grep -qxF "$want"; then
		echo "FAIL: wanted \"$want\" (ikedump on the capture alone)"
		fail=1
	else
		echo "ok: $want"
	fi
done

# pcapcorrelate loads a and b in two threads (tools/correlate/corr_load.c),
# sharing one key store, and runs the correlation's split steps on a thread
# per core (iks_correlate_options.threads, lib/core/par.c): helgrind must
# report nothing, and the report must be the one the golden test holds
if ! run tools/pcapcorrelate --json "$@" "$C/ikev2_psk_natt_a.pcap" "$C/ikev2_psk_natt_b.pcap" \
	>"corr.$$.json" 2>"corr.$$.log"; then
	cat "corr.$$.log"
	echo "FAIL: helgrind reported errors in pcapcorrelate's parallel loading (above)"
	fail=1
elif ! tools/pcapcorrelate --json "$@" "$C/ikev2_psk_natt_a.pcap" "$C/ikev2_psk_natt_b.pcap" |
	cmp -s - "corr.$$.json"; then
	echo "FAIL: pcapcorrelate under helgrind wrote another report than without it"
	fail=1
else
	echo "ok: pcapcorrelate's two loading threads, with one key store, under helgrind"
fi
rm -f "corr.$$.json" "corr.$$.log"

if run tests/house/threads_race "$C/ikev2_psk_natt_a.pcap" "$C/ikev2_psk_natt_b.pcap" 2>"race.$$.log"; then
	echo "FAIL: helgrind did not report one decoder shared by two threads"
	fail=1
elif ! grep -q "Possible data race" "race.$$.log"; then
	cat "race.$$.log"
	echo "FAIL: tests/house/threads_race failed without a race report"
	fail=1
else
	echo "ok: helgrind reports the shared decoder ($(grep -c "Possible data race" "race.$$.log") race reports)"
fi
rm -f "race.$$.log"
exit $fail
