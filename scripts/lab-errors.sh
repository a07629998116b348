#!/bin/bash
# Make two-sided captures of negotiations that fail with an error
# notification, and of an SA deleted at one end while the other keeps
# using it (run as root, with ../shared/lab beside this checkout; one lab
# run at a time: the namespaces a, r, b are shared).
#   usage: scripts/lab-errors.sh [SCENARIO...]     (captures go to $CAP)
# Scenarios (strongSwan 5.9.8 in namespaces, PSK, as ../shared/lab/strongswan_psk.sh):
#   ikev2_psk_noproposal  b accepts only aes256-sha512-modp4096: IKE_SA_INIT answered
#                         with NO_PROPOSAL_CHOSEN (in clear)
#   ikev2_psk_authfail    b has another pre-shared key: IKE_AUTH answered with
#                         AUTHENTICATION_FAILED (encrypted: keys from the charon logs)
#   ikev2_psk_tsfail      b's CHILD_SA wants other traffic selectors: IKE_AUTH answered
#                         with TS_UNACCEPTABLE
#   ikev1_psk_noproposal  IKEv1 main mode, b accepts only aes256-sha512-modp4096:
#                         an Informational NO-PROPOSAL-CHOSEN
#   ikev2_psk_deletelost  CHILD_SA enc up, b pings a through it; r drops every IKE
#                         message from a to b (UDP 4500 with the non-ESP marker), then a
#                         deletes the CHILD_SA: b never hears and keeps sending ESP on it
#   ikev2_psk_oneway      r lets b start no IKE SA (drops IKE_SA_INIT requests coming
#                         from b's side: exchange type 34 with the initiator flag, as a
#                         policy that only lets one side open sessions would): a initiates,
#                         works, closes; then b initiates and its IKE_SA_INIT never arrives
# Each leaves NAME_a.pcap, NAME_b.pcap, NAME_charon_a.log, NAME_charon_b.log and
# NAME_swanctl_{a,b}.conf in $CAP.
set -u
L=$(cd "$(dirname "$0")/../../shared/lab" && pwd)
export CAP=${CAP:-/tmp/ikescope-lab/captures} SW=${SW:-/tmp/ikescope-lab/sw}
mkdir -p "$CAP"
source "$L/sw_common.sh"
source "$L/sw_swanctl_conf.sh"
CAP_PIDS=()
trap 'cap_stop; sw_stop a; sw_stop b' EXIT

# b's swanctl.conf, changed by a sed expression
change_b() {
	sed -i "$1" "$SW/b/swanctl.conf"
}

run() {
	local name=$1 ver=$2
	echo "=== $name"
	bash "$L/make_netns.sh" up
	inner_addrs
	for ns in a b; do
		sw_write_strongswan_conf $ns
		write_swanctl_conf $ns "$ver" aes128-sha256-modp2048 no psk ""
	done
	case $name in
	*noproposal) change_b 's/proposals = aes128-sha256-modp2048/proposals = aes256-sha512-modp4096/' ;;
	*authfail) change_b 's/secret = "research-test-psk-0123456789"/secret = "another-psk-9876543210"/' ;;
	*tsfail) change_b '0,/remote_ts = 203.0.113.1\/32/s//remote_ts = 203.0.113.77\/32/' ;;
	esac
	sw_start a || exit 1
	sw_start b || exit 1
	swc a --load-all --file "$SW/a/swanctl.conf" >/dev/null
	swc b --load-all --file "$SW/b/swanctl.conf" >/dev/null
	cap_start "$name"
	if [ "$name" = ikev2_psk_deletelost ]; then
		swc a --initiate --ike t --child enc --timeout 20 | grep -E 'established|failed'
		ip netns exec b ping -q -c 40 -i 0.1 -W 1 -I 203.0.113.129 203.0.113.1 >/dev/null &
		local pinger=$!
		sleep 1
		# RFC 3948 section 2.2: IKE on port 4500 starts with four zero bytes
		ip netns exec r nft -f - <<'NFT'
table ip ikedrop {
	chain drop_ike {
		type filter hook forward priority 0; policy accept;
		iifname "ra" udp dport 4500 @th,64,32 0 counter drop
	}
}
NFT
		swc a --terminate --child enc --timeout 3 | tail -1
		wait $pinger
		ip netns exec r nft list table ip ikedrop > "$CAP/${name}_r_rules.txt"
		ip netns exec r nft delete table ip ikedrop
	elif [ "$name" = ikev2_psk_oneway ]; then
		ip netns exec r nft -f - <<'NFT'
table ip oneway {
	chain only_a_starts {
		type filter hook forward priority 0; policy accept;
		iifname "rb" udp dport 500 @th,208,8 34 @th,216,8 & 0x08 == 0x08 counter drop
	}
}
NFT
		swc a --initiate --ike t --child enc --timeout 15 | grep -E 'established|failed'
		ip netns exec a ping -q -c 3 -i 0.2 -W 1 -I 203.0.113.1 203.0.113.129 | grep transmitted
		swc a --terminate --ike t --timeout 10 | tail -1
		sleep 2
		swc b --initiate --ike t --child enc --timeout 12 | grep -E 'established|failed|retransmit' | head -3
		ip netns exec r nft list table ip oneway > "$CAP/${name}_r_rules.txt"
		ip netns exec r nft delete table ip oneway
	else
		swc a --initiate --ike t --child enc --timeout 15 | grep -E 'established|failed|received' | head -5
	fi
	sleep 1
	cap_stop
	sw_stop a
	sw_stop b
	for ns in a b; do
		cp "$SW/$ns/charon.log" "$CAP/${name}_charon_$ns.log"
		cp "$SW/$ns/swanctl.conf" "$CAP/${name}_swanctl_$ns.conf"
	done
	ls -l "$CAP/${name}"_*
}

for s in ${*:-ikev2_psk_noproposal ikev2_psk_authfail ikev2_psk_tsfail ikev1_psk_noproposal ikev2_psk_deletelost ikev2_psk_oneway}; do
	case $s in
	ikev1_*) run "$s" 1 ;;
	*) run "$s" 2 ;;
	esac
done
bash "$L/make_netns.sh" down
