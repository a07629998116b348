/*
 * charonlog.c - strongSwan charon logs ("TIME TT[GRP] text", as charon
 * writes to a file or stderr in any time_format, or through syslog or
 * journald; the prefix is read by charon_prefix.c).
 *
 * Message records: charon logs each IKE message (or IKE fragment) it sends
 * or receives once in the worker thread with its size, "sending packet:
 * from A[P] to B[Q] (N bytes)". The exchange, request/response and message
 * ID come from the "generating ..." line that precedes a send in the same
 * thread, or the "parsed ..." line that follows a receive; a send after
 * "retransmit N of request with message ID M" is that retransmission.
 * After charon reassembles IKE fragments it logs a "received packet" line
 * for the whole message that never crossed the wire: that one is marked
 * IKS_LK_RECV_INTERNAL and is not a message.
 *
 * Hex dumps (net=3, enc=3): the receiver thread dumps every datagram it
 * reads ("received packet => N bytes @ ADDR", then the bytes) before its
 * own "received packet: from A[P] to B[Q]" line; the worker that handles
 * the message later logs it with its size. The worker dumps a message it
 * generated ("generated data of this generator => N bytes") before its
 * "sending packet" line. Each such dump is tied to its message when the
 * sizes agree (a received datagram on 4500 carries the non-ESP marker);
 * a retransmission, sent again without being generated, takes the bytes
 * of the message it repeats.
 */
#include "config.h"

#include <string.h>

#include "log/log_internal.h"
#include "core/hash.h"
#include "core/reader.h"

enum { DUMP_RX = 1, DUMP_GEN = 2, SUB_RECV_SOCKET = 2 };

static bool addr_same(const iks_addr *a, const iks_addr *b)
{
	return a->family && a->family == b->family &&
	       memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

static bool prefix(const uint8_t *line, size_t len, iks_log_record *rec, size_t *text)
{
	return charon_prefix(line, len, rec, text);
}

bool charon_line_prefix(const uint8_t *line, size_t len, uint32_t *thread, size_t *text)
{
	iks_log_record rec;
	memset(&rec, 0, sizeof(rec));
	if (!prefix(line, len, &rec, text))
		return false;
	*thread = rec.thread;
	return true;
}

bool charon_has_prefix(const uint8_t *line, size_t len)
{
	iks_log_record rec;
	size_t off;
	memset(&rec, 0, sizeof(rec));
	return prefix(line, len, &rec, &off);
}

static void gen_push(iks_log *log, log_thread *t, const struct log_gen *g)
{
	if (t->ngen == LOG_GEN_FIFO) {
		log->st.gen_dropped++; /* the oldest: the sends that follow shift */
		memmove(&t->gen[0], &t->gen[1], (LOG_GEN_FIFO - 1) * sizeof(t->gen[0]));
		t->ngen--;
	}
	t->gen[t->ngen++] = *g;
}

/* Exchange, message ID, direction of a generating/parsed line. */
static void exchange_of(const uint8_t *text, const logpat_out *o, int sub, struct log_gen *g)
{
	memset(g, 0, sizeof(*g));
	const log_exchange_name *e = log_exchange_lookup(iks_charon_exchanges, iks_charon_nexchanges,
							 text + o->span_off[0], o->span_len[0]);
	if (e) {
		g->version = e->version;
		g->exchange = e->exchange;
	}
	g->msgid = (uint32_t)o->num[0];
	g->response = sub == 1;
	if (o->nspan > 1) {
		const uint8_t *pl = text + o->span_off[1];
		size_t n = o->span_len[1], skip = logpat_skip_blanks(pl, n);
		g->fragment = logpat_starts_with(pl + skip, n - skip, "FRAG(") ||
			      logpat_starts_with(pl + skip, n - skip, "EF(");
	}
}

static void apply_gen(iks_log_msg *m, const struct log_gen *g)
{
	m->version = g->version;
	m->has_exchange = g->exchange != 0;
	m->exchange = g->exchange;
	m->has_msgid = true;
	m->msgid = g->msgid;
	m->has_response = true;
	m->response = g->response;
	m->fragment = g->fragment;
}

/* The exchange of an earlier sent request with this message ID. Returns
 * false when it was not found and the look back stopped at its bound. */
static uint64_t exchange_key(uint32_t msgid, bool response)
{
	return h_final(h_u64(h_u64(IKS_FNV_OFFSET, 1), (uint64_t)msgid << 1 | response));
}

static uint64_t data_key(uint32_t msgid, uint32_t length, const iks_addr *peer, uint16_t port)
{
	uint64_t h = h_u64(h_u64(IKS_FNV_OFFSET, 2), (uint64_t)msgid << 32 | length);
	h = h_u64(h, (uint64_t)peer->family << 16 | port);
	return h_final(h_bytes(h, peer->bytes, peer->family == 4 ? 4 : 16));
}

/* The keys the two searches below compare, of a message that could be an
 * original (log_beyond_lookback). */
static unsigned rexmit_keys(const iks_log_msg *p, uint64_t keys[2])
{
	unsigned n = 0;
	if (p->dir != IKS_LOG_SENT || !p->has_msgid)
		return 0;
	if (p->has_exchange)
		keys[n++] = exchange_key(p->msgid, p->response);
	if (p->has_data && p->peer.family)
		keys[n++] = data_key(p->msgid, p->length, &p->peer, p->peer_port);
	return n;
}

/* The exchange of the earlier send a retransmission repeats. Returns
 * false when it was not found and the look back stopped at its bound
 * with a message that could be it beyond (rexmit_lookback_cut). */
static bool rexmit_exchange(iks_log *log, iks_log_msg *m)
{
	size_t stop = log->nmsgs > LOG_REXMIT_LOOKBACK ? log->nmsgs - LOG_REXMIT_LOOKBACK : 0;
	for (size_t i = log->nmsgs; i-- > stop;) {
		const iks_log_msg *p = &log->msgs[i];
		if (p->dir == IKS_LOG_SENT && p->has_msgid && p->msgid == m->msgid &&
		    p->has_exchange && p->response == m->response) {
			m->has_exchange = true;
			m->exchange = p->exchange;
			m->version = p->version;
			m->fragment = p->fragment;
			return true;
		}
	}
	return stop == 0 ||
	       !log_beyond_lookback(log, stop, rexmit_keys, exchange_key(m->msgid, m->response));
}

/* charon dumps an unencrypted message's generator output before it writes
 * the header's length field, which still holds 28 (the header alone): the
 * length it then writes is the size of the dump (RFC 7296 3.1). */
static void fix_length(iks_log *log, size_t off, uint32_t len)
{
	if (!log->dump || len < 28 || off + len > log->ndump)
		return;
	uint8_t *p = log->dump + off + 24;
	if (p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 28) {
		p[0] = (uint8_t)(len >> 24);
		p[1] = (uint8_t)(len >> 16);
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
	}
}

/* The bytes of the earlier sent message a retransmission repeats. Returns
 * false when they were not found and the look back stopped at its bound
 * with a dumped message that could be it beyond. */
static bool rexmit_data(iks_log *log, iks_log_msg *m)
{
	size_t stop = log->nmsgs > LOG_REXMIT_LOOKBACK ? log->nmsgs - LOG_REXMIT_LOOKBACK : 0;
	for (size_t i = log->nmsgs; i-- > stop;) {
		const iks_log_msg *p = &log->msgs[i];
		if (p->dir == IKS_LOG_SENT && p->has_data && p->has_msgid && m->has_msgid &&
		    p->msgid == m->msgid && p->length == m->length &&
		    addr_same(&p->peer, &m->peer) && p->peer_port == m->peer_port) {
			m->has_data = true;
			m->data_off = p->data_off;
			m->data_len = p->data_len;
			m->digest = p->digest;
			return true;
		}
	}
	return stop == 0 || log->st.dumps == 0 || !m->has_msgid || !m->peer.family ||
	       !log_beyond_lookback(log, stop, rexmit_keys,
				    data_key(m->msgid, m->length, &m->peer, m->peer_port));
}

/* A datagram the receiver thread dumped, for the worker's line. */
static void rx_claim(iks_log *log, iks_log_msg *m)
{
	for (unsigned i = 0; i < log->nrx; i++) {
		log_rx *x = &log->rx[i];
		if (x->sport != m->peer_port || x->dport != m->local_port ||
		    !addr_same(&x->src, &m->peer) || !addr_same(&x->dst, &m->local))
			continue;
		if (!log_dump_attach(log, m, x->off, x->len, m->length))
			continue;
		memmove(&log->rx[i], &log->rx[i + 1], (log->nrx - i - 1) * sizeof(log->rx[0]));
		log->nrx--;
		return;
	}
}

/* Is a kept datagram an IKE message (its header's length is its size,
 * after a non-ESP marker)? ESP and keepalives are never claimed. */
static bool rx_is_ike(const iks_log *log, const log_rx *x)
{
	if (!log->dump || x->off + x->len > log->ndump || x->len < 28)
		return false;
	iks_reader r = rd_init(log->dump + x->off, x->len, 0);
	uint32_t first = 1, hlen = 0;
	size_t at = 24;
	if (x->len >= 32 && rd_be32(&r, &first) && first == 0)
		at = 28;
	r = rd_init(log->dump + x->off, x->len, 0);
	return rd_skip(&r, at) && rd_be32(&r, &hlen) && hlen == x->len - (at - 24);
}

/* The receiver thread's socket line after its dump: keep the datagram. */
static void rx_push(iks_log *log, log_thread *t, const iks_log_record *rec)
{
	if (!t->dump.done || t->dump.kind != DUMP_RX || !t->dump.kept)
		return;
	t->dump.done = false;
	if (log->nrx == LOG_RX_PENDING) {
		if (rx_is_ike(log, &log->rx[0]))
			log->st.rx_dropped++; /* the oldest: its message will have no bytes */
		memmove(&log->rx[0], &log->rx[1], (LOG_RX_PENDING - 1) * sizeof(log->rx[0]));
		log->nrx--;
	}
	log_rx *x = &log->rx[log->nrx++];
	x->src = rec->addr[0];
	x->dst = rec->addr[1];
	x->sport = rec->port[0];
	x->dport = rec->port[1];
	x->len = t->dump.len;
	x->off = t->dump.off;
}

static void packet_line(iks_log *log, iks_log_record *rec, uint32_t rec_index, log_thread *t,
			const logpat_out *o)
{
	for (unsigned i = 0; i < 2; i++) {
		rec->addr[i] = o->addr[i];
		rec->port[i] = (uint16_t)o->num[i];
	}
	rec->num = (uint32_t)o->num[2];
	if (rec->kind == IKS_LK_RECV) {
		for (unsigned i = 0; i < log->nreasm; i++) {
			if (log->reasm[i] != rec->num)
				continue;
			log->reasm[i] = log->reasm[--log->nreasm];
			rec->kind = IKS_LK_RECV_INTERNAL;
			return;
		}
	}
	iks_log_msg m;
	log_msg_init(&m, rec, rec_index, 1000);
	m.length = rec->num;
	bool sent = rec->kind == IKS_LK_SEND;
	m.dir = sent ? IKS_LOG_SENT : IKS_LOG_RECEIVED;
	m.local = o->addr[sent ? 0 : 1];
	m.local_port = (uint16_t)o->num[sent ? 0 : 1];
	m.peer = o->addr[sent ? 1 : 0];
	m.peer_port = (uint16_t)o->num[sent ? 1 : 0];
	bool looked_up = true; /* a retransmission's original, within the look back */
	if (sent) {
		if (t->ngen > 0) {
			apply_gen(&m, &t->gen[0]);
			memmove(&t->gen[0], &t->gen[1], (LOG_GEN_FIFO - 1) * sizeof(t->gen[0]));
			t->ngen--;
		} else if (t->has_rexmit) {
			m.has_msgid = true;
			m.msgid = t->rexmit_msgid;
			m.has_response = true;
			m.response = t->rexmit_n == 0;
			m.retransmit = t->rexmit_n ? t->rexmit_n : 1;
			looked_up = rexmit_exchange(log, &m);
		}
	}
	if (sent && t->dump.done && t->dump.kind == DUMP_GEN && t->dump.kept) {
		fix_length(log, t->dump.off, t->dump.len);
		log_dump_attach(log, &m, t->dump.off, t->dump.len, m.length);
		t->dump.done = false;
	} else if (sent && m.retransmit) {
		looked_up = rexmit_data(log, &m) && looked_up;
	} else if (!sent) {
		rx_claim(log, &m);
	}
	if (!looked_up)
		log->st.rexmit_lookback_cut++;
	uint32_t idx = log_add_msg(log, &m);
	rec->msg = idx;
	if (!sent) {
		t->pending_recv = idx;
		t->has_rexmit = false;
	}
}

void charon_line(iks_log *log, iks_log_record *rec, uint32_t rec_index, const uint8_t *line,
		 size_t len)
{
	size_t off;
	if (!prefix(line, len, rec, &off))
		return;
	log_set_day(log, rec);
	if (rec->cut)
		return;
	const uint8_t *text = line + off;
	log_thread *t = log_thread_get(log, rec->thread);
	if (t->dump.open && log_dump_line(log, t, text, len - off)) {
		rec->kind = IKS_LK_DUMP;
		return;
	}
	logpat_out o;
	int i = logpat_find(iks_charon_patterns, iks_charon_npatterns, text, len - off, &o);
	if (i < 0)
		return;
	const logpat *p = &iks_charon_patterns[i];
	rec->kind = p->kind;
	bool recv_evicted = t->recv_evicted; /* only the thread's next line may use it */
	t->recv_evicted = false;
	struct log_gen g;
	switch (p->kind) {
	case IKS_LK_SEND:
	case IKS_LK_RECV:
		packet_line(log, rec, rec_index, t, &o);
		break;
	case IKS_LK_SOCKET:
		log_rec_ends(rec, o.addr[0], (uint16_t)o.num[0], o.addr[1], (uint16_t)o.num[1]);
		if (p->sub == SUB_RECV_SOCKET)
			rx_push(log, t, rec);
		break;
	case IKS_LK_DUMP:
		rec->num = (uint32_t)o.num[0];
		log_dump_start(log, t, (uint8_t)p->sub, rec->num, rec_index);
		break;
	case IKS_LK_GENERATE:
		exchange_of(text, &o, p->sub, &g);
		gen_push(log, t, &g);
		t->has_rexmit = false;
		rec->num = g.msgid;
		break;
	case IKS_LK_PARSED: {
		exchange_of(text, &o, p->sub, &g);
		rec->num = g.msgid;
		iks_log_msg *m = log_msg(log, t->pending_recv);
		if (m) {
			apply_gen(m, &g);
			rec->msg = t->pending_recv;
		} else if (recv_evicted) {
			log->st.threads_evicted++; /* its message was given away with the state */
		}
		t->pending_recv = IKS_LOG_NONE;
		t->has_rexmit = false;
		break;
	}
	case IKS_LK_RETRANSMIT:
		t->has_rexmit = true;
		if (p->sub == 1) { /* retransmitting a response: num is the message ID */
			t->rexmit_n = 0;
			t->rexmit_msgid = (uint32_t)o.num[0];
		} else {
			t->rexmit_n = (uint32_t)o.num[0];
			t->rexmit_msgid = (uint32_t)o.num[1];
		}
		rec->num = t->rexmit_n;
		break;
	case IKS_LK_SPLIT:
		if (t->ngen > 0)
			t->ngen--; /* the whole message goes out as fragments */
		rec->num = (uint32_t)o.num[0];
		break;
	case IKS_LK_REASSEMBLED:
		rec->num = (uint32_t)o.num[1];
		if (log->nreasm == LOG_REASM_PENDING) {
			log->st.reasm_dropped++; /* the oldest: its line will count as a message */
			memmove(&log->reasm[0], &log->reasm[1],
				(LOG_REASM_PENDING - 1) * sizeof(log->reasm[0]));
		} else {
			log->nreasm++;
		}
		log->reasm[log->nreasm - 1] = rec->num;
		break;
	case IKS_LK_CHILD_SPIS:
		rec->spi[0] = (uint32_t)o.num[0];
		rec->spi[1] = (uint32_t)o.num[1];
		break;
	case IKS_LK_GIVE_UP:
		rec->num = (uint32_t)o.num[0];
		break;
	default:
		break;
	}
}
