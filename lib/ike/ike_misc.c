/*
 * ike_misc.c - the payloads with little structure: KE, CERT/CR, HASH, SIG,
 * AUTH, Nonce, VID, NAT-D, SK (RFC 2408 3.7-3.13, RFC 7296 3.4-3.9, 3.12,
 * 3.14), IKEv1 fragments (payload 132), IKEv2 SKF (RFC 7383 2.5), mode
 * config / CP (draft-ietf-ipsec-isakmp-mode-cfg-05 section 3.2, RFC 7296
 * 3.15) and EAP (RFC 7296 3.16, RFC 3748 section 4).
 */
#include "config.h"

#include "ike/ike_payload.h"

static void take_rest(iks_ike_payload *pl, iks_reader *r)
{
	pl->data.p = rd_ptr(r);
	pl->data.len = rd_left(r);
}

/* Payloads that are only data (v1 KE, HASH, SIG, Nonce, NAT-D; v2 Nonce, SK). */
iks_status ike_body_data(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	take_rest(pl, &body);
	if (pl->data.len == 0 && pl->kind != IKS_PK_SK)
		return ike_pl_fail(pl, IKS_E_MALFORMED, rd_offset(&body), "payload without data");
	return IKS_OK;
}

/* | Diffie-Hellman Group Num | RESERVED | Key Exchange Data (RFC 7296 3.4) */
iks_status ike_body_ke_v2(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	size_t at = rd_offset(&body);
	if (!rd_be16(&body, &pl->group) || !rd_skip(&body, 2))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "KE payload shorter than 4 bytes");
	take_rest(pl, &body);
	return IKS_OK;
}

/* | Cert Encoding | Certificate / CA data (RFC 2408 3.9, 3.10; RFC 7296 3.6, 3.7) */
iks_status ike_body_encoded(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	size_t at = rd_offset(&body);
	if (!rd_u8(&body, &pl->encoding))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "payload without its encoding octet");
	take_rest(pl, &body);
	return IKS_OK;
}

/* | Auth Method | RESERVED (3) | Authentication Data (RFC 7296 3.8) */
iks_status ike_body_auth(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	size_t at = rd_offset(&body);
	if (!rd_u8(&body, &pl->encoding) || !rd_skip(&body, 3))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "AUTH payload shorter than 4 bytes");
	take_rest(pl, &body);
	return IKS_OK;
}

/* Vendor ID (RFC 2408 3.16, RFC 7296 3.12): data, named from the table. */
iks_status ike_body_vid(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	take_rest(pl, &body);
	if (pl->data.len == 0)
		return ike_pl_fail(pl, IKS_E_MALFORMED, rd_offset(&body), "empty vendor ID");
	pl->vendor = iks_ike_vendor_name(pl->data.p, pl->data.len);
	return IKS_OK;
}

/*
 * IKEv1 fragment (payload 132, as Cisco, Microsoft and strongSwan send it):
 * |          Fragment ID          |  Fragment Num |     Flags     |
 * |                      Fragment Data                            |
 * Flags bit 0: last fragment. Numbers start at 1.
 */
iks_status ike_body_frag_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	size_t at = rd_offset(&body);
	uint8_t num, flags;
	if (!rd_be16(&body, &pl->frag_id) || !rd_u8(&body, &num) || !rd_u8(&body, &flags))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "fragment payload shorter than 4 bytes");
	pl->frag_number = num;
	pl->frag_last = (flags & 1) != 0;
	take_rest(pl, &body);
	if (num == 0)
		return ike_pl_fail(pl, IKS_E_MALFORMED, at + 2, "fragment number 0 (they start at 1)");
	return IKS_OK;
}

/*
 * SKF (RFC 7383 2.5):
 * |       Fragment Number         |        Total Fragments        |
 * |                   IV / Encrypted content / ICV                |
 */
iks_status ike_body_skf(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	size_t at = rd_offset(&body);
	if (!rd_be16(&body, &pl->frag_number) || !rd_be16(&body, &pl->frag_total))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "SKF payload shorter than 4 bytes");
	take_rest(pl, &body);
	if (pl->frag_number == 0 || pl->frag_total == 0)
		return ike_pl_fail(pl, IKS_E_MALFORMED, at,
				   "fragment number or total is 0 (RFC 7383 2.5)");
	if (pl->frag_number > pl->frag_total)
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "fragment number above the total");
	return IKS_OK;
}

/* Mode config (payload 14): | Type | RESERVED | Identifier | attributes */
iks_status ike_body_attr_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	size_t at = rd_offset(&body);
	if (!rd_u8(&body, &pl->cfg_type) || !rd_skip(&body, 1) || !rd_be16(&body, &pl->cfg_id))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "attribute payload shorter than 4 bytes");
	return ike_read_attrs(m, pl, &body, &pl->attr_first, &pl->attr_count);
}

/*
 * CP (RFC 7296 3.15): | CFG Type | RESERVED (3) | attributes:
 * |R|         Attribute Type      |            Length             |
 * (the R bit is reserved, not a TV flag: every attribute has a length).
 */
iks_status ike_body_cp(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	size_t at = rd_offset(&body);
	if (!rd_u8(&body, &pl->cfg_type) || !rd_skip(&body, 3))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "CP payload shorter than 4 bytes");
	pl->attr_first = m->nattrs;
	while (rd_left(&body) > 0) {
		size_t aat = rd_offset(&body);
		uint16_t t, len;
		iks_ike_attr a = { 0 };
		if (!rd_be16(&body, &t) || !rd_be16(&body, &len))
			return ike_pl_fail(pl, IKS_E_MALFORMED, aat,
					   "attribute shorter than its 4-byte header");
		if (!rd_span(&body, len, &a.data))
			return ike_pl_fail(pl, IKS_E_MALFORMED, aat,
					   "attribute value runs past its container");
		a.type = t & 0x7fff;
		a.offset = (uint32_t)aat;
		if (m->nattrs < IKS_IKE_MSG_MAX_ATTRS) {
			m->attrs[m->nattrs++] = a;
			pl->attr_count++;
		} else {
			m->items_truncated = true;
		}
	}
	return IKS_OK;
}

/* EAP (RFC 3748 4): | Code | Identifier | Length | Type | Type-Data */
iks_status ike_body_eap(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	size_t at = rd_offset(&body);
	uint16_t len;
	if (!rd_u8(&body, &pl->eap_code) || !rd_u8(&body, &pl->eap_id) || !rd_be16(&body, &len))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "EAP message shorter than 4 bytes");
	if (len != pl->body.len)
		return ike_pl_fail(pl, IKS_E_MALFORMED, at + 2,
				   "EAP length differs from the payload length");
	if ((pl->eap_code == 1 || pl->eap_code == 2) && !rd_u8(&body, &pl->eap_type))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at + 4, "EAP request/response without a type");
	take_rest(pl, &body);
	return IKS_OK;
}
