/*
 * esp_crypto.c - ESP (RFC 4303) and IKEv2 SK payload (RFC 7296 section
 * 3.14) decryption and integrity checking: the same algorithms.
 *
 * Layout as sent (section 2):  SPI | sequence | IV | ciphertext | ICV.
 * The ciphertext decrypts to:  payload | padding | pad length | next header.
 * Integrity covers SPI through ciphertext (section 3.3.2); for AES-GCM
 * (RFC 4106) the tag is the ICV and SPI + sequence are the AAD.
 */
#include "config.h"

#include <string.h>

#include <gcrypt.h>
#include <ikescope/keys.h>

#include "ipsec/esp_crypto.h"

static unsigned icv_len_of(const esp_sa *sa)
{
	switch (sa->enc) {
	case IKS_ENC_AES_GCM_8: return 8;
	case IKS_ENC_AES_GCM_12: return 12;
	case IKS_ENC_AES_GCM_16: return 16;
	default: break;
	}
	switch (sa->auth) {
	case IKS_AUTH_HMAC_SHA1_96:
	case IKS_AUTH_HMAC_MD5_96: return 12;
	case IKS_AUTH_HMAC_SHA256_128: return 16;
	case IKS_AUTH_HMAC_SHA384_192: return 24;
	case IKS_AUTH_HMAC_SHA512_256: return 32;
	default: break;
	}
	return sa->icv_only_len;
}

static unsigned iv_len_of(int enc)
{
	switch (enc) {
	case IKS_ENC_AES_CBC: return 16;
	case IKS_ENC_3DES_CBC: return 8;
	case IKS_ENC_AES_CTR:
	case IKS_ENC_AES_GCM_8:
	case IKS_ENC_AES_GCM_12:
	case IKS_ENC_AES_GCM_16: return 8;
	}
	return 0;
}

static int aes_algo(size_t keylen)
{
	return keylen == 16 ? GCRY_CIPHER_AES128 : keylen == 24 ? GCRY_CIPHER_AES192
		     : keylen == 32 ? GCRY_CIPHER_AES256 : 0;
}

static int md_algo(int auth)
{
	switch (auth) {
	case IKS_AUTH_HMAC_SHA1_96: return GCRY_MD_SHA1;
	case IKS_AUTH_HMAC_SHA256_128: return GCRY_MD_SHA256;
	case IKS_AUTH_HMAC_SHA384_192: return GCRY_MD_SHA384;
	case IKS_AUTH_HMAC_SHA512_256: return GCRY_MD_SHA512;
	case IKS_AUTH_HMAC_MD5_96: return GCRY_MD_MD5;
	}
	return 0;
}

/* Compare without an early exit, so timing says nothing about the keys. */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return d == 0;
}

int esp_hmac_check(int auth, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
		   const uint8_t *icv, size_t icv_len)
{
	gcry_md_hd_t h;
	int algo = md_algo(auth);
	if (!algo || gcry_md_open(&h, algo, GCRY_MD_FLAG_HMAC))
		return -1;
	if (gcry_md_setkey(h, key, key_len)) {
		gcry_md_close(h);
		return -1;
	}
	gcry_md_write(h, data, len);
	const uint8_t *mac = gcry_md_read(h, algo);
	int ok = mac && same(mac, icv, icv_len);
	gcry_md_close(h);
	return ok;
}

/* RFC 4303 section 2.4: the padding is 1, 2, 3, ... unless the algorithm
 * says otherwise; the trailer's last two bytes are pad length and next header. */
static bool trailer(const uint8_t *p, size_t len, iks_esp_info *info)
{
	if (len < 2)
		return false;
	info->pad_len = p[len - 2];
	info->next_header = p[len - 1];
	if ((size_t)info->pad_len + 2 > len)
		return false;
	const uint8_t *pad = p + len - 2 - info->pad_len;
	for (unsigned i = 0; i < info->pad_len; i++)
		if (pad[i] != i + 1)
			return false;
	info->plain.p = p;
	info->plain.len = len - 2 - info->pad_len;
	return true;
}

void esp_decrypt(const esp_sa *sa, iks_span esp, uint8_t *buf, size_t cap, iks_esp_info *info)
{
	info->enc = sa->enc;
	info->auth = sa->auth;
	unsigned icv = icv_len_of(sa), iv = iv_len_of(sa->enc);
	info->icv_len = (uint16_t)icv;
	info->iv_len = (uint16_t)iv;
	if (esp.len < 8 || esp.len - 8 < (size_t)iv + icv + 2 || cap < esp.len) {
		info->crypto = IKS_ESP_BAD_LENGTH;
		return;
	}
	const uint8_t *ivp = esp.p + 8;
	const uint8_t *ct = ivp + iv;
	size_t ct_len = esp.len - 8 - iv - icv;
	const uint8_t *icvp = esp.p + esp.len - icv;

	bool gcm = sa->enc == IKS_ENC_AES_GCM_8 || sa->enc == IKS_ENC_AES_GCM_12 ||
		   sa->enc == IKS_ENC_AES_GCM_16;
	bool verified = false;
	if (!gcm && sa->auth != IKS_AUTH_NONE && sa->auth_key_len) {
		int ok = esp_hmac_check(sa->auth, sa->auth_key, sa->auth_key_len, esp.p, esp.len - icv, icvp,
				    icv);
		if (ok < 0) {
			info->crypto = IKS_ESP_CRYPTO_ERROR;
			return;
		}
		if (!ok) {
			info->crypto = IKS_ESP_ICV_MISMATCH;
			return;
		}
		verified = true;
	}
	if (sa->enc == IKS_ENC_NULL) {
		memcpy(buf, ct, ct_len);
	} else {
		gcry_cipher_hd_t h;
		size_t keylen = sa->enc_key_len;
		int algo, mode;
		switch (sa->enc) {
		case IKS_ENC_3DES_CBC:
			algo = GCRY_CIPHER_3DES;
			mode = GCRY_CIPHER_MODE_CBC;
			break;
		case IKS_ENC_AES_CBC:
			algo = aes_algo(keylen);
			mode = GCRY_CIPHER_MODE_CBC;
			break;
		case IKS_ENC_AES_CTR:
			keylen -= 4; /* RFC 3686 section 5.1: key, then a 4-byte nonce */
			algo = aes_algo(keylen);
			mode = GCRY_CIPHER_MODE_CTR;
			break;
		default:
			keylen -= 4; /* RFC 4106 section 8.1: key, then a 4-byte salt */
			algo = aes_algo(keylen);
			mode = GCRY_CIPHER_MODE_GCM;
			break;
		}
		if (mode == GCRY_CIPHER_MODE_CBC && ct_len % (sa->enc == IKS_ENC_3DES_CBC ? 8 : 16)) {
			info->crypto = IKS_ESP_BAD_LENGTH;
			return;
		}
		if (!algo || gcry_cipher_open(&h, algo, mode, 0)) {
			info->crypto = IKS_ESP_CRYPTO_ERROR;
			return;
		}
		gcry_error_t e = gcry_cipher_setkey(h, sa->enc_key, keylen);
		if (!e && mode == GCRY_CIPHER_MODE_CBC)
			e = gcry_cipher_setiv(h, ivp, iv);
		if (!e && mode == GCRY_CIPHER_MODE_CTR) {
			/* RFC 3686 section 4: nonce | IV | block counter 1 */
			uint8_t ctr[16];
			memcpy(ctr, sa->enc_key + keylen, 4);
			memcpy(ctr + 4, ivp, 8);
			ctr[12] = ctr[13] = ctr[14] = 0;
			ctr[15] = 1;
			e = gcry_cipher_setctr(h, ctr, sizeof(ctr));
		}
		if (!e && mode == GCRY_CIPHER_MODE_GCM) {
			/* RFC 4106 sections 4 and 5: salt | IV; AAD = SPI | sequence */
			uint8_t nonce[12];
			memcpy(nonce, sa->enc_key + keylen, 4);
			memcpy(nonce + 4, ivp, 8);
			e = gcry_cipher_setiv(h, nonce, sizeof(nonce));
			if (!e)
				e = gcry_cipher_authenticate(h, esp.p, 8);
		}
		if (!e)
			e = gcry_cipher_decrypt(h, buf, cap, ct, ct_len);
		if (!e && mode == GCRY_CIPHER_MODE_GCM) {
			gcry_error_t t = gcry_cipher_checktag(h, icvp, icv);
			if (gcry_err_code(t) == GPG_ERR_CHECKSUM) {
				gcry_cipher_close(h);
				info->crypto = IKS_ESP_ICV_MISMATCH;
				return;
			}
			e = t;
			verified = true;
		}
		gcry_cipher_close(h);
		if (e) {
			info->crypto = IKS_ESP_CRYPTO_ERROR;
			return;
		}
	}
	if (!trailer(buf, ct_len, info)) {
		info->crypto = IKS_ESP_BAD_PADDING;
		return;
	}
	info->crypto = verified ? IKS_ESP_OK : IKS_ESP_UNVERIFIED;
}

static unsigned integ_icv_len(int integ)
{
	switch (integ) {
	case IKS_AUTH_HMAC_SHA1_96:
	case IKS_AUTH_HMAC_MD5_96: return 12;
	case IKS_AUTH_HMAC_SHA256_128: return 16;
	case IKS_AUTH_HMAC_SHA384_192: return 24;
	case IKS_AUTH_HMAC_SHA512_256: return 32;
	}
	return 0;
}

int ikev2_sk_decrypt(const ikev2_sa *sa, bool from_initiator, const uint8_t *msg, size_t len,
		     size_t off, size_t hdr, uint8_t *buf, size_t cap, size_t *plain_len)
{
	*plain_len = 0;
	bool gcm = sa->enc == IKEV2_ENC_AES_GCM_8 || sa->enc == IKEV2_ENC_AES_GCM_12 ||
		   sa->enc == IKEV2_ENC_AES_GCM_16;
	unsigned icv = sa->enc == IKEV2_ENC_AES_GCM_8 ? 8 : sa->enc == IKEV2_ENC_AES_GCM_12 ? 12
		       : gcm ? 16 : integ_icv_len(sa->integ);
	unsigned iv = sa->enc == IKEV2_ENC_AES_CBC ? 16 : sa->enc == IKEV2_ENC_NONE ? 0 : 8;
	if (off > len || len - off < hdr)
		return IKS_ESP_BAD_LENGTH;
	/* the payload's own length field (bytes 2-3 of its generic header) */
	size_t plen = (size_t)msg[off + 2] << 8 | msg[off + 3];
	if (plen < hdr || plen > len - off || plen - hdr < (size_t)iv + icv + 1 || cap < plen)
		return IKS_ESP_BAD_LENGTH;
	const uint8_t *ivp = msg + off + hdr;
	const uint8_t *ct = ivp + iv;
	size_t ct_len = plen - hdr - iv - icv;
	const uint8_t *icvp = ct + ct_len;
	const uint8_t *ek = from_initiator ? sa->sk_ei : sa->sk_er;
	const uint8_t *ak = from_initiator ? sa->sk_ai : sa->sk_ar;
	bool verified = false;
	if (!gcm && sa->integ != IKS_AUTH_NONE) {
		/* section 3.14: the ICV covers the message from the IKE header
		 * through the encrypted data */
		int ok = esp_hmac_check(sa->integ, ak, sa->integ_key_len, msg, (size_t)(icvp - msg), icvp, icv);
		if (ok < 0)
			return IKS_ESP_CRYPTO_ERROR;
		if (!ok)
			return IKS_ESP_ICV_MISMATCH;
		verified = true;
	}
	if (sa->enc == IKEV2_ENC_NONE) {
		memcpy(buf, ct, ct_len);
	} else {
		size_t keylen = sa->key_len;
		int algo, mode;
		if (sa->enc == IKEV2_ENC_3DES) {
			algo = GCRY_CIPHER_3DES;
			mode = GCRY_CIPHER_MODE_CBC;
		} else if (sa->enc == IKEV2_ENC_AES_CBC) {
			algo = aes_algo(keylen);
			mode = GCRY_CIPHER_MODE_CBC;
		} else {
			keylen -= 4; /* RFC 5930 / RFC 5282: key, then a 4-byte nonce/salt */
			algo = aes_algo(keylen);
			mode = gcm ? GCRY_CIPHER_MODE_GCM : GCRY_CIPHER_MODE_CTR;
		}
		if (mode == GCRY_CIPHER_MODE_CBC && ct_len % (sa->enc == IKEV2_ENC_3DES ? 8 : 16))
			return IKS_ESP_BAD_LENGTH;
		gcry_cipher_hd_t h;
		if (!algo || gcry_cipher_open(&h, algo, mode, 0))
			return IKS_ESP_CRYPTO_ERROR;
		gcry_error_t e = gcry_cipher_setkey(h, ek, keylen);
		if (!e && mode == GCRY_CIPHER_MODE_CBC)
			e = gcry_cipher_setiv(h, ivp, iv);
		if (!e && mode == GCRY_CIPHER_MODE_CTR) {
			uint8_t ctr[16];
			memcpy(ctr, ek + keylen, 4);
			memcpy(ctr + 4, ivp, 8);
			ctr[12] = ctr[13] = ctr[14] = 0;
			ctr[15] = 1;
			e = gcry_cipher_setctr(h, ctr, sizeof(ctr));
		}
		if (!e && gcm) {
			/* RFC 5282 section 5.1: AAD is the IKE header through the
			 * SK/SKF payload header */
			uint8_t nonce[12];
			memcpy(nonce, ek + keylen, 4);
			memcpy(nonce + 4, ivp, 8);
			e = gcry_cipher_setiv(h, nonce, sizeof(nonce));
			if (!e)
				e = gcry_cipher_authenticate(h, msg, off + hdr);
		}
		if (!e)
			e = gcry_cipher_decrypt(h, buf, cap, ct, ct_len);
		if (!e && gcm) {
			gcry_error_t t = gcry_cipher_checktag(h, icvp, icv);
			if (gcry_err_code(t) == GPG_ERR_CHECKSUM) {
				gcry_cipher_close(h);
				return IKS_ESP_ICV_MISMATCH;
			}
			e = t;
			verified = true;
		}
		gcry_cipher_close(h);
		if (e)
			return IKS_ESP_CRYPTO_ERROR;
	}
	/* the last byte is the pad length; the padding itself may hold anything */
	uint8_t pad = buf[ct_len - 1];
	if ((size_t)pad + 1 > ct_len)
		return IKS_ESP_BAD_PADDING;
	*plain_len = ct_len - 1 - pad;
	return verified ? IKS_ESP_OK : IKS_ESP_UNVERIFIED;
}

/* RFC 1071 one's complement sum; 0 when a checksummed header is intact. */
static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Whether `len` bytes read as a clean instance of protocol nh. */
static bool payload_plausible(uint8_t nh, const uint8_t *p, size_t len)
{
	switch (nh) {
	case 17: /* UDP: its length field is the whole payload */
		return len >= 8 && be16(p + 4) == len;
	case 6: /* TCP: header length within the payload, flags not all clear */
		return len >= 20 && (p[12] >> 4) >= 5 && (size_t)(p[12] >> 4) * 4 <= len && p[13] != 0;
	case 1: /* ICMP: a valid checksum over the message */
		return len >= 8 && csum(p, len) == 0;
	case 4: /* IPv4 in tunnel mode: version, total length, header checksum */
		return len >= 20 && p[0] >> 4 == 4 && (p[0] & 15) >= 5 && be16(p + 2) == len &&
		       (size_t)(p[0] & 15) * 4 <= len && csum(p, (size_t)(p[0] & 15) * 4) == 0;
	case 41: /* IPv6 in tunnel mode: version and payload length */
		return len >= 40 && p[0] >> 4 == 6 && be16(p + 4) + 40u == len;
	}
	return false;
}

bool esp_null_guess(iks_span esp, iks_esp_info *info)
{
	static const unsigned icvs[] = { 12, 16, 0, 8, 24, 32 };
	for (size_t k = 0; k < sizeof(icvs) / sizeof(icvs[0]); k++) {
		unsigned icv = icvs[k];
		if (esp.len < 8 + 2 + (size_t)icv)
			continue;
		const uint8_t *body = esp.p + 8;
		size_t blen = esp.len - 8 - icv;
		uint8_t pad = body[blen - 2], nh = body[blen - 1];
		if ((size_t)pad + 2 > blen)
			continue;
		bool ok = true;
		for (unsigned i = 0; i < pad && ok; i++)
			ok = body[blen - 2 - pad + i] == i + 1;
		size_t plen = blen - 2 - pad;
		if (!ok || !payload_plausible(nh, body, plen))
			continue;
		info->crypto = IKS_ESP_NULL_GUESSED;
		info->enc = IKS_ENC_NULL;
		info->auth = IKS_AUTH_UNKNOWN;
		info->icv_len = (uint16_t)icv;
		info->iv_len = 0;
		info->pad_len = pad;
		info->next_header = nh;
		info->plain.p = body;
		info->plain.len = plen;
		return true;
	}
	return false;
}
