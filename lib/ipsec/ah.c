/* ah.c - the AH header (RFC 4302 section 2). */
#include "config.h"

#include "core/decode_error.h"
#include "ipsec/ipsec.h"

/*
 * | Next Header   |  Payload Len  |          RESERVED             |
 * |                 Security Parameters Index (SPI)               |
 * |                    Sequence Number Field                      |
 * |                Integrity Check Value-ICV (variable)           |
 *
 * Payload Len is the AH length in 32-bit words minus 2 (section 2.2).
 */
iks_status ah_decode(iks_reader *r, iks_ah_info *ah, iks_reader *next, iks_decode_error *err,
		     bool in_datagram)
{
	size_t start = rd_offset(r);
	uint16_t reserved;
	if (!rd_u8(r, &ah->next_header) || !rd_u8(r, &ah->payload_len) || !rd_be16(r, &reserved) ||
	    !rd_be32(r, &ah->spi) || !rd_be32(r, &ah->seq)) {
		set_error(err, IKS_E_TRUNCATED, "ah", "AH header cut short", start, in_datagram);
		return IKS_E_TRUNCATED;
	}
	ah->present = true;
	size_t total = ((size_t)ah->payload_len + 2) * 4;
	if (total < 12) {
		set_error(err, IKS_E_MALFORMED, "ah", "AH length below its fixed 12 bytes", start + 1,
			  in_datagram);
		return IKS_E_MALFORMED;
	}
	ah->icv_len = (uint16_t)(total - 12);
	if (!rd_skip(r, ah->icv_len)) {
		set_error(err, IKS_E_TRUNCATED, "ah", "AH ICV cut short", rd_offset(r), in_datagram);
		return IKS_E_TRUNCATED;
	}
	*next = rd_rest(r);
	return IKS_OK;
}
