/*
 * crypto.c - hashes, HMAC checks and block-cipher decryption through
 * libgcrypt: the one place that opens libgcrypt handles. Each call opens
 * its own handle and closes it before returning, so calls in different
 * threads share nothing.
 */
#include "config.h"

#include <string.h>

#include <gcrypt.h>

#include "crypto/crypto.h"

static int md_algo(crypto_hash h)
{
	switch (h) {
	case CRYPTO_MD5: return GCRY_MD_MD5;
	case CRYPTO_SHA1: return GCRY_MD_SHA1;
	case CRYPTO_SHA256: return GCRY_MD_SHA256;
	case CRYPTO_SHA384: return GCRY_MD_SHA384;
	case CRYPTO_SHA512: return GCRY_MD_SHA512;
	case CRYPTO_HASH_NONE: break;
	}
	return 0;
}

size_t crypto_hash_len(crypto_hash h)
{
	int algo = md_algo(h);
	return algo ? gcry_md_get_algo_dlen(algo) : 0;
}

bool crypto_hash2(crypto_hash h, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		  uint8_t *out, size_t cap)
{
	int algo = md_algo(h);
	gcry_md_hd_t hd;
	if (!algo || gcry_md_open(&hd, algo, 0))
		return false;
	if (alen)
		gcry_md_write(hd, a, alen);
	if (blen)
		gcry_md_write(hd, b, blen);
	const uint8_t *d = gcry_md_read(hd, algo);
	size_t dlen = gcry_md_get_algo_dlen(algo);
	if (d)
		memcpy(out, d, cap < dlen ? cap : dlen);
	gcry_md_close(hd);
	return d != NULL;
}

/* Compare without an early exit, so timing says nothing about the keys. */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return d == 0;
}

int crypto_hmac_verify(crypto_hash h, const uint8_t *key, size_t key_len, const uint8_t *data,
		       size_t len, const uint8_t *icv, size_t icv_len)
{
	int algo = md_algo(h);
	gcry_md_hd_t hd;
	if (!algo || gcry_md_open(&hd, algo, GCRY_MD_FLAG_HMAC))
		return -1;
	if (gcry_md_setkey(hd, key, key_len)) {
		gcry_md_close(hd);
		return -1;
	}
	gcry_md_write(hd, data, len);
	const uint8_t *mac = gcry_md_read(hd, algo);
	int ok = mac && icv_len <= gcry_md_get_algo_dlen(algo) && same(mac, icv, icv_len);
	gcry_md_close(hd);
	return ok;
}

static int aes_algo(size_t key_len)
{
	return key_len == 16 ? GCRY_CIPHER_AES128 : key_len == 24 ? GCRY_CIPHER_AES192
		     : key_len == 32 ? GCRY_CIPHER_AES256 : 0;
}

int crypto_decrypt(const crypto_op *op, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	int algo = 0, mode = 0;
	switch (op->cipher) {
	case CRYPTO_DES_CBC:
		algo = GCRY_CIPHER_DES;
		mode = GCRY_CIPHER_MODE_CBC;
		break;
	case CRYPTO_3DES_CBC:
		algo = GCRY_CIPHER_3DES;
		mode = GCRY_CIPHER_MODE_CBC;
		break;
	case CRYPTO_AES_CBC:
		algo = aes_algo(op->key_len);
		mode = GCRY_CIPHER_MODE_CBC;
		break;
	case CRYPTO_AES_CTR:
		algo = aes_algo(op->key_len);
		mode = GCRY_CIPHER_MODE_CTR;
		break;
	case CRYPTO_AES_GCM:
		algo = aes_algo(op->key_len);
		mode = GCRY_CIPHER_MODE_GCM;
		break;
	}
	gcry_cipher_hd_t hd;
	if (!algo || gcry_cipher_open(&hd, algo, mode, 0))
		return CRYPTO_ERROR;
	gcry_error_t e = gcry_cipher_setkey(hd, op->key, op->key_len);
	if (!e && mode == GCRY_CIPHER_MODE_CTR)
		e = gcry_cipher_setctr(hd, op->iv, op->iv_len);
	else if (!e)
		e = gcry_cipher_setiv(hd, op->iv, op->iv_len);
	if (!e && mode == GCRY_CIPHER_MODE_GCM && op->aad_len)
		e = gcry_cipher_authenticate(hd, op->aad, op->aad_len);
	if (!e)
		e = gcry_cipher_decrypt(hd, out, cap, in, len);
	int r = e ? CRYPTO_ERROR : CRYPTO_OK;
	if (!e && mode == GCRY_CIPHER_MODE_GCM) {
		gcry_error_t t = gcry_cipher_checktag(hd, op->tag, op->tag_len);
		r = gcry_err_code(t) == GPG_ERR_CHECKSUM ? CRYPTO_TAG_MISMATCH : t ? CRYPTO_ERROR : CRYPTO_OK;
	}
	gcry_cipher_close(hd);
	return r;
}
