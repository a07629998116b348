/*
 * ikescope/decoder.h - turning frames into packet records.
 *
 * An iks_decoder holds the bounded state that spans frames of one capture
 * (the fragment reassembly table). Use one decoder per capture; decoders
 * share nothing, so two captures can be decoded side by side.
 */
#ifndef IKESCOPE_DECODER_H
#define IKESCOPE_DECODER_H

#include <ikescope/common.h>
#include <ikescope/capture.h>
#include <ikescope/packet.h>
#include <ikescope/decoder_limits.h>
#include <ikescope/events.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Fill lim with the defaults (decoder_limits.h). */
IKS_API void iks_decoder_limits_default(iks_decoder_limits *lim);

typedef struct iks_decoder iks_decoder;

/* Create a decoder with the given caps (NULL for the defaults; a zero
 * field also means its default). Calls iks_global_init() (common.h) if the
 * application has not. Returns NULL when out of memory or when that
 * fails. Free with iks_decoder_free(). */
IKS_API iks_decoder *iks_decoder_new(const iks_decoder_limits *lim);

/* Free a decoder and everything it holds. Accepts NULL. */
IKS_API void iks_decoder_free(iks_decoder *dec);

struct iks_keys;
/* Decrypt and verify ESP with these keys from now on (NULL: stop). The
 * keys are borrowed: they must outlive the decoder or the next call.
 * Returns IKS_OK or IKS_E_NOMEM (the decoder's plaintext buffer). */
IKS_API iks_status iks_decoder_set_keys(iks_decoder *dec, const struct iks_keys *keys);

/* Try to read ESP without a key as ESP-NULL (RFC 2410): ICV lengths 0, 8,
 * 12, 16, 24 and 32 are tried; a packet is taken as ESP-NULL only when its
 * trailer is RFC 4303's 1, 2, 3... padding and what it carries decodes with
 * consistent lengths (UDP, TCP, ICMP with a valid checksum, IPv4 with a
 * valid header checksum, IPv6). Off by default. Returns IKS_OK or IKS_E_NOMEM. */
IKS_API iks_status iks_decoder_set_esp_null(iks_decoder *dec, bool on);

/*
 * Decode one frame into *pkt (every field overwritten, except that inner,
 * esp_inner and ah_inner are written only when the frame has them: read
 * each only when its has_ flag is set, packet.h). Fragments are stored for
 * reassembly; the frame that completes a datagram carries the upper layers
 * decoded from the whole datagram. Problems with the frame's bytes are
 * described in pkt->err, not in the return value.
 *
 * Returns IKS_OK, or IKS_E_INVALID for NULL arguments. Pointers in *pkt are
 * borrowed from the frame and the decoder until the next call.
 */
IKS_API iks_status iks_decode(iks_decoder *dec, const iks_frame *frame, iks_packet *pkt);

/*
 * Decode a single frame held in memory, with no state across frames (no
 * reassembly: fragments are marked IKS_FRAG_UNREASSEMBLED and a first
 * fragment is decoded as far as its bytes go). For tests and fuzzers.
 * Returns IKS_OK or IKS_E_INVALID; the frame number in *pkt is 1.
 */
IKS_API iks_status iks_decode_buffer(int linktype, const uint8_t *data, size_t len,
				     iks_packet *pkt);

/*
 * Decode an ISAKMP/IKE message (header and payload chain) from memory.
 * `len` is taken as the whole message as sent. Returns ike->status: IKS_OK,
 * IKS_E_MALFORMED (shorter than the 28-byte header, a length field larger
 * than len, payload lengths inconsistent with the message, bytes left
 * after the payload whose next-payload field is 0) or
 * IKS_E_UNSUPPORTED (major version neither 1 nor 2). ike->present is set
 * when the 28-byte header itself could be read.
 */
IKS_API iks_status iks_ike_decode(const uint8_t *data, size_t len, iks_ike_info *ike);


/*
 * Take the oldest queued event. Returns 1 with *ev filled, 0 when none is
 * queued. Read events after each iks_decode() and after iks_decoder_finish().
 */
IKS_API int iks_decoder_next_event(iks_decoder *dec, iks_event *ev);

/* The capture has ended: every datagram still under reassembly is given
 * up and reported as IKS_EV_DATAGRAM_INCOMPLETE with IKS_INCOMPLETE_END. */
IKS_API void iks_decoder_finish(iks_decoder *dec);

typedef struct iks_decoder_stats {
	uint64_t frames;
	uint64_t fragments;
	uint64_t datagrams_completed;
	uint64_t datagrams_incomplete;
	uint64_t limit_hits;           /* every time a cap was reached (fragments, IKE SAs, IKE
					  fragments), including the hits not queued as events */
	uint64_t events_dropped;       /* events not queued because events_max was reached */
	uint32_t frag_datagrams_peak;  /* most datagrams under reassembly at once */
	uint64_t frag_bytes_peak;
	uint64_t limit_repeats;        /* cap hits after the first of each cap: counted in
					  limit_hits, not queued as IKS_EV_LIMIT events (each
					  cap is reported by one event) */
} iks_decoder_stats;

/* Copy the decoder's counters into *st. */
IKS_API void iks_decoder_get_stats(const iks_decoder *dec, iks_decoder_stats *st);

#ifdef __cplusplus
}
#endif
#endif
