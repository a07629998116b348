/*
 * corr_path.c - more than two points on one path (iks_correlate_points).
 *
 * 1. Each hop (point i against point i+1) is correlated as two captures
 *    are; a hop whose TTLs and timing cannot tell the ends apart takes
 *    them from the hop before.
 * 2. The order: every hop must see end a on the side of its first point.
 *    When one does not, the captures are sorted by what each pair says
 *    (which of the two is nearer end a) and the path is not analysed.
 * 3. Clocks: each point's offset and drift against P1, composed along the
 *    hops.
 * 4. A packet a hop lost that a point beyond the hop holds was not lost:
 *    the hop's next capture missed it. Such packets are marked, and the hop
 *    is correlated again with them not judged (a capture-check finding
 *    says so); a NAT rebinding seen on a hop that rewrites nothing is
 *    left to the hop that does.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/corr_fate.h"
#include "correlate/correlate_internal.h"

struct iks_path {
	size_t n;
	iks_path_point pt[IKS_PATH_POINTS_MAX];
	iks_path_hop hop[IKS_PATH_POINTS_MAX];
	iks_correlation *hops[IKS_PATH_POINTS_MAX];
	iks_correlation *ends;    /* P1 against PN (hops[0] when n == 2) */
	bool in_order;
	size_t order[IKS_PATH_POINTS_MAX];
};

static bool addr_eq(const iks_addr *x, const iks_addr *y)
{
	return !memcmp(x, y, sizeof(*x));
}

/* Which of a pair's captures is nearer end a (named by its address E in
 * P1, or end b's F): +1 its first, -1 its second, 0 not known. */
static int orientation(const iks_correlation *c, const iks_addr *e, const iks_addr *f)
{
	const iks_endpoints *x = &c->ends;
	/* only TTLs and timing say which capture is nearer which end (the
	 * IPsec endpoints alone, or the hop before, do not) */
	if (!x->known || !x->method || (strcmp(x->method, "ttl") && strcmp(x->method, "timing")))
		return 0;
	if (addr_eq(&x->a_in_a, e) || addr_eq(&x->b_in_a, f) || addr_eq(&x->a_in_b, e) ||
	    addr_eq(&x->b_in_b, f))
		return 1;
	if (addr_eq(&x->a_in_a, f) || addr_eq(&x->b_in_a, e) || addr_eq(&x->a_in_b, f) ||
	    addr_eq(&x->b_in_b, e))
		return -1;
	return 0;
}

/* Step 2: the order the captures show, by insertion with pairwise
 * correlations (n is small). */
static iks_status seen_order(iks_path *p, const iks_trace *const *t,
			     const iks_correlate_options *opt, const iks_addr *e, const iks_addr *f)
{
	for (size_t i = 0; i < p->n; i++)
		p->order[i] = i;
	for (size_t i = 1; i < p->n; i++) {
		size_t j = i;
		while (j > 0) {
			iks_correlation *c = NULL;
			iks_status st = corr_run(t[p->order[j - 1]], t[p->order[j]], opt, NULL, &c);
			if (st != IKS_OK)
				return st;
			int o = orientation(c, e, f);
			iks_correlation_free(c);
			if (o >= 0)
				break;
			size_t x = p->order[j - 1];
			p->order[j - 1] = p->order[j];
			p->order[j] = x;
			j--;
		}
	}
	/* read from the end the first given capture is nearer */
	size_t first = 0, last = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (p->order[i] == 0)
			first = i;
		if (p->order[i] == p->n - 1)
			last = i;
	}
	if (first > last)
		for (size_t i = 0; i < p->n / 2; i++) {
			size_t x = p->order[i];
			p->order[i] = p->order[p->n - 1 - i];
			p->order[p->n - 1 - i] = x;
		}
	return IKS_OK;
}

/* Step 3: each point's clock against P1. */
static void compose_clocks(iks_path *p, const iks_trace *const *t)
{
	iks_trace_info info;
	for (size_t i = 0; i < p->n; i++) {
		iks_trace_get_info(t[i], &info);
		p->pt[i].first_s = (double)info.first_ns / 1e9;
		p->pt[i].last_s = (double)info.last_ns / 1e9;
	}
	double t1 = (double)t[0]->info.first_ns, ti = t1, rate = 1;
	p->pt[0].clock_known = true;
	for (size_t i = 0; i + 1 < p->n; i++) {
		const iks_correlation *c = p->hops[i];
		if (!p->pt[i].clock_known || !c->clock.known || !c->fates)
			break;
		const corr_fates *fa = c->fates;
		ti = ti + fa->offset_ns + fa->drift * (ti - fa->t0_ns);
		rate *= 1 + fa->drift;
		p->pt[i + 1].clock_known = true;
		p->pt[i + 1].offset_s = (ti - t1) / 1e9;
		p->pt[i + 1].drift_ppm = (rate - 1) * 1e6;
	}
}

/* Where and how closely a packet point s holds should be at point k: its
 * time moved by the composed clock offsets plus the one-way delays of the
 * hops between (what a sends crosses them a->b), within the sum of their
 * match windows; without clocks, the same instant within the option's
 * window. */
typedef struct expect {
	double at_ns, window_ns;
} expect;

static expect expected_at(const iks_path *p, size_t s, size_t k, double ts, double dflt_ns)
{
	expect e = { ts, dflt_ns };
	if (!p->pt[s].clock_known || !p->pt[k].clock_known)
		return e;
	size_t lo = s < k ? s : k, hi = s < k ? k : s;
	double delay = 0, window = 0;
	for (size_t h = lo; h < hi; h++) {
		const iks_clock_estimate *ce = &p->hops[h]->clock;
		if (!ce->known)
			return e;
		double d = s < k ? ce->delay_ab_s : ce->delay_ba_s;
		delay += isfinite(d) ? d : 0;
		window += ce->window_s;
	}
	e.at_ns = ts + (p->pt[k].offset_s - p->pt[s].offset_s + delay) * 1e9;
	e.window_ns = window * 1e9;
	return e;
}

typedef struct frame_idx {
	uint64_t first_frame;
	uint32_t idx;
} frame_idx;

static int cmp_frame_idx(const void *x, const void *y)
{
	const frame_idx *a = x, *b = y;
	return a->first_frame < b->first_frame ? -1 : a->first_frame > b->first_frame;
}

/* The unit of t a lost-list entry names; UINT32_MAX if none. */
static uint32_t unit_of(const iks_trace *t, const frame_idx *fi, const iks_lost_packet *l)
{
	size_t lo = 0, hi = t->nunits;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fi[mid].first_frame < l->first_frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < t->nunits && fi[k].first_frame == l->first_frame; k++) {
		const trace_unit *u = &t->units[fi[k].idx];
		if (u->frame == l->last_frame && u->ip_id == l->ip_id)
			return fi[k].idx;
	}
	return UINT32_MAX;
}

/* Whether point k holds a copy of unit u of point s (same identity, near
 * its expected time there). */
static bool held_at(const iks_path *p, const keyed *keys, size_t nkeys, size_t k, size_t s,
		    const trace_unit *u, double dflt_ns)
{
	size_t lo = 0, hi = nkeys;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (keys[mid].key < u->key)
			lo = mid + 1;
		else
			hi = mid;
	}
	expect e = expected_at(p, s, k, (double)u->ts, dflt_ns);
	for (size_t j = lo; j < nkeys && keys[j].key == u->key; j++)
		if (fabs((double)keys[j].ts - e.at_ns) <= e.window_ns)
			return true;
	return false;
}

/* Step 4: mark what hop i lost that a point beyond it holds; true if any. */
static iks_status mark_beyond(const iks_path *p, const iks_trace *const *t, size_t i,
			      double window_ns, uint8_t *mask[2], bool *any)
{
	*any = false;
	for (int side = 0; side < 2; side++) {
		const iks_lost_packet *lost;
		size_t nl = iks_correlation_lost(p->hops[i], side, &lost);
		if (!nl)
			continue;
		size_t s = side ? i + 1 : i;  /* the sending point */
		size_t nx = side ? i : i + 1; /* the point it did not reach */
		const iks_trace *ts = t[s];
		frame_idx *fi = malloc((ts->nunits ? ts->nunits : 1) * sizeof(*fi));
		if (!fi)
			return IKS_E_NOMEM;
		for (size_t k = 0; k < ts->nunits; k++) {
			fi[k].first_frame = ts->units[k].first_frame;
			fi[k].idx = (uint32_t)k;
		}
		qsort(fi, ts->nunits, sizeof(*fi), cmp_frame_idx);
		/* the points beyond the hop, in the direction of travel */
		for (size_t step = 2; step < p->n; step++) {
			size_t k;
			if (side == 0) {
				if (i + step >= p->n)
					break;
				k = i + step;
			} else {
				if (i + 1 < step)
					break;
				k = i + 1 - step;
			}
			size_t nkeys, nnext;
			keyed *keys = corr_sorted_keys(t[k], false, NULL, 0, &nkeys);
			keyed *next = corr_sorted_keys(t[nx], false, NULL, 0, &nnext);
			if (!keys || !next) {
				free(keys);
				free(next);
				free(fi);
				return IKS_E_NOMEM;
			}
			for (size_t l = 0; l < nl; l++) {
				uint32_t ui = unit_of(ts, fi, &lost[l]);
				if (ui == UINT32_MAX || mask[side][ui])
					continue;
				/* a copy beyond, and nothing like it at the next point
				 * (byte-identical repeats, such as IKE retransmits or TCP
				 * segments with IP ID 0, would make the copy another
				 * packet's) */
				const trace_unit *u = &ts->units[ui];
				if (held_at(p, keys, nkeys, k, s, u, window_ns) &&
				    !held_at(p, next, nnext, nx, s, u, window_ns)) {
					mask[side][ui] = 1;
					*any = true;
				}
			}
			free(keys);
			free(next);
		}
		free(fi);
	}
	return IKS_OK;
}

static bool has_rebind(const iks_correlation *c, char side)
{
	for (size_t k = 0; k < c->nfinds; k++)
		if (c->finds[k].kind == IKS_FIND_NAT_REBIND && c->finds[k].side == side)
			return true;
	return false;
}

static void hop_facts(iks_path_hop *h, const iks_correlation *c)
{
	const iks_endpoints *e = &c->ends;
	h->ttl_drop_ab = c->ttl_drop[0];
	h->ttl_drop_ba = c->ttl_drop[1];
	if (!e->known)
		return;
	h->nat_a = !addr_eq(&e->a_in_a, &e->a_in_b) || e->a_port_in_a != e->a_port_in_b ||
		   e->a_natt_port_in_a != e->a_natt_port_in_b;
	h->nat_b = !addr_eq(&e->b_in_a, &e->b_in_b) || e->b_port_in_a != e->b_port_in_b ||
		   e->b_natt_port_in_a != e->b_natt_port_in_b;
}

/* Step 1 for hop i: its hints from the hop before. */
static void hint_ends(const iks_path *p, size_t i, corr_hints *h)
{
	h->middle = true;
	if (i == 0 || !p->hops[i - 1]->ends.known)
		return;
	h->have_ends = true;
	h->a_in_a = p->hops[i - 1]->ends.a_in_b;
	h->b_in_a = p->hops[i - 1]->ends.b_in_b;
}

/* Step 4 for every hop: incomplete captures and NAT rebinding placed. */
static iks_status place_on_hops(iks_path *p, const iks_trace *const *t,
				const iks_correlate_options *opt)
{
	size_t nh = p->n - 1;
	iks_correlate_options o;
	iks_correlate_options_default(&o);
	if (opt && opt->match_window_s > 0)
		o.match_window_s = opt->match_window_s;
	bool rewrites_rebind[2] = { false, false };
	for (size_t i = 0; i < nh; i++)
		for (int s = 0; s < 2; s++)
			if (has_rebind(p->hops[i], s ? 'b' : 'a') &&
			    (s ? p->hop[i].nat_b : p->hop[i].nat_a))
				rewrites_rebind[s] = true;
	iks_status st = IKS_OK;
	for (size_t i = 0; i < nh && st == IKS_OK; i++) {
		uint8_t *mask[2];
		mask[0] = calloc(t[i]->nunits ? t[i]->nunits : 1, 1);
		mask[1] = calloc(t[i + 1]->nunits ? t[i + 1]->nunits : 1, 1);
		bool any = false;
		if (!mask[0] || !mask[1])
			st = IKS_E_NOMEM;
		if (st == IKS_OK)
			st = mark_beyond(p, t, i, o.match_window_s * 1e9, mask, &any);
		corr_hints h;
		memset(&h, 0, sizeof(h));
		hint_ends(p, i, &h);
		h.no_rebind = (rewrites_rebind[0] && has_rebind(p->hops[i], 'a') && !p->hop[i].nat_a) ||
			      (rewrites_rebind[1] && has_rebind(p->hops[i], 'b') && !p->hop[i].nat_b);
		if (st == IKS_OK && (any || h.no_rebind)) {
			h.beyond[0] = mask[0];
			h.beyond[1] = mask[1];
			iks_correlation *c = NULL;
			st = corr_run(t[i], t[i + 1], opt, &h, &c);
			if (st == IKS_OK) {
				iks_correlation_free(p->hops[i]);
				p->hops[i] = c;
			}
		}
		free(mask[0]);
		free(mask[1]);
	}
	for (size_t i = 0; i < nh; i++) {
		p->pt[i + 1].incomplete += p->hops[i]->beyond[0];
		p->pt[i].incomplete += p->hops[i]->beyond[1];
	}
	return st;
}

iks_status iks_correlate_points(const iks_trace *const *traces, size_t n,
				const iks_correlate_options *opt, iks_path **out)
{
	if (!out)
		return IKS_E_INVALID;
	*out = NULL;
	if (!traces || n < 2 || n > IKS_PATH_POINTS_MAX)
		return IKS_E_INVALID;
	for (size_t i = 0; i < n; i++)
		if (!traces[i])
			return IKS_E_INVALID;
	/* the hops' frame fates compose the points' clocks and fates */
	iks_correlate_options own;
	if (opt && opt->no_frame_fates) {
		own = *opt;
		own.no_frame_fates = false;
		opt = &own;
	}
	iks_path *p = calloc(1, sizeof(*p));
	if (!p)
		return IKS_E_NOMEM;
	p->n = n;
	p->in_order = true;
	for (size_t i = 0; i < n; i++)
		p->order[i] = i;
	iks_status st = IKS_OK;
	for (size_t i = 0; i + 1 < n && st == IKS_OK; i++) {
		corr_hints h;
		memset(&h, 0, sizeof(h));
		hint_ends(p, i, &h);
		st = corr_run(traces[i], traces[i + 1], opt, &h, &p->hops[i]);
	}
	const iks_endpoints *e0 = st == IKS_OK ? &p->hops[0]->ends : NULL;
	for (size_t i = 1; st == IKS_OK && e0->known && i + 1 < n; i++)
		if (orientation(p->hops[i], &e0->a_in_a, &e0->b_in_a) < 0)
			p->in_order = false;
	if (st == IKS_OK && !p->in_order)
		st = seen_order(p, traces, opt, &e0->a_in_a, &e0->b_in_a);
	if (st == IKS_OK && p->in_order) {
		compose_clocks(p, traces);
		for (size_t i = 0; i + 1 < n; i++)
			hop_facts(&p->hop[i], p->hops[i]);
		st = place_on_hops(p, traces, opt);
		for (size_t i = 0; st == IKS_OK && i + 1 < n; i++)
			hop_facts(&p->hop[i], p->hops[i]);
	}
	for (size_t i = 0; st == IKS_OK && i < n; i++) {
		const iks_endpoints *e = &p->hops[i + 1 < n ? i : i - 1]->ends;
		p->pt[i].hosts_known = e->known;
		p->pt[i].a = i + 1 < n ? e->a_in_a : e->a_in_b;
		p->pt[i].b = i + 1 < n ? e->b_in_a : e->b_in_b;
	}
	if (st == IKS_OK && p->in_order)
		st = n == 2 ? IKS_OK : corr_run(traces[0], traces[n - 1], opt, NULL, &p->ends);
	if (st != IKS_OK) {
		iks_path_free(p);
		return st;
	}
	*out = p;
	return IKS_OK;
}

size_t iks_path_points(const iks_path *p)
{
	return p ? p->n : 0;
}

const iks_path_point *iks_path_point_get(const iks_path *p, size_t i)
{
	return p && i < p->n ? &p->pt[i] : NULL;
}

const iks_path_hop *iks_path_hop_get(const iks_path *p, size_t hop)
{
	return p && hop + 1 < p->n ? &p->hop[hop] : NULL;
}

const iks_correlation *iks_path_hop_correlation(const iks_path *p, size_t hop)
{
	return p && hop + 1 < p->n ? p->hops[hop] : NULL;
}

iks_status iks_path_use_log(iks_path *p, int end, const iks_log *log, const iks_log_join *join)
{
	if (!p || !p->ends)
		return IKS_E_INVALID;
	return iks_correlation_use_log(p->ends, end, log, join);
}

const iks_correlation *iks_path_end_to_end(const iks_path *p)
{
	if (!p)
		return NULL;
	return p->ends ? p->ends : p->hops[0];
}

int iks_path_finding_hop(const iks_path *p, const iks_finding *f)
{
	if (!p || !f)
		return -1;
	/* by address, as integers: f may be from any array (or none) */
	uintptr_t x = (uintptr_t)f;
	for (size_t h = 0; h + 1 < p->n; h++) {
		const iks_correlation *c = p->hops[h];
		uintptr_t lo = (uintptr_t)c->finds;
		if (c->nfinds && x >= lo && x - lo < c->nfinds * sizeof(iks_finding) &&
		    (x - lo) % sizeof(iks_finding) == 0)
			return (int)h;
	}
	return -1;
}

bool iks_path_order(const iks_path *p, const size_t **order)
{
	if (!p)
		return false;
	if (order)
		*order = p->order;
	return p->in_order;
}

void iks_path_free(iks_path *p)
{
	if (!p)
		return;
	for (size_t i = 0; i + 1 < p->n; i++)
		iks_correlation_free(p->hops[i]);
	iks_correlation_free(p->ends);
	free(p);
}
