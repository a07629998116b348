/*
 * corr_deletes.c - SAs deleted at one end and still used by the other.
 *
 * A Delete payload names the sender's inbound SPIs (RFC 7296 section 1.4.1;
 * RFC 2408 section 3.15 for IKEv1): after it, the peer must stop sending on
 * them. When it goes on, either the Delete never reached it (the "lost
 * delete" that leaves one end believing the SA pair exists) or it arrived
 * and was not acted on; the deleting end, once its SA is gone, drops what
 * comes as a bad SPI (Windows event 4268). Deletes are seen in clear only
 * when sent without an IKE SA; otherwise they need keys (pcapcorrelate -k).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "correlate/correlate_internal.h"

/* Packets already on their way when the Delete went out are no evidence:
 * only what is sent this long after the Delete reached (or would have
 * reached) the peer counts. */
#define GRACE_NS 200000000.0

static const char EXPLAIN_LOST[] =
	"the Delete never reached the peer, which still believes the SA pair exists and keeps "
	"sending on it; once the deleting end has removed the SA it drops these packets as a bad "
	"SPI (Windows event 4268) until the peer's SA expires or dead peer detection notices";
static const char EXPLAIN_IGNORED[] =
	"the peer received the Delete but kept sending on the SA: it did not act on it (its IKE log "
	"says why); the deleting end drops these packets as a bad SPI (Windows event 4268)";

typedef struct del_ref {
	uint32_t spi;
	uint8_t proto;
	uint32_t unit;
} del_ref;

static int cmp_del(const void *x, const void *y)
{
	const del_ref *a = x, *b = y;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->spi != b->spi)
		return a->spi < b->spi ? -1 : 1;
	return a->unit < b->unit ? -1 : (a->unit > b->unit);
}

/* The deletes side s's host sent, by (protocol, SPI, time). */
static del_ref *sent_deletes(const corr_ctx *c, int s, size_t *n)
{
	const iks_trace *t = c->t[s];
	del_ref *d = malloc((t->ndeletes ? t->ndeletes : 1) * sizeof(*d));
	if (!d)
		return NULL;
	size_t m = 0;
	for (size_t i = 0; i < t->ndeletes; i++) {
		const trace_delete *x = &t->deletes[i];
		if (c->role[s][x->unit] != ROLE_SENT)
			continue;
		d[m].spi = x->spi;
		d[m].proto = x->proto;
		d[m].unit = x->unit;
		m++;
	}
	qsort(d, m, sizeof(*d), cmp_del);
	*n = m;
	return d;
}

/* Each side's ESP/AH units by (SPI, index): built once, so that every
 * deleted SPI looks only at its own packets. */
typedef struct spi_index {
	del_ref *u;    /* spi, proto (2 AH, 3 ESP), unit */
	size_t n;
} spi_index;

static iks_status build_spi_index(const corr_ctx *c, int side, spi_index *x)
{
	const iks_trace *t = c->t[side];
	size_t n = 0;
	/* folded units are of SPIs no Delete names (corr_fold.c): never
	 * looked up here */
	for (size_t i = 0; i < t->nunits; i++)
		n += (t->units[i].kind == UNIT_ESP || t->units[i].kind == UNIT_AH) &&
		     !corr_folded(c, side, i);
	x->u = malloc((n ? n : 1) * sizeof(*x->u));
	x->n = 0;
	if (!x->u)
		return IKS_E_NOMEM;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if ((u->kind != UNIT_ESP && u->kind != UNIT_AH) || corr_folded(c, side, i))
			continue;
		x->u[x->n++] = (del_ref){ u->spi, u->kind == UNIT_AH ? 2 : 3, (uint32_t)i };
	}
	qsort(x->u, x->n, sizeof(*x->u), cmp_del);
	return IKS_OK;
}

/* The first unit of trace `side` with this role, SPI and protocol sent
 * after `after_ns` (that trace's clock), and how many there are. */
static const trace_unit *use_after(const corr_ctx *c, const spi_index *x, int side, uint8_t role,
				   uint8_t proto, uint32_t spi, double after_ns, uint32_t *count)
{
	const iks_trace *t = c->t[side];
	const trace_unit *first = NULL;
	*count = 0;
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const del_ref *m = &x->u[mid];
		if (m->proto < proto || (m->proto == proto && m->spi < spi))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < x->n && x->u[k].proto == proto && x->u[k].spi == spi; k++) {
		const trace_unit *u = &t->units[x->u[k].unit];
		if (c->role[side][x->u[k].unit] != role || (double)u->ts_first <= after_ns)
			continue;
		if (!first)
			first = u;
		(*count)++;
	}
	return first;
}

/* One deleted SPI: copies [from, to) of its Delete, sent by side s. */
static void judge_delete(corr_ctx *c, const spi_index x[2], int s, const del_ref *d, size_t from,
			 size_t to)
{
	int r = 1 - s;
	const iks_trace *ts = c->t[s];
	const trace_unit *del = &ts->units[d[from].unit];
	/* when the peer had it (the first copy that arrived), or would have */
	const trace_unit *arrived = NULL;
	for (size_t k = from; k < to && !arrived; k++) {
		uint32_t m = c->match[s][d[k].unit];
		if (m != NO_MATCH)
			arrived = &c->t[r]->units[m];
	}
	double peer_knows = arrived ? (double)arrived->ts
				    : corr_expected_arrival(c, s, del->ts);
	uint32_t n_peer, n_here;
	const trace_unit *at_peer = use_after(c, &x[r], r, ROLE_SENT, d[from].proto, d[from].spi,
					      peer_knows + GRACE_NS, &n_peer);
	/* on s's clock: what the peer sent once it knew would be back by then */
	double here_from = (double)del->ts + c->delay_ns[0] + c->delay_ns[1];
	const trace_unit *at_here = use_after(c, &x[s], s, ROLE_RECEIVED, d[from].proto, d[from].spi,
					      here_from + GRACE_NS, &n_here);
	if (!at_peer && !at_here)
		return;
	iks_finding *f = corr_add_finding(c, IKS_FIND_BAD_SPI, IKS_SEV_ERROR,
					  r == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A);
	if (!f)
		return;
	f->explain = arrived ? EXPLAIN_IGNORED : EXPLAIN_LOST;
	f->proto = d[from].proto == 2 ? 51 : 50;
	f->spi = d[from].spi;
	f->count = at_peer ? n_peer : n_here;
	f->delete_frame = del->first_frame;
	f->delete_s = (double)del->ts_first / 1e9;
	f->delete_arrived = arrived != NULL;
	const trace_unit *pa = r == 0 ? at_peer : at_here, *pb = r == 0 ? at_here : at_peer;
	if (pa) {
		f->frame_a = pa->first_frame;
		f->time_a_s = (double)pa->ts_first / 1e9;
	}
	if (pb) {
		f->frame_b = pb->first_frame;
		f->time_b_s = (double)pb->ts_first / 1e9;
	}
	corr_ike_identity(f, ts, del);
}

iks_status corr_deleted_sas(corr_ctx *c)
{
	for (int s = 0; s < 2; s++)
		corr_deletes_cap_finding(c, s);
	if (!c->t[0]->ndeletes && !c->t[1]->ndeletes)
		return IKS_OK; /* the usual case: nothing to index */
	spi_index x[2] = { { NULL, 0 }, { NULL, 0 } };
	iks_status st = IKS_OK;
	for (int s = 0; s < 2 && st == IKS_OK; s++)
		st = build_spi_index(c, s, &x[s]);
	for (int s = 0; s < 2 && st == IKS_OK; s++) {
		size_t n;
		del_ref *d = sent_deletes(c, s, &n);
		if (!d) {
			st = IKS_E_NOMEM;
			break;
		}
		for (size_t i = 0; i < n;) {
			size_t j = i + 1;
			while (j < n && d[j].spi == d[i].spi && d[j].proto == d[i].proto)
				j++;
			judge_delete(c, x, s, d, i, j);
			i = j;
		}
		free(d);
	}
	free(x[0].u);
	free(x[1].u);
	return st;
}
