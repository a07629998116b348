/* holdq.c - output lines waiting for their datagram's completing frame. */
#include "dump/holdq.h"

#include <stdlib.h>
#include <string.h>

#include "dump/format.h"

/*
 * Lines sit in a ring in output order, numbered by a running sequence
 * number. The lines of one datagram are chained (next_seq), and a map
 * from datagram id to its chain's head and tail makes resolving a datagram
 * cost as much as its own lines, however long the queue.
 */
typedef struct held_line {
	char *text;
	size_t len;         /* of text */
	uint64_t datagram_id;
	uint64_t frame;     /* completing frame once resolved, 0 = unknown */
	uint64_t next_seq;  /* next line of the same datagram, 0 = none */
	bool waiting;
	bool relevant;
	bool marked;        /* text holds FMT_DATAGRAM_MARK */
} held_line;

typedef struct chain {
	uint64_t id;        /* 0 = empty slot */
	uint64_t head, tail;/* sequence numbers */
	bool relevant;
} chain;

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
	size_t cap, count;
	uint64_t first_seq;  /* sequence number of the line at the head (seqs start at 1) */
	chain *map;          /* open addressing, linear probing; 2 x cap slots */
	size_t map_slots;
	uint64_t forced;
	struct recent_datagram recent[RECENT];
};

holdq *holdq_new(FILE *out, size_t max_lines, bool show_all, bool json)
{
	holdq *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cap = max_lines ? max_lines : 1;
	q->map_slots = 1;
	while (q->map_slots < 2 * q->cap)
		q->map_slots <<= 1;
	q->ring = calloc(q->cap, sizeof(*q->ring));
	q->map = calloc(q->map_slots, sizeof(*q->map));
	if (!q->ring || !q->map) {
		free(q->ring);
		free(q->map);
		free(q);
		return NULL;
	}
	q->out = out;
	q->show_all = show_all;
	q->json = json;
	q->first_seq = 1;
	return q;
}

static held_line *line_at_seq(holdq *q, uint64_t seq)
{
	if (seq < q->first_seq || seq >= q->first_seq + q->count)
		return NULL; /* already written */
	return &q->ring[seq % q->cap];
}

/* Datagram ids are handed out in sequence and the ones waiting are recent:
 * their low bits put them in neighbouring slots (a multiplicative hash sent
 * each lookup to a cold cache line of the 4 MB map: 5% of ikedump --json). */
static size_t slot_of(const holdq *q, uint64_t id)
{
	return (size_t)id & (q->map_slots - 1);
}

static chain *map_find(holdq *q, uint64_t id)
{
	for (size_t i = slot_of(q, id);; i = (i + 1) & (q->map_slots - 1)) {
		if (q->map[i].id == id)
			return &q->map[i];
		if (q->map[i].id == 0)
			return NULL;
	}
}

/* Remove a slot, shifting later members of its probe run back. */
static void map_remove(holdq *q, chain *c)
{
	size_t mask = q->map_slots - 1, i = (size_t)(c - q->map), j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (q->map[j].id == 0)
			break;
		size_t k = slot_of(q, q->map[j].id);
		/* may j's entry move to i? only if its home is not in (i, j] */
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			q->map[i] = q->map[j];
			i = j;
		}
	}
	q->map[i].id = 0;
}

/* Write one line (its newline included), the datagram mark replaced when
 * it has one: else in one fwrite, without a scan. */
static void emit(holdq *q, const char *text, size_t len, bool marked, uint64_t frame)
{
	if (!marked) {
		fwrite(text, 1, len, q->out);
		return;
	}
	const char *p = text, *end = text + len;
	for (;;) {
		const char *m = memchr(p, FMT_DATAGRAM_MARK, (size_t)(end - p));
		if (!m) {
			fwrite(p, 1, (size_t)(end - p), q->out);
			break;
		}
		fwrite(p, 1, (size_t)(m - p), q->out);
		if (frame) {
			char t[24];
			size_t i = sizeof(t);
			do {
				t[--i] = (char)('0' + frame % 10);
				frame /= 10;
			} while (frame);
			fwrite(t + i, 1, sizeof(t) - i, q->out);
		} else {
			fputs(q->json ? "null" : "unknown", q->out);
		}
		p = m + 1;
	}
}

static void pop_ready(holdq *q)
{
	while (q->count) {
		held_line *l = &q->ring[q->first_seq % q->cap];
		if (l->waiting)
			break;
		if (q->show_all || l->relevant)
			emit(q, l->text, l->len, l->marked, l->frame);
		free(l->text);
		l->text = NULL;
		q->first_seq++;
		q->count--;
	}
}

static void remember(holdq *q, uint64_t id, uint64_t frame, bool relevant)
{
	struct recent_datagram *r = &q->recent[id % RECENT];
	r->id = id;
	r->frame = frame;
	r->relevant = relevant;
}

/* Resolve every queued line of a datagram. */
static void resolve_chain(holdq *q, chain *c, uint64_t frame, bool relevant)
{
	bool rel = relevant || c->relevant;
	for (uint64_t seq = c->head; seq;) {
		held_line *l = line_at_seq(q, seq);
		if (!l)
			break; /* the rest was forced out already */
		l->waiting = false;
		l->frame = frame;
		l->relevant = rel;
		seq = l->next_seq;
	}
	remember(q, c->id, frame, rel);
	map_remove(q, c);
}

bool holdq_add(holdq *q, const char *line, size_t len, uint64_t datagram_id, bool waits, bool relevant)
{
	bool marked = waits;
	if (q->count == 0 && !waits) {
		/* nothing queued and nothing to wait for: straight out */
		if (q->show_all || relevant)
			emit(q, line, len, false, 0);
		return true;
	}
	if (waits && datagram_id) {
		const struct recent_datagram *r = &q->recent[datagram_id % RECENT];
		if (r->id == datagram_id && !map_find(q, datagram_id)) {
			/* a late copy of a datagram already resolved */
			waits = false;
			relevant = relevant || r->relevant;
			if (q->count == 0) {
				if (q->show_all || relevant)
					emit(q, line, len, true, r->frame);
				return true;
			}
		}
	}
	char *text = malloc(len ? len : 1);
	if (!text)
		return false;
	memcpy(text, line, len);
	if (q->count == q->cap) {
		/* the cap: the oldest line goes out with whatever is known */
		q->ring[q->first_seq % q->cap].waiting = false;
		q->forced++;
		pop_ready(q);
	}
	uint64_t seq = q->first_seq + q->count;
	held_line *l = &q->ring[seq % q->cap];
	memset(l, 0, sizeof(*l));
	l->text = text;
	l->len = len;
	l->datagram_id = datagram_id;
	l->waiting = waits;
	l->relevant = relevant;
	l->marked = marked;
	if (!waits && datagram_id) {
		const struct recent_datagram *r = &q->recent[datagram_id % RECENT];
		if (r->id == datagram_id)
			l->frame = r->frame;
	}
	q->count++;
	if (waits && datagram_id) {
		chain *c = map_find(q, datagram_id);
		if (c) {
			held_line *tail = line_at_seq(q, c->tail);
			if (tail)
				tail->next_seq = seq;
			else
				c->head = seq;
			c->tail = seq;
			c->relevant = c->relevant || relevant;
		} else {
			size_t i = slot_of(q, datagram_id);
			while (q->map[i].id)
				i = (i + 1) & (q->map_slots - 1);
			q->map[i].id = datagram_id;
			q->map[i].head = q->map[i].tail = seq;
			q->map[i].relevant = relevant;
		}
	}
	pop_ready(q);
	return true;
}

void holdq_resolve(holdq *q, uint64_t datagram_id, uint64_t frame, bool relevant)
{
	chain *c = map_find(q, datagram_id);
	if (c)
		resolve_chain(q, c, frame, relevant);
	else
		remember(q, datagram_id, frame, relevant);
	pop_ready(q);
}

void holdq_flush_all(holdq *q)
{
	for (size_t i = 0; i < q->count; i++)
		q->ring[(q->first_seq + i) % q->cap].waiting = false;
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
		free(q->ring[(q->first_seq + i) % q->cap].text);
	free(q->ring);
	free(q->map);
	free(q);
}
