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
#include "net/ipfrag_internal.h"

#include <stdlib.h>
#include <string.h>


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
		frag_recent_add(t, d, false);
	frag_table_unlink(t, d);
	frag_dgram_free(d);
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
	nb = frag_pow2_at_least(2 * (uint64_t)lim->frag_datagrams_max, BUCKETS_MAX);
	t->buckets = calloc(nb, sizeof(*t->buckets));
	t->bucket_mask = nb - 1;
	t->recent_cap = lim->frag_datagrams_max < RECENT_MAX ? lim->frag_datagrams_max : RECENT_MAX;
	if (t->recent_cap == 0)
		t->recent_cap = 1;
	t->recent = calloc(t->recent_cap, sizeof(*t->recent));
	nb = frag_pow2_at_least(2 * (uint64_t)t->recent_cap, 2 * RECENT_MAX);
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
	frag_release_done(t);
	while (t->buckets && (d = frag_oldest_except(t, NULL)) != NULL) {
		frag_table_unlink(t, d);
		frag_dgram_free(d);
	}
	frag_dgram_free(t->spare);
	free(t->buckets);
	free(t->recent);
	free(t->recent_buckets);
	free(t);
}

void iks_frag_expire(iks_frag_table *t, int64_t ts_sec, uint32_t ts_nsec, uint64_t frame)
{
	frag_release_done(t);
	frag_clock_update(t, ts_sec, ts_nsec);
	/* Each family's list is in age order: only its head can have expired.
	 * Report the two families merged in insertion order. */
	for (;;) {
		struct frag_dgram *v = NULL;
		int f;

		for (f = 0; f < 2; f++) {
			struct frag_dgram *h = t->oldest[f];

			if (h && frag_too_old(t, h->start_ns, h->key.version) && (!v || h->seq < v->seq))
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

	frag_release_done(t);
	while ((d = frag_oldest_except(t, NULL)) != NULL)
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
		if (end > d->alloc) {
			uint8_t *p = realloc(d->data, end);

			if (!p)
				return false;
			d->data = p;
			d->alloc = end;
		}
		memset(d->data + d->cap, 0, end - d->cap);
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
	frag_table_unlink(t, d);
	frag_recent_add(t, d, true);
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

	frag_key_make(&k, in);
	h = frag_key_hash(t, &k);
	d = frag_table_find(t, &k, h);
	if (!d) {
		/* A copy of a fragment of a finished datagram: LATE, unless it
		 * reaches past that datagram's end (then it is a new one). */
		r = frag_recent_find(t, &k, h);
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
				give_up(t, frag_oldest_except(t, NULL), IKS_INCOMPLETE_EVICTED,
					in->frame, true);
		}
		d = frag_dgram_new(t);
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

		while (t->held + grow > lim->frag_bytes_max && (v = frag_oldest_except(t, d)) != NULL) {
			if (!hit)
				emit_limit(t, "frag_bytes_max", lim->frag_bytes_max, in, d->datagram_id);
			hit = true;
			give_up(t, v, IKS_INCOMPLETE_EVICTED, in->frame, true);
		}
		if (t->held + grow > lim->frag_bytes_max) {
			if (!hit)
				emit_limit(t, "frag_bytes_max", lim->frag_bytes_max, in, d->datagram_id);
			if (fresh)
				frag_dgram_free(d);
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
				frag_dgram_free(d);
			return fail(out, IKS_E_NOMEM, "out of memory");
		}
	}
	if (fresh) {
		d->datagram_id = t->next_id++;
		d->seq = t->next_seq++;
		d->start_ns = t->now_ns;
		frag_table_link(t, d);
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
	frag_release_done(t);
	t->st.fragments++;
	frag_clock_update(t, in->ts_sec, in->ts_nsec);
	st = frag_add(t, in, out);
	if (st != IKS_OK) {     /* nothing else in *out was set */
		out->result = IKS_FRAG_REJECTED;
		out->status = st;
	}
}
