/*
 * corr_hosts.c - steps 1 and 2 of the correlation (see correlate.c):
 * units whose identity occurs once in each trace are paired without a
 * clock, and those pairs tell which addresses are the two hosts in each
 * capture (by TTL, or on a path without routers by timing).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate_internal.h"

/* Step 1: identities that occur exactly once on each side. */
pair *corr_unique_pairs(const corr_ctx *c, size_t *npairs)
{
	size_t na, nb;
	keyed *ka = corr_sorted_keys(c->t[0], false, NULL, 0, &na);
	keyed *kb = corr_sorted_keys(c->t[1], false, NULL, 0, &nb);
	pair *p = malloc(((na < nb ? na : nb) + 1) * sizeof(*p));
	size_t n = 0;
	if (ka && kb && p) {
		size_t i = 0, j = 0;
		while (i < na && j < nb) {
			if (ka[i].key < kb[j].key) {
				i++;
				continue;
			}
			if (ka[i].key > kb[j].key) {
				j++;
				continue;
			}
			size_t ie = i, je = j;
			while (ie < na && ka[ie].key == ka[i].key)
				ie++;
			while (je < nb && kb[je].key == kb[j].key)
				je++;
			if (ie - i == 1 && je - j == 1) {
				p[n].a = ka[i].idx;
				p[n].b = kb[j].idx;
				n++;
			}
			i = ie;
			j = je;
		}
	}
	free(ka);
	free(kb);
	if (!p)
		return NULL;
	*npairs = n;
	return p;
}

/* Step 2: which addresses are the two hosts, in each capture. */
typedef struct flow_vote {
	uint32_t src_a, dst_a, src_b, dst_b;
	uint64_t ttl_sent_by_a, ttl_sent_by_b, n;
	double *diffs;
	size_t ndiffs;
} flow_vote;

#define MAX_FLOWS 64

static flow_vote *find_flow(flow_vote *f, size_t *nf, const trace_unit *ua, const trace_unit *ub)
{
	for (size_t i = 0; i < *nf; i++)
		if (f[i].src_a == ua->addr_src && f[i].dst_a == ua->addr_dst &&
		    f[i].src_b == ub->addr_src && f[i].dst_b == ub->addr_dst)
			return &f[i];
	if (*nf == MAX_FLOWS)
		return NULL;
	flow_vote *v = &f[(*nf)++];
	memset(v, 0, sizeof(*v));
	v->src_a = ua->addr_src;
	v->dst_a = ua->addr_dst;
	v->src_b = ub->addr_src;
	v->dst_b = ub->addr_dst;
	return v;
}

static void set_hosts(corr_ctx *c, const flow_vote *ab, const char *method)
{
	c->hosts_known = true;
	c->host[0] = ab->src_a;
	c->peer[0] = ab->dst_a;
	c->host[1] = ab->dst_b;
	c->peer[1] = ab->src_b;
	c->out->ends.method = method;
}

iks_status corr_learn_hosts(corr_ctx *c, const pair *p, size_t np)
{
	flow_vote flows[MAX_FLOWS];
	size_t nf = 0;
	for (size_t i = 0; i < np; i++) {
		const trace_unit *ua = &c->t[0]->units[p[i].a], *ub = &c->t[1]->units[p[i].b];
		flow_vote *v = find_flow(flows, &nf, ua, ub);
		if (!v)
			continue;
		v->n++;
		if (ua->ttl > ub->ttl)
			v->ttl_sent_by_a++;
		else if (ua->ttl < ub->ttl)
			v->ttl_sent_by_b++;
	}
	/* the busiest flow whose TTLs say who sent it */
	flow_vote *best = NULL;
	bool best_from_a = false;
	for (size_t i = 0; i < nf; i++) {
		uint64_t votes = flows[i].ttl_sent_by_a > flows[i].ttl_sent_by_b ? flows[i].ttl_sent_by_a
										   : flows[i].ttl_sent_by_b;
		if (votes * 2 <= flows[i].n)
			continue;
		if (!best || flows[i].n > best->n) {
			best = &flows[i];
			best_from_a = flows[i].ttl_sent_by_a > flows[i].ttl_sent_by_b;
		}
	}
	if (best) {
		flow_vote ab = *best;
		if (!best_from_a) {
			/* this flow goes b -> a: turn it around */
			ab.src_a = best->dst_a;
			ab.dst_a = best->src_a;
			ab.src_b = best->dst_b;
			ab.dst_b = best->src_b;
		}
		set_hosts(c, &ab, "ttl");
		return IKS_OK;
	}
	/* no router on the path: the direction whose copies are later on b's
	 * clock is the one a sends */
	flow_vote *f1 = NULL, *f2 = NULL;
	for (size_t i = 0; i < nf; i++)
		if (!f1 || flows[i].n > f1->n)
			f1 = &flows[i];
	for (size_t i = 0; f1 && i < nf; i++)
		if (flows[i].src_a == f1->dst_a && flows[i].dst_a == f1->src_a &&
		    (!f2 || flows[i].n > f2->n))
			f2 = &flows[i];
	if (!f1 || !f2)
		return IKS_OK; /* one direction only: cannot tell */
	double m[2];
	for (int k = 0; k < 2; k++) {
		flow_vote *f = k ? f2 : f1;
		double *d = malloc(f->n * sizeof(*d));
		if (!d)
			return IKS_E_NOMEM;
		size_t n = 0;
		for (size_t i = 0; i < np; i++) {
			const trace_unit *ua = &c->t[0]->units[p[i].a], *ub = &c->t[1]->units[p[i].b];
			if (ua->addr_src == f->src_a && ua->addr_dst == f->dst_a &&
			    ub->addr_src == f->src_b && ub->addr_dst == f->dst_b && n < f->n)
				d[n++] = (double)(ub->ts - ua->ts);
		}
		m[k] = corr_median(d, n);
		free(d);
	}
	set_hosts(c, m[0] >= m[1] ? f1 : f2, "timing");
	return IKS_OK;
}

void corr_assign_roles(corr_ctx *c)
{
	for (int s = 0; s < 2; s++) {
		const iks_trace *t = c->t[s];
		for (size_t i = 0; i < t->nunits; i++) {
			const trace_unit *u = &t->units[i];
			uint8_t r = ROLE_OTHER;
			if (u->addr_src == c->host[s] && u->addr_dst == c->peer[s])
				r = ROLE_SENT;
			else if (u->addr_src == c->peer[s] && u->addr_dst == c->host[s])
				r = ROLE_RECEIVED;
			else if (u->addr_dst == c->host[s])
				r = ROLE_TO_HOST;
			c->role[s][i] = r;
		}
	}
}
