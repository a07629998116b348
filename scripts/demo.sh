#!/bin/sh
# Build ikescope and run it on a bundled capture: the IKEv2 negotiation whose
# IKE_AUTH request loses its second IP fragment at the router and is
# retransmitted until the initiator gives up (captures/README.md).
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
echo "== host a (initiator) side: captures/ikev2_cert_fragdrop_a.pcap"
build/tools/ikedump captures/ikev2_cert_fragdrop_a.pcap
echo "== host b (responder) side: captures/ikev2_cert_fragdrop_b.pcap"
build/tools/ikedump captures/ikev2_cert_fragdrop_b.pcap
