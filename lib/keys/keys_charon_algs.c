/*
 * keys_charon_algs.c - strongSwan's transform names as its "selected
 * proposal" lines print them (RFC 7296 section 3.3.2 transforms; IANA
 * "IKEv2 Parameters"), mapped to ikescope's algorithms.
 */
#include "config.h"

#include <string.h>

#include "keys/keys_internal.h"

static bool starts(field f, const char *s)
{
	size_t n = strlen(s);
	return f.len >= n && !memcmp(f.p, s, n);
}

/* strongSwan's encryption algorithm names (its proposal strings) */
bool charon_enc_name(field f, int *enc, int *enc2, unsigned *key_bytes)
{
	static const struct {
		const char *name;
		int enc, enc2;
		unsigned bytes;
	} tab[] = {
		{ "AES_CBC_128", IKS_ENC_AES_CBC, IKEV2_ENC_AES_CBC, 16 },
		{ "AES_CBC_192", IKS_ENC_AES_CBC, IKEV2_ENC_AES_CBC, 24 },
		{ "AES_CBC_256", IKS_ENC_AES_CBC, IKEV2_ENC_AES_CBC, 32 },
		{ "AES_CTR_128", IKS_ENC_AES_CTR, IKEV2_ENC_AES_CTR, 20 },
		{ "AES_CTR_192", IKS_ENC_AES_CTR, IKEV2_ENC_AES_CTR, 28 },
		{ "AES_CTR_256", IKS_ENC_AES_CTR, IKEV2_ENC_AES_CTR, 36 },
		{ "AES_GCM_8_128", IKS_ENC_AES_GCM_8, IKEV2_ENC_AES_GCM_8, 20 },
		{ "AES_GCM_8_192", IKS_ENC_AES_GCM_8, IKEV2_ENC_AES_GCM_8, 28 },
		{ "AES_GCM_8_256", IKS_ENC_AES_GCM_8, IKEV2_ENC_AES_GCM_8, 36 },
		{ "AES_GCM_12_128", IKS_ENC_AES_GCM_12, IKEV2_ENC_AES_GCM_12, 20 },
		{ "AES_GCM_12_192", IKS_ENC_AES_GCM_12, IKEV2_ENC_AES_GCM_12, 28 },
		{ "AES_GCM_12_256", IKS_ENC_AES_GCM_12, IKEV2_ENC_AES_GCM_12, 36 },
		{ "AES_GCM_16_128", IKS_ENC_AES_GCM_16, IKEV2_ENC_AES_GCM_16, 20 },
		{ "AES_GCM_16_192", IKS_ENC_AES_GCM_16, IKEV2_ENC_AES_GCM_16, 28 },
		{ "AES_GCM_16_256", IKS_ENC_AES_GCM_16, IKEV2_ENC_AES_GCM_16, 36 },
		{ "3DES_CBC", IKS_ENC_3DES_CBC, IKEV2_ENC_3DES, 24 },
		{ "NULL", IKS_ENC_NULL, IKEV2_ENC_NONE, 0 },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (f.len == strlen(tab[i].name) && !memcmp(f.p, tab[i].name, f.len)) {
			*enc = tab[i].enc;
			*enc2 = tab[i].enc2;
			*key_bytes = tab[i].bytes;
			return true;
		}
	}
	return false;
}

int charon_integ_name(field f)
{
	if (feq(f, "HMAC_SHA1_96"))
		return IKS_AUTH_HMAC_SHA1_96;
	if (feq(f, "HMAC_SHA2_256_128"))
		return IKS_AUTH_HMAC_SHA256_128;
	if (feq(f, "HMAC_SHA2_384_192"))
		return IKS_AUTH_HMAC_SHA384_192;
	if (feq(f, "HMAC_SHA2_512_256"))
		return IKS_AUTH_HMAC_SHA512_256;
	if (feq(f, "HMAC_MD5_96"))
		return IKS_AUTH_HMAC_MD5_96;
	return IKS_AUTH_UNKNOWN;
}

/* Transforms that carry no key for us: PRFs, key exchange methods, ESN. */
bool charon_ignored_name(field f)
{
	return starts(f, "PRF_") || starts(f, "MODP_") || starts(f, "ECP_") ||
	       starts(f, "CURVE_") || starts(f, "ECP") || starts(f, "ML_KEM") ||
	       starts(f, "KE") || feq(f, "NO_EXT_SEQ") || feq(f, "EXT_SEQ");
}
