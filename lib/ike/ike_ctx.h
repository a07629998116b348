/*
 * ike_ctx.h - per-capture IKE state kept by the decoder (internal): one
 * entry per IKE SA (NAT-T numbering from its vendor IDs, the hash for
 * NAT-D, its transforms) and the IKE-level fragments under reassembly.
 * Everything is bounded by iks_decoder_limits.
 */
#ifndef IKS_IKE_CTX_H
#define IKS_IKE_CTX_H

#include <ikescope/decoder_limits.h>
#include <ikescope/ike.h>

#include "core/evq.h"

typedef struct ike_ctx ike_ctx;

/* Returns NULL when out of memory. */
ike_ctx *ike_ctx_new(const iks_decoder_limits *lim, iks_evq *events);
void ike_ctx_free(ike_ctx *c);

/* Decode the bodies of L->ike (already header-decoded) with the state of
 * its IKE SA and point L->ike.detail at the result. */
void ike_ctx_decode(ike_ctx *c, iks_layers *L, uint64_t frame, int64_t ts_sec, uint32_t ts_nsec);

/* The capture ended: report IKE-fragmented messages still incomplete. */
void ike_ctx_finish(ike_ctx *c);

/* ---- shared between ike_state.c, ike_frag.c and ike_natt.c ---- */

typedef struct ike_sa_state {
	bool used;
	uint8_t version;
	uint8_t ispi[8];
	int natt;              /* iks_natt_numbering, -1 none seen */
	int v1_hash;           /* IKEv1 hash attribute of the chosen transform, 0 unknown */
	uint16_t v2_encr, v2_encr_keylen, v2_integ;
	bool v2_known;
	uint64_t last_frame;
	/* NAT-D results per side ([0] initiator, [1] responder): 0 unchecked,
	 * an iks_natd_result otherwise; the source port that side used */
	uint8_t natd_src[2], natd_dst[2];
	uint16_t natd_sport[2];
	bool v1_init_known;      /* the IKEv1 initiator's address (from its first message) */
	iks_addr v1_init_addr;
	uint16_t v1_init_port;
} ike_sa_state;

typedef struct ike_frag_piece {
	uint16_t num;
	uint32_t off, len;
	uint64_t frame;
} ike_frag_piece;

#define IKE_FRAG_TRACK 256 /* fragment numbers 1..255 are tracked */

typedef struct ike_frag_slot {
	bool used;
	uint8_t version;
	uint8_t ispi[8], rspi[8];
	uint32_t msgid;
	uint16_t frag_id;      /* v1 */
	bool response;         /* v2 R flag */
	iks_addr src, dst;
	uint16_t sport, dport;
	uint16_t total;        /* v2 total / v1 number of the last fragment, 0 unknown */
	uint16_t highest;
	uint16_t seen_count;
	bool untracked;        /* a fragment number above IKE_FRAG_TRACK was seen */
	uint16_t untracked_count; /* fragments received with such numbers (not told apart) */
	uint8_t seen[IKE_FRAG_TRACK / 8];
	uint64_t first_frame, last_frame;
	int64_t ts_sec;
	uint32_t ts_nsec;
	/* v1 data */
	uint8_t *buf;
	uint32_t used_bytes;
	uint16_t npieces;
	ike_frag_piece pieces[IKE_FRAG_TRACK];
} ike_frag_slot;

struct ike_ctx {
	iks_decoder_limits lim;
	iks_evq *events;
	iks_ike_msg msg, reassembled;
	iks_ike_detail detail;
	ike_sa_state *sas;     /* slots [0, nsas) in use (a slot is reused, never freed) */
	uint32_t nsas;
	uint32_t *sa_index;    /* open addressing over (version, ispi): slot + 1, 0 empty */
	uint32_t sa_index_mask;
	ike_frag_slot *frags;
	uint8_t *joinbuf;      /* a reassembled v1 message */
};

/* ike_frag.c: account this frame's v1 FRAG / v2 SKF payload in the
 * fragment fields of c->detail. True when it completed an IKEv1 message:
 * *whole is then the reassembled message (ISAKMP header on, in
 * c->joinbuf: valid until the next completed message), for the caller to
 * decode. IKEv2 fragments are encrypted: never joined here. */
bool ike_frag_account(ike_ctx *c, const iks_layers *L, const iks_ike_payload *pl, uint64_t frame,
		      int64_t ts_sec, uint32_t ts_nsec, iks_span *whole);
void ike_frag_report(ike_ctx *c, ike_frag_slot *s, int reason, uint64_t frame);

/* ike_natt.c: verify the NAT-D payloads of c->msg against L's addresses. */
void ike_natd_verify(iks_ike_msg *m, const iks_layers *L, ike_sa_state *sa);
/* ike_natt.c: the per-side verdicts of the SA into d. */
void ike_nat_verdicts(const ike_sa_state *sa, iks_ike_detail *d);

#endif
