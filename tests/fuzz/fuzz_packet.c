/*
 * fuzz_packet.c - iks_decode_buffer(): one frame, no state. The first
 * input byte selects the link type (fuzz_linktypes), the rest is the frame.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int linktype = fuzz_linktypes[data[0] % FUZZ_NLINKTYPES];
	iks_packet pkt;
	if (iks_decode_buffer(linktype, data + 1, size - 1, &pkt) != IKS_OK)
		fuzz_fail("iks_decode_buffer", "refused a valid buffer");
	FUZZ_CHECK("iks_decode_buffer", fuzz_check_packet(&pkt, data + 1, size - 1, true));
	return 0;
}
