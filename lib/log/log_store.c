/*
 * log_store.c - the part of the log object the format parsers share:
 * per-thread state, message records (capped by messages_max), day
 * tracking and the first cap hit. Below oakley.c, charonlog.c and
 * logcore.c; it calls none of them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log/log_internal.h"

void log_hit_limit(iks_log *log, const char *which)
{
	if (!log->st.limit)
		log->st.limit = which;
}

/* Does t hold work that later lines of its thread would finish, other
 * than a received message waiting for its "parsed" line? */
static bool thread_busy(iks_log *log, const log_thread *t)
{
	if (t->dump.open || (t->dump.done && t->dump.kept) || t->ngen > 0)
		return true;
	const iks_log_msg *m = log_msg(log, t->open_msg);
	return m && m->local_port == 0; /* Oakley: before its "Ports" line */
}

/* The thread's state is given away. A received message waiting for its
 * "parsed" line is only lost if that line comes: charon logs none for a
 * message it could not parse. So its thread id is remembered and the
 * eviction counted when the thread's next line is that "parsed" line
 * (log_thread_recv_evicted); ids from LOG_EVICT_TIDS up are counted now. */
static void thread_evict(iks_log *log, const log_thread *t)
{
	if (thread_busy(log, t))
		log->st.threads_evicted++;
	else if (t->pending_recv != IKS_LOG_NONE) {
		if (t->tid < LOG_EVICT_TIDS)
			log->recv_evicted[t->tid / 8] |= (uint8_t)(1u << (t->tid % 8));
		else
			log->st.threads_evicted++;
	}
}

bool log_thread_recv_evicted(iks_log *log, uint32_t tid)
{
	if (tid >= LOG_EVICT_TIDS)
		return false;
	uint8_t bit = (uint8_t)(1u << (tid % 8));
	bool was = log->recv_evicted[tid / 8] & bit;
	log->recv_evicted[tid / 8] &= (uint8_t)~bit;
	return was;
}

log_thread *log_thread_get(iks_log *log, uint32_t tid)
{
	log_thread *lru = &log->threads[0];
	log->tick++;
	for (unsigned i = 0; i < LOG_THREADS; i++) {
		log_thread *t = &log->threads[i];
		if (t->used && t->tid == tid) {
			t->last_use = log->tick;
			return t;
		}
		if (!t->used || (lru->used && t->last_use < lru->last_use))
			lru = t;
	}
	if (lru->used)
		thread_evict(log, lru);
	memset(lru, 0, sizeof(*lru));
	lru->used = true;
	lru->tid = tid;
	lru->last_use = log->tick;
	lru->open_msg = IKS_LOG_NONE;
	lru->pending_recv = IKS_LOG_NONE;
	lru->recv_evicted = log_thread_recv_evicted(log, tid);
	return lru;
}

static bool older_add(struct log_older *o, uint64_t key)
{
	if (o->n + 1 > o->cap / 2) {
		size_t cap = o->cap ? o->cap * 2 : 1024;
		uint64_t *k = calloc(cap, sizeof(*k));
		if (!k)
			return false;
		for (size_t i = 0; i < o->cap; i++) {
			if (!o->keys[i])
				continue;
			size_t j = (size_t)(o->keys[i] & (cap - 1));
			while (k[j])
				j = (j + 1) & (cap - 1);
			k[j] = o->keys[i];
		}
		free(o->keys);
		o->keys = k;
		o->cap = cap;
	}
	size_t j = (size_t)(key & (o->cap - 1));
	while (o->keys[j]) {
		if (o->keys[j] == key)
			return true;
		j = (j + 1) & (o->cap - 1);
	}
	o->keys[j] = key;
	o->n++;
	return true;
}

static bool older_has(const struct log_older *o, uint64_t key)
{
	if (!o->cap)
		return false;
	size_t j = (size_t)(key & (o->cap - 1));
	while (o->keys[j]) {
		if (o->keys[j] == key)
			return true;
		j = (j + 1) & (o->cap - 1);
	}
	return false;
}

bool log_beyond_lookback(iks_log *log, size_t stop, log_keys_fn fn, uint64_t key)
{
	struct log_older *o = &log->older;
	for (; o->upto < stop && o->upto < log->nmsgs; o->upto++) {
		uint64_t keys[2];
		unsigned n = fn(&log->msgs[o->upto], keys);
		for (unsigned i = 0; i < n && i < 2; i++)
			if (!older_add(o, keys[i] ? keys[i] : 1))
				o->nomem = true;
	}
	return o->nomem || older_has(o, key ? key : 1);
}

uint32_t log_add_msg(iks_log *log, const iks_log_msg *m)
{
	if (log->nmsgs >= log->lim.messages_max) {
		log->st.messages_dropped++;
		log_hit_limit(log, "messages_max");
		return IKS_LOG_NONE;
	}
	if (log->nmsgs == log->cap_msgs) {
		size_t n = log->cap_msgs ? log->cap_msgs * 2 : 256;
		if (n > log->lim.messages_max)
			n = log->lim.messages_max;
		iks_log_msg *p = realloc(log->msgs, n * sizeof(*p));
		if (!p) {
			log->nomem = true;
			return IKS_LOG_NONE;
		}
		log->msgs = p;
		log->cap_msgs = n;
	}
	log->msgs[log->nmsgs] = *m;
	return (uint32_t)log->nmsgs++;
}

iks_log_msg *log_msg(iks_log *log, uint32_t idx)
{
	return idx < log->nmsgs ? &log->msgs[idx] : NULL;
}

void log_set_day(iks_log *log, iks_log_record *rec)
{
	if (!rec->has_time)
		return;
	/* a time more than 12 hours before the previous one: past midnight */
	if (log->have_last_tod && rec->tod_ms + 43200000u < log->last_tod)
		log->day_index++;
	log->have_last_tod = true;
	log->last_tod = rec->tod_ms;
	rec->day_index = log->day_index;
}

void log_msg_init(iks_log_msg *m, const iks_log_record *rec, uint32_t rec_index,
		  uint32_t resolution_ms)
{
	memset(m, 0, sizeof(*m));
	m->record = rec_index;
	m->file = rec->file;
	m->line = rec->line;
	m->month = rec->month;
	m->day = rec->day;
	m->day_index = rec->day_index;
	m->tod_ms = rec->tod_ms;
	m->resolution_ms = resolution_ms;
	m->thread = rec->thread;
	m->year = rec->year;
	m->sub_ms_us = rec->sub_ms_us;
	m->resolution_us = rec->res_us ? rec->res_us : resolution_ms * 1000;
	if (m->resolution_us >= 1000)
		m->resolution_ms = m->resolution_us / 1000;
	m->serial = rec->serial;
}

void log_rec_ends(iks_log_record *rec, iks_addr a0, uint16_t p0, iks_addr a1, uint16_t p1)
{
	rec->addr[0] = a0;
	rec->addr[1] = a1;
	rec->port[0] = p0;
	rec->port[1] = p1;
}
