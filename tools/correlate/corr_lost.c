/*
 * corr_lost.c - pcapcorrelate --write-lost: the frames that did not arrive,
 * each once, from the sender's capture with its own timestamp and link
 * type. An unfragmented lost packet is its one frame; of a fragmented
 * datagram only the fragments that carry bytes the receiver never got (the
 * correlation's missing ranges) are written, never one that arrived.
 *
 * Both captures are read again through iks_capture (NetMon input works
 * too). When they share a link type the output is a classic pcap with
 * nanosecond timestamps (iks_capture_writer); when they do not, a pcapng
 * file with one interface per capture, written here (pcapng:
 * draft-ietf-opsawg-pcapng, sections 4.1, 4.2 and 4.3), so that each frame
 * keeps its link type.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "correlate/corr_lost.h"

typedef struct lost_writer {
	FILE *ng;                 /* pcapng output, or NULL */
	iks_capture_writer *dump; /* classic pcap output */
	uint64_t written;
} lost_writer;

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* host order: the section header's magic says which */
}

/* The LINKTYPE_ value a file records for a libpcap DLT_ value: they differ
 * only for raw IP, whose DLT_RAW is 12 (14 on OpenBSD) but LINKTYPE_RAW 101
 * (tcpdump.org link-layer header types). */
static uint16_t linktype_of(int dlt)
{
	if (dlt == IKS_LINK_RAW_DLT || dlt == IKS_LINK_RAW_OPENBSD)
		return IKS_LINK_RAW;
	return (uint16_t)dlt;
}

/* pcapng Section Header Block and one Interface Description Block per
 * capture, with if_tsresol 9 (nanoseconds). */
static bool ng_header(FILE *f, const int *linktype, size_t n)
{
	uint8_t shb[28];
	put32(shb, 0x0A0D0D0A);
	put32(shb + 4, sizeof(shb));
	put32(shb + 8, 0x1A2B3C4D);
	uint16_t ver[2] = { 1, 0 };
	memcpy(shb + 12, ver, 4);
	memset(shb + 16, 0xff, 8); /* section length unknown */
	put32(shb + 24, sizeof(shb));
	if (fwrite(shb, sizeof(shb), 1, f) != 1)
		return false;
	for (size_t s = 0; s < n; s++) {
		uint8_t idb[32];
		memset(idb, 0, sizeof(idb));
		put32(idb, 1);
		put32(idb + 4, sizeof(idb));
		uint16_t lt = linktype_of(linktype[s]);
		memcpy(idb + 8, &lt, 2);
		put32(idb + 12, 262144);
		uint16_t opt[2] = { 9, 1 }; /* if_tsresol, 1 byte: 10^-9 */
		memcpy(idb + 16, opt, 4);
		idb[20] = 9;
		/* idb[24..27]: opt_endofopt (zeros) */
		put32(idb + 28, sizeof(idb));
		if (fwrite(idb, sizeof(idb), 1, f) != 1)
			return false;
	}
	return true;
}

/* One Enhanced Packet Block. */
static bool ng_packet(FILE *f, int iface, const iks_frame *fr)
{
	uint32_t pad = (4 - fr->caplen % 4) % 4;
	uint32_t len = 32 + fr->caplen + pad;
	uint64_t ts = (uint64_t)fr->ts_sec * 1000000000u + fr->ts_nsec;
	uint8_t h[28];
	put32(h, 6);
	put32(h + 4, len);
	put32(h + 8, (uint32_t)iface);
	put32(h + 12, (uint32_t)(ts >> 32));
	put32(h + 16, (uint32_t)ts);
	put32(h + 20, fr->caplen);
	put32(h + 24, fr->wirelen);
	static const uint8_t zero[4];
	uint8_t tail[4];
	put32(tail, len);
	return fwrite(h, sizeof(h), 1, f) == 1 &&
	       (fr->caplen == 0 || fwrite(fr->data, fr->caplen, 1, f) == 1) &&
	       (pad == 0 || fwrite(zero, pad, 1, f) == 1) && fwrite(tail, 4, 1, f) == 1;
}

static bool emit(lost_writer *w, int iface, const iks_frame *f)
{
	w->written++;
	if (w->ng)
		return ng_packet(w->ng, iface, f);
	return iks_capture_write(w->dump, f) == IKS_OK;
}

/* Whether fragment bytes [off, off + len) overlap one of l's missing ranges. */
bool corr_lost_carries_missing(const iks_lost_packet *l, uint32_t off, uint32_t len)
{
	if (l->nranges == 0)
		return true;
	for (uint16_t k = 0; k < l->nranges; k++) {
		uint32_t s = l->missing[k].start, e = l->missing[k].end;
		if ((e == IKS_LEN_UNKNOWN || off < e) && off + len > s)
			return true;
	}
	return false;
}

int corr_lost_cmp_first(const void *x, const void *y)
{
	const iks_lost_packet *a = *(const iks_lost_packet *const *)x;
	const iks_lost_packet *b = *(const iks_lost_packet *const *)y;
	if (a->first_frame != b->first_frame)
		return a->first_frame < b->first_frame ? -1 : 1;
	return a->last_frame < b->last_frame ? -1 : (a->last_frame > b->last_frame);
}

/* The frames of one capture that belong to its lost list. Lost datagrams
 * may interleave (fragments of two datagrams sent at once), so every
 * datagram whose frame span covers a frame is asked. */
static int write_side(lost_writer *w, int side, int iface, iks_capture *p,
		      const iks_correlation *c)
{
	const iks_lost_packet *lost;
	size_t n = iks_correlation_lost(c, side, &lost);
	if (n == 0)
		return 0;
	const iks_lost_packet **by_first = malloc(n * sizeof(*by_first));
	const iks_lost_packet **active = malloc(n * sizeof(*active));
	if (!by_first || !active) {
		free(by_first);
		free(active);
		fprintf(stderr, "pcapcorrelate: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		by_first[i] = &lost[i];
	qsort(by_first, n, sizeof(*by_first), corr_lost_cmp_first);
	size_t next = 0, nactive = 0;
	iks_frame f;
	while ((next < n || nactive) && iks_capture_next(p, &f) == 1) {
		while (next < n && by_first[next]->first_frame <= f.number)
			active[nactive++] = by_first[next++];
		bool take = false, decoded = false;
		iks_packet pk;
		for (size_t i = 0; i < nactive && !take; i++) {
			const iks_lost_packet *l = active[i];
			if (f.number < l->first_frame || f.number > l->last_frame)
				continue;
			if (!l->fragmented) {
				take = f.number == l->first_frame;
				continue;
			}
			if (!decoded) {
				decoded = true;
				if (iks_decode_buffer(f.linktype, f.data, f.caplen, &pk) != IKS_OK &&
				    !pk.l.ip.present)
					break;
			}
			if (!pk.l.ip.present || !pk.l.ip.is_fragment || pk.l.ip.id != l->ip_id ||
			    pk.l.ip.proto != l->proto)
				continue;
			take = corr_lost_carries_missing(l, pk.l.ip.frag_offset, (uint32_t)pk.l.ip.payload.len);
		}
		if (take && !emit(w, iface, &f)) {
			free(by_first);
			free(active);
			return -1;
		}
		/* drop the datagrams that ended here */
		size_t k = 0;
		for (size_t i = 0; i < nactive; i++)
			if (active[i]->last_frame > f.number)
				active[k++] = active[i];
		nactive = k;
	}
	free(by_first);
	free(active);
	return 0;
}

int corr_write_lost(const char *out, const char *paths[2], const iks_correlation *c)
{
	return corr_write_lost_path(out, paths, 2, &c);
}

int corr_write_lost_path(const char *out, const char *const *paths, size_t n,
			 const iks_correlation *const *hops)
{
	char err[IKS_ERRBUF_SIZE];
	int lt[CORR_POINTS_MAX];
	if (n < 2 || n > CORR_POINTS_MAX)
		return 1;
	/* each point's link type (its file is opened again per hop it sends on) */
	for (size_t s = 0; s < n; s++) {
		iks_capture *p = iks_capture_open(paths[s], NULL, err);
		if (!p) {
			fprintf(stderr, "pcapcorrelate: %s\n", err);
			return 1;
		}
		lt[s] = iks_capture_linktype(p);
		iks_capture_close(p);
	}
	bool same = true;
	for (size_t s = 1; s < n; s++)
		same = same && lt[s] == lt[0];
	lost_writer w;
	memset(&w, 0, sizeof(w));
	int status = 0;
	if (!same) {
		w.ng = fopen(out, "wb");
		if (!w.ng || !ng_header(w.ng, lt, n)) {
			fprintf(stderr, "pcapcorrelate: %s: cannot write\n", out);
			status = 1;
		}
	} else {
		char werr[IKS_ERRBUF_SIZE];
		w.dump = iks_capture_writer_open(out, lt[0], werr);
		if (!w.dump) {
			fprintf(stderr, "pcapcorrelate: %s: cannot write: %s\n", out, werr);
			status = 1;
		}
	}
	/* hop i: what a sent from point i's file, what b sent from point i+1's */
	for (size_t h = 0; h + 1 < n && status == 0; h++)
		for (int s = 0; s < 2 && status == 0; s++) {
			size_t pt = h + (size_t)s;
			iks_capture *p = iks_capture_open(paths[pt], NULL, err);
			if (!p) {
				fprintf(stderr, "pcapcorrelate: %s\n", err);
				status = 1;
				break;
			}
			int rc = write_side(&w, s, (int)pt, p, hops[h]);
			iks_capture_close(p);
			if (rc < 0) {
				fprintf(stderr, "pcapcorrelate: %s: cannot write\n", out);
				status = 1;
			} else if (rc > 0) {
				status = 1;
			}
		}
	iks_capture_writer_close(w.dump);
	if (w.ng && fclose(w.ng) != 0 && status == 0) {
		fprintf(stderr, "pcapcorrelate: %s: cannot write\n", out);
		status = 1;
	}
	return status;
}
