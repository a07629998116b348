/* one_side_packets.c - what one capture shows of the packets between the
 * host and its peer: fragments missing by position, ICMP frag-needed the
 * host ignored, ICV failures, ESP on an SA the host deleted or that no
 * negotiation in the capture produced. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ike.h>
#include <ikescope/names.h>

#include "correlate/one_side.h"

/* -------------------------------------------------- packet findings */

/* Fragments of the peer's datagrams that never completed here: which pieces
 * arrived tells which were lost. */
void one_side_fragments(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	uint32_t with_first = 0, without_first = 0;
	size_t from = c->out->nfinds;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (u->kind != UNIT_INCOMPLETE || dir_of(c, u) != IN)
			continue;
		bool first = (u->flags & UNIT_F_FIRST_SEEN) != 0;
		if (first)
			with_first++;
		else
			without_first++;
		/* at findings_max: counted there, and in the pattern here */
		iks_finding *f = corr_add_finding(c, IKS_FIND_FRAGMENT_LOSS, IKS_SEV_ERROR, IN);
		if (!f)
			continue;
		const trace_holes *h = unit_holes(t, u);
		f->ip_id = u->ip_id;
		f->proto = u->proto;
		f->count = u->nfrags;
		f->frame_a = u->frame;
		f->time_a_s = (double)u->ts / 1e9;
		f->datagram_len = h->datagram_len;
		f->nranges = h->n < IKS_FINDING_MAX_RANGES ? h->n : IKS_FINDING_MAX_RANGES;
		for (unsigned k = 0; k < f->nranges; k++) {
			f->missing[k].start = h->r[k].start;
			f->missing[k].end = h->r[k].end;
		}
	}
	uint32_t total = with_first + without_first;
	const char *pattern = !total ? NULL
			      : !without_first ? "only-first-fragments-pass"
			      : !with_first ? "first-fragments-lost"
					    : "some-fragments-lost";
	for (size_t i = from; i < c->out->nfinds; i++) {
		iks_finding *f = &c->out->finds[i];
		if (f->kind != IKS_FIND_FRAGMENT_LOSS)
			continue;
		f->pattern = pattern;
		f->pattern_lost = total;
		f->pattern_total = total;
		f->explain = !strcmp(pattern, "only-first-fragments-pass")
				     ? "only the first fragment(s) of the peer's datagram arrived: a device "
				       "in the path drops non-first fragments"
			     : !strcmp(pattern, "first-fragments-lost")
				     ? "later fragments of the peer's datagram arrived without the first: a "
				       "device in the path drops first fragments"
				     : "pieces of the peer's datagram never arrived";
	}
}

/* ICMP frag-needed errors that reached the host, and whether it then sent
 * DF packets above the MTU they named to the peer (it ignores them). */
void one_side_icmp(corr_ctx *c, uint32_t *ignored, uint64_t *which)
{
	const iks_trace *t = c->t[0];
	*ignored = 0;
	*which = 0;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *v = &t->units[i];
		if (v->kind != UNIT_ICMP_ERROR || v->addr_dst != c->host[0])
			continue;
		const trace_icmp *q = unit_icmp(t, v);
		bool fn = (q->type == 3 && q->code == 4 && v->proto == 1) || (q->type == 2 && v->proto == 58);
		if (!fn)
			continue;
		iks_finding *f = corr_add_finding(c, IKS_FIND_ICMP_FRAG_NEEDED, IKS_SEV_WARNING, OUT);
		if (!f)
			continue;
		f->explain = "a router announced a smaller MTU for a packet this host sent with DF set";
		f->reached_sender = true;
		f->mtu = q->mtu;
		f->from = *trace_addr(t, v->addr_src);
		f->from_known = true;
		f->ip_id = q->quoted_ip_id;
		f->proto = q->quoted_proto;
		f->frame_a = v->frame;
		f->time_a_s = (double)v->ts / 1e9;
		if (!q->mtu)
			continue;
		/* later DF packets to the peer above that MTU, sent whole */
		uint32_t n = 0;
		for (size_t j = i + 1; j < t->nunits; j++) {
			const trace_unit *u = &t->units[j];
			if (dir_of(c, u) == OUT && (u->flags & UNIT_F_DF) && !(u->flags & UNIT_F_FRAGMENTED) &&
			    u->size > q->mtu && u->ts > v->ts + 500000000LL)
				n++;
		}
		if (n > *ignored) {
			*ignored = n;
			*which = v->frame; /* the ICMP's frame: findings move when sorted */
		}
	}
}

/* ESP the peer sent that failed its ICV here (with -k). */
uint32_t one_side_icv(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	uint32_t n = 0;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (!(u->flags & UNIT_F_ICV_BAD) || dir_of(c, u) != IN)
			continue;
		n++;
		iks_finding *f = corr_add_finding(c, IKS_FIND_MODIFIED_IN_TRANSIT, IKS_SEV_ERROR, IN);
		if (!f)
			continue; /* n counts it still */
		f->explain = "the peer's packet failed its integrity check here: bytes changed on the "
			     "way, or the key does not fit";
		f->proto = u->proto;
		f->spi = u->spi;
		f->seq = u->seq;
		f->size = u->size;
		f->frame_a = u->frame;
		f->time_a_s = (double)u->ts / 1e9;
	}
	return n;
}

static size_t lower_i64(const int64_t *v, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

typedef struct { uint32_t spi; uint32_t unit; } spi_unit;

static int cmp_spi_unit(const void *x, const void *y)
{
	const spi_unit *a = x, *b = y;
	if (a->spi != b->spi)
		return a->spi < b->spi ? -1 : 1;
	return a->unit < b->unit ? -1 : a->unit > b->unit;
}

/* The first Delete the host sent naming each (SPI, protocol): true at
 * those (a retransmitted Delete, or another naming the same SPI, is not
 * judged again). NULL when out of memory. */
static bool *first_deletes(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	size_t n = t->ndeletes;
	bool *first = calloc(n ? n : 1, sizeof(*first));
	spi_unit *v = malloc((n ? n : 1) * sizeof(*v));
	if (!first || !v) {
		free(first);
		free(v);
		return NULL;
	}
	size_t m = 0;
	for (size_t d = 0; d < n; d++)
		if (dir_of(c, &t->units[t->deletes[d].unit]) == OUT)
			v[m++] = (spi_unit){ t->deletes[d].spi, (uint32_t)d };
	qsort(v, m, sizeof(*v), cmp_spi_unit); /* by SPI, then Delete order */
	for (size_t i = 0; i < m; i++) {
		bool seen = false;
		for (size_t j = i; j-- > 0 && v[j].spi == v[i].spi && !seen;)
			seen = t->deletes[v[j].unit].proto == t->deletes[v[i].unit].proto;
		first[v[i].unit] = !seen;
	}
	free(v);
	return first;
}

/* ESP/AH the peer kept sending on an SA the host deleted: the host's own
 * Delete (in clear, or read with keys) named its inbound SPI. The peer's
 * ESP/AH is indexed by SPI once, so each Delete looks at its own SPI's
 * packets only. */
iks_status one_side_stale(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	corr_deletes_cap_finding(c, 0);
	if (!t->ndeletes)
		return IKS_OK;
	size_t nin = 0;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		nin += (u->kind == UNIT_ESP || u->kind == UNIT_AH) && dir_of(c, u) == IN;
	}
	spi_unit *in = malloc((nin ? nin : 1) * sizeof(*in));
	bool *first = first_deletes(c);
	if (!in || !first) {
		free(in);
		free(first);
		return IKS_E_NOMEM;
	}
	size_t k = 0;
	for (size_t i = 0; i < t->nunits && k < nin; i++) {
		const trace_unit *u = &t->units[i];
		if ((u->kind == UNIT_ESP || u->kind == UNIT_AH) && dir_of(c, u) == IN)
			in[k++] = (spi_unit){ u->spi, (uint32_t)i };
	}
	qsort(in, nin, sizeof(*in), cmp_spi_unit);
	for (size_t d = 0; d < t->ndeletes; d++) {
		if (!first[d])
			continue;
		const trace_delete *del = &t->deletes[d];
		const trace_unit *du = &t->units[del->unit];
		/* the peer's packets on that SPI after the Delete, later than a
		 * transit could explain (0.5 s) */
		size_t lo = 0, hi = nin;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (in[mid].spi < del->spi || (in[mid].spi == del->spi && in[mid].unit <= del->unit))
				lo = mid + 1;
			else
				hi = mid;
		}
		uint32_t n = 0;
		const trace_unit *firstu = NULL;
		for (size_t i = lo; i < nin && in[i].spi == del->spi; i++) {
			const trace_unit *u = &t->units[in[i].unit];
			if (u->ts > du->ts + 500000000LL) {
				if (!firstu)
					firstu = u;
				n++;
			}
		}
		if (!n)
			continue;
		iks_finding *f = corr_add_finding(c, IKS_FIND_BAD_SPI, IKS_SEV_ERROR, IN);
		if (!f)
			continue;
		f->explain = "the peer kept using an SA this host deleted: its Delete never reached the "
			     "peer, or the peer ignored it";
		f->proto = del->proto == 2 ? 51 : 50;
		f->spi = del->spi;
		f->count = n;
		f->delete_frame = du->first_frame;
		f->delete_s = (double)du->ts_first / 1e9;
		f->frame_a = firstu->frame;
		f->time_a_s = (double)firstu->ts / 1e9;
		corr_ike_identity(f, t, du);
	}
	free(in);
	free(first);
	return IKS_OK;
}


static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

static bool has_u32(const uint32_t *v, size_t n, uint32_t x)
{
	return bsearch(&x, v, n, sizeof(*v), cmp_u32) != NULL;
}

/* The SPIs of the offers (or Deletes) sent in direction dir, sorted. */
static uint32_t *spis_sent(corr_ctx *c, const trace_delete *d, size_t nd, int dir, size_t *n)
{
	const iks_trace *t = c->t[0];
	uint32_t *v = malloc((nd ? nd : 1) * sizeof(*v));
	if (!v)
		return NULL;
	size_t m = 0;
	for (size_t i = 0; i < nd; i++)
		if (dir_of(c, &t->units[d[i].unit]) == dir)
			v[m++] = d[i].spi;
	qsort(v, m, sizeof(*v), cmp_u32);
	*n = m;
	return v;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/* The first index of sorted v[0..n) not below x (n when none). */
/* Every IKE message the host sent was read (in clear, or decrypted with
 * keys): then the SPIs it offered are all known. */
static bool host_ike_readable(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (u->kind != UNIT_IKE || dir_of(c, u) != OUT)
			continue;
		const trace_ike *k = unit_ike(t, u);
		if (k->encrypted && !k->decrypted)
			return false;
	}
	return true;
}

/* ESP/AH from the peer on an SPI that no negotiation in the capture gave
 * the host (RFC 7296 section 3.3.1: the SA payload a host sends carries the
 * SPI of its inbound SA; RFC 2409 section 5.5 the same for quick mode),
 * and that no Delete of the host named (one_side_stale covers those). Needs
 * every IKE message the host sent read, and at least one SPI offered. A
 * peer still using an SA from before the capture is told apart by the
 * host's own ESP to it on an SPI the peer did not offer in the capture
 * (the other half of that older pair): then nothing is said. The host
 * answering INVALID_SPI (Notify 11, RFC 7296 section 2.21.4; RFC 2408
 * section 3.14.1) makes it certain; otherwise it is likely. */
iks_status one_side_unknown_spi(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	if (t->offers_dropped) {
		iks_finding *f = corr_add_finding(c, IKS_FIND_LIMIT, IKS_SEV_WARNING, IKS_DIR_UNKNOWN);
		if (f) {
			f->explain = "more SPIs in SA payloads than a trace keeps: ESP on an SPI no "
				     "negotiation produced is not looked for";
			f->count = (uint32_t)(t->offers_dropped > UINT32_MAX ? UINT32_MAX
									 : t->offers_dropped);
		}
		return IKS_OK;
	}
	if (!t->noffers || !host_ike_readable(c))
		return IKS_OK;
	size_t nown = 0, npeer = 0, ndel = 0, nu = 0;
	uint32_t *own = spis_sent(c, t->offers, t->noffers, OUT, &nown);
	uint32_t *peer = spis_sent(c, t->offers, t->noffers, IN, &npeer);
	uint32_t *del = spis_sent(c, t->deletes, t->ndeletes, OUT, &ndel);
	spi_unit *u = malloc((t->nunits ? t->nunits : 1) * sizeof(*u));
	/* the host's INVALID_SPI answers (unit indices, in order), and the
	 * times of its ESP/AH on SPIs the peer did not offer here (sorted) */
	uint32_t *nt = malloc((t->nunits ? t->nunits : 1) * sizeof(*nt));
	int64_t *older = malloc((t->nunits ? t->nunits : 1) * sizeof(*older));
	size_t nn = 0, nolder = 0;
	iks_status st = own && peer && del && u && nt && older ? IKS_OK : IKS_E_NOMEM;
	for (size_t i = 0; st == IKS_OK && i < t->nunits; i++) {
		const trace_unit *x = &t->units[i];
		if (dir_of(c, x) != OUT)
			continue;
		if (x->kind == UNIT_IKE && unit_ike(t, x)->notify_error == 11)
			nt[nn++] = (uint32_t)i;
		else if ((x->kind == UNIT_ESP || x->kind == UNIT_AH) && !has_u32(peer, npeer, x->spi))
			older[nolder++] = x->ts;
	}
	if (nolder)
		qsort(older, nolder, sizeof(*older), cmp_i64);
	for (size_t i = 0; st == IKS_OK && nown && i < t->nunits; i++) {
		const trace_unit *x = &t->units[i];
		if ((x->kind == UNIT_ESP || x->kind == UNIT_AH) && dir_of(c, x) == IN &&
		    !has_u32(own, nown, x->spi) && !has_u32(del, ndel, x->spi))
			u[nu++] = (spi_unit){ x->spi, (uint32_t)i };
	}
	if (nu)
		qsort(u, nu, sizeof(*u), cmp_spi_unit);
	for (size_t g = 0; st == IKS_OK && g < nu;) {
		size_t e = g;
		while (e < nu && u[e].spi == u[g].spi)
			e++;
		const trace_unit *first = &t->units[u[g].unit], *last = &t->units[u[e - 1].unit];
		/* the host's answer, or its own use of an older SA pair, meanwhile */
		const trace_unit *notify = NULL;
		for (size_t k = 0; k < nn && !notify; k++)
			if (nt[k] > u[g].unit)
				notify = &t->units[nt[k]];
		size_t at = lower_i64(older, nolder, first->ts - 10000000000LL);
		bool older_pair = at < nolder && older[at] <= last->ts + 10000000000LL;
		iks_finding *f = notify || !older_pair
					 ? corr_add_finding(c, IKS_FIND_BAD_SPI, IKS_SEV_ERROR, IN)
					 : NULL;
		if (f) {
			f->explain = notify ? "the peer sends on an SA this host does not have (it answered "
					      "INVALID_SPI): the peer kept an SA the host lost (a restart, or "
					      "a Delete the peer missed)"
					    : "the peer sends on an SA no negotiation in this capture produced, "
					      "and this host sends nothing back on an older one: the peer "
					      "likely kept an SA the host lost (a restart, or a missed Delete)";
			f->proto = first->kind == UNIT_AH ? 51 : 50;
			f->spi = first->spi;
			f->count = (uint32_t)(e - g);
			f->frame_a = first->frame;
			f->time_a_s = (double)first->ts / 1e9;
			if (notify) {
				f->notify = 11;
				f->frame_b = notify->frame; /* one capture: the host's answer */
				f->time_b_s = (double)notify->ts / 1e9;
			}
		}
		g = e;
	}
	free(own);
	free(peer);
	free(del);
	free(u);
	free(nt);
	free(older);
	return st;
}
