/*
 * corr_icmp.c - ICMP fragmentation-needed (RFC 792, RFC 1191) and ICMPv6
 * packet-too-big (RFC 4443 section 3.2, RFC 8201) errors in either
 * capture: which packet each quotes, whether it reached the sender of that
 * packet, and the finding that says so (a PMTU black hole when it did not).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "correlate/correlate_internal.h"

/* ICMP type 3 code 4 (RFC 792, RFC 1191); ICMPv6 type 2 (RFC 4443) */
#define IKS_ICMP4_UNREACH 3
#define IKS_ICMP4_FRAG_NEEDED 4
#define IKS_ICMP6_TOO_BIG 2

static const char EXPLAIN_ICMP[] =
	"a router announced a smaller MTU (fragmentation needed) for a packet with DF set and "
	"dropped it; the sender must lower its path MTU and send again";
static const char EXPLAIN_ICMP_LOST[] =
	"a router announced a smaller MTU, but the announcement never reached the sender: "
	"PMTU discovery cannot work (a PMTU black hole)";
/* Lookups the ICMP findings need, built on first use (captures seldom hold
 * an ICMP frag-needed): per side, the units of one role by loose identity
 * (sorted), and the ICMP errors' unit indexes. */
typedef struct icmp_index {
	keyed *by_loose[2][2]; /* [side][0: sent, 1: received] */
	size_t n_loose[2][2];
	bool built_loose[2][2];
	uint32_t *errors[2];
	size_t n_errors[2];
	bool built_errors[2];
	bool nomem;
} icmp_index;

static void icmp_index_free(icmp_index *x)
{
	for (int s = 0; s < 2; s++) {
		free(x->by_loose[s][0]);
		free(x->by_loose[s][1]);
		free(x->errors[s]);
	}
}

/* The first unit (in capture order) of side s with role `role` that an ICMP
 * error's quote names, or NULL; *idx its index. */
static const trace_unit *quoted_unit(const corr_ctx *c, icmp_index *x, int s, uint8_t role,
				     const trace_icmp *q, size_t *idx)
{
	const iks_trace *t = c->t[s];
	if (!q->quoted_loose) {
		/* no identity (a short quote): by IP ID and protocol, rare */
		for (size_t j = 0; j < t->nunits; j++) {
			const trace_unit *u = &t->units[j];
			if (c->role[s][j] == role && u->kind != UNIT_ICMP_ERROR &&
			    u->ip_id == q->quoted_ip_id && u->proto == q->quoted_proto &&
			    !corr_folded(c, s, j)) { /* a quoted one is never folded */
				*idx = j;
				return u;
			}
		}
		return NULL;
	}
	int r = role == ROLE_SENT ? 0 : 1;
	if (!x->built_loose[s][r]) {
		x->built_loose[s][r] = true;
		keyed *k = big_malloc((t->nunits ? t->nunits : 1) * sizeof(*k));
		size_t n = 0;
		for (size_t j = 0; k && j < t->nunits; j++) {
			const trace_unit *u = &t->units[j];
			if (c->role[s][j] == role && u->kind != UNIT_ICMP_ERROR &&
			    !corr_folded(c, s, j))
				k[n++] = (keyed){ u->loose, u->ts, (uint32_t)j };
		}
		if (!k || !corr_sort_keyed(k, n)) {
			free(k);
			x->nomem = true;
			return NULL;
		}
		x->by_loose[s][r] = k;
		x->n_loose[s][r] = n;
	}
	const keyed *k = x->by_loose[s][r];
	size_t lo = corr_keyed_lower(k, x->n_loose[s][r], q->quoted_loose);
	/* the first in capture order among equal keys (sorted by time, then index) */
	size_t best = SIZE_MAX;
	for (size_t m = lo; m < x->n_loose[s][r] && k[m].key == q->quoted_loose; m++)
		if (best == SIZE_MAX || k[m].idx < best)
			best = k[m].idx;
	if (best == SIZE_MAX)
		return NULL;
	*idx = best;
	return &t->units[best];
}

/* Whether the packet an ICMP error in capture s quotes was sent by s's host
 * and reached the other capture. */
static bool quoted_crossed(const corr_ctx *c, icmp_index *x, int s, const trace_icmp *q)
{
	size_t j;
	const trace_unit *u = quoted_unit(c, x, s, ROLE_SENT, q, &j);
	return u && c->match[s][j] != NO_MATCH;
}

/* Whether ICMP error v of capture s, on its way to the other capture's
 * host, is in the other capture: the same error (its own IP ID, type,
 * code, MTU and quote) reaching that host near its expected arrival. */
static bool icmp_arrived(const corr_ctx *c, icmp_index *x, int s, const trace_unit *v,
			 const trace_icmp *q)
{
	int r = 1 - s;
	const iks_trace *t = c->t[r];
	if (!x->built_errors[r]) {
		x->built_errors[r] = true;
		x->errors[r] = big_malloc((t->nunits ? t->nunits : 1) * sizeof(*x->errors[r]));
		if (!x->errors[r]) {
			x->nomem = true;
			return false;
		}
		for (size_t j = 0; j < t->nunits; j++)
			if (t->units[j].kind == UNIT_ICMP_ERROR)
				x->errors[r][x->n_errors[r]++] = (uint32_t)j;
	}
	double e = corr_expected_arrival(c, s, v->ts);
	double m = c->window_ns > 0 ? c->window_ns : 2e9;
	for (size_t n = 0; n < x->n_errors[r]; n++) {
		size_t j = x->errors[r][n];
		const trace_unit *u = &t->units[j];
		if (c->role[r][j] != ROLE_TO_HOST || u->ip_id != v->ip_id || u->proto != v->proto)
			continue;
		const trace_icmp *k = unit_icmp(t, u);
		if (k->type == q->type && k->code == q->code && k->mtu == q->mtu &&
		    k->quoted_ip_id == q->quoted_ip_id && k->quoted_proto == q->quoted_proto &&
		    k->quoted_loose == q->quoted_loose && fabs((double)u->ts - e) <= m)
			return true;
	}
	return false;
}

/* ICMP fragmentation needed / packet too big seen in either capture. An
 * error to this capture's host reached the sender of the packet it quotes.
 * One on its way to the other capture's host was made by a router between
 * the two capture points or past this one (a capture in the middle of the
 * path, such as a router's interface, sees the router's own errors
 * leaving towards the other end): it reached that host when the other
 * capture holds it (that capture reports it), and did not when the other
 * capture ran then and lacks it; an error to any other address says
 * nothing of the two hosts. */
iks_status corr_icmp_findings(corr_ctx *c)
{
	icmp_index x;
	memset(&x, 0, sizeof(x));
	bool full = false; /* the findings cap (corr_add_finding says so) */
	for (int s = 0; s < 2 && !x.nomem && !full; s++) {
		const iks_trace *t = c->t[s];
		for (size_t i = 0; i < t->nunits; i++) {
			const trace_unit *v = &t->units[i];
			if (v->kind != UNIT_ICMP_ERROR)
				continue;
			const trace_icmp *q = unit_icmp(t, v);
			bool v4 = q->type == IKS_ICMP4_UNREACH && q->code == IKS_ICMP4_FRAG_NEEDED &&
				  v->proto == 1;
			bool v6 = q->type == IKS_ICMP6_TOO_BIG && v->proto == 58;
			if (!v4 && !v6)
				continue;
			/* the quoted packet: sent by this capture's host? */
			bool to_host = c->role[s][i] == ROLE_TO_HOST || c->role[s][i] == ROLE_RECEIVED;
			/* a hop of a longer path: an error on its way to the far
			 * capture's host, or one about a packet that crossed this
			 * hop, was made on another hop (it is reported there) */
			if (c->hints && c->hints->middle &&
			    (!to_host || quoted_crossed(c, &x, s, q)))
				continue;
			/* not to this host: about what the other host sent, judged
			 * by whether the other capture holds it */
			if (!to_host && (v->addr_dst != c->peer[s] || !corr_covered(c, s, v->ts) ||
					 icmp_arrived(c, &x, s, v, q)))
				continue;
			int sender = to_host ? s : 1 - s; /* of the quoted packet */
			int dir = sender == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
			if (x.nomem)
				break;
			iks_finding *f = corr_add_finding(c, IKS_FIND_ICMP_FRAG_NEEDED,
							  to_host ? IKS_SEV_WARNING : IKS_SEV_ERROR, dir);
			if (!f) {
				full = true;
				break;
			}
			f->explain = to_host ? EXPLAIN_ICMP : EXPLAIN_ICMP_LOST;
			f->reached_sender = to_host;
			f->mtu = q->mtu;
			f->from = *trace_addr(t, v->addr_src); /* the router that sent it */
			f->from_known = true;
			f->ip_id = q->quoted_ip_id;
			f->proto = q->quoted_proto;
			if (s == 0) {
				f->time_a_s = (double)v->ts / 1e9;
				f->frame_a = v->frame;
			} else {
				f->time_b_s = (double)v->ts / 1e9;
				f->frame_b = v->frame;
			}
			/* name the packet it quotes */
			size_t j;
			const trace_unit *u =
				quoted_unit(c, &x, s, to_host ? ROLE_SENT : ROLE_RECEIVED, q, &j);
			if (u) {
				corr_ike_identity(f, t, u);
				f->spi = u->spi;
				f->seq = u->seq;
				f->size = u->size;
			}
		}
	}
	bool nomem = x.nomem;
	icmp_index_free(&x);
	return nomem ? IKS_E_NOMEM : IKS_OK;
}
