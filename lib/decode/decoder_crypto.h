/* decoder_crypto.h - the decoder's decryption glue: ESP/AH with keys, IKE
 * SK/SKF payloads, IKEv1 encryption, SPIs learnt from decrypted IKE
 * (internal). */
#ifndef IKS_DECODER_CRYPTO_H
#define IKS_DECODER_CRYPTO_H

#include <ikescope/decoder.h>
#include <ikescope/keys.h>
#include <ikescope/packet.h>

#include "ike/ikev1_crypto.h"
#include "core/reader.h"

/* An ESP/AH SPI and the IKE SA exchange that negotiated it. */
#define OWNER_SLOTS 8192
typedef struct spi_owner {
	uint32_t spi;
	bool used;
	uint8_t version;
	uint8_t ispi[8], rspi[8];
	uint32_t msgid;
} spi_owner;

/* IKEv2 messages sent in Encrypted Fragment payloads (RFC 7383): the
 * decrypted fragments of a message until all are there. */
#define SKF_SETS 32
#define SKF_MAX_FRAGS 64
typedef struct skf_set {
	bool used;
	uint8_t ispi[8], rspi[8];
	uint32_t msgid;
	uint8_t flags;          /* the I and R bits tell the two directions apart */
	uint8_t first_np;       /* next payload of fragment 1 */
	uint16_t total;
	uint64_t have;          /* bit n-1: fragment n decrypted */
	uint32_t off[SKF_MAX_FRAGS], len[SKF_MAX_FRAGS];
	uint8_t *data;          /* the fragments' plaintext, appended */
	uint32_t used_bytes;
	uint64_t age;
} skf_set;

/* The decoder's crypto state (one per decoder, inside it). */
typedef struct dec_crypto {
	const iks_keys *keys;   /* borrowed; NULL: no decryption */
	bool esp_null;          /* guess ESP-NULL where no key is known */
	iks_ike_msg *ike_plain; /* the decrypted IKE message of the current frame */
	ikev1_table *v1;        /* IKEv1 CBC state per IKE SA with a key */
	spi_owner *owners;      /* ESP/AH SPIs seen negotiated in decrypted IKE, direct-mapped */
	skf_set skf[SKF_SETS];
	uint64_t skf_clock;
	uint8_t *plain;         /* decrypted ESP of the current frame */
	size_t plain_cap;
	struct key_bind *bind;  /* keys from charon logs bound to SAs (key_bind.c); NULL: none yet */
	uint32_t bind_max;      /* IKE SAs it binds (the decoder's ike_sas_max) */
	uint64_t limit_hits;    /* SPIs forgotten for another in their slot (OWNER_SLOTS);
				   SKF messages given up unfinished for a newer one, or of
				   more than SKF_MAX_FRAGS fragments (iks_decoder_stats) */
} dec_crypto;

/* Use `keys` (NULL: none) from now on; allocates what decryption needs.
 * IKS_E_NOMEM when it cannot. */
iks_status dcrypto_set_keys(dec_crypto *cr, const iks_keys *keys, const iks_decoder_limits *lim);

/* Remember which IKE SA exchange negotiated each ESP/AH SPI that decrypted
 * message m proposes or accepts (cr->owners must be allocated: with keys).
 * An SPI that takes the slot of a different one counts in cr->limit_hits. */
void dcrypto_learn_spis(dec_crypto *cr, const iks_ike_msg *m);

/* Free what dcrypto_set_keys allocated (the struct itself is the caller's). */
void dcrypto_free(dec_crypto *cr);

/* With keys: verify and decrypt the ESP packet of L (`wire` its length as
 * sent). True when L->esp.plain holds a payload (L->esp.next_header says
 * what) for the caller to decode. */
bool dcrypto_esp(dec_crypto *cr, iks_layers *L, uint32_t wire);

/* With keys: check the AH ICV of an unfragmented IPv4 packet (`p` positioned
 * at the AH header, `wire` the AH length as sent). */
void dcrypto_ah(dec_crypto *cr, iks_layers *L, const iks_reader *p, uint32_t wire);

/* With keys: decrypt the IKE message of the frame into pkt->l.ike.decrypted. */
void dcrypto_ike(dec_crypto *cr, iks_packet *pkt);

#endif
