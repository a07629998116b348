/* ipv4.c - the IPv4 header (RFC 791 section 3.1). */
#include "config.h"

#include "core/decode_error.h"
#include "net/ip.h"

/*
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options                    |    Padding    |
 */
iks_status ipv4_decode(iks_reader *r, iks_ip_info *ip, iks_reader *payload,
		       uint32_t *payload_wire_len, iks_decode_error *err)
{
	size_t start = rd_offset(r);
	iks_reader h = *r;
	uint8_t vihl, tos, ttl, proto;
	uint16_t total, id, frag, csum;

	if (!rd_u8(&h, &vihl) || !rd_u8(&h, &tos) || !rd_be16(&h, &total) ||
	    !rd_be16(&h, &id) || !rd_be16(&h, &frag) || !rd_u8(&h, &ttl) ||
	    !rd_u8(&h, &proto) || !rd_be16(&h, &csum)) {
		set_error(err, IKS_E_TRUNCATED, "ipv4", "IPv4 header cut short", start, false);
		return IKS_E_TRUNCATED;
	}
	if (vihl >> 4 != 4) {
		set_error(err, IKS_E_MALFORMED, "ipv4", "version field is not 4", start, false);
		return IKS_E_MALFORMED;
	}
	ip->present = true;
	ip->version = 4;
	ip->tos = tos;
	ip->total_len = total;
	ip->id = id;
	ip->has_id = true;
	ip->df = (frag & 0x4000) != 0;
	ip->mf = (frag & 0x2000) != 0;
	ip->frag_offset = (uint32_t)(frag & 0x1fff) * 8;
	ip->is_fragment = ip->mf || ip->frag_offset != 0;
	ip->ttl = ttl;
	ip->proto = proto;
	ip->src.family = ip->dst.family = 4;
	if (!rd_copy(&h, ip->src.bytes, 4) || !rd_copy(&h, ip->dst.bytes, 4)) {
		ip->src.family = ip->dst.family = 0;
		set_error(err, IKS_E_TRUNCATED, "ipv4", "IPv4 header cut short", start, false);
		return IKS_E_TRUNCATED;
	}
	size_t hlen = (size_t)(vihl & 0x0f) * 4;
	ip->header_len = (uint16_t)hlen;
	if (hlen < 20) {
		set_error(err, IKS_E_MALFORMED, "ipv4", "header length below 20 bytes", start, false);
		return IKS_E_MALFORMED;
	}
	ip->options_len = (uint16_t)(hlen - 20);
	if (total < hlen) {
		set_error(err, IKS_E_MALFORMED, "ipv4", "total length below header length", start + 2, false);
		return IKS_E_MALFORMED;
	}
	if (!rd_skip(&h, hlen - 20)) {
		set_error(err, IKS_E_TRUNCATED, "ipv4", "IPv4 options cut short", rd_offset(&h), false);
		return IKS_E_TRUNCATED;
	}
	*payload_wire_len = total - (uint32_t)hlen;
	size_t avail = rd_left(&h);
	size_t take = avail < *payload_wire_len ? avail : *payload_wire_len;
	rd_sub(&h, take, payload);
	*r = h;
	return IKS_OK;
}
