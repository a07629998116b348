/*
 * ike_notify.c - Notification and Delete payloads: IKEv1 (RFC 2408
 * sections 3.14 and 3.15, RFC 2407 section 4.6.3, RFC 3706 for DPD) and
 * IKEv2 (RFC 7296 sections 3.10 and 3.11).
 */
#include "config.h"

#include <string.h>

#include "ike/ike_payload.h"

/* Read a big-endian number of exactly `n` bytes from the notify data. */
static bool data_value(iks_ike_payload *pl, size_t n)
{
	if (pl->data.len != n)
		return false;
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | pl->data.p[i];
	pl->value = v;
	pl->has_value = true;
	return true;
}

/* SPI size and protocol, common to N and D; v1 adds the DOI in front. */
static iks_status check_spi(iks_ike_payload *pl, size_t at, int version)
{
	/* v1: ISAKMP SPIs are the cookie pair (16) or absent; v2 (RFC 7296
	 * 3.10): 0 for the IKE SA, 4 for AH/ESP */
	if (pl->spi_size == 0)
		return IKS_OK;
	bool ok;
	switch (pl->protocol) {
	case 1: ok = version == 1 ? pl->spi_size == 16 : pl->spi_size == 8; break;
	case 2:
	case 3: ok = pl->spi_size == 4; break;
	case 4: ok = version == 1 && (pl->spi_size == 2 || pl->spi_size == 4); break;
	default: ok = true; break;
	}
	if (!ok)
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "SPI size does not match the protocol");
	return IKS_OK;
}

/* Values in the data of the notifications that have them. */
static iks_status notify_value_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader *data)
{
	switch (pl->notify_type) {
	case 24576: { /* RESPONDER-LIFETIME (RFC 2407 4.6.3.1): SA attributes */
		uint16_t first, count;
		iks_status st = ike_read_attrs(m, pl, data, &first, &count);
		pl->attr_first = first;
		pl->attr_count = count;
		return st;
	}
	case 24577: /* REPLAY-STATUS (RFC 2407 4.6.3.2): 4-byte status */
	case 36136: /* R-U-THERE (RFC 3706 section 5): 4-byte sequence number */
	case 36137: /* R-U-THERE-ACK */
		if (!data_value(pl, 4))
			return ike_pl_fail(pl, IKS_E_MALFORMED, rd_offset(data),
					   "notification data is not 4 bytes");
		return IKS_OK;
	case 24578: /* INITIAL-CONTACT (RFC 2407 4.6.3.3): no data */
	default:
		return IKS_OK;
	}
}

static iks_status notify_value_v2(iks_ike_payload *pl, iks_reader *data)
{
	size_t need = 0;
	switch (pl->notify_type) {
	case 17:    /* INVALID_KE_PAYLOAD: accepted DH group (RFC 7296 1.2) */
		need = 2;
		break;
	case 9:     /* INVALID_MESSAGE_ID (RFC 7296 3.10.1) */
	case 16385: /* SET_WINDOW_SIZE */
		need = 4;
		break;
	case 16388: /* NAT_DETECTION_SOURCE_IP, SHA-1 (RFC 7296 2.23) */
	case 16389: /* NAT_DETECTION_DESTINATION_IP */
		if (pl->data.len != 20)
			return ike_pl_fail(pl, IKS_E_MALFORMED, rd_offset(data),
					   "NAT detection data is not a 20-byte SHA-1 digest");
		return IKS_OK;
	default:
		return IKS_OK;
	}
	if (!data_value(pl, need))
		return ike_pl_fail(pl, IKS_E_MALFORMED, rd_offset(data),
				   "notification data of the wrong length for its type");
	return IKS_OK;
}

/*
 * v1 (RFC 2408 3.14):
 * |              Domain of Interpretation  (DOI)                  |
 * |  Protocol-ID  |   SPI Size    |      Notify Message Type      |
 * |                Security Parameter Index (SPI)                 |
 * |                       Notification Data                       |
 */
iks_status ike_body_notify_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	size_t at = rd_offset(&body);
	if (!rd_be32(&body, &pl->doi) || !rd_u8(&body, &pl->protocol) ||
	    !rd_u8(&body, &pl->spi_size) || !rd_be16(&body, &pl->notify_type))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "notification shorter than 8 bytes");
	if (!rd_span(&body, pl->spi_size, &pl->spi))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at + 5, "SPI size runs past the notification");
	pl->data.p = rd_ptr(&body);
	pl->data.len = rd_left(&body);
	if (check_spi(pl, at + 5, 1) != IKS_OK)
		return pl->status;
	return notify_value_v1(m, pl, &body);
}

/*
 * v2 (RFC 7296 3.10):
 * |  Protocol ID  |   SPI Size    |      Notify Message Type      |
 * |                Security Parameter Index (SPI)                 |
 * |                       Notification Data                       |
 */
iks_status ike_body_notify_v2(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	size_t at = rd_offset(&body);
	if (!rd_u8(&body, &pl->protocol) || !rd_u8(&body, &pl->spi_size) ||
	    !rd_be16(&body, &pl->notify_type))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "notification shorter than 4 bytes");
	if (!rd_span(&body, pl->spi_size, &pl->spi))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at + 1, "SPI size runs past the notification");
	pl->data.p = rd_ptr(&body);
	pl->data.len = rd_left(&body);
	if (check_spi(pl, at + 1, 2) != IKS_OK)
		return pl->status;
	return notify_value_v2(pl, &body);
}

/* SPI size (at `at_size`) and count (the 2 bytes after it) against the
 * protocol and the bytes left. AH/ESP deletes name their SAs by 4-byte
 * SPIs (RFC 2408 3.15, RFC 7296 3.11): a size of 0 is a lie, not an empty
 * list. When the size fits the protocol, a count the bytes do not hold is
 * reported at the count. */
static iks_status delete_spis(iks_ike_payload *pl, iks_reader *body, size_t at_size, int version)
{
	if ((pl->protocol == 2 || pl->protocol == 3) && pl->spi_size != 4)
		return ike_pl_fail(pl, IKS_E_MALFORMED, at_size,
				   "AH/ESP delete with an SPI size other than 4");
	size_t need = (size_t)pl->spi_size * pl->spi_count;
	if (rd_left(body) != need)
		return ike_pl_fail(pl, IKS_E_MALFORMED, pl->spi_size ? at_size + 1 : at_size,
				   pl->spi_size ? "SPI count differs from the SPIs the payload holds"
						: "SPI size times count differs from the payload length");
	rd_span(body, need, &pl->spi);
	if (version == 2 && pl->protocol == 1 && (pl->spi_size != 0 || pl->spi_count != 0))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at_size,
				   "IKE SA delete must carry no SPI (RFC 7296 3.11)");
	return check_spi(pl, at_size, version);
}

/*
 * v1 (RFC 2408 3.15):
 * |              Domain of Interpretation  (DOI)                  |
 * |  Protocol-Id  |   SPI Size    |           # of SPIs           |
 * |               Security Parameter Index(es) (SPI)              |
 */
iks_status ike_body_delete_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	size_t at = rd_offset(&body);
	if (!rd_be32(&body, &pl->doi) || !rd_u8(&body, &pl->protocol) ||
	    !rd_u8(&body, &pl->spi_size) || !rd_be16(&body, &pl->spi_count))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "delete shorter than 8 bytes");
	return delete_spis(pl, &body, at + 5, 1);
}

/* v2 (RFC 7296 3.11): | Protocol ID | SPI Size | Num of SPIs | SPIs */
iks_status ike_body_delete_v2(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body)
{
	(void)m;
	size_t at = rd_offset(&body);
	if (!rd_u8(&body, &pl->protocol) || !rd_u8(&body, &pl->spi_size) ||
	    !rd_be16(&body, &pl->spi_count))
		return ike_pl_fail(pl, IKS_E_MALFORMED, at, "delete shorter than 4 bytes");
	return delete_spis(pl, &body, at + 1, 2);
}
