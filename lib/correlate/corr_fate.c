/*
 * corr_fate.c - per-frame fates kept after the correlation (see
 * corr_fate.h and iks_correlation_frame_fate() in ikescope/correlate.h).
 *
 * Only reads what the matching steps left: the match of each unit, its
 * role, and the lost lists; it changes nothing they decided.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "correlate/corr_fate.h"

/* The lost-list entry of unit u (the list is in order of first frames;
 * entries of datagrams sent at once may interleave: look a few back). */
static const iks_lost_packet *in_lost(const iks_correlation *out, int s, const trace_unit *u)
{
	const iks_lost_packet *l = out->lost[s];
	size_t lo = 0, hi = out->nlost[s];
	while (lo < hi) { /* first entry starting after u */
		size_t mid = lo + (hi - lo) / 2;
		if (l[mid].first_frame <= u->first_frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k > 0 && lo - k < 64; k--)
		if (l[k - 1].first_frame <= u->first_frame && u->frame <= l[k - 1].last_frame &&
		    (!l[k - 1].fragmented || l[k - 1].ip_id == u->ip_id))
			return &l[k - 1];
	return NULL;
}

static int cmp_frame(const void *x, const void *y)
{
	const corr_fate_unit *a = x, *b = y;
	return a->frame < b->frame ? -1 : a->frame > b->frame;
}

iks_status corr_keep_fates(corr_ctx *c)
{
	corr_fates *f = calloc(1, sizeof(*f));
	if (!f)
		return IKS_E_NOMEM;
	c->out->fates = f;
	f->offset_ns = c->offset_ns;
	f->drift = c->drift;
	f->t0_ns = c->t0_ns;
	f->kept = !c->opt.no_frame_fates;
	for (int s = 0; s < 2 && f->kept; s++) {
		const iks_trace *t = c->t[s];
		f->u[s] = big_calloc(t->nunits ? t->nunits : 1, sizeof(corr_fate_unit));
		if (!f->u[s])
			return IKS_E_NOMEM;
		size_t n = 0;
		for (size_t i = 0; i < t->nunits; i++) {
			const trace_unit *u = &t->units[i];
			uint8_t role = c->role[s][i];
			if (role != ROLE_SENT && role != ROLE_RECEIVED)
				continue;
			corr_fate_unit *e = &f->u[s][n++];
			e->frame = u->frame;
			e->first_frame = u->first_frame;
			e->ts = u->ts;
			uint32_t m = c->match[s][i];
			if (m != NO_MATCH) {
				const trace_unit *v = &c->t[1 - s]->units[m];
				e->other_frame = v->first_frame;
				e->other_ts = v->ts;
				e->fate = role == ROLE_SENT ? IKS_FF_ARRIVED : IKS_FF_RECEIVED;
			} else if (role == ROLE_RECEIVED) {
				e->fate = IKS_FF_ONLY_RECEIVED;
			} else {
				const iks_lost_packet *l = in_lost(c->out, s, u);
				e->fate = l ? (l->reason == IKS_LOST_ICMP ? IKS_FF_DROPPED_ICMP : IKS_FF_LOST)
					: corr_beyond(c, s, i) ? IKS_FF_MISSED_NEXT : IKS_FF_NOT_JUDGED;
			}
		}
		f->n[s] = n;
		/* units complete in frame order, so this is mostly already so */
		bool sorted = true;
		for (size_t i = 1; i < n && sorted; i++)
			sorted = f->u[s][i - 1].frame <= f->u[s][i].frame;
		if (!sorted)
			qsort(f->u[s], n, sizeof(corr_fate_unit), cmp_frame);
	}
	return IKS_OK;
}

void corr_fates_free(corr_fates *f)
{
	if (!f)
		return;
	free(f->u[0]);
	free(f->u[1]);
	free(f);
}

static double to_a_ns(const corr_fates *f, int side, double ts)
{
	if (side == 0)
		return ts;
	return (ts - f->offset_ns + f->drift * f->t0_ns) / (1 + f->drift);
}

double iks_correlation_time_on_a(const iks_correlation *c, int side, int64_t sec, uint32_t nsec)
{
	double ns = (double)sec * 1e9 + (double)nsec;
	if (!c || !c->fates || side != 1)
		return ns / 1e9;
	return to_a_ns(c->fates, side, ns) / 1e9;
}

static const corr_fate_unit *find(const corr_fates *f, int s, uint64_t frame, bool *first)
{
	const corr_fate_unit *u = f->u[s];
	size_t lo = 0, hi = f->n[s];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (u[mid].frame < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < f->n[s] && u[lo].frame == frame) {
		*first = u[lo].first_frame == frame;
		return &u[lo];
	}
	/* a first fragment: the unit completing at or after it whose first frame it is
	   (fragments of one datagram arrive close together: look a little ahead) */
	for (size_t k = lo; k < f->n[s] && k < lo + 64; k++)
		if (u[k].first_frame == frame) {
			*first = true;
			return &u[k];
		}
	return NULL;
}

iks_status iks_correlation_frame_fate(const iks_correlation *c, int side, uint64_t frame,
				      iks_frame_fate *out)
{
	if (!c || !out || side < 0 || side > 1)
		return IKS_E_INVALID;
	memset(out, 0, sizeof(*out));
	if (c->fates && !c->fates->kept)
		return IKS_E_INVALID;
	if (!c->fates)
		return IKS_OK;
	const corr_fates *f = c->fates;
	bool first = false;
	const corr_fate_unit *u = find(f, side, frame, &first);
	if (!u)
		return IKS_OK;
	out->fate = u->fate;
	out->first = first;
	bool sent = u->fate == IKS_FF_ARRIVED || u->fate == IKS_FF_LOST ||
		    u->fate == IKS_FF_NOT_JUDGED || u->fate == IKS_FF_DROPPED_ICMP ||
		    u->fate == IKS_FF_MISSED_NEXT;
	out->dir = (side == 0) == sent ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
	out->other_frame = u->other_frame;
	if (u->other_frame) {
		double here = to_a_ns(f, side, (double)u->ts);
		double there = to_a_ns(f, 1 - side, (double)u->other_ts);
		out->delay_s = (sent ? there - here : here - there) / 1e9;
	}
	return IKS_OK;
}
