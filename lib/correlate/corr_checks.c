/*
 * corr_checks.c - what the captures themselves allow to be judged.
 *
 * Coverage by evidence: a packet is judged only when the receiving capture
 * demonstrably ran around its expected arrival, because it holds packets
 * from before and after it (within the clock's uncertainty), and the
 * moment is not in a gap: a span in which the capture holds nothing while
 * the other capture shows that its host was sending.
 *
 * Capture checks (capture-check findings):
 * - no-overlap: the captures were not running at any common instant;
 * - same-capture: both files hold the same packets at the same instants;
 *   nothing is matched, so no loss, ICMP or PMTU claim follows.
 * - filtered: a capture lacks a kind of traffic entirely (ESP, AH, UDP
 *   4500, fragments, traffic that is not IPsec) that the other capture
 *   shows its own host sending, or it holds nothing but UDP 500; nothing of
 *   that kind is judged toward it.
 * - not-covered: late start, early stop and gaps, with their spans.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "core/par.h"
#include "correlate/correlate_internal.h"

bool corr_same_capture(const corr_ctx *c, const corr_sample *s, size_t ns)
{
	const iks_trace *a = c->t[0], *b = c->t[1];
	if (a->info.frames != b->info.frames || a->info.first_ns != b->info.first_ns ||
	    a->info.last_ns != b->info.last_ns || a->nunits != b->nunits || ns == 0)
		return false;
	size_t units = 0;
	for (size_t i = 0; i < ns; i++) {
		if (s[i].ta != s[i].tb || s[i].ttl_a != s[i].ttl_b)
			return false;
		units += !s[i].fragment;
	}
	/* most units pair with themselves (repeated identities do not pair) */
	return units * 2 >= a->nunits;
}

static unsigned kind_bits(const trace_unit *u)
{
	unsigned k = 0;
	if (u->kind == UNIT_ESP)
		k |= CHECK_F_ESP;
	if (u->kind == UNIT_AH)
		k |= CHECK_F_AH;
	if (u->proto == 17 && (u->sport == 4500 || u->dport == 4500))
		k |= CHECK_F_NATT;
	if (u->flags & UNIT_F_FRAGMENTED)
		k |= CHECK_F_FRAGS;
	if (u->kind == UNIT_OTHER || u->kind == UNIT_ICMP_ERROR)
		k |= CHECK_F_OTHER;
	return k;
}

/* Only UDP 500 in a capture: a filter's signature. */
static bool only_udp500(const iks_trace *t)
{
	if (!t->nunits)
		return false;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (u->kind == UNIT_INCOMPLETE)
			continue;
		if (u->proto != 17 || (u->sport != 500 && u->dport != 500))
			return false;
	}
	return true;
}

static void find_filtered(corr_ctx *c)
{
	unsigned has[2] = { 0, 0 }, sent_by[2] = { 0, 0 }, toward[2] = { 0, 0 };
	for (int s = 0; s < 2; s++) {
		const iks_trace *t = c->t[s];
		for (size_t i = 0; i < t->nunits; i++) {
			const trace_unit *u = &t->units[i];
			unsigned k = kind_bits(u);
			has[s] |= k;
			if (u->kind == UNIT_INCOMPLETE)
				has[s] |= CHECK_F_FRAGS;
			/* what s saw r's host send, and what s sent toward r */
			if (c->role[s][i] == ROLE_RECEIVED)
				sent_by[1 - s] |= k;
			else if (c->role[s][i] == ROLE_SENT)
				toward[1 - s] |= k;
		}
		if (t->nfrags)
			has[s] |= CHECK_F_FRAGS;
	}
	for (int r = 0; r < 2; r++) {
		unsigned missing = sent_by[r] & ~has[r];
		if (only_udp500(c->t[r]))
			missing |= toward[r] & ~has[r];
		c->filtered[r] = (uint8_t)missing;
	}
}

bool corr_filtered_out(const corr_ctx *c, int side, const trace_unit *u)
{
	return (kind_bits(u) & c->filtered[1 - side]) != 0;
}

/* Time of side s's instant ts on the other side's clock. */
static double on_other_clock(const corr_ctx *c, int s, int64_t ts)
{
	if (s == 0)
		return corr_to_b_clock(c, (double)ts);
	return corr_to_a_clock(c, 1, ts);
}

static iks_status add_gap(corr_ctx *c, int r, int64_t from, int64_t to)
{
	size_t n = c->ngaps[r];
	if (n && c->gaps[r][n - 1].to >= from) {
		if (to > c->gaps[r][n - 1].to)
			c->gaps[r][n - 1].to = to;
		return IKS_OK;
	}
	if (n == c->gaps_cap[r]) {
		size_t cap = n ? 2 * n : 64;
		struct corr_gap *g = realloc(c->gaps[r], cap * sizeof(*g));
		if (!g)
			return IKS_E_NOMEM;
		c->gaps[r] = g;
		c->gaps_cap[r] = cap;
	}
	struct corr_gap *g = c->gaps[r];
	g[n].from = from;
	g[n].to = to;
	c->ngaps[r] = n + 1;
	return IKS_OK;
}

/* Gaps of capture r: r's host demonstrably sent (capture s holds it
 * arriving, r's capture does not hold it) at a moment when r's capture
 * holds nothing within a second. */
#define GAP_QUIET_NS 1e9
static iks_status find_gaps(corr_ctx *c, int r)
{
	int s = 1 - r;
	const iks_trace *t = c->t[s];
	if (!c->ntimes[r])
		return IKS_OK;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (c->role[s][i] != ROLE_RECEIVED || c->match[s][i] != NO_MATCH ||
		    !corr_matchable(u) || (kind_bits(u) & c->filtered[r]))
			continue;
		double sent = on_other_clock(c, s, u->ts_first) - c->delay_ns[r];
		size_t k = corr_time_index(c, r, sent);
		bool before = k > 0, after = k < c->ntimes[r];
		if (!before || !after)
			continue; /* before the start or after the end: not a gap */
		int64_t prev = c->times[r][k - 1], next = c->times[r][k];
		if (sent - (double)prev < GAP_QUIET_NS || (double)next - sent < GAP_QUIET_NS)
			continue;
		if (add_gap(c, r, prev, next) != IKS_OK)
			return IKS_E_NOMEM;
	}
	return IKS_OK;
}

/* Capture s's unit and fragment times, sorted: a merge of the two lists
 * when each is in time order already (the usual capture), else a sort. */
typedef struct times_job {
	const iks_trace *t;
	int64_t *v;
	size_t n;
} times_job;

static bool times_sorted_units(const iks_trace *t)
{
	for (size_t i = 1; i < t->nunits; i++)
		if (t->units[i].ts < t->units[i - 1].ts)
			return false;
	return true;
}

static bool times_sorted_frags(const iks_trace *t)
{
	for (size_t i = 1; i < t->nfrags; i++)
		if (t->frags[i].ts < t->frags[i - 1].ts)
			return false;
	return true;
}

static void times_job_run(void *p)
{
	times_job *j = p;
	const iks_trace *t = j->t;
	size_t n = t->nunits + t->nfrags;
	j->v = big_malloc((n ? n : 1) * sizeof(int64_t));
	if (!j->v)
		return;
	j->n = n;
	if (times_sorted_units(t) && times_sorted_frags(t)) {
		size_t a = 0, b = 0, m = 0;
		while (a < t->nunits || b < t->nfrags) {
			bool unit = b == t->nfrags || (a < t->nunits && t->units[a].ts <= t->frags[b].ts);
			j->v[m++] = unit ? t->units[a++].ts : t->frags[b++].ts;
		}
		return;
	}
	size_t m = 0;
	for (size_t i = 0; i < t->nunits; i++)
		j->v[m++] = t->units[i].ts;
	for (size_t i = 0; i < t->nfrags; i++)
		j->v[m++] = t->frags[i].ts;
	corr_sort_i64(j->v, m);
}

iks_status corr_checks_prepare(corr_ctx *c)
{
	times_job jobs[2] = { { .t = c->t[0] }, { .t = c->t[1] } };
	par_run(times_job_run, jobs, sizeof(jobs[0]), 2, c->opt.threads);
	for (int s = 0; s < 2; s++) {
		c->times[s] = jobs[s].v;
		c->ntimes[s] = jobs[s].n;
	}
	if (!c->times[0] || !c->times[1])
		return IKS_E_NOMEM;
	find_filtered(c);
	return IKS_OK;
}

static int cmp_gap(const void *x, const void *y)
{
	const struct corr_gap *a = x, *b = y;
	return a->from < b->from ? -1 : a->from > b->from;
}

/* Gaps come in unit order; a capture out of time order may give them out
 * of order or twice: sort and merge, so that corr_covered can search. */
static void order_gaps(corr_ctx *c, int r)
{
	struct corr_gap *g = c->gaps[r];
	size_t n = c->ngaps[r], k = 0;
	bool sorted = true;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = g[i - 1].to < g[i].from;
	if (sorted)
		return;
	qsort(g, n, sizeof(*g), cmp_gap);
	for (size_t i = 0; i < n; i++) {
		if (k && g[k - 1].to >= g[i].from) {
			if (g[i].to > g[k - 1].to)
				g[k - 1].to = g[i].to;
			continue;
		}
		g[k++] = g[i];
	}
	c->ngaps[r] = k;
}

/* Gaps need the matches: called again after matching. */
static iks_status prepare_gaps(corr_ctx *c)
{
	for (int r = 0; r < 2; r++) {
		if (find_gaps(c, r) != IKS_OK)
			return IKS_E_NOMEM;
		order_gaps(c, r);
	}
	return IKS_OK;
}

void corr_checks_free(corr_ctx *c)
{
	for (int s = 0; s < 2; s++) {
		free(c->times[s]);
		free(c->gaps[s]);
		c->times[s] = NULL;
		c->gaps[s] = NULL;
		c->ngaps[s] = c->gaps_cap[s] = 0;
	}
}

static const char *const kind_names[] = { "esp", "ah", "udp-4500", "fragments", "other-traffic" };

static void report_filtered(corr_ctx *c, int r)
{
	if (!c->filtered[r])
		return;
	iks_finding *f = corr_add_finding(c, IKS_FIND_CAPTURE_CHECK, IKS_SEV_WARNING,
					  r == 1 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A);
	if (!f)
		return;
	f->check = "filtered";
	f->side = r ? 'b' : 'a';
	size_t at = 0;
	for (unsigned k = 0; k < 5; k++) {
		if (!(c->filtered[r] & (1u << k)))
			continue;
		int w = snprintf(f->missing_kinds + at, sizeof(f->missing_kinds) - at, "%s%s",
				 at ? "," : "", kind_names[k]);
		if (w > 0 && (size_t)w < sizeof(f->missing_kinds) - at)
			at += (size_t)w;
	}
	f->explain = "one capture lacks a kind of traffic the other shows its host sending "
		     "(a capture filter): nothing of that kind is judged toward it";
}

/* Packets side s sent toward r that could not be judged, and the spans. */
static void report_not_covered(corr_ctx *c, int r)
{
	int s = 1 - r;
	const iks_trace *t = c->t[s];
	uint32_t n = 0, total = 0;
	double first_nc = 0, last_nc = 0;
	bool early = false, late = false;
	if (c->fold[s])
		total = (uint32_t)c->fold[s]->n; /* sent, matchable and matched */
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (c->role[s][i] != ROLE_SENT || !corr_matchable(u) || corr_folded(c, s, i))
			continue;
		total++;
		if (c->match[s][i] != NO_MATCH || corr_filtered_out(c, s, u) ||
		    corr_covered(c, s, u->ts))
			continue;
		double e = corr_expected_arrival(c, s, u->ts);
		if (c->ntimes[r] && e < (double)c->times[r][0])
			early = true;
		else if (c->ntimes[r] && e > (double)c->times[r][c->ntimes[r] - 1])
			late = true;
		if (!n)
			first_nc = e;
		last_nc = e;
		n++;
	}
	if (!n && !c->ngaps[r])
		return;
	iks_finding *f = corr_add_finding(c, IKS_FIND_CAPTURE_CHECK, IKS_SEV_WARNING,
					  r == 1 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A);
	if (!f)
		return;
	f->check = "not-covered";
	f->side = r ? 'b' : 'a';
	f->count = n;
	f->total = total;
	f->explain = "the capture was not running when these packets were due (late start, early "
		     "stop or a gap): they are not judged";
	double first = c->ntimes[r] ? (double)c->times[r][0] / 1e9 : 0;
	double last = c->ntimes[r] ? (double)c->times[r][c->ntimes[r] - 1] / 1e9 : 0;
	if (early && f->nspans < IKS_FINDING_MAX_RANGES) {
		f->spans[f->nspans].from_s = first_nc / 1e9 < first ? first_nc / 1e9 : first;
		f->spans[f->nspans++].to_s = first;
	}
	for (size_t g = 0; g < c->ngaps[r]; g++) {
		if (f->nspans == IKS_FINDING_MAX_RANGES - (late ? 1 : 0)) {
			f->spans_more = (uint32_t)(c->ngaps[r] - g > UINT32_MAX ? UINT32_MAX
							       : c->ngaps[r] - g);
			break;
		}
		f->spans[f->nspans].from_s = (double)c->gaps[r][g].from / 1e9;
		f->spans[f->nspans++].to_s = (double)c->gaps[r][g].to / 1e9;
	}
	if (late) { /* the last span is the stop, always listed */
		f->spans[f->nspans].from_s = last;
		f->spans[f->nspans++].to_s = last_nc / 1e9 > last ? last_nc / 1e9 : last;
	}
}

/* A hop of a longer path: packets side s sent that the hop's other capture
 * r lacks while a point beyond r holds them: r's capture is incomplete
 * (filtered, or it dropped packets), and they are not counted lost. */
static void report_incomplete(corr_ctx *c, int r)
{
	int s = 1 - r;
	uint32_t n = 0, total = 0;
	const trace_unit *first = NULL;
	for (size_t i = 0; i < c->t[s]->nunits; i++) {
		total += c->role[s][i] == ROLE_SENT;
		if (corr_beyond(c, s, i)) { /* only units the hop lost are marked */
			if (!first)
				first = &c->t[s]->units[i];
			n++;
		}
	}
	c->out->beyond[s] = n;
	if (!n)
		return;
	iks_finding *f = corr_add_finding(c, IKS_FIND_CAPTURE_CHECK, IKS_SEV_WARNING,
					  r == 1 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A);
	if (!f)
		return;
	f->check = "incomplete";
	f->side = r ? 'b' : 'a';
	f->count = n;   /* IPsec and other traffic */
	f->total = total; /* IPsec packets the sender sent */
	if (s == 0) {
		f->frame_a = first->first_frame;
		f->time_a_s = (double)first->ts_first / 1e9;
	} else {
		f->frame_b = first->first_frame;
		f->time_b_s = (double)first->ts_first / 1e9;
	}
	f->explain = "this capture lacks packets that the points on both sides of it hold: it is "
		     "incomplete (a capture filter, or the capturing host dropped them); they are "
		     "not counted lost";
}

iks_status corr_checks_report(corr_ctx *c)
{
	if (c->same_capture) {
		iks_finding *f = corr_add_finding(c, IKS_FIND_CAPTURE_CHECK, IKS_SEV_WARNING,
						  IKS_DIR_UNKNOWN);
		if (f) {
			f->check = "same-capture";
			f->count = (uint32_t)c->t[0]->info.frames;
			f->explain = "both files hold the same packets at the same instants: they are one "
				     "capture, not the two ends of a path; nothing is judged";
		}
		return IKS_OK;
	}
	if (c->cover_to_ns < c->cover_from_ns) {
		/* not one instant both captures ran (on a's clock; without a
		 * clock, as each file has it) */
		iks_finding *f = corr_add_finding(c, IKS_FIND_CAPTURE_CHECK, IKS_SEV_WARNING,
						  IKS_DIR_UNKNOWN);
		if (f) {
			f->check = "no-overlap";
			f->explain = "the two captures do not overlap in time: they were not taken at the "
				     "same time, or a clock is wrong by more than the captures last; "
				     "nothing between them is judged";
			for (int s = 0; s < 2; s++) {
				f->spans[s].from_s = (double)c->t[s]->info.first_ns / 1e9;
				f->spans[s].to_s = (double)c->t[s]->info.last_ns / 1e9;
			}
			f->nspans = 2;
		}
	}
	for (int r = 0; r < 2; r++) {
		report_filtered(c, r);
		report_not_covered(c, r);
		if (c->hints)
			report_incomplete(c, r);
	}
	return IKS_OK;
}

iks_status corr_checks_gaps(corr_ctx *c)
{
	return prepare_gaps(c);
}

/* Not one packet side s sent toward r reached r, while r's capture shows
 * r's own address active and was running when they were due. */
static void nothing_arrived(corr_ctx *c, int s)
{
	int r = 1 - s;
	uint32_t sent = 0, judged = 0;
	if (c->fold[s] && c->fold[s]->judgeable)
		return; /* a folded pair crossed */
	for (size_t i = 0; i < c->t[s]->nunits; i++) {
		const trace_unit *u = &c->t[s]->units[i];
		if (c->role[s][i] != ROLE_SENT || !corr_matchable(u) || corr_filtered_out(c, s, u) ||
		    corr_folded(c, s, i))
			continue;
		if (c->match[s][i] != NO_MATCH)
			return;
		sent++;
		judged += corr_covered(c, s, u->ts);
	}
	for (size_t i = 0; i < c->t[s]->nfrags; i++) {
		const trace_frag *g = &c->t[s]->frags[i];
		if (g->addr_src == c->host[s] && g->addr_dst == c->peer[s] &&
		    c->fmatch[s] && c->fmatch[s][i])
			return; /* a fragment crossed */
	}
	uint32_t active = c->fold[r] ? (uint32_t)c->fold[r]->host_units : 0;
	for (size_t i = 0; i < c->t[r]->nunits; i++) {
		const trace_unit *u = &c->t[r]->units[i];
		if (!corr_folded(c, r, i))
			active += u->addr_src == c->host[r] || u->addr_dst == c->host[r];
	}
	if (!sent || !judged || !active)
		return;
	iks_finding *f = corr_add_finding(c, IKS_FIND_NOTHING_ARRIVED, IKS_SEV_ERROR,
					  s == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A);
	if (!f)
		return;
	f->explain = s == 0 ? "nothing a sent toward b reached b, although b's own address was "
			      "active in b's capture: the path drops everything that way"
			    : "nothing b sent toward a reached a, although a's own address was "
			      "active in a's capture: the path drops everything that way";
	f->count = sent;
	f->total = active;
}

void corr_nothing_arrived(corr_ctx *c)
{
	if (c->same_capture)
		return;
	for (int s = 0; s < 2; s++)
		nothing_arrived(c, s);
}
