/*
 * charonlog.c - strongSwan charon logs ("HH:MM:SS TT[GRP] text", as
 * charon writes to a file or stderr; an optional "Mon DD " date before
 * the time is accepted).
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
 */
#include "config.h"

#include <string.h>

#include "log/log_internal.h"
#include "core/reader.h"

static bool digits(iks_reader *r, unsigned min, unsigned max, uint32_t *v)
{
	uint8_t c;
	unsigned n = 0;
	*v = 0;
	while (n < max && rd_peek_u8(r, 0, &c) && c >= '0' && c <= '9') {
		*v = *v * 10 + (uint32_t)(c - '0');
		rd_skip(r, 1);
		n++;
	}
	return n >= min;
}

static bool lit(iks_reader *r, uint8_t want)
{
	uint8_t c;
	return rd_u8(r, &c) && c == want;
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* Optional "Mon DD " (syslog-style date). */
static void month_day(iks_reader *r, iks_log_record *rec)
{
	iks_reader t = *r;
	uint8_t m[3];
	uint32_t day;
	if (!rd_copy(&t, m, 3))
		return;
	for (unsigned i = 0; i < 12; i++) {
		if (memcmp(months + 3 * i, m, 3) != 0)
			continue;
		uint8_t c;
		while (rd_peek_u8(&t, 0, &c) && c == ' ')
			rd_skip(&t, 1);
		if (digits(&t, 1, 2, &day) && lit(&t, ' ') && day >= 1 && day <= 31) {
			rec->month = (uint8_t)(i + 1);
			rec->day = (uint8_t)day;
			*r = t;
		}
		return;
	}
}

/* syslog's "HOST TAG: " (TAG e.g. charon or charon[1234]), each a word of
 * up to 255 characters. */
static bool skip_syslog_tag(iks_reader *r)
{
	uint8_t c;
	unsigned n = 0;
	while (rd_u8(r, &c) && c != ' ')
		if (++n > 255)
			return false;
	if (c != ' ' || n == 0)
		return false;
	n = 0;
	while (rd_u8(r, &c) && c != ':')
		if (c == ' ' || ++n > 255)
			return false;
	return c == ':' && n > 0 && lit(r, ' ');
}

/* "HH:MM:SS TT[GRP] ", with an optional "Mon DD " date before it and, after
 * a date, an optional syslog "HOST TAG: " before TT: fills time and thread;
 * *text is where the text starts. */
static bool prefix(const uint8_t *line, size_t len, iks_log_record *rec, size_t *text)
{
	iks_reader r = rd_init(line, len, 0);
	uint32_t h, m, s, tid;
	month_day(&r, rec);
	if (!(digits(&r, 2, 2, &h) && lit(&r, ':') && digits(&r, 2, 2, &m) && lit(&r, ':') &&
	      digits(&r, 2, 2, &s) && lit(&r, ' ') && h < 24 && m < 60 && s < 61))
		return false;
	iks_reader at = r;
	if (!(digits(&r, 1, 9, &tid) && lit(&r, '['))) {
		/* syslog: "HOST charon: " or "HOST charon[PID]: " before the thread */
		r = at;
		if (!rec->month || !skip_syslog_tag(&r) || !digits(&r, 1, 9, &tid) || !lit(&r, '['))
			return false;
	}
	uint8_t c;
	unsigned n = 0;
	while (rd_u8(&r, &c) && c != ']')
		if (++n > 8 || c < 'A' || c > 'Z')
			return false;
	if (c != ']' || !lit(&r, ' '))
		return false;
	rec->has_time = true;
	rec->tod_ms = ((h * 60 + m) * 60 + s) * 1000;
	rec->has_thread = true;
	rec->thread = tid;
	*text = rd_offset(&r);
	return true;
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

static void gen_push(log_thread *t, const struct log_gen *g)
{
	if (t->ngen == LOG_GEN_FIFO) {
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

/* The exchange of an earlier sent request with this message ID. */
static void rexmit_exchange(iks_log *log, iks_log_msg *m)
{
	size_t stop = log->nmsgs > 4096 ? log->nmsgs - 4096 : 0;
	for (size_t i = log->nmsgs; i-- > stop;) {
		const iks_log_msg *p = &log->msgs[i];
		if (p->dir == IKS_LOG_SENT && p->has_msgid && p->msgid == m->msgid &&
		    p->has_exchange && p->response == m->response) {
			m->has_exchange = true;
			m->exchange = p->exchange;
			m->version = p->version;
			m->fragment = p->fragment;
			return;
		}
	}
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
			rexmit_exchange(log, &m);
		}
	}
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
	logpat_out o;
	int i = logpat_find(iks_charon_patterns, iks_charon_npatterns, text, len - off, &o);
	if (i < 0)
		return;
	const logpat *p = &iks_charon_patterns[i];
	rec->kind = p->kind;
	log_thread *t = log_thread_get(log, rec->thread);
	struct log_gen g;
	switch (p->kind) {
	case IKS_LK_SEND:
	case IKS_LK_RECV:
		packet_line(log, rec, rec_index, t, &o);
		break;
	case IKS_LK_SOCKET:
		rec->addr[0] = o.addr[0];
		rec->addr[1] = o.addr[1];
		rec->port[0] = (uint16_t)o.num[0];
		rec->port[1] = (uint16_t)o.num[1];
		break;
	case IKS_LK_GENERATE:
		exchange_of(text, &o, p->sub, &g);
		gen_push(t, &g);
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
		if (log->nreasm == LOG_REASM_PENDING)
			memmove(&log->reasm[0], &log->reasm[1],
				(LOG_REASM_PENDING - 1) * sizeof(log->reasm[0]));
		else
			log->nreasm++;
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
