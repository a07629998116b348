/*
 * ipfrag_table.c - the bookkeeping of the reassembly table (ipfrag.c):
 * the table clock, reassembly keys and their hash, the bucket chains, the
 * per-family age lists, and the ring of recently finished datagrams.
 */
#include "net/ipfrag_internal.h"
#include "core/hash.h"

#include <stdlib.h>
#include <string.h>

uint32_t frag_pow2_at_least(uint64_t n, uint32_t max)
{
	uint32_t p = 1;

	while (p < n && p < max)
		p <<= 1;
	return p;
}

/* Seconds and nanoseconds to nanoseconds, saturating far outside any capture. */
int64_t frag_ts_to_ns(int64_t sec, uint32_t nsec)
{
	const int64_t lim = INT64_MAX / NS_PER_SEC - 1;

	if (sec > lim)
		return INT64_MAX;
	if (sec < -lim)
		return -INT64_MAX;
	if (nsec >= NS_PER_SEC)
		nsec = NS_PER_SEC - 1;
	return sec * NS_PER_SEC + (int64_t)nsec;
}

void frag_clock_update(iks_frag_table *t, int64_t sec, uint32_t nsec)
{
	int64_t ns = frag_ts_to_ns(sec, nsec);

	if (t->have_now && ns <= t->now_ns)
		return;
	t->have_now = true;
	t->now_ns = ns;
	t->now_sec = sec;
	t->now_nsec = nsec;
}

/* True when more than the family's timeout has passed since when_ns
 * (when_ns <= now always: both come from the monotonic table clock). */
bool frag_too_old(const iks_frag_table *t, int64_t when_ns, uint8_t version)
{
	uint64_t ms = version == 6 ? t->lim.frag_timeout_ms_v6 : t->lim.frag_timeout_ms_v4;
	uint64_t elapsed = (uint64_t)t->now_ns - (uint64_t)when_ns;

	return elapsed > ms * NS_PER_MS;
}

void frag_key_make(struct frag_key *k, const iks_frag_input *in)
{
	size_t alen = in->version == 6 ? 16 : 4;

	memset(k, 0, sizeof(*k));
	k->version = in->version;
	k->proto = in->version == 6 ? 0 : in->proto;
	k->id = in->id;
	memcpy(k->src, in->src.bytes, alen);
	memcpy(k->dst, in->dst.bytes, alen);
}

bool frag_key_eq(const struct frag_key *a, const struct frag_key *b)
{
	return a->version == b->version && a->proto == b->proto && a->id == b->id &&
	       memcmp(a->src, b->src, sizeof(a->src)) == 0 &&
	       memcmp(a->dst, b->dst, sizeof(a->dst)) == 0;
}

/* The key fields a word at a time (core/hash.h), seeded per table, with a
 * final mix. */
uint64_t frag_key_hash(const iks_frag_table *t, const struct frag_key *k)
{
	uint64_t h = h_u64(IKS_FNV_OFFSET ^ t->seed,
			   (uint64_t)k->version << 40 | (uint64_t)k->proto << 32 | k->id);
	h = h_bytes_fast(h, k->src, sizeof(k->src));
	h = h_bytes_fast(h, k->dst, sizeof(k->dst));
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

void frag_dgram_free(struct frag_dgram *d)
{
	if (!d)
		return;
	free(d->data);
	free(d->ranges);
	free(d->frames);
	free(d);
}

/* A zeroed datagram; the spare's buffers are kept (the allocations of a
 * datagram cost as much as reassembling it), its data buffer only when it
 * is at most FRAG_SPARE_DATA_MAX bytes: frag_bytes_max counts the bytes a
 * datagram holds, so a kept buffer may add that much slack to a datagram
 * that never grows into it, not 64 KiB. NULL when out of memory. */
struct frag_dgram *frag_dgram_new(iks_frag_table *t)
{
	struct frag_dgram *d = t->spare;
	if (!d)
		return calloc(1, sizeof(*d));
	t->spare = NULL;
	if (d->alloc > FRAG_SPARE_DATA_MAX) {
		free(d->data);
		d->data = NULL;
		d->alloc = 0;
	}
	uint8_t *data = d->data;
	uint32_t alloc = d->alloc;
	struct frag_range *ranges = d->ranges;
	uint32_t ranges_cap = d->ranges_cap;
	uint64_t *frames = d->frames;
	uint16_t frames_cap = d->frames_cap;
	memset(d, 0, sizeof(*d));
	d->data = data;
	d->alloc = alloc;
	d->ranges = ranges;
	d->ranges_cap = ranges_cap;
	d->frames = frames;
	d->frames_cap = frames_cap;
	return d;
}

void frag_release_done(iks_frag_table *t)
{
	if (t->done && !t->spare)
		t->spare = t->done;
	else
		frag_dgram_free(t->done);
	t->done = NULL;
}

struct frag_dgram *frag_table_find(const iks_frag_table *t, const struct frag_key *k,
				     uint64_t h)
{
	struct frag_dgram *d = t->buckets[h & t->bucket_mask];

	while (d && !(d->hash == h && frag_key_eq(&d->key, k)))
		d = d->hnext;
	return d;
}

void frag_table_link(iks_frag_table *t, struct frag_dgram *d)
{
	struct frag_dgram **b = &t->buckets[d->hash & t->bucket_mask];
	int f = d->key.version == 6;

	d->hnext = *b;
	*b = d;
	d->older = t->newest[f];
	d->newer = NULL;
	if (t->newest[f])
		t->newest[f]->newer = d;
	else
		t->oldest[f] = d;
	t->newest[f] = d;
	t->ndgrams++;
	t->held += d->cap;
	if (t->ndgrams > t->st.datagrams_peak)
		t->st.datagrams_peak = t->ndgrams;
}

void frag_table_unlink(iks_frag_table *t, struct frag_dgram *d)
{
	struct frag_dgram **pp = &t->buckets[d->hash & t->bucket_mask];
	int f = d->key.version == 6;

	while (*pp && *pp != d)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = d->hnext;
	if (d->older)
		d->older->newer = d->newer;
	else
		t->oldest[f] = d->newer;
	if (d->newer)
		d->newer->older = d->older;
	else
		t->newest[f] = d->older;
	d->hnext = d->older = d->newer = NULL;
	t->ndgrams--;
	t->held -= d->cap;
}

/* The oldest datagram of either family, skipping `skip`. */
struct frag_dgram *frag_oldest_except(const iks_frag_table *t, const struct frag_dgram *skip)
{
	struct frag_dgram *c[2];
	int f;

	for (f = 0; f < 2; f++) {
		c[f] = t->oldest[f];
		if (c[f] && c[f] == skip)
			c[f] = c[f]->newer;
	}
	if (!c[0] || !c[1])
		return c[0] ? c[0] : c[1];
	return c[0]->seq < c[1]->seq ? c[0] : c[1];
}

void frag_recent_unlink(iks_frag_table *t, uint32_t i)
{
	uint32_t *pp = &t->recent_buckets[t->recent[i].hash & t->recent_mask];

	while (*pp != RIDX_NIL && *pp != i)
		pp = &t->recent[*pp].hnext;
	if (*pp == i)
		*pp = t->recent[i].hnext;
	t->recent[i].used = false;
}

/* Remember a finished datagram's key; the ring overwrites the oldest entry. */
void frag_recent_add(iks_frag_table *t, const struct frag_dgram *d, bool completed)
{
	uint32_t i = t->recent_next;
	struct frag_recent *r = &t->recent[i];
	uint32_t *b;

	if (r->used)
		frag_recent_unlink(t, i);
	r->key = d->key;
	r->hash = d->hash;
	r->used = true;
	r->datagram_id = d->datagram_id;
	r->total = d->have_total ? d->total : IKS_LEN_UNKNOWN;
	r->when_ns = t->now_ns;
	r->completed = completed;
	b = &t->recent_buckets[r->hash & t->recent_mask];
	r->hnext = *b;
	*b = i;
	t->recent_next = (i + 1) % t->recent_cap;
}

/* Newest matching entry still within its family's timeout, or NULL. */
const struct frag_recent *frag_recent_find(const iks_frag_table *t, const struct frag_key *k,
					     uint64_t h)
{
	uint32_t i = t->recent_buckets[h & t->recent_mask];

	for (; i != RIDX_NIL; i = t->recent[i].hnext) {
		const struct frag_recent *r = &t->recent[i];

		if (r->hash == h && frag_key_eq(&r->key, k)) {
			/* a completed datagram's copies come within RECENT_WINDOW_MS;
			 * the rest of one given up may trickle in for its timeout */
			uint64_t elapsed = (uint64_t)t->now_ns - (uint64_t)r->when_ns;
			if (frag_too_old(t, r->when_ns, k->version) ||
			    (r->completed && elapsed > RECENT_WINDOW_MS * NS_PER_MS))
				return NULL;
			return r;
		}
	}
	return NULL;
}
