/*
 * findings.c - what the matched traces say about the path: loss (whole
 * packets, fragments, fragment patterns), PMTU black holes, NAT, packets
 * changed in transit, the clock offset (ICMP fragmentation-needed:
 * corr_icmp.c).
 * The one-line explanations come from the field notes (the seeds'
 * "Troubleshooting IPsec" chapter and knowledge-base articles).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "correlate/correlate_internal.h"
#include "correlate/corr_hostdrop.h"

static const char EXPLAIN_CLOCK[] =
	"the two captures' clocks differ by this much; all times are aligned with it";
static const char EXPLAIN_NAT[] =
	"addresses or ports differ between the two ends: a NAT rewrites them in the path "
	"(NAT-T, UDP 4500, is needed; XP SP2 will not initiate to a responder behind NAT by default)";
static const char EXPLAIN_LOSS_IKE[] =
	"an IKE message left one end and never reached the other: a request is sent again until "
	"the sender's retry limit, an IKEv1 message by whichever end waits for the next one";
static const char EXPLAIN_LOSS_IKE_RESPONSE[] =
	"an IKE response left the responder and never reached the requester: the requester will "
	"send its request again, and the responder answer again, until the requester's retry limit";
static const char EXPLAIN_LOSS[] =
	"packets left one end and never reached the other";
/* fragment-loss, by the pattern of the direction's fragmented datagrams */
static const char EXPLAIN_FRAG_FIRST_ONLY[] =
	"only the first fragment of each fragmented datagram arrived: a device in the path drops "
	"non-first fragments (a filter that needs the ports, which only the first fragment carries, "
	"or one that cannot reassemble); large IKE messages with certificates or Kerberos tickets "
	"need them: enable IKE fragmentation or let fragments through";
static const char EXPLAIN_FRAG_FIRST_LOST[] =
	"the first fragment of each fragmented datagram was lost while the later ones arrived: a "
	"device in the path drops first fragments, the only ones that carry the UDP header (a port "
	"or size filter on UDP 500/4500), not fragments as such";
static const char EXPLAIN_FRAG_NONE[] =
	"no fragment of any fragmented datagram sent this way arrived: a device in the path drops "
	"all IP fragments (large IKE messages with certificates or Kerberos "
	"tickets, and ESP at full MTU, need them)";
static const char EXPLAIN_FRAG_SOME[] =
	"some fragmented datagrams did not arrive whole while others did: fragments are lost in "
	"the path (congestion, random loss or a reassembly limit), not filtered by position";
static const char EXPLAIN_PMTU[] =
	"packets above a size are lost while smaller ones pass, with no ICMP fragmentation-needed "
	"reaching the sender: a PMTU black hole (IPsec overhead pushes packets over the path MTU)";
static const char EXPLAIN_MODIFIED[] =
	"the same packet arrived with different bytes: a device in the path modified it, and the "
	"receiver discards it on its integrity check (ICV; Windows events 4284/4285, charon "
	"\"ICV verification failed\")";
static const char EXPLAIN_MODIFIED_KEPT[] =
	"the same packet arrived with different bytes: a device in the path modified it (not "
	"integrity-protected, or its ICV still verified: the change is outside what the ICV covers)";

static void clock_finding(corr_ctx *c)
{
	const iks_clock_estimate *ce = &c->out->clock;
	if (!ce->known)
		return; /* nothing crossed: no offset is invented */
	iks_finding *f = corr_add_finding(c, IKS_FIND_CLOCK_OFFSET, IKS_SEV_INFO, IKS_DIR_UNKNOWN);
	if (!f)
		return;
	f->explain = EXPLAIN_CLOCK;
	f->offset_s = ce->offset_s;
	f->matches = ce->matches;
}

static void nat_finding(corr_ctx *c, char side, const iks_addr *before, const iks_addr *after,
			uint16_t pb, uint16_t pa, int dir)
{
	if (!memcmp(before, after, sizeof(*before)) && pb == pa)
		return;
	iks_finding *f = corr_add_finding(c, IKS_FIND_NAT_DETECTED, IKS_SEV_INFO, dir);
	if (!f)
		return;
	f->explain = EXPLAIN_NAT;
	f->side = side;
	f->addr_before = *before;
	f->addr_after = *after;
	f->port_before = pb;
	f->port_after = pa;
}

static void fill_times(corr_ctx *c, iks_finding *f, int side, const trace_unit *u,
		       const trace_unit *v)
{
	if (side == 0) {
		f->time_a_s = (double)u->ts_first / 1e9;
		f->frame_a = u->first_frame;
		if (v) {
			f->time_b_s = (double)v->ts / 1e9;
			f->frame_b = v->first_frame;
		}
	} else {
		f->time_b_s = (double)u->ts_first / 1e9;
		f->frame_b = u->first_frame;
		if (v) {
			f->time_a_s = (double)v->ts / 1e9;
			f->frame_a = v->first_frame;
		}
	}
	(void)c;
}

/* Indexes built once: each side's incomplete datagrams sorted by IP ID,
 * and its ICMP errors. */
typedef struct side_index {
	uint32_t *incomplete;
	size_t nincomplete;
	uint32_t *icmp;
	size_t nicmp;
	corr_icmp_index quoting; /* the ICMP errors to the host, by what they quote */
} side_index;

typedef struct id_sort {
	uint32_t ip_id, idx;
} id_sort;

static int cmp_id(const void *x, const void *y)
{
	const id_sort *a = x, *b = y;
	if (a->ip_id != b->ip_id)
		return a->ip_id < b->ip_id ? -1 : 1;
	return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

static iks_status build_index(const corr_ctx *c, int s, side_index *x)
{
	const iks_trace *t = c->t[s];
	size_t ni = 0, nc = 0;
	for (size_t i = 0; i < t->nunits; i++) {
		ni += t->units[i].kind == UNIT_INCOMPLETE;
		nc += t->units[i].kind == UNIT_ICMP_ERROR;
	}
	id_sort *tmp = malloc((ni ? ni : 1) * sizeof(*tmp));
	x->incomplete = malloc((ni ? ni : 1) * sizeof(uint32_t));
	x->icmp = malloc((nc ? nc : 1) * sizeof(uint32_t));
	if (!tmp || !x->incomplete || !x->icmp) {
		free(tmp);
		return IKS_E_NOMEM;
	}
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (u->kind == UNIT_INCOMPLETE) {
			tmp[x->nincomplete].ip_id = u->ip_id;
			tmp[x->nincomplete++].idx = (uint32_t)i;
		} else if (u->kind == UNIT_ICMP_ERROR) {
			x->icmp[x->nicmp++] = (uint32_t)i;
		}
	}
	qsort(tmp, x->nincomplete, sizeof(*tmp), cmp_id);
	for (size_t i = 0; i < x->nincomplete; i++)
		x->incomplete[i] = tmp[i].idx;
	free(tmp);
	return corr_icmp_index_build(c, s, &x->quoting);
}

static void free_index(side_index *x)
{
	free(x->incomplete);
	free(x->icmp);
	corr_icmp_index_free(&x->quoting);
}

/* The receiver's incomplete datagram that is this unit's remains: same IP
 * ID and protocol (NAT keeps both), nearest its expected arrival. */
static const trace_unit *remains_of(const corr_ctx *c, const side_index *rx, int side,
				    const trace_unit *u)
{
	int r = 1 - side;
	const iks_trace *t = c->t[r];
	size_t lo = 0, hi = rx->nincomplete;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->units[rx->incomplete[mid]].ip_id < u->ip_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	double expect = corr_expected_arrival(c, side, u->ts_first);
	const trace_unit *best = NULL;
	double best_err = c->opt.match_window_s * 1e9;
	for (size_t k = lo; k < rx->nincomplete; k++) {
		uint32_t i = rx->incomplete[k];
		const trace_unit *v = &t->units[i];
		if (v->ip_id != u->ip_id)
			break;
		if (v->proto != u->proto || c->role[r][i] != ROLE_RECEIVED)
			continue;
		double err = fabs((double)v->ts_first - expect);
		if (err <= best_err) {
			best_err = err;
			best = v;
		}
	}
	return best;
}

/* An ICMP error on the sender's side quoting this packet: by loose identity,
 * or for a quoted first fragment by IP ID; the first in capture order when
 * several do (two lookups, not a pass over every error per lost packet). */
static const trace_unit *icmp_for(const corr_ctx *c, const side_index *sx, int side,
				  const trace_unit *u)
{
	uint32_t i = corr_icmp_quoting(&sx->quoting, u);
	return i != NO_MATCH ? &c->t[side]->units[i] : NULL;
}

/* What arrived of one lost fragmented datagram. */
enum frag_class {
	FRAG_NOTHING = 0,      /* no fragment arrived */
	FRAG_FIRST_ONLY,       /* the first fragment arrived, everything after it missing */
	FRAG_FIRST_LOST,       /* the first fragment missing, everything after it arrived */
	FRAG_MIXED             /* anything else */
};

static int frag_class(const corr_ctx *c, int side, const trace_unit *rem)
{
	if (!rem)
		return FRAG_NOTHING;
	const trace_holes *h = unit_holes(c->t[1 - side], rem);
	if (h->n != 1 || h->truncated)
		return FRAG_MIXED;
	bool to_end = h->r[0].end == IKS_LEN_UNKNOWN ||
		      (h->datagram_len != IKS_LEN_UNKNOWN && h->r[0].end >= h->datagram_len);
	if (h->r[0].start == 0)
		return to_end ? FRAG_NOTHING : FRAG_FIRST_LOST;
	return to_end ? FRAG_FIRST_ONLY : FRAG_MIXED;
}

/* Whether the receiver keeps a changed packet: not when its integrity check
 * failed there, nor (without keys) when it is integrity-protected at all
 * (ESP and AH always, IKE when encrypted: RFC 4303 section 3.4.4, RFC 4302
 * section 3.4.4, RFC 7296 section 3.14). */
static bool receiver_discards(const corr_ctx *c, int side, const trace_unit *u,
			      const trace_unit *v)
{
	if (v->flags & UNIT_F_ICV_BAD)
		return true;
	if (v->flags & UNIT_F_ICV_OK)
		return false;
	if (u->kind == UNIT_ESP || u->kind == UNIT_AH)
		return true;
	return u->kind == UNIT_IKE && unit_ike(c->t[side], u)->encrypted;
}

/* A modified-in-transit finding for sent unit i (u) that arrived as v, with
 * the pair kept for corr_diff. Returns whether the receiver discards it. */
static bool modified_finding(corr_ctx *c, int side, size_t i, const trace_unit *u,
			     const trace_unit *v)
{
	int dir = side == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
	bool discarded = receiver_discards(c, side, u, v);
	iks_finding *f = corr_add_finding(c, IKS_FIND_MODIFIED_IN_TRANSIT, IKS_SEV_ERROR, dir);
	if (!f)
		return discarded;
	f->explain = discarded ? EXPLAIN_MODIFIED : EXPLAIN_MODIFIED_KEPT;
	fill_times(c, f, side, u, v);
	corr_ike_identity(f, c->t[side], u);
	f->proto = u->proto;
	f->spi = u->spi;
	f->seq = u->seq;
	f->size = u->size;
	f->ip_id = u->ip_id;
	f->discarded = discarded;
	f->icv = v->flags & UNIT_F_ICV_BAD ? IKS_ICV_FAILED
		 : v->flags & UNIT_F_ICV_OK ? IKS_ICV_OK : IKS_ICV_UNKNOWN;
	if (c->nmods == c->cap_mods) {
		size_t cap = c->cap_mods ? c->cap_mods * 2 : 64;
		corr_modified *m = realloc(c->mods, cap * sizeof(*m));
		if (!m)
			return discarded; /* the finding stands without its bytes */
		c->mods = m;
		c->cap_mods = cap;
	}
	corr_modified *m = &c->mods[c->nmods++];
	m->finding = c->out->nfinds - 1;
	m->side = side;
	m->sent = (uint32_t)i;
	m->received = c->match[side][i];
	return discarded;
}

/* With keys: the receivers' integrity-check failures, and how many of them
 * a modified-in-transit finding explains. */
static void count_icv_failures(corr_ctx *c)
{
	iks_correlation_stats *st = &c->out->stats;
	for (int r = 0; r < 2; r++) {
		const iks_trace *t = c->t[r];
		for (size_t j = 0; j < t->nunits; j++) {
			if (c->role[r][j] != ROLE_RECEIVED || !(t->units[j].flags & UNIT_F_ICV_BAD))
				continue;
			bool mod = c->modified[r][j] != 0;
			if (r == 1) {
				st->icv_failed_ab++;
				st->icv_failed_modified_ab += mod;
			} else {
				st->icv_failed_ba++;
				st->icv_failed_modified_ba += mod;
			}
		}
	}
}

typedef struct dir_tally {
	uint32_t frag_sent, frag_lost;
	uint32_t frag_by_class[4]; /* lost fragmented datagrams per frag_class */
	uint32_t lost_sizes_min, n_lost_plain;
	uint32_t ok_size_max;
	size_t first_frag_finding; /* index of the first fragment-loss finding */
	bool any_frag_finding;
	/* aggregated packet loss per kind */
	uint32_t lost_by_kind[8], sent_by_kind[8];
	const trace_unit *first_lost[8];
	const trace_unit *last_lost[8];
} dir_tally;

/* What loss_side counts of the folded pairs side sent (corr_fold.c): every
 * one arrived unmodified. */
static void fold_tally(corr_ctx *c, int side, dir_tally *d)
{
	const corr_fold *f = c->fold[side];
	if (!f)
		return;
	iks_correlation_stats *st = &c->out->stats;
	if (side == 0) {
		st->sent_a += f->n;
		st->matched_ab += f->n;
	} else {
		st->sent_b += f->n;
		st->matched_ba += f->n;
	}
	for (int k = 0; k < 8; k++)
		d->sent_by_kind[k] += (uint32_t)f->by_kind[k];
	d->frag_sent += (uint32_t)f->fragmented;
	if (f->size_max_whole > d->ok_size_max)
		d->ok_size_max = f->size_max_whole;
}

static void loss_side(corr_ctx *c, const side_index *x, int side, dir_tally *d)
{
	const iks_trace *t = c->t[side];
	int dir = side == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
	iks_correlation_stats *st = &c->out->stats;
	d->lost_sizes_min = UINT32_MAX;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (c->role[side][i] != ROLE_SENT || u->kind == UNIT_ICMP_ERROR)
			continue;
		if (corr_folded(c, side, i))
			continue; /* counted below */
		if (u->kind == UNIT_INCOMPLETE)
			continue; /* the sender itself never saw it whole */
		uint32_t m = c->match[side][i];
		const trace_unit *v = m != NO_MATCH ? &c->t[1 - side]->units[m] : NULL;
		/* a kind the receiving capture was filtered of is not judged */
		if (!v && corr_filtered_out(c, side, u)) {
			st->not_judged_filtered++;
			continue;
		}
		/* what arrived is judged anyway; what did not, only where the
		 * receiving capture demonstrably ran */
		if (!v && !corr_covered(c, side, u->ts)) {
			c->fate[side][i] = IKS_FATE_NOT_COVERED;
			st->not_covered++;
			continue;
		}
		/* a longer path: a point beyond the hop's next one holds it, so
		 * that capture missed it (the capture-check finding says so) */
		if (!v && corr_beyond(c, side, i)) {
			c->fate[side][i] = IKS_FATE_NOT_COVERED;
			continue;
		}
		bool frag_sent = (u->flags & UNIT_F_FRAGMENTED) != 0;
		if (side == 0)
			st->sent_a++;
		else
			st->sent_b++;
		d->sent_by_kind[u->kind]++;
		bool frag_any = frag_sent || (v && (v->flags & UNIT_F_FRAGMENTED));
		if (v) {
			c->fate[side][i] = IKS_FATE_ARRIVED; /* arrived, perhaps to be discarded */
			bool discarded = c->modified[side][i] && modified_finding(c, side, i, u, v);
			if (discarded && side == 0)
				st->discarded_ab++;
			else if (discarded)
				st->discarded_ba++;
			else if (side == 0)
				st->matched_ab++;
			else
				st->matched_ba++;
			if (frag_any)
				d->frag_sent++;
			if (!frag_sent && u->size > d->ok_size_max)
				d->ok_size_max = u->size;
			continue;
		}
		/* lost */
		const trace_unit *rem = remains_of(c, &x[1 - side], side, u);
		if (icmp_for(c, &x[side], side, u)) {
			c->fate[side][i] = IKS_FATE_DROPPED_ICMP;
			st->dropped_with_icmp++; /* the icmp-frag-needed finding tells */
			corr_lost_add(c, side, u, rem, IKS_LOST_ICMP);
			continue;
		}
		c->fate[side][i] = IKS_FATE_LOST;
		if (side == 0)
			st->lost_ab++;
		else
			st->lost_ba++;
		if (c->stale[side] && c->stale[side][i]) {
			/* sent to a NAT mapping the path had replaced: the nat-rebind
			 * finding counts and explains them */
			corr_lost_add(c, side, u, rem, IKS_LOST_STALE_NAT);
			continue;
		}
		corr_lost_add(c, side, u, rem, IKS_LOST_PATH);
		if (frag_sent || rem) {
			d->frag_sent++;
			d->frag_lost++;
			d->frag_by_class[frag_class(c, side, rem)]++;
			iks_finding *f = corr_add_finding(c, IKS_FIND_FRAGMENT_LOSS, IKS_SEV_ERROR, dir);
			if (!f)
				continue;
			if (!d->any_frag_finding) {
				d->any_frag_finding = true;
				d->first_frag_finding = c->out->nfinds - 1;
			}
			fill_times(c, f, side, u, rem);
			corr_ike_identity(f, t, u);
			f->proto = u->proto;
			f->spi = u->spi;
			f->seq = u->seq;
			f->size = u->size;
			f->ip_id = u->ip_id;
			f->fragmented_at_sender = frag_sent;
			f->count = rem ? rem->nfrags : 0;
			if (rem) {
				const trace_holes *h = unit_holes(c->t[1 - side], rem);
				f->datagram_len = h->datagram_len;
				f->nranges = h->n < IKS_FINDING_MAX_RANGES ? h->n : IKS_FINDING_MAX_RANGES;
				for (unsigned k = 0; k < f->nranges; k++) {
					f->missing[k].start = h->r[k].start;
					f->missing[k].end = h->r[k].end;
				}
			} else {
				/* nothing arrived: the whole payload is missing */
				f->nranges = 1;
				f->missing[0].start = 0;
				f->missing[0].end = IKS_LEN_UNKNOWN;
			}
			continue;
		}
		if (u->flags & UNIT_F_DF) {
			d->n_lost_plain++;
			if (u->size < d->lost_sizes_min)
				d->lost_sizes_min = u->size;
		}
		if (u->kind == UNIT_IKE) {
			iks_finding *f = corr_add_finding(c, IKS_FIND_PACKET_LOSS, IKS_SEV_ERROR, dir);
			if (f) {
				f->explain = (u->flags & UNIT_F_RESPONSE) ? EXPLAIN_LOSS_IKE_RESPONSE
									   : EXPLAIN_LOSS_IKE;
				fill_times(c, f, side, u, NULL);
				corr_ike_identity(f, t, u);
				f->proto = u->proto;
				f->size = u->size;
				f->count = 1;
			}
			continue;
		}
		if (!d->first_lost[u->kind])
			d->first_lost[u->kind] = u;
		d->last_lost[u->kind] = u;
		d->lost_by_kind[u->kind]++;
	}
	fold_tally(c, side, d);
}

/* One packet-loss finding per direction and kind for non-IKE packets. */
static void loss_summary(corr_ctx *c, int side, const dir_tally *d)
{
	int dir = side == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
	for (int k = 0; k < 8; k++) {
		if (!d->lost_by_kind[k])
			continue;
		iks_finding *f = corr_add_finding(c, IKS_FIND_PACKET_LOSS, IKS_SEV_ERROR, dir);
		if (!f)
			continue;
		const trace_unit *u = d->first_lost[k];
		f->explain = EXPLAIN_LOSS;
		fill_times(c, f, side, u, NULL);
		f->proto = u->proto;
		f->spi = u->spi;
		f->seq = u->seq;
		f->size = u->size;
		f->count = d->lost_by_kind[k];
		f->total = d->sent_by_kind[k];
	}
}

static void fragment_pattern(corr_ctx *c, const dir_tally *d)
{
	if (!d->any_frag_finding)
		return;
	/* a pattern by position holds when every fragmented datagram sent that
	 * way was lost, all in the same way */
	const char *pattern = "some-fragments-lost";
	const char *explain = EXPLAIN_FRAG_SOME;
	bool all_lost = d->frag_lost == d->frag_sent;
	if (all_lost && d->frag_by_class[FRAG_FIRST_ONLY] == d->frag_lost) {
		pattern = "only-first-fragments-pass";
		explain = EXPLAIN_FRAG_FIRST_ONLY;
	} else if (all_lost && d->frag_by_class[FRAG_FIRST_LOST] == d->frag_lost) {
		pattern = "first-fragments-lost";
		explain = EXPLAIN_FRAG_FIRST_LOST;
	} else if (all_lost && d->frag_by_class[FRAG_NOTHING] == d->frag_lost) {
		pattern = "no-fragment-passes";
		explain = EXPLAIN_FRAG_NONE;
	}
	for (size_t i = d->first_frag_finding; i < c->out->nfinds; i++) {
		iks_finding *f = &c->out->finds[i];
		if (f->kind != IKS_FIND_FRAGMENT_LOSS)
			continue;
		if (f->pattern)
			continue;
		f->pattern = pattern;
		f->explain = explain;
		f->pattern_lost = d->frag_lost;
		f->pattern_total = d->frag_sent;
	}
}

static void pmtu_finding(corr_ctx *c, int side, const dir_tally *d)
{
	/* a black hole for large packets needs smaller ones that passed; no path
	   MTU is below 576 bytes (RFC 791; IPv6: 1280, RFC 8200): losses of smaller
	   packets are not a size problem, whatever passed */
	if (d->n_lost_plain < 3 || d->ok_size_max == 0 || d->lost_sizes_min <= d->ok_size_max ||
	    d->lost_sizes_min <= 576)
		return;
	iks_finding *f = corr_add_finding(c, IKS_FIND_PMTU_BLACKHOLE, IKS_SEV_ERROR,
					  side == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A);
	if (!f)
		return;
	f->explain = EXPLAIN_PMTU;
	f->count = d->n_lost_plain;
	f->size_ok_max = d->ok_size_max;
	f->size_lost_min = d->lost_sizes_min;
}

static void nat_findings(corr_ctx *c)
{
	const iks_endpoints *e = &c->out->ends;
	if (!e->known)
		return;
	/* every mapping: IKE's (UDP 500) and NAT-T's (UDP 4500) */
	nat_finding(c, 'a', &e->a_in_a, &e->a_in_b, e->a_port_in_a, e->a_port_in_b, IKS_DIR_A_TO_B);
	if (e->a_natt_port_in_a && e->a_natt_port_in_a != e->a_port_in_a)
		nat_finding(c, 'a', &e->a_in_a, &e->a_in_b, e->a_natt_port_in_a, e->a_natt_port_in_b,
			    IKS_DIR_A_TO_B);
	nat_finding(c, 'b', &e->b_in_b, &e->b_in_a, e->b_port_in_b, e->b_port_in_a, IKS_DIR_B_TO_A);
	if (e->b_natt_port_in_b && e->b_natt_port_in_b != e->b_port_in_b)
		nat_finding(c, 'b', &e->b_in_b, &e->b_in_a, e->b_natt_port_in_b, e->b_natt_port_in_a,
			    IKS_DIR_B_TO_A);
}

iks_status corr_findings(corr_ctx *c)
{
	clock_finding(c);
	nat_findings(c);
	iks_status st = corr_icmp_findings(c);
	if (st != IKS_OK)
		return st;
	side_index x[2];
	memset(x, 0, sizeof(x));
	if (build_index(c, 0, &x[0]) != IKS_OK || build_index(c, 1, &x[1]) != IKS_OK) {
		free_index(&x[0]);
		free_index(&x[1]);
		return IKS_E_NOMEM;
	}
	dir_tally d[2];
	memset(d, 0, sizeof(d));
	count_icv_failures(c);
	for (int s = 0; s < 2; s++) {
		loss_side(c, x, s, &d[s]);
		fragment_pattern(c, &d[s]);
		loss_summary(c, s, &d[s]);
		pmtu_finding(c, s, &d[s]);
	}
	free_index(&x[0]);
	free_index(&x[1]);
	corr_hostdrop_findings(c);
	return IKS_OK;
}

const char *iks_finding_kind_name(int kind)
{
	switch (kind) {
	case IKS_FIND_CLOCK_OFFSET: return "clock-offset";
	case IKS_FIND_IKE_RETRANSMIT: return "ike-retransmit";
	case IKS_FIND_IKE_UNANSWERED: return "ike-unanswered";
	case IKS_FIND_PACKET_LOSS: return "packet-loss";
	case IKS_FIND_FRAGMENT_LOSS: return "fragment-loss";
	case IKS_FIND_ICMP_FRAG_NEEDED: return "icmp-frag-needed";
	case IKS_FIND_PMTU_BLACKHOLE: return "pmtu-blackhole";
	case IKS_FIND_NAT_DETECTED: return "nat-detected";
	case IKS_FIND_MODIFIED_IN_TRANSIT: return "modified-in-transit";
	case IKS_FIND_BAD_SPI: return "bad-spi";
	case IKS_FIND_LIMIT: return "limit";
	case IKS_FIND_IKE_ERROR: return "ike-error";
	case IKS_FIND_ONE_WAY: return "one-way";
	case IKS_FIND_NAT_REBIND: return "nat-rebind";
	case IKS_FIND_HOST_DROP: return "host-drop";
	case IKS_FIND_CAPTURE_CHECK: return "capture-check";
	case IKS_FIND_NOTHING_ARRIVED: return "nothing-arrived";
	}
	return "unknown";
}

const char *iks_outcome_name(int outcome)
{
	switch (outcome) {
	case IKS_OUTCOME_COMPLETE: return "complete";
	case IKS_OUTCOME_FAILED: return "failed";
	case IKS_OUTCOME_INCOMPLETE: return "incomplete";
	}
	return "unknown";
}

const char *iks_direction_name(int dir)
{
	switch (dir) {
	case IKS_DIR_A_TO_B: return "a->b";
	case IKS_DIR_B_TO_A: return "b->a";
	case IKS_DIR_BOTH: return "both";
	}
	return "none";
}

const char *iks_severity_name(int sev)
{
	switch (sev) {
	case IKS_SEV_INFO: return "info";
	case IKS_SEV_WARNING: return "warning";
	case IKS_SEV_ERROR: return "error";
	}
	return "unknown";
}
