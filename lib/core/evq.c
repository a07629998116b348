/* evq.c - bounded FIFO of decoder events. */
#include "core/evq.h"

#include <stdlib.h>
#include <string.h>

iks_status evq_init(iks_evq *q, uint32_t cap)
{
	q->ring = calloc(cap ? cap : 1, sizeof(*q->ring));
	if (!q->ring)
		return IKS_E_NOMEM;
	q->cap = cap ? cap : 1;
	q->head = 0;
	q->count = 0;
	q->dropped = 0;
	q->limit_hits = q->limit_repeats = 0;
	q->nlimits_reported = 0;
	return IKS_OK;
}

void evq_free(iks_evq *q)
{
	free(q->ring);
	q->ring = NULL;
	q->cap = q->count = 0;
}

static bool limit_reported(const iks_evq *q, const char *name)
{
	for (uint32_t i = 0; i < q->nlimits_reported; i++)
		if (q->limits_reported[i] == name ||
		    (name && q->limits_reported[i] && strcmp(q->limits_reported[i], name) == 0))
			return true;
	return false;
}

bool evq_push(iks_evq *q, const iks_event *ev)
{
	bool limit = ev->kind == IKS_EV_LIMIT;
	if (limit) {
		q->limit_hits++;
		if (limit_reported(q, ev->limit)) {
			q->limit_repeats++;
			return true;
		}
	}
	if (q->count == q->cap) {
		q->dropped++;
		return false;
	}
	if (limit && q->nlimits_reported < EVQ_LIMIT_NAMES)
		q->limits_reported[q->nlimits_reported++] = ev->limit;
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
