/*
 * fuzz_stateful.c - iks_decode() over a sequence of frames with the small
 * caps of fuzz_small_limits(), so that reassembly, overlaps, timeouts,
 * evictions and every cap are reached by short inputs.
 *
 * Input: byte 0 selects the link type (fuzz_linktypes); then records
 *   | time step (1) | frame length (2, big endian) | frame bytes |
 * where the capture clock advances by the step times 100 ms; the last
 * record takes what is left when it is shorter than its length
 * (fuzz_run_records() in invariants.c, shared with fuzz_decrypt.c).
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	iks_decoder_limits lim;
	fuzz_small_limits(&lim);
	iks_decoder *dec = iks_decoder_new(&lim);
	if (!dec)
		return 0;
	fuzz_run_records(dec, &lim, fuzz_linktypes[data[0] % FUZZ_NLINKTYPES], data + 1, size - 1);
	iks_decoder_free(dec);
	return 0;
}
