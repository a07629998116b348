/*
 * corr_pcapng_parts.h - what the two --pcapng writers share: the two ends
 * (corr_pcapng.c) and more than two points (corr_path_pcapng.c). Per
 * point, what it has seen so far (IKE messages, for retransmit numbering;
 * the IP IDs its host sent, for ICMP quotes); per lost list, a cursor that
 * walks it in frame order; the comment pieces.
 */
#ifndef CORR_PCAPNG_PARTS_H
#define CORR_PCAPNG_PARTS_H

#include <stdbool.h>
#include <stddef.h>

#include <ikescope/ikescope.h>

#define CORR_NG_RETX_SLOTS 4096 /* IKE messages remembered per point */
#define CORR_NG_SENT_SLOTS 4096 /* IP ID -> frame of what a point's host sent */

typedef struct corr_ng_retx_slot corr_ng_retx_slot;

typedef struct corr_ng_seen {
	corr_ng_retx_slot *retx;
	uint64_t *sent_by_id;   /* frame of the last packet sent with IP ID i % slots */
	uint32_t *sent_id;      /* (its IP ID) */
	uint64_t unnumbered;    /* IKE messages past the slots: not numbered */
} corr_ng_seen;

/* false when out of memory (then free it all the same) */
bool corr_ng_seen_init(corr_ng_seen *s);
void corr_ng_seen_free(corr_ng_seen *s);
/* The packet's IKE message seen before at this point: its copy number
 * (1 = first), 0 when not IKE (or past the slots). */
uint32_t corr_ng_ike_copy(corr_ng_seen *s, const iks_packet *p);
/* Remember the IP ID of a packet this point's host sent (frame). */
void corr_ng_note_sent(corr_ng_seen *s, const iks_packet *p, uint64_t frame);

/* A lost list, by first frame, walked with frames in increasing order. */
typedef struct corr_ng_lost {
	const iks_lost_packet **lost, **active;
	size_t nlost, next, nactive;
} corr_ng_lost;

/* c's lost list of side 0 or 1 (c NULL: empty); false when out of memory. */
bool corr_ng_lost_init(corr_ng_lost *l, const iks_correlation *c, int side);
void corr_ng_lost_free(corr_ng_lost *l);
/* The entry frame f belongs to, or NULL: an unfragmented lost packet is its
 * frame; of a fragmented datagram only the fragments carrying bytes the
 * receiver never got (as --write-lost). */
const iks_lost_packet *corr_ng_lost_entry(corr_ng_lost *l, const iks_frame *f, const iks_packet *p,
					  bool decoded);

/* Append "; " and a formatted piece to buf (never past len). */
void corr_ng_appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "2026-12-03 13:02:45.096384123 UTC" */
void corr_ng_clock_text(int64_t sec, uint32_t nsec, char *buf, size_t len);
/* The pieces that do not depend on the fate: retransmit number, an ICMP
 * frag-needed / packet-too-big and the frame of `me` it quotes, the IP ID
 * remembered when `sent` (this point's host sent it). */
void corr_ng_packet_notes(corr_ng_seen *s, const iks_packet *p, bool decoded, const char *me,
			  bool sent, uint64_t frame, char *buf, size_t len);
/* "modified in transit[where]: bytes 52 (0x3c->0xc3) of 1 changed" for a
 * frame of side `side` that a modified-in-transit finding of c compared
 * (where: "" or e.g. " on hop 1"). */
void corr_ng_modified(const iks_correlation *c, int side, uint64_t frame, const char *where,
		      char *buf, size_t len);
/* Frame time from an instant in epoch seconds (to the nanosecond). */
void corr_ng_set_time(iks_frame *f, double on_clock_s);
/* Append to a fixed buffer, never past its end. */
void corr_ng_put(char *s, size_t cap, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
