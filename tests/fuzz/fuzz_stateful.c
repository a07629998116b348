/*
 * fuzz_stateful.c - iks_decode() over a sequence of frames with the small
 * caps of fuzz_small_limits(), so that reassembly, overlaps, timeouts,
 * evictions and every cap are reached by short inputs.
 *
 * Input: byte 0 selects the link type (fuzz_linktypes); then records
 *   | time step (1) | frame length (2, big endian) | frame bytes |
 * where the capture clock advances by the step times 100 ms; the last
 * record takes what is left when it is shorter than its length.
 */
#include "fuzz.h"

#include <string.h>

#define FRAMES_MAX 4096

static void drain(iks_decoder *dec)
{
	iks_event ev;
	while (iks_decoder_next_event(dec, &ev) == 1)
		FUZZ_CHECK("iks_decoder_next_event", fuzz_check_event(&ev));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	iks_decoder_limits lim;
	fuzz_small_limits(&lim);
	iks_decoder *dec = iks_decoder_new(&lim);
	if (!dec)
		return 0;
	int linktype = fuzz_linktypes[data[0] % FUZZ_NLINKTYPES];
	size_t pos = 1;
	uint64_t clock_ms = 1000000;
	uint64_t n = 0;
	while (size - pos >= 3 && n < FRAMES_MAX) {
		uint8_t step = data[pos];
		size_t flen = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (flen > size - pos)
			flen = size - pos;
		clock_ms += (uint64_t)step * 100;
		iks_frame f;
		memset(&f, 0, sizeof(f));
		f.number = ++n;
		f.ts_sec = (int64_t)(clock_ms / 1000);
		f.ts_nsec = (uint32_t)(clock_ms % 1000) * 1000000u;
		f.linktype = linktype;
		f.caplen = f.wirelen = (uint32_t)flen;
		f.data = data + pos;
		iks_packet pkt;
		if (iks_decode(dec, &f, &pkt) != IKS_OK)
			fuzz_fail("iks_decode", "refused a valid frame");
		FUZZ_CHECK("iks_decode", fuzz_check_packet(&pkt, f.data, flen, false));
		drain(dec);
		pos += flen;
	}
	iks_decoder_finish(dec);
	drain(dec);
	iks_decoder_stats st;
	iks_decoder_get_stats(dec, &st);
	FUZZ_CHECK("iks_decoder_get_stats", fuzz_check_stats(&st, &lim));
	if (st.frames != n)
		fuzz_fail("iks_decoder_get_stats", "frame count differs from the frames decoded");
	iks_decoder_free(dec);
	return 0;
}
