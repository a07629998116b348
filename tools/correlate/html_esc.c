/* html_esc.c - text into HTML and into JSON inside <script> (see html_esc.h). */
#include "correlate/html_esc.h"

#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one
 * (bad lead byte, short or overlong sequence, surrogate, above U+10FFFF). */
static int utf8_len(const unsigned char *s, uint32_t *cp)
{
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

void html_text(FILE *out, const char *s)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		int n = utf8_len(p, &cp);
		if (n == 0 || (cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7f) {
			fputs("\xef\xbf\xbd", out);
			p += n ? n : 1;
			continue;
		}
		switch (cp) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fwrite(p, 1, (size_t)n, out); break;
		}
		p += n;
	}
}

void js_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', out);
	while (*p) {
		uint32_t cp;
		int n = utf8_len(p, &cp);
		if (n == 0) {
			fputs("\\ufffd", out);
			p++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			fprintf(out, "\\%c", (int)cp);
		else if (cp < 0x20 || cp == '<' || cp == '>' || cp == '&' || cp == 0x2028 || cp == 0x2029)
			fprintf(out, "\\u%04x", (unsigned)cp);
		else
			fwrite(p, 1, (size_t)n, out);
		p += n;
	}
	fputc('"', out);
}
