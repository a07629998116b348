/*
 * audit_read.c - the two export shapes of audit events: text blocks and
 * CSV rows (see lib/audit.c for what is read from each event). The input
 * is first made plain text: UTF-16LE (with a BOM) narrowed, CR dropped,
 * other control bytes and non-ASCII characters replaced by '?'.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ikescope/audit.h>

#include "audit/audit_internal.h"
#include "core/reader.h"

/* Plain text of the input, NUL-terminated, in a new buffer. */
static char *normalise(const uint8_t *data, size_t len)
{
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	iks_reader r = rd_init(data, len, 0);
	size_t n = 0;
	bool utf16 = len >= 2 && data[0] == 0xff && data[1] == 0xfe;
	if (utf16)
		(void)rd_skip(&r, 2);
	else if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf)
		(void)rd_skip(&r, 3);
	for (;;) {
		uint32_t c;
		if (utf16) {
			uint16_t u;
			if (!rd_le16(&r, &u))
				break;
			c = u;
		} else {
			uint8_t b;
			if (!rd_u8(&r, &b))
				break;
			if (b >= 0x80) {
				/* one '?' per UTF-8 sequence: skip its continuation bytes */
				uint8_t nb;
				while (rd_peek_u8(&r, 0, &nb) && (nb & 0xc0) == 0x80)
					(void)rd_skip(&r, 1);
			}
			c = b;
		}
		if (c == '\r')
			continue;
		if (c != '\n' && c != '\t' && (c < 0x20 || c >= 0x7f))
			c = '?';
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

/* "Name: value" with a known header name: the value, else NULL. */
static const char *header_value(const char *s, size_t *nlen)
{
	for (size_t i = 0; i < audit_header_count; i++) {
		size_t l = strlen(audit_header_names[i].name);
		if (strncasecmp(s, audit_header_names[i].name, l) == 0 && s[l] == ':') {
			*nlen = l;
			const char *v = s + l + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			return v;
		}
	}
	return NULL;
}

static void read_text(iks_audit *a, char *text)
{
	uint32_t lineno = 0;
	char *save = text;
	uint32_t max = audit_line_max(a);
	while (save) {
		char *line = save;
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		audit_count_line(a);
		if (strlen(line) > max)
			line[max] = '\0';
		const char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		size_t nlen;
		const char *v;
		if (strncmp(s, "Event[", 6) == 0 || strncasecmp(s, "Event Type:", 11) == 0) {
			audit_begin(a, lineno);
			if (s[5] == '[')
				continue;
		}
		if (!audit_in_description(a) && (v = header_value(s, &nlen)) != NULL) {
			if (!audit_have_event(a))
				audit_begin(a, lineno);
			if (strncasecmp(s, "Description", nlen) == 0 || strncasecmp(s, "Message", nlen) == 0) {
				audit_set_description(a);
				if (*v)
					audit_desc_line(a, v);
			} else {
				audit_add_field(a, "", s, nlen, v, strlen(v), true);
			}
			continue;
		}
		if (audit_in_description(a))
			audit_desc_line(a, s);
		else if (*s && audit_have_event(a)) {
			const char *colon = strchr(s, ':');
			if (colon)
				audit_add_field(a, "", s, (size_t)(colon - s), colon + 1, strlen(colon + 1), false);
		}
	}
	audit_finish(a);
}

/* One CSV record starting at *p: cells into cells[] (pointers into the
 * text, unquoted in place); returns the count, advances *p and *line. */
static size_t csv_record(char **p, char **cells, size_t max, uint32_t *line)
{
	char *s = *p, *w;
	size_t n = 0;
	for (;;) {
		char *cell = s;
		w = s;
		if (*s == '"') {
			s++;
			for (;;) {
				if (*s == '\0')
					break;
				if (*s == '"') {
					if (s[1] == '"') {
						*w++ = '"';
						s += 2;
						continue;
					}
					s++;
					break;
				}
				if (*s == '\n')
					(*line)++;
				*w++ = *s++;
			}
			/* anything up to the separator belongs to the cell too */
			while (*s && *s != ',' && *s != '\n')
				*w++ = *s++;
		} else {
			while (*s && *s != ',' && *s != '\n')
				*w++ = *s++;
		}
		char sep = *s;
		*w = '\0';
		if (n < max)
			cells[n++] = cell;
		if (sep == ',') {
			s++;
			continue;
		}
		if (sep == '\n') {
			(*line)++;
			s++;
		}
		break;
	}
	*p = s;
	return n;
}

#define CSV_COLUMNS 32

static void read_csv(iks_audit *a, char *text)
{
	/* the old Event Viewer export has no header row: its fixed order */
	static const char *const old_order[] = { "Date", "Time", "Source", "Type", "Category",
						 "Event", "User", "Computer", "Description" };
	const char *names[CSV_COLUMNS];
	char *cells[CSV_COLUMNS];
	size_t ncol = 0;
	uint32_t line = 1;
	char *p = text;
	bool first = true;
	while (*p) {
		uint32_t at = line;
		size_t n = csv_record(&p, cells, CSV_COLUMNS, &line);
		audit_count_line(a);
		if (n == 1 && cells[0][0] == '\0')
			continue;
		if (first) {
			first = false;
			bool header = false;
			for (size_t i = 0; i < n; i++)
				if (!strcasecmp(cells[i], "Event ID") || !strcasecmp(cells[i], "Description"))
					header = true;
			if (header) {
				for (size_t i = 0; i < n; i++)
					names[i] = cells[i];
				ncol = n;
				continue;
			}
			for (size_t i = 0; i < 9; i++)
				names[i] = old_order[i];
			ncol = 9;
		}
		audit_begin(a, at);
		for (size_t i = 0; i < n; i++) {
			const char *name = i < ncol ? names[i] : "";
			bool desc = !strcasecmp(name, "Description") || !strcasecmp(name, "Message") ||
				    (i + 1 == n && i >= ncol);
			if (desc) {
				audit_set_description(a);
				audit_desc_text(a, cells[i]);
			} else {
				audit_add_field(a, "", name, strlen(name), cells[i], strlen(cells[i]), true);
			}
		}
		audit_finish(a);
	}
}

iks_status iks_audit_parse_buffer(iks_audit *a, const uint8_t *data, size_t len)
{
	if (!a || (!data && len))
		return IKS_E_INVALID;
	char *text = normalise(data ? data : (const uint8_t *)"", len);
	if (!text)
		return IKS_E_NOMEM;
	/* the shape from the first non-blank line */
	const char *s = text;
	while (*s == '\n' || *s == ' ' || *s == '\t')
		s++;
	const char *eol = strchr(s, '\n');
	size_t l = eol ? (size_t)(eol - s) : strlen(s);
	bool csv = false;
	if (strncmp(s, "Event[", 6) != 0 && strncasecmp(s, "Event Type:", 11) != 0 &&
	    strncasecmp(s, "Log Name:", 9) != 0) {
		size_t commas = 0;
		for (size_t i = 0; i < l; i++)
			commas += s[i] == ',';
		csv = commas >= 3;
	}
	audit_set_format(a, csv ? IKS_AUDIT_CSV : IKS_AUDIT_TEXT);
	if (csv)
		read_csv(a, text);
	else
		read_text(a, text);
	free(text);
	iks_audit_stats st;
	iks_audit_get_stats(a, &st);
	return st.limit ? IKS_E_LIMIT : IKS_OK;
}

iks_status iks_audit_read_file(iks_audit *a, const char *path, char *errbuf)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: cannot open", path);
		return IKS_E_IO;
	}
	/* read in chunks: event exports are text, at most some hundred MB */
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			size_t nc = cap ? cap * 2 : 65536;
			uint8_t *nb = realloc(buf, nc);
			if (!nb) {
				free(buf);
				fclose(f);
				return IKS_E_NOMEM;
			}
			buf = nb;
			cap = nc;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	bool err = ferror(f);
	fclose(f);
	if (err) {
		free(buf);
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: read error", path);
		return IKS_E_IO;
	}
	iks_status st = iks_audit_parse_buffer(a, buf, len);
	free(buf);
	return st;
}
