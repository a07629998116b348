/* html_esc.c - text into HTML and into JSON inside <script> (see html_esc.h). */
#include "correlate/html_esc.h"
#include "common/jsonw.h"

#include <stdint.h>

void html_text(FILE *out, const char *s)
{
	if (!s)
		return;
	const char *p = s;
	while (*p) {
		uint32_t cp;
		int n = utf8_seq(p, &cp);
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

static void put_file(void *out, const char *p, size_t n)
{
	fwrite(p, 1, n, out);
}

void js_str(FILE *out, const char *s)
{
	if (!s)
		fputs("null", out);
	else
		json_escape(put_file, out, s, JSON_ESC_SCRIPT);
}
