/* format.c - what the text and JSON Lines writers of packet records and
 * events (format_text.c, format_json.c) share. */
#include "dump/format.h"


const char *esp_crypto_name(int crypto)
{
	switch (crypto) {
	case IKS_ESP_NOT_TRIED: return "not-tried";
	case IKS_ESP_NO_KEY: return "no-key";
	case IKS_ESP_OK: return "ok";
	case IKS_ESP_UNVERIFIED: return "unverified";
	case IKS_ESP_ICV_MISMATCH: return "icv-mismatch";
	case IKS_ESP_BAD_PADDING: return "bad-padding";
	case IKS_ESP_CUT: return "cut";
	case IKS_ESP_BAD_LENGTH: return "bad-length";
	case IKS_ESP_CRYPTO_ERROR: return "crypto-error";
	case IKS_ESP_NULL_GUESSED: return "null-guessed";
	case IKS_ESP_UNSUPPORTED: return "unsupported";
	}
	return "unknown";
}

bool fmt_needs_datagram(const iks_packet *pkt)
{
	return pkt->frag.result == IKS_FRAG_HELD || pkt->frag.result == IKS_FRAG_LATE;
}

void fmt_put_mark(strbuf *b)
{
	sb_putc(b, FMT_DATAGRAM_MARK);
}

const char *fmt_addr(const iks_addr *a, char *buf)
{
	return iks_addr_format(a, buf, IKS_ADDRSTRLEN);
}

const char *fmt_incomplete_reason(int r)
{
	switch (r) {
	case IKS_INCOMPLETE_TIMEOUT: return "timeout";
	case IKS_INCOMPLETE_END: return "end-of-capture";
	case IKS_INCOMPLETE_EVICTED: return "evicted";
	case IKS_INCOMPLETE_INVALID: return "invalid";
	}
	return "unknown";
}
