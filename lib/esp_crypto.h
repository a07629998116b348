/* esp_crypto.h - ESP decryption and ICV verification with libgcrypt (internal). */
#ifndef IKS_ESP_CRYPTO_H
#define IKS_ESP_CRYPTO_H

#include <ikescope/packet.h>

#include "keys_internal.h"

/*
 * Verify and decrypt the ESP packet `esp` (from the SPI on, as sent; its
 * length is the whole ESP packet) with `sa`, writing the plaintext into buf
 * (cap bytes, at least esp.len). Fills info->crypto, the algorithms,
 * next_header, pad_len, iv_len, icv_len and info->plain (the payload
 * without padding, inside buf).
 */
void esp_decrypt(const esp_sa *sa, iks_span esp, uint8_t *buf, size_t cap, iks_esp_info *info);

#endif
