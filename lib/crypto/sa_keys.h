/*
 * sa_keys.h - the key material of one SA as the decryptors take it
 * (internal): ESP/AH SAs for lib/ipsec, IKEv2 and IKEv1 SA keys for
 * lib/ike. The key store (lib/keys) fills them; they sit here, below both,
 * so that neither decryptor includes the store. Plain data: no functions,
 * nothing that includes <gcrypt.h>.
 */
#ifndef IKS_SA_KEYS_H
#define IKS_SA_KEYS_H

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
	bool ah;               /* an AH SA (only auth and its key are used) */
	uint8_t enc_key_len, auth_key_len;
	uint8_t enc_key[ESP_KEY_MAX];
	uint8_t auth_key[AUTH_KEY_MAX];
} esp_sa;

/* IKEv2 SA keys (Wireshark's ikev2_decryption_table, RFC 7296 section 2.14). */
enum ikev2_enc {
	IKEV2_ENC_UNKNOWN = 0, IKEV2_ENC_NONE, IKEV2_ENC_3DES, IKEV2_ENC_AES_CBC, IKEV2_ENC_AES_CTR,
	IKEV2_ENC_AES_GCM_8, IKEV2_ENC_AES_GCM_12, IKEV2_ENC_AES_GCM_16
};
typedef struct ikev2_sa {
	uint8_t ispi[8], rspi[8];
	int enc;               /* ikev2_enc */
	int integ;             /* iks_esp_auth: the same HMAC family (NONE for AEAD) */
	uint8_t key_len;       /* SK_e length incl. a CTR/GCM salt */
	uint8_t integ_key_len;
	uint8_t sk_ei[ESP_KEY_MAX], sk_er[ESP_KEY_MAX];
	uint8_t sk_ai[AUTH_KEY_MAX], sk_ar[AUTH_KEY_MAX];
} ikev2_sa;

/* IKEv1 SA key (Wireshark's ikev1_decryption_table): the initiator's
 * cookie and the encryption key Ka (RFC 2409 appendix B). */
typedef struct ikev1_key {
	uint8_t icookie[8];
	uint8_t ka[64];
	uint8_t ka_len;
} ikev1_key;

#endif
