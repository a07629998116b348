/*
 * fuzz_capture.c - the whole capture path: the input is a capture file
 * (pcap or pcapng) held in memory, opened with iks_capture_open() through
 * a memfd (a temporary file where memfd_create() is missing), read with
 * iks_capture_next() and decoded with a small-caps decoder. Inputs of odd
 * length are opened with a BPF filter too.
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FRAMES_MAX 10000

static int open_scratch(char *path, size_t len)
{
#ifdef MFD_CLOEXEC
	int fd = memfd_create("ikescope-fuzz", MFD_CLOEXEC);
	if (fd >= 0) {
		snprintf(path, len, "/proc/self/fd/%d", fd);
		if (access(path, R_OK) == 0)
			return fd;
		close(fd);
	}
#endif
	const char *dir = getenv("TMPDIR");
	snprintf(path, len, "%s/ikescope-fuzz-XXXXXX", dir && dir[0] ? dir : "/tmp");
	return mkstemp(path);
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[256], err[IKS_ERRBUF_SIZE];
	int fd = open_scratch(path, sizeof(path));
	if (fd < 0)
		return 0;
	bool memfd = strncmp(path, "/proc/", 6) == 0;
	if (!write_all(fd, data, size))
		goto out;

	const char *filter = size % 2 ? "udp port 500 or udp port 4500 or ip[6:2] & 0x3fff != 0" : NULL;
	iks_capture *cap = iks_capture_open(path, filter, err);
	if (!cap) {
		if (!err[0])
			fuzz_fail("iks_capture_open", "failed without a message");
		goto out;
	}
	iks_decoder_limits lim;
	fuzz_small_limits(&lim);
	iks_decoder *dec = iks_decoder_new(&lim);
	if (!dec) {
		iks_capture_close(cap);
		goto out;
	}
	iks_frame f;
	iks_event ev;
	int rc = 0;
	uint64_t last = 0;
	for (unsigned n = 0; n < FRAMES_MAX && (rc = iks_capture_next(cap, &f)) == 1; n++) {
		if (f.number <= last || f.caplen > f.wirelen)
			fuzz_fail("iks_capture_next", "frame numbers not increasing or caplen > wirelen");
		last = f.number;
		iks_packet pkt;
		iks_decode(dec, &f, &pkt);
		FUZZ_CHECK("iks_decode", fuzz_check_packet(&pkt, f.data, f.caplen, false));
		while (iks_decoder_next_event(dec, &ev) == 1)
			FUZZ_CHECK("iks_decoder_next_event", fuzz_check_event(&ev));
	}
	if (rc < 0 && !iks_capture_error(cap)[0])
		fuzz_fail("iks_capture_next", "failed without a message");
	iks_decoder_finish(dec);
	while (iks_decoder_next_event(dec, &ev) == 1)
		FUZZ_CHECK("iks_decoder_next_event", fuzz_check_event(&ev));
	iks_decoder_free(dec);
	iks_capture_close(cap);
out:
	close(fd);
	if (!memfd)
		unlink(path);
	return 0;
}
