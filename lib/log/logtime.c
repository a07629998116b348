/* logtime.c - time stamps in any of the strftime-like forms IKE logs use. */
#include "config.h"

#include <string.h>

#include "log/logtime.h"
#include "log/logpat.h"
#include "core/reader.h"

static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
				      "jul", "aug", "sep", "oct", "nov", "dec" };
static const char *const wdays[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static int lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A run of up to max digits; the count in *n (0: none). */
static uint32_t number(iks_reader *r, unsigned max, unsigned *n)
{
	uint8_t c;
	uint32_t v = 0;
	*n = 0;
	while (*n < max && rd_peek_u8(r, 0, &c) && is_digit(c)) {
		v = v * 10 + (uint32_t)(c - '0');
		rd_skip(r, 1);
		(*n)++;
	}
	return v;
}

static bool lit(iks_reader *r, uint8_t want)
{
	uint8_t c;
	if (!rd_peek_u8(r, 0, &c) || c != want)
		return false;
	rd_skip(r, 1);
	return true;
}

/* A word of letters: month (1-12), weekday (13), zone (14), or 0. */
static int word(iks_reader *r)
{
	char w[12];
	unsigned n = 0;
	uint8_t c;
	while (rd_peek_u8(r, 0, &c) && is_alpha(c)) {
		if (n + 1 < sizeof(w))
			w[n] = (char)lower(c);
		n++;
		rd_skip(r, 1);
	}
	if (n < 1 || n + 1 >= sizeof(w))
		return 0;
	w[n] = '\0';
	if (n >= 3) {
		for (int i = 0; i < 12; i++)
			if (strncmp(w, months[i], 3) == 0)
				return i + 1;
		for (int i = 0; i < 7; i++)
			if (strncmp(w, wdays[i], 3) == 0)
				return 13;
	}
	if (strcmp(w, "z") == 0 || strcmp(w, "utc") == 0 || strcmp(w, "gmt") == 0)
		return 14;
	return 0;
}

/* "HH:MM:SS[.f]" after H was read. */
static bool clock(iks_reader *r, uint32_t h, log_time *t)
{
	unsigned n;
	uint32_t m, s;
	if (!lit(r, ':'))
		return false;
	m = number(r, 2, &n);
	if (n != 2 || !lit(r, ':'))
		return false;
	s = number(r, 2, &n);
	if (n != 2 || h > 23 || m > 59 || s > 60)
		return false;
	t->tod_ms = ((h * 60 + m) * 60 + s) * 1000;
	t->res_us = 1000000;
	if (lit(r, '.') || lit(r, ',')) {
		uint8_t c;
		uint32_t us = 0;
		unsigned d = 0;
		while (rd_peek_u8(r, 0, &c) && is_digit(c)) {
			if (d < 6)
				us = us * 10 + (uint32_t)(c - '0');
			d++;
			rd_skip(r, 1);
			if (d > 9)
				return false;
		}
		if (d == 0)
			return false;
		uint32_t res = 1;
		for (unsigned i = d; i < 6; i++) {
			us *= 10;
			res *= 10;
		}
		t->tod_ms += us / 1000;
		t->sub_ms_us = (uint16_t)(us % 1000);
		t->res_us = res;
	}
	return true;
}

/* A time zone "+hh:mm", "+hhmm", "-hh". */
static bool zone(iks_reader *r)
{
	unsigned n;
	(void)number(r, 4, &n);
	if (n != 2 && n != 4)
		return false;
	if (n == 2 && lit(r, ':')) {
		(void)number(r, 2, &n);
		return n == 2;
	}
	return true;
}

bool log_time_parse(const uint8_t *text, size_t len, log_time *t)
{
	iks_reader r = rd_init(text, len, 0);
	bool have_time = false, want_day = false;
	uint8_t c;
	memset(t, 0, sizeof(*t));
	for (;;) {
		while (rd_peek_u8(&r, 0, &c) && (c == ' ' || c == '\t' || c == ','))
			rd_skip(&r, 1);
		if (!rd_peek_u8(&r, 0, &c))
			break;
		if (is_alpha(c)) {
			int w = word(&r);
			if (w >= 1 && w <= 12 && !t->month) {
				t->month = (uint8_t)w;
				want_day = true;
			} else if (w == 13 && !t->month && !have_time) {
				continue;
			} else if (!(w == 14 && have_time)) {
				return false;
			}
			continue;
		}
		if ((c == '+' || c == '-') && have_time) {
			rd_skip(&r, 1);
			if (!zone(&r))
				return false;
			continue;
		}
		if (!is_digit(c))
			return false;
		unsigned n;
		uint32_t v = number(&r, 4, &n);
		if (rd_peek_u8(&r, 0, &c) && is_digit(c))
			return false; /* more than 4 digits: not a date part */
		if (n == 4 && !t->month && (lit(&r, '-') || lit(&r, '/'))) {
			unsigned nm, nd;
			uint32_t mo = number(&r, 2, &nm);
			if (nm == 0 || !(lit(&r, '-') || lit(&r, '/')))
				return false;
			uint32_t d = number(&r, 2, &nd);
			if (nd == 0 || mo < 1 || mo > 12 || d < 1 || d > 31)
				return false;
			t->year = (uint16_t)v;
			t->month = (uint8_t)mo;
			t->day = (uint8_t)d;
			(void)lit(&r, 'T');
		} else if (n <= 2 && !t->month && lit(&r, '.')) {
			unsigned nm, ny;
			uint32_t mo = number(&r, 2, &nm);
			if (nm == 0 || !lit(&r, '.'))
				return false;
			uint32_t y = number(&r, 4, &ny);
			if (ny != 4 || mo < 1 || mo > 12 || v < 1 || v > 31)
				return false;
			t->year = (uint16_t)y;
			t->month = (uint8_t)mo;
			t->day = (uint8_t)v;
		} else if (n <= 2 && !have_time && rd_peek_u8(&r, 0, &c) && c == ':') {
			if (!clock(&r, v, t))
				return false;
			have_time = true;
		} else if (n <= 2 && want_day && !t->day) {
			if (v < 1 || v > 31)
				return false;
			t->day = (uint8_t)v;
			want_day = false;
		} else if (n == 4 && !t->year && t->month) {
			t->year = (uint16_t)v;
		} else {
			return false;
		}
	}
	if (t->month && !t->day)
		return false;
	return have_time;
}

size_t log_time_prefix(const uint8_t *text, size_t len, uint8_t stop, log_time *t)
{
	iks_reader r = rd_init(text, len, 0);
	size_t best = 0, limit = len < 64 ? len : 64;
	log_time cand;
	uint8_t c, next;
	for (size_t end = 1; end <= limit; end++) {
		if (!rd_peek_u8(&r, end - 1, &c) || c == ' ')
			continue;
		bool at_end = end == len;
		bool boundary = at_end || (rd_peek_u8(&r, end, &next) &&
					   (next == ' ' || (stop && next == stop)));
		if (!boundary)
			continue;
		if (log_time_parse(text, end, &cand)) {
			best = end;
			*t = cand;
		}
	}
	return best;
}

void log_time_to_record(const log_time *t, iks_log_record *rec)
{
	rec->has_time = true;
	rec->year = t->year;
	rec->month = t->month;
	rec->day = t->day;
	rec->tod_ms = t->tod_ms;
	rec->sub_ms_us = t->sub_ms_us;
	rec->res_us = t->res_us;
}

size_t log_daemon_prefix(const uint8_t *line, size_t len, const char *daemon, log_time *t)
{
	size_t n = log_time_prefix(line, len, ':', t);
	if (n == 0)
		return 0;
	iks_reader r = rd_init(line, len, 0);
	rd_skip(&r, n);
	uint8_t c;
	if (!rd_u8(&r, &c))
		return 0;
	if (c == ' ') {
		/* syslog: HOST DAEMON[PID]: */
		unsigned k = 0;
		while (rd_u8(&r, &c) && c != ' ')
			if (++k > 255)
				return 0;
		if (c != ' ' || !logpat_starts_with(rd_ptr(&r), rd_left(&r), daemon))
			return 0;
		while (rd_u8(&r, &c) && c != ':' && c != ' ')
			;
		if (c != ':')
			return 0;
	} else if (c != ':') {
		return 0;
	}
	if (!rd_u8(&r, &c) || c != ' ')
		return 0;
	return rd_offset(&r);
}
