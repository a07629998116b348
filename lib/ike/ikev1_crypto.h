/* ikev1_crypto.h - decrypting IKEv1 messages with the SA's Ka (internal). */
#ifndef IKS_IKEV1_CRYPTO_H
#define IKS_IKEV1_CRYPTO_H

#include <ikescope/ike.h>

#include "crypto/crypto.h"
#include "crypto/sa_keys.h"

typedef struct ikev1_table ikev1_table;

/* The hash of an IKEv1 hash attribute value (RFC 2409 appendix A: 1 MD5,
 * 2 SHA1; RFC 4868: 4-6 SHA2-256/384/512); CRYPTO_HASH_NONE otherwise. */
crypto_hash ikev1_hash_of(int hash);

/* Per-IKE-SA state (cipher, hash, the KE values, the CBC IVs of phase 1
 * and of each message ID) for at most `cap` IKE SAs. NULL: out of memory. */
ikev1_table *ikev1_table_new(uint32_t cap);
void ikev1_table_free(ikev1_table *t);

/*
 * One IKEv1 message of the frame, in capture order: `msg` is the message
 * as sent (`len` = its length field), `clear` its decoded clear payloads
 * (for the SA and KE payloads of main/aggressive mode). Encrypted messages
 * are decrypted into buf as a whole message (header with the E flag
 * cleared, then the payload chain without padding); *out_len its length.
 * Returns an iks_esp_crypto value: IKS_ESP_NOT_TRIED for a clear message,
 * IKS_ESP_UNVERIFIED decrypted (IKEv1 has no ICV to check), IKS_ESP_BAD_PADDING
 * when the result is not a payload chain (wrong key, or a message missing
 * from the capture broke the IV chain), IKS_ESP_NO_KEY when the SA's
 * algorithms or KE values were not seen, IKS_E_LIMIT-like states as
 * IKS_ESP_CRYPTO_ERROR.
 */
int ikev1_process(ikev1_table *t, const ikev1_key *key, const uint8_t *msg, size_t len,
		  const iks_ike_msg *clear, uint8_t *buf, size_t cap, size_t *out_len);

/*
 * ikev1_process for an encrypted message with a key on trial: the SA's
 * state is put back as it was unless the message decrypts
 * (IKS_ESP_UNVERIFIED) and `accept` (when given) takes the plaintext
 * (buf, n bytes: header and payload chain; ct_len the ciphertext length);
 * a plaintext it refuses gives
 * IKS_ESP_BAD_PADDING.
 */
int ikev1_try(ikev1_table *t, const ikev1_key *key, const uint8_t *msg, size_t len, uint8_t *buf,
	      size_t cap, size_t *out_len, bool (*accept)(const uint8_t *plain, size_t n, size_t ct_len));

#endif
