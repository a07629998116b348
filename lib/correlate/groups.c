/*
 * groups.c - the path packet by packet, collapsed into groups for drawing
 * (iks_correlation_groups). Runs after matching and findings: a packet's
 * fate is decided exactly as the loss statistics decide it (findings.c),
 * so the groups add up to iks_correlation_stats.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "correlate/correlate_internal.h"

/* consecutive packets further apart than this start a new group */
#define GROUP_GAP_NS 1000000000LL

/* the open groups of one stream (what a side sends / receives unseen):
 * one per SPI, kind and fate in use, so that interleaved streams each
 * collapse; the least recently used slot is reused */
#define OPEN_SLOTS 32
typedef struct open_group {
	size_t idx;          /* SIZE_MAX: none */
	int64_t last_ts;
} open_group;
typedef struct open_set {
	open_group slot[OPEN_SLOTS];
} open_set;

static uint8_t group_kind(const trace_unit *u)
{
	switch (u->kind) {
	case UNIT_IKE: return IKS_GROUP_IKE;
	case UNIT_ESP: return IKS_GROUP_ESP;
	case UNIT_AH: return IKS_GROUP_AH;
	case UNIT_KEEPALIVE: return IKS_GROUP_KEEPALIVE;
	case UNIT_ICMP_ERROR: return IKS_GROUP_ICMP_ERROR;
	default: return IKS_GROUP_OTHER;
	}
}

static bool same_addr(const iks_addr *x, const iks_addr *y)
{
	return x->family == y->family && !memcmp(x->bytes, y->bytes, sizeof(x->bytes));
}

/* A new zeroed group at the end of the array; NULL at the cap or out of memory. */
static iks_packet_group *group_new(corr_ctx *c)
{
	iks_correlation *o = c->out;
	if (o->ngroups == c->opt.groups_max)
		return NULL;
	if (o->ngroups == o->cap_groups) {
		size_t cap = o->cap_groups ? o->cap_groups * 2 : 256;
		if (cap > c->opt.groups_max)
			cap = c->opt.groups_max;
		iks_packet_group *g = realloc(o->groups, cap * sizeof(*g));
		if (!g)
			return NULL;
		o->groups = g;
		o->cap_groups = cap;
	}
	iks_packet_group *g = &o->groups[o->ngroups++];
	memset(g, 0, sizeof(*g));
	return g;
}

/* Whether u (sent at its side's time ts, with this fate and NAT flag) continues group g. */
static bool continues(const iks_packet_group *g, const open_group *og, const trace_unit *u,
		      uint8_t fate, bool nat, bool modified)
{
	if (og->idx == SIZE_MAX || g->kind == IKS_GROUP_IKE || g->kind == IKS_GROUP_ICMP_ERROR)
		return false;
	return g->kind == group_kind(u) && g->fate == fate && g->proto == u->proto &&
	       g->spi == u->spi && g->nat == nat && g->modified == modified &&
	       g->fragmented == ((u->flags & UNIT_F_FRAGMENTED) != 0) &&
	       u->ts_first - og->last_ts <= GROUP_GAP_NS;
}

/* Facts of the first packet; sender side su (unit u, may be NULL), receiver side of v. */
static void group_first(corr_ctx *c, iks_packet_group *g, int s, const trace_unit *u,
			const trace_unit *v)
{
	const trace_unit *any = u ? u : v;
	int r = 1 - s;
	if (!any)
		return;
	g->kind = group_kind(any);
	g->proto = any->proto;
	g->spi = any->spi;
	g->seq_first = any->seq;
	g->ip_id = any->ip_id;
	g->size_min = any->size;
	if (any->kind == UNIT_IKE) {
		const trace_ike *k = unit_ike(c->t[u ? s : r], any);
		g->version = k->version;
		g->exchange = k->exchange;
		g->ike_flags = k->flags;
		memcpy(g->ispi, k->ispi, 8);
		memcpy(g->rspi, k->rspi, 8);
		g->msgid = k->msgid;
		g->ike_length = k->length;
	}
	if (u) {
		g->fragmented = (u->flags & UNIT_F_FRAGMENTED) != 0;
		g->nfrags_sent = u->nfrags;
		g->sent_first_s = (double)u->ts_first / 1e9;
		g->sent_first_on_a_s = corr_to_a_clock(c, s, u->ts_first) / 1e9;
		g->frame_sent_first = u->first_frame;
		g->src_sent = *trace_addr(c->t[s], u->addr_src);
		g->dst_sent = *trace_addr(c->t[s], u->addr_dst);
		g->sport_sent = u->sport;
		g->dport_sent = u->dport;
	}
	if (v) {
		g->fragmented_in_path = !g->fragmented && (v->flags & UNIT_F_FRAGMENTED);
		g->nfrags_received = v->nfrags;
		g->received_first_s = (double)v->ts / 1e9;
		g->received_first_on_a_s = corr_to_a_clock(c, r, v->ts) / 1e9;
		g->frame_received_first = v->first_frame;
		g->src_received = *trace_addr(c->t[r], v->addr_src);
		g->dst_received = *trace_addr(c->t[r], v->addr_dst);
		g->sport_received = v->sport;
		g->dport_received = v->dport;
	}
}

/* Add one packet to the group (first or later). */
static void group_add(corr_ctx *c, iks_packet_group *g, int s, const trace_unit *u,
		      const trace_unit *v)
{
	const trace_unit *any = u ? u : v;
	if (!any)
		return;
	g->count++;
	g->seq_last = any->seq;
	g->bytes += any->size;
	if (any->size < g->size_min)
		g->size_min = any->size;
	if (any->size > g->size_max)
		g->size_max = any->size;
	if (u) {
		g->sent_last_s = (double)u->ts_first / 1e9;
		g->sent_last_on_a_s = corr_to_a_clock(c, s, u->ts_first) / 1e9;
		g->frame_sent_last = u->frame;
	}
	if (v) {
		if (!g->received_first_s) {
			g->received_first_s = (double)v->ts / 1e9;
			g->received_first_on_a_s = corr_to_a_clock(c, 1 - s, v->ts) / 1e9;
			g->frame_received_first = v->first_frame;
		}
		g->received_last_s = (double)v->ts / 1e9;
		g->received_last_on_a_s = corr_to_a_clock(c, 1 - s, v->ts) / 1e9;
		g->frame_received_last = v->frame;
	}
}

/* One packet travelling from side s to the other: u in s's trace (NULL when
 * s did not capture it), v in the receiver's (NULL when it did not arrive). */
static void place(corr_ctx *c, open_set *os, int s, const trace_unit *u, const trace_unit *v,
		  uint8_t fate, bool modified)
{
	iks_correlation *o = c->out;
	bool nat = false;
	if (u && v)
		nat = !same_addr(trace_addr(c->t[s], u->addr_src), trace_addr(c->t[1 - s], v->addr_src)) ||
		      !same_addr(trace_addr(c->t[s], u->addr_dst), trace_addr(c->t[1 - s], v->addr_dst)) ||
		      u->sport != v->sport || u->dport != v->dport;
	const trace_unit *any = u ? u : v;
	if (!any)
		return;
	iks_packet_group *g = NULL;
	open_group *og = &os->slot[0];
	for (size_t k = 0; k < OPEN_SLOTS; k++) {
		open_group *x = &os->slot[k];
		if (x->idx != SIZE_MAX && continues(&o->groups[x->idx], x, any, fate, nat, modified)) {
			og = x;
			g = &o->groups[x->idx];
			break;
		}
		if (x->idx == SIZE_MAX ? og->idx != SIZE_MAX : (og->idx != SIZE_MAX && x->last_ts < og->last_ts))
			og = x; /* the slot to reuse: a free one, else the least recently used */
	}
	if (!g) {
		g = group_new(c);
		if (!g) {
			o->groups_dropped++;
			return;
		}
		bool single = any->kind == UNIT_IKE || any->kind == UNIT_ICMP_ERROR;
		og = single ? NULL : og; /* a group of its own keeps no slot */
		if (og)
			og->idx = o->ngroups - 1;
		g->dir = s == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
		g->fate = fate;
		g->nat = nat;
		g->modified = modified;
		group_first(c, g, s, u, v);
	}
	group_add(c, g, s, u, v);
	if (og)
		og->last_ts = any->ts_first;
}

static double group_time(const iks_packet_group *g)
{
	return g->sent_first_s ? g->sent_first_on_a_s : g->received_first_on_a_s;
}

static int cmp_group(const void *x, const void *y)
{
	const iks_packet_group *a = x, *b = y;
	double ta = group_time(a), tb = group_time(b);
	if (ta != tb)
		return ta < tb ? -1 : 1;
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	uint64_t fa = a->frame_sent_first ? a->frame_sent_first : a->frame_received_first;
	uint64_t fb = b->frame_sent_first ? b->frame_sent_first : b->frame_received_first;
	return fa < fb ? -1 : (fa > fb);
}

static iks_status side_groups(corr_ctx *c, int s)
{
	const iks_trace *t = c->t[s];
	int r = 1 - s;
	/* an ICMP error that reached s quoting a lost packet (as findings.c
	   judges it) */
	corr_icmp_index quoting;
	if (corr_icmp_index_build(c, s, &quoting) != IKS_OK) {
		corr_icmp_index_free(&quoting);
		return IKS_E_NOMEM;
	}
	open_set sent, unseen, path;
	for (size_t k = 0; k < OPEN_SLOTS; k++) {
		sent.slot[k].idx = unseen.slot[k].idx = path.slot[k].idx = SIZE_MAX;
		sent.slot[k].last_ts = unseen.slot[k].last_ts = path.slot[k].last_ts = 0;
	}
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		uint8_t role = c->role[s][i];
		if (u->kind == UNIT_INCOMPLETE)
			continue; /* shown through the datagram it belongs to */
		if (u->kind == UNIT_ICMP_ERROR) {
			if (role != ROLE_TO_HOST && role != ROLE_RECEIVED)
				continue;
			/* travels towards s: drawn as sent from the path by the other side */
			size_t before = c->out->ngroups;
			place(c, &path, r, NULL, u, IKS_FATE_FROM_PATH, false);
			if (c->out->ngroups > before) {
				iks_packet_group *g = &c->out->groups[before];
				const trace_icmp *q = unit_icmp(t, u);
				g->icmp_type = q->type;
				g->icmp_code = q->code;
				g->mtu = q->mtu;
				g->quoted_ip_id = q->quoted_ip_id;
				g->quoted_proto = q->quoted_proto;
			}
			continue;
		}
		uint32_t m = c->match[s][i];
		if (role == ROLE_RECEIVED && m == NO_MATCH) {
			place(c, &unseen, r, NULL, u, IKS_FATE_ONLY_RECEIVED, false);
			continue;
		}
		if (role != ROLE_SENT)
			continue;
		const trace_unit *v = m != NO_MATCH ? &c->t[r]->units[m] : NULL;
		uint8_t fate = IKS_FATE_ARRIVED;
		if (!v) {
			if (!corr_covered(c, s, u->ts) || corr_beyond(c, s, i))
				fate = IKS_FATE_NOT_COVERED;
			else if (corr_icmp_quoting(&quoting, u) != NO_MATCH)
				fate = IKS_FATE_DROPPED_ICMP;
			else
				fate = IKS_FATE_LOST;
		}
		place(c, &sent, s, u, v, fate, m != NO_MATCH && c->modified[s][i]);
	}
	corr_icmp_index_free(&quoting);
	return IKS_OK;
}

iks_status corr_groups(corr_ctx *c)
{
	for (int s = 0; s < 2; s++) {
		iks_status st = side_groups(c, s);
		if (st != IKS_OK)
			return st;
	}
	if (c->out->ngroups)
		qsort(c->out->groups, c->out->ngroups, sizeof(*c->out->groups), cmp_group);
	return IKS_OK;
}

void corr_groups_free(iks_correlation *o)
{
	free(o->groups);
}

size_t iks_correlation_groups(const iks_correlation *c, const iks_packet_group **arr,
			      uint64_t *dropped)
{
	if (dropped)
		*dropped = c ? c->groups_dropped : 0;
	if (!c || !arr)
		return 0;
	*arr = c->groups;
	return c->ngroups;
}

const char *iks_group_kind_name(int kind)
{
	static const char *const names[] = { "?", "ike", "esp", "ah", "keepalive", "other", "icmp-error" };
	return kind >= 0 && kind < (int)(sizeof(names) / sizeof(names[0])) ? names[kind] : "?";
}

const char *iks_fate_name(int fate)
{
	static const char *const names[] = { "?", "arrived", "lost", "dropped-icmp", "not-covered",
					     "only-received", "from-path" };
	return fate >= 0 && fate < (int)(sizeof(names) / sizeof(names[0])) ? names[fate] : "?";
}
