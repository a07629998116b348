/* jsonw.c - growable text buffer and JSON writer. */
#include "jsonw.h"

#include <stdarg.h>
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

static bool sb_reserve(strbuf *b, size_t more)
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

void sb_putc(strbuf *b, char c)
{
	if (!sb_reserve(b, 1))
		return;
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

void sb_puts(strbuf *b, const char *s)
{
	size_t n = strlen(s);
	if (!sb_reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void sb_printf(strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sb_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *sb_steal(strbuf *b)
{
	char *s = b->s;
	if (!s)
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

/* Before every value: a comma when it is not the first element of its
 * array (a value right after a key needs none). */
static void before_value(jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		sb_putc(w->b, ',');
	w->need_comma[w->depth] = true;
}

static void put_escaped(strbuf *b, const char *s);

void jw_key(jsonw *w, const char *key)
{
	if (w->need_comma[w->depth])
		sb_putc(w->b, ',');
	w->need_comma[w->depth] = true;
	put_escaped(w->b, key);
	sb_putc(w->b, ':');
	w->after_key = true;
}

static void open_(jsonw *w, char c)
{
	before_value(w);
	sb_putc(w->b, c);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_(jsonw *w, char c)
{
	sb_putc(w->b, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj_begin(jsonw *w) { open_(w, '{'); }
void jw_obj_end(jsonw *w) { close_(w, '}'); }
void jw_arr_begin(jsonw *w) { open_(w, '['); }
void jw_arr_end(jsonw *w) { close_(w, ']'); }

static void put_escaped(strbuf *b, const char *s)
{
	sb_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sb_puts(b, "\\\""); break;
		case '\\': sb_puts(b, "\\\\"); break;
		case '\n': sb_puts(b, "\\n"); break;
		case '\r': sb_puts(b, "\\r"); break;
		case '\t': sb_puts(b, "\\t"); break;
		default:
			if (*p < 0x20)
				sb_printf(b, "\\u%04x", *p);
			else
				sb_putc(b, (char)*p);
		}
	}
	sb_putc(b, '"');
}

void jw_str(jsonw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	before_value(w);
	put_escaped(w->b, s);
}

static void scalar(jsonw *w, const char *text)
{
	before_value(w);
	sb_puts(w->b, text);
}

void jw_uint(jsonw *w, uint64_t v)
{
	char t[32];
	snprintf(t, sizeof(t), "%llu", (unsigned long long)v);
	scalar(w, t);
}

void jw_int(jsonw *w, int64_t v)
{
	char t[32];
	snprintf(t, sizeof(t), "%lld", (long long)v);
	scalar(w, t);
}

void jw_bool(jsonw *w, bool v) { scalar(w, v ? "true" : "false"); }
void jw_null(jsonw *w) { scalar(w, "null"); }
void jw_raw(jsonw *w, const char *text) { scalar(w, text); }

void jw_hex(jsonw *w, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	before_value(w);
	sb_putc(w->b, '"');
	for (size_t i = 0; i < n; i++) {
		sb_putc(w->b, digits[p[i] >> 4]);
		sb_putc(w->b, digits[p[i] & 15]);
	}
	sb_putc(w->b, '"');
}
