/*
 * ikescope/events.h - the events a decoder reports outside per-frame
 * records (iks_event), on their own so that the layers below the decoder
 * can queue them without <ikescope/decoder.h>. Included by decoder.h; read
 * them with iks_decoder_next_event().
 */
#ifndef IKESCOPE_EVENTS_H
#define IKESCOPE_EVENTS_H

#include <ikescope/common.h>
#include <ikescope/packet.h>

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif
#endif
