/* logpat.c - the line pattern matcher shared by the log parsers. */
#include "config.h"

#include <string.h>

#include "log/logpat.h"
#include "core/reader.h"
#include "core/text.h"

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static bool peek(const iks_reader *r, uint8_t *c)
{
	return rd_peek_u8(r, 0, c);
}

/* Skip an optional "0x". */
static void skip_0x(iks_reader *r)
{
	uint8_t a, b;
	if (rd_peek_u8(r, 0, &a) && rd_peek_u8(r, 1, &b) && a == '0' && lower(b) == 'x')
		rd_skip(r, 2);
}

static bool read_hex(iks_reader *r, uint64_t *v)
{
	uint8_t c;
	unsigned n = 0;
	*v = 0;
	skip_0x(r);
	while (peek(r, &c) && text_hexval(c) >= 0) {
		if (n == 16)
			return false; /* more than 64 bits */
		*v = *v << 4 | (uint64_t)text_hexval(c);
		rd_skip(r, 1);
		n++;
	}
	return n > 0;
}

static bool read_dec(iks_reader *r, uint64_t *v)
{
	uint8_t c;
	unsigned n = 0;
	*v = 0;
	while (peek(r, &c) && c >= '0' && c <= '9') {
		if (n == 19)
			return false;
		*v = *v * 10 + (uint64_t)(c - '0');
		rd_skip(r, 1);
		n++;
	}
	return n > 0;
}

/* %4: a dotted quad; what follows it is left for the pattern ("%4.%d"). */
static bool read_ipv4(iks_reader *r, iks_addr *a)
{
	size_t n = text_ipv4_prefix((const char *)rd_ptr(r), rd_left(r), a);
	return n > 0 && rd_skip(r, n);
}

/* %a: a run of hex digits, ':' and '.' that is one IPv4 or IPv6 address. */
static bool read_addr(iks_reader *r, iks_addr *a)
{
	const char *start = (const char *)rd_ptr(r);
	size_t n = 0;
	uint8_t c;
	while (peek(r, &c) && (text_hexval(c) >= 0 || c == ':' || c == '.')) {
		rd_skip(r, 1);
		n++;
	}
	return text_ip(start, n, a);
}

static bool read_cookie(iks_reader *r, uint8_t out[8])
{
	iks_span digits;
	skip_0x(r);
	if (!rd_span(r, 16, &digits) || text_hex_bytes((const char *)digits.p, digits.len, out, 8) != 8)
		return false;
	uint8_t c;
	return !(peek(r, &c) && text_hexval(c) >= 0); /* exactly 16 digits */
}

static bool read_port_le(iks_reader *r, uint64_t *v)
{
	uint8_t d[4];
	for (int i = 0; i < 4; i++)
		if (!rd_u8(r, &d[i]) || text_hexval(d[i]) < 0)
			return false;
	unsigned lo = (unsigned)(text_hexval(d[0]) << 4 | text_hexval(d[1]));
	unsigned hi = (unsigned)(text_hexval(d[2]) << 4 | text_hexval(d[3]));
	*v = hi << 8 | lo;
	return true;
}

static bool conversion(char conv, iks_reader *r, logpat_out *o)
{
	uint8_t c;
	switch (conv) {
	case 'x':
	case 'd':
	case 'p':
		if (o->nnum == LOGPAT_MAX_NUM)
			return false;
		if (conv == 'x')
			return read_hex(r, &o->num[o->nnum++]);
		if (conv == 'd')
			return read_dec(r, &o->num[o->nnum++]);
		return read_port_le(r, &o->num[o->nnum++]);
	case '4':
	case 'a':
		if (o->naddr == LOGPAT_MAX_ADDR)
			return false;
		return conv == '4' ? read_ipv4(r, &o->addr[o->naddr++])
				   : read_addr(r, &o->addr[o->naddr++]);
	case 'c':
		o->has_cookie = true;
		return read_cookie(r, o->cookie);
	case 'w':
	case 's':
		if (o->nspan == LOGPAT_MAX_SPAN)
			return false;
		o->span_off[o->nspan] = rd_offset(r);
		while (peek(r, &c) && (conv == 's' || !is_blank(c)))
			rd_skip(r, 1);
		o->span_len[o->nspan] = rd_offset(r) - o->span_off[o->nspan];
		return o->span_len[o->nspan++] > 0 || conv == 's';
	case '%':
		return rd_u8(r, &c) && c == '%';
	default:
		return false;
	}
}

bool logpat_match(const char *pattern, const uint8_t *text, size_t len, logpat_out *o)
{
	iks_reader r = rd_init(text, len, 0);
	memset(o, 0, sizeof(*o));
	for (const char *p = pattern; *p; p++) {
		uint8_t c;
		if (*p == ' ') {
			if (!(peek(&r, &c) && is_blank(c)))
				return false;
			while (peek(&r, &c) && is_blank(c))
				rd_skip(&r, 1);
		} else if (*p == '%') {
			p++;
			if (!*p || !conversion(*p, &r, o))
				return false;
		} else if (!(rd_u8(&r, &c) && lower(c) == lower((unsigned char)*p))) {
			return false;
		}
	}
	return true;
}

size_t logpat_trim(const uint8_t *text, size_t len)
{
	iks_reader r = rd_init(text, len, 0);
	uint8_t c;
	size_t keep = 0;
	while (rd_u8(&r, &c))
		if (!is_blank(c))
			keep = rd_offset(&r);
	return keep;
}

size_t logpat_skip_blanks(const uint8_t *text, size_t len)
{
	iks_reader r = rd_init(text, len, 0);
	uint8_t c;
	while (rd_peek_u8(&r, 0, &c) && is_blank(c))
		rd_skip(&r, 1);
	return rd_offset(&r);
}

bool logpat_starts_with(const uint8_t *text, size_t len, const char *s)
{
	iks_reader r = rd_init(text, len, 0);
	uint8_t c;
	for (; *s; s++)
		if (!rd_u8(&r, &c) || c != (unsigned char)*s)
			return false;
	return true;
}

bool logpat_decimal(const uint8_t *text, size_t len, uint32_t max, uint32_t *v)
{
	iks_reader r = rd_init(text, len, 0);
	uint8_t c;
	*v = 0;
	if (len == 0)
		return false;
	while (rd_u8(&r, &c)) {
		if (c < '0' || c > '9')
			return false;
		*v = *v * 10 + (uint32_t)(c - '0');
		if (*v > max)
			return false;
	}
	return true;
}

int logpat_find(const logpat *table, size_t n, const uint8_t *text, size_t len, logpat_out *o)
{
	for (size_t i = 0; i < n; i++)
		if (logpat_match(table[i].pattern, text, len, o))
			return (int)i;
	return -1;
}

const log_exchange_name *log_exchange_lookup(const log_exchange_name *t, size_t n,
					     const uint8_t *text, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		const char *name = t[i].name;
		if (strlen(name) != len)
			continue;
		iks_reader r = rd_init(text, len, 0);
		uint8_t c;
		size_t j = 0;
		while (rd_u8(&r, &c) && lower(c) == lower((unsigned char)name[j]))
			j++;
		if (j == len)
			return &t[i];
	}
	return NULL;
}

size_t logpat_find_str(const uint8_t *text, size_t len, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (logpat_starts_with(text + i, len - i, s))
			return i;
	return len;
}

bool logpat_addr_port(const uint8_t *w, size_t n, iks_addr *a, uint16_t *port)
{
	char buf[IKS_ADDRSTRLEN + 8];
	iks_reader r = rd_init(w, n, 0);
	size_t colon = n;
	uint8_t c;
	if (n == 0 || n >= sizeof(buf))
		return false;
	for (size_t i = 0; i < n; i++)
		if (rd_peek_u8(&r, i, &c) && c == ':')
			colon = i;
	if (colon == n || colon + 1 == n)
		return false;
	uint32_t p;
	if (!logpat_decimal(w + colon + 1, n - colon - 1, 65535, &p))
		return false;
	size_t s = 0, e = colon;
	if (rd_peek_u8(&r, 0, &c) && c == '[') {
		s = 1;
		if (!(e > 1 && rd_peek_u8(&r, e - 1, &c) && c == ']'))
			return false;
		e--;
	}
	iks_reader in = rd_init(w, n, 0);
	if (e <= s || !rd_skip(&in, s) || !rd_copy(&in, (uint8_t *)buf, e - s))
		return false;
	if (!text_ip(buf, e - s, a))
		return false;
	*port = (uint16_t)p;
	return true;
}
