/*
 * keys_wireshark.c - Wireshark's key tables: esp_sa UAT records and the
 * ikev1/ikev2_decryption_table records, one line each.
 */
#include "config.h"

#include <string.h>

#include "core/text.h"
#include "keys/keys_internal.h"

/* Wireshark's encryption names (the part before " [RFC...]" suffices). */
static int wireshark_enc(field f)
{
	if (feq(f, "NULL"))
		return IKS_ENC_NULL;
	if (fprefix(f, "AES-CBC"))
		return IKS_ENC_AES_CBC;
	if (fprefix(f, "AES-CTR"))
		return IKS_ENC_AES_CTR;
	if (fprefix(f, "AES-GCM with 8 octet ICV"))
		return IKS_ENC_AES_GCM_8;
	if (fprefix(f, "AES-GCM with 12 octet ICV"))
		return IKS_ENC_AES_GCM_12;
	if (fprefix(f, "AES-GCM with 16 octet ICV"))
		return IKS_ENC_AES_GCM_16;
	if (fprefix(f, "TripleDES-CBC"))
		return IKS_ENC_3DES_CBC;
	return IKS_ENC_UNKNOWN;
}

static int wireshark_auth(field f)
{
	if (feq(f, "NULL"))
		return IKS_AUTH_NONE;
	if (fprefix(f, "HMAC-SHA-1-96"))
		return IKS_AUTH_HMAC_SHA1_96;
	if (fprefix(f, "HMAC-SHA-256-128"))
		return IKS_AUTH_HMAC_SHA256_128;
	if (fprefix(f, "HMAC-SHA-384-192"))
		return IKS_AUTH_HMAC_SHA384_192;
	if (fprefix(f, "HMAC-SHA-512-256"))
		return IKS_AUTH_HMAC_SHA512_256;
	if (fprefix(f, "HMAC-MD5-96"))
		return IKS_AUTH_HMAC_MD5_96;
	return IKS_AUTH_UNKNOWN;
}

/* "IPv4","*","*","0xSPI","ENC","0xKEY","AUTH","0xKEY" (Wireshark esp_sa) */
const char *uat_esp(iks_keys *k, const field *f, size_t n)
{
	esp_sa sa;
	memset(&sa, 0, sizeof(sa));
	if (!parse_u32(f[3], &sa.spi))
		return "esp_sa: SPI is not a hex number";
	sa.any_dst = f[2].len == 0 || feq(f[2], "*");
	if (!sa.any_dst && !text_ip(f[2].p, f[2].len, &sa.dst))
		return "esp_sa: destination is neither * nor an IP address";
	sa.enc = wireshark_enc(f[4]);
	if (sa.enc == IKS_ENC_UNKNOWN)
		return "esp_sa: unknown encryption algorithm";
	int kl = parse_hex(f[5], sa.enc_key, sizeof(sa.enc_key));
	if (kl < 0 || !enc_key_ok(sa.enc, kl))
		return "esp_sa: encryption key is not hex of the algorithm's length";
	sa.enc_key_len = (uint8_t)kl;
	sa.auth = n > 6 ? wireshark_auth(f[6]) : IKS_AUTH_NONE;
	if (sa.auth == IKS_AUTH_UNKNOWN)
		return "esp_sa: unknown authentication algorithm";
	if (sa.auth != IKS_AUTH_NONE) {
		int al = n > 7 ? parse_hex(f[7], sa.auth_key, sizeof(sa.auth_key)) : -1;
		if (al <= 0)
			return "esp_sa: authentication key is not hex";
		sa.auth_key_len = (uint8_t)al;
	}
	return keys_add_esp(k, &sa);
}

/* Wireshark's IKEv2 encryption names */
static int ikev2_enc_of(field f)
{
	if (fprefix(f, "NONE"))
		return IKEV2_ENC_NONE;
	if (fprefix(f, "3DES"))
		return IKEV2_ENC_3DES;
	if (fprefix(f, "AES-CBC"))
		return IKEV2_ENC_AES_CBC;
	if (fprefix(f, "AES-CTR"))
		return IKEV2_ENC_AES_CTR;
	if (fprefix(f, "AES-GCM")) {
		for (size_t i = 0; i + 8 <= f.len; i++) {
			field w = { f.p + i, 8 };
			if (feq(w, "with 8 o"))
				return IKEV2_ENC_AES_GCM_8;
			if (feq(w, "with 12 "))
				return IKEV2_ENC_AES_GCM_12;
			if (feq(w, "with 16 "))
				return IKEV2_ENC_AES_GCM_16;
		}
	}
	return IKEV2_ENC_UNKNOWN;
}

static int ikev2_integ_of(field f)
{
	if (fprefix(f, "NONE"))
		return IKS_AUTH_NONE;
	if (fprefix(f, "HMAC_SHA1_96"))
		return IKS_AUTH_HMAC_SHA1_96;
	if (fprefix(f, "HMAC_SHA2_256_128"))
		return IKS_AUTH_HMAC_SHA256_128;
	if (fprefix(f, "HMAC_SHA2_384_192"))
		return IKS_AUTH_HMAC_SHA384_192;
	if (fprefix(f, "HMAC_SHA2_512_256"))
		return IKS_AUTH_HMAC_SHA512_256;
	if (fprefix(f, "HMAC_MD5_96"))
		return IKS_AUTH_HMAC_MD5_96;
	return IKS_AUTH_UNKNOWN;
}

/* SPIi,SPIr,SK_ei,SK_er,"ENC",SK_ai,SK_ar,"INTEG" (Wireshark ikev2_decryption_table) */
const char *uat_ikev2(iks_keys *k, const field *f)
{
	ikev2_sa sa;
	memset(&sa, 0, sizeof(sa));
	if (parse_hex(f[0], sa.ispi, 8) != 8 || parse_hex(f[1], sa.rspi, 8) != 8)
		return "ikev2_decryption_table: SPIs are not 16 hex digits";
	sa.enc = ikev2_enc_of(f[4]);
	if (sa.enc == IKEV2_ENC_UNKNOWN)
		return "ikev2_decryption_table: unknown encryption algorithm";
	int ei = parse_hex(f[2], sa.sk_ei, sizeof(sa.sk_ei));
	int er = parse_hex(f[3], sa.sk_er, sizeof(sa.sk_er));
	if (ei < 0 || ei != er)
		return "ikev2_decryption_table: SK_ei/SK_er are not hex of one length";
	sa.key_len = (uint8_t)ei;
	sa.integ = ikev2_integ_of(f[7]);
	if (sa.integ == IKS_AUTH_UNKNOWN)
		return "ikev2_decryption_table: unknown integrity algorithm";
	int ai = parse_hex(f[5], sa.sk_ai, sizeof(sa.sk_ai));
	int ar = parse_hex(f[6], sa.sk_ar, sizeof(sa.sk_ar));
	if (ai < 0 || ai != ar)
		return "ikev2_decryption_table: SK_ai/SK_ar are not hex of one length";
	sa.integ_key_len = (uint8_t)ai;
	return keys_add_ikev2(k, &sa);
}

/* cookie_i,Ka (Wireshark ikev1_decryption_table) */
const char *uat_ikev1(iks_keys *k, const field *f)
{
	ikev1_key key;
	memset(&key, 0, sizeof(key));
	if (parse_hex(f[0], key.icookie, 8) != 8)
		return "ikev1_decryption_table: initiator cookie is not 16 hex digits";
	int kl = parse_hex(f[1], key.ka, sizeof(key.ka));
	if (kl != 8 && kl != 16 && kl != 24 && kl != 32)
		return "ikev1_decryption_table: key is not 8, 16, 24 or 32 bytes of hex";
	key.ka_len = (uint8_t)kl;
	return keys_add_ikev1(k, &key);
}
