/*
 * audit.c - exported Windows IPsec audit events (541, 542, 543, 547).
 *
 * Two export shapes are read (docs/audit-events.md):
 *  - text: blocks that start with "Event[N]:" (wevtutil qe /f:text) or
 *    "Event Type:" (Event Viewer), header lines "Name: value", then
 *    "Description:" and the description lines;
 *  - CSV: a header row naming the columns (or the old Event Viewer order
 *    Date,Time,Source,Type,Category,Event,User,Computer,Description when
 *    there is none), RFC 4180 quoting with line breaks inside quotes.
 * The description is read by field name (lib/audit_fields.c): section
 * headings "Mode:", "Filter:", ... and fields "Source IP Address 192.0.2.1"
 * or "InboundSpi 1027546883 (0x3d3f2e03)". Anything else is kept as an
 * unknown field.
 */
#include "config.h"
#include "core/civil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ikescope/audit.h>
#include <ikescope/log.h>

#include "audit/audit_internal.h"
#include "core/reader.h"
#include "core/text.h"

typedef struct ev_build {
	iks_audit_event ev;
	iks_audit_field *fields;
	uint32_t nfields, cap;
	int section;              /* audit_section_id of the description */
	const char *section_name;
	bool in_desc;
	const char *date, *time, *datetime;
} ev_build;

struct iks_audit {
	iks_audit_limits lim;
	iks_audit_event *events;
	size_t nevents, cap;
	char **texts;             /* every string handed out, freed at the end */
	size_t ntexts, cap_texts;
	uint64_t text_bytes;
	iks_audit_stats st;
	ev_build cur;
	bool have_cur;
};

bool audit_have_event(const iks_audit *a) { return a->have_cur; }
bool audit_in_description(const iks_audit *a) { return a->have_cur && a->cur.in_desc; }
void audit_set_description(iks_audit *a) { a->cur.in_desc = true; }
void audit_count_line(iks_audit *a) { a->st.lines++; }
void audit_set_format(iks_audit *a, int format) { if (!a->st.format) a->st.format = format; }
uint32_t audit_line_max(const iks_audit *a) { return a->lim.line_max; }

size_t iks_audit_nevents(const iks_audit *a)
{
	return a ? a->nevents : 0;
}

const iks_audit_event *iks_audit_event_at(const iks_audit *a, size_t i)
{
	return a && i < a->nevents ? &a->events[i] : NULL;
}

void iks_audit_get_stats(const iks_audit *a, iks_audit_stats *st)
{
	if (a && st)
		*st = a->st;
}

iks_audit *iks_audit_new(const iks_audit_limits *lim)
{
	iks_audit *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	if (lim)
		a->lim = *lim;
	if (!a->lim.events_max)
		a->lim.events_max = 100000;
	if (!a->lim.fields_max)
		a->lim.fields_max = 64;
	if (!a->lim.text_max)
		a->lim.text_max = 64u << 20;
	if (!a->lim.line_max)
		a->lim.line_max = 4096;
	return a;
}

void iks_audit_free(iks_audit *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->ntexts; i++)
		free(a->texts[i]);
	free(a->texts);
	for (size_t i = 0; i < a->nevents; i++)
		free((void *)a->events[i].fields);
	free(a->cur.fields);
	free(a->events);
	free(a);
}

static void hit_limit(iks_audit *a, const char *which)
{
	a->st.dropped++;
	if (!a->st.limit)
		a->st.limit = which;
}

/* Keep a copy of n bytes of s; NULL when out of memory or over text_max. */
static const char *keep(iks_audit *a, const char *s, size_t n)
{
	if (a->text_bytes + n + 1 > a->lim.text_max) {
		hit_limit(a, "text_max");
		return NULL;
	}
	if (a->ntexts == a->cap_texts) {
		size_t nc = a->cap_texts ? a->cap_texts * 2 : 256;
		char **nt = realloc(a->texts, nc * sizeof(*nt));
		if (!nt)
			return NULL;
		a->texts = nt;
		a->cap_texts = nc;
	}
	char *c = malloc(n + 1);
	if (!c)
		return NULL;
	memcpy(c, s, n);
	c[n] = '\0';
	a->texts[a->ntexts++] = c;
	a->text_bytes += n + 1;
	return c;
}

/* ------------------------------------------------------------ values */

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static size_t trimmed_len(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

/* Length of `name` when s starts with it (case-insensitive) followed by
 * the end, a colon or a blank; 0 otherwise. */
static size_t label_len(const char *s, const char *name)
{
	size_t n = strlen(name);
	if (strncasecmp(s, name, n) != 0)
		return 0;
	char c = s[n];
	return (c == '\0' || c == ':' || c == ' ' || c == '\t') ? n : 0;
}

/* The longest table entry s starts with. */
static const audit_name *match_name(const audit_name *tab, size_t n, const char *s, size_t *len)
{
	const audit_name *best = NULL;
	size_t bl = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = label_len(s, tab[i].name);
		if (l > bl) {
			bl = l;
			best = &tab[i];
		}
	}
	*len = bl;
	return best;
}

static bool parse_u32(const char *s, uint32_t *v)
{
	s = skip_blank(s);
	char *end;
	int base = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10;
	if (!(s[0] >= '0' && s[0] <= '9'))
		return false;
	unsigned long long x = strtoull(s, &end, base);
	if (end == s || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* "1027546883 (0x3d3f2e03)", "0x3d3f2e03" or "1027546883"; both numbers
 * must agree when both are written. */
static bool parse_spi(const char *s, uint32_t *v)
{
	if (!parse_u32(s, v))
		return false;
	const char *p = strchr(s, '(');
	uint32_t h;
	if (p && parse_u32(p + 1, &h) && h != *v)
		return false;
	return true;
}

/* The first blank-separated word of s, when it is an IPv4 or IPv6 address
 * (what follows it is not looked at). */
static bool parse_addr(const char *s, iks_addr *out)
{
	s = skip_blank(s);
	return text_ip(s, strcspn(s, " \t"), out);
}

/* "13:05:14", "13:05:14.123", "1:05:14 PM": ms of the day and resolution. */
static bool parse_tod(const char *s, int64_t *ms, uint32_t *res)
{
	unsigned h, m, sec, frac = 0;
	int n = 0;
	s = skip_blank(s);
	if (sscanf(s, "%2u:%2u:%2u%n", &h, &m, &sec, &n) != 3)
		return false;
	s += n;
	*res = 1000;
	if (*s == '.' || *s == ',') {
		unsigned digits = 0, v = 0;
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (digits < 3)
				v = v * 10 + (unsigned)(*s - '0');
		for (unsigned d = digits; d < 3; d++)
			v *= 10;
		frac = v;
		*res = 1;
	}
	s = skip_blank(s);
	if (strncasecmp(s, "PM", 2) == 0 && h < 12)
		h += 12;
	else if (strncasecmp(s, "AM", 2) == 0 && h == 12)
		h = 0;
	if (h > 23 || m > 59 || sec > 60)
		return false;
	*ms = ((int64_t)h * 3600 + m * 60 + sec) * 1000 + frac;
	return true;
}

/* "2026-11-22[T ]13:05:14.123[Z]" or "11/22/2026[ 1:05:14 PM]"; the date
 * part alone gives midnight. */
static bool parse_datetime(const char *s, int64_t *ns, uint32_t *res, bool *has_tod)
{
	unsigned y, mo, d;
	int n = 0;
	s = skip_blank(s);
	if (sscanf(s, "%4u-%2u-%2u%n", &y, &mo, &d, &n) == 3 && n == 10) {
		s += n;
		if (*s == 'T')
			s++;
	} else if (sscanf(s, "%2u/%2u/%4u%n", &mo, &d, &y, &n) == 3) {
		s += n;
	} else {
		return false;
	}
	/* epoch nanoseconds in an int64_t cover 1677-09-21 to 2262-04-11 */
	if (y < 1678 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return false;
	int64_t ms = 0;
	*res = 1000;
	*has_tod = parse_tod(s, &ms, res);
	*ns = (civil_days(y, mo, d) * 86400000 + ms) * 1000000;
	return true;
}

uint32_t iks_audit_reason_code(const char *text)
{
	if (!text)
		return 0;
	text = skip_blank(text);
	size_t n = trimmed_len(text, strlen(text));
	if (n && text[n - 1] == '.')
		n--;
	uint32_t code;
	if (parse_u32(text, &code) && code >= 13800 && code < 14000 && iks_ike_error_name(code))
		return code;
	for (uint32_t c = 13800; c < 14000; c++) {
		const char *t = iks_ike_error_text(c);
		if (!t)
			continue;
		size_t tl = strlen(t);
		if (tl && t[tl - 1] == '.')
			tl--;
		if (tl == n && strncasecmp(t, text, n) == 0)
			return c; /* the first code with this text (some texts are shared) */
	}
	return 0;
}

/* ------------------------------------------------------------ events */

void audit_add_field(iks_audit *a, const char *section, const char *name, size_t nlen,
		      const char *value, size_t vlen, bool known)
{
	ev_build *b = &a->cur;
	if (b->nfields >= a->lim.fields_max) {
		hit_limit(a, "fields_max");
		return;
	}
	if (b->nfields == b->cap) {
		uint32_t nc = b->cap ? b->cap * 2 : 16;
		if (nc > a->lim.fields_max)
			nc = a->lim.fields_max;
		iks_audit_field *nf = realloc(b->fields, nc * sizeof(*nf));
		if (!nf)
			return;
		b->fields = nf;
		b->cap = nc;
	}
	const char *n = keep(a, name, nlen);
	const char *v = keep(a, value, trimmed_len(value, vlen));
	if (!n || !v)
		return;
	iks_audit_field *f = &b->fields[b->nfields++];
	f->section = section ? section : "";
	f->name = n;
	f->value = v;
	f->known = known;
	if (!known)
		a->st.unknown_fields++;
}

/* Turn the fields into the typed members. */
void audit_finish(iks_audit *a)
{
	if (!a->have_cur)
		return;
	ev_build *b = &a->cur;
	iks_audit_event *e = &b->ev;
	a->have_cur = false;
	a->st.events++;
	const char *esp = NULL, *ah = NULL, *hmac = NULL;
	bool have_in = false, have_out = false;
	for (uint32_t i = 0; i < b->nfields; i++) {
		const iks_audit_field *f = &b->fields[i];
		size_t hl = 0, dl = 0;
		bool ok = true;
		const audit_name *h = f->section[0] ? NULL
				      : match_name(audit_header_names, audit_header_count, f->name, &hl);
		const audit_name *d = match_name(audit_field_names, audit_field_count, f->name, &dl);
		int id = (h && hl >= dl) ? h->id : d ? d->id : AF_NONE;
		uint32_t u;
		switch (id) {
		case AF_EVENT_ID: ok = parse_u32(f->value, &e->id); break;
		case AF_DATE: b->date = f->value; break;
		case AF_TIME: b->time = f->value; break;
		case AF_DATETIME: b->datetime = f->value; break;
		case AF_COMPUTER: e->computer = f->value; break;
		case AF_SRC: ok = parse_addr(f->value, &e->filter_src); e->has_filter |= ok; break;
		case AF_DST: ok = parse_addr(f->value, &e->filter_dst); e->has_filter |= ok; break;
		case AF_PROTO: if ((ok = parse_u32(f->value, &u) && u < 256)) e->protocol = (uint8_t)u; break;
		case AF_SPORT: if ((ok = parse_u32(f->value, &u) && u < 65536)) e->sport = (uint16_t)u; break;
		case AF_DPORT: if ((ok = parse_u32(f->value, &u) && u < 65536)) e->dport = (uint16_t)u; break;
		case AF_IKE_LOCAL: ok = parse_addr(f->value, &e->local); break;
		case AF_IKE_PEER: ok = parse_addr(f->value, &e->peer); break;
		case AF_PEER_IP: if (!e->peer.family) ok = parse_addr(f->value, &e->peer); break;
		case AF_ESP_ALG: esp = f->value; break;
		case AF_AH_ALG: ah = f->value; break;
		case AF_HMAC_ALG: hmac = f->value; break;
		case AF_SPI_IN: ok = have_in = parse_spi(f->value, &e->spi_in); break;
		case AF_SPI_OUT: ok = have_out = parse_spi(f->value, &e->spi_out); break;
		default: break;
		}
		if (!ok)
			a->st.bad_values++;
		if (!strcmp(f->section, "Mode") && !e->mode)
			e->mode = f->value;
		else if (!strcmp(f->section, "Peer Identity") && !e->peer_identity)
			e->peer_identity = f->value;
		else if (!strcmp(f->section, "Failure Point") && !e->failure_point)
			e->failure_point = f->value;
		else if (!strcmp(f->section, "Failure Reason") && !e->failure_reason)
			e->failure_reason = f->value;
		else if (!strcmp(f->section, "Description") && !e->summary)
			e->summary = f->value;
	}
	e->has_spi = have_in && have_out;
	e->esp_alg = esp;
	e->auth_alg = hmac ? hmac : ah;
	bool esp_none = !esp || strcasecmp(esp, "None") == 0;
	bool auth_none = (!hmac || strcasecmp(hmac, "None") == 0) && (!ah || strcasecmp(ah, "None") == 0);
	e->soft_sa = e->has_spi && e->spi_out == 0 && esp_none && auth_none;
	if (e->mode) {
		if (strstr(e->mode, "Main Mode") || strstr(e->mode, "Key Exchange"))
			e->mode_kind = IKS_AUDIT_MAIN_MODE;
		else if (strstr(e->mode, "Quick Mode") || strstr(e->mode, "Data Protection"))
			e->mode_kind = IKS_AUDIT_QUICK_MODE;
	}
	e->failure_code = iks_audit_reason_code(e->failure_reason);
	bool tod = false;
	int64_t ms;
	uint32_t res;
	if (b->datetime && parse_datetime(b->datetime, &e->time_ns, &e->resolution_ms, &tod))
		e->has_time = tod;
	else if (b->date && parse_datetime(b->date, &e->time_ns, &e->resolution_ms, &tod)) {
		e->has_time = tod;
		if (!tod && b->time && parse_tod(b->time, &ms, &res)) {
			e->time_ns += ms * 1000000;
			e->resolution_ms = res;
			e->has_time = true;
		}
	}
	if ((b->date || b->datetime) && !e->has_time)
		a->st.bad_values++;
	if (e->id == 541 || e->id == 542 || e->id == 543 || e->id == 547)
		a->st.ipsec_events++;
	if (a->nevents >= a->lim.events_max) {
		hit_limit(a, "events_max");
		free(b->fields);
		memset(b, 0, sizeof(*b));
		return;
	}
	if (a->nevents == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 64;
		iks_audit_event *ne = realloc(a->events, nc * sizeof(*ne));
		if (!ne) {
			free(b->fields);
			memset(b, 0, sizeof(*b));
			return;
		}
		a->events = ne;
		a->cap = nc;
	}
	e->fields = b->fields;
	e->nfields = b->nfields;
	a->events[a->nevents++] = *e;
	memset(b, 0, sizeof(*b));
}

void audit_begin(iks_audit *a, uint32_t line)
{
	audit_finish(a);
	memset(&a->cur, 0, sizeof(a->cur));
	a->cur.ev.line = line;
	a->have_cur = true;
}

/* One line of a description (trimmed of leading blanks). */
void audit_desc_line(iks_audit *a, const char *s)
{
	ev_build *b = &a->cur;
	size_t n = trimmed_len(s, strlen(s));
	if (n == 0)
		return;
	size_t l;
	const audit_name *sec = match_name(audit_section_names, audit_section_count, s, &l);
	if (sec && (s[l] == ':' || s[l] == '\0') && !match_name(audit_field_names, audit_field_count, s, &l)) {
		sec = match_name(audit_section_names, audit_section_count, s, &l);
		b->section = sec->id;
		b->section_name = sec->name;
		const char *v = skip_blank(s + l + (s[l] == ':'));
		if (*v)
			audit_add_field(a, b->section_name, "", 0, v, strlen(v), true);
		return;
	}
	const audit_name *f = match_name(audit_field_names, audit_field_count, s, &l);
	if (f) {
		const char *v = skip_blank(s + l);
		if (*v == ':')
			v = skip_blank(v + 1);
		audit_add_field(a, b->section_name, s, l, v, strlen(v), true);
		return;
	}
	if (b->section == AS_NONE) {
		audit_add_field(a, "Description", "", 0, s, n, true); /* the summary line */
		return;
	}
	if (!audit_section_has_fields(b->section)) {
		/* the value of a one-value section, possibly over several lines */
		iks_audit_field *last = b->nfields ? &b->fields[b->nfields - 1] : NULL;
		if (last && last->section == b->section_name && !last->name[0]) {
			char joined[1024];
			snprintf(joined, sizeof(joined), "%s %.*s", last->value, (int)n, s);
			const char *v = keep(a, joined, strlen(joined));
			if (v)
				last->value = v;
		} else {
			audit_add_field(a, b->section_name, "", 0, s, n, true);
		}
		return;
	}
	const char *colon = strchr(s, ':');
	if (colon)
		audit_add_field(a, b->section_name, s, (size_t)(colon - s), skip_blank(colon + 1),
			  strlen(skip_blank(colon + 1)), false);
	else
		audit_add_field(a, b->section_name, "", 0, s, n, false);
}

/* A description held in one line (flattened by an export): break it before
 * each section heading and field name, then read the pieces as lines. */
void audit_desc_text(iks_audit *a, const char *s)
{
	char piece[1024];
	size_t pn = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '\n') {
			piece[pn] = '\0';
			audit_desc_line(a, skip_blank(piece));
			pn = 0;
			continue;
		}
		size_t l;
		if ((i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t') && pn > 0 &&
		    (match_name(audit_section_names, audit_section_count, s + i, &l) ||
		     match_name(audit_field_names, audit_field_count, s + i, &l))) {
			bool section = match_name(audit_section_names, audit_section_count, s + i, &l) &&
				       s[i + l] == ':';
			if (section || match_name(audit_field_names, audit_field_count, s + i, &l)) {
				piece[pn] = '\0';
				audit_desc_line(a, skip_blank(piece));
				pn = 0;
				if (section) {
					/* the heading alone, its value as the next piece */
					char head[64];
					snprintf(head, sizeof(head), "%.*s:", (int)l, s + i);
					audit_desc_line(a, head);
					i += l;
					continue;
				}
			}
		}
		if (pn < sizeof(piece) - 1)
			piece[pn++] = s[i];
	}
	piece[pn] = '\0';
	audit_desc_line(a, skip_blank(piece));
}
