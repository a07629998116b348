/* esp_crypto.h - ESP decryption and ICV verification with libgcrypt (internal). */
#ifndef IKS_ESP_CRYPTO_H
#define IKS_ESP_CRYPTO_H

#include <ikescope/packet.h>

#include "crypto/sa_keys.h"

/*
 * Verify and decrypt the ESP packet `esp` (from the SPI on, as sent; its
 * length is the whole ESP packet) with `sa`, writing the plaintext into buf
 * (cap bytes, at least esp.len). Fills info->crypto, the algorithms,
 * next_header, pad_len, iv_len, icv_len and info->plain (the payload
 * without padding, inside buf).
 */
void esp_decrypt(const esp_sa *sa, iks_span esp, uint8_t *buf, size_t cap, iks_esp_info *info);

/*
 * AH (RFC 4302 section 3.3.3, in ah_icv.c): the ICV is an HMAC over the IP
 * header and the extension headers before AH as the destination will see
 * them, their mutable fields zeroed (IPv4: TOS, flags and offset, TTL,
 * checksum, mutable options; IPv6: traffic class, flow label, hop limit,
 * option data marked as changing en route; a routing header still under
 * way is put in its final order), the AH header with the ICV zeroed, and
 * the payload. `ip` covers the IP header and everything after it as sent
 * (`len` bytes, at most `cap`: the view is built in buf); `ah_off` is the
 * AH header's offset in it. Returns IKS_ESP_OK, IKS_ESP_ICV_MISMATCH,
 * IKS_ESP_BAD_LENGTH (headers that do not add up), IKS_ESP_UNSUPPORTED
 * (a header before AH whose final form cannot be known, e.g. a type 3/4
 * routing header with segments left) or IKS_ESP_CRYPTO_ERROR.
 */
int ah_verify(const esp_sa *sa, const uint8_t *ip, size_t len, size_t ah_off, size_t icv_len,
	      uint8_t *buf, size_t cap);

/* HMAC (auth: iks_esp_auth) of data: 1 when it matches the (truncated)
 * ICV, 0 when not, -1 when libgcrypt refuses. */
int esp_hmac_check(int auth, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
		   const uint8_t *icv, size_t icv_len);

/*
 * Without a key: does the ESP packet `esp` (from the SPI, whole) read as
 * ESP-NULL? On success fills info (crypto IKS_ESP_NULL_GUESSED, icv_len,
 * next_header, pad_len, plain pointing into esp) and returns true.
 */
bool esp_null_guess(iks_span esp, iks_esp_info *info);

/*
 * IKEv2 Encrypted payload (RFC 7296 section 3.14; AES-GCM: RFC 5282;
 * Encrypted Fragment payload: RFC 7383 section 2.5): verify and decrypt
 * the SK/SKF payload at `off` (its generic header) in the message `msg`
 * (`len` bytes, as sent). `hdr` is 4 (SK) or 8 (SKF). Sent by the original
 * initiator: SK_ei/SK_ai, else SK_er/SK_ar. The payloads in clear go to buf;
 * returns an iks_esp_crypto value and sets *plain_len.
 */
int ikev2_sk_decrypt(const ikev2_sa *sa, bool from_initiator, const uint8_t *msg, size_t len,
		     size_t off, size_t hdr, uint8_t *buf, size_t cap, size_t *plain_len);

#endif
