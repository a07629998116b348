/*
 * format_ike_msg.c - message-level IKE output: the `ikedump -v` payload
 * tree, the extra `ike` JSON keys (NAT verdicts, IKE fragment state, the
 * reassembled message) and the ike-fragments-incomplete event.
 */
#include "dump/format.h"
#include "dump/format_ike.h"
#include "dump/ike_emit.h"
#include "common/hex.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void addr_str(const iks_addr *a, char *buf)
{
	iks_addr_format(a, buf, IKS_ADDRSTRLEN);
}

static void json_decrypted(jsonw *w, const iks_ike_info *ike);

/* Payload list of a message (for the reassembled message in JSON). */
static void json_payload_list(jsonw *w, const iks_ike_msg *m)
{
	emit e = { w, NULL, 0 };
	jw_key(w, "payloads");
	jw_arr_begin(w);
	for (unsigned i = 0; i < m->npayloads; i++) {
		const iks_ike_payload *pl = &m->payloads[i];
		jw_obj_begin(w);
		jw_key(w, "type");
		jw_uint(w, pl->type);
		jw_key(w, "name");
		jw_str(w, fmt_ike_decoded_name(m, pl));
		jw_key(w, "length");
		jw_uint(w, pl->length);
		fmt_ike_emit_body(&e, m, pl);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void emit_msg_status(emit *e, const iks_ike_msg *m)
{
	if (m->status == IKS_OK)
		return;
	e_str(e, "decode_status", iks_status_name(m->status));
	e_uint(e, "decode_offset", m->err_offset);
	e_str(e, "decode_reason", m->reason);
}

static void emit_fragment_state(emit *e, const iks_ike_detail *d)
{
	e_uint(e, "seen", d->frag_seen);
	e_uint(e, "expected", d->frag_expected);
	e_bool(e, "complete", d->frag_complete);
	if (d->frag_duplicate)
		e_bool(e, "duplicate", true);
	if (e->w) {
		jw_key(e->w, "missing");
		jw_arr_begin(e->w);
		for (unsigned i = 0; i < d->frag_missing_count && i < 8; i++)
			jw_uint(e->w, d->frag_missing[i]);
		jw_arr_end(e->w);
	} else if (d->frag_missing_count) {
		sb_puts(e->b, " missing=");
		for (unsigned i = 0; i < d->frag_missing_count && i < 8; i++)
			sb_printf(e->b, "%s%u", i ? "," : "", d->frag_missing[i]);
		if (d->frag_missing_count > 8)
			sb_puts(e->b, ",...");
	}
}

static const char *verdict_name(int v)
{
	switch (v) {
	case IKS_NAT_NONE: return "none";
	case IKS_NAT_BEHIND: return "behind-nat";
	case IKS_NAT_FORCED: return "forced-encap";
	default: return "unknown";
	}
}

static void emit_nat_verdicts(emit *e, const iks_ike_detail *d)
{
	static const char *side[2] = { "initiator", "responder" };
	for (int s = 0; s < 2; s++) {
		if (d->nat_verdict[s] == IKS_NAT_UNKNOWN)
			continue;
		e_item_begin(e, "NAT:");
		e_str(e, "side", side[s]);
		e_str(e, "verdict", verdict_name(d->nat_verdict[s]));
		e_str(e, "note", d->nat_note[s]);
		e_item_end(e);
	}
}

static bool has_verdict(const iks_ike_detail *d)
{
	return d->nat_verdict[0] != IKS_NAT_UNKNOWN || d->nat_verdict[1] != IKS_NAT_UNKNOWN;
}

void fmt_ike_json_extra(jsonw *w, const iks_ike_info *ike)
{
	json_decrypted(w, ike);
	const iks_ike_detail *d = ike->detail;
	if (!d || !d->msg)
		return;
	emit e = { w, NULL, 0 };
	if (ike->version == 1) {
		jw_key(w, "natt_numbering");
		jw_str(w, iks_ike_natt_numbering_name(d->natt_numbering));
	}
	emit_msg_status(&e, d->msg);
	if (has_verdict(d)) {
		jw_key(w, "nat");
		jw_arr_begin(w);
		emit_nat_verdicts(&e, d);
		jw_arr_end(w);
	}
	if (d->is_fragment) {
		jw_key(w, "ike_fragment");
		jw_obj_begin(w);
		emit_fragment_state(&e, d);
		jw_obj_end(w);
	}
	if (d->reassembled) {
		const iks_ike_msg *r = d->reassembled;
		jw_key(w, "reassembled");
		jw_obj_begin(w);
		jw_key(w, "frames");
		jw_arr_begin(w);
		for (unsigned i = 0; i < d->frag_count && i < 16; i++)
			jw_uint(w, d->frag_frames[i]);
		jw_arr_end(w);
		jw_key(w, "exchange");
		jw_uint(w, r->exchange);
		jw_key(w, "msgid");
		char t[16];
		hex_u32(t, r->msgid);
		jw_str(w, t);
		jw_key(w, "flags");
		jw_uint(w, r->flags);
		jw_key(w, "encrypted");
		jw_bool(w, r->encrypted);
		emit_msg_status(&e, r);
		json_payload_list(w, r);
		jw_obj_end(w);
	}
}

/* Inside the open `ike` object: what the keys made of the encrypted part
 * ("crypto", "key": "none" without a key, "decrypted": true and the inner
 * "payloads", the chain as sent being "wire_payloads"). */
static void json_decrypted(jsonw *w, const iks_ike_info *ike)
{
	if (ike->crypto == IKS_ESP_NOT_TRIED)
		return;
	jw_key(w, "crypto");
	jw_str(w, esp_crypto_name(ike->crypto));
	if (ike->crypto == IKS_ESP_NO_KEY) {
		jw_key(w, "key");
		jw_str(w, "none");
	}
	if (!ike->decrypted)
		return;
	jw_key(w, "decrypted");
	jw_bool(w, true);
	json_payload_list(w, ike->decrypted);
	if (ike->decrypted->status != IKS_OK) {
		emit e = { w, NULL, 0 };
		jw_key(w, "decrypted_walk");
		jw_obj_begin(w);
		emit_msg_status(&e, ike->decrypted);
		jw_obj_end(w);
	}
}

static void text_payloads(emit *e, const iks_ike_msg *m)
{
	for (unsigned i = 0; i < m->npayloads; i++) {
		const iks_ike_payload *pl = &m->payloads[i];
		const char *n = fmt_ike_decoded_name(m, pl);
		char label[64];
		snprintf(label, sizeof(label), "%s (%u) @%" PRIu32 " len %u", n ? n : "?", pl->type,
			 pl->offset, pl->length);
		e_newline(e, label);
		e->indent++;
		fmt_ike_emit_body(e, m, pl);
		e->indent--;
	}
	if (m->payloads_truncated)
		e_newline(e, "(more payloads than listed)");
}

static void text_decrypted(strbuf *b, const iks_ike_info *ike)
{
	if (ike->crypto == IKS_ESP_NOT_TRIED)
		return;
	emit e = { NULL, b, 4 };
	char label[96];
	snprintf(label, sizeof(label), "decrypted with the IKE SA's keys: %s",
		 ike->crypto == IKS_ESP_OK ? "ICV verified" : esp_crypto_name(ike->crypto));
	e_newline(&e, label);
	if (!ike->decrypted)
		return;
	e.indent++;
	text_payloads(&e, ike->decrypted);
	if (ike->decrypted->status != IKS_OK) {
		e_newline(&e, "!");
		emit_msg_status(&e, ike->decrypted);
	}
}

void fmt_ike_text_tree(strbuf *b, const iks_ike_info *ike)
{
	text_decrypted(b, ike);
	const iks_ike_detail *d = ike->detail;
	if (!d || !d->msg)
		return;
	emit e = { NULL, b, 4 };
	if (d->msg->encrypted)
		e_newline(&e, "(encrypted: no payload visible without keys)");
	text_payloads(&e, d->msg);
	if (d->msg->status != IKS_OK) {
		e_newline(&e, "!");
		emit_msg_status(&e, d->msg);
	}
	bool natd = false;
	for (unsigned i = 0; i < d->msg->npayloads; i++)
		natd |= d->msg->payloads[i].natd != IKS_NATD_UNCHECKED;
	if (natd && has_verdict(d))
		emit_nat_verdicts(&e, d);
	if (d->is_fragment) {
		e_newline(&e, "IKE fragment:");
		emit_fragment_state(&e, d);
	}
	if (d->reassembled) {
		const iks_ike_msg *r = d->reassembled;
		char label[160];
		snprintf(label, sizeof(label),
			 "reassembled from %u IKE fragments: exchange %u mid 0x%08" PRIx32 "%s",
			 d->frag_count, r->exchange, r->msgid, r->encrypted ? " [E] encrypted" : "");
		e_newline(&e, label);
		e.indent++;
		text_payloads(&e, r);
		if (r->status != IKS_OK) {
			e_newline(&e, "!");
			emit_msg_status(&e, r);
		}
	}
}

static const char *reason_name(int r)
{
	switch (r) {
	case IKS_INCOMPLETE_END: return "end-of-capture";
	case IKS_INCOMPLETE_EVICTED: return "evicted";
	default: return "unknown";
	}
}

void fmt_ike_event_json(strbuf *b, const iks_event *ev)
{
	jsonw w;
	char a[IKS_ADDRSTRLEN], t[16];
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_key(&w, "event");
	jw_str(&w, "ike-fragments-incomplete");
	jw_key(&w, "reason");
	jw_str(&w, reason_name(ev->reason));
	jw_key(&w, "version");
	jw_uint(&w, ev->ike_version);
	jw_key(&w, "ispi");
	jw_hex(&w, ev->ike_ispi, 8);
	jw_key(&w, "rspi");
	jw_hex(&w, ev->ike_rspi, 8);
	jw_key(&w, "msgid");
	hex_u32(t, ev->ike_msgid);
	jw_str(&w, t);
	if (ev->ike_version == 1) {
		jw_key(&w, "frag_id");
		jw_uint(&w, ev->ike_frag_id);
	}
	jw_key(&w, "src");
	jw_str(&w, (addr_str(&ev->src, a), a));
	jw_key(&w, "dst");
	jw_str(&w, (addr_str(&ev->dst, a), a));
	jw_key(&w, "first_frame");
	jw_uint(&w, ev->first_frame);
	jw_key(&w, "last_frame");
	jw_uint(&w, ev->last_frame);
	jw_key(&w, "seen");
	jw_uint(&w, ev->fragments);
	jw_key(&w, "total");
	if (ev->ike_frag_total)
		jw_uint(&w, ev->ike_frag_total);
	else
		jw_null(&w);
	jw_key(&w, "missing");
	jw_arr_begin(&w);
	for (unsigned i = 0; i < ev->ike_missing_count && i < 8; i++)
		jw_uint(&w, ev->ike_missing[i]);
	jw_arr_end(&w);
	jw_obj_end(&w);
}

void fmt_ike_event_text(strbuf *b, const iks_event *ev)
{
	char s[IKS_ADDRSTRLEN], d[IKS_ADDRSTRLEN], i8[17], r8[17];
	addr_str(&ev->src, s);
	addr_str(&ev->dst, d);
	hex8(i8, ev->ike_ispi);
	hex8(r8, ev->ike_rspi);
	sb_printf(b, "!! incomplete IKEv%u fragmented message (%s) %s > %s i %s r %s", ev->ike_version,
		  reason_name(ev->reason), s, d, i8, r8);
	sb_printf(b, " mid 0x%08" PRIx32, ev->ike_msgid);
	if (ev->ike_version == 1)
		sb_printf(b, " frag-id %u", ev->ike_frag_id);
	sb_printf(b, ": %u fragments seen, frames %llu-%llu, total ", ev->fragments,
		  (unsigned long long)ev->first_frame, (unsigned long long)ev->last_frame);
	if (ev->ike_frag_total)
		sb_printf(b, "%u", ev->ike_frag_total);
	else
		sb_puts(b, "unknown");
	sb_puts(b, "; missing");
	for (unsigned i = 0; i < ev->ike_missing_count && i < 8; i++)
		sb_printf(b, " %u", ev->ike_missing[i]);
	if (ev->ike_missing_count > 8)
		sb_puts(b, " ...");
	if (!ev->ike_frag_total)
		sb_puts(b, " (and any after the highest seen)");
}
