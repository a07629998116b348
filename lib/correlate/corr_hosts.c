/*
 * corr_hosts.c - steps 1 and 2 of the correlation (see correlate.c).
 *
 * Step 1 pairs what needs no clock: units whose identity occurs once in
 * each trace; byte-identical copies (retransmissions) paired in order by
 * IP ID; and every IP fragment as a unit of its own (IP ID, offset, length
 * and its bytes), so that first fragments alone are evidence.
 *
 * Step 2 learns which addresses are the two hosts. IPsec decides: only
 * pairs of IKE, ESP, AH, NAT-T keepalives and fragments of UDP 500/4500 or
 * ESP/AH vote (by TTL, or on a path without routers by timing); other
 * traffic never chooses the host pair. When no IPsec packet crossed, the
 * IPsec endpoints of each capture are taken on their own: the capture's
 * busiest IPsec address pair, its host being the address that sends with
 * an unrouted TTL (or, failing that, the one the other capture does not
 * hold); the ends are then known but not their clocks.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "core/hash.h"
#include "core/par.h"
#include "correlate/correlate_internal.h"

static bool ipsec_kind(uint8_t kind)
{
	return kind == UNIT_IKE || kind == UNIT_ESP || kind == UNIT_AH || kind == UNIT_KEEPALIVE;
}

static bool ipsec_frag(const trace_frag *g)
{
	if (g->proto == 50 || g->proto == 51)
		return true;
	return g->proto == 17 && g->offset == 0 &&
	       (g->sport == 500 || g->dport == 500 || g->sport == 4500 || g->dport == 4500);
}

/* Sample store that grows (all arrays are bounded by the traces' sizes). */
static bool push(corr_sample **s, size_t *n, size_t *cap)
{
	if (*n < *cap)
		return true;
	size_t nc = *cap ? *cap * 2 : 256;
	corr_sample *p = big_realloc(*s, *n * sizeof(*p), nc * sizeof(*p));
	if (!p)
		return false;
	*s = p;
	*cap = nc;
	return true;
}

static void sample_units(const corr_ctx *c, corr_sample *x, uint32_t ia, uint32_t ib)
{
	const trace_unit *ua = &c->t[0]->units[ia], *ub = &c->t[1]->units[ib];
	memset(x, 0, sizeof(*x));
	x->ta = ua->ts;
	x->tb = ub->ts;
	x->src_a = ua->addr_src;
	x->dst_a = ua->addr_dst;
	x->src_b = ub->addr_src;
	x->dst_b = ub->addr_dst;
	x->ttl_a = ua->ttl;
	x->ttl_b = ub->ttl;
	x->ipsec = ipsec_kind(ua->kind);
	x->a = ia;
	x->b = ib;
}

/* Byte-identical copies in a run of one key: paired by IP ID where the ID
 * occurs once among the run's copies on each side. */
static bool pair_by_ip_id(const corr_ctx *c, const keyed *ka, size_t i, size_t ie, const keyed *kb,
			  size_t j, size_t je, corr_sample **s, size_t *n, size_t *cap)
{
	for (size_t x = i; x < ie; x++) {
		uint32_t id = c->t[0]->units[ka[x].idx].ip_id;
		size_t cnt_a = 0, cnt_b = 0, at = 0;
		for (size_t y = i; y < ie; y++)
			cnt_a += c->t[0]->units[ka[y].idx].ip_id == id;
		for (size_t y = j; y < je; y++)
			if (c->t[1]->units[kb[y].idx].ip_id == id) {
				cnt_b++;
				at = y;
			}
		if (cnt_a != 1 || cnt_b != 1)
			continue;
		if (!push(s, n, cap))
			return false;
		sample_units(c, &(*s)[(*n)++], ka[x].idx, kb[at].idx);
		(*s)[*n - 1].retransmit = true;
	}
	return true;
}

/* The merge-join of two arrays sorted by a uint64_t key that starts each
 * element: the next key both hold, as the runs [*i, *ie) and [*j, *je);
 * false when either side is used up. */
static uint64_t key_at(const void *arr, size_t k, size_t stride)
{
	uint64_t key;
	memcpy(&key, (const uint8_t *)arr + k * stride, sizeof(key));
	return key;
}

static bool common_run(const void *a, size_t na, size_t sa, const void *b, size_t nb, size_t sb,
		       size_t *i, size_t *j, size_t *ie, size_t *je)
{
	while (*i < na && *j < nb) {
		uint64_t x = key_at(a, *i, sa), y = key_at(b, *j, sb);
		if (x != y) {
			if (x < y)
				(*i)++;
			else
				(*j)++;
			continue;
		}
		*ie = *i;
		*je = *j;
		while (*ie < na && key_at(a, *ie, sa) == x)
			(*ie)++;
		while (*je < nb && key_at(b, *je, sb) == x)
			(*je)++;
		return true;
	}
	return false;
}

/* A trace's fragments not yet paired, by (identity, index). */
static keyed *sorted_frags(const iks_trace *t, bool prefix, const uint8_t *done, size_t *n)
{
	keyed *k = big_malloc((t->nfrags ? t->nfrags : 1) * sizeof(*k));
	if (!k)
		return NULL;
	size_t m = 0;
	for (size_t i = 0; i < t->nfrags; i++) {
		if (done && done[i])
			continue;
		k[m].key = prefix ? t->frags[i].pkey : t->frags[i].key;
		k[m].ts = 0; /* ties by index alone */
		k[m++].idx = (uint32_t)i;
	}
	if (!corr_sort_keyed(k, m)) {
		free(k);
		return NULL;
	}
	*n = m;
	return k;
}

/* One capture's fragments not yet paired, sorted (one job per capture). */
typedef struct frags_job {
	const iks_trace *t;
	bool prefix;
	const uint8_t *done;
	keyed *k;
	size_t n;
} frags_job;

static void frags_job_run(void *p)
{
	frags_job *j = p;
	j->k = sorted_frags(j->t, j->prefix, j->done, &j->n);
}

/* Fragments whose identity occurs once in each trace: exactly, then (for
 * the rest) by their first bytes, so that a piece a router cut again still
 * pairs with the piece it was cut from. */
static bool pair_frags_pass(const corr_ctx *c, bool prefix, uint8_t *done[2], corr_sample **s,
			    size_t *n, size_t *cap)
{
	const iks_trace *A = c->t[0], *B = c->t[1];
	size_t na = 0, nb = 0;
	frags_job jobs[2] = { { .t = A, .prefix = prefix, .done = done[0] },
			      { .t = B, .prefix = prefix, .done = done[1] } };
	par_run(frags_job_run, jobs, sizeof(jobs[0]), 2, c->opt.threads);
	keyed *ka = jobs[0].k, *kb = jobs[1].k;
	na = jobs[0].n;
	nb = jobs[1].n;
	bool ok = ka && kb;
	size_t i = 0, j = 0;
	size_t ie, je;
	while (ok && common_run(ka, na, sizeof(*ka), kb, nb, sizeof(*kb), &i, &j, &ie, &je)) {
		if (ie + CORR_AHEAD < na)
			CORR_PREFETCH(&A->frags[ka[ie + CORR_AHEAD].idx]);
		if (je + CORR_AHEAD < nb)
			CORR_PREFETCH(&B->frags[kb[je + CORR_AHEAD].idx]);
		if (ie - i == 1 && je - j == 1) {
			const trace_frag *ga = &A->frags[ka[i].idx], *gb = &B->frags[kb[j].idx];
			if (!push(s, n, cap)) {
				ok = false;
				break;
			}
			corr_sample *x = &(*s)[(*n)++];
			memset(x, 0, sizeof(*x));
			x->ta = ga->ts;
			x->tb = gb->ts;
			x->src_a = ga->addr_src;
			x->dst_a = ga->addr_dst;
			x->src_b = gb->addr_src;
			x->dst_b = gb->addr_dst;
			x->ttl_a = ga->ttl;
			x->ttl_b = gb->ttl;
			x->ipsec = ipsec_frag(ga);
			x->fragment = true;
			x->a = ka[i].idx;
			x->b = kb[j].idx;
			done[0][ka[i].idx] = 1;
			done[1][kb[j].idx] = 1;
		}
		i = ie;
		j = je;
	}
	free(ka);
	free(kb);
	return ok;
}

static bool pair_frags(const corr_ctx *c, corr_sample **s, size_t *n, size_t *cap)
{
	uint8_t *done[2];
	done[0] = big_calloc(c->t[0]->nfrags + 1, 1);
	done[1] = big_calloc(c->t[1]->nfrags + 1, 1);
	bool ok = done[0] && done[1] && pair_frags_pass(c, false, done, s, n, cap) &&
		  pair_frags_pass(c, true, done, s, n, cap);
	free(done[0]);
	free(done[1]);
	return ok;
}

/* One capture's units sorted by exact identity (one job per capture). */
typedef struct keys_job {
	const iks_trace *t;
	keyed *k;
	size_t n;
} keys_job;

static void keys_job_run(void *p)
{
	keys_job *j = p;
	j->k = corr_sorted_keys(j->t, false, NULL, 0, &j->n);
}

/* The unique pairs among keys [from, to) of both sorted key lists (keys
 * are digests, even over their 64 bits: two halves of the key space make
 * two jobs of about equal size, whose samples, put one after the other,
 * are in the order one pass over all keys gives). */
typedef struct pairs_job {
	const corr_ctx *c;
	const keyed *ka, *kb;
	size_t na, nb;
	corr_sample *s;
	size_t n, cap;
	bool ok;
} pairs_job;

static void pairs_job_run(void *p)
{
	pairs_job *x = p;
	const corr_ctx *c = x->c;
	const keyed *ka = x->ka, *kb = x->kb;
	size_t na = x->na, nb = x->nb;
	size_t i = 0, j = 0;
	size_t ie, je;
	x->ok = push(&x->s, &x->n, &x->cap);
	while (x->ok && common_run(ka, na, sizeof(*ka), kb, nb, sizeof(*kb), &i, &j, &ie, &je)) {
		if (ie + CORR_AHEAD < na)
			CORR_PREFETCH(&c->t[0]->units[ka[ie + CORR_AHEAD].idx]);
		if (je + CORR_AHEAD < nb)
			CORR_PREFETCH(&c->t[1]->units[kb[je + CORR_AHEAD].idx]);
		if (ie - i == 1 && je - j == 1) {
			if (!push(&x->s, &x->n, &x->cap))
				x->ok = false;
			else
				sample_units(c, &x->s[x->n++], ka[i].idx, kb[j].idx);
		} else if (!pair_by_ip_id(c, ka, i, ie, kb, j, je, &x->s, &x->n, &x->cap)) {
			x->ok = false;
		}
		i = ie;
		j = je;
	}
}

/* First index of a sorted key list whose key is at or above half the key space. */
static size_t upper_half(const keyed *k, size_t n)
{
	return corr_keyed_lower(k, n, UINT64_C(1) << 63);
}

/* Step 1. */
corr_sample *corr_samples(corr_ctx *c, size_t *nsamples)
{
	size_t n = 0, cap = 0;
	corr_sample *s = NULL;
	keys_job jobs[2] = { { .t = c->t[0] }, { .t = c->t[1] } };
	par_run(keys_job_run, jobs, sizeof(jobs[0]), 2, c->opt.threads);
	keyed *ka = jobs[0].k, *kb = jobs[1].k;
	size_t na = jobs[0].n, nb = jobs[1].n;
	bool ok = ka && kb;
	if (ok) {
		size_t ha = upper_half(ka, na), hb = upper_half(kb, nb);
		pairs_job pj[2] = {
			{ .c = c, .ka = ka, .kb = kb, .na = ha, .nb = hb },
			{ .c = c, .ka = ka + ha, .kb = kb + hb, .na = na - ha, .nb = nb - hb },
		};
		/* a unit is in one sample at most, a fragment too: sized for
		 * that from the start, the stores never grow by copying, and
		 * the lower half's has room for the upper half's and for the
		 * fragments' (pages untouched cost nothing; push() still grows
		 * them should a bound not hold) */
		size_t lo = ha < hb ? ha : hb, hi = na - ha < nb - hb ? na - ha : nb - hb;
		size_t fr = c->t[0]->nfrags < c->t[1]->nfrags ? c->t[0]->nfrags : c->t[1]->nfrags;
		if ((pj[0].s = big_malloc((lo + hi + fr + 1) * sizeof(corr_sample))))
			pj[0].cap = lo + hi + fr + 1;
		if ((pj[1].s = big_malloc((hi + 1) * sizeof(corr_sample))))
			pj[1].cap = hi + 1;
		par_run(pairs_job_run, pj, sizeof(pj[0]), 2, c->opt.threads);
		ok = pj[0].ok && pj[1].ok;
		/* the lower half's samples, then the upper half's */
		if (ok && pj[1].n && pj[0].n + pj[1].n > pj[0].cap) {
			corr_sample *grown = big_realloc(pj[0].s, pj[0].n * sizeof(*grown),
							 (pj[0].n + pj[1].n) * sizeof(*grown));
			if (grown) {
				pj[0].s = grown;
				pj[0].cap = pj[0].n + pj[1].n;
			} else {
				ok = false;
			}
		}
		if (ok && pj[1].n)
			memcpy(pj[0].s + pj[0].n, pj[1].s, pj[1].n * sizeof(*pj[1].s));
		s = pj[0].s;
		n = pj[0].n + (ok ? pj[1].n : 0);
		cap = pj[0].cap;
		free(pj[1].s);
	}
	/* step 4's exact pass looks units up in the same order */
	c->exact[0] = ka;
	c->nexact[0] = na;
	c->exact[1] = kb;
	c->nexact[1] = nb;
	if (ok)
		ok = pair_frags(c, &s, &n, &cap);
	if (!ok) {
		free(s);
		return NULL;
	}
	*nsamples = n;
	return s;
}

/* Step 2: which addresses are the two hosts, in each capture. */
typedef struct flow_vote {
	uint32_t src_a, dst_a, src_b, dst_b;
	uint64_t ttl_sent_by_a, ttl_sent_by_b, n;
} flow_vote;

/* Entries found by a 64-bit key (address indices packed), in the order
 * they were made (the first of equal counts wins a vote), at most
 * PAIRS_MAX: past it a key is counted in `refused`, not kept. Open
 * addressing over twice as many slots. */
#define PAIRS_MAX 4096
#define PAIR_SLOTS 8192
typedef struct pair_index {
	uint64_t key[PAIR_SLOTS];
	uint16_t at[PAIR_SLOTS]; /* entry + 1; 0: empty */
	size_t n;
	uint64_t refused;
} pair_index;

/* The entry of key, made when new (*made set); SIZE_MAX past the cap. */
static size_t pair_entry(pair_index *x, uint64_t key, bool *made)
{
	*made = false;
	size_t i = (size_t)h_final(h_u64(IKS_FNV_OFFSET, key)) & (PAIR_SLOTS - 1);
	for (; x->at[i]; i = (i + 1) & (PAIR_SLOTS - 1))
		if (x->key[i] == key)
			return x->at[i] - 1u;
	if (x->n == PAIRS_MAX) {
		x->refused++;
		return SIZE_MAX;
	}
	x->key[i] = key;
	x->at[i] = (uint16_t)(++x->n);
	*made = true;
	return x->n - 1;
}

static uint64_t flow_key(const corr_sample *x)
{
	return (uint64_t)x->src_a << 48 | (uint64_t)x->dst_a << 32 | (uint64_t)x->src_b << 16 |
	       x->dst_b;
}

static flow_vote *find_flow(flow_vote *f, pair_index *x, const corr_sample *s)
{
	bool made;
	size_t i = pair_entry(x, flow_key(s), &made);
	if (i == SIZE_MAX)
		return NULL;
	flow_vote *v = &f[i];
	if (made) {
		memset(v, 0, sizeof(*v));
		v->src_a = s->src_a;
		v->dst_a = s->dst_a;
		v->src_b = s->src_b;
		v->dst_b = s->dst_b;
	}
	return v;
}

static void set_hosts(corr_ctx *c, const flow_vote *ab, const char *method)
{
	c->hosts_known = true;
	c->host[0] = ab->src_a;
	c->peer[0] = ab->dst_a;
	c->host[1] = ab->dst_b;
	c->peer[1] = ab->src_b;
	c->out->ends.method = method;
}

static bool in_flow(const corr_sample *x, const flow_vote *f)
{
	return x->src_a == f->src_a && x->dst_a == f->dst_a && x->src_b == f->src_b &&
	       x->dst_b == f->dst_b;
}

/* The ends from IPsec packets that crossed. */
static iks_status hosts_vote(corr_ctx *c, const corr_sample *s, size_t ns, bool ipsec_only,
			     flow_vote *flows, pair_index *ix)
{
	for (size_t i = 0; i < ns; i++) {
		if (ipsec_only && !s[i].ipsec)
			continue;
		flow_vote *v = find_flow(flows, ix, &s[i]);
		if (!v)
			continue;
		v->n++;
		if (s[i].ttl_a > s[i].ttl_b)
			v->ttl_sent_by_a++;
		else if (s[i].ttl_a < s[i].ttl_b)
			v->ttl_sent_by_b++;
	}
	size_t nf = ix->n;
	c->hosts_refused += ix->refused;
	/* the busiest IPsec flow whose TTLs say who sent it */
	flow_vote *best = NULL;
	bool best_from_a = false;
	for (size_t i = 0; i < nf; i++) {
		uint64_t votes = flows[i].ttl_sent_by_a > flows[i].ttl_sent_by_b ? flows[i].ttl_sent_by_a
										   : flows[i].ttl_sent_by_b;
		if (votes * 2 <= flows[i].n)
			continue;
		if (!best || flows[i].n > best->n) {
			best = &flows[i];
			best_from_a = flows[i].ttl_sent_by_a > flows[i].ttl_sent_by_b;
		}
	}
	if (best) {
		flow_vote ab = *best;
		if (!best_from_a) {
			/* this flow goes b -> a: turn it around */
			ab.src_a = best->dst_a;
			ab.dst_a = best->src_a;
			ab.src_b = best->dst_b;
			ab.dst_b = best->src_b;
		}
		set_hosts(c, &ab, "ttl");
		return IKS_OK;
	}
	/* no router on the path: the direction whose copies are later on b's
	 * clock is the one a sends */
	flow_vote *f1 = NULL, *f2 = NULL;
	for (size_t i = 0; i < nf; i++)
		if (!f1 || flows[i].n > f1->n)
			f1 = &flows[i];
	for (size_t i = 0; f1 && i < nf; i++)
		if (flows[i].src_a == f1->dst_a && flows[i].dst_a == f1->src_a &&
		    (!f2 || flows[i].n > f2->n))
			f2 = &flows[i];
	if (!f1 || !f2)
		return IKS_OK; /* one direction only: cannot tell */
	double m[2];
	for (int k = 0; k < 2; k++) {
		flow_vote *f = k ? f2 : f1;
		double *d = malloc((f->n + 1) * sizeof(*d));
		if (!d)
			return IKS_E_NOMEM;
		size_t n = 0;
		for (size_t i = 0; i < ns; i++)
			if ((s[i].ipsec || !ipsec_only) && in_flow(&s[i], f) && n < f->n)
				d[n++] = (double)(s[i].tb - s[i].ta);
		m[k] = corr_median(d, n);
		free(d);
	}
	set_hosts(c, m[0] >= m[1] ? f1 : f2, "timing");
	return IKS_OK;
}

static iks_status hosts_from_pairs(corr_ctx *c, const corr_sample *s, size_t ns, bool ipsec_only)
{
	flow_vote *flows = malloc(PAIRS_MAX * sizeof(*flows));
	pair_index *ix = calloc(1, sizeof(*ix));
	iks_status st = flows && ix ? hosts_vote(c, s, ns, ipsec_only, flows, ix) : IKS_E_NOMEM;
	free(flows);
	free(ix);
	return st;
}

/* An address pair's IPsec packets in one capture. */
typedef struct ep_pair {
	uint16_t x, y;          /* x < y */
	uint64_t n;
	uint64_t unrouted[2];   /* packets from x / y with a TTL a host starts with */
} ep_pair;


static bool unrouted_ttl(uint8_t ttl)
{
	return ttl == 64 || ttl == 128 || ttl == 255 || ttl == 32;
}

static void ep_count(ep_pair *e, pair_index *ix, uint16_t src, uint16_t dst, uint8_t ttl)
{
	uint16_t x = src < dst ? src : dst, y = src < dst ? dst : src;
	bool made;
	size_t i = pair_entry(ix, (uint64_t)x << 16 | y, &made);
	if (i == SIZE_MAX)
		return;
	if (made) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].x = x;
		e[i].y = y;
	}
	e[i].n++;
	if (unrouted_ttl(ttl))
		e[i].unrouted[src == x ? 0 : 1]++;
}

/* The busiest IPsec address pair of a trace: 1, 0 when none, -1 when out
 * of memory. Packets of pairs past PAIRS_MAX are added to *refused. */
static int busiest_ipsec(const iks_trace *t, ep_pair *out, uint64_t *refused)
{
	ep_pair *e = malloc(PAIRS_MAX * sizeof(*e));
	pair_index *ix = calloc(1, sizeof(*ix));
	if (!e || !ix) {
		free(e);
		free(ix);
		return -1;
	}
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (ipsec_kind(u->kind))
			ep_count(e, ix, u->addr_src, u->addr_dst, u->ttl);
	}
	for (size_t i = 0; i < t->nfrags; i++)
		if (ipsec_frag(&t->frags[i]))
			ep_count(e, ix, t->frags[i].addr_src, t->frags[i].addr_dst, t->frags[i].ttl);
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < ix->n; i++)
		if (best == SIZE_MAX || e[i].n > e[best].n)
			best = i;
	if (best != SIZE_MAX)
		*out = e[best];
	*refused += ix->refused;
	free(e);
	free(ix);
	return best != SIZE_MAX;
}

/* Index of address a in trace t, or UINT32_MAX. */
static uint32_t find_addr(const iks_trace *t, const iks_addr *a)
{
	for (uint32_t i = 0; i < t->naddrs; i++)
		if (!memcmp(&t->addrs[i], a, sizeof(*a)))
			return i;
	return UINT32_MAX;
}

/* Which of an IPsec pair is the capture's own host: the one sending with
 * an unrouted TTL while the other does not; else the one the other capture
 * does not hold (the far end's address is the one both captures share);
 * -1 when nothing says. */
static int own_end(const iks_trace *t, const ep_pair *e, const iks_trace *other)
{
	if (e->unrouted[0] && !e->unrouted[1])
		return 0;
	if (e->unrouted[1] && !e->unrouted[0])
		return 1;
	bool hx = find_addr(other, trace_addr(t, e->x)) != UINT32_MAX;
	bool hy = find_addr(other, trace_addr(t, e->y)) != UINT32_MAX;
	if (hx != hy)
		return hx ? 1 : 0;
	return -1;
}

/* Nothing IPsec crossed: each capture's IPsec endpoints on their own. The
 * ends are known when the captures share an IPsec endpoint address. */
static iks_status hosts_without_pairs(corr_ctx *c)
{
	ep_pair e[2];
	bool have[2];
	for (int s = 0; s < 2; s++) {
		int b = busiest_ipsec(c->t[s], &e[s], &c->hosts_refused);
		if (b < 0)
			return IKS_E_NOMEM;
		have[s] = b > 0;
	}
	int s = have[0] ? 0 : 1; /* the capture whose IPsec pair decides */
	if (!have[s])
		return IKS_OK;
	int r = 1 - s;
	int own = own_end(c->t[s], &e[s], c->t[r]);
	if (own < 0 && have[r]) {
		/* the other capture's own end, if it says, is this one's peer */
		int o2 = own_end(c->t[r], &e[r], c->t[s]);
		if (o2 >= 0) {
			const iks_addr *mine = trace_addr(c->t[r], o2 ? e[r].y : e[r].x);
			uint32_t at = find_addr(c->t[s], mine);
			if (at == e[s].x)
				own = 1;
			else if (at == e[s].y)
				own = 0;
		}
	}
	if (own < 0)
		return IKS_OK;
	uint32_t host_s = own ? e[s].y : e[s].x, peer_s = own ? e[s].x : e[s].y;
	/* the far end as capture r knows it: the same address (no NAT), or
	 * r's own IPsec end */
	uint32_t host_r = find_addr(c->t[r], trace_addr(c->t[s], peer_s));
	uint32_t peer_r = find_addr(c->t[r], trace_addr(c->t[s], host_s));
	if (host_r == UINT32_MAX && have[r] && peer_r != UINT32_MAX &&
	    (peer_r == e[r].x || peer_r == e[r].y)) {
		/* the far end behind NAT: r's IPsec pair names s's host */
		int o2 = own_end(c->t[r], &e[r], c->t[s]);
		if (o2 >= 0 && (o2 ? e[r].x : e[r].y) == peer_r) {
			host_r = o2 ? e[r].y : e[r].x;
			peer_r = o2 ? e[r].x : e[r].y;
		}
	}
	if (host_r == UINT32_MAX)
		return IKS_OK; /* no IPsec endpoint in common */
	c->hosts_known = true;
	c->host[s] = host_s;
	c->peer[s] = peer_s;
	c->host[r] = host_r;
	c->peer[r] = peer_r; /* UINT32_MAX when s's host never reached r */
	c->out->ends.method = "ipsec-endpoints";
	return IKS_OK;
}

/* A hop of a longer path whose TTLs and timing do not tell the ends apart
 * (traffic one way only, no router): the hop before named them in trace a. */
static void hosts_from_hint(corr_ctx *c, const corr_sample *s, size_t ns)
{
	const corr_hints *h = c->hints;
	uint32_t ha = find_addr(c->t[0], &h->a_in_a), hb = find_addr(c->t[0], &h->b_in_a);
	if (ha == UINT32_MAX || hb == UINT32_MAX)
		return;
	/* any pair between the two addresses: the hint names the IPsec ends
	 * (non-first fragments, which carry no ports, may be all that crossed) */
	for (size_t i = 0; i < ns; i++) {
		flow_vote f;
		memset(&f, 0, sizeof(f));
		if (s[i].src_a == ha && s[i].dst_a == hb) {
			f.src_a = s[i].src_a;
			f.dst_a = s[i].dst_a;
			f.src_b = s[i].src_b;
			f.dst_b = s[i].dst_b;
		} else if (s[i].src_a == hb && s[i].dst_a == ha) {
			f.src_a = s[i].dst_a;
			f.dst_a = s[i].src_a;
			f.src_b = s[i].dst_b;
			f.dst_b = s[i].src_b;
		} else {
			continue;
		}
		set_hosts(c, &f, "path-order");
		return;
	}
}

iks_status corr_learn_hosts(corr_ctx *c, const corr_sample *s, size_t ns)
{
	iks_status st = hosts_from_pairs(c, s, ns, true);
	if (st == IKS_OK && !c->hosts_known && c->hints && c->hints->have_ends)
		hosts_from_hint(c, s, ns);
	if (st == IKS_OK && !c->hosts_known)
		st = hosts_without_pairs(c);
	/* no IPsec in either capture at all (a plain path test, pings): then,
	 * and only then, the other traffic says who is who */
	ep_pair e;
	uint64_t ignored = 0;
	if (st == IKS_OK && !c->hosts_known) {
		int b0 = busiest_ipsec(c->t[0], &e, &ignored);
		int b1 = b0 ? b0 : busiest_ipsec(c->t[1], &e, &ignored);
		if (b0 < 0 || b1 < 0)
			st = IKS_E_NOMEM;
		else if (!b0 && !b1)
			st = hosts_from_pairs(c, s, ns, false);
	}
	if (st == IKS_OK && c->hosts_refused) {
		iks_finding *f = corr_add_finding(c, IKS_FIND_LIMIT, IKS_SEV_WARNING, IKS_DIR_UNKNOWN);
		if (f) {
			f->explain = "more address pairs than the choice of the two hosts weighs (4,096): "
				     "this many packets of the later ones were not counted, and the hosts "
				     "were chosen among the rest";
			f->count = c->hosts_refused > UINT32_MAX ? UINT32_MAX : (uint32_t)c->hosts_refused;
		}
	}
	return st;
}

void corr_assign_roles(corr_ctx *c)
{
	for (int s = 0; s < 2; s++) {
		const iks_trace *t = c->t[s];
		for (size_t i = 0; i < t->nunits; i++) {
			const trace_unit *u = &t->units[i];
			uint8_t r = ROLE_OTHER;
			if (u->addr_src == c->host[s] && u->addr_dst == c->peer[s])
				r = ROLE_SENT;
			else if (u->addr_src == c->peer[s] && u->addr_dst == c->host[s])
				r = ROLE_RECEIVED;
			else if (u->addr_dst == c->host[s])
				r = ROLE_TO_HOST;
			c->role[s][i] = r;
		}
	}
}

/* Direction of sample x between the hosts: 0 a->b, 1 b->a, -1 other. */
int corr_sample_dir(const corr_ctx *c, const corr_sample *x)
{
	if (x->src_a == c->host[0] && x->dst_a == c->peer[0] && x->src_b == c->peer[1] &&
	    x->dst_b == c->host[1])
		return 0;
	if (x->src_a == c->peer[0] && x->dst_a == c->host[0] && x->src_b == c->host[1] &&
	    x->dst_b == c->peer[1])
		return 1;
	return -1;
}
