#!/bin/sh
# docs/examples/list_negotiations, built against the library through its
# public headers, lists the negotiations of real captures.
set -e
: "${IKS_CAPTURES:?run through make check}"
ex=docs/examples/list_negotiations
out=$($ex "$IKS_CAPTURES/ikev2_psk_natt_a.pcap")
echo "$out"
want="IKEv2 5fa287abf4356660 42d451be538aea2b messages"
echo "$out" | grep -q "^$want" || { echo "missing: $want"; exit 1; }
echo "$out" | grep -q "IKE_SA_INIT,IKE_AUTH,CREATE_CHILD_SA,INFORMATIONAL" || exit 1
out=$($ex "$IKS_CAPTURES/ikev1_psk_natt_b.pcap")
echo "$out"
echo "$out" | grep -q "^IKEv1 6a457ac013315d33 24417d4f3369bd36 .*Identity Protection (Main Mode),Quick Mode,Informational" || exit 1
$ex /nonexistent.pcap 2>/dev/null && exit 1
echo "1 passed, 0 failed"
