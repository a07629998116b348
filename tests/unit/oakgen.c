/* oakgen.c - the Oakley.log generator (see oakgen.h). */
#include "oakgen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One generated line (without line end). */
typedef struct line {
	char *s;
} line;

typedef struct lines {
	line *v;
	size_t n, cap;
	bool oom;
} lines;

static void add(lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(lines *l, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		line *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->oom = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	char *s = strdup(buf);
	if (!s) {
		l->oom = true;
		return;
	}
	l->v[l->n++].s = s;
}

static bool addr_eq(const iks_addr *a, const iks_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

static const char *oakley_exchange(const iks_log_pkt *p)
{
	if (p->version != 1)
		return NULL;
	switch (p->exchange) {
	case 2: return "Oakley Main Mode";
	case 4: return "Oakley Aggressive Mode";
	case 5: return "ISAKMP Informational Exchange";
	case 32: return "Oakley Quick Mode";
	default: return NULL;
	}
}

static void hex_cookie(char *out, const uint8_t *c, bool rev)
{
	for (int i = 0; i < 8; i++)
		sprintf(out + 2 * i, "%02x", c[rev ? 7 - i : i]);
}

/* The header lines of one message, prefixed with `pfx`. */
static void message(lines *l, const char *pfx, const iks_log_pkt *p, bool sent, uint32_t sa,
		    const oakgen_opts *o)
{
	char peer[IKS_ADDRSTRLEN], ic[17], rc[17];
	iks_addr_format(sent ? &p->dst : &p->src, peer, sizeof(peer));
	if (sent)
		add(l, "%s Sending: SA = 0x%08X to %s:Type 2.%u", pfx, sa, peer, p->dport);
	else
		add(l, "%s Receive: (get) SA = 0x%08X from %s.%u", pfx, sa, peer, p->sport);
	add(l, "%s ISAKMP Header: (V%u.0), len = %u", pfx, p->version, p->length);
	hex_cookie(ic, p->ispi, o->reversed);
	hex_cookie(rc, p->rspi, o->reversed);
	add(l, "%s   I_COOKIE %s", pfx, ic);
	add(l, "%s   R_COOKIE %s", pfx, rc);
	const char *ex = oakley_exchange(p);
	if (ex)
		add(l, "%s   exchange: %s", pfx, ex);
	else
		add(l, "%s   exchange: %u", pfx, p->exchange);
	add(l, "%s   flags: %u", pfx, p->flags);
	add(l, "%s   next payload: %s", pfx, "SA");
	uint32_t id = p->msgid;
	if (o->reversed)
		id = id >> 24 | (id >> 8 & 0xff00) | (id << 8 & 0xff0000) | id << 24;
	add(l, "%s   message ID: %08x", pfx, id);
	add(l, "%s Ports S:%02x%02x D:%02x%02x", pfx, p->sport & 0xff, p->sport >> 8,
	    p->dport & 0xff, p->dport >> 8);
}

static void prefix(char *out, size_t len, const iks_log_pkt *p, int64_t offset_ms, unsigned tid)
{
	int64_t ms = p->ts_sec * 1000 + p->ts_nsec / 1000000 + offset_ms;
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, len, "%d-%d: %02d:%02d:%02d:%03d:%x", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000), tid);
}

/* Interleave the lines of b into a, one by one, from index `from`. */
static void interleave(lines *all, lines *b, size_t from)
{
	lines out = { 0 };
	size_t i = 0, k = 0, na = all->n - from;
	while (i < na || k < b->n) {
		if (i < na) {
			add(&out, "%s", all->v[from + i].s);
			i++;
		}
		if (k < b->n) {
			add(&out, "%s", b->v[k].s);
			k++;
		}
	}
	for (size_t x = from; x < all->n; x++)
		free(all->v[x].s);
	all->n = from;
	for (size_t x = 0; x < out.n; x++)
		add(all, "%s", out.v[x].s);
	for (size_t x = 0; x < out.n; x++)
		free(out.v[x].s);
	free(out.v);
	for (size_t x = 0; x < b->n; x++)
		free(b->v[x].s);
	b->n = 0;
	all->oom = all->oom || out.oom;
}

static void encode(oakgen_out *out, size_t f, const lines *l, size_t from, size_t to,
		   const oakgen_opts *o, bool cut)
{
	size_t len = 0;
	for (size_t i = from; i < to; i++)
		len += strlen(l->v[i].s) + 2;
	uint8_t *b = malloc(2 * len + 2), *p = b;
	if (!b)
		return;
	if (o->utf16) {
		*p++ = 0xff;
		*p++ = 0xfe;
	}
	for (size_t i = from; i < to; i++) {
		const char *s = l->v[i].s;
		size_t n = strlen(s);
		bool last = i + 1 == to;
		if (last && cut)
			n /= 2;
		for (size_t k = 0; k < n + 2; k++) {
			char c = k < n ? s[k] : (k == n ? '\r' : '\n');
			if (last && cut && k >= n)
				break;
			if (c == '\r' && o->lf_only)
				continue;
			*p++ = (uint8_t)c;
			if (o->utf16)
				*p++ = 0;
		}
	}
	out->data[f] = b;
	out->len[f] = (size_t)(p - b);
}

bool oakgen_write(const iks_log_pkt *pkts, size_t n, const oakgen_opts *o, oakgen_out *out)
{
	memset(out, 0, sizeof(*out));
	lines l = { 0 }, other = { 0 };
	char pfx[64];
	static const uint32_t statuses[] = { 13813, 13805, 13807, 13808, 13827, 13825 };
	uint8_t sa_cookie[64][8];
	size_t nsa = 0;
	for (size_t i = 0; i < n; i++) {
		const iks_log_pkt *p = &pkts[i];
		bool sent = addr_eq(&p->src, &o->local);
		if (!sent && !addr_eq(&p->dst, &o->local))
			continue;
		size_t sa = 0;
		while (sa < nsa && memcmp(sa_cookie[sa], p->ispi, 8) != 0)
			sa++;
		if (sa == nsa && nsa < 64)
			memcpy(sa_cookie[nsa++], p->ispi, 8);
		uint32_t handle = 0x000e3a10u + (uint32_t)sa * 0x40u;
		unsigned tid = o->interleave && out->messages % 2 ? 0x2b8 : 0x1a4;
		prefix(pfx, sizeof(pfx), p, o->offset_ms, tid);
		size_t from = l.n;
		if (o->interleave && out->messages % 2) {
			message(&other, pfx, p, sent, handle, o);
			interleave(&l, &other, from > 8 ? from - 8 : 0);
		} else {
			message(&l, pfx, p, sent, handle, o);
		}
		out->messages++;
		if (o->fail_every && out->messages % o->fail_every == 0) {
			uint32_t st = statuses[out->failures % 6];
			add(&l, "%s ProcessFailure: sa:%08X centry:00000000 status:%x", pfx, handle, st);
			add(&l, "%s isadb_set_status sa:%08X centry:00000000 status %x", pfx, handle, st);
			add(&l, "%s SA Dead. sa:%08X status:%x", pfx, handle, st);
			out->failures++;
		}
		if (o->unknown_every && out->messages % o->unknown_every == 0) {
			add(&l, "%s GetPolicyInfo thing %zu we never heard of", pfx, out->messages);
			add(&l, "no prefix at all: %zu", out->messages);
			out->unknown_lines += 2;
		}
	}
	if (l.oom || other.oom)
		goto fail;
	out->lines = l.n;
	size_t per = o->rotate_lines ? o->rotate_lines : (l.n ? l.n : 1);
	size_t nchunks = (l.n + per - 1) / per;
	if (nchunks == 0)
		nchunks = 1;
	size_t first = nchunks > OAKGEN_MAX_FILES ? nchunks - OAKGEN_MAX_FILES : 0;
	static const char *const names[4][4] = {
		{ "Oakley.log" },
		{ "Oakley.log.bak", "Oakley.log" },
		{ "Oakley.log.sav", "Oakley.log.bak", "Oakley.log" },
		{ "Oakley.log.bak.sav", "Oakley.log.sav", "Oakley.log.bak", "Oakley.log" },
	};
	out->nfiles = nchunks - first;
	for (size_t c = first; c < nchunks; c++) {
		size_t f = c - first, from = c * per, to = from + per < l.n ? from + per : l.n;
		out->name[f] = names[out->nfiles - 1][f];
		encode(out, f, &l, from, to, o, o->cut_last && c + 1 == nchunks);
		if (!out->data[f])
			goto fail;
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].s);
	free(l.v);
	free(other.v);
	return true;
fail:
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].s);
	free(l.v);
	free(other.v);
	oakgen_free(out);
	return false;
}

void oakgen_free(oakgen_out *out)
{
	for (size_t f = 0; f < OAKGEN_MAX_FILES; f++)
		free(out->data[f]);
	memset(out, 0, sizeof(*out));
}
