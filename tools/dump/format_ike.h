/*
 * format_ike.h - decoded IKE payloads as JSON keys and as the payload tree
 * of `ikedump -v` (keys documented in docs/json.md).
 */
#ifndef IKSTOOL_FORMAT_IKE_H
#define IKSTOOL_FORMAT_IKE_H

#include <ikescope/ikescope.h>

#include "common/jsonw.h"

/* The name of ike->payloads[i] as decoded: a NAT-D / NAT-OA carried under a
 * draft NAT-T number (130/131, 15/16) is named so, not by the IANA meaning
 * of that number (15/16 are GDOI SAK/SAT there). */
const char *fmt_ike_payload_name(const iks_ike_info *ike, unsigned i);
const char *fmt_ike_decoded_name(const iks_ike_msg *m, const iks_ike_payload *pl);

/* Inside the open JSON object of ike->payloads[i]: its decoded fields. */
void fmt_ike_payload_json(jsonw *w, const iks_ike_info *ike, unsigned i);

/* Inside the open `ike` object: NAT-T numbering, IKE fragment state, the
 * reassembled message, decode errors of bodies. */
void fmt_ike_json_extra(jsonw *w, const iks_ike_info *ike);

/* Append the payload tree (lines starting with a newline, indented). */
void fmt_ike_text_tree(strbuf *b, const iks_ike_info *ike);

/* The decoded fields of one payload through an emitter (ike_emit.h). */
struct emit;
void fmt_ike_emit_body(struct emit *e, const iks_ike_msg *m, const iks_ike_payload *pl);

/* IKS_EV_IKE_FRAGS_INCOMPLETE events. */
void fmt_ike_event_json(strbuf *b, const iks_event *ev);
void fmt_ike_event_text(strbuf *b, const iks_event *ev);

#endif
