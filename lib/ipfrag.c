/*
 * ipfrag.c - IPv4 and IPv6 fragment reassembly (see ipfrag.h).
 *
 * State, all of it bounded by the caps fixed at creation:
 *  - a hash table of datagrams under reassembly (bucket array sized once);
 *  - one age list per family in insertion order, so that the timeout (one
 *    value per family) and "evict the oldest" only ever look at list heads;
 *  - a ring of recently finished keys (kept RECENT_WINDOW_MS, 50 ms), so that
 *    stray copies of fragments (a capture on two interfaces sees every
 *    fragment twice, cut differently) are reported LATE instead of opening
 *    a datagram that would later be reported incomplete.
 *
 * Memory accounting: a datagram keeps one buffer as long as the highest
 * fragment end seen so far, holes included. frag_bytes_max caps the sum of
 * those buffers, so it bounds memory, not merely the bytes received.
 *
 * Clock: capture time never goes backwards here. The table clock is the
 * largest timestamp seen; a datagram's age counts from the clock at its
 * first fragment, and events carry the clock at which they were decided.
 */
#include "ipfrag.h"

#include <stdlib.h>
#include <string.h>

#define NS_PER_SEC 1000000000
#define NS_PER_MS 1000000u
#define RIDX_NIL UINT32_MAX
#define BUCKETS_MAX (1u << 20)
#define RECENT_MAX 65536u
/* How long a completed datagram's key stays "recent" (a datagram given up
 * stays recent for its family's timeout). Copies from a second
 * capture interface arrive within microseconds; a host reuses an IP ID after
 * 65536 datagrams to the same peer, which a sender at 100k packets/s
 * reaches in 0.65 s, well inside the 30 s reassembly timeout: so the window
 * is kept short. */
#define RECENT_WINDOW_MS 50u

/* RFC 791 section 3.2 / RFC 8200 section 4.5 reassembly key. */
struct frag_key {
	uint8_t version;
	uint8_t proto;                  /* IPv4 only; 0 for IPv6 */
	uint32_t id;
	uint8_t src[16], dst[16];       /* IPv4 uses the first 4, rest zero */
};

struct frag_range {
	uint32_t start, end;
};

struct frag_dgram {
	struct frag_key key;
	uint64_t hash;
	struct frag_dgram *hnext;               /* hash chain */
	struct frag_dgram *older, *newer;       /* age list of its family */
	uint64_t datagram_id;
	uint64_t seq;                           /* insertion order, both families */
	int64_t start_ns;
	iks_addr src, dst;
	uint8_t proto;
	bool have_total;
	uint32_t total;
	uint8_t *data;
	uint32_t cap;                           /* bytes in data: highest end seen */
	uint32_t received;                      /* distinct bytes held */
	struct frag_range *ranges;              /* sorted, disjoint, not touching */
	uint32_t nranges, ranges_cap;
	uint64_t *frames;                       /* arrival order */
	uint16_t nframes, frames_cap;
	uint64_t first_frame, last_frame;
};

struct frag_recent {
	struct frag_key key;
	uint64_t hash;
	uint32_t hnext;                 /* index chain, RIDX_NIL ends it */
	bool used;
	uint64_t datagram_id;
	uint32_t total;                 /* IKS_LEN_UNKNOWN when never learnt */
	int64_t when_ns;
	bool completed;                 /* completed (else given up) */
};

struct iks_frag_table {
	iks_decoder_limits lim;
	iks_evq *events;
	uint64_t seed;
	struct frag_dgram **buckets;
	uint32_t bucket_mask;
	struct frag_dgram *oldest[2], *newest[2];       /* [0] IPv4, [1] IPv6 */
	uint32_t ndgrams;
	uint64_t held;
	uint64_t next_id, next_seq;
	bool have_now;
	int64_t now_ns, now_sec;
	uint32_t now_nsec;
	struct frag_dgram *done;        /* last completed; freed at the next call */
	uint64_t atomic_frame;
	struct frag_recent *recent;
	uint32_t *recent_buckets;
	uint32_t recent_cap, recent_mask, recent_next;
	iks_frag_stats st;
};

static uint32_t pow2_at_least(uint64_t n, uint32_t max)
{
	uint32_t p = 1;

	while (p < n && p < max)
		p <<= 1;
	return p;
}

/* Seconds and nanoseconds to nanoseconds, saturating far outside any capture. */
static int64_t ts_to_ns(int64_t sec, uint32_t nsec)
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

static void clock_update(iks_frag_table *t, int64_t sec, uint32_t nsec)
{
	int64_t ns = ts_to_ns(sec, nsec);

	if (t->have_now && ns <= t->now_ns)
		return;
	t->have_now = true;
	t->now_ns = ns;
	t->now_sec = sec;
	t->now_nsec = nsec;
}

/* True when more than the family's timeout has passed since when_ns
 * (when_ns <= now always: both come from the monotonic table clock). */
static bool too_old(const iks_frag_table *t, int64_t when_ns, uint8_t version)
{
	uint64_t ms = version == 6 ? t->lim.frag_timeout_ms_v6 : t->lim.frag_timeout_ms_v4;
	uint64_t elapsed = (uint64_t)t->now_ns - (uint64_t)when_ns;

	return elapsed > ms * NS_PER_MS;
}

static void key_make(struct frag_key *k, const iks_frag_input *in)
{
	size_t alen = in->version == 6 ? 16 : 4;

	memset(k, 0, sizeof(*k));
	k->version = in->version;
	k->proto = in->version == 6 ? 0 : in->proto;
	k->id = in->id;
	memcpy(k->src, in->src.bytes, alen);
	memcpy(k->dst, in->dst.bytes, alen);
}

static bool key_eq(const struct frag_key *a, const struct frag_key *b)
{
	return a->version == b->version && a->proto == b->proto && a->id == b->id &&
	       memcmp(a->src, b->src, sizeof(a->src)) == 0 &&
	       memcmp(a->dst, b->dst, sizeof(a->dst)) == 0;
}

/* FNV-1a over the key fields, seeded per table, with a final mix. */
static uint64_t key_hash(const iks_frag_table *t, const struct frag_key *k)
{
	uint8_t head[6] = { k->version, k->proto, (uint8_t)(k->id >> 24),
			    (uint8_t)(k->id >> 16), (uint8_t)(k->id >> 8), (uint8_t)k->id };
	uint64_t h = 0xcbf29ce484222325ull ^ t->seed;
	size_t i;

	for (i = 0; i < sizeof(head); i++)
		h = (h ^ head[i]) * 0x100000001b3ull;
	for (i = 0; i < sizeof(k->src); i++)
		h = (h ^ k->src[i]) * 0x100000001b3ull;
	for (i = 0; i < sizeof(k->dst); i++)
		h = (h ^ k->dst[i]) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static void dgram_free(struct frag_dgram *d)
{
	if (!d)
		return;
	free(d->data);
	free(d->ranges);
	free(d->frames);
	free(d);
}

static void release_done(iks_frag_table *t)
{
	dgram_free(t->done);
	t->done = NULL;
}

static struct frag_dgram *table_find(const iks_frag_table *t, const struct frag_key *k,
				     uint64_t h)
{
	struct frag_dgram *d = t->buckets[h & t->bucket_mask];

	while (d && !(d->hash == h && key_eq(&d->key, k)))
		d = d->hnext;
	return d;
}

static void table_link(iks_frag_table *t, struct frag_dgram *d)
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

static void table_unlink(iks_frag_table *t, struct frag_dgram *d)
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
static struct frag_dgram *oldest_except(const iks_frag_table *t, const struct frag_dgram *skip)
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

static void recent_unlink(iks_frag_table *t, uint32_t i)
{
	uint32_t *pp = &t->recent_buckets[t->recent[i].hash & t->recent_mask];

	while (*pp != RIDX_NIL && *pp != i)
		pp = &t->recent[*pp].hnext;
	if (*pp == i)
		*pp = t->recent[i].hnext;
	t->recent[i].used = false;
}

/* Remember a finished datagram's key; the ring overwrites the oldest entry. */
static void recent_add(iks_frag_table *t, const struct frag_dgram *d, bool completed)
{
	uint32_t i = t->recent_next;
	struct frag_recent *r = &t->recent[i];
	uint32_t *b;

	if (r->used)
		recent_unlink(t, i);
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
static const struct frag_recent *recent_find(const iks_frag_table *t, const struct frag_key *k,
					     uint64_t h)
{
	uint32_t i = t->recent_buckets[h & t->recent_mask];

	for (; i != RIDX_NIL; i = t->recent[i].hnext) {
		const struct frag_recent *r = &t->recent[i];

		if (r->hash == h && key_eq(&r->key, k)) {
			/* a completed datagram's copies come within RECENT_WINDOW_MS;
			 * the rest of one given up may trickle in for its timeout */
			uint64_t elapsed = (uint64_t)t->now_ns - (uint64_t)r->when_ns;
			if (too_old(t, r->when_ns, k->version) ||
			    (r->completed && elapsed > RECENT_WINDOW_MS * NS_PER_MS))
				return NULL;
			return r;
		}
	}
	return NULL;
}

static void ev_init(const iks_frag_table *t, iks_event *ev, int kind, uint64_t frame)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ts_sec = t->now_sec;
	ev->ts_nsec = t->now_nsec;
	ev->frame = frame;
}

static void emit_limit(iks_frag_table *t, const char *cap, uint64_t value,
		       const iks_frag_input *in, uint64_t datagram_id)
{
	iks_event ev;

	ev_init(t, &ev, IKS_EV_LIMIT, in->frame);
	ev.limit = cap;
	ev.limit_value = value;
	ev.datagram_id = datagram_id;
	ev.ip_version = in->version;
	ev.src = in->src;
	ev.dst = in->dst;
	ev.proto = in->proto;
	ev.ip_id = in->id;
	t->st.limit_hits++;
	evq_push(t->events, &ev);
}

static void add_hole(iks_event *ev, uint32_t start, uint32_t end)
{
	if (ev->nholes == IKS_EVENT_MAX_HOLES) {
		ev->holes_truncated = true;
		return;
	}
	ev->holes[ev->nholes].start = start;
	ev->holes[ev->nholes].end = end;
	ev->nholes++;
}

/* Report d as incomplete, optionally remember its key, and free it. */
static void give_up(iks_frag_table *t, struct frag_dgram *d, int reason, uint64_t frame,
		    bool remember)
{
	iks_event ev;
	uint32_t pos = 0, i;

	ev_init(t, &ev, IKS_EV_DATAGRAM_INCOMPLETE, frame);
	ev.reason = reason;
	ev.datagram_id = d->datagram_id;
	ev.ip_version = d->key.version;
	ev.src = d->src;
	ev.dst = d->dst;
	ev.proto = d->proto;
	ev.ip_id = d->key.id;
	ev.first_frame = d->first_frame;
	ev.last_frame = d->last_frame;
	ev.fragments = d->nframes;
	ev.received_bytes = d->received;
	ev.datagram_len = d->have_total ? d->total : IKS_LEN_UNKNOWN;
	for (i = 0; i < d->nranges; i++) {
		if (d->ranges[i].start > pos)
			add_hole(&ev, pos, d->ranges[i].start);
		pos = d->ranges[i].end;
	}
	if (d->have_total && pos < d->total)
		add_hole(&ev, pos, d->total);
	else if (!d->have_total)
		add_hole(&ev, pos, IKS_LEN_UNKNOWN);
	evq_push(t->events, &ev);
	t->st.incomplete++;
	if (remember)
		recent_add(t, d, false);
	table_unlink(t, d);
	dgram_free(d);
}

iks_frag_table *iks_frag_table_new(const iks_decoder_limits *lim, iks_evq *events)
{
	iks_frag_table *t = calloc(1, sizeof(*t));
	uint32_t nb, i;

	if (!t)
		return NULL;
	t->lim = *lim;
	t->events = events;
	/* Per-table seed so that chosen IDs cannot aim at one bucket of every run. */
	t->seed = (uint64_t)(uintptr_t)t * 0x9e3779b97f4a7c15ull;
	t->next_id = 1;
	nb = pow2_at_least(2 * (uint64_t)lim->frag_datagrams_max, BUCKETS_MAX);
	t->buckets = calloc(nb, sizeof(*t->buckets));
	t->bucket_mask = nb - 1;
	t->recent_cap = lim->frag_datagrams_max < RECENT_MAX ? lim->frag_datagrams_max : RECENT_MAX;
	if (t->recent_cap == 0)
		t->recent_cap = 1;
	t->recent = calloc(t->recent_cap, sizeof(*t->recent));
	nb = pow2_at_least(2 * (uint64_t)t->recent_cap, 2 * RECENT_MAX);
	t->recent_buckets = malloc(nb * sizeof(*t->recent_buckets));
	t->recent_mask = nb - 1;
	if (!t->buckets || !t->recent || !t->recent_buckets) {
		iks_frag_table_free(t);
		return NULL;
	}
	for (i = 0; i < nb; i++)
		t->recent_buckets[i] = RIDX_NIL;
	return t;
}

void iks_frag_table_free(iks_frag_table *t)
{
	struct frag_dgram *d;

	if (!t)
		return;
	release_done(t);
	while (t->buckets && (d = oldest_except(t, NULL)) != NULL) {
		table_unlink(t, d);
		dgram_free(d);
	}
	free(t->buckets);
	free(t->recent);
	free(t->recent_buckets);
	free(t);
}

void iks_frag_expire(iks_frag_table *t, int64_t ts_sec, uint32_t ts_nsec, uint64_t frame)
{
	release_done(t);
	clock_update(t, ts_sec, ts_nsec);
	/* Each family's list is in age order: only its head can have expired.
	 * Report the two families merged in insertion order. */
	for (;;) {
		struct frag_dgram *v = NULL;
		int f;

		for (f = 0; f < 2; f++) {
			struct frag_dgram *h = t->oldest[f];

			if (h && too_old(t, h->start_ns, h->key.version) && (!v || h->seq < v->seq))
				v = h;
		}
		if (!v)
			break;
		give_up(t, v, IKS_INCOMPLETE_TIMEOUT, frame, true);
	}
}

void iks_frag_finish(iks_frag_table *t)
{
	struct frag_dgram *d;

	release_done(t);
	while ((d = oldest_except(t, NULL)) != NULL)
		give_up(t, d, IKS_INCOMPLETE_END, 0, false);
}

void iks_frag_get_stats(const iks_frag_table *t, iks_frag_stats *st)
{
	*st = t->st;
}

/* Note why a fragment is rejected; iks_frag_add() marks the output. */
static iks_status fail(iks_frag_output *out, iks_status st, const char *reason)
{
	out->reason = reason;
	return st;
}

/* Room for one more range and frame and a buffer of `end` bytes. On
 * failure d stays consistent (its buffer may have grown). */
static bool dgram_reserve(struct frag_dgram *d, uint32_t end, uint16_t pieces_max)
{
	if (end > d->cap) {
		uint8_t *p = realloc(d->data, end);

		if (!p)
			return false;
		memset(p + d->cap, 0, end - d->cap);
		d->data = p;
		d->cap = end;
	}
	if (d->nranges == d->ranges_cap) {
		uint32_t n = d->ranges_cap ? 2 * d->ranges_cap : 4;
		struct frag_range *r = realloc(d->ranges, n * sizeof(*r));

		if (!r)
			return false;
		d->ranges = r;
		d->ranges_cap = n;
	}
	if (d->nframes == d->frames_cap) {
		/* the caller checked nframes < pieces_max */
		uint32_t n = d->frames_cap ? 2u * d->frames_cap : 4u;
		uint64_t *f = realloc(d->frames, (n < pieces_max ? n : pieces_max) * sizeof(*f));

		if (!f)
			return false;
		d->frames = f;
		d->frames_cap = (uint16_t)(n < pieces_max ? n : pieces_max);
	}
	return true;
}

/*
 * Copy the bytes of [off, end) not held yet and note overlaps. The first
 * bytes received win: stacks differ (RFC 791 leaves it open; RFC 5722 and
 * RFC 8200 section 4.5 make IPv6 drop the datagram), and the earliest copy
 * is the one most receivers would have kept, so a conflict is flagged and
 * the datagram still completes for analysis.
 */
static void store(struct frag_dgram *d, const uint8_t *p, uint32_t off, uint32_t end,
		  iks_frag_output *out)
{
	uint32_t pos = off, lo, hi, i, n = d->nranges;

	for (i = 0; i < n; i++) {
		const struct frag_range *r = &d->ranges[i];
		uint32_t s, e;

		if (r->end <= off)
			continue;
		if (r->start >= end)
			break;
		s = r->start > off ? r->start : off;
		e = r->end < end ? r->end : end;
		out->overlap = true;
		if (memcmp(d->data + s, p + (s - off), e - s) != 0)
			out->conflict = true;
		if (s > pos) {
			memcpy(d->data + pos, p + (pos - off), s - pos);
			d->received += s - pos;
		}
		pos = e;
	}
	if (pos < end) {
		memcpy(d->data + pos, p + (pos - off), end - pos);
		d->received += end - pos;
	}
	/* Merge [off, end) with every range it overlaps or touches. */
	for (lo = 0; lo < n && d->ranges[lo].end < off; lo++)
		;
	for (hi = lo; hi < n && d->ranges[hi].start <= end; hi++)
		;
	if (lo == hi) {
		memmove(&d->ranges[lo + 1], &d->ranges[lo], (n - lo) * sizeof(d->ranges[0]));
		d->ranges[lo].start = off;
		d->ranges[lo].end = end;
		d->nranges = n + 1;
		return;
	}
	if (d->ranges[lo].start > off)
		d->ranges[lo].start = off;
	d->ranges[lo].end = d->ranges[hi - 1].end > end ? d->ranges[hi - 1].end : end;
	memmove(&d->ranges[lo + 1], &d->ranges[hi], (n - hi) * sizeof(d->ranges[0]));
	d->nranges = n - (hi - lo - 1);
}

/* RFC 791 section 3.2, RFC 8200 section 4.5: the fragment with MF clear
 * fixes the length; a second, different end or data past it means the
 * fragments contradict each other. */
static bool ends_conflict(const struct frag_dgram *d, bool mf, uint32_t end)
{
	if (mf)
		return d->have_total && end > d->total;
	if (d->have_total)
		return end != d->total;
	return d->nranges && d->ranges[d->nranges - 1].end > end;
}

static void complete(iks_frag_table *t, struct frag_dgram *d, iks_frag_output *out)
{
	table_unlink(t, d);
	recent_add(t, d, true);
	t->done = d;
	t->st.completed++;
	out->result = IKS_FRAG_COMPLETED;
	out->datagram.p = d->data;
	out->datagram.len = d->total;
	out->proto = d->proto;
	out->fragment_count = d->nframes;
	out->frames = d->frames;
}

static iks_status frag_add(iks_frag_table *t, const iks_frag_input *in, iks_frag_output *out)
{
	const iks_decoder_limits *lim = &t->lim;
	uint64_t len = in->payload_wire_len;
	uint64_t end64 = (uint64_t)in->offset + len;
	const struct frag_recent *r;
	struct frag_dgram *d;
	struct frag_key k;
	uint32_t end;
	uint64_t h;
	bool fresh = false;

	/* Validate sizes before touching any state. */
	if (in->version != 4 && in->version != 6)
		return fail(out, IKS_E_MALFORMED, "not an IPv4 or IPv6 fragment");
	if (len == 0)
		return fail(out, IKS_E_MALFORMED, "empty fragment");
	if (in->offset % 8 != 0)
		return fail(out, IKS_E_MALFORMED, "fragment offset not a multiple of 8");
	/* RFC 791 section 3.2, RFC 8200 section 4.5: all but the last fragment
	 * carry a multiple of 8 bytes. */
	if (in->mf && len % 8 != 0)
		return fail(out, IKS_E_MALFORMED, "non-last fragment length not a multiple of 8");
	if (end64 > lim->frag_datagram_max_len)
		return fail(out, IKS_E_MALFORMED, "fragment ends past frag_datagram_max_len");
	if (in->payload.len < len)
		return fail(out, IKS_E_TRUNCATED, "fragment cut short by the capture");
	end = (uint32_t)end64;

	/* RFC 6946 section 4: an atomic fragment (offset 0, no more fragments)
	 * is a datagram by itself and must not disturb queued fragments. */
	if (in->offset == 0 && !in->mf) {
		t->atomic_frame = in->frame;
		t->st.completed++;
		out->result = IKS_FRAG_COMPLETED;
		out->datagram_id = t->next_id++;
		out->datagram.p = in->payload.p;
		out->datagram.len = end;
		out->proto = in->proto;
		out->fragment_count = 1;
		out->frames = &t->atomic_frame;
		return IKS_OK;
	}

	key_make(&k, in);
	h = key_hash(t, &k);
	d = table_find(t, &k, h);
	if (!d) {
		/* A copy of a fragment of a finished datagram: LATE, unless it
		 * reaches past that datagram's end (then it is a new one). */
		r = recent_find(t, &k, h);
		if (r && (r->total == IKS_LEN_UNKNOWN || end <= r->total)) {
			out->result = IKS_FRAG_LATE;
			out->datagram_id = r->datagram_id;
			return IKS_OK;
		}
		if (end > lim->frag_bytes_max) {
			emit_limit(t, "frag_bytes_max", lim->frag_bytes_max, in, 0);
			return fail(out, IKS_E_LIMIT, "fragment alone exceeds frag_bytes_max");
		}
		if (t->ndgrams >= lim->frag_datagrams_max && t->ndgrams > 0) {
			emit_limit(t, "frag_datagrams_max", lim->frag_datagrams_max, in, 0);
			while (t->ndgrams >= lim->frag_datagrams_max && t->ndgrams > 0)
				give_up(t, oldest_except(t, NULL), IKS_INCOMPLETE_EVICTED,
					in->frame, true);
		}
		d = calloc(1, sizeof(*d));
		if (!d)
			return fail(out, IKS_E_NOMEM, "out of memory");
		d->key = k;
		d->hash = h;
		d->src = in->src;
		d->dst = in->dst;
		d->proto = in->proto;
		d->first_frame = in->frame;
		fresh = true;
	} else {
		if (d->nframes >= lim->frag_pieces_max) {
			emit_limit(t, "frag_pieces_max", lim->frag_pieces_max, in, d->datagram_id);
			return fail(out, IKS_E_LIMIT, "more fragments than frag_pieces_max");
		}
		if (ends_conflict(d, in->mf, end)) {
			give_up(t, d, IKS_INCOMPLETE_INVALID, in->frame, true);
			return fail(out, IKS_E_MALFORMED, "fragments disagree on the datagram's end");
		}
	}

	/* Make room under frag_bytes_max by evicting the oldest other datagrams. */
	if (end > d->cap) {
		uint64_t grow = end - d->cap;
		bool hit = false;
		struct frag_dgram *v;

		while (t->held + grow > lim->frag_bytes_max && (v = oldest_except(t, d)) != NULL) {
			if (!hit)
				emit_limit(t, "frag_bytes_max", lim->frag_bytes_max, in, d->datagram_id);
			hit = true;
			give_up(t, v, IKS_INCOMPLETE_EVICTED, in->frame, true);
		}
		if (t->held + grow > lim->frag_bytes_max) {
			if (!hit)
				emit_limit(t, "frag_bytes_max", lim->frag_bytes_max, in, d->datagram_id);
			if (fresh)
				dgram_free(d);
			return fail(out, IKS_E_LIMIT, "datagram exceeds frag_bytes_max");
		}
	}
	{
		uint32_t before = d->cap;
		bool ok = dgram_reserve(d, end, lim->frag_pieces_max);

		if (!fresh)
			t->held += d->cap - before;
		if (!ok) {
			if (fresh)
				dgram_free(d);
			return fail(out, IKS_E_NOMEM, "out of memory");
		}
	}
	if (fresh) {
		d->datagram_id = t->next_id++;
		d->seq = t->next_seq++;
		d->start_ns = t->now_ns;
		table_link(t, d);
	}
	if (t->held > t->st.bytes_peak)
		t->st.bytes_peak = t->held;

	store(d, in->payload.p, in->offset, end, out);
	d->frames[d->nframes++] = in->frame;
	d->last_frame = in->frame;
	if (!in->mf) {
		d->have_total = true;
		d->total = end;
	}
	/* RFC 8200 section 4.5: the offset-0 fragment's Next Header is the datagram's. */
	if (in->offset == 0)
		d->proto = in->proto;
	out->datagram_id = d->datagram_id;
	if (d->have_total && d->nranges == 1 && d->ranges[0].start == 0 &&
	    d->ranges[0].end == d->total)
		complete(t, d, out);
	else
		out->result = IKS_FRAG_HELD;
	return IKS_OK;
}

void iks_frag_add(iks_frag_table *t, const iks_frag_input *in, iks_frag_output *out)
{
	iks_status st;

	memset(out, 0, sizeof(*out));
	release_done(t);
	t->st.fragments++;
	clock_update(t, in->ts_sec, in->ts_nsec);
	st = frag_add(t, in, out);
	if (st != IKS_OK) {     /* nothing else in *out was set */
		out->result = IKS_FRAG_REJECTED;
		out->status = st;
	}
}
