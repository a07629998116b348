/*
 * evq.h - bounded FIFO of decoder events (internal).
 *
 * The capacity is fixed at creation; a push onto a full queue is counted in
 * `dropped` and discarded, never grown. A cap is reported once: the first
 * IKS_EV_LIMIT event queued for a cap name is kept, later ones for the same
 * cap are only counted (`limit_repeats`), so a capture that evicts a
 * million datagrams yields one limit event, not a million.
 */
#ifndef IKS_EVQ_H
#define IKS_EVQ_H

#include <ikescope/events.h>

#define EVQ_LIMIT_NAMES 16 /* distinct cap names remembered; beyond, every hit is queued */

typedef struct iks_evq {
	iks_event *ring;
	uint32_t cap;
	uint32_t head;    /* next to pop */
	uint32_t count;
	uint64_t dropped;
	uint64_t limit_hits;      /* IKS_EV_LIMIT events pushed, repeats included */
	uint64_t limit_repeats;   /* of them, not queued: their cap was reported already */
	const char *limits_reported[EVQ_LIMIT_NAMES]; /* cap names queued once (static text) */
	uint32_t nlimits_reported;
} iks_evq;

/* Allocate room for cap events. Returns IKS_OK or IKS_E_NOMEM. */
iks_status evq_init(iks_evq *q, uint32_t cap);
/* Free the ring (the struct itself belongs to the caller). */
void evq_free(iks_evq *q);
/* Append a copy of *ev; returns false (and counts it) when the queue is full.
 * A limit event whose cap was already queued once is counted and not
 * queued (returns true). */
bool evq_push(iks_evq *q, const iks_event *ev);
/* Pop the oldest event into *ev; returns false when empty. */
bool evq_pop(iks_evq *q, iks_event *ev);

#endif
