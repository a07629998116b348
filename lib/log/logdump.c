/*
 * logdump.c - hex dumps of packets in IKE logs: the bytes a daemon says it
 * sent or received, read back so the join can compare them with the
 * capture byte for byte.
 *
 * charon (net=3, enc=3) prints "=> N bytes @ 0xADDR" and then lines
 * "OFF: HH HH ... HH  ascii" (16 bytes a line, OFF decimal); pluto
 * (plutodebug) prints the bytes after its "sending N bytes ..." and
 * "*received N bytes ..." lines as "HH HH HH HH  HH ...  ascii" without
 * an offset. Both end a line with the bytes as ASCII, which is never read:
 * a line holds min(16, bytes left) bytes, exactly that many are taken.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log/log_internal.h"
#include "core/hash.h"
#include "core/reader.h"
#include "core/text.h"

static int hexval(uint8_t c)
{
	return text_hexval(c);
}

uint64_t iks_log_digest(const uint8_t *p, size_t len)
{
	return h_u64(h_bytes(IKS_FNV_OFFSET, p, len), (uint64_t)len);
}

void log_dump_free(iks_log *log)
{
	free(log->dump);
	log->dump = NULL;
	log->ndump = log->cap_dump = 0;
}

void log_dump_start(iks_log *log, log_thread *t, uint8_t kind, uint32_t len, uint32_t rec)
{
	struct log_dump *d = &t->dump;
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->len = len;
	d->rec = rec;
	if (len == 0)
		return;
	d->open = true;
	if (log->ndump + len > log->lim.dump_max) {
		log->st.dump_bytes_dropped += len;
		if (!log->st.limit)
			log->st.limit = "dump_max";
		return;
	}
	if (log->ndump + len > log->cap_dump) {
		size_t n = log->cap_dump ? log->cap_dump : 65536;
		while (n < log->ndump + len)
			n *= 2;
		uint8_t *p = realloc(log->dump, n);
		if (!p) {
			log->nomem = true;
			return;
		}
		log->dump = p;
		log->cap_dump = n;
	}
	d->off = log->ndump;
	d->kept = true;
	log->ndump += len;
}

bool log_dump_store(iks_log *log, const uint8_t *bytes, size_t n, size_t *off)
{
	log_thread tmp;
	memset(&tmp, 0, sizeof(tmp));
	log_dump_start(log, &tmp, 0, (uint32_t)n, IKS_LOG_NONE);
	if (!tmp.dump.kept || !log->dump)
		return false;
	memcpy(log->dump + tmp.dump.off, bytes, n);
	*off = tmp.dump.off;
	return true;
}

bool log_dump_line(iks_log *log, log_thread *t, const uint8_t *text, size_t len)
{
	struct log_dump *d = &t->dump;
	if (!d->open)
		return false;
	iks_reader r = rd_init(text, len, 0);
	uint8_t c;
	while (rd_peek_u8(&r, 0, &c) && c == ' ')
		rd_skip(&r, 1);
	/* charon: a decimal offset and ':' first */
	iks_reader at = r;
	uint32_t off = 0;
	unsigned nd = 0;
	while (rd_peek_u8(&r, 0, &c) && c >= '0' && c <= '9' && nd < 10) {
		off = off * 10 + (uint32_t)(c - '0');
		rd_skip(&r, 1);
		nd++;
	}
	if (nd > 0 && rd_peek_u8(&r, 0, &c) && c == ':') {
		rd_skip(&r, 1);
		if (off != d->got) {
			d->open = d->lenient; /* not the line expected: the dump is abandoned */
			return false;
		}
	} else {
		r = at;
	}
	uint32_t want = d->len - d->got < 16 ? d->len - d->got : 16;
	uint8_t bytes[16];
	for (uint32_t i = 0; i < want; i++) {
		unsigned blanks = 0;
		while (rd_peek_u8(&r, 0, &c) && c == ' ' && blanks < 3) {
			rd_skip(&r, 1);
			blanks++;
		}
		uint8_t hi, lo;
		if ((i > 0 && blanks == 0) || !rd_u8(&r, &hi) || !rd_u8(&r, &lo) || hexval(hi) < 0 ||
		    hexval(lo) < 0) {
			d->open = d->lenient;
			return false;
		}
		bytes[i] = (uint8_t)(hexval(hi) << 4 | hexval(lo));
	}
	if (rd_peek_u8(&r, 0, &c) && c != ' ') {
		d->open = d->lenient; /* more hex digits than a byte: not a dump line */
		return false;
	}
	if (d->kept && log->dump)
		memcpy(log->dump + d->off + d->got, bytes, want);
	d->got += want;
	if (d->got == d->len) {
		d->open = false;
		d->done = true;
	}
	return true;
}

bool log_dump_attach(iks_log *log, iks_log_msg *m, size_t off, uint32_t len, uint32_t want)
{
	if (!log->dump || off + len > log->ndump || len < 28)
		return false;
	iks_reader r = rd_init(log->dump + off, len, 0);
	iks_reader peek = r;
	uint32_t first = 1;
	bool marker = len >= 32 && rd_be32(&peek, &first) && first == 0;
	if (marker && (want == 0 || want == len - 4)) {
		rd_skip(&r, 4);
		off += 4;
		len -= 4;
	} else if (want && want != len) {
		return false;
	}
	/* RFC 2408 3.1 / RFC 7296 3.1: cookies, next payload, version,
	 * exchange, flags, message ID, length (the whole message's) */
	uint8_t ic[8], rc[8], next, ver, exch, flags;
	uint32_t msgid, hlen;
	if (!rd_copy(&r, ic, 8) || !rd_copy(&r, rc, 8) || !rd_u8(&r, &next) || !rd_u8(&r, &ver) ||
	    !rd_u8(&r, &exch) || !rd_u8(&r, &flags) || !rd_be32(&r, &msgid) || !rd_be32(&r, &hlen) ||
	    hlen != len)
		return false;
	m->has_data = true;
	m->data_off = off;
	m->data_len = len;
	m->digest = iks_log_digest(log->dump + off, len);
	/* the header as the bytes say, where the log's own lines did not say
	 * it: printed values are kept as printed (their byte order is learned
	 * by the join) */
	bool printed = m->has_cookies; /* cookies and message ID in the log's byte order */
	if (!printed) {
		memcpy(m->icookie, ic, 8);
		memcpy(m->rcookie, rc, 8);
		m->has_cookies = true;
	}
	if (!m->version)
		m->version = (uint8_t)(ver >> 4);
	if (!m->has_exchange) {
		m->has_exchange = true;
		m->exchange = exch;
	}
	if (!m->has_flags) {
		m->has_flags = true;
		m->flags = flags;
	}
	if (!m->has_msgid && !printed) {
		m->has_msgid = true;
		m->msgid = msgid;
	}
	if (m->version == 2 && !m->has_response) {
		m->has_response = true;
		m->response = (flags & 0x20) != 0;
	}
	if (!m->length)
		m->length = len;
	log->st.dumps++;
	return true;
}

const uint8_t *iks_log_msg_data(const iks_log *log, const iks_log_msg *m, size_t *len)
{
	if (!log || !m || !m->has_data || !log->dump || m->data_off + m->data_len > log->ndump)
		return NULL;
	if (len)
		*len = m->data_len;
	return log->dump + m->data_off;
}
