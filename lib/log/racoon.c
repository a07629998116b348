/*
 * racoon.c - racoon (ipsec-tools) logs at "log debug": the logfile form
 * "YYYY-MM-DD HH:MM:SS: LEVEL: text" (racoon -l FILE, or -F on stderr) and
 * the syslog form "Mon DD HH:MM:SS HOST racoon[PID]: LEVEL: text";
 * ipsec-tools 0.8 may put "[PEER] " before the level. Whole seconds.
 *
 * Message records: "K times of N bytes message will be sent to B[Q]" (one
 * per datagram that left; the "N bytes from A[P] to B[Q]" line before it
 * names the local end) and "N bytes message received from B[Q][ to
 * A[P]]". racoon dumps each datagram after them, after an empty "DEBUG:"
 * line, as lines of 4-byte hex groups without a time prefix: the message
 * records take those bytes, so the join is byte-exact and the cookies,
 * exchange and message ID are the message's own. On port 4500 a sent count
 * and dump include the non-ESP marker, a received one does not (RFC 3948
 * 2.2). A send whose bytes repeat an earlier send to the same peer is
 * marked as its next retransmission ("resend phase1 packet I:R" is logged
 * for the first send too, so it is not used for that).
 */
#include "config.h"

#include <string.h>

#include "log/log_internal.h"
#include "log/logtime.h"
#include "core/hash.h"
#include "core/reader.h"
#include "core/text.h"

#define RACOON_THREAD 0 /* one process, one thread: the dump state lives here */
#define RACOON_LINE_BYTES 64 /* bytes one dump line may hold (racoon prints 32) */

static const char *const levels[] = { "DEBUG2", "DEBUG", "INFO", "NOTIFY", "WARNING",
				       "ERROR", "CRITICAL" };

/* "LEVEL:" at text: its length with the ':' (0 when it is none). */
static size_t level_word(const uint8_t *text, size_t len)
{
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		size_t n = strlen(levels[i]);
		if (len > n && logpat_starts_with(text, len, levels[i]) &&
		    logpat_starts_with(text + n, len - n, ":"))
			return n + 1;
	}
	return 0;
}

/* "TIME: [[PEER] ]LEVEL:[ text]" or "TIME HOST racoon[PID]: [[PEER] ]LEVEL:[ text]". */
static bool racoon_prefix(const uint8_t *line, size_t len, iks_log_record *rec, size_t *text)
{
	log_time t;
	size_t n = log_daemon_prefix(line, len, "racoon", &t);
	if (n == 0)
		return false;
	iks_reader r = rd_init(line, len, 0);
	rd_skip(&r, n);
	uint8_t c;
	if (rd_peek_u8(&r, 0, &c) && c == '[') {
		/* ipsec-tools 0.8: "[PEER] " */
		unsigned k = 0;
		while (rd_u8(&r, &c) && c != ']')
			if (++k > 64)
				return false;
		if (c != ']' || !rd_u8(&r, &c) || c != ' ')
			return false;
	}
	size_t lw = level_word(rd_ptr(&r), rd_left(&r));
	if (lw == 0)
		return false;
	rd_skip(&r, lw);
	if (rd_peek_u8(&r, 0, &c) && c == ' ')
		rd_skip(&r, 1);
	log_time_to_record(&t, rec);
	*text = rd_offset(&r);
	return true;
}

bool racoon_has_prefix(const uint8_t *line, size_t len)
{
	iks_log_record rec;
	size_t off;
	memset(&rec, 0, sizeof(rec));
	return racoon_prefix(line, len, &rec, &off);
}

/* "A[P]" (word w[0..n)): address and port. */
static bool addr_port(const uint8_t *w, size_t n, iks_addr *a, uint16_t *port)
{
	iks_reader r = rd_init(w, n, 0);
	uint8_t c;
	size_t open = n;
	for (size_t i = 0; i < n; i++)
		if (rd_peek_u8(&r, i, &c) && c == '[')
			open = i;
	if (open == 0 || open + 2 >= n || !(rd_peek_u8(&r, n - 1, &c) && c == ']'))
		return false;
	uint32_t p;
	if (!logpat_decimal(w + open + 1, n - open - 2, 65535, &p) ||
	    !text_ip((const char *)w, open, a))
		return false;
	*port = (uint16_t)p;
	return true;
}

static bool addr_same(const iks_addr *a, const iks_addr *b)
{
	return a->family && a->family == b->family &&
	       memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

/* Start reading a dump of n bytes (the thread's dump slot). */
static void dump_begin(iks_log *log, uint32_t n, int dir, uint32_t rec_index)
{
	log_thread *t = log_thread_get(log, RACOON_THREAD);
	log_dump_start(log, t, (uint8_t)dir, n, rec_index);
	log->rc.dump_dir = dir;
}

static uint64_t sent_key(const iks_log_msg *p)
{
	uint64_t h = h_u64(h_u64(IKS_FNV_OFFSET, 5), p->digest);
	h = h_u64(h, (uint64_t)p->data_len << 8 | p->peer.family);
	return h_final(h_bytes(h, p->peer.bytes, p->peer.family == 4 ? 4 : 16));
}

/* The key mark_retransmit compares, of a message that could be an original. */
static unsigned rexmit_keys(const iks_log_msg *p, uint64_t keys[2])
{
	if (p->dir != IKS_LOG_SENT || !p->has_data || !p->peer.family)
		return 0;
	keys[0] = sent_key(p);
	return 1;
}

/* A resend of an earlier message (same bytes, same peer): the next
 * retransmission of it. A miss with a message that could be it beyond the
 * look back is counted (rexmit_lookback_cut): that send then looks like a
 * first one. */
static void mark_retransmit(iks_log *log, iks_log_msg *m)
{
	size_t stop = log->nmsgs > LOG_REXMIT_LOOKBACK ? log->nmsgs - LOG_REXMIT_LOOKBACK : 0;
	for (size_t i = log->nmsgs; i-- > stop;) {
		const iks_log_msg *p = &log->msgs[i];
		if (p == m || p->dir != IKS_LOG_SENT || !p->has_data || p->digest != m->digest ||
		    p->data_len != m->data_len || !addr_same(&p->peer, &m->peer))
			continue;
		m->retransmit = p->retransmit + 1;
		return;
	}
	if (stop > 0 && m->peer.family && log_beyond_lookback(log, stop, rexmit_keys, sent_key(m)))
		log->st.rexmit_lookback_cut++;
}

/* A complete dump: to the messages that wait for it. */
static void dump_done(iks_log *log, log_thread *t)
{
	struct log_dump *d = &t->dump;
	struct rc_state *rc = &log->rc;
	if (d->kept && rc->dump_dir == IKS_LOG_SENT) {
		for (unsigned i = 0; i < rc->npend; i++) {
			iks_log_msg *m = log_msg(log, rc->pend[i]);
			if (m && log_dump_attach(log, m, d->off, d->len, m->length))
				mark_retransmit(log, m);
		}
	} else if (d->kept && rc->dump_dir == IKS_LOG_RECEIVED) {
		iks_log_msg *m = log_msg(log, rc->recv);
		if (m)
			log_dump_attach(log, m, d->off, d->len, m->length);
	}
	rc->npend = 0;
	rc->recv = IKS_LOG_NONE;
	rc->dump_dir = 0;
	d->done = false;
}

/* One line of racoon's dump: hex digit pairs, blanks between 4-byte
 * groups. True when it was one (its bytes taken). */
static bool dump_line(iks_log *log, const uint8_t *line, size_t len)
{
	log_thread *t = log_thread_get(log, RACOON_THREAD);
	struct log_dump *d = &t->dump;
	if (!d->open || len == 0)
		return false;
	uint8_t bytes[RACOON_LINE_BYTES];
	uint32_t n = 0;
	iks_reader r = rd_init(line, len, 0);
	uint8_t hi, lo;
	while (rd_u8(&r, &hi)) {
		if (hi == ' ' || hi == '\t')
			continue;
		if (!rd_u8(&r, &lo) || text_hexval(hi) < 0 || text_hexval(lo) < 0 ||
		    n == RACOON_LINE_BYTES || n >= d->len - d->got)
			return false;
		bytes[n++] = (uint8_t)(text_hexval(hi) << 4 | text_hexval(lo));
	}
	if (n == 0)
		return false;
	if (d->kept && log->dump)
		memcpy(log->dump + d->off + d->got, bytes, n);
	d->got += n;
	if (d->got == d->len) {
		d->open = false;
		dump_done(log, t);
	}
	return true;
}

void racoon_line(iks_log *log, iks_log_record *rec, uint32_t rec_index, const uint8_t *line,
		 size_t len)
{
	size_t off;
	struct rc_state *rc = &log->rc;
	if (!racoon_prefix(line, len, rec, &off)) {
		if (!rec->cut && dump_line(log, line, len)) {
			rec->kind = IKS_LK_DUMP;
			rec->msg = rc->dump_dir == IKS_LOG_RECEIVED ? rc->recv : IKS_LOG_NONE;
		}
		return;
	}
	log_set_day(log, rec);
	if (rec->cut)
		return;
	const uint8_t *text = line + off;
	size_t n = len - off;
	log_thread *t = log_thread_get(log, RACOON_THREAD);
	if (logpat_trim(text, n) == 0) {
		/* the empty line plogdump() starts a dump with */
		if (t->dump.open)
			rec->kind = IKS_LK_DUMP;
		return;
	}
	if (t->dump.open) {
		t->dump.open = false; /* a dump cut short by another line */
		rc->npend = 0;
		rc->recv = IKS_LOG_NONE;
	}
	logpat_out o;
	int i = logpat_find(iks_racoon_patterns, iks_racoon_npatterns, text, n, &o);
	if (i < 0)
		return;
	const logpat *p = &iks_racoon_patterns[i];
	iks_log_msg m;
	switch (p->sub) {
	case R_FROM_TO:
		rc->has_from = addr_port(text + o.span_off[0], o.span_len[0], &rc->from, &rc->from_port) &&
			       addr_port(text + o.span_off[1], o.span_len[1], &rc->to, &rc->to_port);
		rc->npend = 0;
		if (rc->has_from) {
			log_rec_ends(rec, rc->from, rc->from_port, rc->to, rc->to_port);
			rec->num = (uint32_t)o.num[0];
		}
		break;
	case R_SENT: {
		log_msg_init(&m, rec, rec_index, 1000);
		m.dir = IKS_LOG_SENT;
		m.version = 1;
		if (!addr_port(text + o.span_off[0], o.span_len[0], &m.peer, &m.peer_port) ||
		    o.num[1] < 28 || o.num[1] > 65535)
			return;
		if (rc->has_from && rc->to_port == m.peer_port && addr_same(&rc->to, &m.peer)) {
			m.local = rc->from;
			m.local_port = rc->from_port;
		}
		uint32_t count = (uint32_t)o.num[1];
		bool natt = m.peer_port == 4500 || m.local_port == 4500;
		m.length = natt && count >= 32 ? count - 4 : count;
		rec->kind = p->kind;
		rec->num = m.length;
		log_rec_ends(rec, m.local, m.local_port, m.peer, m.peer_port);
		rec->msg = log_add_msg(log, &m);
		if (rec->msg != IKS_LOG_NONE && rc->npend < RC_PENDING) {
			if (rc->npend == 0)
				dump_begin(log, count, IKS_LOG_SENT, rec_index);
			rc->pend[rc->npend++] = rec->msg;
		}
		return;
	}
	case R_RECV: {
		log_msg_init(&m, rec, rec_index, 1000);
		m.dir = IKS_LOG_RECEIVED;
		m.version = 1;
		if (!addr_port(text + o.span_off[0], o.span_len[0], &m.peer, &m.peer_port) ||
		    o.num[0] < 28 || o.num[0] > 65535)
			return;
		if (o.nspan > 1)
			addr_port(text + o.span_off[1], o.span_len[1], &m.local, &m.local_port);
		m.length = (uint32_t)o.num[0];
		rec->kind = p->kind;
		rec->num = m.length;
		log_rec_ends(rec, m.peer, m.peer_port, m.local, m.local_port);
		rec->msg = log_add_msg(log, &m);
		rc->npend = 0;
		rc->recv = rec->msg;
		if (rec->msg != IKS_LOG_NONE)
			dump_begin(log, m.length, IKS_LOG_RECEIVED, rec_index);
		return;
	}
	case R_ISAKMP_UP: {
		/* "spi:ICOOKIE:RCOOKIE": the cookies (kept as the address pair) */
		const char *s = (const char *)text + o.span_off[1];
		uint8_t ck[16];
		if (o.span_len[1] >= 33 && text_hex_bytes(s, 16, ck, 8) == 8 &&
		    text_hex_bytes(s + 17, 16, ck + 8, 8) == 8)
			rec->sa = (uint64_t)ck[0] << 56 | (uint64_t)ck[1] << 48 | (uint64_t)ck[2] << 40 |
				  (uint64_t)ck[3] << 32 | (uint64_t)ck[4] << 24 | (uint64_t)ck[5] << 16 |
				  (uint64_t)ck[6] << 8 | ck[7];
		break;
	}
	default:
		break;
	}
	rec->kind = p->kind;
}
