/*
 * cisco.c - Cisco IOS / IOS-XE crypto debugs: "debug crypto ikev2" and
 * "debug crypto isakmp", as a router prints them to a console, a vty or
 * its logging buffer. A line is an optional time stamp ("*Mar  1
 * 00:01:23.456: " with "service timestamps debug datetime msec", the
 * '*' or '.' of an unsynchronised clock, or uptime "00:27:07: "), a tag
 * ("IKEv2:", "IKEv2-ERROR:", "ISAKMP:", "ISAKMP-PAK:", "ISAKMP (0:2):")
 * with an optional "(SESSION ID = N,SA ID = M):" / "(1001):" context, then
 * the text. Multi-line messages continue on lines without time or tag.
 *
 * IKEv2 message records: "Sending Packet [To A:P/From B:Q/VRF ...]" and
 * "Received Packet [From A:P/To B:Q/VRF ...]", completed by the next two
 * lines: "Initiator SPI : X - Responder SPI : Y Message id: N" and "IKEv2
 * NAME Exchange REQUEST|RESPONSE". The join keys on the SPIs (their byte
 * order learned per file), the message ID, exchange, request/response and
 * the 4-tuple. No length is printed. "Retransmitting packet" marks the
 * next send as a retransmission.
 *
 * IKEv1 message records: "sending packet to A my_port P peer_port Q (I)
 * STATE" and "received packet from A dport P sport Q Global (I) STATE":
 * direction, peer, ports, and the exchange when the state says it (MM_*
 * main mode, AG_* aggressive); no cookies, no length, so these join on
 * direction, addresses and time only. "retransmitting phase N ..." marks
 * the next send as a retransmission.
 *
 * Time resolution: as printed (1 ms with "msec", else 1 s); lines
 * without a time stamp (the default "debug" output of an ASA or a router
 * without "service timestamps") have no time.
 */
#include "config.h"

#include <string.h>

#include "log/log_internal.h"
#include "log/logtime.h"
#include "core/reader.h"
#include "core/text.h"

/* "IKEv2" or "ISAKMP" followed by ':', '-', ' (' or '(' (a tag, not the
 * "IKEv2 NAME Exchange" continuation line): its length, else 0. */
static size_t tag_len(const uint8_t *text, size_t len)
{
	size_t n;
	if (logpat_starts_with(text, len, "IKEv2"))
		n = 5;
	else if (logpat_starts_with(text, len, "ISAKMP"))
		n = 6;
	else
		return 0;
	iks_reader r = rd_init(text, len, 0);
	rd_skip(&r, n);
	uint8_t c;
	if (!rd_peek_u8(&r, 0, &c))
		return 0;
	if (c == '-') {
		/* "-PAK", "-ERROR", "-PROTO-2": up to the ':' */
		unsigned k = 0;
		while (rd_u8(&r, &c) && c != ':' && c != ' ')
			if (++k > 24)
				return 0;
		return c == ':' ? rd_offset(&r) : 0;
	}
	if (c == ':')
		return n + 1;
	if (c == '(' || (c == ' ' && rd_peek_u8(&r, 1, &c) && c == '('))
		return n;
	return 0;
}

/* Blanks, then an optional "(...)" context and ':', then blanks. */
static size_t skip_context(const uint8_t *text, size_t len)
{
	iks_reader r = rd_init(text, len, 0);
	uint8_t c;
	while (rd_peek_u8(&r, 0, &c) && c == ' ')
		rd_skip(&r, 1);
	if (rd_peek_u8(&r, 0, &c) && c == '(') {
		iks_reader save = r;
		unsigned k = 0;
		while (rd_u8(&r, &c) && c != ')')
			if (++k > 64)
				break;
		if (c != ')') {
			r = save;
		} else if (rd_peek_u8(&r, 0, &c) && c == ':') {
			rd_skip(&r, 1);
		}
	}
	while (rd_peek_u8(&r, 0, &c) && c == ' ')
		rd_skip(&r, 1);
	return rd_offset(&r);
}

/* The time stamp, if any: "[*|.]TIME: "; its length (0 when none). */
static size_t cisco_time(const uint8_t *line, size_t len, log_time *t)
{
	size_t at = 0;
	if (logpat_starts_with(line, len, "*") || logpat_starts_with(line, len, "."))
		at = 1;
	size_t n = log_time_prefix(line + at, len - at, ':', t);
	if (n == 0 || !logpat_starts_with(line + at + n, len - at - n, ": "))
		return 0;
	return at + n + 2;
}

bool cisco_has_prefix(const uint8_t *line, size_t len)
{
	log_time t;
	size_t at = cisco_time(line, len, &t);
	return tag_len(line + at, len - at) > 0;
}

/* "A:P/KEY B:Q/VRF ...]": the two ends. */
static bool two_ends(const uint8_t *s, size_t len, const char *key, iks_addr *a, uint16_t *ap,
		     iks_addr *b, uint16_t *bp)
{
	size_t slash = 0;
	while (slash < len && !logpat_starts_with(s + slash, len - slash, "/"))
		slash++;
	size_t kl = strlen(key);
	if (slash == len || !logpat_starts_with(s + slash + 1, len - slash - 1, key))
		return false;
	size_t b0 = slash + 1 + kl, e = b0;
	while (e < len && !logpat_starts_with(s + e, len - e, "/") &&
	       !logpat_starts_with(s + e, len - e, "]"))
		e++;
	return logpat_addr_port(s, slash, a, ap) && logpat_addr_port(s + b0, e - b0, b, bp);
}

static bool spi(const uint8_t *w, size_t n, uint8_t out[8])
{
	return n == 16 && text_hex_bytes((const char *)w, 16, out, 8) == 8;
}

/* The IKEv1 state after "(I) "/"(R) ": main mode, aggressive mode. */
static void v1_state(const uint8_t *rest, size_t n, iks_log_msg *m)
{
	for (size_t i = 0; i + 3 <= n; i++) {
		if (logpat_starts_with(rest + i, n - i, ") MM_")) {
			m->has_exchange = true;
			m->exchange = 2;
			return;
		}
		if (logpat_starts_with(rest + i, n - i, ") AG_")) {
			m->has_exchange = true;
			m->exchange = 4;
			return;
		}
	}
}

void cisco_line(iks_log *log, iks_log_record *rec, uint32_t rec_index, const uint8_t *line,
		size_t len)
{
	struct cisco_state *cs = &log->cs;
	log_time t;
	size_t at = cisco_time(line, len, &t);
	if (at > 0) {
		log_time_to_record(&t, rec);
		log_set_day(log, rec);
	}
	if (rec->cut)
		return;
	size_t tl = tag_len(line + at, len - at);
	size_t off = at + (tl ? tl : 0);
	off += skip_context(line + off, len - off);
	const uint8_t *text = line + off;
	size_t n = len - off;
	if (cs->msg != IKS_LOG_NONE && ++cs->lines > 3)
		cs->msg = IKS_LOG_NONE; /* a packet's lines are consecutive */
	logpat_out o;
	int i = logpat_find(iks_cisco_patterns, iks_cisco_npatterns, text, n, &o);
	if (i < 0)
		return;
	const logpat *p = &iks_cisco_patterns[i];
	const uint8_t *rest = text + o.span_off[o.nspan ? o.nspan - 1 : 0];
	size_t rn = o.nspan ? o.span_len[o.nspan - 1] : 0;
	iks_log_msg m;
	switch (p->sub) {
	case C_V2_SEND:
	case C_V2_RECV: {
		log_msg_init(&m, rec, rec_index, 1000);
		m.version = 2;
		bool sent = p->sub == C_V2_SEND;
		m.dir = sent ? IKS_LOG_SENT : IKS_LOG_RECEIVED;
		if (!two_ends(rest, rn, sent ? "From " : "To ", &m.peer, &m.peer_port, &m.local,
			      &m.local_port))
			return;
		if (sent && cs->rexmit) {
			m.retransmit = ++cs->rexmit_n;
			cs->rexmit = false;
		} else if (sent) {
			cs->rexmit_n = 0;
		}
		rec->kind = p->kind;
		log_rec_ends(rec, m.local, m.local_port, m.peer, m.peer_port);
		rec->msg = cs->msg = log_add_msg(log, &m);
		cs->lines = 0;
		return;
	}
	case C_V2_SPI: {
		iks_log_msg *pm = log_msg(log, cs->msg);
		uint8_t is[8], rs[8];
		if (!pm || !spi(text + o.span_off[0], o.span_len[0], is) ||
		    !spi(text + o.span_off[1], o.span_len[1], rs) || o.num[0] > UINT32_MAX)
			return;
		memcpy(pm->icookie, is, 8);
		memcpy(pm->rcookie, rs, 8);
		pm->has_cookies = true;
		pm->has_msgid = true;
		pm->msgid = (uint32_t)o.num[0];
		rec->msg = cs->msg;
		break;
	}
	case C_V2_EXCH: {
		iks_log_msg *pm = log_msg(log, cs->msg);
		if (!pm)
			return;
		const log_exchange_name *e = log_exchange_lookup(
			iks_cisco_exchanges, iks_cisco_nexchanges, text + o.span_off[0], o.span_len[0]);
		if (e) {
			pm->has_exchange = true;
			pm->exchange = e->exchange;
		}
		const uint8_t *rr = text + o.span_off[1];
		size_t rl = o.span_len[1];
		if (rl == 7 && logpat_starts_with(rr, rl, "REQUEST")) {
			pm->has_response = true;
			pm->response = false;
		} else if (rl == 8 && logpat_starts_with(rr, rl, "RESPONSE")) {
			pm->has_response = true;
			pm->response = true;
		}
		rec->msg = cs->msg;
		cs->msg = IKS_LOG_NONE;
		break;
	}
	case C_V1_SEND:
	case C_V1_SEND_OLD:
	case C_V1_RECV:
	case C_V1_RECV_OLD: {
		log_msg_init(&m, rec, rec_index, 1000);
		m.version = 1;
		bool sent = p->sub == C_V1_SEND || p->sub == C_V1_SEND_OLD;
		m.dir = sent ? IKS_LOG_SENT : IKS_LOG_RECEIVED;
		m.peer = o.addr[0];
		if (o.nnum == 2 && o.num[0] <= 65535 && o.num[1] <= 65535) {
			/* sent: my_port, peer_port; received: dport (ours), sport (theirs) */
			m.local_port = (uint16_t)o.num[0];
			m.peer_port = (uint16_t)o.num[1];
		}
		v1_state(rest, rn, &m);
		if (sent && cs->rexmit) {
			m.retransmit = ++cs->rexmit_n;
			cs->rexmit = false;
		} else if (sent) {
			cs->rexmit_n = 0;
		}
		rec->kind = p->kind;
		rec->addr[0] = m.peer;
		rec->port[0] = m.peer_port;
		rec->port[1] = m.local_port;
		rec->msg = log_add_msg(log, &m);
		return;
	}
	case C_REXMIT:
		cs->rexmit = true;
		rec->num = o.nnum ? (uint32_t)o.num[0] : 0;
		break;
	default:
		break;
	}
	rec->kind = p->kind;
}
