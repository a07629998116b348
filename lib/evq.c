/* evq.c - bounded FIFO of decoder events. */
#include "evq.h"

#include <stdlib.h>

iks_status evq_init(iks_evq *q, uint32_t cap)
{
	q->ring = calloc(cap ? cap : 1, sizeof(*q->ring));
	if (!q->ring)
		return IKS_E_NOMEM;
	q->cap = cap ? cap : 1;
	q->head = 0;
	q->count = 0;
	q->dropped = 0;
	return IKS_OK;
}

void evq_free(iks_evq *q)
{
	free(q->ring);
	q->ring = NULL;
	q->cap = q->count = 0;
}

bool evq_push(iks_evq *q, const iks_event *ev)
{
	if (q->count == q->cap) {
		q->dropped++;
		return false;
	}
	q->ring[(q->head + q->count) % q->cap] = *ev;
	q->count++;
	return true;
}

bool evq_pop(iks_evq *q, iks_event *ev)
{
	if (q->count == 0)
		return false;
	*ev = q->ring[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	return true;
}
