/*
 * decoder_crypto.c - the decoder's decryption glue: the keys of an ESP/AH
 * packet or IKE message are looked up, the packet verified and decrypted
 * (esp_crypto.c, ikev1_crypto.c), and the SPIs a decrypted IKE message
 * negotiates remembered so that ESP can name its IKE SA.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <ikescope/ike.h>

#include "decode/decoder_crypto.h"
#include "ipsec/esp_crypto.h"
#include "ike/ike.h"
#include "keys/key_bind.h"
#include "keys/key_store.h"

iks_status dcrypto_set_keys(dec_crypto *cr, const iks_keys *keys, const iks_decoder_limits *lim)
{
	if (keys && !cr->plain) {
		/* the largest ESP packet an IP datagram can carry */
		cr->plain_cap = 65536;
		cr->plain = malloc(cr->plain_cap);
		if (!cr->plain) {
			cr->plain_cap = 0;
			return IKS_E_NOMEM;
		}
	}
	if (keys && !cr->owners) {
		cr->owners = calloc(OWNER_SLOTS, sizeof(*cr->owners));
		if (!cr->owners)
			return IKS_E_NOMEM;
	}
	if (keys && !cr->v1) {
		cr->v1 = ikev1_table_new(lim->frag_datagrams_max);
		if (!cr->v1)
			return IKS_E_NOMEM;
	}
	if (keys && !cr->ike_plain) {
		cr->ike_plain = malloc(sizeof(*cr->ike_plain));
		if (!cr->ike_plain)
			return IKS_E_NOMEM;
	}
	cr->keys = keys;
	cr->bind_max = lim->ike_sas_max;
	return IKS_OK;
}

/* The binding tables, made when keys from charon logs are first needed
 * (the store may be loaded after it was given to the decoder). NULL: the
 * store has none, or out of memory (nothing is bound then). */
static key_bind *binder(dec_crypto *cr)
{
	const ikev2_sa *a;
	const ikev1_key *b;
	const charon_child *c;
	if (!cr->bind && (keys_charon_ikev2(cr->keys, &a) || keys_charon_ikev1(cr->keys, &b) ||
			  keys_charon_children(cr->keys, &c)))
		cr->bind = key_bind_new(cr->bind_max);
	return cr->bind;
}

void dcrypto_free(dec_crypto *cr)
{
	free(cr->ike_plain);
	key_bind_free(cr->bind);
	ikev1_table_free(cr->v1);
	free(cr->owners);
	for (int i = 0; i < SKF_SETS; i++)
		free(cr->skf[i].data);
	if (cr->plain)
		memset(cr->plain, 0, cr->plain_cap);
	free(cr->plain);
}

static spi_owner *owner_slot(const dec_crypto *dec, uint32_t spi)
{
	return &dec->owners[(spi * 2654435761u) >> 19 & (OWNER_SLOTS - 1)];
}

/* The SPIs proposed or accepted in a decrypted message (RFC 2408 section
 * 3.5, RFC 7296 section 3.3.1): ESP (3) and AH (2) proposals with 4-byte SPIs. */
void dcrypto_learn_spis(dec_crypto *dec, const iks_ike_msg *m)
{
	for (unsigned i = 0; i < m->nproposals && i < IKS_IKE_MSG_MAX_PROPOSALS; i++) {
		const iks_ike_proposal *p = &m->proposals[i];
		if ((p->protocol != 2 && p->protocol != 3) || p->spi.len != 4)
			continue;
		uint32_t spi = (uint32_t)p->spi.p[0] << 24 | (uint32_t)p->spi.p[1] << 16 |
			       (uint32_t)p->spi.p[2] << 8 | p->spi.p[3];
		spi_owner *o = owner_slot(dec, spi);
		if (o->used && o->spi != spi)
			dec->limit_hits++; /* the older SPI's ESP is no longer tied to its IKE SA */
		o->used = true;
		o->spi = spi;
		o->version = m->version;
		memcpy(o->ispi, m->ispi, 8);
		memcpy(o->rspi, m->rspi, 8);
		o->msgid = m->msgid;
	}
}

static void name_owner(const dec_crypto *dec, iks_esp_info *esp)
{
	const spi_owner *o = dec->owners ? owner_slot(dec, esp->spi) : NULL;
	if (!o || !o->used || o->spi != esp->spi)
		return;
	esp->sa_known = true;
	esp->sa_version = o->version;
	memcpy(esp->sa_ispi, o->ispi, 8);
	memcpy(esp->sa_rspi, o->rspi, 8);
	esp->sa_msgid = o->msgid;
}

bool dcrypto_esp(dec_crypto *cr, iks_layers *L, uint32_t wire)
{
	if (!cr->keys && !cr->esp_null)
		return false;
	name_owner(cr, &L->esp);
	const esp_sa *sa = keys_find_esp(cr->keys, L->esp.spi, &L->ip.dst);
	iks_span esp = { L->esp.raw.p, wire };
	if (!sa && cr->keys && binder(cr)) {
		iks_span whole = L->esp.raw.len < wire ? (iks_span){ NULL, 0 } : esp;
		sa = key_bind_esp(cr->bind, cr->keys, L->esp.spi, false, whole, cr->plain, cr->plain_cap);
	}
	if (!sa) {
		L->esp.crypto = cr->keys ? IKS_ESP_NO_KEY : IKS_ESP_NOT_TRIED;
		if (!cr->esp_null || L->esp.raw.len < wire || !esp_null_guess(esp, &L->esp))
			return false;
	} else if (L->esp.raw.len < wire) {
		L->esp.crypto = IKS_ESP_CUT;
		return false;
	} else {
		esp_decrypt(sa, esp, cr->plain, cr->plain_cap, &L->esp);
		if (L->esp.crypto != IKS_ESP_OK && L->esp.crypto != IKS_ESP_UNVERIFIED)
			return false;
	}
	return true;
}

void dcrypto_ah(dec_crypto *cr, iks_layers *L, const iks_reader *p, uint32_t wire)
{
	if (!cr->keys)
		return;
	const esp_sa *sa = keys_find_ah(cr->keys, L->ah.spi, &L->ip.dst);
	if (!sa && L->ip.version == 6)
		sa = keys_find_ah(cr->keys, L->ah.spi, NULL); /* a routing header en route */
	if (!sa && binder(cr))
		sa = key_bind_esp(cr->bind, cr->keys, L->ah.spi, true, (iks_span){ NULL, 0 }, cr->plain,
				  cr->plain_cap);
	if (!sa) {
		L->ah.crypto = IKS_ESP_NO_KEY;
		return;
	}
	if (L->ip.is_fragment)
		return; /* not verified after reassembly yet */
	if (rd_left(p) < wire) {
		L->ah.crypto = IKS_ESP_CUT;
		return;
	}
	/* the IP header (and IPv6 extension headers) sit right before AH in the same frame */
	size_t hl = L->ip.header_len;
	const uint8_t *ah = L->ip.payload.p;
	if (!ah || ah != rd_ptr(p))
		return;
	L->ah.crypto = ah_verify(sa, ah - hl, hl + wire, hl, L->ah.icv_len, cr->plain,
				 cr->plain_cap);
}

/* Keep the decrypted SKF fragment now at dec->plain + 28; when it completes
 * its message, decode the whole into k->decrypted. Bounded: SKF_SETS
 * messages at once (the oldest gives way), SKF_MAX_FRAGS fragments each,
 * 64 KiB of plaintext per message. */
static void skf_add(dec_crypto *dec, iks_ike_info *k, const iks_ike_payload_ref *p,
		    size_t plain_len)
{
	const uint8_t *h = k->raw.p + p->offset; /* SKF header: np, C, length, number, total */
	uint16_t num = (uint16_t)(h[4] << 8 | h[5]), total = (uint16_t)(h[6] << 8 | h[7]);
	if (num == 0 || total == 0 || num > total)
		return;
	if (total > SKF_MAX_FRAGS) {
		dec->limit_hits++; /* more fragments than a set follows: not put together */
		return;
	}
	skf_set *set = NULL, *oldest = &dec->skf[0];
	for (int i = 0; i < SKF_SETS; i++) {
		skf_set *c = &dec->skf[i];
		if (c->used && !memcmp(c->ispi, k->ispi, 8) && !memcmp(c->rspi, k->rspi, 8) &&
		    c->msgid == k->msgid && c->flags == (k->flags & 0x28))
			set = c;
		if (!c->used || c->age < oldest->age)
			oldest = c;
	}
	if (!set) {
		set = oldest;
		if (set->used)
			dec->limit_hits++; /* an unfinished message gives way */
		uint8_t *keep = set->data;
		memset(set, 0, sizeof(*set));
		set->data = keep ? keep : malloc(65536);
		if (!set->data)
			return;
		set->used = true;
		memcpy(set->ispi, k->ispi, 8);
		memcpy(set->rspi, k->rspi, 8);
		set->msgid = k->msgid;
		set->flags = k->flags & 0x28;
	}
	set->age = ++dec->skf_clock;
	set->total = total;
	uint64_t bit = 1ull << (num - 1);
	if (set->have & bit || plain_len > 65536 - set->used_bytes)
		return; /* a copy (retransmission), or too big */
	if (num == 1)
		set->first_np = h[0];
	memcpy(set->data + set->used_bytes, dec->plain + IKS_IKE_HEADER_LEN, plain_len);
	set->off[num - 1] = set->used_bytes;
	set->len[num - 1] = (uint32_t)plain_len;
	set->used_bytes += (uint32_t)plain_len;
	set->have |= bit;
	uint64_t all = total == 64 ? ~0ull : (1ull << total) - 1;
	if (set->have != all)
		return;
	/* all there: header as sent (SKF's first payload), fragments in order */
	size_t n = IKS_IKE_HEADER_LEN;
	memcpy(dec->plain, k->raw.p, IKS_IKE_HEADER_LEN);
	dec->plain[16] = set->first_np;
	for (unsigned i = 0; i < total && n + set->len[i] <= dec->plain_cap; i++) {
		memcpy(dec->plain + n, set->data + set->off[i], set->len[i]);
		n += set->len[i];
	}
	dec->plain[24] = (uint8_t)(n >> 24);
	dec->plain[25] = (uint8_t)(n >> 16);
	dec->plain[26] = (uint8_t)(n >> 8);
	dec->plain[27] = (uint8_t)n;
	iks_ike_msg_decode(dec->plain, n, dec->ike_plain);
	k->decrypted = dec->ike_plain;
	dcrypto_learn_spis(dec, dec->ike_plain);
	set->used = false;
}

/* With keys: the IKEv2 Encrypted payload (RFC 7296 section 3.14) of the
 * frame's IKE message, decrypted and decoded as a message of its own: the
 * header as sent, its first payload the one the SK header names. An SKF
 * fragment (RFC 7383) is decrypted and verified on its own and kept until
 * its message is complete (skf_add). */
void dcrypto_ike(dec_crypto *dec, iks_packet *pkt)
{
	iks_ike_info *k = &pkt->l.ike;
	if (!dec->keys || !k->present)
		return;
	if (k->version == 1) {
		const ikev1_key *key = keys_find_ikev1(dec->keys, k->ispi);
		const ikev1_key *logged;
		bool from_log = !key && keys_charon_ikev1(dec->keys, &logged) > 0 && binder(dec);
		if ((!key && !from_log) || k->raw.len < k->length || k->length < IKS_IKE_HEADER_LEN)
			return;
		size_t n;
		const iks_ike_msg *clear = k->detail ? k->detail->msg : NULL;
		const uint8_t *bytes = k->raw.p;
		size_t len = k->length;
		/* an encrypted message sent in IKE fragments: the whole message,
		 * on the frame that completed it */
		const iks_ike_msg *whole = k->detail ? k->detail->reassembled : NULL;
		if (whole && whole->encrypted && whole->raw.len >= IKS_IKE_HEADER_LEN) {
			bytes = whole->raw.p;
			len = whole->raw.len;
		}
		if (from_log)
			k->crypto = key_bind_ikev1(dec->bind, dec->keys, dec->v1, bytes, len, clear, dec->plain,
						   dec->plain_cap, &n);
		else
			k->crypto = ikev1_process(dec->v1, key, bytes, len, clear, dec->plain,
						  dec->plain_cap, &n);
		if (k->crypto == IKS_ESP_UNVERIFIED) {
			iks_ike_msg_decode(dec->plain, n, dec->ike_plain);
			k->decrypted = dec->ike_plain;
			dcrypto_learn_spis(dec, dec->ike_plain);
		}
		return;
	}
	if (k->version != 2 || k->npayloads == 0 || k->npayloads > IKS_IKE_MAX_PAYLOADS)
		return;
	const iks_ike_payload_ref *last = &k->payloads[k->npayloads - 1];
	if (last->type != 46 && last->type != 53)
		return;
	const ikev2_sa *sa = keys_find_ikev2(dec->keys, k->ispi, k->rspi);
	if (!sa && k->raw.len >= k->length && k->length >= IKS_IKE_HEADER_LEN && binder(dec))
		sa = key_bind_ikev2(dec->bind, dec->keys, k->raw.p, k->length,
				    (k->flags & IKS_IKEV2_FLAG_INITIATOR) != 0, last->offset,
				    last->type == 46 ? 4 : 8, dec->plain + IKS_IKE_HEADER_LEN,
				    dec->plain_cap - IKS_IKE_HEADER_LEN);
	if (!sa) {
		k->crypto = IKS_ESP_NO_KEY;
		return;
	}
	if (k->raw.len < k->length || k->length < IKS_IKE_HEADER_LEN) {
		k->crypto = IKS_ESP_CUT;
		return;
	}
	size_t hdr = last->type == 46 ? 4 : 8, plain_len;
	k->crypto = ikev2_sk_decrypt(sa, (k->flags & IKS_IKEV2_FLAG_INITIATOR) != 0, k->raw.p,
				     k->length, last->offset, hdr, dec->plain + IKS_IKE_HEADER_LEN,
				     dec->plain_cap - IKS_IKE_HEADER_LEN, &plain_len);
	if (k->crypto != IKS_ESP_OK && k->crypto != IKS_ESP_UNVERIFIED)
		return;
	if (last->type == 53) {
		skf_add(dec, k, last, plain_len);
		return;
	}
	memcpy(dec->plain, k->raw.p, IKS_IKE_HEADER_LEN);
	dec->plain[16] = k->raw.p[last->offset]; /* the first payload inside */
	uint32_t total = (uint32_t)(IKS_IKE_HEADER_LEN + plain_len);
	dec->plain[24] = (uint8_t)(total >> 24);
	dec->plain[25] = (uint8_t)(total >> 16);
	dec->plain[26] = (uint8_t)(total >> 8);
	dec->plain[27] = (uint8_t)total;
	iks_ike_msg_decode(dec->plain, total, dec->ike_plain);
	k->decrypted = dec->ike_plain;
	dcrypto_learn_spis(dec, dec->ike_plain);
}

