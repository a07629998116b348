/* ipsec.h - ESP and AH headers (internal). */
#ifndef IKS_IPSEC_H
#define IKS_IPSEC_H

#include <ikescope/packet.h>
#include "core/reader.h"

/* ESP header (RFC 4303 section 2): SPI and sequence number; the rest is
 * opaque. `wire_len` is the ESP length as sent (captured bytes may be fewer).
 * Returns IKS_OK, IKS_E_TRUNCATED or IKS_E_MALFORMED (SPI 0 is reserved). */
iks_status esp_decode(iks_reader *r, uint32_t wire_len, iks_esp_info *esp, iks_decode_error *err,
		      bool in_datagram);

/* AH header (RFC 4302 section 2). On success *next covers what follows the
 * AH header. */
iks_status ah_decode(iks_reader *r, iks_ah_info *ah, iks_reader *next, iks_decode_error *err,
		     bool in_datagram);

#endif
