#!/bin/bash
# Make two-sided captures with the IKE logs of both ends in the forms
# people hold today (issue #21): charon with time_add_ms, ike_name and the
# packet dumps (net=3, enc=3) in several time_format variants, and
# libreswan's pluto (4.10, unpacked from Debian's package, see below).
# Run as root. Uses its own namespaces lga - lgr - lgb (same addresses as
# ../shared/lab/make_netns.sh: 192.0.2.1 <-> 198.51.100.1) so it does not
# disturb a lab run in a/r/b.
#   usage: scripts/lab-logs.sh [SCENARIO...]    (output in $CAP)
# Scenarios:
#   charon_v2_ms     IKEv2 PSK charon<->charon; a: time_format %T + ms, b: "%b %e %T" + ms,
#                    both ike_name; r drops a's first IKE_AUTH request(s) for 1.5 s
#                    (charon retransmits)
#   charon_v1_iso    IKEv1 main mode PSK; a: "%Y-%m-%d %H:%M:%S" + ms, b: "%F %T" whole seconds
#   pluto_charon_v2  pluto (a, initiator) <-> charon (b), IKEv2 PSK
#   pluto_charon_v1  pluto (a, initiator) <-> charon (b), IKEv1 main mode PSK
#   pluto_v2_drop    pluto (a) <-> charon (b), r drops every IKE packet from b for 3 s:
#                    pluto retransmits
#   pluto_pluto_v2   pluto (a, initiator) <-> pluto (b), IKEv2 PSK, both plutodebug=all
#   pluto_pluto_v1   the same with IKEv1 main mode + quick mode
#   pluto_nat_v2     r masquerades a (as ../shared/lab NAT=1 and lab-paths.sh nat: UDP
#                    source ports to 40000-50000); pluto (a, initiator, encapsulation=auto)
#                    <-> charon (b, remote_addrs %any, encap=no): real NAT detection moves
#                    IKE_AUTH to 4500 with the non-ESP marker
#   pluto_nat_v1     the same with IKEv1 main mode (NAT-T from the 5th message on)
# Each leaves NAME_a.pcap, NAME_b.pcap and NAME_{charon,pluto}_{a,b}.log in $CAP.
# The pluto_pluto_* and pluto_nat_* runs stop the daemons (b, then a) before
# the captures, so every message the logs record is in the captures.
set -u
export CAP=${CAP:-/tmp/ikescope-lab/logs} SW=${SW:-/tmp/ikescope-lab/logs-sw}
LIBRESWAN=${LIBRESWAN:-/tmp/ikescope-lab/libreswan} # dpkg -x of libreswan_4.10*.deb
mkdir -p "$CAP" "$SW"
A=lga R=lgr B=lgb
OUTER_A=192.0.2.1 OUTER_B=198.51.100.1
PSK=research-test-psk-0123456789
CAP_PIDS=()

net_up() {
	net_down
	ip netns add $A; ip netns add $B; ip netns add $R
	ip link add a0 netns $A type veth peer name ra netns $R
	ip link add b0 netns $B type veth peer name rb netns $R
	for n in $A $B $R; do ip -n $n link set lo up; done
	ip -n $A addr add $OUTER_A/24 dev a0
	ip -n $R addr add 192.0.2.254/24 dev ra
	ip -n $R addr add 198.51.100.254/24 dev rb
	ip -n $B addr add $OUTER_B/24 dev b0
	ip -n $A link set a0 up; ip -n $R link set ra up
	ip -n $R link set rb up; ip -n $B link set b0 up
	ip -n $A route add default via 192.0.2.254
	ip -n $B route add default via 198.51.100.254
	ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
	ip -n $A addr replace 203.0.113.1/32 dev lo
	ip -n $B addr replace 203.0.113.129/32 dev lo
}

net_down() {
	for n in $A $B $R; do ip netns del $n 2>/dev/null || true; done
}

# charon_conf side timeformat add_ms version
# env: B_REMOTE remote_addrs of b (%any when r NATs a), ENCAP (default yes)
charon_conf() {
	local s=$1 tf=$2 ms=$3 ver=$4 me peer myid peerid lts rts
	if [ "$s" = a ]; then me=$OUTER_A peer=$OUTER_B myid=a.test peerid=b.test lts=203.0.113.1 rts=203.0.113.129
	else me=$OUTER_B peer=${B_REMOTE:-$OUTER_A} myid=b.test peerid=a.test lts=203.0.113.129 rts=203.0.113.1; fi
	mkdir -p "$SW/$s"
	cat > "$SW/$s/strongswan.conf" <<EOF
charon {
    load_modular = yes
    plugins { include /etc/strongswan.d/charon/*.conf }
}
include /etc/strongswan.d/*.conf
charon {
    retransmit_timeout = 1.0
    retransmit_base = 1.5
    retransmit_tries = 4
    filelog {
        main {
            path = $SW/$s/charon.log
            time_format = $tf
            time_add_ms = $ms
            ike_name = yes
            append = no
            flush_line = yes
            default = 1
            net = 3
            enc = 3
            ike = 2
            cfg = 1
            knl = 1
        }
    }
    syslog { daemon { default = -1 } auth { default = -1 } }
    plugins {
        vici { socket = unix://$SW/$s/charon.vici }
        stroke { load = no }
        kernel-libipsec { load = yes }
        kernel-netlink { load = yes }
        socket-default { load = yes }
        forecast { load = no }
        farp { load = no }
        tpm { load = no }
        pkcs11 { load = no }
        ha { load = no }
        dhcp { load = no }
        eap-radius { load = no }
    }
}
EOF
	cat > "$SW/$s/swanctl.conf" <<EOF
connections {
    t {
        version = $ver
        local_addrs = $me
        remote_addrs = $peer
        proposals = aes128-sha256-modp2048
        encap = ${ENCAP:-yes}
        mobike = no
        dpd_delay = 0
        rekey_time = 0
        local { auth = psk
                id = $myid }
        remote { auth = psk
                 id = $peerid }
        children {
            enc {
                local_ts = $lts/32
                remote_ts = $rts/32
                esp_proposals = aes128-sha1
                mode = tunnel
                start_action = none
                rekey_time = 0
            }
        }
    }
}
secrets { ike-psk { id-a = a.test
                    id-b = b.test
                    secret = "$PSK" } }
EOF
}

declare -A STARTED=()
charon_start() { # side
	local s=$1 ns
	STARTED[$s-charon]=1
	ns=$([ "$s" = a ] && echo $A || echo $B)
	rm -f "$SW/$s/charon.vici" "$SW/$s/charon.log"
	ip netns exec $ns sh -c "mount -t tmpfs tmpfs /run && exec env STRONGSWAN_CONF=$SW/$s/strongswan.conf /usr/lib/ipsec/charon" \
		> "$SW/$s/charon.stdout" 2>&1 &
	echo $! > "$SW/$s/charon.pid-outer"
	for i in $(seq 1 50); do [ -S "$SW/$s/charon.vici" ] && break; sleep 0.1; done
	[ -S "$SW/$s/charon.vici" ] || { echo "charon $s did not come up"; cat "$SW/$s/charon.stdout"; return 1; }
	swc $s --load-all --file "$SW/$s/swanctl.conf" >/dev/null
}

stop_pidfile() { # file
	[ -f "$1" ] || return 0
	local pid; pid=$(cat "$1")
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	rm -f "$1"
}

swc() { # side command args
	local s=$1 cmd=$2 ns; shift 2
	ns=$([ "$s" = a ] && echo $A || echo $B)
	ip netns exec $ns env STRONGSWAN_CONF="$SW/$s/strongswan.conf" swanctl "$cmd" --uri "unix://$SW/$s/charon.vici" "$@"
}

# pluto in a private mount namespace of side's netns: libreswan's usr/libexec
# bind-mounted over /usr/libexec (pluto runs /usr/libexec/ipsec/addconn),
# its own nss db, rundir and ctl socket. ikev1-policy=accept for IKEv1.
# env: B_REMOTE right= of b (%any when r NATs a), PLUTO_ENCAP (default yes)
pluto_conf() { # side ikev2(yes|no)
	local s=$1 v2=$2 me peer myid peerid lts rts
	if [ "$s" = a ]; then me=$OUTER_A peer=$OUTER_B myid=@a.test peerid=@b.test lts=203.0.113.1 rts=203.0.113.129
	else me=$OUTER_B peer=${B_REMOTE:-$OUTER_A} myid=@b.test peerid=@a.test lts=203.0.113.129 rts=203.0.113.1; fi
	mkdir -p "$SW/p$s/nss" "$SW/p$s/run"
	cat > "$SW/p$s/ipsec.conf" <<EOF
config setup
	plutodebug=all
	logfile=$SW/p$s/pluto.log
	logtime=yes
	logappend=no
	ikev1-policy=accept
	nssdir=$SW/p$s/nss

conn t
	left=$me
	leftid=$myid
	leftsubnet=$lts/32
	right=$peer
	rightid=$peerid
	rightsubnet=$rts/32
	authby=secret
	ikev2=$v2
	ike=aes128-sha2_256;modp2048
	esp=aes128-sha1
	encapsulation=${PLUTO_ENCAP:-yes}
	retransmit-timeout=20s
	auto=add
EOF
	echo "$myid $peerid : PSK \"$PSK\"" > "$SW/p$s/ipsec.secrets"
	chmod 600 "$SW/p$s/ipsec.secrets"
}

pluto_start() { # side
	local s=$1 ns L=$LIBRESWAN
	STARTED[$s-pluto]=1
	ns=$([ "$s" = a ] && echo $A || echo $B)
	rm -f "$SW/p$s/pluto.log"
	rm -rf "$SW/p$s/nss"; mkdir -p "$SW/p$s/nss"
	certutil -N -d "sql:$SW/p$s/nss" --empty-password
	ip netns exec $ns unshare -m sh -c "
		mount -t tmpfs tmpfs /run &&
		mount --bind $L/usr/libexec /usr/libexec &&
		exec $L/usr/libexec/ipsec/pluto --nofork --config $SW/p$s/ipsec.conf \
			--secretsfile $SW/p$s/ipsec.secrets \
			--nssdir $SW/p$s/nss --rundir $SW/p$s/run --logfile $SW/p$s/pluto.log" \
		> "$SW/p$s/pluto.stdout" 2>&1 &
	echo $! > "$SW/p$s/pluto.pid-outer"
	for i in $(seq 1 50); do [ -S "$SW/p$s/run/pluto.ctl" ] && break; sleep 0.1; done
	[ -S "$SW/p$s/run/pluto.ctl" ] || { echo "pluto $s did not come up"; cat "$SW/p$s/pluto.stdout"; return 1; }
	sleep 1 # addconn (started by pluto) loads conn t (auto=add)
}

ipw() { # side whack args
	local s=$1 ns; shift
	ns=$([ "$s" = a ] && echo $A || echo $B)
	ip netns exec $ns "$LIBRESWAN/usr/libexec/ipsec/whack" --ctlsocket "$SW/p$s/run/pluto.ctl" "$@"
}

cap_start() { # name
	CAP_PIDS=()
	ip netns exec $A tcpdump -i a0 -s 0 -U -w "$CAP/${1}_a.pcap" udp >/dev/null 2>&1 & CAP_PIDS+=($!)
	ip netns exec $B tcpdump -i b0 -s 0 -U -w "$CAP/${1}_b.pcap" udp >/dev/null 2>&1 & CAP_PIDS+=($!)
	sleep 1
}

cap_stop() {
	sleep 0.5
	for p in "${CAP_PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
	for p in "${CAP_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	CAP_PIDS=()
}

stop_all() {
	cap_stop
	for f in "$SW"/a/charon.pid-outer "$SW"/b/charon.pid-outer "$SW"/pa/pluto.pid-outer "$SW"/pb/pluto.pid-outer; do
		stop_pidfile "$f"
	done
}
trap 'stop_all; net_down' EXIT

# r drops IKE on 4500 (non-ESP marker) coming in on IFACE for SECONDS
drop_for() { # iface seconds
	ip netns exec $R nft -f - <<NFT
table ip lgdrop {
	chain drop_ike {
		type filter hook forward priority 0; policy accept;
		iifname "$1" udp dport { 500, 4500 } counter drop
	}
}
NFT
	(sleep "$2"; ip netns exec $R nft list table ip lgdrop > "$CAP/${NAME}_r_rules.txt";
	 ip netns exec $R nft delete table ip lgdrop) &
	UNDROP=$!
}

run() {
	NAME=$1
	echo "=== $NAME"
	net_up
	case $NAME in
	charon_v2_ms)
		charon_conf a '%T' yes 2; charon_conf b '%b %e %T' yes 2
		charon_start a || return 1; charon_start b || return 1
		cap_start $NAME
		ip netns exec $R nft -f - <<'NFT'
table ip lgdrop {
	chain drop_ike {
		type filter hook forward priority 0; policy accept;
		iifname "ra" udp dport 4500 @th,64,32 0 counter drop
	}
}
NFT
		(sleep 1.6; ip netns exec $R nft list table ip lgdrop > "$CAP/${NAME}_r_rules.txt";
		 ip netns exec $R nft delete table ip lgdrop) &
		local undrop=$!
		swc a --initiate --ike t --child enc --timeout 20 | grep -E 'established|failed'
		wait $undrop
		swc a --terminate --ike t --timeout 10 | tail -1
		;;
	charon_v1_iso)
		charon_conf a '%Y-%m-%d %H:%M:%S' yes 1; charon_conf b '%F %T' no 1
		charon_start a || return 1; charon_start b || return 1
		cap_start $NAME
		swc a --initiate --ike t --child enc --timeout 20 | grep -E 'established|failed'
		swc a --terminate --ike t --timeout 10 | tail -1
		;;
	pluto_charon_v2|pluto_charon_v1|pluto_v2_drop)
		local v=2 v2=yes
		[ $NAME = pluto_charon_v1 ] && { v=1; v2=no; }
		pluto_conf a $v2; charon_conf b '%T' yes $v
		pluto_start a || return 1; charon_start b || return 1
		cap_start $NAME
		UNDROP=
		[ $NAME = pluto_v2_drop ] && drop_for rb 3
		ipw a --name t --initiate --asynchronous
		if [ $NAME = pluto_v2_drop ]; then sleep 4.5; else sleep 2; fi
		[ -n "$UNDROP" ] && wait $UNDROP
		ipw a --name t --terminate >/dev/null 2>&1
		sleep 1
		;;
	pluto_pluto_v2|pluto_pluto_v1)
		local v2=yes
		[ $NAME = pluto_pluto_v1 ] && v2=no
		pluto_conf a $v2; pluto_conf b $v2
		pluto_start a || return 1; pluto_start b || return 1
		cap_start $NAME
		ipw a --name t --initiate --asynchronous
		sleep 2.5
		ipw a --name t --terminate >/dev/null 2>&1
		sleep 1
		DAEMONS_FIRST=1
		;;
	pluto_nat_v2|pluto_nat_v1)
		local v=2 v2=yes
		[ $NAME = pluto_nat_v1 ] && { v=1; v2=no; }
		# r masquerades a behind 198.51.100.254 as ../shared/lab/strongswan_psk.sh NAT=1
		ip netns exec $R iptables -t nat -A POSTROUTING -o rb -p udp -j MASQUERADE --to-ports 40000-50000
		ip netns exec $R iptables -t nat -A POSTROUTING -o rb -j MASQUERADE
		PLUTO_ENCAP=auto pluto_conf a $v2
		B_REMOTE=%any ENCAP=no charon_conf b '%T' yes $v
		pluto_start a || return 1; charon_start b || return 1
		cap_start $NAME
		ipw a --name t --initiate --asynchronous
		sleep 2.5
		# --delete, not --terminate: pluto revives the connection after each failed
		# CHILD SA install, and a revival scheduled before a terminate still fires
		ipw a --name t --delete >/dev/null 2>&1
		sleep 1
		ip netns exec $R iptables -t nat -L -v -n > "$CAP/${NAME}_r_rules.txt"
		ip netns exec $R conntrack -L -p udp 2>/dev/null >> "$CAP/${NAME}_r_rules.txt"
		DAEMONS_FIRST=1
		;;
	esac
	sleep 1
	if [ -n "${DAEMONS_FIRST:-}" ]; then
		# daemons before the captures, b's before a's: the deletes b sends on
		# shutdown reach a live a, which logs them
		for f in "$SW"/pb/pluto.pid-outer "$SW"/b/charon.pid-outer; do stop_pidfile "$f"; done
		sleep 0.5
		for f in "$SW"/pa/pluto.pid-outer "$SW"/a/charon.pid-outer; do stop_pidfile "$f"; done
		unset DAEMONS_FIRST
	fi
	stop_all
	local s
	for s in a b; do
		[ -n "${STARTED[$s-charon]:-}" ] && cp "$SW/$s/charon.log" "$CAP/${NAME}_charon_$s.log"
		[ -n "${STARTED[$s-pluto]:-}" ] && cp "$SW/p$s/pluto.log" "$CAP/${NAME}_pluto_$s.log"
	done
	STARTED=()
	ls -l "$CAP/${NAME}"_*
}

for s in ${*:-charon_v2_ms charon_v1_iso pluto_charon_v2 pluto_charon_v1 pluto_v2_drop}; do
	run "$s"
done
