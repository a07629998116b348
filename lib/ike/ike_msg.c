/*
 * ike_msg.c - a whole IKE message: the ISAKMP/IKEv2 header (RFC 2408
 * section 3.1, RFC 7296 section 3.1), its payload chain (walked by
 * ike_chain.c, RFC 2408 section 3.2, RFC 7296 section 3.2) and the
 * dispatch of each body to its decoder by a table.
 */
#include "config.h"

#include <string.h>

#include <ikescope/ike.h>

#include "ike/ike.h"
#include "ike/ike_payload.h"

struct body_entry {
	uint8_t type;
	uint8_t kind;
	ike_body_fn fn;
};

/* IKEv1: RFC 2408 section 3.1 and RFC 3947 section 4 / 5 */
static const struct body_entry v1_bodies[] = {
	{ 1, IKS_PK_SA, ike_body_sa_v1 },
	{ 4, IKS_PK_KE, ike_body_data },
	{ 5, IKS_PK_ID, ike_body_id_v1 },
	{ 6, IKS_PK_CERT, ike_body_encoded },
	{ 7, IKS_PK_CR, ike_body_encoded },
	{ 8, IKS_PK_HASH, ike_body_data },
	{ 9, IKS_PK_SIG, ike_body_data },
	{ 10, IKS_PK_NONCE, ike_body_data },
	{ 11, IKS_PK_NOTIFY, ike_body_notify_v1 },
	{ 12, IKS_PK_DELETE, ike_body_delete_v1 },
	{ 13, IKS_PK_VID, ike_body_vid },
	{ 14, IKS_PK_CONFIG, ike_body_attr_v1 },
	{ 132, IKS_PK_FRAG, ike_body_frag_v1 },
};

/* IKEv2: RFC 7296 section 3.2, RFC 7383 section 2.5 */
static const struct body_entry v2_bodies[] = {
	{ 33, IKS_PK_SA, ike_body_sa_v2 },
	{ 34, IKS_PK_KE, ike_body_ke_v2 },
	{ 35, IKS_PK_ID, ike_body_id_v2 },
	{ 36, IKS_PK_ID, ike_body_id_v2 },
	{ 37, IKS_PK_CERT, ike_body_encoded },
	{ 38, IKS_PK_CR, ike_body_encoded },
	{ 39, IKS_PK_AUTH, ike_body_auth },
	{ 40, IKS_PK_NONCE, ike_body_data },
	{ 41, IKS_PK_NOTIFY, ike_body_notify_v2 },
	{ 42, IKS_PK_DELETE, ike_body_delete_v2 },
	{ 43, IKS_PK_VID, ike_body_vid },
	{ 44, IKS_PK_TS, ike_body_ts },
	{ 45, IKS_PK_TS, ike_body_ts },
	{ 46, IKS_PK_SK, ike_body_data },
	{ 47, IKS_PK_CONFIG, ike_body_cp },
	{ 48, IKS_PK_EAP, ike_body_eap },
	{ 53, IKS_PK_SKF, ike_body_skf },
};

/* The NAT-D / NAT-OA numbers of each numbering (RFC 3947 sections 3.2, 4;
 * draft-ietf-ipsec-nat-t-ike-02/03 used 130/131, -04 to -08 used 15/16). */
static const uint8_t natt_numbers[3][2] = {
	[IKS_NATT_RFC] = { 20, 21 },
	[IKS_NATT_DRAFT_02] = { 130, 131 },
	[IKS_NATT_DRAFT_04] = { 15, 16 },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

ike_body_fn ike_body_for(int version, unsigned type, int numbering, uint8_t *kind)
{
	*kind = IKS_PK_UNKNOWN;
	if (version == 1) {
		if (numbering < 0 || numbering > IKS_NATT_DRAFT_04)
			numbering = IKS_NATT_RFC;
		if (type == natt_numbers[numbering][0]) {
			*kind = IKS_PK_NAT_D;
			return ike_body_data;
		}
		if (type == natt_numbers[numbering][1]) {
			*kind = IKS_PK_NAT_OA;
			return ike_body_nat_oa;
		}
		for (size_t i = 0; i < COUNT(v1_bodies); i++)
			if (v1_bodies[i].type == type) {
				*kind = v1_bodies[i].kind;
				return v1_bodies[i].fn;
			}
		return NULL;
	}
	for (size_t i = 0; i < COUNT(v2_bodies); i++)
		if (v2_bodies[i].type == type) {
			*kind = v2_bodies[i].kind;
			return v2_bodies[i].fn;
		}
	return NULL;
}

void iks_ike_msg_init(iks_ike_msg *msg, int version)
{
	if (!msg)
		return;
	/* the header part and every count; the arrays are filled up to their counts */
	memset(msg, 0, offsetof(iks_ike_msg, payloads));
	msg->version = (uint8_t)version;
	msg->nproposals = msg->ntransforms = msg->nattrs = msg->nts = 0;
	msg->items_truncated = false;
	msg->status = IKS_OK;
	msg->err_offset = 0;
	msg->reason = NULL;
}

/* Decode the payload at `r` (generic header + body, exactly its length). */
static iks_status decode_one(iks_ike_msg *m, unsigned type, int numbering, iks_reader r)
{
	if (m->npayloads >= IKS_IKE_MSG_MAX_PAYLOADS) {
		m->payloads_truncated = true;
		return IKS_E_LIMIT;
	}
	iks_ike_payload *pl = &m->payloads[m->npayloads++];
	memset(pl, 0, sizeof(*pl));
	pl->type = (uint8_t)type;
	pl->offset = (uint32_t)rd_offset(&r);
	uint8_t next, flags;
	uint16_t plen;
	if (!rd_u8(&r, &next) || !rd_u8(&r, &flags) || !rd_be16(&r, &plen))
		return ike_pl_fail(pl, IKS_E_MALFORMED, pl->offset, "payload shorter than its header");
	pl->next = next;
	pl->flags = flags;
	pl->length = plen;
	pl->body.p = rd_ptr(&r);
	pl->body.len = rd_left(&r);
	ike_body_fn fn = ike_body_for(m->version, type, numbering, &pl->kind);
	if (!fn)
		return IKS_OK;
	fn(m, pl, r);
	return pl->status;
}

iks_status iks_ike_payload_decode(int version, unsigned type, int numbering, const uint8_t *data,
				  size_t len, iks_ike_msg *msg)
{
	if (!msg || (!data && len) || (version != 1 && version != 2) || type > 255)
		return IKS_E_INVALID;
	msg->version = (uint8_t)version;
	return decode_one(msg, type, numbering, rd_init(data, len, 0));
}

static iks_status msg_fail(iks_ike_msg *m, iks_status st, size_t off, const char *why)
{
	m->status = st;
	m->err_offset = (uint32_t)off;
	m->reason = why;
	return st;
}

/* Decode one payload the chain walk found whole (ike_chain.c). */
struct walk_arg {
	iks_ike_msg *m;
	int numbering;
};

static void decode_found(void *arg, const ike_chain_item *it)
{
	struct walk_arg *w = arg;
	if (it->whole)
		decode_one(w->m, it->type, w->numbering, it->payload);
}

/*
 * Walk the chain and decode every body. Stops at an overrun, a length
 * below 4 or a cut capture, keeping what came before; reports bytes left
 * over after the last payload.
 */
static iks_status walk(iks_ike_msg *m, iks_reader r, bool cut, uint8_t np, int numbering)
{
	struct walk_arg w = { m, numbering };
	ike_chain_fail f;
	iks_status st = ike_chain_walk(r, cut, m->version, np, decode_found, &w, &f);
	if (st != IKS_OK)
		return msg_fail(m, st, f.offset, f.reason);
	return IKS_OK;
}

iks_status ike_msg_decode(const uint8_t *data, size_t len, bool cut, int numbering,
			  iks_ike_msg *msg)
{
	iks_reader r = rd_init(data, len, 0);
	uint8_t np, ver;
	uint32_t mlen;
	iks_ike_msg_init(msg, 0);
	if (!rd_copy(&r, msg->ispi, 8) || !rd_copy(&r, msg->rspi, 8) || !rd_u8(&r, &np) ||
	    !rd_u8(&r, &ver) || !rd_u8(&r, &msg->exchange) || !rd_u8(&r, &msg->flags) ||
	    !rd_be32(&r, &msg->msgid) || !rd_be32(&r, &mlen))
		return msg_fail(msg, cut ? IKS_E_TRUNCATED : IKS_E_MALFORMED, 0,
				"message shorter than the 28-byte ISAKMP header");
	msg->version = ver >> 4;
	msg->length = mlen;
	msg->natt_numbering = numbering;
	if (msg->version != 1 && msg->version != 2)
		return msg_fail(msg, IKS_E_UNSUPPORTED, 17, "ISAKMP major version neither 1 nor 2");
	if (mlen < IKS_IKE_HEADER_LEN)
		return msg_fail(msg, IKS_E_MALFORMED, 24, "length field below the 28-byte header");
	if (!cut && mlen > len)
		return msg_fail(msg, IKS_E_MALFORMED, 24, "length field exceeds the message");
	if (mlen < len)
		r.len = mlen; /* bytes after the length field are not the message's */
	msg->raw.p = data;
	msg->raw.len = r.len;
	if (msg->version == 1 && (msg->flags & IKS_IKEV1_FLAG_ENCRYPTION)) {
		msg->encrypted = true;
		return IKS_OK;
	}
	return walk(msg, r, cut && mlen > len, np, numbering);
}

iks_status iks_ike_msg_decode(const uint8_t *data, size_t len, iks_ike_msg *msg)
{
	if (!msg)
		return IKS_E_INVALID;
	if (!data)
		len = 0;
	/* first pass with RFC numbers to read the vendor IDs, then again if
	 * they ask for a draft numbering */
	ike_msg_decode(data, len, false, IKS_NATT_RFC, msg);
	int pref;
	int n = ike_msg_natt_from_vids(msg, &pref);
	if (n > IKS_NATT_RFC)
		ike_msg_decode(data, len, false, n, msg);
	return msg->status;
}

int ike_msg_natt_from_vids(const iks_ike_msg *msg, int *preference)
{
	int best = -1, best_pref = -1;
	for (unsigned i = 0; i < msg->npayloads; i++) {
		const iks_ike_payload *pl = &msg->payloads[i];
		int pref;
		if (pl->kind != IKS_PK_VID || pl->status != IKS_OK)
			continue;
		int n = iks_ike_vendor_natt(pl->data.p, pl->data.len, &pref);
		if (n >= 0 && pref > best_pref) {
			best = n;
			best_pref = pref;
		}
	}
	*preference = best_pref;
	return best;
}
