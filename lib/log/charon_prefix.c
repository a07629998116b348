/*
 * charon_prefix.c - the prefix of a charon log line in every form charon
 * and the system loggers write it:
 *
 *   filelog:   "<time_format>[.mmm] TT[GRP] [<conn|N> ]text"
 *              (time_format any strftime string, time_add_ms adds ".mmm",
 *              ike_name adds "<conn|N>" or "<N>"; no time_format: no time)
 *   syslog:    "Mon DD HH:MM:SS HOST charon: TT[GRP] ..."   (rsyslog)
 *              "YYYY-MM-DDTHH:MM:SS.uuuuuu+hh:mm HOST charon[PID]: ..."
 *   journald:  "Mon DD HH:MM:SS[.uuuuuu] HOST charon[PID]: ..." (short,
 *              short-precise), "YYYY-MM-DDTHH:MM:SS+hhmm HOST ..." (short-iso)
 *
 * The thread token "TT[GRP] " (GRP two to eight capital letters) is found
 * first; what stands before it is the time, with a "HOST TAG:" after it
 * when the line went through a system logger.
 */
#include "config.h"

#include <string.h>

#include "log/log_internal.h"
#include "log/logtime.h"
#include "core/reader.h"

#define THREAD_SEARCH 160 /* the thread token starts within this many bytes */

/* Byte i of s[0..n) through the reader (0 past the end). */
static uint8_t byte_at(const uint8_t *s, size_t n, size_t i)
{
	iks_reader r = rd_init(s, n, 0);
	uint8_t c = 0;
	return rd_peek_u8(&r, i, &c) ? c : 0;
}

/* "TT[GRP] " (or "TT[GRP]" at the end) at offset i: its length, or 0. */
static size_t thread_token(const uint8_t *line, size_t len, size_t i, uint32_t *tid)
{
	iks_reader r = rd_init(line, len, 0);
	uint8_t c;
	unsigned n = 0;
	uint32_t v = 0;
	rd_skip(&r, i);
	while (rd_peek_u8(&r, 0, &c) && c >= '0' && c <= '9') {
		if (++n > 9)
			return 0;
		v = v * 10 + (uint32_t)(c - '0');
		rd_skip(&r, 1);
	}
	if (n == 0 || !rd_u8(&r, &c) || c != '[')
		return 0;
	n = 0;
	while (rd_u8(&r, &c) && c != ']')
		if (++n > 8 || c < 'A' || c > 'Z')
			return 0;
	if (c != ']' || n < 2)
		return 0;
	if (rd_peek_u8(&r, 0, &c)) {
		if (c != ' ')
			return 0;
		rd_skip(&r, 1);
	}
	*tid = v;
	return rd_offset(&r) - i;
}

/* The last two words of s[0..n) when the last ends in ':' (syslog's
 * "HOST TAG:"): the length without them, or n when they are not there. */
static size_t strip_syslog_tag(const uint8_t *s, size_t n)
{
	size_t e = logpat_trim(s, n);
	if (e < 2 || byte_at(s, n, e - 1) != ':')
		return n;
	size_t w = e;
	while (w > 0 && byte_at(s, n, w - 1) != ' ')
		w--;
	if (w == 0)
		return n;
	size_t h = logpat_trim(s, w);
	while (h > 0 && byte_at(s, n, h - 1) != ' ')
		h--;
	return h;
}

/* "<conn|N> " or "<N> " (ike_name): its length and the number, or 0. */
static size_t ike_name(const uint8_t *text, size_t len, uint32_t *serial)
{
	iks_reader r = rd_init(text, len, 0);
	uint8_t c;
	if (!rd_u8(&r, &c) || c != '<')
		return 0;
	uint32_t v = 0;
	bool digits = false;
	unsigned n = 0;
	while (rd_u8(&r, &c) && c != '>') {
		if (++n > 128)
			return 0;
		if (c == '|') {
			v = 0;
			digits = false;
		} else if (c >= '0' && c <= '9') {
			if (v < 100000000)
				v = v * 10 + (uint32_t)(c - '0');
			digits = true;
		} else {
			v = 0;
			digits = false;
		}
	}
	if (c != '>' || !rd_u8(&r, &c) || c != ' ')
		return 0;
	*serial = digits ? v : 0;
	return rd_offset(&r);
}

bool charon_prefix(const uint8_t *line, size_t len, iks_log_record *rec, size_t *text)
{
	size_t lim = len < THREAD_SEARCH ? len : THREAD_SEARCH;
	uint32_t tid = 0;
	size_t at = 0, tok = 0;
	for (size_t i = 0; i < lim; i++) {
		uint8_t c = byte_at(line, len, i);
		if ((i > 0 && byte_at(line, len, i - 1) != ' ') || c < '0' || c > '9')
			continue;
		if ((tok = thread_token(line, len, i, &tid)) > 0) {
			at = i;
			break;
		}
	}
	if (tok == 0)
		return false;
	size_t pre = logpat_trim(line, at);
	log_time t;
	memset(&t, 0, sizeof(t));
	if (pre > 0 && !log_time_parse(line, pre, &t)) {
		size_t cut = strip_syslog_tag(line, pre);
		if (cut == pre || !log_time_parse(line, logpat_trim(line, cut), &t))
			return false;
	}
	if (pre > 0) {
		rec->has_time = true;
		rec->year = t.year;
		rec->month = t.month;
		rec->day = t.day;
		rec->tod_ms = t.tod_ms;
		rec->sub_ms_us = t.sub_ms_us;
		rec->res_us = t.res_us;
	}
	rec->has_thread = true;
	rec->thread = tid;
	size_t off = at + tok;
	uint32_t serial = 0;
	size_t nm = ike_name(line + off, len - off, &serial);
	if (nm) {
		rec->serial = serial;
		off += nm;
	}
	*text = off;
	return true;
}
