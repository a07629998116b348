/*
 * corr_hostdrop.c - packets dropped inside the capturing host.
 *
 * A pcapng written by pktmon / etl2pcapng marks with epb_verdict the copy
 * of a packet at the component that dropped it (a WFP filter, IPsec for an
 * unknown SPI, ...). The packet reached that host, so the trace matched it
 * as arrived; here it is also reported as dropped inside the host, grouped
 * by side, verdict and component, and counted in the stats. It never
 * counts as loss in the path.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "correlate/corr_hostdrop.h"

static const char EXPLAIN_HOST_DROP[] =
	"the packet reached this host and a component inside it dropped it (the capture's "
	"epb_verdict): not loss in the network; look at that host's filters or SAs";

static bool same_group(const trace_hostdrops *hd, const trace_hostdrop *x, const trace_hostdrop *y)
{
	return x->verdict_type == y->verdict_type && x->verdict == y->verdict &&
	       x->interface == y->interface &&
	       strcmp(trace_hostdrop_name(hd, x), trace_hostdrop_name(hd, y)) == 0;
}

/* The other end's copy of the unit side s carried in `frame`, if matched. */
static const trace_unit *other_copy(const corr_ctx *c, int s, uint64_t frame)
{
	const iks_trace *t = c->t[s];
	for (size_t i = 0; i < t->nunits; i++) {
		/* a dropped frame's SPI is never folded (corr_fold.c) */
		if (t->units[i].frame != frame || corr_folded(c, s, i))
			continue;
		uint32_t m = c->match[s][i];
		return m == NO_MATCH ? NULL : &c->t[1 - s]->units[m];
	}
	return NULL;
}

#define GROUPS_MAX 64 /* distinct (verdict, component) per side reported */

typedef struct drop_group {
	size_t first;          /* entry index */
	uint32_t count;
	bool mixed;            /* entries differ in protocol or SPI */
} drop_group;

static void side_findings(corr_ctx *c, int s)
{
	const trace_hostdrops *hd = &c->t[s]->hostdrops;
	uint64_t *count = s == 0 ? &c->out->stats.host_dropped_a : &c->out->stats.host_dropped_b;
	*count = hd->n + hd->over;
	drop_group g[GROUPS_MAX];
	size_t ng = 0;
	uint64_t ungrouped = hd->over;
	for (size_t i = 0; i < hd->n; i++) {
		const trace_hostdrop *e = &hd->v[i];
		size_t k = 0;
		while (k < ng && !same_group(hd, &hd->v[g[k].first], e))
			k++;
		if (k == ng) {
			if (ng == GROUPS_MAX) {
				ungrouped++;
				continue;
			}
			g[ng].first = i;
			g[ng].count = 0;
			g[ng].mixed = false;
			ng++;
		}
		const trace_hostdrop *h = &hd->v[g[k].first];
		if (g[k].count < UINT32_MAX)
			g[k].count++;
		if (e->proto != h->proto || e->spi != h->spi)
			g[k].mixed = true;
	}
	for (size_t k = 0; k < ng; k++) {
		const trace_hostdrop *e = &hd->v[g[k].first];
		iks_finding *f = corr_add_finding(c, IKS_FIND_HOST_DROP, IKS_SEV_ERROR,
						  IKS_DIR_UNKNOWN);
		if (!f)
			return;
		f->explain = EXPLAIN_HOST_DROP;
		f->side = s == 0 ? 'a' : 'b';
		f->count = g[k].count;
		f->verdict_type = e->verdict_type;
		f->verdict = e->verdict;
		f->component_if = e->interface;
		snprintf(f->component, sizeof(f->component), "%s", trace_hostdrop_name(hd, e));
		f->proto = g[k].mixed ? 0 : e->proto;
		f->spi = g[k].mixed ? 0 : e->spi;
		if (s == 0) {
			f->frame_a = e->frame;
			f->time_a_s = (double)e->ts / 1e9;
		} else {
			f->frame_b = e->frame;
			f->time_b_s = (double)e->ts / 1e9;
		}
		const trace_unit *v = other_copy(c, s, e->frame);
		if (v && s == 0) {
			f->frame_b = v->first_frame;
			f->time_b_s = (double)v->ts_first / 1e9;
		} else if (v) {
			f->frame_a = v->first_frame;
			f->time_a_s = (double)v->ts_first / 1e9;
		}
	}
	if (ungrouped) {
		/* past the table's cap or more components than kept: said, not hidden */
		iks_finding *f = corr_add_finding(c, IKS_FIND_LIMIT, IKS_SEV_WARNING, IKS_DIR_UNKNOWN);
		if (f) {
			f->explain = "more host-dropped packets or (verdict, component) pairs than "
				     "kept: the rest are only counted in the stats";
			f->side = s == 0 ? 'a' : 'b';
			f->count = ungrouped > UINT32_MAX ? UINT32_MAX : (uint32_t)ungrouped;
		}
	}
}

void corr_hostdrop_findings(corr_ctx *c)
{
	for (int s = 0; s < 2; s++)
		side_findings(c, s);
}
