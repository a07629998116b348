/*
 * corr_nat.c - NAT rebinding: one IKE SA or ESP SPI that continues from a
 * new public address or port, seen at the far end of the NAT (a NAT whose
 * state was flushed, or whose mapping timed out, gives the next outgoing
 * packet a new mapping; RFC 3948 section 4 and RFC 7296 section 2.23 have
 * the peers follow it only once an authenticated packet comes from it).
 *
 * Until the far end follows, what it sends goes to the old mapping, which
 * the NAT no longer has: those packets are lost in the NAT, and they are
 * the far end's losses, not the rebinding end's. This step finds, per UDP
 * port of the observing host (so that the NAT-T float from 500 to 4500 is
 * not taken for a rebinding), the first packet from the peer whose source
 * differs from the one before while it carries an SA identity (IKE SPI,
 * ESP SPI) already seen from the old source; and it marks the observing
 * host's packets to the old source that never arrived, after the last one
 * that did, as sent to a stale mapping (findings.c counts them lost with
 * that reason).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "core/hash.h"
#include "correlate/correlate_internal.h"

#define NAT_PORTS_MAX CORR_NAT_PORTS_MAX /* own UDP ports followed per side (a limit
					 finding past it) */
#define NAT_IDS_MAX 64      /* SA identities remembered per mapping: the latest (the SAs a
			       rebinding carries on are the current ones; older ones give way) */
#define NAT_REBINDS_MAX 16  /* rebindings reported per side (further ones counted, in a
			       limit finding) */
#define NAT_REJECTED_SLOTS 1024 /* other sources remembered per mapping (a memo: past
				   3/4 full, a source is looked at again each time) */

static const char EXPLAIN_REBIND[] =
	"a NAT in the path gave this end a new public address or port in the middle of its SAs "
	"(NAT state flushed or timed out); the peer kept sending to the old mapping, which the NAT "
	"no longer has, until it followed the new one: those packets are lost in the NAT (NAT-T "
	"keepalives shorter than the NAT's UDP timeout prevent it)";

typedef struct mapping {
	uint16_t own_port;
	uint16_t peer_port;   /* the peer's public port as this capture sees it */
	uint16_t peer_addr;   /* address index in this trace */
	uint32_t nids;        /* identities in ids[] (at most NAT_IDS_MAX) */
	uint32_t next_id;     /* once full, the slot the next identity takes (the oldest) */
	uint64_t last_id;     /* the identity added last: most packets repeat it */
	uint64_t ids[NAT_IDS_MAX];
} mapping;

/* New sources to one port that carried no SA of its current mapping:
 * addr << 16 | port (never 0: the port is not), open addressing. */
typedef struct rejected_set {
	uint32_t n;
	uint32_t slot[NAT_REJECTED_SLOTS];
} rejected_set;

static uint32_t *rejected_find(rejected_set *set, uint32_t src)
{
	uint32_t i = (uint32_t)(h_final(src) & (NAT_REJECTED_SLOTS - 1));
	while (set->slot[i] && set->slot[i] != src)
		i = (i + 1) & (NAT_REJECTED_SLOTS - 1);
	return &set->slot[i];
}

static bool rejected_has(rejected_set *set, uint32_t src)
{
	return *rejected_find(set, src) == src;
}

static void rejected_add(rejected_set *set, uint32_t src)
{
	if (set->n >= NAT_REJECTED_SLOTS / 4 * 3)
		return;
	uint32_t *at = rejected_find(set, src);
	if (!*at) {
		*at = src;
		set->n++;
	}
}

/* Each source's UDP IPsec packets to each port of the host, in capture
 * order: (own port, source address, source port) digested, ts 0, unit. */
typedef struct source_index {
	keyed *k;
	size_t n;
	bool built;
} source_index;

static uint64_t source_key(uint16_t own_port, uint16_t addr, uint16_t port)
{
	return h_final((uint64_t)own_port << 32 | (uint64_t)addr << 16 | port);
}

static bool has_id(const mapping *m, uint64_t id)
{
	for (uint32_t i = 0; i < m->nids; i++)
		if (m->ids[i] == id)
			return true;
	return false;
}

static void add_id(mapping *m, uint64_t id)
{
	if (!id || id == m->last_id)
		return;
	m->last_id = id;
	if (has_id(m, id))
		return;
	if (m->nids < NAT_IDS_MAX) {
		m->ids[m->nids++] = id;
		return;
	}
	m->ids[m->next_id] = id;
	m->next_id = (m->next_id + 1) % NAT_IDS_MAX;
}

static bool is_received_udp_ipsec(const corr_ctx *c, int r, size_t k)
{
	return c->role[r][k] == ROLE_RECEIVED && corr_udp_ipsec(&c->t[r]->units[k]);
}

static bool source_index_build(const corr_ctx *c, int r, source_index *x)
{
	const iks_trace *t = c->t[r];
	x->built = true;
	x->k = big_malloc((t->nunits ? t->nunits : 1) * sizeof(*x->k));
	if (!x->k)
		return false;
	for (size_t k = 0; k < t->nunits; k++)
		if (is_received_udp_ipsec(c, r, k) && !corr_folded(c, r, k)) {
			const trace_unit *u = &t->units[k];
			x->k[x->n++] = (keyed){ source_key(u->dport, u->addr_src, u->sport), 0, (uint32_t)k };
		}
	return corr_sort_keyed(x->k, x->n);
}

/* Whether a later packet from the new source carries an identity seen from
 * the old one (the SA continues), starting at unit j: only that source's
 * packets are looked at (the index), so that many sources cost one pass. */
static bool continues(const corr_ctx *c, int r, const source_index *x, size_t j, const mapping *old,
		      uint16_t addr, uint16_t port)
{
	const iks_trace *t = c->t[r];
	uint64_t key = source_key(old->own_port, addr, port);
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->k[mid].key < key || (x->k[mid].key == key && x->k[mid].idx < j))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t e = lo; e < x->n && x->k[e].key == key; e++) {
		const trace_unit *u = &t->units[x->k[e].idx];
		if (u->dport != old->own_port || u->addr_src != addr || u->sport != port)
			continue; /* another source of the same digest */
		uint64_t id = corr_sa_id(t, u);
		if (id && has_id(old, id))
			return true;
	}
	return false;
}

/* A rebinding found: the unit that came from the new source, the mapping
 * it replaced, and what side r sent to that mapping after the last packet
 * to it that arrived (*stale of *sent never arrived). */
typedef struct rebind {
	size_t j;
	mapping old;
	size_t last_ok;       /* SIZE_MAX: none arrived */
	uint32_t stale, sent;
} rebind;

static bool to_old(const trace_unit *u, const mapping *old)
{
	return u->addr_dst == old->peer_addr && u->dport == old->peer_port &&
	       u->sport == old->own_port;
}

/* Mark and count, for every rebinding of side r at once (two passes over
 * the units, not two per rebinding), what r sent to the old mapping and
 * never arrived, after the last packet to it that did. */
static void mark_stale(corr_ctx *c, int r, rebind *rb, size_t nrb)
{
	const iks_trace *t = c->t[r];
	for (size_t i = 0; i < nrb; i++) {
		rb[i].last_ok = SIZE_MAX;
		rb[i].stale = rb[i].sent = 0;
	}
	for (size_t k = 0; k < t->nunits; k++) {
		const trace_unit *u = &t->units[k];
		if (c->role[r][k] != ROLE_SENT || u->proto != 17 || c->match[r][k] == NO_MATCH ||
		    corr_folded(c, r, k))
			continue;
		for (size_t i = 0; i < nrb; i++)
			if (to_old(u, &rb[i].old))
				rb[i].last_ok = k;
	}
	/* folded units arrived: the last of them to each mapping counts too */
	for (size_t i = 0; i < nrb; i++) {
		const mapping *o = &rb[i].old;
		size_t f = corr_fold_last_to(c, r, o->peer_addr, o->peer_port, o->own_port);
		if (f != SIZE_MAX && (rb[i].last_ok == SIZE_MAX || f > rb[i].last_ok))
			rb[i].last_ok = f;
	}
	for (size_t k = 0; k < t->nunits; k++) {
		const trace_unit *u = &t->units[k];
		if (c->role[r][k] != ROLE_SENT || u->proto != 17 || !corr_matchable(u) ||
		    corr_folded(c, r, k))
			continue;
		for (size_t i = 0; i < nrb; i++) {
			if ((rb[i].last_ok != SIZE_MAX && k <= rb[i].last_ok) || !to_old(u, &rb[i].old))
				continue;
			rb[i].sent++;
			if (c->match[r][k] != NO_MATCH)
				continue;
			c->stale[r][k] = 1;
			rb[i].stale++;
		}
	}
}

static void report(corr_ctx *c, int r, size_t j, const mapping *old, uint32_t stale,
		   uint32_t stale_sent)
{
	const iks_trace *t = c->t[r];
	const trace_unit *u = &t->units[j];
	int s = 1 - r; /* the end whose mapping changed */
	iks_finding *f = corr_add_finding(c, IKS_FIND_NAT_REBIND,
					  stale ? IKS_SEV_ERROR : IKS_SEV_WARNING,
					  s == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A);
	if (!f)
		return;
	f->explain = EXPLAIN_REBIND;
	f->side = s == 0 ? 'a' : 'b';
	f->addr_before = *trace_addr(t, old->peer_addr);
	f->port_before = old->peer_port;
	f->addr_after = *trace_addr(t, u->addr_src);
	f->port_after = u->sport;
	f->proto = u->proto;
	f->spi = u->spi;
	f->seq = u->seq;
	corr_ike_identity(f, t, u);
	/* the first packet from the new mapping, at both ends */
	uint32_t m = c->match[r][j];
	const trace_unit *v = m != NO_MATCH ? &c->t[s]->units[m] : NULL;
	double tr = (double)u->ts / 1e9, ts = v ? (double)v->ts_first / 1e9 : 0;
	if (r == 1) {
		f->time_b_s = tr;
		f->frame_b = u->frame;
		f->time_a_s = ts;
		f->frame_a = v ? v->first_frame : 0;
	} else {
		f->time_a_s = tr;
		f->frame_a = u->frame;
		f->time_b_s = ts;
		f->frame_b = v ? v->first_frame : 0;
	}
	f->count = stale;
	f->total = stale_sent;
}

static void cap_finding(corr_ctx *c, int r, uint32_t count, const char *explain)
{
	iks_finding *f = corr_add_finding(c, IKS_FIND_LIMIT, IKS_SEV_WARNING, IKS_DIR_UNKNOWN);
	if (!f)
		return;
	f->side = r == 0 ? 'a' : 'b';
	f->count = count;
	f->explain = explain;
}

static iks_status rebinds_seen_by(corr_ctx *c, int r)
{
	const iks_trace *t = c->t[r];
	mapping cur[NAT_PORTS_MAX];
	size_t ncur = 0;
	rebind rb[NAT_REBINDS_MAX];
	size_t reported = 0;
	rejected_set *rejected = calloc(NAT_PORTS_MAX, sizeof(*rejected));
	source_index sources = { NULL, 0, false };
	uint32_t more_rebinds = 0, unfollowed = 0; /* past the caps */
	if (!rejected)
		return IKS_E_NOMEM;
	for (size_t j = 0; j < t->nunits; j++) {
		const trace_unit *u = &t->units[j];
		if (c->role[r][j] != ROLE_RECEIVED || !corr_udp_ipsec(u) || corr_folded(c, r, j))
			continue; /* a folded one changes nothing here (corr_fold.c) */
		mapping *m = NULL;
		rejected_set *rej = NULL;
		for (size_t i = 0; i < ncur; i++)
			if (cur[i].own_port == u->dport) {
				m = &cur[i];
				rej = &rejected[i];
			}
		if (!m) {
			if (ncur == NAT_PORTS_MAX) {
				unfollowed++;
				continue;
			}
			rej = &rejected[ncur];
			m = &cur[ncur++];
			memset(m, 0, sizeof(*m));
			m->own_port = u->dport;
			m->peer_port = u->sport;
			m->peer_addr = u->addr_src;
		}
		if (u->sport == m->peer_port && u->addr_src == m->peer_addr) {
			add_id(m, corr_sa_id(t, u));
			continue;
		}
		/* a new source for this port: a rebinding when an SA continues from it */
		uint32_t src = (uint32_t)u->addr_src << 16 | u->sport;
		if (rejected_has(rej, src))
			continue;
		if (!sources.built && !source_index_build(c, r, &sources)) {
			free(sources.k);
			free(rejected);
			return IKS_E_NOMEM;
		}
		if (!continues(c, r, &sources, j, m, u->addr_src, u->sport)) {
			rejected_add(rej, src);
			continue; /* another conversation, not this one moving */
		}
		if (reported < NAT_REBINDS_MAX) {
			rb[reported].j = j;
			rb[reported].old = *m;
			reported++;
		} else {
			more_rebinds++; /* followed, so that later sources are judged right */
		}
		mapping next;
		memset(&next, 0, sizeof(next));
		next.own_port = m->own_port;
		next.peer_port = u->sport;
		next.peer_addr = u->addr_src;
		add_id(&next, corr_sa_id(t, u));
		*m = next;
		memset(rej, 0, sizeof(*rej));
	}
	free(sources.k);
	free(rejected);
	mark_stale(c, r, rb, reported);
	for (size_t i = 0; i < reported; i++)
		report(c, r, rb[i].j, &rb[i].old, rb[i].stale, rb[i].sent);
	if (more_rebinds)
		cap_finding(c, r, more_rebinds,
			    "more NAT rebindings than are reported per capture (16): this many "
			    "later ones were seen but not reported, nor their stale packets counted");
	if (unfollowed)
		cap_finding(c, r, unfollowed,
			    "IPsec arrived on more of the host's UDP ports than NAT rebinding follows "
			    "(8): this many packets to the ports past them were not looked at for a "
			    "rebinding");
	return IKS_OK;
}

iks_status corr_nat_rebind(corr_ctx *c)
{
	for (int r = 0; r < 2; r++) {
		size_t n = c->t[r]->nunits ? c->t[r]->nunits : 1;
		c->stale[r] = big_calloc(n, 1);
		if (!c->stale[r])
			return IKS_E_NOMEM;
	}
	if (c->hints && c->hints->no_rebind)
		return IKS_OK; /* a longer path: the hop whose captures differ has it */
	for (int r = 0; r < 2; r++) {
		iks_status st = rebinds_seen_by(c, r);
		if (st != IKS_OK)
			return st;
	}
	return IKS_OK;
}
