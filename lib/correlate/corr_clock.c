/*
 * corr_clock.c - step 3 of the correlation (see correlate.c): the clock
 * offset between the captures, the one-way delays and the drift, from the
 * unique pairs; and the time both captures cover.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate_internal.h"

/* Step 3: offset, delays, drift. */
iks_status corr_estimate_clock(corr_ctx *c, const pair *p, size_t np)
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
	double m0 = corr_median(d[0], n[0]), m1 = corr_median(d[1], n[1]);
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
		spread_fit = corr_median(dev, nd);
		nd = 0;
		for (size_t k = 0; k < 2; k++)
			for (size_t i = 0; i < n[k]; i++)
				dev[nd++] = fabs(d[k][i] - (k ? m1 : m0));
		spread_flat = corr_median(dev, nd);
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
