/* holdq.c - output lines waiting for their datagram's completing frame. */
#include "holdq.h"

#include <stdlib.h>
#include <string.h>

#include "format.h"

typedef struct held_line {
	char *text;
	uint64_t datagram_id;
	uint64_t frame;     /* completing frame once resolved, 0 = unknown */
	bool waiting;
	bool relevant;
} held_line;

/* Datagrams resolved lately, so a late fragment can still name its frame. */
#define RECENT 4096
struct recent_datagram {
	uint64_t id, frame;
	bool relevant;
};

struct holdq {
	FILE *out;
	bool show_all, json;
	held_line *ring;
	size_t cap, head, count;
	uint64_t forced;
	struct recent_datagram recent[RECENT];
};

holdq *holdq_new(FILE *out, size_t max_lines, bool show_all, bool json)
{
	holdq *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cap = max_lines ? max_lines : 1;
	q->ring = calloc(q->cap, sizeof(*q->ring));
	if (!q->ring) {
		free(q);
		return NULL;
	}
	q->out = out;
	q->show_all = show_all;
	q->json = json;
	return q;
}

static held_line *at(holdq *q, size_t i)
{
	return &q->ring[(q->head + i) % q->cap];
}

static void write_line(holdq *q, held_line *l)
{
	if (q->show_all || l->relevant) {
		for (const char *p = l->text; *p; p++) {
			if (*p == FMT_DATAGRAM_MARK) {
				if (l->frame)
					fprintf(q->out, "%llu", (unsigned long long)l->frame);
				else
					fputs(q->json ? "null" : "unknown", q->out);
			} else {
				fputc(*p, q->out);
			}
		}
		fputc('\n', q->out);
	}
	free(l->text);
	l->text = NULL;
}

static void pop_ready(holdq *q)
{
	while (q->count && !at(q, 0)->waiting) {
		write_line(q, at(q, 0));
		q->head = (q->head + 1) % q->cap;
		q->count--;
	}
}

static bool recent_lookup(const holdq *q, uint64_t id, uint64_t *frame, bool *relevant)
{
	const struct recent_datagram *r = &q->recent[id % RECENT];
	if (r->id != id)
		return false;
	*frame = r->frame;
	*relevant = r->relevant;
	return true;
}

bool holdq_add(holdq *q, const char *line, uint64_t datagram_id, bool waits, bool relevant)
{
	char *text = strdup(line);
	if (!text)
		return false;
	if (q->count == q->cap) {
		/* the cap: the oldest line goes out with whatever is known */
		at(q, 0)->waiting = false;
		q->forced++;
		pop_ready(q);
	}
	held_line *l = at(q, q->count);
	memset(l, 0, sizeof(*l));
	l->text = text;
	l->datagram_id = datagram_id;
	l->waiting = waits;
	l->relevant = relevant;
	if (waits && datagram_id) {
		uint64_t frame;
		bool rel;
		if (recent_lookup(q, datagram_id, &frame, &rel)) {
			l->waiting = false;
			l->frame = frame;
			l->relevant = l->relevant || rel;
		}
	}
	q->count++;
	pop_ready(q);
	return true;
}

void holdq_resolve(holdq *q, uint64_t datagram_id, uint64_t frame, bool relevant)
{
	bool any_relevant = relevant;
	for (size_t i = 0; i < q->count; i++) {
		held_line *l = at(q, i);
		if (l->datagram_id == datagram_id && l->relevant)
			any_relevant = true;
	}
	for (size_t i = 0; i < q->count; i++) {
		held_line *l = at(q, i);
		if (l->datagram_id != datagram_id)
			continue;
		l->waiting = false;
		l->frame = frame;
		l->relevant = any_relevant;
	}
	q->recent[datagram_id % RECENT].id = datagram_id;
	q->recent[datagram_id % RECENT].frame = frame;
	q->recent[datagram_id % RECENT].relevant = any_relevant;
	pop_ready(q);
}

void holdq_flush_all(holdq *q)
{
	for (size_t i = 0; i < q->count; i++)
		at(q, i)->waiting = false;
	pop_ready(q);
}

uint64_t holdq_forced(const holdq *q)
{
	return q->forced;
}

void holdq_free(holdq *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->count; i++)
		free(at(q, i)->text);
	free(q->ring);
	free(q);
}
