/* format.c - text and JSON Lines output of packet records and events. */
#include "format.h"
#include "format_ike.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

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

static void put_mark(strbuf *b)
{
	sb_putc(b, FMT_DATAGRAM_MARK);
}

static const char *addr_text(const iks_addr *a, char *buf)
{
	return iks_addr_format(a, buf, IKS_ADDRSTRLEN);
}

/* 8 lowercase hex digits of v, NUL-terminated (out: 9 bytes at least) */
static void hex8(char *out, uint32_t v)
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 7; i >= 0; i--) {
		out[i] = digits[v & 15];
		v >>= 4;
	}
	out[8] = '\0';
}

/* "seconds.nanoseconds" with 9 digits, no printf */
static void put_ts(strbuf *b, int64_t sec, uint32_t nsec)
{
	char t[32];
	size_t i = sizeof(t);
	for (int k = 0; k < 9; k++) {
		t[--i] = (char)('0' + nsec % 10);
		nsec /= 10;
	}
	t[--i] = '.';
	if (sec < 0) {
		sb_printf(b, "%lld.%.9s", (long long)sec, t + i + 1);
		return;
	}
	uint64_t s = (uint64_t)sec;
	do {
		t[--i] = (char)('0' + s % 10);
		s /= 10;
	} while (s);
	sb_putn(b, t + i, sizeof(t) - i);
}

/* ------------------------------------------------------------------ JSON */

static void json_error(jsonw *w, const iks_decode_error *e)
{
	jw_key(w, "error");
	jw_obj_begin(w);
	jw_key(w, "status");
	jw_str(w, iks_status_name(e->status));
	jw_key(w, "layer");
	jw_str(w, e->layer);
	jw_key(w, "offset");
	jw_uint(w, e->offset);
	jw_key(w, "in_datagram");
	jw_bool(w, e->in_datagram);
	jw_key(w, "reason");
	jw_str(w, e->reason);
	jw_obj_end(w);
}

static void json_ike(jsonw *w, const iks_ike_info *ike)
{
	char t[16];
	jw_key(w, "ike");
	jw_obj_begin(w);
	jw_key(w, "version");
	jw_uint(w, ike->version);
	jw_key(w, "minor");
	jw_uint(w, ike->minor);
	jw_key(w, "ispi");
	jw_hex(w, ike->ispi, 8);
	jw_key(w, "rspi");
	jw_hex(w, ike->rspi, 8);
	jw_key(w, "exchange");
	jw_uint(w, ike->exchange);
	jw_key(w, "exchange_name");
	jw_str(w, iks_ike_exchange_name(ike->version, ike->exchange));
	jw_key(w, "msgid");
	hex8(t, ike->msgid);
	jw_str(w, t);
	jw_key(w, "flags");
	jw_uint(w, ike->flags);
	jw_key(w, "length");
	jw_uint(w, ike->length);
	jw_key(w, "np");
	jw_uint(w, ike->next_payload);
	jw_key(w, "encrypted");
	jw_bool(w, ike->encrypted);
	jw_key(w, "payloads");
	jw_arr_begin(w);
	unsigned n = ike->npayloads < IKS_IKE_MAX_PAYLOADS ? ike->npayloads : IKS_IKE_MAX_PAYLOADS;
	for (unsigned i = 0; i < n; i++) {
		jw_obj_begin(w);
		jw_key(w, "type");
		jw_uint(w, ike->payloads[i].type);
		jw_key(w, "name");
		jw_str(w, fmt_ike_payload_name(ike, i));
		jw_key(w, "length");
		jw_uint(w, ike->payloads[i].length);
		fmt_ike_payload_json(w, ike, i);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (ike->npayloads > IKS_IKE_MAX_PAYLOADS) {
		jw_key(w, "payload_count");
		jw_uint(w, ike->npayloads);
	}
	fmt_ike_json_extra(w, ike);
	jw_obj_end(w);
}

/* The keys of one IP packet; `inner` is the quoted packet of an ICMP error. */
static void json_layers(jsonw *w, const iks_layers *L, const iks_packet *pkt, bool top)
{
	char a[IKS_ADDRSTRLEN], t[16];
	if (L->ip.present) {
		jw_key(w, "ip_version");
		jw_uint(w, L->ip.version);
		jw_key(w, "src");
		jw_str(w, addr_text(&L->ip.src, a));
		jw_key(w, "dst");
		jw_str(w, addr_text(&L->ip.dst, a));
		jw_key(w, "proto");
		jw_uint(w, L->ip.proto);
		if (L->ip.has_id) {
			jw_key(w, "ip_id");
			jw_uint(w, L->ip.id);
		}
		if (L->ip.version == 4) {
			jw_key(w, "df");
			jw_bool(w, L->ip.df);
		}
		jw_key(w, "ip_len");
		jw_uint(w, L->ip.total_len);
	}
	if (!top && L->ip.is_fragment) {
		jw_key(w, "frag");
		jw_obj_begin(w);
		jw_key(w, "offset");
		jw_uint(w, L->ip.frag_offset);
		jw_key(w, "mf");
		jw_bool(w, L->ip.mf);
		jw_obj_end(w);
	}
	if (top && L->ip.is_fragment) {
		const iks_frag_info *f = &pkt->frag;
		jw_key(w, "frag");
		jw_obj_begin(w);
		jw_key(w, "offset");
		jw_uint(w, f->offset);
		jw_key(w, "length");
		jw_uint(w, f->length);
		jw_key(w, "mf");
		jw_bool(w, f->mf);
		jw_key(w, "datagram");
		if (f->result == IKS_FRAG_COMPLETED)
			jw_uint(w, pkt->frame);
		else if (fmt_needs_datagram(pkt)) {
			/* resolved by the hold queue before the line is written */
			w->after_key = false;
			put_mark(w->b);
		} else
			jw_null(w);
		if (f->datagram_id) {
			jw_key(w, "datagram_id");
			jw_uint(w, f->datagram_id);
		}
		if (f->overlap) {
			jw_key(w, "overlap");
			jw_bool(w, true);
			jw_key(w, "conflict");
			jw_bool(w, f->conflict);
		}
		if (f->result == IKS_FRAG_LATE) {
			jw_key(w, "late");
			jw_bool(w, true);
		}
		if (f->result == IKS_FRAG_COMPLETED) {
			jw_key(w, "reassembled");
			jw_obj_begin(w);
			jw_key(w, "length");
			jw_uint(w, f->datagram_len);
			jw_key(w, "frames");
			jw_arr_begin(w);
			for (unsigned i = 0; i < f->fragment_count; i++)
				jw_uint(w, f->frames[i]);
			jw_arr_end(w);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	if (L->udp.present) {
		jw_key(w, "udp");
		jw_obj_begin(w);
		jw_key(w, "sport");
		jw_uint(w, L->udp.sport);
		jw_key(w, "dport");
		jw_uint(w, L->udp.dport);
		jw_key(w, "length");
		jw_uint(w, L->udp.length);
		jw_key(w, "encap");
		jw_str(w, iks_udp_encap_name(L->udp.encap));
		jw_obj_end(w);
	}
	if (L->esp.present) {
		jw_key(w, "esp");
		jw_obj_begin(w);
		jw_key(w, "spi");
		hex8(t, L->esp.spi);
		jw_str(w, t);
		jw_key(w, "seq");
		jw_uint(w, L->esp.seq);
		jw_key(w, "payload_len");
		jw_uint(w, L->esp.payload_len);
		if (L->esp.crypto != IKS_ESP_NOT_TRIED) {
			jw_key(w, "crypto");
			jw_str(w, esp_crypto_name(L->esp.crypto));
		}
		if (L->esp.sa_known) {
			jw_key(w, "ike_sa");
			jw_obj_begin(w);
			jw_key(w, "version");
			jw_uint(w, L->esp.sa_version);
			jw_key(w, "ispi");
			jw_hex(w, L->esp.sa_ispi, 8);
			jw_key(w, "rspi");
			jw_hex(w, L->esp.sa_rspi, 8);
			jw_key(w, "msgid");
			hex8(t, L->esp.sa_msgid);
			jw_str(w, t);
			jw_obj_end(w);
		}
		if (L->esp.crypto != IKS_ESP_NOT_TRIED && L->esp.crypto != IKS_ESP_NO_KEY) {
			jw_key(w, "enc");
			jw_str(w, iks_esp_enc_name(L->esp.enc));
			jw_key(w, "auth");
			jw_str(w, iks_esp_auth_name(L->esp.auth));
			jw_key(w, "icv_len");
			jw_uint(w, L->esp.icv_len);
		}
		if (L->esp.crypto == IKS_ESP_OK || L->esp.crypto == IKS_ESP_UNVERIFIED ||
		    L->esp.crypto == IKS_ESP_NULL_GUESSED) {
			jw_key(w, "next_header");
			jw_uint(w, L->esp.next_header);
			jw_key(w, "pad_len");
			jw_uint(w, L->esp.pad_len);
		}
		jw_obj_end(w);
		if (top && pkt->has_esp_inner) {
			jw_key(w, "decrypted");
			jw_obj_begin(w);
			json_layers(w, &pkt->esp_inner, pkt, false);
			jw_obj_end(w);
		}
	}
	if (L->ah.present) {
		jw_key(w, "ah");
		jw_obj_begin(w);
		jw_key(w, "spi");
		hex8(t, L->ah.spi);
		jw_str(w, t);
		jw_key(w, "seq");
		jw_uint(w, L->ah.seq);
		jw_key(w, "next_header");
		jw_uint(w, L->ah.next_header);
		jw_key(w, "icv_len");
		jw_uint(w, L->ah.icv_len);
		if (L->ah.crypto != IKS_ESP_NOT_TRIED) {
			jw_key(w, "crypto");
			jw_str(w, esp_crypto_name(L->ah.crypto));
		}
		jw_obj_end(w);
		if (top && pkt->has_ah_inner) {
			jw_key(w, "tunnelled");
			jw_obj_begin(w);
			json_layers(w, &pkt->ah_inner, pkt, false);
			jw_obj_end(w);
		}
	}
	if (L->ike.present)
		json_ike(w, &L->ike);
	if (L->icmp.present) {
		jw_key(w, "icmp");
		jw_obj_begin(w);
		jw_key(w, "version");
		jw_uint(w, L->icmp.version);
		jw_key(w, "type");
		jw_uint(w, L->icmp.type);
		jw_key(w, "type_name");
		jw_str(w, iks_icmp_type_name(L->icmp.version, L->icmp.type));
		jw_key(w, "code");
		jw_uint(w, L->icmp.code);
		if (L->icmp.has_mtu) {
			jw_key(w, "mtu");
			jw_uint(w, L->icmp.mtu);
		}
		if (L->icmp.has_echo) {
			jw_key(w, "echo_id");
			jw_uint(w, L->icmp.echo_id);
			jw_key(w, "echo_seq");
			jw_uint(w, L->icmp.echo_seq);
		}
		if (top && pkt->has_inner) {
			jw_key(w, "inner");
			jw_obj_begin(w);
			jw_key(w, "quote_len");
			jw_uint(w, L->icmp.quote_len);
			json_layers(w, &pkt->inner, pkt, false);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	if (L->err.status != IKS_OK)
		json_error(w, &L->err);
}

void fmt_packet_json(strbuf *b, const iks_packet *pkt)
{
	jsonw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_key(&w, "frame");
	jw_uint(&w, pkt->frame);
	jw_key(&w, "ts");
	w.after_key = false;
	put_ts(b, pkt->ts_sec, pkt->ts_nsec);
	jw_key(&w, "len");
	jw_uint(&w, pkt->wirelen);
	if (pkt->flags & IKS_PKT_SNAPPED) {
		jw_key(&w, "caplen");
		jw_uint(&w, pkt->caplen);
	}
	if (pkt->link.vlan_count) {
		jw_key(&w, "vlan");
		jw_arr_begin(&w);
		for (unsigned i = 0; i < pkt->link.vlan_count; i++)
			jw_uint(&w, pkt->link.vlan_ids[i]);
		jw_arr_end(&w);
	}
	if (pkt->flags & IKS_PKT_NOT_IP) {
		jw_key(&w, "ethertype");
		jw_uint(&w, pkt->link.ethertype);
	}
	json_layers(&w, &pkt->l, pkt, true);
	jw_obj_end(&w);
}

static const char *incomplete_reason(int r)
{
	switch (r) {
	case IKS_INCOMPLETE_TIMEOUT: return "timeout";
	case IKS_INCOMPLETE_END: return "end-of-capture";
	case IKS_INCOMPLETE_EVICTED: return "evicted";
	case IKS_INCOMPLETE_INVALID: return "invalid";
	}
	return "unknown";
}

void fmt_event_json(strbuf *b, const iks_event *ev)
{
	jsonw w;
	char a[IKS_ADDRSTRLEN], ts[48];
	jw_init(&w, b);
	jw_obj_begin(&w);
	if (ev->kind == IKS_EV_IKE_FRAGS_INCOMPLETE) {
		fmt_ike_event_json(b, ev);
		return;
	}
	jw_key(&w, "event");
	if (ev->kind == IKS_EV_LIMIT) {
		jw_str(&w, "limit");
		jw_key(&w, "limit");
		jw_str(&w, ev->limit);
		jw_key(&w, "value");
		jw_uint(&w, ev->limit_value);
		jw_key(&w, "frame");
		jw_uint(&w, ev->frame);
		jw_obj_end(&w);
		return;
	}
	jw_str(&w, "datagram-incomplete");
	jw_key(&w, "reason");
	jw_str(&w, incomplete_reason(ev->reason));
	jw_key(&w, "ts");
	snprintf(ts, sizeof(ts), "%lld.%09u", (long long)ev->ts_sec, (unsigned)ev->ts_nsec);
	jw_raw(&w, ts);
	jw_key(&w, "datagram_id");
	jw_uint(&w, ev->datagram_id);
	jw_key(&w, "src");
	jw_str(&w, addr_text(&ev->src, a));
	jw_key(&w, "dst");
	jw_str(&w, addr_text(&ev->dst, a));
	jw_key(&w, "proto");
	jw_uint(&w, ev->proto);
	jw_key(&w, "ip_id");
	jw_uint(&w, ev->ip_id);
	jw_key(&w, "first_frame");
	jw_uint(&w, ev->first_frame);
	jw_key(&w, "last_frame");
	jw_uint(&w, ev->last_frame);
	jw_key(&w, "fragments");
	jw_uint(&w, ev->fragments);
	jw_key(&w, "received_bytes");
	jw_uint(&w, ev->received_bytes);
	jw_key(&w, "datagram_len");
	if (ev->datagram_len == IKS_LEN_UNKNOWN)
		jw_null(&w);
	else
		jw_uint(&w, ev->datagram_len);
	jw_key(&w, "missing");
	jw_arr_begin(&w);
	for (unsigned i = 0; i < ev->nholes && i < IKS_EVENT_MAX_HOLES; i++) {
		jw_arr_begin(&w);
		jw_uint(&w, ev->holes[i].start);
		if (ev->holes[i].end == IKS_LEN_UNKNOWN)
			jw_null(&w);
		else
			jw_uint(&w, ev->holes[i].end);
		jw_arr_end(&w);
	}
	jw_arr_end(&w);
	if (ev->holes_truncated) {
		jw_key(&w, "missing_truncated");
		jw_bool(&w, true);
	}
	jw_obj_end(&w);
}

/* ------------------------------------------------------------------ text */

static void text_time(strbuf *b, int64_t sec, uint32_t nsec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char d[32];
	if (gmtime_r(&t, &tm) && strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm))
		sb_printf(b, "%s.%09u", d, (unsigned)nsec);
	else
		sb_printf(b, "%lld.%09u", (long long)sec, (unsigned)nsec);
}

static void text_endpoints(strbuf *b, const iks_layers *L)
{
	char s[IKS_ADDRSTRLEN], d[IKS_ADDRSTRLEN];
	addr_text(&L->ip.src, s);
	addr_text(&L->ip.dst, d);
	if (L->udp.present)
		sb_printf(b, "%s.%u > %s.%u", s, L->udp.sport, d, L->udp.dport);
	else
		sb_printf(b, "%s > %s", s, d);
}

static void text_ike(strbuf *b, const iks_ike_info *ike)
{
	const char *ex = iks_ike_exchange_name(ike->version, ike->exchange);
	sb_printf(b, " IKEv%u", ike->version);
	if (ex)
		sb_printf(b, " %s", ex);
	else
		sb_printf(b, " exchange %u", ike->exchange);
	sb_printf(b, " mid 0x%08" PRIx32 " i ", ike->msgid);
	for (int i = 0; i < 8; i++)
		sb_printf(b, "%02x", ike->ispi[i]);
	sb_puts(b, " r ");
	for (int i = 0; i < 8; i++)
		sb_printf(b, "%02x", ike->rspi[i]);
	if (ike->version == 2) {
		if (ike->flags & IKS_IKEV2_FLAG_INITIATOR)
			sb_puts(b, " [I]");
		if (ike->flags & IKS_IKEV2_FLAG_RESPONSE)
			sb_puts(b, " [R]");
	} else {
		if (ike->flags & IKS_IKEV1_FLAG_ENCRYPTION)
			sb_puts(b, " [E]");
		if (ike->flags & IKS_IKEV1_FLAG_COMMIT)
			sb_puts(b, " [C]");
	}
	sb_printf(b, " len %" PRIu32, ike->length);
	if (ike->encrypted) {
		const char *n = iks_ike_payload_name(ike->version, ike->next_payload);
		sb_printf(b, " encrypted (first %s)", n ? n : "?");
		if (!ike->decrypted && ike->crypto <= IKS_ESP_NO_KEY)
			return;
	} else {
		sb_puts(b, " [");
		unsigned n = ike->npayloads < IKS_IKE_MAX_PAYLOADS ? ike->npayloads : IKS_IKE_MAX_PAYLOADS;
		for (unsigned i = 0; i < n; i++) {
			const char *pn = fmt_ike_payload_name(ike, i);
			if (i)
				sb_putc(b, ' ');
			if (pn)
				sb_puts(b, pn);
			else
				sb_printf(b, "#%u", ike->payloads[i].type);
		}
		if (ike->npayloads > n)
			sb_printf(b, " +%u more", ike->npayloads - n);
		sb_putc(b, ']');
	}
	if (ike->decrypted) {
		/* the payloads inside the SK payload, notify types named */
		const iks_ike_msg *m = ike->decrypted;
		sb_puts(b, " | decrypted [");
		for (unsigned i = 0; i < m->npayloads; i++) {
			const iks_ike_payload *pl = &m->payloads[i];
			const char *pn = fmt_ike_decoded_name(m, pl);
			if (i)
				sb_putc(b, ' ');
			sb_puts(b, pn ? pn : "?");
			if (pl->kind == IKS_PK_NOTIFY) {
				const char *nn = iks_ike_notify_name(m->version, pl->notify_type);
				if (nn)
					sb_printf(b, "(%s)", nn);
				else
					sb_printf(b, "(%u)", pl->notify_type);
			}
		}
		sb_putc(b, ']');
	} else if (ike->crypto == IKS_ESP_OK || ike->crypto == IKS_ESP_UNVERIFIED) {
		sb_puts(b, " [fragment decrypted; the message decodes when all are there]");
	} else if (ike->crypto > IKS_ESP_NO_KEY) {
		sb_printf(b, " [%s]", esp_crypto_name(ike->crypto));
	}
}

static void text_upper(strbuf *b, const iks_layers *L)
{
	if (L->udp.encap == IKS_ENCAP_KEEPALIVE)
		sb_puts(b, " NAT-keepalive");
	if (L->udp.encap == IKS_ENCAP_NON_ESP_MARKER)
		sb_puts(b, " NAT-T");
	if (L->ike.present)
		text_ike(b, &L->ike);
	if (L->esp.present) {
		sb_printf(b, " %sESP spi 0x%08" PRIx32 " seq %" PRIu32 " len %" PRIu32,
			  L->udp.present ? "UDP-" : "", L->esp.spi, L->esp.seq, L->esp.payload_len);
		if (L->esp.sa_known) {
			sb_puts(b, " (IKE SA ");
			for (int i = 0; i < 8; i++)
				sb_printf(b, "%02x", L->esp.sa_ispi[i]);
			sb_printf(b, " mid 0x%08" PRIx32 ")", L->esp.sa_msgid);
		}
	}
	if (L->ah.present) {
		sb_printf(b, " AH spi 0x%08" PRIx32 " seq %" PRIu32 " icv %u next %u", L->ah.spi,
			  L->ah.seq, L->ah.icv_len, L->ah.next_header);
		if (L->ah.crypto == IKS_ESP_OK)
			sb_puts(b, " (ICV verified)");
		else if (L->ah.crypto > IKS_ESP_NO_KEY)
			sb_printf(b, " [%s]", L->ah.crypto == IKS_ESP_ICV_MISMATCH ? "ICV mismatch"
					      : esp_crypto_name(L->ah.crypto));
	}
	if (L->icmp.present) {
		const char *tn = iks_icmp_type_name(L->icmp.version, L->icmp.type);
		sb_printf(b, " ICMP%s %s code %u", L->icmp.version == 6 ? "v6" : "", tn ? tn : "?",
			  L->icmp.code);
		if (L->icmp.has_mtu)
			sb_printf(b, " mtu %" PRIu32, L->icmp.mtu);
		if (L->icmp.has_echo)
			sb_printf(b, " id %u seq %u", L->icmp.echo_id, L->icmp.echo_seq);
	}
	if (L->udp.present && !L->ike.present && !L->esp.present &&
	    L->udp.encap == IKS_ENCAP_NONE)
		sb_printf(b, " UDP len %u", L->udp.length);
	if (L->upper_decoded && !L->udp.present && !L->esp.present && !L->ah.present &&
	    !L->icmp.present) {
		const char *pn = iks_ip_proto_name(L->ip.proto);
		sb_printf(b, " %s", pn ? pn : "proto");
		if (!pn)
			sb_printf(b, " %u", L->ip.proto);
	}
}

static void text_error(strbuf *b, const iks_decode_error *e)
{
	sb_printf(b, " !%s %s at %s%" PRIu32 ": %s", iks_status_name(e->status),
		  e->layer ? e->layer : "?", e->in_datagram ? "datagram+" : "", e->offset,
		  e->reason ? e->reason : "");
}

void fmt_packet_text(strbuf *b, const iks_packet *pkt)
{
	const iks_layers *L = &pkt->l;
	sb_printf(b, "%6llu ", (unsigned long long)pkt->frame);
	text_time(b, pkt->ts_sec, pkt->ts_nsec);
	sb_putc(b, ' ');
	if (!L->ip.present) {
		if (pkt->flags & IKS_PKT_NOT_IP)
			sb_printf(b, "ethertype 0x%04x len %u", pkt->link.ethertype, pkt->wirelen);
		else
			sb_printf(b, "len %u", pkt->wirelen);
		if (pkt->err.status != IKS_OK)
			text_error(b, &pkt->err);
		return;
	}
	text_endpoints(b, L);
	if (L->ip.is_fragment) {
		const iks_frag_info *f = &pkt->frag;
		const char *pn = iks_ip_proto_name(L->ip.proto);
		sb_printf(b, " frag %s id 0x%" PRIx32 " off %" PRIu32 " len %" PRIu32 "%s",
			  pn ? pn : "?", L->ip.id, f->offset, f->length, f->mf ? " MF" : "");
		if (f->result == IKS_FRAG_COMPLETED)
			sb_printf(b, " reassembled %" PRIu32 " bytes from %u fragments:", f->datagram_len,
				  f->fragment_count);
		else if (fmt_needs_datagram(pkt)) {
			sb_puts(b, f->result == IKS_FRAG_LATE ? " late, datagram " : " datagram ");
			put_mark(b);
		}
		if (f->conflict)
			sb_puts(b, " OVERLAP-CONFLICT");
		else if (f->overlap)
			sb_puts(b, " overlap");
	}
	text_upper(b, L);
	if (pkt->has_esp_inner) {
		sb_puts(b, " | decrypted:");
		if (pkt->esp_inner.ip.present) {
			sb_putc(b, ' ');
			text_endpoints(b, &pkt->esp_inner);
			if (pkt->esp_inner.ip.is_fragment) {
				sb_printf(b, " frag id 0x%" PRIx32 " off %" PRIu32 "%s", pkt->esp_inner.ip.id,
					  pkt->esp_inner.ip.frag_offset, pkt->esp_inner.ip.mf ? " MF" : "");
				if (pkt->esp_inner_frag.result == IKS_FRAG_COMPLETED)
					sb_printf(b, " reassembled %" PRIu32 " bytes from %u fragments:",
						  pkt->esp_inner_frag.datagram_len,
						  pkt->esp_inner_frag.fragment_count);
			}
		}
		text_upper(b, &pkt->esp_inner);
		if (pkt->l.esp.crypto == IKS_ESP_UNVERIFIED)
			sb_puts(b, " (ICV not verified)");
		if (pkt->l.esp.crypto == IKS_ESP_NULL_GUESSED)
			sb_printf(b, " (ESP-NULL guessed, ICV %u bytes)", pkt->l.esp.icv_len);
	} else if (pkt->l.esp.crypto > IKS_ESP_NO_KEY && pkt->l.esp.crypto != IKS_ESP_NULL_GUESSED) {
		sb_printf(b, " [%s]", pkt->l.esp.crypto == IKS_ESP_ICV_MISMATCH ? "ICV mismatch"
				      : esp_crypto_name(pkt->l.esp.crypto));
	}
	if (pkt->has_ah_inner) {
		sb_puts(b, " | tunnelled:");
		if (pkt->ah_inner.ip.present) {
			sb_putc(b, ' ');
			text_endpoints(b, &pkt->ah_inner);
		}
		text_upper(b, &pkt->ah_inner);
	}
	if (pkt->has_inner) {
		sb_puts(b, " quoting ");
		if (pkt->inner.ip.present) {
			text_endpoints(b, &pkt->inner);
			if (pkt->inner.ip.is_fragment)
				sb_printf(b, " frag off %" PRIu32, pkt->inner.ip.frag_offset);
			text_upper(b, &pkt->inner);
		} else {
			sb_puts(b, "(undecodable)");
		}
	}
	if (pkt->flags & IKS_PKT_SNAPPED)
		sb_printf(b, " [snapped %u/%u]", pkt->caplen, pkt->wirelen);
	if (pkt->err.status != IKS_OK)
		text_error(b, &pkt->err);
}

void fmt_event_text(strbuf *b, const iks_event *ev)
{
	char s[IKS_ADDRSTRLEN], d[IKS_ADDRSTRLEN];
	if (ev->kind == IKS_EV_IKE_FRAGS_INCOMPLETE) {
		fmt_ike_event_text(b, ev);
		return;
	}
	if (ev->kind == IKS_EV_LIMIT) {
		sb_printf(b, "!! limit %s (%llu) reached at frame %llu", ev->limit,
			  (unsigned long long)ev->limit_value, (unsigned long long)ev->frame);
		return;
	}
	const char *pn = iks_ip_proto_name(ev->proto);
	sb_printf(b, "!! incomplete datagram (%s) %s > %s %s id 0x%" PRIx32
		  ": %u fragments, frames %llu-%llu, %" PRIu32 " bytes received of ",
		  incomplete_reason(ev->reason), addr_text(&ev->src, s), addr_text(&ev->dst, d),
		  pn ? pn : "?", ev->ip_id, ev->fragments, (unsigned long long)ev->first_frame,
		  (unsigned long long)ev->last_frame, ev->received_bytes);
	if (ev->datagram_len == IKS_LEN_UNKNOWN)
		sb_puts(b, "unknown length");
	else
		sb_printf(b, "%" PRIu32, ev->datagram_len);
	sb_puts(b, "; missing");
	for (unsigned i = 0; i < ev->nholes && i < IKS_EVENT_MAX_HOLES; i++) {
		if (ev->holes[i].end == IKS_LEN_UNKNOWN)
			sb_printf(b, " %" PRIu32 "-end", ev->holes[i].start);
		else
			sb_printf(b, " %" PRIu32 "-%" PRIu32, ev->holes[i].start, ev->holes[i].end);
	}
	if (ev->holes_truncated)
		sb_puts(b, " ...");
}
