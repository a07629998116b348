/* jsonw.c - growable text buffer and JSON writer. */
#include "common/jsonw.h"

#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_init(strbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

void sb_free(strbuf *b)
{
	free(b->s);
	sb_init(b);
}

void sb_reset(strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

bool sb_reserve(strbuf *b, size_t more)
{
	if (b->oom)
		return false;
	if (b->cap - b->len > more)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len <= more) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *s = realloc(b->s, cap);
	if (!s) {
		b->oom = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

const char *sb_cstr(strbuf *b)
{
	if (!b->s)
		return "";
	b->s[b->len] = '\0';
	return b->s;
}

void sb_puts(strbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

void sb_printf(strbuf *b, const char *fmt, ...)
{
	va_list ap;
	if (!sb_reserve(b, 64))
		return;
	/* one pass when it fits, a second after growing when it does not */
	va_start(ap, fmt);
	int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		if (!sb_reserve(b, (size_t)n))
			return;
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* "00" "01" ... "99": two digits per division */
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static unsigned dec_len32(uint32_t v)
{
	return v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5
	       : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
}

void sb_putu(strbuf *b, uint64_t v)
{
	/* written in place, from the last digit back; 32-bit arithmetic for
	 * the values that fit (nearly all) */
	size_t n;
	if (v <= UINT32_MAX) {
		n = dec_len32((uint32_t)v);
	} else {
		n = 10; /* 2^32 has ten digits */
		for (uint64_t t = 10000000000ull; n < 20 && v >= t; t *= 10)
			n++;
	}
	if (b->cap - b->len <= n && !sb_reserve(b, n))
		return;
	char *e = b->s + b->len + n;
	b->len += n;
	while (v > UINT32_MAX) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		e -= 2;
		memcpy(e, digit_pairs + 2 * r, 2);
	}
	uint32_t u = (uint32_t)v;
	while (u >= 100) {
		unsigned r = u % 100;
		u /= 100;
		e -= 2;
		memcpy(e, digit_pairs + 2 * r, 2);
	}
	if (u >= 10)
		memcpy(e - 2, digit_pairs + 2 * u, 2);
	else
		e[-1] = (char)('0' + u);
}

char *sb_steal(strbuf *b)
{
	char *s = b->s;
	if (s)
		s[b->len] = '\0';
	else
		s = calloc(1, 1);
	sb_init(b);
	return s;
}

void jw_init(jsonw *w, strbuf *b)
{
	w->b = b;
	w->depth = 0;
	w->after_key = false;
	memset(w->need_comma, 0, sizeof(w->need_comma));
}

void jw_keys(jsonw *w, const char *key)
{
	jw_keyn(w, key, strlen(key));
}


int utf8_seq(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	int n;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1fu;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0fu;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07u;
		min = 0x10000;
	} else {
		return 0;
	}
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* also stops at the terminating NUL */
		v = (v << 6) | (s[i] & 0x3fu);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

void json_escape(json_put *put, void *ctx, const char *s, unsigned flags)
{
	bool script = flags & JSON_ESC_SCRIPT;
	const char *run = s; /* written as it is, up to s */
	char u[12];
	put(ctx, "\"", 1);
	while (*s) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' &&
		    !(script && (c == '<' || c == '>' || c == '&'))) {
			s++; /* printable ASCII that needs no escape: part of the run */
			continue;
		}
		uint32_t cp;
		int n = utf8_seq(s, &cp);
		const char *esc = NULL;
		if (n == 0) {
			esc = "\\ufffd";
			n = 1;
		} else if (cp == '"') {
			esc = "\\\"";
		} else if (cp == '\\') {
			esc = "\\\\";
		} else if (!script && cp == '\n') {
			esc = "\\n";
		} else if (!script && cp == '\r') {
			esc = "\\r";
		} else if (!script && cp == '\t') {
			esc = "\\t";
		} else if (cp < 0x20 ||
			   (script && (cp == '<' || cp == '>' || cp == '&' || cp == 0x2028 || cp == 0x2029))) {
			snprintf(u, sizeof(u), "\\u%04x", (unsigned)cp);
			esc = u;
		}
		if (esc) {
			if (s > run)
				put(ctx, run, (size_t)(s - run));
			put(ctx, esc, strlen(esc));
			run = s + n;
		}
		s += n;
	}
	if (s > run)
		put(ctx, run, (size_t)(s - run));
	put(ctx, "\"", 1);
}

static void put_sb(void *ctx, const char *p, size_t n)
{
	sb_putn(ctx, p, n);
}

/* Whether any of the 8 bytes of x is a control (< 0x20), not ASCII
 * (>= 0x80), '"' or '\\': the bytes jw_str cannot copy as they are. */
static bool word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
	return ((x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((bs - ones) & ~bs)) & high) != 0;
}

static bool byte_needs_escape(unsigned char c)
{
	return c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
}

void jw_str(jsonw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_before_value(w);
	/* printable ASCII with no " or \ (names, addresses, notes: nearly
	 * every string) is copied in one pass, 8 bytes at a time; anything
	 * else is written by json_escape from the start */
	strbuf *b = w->b;
	size_t n = strlen(s);
	if (b->cap - b->len <= n + 2 && !sb_reserve(b, n + 2))
		return;
	char *p = b->s + b->len + 1;
	size_t i = 0;
	for (; n - i >= 8; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		if (word_needs_escape(x))
			goto escape;
		memcpy(p + i, &x, 8);
	}
	for (; i < n; i++) {
		if (byte_needs_escape((unsigned char)s[i]))
			goto escape;
		p[i] = s[i];
	}
	p[-1] = '"';
	p[n] = '"';
	b->len += n + 2;
	return;
escape:
	json_escape(put_sb, b, s, 0);
}

static void scalar(jsonw *w, const char *text)
{
	jw_before_value(w);
	sb_puts(w->b, text);
}

void jw_int(jsonw *w, int64_t v)
{
	char t[32];
	snprintf(t, sizeof(t), "%lld", (long long)v);
	scalar(w, t);
}


void jw_null(jsonw *w)
{
	jw_before_value(w);
	sb_putl(w->b, "null");
}
void jw_raw(jsonw *w, const char *text) { scalar(w, text); }

void jw_hex(jsonw *w, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char t[64];
	jw_before_value(w);
	sb_putc(w->b, '"');
	while (n) {
		size_t k = n < 32 ? n : 32;
		for (size_t i = 0; i < k; i++) {
			t[2 * i] = digits[p[i] >> 4];
			t[2 * i + 1] = digits[p[i] & 15];
		}
		sb_putn(w->b, t, 2 * k);
		p += k;
		n -= k;
	}
	sb_putc(w->b, '"');
}

void jw_time(jsonw *w, double t)
{
	char buf[32];
	if (t <= 0) {
		jw_null(w);
		return;
	}
	snprintf(buf, sizeof(buf), "%.6f", t);
	jw_raw(w, buf);
}

void jw_fixed(jsonw *w, double v, int digits)
{
	char buf[48];
	if (!isfinite(v)) {
		jw_null(w); /* not known (NAN): null, never an invented number */
		return;
	}
	snprintf(buf, sizeof(buf), "%.*f", digits, v);
	jw_raw(w, buf);
}

void jw_plain(jsonw *w, const char *s, size_t n)
{
	jw_before_value(w);
	strbuf *b = w->b;
	if (b->cap - b->len <= n + 2 && !sb_reserve(b, n + 2))
		return;
	char *p = b->s + b->len;
	p[0] = '"';
	memcpy(p + 1, s, n);
	p[n + 1] = '"';
	b->len += n + 2;
}

void jw_addr(jsonw *w, const iks_addr *a)
{
	/* digits, hex, dots and colons, or "?": nothing to escape */
	char buf[IKS_ADDRSTRLEN];
	iks_addr_format(a, buf, sizeof(buf));
	jw_plain(w, buf, strlen(buf));
}
