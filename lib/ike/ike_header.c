/*
 * ike_header.c - the ISAKMP header (RFC 2408 section 3.1), the IKEv2
 * header (RFC 7296 section 3.1) and the generic payload chain
 * (RFC 2408 section 3.2, RFC 7296 section 3.2). Payload bodies are
 * decoded elsewhere.
 */
#include "config.h"

#include <string.h>

#include <ikescope/decoder.h>

#include "core/decode_error.h"
#include "ike/ike.h"

/* IKEv2 payloads whose body is encrypted: the chain cannot be followed
 * past them (RFC 7296 section 3.14, RFC 7383 section 2.5). */
#define IKEV2_PAYLOAD_SK 46
#define IKEV2_PAYLOAD_SKF 53

static iks_status ike_fail(iks_ike_info *ike, iks_decode_error *err, iks_status st, size_t rel,
			   size_t base, const char *why, bool in_datagram)
{
	ike->status = st;
	ike->err_offset = (uint32_t)rel;
	ike->reason = why;
	set_error(err, st, "ike", why, base + rel, in_datagram);
	return st;
}

/*
 * Walk the generic payload headers:
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * `msg` covers the message from the ISAKMP header on, as far as both the
 * length field and the capture allow; `cut` says whether the capture ended
 * before the length field did.
 */
static iks_status walk_payloads(iks_reader msg, bool cut, iks_ike_info *ike, iks_decode_error *err,
				size_t base, bool in_datagram)
{
	uint8_t np = ike->next_payload;
	rd_skip(&msg, IKS_IKE_HEADER_LEN);
	while (np != 0) {
		size_t rel = msg.pos;
		uint8_t next, flags;
		uint16_t plen;
		if (!rd_u8(&msg, &next) || !rd_u8(&msg, &flags) || !rd_be16(&msg, &plen)) {
			msg.pos = rel;
			return ike_fail(ike, err, cut ? IKS_E_TRUNCATED : IKS_E_MALFORMED, rel, base,
					cut ? "payload header cut short by the capture"
					    : "payload header runs past the message length",
					in_datagram);
		}
		if (plen < 4)
			return ike_fail(ike, err, IKS_E_MALFORMED, rel, base,
					"payload length below the 4-byte generic header", in_datagram);
		if (ike->npayloads < IKS_IKE_MAX_PAYLOADS) {
			iks_ike_payload_ref *p = &ike->payloads[ike->npayloads];
			p->type = np;
			p->flags = flags;
			p->length = plen;
			p->offset = (uint32_t)rel;
		}
		if (ike->npayloads < UINT16_MAX)
			ike->npayloads++;
		if (!rd_skip(&msg, (size_t)plen - 4))
			return ike_fail(ike, err, cut ? IKS_E_TRUNCATED : IKS_E_MALFORMED, rel, base,
					cut ? "payload cut short by the capture"
					    : "payload length runs past the message length",
					in_datagram);
		if (ike->version == 2 && (np == IKEV2_PAYLOAD_SK || np == IKEV2_PAYLOAD_SKF))
			break; /* what follows is inside the encrypted payload */
		np = next;
	}
	/* the chain ended (next payload 0) before the message did */
	if (np == 0 && rd_left(&msg) > 0)
		return ike_fail(ike, err, IKS_E_MALFORMED, msg.pos, base,
				"bytes after the last payload", in_datagram);
	return IKS_OK;
}

/*
 * |                     Initiator Cookie / SPI (8)                  |
 * |                     Responder Cookie / SPI (8)                  |
 * | Next Payload  | MjVer | MnVer | Exchange Type |     Flags     |
 * |                          Message ID                           |
 * |                            Length                             |
 */
iks_status ike_decode(iks_reader *r, uint32_t wire_len, iks_ike_info *ike, iks_decode_error *err,
		      bool in_datagram)
{
	size_t base = rd_offset(r);
	/* positions in msg count from the ISAKMP header (after any non-ESP marker) */
	iks_reader msg = rd_init(rd_ptr(r), rd_left(r), rd_offset(r));
	iks_reader h = *r;
	uint8_t ver;

	memset(ike, 0, sizeof(*ike));
	if (!rd_copy(&h, ike->ispi, 8) || !rd_copy(&h, ike->rspi, 8) ||
	    !rd_u8(&h, &ike->next_payload) || !rd_u8(&h, &ver) || !rd_u8(&h, &ike->exchange) ||
	    !rd_u8(&h, &ike->flags) || !rd_be32(&h, &ike->msgid) || !rd_be32(&h, &ike->length)) {
		bool cut = rd_left(r) < wire_len;
		memset(ike, 0, sizeof(*ike));
		return ike_fail(ike, err, cut ? IKS_E_TRUNCATED : IKS_E_MALFORMED, 0, base,
				cut ? "ISAKMP header cut short by the capture"
				    : "message shorter than the 28-byte ISAKMP header",
				in_datagram);
	}
	ike->present = true;
	ike->version = ver >> 4;
	ike->minor = ver & 0x0f;
	size_t captured = rd_left(r);
	ike->captured = (uint32_t)(captured < ike->length ? captured : ike->length);

	if (ike->version != 1 && ike->version != 2)
		return ike_fail(ike, err, IKS_E_UNSUPPORTED, 17, base,
				"ISAKMP major version neither 1 nor 2", in_datagram);
	if (ike->length < IKS_IKE_HEADER_LEN)
		return ike_fail(ike, err, IKS_E_MALFORMED, 24, base,
				"length field below the 28-byte header", in_datagram);
	if (ike->length > wire_len)
		return ike_fail(ike, err, IKS_E_MALFORMED, 24, base,
				"length field exceeds the UDP payload", in_datagram);
	bool cut = captured < ike->length;
	rd_limit(&msg, cut ? captured : ike->length);
	ike->raw.p = rd_ptr(&msg);
	ike->raw.len = rd_left(&msg);

	if (ike->version == 1 && (ike->flags & IKS_IKEV1_FLAG_ENCRYPTION)) {
		/* RFC 2408 section 3.1: with the E bit everything after the
		 * header is ciphertext; only the first payload type is known. */
		ike->encrypted = true;
	} else {
		iks_status st = walk_payloads(msg, cut, ike, err, base, in_datagram);
		if (st != IKS_OK)
			return st;
	}
	if (cut)
		return ike_fail(ike, err, IKS_E_TRUNCATED, ike->captured, base,
				"message cut short by the capture", in_datagram);
	rd_skip(r, ike->length);
	return IKS_OK;
}

iks_status iks_ike_decode(const uint8_t *data, size_t len, iks_ike_info *ike)
{
	if (!ike)
		return IKS_E_INVALID;
	if (!data)
		len = 0;
	iks_reader r = rd_init(data, len, 0);
	uint32_t wire = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	return ike_decode(&r, wire, ike, NULL, false);
}
