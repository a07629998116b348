/* keys_internal.h - what the key-file readers share (internal): the field
 * parsers (keys_field.c), one line of each format, the charon log reader
 * and its transform names; the store they add to is key_store.h. */
#ifndef IKS_KEYS_INTERNAL_H
#define IKS_KEYS_INTERNAL_H

#include <ikescope/keys.h>
#include <ikescope/packet.h>

#include "keys/key_store.h"

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
