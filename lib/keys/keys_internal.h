/* keys_internal.h - the key store's SAs, for the decryptors, and the pieces
 * the key file parsers share (internal). */
#ifndef IKS_KEYS_INTERNAL_H
#define IKS_KEYS_INTERNAL_H

#include <ikescope/keys.h>
#include <ikescope/packet.h>

#include "crypto/sa_keys.h"

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

/* Parsing helpers (keys_field.c; hex digits and IP addresses: core/text.h).
 * A field of a line: [p, p+len). */
typedef struct field {
	const char *p;
	size_t len;
} field;

bool feq(field f, const char *s);          /* equal, ASCII case ignored */
bool fprefix(field f, const char *s);      /* starts with, case ignored */
int parse_hex(field f, uint8_t *out, size_t cap); /* "0x" optional; bytes or -1 */
bool parse_u32(field f, uint32_t *v);      /* up to 8 hex digits, "0x" optional */
bool all_hex(field f);
size_t split_csv(const char *s, size_t len, field *f, size_t max); /* "quoted" fields */
size_t split_ws(const char *s, size_t len, field *f, size_t max);
bool enc_key_ok(int enc, int len);         /* an ESP key length the algorithm takes */

/* The store (keys.c): add a record (copied); NULL, or why it was not kept
 * (static text). */
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

/* One line of each format; NULL when used, else why not (static text). */
const char *tcpdump_esp(iks_keys *k, const field *f, size_t n);     /* keys_tcpdump.c */
const char *uat_esp(iks_keys *k, const field *f, size_t n);         /* keys_wireshark.c */
const char *uat_ikev2(iks_keys *k, const field *f);
const char *uat_ikev1(iks_keys *k, const field *f);
/* strongSwan's transform names (keys_charon_algs.c): an encryption
 * algorithm (ESP and IKEv2 values, key length with salt/nonce), an
 * integrity algorithm (IKS_AUTH_UNKNOWN when not one), and the transforms
 * that carry no key for us (PRFs, key exchange methods, ESN). */
bool charon_enc_name(field f, int *enc, int *enc2, unsigned *key_bytes);
int charon_integ_name(field f);
bool charon_ignored_name(field f);
/* A whole charon log (keys_charon.c); IKS_E_LIMIT when charon_sets_max was hit. */
iks_status keys_charon_load(iks_keys *k, const char *file, const uint8_t *data, size_t len);
/* Whether the first line that is neither blank nor a '#' comment has a
 * charon log prefix. */
bool keys_is_charon_log(const uint8_t *data, size_t len);

#endif
