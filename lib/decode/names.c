/*
 * names.c - names for protocol numbers, as data.
 *
 * Sources: IANA registries "Internet Security Association and Key
 * Management Protocol (ISAKMP) Identifiers" (IKEv1), "Internet Key Exchange
 * Version 2 (IKEv2) Parameters", "Protocol Numbers", "ICMP Type Numbers",
 * "ICMPv6 Parameters". Adding a name is one line.
 */
#include "config.h"

#include <ikescope/names.h>
#include <ikescope/packet.h>

#include "core/name_table.h"

/* RFC 2408 section 3.1 / RFC 2409 / IANA ISAKMP Exchange Types */
static const struct name_entry ikev1_exchanges[] = {
	{ 0, "None" },
	{ 1, "Base" },
	{ 2, "Identity Protection (Main Mode)" },
	{ 3, "Authentication Only" },
	{ 4, "Aggressive" },
	{ 5, "Informational" },
	{ 6, "Transaction (Config Mode)" },
	{ 32, "Quick Mode" },
	{ 33, "New Group Mode" },
};

/* RFC 7296 section 3.1 / IANA IKEv2 Exchange Types */
static const struct name_entry ikev2_exchanges[] = {
	{ 34, "IKE_SA_INIT" },
	{ 35, "IKE_AUTH" },
	{ 36, "CREATE_CHILD_SA" },
	{ 37, "INFORMATIONAL" },
	{ 38, "IKE_SESSION_RESUME" },   /* RFC 5723 */
	{ 39, "GSA_AUTH" },             /* RFC 9838 (G-IKEv2) */
	{ 40, "GSA_REGISTRATION" },
	{ 41, "GSA_REKEY" },
	{ 43, "IKE_INTERMEDIATE" },     /* RFC 9242 */
	{ 44, "IKE_FOLLOWUP_KE" },      /* RFC 9370 */
};

/* RFC 2408 section 3.1, RFC 3947, IANA ISAKMP Next Payload Types; 130-132
 * are private-use numbers in wide use (NAT-T drafts, Cisco/Microsoft IKE
 * fragmentation). */
static const struct name_entry ikev1_payloads[] = {
	{ 0, "NONE" },
	{ 1, "SA" },
	{ 2, "P" },
	{ 3, "T" },
	{ 4, "KE" },
	{ 5, "ID" },
	{ 6, "CERT" },
	{ 7, "CR" },
	{ 8, "HASH" },
	{ 9, "SIG" },
	{ 10, "NONCE" },
	{ 11, "N" },
	{ 12, "D" },
	{ 13, "VID" },
	{ 14, "ATTR" },
	{ 15, "SAK" },
	{ 16, "SAT" },
	{ 17, "KD" },
	{ 18, "SEQ" },
	{ 19, "POP" },
	{ 20, "NAT-D" },
	{ 21, "NAT-OA" },
	{ 22, "GAP" },
	{ 130, "NAT-D (draft)" },
	{ 131, "NAT-OA (draft)" },
	{ 132, "FRAG" },
};

/* RFC 7296 section 3.2 / IANA IKEv2 Payload Types */
static const struct name_entry ikev2_payloads[] = {
	{ 0, "NONE" },
	{ 33, "SA" },
	{ 34, "KE" },
	{ 35, "IDi" },
	{ 36, "IDr" },
	{ 37, "CERT" },
	{ 38, "CERTREQ" },
	{ 39, "AUTH" },
	{ 40, "Nonce" },
	{ 41, "N" },
	{ 42, "D" },
	{ 43, "V" },
	{ 44, "TSi" },
	{ 45, "TSr" },
	{ 46, "SK" },
	{ 47, "CP" },
	{ 48, "EAP" },
	{ 49, "GSPM" },
	{ 50, "IDg" },
	{ 51, "GSA" },
	{ 52, "KD" },
	{ 53, "SKF" },
	{ 54, "PS" },
};

/* IANA Protocol Numbers (the ones met in IPsec troubleshooting) */
static const struct name_entry ip_protos[] = {
	{ 0, "HOPOPT" },
	{ 1, "ICMP" },
	{ 2, "IGMP" },
	{ 4, "IPv4" },
	{ 6, "TCP" },
	{ 17, "UDP" },
	{ 41, "IPv6" },
	{ 43, "IPv6-Route" },
	{ 44, "IPv6-Frag" },
	{ 47, "GRE" },
	{ 50, "ESP" },
	{ 51, "AH" },
	{ 58, "IPv6-ICMP" },
	{ 59, "IPv6-NoNxt" },
	{ 60, "IPv6-Opts" },
	{ 89, "OSPF" },
	{ 103, "PIM" },
	{ 112, "VRRP" },
	{ 115, "L2TP" },
	{ 132, "SCTP" },
	{ 135, "Mobility" },
	{ 139, "HIP" },
	{ 140, "Shim6" },
};

/* RFC 792 and IANA ICMP Type Numbers */
static const struct name_entry icmp4_types[] = {
	{ 0, "echo-reply" },
	{ 3, "destination-unreachable" },
	{ 4, "source-quench" },
	{ 5, "redirect" },
	{ 8, "echo-request" },
	{ 9, "router-advertisement" },
	{ 10, "router-solicitation" },
	{ 11, "time-exceeded" },
	{ 12, "parameter-problem" },
	{ 13, "timestamp" },
	{ 14, "timestamp-reply" },
};

/* RFC 4443, RFC 4861, RFC 3810 and IANA ICMPv6 Parameters */
static const struct name_entry icmp6_types[] = {
	{ 1, "destination-unreachable" },
	{ 2, "packet-too-big" },
	{ 3, "time-exceeded" },
	{ 4, "parameter-problem" },
	{ 128, "echo-request" },
	{ 129, "echo-reply" },
	{ 130, "mld-query" },
	{ 131, "mld-report" },
	{ 132, "mld-done" },
	{ 133, "router-solicitation" },
	{ 134, "router-advertisement" },
	{ 135, "neighbor-solicitation" },
	{ 136, "neighbor-advertisement" },
	{ 137, "redirect" },
	{ 143, "mldv2-report" },
};

const char *iks_ike_exchange_name(int version, unsigned exchange)
{
	if (version == 1)
		return name_find(NAME_TABLE(ikev1_exchanges), exchange);
	if (version == 2)
		return name_find(NAME_TABLE(ikev2_exchanges), exchange);
	return NULL;
}

const char *iks_ike_payload_name(int version, unsigned type)
{
	if (version == 1)
		return name_find(NAME_TABLE(ikev1_payloads), type);
	if (version == 2)
		return name_find(NAME_TABLE(ikev2_payloads), type);
	return NULL;
}

const char *iks_ip_proto_name(unsigned proto)
{
	return name_find(NAME_TABLE(ip_protos), proto);
}

const char *iks_icmp_type_name(int version, unsigned type)
{
	if (version == 4)
		return name_find(NAME_TABLE(icmp4_types), type);
	if (version == 6)
		return name_find(NAME_TABLE(icmp6_types), type);
	return NULL;
}

const char *iks_udp_encap_name(int encap)
{
	switch (encap) {
	case IKS_ENCAP_NONE: return "none";
	case IKS_ENCAP_NON_ESP_MARKER: return "non-esp-marker";
	case IKS_ENCAP_ESP: return "esp";
	case IKS_ENCAP_KEEPALIVE: return "keepalive";
	}
	return NULL;
}
