/*
 * ikev1_crypto.c - IKEv1 encryption (RFC 2409 appendix B).
 *
 * Everything after the ISAKMP header of a message with the E flag is CBC
 * ciphertext under Ka with the negotiated cipher. The IV of the first
 * phase-1 message is the hash of the two KE values (g^xi | g^xr), cut to
 * the cipher's block size; later phase-1 messages continue the CBC chain
 * (the previous message's last ciphertext block). Each phase-2 or
 * informational exchange starts from hash(last phase-1 CBC output block |
 * message ID) and chains within its own message ID.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ikescope/packet.h>

#include "crypto/crypto.h"
#include "ike/ikev1_crypto.h"

#define KE_MAX 1024      /* modp8192 */
#define MSGIDS 16        /* phase-2 exchanges followed per IKE SA */

/* IKEv1 phase-1 attributes (RFC 2409 appendix A) */
#define ATTR_ENC 1
#define ATTR_HASH 2
#define ATTR_KEYLEN 14

typedef struct p2_iv {
	uint32_t msgid;
	bool used;
	uint8_t iv[16];
	uint8_t prev_iv[16];     /* the IV the last message used (for a retransmitted copy) */
	uint8_t last[16];        /* that message's last ciphertext block */
} p2_iv;

typedef struct v1_sa {
	uint8_t icookie[8];
	int enc;                 /* 1 DES, 5 3DES, 7 AES (attribute values) */
	unsigned key_bits;
	int hash;                /* 1 MD5, 2 SHA1, 4 SHA2-256, 5 SHA2-384, 6 SHA2-512 */
	bool have_sa;
	uint8_t ke[2][KE_MAX];
	size_t ke_len[2];
	unsigned nke;
	bool p1_started;
	uint8_t p1_iv[16], p1_prev_iv[16], p1_last[16];
	p2_iv p2[MSGIDS];
	unsigned p2_next;
} v1_sa;

struct ikev1_table {
	v1_sa *sa;
	uint32_t n, cap;
};

ikev1_table *ikev1_table_new(uint32_t cap)
{
	ikev1_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cap = cap ? cap : 1;
	return t;
}

void ikev1_table_free(ikev1_table *t)
{
	if (!t)
		return;
	if (t->sa)
		memset(t->sa, 0, t->n * sizeof(*t->sa));
	free(t->sa);
	free(t);
}

static v1_sa *find(ikev1_table *t, const uint8_t icookie[8])
{
	for (uint32_t i = 0; i < t->n; i++)
		if (!memcmp(t->sa[i].icookie, icookie, 8))
			return &t->sa[i];
	if (t->n == t->cap)
		return NULL;
	v1_sa *grown = realloc(t->sa, (t->n + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	t->sa = grown;
	v1_sa *s = &t->sa[t->n++];
	memset(s, 0, sizeof(*s));
	memcpy(s->icookie, icookie, 8);
	return s;
}

crypto_hash ikev1_hash_of(int hash)
{
	switch (hash) {
	case 1: return CRYPTO_MD5;
	case 2: return CRYPTO_SHA1;
	case 4: return CRYPTO_SHA256;
	case 5: return CRYPTO_SHA384;
	case 6: return CRYPTO_SHA512;
	}
	return CRYPTO_HASH_NONE;
}

static size_t block_of(int enc)
{
	return enc == 7 ? 16 : 8;
}

/* What the clear payloads of main/aggressive mode tell: the chosen
 * transform (the responder's SA holds just one) and the KE values. */
static void learn(v1_sa *s, const iks_ike_msg *m)
{
	for (unsigned i = 0; i < m->npayloads; i++) {
		const iks_ike_payload *p = &m->payloads[i];
		if (p->kind == IKS_PK_KE && s->nke < 2 && p->data.len <= KE_MAX) {
			memcpy(s->ke[s->nke], p->data.p, p->data.len);
			s->ke_len[s->nke++] = p->data.len;
		}
		if (p->kind != IKS_PK_SA || p->prop_count == 0)
			continue;
		const iks_ike_proposal *pr = &m->proposals[p->prop_first];
		if (pr->tr_count != 1 && s->have_sa)
			continue; /* an offer of several: the answer will say which */
		const iks_ike_transform *tr = &m->transforms[pr->tr_first];
		int enc = 0, hash = 0;
		unsigned bits = 0;
		for (unsigned a = 0; a < tr->attr_count; a++) {
			const iks_ike_attr *at = &m->attrs[tr->attr_first + a];
			if (at->type == ATTR_ENC)
				enc = (int)at->value;
			else if (at->type == ATTR_HASH)
				hash = (int)at->value;
			else if (at->type == ATTR_KEYLEN)
				bits = at->value;
		}
		if (enc && hash) {
			s->enc = enc;
			s->hash = hash;
			s->key_bits = bits ? bits : enc == 7 ? 128 : enc == 5 ? 192 : 64;
			s->have_sa = true;
		}
	}
}

static bool hash_iv(const v1_sa *s, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		    uint8_t *iv)
{
	return crypto_hash2(ikev1_hash_of(s->hash), a, alen, b, blen, iv, block_of(s->enc));
}

/* The length of the payload chain starting with np in p (0 when it does
 * not walk cleanly to a last payload). */
static size_t chain_len(uint8_t np, const uint8_t *p, size_t len)
{
	size_t off = 0;
	unsigned guard = 0;
	while (np != 0) {
		if (len - off < 4 || ++guard > 64)
			return 0;
		size_t pl = (size_t)p[off + 2] << 8 | p[off + 3];
		if (pl < 4 || pl > len - off)
			return 0;
		np = p[off];
		off += pl;
	}
	return off;
}

int ikev1_process(ikev1_table *t, const ikev1_key *key, const uint8_t *msg, size_t len,
		  const iks_ike_msg *clear, uint8_t *buf, size_t cap, size_t *out_len)
{
	*out_len = 0;
	v1_sa *s = find(t, msg);
	if (!s)
		return IKS_ESP_CRYPTO_ERROR;
	if (!(msg[19] & IKS_IKEV1_FLAG_ENCRYPTION)) {
		if (clear)
			learn(s, clear);
		return IKS_ESP_NOT_TRIED;
	}
	if (!s->have_sa || s->nke < 2)
		return IKS_ESP_NO_KEY;
	size_t blk = block_of(s->enc), klen = s->key_bits / 8;
	if (len < 28 || (len - 28) % blk || len - 28 < blk || cap < len || klen > key->ka_len)
		return IKS_ESP_BAD_LENGTH;
	const uint8_t *ct = msg + 28;
	size_t ct_len = len - 28;
	const uint8_t *last = ct + ct_len - blk;
	uint32_t msgid = (uint32_t)msg[20] << 24 | (uint32_t)msg[21] << 16 | (uint32_t)msg[22] << 8 |
			 msg[23];
	uint8_t iv[16];
	if (msgid == 0) {
		if (!s->p1_started) {
			if (!hash_iv(s, s->ke[0], s->ke_len[0], s->ke[1], s->ke_len[1], s->p1_iv))
				return IKS_ESP_NO_KEY;
			s->p1_started = true;
		} else if (!memcmp(last, s->p1_last, blk)) {
			/* a retransmitted copy of the previous message: its IV */
			memcpy(s->p1_iv, s->p1_prev_iv, blk);
		}
		memcpy(iv, s->p1_iv, blk);
		memcpy(s->p1_prev_iv, iv, blk);
		memcpy(s->p1_last, last, blk);
		memcpy(s->p1_iv, last, blk);
	} else {
		p2_iv *e = NULL;
		for (unsigned i = 0; i < MSGIDS; i++)
			if (s->p2[i].used && s->p2[i].msgid == msgid)
				e = &s->p2[i];
		if (!e) {
			e = &s->p2[s->p2_next];
			s->p2_next = (s->p2_next + 1) % MSGIDS;
			memset(e, 0, sizeof(*e));
			e->used = true;
			e->msgid = msgid;
			if (!hash_iv(s, s->p1_iv, blk, msg + 20, 4, e->iv))
				return IKS_ESP_NO_KEY;
		} else if (!memcmp(last, e->last, blk)) {
			memcpy(e->iv, e->prev_iv, blk);
		}
		memcpy(iv, e->iv, blk);
		memcpy(e->prev_iv, iv, blk);
		memcpy(e->last, last, blk);
		memcpy(e->iv, last, blk);
	}
	crypto_op op = { .key = key->ka, .key_len = klen, .iv = iv, .iv_len = blk };
	op.cipher = s->enc == 7 ? CRYPTO_AES_CBC : s->enc == 5 ? CRYPTO_3DES_CBC
		    : s->enc == 1 ? CRYPTO_DES_CBC : 0;
	if (crypto_decrypt(&op, ct, ct_len, buf + 28, cap - 28) != CRYPTO_OK)
		return IKS_ESP_CRYPTO_ERROR;
	size_t chain = chain_len(msg[16], buf + 28, ct_len);
	if (!chain)
		return IKS_ESP_BAD_PADDING;
	memcpy(buf, msg, 28);
	buf[19] &= (uint8_t)~IKS_IKEV1_FLAG_ENCRYPTION;
	uint32_t total = (uint32_t)(28 + chain);
	buf[24] = (uint8_t)(total >> 24);
	buf[25] = (uint8_t)(total >> 16);
	buf[26] = (uint8_t)(total >> 8);
	buf[27] = (uint8_t)total;
	*out_len = total;
	return IKS_ESP_UNVERIFIED;
}

int ikev1_try(ikev1_table *t, const ikev1_key *key, const uint8_t *msg, size_t len, uint8_t *buf,
	      size_t cap, size_t *out_len, bool (*accept)(const uint8_t *plain, size_t n, size_t ct_len))
{
	*out_len = 0;
	v1_sa *s = find(t, msg);
	if (!s)
		return IKS_ESP_CRYPTO_ERROR;
	v1_sa saved = *s;
	int r = ikev1_process(t, key, msg, len, NULL, buf, cap, out_len);
	if (r != IKS_ESP_UNVERIFIED || (accept && !accept(buf, *out_len, len - 28))) {
		s = find(t, msg); /* the same entry: it exists */
		if (s)
			*s = saved;
		*out_len = 0;
		if (r == IKS_ESP_UNVERIFIED)
			r = IKS_ESP_BAD_PADDING;
	}
	memset(&saved, 0, sizeof(saved));
	return r;
}
