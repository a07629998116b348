/* esp.c - the ESP header (RFC 4303 section 2). */
#include "config.h"

#include "core/decode_error.h"
#include "ipsec/ipsec.h"

/*
 * |               Security Parameters Index (SPI)                 |
 * |                      Sequence Number                          |
 * |                    Payload Data* (variable)                   |
 * |     Padding, Pad Length, Next Header, ICV (trailer)           |
 */
iks_status esp_decode(iks_reader *r, uint32_t wire_len, iks_esp_info *esp, iks_decode_error *err,
		      bool in_datagram)
{
	size_t start = rd_offset(r);
	esp->raw.p = rd_ptr(r);
	esp->raw.len = rd_left(r) < wire_len ? rd_left(r) : wire_len;
	if (!rd_be32(r, &esp->spi) || !rd_be32(r, &esp->seq)) {
		set_error(err, IKS_E_TRUNCATED, "esp", "ESP header cut short", start, in_datagram);
		return IKS_E_TRUNCATED;
	}
	esp->present = true;
	esp->payload_len = wire_len >= 8 ? wire_len - 8 : 0;
	/* section 2.1: SPI 0 is reserved for local use and never sent */
	if (esp->spi == 0) {
		set_error(err, IKS_E_MALFORMED, "esp", "ESP SPI 0 is reserved", start, in_datagram);
		return IKS_E_MALFORMED;
	}
	return IKS_OK;
}
