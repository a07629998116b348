/* corr_report_json.c - pcapcorrelate's report as one JSON document
 * (docs/json.md, "pcapcorrelate --json"). */
#include "correlate/corr_report.h"

#include <math.h>
#include <stdint.h>

#include "common/jsonw.h"
#include "common/verdicts_out.h"

static void json_log_ref(jsonw *w, const corr_input *in, int side, uint64_t frame, const char *key)
{
	if (!in[side].log)
		return;
	jw_keys(w, key);
	const iks_log_msg *m = frame ? logview_msg_for_frame(in[side].log, frame) : NULL;
	if (m)
		logview_msg_json(in[side].log, m, w);
	else
		jw_null(w);
}

static void json_negotiation(jsonw *w, const corr_input *in, const iks_correlation *c,
			     const iks_negotiation *n)
{
	char h[17];
	jw_obj_begin(w);
	jw_key(w, "version");
	jw_uint(w, n->version);
	jw_key(w, "ispi");
	hex8(h, n->ispi);
	jw_str(w, h);
	jw_key(w, "rspi");
	hex8(h, n->rspi);
	jw_str(w, h);
	jw_key(w, "initiator");
	jw_str(w, n->initiator == IKS_DIR_A_TO_B ? "a" : "b");
	jw_key(w, "start");
	jw_time(w, n->start_s);
	jw_key(w, "outcome");
	jw_str(w, iks_outcome_name(n->outcome));
	jw_key(w, "reason");
	jw_str(w, n->outcome_reason);
	if (n->error_notify) {
		jw_key(w, "error_notify");
		jw_uint(w, n->error_notify);
		const char *nm = iks_ike_notify_name(n->version, n->error_notify);
		if (nm) {
			jw_key(w, "error_notify_name");
			jw_str(w, nm);
		}
		jw_key(w, "error_from");
		jw_str(w, n->error_dir == IKS_DIR_A_TO_B ? "a" : "b");
	}
	if (n->outcome == IKS_OUTCOME_FAILED) {
		jw_key(w, "failed_exchange");
		jw_uint(w, n->failed_exchange);
		jw_key(w, "failed_msgid");
		hex_u32(h, n->failed_msgid);
		jw_str(w, h);
	}
	jw_key(w, "exchanges");
	jw_arr_begin(w);
	for (uint32_t e = 0; e < n->nexchanges; e++) {
		const iks_ike_exchange *x = &n->exchanges[e];
		jw_obj_begin(w);
		jw_key(w, "type");
		jw_uint(w, x->type);
		jw_key(w, "name");
		jw_str(w, iks_ike_exchange_name(n->version, x->type));
		jw_key(w, "msgid");
		hex_u32(h, x->msgid);
		jw_str(w, h);
		jw_key(w, "messages");
		jw_arr_begin(w);
		for (uint16_t k = 0; k < x->nmessages; k++) {
			const iks_ike_message *m = &x->messages[k];
			jw_obj_begin(w);
			jw_key(w, "dir");
			jw_str(w, iks_correlation_direction_name(c, m->dir));
			jw_key(w, "response");
			jw_bool(w, m->response);
			jw_key(w, "length");
			jw_uint(w, m->length);
			jw_key(w, "sent");
			jw_time(w, m->sent_s);
			jw_key(w, "received");
			jw_time(w, m->arrived_count ? m->received_s : 0);
			jw_key(w, "frame_sent");
			jw_uint(w, m->frame_sent);
			jw_key(w, "frame_received");
			if (m->arrived_count)
				jw_uint(w, m->frame_received);
			else
				jw_null(w);
			jw_key(w, "copies_sent");
			jw_uint(w, m->sent_count);
			jw_key(w, "copies_arrived");
			jw_uint(w, m->arrived_count);
			jw_key(w, "retransmits");
			jw_uint(w, m->sent_count ? m->sent_count - 1 : 0);
			jw_key(w, "encrypted");
			jw_bool(w, m->encrypted);
			jw_key(w, "decrypted");
			jw_bool(w, m->decrypted);
			jw_key(w, "ike_fragment");
			jw_bool(w, m->ike_fragment);
			jw_key(w, "notify");
			if (m->notify_error)
				jw_uint(w, m->notify_error);
			else
				jw_null(w);
			int sender = m->dir == IKS_DIR_A_TO_B ? 0 : 1;
			json_log_ref(w, in, sender, m->frame_sent_whole, "log_sent");
			json_log_ref(w, in, 1 - sender, m->arrived_count ? m->frame_received : 0,
				     "log_received");
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void json_tally(jsonw *w, const char *key, const iks_loss_tally *t)
{
	jw_keys(w, key);
	jw_obj_begin(w);
	jw_key(w, "sent");
	jw_uint(w, t->sent);
	jw_key(w, "lost");
	jw_uint(w, t->lost);
	jw_obj_end(w);
}

static void json_run(jsonw *w, const char *key, const iks_loss_run *r)
{
	jw_keys(w, key);
	if (!r->count) {
		jw_null(w);
		return;
	}
	jw_obj_begin(w);
	jw_key(w, "count");
	jw_uint(w, r->count);
	jw_key(w, "from");
	jw_time(w, r->from_s);
	jw_key(w, "to");
	jw_time(w, r->to_s);
	jw_key(w, "to_end");
	jw_bool(w, r->to_end);
	jw_obj_end(w);
}

/* "loss": what each direction sent and lost, by kind, fragments, DF, size */
static void json_loss(jsonw *w, const iks_correlation *c)
{
	static const char *const bands[IKS_SIZE_BANDS] = { "0-576", "577-1280", "1281-1400",
							   "1401-1500", "1501-" };
	jw_key(w, "loss");
	jw_obj_begin(w);
	for (int s = 0; s < 2; s++) {
		const iks_loss_profile *p = iks_correlation_loss_profile(c, s);
		jw_keys(w, s ? "b->a" : "a->b");
		jw_obj_begin(w);
		json_tally(w, "all", &p->all);
		json_tally(w, "ike", &p->ike);
		json_tally(w, "esp", &p->esp);
		json_tally(w, "ah", &p->ah);
		json_tally(w, "other", &p->other);
		json_tally(w, "whole", &p->whole);
		json_tally(w, "fragmented", &p->fragmented);
		json_tally(w, "df", &p->df);
		jw_key(w, "size");
		jw_obj_begin(w);
		for (int k = 0; k < IKS_SIZE_BANDS; k++)
			json_tally(w, bands[k], &p->size[k]);
		jw_obj_end(w);
		jw_key(w, "dropped_with_icmp");
		jw_uint(w, p->dropped_icmp);
		jw_key(w, "arrived_between_losses");
		jw_uint(w, p->arrived_between);
		json_run(w, "longest_run", &p->run_all);
		json_run(w, "longest_ike_run", &p->run_ike);
		json_run(w, "longest_esp_run", &p->run_esp);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}


/* "clock_offset": b's clock against a's */
static void json_clock(jsonw *w, const iks_clock_estimate *ce)
{
	/* not known (nothing crossed): null, never an invented number */
	jw_obj_begin(w);
	jw_key(w, "seconds");
	jw_fixed(w, ce->offset_s, 9);
	jw_key(w, "matches");
	jw_uint(w, ce->matches);
	jw_key(w, "matches_ab");
	jw_uint(w, ce->matches_ab);
	jw_key(w, "matches_ba");
	jw_uint(w, ce->matches_ba);
	jw_key(w, "delay_ab");
	jw_fixed(w, ce->known ? ce->delay_ab_s : NAN, 9);
	jw_key(w, "delay_ba");
	jw_fixed(w, ce->known ? ce->delay_ba_s : NAN, 9);
	jw_key(w, "spread");
	jw_fixed(w, ce->known ? ce->spread_s : NAN, 9);
	jw_key(w, "drift_ppm");
	jw_fixed(w, ce->known ? ce->drift_ppm : NAN, 3);
	jw_key(w, "error_s");
	jw_fixed(w, ce->error_s, 9);
	jw_key(w, "basis");
	jw_str(w, ce->basis);
	jw_key(w, "delay_min_ab");
	jw_fixed(w, ce->delay_min_ab_s, 9);
	jw_key(w, "delay_min_ba");
	jw_fixed(w, ce->delay_min_ba_s, 9);
	jw_key(w, "match_window");
	jw_fixed(w, ce->known ? ce->window_s : NAN, 6);
	jw_key(w, "cover_margin");
	jw_fixed(w, ce->known ? ce->cover_margin_s : NAN, 6);
	jw_key(w, "fragment_matches");
	jw_uint(w, ce->fragment_matches);
	jw_key(w, "retransmit_matches");
	jw_uint(w, ce->retransmit_matches);
	jw_key(w, "steps");
	jw_arr_begin(w);
	for (uint32_t k = 0; k < ce->nsteps && k < 4; k++) {
		jw_obj_begin(w);
		jw_key(w, "at");
		jw_time(w, ce->steps[k].at_s);
		jw_key(w, "seconds");
		jw_fixed(w, ce->steps[k].step_s, 9);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

void corr_report_json(FILE *out, const corr_input in[2], const iks_correlation *c)
{
	strbuf b;
	jsonw w;
	sb_init(&b);
	jw_init(&w, &b);
	corr_report_json_w(&w, in, c, -1);
	if (b.s)
		fprintf(out, "%s\n", sb_cstr(&b));
	sb_free(&b);
}

void corr_report_json_w(jsonw *w, const corr_input in[2], const iks_correlation *c, int hop)
{
	const iks_clock_estimate *ce = iks_correlation_clock(c);
	const iks_endpoints *e = iks_correlation_endpoints(c);
	iks_correlation_stats st;
	iks_correlation_get_stats(c, &st);
	jw_obj_begin(w);
	jw_key(w, "captures");
	jw_obj_begin(w);
	for (int s = 0; s < 2; s++) {
		jw_keys(w, s ? "b" : "a");
		jw_obj_begin(w);
		jw_key(w, "file");
		jw_str(w, in[s].path);
		jw_key(w, "frames");
		jw_uint(w, in[s].info.frames);
		jw_key(w, "first");
		jw_time(w, (double)in[s].info.first_ns / 1e9);
		jw_key(w, "last");
		jw_time(w, (double)in[s].info.last_ns / 1e9);
		jw_key(w, "warning");
		jw_str(w, in[s].warning);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_key(w, "hosts");
	jw_obj_begin(w);
	jw_key(w, "method");
	jw_str(w, e->method);
	jw_key(w, "a");
	jw_obj_begin(w);
	jw_key(w, "in_a");
	jw_addr(w, &e->a_in_a);
	jw_key(w, "in_b");
	jw_addr(w, &e->a_in_b);
	jw_key(w, "port_in_a");
	jw_uint(w, e->a_port_in_a);
	jw_key(w, "port_in_b");
	jw_uint(w, e->a_port_in_b);
	jw_key(w, "natt_port_in_a");
	jw_uint(w, e->a_natt_port_in_a);
	jw_key(w, "natt_port_in_b");
	jw_uint(w, e->a_natt_port_in_b);
	jw_obj_end(w);
	jw_key(w, "b");
	jw_obj_begin(w);
	jw_key(w, "in_a");
	jw_addr(w, &e->b_in_a);
	jw_key(w, "in_b");
	jw_addr(w, &e->b_in_b);
	jw_key(w, "port_in_a");
	jw_uint(w, e->b_port_in_a);
	jw_key(w, "port_in_b");
	jw_uint(w, e->b_port_in_b);
	jw_key(w, "natt_port_in_a");
	jw_uint(w, e->b_natt_port_in_a);
	jw_key(w, "natt_port_in_b");
	jw_uint(w, e->b_natt_port_in_b);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_key(w, "one_sided");
	jw_bool(w, iks_correlation_one_sided(c));
	jw_key(w, "clock_offset");
	if (iks_correlation_one_sided(c))
		jw_null(w); /* one capture: no second clock */
	else
		json_clock(w, ce);
	jw_key(w, "overlap");
	jw_obj_begin(w);
	jw_key(w, "from");
	jw_time(w, e->covered_from_s);
	jw_key(w, "to");
	jw_time(w, e->covered_to_s);
	jw_obj_end(w);
	jw_key(w, "stats");
	jw_obj_begin(w);
	jw_key(w, "sent_a");
	jw_uint(w, st.sent_a);
	jw_key(w, "arrived_ab");
	jw_uint(w, st.matched_ab);
	jw_key(w, "lost_ab");
	jw_uint(w, st.lost_ab);
	jw_key(w, "sent_b");
	jw_uint(w, st.sent_b);
	jw_key(w, "arrived_ba");
	jw_uint(w, st.matched_ba);
	jw_key(w, "lost_ba");
	jw_uint(w, st.lost_ba);
	jw_key(w, "dropped_with_icmp");
	jw_uint(w, st.dropped_with_icmp);
	jw_key(w, "not_covered");
	jw_uint(w, st.not_covered);
	jw_key(w, "not_judged_filtered");
	jw_uint(w, st.not_judged_filtered);
	jw_key(w, "other_sent_ab");
	jw_uint(w, st.other_sent_ab);
	jw_key(w, "other_lost_ab");
	jw_uint(w, st.other_lost_ab);
	jw_key(w, "other_sent_ba");
	jw_uint(w, st.other_sent_ba);
	jw_key(w, "other_lost_ba");
	jw_uint(w, st.other_lost_ba);
	jw_key(w, "discarded_ab");
	jw_uint(w, st.discarded_ab);
	jw_key(w, "discarded_ba");
	jw_uint(w, st.discarded_ba);
	jw_key(w, "icv_failed_ab");
	jw_uint(w, st.icv_failed_ab);
	jw_key(w, "icv_failed_ba");
	jw_uint(w, st.icv_failed_ba);
	jw_key(w, "icv_failed_modified_ab");
	jw_uint(w, st.icv_failed_modified_ab);
	jw_key(w, "icv_failed_modified_ba");
	jw_uint(w, st.icv_failed_modified_ba);
	jw_key(w, "modified_not_compared");
	jw_uint(w, st.modified_not_compared);
	jw_key(w, "modified_compared_partly");
	jw_uint(w, st.modified_compared_partly);
	if (st.host_dropped_a || st.host_dropped_b) {
		jw_key(w, "host_dropped_a");
		jw_uint(w, st.host_dropped_a);
		jw_key(w, "host_dropped_b");
		jw_uint(w, st.host_dropped_b);
	}
	jw_obj_end(w);
	if (in[0].log || in[1].log) {
		jw_key(w, "logs");
		jw_obj_begin(w);
		for (int s = 0; s < 2; s++) {
			jw_keys(w, s ? "b" : "a");
			if (in[s].log)
				logview_summary_json(in[s].log, w);
			else
				jw_null(w);
		}
		jw_obj_end(w);
	}
	if (in[0].events || in[1].events) {
		jw_key(w, "events");
		jw_obj_begin(w);
		for (int s = 0; s < 2; s++) {
			jw_keys(w, s ? "b" : "a");
			if (in[s].events)
				corr_events_json(w, in[s].events, c);
			else
				jw_null(w);
		}
		jw_obj_end(w);
	}
	json_loss(w, c);
	jw_key(w, "verdicts");
	verdicts_json(w, c);
	const iks_negotiation *negs;
	size_t nn = iks_correlation_negotiations(c, &negs);
	jw_key(w, "negotiations");
	jw_arr_begin(w);
	for (size_t k = 0; k < nn; k++)
		json_negotiation(w, in, c, &negs[k]);
	jw_arr_end(w);
	const iks_finding *f;
	size_t nf = iks_correlation_findings(c, &f);
	jw_key(w, "findings");
	jw_arr_begin(w);
	corr_icv_ties ties;
	corr_icv_ties_make(in, c, &ties);
	for (int rank = 0; rank < 3; rank++)
		for (size_t k = 0; k < nf; k++)
			if (corr_severity_rank(f[k].severity) == rank)
				corr_json_finding(w, c, &f[k], in, ties.rec ? ties.rec[k] : NULL, hop);
	corr_icv_ties_free(&ties);
	jw_arr_end(w);
	jw_obj_end(w);
}
