/*
 * mkseeds.c - seed corpora for the fuzz harnesses, cut from real captures.
 *
 * usage: mkseeds OUTDIR CAPTURE...
 * Writes, named by a hash of their content (so duplicates collapse):
 *   OUTDIR/packet/    selector byte + one frame, for every frame
 *   OUTDIR/ike/       every whole IKE message (reassembled ones included)
 *   OUTDIR/stateful/  the capture's frames as fuzz_stateful.c records,
 *                     in chunks of at most 32 KiB
 *   OUTDIR/capture/   a nanosecond pcap of the first 48 frames
 * Prints how many seeds of each kind it wrote; exits 1 on any failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define CHUNK_MAX 32768
#define PCAP_FRAMES 48

static const char *outdir;
static unsigned long written[4];
static const char *const kinds[4] = { "packet", "ike", "stateful", "capture" };

static int put(int kind, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < alen; i++)
		h = (h ^ a[i]) * 0x100000001b3ull;
	for (size_t i = 0; i < blen; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s/%016llx", outdir, kinds[kind], (unsigned long long)h);
	struct stat sb;
	if (stat(path, &sb) == 0)
		return 0;
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(a, 1, alen, f) != alen || (blen && fwrite(b, 1, blen, f) != blen) ||
	    fclose(f) != 0) {
		fprintf(stderr, "mkseeds: %s: cannot write\n", path);
		return 1;
	}
	written[kind]++;
	return 0;
}

typedef struct buf {
	uint8_t *p;
	size_t len, cap;
} buf;

static int buf_add(buf *b, const void *p, size_t n)
{
	if (b->cap - b->len < n) {
		size_t c = b->cap ? b->cap : 4096;
		while (c - b->len < n)
			c *= 2;
		uint8_t *q = realloc(b->p, c);
		if (!q)
			return 1;
		b->p = q;
		b->cap = c;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int one_capture(const char *path)
{
	char err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open(path, NULL, err);
	if (!cap) {
		fprintf(stderr, "mkseeds: %s\n", err);
		return 1;
	}
	iks_decoder *dec = iks_decoder_new(NULL);
	buf chunk = { 0 }, pcap = { 0 };
	uint8_t sel = 0;
	int idx = fuzz_linktype_index(iks_capture_linktype(cap));
	if (idx >= 0)
		sel = (uint8_t)idx;
	int rc = dec ? 0 : 1;
	uint8_t gh[24] = { 0 };
	le32(gh, 0xa1b23c4d); /* nanosecond pcap, version 2.4 */
	gh[4] = 2;
	gh[6] = 4;
	le32(gh + 16, 262144);
	le32(gh + 20, (uint32_t)iks_capture_linktype(cap));
	rc |= buf_add(&pcap, gh, sizeof(gh));
	rc |= buf_add(&chunk, &sel, 1);

	iks_frame f;
	iks_packet pkt;
	int64_t prev_ms = -1;
	while (rc == 0 && iks_capture_next(cap, &f) == 1) {
		rc |= put(0, &sel, 1, f.data, f.caplen);
		iks_decode(dec, &f, &pkt);
		const iks_ike_info *ike = &pkt.l.ike;
		if (ike->present && ike->status == IKS_OK && ike->raw.len == ike->length)
			rc |= put(1, ike->raw.p, ike->raw.len, NULL, 0);
		iks_event ev;
		while (iks_decoder_next_event(dec, &ev) == 1)
			;

		int64_t ms = f.ts_sec * 1000 + f.ts_nsec / 1000000;
		int64_t step = prev_ms < 0 ? 0 : (ms - prev_ms) / 100;
		prev_ms = ms;
		uint32_t flen = f.caplen > 0xffff ? 0xffff : f.caplen;
		if (chunk.len + 3 + flen > CHUNK_MAX && chunk.len > 1) {
			rc |= put(2, chunk.p, chunk.len, NULL, 0);
			chunk.len = 1;
		}
		uint8_t rh[3] = { (uint8_t)(step < 0 ? 0 : step > 255 ? 255 : step),
				  (uint8_t)(flen >> 8), (uint8_t)flen };
		rc |= buf_add(&chunk, rh, 3);
		rc |= buf_add(&chunk, f.data, flen);

		if (f.number <= PCAP_FRAMES) {
			uint8_t ph[16];
			le32(ph, (uint32_t)f.ts_sec);
			le32(ph + 4, f.ts_nsec);
			le32(ph + 8, f.caplen);
			le32(ph + 12, f.wirelen);
			rc |= buf_add(&pcap, ph, sizeof(ph));
			rc |= buf_add(&pcap, f.data, f.caplen);
		}
	}
	if (rc == 0 && chunk.len > 1)
		rc |= put(2, chunk.p, chunk.len, NULL, 0);
	if (rc == 0)
		rc |= put(3, pcap.p, pcap.len, NULL, 0);
	free(chunk.p);
	free(pcap.p);
	iks_decoder_free(dec);
	iks_capture_close(cap);
	if (rc)
		fprintf(stderr, "mkseeds: %s: failed\n", path);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: mkseeds OUTDIR CAPTURE...\n");
		return 2;
	}
	outdir = argv[1];
	char path[4096];
	mkdir(outdir, 0777);
	for (int k = 0; k < 4; k++) {
		snprintf(path, sizeof(path), "%s/%s", outdir, kinds[k]);
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "mkseeds: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	int rc = 0;
	for (int i = 2; i < argc; i++)
		rc |= one_capture(argv[i]);
	printf("mkseeds: new seeds: %lu packet, %lu ike, %lu stateful, %lu capture\n", written[0],
	       written[1], written[2], written[3]);
	return rc;
}
