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

#include <ikescope/keys.h>

#include "crypto/crypto.h"
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

static crypto_hash auth_hash(int auth)
{
	switch (auth) {
	case IKS_AUTH_HMAC_SHA1_96: return CRYPTO_SHA1;
	case IKS_AUTH_HMAC_SHA256_128: return CRYPTO_SHA256;
	case IKS_AUTH_HMAC_SHA384_192: return CRYPTO_SHA384;
	case IKS_AUTH_HMAC_SHA512_256: return CRYPTO_SHA512;
	case IKS_AUTH_HMAC_MD5_96: return CRYPTO_MD5;
	}
	return CRYPTO_HASH_NONE;
}

int esp_hmac_check(int auth, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
		   const uint8_t *icv, size_t icv_len)
{
	return crypto_hmac_verify(auth_hash(auth), key, key_len, data, len, icv, icv_len);
}

/*
 * Decrypt ct (ct_len bytes) into buf with cipher c under the SA's key
 * (key_len bytes as the SA holds it) and the IV as sent (ivp, iv bytes).
 * AES-CTR keys (RFC 3686 section 5.1; IKEv2: RFC 5930) and AES-GCM keys
 * (RFC 4106 section 8.1; IKEv2: RFC 5282) end in a 4-byte nonce/salt: CTR
 * counts from nonce | IV | 1 (RFC 3686 section 4), GCM's nonce is
 * salt | IV (RFC 4106 section 4) and it also takes the AAD and the tag.
 * IKS_ESP_OK, IKS_ESP_ICV_MISMATCH (GCM tag) or IKS_ESP_CRYPTO_ERROR.
 */
static int sa_decrypt(crypto_cipher c, const uint8_t *key, size_t key_len, const uint8_t *ivp,
		      size_t iv, iks_span aad, iks_span tag, const uint8_t *ct, size_t ct_len,
		      uint8_t *buf, size_t cap)
{
	crypto_op op = { .cipher = c, .key = key, .key_len = key_len, .iv = ivp, .iv_len = iv };
	uint8_t block[16];
	if (c == CRYPTO_AES_CTR || c == CRYPTO_AES_GCM) {
		if (key_len < 4 || iv != 8)
			return IKS_ESP_CRYPTO_ERROR;
		op.key_len = key_len - 4;
		memcpy(block, key + op.key_len, 4);
		memcpy(block + 4, ivp, 8);
		op.iv = block;
		if (c == CRYPTO_AES_CTR) {
			block[12] = block[13] = block[14] = 0;
			block[15] = 1;
			op.iv_len = 16;
		} else {
			op.iv_len = 12;
			op.aad = aad.p;
			op.aad_len = aad.len;
			op.tag = tag.p;
			op.tag_len = tag.len;
		}
	}
	int r = crypto_decrypt(&op, ct, ct_len, buf, cap);
	return r == CRYPTO_OK ? IKS_ESP_OK
		: r == CRYPTO_TAG_MISMATCH ? IKS_ESP_ICV_MISMATCH : IKS_ESP_CRYPTO_ERROR;
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
		crypto_cipher c = sa->enc == IKS_ENC_3DES_CBC ? CRYPTO_3DES_CBC
				  : sa->enc == IKS_ENC_AES_CBC ? CRYPTO_AES_CBC
				  : sa->enc == IKS_ENC_AES_CTR ? CRYPTO_AES_CTR : CRYPTO_AES_GCM;
		if ((c == CRYPTO_3DES_CBC && ct_len % 8) || (c == CRYPTO_AES_CBC && ct_len % 16)) {
			info->crypto = IKS_ESP_BAD_LENGTH;
			return;
		}
		/* RFC 4106 section 5: GCM's AAD is SPI | sequence, its tag the ICV */
		iks_span aad = { esp.p, 8 }, tag = { icvp, icv };
		int r = sa_decrypt(c, sa->enc_key, sa->enc_key_len, ivp, iv, aad, tag, ct, ct_len, buf,
				   cap);
		if (r != IKS_ESP_OK) {
			info->crypto = r;
			return;
		}
		if (c == CRYPTO_AES_GCM)
			verified = true;
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
		crypto_cipher c = sa->enc == IKEV2_ENC_3DES ? CRYPTO_3DES_CBC
				  : sa->enc == IKEV2_ENC_AES_CBC ? CRYPTO_AES_CBC
				  : gcm ? CRYPTO_AES_GCM : CRYPTO_AES_CTR;
		if ((c == CRYPTO_3DES_CBC && ct_len % 8) || (c == CRYPTO_AES_CBC && ct_len % 16))
			return IKS_ESP_BAD_LENGTH;
		/* RFC 5282 section 5.1: the AAD is the IKE header through the
		 * SK/SKF payload header */
		iks_span aad = { msg, off + hdr }, tag = { icvp, icv };
		int r = sa_decrypt(c, ek, sa->key_len, ivp, iv, aad, tag, ct, ct_len, buf, cap);
		if (r != IKS_ESP_OK)
			return r;
		if (gcm)
			verified = true;
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
