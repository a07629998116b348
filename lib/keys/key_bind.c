/*
 * key_bind.c - key sets from charon logs bound to the SAs of a capture.
 *
 * A charon log dumps SK_e/SK_a (IKEv2, RFC 7296 section 2.14) and Ka
 * (IKEv1, RFC 2409 appendix B) without the IKE SPIs or cookies they
 * belong to, and a CHILD_SA's initiator and responder keys without saying
 * which SPI takes which. Each decoder binds them on first use:
 *  - IKEv2: the first encrypted message of an SA with no key is verified
 *    with each unbound set (SK_ai for the original initiator's messages,
 *    SK_ar for the responder's, by the I flag); the set whose ICV (or AEAD
 *    tag) verifies belongs to that SA;
 *  - IKEv1: no ICV; the first encrypted message is decrypted with each
 *    unbound Ka, and the Ka whose plaintext is a well-formed payload chain
 *    (known payload types, zero reserved bytes, lengths that walk exactly
 *    to the last payload, less than two blocks of padding) is bound; the
 *    IV state of a failed trial is put back (ikev1_try);
 *  - ESP/AH: the SPI is in the log; the first packet tries both
 *    directions' keys and the pair is bound by the one that verifies.
 * Tables are bounded (ike_max IKE SAs, 4 * ike_max SPIs); a trial that
 * finds no room is counted and nothing is bound.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ipsec/esp_crypto.h"
#include "keys/key_bind.h"

typedef struct bind_ike {
	uint8_t ispi[8], rspi[8];  /* IKEv1: the initiator cookie in ispi */
	uint32_t set;
} bind_ike;

typedef struct bind_spi {
	uint32_t spi;
	bool used, ah;
	uint32_t child;
	uint8_t role;              /* charon_child.key[] index */
} bind_spi;

struct key_bind {
	uint32_t ike_max;
	bind_ike *v2, *v1;
	uint32_t n2, n1;
	bind_spi *spi;             /* open addressing, spi_slots (a power of two) */
	uint32_t spi_slots, nspi, spi_max;
	uint64_t limit_hits;
};

key_bind *key_bind_new(uint32_t ike_max)
{
	key_bind *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->ike_max = ike_max ? ike_max : 1;
	b->spi_max = b->ike_max * 4;
	b->spi_slots = 16;
	while (b->spi_slots < b->spi_max * 2)
		b->spi_slots *= 2;
	b->v2 = calloc(b->ike_max, sizeof(*b->v2));
	b->v1 = calloc(b->ike_max, sizeof(*b->v1));
	b->spi = calloc(b->spi_slots, sizeof(*b->spi));
	if (!b->v2 || !b->v1 || !b->spi) {
		key_bind_free(b);
		return NULL;
	}
	return b;
}

void key_bind_free(key_bind *b)
{
	if (!b)
		return;
	free(b->v2);
	free(b->v1);
	free(b->spi);
	free(b);
}

uint64_t key_bind_limit_hits(const key_bind *b)
{
	return b ? b->limit_hits : 0;
}

static bool set_taken(const bind_ike *tab, uint32_t n, uint32_t set)
{
	for (uint32_t i = 0; i < n; i++)
		if (tab[i].set == set)
			return true;
	return false;
}

const ikev2_sa *key_bind_ikev2(key_bind *b, const iks_keys *k, const uint8_t *msg, size_t len,
			       bool from_initiator, size_t off, size_t hdr, uint8_t *buf, size_t cap)
{
	const ikev2_sa *sets;
	size_t nsets = keys_charon_ikev2(k, &sets);
	if (!b || !nsets || len < 16)
		return NULL;
	for (uint32_t i = 0; i < b->n2; i++)
		if (!memcmp(b->v2[i].ispi, msg, 8) && !memcmp(b->v2[i].rspi, msg + 8, 8))
			return &sets[b->v2[i].set];
	for (size_t s = 0; s < nsets; s++) {
		if (set_taken(b->v2, b->n2, (uint32_t)s))
			continue;
		size_t plain_len;
		if (ikev2_sk_decrypt(&sets[s], from_initiator, msg, len, off, hdr, buf, cap,
				     &plain_len) != IKS_ESP_OK)
			continue;
		if (b->n2 == b->ike_max) {
			b->limit_hits++;
			return NULL;
		}
		bind_ike *e = &b->v2[b->n2++];
		memcpy(e->ispi, msg, 8);
		memcpy(e->rspi, msg + 8, 8);
		e->set = (uint32_t)s;
		return &sets[s];
	}
	return NULL;
}

/* IKEv1 payload types (RFC 2408 section 3.1, RFC 3947 NAT-D/NAT-OA and
 * their draft numbers) */
static bool v1_type_ok(uint8_t t)
{
	return (t >= 1 && t <= 13) || t == 20 || t == 21 || t == 130 || t == 131;
}

/* The decrypted message (header + payload chain, n bytes) as ikev1_process
 * left it: every payload of a known type with a zero reserved byte, and
 * the padding shorter than two cipher blocks. */
static bool v1_chain_ok(const uint8_t *plain, size_t n, size_t ct_len)
{
	if (n < 28 || ct_len < n - 28 || ct_len - (n - 28) >= 32)
		return false;
	uint8_t np = plain[16];
	size_t off = 28;
	while (np != 0) {
		if (!v1_type_ok(np) || n - off < 4 || plain[off + 1] != 0)
			return false;
		size_t pl = (size_t)plain[off + 2] << 8 | plain[off + 3];
		if (pl < 4 || pl > n - off)
			return false;
		np = plain[off];
		off += pl;
	}
	return off == n;
}

int key_bind_ikev1(key_bind *b, const iks_keys *k, ikev1_table *t, const uint8_t *msg, size_t len,
		   const iks_ike_msg *clear, uint8_t *buf, size_t cap, size_t *out_len)
{
	*out_len = 0;
	const ikev1_key *sets;
	size_t nsets = keys_charon_ikev1(k, &sets);
	if (!b || !nsets || len < 28)
		return IKS_ESP_NO_KEY;
	for (uint32_t i = 0; i < b->n1; i++)
		if (!memcmp(b->v1[i].ispi, msg, 8))
			return ikev1_process(t, &sets[b->v1[i].set], msg, len, clear, buf, cap, out_len);
	if (!(msg[19] & IKS_IKEV1_FLAG_ENCRYPTION)) {
		/* the SA and KE payloads the IVs need; no key is used */
		ikev1_key none;
		memset(&none, 0, sizeof(none));
		int r = ikev1_process(t, &none, msg, len, clear, buf, cap, out_len);
		return r == IKS_ESP_NOT_TRIED ? IKS_ESP_NOT_TRIED : IKS_ESP_NO_KEY;
	}
	int last = IKS_ESP_NO_KEY;
	for (size_t s = 0; s < nsets; s++) {
		if (set_taken(b->v1, b->n1, (uint32_t)s))
			continue;
		if (b->n1 == b->ike_max) {
			b->limit_hits++;
			return IKS_ESP_NO_KEY;
		}
		int r = ikev1_try(t, &sets[s], msg, len, buf, cap, out_len, v1_chain_ok);
		if (r == IKS_ESP_UNVERIFIED) {
			bind_ike *e = &b->v1[b->n1++];
			memcpy(e->ispi, msg, 8);
			e->set = (uint32_t)s;
			return r;
		}
		if (r == IKS_ESP_BAD_LENGTH || r == IKS_ESP_CRYPTO_ERROR)
			last = r; /* the message, not the key */
	}
	return last;
}

static bind_spi *spi_slot(key_bind *b, uint32_t spi, bool ah)
{
	uint32_t i = (spi * 2654435761u) & (b->spi_slots - 1);
	while (b->spi[i].used && (b->spi[i].spi != spi || b->spi[i].ah != ah))
		i = (i + 1) & (b->spi_slots - 1);
	return &b->spi[i];
}

static void bind_dir(key_bind *b, uint32_t spi, bool ah, uint32_t child, int role)
{
	if (!spi)
		return;
	bind_spi *e = spi_slot(b, spi, ah);
	if (e->used)
		return;
	if (b->nspi == b->spi_max) {
		b->limit_hits++;
		return;
	}
	e->used = true;
	e->spi = spi;
	e->ah = ah;
	e->child = child;
	e->role = (uint8_t)role;
	b->nspi++;
}

const esp_sa *key_bind_esp(key_bind *b, const iks_keys *k, uint32_t spi, bool ah, iks_span esp,
			   uint8_t *buf, size_t cap)
{
	const charon_child *all;
	size_t n = keys_charon_children(k, &all);
	if (!b || !n)
		return NULL;
	const bind_spi *e = spi_slot(b, spi, ah);
	if (e->used)
		return &all[e->child].key[e->role];
	int dir;
	const charon_child *c = keys_charon_child_of(k, spi, &dir);
	if (!c || c->key[0].ah != ah)
		return NULL;
	uint32_t ci = (uint32_t)(c - all);
	/* inbound traffic comes from the peer: the responder's keys if this
	 * host initiated the CHILD_SA */
	int guess = dir == 0 ? 1 : 0;
	if (ah || !esp.p || !esp.len)
		return &c->key[guess];
	int found = -1;
	for (int pass = 0; pass < 2 && found < 0; pass++) {
		for (int t = 0; t < 2; t++) {
			int role = t == 0 ? guess : 1 - guess;
			iks_esp_info info;
			memset(&info, 0, sizeof(info));
			esp_decrypt(&c->key[role], esp, buf, cap, &info);
			/* first a verified ICV; where none can verify, good padding */
			if (info.crypto == (pass == 0 ? IKS_ESP_OK : IKS_ESP_UNVERIFIED)) {
				found = role;
				break;
			}
		}
	}
	if (found < 0)
		return &c->key[guess]; /* neither fits: not bound, tried again next time */
	bind_dir(b, c->spi[dir], ah, ci, found);
	bind_dir(b, c->spi[1 - dir], ah, ci, 1 - found);
	return &c->key[found];
}
