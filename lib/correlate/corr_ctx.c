/*
 * corr_ctx.c - helpers shared by the correlation steps: sorted identities,
 * medians, the clock mapping, appending findings and naming the IKE message
 * of a finding. This file sits below the steps (corr_hosts.c, corr_clock.c,
 * negotiation.c, findings.c, corr_deletes.c, groups.c) and below
 * correlate.c, which only orchestrates them; it calls none of them.
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "correlate/correlate_internal.h"

/* Keyed records in (key, ts, idx) order. Identities are 64-bit digests,
 * even over their bits: stable LSD radix passes (11-bit digits, a pass
 * skipped when every record has the same digit) over the high 33 bits
 * only, then each run of records alike in those bits put in order by the
 * full comparison (runs of two or three at a million records, unless
 * identities repeat; a long run, as keys that are not digests would give,
 * is sorted by qsort, never worse than n log n). */
#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES ((64 + RADIX_BITS - 1) / RADIX_BITS)
#define KEY_LOW_BITS 31       /* left to the runs */
#define KEY_PASSES 3          /* bits 31..63 */

static int cmp_keyed(const void *x, const void *y)
{
	const keyed *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

static bool radix_high(keyed *k, keyed *tmp, size_t n)
{
	size_t *count = calloc((size_t)KEY_PASSES * RADIX_SIZE, sizeof(*count));
	if (!count)
		return false;
	for (size_t i = 0; i < n; i++)
		for (unsigned p = 0; p < KEY_PASSES; p++)
			count[p * RADIX_SIZE +
			      ((k[i].key >> (KEY_LOW_BITS + p * RADIX_BITS)) & (RADIX_SIZE - 1))]++;
	keyed *src = k, *dst = tmp;
	for (unsigned p = 0; p < KEY_PASSES; p++) {
		unsigned shift = KEY_LOW_BITS + p * RADIX_BITS;
		size_t *c = &count[p * RADIX_SIZE];
		if (c[(src[0].key >> shift) & (RADIX_SIZE - 1)] == n)
			continue; /* one digit for all: this pass keeps the order */
		size_t sum = 0;
		for (size_t d = 0; d < RADIX_SIZE; d++) {
			size_t x = c[d];
			c[d] = sum;
			sum += x;
		}
		for (size_t i = 0; i < n; i++)
			dst[c[(src[i].key >> shift) & (RADIX_SIZE - 1)]++] = src[i];
		keyed *sw = src;
		src = dst;
		dst = sw;
	}
	if (src != k)
		memcpy(k, src, n * sizeof(*k));
	free(count);
	return true;
}

/* Records [0, n) alike in their high bits, into full order. */
static void order_run(keyed *k, size_t n)
{
	if (n > 16) {
		qsort(k, n, sizeof(*k), cmp_keyed);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		keyed x = k[i];
		size_t j = i;
		for (; j > 0 && cmp_keyed(&k[j - 1], &x) > 0; j--)
			k[j] = k[j - 1];
		k[j] = x;
	}
}

bool corr_sort_keyed(keyed *k, size_t n)
{
	if (n < 2)
		return true;
	keyed *tmp = big_malloc(n * sizeof(*tmp));
	if (!tmp)
		return false;
	bool ok = radix_high(k, tmp, n);
	free(tmp);
	if (!ok)
		return false;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && k[j].key >> KEY_LOW_BITS == k[i].key >> KEY_LOW_BITS)
			j++;
		if (j - i > 1)
			order_run(&k[i], j - i);
		i = j;
	}
	return true;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : (a > b);
}

/* LSD radix sort of plain 64-bit values (11-bit digits, trivial passes
 * skipped); false when out of memory (v unchanged). */
static bool radix_u64(uint64_t *v, size_t n)
{
	uint64_t *tmp = big_malloc(n * sizeof(*tmp));
	size_t *count = calloc((size_t)RADIX_PASSES * RADIX_SIZE, sizeof(*count));
	if (!tmp || !count) {
		free(tmp);
		free(count);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		for (unsigned p = 0; p < RADIX_PASSES; p++)
			count[p * RADIX_SIZE + ((v[i] >> (p * RADIX_BITS)) & (RADIX_SIZE - 1))]++;
	uint64_t *src = v, *dst = tmp;
	for (unsigned p = 0; p < RADIX_PASSES; p++) {
		size_t *c = &count[p * RADIX_SIZE];
		if (c[(src[0] >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)] == n)
			continue;
		size_t sum = 0;
		for (size_t d = 0; d < RADIX_SIZE; d++) {
			size_t x = c[d];
			c[d] = sum;
			sum += x;
		}
		for (size_t i = 0; i < n; i++)
			dst[c[(src[i] >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)]++] = src[i];
		uint64_t *sw = src;
		src = dst;
		dst = sw;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
	free(count);
	return true;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : (a > b);
}

void corr_sort_i64(int64_t *v, size_t n)
{
	if (n < 2)
		return;
	uint64_t *u = (uint64_t *)v; /* int64_t and uint64_t may alias */
	for (size_t i = 0; i < n; i++)
		u[i] ^= 1ull << 63; /* signed order as unsigned */
	bool ok = radix_u64(u, n);
	for (size_t i = 0; i < n; i++)
		u[i] ^= 1ull << 63;
	if (!ok)
		qsort(v, n, sizeof(*v), cmp_i64);
}

void corr_sort_doubles(double *v, size_t n)
{
	if (n < 2)
		return;
	/* IEEE 754 bits as an unsigned order: negatives inverted, positives
	 * with the sign bit set. -0.0 (equal to 0.0, but ordered apart here)
	 * and NaN (unordered) are left to the comparison sort. */
	for (size_t i = 0; i < n; i++)
		if (v[i] != v[i] || (v[i] == 0 && signbit(v[i]))) {
			qsort(v, n, sizeof(*v), cmp_double);
			return;
		}
	uint64_t *u = big_malloc(n * sizeof(*u));
	if (!u) {
		qsort(v, n, sizeof(*v), cmp_double);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(&u[i], &v[i], sizeof(*u));
		u[i] = u[i] >> 63 ? ~u[i] : u[i] | 1ull << 63;
	}
	if (radix_u64(u, n))
		for (size_t i = 0; i < n; i++) {
			uint64_t b = u[i] >> 63 ? u[i] & ~(1ull << 63) : ~u[i];
			memcpy(&v[i], &b, sizeof(b));
		}
	else
		qsort(v, n, sizeof(*v), cmp_double);
	free(u);
}

double corr_select(double *v, size_t n, size_t k)
{
	/* Hoare's selection: partition around a median of three, keep the
	 * side that holds k; after 64 rounds (an input that defeats the
	 * pivots) the rest is sorted */
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
	for (unsigned round = 0; lo < hi; round++) {
		if (round == 64) {
			corr_sort_doubles(v + lo, (size_t)(hi - lo + 1));
			return v[kk];
		}
		double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];
		double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		ptrdiff_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double x = v[i];
				v[i++] = v[j];
				v[j--] = x;
			}
		}
		if (kk <= j)
			hi = j;
		else if (kk >= i)
			lo = i;
		else
			return v[kk]; /* between the two sides: equal to the pivot */
	}
	return v[kk];
}

double corr_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	double upper = corr_select(v, n, n / 2);
	if (n % 2)
		return upper;
	/* v[0 .. n/2) now holds the smaller half: its largest is the other middle */
	double lower = v[0];
	for (size_t i = 1; i < n / 2; i++)
		if (v[i] > lower)
			lower = v[i];
	return (lower + upper) / 2;
}

keyed *corr_sorted_keys(const iks_trace *t, bool use_loose, const uint8_t *role, int want_role,
			 size_t *n)
{
	keyed *k = big_malloc((t->nunits ? t->nunits : 1) * sizeof(*k));
	if (!k)
		return NULL;
	size_t m = 0;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (!corr_matchable(u))
			continue;
		if (role && role[i] != want_role)
			continue;
		k[m].key = use_loose ? u->loose : u->key;
		k[m].ts = u->ts;
		k[m].idx = (uint32_t)i;
		m++;
	}
	if (!corr_sort_keyed(k, m)) {
		free(k);
		return NULL;
	}
	*n = m;
	return k;
}

/* One `limit` finding on capture s counting n (nothing when n is 0). */
static void trace_cap_finding(corr_ctx *c, int s, uint64_t n, const char *explain)
{
	if (!n)
		return;
	iks_finding *f = corr_add_finding(c, IKS_FIND_LIMIT, IKS_SEV_WARNING, IKS_DIR_UNKNOWN);
	if (!f)
		return;
	f->side = s == 0 ? 'a' : 'b';
	f->count = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	f->explain = explain;
}

void corr_trace_cap_findings(corr_ctx *c)
{
	for (int s = 0; s < 2; s++) {
		const iks_trace *t = c->t[s];
		if (!t)
			continue;
		const iks_trace_info *in = &t->info;
		trace_cap_finding(c, s, in->addresses_merged,
				  "the capture holds more distinct addresses than its trace "
				  "keeps (addresses_max): this many addresses of packets past "
				  "it were taken as the last address kept, so what they did "
				  "may be told of that address");
		/* frames, as a capture's frames are numbered; a datagram that never
		 * completed and was not kept has no frame of its own: counted
		 * alone when no frame was */
		if (in->frames_dropped)
			trace_cap_finding(c, s, in->frames_dropped,
					  "the capture holds more than its trace keeps (units_max, or "
					  "frame numbers past 4,294,967,295): this many frames past the "
					  "cap (packets, IP fragments and the datagrams they complete) "
					  "were not kept, or not all of what they carry, and the "
					  "analysis covers the capture up to there");
		else
			trace_cap_finding(c, s, in->dropped,
					  "the capture holds more than its trace keeps (units_max): "
					  "this many datagrams that never completed were not kept");
		trace_cap_finding(c, s, in->pending_overwritten,
				  "more than 65,536 fragmented datagrams started while these were "
				  "under reassembly: their first fragment's frame, time, TTL and DF "
				  "were not kept, so they are told from the frame that completed "
				  "them (or, incomplete, from when reassembly gave up)");
		trace_cap_finding(c, s, in->copies_released_early,
				  "more than 256 packets waited for their copies at once (a "
				  "pktmon / etl2pcapng capture, IKS_COPIES_PENDING): this many "
				  "packets were returned before their 100 ms copy window ended, "
				  "and later copies of them count as packets of their own");
		trace_cap_finding(c, s, in->ike_frags_unmarked,
				  "IKE fragments more than 256 IKE messages before the fragment "
				  "that completed their message: this many were not marked as "
				  "read with it, and are told of as encrypted, not read");
		trace_cap_finding(c, s, in->comments_dropped,
				  "pcapng comments past 64 KiB in one frame (COMMENT_MAX): this "
				  "many comments were not kept, so frames lack them");
		trace_cap_finding(c, s, in->host_drop_names_lost,
				  "packets dropped inside the capturing host by components past "
				  "the 64 distinct component names a trace keeps "
				  "(TRACE_HOSTDROP_NAMES): this many host drops are told of with "
				  "no component name");
	}
}

iks_finding *corr_add_finding(corr_ctx *c, int kind, int severity, int direction)
{
	iks_correlation *o = c->out;
	if (o->nfinds == c->opt.findings_max) {
		o->finds_dropped++;
		return NULL;
	}
	if (o->nfinds == o->cap_finds) {
		size_t cap = o->cap_finds ? o->cap_finds * 2 : 64;
		iks_finding *f = realloc(o->finds, cap * sizeof(*f));
		if (!f) {
			o->finds_dropped++;
			return NULL;
		}
		o->finds = f;
		o->cap_finds = cap;
	}
	iks_finding *f = &o->finds[o->nfinds++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->severity = severity;
	f->direction = direction;
	f->datagram_len = IKS_LEN_UNKNOWN;
	return f;
}

void corr_deletes_cap_finding(corr_ctx *c, int s)
{
	trace_cap_finding(c, s, c->t[s]->deletes_dropped,
			  "more SPIs in Delete payloads than a trace keeps: the rest are not followed");
}

void corr_findings_cap_finding(corr_ctx *c)
{
	iks_correlation *o = c->out;
	if (!o->finds_dropped)
		return;
	/* one slot past findings_max, for the finding that says so */
	if (o->nfinds == o->cap_finds) {
		iks_finding *f = realloc(o->finds, (o->cap_finds + 1) * sizeof(*f));
		if (!f)
			return; /* out of memory: the caller's next allocation fails too */
		o->finds = f;
		o->cap_finds++;
	}
	iks_finding *f = &o->finds[o->nfinds++];
	memset(f, 0, sizeof(*f));
	f->kind = IKS_FIND_LIMIT;
	f->severity = IKS_SEV_WARNING;
	f->direction = IKS_DIR_UNKNOWN;
	f->datagram_len = IKS_LEN_UNKNOWN;
	f->explain = "more findings than findings_max: this many more were not kept";
	f->count = o->finds_dropped > UINT32_MAX ? UINT32_MAX : (uint32_t)o->finds_dropped;
}

bool corr_room_pow2(void **arr, size_t n, size_t elem)
{
	if (n && (n < 2 || (n & (n - 1))))
		return true; /* room up to the next power of two */
	size_t cap = n ? n * 2 : 2;
	void *p = realloc(*arr, cap * elem);
	if (!p)
		return false;
	*arr = p;
	return true;
}

iks_ike_message *corr_exchange_add_message(iks_ike_exchange *e, bool *full)
{
	if (e->nmessages >= IKS_EXCHANGE_MAX_MESSAGES) {
		*full = true;
		return NULL;
	}
	void *arr = e->messages;
	if (!corr_room_pow2(&arr, e->nmessages, sizeof(*e->messages)))
		return NULL;
	e->messages = arr;
	iks_ike_message *m = &e->messages[e->nmessages++];
	memset(m, 0, sizeof(*m));
	return m;
}

void corr_exchange_cap_finding(corr_ctx *c, const iks_negotiation *n, const iks_ike_exchange *e,
			       uint32_t copies)
{
	iks_finding *f = corr_add_finding(c, IKS_FIND_LIMIT, IKS_SEV_WARNING, IKS_DIR_UNKNOWN);
	if (!f)
		return;
	f->explain = "an exchange held more distinct messages than an exchange keeps "
		     "(IKS_EXCHANGE_MAX_MESSAGES): this many copies of the later ones were not "
		     "followed";
	f->count = copies;
	corr_finding_exchange(f, n, e);
}

void corr_finding_exchange(iks_finding *f, const iks_negotiation *n, const iks_ike_exchange *e)
{
	f->has_ike = true;
	f->version = n->version;
	f->exchange = e->type;
	memcpy(f->ispi, n->ispi, 8);
	memcpy(f->rspi, n->rspi, 8);
	f->msgid = e->msgid;
}

double corr_steps_before(const corr_ctx *c, double x)
{
	double s = 0;
	for (uint32_t k = 0; k < c->nsteps; k++)
		if (x >= c->step_at[k])
			s += c->step_ns[k];
	return s;
}

double corr_to_b_clock(const corr_ctx *c, double ta)
{
	return ta + c->offset_ns + c->drift * (ta - c->t0_ns) + corr_steps_before(c, ta - c->t0_ns);
}

double corr_to_a_clock(const corr_ctx *c, int side, int64_t ts)
{
	if (side == 0)
		return (double)ts;
	/* invert t_b = t_a + off + drift (t_a - t0) + steps(t_a); the steps
	 * are taken at the estimate without them, then once more */
	double ta = ((double)ts - c->offset_ns + c->drift * c->t0_ns) / (1 + c->drift);
	for (int k = 0; k < 2 && c->nsteps; k++)
		ta = ((double)ts - c->offset_ns - corr_steps_before(c, ta - c->t0_ns) +
		      c->drift * c->t0_ns) / (1 + c->drift);
	return ta;
}

double corr_expected_arrival(const corr_ctx *c, int side, int64_t ts)
{
	if (side == 0)
		return corr_to_b_clock(c, (double)ts) + c->delay_ns[0];
	return corr_to_a_clock(c, 1, ts) + c->delay_ns[1];
}

/* Index of the first time >= v in side s's sorted times. */
size_t corr_time_index(const corr_ctx *c, int s, double v)
{
	size_t lo = 0, hi = c->ntimes[s];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if ((double)c->times[s][mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool corr_covered(const corr_ctx *c, int side, int64_t ts)
{
	int r = 1 - side;
	double e = corr_expected_arrival(c, side, ts);
	if (!c->times[r])
		return false;
	/* the expected arrival is known to within the clock's uncertainty and
	 * the delays' scatter: packets that far before and after it prove the
	 * capture ran */
	/* without a clock the captures' clocks are taken to agree */
	double m = c->out->clock.known ? c->out->clock.cover_margin_s * 1e9 : 1e6;
	/* a packet at or before the arrival and one at or after it, each
	 * within the uncertainty (one packet right at it, such as the
	 * datagram's own second fragment, shows the capture running then) */
	if (c->times[r][0] > e + m)
		return false; /* nothing before: the capture had not started */
	if (corr_time_index(c, r, e - m) == c->ntimes[r])
		return false; /* nothing after: it had stopped */
	/* the gaps are in time order and disjoint: the last one starting at or
	 * before e is the only one that can hold it */
	size_t lo = 0, hi = c->ngaps[r];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((double)c->gaps[r][mid].from <= e)
			lo = mid + 1;
		else
			hi = mid;
	}
	return !(lo && e <= (double)c->gaps[r][lo - 1].to);
}

void corr_ike_identity(iks_finding *f, const iks_trace *t, const trace_unit *u)
{
	if (u->kind != UNIT_IKE)
		return;
	const trace_ike *k = unit_ike(t, u);
	f->has_ike = true;
	f->version = k->version;
	f->exchange = k->exchange;
	memcpy(f->ispi, k->ispi, 8);
	memcpy(f->rspi, k->rspi, 8);
	f->msgid = k->msgid;
	f->response = k->version == 2 && (u->flags & UNIT_F_RESPONSE);
	if (!f->size)
		f->size = u->size;
}

/* Findings in the order the reports show them, errors first, warnings,
 * then information, each in the order found (stable): a verdict's evidence
 * indexes are then positions in every report's list. */
iks_status corr_order_findings(iks_correlation *o)
{
	if (o->nfinds < 2)
		return IKS_OK;
	iks_finding *sorted = malloc(o->nfinds * sizeof(*sorted));
	if (!sorted)
		return IKS_E_NOMEM;
	size_t k = 0;
	for (int sev = IKS_SEV_ERROR; sev >= IKS_SEV_INFO; sev--)
		for (size_t i = 0; i < o->nfinds; i++)
			if (o->finds[i].severity == sev)
				sorted[k++] = o->finds[i];
	for (size_t i = 0; i < o->nfinds; i++) /* any other severity keeps its place last */
		if (o->finds[i].severity < IKS_SEV_INFO || o->finds[i].severity > IKS_SEV_ERROR)
			sorted[k++] = o->finds[i];
	memcpy(o->finds, sorted, o->nfinds * sizeof(*sorted));
	free(sorted);
	return IKS_OK;
}

/* Add u to side's lost list; `rem` is the receiver's incomplete remains of
 * it (NULL: nothing of it arrived), whose holes are what did not arrive. */
bool corr_lost_add(corr_ctx *c, int side, const trace_unit *u, const trace_unit *rem,
		   uint8_t reason)
{
	iks_correlation *o = c->out;
	if (o->nlost[side] == o->cap_lost[side]) {
		size_t cap = o->cap_lost[side] ? o->cap_lost[side] * 2 : 64;
		iks_lost_packet *l = realloc(o->lost[side], cap * sizeof(*l));
		if (!l)
			return false;
		o->lost[side] = l;
		o->cap_lost[side] = cap;
	}
	iks_lost_packet *l = &o->lost[side][o->nlost[side]++];
	l->first_frame = u->first_frame;
	l->last_frame = u->frame;
	l->ip_id = u->ip_id;
	l->fragmented = (u->flags & UNIT_F_FRAGMENTED) != 0;
	l->proto = u->proto;
	l->reason = reason;
	l->nranges = 0;
	if (rem) {
		const trace_holes *h = unit_holes(c->t[1 - side], rem);
		uint16_t n = h->n < IKS_FINDING_MAX_RANGES ? h->n : IKS_FINDING_MAX_RANGES;
		for (uint16_t k = 0; k < n; k++) {
			l->missing[k].start = h->r[k].start;
			l->missing[k].end = h->r[k].end;
		}
		/* holes past the kept ones: everything from the last kept one on */
		if (n && (h->truncated || h->n > n))
			l->missing[n - 1].end = IKS_LEN_UNKNOWN;
		l->nranges = n;
	}
	return true;
}

iks_verdict *corr_verdict_add(corr_vlist *l, int cause, int direction, const char *confidence)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		iks_verdict *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	iks_verdict *v = &l->v[l->n++];
	memset(v, 0, sizeof(*v));
	v->cause = cause;
	v->direction = direction;
	v->confidence = confidence;
	return v;
}

void corr_verdict_evidence(iks_verdict *v, size_t finding)
{
	for (uint32_t i = 0; i < v->nevidence; i++)
		if (v->evidence[i] == finding)
			return;
	if (v->nevidence < IKS_VERDICT_MAX_EVIDENCE)
		v->evidence[v->nevidence++] = (uint32_t)finding;
	else
		v->evidence_truncated = true;
}

void corr_say(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, IKS_VERDICT_TEXT, fmt, ap);
	va_end(ap);
}

static uint64_t quoted_id_key(uint32_t ip_id, uint8_t proto)
{
	return (uint64_t)ip_id << 8 | proto;
}

iks_status corr_icmp_index_build(const corr_ctx *c, int s, corr_icmp_index *x)
{
	const iks_trace *t = c->t[s];
	memset(x, 0, sizeof(*x));
	size_t nc = 0;
	for (size_t i = 0; i < t->nunits; i++)
		nc += t->units[i].kind == UNIT_ICMP_ERROR && c->role[s][i] == ROLE_TO_HOST;
	x->by_loose = malloc((nc ? nc : 1) * sizeof(keyed));
	x->by_id = malloc((nc ? nc : 1) * sizeof(keyed));
	if (!x->by_loose || !x->by_id)
		return IKS_E_NOMEM;
	int64_t rank = 0;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (u->kind != UNIT_ICMP_ERROR || c->role[s][i] != ROLE_TO_HOST)
			continue;
		const trace_icmp *q = unit_icmp(t, u);
		if (q->quoted_loose)
			x->by_loose[x->nby_loose++] = (keyed){ q->quoted_loose, rank, (uint32_t)i };
		else
			x->by_id[x->nby_id++] = (keyed){ quoted_id_key(q->quoted_ip_id, q->quoted_proto),
							 rank, (uint32_t)i };
		rank++;
	}
	if (!corr_sort_keyed(x->by_loose, x->nby_loose) || !corr_sort_keyed(x->by_id, x->nby_id))
		return IKS_E_NOMEM;
	return IKS_OK;
}

void corr_icmp_index_free(corr_icmp_index *x)
{
	free(x->by_loose);
	free(x->by_id);
	x->by_loose = x->by_id = NULL;
}

size_t corr_keyed_lower(const keyed *k, size_t n, uint64_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first entry of a sorted list with this key, NULL when none. */
static const keyed *first_with_key(const keyed *k, size_t n, uint64_t key)
{
	size_t lo = corr_keyed_lower(k, n, key);
	return lo < n && k[lo].key == key ? &k[lo] : NULL;
}

uint32_t corr_icmp_quoting(const corr_icmp_index *x, const trace_unit *u)
{
	const keyed *l = first_with_key(x->by_loose, x->nby_loose, u->loose);
	const keyed *d = first_with_key(x->by_id, x->nby_id, quoted_id_key(u->ip_id, u->proto));
	const keyed *e = l && d ? (l->ts < d->ts ? l : d) : l ? l : d;
	return e ? e->idx : NO_MATCH;
}

uint64_t corr_sa_id(const iks_trace *t, const trace_unit *u)
{
	if (u->kind == UNIT_IKE) {
		const trace_ike *k = unit_ike(t, u);
		uint64_t v = 0;
		for (int i = 0; i < 8; i++)
			v = v << 8 | k->ispi[i];
		return v ? v : 1;
	}
	if (u->kind == UNIT_ESP || u->kind == UNIT_AH)
		return (uint64_t)1 << 63 | u->spi;
	return 0;
}

bool corr_udp_ipsec(const trace_unit *u)
{
	return u->proto == 17 && u->sport && u->dport &&
	       (u->kind == UNIT_IKE || u->kind == UNIT_ESP || u->kind == UNIT_KEEPALIVE);
}
