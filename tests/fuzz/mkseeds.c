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
 *   OUTDIR/decrypt/   the stateful chunks behind the capture's key files
 *                     (fuzz_decrypt.c input), for captures with keys
 * and, from the text files next to the first capture (its directory):
 *   OUTDIR/keys/      every key file (*_esp_sa, *_decryption_table,
 *                     *.tcpdump) and the key dumps of each charon log
 *   OUTDIR/log/       each charon log and Oakley.log (oakley/SET/) cut to
 *                     its first 300 lines, behind a format byte 0 (auto);
 *                     each log of logs/ (charon time formats, pluto) so cut
 *                     and around its first hex-dumped packet
 *   OUTDIR/audit/     each audit event export (events/)
 *   OUTDIR/capture/   each Network Monitor 1.x/2.x capture (netmon/), whole
 * A capture's key files are found by name: NAME_a.pcap uses NAME_esp_sa,
 * NAME_ikev1_decryption_table and NAME_ikev2_decryption_table;
 * scapy_*.pcap uses scapy_keys.tcpdump.
 * Prints how many seeds of each kind it wrote; exits 1 on any failure.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define CHUNK_MAX 32768
#define PCAP_FRAMES 48

static const char *outdir;
#define NKINDS 8
enum { K_PACKET, K_IKE, K_STATEFUL, K_CAPTURE, K_DECRYPT, K_KEYS, K_LOG, K_AUDIT };
static unsigned long written[NKINDS];
static const char *const kinds[NKINDS] = { "packet", "ike", "stateful", "capture",
					       "decrypt", "keys", "log", "audit" };

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

/* Append a whole file to *b; 0 when it does not exist, 1 on a read error. */
static int add_file(buf *b, const char *path, size_t max_lines)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? 0 : 1;
	int c, rc = 0;
	size_t lines = 0;
	while (rc == 0 && (c = getc(f)) != EOF && lines < max_lines) {
		uint8_t ch = (uint8_t)c;
		rc = buf_add(b, &ch, 1);
		if (c == '\n')
			lines++;
	}
	fclose(f);
	return rc;
}

/* The key files of a capture (see the header), concatenated into *keys. */
static int capture_keys(const char *path, buf *keys)
{
	char stem[4096], name[4200];
	snprintf(stem, sizeof(stem), "%s", path);
	char *base = strrchr(stem, '/');
	base = base ? base + 1 : stem;
	if (strncmp(base, "scapy_", 6) == 0) {
		snprintf(base, sizeof(stem) - (size_t)(base - stem), "scapy_keys.tcpdump");
		return add_file(keys, stem, SIZE_MAX);
	}
	char *dot = strrchr(base, '.');
	if (dot)
		*dot = '\0';
	size_t n = strlen(base);
	if (n > 2 && base[n - 2] == '_' && (base[n - 1] == 'a' || base[n - 1] == 'b'))
		base[n - 2] = '\0';
	static const char *const suffix[] = { "_esp_sa", "_ikev1_decryption_table",
					      "_ikev2_decryption_table" };
	int rc = 0;
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s%s", stem, suffix[i]);
		rc |= add_file(keys, name, SIZE_MAX);
	}
	return rc;
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
	/* fuzz_decrypt.c: selector, key length (15 bits), the key files */
	buf keys = { 0 };
	rc |= capture_keys(path, &keys);
	if (keys.len > 0x7fff)
		keys.len = 0x7fff;
	uint8_t kh[3] = { sel, (uint8_t)(keys.len >> 8), (uint8_t)keys.len };
	buf khead = { 0 };
	rc |= buf_add(&khead, kh, 3);
	if (keys.len)
		rc |= buf_add(&khead, keys.p, keys.len);

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
			if (keys.len)
				rc |= put(K_DECRYPT, khead.p, khead.len, chunk.p + 1, chunk.len - 1);
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
	if (rc == 0 && chunk.len > 1) {
		rc |= put(2, chunk.p, chunk.len, NULL, 0);
		if (keys.len)
			rc |= put(K_DECRYPT, khead.p, khead.len, chunk.p + 1, chunk.len - 1);
	}
	free(keys.p);
	free(khead.p);
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

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* One seed of `kind` from a file: `pre` bytes first, at most max_lines. */
static int file_seed(int kind, const char *path, const uint8_t *pre, size_t npre,
		     size_t max_lines)
{
	buf b = { 0 };
	int rc = npre ? buf_add(&b, pre, npre) : 0;
	rc |= add_file(&b, path, max_lines);
	if (rc == 0 && b.len > npre)
		rc = put(kind, b.p, b.len, NULL, 0);
	free(b.p);
	return rc;
}

/* The key dumps of a charon log: from 10 lines before its first
 * "SKEYSEED" or "Sk_" line, 80 lines. */
static int charon_key_seed(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 1;
	char line[8192];
	long first = -1, n = 0;
	while (first < 0 && fgets(line, sizeof(line), f)) {
		if (strstr(line, "SKEYSEED") || strstr(line, "Sk_"))
			first = n;
		n++;
	}
	int rc = 0;
	if (first >= 0) {
		rewind(f);
		buf b = { 0 };
		for (long i = 0; i < first + 70 && fgets(line, sizeof(line), f) && rc == 0; i++)
			if (i >= first - 10)
				rc = buf_add(&b, line, strlen(line));
		if (rc == 0 && b.len)
			rc = put(K_KEYS, b.p, b.len, NULL, 0);
		free(b.p);
	}
	fclose(f);
	return rc;
}

/* A window of a log around its first packet line with a hex dump (charon
 * net=3 "received packet =>", pluto "sending N bytes", racoon "K times of N
 * bytes message will be sent to"): 40 lines before,
 * 260 in all, behind the auto format byte. */
static int dump_log_seed(const char *path)
{
	static const uint8_t auto_fmt = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 1;
	char line[8192];
	long first = -1, n = 0;
	while (first < 0 && fgets(line, sizeof(line), f)) {
		if (strstr(line, "received packet =>") || strstr(line, "| sending ") ||
		    strstr(line, "generated data of this generator") ||
		    strstr(line, " bytes message will be sent to "))
			first = n;
		n++;
	}
	int rc = 0;
	if (first >= 0) {
		rewind(f);
		buf b = { 0 };
		rc = buf_add(&b, &auto_fmt, 1);
		for (long i = 0; i < first + 220 && fgets(line, sizeof(line), f) && rc == 0; i++)
			if (i >= first - 40)
				rc = buf_add(&b, line, strlen(line));
		if (rc == 0 && b.len > 1)
			rc = put(K_LOG, b.p, b.len, NULL, 0);
		free(b.p);
	}
	fclose(f);
	return rc;
}

/* dir/name into out; false when it does not fit. */
static bool join(char *out, size_t n, const char *dir, const char *name)
{
	int r = snprintf(out, n, "%s/%s", dir, name);
	return r > 0 && (size_t)r < n;
}

/* Keys, logs and audit exports found in the capture directory. */
static int text_seeds(const char *capdir)
{
	static const uint8_t auto_fmt = 0;
	char path[4096], sub[4096], file[4096];
	int rc = 0;
	DIR *d = opendir(capdir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (!join(path, sizeof(path), capdir, e->d_name))
			continue;
		if (ends_with(e->d_name, "_esp_sa") || ends_with(e->d_name, "_decryption_table") ||
		    ends_with(e->d_name, ".tcpdump"))
			rc |= file_seed(K_KEYS, path, NULL, 0, SIZE_MAX);
		if (strstr(e->d_name, "_charon_") && ends_with(e->d_name, ".log")) {
			rc |= charon_key_seed(path);
			rc |= file_seed(K_LOG, path, &auto_fmt, 1, 300);
		}
	}
	if (d)
		closedir(d);
	DIR *o = join(path, sizeof(path), capdir, "oakley") ? opendir(path) : NULL;
	while (o && (e = readdir(o)) != NULL) {
		if (e->d_name[0] == '.' || !join(sub, sizeof(sub), path, e->d_name))
			continue;
		DIR *s = opendir(sub);
		struct dirent *g;
		while (s && (g = readdir(s)) != NULL)
			if (g->d_name[0] != '.' && join(file, sizeof(file), sub, g->d_name))
				rc |= file_seed(K_LOG, file, &auto_fmt, 1, 300);
		if (s)
			closedir(s);
	}
	if (o)
		closedir(o);
	/* logs/: charon in other time formats and pluto, with packet dumps */
	DIR *l = join(path, sizeof(path), capdir, "logs") ? opendir(path) : NULL;
	while (l && (e = readdir(l)) != NULL)
		if (ends_with(e->d_name, ".log") && join(file, sizeof(file), path, e->d_name)) {
			rc |= file_seed(K_LOG, file, &auto_fmt, 1, 300);
			rc |= dump_log_seed(file);
		}
	if (l)
		closedir(l);
	static const char *const subdirs[2] = { "events", "netmon" };
	for (int i = 0; i < 2; i++) {
		DIR *sd = join(path, sizeof(path), capdir, subdirs[i]) ? opendir(path) : NULL;
		while (sd && (e = readdir(sd)) != NULL)
			if (e->d_name[0] != '.' && join(file, sizeof(file), path, e->d_name))
				rc |= file_seed(i ? K_CAPTURE : K_AUDIT, file, NULL, 0, SIZE_MAX);
		if (sd)
			closedir(sd);
	}
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
	for (int k = 0; k < NKINDS; k++) {
		snprintf(path, sizeof(path), "%s/%s", outdir, kinds[k]);
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "mkseeds: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	int rc = 0;
	for (int i = 2; i < argc; i++)
		rc |= one_capture(argv[i]);
	char capdir[4096];
	snprintf(capdir, sizeof(capdir), "%s", argv[2]);
	char *slash = strrchr(capdir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(capdir, sizeof(capdir), ".");
	rc |= text_seeds(capdir);
	printf("mkseeds: new seeds:");
	for (int k = 0; k < NKINDS; k++)
		printf(" %lu %s%s", written[k], kinds[k], k + 1 < NKINDS ? "," : "\n");
	return rc;
}
