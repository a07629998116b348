/* corr_json_finding.c - one finding of pcapcorrelate's JSON report (docs/json.md,
 * "findings"), for the two-capture report and the path report alike. */
#include "correlate/corr_report.h"

#include <stdint.h>
#include <string.h>

#include "common/jsonw.h"

/* "spi" and "seq" of an ESP/AH packet a finding names */
static void json_spi_seq(jsonw *w, const iks_finding *f)
{
	char m[9];
	if (!f->spi)
		return;
	jw_key(w, "spi");
	hex_u32(m, f->spi);
	jw_str(w, m);
	jw_key(w, "seq");
	jw_uint(w, f->seq);
}

/* modified-in-transit: the changed bytes and what the receiver did. */
static void json_changes(jsonw *w, const iks_finding *f)
{
	jw_key(w, "ip_id");
	jw_uint(w, f->ip_id);
	jw_key(w, "size");
	jw_uint(w, f->size);
	jw_key(w, "discarded");
	jw_bool(w, f->discarded);
	jw_key(w, "icv");
	if (f->icv == IKS_ICV_OK)
		jw_str(w, "ok");
	else if (f->icv == IKS_ICV_FAILED)
		jw_str(w, "failed");
	else
		jw_null(w);
	jw_key(w, "changed_bytes");
	jw_uint(w, f->changed_bytes);
	jw_key(w, "fragments_not_compared");
	jw_uint(w, f->fragments_not_compared);
	jw_key(w, "size_change");
	jw_int(w, f->size_change);
	jw_key(w, "changes");
	jw_arr_begin(w);
	for (uint16_t k = 0; k < f->nchanges; k++) {
		const struct iks_byte_change *ch = &f->changes[k];
		jw_obj_begin(w);
		jw_key(w, "frame_a");
		jw_uint(w, ch->frame_a);
		jw_key(w, "frame_b");
		jw_uint(w, ch->frame_b);
		jw_key(w, "ip_offset");
		jw_uint(w, ch->ip_offset);
		jw_key(w, "payload_offset");
		if (ch->payload_offset == IKS_LEN_UNKNOWN)
			jw_null(w);
		else
			jw_uint(w, ch->payload_offset);
		jw_key(w, "before");
		jw_hex(w, &ch->before, 1);
		jw_key(w, "after");
		jw_hex(w, &ch->after, 1);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void corr_json_finding(jsonw *w, const iks_correlation *c, const iks_finding *f,
		       const corr_input *in, const iks_log_record *tie, int hop)
{
	char h[17], m[9];
	jw_obj_begin(w);
	if (hop >= 0) {
		jw_key(w, "hop");
		jw_uint(w, (uint64_t)hop);
	} else if (hop == CORR_HOP_NULL) {
		jw_key(w, "hop");
		jw_null(w);
	}
	jw_key(w, "kind");
	jw_str(w, iks_finding_kind_name(f->kind));
	jw_key(w, "severity");
	jw_str(w, iks_severity_name(f->severity));
	jw_key(w, "direction");
	jw_str(w, iks_correlation_direction_name(c, f->direction));
	jw_key(w, "explain");
	jw_str(w, f->explain);
	jw_key(w, "time_a");
	jw_time(w, f->time_a_s);
	jw_key(w, "time_b");
	jw_time(w, f->time_b_s);
	jw_key(w, "frame_a");
	if (f->frame_a)
		jw_uint(w, f->frame_a);
	else
		jw_null(w);
	jw_key(w, "frame_b");
	if (f->frame_b)
		jw_uint(w, f->frame_b);
	else
		jw_null(w);
	if (f->has_ike) {
		jw_key(w, "version");
		jw_uint(w, f->version);
		jw_key(w, "ispi");
		hex8(h, f->ispi);
		jw_str(w, h);
		jw_key(w, "rspi");
		hex8(h, f->rspi);
		jw_str(w, h);
		jw_key(w, "exchange");
		jw_uint(w, f->exchange);
		if (f->version == 2) {
			jw_key(w, "response");
			jw_bool(w, f->response);
		}
		jw_key(w, "msgid");
		hex_u32(m, f->msgid);
		jw_str(w, m);
	}
	switch (f->kind) {
	case IKS_FIND_CLOCK_OFFSET:
		jw_key(w, "seconds");
		jw_fixed(w, f->offset_s, 9);
		jw_key(w, "matches");
		jw_uint(w, f->matches);
		break;
	case IKS_FIND_IKE_RETRANSMIT:
		jw_key(w, "count");
		jw_uint(w, f->count);
		jw_key(w, "intervals");
		jw_arr_begin(w);
		for (unsigned k = 0; k < f->count && k < 8; k++)
			jw_fixed(w, f->intervals_s[k], 6);
		jw_arr_end(w);
		break;
	case IKS_FIND_PACKET_LOSS:
		jw_key(w, "count");
		jw_uint(w, f->count);
		if (f->total) {
			jw_key(w, "of");
			jw_uint(w, f->total);
		}
		jw_key(w, "proto");
		jw_uint(w, f->proto);
		json_spi_seq(w, f);
		if (f->other_traffic) {
			jw_key(w, "other_traffic");
			jw_bool(w, true);
			jw_key(w, "ip_id");
			jw_uint(w, f->ip_id);
			jw_key(w, "size");
			jw_uint(w, f->size);
		}
		break;
	case IKS_FIND_FRAGMENT_LOSS:
		jw_key(w, "ip_id");
		jw_uint(w, f->ip_id);
		jw_key(w, "size");
		jw_uint(w, f->size);
		jw_key(w, "fragments_arrived");
		jw_uint(w, f->count);
		jw_key(w, "fragmented_at_sender");
		jw_bool(w, f->fragmented_at_sender);
		jw_key(w, "missing");
		jw_arr_begin(w);
		for (unsigned k = 0; k < f->nranges; k++) {
			jw_arr_begin(w);
			jw_uint(w, f->missing[k].start);
			if (f->missing[k].end == IKS_LEN_UNKNOWN)
				jw_null(w);
			else
				jw_uint(w, f->missing[k].end);
			jw_arr_end(w);
		}
		jw_arr_end(w);
		json_spi_seq(w, f);
		if (f->pattern) {
			jw_key(w, "pattern");
			jw_str(w, f->pattern);
			jw_key(w, "pattern_lost");
			jw_uint(w, f->pattern_lost);
			jw_key(w, "pattern_total");
			jw_uint(w, f->pattern_total);
		}
		break;
	case IKS_FIND_ICMP_FRAG_NEEDED:
		jw_key(w, "mtu");
		jw_uint(w, f->mtu);
		jw_key(w, "reached_sender");
		jw_bool(w, f->reached_sender);
		if (f->kind == IKS_FIND_ICMP_FRAG_NEEDED) {
			jw_key(w, "from");
			if (f->from_known)
				jw_addr(w, &f->from);
			else
				jw_null(w);
		}
		jw_key(w, "ip_id");
		jw_uint(w, f->ip_id);
		json_spi_seq(w, f);
		break;
	case IKS_FIND_PMTU_BLACKHOLE:
		jw_key(w, "count");
		jw_uint(w, f->count);
		jw_key(w, "size_ok_max");
		jw_uint(w, f->size_ok_max);
		jw_key(w, "size_lost_min");
		jw_uint(w, f->size_lost_min);
		break;
	case IKS_FIND_NAT_DETECTED: {
		char side[2] = { f->side, 0 };
		jw_key(w, "side");
		jw_str(w, side);
		jw_key(w, "before");
		jw_addr(w, &f->addr_before);
		jw_key(w, "port_before");
		jw_uint(w, f->port_before);
		jw_key(w, "after");
		jw_addr(w, &f->addr_after);
		jw_key(w, "port_after");
		jw_uint(w, f->port_after);
		break;
	}
	case IKS_FIND_NAT_REBIND: {
		char side[2] = { f->side, 0 };
		jw_key(w, "side");
		jw_str(w, side);
		jw_key(w, "addr_old");
		jw_addr(w, &f->addr_before);
		jw_key(w, "port_old");
		jw_uint(w, f->port_before);
		jw_key(w, "addr_new");
		jw_addr(w, &f->addr_after);
		jw_key(w, "port_new");
		jw_uint(w, f->port_after);
		jw_key(w, "stale_lost");
		jw_uint(w, f->count);
		jw_key(w, "stale_sent");
		jw_uint(w, f->total);
		json_spi_seq(w, f);
		break;
	}
	case IKS_FIND_MODIFIED_IN_TRANSIT:
		jw_key(w, "proto");
		jw_uint(w, f->proto);
		json_spi_seq(w, f);
		json_changes(w, f);
		break;
	case IKS_FIND_LIMIT:
		jw_key(w, "count");
		jw_uint(w, f->count);
		if (f->side) {
			/* a capture's trace cap: which capture */
			char sd[2] = { f->side, 0 };
			jw_key(w, "capture");
			jw_str(w, sd);
		}
		break;
	case IKS_FIND_IKE_ERROR: {
		jw_key(w, "notify");
		jw_uint(w, f->notify);
		const char *nm = iks_ike_notify_name(f->version, f->notify);
		if (nm) {
			jw_key(w, "notify_name");
			jw_str(w, nm);
		}
		break;
	}
	case IKS_FIND_CAPTURE_CHECK:
		jw_key(w, "check");
		jw_str(w, f->check);
		jw_key(w, "capture");
		if (f->side) {
			char sd[2] = { f->side, 0 };
			jw_str(w, sd);
		} else {
			jw_null(w);
		}
		if (f->missing_kinds[0]) {
			jw_key(w, "missing");
			jw_str(w, f->missing_kinds);
		}
		bool no_overlap = f->check && !strcmp(f->check, "no-overlap");
		if (f->check && (!strcmp(f->check, "not-covered") || no_overlap)) {
			if (!no_overlap) {
				jw_key(w, "not_judged");
				jw_uint(w, f->count);
				jw_key(w, "of");
				jw_uint(w, f->total);
			}
			jw_key(w, "spans");
			jw_arr_begin(w);
			for (unsigned k = 0; k < f->nspans; k++) {
				jw_obj_begin(w);
				jw_key(w, "from");
				jw_time(w, f->spans[k].from_s);
				jw_key(w, "to");
				jw_time(w, f->spans[k].to_s);
				jw_obj_end(w);
			}
			jw_arr_end(w);
			if (!no_overlap) {
				jw_key(w, "spans_more");
				jw_uint(w, f->spans_more);
			}
		}
		if (f->check && !strcmp(f->check, "incomplete")) {
			jw_key(w, "missed");
			jw_uint(w, f->count);
		}
		if (f->check && !strcmp(f->check, "same-capture")) {
			jw_key(w, "frames");
			jw_uint(w, f->count);
		}
		break;
	case IKS_FIND_NOTHING_ARRIVED:
		jw_key(w, "sent");
		jw_uint(w, f->count);
		jw_key(w, "receiver_active");
		jw_uint(w, f->total);
		break;
	case IKS_FIND_HOST_DROP: {
		char side[2] = { f->side, 0 };
		jw_key(w, "side");
		jw_str(w, side);
		jw_key(w, "count");
		jw_uint(w, f->count);
		jw_key(w, "verdict");
		jw_obj_begin(w);
		jw_key(w, "type");
		jw_uint(w, f->verdict_type);
		jw_key(w, "value");
		jw_uint(w, f->verdict);
		jw_obj_end(w);
		jw_key(w, "component");
		jw_obj_begin(w);
		jw_key(w, "interface");
		jw_uint(w, f->component_if);
		jw_key(w, "if_name");
		jw_str(w, f->component);
		jw_obj_end(w);
		if (f->proto) {
			jw_key(w, "proto");
			jw_uint(w, f->proto);
		}
		if (f->spi) {
			jw_key(w, "spi");
			hex_u32(m, f->spi);
			jw_str(w, m);
		}
		break;
	}
	case IKS_FIND_ONE_WAY:
		jw_key(w, "failed");
		jw_uint(w, f->count);
		jw_key(w, "completed_other_way");
		jw_uint(w, f->total);
		break;
	case IKS_FIND_BAD_SPI:
		jw_key(w, "proto");
		jw_uint(w, f->proto);
		jw_key(w, "spi");
		hex_u32(m, f->spi);
		jw_str(w, m);
		jw_key(w, "count");
		jw_uint(w, f->count);
		jw_key(w, "delete_frame");
		jw_uint(w, f->delete_frame);
		jw_key(w, "delete_time");
		jw_time(w, f->delete_s);
		jw_key(w, "delete_arrived");
		jw_bool(w, f->delete_arrived);
		if (!f->delete_frame) { /* one capture: an SPI no negotiation in it produced */
			jw_key(w, "invalid_spi_answered");
			jw_bool(w, f->notify == 11);
		}
		break;
	default:
		break;
	}
	if (f->kind == IKS_FIND_MODIFIED_IN_TRANSIT && in[f->direction == IKS_DIR_A_TO_B ? 1 : 0].log) {
		/* the receiver's log line that says it discarded this packet */
		jw_key(w, "log_received");
		if (tie)
			logview_record_json(in[f->direction == IKS_DIR_A_TO_B ? 1 : 0].log, tie, w);
		else
			jw_null(w);
	}
	jw_obj_end(w);
}
