/*
 * capture_write_ng.c - pcapng output (see iks_pcapng_writer_open() in
 * ikescope/capture.h). Little-endian blocks, built in memory and written
 * with one fwrite each:
 *   section header (4.1): type 0x0A0D0D0A, length, magic 0x1A2B3C4D,
 *     version 1.0, section length -1 (unknown), options, length
 *   interface description (4.2): type 1, length, link type (u16), reserved,
 *     snaplen, options (if_name 2, if_description 3, if_tsresol 9), length
 *   enhanced packet (4.3): type 6, length, interface, timestamp high/low,
 *     captured and original length, data padded to 4, options (opt_comment
 *     1, epb_flags 2), length
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/capture.h>

#define NG_SNAPLEN 262144u
#define OPT_MAX 65532u /* an option value's length is 16 bits; keep it padded within */

struct iks_pcapng_writer {
	FILE *f;
	char *path;
	uint32_t nifs;
	bool failed;
	int err;
	uint8_t *buf;
	size_t cap, len;
};

static bool reserve(iks_pcapng_writer *w, size_t more)
{
	if (w->cap - w->len >= more)
		return true;
	size_t n = w->cap ? w->cap : 1024;
	while (n - w->len < more)
		n *= 2;
	uint8_t *p = realloc(w->buf, n);
	if (!p)
		return false;
	w->buf = p;
	w->cap = n;
	return true;
}

static void put(iks_pcapng_writer *w, const void *p, size_t n)
{
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put32(iks_pcapng_writer *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put(w, b, 4);
}

static void put16(iks_pcapng_writer *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	put(w, b, 2);
}

static void pad(iks_pcapng_writer *w)
{
	static const uint8_t z[4];
	put(w, z, (4 - w->len % 4) % 4);
}

static size_t opt_size(size_t len)
{
	return 4 + ((len + 3) & ~(size_t)3);
}

static void put_opt(iks_pcapng_writer *w, uint16_t code, const void *v, size_t len)
{
	put16(w, code);
	put16(w, (uint16_t)len);
	put(w, v, len);
	pad(w);
}

static size_t text_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > OPT_MAX ? OPT_MAX : n;
}

/* Start a block: type, a length to patch, then the body. */
static size_t begin(iks_pcapng_writer *w, uint32_t type)
{
	w->len = 0;
	put32(w, type);
	put32(w, 0);
	return 0;
}

static iks_status finish(iks_pcapng_writer *w)
{
	uint32_t total = (uint32_t)w->len + 4;
	put32(w, total);
	uint8_t b[4] = { (uint8_t)total, (uint8_t)(total >> 8), (uint8_t)(total >> 16),
			 (uint8_t)(total >> 24) };
	memcpy(w->buf + 4, b, 4);
	if (fwrite(w->buf, 1, w->len, w->f) != w->len) {
		if (!w->failed)
			w->err = errno;
		w->failed = true;
		return IKS_E_IO;
	}
	return IKS_OK;
}

iks_pcapng_writer *iks_pcapng_writer_open(const char *path, const char *section_comment,
					  char *errbuf)
{
	if (errbuf)
		errbuf[0] = '\0';
	if (!path) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "no file name");
		return NULL;
	}
	iks_pcapng_writer *w = calloc(1, sizeof(*w));
	if (!w || !(w->path = strdup(path))) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: out of memory", path);
		free(w);
		return NULL;
	}
	w->f = fopen(path, "wb");
	if (!w->f) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
		free(w->path);
		free(w);
		return NULL;
	}
	size_t cl = text_len(section_comment);
	if (!reserve(w, 40 + opt_size(cl))) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: out of memory", path);
		iks_pcapng_writer_close(w, NULL);
		return NULL;
	}
	begin(w, 0x0A0D0D0Au);
	put32(w, 0x1A2B3C4Du);
	put16(w, 1);
	put16(w, 0);
	put32(w, 0xFFFFFFFFu);
	put32(w, 0xFFFFFFFFu);
	if (cl) {
		put_opt(w, 1, section_comment, cl);
		put32(w, 0); /* opt_endofopt */
	}
	if (finish(w) != IKS_OK) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: %s", path, strerror(w->err));
		iks_pcapng_writer_close(w, NULL);
		return NULL;
	}
	return w;
}

iks_status iks_pcapng_writer_add_interface(iks_pcapng_writer *w, int linktype, const char *name,
					   const char *description, uint32_t *index)
{
	if (!w || linktype < 0 || linktype > 0xFFFF)
		return IKS_E_INVALID;
	size_t nl = text_len(name), dl = text_len(description);
	if (!reserve(w, 32 + opt_size(nl) + opt_size(dl) + opt_size(1)))
		return IKS_E_NOMEM;
	begin(w, 1);
	put16(w, (uint16_t)linktype);
	put16(w, 0);
	put32(w, NG_SNAPLEN);
	if (nl)
		put_opt(w, 2, name, nl);
	if (dl)
		put_opt(w, 3, description, dl);
	uint8_t res = 9; /* nanoseconds */
	put_opt(w, 9, &res, 1);
	put32(w, 0);
	iks_status st = finish(w);
	if (st == IKS_OK && index)
		*index = w->nifs;
	if (st == IKS_OK)
		w->nifs++;
	return st;
}

iks_status iks_pcapng_write(iks_pcapng_writer *w, uint32_t iface, const iks_frame *frame,
			    uint32_t flags, const char *comment)
{
	if (!w || !frame || iface >= w->nifs || (frame->caplen && !frame->data) ||
	    frame->ts_sec < 0)
		return IKS_E_INVALID;
	size_t cl = text_len(comment);
	if (!reserve(w, 40 + (size_t)frame->caplen + 4 + opt_size(cl) + opt_size(4)))
		return IKS_E_NOMEM;
	uint64_t ts = (uint64_t)frame->ts_sec * 1000000000u + frame->ts_nsec;
	begin(w, 6);
	put32(w, iface);
	put32(w, (uint32_t)(ts >> 32));
	put32(w, (uint32_t)ts);
	put32(w, frame->caplen);
	put32(w, frame->wirelen < frame->caplen ? frame->caplen : frame->wirelen);
	if (frame->caplen)
		put(w, frame->data, frame->caplen);
	pad(w);
	if (cl)
		put_opt(w, 1, comment, cl);
	if (flags)
		put_opt(w, 2, (uint8_t[4]){ (uint8_t)flags, (uint8_t)(flags >> 8),
					    (uint8_t)(flags >> 16), (uint8_t)(flags >> 24) }, 4);
	if (cl || flags)
		put32(w, 0);
	return finish(w);
}

iks_status iks_pcapng_writer_close(iks_pcapng_writer *w, char *errbuf)
{
	if (!w)
		return IKS_OK;
	if (w->f && fclose(w->f) != 0 && !w->failed) {
		w->failed = true;
		w->err = errno;
	}
	iks_status st = w->failed ? IKS_E_IO : IKS_OK;
	if (w->failed && errbuf)
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: write failed: %s", w->path, strerror(w->err));
	free(w->buf);
	free(w->path);
	free(w);
	return st;
}
