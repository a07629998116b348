/*
 * logcore.c - the log object: files, lines, records, caps and counters;
 * format detection and dispatch. The formats are in oakley.c and
 * charonlog.c; what they share with this file is in log_store.c, below
 * them all.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log_internal.h"
#include "core/reader.h"

#define TEXT_BLOCK 65536u

struct log_text_block {
	struct log_text_block *next;
	size_t used, size;
	char data[];
};

static void iks_log_limits_fill(iks_log_limits *l)
{
	if (!l->records_max)
		l->records_max = 2000000;
	if (!l->messages_max)
		l->messages_max = 200000;
	if (!l->text_max)
		l->text_max = 128ull << 20;
	if (!l->line_max)
		l->line_max = 4096;
	if (!l->files_max)
		l->files_max = 16;
	if (!l->dump_max)
		l->dump_max = 64ull << 20;
}

iks_log *iks_log_new(int format, const iks_log_limits *lim)
{
	if (format != IKS_LOG_AUTO && format != IKS_LOG_OAKLEY && format != IKS_LOG_CHARON &&
	    format != IKS_LOG_PLUTO && format != IKS_LOG_FORTIGATE && format != IKS_LOG_RACOON &&
	    format != IKS_LOG_CISCO)
		return NULL;
	iks_log *log = calloc(1, sizeof(*log));
	if (!log)
		return NULL;
	log->format = format;
	log->pluto_msg = IKS_LOG_NONE;
	log->fg.last_recv = IKS_LOG_NONE;
	log->rc.recv = IKS_LOG_NONE;
	log->cs.msg = IKS_LOG_NONE;
	if (lim)
		log->lim = *lim;
	iks_log_limits_fill(&log->lim);
	return log;
}

void iks_log_free(iks_log *log)
{
	if (!log)
		return;
	struct log_text_block *b = log->text;
	while (b) {
		struct log_text_block *n = b->next;
		free(b);
		b = n;
	}
	for (uint32_t i = 0; i < log->nfiles; i++)
		free(log->files[i]);
	free(log->files);
	free(log->recs);
	free(log->msgs);
	free(log->older.keys);
	log_dump_free(log);
	free(log);
}

/* Copy a line's text into the arena (control bytes and non-ASCII become '?'). */
static const char *keep_text(iks_log *log, const uint8_t *line, size_t len)
{
	if (log->text_used + len + 1 > log->lim.text_max) {
		log->st.text_dropped++;
		log_hit_limit(log, "text_max");
		return NULL;
	}
	struct log_text_block *b = log->text;
	if (!b || b->size - b->used < len + 1) {
		size_t size = len + 1 > TEXT_BLOCK ? len + 1 : TEXT_BLOCK;
		b = malloc(sizeof(*b) + size);
		if (!b) {
			log->nomem = true;
			return NULL;
		}
		b->next = log->text;
		b->used = 0;
		b->size = size;
		log->text = b;
	}
	char *out = b->data + b->used;
	iks_reader r = rd_init(line, len, 0);
	uint8_t c;
	size_t i = 0;
	while (rd_u8(&r, &c))
		out[i++] = (c == '\t' || (c >= 0x20 && c < 0x7f)) ? (char)c : '?';
	out[i] = '\0';
	b->used += len + 1;
	log->text_used += len + 1;
	return out;
}

static void one_line(iks_log *log, const uint8_t *line, size_t len, bool cut, uint32_t lineno)
{
	iks_log_record rec;
	memset(&rec, 0, sizeof(rec));
	rec.file = log->cur_file;
	rec.line = lineno;
	rec.msg = IKS_LOG_NONE;
	rec.cut = cut;
	log->st.lines++;
	if (len > log->lim.line_max) {
		len = log->lim.line_max;
		rec.long_line = true;
		log->st.long_lines++;
	}
	bool keep = log->nrecs < log->lim.records_max;
	uint32_t index = keep ? (uint32_t)log->nrecs : IKS_LOG_NONE;
	if (log->format == IKS_LOG_OAKLEY)
		oakley_line(log, &rec, index, line, len);
	else if (log->format == IKS_LOG_CHARON)
		charon_line(log, &rec, index, line, len);
	else if (log->format == IKS_LOG_PLUTO)
		pluto_line(log, &rec, index, line, len);
	else if (log->format == IKS_LOG_FORTIGATE)
		fortigate_line(log, &rec, index, line, len);
	else if (log->format == IKS_LOG_RACOON)
		racoon_line(log, &rec, index, line, len);
	else if (log->format == IKS_LOG_CISCO)
		cisco_line(log, &rec, index, line, len);
	if (cut) {
		rec.kind = IKS_LK_UNKNOWN;
		log->st.cut++;
	} else if (rec.kind == IKS_LK_UNKNOWN) {
		log->st.unknown++;
	} else {
		log->st.known++;
	}
	if (!keep) {
		log->st.records_dropped++;
		log_hit_limit(log, "records_max");
		return;
	}
	if (log->nrecs == log->cap_recs) {
		size_t n = log->cap_recs ? log->cap_recs * 2 : 1024;
		if (n > log->lim.records_max)
			n = log->lim.records_max;
		iks_log_record *p = realloc(log->recs, n * sizeof(*p));
		if (!p) {
			log->nomem = true;
			return;
		}
		log->recs = p;
		log->cap_recs = n;
	}
	rec.text = keep_text(log, line, len);
	log->recs[log->nrecs++] = rec;
}

/* Detect the format from the first lines with a known time prefix. */
static int detect(const uint8_t *data, size_t len)
{
	iks_reader r = rd_init(data, len, 0);
	unsigned oak = 0, cha = 0, plu = 0, fgt = 0, rac = 0, cis = 0, lines = 0;
	while (rd_left(&r) > 0 && lines < 1000) {
		iks_reader line = r;
		size_t n = 0;
		uint8_t c;
		while (rd_peek_u8(&r, 0, &c) && c != '\n') {
			rd_skip(&r, 1);
			n++;
		}
		rd_skip(&r, 1);
		rd_limit(&line, n);
		oak += oakley_has_prefix(rd_ptr(&line), n);
		cha += charon_has_prefix(rd_ptr(&line), n);
		plu += pluto_has_prefix(rd_ptr(&line), n);
		fgt += fortigate_has_prefix(rd_ptr(&line), n);
		rac += racoon_has_prefix(rd_ptr(&line), n);
		cis += cisco_has_prefix(rd_ptr(&line), n);
		lines++;
	}
	if (oak == 0 && cha == 0 && plu == 0 && fgt == 0 && rac == 0 && cis == 0)
		return IKS_LOG_AUTO;
	/* racoon's and a time-stamped Cisco debug's prefixes are pluto's
	 * "TIME: " too: theirs are the narrower tests, so they go first when
	 * most of pluto's matches are theirs */
	if (rac > oak && rac > cha && rac > fgt && rac > cis && rac * 2 > plu)
		return IKS_LOG_RACOON;
	if (cis > oak && cis > cha && cis > fgt && cis * 2 > plu)
		return IKS_LOG_CISCO;
	if (fgt > oak && fgt > cha && fgt > plu)
		return IKS_LOG_FORTIGATE;
	if (plu > oak && plu > cha)
		return IKS_LOG_PLUTO;
	return oak >= cha ? IKS_LOG_OAKLEY : IKS_LOG_CHARON;
}

/* UTF-16LE (after its BOM) to one byte per character ('?' outside ASCII). */
static uint8_t *from_utf16(const uint8_t *data, size_t len, size_t *outlen)
{
	uint8_t *out = malloc(len / 2 + 1);
	if (!out)
		return NULL;
	iks_reader r = rd_init(data, len, 0);
	uint16_t u;
	size_t n = 0;
	while (rd_le16(&r, &u))
		out[n++] = (u >= 0x80 || u == 0) ? '?' : (uint8_t)u;
	*outlen = n;
	return out;
}

iks_status iks_log_parse_buffer(iks_log *log, const char *name, const uint8_t *data, size_t len)
{
	if (!log || (!data && len) || !name)
		return IKS_E_INVALID;
	if (log->nfiles >= log->lim.files_max) {
		log_hit_limit(log, "files_max");
		return IKS_E_LIMIT;
	}
	char **files = realloc(log->files, (log->nfiles + 1) * sizeof(*files));
	if (!files)
		return IKS_E_NOMEM;
	log->files = files;
	size_t nl = strlen(name);
	if (!(files[log->nfiles] = malloc(nl + 1)))
		return IKS_E_NOMEM;
	memcpy(files[log->nfiles], name, nl + 1);
	log->cur_file = log->nfiles++;
	/* the files of a set are one log: a message's header lines may continue
	 * in the next file, so the per-thread state carries over */

	uint8_t *conv = NULL;
	uint8_t b0 = 0, b1 = 0, b2 = 0;
	iks_reader head = rd_init(data, len, 0);
	rd_peek_u8(&head, 0, &b0);
	rd_peek_u8(&head, 1, &b1);
	rd_peek_u8(&head, 2, &b2);
	if (b0 == 0xff && b1 == 0xfe) {
		size_t n;
		if (!(conv = from_utf16(data + 2, len - 2, &n)))
			return IKS_E_NOMEM;
		data = conv;
		len = n;
		log->st.utf16_files++;
	} else if (b0 == 0xef && b1 == 0xbb && b2 == 0xbf) {
		data += 3;
		len -= 3;
	}
	if (log->format == IKS_LOG_AUTO)
		log->format = detect(data, len);

	iks_reader r = rd_init(data, len, 0);
	uint32_t lineno = 0;
	while (rd_left(&r) > 0 && !log->nomem) {
		const uint8_t *start = rd_ptr(&r);
		size_t n = 0;
		uint8_t c, prev = 0;
		bool nl_found = false;
		while (rd_u8(&r, &c)) {
			if (c == '\n') {
				nl_found = true;
				break;
			}
			prev = c;
			n++;
		}
		size_t textlen = n > 0 && prev == '\r' ? n - 1 : n;
		lineno++;
		one_line(log, start, textlen, !nl_found, lineno);
	}
	free(conv);
	if (log->nomem)
		return IKS_E_NOMEM;
	return log->st.limit ? IKS_E_LIMIT : IKS_OK;
}

int iks_log_rotation_rank(const char *path)
{
	size_t n = path ? strlen(path) : 0;
#define ENDS(s) (n >= sizeof(s) - 1 && strcmp(path + n - (sizeof(s) - 1), s) == 0)
	if (ENDS(".bak.sav") || ENDS(".BAK.SAV"))
		return 0;
	if (ENDS(".sav") || ENDS(".SAV"))
		return 1;
	if (ENDS(".bak") || ENDS(".BAK"))
		return 2;
#undef ENDS
	return 3;
}

static iks_status read_one(iks_log *log, const char *path, char *errbuf)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
		return IKS_E_IO;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		uint8_t *p = realloc(buf, cap * 2);
		if (!p) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = p;
		cap *= 2;
	}
	bool err = ferror(f);
	fclose(f);
	if (!buf) {
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: out of memory", path);
		return IKS_E_NOMEM;
	}
	if (err) {
		free(buf);
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: read error", path);
		return IKS_E_IO;
	}
	iks_status st = iks_log_parse_buffer(log, path, buf, n);
	free(buf);
	if (st == IKS_E_NOMEM)
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: out of memory", path);
	return st;
}

iks_status iks_log_read_files(iks_log *log, const char *const *paths, size_t n, char *errbuf)
{
	if (!log || !paths || !errbuf)
		return IKS_E_INVALID;
	errbuf[0] = '\0';
	const char **order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return IKS_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		order[i] = paths[i];
	/* the format is needed to choose the order: detect it from the first file */
	if (n > 1 && log->format != IKS_LOG_CHARON) {
		/* stable insertion sort by rotation rank (charon sets keep their order
		 * unless the first file turns out to be Oakley, see below) */
		bool oakley_names = false;
		for (size_t i = 0; i < n; i++)
			oakley_names = oakley_names || iks_log_rotation_rank(paths[i]) < 3;
		if (log->format == IKS_LOG_OAKLEY || oakley_names) {
			for (size_t i = 1; i < n; i++) {
				const char *p = order[i];
				size_t j = i;
				while (j > 0 && iks_log_rotation_rank(order[j - 1]) >
						iks_log_rotation_rank(p)) {
					order[j] = order[j - 1];
					j--;
				}
				order[j] = p;
			}
		}
	}
	iks_status worst = IKS_OK;
	for (size_t i = 0; i < n; i++) {
		iks_status st = read_one(log, order[i], errbuf);
		if (st == IKS_E_LIMIT) {
			worst = st;
			continue;
		}
		if (st != IKS_OK) {
			free(order);
			return st;
		}
	}
	free(order);
	return worst;
}

int iks_log_format_of(const iks_log *log)
{
	return log ? log->format : IKS_LOG_AUTO;
}

const char *iks_log_format_name(int format)
{
	switch (format) {
	case IKS_LOG_OAKLEY: return "oakley";
	case IKS_LOG_CHARON: return "charon";
	case IKS_LOG_PLUTO: return "pluto";
	case IKS_LOG_FORTIGATE: return "fortigate";
	case IKS_LOG_RACOON: return "racoon";
	case IKS_LOG_CISCO: return "cisco";
	default: return "auto";
	}
}

void iks_log_get_stats(const iks_log *log, iks_log_stats *st)
{
	*st = log->st;
}

size_t iks_log_nrecords(const iks_log *log)
{
	return log->nrecs;
}

size_t iks_log_nmessages(const iks_log *log)
{
	return log->nmsgs;
}

const iks_log_record *iks_log_record_at(const iks_log *log, size_t i)
{
	return i < log->nrecs ? &log->recs[i] : NULL;
}

const iks_log_msg *iks_log_message_at(const iks_log *log, size_t i)
{
	return i < log->nmsgs ? &log->msgs[i] : NULL;
}

const char *iks_log_file_name(const iks_log *log, uint32_t file)
{
	return file < log->nfiles ? log->files[file] : NULL;
}

const char *iks_log_kind_name(int kind)
{
	static const char *const names[] = {
		"unknown", "send", "receive", "header", "i-cookie", "r-cookie", "exchange",
		"flags", "next-payload", "message-id", "ports", "acquire", "filter", "failure",
		"sa-dead", "policy", "generating", "parsed", "retransmit", "give-up", "split",
		"reassembled", "receive-internal", "child-spis", "ike-up", "socket", "failed",
		"parsed-header", "icv-failed", "dump", "dropped", "suspended", "state",
	};
	if (kind < 0 || (size_t)kind >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[kind];
}
