/*
 * fuzz_decrypt.c - the decryption paths on hostile bytes: a key file and a
 * sequence of frames decoded by one decoder with those keys loaded, so
 * that ESP (CBC, CTR, GCM, NULL; HMAC ICVs), AH, IKEv1 (the IV chain
 * across messages) and IKEv2 SK/SKF (reassembly of decrypted fragments)
 * run with keys that match the SPIs and cookies of the seeds (cut by
 * mkseeds from the strongSwan and scapy captures and their key files).
 *
 * Input: byte 0 selects the link type (fuzz_linktypes); bytes 1-2 (big
 * endian): bit 15 turns ESP-NULL detection on, bits 0-14 are the length K
 * of the key file that follows (cut to what is left); then K bytes of key
 * file (any format iks_keys_load_buffer reads); then fuzz_stateful
 * records (fuzz_run_records).
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	int linktype = fuzz_linktypes[data[0] % FUZZ_NLINKTYPES];
	bool esp_null = (data[1] & 0x80) != 0;
	size_t klen = (size_t)(data[1] & 0x7f) << 8 | data[2];
	if (klen > size - 3)
		klen = size - 3;
	iks_keys_limits klim = { .esp_sas_max = 64, .diags_max = 16 };
	iks_keys *keys = iks_keys_new(&klim);
	if (!keys)
		return 0;
	iks_keys_load_buffer(keys, "fuzz.keys", data + 3, klen);
	iks_decoder_limits lim;
	fuzz_small_limits(&lim);
	iks_decoder *dec = iks_decoder_new(&lim);
	if (dec && iks_decoder_set_keys(dec, keys) == IKS_OK &&
	    iks_decoder_set_esp_null(dec, esp_null) == IKS_OK)
		fuzz_run_records(dec, &lim, linktype, data + 3 + klen, size - 3 - klen);
	iks_decoder_free(dec);
	iks_keys_free(keys);
	return 0;
}
