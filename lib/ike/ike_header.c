/*
 * ike_header.c - the ISAKMP header (RFC 2408 section 3.1) and the IKEv2
 * header (RFC 7296 section 3.1) of every frame, with the payload types,
 * lengths and offsets of its chain (walked by ike_chain.c). Payload
 * bodies are decoded elsewhere (ike_msg.c).
 */
#include "config.h"

#include <string.h>

#include <ikescope/decoder.h>

#include "core/decode_error.h"
#include "ike/ike.h"

static iks_status ike_fail(iks_ike_info *ike, iks_decode_error *err, iks_status st, size_t rel,
			   size_t base, const char *why, bool in_datagram)
{
	ike->status = st;
	ike->err_offset = (uint32_t)rel;
	ike->reason = why;
	set_error(err, st, "ike", why, base + rel, in_datagram);
	return st;
}

/* The chain walk's payload callback: keep its reference (type, flags,
 * length, offset; the first IKS_IKE_MAX_PAYLOADS) and count it. */
static void keep_ref(void *arg, const ike_chain_item *it)
{
	iks_ike_info *ike = arg;
	if (ike->npayloads < IKS_IKE_MAX_PAYLOADS) {
		iks_ike_payload_ref *p = &ike->payloads[ike->npayloads];
		p->type = it->type;
		p->flags = it->flags;
		p->length = it->length;
		p->offset = (uint32_t)it->offset;
	}
	if (ike->npayloads < UINT16_MAX)
		ike->npayloads++;
}

/*
 * Walk the generic payload headers (ike_chain.c). `msg` covers the
 * message from the ISAKMP header on, as far as both the length field and
 * the capture allow; `cut` says whether the capture ended before the
 * length field did.
 */
static iks_status walk_payloads(iks_reader msg, bool cut, iks_ike_info *ike, iks_decode_error *err,
				size_t base, bool in_datagram)
{
	ike_chain_fail f;
	rd_skip(&msg, IKS_IKE_HEADER_LEN);
	iks_status st = ike_chain_walk(msg, cut, ike->version, ike->next_payload, keep_ref, ike, &f);
	if (st != IKS_OK)
		return ike_fail(ike, err, st, f.offset, base, f.reason, in_datagram);
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
