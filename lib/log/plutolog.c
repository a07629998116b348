/*
 * plutolog.c - libreswan pluto logs: "TIME: text" (logfile with
 * logtime=yes, "Mon DD HH:MM:SS.uuuuuu"), or through syslog/journald
 * ("TIME HOST pluto[PID]: text"). Debug lines (plutodebug) carry "| "
 * after the prefix.
 *
 * Message records come from the debug lines "sending N bytes for ... from
 * A:P to B:Q ..." and "*received N bytes from B:Q on IFACE A:P ...", each
 * followed by a hex dump of the datagram: the join is byte-exact. On port
 * 4500 the sent count and dump include the non-ESP marker, the received
 * ones do not (RFC 3948 2.2). A send "for EVENT_RETRANSMIT" repeats an
 * earlier message: it is marked as the next retransmission of the message
 * with the same bytes. Without debug lines the "sent NAME request" lines
 * are the messages (no size, no bytes).
 *
 * "IKEv1 packet dropped" right after "complete v1 state transition with
 * STF_SUSPEND" means the message was parked for a crypto helper, not
 * discarded: it becomes IKS_LK_SUSPENDED, not IKS_LK_DROPPED.
 */
#include "config.h"

#include <string.h>

#include "log/log_internal.h"
#include "log/logtime.h"
#include "core/hash.h"
#include "core/reader.h"
#include "core/text.h"

#define PLUTO_THREAD 0 /* dumps come from the main thread, in order */

enum { DUMP_SENT = 1, DUMP_RECEIVED = 2 };

/* "TIME: " or "TIME HOST pluto[PID]: ": time filled, text offset. */
static bool pluto_prefix(const uint8_t *line, size_t len, iks_log_record *rec, size_t *text)
{
	log_time t;
	size_t n = log_daemon_prefix(line, len, "pluto", &t);
	if (n == 0)
		return false;
	log_time_to_record(&t, rec);
	*text = n;
	return true;
}

bool pluto_has_prefix(const uint8_t *line, size_t len)
{
	iks_log_record rec;
	size_t off;
	memset(&rec, 0, sizeof(rec));
	return pluto_prefix(line, len, &rec, &off);
}

/* Offset of the last occurrence of s in text, or len. */
static size_t rfind(const uint8_t *text, size_t len, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = len >= n ? len - n + 1 : 0; i-- > 0;)
		if (logpat_starts_with(text + i, len - i, s))
			return i;
	return len;
}

/* "#N" after the connection name ("\"conn\" #N: ") or "(for #N)". */
static uint32_t serial_of(const uint8_t *text, size_t len)
{
	size_t at = logpat_find_str(text, len, "#");
	uint32_t v = 0;
	iks_reader r = rd_init(text, len, 0);
	uint8_t c;
	if (at == len)
		return 0;
	rd_skip(&r, at + 1);
	unsigned n = 0;
	while (rd_peek_u8(&r, 0, &c) && c >= '0' && c <= '9' && n++ < 9) {
		v = v * 10 + (uint32_t)(c - '0');
		rd_skip(&r, 1);
	}
	return v;
}

static bool addr_same(const iks_addr *a, const iks_addr *b)
{
	return a->family && a->family == b->family &&
	       memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

static uint64_t peer_key(unsigned kind, const iks_addr *peer, uint64_t v)
{
	uint64_t h = h_u64(h_u64(IKS_FNV_OFFSET, kind), v);
	h = h_u64(h, peer->family);
	return h_final(h_bytes(h, peer->bytes, peer->family == 4 ? 4 : 16));
}

/* The keys mark_retransmit compares (same bytes, or same serial and
 * length without them), of a message that could be an original. */
static unsigned rexmit_keys(const iks_log_msg *p, uint64_t keys[2])
{
	unsigned n = 0;
	if (p->dir != IKS_LOG_SENT || !p->peer.family)
		return 0;
	if (p->has_data)
		keys[n++] = peer_key(3, &p->peer, p->digest);
	keys[n++] = peer_key(4, &p->peer, (uint64_t)p->serial << 32 | p->length);
	return n;
}

/* A resend of an earlier message (same bytes, same peer): the next
 * retransmission of it. Returns false when none was found and the look
 * back stopped at its bound with a message that could be it beyond. */
static bool mark_retransmit(iks_log *log, iks_log_msg *m)
{
	size_t stop = log->nmsgs > LOG_REXMIT_LOOKBACK ? log->nmsgs - LOG_REXMIT_LOOKBACK : 0;
	for (size_t i = log->nmsgs; i-- > stop;) {
		const iks_log_msg *p = &log->msgs[i];
		if (p->dir != IKS_LOG_SENT || !addr_same(&p->peer, &m->peer))
			continue;
		if (m->has_data ? (p->has_data && p->digest == m->digest)
				: (p->serial == m->serial && p->length == m->length)) {
			m->retransmit = p->retransmit + 1;
			if (!m->has_data) { /* resent without an emit block: its header */
				m->has_cookies = p->has_cookies;
				memcpy(m->icookie, p->icookie, 8);
				memcpy(m->rcookie, p->rcookie, 8);
				m->version = p->version;
				m->has_exchange = p->has_exchange;
				m->exchange = p->exchange;
				m->has_flags = p->has_flags;
				m->flags = p->flags;
				m->has_msgid = p->has_msgid;
				m->msgid = p->msgid;
				m->has_response = p->has_response;
				m->response = p->response;
			}
			return true;
		}
	}
	m->retransmit = 1;
	if (stop == 0 || !m->peer.family)
		return true;
	uint64_t key = m->has_data ? peer_key(3, &m->peer, m->digest)
				   : peer_key(4, &m->peer, (uint64_t)m->serial << 32 | m->length);
	return !log_beyond_lookback(log, stop, rexmit_keys, key);
}

/* "40 8a 72 45  53 ca 24 35": eight bytes in hex, blanks between. */
static bool spaced_bytes(const uint8_t *text, size_t len, uint8_t out[8])
{
	iks_reader r = rd_init(text, len, 0);
	uint8_t c, hi, lo;
	for (int i = 0; i < 8; i++) {
		while (rd_peek_u8(&r, 0, &c) && c == ' ')
			rd_skip(&r, 1);
		if (!rd_u8(&r, &hi) || !rd_u8(&r, &lo) || text_hexval(hi) < 0 || text_hexval(lo) < 0)
			return false;
		out[i] = (uint8_t)(text_hexval(hi) << 4 | text_hexval(lo));
	}
	return true;
}

/* The value in the last "(0x..)" of a line. */
static bool paren_hex(const uint8_t *text, size_t len, uint8_t *v)
{
	size_t at = rfind(text, len, "(0x");
	if (at == len)
		return false;
	iks_reader r = rd_init(text, len, 0);
	rd_skip(&r, at + 3);
	uint8_t c;
	unsigned n = 0, x = 0;
	while (rd_peek_u8(&r, 0, &c) && text_hexval(c) >= 0 && n < 2) {
		x = x << 4 | (unsigned)text_hexval(c);
		rd_skip(&r, 1);
		n++;
	}
	if (n == 0 || !rd_peek_u8(&r, 0, &c) || c != ')')
		return false;
	*v = (uint8_t)x;
	return true;
}

/* A header block's fields on a message (a dump, when tied later, gives
 * the same values from the bytes themselves). */
static void apply_hdr(iks_log_msg *m, const struct pluto_hdr *h)
{
	if (h->has_spi[0] && h->has_spi[1]) {
		memcpy(m->icookie, h->spi[0], 8);
		memcpy(m->rcookie, h->spi[1], 8);
		m->has_cookies = true;
	}
	if (h->version)
		m->version = h->version;
	if (h->has_exchange) {
		m->has_exchange = true;
		m->exchange = h->exchange;
	}
	if (h->has_flags) {
		m->has_flags = true;
		m->flags = h->flags;
		if (h->version == 2) {
			m->has_response = true;
			m->response = (h->flags & 0x20) != 0;
		}
	}
	if (h->has_msgid) {
		m->has_msgid = true;
		m->msgid = h->msgid;
	}
}

/* One line of a "parse/emit ISAKMP Message" block. */
static void header_line(iks_log *log, iks_log_record *rec, const uint8_t *body, size_t len,
			const logpat *p, const logpat_out *o)
{
	struct pluto_hdr *h = &log->pluto_hdr;
	const uint8_t *rest = body + o->span_off[0];
	size_t rn = o->nspan ? o->span_len[0] : 0;
	uint8_t v;
	(void)len;
	switch (p->sub) {
	case P_HDR_ISPI:
	case P_HDR_RSPI: {
		int k = p->sub == P_HDR_RSPI;
		h->has_spi[k] = spaced_bytes(rest, rn, h->spi[k]);
		break;
	}
	case P_HDR_VERSION:
		if (paren_hex(rest, rn, &v))
			h->version = (uint8_t)(v >> 4);
		break;
	case P_HDR_EXCHANGE:
		h->has_exchange = paren_hex(rest, rn, &h->exchange);
		break;
	case P_HDR_FLAGS:
		h->has_flags = paren_hex(rest, rn, &h->flags);
		break;
	case P_HDR_MSGID:
		h->has_msgid = o->num[0] <= UINT32_MAX;
		h->msgid = (uint32_t)o->num[0];
		if (h->state == 2) { /* emit: the block ends here; the next send takes it */
			log->pluto_emitted = *h;
			h->state = 0;
		}
		break;
	case P_HDR_LENGTH:
		if (h->state == 1) { /* parse: the block ends here */
			iks_log_msg *m = log_msg(log, h->target);
			if (m && m->dir == IKS_LOG_RECEIVED && !m->has_data)
				apply_hdr(m, h);
			if (m)
				rec->msg = h->target;
		}
		h->state = 0;
		break;
	default:
		break;
	}
	rec->kind = p->kind;
}

/* The dump after a sending/received line is complete: tie it. */
static void dump_done(iks_log *log, log_thread *t)
{
	t->dump.done = false;
	iks_log_msg *m = log_msg(log, log->pluto_msg);
	if (!m || !t->dump.kept)
		return;
	bool rexmit = m->retransmit != 0;
	if (!log_dump_attach(log, m, t->dump.off, t->dump.len, 0))
		return;
	if (rexmit) {
		/* the count follows the bytes: look again now they are known */
		iks_log_msg copy = *m;
		size_t keep = log->nmsgs;
		log->nmsgs = log->pluto_msg; /* only earlier messages */
		mark_retransmit(log, &copy);
		log->nmsgs = keep;
		m->retransmit = copy.retransmit;
	}
}

static void packet_line(iks_log *log, iks_log_record *rec, uint32_t rec_index,
			const uint8_t *body, size_t len, const logpat *p, const logpat_out *o)
{
	iks_log_msg m;
	bool sent = p->sub == P_SEND;
	iks_addr a[2];
	uint16_t port[2];
	memset(a, 0, sizeof(a));
	memset(port, 0, sizeof(port));
	if (sent) {
		size_t at = rfind(body, len, " from "); /* "reply packet from quick_outI1 ..." */
		logpat_out w;
		if (at == len || !logpat_match(" from %w to %w", body + at, len - at, &w) ||
		    !logpat_addr_port(body + at + w.span_off[0], w.span_len[0], &a[0], &port[0]) ||
		    !logpat_addr_port(body + at + w.span_off[1], w.span_len[1], &a[1], &port[1]))
			return;
	} else if (!logpat_addr_port(body + o->span_off[0], o->span_len[0], &a[0], &port[0]) ||
		   !logpat_addr_port(body + o->span_off[2], o->span_len[2], &a[1], &port[1])) {
		return;
	}
	rec->kind = p->kind;
	rec->num = (uint32_t)o->num[0];
	log_rec_ends(rec, a[0], port[0], a[1], port[1]);
	rec->serial = serial_of(body, len);
	log_msg_init(&m, rec, rec_index, 1);
	m.dir = sent ? IKS_LOG_SENT : IKS_LOG_RECEIVED;
	m.local = a[sent ? 0 : 1];
	m.local_port = port[sent ? 0 : 1];
	m.peer = a[sent ? 1 : 0];
	m.peer_port = port[sent ? 1 : 0];
	m.length = rec->num;
	if (sent && (port[0] == 4500 || port[1] == 4500) && m.length >= 4)
		m.length -= 4; /* the sent count includes the non-ESP marker */
	if (sent && log->pluto_emitted.state == 2) {
		apply_hdr(&m, &log->pluto_emitted);
		log->pluto_emitted.state = 0;
	}
	if (sent && logpat_find_str(body, len, "for EVENT_RETRANSMIT") < len &&
	    !mark_retransmit(log, &m))
		log->st.rexmit_lookback_cut++; /* counted once: not again when its dump is read */
	log->pluto_msg = log_add_msg(log, &m);
	rec->msg = log->pluto_msg;
	log_thread *t = log_thread_get(log, PLUTO_THREAD);
	log_dump_start(log, t, sent ? DUMP_SENT : DUMP_RECEIVED, rec->num, rec_index);
	t->dump.lenient = true;
}

/* "sent NAME request" at the default level: a message without size. */
static void sent_line(iks_log *log, iks_log_record *rec, uint32_t rec_index,
		      const uint8_t *text, const logpat_out *o)
{
	const log_exchange_name *e = log_exchange_lookup(
		iks_pluto_exchanges, iks_pluto_nexchanges, text + o->span_off[0], o->span_len[0]);
	if (log->pluto_state == 1 || !e)
		return; /* with debug lines the "sending" lines are the messages */
	iks_log_msg m;
	log_msg_init(&m, rec, rec_index, 1);
	m.dir = IKS_LOG_SENT;
	m.version = e->version;
	m.has_exchange = true;
	m.exchange = e->exchange;
	m.has_response = true;
	m.response = false;
	rec->msg = log_add_msg(log, &m);
}

void pluto_line(iks_log *log, iks_log_record *rec, uint32_t rec_index, const uint8_t *line,
		size_t len)
{
	size_t off;
	if (!pluto_prefix(line, len, rec, &off))
		return;
	log_set_day(log, rec);
	if (rec->cut)
		return;
	const uint8_t *text = line + off;
	size_t n = len - off;
	logpat_out o;
	if (logpat_starts_with(text, n, "| ")) {
		log->pluto_state = 1; /* debug lines present */
		const uint8_t *body = text + 2;
		size_t bn = n - 2;
		log_thread *t = log_thread_get(log, PLUTO_THREAD);
		if (t->dump.open && log_dump_line(log, t, body, bn)) {
			rec->kind = IKS_LK_DUMP;
			rec->msg = log->pluto_msg;
			if (t->dump.done)
				dump_done(log, t);
			return;
		}
		if (logpat_starts_with(body, bn, "***"))
			log->pluto_hdr.state = 0;
		int i = logpat_find(iks_pluto_debug_patterns, iks_pluto_ndebug_patterns, body, bn, &o);
		if (i < 0)
			return;
		const logpat *p = &iks_pluto_debug_patterns[i];
		switch (p->sub) {
		case P_SEND:
		case P_RECV:
			packet_line(log, rec, rec_index, body, bn, p, &o);
			return;
		case P_SUSPEND:
			log->pluto_suspend = true;
			break;
		case P_TRANSITION:
			log->pluto_suspend = false;
			break;
		case P_PARSE_HDR:
		case P_EMIT_HDR:
			memset(&log->pluto_hdr, 0, sizeof(log->pluto_hdr));
			log->pluto_hdr.state = p->sub == P_PARSE_HDR ? 1 : 2;
			log->pluto_hdr.target = log->pluto_msg;
			break;
		case P_HDR_ISPI:
		case P_HDR_RSPI:
		case P_HDR_VERSION:
		case P_HDR_EXCHANGE:
		case P_HDR_FLAGS:
		case P_HDR_MSGID:
		case P_HDR_LENGTH:
			if (log->pluto_hdr.state)
				header_line(log, rec, body, bn, p, &o);
			return; /* the same words in a payload block mean something else */
		case P_V1_DROPPED:
			rec->kind = log->pluto_suspend ? IKS_LK_SUSPENDED : IKS_LK_DROPPED;
			log->pluto_suspend = false;
			/* not tied to a message: pluto prints it also after a
			 * transition that answered the message (pluto_pluto_v1_pluto_b.log
			 * lines 1548, 2823), so it does not prove a discard */
			return;
		default:
			break;
		}
		rec->kind = p->kind;
		return;
	}
	/* default level: "ERROR: " and "\"conn\"[N] ... #S: " come off first */
	if (logpat_starts_with(text, n, "ERROR: ")) {
		text += 7;
		n -= 7;
	}
	rec->serial = 0;
	if (logpat_starts_with(text, n, "\"")) {
		size_t colon = logpat_find_str(text, n, ": ");
		if (colon == n)
			return;
		rec->serial = serial_of(text, colon);
		text += colon + 2;
		n -= colon + 2;
	}
	int i = logpat_find(iks_pluto_patterns, iks_pluto_npatterns, text, n, &o);
	if (i < 0) {
		if (logpat_find_str(text, n, "TS_UNACCEPTABLE") < n)
			rec->kind = IKS_LK_FAILED;
		return;
	}
	const logpat *p = &iks_pluto_patterns[i];
	rec->kind = p->kind;
	if (rec->kind == IKS_LK_DROPPED)
		rec->msg = log->pluto_msg; /* "... no corresponding IKE SA; message dropped":
					      the message just received (debug level) */
	if (p->sub == P_SENT)
		sent_line(log, rec, rec_index, text, &o);
	else if (p->sub == P_FATAL && o.nnum > 0)
		rec->num = (uint32_t)o.num[0];
}
