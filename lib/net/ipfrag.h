/*
 * ipfrag.h - IPv4 and IPv6 fragment reassembly (internal).
 *
 * Datagrams are keyed as RFC 791 section 3.2 (source, destination,
 * protocol, identification) and RFC 8200 section 4.5 (source, destination,
 * fragment identification) say. The table is bounded at creation by the
 * iks_decoder_limits frag_* fields; it streams: datagrams leave it when
 * complete, when their timeout passes (capture time), when a cap forces
 * the oldest out, or at iks_frag_finish(). Every datagram that leaves
 * unfinished is reported as an IKS_EV_DATAGRAM_INCOMPLETE event with its
 * missing byte ranges.
 */
#ifndef IKS_IPFRAG_H
#define IKS_IPFRAG_H

#include <ikescope/decoder_limits.h>
#include "core/evq.h"

typedef struct iks_frag_table iks_frag_table;

/* One fragment handed to the table. */
typedef struct iks_frag_input {
	uint8_t version;        /* 4 or 6 */
	iks_addr src, dst;
	uint8_t proto;          /* IPv4: protocol (part of the key). IPv6: next header
				   of the fragment header (not part of the key; the
				   value from the offset-0 fragment is the datagram's) */
	uint32_t id;            /* IPv4 16-bit identification / IPv6 32-bit identification */
	uint32_t offset;        /* bytes */
	bool mf;
	iks_span payload;       /* the fragment's bytes after the IP header (IPv6: after
				   the fragment header), as captured */
	uint32_t payload_wire_len; /* what the IP header says the payload length is; when
				   payload.len is smaller the capture cut it */
	uint64_t frame;
	int64_t ts_sec;
	uint32_t ts_nsec;
} iks_frag_input;

/* What the table did with one fragment. */
typedef struct iks_frag_output {
	int result;              /* IKS_FRAG_HELD, _COMPLETED, _LATE or _REJECTED */
	uint64_t datagram_id;    /* 0 when REJECTED */
	bool overlap;            /* overlapped bytes already held */
	bool conflict;           /* ...with different content */
	iks_status status;       /* REJECTED: why (IKS_E_MALFORMED, IKS_E_TRUNCATED, IKS_E_LIMIT) */
	const char *reason;      /* REJECTED: static text */
	/* COMPLETED only; valid until the next call on the table: */
	iks_span datagram;       /* the reassembled payload (what follows the IP header) */
	uint8_t proto;           /* its protocol / next header */
	uint16_t fragment_count;
	const uint64_t *frames;  /* frame numbers in arrival order */
} iks_frag_output;

/* Create a table with the caps in *lim (all fields already defaulted).
 * Events (incomplete datagrams, cap hits) go to *events, which must outlive
 * the table. Returns NULL when out of memory. */
iks_frag_table *iks_frag_table_new(const iks_decoder_limits *lim, iks_evq *events);

/* Free the table and everything it holds (no events). Accepts NULL. */
void iks_frag_table_free(iks_frag_table *t);

/* Give up every datagram whose timeout has passed at the given capture
 * time (IKS_INCOMPLETE_TIMEOUT events). Call before each add. */
void iks_frag_expire(iks_frag_table *t, int64_t ts_sec, uint32_t ts_nsec, uint64_t frame);

/* Add one fragment. Always fills *out. */
void iks_frag_add(iks_frag_table *t, const iks_frag_input *in, iks_frag_output *out);

/* End of capture: give up everything (IKS_INCOMPLETE_END events). */
void iks_frag_finish(iks_frag_table *t);

/* Counters for iks_decoder_stats. */
typedef struct iks_frag_stats {
	uint64_t fragments;
	uint64_t completed;
	uint64_t incomplete;
	uint64_t limit_hits;
	uint32_t datagrams_peak;
	uint64_t bytes_peak;
} iks_frag_stats;
void iks_frag_get_stats(const iks_frag_table *t, iks_frag_stats *st);

#endif
