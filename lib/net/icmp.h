/* icmp.h - ICMP and ICMPv6 messages (internal). */
#ifndef IKS_ICMP_H
#define IKS_ICMP_H

#include <ikescope/packet.h>
#include "core/reader.h"

/*
 * Decode an ICMP (version 4) or ICMPv6 (version 6) message at *r. For error
 * messages, *quote covers the quoted packet (as much as was sent and
 * captured) and icmp->is_error is set. Returns IKS_OK, IKS_E_TRUNCATED.
 */
iks_status icmp_decode(iks_reader *r, int version, iks_icmp_info *icmp, iks_reader *quote,
		       iks_decode_error *err, bool in_datagram);

#endif
