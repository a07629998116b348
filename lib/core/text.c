/* text.c - hex digits, hex strings and IP addresses in text (see text.h). */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "core/reader.h"
#include "core/text.h"

int text_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int text_hex_bytes(const char *s, size_t n, uint8_t *out, size_t cap)
{
	if (n % 2 || n / 2 > cap)
		return -1;
	iks_reader r = rd_init((const uint8_t *)s, n, 0);
	for (size_t i = 0; i < n / 2; i++) {
		uint8_t hi, lo;
		if (!rd_u8(&r, &hi) || !rd_u8(&r, &lo))
			return -1;
		int h = text_hexval(hi), l = text_hexval(lo);
		if (h < 0 || l < 0)
			return -1;
		out[i] = (uint8_t)(h << 4 | l);
	}
	return (int)(n / 2);
}

/* One number of a dotted quad: 1-3 digits, no leading zero, at most 255. */
static bool ipv4_part(iks_reader *r, uint8_t *v)
{
	uint8_t c, first = 0;
	unsigned x = 0, digits = 0;
	while (digits < 4 && rd_peek_u8(r, 0, &c) && c >= '0' && c <= '9') {
		if (digits == 0)
			first = c;
		x = x * 10 + (unsigned)(c - '0');
		digits++;
		rd_skip(r, 1);
	}
	if (digits == 0 || digits > 3 || x > 255)
		return false;
	if (digits > 1 && first == '0')
		return false; /* a leading zero: octal to some readers, refused */
	*v = (uint8_t)x;
	return true;
}

size_t text_ipv4_prefix(const char *s, size_t n, iks_addr *a)
{
	iks_reader r = rd_init((const uint8_t *)s, n, 0);
	uint8_t b[4], dot;
	for (int i = 0; i < 4; i++) {
		if (i > 0 && !(rd_u8(&r, &dot) && dot == '.'))
			return 0;
		if (!ipv4_part(&r, &b[i]))
			return 0;
	}
	memset(a, 0, sizeof(*a));
	a->family = 4;
	memcpy(a->bytes, b, 4);
	return rd_offset(&r);
}

/* IPv6 by inet_pton on a bounded, NUL-terminated copy (inet_pton keeps no
 * state and reads no configuration). */
static bool text_ipv6(const char *s, size_t n, iks_addr *a)
{
	char txt[IKS_ADDRSTRLEN];
	iks_reader r = rd_init((const uint8_t *)s, n, 0);
	if (n == 0 || n >= sizeof(txt) || !rd_copy(&r, txt, n) || !memchr(txt, ':', n))
		return false;
	txt[n] = '\0';
	if (inet_pton(AF_INET6, txt, a->bytes) != 1)
		return false;
	a->family = 6;
	return true;
}

bool text_ip(const char *s, size_t n, iks_addr *a)
{
	iks_addr v4;
	memset(a, 0, sizeof(*a));
	if (text_ipv4_prefix(s, n, &v4) == n && n > 0) {
		*a = v4;
		return true;
	}
	if (text_ipv6(s, n, a))
		return true;
	memset(a, 0, sizeof(*a));
	return false;
}
