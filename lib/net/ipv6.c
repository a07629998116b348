/* ipv6.c - the IPv6 header and extension header chain (RFC 8200). */
#include "config.h"

#include "core/decode_error.h"
#include "net/ip.h"

/* Extension headers with the generic (next header, length in 8-octet units
 * after the first 8) layout: RFC 8200 section 4.3-4.6, RFC 6275 (mobility),
 * RFC 7401 (HIP), RFC 5533 (shim6). */
static bool is_generic_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140;
}

static void note_ext(iks_ip_info *ip, uint8_t nh)
{
	if (ip->ext_count < IKS_IPV6_MAX_EXT)
		ip->ext_types[ip->ext_count] = nh;
	if (ip->ext_count < UINT8_MAX)
		ip->ext_count++;
}

iks_status ipv6_walk_ext(iks_reader *r, uint8_t *proto, iks_ip_info *ip, iks_decode_error *err,
			 bool in_datagram)
{
	/* every header consumes at least 8 bytes, so the walk ends */
	while (is_generic_ext(*proto)) {
		size_t at = rd_offset(r);
		uint8_t next, units;
		if (!rd_u8(r, &next) || !rd_u8(r, &units)) {
			set_error(err, IKS_E_TRUNCATED, "ipv6", "extension header cut short", at, in_datagram);
			return IKS_E_TRUNCATED;
		}
		size_t len = ((size_t)units + 1) * 8;
		if (!rd_skip(r, len - 2)) {
			set_error(err, IKS_E_TRUNCATED, "ipv6", "extension header cut short", at, in_datagram);
			return IKS_E_TRUNCATED;
		}
		note_ext(ip, *proto);
		ip->header_len = (uint16_t)(ip->header_len + len);
		*proto = next;
	}
	return IKS_OK;
}

/*
 * Fixed header (section 3): version, traffic class, flow label, payload
 * length, next header, hop limit, source, destination (40 bytes).
 * Fragment header (section 4.5): next header, reserved, offset (13 bits,
 * 8-octet units), 2 reserved bits, M flag, identification (32 bits).
 */
iks_status ipv6_decode(iks_reader *r, iks_ip_info *ip, iks_reader *payload,
		       uint32_t *payload_wire_len, iks_decode_error *err)
{
	size_t start = rd_offset(r);
	iks_reader h = *r;
	uint32_t vtf;
	uint16_t plen;
	uint8_t nh, hlim;

	if (!rd_be32(&h, &vtf) || !rd_be16(&h, &plen) || !rd_u8(&h, &nh) || !rd_u8(&h, &hlim)) {
		set_error(err, IKS_E_TRUNCATED, "ipv6", "IPv6 header cut short", start, false);
		return IKS_E_TRUNCATED;
	}
	if (vtf >> 28 != 6) {
		set_error(err, IKS_E_MALFORMED, "ipv6", "version field is not 6", start, false);
		return IKS_E_MALFORMED;
	}
	ip->present = true;
	ip->version = 6;
	ip->tos = (uint8_t)(vtf >> 20);
	ip->flow_label = vtf & 0xfffff;
	ip->ttl = hlim;
	ip->total_len = 40u + plen;
	ip->header_len = 40;
	ip->src.family = ip->dst.family = 6;
	if (!rd_copy(&h, ip->src.bytes, 16) || !rd_copy(&h, ip->dst.bytes, 16)) {
		ip->src.family = ip->dst.family = 0;
		set_error(err, IKS_E_TRUNCATED, "ipv6", "IPv6 header cut short", start, false);
		return IKS_E_TRUNCATED;
	}
	if (plen == 0 && nh == 0) {
		set_error(err, IKS_E_UNSUPPORTED, "ipv6", "jumbogram (payload length 0) not decoded",
			  start + 4, false);
		return IKS_E_UNSUPPORTED;
	}
	/* everything after the fixed header, as far as captured and the
	 * payload length allow */
	iks_reader body;
	size_t take = rd_left(&h) < plen ? rd_left(&h) : plen;
	rd_sub(&h, take, &body);

	iks_status st = ipv6_walk_ext(&body, &nh, ip, err, false);
	if (st != IKS_OK)
		return st;
	if (nh == IKS_PROTO_IPV6_FRAG) {
		size_t at = rd_offset(&body);
		uint8_t next, reserved;
		uint16_t offm;
		uint32_t id;
		if (!rd_u8(&body, &next) || !rd_u8(&body, &reserved) || !rd_be16(&body, &offm) ||
		    !rd_be32(&body, &id)) {
			set_error(err, IKS_E_TRUNCATED, "ipv6", "fragment header cut short", at, false);
			return IKS_E_TRUNCATED;
		}
		note_ext(ip, IKS_PROTO_IPV6_FRAG);
		ip->header_len = (uint16_t)(ip->header_len + 8);
		ip->frag_offset = (uint32_t)(offm >> 3) * 8;
		ip->mf = (offm & 1) != 0;
		ip->id = id;
		ip->has_id = true;
		ip->is_fragment = true; /* even an atomic fragment (RFC 6946) */
		nh = next;
	}
	ip->proto = nh;
	if (ip->total_len < ip->header_len) {
		set_error(err, IKS_E_MALFORMED, "ipv6", "extension headers exceed the payload length",
			  start + 4, false);
		return IKS_E_MALFORMED;
	}
	*payload_wire_len = ip->total_len - ip->header_len;
	*payload = rd_rest(&body);
	*r = h;
	return IKS_OK;
}
