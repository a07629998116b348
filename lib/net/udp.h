/* udp.h - UDP and the IPsec NAT-T port demultiplexing (internal). */
#ifndef IKS_UDP_H
#define IKS_UDP_H

#include <ikescope/packet.h>
#include "core/reader.h"

#define IKS_PORT_IKE 500
#define IKS_PORT_NATT 4500

/* What the UDP payload carries, from the ports and the first bytes. */
enum udp_carries {
	UDP_CARRIES_OTHER = 0,
	UDP_CARRIES_IKE,        /* *inner covers the ISAKMP header onwards */
	UDP_CARRIES_ESP,        /* *inner covers the ESP header onwards */
	UDP_CARRIES_KEEPALIVE,
	UDP_CARRIES_NOTHING     /* a NAT-T port but too short to tell (error set) */
};

/*
 * Decode the UDP header (RFC 768) at *r. `wire_len` is the IP payload
 * length the IP header announced. *payload gets the captured UDP payload,
 * limited by the UDP length field. Returns IKS_OK, IKS_E_TRUNCATED or
 * IKS_E_MALFORMED (err filled).
 */
iks_status udp_decode(iks_reader *r, uint32_t wire_len, iks_udp_info *udp, iks_reader *payload,
		      iks_decode_error *err, bool in_datagram);

/*
 * Port demultiplexing: 500 -> IKE; 4500 -> RFC 3948 section 2.2/2.3: a
 * single 0xFF is a NAT-keepalive, four zero bytes (non-ESP marker) precede
 * IKE, anything else is ESP in UDP. Sets udp->encap and returns what the
 * payload carries, with *inner positioned at it.
 */
enum udp_carries udp_demux(iks_udp_info *udp, const iks_reader *payload, iks_reader *inner,
			   iks_decode_error *err, bool in_datagram);

#endif
