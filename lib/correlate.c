/*
 * correlate.c - matching two traces of the same path.
 *
 * 1. Units whose exact identity occurs once in each trace are paired; they
 *    need no clock (retransmitted IKE messages, which repeat an identity,
 *    wait for step 4).
 * 2. Which end each capture was taken at is learned from those pairs: the
 *    copy seen by the sender has the higher TTL (routers decrement it); on
 *    a path without routers, the sender's copy is the earlier one, which
 *    shows as a larger b-minus-a time difference for what a sends than for
 *    what b sends.
 * 3. The clock offset is the midpoint of the median differences of the two
 *    directions (their half-difference is the one-way delay), with a drift
 *    fitted by least squares; only the time both captures cover is judged.
 * 4. Every unit a host sent is then looked for at the other end, by exact
 *    identity within a small window around its expected arrival, then by
 *    loose identity (same packet, changed bytes).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "correlate_internal.h"

void iks_correlate_options_default(iks_correlate_options *opt)
{
	if (!opt)
		return;
	opt->end_margin_s = 0.5;
	opt->match_window_s = 2.0;
	opt->negotiations_max = 100000;
	opt->findings_max = 100000;
	opt->groups_max = 200000;
}

typedef struct keyed {
	uint64_t key;
	int64_t ts;
	uint32_t idx;
} keyed;

static int cmp_keyed(const void *x, const void *y)
{
	const keyed *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : (a > b);
}

static double median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool matchable(const trace_unit *u)
{
	return u->kind != UNIT_ICMP_ERROR && u->kind != UNIT_INCOMPLETE;
}

/* Sorted (key, ts, index) of a trace's units that pass `want`. */
static keyed *sorted_keys(const iks_trace *t, bool use_loose, const uint8_t *role, int want_role,
			  size_t *n)
{
	keyed *k = malloc((t->nunits ? t->nunits : 1) * sizeof(*k));
	if (!k)
		return NULL;
	size_t m = 0;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (!matchable(u))
			continue;
		if (role && role[i] != want_role)
			continue;
		k[m].key = use_loose ? u->loose : u->key;
		k[m].ts = u->ts;
		k[m].idx = (uint32_t)i;
		m++;
	}
	qsort(k, m, sizeof(*k), cmp_keyed);
	*n = m;
	return k;
}

typedef struct pair {
	uint32_t a, b;
} pair;

/* Step 1: identities that occur exactly once on each side. */
static pair *unique_pairs(const corr_ctx *c, size_t *npairs)
{
	size_t na, nb;
	keyed *ka = sorted_keys(c->t[0], false, NULL, 0, &na);
	keyed *kb = sorted_keys(c->t[1], false, NULL, 0, &nb);
	pair *p = malloc(((na < nb ? na : nb) + 1) * sizeof(*p));
	size_t n = 0;
	if (ka && kb && p) {
		size_t i = 0, j = 0;
		while (i < na && j < nb) {
			if (ka[i].key < kb[j].key) {
				i++;
				continue;
			}
			if (ka[i].key > kb[j].key) {
				j++;
				continue;
			}
			size_t ie = i, je = j;
			while (ie < na && ka[ie].key == ka[i].key)
				ie++;
			while (je < nb && kb[je].key == kb[j].key)
				je++;
			if (ie - i == 1 && je - j == 1) {
				p[n].a = ka[i].idx;
				p[n].b = kb[j].idx;
				n++;
			}
			i = ie;
			j = je;
		}
	}
	free(ka);
	free(kb);
	if (!p)
		return NULL;
	*npairs = n;
	return p;
}

/* Step 2: which addresses are the two hosts, in each capture. */
typedef struct flow_vote {
	uint32_t src_a, dst_a, src_b, dst_b;
	uint64_t ttl_sent_by_a, ttl_sent_by_b, n;
	double *diffs;
	size_t ndiffs;
} flow_vote;

#define MAX_FLOWS 64

static flow_vote *find_flow(flow_vote *f, size_t *nf, const trace_unit *ua, const trace_unit *ub)
{
	for (size_t i = 0; i < *nf; i++)
		if (f[i].src_a == ua->addr_src && f[i].dst_a == ua->addr_dst &&
		    f[i].src_b == ub->addr_src && f[i].dst_b == ub->addr_dst)
			return &f[i];
	if (*nf == MAX_FLOWS)
		return NULL;
	flow_vote *v = &f[(*nf)++];
	memset(v, 0, sizeof(*v));
	v->src_a = ua->addr_src;
	v->dst_a = ua->addr_dst;
	v->src_b = ub->addr_src;
	v->dst_b = ub->addr_dst;
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

static iks_status learn_hosts(corr_ctx *c, const pair *p, size_t np)
{
	flow_vote flows[MAX_FLOWS];
	size_t nf = 0;
	for (size_t i = 0; i < np; i++) {
		const trace_unit *ua = &c->t[0]->units[p[i].a], *ub = &c->t[1]->units[p[i].b];
		flow_vote *v = find_flow(flows, &nf, ua, ub);
		if (!v)
			continue;
		v->n++;
		if (ua->ttl > ub->ttl)
			v->ttl_sent_by_a++;
		else if (ua->ttl < ub->ttl)
			v->ttl_sent_by_b++;
	}
	/* the busiest flow whose TTLs say who sent it */
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
		double *d = malloc(f->n * sizeof(*d));
		if (!d)
			return IKS_E_NOMEM;
		size_t n = 0;
		for (size_t i = 0; i < np; i++) {
			const trace_unit *ua = &c->t[0]->units[p[i].a], *ub = &c->t[1]->units[p[i].b];
			if (ua->addr_src == f->src_a && ua->addr_dst == f->dst_a &&
			    ub->addr_src == f->src_b && ub->addr_dst == f->dst_b && n < f->n)
				d[n++] = (double)(ub->ts - ua->ts);
		}
		m[k] = median(d, n);
		free(d);
	}
	set_hosts(c, m[0] >= m[1] ? f1 : f2, "timing");
	return IKS_OK;
}

static void assign_roles(corr_ctx *c)
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

/* Step 3: offset, delays, drift. */
static iks_status estimate_clock(corr_ctx *c, const pair *p, size_t np)
{
	iks_clock_estimate *ce = &c->out->clock;
	double *d[2];
	size_t n[2] = { 0, 0 };
	d[0] = malloc((np + 1) * sizeof(double));
	d[1] = malloc((np + 1) * sizeof(double));
	if (!d[0] || !d[1]) {
		free(d[0]);
		free(d[1]);
		return IKS_E_NOMEM;
	}
	for (size_t i = 0; i < np; i++) {
		int dir = c->role[0][p[i].a] == ROLE_SENT ? 0 : c->role[0][p[i].a] == ROLE_RECEIVED ? 1 : -1;
		if (dir < 0 || (dir == 0 && c->role[1][p[i].b] != ROLE_RECEIVED) ||
		    (dir == 1 && c->role[1][p[i].b] != ROLE_SENT))
			continue;
		d[dir][n[dir]++] = (double)(c->t[1]->units[p[i].b].ts - c->t[0]->units[p[i].a].ts);
	}
	double m0 = median(d[0], n[0]), m1 = median(d[1], n[1]);
	if (n[0] && n[1]) {
		c->offset_ns = (m0 + m1) / 2;
		c->delay_ns[0] = (m0 - m1) / 2;
		c->delay_ns[1] = (m0 - m1) / 2;
	} else if (n[0] || n[1]) {
		c->offset_ns = n[0] ? m0 : m1;
	}
	ce->known = n[0] + n[1] > 0;
	ce->matches = n[0] + n[1];
	ce->matches_ab = n[0];
	ce->matches_ba = n[1];
	c->t0_ns = (double)c->t[0]->info.first_ns;

	/* drift: least squares of the differences (less their direction's
	 * median) against a's time, over the captured span */
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	size_t cnt = 0;
	for (size_t i = 0; i < np; i++) {
		if (c->role[0][p[i].a] != ROLE_SENT && c->role[0][p[i].a] != ROLE_RECEIVED)
			continue;
		double x = (double)c->t[0]->units[p[i].a].ts - c->t0_ns;
		double y = (double)(c->t[1]->units[p[i].b].ts - c->t[0]->units[p[i].a].ts) -
			   (c->role[0][p[i].a] == ROLE_SENT ? m0 : m1);
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		cnt++;
	}
	double den = (double)cnt * sxx - sx * sx;
	double span = (double)(c->t[0]->info.last_ns - c->t[0]->info.first_ns);
	double slope = 0, icpt = 0;
	if (cnt >= 20 && den > 0 && span >= 60e9) {
		slope = ((double)cnt * sxy - sx * sy) / den;
		icpt = (sy - slope * sx) / (double)cnt;
	}
	/* spread: median absolute residual once offset (and drift) are taken out */
	double *dev = malloc((n[0] + n[1] + 1) * sizeof(double));
	double spread_fit = 0, spread_flat = 0;
	if (dev) {
		size_t nd = 0;
		for (size_t i = 0; i < np; i++) {
			uint8_t r = c->role[0][p[i].a];
			if (r != ROLE_SENT && r != ROLE_RECEIVED)
				continue;
			double x = (double)c->t[0]->units[p[i].a].ts - c->t0_ns;
			double y = (double)(c->t[1]->units[p[i].b].ts - c->t[0]->units[p[i].a].ts) -
				   (r == ROLE_SENT ? m0 : m1);
			dev[nd++] = fabs(y - (slope * x + icpt));
		}
		spread_fit = median(dev, nd);
		nd = 0;
		for (size_t k = 0; k < 2; k++)
			for (size_t i = 0; i < n[k]; i++)
				dev[nd++] = fabs(d[k][i] - (k ? m1 : m0));
		spread_flat = median(dev, nd);
		free(dev);
	}
	/* keep a drift only when the data clearly shows one: over the capture
	 * it moves the clocks well beyond the scatter left around the fit */
	if (slope != 0 && fabs(slope) * span > 10 * spread_fit + 1e4) {
		c->drift = slope;
		c->offset_ns += icpt; /* the offset at the start of capture a */
		ce->spread_s = spread_fit / 1e9;
	} else {
		ce->spread_s = spread_flat / 1e9;
	}
	ce->offset_s = c->offset_ns / 1e9;
	ce->drift_ppm = c->drift * 1e6;
	ce->delay_ab_s = c->delay_ns[0] / 1e9;
	ce->delay_ba_s = c->delay_ns[1] / 1e9;
	double w = 20e6 + 10 * ce->spread_s * 1e9 + 2 * fabs(c->delay_ns[0]);
	if (w > c->opt.match_window_s * 1e9)
		w = c->opt.match_window_s * 1e9;
	c->window_ns = w;
	free(d[0]);
	free(d[1]);
	return IKS_OK;
}

double corr_to_a_clock(const corr_ctx *c, int side, int64_t ts)
{
	if (side == 0)
		return (double)ts;
	/* invert t_b = t_a + off + drift (t_a - t0) */
	return ((double)ts - c->offset_ns + c->drift * c->t0_ns) / (1 + c->drift);
}

double corr_expected_arrival(const corr_ctx *c, int side, int64_t ts)
{
	if (side == 0)
		return (double)ts + c->offset_ns + c->drift * ((double)ts - c->t0_ns) + c->delay_ns[0];
	double ta = corr_to_a_clock(c, 1, ts) + c->delay_ns[1];
	return ta;
}

bool corr_covered(const corr_ctx *c, int side, int64_t ts)
{
	double ta = corr_to_a_clock(c, side, ts);
	return ta >= (double)c->cover_from_ns &&
	       ta + c->opt.end_margin_s * 1e9 <= (double)c->cover_to_ns;
}

static void coverage(corr_ctx *c)
{
	const iks_trace *a = c->t[0], *b = c->t[1];
	double bf = corr_to_a_clock(c, 1, b->info.first_ns);
	double bl = corr_to_a_clock(c, 1, b->info.last_ns);
	c->cover_from_ns = (int64_t)((double)a->info.first_ns > bf ? (double)a->info.first_ns : bf);
	c->cover_to_ns = (int64_t)((double)a->info.last_ns < bl ? (double)a->info.last_ns : bl);
	c->out->ends.covered_from_s = (double)c->cover_from_ns / 1e9;
	c->out->ends.covered_to_s = (double)c->cover_to_ns / 1e9;
}

/* Step 4: each unit side s sent, looked for among what the other side received. */
static iks_status match_direction(corr_ctx *c, int s, bool loose)
{
	int r = 1 - s;
	size_t nr;
	keyed *kr = sorted_keys(c->t[r], loose, c->role[r], ROLE_RECEIVED, &nr);
	if (!kr)
		return IKS_E_NOMEM;
	const iks_trace *ts = c->t[s];
	for (size_t i = 0; i < ts->nunits; i++) {
		const trace_unit *u = &ts->units[i];
		if (c->role[s][i] != ROLE_SENT || !matchable(u) || c->match[s][i] != NO_MATCH)
			continue;
		uint64_t key = loose ? u->loose : u->key;
		/* first entry with this key */
		size_t lo = 0, hi = nr;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (kr[mid].key < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		double expect = corr_expected_arrival(c, s, u->ts);
		size_t best = SIZE_MAX;
		double best_err = c->window_ns;
		for (size_t j = lo; j < nr && kr[j].key == key; j++) {
			if (c->match[r][kr[j].idx] != NO_MATCH)
				continue;
			double err = fabs((double)kr[j].ts - expect);
			if (err <= best_err) {
				best_err = err;
				best = j;
			}
		}
		if (best == SIZE_MAX)
			continue;
		c->match[s][i] = kr[best].idx;
		c->match[r][kr[best].idx] = (uint32_t)i;
		if (loose) {
			c->modified[s][i] = 1;
			c->modified[r][kr[best].idx] = 1;
		}
	}
	free(kr);
	return IKS_OK;
}

/* Whether side s sent anything the exact pass did not find at the other end. */
static bool any_unmatched(const corr_ctx *c, int s)
{
	for (size_t i = 0; i < c->t[s]->nunits; i++)
		if (c->role[s][i] == ROLE_SENT && matchable(&c->t[s]->units[i]) &&
		    c->match[s][i] == NO_MATCH)
			return true;
	return false;
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

static void fill_endpoints(corr_ctx *c)
{
	iks_endpoints *e = &c->out->ends;
	if (!c->hosts_known)
		return;
	e->known = true;
	e->a_in_a = *trace_addr(c->t[0], c->host[0]);
	e->b_in_a = *trace_addr(c->t[0], c->peer[0]);
	e->b_in_b = *trace_addr(c->t[1], c->host[1]);
	e->a_in_b = *trace_addr(c->t[1], c->peer[1]);
	/* IKE ports of a matched IKE message sent by a */
	for (size_t i = 0; i < c->t[0]->nunits; i++) {
		const trace_unit *u = &c->t[0]->units[i];
		if (u->kind != UNIT_IKE || c->role[0][i] != ROLE_SENT || c->match[0][i] == NO_MATCH)
			continue;
		const trace_unit *v = &c->t[1]->units[c->match[0][i]];
		e->a_port_in_a = u->sport;
		e->b_port_in_a = u->dport;
		e->a_port_in_b = v->sport;
		e->b_port_in_b = v->dport;
		break;
	}
}

static void count_stats(corr_ctx *c)
{
	iks_correlation_stats *st = &c->out->stats;
	st->units_a = c->t[0]->nunits;
	st->units_b = c->t[1]->nunits;
}

iks_status iks_correlate(const iks_trace *a, const iks_trace *b, const iks_correlate_options *opt,
			 iks_correlation **out)
{
	if (!a || !b || !out)
		return IKS_E_INVALID;
	*out = NULL;
	corr_ctx c;
	memset(&c, 0, sizeof(c));
	c.t[0] = a;
	c.t[1] = b;
	iks_correlate_options_default(&c.opt);
	if (opt) {
		if (opt->end_margin_s > 0)
			c.opt.end_margin_s = opt->end_margin_s;
		if (opt->match_window_s > 0)
			c.opt.match_window_s = opt->match_window_s;
		if (opt->negotiations_max)
			c.opt.negotiations_max = opt->negotiations_max;
		if (opt->findings_max)
			c.opt.findings_max = opt->findings_max;
		if (opt->groups_max)
			c.opt.groups_max = opt->groups_max;
	}
	c.out = calloc(1, sizeof(*c.out));
	iks_status st = c.out ? IKS_OK : IKS_E_NOMEM;
	for (int s = 0; s < 2 && st == IKS_OK; s++) {
		size_t n = c.t[s]->nunits ? c.t[s]->nunits : 1;
		c.match[s] = malloc(n * sizeof(uint32_t));
		c.role[s] = calloc(n, 1);
		c.modified[s] = calloc(n, 1);
		if (!c.match[s] || !c.role[s] || !c.modified[s])
			st = IKS_E_NOMEM;
		else
			for (size_t i = 0; i < n; i++)
				c.match[s][i] = NO_MATCH;
	}
	size_t np = 0;
	pair *pairs = st == IKS_OK ? unique_pairs(&c, &np) : NULL;
	if (st == IKS_OK && !pairs)
		st = IKS_E_NOMEM;
	if (st == IKS_OK)
		st = learn_hosts(&c, pairs, np);
	if (st == IKS_OK && !c.hosts_known)
		c.out->clock.matches = np; /* in both captures, but the ends not told apart */
	if (st == IKS_OK && c.hosts_known) {
		assign_roles(&c);
		st = estimate_clock(&c, pairs, np);
	}
	free(pairs);
	if (st == IKS_OK) {
		coverage(&c);
		count_stats(&c);
	}
	if (st == IKS_OK && c.hosts_known && c.out->clock.known) {
		for (int s = 0; s < 2 && st == IKS_OK; s++)
			st = match_direction(&c, s, false);
		for (int s = 0; s < 2 && st == IKS_OK; s++)
			if (any_unmatched(&c, s))
				st = match_direction(&c, s, true);
		fill_endpoints(&c);
		if (st == IKS_OK)
			st = corr_negotiations(&c);
		if (st == IKS_OK)
			st = corr_findings(&c);
		if (st == IKS_OK)
			st = corr_groups(&c);
	}
	for (int s = 0; s < 2; s++) {
		free(c.match[s]);
		free(c.role[s]);
		free(c.modified[s]);
	}
	if (st != IKS_OK) {
		iks_correlation_free(c.out);
		return st;
	}
	*out = c.out;
	return IKS_OK;
}

const iks_clock_estimate *iks_correlation_clock(const iks_correlation *c)
{
	return c ? &c->clock : NULL;
}

const iks_endpoints *iks_correlation_endpoints(const iks_correlation *c)
{
	return c ? &c->ends : NULL;
}

size_t iks_correlation_negotiations(const iks_correlation *c, const iks_negotiation **arr)
{
	if (!c || !arr)
		return 0;
	*arr = c->negs;
	return c->nnegs;
}

size_t iks_correlation_findings(const iks_correlation *c, const iks_finding **arr)
{
	if (!c || !arr)
		return 0;
	*arr = c->finds;
	return c->nfinds;
}

size_t iks_correlation_lost(const iks_correlation *c, int side, const iks_lost_packet **lost)
{
	if (!c || !lost || side < 0 || side > 1)
		return 0;
	*lost = c->lost[side];
	return c->nlost[side];
}

void iks_correlation_get_stats(const iks_correlation *c, iks_correlation_stats *st)
{
	if (c && st)
		*st = c->stats;
}

void iks_correlation_free(iks_correlation *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nnegs; i++)
		free(c->negs[i].exchanges);
	free(c->negs);
	free(c->finds);
	free(c->lost[0]);
	free(c->lost[1]);
	corr_groups_free(c);
	free(c);
}
