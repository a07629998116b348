/*
 * oakley.c - Windows Oakley.log (the IKE log of the IPsec Policy Agent).
 *
 * RECONSTRUCTED FORMAT (docs/logs.md): a line is optional blanks,
 * "M-D: HH:MM:SS:mmm:TID " (TID in hex, may be absent), then text matched
 * against the table in oakley_patterns.c. A "Sending:"/"Receive:" line
 * opens a message record for its thread; the ISAKMP header lines that
 * follow in the same thread fill it in (length, cookies, exchange, flags,
 * message ID, ports). Another send/receive, acquire, filter, policy or
 * failure line of that thread closes it. Unknown lines change nothing.
 */
#include "config.h"

#include <string.h>

#include "log/log_internal.h"
#include "core/reader.h"

static bool num(iks_reader *r, unsigned min, unsigned max, uint32_t *v, bool hex)
{
	uint8_t c;
	unsigned n = 0;
	*v = 0;
	while (n < max && rd_peek_u8(r, 0, &c)) {
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			break;
		*v = *v * (hex ? 16u : 10u) + d;
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

static bool prefix(const uint8_t *line, size_t len, iks_log_record *rec, size_t *text)
{
	iks_reader r = rd_init(line, len, 0);
	uint8_t c;
	uint32_t mo, d, h, mi, s, ms, tid;
	while (rd_peek_u8(&r, 0, &c) && (c == ' ' || c == '\t'))
		rd_skip(&r, 1);
	if (!(num(&r, 1, 2, &mo, false) && lit(&r, '-') && num(&r, 1, 2, &d, false) &&
	      lit(&r, ':') && lit(&r, ' ') && num(&r, 1, 2, &h, false) && lit(&r, ':') &&
	      num(&r, 2, 2, &mi, false) && lit(&r, ':') && num(&r, 2, 2, &s, false) &&
	      lit(&r, ':') && num(&r, 3, 3, &ms, false)))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return false;
	rec->has_thread = false;
	if (rd_peek_u8(&r, 0, &c) && c == ':') {
		rd_skip(&r, 1);
		if (!num(&r, 1, 8, &tid, true))
			return false;
		rec->has_thread = true;
		rec->thread = tid;
	}
	if (rd_left(&r) > 0 && !lit(&r, ' '))
		return false;
	rec->has_time = true;
	rec->month = (uint8_t)mo;
	rec->day = (uint8_t)d;
	rec->tod_ms = ((h * 60 + mi) * 60 + s) * 1000 + ms;
	*text = rd_offset(&r);
	return true;
}

bool oakley_has_prefix(const uint8_t *line, size_t len)
{
	iks_log_record rec;
	size_t off;
	memset(&rec, 0, sizeof(rec));
	return prefix(line, len, &rec, &off);
}

static uint32_t open_message(iks_log *log, iks_log_record *rec, uint32_t rec_index, int dir)
{
	iks_log_msg m;
	log_msg_init(&m, rec, rec_index, 1);
	m.dir = dir;
	m.peer = rec->addr[0];
	m.peer_port = rec->port[0];
	m.sa = rec->sa;
	m.version = 1;
	return log_add_msg(log, &m);
}

static bool is_header_field(int kind)
{
	return kind >= IKS_LK_HEADER && kind <= IKS_LK_PORTS;
}

static void header_field(iks_log_msg *m, int kind, const logpat_out *o, const uint8_t *text)
{
	switch (kind) {
	case IKS_LK_HEADER:
		m->version = (uint8_t)(o->num[0] == 2 ? 2 : 1);
		m->length = (uint32_t)o->num[2];
		break;
	case IKS_LK_ICOOKIE:
		memcpy(m->icookie, o->cookie, 8);
		m->has_cookies = true;
		break;
	case IKS_LK_RCOOKIE:
		memcpy(m->rcookie, o->cookie, 8);
		m->has_cookies = true;
		break;
	case IKS_LK_EXCHANGE: {
		const uint8_t *p = text + o->span_off[0];
		size_t n = logpat_trim(p, o->span_len[0]);
		const log_exchange_name *e =
			log_exchange_lookup(iks_oakley_exchanges, iks_oakley_nexchanges, p, n);
		uint32_t v;
		if (e) {
			m->has_exchange = true;
			m->exchange = e->exchange;
		} else if (logpat_decimal(p, n, 255, &v)) {
			/* tolerated: the exchange type as a number */
			m->has_exchange = true;
			m->exchange = (uint8_t)v;
		}
		break;
	}
	case IKS_LK_FLAGS:
		m->has_flags = true;
		m->flags = (uint8_t)o->num[0];
		break;
	case IKS_LK_MSGID:
		m->has_msgid = true;
		m->msgid = (uint32_t)o->num[0];
		break;
	case IKS_LK_PORTS: {
		bool sent = m->dir == IKS_LOG_SENT;
		m->local_port = (uint16_t)o->num[sent ? 0 : 1];
		m->peer_port = (uint16_t)o->num[sent ? 1 : 0];
		break;
	}
	default:
		break;
	}
}

void oakley_line(iks_log *log, iks_log_record *rec, uint32_t rec_index, const uint8_t *line,
		 size_t len)
{
	size_t off;
	if (!prefix(line, len, rec, &off))
		return;
	log_set_day(log, rec);
	if (rec->cut)
		return;
	off += logpat_skip_blanks(line + off, len - off);
	const uint8_t *text = line + off;
	logpat_out o;
	int i = logpat_find(iks_oakley_patterns, iks_oakley_npatterns, text, len - off, &o);
	if (i < 0)
		return;
	const logpat *p = &iks_oakley_patterns[i];
	rec->kind = p->kind;
	log_thread *t = log_thread_get(log, rec->has_thread ? rec->thread : 0);
	if (is_header_field(p->kind)) {
		iks_log_msg *m = log_msg(log, t->open_msg);
		if (m) {
			header_field(m, p->kind, &o, text);
			rec->msg = t->open_msg;
		}
		if (p->kind == IKS_LK_HEADER)
			rec->num = (uint32_t)o.num[2];
		return;
	}
	t->open_msg = IKS_LOG_NONE;
	switch (p->kind) {
	case IKS_LK_SEND:
		rec->sa = o.num[0];
		rec->addr[0] = o.addr[0];
		rec->port[0] = (uint16_t)o.num[p->sub == 0 ? 2 : 1];
		t->open_msg = rec->msg = open_message(log, rec, rec_index, IKS_LOG_SENT);
		break;
	case IKS_LK_RECV:
		rec->sa = o.num[0];
		rec->addr[0] = o.addr[0];
		rec->port[0] = (uint16_t)o.num[1];
		t->open_msg = rec->msg = open_message(log, rec, rec_index, IKS_LOG_RECEIVED);
		break;
	case IKS_LK_ACQUIRE:
		log_rec_ends(rec, o.addr[0], (uint16_t)o.num[1], o.addr[1], (uint16_t)o.num[2]);
		break;
	case IKS_LK_FILTER:
		rec->addr[0] = o.addr[0];
		rec->addr[1] = o.addr[1];
		break;
	case IKS_LK_FAILURE:
		rec->sa = o.num[0];
		rec->status = (uint32_t)o.num[2];
		break;
	case IKS_LK_DEAD:
		rec->sa = o.num[0];
		rec->status = (uint32_t)o.num[1];
		break;
	default:
		break;
	}
}
