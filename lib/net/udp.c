/* udp.c - UDP (RFC 768) and NAT-T demultiplexing (RFC 3947, RFC 3948). */
#include "config.h"

#include "core/decode_error.h"
#include "net/udp.h"

/* source port, destination port, length, checksum: 8 bytes */
iks_status udp_decode(iks_reader *r, uint32_t wire_len, iks_udp_info *udp, iks_reader *payload,
		      iks_decode_error *err, bool in_datagram)
{
	size_t start = rd_offset(r);
	if (!rd_be16(r, &udp->sport) || !rd_be16(r, &udp->dport) || !rd_be16(r, &udp->length) ||
	    !rd_be16(r, &udp->checksum)) {
		set_error(err, IKS_E_TRUNCATED, "udp", "UDP header cut short", start, in_datagram);
		return IKS_E_TRUNCATED;
	}
	udp->present = true;
	if (udp->length < 8) {
		set_error(err, IKS_E_MALFORMED, "udp", "UDP length below 8", start + 4, in_datagram);
		return IKS_E_MALFORMED;
	}
	if (udp->length > wire_len) {
		set_error(err, IKS_E_MALFORMED, "udp", "UDP length exceeds the IP payload", start + 4,
			  in_datagram);
		return IKS_E_MALFORMED;
	}
	size_t want = (size_t)udp->length - 8;
	size_t take = rd_left(r) < want ? rd_left(r) : want;
	rd_sub(r, take, payload);
	return IKS_OK;
}

enum udp_carries udp_demux(iks_udp_info *udp, const iks_reader *payload, iks_reader *inner,
			   iks_decode_error *err, bool in_datagram)
{
	iks_reader p = *payload;
	udp->encap = IKS_ENCAP_NONE;
	if (udp->sport == IKS_PORT_IKE || udp->dport == IKS_PORT_IKE) {
		*inner = p;
		return UDP_CARRIES_IKE;
	}
	if (udp->sport != IKS_PORT_NATT && udp->dport != IKS_PORT_NATT)
		return UDP_CARRIES_OTHER;

	size_t wire = (size_t)udp->length - 8;
	uint8_t b0;
	if (wire == 1) {
		if (rd_peek_u8(&p, 0, &b0) && b0 == 0xff) {
			udp->encap = IKS_ENCAP_KEEPALIVE;
			return UDP_CARRIES_KEEPALIVE;
		}
		if (rd_left(&p) == 0) {
			set_error(err, IKS_E_TRUNCATED, "udp", "NAT-T payload not captured",
				  rd_offset(&p), in_datagram);
			return UDP_CARRIES_NOTHING;
		}
	}
	if (rd_left(&p) < 4) {
		bool cut = rd_left(&p) < wire;
		set_error(err, cut ? IKS_E_TRUNCATED : IKS_E_MALFORMED, "udp",
			  cut ? "NAT-T payload cut short" : "NAT-T payload too short for ESP or IKE",
			  rd_offset(&p), in_datagram);
		return UDP_CARRIES_NOTHING;
	}
	iks_reader peek = p;
	uint32_t first = 1;
	if (rd_be32(&peek, &first) && first == 0) {
		udp->encap = IKS_ENCAP_NON_ESP_MARKER;
		*inner = peek;
		return UDP_CARRIES_IKE;
	}
	udp->encap = IKS_ENCAP_ESP;
	*inner = p;
	return UDP_CARRIES_ESP;
}
