/* icmp.c - ICMP (RFC 792, RFC 1191) and ICMPv6 (RFC 4443) messages. */
#include "config.h"

#include "core/decode_error.h"
#include "net/icmp.h"

/* ICMP types that quote the offending datagram (RFC 792): destination
 * unreachable, source quench, redirect, time exceeded, parameter problem. */
static bool icmp4_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* ICMPv6 error messages are types 0-127 (RFC 4443 section 2.1); 1-4 are
 * the ones defined. */
static bool icmp6_is_error(uint8_t type)
{
	return type >= 1 && type <= 4;
}

/*
 * |     Type      |     Code      |          Checksum             |
 * |        4 bytes that depend on the type (unused, MTU, id/seq)  |
 * |        quoted IP header + leading payload bytes (errors)       |
 *
 * RFC 1191 section 4: type 3 code 4 carries the next-hop MTU in the low
 * 16 bits of the second word. RFC 4443 section 3.2: packet too big
 * carries a 32-bit MTU there.
 */
iks_status icmp_decode(iks_reader *r, int version, iks_icmp_info *icmp, iks_reader *quote,
		       iks_decode_error *err, bool in_datagram)
{
	size_t start = rd_offset(r);
	const char *layer = version == 6 ? "icmpv6" : "icmp";
	uint16_t csum;
	if (!rd_u8(r, &icmp->type) || !rd_u8(r, &icmp->code) || !rd_be16(r, &csum)) {
		set_error(err, IKS_E_TRUNCATED, layer, "ICMP header cut short", start, in_datagram);
		return IKS_E_TRUNCATED;
	}
	icmp->present = true;
	icmp->version = (uint8_t)version;
	uint32_t word;
	if (!rd_be32(r, &word)) {
		set_error(err, IKS_E_TRUNCATED, layer, "ICMP header cut short", start + 4, in_datagram);
		return IKS_E_TRUNCATED;
	}
	if (version == 4) {
		icmp->is_error = icmp4_is_error(icmp->type);
		if (icmp->type == 3 && icmp->code == 4) {
			icmp->has_mtu = true;
			icmp->mtu = word & 0xffff;
		}
		if (icmp->type == 0 || icmp->type == 8) {
			icmp->has_echo = true;
			icmp->echo_id = (uint16_t)(word >> 16);
			icmp->echo_seq = (uint16_t)word;
		}
	} else {
		icmp->is_error = icmp6_is_error(icmp->type);
		if (icmp->type == 2) {
			icmp->has_mtu = true;
			icmp->mtu = word;
		}
		if (icmp->type == 128 || icmp->type == 129) {
			icmp->has_echo = true;
			icmp->echo_id = (uint16_t)(word >> 16);
			icmp->echo_seq = (uint16_t)word;
		}
	}
	if (icmp->is_error) {
		*quote = rd_rest(r);
		icmp->quote_len = (uint32_t)rd_left(quote);
	}
	return IKS_OK;
}
