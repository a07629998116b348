/*
 * corr_clock.c - step 3 of the correlation (see correlate.c): the clock
 * model between the captures, and the time both captures cover.
 *
 * Each sample is one packet seen at both ends: y = t_b - t_a at x = t_a.
 * For what a sends, y = offset(x) + delay >= offset(x); for what b sends,
 * y = offset(x) - delay <= offset(x). The clock line therefore lies above
 * the upper envelope of b's samples and below the lower envelope of a's.
 * Each envelope is the line of the linear programme of Moon, Skelly and
 * Towsley ("Estimation and removal of clock skew from network delay
 * measurements", INFOCOM 1999): the line under all points closest to them
 * in sum, which is the edge of their lower convex hull over the mean time
 * (Zhang, Liu and Xia, "Clock synchronization algorithms for network
 * measurements", INFOCOM 2002). The offset is the middle of the two lines
 * and its uncertainty half the gap between them; with one direction only
 * the offset includes that direction's smallest delay and the data does
 * not bound the error. A drift is kept whenever it moves the clocks over
 * the capture well beyond the scatter of the samples above their
 * envelopes (and both directions agree on it), however short the capture.
 * A clock step shows as both envelopes jumping together.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "core/par.h"
#include "correlate/correlate_internal.h"

typedef corr_pt pt;

static int cmp_pt(const void *p, const void *q)
{
	const pt *a = p, *b = q;
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	return a->y < b->y ? -1 : (a->y > b->y);
}

/* A double as an unsigned integer of the same order (finite values; -0.0
 * as 0.0, which compares equal to it). */
static uint64_t order_bits(double v)
{
	if (v == 0)
		v = 0.0;
	uint64_t b;
	memcpy(&b, &v, sizeof(b));
	return b >> 63 ? ~b : b | 1ull << 63;
}

#define PT_BITS 11
#define PT_DIGITS (1u << PT_BITS)
#define PT_PASSES ((64 + PT_BITS - 1) / PT_BITS)

/* Stable LSD radix passes over one coordinate (0: x, 1: y); the result ends
 * in p. false when out of memory. */
static bool radix_pts(pt *p, pt *tmp, size_t n, int coord)
{
	size_t *count = calloc((size_t)PT_PASSES * PT_DIGITS, sizeof(*count));
	if (!count)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint64_t v = order_bits(coord ? p[i].y : p[i].x);
		for (unsigned d = 0; d < PT_PASSES; d++)
			count[d * PT_DIGITS + ((v >> (d * PT_BITS)) & (PT_DIGITS - 1))]++;
	}
	pt *src = p, *dst = tmp;
	for (unsigned d = 0; d < PT_PASSES; d++) {
		size_t *cnt = &count[d * PT_DIGITS];
		uint64_t v0 = order_bits(coord ? src[0].y : src[0].x);
		if (cnt[(v0 >> (d * PT_BITS)) & (PT_DIGITS - 1)] == n)
			continue;
		size_t sum = 0;
		for (size_t k = 0; k < PT_DIGITS; k++) {
			size_t x = cnt[k];
			cnt[k] = sum;
			sum += x;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t v = order_bits(coord ? src[i].y : src[i].x);
			dst[cnt[(v >> (d * PT_BITS)) & (PT_DIGITS - 1)]++] = src[i];
		}
		pt *sw = src;
		src = dst;
		dst = sw;
	}
	if (src != p)
		memcpy(p, src, n * sizeof(*p));
	free(count);
	return true;
}

/* Sort by x, then y, in linear time (tmp: n entries of scratch); the
 * order cmp_pt gives (points it calls equal are equal in value). */
static void sort_pts(pt *p, size_t n, pt *tmp)
{
	bool sorted = true, finite = true;
	for (size_t i = 0; i < n; i++) {
		finite = finite && isfinite(p[i].x) && isfinite(p[i].y);
		if (i && cmp_pt(&p[i - 1], &p[i]) > 0)
			sorted = false;
	}
	if (sorted)
		return;
	if (!finite || !radix_pts(p, tmp, n, 1) || !radix_pts(p, tmp, n, 0))
		qsort(p, n, sizeof(pt), cmp_pt);
}

static double cross(pt o, pt a, pt b)
{
	return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/* A line under (or over) one direction's samples. */
typedef struct envelope {
	size_t n;
	double slope, icpt;     /* y = icpt + slope * x */
	double edge;            /* x-length of the hull edge the line rests on (0: one point) */
	double scatter;         /* 5th-percentile distance of the samples from the line */
	double ymin, xmean;
} envelope;

/* Lower envelope of p[0..n) (sorted by x): Moon's LP line. hull is scratch
 * of n entries. */
static void lower_envelope(pt *p, size_t n, pt *hull, envelope *e)
{
	memset(e, 0, sizeof(*e));
	e->n = n;
	if (n == 0)
		return;
	double sx = 0;
	e->ymin = p[0].y;
	for (size_t i = 0; i < n; i++) {
		sx += p[i].x;
		if (p[i].y < e->ymin)
			e->ymin = p[i].y;
	}
	e->xmean = sx / (double)n;
	/* Andrew's monotone chain, lower half */
	size_t h = 0;
	for (size_t i = 0; i < n; i++) {
		if (h && p[i].x == hull[h - 1].x)
			continue; /* sorted by y within x: the first is the lowest */
		while (h >= 2 && cross(hull[h - 2], hull[h - 1], p[i]) <= 0)
			h--;
		hull[h++] = p[i];
	}
	e->icpt = e->ymin;
	if (h >= 2) {
		size_t k = 0;
		while (k + 2 < h && hull[k + 1].x < e->xmean)
			k++;
		double dx = hull[k + 1].x - hull[k].x;
		e->slope = (hull[k + 1].y - hull[k].y) / dx;
		e->icpt = hull[k].y - e->slope * hull[k].x;
		e->edge = dx;
	}
}

/* How far the samples nearest the line sit above it: the residual at the
 * 5th percentile. The envelope rests on the fastest packets, so this, not
 * the median delay variation, is how well the line is known. */
static double residual_low(const pt *p, size_t n, double slope, double icpt, double *tmp)
{
	for (size_t i = 0; i < n; i++)
		tmp[i] = p[i].y - (icpt + slope * p[i].x);
	return n ? corr_select(tmp, n, n / 20) : 0;
}

static double refine_step(const corr_clock_points *in, double bin_from, double before,
			  double after);

/* Clock steps: the envelopes of 1 s bins, compared over STEP_WIN bins
 * before and after each bin, jump together in both directions; the step
 * is then placed at the first packet seen at both ends (of any kind) that
 * sits at the new level. */
#define STEP_WIN 10
static void find_steps(corr_ctx *c, const corr_clock_points *in, double *r, double span,
		       double thresh)
{
	const pt *p0 = in->p[0], *p1 = in->p[1];
	size_t n0 = in->n[0], n1 = in->n[1];
	iks_clock_estimate *ce = &c->out->clock;
	if (!n0 || !n1 || span <= 0)
		return;
	size_t nb = (size_t)(span / 1e9) + 1;
	if (nb < 2 || nb > 10000000)
		return;
	double *lo = malloc(nb * sizeof(double)), *hi = malloc(nb * sizeof(double));
	if (!lo || !hi) {
		free(lo);
		free(hi);
		return;
	}
	for (size_t i = 0; i < nb; i++) {
		lo[i] = INFINITY;
		hi[i] = -INFINITY;
	}
	for (size_t i = 0; i < n0; i++) {
		size_t b = (size_t)(p0[i].x / 1e9);
		if (b < nb && p0[i].y < lo[b])
			lo[b] = p0[i].y;
	}
	for (size_t i = 0; i < n1; i++) {
		size_t b = (size_t)(p1[i].x / 1e9);
		if (b < nb && p1[i].y > hi[b])
			hi[b] = p1[i].y;
	}
	/* the scatter within bins: a step does not inflate it (r: the
	 * caller's scratch of n0 + n1 entries) */
	size_t nr = 0;
	for (size_t i = 0; i < n0; i++) {
		size_t b = (size_t)(p0[i].x / 1e9);
		if (b < nb)
			r[nr++] = p0[i].y - lo[b];
	}
	for (size_t i = 0; i < n1; i++) {
		size_t b = (size_t)(p1[i].x / 1e9);
		if (b < nb)
			r[nr++] = hi[b] - p1[i].y;
	}
	thresh = fmax(thresh, 10 * corr_median(r, nr));
	c->nsteps = 0;
	c->steps_refused = 0;
	ce->nsteps = 0;
	/* a step inside bin k-1 leaves the bins before it and from k on clean;
	 * past the 4 kept, steps are still looked for, and counted */
	for (size_t k = 2; k < nb; k++) {
		double lb = INFINITY, la = INFINITY, hb = -INFINITY, ha = -INFINITY;
		for (size_t j = k - 1 >= STEP_WIN ? k - 1 - STEP_WIN : 0; j + 1 < k; j++) {
			lb = fmin(lb, lo[j]);
			hb = fmax(hb, hi[j]);
		}
		for (size_t j = k; j < nb && j < k + STEP_WIN; j++) {
			la = fmin(la, lo[j]);
			ha = fmax(ha, hi[j]);
		}
		if (!isfinite(lb) || !isfinite(la) || !isfinite(hb) || !isfinite(ha))
			continue;
		double s0 = la - lb, s1 = ha - hb;
		if (fabs(s0) < thresh || fabs(s1) < thresh || (s0 > 0) != (s1 > 0) ||
		    fabs(s0 - s1) > 0.5 * fmax(fabs(s0), fabs(s1)))
			continue;
		size_t bin = k - 1;
		k += STEP_WIN; /* one step per window */
		if (ce->nsteps == 4) {
			c->steps_refused++;
			continue;
		}
		double at = refine_step(in, (double)bin * 1e9, (lb + hb) / 2, (la + ha) / 2);
		c->step_at[c->nsteps] = at;
		c->step_ns[c->nsteps] = (s0 + s1) / 2;
		c->nsteps++;
		ce->steps[ce->nsteps].at_s = (c->t0_ns + at) / 1e9;
		ce->steps[ce->nsteps].step_s = (s0 + s1) / 2 / 1e9;
		ce->nsteps++;
	}
	free(lo);
	free(hi);
}

/* The model fitted to one set of samples (b's y stored as they are). */
typedef struct model {
	double off, slope;      /* the clock line: y = off + slope x */
	double a0, a1;          /* a's envelope from below, b's from above, at x = 0 */
	double noise;           /* the larger envelope scatter of the two (>= 2 us) */
} model;

/* One direction's envelope: a's samples from below, b's from above (their
 * y negated meanwhile, then restored). One job per direction: each has its
 * own samples and its own part of the scratch. */
typedef struct envelope_job {
	pt *p;
	size_t n;
	bool negate;
	pt *hull;
	double *tmp;
	envelope e;
} envelope_job;

static void envelope_job_run(void *x)
{
	envelope_job *j = x;
	memset(&j->e, 0, sizeof(j->e));
	if (j->negate)
		for (size_t i = 0; i < j->n; i++)
			j->p[i].y = -j->p[i].y;
	sort_pts(j->p, j->n, j->hull);
	lower_envelope(j->p, j->n, j->hull, &j->e);
	if (j->n)
		j->e.scatter = residual_low(j->p, j->n, j->e.slope, j->e.icpt, j->tmp);
	/* b's samples back as they are: its line is y = -icpt - slope x */
	if (j->negate)
		for (size_t i = 0; i < j->n; i++)
			j->p[i].y = -j->p[i].y;
}

/* hull and tmp: n[0] + n[1] + 1 entries of scratch, split between the
 * directions. */
static void fit(pt *p[2], const size_t n[2], pt *hull, double *tmp, double span, unsigned threads,
		model *m)
{
	envelope_job jobs[2] = {
		{ .p = p[0], .n = n[0], .negate = false, .hull = hull, .tmp = tmp },
		{ .p = p[1], .n = n[1], .negate = true, .hull = hull + n[0], .tmp = tmp + n[0] },
	};
	par_run(envelope_job_run, jobs, sizeof(jobs[0]), 2, threads);
	envelope e[2] = { jobs[0].e, jobs[1].e };
	/* at least 2 us: two clocks each read to the microsecond */
	m->noise = fmax(fmax(e[0].scatter, e[1].scatter), 2e3);

	/* the drift, and whether to keep it */
	double l0 = e[0].slope, l1 = -e[1].slope, slope = 0;
	bool keep = false;
	if (n[0] >= 3 && n[1] >= 3) {
		slope = (l0 + l1) / 2;
		keep = (l0 > 0) == (l1 > 0) && fabs(l0 - l1) < fabs(slope) &&
		       fabs(slope) * span > 5 * m->noise;
	} else if (n[0] + n[1] >= 10) {
		/* one direction: nothing to cross-check the slope against */
		const envelope *o = n[0] ? &e[0] : &e[1];
		slope = n[0] ? l0 : l1;
		keep = fabs(slope) * span > 10 * m->noise && o->edge >= span / 4;
	}
	if (!keep)
		slope = 0;
	/* each envelope with the common slope: a's line under a's samples,
	 * b's over b's */
	double a0 = INFINITY, a1 = -INFINITY;
	for (size_t i = 0; i < n[0]; i++)
		a0 = fmin(a0, p[0][i].y - slope * p[0][i].x);
	for (size_t i = 0; i < n[1]; i++)
		a1 = fmax(a1, p[1][i].y - slope * p[1][i].x);
	m->a0 = a0;
	m->a1 = a1;
	m->slope = slope;
	m->off = n[0] && n[1] ? (a0 + a1) / 2 : n[0] ? a0 : a1;
}

/* Where a step happened: the first packet seen at both ends (of any
 * direction or addresses: the step dwarfs the delays) closer to the level
 * after it than to the level before, near the bin boundary it was found at. */
static double first_at(const pt *p, size_t n, double at, double bin_from, double before,
		       double after)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].x >= bin_from && p[i].x < at && fabs(p[i].y - after) < fabs(p[i].y - before))
			at = p[i].x;
	return at;
}

/* Where a step happened: the first packet seen at both ends (of any
 * direction or addresses: the step dwarfs the delays) closer to the level
 * after it than to the level before, near the bin boundary it was found at.
 * The points between the hosts may be sorted by now: the first is a
 * minimum, whatever the order. */
static double refine_step(const corr_clock_points *in, double bin_from, double before,
			  double after)
{
	double at = INFINITY;
	at = first_at(in->p[0], in->n[0], at, bin_from, before, after);
	at = first_at(in->p[1], in->n[1], at, bin_from, before, after);
	at = first_at(in->other, in->nother, at, bin_from, before, after);
	return isfinite(at) ? at : bin_from + 1e9;
}

void corr_clock_points_free(corr_clock_points *in)
{
	free(in->p[0]);
	free(in->other);
	memset(in, 0, sizeof(*in));
}

iks_status corr_clock_points_make(corr_ctx *c, const corr_sample *s, size_t ns,
				  corr_clock_points *in)
{
	iks_clock_estimate *ce = &c->out->clock;
	memset(in, 0, sizeof(*in));
	c->t0_ns = (double)c->t[0]->info.first_ns;
	size_t n[2] = { 0, 0 }, no = 0;
	for (size_t i = 0; i < ns; i++) {
		int d = corr_sample_dir(c, &s[i]);
		if (d >= 0)
			n[d]++;
		else
			no++;
	}
	in->p[0] = big_malloc((n[0] + n[1] + 1) * sizeof(pt));
	in->other = big_malloc((no + 1) * sizeof(pt));
	if (!in->p[0] || !in->other) {
		corr_clock_points_free(in);
		return IKS_E_NOMEM;
	}
	in->p[1] = in->p[0] + n[0];
	for (size_t i = 0; i < ns; i++) {
		int d = corr_sample_dir(c, &s[i]);
		pt *q = d >= 0 ? &in->p[d][in->n[d]++] : &in->other[in->nother++];
		q->x = (double)s[i].ta - c->t0_ns;
		q->y = (double)(s[i].tb - s[i].ta);
		if (d < 0)
			continue;
		ce->fragment_matches += s[i].fragment;
		ce->retransmit_matches += s[i].retransmit;
	}
	return IKS_OK;
}

iks_status corr_estimate_clock(corr_ctx *c, corr_clock_points *in)
{
	iks_clock_estimate *ce = &c->out->clock;
	/* the sort and hull scratch and the residuals: 24 bytes a point
	 * between the hosts, on top of the points themselves */
	pt **p = in->p;
	size_t *n = in->n;
	pt *hull = big_malloc((n[0] + n[1] + 1) * sizeof(pt));
	double *tmp = big_malloc((n[0] + n[1] + 1) * sizeof(double));
	if (!hull || !tmp) {
		free(hull);
		free(tmp);
		return IKS_E_NOMEM;
	}
	ce->known = n[0] + n[1] > 0;
	ce->matches = n[0] + n[1];
	ce->matches_ab = n[0];
	ce->matches_ba = n[1];
	ce->error_s = NAN;
	ce->delay_min_ab_s = NAN;
	ce->delay_min_ba_s = NAN;
	if (!ce->known) {
		ce->offset_s = NAN;
		free(hull);
		free(tmp);
		c->window_ns = c->opt.match_window_s * 1e9;
		return IKS_OK;
	}
	double span = (double)(c->t[0]->info.last_ns - c->t[0]->info.first_ns);
	model m;
	fit(p, n, hull, tmp, span, c->opt.threads, &m);
	/* clock steps: found on the samples as they are, then taken out and
	 * the model fitted again */
	find_steps(c, in, tmp, span, 5e6);
	if (c->steps_refused) {
		iks_finding *f = corr_add_finding(c, IKS_FIND_LIMIT, IKS_SEV_WARNING, IKS_DIR_UNKNOWN);
		if (f) {
			f->explain = "b's clock stepped more often than the clock model follows (4): "
				     "this many later steps were found and not taken out, so packets "
				     "after them may be matched late or not at all";
			f->count = c->steps_refused;
		}
	}
	if (c->nsteps) {
		for (int d = 0; d < 2; d++)
			for (size_t i = 0; i < n[d]; i++)
				p[d][i].y -= corr_steps_before(c, p[d][i].x);
		fit(p, n, hull, tmp, span, c->opt.threads, &m);
	}
	double off = m.off, slope = m.slope, a0 = m.a0, a1 = m.a1;
	if (n[0] && n[1])
		ce->basis = "both-directions";
	else
		ce->basis = n[0] ? "a->b-only" : "b->a-only";
	if (n[0] + n[1] == 1)
		ce->basis = "single-packet";
	c->offset_ns = off;
	c->drift = slope;
	/* one-way delays: medians (for matching) and minima */
	for (int d = 0; d < 2; d++) {
		if (!n[d])
			continue;
		double mn = INFINITY;
		for (size_t i = 0; i < n[d]; i++) {
			double line = off + slope * p[d][i].x;
			tmp[i] = d == 0 ? p[d][i].y - line : line - p[d][i].y;
			mn = fmin(mn, tmp[i]);
		}
		c->delay_ns[d] = corr_median(tmp, n[d]);
		if (d == 0)
			ce->delay_min_ab_s = mn / 1e9;
		else
			ce->delay_min_ba_s = mn / 1e9;
	}
	/* spread: median absolute deviation of the samples from the model */
	size_t nd = 0;
	for (int d = 0; d < 2; d++)
		for (size_t i = 0; i < n[d]; i++) {
			double line = off + slope * p[d][i].x;
			double dl = d == 0 ? p[d][i].y - line : line - p[d][i].y;
			tmp[nd++] = fabs(dl - c->delay_ns[d]);
		}
	double spread = corr_median(tmp, nd);
	/* the uncertainty: half the gap between the envelopes, plus the
	 * samples' spread around the model (what a drift too small to keep, or
	 * uneven delays, may still move) */
	if (n[0] && n[1])
		ce->error_s = (fmax(fabs(a0 - a1) / 2, 1e3) + spread) / 1e9;

	ce->offset_s = off / 1e9;
	ce->drift_ppm = slope * 1e6;
	ce->spread_s = spread / 1e9;
	ce->delay_ab_s = c->delay_ns[0] / 1e9;
	ce->delay_ba_s = c->delay_ns[1] / 1e9;
	c->error_ns = isnan(ce->error_s) ? 0 : ce->error_s * 1e9;
	double w = 20e6 + 10 * spread + 2 * fabs(c->delay_ns[0]) + 2 * fabs(c->delay_ns[1]) +
		   2 * c->error_ns;
	if (w > c->opt.match_window_s * 1e9)
		w = c->opt.match_window_s * 1e9;
	c->window_ns = w;
	ce->window_s = w / 1e9;
	double mg = 2 * c->error_ns + 10 * spread + 1e6;
	ce->cover_margin_s = (mg < w ? mg : w) / 1e9;
	free(hull);
	free(tmp);
	return IKS_OK;
}

void corr_coverage(corr_ctx *c)
{
	const iks_trace *a = c->t[0], *b = c->t[1];
	double bf = corr_to_a_clock(c, 1, b->info.first_ns);
	double bl = corr_to_a_clock(c, 1, b->info.last_ns);
	c->cover_from_ns = (int64_t)((double)a->info.first_ns > bf ? (double)a->info.first_ns : bf);
	c->cover_to_ns = (int64_t)((double)a->info.last_ns < bl ? (double)a->info.last_ns : bl);
	c->out->ends.covered_from_s = (double)c->cover_from_ns / 1e9;
	c->out->ends.covered_to_s = (double)c->cover_to_ns / 1e9;
}
