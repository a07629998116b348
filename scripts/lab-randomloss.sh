#!/bin/bash
# Make a two-sided capture with random loss in the router (run as root, with
# ../shared/lab beside this checkout): strongswan_psk.sh while r drops 1 in 10
# forwarded packets (nft numgen), both directions.
#   usage: scripts/lab-randomloss.sh [VER] [NAME]     (captures go to $CAP)
set -u
L=$(cd "$(dirname "$0")/../../shared/lab" && pwd)
VER=${1:-2}
NAME=${2:-ikev${VER}_psk_randomloss}
export CAP=${CAP:-/tmp/ikescope-lab/captures} SW=${SW:-/tmp/ikescope-lab/sw}
mkdir -p "$CAP"
bash "$L/make_netns.sh" down
rules=$(mktemp)
cat > "$rules" <<'NFT'
table ip loss {
	chain lossy {
		type filter hook forward priority 0; policy accept;
		numgen random mod 10 == 0 counter drop
	}
}
NFT
# strongswan_psk.sh builds the namespaces itself: load the rule once r exists
( for _ in $(seq 1 600); do
	if ip netns exec r ip link show rb >/dev/null 2>&1; then
		sleep 0.2
		ip netns exec r nft list table ip loss >/dev/null 2>&1 || ip netns exec r nft -f "$rules"
		break
	fi
	sleep 0.05
  done ) &
bash "$L/strongswan_psk.sh" "$VER" "$NAME"
ip netns exec r nft list table ip loss > "$CAP/${NAME}_r_loss.txt" 2>&1
wait
rm -f "$rules"
