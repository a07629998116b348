/*
 * keys_tcpdump.c - tcpdump's -E syntax (SPI@DST ALGO:SECRET), with the
 * ikescope extension of a third AUTH:0xKEY field and AH SAs.
 */
#include "config.h"

#include <string.h>

#include "core/text.h"
#include "keys/keys_internal.h"

/* tcpdump -E: SPI@DST ALGO:SECRET [AUTH:SECRET] */
const char *tcpdump_esp(iks_keys *k, const field *f, size_t n)
{
	esp_sa sa;
	memset(&sa, 0, sizeof(sa));
	const char *at = memchr(f[0].p, '@', f[0].len);
	field spi = { f[0].p, (size_t)(at - f[0].p) };
	field dst = { at + 1, f[0].len - spi.len - 1 };
	if (!parse_u32(spi, &sa.spi))
		return "tcpdump -E: SPI is not a hex number";
	if (!text_ip(dst.p, dst.len, &sa.dst))
		return "tcpdump -E: destination is not an IP address";
	if (feq(f[1], "ah")) {
		/* ikescope extension: SPI@DST ah AUTH:KEY, an AH SA */
		sa.ah = true;
		sa.enc = IKS_ENC_NULL;
		if (n < 3)
			return "tcpdump -E: an AH SA needs AUTH:KEY";
	}
	const char *colon = memchr(f[1].p, ':', f[1].len);
	if (!colon && (feq(f[1], "none") || sa.ah))
		colon = f[1].p + f[1].len; /* "none" needs no secret */
	if (!colon)
		return "tcpdump -E: ALGO:SECRET expected";
	field algo = { f[1].p, (size_t)(colon - f[1].p) };
	field secret = { colon + 1, algo.len < f[1].len ? f[1].len - algo.len - 1 : 0 };
	if (algo.len > 7 && feq((field){ algo.p + algo.len - 7, 7 }, "-hmac96")) {
		sa.icv_only_len = 12;
		algo.len -= 7;
	}
	if (feq(algo, "none") || sa.ah)
		sa.enc = IKS_ENC_NULL;
	else if (feq(algo, "aes128-cbc") || feq(algo, "aes192-cbc") || feq(algo, "aes256-cbc"))
		sa.enc = IKS_ENC_AES_CBC;
	else if (feq(algo, "3des-cbc"))
		sa.enc = IKS_ENC_3DES_CBC;
	else if (feq(algo, "aes128-ctr") || feq(algo, "aes256-ctr"))
		sa.enc = IKS_ENC_AES_CTR;
	else
		return "tcpdump -E: unsupported algorithm";
	int kl;
	if (secret.len >= 2 && secret.p[0] == '0' && (secret.p[1] == 'x' || secret.p[1] == 'X')) {
		kl = parse_hex(secret, sa.enc_key, sizeof(sa.enc_key));
	} else { /* tcpdump takes a plain secret as ASCII */
		kl = secret.len <= sizeof(sa.enc_key) ? (int)secret.len : -1;
		if (kl > 0)
			memcpy(sa.enc_key, secret.p, secret.len);
	}
	if (sa.enc == IKS_ENC_NULL && kl < 0)
		kl = 0;
	if (kl < 0 || !enc_key_ok(sa.enc, sa.enc == IKS_ENC_NULL ? 0 : kl))
		return "tcpdump -E: secret is not of the algorithm's length";
	sa.enc_key_len = (uint8_t)kl;
	sa.auth = IKS_AUTH_NONE;
	if (n >= 3) {
		const char *c2 = memchr(f[2].p, ':', f[2].len);
		if (!c2)
			return "tcpdump -E: AUTH:0xKEY expected in the third field";
		field aname = { f[2].p, (size_t)(c2 - f[2].p) };
		field akey = { c2 + 1, f[2].len - aname.len - 1 };
		if (feq(aname, "hmac-sha1-96"))
			sa.auth = IKS_AUTH_HMAC_SHA1_96;
		else if (feq(aname, "hmac-sha256-128"))
			sa.auth = IKS_AUTH_HMAC_SHA256_128;
		else if (feq(aname, "hmac-sha384-192"))
			sa.auth = IKS_AUTH_HMAC_SHA384_192;
		else if (feq(aname, "hmac-sha512-256"))
			sa.auth = IKS_AUTH_HMAC_SHA512_256;
		else if (feq(aname, "hmac-md5-96"))
			sa.auth = IKS_AUTH_HMAC_MD5_96;
		else
			return "tcpdump -E: unknown authentication algorithm";
		int al = parse_hex(akey, sa.auth_key, sizeof(sa.auth_key));
		if (al <= 0)
			return "tcpdump -E: authentication key is not hex";
		sa.auth_key_len = (uint8_t)al;
		sa.icv_only_len = 0;
	}
	return keys_add_esp(k, &sa);
}
