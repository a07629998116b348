/*
 * netmon.c - Microsoft Network Monitor 1.x / 2.x capture files.
 *
 * Layout (little-endian throughout; checked byte by byte against files
 * written by Wireshark 4.0 editcap -F netmon1 / -F netmon2, see
 * docs/netmon.md):
 *
 *   header  0  magic "RTSS" (1.x) or "GMBU" (2.x)
 *           4  version minor, 5 version major (one byte each)
 *           6  media type (u16: 1 Ethernet, 2 Token Ring, 3 FDDI, ...)
 *           8  capture start, a Windows SYSTEMTIME: eight u16 fields
 *              year, month, day of week, day, hour, minute, second, ms
 *          24  frame table offset (u32), 28 frame table length (u32)
 *          32  further offset/length pairs (user data, comments, ...),
 *              not needed to read frames; the header is 128 bytes
 *   table   one u32 file offset per frame, in frame order
 *   record  1.x: u32 ms since start, u16 wire length, u16 captured length
 *           2.x: u64 us since start, u32 wire length, u32 captured length
 *           then the captured bytes; 2.1 and later add a trailer after the
 *           bytes whose first field is the frame's own media type (u16)
 */
#include "config.h"
#include "core/civil.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "capture/netmon.h"
#include "core/reader.h"

#define TABLE_CHUNK 512u         /* frame table entries read at a time */
#define MAX_OFFSET_US 3155760000000000ull /* 100 years: anything later is absurd */

struct iks_netmon {
	FILE *f;                 /* owned; NULL when reading memory */
	const uint8_t *mem;      /* borrowed */
	uint64_t size;           /* bytes in the file */
	uint64_t fpos;           /* where the stream is, to skip seeks (UINT64_MAX: unknown) */
	char *name;
	netmon_header h;
	uint64_t nframes;        /* entries the table declares */
	uint64_t next;           /* 0-based index of the next frame */
	uint32_t tab[TABLE_CHUNK];
	uint64_t tab_first;      /* index of tab[0] */
	size_t tab_n;            /* entries held in tab */
	uint8_t *buf;            /* frame bytes, grown up to NETMON_MAX_CAPLEN */
	size_t bufcap;
	char err[IKS_ERRBUF_SIZE];
};

bool netmon_magic(const uint8_t *p, size_t len)
{
	return len >= 4 && (memcmp(p, "GMBU", 4) == 0 || memcmp(p, "RTSS", 4) == 0);
}

iks_status netmon_parse_header(const uint8_t *p, size_t len, netmon_header *h,
			       const char **reason)
{
	iks_reader r = rd_init(p, len, 0);
	uint8_t magic[4], minor, major;
	uint16_t st[8];

	memset(h, 0, sizeof(*h));
	*reason = "";
	if (!rd_copy(&r, magic, 4))
		goto short_header;
	if (!netmon_magic(magic, 4)) {
		*reason = "not a NetMon file";
		return IKS_E_FORMAT;
	}
	if (!rd_u8(&r, &minor) || !rd_u8(&r, &major) || !rd_le16(&r, &h->media))
		goto short_header;
	for (int i = 0; i < 8; i++)
		if (!rd_le16(&r, &st[i]))
			goto short_header;
	if (!rd_le32(&r, &h->table_off) || !rd_le32(&r, &h->table_len))
		goto short_header;
	h->major = major;
	h->minor = minor;
	if ((magic[0] == 'R' && major != 1) || (magic[0] == 'G' && major != 2)) {
		*reason = "unknown format version";
		return IKS_E_FORMAT;
	}
	/* SYSTEMTIME: wYear, wMonth, wDayOfWeek, wDay, wHour, wMinute, wSecond, wMilliseconds */
	static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (st[0] < 1601 || st[1] < 1 || st[1] > 12 || st[3] < 1 || st[3] > mdays[st[1] - 1] ||
	    st[4] > 23 || st[5] > 59 || st[6] > 59 || st[7] > 999) {
		*reason = "capture start time in the header is not a valid date";
		return IKS_E_FORMAT;
	}
	h->start_sec = civil_days(st[0], st[1], st[3]) * 86400 +
		       (int64_t)st[4] * 3600 + (int64_t)st[5] * 60 + st[6];
	h->start_nsec = (uint32_t)st[7] * 1000000u;
	if (h->table_len % 4 != 0) {
		*reason = "frame table length is not a multiple of 4";
		return IKS_E_FORMAT;
	}
	return IKS_OK;
short_header:
	*reason = "file too short for a header";
	return IKS_E_TRUNCATED;
}

int netmon_linktype(uint16_t media)
{
	switch (media) {
	case 1: return IKS_LINK_ETHERNET; /* Ethernet */
	case 2: return 6;                 /* Token Ring: LINKTYPE_IEEE802_5 */
	case 3: return 10;                /* FDDI: LINKTYPE_FDDI */
	case 8: return IKS_LINK_RAW;      /* wireless WAN: bare IP */
	default: return 0x10000 + media;
	}
}

/* Read n bytes at `off`; false if the file has fewer. */
static bool read_at(iks_netmon *nm, uint64_t off, void *dst, size_t n)
{
	if (off > nm->size || nm->size - off < n)
		return false;
	if (!nm->f) {
		memcpy(dst, nm->mem + off, n);
		return true;
	}
	/* records follow one another: seek only when the stream is elsewhere */
	if (nm->fpos != off && fseeko(nm->f, (off_t)off, SEEK_SET) != 0) {
		nm->fpos = UINT64_MAX;
		return false;
	}
	if (fread(dst, 1, n, nm->f) != n) {
		nm->fpos = UINT64_MAX;
		return false;
	}
	nm->fpos = off + n;
	return true;
}

static const char *frame_word(const iks_netmon *nm)
{
	return nm->h.major == 1 ? "NetMon 1.x" : "NetMon 2.x";
}

iks_netmon *netmon_open(FILE *f, const uint8_t *mem, size_t memlen, const char *name,
			char *errbuf)
{
	iks_netmon *nm = calloc(1, sizeof(*nm));
	if (nm)
		nm->name = strdup(name);
	if (!nm || !nm->name) {
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: out of memory", name);
		if (f)
			fclose(f);
		netmon_close(nm);
		return NULL;
	}
	nm->f = f;
	nm->fpos = UINT64_MAX;
	nm->mem = mem;
	nm->size = memlen;
	if (f) {
		off_t end;
		if (fseeko(f, 0, SEEK_END) != 0 || (end = ftello(f)) < 0) {
			snprintf(errbuf, IKS_ERRBUF_SIZE,
				 "%s: a Network Monitor capture must be read from a seekable file "
				 "(its frame table is at the end); give the file name, not a pipe", name);
			netmon_close(nm);
			return NULL;
		}
		nm->size = (uint64_t)end;
	}
	uint8_t hb[NETMON_HEADER_MIN];
	size_t have = nm->size < sizeof(hb) ? (size_t)nm->size : sizeof(hb);
	const char *reason;
	if (!read_at(nm, 0, hb, have)) {
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: cannot read the NetMon header", name);
		netmon_close(nm);
		return NULL;
	}
	if (netmon_parse_header(hb, have, &nm->h, &reason) != IKS_OK) {
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: bad Network Monitor header: %s", name, reason);
		netmon_close(nm);
		return NULL;
	}
	nm->nframes = nm->h.table_len / 4;
	if (nm->h.table_off < NETMON_HEADER_MIN || nm->h.table_off > nm->size) {
		snprintf(errbuf, IKS_ERRBUF_SIZE,
			 "%s: %s frame table at offset %u lies outside the file (%llu bytes): "
			 "the file is cut or corrupt, no frame can be located",
			 name, frame_word(nm), nm->h.table_off, (unsigned long long)nm->size);
		netmon_close(nm);
		return NULL;
	}
	return nm;
}

/* The file offset of frame `idx` (0-based), reading the table in chunks. */
static int table_entry(iks_netmon *nm, uint64_t idx, uint32_t *off)
{
	if (idx < nm->tab_first || idx - nm->tab_first >= nm->tab_n) {
		uint64_t pos = (uint64_t)nm->h.table_off + idx * 4;
		uint64_t avail = pos < nm->size ? (nm->size - pos) / 4 : 0;
		uint64_t want = nm->nframes - idx;
		if (want > TABLE_CHUNK)
			want = TABLE_CHUNK;
		if (avail < want)
			want = avail;
		if (want == 0) {
			snprintf(nm->err, sizeof(nm->err),
				 "%s: %s frame %llu: frame table cut: its entry at offset %llu is past "
				 "the end of the file (%llu bytes; the table lists %llu frames)",
				 nm->name, frame_word(nm), (unsigned long long)idx + 1, (unsigned long long)pos,
				 (unsigned long long)nm->size, (unsigned long long)nm->nframes);
			return IKS_E_TRUNCATED;
		}
		uint8_t raw[TABLE_CHUNK * 4];
		if (!read_at(nm, pos, raw, (size_t)want * 4)) {
			snprintf(nm->err, sizeof(nm->err), "%s: %s frame %llu: cannot read the frame table",
				 nm->name, frame_word(nm), (unsigned long long)idx + 1);
			return IKS_E_IO;
		}
		iks_reader r = rd_init(raw, (size_t)want * 4, (size_t)pos);
		for (size_t i = 0; i < want; i++)
			(void)rd_le32(&r, &nm->tab[i]);
		nm->tab_first = idx;
		nm->tab_n = (size_t)want;
	}
	*off = nm->tab[idx - nm->tab_first];
	return IKS_OK;
}

__attribute__((format(printf, 4, 5)))
static int fail(iks_netmon *nm, int st, uint64_t number, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(nm->err, sizeof(nm->err), "%s: %s frame %llu: %s", nm->name, frame_word(nm),
		 (unsigned long long)number, what);
	return st;
}

int netmon_next(iks_netmon *nm, iks_frame *frame)
{
	if (nm->next >= nm->nframes)
		return 0;
	uint64_t number = nm->next + 1;
	uint32_t off;
	int st = table_entry(nm, nm->next, &off);
	if (st != IKS_OK)
		return st;

	bool v1 = nm->h.major == 1;
	size_t hlen = v1 ? 8 : 16;
	uint8_t hb[16];
	if (off < NETMON_HEADER_MIN)
		return fail(nm, IKS_E_FORMAT, number, "record offset %u lies inside the file header", off);
	if (!read_at(nm, off, hb, hlen))
		return fail(nm, IKS_E_TRUNCATED, number,
			    "record at offset %u runs past the end of the file (%llu bytes)",
			    off, (unsigned long long)nm->size);
	iks_reader r = rd_init(hb, hlen, off);
	uint64_t delta_ns;
	uint32_t wire = 0, caplen = 0;
	if (v1) {
		uint32_t ms;
		uint16_t w16, c16;
		(void)rd_le32(&r, &ms);
		(void)rd_le16(&r, &w16);
		(void)rd_le16(&r, &c16);
		delta_ns = (uint64_t)ms * 1000000u;
		wire = w16;
		caplen = c16;
	} else {
		uint32_t lo, hi;
		(void)rd_le32(&r, &lo);
		(void)rd_le32(&r, &hi);
		(void)rd_le32(&r, &wire);
		(void)rd_le32(&r, &caplen);
		uint64_t us = (uint64_t)hi << 32 | lo;
		if (us > MAX_OFFSET_US)
			return fail(nm, IKS_E_FORMAT, number,
				    "time offset %llu us is absurd (more than 100 years)",
				    (unsigned long long)us);
		delta_ns = us * 1000u;
	}
	if (caplen > NETMON_MAX_CAPLEN)
		return fail(nm, IKS_E_FORMAT, number,
			    "captured length %u is absurd (more than %u bytes)", caplen,
			    NETMON_MAX_CAPLEN);
	/* 2.1 and later: the trailer starts with the frame's media type */
	bool trailer = !v1 && nm->h.minor >= 1;
	uint64_t data_off = (uint64_t)off + hlen;
	uint64_t need = (uint64_t)caplen + (trailer ? 2 : 0);
	if (nm->size - data_off < need)
		return fail(nm, IKS_E_TRUNCATED, number,
			    "%llu bytes of frame data at offset %llu run past the end of the file (%llu bytes)",
			    (unsigned long long)need, (unsigned long long)data_off,
			    (unsigned long long)nm->size);
	if (caplen > nm->bufcap) {
		size_t cap = nm->bufcap ? nm->bufcap : 2048;
		while (cap < caplen)
			cap *= 2;
		uint8_t *nb = realloc(nm->buf, cap);
		if (!nb)
			return fail(nm, IKS_E_NOMEM, number, "out of memory for %u bytes", caplen);
		nm->buf = nb;
		nm->bufcap = cap;
	}
	if (caplen > 0 && !read_at(nm, data_off, nm->buf, caplen))
		return fail(nm, IKS_E_IO, number, "cannot read %u bytes at offset %llu", caplen,
			    (unsigned long long)data_off);
	uint16_t media = nm->h.media;
	if (trailer) {
		uint8_t tb[2];
		if (!read_at(nm, data_off + caplen, tb, 2))
			return fail(nm, IKS_E_IO, number, "cannot read the trailer at offset %llu",
				    (unsigned long long)(data_off + caplen));
		iks_reader tr = rd_init(tb, 2, (size_t)(data_off + caplen));
		(void)rd_le16(&tr, &media);
	}

	uint64_t ns = nm->h.start_nsec + delta_ns;
	memset(&frame->meta, 0, sizeof(frame->meta));
	frame->number = number;
	frame->ts_sec = nm->h.start_sec + (int64_t)(ns / 1000000000u);
	frame->ts_nsec = (uint32_t)(ns % 1000000000u);
	frame->linktype = netmon_linktype(media);
	frame->caplen = caplen;
	frame->wirelen = wire < caplen ? caplen : wire;
	frame->data = nm->buf;
	nm->next++;
	return 1;
}

int netmon_file_linktype(const iks_netmon *nm)
{
	return netmon_linktype(nm->h.media);
}

const char *netmon_error(const iks_netmon *nm)
{
	return nm ? nm->err : "";
}

void netmon_close(iks_netmon *nm)
{
	if (!nm)
		return;
	if (nm->f)
		fclose(nm->f);
	free(nm->buf);
	free(nm->name);
	free(nm);
}
