/*
 * loss.c - the loss profile of each direction: what was sent, by kind,
 * fragment position, size band and DF, and what of it was lost. It tells a
 * black hole (everything of one kind or size lost) from a flaky link
 * (a little of everything lost, arrivals in between).
 */
#include "config.h"

#include <string.h>

#include "correlate/correlate_internal.h"

/* IP datagram size bands: a minimum-MTU packet, the IPv6 minimum MTU, a
 * typical tunnel MTU, Ethernet, and above (IKE with certificates). */
unsigned corr_size_band(uint32_t size)
{
	if (size <= 576)
		return 0;
	if (size <= 1280)
		return 1;
	if (size <= 1400)
		return 2;
	if (size <= 1500)
		return 3;
	return 4;
}

static void tally(iks_loss_tally *t, bool lost)
{
	t->sent++;
	if (lost)
		t->lost++;
}

static iks_loss_tally *kind_tally(iks_loss_profile *p, uint8_t kind)
{
	switch (kind) {
	case UNIT_IKE: return &p->ike;
	case UNIT_ESP: return &p->esp;
	case UNIT_AH: return &p->ah;
	default: return &p->other;
	}
}

/* The current run of one kind and the longest so far. */
typedef struct run_state {
	iks_loss_run cur;
} run_state;

static void run_step(run_state *r, iks_loss_run *best, bool lost, double ts)
{
	if (lost) {
		if (r->cur.count++ == 0)
			r->cur.from_s = ts;
		r->cur.to_s = ts;
		r->cur.to_end = true;
		if (r->cur.count > best->count)
			*best = r->cur;
		else if (r->cur.count == best->count && best->from_s == r->cur.from_s)
			*best = r->cur;
		return;
	}
	if (best->count && best->from_s == r->cur.from_s && r->cur.count)
		best->to_end = false; /* the longest run ended with an arrival */
	memset(&r->cur, 0, sizeof(r->cur));
}

/* The profile's walk through one side's units, in order. */
typedef struct profile_walk {
	iks_loss_profile *p;
	uint32_t arrived_since_loss;
	run_state r_all, r_ike, r_esp;
	uint32_t fold_all, fold_esp; /* folded arrivals passed since the last unit judged */
} profile_walk;

/* The folded arrivals passed (all unmodified, none IKE): the first of them
 * ends the current runs, and each counts as an arrival after a loss. */
static void walk_folded(profile_walk *w)
{
	if (w->fold_all) {
		if (w->p->first_lost_s != 0)
			w->arrived_since_loss += w->fold_all;
		run_step(&w->r_all, &w->p->run_all, false, 0);
	}
	if (w->fold_esp)
		run_step(&w->r_esp, &w->p->run_esp, false, 0);
	w->fold_all = w->fold_esp = 0;
}

/* The folded pairs' counts, first and last time (corr_fold.c), given the
 * positions of the first and last unit judged (SIZE_MAX: none). */
static void add_folded(corr_ctx *c, int side, iks_loss_profile *p, size_t first, size_t last)
{
	const corr_fold *f = c->fold[side];
	if (!f || !f->n)
		return;
	p->all.sent += (uint32_t)f->n;
	p->esp.sent += (uint32_t)f->by_kind[UNIT_ESP];
	p->ah.sent += (uint32_t)f->by_kind[UNIT_AH];
	p->fragmented.sent += (uint32_t)f->fragmented;
	p->whole.sent += (uint32_t)(f->n - f->fragmented);
	p->df.sent += (uint32_t)f->df;
	for (unsigned b = 0; b < IKS_SIZE_BANDS; b++)
		p->size[b].sent += (uint32_t)f->size_band[b];
	if (first == SIZE_MAX || f->first < first)
		p->first_sent_s = ns_to_s(corr_to_a_clock(c, side, f->first_ts));
	if (last == SIZE_MAX || f->last > last)
		p->last_sent_s = ns_to_s(corr_to_a_clock(c, side, f->last_ts));
}

static void profile_side(corr_ctx *c, int side)
{
	const iks_trace *t = c->t[side];
	const corr_fold *f = c->fold[side];
	iks_loss_profile *p = &c->out->loss[side];
	memset(p, 0, sizeof(*p));
	profile_walk w;
	memset(&w, 0, sizeof(w));
	w.p = p;
	size_t first = SIZE_MAX, last = SIZE_MAX;
	for (size_t i = 0; i < t->nunits; i++) {
		if (f) {
			if (f->bit[i])
				continue;
			w.fold_all += f->before_all[i];
			w.fold_esp += f->before_esp[i];
		}
		uint8_t fate = c->fate[side][i];
		if (fate != IKS_FATE_ARRIVED && fate != IKS_FATE_LOST && fate != IKS_FATE_DROPPED_ICMP)
			continue;
		walk_folded(&w);
		if (first == SIZE_MAX)
			first = i;
		last = i;
		const trace_unit *u = &t->units[i];
		double ts = ns_to_s(corr_to_a_clock(c, side, u->ts));
		bool lost = fate == IKS_FATE_LOST;
		if (fate == IKS_FATE_DROPPED_ICMP)
			p->dropped_icmp++;
		uint32_t m = c->match[side][i];
		const trace_unit *v = m != NO_MATCH ? &c->t[1 - side]->units[m] : NULL;
		bool frag = (u->flags & UNIT_F_FRAGMENTED) || (v && (v->flags & UNIT_F_FRAGMENTED));
		tally(&p->all, lost);
		tally(kind_tally(p, u->kind), lost);
		tally(frag ? &p->fragmented : &p->whole, lost);
		if (!frag && (u->flags & UNIT_F_DF))
			tally(&p->df, lost);
		tally(&p->size[corr_size_band(u->size)], lost);
		if (p->first_sent_s == 0)
			p->first_sent_s = ts;
		p->last_sent_s = ts;
		if (lost) {
			if (p->first_lost_s == 0)
				p->first_lost_s = ts;
			p->last_lost_s = ts;
			p->arrived_between += w.arrived_since_loss;
			w.arrived_since_loss = 0;
		} else if (p->first_lost_s != 0) {
			w.arrived_since_loss++;
		}
		run_step(&w.r_all, &p->run_all, lost, ts);
		if (u->kind == UNIT_IKE)
			run_step(&w.r_ike, &p->run_ike, lost, ts);
		else if (u->kind == UNIT_ESP)
			run_step(&w.r_esp, &p->run_esp, lost, ts);
	}
	if (f) {
		w.fold_all += f->tail_all;
		w.fold_esp += f->tail_esp;
		walk_folded(&w);
		add_folded(c, side, p, first, last);
	}
}

void corr_loss_profile(corr_ctx *c)
{
	for (int s = 0; s < 2; s++)
		profile_side(c, s);
}

const iks_loss_profile *iks_correlation_loss_profile(const iks_correlation *c, int side)
{
	if (!c || side < 0 || side > 1)
		return NULL;
	return &c->loss[side];
}
