/* addr.c - address formatting (no libc resolver state involved). */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <ikescope/packet.h>

/* RFC 5952 section 4: lowercase hex, leading zeros dropped, the longest
 * run (first if tied) of two or more zero groups shortened to "::". */
static void format_v6(const uint8_t *b, char *out, size_t len)
{
	uint16_t g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
	int best = -1, bestlen = 0;
	for (int i = 0; i < 8;) {
		if (g[i] != 0) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	/* at most 39 characters: written to t, then copied (cut to len) */
	static const char hexd[] = "0123456789abcdef";
	char t[48];
	size_t n = 0;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			t[n++] = ':';
			t[n++] = ':';
			i += bestlen - 1;
			continue;
		}
		if (n > 0 && t[n - 1] != ':')
			t[n++] = ':';
		unsigned v = g[i];
		bool lead = true;
		for (int sh = 12; sh >= 0; sh -= 4) {
			unsigned d = (v >> sh) & 15u;
			if (lead && d == 0 && sh > 0)
				continue;
			lead = false;
			t[n++] = hexd[d];
		}
	}
	if (n >= len)
		n = len - 1;
	memcpy(out, t, n);
	out[n] = '\0';
}

char *iks_addr_format(const iks_addr *a, char *buf, size_t len)
{
	if (!buf || len == 0)
		return buf;
	if (!a || (a->family != 4 && a->family != 6)) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (a->family == 4) {
		/* the hot path of every text and JSON line: no printf */
		char t[16], *p = t;
		for (int i = 0; i < 4; i++) {
			unsigned v = a->bytes[i];
			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = i < 3 ? '.' : '\0';
		}
		size_t n = (size_t)(p - t);
		if (n > len)
			n = len;
		memcpy(buf, t, n);
		buf[n - 1] = '\0';
	} else {
		format_v6(a->bytes, buf, len);
	}
	return buf;
}
