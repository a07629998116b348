/*
 * trace_logjoin.c - the IKE log join (lib/log/logjoin.c) fed from a trace:
 * the trace's IKE units, in capture order, become the join's packets, so
 * a caller holding a trace does not read its capture again.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/log.h>

#include "trace/trace.h"

#define NS 1000000000LL

iks_status iks_log_join_trace(const iks_log *log, const iks_trace *t,
			      const iks_log_join_options *opt, iks_log_join **out)
{
	if (!log || !t || !out)
		return IKS_E_INVALID;
	*out = NULL;
	size_t n = 0;
	for (size_t i = 0; i < t->nunits; i++)
		n += t->units[i].kind == UNIT_IKE;
	if (n >= IKS_LOG_NONE)
		return IKS_E_INVALID;
	iks_log_pkt *pkts = malloc((n ? n : 1) * sizeof(*pkts));
	if (!pkts)
		return IKS_E_NOMEM;
	/* past the trace's addresses_max the last index stands for every later
	 * address: such packets get no address (family 0), which the join
	 * reads as "direction unknown" */
	uint32_t shared = t->naddrs && t->naddrs == t->lim.addresses_max ? t->naddrs - 1 : UINT32_MAX;
	size_t k = 0;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (u->kind != UNIT_IKE)
			continue;
		const trace_ike *ike = unit_ike(t, u);
		iks_log_pkt *p = &pkts[k++];
		memset(p, 0, sizeof(*p));
		p->frame = u->frame;
		/* floor division: times before 1970 keep 0 <= ts_nsec < 1e9 */
		int64_t sec = u->ts / NS - (u->ts % NS < 0);
		p->ts_sec = sec;
		p->ts_nsec = (uint32_t)(u->ts - sec * NS);
		if (u->addr_src != shared)
			p->src = *trace_addr(t, u->addr_src);
		if (u->addr_dst != shared)
			p->dst = *trace_addr(t, u->addr_dst);
		p->sport = u->sport;
		p->dport = u->dport;
		p->version = ike->version;
		p->exchange = ike->exchange;
		p->flags = ike->flags;
		memcpy(p->ispi, ike->ispi, 8);
		memcpy(p->rspi, ike->rspi, 8);
		p->msgid = ike->msgid;
		p->length = ike->length;
	}
	iks_status st = iks_log_join_run(log, pkts, n, opt, out);
	free(pkts);
	return st;
}
