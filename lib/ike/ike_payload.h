/* ike_payload.h - IKE payload body decoders (internal). */
#ifndef IKS_IKE_PAYLOAD_H
#define IKS_IKE_PAYLOAD_H

#include <ikescope/ike.h>

#include "core/reader.h"

/*
 * Every body decoder gets the message being filled, its payload record
 * (type, offset, length and body already set) and a reader over the body
 * whose origin is the body's offset from the ISAKMP header. It fills the
 * record and returns its status (also stored in pl->status).
 */
typedef iks_status (*ike_body_fn)(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);

/* Mark a payload bad at reader offset `off` (ISAKMP-relative) unless it
 * is marked already (the first failure stays); why is static text.
 * Returns the payload's status. */
static inline iks_status ike_pl_fail(iks_ike_payload *pl, iks_status st, size_t off,
				     const char *why)
{
	if (pl->status == IKS_OK) {
		pl->status = st;
		pl->err_offset = (uint32_t)off;
		pl->reason = why;
	}
	return pl->status;
}

/* Read data attributes (RFC 2408 section 3.3 / RFC 7296 section 3.3.5) until
 * the reader is empty, appending to m->attrs; *first and *count name them. */
iks_status ike_read_attrs(iks_ike_msg *m, iks_ike_payload *pl, iks_reader *r, uint16_t *first,
			  uint16_t *count);

/* Read an address of `n` (4 or 16) bytes. */
bool ike_read_addr(iks_reader *r, size_t n, iks_addr *a);

/* ike_sa.c */
iks_status ike_body_sa_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_sa_v2(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
/* ike_id.c */
iks_status ike_body_id_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_id_v2(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_nat_oa(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_ts(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
/* ike_notify.c */
iks_status ike_body_notify_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_notify_v2(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_delete_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_delete_v2(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
/* ike_misc.c */
iks_status ike_body_data(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_ke_v2(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_encoded(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_auth(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_vid(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_frag_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_skf(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_attr_v1(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_cp(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);
iks_status ike_body_eap(iks_ike_msg *m, iks_ike_payload *pl, iks_reader body);

/* ike_msg.c: the decoder of a v1/v2 payload number under a numbering. */
ike_body_fn ike_body_for(int version, unsigned type, int numbering, uint8_t *kind);

/* ike_msg.c: decode the message in `msg` (ISAKMP header on, `len` bytes as
 * far as captured, `cut` when the capture ended before the length field). */
iks_status ike_msg_decode(const uint8_t *data, size_t len, bool cut, int numbering,
			  iks_ike_msg *msg);

/* The NAT-T numbering the vendor IDs of a decoded message ask for, or -1. */
int ike_msg_natt_from_vids(const iks_ike_msg *msg, int *preference);

#endif
