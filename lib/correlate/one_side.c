/*
 * one_side.c - what one capture proves alone (iks_diagnose): the host that
 * captured it and its IPsec peer, each negotiation as this side saw it,
 * findings, and verdicts in the two-capture vocabulary, each "certain" or
 * "likely" with what a capture at the peer would settle.
 *
 * Certain from one side: fragments of the peer's datagrams missing by
 * position (the pieces that did arrive prove the rest were sent), ESP on
 * an SA the host deleted (the host's own Delete is in the capture), an ICMP
 * frag-needed the host received and then ignored. Likely: requests never
 * answered (the path, or the peer), answers after retransmits, ICV
 * failures (bytes changed, or a wrong key).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ike.h>
#include <ikescope/names.h>

#include "correlate/one_side.h"

/* Initial TTLs (hop limits) of the common stacks: what a host's own
 * packets carry in its capture. */
static bool initial_ttl(uint8_t ttl)
{
	return ttl == 64 || ttl == 128 || ttl == 255 || ttl == 32;
}

static bool ipsec_unit(const trace_unit *u)
{
	return u->kind == UNIT_IKE || u->kind == UNIT_ESP || u->kind == UNIT_AH ||
	       u->kind == UNIT_KEEPALIVE || u->kind == UNIT_INCOMPLETE;
}

/* The host: of the addresses in IPsec units, the one the TTLs vote for
 * (packets it sends carry an initial TTL, packets it receives less); its
 * peer: the address it exchanges most IPsec units with. Returns false when
 * the trace holds no IPsec. */
static bool learn_host(corr_ctx *c, const char **method)
{
	const iks_trace *t = c->t[0];
	if (!t->naddrs)
		return false;
	uint32_t *own = calloc(t->naddrs, sizeof(*own)), *seen = calloc(t->naddrs, sizeof(*seen));
	if (!own || !seen) {
		free(own);
		free(seen);
		return false;
	}
	/* a vote per packet: one sent with an initial TTL names its source as
	   the host, one that crossed routers names its destination (other
	   traffic votes too: a host that only receives IPsec still pings) */
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (ipsec_unit(u)) {
			seen[u->addr_src]++;
			seen[u->addr_dst]++;
		}
		if (u->kind == UNIT_ICMP_ERROR)
			continue;
		if (initial_ttl(u->ttl))
			own[u->addr_src]++;
		else
			own[u->addr_dst]++;
	}
	uint32_t host = UINT32_MAX;
	for (uint32_t a = 0; a < t->naddrs; a++)
		if (seen[a] && (host == UINT32_MAX || own[a] > own[host] ||
				(own[a] == own[host] && seen[a] > seen[host])))
			host = a;
	*method = host != UINT32_MAX && own[host] ? "ttl" : "most traffic";
	bool ok = host != UINT32_MAX;
	if (ok) {
		memset(seen, 0, t->naddrs * sizeof(*seen));
		for (size_t i = 0; i < t->nunits; i++) {
			const trace_unit *u = &t->units[i];
			if (!ipsec_unit(u))
				continue;
			if (u->addr_src == host && u->addr_dst != host)
				seen[u->addr_dst]++;
			else if (u->addr_dst == host && u->addr_src != host)
				seen[u->addr_src]++;
		}
		uint32_t peer = UINT32_MAX;
		for (uint32_t a = 0; a < t->naddrs; a++)
			if (seen[a] && (peer == UINT32_MAX || seen[a] > seen[peer]))
				peer = a;
		ok = peer != UINT32_MAX;
		c->host[0] = host;
		c->peer[0] = ok ? peer : host;
	}
	free(own);
	free(seen);
	return ok;
}

iks_status iks_diagnose(const iks_trace *t, const iks_correlate_options *opt, iks_correlation **out)
{
	if (!t || !out)
		return IKS_E_INVALID;
	*out = NULL;
	corr_ctx c;
	memset(&c, 0, sizeof(c));
	c.t[0] = t;
	iks_correlate_options_default(&c.opt);
	if (opt && opt->negotiations_max)
		c.opt.negotiations_max = opt->negotiations_max;
	if (opt && opt->findings_max)
		c.opt.findings_max = opt->findings_max;
	c.out = calloc(1, sizeof(*c.out));
	if (!c.out)
		return IKS_E_NOMEM;
	c.out->one_sided = true;
	corr_trace_cap_findings(&c);
	c.out->stats.units_a = t->nunits;
	const char *method = NULL;
	if (!learn_host(&c, &method)) {
		*out = c.out; /* no IPsec: nothing to say */
		return IKS_OK;
	}
	iks_endpoints *e = &c.out->ends;
	e->known = true;
	e->method = method;
	e->a_in_a = *trace_addr(t, c.host[0]);
	e->b_in_a = *trace_addr(t, c.peer[0]);
	e->covered_from_s = (double)t->info.first_ns / 1e9;
	e->covered_to_s = (double)t->info.last_ns / 1e9;
	iks_status st = one_side_negotiations(&c);
	uint32_t ignored = 0, icv = 0;
	uint64_t icmp_frame = 0;
	const iks_finding *icmp = NULL;
	if (st == IKS_OK) {
		one_side_fragments(&c);
		st = one_side_stale(&c);
		if (st == IKS_OK)
			st = one_side_unknown_spi(&c);
		icv = one_side_icv(&c);
		one_side_icmp(&c, &ignored, &icmp_frame);
		corr_findings_cap_finding(&c);
		if (st == IKS_OK)
			st = corr_order_findings(c.out);
		for (size_t i = 0; st == IKS_OK && ignored && i < c.out->nfinds && !icmp; i++)
			if (c.out->finds[i].kind == IKS_FIND_ICMP_FRAG_NEEDED &&
			    c.out->finds[i].frame_a == icmp_frame)
				icmp = &c.out->finds[i];
	}
	if (st == IKS_OK)
		st = one_side_verdicts(&c, ignored, icmp, icv);
	if (st != IKS_OK) {
		iks_correlation_free(c.out);
		return st;
	}
	*out = c.out;
	return IKS_OK;
}

bool iks_correlation_one_sided(const iks_correlation *c)
{
	return c && c->one_sided;
}

const char *iks_correlation_direction_name(const iks_correlation *c, int dir)
{
	if (dir == IKS_DIR_UNKNOWN)
		return NULL;
	if (c && c->one_sided && (dir == OUT || dir == IN))
		return dir == OUT ? "out" : "in";
	return iks_direction_name(dir);
}
