/*
 * ikescope/decoder_limits.h - the caps of a decoder (iks_decoder_limits),
 * on their own so that the layers below the decoder can take them without
 * <ikescope/decoder.h>. Included by decoder.h.
 */
#ifndef IKESCOPE_DECODER_LIMITS_H
#define IKESCOPE_DECODER_LIMITS_H

#include <ikescope/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Caps fixed when a decoder is created. Hitting one is reported as an
 * IKS_EV_LIMIT event (and on the record concerned); memory never grows
 * past them. */
typedef struct iks_decoder_limits {
	uint32_t frag_datagrams_max;   /* datagrams under reassembly at once (default 4096) */
	uint64_t frag_bytes_max;       /* fragment payload bytes held in total (default 64 MiB) */
	uint32_t frag_datagram_max_len;/* largest reassembled payload in bytes (default 65535) */
	uint16_t frag_pieces_max;      /* fragments kept per datagram (default 256) */
	uint32_t frag_timeout_ms_v4;   /* give up on an IPv4 datagram after this much capture
					  time since its first fragment (default 30000, as Linux) */
	uint32_t frag_timeout_ms_v6;   /* the same for IPv6 (default 60000, RFC 8200 section 4.5) */
	uint32_t events_max;           /* events queued before the caller reads them (default 4096);
					  further ones are counted in iks_decoder_stats, not queued */
	uint32_t ike_sas_max;          /* IKE SAs whose state is kept (NAT-T numbering, hash for
					  NAT-D, transforms); least recently used goes (default 1024) */
	uint32_t ike_frag_messages_max;/* IKE-fragmented messages (v1 payload 132, v2 SKF) under
					  reassembly or tracking at once (default 64) */
	uint32_t ike_frag_message_max_len; /* largest reassembled IKEv1 message (default 65535) */
} iks_decoder_limits;

#ifdef __cplusplus
}
#endif
#endif
