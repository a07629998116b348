#!/bin/bash
# Make the hard-path lab pairs of issues #15, #16 and #17: two-sided captures
# (a0 in a, b0 in b) plus the router's two interfaces (ra, rb in r), so that
# what entered r and did not leave it is the ground truth (tests/lab/lab_truth.py).
# Run as root, with ../shared/lab beside this checkout; one lab run at a time
# (the namespaces a, r, b are shared). Needs nft, conntrack, iptables, tcpdump,
# tshark (for charon_keys_to_wireshark.py) and editcap.
#   usage: scripts/lab-paths.sh [SCENARIO...]      (captures go to $CAP)
# Scenarios (strongSwan 5.9.8 in the lab's namespaces, PSK, IKEv2):
#   ikev2_bigsainit_firstonly  IKE_SA_INIT of ~1.4 kB (21 transforms, modp8192 KE first) over
#                         a path of MTU 1280 (a0, ra, rb, b0): a sends it as two IP
#                         fragments; r drops every non-first fragment (nft frag-off &
#                         0x1fff != 0): b gets only the first fragments, never answers
#   ikev2_psk_blocked_ab  r drops everything that enters on ra (a->b) for the whole
#                         capture: a's IKE_SA_INIT retransmitted, nothing arrives; b
#                         pings r meanwhile (b's address is active, nothing crosses)
#   ikev2_bigsainit_firstlost  one good negotiation (small proposal) with ESP pings and a
#                         delete, then r drops first fragments (frag-off & 0x3fff ==
#                         0x2000) and a initiates with the big IKE_SA_INIT: only its
#                         second fragments reach b. Also written cut with editcap -A/-B
#                         to the failing exchange: NAME_cut_{a,b,r-ra,r-rb}.pcap
#   ikev2_psk_randomloss_noise  r drops 1 in 10 forwarded packets (nft numgen), both ways,
#                         while clear traffic runs between other addresses on the same
#                         path (192.0.2.10/.11 <-> 198.51.100.10/.11: DNS-like UDP, TCP,
#                         pings, fragmented pings, raw UDP and fragmented raw UDP whose IP
#                         IDs copy the IDs of the IPsec packets the same host just sent:
#                         scripts/lab_noise.py)
#   ikev2_psk_natrebind   r masquerades a (UDP ports 40000-50000, --random-fully); ESP both
#                         ways (a and b ping each other through CHILD_SA enc); r's
#                         conntrack table is flushed mid-SA (conntrack -F): a's next packets
#                         leave from a new public port, b keeps sending to the old one
#                         (r answers port unreachable) until a's dead-peer check (dpd_delay
#                         1s: a gets nothing from b) reaches b from the new port
#   ikev2_psk_pmtubh      r's ICMP frag-needed suppressed (nft output hook in r drops icmp
#                         type 3 code 4); a pings b through CHILD_SA enc with sizes that
#                         make DF ESP-in-UDP packets of 228 to 1428 bytes: those above
#                         rb's MTU 1300 vanish in r (a PMTU black hole)
#   ikev2_psk_corrupt     r overwrites one byte of the ESP payload (UDP 4500, non-zero SPI,
#                         offset 40 of the UDP payload) in every 2nd unfragmented ESP-in-UDP
#                         packet from a (nft payload write), UDP checksum set to 0: b's
#                         libipsec discards them on their ICV
#   ikev2_psk_natloss     r masquerades a (as strongswan_psk.sh NAT=1) and drops 1 in 10
#                         forwarded packets (nft numgen), both ways
#   ikev2_bigsainit_allfrags  MTU 1280 everywhere; a good negotiation (small proposal) and
#                         small ESP pings, then r drops every IP fragment (frag-off & 0x3fff
#                         != 0): 2000-byte pings through the SA (fragmented ESP) vanish,
#                         small ones still pass; a terminates and initiates again with the
#                         big IKE_SA_INIT (two fragments, both dropped): b never hears it
# Each leaves NAME_a.pcap, NAME_b.pcap, NAME_r-ra.pcap, NAME_r-rb.pcap,
# NAME_charon_{a,b}.log, NAME_swanctl_{a,b}.conf, NAME_r_rules.txt and, when a
# negotiation got keys, NAME_esp_sa / NAME_ikev2_decryption_table in $CAP.
set -u
S=$(cd "$(dirname "$0")" && pwd)
L=$(cd "$S/../../shared/lab" && pwd)
export CAP=${CAP:-/tmp/ikescope-lab/captures} SW=${SW:-/tmp/ikescope-lab/sw}
mkdir -p "$CAP"
source "$L/sw_common.sh"
source "$L/sw_swanctl_conf.sh"
CAP_PIDS=()
BG_PIDS=()
bg_stop() {
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	BG_PIDS=()
}
trap 'bg_stop; cap_stop; sw_stop a; sw_stop b' EXIT

# one proposal, many transforms, modp8192 first: the IKE_SA_INIT request is ~1.4 kB
BIGPROP="aes128-aes192-aes256-camellia128-camellia192-camellia256-3des-sha1-sha256-sha384-sha512-aesxcbc-modp8192-modp6144-modp4096-modp3072-modp2048-ecp256-ecp384-ecp521-curve25519"

# setup NAME [IKEPROP]: namespaces (MTU_A, MTU_B from the environment), charons, configs
setup() {
	local name=$1 prop=${2:-aes128-sha256-modp2048}
	echo "=== $name"
	bash "$L/make_netns.sh" up
	inner_addrs
	for ns in a b; do
		sw_write_strongswan_conf $ns
		write_swanctl_conf $ns 2 "$prop" no psk ""
	done
}

start_charons() {
	sw_start a || exit 1
	sw_start b || exit 1
	swc a --load-all --file "$SW/a/swanctl.conf" >/dev/null
	swc b --load-all --file "$SW/b/swanctl.conf" >/dev/null
}

# nat [extra masquerade flags]: r masquerades a behind 198.51.100.254
nat() {
	ip netns exec r iptables -t nat -A POSTROUTING -o rb -p udp -j MASQUERADE --to-ports 40000-50000 "$@"
	ip netns exec r iptables -t nat -A POSTROUTING -o rb -j MASQUERADE "$@"
	export B_REMOTE=%any
}

nft_r() { # rules text on stdin; a rule that does not load stops the run
	ip netns exec r nft -f - || { echo "nft rules not loaded in r: stop" >&2; exit 1; }
}

# ping from a's inner address N (1 enc, 2 null, 3 gcm) to b's
ping_ab() { # n count interval [size]
	ip netns exec a ping -q -c "$2" -i "$3" -W 1 -I 203.0.113.$1 ${4:+-s $4} 203.0.113.$((128 + $1)) | grep transmitted
}

# IPsec traffic as strongswan_psk.sh: each CHILD_SA, small and fragmenting pings
esp_traffic() {
	local c n
	for c in enc null gcm; do
		case $c in enc) n=1 ;; null) n=2 ;; gcm) n=3 ;; esac
		swc a --initiate --ike t --child $c --timeout 20 | grep -E 'established|failed' | head -2
		ping_ab $n 3 0.2
		ping_ab $n 3 0.3 4000
	done
}

finish() {
	local name=$1
	sleep 1
	bg_stop
	cap_stop
	ip netns exec r nft list ruleset > "$CAP/${name}_r_rules.txt" 2>&1
	[ -n "${B_REMOTE:-}" ] && ip netns exec r iptables -t nat -L -v -n >> "$CAP/${name}_r_rules.txt"
	sw_stop a
	sw_stop b
	for ns in a b; do
		cp "$SW/$ns/charon.log" "$CAP/${name}_charon_$ns.log"
		cp "$SW/$ns/swanctl.conf" "$CAP/${name}_swanctl_$ns.conf"
	done
	rm -f "$CAP/${name}_esp_sa" "$CAP/${name}_ikev2_decryption_table" "$CAP/${name}_tshark_opts"
	/usr/bin/python3 "$L/charon_keys_to_wireshark.py" "$CAP/${name}_charon_a.log" "$CAP/${name}_a.pcap" "$CAP/$name"
	rm -f "$CAP/${name}_tshark_opts"
	# a CHILD_SA that b rekeyed gets its keys the wrong way round from that script: swap
	# them where tshark then verifies every ICV (scripts/lab_fix_esp_sa.py)
	[ -s "$CAP/${name}_esp_sa" ] && /usr/bin/python3 "$S/lab_fix_esp_sa.py" "$CAP/${name}_esp_sa" "$CAP/${name}_a.pcap"
	for f in esp_sa ikev2_decryption_table; do
		[ -s "$CAP/${name}_$f" ] || rm -f "$CAP/${name}_$f"
	done
	unset B_REMOTE
	ls -l "$CAP/${name}"_*
}

s_firstonly() {
	local name=ikev2_bigsainit_firstonly
	MTU_A=1280 MTU_B=1280 setup $name "$BIGPROP"
	start_charons
	nft_r <<'NFT'
table ip fragdrop {
	chain nonfirst {
		type filter hook forward priority 0; policy accept;
		ip frag-off & 0x1fff != 0 counter drop
	}
}
NFT
	CAP_R=1 cap_start $name
	swc a --initiate --ike t --child enc --timeout 30 | grep -E 'retransmit|giving up|established|failed' | head -8
	finish $name
}

s_blocked() {
	local name=ikev2_psk_blocked_ab
	setup $name
	start_charons
	nft_r <<'NFT'
table ip blocked {
	chain from_a {
		type filter hook forward priority 0; policy accept;
		iifname "ra" counter drop
	}
}
NFT
	CAP_R=1 cap_start $name
	ip netns exec b ping -q -c 16 -i 1 -W 1 198.51.100.254 >/dev/null &
	BG_PIDS+=($!)
	swc a --initiate --ike t --child enc --timeout 30 | grep -E 'retransmit|giving up|established|failed' | head -8
	wait "${BG_PIDS[@]}"
	BG_PIDS=()
	finish $name
}

s_firstlost() {
	local name=ikev2_bigsainit_firstlost t0 t1
	MTU_A=1280 MTU_B=1280 setup $name
	start_charons
	CAP_R=1 cap_start $name
	swc a --initiate --ike t --child enc --timeout 20 | grep -E 'established|failed' | head -2
	ping_ab 1 3 0.2
	swc a --terminate --ike t --timeout 10 | tail -1
	sleep 1
	nft_r <<'NFT'
table ip fragdrop {
	chain first {
		type filter hook forward priority 0; policy accept;
		ip frag-off & 0x3fff == 0x2000 counter drop
	}
}
NFT
	# a's connection now starts with the big proposal (b still answers aes128-sha256-modp2048)
	sed -i "s/proposals = aes128-sha256-modp2048/proposals = $BIGPROP/" "$SW/a/swanctl.conf"
	swc a --load-all --file "$SW/a/swanctl.conf" >/dev/null
	sleep 0.5
	t0=$(date +%s.%N)
	swc a --initiate --ike t --child enc --timeout 30 | grep -E 'retransmit|giving up|established|failed' | head -8
	t1=$(date +%s.%N)
	finish $name
	# the same pair cut to the failing exchange (all four files, one window)
	local s e x
	s=$(date -u -d "@$(echo "$t0 - 0.2" | bc)" '+%Y-%m-%d %H:%M:%S.%N')
	e=$(date -u -d "@$(echo "$t1 + 0.2" | bc)" '+%Y-%m-%d %H:%M:%S.%N')
	for x in a b r-ra r-rb; do
		TZ=UTC editcap -F pcap -A "$s" -B "$e" "$CAP/${name}_$x.pcap" "$CAP/${name}_cut_$x.pcap"
	done
	echo "cut to $s .. $e UTC" | tee "$CAP/${name}_cut.txt"
}

s_noise() {
	local name=ikev2_psk_randomloss_noise
	setup $name
	for i in 10 11; do
		ip -n a addr add 192.0.2.$i/24 dev a0
		ip -n b addr add 198.51.100.$i/24 dev b0
	done
	start_charons
	CAP_R=1 cap_start $name
	nft_r <<'NFT'
table ip loss {
	chain lossy {
		type filter hook forward priority 0; policy accept;
		numgen random mod 10 == 0 counter drop
	}
}
NFT
	# the noise runs until the IPsec part is over (bg_stop), at most 60 s
	local T=60
	ip netns exec a timeout $T /usr/bin/python3 "$S/lab_noise.py" serve 192.0.2.10 192.0.2.11 &
	BG_PIDS+=($!)
	ip netns exec b timeout $T /usr/bin/python3 "$S/lab_noise.py" serve 198.51.100.10 198.51.100.11 &
	BG_PIDS+=($!)
	sleep 0.3
	ip netns exec a timeout $T /usr/bin/python3 "$S/lab_noise.py" client a0 192.0.2.1 192.0.2.10 192.0.2.11 198.51.100.10 198.51.100.11 &
	BG_PIDS+=($!)
	ip netns exec b timeout $T /usr/bin/python3 "$S/lab_noise.py" client b0 198.51.100.1 198.51.100.10 198.51.100.11 192.0.2.10 192.0.2.11 &
	BG_PIDS+=($!)
	ip netns exec a timeout $T ping -q -i 0.5 -I 192.0.2.10 198.51.100.11 >/dev/null &
	BG_PIDS+=($!)
	ip netns exec b timeout $T ping -q -i 1 -s 2000 -I 198.51.100.11 192.0.2.10 >/dev/null &
	BG_PIDS+=($!)
	ip netns exec a timeout $T ping -q -i 1.2 -s 3000 -I 192.0.2.11 198.51.100.10 >/dev/null &
	BG_PIDS+=($!)
	sleep 1
	esp_traffic
	swc a --terminate --ike t --timeout 10 | tail -1
	sleep 0.5
	bg_stop
	finish $name
}

s_natrebind() {
	local name=ikev2_psk_natrebind
	setup $name
	nat --random-fully
	for ns in a b; do write_swanctl_conf $ns 2 aes128-sha256-modp2048 no psk ""; done
	# a checks liveness after 1 s without inbound traffic (DPD): its INFORMATIONAL is the first
	# IKE message from the new public port, and b moves the IKE SA when it arrives
	sed -i 's/dpd_delay = 0/dpd_delay = 1s/' "$SW/a/swanctl.conf"
	start_charons
	CAP_R=1 cap_start $name
	swc a --initiate --ike t --child enc --timeout 20 | grep -E 'established|failed' | head -2
	ip netns exec a ping -q -c 60 -i 0.1 -W 1 -I 203.0.113.1 203.0.113.129 >/dev/null &
	BG_PIDS+=($!)
	ip netns exec b ping -q -c 60 -i 0.1 -W 1 -I 203.0.113.129 203.0.113.1 >/dev/null &
	BG_PIDS+=($!)
	sleep 2
	ip netns exec r conntrack -L 2>/dev/null > "$CAP/${name}_r_conntrack_before.txt"
	ip netns exec r conntrack -F
	echo "conntrack flushed at $(date -u +%T.%N)" | tee "$CAP/${name}_r_flush.txt"
	wait "${BG_PIDS[@]}"
	BG_PIDS=()
	ip netns exec r conntrack -L 2>/dev/null > "$CAP/${name}_r_conntrack_after.txt"
	swc a --terminate --ike t --timeout 10 | tail -1
	finish $name
}

s_pmtubh() {
	local name=ikev2_psk_pmtubh
	setup $name
	start_charons
	nft_r <<'NFT'
table ip nofragneeded {
	chain out {
		type filter hook output priority 0; policy accept;
		icmp type destination-unreachable icmp code frag-needed counter drop
	}
}
NFT
	CAP_R=1 cap_start $name
	swc a --initiate --ike t --child enc --timeout 20 | grep -E 'established|failed' | head -2
	local s
	for s in 100 600 1000 1150 1180 1200 1210 1220 1230 1250 1300; do
		ping_ab 1 2 0.2 $s
	done
	swc a --terminate --ike t --timeout 10 | tail -1
	finish $name
}

s_corrupt() {
	local name=ikev2_psk_corrupt
	setup $name
	start_charons
	# ESP-in-UDP from a (SPI != 0 after the UDP header), not fragmented: every 2nd gets byte 40
	# of the UDP payload (inside the encrypted data) overwritten, UDP checksum cleared
	nft_r <<'NFT'
table ip corrupt {
	chain mangle_esp {
		type filter hook forward priority 0; policy accept;
		iifname "ra" ip frag-off & 0x3fff == 0 udp dport 4500 @th,64,32 != 0 numgen inc mod 2 == 0 counter @th,384,8 set 0x5a udp checksum set 0
	}
}
NFT
	CAP_R=1 cap_start $name
	esp_traffic
	swc a --terminate --ike t --timeout 10 | tail -1
	finish $name
}

s_natloss() {
	local name=ikev2_psk_natloss
	setup $name
	nat
	for ns in a b; do write_swanctl_conf $ns 2 aes128-sha256-modp2048 no psk ""; done
	start_charons
	nft_r <<'NFT'
table ip loss {
	chain lossy {
		type filter hook forward priority 0; policy accept;
		numgen random mod 10 == 0 counter drop
	}
}
NFT
	CAP_R=1 cap_start $name
	esp_traffic
	swc a --terminate --ike t --timeout 10 | tail -1
	finish $name
}

s_allfrags() {
	local name=ikev2_bigsainit_allfrags
	MTU_A=1280 MTU_B=1280 setup $name
	start_charons
	CAP_R=1 cap_start $name
	swc a --initiate --ike t --child enc --timeout 20 | grep -E 'established|failed' | head -2
	ping_ab 1 3 0.2
	nft_r <<'NFT'
table ip fragdrop {
	chain anyfrag {
		type filter hook forward priority 0; policy accept;
		ip frag-off & 0x3fff != 0 counter drop
	}
}
NFT
	ping_ab 1 3 0.3 2000
	ping_ab 1 3 0.2
	swc a --terminate --ike t --timeout 10 | tail -1
	sleep 1
	sed -i "s/proposals = aes128-sha256-modp2048/proposals = $BIGPROP/" "$SW/a/swanctl.conf"
	swc a --load-all --file "$SW/a/swanctl.conf" >/dev/null
	sleep 0.5
	swc a --initiate --ike t --child enc --timeout 30 | grep -E 'retransmit|giving up|established|failed' | head -8
	finish $name
}

for s in ${*:-firstonly blocked firstlost noise natrebind pmtubh corrupt natloss allfrags}; do
	case $s in
	firstonly | ikev2_bigsainit_firstonly) s_firstonly ;;
	blocked | ikev2_psk_blocked_ab) s_blocked ;;
	firstlost | ikev2_bigsainit_firstlost) s_firstlost ;;
	noise | ikev2_psk_randomloss_noise) s_noise ;;
	natrebind | ikev2_psk_natrebind) s_natrebind ;;
	pmtubh | ikev2_psk_pmtubh) s_pmtubh ;;
	corrupt | ikev2_psk_corrupt) s_corrupt ;;
	natloss | ikev2_psk_natloss) s_natloss ;;
	allfrags | ikev2_bigsainit_allfrags) s_allfrags ;;
	*) echo "unknown scenario $s" >&2; exit 2 ;;
	esac
done
bash "$L/make_netns.sh" down
