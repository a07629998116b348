#!/bin/sh
# Build ikescope and run it on a bundled failing scenario (captures/README.md):
# an IKEv2 negotiation with certificates whose IKE_AUTH request is too big for
# one packet; a router on the path drops the non-first IP fragments, so the
# request is retransmitted until the initiator gives up. pcapcorrelate lines
# up the captures from both ends and says what was lost where.
set -e
cd "$(dirname "$0")/.."
IKS_WITH_BROWSER=0 IKS_WITH_FUZZERS=0 scripts/install-deps.sh
scripts/build.sh
echo "== ikedump captures/ikev2_cert_fragdrop_b.pcap (what the responder saw)"
build/tools/ikedump captures/ikev2_cert_fragdrop_b.pcap
echo
echo "== pcapcorrelate captures/ikev2_cert_fragdrop_a.pcap captures/ikev2_cert_fragdrop_b.pcap"
build/tools/pcapcorrelate captures/ikev2_cert_fragdrop_a.pcap captures/ikev2_cert_fragdrop_b.pcap
