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

#endif
