/*
 * negotiation.c - one timeline per IKE SA, built from the IKE messages
 * each end sent (each matched to its arrival at the other end, if any).
 *
 * An IKE SA is named by its version and initiator cookie/SPI (the
 * responder's is still zero in the first message). Its exchanges are told
 * apart by exchange type and message ID (RFC 2409 section 5: main mode
 * runs under message ID 0, each quick mode and informational exchange
 * under its own; RFC 7296 section 2.2: one message ID per request/response
 * pair). A retransmission is the same message, byte for byte, sent again.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "correlate/correlate_internal.h"

/* IKEv1 exchange types (RFC 2408 section 3.1) and IKEv2 (RFC 7296 section 3.1) */
#define V1_MAIN 2
#define V1_AGGRESSIVE 4
#define V1_INFO 5
#define V1_QUICK 32
#define V2_SA_INIT 34
#define V2_AUTH 35
#define V2_INFO 37

/* how long after an unanswered, never repeated request the capture must go
 * on before the silence counts as a failure rather than the capture's end */
#define QUIET_S 30.0

typedef struct ike_ref {
	uint8_t side;
	bool rx_only;    /* seen only by the receiver: sent outside the sender's capture */
	uint8_t version;
	uint8_t ispi[8];
	uint32_t idx;
	double ta;       /* send time on a's clock */
} ike_ref;

/* Per message while it is built: its identity and its latest copy. */
typedef struct msg_aux {
	uint64_t key;
	double last_s;
} msg_aux;

static const trace_unit *unit_of(const corr_ctx *c, const ike_ref *r)
{
	return &c->t[r->side]->units[r->idx];
}

static const trace_ike *ike_of(const corr_ctx *c, const ike_ref *r)
{
	return unit_ike(c->t[r->side], unit_of(c, r));
}

static int cmp_ref(const void *x, const void *y)
{
	const ike_ref *a = x, *b = y;
	if (a->version != b->version)
		return a->version < b->version ? -1 : 1;
	int m = memcmp(a->ispi, b->ispi, 8);
	if (m)
		return m;
	if (a->ta != b->ta)
		return a->ta < b->ta ? -1 : 1;
	return a->side != b->side ? (a->side < b->side ? -1 : 1) : (a->idx < b->idx ? -1 : 1);
}

static int cmp_start(const void *x, const void *y)
{
	const iks_negotiation *a = x, *b = y;
	if (a->start_s != b->start_s)
		return a->start_s < b->start_s ? -1 : 1;
	return memcmp(a->ispi, b->ispi, 8);
}

static int dir_of(int side)
{
	return side == 0 ? IKS_DIR_A_TO_B : IKS_DIR_B_TO_A;
}

/* The side that sent what this ref names. */
static int sender_of(const ike_ref *r)
{
	return r->rx_only ? 1 - r->side : r->side;
}

static iks_ike_exchange *find_exchange(iks_negotiation *n, const trace_ike *u, size_t cap)
{
	for (uint32_t i = 0; i < n->nexchanges; i++)
		if (n->exchanges[i].type == u->exchange && n->exchanges[i].msgid == u->msgid)
			return &n->exchanges[i];
	if (n->nexchanges == cap)
		return NULL;
	iks_ike_exchange *e = &n->exchanges[n->nexchanges++];
	memset(e, 0, sizeof(*e));
	e->type = u->exchange;
	e->msgid = u->msgid;
	return e;
}

/* Add one sent copy of a message to its exchange; *auxp parallels the
 * exchange's messages and grows with them. False when out of memory; a
 * copy of a message past the exchange's cap is counted in *capped. */
static bool add_copy(corr_ctx *c, const iks_negotiation *n, iks_ike_exchange *e, msg_aux **auxp,
		     const ike_ref *r, uint32_t *capped)
{
	const trace_unit *u = unit_of(c, r);
	const trace_ike *k = ike_of(c, r);
	int dir = dir_of(sender_of(r));
	double t = (double)u->ts_first / 1e9;
	iks_ike_message *m = NULL;
	msg_aux *x = NULL, *aux = *auxp;
	for (uint16_t i = 0; i < e->nmessages; i++)
		if (aux[i].key == u->key && e->messages[i].dir == dir) {
			m = &e->messages[i];
			x = &aux[i];
		}
	if (!m) {
		void *grown = aux;
		if (e->nmessages < IKS_EXCHANGE_MAX_MESSAGES &&
		    !corr_room_pow2(&grown, e->nmessages, sizeof(*aux)))
			return false;
		*auxp = aux = grown;
		bool full = false;
		if (!(m = corr_exchange_add_message(e, &full))) {
			if (!full)
				return false;
			(*capped)++;
			return true;
		}
		x = &aux[e->nmessages - 1];
		x->key = u->key;
		m->dir = dir;
		m->length = k->length;
		m->encrypted = k->encrypted;
		m->decrypted = k->decrypted;
		m->ike_fragment = k->fragment;
		m->notify_error = k->notify_error;
		if (!r->rx_only) {
			m->sent_s = t;
			m->frame_sent = u->first_frame;
			m->frame_sent_whole = u->frame;
		}
		if (k->version == 2)
			m->response = (u->flags & UNIT_F_RESPONSE) != 0;
		else
			m->response = e->nmessages > 1 && e->messages[0].dir != dir;
	}
	uint32_t xi = (uint32_t)(e - n->exchanges);
	uint16_t mi = (uint16_t)(m - e->messages);
	corr_ikemap_add(c->out, r->side, u->frame, k, xi, mi);
	if (r->rx_only) {
		/* the sender's capture was not running: only its arrival is known */
		m->not_covered = true;
		if (m->arrived_count++ == 0) {
			m->received_s = t;
			m->frame_received = u->frame;
		}
		return true;
	}
	if (m->sent_count >= 1 && m->sent_count <= 8)
		m->retransmit_gaps_s[m->sent_count - 1] = t - x->last_s; /* sender's clock */
	if (m->sent_count == 0) {
		m->sent_s = t;
		m->frame_sent = u->first_frame;
		m->frame_sent_whole = u->frame;
	}
	x->last_s = t;
	m->sent_count++;
	uint32_t other = c->match[r->side][r->idx];
	if (other == NO_MATCH && !corr_covered(c, r->side, u->ts))
		m->not_covered = true;
	if (other != NO_MATCH) {
		const trace_unit *v = &c->t[1 - r->side]->units[other];
		corr_ikemap_add(c->out, 1 - r->side, v->frame, k, xi, mi);
		if (m->arrived_count++ == 0) {
			m->received_s = (double)v->ts / 1e9;
			m->frame_received = v->frame;
		}
	}
	return true;
}

static bool answered(const iks_ike_exchange *e, uint16_t req)
{
	for (uint16_t i = req + 1; i < e->nmessages; i++)
		if (e->messages[i].dir != e->messages[req].dir)
			return true;
	return false;
}

/* Messages an exchange needs to complete (0: no fixed count). */
static unsigned expected_messages(uint8_t version, uint8_t type)
{
	if (version == 1)
		return type == V1_MAIN ? 6 : type == V1_AGGRESSIVE ? 3 : type == V1_QUICK ? 3 : 0;
	return type == V1_INFO ? 0 : 2;
}

static double sender_to_a(const corr_ctx *c, const iks_ike_message *m, double t_s)
{
	int side = m->dir == IKS_DIR_A_TO_B ? 0 : 1;
	return corr_to_a_clock(c, side, (int64_t)(t_s * 1e9)) / 1e9;
}

/* The last copy of a message, on a's clock. */
static double last_copy_a(const corr_ctx *c, const iks_ike_message *m)
{
	double t = m->sent_s;
	for (uint32_t k = 0; k + 1 < m->sent_count && k < 8; k++)
		t += m->retransmit_gaps_s[k];
	return sender_to_a(c, m, t);
}

static iks_finding *report_message(corr_ctx *c, const iks_negotiation *n,
				   const iks_ike_exchange *e, const iks_ike_message *m, int kind,
				   const char *explain)
{
	iks_finding *f = corr_add_finding(c, kind, kind == IKS_FIND_IKE_RETRANSMIT ? IKS_SEV_WARNING
										  : IKS_SEV_ERROR,
					  m->dir);
	if (!f)
		return NULL;
	f->explain = explain;
	corr_finding_exchange(f, n, e);
	f->response = n->version == 2 && m->response;
	f->size = m->length;
	f->count = m->sent_count > 0 ? m->sent_count - 1 : 0;
	for (int k = 0; k < 8; k++)
		f->intervals_s[k] = m->retransmit_gaps_s[k];
	bool from_a = m->dir == IKS_DIR_A_TO_B;
	f->time_a_s = from_a ? m->sent_s : m->received_s;
	f->time_b_s = from_a ? m->received_s : m->sent_s;
	f->frame_a = from_a ? m->frame_sent : m->frame_received;
	f->frame_b = from_a ? m->frame_received : m->frame_sent;
	return f;
}

/* Why a message was sent more than once: a requester that got no answer
 * in time re-sends its request; a responder answers each copy of a
 * repeated request again (RFC 7296 section 2.1); IKEv1 has no flag that
 * tells the two apart (RFC 2408 section 5). */
static const char *retransmit_text(const iks_negotiation *n, const iks_ike_message *m)
{
	if (n->version == 2 && m->response)
		return "the responder sent its answer again because the request came again: the "
		       "requester did not get the first answer in time (look for loss of the answer, "
		       "or of the request's earlier copies)";
	if (n->version == 2)
		return "the requester sent this request again: it got no answer in time (look for loss "
		       "of this request or of its answer)";
	return "the same IKE message was sent again: its sender got no answer in time, or answered "
	       "a repeated message again (look for loss of this message or of the one before it)";
}

/* Error notifications after which the exchange goes on (RFC 7296 section
 * 1.2: INVALID_KE_PAYLOAD makes the initiator retry with the group the
 * responder wants; 2.25: TEMPORARY_FAILURE and CHILD_SA_NOT_FOUND during
 * rekeying). */
static bool recoverable(uint8_t version, uint16_t type)
{
	return version == 2 && (type == 17 || type == 43 || type == 44);
}

/* Every message that carried an error Notify is a finding; one that ends
 * the negotiation names why it failed. Returns whether one did. */
static bool judge_errors(corr_ctx *c, iks_negotiation *n)
{
	bool failed = false;
	for (uint32_t i = 0; i < n->nexchanges; i++) {
		iks_ike_exchange *e = &n->exchanges[i];
		for (uint16_t k = 0; k < e->nmessages; k++) {
			iks_ike_message *m = &e->messages[k];
			if (!m->notify_error)
				continue;
			bool fatal = !recoverable(n->version, m->notify_error);
			iks_finding *f = report_message(
				c, n, e, m, IKS_FIND_IKE_ERROR,
				fatal ? "the peer refused: the notification names why (its IKE log says more)"
				      : "the peer asked for something else; the exchange goes on");
			if (f) {
				f->notify = m->notify_error;
				f->count = 0;
				if (!fatal)
					f->severity = IKS_SEV_WARNING;
			}
			if (fatal && !failed) {
				failed = true;
				/* IKEv1 says it in an Informational exchange of its own
				 * (RFC 2408 section 4.8): the failure is in the exchange
				 * that was under way */
				const iks_ike_exchange *under_way = e;
				for (uint32_t j = i; n->version == 1 && e->type == V1_INFO && j-- > 0;)
					if (n->exchanges[j].type != V1_INFO) {
						under_way = &n->exchanges[j];
						break;
					}
				n->failed_exchange = under_way->type;
				n->failed_msgid = under_way->msgid;
				n->error_notify = m->notify_error;
				n->error_dir = m->dir;
				n->outcome_reason = "a message carried an error notification";
			}
		}
	}
	return failed;
}

/* Whether an answer was encrypted and not decrypted: an error notification
 * in it would not be seen. */
static bool unread(const iks_negotiation *n)
{
	for (uint32_t i = 0; i < n->nexchanges; i++)
		for (uint16_t k = 0; k < n->exchanges[i].nmessages; k++) {
			const iks_ike_message *m = &n->exchanges[i].messages[k];
			if (m->encrypted && !m->decrypted)
				return true;
		}
	return false;
}

/* Outcome and IKE findings of one negotiation. */
static void judge(corr_ctx *c, iks_negotiation *n)
{
	double end_a = (double)c->cover_to_ns / 1e9;
	n->outcome = IKS_OUTCOME_COMPLETE;
	n->outcome_reason = "every exchange seen was answered";
	bool failed = judge_errors(c, n), incomplete = false;
	for (uint32_t i = 0; i < n->nexchanges; i++) {
		iks_ike_exchange *e = &n->exchanges[i];
		for (uint16_t k = 0; k < e->nmessages; k++) {
			iks_ike_message *m = &e->messages[k];
			if (m->sent_count > 1)
				report_message(c, n, e, m, IKS_FIND_IKE_RETRANSMIT, retransmit_text(n, m));
		}
		unsigned want = expected_messages(n->version, e->type);
		if (want == 0 || e->nmessages == 0)
			continue;
		/* the message that waits for an answer: the last one sent */
		uint16_t last = (uint16_t)(e->nmessages - 1);
		iks_ike_message *m = &e->messages[last];
		/* the closing message arrived, or was sent while the other end's
		 * capture was not running (its arrival is then not in doubt:
		 * nothing says otherwise) */
		bool closed = m->arrived_count > 0 || m->not_covered;
		bool done = e->nmessages >= want && closed;
		if (n->version == 2)
			done = m->response && closed;
		if (done)
			continue;
		if (m->not_covered && m->arrived_count == 0) {
			incomplete = true; /* the other capture was not running: unknown */
			continue;
		}
		bool quiet = end_a - last_copy_a(c, m) > QUIET_S;
		bool lost_answer = m->response || (n->version == 1 && answered(e, last));
		if (!lost_answer && m->sent_count <= 1 && !quiet && m->arrived_count == 0 &&
		    last_copy_a(c, m) + c->opt.end_margin_s > end_a) {
			incomplete = true;
			continue;
		}
		if (!quiet && m->sent_count <= 1 && m->arrived_count > 0) {
			incomplete = true; /* the answer may still have been coming */
			continue;
		}
		const char *why;
		if (m->arrived_count == 0)
			why = m->response ? "the answer never arrived back: the requester waits for it until it gives up"
					  : "the message never arrived at its peer: lost in the path (see fragment and packet loss findings)";
		else
			why = "the message arrived but its peer sent no answer: rejected or dropped by the peer (check its IKE log)";
		report_message(c, n, e, m, IKS_FIND_IKE_UNANSWERED, why);
		if (!failed) {
			failed = true;
			n->failed_exchange = e->type;
			n->failed_msgid = e->msgid;
			n->outcome_reason = m->arrived_count == 0 ? "a message never arrived" : "a message was not answered";
		}
	}
	if (!failed && !incomplete && unread(n))
		n->outcome_reason = "every exchange seen was answered; encrypted answers were not read: "
				    "with keys, an error they carry would show";
	if (failed)
		n->outcome = IKS_OUTCOME_FAILED;
	else if (incomplete) {
		n->outcome = IKS_OUTCOME_INCOMPLETE;
		n->outcome_reason = "the capture ends while an exchange is under way";
	}
}

static iks_status build(corr_ctx *c, const ike_ref *refs, size_t from, size_t to)
{
	iks_correlation *o = c->out;
	if (o->nnegs == c->opt.negotiations_max) {
		iks_finding *f = corr_add_finding(c, IKS_FIND_LIMIT, IKS_SEV_WARNING, IKS_DIR_UNKNOWN);
		if (f) {
			f->explain = "more IKE SAs than negotiations_max: the rest are not followed";
			f->count = (uint32_t)(to - from);
		}
		return IKS_OK;
	}
	if (o->nnegs == o->cap_negs) {
		size_t cap = o->cap_negs ? o->cap_negs * 2 : 16;
		iks_negotiation *nn = realloc(o->negs, cap * sizeof(*nn));
		if (!nn)
			return IKS_E_NOMEM;
		o->negs = nn;
		o->cap_negs = cap;
	}
	size_t cap = to - from; /* at most one exchange per message */
	iks_negotiation *n = &o->negs[o->nnegs];
	memset(n, 0, sizeof(*n));
	n->exchanges = calloc(cap, sizeof(*n->exchanges));
	msg_aux **aux = calloc(cap, sizeof(*aux)); /* per exchange, beside its messages */
	uint32_t *capped = calloc(cap, sizeof(*capped));
	if (!n->exchanges || !aux || !capped) {
		free(n->exchanges);
		free(aux);
		free(capped);
		return IKS_E_NOMEM;
	}
	o->nnegs++;
	const trace_ike *first = ike_of(c, &refs[from]);
	n->version = first->version;
	memcpy(n->ispi, first->ispi, 8);
	n->initiator = dir_of(sender_of(&refs[from]));
	n->start_s = refs[from].ta / 1e9;
	iks_status st = IKS_OK;
	static const uint8_t zero[8];
	for (size_t i = from; i < to; i++) {
		const trace_ike *u = ike_of(c, &refs[i]);
		if (!memcmp(n->rspi, zero, 8))
			memcpy(n->rspi, u->rspi, 8);
		iks_ike_exchange *e = find_exchange(n, u, cap);
		size_t xi = e ? (size_t)(e - n->exchanges) : 0;
		if (e && !add_copy(c, n, e, &aux[xi], &refs[i], &capped[xi])) {
			st = IKS_E_NOMEM;
			break;
		}
	}
	for (size_t x = 0; x < cap; x++) {
		if (capped[x] && st == IKS_OK)
			corr_exchange_cap_finding(c, n, &n->exchanges[x], capped[x]);
		free(aux[x]);
	}
	free(aux);
	free(capped);
	if (st != IKS_OK)
		return st;
	/* room was made for one exchange per message; a negotiation has far
	 * fewer (a message and its answer share one, retransmits too): give
	 * the rest back, it is most of what a long capture's report holds */
	if (n->nexchanges < cap && n->nexchanges) {
		iks_ike_exchange *fit = realloc(n->exchanges, n->nexchanges * sizeof(*fit));
		if (fit)
			n->exchanges = fit;
	}
	judge(c, n);
	return IKS_OK;
}

/*
 * Field-notes pattern 5: negotiations one end starts fail while those the
 * other starts complete. Something treats the two directions differently:
 * a stateful firewall or NAT that lets only one side open sessions, or a
 * policy, trust or authentication set up on one side only. One finding,
 * pointing at the first failed negotiation's first message.
 */
static void one_way(corr_ctx *c)
{
	iks_correlation *o = c->out;
	uint32_t complete[2] = { 0, 0 }, failed[2] = { 0, 0 };
	const iks_negotiation *first_failed[2] = { NULL, NULL };
	for (size_t i = 0; i < o->nnegs; i++) {
		const iks_negotiation *n = &o->negs[i];
		int s = n->initiator == IKS_DIR_A_TO_B ? 0 : n->initiator == IKS_DIR_B_TO_A ? 1 : -1;
		if (s < 0)
			continue;
		if (n->outcome == IKS_OUTCOME_COMPLETE)
			complete[s]++;
		else if (n->outcome == IKS_OUTCOME_FAILED) {
			failed[s]++;
			if (!first_failed[s] || n->exchanges[0].messages[0].sent_s <
							first_failed[s]->exchanges[0].messages[0].sent_s)
				first_failed[s] = n;
		}
	}
	for (int s = 0; s < 2; s++) {
		int w = 1 - s; /* s's negotiations fail, w's complete */
		if (!failed[s] || complete[s] || !complete[w] || failed[w])
			continue;
		const iks_negotiation *n = first_failed[s];
		if (!n->nexchanges || !n->exchanges[0].nmessages)
			continue;
		const iks_ike_exchange *e = &n->exchanges[0];
		iks_finding *f = report_message(
			c, n, e, &e->messages[0], IKS_FIND_ONE_WAY,
			"the negotiations this end starts fail while those the other end starts complete: "
			"something treats the two directions differently (a stateful firewall or NAT that "
			"lets only one side open sessions, or a policy, trust or authentication set up on "
			"one side only)");
		if (f) {
			f->count = failed[s];
			f->total = complete[w];
		}
	}
}

iks_status corr_negotiations(corr_ctx *c)
{
	size_t total = 0;
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < c->t[s]->nunits; i++)
			if (c->t[s]->units[i].kind == UNIT_IKE)
				total++;
	ike_ref *refs = malloc((total ? total : 1) * sizeof(*refs));
	if (!refs)
		return IKS_E_NOMEM;
	size_t n = 0;
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < c->t[s]->nunits; i++) {
			const trace_unit *u = &c->t[s]->units[i];
			if (u->kind != UNIT_IKE)
				continue;
			bool rx_only = false;
			if (c->role[s][i] == ROLE_RECEIVED && c->match[s][i] == NO_MATCH) {
				/* arrived, but sent while the sender's capture was not running? */
				double ta = corr_to_a_clock(c, s, u->ts);
				if (ta >= (double)c->cover_from_ns && ta <= (double)c->cover_to_ns)
					continue;
				rx_only = true;
			} else if (c->role[s][i] != ROLE_SENT) {
				continue;
			}
			refs[n].rx_only = rx_only;
			refs[n].side = (uint8_t)s;
			refs[n].version = unit_ike(c->t[s], u)->version;
			memcpy(refs[n].ispi, unit_ike(c->t[s], u)->ispi, 8);
			refs[n].idx = (uint32_t)i;
			refs[n].ta = corr_to_a_clock(c, s, u->ts_first);
			n++;
		}
	qsort(refs, n, sizeof(*refs), cmp_ref);
	iks_status st = IKS_OK;
	for (size_t i = 0; i < n && st == IKS_OK;) {
		size_t j = i + 1;
		while (j < n && refs[j].version == refs[i].version && !memcmp(refs[j].ispi, refs[i].ispi, 8))
			j++;
		st = build(c, refs, i, j);
		i = j;
	}
	free(refs);
	/* in the order they started, for people reading the report */
	if (st == IKS_OK && c->out->nnegs > 1)
		qsort(c->out->negs, c->out->nnegs, sizeof(*c->out->negs), cmp_start);
	if (st == IKS_OK)
		one_way(c);
	return st;
}
