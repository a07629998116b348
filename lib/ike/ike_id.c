/*
 * ike_id.c - identification payloads: IKEv1 ID (RFC 2408 3.8, RFC 2407
 * 4.6.2), IKEv2 IDi/IDr (RFC 7296 3.5), NAT-OA (RFC 3947 section 5.2)
 * and IKEv2 traffic selectors (RFC 7296 3.13).
 */
#include "config.h"

#include <string.h>

#include "ike/ike_payload.h"

/* Prefix length of a contiguous netmask, or 255 when it is not one. */
static uint8_t mask_prefix(const iks_addr *m, size_t n)
{
	unsigned bits = 0;
	bool ended = false;
	for (size_t i = 0; i < n; i++)
		for (int b = 7; b >= 0; b--) {
			bool on = (m->bytes[i] >> b) & 1;
			if (on && ended)
				return 255;
			if (on)
				bits++;
			else
				ended = true;
		}
	return (uint8_t)bits;
}

/* The address-bearing ID types, shared by v1 (RFC 2407 4.6.2.1) and v2
 * (RFC 7296 3.5, which keeps 1 and 5): how many addresses of what size. */
static iks_status read_id_data(iks_ike_payload *pl, iks_reader *r, int version)
{
	size_t at = rd_offset(r);
	size_t n = 0;
	int count = 0;
	switch (pl->id_type) {
	case 1: n = 4; count = 1; break;                   /* ID_IPV4_ADDR */
	case 5: n = 16; count = 1; break;                  /* ID_IPV6_ADDR */
	case 4: n = 4; count = version == 1 ? 2 : 0; break;  /* ID_IPV4_ADDR_SUBNET */
	case 6: n = 16; count = version == 1 ? 2 : 0; break; /* ID_IPV6_ADDR_SUBNET */
	case 7: n = 4; count = version == 1 ? 2 : 0; break;  /* ID_IPV4_ADDR_RANGE */
	case 8: n = 16; count = version == 1 ? 2 : 0; break; /* ID_IPV6_ADDR_RANGE */
	default: break;
	}
	pl->data.p = rd_ptr(r);
	pl->data.len = rd_left(r);
	if (count == 0)
		return IKS_OK;
	if (rd_left(r) != n * (size_t)count)
		return ike_pl_fail(pl, IKS_E_MALFORMED, at,
				   "address identification of the wrong length for its type");
	ike_read_addr(r, n, &pl->addr);
	if (count == 2) {
		ike_read_addr(r, n, &pl->addr2);
		if (pl->id_type == 4 || pl->id_type == 6)
			pl->prefix = mask_prefix(&pl->addr2, n);
	}
	pl->has_addr = true;
	return IKS_OK;
}

/* | ID Type | Protocol ID | Port | Identification Data ... (RFC 2407 4.6.2) */
iks_status ike_body_id_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	size_t at = rd_offset(&body);
	if (!rd_u8(&body, &pl->id_type) || !rd_u8(&body, &pl->id_proto) ||
	    !rd_be16(&body, &pl->id_port))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "ID payload shorter than 4 bytes");
	return read_id_data(pl, &body, 1);
}

/* | ID Type | RESERVED (3) | Identification Data ... (RFC 7296 3.5) */
iks_status ike_body_id_v2(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	size_t at = rd_offset(&body);
	if (!rd_u8(&body, &pl->id_type) || !rd_skip(&body, 3))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "ID payload shorter than 4 bytes");
	return read_id_data(pl, &body, 2);
}

/* | ID Type | RESERVED | RESERVED | IPv4 (4) or IPv6 (16) (RFC 3947 5.2) */
iks_status ike_body_nat_oa(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	size_t at = rd_offset(&body);
	if (!rd_u8(&body, &pl->id_type) || !rd_skip(&body, 3))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "NAT-OA payload shorter than 4 bytes");
	if (pl->id_type != 1 && pl->id_type != 5)
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "NAT-OA ID type neither IPv4 nor IPv6");
	return read_id_data(pl, &body, 2);
}

/*
 * | Number of TSs |                 RESERVED                      |
 * then selectors (RFC 7296 3.13.1):
 * |   TS Type     |IP Protocol ID*|       Selector Length         |
 * |           Start Port*         |           End Port*           |
 * |                         Starting Address*                     |
 * |                         Ending Address*                       |
 */
iks_status ike_body_ts(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	size_t at = rd_offset(&body);
	if (!rd_u8(&body, &pl->ts_declared) || !rd_skip(&body, 3))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "TS payload shorter than 4 bytes");
	pl->ts_first = m->nts;
	unsigned seen = 0;
	while (rd_left(&body) > 0) {
		size_t sat = rd_offset(&body);
		iks_ike_ts ts;
		uint16_t slen;
		iks_reader s;
		memset(&ts, 0, sizeof(ts));
		ts.offset = (uint32_t)sat;
		if (!rd_u8(&body, &ts.type) || !rd_u8(&body, &ts.ip_proto) || !rd_be16(&body, &slen))
			return ike_pl_fail(pl, IKS_E_MALFORMED, sat, "traffic selector header cut short");
		if (slen < 4)
			return ike_pl_fail(pl, IKS_E_MALFORMED, sat,
					   "traffic selector length below its header");
		if (!rd_sub(&body, (size_t)slen - 4, &s))
			return ike_pl_fail(pl, IKS_E_MALFORMED, sat,
					   "traffic selector runs past the payload");
		seen++;
		if (ts.type == 7 || ts.type == 8) {
			size_t n = ts.type == 7 ? 4 : 16;
			if (slen != 8 + 2 * n)
				return ike_pl_fail(pl, IKS_E_MALFORMED, sat,
						   "traffic selector length wrong for its type");
			rd_be16(&s, &ts.start_port);
			rd_be16(&s, &ts.end_port);
			ike_read_addr(&s, n, &ts.start);
			ike_read_addr(&s, n, &ts.end);
		}
		if (m->nts < IKS_IKE_MSG_MAX_TS) {
			m->ts[m->nts++] = ts;
			pl->ts_count++;
		} else {
			m->items_truncated = true;
		}
	}
	if (seen != pl->ts_declared)
		return ike_pl_fail(pl, IKS_E_MALFORMED, at,
				   "number of traffic selectors differs from the count");
	return IKS_OK;
}
