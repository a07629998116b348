/* format_json.c - packet records and decoder events as JSON Lines (keys in
 * docs/json.md). */
#include "dump/format.h"
#include "dump/format_ike.h"
#include "common/hex.h"

#include <inttypes.h>
#include <stdio.h>

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
	hex_u32(t, ike->msgid);
	jw_plain(w, t, 8);
	jw_key(w, "flags");
	jw_uint(w, ike->flags);
	jw_key(w, "length");
	jw_uint(w, ike->length);
	jw_key(w, "np");
	jw_uint(w, ike->next_payload);
	jw_key(w, "encrypted");
	jw_bool(w, ike->encrypted);
	/* decrypted: "payloads" are the inner ones (fmt_ike_json_extra), the
	 * chain as sent is "wire_payloads" */
	jw_keys(w, ike->decrypted ? "wire_payloads" : "payloads");
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

/* The "icv" of a record's "decrypted" object (issue #4's contract): "ok"
 * verified, "bad" mismatch, "unchecked" decrypted without an integrity key
 * (or read as ESP-NULL without keys); NULL when nothing was decrypted. */
static const char *icv_verdict(int crypto, int auth)
{
	switch (crypto) {
	case IKS_ESP_OK: return "ok";
	case IKS_ESP_ICV_MISMATCH: return "bad";
	case IKS_ESP_UNVERIFIED:
	case IKS_ESP_NULL_GUESSED: return "unchecked";
	case IKS_ESP_BAD_PADDING: return auth == IKS_AUTH_NONE ? "unchecked" : "ok";
	default: return NULL;
	}
}

/* The keys of one IP packet; `inner` is the quoted packet of an ICMP error. */
static void json_layers(jsonw *w, const iks_layers *L, const iks_packet *pkt, bool top)
{
	char t[16];
	if (L->ip.present) {
		jw_key(w, "ip_version");
		jw_uint(w, L->ip.version);
		jw_key(w, "src");
		jw_addr(w, &L->ip.src);
		jw_key(w, "dst");
		jw_addr(w, &L->ip.dst);
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
			fmt_put_mark(w->b);
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
		hex_u32(t, L->esp.spi);
		jw_plain(w, t, 8);
		jw_key(w, "seq");
		jw_uint(w, L->esp.seq);
		jw_key(w, "payload_len");
		jw_uint(w, L->esp.payload_len);
		if (L->esp.crypto != IKS_ESP_NOT_TRIED) {
			jw_key(w, "crypto");
			jw_str(w, esp_crypto_name(L->esp.crypto));
		}
		if (L->esp.crypto == IKS_ESP_NO_KEY) {
			jw_key(w, "key");
			jw_str(w, "none");
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
			hex_u32(t, L->esp.sa_msgid);
			jw_plain(w, t, 8);
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
		const char *icv = icv_verdict(L->esp.crypto, L->esp.auth);
		if (top && icv) {
			jw_key(w, "decrypted");
			jw_obj_begin(w);
			jw_key(w, "icv");
			jw_str(w, icv);
			if (pkt->has_esp_inner) {
				jw_key(w, "inner");
				jw_obj_begin(w);
				json_layers(w, &pkt->esp_inner, pkt, false);
				jw_obj_end(w);
			}
			jw_obj_end(w);
		}
	}
	if (L->ah.present) {
		jw_key(w, "ah");
		jw_obj_begin(w);
		jw_key(w, "spi");
		hex_u32(t, L->ah.spi);
		jw_plain(w, t, 8);
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
		if (L->ah.crypto == IKS_ESP_NO_KEY) {
			jw_key(w, "key");
			jw_str(w, "none");
		}
		jw_obj_end(w);
		/* AH hides nothing: its verdict alone (an ESP beside it says its own) */
		const char *ah_icv = L->ah.crypto == IKS_ESP_OK ? "ok"
				     : L->ah.crypto == IKS_ESP_ICV_MISMATCH ? "bad" : NULL;
		if (top && ah_icv && !L->esp.present) {
			jw_key(w, "decrypted");
			jw_obj_begin(w);
			jw_key(w, "icv");
			jw_str(w, ah_icv);
			jw_obj_end(w);
		}
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
	fmt_meta_json(&w, &pkt->meta);
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
	jw_str(&w, fmt_incomplete_reason(ev->reason));
	jw_key(&w, "ts");
	snprintf(ts, sizeof(ts), "%lld.%09u", (long long)ev->ts_sec, (unsigned)ev->ts_nsec);
	jw_raw(&w, ts);
	jw_key(&w, "datagram_id");
	jw_uint(&w, ev->datagram_id);
	jw_key(&w, "src");
	jw_str(&w, fmt_addr(&ev->src, a));
	jw_key(&w, "dst");
	jw_str(&w, fmt_addr(&ev->dst, a));
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
