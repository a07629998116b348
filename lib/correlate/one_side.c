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

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ike.h>
#include <ikescope/names.h>

#include "correlate/correlate_internal.h"

#define OUT IKS_DIR_A_TO_B
#define IN IKS_DIR_B_TO_A

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

static int dir_of(const corr_ctx *c, const trace_unit *u)
{
	if (u->addr_src == c->host[0] && u->addr_dst == c->peer[0])
		return OUT;
	if (u->addr_src == c->peer[0] && u->addr_dst == c->host[0])
		return IN;
	return IKS_DIR_UNKNOWN;
}

/* ------------------------------------------------------- IKE messages */

/* An IKE unit of the path, sortable by message then time. */
typedef struct ike_ref {
	uint32_t unit;
	int dir;
} ike_ref;

static int cmp_ref_ctx(const corr_ctx *c, const ike_ref *x, const ike_ref *y)
{
	const iks_trace *t = c->t[0];
	const trace_unit *ux = &t->units[x->unit], *uy = &t->units[y->unit];
	const trace_ike *kx = unit_ike(t, ux), *ky = unit_ike(t, uy);
	int d = memcmp(kx->ispi, ky->ispi, 8);
	if (d)
		return d;
	if (ux->ts != uy->ts)
		return ux->ts < uy->ts ? -1 : 1;
	return x->unit < y->unit ? -1 : x->unit > y->unit;
}

/* qsort has no context argument in C11: the context travels in the
 * array's first element, which is a sentinel (see sort_refs). */
typedef struct ref_sort {
	const corr_ctx *c;
	ike_ref r;
} ref_sort;

static int cmp_ref(const void *a, const void *b)
{
	const ref_sort *x = a, *y = b;
	return cmp_ref_ctx(x->c, &x->r, &y->r);
}

static iks_negotiation *neg_new(iks_correlation *o)
{
	if (o->nnegs == o->cap_negs) {
		size_t cap = o->cap_negs ? o->cap_negs * 2 : 16;
		iks_negotiation *n = realloc(o->negs, cap * sizeof(*n));
		if (!n)
			return NULL;
		o->negs = n;
		o->cap_negs = cap;
	}
	iks_negotiation *n = &o->negs[o->nnegs++];
	memset(n, 0, sizeof(*n));
	return n;
}

static iks_ike_exchange *exchange_of(iks_negotiation *n, uint8_t type, uint32_t msgid, size_t cap)
{
	for (uint32_t i = 0; i < n->nexchanges; i++)
		if (n->exchanges[i].type == type && n->exchanges[i].msgid == msgid)
			return &n->exchanges[i];
	if (n->nexchanges == cap)
		return NULL;
	iks_ike_exchange *e = &n->exchanges[n->nexchanges++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->msgid = msgid;
	return e;
}

/* Findings about one message seen `copies` times: a repeat, and (IKEv2) a
 * request out that no response answered. */
static void message_findings(corr_ctx *c, const iks_negotiation *n, const iks_ike_exchange *e,
			     const iks_ike_message *m)
{
	if (m->sent_count + m->arrived_count > 1) {
		iks_finding *f = corr_add_finding(c, IKS_FIND_IKE_RETRANSMIT, IKS_SEV_WARNING, m->dir);
		if (f) {
			bool out = m->dir == OUT;
			uint32_t copies = out ? m->sent_count : m->arrived_count;
			f->explain =
				out ? (m->response ? "the host answered a repeated request again: its first "
						     "answer did not reach the peer in time (or the "
						     "peer's earlier copies were lost)"
						   : "the host sent this message again: no answer came "
						     "back in time")
				    : (m->response ? "the peer answered again: a repeated request of the "
						     "host reached it"
						   : "the peer sent this request again: the host's answer "
						     "did not reach it in time, or earlier copies were lost");
			f->has_ike = true;
			f->version = n->version;
			f->response = n->version == 2 && m->response;
			f->exchange = e->type;
			memcpy(f->ispi, n->ispi, 8);
			memcpy(f->rspi, n->rspi, 8);
			f->msgid = e->msgid;
			f->size = m->length;
			f->count = copies - 1;
			for (int k = 0; k < 8; k++)
				f->intervals_s[k] = m->retransmit_gaps_s[k];
			f->frame_a = out ? m->frame_sent : m->frame_received;
			f->time_a_s = out ? m->sent_s : m->received_s;
		}
	}
}

/* Follow every IKE SA this host took part in. */
static iks_status negotiations(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	iks_correlation *o = c->out;
	size_t total = 0;
	for (size_t i = 0; i < t->nunits; i++)
		if (t->units[i].kind == UNIT_IKE && dir_of(c, &t->units[i]))
			total++;
	ref_sort *refs = malloc((total ? total : 1) * sizeof(*refs));
	if (!refs)
		return IKS_E_NOMEM;
	size_t n = 0;
	for (size_t i = 0; i < t->nunits; i++) {
		int d = t->units[i].kind == UNIT_IKE ? dir_of(c, &t->units[i]) : 0;
		if (d) {
			refs[n].c = c;
			refs[n].r.unit = (uint32_t)i;
			refs[n].r.dir = d;
			n++;
		}
	}
	qsort(refs, n, sizeof(*refs), cmp_ref);
	enum { EXCHANGES_MAX = 64 };
	for (size_t i = 0; i < n;) {
		const trace_ike *k0 = unit_ike(t, &t->units[refs[i].r.unit]);
		size_t j = i;
		while (j < n && !memcmp(unit_ike(t, &t->units[refs[j].r.unit])->ispi, k0->ispi, 8))
			j++;
		if (o->nnegs >= c->opt.negotiations_max) {
			i = j;
			continue;
		}
		iks_negotiation *ng = neg_new(o);
		if (!ng || !(ng->exchanges = calloc(EXCHANGES_MAX, sizeof(*ng->exchanges)))) {
			free(refs);
			return IKS_E_NOMEM;
		}
		ng->version = k0->version;
		memcpy(ng->ispi, k0->ispi, 8);
		ng->initiator = refs[i].r.dir;
		ng->start_s = (double)t->units[refs[i].r.unit].ts / 1e9;
		for (size_t x = i; x < j; x++) {
			const trace_unit *u = &t->units[refs[x].r.unit];
			const trace_ike *k = unit_ike(t, u);
			int d = refs[x].r.dir;
			static const uint8_t zero[8];
			if (!memcmp(ng->rspi, zero, 8))
				memcpy(ng->rspi, k->rspi, 8);
			iks_ike_exchange *e = exchange_of(ng, k->exchange, k->msgid, EXCHANGES_MAX);
			if (!e)
				continue;
			bool resp = k->version == 2 ? (k->flags & IKS_IKEV2_FLAG_RESPONSE) != 0 : d != ng->initiator;
			/* a copy of a message already seen, or a new one */
			iks_ike_message *m = NULL;
			for (uint16_t q = 0; q < e->nmessages; q++)
				if (e->messages[q].dir == d && e->messages[q].response == resp &&
				    e->messages[q].length == k->length)
					m = &e->messages[q];
			double ts = (double)u->ts / 1e9;
			if (!m) {
				if (e->nmessages == IKS_EXCHANGE_MAX_MESSAGES)
					continue;
				m = &e->messages[e->nmessages++];
				memset(m, 0, sizeof(*m));
				m->dir = d;
				m->response = resp;
				m->length = k->length;
				m->encrypted = k->encrypted;
				m->decrypted = k->decrypted;
				m->notify_error = k->notify_error;
				if (d == OUT) {
					m->sent_s = ts;
					m->frame_sent = u->first_frame;
					m->frame_sent_whole = u->frame;
					m->not_covered = true; /* whether it arrived: the peer's capture */
				} else {
					m->received_s = ts;
					m->frame_received = u->frame;
				}
			} else {
				uint32_t copies = d == OUT ? m->sent_count : m->arrived_count;
				double first = d == OUT ? m->sent_s : m->received_s;
				double prev = first;
				for (uint32_t g = 0; g + 1 < copies && g < 8; g++)
					prev += m->retransmit_gaps_s[g];
				if (copies >= 1 && copies - 1 < 8)
					m->retransmit_gaps_s[copies - 1] = ts - prev;
			}
			if (d == OUT)
				m->sent_count++;
			else
				m->arrived_count++;
		}
		/* outcome, from this side */
		ng->outcome = IKS_OUTCOME_COMPLETE;
		ng->outcome_reason = "every request this side saw was answered";
		for (uint32_t q = 0; q < ng->nexchanges; q++) {
			iks_ike_exchange *e = &ng->exchanges[q];
			for (uint16_t w = 0; w < e->nmessages; w++) {
				iks_ike_message *m = &e->messages[w];
				message_findings(c, ng, e, m);
				if (m->notify_error && !ng->error_notify) {
					ng->error_notify = m->notify_error;
					ng->error_dir = m->dir;
					ng->outcome = IKS_OUTCOME_FAILED;
					ng->failed_exchange = e->type;
					ng->failed_msgid = e->msgid;
					ng->outcome_reason = "a message carried an error notification";
				}
			}
			if (ng->version != 2 || ng->outcome == IKS_OUTCOME_FAILED)
				continue;
			bool req = false, resp = false;
			const iks_ike_message *rq = NULL;
			for (uint16_t w = 0; w < e->nmessages; w++) {
				if (e->messages[w].response)
					resp = true;
				else {
					req = true;
					rq = &e->messages[w];
				}
			}
			if (req && !resp && rq->dir == OUT) {
				ng->outcome = IKS_OUTCOME_FAILED;
				ng->failed_exchange = e->type;
				ng->failed_msgid = e->msgid;
				ng->outcome_reason = "a request of this host was never answered";
				iks_finding *f = corr_add_finding(c, IKS_FIND_IKE_UNANSWERED, IKS_SEV_ERROR, OUT);
				if (f) {
					f->explain = "no answer came back: the request or every answer was lost, "
						     "or the peer did not answer (its capture or log tells)";
					f->has_ike = true;
					f->version = 2;
					f->exchange = e->type;
					memcpy(f->ispi, ng->ispi, 8);
					memcpy(f->rspi, ng->rspi, 8);
					f->msgid = e->msgid;
					f->size = rq->length;
					f->count = rq->sent_count;
					f->frame_a = rq->frame_sent;
					f->time_a_s = rq->sent_s;
				}
			}
		}
		i = j;
	}
	free(refs);
	return IKS_OK;
}

/* -------------------------------------------------- packet findings */

/* Fragments of the peer's datagrams that never completed here: which pieces
 * arrived tells which were lost. */
static void fragment_findings(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	uint32_t with_first = 0, without_first = 0;
	size_t from = c->out->nfinds;
	for (size_t i = 0; i < t->nunits; i++) {
		const trace_unit *u = &t->units[i];
		if (u->kind != UNIT_INCOMPLETE || dir_of(c, u) != IN)
			continue;
		iks_finding *f = corr_add_finding(c, IKS_FIND_FRAGMENT_LOSS, IKS_SEV_ERROR, IN);
		if (!f)
			return;
		bool first = (u->flags & UNIT_F_FIRST_SEEN) != 0;
		if (first)
			with_first++;
		else
			without_first++;
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
static void icmp_findings(corr_ctx *c, uint32_t *ignored, uint64_t *which)
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
			return;
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
static uint32_t icv_findings(corr_ctx *c)
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
			break;
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

/* ESP/AH the peer kept sending on an SA the host deleted: the host's own
 * Delete (in clear, or read with keys) named its inbound SPI. */
static void stale_findings(corr_ctx *c)
{
	const iks_trace *t = c->t[0];
	for (size_t d = 0; d < t->ndeletes; d++) {
		const trace_delete *del = &t->deletes[d];
		const trace_unit *du = &t->units[del->unit];
		if (dir_of(c, du) != OUT)
			continue;
		bool again = false; /* a retransmitted Delete, or another naming the same SPI */
		for (size_t e = 0; e < d && !again; e++)
			again = t->deletes[e].spi == del->spi && t->deletes[e].proto == del->proto &&
				dir_of(c, &t->units[t->deletes[e].unit]) == OUT;
		if (again)
			continue;
		uint32_t n = 0;
		const trace_unit *first = NULL;
		for (size_t i = del->unit + 1; i < t->nunits; i++) {
			const trace_unit *u = &t->units[i];
			/* later than a transit could explain: 0.5 s */
			if ((u->kind == UNIT_ESP || u->kind == UNIT_AH) && u->spi == del->spi &&
			    dir_of(c, u) == IN && u->ts > du->ts + 500000000LL) {
				if (!first)
					first = u;
				n++;
			}
		}
		if (!n)
			continue;
		iks_finding *f = corr_add_finding(c, IKS_FIND_BAD_SPI, IKS_SEV_ERROR, IN);
		if (!f)
			return;
		f->explain = "the peer kept using an SA this host deleted: its Delete never reached the "
			     "peer, or the peer ignored it";
		f->proto = del->proto == 2 ? 51 : 50;
		f->spi = del->spi;
		f->count = n;
		f->delete_frame = du->first_frame;
		f->delete_s = (double)du->ts_first / 1e9;
		f->frame_a = first->frame;
		f->time_a_s = (double)first->ts / 1e9;
		corr_ike_identity(f, t, du);
	}
}

/* ------------------------------------------------------------ verdicts */

typedef struct vbuild {
	iks_verdict *v;
	size_t n, cap;
} vbuild;

static iks_verdict *add_verdict(vbuild *b, int cause, int dir, bool certain)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		iks_verdict *v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		b->v = v;
		b->cap = cap;
	}
	iks_verdict *v = &b->v[b->n++];
	memset(v, 0, sizeof(*v));
	v->cause = cause;
	v->direction = dir;
	v->confidence = certain ? "certain" : "likely";
	return v;
}

static void text(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, IKS_VERDICT_TEXT, fmt, ap);
	va_end(ap);
}

static void evidence_of(const iks_correlation *o, iks_verdict *v, int kind, int dir)
{
	for (size_t i = 0; i < o->nfinds && v->nevidence < IKS_VERDICT_MAX_EVIDENCE; i++)
		if (o->finds[i].kind == kind && (dir < 0 || o->finds[i].direction == dir))
			v->evidence[v->nevidence++] = (uint32_t)i;
}

static iks_status one_side_verdicts(corr_ctx *c, uint32_t icmp_ignored, const iks_finding *icmp,
				    uint32_t icv_bad)
{
	iks_correlation *o = c->out;
	const iks_trace *t = c->t[0];
	char host[48], peer[48];
	iks_addr_format(trace_addr(t, c->host[0]), host, sizeof(host));
	iks_addr_format(trace_addr(t, c->peer[0]), peer, sizeof(peer));
	vbuild b;
	memset(&b, 0, sizeof(b));
	iks_verdict *v;
	/* error notifications: certain, configuration */
	for (size_t i = 0; i < o->nnegs; i++) {
		const iks_negotiation *n = &o->negs[i];
		if (!n->error_notify || !(v = add_verdict(&b, IKS_CAUSE_NEGOTIATION_ERROR, n->error_dir, true)))
			continue;
		v->notify = n->error_notify;
		v->notify_dir = n->error_dir;
		v->count = 1;
		const char *nm = iks_ike_notify_name(n->version, n->error_notify);
		text(v->summary, "%s sent %s (%u) in IKEv%u %s: the peers refused each other",
		     n->error_dir == OUT ? host : peer, nm ? nm : "an error notification",
		     n->error_notify, n->version, iks_ike_exchange_name(n->version, n->failed_exchange));
		text(v->advice, "Configuration, not the path: compare both peers' proposals, "
				"credentials and traffic selectors with what the notification names.");
	}
	/* fragments missing by position: certain */
	uint32_t nfrag = 0;
	const iks_finding *ff = NULL;
	for (size_t i = 0; i < o->nfinds; i++)
		if (o->finds[i].kind == IKS_FIND_FRAGMENT_LOSS) {
			nfrag++;
			if (!ff)
				ff = &o->finds[i];
		}
	uint32_t whole_frag = 0; /* the peer's fragmented datagrams that arrived whole */
	for (size_t i = 0; i < t->nunits; i++)
		if ((t->units[i].flags & UNIT_F_FRAGMENTED) && t->units[i].kind != UNIT_INCOMPLETE &&
		    dir_of(c, &t->units[i]) == IN)
			whole_frag++;
	if (ff && whole_frag && (v = add_verdict(&b, IKS_CAUSE_RANDOM_LOSS, IN, false))) {
		/* pieces lost while other fragmented datagrams arrived whole: loss, not
		   a device that drops fragments by position */
		v->count = nfrag;
		v->total = nfrag + whole_frag;
		evidence_of(o, v, IKS_FIND_FRAGMENT_LOSS, IN);
		text(v->summary,
		     "Pieces of %u of %u fragmented datagrams from %s never reached %s while the others "
		     "arrived whole: packets are lost on the way, not dropped by fragment position",
		     nfrag, nfrag + whole_frag, peer, host);
		text(v->advice, "Look for loss on the path (interface errors, congestion) between %s and "
				"%s.", peer, host);
		text(v->settle, "a capture at %s shows how much else was lost, and which way", peer);
		ff = NULL;
	}
	if (ff && (v = add_verdict(&b, IKS_CAUSE_FRAGMENTS_DROPPED, IN, true))) {
		const char *p = ff->pattern;
		v->which = !strcmp(p, "only-first-fragments-pass") ? "non-first"
			   : !strcmp(p, "first-fragments-lost") ? "first" : "some";
		v->count = nfrag;
		v->total = nfrag;
		evidence_of(o, v, IKS_FIND_FRAGMENT_LOSS, IN);
		text(v->summary,
		     "%u of %s's fragmented datagrams reached %s %s: a device between them drops %s "
		     "IP fragments",
		     nfrag, peer, host,
		     !strcmp(v->which, "non-first") ? "as first fragments only"
		     : !strcmp(v->which, "first") ? "without their first fragment" : "with pieces missing",
		     !strcmp(v->which, "non-first") ? "non-first" : !strcmp(v->which, "first") ? "first" : "some");
		text(v->advice, "Enable IKE fragmentation on both peers (RFC 7383, or the IKEv1 extension), "
				"or let IP fragments through the device in the path.");
	}
	/* the host's own Delete ignored or lost: certain */
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->kind != IKS_FIND_BAD_SPI || !(v = add_verdict(&b, IKS_CAUSE_STALE_SA, IN, true)))
			continue;
		v->spi = f->spi;
		v->count = f->count;
		v->delete_frame = f->delete_frame;
		v->evidence[v->nevidence++] = (uint32_t)i;
		text(v->summary, "%s kept sending ESP on SPI %08x (%u packets) after %s deleted that SA "
				 "(its Delete: frame %llu)",
		     peer, f->spi, f->count, host, (unsigned long long)f->delete_frame);
		text(v->advice, "Resynchronise the SAs (clear them on both peers), enable dead peer "
				"detection, and find why the Delete did not take effect.");
		text(v->settle, "a capture at %s shows whether the Delete arrived (lost) or was ignored",
		     peer);
	}
	/* an ICMP frag-needed the host ignored: certain */
	if (icmp && icmp_ignored && (v = add_verdict(&b, IKS_CAUSE_PMTU_BLACKHOLE, OUT, true))) {
		v->icmp_reached_sender = true;
		v->icmp_from = icmp->from;
		v->icmp_from_known = true;
		v->mtu = icmp->mtu;
		v->count = icmp_ignored;
		evidence_of(o, v, IKS_FIND_ICMP_FRAG_NEEDED, OUT);
		char from[48];
		iks_addr_format(&icmp->from, from, sizeof(from));
		text(v->summary, "Router %s told %s the path MTU is %u, yet %s kept sending %u DF packets "
				 "above it to %s: the host ignores the ICMP",
		     from, host, icmp->mtu, host, icmp_ignored, peer);
		text(v->advice, "Make the host honour ICMP fragmentation-needed (PMTU discovery), or lower "
				"its tunnel MTU / TCP MSS below %u.",
		     icmp->mtu);
	}
	/* ICV failures: likely (bytes changed, or a wrong key) */
	if (icv_bad && (v = add_verdict(&b, IKS_CAUSE_MODIFIED_IN_TRANSIT, IN, false))) {
		v->count = icv_bad;
		v->discarded = true;
		evidence_of(o, v, IKS_FIND_MODIFIED_IN_TRANSIT, IN);
		text(v->summary, "%u packets from %s failed their integrity check at %s: bytes changed on "
				 "the way (or the key does not fit)",
		     icv_bad, peer, host);
		text(v->advice, "Find the device that rewrites packets (capture on each side of it); check "
				"that the key file is this SA's.");
		text(v->settle, "a capture at %s shows whether the packets left it with other bytes", peer);
	}
	/* requests out never answered: likely */
	uint32_t unanswered = 0, retx = 0, heard = 0, answered_late = 0;
	const iks_finding *un = NULL;
	for (size_t i = 0; i < o->nfinds; i++) {
		const iks_finding *f = &o->finds[i];
		if (f->kind == IKS_FIND_IKE_UNANSWERED) {
			unanswered++;
			if (!un)
				un = f;
		}
	}
	for (size_t i = 0; i < t->nunits; i++)
		if (dir_of(c, &t->units[i]) == IN)
			heard++;
	for (size_t i = 0; i < o->nnegs; i++)
		for (uint32_t q = 0; q < o->negs[i].nexchanges; q++) {
			const iks_ike_exchange *e = &o->negs[i].exchanges[q];
			bool answered = false;
			uint32_t copies = 0;
			for (uint16_t w = 0; w < e->nmessages; w++) {
				const iks_ike_message *m = &e->messages[w];
				if (m->dir == IN && m->response)
					answered = true;
				if (m->dir == OUT && !m->response && m->sent_count > 1)
					copies = m->sent_count;
				if (m->dir == IN && !m->response && m->arrived_count > 1)
					retx += m->arrived_count - 1; /* the peer repeats its requests */
			}
			if (answered && copies)
				answered_late += copies - 1;
		}
	if (un && (v = add_verdict(&b, heard ? IKS_CAUSE_NO_ANSWER : IKS_CAUSE_BLOCKED, OUT, false))) {
		v->count = un->count;
		v->what = heard ? NULL : "everything";
		v->from_s = un->time_a_s;
		evidence_of(o, v, IKS_FIND_IKE_UNANSWERED, OUT);
		evidence_of(o, v, IKS_FIND_IKE_RETRANSMIT, OUT);
		char sched[96] = "";
		size_t len = 0;
		const iks_finding *rt = NULL;
		for (size_t i = 0; i < o->nfinds && !rt; i++)
			if (o->finds[i].kind == IKS_FIND_IKE_RETRANSMIT && o->finds[i].direction == OUT &&
			    o->finds[i].msgid == un->msgid && !memcmp(o->finds[i].ispi, un->ispi, 8))
				rt = &o->finds[i];
		if (rt)
			for (uint32_t k = 0; k < rt->count && k < 8 && len < sizeof(sched) - 8; k++)
				len += (size_t)snprintf(sched + len, sizeof(sched) - len, "%s%.2f", k ? ", " : "",
							rt->intervals_s[k]);
		if (heard)
			text(v->summary, "%s sent its IKEv%u %s request to %s %u times (intervals %s s) and "
					 "got no answer, though it hears from %s",
			     host, un->version, iks_ike_exchange_name(un->version, un->exchange), peer,
			     un->count, sched[0] ? sched : "-", peer);
		else
			text(v->summary, "%s sent its IKEv%u %s request to %s %u times (intervals %s s) and "
					 "received nothing at all from %s: the path is blocked one way "
					 "or the peer is down",
			     host, un->version, iks_ike_exchange_name(un->version, un->exchange), peer,
			     un->count, sched[0] ? sched : "-", peer);
		text(v->advice, "Allow UDP 500/4500 from %s to %s and back on the firewalls and NAT in "
				"the path, and check that %s runs and has a matching connection.",
		     host, peer, peer);
		text(v->settle, "a capture at %s shows whether the requests arrived (then %s did not "
				"answer) or not (the path)",
		     peer, peer);
	}
	/* answers after retransmits, or a peer repeating its requests: likely loss */
	if (!un && (answered_late || retx) && (v = add_verdict(&b, IKS_CAUSE_RANDOM_LOSS, IKS_DIR_UNKNOWN, false))) {
		v->count = answered_late + retx;
		evidence_of(o, v, IKS_FIND_IKE_RETRANSMIT, -1);
		text(v->summary, "IKE messages between %s and %s were repeated %u times before an answer "
				 "came through: some requests or answers were lost",
		     host, peer, v->count);
		text(v->advice, "Look for loss on the path (interface errors, congestion); IKE recovers "
				"from it, ESP traffic feels it.");
		text(v->settle, "a capture at %s tells which way the packets were lost", peer);
	}
	if (b.n == 0 && (v = add_verdict(&b, IKS_CAUSE_NO_PATH_PROBLEM, IKS_DIR_UNKNOWN, false))) {
		evidence_of(o, v, IKS_FIND_ICMP_FRAG_NEEDED, -1);
		text(v->summary, "Nothing in %s's capture points at the path to %s: every request was "
				 "answered and nothing arrived damaged or in pieces",
		     host, peer);
		text(v->advice, "Look at the peers' configurations and logs; one side cannot see "
				"everything.");
		text(v->settle, "a capture at %s shows whether everything %s sent arrived there", peer,
		     host);
	}
	if (b.n == 0)
		return IKS_E_NOMEM;
	o->verdicts = b.v;
	o->nverdicts = b.n;
	return IKS_OK;
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
	iks_status st = negotiations(&c);
	uint32_t ignored = 0, icv = 0;
	uint64_t icmp_frame = 0;
	const iks_finding *icmp = NULL;
	if (st == IKS_OK) {
		fragment_findings(&c);
		stale_findings(&c);
		icv = icv_findings(&c);
		icmp_findings(&c, &ignored, &icmp_frame);
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
