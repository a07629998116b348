/*
 * key_store.h - the key store (internal): the SAs read from key files and
 * charon logs, their lookup by SPI or cookie, and the diagnostics. It lies
 * below the key-file readers (keys_wireshark.c, keys_tcpdump.c,
 * keys_charon.c), which add to it, and below keys.c, which reads a file and
 * hands each line to them; it calls none of them.
 */
#ifndef IKS_KEY_STORE_H
#define IKS_KEY_STORE_H

#include <ikescope/keys.h>
#include <ikescope/packet.h>

#include "crypto/sa_keys.h"

/* Lookups: borrowed pointers, valid until the store is loaded further or
 * freed. The IKEv1 key for an initiator cookie, or NULL. */
const ikev1_key *keys_find_ikev1(const iks_keys *k, const uint8_t icookie[8]);

/* The keys of an IKEv2 SA, or NULL. */
const ikev2_sa *keys_find_ikev2(const iks_keys *k, const uint8_t ispi[8], const uint8_t rspi[8]);

/* The SA for an ESP (ah false) or AH (ah true) packet: by SPI, preferring
 * one whose destination matches. NULL when none. */
const esp_sa *keys_find_esp(const iks_keys *k, uint32_t spi, const iks_addr *dst);
const esp_sa *keys_find_ah(const iks_keys *k, uint32_t spi, const iks_addr *dst);

/* A CHILD_SA's keys from a charon log (keys_charon.c): both directions'
 * keys; which SPI takes which is found by trial (key_bind.c). */
typedef struct charon_child {
	uint32_t spi[2];       /* the logging host's inbound ("_i") and outbound ("_o") SPI; 0: not logged */
	iks_addr dst[2];
	bool have_dst[2];
	esp_sa key[2];         /* [0] the CHILD_SA initiator's keys, [1] the responder's (spi unset) */
} charon_child;

/* The key sets read from charon logs: count and array (valid while the
 * store is not loaded further). */
size_t keys_charon_ikev2(const iks_keys *k, const ikev2_sa **sets);
size_t keys_charon_ikev1(const iks_keys *k, const ikev1_key **sets);
size_t keys_charon_children(const iks_keys *k, const charon_child **sets);
/* The CHILD_SA set logged with `spi` (*dir: 0 inbound, 1 outbound), or NULL. */
const charon_child *keys_charon_child_of(const iks_keys *k, uint32_t spi, int *dir);

/* Add a record (copied); NULL, or why it was not kept (static text). */
const char *keys_add_esp(iks_keys *k, const esp_sa *sa);
const char *keys_add_ikev2(iks_keys *k, const ikev2_sa *sa);
const char *keys_add_ikev1(iks_keys *k, const ikev1_key *key);
/* Sets from charon logs (spi/cookie fields unset); counted against
 * charon_sets_max. */
const char *keys_add_charon_ikev2(iks_keys *k, const ikev2_sa *sa);
const char *keys_add_charon_ikev1(iks_keys *k, const ikev1_key *key);
const char *keys_add_charon_child(iks_keys *k, const charon_child *c);
/* Record a diagnostic (reason: static text, never key bytes). */
void keys_diag(iks_keys *k, const char *file, uint32_t line, const char *reason);

/* The name `name` (NULL: "(buffer)") copied into the store, for the
 * diagnostics of its lines (valid while the store lives); NULL when out of
 * memory. */
const char *keys_keep_name(iks_keys *k, const char *name);
/* Sort the ESP/AH SAs by SPI for lookup; iks_keys_load_* call it when
 * they end, so that lookups never write and a loaded store can be shared
 * by threads. */
void keys_sort(iks_keys *k);
/* Whether esp_sas_max ESP/AH SAs are held. */
bool keys_esp_full(const iks_keys *k);
/* Count an IKEv2 SA line of the tcpdump-style file ("ikev2 ..."): counted
 * in iks_keys_info, its keys not kept. */
void keys_count_ikev2_line(iks_keys *k);

#endif
