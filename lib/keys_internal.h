/* keys_internal.h - the key store's SAs, for the ESP decryptor (internal). */
#ifndef IKS_KEYS_INTERNAL_H
#define IKS_KEYS_INTERNAL_H

#include <ikescope/keys.h>
#include <ikescope/packet.h>

#define ESP_KEY_MAX 40   /* AES-256 + 4-byte salt/nonce, and some room */
#define AUTH_KEY_MAX 64

typedef struct esp_sa {
	uint32_t spi;
	bool any_dst;
	iks_addr dst;
	int enc;               /* iks_esp_enc */
	int auth;              /* iks_esp_auth */
	uint8_t icv_only_len;  /* tcpdump "-hmac96" without a key: ICV to strip, unverified */
	uint8_t enc_key_len, auth_key_len;
	uint8_t enc_key[ESP_KEY_MAX];
	uint8_t auth_key[AUTH_KEY_MAX];
} esp_sa;

/* The SA for an ESP packet: by SPI, preferring one whose destination
 * matches. NULL when none. */
const esp_sa *keys_find_esp(const iks_keys *k, uint32_t spi, const iks_addr *dst);

#endif
