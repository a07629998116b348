/*
 * auditjoin.c - audit events joined to one capture's trace.
 *
 * 541 quick mode: its inbound and outbound SPIs looked up among the ESP
 * SPIs of the capture (exact identities: no clock needed). The first ESP
 * packet of each matched SA, minus the event time, gives one estimate of
 * the host's clock offset; the median of those is the offset used for the
 * rest unless one is given. 541 main mode: the IKE_SA set-up exchange
 * (IKEv1 main/aggressive mode, IKEv2 IKE_AUTH) between the event's
 * addresses nearest its time; 542/543: the nearest informational exchange
 * (IKEv1 5, IKEv2 INFORMATIONAL 37); 547: the last IKE message between
 * those addresses at or before its time (the negotiation that failed).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ikescope/audit.h>

#include "trace/trace.h"

typedef struct spi_slot {
	uint32_t spi;
	uint32_t count;        /* 0: empty slot */
	uint64_t frame;
	int64_t ts;
} spi_slot;

typedef struct spi_index {
	spi_slot *slots;
	uint32_t nslots, used, max;
	bool full;
	uint64_t refused; /* ESP packets whose SPI found the index full */
} spi_index;

static uint32_t spi_hash(uint32_t spi, uint32_t nslots)
{
	return (uint32_t)((spi * 2654435761u) & (nslots - 1));
}

static spi_slot *spi_find(const spi_index *ix, uint32_t spi)
{
	for (uint32_t i = spi_hash(spi, ix->nslots), k = 0; k < ix->nslots; k++, i = (i + 1) & (ix->nslots - 1)) {
		if (!ix->slots[i].count)
			return NULL;
		if (ix->slots[i].spi == spi)
			return &ix->slots[i];
	}
	return NULL;
}

static void spi_add(spi_index *ix, const trace_unit *u)
{
	uint32_t i = spi_hash(u->spi, ix->nslots);
	while (ix->slots[i].count && ix->slots[i].spi != u->spi)
		i = (i + 1) & (ix->nslots - 1);
	spi_slot *s = &ix->slots[i];
	if (!s->count) {
		if (ix->used >= ix->max) {
			ix->full = true;
			ix->refused++;
			return;
		}
		ix->used++;
		s->spi = u->spi;
		s->frame = u->first_frame;
		s->ts = u->ts_first;
	}
	s->count++;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/* by time, then capture order (stable for equal times) */
static int cmp_unit_ts(const void *x, const void *y)
{
	const trace_unit *a = *(const trace_unit *const *)x, *b = *(const trace_unit *const *)y;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a < b ? -1 : a > b;
}

static bool addr_eq(const iks_addr *a, const iks_addr *b)
{
	size_t n = a->family == 4 ? 4 : 16;
	return a->family == b->family && memcmp(a->bytes, b->bytes, n) == 0;
}

/* The event's two IKE addresses (IKE Local/Peer Addr; the filter for a
 * main mode event without them). */
static bool event_addrs(const iks_audit_event *e, iks_addr *x, iks_addr *y)
{
	if (e->local.family && e->peer.family) {
		*x = e->local;
		*y = e->peer;
		return true;
	}
	if (e->has_filter && e->mode_kind != IKS_AUDIT_QUICK_MODE) {
		*x = e->filter_src;
		*y = e->filter_dst;
		return x->family && y->family;
	}
	return false;
}

static bool unit_between(const iks_trace *t, const trace_unit *u, bool have, const iks_addr *x,
			 const iks_addr *y)
{
	if (!have)
		return true;
	const iks_addr *s = trace_addr(t, u->addr_src), *d = trace_addr(t, u->addr_dst);
	return (addr_eq(s, x) && addr_eq(d, y)) || (addr_eq(s, y) && addr_eq(d, x));
}

static bool is_setup(const trace_ike *k)
{
	return k->version == 1 ? (k->exchange == 2 || k->exchange == 4) : k->exchange == 35;
}

static bool is_info(const trace_ike *k)
{
	return k->version == 1 ? k->exchange == 5 : k->exchange == 37;
}

static void fill_ike(const iks_trace *t, const trace_unit *const *ike, size_t nike,
		     const trace_unit *u, iks_audit_match *m, int64_t when)
{
	const trace_ike *k = unit_ike(t, u);
	m->has_ike = true;
	m->version = k->version;
	m->exchange = k->exchange;
	memcpy(m->ispi, k->ispi, 8);
	memcpy(m->rspi, k->rspi, 8);
	m->msgid = k->msgid;
	m->frame = u->frame;
	m->frame_ns = u->ts;
	m->delta_s = (double)(u->ts - when) / 1e9;
	m->first_frame = u->first_frame;
	bool first = true;
	for (size_t i = 0; i < nike; i++) {
		const trace_unit *v = ike[i];
		if (memcmp(unit_ike(t, v)->ispi, k->ispi, 8))
			continue;
		if (first)
			m->first_frame = v->first_frame;
		first = false;
		/* the responder's SPI as soon as a message carries it */
		static const uint8_t zero[8] = { 0 };
		if (!memcmp(m->rspi, zero, 8))
			memcpy(m->rspi, unit_ike(t, v)->rspi, 8);
	}
}

iks_status iks_audit_join_run(const iks_audit *a, const iks_trace *t,
			      const iks_audit_join_options *opt, iks_audit_join **out)
{
	if (!a || !t || !out)
		return IKS_E_INVALID;
	iks_audit_join_options o = { 0 };
	if (opt)
		o = *opt;
	if (!o.window_ms)
		o.window_ms = 30000;
	if (!o.spis_max)
		o.spis_max = 65536;
	size_t n = iks_audit_nevents(a);
	iks_audit_join *j = calloc(1, sizeof(*j));
	spi_index ix = { 0 };
	ix.max = o.spis_max;
	ix.nslots = 16;
	while (ix.nslots < 2 * (uint64_t)o.spis_max && ix.nslots < (1u << 30))
		ix.nslots *= 2;
	/* grow the table only as far as the capture needs */
	size_t nesp = 0;
	for (size_t i = 0; i < t->nunits; i++)
		nesp += t->units[i].kind == UNIT_ESP;
	while (ix.nslots > 16 && ix.nslots / 2 >= 2 * nesp)
		ix.nslots /= 2;
	ix.slots = calloc(ix.nslots, sizeof(*ix.slots));
	int64_t *anchors = calloc(n ? n : 1, sizeof(*anchors));
	if (j)
		j->m = calloc(n ? n : 1, sizeof(*j->m));
	if (!j || !j->m || !ix.slots || !anchors) {
		free(ix.slots);
		free(anchors);
		iks_audit_join_free(j);
		return IKS_E_NOMEM;
	}
	j->nevents = n;
	for (size_t i = 0; i < t->nunits; i++)
		if (t->units[i].kind == UNIT_ESP)
			spi_add(&ix, &t->units[i]);
	j->spi_limit = ix.full;
	j->spi_packets_not_indexed = ix.refused;

	/* 541 quick mode by SPI, and the clock anchors it gives */
	size_t nanch = 0;
	for (size_t i = 0; i < n; i++) {
		const iks_audit_event *e = iks_audit_event_at(a, i);
		iks_audit_match *m = &j->m[i];
		if (e->id != 541 || !e->has_spi)
			continue;
		const spi_slot *in = e->spi_in ? spi_find(&ix, e->spi_in) : NULL;
		const spi_slot *outs = e->spi_out ? spi_find(&ix, e->spi_out) : NULL;
		if (!in && !outs)
			continue;
		const spi_slot *first = !in ? outs : !outs ? in : (in->ts <= outs->ts ? in : outs);
		m->kind = IKS_AUDIT_BY_SPI;
		m->frame = first->frame;
		m->frame_ns = first->ts;
		m->spi_in_frame = in ? in->frame : 0;
		m->spi_in_packets = in ? in->count : 0;
		m->spi_out_frame = outs ? outs->frame : 0;
		m->spi_out_packets = outs ? outs->count : 0;
		if (e->has_time)
			anchors[nanch++] = first->ts - e->time_ns;
	}
	if (o.has_offset) {
		j->has_offset = true;
		j->offset_ns = o.offset_ns;
		j->offset_from = o.offset_from ? o.offset_from : "given";
	} else if (nanch) {
		qsort(anchors, nanch, sizeof(*anchors), cmp_i64);
		j->has_offset = true;
		j->offset_ns = anchors[nanch / 2];
		j->offset_from = "spi";
	} else {
		j->offset_from = "none";
	}
	free(anchors);

	/* the IKE messages in time order, for the time-based joins */
	size_t nike = 0;
	for (size_t i = 0; i < t->nunits; i++)
		nike += t->units[i].kind == UNIT_IKE;
	const trace_unit **ike = malloc((nike ? nike : 1) * sizeof(*ike));
	if (!ike) {
		free(ix.slots);
		iks_audit_join_free(j);
		return IKS_E_NOMEM;
	}
	nike = 0;
	for (size_t i = 0; i < t->nunits; i++)
		if (t->units[i].kind == UNIT_IKE)
			ike[nike++] = &t->units[i];
	qsort(ike, nike, sizeof(*ike), cmp_unit_ts);

	int64_t win = (int64_t)o.window_ms * 1000000;
	for (size_t i = 0; i < n; i++) {
		const iks_audit_event *e = iks_audit_event_at(a, i);
		iks_audit_match *m = &j->m[i];
		if (m->kind == IKS_AUDIT_BY_SPI) {
			m->delta_s = e->has_time ? (double)(m->frame_ns - (e->time_ns + j->offset_ns)) / 1e9 : 0;
			continue;
		}
		if (!e->has_time || !j->has_offset)
			continue;
		iks_addr x, y;
		bool have = event_addrs(e, &x, &y);
		int64_t when = e->time_ns + j->offset_ns;
		int64_t res = (int64_t)e->resolution_ms * 1000000;
		const trace_unit *best = NULL;
		int64_t bestd = 0;
		int kind = IKS_AUDIT_UNMATCHED;
		/* only the IKE messages within the window, found by time */
		size_t lo = 0, hi = nike;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (ike[mid]->ts < when - win)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < nike && ike[k]->ts <= when + win; k++) {
			const trace_unit *u = ike[k];
			if (!unit_between(t, u, have, &x, &y))
				continue;
			const trace_ike *ik = unit_ike(t, u);
			int64_t d = u->ts - when;
			if (e->id == 547) {
				/* the last message at or before the failure was written */
				if (d > res || d < -win)
					continue;
				if (!best || u->ts >= best->ts)
					best = u;
				kind = IKS_AUDIT_BY_NEGOTIATION;
				continue;
			}
			bool setup = e->id == 541 && e->mode_kind != IKS_AUDIT_QUICK_MODE;
			bool want = setup ? is_setup(ik) : (e->id == 542 || e->id == 543) ? is_info(ik) : false;
			if (!want || d > win || d < -win)
				continue;
			int64_t ad = d < 0 ? -d : d;
			/* an SA is reported established after its last set-up message:
			 * prefer the last one written before the event (within its resolution) */
			if (setup && d <= res)
				ad = -u->ts;
			if (!best || ad < bestd || (setup && d <= res && bestd >= 0)) {
				best = u;
				bestd = ad;
				kind = e->id == 541 ? IKS_AUDIT_BY_EXCHANGE : IKS_AUDIT_BY_DELETE;
			}
		}
		if (best) {
			m->kind = kind;
			fill_ike(t, ike, nike, best, m, when);
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t id = iks_audit_event_at(a, i)->id;
		if (id != 541 && id != 542 && id != 543 && id != 547)
			continue; /* not an IPsec event: read, not joined */
		if (j->m[i].kind != IKS_AUDIT_UNMATCHED)
			j->matched++;
		else
			j->unmatched++;
	}
	free(ike);
	free(ix.slots);
	*out = j;
	return IKS_OK;
}

void iks_audit_join_free(iks_audit_join *j)
{
	if (!j)
		return;
	free(j->m);
	free(j);
}

const char *iks_audit_match_name(int kind)
{
	switch (kind) {
	case IKS_AUDIT_BY_SPI: return "spi";
	case IKS_AUDIT_BY_EXCHANGE: return "exchange";
	case IKS_AUDIT_BY_DELETE: return "delete";
	case IKS_AUDIT_BY_NEGOTIATION: return "negotiation";
	default: return "unmatched";
	}
}
