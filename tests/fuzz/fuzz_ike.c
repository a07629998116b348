/* fuzz_ike.c - iks_ike_decode(): an ISAKMP/IKE message from memory. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	iks_ike_info ike;
	iks_status st = iks_ike_decode(data, size, &ike);
	if (st != ike.status)
		fuzz_fail("iks_ike_decode", "return value differs from ike.status");
	FUZZ_CHECK("iks_ike_decode", fuzz_check_ike(&ike, size));
	return 0;
}
