/*
 * crypto.h - the library's one seam to libgcrypt (internal): the hashes,
 * HMACs and block-cipher decryptions the IKE and ESP/AH decoders need, and
 * the process-wide libgcrypt initialisation. Nothing outside lib/crypto/
 * includes <gcrypt.h>.
 *
 * libgcrypt is initialised once per process by iks_global_init()
 * (crypto_init.c, declared in <ikescope/common.h>), which every create
 * function that leads here calls. After it, every function here may be
 * called from several threads at once: each call opens, uses and closes
 * its own libgcrypt handle.
 */
#ifndef IKS_CRYPTO_H
#define IKS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ikescope/common.h>

/* Hash functions (RFC 1321 MD5, FIPS 180-4 SHA-1 and SHA-2). */
typedef enum crypto_hash {
	CRYPTO_HASH_NONE = 0,
	CRYPTO_MD5,
	CRYPTO_SHA1,
	CRYPTO_SHA256,
	CRYPTO_SHA384,
	CRYPTO_SHA512
} crypto_hash;

#define CRYPTO_HASH_MAX 64   /* the longest digest (SHA-512) */

/* The digest length of h in bytes; 0 when h is not one of the above. */
size_t crypto_hash_len(crypto_hash h);

/*
 * out = h(a | b): either part may be empty (NULL, 0). out holds cap bytes;
 * the first min(cap, digest length) bytes of the digest are written (a
 * digest cut to an IV's length). False when h is unknown or libgcrypt
 * refuses.
 */
bool crypto_hash2(crypto_hash h, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		  uint8_t *out, size_t cap);

/*
 * HMAC (RFC 2104) with h and key over data: 1 when its first icv_len bytes
 * equal icv (compared in constant time), 0 when not or when icv_len is
 * longer than the digest, -1 when h is unknown or libgcrypt refuses.
 */
int crypto_hmac_verify(crypto_hash h, const uint8_t *key, size_t key_len, const uint8_t *data,
		       size_t len, const uint8_t *icv, size_t icv_len);

/* Block-cipher modes we decrypt. AES takes a 16, 24 or 32-byte key. */
typedef enum crypto_cipher {
	CRYPTO_DES_CBC = 1,     /* IKEv1 only */
	CRYPTO_3DES_CBC,
	CRYPTO_AES_CBC,
	CRYPTO_AES_CTR,
	CRYPTO_AES_GCM
} crypto_cipher;

/* One decryption: the key and what the mode needs besides the ciphertext.
 * All pointers are borrowed for the call. */
typedef struct crypto_op {
	crypto_cipher cipher;
	const uint8_t *key;
	size_t key_len;
	const uint8_t *iv;      /* CBC: the IV (one block); CTR: the initial 16-byte
				 * counter block; GCM: the 12-byte nonce */
	size_t iv_len;
	const uint8_t *aad;     /* GCM: additional authenticated data (may be empty) */
	size_t aad_len;
	const uint8_t *tag;     /* GCM: the tag to check (4, 8, 12..16 bytes) */
	size_t tag_len;
} crypto_op;

enum crypto_result {
	CRYPTO_OK = 0,          /* decrypted (GCM: and the tag verified) */
	CRYPTO_TAG_MISMATCH,    /* GCM: decrypted, but the tag does not verify */
	CRYPTO_ERROR            /* unknown cipher, a key or IV libgcrypt refuses, out too small */
};

/*
 * Decrypt in (len bytes; CBC: a whole number of blocks) into out (cap
 * bytes, at least len). Returns a crypto_result. out may hold partial
 * plaintext on failure.
 */
int crypto_decrypt(const crypto_op *op, const uint8_t *in, size_t len, uint8_t *out, size_t cap);

#endif
