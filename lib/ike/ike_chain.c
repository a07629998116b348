/*
 * ike_chain.c - the generic payload chain (RFC 2408 section 3.2, RFC 7296
 * section 3.2), walked once for both users: the header decode of every
 * frame (ike_header.c: payload types, lengths and offsets) and the full
 * message decode (ike_msg.c: every body).
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 */
#include "config.h"

#include "ike/ike.h"

/* IKEv2 payloads whose body is encrypted: the chain cannot be followed
 * past them (RFC 7296 section 3.14, RFC 7383 section 2.5). */
#define IKEV2_PAYLOAD_SK 46
#define IKEV2_PAYLOAD_SKF 53

static iks_status chain_fail(ike_chain_fail *f, iks_status st, size_t off, const char *why)
{
	f->offset = off;
	f->reason = why;
	return st;
}

iks_status ike_chain_walk(iks_reader r, bool cut, int version, uint8_t np, ike_chain_fn fn,
			  void *arg, ike_chain_fail *fail)
{
	while (np != 0) {
		ike_chain_item it;
		iks_reader h = r;
		it.offset = r.pos;
		it.type = np;
		if (!rd_u8(&h, &it.next) || !rd_u8(&h, &it.flags) || !rd_be16(&h, &it.length))
			return chain_fail(fail, cut ? IKS_E_TRUNCATED : IKS_E_MALFORMED, it.offset,
					  cut ? "payload header cut short by the capture"
					      : "payload header runs past the message length");
		if (it.length < 4)
			return chain_fail(fail, IKS_E_MALFORMED, it.offset,
					  "payload length below the 4-byte generic header");
		it.whole = rd_sub(&r, it.length, &it.payload);
		fn(arg, &it);
		if (!it.whole)
			return chain_fail(fail, cut ? IKS_E_TRUNCATED : IKS_E_MALFORMED, it.offset,
					  cut ? "payload cut short by the capture"
					      : "payload length runs past the message length");
		if (version == 2 && (np == IKEV2_PAYLOAD_SK || np == IKEV2_PAYLOAD_SKF))
			return IKS_OK; /* what follows is inside the encrypted payload */
		np = it.next;
	}
	/* the chain ended (next payload 0) before the message did */
	if (rd_left(&r) > 0)
		return chain_fail(fail, IKS_E_MALFORMED, r.pos, "bytes after the last payload");
	return IKS_OK;
}
