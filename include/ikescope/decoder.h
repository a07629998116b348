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

/* Fill lim with the defaults above. */
IKS_API void iks_decoder_limits_default(iks_decoder_limits *lim);

typedef struct iks_decoder iks_decoder;

/* Create a decoder with the given caps (NULL for the defaults; a zero
 * field also means its default). Returns NULL when out of memory. Free
 * with iks_decoder_free(). */
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
 * Decode one frame into *pkt (fully overwritten). Fragments are stored for
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

/* Events the decoder reports outside per-frame records. */
enum iks_event_kind {
	IKS_EV_DATAGRAM_INCOMPLETE = 1, /* a fragmented datagram was given up unfinished */
	IKS_EV_LIMIT = 2,               /* a cap was reached: queued for its first hit only;
					   later hits are counted (iks_decoder_stats) */
	IKS_EV_IKE_FRAGS_INCOMPLETE = 3 /* an IKE-fragmented message (v1 payload 132 or v2 SKF)
					   was given up with fragments missing */
};

enum iks_incomplete_reason {
	IKS_INCOMPLETE_TIMEOUT = 1, /* reassembly timeout passed (capture time) */
	IKS_INCOMPLETE_END = 2,     /* the capture ended (iks_decoder_finish) */
	IKS_INCOMPLETE_EVICTED = 3, /* pushed out by a cap on datagrams or bytes */
	IKS_INCOMPLETE_INVALID = 4  /* fragments contradict each other (two different ends) */
};

#define IKS_EVENT_MAX_HOLES 8
#define IKS_LEN_UNKNOWN UINT32_MAX

typedef struct iks_event {
	int kind;                  /* an iks_event_kind */
	int64_t ts_sec;            /* capture time at which the event was decided */
	uint32_t ts_nsec;
	uint64_t frame;            /* frame being decoded when it was decided (0 at finish) */
	/* IKS_EV_DATAGRAM_INCOMPLETE */
	int reason;                /* an iks_incomplete_reason */
	uint64_t datagram_id;
	uint8_t ip_version;
	iks_addr src, dst;
	uint8_t proto;             /* IPv4 protocol / IPv6 fragment header next header */
	uint32_t ip_id;
	uint64_t first_frame, last_frame;
	uint16_t fragments;        /* fragments received */
	uint32_t received_bytes;   /* distinct payload bytes received */
	uint32_t datagram_len;     /* total payload length, or IKS_LEN_UNKNOWN when the
				      last fragment never arrived */
	uint16_t nholes;           /* missing byte ranges [start, end) in payload offsets; */
	bool holes_truncated;      /* end IKS_LEN_UNKNOWN: to the unknown end */
	struct { uint32_t start, end; } holes[IKS_EVENT_MAX_HOLES];
	/* IKS_EV_LIMIT */
	const char *limit;         /* which cap, e.g. "frag_datagrams_max" (static) */
	uint64_t limit_value;
	/* IKS_EV_IKE_FRAGS_INCOMPLETE (also uses reason, src, dst, first_frame,
	 * last_frame, fragments = distinct fragments seen, each fragment
	 * numbered above 255 counted as it came: never 0) */
	uint8_t ike_version;
	uint8_t ike_ispi[8], ike_rspi[8];
	uint32_t ike_msgid;
	uint16_t ike_frag_id;          /* v1 fragment ID (0 for v2) */
	uint16_t ike_frag_total;       /* v2 total / v1 number of the last fragment; 0 unknown */
	uint16_t ike_missing_count;    /* fragment numbers missing below ike_frag_total (or below
					  the highest seen when the total is unknown) */
	uint16_t ike_missing[8];       /* the first 8 of them */
} iks_event;

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
