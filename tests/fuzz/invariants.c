/* invariants.c - consistency checks on decoded records (see fuzz.h). */
#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fuzz_linktype_index(int linktype)
{
	for (size_t i = 0; i < FUZZ_NLINKTYPES; i++)
		if (fuzz_linktypes[i] == linktype)
			return (int)i;
	return -1;
}

void fuzz_small_limits(iks_decoder_limits *lim)
{
	iks_decoder_limits_default(lim);
	lim->frag_datagrams_max = 8;
	lim->frag_bytes_max = 16384;
	lim->frag_pieces_max = 16;
	lim->frag_timeout_ms_v4 = 2000;
	lim->frag_timeout_ms_v6 = 3000;
	lim->events_max = 16;
}

void fuzz_fail(const char *what, const char *violation)
{
	fprintf(stderr, "fuzz invariant violated in %s: %s\n", what, violation);
	abort();
}

static bool known_status(iks_status st)
{
	return st == IKS_OK || st == IKS_E_TRUNCATED || st == IKS_E_MALFORMED ||
	       st == IKS_E_UNSUPPORTED || st == IKS_E_NOMEM || st == IKS_E_LIMIT;
}

/* Whether [p, p + n) lies inside [base, base + len) (test code: plain
 * integer arithmetic on addresses). */
static bool inside(const uint8_t *p, size_t n, const uint8_t *base, size_t len)
{
	if (n == 0)
		return true;
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;
	return p && base && a >= b && a - b <= len && n <= len - (a - b);
}

/* The IKE part shared by records and iks_ike_decode(). */
static const char *check_ike_common(const iks_ike_info *ike)
{
	if (!known_status(ike->status))
		return "ike: unknown status";
	if ((ike->status == IKS_OK) != (ike->reason == NULL))
		return "ike: reason set without a failure or missing with one";
	if (!ike->present) {
		if (ike->npayloads || ike->raw.len || ike->err_offset)
			return "ike: absent header with payloads, bytes or an error offset";
		return NULL;
	}
	if (ike->captured > ike->length)
		return "ike: more bytes captured than the length field";
	if (ike->raw.len != 0 && ike->raw.len != ike->captured)
		return "ike: raw span differs from the captured length";
	uint32_t limit = ike->captured > 28 ? ike->captured : 28;
	if (ike->status != IKS_OK && ike->err_offset > limit)
		return "ike: error offset past the captured message";
	if (ike->status == IKS_OK) {
		if (ike->version != 1 && ike->version != 2)
			return "ike: OK with a major version neither 1 nor 2";
		if (ike->length < 28 || ike->captured != ike->length || ike->raw.len != ike->length)
			return "ike: OK but the message is not whole";
	}
	if (ike->encrypted && ike->npayloads)
		return "ike: payloads walked inside an encrypted message";
	unsigned n = ike->npayloads < IKS_IKE_MAX_PAYLOADS ? ike->npayloads : IKS_IKE_MAX_PAYLOADS;
	uint32_t at = 28;
	for (unsigned i = 0; i < n; i++) {
		const iks_ike_payload_ref *p = &ike->payloads[i];
		if (p->offset != at)
			return "ike: payload not where the previous one ended";
		if (p->length < 4)
			return "ike: payload shorter than its generic header";
		if (p->offset >= ike->length)
			return "ike: payload starts past the message length";
		bool last = i + 1 == ike->npayloads;
		if ((!last || ike->status == IKS_OK) && (uint64_t)p->offset + p->length > ike->length)
			return "ike: accepted payload runs past the message length";
		at = p->offset + p->length;
	}
	return NULL;
}

const char *fuzz_check_ike(const iks_ike_info *ike, size_t len)
{
	const char *v = check_ike_common(ike);
	if (v)
		return v;
	if (ike->present != (len >= 28))
		return "ike_decode: header presence does not follow the input length";
	if (ike->status == IKS_E_TRUNCATED)
		return "ike_decode: a whole message reported truncated";
	if (ike->present && ike->status == IKS_OK && ike->length > len)
		return "ike_decode: OK with a length field past the input";
	return NULL;
}

static const char *check_error(const iks_decode_error *e, size_t frame_len, size_t dg_len)
{
	if (!known_status(e->status))
		return "error: unknown status";
	if (e->status == IKS_OK)
		return NULL;
	if (!e->layer || !e->reason)
		return "error: failure without a layer or reason";
	if (e->offset > (e->in_datagram ? dg_len : frame_len))
		return "error: offset past the end of its input";
	return NULL;
}

static const char *check_layers(const iks_layers *L, const uint8_t *data, size_t len,
				size_t dg_len, bool reassembled)
{
	const char *v = check_error(&L->err, len, dg_len);
	if (v)
		return v;
	if (L->ip.present && !inside(L->ip.payload.p, L->ip.payload.len, data, len))
		return "ip: payload span outside the frame";
	if (L->ip.present && L->ip.version != 4 && L->ip.version != 6)
		return "ip: present with a version neither 4 nor 6";
	if (L->udp.present && L->udp.length < 8 && L->err.status == IKS_OK)
		return "udp: length below 8 accepted";
	if ((v = check_ike_common(&L->ike)) != NULL)
		return v;
	if (L->ike.present && !reassembled && !inside(L->ike.raw.p, L->ike.raw.len, data, len))
		return "ike: raw span outside the frame";
	if (L->ike.present && L->ike.status != IKS_OK && L->err.status == IKS_OK)
		return "ike: failure not reported in the layer error";
	return NULL;
}

const char *fuzz_check_packet(const iks_packet *pkt, const uint8_t *data, size_t len,
			      bool stateless)
{
	if (pkt->caplen != len)
		return "record: caplen differs from the input";
	if (((pkt->flags & IKS_PKT_SNAPPED) != 0) != (pkt->caplen < pkt->wirelen))
		return "record: SNAPPED flag disagrees with caplen/wirelen";
	if (pkt->err.status != pkt->l.err.status || pkt->err.offset != pkt->l.err.offset)
		return "record: err is not a copy of the outer layers' error";
	if (pkt->link.l3_offset > len)
		return "link: network header offset past the frame";
	int fr = pkt->frag.result;
	if (fr < IKS_FRAG_NONE || fr > IKS_FRAG_UNREASSEMBLED)
		return "frag: unknown result";
	if (stateless && fr != IKS_FRAG_NONE && fr != IKS_FRAG_UNREASSEMBLED)
		return "frag: reassembly claimed by a stateless decode";
	if (fr != IKS_FRAG_NONE && !pkt->l.ip.is_fragment)
		return "frag: result set for a packet that is not a fragment";
	bool done = fr == IKS_FRAG_COMPLETED;
	if (done && (pkt->frag.fragment_count == 0 || !pkt->frag.frames))
		return "frag: completed without its fragments";
	if (stateless && (pkt->err.in_datagram || (pkt->has_inner && pkt->inner.err.in_datagram)))
		return "record: datagram offset without reassembly";
	size_t dg = done ? pkt->frag.datagram_len : 0;
	const char *v = check_layers(&pkt->l, data, len, dg, done);
	if (v)
		return v;
	if (pkt->has_inner && (v = check_layers(&pkt->inner, data, len, dg, done)) != NULL)
		return v;
	/* inner is unspecified without has_inner (packet.h): only its claim is checked */
	if (pkt->has_inner && !(pkt->l.icmp.present && pkt->l.icmp.is_error))
		return "record: inner layers without an ICMP error quoting them";
	return NULL;
}

const char *fuzz_check_event(const iks_event *ev)
{
	if (ev->kind == IKS_EV_LIMIT)
		return ev->limit ? NULL : "event: limit without its name";
	if (ev->kind == IKS_EV_IKE_FRAGS_INCOMPLETE) {
		/* an IKE message sent in IKE fragments that never completed */
		if (ev->ike_version != 1 && ev->ike_version != 2)
			return "event: IKE fragments of neither IKEv1 nor IKEv2";
		if (ev->fragments == 0 || ev->first_frame > ev->last_frame)
			return "event: IKE fragments without fragments or frames out of order";
		if (ev->ike_missing_count < 8 && ev->ike_missing_count > 0) {
			for (unsigned i = 0; i < ev->ike_missing_count; i++)
				if (ev->ike_missing[i] == 0 ||
				    (ev->ike_frag_total && ev->ike_missing[i] > ev->ike_frag_total))
					return "event: missing IKE fragment number out of range";
		}
		return NULL;
	}
	if (ev->kind != IKS_EV_DATAGRAM_INCOMPLETE)
		return "event: unknown kind";
	if (ev->reason < IKS_INCOMPLETE_TIMEOUT || ev->reason > IKS_INCOMPLETE_INVALID)
		return "event: unknown incomplete reason";
	if (ev->datagram_id == 0 || ev->fragments == 0)
		return "event: incomplete datagram without an id or fragments";
	if (ev->ip_version != 4 && ev->ip_version != 6)
		return "event: IP version neither 4 nor 6";
	if (ev->first_frame > ev->last_frame)
		return "event: first frame after last frame";
	if (ev->nholes > IKS_EVENT_MAX_HOLES)
		return "event: more holes than the array holds";
	uint32_t prev = 0;
	for (unsigned i = 0; i < ev->nholes; i++) {
		if (ev->holes[i].start < prev || ev->holes[i].end <= ev->holes[i].start)
			return "event: holes not sorted, empty or overlapping";
		if (ev->datagram_len != IKS_LEN_UNKNOWN && ev->holes[i].end > ev->datagram_len)
			return "event: hole past the datagram end";
		prev = ev->holes[i].end;
	}
	if (ev->datagram_len != IKS_LEN_UNKNOWN && ev->received_bytes > ev->datagram_len)
		return "event: more bytes received than the datagram holds";
	return NULL;
}

const char *fuzz_check_stats(const iks_decoder_stats *st, const iks_decoder_limits *lim)
{
	if (st->frag_datagrams_peak > lim->frag_datagrams_max)
		return "stats: more datagrams held than frag_datagrams_max";
	if (st->frag_bytes_peak > lim->frag_bytes_max)
		return "stats: more bytes held than frag_bytes_max";
	return NULL;
}

#define FRAMES_MAX 4096

static void drain(iks_decoder *dec)
{
	iks_event ev;
	while (iks_decoder_next_event(dec, &ev) == 1)
		FUZZ_CHECK("iks_decoder_next_event", fuzz_check_event(&ev));
}

uint64_t fuzz_run_records(iks_decoder *dec, const iks_decoder_limits *lim, int linktype,
			  const uint8_t *data, size_t size)
{
	size_t pos = 0;
	uint64_t clock_ms = 1000000;
	uint64_t n = 0;
	while (size - pos >= 3 && n < FRAMES_MAX) {
		uint8_t step = data[pos];
		size_t flen = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (flen > size - pos)
			flen = size - pos;
		clock_ms += (uint64_t)step * 100;
		iks_frame f;
		memset(&f, 0, sizeof(f));
		f.number = ++n;
		f.ts_sec = (int64_t)(clock_ms / 1000);
		f.ts_nsec = (uint32_t)(clock_ms % 1000) * 1000000u;
		f.linktype = linktype;
		f.caplen = f.wirelen = (uint32_t)flen;
		f.data = data + pos;
		iks_packet pkt;
		if (iks_decode(dec, &f, &pkt) != IKS_OK)
			fuzz_fail("iks_decode", "refused a valid frame");
		FUZZ_CHECK("iks_decode", fuzz_check_packet(&pkt, f.data, flen, false));
		drain(dec);
		pos += flen;
	}
	iks_decoder_finish(dec);
	drain(dec);
	iks_decoder_stats st;
	iks_decoder_get_stats(dec, &st);
	FUZZ_CHECK("iks_decoder_get_stats", fuzz_check_stats(&st, lim));
	if (st.frames != n)
		fuzz_fail("iks_decoder_get_stats", "frame count differs from the frames decoded");
	return n;
}
