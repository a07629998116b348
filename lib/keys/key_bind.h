/* key_bind.h - binding key sets from charon logs (which name no IKE SPIs
 * or cookies, and do not say which CHILD_SA keys an SPI takes) to the SAs
 * of a capture, per decoder, by trial (internal). */
#ifndef IKS_KEY_BIND_H
#define IKS_KEY_BIND_H

#include <ikescope/packet.h>

#include "ike/ikev1_crypto.h"
#include "keys/key_store.h"

typedef struct key_bind key_bind;

/* Room for `ike_max` IKE SAs and 4 * ike_max ESP/AH SPIs. NULL: out of memory. */
key_bind *key_bind_new(uint32_t ike_max);
void key_bind_free(key_bind *b);

/* Trials that could not be kept because a table was full. */
uint64_t key_bind_limit_hits(const key_bind *b);

/*
 * The IKEv2 key set bound to (ispi, rspi); when none is, the first unbound
 * set from the logs whose SK_ai (from_initiator) or SK_ar verifies the
 * ICV (or AEAD tag) of this message's SK/SKF payload at `off` (`hdr` 4 or
 * 8) is bound and returned. NULL: no set verifies (nothing is bound).
 * `buf` (cap bytes) is scratch space.
 */
const ikev2_sa *key_bind_ikev2(key_bind *b, const iks_keys *k, const uint8_t *msg, size_t len,
			       bool from_initiator, size_t off, size_t hdr, uint8_t *buf, size_t cap);

/*
 * IKEv1 messages of an SA whose cookie no table names, when the logs hold
 * Ka values: clear messages feed the SA's state (as ikev1_process does);
 * the first encrypted one is decrypted with each unbound Ka in turn, and
 * the first whose plaintext is a well-formed payload chain is bound (the
 * others leave the SA's state as it was). Returns what ikev1_process
 * returns for the key used (IKS_ESP_NO_KEY when none fits), with the
 * plaintext in buf as ikev1_process leaves it.
 */
int key_bind_ikev1(key_bind *b, const iks_keys *k, ikev1_table *t, const uint8_t *msg, size_t len,
		   const iks_ike_msg *clear, uint8_t *buf, size_t cap, size_t *out_len);

/*
 * The ESP (ah false) or AH SA a charon log gives for `spi`: the direction
 * bound to it, else a trial of both directions' keys on this packet
 * (`esp`: the ESP packet from the SPI on, whole) keeping the one whose ICV
 * verifies (or, where nothing can verify, whose padding is right) and
 * binding the other direction to the CHILD_SA's other SPI. When neither
 * fits, the inbound SPI is given the responder's keys and the outbound
 * one the initiator's, unbound. NULL: no log names the SPI. `buf` is
 * scratch space. AH SAs are not tried (no packet here): the same default.
 */
const esp_sa *key_bind_esp(key_bind *b, const iks_keys *k, uint32_t spi, bool ah, iks_span esp,
			   uint8_t *buf, size_t cap);

#endif
