/* ip.h - IPv4 and IPv6 headers (internal). */
#ifndef IKS_IP_H
#define IKS_IP_H

#include <ikescope/packet.h>
#include "core/reader.h"

#define IKS_PROTO_ICMP 1
#define IKS_PROTO_UDP 17
#define IKS_PROTO_ESP 50
#define IKS_PROTO_AH 51
#define IKS_PROTO_ICMPV6 58
#define IKS_PROTO_IPV6_FRAG 44

/*
 * Decode the IP header at *r into *ip. On success *payload covers the bytes
 * after the header that were captured, limited by the header's length field
 * (so Ethernet padding is excluded), and *payload_wire_len is what the
 * header says the payload length is (larger than payload->len when the
 * capture, or an ICMP quote, cut the packet).
 *
 * For an IPv6 fragment, *payload starts after the fragment header and
 * ip->proto is the fragment header's next header.
 *
 * Returns IKS_OK, IKS_E_TRUNCATED, IKS_E_MALFORMED or IKS_E_UNSUPPORTED with
 * err filled (the caller decides the in_datagram flag: always false here).
 */
iks_status ipv4_decode(iks_reader *r, iks_ip_info *ip, iks_reader *payload,
		       uint32_t *payload_wire_len, iks_decode_error *err);
iks_status ipv6_decode(iks_reader *r, iks_ip_info *ip, iks_reader *payload,
		       uint32_t *payload_wire_len, iks_decode_error *err);

/*
 * Walk IPv6 extension headers (RFC 8200 section 4) starting with next header
 * *proto at *r, up to the first upper-layer header, a fragment header or
 * "no next header". Updates *proto, appends to ip->ext_types and adds the
 * bytes walked to ip->header_len. Used for the main header chain and again
 * on a reassembled payload (the fragmentable part may start with
 * extension headers). Returns IKS_OK, IKS_E_TRUNCATED or IKS_E_MALFORMED.
 */
iks_status ipv6_walk_ext(iks_reader *r, uint8_t *proto, iks_ip_info *ip, iks_decode_error *err,
			 bool in_datagram);

#endif
