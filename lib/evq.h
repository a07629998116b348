/*
 * evq.h - bounded FIFO of decoder events (internal).
 *
 * The capacity is fixed at creation; a push onto a full queue is counted in
 * `dropped` and discarded, never grown.
 */
#ifndef IKS_EVQ_H
#define IKS_EVQ_H

#include <ikescope/decoder.h>

typedef struct iks_evq {
	iks_event *ring;
	uint32_t cap;
	uint32_t head;    /* next to pop */
	uint32_t count;
	uint64_t dropped;
} iks_evq;

/* Allocate room for cap events. Returns IKS_OK or IKS_E_NOMEM. */
iks_status evq_init(iks_evq *q, uint32_t cap);
/* Free the ring (the struct itself belongs to the caller). */
void evq_free(iks_evq *q);
/* Append a copy of *ev; returns false (and counts it) when the queue is full. */
bool evq_push(iks_evq *q, const iks_event *ev);
/* Pop the oldest event into *ev; returns false when empty. */
bool evq_pop(iks_evq *q, iks_event *ev);

#endif
