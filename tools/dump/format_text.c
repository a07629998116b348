/* format_text.c - packet records and decoder events as one line of text
 * each, for people. */
#include "dump/format.h"
#include "dump/format_ike.h"
#include "common/hex.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

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
	fmt_addr(&L->ip.src, s);
	fmt_addr(&L->ip.dst, d);
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
	char i8[17], r8[17];
	hex8(i8, ike->ispi);
	hex8(r8, ike->rspi);
	sb_printf(b, " mid 0x%08" PRIx32 " i %s r %s", ike->msgid, i8, r8);
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
			char i8[17];
			hex8(i8, L->esp.sa_ispi);
			sb_printf(b, " (IKE SA %s mid 0x%08" PRIx32 ")", i8, L->esp.sa_msgid);
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
			fmt_put_mark(b);
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
		  fmt_incomplete_reason(ev->reason), fmt_addr(&ev->src, s), fmt_addr(&ev->dst, d),
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
