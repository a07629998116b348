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
 * Steps 1 and 2 are in corr_hosts.c, step 3 in corr_clock.c, step 4 and
 * the whole in this file; the findings in findings.c and negotiation.c;
 * the helpers they share in corr_ctx.c, below them all.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "core/par.h"
#include "correlate/corr_fate.h"
#include "correlate/correlate_internal.h"

void iks_correlate_options_default(iks_correlate_options *opt)
{
	if (!opt)
		return;
	memset(opt, 0, sizeof(*opt));
	opt->end_margin_s = 0.5;
	opt->match_window_s = 2.0;
	opt->negotiations_max = 100000;
	opt->findings_max = 100000;
	opt->groups_max = 200000;
	opt->threads = 1;
	opt->no_frame_fates = false;
}

/* Step 4: each unit side s sent, looked for among what the other side received. */
static iks_status match_direction(corr_ctx *c, int s, bool loose)
{
	int r = 1 - s;
	size_t nr;
	/* the exact keys come sorted from step 1 (all matchable units: those
	 * the receiver did not receive are skipped below) */
	keyed *kr = loose ? corr_sorted_keys(c->t[r], true, c->role[r], ROLE_RECEIVED, &nr)
			  : c->exact[r];
	if (!loose)
		nr = c->nexact[r];
	if (!kr)
		return IKS_E_NOMEM;
	const iks_trace *ts = c->t[s];
	/* The exact pass walks the sender's units in key order too (a merge
	 * join, no lookups scattered over the receiver's keys): a sent unit
	 * can only take a received unit of its own key, so only the order
	 * within one key matters, and it is capture order when the sender's
	 * times never go back (step 1's sort breaks ties by time, then index). */
	const keyed *ks = NULL;
	size_t nks = 0, at = 0;
	if (!loose) {
		bool in_order = true;
		int64_t last = INT64_MIN;
		for (size_t i = 0; i < ts->nunits && in_order; i++)
			if (corr_matchable(&ts->units[i])) {
				in_order = ts->units[i].ts >= last;
				last = ts->units[i].ts;
			}
		if (in_order) {
			ks = c->exact[s];
			nks = c->nexact[s];
		}
	}
	for (size_t x = 0; x < (ks ? nks : ts->nunits); x++) {
		size_t i = ks ? ks[x].idx : x;
		if (ks && x + CORR_AHEAD < nks) {
			uint32_t ahead = ks[x + CORR_AHEAD].idx;
			CORR_PREFETCH(&ts->units[ahead]);
			CORR_PREFETCH(&c->role[s][ahead]);
			CORR_PREFETCH(&c->match[s][ahead]);
			if (at + CORR_AHEAD < nr) {
				CORR_PREFETCH(&c->role[r][kr[at + CORR_AHEAD].idx]);
				CORR_PREFETCH(&c->match[r][kr[at + CORR_AHEAD].idx]);
			}
		}
		const trace_unit *u = &ts->units[i];
		if (c->role[s][i] != ROLE_SENT || !corr_matchable(u) || c->match[s][i] != NO_MATCH)
			continue;
		uint64_t key = loose ? u->loose : u->key;
		/* first entry with this key */
		size_t lo;
		if (ks) {
			while (at < nr && kr[at].key < key)
				at++;
			lo = at;
		} else {
			lo = corr_keyed_lower(kr, nr, key);
		}
		double expect = corr_expected_arrival(c, s, u->ts);
		size_t best = SIZE_MAX;
		double best_err = c->window_ns;
		for (size_t j = lo; j < nr && kr[j].key == key; j++) {
			/* role first: the other direction's job writes match[r]
			 * of r's sent units meanwhile */
			if (c->role[r][kr[j].idx] != ROLE_RECEIVED || c->match[r][kr[j].idx] != NO_MATCH)
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
	if (loose)
		free(kr);
	return IKS_OK;
}

/* Whether side s sent anything the exact pass did not find at the other end. */
static bool any_unmatched(const corr_ctx *c, int s)
{
	for (size_t i = 0; i < c->t[s]->nunits; i++)
		if (c->role[s][i] == ROLE_SENT && corr_matchable(&c->t[s]->units[i]) &&
		    c->match[s][i] == NO_MATCH)
			return true;
	return false;
}

/* Both directions of step 4 at once: what a sent and what b sent are
 * matched by separate jobs, which write disjoint entries (a direction
 * writes match[] and modified[] of its sender's sent units and of its
 * receiver's received units only, and reads only those and the sorted
 * keys, which neither writes). */
typedef struct match_job {
	corr_ctx *c;
	int s;
	iks_status st;
} match_job;

static void match_job_run(void *p)
{
	match_job *j = p;
	j->st = match_direction(j->c, j->s, false);
	if (j->st == IKS_OK && any_unmatched(j->c, j->s))
		j->st = match_direction(j->c, j->s, true);
}

static iks_status match_both(corr_ctx *c)
{
	match_job jobs[2] = { { .c = c, .s = 0 }, { .c = c, .s = 1 } };
	par_run(match_job_run, jobs, sizeof(jobs[0]), 2, c->opt.threads);
	return jobs[0].st != IKS_OK ? jobs[0].st : jobs[1].st;
}

/* The findings (negotiations, capture checks, NAT, loss, changes, other
 * traffic, deleted SAs) and the packet groups drawn in the HTML ladder, as
 * two jobs: the groups read only the matches, roles, clock, coverage and
 * gaps, which no finding step writes, and write only the groups, which no
 * finding step reads. */
typedef struct after_match_job {
	corr_ctx *c;
	bool groups;
	iks_status st;
} after_match_job;

static iks_status findings_chain(corr_ctx *c)
{
	iks_status st = corr_negotiations(c);
	if (st == IKS_OK)
		st = corr_checks_report(c);
	if (st == IKS_OK)
		corr_nothing_arrived(c);
	if (st == IKS_OK)
		st = corr_nat_rebind(c);
	if (st == IKS_OK)
		st = corr_findings(c);
	if (st == IKS_OK)
		st = corr_diff(c);
	if (st == IKS_OK)
		st = corr_other_traffic(c);
	if (st == IKS_OK)
		st = corr_deleted_sas(c);
	return st;
}

static void after_match_run(void *p)
{
	after_match_job *j = p;
	j->st = j->groups ? corr_groups(j->c) : findings_chain(j->c);
}

static iks_status findings_and_groups(corr_ctx *c)
{
	after_match_job jobs[2] = { { .c = c, .groups = false }, { .c = c, .groups = true } };
	par_run(after_match_run, jobs, sizeof(jobs[0]), 2, c->opt.threads);
	return jobs[0].st != IKS_OK ? jobs[0].st : jobs[1].st;
}

static void fill_endpoints(corr_ctx *c)
{
	iks_endpoints *e = &c->out->ends;
	if (!c->hosts_known)
		return;
	e->known = true;
	e->a_in_a = *trace_addr(c->t[0], c->host[0]);
	e->b_in_b = *trace_addr(c->t[1], c->host[1]);
	/* a peer the capture never holds (nothing of it arrived there): as the
	 * other capture names it */
	e->b_in_a = c->peer[0] < c->t[0]->naddrs ? *trace_addr(c->t[0], c->peer[0]) : e->b_in_b;
	e->a_in_b = c->peer[1] < c->t[1]->naddrs ? *trace_addr(c->t[1], c->peer[1]) : e->a_in_a;
	/* IKE ports of a matched IKE message sent by a (UDP 500, or 4500 when
	   the negotiation starts there), then the NAT-T ports of a matched
	   packet a sent on UDP 4500 (RFC 3947: IKE moves there, ESP follows) */
	bool ike = false, natt = false;
	for (size_t i = 0; i < c->t[0]->nunits && !(ike && natt); i++) {
		const trace_unit *u = &c->t[0]->units[i];
		if (c->role[0][i] != ROLE_SENT || c->match[0][i] == NO_MATCH || u->proto != 17)
			continue;
		const trace_unit *v = &c->t[1]->units[c->match[0][i]];
		if (!ike && u->kind == UNIT_IKE) {
			ike = true;
			e->a_port_in_a = u->sport;
			e->b_port_in_a = u->dport;
			e->a_port_in_b = v->sport;
			e->b_port_in_b = v->dport;
		}
		if (!natt && (u->dport == 4500 || v->dport == 4500) &&
		    (u->kind == UNIT_IKE || u->kind == UNIT_ESP || u->kind == UNIT_KEEPALIVE)) {
			natt = true;
			e->a_natt_port_in_a = u->sport;
			e->b_natt_port_in_a = u->dport;
			e->a_natt_port_in_b = v->sport;
			e->b_natt_port_in_b = v->dport;
		}
	}
	/* nothing IKE crossed: the ports each end used toward the other */
	for (int side = 0; side < 2 && !e->a_port_in_a && !e->b_port_in_b; side++)
		for (size_t i = 0; i < c->t[side]->nunits; i++) {
			const trace_unit *u = &c->t[side]->units[i];
			if (u->kind != UNIT_IKE || c->role[side][i] != ROLE_SENT)
				continue;
			uint16_t *mine = side ? &e->b_port_in_b : &e->a_port_in_a;
			uint16_t *theirs = side ? &e->a_port_in_b : &e->b_port_in_a;
			*mine = u->sport;
			*theirs = u->dport;
			/* the other capture has no copy to tell NAT by: as sent */
			if (side) {
				e->b_port_in_a = u->sport;
				e->a_port_in_a = u->dport;
			} else {
				e->a_port_in_b = u->sport;
				e->b_port_in_b = u->dport;
			}
			break;
		}
}

static void count_stats(corr_ctx *c)
{
	iks_correlation_stats *st = &c->out->stats;
	st->units_a = c->t[0]->nunits;
	st->units_b = c->t[1]->nunits;
}

/* The most common TTL decrement of what each side sent and the other got
 * (the clock samples: unique pairs and fragments): the routers the packets
 * crossed between the two captures. */
static void ttl_drops(corr_ctx *c, const corr_sample *smp, size_t ns)
{
	for (int s = 0; s < 2; s++) {
		uint32_t hist[256];
		memset(hist, 0, sizeof(hist));
		uint32_t total = 0;
		for (size_t i = 0; i < ns; i++) {
			if (corr_sample_dir(c, &smp[i]) != s)
				continue;
			uint8_t ts = s ? smp[i].ttl_b : smp[i].ttl_a, tr = s ? smp[i].ttl_a : smp[i].ttl_b;
			if (ts >= tr) {
				hist[ts - tr]++;
				total++;
			}
		}
		c->out->ttl_drop[s] = -1;
		uint32_t best = 0;
		for (int d = 0; d < 256 && total; d++)
			if (hist[d] > best) {
				best = hist[d];
				c->out->ttl_drop[s] = d;
			}
	}
}

iks_status iks_correlate(const iks_trace *a, const iks_trace *b, const iks_correlate_options *opt,
			 iks_correlation **out)
{
	return corr_run(a, b, opt, NULL, out);
}

iks_status corr_run(const iks_trace *a, const iks_trace *b, const iks_correlate_options *opt,
		    const corr_hints *hints, iks_correlation **out)
{
	if (!a || !b || !out)
		return IKS_E_INVALID;
	*out = NULL;
	corr_ctx c;
	memset(&c, 0, sizeof(c));
	c.t[0] = a;
	c.t[1] = b;
	c.hints = hints;
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
		if (opt->threads)
			c.opt.threads = opt->threads;
		c.opt.no_frame_fates = opt->no_frame_fates;
		c.opt.compact = opt->compact;
	}
	c.out = calloc(1, sizeof(*c.out));
	iks_status st = c.out ? IKS_OK : IKS_E_NOMEM;
	if (st == IKS_OK)
		corr_trace_cap_findings(&c);
	for (int s = 0; s < 2 && st == IKS_OK; s++) {
		size_t n = c.t[s]->nunits ? c.t[s]->nunits : 1;
		c.match[s] = big_malloc(n * sizeof(uint32_t));
		c.role[s] = big_calloc(n, 1);
		c.modified[s] = big_calloc(n, 1);
		c.fate[s] = big_calloc(n, 1);
		if (!c.match[s] || !c.role[s] || !c.modified[s] || !c.fate[s])
			st = IKS_E_NOMEM;
		else
			for (size_t i = 0; i < n; i++)
				c.match[s][i] = NO_MATCH;
	}
	size_t ns = 0;
	corr_sample *samples = st == IKS_OK ? corr_samples(&c, &ns) : NULL;
	if (st == IKS_OK && !samples)
		st = IKS_E_NOMEM;
	for (int s = 0; s < 2 && st == IKS_OK; s++)
		if (!(c.fmatch[s] = big_calloc(c.t[s]->nfrags ? c.t[s]->nfrags : 1, 1)))
			st = IKS_E_NOMEM;
	for (size_t i = 0; st == IKS_OK && i < ns; i++)
		if (samples[i].fragment) {
			c.fmatch[0][samples[i].a] = 1;
			c.fmatch[1][samples[i].b] = 1;
		}
	if (st == IKS_OK)
		c.same_capture = corr_same_capture(&c, samples, ns);
	if (st == IKS_OK && !c.same_capture)
		st = corr_learn_hosts(&c, samples, ns);
	if (st == IKS_OK && !c.hosts_known)
		c.out->clock.matches = ns; /* in both captures, but the ends not told apart */
	c.out->clock.offset_s = NAN;
	c.out->ttl_drop[0] = c.out->ttl_drop[1] = -1;
	c.out->clock.error_s = NAN;
	c.out->clock.delay_min_ab_s = NAN;
	c.out->clock.delay_min_ba_s = NAN;
	if (st == IKS_OK && c.hosts_known) {
		corr_assign_roles(&c);
		ttl_drops(&c, samples, ns);
		/* the samples go before the fit, which needs only their points:
		 * that is the peak of a long capture's correlation */
		corr_clock_points cp;
		st = corr_clock_points_make(&c, samples, ns, &cp);
		free(samples);
		samples = NULL;
		if (st == IKS_OK)
			st = corr_estimate_clock(&c, &cp);
		corr_clock_points_free(&cp);
	}
	if (!c.out->clock.known)
		c.window_ns = c.opt.match_window_s * 1e9;
	free(samples);
	if (st == IKS_OK) {
		corr_coverage(&c);
		count_stats(&c);
	}
	if (st == IKS_OK && c.hosts_known)
		st = corr_checks_prepare(&c);
	if (st == IKS_OK && c.hosts_known) {
		/* without a clock (nothing crossed) the captures' clocks are taken
		 * to agree: matching finds nothing, each end's negotiations are
		 * still followed */
		st = match_both(&c);
		for (int s = 0; s < 2; s++) {
			free(c.exact[s]);
			c.exact[s] = NULL;
		}
		fill_endpoints(&c);
		if (st == IKS_OK)
			st = corr_checks_gaps(&c);
		if (st == IKS_OK)
			st = corr_fold_pairs(&c);
		if (st == IKS_OK)
			st = findings_and_groups(&c);
		if (st == IKS_OK)
			st = corr_keep_fates(&c);
		if (st == IKS_OK)
			corr_loss_profile(&c);
	} else if (st == IKS_OK && c.same_capture) {
		c.out->ends.method = "same-capture";
		c.out->ends.same_capture = true;
		st = corr_checks_report(&c);
	}
	corr_checks_free(&c);
	if (st == IKS_OK)
		corr_findings_cap_finding(&c);
	if (st == IKS_OK)
		st = corr_verdicts(&c);
	free(c.mods);
	corr_fold_free(&c);
	for (int s = 0; s < 2; s++) {
		free(c.exact[s]);
		free(c.stale[s]);
		free(c.match[s]);
		free(c.role[s]);
		free(c.modified[s]);
		free(c.fmatch[s]);
		free(c.fate[s]);
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
	for (size_t i = 0; i < c->nnegs; i++) {
		for (uint32_t x = 0; x < c->negs[i].nexchanges; x++)
			free(c->negs[i].exchanges[x].messages);
		free(c->negs[i].exchanges);
	}
	free(c->negs);
	free(c->finds);
	free(c->verdicts);
	free(c->lost[0]);
	free(c->lost[1]);
	corr_groups_free(c);
	corr_fates_free(c->fates);
	corr_logs_free(c);
	free(c);
}
