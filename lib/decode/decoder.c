/*
 * decoder.c - from a frame to a packet record: link -> IP -> reassembly ->
 * UDP/NAT-T demux -> ESP/AH/ICMP/IKE. Each step is a function of its own
 * file; this one only chains them and keeps the per-capture state.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/decoder.h>
#include <ikescope/ike.h>

#include "decode/decoder_crypto.h"
#include "core/decode_error.h"
#include "core/zero.h"
#include "keys/key_bind.h"
#include "core/evq.h"
#include "net/icmp.h"
#include "ike/ike_ctx.h"
#include "ike/ike.h"
#include "net/ip.h"
#include "net/ipfrag.h"
#include "ipsec/ipsec.h"
#include "net/link.h"
#include "net/udp.h"

struct iks_decoder {
	iks_decoder_limits lim;
	iks_evq events;
	iks_frag_table *frag;
	ike_ctx *ike;           /* IKE SA state and IKE fragments (ike_state.c) */
	uint64_t frames;
	iks_frag_table *inner_frag; /* reassembly of what ESP tunnels */
	dec_crypto cr;          /* keys and decryption state (decoder_crypto.c) */
};

void iks_decoder_limits_default(iks_decoder_limits *lim)
{
	if (!lim)
		return;
	lim->frag_datagrams_max = 4096;
	lim->frag_bytes_max = 64u * 1024 * 1024;
	lim->frag_datagram_max_len = 65535;
	lim->frag_pieces_max = 256;
	lim->frag_timeout_ms_v4 = 30000;
	lim->frag_timeout_ms_v6 = 60000;
	lim->events_max = 4096;
	lim->ike_sas_max = 1024;
	lim->ike_frag_messages_max = 64;
	lim->ike_frag_message_max_len = 65535;
}

iks_decoder *iks_decoder_new(const iks_decoder_limits *lim)
{
	if (iks_global_init() != IKS_OK)
		return NULL;
	iks_decoder *dec = calloc(1, sizeof(*dec));
	if (!dec)
		return NULL;
	iks_decoder_limits d;
	iks_decoder_limits_default(&d);
	dec->lim = d;
	if (lim) {
#define TAKE(f) dec->lim.f = lim->f ? lim->f : d.f
		TAKE(frag_datagrams_max);
		TAKE(frag_bytes_max);
		TAKE(frag_datagram_max_len);
		TAKE(frag_pieces_max);
		TAKE(frag_timeout_ms_v4);
		TAKE(frag_timeout_ms_v6);
		TAKE(events_max);
		TAKE(ike_sas_max);
		TAKE(ike_frag_messages_max);
		TAKE(ike_frag_message_max_len);
#undef TAKE
	}
	if (evq_init(&dec->events, dec->lim.events_max) != IKS_OK) {
		free(dec);
		return NULL;
	}
	dec->frag = iks_frag_table_new(&dec->lim, &dec->events);
	dec->ike = dec->frag ? ike_ctx_new(&dec->lim, &dec->events) : NULL;
	if (!dec->ike) {
		iks_frag_table_free(dec->frag);
		evq_free(&dec->events);
		free(dec);
		return NULL;
	}
	return dec;
}

void iks_decoder_free(iks_decoder *dec)
{
	if (!dec)
		return;
	ike_ctx_free(dec->ike);
	iks_frag_table_free(dec->frag);
	iks_frag_table_free(dec->inner_frag);
	dcrypto_free(&dec->cr);
	evq_free(&dec->events);
	free(dec);
}

iks_status iks_decoder_set_esp_null(iks_decoder *dec, bool on)
{
	if (!dec)
		return IKS_E_INVALID;
	if (on && !dec->inner_frag) {
		dec->inner_frag = iks_frag_table_new(&dec->lim, &dec->events);
		if (!dec->inner_frag)
			return IKS_E_NOMEM;
	}
	dec->cr.esp_null = on;
	return IKS_OK;
}

iks_status iks_decoder_set_keys(iks_decoder *dec, const iks_keys *keys)
{
	if (!dec)
		return IKS_E_INVALID;
	if (keys && !dec->inner_frag) {
		dec->inner_frag = iks_frag_table_new(&dec->lim, &dec->events);
		if (!dec->inner_frag)
			return IKS_E_NOMEM;
	}
	return dcrypto_set_keys(&dec->cr, keys, &dec->lim);
}

/* What a decode step needs to know about where it is. */
typedef struct decode_ctx {
	iks_decoder *dec;       /* NULL: stateless, no reassembly */
	iks_packet *pkt;
	const iks_frame *frame; /* NULL when stateless */
} decode_ctx;

/* Where a fragment is reassembled: the table and the record's slot for what
 * happened. NULL table: not reassembled (a quote, or no decoder). */
typedef struct reasm {
	iks_frag_table *table;
	iks_frag_info *fi;
} reasm;

static void decode_ip(decode_ctx *c, iks_reader *r, int version, iks_layers *L, bool quoted);
static void decode_ip_in(decode_ctx *c, iks_reader *r, int version, iks_layers *L, bool quoted,
			 const reasm *ra);
static void decode_upper(decode_ctx *c, iks_reader *p, uint32_t wire, uint8_t proto, iks_layers *L,
			 bool in_dg, bool quoted);

/* Claim one of the record's optional layer sets: its flag set, its fields
 * zeroed (start_record leaves them as the previous frame had them). */
static iks_layers *use_layers(bool *has, iks_layers *L)
{
	*has = true;
	iks_zero(L, sizeof(*L));
	return L;
}

/* With keys: verify and decrypt the frame's own ESP (not a quoted one) and
 * decode what it carried into pkt->esp_inner. `wire` is the ESP length. */
static void decrypt_esp(decode_ctx *c, iks_layers *L, uint32_t wire, bool quoted)
{
	if (quoted || !c->dec || L != &c->pkt->l || !dcrypto_esp(&c->dec->cr, L, wire))
		return;
	iks_layers *I = use_layers(&c->pkt->has_esp_inner, &c->pkt->esp_inner);
	iks_reader r = rd_init(L->esp.plain.p, L->esp.plain.len, 0);
	uint8_t nh = L->esp.next_header;
	if (nh == 4 || nh == 41) {
		/* tunnel mode (RFC 4303 section 3.1.2): an IP packet, whose
		 * fragments are reassembled in a table of their own (the outer
		 * table's datagram may still be in use by this record) */
		reasm ra = { c->dec->inner_frag, &c->pkt->esp_inner_frag };
		decode_ip_in(c, &r, nh == 4 ? 4 : 6, I, true, &ra);
	} else {
		/* transport mode: the upper layer of the outer packet */
		I->ip = L->ip;
		I->ip.proto = nh;
		decode_upper(c, &r, (uint32_t)rd_left(&r), nh, I, true, true);
	}
}

/* With keys: check the AH ICV of the frame's own unfragmented IP packet
 * (`p` was positioned at the AH header before it was read). */
static void verify_ah(decode_ctx *c, iks_layers *L, const iks_reader *p, uint32_t wire, bool in_dg,
		      bool quoted)
{
	if (quoted || in_dg || !c->dec || L != &c->pkt->l)
		return;
	dcrypto_ah(&c->dec->cr, L, p, wire);
}

static void decode_udp(decode_ctx *c, iks_reader *p, uint32_t wire, iks_layers *L, bool in_dg,
		       bool quoted)
{
	iks_reader payload, inner;
	if (udp_decode(p, wire, &L->udp, &payload, &L->err, in_dg) != IKS_OK)
		return;
	uint32_t udp_payload = (uint32_t)L->udp.length - 8;
	switch (udp_demux(&L->udp, &payload, &inner, &L->err, in_dg)) {
	case UDP_CARRIES_IKE: {
		uint32_t marker = L->udp.encap == IKS_ENCAP_NON_ESP_MARKER ? 4 : 0;
		ike_decode(&inner, udp_payload - marker, &L->ike, &L->err, in_dg);
		break;
	}
	case UDP_CARRIES_ESP:
		if (esp_decode(&inner, udp_payload, &L->esp, &L->err, in_dg) == IKS_OK)
			decrypt_esp(c, L, udp_payload, quoted);
		break;
	case UDP_CARRIES_KEEPALIVE:
	case UDP_CARRIES_NOTHING:
	case UDP_CARRIES_OTHER:
		break;
	}
}

/* The layers above IP. `wire` is the length the upper layer had as sent. */
static void decode_upper(decode_ctx *c, iks_reader *p, uint32_t wire, uint8_t proto, iks_layers *L,
			 bool in_dg, bool quoted)
{
	iks_reader next, quote;
	L->upper_decoded = true;
	switch (proto) {
	case IKS_PROTO_UDP:
		decode_udp(c, p, wire, L, in_dg, quoted);
		break;
	case IKS_PROTO_ESP:
		if (esp_decode(p, wire, &L->esp, &L->err, in_dg) == IKS_OK)
			decrypt_esp(c, L, wire, quoted);
		break;
	case IKS_PROTO_AH:
		/* RFC 4302 section 3.1: AH leaves what it protects in clear;
		 * decode it, unless it is another AH */
	{
		iks_reader at_ah = *p;
		if (ah_decode(p, &L->ah, &next, &L->err, in_dg) != IKS_OK)
			break;
		verify_ah(c, L, &at_ah, wire, in_dg, quoted);
		uint8_t nh = L->ah.next_header;
		if ((nh == 4 || nh == 41) && !quoted && L == &c->pkt->l) {
			/* tunnel mode: the protected IP packet */
			reasm none = { NULL, NULL };
			decode_ip_in(c, &next, nh == 4 ? 4 : 6,
				     use_layers(&c->pkt->has_ah_inner, &c->pkt->ah_inner), true, &none);
		} else if (nh != IKS_PROTO_AH) {
			size_t ah_len = ((size_t)L->ah.payload_len + 2) * 4;
			uint32_t rest = wire > ah_len ? wire - (uint32_t)ah_len : 0;
			decode_upper(c, &next, rest, L->ah.next_header, L, in_dg, quoted);
		}
		break;
	}
	case IKS_PROTO_ICMP:
	case IKS_PROTO_ICMPV6: {
		int v = proto == IKS_PROTO_ICMP ? 4 : 6;
		if (v != L->ip.version)
			break; /* ICMP over IPv6 or ICMPv6 over IPv4: not an error message for us */
		if (icmp_decode(p, v, &L->icmp, &quote, &L->err, in_dg) != IKS_OK)
			break;
		uint8_t b0;
		if (L->icmp.is_error && !quoted && rd_peek_u8(&quote, 0, &b0)) {
			decode_ip(c, &quote, b0 >> 4, use_layers(&c->pkt->has_inner, &c->pkt->inner),
				  true);
		}
		break;
	}
	default:
		break;
	}
}

/* Whether the first bytes of a first fragment name the IKE/NAT-T ports. */
static bool udp_ports_are_ipsec(const iks_reader *payload)
{
	iks_reader p = *payload;
	uint16_t sport, dport;
	if (!rd_be16(&p, &sport) || !rd_be16(&p, &dport))
		return false;
	return sport == 500 || dport == 500 || sport == 4500 || dport == 4500;
}

static void decode_fragment(decode_ctx *c, iks_reader *payload, uint32_t wire, iks_layers *L,
			    bool quoted, const reasm *ra)
{
	const char *layer = L->ip.version == 4 ? "ipv4" : "ipv6";
	uint8_t proto = L->ip.proto;

	if (!ra || !ra->table) {
		/* no reassembly: a first fragment is decoded as far as it goes */
		if (ra && ra->fi)
			ra->fi->result = IKS_FRAG_UNREASSEMBLED;
		if (L->ip.frag_offset != 0)
			return;
		if (L->ip.version == 6 &&
		    ipv6_walk_ext(payload, &proto, &L->ip, &L->err, false) != IKS_OK)
			return;
		decode_upper(c, payload, wire, proto, L, false, quoted);
		return;
	}

	iks_frag_input in;
	memset(&in, 0, sizeof(in));
	in.version = L->ip.version;
	in.src = L->ip.src;
	in.dst = L->ip.dst;
	in.proto = proto;
	in.id = L->ip.id;
	in.offset = L->ip.frag_offset;
	in.mf = L->ip.mf;
	in.payload.p = rd_ptr(payload);
	in.payload.len = rd_left(payload);
	in.payload_wire_len = wire;
	in.frame = c->frame->number;
	in.ts_sec = c->frame->ts_sec;
	in.ts_nsec = c->frame->ts_nsec;

	iks_frag_output out;
	iks_frag_add(ra->table, &in, &out);
	iks_frag_info *fi = ra->fi;
	fi->result = out.result;
	fi->datagram_id = out.datagram_id;
	fi->overlap = out.overlap;
	fi->conflict = out.conflict;

	switch (out.result) {
	case IKS_FRAG_COMPLETED: {
		fi->datagram_len = (uint32_t)out.datagram.len;
		fi->fragment_count = out.fragment_count;
		fi->frames = out.frames;
		iks_reader dg = rd_init(out.datagram.p, out.datagram.len, 0);
		proto = out.proto;
		if (L->ip.version == 6 && ipv6_walk_ext(&dg, &proto, &L->ip, &L->err, true) != IKS_OK)
			return;
		decode_upper(c, &dg, (uint32_t)rd_left(&dg), proto, L, true, quoted);
		return;
	}
	case IKS_FRAG_REJECTED:
		set_error(&L->err, out.status, layer, out.reason, rd_offset(payload), false);
		return;
	default:
		return;
	}
}

static void decode_ip_in(decode_ctx *c, iks_reader *r, int version, iks_layers *L, bool quoted,
			 const reasm *ra)
{
	iks_reader payload;
	uint32_t wire = 0;
	iks_status st;

	if (version == 4)
		st = ipv4_decode(r, &L->ip, &payload, &wire, &L->err);
	else if (version == 6)
		st = ipv6_decode(r, &L->ip, &payload, &wire, &L->err);
	else {
		set_error(&L->err, IKS_E_MALFORMED, "ip", "IP version neither 4 nor 6", rd_offset(r),
			  false);
		return;
	}
	if (st != IKS_OK)
		return;
	if (ra && ra->fi && L->ip.is_fragment) {
		iks_frag_info *fi = ra->fi;
		fi->offset = L->ip.frag_offset;
		fi->length = wire;
		fi->mf = L->ip.mf;
	}
	bool cut = rd_left(&payload) < wire;
	L->ip.payload.p = rd_ptr(&payload);
	L->ip.payload.len = rd_left(&payload);
	if (L->ip.is_fragment)
		decode_fragment(c, &payload, wire, L, quoted, ra);
	else
		decode_upper(c, &payload, wire, L->ip.proto, L, false, quoted);
	if (cut && !quoted)
		set_error(&L->err, IKS_E_TRUNCATED, version == 4 ? "ipv4" : "ipv6",
			  "capture ends before the IP length does", rd_offset(&payload) + rd_left(&payload),
			  false);
}

/* An IP packet: the frame's own (reassembled in the decoder's table), or a
 * quote in an ICMP error (never reassembled). */
static void decode_ip(decode_ctx *c, iks_reader *r, int version, iks_layers *L, bool quoted)
{
	reasm ra = { NULL, NULL };
	if (!quoted) {
		ra.table = c->dec ? c->dec->frag : NULL;
		ra.fi = &c->pkt->frag;
	}
	decode_ip_in(c, r, version, L, quoted, &ra);
}

static void classify(iks_packet *pkt, const iks_reader *first_frag_payload)
{
	const iks_layers *L = &pkt->l;
	if (pkt->caplen < pkt->wirelen)
		pkt->flags |= IKS_PKT_SNAPPED;
	if (L->ike.present || L->esp.present || L->ah.present ||
	    L->udp.encap == IKS_ENCAP_KEEPALIVE)
		pkt->flags |= IKS_PKT_IPSEC;
	if (L->udp.present && (L->udp.sport == 500 || L->udp.dport == 500 ||
			       L->udp.sport == 4500 || L->udp.dport == 4500))
		pkt->flags |= IKS_PKT_IPSEC;
	if (L->ip.is_fragment && !L->upper_decoded) {
		if (L->ip.proto == IKS_PROTO_ESP || L->ip.proto == IKS_PROTO_AH)
			pkt->flags |= IKS_PKT_IPSEC;
		if (L->ip.proto == IKS_PROTO_UDP && L->ip.frag_offset == 0 && first_frag_payload &&
		    udp_ports_are_ipsec(first_frag_payload))
			pkt->flags |= IKS_PKT_IPSEC;
	}
	if (L->icmp.present && L->icmp.is_error)
		pkt->flags |= IKS_PKT_ICMP_ERROR;
	pkt->err = L->err;
}

static void decode_frame(decode_ctx *c, int linktype, const uint8_t *data, size_t len)
{
	iks_packet *pkt = c->pkt;
	iks_reader r = rd_init(data, len, 0);
	if (link_decode(linktype, &r, &pkt->link, &pkt->l.err) != IKS_OK) {
		classify(pkt, NULL);
		return;
	}
	int version;
	if (pkt->link.ethertype == 0x0800)
		version = 4;
	else if (pkt->link.ethertype == 0x86dd)
		version = 6;
	else {
		pkt->flags |= IKS_PKT_NOT_IP;
		classify(pkt, NULL);
		return;
	}
	/* remember where the IP payload starts for classifying a first fragment */
	iks_reader at_ip = r;
	decode_ip(c, &r, version, &pkt->l, false);
	iks_reader first_payload = rd_init(NULL, 0, 0);
	if (pkt->l.ip.present && pkt->l.ip.is_fragment && pkt->l.ip.frag_offset == 0 &&
	    rd_skip(&at_ip, pkt->l.ip.header_len))
		first_payload = at_ip;
	classify(pkt, &first_payload);
}

/* Start a frame's record. Only what every frame uses is zeroed: the three
 * optional layer sets (inner, esp_inner, ah_inner: two thirds of the
 * record) are zeroed by use_layers() when a frame fills one, and are
 * unspecified while their has_ flag is false (packet.h). */
static void start_record(iks_packet *pkt, const iks_frame *f)
{
	iks_zero(pkt, offsetof(iks_packet, meta));
	iks_zero(&pkt->link, offsetof(iks_packet, inner) - offsetof(iks_packet, link));
	memset(&pkt->err, 0, sizeof(pkt->err));
	pkt->has_esp_inner = false;
	memset(&pkt->esp_inner_frag, 0, sizeof(pkt->esp_inner_frag));
	pkt->has_ah_inner = false;
	pkt->frame = f->number;
	pkt->ts_sec = f->ts_sec;
	pkt->ts_nsec = f->ts_nsec;
	pkt->linktype = f->linktype;
	pkt->caplen = f->caplen;
	pkt->wirelen = f->wirelen;
	pkt->meta = f->meta;
}

iks_status iks_decode(iks_decoder *dec, const iks_frame *frame, iks_packet *pkt)
{
	if (!dec || !frame || !pkt || (!frame->data && frame->caplen))
		return IKS_E_INVALID;
	start_record(pkt, frame);
	dec->frames++;
	iks_frag_expire(dec->frag, frame->ts_sec, frame->ts_nsec, frame->number);
	if (dec->inner_frag)
		iks_frag_expire(dec->inner_frag, frame->ts_sec, frame->ts_nsec, frame->number);
	decode_ctx c = { dec, pkt, frame };
	decode_frame(&c, frame->linktype, frame->data, frame->caplen);
	ike_ctx_decode(dec->ike, &pkt->l, frame->number, frame->ts_sec, frame->ts_nsec);
	dcrypto_ike(&dec->cr, pkt);
	return IKS_OK;
}

iks_status iks_decode_buffer(int linktype, const uint8_t *data, size_t len, iks_packet *pkt)
{
	if (!pkt || (!data && len))
		return IKS_E_INVALID;
	iks_frame f;
	memset(&f, 0, sizeof(f));
	f.number = 1;
	f.linktype = linktype;
	f.caplen = f.wirelen = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	f.data = data;
	start_record(pkt, &f);
	decode_ctx c = { NULL, pkt, NULL };
	decode_frame(&c, linktype, data, f.caplen);
	return IKS_OK;
}

int iks_decoder_next_event(iks_decoder *dec, iks_event *ev)
{
	if (!dec || !ev)
		return 0;
	return evq_pop(&dec->events, ev) ? 1 : 0;
}

void iks_decoder_finish(iks_decoder *dec)
{
	if (dec) {
		iks_frag_finish(dec->frag);
		if (dec->inner_frag)
			iks_frag_finish(dec->inner_frag);
		ike_ctx_finish(dec->ike);
	}
}

void iks_decoder_get_stats(const iks_decoder *dec, iks_decoder_stats *st)
{
	if (!dec || !st)
		return;
	iks_frag_stats fs;
	iks_frag_get_stats(dec->frag, &fs);
	memset(st, 0, sizeof(*st));
	st->frames = dec->frames;
	st->fragments = fs.fragments;
	st->datagrams_completed = fs.completed;
	st->datagrams_incomplete = fs.incomplete;
	st->limit_hits = dec->events.limit_hits + key_bind_limit_hits(dec->cr.bind) + dec->cr.limit_hits;
	st->events_dropped = dec->events.dropped;
	st->limit_repeats = dec->events.limit_repeats;
	st->frag_datagrams_peak = fs.datagrams_peak;
	st->frag_bytes_peak = fs.bytes_peak;
}
