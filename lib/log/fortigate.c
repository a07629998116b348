/*
 * fortigate.c - FortiGate IKE debug output ("diagnose debug application
 * ike -1" with "diagnose debug console timestamp enable"): lines
 * "YYYY-MM-DD HH:MM:SS ike CONTEXT: text", CONTEXT being "0", "0:p1:14" or
 * "V=root:0:hub1-Pri:145" (VDOM, tunnel, serial). Whole seconds.
 *
 * Message records: "sent IKE msg (STATE): A:P->B:Q, len=N, id=I/R[:MSGID]"
 * for a send; "comes A:P->B:Q,ifindex=..." followed by "IKEv1|IKEv2
 * exchange=NAME id=I/R[:MSGID] len=N" for a receive. The join keys on the
 * cookies (either byte order, learned per file like Oakley's), the message
 * ID when printed, the 4-tuple and the length. "out HEX" (before a send)
 * and "in HEX" (after a receive) carry the whole message: the join is then
 * byte-exact.
 */
#include "config.h"

#include <string.h>

#include "log/log_internal.h"
#include "log/logtime.h"
#include "core/reader.h"
#include "core/text.h"

#define HEX_MAX 65535 /* bytes of one "in"/"out" line read */

/* "[TIME ]ike CONTEXT: ": time filled, text offset. */
static bool fg_prefix(const uint8_t *line, size_t len, iks_log_record *rec, size_t *text)
{
	log_time t;
	memset(&t, 0, sizeof(t));
	size_t n = logpat_starts_with(line, len, "ike ") ? 0 : log_time_prefix(line, len, 0, &t);
	size_t at = n + logpat_skip_blanks(line + n, len - n);
	if (!logpat_starts_with(line + at, len - at, "ike "))
		return false;
	at += 4;
	iks_reader r = rd_init(line, len, 0);
	rd_skip(&r, at);
	uint8_t c, prev = 0;
	unsigned k = 0;
	while (rd_u8(&r, &c)) {
		if (c == ' ' && prev == ':')
			break;
		if (c == ' ' || ++k > 160)
			return false;
		prev = c;
	}
	if (!(c == ' ' && prev == ':') || k < 2)
		return false;
	if (n > 0) {
		log_time_to_record(&t, rec);
	}
	*text = rd_offset(&r);
	return true;
}

bool fortigate_has_prefix(const uint8_t *line, size_t len)
{
	iks_log_record rec;
	size_t off;
	memset(&rec, 0, sizeof(rec));
	return fg_prefix(line, len, &rec, &off) && rec.has_time;
}

/* "A:P->B:Q" ending at ',' or blank. */
static bool four_tuple(const uint8_t *s, size_t len, iks_addr *src, uint16_t *sp, iks_addr *dst,
		       uint16_t *dp)
{
	size_t arrow = logpat_find_str(s, len, "->");
	if (arrow == len)
		return false;
	size_t e = arrow + 2;
	while (e < len && !logpat_starts_with(s + e, len - e, ",") &&
	       !logpat_starts_with(s + e, len - e, " "))
		e++;
	return logpat_addr_port(s, arrow, src, sp) &&
	       logpat_addr_port(s + arrow + 2, e - arrow - 2, dst, dp);
}

/* A decimal after "key=" (e.g. "len="), ending at a non-digit. */
static bool keyed_decimal(const uint8_t *s, size_t len, const char *key, uint32_t *v)
{
	size_t at = logpat_find_str(s, len, key);
	if (at == len)
		return false;
	at += strlen(key);
	size_t e = at;
	while (e < len && e - at < 10) {
		uint32_t d;
		if (!logpat_decimal(s + e, 1, 9, &d))
			break;
		e++;
	}
	return e > at && logpat_decimal(s + at, e - at, UINT32_MAX, v);
}

/* "id=ICOOKIE/RCOOKIE[:MSGID]" into the message. */
static bool cookies(const uint8_t *s, size_t len, iks_log_msg *m)
{
	size_t at = logpat_find_str(s, len, "id=");
	if (at == len || len - at < 3 + 33)
		return false;
	const char *p = (const char *)s + at + 3;
	if (text_hex_bytes(p, 16, m->icookie, 8) != 8 || !logpat_starts_with(s + at + 19, 1, "/") ||
	    text_hex_bytes(p + 17, 16, m->rcookie, 8) != 8)
		return false;
	m->has_cookies = true;
	size_t after = at + 36;
	uint8_t id[4];
	if (len - after >= 9 && logpat_starts_with(s + after, len - after, ":") &&
	    text_hex_bytes(p + 34, 8, id, 4) == 4) {
		m->has_msgid = true;
		m->msgid = (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3];
	}
	return true;
}

/* "out"/"in": the hex of a whole message, kept; false if not hex. */
static bool hex_line(iks_log *log, const uint8_t *hex, size_t n, size_t *off, uint32_t *len)
{
	uint8_t buf[HEX_MAX];
	if (n < 56 || n % 2 || n / 2 > sizeof(buf))
		return false;
	int got = text_hex_bytes((const char *)hex, n, buf, sizeof(buf));
	if (got < 28 || !log_dump_store(log, buf, (size_t)got, off))
		return false;
	*len = (uint32_t)got;
	return true;
}

void fortigate_line(iks_log *log, iks_log_record *rec, uint32_t rec_index, const uint8_t *line,
		    size_t len)
{
	size_t off;
	if (!fg_prefix(line, len, rec, &off))
		return;
	log_set_day(log, rec);
	if (rec->cut)
		return;
	const uint8_t *text = line + off;
	size_t n = len - off;
	logpat_out o;
	int i = logpat_find(iks_fortigate_patterns, iks_fortigate_npatterns, text, n, &o);
	if (i < 0)
		return;
	const logpat *p = &iks_fortigate_patterns[i];
	const uint8_t *rest = text + o.span_off[o.nspan - 1];
	size_t rn = o.span_len[o.nspan - 1];
	struct fg_state *fg = &log->fg;
	iks_log_msg m;
	switch (p->sub) {
	case F_SENT:
		log_msg_init(&m, rec, rec_index, 1000);
		m.dir = IKS_LOG_SENT;
		if (!four_tuple(rest, rn, &m.local, &m.local_port, &m.peer, &m.peer_port) ||
		    !keyed_decimal(rest, rn, "len=", &m.length) || !cookies(rest, rn, &m))
			return;
		if (fg->has_out) {
			log_dump_attach(log, &m, fg->out_off, fg->out_len, m.length);
			fg->has_out = false;
		}
		rec->kind = p->kind;
		rec->num = m.length;
		log_rec_ends(rec, m.local, m.local_port, m.peer, m.peer_port);
		rec->msg = log_add_msg(log, &m);
		return;
	case F_COMES:
		fg->has_comes = four_tuple(rest, rn, &fg->src, &fg->sport, &fg->dst, &fg->dport);
		if (!fg->has_comes)
			return;
		log_rec_ends(rec, fg->src, fg->sport, fg->dst, fg->dport);
		break;
	case F_EXCH_V1:
	case F_EXCH_V2: {
		log_msg_init(&m, rec, rec_index, 1000);
		m.dir = IKS_LOG_RECEIVED;
		m.version = p->sub == F_EXCH_V1 ? 1 : 2;
		size_t idat = logpat_find_str(rest, rn, " id=");
		/* "Informational" (IKEv1) and "INFORMATIONAL" (IKEv2) differ only
		 * in case, which the lookup ignores: look in the version's names */
		for (size_t k = 0; k < iks_fortigate_nexchanges && !m.has_exchange; k++) {
			const log_exchange_name *e = &iks_fortigate_exchanges[k];
			if (e->version == m.version && log_exchange_lookup(e, 1, rest, idat)) {
				m.has_exchange = true;
				m.exchange = e->exchange;
			}
		}
		if (!keyed_decimal(rest, rn, "len=", &m.length) || !cookies(rest, rn, &m))
			return;
		if (fg->has_comes) {
			m.peer = fg->src;
			m.peer_port = fg->sport;
			m.local = fg->dst;
			m.local_port = fg->dport;
			fg->has_comes = false;
		}
		rec->kind = p->kind;
		rec->num = m.length;
		fg->last_recv = rec->msg = log_add_msg(log, &m);
		return;
	}
	case F_OUT: {
		size_t doff;
		uint32_t dlen;
		if (!hex_line(log, text + o.span_off[0], o.span_len[0], &doff, &dlen))
			return;
		fg->has_out = true;
		fg->out_off = doff;
		fg->out_len = dlen;
		break;
	}
	case F_IN: {
		size_t doff;
		uint32_t dlen;
		if (!hex_line(log, text + o.span_off[0], o.span_len[0], &doff, &dlen))
			return;
		iks_log_msg *r = log_msg(log, fg->last_recv);
		if (r && !r->has_data)
			log_dump_attach(log, r, doff, dlen, r->length);
		rec->msg = fg->last_recv;
		fg->last_recv = IKS_LOG_NONE;
		break;
	}
	default:
		break;
	}
	rec->kind = p->kind;
}
