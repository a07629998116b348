/*
 * pcapfile.c - classic pcap files (pcap-savefile(5), the format of
 * libpcap 2.4) read in large chunks, frames handed out in place (see
 * pcapfile.h for what is taken and what is left to libpcap).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcapfile.h"
#include "core/reader.h"
#include "core/zero.h"

/* Reads of 128 KiB (see CAPTURE_IOBUF_SIZE in capture.c: larger reads cost
 * more system time); the buffer holds the largest record and a chunk. */
#define PF_CHUNK ((size_t)1 << 17)
#define PF_BUF ((size_t)PCAPFILE_MAX_SNAPLEN + 16 + PF_CHUNK)

struct iks_pcapfile {
	FILE *f;
	char *name;
	bool big_endian;
	bool nsec;             /* nanosecond timestamps (else microseconds) */
	int linktype;
	uint32_t snapshot;
	uint64_t frames;
	uint8_t *buf;
	size_t pos, have;      /* unread bytes are buf[pos, have) */
	uint64_t file_off;     /* bytes taken from f so far */
	bool eof, failed;
	char err[IKS_ERRBUF_SIZE];
};

/* pcap file header (pcap-savefile(5)):
 *   magic u32 | version major u16 | minor u16 | thiszone i32 | sigfigs u32 |
 *   snaplen u32 | network (LINKTYPE_) u32
 * in the byte order of the writer, told by the magic. */
static bool header_order(const uint8_t *p, size_t len, bool *big_endian, bool *nsec)
{
	iks_reader r = rd_init(p, len, 0);
	uint32_t magic;
	if (!rd_le32(&r, &magic))
		return false;
	switch (magic) {
	case 0xa1b2c3d4u: *big_endian = false; *nsec = false; return true;
	case 0xd4c3b2a1u: *big_endian = true; *nsec = false; return true;
	case 0xa1b23c4du: *big_endian = false; *nsec = true; return true;
	case 0x4d3cb2a1u: *big_endian = true; *nsec = true; return true;
	default: return false;
	}
}

static bool rd_u32o(iks_reader *r, bool big_endian, uint32_t *v)
{
	return big_endian ? rd_be32(r, v) : rd_le32(r, v);
}

static bool rd_u16o(iks_reader *r, bool big_endian, uint16_t *v)
{
	return big_endian ? rd_be16(r, v) : rd_le16(r, v);
}

/* Link types whose LINKTYPE_ value is the DLT_ value libpcap would return
 * (pcap-linktype(7)), with the maximum snapshot length of 262144. */
static bool linktype_taken(uint32_t network)
{
	switch (network) {
	case 0:   /* NULL */
	case 1:   /* ETHERNET */
	case 113: /* LINUX_SLL */
	case 228: /* IPV4 */
	case 229: /* IPV6 */
	case 276: /* LINUX_SLL2 */
		return true;
	default:
		return false; /* other values, and FCS bits in the upper half */
	}
}

bool pcapfile_takes(const uint8_t *p, size_t len)
{
	bool be, ns;
	if (!header_order(p, len, &be, &ns))
		return false;
	iks_reader r = rd_init(p, len, 0);
	uint16_t major, minor;
	uint32_t skip, network;
	if (!rd_skip(&r, 4) || !rd_u16o(&r, be, &major) || !rd_u16o(&r, be, &minor) ||
	    !rd_u32o(&r, be, &skip) || !rd_u32o(&r, be, &skip) || !rd_u32o(&r, be, &skip) ||
	    !rd_u32o(&r, be, &network))
		return false;
	return major == 2 && minor == 4 && linktype_taken(network);
}

static void pf_fail(iks_pcapfile *pf, const char *msg)
{
	snprintf(pf->err, sizeof(pf->err), "%s: after frame %llu: %s", pf->name,
		 (unsigned long long)pf->frames, msg);
	pf->failed = true;
}

/* At least n unread bytes in the buffer, or as many as the file has left
 * (false). n <= PF_BUF - PF_CHUNK. */
static bool fill(iks_pcapfile *pf, size_t n)
{
	while (pf->have - pf->pos < n) {
		if (pf->eof)
			return false;
		if (pf->pos > 0 && PF_BUF - pf->have < PF_CHUNK) {
			memmove(pf->buf, pf->buf + pf->pos, pf->have - pf->pos);
			pf->have -= pf->pos;
			pf->pos = 0;
		}
		/* up to the next multiple of PF_CHUNK in the file: f's stdio
		 * buffer (PF_CHUNK, capture.c) then reads straight into ours
		 * instead of being copied from (the header was read through it) */
		size_t want = PF_CHUNK - (size_t)(pf->file_off % PF_CHUNK);
		size_t got = fread(pf->buf + pf->have, 1, want, pf->f);
		pf->have += got;
		pf->file_off += got;
		if (got < want) {
			pf->eof = true;
			if (ferror(pf->f)) {
				pf_fail(pf, "read error");
				return false;
			}
		}
	}
	return true;
}

iks_pcapfile *pcapfile_open(FILE *f, const uint8_t *header, const char *name, char *errbuf)
{
	iks_pcapfile *pf = calloc(1, sizeof(*pf));
	if (pf) {
		pf->name = strdup(name);
		pf->buf = malloc(PF_BUF);
	}
	if (!pf || !pf->name || !pf->buf) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: out of memory", name);
		fclose(f);
		if (pf) {
			free(pf->name);
			free(pf->buf);
			free(pf);
		}
		return NULL;
	}
	pf->f = f;
	/* the header was read already: the file goes on from its end (no
	 * seek, so a pipe given by name works too) */
	memcpy(pf->buf, header, PCAPFILE_HEADER_LEN);
	pf->have = PCAPFILE_HEADER_LEN;
	pf->file_off = PCAPFILE_HEADER_LEN;
	iks_reader r = rd_init(pf->buf, PCAPFILE_HEADER_LEN, 0);
	uint32_t snaplen, network;
	header_order(pf->buf, PCAPFILE_HEADER_LEN, &pf->big_endian, &pf->nsec);
	rd_skip(&r, 16);
	rd_u32o(&r, pf->big_endian, &snaplen);
	rd_u32o(&r, pf->big_endian, &network);
	pf->linktype = (int)network;
	/* libpcap's pcap_adjust_snapshot() */
	pf->snapshot = snaplen == 0 || snaplen > PCAPFILE_MAX_SNAPLEN ? PCAPFILE_MAX_SNAPLEN : snaplen;
	pf->pos = PCAPFILE_HEADER_LEN;
	return pf;
}

/* A 32-bit field of a record header copied out by the reader. */
static inline uint32_t get32(const uint8_t *p, bool big_endian)
{
	if (big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* A record (pcap-savefile(5)): ts_sec u32 | ts_usec (or ts_nsec) u32 |
 * incl_len u32 | orig_len u32, then incl_len bytes. */
int pcapfile_next(iks_pcapfile *pf, iks_frame *frame)
{
	char msg[128];
	if (pf->failed)
		return IKS_E_IO;
	if (!fill(pf, 16)) {
		if (pf->failed)
			return IKS_E_IO;
		size_t left = pf->have - pf->pos;
		if (left == 0)
			return 0;
		snprintf(msg, sizeof(msg), "truncated dump file; tried to read %zu header bytes, only got %zu",
			 (size_t)16, left);
		pf_fail(pf, msg);
		return IKS_E_TRUNCATED;
	}
	iks_reader r = rd_init(pf->buf + pf->pos, 16, 0);
	uint8_t h[16];
	rd_copy(&r, h, sizeof(h)); /* fill() made sure of 16 bytes */
	uint32_t sec = get32(h, pf->big_endian), frac = get32(h + 4, pf->big_endian);
	uint32_t caplen = get32(h + 8, pf->big_endian), len = get32(h + 12, pf->big_endian);
	uint32_t keep = caplen;
	if (caplen > pf->snapshot) {
		if (caplen > PCAPFILE_MAX_SNAPLEN) {
			snprintf(msg, sizeof(msg),
				 "invalid packet capture length %u, bigger than snaplen of %u", caplen,
				 PCAPFILE_MAX_SNAPLEN);
			pf_fail(pf, msg);
			return IKS_E_IO;
		}
		keep = pf->snapshot; /* libpcap keeps the snapshot length, skips the rest */
	}
	if (!fill(pf, 16 + (size_t)caplen)) {
		if (pf->failed)
			return IKS_E_IO;
		size_t got = pf->have - pf->pos - 16;
		if (got < keep)
			snprintf(msg, sizeof(msg),
				 "truncated dump file; tried to read %u captured bytes, only got %zu", keep,
				 got);
		else
			snprintf(msg, sizeof(msg),
				 "truncated dump file; tried to read %u captured bytes, only got %zu",
				 caplen, got);
		pf_fail(pf, msg);
		return IKS_E_TRUNCATED;
	}
	pf->frames++;
	iks_zero(&frame->meta, sizeof(frame->meta));
	frame->number = pf->frames;
	/* libpcap's record header holds both times as 32-bit signed values */
	frame->ts_sec = (int64_t)(int32_t)sec;
	frame->ts_nsec = pf->nsec ? frac : (uint32_t)((int64_t)(int32_t)frac * 1000);
	frame->linktype = pf->linktype;
	frame->caplen = keep;
	frame->wirelen = len < keep ? keep : len;
	frame->data = pf->buf + pf->pos + 16;
	pf->pos += 16 + (size_t)caplen;
	return 1;
}

const char *pcapfile_error(const iks_pcapfile *pf)
{
	return pf->err;
}

int pcapfile_linktype(const iks_pcapfile *pf)
{
	return pf->linktype;
}

uint32_t pcapfile_snaplen(const iks_pcapfile *pf)
{
	return pf->snapshot;
}

void pcapfile_close(iks_pcapfile *pf)
{
	if (!pf)
		return;
	if (pf->f)
		fclose(pf->f);
	free(pf->buf);
	free(pf->name);
	free(pf);
}
