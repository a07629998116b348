/* link.c - link-layer headers: Ethernet (802.1Q/QinQ), Linux cooked v1/v2,
 * raw IP, BSD loopback. */
#include "config.h"

#include <ikescope/capture.h>

#include "core/decode_error.h"
#include "net/link.h"

#define ETHERTYPE_VLAN    0x8100 /* IEEE 802.1Q */
#define ETHERTYPE_QINQ    0x88a8 /* IEEE 802.1ad */
#define ETHERTYPE_QINQ_OLD 0x9100
#define MAX_VLAN_TAGS 8

static iks_status fail(iks_decode_error *err, iks_status st, const iks_reader *r, const char *why)
{
	set_error(err, st, "link", why, rd_offset(r), false);
	return st;
}

/* IEEE 802.3 clause 3.2: destination, source, EtherType; 802.1Q tags of
 * 4 bytes (TPID already read, then TCI and the next EtherType). */
static iks_status ethernet(iks_reader *r, iks_link_info *link, iks_decode_error *err)
{
	uint16_t type;
	if (!rd_skip(r, 12) || !rd_be16(r, &type))
		return fail(err, IKS_E_TRUNCATED, r, "Ethernet header cut short");
	unsigned tags = 0;
	while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
		uint16_t tci;
		if (tags == MAX_VLAN_TAGS)
			return fail(err, IKS_E_MALFORMED, r, "more than 8 VLAN tags");
		if (!rd_be16(r, &tci) || !rd_be16(r, &type))
			return fail(err, IKS_E_TRUNCATED, r, "VLAN tag cut short");
		if (link->vlan_count < 2)
			link->vlan_ids[link->vlan_count++] = tci & 0x0fff;
		tags++;
	}
	if (type <= 1500) {
		link->ethertype = 0; /* an 802.3 length: LLC frame, not IP */
		return IKS_OK;
	}
	link->ethertype = type;
	return IKS_OK;
}

/* Linux cooked capture v1 (LINKTYPE_LINUX_SLL): packet type, ARPHRD type,
 * address length, 8 address bytes, protocol. */
static iks_status linux_sll(iks_reader *r, iks_link_info *link, iks_decode_error *err)
{
	uint16_t proto;
	if (!rd_skip(r, 14) || !rd_be16(r, &proto))
		return fail(err, IKS_E_TRUNCATED, r, "Linux cooked header cut short");
	link->ethertype = proto;
	return IKS_OK;
}

/* Linux cooked capture v2 (LINKTYPE_LINUX_SLL2): protocol, reserved,
 * interface index, ARPHRD type, packet type, address length, 8 address bytes. */
static iks_status linux_sll2(iks_reader *r, iks_link_info *link, iks_decode_error *err)
{
	uint16_t proto;
	if (!rd_be16(r, &proto) || !rd_skip(r, 18))
		return fail(err, IKS_E_TRUNCATED, r, "Linux cooked v2 header cut short");
	link->ethertype = proto;
	return IKS_OK;
}

static iks_status raw_ip(iks_reader *r, iks_link_info *link, iks_decode_error *err)
{
	uint8_t v;
	if (!rd_peek_u8(r, 0, &v))
		return fail(err, IKS_E_TRUNCATED, r, "empty raw IP frame");
	switch (v >> 4) {
	case 4: link->ethertype = IKS_ETHERTYPE_IPV4; break;
	case 6: link->ethertype = IKS_ETHERTYPE_IPV6; break;
	default: return fail(err, IKS_E_MALFORMED, r, "raw IP frame with IP version neither 4 nor 6");
	}
	return IKS_OK;
}

/* AF_ values for IPv6 differ between systems: Linux 10, NetBSD/OpenBSD 24,
 * FreeBSD 28, Darwin 30; AF_INET is 2 everywhere. */
static uint16_t af_to_ethertype(uint32_t af)
{
	switch (af) {
	case 2: return IKS_ETHERTYPE_IPV4;
	case 10: case 24: case 28: case 30: return IKS_ETHERTYPE_IPV6;
	}
	return 0;
}

/* BSD loopback: a 4-byte address family, in the capturing host's byte
 * order (NULL) or network order (LOOP). For NULL both orders are tried:
 * the family values are small, so only one order can fit. */
static iks_status bsd_loopback(iks_reader *r, iks_link_info *link, bool network_order,
			       iks_decode_error *err)
{
	iks_reader peek = *r;
	uint32_t be, le;
	if (!rd_be32(&peek, &be))
		return fail(err, IKS_E_TRUNCATED, r, "loopback header cut short");
	peek = *r;
	(void)rd_le32(&peek, &le);
	rd_skip(r, 4);
	uint16_t t = af_to_ethertype(be);
	if (!t && !network_order)
		t = af_to_ethertype(le);
	link->ethertype = t;
	return IKS_OK;
}

iks_status link_decode(int linktype, iks_reader *r, iks_link_info *link, iks_decode_error *err)
{
	iks_status st;
	switch (linktype) {
	case IKS_LINK_ETHERNET: st = ethernet(r, link, err); break;
	case IKS_LINK_LINUX_SLL: st = linux_sll(r, link, err); break;
	case IKS_LINK_LINUX_SLL2: st = linux_sll2(r, link, err); break;
	case IKS_LINK_RAW_DLT:
	case IKS_LINK_RAW_OPENBSD:
	case IKS_LINK_RAW: st = raw_ip(r, link, err); break;
	case IKS_LINK_IPV4: link->ethertype = IKS_ETHERTYPE_IPV4; st = IKS_OK; break;
	case IKS_LINK_IPV6: link->ethertype = IKS_ETHERTYPE_IPV6; st = IKS_OK; break;
	case IKS_LINK_NULL: st = bsd_loopback(r, link, false, err); break;
	case IKS_LINK_LOOP: st = bsd_loopback(r, link, true, err); break;
	default:
		return fail(err, IKS_E_UNSUPPORTED, r, "link type not supported");
	}
	link->l3_offset = (uint32_t)rd_offset(r);
	return st;
}
