/*
 * ah_icv.c - verifying an AH ICV (RFC 4302 section 3.3.3): the HMAC covers
 * the IP header and the extension headers before AH as the packet will
 * arrive at its destination, with the fields that change in transit
 * counted as zero, then the AH header with its ICV zeroed, then the rest.
 *
 * The packet is read with the bounds-checked reader; the view the HMAC
 * covers is built in the caller's buffer, a copy of the packet.
 */
#include <string.h>

#include "ipsec/esp_crypto.h"
#include "core/reader.h"

#define IPPROTO_AH_ 51

/* RFC 4302 appendix A.1: the IPv4 options that do not change in transit
 * (types with their copy and class bits). Every other option is zeroed
 * whole, type and length included. */
static bool ipv4_option_immutable(uint8_t type)
{
	switch (type) {
	case 0:    /* end of option list */
	case 1:    /* no operation */
	case 130:  /* security */
	case 133:  /* extended security */
	case 134:  /* commercial security */
	case 148:  /* router alert */
	case 149:  /* sender directed multi-destination delivery */
		return true;
	default:
		return false;
	}
}

/*
 * IPv4 (RFC 791 section 3.1): TOS, flags and fragment offset, TTL and the
 * checksum are zeroed (RFC 4302 section 3.3.3.1.1.1), mutable options too.
 * With loose or strict source routing the destination address is "mutable
 * but predictable": the ICV uses the route's last address.
 */
static int ipv4_view(uint8_t *view, const uint8_t *ip, size_t len, size_t ah_off)
{
	iks_reader r = rd_init(ip, len, 0);
	uint8_t vihl;
	if (!rd_u8(&r, &vihl))
		return IKS_ESP_BAD_LENGTH;
	size_t hl = (size_t)(vihl & 0x0f) * 4;
	if (hl < 20 || hl != ah_off)
		return IKS_ESP_UNSUPPORTED;
	view[1] = 0;
	view[6] = view[7] = 0;
	view[8] = 0;
	view[10] = view[11] = 0;

	iks_reader opts = rd_init(ip + 20, hl - 20, 20);
	while (rd_left(&opts) > 0) {
		size_t at = rd_offset(&opts);
		uint8_t type, olen;
		if (!rd_u8(&opts, &type))
			break;
		if (type == 0)
			break; /* end of list: what follows is padding, covered as it is */
		if (type == 1)
			continue;
		if (!rd_u8(&opts, &olen) || olen < 2 || !rd_skip(&opts, (size_t)olen - 2))
			return IKS_ESP_BAD_LENGTH;
		if ((type == 131 || type == 137) && olen >= 7 && (olen - 3) % 4 == 0)
			memcpy(view + 16, ip + at + olen - 4, 4); /* LSRR/SSRR: final destination */
		if (!ipv4_option_immutable(type))
			memset(view + at, 0, olen);
	}
	return IKS_ESP_OK;
}

/* RFC 8200 section 4.2: hop-by-hop and destination options; an option
 * whose type has the 0x20 bit set may change en route and its data counts
 * as zero (RFC 4302 section 3.3.3.1.2.2). `h` covers the whole header. */
static int ipv6_options_view(uint8_t *view, iks_reader h)
{
	if (!rd_skip(&h, 2))
		return IKS_ESP_BAD_LENGTH;
	while (rd_left(&h) > 0) {
		uint8_t type, olen;
		if (!rd_u8(&h, &type))
			break;
		if (type == 0)
			continue; /* Pad1 */
		if (!rd_u8(&h, &olen))
			return IKS_ESP_BAD_LENGTH;
		size_t at = rd_offset(&h);
		if (!rd_skip(&h, olen))
			return IKS_ESP_BAD_LENGTH;
		if (type & 0x20)
			memset(view + at, 0, olen);
	}
	return IKS_ESP_OK;
}

/*
 * RFC 8200 section 4.4 / RFC 5095: a type 0 (or type 2, RFC 6275) routing
 * header still on its way. At the destination it will read: destination
 * = the list's last address, segments left 0, and the addresses already
 * visited (the current destination among them) in the order they were
 * swapped in. `h` covers the header, `view` is the whole packet's copy.
 */
static int ipv6_routing_view(uint8_t *view, const uint8_t *ip, iks_reader h)
{
	size_t base = rd_offset(&h);
	uint8_t nh, hlen, type, left;
	if (!rd_u8(&h, &nh) || !rd_u8(&h, &hlen) || !rd_u8(&h, &type) || !rd_u8(&h, &left))
		return IKS_ESP_BAD_LENGTH;
	if (left == 0)
		return IKS_ESP_OK; /* already as the destination sees it */
	if (type != 0 && type != 2)
		return IKS_ESP_UNSUPPORTED;
	if (!rd_skip(&h, 4))
		return IKS_ESP_BAD_LENGTH;
	size_t n = rd_left(&h) / 16;
	if (n == 0 || rd_left(&h) % 16 != 0 || left > n)
		return IKS_ESP_BAD_LENGTH;
	size_t done = n - left;
	size_t list = base + 8;
	memcpy(view + 24, ip + list + 16 * (n - 1), 16);
	memcpy(view + list + 16 * done, ip + 24, 16);
	for (size_t j = done + 1; j < n; j++)
		memcpy(view + list + 16 * j, ip + list + 16 * (j - 1), 16);
	view[base + 3] = 0;
	return IKS_ESP_OK;
}

/*
 * IPv6 (RFC 8200 section 3): traffic class, flow label and hop limit are
 * zeroed; then each extension header before AH.
 */
static int ipv6_view(uint8_t *view, const uint8_t *ip, size_t len, size_t ah_off)
{
	iks_reader r = rd_init(ip, len, 0);
	if (ah_off < 40 || !rd_skip(&r, 6))
		return IKS_ESP_BAD_LENGTH;
	uint8_t nh;
	if (!rd_u8(&r, &nh) || !rd_skip(&r, 33))
		return IKS_ESP_BAD_LENGTH;
	view[0] &= 0xf0;
	view[1] = view[2] = view[3] = 0;
	view[7] = 0;

	while (rd_offset(&r) < ah_off) {
		uint8_t next, hlen;
		if (!rd_peek_u8(&r, 0, &next) || !rd_peek_u8(&r, 1, &hlen))
			return IKS_ESP_BAD_LENGTH;
		size_t size = ((size_t)hlen + 1) * 8;
		iks_reader h;
		if (ah_off - rd_offset(&r) < size || !rd_sub(&r, size, &h))
			return IKS_ESP_BAD_LENGTH;
		int st;
		switch (nh) {
		case 0:   /* hop-by-hop options */
		case 60:  /* destination options */
			st = ipv6_options_view(view, h);
			break;
		case 43:  /* routing */
			st = ipv6_routing_view(view, ip, h);
			break;
		default:  /* a fragment header or one AH does not expect before it */
			st = IKS_ESP_UNSUPPORTED;
			break;
		}
		if (st != IKS_ESP_OK)
			return st;
		nh = next;
	}
	return nh == IPPROTO_AH_ ? IKS_ESP_OK : IKS_ESP_UNSUPPORTED;
}

int ah_verify(const esp_sa *sa, const uint8_t *ip, size_t len, size_t ah_off, size_t icv_len,
	      uint8_t *buf, size_t cap)
{
	if (len > cap || ah_off > len || len - ah_off < 12 || len - ah_off - 12 < icv_len)
		return IKS_ESP_BAD_LENGTH;
	memcpy(buf, ip, len);
	int version = len > 0 ? ip[0] >> 4 : 0;
	int st = version == 4 ? ipv4_view(buf, ip, len, ah_off)
		: version == 6 ? ipv6_view(buf, ip, len, ah_off)
		: IKS_ESP_UNSUPPORTED;
	if (st != IKS_ESP_OK)
		return st;
	memset(buf + ah_off + 12, 0, icv_len); /* the ICV itself */
	int ok = esp_hmac_check(sa->auth, sa->auth_key, sa->auth_key_len, buf, len,
				ip + ah_off + 12, icv_len);
	return ok < 0 ? IKS_ESP_CRYPTO_ERROR : ok ? IKS_ESP_OK : IKS_ESP_ICV_MISMATCH;
}
