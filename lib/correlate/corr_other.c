/*
 * corr_other.c - the loss of traffic that is not IPsec (issue 15, item 3).
 *
 * IPsec decides who a and b are; other traffic on the same path (DNS, TCP,
 * pings between other addresses, some of it fragmented) never chooses the
 * host pair, but its loss is evidence too. Each such packet is identified
 * by its addresses, protocol, IP ID and length (trace.c), so that IP IDs it
 * shares with IPsec packets do not matter. Copies pair in time order within
 * the match window. A flow's direction (which capture is upstream) is what
 * the TTLs of its paired copies say; a packet of a flow whose direction is
 * known, seen upstream, inside the coverage and not downstream, is lost.
 * Flows seen in one capture only are not judged: nothing says they cross
 * the path.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "core/hash.h"
#include "correlate/correlate_internal.h"

static bool other_unit(const corr_ctx *c, int s, size_t i)
{
	const trace_unit *u = &c->t[s]->units[i];
	if (u->kind != UNIT_OTHER && u->kind != UNIT_INCOMPLETE)
		return false;
	/* between the IPsec hosts: already judged as theirs */
	if ((u->addr_src == c->host[s] && u->addr_dst == c->peer[s]) ||
	    (u->addr_src == c->peer[s] && u->addr_dst == c->host[s]))
		return false;
	return true;
}

static uint64_t flow_hash(const iks_trace *t, const trace_unit *u)
{
	uint64_t h = h_bytes(IKS_FNV_OFFSET, (const uint8_t *)trace_addr(t, u->addr_src),
			     sizeof(iks_addr));
	return h_bytes(h, (const uint8_t *)trace_addr(t, u->addr_dst), sizeof(iks_addr));
}

/* identity: flow, protocol, IP ID (an incomplete datagram's size is not
 * known, so the size stays out; the time window separates reuse) */
static uint64_t other_key(const iks_trace *t, const trace_unit *u)
{
	return h_final(h_u64(flow_hash(t, u), (uint64_t)u->proto << 32 | u->ip_id));
}

static int cmp_lost(const void *x, const void *y)
{
	const iks_lost_packet *a = x, *b = y;
	if (a->first_frame != b->first_frame)
		return a->first_frame < b->first_frame ? -1 : 1;
	return a->last_frame < b->last_frame ? -1 : (a->last_frame > b->last_frame);
}

typedef struct ovote {
	uint64_t flow;
	uint32_t up_a, up_b;     /* pairs whose TTL says a / b is upstream */
} ovote;

#define MAX_OFLOWS 4096

static ovote *vote_for(ovote *v, size_t *nv, uint64_t flow)
{
	for (size_t i = 0; i < *nv; i++)
		if (v[i].flow == flow)
			return &v[i];
	if (*nv == MAX_OFLOWS)
		return NULL;
	ovote *x = &v[(*nv)++];
	memset(x, 0, sizeof(*x));
	x->flow = flow;
	return x;
}

/* One side's units of other traffic, in unit order. Keys carry the
 * ordinal (the place in this list) as their index, so that every array is
 * as long as the other traffic, not as the capture. */
typedef struct oside {
	keyed *k;
	uint32_t *unit;  /* ordinal -> unit index */
	uint32_t *match; /* ordinal -> the other side's ordinal, or NO_MATCH */
	size_t n;
} oside;

static void oside_free(oside *o)
{
	free(o->k);
	free(o->unit);
	free(o->match);
}

static bool oside_build(const corr_ctx *c, int s, oside *o)
{
	const iks_trace *t = c->t[s];
	size_t n = 0;
	for (size_t i = 0; i < t->nunits; i++)
		n += other_unit(c, s, i);
	o->n = n;
	o->k = big_malloc((n ? n : 1) * sizeof(keyed));
	o->unit = big_malloc((n ? n : 1) * sizeof(uint32_t));
	o->match = big_malloc((n ? n : 1) * sizeof(uint32_t));
	if (!o->k || !o->unit || !o->match)
		return false;
	size_t j = 0;
	for (size_t i = 0; i < t->nunits && j < n; i++) {
		if (!other_unit(c, s, i))
			continue;
		o->k[j].key = other_key(t, &t->units[i]);
		o->k[j].ts = t->units[i].ts_first;
		o->k[j].idx = (uint32_t)j;
		o->unit[j] = (uint32_t)i;
		o->match[j] = NO_MATCH;
		j++;
	}
	return true;
}

iks_status corr_other_traffic(corr_ctx *c)
{
	if (!c->out->clock.known)
		return IKS_OK;
	oside o[2];
	memset(o, 0, sizeof(o));
	ovote *votes = NULL;
	/* sort b by key, then time; look each a unit up */
	if (!oside_build(c, 0, &o[0]) || !oside_build(c, 1, &o[1]) ||
	    !(votes = calloc(MAX_OFLOWS, sizeof(*votes))) || !corr_sort_keyed(o[1].k, o[1].n)) {
		free(votes);
		oside_free(&o[0]);
		oside_free(&o[1]);
		return IKS_E_NOMEM;
	}
	size_t nv = 0;
	uint32_t refused = 0;
	/* pair: same identity, b's copy within the window of a's on b's clock
	 * (either direction: the delay is small against the window) */
	const keyed *ka = o[0].k, *kb = o[1].k;
	for (size_t x = 0; x < o[0].n; x++) {
		const trace_unit *ua = &c->t[0]->units[o[0].unit[x]];
		size_t lo = corr_keyed_lower(kb, o[1].n, ka[x].key);
		double at_b = corr_to_b_clock(c, (double)ua->ts_first);
		size_t best = SIZE_MAX;
		double best_err = c->window_ns;
		for (size_t y = lo; y < o[1].n && kb[y].key == ka[x].key; y++) {
			if (o[1].match[kb[y].idx] != NO_MATCH)
				continue;
			double err = fabs((double)kb[y].ts - at_b);
			if (err <= best_err) {
				best_err = err;
				best = y;
			}
		}
		if (best == SIZE_MAX)
			continue;
		const trace_unit *ub = &c->t[1]->units[o[1].unit[kb[best].idx]];
		o[0].match[x] = kb[best].idx;
		o[1].match[kb[best].idx] = (uint32_t)x;
		/* a complete copy's TTL says who is upstream */
		if (ua->kind == UNIT_INCOMPLETE || ub->kind == UNIT_INCOMPLETE || ua->ttl == ub->ttl)
			continue;
		ovote *v = vote_for(votes, &nv, flow_hash(c->t[0], ua));
		if (!v) {
			refused++; /* a flow past MAX_OFLOWS: not judged */
			continue;
		}
		if (ua->ttl > ub->ttl)
			v->up_a++;
		else
			v->up_b++;
	}
	if (refused) {
		iks_finding *f = corr_add_finding(c, IKS_FIND_LIMIT, IKS_SEV_WARNING, IKS_DIR_UNKNOWN);
		if (f) {
			f->explain = "more flows of other traffic than are judged (4,096): this many "
				     "packets of later flows, seen at both ends, were not used to judge "
				     "other traffic's loss";
			f->count = refused;
		}
	}
	/* judge: upstream units of flows whose direction is known */
	iks_correlation_stats *st = &c->out->stats;
	bool nomem = false;
	size_t added[2] = { 0, 0 };
	for (int s = 0; s < 2; s++) {
		const iks_trace *t = c->t[s];
		uint32_t lost = 0, sent = 0;
		const trace_unit *first = NULL;
		for (size_t x = 0; x < o[s].n; x++) {
			size_t i = o[s].unit[x];
			uint32_t mj = o[s].match[x];
			const trace_unit *u = &t->units[i];
			uint64_t fh = flow_hash(t, u);
			const ovote *v = NULL;
			for (size_t j = 0; j < nv; j++)
				if (votes[j].flow == fh)
					v = &votes[j];
			if (!v)
				continue;
			bool up = s == 0 ? v->up_a > v->up_b : v->up_b > v->up_a;
			if (!up)
				continue;
			if (u->kind == UNIT_INCOMPLETE)
				continue; /* never whole at its sender's side: the path before it */
			if (mj == NO_MATCH && !corr_covered(c, s, u->ts_first))
				continue;
			if (mj == NO_MATCH && corr_beyond(c, s, i))
				continue; /* the capture-check finding counts it */
			sent++;
			const trace_unit *w = NULL;
			if (mj != NO_MATCH) {
				w = &c->t[1 - s]->units[o[1 - s].unit[mj]];
				if (w->kind != UNIT_INCOMPLETE)
					continue;
			}
			if (!first)
				first = u;
			lost++;
			if (!corr_lost_add(c, s, u, w, IKS_LOST_OTHER))
				nomem = true;
			else
				added[s]++;
		}
		if (s == 0) {
			st->other_sent_ab += sent;
			st->other_lost_ab += lost;
		} else {
			st->other_sent_ba += sent;
			st->other_lost_ba += lost;
		}
		if (!lost)
			continue;
		iks_finding *f = corr_add_finding(c, IKS_FIND_PACKET_LOSS, IKS_SEV_WARNING,
						  s == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A);
		if (!f)
			continue;
		f->other_traffic = true;
		f->explain = "other traffic (not IPsec, between any addresses on the path) was lost "
			     "the same way: the path loses packets, not only IPsec";
		f->count = lost;
		f->total = sent;
		f->proto = first->proto;
		f->size = first->size;
		f->ip_id = first->ip_id;
		if (s == 0) {
			f->time_a_s = (double)first->ts_first / 1e9;
			f->frame_a = first->first_frame;
		} else {
			f->time_b_s = (double)first->ts_first / 1e9;
			f->frame_b = first->first_frame;
		}
	}
	free(votes);
	for (int s = 0; s < 2; s++) {
		oside_free(&o[s]);
		/* the lost list stays in frame order (only entries added here move) */
		if (added[s])
			qsort(c->out->lost[s], c->out->nlost[s], sizeof(iks_lost_packet), cmp_lost);
	}
	return nomem ? IKS_E_NOMEM : IKS_OK;
}
