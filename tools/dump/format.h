/*
 * format.h - packet records and decoder events as text lines for people
 * and as JSON Lines (the keys are documented in docs/json.md).
 */
#ifndef IKSTOOL_FORMAT_H
#define IKSTOOL_FORMAT_H

#include <ikescope/ikescope.h>

#include "common/jsonw.h"

/* Stands in a formatted line where the frame that completes a fragment's
 * datagram goes, while that is not known yet (see holdq.h). */
#define FMT_DATAGRAM_MARK '\x01'

/* "ok", "icv-mismatch", ... for an iks_esp_crypto value. */
const char *esp_crypto_name(int crypto);

/* Whether the line of this record needs FMT_DATAGRAM_MARK resolved. */
bool fmt_needs_datagram(const iks_packet *pkt);

/* Shared by the writers: FMT_DATAGRAM_MARK into b; an address as text in
 * buf (IKS_ADDRSTRLEN bytes); "timeout", "end-of-capture", ... for an
 * iks_incomplete_reason. */
void fmt_put_mark(strbuf *b);
const char *fmt_addr(const iks_addr *a, char *buf);
const char *fmt_incomplete_reason(int r);

/* Append one line (no newline) describing the record. */
void fmt_packet_json(strbuf *b, const iks_packet *pkt);
void fmt_packet_text(strbuf *b, const iks_packet *pkt);

/* The pcapng keys of a packet record (interface, if_name, direction,
 * packet_id, verdict, dropcount, comment), inside an open JSON object;
 * nothing for frames not read from pcapng. */
void fmt_meta_json(jsonw *w, const iks_frame_meta *m);

/* Append one line (no newline) describing a decoder event. */
void fmt_event_json(strbuf *b, const iks_event *ev);
void fmt_event_text(strbuf *b, const iks_event *ev);

#endif
