/*
 * ike_sa.c - Security Association payloads: IKEv1 SA / Proposal /
 * Transform (RFC 2408 sections 3.4-3.6, RFC 2407 section 4.6.1) and
 * IKEv2 SA / Proposal / Transform (RFC 7296 section 3.3), and the data
 * attributes both share (RFC 2408 section 3.3, RFC 7296 section 3.3.5).
 *
 * Sizes are validated first (lengths, counts, SPI size against the
 * protocol), values interpreted after.
 */
#include "config.h"

#include <string.h>

#include "ike/ike_payload.h"

bool ike_read_addr(iks_reader *r, size_t n, iks_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!rd_copy(r, a->bytes, n))
		return false;
	a->family = n == 4 ? 4 : 6;
	return true;
}

/*
 * |A|       Attribute Type        |    AF=0  Attribute Length     |
 * |                               |    AF=1  Attribute Value      |
 * |                 AF=0  Attribute Value (variable)              |
 */
iks_status ike_read_attrs(iks_ike_msg *m, iks_ike_payload *pl, iks_reader *r, uint16_t *first,
			  uint16_t *count)
{
	*first = m->nattrs;
	*count = 0;
	while (rd_left(r) > 0) {
		size_t at = rd_offset(r);
		uint16_t t, v;
		if (!rd_be16(r, &t) || !rd_be16(r, &v))
			return ike_pl_fail(pl, IKS_E_MALFORMED, at,
					   "attribute shorter than its 4-byte header");
		iks_ike_attr a;
		memset(&a, 0, sizeof(a));
		a.offset = (uint32_t)at;
		a.type = t & 0x7fff;
		a.basic = (t & 0x8000) != 0;
		if (a.basic) {
			a.value = v;
			a.has_value = true;
		} else {
			if (!rd_span(r, v, &a.data))
				return ike_pl_fail(pl, IKS_E_MALFORMED, at,
						   "attribute value runs past its container");
			if (a.data.len >= 1 && a.data.len <= 4) {
				for (size_t i = 0; i < a.data.len; i++)
					a.value = a.value << 8 | a.data.p[i];
				a.has_value = true;
			}
		}
		if (m->nattrs >= IKS_IKE_MSG_MAX_ATTRS) {
			m->items_truncated = true;
			continue;
		}
		m->attrs[m->nattrs++] = a;
		(*count)++;
	}
	return IKS_OK;
}

/* The SPI size a protocol must have: RFC 2408 section 3.5 / RFC 2409
 * section 5 (ISAKMP: 0 or 16 in v1), RFC 7296 section 3.3.1 (IKE: 0, or 8
 * when rekeying; AH/ESP: 4), RFC 3173 (IPCOMP: 2, or 4 as sent). */
static bool spi_size_ok(int version, uint8_t proto, uint8_t size)
{
	switch (proto) {
	case 1:
		return version == 1 ? (size == 0 || size == 16) : (size == 0 || size == 8);
	case 2:
	case 3:
		return size == 4;
	case 4:
		return version == 1 && (size == 2 || size == 4);
	default:
		return true;
	}
}

/*
 * Transforms of one proposal, v1 (RFC 2408 3.6) and v2 (RFC 7296 3.3.2):
 * | Next/Last     |   RESERVED    |        Payload Length         |
 * v1: |  Transform #  |  Transform-Id |           RESERVED2           |
 * v2: |Transform Type |   RESERVED    |          Transform ID         |
 * followed by data attributes.
 */
static iks_status read_transforms(iks_ike_msg *m, iks_ike_payload *pl, iks_reader *r, int version,
				  iks_ike_proposal *p)
{
	p->tr_first = m->ntransforms;
	p->tr_count = 0;
	unsigned seen = 0;
	while (rd_left(r) > 0) {
		size_t at = rd_offset(r);
		uint8_t more, reserved;
		uint16_t tlen;
		iks_reader t;
		if (!rd_u8(r, &more) || !rd_u8(r, &reserved) || !rd_be16(r, &tlen))
			return ike_pl_fail(pl, IKS_E_MALFORMED, at, "transform header cut short");
		if (tlen < 8)
			return ike_pl_fail(pl, IKS_E_MALFORMED, at,
					   "transform length below its 8-byte header");
		if (!rd_sub(r, (size_t)tlen - 4, &t))
			return ike_pl_fail(pl, IKS_E_MALFORMED, at,
					   "transform length runs past the proposal");
		iks_ike_transform tr;
		memset(&tr, 0, sizeof(tr));
		tr.offset = (uint32_t)at;
		uint8_t a, b;
		uint16_t c;
		rd_u8(&t, &a);
		rd_u8(&t, &b);
		rd_be16(&t, &c);
		if (version == 1) {
			tr.number = a;  /* Transform #, Transform-Id, RESERVED2 */
			tr.id = b;
		} else {
			tr.type = a;    /* Transform Type, RESERVED, Transform ID */
			tr.id = c;
		}
		seen++;
		iks_ike_transform *slot = NULL;
		if (m->ntransforms < IKS_IKE_MSG_MAX_TRANSFORMS) {
			slot = &m->transforms[m->ntransforms++];
			p->tr_count++;
		} else {
			m->items_truncated = true;
		}
		iks_status st = ike_read_attrs(m, pl, &t, &tr.attr_first, &tr.attr_count);
		if (slot)
			*slot = tr;
		if (st != IKS_OK)
			return st;
		if (more == 0 && rd_left(r) > 0)
			return ike_pl_fail(pl, IKS_E_MALFORMED, rd_offset(r),
					   "bytes after the last transform of the proposal");
		if (more != 0 && more != 3)
			return ike_pl_fail(pl, IKS_E_MALFORMED, at,
					   "transform next-payload neither 0 nor 3");
		if (more != 0 && rd_left(r) == 0)
			return ike_pl_fail(pl, IKS_E_MALFORMED, at,
					   "transform announces another that is not there");
	}
	if (seen != p->transforms_declared)
		return ike_pl_fail(pl, IKS_E_MALFORMED, p->offset,
				   "number of transforms differs from the proposal's count");
	return IKS_OK;
}

/*
 * Proposals, v1 (RFC 2408 3.5) and v2 (RFC 7296 3.3.1) share the layout:
 * | Next/Last     |   RESERVED    |         Payload Length        |
 * |  Proposal #   |  Protocol-Id  |    SPI Size   |# of Transforms|
 * |                        SPI (variable)                         |
 */
static iks_status read_proposals(iks_ike_msg *m, iks_ike_payload *pl, iks_reader *r, int version)
{
	pl->prop_first = m->nproposals;
	pl->prop_count = 0;
	if (rd_left(r) == 0)
		return ike_pl_fail(pl, IKS_E_MALFORMED, rd_offset(r), "SA payload without a proposal");
	while (rd_left(r) > 0) {
		size_t at = rd_offset(r);
		uint8_t more, reserved;
		uint16_t plen;
		iks_reader pr;
		iks_ike_proposal p;
		memset(&p, 0, sizeof(p));
		p.offset = (uint32_t)at;
		if (!rd_u8(r, &more) || !rd_u8(r, &reserved) || !rd_be16(r, &plen))
			return ike_pl_fail(pl, IKS_E_MALFORMED, at, "proposal header cut short");
		if (plen < 8)
			return ike_pl_fail(pl, IKS_E_MALFORMED, at,
					   "proposal length below its 8-byte header");
		if (!rd_sub(r, (size_t)plen - 4, &pr))
			return ike_pl_fail(pl, IKS_E_MALFORMED, at, "proposal length runs past the SA");
		rd_u8(&pr, &p.number);
		rd_u8(&pr, &p.protocol);
		rd_u8(&pr, &p.spi_size);
		rd_u8(&pr, &p.transforms_declared);
		if (!rd_span(&pr, p.spi_size, &p.spi))
			return ike_pl_fail(pl, IKS_E_MALFORMED, at + 6,
					   "SPI size runs past the proposal");
		iks_ike_proposal *slot = NULL;
		if (m->nproposals < IKS_IKE_MSG_MAX_PROPOSALS) {
			slot = &m->proposals[m->nproposals++];
			pl->prop_count++;
		} else {
			m->items_truncated = true;
		}
		iks_status st = read_transforms(m, pl, &pr, version, &p);
		if (slot)
			*slot = p;
		if (st != IKS_OK)
			return st;
		if (!spi_size_ok(version, p.protocol, p.spi_size))
			return ike_pl_fail(pl, IKS_E_MALFORMED, at + 6,
					   "SPI size does not match the protocol");
		if (more != 0 && more != 2)
			return ike_pl_fail(pl, IKS_E_MALFORMED, at, "proposal next-payload neither 0 nor 2");
		if (more == 0 && rd_left(r) > 0)
			return ike_pl_fail(pl, IKS_E_MALFORMED, rd_offset(r),
					   "bytes after the last proposal of the SA");
		if (more == 2 && rd_left(r) == 0)
			return ike_pl_fail(pl, IKS_E_MALFORMED, at,
					   "proposal announces another that is not there");
	}
	return IKS_OK;
}

/*
 * IKEv1 SA (RFC 2408 3.4, RFC 2407 4.6.1):
 * |              Domain of Interpretation  (DOI)                  |
 * |                           Situation                           |
 * followed by proposals.
 */
iks_status ike_body_sa_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	size_t at = rd_offset(&body);
	if (!rd_be32(&body, &pl->doi) || !rd_be32(&body, &pl->situation))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "SA payload shorter than DOI and situation");
	if (pl->doi != 1)
		return ike_pl_fail(pl, IKS_E_UNSUPPORTED, at, "SA DOI is not IPsec (1)");
	if (pl->situation & ~1u)
		return ike_pl_fail(pl, IKS_E_UNSUPPORTED, at + 4,
				   "situation with secrecy/integrity labels is not decoded");
	return read_proposals(m, pl, &body, 1);
}

/* IKEv2 SA (RFC 7296 3.3): proposals only. */
iks_status ike_body_sa_v2(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	return read_proposals(m, pl, &body, 2);
}
