/* ike.h - ISAKMP / IKEv2 messages (internal). */
#ifndef IKS_IKE_H
#define IKS_IKE_H

#include <ikescope/packet.h>
#include "core/reader.h"

#define IKS_IKE_HEADER_LEN 28

/*
 * Decode the ISAKMP/IKE header at *r and walk its payload chain.
 * `wire_len` is how many bytes the message had as sent (the UDP payload
 * after any non-ESP marker); fewer captured bytes make a truncation, a
 * length field beyond wire_len is malformed. Fills *ike (ike->status and
 * reason too) and err. Returns ike->status.
 */
iks_status ike_decode(iks_reader *r, uint32_t wire_len, iks_ike_info *ike, iks_decode_error *err,
		      bool in_datagram);

/* One payload of the chain, as ike_chain_walk found it. */
typedef struct ike_chain_item {
	uint8_t type;          /* this payload's type (the Next Payload before it) */
	uint8_t next, flags;   /* its generic header */
	uint16_t length;       /* its Payload Length field (4 or more) */
	size_t offset;         /* of its generic header, from the start of the walk's reader */
	bool whole;            /* all `length` bytes are in the message */
	iks_reader payload;    /* when whole: the payload, generic header included */
} ike_chain_item;

/* Where and why a walk stopped (reason: static text). */
typedef struct ike_chain_fail {
	size_t offset;
	const char *reason;
} ike_chain_fail;

typedef void (*ike_chain_fn)(void *arg, const ike_chain_item *it);

/*
 * Walk the generic payload chain (ike_chain.c). `r` covers the message
 * from the ISAKMP header on, as far as both the length field and the
 * capture allow, positioned at the first payload (after the 28-byte
 * header); offsets count from the reader's start. `cut`: the capture
 * ended before the length field did. fn is called for every payload whose
 * generic header is there with a length of 4 or more, also for one that
 * then runs past the message (it->whole false). Stops at an overrun, a
 * length below 4 or a cut capture, and after an IKEv2 SK/SKF payload
 * (`version` 2); bytes after the last payload are malformed. Returns
 * IKS_OK, or the failure with *fail filled.
 */
iks_status ike_chain_walk(iks_reader r, bool cut, int version, uint8_t np, ike_chain_fn fn,
			  void *arg, ike_chain_fail *fail);

#endif
