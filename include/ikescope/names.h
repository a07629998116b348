/*
 * ikescope/names.h - names for protocol numbers (IANA registries).
 * Every function returns static text, or NULL when the number has no name.
 */
#ifndef IKESCOPE_NAMES_H
#define IKESCOPE_NAMES_H

#include <ikescope/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* IKEv1 (RFC 2408 3.1, "Exchange Type") or IKEv2 (RFC 7296 3.1) exchange name. */
IKS_API const char *iks_ike_exchange_name(int version, unsigned exchange);

/* IKEv1 / IKEv2 payload type name ("SA", "KE", "NAT-D", "SK", ...). */
IKS_API const char *iks_ike_payload_name(int version, unsigned type);

/* IP protocol number name ("UDP", "ESP", "AH", "ICMP", "IPv6-ICMP", ...). */
IKS_API const char *iks_ip_proto_name(unsigned proto);

/* ICMP (version 4) or ICMPv6 (version 6) type name. */
IKS_API const char *iks_icmp_type_name(int version, unsigned type);

/* Name of a UDP encapsulation (iks_udp_encap): "none", "non-esp-marker", "esp", "keepalive". */
IKS_API const char *iks_udp_encap_name(int encap);

#ifdef __cplusplus
}
#endif
#endif
