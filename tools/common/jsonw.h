/*
 * jsonw.h - a growable text buffer and a small JSON writer on top of it.
 * Keys and values are appended in order; commas are placed automatically.
 */
#ifndef IKSTOOL_JSONW_H
#define IKSTOOL_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ikescope/packet.h>

typedef struct strbuf {
	char *s;
	size_t len, cap;
	bool oom;        /* an allocation failed; the text is incomplete */
} strbuf;

/* The text is b->s[0..len), not NUL-terminated as it grows (appends write
 * only their own bytes): read it as a C string through sb_cstr. There is
 * always room for the NUL (cap > len once s is allocated). */
void sb_init(strbuf *b);
void sb_free(strbuf *b);
void sb_reset(strbuf *b);
/* Room for `more` bytes and a NUL; false (and oom set) when it cannot grow. */
bool sb_reserve(strbuf *b, size_t more);
/* The text as a C string (NUL put after it); "" before anything was written. */
const char *sb_cstr(strbuf *b);

static inline void sb_putc(strbuf *b, char c)
{
	if (b->cap - b->len <= 1 && !sb_reserve(b, 1))
		return;
	b->s[b->len++] = c;
}

static inline void sb_putn(strbuf *b, const char *s, size_t n)
{
	if (b->cap - b->len <= n && !sb_reserve(b, n))
		return;
	__builtin_memcpy(b->s + b->len, s, n);
	b->len += n;
}

void sb_puts(strbuf *b, const char *s);
/* A string literal, its length known at compile time. */
#define sb_putl(b, lit) sb_putn((b), "" lit "", sizeof(lit) - 1)
void sb_putu(strbuf *b, uint64_t v); /* decimal */
void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the text out (caller frees); the buffer is left empty. */
char *sb_steal(strbuf *b);

#define JW_MAX_DEPTH 16

typedef struct jsonw {
	strbuf *b;
	int depth;
	bool after_key;
	bool need_comma[JW_MAX_DEPTH];
} jsonw;

void jw_init(jsonw *w, strbuf *b);

/* The writer's hot path (every key and most values of an ikedump line)
 * is inline, so that a key's length is a constant at each call. */

/* Before every value: a comma when it is not the first element of its
 * array (a value right after a key needs none). */
static inline __attribute__((always_inline)) void jw_before_value(jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		sb_putc(w->b, ',');
	w->need_comma[w->depth] = true;
}

static inline void jw_open(jsonw *w, char c)
{
	jw_before_value(w);
	sb_putc(w->b, c);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static inline void jw_close(jsonw *w, char c)
{
	sb_putc(w->b, c);
	if (w->depth > 0)
		w->depth--;
}

static inline void jw_obj_begin(jsonw *w) { jw_open(w, '{'); } /* value position: { */
static inline void jw_obj_end(jsonw *w) { jw_close(w, '}'); }
static inline void jw_arr_begin(jsonw *w) { jw_open(w, '['); }
static inline void jw_arr_end(jsonw *w) { jw_close(w, ']'); }

/* A key, then exactly one value. jw_key takes a string literal (its length
 * from sizeof); jw_keyn any key of n bytes. Keys are the program's own
 * identifiers: nothing is escaped. */
static inline __attribute__((always_inline)) void jw_keyn(jsonw *w, const char *key, size_t n)
{
	/* ,"key": in one append */
	strbuf *b = w->b;
	if (b->cap - b->len <= n + 4 && !sb_reserve(b, n + 4))
		return;
	char *p = b->s + b->len;
	if (w->need_comma[w->depth])
		*p++ = ',';
	w->need_comma[w->depth] = true;
	*p++ = '"';
	__builtin_memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	b->len = (size_t)(p - b->s);
	w->after_key = true;
}
#define jw_key(w, lit) jw_keyn((w), "" lit "", sizeof(lit) - 1)
void jw_keys(jsonw *w, const char *key); /* a key not known at compile time */
void jw_str(jsonw *w, const char *s);   /* escaped string (NULL writes null) */

static inline void jw_uint(jsonw *w, uint64_t v)
{
	jw_before_value(w);
	if (v < 10)
		sb_putc(w->b, (char)('0' + v));
	else
		sb_putu(w->b, v);
}
void jw_int(jsonw *w, int64_t v);
static inline void jw_bool(jsonw *w, bool v)
{
	jw_before_value(w);
	if (v)
		sb_putl(w->b, "true");
	else
		sb_putl(w->b, "false");
}
void jw_null(jsonw *w);
void jw_raw(jsonw *w, const char *text); /* a pre-formatted value */
void jw_hex(jsonw *w, const uint8_t *p, size_t n); /* lowercase hex string */
void jw_time(jsonw *w, double t);       /* epoch seconds, 6 decimals; null when t <= 0 */
void jw_fixed(jsonw *w, double v, int digits); /* a number with that many decimals; null when
						   not finite (NAN: not known) */
void jw_addr(jsonw *w, const iks_addr *a); /* an address as text */
/* A string of n bytes the program built that needs no escaping (hex,
 * digits, addresses: printable ASCII without " or \), written as it is. */
void jw_plain(jsonw *w, const char *s, size_t n);

/* The one JSON string escaper of the tools (jw_str, and the HTML report's
 * data through html_esc.c). Writes s, a NUL-terminated string, as a JSON
 * string literal ("...") through put(ctx, bytes, count). Valid UTF-8 is
 * kept; each byte that does not start a valid sequence (bad lead byte,
 * short or overlong sequence, surrogate, above U+10FFFF) becomes \ufffd,
 * so the output is valid JSON whatever s holds. " and \ are escaped, \n
 * \r \t are written so, other controls as \u00XX. With JSON_ESC_SCRIPT
 * the literal is also safe inside an HTML <script> element: < > & U+2028
 * U+2029 and every control are \u escapes. */
#define JSON_ESC_SCRIPT 1u
typedef void json_put(void *ctx, const char *p, size_t n);
void json_escape(json_put *put, void *ctx, const char *s, unsigned flags);

/* Length (1-4) of the valid UTF-8 sequence at s, with its code point in
 * *cp, or 0 when s does not start one (see json_escape). Stops at a NUL. */
int utf8_seq(const char *s, uint32_t *cp);

#endif
